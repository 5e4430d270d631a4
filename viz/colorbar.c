/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The colour bar beside a heatmap: the scale's colours from bottom (lo) to top (hi), framed,
 * with tick marks and labels at nice values (decades on a log scale). */
#include "viz_internal.h"

#include <math.h>
#include <stdio.h>

#include "deeprelax/error.h"

#define TEXT_SCALE 2

int dr_viz_colorbar(dr_viz_image *img, int x0, int y0, int x1, int y1, const dr_viz_scale *sc)
{
    int st = dr_viz_scale_check(sc);
    if (st)
        return st;
    if (x0 < 0 || y0 < 0 || x1 <= x0 || y1 <= y0 + 1 || (size_t)x1 > img->width ||
        (size_t)y1 > img->height)
        return dr_error(DR_EINVAL, "colour bar rectangle [%d,%d) x [%d,%d) does not fit the "
                        "%zu x %zu image", x0, x1, y0, y1, img->width, img->height);
    for (int j = y0; j < y1; j++) {
        double s = (y1 - 1 - j) / (double)(y1 - 1 - y0);
        dr_rgb c = dr_viz_cmap_eval(sc->cmap, s);
        for (int i = x0; i < x1; i++)
            dr_viz_image_set(img, (size_t)i, (size_t)j, c);
    }
    const dr_rgb ink = {40, 40, 40};
    viz_rect_outline(img, x0 - 1, y0 - 1, x1 + 1, y1 + 1, ink);

    /* Ticks in the units the bar is linear in: value, or log10 of the value. */
    double lo = sc->log ? log10(sc->lo) : sc->lo, hi = sc->log ? log10(sc->hi) : sc->hi;
    double ticks[64], step = 0;
    size_t n = sc->log ? viz_log_ticks(lo, hi, ticks, 64) : viz_ticks(lo, hi, 5, ticks, 64, &step);
    if (sc->log && n < 2) { /* less than two decades: label it linearly instead */
        n = viz_ticks(sc->lo, sc->hi, 4, ticks, 64, &step);
        for (size_t k = 0; k < n; k++)
            ticks[k] = ticks[k] > 0 ? log10(ticks[k]) : NAN;
    }
    char label[48];
    int th = DR_VIZ_GLYPH_H * TEXT_SCALE;
    for (size_t k = 0; k < n; k++) {
        if (!isfinite(ticks[k]))
            continue;
        double s = (ticks[k] - lo) / (hi - lo);
        int iy = (int)lround(y1 - 1 - s * (y1 - 1 - y0));
        viz_fill_rect(img, x1 + 1, iy, x1 + 6, iy + 1, ink);
        double v = sc->log ? pow(10, ticks[k]) : ticks[k];
        if (sc->log && step == 0)
            snprintf(label, sizeof label, (ticks[k] >= -3 && ticks[k] <= 4) ? "%g" : "1e%.0f",
                     (ticks[k] >= -3 && ticks[k] <= 4) ? v : ticks[k]);
        else
            viz_tick_label(v, step, label, sizeof label);
        dr_viz_text(img, x1 + 10, iy - th / 2, label, TEXT_SCALE, ink);
    }
    return DR_SUCCESS;
}
