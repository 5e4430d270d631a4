/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The C side of bench/bench_python.py (the binding's overhead), also a benchmark on its own:
 *   solve2d: dr_landscape_sample + dr_solve (u and grad) of quad2d on 1024 x 1024, beta = 10,
 *            t = 1, Cole-Hopf: what deeprelax.solve() does;
 *   plan1d:  one heat plan for paper1d, 1201 points, beta = 30, t in [0.05, 0.2], FFT engine, one
 *            thread, executed 1000 times (u only) at t cycling through 10 values: what
 *            HeatPlan.__call__ does.
 * Usage: bench_solve [solve2d|plan1d REPEATS]. Prints "CASE SECONDS" per case, best of REPEATS
 * (default 3); plan1d also its best CPU seconds of the calling thread (a process clock would
 * also count an idle OpenMP or BLAS worker spinning beside it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deeprelax/deeprelax.h"

#define BENCH_NAME "bench_solve"
#include "bench_common.h"

static double solve2d(void)
{
    dr_landscape *f;
    if (dr_landscape_alloc_builtin(&f, "quad2d", NULL)) die("landscape");
    dr_grid g;
    size_t n = 1024;
    double lo[2] = {-4, -4}, hi[2] = {4, 4}, t = 1.0;
    if (dr_solve_grid(&g, f, 1, &n, lo, hi)) die("grid");
    size_t size = dr_grid_size(&g);
    double *fv = malloc(size * sizeof *fv), *u = malloc(size * sizeof *u);
    double *grad = malloc(2 * size * sizeof *grad);
    if (!fv || !u || !grad) die("memory");
    dr_solve_report rep;
    double t0 = now();
    dr_landscape_sample(f, &g, fv);
    if (dr_solve(f, &g, 10.0, &t, 1, u, grad, &rep, NULL)) die("solve");
    double s = now() - t0;
    free(fv); free(u); free(grad);
    dr_landscape_free(f);
    return s;
}

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Wall seconds of the loop; *cpu gets the calling thread's CPU seconds. */
static double plan1d(double *cpu)
{
    dr_landscape *f;
    if (dr_landscape_alloc_builtin(&f, "paper1d", NULL)) die("landscape");
    dr_grid g;
    size_t n = 1201;
    if (dr_solve_grid(&g, f, 1, &n, NULL, NULL)) die("grid");
    dr_heat_plan *p;
    /* one thread: the binding's overhead is the question, and on a shared machine OpenMP's
     * barriers on a 1201-point line cost more than they save and swamp it in noise */
    dr_heat_options opt = {.engine = DR_HEAT_FFT, .threads = 1};
    if (dr_heat_plan_alloc(&p, f, &g, 30.0, 0.05, 0.2, &opt)) die("plan");
    double *u = malloc(n * sizeof *u);
    if (!u) die("memory");
    double t0 = now(), c0 = cpu_now();
    for (int k = 0; k < 1000; k++)
        if (dr_heat_execute(p, 0.05 + 0.015 * (k % 10) + 0.001, u, NULL, NULL)) die("execute");
    double s = now() - t0;
    *cpu = cpu_now() - c0;
    free(u);
    dr_heat_plan_free(p);
    dr_landscape_free(f);
    return s;
}

int main(int argc, char **argv)
{
    const char *only = argc > 1 ? argv[1] : NULL;
    int repeats = argc > 2 ? atoi(argv[2]) : 3;
    if (only && strcmp(only, "solve2d") && strcmp(only, "plan1d")) {
        fprintf(stderr, "usage: bench_solve [solve2d|plan1d [REPEATS]]\n");
        return 2;
    }
    if (repeats < 1) repeats = 1;
    if (!only || !strcmp(only, "solve2d")) {
        double best = INFINITY;
        for (int r = 0; r < repeats; r++) best = fmin(best, solve2d());
        printf("solve2d %.6f\n", best);
    }
    if (!only || !strcmp(only, "plan1d")) {
        double best = INFINITY, best_cpu = INFINITY, cpu;
        for (int r = 0; r < repeats; r++) {
            best = fmin(best, plan1d(&cpu));
            best_cpu = fmin(best_cpu, cpu);
        }
        printf("plan1d %.6f %.6f\n", best, best_cpu);
    }
    return 0;
}
