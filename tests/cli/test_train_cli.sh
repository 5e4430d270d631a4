# SPDX-License-Identifier: GPL-3.0-or-later
# CLI checks of `deeprelax train`, `eval` and `slice` on a small generated IDX data set (so they
# run without MNIST): logs, reproducibility, JSON, model files, slices that `solve` reads, and one
# clear error line for each kind of bad input.
. "$(dirname "$0")/lib.sh"

# Ten classes of block digits (make_block_digits in lib.sh); a network that learns anything
# gets these right, so the test error must end below 10%.
make_block_digits "$TMP/data" 3 600 200
D="$TMP/data"

expect_ok train-small -- train --data "$D" --model small --epochs 2 --batch 50 --threads 1 \
    --log "$TMP/a.csv" --save "$TMP/m.bin"
if [ "$(head -1 "$TMP/a.csv")" = "epoch,effective_epoch,train_loss,train_error,test_error,seconds" ] &&
   [ "$(wc -l <"$TMP/a.csv")" -eq 3 ] &&
   awk -F, 'END { exit !($5 < 0.10) }' "$TMP/a.csv"; then pass train-log
else fail train-log "$(cat "$TMP/a.csv")"; fi
grep -q "final test error" "$TMP/out" && pass train-summary || fail train-summary "no summary line"

# same seed and threads -> the same log (all columns but the wall time)
expect_ok train-again -- train --data "$D" --model small --epochs 2 --batch 50 --threads 1 \
    --log "$TMP/b.csv"
if cut -d, -f1-5 "$TMP/a.csv" | cmp -s - "$(cut -d, -f1-5 "$TMP/b.csv" >"$TMP/b5"; echo "$TMP/b5")"
then pass train-reproducible; else fail train-reproducible "logs differ"; fi
expect_ok train-seed2 -- train --data "$D" --model small --epochs 2 --batch 50 --threads 1 \
    --seed 2 --log "$TMP/c.csv"
cut -d, -f1-5 "$TMP/c.csv" | cmp -s - "$TMP/b5" && fail train-seed "seed 2 gave seed 1's log" \
    || pass train-seed

# entropy-sgd: 1 epoch = L = 20 effective epochs; JSON summary
expect_ok train-esgd-json -- train --data "$D" --model small --optim entropy-sgd --L 3 \
    --epochs 1 --batch 50 --threads 1 --json
"$PY" - "$TMP/out" <<'PYEOF' && pass train-json || fail train-json "see above"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["optim"] == "entropy-sgd" and len(j["epochs"]) == 1, j
assert j["epochs"][0]["effective_epoch"] == 3.0, j  # L = 3 gradient passes per epoch
assert 0 <= j["test_error"] <= 1
PYEOF
for o in hj elastic-sgd; do
    expect_ok "train-$o" -- train --data "$D" --model small --optim $o --epochs 1 --batch 50 \
        --threads 1
done

# eval reproduces the log's last test error (both are eval mode on the same test set)
expect_ok eval -- eval --model-file "$TMP/m.bin" --data "$D" --json --threads 1
"$PY" - "$TMP/out" "$TMP/a.csv" <<'PYEOF' && pass eval-matches-log || fail eval-matches-log "see above"
import json, sys
j = json.load(open(sys.argv[1]))
last = open(sys.argv[2]).read().split("\n")[-2].split(",")
assert abs(j["test_error"] - float(last[4])) < 1e-9, (j, last)
PYEOF

# slices: CSV (x fastest) and .npy of shape (n, n) that `solve` reads as a landscape
expect_ok slice-csv -- slice --model-file "$TMP/m.bin" --data "$D" --n 5 --span 0.5 \
    --samples 300 --out "$TMP/s.csv" --threads 1
expect_ok slice-npy -- slice --model-file "$TMP/m.bin" --data "$D" --n 5 --span 0.5 \
    --samples 300 --out "$TMP/s.npy" --threads 1
expect_ok slice-npy9 -- slice --model-file "$TMP/m.bin" --data "$D" --n 9 --span 0.5 \
    --samples 300 --out "$TMP/s9.npy" --threads 1
"$PY" - "$TMP/s.csv" "$TMP/s.npy" <<'PYEOF' && pass slice-files || fail slice-files "see above"
import sys, numpy as np
c = np.genfromtxt(sys.argv[1], delimiter=",", names=True)
assert c.dtype.names == ("x", "y", "f") and len(c) == 25
assert c["x"][1] == -0.25 and c["y"][1] == -0.5  # x fastest
a = np.load(sys.argv[2])
assert a.shape == (5, 5) and np.allclose(a.ravel(), c["f"], rtol=1e-15)
# the trained weights sit at the centre; a loss is positive and finite everywhere
assert np.all(np.isfinite(a)) and np.all(a > 0)
PYEOF
expect_ok slice-solve -- solve --input "$TMP/s9.npy" --domain -0.5:0.5,-0.5:0.5 --t 0.1 --beta inf

# bad inputs: one line, the right exit code
expect_error no-data 2 "no train-images" -- train --data "$TMP/nowhere" --model small
head -c 300 "$D/train-labels-idx1-ubyte" >"$TMP/trunc.tmp"
mkdir "$TMP/bad" && cp "$D"/*.gz "$D/t10k-labels-idx1-ubyte" "$TMP/bad/" &&
    mv "$TMP/trunc.tmp" "$TMP/bad/train-labels-idx1-ubyte"
expect_error truncated-idx 1 "truncated" -- train --data "$TMP/bad" --model small
expect_error bad-optim 2 "unknown optimiser" -- train --data "$D" --optim adam
expect_error bad-model 2 "unknown model" -- train --data "$D" --model resnet
expect_error bad-schedule 2 "lr-schedule" -- train --data "$D" --lr-schedule 3:0.1,2:1
expect_error L-with-sgd 2 "--L applies" -- train --data "$D" --optim sgd --L 5
expect_error bad-epochs 2 "--epochs" -- train --data "$D" --epochs 0
expect_error bad-option 2 "unknown option" -- train --data "$D" --bogus
expect_error eval-not-model 1 "wrong magic" -- eval --model-file "$TMP/a.csv" --data "$D"
expect_error eval-no-file 2 "model-file" -- eval --data "$D"
expect_error slice-ext 2 "must end in .npy or .csv" -- slice --model-file "$TMP/m.bin" --out x.txt
expect_error slice-span 2 "span" -- slice --model-file "$TMP/m.bin" --out x.csv --span 0
"$DEEPRELAX" train --help | grep -q "default 20" && pass train-help-defaults ||
    fail train-help-defaults "--help does not state L's default"
