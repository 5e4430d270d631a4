/* Benchmark of the Cole-Hopf solver, side by side in one run:
 *   1. 2-D FFT engine on quad2d, 1024 x 1024, beta = 10, t = 1, [-4,4]^2: plan (once) and
 *      execution against the bare FFTW r2c + c2r pair on the same padded grid (the machine's
 *      limit for this method), and against the NumPy/SciPy peer (bench/peer_heat.py);
 *   2. accuracy against the closed form at beta = 10, 30, 100, beside the peer's;
 *   3. the log-domain engine: ns per point per kernel tap, and its crossover with the FFT as
 *      beta grows (paper1d, 1-D).
 * The peer runs through $PY (default /usr/bin/python3); without SciPy its columns say n/a. */
#include <fftw3.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deeprelax/deeprelax.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_heat: %s: %s\n", what, dr_error_message());
    exit(1);
}

/* Best of `repeat` executions of the plan at t; fills rep. */
static double time_execute(dr_heat_plan *p, double t, double *u, double *grad, int repeat,
                           dr_heat_report *rep)
{
    double best = INFINITY;
    for (int r = 0; r < repeat; r++) {
        double t0 = now();
        if (dr_heat_execute(p, t, u, grad, rep)) die("execute");
        best = fmin(best, now() - t0);
    }
    return best;
}

static double bare_fft_pair(size_t n0, size_t n1, int repeat)
{
    double *real = fftw_alloc_real(n0 * n1);
    fftw_complex *spec = fftw_alloc_complex(n1 * (n0 / 2 + 1));
    fftw_plan fwd = fftw_plan_dft_r2c_2d((int)n1, (int)n0, real, spec, FFTW_ESTIMATE);
    fftw_plan inv = fftw_plan_dft_c2r_2d((int)n1, (int)n0, spec, real, FFTW_ESTIMATE);
    for (size_t i = 0; i < n0 * n1; i++) real[i] = 1.0 / (1.0 + (double)(i % 97));
    double best = INFINITY;
    for (int r = 0; r < repeat; r++) {
        double t0 = now();
        fftw_execute(fwd);
        fftw_execute(inv);
        best = fmin(best, now() - t0);
    }
    fftw_destroy_plan(fwd);
    fftw_destroy_plan(inv);
    fftw_free(real);
    fftw_free(spec);
    return best;
}

/* Max |u - closed form| on the inner half and on the whole box, quad2d. */
static void quad2d_errors(const dr_grid *g, const double *u, double beta, double t, double *inner,
                          double *whole)
{
    *inner = *whole = 0;
    for (size_t j = 0; j < g->n[1]; j++)
        for (size_t i = 0; i < g->n[0]; i++) {
            double x = dr_grid_coord(g, 0, i), y = dr_grid_coord(g, 1, j);
            double e = fabs(u[j * g->n[0] + i] - ((x * x + y * y) / (2 * (1 + t)) + log(1 + t) / beta));
            *whole = fmax(*whole, e);
            if (fabs(x) <= 2 && fabs(y) <= 2) *inner = fmax(*inner, e);
        }
}

/* The peer's "key value" lines. */
static double peer_values[16];
static const char *peer_keys[] = {"peer_2d_seconds", "peer_axes_seconds", "peer_error_beta_10",
                                  "peer_error_beta_30", "peer_error_beta_100",
                                  "peer_nonfinite_beta_10", "peer_nonfinite_beta_30",
                                  "peer_nonfinite_beta_100"};
enum { PEER_2D, PEER_AXES, PEER_E10, PEER_E30, PEER_E100, PEER_NF10, PEER_NF30, PEER_NF100, PEER_N };

static int run_peer(size_t n)
{
    const char *py = getenv("PY") ? getenv("PY") : "/usr/bin/python3";
    char cmd[512], key[64];
    snprintf(cmd, sizeof cmd, "%s bench/peer_heat.py %zu 2>/dev/null", py, n);
    for (int k = 0; k < PEER_N; k++) peer_values[k] = NAN;
    FILE *pipe = popen(cmd, "r");
    if (!pipe) return 0;
    double v;
    int got = 0;
    while (fscanf(pipe, "%63s %lf", key, &v) == 2)
        for (int k = 0; k < PEER_N; k++)
            if (!strcmp(key, peer_keys[k])) { peer_values[k] = v; got++; }
    return pclose(pipe) == 0 && got == PEER_N;
}

int main(void)
{
    const size_t n = 1024;
    const double t = 1.0;
    dr_landscape *quad2d = NULL;
    if (dr_landscape_alloc_builtin(&quad2d, "quad2d", NULL)) die("quad2d");
    dr_grid g;
    size_t nn[2] = {n, n};
    double lo[2] = {-4, -4}, hi[2] = {4, 4};
    dr_grid_init(&g, 2, nn, lo, hi);
    size_t size = dr_grid_size(&g);
    double *u = malloc(size * sizeof *u), *grad = malloc(2 * size * sizeof *grad);

    printf("== 2-D heat solve, quad2d %zu x %zu on [-4,4]^2, beta = 10, t = 1\n", n, n);
    dr_heat_options fft_only = {.engine = DR_HEAT_FFT};
    dr_heat_plan *p = NULL;
    double t0 = now();
    if (dr_heat_plan_alloc(&p, quad2d, &g, 10.0, t, t, &fft_only)) die("plan");
    double plan_s = now() - t0;
    dr_heat_report rep;
    double exec_s = time_execute(p, t, u, NULL, 5, &rep);
    /* The same on one thread: the peer below runs on one. */
    dr_heat_options fft_one = {.engine = DR_HEAT_FFT, .threads = 1};
    dr_heat_plan *p1 = NULL;
    if (dr_heat_plan_alloc(&p1, quad2d, &g, 10.0, t, t, &fft_one)) die("plan");
    double exec1_s = time_execute(p1, t, u, NULL, 5, &rep);
    dr_heat_plan_free(p1);
    double exec_grad_s = time_execute(p, t, u, grad, 3, &rep);
    double bare_s = bare_fft_pair(rep.fft_size[0], rep.fft_size[1], 5);
    double e_in, e_all;
    quad2d_errors(&g, u, 10.0, t, &e_in, &e_all);
    dr_heat_plan_free(p);
    int have_peer = run_peer(n);

    printf("padded FFT grid %zu x %zu (y-grid %zu x %zu, padding %.3f per side)\n",
           rep.fft_size[0], rep.fft_size[1], rep.quad_points[0], rep.quad_points[1], rep.margin);
    printf("%-44s %10s %10s\n", "", "seconds", "ratio");
    printf("%-44s %10.4f %10s\n", "bare FFTW r2c + c2r pair, same padded grid", bare_s, "1.00");
    printf("%-44s %10.4f %10.2f  (issue: <= 3)\n", "deeprelax fft engine, execute (u)", exec_s,
           exec_s / bare_s);
    printf("%-44s %10.4f %10.2f\n", "deeprelax fft engine, execute (u), 1 thread", exec1_s,
           exec1_s / bare_s);
    printf("%-44s %10.4f %10.2f\n", "deeprelax fft engine, execute (u and grad)", exec_grad_s,
           exec_grad_s / bare_s);
    printf("%-44s %10.4f %10.2f\n", "deeprelax plan (once per landscape/grid)", plan_s,
           plan_s / bare_s);
    if (have_peer) {
        printf("%-44s %10.4f %10.2f\n", "SciPy fftconvolve, one 2-D pass", peer_values[PEER_2D],
               peer_values[PEER_2D] / bare_s);
        printf("%-44s %10.4f %10.2f\n", "SciPy fftconvolve, one pass per axis",
               peer_values[PEER_AXES], peer_values[PEER_AXES] / bare_s);
        double best = fmin(peer_values[PEER_2D], peer_values[PEER_AXES]);
        printf("speed-up of deeprelax execute over the best peer: %.2fx (%d threads), "
               "%.2fx (1 thread, as the peer)\n", best / exec_s, omp_get_max_threads(),
               best / exec1_s);
    } else {
        printf("SciPy peer: n/a (needs python3-scipy; `scripts/install-deps.sh bench`)\n");
    }

    printf("\n== accuracy against the closed form (max |u - exact| on [-2,2]^2; whole box)\n");
    printf("%8s %14s %14s %14s %14s %12s\n", "beta", "fft engine", "auto", "auto (whole)",
           "SciPy peer", "peer non-finite");
    const double betas[] = {10, 30, 100};
    for (int b = 0; b < 3; b++) {
        double beta = betas[b], e_fft_in, e_fft_all, e_auto_in, e_auto_all;
        dr_heat_plan *pf = NULL, *pa = NULL;
        if (dr_heat_plan_alloc(&pf, quad2d, &g, beta, t, t, &fft_only)) die("plan");
        dr_heat_execute(pf, t, u, NULL, &rep);
        quad2d_errors(&g, u, beta, t, &e_fft_in, &e_fft_all);
        dr_heat_plan_free(pf);
        if (dr_heat_plan_alloc(&pa, quad2d, &g, beta, t, t, NULL)) die("plan");
        double ta = now();
        dr_heat_execute(pa, t, u, NULL, &rep);
        ta = now() - ta;
        quad2d_errors(&g, u, beta, t, &e_auto_in, &e_auto_all);
        dr_heat_plan_free(pa);
        printf("%8g %14.3g %14.3g %14.3g %14.3g %12.0f   (auto: %s, %.2f s)\n", beta, e_fft_in,
               e_auto_in, e_auto_all, have_peer ? peer_values[PEER_E10 + b] : NAN,
               have_peer ? peer_values[PEER_NF10 + b] : NAN, dr_heat_engine_name(rep.engine), ta);
    }
    (void)e_in; (void)e_all;

    printf("\n== log-domain engine vs FFT engine, paper1d, n = 4001, t = 0.1 (1-D)\n"
           "   the FFT is always faster; the crossover is where its error estimate passes the\n"
           "   tolerance (1e-10) and auto hands points to the log domain\n");
    printf("%10s %12s %12s %14s %12s %14s %10s\n", "beta", "fft (s)", "logsum (s)", "taps/point",
           "ns/tap", "fft est.error", "auto uses");
    dr_landscape *paper = NULL;
    if (dr_landscape_alloc_builtin(&paper, "paper1d", NULL)) die("paper1d");
    dr_grid g1;
    size_t n1 = 4001;
    double lo1 = -3, hi1 = 3;
    dr_grid_init(&g1, 1, &n1, &lo1, &hi1);
    double *u1 = malloc(n1 * sizeof *u1);
    const double sweep[] = {0.1, 1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    for (size_t b = 0; b < sizeof sweep / sizeof sweep[0]; b++) {
        dr_heat_plan *pf = NULL, *pl = NULL;
        dr_heat_options lopt = {.engine = DR_HEAT_LOGSUM};
        if (dr_heat_plan_alloc(&pf, paper, &g1, sweep[b], 0.1, 0.1, &fft_only)) die("plan");
        if (dr_heat_plan_alloc(&pl, paper, &g1, sweep[b], 0.1, 0.1, &lopt)) die("plan");
        dr_heat_report rf, rl;
        double tf = time_execute(pf, 0.1, u1, NULL, 5, &rf);
        double tl = time_execute(pl, 0.1, u1, NULL, 5, &rl);
        double taps = (double)rl.log_taps / (double)n1;
        dr_heat_plan *pa = NULL;
        dr_heat_report ra;
        if (dr_heat_plan_alloc(&pa, paper, &g1, sweep[b], 0.1, 0.1, NULL)) die("plan");
        dr_heat_execute(pa, 0.1, u1, NULL, &ra);
        dr_heat_plan_free(pa);
        printf("%10g %12.5f %12.5f %14.0f %12.2f %14.2g %10s\n", sweep[b], tf, tl, taps,
               1e9 * tl / (double)rl.log_taps, rf.est_error, dr_heat_engine_name(ra.engine));
        dr_heat_plan_free(pf);
        dr_heat_plan_free(pl);
    }
    free(u1);
    free(u);
    free(grad);
    dr_landscape_free(paper);
    dr_landscape_free(quad2d);
    return 0;
}
