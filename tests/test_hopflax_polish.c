/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the Hopf-Lax polish step: Newton refinement of the grid minimiser makes the inviscid
 * closed forms hold to round-off (the grid minimum alone is O(h^2) off). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>

#include "deeprelax/deeprelax.h"
#include "../solver/hopflax_internal.h"
#include "../solver/landscape_impl.h"

static double *hopflax(const char *name, const dr_grid *g, double t, int refine, int polish,
                       double **grad)
{
    dr_landscape *f = NULL;
    assert_int_equal(dr_landscape_alloc_builtin(&f, name, NULL), DR_SUCCESS);
    dr_hopflax_plan *p = NULL;
    dr_hopflax_options opt = {.refine = refine, .polish = polish};
    assert_int_equal(dr_hopflax_plan_alloc(&p, f, g, t, &opt), DR_SUCCESS);
    size_t size = dr_grid_size(g);
    double *u = malloc(size * sizeof *u);
    *grad = malloc((size_t)g->dim * size * sizeof **grad);
    assert_int_equal(dr_hopflax_execute(p, t, u, NULL, *grad), DR_SUCCESS);
    dr_hopflax_plan_free(p);
    dr_landscape_free(f);
    return u;
}

/* f = |x|^2/2: u = |x|^2/(2(1+t)), y* = x/(1+t), grad u = x/(1+t) (1e-9 on the inner half, the
 * solver's accuracy claim away from the box edge, in 1-D on 2001 points and in 2-D on 513^2). */
static void quad_closed_form(void **state)
{
    (void)state;
    for (int dim = 1; dim <= 2; dim++) {
        dr_grid g;
        size_t n[2] = {dim == 1 ? 2001 : 513, 513};
        double lo[2] = {-5, -5}, hi[2] = {5, 5}, t = 1, *grad;
        dr_grid_init(&g, dim, n, lo, hi);
        double *u = hopflax(dim == 1 ? "quad" : "quad2d", &g, t, 1, 1, &grad);
        size_t size = dr_grid_size(&g);
        double err = 0, gerr = 0;
        for (size_t k = 0; k < size; k++) {
            double x = dr_grid_coord(&g, 0, k % g.n[0]);
            double y = dim == 2 ? dr_grid_coord(&g, 1, k / g.n[0]) : 0;
            if (fabs(x) > 2.5 || fabs(y) > 2.5) continue;
            err = fmax(err, fabs(u[k] - (x * x + y * y) / (2 * (1 + t))));
            gerr = fmax(gerr, fabs(grad[k] - x / (1 + t)));
            if (dim == 2) gerr = fmax(gerr, fabs(grad[size + k] - y / (1 + t)));
        }
        print_message("quad %d-D polished: max |u - exact| = %.3g, grad %.3g\n", dim, err, gerr);
        assert_true(err <= 1e-9);
        assert_true(gerr <= 1e-9);
        free(u); free(grad);
    }
}

/* abs: x^2/(2t) for |x| <= t (minimiser at the kink 0, which Newton must not leave) and
 * |x| - t/2 beyond. */
static void abs_closed_form(void **state)
{
    (void)state;
    dr_grid g;
    size_t n = 1001;
    double lo = -3, hi = 3, t = 0.7, *grad;
    dr_grid_init(&g, 1, &n, &lo, &hi);
    double *u = hopflax("abs", &g, t, 1, 1, &grad);
    double err = 0;
    for (size_t i = 0; i < n; i++) {
        double x = dr_grid_coord(&g, 0, i);
        double exact = fabs(x) <= t ? x * x / (2 * t) : fabs(x) - t / 2;
        err = fmax(err, fabs(u[i] - exact));
    }
    print_message("abs polished: max error %.3g\n", err);
    /* Both sides are a few flops on numbers below 3: round-off ~1e-15; 1e-12 leaves room for the
     * last Newton step's rounding, and is 1e6 below the grid minimum's O(h^2) error. */
    assert_true(err <= 1e-12);
    free(u); free(grad);
}

/* paper1d: the polished value can only be lower than the grid minimum (it minimises over more
 * points), and not lower than the true minimum, which a 64x finer grid brackets from above to
 * within (C + 1/t) (h/64)^2 / 8. */
static void paper1d_bracketed(void **state)
{
    (void)state;
    dr_grid g;
    size_t n = 601;
    double lo = -3, hi = 3, t = 0.2, *g1, *g2, *g3;
    dr_grid_init(&g, 1, &n, &lo, &hi);
    double *coarse = hopflax("paper1d", &g, t, 1, 0, &g1);
    double *fine = hopflax("paper1d", &g, t, 64, 0, &g2);
    double *pol = hopflax("paper1d", &g, t, 1, 1, &g3);
    double C = 2 + 1.5 * 4 * M_PI * M_PI, slack = (C + 1 / t) * pow(g.h[0] / 64, 2) / 8;
    double worst = 0;
    /* 1e-15 and 1e-13: the round-off of re-evaluating f + d^2/(2t) on values below 10 (a few
     * ulps, 2e-15 each), with the second allowing for the 64x grid's own evaluation. */
    for (size_t i = 0; i < n; i++) {
        assert_true(pol[i] <= coarse[i] + 1e-15);
        assert_true(pol[i] >= fine[i] - slack - 1e-13);
        worst = fmax(worst, fabs(pol[i] - fine[i]));
    }
    print_message("paper1d: max |polished - 64x refined| = %.3g (refined is within %.3g)\n",
                  worst, slack);
    /* Both lie within `slack` of the true minimum, so of each other within 2 slack. */
    assert_true(worst <= 2 * slack + 1e-12);
    free(coarse); free(fine); free(pol); free(g1); free(g2); free(g3);
}

/* The proximal point to round-off where a value-based search cannot locate it: where the grid
 * point is itself the minimiser (quad: y* = x/(1+t) is a grid point for every third x when t =
 * 0.5 and h = 0.05), and at the ends of soft thresholding's dead zone (abs at x = +-t, where phi
 * is flat to first order on one side of the kink). phi rises there only as dy^2, so a search by
 * values stops sqrt(eps) ~ 1e-8 away; Newton (smooth) and the declared kink (abs) do not. The
 * report's bound must be the round-off of the winners, not the sub-grid bracket. */
static void prox_to_round_off(void **state)
{
    (void)state;
    const char *name[2] = {"quad", "abs"};
    for (int c = 0; c < 2; c++) {
        dr_grid g;
        size_t n = c ? 601 : 201;
        double lo = c ? -3 : -5, hi = -lo, t = 0.5;
        dr_grid_init(&g, 1, &n, &lo, &hi);
        dr_landscape *f = NULL;
        assert_int_equal(dr_landscape_alloc_builtin(&f, name[c], NULL), DR_SUCCESS);
        dr_hopflax_plan *p = NULL;
        dr_hopflax_options opt = {.refine = 1, .polish = 1};
        assert_int_equal(dr_hopflax_plan_alloc(&p, f, &g, t, &opt), DR_SUCCESS);
        double *u = malloc(n * sizeof *u), *y = malloc(n * sizeof *y), worst = 0;
        dr_hopflax_report rep;
        assert_int_equal(dr_hopflax_execute_report(p, t, u, y, NULL, &rep), DR_SUCCESS);
        for (size_t i = 0; i < n; i++) {
            double x = dr_grid_coord(&g, 0, i);
            double exact = c ? copysign(fmax(fabs(x) - t, 0.0), x) : x / (1 + t);
            worst = fmax(worst, fabs(y[i] - exact));
        }
        print_message("%s: max |prox - exact| = %.3g, est_error %.3g\n", name[c], worst,
                      rep.est_error);
        /* values below 5: a few ulps of 5 is ~4e-15 */
        assert_true(worst <= 1e-13);
        assert_true(rep.est_error <= 1e-10);
        free(u); free(y);
        dr_hopflax_plan_free(p);
        dr_landscape_free(f);
    }
}

/* f = |y|^2/2 + 0.3 sin(3 y1) cos(2 y2) (the bench's expression) and phi's gradient and
 * Hessian at x, t = 1, in long double: a Newton step of phi, for the reference below. */
static void sincos_phi_step(const long double *x, const long double *y, long double *s)
{
    long double s3 = sinl(3 * y[0]), c3 = cosl(3 * y[0]), s2 = sinl(2 * y[1]);
    long double c2 = cosl(2 * y[1]), k = 0.3L;
    long double g0 = 2 * y[0] - x[0] + 3 * k * c3 * c2, g1 = 2 * y[1] - x[1] - 2 * k * s3 * s2;
    long double h00 = 2 - 9 * k * s3 * c2, h11 = 2 - 4 * k * s3 * c2, h01 = -6 * k * c3 * s2;
    long double det = h00 * h11 - h01 * h01;
    s[0] = -(h11 * g0 - h01 * g1) / det;
    s[1] = -(h00 * g1 - h01 * g0) / det;
}

/* The polish's proximal points on the bench's expression at 1024^2 on [-4, 4]^2 (the batched
 * Newton warm-started down tile columns, the scalar one along rows, the pattern search where
 * phi's Hessian is nearly singular) against a second method: Newton in long double (64-bit
 * mantissa) from each, to its own round-off, which reaches the minimiser of the well the
 * polish's y is in. A converged polish stops on a step from a jet below 16 ulps of 1 + |y|
 * (1.8e-14 at |y| <= 4), y one step on; 1e-13 leaves the rounding of phi's gradient over a
 * small Hessian eigenvalue room. 1.3e-14 measured. The polish's former early stop, a step size
 * predicted from the last two, accepted a point here 5.6e-8 short of its minimiser. */
static void prox_converged_sincos(void **state)
{
    (void)state;
    dr_landscape *f = NULL;
    assert_int_equal(dr_landscape_alloc_expr(&f, "(x^2+y^2)/2 + 0.3*sin(3*x)*cos(2*y)", 2),
                     DR_SUCCESS);
    dr_grid g;
    size_t nn[2] = {1024, 1024};
    double lo[2] = {-4, -4}, hi[2] = {4, 4}, worst = 0;
    dr_grid_init(&g, 2, nn, lo, hi);
    dr_hopflax_plan *p = NULL;
    dr_hopflax_options opt = {.refine = 1, .polish = 1};
    assert_int_equal(dr_hopflax_plan_alloc(&p, f, &g, 1.0, &opt), DR_SUCCESS);
    size_t N = dr_grid_size(&g);
    double *u = malloc(N * sizeof *u), *y = malloc(2 * N * sizeof *y);
    assert_int_equal(dr_hopflax_execute(p, 1.0, u, y, NULL), DR_SUCCESS);
    for (size_t k = 0; k < N; k++) {
        long double x[2] = {dr_grid_coord(&g, 0, k % 1024), dr_grid_coord(&g, 1, k / 1024)};
        long double z[2] = {y[k], y[N + k]}, s[2];
        for (int it = 0; it < 8; it++) {
            sincos_phi_step(x, z, s);
            z[0] += s[0];
            z[1] += s[1];
        }
        double err = (double)fmaxl(fabsl(z[0] - y[k]), fabsl(z[1] - y[N + k]));
        worst = fmax(worst, err);
    }
    print_message("sin cos expression, 1024^2: max |prox - long double Newton| = %.3g\n",
                  worst);
    assert_true(worst <= 1e-13);
    free(u); free(y);
    dr_hopflax_plan_free(p);
    dr_landscape_free(f);
}

/* phi's least value for f = (y1^2-1)^2 + (y2^2-1)^2 + 0.002 y1 + 0.001 y2 + 0.05 y1 y2 at x,
 * t = 1, in long double: Newton from a 9 x 9 lattice of starts over [-2, 2]^2, the lowest
 * stationary point with a positive definite Hessian. */
static long double four_wells_min(const double *x)
{
    long double best = INFINITY;
    for (int i = 0; i < 81; i++) {
        long double y[2] = {-2 + 0.5L * (i % 9), -2 + 0.5L * (i / 9)}, h00 = 0, h11 = 0;
        long double det = 0;
        for (int it = 0; it < 60; it++) {
            long double g0 = 4 * y[0] * (y[0] * y[0] - 1) + 0.002L + 0.05L * y[1] + y[0] - x[0];
            long double g1 = 4 * y[1] * (y[1] * y[1] - 1) + 0.001L + 0.05L * y[0] + y[1] - x[1];
            h00 = 12 * y[0] * y[0] - 3;
            h11 = 12 * y[1] * y[1] - 3;
            det = h00 * h11 - 0.0025L;
            y[0] -= (h11 * g0 - 0.05L * g1) / det;
            y[1] -= (h00 * g1 - 0.05L * g0) / det;
        }
        if (!(h00 > 0 && det > 0) || !(fabsl(y[0]) < 3 && fabsl(y[1]) < 3)) continue;
        long double q0 = y[0] * y[0] - 1, q1 = y[1] * y[1] - 1, d0 = x[0] - y[0];
        long double d1 = x[1] - y[1];
        long double v = q0 * q0 + q1 * q1 + 0.002L * y[0] + 0.001L * y[1] + 0.05L * y[0] * y[1] +
                        (d0 * d0 + d1 * d1) / 2;
        if (v < best) best = v;
    }
    return best;
}

/* Wells of nearly equal depth, several per y-row and per column, where the search's row memos
 * (hopflax_global.c: a row's row-local minima asked once per tile column and reused by its
 * later output rows) must keep every one: f above at t = 1 on 129^2 over [-2, 2]^2 has its two
 * deep wells, near (1, -1) and (-1, 1), 0.002 apart, and phi's minimiser jumps between them
 * (and the two shallower ones) across the box. u against the long double multi-start Newton:
 * within the reported bound (a true upper bound: the check of it) and within 1e-13 (a smooth
 * minimiser polished to round-off; 2.2e-15 measured); a well missed would be off by up to the
 * gap between two wells' values, 0.002 and more away from the switch lines. */
static void near_equal_wells(void **state)
{
    (void)state;
    dr_landscape *f = NULL;
    assert_int_equal(dr_landscape_alloc_expr(&f, "(x^2-1)^2 + (y^2-1)^2 + 0.002*x + 0.001*y "
                                                 "+ 0.05*x*y", 2), DR_SUCCESS);
    dr_hopflax_report rep;
    double *u, *y, worst = 0;
    dr_grid g;
    size_t nn[2] = {129, 129};
    double lo[2] = {-2, -2}, hi[2] = {2, 2};
    dr_grid_init(&g, 2, nn, lo, hi);
    dr_hopflax_plan *p = NULL;
    dr_hopflax_options opt = {.refine = 1, .polish = 1};
    assert_int_equal(dr_hopflax_plan_alloc(&p, f, &g, 1.0, &opt), DR_SUCCESS);
    size_t N = dr_grid_size(&g);
    u = malloc(N * sizeof *u);
    y = malloc(2 * N * sizeof *y);
    assert_int_equal(dr_hopflax_execute_report(p, 1.0, u, y, NULL, &rep), DR_SUCCESS);
    for (size_t k = 0; k < N; k++) {
        double x[2] = {dr_grid_coord(&g, 0, k % 129), dr_grid_coord(&g, 1, k / 129)};
        worst = fmax(worst, (double)fabsl(u[k] - four_wells_min(x)));
    }
    print_message("four wells 129^2 t = 1: max |u - long double| = %.3g, est_error %.3g, "
                  "wells %zu, switched %zu\n", worst, rep.est_error, rep.wells, rep.switched);
    assert_true(rep.wells > N);
    assert_true(worst <= rep.est_error);
    assert_true(worst <= 1e-13);
    free(u); free(y);
    dr_hopflax_plan_free(p);
    dr_landscape_free(f);
}

/* The same landscape without its convexity bound: it shares f's state (not owned) and
 * evaluation functions, so a plan over it runs the full global search where f's skips it. */
static dr_landscape_ops plain_ops;

static dr_landscape *without_convexity(const dr_landscape *f)
{
    void *state;
    plain_ops = *dr_landscape_ops_of(f, &state);
    plain_ops.convexity = NULL;
    plain_ops.destroy = NULL;
    double lo[2], hi[2];
    dr_landscape_domain(f, lo, hi);
    dr_landscape *w = NULL;
    assert_int_equal(dr_landscape_wrap(&w, &plain_ops, state, dr_landscape_dim(f), "plain",
                                       "plain", lo, hi), DR_SUCCESS);
    return w;
}

/* One polished execution on n points (per axis) over [-2, top]: u, prox (dim * size) and the
 * report; returns the size. */
static size_t polished(const dr_landscape *f, size_t n, double top, double t, double **u,
                       double **prox, dr_hopflax_report *rep)
{
    dr_grid g;
    int dim = dr_landscape_dim(f);
    size_t nn[2] = {n, n};
    double lo[2] = {-2, -2}, hi[2] = {top, top};
    dr_grid_init(&g, dim, nn, lo, hi);
    dr_hopflax_plan *p = NULL;
    dr_hopflax_options opt = {.refine = 1, .polish = 1};
    assert_int_equal(dr_hopflax_plan_alloc(&p, f, &g, t, &opt), DR_SUCCESS);
    size_t size = dr_grid_size(&g);
    *u = malloc(size * sizeof **u);
    *prox = malloc((size_t)dim * size * sizeof **prox);
    assert_int_equal(dr_hopflax_execute_report(p, t, *u, *prox, NULL, rep), DR_SUCCESS);
    dr_hopflax_plan_free(p);
    return size * (size_t)dim;
}

/* Largest |a - b| over the u and prox of f's plan and of the same f without its convexity
 * bound (the full search), on [-2, top]; the two reports into r[2]. */
static double versus_search(const char *name, size_t n, double top, double t,
                            dr_hopflax_report r[2])
{
    dr_landscape *f = NULL;
    assert_int_equal(dr_landscape_alloc_builtin(&f, name, NULL), DR_SUCCESS);
    dr_landscape *w = without_convexity(f);
    double *u[2], *y[2], worst = 0;
    size_t m = polished(f, n, top, t, &u[0], &y[0], &r[0]);
    polished(w, n, top, t, &u[1], &y[1], &r[1]);
    for (size_t k = 0; k < m; k++) {
        if (k < m / (size_t)dr_landscape_dim(f)) worst = fmax(worst, fabs(u[0][k] - u[1][k]));
        worst = fmax(worst, fabs(y[0][k] - y[1][k]));
    }
    for (int i = 0; i < 2; i++) { free(u[i]); free(y[i]); }
    dr_landscape_free(w);
    dr_landscape_free(f);
    return worst;
}

/* Where phi is strictly convex (f's smallest Hessian eigenvalue above -1/t: quad and quad2d,
 * 1 > -1; double-well, -4 > -1/0.2) the polish skips the global search: u and prox as the full
 * search gives them. quad and quad2d are quadratic (least and largest eigenvalue both 1), so
 * their polish is one Newton step, where the full one takes a second of round-off's size: 1e-14
 * allows that (1.1e-16 measured on quad). double-well is not, and must get the full Newton: one
 * step from the grid point would leave it 9e-6 off (measured with the quadratic rule forced). */
static void convex_skips_search(void **state)
{
    (void)state;
    const char *name[3] = {"quad", "quad2d", "double-well"};
    const double t[3] = {1.0, 1.0, 0.2};
    const size_t n[3] = {801, 129, 801};
    for (int c = 0; c < 3; c++) {
        dr_hopflax_report r[2];
        double worst = versus_search(name[c], n[c], 2.0, t[c], r);
        print_message("%s t = %g: max |shortcut - search| = %.3g (u and prox), est_error %.3g / "
                      "%.3g\n", name[c], t[c], worst, r[0].est_error, r[1].est_error);
        assert_true(worst <= 1e-14);
        assert_true(r[0].est_error <= r[1].est_error);
        assert_int_equal(r[0].switched, 0);
    }
}

/* Where phi is not convex the search runs: double-well at t = 1 (-4 < -1/t), on a grid coarse
 * enough (21 points on [-2, 2], h = 0.2) that at some x both wells are candidates (30 polished
 * on 21 points, measured) and at one the grid minimum sits in the wrong well, which the search
 * moves to the other (switched = 1). Newton from the grid minimiser alone polishes one well a
 * point and stays within a cell of it, so a shortcut taken here would show as wells = 21 and
 * switched = 0. With and without the bound the results are the same bits. */
static void nonconvex_searches(void **state)
{
    (void)state;
    dr_hopflax_report r[2];
    double worst = versus_search("double-well", 21, 2.0, 1.0, r);
    print_message("double-well t = 1: wells %zu, switched %zu, max |with - without bound| = "
                  "%.3g\n", r[0].wells, r[0].switched, worst);
    assert_true(r[0].wells > 21);
    assert_true(r[0].switched >= 1);
    assert_int_equal(r[0].wells, r[1].wells);
    assert_true(worst == 0.0);
}

/* One polished execution of the expression f on n^2 points over [-4, 4]^2 at y-grid refinement
 * `refine`: u and the report. */
static double *expr_polished(const dr_landscape *f, size_t n, int refine, double t,
                             dr_hopflax_report *rep)
{
    dr_grid g;
    size_t nn[2] = {n, n};
    double lo[2] = {-4, -4}, hi[2] = {4, 4};
    dr_grid_init(&g, 2, nn, lo, hi);
    dr_hopflax_plan *p = NULL;
    dr_hopflax_options opt = {.refine = refine, .polish = 1};
    assert_int_equal(dr_hopflax_plan_alloc(&p, f, &g, t, &opt), DR_SUCCESS);
    double *u = malloc(n * n * sizeof *u);
    assert_int_equal(dr_hopflax_execute_report(p, t, u, NULL, NULL, rep), DR_SUCCESS);
    dr_hopflax_plan_free(p);
    return u;
}

/* (x^2+y^2)/2 + 0.3 sin(3x) cos(2y) at t = 1: f's least Hessian eigenvalue (about -1.7) is below
 * -1/t, so between its wells phi is not convex and the 8-point test finds grid local minima on
 * phi's slopes (a candidate whose polish leaves its box still descending). Followed downhill, each
 * reaches a well Newton certifies, so the bound is the winners' own: 9.9e-12 measured on 128^2
 * (1e3 round-off of the pattern searches at a few points), where the bracket of the untrusted
 * candidates' grid values gave 3.9e-3 (it scales as h^2: 2.8e-4 on 512^2). The bound must hold:
 * on a y-grid 3 times finer (other grid points, other candidates) u agrees within the two bounds
 * (1.8e-15 measured), and a well missed or a non-global minimiser kept would show as a difference
 * of the order of the sub-grid error, 1e-3 here. */
static void descent_followed(void **state)
{
    (void)state;
    dr_landscape *f = NULL;
    assert_int_equal(dr_landscape_alloc_expr(&f, "(x^2+y^2)/2 + 0.3*sin(3*x)*cos(2*y)", 2),
                     DR_SUCCESS);
    dr_hopflax_report r[2];
    double *u = expr_polished(f, 128, 1, 1.0, &r[0]), *uf = expr_polished(f, 128, 3, 1.0, &r[1]);
    double worst = 0;
    for (size_t k = 0; k < 128 * 128; k++) worst = fmax(worst, fabs(u[k] - uf[k]));
    print_message("expression 128^2 t = 1: est_error %.3g (refine 3: %.3g), max |u - u_fine| "
                  "%.3g, wells %zu\n", r[0].est_error, r[1].est_error, worst, r[0].wells);
    assert_true(r[0].est_error <= 1e-10);
    assert_true(worst <= r[0].est_error + r[1].est_error);
    free(u); free(uf);
    dr_landscape_free(f);
}

/* The polish's results do not depend on the thread count or on which thread ran what (its
 * warm starts restart at every tile): paper1d in 1-D (2001 points, tiles meeting end to end) and
 * the expression of descent_followed on 96^2, at 1 and 2 threads, the same bytes of u and prox. */
static void threads_same_bits(void **state)
{
    (void)state;
    for (int dim = 1; dim <= 2; dim++) {
        dr_landscape *f = NULL;
        if (dim == 1) assert_int_equal(dr_landscape_alloc_builtin(&f, "paper1d", NULL), DR_SUCCESS);
        else assert_int_equal(dr_landscape_alloc_expr(&f, "(x^2+y^2)/2 + 0.3*sin(3*x)*cos(2*y)",
                                                      2), DR_SUCCESS);
        dr_grid g;
        size_t n[2] = {dim == 1 ? 2001 : 96, 96}, size;
        double lo[2] = {-3, -3}, hi[2] = {3, 3}, *u[2], *y[2];
        dr_grid_init(&g, dim, n, lo, hi);
        size = dr_grid_size(&g);
        for (int th = 0; th < 2; th++) {
            dr_hopflax_plan *p = NULL;
            dr_hopflax_options opt = {.refine = 1, .polish = 1, .threads = th + 1};
            assert_int_equal(dr_hopflax_plan_alloc(&p, f, &g, 1.0, &opt), DR_SUCCESS);
            u[th] = malloc(size * sizeof **u);
            y[th] = malloc((size_t)dim * size * sizeof **y);
            assert_int_equal(dr_hopflax_execute(p, 1.0, u[th], y[th], NULL), DR_SUCCESS);
            dr_hopflax_plan_free(p);
        }
        assert_memory_equal(u[0], u[1], size * sizeof **u);
        assert_memory_equal(y[0], y[1], (size_t)dim * size * sizeof **y);
        for (int th = 0; th < 2; th++) { free(u[th]); free(y[th]); }
        dr_landscape_free(f);
    }
}

/* The batched warm polishes (Newton runs in lock-step, evaluations through the batch jets op)
 * against dr_hopflax_polish_point one at a time from the same warm starts: 48 candidates of the
 * bench expression at t = 1 on a 0.05 grid (each at the grid point nearest a smooth minimiser),
 * warm starts 0.3 cells off their grid point and, one in four, 2 cells off (outside the cell:
 * none may hold). Where one holds, the scalar polish's u to 1e-14 relative and y to 1e-13 (the
 * batch's sin and cos are libmvec's, so the two round differently: a converged Newton's
 * rounding) and the error estimate from the grid value. The two roundings can also end a run
 * within phi's rounding of its minimiser before the convergence test passes, one way or the
 * other (then the caller polishes from the grid point): 35 of the 36 near starts hold here,
 * 34 asked. */
static void warm_batch_matches(void **state)
{
    (void)state;
    dr_landscape *f = NULL;
    assert_int_equal(dr_landscape_alloc_expr(&f, "(x^2+y^2)/2 + 0.3*sin(3*x)*cos(2*y)", 2),
                     DR_SUCCESS);
    enum { N = 48 };
    double h = 0.05, cell[2] = {h, h}, t = 1.0;
    dr_hopflax_warm_task tasks[N];
    /* each candidate's minimiser y* first, where phi's Hessian D^2 f + I/t is positive
     * definite (det and trace), and x from it: grad phi(y*) = grad f(y*) + (y* - x)/t = 0 */
    for (int k = 0, m = 0; k < N; m++) {
        double ys[2] = {-1.9 + 0.37 * (m % 11), -1.7 + 0.31 * (m / 11)}, v, g[2], H[4], y0[2];
        dr_landscape_jet(f, ys, &v, g, H);
        double a = H[0] + 1 / t, b = H[3] + 1 / t;
        if (!(a * b - H[1] * H[2] > 0.1 && a + b > 0)) continue;
        double x[2] = {ys[0] + t * g[0], ys[1] + t * g[1]}, off = k % 4 == 3 ? 2.0 * h : 0.3 * h;
        for (int c = 0; c < 2; c++) y0[c] = h * round(ys[c] / h);
        dr_landscape_jet(f, y0, &v, NULL, NULL);
        double grid = v + ((x[0] - y0[0]) * (x[0] - y0[0]) + (x[1] - y0[1]) * (x[1] - y0[1])) / 2;
        tasks[k++] = (dr_hopflax_warm_task){{x[0], x[1]}, {y0[0], y0[1]},
                                            {{y0[0] + off, y0[1] - off}, grid}, 0, {0, 0}, 0, 0};
    }
    dr_hopflax_polish_warm_batch(f, tasks, N, cell, 2, t);
    int held = 0;
    for (int k = 0; k < N; k++) {
        const dr_hopflax_warm_task *w = &tasks[k];
        double y[2], err;
        int smooth;
        if (k % 4 == 3) assert_int_equal(w->ok, 0);
        if (!w->ok) continue;
        held++;
        double p = dr_hopflax_polish_point(f, w->x, w->y0, &w->warm, cell, 2, t, NULL, 0, y,
                                           &err, &smooth);
        assert_true(fabs(p - w->p) <= 1e-14 * (1 + fabs(p)));
        assert_true(fabs(y[0] - w->y[0]) <= 1e-13 && fabs(y[1] - w->y[1]) <= 1e-13);
        assert_memory_equal(&err, &w->err, sizeof err);
    }
    print_message("warm starts held: %d of 36\n", held);
    assert_true(held >= 34);
    dr_landscape_free(f);
}

/* The convexity bounds themselves: no sampled Hessian eigenvalue below them, and attained (quad,
 * quad2d: 1 everywhere; double-well: 12 x^2 - 4 at the box's point nearest 0). */
static void convexity_bounds(void **state)
{
    (void)state;
    const char *name[3] = {"quad", "quad2d", "double-well"};
    const double box[3][2] = {{-2, 2}, {0.5, 1.5}, {-1.5, -0.25}};
    for (int c = 0; c < 3; c++)
        for (int b = 0; b < 3; b++) {
            dr_landscape *f = NULL;
            assert_int_equal(dr_landscape_alloc_builtin(&f, name[c], NULL), DR_SUCCESS);
            double lo[2] = {box[b][0], box[b][0]}, hi[2] = {box[b][1], box[b][1]};
            double m = dr_landscape_convexity_bound(f, lo, hi), least = INFINITY, h[4];
            for (int i = 0; i <= 1000; i++) {
                double x[2] = {lo[0] + (hi[0] - lo[0]) * i / 1000.0, lo[1]};
                assert_int_equal(dr_landscape_hessian(f, x, h), DR_SUCCESS);
                double e = dr_landscape_dim(f) == 1 ? h[0]
                         : 0.5 * (h[0] + h[3]) - hypot(0.5 * (h[0] - h[3]), h[1]);
                least = fmin(least, e);
            }
            assert_true(least >= m - 1e-12);
            assert_true(least <= m + 1e-12);
            dr_landscape_free(f);
        }
    dr_landscape *f = NULL;  /* one without a known bound */
    assert_int_equal(dr_landscape_alloc_builtin(&f, "rastrigin", NULL), DR_SUCCESS);
    assert_true(dr_landscape_convexity_bound(f, (double[2]){-1, -1}, (double[2]){1, 1}) ==
                -INFINITY);
    dr_landscape_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quad_closed_form),
        cmocka_unit_test(prox_converged_sincos),
        cmocka_unit_test(near_equal_wells),
        cmocka_unit_test(abs_closed_form),
        cmocka_unit_test(paper1d_bracketed),
        cmocka_unit_test(prox_to_round_off),
        cmocka_unit_test(convex_skips_search),
        cmocka_unit_test(nonconvex_searches),
        cmocka_unit_test(descent_followed),
        cmocka_unit_test(threads_same_bits),
        cmocka_unit_test(warm_batch_matches),
        cmocka_unit_test(convexity_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
