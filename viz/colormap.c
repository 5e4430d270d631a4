/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Colour maps and value scales.
 *
 * viridis and magma (van der Walt & Smith's perceptually uniform maps, matplotlib 1.5) are given
 * by nine colours sampled at s = 0, 1/8, ..., 1 and interpolated linearly in sRGB: at that
 * spacing the interpolant stays within a few units of the full maps and keeps their defining
 * property, lightness increasing monotonically (checked by tests/test_viz_colormap.c).
 *
 * The diverging map is defined in CIELAB rather than tabulated: lightness falls linearly from
 * L* = 97 at the centre to L* = 40 at both ends, with a blue hue (h = 285 deg) below the centre
 * and a red one (h = 35 deg) above, chroma growing away from the centre but capped at what sRGB
 * can show for *both* hues at that lightness. Equal distances from the centre thus get equal
 * lightness and chroma, so a difference of +d and -d looks equally strong. */
#include "deeprelax/viz.h"
#include "../solver/dr_args.h"

#include <math.h>
#include <string.h>

#include "deeprelax/error.h"

static const unsigned char viridis9[9][3] = {
    {68, 1, 84},    {72, 40, 120},  {62, 73, 137},  {49, 104, 142}, {38, 130, 142},
    {31, 158, 137}, {53, 183, 121}, {110, 206, 88}, {253, 231, 37},
};
static const unsigned char magma9[9][3] = {
    {0, 0, 4},      {28, 16, 68},   {79, 18, 123},   {129, 37, 129},  {181, 54, 122},
    {229, 80, 100}, {251, 135, 97}, {254, 194, 135}, {252, 253, 191},
};

static unsigned char to_byte(double v)
{
    if (!(v > 0))
        return 0;
    if (v >= 255)
        return 255;
    return (unsigned char)lround(v);
}

static dr_rgb table_eval(const unsigned char t[9][3], double s)
{
    double p = s * 8.0;
    int k = (int)floor(p);
    if (k >= 8)
        k = 7;
    double w = p - k;
    dr_rgb c = {to_byte(t[k][0] + w * (t[k + 1][0] - t[k][0])),
                to_byte(t[k][1] + w * (t[k + 1][1] - t[k][1])),
                to_byte(t[k][2] + w * (t[k + 1][2] - t[k][2]))};
    return c;
}

/* CIELAB (D65) to linear sRGB. */
static void lab_to_linear_rgb(double L, double a, double b, double rgb[3])
{
    double fy = (L + 16) / 116, fx = fy + a / 500, fz = fy - b / 200;
    const double d = 6.0 / 29.0;
    double f[3] = {fx, fy, fz}, xyz[3];
    const double white[3] = {0.95047, 1.0, 1.08883};
    for (int k = 0; k < 3; k++)
        xyz[k] = white[k] * (f[k] > d ? f[k] * f[k] * f[k] : 3 * d * d * (f[k] - 4.0 / 29.0));
    rgb[0] = 3.2404542 * xyz[0] - 1.5371385 * xyz[1] - 0.4985314 * xyz[2];
    rgb[1] = -0.9692660 * xyz[0] + 1.8760108 * xyz[1] + 0.0415560 * xyz[2];
    rgb[2] = 0.0556434 * xyz[0] - 0.2040259 * xyz[1] + 1.0572252 * xyz[2];
}

static int in_gamut(double L, double chroma, double hue_deg)
{
    double h = hue_deg * (M_PI / 180), rgb[3];
    lab_to_linear_rgb(L, chroma * cos(h), chroma * sin(h), rgb);
    for (int k = 0; k < 3; k++)
        if (rgb[k] < 0 || rgb[k] > 1)
            return 0;
    return 1;
}

/* Largest chroma <= want that sRGB can show at lightness L for hue h (bisection; chroma 0 is
 * always in gamut for 0 <= L <= 100). */
static double gamut_chroma(double L, double want, double hue)
{
    if (in_gamut(L, want, hue))
        return want;
    double lo = 0, hi = want;
    for (int it = 0; it < 30; it++) {
        double mid = 0.5 * (lo + hi);
        if (in_gamut(L, mid, hue))
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

static double srgb_encode(double c)
{
    if (c <= 0.0031308)
        return 12.92 * c;
    return 1.055 * pow(c, 1 / 2.4) - 0.055;
}

#define DIV_HUE_BLUE 285.0
#define DIV_HUE_RED 35.0
#define DIV_L_CENTRE 97.0
#define DIV_L_END 40.0
#define DIV_CHROMA 62.0

static dr_rgb diverging_eval(double s)
{
    double w = fabs(2 * s - 1); /* 0 at the centre, 1 at both ends */
    double L = DIV_L_CENTRE - (DIV_L_CENTRE - DIV_L_END) * w;
    /* sqrt: the tint should appear quickly off the centre, or small differences look white */
    double want = DIV_CHROMA * sqrt(w);
    double chroma = gamut_chroma(L, want, DIV_HUE_BLUE);
    chroma = gamut_chroma(L, chroma, DIV_HUE_RED);
    double h = (s < 0.5 ? DIV_HUE_BLUE : DIV_HUE_RED) * (M_PI / 180), rgb[3];
    lab_to_linear_rgb(L, chroma * cos(h), chroma * sin(h), rgb);
    dr_rgb c = {to_byte(255 * srgb_encode(fmin(fmax(rgb[0], 0), 1))),
                to_byte(255 * srgb_encode(fmin(fmax(rgb[1], 0), 1))),
                to_byte(255 * srgb_encode(fmin(fmax(rgb[2], 0), 1)))};
    return c;
}

dr_rgb dr_viz_cmap_eval(dr_viz_cmap m, double s)
{
    if (isnan(s)) {
        dr_rgb grey = {128, 128, 128};
        return grey;
    }
    if (s < 0)
        s = 0;
    if (s > 1)
        s = 1;
    switch (m) {
    case DR_CMAP_MAGMA:
        return table_eval(magma9, s);
    case DR_CMAP_DIVERGING:
        return diverging_eval(s);
    case DR_CMAP_GREY: {
        unsigned char v = to_byte(255 * s);
        dr_rgb c = {v, v, v};
        return c;
    }
    case DR_CMAP_VIRIDIS:
    default:
        return table_eval(viridis9, s);
    }
}

const char *dr_viz_cmap_name(dr_viz_cmap m)
{
    switch (m) {
    case DR_CMAP_VIRIDIS: return "viridis";
    case DR_CMAP_MAGMA: return "magma";
    case DR_CMAP_DIVERGING: return "diverging";
    case DR_CMAP_GREY: return "grey";
    }
    return "unknown";
}

int dr_viz_cmap_parse(const char *name, dr_viz_cmap *m)
{
    DR_CHECK_PTRS(name, m);
    static const struct {
        const char *name;
        dr_viz_cmap map;
    } names[] = {{"viridis", DR_CMAP_VIRIDIS}, {"magma", DR_CMAP_MAGMA},
                 {"diverging", DR_CMAP_DIVERGING}, {"bwr", DR_CMAP_DIVERGING},
                 {"grey", DR_CMAP_GREY}, {"gray", DR_CMAP_GREY}};
    for (size_t k = 0; name && k < sizeof names / sizeof names[0]; k++)
        if (!strcmp(name, names[k].name)) {
            *m = names[k].map;
            return DR_SUCCESS;
        }
    return dr_error(DR_ENOTFOUND, "unknown colour map '%s' (viridis, magma, diverging, grey)",
                    name ? name : "(null)");
}

int dr_viz_scale_check(const dr_viz_scale *sc)
{
    if (!isfinite(sc->lo) || !isfinite(sc->hi) || !(sc->lo < sc->hi))
        return dr_error(DR_EINVAL, "colour range [%g, %g] is empty or not finite", sc->lo, sc->hi);
    if (sc->log && !(sc->lo > 0))
        return dr_error(DR_EINVAL, "a log colour scale needs a positive range (got [%g, %g])",
                        sc->lo, sc->hi);
    return DR_SUCCESS;
}

int dr_viz_scale_auto(dr_viz_scale *sc, const double *v, size_t n, dr_viz_cmap cmap, int log)
{
    double lo = INFINITY, hi = -INFINITY, amax = 0;
    for (size_t k = 0; k < n; k++) {
        if (!isfinite(v[k]) || (log && !(v[k] > 0)))
            continue;
        lo = fmin(lo, v[k]);
        hi = fmax(hi, v[k]);
        amax = fmax(amax, fabs(v[k]));
    }
    if (!(lo <= hi))
        return dr_error(DR_EINVAL, log ? "no positive finite value to draw on a log scale"
                                       : "no finite value to draw");
    sc->cmap = cmap;
    sc->log = log;
    /* A landscape sampled at its minimiser has values ~1e-30 there; a log scale reaching down to
     * them would spend most colours on nothing. */
    if (log && lo < hi * DR_VIZ_LOG_DECADES_MIN)
        lo = hi * DR_VIZ_LOG_DECADES_MIN;
    if (cmap == DR_CMAP_DIVERGING && !log) {
        lo = -amax;
        hi = amax;
    }
    if (!(lo < hi)) {
        /* a constant field: any range containing it will do; keep it in the middle */
        double pad = log ? 0 : (lo != 0 ? 0.5 * fabs(lo) : 1.0);
        if (log) {
            lo *= 0.5;
            hi *= 2;
        } else {
            lo -= pad;
            hi += pad;
        }
    }
    sc->lo = lo;
    sc->hi = hi;
    return DR_SUCCESS;
}

double dr_viz_scale_position(const dr_viz_scale *sc, double v)
{
    if (isnan(v))
        return NAN;
    double s;
    if (sc->log)
        s = v > 0 ? log(v / sc->lo) / log(sc->hi / sc->lo) : 0.0;
    else
        s = (v - sc->lo) / (sc->hi - sc->lo);
    if (!(s > 0))
        return 0;
    return s > 1 ? 1 : s;
}

dr_rgb dr_viz_scale_colour(const dr_viz_scale *sc, double v)
{
    return dr_viz_cmap_eval(sc->cmap, dr_viz_scale_position(sc, v));
}
