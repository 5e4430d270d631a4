/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The 1-D line plot drawn with libpng alone, for when gnuplot is missing: an axes box with
 * numeric ticks and the curves in distinct colours. No title or legend (the bitmap font has no
 * letters to speak of); gnuplot draws the full figure when it is there. */
#include "viz_internal.h"
#include "../solver/dr_args.h"

#include <math.h>
#include <stdlib.h>

#include "deeprelax/error.h"

/* Distinct colours that survive printing in grey and colour-blind viewing reasonably well
 * (blue, orange, green, red, purple, brown, pink, olive, cyan), chosen for this project. */
static const dr_rgb palette[] = {
    {31, 94, 180}, {230, 120, 20}, {40, 150, 60},  {200, 40, 40},  {130, 80, 180},
    {140, 90, 60}, {220, 100, 170}, {150, 150, 30}, {20, 170, 190},
};

dr_rgb dr_viz_palette(size_t k)
{
    return palette[k % (sizeof palette / sizeof palette[0])];
}

#define MARGIN_LEFT 84
#define MARGIN_BOTTOM 50
#define MARGIN_TOP 24
#define MARGIN_RIGHT 32

/* Coordinate on the plot's axis: log10 on a log axis, NaN for values it cannot show. */
static double axis_value(double v, int log)
{
    if (!isfinite(v))
        return NAN;
    if (log)
        return v > 0 ? log10(v) : NAN;
    return v;
}

int dr_viz_lineplot(dr_viz_image *img, const dr_viz_curve *curves, size_t ncurves,
                    const dr_viz_lineplot_options *opt)
{
    DR_CHECK_PTRS(img, curves);
    dr_viz_lineplot_options o = {0};
    if (opt)
        o = *opt;
    size_t W = o.width ? o.width : 800, H = o.height ? o.height : 500;
    if (W < MARGIN_LEFT + MARGIN_RIGHT + 40 || H < MARGIN_TOP + MARGIN_BOTTOM + 40)
        return dr_error(DR_EINVAL, "line plot image %zu x %zu is too small for its axes", W, H);
    if (ncurves < 1)
        return dr_error(DR_EINVAL, "a line plot needs at least one curve");
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (size_t c = 0; c < ncurves; c++) {
        size_t s = curves[c].stride ? curves[c].stride : 1;
        for (size_t k = 0; k < curves[c].n; k++) {
            double x = axis_value(curves[c].x[k * s], o.logx);
            double y = axis_value(curves[c].y[k * s], o.logy);
            if (isnan(x) || isnan(y))
                continue;
            xlo = fmin(xlo, x);
            xhi = fmax(xhi, x);
            ylo = fmin(ylo, y);
            yhi = fmax(yhi, y);
        }
    }
    if (!(xlo <= xhi))
        return dr_error(DR_EINVAL, "no finite%s point to plot", o.logx || o.logy ? " positive" : "");
    /* x: exactly the data's extent (curves are sampled on a box); y: 5% of air each side */
    if (!(xlo < xhi)) {
        xlo -= 0.5;
        xhi += 0.5;
    }
    double pad = 0.05 * (yhi - ylo);
    if (!(pad > 0))
        pad = ylo != 0 ? 0.1 * fabs(ylo) : 0.5;
    ylo -= pad;
    yhi += pad;

    int st = dr_viz_image_alloc(img, W, H, viz_white);
    if (st)
        return st;
    dr_viz_frame fr;
    st = dr_viz_frame_init(&fr, img, MARGIN_LEFT, MARGIN_TOP, (int)W - MARGIN_RIGHT,
                           (int)H - MARGIN_BOTTOM, xlo, xhi, ylo, yhi);
    if (st) {
        dr_viz_image_free(img);
        return st;
    }
    /* faint grid at the y ticks helps reading values off the curves */
    double ticks[64], step;
    size_t nt = o.logy ? viz_log_ticks(ylo, yhi, ticks, 64) : viz_ticks(ylo, yhi, 5, ticks, 64, &step);
    for (size_t k = 0; k < nt; k++) {
        double px, py;
        dr_viz_frame_to_pixel(&fr, xlo, ticks[k], &px, &py);
        viz_fill_rect(img, fr.x0, (int)floor(py), fr.x1, (int)floor(py) + 1,
                      (dr_rgb){225, 225, 225});
    }
    size_t next_colour = 0;
    for (size_t c = 0; c < ncurves && !st; c++) {
        const dr_viz_curve *cv = &curves[c];
        size_t s = cv->stride ? cv->stride : 1;
        double *x = malloc((cv->n + 1) * sizeof(double)), *y = malloc((cv->n + 1) * sizeof(double));
        if (!x || !y) {
            st = dr_error(DR_ENOMEM, "no memory for a curve of %zu points", cv->n);
        } else {
            for (size_t k = 0; k < cv->n; k++) {
                x[k] = axis_value(cv->x[k * s], o.logx);
                y[k] = axis_value(cv->y[k * s], o.logy);
            }
            dr_viz_pen pen = {viz_black, cv->width > 0 ? cv->width : 2.0, 0};
            if (cv->has_colour)
                pen.colour = cv->colour;
            else if (c > 0)
                pen.colour = dr_viz_palette(next_colour++);
            st = dr_viz_polyline(&fr, x, y, cv->n, 1, pen);
        }
        free(x);
        free(y);
    }
    if (!st)
        dr_viz_axes(&fr, o.logx, o.logy);
    if (st)
        dr_viz_image_free(img);
    return st;
}
