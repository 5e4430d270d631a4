# SPDX-License-Identifier: GPL-3.0-or-later
# CLI checks that what a user types or names is read strictly and at bounded cost: expressions
# against the README's grammar and caps (nothing printed by libmatheval's lexer), readers that
# refuse devices, FIFOs, directories and over-long lines, IDX headers checked against the caps
# and the model's input size before decompressing, options that do not apply to the chosen
# method, and strict numbers. The refusals that guard against cost are run under
# /usr/bin/time -v and must finish within 1 s and 100 MB (a refusal is a header or grammar
# check: the unguarded runs took > 30 s and > 1 GB).
. "$(dirname "$0")/lib.sh"

# expect_cheap_error NAME CODE PATTERN -- ARGS...: expect_error, and elapsed < 1 s, max RSS < 100 MB.
expect_cheap_error() {
    name=$1
    expect_error "$@"
    shift 4
    if [ ! -x /usr/bin/time ]; then fail "$name-cost" "/usr/bin/time is missing (Debian: time)"; return; fi
    /usr/bin/time -v -o "$TMP/time" "$DEEPRELAX" "$@" >/dev/null 2>&1
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$TMP/time")
    wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): *//p' "$TMP/time")
    secs=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    if [ -z "$rss" ] || [ "$rss" -ge 100000 ]; then fail "$name-cost" "max RSS ${rss:-?} KB >= 100 MB"
    elif awk -v s="$secs" 'BEGIN { exit !(s >= 1) }'; then fail "$name-cost" "took $wall s >= 1 s"
    else pass "$name-cost"; fi
}

# ---- expressions: the grammar (parse.h), the first bad character and its 1-based position
expect_error expr-superscript 2 "character '\\\\xc2\\\\xb2' at position 2" -- solve --expr 'x²' --t 1 --json
expect_error expr-hash 2 "character '#' at position 2" -- solve --expr 'x#' --t 1 --json
expect_error expr-dollar 2 "character '\\$' at position 2" -- solve --expr 'x$' --t 1 --json
expect_error expr-newline 2 "position 2" -- solve --expr "$(printf 'x\ny')" --t 1
expect_error expr-implicit-product 2 "expected an operator.*position 2" -- solve --expr '2x' --t 1
expect_error expr-unknown-function 2 "unknown function 'sign' at position 1" -- solve --expr 'sign(x)' --t 1
expect_error expr-chained-power 2 "second '\\^' at position 4" -- solve --expr '2^3^2' --t 1
expect_error expr-no-paren 2 "function 'sin' at position 1 needs" -- solve --expr 'sin x' --t 1
expect_error expr-unclosed 2 "unclosed '(' at position 4" -- solve --expr 'sin(x' --t 1
expect_error expr-overflow 2 "beyond the range of a double" -- solve --expr '1e999*x' --t 1
expect_error expr-y-in-1d 2 "uses y but the landscape is 1-D" -- solve --expr 'x+y' --dim 1 --t 1
# accepted: the README's examples, unary minus, constants, exponents with a sign
expect_ok expr-ok-examples -- solve --expr '(x^2-1)^2 + y^2' --domain -2:2,-2:2 --n 41 --beta 20 --t 0.2
expect_ok expr-ok-signs -- solve --expr '(x+4)^-2 + -x*-x + 1_pi*abs(x) - (2^3)^2' --t 0.1

# caps: 400 nested sin( (2.4 KB), 20000 terms (40 KB), 1100 terms (2.2 KB, over the node cap),
# a product of 200 factors (its second derivative has 10^7 nodes)
deep=$("$PY" -c "print('sin(' * 400 + 'x' + ')' * 400)")
expect_cheap_error expr-depth-cap 2 "nested deeper than 64 levels (the cap) at position 257" -- solve --expr "$deep" --t 1
long=$("$PY" -c "print('+'.join(['x'] * 20000))")
expect_cheap_error expr-length-cap 2 "longer than 4096 bytes (the cap)" -- solve --expr "$long" --t 1
many=$("$PY" -c "print('+'.join(['x'] * 1100))")
expect_cheap_error expr-node-cap 2 "more than 2000 operators and operands (the cap)" -- solve --expr "$many" --t 1
prod=$("$PY" -c "print('*'.join(['x'] * 200))")
expect_cheap_error expr-derivative-cap 2 "second derivative.*above the cap" -- solve --expr "$prod" --t 1
# a long expression is shown by its first 60 characters, never whole
"$DEEPRELAX" solve --expr "$long" --t 1 2>"$TMP/err" >/dev/null
len=$(wc -c <"$TMP/err")
if [ "$len" -lt 200 ]; then pass expr-message-short; else fail expr-message-short "$len bytes"; fi

# ---- readers: only regular files, capped lines
expect_cheap_error input-dev-zero 1 "/dev/zero: is a character device" -- solve --input /dev/zero --t 1
ln -s /dev/zero "$TMP/zero.csv"
expect_cheap_error plot-dev-zero 1 "is a character device" -- plot "$TMP/zero.csv"
expect_error input-directory 1 "is a directory" -- solve --input "$TMP" --t 1
mkfifo "$TMP/fifo.csv"
expect_cheap_error input-fifo 1 "is a FIFO" -- solve --input "$TMP/fifo.csv" --t 1
expect_cheap_error plot-fifo 1 "is a FIFO" -- plot "$TMP/fifo.csv"
mkfifo "$TMP/fifo.npy"
expect_cheap_error input-fifo-npy 1 "is a FIFO" -- solve --input "$TMP/fifo.npy" --domain -1:1 --t 1
"$PY" -c "print('x,f'); print('1' * 2000000)" >"$TMP/long.csv"
expect_cheap_error input-long-line 1 "long.csv:2: line longer than 1048576 bytes" -- solve --input "$TMP/long.csv" --t 1
expect_cheap_error plot-long-line 1 "long.csv:2: line longer than 1048576 bytes" -- plot "$TMP/long.csv"
printf 'x,f\n0,0x10\n' >"$TMP/hex.csv"
expect_error input-hex-field 1 "field 2 '0x10' is not a number" -- solve --input "$TMP/hex.csv" --t 1
printf 'x,f\n0,0x10\n' >"$TMP/hexplot.csv"
expect_error plot-hex-field 1 "'0x10' is not a number" -- plot "$TMP/hexplot.csv"

# ---- IDX: a 4 KB gzip declaring 16384 x 256 x 256 images (1 GiB) for a model of 784 inputs,
# refused from the header; and images of the right size but a count unlike the labels'.
"$PY" - "$TMP" <<'PYEOF' || fail make-idx "python could not write the IDX files"
import gzip, struct, sys
t = sys.argv[1]
import os
for d, head in (("bomb", struct.pack(">IIII", 0x803, 16384, 256, 256)),
                ("count", struct.pack(">IIII", 0x803, 3, 28, 28))):
    os.makedirs(f"{t}/{d}")
    for part in ("train", "t10k"):
        with gzip.open(f"{t}/{d}/{part}-images-idx3-ubyte.gz", "wb") as f:
            f.write(head + bytes(1 << 20))
        open(f"{t}/{d}/{part}-labels-idx1-ubyte", "wb").write(struct.pack(">II", 0x801, 2) + bytes(2))
PYEOF
expect_cheap_error idx-bomb 1 "images of 256 x 256 = 65536 pixels, but the model takes 784 inputs" -- train --data "$TMP/bomb" --model small --epochs 1 --threads 1
expect_cheap_error idx-count 1 "3 images but its labels file has 2 labels" -- train --data "$TMP/count" --model small --epochs 1 --threads 1

# ---- options that do not apply to the method: exit 2 naming the option and the method
expect_error engine-hopf-lax 2 "--engine applies to --method heat only, not to hopf-lax" -- solve --landscape paper1d --t 0.1 --engine logsum
expect_error engine-fd 2 "--engine applies to --method heat only, not to fd" -- solve --landscape paper1d --t 0.1 --beta 10 --method fd --engine fft
expect_error refine-heat 2 "--refine applies to --method hopf-lax only, not to heat" -- solve --landscape paper1d --t 0.1 --beta 10 --refine 4
expect_error no-polish-heat 2 "--no-polish applies to --method hopf-lax only, not to heat" -- solve --landscape paper1d --t 0.1 --beta 10 --no-polish
expect_error scheme-heat 2 "--scheme applies to --method fd only, not to heat" -- solve --landscape paper1d --t 0.1 --beta 10 --scheme eno2
expect_error cfl-hopf-lax 2 "--cfl applies to --method fd only, not to hopf-lax" -- solve --landscape paper1d --t 0.1 --cfl 0.3
expect_error dim-catalogue 2 "--dim applies to --expr only, not to --landscape" -- solve --landscape paper1d --dim 2 --t 0.1
expect_error noise-expr 2 "--noise applies to --landscape paper1d only, not to --expr" -- solve --expr x^2 --noise 0.1 --t 0.1
expect_error noise-seed-alone 2 "--noise-seed applies only with --noise" -- solve --landscape paper1d --noise-seed 3 --t 0.1
expect_error widen-no-gibbs-inviscid 2 "--no-gibbs applies to a finite --beta" -- widen --landscape paper1d --t 0.1,0.2 --no-gibbs
expect_error particles-rho-gd 2 "--rho applies to elastic-sgd only, not to --algo gd" -- particles --landscape paper1d --algo gd --rho 2
expect_error particles-pde-n-gd 2 "--pde-n applies to pde-gd only, not to --algo gd" -- particles --landscape paper1d --algo gd --pde-n 101
expect_error particles-beta-gd 2 "--beta applies to .* not to --algo gd" -- particles --landscape paper1d --algo gd --beta 3
expect_error train-gamma-sgd 2 "--gamma applies to hj only, not to --optim sgd" -- train --data "$TMP/count" --optim sgd --gamma 0.1
expect_error train-rho-esgd 2 "--rho applies to elastic-sgd and parle only, not to --optim entropy-sgd" -- train --data "$TMP/count" --optim entropy-sgd --rho 1
# the same options where they apply are accepted
expect_ok engine-heat -- solve --landscape paper1d --t 0.1 --beta 10 --engine logsum
expect_ok refine-hopf-lax -- solve --landscape paper1d --t 0.1 --refine 2 --no-polish

# ---- strict numbers, the same parser for every option
expect_error t-trailing-comma 2 "--t: empty item 2 in '1,'" -- solve --landscape paper1d --t "1,"
expect_error t-leading-comma 2 "--t: empty item 1 in ',1'" -- solve --landscape paper1d --t ",1"
expect_error t-double-comma 2 "--t: empty item 2" -- solve --landscape paper1d --t "0.1,,0.2"
expect_error t-hex 2 "--t: '0x10' is not a finite number" -- solve --landscape paper1d --t 0x10
expect_error t-leading-space 2 "--t: ' 1' is not a finite number" -- solve --landscape paper1d --t " 1"
expect_error t-trailing-space 2 "--t: '1 ' is not a finite number" -- solve --landscape paper1d --t "1 "
expect_error t-inf 2 "--t: 'inf' is not a finite number" -- solve --landscape paper1d --t inf
expect_error t-infinity 2 "--t: 'infinity' is not a finite number" -- solve --landscape paper1d --t infinity
expect_error beta-nan 2 "--beta: 'nan' is not a number" -- solve --landscape paper1d --t 1 --beta nan
expect_error t-overflow 2 "--t: '1e400' is beyond the range" -- solve --landscape paper1d --t 1e400
expect_error n-space 2 "--n: ' 100' is not an integer" -- solve --landscape paper1d --t 1 --n " 100"
expect_error n-hex 2 "--n: '0x100' is not an integer" -- solve --landscape paper1d --t 1 --n 0x100
expect_error domain-trailing 2 "--domain: empty item 2" -- solve --landscape paper1d --t 1 --domain "-1:1,"
expect_error domain-three 2 "--domain: expected A:B" -- solve --landscape paper1d --t 1 --domain "-1:1:2"
expect_error domain-space 2 "--domain: ' 1' is not a finite number" -- solve --landscape paper1d --t 1 --domain "-1: 1"
expect_error range-extra 2 "expected A:B:K" -- widen --landscape paper1d --t-range 0.1:1:5:2
expect_error x0-trailing 2 "--x0: empty item 2" -- particles --landscape paper1d --algo gd --x0 "0.5,"
expect_ok beta-inf -- solve --landscape paper1d --t 0.1,0.2 --beta inf
expect_error lr-schedule-hex 2 "--lr-schedule: .*bad rate after '3:'" -- train --data "$TMP/count" --lr-schedule 3:0x1
