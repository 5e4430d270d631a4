# SPDX-License-Identifier: GPL-3.0-or-later
# CLI checks that no command tears or loses a file: every writer kind (CSV, .npy, libpng PNG,
# gnuplot PNG and GIF, HTML, model file, training log, the demo's directory) keeps the old
# file byte-identical and leaves no temporary when its write fails (the write-fail hook of
# deeprelax/output.h, and a real full tmpfs where this machine lets us mount one); a SIGTERM
# mid-write leaves the old file or the complete new one; outputs are checked before any work
# (missing directory, directory target, an input as output, two outputs on one file).
. "$(dirname "$0")/lib.sh"

W="$TMP/w"
mkdir "$W"

# The temporaries the helper makes are ".NAME.PID-K.tmp" beside the target.
temporaries() { ls -a "$1" | grep '\.tmp$'; }

# fail_keeps NAME FILE PATTERN LIMIT -- ARGS: with writes failing after LIMIT bytes, the command
# exits 1 with one "deeprelax: " line matching PATTERN; FILE keeps its old bytes; no temporary
# is left in FILE's directory.
fail_keeps() {
    name=$1 file=$2 pattern=$3 limit=$4; shift 5
    printf 'old bytes of %s\n' "$name" >"$file"
    cp "$file" "$TMP/ref"
    DEEPRELAX_TEST_WRITE_FAIL_AFTER=$limit "$DEEPRELAX" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    left=$(temporaries "$(dirname "$file")")
    if [ "$rc" -ne 1 ]; then fail "$name" "exit $rc, expected 1 ($(head -1 "$TMP/err"))"
    elif [ "$(wc -l <"$TMP/err")" -ne 1 ] || ! grep -q '^deeprelax: ' "$TMP/err"; then
        fail "$name" "stderr is not one 'deeprelax: ' line: $(cat "$TMP/err")"
    elif ! grep -q -- "$pattern" "$TMP/err"; then fail "$name" "message '$(cat "$TMP/err")' lacks '$pattern'"
    elif ! cmp -s "$file" "$TMP/ref"; then fail "$name" "$file changed ($(wc -c <"$file") bytes)"
    elif [ -n "$left" ]; then fail "$name" "temporaries left: $left"
    else pass "$name"; fi
}

ENOSPC="No space left on device"
fail_keeps full-solve-csv "$W/s.csv" "cannot write '$W/s.csv': $ENOSPC" 1000 -- \
    solve --landscape quad --t 1 --out "$W/s.csv"
fail_keeps full-solve-npy "$W/s.npy" "cannot write '$W/s.npy': $ENOSPC" 1000 -- \
    solve --landscape quad --t 1 --out "$W/s.npy"
# 2-D pictures: gnuplot's heatmaps (the error names the picture), and the libpng writer when
# gnuplot is missing (a wrapper runs deeprelax with a PATH that has no gnuplot)
fail_keeps full-solve-png-2d "$W/s2.png" "'$W/s2.png'" 1000 -- \
    solve --landscape sharp-wide2d --n 65 --beta 10 --t 0.5 --png "$W/s2.png"
printf '#!/bin/sh\nPATH=/nonexistent exec "%s" "$@"\n' "$(command -v "$DEEPRELAX" || echo "$PWD/$DEEPRELAX")" \
    >"$TMP/nognuplot.sh"
chmod +x "$TMP/nognuplot.sh"
REAL_DEEPRELAX=$DEEPRELAX
DEEPRELAX=$TMP/nognuplot.sh
fail_keeps full-solve-png-libpng "$W/s2.png" "cannot write '$W/s2.png'" 1000 -- \
    solve --landscape sharp-wide2d --n 65 --beta 10 --t 0.5 --png "$W/s2.png"
DEEPRELAX=$REAL_DEEPRELAX
fail_keeps full-solve-png-1d "$W/s1.png" "'$W/s1.png'" 1000 -- \
    solve --landscape paper1d --t 0.1 --png "$W/s1.png"
fail_keeps full-particles-csv "$W/p.csv" "cannot write '$W/p.csv': $ENOSPC" 200 -- \
    particles --landscape quad --algo gd --x0 2 --eta 0.1 --steps 20 --particles 2 --out "$W/p.csv"
fail_keeps full-widen-csv "$W/w.csv" "cannot write '$W/w.csv': $ENOSPC" 100 -- \
    widen --landscape paper1d --t 0.1,0.2 --out "$W/w.csv"
"$DEEPRELAX" solve --landscape quad --t 0.5,1 --n 101 --out "$W/table.csv" >/dev/null 2>&1 ||
    fail plot-table "solve could not write the table"
fail_keeps full-plot-png "$W/pl.png" "'$W/pl.png'" 1000 -- plot "$W/table.csv" --png "$W/pl.png"
mkdir "$W/ex"
fail_keeps full-explore-page "$W/ex/explore.html" "cannot write '$W/ex/explore.html'" 5000 -- \
    explore --landscape quad --n 51 --t 0.5,1 --out "$W/ex"
if command -v gnuplot >/dev/null; then
    fail_keeps full-plot-gif "$W/a.gif" "'$W/a.gif'" 1000 -- plot "$W/table.csv" --gif "$W/a.gif"
fi
# the demo's directory: its first data file fails; the earlier run's report must survive
mkdir "$W/demo"
fail_keeps full-demo "$W/demo/report.txt" "paper1d-viscous.csv': $ENOSPC" 1000 -- \
    demo --out "$W/demo"

# The model file, the training log, a slice and a sharpness report, on a small generated IDX set
# (make_block_digits in lib.sh).
make_block_digits "$TMP/data" 3 300 100
D="$TMP/data"
TRAIN="train --data $D --model small --epochs 1 --batch 50 --threads 1"
expect_ok train-good-model -- $TRAIN --save "$W/good.bin"
fail_keeps full-model-file "$W/m.bin" "cannot write '$W/m.bin': $ENOSPC" 1000 -- \
    $TRAIN --save "$W/m.bin"
fail_keeps full-train-log "$W/log.csv" "cannot write '$W/log.csv': $ENOSPC" 50 -- \
    $TRAIN --log "$W/log.csv"
fail_keeps full-slice-csv "$W/sl.csv" "cannot write '$W/sl.csv': $ENOSPC" 100 -- \
    slice --model-file "$W/good.bin" --data "$D" --n 5 --span 0.5 --samples 100 --threads 1 \
    --out "$W/sl.csv"
fail_keeps full-sharpness-json "$W/sh.json" "cannot write '$W/sh.json': $ENOSPC" 100 -- \
    sharpness --model-file "$W/good.bin" --data "$D" --samples 100 --top-k 1 --hutchinson 2 \
    --gamma 0.01 --beta 100 --nodes 2 --langevin-steps 20 --burn-in 5 --sigma 0.01 --mc 2 \
    --threads 1 --out "$W/sh.json"

# A real full file system: a 400 KiB tmpfs holding a good model and a filler that leaves less
# room than a second copy needs. Skipped where mounting is not permitted (not root, containers).
FULL="$TMP/full"
mkdir "$FULL"
if mount -t tmpfs -o size=400k tmpfs "$FULL" 2>/dev/null; then
    cp "$W/good.bin" "$FULL/m.bin"
    size=$(wc -c <"$FULL/m.bin")
    # fill to within size/2 of the end: the new model cannot fit beside the old one
    dd if=/dev/zero of="$FULL/filler" bs=1024 count=$(( (400 * 1024 - size - size / 2) / 1024 )) \
        2>/dev/null
    "$DEEPRELAX" $TRAIN --seed 7 --save "$FULL/m.bin" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    if [ "$rc" -ne 1 ]; then fail tmpfs-full-model "exit $rc, expected 1"
    elif ! grep -q "cannot write '$FULL/m.bin': $ENOSPC" "$TMP/err"; then
        fail tmpfs-full-model "message: $(cat "$TMP/err")"
    elif ! cmp -s "$FULL/m.bin" "$W/good.bin"; then fail tmpfs-full-model "the old model changed"
    elif [ -n "$(temporaries "$FULL")" ]; then fail tmpfs-full-model "temporaries left"
    else pass tmpfs-full-model; fi
    umount "$FULL"
else
    echo "skipped tmpfs-full-model: cannot mount a tmpfs here"
fi

# SIGTERM mid-write of a large table (1e6 rows, ~80 MB): the file is the old one or the whole
# new one (1 header + 1e6 rows), never a prefix; and the temporary is gone.
printf 'old table\n' >"$W/big.csv"
cp "$W/big.csv" "$TMP/big.ref"
"$DEEPRELAX" solve --landscape quad --n 1000000 --t 1 --no-polish --out "$W/big.csv" \
    >/dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 1200 ] && [ -z "$(temporaries "$W")" ]; do sleep 0.05; i=$((i + 1)); done
writing=$(temporaries "$W")
sleep 0.3
kill -TERM $pid 2>/dev/null
wait $pid
rc=$?
rows=$(wc -l <"$W/big.csv")
if [ -z "$writing" ]; then fail sigterm-mid-write "the write never started (exit $rc)"
elif [ -n "$(temporaries "$W")" ]; then fail sigterm-mid-write "temporary left: $(temporaries "$W")"
elif cmp -s "$W/big.csv" "$TMP/big.ref" && [ "$rc" -eq 143 ]; then pass sigterm-mid-write; echo "  (killed mid-write: the old file stayed)"
elif [ "$rows" -eq 1000001 ] && [ "$rc" -eq 0 ]; then pass sigterm-mid-write
else fail sigterm-mid-write "exit $rc and a file of $rows lines (torn)"; fi

# Outputs are checked before any computation.
printf 'old\n' >"$W/o.npy"
expect_error missing-dir-first 1 "cannot write '/nonexistent-dir/x.png': directory '/nonexistent-dir' does not exist" -- \
    solve --landscape quad --t 1 --out "$W/o.npy" --png /nonexistent-dir/x.png
[ "$(cat "$W/o.npy")" = old ] && pass missing-dir-keeps-other || fail missing-dir-keeps-other "o.npy was written"
# slice checks --out before it reads the model: the missing model file is not what it reports
expect_error slice-out-first 1 "directory '/nonexistent-dir' does not exist" -- \
    slice --model-file "$W/no-such-model.bin" --out /nonexistent-dir/s.csv
mkdir "$W/dir.png"
expect_error directory-target 1 "cannot write '$W/dir.png': it is a directory" -- \
    solve --landscape paper1d --t 1 --png "$W/dir.png"
[ -d "$W/dir.png" ] && pass directory-target-kept || fail directory-target-kept "the directory is gone"
# a landscape file (x,f samples of x^2/2), the kind `solve --input` reads
awk 'BEGIN { print "x,f"; for (i = 0; i <= 50; i++) { x = -5 + 0.2 * i; print x "," x * x / 2 } }' \
    >"$W/in.csv"
cp "$W/in.csv" "$TMP/in.ref"
ln "$W/in.csv" "$W/in-link.csv"
expect_error same-file 2 "output '$W/in.csv' is the input" -- \
    solve --input "$W/in.csv" --t 1 --out "$W/in.csv"
expect_error same-file-respelt 2 "is the input" -- \
    solve --input "$W/in.csv" --t 1 --out "$W/../w/./in.csv"
expect_error same-file-hard-link 2 "is the input" -- \
    solve --input "$W/in.csv" --t 1 --out "$W/in-link.csv"
ln "$W/in.csv" "$W/in-link.png"
expect_error plot-same-file 2 "is the input" -- plot "$W/in.csv" --png "$W/in-link.png"
cmp -s "$W/in.csv" "$TMP/in.ref" && pass same-file-input-kept || fail same-file-input-kept "the input changed"
expect_error outputs-distinct 2 "are the same file" -- $TRAIN --log "$W/x.out" --save "$W/./x.out"
expect_error eval-directory 1 "not a regular file" -- eval --model-file "$W" --data "$D"

# gnuplot failing: the old picture stays, and the message names the picture and quotes gnuplot,
# never a log in a temporary directory that is gone by then.
mkdir "$TMP/fakebin"
printf '#!/bin/sh\necho "\\"solve.gp\\" line 9: the fake gnuplot fails" >&2\nexit 1\n' >"$TMP/fakebin/gnuplot"
chmod +x "$TMP/fakebin/gnuplot"
printf 'old picture\n' >"$W/g.png"
cp "$W/g.png" "$TMP/g.ref"
PATH="$TMP/fakebin:$PATH"; export PATH
expect_error gnuplot-fails 1 "gnuplot could not draw '$W/g.png': \"solve.gp\" line 9: the fake gnuplot fails" -- \
    solve --landscape paper1d --t 1 --png "$W/g.png"
PATH=${PATH#"$TMP/fakebin:"}
if grep -q '\.log' "$TMP/err"; then fail gnuplot-no-deleted-log "cites a log: $(cat "$TMP/err")"
else pass gnuplot-no-deleted-log; fi
cmp -s "$W/g.png" "$TMP/g.ref" && [ -z "$(temporaries "$W")" ] && pass gnuplot-fails-keeps-picture ||
    fail gnuplot-fails-keeps-picture "the old picture changed or a temporary is left"
