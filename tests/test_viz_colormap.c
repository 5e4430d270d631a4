/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Colour maps and scales (viz/colormap.c).
 *
 * Perceptual maps are judged by CIE L* (lightness), computed here from the 8-bit sRGB output by
 * the standard formulas (sRGB decoding, D65 XYZ, L* = 116 f(Y) - 16), independently of the
 * library's own Lab -> sRGB code:
 *   - viridis and magma must be monotone in lightness (their defining property): L* strictly
 *     increasing between 65 evenly spaced samples and never decreasing by more than the 8-bit
 *     rounding (0.5) between 2001 fine samples;
 *   - the diverging map must be symmetric: L*(s) = L*(1 - s) within 1 unit (8-bit rounding
 *     of both sides), near-white at the centre, darker towards both ends, blue below, red above. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "deeprelax/deeprelax.h"

static double srgb_decode(unsigned char v)
{
    double c = v / 255.0;
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}

static double lab_f(double t)
{
    const double d = 6.0 / 29.0;
    return t > d * d * d ? cbrt(t) : t / (3 * d * d) + 4.0 / 29.0;
}

/* CIELAB of an sRGB colour (D65). */
static void to_lab(dr_rgb c, double lab[3])
{
    double r = srgb_decode(c.r), g = srgb_decode(c.g), b = srgb_decode(c.b);
    double X = 0.4124564 * r + 0.3575761 * g + 0.1804375 * b;
    double Y = 0.2126729 * r + 0.7151522 * g + 0.0721750 * b;
    double Z = 0.0193339 * r + 0.1191920 * g + 0.9503041 * b;
    double fx = lab_f(X / 0.95047), fy = lab_f(Y), fz = lab_f(Z / 1.08883);
    lab[0] = 116 * fy - 16;
    lab[1] = 500 * (fx - fy);
    lab[2] = 200 * (fy - fz);
}

static double lightness(dr_viz_cmap m, double s)
{
    double lab[3];
    to_lab(dr_viz_cmap_eval(m, s), lab);
    return lab[0];
}

static void check_monotone(dr_viz_cmap m)
{
    double prev = lightness(m, 0);
    for (int k = 1; k <= 64; k++) {
        double L = lightness(m, k / 64.0);
        if (!(L > prev))
            fail_msg("%s: L* not increasing at s = %g (%.2f after %.2f)", dr_viz_cmap_name(m),
                     k / 64.0, L, prev);
        prev = L;
    }
    prev = lightness(m, 0);
    for (int k = 1; k <= 2000; k++) {
        double L = lightness(m, k / 2000.0);
        if (L < prev - 0.5)
            fail_msg("%s: L* drops by %.2f at s = %g", dr_viz_cmap_name(m), prev - L, k / 2000.0);
        prev = L;
    }
}

static void test_viridis_monotone(void **state)
{
    (void)state;
    check_monotone(DR_CMAP_VIRIDIS);
    /* the published end colours: #440154 and #fde725 */
    dr_rgb a = dr_viz_cmap_eval(DR_CMAP_VIRIDIS, 0), b = dr_viz_cmap_eval(DR_CMAP_VIRIDIS, 1);
    assert_true(a.r == 0x44 && a.g == 0x01 && a.b == 0x54);
    assert_true(b.r == 0xfd && b.g == 0xe7 && b.b == 0x25);
    /* and the range of lightness the map is known for: about 16 to 92 */
    assert_true(fabs(lightness(DR_CMAP_VIRIDIS, 0) - 15.9) < 1.5);
    assert_true(fabs(lightness(DR_CMAP_VIRIDIS, 1) - 91.3) < 1.5);
}

static void test_magma_monotone(void **state)
{
    (void)state;
    check_monotone(DR_CMAP_MAGMA);
    /* from near black (#000004) to pale yellow (#fcfdbf) */
    assert_true(lightness(DR_CMAP_MAGMA, 0) < 1.0);
    assert_true(lightness(DR_CMAP_MAGMA, 1) > 97.0);
}

static void test_grey_monotone(void **state)
{
    (void)state;
    check_monotone(DR_CMAP_GREY);
}

static void test_diverging_symmetric(void **state)
{
    (void)state;
    for (int k = 0; k <= 500; k++) {
        double s = k / 1000.0;
        double lo[3], hi[3];
        to_lab(dr_viz_cmap_eval(DR_CMAP_DIVERGING, s), lo);
        to_lab(dr_viz_cmap_eval(DR_CMAP_DIVERGING, 1 - s), hi);
        if (fabs(lo[0] - hi[0]) > 1.0)
            fail_msg("L*(%g) = %.2f but L*(%g) = %.2f", s, lo[0], 1 - s, hi[0]);
        /* chroma is matched too, so +d and -d look equally strong */
        if (fabs(hypot(lo[1], lo[2]) - hypot(hi[1], hi[2])) > 2.0)
            fail_msg("chroma differs at s = %g: %.2f vs %.2f", s, hypot(lo[1], lo[2]),
                     hypot(hi[1], hi[2]));
        if (k < 490) {
            /* below the centre blue (b* < 0), above it red (a* > 0) */
            assert_true(lo[2] < 0);
            assert_true(hi[1] > 0);
        }
    }
    double c[3];
    to_lab(dr_viz_cmap_eval(DR_CMAP_DIVERGING, 0.5), c);
    assert_true(c[0] > 95 && hypot(c[1], c[2]) < 2.0); /* a neutral near-white centre */
    /* lightness falls monotonically from the centre to both ends (by at least 50 units) */
    double prev = c[0];
    for (int k = 1; k <= 50; k++) {
        double L = lightness(DR_CMAP_DIVERGING, 0.5 + k / 100.0);
        assert_true(L < prev);
        prev = L;
    }
    assert_true(c[0] - prev > 50);
}

static void test_scale_auto(void **state)
{
    (void)state;
    double v[6] = {3, -1, NAN, 2, INFINITY, 0.5};
    dr_viz_scale sc;
    /* linear: the finite range [-1, 3] */
    assert_int_equal(dr_viz_scale_auto(&sc, v, 6, DR_CMAP_VIRIDIS, 0), DR_SUCCESS);
    assert_true(sc.lo == -1 && sc.hi == 3);
    assert_true(dr_viz_scale_position(&sc, 1.0) == 0.5);     /* (1 - -1) / 4 */
    assert_true(dr_viz_scale_position(&sc, 10.0) == 1.0);    /* clamped */
    assert_true(isnan(dr_viz_scale_position(&sc, NAN)));
    /* diverging: symmetric about zero, so 0 is the white centre */
    assert_int_equal(dr_viz_scale_auto(&sc, v, 6, DR_CMAP_DIVERGING, 0), DR_SUCCESS);
    assert_true(sc.lo == -3 && sc.hi == 3);
    assert_true(dr_viz_scale_position(&sc, 0.0) == 0.5);
    /* log: the positive range [0.5, 3]; 0.5 * sqrt(6) sits halfway in log */
    assert_int_equal(dr_viz_scale_auto(&sc, v, 6, DR_CMAP_MAGMA, 1), DR_SUCCESS);
    assert_true(sc.lo == 0.5 && sc.hi == 3);
    assert_true(fabs(dr_viz_scale_position(&sc, 0.5 * sqrt(6.0)) - 0.5) < 1e-15);
    assert_true(dr_viz_scale_position(&sc, -1.0) == 0.0);
    /* nothing usable */
    double neg[2] = {-1, -2};
    assert_int_equal(dr_viz_scale_auto(&sc, neg, 2, DR_CMAP_MAGMA, 1), DR_EINVAL);
    /* constant field: a non-empty range that contains the value */
    double cst[3] = {2, 2, 2};
    assert_int_equal(dr_viz_scale_auto(&sc, cst, 3, DR_CMAP_VIRIDIS, 0), DR_SUCCESS);
    assert_true(sc.lo < 2 && sc.hi > 2);
    /* caller-given scales are checked */
    dr_viz_scale bad = {DR_CMAP_VIRIDIS, 1, 1, 0};
    assert_int_equal(dr_viz_scale_check(&bad), DR_EINVAL);
    dr_viz_scale badlog = {DR_CMAP_VIRIDIS, 0, 1, 1};
    assert_int_equal(dr_viz_scale_check(&badlog), DR_EINVAL);
}

static void test_names(void **state)
{
    (void)state;
    dr_viz_cmap m;
    assert_int_equal(dr_viz_cmap_parse("magma", &m), DR_SUCCESS);
    assert_int_equal(m, DR_CMAP_MAGMA);
    assert_int_equal(dr_viz_cmap_parse("bwr", &m), DR_SUCCESS);
    assert_int_equal(m, DR_CMAP_DIVERGING);
    assert_int_equal(dr_viz_cmap_parse("jet", &m), DR_ENOTFOUND);
    assert_non_null(strstr(dr_error_message(), "jet"));
    assert_string_equal(dr_viz_cmap_name(DR_CMAP_VIRIDIS), "viridis");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_viridis_monotone),  cmocka_unit_test(test_magma_monotone),
        cmocka_unit_test(test_grey_monotone),     cmocka_unit_test(test_diverging_symmetric),
        cmocka_unit_test(test_scale_auto),        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
