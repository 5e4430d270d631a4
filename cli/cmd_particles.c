/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `deeprelax particles`: optimiser trajectories on a landscape (gd, sgd, langevin, entropy-sgd,
 * hj, hj-fixed-point, elastic-sgd, pde-gd), where they end, and with --compare how the particle
 * methods measure up to the PDE: the inner loop's Gibbs-mean error against L, and the distance
 * of the paths to pde-gd's. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "cli.h"
#include "figures.h"
#include "particles_figure.h"
#include "progress.h"
#include "deeprelax/particles.h"
#include "demo_sections.h"

#define PARTICLES_MAX_POINTS ((size_t)1 << 24)

static const char usage_text[] =
    "usage: deeprelax particles --algo NAME\n"
    "                           (--landscape NAME [--noise A] [--noise-seed S] | --expr EXPR [--dim 1|2]\n"
    "                            | --input FILE) [--domain A:B[,C:D]]\n"

    "                           [--x0 X[,Y]] [--particles K] [--spread S] [--steps S] [--L L]\n"
    "                           [--eta E] [--eta-inner E'] [--gamma G] [--beta B|inf]\n"
    "                           [--alpha A|uniform] [--g0 G0] [--g1 G1] [--sigma S]\n"
    "                           [--nesterov M] [--replicas n] [--rho R] [--rho-growth G]\n"
    "                           [--seed S] [--compare] [--pde-n N[,M]]\n"
    "                           [--out FILE.csv|FILE.npy] [--png FILE.png] [--svg FILE.svg]\n"
    "                           [--pdf FILE.pdf] [--keep-plot-data DIR] [--json]\n"
    "       deeprelax particles -h|--help\n\n"
    "Runs K particles of one optimiser on a landscape and reports where they end (the basin of\n"
    "attraction of each end point). Entropy-SGD's inner loop is Langevin dynamics on\n"
    "f(y) + |y-x|^2/(2 gamma) at temperature 1/beta; its average mu estimates the Gibbs mean\n"
    "<y>, and x <- x - eta (x - mu)/gamma is gradient descent on the viscous HJ solution\n"
    "u(., gamma). pde-gd does that descent with grad u from the grid solvers.\n\n"
    CLI_SOURCE_HELP
    "  --algo NAME          gd, sgd, langevin, entropy-sgd, hj, hj-fixed-point, elastic-sgd,\n"
    "                       pde-gd (required)\n"
    "  --x0 X[,Y]           start (default: the centre of the box)\n"
    "  --particles K        independent particles (default 1)\n"
    "  --spread S           starts drawn from N(x0, S^2) per axis (default 0: all at x0)\n"
    "  --steps S            outer steps (default 200)\n"
    "  --L L                inner steps (default 20)\n"
    "  --eta E              outer step (default 0.05)\n"
    "  --eta-inner E'       inner step (default 0.005)\n"
    "  --gamma G            relaxation scale (default 0.2)\n"
    "  --g0 G0 --g1 G1      scoping: gamma_k = 1/(G0 (1+G1)^k) (overrides --gamma)\n"
    "  --beta B|inf         inverse temperature (default 1; inf: no thermal noise; pde-gd then\n"
    "                       uses Hopf-Lax)\n"
    "  --alpha A|uniform    averaging of the inner iterates (default 0.75)\n"
    "  --sigma S            Gaussian noise of sd S added to every gradient of f (sgd needs it)\n"
    "  --nesterov M         Nesterov momentum on both loops (default 0)\n"
    "  --replicas n --rho R --rho-growth G   elastic-sgd (defaults 4, 1, 0)\n"
    "  --seed S             random seed (default 1): same seed, same output\n"
    "  --compare            also measure the Gibbs-mean error against L at x0 (exponential and\n"
    "                       uniform averages, 256 chains) and the path distance to pde-gd\n"
    "  --pde-n N[,M]        pde-gd grid (default 2001 in 1-D, 257,257 in 2-D) on the box\n"
    "  --out FILE           trajectories: .csv (particle,step,x[,y],f) or .npy (same table)\n"
    "  --png FILE           the paths over the landscape, f's basins and where they end\n"
    CLI_PICTURE_HELP
    "  --keep-plot-data DIR keep gnuplot's data and script there, to restyle the figure\n"
    "  --json               print the summary as one JSON object\n"
    "  -h, --help           this text\n";

enum { OPT_ALGO = 2000, OPT_X0, OPT_K, OPT_SPREAD, OPT_STEPS, OPT_L, OPT_ETA, OPT_ETA_INNER,
       OPT_GAMMA, OPT_BETA, OPT_ALPHA, OPT_G0, OPT_G1, OPT_SIGMA, OPT_NESTEROV, OPT_REPLICAS,
       OPT_RHO, OPT_RHO_GROWTH, OPT_SEED, OPT_COMPARE, OPT_PDE_N, OPT_OUT, OPT_PNG, OPT_KEEP, OPT_JSON,
       OPT_HELP };

#define MAX_BASINS 64
#define GIBBS_CHAINS 256
static const size_t gibbs_L[] = {16, 64, 256, 1024, 4096, 16384, 65536};
#define N_GIBBS_L (sizeof gibbs_L / sizeof gibbs_L[0])

typedef struct {
    dr_particles_gibbs_row rows[2][N_GIBBS_L];  /* [0] the run's alpha, [1] uniform */
    dr_particles_gibbs_summary sum[2];
    int have;
    double path_max, path_final, path_mean;
    int have_path;
    const char *reference;
} comparison;

static void write_table(const char *path, const dr_landscape *f, size_t K, size_t steps,
                        const double *traj, const double *fpath)
{
    int dim = dr_landscape_dim(f);
    size_t n = steps + 1, nc = (size_t)dim + 3, rows = K * n;
    if (cli_has_ext(path, ".npy")) {
        double *t = malloc(rows * nc * sizeof *t);
        if (!t) cli_die(EXIT_FAIL, "out of memory");
        for (size_t r = 0; r < rows; r++) {
            double *row = t + r * nc;
            row[0] = (double)(r / n);
            row[1] = (double)(r % n);
            for (int a = 0; a < dim; a++) row[2 + a] = traj[r * (size_t)dim + (size_t)a];
            row[2 + dim] = fpath[r];
        }
        size_t shape[2] = {rows, nc};
        int status = dr_npy_write(path, 2, shape, t);
        free(t);
        if (status) cli_fail(status);
        return;
    }
    dr_output *o = cli_output_open(path);
    FILE *out = dr_output_stream(o);
    fputs(dim == 1 ? "particle,step,x,f\n" : "particle,step,x,y,f\n", out);
    for (size_t r = 0; r < rows; r++) {
        fprintf(out, "%zu,%zu", r / n, r % n);
        for (int a = 0; a < dim; a++) fprintf(out, ",%.17g", traj[r * (size_t)dim + (size_t)a]);
        fprintf(out, ",%.17g\n", fpath[r]);
    }
    cli_output_commit(o);
}

static void json_rows(FILE *out, const dr_particles_gibbs_row *rows)
{
    fputc('[', out);
    for (size_t i = 0; i < N_GIBBS_L; i++) {
        fprintf(out, "%s{\"L\":%zu,\"bias\":", i ? "," : "", rows[i].L);
        json_number(out, rows[i].bias);
        fputs(",\"spread\":", out);
        json_number(out, rows[i].spread);
        fputs(",\"rmse\":", out);
        json_number(out, rows[i].rmse);
        fputc('}', out);
    }
    fputc(']', out);
}

static void json_gibbs_summary(FILE *out, const dr_particles_gibbs_summary *s)
{
    fputs("{\"tau\":", out);
    json_number(out, s->tau);
    fprintf(out, ",\"burn_in\":%zu,\"slope\":", s->burn_in);
    json_number(out, s->slope);
    fputc('}', out);
}

/* The options each algorithm reads (solver/particles.c); --compare's Gibbs-mean chains at x0
 * read the inner-loop ones too. Any other given would be silently ignored. --beta inf (no
 * thermal noise) is true of every algorithm, so it is accepted everywhere. */
static void check_applies(const int *given, dr_particles_algo algo, int compare, int beta_inf)
{
    enum { GD = 1 << DR_PARTICLES_GD, SGD = 1 << DR_PARTICLES_SGD,
           LANGEVIN = 1 << DR_PARTICLES_LANGEVIN, ESGD = 1 << DR_PARTICLES_ENTROPY_SGD,
           HJ = 1 << DR_PARTICLES_HJ, HJFP = 1 << DR_PARTICLES_HJ_FIXED_POINT,
           ELASTIC = 1 << DR_PARTICLES_ELASTIC_SGD, PDE = 1 << DR_PARTICLES_PDE_GD };
    static const struct { int opt; const char *name, *users; int algos, with_compare; } uses[] = {
        {OPT_L, "--L", "entropy-sgd, hj and hj-fixed-point", ESGD | HJ | HJFP, 1},
        {OPT_ETA_INNER, "--eta-inner", "entropy-sgd and hj (and --compare)", ESGD | HJ, 1},
        {OPT_ALPHA, "--alpha", "entropy-sgd and hj (and --compare)", ESGD | HJ, 1},
        {OPT_GAMMA, "--gamma", "entropy-sgd, hj, hj-fixed-point and pde-gd (and --compare)",
         ESGD | HJ | HJFP | PDE, 1},
        {OPT_G0, "--g0", "entropy-sgd, hj, hj-fixed-point and pde-gd", ESGD | HJ | HJFP | PDE, 0},
        {OPT_G1, "--g1", "entropy-sgd, hj, hj-fixed-point and pde-gd", ESGD | HJ | HJFP | PDE, 0},
        {OPT_BETA, "--beta", "langevin, entropy-sgd, elastic-sgd and pde-gd (and --compare)",
         LANGEVIN | ESGD | ELASTIC | PDE, 1},
        {OPT_REPLICAS, "--replicas", "elastic-sgd", ELASTIC, 0},
        {OPT_RHO, "--rho", "elastic-sgd", ELASTIC, 0},
        {OPT_RHO_GROWTH, "--rho-growth", "elastic-sgd", ELASTIC, 0},
        {OPT_PDE_N, "--pde-n", "pde-gd", PDE, 0},
    };
    (void)GD; (void)SGD;
    for (size_t u = 0; u < sizeof uses / sizeof uses[0]; u++)
        if (given[uses[u].opt - OPT_ALGO] && !(uses[u].algos & (1 << algo)) &&
            !(compare && uses[u].with_compare) && !(uses[u].opt == OPT_BETA && beta_inf))
            cli_die(EXIT_USAGE, "particles: %s applies to %s only, not to --algo %s",
                    uses[u].name, uses[u].users, dr_particles_algo_name(algo));
}

/* What the command line asks for. */
typedef struct {
    cli_source src;
    dr_particles_options o;
    const char *out, *keep;
    cli_pictures pic;               /* --png, --svg, --pdf */
    double x0[2], spread;
    size_t nx0, K, npde;
    int json, compare;
} particles_args;

/* What the run found: every particle's path, where they end, and --compare's measurements. */
typedef struct {
    size_t n;                       /* points per path: steps + 1 */
    double *traj, *fpath, *ends;    /* K x n x dim, K x n, K x dim */
    double mean_end[2], mean_f;
    dr_particles_basin basins[MAX_BASINS];
    size_t nb;
    comparison cmp;
} particles_result;

/* One option of the getopt loop into *a (`given` marks which were on the command line);
 * returns 1 for --help. */
static int particles_option(particles_args *a, int opt, int *given, char **argv)
{
    dr_particles_options *o = &a->o;
    if (opt >= OPT_ALGO && opt <= OPT_HELP) given[opt - OPT_ALGO] = 1;
    switch (opt) {
    case OPT_ALGO: break;  /* the caller keeps the name */
    case OPT_X0: a->nx0 = cli_double_list("--x0", optarg, a->x0, 2); break;
    case OPT_K: a->K = (size_t)cli_long("--particles", optarg, 1, 1000000); break;
    case OPT_SPREAD:
        a->spread = cli_double("--spread", optarg);
        if (!(a->spread >= 0))
            cli_die(EXIT_USAGE, "particles: --spread must be >= 0 (got %g)", a->spread);
        break;
    case OPT_STEPS: o->steps = (size_t)cli_long("--steps", optarg, 1, 100000000); break;
    case OPT_L: o->L = (size_t)cli_long("--L", optarg, 1, 100000000); break;
    case OPT_ETA: o->eta = cli_double("--eta", optarg); break;
    case OPT_ETA_INNER: o->eta_inner = cli_double("--eta-inner", optarg); break;
    case OPT_GAMMA: o->gamma = cli_double("--gamma", optarg); break;
    case OPT_BETA: o->beta = cli_double_or_inf("--beta", optarg); break;
    case OPT_ALPHA:
        o->alpha = !strcmp(optarg, "uniform") ? DR_PARTICLES_ALPHA_UNIFORM
                                              : cli_double("--alpha", optarg);
        if (o->alpha != DR_PARTICLES_ALPHA_UNIFORM && !(o->alpha >= 0 && o->alpha < 1))
            cli_die(EXIT_USAGE, "particles: --alpha must lie in [0, 1) or be 'uniform' "
                    "(got %g)", o->alpha);
        break;
    case OPT_G0: o->g0 = cli_double("--g0", optarg); break;
    case OPT_G1: o->g1 = cli_double("--g1", optarg); break;
    case OPT_SIGMA: o->sigma = cli_double("--sigma", optarg); break;
    case OPT_NESTEROV: o->momentum = cli_double("--nesterov", optarg); break;
    case OPT_REPLICAS: o->replicas = (size_t)cli_long("--replicas", optarg, 1, 100000); break;
    case OPT_RHO: o->rho = cli_double("--rho", optarg); break;
    case OPT_RHO_GROWTH: o->rho_growth = cli_double("--rho-growth", optarg); break;
    case OPT_SEED: o->seed = (unsigned long)cli_long("--seed", optarg, 0, 2147483647L); break;
    case OPT_COMPARE: a->compare = 1; break;
    case OPT_PDE_N: a->npde = cli_size_list("--pde-n", optarg, o->pde_n, 2); break;
    case OPT_OUT: a->out = optarg; break;
    case OPT_PNG: a->pic.path[0] = optarg; break;
    case OPT_FIG_SVG: a->pic.path[1] = optarg; break;
    case OPT_FIG_PDF: a->pic.path[2] = optarg; break;
    case OPT_KEEP: a->keep = optarg; break;
    case OPT_JSON: a->json = 1; break;
    case 'h':
    case OPT_HELP: fputs(usage_text, stdout); return 1;
    default: cli_bad_option("particles", argv);
    }
    return 0;
}

/* The command line into *a, checked as far as it can be without the landscape; returns 1 when
 * --help was printed. */
static int particles_parse(int argc, char **argv, particles_args *a)
{
    static const struct option options[] = {
        CLI_SOURCE_OPTIONS,
        {"algo", required_argument, 0, OPT_ALGO},
        {"x0", required_argument, 0, OPT_X0},
        {"particles", required_argument, 0, OPT_K},
        {"spread", required_argument, 0, OPT_SPREAD},
        {"steps", required_argument, 0, OPT_STEPS},
        {"L", required_argument, 0, OPT_L},
        {"eta", required_argument, 0, OPT_ETA},
        {"eta-inner", required_argument, 0, OPT_ETA_INNER},
        {"gamma", required_argument, 0, OPT_GAMMA},
        {"beta", required_argument, 0, OPT_BETA},
        {"alpha", required_argument, 0, OPT_ALPHA},
        {"g0", required_argument, 0, OPT_G0},
        {"g1", required_argument, 0, OPT_G1},
        {"sigma", required_argument, 0, OPT_SIGMA},
        {"nesterov", required_argument, 0, OPT_NESTEROV},
        {"replicas", required_argument, 0, OPT_REPLICAS},
        {"rho", required_argument, 0, OPT_RHO},
        {"rho-growth", required_argument, 0, OPT_RHO_GROWTH},
        {"seed", required_argument, 0, OPT_SEED},
        {"compare", no_argument, 0, OPT_COMPARE},
        {"pde-n", required_argument, 0, OPT_PDE_N},
        {"out", required_argument, 0, OPT_OUT},
        {"png", required_argument, 0, OPT_PNG},
        {"svg", required_argument, 0, OPT_FIG_SVG},
        {"pdf", required_argument, 0, OPT_FIG_PDF},
        {"keep-plot-data", required_argument, 0, OPT_KEEP},
        {"json", no_argument, 0, OPT_JSON},
        {"help", no_argument, 0, OPT_HELP},
        {0, 0, 0, 0}};
    cli_source_init(&a->src);
    dr_particles_options_default(&a->o);
    a->K = 1;
    const char *algo = NULL;
    int opt, given[OPT_HELP + 1 - OPT_ALGO] = {0};
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", options, NULL)) != -1) {
        if (cli_source_option(&a->src, opt, optarg)) continue;
        if (opt == OPT_ALGO) algo = optarg;
        if (particles_option(a, opt, given, argv)) return 1;
    }
    if (optind < argc) cli_die(EXIT_USAGE, "particles: unexpected argument '%s'", argv[optind]);
    if (!algo) cli_die(EXIT_USAGE, "particles: --algo is required (gd, sgd, langevin, "
                       "entropy-sgd, hj, hj-fixed-point, elastic-sgd, pde-gd)");
    if (dr_particles_algo_parse(algo, &a->o.algo)) cli_fail(DR_EINVAL);
    check_applies(given, a->o.algo, a->compare, isinf(a->o.beta));
    if (a->out && !cli_has_ext(a->out, ".csv") && !cli_has_ext(a->out, ".npy"))
        cli_die(EXIT_USAGE, "particles: --out must end in .csv or .npy (got '%s')", a->out);
    cli_pictures_check(&a->pic, a->keep, "particles");

    /* Every step of every particle is kept (x, y, f: up to 24 bytes, twice with --compare). */
    if (a->K * (a->o.steps + 1) > PARTICLES_MAX_POINTS)
        cli_die(EXIT_USAGE, "particles: %zu particles x %zu steps are too many points to record "
                "(at most %zu)", a->K, a->o.steps, PARTICLES_MAX_POINTS);

    const char *outputs[] = {a->out, a->pic.path[0], a->pic.path[1], a->pic.path[2]};
    const char *inputs[] = {a->src.input};
    cli_check_files(outputs, 4, inputs, 1);
    return 0;
}

/* The options that need the landscape's dimension and box: x0 (default: the box's centre) and
 * pde-gd's grid. */
static void particles_fit(particles_args *a, int dim, const double lo[2], const double hi[2])
{
    dr_particles_options *o = &a->o;
    if (a->nx0 == 0)
        for (int d = 0; d < dim; d++) a->x0[d] = 0.5 * (lo[d] + hi[d]);
    else if (a->nx0 != (size_t)dim)
        cli_die(EXIT_USAGE, "particles: --x0 has %zu value%s but the landscape is %d-D", a->nx0,
                a->nx0 == 1 ? "" : "s", dim);
    if (a->npde == 1 && dim == 2) o->pde_n[1] = o->pde_n[0];
    else if (a->npde == 2 && dim == 1)
        cli_die(EXIT_USAGE, "particles: --pde-n has two values but the landscape is 1-D");
    for (size_t d = 0; d < a->npde; d++)
        if (o->pde_n[d] < DR_GRID_MIN_POINTS || o->pde_n[d] > 100000)
            cli_die(EXIT_USAGE, "particles: --pde-n must be in [%d, 100000] (got %zu)",
                    DR_GRID_MIN_POINTS, o->pde_n[d]);
    o->have_pde_box = 1;
    for (int d = 0; d < 2; d++) {
        o->pde_lo[d] = lo[d];
        o->pde_hi[d] = hi[d];
    }
}

/* The starts: x0, or N(x0, spread^2) from a stream of its own (the particles' streams are
 * seeded per particle inside the library). */
static double *particles_starts(const particles_args *a, size_t d)
{
    double *starts = malloc(a->K * d * sizeof *starts);
    if (!starts) cli_die(EXIT_FAIL, "out of memory");
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 0x5eed0000UL ^ a->o.seed);
    for (size_t k = 0; k < a->K; k++)
        for (size_t i = 0; i < d; i++)
            starts[k * d + i] = a->x0[i] + (a->spread > 0 ? gsl_ran_gaussian(r, a->spread) : 0.0);
    gsl_rng_free(r);
    return starts;
}

/* Where the particles end: each end point, their mean, and the basins they fall in. Returns a
 * status. */
static int particles_ends(const particles_args *a, const dr_landscape *f, const double lo[2],
                           const double hi[2], particles_result *r)
{
    size_t K = a->K, d = (size_t)dr_landscape_dim(f), steps = a->o.steps, n = r->n;
    r->ends = malloc(K * d * sizeof *r->ends);
    if (!r->ends) return dr_error(DR_ENOMEM, "out of memory");
    for (size_t k = 0; k < K; k++) {
        for (size_t i = 0; i < d; i++) {
            r->ends[k * d + i] = r->traj[(k * n + steps) * d + i];
            r->mean_end[i] += r->ends[k * d + i] / (double)K;
        }
        r->mean_f += r->fpath[k * n + steps] / (double)K;
    }
    return dr_particles_basins(f, lo, hi, K, r->ends, r->basins, MAX_BASINS, &r->nb);
}

/* --compare: the Gibbs-mean error against L at x0 (finite beta) and the path distance to the
 * PDE's descent (pde-gd itself has none). Advances the progress bar's stages 2-4. */
static void particles_compare(const particles_args *a, const dr_landscape *f, dr_particles *p,
                              const double *starts, particles_result *r, cli_progress *bar)
{
    const dr_particles_options *o = &a->o;
    comparison *cmp = &r->cmp;
    double g0 = dr_particles_gamma(o, 0);
    int status;
    if (isfinite(o->beta)) {
        status = dr_particles_gibbs_study(p, a->x0, g0, o->alpha, gibbs_L, N_GIBBS_L,
                                          GIBBS_CHAINS, cmp->rows[0], &cmp->sum[0]);
        cli_progress_update(bar, 2);
        if (!status)
            status = dr_particles_gibbs_study(p, a->x0, g0, DR_PARTICLES_ALPHA_UNIFORM, gibbs_L,
                                              N_GIBBS_L, GIBBS_CHAINS, cmp->rows[1], &cmp->sum[1]);
        if (status) cli_fail(status);
        cmp->have = 1;
    }
    cli_progress_update(bar, 3);
    if (o->algo == DR_PARTICLES_PDE_GD) return;
    dr_particles_options po = *o;
    po.algo = DR_PARTICLES_PDE_GD;
    /* HJ is the inviscid method: its reference is descent on the Hopf-Lax solution */
    if (o->algo == DR_PARTICLES_HJ || o->algo == DR_PARTICLES_HJ_FIXED_POINT) po.beta = INFINITY;
    cmp->reference = isfinite(po.beta) ? "pde-gd (heat)" : "pde-gd (hopf-lax)";
    dr_particles *pp = NULL;
    int dim = dr_landscape_dim(f);
    double *ref = malloc(a->K * r->n * (size_t)dim * sizeof *ref);
    if (!ref) cli_die(EXIT_FAIL, "out of memory");
    status = dr_particles_alloc(&pp, f, &po);
    if (!status) status = dr_particles_run(pp, a->K, starts, ref, NULL);
    if (status) cli_fail(status);
    dr_particles_path_distance(a->K, o->steps, dim, r->traj, ref, &cmp->path_max,
                               &cmp->path_final, &cmp->path_mean);
    cmp->have_path = 1;
    dr_particles_free(pp);
    free(ref);
}

/* The run: the particles' paths, where they end and, with --compare, how they measure up to
 * the PDE. Progress (progress.h) in stages, the library's particle loops having no callback:
 * the run, and with --compare each Gibbs study and the PDE reference run (the long part).
 * Returns a status (--compare still exits on error: the demo does not use it); *r's arrays
 * are the caller's to free (particles_result_free) either way. */
static int particles_run(const particles_args *a, const dr_landscape *f, const double lo[2],
                         const double hi[2], particles_result *r)
{
    size_t K = a->K, d = (size_t)dr_landscape_dim(f);
    double *starts = particles_starts(a, d);
    cli_progress bar;
    cli_progress_begin(&bar, "particles", "stages", a->compare ? 4 : 1);
    dr_particles *p = NULL;
    int status = dr_particles_alloc(&p, f, &a->o);
    r->n = a->o.steps + 1;
    r->traj = malloc(K * r->n * d * sizeof *r->traj);
    r->fpath = malloc(K * r->n * sizeof *r->fpath);
    if (!status && (!r->traj || !r->fpath)) status = dr_error(DR_ENOMEM, "out of memory");
    if (!status) status = dr_particles_run(p, K, starts, r->traj, r->fpath);
    if (!status) {
        cli_progress_update(&bar, 1);
        status = particles_ends(a, f, lo, hi, r);
    }
    if (!status && a->compare) particles_compare(a, f, p, starts, r, &bar);
    cli_progress_end(&bar, a->compare ? 4 : 1);
    free(starts);
    dr_particles_free(p);
    return status;
}

static void particles_result_free(particles_result *r)
{
    free(r->ends);
    free(r->traj);
    free(r->fpath);
}

static void json_alpha(FILE *out, double alpha)
{
    if (alpha == DR_PARTICLES_ALPHA_UNIFORM) fputs("\"uniform\"", out);
    else json_number(out, alpha);
}

/* --compare's part of the JSON summary. */
static void print_json_compare(const particles_args *a, const particles_result *r, int dim,
                               FILE *out)
{
    const comparison *cmp = &r->cmp;
    fputs(",\"gibbs_mean_error\":", out);
    if (cmp->have) {
        fputs("{\"x\":", out); json_array(out, a->x0, (size_t)dim);
        fputs(",\"gamma\":", out); json_number(out, dr_particles_gamma(&a->o, 0));
        fputs(",\"exact\":", out); json_array(out, cmp->sum[0].exact, (size_t)dim);
        fprintf(out, ",\"chains\":%d,\"alpha\":", GIBBS_CHAINS);
        json_alpha(out, a->o.alpha);
        fputs(",\"averaged\":", out); json_rows(out, cmp->rows[0]);
        fputs(",\"averaged_summary\":", out); json_gibbs_summary(out, &cmp->sum[0]);
        fputs(",\"uniform\":", out); json_rows(out, cmp->rows[1]);
        fputs(",\"uniform_summary\":", out); json_gibbs_summary(out, &cmp->sum[1]);
        fputc('}', out);
    } else {
        fputs("null", out);
    }
    fputs(",\"path_distance\":", out);
    if (cmp->have_path) {
        fputs("{\"reference\":", out); json_string(out, cmp->reference);
        fputs(",\"max\":", out); json_number(out, cmp->path_max);
        fputs(",\"final\":", out); json_number(out, cmp->path_final);
        fputs(",\"mean\":", out); json_number(out, cmp->path_mean);
        fputc('}', out);
    } else {
        fputs("null", out);
    }
}

/* --json: the summary as one JSON object. */
static void print_json(const particles_args *a, const dr_landscape *f,
                       const particles_result *r, FILE *out)
{
    const dr_particles_options *o = &a->o;
    int dim = dr_landscape_dim(f);
    fputs("{\"landscape\":", out);
    json_string(out, dr_landscape_name(f));
    fputs(",\"algo\":", out);
    json_string(out, dr_particles_algo_name(o->algo));
    fprintf(out, ",\"dim\":%d,\"particles\":%zu,\"steps\":%zu,\"L\":%zu,\"seed\":%lu",
            dim, a->K, o->steps, o->L, o->seed);
    fputs(",\"eta\":", out); json_number(out, o->eta);
    fputs(",\"eta_inner\":", out); json_number(out, o->eta_inner);
    fputs(",\"gamma\":", out); json_number(out, dr_particles_gamma(o, 0));
    fputs(",\"beta\":", out);
    json_number_inf(out, o->beta);
    fputs(",\"alpha\":", out);
    json_alpha(out, o->alpha);
    fputs(",\"x0\":", out); json_array(out, a->x0, (size_t)dim);
    fputs(",\"final\":{\"mean\":", out); json_array(out, r->mean_end, (size_t)dim);
    fputs(",\"f\":", out); json_number(out, r->mean_f);
    fputs("},\"basins\":[", out);
    for (size_t b = 0; b < r->nb; b++) {
        fputs(b ? ",{\"minimiser\":" : "{\"minimiser\":", out);
        json_array(out, r->basins[b].minimiser, (size_t)dim);
        fputs(",\"f\":", out); json_number(out, r->basins[b].value);
        fprintf(out, ",\"count\":%zu,\"fraction\":", r->basins[b].count);
        json_number(out, (double)r->basins[b].count / (double)a->K);
        fprintf(out, ",\"global\":%s}", r->basins[b].global ? "true" : "false");
    }
    fputc(']', out);
    if (a->compare) print_json_compare(a, r, dim, out);
    fputs("}\n", out);
}

/* --compare's part of the text summary. */
static void print_human_compare(const particles_args *a, const comparison *cmp, int dim,
                                FILE *out)
{
    if (cmp->have) {
        fprintf(out, "Gibbs mean at x0, gamma = %g: exact <y> = ", dr_particles_gamma(&a->o, 0));
        for (int d = 0; d < dim; d++) fprintf(out, d ? ", %.8g" : "%.8g", cmp->sum[0].exact[d]);
        fprintf(out, " (%d chains)\n%8s %12s %12s %12s %12s\n", GIBBS_CHAINS, "L", "bias(avg)",
                "spread(avg)", "bias(unif)", "spread(unif)");
        for (size_t i = 0; i < N_GIBBS_L; i++)
            fprintf(out, "%8zu %12.4g %12.4g %12.4g %12.4g\n", gibbs_L[i], cmp->rows[0][i].bias,
                    cmp->rows[0][i].spread, cmp->rows[1][i].bias, cmp->rows[1][i].spread);
        fprintf(out, "uniform: spread ~ L^%.3f (Monte Carlo: -0.5), autocorrelation time %.3g "
                "steps, burn-in %zu steps\n", cmp->sum[1].slope, cmp->sum[1].tau,
                cmp->sum[1].burn_in);
    }
    if (cmp->have_path)
        fprintf(out, "path distance to %s: max %.4g, final %.4g, mean %.4g\n", cmp->reference,
                cmp->path_max, cmp->path_final, cmp->path_mean);
}

/* The summary as text: the run, where it ended, the basins, and --compare's tables. */
static void print_human(const particles_args *a, const dr_landscape *f,
                        const particles_result *r, FILE *out)
{
    const dr_particles_options *o = &a->o;
    int dim = dr_landscape_dim(f);
    size_t K = a->K;
    fprintf(out, "%s on %s (%d-D): %zu particle%s, %zu steps, seed %lu\n",
            dr_particles_algo_name(o->algo), dr_landscape_name(f), dim, K, K == 1 ? "" : "s",
            o->steps, o->seed);
    fprintf(out, "final: mean x = ");
    for (int d = 0; d < dim; d++) fprintf(out, d ? ", %.6g" : "%.6g", r->mean_end[d]);
    fprintf(out, ", mean f = %.6g\n", r->mean_f);
    fprintf(out, "%24s %14s %10s\n", "basin minimiser", "f", "fraction");
    for (size_t b = 0; b < r->nb; b++) {
        char where[64];
        if (dim == 1) snprintf(where, sizeof where, "%.6g", r->basins[b].minimiser[0]);
        else snprintf(where, sizeof where, "(%.4g, %.4g)", r->basins[b].minimiser[0],
                      r->basins[b].minimiser[1]);
        fprintf(out, "%24s %14.6g %10.4f%s\n", where, r->basins[b].value,
                (double)r->basins[b].count / (double)K, r->basins[b].global ? "  (global)" : "");
    }
    print_human_compare(a, &r->cmp, dim, out);
    if (a->out) fprintf(out, "wrote %s\n", a->out);
    for (int i = 0; i < 3; i++)
        if (a->pic.path[i]) fprintf(out, "wrote %s\n", a->pic.path[i]);
}

/* The figure of the run (particles_figure.c) into picture. */
static int draw(const particles_args *a, const dr_landscape *f, const double lo[2],
                const double hi[2], const particles_result *r, const char *picture,
                const char *keep)
{
    const dr_particles_options *o = &a->o;
    int thermal = o->algo == DR_PARTICLES_LANGEVIN || o->algo == DR_PARTICLES_ENTROPY_SGD ||
                  o->algo == DR_PARTICLES_ELASTIC_SGD || o->algo == DR_PARTICLES_PDE_GD;
    particles_fig pf = {.f = f, .lo = lo, .hi = hi, .K = a->K, .steps = o->steps,
                        .traj = r->traj, .fpath = r->fpath, .algo = dr_particles_algo_name(o->algo),
                        .beta = thermal ? o->beta : NAN, .sigma = o->sigma};
    return particles_figure(&pf, picture, keep);
}

int cmd_particles(int argc, char **argv)
{
    particles_args a = {0};
    if (particles_parse(argc, argv, &a)) return 0;
    double lo[2], hi[2];
    dr_landscape *f = cli_source_load(&a.src, lo, hi);
    particles_fit(&a, dr_landscape_dim(f), lo, hi);

    particles_result r = {0};
    int status = particles_run(&a, f, lo, hi, &r);
    if (status) cli_fail(status);
    if (a.out) write_table(a.out, f, a.K, a.o.steps, r.traj, r.fpath);
    for (int i = 0; i < 3; i++)
        if (a.pic.path[i] && (status = draw(&a, f, lo, hi, &r, a.pic.path[i], a.keep)))
            cli_fail(status);
    if (a.json) print_json(&a, f, &r, stdout);
    else print_human(&a, f, &r, stdout);
    particles_result_free(&r);
    dr_landscape_free(f);
    return 0;
}

/* The demo's section (demo_sections.h): K particles of spec->o from x0 on a built-in 1-D
 * landscape, in-process; their table, picture and JSON summary as `deeprelax particles ...
 * --out CSV --png PNG --json` writes them. */
int particles_section(const particles_section_spec *spec, FILE *json)
{
    particles_args a = {0};
    a.o = spec->o;
    a.K = spec->K;
    a.nx0 = 1;
    a.x0[0] = spec->x0;
    dr_landscape *f = NULL;
    int status = dr_landscape_alloc_builtin(&f, spec->landscape, NULL);
    if (status) return status;
    if (dr_landscape_dim(f) != 1) {
        dr_landscape_free(f);
        return dr_error(DR_EINVAL, "the demo's particles section takes a 1-D landscape");
    }
    double lo[2], hi[2];
    dr_landscape_domain(f, lo, hi);
    particles_fit(&a, 1, lo, hi);
    particles_result r = {0};
    status = particles_run(&a, f, lo, hi, &r);
    if (!status) {
        write_table(spec->csv, f, a.K, a.o.steps, r.traj, r.fpath);
        status = draw(&a, f, lo, hi, &r, spec->png, NULL);
    }
    if (!status) print_json(&a, f, &r, json);
    particles_result_free(&r);
    dr_landscape_free(f);
    return status;
}
