/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Contour lines by marching squares.
 *
 * Each grid cell is cut by the level set where the linear
 * interpolant along each edge crosses the level; the crossing points on the cell's edges are
 * joined in pairs. With four crossings (a saddle) the pairing follows the value at the cell's
 * centre (the mean of its corners): corners on the centre's side are joined through the middle. */
#include "viz_internal.h"

#include <math.h>

#include "deeprelax/error.h"

int dr_viz_contour_trace(const dr_grid *g, const double *field, double level,
                         void (*segment)(void *ctx, double x0, double y0, double x1, double y1),
                         void *ctx)
{
    if (!g || g->dim != 2 || g->n[0] < 2 || g->n[1] < 2)
        return dr_error(DR_EINVAL, "contours need a 2-D grid with at least 2 x 2 points");
    if (!isfinite(level))
        return dr_error(DR_EINVAL, "contour level %g is not finite", level);
    size_t nx = g->n[0], ny = g->n[1];
    for (size_t j = 0; j + 1 < ny; j++) {
        double ya = dr_grid_coord(g, 1, j), yb = dr_grid_coord(g, 1, j + 1);
        for (size_t i = 0; i + 1 < nx; i++) {
            double xa = dr_grid_coord(g, 0, i), xb = dr_grid_coord(g, 0, i + 1);
            /* corners counter-clockwise from the lower left: (i,j) (i+1,j) (i+1,j+1) (i,j+1) */
            double v[4] = {field[j * nx + i], field[j * nx + i + 1], field[(j + 1) * nx + i + 1],
                           field[(j + 1) * nx + i]};
            double cx[4] = {xa, xb, xb, xa}, cy[4] = {ya, ya, yb, yb};
            if (!isfinite(v[0]) || !isfinite(v[1]) || !isfinite(v[2]) || !isfinite(v[3]))
                continue;
            int above[4], any = 0, all = 1;
            for (int k = 0; k < 4; k++) {
                above[k] = v[k] >= level;
                any |= above[k];
                all &= above[k];
            }
            if (!any || all)
                continue;
            /* crossing on edge k (from corner k to corner k+1): bottom, right, top, left */
            double px[4], py[4];
            int crossed[4], count = 0;
            for (int k = 0; k < 4; k++) {
                int l = (k + 1) & 3;
                crossed[k] = above[k] != above[l];
                if (crossed[k]) {
                    double t = (level - v[k]) / (v[l] - v[k]);
                    px[k] = cx[k] + t * (cx[l] - cx[k]);
                    py[k] = cy[k] + t * (cy[l] - cy[k]);
                    count++;
                }
            }
            if (count == 2) {
                int a = -1, b = -1;
                for (int k = 0; k < 4; k++)
                    if (crossed[k]) {
                        if (a < 0)
                            a = k;
                        else
                            b = k;
                    }
                segment(ctx, px[a], py[a], px[b], py[b]);
            } else { /* saddle: above[0] == above[2] != above[1] == above[3] */
                int centre_above = 0.25 * (v[0] + v[1] + v[2] + v[3]) >= level;
                if (centre_above != above[1]) {
                    /* corners 1 and 3 are cut off on their own */
                    segment(ctx, px[0], py[0], px[1], py[1]);
                    segment(ctx, px[2], py[2], px[3], py[3]);
                } else {
                    segment(ctx, px[3], py[3], px[0], py[0]);
                    segment(ctx, px[1], py[1], px[2], py[2]);
                }
            }
        }
    }
    return DR_SUCCESS;
}

int dr_viz_contour_levels(const double *field, size_t n, size_t count, int log, double *levels)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < n; k++)
        if (isfinite(field[k]) && (!log || field[k] > 0)) {
            lo = fmin(lo, field[k]);
            hi = fmax(hi, field[k]);
        }
    if (!(lo < hi))
        return dr_error(DR_EINVAL, "no contour levels: the field has no %s range",
                        log ? "positive" : "finite");
    if (count < 1)
        return dr_error(DR_EINVAL, "the number of contour levels must be at least 1");
    if (log && lo < hi * DR_VIZ_LOG_DECADES_MIN) /* as for the colour scale */
        lo = hi * DR_VIZ_LOG_DECADES_MIN;
    for (size_t k = 0; k < count; k++) {
        double s = (k + 1.0) / (count + 1.0);
        levels[k] = log ? lo * pow(hi / lo, s) : lo + s * (hi - lo);
    }
    return DR_SUCCESS;
}

struct draw_ctx {
    const dr_viz_frame *fr;
    viz_mask *mask;
    double width;
};

static void draw_piece(void *ctx, double x0, double y0, double x1, double y1)
{
    struct draw_ctx *d = ctx;
    double p0, q0, p1, q1;
    dr_viz_frame_to_pixel(d->fr, x0, y0, &p0, &q0);
    dr_viz_frame_to_pixel(d->fr, x1, y1, &p1, &q1);
    viz_mask_segment(d->mask, p0, q0, p1, q1, d->width);
}

int dr_viz_contours(const dr_viz_frame *fr, const dr_grid *g, const double *field,
                    const double *levels, size_t nlevels, dr_viz_pen pen)
{
    double w = pen.width > 0 ? pen.width : 1.0;
    int passes = pen.halo ? 2 : 1;
    for (int pass = 0; pass < passes; pass++) {
        viz_mask m;
        int st = viz_mask_init(&m, viz_clip_frame(fr));
        if (st)
            return st;
        struct draw_ctx d = {fr, &m, (pass == 0 && pen.halo) ? w + 2 : w};
        for (size_t k = 0; k < nlevels; k++) {
            st = dr_viz_contour_trace(g, field, levels[k], draw_piece, &d);
            if (st) {
                viz_mask_free(&m);
                return st;
            }
        }
        viz_mask_paint(fr->img, &m, (pass == 0 && pen.halo) ? viz_white : pen.colour);
        viz_mask_free(&m);
    }
    return DR_SUCCESS;
}
