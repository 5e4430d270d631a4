# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by the numbered example scripts: the binary, the output directory and the hook for
# commands that are not built yet. Source it; do not run it.
set -e
DEEPRELAX=${DEEPRELAX:-build/bin/deeprelax}
OUT_ROOT=${OUT:-out/examples}
if [ ! -x "$DEEPRELAX" ]; then
    echo "example: $DEEPRELAX not found; run make first (or set DEEPRELAX)" >&2
    exit 1
fi

# outdir NAME: creates and prints OUT_ROOT/NAME.
outdir() { mkdir -p "$OUT_ROOT/$1" && echo "$OUT_ROOT/$1"; }

# has_command NAME: true when this deeprelax has the subcommand NAME.
has_command() { "$DEEPRELAX" "$1" --help >/dev/null 2>&1; }

# skip_without NAME WHAT: ends the example (successfully, with a note) when NAME is missing.
skip_without() {
    if ! has_command "$1"; then
        echo "skipped: needs \`deeprelax $1\` ($2), not in this build"
        exit 0
    fi
}

# dr ARGS...: runs deeprelax, echoing the command line first so the output shows how each
# file was made.
dr() {
    echo "+ deeprelax $*" >&2
    "$DEEPRELAX" "$@"
}
