/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the exact engine's fallback on the coarse sub-grid (heat_coarse.c): at output grids
 * much finer than the Gibbs width, auto recomputes the values its FFT estimate rejects on a
 * sub-grid of the y-grid; those values must agree with an independent brute-force quadrature
 * (every term, log domain, its own y-grid) and with the closed form, to the 1e-10 auto promises,
 * through the tabulated path and the exp-per-tap path (largest term below e^-600 of the line's
 * largest weight, beta = 1000). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "deeprelax/deeprelax.h"
#include "test_common.h"

static double *solve(const dr_landscape *f, const dr_grid *g, double beta, double t,
                     double *grad, dr_heat_report *rep)
{
    dr_heat_plan *p = NULL;
    if (dr_heat_plan_alloc(&p, f, g, beta, t, t, NULL)) fail_msg("plan: %s", dr_error_message());
    double *u = malloc(dr_grid_size(g) * sizeof *u);
    if (dr_heat_execute(p, t, u, grad, rep)) fail_msg("execute: %s", dr_error_message());
    dr_heat_plan_free(p);
    return u;
}

/* Brute force, independent of the solver: the trapezoid rule on a y-grid of spacing hy over
 * [lo, hi]^dim (not aligned with the solver's), every term, in the log domain:
 * u = -(1/beta) log sum_k hy^d G_s(x - y_k) exp(-beta f(y_k)). */
static double brute_force_u(const dr_landscape *f, int dim, const double *x, double beta,
                            double t, double lo, double hi, double hy)
{
    double s = t / beta, best = -INFINITY, sum = 0.0;
    size_t m = (size_t)ceil((hi - lo) / hy) + 1, m1 = dim == 2 ? m : 1;
    /* two sweeps: the largest exponent, then the sum relative to it */
    for (int sweep = 0; sweep < 2; sweep++)
        for (size_t j = 0; j < m1; j++)
            for (size_t i = 0; i < m; i++) {
                double y[2] = {lo + (double)i * hy, lo + (double)j * hy}, d2 = 0.0;
                for (int a = 0; a < dim; a++) d2 += (x[a] - y[a]) * (x[a] - y[a]);
                double e = -beta * dr_landscape_value(f, y) - d2 / (2 * s);
                if (sweep == 0) best = fmax(best, e);
                else sum += exp(e - best);
            }
    return -(best + log(sum) + dim * log(hy / sqrt(2 * M_PI * s))) / beta;
}

/* 1-D quad, n = 1e5 on [-4,4], t = 1: sigma/h = 1.2e4 (beta 10) to 1.2e3 (beta 1000), so the
 * fine-grid window would scan ~1e4 taps a value; the sub-grid needs a few tens. Every value
 * against the closed form u = x^2/4 + log(2)/(2 beta), grad = x/2; every 11th against the brute
 * force (hy = 0.3 sqrt(s/2), the Gibbs width's 0.3; reach 6 covers every term: f grows). */
static void quad_1d_1e5(void **state)
{
    (void)state;
    dr_landscape *f = builtin("quad");
    size_t n = 100000;
    double lo = -4, hi = 4, t = 1;
    dr_grid g;
    assert_int_equal(dr_grid_init(&g, 1, &n, &lo, &hi), DR_SUCCESS);
    const double betas[] = {10, 100, 1000};
    double *grad = malloc(n * sizeof *grad);
    for (int b = 0; b < 3; b++) {
        double beta = betas[b], s = t / beta;
        dr_heat_report rep;
        double *u = solve(f, &g, beta, t, grad, &rep);
        double e_closed = 0, e_grad = 0, e_brute = 0;
        for (size_t i = 0; i < n; i++) {
            double x = dr_grid_coord(&g, 0, i);
            e_closed = fmax(e_closed, fabs(u[i] - (x * x / 4 + log(2.0) / (2 * beta))));
            e_grad = fmax(e_grad, fabs(grad[i] - x / 2));
            if (i % 11 == 0 || i == n - 1)
                e_brute = fmax(e_brute, fabs(u[i] - brute_force_u(f, 1, &x, beta, t, -6, 6,
                                                                 0.3 * sqrt(s / 2))));
        }
        double taps = (double)rep.log_taps / (double)rep.log_points;
        print_message("quad 1-D n = 1e5, beta = %g: %zu values recomputed, %.0f taps each; "
                      "|u - closed form| %.2g, |u - brute force| %.2g, |grad error| %.2g, "
                      "est. %.2g\n", beta, rep.log_points, taps, e_closed, e_brute, e_grad,
                      rep.est_error);
        /* the fallback ran, and on the sub-grid: the fine-grid window scans at least
         * +-sqrt(2 CUT s)/h = 19 sqrt(s)/h taps; the sub-grid fewer than sqrt(s)/h */
        assert_true(rep.log_points > n / 4);
        assert_true(taps < sqrt(s) / g.h[0]);
        assert_true(e_closed <= 1e-10);
        assert_true(e_brute <= 1e-10);
        /* auto's offset tolerance 1e3 tol t = 1e-7 */
        assert_true(e_grad <= 1e-7);
        free(u);
    }
    free(grad);
    dr_landscape_free(f);
}

/* paper1d (wells, not a quadratic), n = 1e5 on [-3,3], beta = 10, t = 0.5, every 13th value
 * against the brute force (hy = 0.3 of the narrowest Gibbs width, C = 2 + 1.5 (2 pi)^2 its
 * curvature bound; f >= x^2 - 1.5 makes reach 8 enough). */
static void paper1d_1e5(void **state)
{
    (void)state;
    dr_landscape *f = builtin("paper1d");
    size_t n = 100000;
    double lo = -3, hi = 3, t = 0.5, beta = 10, s = t / beta, C = 2 + 1.5 * 4 * M_PI * M_PI;
    dr_grid g;
    assert_int_equal(dr_grid_init(&g, 1, &n, &lo, &hi), DR_SUCCESS);
    dr_heat_report rep;
    double *u = solve(f, &g, beta, t, NULL, &rep);
    double err = 0, hy = 0.3 * sqrt(s / (1 + t * C));
    for (size_t i = 0; i < n; i += 13) {
        double x = dr_grid_coord(&g, 0, i);
        err = fmax(err, fabs(u[i] - brute_force_u(f, 1, &x, beta, t, -8, 8, hy)));
    }
    print_message("paper1d n = 1e5, beta = 10: %zu values recomputed; |u - brute force| %.2g\n",
                  rep.log_points, err);
    assert_true(rep.log_points > 0);
    assert_true(err <= 1e-10);
    free(u);
    dr_landscape_free(f);
}

/* The double well (x^2 - 1)^2 (two minima, curvature growing as 12 x^2 beyond the box),
 * n = 1e5 on [-2,2], beta = 100, t = 1: every 13th value against the brute force (hy = 0.3 of
 * the narrowest Gibbs width with C = 12 3^2 over [-3,3]; f >= 9 beyond |y| = 2.3, so reach 3
 * leaves out terms below e^-500 of the box's). */
static void double_well_1e5(void **state)
{
    (void)state;
    dr_landscape *f = builtin("double-well");
    size_t n = 100000;
    double lo = -2, hi = 2, t = 1, beta = 100, s = t / beta, C = 12 * 9;
    dr_grid g;
    assert_int_equal(dr_grid_init(&g, 1, &n, &lo, &hi), DR_SUCCESS);
    dr_heat_report rep;
    double *u = solve(f, &g, beta, t, NULL, &rep);
    double err = 0, hy = 0.3 * sqrt(s / (1 + t * C));
    for (size_t i = 0; i < n; i += 13) {
        double x = dr_grid_coord(&g, 0, i);
        err = fmax(err, fabs(u[i] - brute_force_u(f, 1, &x, beta, t, -3, 3, hy)));
    }
    print_message("double well n = 1e5, beta = 100: %zu values recomputed; |u - brute force| "
                  "%.2g\n", rep.log_points, err);
    assert_true(rep.log_points > 0);
    assert_true(err <= 1e-10);
    free(u);
    dr_landscape_free(f);
}

/* 2-D quad2d 256^2 on [-4,4]^2, beta = 100, t = 1: most values are recomputed, in both passes.
 * Every value against u = |x|^2/4 + log(2)/beta, grad = x/2; a 16 x 16 subset against the
 * brute force (hy = 0.3 sqrt(s/2); beyond |y| = 5.5 every term is below e^-1000 of the box's). */
static void quad2d_256_beta100(void **state)
{
    (void)state;
    dr_landscape *f = builtin("quad2d");
    size_t nn[2] = {256, 256};
    double lo[2] = {-4, -4}, hi[2] = {4, 4}, beta = 100, t = 1, s = t / beta;
    dr_grid g;
    assert_int_equal(dr_grid_init(&g, 2, nn, lo, hi), DR_SUCCESS);
    size_t size = dr_grid_size(&g);
    double *grad = malloc(2 * size * sizeof *grad);
    dr_heat_report rep;
    double *u = solve(f, &g, beta, t, grad, &rep);
    double e_closed = 0, e_grad = 0, e_brute = 0;
    for (size_t j = 0; j < nn[1]; j++)
        for (size_t i = 0; i < nn[0]; i++) {
            double x[2] = {dr_grid_coord(&g, 0, i), dr_grid_coord(&g, 1, j)};
            size_t k = j * nn[0] + i;
            double exact = (x[0] * x[0] + x[1] * x[1]) / 4 + log(2.0) / beta;
            e_closed = fmax(e_closed, fabs(u[k] - exact));
            e_grad = fmax(e_grad, fmax(fabs(grad[k] - x[0] / 2), fabs(grad[size + k] - x[1] / 2)));
            if (i % 17 == 0 && j % 17 == 0)
                e_brute = fmax(e_brute, fabs(u[k] - brute_force_u(f, 2, x, beta, t, -5.5, 5.5,
                                                                 0.3 * sqrt(s / 2))));
        }
    print_message("quad2d 256^2, beta = 100: %zu values recomputed (both passes); |u - closed "
                  "form| %.2g, |u - brute force| %.2g, |grad error| %.2g, est. %.2g\n",
                  rep.log_points, e_closed, e_brute, e_grad, rep.est_error);
    assert_true(rep.log_points > size / 2);
    assert_true(e_closed <= 1e-10);
    assert_true(e_brute <= 1e-10);
    assert_true(e_grad <= 1e-7);
    free(u);
    free(grad);
    dr_landscape_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quad_1d_1e5),
        cmocka_unit_test(paper1d_1e5),
        cmocka_unit_test(double_well_1e5),
        cmocka_unit_test(quad2d_256_beta100),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
