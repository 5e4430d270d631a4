# SPDX-License-Identifier: GPL-3.0-or-later
# CLI checks of the numbered examples (examples/[0-9]*.sh) in QUICK mode: each one asserts the
# claims of its header against the numbers it computes and exits non-zero, with one line
# "NAME: claim failed: WHAT (why)", when one does not hold. The training examples
# (flatness.sh, mnist-*.sh) are not numbered and not run here.
. "$(dirname "$0")/lib.sh"

for s in examples/[0-9]*.sh; do
    name=example-$(basename "$s" .sh)
    if QUICK=1 OUT="$TMP/examples" DEEPRELAX="$DEEPRELAX" PY="$PY" sh "$s" >"$TMP/out" 2>"$TMP/err"
    then
        n=$(grep -c '^claim holds: ' "$TMP/out")
        # every numbered example states at least one claim it checks
        if [ "$n" -ge 1 ]; then pass "$name ($n claims)"
        else fail "$name" "no claim checked"; fi
    else
        fail "$name" "$(grep -m1 'claim failed' "$TMP/err" || tail -1 "$TMP/err")"
    fi
done
