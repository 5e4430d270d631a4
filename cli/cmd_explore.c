/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `deeprelax explore`: DIR/explore.html, one self-contained page (no server, no network) with a
 * beta slider and a t slider over the library's u(., t) for one or more landscapes: f, u and the
 * Hopf-Lax u, grad u, minima, the Gibbs density and mean at a clicked x, semi-concavity against
 * its bounds (1-D); a heatmap with contours and minima (2-D). The numbers are computed here, on a
 * grid of (beta, t), and embedded as float32 in base64; the page only shows those samples. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "explore_data.h"
#include "demo_sections.h"

#define EXPLORE_MAX_CASES 8

static const char usage_text[] =
    "usage: deeprelax explore [(--landscape NAME [--noise A] [--noise-seed S] | --expr EXPR\n"
    "                           [--dim 1|2] | --input FILE) [--domain A:B[,C:D]] ...]\n"
    "                         [--beta B1,B2,...] [--t T1,T2,...] [--n N] [--n2d N]\n"
    "                         [--out DIR] [--json]\n"
    "       deeprelax explore -h|--help\n\n"
    "Writes DIR/explore.html: sliders over beta (and beta = inf, Hopf-Lax) and t, showing the\n"
    "library's u(., t) computed now on that grid (exact samples, nothing interpolated between\n"
    "them). Each --landscape, --expr or --input adds one landscape (at most 8; --dim, --domain,\n"
    "--noise apply to the last one given); none: paper1d, sharp-wide, double-well, abs and\n"
    "sharp-wide2d. Open the file in any browser, from disk.\n\n"
    CLI_SOURCE_HELP
    "  --beta B1,B2,...     finite inverse temperatures, each > 0 (default 0.3,1,3,10,30,100);\n"
    "                       beta = inf is always added\n"
    "  --t T1,T2,...        times, each > 0 (default 16 log-spaced from 0.01 to 3.3, the E6\n"
    "                       series 1, 1.5, 2.2, 3.3, 4.7, 6.8 per decade)\n"
    "  --n N                grid points of 1-D landscapes (default 401)\n"
    "  --n2d N              grid points per axis of 2-D landscapes (default 81)\n"
    "  --out DIR            where explore.html goes (default out)\n"
    "  --json               print a summary (file, size, grids, seconds) as one JSON object\n"
    "  -h, --help           this text\n";

enum { OPT_BETA = 2000, OPT_T, OPT_N, OPT_N2D, OPT_OUT, OPT_JSON, OPT_HELP };

static const char *const default_set[] = {"paper1d", "sharp-wide", "double-well", "abs",
                                          "sharp-wide2d"};

typedef struct {
    cli_source src[EXPLORE_MAX_CASES];
    size_t ns;
    explore_axes ax;
    size_t n1, n2;
    const char *dir;
    int json;
} explore_args;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorted, each > 0 (finite unless allow_inf), no value twice. */
static size_t sorted_list(const char *opt, const char *arg, double *v, size_t max)
{
    size_t n = cli_double_list(opt, arg, v, max);
    qsort(v, n, sizeof *v, cmp_double);
    for (size_t i = 0; i < n; i++) {
        if (!(v[i] > 0)) cli_die(EXIT_USAGE, "explore: %s: every value must be positive (got %g)",
                                 opt, v[i]);
        if (i && v[i] == v[i - 1])
            cli_die(EXIT_USAGE, "explore: %s: %g is given twice", opt, v[i]);
    }
    return n;
}

/* A landscape option opens a new source once the current one has its landscape. */
static void source_option(explore_args *a, int opt, const char *arg)
{
    int opens = opt == OPT_LANDSCAPE || opt == OPT_EXPR || opt == OPT_INPUT;
    cli_source *cur = a->ns ? &a->src[a->ns - 1] : NULL;
    int has = cur && (cur->landscape || cur->expr || cur->input);
    if (!cur || (opens && has)) {
        if (a->ns == EXPLORE_MAX_CASES)
            cli_die(EXIT_USAGE, "explore: at most %d landscapes", EXPLORE_MAX_CASES);
        cur = &a->src[a->ns++];
        cli_source_init(cur);
    }
    cli_source_option(cur, opt, arg);
}

static void default_axes(explore_axes *ax)
{
    static const double betas[] = {0.3, 1, 3, 10, 30, 100};
    static const double e6[] = {1, 1.5, 2.2, 3.3, 4.7, 6.8};
    ax->nb = sizeof betas / sizeof betas[0];
    memcpy(ax->beta, betas, sizeof betas);
    ax->nt = 0;
    /* through the decimal text, so that t is the double nearest 0.0015 (not 1.5 * 0.001) */
    for (int decade = -2; decade <= 0; decade++)
        for (size_t i = 0; i < 6 && ax->nt < 16; i++) {
            char text[32];
            snprintf(text, sizeof text, "%.1fe%d", e6[i], decade);
            ax->t[ax->nt++] = strtod(text, NULL);
        }
}

static void parse_args(explore_args *a, int argc, char **argv)
{
    static const struct option options[] = {
        CLI_SOURCE_OPTIONS,
        {"beta", required_argument, 0, OPT_BETA}, {"t", required_argument, 0, OPT_T},
        {"n", required_argument, 0, OPT_N}, {"n2d", required_argument, 0, OPT_N2D},
        {"out", required_argument, 0, OPT_OUT}, {"json", no_argument, 0, OPT_JSON},
        {"help", no_argument, 0, OPT_HELP}, {0, 0, 0, 0}};
    memset(a, 0, sizeof *a);
    default_axes(&a->ax);
    a->n1 = 401;
    a->n2 = 81;
    a->dir = "out";
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (opt > OPT_SOURCE_BASE && opt <= OPT_NOISE_SEED) {
            source_option(a, opt, optarg);
            continue;
        }
        switch (opt) {
        case OPT_BETA:
            a->ax.nb = sorted_list("--beta", optarg, a->ax.beta, EXPLORE_MAX_BETAS - 1);
            break;
        case OPT_T: a->ax.nt = sorted_list("--t", optarg, a->ax.t, EXPLORE_MAX_TIMES); break;
        case OPT_N: a->n1 = (size_t)cli_long("--n", optarg, DR_GRID_MIN_POINTS, 20001); break;
        case OPT_N2D: a->n2 = (size_t)cli_long("--n2d", optarg, DR_GRID_MIN_POINTS, 257); break;
        case OPT_OUT: a->dir = optarg; break;
        case OPT_JSON: a->json = 1; break;
        case 'h':
        case OPT_HELP: fputs(usage_text, stdout); exit(0);
        default: cli_bad_option("explore", argv);
        }
    }
    if (optind < argc) cli_die(EXIT_USAGE, "explore: unexpected argument '%s'", argv[optind]);
    a->ax.beta[a->ax.nb++] = INFINITY;
    for (size_t i = 0; i < a->ns; i++)
        if (!a->src[i].landscape && !a->src[i].expr && !a->src[i].input)
            cli_die(EXIT_USAGE, "explore: --dim, --domain and --noise need a landscape "
                                "(--landscape, --expr or --input) to apply to");
    if (a->ns == 0)
        for (; a->ns < sizeof default_set / sizeof default_set[0]; a->ns++) {
            cli_source_init(&a->src[a->ns]);
            a->src[a->ns].landscape = default_set[a->ns];
        }
}

static void load_case(explore_case *c, const cli_source *src, const explore_args *a)
{
    double lo[2], hi[2];
    c->f = cli_source_load(src, lo, hi);
    int dim = dr_landscape_dim(c->f);
    size_t n[2] = {dim == 1 ? a->n1 : a->n2, dim == 1 ? 1 : a->n2};
    if (dr_grid_init(&c->g, dim, n, lo, hi)) cli_fail(DR_EINVAL);
}

static void print_json(const explore_args *a, const explore_case *cases, const char *page,
                       long bytes, double seconds, FILE *out)
{
    fputs("{\"page\":", out);
    json_string(out, page);
    fprintf(out, ",\"bytes\":%ld,\"betas\":", bytes);
    fputc('[', out);
    for (size_t i = 0; i < a->ax.nb; i++) {
        if (i) fputc(',', out);
        json_number_inf(out, a->ax.beta[i]);
    }
    fputs("],\"t\":", out);
    json_array(out, a->ax.t, a->ax.nt);
    fputs(",\"landscapes\":[", out);
    for (size_t i = 0; i < a->ns; i++) {
        fputs(i ? ",{\"name\":" : "{\"name\":", out);
        json_string(out, dr_landscape_name(cases[i].f));
        fprintf(out, ",\"dim\":%d,\"n\":%zu,\"seconds\":", cases[i].g.dim, cases[i].g.n[0]);
        json_number(out, cases[i].seconds);
        fputc('}', out);
    }
    fputs("],\"seconds\":", out);
    json_number(out, seconds);
    fputs("}\n", out);
}

int cmd_explore(int argc, char **argv)
{
    explore_args a;
    parse_args(&a, argc, argv);
    if (mkdir(a.dir, 0755) && errno != EEXIST)
        cli_die(EXIT_FAIL, "cannot create '%s': %s", a.dir, strerror(errno));
    char page[4096];
    if (snprintf(page, sizeof page, "%s/explore.html", a.dir) >= (int)sizeof page)
        cli_die(EXIT_USAGE, "explore: --out path too long");
    const char *outputs[] = {page}, *inputs[EXPLORE_MAX_CASES];
    for (size_t i = 0; i < a.ns; i++) inputs[i] = a.src[i].input;
    cli_check_files(outputs, 1, inputs, a.ns);
    double start = cli_seconds();
    explore_case cases[EXPLORE_MAX_CASES] = {0};
    for (size_t i = 0; i < a.ns; i++) load_case(&cases[i], &a.src[i], &a);
    for (size_t i = 0; i < a.ns; i++) {
        int status = explore_case_compute(&cases[i], &a.ax);
        if (status) cli_fail(status);
    }
    int written = explore_page_write(page, cases, a.ns, &a.ax);
    if (written) cli_fail(written);
    struct stat st;
    long bytes = stat(page, &st) ? -1 : (long)st.st_size;
    double seconds = cli_seconds() - start;
    if (a.json) print_json(&a, cases, page, bytes, seconds, stdout);
    else
        printf("wrote %s (%.2f MB, %zu landscapes, %zu beta x %zu t, %.1f s)\n", page,
               (double)bytes / 1e6, a.ns, a.ax.nb, a.ax.nt, seconds);
    for (size_t i = 0; i < a.ns; i++) explore_case_free(&cases[i]);
    return 0;
}

/* The demo's section (demo_sections.h): DIR/explore.html from built-in landscapes, in-process:
 * the default set and axes, or (quick) paper1d and sharp-wide2d at beta = 1, 10, inf and
 * t = 0.01, 0.1, 1 on 101 and 33 x 33 points; its summary, as --json prints it, to `json`. */
int explore_section(const char *dir, int quick, FILE *json)
{
    static const char *const quick_set[] = {"paper1d", "sharp-wide2d"};
    explore_args a;
    memset(&a, 0, sizeof a);
    default_axes(&a.ax);
    a.n1 = quick ? 101 : 401;
    a.n2 = quick ? 33 : 81;
    if (quick) {
        static const double betas[] = {1, 10}, t[] = {0.01, 0.1, 1};
        a.ax.nb = 2;
        memcpy(a.ax.beta, betas, sizeof betas);
        a.ax.nt = 3;
        memcpy(a.ax.t, t, sizeof t);
    }
    a.ax.beta[a.ax.nb++] = INFINITY;
    const char *const *set = quick ? quick_set : default_set;
    size_t ns = quick ? sizeof quick_set / sizeof *quick_set
                      : sizeof default_set / sizeof *default_set;
    char page[4096];
    snprintf(page, sizeof page, "%s/explore.html", dir);
    double start = cli_seconds();
    explore_case cases[EXPLORE_MAX_CASES] = {0};
    int status = DR_SUCCESS;
    for (; a.ns < ns && !status; a.ns++) {
        explore_case *c = &cases[a.ns];
        status = dr_landscape_alloc_builtin(&c->f, set[a.ns], NULL);
        if (status) break;
        int dim = dr_landscape_dim(c->f);
        double lo[2], hi[2];
        dr_landscape_domain(c->f, lo, hi);
        size_t n[2] = {dim == 1 ? a.n1 : a.n2, dim == 1 ? 1 : a.n2};
        status = dr_grid_init(&c->g, dim, n, lo, hi);
    }
    for (size_t i = 0; i < a.ns && !status; i++) status = explore_case_compute(&cases[i], &a.ax);
    if (!status) status = explore_page_write(page, cases, a.ns, &a.ax);
    if (!status) {
        struct stat st;
        long bytes = stat(page, &st) ? -1 : (long)st.st_size;
        print_json(&a, cases, page, bytes, cli_seconds() - start, json);
    }
    for (size_t i = 0; i < a.ns; i++) explore_case_free(&cases[i]);
    return status;
}
