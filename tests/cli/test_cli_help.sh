#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# The command line as people expect it: -h and --help on every subcommand (exit 0, text on
# stdout, nothing on stderr), the option-table check (every option in the synopsis, the help and
# the README; tests/cli/check_options.py), the man page renders with every subcommand, and bash
# completion offers subcommands, options and landscape names.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}

cmds=$("$DEEPRELAX" --help | awk '/^  [a-z]/ {print $1}')
[ "$(echo "$cmds" | wc -w)" -ge 9 ] && pass "deeprelax --help lists the subcommands" ||
    fail "deeprelax --help lists the subcommands" "got: $cmds"
for c in $cmds; do
    for h in -h --help; do
        "$DEEPRELAX" "$c" $h >"$TMP/out" 2>"$TMP/err"; rc=$?
        if [ $rc -ne 0 ]; then fail "$c $h" "exit $rc: $(head -1 "$TMP/err")"
        elif [ -s "$TMP/err" ]; then fail "$c $h" "wrote to stderr: $(head -1 "$TMP/err")"
        elif ! head -1 "$TMP/out" | grep -q "^usage: deeprelax $c"; then fail "$c $h" "no usage line"
        else pass "$c $h"; fi
    done
done

"$PY" "$SRC/tests/cli/check_options.py" "$DEEPRELAX" "$SRC"

man_page="$SRC/$BUILD/deeprelax.1"
if [ ! -f "$man_page" ]; then fail "man page" "$man_page not built (make man)"
else
    MANWIDTH=100 man -l "$man_page" >"$TMP/man" 2>"$TMP/manerr"
    missing=""
    for c in $cmds; do grep -q "^   $c\$" "$TMP/man" || missing="$missing $c"; done
    if [ ! -s "$TMP/man" ]; then fail "man -l deeprelax.1 renders" "$(head -1 "$TMP/manerr")"
    elif [ -n "$missing" ]; then fail "man page has a section per subcommand" "missing:$missing"
    else pass "man -l deeprelax.1 renders, one section per subcommand"; fi
fi

# bash completion: load the script with the build's binary on PATH, complete as bash would
comp="$SRC/share/deeprelax.bash-completion"
complete_words() { # WORDS... -> the completions of the last word
    PATH="$(dirname "$DEEPRELAX"):$PATH" bash -c '
        . "$0"; shift 0
        COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
        _deeprelax; printf "%s\n" "${COMPREPLY[@]}"' "$comp" "$@"
}
bash -c ". '$comp'; complete -p deeprelax" >"$TMP/cp" 2>&1 &&
    grep -q -- "-F _deeprelax deeprelax" "$TMP/cp" && pass "complete -p deeprelax" ||
    fail "complete -p deeprelax" "$(cat "$TMP/cp")"
got=$(complete_words deeprelax so)
[ "$got" = solve ] && pass "deeprelax so<TAB> offers solve" || fail "deeprelax so<TAB>" "got '$got'"
got=$(complete_words deeprelax solve --no-p)
[ "$got" = --no-polish ] && pass "deeprelax solve --no-p<TAB> offers --no-polish" ||
    fail "deeprelax solve --no-p<TAB>" "got '$got'"
got=$(complete_words deeprelax widen --landscape sharp-w | tr '\n' ' ')
[ "$got" = "sharp-wide sharp-wide2d " ] && pass "--landscape sharp-w<TAB> offers the catalogue names" ||
    fail "--landscape sharp-w<TAB>" "got '$got'"

# Progress: --progress on a multi-second run (fd, ~6 s of CPU) writes at least two plain lines
# to stderr (stderr is a file here) and leaves stdout the JSON; without it, and with --quiet,
# stderr stays empty.
"$DEEPRELAX" solve --landscape paper1d --method fd --beta 10 --t 0.5 --n 3201 --json --progress \
    >"$TMP/p.json" 2>"$TMP/p.err"
n=$(grep -c '^deeprelax: fd: ' "$TMP/p.err")
if [ "$n" -ge 2 ] && grep -q '^deeprelax: fd: done' "$TMP/p.err" &&
    "$PY" -c "import json,sys; json.load(open(sys.argv[1]))" "$TMP/p.json" 2>/dev/null; then
    pass "--progress: $n progress lines on stderr, JSON on stdout intact"
else fail "--progress" "$n lines: $(head -2 "$TMP/p.err")"; fi
for mode in "" --quiet; do
    "$DEEPRELAX" solve --landscape paper1d --method fd --beta 10 --t 0.2 --n 2001 --json $mode \
        >"$TMP/q.json" 2>"$TMP/q.err"
    [ ! -s "$TMP/q.err" ] && pass "no progress on a non-terminal stderr ${mode:-by default}" ||
        fail "no progress ${mode:-by default}" "$(head -1 "$TMP/q.err")"
done
