/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The figures of `deeprelax widen`, drawn by gnuplot: the semi-concavity of u(., t) against its
 * two bounds (with a panel of the same values times t, where the measured curve separates from
 * the bounds it hugs on the log scale), and the tracks of the minima of u over the sweep, each
 * named by where it starts and whether it is the sharp or the wide one, with the tracker's events
 * (jump, vanish, merge, appear) marked and named in the legend. Without gnuplot, PNGs come from
 * the built-in plotter (unlabelled). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "figures.h"
#include "widen_run.h"

/* "sharp-wide, β = 10 (heat)" */
static void run_caption(const widen_run *w, char *buf, size_t size)
{
    if (isinf(w->beta))
        snprintf(buf, size, "%s, β = ∞ (%s)", dr_landscape_name(w->f), w->method);
    else
        snprintf(buf, size, "%s, β = %g (%s)", dr_landscape_name(w->f), w->beta, w->method);
}

/* ---------------------------------------------------------------- curvature against t */

static int curvature_data(const widen_run *w, const char *dir)
{
    dr_output *o;
    FILE *f = cli_plot_data_open(dir, "widen.dat", &o);
    if (!f) return DR_EIO;
    fputs("# t measured_max_eig 1/t C/(1+Ct) gibbs_identity\n", f);
    for (size_t k = 0; k < w->nt; k++) {
        double t = w->steps[k].t, g = w->steps[k].gibbs.value;
        fprintf(f, "%.10g %.10g %.10g %.10g %.10g\n", t, w->steps[k].sc.value, 1 / t,
                dr_semiconcavity_bound(w->C, t), isfinite(g) ? g : NAN);
    }
    return cli_plot_data_close(o, 0);
}

/* The plot command of both panels; `scale` multiplies every value (1 or $1 = t). */
static void curvature_plot_cmd(FILE *f, const widen_run *w, const char *scale)
{
    fprintf(f, "plot 'widen.dat' using 1:($3*%s) with lines lw 2 dt 2 lc rgb '#e67814' "
               "title 'bound 1/t'", scale);
    if (isfinite(w->C))
        fprintf(f, ", \\\n  '' using 1:($4*%s) with lines lw 2 dt 4 lc rgb '#28963c' "
                   "title 'bound C/(1+Ct), C = %.4g'", scale, w->C);
    if (w->gibbs)
        fprintf(f, ", \\\n  '' using 1:($5*%s) with points pt 6 ps 1.4 lw 1.5 lc rgb "
                   "'#c82828' title 'Gibbs identity (β Cov)'", scale);
    fprintf(f, ", \\\n  '' using 1:($2*%s) with linespoints lw 2.5 pt 7 ps 0.6 lc rgb "
               "'#000000' title 'measured max eig D²u'\n", scale);
}

static int curvature_body(FILE *f, void *ctx)
{
    const widen_run *w = ctx;
    fputs("set multiplot\nset lmargin 11\nset rmargin 3\n"
          "set origin 0,0.36\nset size 1,0.64\nset bmargin 0.5\n"
          "unset xlabel\nset format x ''\nset logscale y\nset format y '%g'\n"
          "set key top right\n", f);
    curvature_plot_cmd(f, w, "1");
    fputs("unset title\nset origin 0,0\nset size 1,0.36\nset tmargin 0.5\nset bmargin 3.2\n"
          "unset logscale y\nset format y '%g'\nset format x '%g'\nset xlabel 't'\n"
          "set ylabel 't × curvature'\nunset key\nset yrange [0:*]\n", f);
    curvature_plot_cmd(f, w, "$1");
    fputs("unset multiplot\n", f);
    return DR_SUCCESS;
}

static int curvature_figure(const widen_run *w, const char *picture, const char *dir)
{
    int st = curvature_data(w, dir);
    if (st) return st;
    char title[256], cap[160];
    run_caption(w, cap, sizeof cap);
    snprintf(title, sizeof title, "semi-concavity of u(·, t): %s", cap);
    dr_gnuplot_options go = {.dir = dir, .name = "widen", .output = picture, .title = title,
                             .xlabel = "t", .ylabel = "largest eigenvalue of D²u",
                             .width = 900, .height = 640};
    st = dr_gnuplot_custom(&go, curvature_body, (void *)w);
    if (st != DR_EUNSUPPORTED) return st;
    if (!cli_has_ext(picture, ".png")) return cli_picture_needs_gnuplot(picture);
    size_t nt = w->nt;
    double *t = malloc(4 * nt * sizeof *t);
    if (!t) return dr_error(DR_ENOMEM, "out of memory");
    double *meas = t + nt, *inv = meas + nt, *gib = inv + nt;
    for (size_t k = 0; k < nt; k++) {
        t[k] = w->steps[k].t;
        meas[k] = w->steps[k].sc.value;
        inv[k] = 1 / t[k];
        gib[k] = w->steps[k].gibbs.value;
    }
    dr_viz_curve c[3] = {{.x = t, .y = meas, .n = nt}, {.x = t, .y = inv, .n = nt},
                         {.x = t, .y = gib, .n = nt}};
    dr_viz_image img;
    dr_viz_lineplot_options lo = {.logy = 1};
    st = dr_viz_lineplot(&img, c, w->gibbs ? 3 : 2, &lo);
    if (!st) {
        st = dr_viz_png_write(&img, picture);
        dr_viz_image_free(&img);
    }
    free(t);
    return st;
}

/* ---------------------------------------------------------------- tracks of the minima */

/* Positions of every track at every step (NAN where absent): xs[(track * nsteps + step) * 2];
 * the curvature (smallest Hessian eigenvalue) where each track starts into eig0[track]. */
static double *track_positions(const widen_run *w, size_t *ntracks, size_t *nsteps, double **eig0)
{
    *ntracks = dr_tracker_tracks(w->tr);
    *nsteps = w->nt + 1;
    size_t ntr = *ntracks ? *ntracks : 1;
    double *xs = malloc((2 * *nsteps + 1) * ntr * sizeof *xs);
    if (!xs) return NULL;
    *eig0 = xs + 2 * ntr * *nsteps;
    for (size_t i = 0; i < (2 * *nsteps + 1) * ntr; i++) xs[i] = NAN;
    for (size_t k = 0; k < *nsteps; k++) {
        const dr_minima *m = k ? &w->steps[k - 1].m : &w->fmin;
        for (size_t i = 0; i < m->count; i++) {
            int tr = dr_tracker_track_of(w->tr, k, i);
            if (tr < 0) continue;
            xs[((size_t)tr * *nsteps + k) * 2] = m->min[i].x[0];
            xs[((size_t)tr * *nsteps + k) * 2 + 1] = m->min[i].x[1];
            if (isnan((*eig0)[tr])) (*eig0)[tr] = m->min[i].eig[0];
        }
    }
    return xs;
}

typedef struct {
    const widen_run *w;
    size_t ntr, ns;
    const double *xs, *eig0;
} tracks_ctx;

static size_t first_step(const tracks_ctx *c, size_t tr)
{
    for (size_t k = 0; k < c->ns; k++)
        if (!isnan(c->xs[(tr * c->ns + k) * 2])) return k;
    return c->ns;
}

/* "sharp minimum from x = -1.50": sharp and wide when the tracks present at t = 0 differ in
 * curvature by more than a factor 2, else just the start. */
static void track_label(const tracks_ctx *c, size_t tr, char *buf, size_t size)
{
    double hi = -INFINITY, lo = INFINITY;
    size_t at0 = 0;
    for (size_t i = 0; i < c->ntr; i++)
        if (first_step(c, i) == 0 && isfinite(c->eig0[i])) {
            hi = fmax(hi, c->eig0[i]);
            lo = fmin(lo, c->eig0[i]);
            at0++;
        }
    const char *kind = "minimum";
    size_t k = first_step(c, tr);
    if (k == 0 && at0 >= 2 && lo > 0 && hi > 2 * lo) {
        if (c->eig0[tr] == hi) kind = "sharp minimum";
        else if (c->eig0[tr] == lo) kind = "wide minimum";
    }
    const double *p = c->xs + (tr * c->ns + k) * 2;
    const char *from = k == 0 ? "at" : "appearing at";
    if (c->w->g.dim == 1) snprintf(buf, size, "%s %s x = %.3g", kind, from, p[0]);
    else snprintf(buf, size, "%s %s (%.3g, %.3g)", kind, from, p[0], p[1]);
}

/* The picture's coordinates of a track at a step: (x, t) in 1-D, (x, y) in 2-D. */
static void track_point(const tracks_ctx *c, size_t tr, size_t k, double *a, double *b)
{
    const double *p = c->xs + (tr * c->ns + k) * 2;
    *a = p[0];
    *b = c->w->g.dim == 1 ? (k ? c->w->steps[k - 1].t : NAN) : p[1];
}

/* The step at which the sweep reaches time t (t = 0 is step 0). */
static size_t step_at(const widen_run *w, double t)
{
    for (size_t k = 0; k < w->nt; k++)
        if (w->steps[k].t >= t) return k + 1;
    return w->nt;
}

/* widen-tracks-paths.dat: one block per track (t or y, x); widen-tracks-events.dat: one block
 * per event kind (vanish, merge, appear, jump) of x0 y0 x1 y1 rows. */
static int tracks_data(const tracks_ctx *c, const char *dir)
{
    dr_output *o;
    FILE *f = cli_plot_data_open(dir, "widen-tracks-paths.dat", &o);
    if (!f) return DR_EIO;
    fputs("# one block per track: x, then t (1-D) or y (2-D)\n", f);
    for (size_t tr = 0; tr < c->ntr; tr++) {
        for (size_t k = c->w->g.dim == 1 ? 1 : 0; k < c->ns; k++) {
            double a, b;
            track_point(c, tr, k, &a, &b);
            if (!isnan(a)) fprintf(f, "%.8g %.8g\n", a, b);
            else fputs("NaN NaN\n", f);
        }
        fputs("\n\n", f);
    }
    int st = cli_plot_data_close(o, 0);
    if (st || !(f = cli_plot_data_open(dir, "widen-tracks-events.dat", &o))) return st ? st : DR_EIO;
    size_t ne;
    const dr_event *e = dr_tracker_events(c->w->tr, &ne);
    fputs("# blocks vanish, merge, appear, jump: from (x, t|y) to (x, t|y)\n", f);
    for (int kind = DR_EVENT_VANISH; kind <= DR_EVENT_JUMP; kind++) {
        fputs("NaN NaN NaN NaN\n", f); /* a block gnuplot can plot even when it has no event */
        for (size_t i = 0; i < ne; i++) {
            if ((int)e[i].kind != kind) continue;
            double b = c->w->g.dim == 1 ? e[i].t : e[i].x[1], a0 = e[i].x[0], b0 = b;
            if (kind == DR_EVENT_JUMP && e[i].other >= 0) {
                track_point(c, (size_t)e[i].other, step_at(c->w, e[i].t_after), &a0, &b0);
                if (c->w->g.dim == 1) b0 = b;
            } else if (kind != DR_EVENT_JUMP && c->w->g.dim == 1) {
                /* a vanished or merged track ends at its last position, at t_before */
                b = b0 = kind == DR_EVENT_APPEAR ? e[i].t_after : e[i].t_before;
            }
            fprintf(f, "%.8g %.8g %.8g %.8g\n", a0, b0, e[i].x[0], b);
        }
        fputs("\n\n", f);
    }
    return cli_plot_data_close(o, 0);
}

/* widen-tracks-field.dat, gridded for `with image` and the contours: 1-D, u(x, t) - min u(., t)
 * on (x, t) with rows interpolated between the sweep's times (at most 400 x-columns); 2-D, f. */
static int field_data(const widen_run *w, const char *dir)
{
    dr_output *o;
    FILE *f = cli_plot_data_open(dir, "widen-tracks-field.dat", &o);
    if (!f) return DR_EIO;
    const dr_grid *g = &w->g;
    size_t nx = g->n[0], step = nx > 400 ? (nx + 399) / 400 : 1;
    if (g->dim == 2) {
        fputs("# x y f\n", f);
        for (size_t j = 0; j < g->n[1]; j += g->n[1] > 300 ? 2 : 1) {
            for (size_t i = 0; i < nx; i += step)
                fprintf(f, "%.6g %.6g %.6g\n", dr_grid_coord(g, 0, i), dr_grid_coord(g, 1, j),
                        w->fvals[j * nx + i]);
            fputc('\n', f);
        }
        return cli_plot_data_close(o, 0);
    }
    fputs("# x t u(x,t)-min_x u(.,t)\n", f);
    const size_t rows = 200;
    double t0 = w->steps[0].t, t1 = w->steps[w->nt - 1].t;
    if (w->nt == 1) { t0 *= 0.95; t1 *= 1.05; }
    for (size_t r = 0; r < rows; r++) {
        double t = t0 + (t1 - t0) * (double)r / (double)(rows - 1);
        size_t k = 0;
        while (k + 2 < w->nt && w->steps[k + 1].t < t) k++;
        size_t k1 = w->nt > 1 ? k + 1 : k;
        double s = k1 == k ? 0 : (t - w->steps[k].t) / (w->steps[k1].t - w->steps[k].t);
        s = fmin(1, fmax(0, s));
        const double *ua = w->u1d + k * nx, *ub = w->u1d + k1 * nx;
        double ma = INFINITY, mb = INFINITY;
        for (size_t i = 0; i < nx; i++) { ma = fmin(ma, ua[i]); mb = fmin(mb, ub[i]); }
        for (size_t i = 0; i < nx; i += step)
            fprintf(f, "%.6g %.6g %.6g\n", dr_grid_coord(g, 0, i), t,
                    (1 - s) * (ua[i] - ma) + s * (ub[i] - mb));
        fputc('\n', f);
    }
    return cli_plot_data_close(o, 0);
}

/* The legend entry of one event kind: its name and its times (first and last when more than
 * two, so that the legend stays two entries wide). */
static void event_title(const widen_run *w, dr_event_kind kind, char *buf, size_t size)
{
    static const char *const names[] = {"a minimum vanishes", "two minima merge",
                                        "a minimum appears", "the global minimiser jumps"};
    size_t ne, count = 0;
    double first = NAN, last = NAN, second = NAN;
    const dr_event *e = dr_tracker_events(w->tr, &ne);
    for (size_t i = 0; i < ne; i++) {
        if (e[i].kind != kind) continue;
        double t = kind == DR_EVENT_JUMP ? e[i].t : e[i].t_before;
        if (count == 0) first = t;
        if (count == 1) second = t;
        last = t;
        count++;
    }
    if (count == 0) buf[0] = '\0';
    else if (count == 1) snprintf(buf, size, "%s, t = %.4g", names[kind], first);
    else if (count == 2) snprintf(buf, size, "%s, t = %.4g, %.4g", names[kind], first, second);
    else snprintf(buf, size, "%s (%zu), t = %.3g…%.3g", names[kind], count, first, last);
}

/* How many event kinds the legend names. */
static int legend_events(const widen_run *w)
{
    char t[200];
    int n = 0;
    for (int kind = DR_EVENT_VANISH; kind <= DR_EVENT_JUMP; kind++) {
        event_title(w, (dr_event_kind)kind, t, sizeof t);
        n += t[0] != '\0';
    }
    return n;
}

static int tracks_body(FILE *f, void *ctx)
{
    const tracks_ctx *c = ctx;
    cli_gp_palette(f, DR_CMAP_VIRIDIS);
    cli_gp_contours(f, "widen-tracks-field.dat", "widen-tracks-contours.dat", 12);
    fputs("unset grid\nset border 15\nset tics out nomirror\nset autoscale fix\n"
          "set offsets 0, 0, 0, 0\nset format cb '%g'\nset key below center vertical noopaque nobox "
          "spacing 1.1\n", f);
    fputs("plot 'widen-tracks-field.dat' using 1:2:3 with image notitle, \\\n"
          "  'widen-tracks-contours.dat' with lines lw 0.7 lc rgb '#ffffff' notitle", f);
    static const char *const colours[] = {"#ff7f0e", "#00e5ff", "#ff4da6", "#ffd700", "#b6ff00"};
    for (size_t tr = 0; tr < c->ntr; tr++) {
        char label[160];
        track_label(c, tr, label, sizeof label);
        int two = c->w->g.dim == 2; /* 2-D minima barely move: a ring at every time */
        fprintf(f, ", \\\n  'widen-tracks-paths.dat' index %zu using 1:2 with %s lw 3.5 lc "
                   "rgb '%s' %s title '%s'", tr, two ? "linespoints" : "lines", colours[tr % 5],
                two ? "pt 6 ps 1.8" : "", label);
    }
    static const struct { const char *style; } ev[] = {
        {"with points pt 2 ps 2.2 lw 3 lc rgb '#ff2020'"},
        {"with points pt 8 ps 2.2 lw 3 lc rgb '#ff2020'"},
        {"with points pt 12 ps 2.2 lw 3 lc rgb '#ffffff'"},
        {"with vectors head filled size screen 0.015,20 lw 3 dt 2 lc rgb '#ff2020'"}};
    for (int kind = DR_EVENT_VANISH; kind <= DR_EVENT_JUMP; kind++) {
        char title[200];
        event_title(c->w, (dr_event_kind)kind, title, sizeof title);
        if (!title[0]) continue;
        if (kind == DR_EVENT_JUMP)
            fprintf(f, ", \\\n  'widen-tracks-events.dat' index %d using 1:2:($3-$1):($4-$2) "
                       "%s title '%s'", kind, ev[kind].style, title);
        else
            fprintf(f, ", \\\n  'widen-tracks-events.dat' index %d using 3:4 %s title '%s'",
                    kind, ev[kind].style, title);
    }
    fputc('\n', f);
    return DR_SUCCESS;
}


/* The built-in plotter's tracks picture, for a PNG when gnuplot is missing: 1-D, each track's
 * x against t as a line plot; 2-D, the tracks over a heatmap of f, a ring where each starts. */
static int tracks_fallback(const tracks_ctx *c, const char *png)
{
    const widen_run *w = c->w;
    dr_viz_image img = {0};
    dr_viz_frame fr;
    int st = DR_SUCCESS;
    double *p = malloc(2 * c->ns * (c->ntr ? c->ntr : 1) * sizeof *p);
    dr_viz_curve *cv = calloc(c->ntr ? c->ntr : 1, sizeof *cv);
    if (!p || !cv) st = dr_error(DR_ENOMEM, "out of memory");
    for (size_t tr = 0; !st && tr < c->ntr; tr++)
        for (size_t k = 0; k < c->ns; k++)
            track_point(c, tr, k, &p[2 * tr * c->ns + k], &p[(2 * tr + 1) * c->ns + k]);
    if (!st && w->g.dim == 1) {
        for (size_t tr = 0; tr < c->ntr; tr++)
            cv[tr] = (dr_viz_curve){.x = p + 2 * tr * c->ns, .y = p + (2 * tr + 1) * c->ns,
                                    .n = c->ns};
        st = dr_viz_lineplot(&img, cv, c->ntr, NULL);
    } else if (!st) {
        dr_viz_heatmap_options ho = {.ncontours = 14};
        st = dr_viz_heatmap_figure(&img, &fr, &w->g, w->fvals, &ho);
        for (size_t tr = 0; !st && tr < c->ntr; tr++) {
            dr_viz_pen pen = {dr_viz_palette(tr), 3.0, 1};
            const double *x = p + 2 * tr * c->ns, *y = p + (2 * tr + 1) * c->ns;
            dr_viz_polyline(&fr, x, y, c->ns, 1, pen);
            size_t k0 = first_step(c, tr);
            if (k0 < c->ns) dr_viz_mark(&fr, x[k0], y[k0], DR_MARK_CIRCLE, 12, pen);
        }
    }
    if (!st) st = dr_viz_png_write(&img, png);
    if (img.pixels) dr_viz_image_free(&img);
    free(p);
    free(cv);
    return st;
}

static int tracks_figure(const widen_run *w, const char *picture, const char *dir)
{
    tracks_ctx c = {.w = w};
    double *eig0;
    double *xs = track_positions(w, &c.ntr, &c.ns, &eig0);
    if (!xs) return dr_error(DR_ENOMEM, "out of memory");
    c.xs = xs;
    c.eig0 = eig0;
    int st = tracks_data(&c, dir);
    if (!st) st = field_data(w, dir);
    char title[256], cap[160];
    run_caption(w, cap, sizeof cap);
    if (w->g.dim == 1)
        snprintf(title, sizeof title, "minima of u(x, t) as t grows: %s", cap);
    else
        snprintf(title, sizeof title, "minima of u(·, t) over f, t = %g to %g: %s",
                 w->steps[0].t, w->steps[w->nt - 1].t, cap);
    dr_gnuplot_options go = {.dir = dir, .name = "widen-tracks", .output = picture,
                             .title = title, .xlabel = "x", .ylabel = w->g.dim == 1 ? "t" : "y",
                             .cblabel = w->g.dim == 1 ? "u(x, t) − min u(·, t)" : "f(x, y)",
                             .width = 900, .height = (w->g.dim == 1 ? 520 : 600) +
                                                     22 * (int)(c.ntr + legend_events(w))};
    if (!st) st = dr_gnuplot_custom(&go, tracks_body, &c);
    if (st == DR_EUNSUPPORTED)
        st = cli_has_ext(picture, ".png") ? tracks_fallback(&c, picture)
                                          : cli_picture_needs_gnuplot(picture);
    free(xs);
    return st;
}

int widen_figures(const widen_run *w, const char *picture, const char *keep)
{
    char tracks[4096];
    cli_picture_sibling(tracks, sizeof tracks, picture, "tracks");
    cli_plot_dir d;
    cli_plot_dir_open(&d, keep);
    int st = curvature_figure(w, picture, d.dir);
    if (st == DR_EUNSUPPORTED && cli_has_ext(picture, ".png")) st = DR_SUCCESS;
    if (!st) st = tracks_figure(w, tracks, d.dir);
    cli_plot_dir_close(&d);
    return st;
}
