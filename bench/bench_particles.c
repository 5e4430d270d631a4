/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Benchmark of the particle optimisers: inner-loop steps per second of entropy-sgd on a 1-D
 * (paper1d) and a 2-D (rastrigin) landscape, beside the machine's limit for that loop (the bare
 * gradient evaluations plus Gaussian draws it cannot avoid), hj's noise-free loop, and the cost
 * of --compare (the Gibbs-mean study with the CLI's ladder L = 16 .. 65536 over 256 chains, twice,
 * and the pde-gd reference run) as a ratio to the run it accompanies. */
#include "deeprelax/error.h"
#include "deeprelax/particles.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_NAME "bench_particles"
#define BENCH_CLOCK CLOCK_PROCESS_CPUTIME_ID
#include "bench_common.h"

/* The floor of one inner step: grad f and dim Gaussian draws, nothing else. */
static double floor_rate(const dr_landscape *f, size_t n)
{
    int dim = dr_landscape_dim(f);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    double y[2] = {0.3, -0.2}, g[2], sink = 0, t0 = now();
    for (size_t i = 0; i < n; i++) {
        dr_landscape_value_grad(f, y, g);
        for (int a = 0; a < dim; a++) {
            y[a] = 0.3 + 1e-3 * gsl_ran_gaussian_ziggurat(r, 1.0);
            sink += g[a];
        }
    }
    double dt = now() - t0;
    gsl_rng_free(r);
    if (sink == 12345.678) puts("");
    return (double)n / dt;
}

static void inner_rates(const char *name, const double *x0)
{
    dr_landscape *f = builtin(name);
    const size_t K = 10;
    double starts[20];
    for (size_t k = 0; k < K; k++)
        for (int a = 0; a < 2; a++) starts[2 * k + (size_t)a] = x0[a];
    for (int hj = 0; hj < 2; hj++) {
        dr_particles_options o;
        dr_particles_options_default(&o);
        o.algo = hj ? DR_PARTICLES_HJ : DR_PARTICLES_ENTROPY_SGD;
        o.steps = 200;
        o.L = 1000;
        o.eta_inner = 1e-3;
        o.eta = 1e-3;
        dr_particles *p = NULL;
        if (dr_particles_alloc(&p, f, &o)) die("alloc");
        double t0 = now();
        if (dr_particles_run(p, K, starts, NULL, NULL)) die("run");
        double dt = now() - t0, steps = (double)(K * o.steps * o.L);
        double lim = floor_rate(f, 2000000);
        printf("%-12s %-12s %10.3g inner steps/s   bare loop (grad + noise) %10.3g/s   bare/run %.2f\n",
               name, dr_particles_algo_name(o.algo), steps / dt, lim, lim / (steps / dt));
        dr_particles_free(p);
    }
    dr_landscape_free(f);
}

/* --compare against the run: particles 10, steps 200, L 20 (the CLI's defaults but K). */
static void compare_cost(const char *name, const double *x0)
{
    dr_landscape *f = builtin(name);
    int dim = dr_landscape_dim(f);
    const size_t K = 10;
    double starts[20];
    for (size_t k = 0; k < K; k++)
        for (int a = 0; a < 2; a++) starts[2 * k + (size_t)a] = x0[a];
    dr_particles_options o;
    dr_particles_options_default(&o);
    o.eta = 0.01;
    dr_particles *p = NULL;
    if (dr_particles_alloc(&p, f, &o)) die("alloc");
    double t0 = now();
    if (dr_particles_run(p, K, starts, NULL, NULL)) die("run");
    double run = now() - t0;
    static const size_t L[] = {16, 64, 256, 1024, 4096, 16384, 65536};
    dr_particles_gibbs_row rows[7];
    dr_particles_gibbs_summary s;
    t0 = now();
    if (dr_particles_gibbs_study(p, x0, o.gamma, NAN, L, 7, 256, rows, &s)) die("study");
    if (dr_particles_gibbs_study(p, x0, o.gamma, DR_PARTICLES_ALPHA_UNIFORM, L, 7, 256, rows, &s))
        die("study");
    double study = now() - t0;
    t0 = now();
    double m[2];
    if (dr_particles_gibbs_mean(f, x0, o.gamma, o.beta, m, NULL)) die("quadrature");
    double quad = now() - t0;
    o.algo = DR_PARTICLES_PDE_GD;
    dr_particles *pp = NULL;
    t0 = now();
    if (dr_particles_alloc(&pp, f, &o) || dr_particles_run(pp, K, starts, NULL, NULL))
        die("pde-gd");
    double pde = now() - t0;
    printf("%-12s %d-D  run %.3f s | compare: gibbs study %.3f s (quadrature %.4f s), pde-gd "
           "%.3f s | compare / run = %.1f\n", name, dim, run, study, quad, pde,
           (study + pde) / run);
    dr_particles_free(p);
    dr_particles_free(pp);
    dr_landscape_free(f);
}

int main(void)
{
    const double x1[2] = {0.7, 0}, x2[2] = {0.6, -0.4};
    puts("== inner-loop throughput (10 particles x 200 outer x 1000 inner steps)");
    inner_rates("paper1d", x1);
    inner_rates("rastrigin", x2);
    puts("== cost of --compare (entropy-sgd, 10 particles x 200 steps, L = 20)");
    compare_cost("paper1d", x1);
    compare_cost("rastrigin", x2);
    return 0;
}
