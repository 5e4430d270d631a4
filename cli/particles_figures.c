/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The figure of `deeprelax particles`, drawn by gnuplot: the paths (at most 20, thinned to about
 * 60 points each) over f, the start marked and named, the final positions split into "in the
 * global basin" and "elsewhere" with their fractions in the legend, f's basins delimited (1-D: the
 * local maxima of f, the global basin shaded; 2-D: the boundaries between basins of attraction on
 * a coarse grid) and the global minimiser marked. The title names the optimiser, its temperature
 * and the fraction that ends in the global basin. Without gnuplot a PNG comes from the built-in
 * plotter (unlabelled). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "figures.h"
#include "particles_figure.h"

#define DRAWN_PATHS 20
#define BASIN_GRID 61

/* The global minimiser as the sampling shows it (1-D: 2001 points; 2-D: 201 x 201) into at;
 * returns the level below which a minimum counts as global: the sampled minimum plus 1e-3 of
 * f's range over the box, so that equal minima (himmelblau's four) are all global. */
static double global_minimiser(const particles_fig *p, double *at)
{
    double top = -INFINITY;
    int dim = dr_landscape_dim(p->f);
    size_t n = dim == 1 ? 2001 : 201;
    double best = INFINITY;
    for (size_t j = 0; j < (dim == 1 ? 1 : n); j++)
        for (size_t i = 0; i < n; i++) {
            double x[2] = {p->lo[0] + (p->hi[0] - p->lo[0]) * (double)i / (double)(n - 1),
                           dim == 1 ? 0 : p->lo[1] + (p->hi[1] - p->lo[1]) * (double)j / (double)(n - 1)};
            double v = dr_landscape_value(p->f, x);
            top = fmax(top, v);
            if (v < best) {
                best = v;
                at[0] = x[0];
                at[1] = x[1];
            }
        }
    return best + 1e-3 * (top - best);
}

/* 1 if x lies in a global basin: descent from it (as dr_particles_basins does) reaches a
 * minimum below `level`. */
static int in_global(const particles_fig *p, double level, const double *x)
{
    double m[2] = {0, 0};
    if (dr_particles_descend(p->f, x, m)) return 0;
    return dr_landscape_value(p->f, m) <= level;
}

/* particles-paths.dat (blocks, one per drawn path), particles-start.dat, particles-end-in.dat and
 * particles-end-out.dat: x, then f (1-D) or y (2-D). The ends' count in the global basin. */
static int path_data(const particles_fig *p, const char *dir, double level, size_t *n_in)
{
    int dim = dr_landscape_dim(p->f);
    size_t n = p->steps + 1, stride = n > 60 ? n / 60 : 1, d = (size_t)dim;
    dr_output *o[4];
    static const char *const names[4] = {"particles-paths.dat", "particles-start.dat",
                                         "particles-end-in.dat", "particles-end-out.dat"};
    FILE *f[4];
    for (int i = 0; i < 4; i++)
        if (!(f[i] = cli_plot_data_open(dir, names[i], &o[i]))) {
            for (int j = 0; j < i; j++) cli_plot_data_close(o[j], DR_EIO);
            return DR_EIO;
        }
    *n_in = 0;
    for (size_t k = 0; k < p->K; k++) {
        const double *path = p->traj + k * n * d, *fp = p->fpath + k * n;
        if (k < DRAWN_PATHS) {
            for (size_t s = 0; s < n; s += stride)
                fprintf(f[0], "%.8g %.8g\n", path[s * d], dim == 1 ? fp[s] : path[s * d + 1]);
            if ((n - 1) % stride) /* the thinned path still ends where the particle does */
                fprintf(f[0], "%.8g %.8g\n", path[(n - 1) * d],
                        dim == 1 ? fp[n - 1] : path[(n - 1) * d + 1]);
            fputs("\n\n", f[0]);
        }
        fprintf(f[1], "%.8g %.8g\n", path[0], dim == 1 ? fp[0] : path[1]);
        const double *end = path + (n - 1) * d;
        int in = in_global(p, level, end);
        *n_in += (size_t)in;
        fprintf(f[in ? 2 : 3], "%.8g %.8g\n", end[0], dim == 1 ? fp[n - 1] : end[1]);
    }
    for (int i = 2; i < 4; i++) fputs("NaN NaN\n", f[i]); /* never an empty file */
    int st = 0;
    for (int i = 0; i < 4; i++) st = cli_plot_data_close(o[i], st) ? DR_EIO : st;
    return st;
}

typedef struct {
    const particles_fig *p;
    double gmin[2], fmin, level;
    double basin[8][2];       /* 1-D: the global basins' intervals */
    size_t nbasin;
    size_t n_in, n_boundaries;
    double maxima[64];        /* 1-D: the local maxima of f, drawn as basin boundaries */
} fig_ctx;

/* 1-D: particles-f.dat over the box widened to the paths, the local maxima of f, and the global
 * basin between the two maxima around gmin. */
static int landscape_1d(fig_ctx *c, const char *dir)
{
    const particles_fig *p = c->p;
    double xlo = p->lo[0], xhi = p->hi[0];
    size_t n = p->steps + 1, m = 801;
    for (size_t k = 0; k < p->K * n; k++) {
        xlo = fmin(xlo, p->traj[k]);
        xhi = fmax(xhi, p->traj[k]);
    }
    dr_output *o;
    FILE *f = cli_plot_data_open(dir, "particles-f.dat", &o);
    if (!f) return DR_EIO;
    double prev2 = NAN, prev = NAN, xprev = NAN, lows[8];
    size_t nlow = 0;
    for (size_t i = 0; i < m; i++) {
        double x = xlo + (xhi - xlo) * (double)i / (double)(m - 1), v = dr_landscape_value(p->f, &x);
        fprintf(f, "%.8g %.8g\n", x, v);
        if (prev > prev2 && prev >= v) { /* a local maximum of the sampled f at xprev */
            if (c->n_boundaries < 64) c->maxima[c->n_boundaries++] = xprev;
        }
        if (prev < prev2 && prev <= v && prev <= c->level && nlow < 8) lows[nlow++] = xprev;
        prev2 = prev;
        prev = v;
        xprev = x;
    }
    int st = cli_plot_data_close(o, 0);
    FILE *g = st ? NULL : cli_plot_data_open(dir, "particles-global.dat", &o);
    if (!st && !g) st = DR_EIO;
    for (size_t i = 0; !st && i < nlow; i++) { /* each global minimum and its basin */
        double m = lows[i], a = xlo, b = xhi;
        dr_particles_descend(p->f, &lows[i], &m);
        for (size_t k = 0; k < c->n_boundaries; k++) {
            if (c->maxima[k] < m) a = c->maxima[k];
            if (c->maxima[k] > m && b == xhi) b = c->maxima[k];
        }
        c->basin[c->nbasin][0] = a;
        c->basin[c->nbasin++][1] = b;
        fprintf(g, "%.8g %.8g\n", m, dr_landscape_value(p->f, &m));
    }
    if (!st) fputs("NaN NaN\n", g);
    return st ? st : cli_plot_data_close(o, 0);
}

/* 2-D: particles-f.dat (121 x 121, gridded) and the boundaries between f's basins of attraction
 * on a BASIN_GRID x BASIN_GRID grid (a point where the basin changes to the right or above) as
 * particles-basins.dat. */
static int landscape_2d(fig_ctx *c, const char *dir)
{
    const particles_fig *p = c->p;
    dr_output *o;
    FILE *f = cli_plot_data_open(dir, "particles-f.dat", &o);
    if (!f) return DR_EIO;
    for (int j = 0; j <= 120; j++) {
        for (int i = 0; i <= 120; i++) {
            double x[2] = {p->lo[0] + (p->hi[0] - p->lo[0]) * i / 120.0,
                           p->lo[1] + (p->hi[1] - p->lo[1]) * j / 120.0};
            fprintf(f, "%.6g %.6g %.6g\n", x[0], x[1], dr_landscape_value(p->f, x));
        }
        fputc('\n', f);
    }
    int st = cli_plot_data_close(o, 0);
    if (st || !(f = cli_plot_data_open(dir, "particles-basins.dat", &o))) return st ? st : DR_EIO;
    enum { G = BASIN_GRID, MAXM = 64 };
    static int label[G * G];
    double mins[MAXM][2], diag = hypot(p->hi[0] - p->lo[0], p->hi[1] - p->lo[1]);
    size_t nm = 0;
    double h[2] = {(p->hi[0] - p->lo[0]) / (G - 1), (p->hi[1] - p->lo[1]) / (G - 1)};
    for (int j = 0; j < G; j++)
        for (int i = 0; i < G; i++) {
            double x[2] = {p->lo[0] + h[0] * i, p->lo[1] + h[1] * j}, m[2] = {0, 0};
            int l = -1;
            if (!dr_particles_descend(p->f, x, m)) {
                for (size_t k = 0; k < nm && l < 0; k++)
                    if (hypot(m[0] - mins[k][0], m[1] - mins[k][1]) < 1e-2 * diag) l = (int)k;
                if (l < 0 && nm < MAXM) {
                    mins[nm][0] = m[0];
                    mins[nm][1] = m[1];
                    l = (int)nm++;
                }
            }
            label[j * G + i] = l;
        }
    for (int j = 0; j < G; j++)
        for (int i = 0; i < G; i++) {
            int l = label[j * G + i];
            if (i + 1 < G && label[j * G + i + 1] != l) {
                fprintf(f, "%.6g %.6g\n", p->lo[0] + h[0] * (i + 0.5), p->lo[1] + h[1] * j);
                c->n_boundaries++;
            }
            if (j + 1 < G && label[(j + 1) * G + i] != l) {
                fprintf(f, "%.6g %.6g\n", p->lo[0] + h[0] * i, p->lo[1] + h[1] * (j + 0.5));
                c->n_boundaries++;
            }
        }
    fputs("NaN NaN\n", f);
    if ((st = cli_plot_data_close(o, 0)) || !(f = cli_plot_data_open(dir, "particles-global.dat", &o)))
        return st ? st : DR_EIO;
    for (size_t k = 0; k < nm; k++) /* every minimum as low as the global one */
        if (dr_landscape_value(p->f, mins[k]) <= c->level) {
            fprintf(f, "%.8g %.8g\n", mins[k][0], mins[k][1]);
            c->nbasin++;
        }
    if (!c->nbasin) fprintf(f, "%.8g %.8g\n", c->gmin[0], c->gmin[1]);
    return cli_plot_data_close(o, 0);
}

/* The plot commands the two dimensions share: paths, start, ends, global minimiser. */
static void plot_particles(FILE *f, const fig_ctx *c)
{
    const particles_fig *p = c->p;
    size_t drawn = p->K < DRAWN_PATHS ? p->K : DRAWN_PATHS;
    int dim = dr_landscape_dim(p->f);
    const char *end_style = dim == 1 ? "pt 7 ps 1.5" : "pt 7 ps 1.2";
    if (drawn < p->K)
        fprintf(f, ", \\\n  'particles-paths.dat' using 1:2 with lines lw 1.2 lc rgb '#701f5eb4' "
                   "title 'paths (%zu of %zu drawn)'", drawn, p->K);
    else
        fprintf(f, ", \\\n  'particles-paths.dat' using 1:2 with lines lw 1.2 lc rgb '#701f5eb4' "
                   "title 'path%s'", p->K > 1 ? "s" : "");
    int same = 1; /* one start for all, or a spread of starts */
    for (size_t k = 1; k < p->K; k++)
        for (int a = 0; a < dim; a++)
            same &= p->traj[k * (p->steps + 1) * (size_t)dim + (size_t)a] == p->traj[a];
    char where[64];
    if (dim == 1) snprintf(where, sizeof where, "x = %.4g", p->traj[0]);
    else snprintf(where, sizeof where, "(%.4g, %.4g)", p->traj[0], p->traj[1]);
    fprintf(f, ", \\\n  'particles-start.dat' using 1:2 with points pt 6 ps %s lw 2.5 lc rgb "
               "'#000000' title '%s%s (%zu particle%s)'", same ? "3" : "1.5",
            same ? "start at " : "starts around ", same ? where : "x0", p->K, p->K > 1 ? "s" : "");
    fprintf(f, ", \\\n  'particles-end-in.dat' using 1:2 with points %s lc rgb '#1a9641' "
               "title 'end in a global basin: %zu of %zu'", end_style, c->n_in, p->K);
    fprintf(f, ", \\\n  'particles-end-out.dat' using 1:2 with points %s lc rgb '#d7191c' "
               "title 'end in another basin: %zu of %zu'", end_style, p->K - c->n_in, p->K);
    fprintf(f, ", \\\n  'particles-global.dat' using 1:2 with points pt 3 ps 3 lw 2.5 lc rgb "
               "'#000000' title 'global minimiser%s of f'\n", c->nbasin > 1 ? "s" : "");
}

static int figure_body(FILE *f, void *ctx)
{
    const fig_ctx *c = ctx;
    int dim = dr_landscape_dim(c->p->f);
    fputs("set key below center vertical maxrows 4 noopaque nobox\n", f);
    if (dim == 1) {
        for (size_t i = 0; i < c->nbasin; i++)
            fprintf(f, "set object %zu rect from %.8g, graph 0 to %.8g, graph 1 fc rgb "
                       "'#dcefd6' fs solid 1 noborder behind\n", i + 1, c->basin[i][0],
                    c->basin[i][1]);
        for (size_t i = 0; i < c->n_boundaries; i++)
            fprintf(f, "set arrow from %.8g, graph 0 to %.8g, graph 1 nohead dt 3 lw 1.5 "
                       "lc rgb '#707070'\n", c->maxima[i], c->maxima[i]);
        fprintf(f, "plot 'particles-f.dat' using 1:2 with lines lw 2.5 lc rgb '#000000' title "
                   "'f(x)', \\\n  NaN with boxes fs solid 1 fc rgb '#dcefd6' title 'global "
                   "basin%s of f', \\\n  NaN with lines dt 3 lw 1.5 lc rgb '#707070' title "
                   "'basin boundaries (maxima of f)'", c->nbasin > 1 ? "s" : "");
    } else {
        cli_gp_palette(f, DR_CMAP_VIRIDIS);
        cli_gp_contours(f, "particles-f.dat", "particles-contours.dat", 14);
        fputs("unset grid\nset border 15\nset autoscale fix\nset offsets 0, 0, 0, 0\n"
              "set format cb '%g'\nset size ratio -1\nset cblabel offset char 1.5\n"
              "plot 'particles-f.dat' using 1:2:3 with image notitle, \\\n"
              "  'particles-contours.dat' with lines lw 0.7 lc rgb '#ffffff' notitle, \\\n"
              "  'particles-basins.dat' using 1:2 with points pt 7 ps 0.35 lc rgb '#ffffff' "
              "title 'basin boundaries of f'", f);
    }
    plot_particles(f, c);
    return DR_SUCCESS;
}

/* "Entropy-SGD on paper1d, β = 1: 4% end in the global basin" */
static void figure_title(const particles_fig *p, double fraction, char *buf, size_t size)
{
    char temp[64] = "";
    if (!isnan(p->beta))
        snprintf(temp, sizeof temp, isinf(p->beta) ? ", β = ∞" : ", β = %g", p->beta);
    else if (p->sigma > 0)
        snprintf(temp, sizeof temp, ", gradient noise σ = %g", p->sigma);
    snprintf(buf, size, "%s on %s%s: %.3g%% end in a global basin", p->algo,
             dr_landscape_name(p->f), temp, 100 * fraction);
}

/* The built-in plotter's picture for a PNG when gnuplot is missing: f (1-D) or its heatmap (2-D)
 * with the drawn paths and a dot at each end. */
static int fallback(const particles_fig *p, const char *png)
{
    int dim = dr_landscape_dim(p->f);
    size_t n = p->steps + 1, drawn = p->K < DRAWN_PATHS ? p->K : DRAWN_PATHS;
    dr_viz_image img = {0};
    dr_viz_frame fr;
    int st;
    if (dim == 1) {
        dr_viz_curve *cv = calloc(drawn, sizeof *cv);
        if (!cv) return dr_error(DR_ENOMEM, "out of memory");
        for (size_t k = 0; k < drawn; k++)
            cv[k] = (dr_viz_curve){.x = p->traj + k * n, .y = p->fpath + k * n, .n = n};
        st = dr_viz_lineplot(&img, cv, drawn, NULL);
        free(cv);
    } else {
        dr_grid g;
        size_t gn[2] = {201, 201};
        st = dr_grid_init(&g, 2, gn, p->lo, p->hi);
        double *field = st ? NULL : malloc(dr_grid_size(&g) * sizeof *field);
        if (!st && !field) st = dr_error(DR_ENOMEM, "out of memory");
        if (!st) {
            dr_landscape_sample(p->f, &g, field);
            dr_viz_heatmap_options ho = {.ncontours = 14};
            st = dr_viz_heatmap_figure(&img, &fr, &g, field, &ho);
        }
        free(field);
        for (size_t k = 0; !st && k < drawn; k++)
            dr_viz_polyline(&fr, p->traj + k * n * 2, p->traj + k * n * 2 + 1, n, 2,
                            (dr_viz_pen){dr_viz_palette(k + 1), 2.0, 1});
    }
    if (!st) st = dr_viz_png_write(&img, png);
    if (img.pixels) dr_viz_image_free(&img);
    return st;
}

int particles_figure(const particles_fig *p, const char *picture, const char *keep)
{
    fig_ctx c = {.p = p};
    c.level = global_minimiser(p, c.gmin);
    c.fmin = dr_landscape_value(p->f, c.gmin);
    cli_plot_dir d;
    cli_plot_dir_open(&d, keep);
    int dim = dr_landscape_dim(p->f);
    int st = path_data(p, d.dir, c.level, &c.n_in);
    if (!st) st = dim == 1 ? landscape_1d(&c, d.dir) : landscape_2d(&c, d.dir);
    char title[256];
    figure_title(p, (double)c.n_in / (double)p->K, title, sizeof title);
    dr_gnuplot_options go = {.dir = d.dir, .name = "particles", .output = picture,
                             .title = title, .xlabel = "x", .ylabel = dim == 1 ? "f(x)" : "y",
                             .cblabel = dim == 1 ? NULL : "f(x, y)", .width = 900,
                             .height = dim == 1 ? 640 : 760};
    if (!st) st = dr_gnuplot_custom(&go, figure_body, &c);
    if (st == DR_EUNSUPPORTED)
        st = cli_has_ext(picture, ".png") ? fallback(p, picture) : cli_picture_needs_gnuplot(picture);
    cli_plot_dir_close(&d);
    return st;
}
