#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Lists the C functions longer than N lines (default 100, the project's limit; CONTRIBUTING.md),
# longest first: "lines file:line name". A function is what the project's layout makes one: a
# signature at column 0, its body from a "{" to the "}" that close it at column 0.
#   scripts/long-functions.sh [N] [files...]    (default: every .c file of the library, CLI,
#                                                tests and benchmarks)
cd "$(dirname "$0")/.." || exit 2
limit=${1:-100}; [ $# -gt 0 ] && shift
if [ $# -eq 0 ]; then
    # the directories that exist (a pattern that matches nothing stays as itself: skipped)
    for f in solver/*.c nn/*.c viz/*.c cli/*.c tests/*.c tests/slow/*.c bench/*.c; do
        [ -f "$f" ] && set -- "$@" "$f"
    done
fi
awk -v limit="$limit" '
    FNR == 1 { sig = ""; start = 0 }
    start == 0 && /^[A-Za-z_].*\(/ { sig = $0; sigline = FNR }
    start == 0 && /^[A-Za-z_].*[^;]$/ && sig == "" { sig = $0; sigline = FNR }
    start == 0 && /^\{/ { start = FNR; next }
    start == 0 && /^[A-Za-z_].*\) *\{$/ { sig = $0; sigline = FNR; start = FNR; next }
    start == 0 && /;$/ { sig = "" }
    start > 0 && /^\}/ {
        n = FNR - start - 1
        if (n > limit) {
            name = sig; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name)
            printf "%d %s:%d %s\n", n, FILENAME, sigline, name
        }
        start = 0; sig = ""
    }
' "$@" | sort -rn
