/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `deeprelax sharpness`: how flat a trained network's minimum is. Top Hessian eigenvalues
 * (Lanczos), trace (Hutchinson), spectral density (SLQ), local entropy and local energy of a model
 * file; or, with --interpolate B.bin or --direction, the loss along a line (1-D views). */
#include "cli.h"
#include "progress.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char sharpness_usage[] =
    "usage: deeprelax sharpness --model-file M.bin [--data DIR] [--samples N]\n"
    "                           [--precision float|double] [--top-k K] [--lanczos-steps M]\n"
    "                           [--hutchinson N] [--slq V [--slq-steps M] [--density FILE.csv]]\n"
    "                           [--gamma LIST [--beta B] [--nodes K] [--langevin-steps N]\n"
    "                            [--burn-in N] [--langevin-step ETA] [--no-metropolis]]\n"
    "                           [--sigma LIST [--mc N]] [--filter-normalised]\n"
    "                           [--plot FILE.png] [--seed S]\n"
    "                           [--threads N] [--json] [--out FILE.json]\n"
    "       deeprelax sharpness --model-file A.bin --interpolate B.bin [--range -0.5:1.5:21]\n"
    "                           --out FILE.csv [--plot FILE.png]\n"
    "       deeprelax sharpness --model-file M.bin --direction [--range -1:1:21] --out FILE.csv\n"
    "       deeprelax sharpness -h|--help\n"
    "The training loss f is the mean cross-entropy over the first --samples training examples\n"
    "with the network in eval mode (batch norm's running statistics, no dropout).\n"
    "  --model-file M.bin   the trained network (`deeprelax train --save`)\n"
    "  --data DIR           the MNIST files (default: $DEEPRELAX_DATA, else the first of\n"
    "                       data/mnist, ~/.local/share/deeprelax/mnist, /usr/share/datasets/mnist)\n"
    "  --samples N          training examples in f (default 1000; 0 = all)\n"
    "  --precision P        float (default; the trainer's float32 sgemm) or double (dgemm)\n"
    "  --top-k K            largest Hessian eigenvalues by Lanczos (default 3; 0 = none)\n"
    "  --lanczos-steps M    Lanczos steps, full reorthogonalisation (default max(20, 2K))\n"
    "  --hutchinson N       Rademacher vectors for tr H and its error (default 10; 0 = none)\n"
    "  --slq V              SLQ: V Lanczos runs of --slq-steps (default 30) for the spectral\n"
    "                       density; --density FILE.csv writes it, --plot FILE.png draws it\n"
    "  --gamma LIST         local entropy f_gamma(x) - f(x) at each gamma > 0, by\n"
    "                       thermodynamic integration over Entropy-SGD inner Langevin chains\n"
    "  --beta B             inverse temperature of the local entropy (default 1e4)\n"
    "  --nodes K            lambda nodes (even, default 8); --langevin-steps N (default 200),\n"
    "                       --burn-in N (default 50), --langevin-step ETA (default 0.5),\n"
    "                       --no-metropolis (the plain inner loop: O(eta) bias)\n"
    "  --sigma LIST         local energy E f(x + sigma z) - f(x) at each sigma > 0\n"
    "  --mc N               antithetic pairs per local energy (default 20)\n"
    "  --filter-normalised  every measure above in the coordinates w + D theta, D the RMS of\n"
    "                       each weight row (biases, BN fixed): invariant to the rescaling of\n"
    "                       a neuron's weights that batch norm undoes (D H D, relative sigma)\n"
    "  --interpolate B.bin  f, error on train and test along (1-a) A + a B (running\n"
    "                       statistics interpolated too)\n"
    "  --direction          f, error on train and test along w + a d, d a Gaussian direction\n"
    "                       filter-normalised as in `slice` (row norms of w; biases, BN fixed)\n"
    "  --range A:B:K        the values of a (default -0.5:1.5:21 and -1:1:21)\n"
    "  --plot FILE.png      the picture of a 1-D view or of the density\n"
    "  --seed S (default 1), --threads N (BLAS threads), --json, --out FILE\n"
    "  -h, --help           this text\n";

enum { O_MODEL = 1, O_DATA, O_SAMPLES, O_PRECISION, O_TOPK, O_STEPS, O_HUTCH, O_SLQ, O_SLQ_STEPS,
       O_DENSITY, O_GAMMA, O_BETA, O_NODES, O_LSTEPS, O_BURN, O_LSTEP, O_NOMH, O_SIGMA, O_MC,
       O_FILTER, O_INTERP, O_DIRECTION, O_RANGE, O_PLOT, O_SEED, O_THREADS, O_JSON, O_OUT, O_HELP };

#define MAX_LIST 32
typedef struct {
    const char *model, *data, *interpolate, *density, *plot, *out, *range;
    long samples, topk, steps, hutch, slq, slq_steps, mc, threads;
    int precision, direction, json, filter;
    double gamma[MAX_LIST], sigma[MAX_LIST];
    size_t ngamma, nsigma;
    dr_local_entropy_params le;
    unsigned long seed;
} opts;

static void parse_positive_list(const char *name, const char *arg, double *out, size_t *n)
{
    *n = cli_double_list(name, arg, out, MAX_LIST);
    for (size_t i = 0; i < *n; i++)
        if (!(out[i] > 0))
            cli_die(EXIT_USAGE, "%s must be positive (got %g)", name, out[i]);
}

static void parse(opts *o, int argc, char **argv)
{
    static const struct option lo[] = {
        {"model-file", required_argument, 0, O_MODEL}, {"data", required_argument, 0, O_DATA},
        {"samples", required_argument, 0, O_SAMPLES},
        {"precision", required_argument, 0, O_PRECISION},
        {"top-k", required_argument, 0, O_TOPK}, {"lanczos-steps", required_argument, 0, O_STEPS},
        {"hutchinson", required_argument, 0, O_HUTCH}, {"slq", required_argument, 0, O_SLQ},
        {"slq-steps", required_argument, 0, O_SLQ_STEPS},
        {"density", required_argument, 0, O_DENSITY},
        {"gamma", required_argument, 0, O_GAMMA}, {"beta", required_argument, 0, O_BETA},
        {"nodes", required_argument, 0, O_NODES},
        {"langevin-steps", required_argument, 0, O_LSTEPS},
        {"burn-in", required_argument, 0, O_BURN}, {"langevin-step", required_argument, 0, O_LSTEP},
        {"no-metropolis", no_argument, 0, O_NOMH}, {"sigma", required_argument, 0, O_SIGMA},
        {"mc", required_argument, 0, O_MC}, {"filter-normalised", no_argument, 0, O_FILTER},
        {"interpolate", required_argument, 0, O_INTERP},
        {"direction", no_argument, 0, O_DIRECTION}, {"range", required_argument, 0, O_RANGE},
        {"plot", required_argument, 0, O_PLOT}, {"seed", required_argument, 0, O_SEED},
        {"threads", required_argument, 0, O_THREADS}, {"json", no_argument, 0, O_JSON},
        {"out", required_argument, 0, O_OUT}, {"help", no_argument, 0, O_HELP}, {0, 0, 0, 0}};
    *o = (opts){.samples = 1000, .topk = 3, .steps = -1, .hutch = 10, .slq_steps = 30, .mc = 20,
                .seed = 1};
    dr_local_entropy_defaults(&o->le);
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
        switch (opt) {
        case O_MODEL: o->model = optarg; break;
        case O_DATA: o->data = optarg; break;
        case O_SAMPLES: o->samples = cli_long("--samples", optarg, 0, 1L << 40); break;
        case O_PRECISION:
            if (strcmp(optarg, "float") && strcmp(optarg, "double"))
                cli_die(EXIT_USAGE, "--precision must be float or double (got '%s')", optarg);
            o->precision = !strcmp(optarg, "double") ? DR_HESSIAN_DOUBLE : DR_HESSIAN_FLOAT;
            break;
        case O_TOPK: o->topk = cli_long("--top-k", optarg, 0, 1L << 30); break;
        case O_STEPS: o->steps = cli_long("--lanczos-steps", optarg, 1, 1L << 30); break;
        case O_HUTCH: o->hutch = cli_long("--hutchinson", optarg, 0, 1L << 30); break;
        case O_SLQ: o->slq = cli_long("--slq", optarg, 0, 1L << 20); break;
        case O_SLQ_STEPS: o->slq_steps = cli_long("--slq-steps", optarg, 1, 1L << 20); break;
        case O_DENSITY: o->density = optarg; break;
        case O_GAMMA: parse_positive_list("--gamma", optarg, o->gamma, &o->ngamma); break;
        case O_BETA:
            o->le.beta = cli_double("--beta", optarg);
            if (!(o->le.beta > 0))
                cli_die(EXIT_USAGE, "--beta must be positive (got %g)", o->le.beta);
            break;
        case O_NODES: o->le.nodes = (size_t)cli_long("--nodes", optarg, 2, 1000); break;
        case O_LSTEPS:
            o->le.steps = (size_t)cli_long("--langevin-steps", optarg, 20, 1L << 30);
            break;
        case O_BURN: o->le.burn_in = (size_t)cli_long("--burn-in", optarg, 0, 1L << 30); break;
        case O_LSTEP:
            o->le.step = cli_double("--langevin-step", optarg);
            if (!(o->le.step > 0)) cli_die(EXIT_USAGE, "--langevin-step must be positive");
            break;
        case O_NOMH: o->le.metropolis = 0; break;
        case O_SIGMA: parse_positive_list("--sigma", optarg, o->sigma, &o->nsigma); break;
        case O_MC: o->mc = cli_long("--mc", optarg, 2, 1L << 30); break;
        case O_FILTER: o->filter = 1; break;
        case O_INTERP: o->interpolate = optarg; break;
        case O_DIRECTION: o->direction = 1; break;
        case O_RANGE: o->range = optarg; break;
        case O_PLOT: o->plot = optarg; break;
        case O_SEED: o->seed = (unsigned long)cli_long("--seed", optarg, 0, 0x7fffffffL); break;
        case O_THREADS: o->threads = cli_long("--threads", optarg, 1, 1024); break;
        case O_JSON: o->json = 1; break;
        case O_OUT: o->out = optarg; break;
        case 'h':
        case O_HELP: fputs(sharpness_usage, stdout); exit(0);
        default: cli_bad_option("sharpness", argv);
        }
    }
    if (optind < argc)
        cli_die(EXIT_USAGE, "sharpness: unexpected argument '%s' (try --help)", argv[optind]);
    if (!o->model)
        cli_die(EXIT_USAGE, "sharpness: --model-file is required");
    if (o->le.nodes % 2)
        cli_die(EXIT_USAGE, "--nodes must be even (got %zu)", o->le.nodes);
    if (o->filter && (o->interpolate || o->direction))
        cli_die(EXIT_USAGE, "sharpness: --filter-normalised applies to the summary, not a 1-D "
                "view");
    if (o->interpolate && o->direction)
        cli_die(EXIT_USAGE, "sharpness: --interpolate and --direction are separate runs");
    int line = o->interpolate || o->direction;
    if (line && (!o->out || !cli_has_ext(o->out, ".csv")))
        cli_die(EXIT_USAGE, "sharpness: a 1-D view needs --out FILE.csv");
    if (!line && o->out && !cli_has_ext(o->out, ".json"))
        cli_die(EXIT_USAGE, "sharpness: --out must end in .json (got '%s')", o->out);
    if (o->plot && !cli_has_ext(o->plot, ".png"))
        cli_die(EXIT_USAGE, "sharpness: --plot must end in .png (got '%s')", o->plot);
    if (!line && o->plot && o->slq == 0)
        cli_die(EXIT_USAGE, "sharpness: --plot draws a 1-D view or the --slq density");
    if (o->density && o->slq == 0)
        cli_die(EXIT_USAGE, "sharpness: --density needs --slq V > 0");
    const char *outputs[] = {o->out, o->density, o->plot}, *inputs[] = {o->model, o->interpolate};
    cli_check_files(outputs, 3, inputs, 2);
    o->le.seed = o->seed;
}

/* A line plot by gnuplot, or by the built-in renderer when gnuplot is missing. */
static void plot_lines(const char *png, const char *title, const char *xlabel,
                       const char *ylabel, const double *x, size_t n, const double *const *ys,
                       const char *const *labels, size_t ncols, int logy)
{
    char tmpdir[] = "/tmp/deeprelax-sharpness-XXXXXX";
    if (!mkdtemp(tmpdir))
        cli_die(EXIT_FAIL, "cannot create a temporary directory: %s", strerror(errno));
    dr_gnuplot_options go = {.dir = tmpdir, .name = "sharpness", .output = png, .title = title,
                             .xlabel = xlabel, .ylabel = ylabel, .logy = logy, .points = 1};
    int st = dr_gnuplot_lines(&go, x, n, ys, labels, ncols);
    if (st == DR_EUNSUPPORTED) {
        dr_viz_curve c[4];
        for (size_t i = 0; i < ncols && i < 4; i++)
            c[i] = (dr_viz_curve){.x = x, .y = ys[i], .n = n};
        dr_viz_image img;
        dr_viz_lineplot_options lo = {.logy = logy};
        if (!(st = dr_viz_lineplot(&img, c, ncols < 4 ? ncols : 4, &lo))) {
            st = dr_viz_png_write(&img, png);
            dr_viz_image_free(&img);
        }
    }
    char cmd[sizeof tmpdir + 16];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) { /* a leftover temporary directory is harmless */ }
    if (st != DR_SUCCESS)
        cli_die(EXIT_FAIL, "%s", dr_error_message());
}

static void load_data(const char *given, size_t features, dr_dataset *train, dr_dataset *test)
{
    char dir[4096];
    int status = dr_data_dir(given, dir, sizeof dir);
    if (status != DR_SUCCESS)
        cli_fail(status);
    if (dr_dataset_load_for(train, dir, 1, features) != DR_SUCCESS)
        cli_die(EXIT_FAIL, "%s", dr_error_message());
    if (test && dr_dataset_load_for(test, dir, 0, features) != DR_SUCCESS)
        cli_die(EXIT_FAIL, "%s", dr_error_message());
}

/* ---- 1-D views ------------------------------------------------------------------------------- */
static int run_line(const opts *o, dr_mlp *m, float *w)
{
    dr_dataset train, test;
    load_data(o->data, dr_mlp_get_config(m)->sizes[0], &train, &test);
    double a[1024];
    size_t n = cli_range("--range", o->range ? o->range : o->interpolate ? "-0.5:1.5:21"
                                                                          : "-1:1:21", a, 1024);
    size_t np = dr_mlp_n_params(m), ns = dr_mlp_n_state(m);
    /* model B is checked before this function allocates: a refusal exits with nothing of ours
     * unreachable (LeakSanitizer under make check-asan reports what an exit leaves behind) */
    dr_mlp *mb = NULL;
    float *w2 = NULL;
    if (o->interpolate) {
        if (dr_mlp_load(o->interpolate, 1000, &mb, &w2) != DR_SUCCESS)
            cli_die(EXIT_FAIL, "%s", dr_error_message());
        if (dr_mlp_n_params(mb) != np || memcmp(dr_mlp_get_config(mb), dr_mlp_get_config(m),
                                                sizeof(dr_mlp_config)))
            cli_die(EXIT_FAIL, "sharpness: %s and %s are different networks", o->model,
                    o->interpolate);
    }
    double *res = malloc(4 * n * sizeof *res);
    float *sa = malloc((ns + 1) * sizeof *sa), *dir = NULL;
    if (!res || !sa)
        cli_die(EXIT_FAIL, "out of memory");
    memcpy(sa, dr_mlp_state(m), ns * sizeof *sa);
    int status;
    cli_progress bar;
    if (o->interpolate) {
        float *sb = dr_mlp_state(mb);
        /* one point per call, so that the progress line moves (each is a pass over the data) */
        cli_progress_begin(&bar, "interpolate", "points", 2.0 * (double)n);
        for (size_t k = 0; k < 2 * n; k++) {
            const dr_dataset *d = k >= n ? &test : &train;
            size_t i = k % n, row = 2 * (k / n) * n;
            status = dr_interpolate_eval(m, w, sa, w2, sb, d, (size_t)o->samples, a + i, 1,
                                         res + row + i, res + row + n + i);
            if (status != DR_SUCCESS)
                cli_die(EXIT_FAIL, "%s", dr_error_message());
            cli_progress_update(&bar, (double)(k + 1));
        }
        cli_progress_end(&bar, 2.0 * (double)n);
        dr_mlp_free(mb);
    } else {
        dir = malloc(2 * np * sizeof *dir);
        if (!dir)
            cli_die(EXIT_FAIL, "out of memory");
        dr_slice_directions(m, w, o->seed, dir, dir + np);
        cli_progress_begin(&bar, "direction", "points", 2.0 * (double)n);
        for (size_t k = 0; k < 2 * n; k++) {
            size_t i = k % n, row = 2 * (k / n) * n;
            status = dr_direction_eval(m, w, dir, k >= n ? &test : &train, (size_t)o->samples,
                                       a + i, 1, res + row + i, res + row + n + i);
            if (status != DR_SUCCESS)
                cli_die(EXIT_FAIL, "%s", dr_error_message());
            cli_progress_update(&bar, (double)(k + 1));
        }
        cli_progress_end(&bar, 2.0 * (double)n);
    }
    dr_output *out = cli_output_open(o->out);
    FILE *fp = dr_output_stream(out);
    fprintf(fp, "a,train_loss,train_error,test_loss,test_error\n");
    for (size_t i = 0; i < n; i++)
        fprintf(fp, "%.17g,%.17g,%.17g,%.17g,%.17g\n", a[i], res[i], res[n + i], res[2 * n + i],
                res[3 * n + i]);
    cli_output_commit(out);
    if (o->plot) {
        const double *ys[4] = {res, res + 2 * n, res + n, res + 3 * n};
        const char *labels[4] = {"train loss", "test loss", "train error", "test error"};
        char title[512];
        if (o->interpolate)
            snprintf(title, sizeof title, "loss along (1-a) A + a B (A = %s, B = %s)", o->model,
                     o->interpolate);
        else
            snprintf(title, sizeof title, "loss along a filter-normalised direction (%s)",
                     o->model);
        plot_lines(o->plot, title, o->interpolate ? "a" : "a (units of the weights' row norms)",
                   "cross-entropy and error rate (log scale)", a, n, ys, labels, 4, 1);
    }
    if (o->json) {
        printf("{\"out\":");
        json_string(stdout, o->out);
        printf(",\"a\":");
        json_array(stdout, a, n);
        const char *keys[4] = {"train_loss", "train_error", "test_loss", "test_error"};
        for (int k = 0; k < 4; k++) {
            printf(",\"%s\":", keys[k]);
            json_array(stdout, res + k * n, n);
        }
        printf("}\n");
    } else {
        printf("%8s %12s %10s %12s %10s\n", "a", "train_loss", "train_err", "test_loss",
               "test_err");
        for (size_t i = 0; i < n; i++)
            printf("%8.3f %12.6g %10.4f %12.6g %10.4f\n", a[i], res[i], res[n + i],
                   res[2 * n + i], res[3 * n + i]);
    }
    free(res); free(sa); free(w2); free(dir);
    dr_dataset_free(&train);
    dr_dataset_free(&test);
    return 0;
}

/* ---- the flatness summary -------------------------------------------------------------- */
typedef struct {
    double loss, error, seconds;
    size_t steps;
    double theta[64], bound[64];
    double trace, trace_se;
    dr_local_entropy_result le[MAX_LIST];
    double energy[MAX_LIST], energy_se[MAX_LIST];
    double *nodes, *weights;
    double weight_norm[DR_MLP_MAX_LAYERS];
    int n_layers;
} results;

/* Progress of the summary (progress.h), in operator calls: the library's estimators call the
 * Hessian-vector product and the loss through these wrappers, which count them. */
typedef struct {
    dr_hessian_at at;
    cli_progress bar;
    double done;
} counted_ops;

static int counted_linop(void *ctx, const double *v, double *out)
{
    counted_ops *c = ctx;
    int status = dr_hessian_linop(&c->at, v, out);
    cli_progress_update(&c->bar, ++c->done);
    return status;
}

static int counted_lossfn(void *ctx, const double *x, double *f, double *grad)
{
    counted_ops *c = ctx;
    int status = dr_hessian_lossfn(&c->at, x, f, grad);
    cli_progress_update(&c->bar, ++c->done);
    return status;
}

/* The operator calls compute() makes: Lanczos steps, Hutchinson vectors, per gamma the chain
 * evaluations of every lambda node (nn/sharpness.c: a start and burn-in + whole batches of the
 * averaged steps, after f(x)), per sigma 2 per antithetic pair after f(x), SLQ's runs x steps. */
static double operator_calls(const opts *o, const results *r)
{
    const dr_local_entropy_params *le = &o->le;
    double per_gamma = 1.0 + (double)(le->nodes + 1) *
                                 (double)(1 + le->burn_in + le->steps / 20 * 20);
    return (double)(o->topk > 0 ? r->steps : 0) + (double)o->hutch +
           (double)o->ngamma * per_gamma + (double)o->nsigma * (1.0 + 2.0 * (double)o->mc) +
           (double)(o->slq * o->slq_steps);
}

/* The estimators at w, or (--filter-normalised) at theta = 0 of f(w + D theta): the same calls
 * on dr_scaled_coords' operator and loss. scale and x0 are np doubles of the caller's. */
static void compute(const opts *o, dr_hessian *h, const double *w, size_t np, results *r,
                    const double *scale, double *x0)
{
    counted_ops at = {.at = {h, w}};
    dr_scaled_coords sc = {counted_linop, counted_lossfn, &at, np, w, scale, x0 + np};
    dr_linop_fn op = o->filter ? dr_scaled_linop : counted_linop;
    dr_lossfn fn = o->filter ? dr_scaled_lossfn : counted_lossfn;
    void *ctx = o->filter ? (void *)&sc : (void *)&at;
    const double *x = w;
    if (o->filter) {
        memset(x0, 0, np * sizeof *x0);
        x = x0;
    }
    cli_progress_begin(&at.bar, "sharpness", "evaluations", operator_calls(o, r));
    int st = dr_hessian_loss_grad(h, w, &r->loss, &r->error, NULL);
    if (st == DR_SUCCESS && o->topk > 0)
        st = dr_lanczos_top(op, ctx, np, (size_t)o->topk, r->steps, o->seed, r->theta, r->bound,
                            NULL);
    if (st == DR_SUCCESS && o->hutch > 0)
        st = dr_hutchinson_trace(op, ctx, np, (size_t)o->hutch, o->seed + 1, &r->trace,
                                 &r->trace_se);
    for (size_t i = 0; st == DR_SUCCESS && i < o->ngamma; i++)
        st = dr_local_entropy(fn, ctx, np, x, o->gamma[i], &o->le, &r->le[i]);
    for (size_t i = 0; st == DR_SUCCESS && i < o->nsigma; i++)
        st = dr_local_energy(fn, ctx, np, x, o->sigma[i], (size_t)o->mc, o->seed + 2 + i,
                             &r->energy[i], &r->energy_se[i]);
    if (st == DR_SUCCESS && o->slq > 0)
        st = dr_slq(op, ctx, np, (size_t)o->slq, (size_t)o->slq_steps, o->seed + 3, r->nodes,
                    r->weights);
    cli_progress_end(&at.bar, at.done);
    if (st != DR_SUCCESS)
        cli_die(EXIT_FAIL, "%s", dr_error_message());
}

/* |W_l| (Frobenius) per layer: what batch norm makes the plain measures depend on. */
static void weight_norms(const dr_mlp *m, const float *w, double *norm)
{
    const dr_mlp_config *c = dr_mlp_get_config(m);
    for (int l = 0; l < c->n_layers; l++) {
        dr_mlp_layer_layout ly;
        dr_mlp_layout(m, l, &ly);
        double sum2 = 0;
        for (size_t i = 0; i < ly.in * ly.out; i++)
            sum2 += (double)w[ly.W + i] * w[ly.W + i];
        norm[l] = sqrt(sum2);
    }
}

static void write_density(const opts *o, const results *r)
{
    size_t count = (size_t)(o->slq * o->slq_steps), nt = 400;
    double lo = INFINITY, hi = -INFINITY, t[400], dens[400];
    for (size_t i = 0; i < count; i++)
        if (r->weights[i] > 0) {
            lo = fmin(lo, r->nodes[i]);
            hi = fmax(hi, r->nodes[i]);
        }
    double pad = 0.05 * (hi - lo) + 1e-12, width = 0.01 * (hi - lo) + 1e-12;
    for (size_t j = 0; j < nt; j++)
        t[j] = lo - pad + (hi - lo + 2 * pad) * (double)j / (double)(nt - 1);
    dr_slq_density(r->nodes, r->weights, count, width, t, nt, dens);
    if (o->density) {
        dr_output *out = cli_output_open(o->density);
        FILE *fp = dr_output_stream(out);
        fprintf(fp, "eigenvalue,density\n");
        for (size_t j = 0; j < nt; j++)
            fprintf(fp, "%.10g,%.10g\n", t[j], dens[j]);
        cli_output_commit(out);
    }
    if (o->plot) {
        for (size_t j = 0; j < nt; j++)
            dens[j] = fmax(dens[j], 1e-12); /* log scale: the tails drop to 0 */
        const double *ys[1] = {dens};
        const char *labels[1] = {"SLQ density (Gaussian width 1% of the range)"};
        char title[512];
        snprintf(title, sizeof title, "Hessian spectral density: %s", o->model);
        plot_lines(o->plot, title, "eigenvalue", "density (log scale)", t, nt, ys, labels, 1, 1);
    }
}

static void print_json(FILE *f, const opts *o, const results *r, size_t np, size_t n)
{
    fprintf(f, "{\"model\":");
    json_string(f, o->model);
    fprintf(f, ",\"samples\":%zu,\"params\":%zu,\"precision\":\"%s\",\"batchnorm\":\"eval "
            "(running statistics)\",\"dropout\":\"off\",\"loss\":", n, np,
            o->precision == DR_HESSIAN_DOUBLE ? "double" : "float");
    json_number(f, r->loss);
    fprintf(f, ",\"error\":");
    json_number(f, r->error);
    fprintf(f, ",\"coordinates\":\"%s\",\"weight_norms\":",
            o->filter ? "filter-normalised (D H D; sigma relative to each row's RMS)" : "weights");
    json_array(f, r->weight_norm, (size_t)r->n_layers);
    fprintf(f, ",\"lanczos_steps\":%zu,\"top_eigenvalues\":", o->topk > 0 ? r->steps : 0);
    json_array(f, r->theta, (size_t)o->topk);
    fprintf(f, ",\"eigenvalue_bounds\":");
    json_array(f, r->bound, (size_t)o->topk);
    fprintf(f, ",\"trace\":");
    json_number(f, o->hutch > 0 ? r->trace : NAN);
    fprintf(f, ",\"trace_stderr\":");
    json_number(f, o->hutch > 0 ? r->trace_se : NAN);
    fprintf(f, ",\"hutchinson_samples\":%ld,\"beta\":", o->hutch);
    json_number(f, o->le.beta);
    fprintf(f, ",\"local_entropy\":[");
    for (size_t i = 0; i < o->ngamma; i++) {
        const dr_local_entropy_result *e = &r->le[i];
        fprintf(f, "%s{\"gamma\":", i ? "," : "");
        json_number(f, o->gamma[i]);
        fprintf(f, ",\"value\":");
        json_number(f, e->value);
        fprintf(f, ",\"mc_error\":");
        json_number(f, e->mc_error);
        fprintf(f, ",\"quad_error\":");
        json_number(f, e->quad_error);
        fprintf(f, ",\"acceptance\":");
        json_number(f, e->acceptance);
        fprintf(f, ",\"local_energy_at_sigma\":");
        json_number(f, e->energy0);
        fprintf(f, "}");
    }
    fprintf(f, "],\"local_energy\":[");
    for (size_t i = 0; i < o->nsigma; i++) {
        fprintf(f, "%s{\"sigma\":", i ? "," : "");
        json_number(f, o->sigma[i]);
        fprintf(f, ",\"value\":");
        json_number(f, r->energy[i]);
        fprintf(f, ",\"stderr\":");
        json_number(f, r->energy_se[i]);
        fprintf(f, "}");
    }
    fprintf(f, "],\"seconds\":");
    json_number(f, r->seconds);
    fprintf(f, "}\n");
}

static void print_text(const opts *o, const results *r, size_t np, size_t n)
{
    printf("sharpness of %s: %zu parameters, f over %zu training examples (eval mode: batch "
           "norm's running statistics, no dropout; %s)\n", o->model, np, n,
           o->precision == DR_HESSIAN_DOUBLE ? "float64" : "float32");
    printf("f = %.6g, error %.4f%%; |W| per layer:", r->loss, 100 * r->error);
    for (int l = 0; l < r->n_layers; l++)
        printf(" %.4g", r->weight_norm[l]);
    printf("\n");
    if (o->filter)
        printf("filter-normalised coordinates w + D theta (D = each weight row's RMS; biases and "
               "batch norm fixed): eigenvalues and trace of D H D, sigma relative\n");
    for (long i = 0; i < o->topk; i++)
        printf("lambda_%ld = %.6g  (Ritz residual %.2g, %zu Lanczos steps%s)\n", i + 1,
               r->theta[i], r->bound[i], r->steps,
               o->precision == DR_HESSIAN_FLOAT ? "; float32 HVPs add ~1e-7 of |H|" : "");
    if (o->hutch > 0)
        printf("tr H = %.6g +- %.2g (Hutchinson, %ld vectors, 1-sigma MC)\n", r->trace,
               r->trace_se, o->hutch);
    for (size_t i = 0; i < o->ngamma; i++)
        printf("local entropy gamma %g (beta %g): f_gamma - f = %.6g +- %.2g (1-sigma MC), "
               "quadrature %.2g (estimate), acceptance %.2f\n", o->gamma[i], o->le.beta,
               r->le[i].value, r->le[i].mc_error, r->le[i].quad_error, r->le[i].acceptance);
    for (size_t i = 0; i < o->nsigma; i++)
        printf("local energy sigma %g: E f(x + sigma z) - f(x) = %.6g +- %.2g (1-sigma MC)\n",
               o->sigma[i], r->energy[i], r->energy_se[i]);
    if (o->hutch > 0 || o->ngamma || o->nsigma)
        printf("(Monte-Carlo errors are 1-sigma statistical estimates, not bounds; the Ritz "
               "residual bounds the eigenvalue error in exact arithmetic)\n");
    printf("%.1f s\n", r->seconds);
}

static int run_summary(const opts *o, dr_mlp *m, float *w)
{
    dr_dataset train;
    load_data(o->data, dr_mlp_get_config(m)->sizes[0], &train, NULL);
    size_t np = dr_mlp_n_params(m);
    if (o->topk > 64 || (size_t)o->topk > np)
        cli_die(EXIT_USAGE, "sharpness: --top-k %ld is larger than %s (the model has %zu "
                "parameters)", o->topk, o->topk > 64 ? "64" : "the parameter count", np);
    results r = {.steps = o->steps > 0 ? (size_t)o->steps
                                        : (size_t)(o->topk * 2 > 20 ? o->topk * 2 : 20)};
    if (r.steps > np)
        r.steps = np;
    if (o->topk > 0 && r.steps < (size_t)o->topk)
        cli_die(EXIT_USAGE, "sharpness: --lanczos-steps %zu < --top-k %ld", r.steps, o->topk);
    if ((size_t)o->slq_steps > np)
        cli_die(EXIT_USAGE, "sharpness: --slq-steps %ld > %zu parameters", o->slq_steps, np);
    dr_hessian *h;
    if (dr_hessian_alloc(&h, m, &train, (size_t)o->samples, 500, o->precision) != DR_SUCCESS)
        cli_die(EXIT_FAIL, "%s", dr_error_message());
    double *wd = malloc(np * sizeof *wd), *scale = malloc(3 * np * sizeof *scale);
    size_t count = (size_t)(o->slq * o->slq_steps);
    r.nodes = malloc((count + 1) * sizeof *r.nodes);
    r.weights = malloc((count + 1) * sizeof *r.weights);
    if (!wd || !scale || !r.nodes || !r.weights)
        cli_die(EXIT_FAIL, "out of memory");
    for (size_t i = 0; i < np; i++)
        wd[i] = w[i];
    r.n_layers = dr_mlp_get_config(m)->n_layers;
    weight_norms(m, w, r.weight_norm);
    dr_filter_scales(m, w, scale);
    double t0 = cli_seconds();
    compute(o, h, wd, np, &r, scale, scale + np);
    r.seconds = cli_seconds() - t0;
    if (o->slq > 0)
        write_density(o, &r);
    size_t n = dr_hessian_n_samples(h);
    if (o->json)
        print_json(stdout, o, &r, np, n);
    else
        print_text(o, &r, np, n);
    if (o->out) {
        dr_output *out = cli_output_open(o->out);
        print_json(dr_output_stream(out), o, &r, np, n);
        cli_output_commit(out);
    }
    free(wd); free(scale); free(r.nodes); free(r.weights);
    dr_hessian_free(h);
    dr_dataset_free(&train);
    return 0;
}

int cmd_sharpness(int argc, char **argv)
{
    opts o;
    parse(&o, argc, argv);
    cli_nn_blas_fixup(argc, argv);
    dr_nn_set_threads((int)o.threads);
    dr_mlp *m;
    float *w;
    if (dr_mlp_load(o.model, 1000, &m, &w) != DR_SUCCESS)
        cli_die(EXIT_FAIL, "%s", dr_error_message());
    int rc = o.interpolate || o.direction ? run_line(&o, m, w) : run_summary(&o, m, w);
    free(w);
    dr_mlp_free(m);
    return rc;
}
