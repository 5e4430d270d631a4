/* SPDX-License-Identifier: GPL-3.0-or-later */
/* `make convergence`: the finite-difference solver's convergence tables, grids n, 2n, 4n, 8n.
 * References: characteristics (smooth inviscid), Hopf-Lax over every characteristic root (after
 * kinks), the closed form of quad/quad2d, and the Cole-Hopf solver dr_heat (viscous). Errors are
 * the max norm and the mean absolute error (L1 / box volume) over the box; "order" is
 * log2(e(n) / e(2n)). The tests in tests/test_fd.c assert bands on a subset of these numbers. */
#include "deeprelax/deeprelax.h"
#include "deeprelax/fd.h"
#include "../tests/test_fd_reference.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define BENCH_NAME "convergence_fd"
#include "bench_common.h"

typedef double (*ref_fn_at)(const double *x, double t);

static void fd_field(const dr_landscape *f, const dr_grid *g, double beta, double t,
                     dr_fd_scheme scheme, int rk, double cfl, double *u, size_t *steps)
{
    dr_fd *s = NULL;
    dr_fd_options o = {.scheme = scheme, .rk_order = rk, .cfl = cfl};
    if (dr_fd_alloc(&s, f, g, beta, t, &o) || dr_fd_advance_to(s, t) || dr_fd_solution(s, u, NULL))
        die("fd");
    dr_fd_report r;
    dr_fd_stats(s, &r);
    *steps = r.steps;
    dr_fd_free(s);
}

static void heat_field(const dr_landscape *f, const dr_grid *g, double beta, double t, double *u)
{
    dr_heat_plan *p = NULL;
    if (dr_heat_plan_alloc(&p, f, g, beta, t, t, NULL) || dr_heat_execute(p, t, u, NULL, NULL))
        die("heat");
    dr_heat_plan_free(p);
}

static const ref_fn *ref1d;
static double at_smooth(const double *x, double t) { return ref_characteristic(ref1d, x[0], t, NULL); }
static double at_kinks(const double *x, double t) { return ref_hopf_lax(ref1d, x[0], t); }
static double quad_beta;
static int quad_dim;
static double at_quad(const double *x, double t) { return ref_quad(1.0, x, quad_dim, t, quad_beta); }
static double at_rotated(const double *x, double t)
{
    double s = (x[0] + x[1]) / sqrt(2), r = (x[0] - x[1]) / sqrt(2);
    return ref_characteristic(&REF_COS1D, s, t, NULL) + ref_characteristic(&REF_COS1D, r, t, NULL);
}

/* One row per grid: n, steps, max error, order, mean error, order. ref == NULL: dr_heat. */
static void table(const char *title, const dr_landscape *f, int dim, double lo, double hi,
                  size_t n0, int levels, double beta, double t, dr_fd_scheme scheme, int rk,
                  double cfl, ref_fn_at ref)
{
    printf("%s\n  %7s %7s %12s %6s %12s %6s\n", title, "n", "steps", "max err", "order",
           "mean err", "order");
    double pmax = 0, pmean = 0;
    for (int l = 0; l < levels; l++) {
        size_t n = (n0 << l) + 1;
        dr_grid g = square(dim, n, lo, hi);
        size_t size = dr_grid_size(&g), steps;
        double *u = malloc(size * sizeof(double)), *r = malloc(size * sizeof(double));
        fd_field(f, &g, beta, t, scheme, rk, cfl, u, &steps);
        if (!ref)
            heat_field(f, &g, beta, t, r);
        double emax = 0, emean = 0;
        for (size_t k = 0; k < size; k++) {
            double x[2] = {dr_grid_coord(&g, 0, k % g.n[0]),
                           dim == 2 ? dr_grid_coord(&g, 1, k / g.n[0]) : 0};
            double e = fabs(u[k] - (ref ? ref(x, t) : r[k]));
            emax = fmax(emax, e);
            emean += e / (double)size;
        }
        char dims[32];
        snprintf(dims, sizeof dims, dim == 2 ? "%zu^2" : "%zu", n);
        if (l == 0)
            printf("  %7s %7zu %12.3e %6s %12.3e %6s\n", dims, steps, emax, "", emean, "");
        else
            printf("  %7s %7zu %12.3e %6.2f %12.3e %6.2f\n", dims, steps, emax, log2(pmax / emax),
                   emean, log2(pmean / emean));
        pmax = emax;
        pmean = emean;
        free(u);
        free(r);
    }
    printf("\n");
}

/* Vanishing viscosity: max |u_beta - u_inf| by the exact solvers and by fd, n fixed. */
static void vanishing(const char *name, const dr_landscape *f, const ref_fn *F, double lo,
                      double hi, size_t n, double t, int smooth)
{
    printf("vanishing viscosity, %s, t = %g, n = %zu: max |u_beta - u_inf| over the box\n",
           name, t, n);
    printf("  %8s %16s %16s %12s\n", "beta", "heat - exact", "fd - exact", "ratio");
    dr_grid g = square(1, n, lo, hi);
    double *u = malloc(n * sizeof(double)), *v = malloc(n * sizeof(double));
    double *w = malloc(n * sizeof(double));
    for (size_t i = 0; i < n; i++) {
        double x = dr_grid_coord(&g, 0, i);
        w[i] = smooth ? ref_characteristic(F, x, t, NULL) : ref_hopf_lax(F, x, t);
    }
    const double betas[] = {1e2, 1e3, 1e4};
    for (int k = 0; k < 3; k++) {
        size_t steps;
        fd_field(f, &g, betas[k], t, DR_FD_WENO5, 3, 0.5, u, &steps);
        heat_field(f, &g, betas[k], t, v);
        double gh = 0, gf = 0;
        for (size_t i = 0; i < n; i++) {
            gh = fmax(gh, fabs(v[i] - w[i]));
            gf = fmax(gf, fabs(u[i] - w[i]));
        }
        printf("  %8g %16.4e %16.4e %12.4f\n", betas[k], gh, gf, gf / gh);
    }
    printf("\n");
    free(u);
    free(v);
    free(w);
}

int main(void)
{
    dr_landscape *cos1d = NULL, *paper = NULL, *quad = NULL, *quad2d = NULL, *rot = NULL;
    if (dr_landscape_alloc_builtin(&cos1d, "cos1d", NULL) ||
        dr_landscape_alloc_builtin(&paper, "paper1d", NULL) ||
        dr_landscape_alloc_builtin(&quad, "quad", NULL) ||
        dr_landscape_alloc_builtin(&quad2d, "quad2d", NULL) ||
        dr_landscape_alloc_expr(&rot, "-cos(3.14159265358979323846*(x+y)/sqrt(2)) - "
                                      "cos(3.14159265358979323846*(x-y)/sqrt(2))", 2))
        die("landscape");

    printf("== inviscid, smooth: cos1d = -cos(pi x) on [-1,1], t = 0.05 (first kink at 1/pi^2),\n"
           "   reference: characteristics (Newton)\n\n");
    ref1d = &REF_COS1D;
    table("upwind1 + RK1, cfl 0.5", cos1d, 1, -1, 1, 40, 4, INFINITY, 0.05, DR_FD_UPWIND1, 1, 0.5, at_smooth);
    table("eno2 + RK3, cfl 0.5", cos1d, 1, -1, 1, 40, 4, INFINITY, 0.05, DR_FD_ENO2, 3, 0.5, at_smooth);
    table("weno5 + RK3, cfl 0.5 (RK3's dt^3 ~ h^3 error dominates)", cos1d, 1, -1, 1, 40, 4,
          INFINITY, 0.05, DR_FD_WENO5, 3, 0.5, at_smooth);
    table("weno5 + RK3, cfl 0.1 (spatial error dominates)", cos1d, 1, -1, 1, 40, 4, INFINITY,
          0.05, DR_FD_WENO5, 3, 0.1, at_smooth);

    printf("== inviscid, after kinks: paper1d on [-3,3], t = 0.2 (first kink at t ~ 0.018),\n"
           "   reference: Hopf-Lax over all characteristic roots\n\n");
    ref1d = &REF_PAPER1D;
    table("upwind1 + RK1, cfl 0.5", paper, 1, -3, 3, 200, 4, INFINITY, 0.2, DR_FD_UPWIND1, 1, 0.5, at_kinks);
    table("eno2 + RK3, cfl 0.5", paper, 1, -3, 3, 200, 4, INFINITY, 0.2, DR_FD_ENO2, 3, 0.5, at_kinks);
    table("weno5 + RK3, cfl 0.5", paper, 1, -3, 3, 200, 4, INFINITY, 0.2, DR_FD_WENO5, 3, 0.5, at_kinks);

    printf("== viscous, against Cole-Hopf (dr_heat): weno5 + RK3, cfl 0.5, Strang-split exact heat\n\n");
    table("paper1d, beta = 10, t = 0.2", paper, 1, -3, 3, 100, 5, 10, 0.2, DR_FD_WENO5, 3, 0.5, NULL);
    table("paper1d, beta = 1, t = 0.2", paper, 1, -3, 3, 100, 5, 1, 0.2, DR_FD_WENO5, 3, 0.5, NULL);
    table("cos1d, beta = 10, t = 0.5 (after the inviscid kink time)", cos1d, 1, -1, 1, 40, 4, 10,
          0.5, DR_FD_WENO5, 3, 0.5, NULL);
    table("cos1d, beta = 1, t = 0.5", cos1d, 1, -1, 1, 40, 4, 1, 0.5, DR_FD_WENO5, 3, 0.5, NULL);

    printf("== 2-D, weno5 + RK3, cfl 0.5\n\n");
    quad_dim = 2;
    quad_beta = 10;
    table("quad2d on [-5,5]^2, beta = 10, t = 1: closed form (only time error: u stays quadratic)",
          quad2d, 2, -5, 5, 16, 3, 10, 1, DR_FD_WENO5, 3, 0.5, at_quad);
    quad_beta = INFINITY;
    table("quad2d on [-5,5]^2, inviscid, t = 1: closed form", quad2d, 2, -5, 5, 16, 3, INFINITY,
          1, DR_FD_WENO5, 3, 0.5, at_quad);
    table("rotated cos: -cos(pi (x+y)/sqrt2) - cos(pi (x-y)/sqrt2) on [-1,1]^2, inviscid,\n"
          "t = 0.05: characteristics along both diagonals", rot, 2, -1, 1, 32, 3, INFINITY, 0.05,
          DR_FD_WENO5, 3, 0.5, at_rotated);
    table("rotated cos, beta = 10, t = 0.05: against the 2-D Cole-Hopf solver", rot, 2, -1, 1, 32,
          3, 10, 0.05, DR_FD_WENO5, 3, 0.5, NULL);

    printf("== vanishing viscosity (weno5 + RK3): fd reproduces the gap the exact solvers show\n\n");
    vanishing("cos1d (smooth)", cos1d, &REF_COS1D, -1, 1, 161, 0.05, 1);
    vanishing("paper1d (kinks)", paper, &REF_PAPER1D, -3, 3, 801, 0.2, 0);

    dr_landscape_free(cos1d);
    dr_landscape_free(paper);
    dr_landscape_free(quad);
    dr_landscape_free(quad2d);
    dr_landscape_free(rot);
    return 0;
}
