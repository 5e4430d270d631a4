/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `deeprelax demo`: the main job on built-in defaults, and the tour. Relaxes the paper's toy
 * landscape by the viscous and the inviscid equation at several t, and the 2-D sharp-wide
 * landscape across the t at which its global minimiser jumps to the wide well; animates u(., t);
 * runs the widen, particles and explore subcommands' code on their showcase cases (in-process,
 * demo_sections.h: a section appears when it succeeds); writes pictures, data, a report,
 * summary.json, and index.html showing it all. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "demo_page.h"
#include "demo_sections.h"
#include "solve_output.h"

static const char usage_text[] =
    "usage: deeprelax demo [--out DIR] [--quick]\n"
    "       deeprelax demo -h|--help\n\n"
    "Writes into DIR (default out/):\n"
    "  paper1d-viscous.png, paper1d-inviscid.png   the paper's toy f(x) = x^2 + 1.5 sin(2 pi x)\n"
    "                                             relaxed by Cole-Hopf (beta = 10) and Hopf-Lax\n"
    "  sharp-wide2d.png                            f and u(.,t), beta = 10, across the jump of\n"
    "                                             the global minimiser to the wide well\n"
    "  paper1d-viscous.gif                         u(.,t) as t grows (needs gnuplot)\n"
    "  semiconcavity.png, widening*.png            deeprelax widen: curvature against both\n"
    "                                             bounds; minima of sharp-wide tracked over t\n"
    "  widening2d.json                             deeprelax widen: the jump of sharp-wide2d\n"
    "  particles-sgd.png, particles-entropy-sgd.png  deeprelax particles from x = 2.5\n"
    "  explore.html                                sliders over beta and t (deeprelax explore)\n"
    "  *.csv, report.txt, summary.json             the numbers behind the pictures\n"
    "  index.html                                  the tour: every picture with its numbers\n"
    "  --out DIR     the output directory (default out/; created if missing)\n"
    "  --quick       every section on coarser grids and shorter runs (a smoke run: the test\n"
    "                suite uses it under the sanitizers, where the full demo takes long)\n"
    "  -h, --help    this text\n";

typedef struct {
    const char *name, *landscape, *title;
    double beta;
    double t[8];
    size_t nt;
    size_t n;
    int refine;
} demo_case;

static const demo_case cases[] = {
    {"paper1d-viscous", "paper1d", "paper1d", 10, {0.02, 0.05, 0.1, 0.2, 0.5}, 5, 1201, 1},
    {"paper1d-inviscid", "paper1d", "paper1d", INFINITY, {0.02, 0.05, 0.1, 0.2, 0.5}, 5, 1201, 8},
    {"sharp-wide2d", "sharp-wide2d", "sharp-wide2d", 10, {0.25, 0.45, 0.55, 1.0}, 4, 257, 1},
};

/* u(., t) of the toy for 40 log-spaced t in [0.005, 1] (--quick: 10 on a coarser grid), as an
 * animated GIF. */
static int demo_animation(const char *dir, int quick)
{
    dr_landscape *f = NULL;
    if (dr_landscape_alloc_builtin(&f, "paper1d", NULL)) return -1;
    double lo[2], hi[2];
    dr_landscape_domain(f, lo, hi);
    size_t n[2] = {quick ? 201 : 601, 1};
    solve_request req = {0};
    if (dr_grid_init(&req.grid, 1, n, lo, hi)) cli_fail(DR_EINVAL);
    req.f = f;
    req.beta = 10;
    req.method = "heat";
    req.engine = DR_HEAT_AUTO;
    req.refine = 1;
    req.nt = quick ? 10 : 40;
    for (size_t k = 0; k < req.nt; k++)
        req.t[k] = 0.005 * pow(200.0, (double)k / (double)(req.nt - 1));
    solve_result res;
    int status = solve_run(&req, &res);
    if (status) cli_fail(status);
    char out[1024], data[1024];
    snprintf(out, sizeof out, "%s/paper1d-viscous.gif", dir);
    snprintf(data, sizeof data, "%s/plot-data", dir);
    dr_gnuplot_options o = {.dir = data, .name = "paper1d-viscous-anim", .output = out,
                            .title = "paper1d, beta = 10", .xlabel = "x",
                            .ylabel = "f, u(x,t)"};
    status = dr_gnuplot_animation(&o, &req.grid, res.f, res.u, req.t, req.nt, 10);
    solve_result_free(&res);
    dr_landscape_free(f);
    if (status == DR_EUNSUPPORTED) {
        fprintf(stderr, "deeprelax: note: gnuplot not found; the demo has no animation\n");
        return -1;
    }
    if (status) cli_fail(status);
    printf("%-18s %zu frames -> %s\n", "animation", req.nt, out);
    return 0;
}

typedef int (*demo_runner)(const void *spec, FILE *json);
static int run_widen(const void *spec, FILE *json) { return widen_section(spec, json); }
static int run_particles(const void *spec, FILE *json) { return particles_section(spec, json); }

/* One tour section from another subcommand's code (demo_sections.h), in-process: runs it, its
 * JSON summary kept in DIR/STEM.json, and on success appends "key":<that JSON> to the
 * summary's object `group` (the subcommand's name); a failed section is left out. */
static void demo_section(const char *dir, FILE *json, const char *key, int *opened,
                         const char *group, const char *stem, demo_runner run, const void *spec)
{
    char capture[1024];
    snprintf(capture, sizeof capture, "%s/%s.json", dir, stem);
    double t0 = cli_seconds();
    dr_output *o;
    int status = dr_output_open(&o, capture);
    if (!status) {
        status = run(spec, dr_output_stream(o));
        if (status) dr_output_abort(o);
        else status = dr_output_commit(o);
    }
    if (status) {
        fprintf(stderr, "deeprelax: note: demo: the %s section failed (%s); the page leaves it "
                        "out\n", stem, dr_error_message());
        return;
    }
    FILE *in = fopen(capture, "r");
    if (!in) return;
    if (!*opened) fprintf(json, ",\"%s\":{", group);
    fprintf(json, "%s\"%s\":", *opened ? "," : "", key);
    *opened = 1;
    int c;
    while ((c = fgetc(in)) != EOF)
        if (c != '\n') fputc(c, json);
    fclose(in);
    printf("%-18s deeprelax %s, %.2f s -> %s/%s.json\n", stem, group, cli_seconds() - t0, dir,
           stem);
}

/* The options: fills *dir and *quick; returns 1 when --help was printed. */
static int demo_parse(int argc, char **argv, const char **dir, int *quick)
{
    enum { OPT_QUICK = 2000 };
    static const struct option options[] = {{"out", required_argument, 0, 'o'},
                                            {"quick", no_argument, 0, OPT_QUICK},
                                            {"help", no_argument, 0, 'h'},
                                            {0, 0, 0, 0}};
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (opt == 'o') *dir = optarg;
        else if (opt == OPT_QUICK) *quick = 1;
        else if (opt == 'h') { fputs(usage_text, stdout); return 1; }
        else cli_bad_option("demo", argv);
    }
    if (optind < argc) cli_die(EXIT_USAGE, "demo: unexpected argument '%s'", argv[optind]);
    return 0;
}

/* One solve case: its picture and table into DIR, its summary into the report and into the
 * summary's "cases" object (`first`: the object's first member). */
static void demo_case_run(const demo_case *dc, const char *dir, int quick, FILE *report,
                          FILE *json, int first)
{
    dr_landscape *f = NULL;
    if (dr_landscape_alloc_builtin(&f, dc->landscape, NULL)) cli_fail(DR_ENOTFOUND);
    double lo[2], hi[2];
    dr_landscape_domain(f, lo, hi);
    /* --quick: a quarter of the points per axis (1201 -> 301, 257 -> 65) */
    size_t points = quick ? dc->n / 4 + 1 : dc->n, n[2] = {points, points};
    solve_request req = {0};
    if (dr_grid_init(&req.grid, dr_landscape_dim(f), n, lo, hi)) cli_fail(DR_EINVAL);
    req.f = f;
    req.beta = dc->beta;
    req.method = "auto";
    req.engine = DR_HEAT_AUTO;
    req.refine = dc->refine;
    req.nt = dc->nt;
    memcpy(req.t, dc->t, dc->nt * sizeof *dc->t);
    req.title = dc->title;
    char csv[1024], png[1024];
    /* 2-D tables are large: NumPy format keeps them compact and exact. */
    snprintf(csv, sizeof csv, "%s/%s.%s", dir, dc->name, req.grid.dim == 2 ? "npy" : "csv");
    snprintf(png, sizeof png, "%s/%s.png", dir, dc->name);
    req.out = csv;
    req.png = png;

    solve_result res;
    int status = solve_run(&req, &res);
    if (status) cli_fail(status);
    solve_write_outputs(&req, &res);

    fprintf(report, "== %s\n", dc->name);
    solve_print_summary(&req, &res, report);
    fputc('\n', report);
    fprintf(json, "%s\"%s\":", first ? "" : ",", dc->name);
    req.json = 1;
    solve_print_summary(&req, &res, json);
    printf("%-18s %s, %zu times, %.2f s -> %s, %s\n", dc->name, res.method, dc->nt,
           res.seconds, png, csv);
    solve_result_free(&res);
    dr_landscape_free(f);
}

/* The widen and particles sections, appended to the summary, and the explorer page. --quick
 * shortens each run. */
static void demo_sections(const char *dir, FILE *json, int quick)
{
    char csv[4][1024], png[4][1024];
    static const char *const stems[4] = {"semiconcavity", "widening", "particles-sgd",
                                         "particles-entropy-sgd"};
    for (int k = 0; k < 4; k++) {
        snprintf(csv[k], sizeof csv[k], "%s/%s.csv", dir, stems[k]);
        snprintf(png[k], sizeof png[k], "%s/%s.png", dir, stems[k]);
    }
    int opened = 0;
    widen_section_spec semi = {"paper1d", INFINITY, quick ? "0.01:0.5:8" : "0.01:0.5:25",
                               quick ? 201 : 0, csv[0], png[0]};
    widen_section_spec wide = {"sharp-wide", 10, quick ? "0.02:2:10" : "0.02:2:40",
                               quick ? 201 : 0, csv[1], png[1]};
    /* the 2-D case's jump, on a coarser grid than its solve (a few seconds, not twenty) */
    widen_section_spec wide2d = {"sharp-wide2d", 10, "0.45:0.55:3", 129, NULL, NULL};
    demo_section(dir, json, "semiconcavity", &opened, "widen", stems[0], run_widen, &semi);
    demo_section(dir, json, "widening", &opened, "widen", stems[1], run_widen, &wide);
    demo_section(dir, json, "widening2d", &opened, "widen", "widening2d", run_widen, &wide2d);
    if (opened) fputc('}', json);
    opened = 0;
    /* Settings measured with `deeprelax particles`: SGD at a stable step stays in its basin;
     * Entropy-SGD at gamma = 0.5, beta = 1, L = 100 ends 98 of its 100 particles in the global
     * minimum's basin (the page shows the fractions of the run itself). */
    particles_section_spec sgd = {"paper1d", {0}, 2.5, quick ? 20 : 100, csv[2], png[2]};
    dr_particles_options_default(&sgd.o);
    sgd.o.algo = DR_PARTICLES_SGD;
    sgd.o.sigma = 3;
    sgd.o.eta = 0.01;
    sgd.o.steps = quick ? 50 : 200;
    particles_section_spec esgd = {"paper1d", {0}, 2.5, sgd.K, csv[3], png[3]};
    dr_particles_options_default(&esgd.o);
    esgd.o.algo = DR_PARTICLES_ENTROPY_SGD;
    esgd.o.steps = sgd.o.steps;
    esgd.o.gamma = 0.5;
    esgd.o.beta = 1;
    esgd.o.L = 100;
    esgd.o.eta_inner = 0.01;
    esgd.o.eta = 0.05;
    demo_section(dir, json, "sgd", &opened, "particles", stems[2], run_particles, &sgd);
    demo_section(dir, json, "entropy-sgd", &opened, "particles", stems[3], run_particles, &esgd);
    if (opened) fputc('}', json);
    /* the interactive page on its default set (--quick: a smaller one); the tour links to it */
    char explore_log[1024];
    snprintf(explore_log, sizeof explore_log, "%s/explore.json", dir);
    dr_output *o;
    int status = dr_output_open(&o, explore_log);
    if (!status) {
        status = explore_section(dir, quick, dr_output_stream(o));
        if (status) dr_output_abort(o);
        else status = dr_output_commit(o);
    }
    if (status)
        fprintf(stderr, "deeprelax: note: demo: the explorer page failed (%s); no explore.html\n",
                dr_error_message());
}

/* index.html from summary.json as written: the page quotes that file itself, so the two cannot
 * disagree. */
static void demo_page(const char *dir, double total)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    FILE *in = fopen(path, "r");
    char *text = NULL;
    size_t size = 0;
    if (in) {
        fseek(in, 0, SEEK_END);
        long end = ftell(in);
        rewind(in);
        text = end > 0 ? malloc((size_t)end + 1) : NULL;
        if (text) size = fread(text, 1, (size_t)end, in);
        fclose(in);
    }
    if (!text) cli_die(EXIT_FAIL, "cannot read back '%s'", path);
    text[size] = '\0';
    char page[1024];
    snprintf(page, sizeof page, "%s/index.html", dir);
    int written = demo_page_write(dir, text, page);
    if (written) cli_fail(written);
    free(text);
    printf("report: %s/report.txt, page: %s (%.1f s in all)\n", dir, page, total);
}

int cmd_demo(int argc, char **argv)
{
    const char *dir = "out";
    int quick = 0;
    if (demo_parse(argc, argv, &dir, &quick)) return 0;
    if (mkdir(dir, 0755) && errno != EEXIST)
        cli_die(EXIT_FAIL, "cannot create '%s': %s", dir, strerror(errno));

    /* Every file of the directory replaces its older self only when complete: an interrupted
     * or failed demo leaves the previous run's files, never torn ones. */
    char path[1024];
    snprintf(path, sizeof path, "%s/report.txt", dir);
    dr_output *report_out = cli_output_open(path);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    dr_output *json_out = cli_output_open(path);
    FILE *report = dr_output_stream(report_out), *json = dr_output_stream(json_out);
    fputs("deeprelax demo: the PDE view of deep-learning optimisation on small landscapes\n"
          "(Chaudhari, Oberman, Osher, Soatto, Carlier 2018)\n\n", report);
    fputs("{\"cases\":{", json);

    double start = cli_seconds();
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        demo_case_run(&cases[c], dir, quick, report, json, c == 0);
    fputc('}', json);

    int have_gif = demo_animation(dir, quick) == 0;
    fprintf(json, ",\"animation\":%s", have_gif ? "\"paper1d-viscous.gif\"" : "null");
    demo_sections(dir, json, quick);

    double total = cli_seconds() - start;
    fprintf(report, "total %.2f s\n", total);
    fprintf(json, ",\"seconds\":%.6f}\n", total);
    cli_output_commit(report_out);
    cli_output_commit(json_out);
    demo_page(dir, total);
    return 0;
}
