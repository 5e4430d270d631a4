/* `deeprelax demo`: the main job on built-in defaults. Relaxes the paper's toy landscape by the
 * viscous and the inviscid equation at several t, and the 2-D sharp-wide landscape across the t
 * at which its global minimiser jumps to the wide well; writes pictures, data and a report. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cli.h"
#include "solve_output.h"

static const char usage_text[] =
    "usage: deeprelax demo [--out DIR]\n\n"
    "Writes into DIR (default out/):\n"
    "  paper1d-viscous.png, paper1d-inviscid.png   the paper's toy f(x) = x^2 + 1.5 sin(2 pi x)\n"
    "                                             relaxed by Cole-Hopf (beta = 10) and Hopf-Lax\n"
    "  sharp-wide2d.png                            f and u(.,t), beta = 10, across the jump of\n"
    "                                             the global minimiser to the wide well\n"
    "  *.csv, report.txt, summary.json             the numbers behind the pictures\n";

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

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int cmd_demo(int argc, char **argv)
{
    static const struct option options[] = {
        {"out", required_argument, 0, 'o'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
    const char *dir = "out";
    int opt;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (opt == 'o') dir = optarg;
        else if (opt == 'h') { fputs(usage_text, stdout); return 0; }
        else cli_bad_option("demo", argv);
    }
    if (optind < argc) cli_die(EXIT_USAGE, "demo: unexpected argument '%s'", argv[optind]);
    if (mkdir(dir, 0755) && errno != EEXIST)
        cli_die(EXIT_FAIL, "cannot create '%s': %s", dir, strerror(errno));

    char path[1024];
    snprintf(path, sizeof path, "%s/report.txt", dir);
    FILE *report = fopen(path, "w");
    snprintf(path, sizeof path, "%s/summary.json", dir);
    FILE *json = fopen(path, "w");
    if (!report || !json) cli_die(EXIT_FAIL, "cannot write into '%s': %s", dir, strerror(errno));
    fputs("deeprelax demo: the PDE view of deep-learning optimisation on small landscapes\n"
          "(Chaudhari, Oberman, Osher, Soatto, Carlier 2018)\n\n", report);
    fputs("{\"cases\":{", json);

    double start = now();
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const demo_case *dc = &cases[c];
        dr_landscape *f = NULL;
        if (dr_landscape_alloc_builtin(&f, dc->landscape, NULL)) cli_fail(DR_ENOTFOUND);
        double lo[2], hi[2];
        dr_landscape_domain(f, lo, hi);
        size_t n[2] = {dc->n, dc->n};
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
        snprintf(csv, sizeof csv, "%s/%s.%s", dir, dc->name, strstr(dc->name, "2d") ? "npy" : "csv");
        snprintf(png, sizeof png, "%s/%s.png", dir, dc->name);
        req.out = csv;
        req.png = png;

        double t0 = now();
        solve_result res;
        int status = solve_run(&req, &res);
        if (status) cli_fail(status);
        res.seconds = now() - t0;
        solve_write_outputs(&req, &res);

        fprintf(report, "== %s\n", dc->name);
        solve_print_summary(&req, &res, report);
        fputc('\n', report);
        fprintf(json, "%s\"%s\":", c ? "," : "", dc->name);
        req.json = 1;
        solve_print_summary(&req, &res, json);
        printf("%-18s %s, %zu times, %.2f s -> %s, %s\n", dc->name, res.method, dc->nt,
               res.seconds, png, csv);
        solve_result_free(&res);
        dr_landscape_free(f);
    }
    double total = now() - start;
    fprintf(report, "total %.2f s\n", total);
    fprintf(json, "},\"seconds\":%.6f}\n", total);
    fclose(report);
    fclose(json);
    printf("report: %s/report.txt (%.1f s in all)\n", dir, total);
    return 0;
}
