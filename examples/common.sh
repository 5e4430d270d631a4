# SPDX-License-Identifier: GPL-3.0-or-later
# Shared by the numbered example scripts: the binary, the output directory, the hook for
# commands that are not built yet, QUICK mode and the check of each claim. Source it; do not run
# it. QUICK=1 (make test) runs every example on smaller grids and fewer times or steps, with the
# same claims checked; it skips the animations.
set -e
DEEPRELAX=${DEEPRELAX:-build/bin/deeprelax}
OUT_ROOT=${OUT:-out/examples}
QUICK=${QUICK:-0}
PY=${PY:-/usr/bin/python3}
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

# quick A B: prints A in QUICK mode, else B (e.g. the grid size: $(quick 401 1601)).
quick() { if [ "$QUICK" = 1 ]; then echo "$1"; else echo "$2"; fi; }

# claim WHAT [ARGS...] <<'PY' ... PY: the Python on stdin (with ARGS as sys.argv[1:]) checks the
# claim WHAT against the numbers the example computed, by assert. When it holds the example says
# "claim holds: WHAT"; when not, it prints one line "NAME: claim failed: WHAT (why)" on stderr
# and exits 1, so `make examples` and `make test` fail on it.
claim() {
    what=$1; shift
    if why=$("$PY" - "$@" 2>&1); then
        echo "claim holds: $what"
    else
        echo "$(basename "$0"): claim failed: $what ($(echo "$why" | tail -1))" >&2
        exit 1
    fi
}
