# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the figure style (docs/STYLE.md) on what the project writes:
    check_figure.py script NAME.gp [...]   each script sets a title, both axis labels, and a
                                           legend (a plot with a title) or a colour-bar title
    check_figure.py svg FILE.svg [...]     each SVG exists and parses as XML with an <svg> root
Prints one line per failure and exits 1 if any."""
import re
import sys
import xml.etree.ElementTree as ET


def check_script(path):
    text = open(path, encoding="utf-8").read()
    bad = []
    for what in ("title", "xlabel", "ylabel"):
        if not re.search(r"^set %s '[^']+" % what, text, re.M):
            bad.append("no `set %s`" % what)
    # a legend entry: `title '...'` on a plot line (not `set title`) drawn before any
    # `unset key` (a multiplot may drop the key of a later panel)
    entry = re.search(r"(?<!set )\btitle '[^']+'", text)
    unset = re.search(r"^unset key", text, re.M)
    legend = entry and (not unset or entry.start() < unset.start())
    cbar = re.search(r"^set cblabel '[^']+", text, re.M)
    if not (legend or cbar):
        bad.append("neither a legend nor a colour-bar title")
    return ["%s: %s" % (path, b) for b in bad]


def check_svg(path):
    try:
        root = ET.parse(path).getroot()
    except (OSError, ET.ParseError) as e:
        return ["%s: %s" % (path, e)]
    if not root.tag.endswith("svg"):
        return ["%s: root element is %s, not svg" % (path, root.tag)]
    return []


def main(argv):
    if len(argv) < 3 or argv[1] not in ("script", "svg"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    check = check_script if argv[1] == "script" else check_svg
    bad = [b for p in argv[2:] for b in check(p)]
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
