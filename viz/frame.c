/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Drawing in data coordinates: frames, heatmaps, markers, polylines and axes. */
#include "viz_internal.h"

#include <math.h>
#include <stdio.h>

#include "deeprelax/error.h"

int dr_viz_frame_init(dr_viz_frame *fr, dr_viz_image *img, int x0, int y0, int x1, int y1,
                      double xlo, double xhi, double ylo, double yhi)
{
    if (!img || !img->pixels)
        return dr_error(DR_EINVAL, "frame on an empty image");
    if (x0 < 0 || y0 < 0 || x1 <= x0 || y1 <= y0 || (size_t)x1 > img->width ||
        (size_t)y1 > img->height)
        return dr_error(DR_EINVAL, "frame rectangle [%d,%d) x [%d,%d) is empty or outside the "
                        "%zu x %zu image", x0, x1, y0, y1, img->width, img->height);
    if (!isfinite(xlo) || !isfinite(xhi) || !isfinite(ylo) || !isfinite(yhi) || !(xlo < xhi) ||
        !(ylo < yhi))
        return dr_error(DR_EINVAL, "frame data box [%g,%g] x [%g,%g] is empty or not finite",
                        xlo, xhi, ylo, yhi);
    fr->img = img;
    fr->x0 = x0;
    fr->y0 = y0;
    fr->x1 = x1;
    fr->y1 = y1;
    fr->xlo = xlo;
    fr->xhi = xhi;
    fr->ylo = ylo;
    fr->yhi = yhi;
    return DR_SUCCESS;
}

void dr_viz_frame_to_pixel(const dr_viz_frame *fr, double x, double y, double *px, double *py)
{
    *px = fr->x0 + (x - fr->xlo) / (fr->xhi - fr->xlo) * (fr->x1 - fr->x0);
    *py = fr->y1 - (y - fr->ylo) / (fr->yhi - fr->ylo) * (fr->y1 - fr->y0);
}

/* Fractional grid index of coordinate v on an axis, clamped to the grid. */
static double grid_index(const dr_grid *g, int axis, double v)
{
    double u = (v - g->lo[axis]) / (g->hi[axis] - g->lo[axis]) * (double)(g->n[axis] - 1);
    if (!(u > 0))
        return 0;
    double last = (double)(g->n[axis] - 1);
    return u > last ? last : u;
}

#define LUT_SIZE 1024

int dr_viz_heatmap(const dr_viz_frame *fr, const dr_grid *g, const double *field,
                   const dr_viz_scale *sc)
{
    if (!g || g->dim != 2 || g->n[0] < 2 || g->n[1] < 2)
        return dr_error(DR_EINVAL, "a heatmap needs a 2-D grid with at least 2 x 2 points");
    int st = dr_viz_scale_check(sc);
    if (st)
        return st;
    /* The colour of every pixel from a table: the diverging map is costly to evaluate and a
     * heatmap has ~10^5 pixels; 1024 steps are finer than any display can show. */
    dr_rgb lut[LUT_SIZE];
    for (int k = 0; k < LUT_SIZE; k++)
        lut[k] = dr_viz_cmap_eval(sc->cmap, (double)k / (LUT_SIZE - 1));
    const dr_rgb nan_colour = {128, 128, 128};
    size_t nx = g->n[0];
    for (int j = fr->y0; j < fr->y1; j++) {
        double y = fr->yhi - (j + 0.5 - fr->y0) / (fr->y1 - fr->y0) * (fr->yhi - fr->ylo);
        double v = grid_index(g, 1, y);
        size_t j0 = (size_t)v;
        if (j0 >= g->n[1] - 1)
            j0 = g->n[1] - 2;
        double wy = v - (double)j0;
        for (int i = fr->x0; i < fr->x1; i++) {
            double x = fr->xlo + (i + 0.5 - fr->x0) / (fr->x1 - fr->x0) * (fr->xhi - fr->xlo);
            double u = grid_index(g, 0, x);
            size_t i0 = (size_t)u;
            if (i0 >= nx - 1)
                i0 = nx - 2;
            double wx = u - (double)i0;
            const double *p = field + j0 * nx + i0;
            double val = (1 - wy) * ((1 - wx) * p[0] + wx * p[1]) +
                         wy * ((1 - wx) * p[nx] + wx * p[nx + 1]);
            double s = dr_viz_scale_position(sc, val);
            dr_rgb c = isnan(s) ? nan_colour : lut[(int)lround(s * (LUT_SIZE - 1))];
            dr_viz_image_set(fr->img, (size_t)i, (size_t)j, c);
        }
    }
    return DR_SUCCESS;
}

static void mark_shape(const dr_viz_frame *fr, double px, double py, dr_viz_marker kind,
                       double size, double width, dr_rgb c, int halo)
{
    viz_clip clip = viz_clip_frame(fr);
    double r = 0.5 * size, d = r / sqrt(2.0);
    switch (kind) {
    case DR_MARK_CROSS:
        viz_segment(fr->img, clip, px - d, py - d, px + d, py + d, width, c);
        viz_segment(fr->img, clip, px - d, py + d, px + d, py - d, width, c);
        break;
    case DR_MARK_PLUS:
        viz_segment(fr->img, clip, px - r, py, px + r, py, width, c);
        viz_segment(fr->img, clip, px, py - r, px, py + r, width, c);
        break;
    case DR_MARK_CIRCLE:
        viz_ring(fr->img, clip, px, py, r, width, c);
        break;
    case DR_MARK_DOT:
        viz_disc(fr->img, clip, px, py, r + (halo ? 1 : 0), c);
        break;
    }
}

void dr_viz_mark(const dr_viz_frame *fr, double x, double y, dr_viz_marker kind, double size,
                 dr_viz_pen pen)
{
    double px, py;
    if (!isfinite(x) || !isfinite(y))
        return;
    dr_viz_frame_to_pixel(fr, x, y, &px, &py);
    double w = pen.width > 0 ? pen.width : 1.5;
    if (pen.halo)
        mark_shape(fr, px, py, kind, size, w + 2, viz_white, 1);
    mark_shape(fr, px, py, kind, size, w, pen.colour, 0);
}

int dr_viz_polyline(const dr_viz_frame *fr, const double *x, const double *y, size_t n,
                    size_t stride, dr_viz_pen pen)
{
    if (stride == 0)
        stride = 1;
    double w = pen.width > 0 ? pen.width : 1.5;
    int passes = pen.halo ? 2 : 1;
    for (int pass = 0; pass < passes; pass++) {
        viz_mask m;
        int st = viz_mask_init(&m, viz_clip_frame(fr));
        if (st)
            return st;
        double wp = (pass == 0 && pen.halo) ? w + 2 : w;
        for (size_t k = 0; k + 1 < n; k++) {
            double ax = x[k * stride], ay = y[k * stride];
            double bx = x[(k + 1) * stride], by = y[(k + 1) * stride];
            if (!isfinite(ax) || !isfinite(ay) || !isfinite(bx) || !isfinite(by))
                continue;
            double p0, q0, p1, q1;
            dr_viz_frame_to_pixel(fr, ax, ay, &p0, &q0);
            dr_viz_frame_to_pixel(fr, bx, by, &p1, &q1);
            viz_mask_segment(&m, p0, q0, p1, q1, wp);
        }
        if (n == 1 && isfinite(x[0]) && isfinite(y[0])) { /* a single point: a dot */
            double p0, q0;
            dr_viz_frame_to_pixel(fr, x[0], y[0], &p0, &q0);
            viz_mask_segment(&m, p0, q0, p0, q0, wp);
        }
        viz_mask_paint(fr->img, &m, (pass == 0 && pen.halo) ? viz_white : pen.colour);
        viz_mask_free(&m);
    }
    return DR_SUCCESS;
}

#define TICK_LEN 5
#define TEXT_SCALE 2

static void log_label(double k, char *buf, size_t size)
{
    if (k >= -3 && k <= 4)
        snprintf(buf, size, "%g", pow(10, k));
    else
        snprintf(buf, size, "1e%d", (int)k);
}

void dr_viz_axes(const dr_viz_frame *fr, int logx, int logy)
{
    dr_viz_image *img = fr->img;
    const dr_rgb ink = {40, 40, 40};
    /* the box just outside the frame, so that it never covers data */
    viz_rect_outline(img, fr->x0 - 1, fr->y0 - 1, fr->x1 + 1, fr->y1 + 1, ink);
    double ticks[64], step;
    char label[48];
    int th = DR_VIZ_GLYPH_H * TEXT_SCALE;
    size_t n = logx ? viz_log_ticks(fr->xlo, fr->xhi, ticks, 64)
                    : viz_ticks(fr->xlo, fr->xhi, 6, ticks, 64, &step);
    for (size_t k = 0; k < n; k++) {
        double px, py;
        dr_viz_frame_to_pixel(fr, ticks[k], fr->ylo, &px, &py);
        int ix = (int)floor(px);
        if (ix >= fr->x1)
            ix = fr->x1 - 1;
        viz_fill_rect(img, ix, fr->y1 + 1, ix + 1, fr->y1 + 1 + TICK_LEN, ink);
        if (logx)
            log_label(ticks[k], label, sizeof label);
        else
            viz_tick_label(ticks[k], step, label, sizeof label);
        int w = dr_viz_text_width(label, TEXT_SCALE);
        dr_viz_text(img, ix - w / 2, fr->y1 + 1 + TICK_LEN + 4, label, TEXT_SCALE, ink);
    }
    n = logy ? viz_log_ticks(fr->ylo, fr->yhi, ticks, 64)
             : viz_ticks(fr->ylo, fr->yhi, 5, ticks, 64, &step);
    for (size_t k = 0; k < n; k++) {
        double px, py;
        dr_viz_frame_to_pixel(fr, fr->xlo, ticks[k], &px, &py);
        int iy = (int)floor(py);
        if (iy >= fr->y1)
            iy = fr->y1 - 1;
        viz_fill_rect(img, fr->x0 - 1 - TICK_LEN, iy, fr->x0 - 1, iy + 1, ink);
        if (logy)
            log_label(ticks[k], label, sizeof label);
        else
            viz_tick_label(ticks[k], step, label, sizeof label);
        int w = dr_viz_text_width(label, TEXT_SCALE);
        dr_viz_text(img, fr->x0 - 1 - TICK_LEN - 4 - w, iy - th / 2, label, TEXT_SCALE, ink);
    }
}
