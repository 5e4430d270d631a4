/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `deeprelax widen`: what relaxation does to a landscape over a sweep of t: semi-concavity of
 * u(., t) measured against the bounds 1/t and C/(1+Ct) (and, for the viscous equation, from the
 * exact Gibbs identity as well), and the minima of u(., t) with their curvature, widths and
 * catchment basins, tracked across the sweep (vanish / merge events, global-minimiser jumps). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "figures.h"
#include "progress.h"
#include "widen_run.h"
#include "deeprelax/analysis.h"
#include "deeprelax/widen.h"
#include "demo_sections.h"

#define MAX_WIDEN_TIMES 1024
/* grid points of a 1-D landscape without --n (the usage text's default; solve's is 601) */
#define WIDEN_N_1D 801

static const char usage_text[] =
    "usage: deeprelax widen (--t T1,T2,... | --t-range A:B:K)\n"
    "                       (--landscape NAME [--noise A] [--noise-seed S] | --expr EXPR [--dim 1|2]\n"
    "                        | --input FILE) [--domain A:B[,C:D]]\n"
    "                       [--method auto|heat|hopf-lax|fd] [--beta B|inf] [--delta D] [--n N[,M]]\n"
    "                       [--refine R] [--no-gibbs] [--out FILE.csv] [--png FILE.png] [--svg FILE.svg]\n"
    "                       [--pdf FILE.pdf] [--keep-plot-data DIR] [--json]\n"
    "       deeprelax widen -h|--help\n\n"
    "Relaxes f by u_t = -1/2 |grad u|^2 + (1/(2 beta)) Laplacian u at each t of a sweep and\n"
    "measures: the semi-concavity max D^2 u over the box minus a boundary layer (reported), set\n"
    "against the bounds 1/t and C/(1+Ct) (C bounds D^2 f); the local minima of f and of u with\n"
    "value, Hessian eigenvalues, width of {u <= u_min + delta} in the basin, and catchment basin;\n"
    "and the events of the sweep: minima that vanish or merge, jumps of the global minimiser.\n\n"
    CLI_SOURCE_HELP
    "  --t T1,T2,...        times, each > 0 (sorted; duplicates refused)\n"
    "  --t-range A:B:K      K times from A to B inclusive\n"
    "  --beta B|inf         inverse temperature (default inf: the inviscid equation)\n"
    "  --method M           auto (heat if beta is finite, else hopf-lax), heat, hopf-lax, fd\n"
    "  --delta D            widths are those of {u <= u_min + D} (default: 1% of the range of f\n"
    "                       over the box, fixed for the whole sweep)\n"
    "  --n N[,M]            grid points per axis (default 801 in 1-D, 257,257 in 2-D)\n"
    "  --refine R           hopf-lax: minimise over a y-grid R times finer (default 64 in 1-D,\n"
    "                       4 in 2-D; on the x-grid itself u has curvature exactly 1/t)\n"
    "  --no-gibbs           viscous: skip the Hessian from the Gibbs covariance\n"
    "  --out FILE.csv       one row per (t, minimum), with the semi-concavity columns\n"
    "  --png FILE.png       curvature against t with both bounds; FILE-tracks.png: the\n"
    "                       minima's tracks over t (1-D) or over f (2-D), events marked\n"
    CLI_PICTURE_HELP
    "  --keep-plot-data DIR keep gnuplot's data and scripts there, to restyle the figures\n"
    "  --json               print the summary as one JSON object\n"
    "  -h, --help           this text\n";

enum { OPT_T = 2000, OPT_TRANGE, OPT_BETA, OPT_METHOD, OPT_DELTA, OPT_N, OPT_REFINE, OPT_NOGIBBS,
       OPT_OUT, OPT_PNG, OPT_KEEP, OPT_JSON, OPT_HELP };



static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* ---------------------------------------------------------------- summaries */

static void json_minima(FILE *out, const widen_run *w, const dr_minima *m, size_t step)
{
    int dim = w->g.dim;
    fputc('[', out);
    for (size_t i = 0; i < m->count; i++) {
        const dr_minimum *p = &m->min[i];
        fprintf(out, "%s{\"track\":%d,\"x\":", i ? "," : "", dr_tracker_track_of(w->tr, step, i));
        json_array(out, p->x, (size_t)dim);
        fputs(",\"u\":", out);
        json_number(out, p->u);
        fputs(",\"curvature\":", out);
        json_array(out, p->eig, (size_t)dim);
        fputs(",\"width\":", out);
        json_array(out, p->width, (size_t)dim);
        fputs(",\"level_measure\":", out);
        json_number(out, p->level_measure);
        fprintf(out, ",\"plateau\":%zu,\"basin\":{\"measure\":", p->plateau);
        json_number(out, p->basin_measure);
        fputs(",\"lo\":", out);
        json_array(out, p->basin_lo, (size_t)dim);
        fputs(",\"hi\":", out);
        json_array(out, p->basin_hi, (size_t)dim);
        fprintf(out, "},\"touches_edge\":%s}", p->touches_edge ? "true" : "false");
    }
    fputc(']', out);
}

static const char *inviscid_note =
    "inviscid: min_x u(x,t) = min f for every t (Hopf-Lax), so the global minimiser never "
    "jumps; relaxation shows instead in curvatures, widths and catchment basins";

static void print_json(const widen_run *w, FILE *out)
{
    int dim = w->g.dim;
    fputs("{\"landscape\":", out);
    json_string(out, dr_landscape_name(w->f));
    fputs(",\"formula\":", out);
    json_string(out, dr_landscape_formula(w->f));
    fputs(",\"method\":", out);
    json_string(out, w->method);
    fputs(",\"beta\":", out);
    json_number_inf(out, w->beta);
    fputs(",\"C\":", out);
    json_number(out, w->C);
    fprintf(out, ",\"dim\":%d,\"n\":[%zu", dim, w->g.n[0]);
    if (dim == 2) fprintf(out, ",%zu", w->g.n[1]);
    fputs("],\"delta\":", out);
    json_number(out, w->delta);
    if (!strcmp(w->method, "hopf-lax"))
        fprintf(out, ",\"refine\":%d", w->refine);
    fputs(",\"hessian\":", out);
    json_string(out, !strcmp(w->method, "hopf-lax")
                         ? "central differences of u; Hopf-Lax minimised over a y-grid refine "
                           "times finer than x (on the x-grid itself it shows exactly 1/t)"
                         : "central differences of u");
    if (isinf(w->beta)) {
        fputs(",\"note\":", out);
        json_string(out, inviscid_note);
    }
    fputs(",\"f_minima\":", out);
    json_minima(out, w, &w->fmin, 0);
    fputs(",\"times\":[", out);
    for (size_t k = 0; k < w->nt; k++) {
        const widen_step *s = &w->steps[k];
        fputs(k ? ",{\"t\":" : "{\"t\":", out);
        json_number(out, s->t);
        fputs(",\"semiconcavity\":{\"measured\":", out);
        json_number(out, s->sc.value);
        fputs(",\"where\":", out);
        json_array(out, s->sc.where, (size_t)dim);
        if (w->gibbs) {
            fputs(",\"gibbs\":", out);
            json_number(out, s->gibbs.value);
            fputs(",\"gibbs_where\":", out);
            json_array(out, s->gibbs.where, (size_t)dim);
        }
        fputs(",\"bound_inv_t\":", out);
        json_number(out, 1.0 / s->t);
        fputs(",\"bound_C\":", out);
        json_number(out, dr_semiconcavity_bound(w->C, s->t));
        fputs(",\"boundary_layer\":", out);
        json_array(out, s->margin, (size_t)dim);
        fprintf(out, ",\"boundary_layer_capped\":%s}", s->capped ? "true" : "false");
        fputs(",\"global_argmin\":", out);
        if (s->global >= 0) json_array(out, s->m.min[s->global].x, (size_t)dim);
        else fputs("null", out);
        fprintf(out, ",\"global_track\":%d,\"minima\":",
                dr_tracker_global(w->tr, k + 1));
        json_minima(out, w, &s->m, k + 1);
        fputc('}', out);
    }
    fputs("],\"events\":[", out);
    size_t ne;
    const dr_event *e = dr_tracker_events(w->tr, &ne);
    for (size_t i = 0; i < ne; i++) {
        fprintf(out, "%s{\"kind\":\"%s\",\"t\":", i ? "," : "", dr_event_name(e[i].kind));
        json_number(out, e[i].t);
        fputs(",\"t_before\":", out);
        json_number(out, e[i].t_before);
        fputs(",\"t_after\":", out);
        json_number(out, e[i].t_after);
        fprintf(out, ",\"track\":%d,\"other\":%d,\"x\":", e[i].track, e[i].other);
        json_array(out, e[i].x, (size_t)dim);
        fputc('}', out);
    }
    fputs("],\"seconds\":", out);
    json_number(out, w->seconds);
    fputs("}\n", out);
}

static void fmt_point(char *buf, size_t n, const double *x, int dim)
{
    if (dim == 1) snprintf(buf, n, "%.5f", x[0]);
    else snprintf(buf, n, "(%.4f, %.4f)", x[0], x[1]);
}

static void print_minima_table(FILE *out, const widen_run *w, const dr_minima *m, size_t step)
{
    int dim = w->g.dim;
    fprintf(out, "  %5s %20s %14s %21s %19s %10s\n", "track", "x", "u",
            dim == 1 ? "curvature" : "curvature (eig)", dim == 1 ? "width" : "width (x, y)",
            dim == 1 ? "basin len" : "basin area");
    for (size_t i = 0; i < m->count; i++) {
        const dr_minimum *p = &m->min[i];
        char x[64], c[64], wd[64];
        fmt_point(x, sizeof x, p->x, dim);
        if (dim == 1) {
            snprintf(c, sizeof c, "%.6g", p->eig[0]);
            snprintf(wd, sizeof wd, "%.4f%s", p->width[0], p->touches_edge ? "+" : "");
        } else {
            snprintf(c, sizeof c, "%.4g, %.4g", p->eig[0], p->eig[1]);
            snprintf(wd, sizeof wd, "%.3f, %.3f%s", p->width[0], p->width[1],
                     p->touches_edge ? "+" : "");
        }
        fprintf(out, "  %5d %20s %14.8g %21s %19s %10.4g\n", dr_tracker_track_of(w->tr, step, i),
                x, p->u, c, wd, p->basin_measure);
    }
}

static void print_human(const widen_run *w, FILE *out)
{
    const dr_grid *g = &w->g;
    int dim = g->dim;
    fprintf(out, "%s: %s, %d-D, n = %zu", dr_landscape_name(w->f), dr_landscape_formula(w->f),
            dim, g->n[0]);
    if (dim == 2) fprintf(out, " x %zu", g->n[1]);
    fprintf(out, "\nmethod %s, beta = ", w->method);
    if (isinf(w->beta)) fputs("inf (inviscid)", out);
    else fprintf(out, "%g", w->beta);
    fprintf(out, ", C = %.6g (bound of D^2 f), delta = %.4g\n", w->C, w->delta);
    if (!strcmp(w->method, "hopf-lax"))
        fprintf(out, "Hopf-Lax minimised over a y-grid %d times finer than x (on the x-grid itself "
                     "u has curvature exactly 1/t between argmin jumps)\n", w->refine);
    if (isinf(w->beta)) fprintf(out, "note: %s\n", inviscid_note);
    fprintf(out, "\nminima of f:\n");
    print_minima_table(out, w, &w->fmin, 0);
    for (size_t k = 0; k < w->nt; k++) {
        const widen_step *s = &w->steps[k];
        char where[64];
        fmt_point(where, sizeof where, s->sc.where, dim);
        fprintf(out, "\nt = %g\n  semi-concavity max D^2 u = %.6g at %s", s->t, s->sc.value, where);
        if (w->gibbs) fprintf(out, "; Gibbs identity %.6g", s->gibbs.value);
        fprintf(out, "\n  bounds: 1/t = %.6g, C/(1+Ct) = %.6g; boundary layer %.3g%s\n", 1 / s->t,
                dr_semiconcavity_bound(w->C, s->t), s->margin[0],
                s->capped ? " (capped at a quarter of the box)" : "");
        print_minima_table(out, w, &s->m, k + 1);
    }
    size_t ne;
    const dr_event *e = dr_tracker_events(w->tr, &ne);
    fprintf(out, "\nevents (tracks of the tables; t = 0 is f):\n");
    if (ne == 0) fprintf(out, "  none\n");
    for (size_t i = 0; i < ne; i++) {
        char x[64];
        fmt_point(x, sizeof x, e[i].x, dim);
        switch (e[i].kind) {
        case DR_EVENT_JUMP:
            fprintf(out, "  jump    t = %-10.5g in (%g, %g]: global minimiser from track %d to "
                         "track %d at %s\n", e[i].t, e[i].t_before, e[i].t_after, e[i].other,
                    e[i].track, x);
            break;
        case DR_EVENT_APPEAR:
            fprintf(out, "  appear  in (%g, %g]: track %d at %s\n", e[i].t_before, e[i].t_after,
                    e[i].track, x);
            break;
        default:
            fprintf(out, "  %-7s in (%g, %g]: track %d (last at %s) into track %d\n",
                    dr_event_name(e[i].kind), e[i].t_before, e[i].t_after, e[i].track, x,
                    e[i].other);
        }
    }
    fprintf(out, "%.3f s\n", w->seconds);
}

static void write_csv(const widen_run *w, const char *path)
{
    dr_output *o = cli_output_open(path);
    FILE *out = dr_output_stream(o);
    int dim = w->g.dim;
    fputs(dim == 1 ? "t,track,x,u,curvature,width,basin,semiconcavity,gibbs,bound_inv_t,bound_C\n"
                   : "t,track,x,y,u,eig_min,eig_max,width_x,width_y,basin,semiconcavity,gibbs,"
                     "bound_inv_t,bound_C\n", out);
    for (size_t k = 0; k < w->nt; k++) {
        const widen_step *s = &w->steps[k];
        for (size_t i = 0; i < s->m.count; i++) {
            const dr_minimum *p = &s->m.min[i];
            fprintf(out, "%.17g,%d,%.17g,", s->t, dr_tracker_track_of(w->tr, k + 1, i), p->x[0]);
            if (dim == 2) fprintf(out, "%.17g,", p->x[1]);
            fprintf(out, "%.17g,%.17g,", p->u, p->eig[0]);
            if (dim == 2) fprintf(out, "%.17g,", p->eig[1]);
            fprintf(out, "%.17g,", p->width[0]);
            if (dim == 2) fprintf(out, "%.17g,", p->width[1]);
            fprintf(out, "%.17g,%.17g,%.17g,%.17g,%.17g\n", p->basin_measure, s->sc.value,
                    s->gibbs.value, 1 / s->t, dr_semiconcavity_bound(w->C, s->t));
        }
    }
    cli_output_commit(o);
}

/* ---------------------------------------------------------------- main */

/* The library's sweep reports each t; the bar of progress.h shows it. */
static void widen_progress(void *ctx, size_t done, size_t total)
{
    (void)total;
    cli_progress_update(ctx, (double)done);
}

/* What the command line asks for. */
typedef struct {
    cli_source src;
    double t[MAX_WIDEN_TIMES];
    size_t nt, n_given, n[2];
    int json, no_gibbs, refine;
    double beta, delta;
    const char *method, *out_path, *keep;
    cli_pictures pic;            /* --png, --svg, --pdf: each P.EXT also writes P-tracks.EXT */
    char tracks[3][4096];
} widen_args;

/* The options into *a; returns 1 when --help was printed. */
static int widen_options(int argc, char **argv, widen_args *a)
{
    static const struct option options[] = {
        CLI_SOURCE_OPTIONS,
        {"t", required_argument, 0, OPT_T},
        {"t-range", required_argument, 0, OPT_TRANGE},
        {"beta", required_argument, 0, OPT_BETA},
        {"method", required_argument, 0, OPT_METHOD},
        {"delta", required_argument, 0, OPT_DELTA},
        {"n", required_argument, 0, OPT_N},
        {"refine", required_argument, 0, OPT_REFINE},
        {"no-gibbs", no_argument, 0, OPT_NOGIBBS},
        {"out", required_argument, 0, OPT_OUT},
        {"png", required_argument, 0, OPT_PNG},
        {"svg", required_argument, 0, OPT_FIG_SVG},
        {"pdf", required_argument, 0, OPT_FIG_PDF},
        {"keep-plot-data", required_argument, 0, OPT_KEEP},
        {"json", no_argument, 0, OPT_JSON},
        {"help", no_argument, 0, OPT_HELP},
        {0, 0, 0, 0}};
    cli_source_init(&a->src);
    a->beta = INFINITY;
    a->delta = NAN;
    a->method = "auto";
    int have_t = 0, have_range = 0, opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (cli_source_option(&a->src, opt, optarg)) continue;
        switch (opt) {
        case OPT_T: a->nt = cli_double_list("--t", optarg, a->t, MAX_WIDEN_TIMES); have_t = 1; break;
        case OPT_TRANGE: a->nt = cli_range("--t-range", optarg, a->t, MAX_WIDEN_TIMES); have_range = 1; break;
        case OPT_BETA: a->beta = cli_double_or_inf("--beta", optarg); break;
        case OPT_METHOD: a->method = optarg; break;
        case OPT_DELTA: a->delta = cli_double("--delta", optarg); break;
        case OPT_N: a->n_given = cli_size_list("--n", optarg, a->n, 2); break;
        case OPT_REFINE: a->refine = (int)cli_long("--refine", optarg, 1, 64); break;
        case OPT_NOGIBBS: a->no_gibbs = 1; break;
        case OPT_OUT: a->out_path = optarg; break;
        case OPT_PNG: a->pic.path[0] = optarg; break;
        case OPT_FIG_SVG: a->pic.path[1] = optarg; break;
        case OPT_FIG_PDF: a->pic.path[2] = optarg; break;
        case OPT_KEEP: a->keep = optarg; break;
        case OPT_JSON: a->json = 1; break;
        case 'h':
        case OPT_HELP: fputs(usage_text, stdout); return 1;
        default: cli_bad_option("widen", argv);
        }
    }
    if (optind < argc) cli_die(EXIT_USAGE, "widen: unexpected argument '%s'", argv[optind]);
    if (have_t && have_range) cli_die(EXIT_USAGE, "widen: give --t or --t-range, not both");
    return 0;
}

/* The options checked against each other (the sweep sorted, the method resolved) and the
 * files to write; returns 1 when --help was printed. */
static int widen_parse(int argc, char **argv, widen_args *a)
{
    if (widen_options(argc, argv, a)) return 1;
    double *t = a->t, beta = a->beta;
    size_t nt = a->nt;
    if (nt == 0)
        cli_die(EXIT_USAGE, "widen: a sweep of times is required (--t T1,T2,... or --t-range A:B:K)");
    for (size_t k = 0; k < nt; k++)
        if (!(t[k] > 0)) cli_die(EXIT_USAGE, "widen: every time must be positive (got %g)", t[k]);
    qsort(t, nt, sizeof *t, cmp_double);
    for (size_t k = 1; k < nt; k++)
        if (t[k] == t[k - 1]) cli_die(EXIT_USAGE, "widen: time %g appears twice in the sweep", t[k]);
    if (!(beta > 0)) cli_die(EXIT_USAGE, "widen: --beta must be positive or inf (got %g)", beta);
    if (!isnan(a->delta) && !(a->delta >= 0))
        cli_die(EXIT_USAGE, "widen: --delta must be >= 0 (got %g)", a->delta);
    if (!strcmp(a->method, "auto")) a->method = isinf(beta) ? "hopf-lax" : "heat";
    const char *method = a->method;
    if (strcmp(method, "heat") && strcmp(method, "hopf-lax") && strcmp(method, "fd"))
        cli_die(EXIT_USAGE, "widen: unknown method '%s' (auto, heat, hopf-lax, fd)", method);
    if (!strcmp(method, "heat") && isinf(beta))
        cli_die(EXIT_USAGE, "widen: the heat method needs a finite --beta (beta = inf is the "
                            "inviscid equation: use --method hopf-lax)");
    if (!strcmp(method, "hopf-lax") && !isinf(beta))
        cli_die(EXIT_USAGE, "widen: hopf-lax solves the inviscid equation (beta = inf); got "
                            "--beta %g: use --method heat", beta);
    if (a->refine && strcmp(method, "hopf-lax"))
        cli_die(EXIT_USAGE, "widen: --refine applies to --method hopf-lax only");
    if (a->no_gibbs && isinf(beta))
        cli_die(EXIT_USAGE, "widen: --no-gibbs applies to a finite --beta only (the inviscid "
                            "solve has no Gibbs measure)");
    if (a->out_path && !cli_has_ext(a->out_path, ".csv"))
        cli_die(EXIT_USAGE, "widen: --out must end in .csv (got '%s')", a->out_path);
    cli_pictures_check(&a->pic, a->keep, "widen");
    const char *outputs[7] = {a->out_path}, *inputs[] = {a->src.input};
    for (int i = 0; i < 3; i++)
        if (a->pic.path[i]) {
            cli_picture_sibling(a->tracks[i], sizeof a->tracks[i], a->pic.path[i], "tracks");
            outputs[1 + 2 * i] = a->pic.path[i];
            outputs[2 + 2 * i] = a->tracks[i];
        }
    cli_check_files(outputs, 7, inputs, 1);
    return 0;
}

/* The library's sweep (dr_widen_run) over the loaded landscape and grid in *w, with a progress
 * bar; fills the rest of *w from *lib, which owns it. Returns a status (on failure *lib holds
 * nothing, w->u1d is freed by the caller). */
static int widen_sweep(const widen_args *a, widen_run *w, dr_widen *lib)
{
    int dim = w->g.dim;
    w->beta = a->beta;
    w->method = a->method;
    w->refine = a->refine ? a->refine : (dim == 1 ? 64 : 4);
    w->gibbs = !isinf(a->beta) && !a->no_gibbs;
    w->nt = a->nt;
    size_t size = dr_grid_size(&w->g);
    if (dim == 1) w->u1d = malloc(a->nt * size * sizeof *w->u1d);
    if (dim == 1 && !w->u1d) return dr_error(DR_ENOMEM, "out of memory");

    dr_widen_options wo;
    dr_widen_options_init(&wo);
    wo.method = !strcmp(a->method, "heat") ? DR_SOLVE_HEAT
              : !strcmp(a->method, "hopf-lax") ? DR_SOLVE_HOPFLAX : DR_SOLVE_FD;
    wo.refine = w->refine;
    wo.no_gibbs = a->no_gibbs;
    wo.delta = a->delta;
    cli_progress bar;
    cli_progress_begin(&bar, "widen", "t", (double)a->nt);
    wo.progress = widen_progress;
    wo.progress_ctx = &bar;
    double start = cli_seconds();
    int st = dr_widen_run(lib, w->f, &w->g, a->beta, a->t, a->nt, &wo, w->u1d);
    cli_progress_end(&bar, (double)a->nt);
    if (st) return st;
    w->C = lib->C;
    w->delta = lib->delta;
    w->fvals = lib->f;
    w->fmin = lib->fmin;
    w->steps = lib->steps;
    w->tr = lib->tracker;
    w->seconds = cli_seconds() - start;
    return DR_SUCCESS;
}

int cmd_widen(int argc, char **argv)
{
    widen_args a = {0};
    if (widen_parse(argc, argv, &a)) return 0;
    double lo[2], hi[2];
    widen_run w = {0};
    w.f = cli_source_load(&a.src, lo, hi);
    cli_grid(&w.g, "widen", w.f, a.n_given, a.n, WIDEN_N_1D, lo, hi);
    /* The sweep is the library's; the rest of this command prints and draws what it found. */
    dr_widen lib;
    int status = widen_sweep(&a, &w, &lib);
    if (status) cli_fail(status);

    const char *out_path = a.out_path;
    if (out_path) write_csv(&w, out_path);
    for (int i = 0; i < 3; i++)
        if (a.pic.path[i] && (status = widen_figures(&w, a.pic.path[i], a.keep))) cli_fail(status);
    if (a.json) print_json(&w, stdout);
    else {
        print_human(&w, stdout);
        if (out_path) printf("wrote %s\n", out_path);
        for (int i = 0; i < 3; i++)
            if (a.pic.path[i]) printf("wrote %s and %s\n", a.pic.path[i], a.tracks[i]);
    }
    dr_widen_free(&lib);
    free(w.u1d);
    dr_landscape_free(w.f);
    return 0;
}

/* The demo's section (demo_sections.h): a built-in landscape's sweep in-process, its table,
 * pictures and JSON summary as `deeprelax widen --landscape L [--beta B] --t-range R [--n N]
 * --out CSV --png PNG --json` writes them. */
int widen_section(const widen_section_spec *spec, FILE *json)
{
    widen_args a = {0};
    a.beta = spec->beta;
    a.delta = NAN;
    a.method = isinf(spec->beta) ? "hopf-lax" : "heat";
    a.nt = cli_range("--t-range", spec->t_range, a.t, MAX_WIDEN_TIMES);
    widen_run w = {0};
    int status = dr_landscape_alloc_builtin(&w.f, spec->landscape, NULL);
    size_t points = spec->n ? spec->n : !status && dr_landscape_dim(w.f) == 1 ? WIDEN_N_1D : 0;
    if (!status) status = dr_solve_grid(&w.g, w.f, points ? 1 : 0, &points, NULL, NULL);
    dr_widen lib;
    if (!status) status = widen_sweep(&a, &w, &lib);
    if (!status) {
        if (spec->csv) write_csv(&w, spec->csv);
        if (spec->png) status = widen_figures(&w, spec->png, NULL);
        if (!status) print_json(&w, json);
        dr_widen_free(&lib);
    }
    free(w.u1d);
    dr_landscape_free(w.f);
    return status;
}
