/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `deeprelax solve`: relax one landscape by one method at one or more times, and write u, its
 * gradient, a picture and a summary. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "figures.h"
#include "solve_output.h"


static const char usage_text[] =
    "usage: deeprelax solve --t T[,T2,...]\n"
    "                       (--landscape NAME [--noise A] [--noise-seed S] | --expr EXPR [--dim 1|2]\n"
    "                        | --input FILE) [--domain A:B[,C:D]]\n"
    "                       [--method auto|heat|hopf-lax|fd] [--beta B|inf] [--n N[,M]]\n"
    "                       [--scheme weno5|eno2|upwind1] [--cfl C]\n"
    "                       [--engine auto|fft|logsum] [--refine R] [--no-polish]\n"
    "                       [--out FILE.csv|FILE.npy] [--png FILE.png] [--svg FILE.svg]\n"
    "                       [--pdf FILE.pdf] [--keep-plot-data DIR] [--json]\n"
    "       deeprelax solve -h|--help\n\n"
    "Solves u_t = -1/2 |grad u|^2 + (1/(2 beta)) Laplacian u, u(.,0) = f, on a uniform grid:\n"
    "exactly by Cole-Hopf for finite beta (heat), by the Hopf-Lax formula for beta = inf,\n"
    "or by finite differences (fd: any beta, a time stepper verified against both).\n\n"
    CLI_SOURCE_HELP
    "  --t T[,T2,...]       times (the paper's gamma), each > 0\n"
    "  --beta B|inf         inverse temperature (default inf: the inviscid equation)\n"
    "  --method M           auto (heat if beta is finite, else hopf-lax), heat, hopf-lax, fd\n"
    "  --scheme S           fd: weno5 (default), eno2 or upwind1 (with TVD Runge-Kutta 3)\n"
    "  --cfl C              fd: CFL number, at most 1 (default 0.5)\n"
    "  --n N[,M]            grid points per axis (default 601 in 1-D, 257,257 in 2-D)\n"
    "  --engine E           heat engine: auto (FFT, log domain where FFT round-off would show),\n"
    "                       fft, logsum (default auto)\n"
    "  --refine R           hopf-lax: minimise over a y-grid R times finer (default 1)\n"
    "  --no-polish          hopf-lax: keep the grid minimum instead of refining each\n"
    "                       minimiser by Newton steps on the continuous f (default: polish)\n"
    "  --out FILE           data: .csv (t,x,f,u,du_dx or t,x,y,f,u,du_dx,du_dy; x fastest)\n"
    "                       or .npy (the same table as a float64 array, one row per line)\n"
    "  --png FILE           picture: 1-D curves f and u(.,t), 2-D heatmaps of f and u with\n"
    "                       contours and the global minima marked (gnuplot; libpng without it)\n"
    CLI_PICTURE_HELP
    "  --keep-plot-data DIR keep gnuplot's data and script there, to restyle the figure\n"
    "  --json               print the summary as one JSON object\n"
    "  -h, --help           this text\n";

/* An option given for a method that does not use it is an error, not a silent no-op. */
static void check_applies(int given, const char *opt, const char *ran, const char *method)
{
    if (given && strcmp(ran, method))
        cli_die(EXIT_USAGE, "solve: %s applies to --method %s only, not to %s", opt, method, ran);
}

enum { OPT_T = 2000, OPT_BETA, OPT_METHOD, OPT_N, OPT_ENGINE, OPT_REFINE, OPT_OUT, OPT_PNG,
       OPT_JSON, OPT_KEEP, OPT_HELP, OPT_SCHEME, OPT_CFL, OPT_NO_POLISH };

/* The options into *req and *src (`n` and *n_given: --n's values, the grid being made once
 * the landscape is known), each checked; returns 1 when --help was printed. */
static int solve_parse(int argc, char **argv, solve_request *req, cli_source *src,
                       size_t n[2], size_t *n_given)
{
    static const struct option options[] = {
        CLI_SOURCE_OPTIONS,
        {"t", required_argument, 0, OPT_T},
        {"beta", required_argument, 0, OPT_BETA},
        {"method", required_argument, 0, OPT_METHOD},
        {"n", required_argument, 0, OPT_N},
        {"engine", required_argument, 0, OPT_ENGINE},
        {"refine", required_argument, 0, OPT_REFINE},
        {"scheme", required_argument, 0, OPT_SCHEME},
        {"cfl", required_argument, 0, OPT_CFL},
        {"out", required_argument, 0, OPT_OUT},
        {"png", required_argument, 0, OPT_PNG},
        {"svg", required_argument, 0, OPT_FIG_SVG},
        {"pdf", required_argument, 0, OPT_FIG_PDF},
        {"keep-plot-data", required_argument, 0, OPT_KEEP},
        {"json", no_argument, 0, OPT_JSON},
        {"no-polish", no_argument, 0, OPT_NO_POLISH},
        {"help", no_argument, 0, OPT_HELP},
        {0, 0, 0, 0}};
    cli_source_init(src);
    req->beta = INFINITY;
    req->method = "auto";
    req->engine = DR_HEAT_AUTO;
    req->refine = 1;
    int opt, given[OPT_NO_POLISH + 1 - OPT_T] = {0};
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (cli_source_option(src, opt, optarg)) continue;
        if (opt >= OPT_T && opt <= OPT_NO_POLISH) given[opt - OPT_T] = 1;
        switch (opt) {
        case OPT_T: req->nt = cli_double_list("--t", optarg, req->t, MAX_SOLVE_TIMES); break;
        case OPT_BETA: req->beta = cli_double_or_inf("--beta", optarg); break;
        case OPT_METHOD: req->method = optarg; break;
        case OPT_N: *n_given = cli_size_list("--n", optarg, n, 2); break;
        case OPT_ENGINE:
            if (dr_heat_engine_parse(optarg, &req->engine)) cli_fail(DR_EINVAL);
            break;
        case OPT_REFINE: req->refine = (int)cli_long("--refine", optarg, 1, 1024); break;
        case OPT_SCHEME:
            if (dr_fd_scheme_parse(optarg, &req->scheme)) cli_fail(DR_EINVAL);
            break;
        case OPT_CFL:
            req->cfl = cli_double("--cfl", optarg);
            if (!(req->cfl > 0)) cli_die(EXIT_USAGE, "solve: --cfl must be positive (got %g)", req->cfl);
            break;
        case OPT_OUT: req->out = optarg; break;
        case OPT_PNG: req->png = optarg; break;
        case OPT_FIG_SVG: req->svg = optarg; break;
        case OPT_FIG_PDF: req->pdf = optarg; break;
        case OPT_KEEP: req->keep_plot_data = optarg; break;
        case OPT_JSON: req->json = 1; break;
        case OPT_NO_POLISH: req->no_polish = 1; break;
        case 'h':
        case OPT_HELP: fputs(usage_text, stdout); return 1;
        default: cli_bad_option("solve", argv);
        }
    }
    if (optind < argc)
        cli_die(EXIT_USAGE, "solve: unexpected argument '%s'", argv[optind]);
    if (req->nt == 0)
        cli_die(EXIT_USAGE, "solve: --t is required (one or more times, e.g. --t 0.1,0.5)");
    for (size_t k = 0; k < req->nt; k++)
        if (!(req->t[k] > 0))
            cli_die(EXIT_USAGE, "solve: every time must be positive (got %g)", req->t[k]);
    if (!(req->beta > 0))
        cli_die(EXIT_USAGE, "solve: --beta must be positive or inf (got %g)", req->beta);
    dr_solve_method method;
    if (dr_solve_method_parse(req->method, &method)) cli_fail(DR_ENOTFOUND);
    if (method == DR_SOLVE_AUTO) method = isinf(req->beta) ? DR_SOLVE_HOPFLAX : DR_SOLVE_HEAT;
    const char *ran = dr_solve_method_name(method);
    check_applies(given[OPT_ENGINE - OPT_T], "--engine", ran, "heat");
    check_applies(given[OPT_REFINE - OPT_T], "--refine", ran, "hopf-lax");
    check_applies(given[OPT_NO_POLISH - OPT_T], "--no-polish", ran, "hopf-lax");
    check_applies(given[OPT_SCHEME - OPT_T], "--scheme", ran, "fd");
    check_applies(given[OPT_CFL - OPT_T], "--cfl", ran, "fd");
    if (req->out && !cli_has_ext(req->out, ".csv") && !cli_has_ext(req->out, ".npy"))
        cli_die(EXIT_USAGE, "solve: --out must end in .csv or .npy (got '%s')", req->out);
    cli_pictures pic = {{req->png, req->svg, req->pdf}};
    cli_pictures_check(&pic, req->keep_plot_data, "solve");
    return 0;
}

int cmd_solve(int argc, char **argv)
{
    cli_source src;
    solve_request req = {0};
    size_t n_given = 0, n[2] = {0, 0};
    if (solve_parse(argc, argv, &req, &src, n, &n_given)) return 0;
    const char *outputs[] = {req.out, req.png, req.svg, req.pdf}, *inputs[] = {src.input};
    cli_check_files(outputs, 4, inputs, 1);

    double lo[2], hi[2];
    dr_landscape *f = cli_source_load(&src, lo, hi);
    cli_grid(&req.grid, "solve", f, n_given, n, 0, lo, hi);
    req.f = f;
    req.source = &src;

    solve_result res;
    int status = solve_run(&req, &res);
    if (status) cli_fail(status);
    solve_write_outputs(&req, &res);
    solve_print_summary(&req, &res, stdout);
    solve_print_warnings(&req, &res);
    solve_result_free(&res);
    dr_landscape_free(f);
    return 0;
}
