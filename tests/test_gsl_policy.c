/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The library's GSL policy (error.h): it never changes the host's GSL error handler, and input
 * that GSL would refuse (too few knots for a spline) comes back as a dr_ status, never as a GSL
 * error. A host handler that counts its calls is installed first; every GSL-backed path of the
 * library then runs, including the refusals, and the handler must have been called zero times
 * and still be the installed one. (`grep gsl_set_error_handler solver nn viz` finds nothing: no
 * library path switches it, not even around one call.) */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>

#include "deeprelax/deeprelax.h"
#include "deeprelax/particles.h"
#include "deeprelax/sharpness.h"

static int handler_calls;

static void counting_handler(const char *reason, const char *file, int line, int gsl_errno)
{
    (void)reason; (void)file; (void)line; (void)gsl_errno;
    handler_calls++;
}

/* Too few samples for GSL's cubic (3) and bicubic (4 per axis) interpolants, in a grid struct the
 * caller filled by hand: DR_EINVAL from the library's own check, never GSL's refusal. */
static void test_tiny_samples_are_a_status(void **state)
{
    (void)state;
    const double f[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    dr_grid g1 = {.dim = 1, .n = {2, 1}, .lo = {0, 0}, .hi = {1, 0}, .h = {1, 1}};
    dr_grid g2 = {.dim = 2, .n = {3, 3}, .lo = {0, 0}, .hi = {1, 1}, .h = {0.5, 0.5}};
    dr_landscape *L = NULL;
    assert_int_equal(dr_landscape_alloc_samples(&L, &g1, f), DR_EINVAL);
    assert_null(L);
    assert_int_equal(dr_landscape_alloc_samples(&L, &g2, f), DR_EINVAL);
    assert_null(L);
    assert_int_equal(handler_calls, 0);
}

/* pde-gd on a grid too small for its interpolant: DR_EINVAL from the run, not a GSL abort. */
static void test_tiny_pde_grid_is_a_status(void **state)
{
    (void)state;
    dr_landscape *f = NULL;
    assert_int_equal(dr_landscape_alloc_builtin(&f, "quad2d", NULL), DR_SUCCESS);
    dr_particles_options o;
    dr_particles_options_default(&o);
    o.algo = DR_PARTICLES_PDE_GD;
    o.steps = 2;
    o.beta = 2;
    o.pde_n[0] = o.pde_n[1] = 3;
    const double x0[2] = {0.5, -0.5};
    double path[6], fpath[3];
    dr_particles *p = NULL;
    int status = dr_particles_alloc(&p, f, &o);
    if (status == DR_SUCCESS) status = dr_particles_run(p, 1, x0, path, fpath);
    assert_int_equal(status, DR_EINVAL);
    dr_particles_free(p);
    dr_landscape_free(f);
    assert_int_equal(handler_calls, 0);
}

/* The GSL paths that do run (splines of samples, pde-gd interpolants, seeded generators) leave
 * the host's handler installed and never call it. */
static void test_handler_untouched(void **state)
{
    (void)state;
    dr_grid g;
    const size_t n[2] = {16, 1};
    const double lo[2] = {-1, 0}, hi[2] = {1, 0};
    double f[16];
    assert_int_equal(dr_grid_init(&g, 1, n, lo, hi), DR_SUCCESS);
    for (int i = 0; i < 16; i++) f[i] = pow(dr_grid_coord(&g, 0, (size_t)i), 2);
    dr_landscape *L = NULL;
    assert_int_equal(dr_landscape_alloc_samples(&L, &g, f), DR_SUCCESS);
    double x = 0.3, grad;
    assert_true(fabs(dr_landscape_value_grad(L, &x, &grad) - 0.09) < 1e-2);
    dr_particles_options o;
    dr_particles_options_default(&o);
    o.algo = DR_PARTICLES_PDE_GD;
    o.steps = 5;
    o.beta = 3;
    o.pde_n[0] = 201;
    dr_particles *p = NULL;
    double path[6], fpath[6];
    const double x0 = 0.5;
    assert_int_equal(dr_particles_alloc(&p, L, &o), DR_SUCCESS);
    assert_int_equal(dr_particles_run(p, 1, &x0, path, fpath), DR_SUCCESS);
    dr_particles_free(p);
    dr_landscape_free(L);
    dr_landscape_params params = {.noise = 0.1, .seed = 3};
    assert_int_equal(dr_landscape_alloc_builtin(&L, "paper1d", &params), DR_SUCCESS);
    dr_landscape_free(L);
    gsl_error_handler_t *now = gsl_set_error_handler(NULL);
    assert_ptr_equal(now, counting_handler);
    gsl_set_error_handler(counting_handler);
    assert_int_equal(handler_calls, 0);
}

/* The sharpness path's tridiagonal eigenproblem (GSL's symmetric QR): the Toeplitz tridiagonal
 * diag 2, off-diagonal 1 of size 3 has the eigenvalues 2 + 2 cos(k pi / 4), k = 1..3, i.e.
 * 2 + sqrt 2, 2, 2 - sqrt 2; a non-finite entry and size 0 are dr_ statuses. The host's handler
 * stays installed and uncalled throughout. */
static void test_sharpness_eigen_keeps_handler(void **state)
{
    (void)state;
    const double alpha[3] = {2, 2, 2}, beta[2] = {1, 1};
    double theta[3], first[3], last[3];
    assert_int_equal(dr_tridiag_eigen(3, alpha, beta, theta, first, last), DR_SUCCESS);
    assert_true(fabs(theta[0] - (2 + sqrt(2))) < 1e-13);
    assert_true(fabs(theta[1] - 2) < 1e-13);
    assert_true(fabs(theta[2] - (2 - sqrt(2))) < 1e-13);
    const double bad[3] = {2, NAN, 2};
    assert_int_equal(dr_tridiag_eigen(3, bad, beta, theta, first, last), DR_ENUMERIC);
    assert_int_equal(dr_tridiag_eigen(0, alpha, beta, theta, first, last), DR_EINVAL);
    gsl_error_handler_t *now = gsl_set_error_handler(counting_handler);
    assert_ptr_equal(now, counting_handler);
    assert_int_equal(handler_calls, 0);
}

int main(void)
{
    gsl_set_error_handler(counting_handler);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_samples_are_a_status),
        cmocka_unit_test(test_tiny_pde_grid_is_a_status),
        cmocka_unit_test(test_handler_untouched),
        cmocka_unit_test(test_sharpness_eigen_keeps_handler),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
