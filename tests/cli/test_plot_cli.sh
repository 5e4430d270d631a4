# SPDX-License-Identifier: GPL-3.0-or-later
# CLI checks of `deeprelax plot`: each kind draws a PNG of the documented size (read back from
# the PNG header), the GIF is an animation with one frame per t, the libpng fallback works
# without gnuplot, and bad input gets one error line with the right exit code.
. "$(dirname "$0")/lib.sh"

# png_size FILE: "W H" from the IHDR chunk (bytes 16..23, big-endian).
png_size() {
    "$PY" -c 'import struct,sys; d=open(sys.argv[1],"rb").read(24); assert d[:8]==b"\x89PNG\r\n\x1a\n"; print(*struct.unpack(">II", d[16:24]))' "$1" 2>/dev/null
}
# expect_png NAME FILE W H
expect_png() {
    got=$(png_size "$2")
    if [ "$got" = "$3 $4" ]; then pass "$1"; else fail "$1" "size '$got', expected '$3 $4'"; fi
}

"$DEEPRELAX" solve --landscape paper1d --beta 10 --t 0.05,0.2,0.5 --n 301 --out "$TMP/p.csv" >/dev/null
"$DEEPRELAX" solve --landscape sharp-wide2d --beta 10 --t 0.25,1 --n 65 --out "$TMP/s.npy" >/dev/null
"$DEEPRELAX" solve --landscape quad2d --t 0.5 --n 33,17 --out "$TMP/q.csv" >/dev/null
printf 'particle,step,x,y,f\n0,0,1,1,1\n0,1,0.5,0.8,0.4\n0,2,0.1,0.2,0.02\n1,0,-1,1,1\n1,1,-0.4,0.5,0.2\n1,2,0,0.1,0.005\n' > "$TMP/paths2.csv"
printf 'particle,step,x,f\n0,0,2,4\n0,1,1,1\n0,2,0.5,0.25\n1,0,-2,4\n1,1,-1.5,2.25\n1,2,-1,1\n' > "$TMP/paths1.csv"
printf 't,measured,bound\n0.1,5,10\n0.2,3,5\n0.4,2,2.5\n0.8,1,1.25\n' > "$TMP/sweep.csv"

# gnuplot figures take the size given; default 900x560.
expect_ok plot-curves -- plot "$TMP/p.csv" --png "$TMP/c.png"
expect_png plot-curves-size "$TMP/c.png" 900 560
expect_ok plot-curves-some-t -- plot "$TMP/p.csv" --t 0.2 --size 640x400 --png "$TMP/c2.png"
expect_png plot-curves-size-given "$TMP/c2.png" 640 400
expect_ok plot-lines -- plot "$TMP/sweep.csv" --x t --y measured,bound --log --logx --size 700x450 --png "$TMP/l.png"
expect_png plot-lines-size "$TMP/l.png" 700 450
expect_ok plot-paths-1d -- plot "$TMP/paths1.csv" --size 600x400 --png "$TMP/p1.png"
expect_png plot-paths-1d-size "$TMP/p1.png" 600 400
# 2-D paths on plain axes fill the size given
expect_ok plot-paths-2d -- plot "$TMP/paths2.csv" --size 500x400 --png "$TMP/p2.png"
expect_png plot-paths-2d-size "$TMP/p2.png" 500 400
expect_ok plot-paths-2d-landscape -- plot "$TMP/paths2.csv" --landscape quad2d --png "$TMP/p3.png"
[ -n "$(png_size "$TMP/p3.png")" ] && pass plot-paths-2d-landscape-png || fail plot-paths-2d-landscape-png "no PNG"

# Heatmaps: a square box is drawn with equal scales, so the figure is as wide as asked (720) and
# its height is the square plot plus margins plus the 34-pixel label band, whatever the number
# of points: quad2d's box [-5,5] x [-5,5] sampled 33 x 17 gives the same size as sharp-wide2d's
# [-4,4] x [-4,4] sampled 65 x 65.
expect_ok plot-heatmap -- plot "$TMP/s.npy" --t 1 --png "$TMP/h.png"
hs=$(png_size "$TMP/h.png")
expect_ok plot-heatmap-csv -- plot "$TMP/q.csv" --png "$TMP/h2.png"
expect_png plot-heatmap-same-size "$TMP/h2.png" $hs
case "$hs" in "720 "*) pass plot-heatmap-width ;; *) fail plot-heatmap-width "size $hs" ;; esac
# the heatmap's minimum is marked and reported: quad2d's u has its minimum at the origin
grep -q 'minimum .* at (0, 0)' "$TMP/out" && pass plot-heatmap-minimum || fail plot-heatmap-minimum "$(cat "$TMP/out")"
# auto picked the heatmap for the 2-D table, and curves for the 1-D one (their own summaries)
"$DEEPRELAX" plot "$TMP/s.npy" --png "$TMP/h3.png" | grep -q 'heatmap of u at t = 1' && pass plot-auto-heatmap-last-t || fail plot-auto-heatmap-last-t "not the last t"

# The animation: a GIF whose frame count is the number of times in the file (3).
if command -v gnuplot >/dev/null 2>&1; then
    expect_ok plot-gif -- plot "$TMP/p.csv" --gif "$TMP/a.gif"
    "$PY" - "$TMP/a.gif" <<'PYEOF' && pass plot-gif-frames || fail plot-gif-frames "see above"
import sys
d = open(sys.argv[1], "rb").read()
assert d[:6] == b"GIF89a", d[:6]
# each frame starts with a graphic control extension 0x21 0xF9 0x04
frames = d.count(b"\x21\xf9\x04")
assert frames == 3, frames
PYEOF
    expect_ok plot-gif-2d -- plot "$TMP/s.npy" --gif "$TMP/a2.gif"
    head -c 6 "$TMP/a2.gif" | grep -q GIF89a && pass plot-gif-2d-file || fail plot-gif-2d-file "not a GIF"
    # --keep-plot-data leaves a script that redraws the figure
    expect_ok plot-keep -- plot "$TMP/p.csv" --keep-plot-data "$TMP/keep" --png "$TMP/k.png"
    [ -f "$TMP/keep/curves.gp" ] && [ -f "$TMP/keep/curves.dat" ] && pass plot-keep-files || fail plot-keep-files "$(ls "$TMP/keep")"
else
    echo "SKIP plot-gif plot-gif-2d plot-keep: gnuplot not in PATH (scripts/install-deps.sh test installs it)"
fi

# Without gnuplot in PATH: one note on stderr, and still a PNG (the built-in plotter's size).
mkdir -p "$TMP/nogp"
PATH="$TMP/nogp" "$DEEPRELAX" plot "$TMP/p.csv" --size 640x400 --png "$TMP/f.png" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c 'gnuplot not found' "$TMP/err")" = 1 ] && [ "$(wc -l <"$TMP/err")" = 1 ]; then
    pass plot-no-gnuplot-note
else
    fail plot-no-gnuplot-note "exit $rc, stderr: $(cat "$TMP/err")"
fi
expect_png plot-no-gnuplot-png "$TMP/f.png" 640 400
PATH="$TMP/nogp" "$DEEPRELAX" plot "$TMP/sweep.csv" --log --png "$TMP/f2.png" >/dev/null 2>&1
expect_png plot-no-gnuplot-lines "$TMP/f2.png" 800 500

# Bad input: one line, the right exit code.
printf 'x,f\n1,2\n3\n' > "$TMP/ragged.csv"
printf 'x,f\n1,abc\n' > "$TMP/word.csv"
printf '1,2\n3,4\n' > "$TMP/noheader.csv"
: > "$TMP/empty.csv"
expect_error plot-no-file 2 'which file' -- plot
expect_error plot-missing-file 1 'cannot open' -- plot "$TMP/nope.csv"
expect_error plot-bad-ext 2 'must end in .csv or .npy' -- plot "$TMP/x.txt"
expect_error plot-ragged 1 'ragged.csv:3' -- plot "$TMP/ragged.csv"
expect_error plot-not-number 1 "'abc' is not a number" -- plot "$TMP/word.csv"
expect_error plot-no-header 1 'no header' -- plot "$TMP/noheader.csv"
expect_error plot-empty 1 'empty' -- plot "$TMP/empty.csv"
expect_error plot-bad-kind 2 "unknown --kind 'pie'" -- plot "$TMP/p.csv" --kind pie
expect_error plot-kind-mismatch 2 "needs a column 'y'" -- plot "$TMP/p.csv" --kind heatmap
expect_error plot-bad-t 2 'no rows at t = 0.3' -- plot "$TMP/p.csv" --t 0.3
expect_error plot-bad-png 2 'must end in .png' -- plot "$TMP/p.csv" --png "$TMP/x.jpg"
expect_error plot-bad-size 2 'size must be WxH' -- plot "$TMP/p.csv" --size big
expect_error plot-bad-column 2 "needs a column 'nope'" -- plot "$TMP/sweep.csv" --y nope
expect_error plot-gif-paths 2 'not paths' -- plot "$TMP/paths2.csv" --gif "$TMP/x.gif"
expect_error plot-npy-columns 2 'names 2 columns' -- plot "$TMP/s.npy" --columns a,b

# Legends by meaning, not column names (docs/STYLE.md): widen's columns semiconcavity and
# bound_inv_t are drawn as "measured max eig D²u" and "bound 1/t" on a "curvature" axis; the
# kept script passes the style check and --svg parses.
"$DEEPRELAX" widen --landscape quad --beta 4 --t 0.5,1,2 --out "$TMP/wq.csv" >/dev/null 2>&1
expect_ok plot-lines-meaning -- plot "$TMP/wq.csv" --kind lines --x t --y semiconcavity,bound_inv_t \
    --svg "$TMP/wq.svg" --keep-plot-data "$TMP/wqk"
if grep -q "title 'measured max eig D²u'" "$TMP/wqk/lines.gp" && grep -q "title 'bound 1/t'" "$TMP/wqk/lines.gp" &&
    grep -q "set ylabel 'curvature (eigenvalue of D²u)'" "$TMP/wqk/lines.gp" &&
    "$PY" tests/cli/check_figure.py script "$TMP/wqk/lines.gp" &&
    "$PY" tests/cli/check_figure.py svg "$TMP/wq.svg"; then pass plot-lines-legend-by-meaning
else fail plot-lines-legend-by-meaning "see $TMP/wqk/lines.gp"; fi
[ ! -e "$TMP/wq.png" ] && pass plot-svg-only-no-png || fail plot-svg-only-no-png "a PNG was written too"
expect_error plot-svg-paths 2 "PNG only" -- plot "$TMP/paths2.csv" --svg "$TMP/pp.svg"
# a heatmap by gnuplot: title, x and y labels and the colour bar's title by meaning; --svg parses
expect_ok plot-heatmap-svg -- plot "$TMP/q.csv" --svg "$TMP/hq.svg" --keep-plot-data "$TMP/hqk"
if "$PY" tests/cli/check_figure.py script "$TMP/hqk/heatmap.gp" && grep -q "set cblabel 'u(x, t)'" "$TMP/hqk/heatmap.gp" &&
    "$PY" tests/cli/check_figure.py svg "$TMP/hq.svg"; then pass plot-heatmap-style
else fail plot-heatmap-style "see $TMP/hqk/heatmap.gp"; fi
