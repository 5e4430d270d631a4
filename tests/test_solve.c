/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of dr_solve (the one entry point over the solvers) and of landscapes from the caller's
 * own function, and of the widening sweep: dr_solve equals the plan it wraps bit for bit, reproduces the closed form of the
 * quadratic, a function landscape equals the same formula as an expression, and every failure
 * (bad arguments, a failing callback) comes back as a status with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "deeprelax/deeprelax.h"
#include "test_common.h"

/* f = c x^2 / 2 with c = 3: u = c x^2 / (2 (1 + c t)) + log(1 + c t) / (2 beta) (DESIGN.md 1). */
static void test_quadratic_closed_form(void **state)
{
    (void)state;
    dr_landscape *f;
    assert_int_equal(dr_landscape_alloc_expr(&f, "1.5*x^2", 1), DR_SUCCESS);
    dr_grid g;
    size_t n = 401;
    double lo = -2, hi = 2, beta = 10, t[2] = {0.5, 0.1}, c = 3;
    assert_int_equal(dr_solve_grid(&g, f, 1, &n, &lo, &hi), DR_SUCCESS);
    double *u = malloc(2 * n * sizeof *u), *grad = malloc(2 * n * sizeof *grad);
    dr_solve_report rep[2];
    assert_int_equal(dr_solve(f, &g, beta, t, 2, u, grad, rep, NULL), DR_SUCCESS);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(rep[k].method, DR_SOLVE_HEAT);
        for (size_t i = 0; i < n; i++) {
            double x = dr_grid_coord(&g, 0, i);
            /* the heat solver's tolerance is 1e-10 (heat.h): 1e-9 leaves room for the sum */
            assert_near(u[k * n + i], c * x * x / (2 * (1 + c * t[k])) +
                        log(1 + c * t[k]) / (2 * beta), 1e-9);
            assert_near(grad[k * n + i], c * x / (1 + c * t[k]), 1e-7);
        }
        assert_near(rep[k].min_u, log(1 + c * t[k]) / (2 * beta), 1e-9);
        assert_near(rep[k].argmin[0], 0.0, 1e-12);
    }
    free(u);
    free(grad);
    dr_landscape_free(f);
}

/* dr_solve with method auto at beta = inf is the Hopf-Lax plan: the same bytes. */
static void test_same_as_plan(void **state)
{
    (void)state;
    dr_landscape *f;
    assert_int_equal(dr_landscape_alloc_builtin(&f, "paper1d", NULL), DR_SUCCESS);
    dr_grid g;
    assert_int_equal(dr_solve_grid(&g, f, 0, NULL, NULL, NULL), DR_SUCCESS);
    assert_int_equal(g.n[0], 601);
    size_t n = g.n[0];
    double t = 0.3, *u = malloc(n * sizeof *u), *v = malloc(n * sizeof *v);
    dr_solve_report rep;
    assert_int_equal(dr_solve(f, &g, INFINITY, &t, 1, u, NULL, &rep, NULL), DR_SUCCESS);
    assert_int_equal(rep.method, DR_SOLVE_HOPFLAX);
    assert_string_equal(rep.engine, "envelope");
    dr_hopflax_plan *p;
    dr_hopflax_options hopt = {.refine = 1, .polish = 1};
    assert_int_equal(dr_hopflax_plan_alloc(&p, f, &g, t, &hopt), DR_SUCCESS);
    assert_int_equal(dr_hopflax_execute(p, t, v, NULL, NULL), DR_SUCCESS);
    assert_memory_equal(u, v, n * sizeof *u);
    dr_hopflax_plan_free(p);
    free(u);
    free(v);
    dr_landscape_free(f);
}

static void test_bad_arguments(void **state)
{
    (void)state;
    dr_landscape *f;
    assert_int_equal(dr_landscape_alloc_builtin(&f, "paper1d", NULL), DR_SUCCESS);
    dr_grid g;
    assert_int_equal(dr_solve_grid(&g, f, 0, NULL, NULL, NULL), DR_SUCCESS);
    size_t two[2] = {10, 10};
    assert_int_equal(dr_solve_grid(&g, f, 2, two, NULL, NULL), DR_EINVAL);
    assert_int_equal(dr_solve_grid(&g, f, 0, NULL, NULL, NULL), DR_SUCCESS);
    double u[601], t = 0.1, bad = -1;
    dr_solve_options opt;
    dr_solve_options_init(&opt);
    assert_int_equal(dr_solve(f, &g, 1.0, &bad, 1, u, NULL, NULL, NULL), DR_EINVAL);
    assert_non_null(strstr(dr_error_message(), "positive"));
    assert_int_equal(dr_solve(f, &g, 0.0, &t, 1, u, NULL, NULL, NULL), DR_EINVAL);
    opt.method = DR_SOLVE_HEAT;
    assert_int_equal(dr_solve(f, &g, INFINITY, &t, 1, u, NULL, NULL, &opt), DR_EINVAL);
    opt.method = DR_SOLVE_HOPFLAX;
    assert_int_equal(dr_solve(f, &g, 5.0, &t, 1, u, NULL, NULL, &opt), DR_EINVAL);
    dr_solve_method m;
    assert_int_equal(dr_solve_method_parse("heat", &m), DR_SUCCESS);
    assert_int_equal(m, DR_SOLVE_HEAT);
    assert_int_equal(dr_solve_method_parse("cole-hopf", &m), DR_ENOTFOUND);
    assert_non_null(strstr(dr_error_message(), "hopf-lax"));
    dr_landscape_free(f);
}

/* The callbacks of a function landscape: x^4 - 2 x^2, counted to check the one-thread rule. */
typedef struct { pthread_mutex_t lock; int inside, overlap; size_t calls, points, fail_after; } counter;

static int quartic(void *user, size_t n, const double *x, double *out)
{
    counter *c = user;
    pthread_mutex_lock(&c->lock);
    if (c->inside++) c->overlap = 1;
    int fail = c->fail_after && c->calls >= c->fail_after;
    c->calls++;
    c->points += n;
    pthread_mutex_unlock(&c->lock);
    for (size_t i = 0; i < n; i++) out[i] = x[i] * x[i] * x[i] * x[i] - 2 * x[i] * x[i];
    pthread_mutex_lock(&c->lock);
    c->inside--;
    pthread_mutex_unlock(&c->lock);
    return fail ? dr_error(DR_ENUMERIC, "asked to fail") : 0;
}

static int quartic_grad(void *user, size_t n, const double *x, double *out)
{
    (void)user;
    for (size_t i = 0; i < n; i++) out[i] = 4 * x[i] * x[i] * x[i] - 4 * x[i];
    return 0;
}

/* Same formula, two sources: the heat solve agrees to round-off (the quadrature sees the same
 * samples up to the last bits of libmatheval's evaluation). */
static void test_function_equals_expr(void **state)
{
    (void)state;
    counter c = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0, 0};
    double domain[2] = {-2, 2}, t[2] = {0.05, 0.4};
    dr_landscape *fe, *ff;
    assert_int_equal(dr_landscape_alloc_expr(&fe, "x^4 - 2*x^2", 1), DR_SUCCESS);
    assert_int_equal(dr_landscape_alloc_function(&ff, 1, domain, NAN, quartic, quartic_grad, &c,
                                                 "quartic"), DR_SUCCESS);
    assert_string_equal(dr_landscape_name(ff), "quartic");
    dr_grid g;
    size_t n = 301;
    assert_int_equal(dr_solve_grid(&g, ff, 1, &n, NULL, NULL), DR_SUCCESS);
    assert_near(g.lo[0], -2, 0);
    double *ue = malloc(2 * n * sizeof *ue), *uf = malloc(2 * n * sizeof *uf);
    for (int method = DR_SOLVE_HEAT; method <= DR_SOLVE_FD; method++) {
        dr_solve_options opt;
        dr_solve_options_init(&opt);
        opt.method = (dr_solve_method)method;
        double beta = method == DR_SOLVE_HOPFLAX ? INFINITY : 8.0;
        assert_int_equal(dr_solve(fe, &g, beta, t, 2, ue, NULL, NULL, &opt), DR_SUCCESS);
        assert_int_equal(dr_solve(ff, &g, beta, t, 2, uf, NULL, NULL, &opt), DR_SUCCESS);
        for (size_t i = 0; i < 2 * n; i++) assert_near(uf[i], ue[i], 1e-11 * (1 + fabs(ue[i])));
    }
    assert_int_equal(c.overlap, 0);
    assert_true(c.calls > 0);
    /* batch evaluation: one call for many points */
    double x[3] = {-1, 0, 2}, v[3], gr[3];
    size_t calls = c.calls;
    assert_int_equal(dr_landscape_eval(ff, 3, x, v, gr), DR_SUCCESS);
    assert_int_equal(c.calls, calls + 1);
    assert_near(v[0], -1, 0);
    assert_near(v[2], 8, 0);
    assert_near(gr[2], 24, 0);
    /* the Hessian by differences of the gradient: 12 x^2 - 4 = 8 at x = 1, to ~1e-8 */
    double one = 1, h;
    assert_int_equal(dr_landscape_hessian(ff, &one, &h), DR_SUCCESS);
    assert_near(h, 8, 1e-6);
    free(ue);
    free(uf);
    dr_landscape_free(fe);
    dr_landscape_free(ff);
}

/* A callback that fails after a few calls: every method returns its status and message; the
 * landscape is reusable after the failure is cleared (dr_solve clears it). */
static void test_function_failure(void **state)
{
    (void)state;
    counter c = {PTHREAD_MUTEX_INITIALIZER, 0, 0, 0, 0, 0};
    double domain[2] = {-2, 2}, t = 0.2;
    dr_landscape *ff;
    assert_int_equal(dr_landscape_alloc_function(&ff, 1, domain, NAN, quartic, NULL, &c, NULL),
                     DR_SUCCESS);
    dr_grid g;
    assert_int_equal(dr_solve_grid(&g, ff, 0, NULL, NULL, NULL), DR_SUCCESS);
    double *u = malloc(g.n[0] * sizeof *u);
    for (int method = DR_SOLVE_HEAT; method <= DR_SOLVE_FD; method++) {
        dr_solve_options opt;
        dr_solve_options_init(&opt);
        opt.method = (dr_solve_method)method;
        c.calls = 0;
        c.fail_after = 1; /* the second call fails (the first may be a whole grid) */
        int status = dr_solve(ff, &g, method == DR_SOLVE_HOPFLAX ? INFINITY : 4.0, &t, 1, u,
                              NULL, NULL, &opt);
        assert_int_not_equal(status, DR_SUCCESS);
        assert_non_null(strstr(dr_error_message(), "asked to fail"));
        c.fail_after = 0;
        assert_int_equal(dr_solve(ff, &g, method == DR_SOLVE_HOPFLAX ? INFINITY : 4.0, &t, 1, u,
                                  NULL, NULL, &opt), DR_SUCCESS);
    }
    double bad[2] = {1, 1};
    dr_landscape *other;
    assert_int_equal(dr_landscape_alloc_function(&other, 1, bad, NAN, quartic, NULL, &c, NULL),
                     DR_EINVAL);
    assert_int_equal(dr_landscape_alloc_function(&other, 3, domain, NAN, quartic, NULL, &c, NULL),
                     DR_EINVAL);
    free(u);
    dr_landscape_free(ff);
}

/* The widening sweep on f = x^2/2 (C = 1): one minimum at 0 at every t, D^2 u = 1/(1+t) exactly
 * (the central difference of a quadratic is exact; 1e-9 covers the heat solver's 1e-10), and
 * the Gibbs identity agrees; decreasing times are refused. */
static void test_widen_quadratic(void **state)
{
    (void)state;
    dr_landscape *f;
    assert_int_equal(dr_landscape_alloc_builtin(&f, "quad", NULL), DR_SUCCESS);
    dr_grid g;
    size_t n = 201;
    assert_int_equal(dr_solve_grid(&g, f, 1, &n, NULL, NULL), DR_SUCCESS);
    double t[3] = {0.1, 0.5, 1.0};
    dr_widen w;
    assert_int_equal(dr_widen_run(&w, f, &g, 20.0, t, 3, NULL, NULL), DR_SUCCESS);
    assert_int_equal(w.method, DR_SOLVE_HEAT);
    assert_int_equal(w.gibbs, 1);
    assert_near(w.C, 1.0, 1e-12);
    for (int k = 0; k < 3; k++) {
        assert_int_equal(w.steps[k].m.count, 1);
        assert_near(w.steps[k].m.min[0].x[0], 0.0, 1e-9);
        assert_near(w.steps[k].sc.value, 1 / (1 + t[k]), 1e-6);
        assert_near(w.steps[k].gibbs.value, 1 / (1 + t[k]), 1e-6);
        assert_int_equal(w.steps[k].global, 0);
    }
    size_t ne;
    dr_tracker_events(w.tracker, &ne);
    assert_int_equal(ne, 0);
    dr_widen_free(&w);
    double bad[2] = {0.5, 0.1};
    assert_int_equal(dr_widen_run(&w, f, &g, 20.0, bad, 2, NULL, NULL), DR_EINVAL);
    assert_non_null(strstr(dr_error_message(), "increase"));
    dr_widen_free(&w);
    dr_landscape_free(f);
}

static void test_version(void **state)
{
    (void)state;
    assert_string_equal(dr_version(), DR_VERSION);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quadratic_closed_form),
        cmocka_unit_test(test_same_as_plan),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_function_equals_expr),
        cmocka_unit_test(test_function_failure),
        cmocka_unit_test(test_widen_quadratic),
        cmocka_unit_test(test_version),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
