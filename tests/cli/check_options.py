# SPDX-License-Identifier: GPL-3.0-or-later
"""The option-table check of the command line: every long option a subcommand accepts (its
getopt_long table in cli/cmd_*.c, with the shared landscape-source options) is named in that
subcommand's synopsis (the --help text's first paragraph), in the rest of its --help, and in its
README section; -h is named; and every option the help names exists.
Prints one PASS/FAIL line per subcommand. Usage: check_options.py DEEPRELAX SRCDIR"""
import re
import subprocess
import sys

deeprelax, src = sys.argv[1], sys.argv[2]

# Each command's table is the `struct option` array of the function named cmd_<command>, or,
# when that function has none, every table of its file if the file defines that one command
# (sharpness and explore parse in a helper; train and eval share a file, each with its own,
# train's in the helper it calls).
COMMANDS = ["landscapes", "solve", "plot", "demo", "train", "eval", "slice", "widen", "particles",
            "sharpness", "explore"]
SOURCE_OPTIONS = re.findall(r'\{"([a-z0-9-]+)",', re.search(
    r"#define CLI_SOURCE_OPTIONS(.*?)\n#define", open(f"{src}/cli/cli.h").read(), re.S).group(1))


def table_of(command):
    """The long options of cmd_<command>'s getopt table, or None if the command is not built."""
    for path in subprocess.run(["sh", "-c", f"ls {src}/cli/cmd_*.c"], capture_output=True,
                               text=True).stdout.split():
        text = open(path).read()
        m = re.search(r"\nint cmd_%s\(int argc, char \*\*argv\)\n\{(.*?)\n\}\n" % command, text, re.S)
        if not m:
            continue
        body = m.group(1)
        if "struct option" not in body:
            if len(re.findall(r"\nint cmd_\w+\(", text)) == 1:
                body = text
            else:  # the tables of the file's functions that cmd_<command> calls (train_parse)
                for called in set(re.findall(r"\b(\w+)\(", body)):
                    f = re.search(r"\nstatic \w+ %s\([^)]*\)\n\{(.*?)\n\}\n" % called, text, re.S)
                    if f:
                        body += f.group(1)
        names = re.findall(r'\{"([a-z0-9-]+)",\s*(?:no|required|optional)_argument', body)
        if "CLI_SOURCE_OPTIONS" in body:
            names += SOURCE_OPTIONS
        return set(names)
    return None


def readme_section(command):
    """The README text of every section whose heading names `deeprelax <command>`."""
    text, out, keep = open(f"{src}/README.md").read().split("\n"), [], False
    for line in text:
        if line.startswith("#"):
            keep = bool(re.search(r"deeprelax[` ]+(?:[a-z]+`?,\s*`)*%s\b" % command, line)) or \
                   bool(re.search(r"`%s`" % command, line) and "deeprelax" in line)
        if keep:
            out.append(line)
    return "\n".join(out)


failed = 0
for command in COMMANDS:
    table = table_of(command)
    if table is None:
        continue
    helptext = subprocess.run([deeprelax, command, "--help"], capture_output=True, text=True).stdout
    in_help = set(re.findall(r"--([a-z0-9][a-z0-9-]*)", helptext))
    lines = helptext.split("\n")
    k = 1
    while k < len(lines) and re.match(r"^\s{6,}(?:[\[(|-]|deeprelax )", lines[k]):
        k += 1
    synopsis, body = "\n".join(lines[:k]), "\n".join(lines[k:])
    in_synopsis = set(re.findall(r"--([a-z0-9][a-z0-9-]*)", synopsis))
    in_body = set(re.findall(r"--([a-z0-9][a-z0-9-]*)", body))
    readme = readme_section(command)
    in_readme = set(re.findall(r"--([a-z0-9][a-z0-9-]*)", readme))
    problems = []
    missing_help = sorted(table - in_body)
    if missing_help:
        problems.append("not described in --help: " + " ".join("--" + o for o in missing_help))
    missing_synopsis = sorted(table - in_synopsis)
    if missing_synopsis:
        problems.append("not in the synopsis: " + " ".join("--" + o for o in missing_synopsis))
    if not re.search(r"(^|\s)-h\b", helptext):
        problems.append("--help does not name -h")
    # options of other commands quoted in prose (`train --save`) are not this command's
    unquoted = set(re.findall(r"--([a-z0-9][a-z0-9-]*)", re.sub(r"`[^`]*`", "", helptext)))
    unknown = sorted(unquoted - table - {"help"})
    if unknown:
        problems.append("--help names options the command lacks: " +
                        " ".join("--" + o for o in unknown))
    if not readme:
        problems.append("no README section")
    else:
        missing_readme = sorted(table - in_readme - {"help"})
        if missing_readme:
            problems.append("not in the README: " + " ".join("--" + o for o in missing_readme))
    if problems:
        failed += 1
        print(f"FAIL options of {command}: " + "; ".join(problems))
    else:
        print(f"PASS options of {command}: {len(table)} options in the table, the help and the README")
sys.exit(1 if failed else 0)
