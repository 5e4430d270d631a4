/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Benchmark of the finite-difference HJ solver (solver/fd):
 *   1. ns per grid-point update per Runge-Kutta stage for WENO5 (inviscid, and viscous with the
 *      sine-transform heat sub-steps), 1-D and 2-D, margin points included in the count;
 *   2. the time to reach max error 1e-4 on paper1d (beta = 10, t = 0.2) against the Cole-Hopf
 *      solver's time for the same grid (which it solves to 1e-9);
 *   3. the authors' explicit scheme (forward Euler, first-order upwind Godunov Hamiltonian,
 *      centred Laplacian, dt = 0.5 min(dx^2 / max f, 0.5 dx^2 beta, 1e-3)) on paper1d at the same
 *      n as ours: error against Cole-Hopf and time, side by side. It runs on the same box and
 *      margin as ours, so the difference is the scheme, not the boundary. */
#include "deeprelax/deeprelax.h"
#include "deeprelax/fd.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define BENCH_NAME "bench_fd"
#define BENCH_CLOCK CLOCK_PROCESS_CPUTIME_ID
#include "bench_common.h"

static void stage_rate(const char *label, const dr_landscape *f, const dr_grid *g, double beta,
                       double t)
{
    dr_fd *s = NULL;
    if (dr_fd_alloc(&s, f, g, beta, t, NULL))
        die("fd alloc");
    double t0 = now();
    if (dr_fd_advance_to(s, t))
        die("fd advance");
    double sec = now() - t0;
    dr_fd_report r;
    dr_fd_stats(s, &r);
    double points = (double)r.points[0] * (double)(r.points[1] ? r.points[1] : 1);
    double updates = points * (double)r.rhs_evals;
    printf("  %-34s %9.0f points x %6zu stages  %7.3f s  %6.1f ns/point-stage  %6.1f M/s\n",
           label, points, r.rhs_evals, sec, 1e9 * sec / updates, updates / sec / 1e6);
    dr_fd_free(s);
}

static double max_diff(const double *a, const double *b, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        m = fmax(m, fabs(a[i] - b[i]));
    return m;
}

/* Cole-Hopf on grid g at t: returns seconds (plan and execution). */
static double heat_solve(const dr_landscape *f, const dr_grid *g, double beta, double t, double *u)
{
    double t0 = now();
    dr_heat_plan *p = NULL;
    if (dr_heat_plan_alloc(&p, f, g, beta, t, t, NULL) || dr_heat_execute(p, t, u, NULL, NULL))
        die("heat");
    dr_heat_plan_free(p);
    return now() - t0;
}

static double fd_solve(const dr_landscape *f, const dr_grid *g, double beta, double t, double *u,
                       size_t *steps, double *margin)
{
    double t0 = now();
    dr_fd *s = NULL;
    if (dr_fd_alloc(&s, f, g, beta, t, NULL) || dr_fd_advance_to(s, t) ||
        dr_fd_solution(s, u, NULL))
        die("fd");
    double sec = now() - t0;
    dr_fd_report r;
    dr_fd_stats(s, &r);
    if (steps) *steps = r.steps;
    if (margin) *margin = r.margin[0];
    dr_fd_free(s);
    return sec;
}

/* The authors' explicit scheme on the box widened by `margin` (u[] on the box out). */
static double explicit_solve(const dr_landscape *f, const dr_grid *g, double beta, double t,
                             double margin, double *out, size_t *steps)
{
    double t0 = now();
    double h = g->h[0];
    size_t off = (size_t)llround(margin / h), n = g->n[0] + 2 * off;
    dr_grid e = square(1, n, g->lo[0] - (double)off * h, g->hi[0] + (double)off * h);
    double *u = malloc(n * sizeof(double)), *v = malloc(n * sizeof(double));
    dr_landscape_sample(f, &e, u);
    double fmax_box = 0;
    for (size_t i = off; i < off + g->n[0]; i++)
        fmax_box = fmax(fmax_box, fabs(u[i]));
    double dt = 0.5 * fmin(fmin(h * h / fmax_box, 0.5 * h * h * beta), 1e-3);
    double nu = 0.5 / beta, tt = 0;
    size_t k = 0;
    while (tt < t) {
        double step = fmin(dt, t - tt);
        for (size_t i = 1; i + 1 < n; i++) {
            double pm = (u[i] - u[i - 1]) / h, pp = (u[i + 1] - u[i]) / h;
            double a = pm > 0 ? pm : 0, b = pp < 0 ? pp : 0;
            double ham = 0.5 * fmax(a * a, b * b);
            v[i] = u[i] + step * (-ham + nu * (u[i + 1] - 2 * u[i] + u[i - 1]) / (h * h));
        }
        v[0] = 2 * v[1] - v[2];
        v[n - 1] = 2 * v[n - 2] - v[n - 3];
        double *w = u; u = v; v = w;
        tt += step;
        k++;
    }
    for (size_t i = 0; i < g->n[0]; i++)
        out[i] = u[off + i];
    free(u);
    free(v);
    *steps = k;
    return now() - t0;
}

int main(void)
{
    dr_landscape *paper = NULL, *quad2d = NULL, *rot = NULL;
    if (dr_landscape_alloc_builtin(&paper, "paper1d", NULL) ||
        dr_landscape_alloc_builtin(&quad2d, "quad2d", NULL) ||
        dr_landscape_alloc_expr(&rot, "-cos(3.14159265358979*(x+y)/sqrt(2)) - "
                                      "cos(3.14159265358979*(x-y)/sqrt(2))", 2))
        die("landscape");

    printf("WENO5 + RK3, cost per grid-point update per Runge-Kutta stage (one core):\n");
    dr_grid g1 = square(1, 4001, -3, 3), g2 = square(2, 257, -1, 1);
    stage_rate("1-D paper1d n=4001 inviscid", paper, &g1, INFINITY, 0.05);
    stage_rate("1-D paper1d n=4001 beta=10", paper, &g1, 10, 0.05);
    stage_rate("2-D rotated cos 257^2 inviscid", rot, &g2, INFINITY, 0.05);
    stage_rate("2-D rotated cos 257^2 beta=10", rot, &g2, 10, 0.05);

    printf("\npaper1d, beta = 10, t = 0.2: time to max error <= 1e-4 against Cole-Hopf\n");
    printf("  %6s %11s %11s %8s %11s %9s\n", "n", "fd error", "fd s", "steps", "heat s",
           "fd/heat");
    for (size_t n = 101; n <= 3201; n = 2 * n - 1) {
        dr_grid g = square(1, n, -3, 3);
        double *u = malloc(n * sizeof(double)), *ref = malloc(n * sizeof(double));
        double th = heat_solve(paper, &g, 10, 0.2, ref);
        size_t steps;
        double tf = fd_solve(paper, &g, 10, 0.2, u, &steps, NULL);
        double err = max_diff(u, ref, n);
        printf("  %6zu %11.3e %11.4f %8zu %11.4f %9.1f%s\n", n, err, tf, steps, th, tf / th,
               err <= 1e-4 ? "   <- first n reaching 1e-4" : "");
        free(u);
        free(ref);
        if (err <= 1e-4)
            break;
    }

    printf("\npaper1d, beta = 10, t = 0.2: the authors' explicit scheme vs fd (WENO5+RK3) at equal n\n");
    printf("  %6s %13s %9s %9s %13s %9s %7s\n", "n", "explicit err", "s", "steps", "fd err", "s",
           "steps");
    for (size_t n = 201; n <= 801; n = 2 * n - 1) {
        dr_grid g = square(1, n, -3, 3);
        double *u = malloc(n * sizeof(double)), *w = malloc(n * sizeof(double)),
               *ref = malloc(n * sizeof(double));
        heat_solve(paper, &g, 10, 0.2, ref);
        size_t sf, se;
        double margin;
        double tf = fd_solve(paper, &g, 10, 0.2, u, &sf, &margin);
        double te = explicit_solve(paper, &g, 10, 0.2, margin, w, &se);
        printf("  %6zu %13.3e %9.4f %9zu %13.3e %9.4f %7zu\n", n, max_diff(w, ref, n), te, se,
               max_diff(u, ref, n), tf, sf);
        free(u);
        free(w);
        free(ref);
    }
    dr_landscape_free(paper);
    dr_landscape_free(quad2d);
    dr_landscape_free(rot);
    return 0;
}
