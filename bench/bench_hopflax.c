/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Benchmark of the Hopf-Lax solver: ns per output point of one execution on 512^2, 1024^2 and
 * 2048^2 (linearity; the target is <= 20 ns/point at 2048^2), the cost of the proximal point and
 * gradient outputs and of a refined y-grid, and the ratio against an O(n ny) brute-force
 * minimisation over the same y-grid at sizes where that still runs (1-D n = 4096, 2-D 128^2),
 * with the two results' largest difference printed beside the times; and the cost of the default
 * polish (every candidate well refined below the grid) against the envelope alone on quad2d and
 * on an expression landscape at 1024^2, on 1 and 2 threads. Wall-clock seconds. */
#include "deeprelax/error.h"
#include "deeprelax/hopflax.h"
#include "deeprelax/landscape.h"

#include <math.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_NAME "bench_hopflax"
#define BENCH_CLOCK CLOCK_MONOTONIC
#include "bench_common.h"

/* Best of `reps` executions, seconds. */
static double time_execute(dr_hopflax_plan *p, double t, double *u, double *prox, double *grad,
                           int reps)
{
    double best = INFINITY;
    for (int r = 0; r < reps; r++) {
        const double t0 = now();
        if (dr_hopflax_execute(p, t, u, prox, grad))
            die("execute");
        const double dt = now() - t0;
        if (dt < best) best = dt;
    }
    return best;
}

/* Direct scan over the plan's y-grid: for each output point, every y-grid point. */
static double brute(const dr_landscape *f, const dr_grid *g, const dr_hopflax_info *in, double t,
                    double *u)
{
    const size_t nyt = in->ny[0] * in->ny[1];
    double *fy = malloc(nyt * sizeof *fy), *yc[2];
    yc[0] = malloc(in->ny[0] * sizeof(double));
    yc[1] = malloc(in->ny[1] * sizeof(double));
    if (!fy || !yc[0] || !yc[1])
        die("brute-force allocation");
    for (int a = 0; a < 2; a++)
        for (size_t k = 0; k < in->ny[a]; k++)
            yc[a][k] = in->y0[a] + (double)k * in->hy[a];
    for (size_t j = 0; j < in->ny[1]; j++)
        for (size_t i = 0; i < in->ny[0]; i++)
            fy[j * in->ny[0] + i] = dr_landscape_value(f, (double[2]){ yc[0][i], yc[1][j] });
    const double inv2t = 0.5 / t;
    const double t0 = now();
    for (size_t jx = 0; jx < g->n[1]; jx++) {
        const double x1 = g->dim == 2 ? dr_grid_coord(g, 1, jx) : 0.0;
        for (size_t ix = 0; ix < g->n[0]; ix++) {
            const double x0 = dr_grid_coord(g, 0, ix);
            double best = INFINITY;
            for (size_t j = 0; j < in->ny[1]; j++) {
                const double d1 = x1 - yc[1][j], q1 = d1 * d1 * inv2t;
                const double *row = fy + j * in->ny[0];
                for (size_t i = 0; i < in->ny[0]; i++) {
                    const double d0 = x0 - yc[0][i];
                    const double v = row[i] + d0 * d0 * inv2t + q1;
                    if (v < best) best = v;
                }
            }
            u[jx * g->n[0] + ix] = best;
        }
    }
    const double dt = now() - t0;
    free(fy); free(yc[0]); free(yc[1]);
    return dt;
}

static void linearity(void)
{
    printf("Hopf-Lax 2-D, quad2d on [-4,4]^2, t = t_max = 1, refine 1 (best of 5 executions)\n");
    printf("%6s %12s %12s %12s %14s %14s %12s\n", "n", "y-grid", "plan ms", "exec ms",
           "ns/point u", "ns/pt u+prox+grad", "vs 512^2");
    dr_landscape *f = builtin("quad2d");
    double base = 0;
    const size_t ns[3] = { 512, 1024, 2048 };
    for (int s = 0; s < 3; s++) {
        const size_t n = ns[s], N = n * n;
        dr_grid g = square(2, n, -4, 4);
        dr_hopflax_plan *p = NULL;
        const double t0 = now();
        if (dr_hopflax_plan_alloc(&p, f, &g, 1.0, NULL))
            die("plan");
        const double plan_s = now() - t0;
        dr_hopflax_info in;
        dr_hopflax_plan_info(p, &in);
        double *u = malloc(N * sizeof *u), *prox = malloc(2 * N * sizeof *prox);
        double *grad = malloc(2 * N * sizeof *grad);
        if (!u || !prox || !grad)
            die("allocation");
        const double tu = time_execute(p, 1.0, u, NULL, NULL, 5);
        const double tall = time_execute(p, 1.0, u, prox, grad, 5);
        const double nsu = 1e9 * tu / (double)N;
        if (s == 0) base = nsu;
        char yg[32];
        snprintf(yg, sizeof yg, "%zux%zu", in.ny[0], in.ny[1]);
        printf("%6zu %12s %12.1f %12.2f %14.2f %14.2f %11.2fx\n", n, yg, 1e3 * plan_s, 1e3 * tu,
               nsu, 1e9 * tall / (double)N, nsu / base);
        if (n == 2048)
            printf("  2048^2: %.2f ns/point (target <= 20): %s\n", nsu,
                   nsu <= 20 ? "met" : "NOT met");
        free(u); free(prox); free(grad);
        dr_hopflax_plan_free(p);
    }
    dr_landscape_free(f);
}

static void refine_cost(void)
{
    printf("\nRefined y-grid, rastrigin 512^2, t = 0.5 (execution only)\n");
    printf("%8s %14s %12s %12s\n", "refine", "y-grid", "exec ms", "ns/point");
    dr_landscape *f = builtin("rastrigin");
    dr_grid g = square(2, 512, -5.12, 5.12);
    double *u = malloc(512 * 512 * sizeof *u);
    for (int r = 1; r <= 4; r *= 2) {
        dr_hopflax_plan *p = NULL;
        const dr_hopflax_options opt = { .refine = r };
        if (dr_hopflax_plan_alloc(&p, f, &g, 0.5, &opt))
            die("plan");
        dr_hopflax_info in;
        dr_hopflax_plan_info(p, &in);
        const double dt = time_execute(p, 0.5, u, NULL, NULL, 3);
        char yg[32];
        snprintf(yg, sizeof yg, "%zux%zu", in.ny[0], in.ny[1]);
        printf("%8d %14s %12.1f %12.2f\n", r, yg, 1e3 * dt, 1e9 * dt / (512.0 * 512.0));
        dr_hopflax_plan_free(p);
    }
    free(u);
    dr_landscape_free(f);
}

static void versus_brute(const char *name, int dim, size_t n, double lo, double hi, double t)
{
    dr_landscape *f = builtin(name);
    dr_grid g = square(dim, n, lo, hi);
    const size_t N = dr_grid_size(&g);
    dr_hopflax_plan *p = NULL;
    if (dr_hopflax_plan_alloc(&p, f, &g, t, NULL))
        die("plan");
    dr_hopflax_info in;
    dr_hopflax_plan_info(p, &in);
    double *u = malloc(N * sizeof *u), *ub = malloc(N * sizeof *ub);
    const double te = time_execute(p, t, u, NULL, NULL, 20);
    const double tb = brute(f, &g, &in, t, ub);
    double diff = 0;
    for (size_t k = 0; k < N; k++)
        if (fabs(u[k] - ub[k]) > diff) diff = fabs(u[k] - ub[k]);
    char sz[32], yg[32];
    snprintf(sz, sizeof sz, dim == 1 ? "%zu" : "%zu^2", n);
    snprintf(yg, sizeof yg, dim == 1 ? "%zu" : "%zux%zu", in.ny[0], in.ny[1]);
    printf("%-11s %2dD %8s %12s %12.3f %12.1f %10.0fx %12.1e\n", name, dim, sz, yg, 1e3 * te,
           1e3 * tb, tb / te, diff);
    free(u); free(ub);
    dr_hopflax_plan_free(p);
    dr_landscape_free(f);
}

/* Envelope alone against the polished default, round robin (best of 3 each), side by side. */
static void polish_case(const char *label, dr_landscape *f, int threads)
{
    dr_grid g = square(2, 1024, -4, 4);
    const size_t N = dr_grid_size(&g);
    dr_hopflax_plan *pe = NULL, *pp = NULL;
    const dr_hopflax_options oe = { .refine = 1, .polish = 0, .threads = threads };
    const dr_hopflax_options op = { .refine = 1, .polish = 1, .threads = threads };
    if (dr_hopflax_plan_alloc(&pe, f, &g, 1.0, &oe) || dr_hopflax_plan_alloc(&pp, f, &g, 1.0, &op))
        die("plan");
    double *u = malloc(N * sizeof *u), *prox = malloc(2 * N * sizeof *prox);
    if (!u || !prox)
        die("allocation");
    double te = INFINITY, tp = INFINITY;
    for (int r = 0; r < 3; r++) {
        te = fmin(te, time_execute(pe, 1.0, u, prox, NULL, 1));
        tp = fmin(tp, time_execute(pp, 1.0, u, prox, NULL, 1));
    }
    printf("%-28s %7d %12.1f %12.1f %9.2fx %s\n", label, threads, 1e3 * te, 1e3 * tp, tp / te,
           tp / te <= 3.0 ? "(goal <= 3x: met)" : "(goal <= 3x: NOT met)");
    free(u); free(prox);
    dr_hopflax_plan_free(pe);
    dr_hopflax_plan_free(pp);
}

static void polish_cost(void)
{
    printf("\nPolish cost, 1024^2 on [-4,4]^2, t = 1, u + prox (wall-clock, best of 3, round robin)\n");
    printf("%-28s %7s %12s %12s %10s\n", "landscape", "threads", "envelope ms", "polished ms",
           "ratio");
    dr_landscape *quad = builtin("quad2d"), *ex = NULL;
    if (dr_landscape_alloc_expr(&ex, "(x^2+y^2)/2 + 0.3*sin(3*x)*cos(2*y)", 2))
        die("expression");
    for (int threads = 1; threads <= 2; threads++) {
        polish_case("quad2d", quad, threads);
        polish_case("expr (x^2+y^2)/2+0.3 sin cos", ex, threads);
    }
    dr_landscape_free(quad);
    dr_landscape_free(ex);
}

int main(int argc, char **argv)
{
    steal_share();
    if (argc > 1 && !strcmp(argv[1], "polish")) {  /* the polish section alone */
        polish_cost();
        steal_line();
        return 0;
    }
    linearity();
    refine_cost();
    printf("\nEnvelope vs O(n ny) brute force over the same y-grid (both single-threaded)\n");
    printf("%-11s %3s %8s %12s %12s %12s %11s %12s\n", "landscape", "dim", "n", "y-grid",
           "envelope ms", "brute ms", "ratio", "max |diff|");
    versus_brute("paper1d", 1, 4096, -3, 3, 1.0);
    versus_brute("quad2d", 2, 128, -4, 4, 1.0);
    versus_brute("rastrigin", 2, 128, -5.12, 5.12, 0.5);
    polish_cost();
    steal_line();
    return 0;
}
