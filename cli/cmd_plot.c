/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `deeprelax plot`: pictures from the tables the other subcommands write (CSV with a header, or
 * .npy). Four kinds: curves (1-D solve: f and u(., t)), heatmap (2-D solve or any x,y,value grid:
 * one field at one t, with contours), paths (particle trajectories particle,step,x[,y]) and lines
 * (any columns against one). gnuplot draws everything with axes and legends when it is installed;
 * otherwise the built-in libpng plotter does, after one note on stderr. */
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "figures.h"
#include "plot_table.h"

static const char usage_text[] =
    "usage: deeprelax plot FILE.csv|FILE.npy [--kind auto|curves|heatmap|paths|lines]\n"
    "                      [--t T[,T2,...]] [--x COL] [--y COL[,COL...]] [--group COL]\n"
    "                      [--log] [--logx] [--png OUT.png] [--gif OUT.gif]\n"
    "                      [--svg OUT.svg] [--pdf OUT.pdf]\n"
    "                      [--keep-plot-data DIR]"
" [--columns NAMES] [--title TEXT] [--size WxH]\n"
    "                      [--cmap NAME]"
" [--contours N]\n"
    "                      [--landscape NAME [--noise A] [--noise-seed S] | --expr EXPR [--dim 1|2]\n"
    "                       | --input FILE] [--domain A:B[,C:D]]\n"
    "       deeprelax plot -h|--help\n\n"
    "Draws a table written by solve, widen, particles, slice or anything with a header row.\n"
    "  --kind K             auto (default: from the column names), or one of\n"
    "                       curves   1-D solve output t,x,f,u: f and u(x,t) at each t\n"
    "                       heatmap  columns x,y and a value (2-D solve, slice): the value at\n"
    "                                one t as a heatmap with contours, the minimum marked\n"
    "                       paths    particle,step,x[,y]: trajectories (2-D: over the\n"
    "                                landscape given by --landscape/--expr, if any)\n"
    "                       lines    the --y columns against the --x column\n"
    "  --t T[,T2,...]       curves: the times to draw (default all); heatmap: the time (default\n"
    "                       the last); the nearest time in the file within 1e-6 relative\n"
    "  --x COL, --y COLS    lines: x column (default the first) and y columns (default all\n"
    "                       others); heatmap: --y names the value column (default u, else the\n"
    "                       last column)\n"
    "  --group COL          lines: one line per value of COL (e.g. widen's track), with gaps\n"
    "                       where a group has no row\n"
    "  --log                lines, curves: logarithmic y axis; heatmap: log colour scale\n"
    "  --logx               lines: logarithmic x axis\n"
    "  --png OUT.png        the picture (default: FILE with .png; not written when only --gif,\n"
    "                       --svg or --pdf is given)\n"
    "  --svg OUT.svg, --pdf OUT.pdf  curves, lines, heatmap: the same figure as vector graphics\n"
    "                       (gnuplot; heatmaps with --log, --cmap or --contours are drawn by the\n"
    "                       built-in plotter, PNG only)\n"
    "  --gif OUT.gif        curves, heatmap: an animation of u(., t) over all the file's times\n"
    "                       (needs gnuplot)\n"
    "  --keep-plot-data DIR keep gnuplot's data and script in DIR, to restyle the figure\n"
    "  --columns NAMES      names of the columns (a .npy has none; default: solve's or\n"
    "                       particles' names when the shape fits, else c1,c2,...)\n"
    "  --title TEXT         title of gnuplot figures\n"
    "  --size WxH           picture size in pixels (default 900x560; heatmaps 720x600, the\n"
    "                       largest size, narrowed to the box's aspect)\n"
    "  --cmap NAME          heatmap colours: viridis (default), magma, diverging, grey\n"
    "  --contours N         heatmap: N automatic contour levels (default 14; 0 = none)\n"
    CLI_SOURCE_HELP
    "  -h, --help           this text\n";

enum { OPT_KIND = 3000, OPT_T, OPT_X, OPT_Y, OPT_LOG, OPT_LOGX, OPT_PNG, OPT_GIF, OPT_KEEP,
       OPT_COLUMNS, OPT_TITLE, OPT_SIZE, OPT_CMAP, OPT_CONTOURS, OPT_GROUP, OPT_HELP };

#define MAX_TIMES 1000

typedef struct {
    const char *file, *kind, *png, *gif, *keep, *xcol, *ycols, *group, *columns, *title;
    double t[MAX_TIMES];
    size_t nt;
    int log, logx;
    int width, height;
    dr_viz_cmap cmap;
    long contours;
    cli_source src;
    int have_source;
    /* the directory gnuplot's files go to: --keep-plot-data, or a temporary one */
    cli_plot_dir pd;
    const char *dir;
} plot_args;

static const dr_rgb black = {0, 0, 0};

/* ---------------------------------------------------------------- gnuplot's directory */

static const char *plot_dir(plot_args *a)
{
    if (!a->dir) {
        cli_plot_dir_open(&a->pd, a->keep);
        a->dir = a->pd.dir;
    }
    return a->dir;
}

/* A temporary directory held only this run's data and scripts. */
static void plot_dir_cleanup(plot_args *a)
{
    if (!a->dir) return;
    cli_plot_dir_close(&a->pd);
    a->dir = NULL;
}

static plot_args *cleanup_args;
static void cleanup_at_exit(void)
{
    if (cleanup_args) plot_dir_cleanup(cleanup_args);
}

static void note_no_gnuplot(void)
{
    static int said;
    if (!said++)
        fprintf(stderr, "deeprelax: note: gnuplot not found; drawing with the built-in plotter "
                        "(install gnuplot-nox for labelled figures)\n");
}

static void write_image(dr_viz_image *img, const char *png)
{
    if (!cli_has_ext(png, ".png")) cli_fail(cli_picture_needs_gnuplot(png));
    int st = dr_viz_png_write(img, png);
    dr_viz_image_free(img);
    if (st) cli_fail(st);
}

/* The libpng line plot, used when gnuplot is missing. */
static void fallback_lines(const plot_args *a, const double *x, size_t n,
                           const double *const *ys, size_t ncols, int logx, int logy)
{
    dr_viz_curve *c = calloc(ncols, sizeof *c);
    if (!c) cli_die(EXIT_FAIL, "out of memory");
    for (size_t k = 0; k < ncols; k++) c[k] = (dr_viz_curve){.x = x, .y = ys[k], .n = n};
    dr_viz_lineplot_options o = {.width = (size_t)a->width, .height = (size_t)a->height,
                                 .logx = logx, .logy = logy};
    dr_viz_image img;
    int st = dr_viz_lineplot(&img, c, ncols, &o);
    free(c);
    if (st) cli_fail(st);
    write_image(&img, a->png);
}

static dr_gnuplot_options gnuplot_options(plot_args *a, const char *name, const char *title,
                                          const char *xlabel, const char *ylabel)
{
    return (dr_gnuplot_options){.dir = plot_dir(a), .name = name, .output = a->png,
                                .width = a->width, .height = a->height,
                                .title = a->title ? a->title : title, .xlabel = xlabel,
                                .ylabel = ylabel};
}

static void make_gif(plot_args *a, const dr_grid *g, const double *f, const double *u,
                     const double *t, size_t nt, const char *what)
{
    dr_gnuplot_options o = {.dir = plot_dir(a), .name = "animation", .output = a->gif,
                            .title = a->title ? a->title : what, .xlabel = "x",
                            .ylabel = g->dim == 1 ? "f, u(x,t)" : "y"};
    /* about four seconds in all, at least 0.08 s a frame */
    int delay = nt > 50 ? 8 : (int)(400 / (nt ? nt : 1));
    int st = dr_gnuplot_animation(&o, g, f, u, t, nt, delay);
    if (st == DR_EUNSUPPORTED)
        cli_die(EXIT_FAIL, "plot: --gif needs gnuplot, which is not in PATH (install gnuplot-nox)");
    if (st) cli_fail(st);
    printf("wrote %s (%zu frames)\n", a->gif, nt);
}

/* ---------------------------------------------------------------- table helpers */

static int need_column(const plot_table *tb, const char *name, const char *kind, const char *file)
{
    int c = plot_table_column(tb, name);
    if (c < 0) {
        char have[512] = "";
        for (size_t k = 0; k < tb->cols; k++) {
            size_t len = strlen(have);
            snprintf(have + len, sizeof have - len, "%s%s", k ? "," : "", tb->names[k]);
        }
        cli_die(EXIT_USAGE, "plot: --kind %s needs a column '%s'; %s has %s", kind, name, file,
                have);
    }
    return c;
}

/* Distinct values of column c in order of first appearance. */
static size_t distinct_values(const plot_table *tb, int c, double *out, size_t max)
{
    size_t n = 0;
    for (size_t r = 0; r < tb->rows; r++) {
        double v = plot_table_at(tb, r, c);
        if (n && out[n - 1] == v) continue;
        size_t k = 0;
        while (k < n && out[k] != v) k++;
        if (k < n) continue;
        if (n == max)
            cli_die(EXIT_FAIL, "plot: column '%s' has more than %zu distinct values",
                    tb->names[c], max);
        out[n++] = v;
    }
    return n;
}

/* Index among times[] of the time nearest `want`, which must agree to 1e-6 relative. */
static size_t pick_time(const double *times, size_t nt, double want, const char *file)
{
    size_t best = 0;
    for (size_t k = 1; k < nt; k++)
        if (fabs(times[k] - want) < fabs(times[best] - want)) best = k;
    if (fabs(times[best] - want) > 1e-12 + 1e-6 * fabs(want)) {
        char list[256] = "";
        for (size_t k = 0; k < nt && k < 12; k++) {
            size_t len = strlen(list);
            snprintf(list + len, sizeof list - len, "%s%g", k ? ", " : "", times[k]);
        }
        cli_die(EXIT_USAGE, "plot: %s has no rows at t = %g (its times: %s%s)", file, want,
                list, nt > 12 ? ", ..." : "");
    }
    return best;
}

/* The rows of one t block, in file order. */
static size_t rows_at(const plot_table *tb, int tcol, double t, size_t *rows)
{
    size_t n = 0;
    for (size_t r = 0; r < tb->rows; r++)
        if (tcol < 0 || plot_table_at(tb, r, tcol) == t) rows[n++] = r;
    return n;
}

/* A uniform axis from n values in increasing order (relative tolerance 1e-6 of the spacing). */
static int uniform_axis(const double *v, size_t n, size_t stride)
{
    if (n < 2) return 0;
    double lo = v[0], hi = v[(n - 1) * stride], h = (hi - lo) / (double)(n - 1);
    if (!(h > 0)) return 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(v[i * stride] - (lo + (double)i * h)) > 1e-6 * h) return 0;
    return 1;
}

/* ---------------------------------------------------------------- curves */

static void plot_curves(plot_args *a, const plot_table *tb)
{
    int tc = need_column(tb, "t", "curves", a->file), xc = need_column(tb, "x", "curves", a->file);
    int fc = need_column(tb, "f", "curves", a->file), uc = need_column(tb, "u", "curves", a->file);
    double *times = malloc(MAX_TIMES * sizeof *times);
    size_t *rows = malloc(tb->rows * sizeof *rows);
    if (!times || !rows) cli_die(EXIT_FAIL, "out of memory");
    size_t ntimes = distinct_values(tb, tc, times, MAX_TIMES);
    size_t n = rows_at(tb, tc, times[0], rows);
    if (n < 2) {
        double t0 = times[0];
        free(times);
        free(rows);
        cli_die(EXIT_FAIL, "plot: %s has %zu point(s) at t = %g; curves need 2", a->file, n, t0);
    }
    double *x = malloc(n * sizeof *x), *f = malloc(n * sizeof *f);
    size_t nsel = a->nt ? a->nt : ntimes;
    double *u = malloc(ntimes * n * sizeof *u), *tsel = malloc(ntimes * sizeof *tsel);
    if (!x || !f || !u || !tsel) cli_die(EXIT_FAIL, "out of memory");
    for (size_t i = 0; i < n; i++) {
        x[i] = plot_table_at(tb, rows[i], xc);
        f[i] = plot_table_at(tb, rows[i], fc);
        if (i && !(x[i] > x[i - 1]))
            cli_die(EXIT_FAIL, "plot: %s: x is not increasing within t = %g (row %zu)", a->file,
                    times[0], rows[i] + 1);
    }
    /* every t block must sample the same x */
    double *uall = malloc(ntimes * n * sizeof *uall);
    if (!uall) cli_die(EXIT_FAIL, "out of memory");
    for (size_t k = 0; k < ntimes; k++) {
        size_t m = rows_at(tb, tc, times[k], rows);
        if (m != n)
            cli_die(EXIT_FAIL, "plot: %s has %zu points at t = %g but %zu at t = %g", a->file, m,
                    times[k], n, times[0]);
        for (size_t i = 0; i < n; i++) {
            if (plot_table_at(tb, rows[i], xc) != x[i])
                cli_die(EXIT_FAIL, "plot: %s: the x values at t = %g differ from those at t = %g",
                        a->file, times[k], times[0]);
            uall[k * n + i] = plot_table_at(tb, rows[i], uc);
        }
    }
    for (size_t k = 0; k < nsel; k++) {
        size_t j = a->nt ? pick_time(times, ntimes, a->t[k], a->file) : k;
        tsel[k] = times[j];
        memcpy(u + k * n, uall + j * n, n * sizeof *u);
    }
    if (a->png) {
        char title[256];
        snprintf(title, sizeof title, "f and its relaxation u(x,t): %s", a->file);
        dr_gnuplot_options o = gnuplot_options(a, "curves", title, "x", "f, u(x,t)");
        o.logy = a->log;
        int st = dr_gnuplot_curve_family(&o, x, n, f, u, tsel, nsel);
        if (st == DR_EUNSUPPORTED) {
            note_no_gnuplot();
            const double **ys = malloc((nsel + 1) * sizeof *ys);
            if (!ys) cli_die(EXIT_FAIL, "out of memory");
            ys[0] = f;
            for (size_t k = 0; k < nsel; k++) ys[k + 1] = u + k * n;
            fallback_lines(a, x, n, ys, nsel + 1, 0, a->log);
            free(ys);
        } else if (st) {
            cli_fail(st);
        }
        printf("wrote %s (curves: f and u at %zu time%s, %zu points)\n", a->png, nsel,
               nsel == 1 ? "" : "s", n);
    }
    if (a->gif) {
        dr_grid g;
        size_t gn[2] = {n, 1};
        double lo[2] = {x[0], 0}, hi[2] = {x[n - 1], 1};
        if (!uniform_axis(x, n, 1) || dr_grid_init(&g, 1, gn, lo, hi))
            cli_die(EXIT_FAIL, "plot: --gif needs x on a uniform grid (%s)", a->file);
        make_gif(a, &g, f, uall, times, ntimes, "u(x, t)");
    }
    free(uall); free(times); free(rows); free(x); free(f); free(u); free(tsel);
}

/* ---------------------------------------------------------------- heatmap */

/* The value column of a heatmap: --y, else u, else the last column that is not t, x or y. */
static int value_column(const plot_args *a, const plot_table *tb)
{
    if (a->ycols) {
        if (strchr(a->ycols, ','))
            cli_die(EXIT_USAGE, "plot: --kind heatmap draws one column; --y '%s' names several",
                    a->ycols);
        return need_column(tb, a->ycols, "heatmap", a->file);
    }
    int c = plot_table_column(tb, "u");
    for (int k = (int)tb->cols - 1; c < 0 && k >= 0; k--)
        if (strcmp(tb->names[k], "t") && strcmp(tb->names[k], "x") && strcmp(tb->names[k], "y"))
            c = k;
    if (c < 0)
        cli_die(EXIT_USAGE, "plot: --kind heatmap needs a value column besides t, x and y in %s",
                a->file);
    return c;
}

/* Recognises the grid of one block of rows (x fastest) and copies the field out of it. */
static void block_grid(const plot_args *a, const plot_table *tb, const size_t *rows, size_t m,
                       int xc, int yc, int vc, dr_grid *g, double *field)
{
    size_t nx = 1;
    while (nx < m && plot_table_at(tb, rows[nx], xc) > plot_table_at(tb, rows[nx - 1], xc)) nx++;
    size_t ny = m / nx;
    if (nx < 2 || ny < 2 || nx * ny != m)
        cli_die(EXIT_FAIL, "plot: %s: the %zu rows of a block do not form an x-fastest grid "
                "(%zu x values in the first scan line)", a->file, m, nx);
    double *xs = malloc(nx * sizeof *xs), *ys = malloc(ny * sizeof *ys);
    if (!xs || !ys) cli_die(EXIT_FAIL, "out of memory");
    for (size_t i = 0; i < nx; i++) xs[i] = plot_table_at(tb, rows[i], xc);
    for (size_t j = 0; j < ny; j++) ys[j] = plot_table_at(tb, rows[j * nx], yc);
    for (size_t r = 0; r < m; r++)
        if (plot_table_at(tb, rows[r], xc) != xs[r % nx] ||
            plot_table_at(tb, rows[r], yc) != ys[r / nx])
            cli_die(EXIT_FAIL, "plot: %s: row %zu breaks the x-fastest grid layout", a->file,
                    rows[r] + 1);
    if (!uniform_axis(xs, nx, 1) || !uniform_axis(ys, ny, 1))
        cli_die(EXIT_FAIL, "plot: %s: a heatmap needs uniformly spaced, increasing x and y",
                a->file);
    size_t n[2] = {nx, ny};
    double lo[2] = {xs[0], ys[0]}, hi[2] = {xs[nx - 1], ys[ny - 1]};
    free(xs);
    free(ys);
    if (dr_grid_init(g, 2, n, lo, hi)) cli_fail(DR_EINVAL);
    for (size_t r = 0; r < m; r++) field[r] = plot_table_at(tb, rows[r], vc);
}

/* The heatmap by gnuplot (docs/STYLE.md), when the built-in plotter's own options (--log,
 * --cmap, --contours) are at their defaults: 1 if drawn, 0 to fall back to the built-in one. */
static int heatmap_gnuplot(plot_args *a, const plot_table *tb, const dr_grid *g,
                           const double *field, double t, int vc)
{
    if (a->log || a->cmap != DR_CMAP_VIRIDIS || a->contours != 14) return 0;
    double marks[2 * 16];
    char panel[128], title[192];
    const char *what = plot_column_meaning(tb->names[vc]);
    if (isnan(t)) snprintf(panel, sizeof panel, "%s", what);
    else snprintf(panel, sizeof panel, "%s at t = %g", what, t);
    snprintf(title, sizeof title, "%s; × marks the global minima", a->title ? a->title : a->file);
    dr_gnuplot_panel p = {.field = field, .title = panel, .marks = marks,
                          .nmarks = cli_global_minima(g, field, marks, 16)};
    dr_gnuplot_options o = gnuplot_options(a, "heatmap", title, "x", "y");
    o.title = title;
    o.cblabel = what;
    o.width = a->width ? a->width : 720;
    o.height = a->height ? a->height : 600;
    int st = dr_gnuplot_heatmaps(&o, g, &p, 1, DR_HEATMAP_SHARED);
    if (st == DR_EUNSUPPORTED) {
        note_no_gnuplot();
        dr_error_clear();
        return 0;
    }
    if (st) cli_fail(st);
    size_t best = SIZE_MAX, size = dr_grid_size(g);
    for (size_t i = 0; i < size; i++)
        if (isfinite(field[i]) && (best == SIZE_MAX || field[i] < field[best])) best = i;
    printf("wrote %s (heatmap of %s", a->png, tb->names[vc]);
    if (!isnan(t)) printf(" at t = %g", t);
    printf(", %zu x %zu grid; minimum %.6g at (%.6g, %.6g); %zu global minim%s marked)\n",
           g->n[0], g->n[1], best != SIZE_MAX ? field[best] : NAN,
           best != SIZE_MAX ? dr_grid_coord(g, 0, best % g->n[0]) : NAN,
           best != SIZE_MAX ? dr_grid_coord(g, 1, best / g->n[0]) : NAN, p.nmarks,
           p.nmarks == 1 ? "um" : "a");
    return 1;
}

static void plot_heatmap(plot_args *a, const plot_table *tb)
{
    int xc = need_column(tb, "x", "heatmap", a->file), yc = need_column(tb, "y", "heatmap", a->file);
    int vc = value_column(a, tb), tc = plot_table_column(tb, "t");
    double *times = malloc(MAX_TIMES * sizeof *times);
    size_t *rows = malloc(tb->rows * sizeof *rows);
    double *field = malloc(tb->rows * sizeof *field);
    if (!times || !rows || !field) cli_die(EXIT_FAIL, "out of memory");
    size_t ntimes = tc >= 0 ? distinct_values(tb, tc, times, MAX_TIMES) : 1;
    if (a->nt > 1)
        cli_die(EXIT_USAGE, "plot: --kind heatmap draws one time; --t has %zu (use --gif for "
                "all)", a->nt);
    size_t k = tc < 0 ? 0 : a->nt ? pick_time(times, ntimes, a->t[0], a->file) : ntimes - 1;
    if (tc < 0) times[0] = NAN;
    dr_grid g;
    size_t m = rows_at(tb, tc, times[k], rows);
    block_grid(a, tb, rows, m, xc, yc, vc, &g, field);
    size_t size = dr_grid_size(&g);

    if (a->png && heatmap_gnuplot(a, tb, &g, field, tc >= 0 ? times[k] : NAN, vc)) {
        /* drawn by gnuplot */
    } else if (a->png) {
        dr_viz_heatmap_options ho = {.width = (size_t)(a->width ? a->width : 720),
                                     .height = (size_t)(a->height ? a->height : 600) - 34,
                                     .cmap = a->cmap, .log = a->log,
                                     .ncontours = (size_t)a->contours};
        dr_viz_image map;
        dr_viz_frame fr;
        int st = dr_viz_heatmap_figure(&map, &fr, &g, field, &ho);
        if (st) cli_fail(st);
        size_t best = SIZE_MAX;
        for (size_t i = 0; i < size; i++)
            if (isfinite(field[i]) && (best == SIZE_MAX || field[i] < field[best])) best = i;
        if (best != SIZE_MAX)
            dr_viz_mark(&fr, dr_grid_coord(&g, 0, best % g.n[0]), dr_grid_coord(&g, 1, best / g.n[0]),
                        DR_MARK_CROSS, 16, (dr_viz_pen){{220, 30, 30}, 3.0, 1});
        /* a label band above the map: the built-in font has the letters of "f t u x y" */
        const size_t band = 34;
        dr_viz_image whole;
        if (dr_viz_image_alloc(&whole, map.width, map.height + band, (dr_rgb){255, 255, 255}))
            cli_fail(DR_ENOMEM);
        for (size_t y = 0; y < map.height; y++)
            memcpy(whole.pixels + 3 * (y + band) * whole.width, map.pixels + 3 * y * map.width,
                   3 * map.width);
        char label[96];
        if (tc >= 0) snprintf(label, sizeof label, "%s  t = %g", tb->names[vc], times[k]);
        else snprintf(label, sizeof label, "%s", tb->names[vc]);
        int tw = dr_viz_text_width(label, 3);
        dr_viz_text(&whole, (int)whole.width / 2 - tw / 2, 8, label, 3, black);
        dr_viz_image_free(&map);
        write_image(&whole, a->png);
        printf("wrote %s (heatmap of %s", a->png, tb->names[vc]);
        if (tc >= 0) printf(" at t = %g", times[k]);
        printf(", %zu x %zu grid; minimum %.6g at (%.6g, %.6g))\n", g.n[0], g.n[1],
               best != SIZE_MAX ? field[best] : NAN,
               best != SIZE_MAX ? dr_grid_coord(&g, 0, best % g.n[0]) : NAN,
               best != SIZE_MAX ? dr_grid_coord(&g, 1, best / g.n[0]) : NAN);
    }
    if (a->gif) {
        if (tc < 0) cli_die(EXIT_USAGE, "plot: --gif needs a t column (%s has none)", a->file);
        double *all = malloc(ntimes * size * sizeof *all);
        if (!all) cli_die(EXIT_FAIL, "out of memory");
        for (size_t j = 0; j < ntimes; j++) {
            dr_grid gj;
            m = rows_at(tb, tc, times[j], rows);
            block_grid(a, tb, rows, m, xc, yc, vc, &gj, all + j * size);
            if (gj.n[0] != g.n[0] || gj.n[1] != g.n[1])
                cli_die(EXIT_FAIL, "plot: %s: the grid at t = %g differs from the one at t = %g",
                        a->file, times[j], times[k]);
        }
        char what[64];
        snprintf(what, sizeof what, "%s(x, y, t)", tb->names[vc]);
        /* the shared colour range covers the frames only: pass the first frame as "f" */
        make_gif(a, &g, all, all, times, ntimes, what);
        free(all);
    }
    free(times); free(rows); free(field);
}

/* ---------------------------------------------------------------- paths */

static int cmp_double(const void *p, const void *q)
{
    double a = *(const double *)p, b = *(const double *)q;
    return (a > b) - (a < b);
}

/* 1-D: x against step, one line per particle. */
static void paths_1d(plot_args *a, const plot_table *tb, int pc, int sc, int xc,
                     const double *ids, size_t np)
{
    double *steps = malloc(tb->rows * sizeof *steps);
    if (!steps) cli_die(EXIT_FAIL, "out of memory");
    for (size_t r = 0; r < tb->rows; r++) steps[r] = plot_table_at(tb, r, sc);
    qsort(steps, tb->rows, sizeof *steps, cmp_double);
    size_t ns = 0;
    for (size_t r = 0; r < tb->rows; r++)
        if (ns == 0 || steps[r] != steps[ns - 1]) steps[ns++] = steps[r];
    double *xs = malloc(np * ns * sizeof *xs);
    const double **cols = malloc(np * sizeof *cols);
    char **labels = calloc(np, sizeof *labels);
    if (!xs || !cols || !labels) cli_die(EXIT_FAIL, "out of memory");
    for (size_t i = 0; i < np * ns; i++) xs[i] = NAN;
    for (size_t r = 0; r < tb->rows; r++) {
        double id = plot_table_at(tb, r, pc), s = plot_table_at(tb, r, sc);
        size_t k = 0;
        while (ids[k] != id) k++;
        const double *hit = bsearch(&s, steps, ns, sizeof *steps, cmp_double);
        xs[k * ns + (size_t)(hit - steps)] = plot_table_at(tb, r, xc);
    }
    for (size_t k = 0; k < np; k++) {
        cols[k] = xs + k * ns;
        if (np <= 8) {
            labels[k] = malloc(32);
            if (labels[k]) snprintf(labels[k], 32, "particle %g", ids[k]);
        }
    }
    dr_gnuplot_options o = gnuplot_options(a, "paths", "particle paths", "step", "x");
    o.points = ns <= 30;
    int st = dr_gnuplot_lines(&o, steps, ns, cols, (const char *const *)labels, np);
    if (st == DR_EUNSUPPORTED) {
        note_no_gnuplot();
        fallback_lines(a, steps, ns, cols, np, 0, 0);
    } else if (st) {
        cli_fail(st);
    }
    for (size_t k = 0; k < np; k++) free(labels[k]);
    free(labels); free(cols); free(xs); free(steps);
}

/* 2-D: polylines on the landscape's heatmap (if one was given) or on plain axes; each path
 * starts at a ring and ends at a dot. */
static void paths_2d(plot_args *a, const plot_table *tb, int pc, int sc, int xc, int yc,
                     const double *ids, size_t np)
{
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    for (size_t r = 0; r < tb->rows; r++)
        for (int d = 0; d < 2; d++) {
            double v = plot_table_at(tb, r, d ? yc : xc);
            if (isfinite(v)) { lo[d] = fmin(lo[d], v); hi[d] = fmax(hi[d], v); }
        }
    if (!(hi[0] >= lo[0]) || !(hi[1] >= lo[1]))
        cli_die(EXIT_FAIL, "plot: %s has no finite particle positions", a->file);
    dr_viz_image img;
    dr_viz_frame fr;
    size_t W = (size_t)(a->width ? a->width : 720), H = (size_t)(a->height ? a->height : 600);
    if (a->have_source) {
        double dlo[2], dhi[2];
        dr_landscape *f = cli_source_load(&a->src, dlo, dhi);
        if (dr_landscape_dim(f) != 2)
            cli_die(EXIT_USAGE, "plot: 2-D paths need a 2-D landscape underneath");
        dr_grid g;
        size_t n[2] = {257, 257};
        if (dr_grid_init(&g, 2, n, dlo, dhi)) cli_fail(DR_EINVAL);
        double *field = malloc(dr_grid_size(&g) * sizeof *field);
        if (!field) cli_die(EXIT_FAIL, "out of memory");
        dr_landscape_sample(f, &g, field);
        dr_viz_heatmap_options ho = {.width = W, .height = H, .cmap = a->cmap, .log = a->log,
                                     .ncontours = (size_t)a->contours};
        int st = dr_viz_heatmap_figure(&img, &fr, &g, field, &ho);
        free(field);
        dr_landscape_free(f);
        if (st) cli_fail(st);
    } else {
        for (int d = 0; d < 2; d++) {
            double pad = 0.05 * (hi[d] - lo[d]) + (hi[d] > lo[d] ? 0 : 0.5 + 0.05 * fabs(lo[d]));
            lo[d] -= pad;
            hi[d] += pad;
        }
        if (W < 200 || H < 160) cli_die(EXIT_USAGE, "plot: --size %zux%zu is too small", W, H);
        if (dr_viz_image_alloc(&img, W, H, (dr_rgb){255, 255, 255})) cli_fail(DR_ENOMEM);
        if (dr_viz_frame_init(&fr, &img, 78, 24, (int)W - 24, (int)H - 44, lo[0], hi[0], lo[1],
                              hi[1]))
            cli_fail(DR_EINVAL);
        dr_viz_axes(&fr, 0, 0);
    }
    /* each particle's rows, in step order, as one polyline */
    size_t *order = malloc(tb->rows * sizeof *order);
    double *px = malloc(tb->rows * sizeof *px), *py = malloc(tb->rows * sizeof *py);
    double *st = malloc(tb->rows * sizeof *st);
    if (!order || !px || !py || !st) cli_die(EXIT_FAIL, "out of memory");
    for (size_t k = 0; k < np; k++) {
        size_t m = 0;
        for (size_t r = 0; r < tb->rows; r++)
            if (plot_table_at(tb, r, pc) == ids[k]) order[m++] = r;
        /* rows are usually in step order already; insertion sort keeps that case linear */
        for (size_t i = 1; i < m; i++)
            for (size_t j = i; j > 0 && plot_table_at(tb, order[j - 1], sc) >
                                        plot_table_at(tb, order[j], sc); j--) {
                size_t tmp = order[j]; order[j] = order[j - 1]; order[j - 1] = tmp;
            }
        for (size_t i = 0; i < m; i++) {
            px[i] = plot_table_at(tb, order[i], xc);
            py[i] = plot_table_at(tb, order[i], yc);
            st[i] = plot_table_at(tb, order[i], sc);
        }
        dr_rgb c = np == 1 ? (dr_rgb){230, 40, 40} : dr_viz_palette(k);
        dr_viz_pen pen = {c, np > 20 ? 1.2 : 2.0, np <= 20};
        dr_viz_polyline(&fr, px, py, m, 1, pen);
        dr_viz_mark(&fr, px[0], py[0], DR_MARK_CIRCLE, 10, pen);
        dr_viz_mark(&fr, px[m - 1], py[m - 1], DR_MARK_DOT, 9, (dr_viz_pen){c, 1, 1});
    }
    free(order); free(px); free(py); free(st);
    write_image(&img, a->png);
}

static void plot_paths(plot_args *a, const plot_table *tb)
{
    int pc = need_column(tb, "particle", "paths", a->file);
    int sc = need_column(tb, "step", "paths", a->file);
    int xc = need_column(tb, "x", "paths", a->file), yc = plot_table_column(tb, "y");
    if (a->gif) cli_die(EXIT_USAGE, "plot: --gif draws curves and heatmaps, not paths");
    if (!a->png) return;
    double *ids = malloc(tb->rows * sizeof *ids);
    if (!ids) cli_die(EXIT_FAIL, "out of memory");
    size_t np = distinct_values(tb, pc, ids, tb->rows);
    if (yc >= 0) paths_2d(a, tb, pc, sc, xc, yc, ids, np);
    else paths_1d(a, tb, pc, sc, xc, ids, np);
    printf("wrote %s (paths of %zu particle%s, %s)\n", a->png, np, np == 1 ? "" : "s",
           yc >= 0 ? "2-D" : "x against step");
    free(ids);
}

/* ---------------------------------------------------------------- lines */

/* Do rows that share an x value also share every y value (exact repeats, as when a sweep
 * writes one row per minimum with per-t columns)? Then each x is one point. */
static int repeats_agree(const plot_table *tb, int xcol, const int *yc, size_t ny)
{
    for (size_t r = 1; r < tb->rows; r++)
        for (size_t q = 0; q < r; q++) {
            if (plot_table_at(tb, q, xcol) != plot_table_at(tb, r, xcol)) continue;
            for (size_t k = 0; k < ny; k++) {
                double u = plot_table_at(tb, q, yc[k]), v = plot_table_at(tb, r, yc[k]);
                if (u != v && !(isnan(u) && isnan(v))) return 0;
            }
            break;
        }
    return 1;
}

/* The y axis: what the columns measure; curvature and its bounds share one name. */
static void lines_ylabel(const plot_table *tb, const int *yc, size_t ny, char *ylabel, size_t size)
{
    ylabel[0] = 0;
    int curvatures = 1;
    static const char *const family[] = {"semiconcavity", "bound_inv_t", "bound_C", "gibbs",
                                         "curvature", "eig_min", "eig_max"};
    for (size_t k = 0; k < ny; k++) {
        int in = 0;
        for (size_t i = 0; i < sizeof family / sizeof family[0]; i++)
            in |= !strcmp(tb->names[yc[k]], family[i]);
        curvatures &= in;
    }
    if (curvatures && ny > 1) {
        snprintf(ylabel, size, "curvature (eigenvalue of D²u)");
        return;
    }
    for (size_t k = 0; k < ny && strlen(ylabel) + 56 < size; k++) {
        size_t len = strlen(ylabel);
        snprintf(ylabel + len, size - len, "%s%s", k ? ", " : "",
                 plot_column_meaning(tb->names[yc[k]]));
    }
}

static void plot_lines(plot_args *a, const plot_table *tb)
{
    if (a->gif) cli_die(EXIT_USAGE, "plot: --gif draws curves and heatmaps, not lines");
    if (!a->png) return;
    size_t rows = tb->rows;
    int xcol = -1, yc[PLOT_MAX_COLUMNS], gcol = -1;
    const char *xname = "row";
    if (a->xcol) xcol = need_column(tb, a->xcol, "lines", a->file);
    else if (tb->cols > 1) xcol = 0;
    if (xcol >= 0) xname = tb->names[xcol];
    if (a->group) gcol = need_column(tb, a->group, "lines", a->file);
    size_t ny = 0;
    if (a->ycols) {
        char *list = strdup(a->ycols);
        if (!list) cli_die(EXIT_FAIL, "out of memory");
        for (char *s = strtok(list, ","); s && ny < PLOT_MAX_COLUMNS; s = strtok(NULL, ","))
            yc[ny++] = need_column(tb, s, "lines", a->file);
        free(list);
        if (ny == 0) cli_die(EXIT_USAGE, "plot: --y names no column");
    } else {
        for (size_t c = 0; c < tb->cols; c++)
            if ((int)c != xcol && (int)c != gcol) yc[ny++] = (int)c;
        if (ny == 0) cli_die(EXIT_USAGE, "plot: %s has no column to draw against %s", a->file,
                             xname);
    }
    /* Series: one per y column, or per (group value, y column) with --group. Points are placed
     * on the sorted distinct x values when the x column has repeats that a group or exact
     * duplicates explain; otherwise rows are drawn in file order. */
    double *groups = malloc(rows * sizeof *groups);
    double *xs = malloc(rows * sizeof *xs);
    if (!groups || !xs) cli_die(EXIT_FAIL, "out of memory");
    size_t ng = gcol >= 0 ? distinct_values(tb, gcol, groups, rows) : 1;
    for (size_t r = 0; r < rows; r++) xs[r] = xcol >= 0 ? plot_table_at(tb, r, xcol) : (double)r;
    size_t n = rows;
    int by_x = xcol >= 0 && (gcol >= 0 || repeats_agree(tb, xcol, yc, ny));
    if (by_x) {
        qsort(xs, rows, sizeof *xs, cmp_double);
        n = 0;
        for (size_t r = 0; r < rows; r++)
            if (isfinite(xs[r]) && (n == 0 || xs[r] != xs[n - 1])) xs[n++] = xs[r];
        if (n == 0) cli_die(EXIT_FAIL, "plot: %s: column '%s' has no finite value", a->file, xname);
    }
    size_t nseries = ng * ny;
    if (nseries > 200)
        cli_die(EXIT_USAGE, "plot: %zu lines (%zu groups x %zu columns) are too many to draw "
                "(at most 200)", nseries, ng, ny);
    double *vals = malloc(nseries * n * sizeof *vals);
    const double **ys = malloc(nseries * sizeof *ys);
    char **labels = calloc(nseries, sizeof *labels);
    if (!vals || !ys || !labels) cli_die(EXIT_FAIL, "out of memory");
    for (size_t i = 0; i < nseries * n; i++) vals[i] = NAN;
    for (size_t r = 0; r < rows; r++) {
        size_t gi = 0, xi = r;
        if (gcol >= 0)
            while (groups[gi] != plot_table_at(tb, r, gcol)) gi++;
        if (by_x) {
            double xv = plot_table_at(tb, r, xcol);
            const double *hit = bsearch(&xv, xs, n, sizeof *xs, cmp_double);
            if (!hit) continue;
            xi = (size_t)(hit - xs);
        }
        for (size_t k = 0; k < ny; k++) {
            double *slot = &vals[(gi * ny + k) * n + xi];
            if (isnan(*slot)) *slot = plot_table_at(tb, r, yc[k]);
        }
    }
    for (size_t g = 0; g < ng; g++)
        for (size_t k = 0; k < ny; k++) {
            size_t s = g * ny + k;
            ys[s] = vals + s * n;
            if (nseries > 12) continue; /* a legend of more lines hides the plot */
            labels[s] = malloc(128);
            if (!labels[s]) cli_die(EXIT_FAIL, "out of memory");
            if (gcol >= 0)
                snprintf(labels[s], 128, "%s (%s %g)", plot_column_meaning(tb->names[yc[k]]),
                         tb->names[gcol], groups[g]);
            else
                snprintf(labels[s], 128, "%s", plot_column_meaning(tb->names[yc[k]]));
        }
    char ylabel[256];
    lines_ylabel(tb, yc, ny, ylabel, sizeof ylabel);
    dr_gnuplot_options o = gnuplot_options(a, "lines", a->file, xname, ylabel);
    o.logx = a->logx;
    o.logy = a->log;
    o.points = n <= 60;
    int st = dr_gnuplot_lines(&o, xs, n, ys, (const char *const *)labels, nseries);
    if (st == DR_EUNSUPPORTED) {
        note_no_gnuplot();
        fallback_lines(a, xs, n, ys, nseries, a->logx, a->log);
    } else if (st) {
        cli_fail(st);
    }
    printf("wrote %s (lines: %zu column%s against %s", a->png, ny, ny == 1 ? "" : "s", xname);
    if (gcol >= 0) printf(", %zu groups by %s", ng, tb->names[gcol]);
    printf(", %zu points each)\n", n);
    for (size_t s = 0; s < nseries; s++) free(labels[s]);
    free(labels); free(ys); free(vals); free(xs); free(groups);
}

/* ---------------------------------------------------------------- command */

static const char *auto_kind(const plot_table *tb)
{
    int has[6];
    const char *names[6] = {"t", "x", "y", "u", "particle", "step"};
    for (int k = 0; k < 6; k++) has[k] = plot_table_column(tb, names[k]) >= 0;
    if (has[4] && has[5] && has[1]) return "paths";
    if (has[1] && has[2] && tb->cols >= 3) return "heatmap";
    if (has[0] && has[1] && has[3] && plot_table_column(tb, "f") >= 0) return "curves";
    return "lines";
}

static void parse_size(plot_args *a, const char *s)
{
    char *end;
    long w = strtol(s, &end, 10);
    if (end == s || (*end != 'x' && *end != 'X'))
        cli_die(EXIT_USAGE, "plot: --size must be WxH in pixels (got '%s')", s);
    const char *hs = end + 1;
    long h = strtol(hs, &end, 10);
    if (end == hs || *end || w < 200 || h < 160 || w > 8000 || h > 8000)
        cli_die(EXIT_USAGE, "plot: --size must be WxH with 200 <= W, 160 <= H, both <= 8000 "
                "(got '%s')", s);
    a->width = (int)w;
    a->height = (int)h;
}

/* The PNG (and GIF) first, then each vector picture of the same figure. */
static void plot_pictures(plot_args *a, const plot_table *tb, const char *k, const char *vector[2])
{
    const char *pictures[3] = {a->png, vector[0], vector[1]};
    for (int i = 0; i < 3; i++) {
        if (i > 0 && !pictures[i]) continue;
        a->png = pictures[i];
        if (i > 0) a->gif = NULL;
        if (!strcmp(k, "curves")) plot_curves(a, tb);
        else if (!strcmp(k, "heatmap")) plot_heatmap(a, tb);
        else if (!strcmp(k, "paths")) plot_paths(a, tb);
        else plot_lines(a, tb);
    }
}

int cmd_plot(int argc, char **argv)
{
    static const struct option options[] = {
        CLI_SOURCE_OPTIONS,
        {"kind", required_argument, 0, OPT_KIND},
        {"t", required_argument, 0, OPT_T},
        {"x", required_argument, 0, OPT_X},
        {"y", required_argument, 0, OPT_Y},
        {"log", no_argument, 0, OPT_LOG},
        {"logx", no_argument, 0, OPT_LOGX},
        {"png", required_argument, 0, OPT_PNG},
        {"svg", required_argument, 0, OPT_FIG_SVG},
        {"pdf", required_argument, 0, OPT_FIG_PDF},
        {"gif", required_argument, 0, OPT_GIF},
        {"keep-plot-data", required_argument, 0, OPT_KEEP},
        {"columns", required_argument, 0, OPT_COLUMNS},
        {"title", required_argument, 0, OPT_TITLE},
        {"size", required_argument, 0, OPT_SIZE},
        {"cmap", required_argument, 0, OPT_CMAP},
        {"contours", required_argument, 0, OPT_CONTOURS},
        {"group", required_argument, 0, OPT_GROUP},
        {"help", no_argument, 0, OPT_HELP},
        {0, 0, 0, 0}};
    static plot_args a; /* large (the --t list); one per process */
    const char *vector[2] = {NULL, NULL}; /* --svg, --pdf */
    memset(&a, 0, sizeof a);
    a.kind = "auto";
    a.contours = 14;
    cleanup_args = &a;
    atexit(cleanup_at_exit); /* error exits leave no temporary directory behind */
    cli_source_init(&a.src);
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (cli_source_option(&a.src, opt, optarg)) {
            if (opt == OPT_LANDSCAPE || opt == OPT_EXPR || opt == OPT_INPUT) a.have_source = 1;
            continue;
        }
        switch (opt) {
        case OPT_KIND: a.kind = optarg; break;
        case OPT_T: a.nt = cli_double_list("--t", optarg, a.t, MAX_TIMES); break;
        case OPT_X: a.xcol = optarg; break;
        case OPT_Y: a.ycols = optarg; break;
        case OPT_GROUP: a.group = optarg; break;
        case OPT_LOG: a.log = 1; break;
        case OPT_LOGX: a.logx = 1; break;
        case OPT_PNG: a.png = optarg; break;
        case OPT_FIG_SVG: vector[0] = optarg; break;
        case OPT_FIG_PDF: vector[1] = optarg; break;
        case OPT_GIF: a.gif = optarg; break;
        case OPT_KEEP: a.keep = optarg; break;
        case OPT_COLUMNS: a.columns = optarg; break;
        case OPT_TITLE: a.title = optarg; break;
        case OPT_SIZE: parse_size(&a, optarg); break;
        case OPT_CMAP:
            if (dr_viz_cmap_parse(optarg, &a.cmap)) cli_fail(DR_ENOTFOUND);
            break;
        case OPT_CONTOURS: a.contours = cli_long("--contours", optarg, 0, 100); break;
        case 'h':
        case OPT_HELP: fputs(usage_text, stdout); return 0;
        default: cli_bad_option("plot", argv);
        }
    }
    if (optind >= argc) cli_die(EXIT_USAGE, "plot: which file? (deeprelax plot FILE.csv|FILE.npy)");
    if (optind + 1 < argc) cli_die(EXIT_USAGE, "plot: unexpected argument '%s'", argv[optind + 1]);
    a.file = argv[optind];
    if (!cli_has_ext(a.file, ".csv") && !cli_has_ext(a.file, ".npy"))
        cli_die(EXIT_USAGE, "plot: FILE must end in .csv or .npy (got '%s')", a.file);
    cli_pictures pic = {{a.png, vector[0], vector[1]}};
    cli_pictures_check(&pic, NULL, "plot"); /* plot always draws: FILE.png by default */
    if (a.gif && !cli_has_ext(a.gif, ".gif"))
        cli_die(EXIT_USAGE, "plot: --gif must end in .gif (got '%s')", a.gif);
    static const char *kinds[] = {"auto", "curves", "heatmap", "paths", "lines"};
    size_t kind = 0;
    while (kind < 5 && strcmp(a.kind, kinds[kind])) kind++;
    if (kind == 5)
        cli_die(EXIT_USAGE, "plot: unknown --kind '%s' (auto, curves, heatmap, paths, lines)",
                a.kind);
    char default_png[1024];
    if (!a.png && !a.gif && !vector[0] && !vector[1]) {
        size_t len = strlen(a.file) - 4;
        if (len + 5 > sizeof default_png) cli_die(EXIT_USAGE, "plot: file name too long");
        snprintf(default_png, sizeof default_png, "%.*s.png", (int)len, a.file);
        a.png = default_png;
    }
    const char *outputs[] = {a.png, a.gif, vector[0], vector[1]}, *inputs[] = {a.file, a.src.input};
    cli_check_files(outputs, 4, inputs, 2);

    plot_table tb;
    plot_table_read(&tb, a.file, a.columns);
    const char *k = kind ? kinds[kind] : auto_kind(&tb);
    if ((vector[0] || vector[1]) && !strcmp(k, "paths"))
        cli_die(EXIT_USAGE, "plot: --svg and --pdf draw the curves, lines and heatmap kinds; "
                            "paths are drawn by the built-in plotter (PNG only)");
    plot_pictures(&a, &tb, k, vector);
    plot_dir_cleanup(&a);
    plot_table_free(&tb);
    return 0;
}
