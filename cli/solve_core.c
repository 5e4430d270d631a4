/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Method dispatch and outputs of `deeprelax solve` (see solve_output.h). */
#include "solve_output.h"
#include "progress.h"
#include "figures.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Progress of fd runs in PDE time up to the largest t (progress.h). */
static void fd_progress_line(void *ctx, double t, double target, size_t steps)
{
    (void)target;
    (void)steps;
    cli_progress_update(ctx, t);
}

/* Progress of heat and Hopf-Lax solves, in times done. One time of a large grid can take many
 * seconds with no call back from the library, so a heartbeat thread redraws the line (elapsed
 * time, times done) every 0.25 s while the solve runs; the mutex keeps its redraws and the
 * library's stage calls from interleaving. */
typedef struct {
    cli_progress bar;
    pthread_mutex_t lock;
    pthread_cond_t stop_cv;
    size_t done;
    int stop;
} heartbeat;

static void stage_progress(void *ctx, size_t done, size_t total)
{
    heartbeat *h = ctx;
    (void)total;
    pthread_mutex_lock(&h->lock);
    h->done = done;
    cli_progress_update(&h->bar, (double)done);
    pthread_mutex_unlock(&h->lock);
}

static void *heartbeat_run(void *ctx)
{
    heartbeat *h = ctx;
    pthread_mutex_lock(&h->lock);
    while (!h->stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += 250000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec += 1;
            until.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&h->stop_cv, &h->lock, &until);
        if (!h->stop)
            cli_progress_update(&h->bar, (double)h->done);
    }
    pthread_mutex_unlock(&h->lock);
    return NULL;
}

/* The solve itself is the library's (dr_solve); this keeps f on the grid for the outputs and
 * gathers the per-time reports into the summary's shape. */
int solve_run(const solve_request *req, solve_result *res)
{
    memset(res, 0, sizeof *res);
    double start = cli_seconds();
    const dr_grid *g = &req->grid;
    size_t size = dr_grid_size(g), dim = (size_t)g->dim;
    dr_solve_options opt;
    dr_solve_options_init(&opt);
    int status = dr_solve_method_parse(req->method, &opt.method);
    if (status) return status;
    double tmax = 0;
    for (size_t k = 0; k < req->nt; k++) tmax = req->t[k] > tmax ? req->t[k] : tmax;
    cli_progress prog;
    cli_progress_begin(&prog, "fd", "t", tmax);
    heartbeat hb = {.lock = PTHREAD_MUTEX_INITIALIZER, .stop_cv = PTHREAD_COND_INITIALIZER};
    cli_progress_begin(&hb.bar, "solve", "times", (double)req->nt);
    opt.engine = req->engine;
    opt.refine = req->refine;
    opt.polish = !req->no_polish;
    opt.scheme = req->scheme;
    opt.cfl = req->cfl;
    opt.progress = fd_progress_line;
    opt.progress_ctx = &prog;
    opt.stage = stage_progress;
    opt.stage_ctx = &hb;
    res->f = malloc(size * sizeof *res->f);
    res->u = malloc(req->nt * size * sizeof *res->u);
    res->grad = malloc(req->nt * dim * size * sizeof *res->grad);
    dr_solve_report *rep = calloc(req->nt, sizeof *rep);
    if (!res->f || !res->u || !res->grad || !rep) {
        free(rep);
        return dr_error(DR_ENOMEM, "out of memory");
    }
    dr_landscape_sample(req->f, g, res->f);
    res->interp_uncertainty = dr_landscape_interp_uncertainty(req->f);
    pthread_t beat;
    int beating = opt.method != DR_SOLVE_FD && cli_progress_mode != CLI_PROGRESS_OFF &&
                  pthread_create(&beat, NULL, heartbeat_run, &hb) == 0;
    status = dr_solve(req->f, g, req->beta, req->t, req->nt, res->u, res->grad, rep, &opt);
    if (beating) {
        pthread_mutex_lock(&hb.lock);
        hb.stop = 1;
        pthread_cond_signal(&hb.stop_cv);
        pthread_mutex_unlock(&hb.lock);
        pthread_join(beat, NULL);
    }
    cli_progress_end(&hb.bar, (double)hb.done);
    cli_progress_end(&prog, tmax);
    if (!status) {
        res->seconds = cli_seconds() - start;
        res->method = dr_solve_method_name(rep[0].method);
        for (size_t k = 0; k < req->nt; k++) {
            res->engine[k] = rep[k].engine;
            res->log_points[k] = rep[k].log_points;
            res->est_error[k] = rep[k].est_error;
            res->unbounded[k] = rep[k].unbounded;
            res->curvature_measured |= rep[k].curvature_measured;
            res->wells += rep[k].wells;
            res->switched += rep[k].switched;
            res->refine = rep[k].refine;
            res->margin_capped |= rep[k].margin_capped;
            res->min_u[k] = rep[k].min_u;
            res->argmin[k][0] = rep[k].argmin[0];
            res->argmin[k][1] = rep[k].argmin[1];
            /* fd: the counts at the largest t are those of the whole run */
            if (rep[k].steps >= res->steps) {
                res->steps = rep[k].steps;
                res->dt_min = rep[k].dt_min;
            }
        }
    }
    free(rep);
    return status;
}

void solve_result_free(solve_result *res)
{
    free(res->f); free(res->u); free(res->grad);
    memset(res, 0, sizeof *res);
}

/* The output table: one row per (t, point), columns t,x[,y],f,u,du_dx[,du_dy]. */
static size_t table_columns(int dim) { return dim == 1 ? 5 : 7; }

static void table_row(const solve_request *req, const solve_result *res, size_t k, size_t i,
                      double *row)
{
    const dr_grid *g = &req->grid;
    size_t size = dr_grid_size(g), c = 0;
    row[c++] = req->t[k];
    row[c++] = dr_grid_coord(g, 0, i % g->n[0]);
    if (g->dim == 2) row[c++] = dr_grid_coord(g, 1, i / g->n[0]);
    row[c++] = res->f[i];
    row[c++] = res->u[k * size + i];
    for (int a = 0; a < g->dim; a++)
        row[c++] = res->grad[(k * (size_t)g->dim + (size_t)a) * size + i];
}

static void write_csv(const solve_request *req, const solve_result *res)
{
    dr_output *o = cli_output_open(req->out);
    FILE *out = dr_output_stream(o);
    int dim = req->grid.dim;
    fputs(dim == 1 ? "t,x,f,u,du_dx\n" : "t,x,y,f,u,du_dx,du_dy\n", out);
    size_t size = dr_grid_size(&req->grid), nc = table_columns(dim);
    double row[7];
    for (size_t k = 0; k < req->nt; k++)
        for (size_t i = 0; i < size; i++) {
            table_row(req, res, k, i, row);
            for (size_t c = 0; c < nc; c++)
                fprintf(out, c + 1 < nc ? "%.17g," : "%.17g\n", row[c]);
        }
    cli_output_commit(o);
}

static void write_npy(const solve_request *req, const solve_result *res)
{
    size_t size = dr_grid_size(&req->grid), nc = table_columns(req->grid.dim);
    size_t rows = req->nt * size, shape[2] = {rows, nc};
    double *table = malloc(rows * nc * sizeof *table);
    if (!table) cli_die(EXIT_FAIL, "out of memory");
    for (size_t k = 0; k < req->nt; k++)
        for (size_t i = 0; i < size; i++)
            table_row(req, res, k, i, table + (k * size + i) * nc);
    int status = dr_npy_write(req->out, 2, shape, table);
    free(table);
    if (status) cli_fail(status);
}

/* "sharp-wide2d relaxed by Cole-Hopf, beta = 10" */
static void figure_title(const solve_request *req, const solve_result *res, char *buf,
                         size_t size)
{
    const char *name = req->title ? req->title : dr_landscape_name(req->f);
    if (res->method && !strcmp(res->method, "fd"))
        snprintf(buf, size, "%s relaxed by finite differences (%s), β = %g", name,
                 res->engine[0], req->beta);
    else if (isinf(req->beta))
        snprintf(buf, size, "%s relaxed by Hopf-Lax (inviscid, β = ∞)", name);
    else
        snprintf(buf, size, "%s relaxed by Cole-Hopf, β = %g", name, req->beta);
}

/* 1-D: gnuplot's curve family, or the built-in line plot when gnuplot is missing. */
static int draw_1d(const solve_request *req, const solve_result *res, const char *png)
{
    size_t n = req->grid.n[0];
    double *x = malloc(n * sizeof *x);
    if (!x) return dr_error(DR_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) x[i] = dr_grid_coord(&req->grid, 0, i);
    char tmpdir[] = "/tmp/deeprelax-plot-XXXXXX";
    const char *dir = req->keep_plot_data;
    if (!dir && !mkdtemp(tmpdir)) {
        free(x);
        return dr_error(DR_EIO, "cannot create a temporary directory: %s", strerror(errno));
    }
    char title[256];
    figure_title(req, res, title, sizeof title);
    dr_gnuplot_options gopt = {.dir = dir ? dir : tmpdir, .name = "solve", .output = png,
                               .title = title, .xlabel = "x", .ylabel = "f, u(x,t)"};
    int status = dr_gnuplot_curve_family(&gopt, x, n, res->f, res->u, req->t, req->nt);
    if (status == DR_EUNSUPPORTED && !cli_has_ext(png, ".png"))
        status = cli_picture_needs_gnuplot(png);
    if (status == DR_EUNSUPPORTED) {
        static int said;
        if (!said++)
            fprintf(stderr, "deeprelax: note: gnuplot not found; drawing with the built-in "
                            "plotter (install gnuplot-nox for labelled figures)\n");
        dr_viz_curve *curves = calloc(req->nt + 1, sizeof *curves);
        curves[0] = (dr_viz_curve){.x = x, .y = res->f, .n = n};
        for (size_t k = 0; k < req->nt; k++)
            curves[k + 1] = (dr_viz_curve){.x = x, .y = res->u + k * n, .n = n};
        dr_viz_image img;
        status = dr_viz_lineplot(&img, curves, req->nt + 1, NULL);
        if (!status) {
            status = dr_viz_png_write(&img, png);
            dr_viz_image_free(&img);
        }
        free(curves);
    }
    if (!dir) {
        /* The temporary data and script served only this picture. */
        char path[512];
        const char *files[] = {"solve.dat", "solve.gp", "solve.log"};
        for (size_t i = 0; i < 3; i++) {
            snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
            unlink(path);
        }
        rmdir(tmpdir);
    }
    free(x);
    return status;
}

/* 2-D by gnuplot: f and u at each t in rows of three, one colour bar unless a panel would be a
 * single colour on the common scale, every global minimum marked. */
#define MAX_MARKS 16
static int draw_2d_gnuplot(const solve_request *req, const solve_result *res, const char *pic)
{
    const dr_grid *g = &req->grid;
    size_t size = dr_grid_size(g), np = req->nt + 1;
    char exe[4096];
    /* without gnuplot, data for a temporary directory would only be written to be deleted */
    if (!req->keep_plot_data && dr_gnuplot_find(exe, sizeof exe)) return DR_EUNSUPPORTED;
    if (np > 12) return dr_error(DR_EINVAL, "a 2-D picture draws at most 11 times (got %zu)", req->nt);
    static double marks[12][2 * MAX_MARKS];
    static char titles[12][64];
    dr_gnuplot_panel p[12];
    for (size_t k = 0; k < np; k++) {
        const double *field = k == 0 ? res->f : res->u + (k - 1) * size;
        if (k == 0) snprintf(titles[k], sizeof titles[k], "f(x, y)");
        else snprintf(titles[k], sizeof titles[k], "u(x, y, t = %g)", req->t[k - 1]);
        p[k] = (dr_gnuplot_panel){.field = field, .title = titles[k], .marks = marks[k],
                                  .nmarks = cli_global_minima(g, field, marks[k], MAX_MARKS)};
    }
    char title[256];
    figure_title(req, res, title, sizeof title);
    size_t tl = strlen(title);
    snprintf(title + tl, sizeof title - tl, "; × marks the global minima");
    cli_plot_dir d;
    cli_plot_dir_open(&d, req->keep_plot_data);
    dr_gnuplot_options go = {.dir = d.dir, .name = "solve", .output = pic, .title = title,
                             .xlabel = "x", .ylabel = "y", .cblabel = "f, u"};
    int st = dr_gnuplot_heatmaps(&go, g, p, np, DR_HEATMAP_AUTO);
    cli_plot_dir_close(&d);
    return st;
}

/* 2-D without gnuplot: heatmaps of f and of u at each t, side by side on one shared colour scale,
 * each under a label band; the minimiser of u is marked with a cross. */
static int draw_2d(const solve_request *req, const solve_result *res, const char *png)
{
    const dr_grid *g = &req->grid;
    size_t size = dr_grid_size(g), panels = req->nt + 1;
    const size_t band = 34;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0; k < panels; k++) {
        const double *field = k == 0 ? res->f : res->u + (k - 1) * size;
        for (size_t i = 0; i < size; i++) {
            lo = fmin(lo, field[i]);
            hi = fmax(hi, field[i]);
        }
    }
    dr_viz_image *one = calloc(panels, sizeof *one);
    if (!one) return dr_error(DR_ENOMEM, "out of memory");
    int status = DR_SUCCESS;
    size_t width = 0, height = 0;
    for (size_t k = 0; k < panels && !status; k++) {
        const double *field = k == 0 ? res->f : res->u + (k - 1) * size;
        dr_viz_heatmap_options hopt = {.width = 520, .height = 460, .have_range = 1, .lo = lo,
                                       .hi = hi > lo ? hi : lo + 1, .ncontours = 14};
        dr_viz_frame fr;
        status = dr_viz_heatmap_figure(&one[k], &fr, g, field, &hopt);
        if (status) break;
        if (k > 0)
            dr_viz_mark(&fr, res->argmin[k - 1][0], res->argmin[k - 1][1], DR_MARK_CROSS, 16,
                        (dr_viz_pen){{220, 30, 30}, 3.0, 1});
        width += one[k].width;
        if (one[k].height > height) height = one[k].height;
    }
    dr_viz_image whole = {0};
    if (!status)
        status = dr_viz_image_alloc(&whole, width, height + band, (dr_rgb){255, 255, 255});
    for (size_t k = 0, x0 = 0; k < panels && !status; x0 += one[k].width, k++) {
        char label[64];
        if (k == 0) snprintf(label, sizeof label, "f");
        else snprintf(label, sizeof label, "u  t = %g", req->t[k - 1]);
        int tw = dr_viz_text_width(label, 3);
        dr_viz_text(&whole, (int)(x0 + one[k].width / 2) - tw / 2, 8, label, 3, (dr_rgb){0, 0, 0});
        for (size_t y = 0; y < one[k].height; y++)
            memcpy(whole.pixels + 3 * ((y + band) * whole.width + x0),
                   one[k].pixels + 3 * y * one[k].width, 3 * one[k].width);
    }
    if (!status) status = dr_viz_png_write(&whole, png);
    dr_viz_image_free(&whole);
    for (size_t k = 0; k < panels; k++)
        if (one[k].pixels) dr_viz_image_free(&one[k]);
    free(one);
    return status;
}

int solve_draw(const solve_request *req, const solve_result *res, const char *png)
{
    if (req->grid.dim == 1) return draw_1d(req, res, png);
    int st = draw_2d_gnuplot(req, res, png);
    if (st != DR_EUNSUPPORTED) return st;
    if (!cli_has_ext(png, ".png")) return cli_picture_needs_gnuplot(png);
    return draw_2d(req, res, png);
}

void solve_write_outputs(const solve_request *req, const solve_result *res)
{
    if (req->out) {
        if (cli_has_ext(req->out, ".npy")) write_npy(req, res);
        else write_csv(req, res);
    }
    const char *pictures[3] = {req->png, req->svg, req->pdf};
    for (int i = 0; i < 3; i++)
        if (pictures[i]) {
            int status = solve_draw(req, res, pictures[i]);
            if (status) cli_fail(status);
        }
}

/* est_error (null where no bound holds), error_bounded and the reason per t. */
static void print_json_error(const solve_request *req, const solve_result *res, FILE *out)
{
    fputs(",\"est_error\":", out);
    json_array(out, res->est_error, req->nt);
    fputs(",\"error_bounded\":[", out);
    for (size_t k = 0; k < req->nt; k++)
        fprintf(out, "%s%s", k ? "," : "", isfinite(res->est_error[k]) ? "true" : "false");
    fputs("],\"unbounded_reason\":[", out);
    for (size_t k = 0; k < req->nt; k++) {
        if (k) fputc(',', out);
        if (isfinite(res->est_error[k])) fputs("null", out);
        else json_string(out, res->unbounded[k] ? res->unbounded[k] : "unknown");
    }
    fputc(']', out);
}

static void print_json(const solve_request *req, const solve_result *res, FILE *out)
{
    const dr_grid *g = &req->grid;
    fputs("{\"landscape\":", out);
    json_string(out, dr_landscape_name(req->f));
    fputs(",\"formula\":", out);
    json_string(out, dr_landscape_formula(req->f));
    fputs(",\"method\":", out);
    json_string(out, res->method);
    fputs(",\"engine\":[", out);
    for (size_t k = 0; k < req->nt; k++) {
        if (k) fputc(',', out);
        json_string(out, res->engine[k]);
    }
    fprintf(out, "],\"dim\":%d,\"n\":[", g->dim);
    for (int a = 0; a < g->dim; a++) fprintf(out, a ? ",%zu" : "%zu", g->n[a]);
    fputs("],\"domain\":[", out);
    for (int a = 0; a < g->dim; a++) {
        fputs(a ? ",[" : "[", out);
        json_number(out, g->lo[a]);
        fputc(',', out);
        json_number(out, g->hi[a]);
        fputc(']', out);
    }
    fputs("],\"beta\":", out);
    json_number_inf(out, req->beta);
    fputs(",\"t\":", out);
    json_array(out, req->t, req->nt);
    fputs(",\"seconds\":", out);
    json_number(out, res->seconds);
    fputs(",\"min_u\":", out);
    json_array(out, res->min_u, req->nt);
    fputs(",\"argmin_u\":[", out);
    for (size_t k = 0; k < req->nt; k++) {
        if (k) fputc(',', out);
        json_array(out, res->argmin[k], (size_t)g->dim);
    }
    fputc(']', out);
    if (!strcmp(res->method, "heat")) {
        double lp[MAX_SOLVE_TIMES];
        for (size_t k = 0; k < req->nt; k++) lp[k] = (double)res->log_points[k];
        fputs(",\"log_points\":", out);
        json_array(out, lp, req->nt);
        fprintf(out, ",\"margin_capped\":%s", res->margin_capped ? "true" : "false");
    }
    if (strcmp(res->method, "fd")) print_json_error(req, res, out);
    if (res->interp_uncertainty > 0) {
        fputs(",\"interp_uncertainty\":", out);
        json_number(out, res->interp_uncertainty);
    }
    if (strcmp(res->method, "fd"))
        fprintf(out, ",\"refine\":%d", res->refine);
    if (!strcmp(res->method, "hopf-lax")) {
        fprintf(out, ",\"polish\":%s", req->no_polish ? "false" : "true");
        fprintf(out, ",\"curvature_measured\":%s,\"wells_polished\":%zu,\"well_switches\":%zu",
                res->curvature_measured ? "true" : "false", res->wells, res->switched);
    }
    if (res->steps) {
        fprintf(out, ",\"steps\":%zu,\"dt_min\":", res->steps);
        json_number(out, res->dt_min);
    }
    fputs("}\n", out);
}

void solve_print_summary(const solve_request *req, const solve_result *res, FILE *out)
{
    if (req->json) {
        print_json(req, res, out);
        return;
    }
    const dr_grid *g = &req->grid;
    fprintf(out, "%s: %s, %d-D, ", dr_landscape_name(req->f), dr_landscape_formula(req->f),
            g->dim);
    if (g->dim == 1)
        fprintf(out, "[%g, %g], n = %zu\n", g->lo[0], g->hi[0], g->n[0]);
    else
        fprintf(out, "[%g, %g] x [%g, %g], n = %zu x %zu\n", g->lo[0], g->hi[0], g->lo[1],
                g->hi[1], g->n[0], g->n[1]);
    if (!strcmp(res->method, "fd") && isinf(req->beta))
        fprintf(out, "method fd (%s), inviscid, %zu steps, dt_min = %.3g\n", res->engine[0],
                res->steps, res->dt_min);
    else if (!strcmp(res->method, "fd"))
        fprintf(out, "method fd (%s), beta = %g, %zu steps, dt_min = %.3g\n", res->engine[0],
                req->beta, res->steps, res->dt_min);
    else if (isinf(req->beta))
        fprintf(out, "method %s (inviscid), refine %d, %s\n", res->method, res->refine,
                req->no_polish ? "grid minimum" : "polished by Newton");
    else
        fprintf(out, "method %s, beta = %g, y-grid refinement %d\n", res->method, req->beta,
                res->refine);

    fprintf(out, "%12s %18s %24s %10s\n", "t", "min u", "argmin u", "engine");
    for (size_t k = 0; k < req->nt; k++) {
        char where[64];
        if (g->dim == 1) snprintf(where, sizeof where, "%.6g", res->argmin[k][0]);
        else snprintf(where, sizeof where, "(%.6g, %.6g)", res->argmin[k][0], res->argmin[k][1]);
        fprintf(out, "%12.6g %18.12g %24s %10s\n", req->t[k], res->min_u[k], where,
                res->engine[k]);
    }
    fprintf(out, "%.3f s\n", res->seconds);
    if (req->out) fprintf(out, "wrote %s\n", req->out);
    const char *pictures[3] = {req->png, req->svg, req->pdf};
    for (int i = 0; i < 3; i++)
        if (pictures[i]) fprintf(out, "wrote %s\n", pictures[i]);
}

void solve_print_warnings(const solve_request *req, const solve_result *res)
{
    int bounded = strcmp(res->method, "fd") != 0;
    for (size_t k = 0; bounded && k < req->nt; k++) {
        if (!isfinite(res->est_error[k]))
            fprintf(stderr, "deeprelax: warning: no error bound holds for u at t = %g: %s\n",
                    req->t[k], res->unbounded[k] ? res->unbounded[k] : "unknown");
        else if (res->est_error[k] > 1e-6)
            fprintf(stderr, "deeprelax: warning: the error of u may reach %.2g at t = %g (%s)\n",
                    res->est_error[k], req->t[k],
                    !strcmp(res->method, "hopf-lax")
                        ? "the minimum over y is bracketed only this closely (the grid's "
                          "sub-grid error where unpolished or a polish failed): raise --n or "
                          "--refine"
                        : "the grid is too coarse for this beta and t: raise --n");
    }
    if (res->margin_capped)
        fprintf(stderr, "deeprelax: warning: the padding beyond the box hit its size cap before "
                        "the terms beyond it became negligible (beta = %g is very small for this "
                        "box and t): u may be off, most near the edge\n", req->beta);
    if (res->interp_uncertainty > 1e-6)
        fprintf(stderr, "deeprelax: warning: the interpolated landscape may differ from the "
                        "sampled function by %.2g (its difference from a second interpolant); "
                        "u inherits that uncertainty, beside est_error\n",
                res->interp_uncertainty);
}
