#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Every source file of the project carries the licence line: C and headers begin with
# "/* SPDX-License-Identifier: GPL-3.0-or-later */", shell, Python and make files with
# "# SPDX-License-Identifier: GPL-3.0-or-later" (after the #! line where there is one).
#   scripts/spdx.sh          lists the files that lack it; exit 1 when any does
#   scripts/spdx.sh --add    inserts the line where it is missing
# The files are those git tracks or would track (new files count), or, outside a git checkout,
# every source file below the top folder except the build trees and out/.
cd "$(dirname "$0")/.." || exit 2
ID="SPDX-License-Identifier: GPL-3.0-or-later"
add=0
case "$1" in
    --add) add=1 ;;
    "") ;;
    *) echo "usage: scripts/spdx.sh [--add]" >&2; exit 2 ;;
esac

sources() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -co --exclude-standard
    else
        find . \( -name .git -o -name 'build*' -o -name out \) -prune -o -type f -print | sed 's|^\./||'
    fi | grep -E '(\.(c|h|sh|py)|(^|/)Makefile|^\.ci/run)$'
}

missing=0
for f in $(sources); do
    [ -f "$f" ] || continue
    case "$f" in
        *.c|*.h) line="/* $ID */" ;;
        *) line="# $ID" ;;
    esac
    # the line must be the first one, or the second after a #! line
    if head -1 "$f" | grep -q '^#!'; then at=2; else at=1; fi
    [ "$(sed -n "${at}p" "$f")" = "$line" ] && continue
    if [ $add = 1 ]; then
        tmp="$f.spdx.$$"
        if [ $at = 2 ]; then { head -1 "$f"; echo "$line"; tail -n +2 "$f"; } >"$tmp"
        else { echo "$line"; cat "$f"; } >"$tmp"; fi
        chmod --reference="$f" "$tmp" && mv "$tmp" "$f" || { rm -f "$tmp"; exit 1; }
        echo "added: $f"
    else
        echo "no licence line: $f (scripts/spdx.sh --add)"
        missing=$((missing + 1))
    fi
done
[ $missing = 0 ]
