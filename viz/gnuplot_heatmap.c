/* SPDX-License-Identifier: GPL-3.0-or-later */
/* 2-D fields side by side, drawn by gnuplot: each panel an image with contour lines and its
 * marked points (the global minima), in rows of at most three. One colour scale and one colour
 * bar for the whole figure when every panel spans a fair part of the common range; otherwise
 * (a relaxed u spans a sliver of f's range and would be one flat colour) each panel gets its own
 * scale and bar. The data (DIR/NAME.dat, one block per panel, at most 201 x 201 points each) and
 * the script are kept like every gnuplot figure's. */
#include "deeprelax/viz.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../solver/dr_args.h"
#include "deeprelax/error.h"
#include "deeprelax/output.h"
#include "viz_internal.h"

#define MAX_SIDE 201

typedef struct {
    const dr_gnuplot_options *o;
    const dr_grid *g;
    const dr_gnuplot_panel *p;
    size_t np;
    int shared;
    double lo, hi;
} heat_ctx;

static void range_of(const dr_grid *g, const double *v, double *lo, double *hi)
{
    size_t n = dr_grid_size(g);
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i])) {
            *lo = fmin(*lo, v[i]);
            *hi = fmax(*hi, v[i]);
        }
}

static int write_data(const heat_ctx *c)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s.dat", c->o->dir, c->o->name) >= (int)sizeof path)
        return dr_error(DR_EINVAL, "path too long: %s/%s.dat", c->o->dir, c->o->name);
    dr_output *out;
    int st = dr_output_open(&out, path);
    if (st)
        return st;
    FILE *f = dr_output_stream(out);
    const dr_grid *g = c->g;
    size_t sx = (g->n[0] + MAX_SIDE - 2) / (MAX_SIDE - 1), sy = (g->n[1] + MAX_SIDE - 2) / (MAX_SIDE - 1);
    fputs("# x y value: one block per panel (gnuplot's index), a blank line between rows\n", f);
    for (size_t k = 0; k < c->np; k++) {
        for (size_t j = 0; j < g->n[1]; j += sy ? sy : 1) {
            for (size_t i = 0; i < g->n[0]; i += sx ? sx : 1)
                fprintf(f, "%.7g %.7g %.7g\n", dr_grid_coord(g, 0, i), dr_grid_coord(g, 1, j),
                        c->p[k].field[j * g->n[0] + i]);
            fputc('\n', f);
        }
        fputc('\n', f);
    }
    return dr_output_commit(out);
}

static void panel(FILE *f, const heat_ctx *c, size_t k)
{
    double W = c->o->width, H = c->o->height;
    const char *name = c->o->name;
    /* contour lines: tabulated by splot, then drawn over the image */
    fprintf(f, "set contour base\nunset surface\nset table '%s-contours-%zu.dat'\n"
               "splot '%s.dat' index %zu using 1:2:3 with lines notitle\nunset table\n"
               "unset contour\nset surface\n", name, k, name, k);
    fputs("set title ", f);
    viz_gnuplot_quote(f, c->p[k].title ? c->p[k].title : "");
    fputc('\n', f);
    if (c->shared && k + 1 == c->np)
        fprintf(f, "set colorbox user origin screen %.4f, screen %.4f size screen %.4f, screen "
                   "%.4f\n", 1 - 135 / W, 75 / H, 22 / W, 1 - 165 / H);
    else if (c->shared)
        fputs("unset colorbox\n", f);
    fprintf(f, "plot '%s.dat' index %zu using 1:2:3 with image notitle, \\\n"
               "  '%s-contours-%zu.dat' with lines lw 0.7 lc rgb '#ffffff' notitle",
            name, k, name, k);
    if (c->p[k].nmarks) {
        fputs(", \\\n  '-' using 1:2 with points pt 2 ps 2.2 lw 3 lc rgb '#ff3030' notitle\n",
              f);
        for (size_t m = 0; m < c->p[k].nmarks; m++)
            fprintf(f, "%.8g %.8g\n", c->p[k].marks[2 * m], c->p[k].marks[2 * m + 1]);
        fputs("e\n", f);
    } else {
        fputc('\n', f);
    }
}

static int body(FILE *f, void *ctx)
{
    const heat_ctx *c = ctx;
    int st = write_data(c); /* dr_gnuplot_custom has made the directory by now */
    if (st)
        return st;
    size_t cols = c->np < 3 ? c->np : 3, rows = (c->np + cols - 1) / cols;
    dr_rgb stops[9];
    for (int i = 0; i < 9; i++) stops[i] = dr_viz_cmap_eval(DR_CMAP_VIRIDIS, i / 8.0);
    fputs("set palette defined (", f);
    for (int i = 0; i < 9; i++)
        fprintf(f, "%s%d '#%02x%02x%02x'", i ? ", " : "", i, stops[i].r, stops[i].g, stops[i].b);
    fputs(")\nunset grid\nset border 15\nset tics out nomirror\nset autoscale fix\n"
          "set offsets 0, 0, 0, 0\nset format cb '%g'\nset size ratio -1\nunset key\n"
          "set cntrparam levels 12\n", f);
    /* gnuplot puts a narrow bar's title over its tick labels */
    fputs("set cblabel offset char 2.5\n", f);
    if (c->shared)
        fprintf(f, "set cbrange [%.10g:%.10g]\nset cntrparam levels incremental %.10g, %.10g, "
                   "%.10g\n", c->lo, c->hi, c->lo, (c->hi - c->lo) / 14, c->hi);
    fputs("set multiplot layout ", f);
    fprintf(f, "%zu,%zu title ", rows, cols);
    viz_gnuplot_quote(f, c->o->title ? c->o->title : "");
    /* room in pixels: 90 above for the figure's title and the panels', 75 below for the x
     * label, 80 between rows for an x label and the next row's panel title, 80 on the left for
     * the y label; a shared colour bar and its title take 150 on the right, per-panel bars and
     * their titles 180 between panels */
    double W = c->o->width, H = c->o->height; /* set by dr_gnuplot_heatmaps */
    fprintf(f, " margins screen %.4f, screen %.4f, screen %.4f, screen %.4f spacing screen %.4f, "
               "screen %.4f\n", 80 / W, 1 - (c->shared ? 150 : 130) / W, 75 / H, 1 - 90 / H,
            (c->shared ? 80 : 200) / W, 110 / H);
    for (size_t k = 0; k < c->np; k++)
        panel(f, c, k);
    fputs("unset multiplot\n", f);
    return DR_SUCCESS;
}

int dr_gnuplot_heatmaps(const dr_gnuplot_options *o, const dr_grid *g,
                        const dr_gnuplot_panel *panels, size_t np, int scale)
{
    DR_CHECK_PTRS(o, g, panels);
    if (g->dim != 2 || np < 1 || np > 12)
        return dr_error(DR_EINVAL, "heatmaps need a 2-D grid and 1 to 12 panels");
    for (size_t k = 0; k < np; k++)
        if (!panels[k].field || (panels[k].nmarks && !panels[k].marks))
            return dr_error(DR_EINVAL, "heatmap panel %zu has no field or no marks", k);
    heat_ctx c = {.o = o, .g = g, .p = panels, .np = np, .lo = INFINITY, .hi = -INFINITY};
    double narrowest = INFINITY;
    for (size_t k = 0; k < np; k++) {
        double lo = INFINITY, hi = -INFINITY;
        range_of(g, panels[k].field, &lo, &hi);
        c.lo = fmin(c.lo, lo);
        c.hi = fmax(c.hi, hi);
        narrowest = fmin(narrowest, hi - lo);
    }
    if (!(c.hi > c.lo)) c.hi = c.lo + 1;
    /* one scale when no panel spans less than a quarter of the common range */
    c.shared = scale == DR_HEATMAP_SHARED ||
               (scale == DR_HEATMAP_AUTO && narrowest >= 0.25 * (c.hi - c.lo));
    dr_gnuplot_options oo = *o;
    if (!oo.width) oo.width = (int)(np < 3 ? np : 3) * 440 + 120;
    if (!oo.height) oo.height = (int)((np + 2) / 3) * (c.shared ? 450 : 360) + 130;
    c.o = &oo;
    return dr_gnuplot_custom(&oo, body, &c);
}
