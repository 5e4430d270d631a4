/* SPDX-License-Identifier: GPL-3.0-or-later */
/* A tiny 5x7 bitmap font for tick labels and short legends, and the choice of tick values.
 * Enough for numbers ("-1.5", "2e-05") and a few symbols; titles and prose belong in gnuplot. */
#include "viz_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct glyph {
    char ch;
    const char *rows[DR_VIZ_GLYPH_H];
};

/* '#' = ink. Drawn by hand for this project. */
static const struct glyph glyphs[] = {
    {'0', {".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."}},
    {'1', {"..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."}},
    {'2', {".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"}},
    {'3', {"#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."}},
    {'4', {"...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."}},
    {'5', {"#####", "#....", "####.", "....#", "....#", "#...#", ".###."}},
    {'6', {"..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."}},
    {'7', {"#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."}},
    {'8', {".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."}},
    {'9', {".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."}},
    {'.', {".....", ".....", ".....", ".....", ".....", ".##..", ".##.."}},
    {',', {".....", ".....", ".....", ".....", ".##..", "..#..", ".#..."}},
    {'-', {".....", ".....", ".....", "#####", ".....", ".....", "....."}},
    {'+', {".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."}},
    {'=', {".....", ".....", "#####", ".....", "#####", ".....", "....."}},
    {'(', {"...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."}},
    {')', {".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."}},
    {'e', {".....", ".....", ".###.", "#...#", "#####", "#....", ".###."}},
    {'E', {"#####", "#....", "#....", "####.", "#....", "#....", "#####"}},
    {'f', {"..##.", ".#..#", ".#...", "###..", ".#...", ".#...", ".#..."}},
    {'t', {".#...", ".#...", "###..", ".#...", ".#...", ".#..#", "..##."}},
    {'u', {".....", ".....", "#...#", "#...#", "#...#", "#..##", ".##.#"}},
    {'x', {".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#"}},
    {'y', {".....", ".....", "#...#", "#...#", ".####", "....#", ".###."}},
};

#define GLYPH_W 5
#define GLYPH_ADVANCE 6 /* one column of space between glyphs */

static const struct glyph *find_glyph(char ch)
{
    for (size_t k = 0; k < sizeof glyphs / sizeof glyphs[0]; k++)
        if (glyphs[k].ch == ch)
            return &glyphs[k];
    return NULL;
}

int dr_viz_text_width(const char *s, int scale)
{
    size_t n = strlen(s);
    if (n == 0 || scale < 1)
        return 0;
    return (int)(n * GLYPH_ADVANCE - 1) * scale;
}

int dr_viz_text(dr_viz_image *img, int px, int py, const char *s, int scale, dr_rgb colour)
{
    if (scale < 1)
        scale = 1;
    int x = px;
    for (const char *p = s; *p; p++, x += GLYPH_ADVANCE * scale) {
        const struct glyph *g = find_glyph(*p);
        if (!g)
            continue;
        for (int r = 0; r < DR_VIZ_GLYPH_H; r++)
            for (int c = 0; c < GLYPH_W; c++)
                if (g->rows[r][c] == '#')
                    viz_fill_rect(img, x + c * scale, py + r * scale, x + (c + 1) * scale,
                                  py + (r + 1) * scale, colour);
    }
    return dr_viz_text_width(s, scale);
}

size_t viz_ticks(double lo, double hi, size_t target, double *ticks, size_t max, double *step)
{
    *step = 0;
    if (!isfinite(lo) || !isfinite(hi) || !(hi > lo) || target < 1 || max < 1)
        return 0;
    double raw = (hi - lo) / (double)target;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag, s;
    /* the nice step nearest the raw one (geometric midpoints between 1, 2, 5 and 10), so the
     * count stays within a factor ~1.6 of the target */
    if (f < 1.5)
        s = mag;
    else if (f < 3.5)
        s = 2 * mag;
    else if (f < 7.5)
        s = 5 * mag;
    else
        s = 10 * mag;
    *step = s;
    size_t n = 0;
    /* a tiny slack so that a tick exactly at an end (lo = -3, step 1) is not lost to round-off */
    double eps = 1e-9 * s;
    for (double k = ceil((lo - eps) / s); k * s <= hi + eps && n < max; k++) {
        double v = k * s;
        ticks[n++] = fabs(v) < eps ? 0.0 : v;
    }
    return n;
}

size_t viz_log_ticks(double lo, double hi, double *ticks, size_t max)
{
    size_t n = 0;
    if (!isfinite(lo) || !isfinite(hi) || !(hi > lo))
        return 0;
    double first = ceil(lo - 1e-9), last = floor(hi + 1e-9);
    /* too many decades: every second or third, so labels do not collide */
    double every = last - first > 12 ? 3 : last - first > 6 ? 2 : 1;
    for (double k = first; k <= last && n < max; k += every)
        ticks[n++] = k;
    return n;
}

void viz_tick_label(double v, double step, char *buf, size_t size)
{
    if (v == 0) {
        snprintf(buf, size, "0");
        return;
    }
    double a = fabs(v);
    if (a >= 1e5 || a < 1e-3) {
        /* exponent notation with as many mantissa digits as the step resolves */
        int e = (int)floor(log10(a));
        double m = v / pow(10, e);
        int digits = step > 0 ? (int)ceil(e - log10(step) - 1e-9) : 2;
        if (digits < 0)
            digits = 0;
        if (digits > 6)
            digits = 6;
        char mant[32];
        snprintf(mant, sizeof mant, "%.*f", digits, m);
        if (!strcmp(mant, "10") || !strcmp(mant, "-10")) { /* rounding carried a digit */
            e++;
            snprintf(mant, sizeof mant, "%.*f", digits, v / pow(10, e));
        }
        snprintf(buf, size, "%se%d", mant, e);
        return;
    }
    int decimals = step > 0 ? (int)ceil(-log10(step) - 1e-9) : 3;
    if (decimals < 0)
        decimals = 0;
    if (decimals > 8)
        decimals = 8;
    snprintf(buf, size, "%.*f", decimals, v);
}
