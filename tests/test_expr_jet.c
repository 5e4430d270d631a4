/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the compiled landscape expressions (solver/expr_jet.c) against libmatheval: the same
 * value, gradient and Hessian to round-off on expressions that use every compiled operator,
 * function and constant and each of the grammar's binding rules; the expressions it leaves to
 * libmatheval refused; and the landscape's jet op giving libmatheval's own numbers for those. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "deeprelax/deeprelax.h"
#include "../solver/expr_jet.h"
#include "../solver/landscape_impl.h"

/* Every compiled operator, function and constant, and the binding rules: unary minus looser
 * than '^' (-x^2), signs in exponents (2^-y, x^-2), left-associative chains (3-2-1, 8/4/2), a
 * varying exponent, exponent 2 (a*a), 1 and 0 (exact zero derivatives). */
static const char *const smooth[] = {
    "(x^2+y^2)/2 + 0.3*sin(3*x)*cos(2*y)",
    "-x^2 + 2^-y - - x + 2*-y",
    "exp(-(x-1)^2 - y^2/2) * log(2 + x^2)",
    "sqrt(1 + x^2 + y^2) / (2 + cos(x*y))",
    "tan(0.3*x) + sinh(0.5*y) - cosh(0.2*x*y) + tanh(x - y)",
    "asin(0.3*x) + acos(0.2*y) + atan(x*y)",
    "erf(x - 0.5*y) + pi*e - 1_pi*2_sqrtpi + sqrt2*x + sqrt1_2*y + pi_2 - pi_4 + 2_pi",
    "log2e*x + log10e*y + ln2*x*y + ln10",
    "(1 + x^2)^(0.5 + 0.1*y) + x^3 - y^0.5 + x^-2 + (x*y)^1 + y^0",
    "3 - 2 - 1 + 8/4/2*x - x/y/2 + (x)^(y)",
    "1.5e-1*x^2 + .25*y + 2.*x*y",
    /* constant operands on either side, and constant subtrees folded at compile time */
    "2/(1 + x) - 3^y + (1 - y) + 4 + x*(2*3 + 1) - (y - sin(2)) + (x + 0.5)/(1 + 1)",
};

/* The largest difference of the compiled jet from libmatheval's value, gradient and Hessian,
 * relative to 1 + |libmatheval's|, over a 9 x 9 lattice of [0.15, 0.85]^dim (inside every
 * function's domain above). */
static double misfit(const char *text, int dim)
{
    dr_landscape *f = NULL;
    assert_int_equal(dr_landscape_alloc_expr(&f, text, dim), DR_SUCCESS);
    dr_expr_program *p = dr_expr_compile(text, dim);
    assert_non_null(p);
    double worst = 0;
    for (int i = 0; i < 9; i++)
        for (int j = 0; j < (dim == 2 ? 9 : 1); j++) {
            double x[2] = {0.15 + 0.7 * i / 8.0, 0.15 + 0.7 * j / 8.0}, g[2], H[4], v, gj[2], Hj[4];
            double ref = dr_landscape_value_grad(f, x, g), vo;
            assert_int_equal(dr_landscape_hessian(f, x, H), DR_SUCCESS);
            assert_int_equal(dr_expr_program_jet(p, x, &v, gj, Hj), 0);
            assert_int_equal(dr_expr_program_jet(p, x, &vo, NULL, NULL), 0);
            assert_true(vo == v);  /* the value alone is the jet's value, to the bit */
            worst = fmax(worst, fabs(v - ref) / (1 + fabs(ref)));
            for (int a = 0; a < dim; a++) worst = fmax(worst, fabs(gj[a] - g[a]) / (1 + fabs(g[a])));
            for (int a = 0; a < dim * dim; a++)
                worst = fmax(worst, fabs(Hj[a] - H[a]) / (1 + fabs(H[a])));
        }
    dr_expr_program_free(p);
    dr_landscape_free(f);
    return worst;
}

/* Round-off: values below ~100 through a few dozen operations, libmatheval's symbolic
 * derivatives and the jets' product and chain rules taking different routes: 1e-13 relative
 * is a few hundred ulps, 1e6 below a single wrong term. */
static void matches_libmatheval(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof smooth / sizeof smooth[0]; k++) {
        double m = misfit(smooth[k], 2);
        print_message("%-80s %.2g\n", smooth[k], m);
        assert_true(m <= 1e-13);
    }
    double m = misfit("x^4 - 3*x^2 + x/(1 + x^2) - sin(x)^2", 1);
    print_message("1-D: %.2g\n", m);
    assert_true(m <= 1e-13);
}

/* Kinks and jumps (abs, step, ...) and the functions outside the compiled list stay with
 * libmatheval: no program, and the landscape's jet gives libmatheval's numbers exactly. */
static void leaves_the_rest(void **state)
{
    (void)state;
    static const char *const rest[] = {"abs(x) + y", "step(x - 0.5)", "cot(x)", "sec(y) + x",
                                       "acosh(2 + x)", "asinh(x)*y"};
    for (size_t k = 0; k < sizeof rest / sizeof rest[0]; k++) {
        assert_null(dr_expr_compile(rest[k], 2));
        dr_landscape *f = NULL;
        assert_int_equal(dr_landscape_alloc_expr(&f, rest[k], 2), DR_SUCCESS);
        double x[2] = {0.3, 0.7}, g[2], H[4], v, gj[2], Hj[4];
        double ref = dr_landscape_value_grad(f, x, g);
        assert_int_equal(dr_landscape_hessian(f, x, H), DR_SUCCESS);
        assert_int_equal(dr_landscape_jet(f, x, &v, gj, Hj), DR_SUCCESS);
        assert_true(v == ref && gj[0] == g[0] && gj[1] == g[1]);
        for (int a = 0; a < 4; a++) assert_true(Hj[a] == H[a]);
        dr_landscape_free(f);
    }
}

/* A Hessian that is not finite (sqrt at 0: f'' = -1/(4 x^(3/2))) is reported, as libmatheval's
 * landscape reports it, with the value still written. */
static void infinite_hessian(void **state)
{
    (void)state;
    dr_expr_program *p = dr_expr_compile("sqrt(x) + y", 2);
    assert_non_null(p);
    double x[2] = {0.0, 2.0}, v, g[2], H[4];
    assert_int_equal(dr_expr_program_jet(p, x, &v, g, H), -1);
    assert_true(v == 2.0);
    dr_expr_program_free(p);
}

/* A text without x or y is folded whole: its value (2*3 + 1 - 4/2 = 5, exact in binary), and
 * zero derivatives. */
static void constant_text(void **state)
{
    (void)state;
    dr_expr_program *p = dr_expr_compile("2*3 + 1 - 4/2", 2);
    assert_non_null(p);
    double x[2] = {0.3, -0.7}, v, vo, g[2], H[4];
    assert_int_equal(dr_expr_program_jet(p, x, &v, g, H), 0);
    assert_int_equal(dr_expr_program_jet(p, x, &vo, NULL, NULL), 0);
    assert_true(v == 5.0 && vo == 5.0);
    assert_true(g[0] == 0 && g[1] == 0 && H[0] == 0 && H[1] == 0 && H[2] == 0 && H[3] == 0);
    dr_expr_program_free(p);
}

/* The sampled curvature bound of a compiled expression comes from the program's Hessians: the
 * same measurement as from libmatheval's to round-off (both 3.6998426446209089 on the bench's
 * expression over [-4, 4]^2, measured; 1e-13 relative allowed, as above), in 1-D and 2-D. */
static void curvature_from_program(void **state)
{
    (void)state;
    const char *text[3] = {"(x^2+y^2)/2 + 0.3*sin(3*x)*cos(2*y)",
                           "exp(-(x-1)^2 - y^2/2) * log(2 + x^2)", "x^4 - 3*x^2 + sin(x)"};
    for (int k = 0; k < 3; k++) {
        int dim = k == 2 ? 1 : 2;
        dr_landscape *f = NULL;
        assert_int_equal(dr_landscape_alloc_expr(&f, text[k], dim), DR_SUCCESS);
        double lo[2] = {-4, -4}, hi[2] = {4, 4};
        void *st;
        const dr_landscape_ops *ops = dr_landscape_ops_of(f, &st);
        double c = dr_landscape_curvature_bound(f, lo, hi);
        double ref = dr_landscape_sampled_curvature(dim, lo, hi, ops->hessian, st);
        print_message("%-40s C = %.17g (libmatheval's Hessians: %.17g)\n", text[k], c, ref);
        assert_true(isfinite(c) && fabs(c - ref) <= 1e-13 * (1 + fabs(ref)));
        dr_landscape_free(f);
    }
}

/* Bitwise equality, with -0 and +0 told apart (memcmp of the doubles); where the text takes
 * sin or cos, which the batch takes from libmvec (4 ulps of the true value, libm's within 1),
 * agreement to 1e-15 relative to 1 + |scalar| (a few ulps through the product and chain rules;
 * a wrong term is 1e-2 or more). */
static int agrees(double a, double b, int exact)
{
    if (exact) return !memcmp(&a, &b, sizeof a);
    return fabs(a - b) <= 1e-15 * (1 + fabs(b));
}

/* The batch evaluator runs each point through the same operations as the scalar one, node by
 * node: the same bits for every value, gradient and Hessian entry and status on every smooth
 * expression above without sin or cos (2-D and the 1-D one), round-off with them, for 19 points
 * (a full batch and a part), and the values alone too, each the batch's jet value to the bit;
 * the infinite Hessian of sqrt at 0 is reported in a batch as alone. */
static void batch_matches_scalar(void **state)
{
    (void)state;
    enum { N = 19 };
    size_t nsmooth = sizeof smooth / sizeof smooth[0], exact_texts = 0;
    for (size_t k = 0; k <= nsmooth + 1; k++) {
        int dim = k == nsmooth ? 1 : 2;
        const char *text = dim == 1 ? "x^4 - 3*x^2 + x/(1 + x^2) - sin(x)^2"
                         : k < nsmooth ? smooth[k] : "sqrt(x) + y";
        int exact = !strstr(text, "sin(") && !strstr(text, "cos(");
        exact_texts += (size_t)exact;
        dr_expr_program *p = dr_expr_compile(text, dim);
        assert_non_null(p);
        double x[2 * N], v[N], vo[N], g[2 * N], H[4 * N];
        int st[N];
        for (int i = 0; i < N; i++) {
            x[dim * i] = k > nsmooth && i == 3 ? 0.0 : 0.15 + 0.7 * i / N;
            if (dim == 2) x[2 * i + 1] = 0.85 - 0.03 * i;
        }
        dr_expr_program_jets(p, N, x, v, g, H, st);
        dr_expr_program_jets(p, N, x, vo, NULL, NULL, NULL);
        for (int i = 0; i < N; i++) {
            double v1, v2, g1[2], H1[4];
            int s1 = dr_expr_program_jet(p, x + dim * i, &v1, g1, H1);
            dr_expr_program_jet(p, x + dim * i, &v2, NULL, NULL);
            assert_int_equal(st[i], s1);
            assert_true(agrees(vo[i], v[i], 1));
            assert_true(agrees(v[i], v1, exact) && agrees(vo[i], v2, exact));
            for (int a = 0; a < dim; a++) assert_true(agrees(g[dim * i + a], g1[a], exact));
            for (int a = 0; a < dim * dim; a++)
                assert_true(agrees(H[dim * dim * i + a], H1[a], exact));
        }
        if (k > nsmooth) assert_int_equal(st[3], -1);
        dr_expr_program_free(p);
    }
    assert_true(exact_texts >= 5);  /* the bitwise check does run */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(matches_libmatheval),
        cmocka_unit_test(leaves_the_rest),
        cmocka_unit_test(infinite_hessian),
        cmocka_unit_test(constant_text),
        cmocka_unit_test(curvature_from_program),
        cmocka_unit_test(batch_matches_scalar),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
