/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the landscape module: the catalogue's analytic derivatives and curvature bounds
 * against finite differences and dense sampling, expressions against closed-form derivatives,
 * sampled landscapes (interpolation exactness and accuracy, extension), and the CSV reader with
 * every rejection it promises. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deeprelax/deeprelax.h"
#include "deeprelax/landscape.h"
#include "deeprelax/npy.h"
#include "test_common.h"

#define PI 3.14159265358979323846

static char tmpdir[64];

static int setup_dir(void **state)
{
    (void)state;
    strcpy(tmpdir, "/tmp/dr_landscape_XXXXXX");
    return mkdtemp(tmpdir) ? 0 : -1;
}
static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Interior test points: fractions of the box that avoid its centre (abs's kink at 0). */
static const double fractions[] = {0.13, 0.37, 0.61, 0.89};

static void point_in_box(const dr_landscape *f, int i, int j, double *x)
{
    double lo[2], hi[2];
    dr_landscape_domain(f, lo, hi);
    x[0] = lo[0] + (hi[0] - lo[0]) * fractions[i];
    x[1] = lo[1] + (hi[1] - lo[1]) * fractions[j];
}

static dr_landscape *builtin_noisy(const char *name, double noise)
{
    dr_landscape *f = NULL;
    dr_landscape_params p = {.noise = noise, .seed = 7};
    assert_int_equal(dr_landscape_alloc_builtin(&f, name, noise > 0 ? &p : NULL), DR_SUCCESS);
    return f;
}

static void test_catalogue_entries(void **state)
{
    (void)state;
    size_t n = dr_landscape_catalogue_size();
    assert_true(n >= 10); /* the README's catalogue: ten or more built-ins, named below */
    assert_null(dr_landscape_catalogue(n));
    const char *required[] = {"paper1d", "quad", "quad2d", "abs", "double-well", "cos1d",
                              "sharp-wide", "sharp-wide2d", "rastrigin", "himmelblau", "camel6"};
    for (size_t i = 0; i < sizeof required / sizeof *required; i++)
        assert_non_null(dr_landscape_catalogue_find(required[i]));
    for (size_t i = 0; i < n; i++) {
        const dr_landscape_info *e = dr_landscape_catalogue(i);
        assert_ptr_equal(dr_landscape_catalogue_find(e->name), e);
        dr_landscape *f = builtin_noisy(e->name, 0);
        assert_int_equal(dr_landscape_dim(f), e->dim);
        assert_string_equal(dr_landscape_name(f), e->name);
        assert_string_equal(dr_landscape_formula(f), e->formula);
        double lo[2], hi[2];
        dr_landscape_domain(f, lo, hi);
        for (int a = 0; a < e->dim; a++) {
            assert_true(lo[a] == e->lo[a] && hi[a] == e->hi[a] && hi[a] > lo[a]);
        }
        dr_landscape_free(f);
    }
}

static void test_catalogue_errors(void **state)
{
    (void)state;
    dr_landscape *f = (dr_landscape *)1;
    assert_int_equal(dr_landscape_alloc_builtin(&f, "no-such-thing", NULL), DR_ENOTFOUND);
    assert_null(f);
    assert_non_null(strstr(dr_error_message(), "'no-such-thing'"));
    assert_non_null(strstr(dr_error_message(), "deeprelax landscapes"));
    dr_landscape_params p = {.noise = 0.1, .seed = 1};
    assert_int_equal(dr_landscape_alloc_builtin(&f, "quad", &p), DR_EINVAL);
    p.noise = -1;
    assert_int_equal(dr_landscape_alloc_builtin(&f, "paper1d", &p), DR_EINVAL);
    p.noise = NAN;
    assert_int_equal(dr_landscape_alloc_builtin(&f, "paper1d", &p), DR_EINVAL);
}

/* Known values (closed forms at chosen points). */
static void test_catalogue_values(void **state)
{
    (void)state;
    struct { const char *name; double x[2], f; } cases[] = {
        {"paper1d", {0.25, 0}, 0.0625 + 1.5},      /* sin(pi/2) = 1 */
        {"quad", {3, 0}, 4.5},
        {"quad2d", {3, 4}, 12.5},
        {"abs", {-2.5, 0}, 2.5},
        {"double-well", {1, 0}, 0},
        {"cos1d", {0, 0}, -1},
        {"rastrigin", {0, 0}, 0},
        {"himmelblau", {3, 2}, 0},                 /* one of its four global minima */
        {"camel6", {0.0898, -0.7126}, -1.0316},    /* the published minimum, 4 digits */
        {"rosenbrock", {1, 1}, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        dr_landscape *f = builtin_noisy(cases[i].name, 0);
        assert_near(dr_landscape_value(f, cases[i].x), cases[i].f, 1e-4);
        dr_landscape_free(f);
    }
}

/* Central differences: error h^2 |f'''|/6 + eps |f| / h; with h = 1e-5 times the box both are
 * below 1e-6 (1 + |g|) for every landscape here (|f'''| <= ~3e3 on these boxes). */
static void check_gradient(dr_landscape *f)
{
    int dim = dr_landscape_dim(f);
    double lo[2], hi[2];
    dr_landscape_domain(f, lo, hi);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < (dim == 2 ? 4 : 1); j++) {
            double x[2], g[2], xp[2], xm[2];
            point_in_box(f, i, j, x);
            double v = dr_landscape_value_grad(f, x, g);
            assert_near(v, dr_landscape_value(f, x), 0);
            for (int a = 0; a < dim; a++) {
                double h = 1e-5 * (hi[a] - lo[a]);
                memcpy(xp, x, sizeof x);
                memcpy(xm, x, sizeof x);
                xp[a] += h;
                xm[a] -= h;
                double fd = (dr_landscape_value(f, xp) - dr_landscape_value(f, xm)) / (2 * h);
                if (fabs(fd - g[a]) > 1e-6 * (1 + fabs(g[a])))
                    fail_msg("%s: df/dx%d at (%g, %g): analytic %.12g, central difference %.12g",
                             dr_landscape_name(f), a, x[0], x[1], g[a], fd);
            }
        }
}

/* Hessian against central differences of the analytic gradient (same error budget). */
static void check_hessian(dr_landscape *f)
{
    int dim = dr_landscape_dim(f);
    double lo[2], hi[2];
    dr_landscape_domain(f, lo, hi);
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < (dim == 2 ? 4 : 1); j++) {
            double x[2], hs[4], gp[2], gm[2], xp[2], xm[2];
            point_in_box(f, i, j, x);
            assert_int_equal(dr_landscape_hessian(f, x, hs), DR_SUCCESS);
            for (int b = 0; b < dim; b++) {
                double h = 1e-5 * (hi[b] - lo[b]);
                memcpy(xp, x, sizeof x);
                memcpy(xm, x, sizeof x);
                xp[b] += h;
                xm[b] -= h;
                dr_landscape_value_grad(f, xp, gp);
                dr_landscape_value_grad(f, xm, gm);
                for (int a = 0; a < dim; a++) {
                    double fd = (gp[a] - gm[a]) / (2 * h), an = hs[a * dim + b];
                    if (fabs(fd - an) > 1e-5 * (1 + fabs(an)))
                        fail_msg("%s: H[%d][%d] at (%g, %g): analytic %.12g, difference %.12g",
                                 dr_landscape_name(f), a, b, x[0], x[1], an, fd);
                }
            }
            if (dim == 2) assert_near(hs[1], hs[2], 0);
        }
}

static void test_catalogue_derivatives(void **state)
{
    (void)state;
    for (size_t i = 0; i < dr_landscape_catalogue_size(); i++) {
        dr_landscape *f = builtin_noisy(dr_landscape_catalogue(i)->name, 0);
        check_gradient(f);
        check_hessian(f);
        dr_landscape_free(f);
    }
    dr_landscape *noisy = builtin_noisy("paper1d", 0.2);
    check_gradient(noisy);
    check_hessian(noisy);
    dr_landscape_free(noisy);
}

static double sampled_max_eigen(dr_landscape *f, const double *lo, const double *hi)
{
    int dim = dr_landscape_dim(f);
    size_t n = dim == 1 ? 60001 : 601;
    double best = -INFINITY, x[2] = {0, 0}, h[4];
    for (size_t j = 0; j < (dim == 2 ? n : 1); j++)
        for (size_t i = 0; i < n; i++) {
            x[0] = lo[0] + (hi[0] - lo[0]) * (double)i / (double)(n - 1);
            if (dim == 2) x[1] = lo[1] + (hi[1] - lo[1]) * (double)j / (double)(n - 1);
            dr_landscape_hessian(f, x, h);
            double lam = dim == 1 ? h[0]
                                  : 0.5 * (h[0] + h[3]) + hypot(0.5 * (h[0] - h[3]), h[1]);
            best = fmax(best, lam);
        }
    return best;
}

/* C must bound the dense-sampled maximum (a bound), and be tight where it is exact: within the
 * sampling's own resolution (1e-3 relative) of it, except sharp-wide, whose sum-of-sups bound is
 * documented 1.3% loose (the wide well's tail is concave at the sharp well's centre). */
static void test_curvature_bounds(void **state)
{
    (void)state;
    for (size_t i = 0; i < dr_landscape_catalogue_size(); i++) {
        const dr_landscape_info *e = dr_landscape_catalogue(i);
        dr_landscape *f = builtin_noisy(e->name, 0);
        double c = dr_landscape_curvature_bound(f, NULL, NULL);
        assert_true(c == dr_landscape_curvature_bound(f, e->lo, e->hi)); /* NULL box = default box */
        if (!strcmp(e->name, "abs")) {
            assert_true(isinf(c) && c > 0); /* the kink */
            dr_landscape_free(f);
            continue;
        }
        double s = sampled_max_eigen(f, e->lo, e->hi);
        double slack = strncmp(e->name, "sharp-wide", 10) ? 1e-3 : 2e-2;
        if (!(c >= s * (1 - 1e-12) && c <= s + slack * fabs(s)))
            fail_msg("%s: C = %.10g, dense sampling gives %.10g", e->name, c, s);
        dr_landscape_free(f);
    }
    /* Closed forms: paper1d C = 2 + 1.5 (2 pi)^2; rastrigin 2 + 40 pi^2; camel6 on [-3,3]x[-2,2]:
     * f_xx(3) = 591.2, f_yy(2) = 184, off-diagonal 1. */
    dr_landscape *f = builtin_noisy("paper1d", 0);
    assert_near(dr_landscape_curvature_bound(f, NULL, NULL), 2 + 1.5 * 4 * PI * PI, 1e-12);
    /* On [0.1, 0.2] sin(2 pi x) > 0: the sup of 2 - 6 pi^2 sin(2 pi x) is at x = 0.1. */
    double lo[2] = {0.1, 0}, hi[2] = {0.2, 0};
    assert_near(dr_landscape_curvature_bound(f, lo, hi), 2 - 6 * PI * PI * sin(0.2 * PI), 1e-12);
    dr_landscape_free(f);
    f = builtin_noisy("rastrigin", 0);
    assert_near(dr_landscape_curvature_bound(f, NULL, NULL), 2 + 40 * PI * PI, 1e-12);
    dr_landscape_free(f);
    f = builtin_noisy("camel6", 0);
    double a = 591.2, b = 184;
    assert_near(dr_landscape_curvature_bound(f, NULL, NULL),
                        0.5 * (a + b) + sqrt(0.25 * (a - b) * (a - b) + 1), 1e-9);
    dr_landscape_free(f);
    /* With the random term C grows by its own bound, still above the sampled maximum. */
    f = builtin_noisy("paper1d", 0.2);
    lo[0] = -3; hi[0] = 3;
    double c = dr_landscape_curvature_bound(f, lo, hi);
    assert_true(c > 2 + 6 * PI * PI);
    assert_true(c >= sampled_max_eigen(f, lo, hi));
    dr_landscape_free(f);
}

/* Same seed, same landscape; another seed, another one; amplitude: RMS close to `noise`. */
static void test_paper1d_noise(void **state)
{
    (void)state;
    dr_landscape *a = builtin_noisy("paper1d", 0.1), *b = builtin_noisy("paper1d", 0.1), *p = builtin_noisy("paper1d", 0);
    dr_landscape *c = NULL;
    dr_landscape_params q = {.noise = 0.1, .seed = 8};
    assert_int_equal(dr_landscape_alloc_builtin(&c, "paper1d", &q), DR_SUCCESS);
    double ms = 0, diff = 0;
    int n = 20001;
    for (int i = 0; i < n; i++) {
        double x = -100 + 200.0 * i / (n - 1);
        double r = dr_landscape_value(a, &x) - dr_landscape_value(p, &x);
        assert_near(dr_landscape_value(a, &x), dr_landscape_value(b, &x), 0);
        diff = fmax(diff, fabs(dr_landscape_value(c, &x) - dr_landscape_value(a, &x)));
        ms += r * r / n;
    }
    assert_true(diff > 1e-3);
    /* 32 incommensurate sinusoids of amplitude 0.1 sqrt(2/32): mean square 0.01 over a long window
     * (finite-window cross terms leave a few percent). */
    assert_near(sqrt(ms), 0.1, 0.01);
    dr_landscape_free(a); dr_landscape_free(b); dr_landscape_free(c); dr_landscape_free(p);
}

/* ---------------------------------------------------------------- expressions */

static void test_expr_derivatives(void **state)
{
    (void)state;
    dr_landscape *f = NULL;
    assert_int_equal(dr_landscape_alloc_expr(&f, "x^3 - 2*x + sin(x)", 0), DR_SUCCESS);
    assert_int_equal(dr_landscape_dim(f), 1);
    assert_string_equal(dr_landscape_name(f), "expr");
    assert_string_equal(dr_landscape_formula(f), "x^3 - 2*x + sin(x)");
    for (double x = -2.5; x <= 2.5; x += 0.7) {
        double g, h;
        /* closed forms: f' = 3x^2 - 2 + cos x, f'' = 6x - sin x */
        assert_near(dr_landscape_value_grad(f, &x, &g), x * x * x - 2 * x + sin(x), 1e-12);
        assert_near(g, 3 * x * x - 2 + cos(x), 1e-12);
        assert_int_equal(dr_landscape_hessian(f, &x, &h), DR_SUCCESS);
        assert_near(h, 6 * x - sin(x), 1e-12);
    }
    dr_landscape_free(f);

    assert_int_equal(dr_landscape_alloc_expr(&f, "x^2*y + exp(-y)", 0), DR_SUCCESS);
    assert_int_equal(dr_landscape_dim(f), 2);
    double x[2] = {1.3, -0.4}, g[2], h[4];
    /* grad = (2xy, x^2 - e^-y), H = [[2y, 2x], [2x, e^-y]] */
    assert_near(dr_landscape_value_grad(f, x, g), 1.69 * -0.4 + exp(0.4), 1e-12);
    assert_near(g[0], 2 * 1.3 * -0.4, 1e-12);
    assert_near(g[1], 1.69 - exp(0.4), 1e-12);
    assert_int_equal(dr_landscape_hessian(f, x, h), DR_SUCCESS);
    assert_near(h[0], -0.8, 1e-12);
    assert_near(h[1], 2.6, 1e-12);
    assert_near(h[2], 2.6, 1e-12);
    assert_near(h[3], exp(0.4), 1e-12);
    dr_landscape_free(f);

    /* dim 2 forced on an x-only expression; pi is a libmatheval constant */
    assert_int_equal(dr_landscape_alloc_expr(&f, "cos(pi*x)", 2), DR_SUCCESS);
    assert_int_equal(dr_landscape_dim(f), 2);
    assert_near(dr_landscape_value(f, (double[]){1, 5}), -1, 1e-15);
    dr_landscape_free(f);

    /* Measured curvature: x^4 on [-1, 1] has f'' = 12 x^2, largest (12) at the ends, which the
     * sampling includes. */
    assert_int_equal(dr_landscape_alloc_expr(&f, "x^4", 1), DR_SUCCESS);
    double lo[2] = {-1, 0}, hi[2] = {1, 0};
    assert_near(dr_landscape_curvature_bound(f, lo, hi), 12, 1e-12);
    dr_landscape_free(f);

    /* abs: libmatheval's second derivative is 2 delta(x), infinite at 0: no Hessian there. */
    assert_int_equal(dr_landscape_alloc_expr(&f, "abs(x)", 1), DR_SUCCESS);
    double zero = 0, hz;
    assert_int_equal(dr_landscape_hessian(f, &zero, &hz), DR_EUNSUPPORTED);
    dr_landscape_free(f);
}

static void test_expr_errors(void **state)
{
    (void)state;
    dr_landscape *f = NULL;
    const char *bad[] = {"x^^2", "(x+1", "x+1)", "", "   ", "x +* 2", "sin(", "2x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (dr_landscape_alloc_expr(&f, bad[i], 0) != DR_EPARSE)
            fail_msg("expression '%s' should not parse", bad[i]);
        assert_null(f);
        assert_true(strlen(dr_error_message()) > 0);
    }
    assert_int_equal(dr_landscape_alloc_expr(&f, "z + x", 0), DR_EPARSE);
    assert_non_null(strstr(dr_error_message(), "'z'"));
    assert_int_equal(dr_landscape_alloc_expr(&f, "Pi*x", 0), DR_EPARSE); /* constant is lower-case */
    assert_non_null(strstr(dr_error_message(), "'Pi'"));
    assert_int_equal(dr_landscape_alloc_expr(&f, "x*y", 1), DR_EPARSE);
    assert_non_null(strstr(dr_error_message(), "uses y"));
    assert_int_equal(dr_landscape_alloc_expr(&f, "x", 3), DR_EINVAL);
}

/* ---------------------------------------------------------------- samples */

static dr_landscape *sampled(int dim, size_t n, double lo0, double hi0, double lo1, double hi1,
                             double (*fn)(double, double))
{
    dr_grid g;
    size_t ns[2] = {n, n};
    double lo[2] = {lo0, lo1}, hi[2] = {hi0, hi1};
    assert_int_equal(dr_grid_init(&g, dim, ns, lo, hi), DR_SUCCESS);
    double *v = malloc(dr_grid_size(&g) * sizeof *v);
    for (size_t j = 0; j < g.n[1]; j++)
        for (size_t i = 0; i < g.n[0]; i++)
            v[j * g.n[0] + i] = fn(dr_grid_coord(&g, 0, i), dim == 2 ? dr_grid_coord(&g, 1, j) : 0);
    dr_landscape *f = NULL;
    assert_int_equal(dr_landscape_alloc_samples(&f, &g, v), DR_SUCCESS);
    free(v);
    return f;
}

static double linear1(double x, double y) { (void)y; return 2 * x - 1; }
static double bilinear(double x, double y) { return 1 + 2 * x - 3 * y + 0.5 * x * y; }
static double sine1(double x, double y) { (void)y; return sin(x); }
static double sine2(double x, double y) { return sin(x) * sin(y); }
static double gauss2(double x, double y) { return exp(-(x * x + y * y) / 2); }

/* A natural cubic spline reproduces linear functions exactly (their f'' = 0 satisfies the natural
 * end conditions), so does GSL's bicubic for bilinear ones (its node derivatives come from such
 * splines, hence are exact, and Hermite bicubics contain x y). Only round-off remains. */
static void test_samples_exact(void **state)
{
    (void)state;
    dr_landscape *f = sampled(1, 9, -1, 2, 0, 0, linear1);
    assert_string_equal(dr_landscape_formula(f), "samples");
    for (double x = -1; x <= 2; x += 0.123) {
        double g, h;
        assert_near(dr_landscape_value_grad(f, &x, &g), 2 * x - 1, 1e-13);
        assert_near(g, 2, 1e-12);
        assert_int_equal(dr_landscape_hessian(f, &x, &h), DR_SUCCESS);
        assert_near(h, 0, 1e-11);
    }
    /* Beyond the box: nearest boundary value + 0.5 * wall * d^2, wall = max(1, 0) = 1. */
    double x = -1.5, g, h;
    assert_near(dr_landscape_value_grad(f, &x, &g), -3 + 0.5 * 0.25, 1e-13);
    assert_near(g, -0.5, 1e-13);
    dr_landscape_hessian(f, &x, &h);
    assert_near(h, 1, 0);
    x = 4;
    assert_near(dr_landscape_value(f, &x), 3 + 0.5 * 4, 1e-13);
    x = NAN;
    assert_true(isnan(dr_landscape_value(f, &x)));
    dr_landscape_free(f);

    f = sampled(2, 11, -1, 1, 0, 3, bilinear);
    for (double y = 0; y <= 3; y += 0.31)
        for (double xx = -1; xx <= 1; xx += 0.17) {
            double p[2] = {xx, y}, gg[2], hh[4];
            assert_near(dr_landscape_value_grad(f, p, gg), bilinear(xx, y), 1e-12);
            assert_near(gg[0], 2 + 0.5 * y, 1e-11);
            assert_near(gg[1], -3 + 0.5 * xx, 1e-11);
            dr_landscape_hessian(f, p, hh);
            assert_near(hh[1], 0.5, 1e-10);
        }
    /* Outside in y only: value at (x, 3) + 0.5 * wall * 1, x-slope kept, y-slope the wall's.
     * Second differences of a bilinear function vanish, so wall = 1. */
    double p[2] = {0.5, 4}, gg[2];
    assert_near(dr_landscape_value_grad(f, p, gg), bilinear(0.5, 3) + 0.5, 1e-12);
    assert_near(gg[0], 2 + 1.5, 1e-11);
    assert_near(gg[1], 1, 1e-12);
    dr_landscape_free(f);
}

/* Accuracy on smooth functions. sin on [0, 2 pi] has f'' = 0 at both ends, so the natural spline's
 * error is the O(h^4) one, 5/384 h^4 max|f''''| = 1.2e-6 for n = 65 (h = 2 pi/64); we allow 2e-6.
 * In 2-D sin x sin y on [0, pi]^2 (n = 33, h = pi/32): the tensor construction keeps O(h^4) away
 * from where the natural conditions are wrong; a Gaussian (f'' != 0 at the edges) shows the O(h^2)
 * edge error of natural end conditions, which is why we bound it looser there. */
static void test_samples_accuracy(void **state)
{
    (void)state;
    dr_landscape *f = sampled(1, 65, 0, 2 * PI, 0, 0, sine1);
    double err = 0;
    for (double x = 0; x <= 2 * PI; x += 0.001) err = fmax(err, fabs(dr_landscape_value(f, &x) - sin(x)));
    assert_true(err < 2e-6);
    /* the 1-D curvature bound is exact for a spline: it equals a dense sampling of its f'' */
    double lo[2] = {0, 0}, hi[2] = {2 * PI, 0};
    assert_near(dr_landscape_curvature_bound(f, lo, hi), sampled_max_eigen(f, lo, hi), 1e-6);
    dr_landscape_free(f);

    f = sampled(2, 33, 0, PI, 0, PI, sine2);
    err = 0;
    for (double y = 0; y <= PI; y += 0.013)
        for (double x = 0; x <= PI; x += 0.013) {
            double p[2] = {x, y};
            err = fmax(err, fabs(dr_landscape_value(f, p) - sin(x) * sin(y)));
        }
    assert_true(err < 2e-5); /* 5/384 h^4 * 2 ~ 2.5e-6 per axis; margin for the mixed term */
    dr_landscape_free(f);

    f = sampled(2, 41, -3, 3, -3, 3, gauss2);
    err = 0;
    for (double y = -3; y <= 3; y += 0.021)
        for (double x = -3; x <= 3; x += 0.021) {
            double p[2] = {x, y};
            err = fmax(err, fabs(dr_landscape_value(f, p) - gauss2(x, y)));
        }
    /* h = 0.15: interior O(h^4) ~ 1e-5, edge O(h^2 |f''| at the edge) ~ 0.15^2 * 0.1 / 8 */
    assert_true(err < 1e-3);
    dr_landscape_free(f);
}

static void test_samples_errors(void **state)
{
    (void)state;
    dr_grid g;
    size_t n[2] = {10, 10};
    double lo[2] = {0, 0}, hi[2] = {1, 1}, v[100];
    for (int k = 0; k < 100; k++) v[k] = k;
    assert_int_equal(dr_grid_init(&g, 1, n, lo, hi), DR_SUCCESS);
    v[3] = NAN;
    dr_landscape *f = NULL;
    assert_int_equal(dr_landscape_alloc_samples(&f, &g, v), DR_EINVAL);
    assert_non_null(strstr(dr_error_message(), "not finite"));
    v[3] = INFINITY;
    assert_int_equal(dr_landscape_alloc_samples(&f, &g, v), DR_EINVAL);
    v[3] = 3;
    g.n[0] = 4; /* corrupted grid: below DR_GRID_MIN_POINTS */
    assert_int_equal(dr_landscape_alloc_samples(&f, &g, v), DR_EINVAL);
    assert_null(f);
}

/* ---------------------------------------------------------------- CSV */

static const char *write_file(const char *name, const char *text, size_t len)
{
    static char path[160];
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    fwrite(text, 1, len, fp);
    fclose(fp);
    return path;
}
static const char *write_text(const char *name, const char *text)
{
    return write_file(name, text, strlen(text));
}

/* A 1-D CSV of n points of 0.5 x^2 on [0, 1], rows in the given order, with extra text. */
static char *csv1(size_t n, const char *extra)
{
    char *s = malloc(64 * n + 256);
    size_t len = (size_t)sprintf(s, "x,f\n");
    for (size_t i = 0; i < n; i++) {
        double x = (double)i / (double)(n - 1);
        len += (size_t)sprintf(s + len, "%.17g,%.17g\n", x, 0.5 * x * x);
    }
    strcpy(s + len, extra);
    return s;
}

static void test_csv_roundtrip(void **state)
{
    (void)state;
    /* 2-D, 9 x 8 grid written with y in descending order and x shuffled: any order fills the grid. */
    size_t nx = 9, ny = 8;
    char *s = malloc(100000);
    size_t len = (size_t)sprintf(s, "x,y,f\r\n");
    for (size_t jj = 0; jj < ny; jj++)
        for (size_t ii = 0; ii < nx; ii++) {
            size_t j = ny - 1 - jj, i = (ii * 4) % nx; /* 4 is coprime to 9: a permutation */
            double x = -2 + 4.0 * (double)i / (double)(nx - 1), y = 1 + 0.5 * (double)j;
            len += (size_t)sprintf(s + len, " %.17g , %.17g,%.17g\r\n", x, y, sin(x) + y * y);
        }
    const char *path = write_text("grid2.csv", s);
    free(s);
    dr_landscape *f = NULL;
    assert_int_equal(dr_landscape_alloc_file(&f, path, NULL), DR_SUCCESS);
    assert_int_equal(dr_landscape_dim(f), 2);
    assert_string_equal(dr_landscape_name(f), path);
    double lo[2], hi[2];
    dr_landscape_domain(f, lo, hi);
    assert_true(lo[0] == -2 && hi[0] == 2 && lo[1] == 1 && hi[1] == 4.5);
    /* An interpolant passes through its samples. */
    for (size_t j = 0; j < ny; j++)
        for (size_t i = 0; i < nx; i++) {
            double p[2] = {-2 + 4.0 * (double)i / (double)(nx - 1), 1 + 0.5 * (double)j};
            assert_near(dr_landscape_value(f, p), sin(p[0]) + p[1] * p[1], 1e-13);
        }
    dr_landscape_free(f);

    char *c = csv1(8, "");
    path = write_text("grid1.csv", c);
    free(c);
    assert_int_equal(dr_landscape_alloc_file(&f, path, NULL), DR_SUCCESS);
    double x = 3.0 / 7.0;
    assert_near(dr_landscape_value(f, &x), 0.5 * x * x, 1e-15);
    dr_landscape_free(f);
}

/* Each malformed file gives DR_EFORMAT and a message naming the file (and line) and problem. */
static void test_csv_rejections(void **state)
{
    (void)state;
    struct { const char *name, *text; size_t len; const char *expect; } cases[] = {
        {"empty.csv", "", 0, "empty file"},
        {"header.csv", "x,f\n", 4, "no data rows"},
        {"badhead.csv", "a,b\n1,2\n", 8, ":1: expected the header"},
        {"junk.csv", "\x7f" "ELF\x02\x01\x01\0\0\0\n", 11, ":1: binary data"},
        {"nul.csv", "x,f\n0,1\n1,\0\n", 12, ":3: binary data"},
        {"ragged.csv", "x,f\n0,0\n1,1,1\n", 14, ":3: expected 2 fields, got 3"},
        {"word.csv", "x,f\n0,0\n1,abc\n", 14, ":3: field 2 'abc' is not a number"},
        {"nan.csv", "x,f\n0,0\n1,nan\n", 14, ":3: field 2 'nan' is not finite"},
        {"inf.csv", "x,y,f\n0,0,0\n1,-inf,0\n", 22, ":3: field 2 '-inf' is not finite"},
        {"small.csv", "x,f\n0,0\n1,1\n2,4\n", 16, "only 3 distinct x values"},
        {"trunc.csv", "x,y,f\n0,0,1\n0.5,0", 17, ":3: expected 3 fields, got 2 (file truncated?)"},
    };
    dr_landscape *f = NULL;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *path = write_file(cases[i].name, cases[i].text, cases[i].len);
        int st = dr_landscape_alloc_file(&f, path, NULL);
        if (st != DR_EFORMAT || !strstr(dr_error_message(), cases[i].expect) ||
            !strstr(dr_error_message(), cases[i].name))
            fail_msg("%s: status %d, message '%s' (expected '%s')", cases[i].name, st,
                     dr_error_message(), cases[i].expect);
        assert_null(f);
    }

    /* Non-uniform spacing: one x moved by 1% of h. */
    char *c = csv1(10, "");
    char *p = strstr(c, "\n0.33333333333333331,");
    assert_non_null(p);
    memcpy(p + 1, "0.33433333333333331", 19);
    const char *path = write_text("nonuni.csv", c);
    free(c);
    assert_int_equal(dr_landscape_alloc_file(&f, path, NULL), DR_EFORMAT);
    assert_non_null(strstr(dr_error_message(), "nonuni.csv:5: x = 0.334333"));
    assert_non_null(strstr(dr_error_message(), "off the uniform grid"));

    /* Duplicate point (1-D): the grid's last row again. */
    c = csv1(10, "1,0.5\n");
    path = write_text("dup.csv", c);
    free(c);
    assert_int_equal(dr_landscape_alloc_file(&f, path, NULL), DR_EFORMAT);
    assert_non_null(strstr(dr_error_message(), "duplicate point x = 1"));

    /* 2-D: a missing point, then a duplicate in place of it. */
    char *s = malloc(20000), *t = malloc(20000);
    size_t len = (size_t)sprintf(s, "x,y,f\n"), len2 = len;
    strcpy(t, s);
    for (int j = 0; j < 8; j++)
        for (int i = 0; i < 8; i++) {
            char row[64];
            int m = sprintf(row, "%d,%d,%d\n", i, j, i + j);
            if (!(i == 3 && j == 5)) { memcpy(s + len, row, (size_t)m); len += (size_t)m; }
            if (i == 3 && j == 5) m = sprintf(row, "2,5,7\n");
            memcpy(t + len2, row, (size_t)m);
            len2 += (size_t)m;
        }
    path = write_file("missing.csv", s, len);
    assert_int_equal(dr_landscape_alloc_file(&f, path, NULL), DR_EFORMAT);
    assert_non_null(strstr(dr_error_message(), "missing grid point (x, y) = (3, 5)"));
    path = write_file("dup2.csv", t, len2);
    assert_int_equal(dr_landscape_alloc_file(&f, path, NULL), DR_EFORMAT);
    assert_non_null(strstr(dr_error_message(), "duplicate point (x, y) = (2, 5)"));
    free(s);
    free(t);

    char missing[200];
    snprintf(missing, sizeof missing, "%s/does-not-exist.csv", tmpdir);
    assert_int_equal(dr_landscape_alloc_file(&f, missing, NULL), DR_EIO);
    assert_non_null(strstr(dr_error_message(), "does-not-exist.csv"));
}

/* .npy landscapes: shape [ny][nx] with x fastest, domain required. */
static void test_npy_landscape(void **state)
{
    (void)state;
    size_t shape[2] = {8, 10}; /* ny = 8, nx = 10 */
    double v[80];
    for (int j = 0; j < 8; j++)
        for (int i = 0; i < 10; i++) v[j * 10 + i] = 100 * j + i;
    char path[160];
    snprintf(path, sizeof path, "%s/grid.npy", tmpdir);
    assert_int_equal(dr_npy_write(path, 2, shape, v), DR_SUCCESS);
    dr_landscape *f = NULL;
    assert_int_equal(dr_landscape_alloc_file(&f, path, NULL), DR_EINVAL);
    assert_non_null(strstr(dr_error_message(), "domain"));
    double dom[4] = {0, 9, -1, 6}; /* x in [0, 9] (h = 1), y in [-1, 6] (h = 1) */
    assert_int_equal(dr_landscape_alloc_file(&f, path, dom), DR_SUCCESS);
    assert_int_equal(dr_landscape_dim(f), 2);
    double p[2] = {4, 2}; /* i = 4, j = 3 */
    assert_near(dr_landscape_value(f, p), 304, 1e-12);
    dr_landscape_free(f);
    double bad[4] = {0, 9, 0, 0};
    assert_int_equal(dr_landscape_alloc_file(&f, path, bad), DR_EINVAL);

    v[17] = NAN;
    assert_int_equal(dr_npy_write(path, 2, shape, v), DR_SUCCESS);
    assert_int_equal(dr_landscape_alloc_file(&f, path, dom), DR_EFORMAT);
    assert_non_null(strstr(dr_error_message(), "[1][7] is not finite"));

    size_t small = 5;
    assert_int_equal(dr_npy_write(path, 1, &small, v), DR_SUCCESS);
    assert_int_equal(dr_landscape_alloc_file(&f, path, dom), DR_EFORMAT);
    assert_non_null(strstr(dr_error_message(), "only 5 samples"));

    size_t three[3] = {2, 2, 2};
    assert_int_equal(dr_npy_write(path, 3, three, v), DR_SUCCESS);
    assert_int_equal(dr_landscape_alloc_file(&f, path, dom), DR_EFORMAT);
    assert_null(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_catalogue_entries),
        cmocka_unit_test(test_catalogue_errors),
        cmocka_unit_test(test_catalogue_values),
        cmocka_unit_test(test_catalogue_derivatives),
        cmocka_unit_test(test_curvature_bounds),
        cmocka_unit_test(test_paper1d_noise),
        cmocka_unit_test(test_expr_derivatives),
        cmocka_unit_test(test_expr_errors),
        cmocka_unit_test(test_samples_exact),
        cmocka_unit_test(test_samples_accuracy),
        cmocka_unit_test(test_samples_errors),
        cmocka_unit_test(test_csv_roundtrip),
        cmocka_unit_test(test_csv_rejections),
        cmocka_unit_test(test_npy_landscape),
    };
    return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
