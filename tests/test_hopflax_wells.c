/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the line index of the Hopf-Lax global search (solver/hopflax_wells.c) against a brute
 * scan: for every x the index must return every grid local minimum of
 * phi(k) = f(k) + (x - y_k)^2/(2t) that the exact comparisons find (it may return a few more,
 * which the search tests one by one), and exactly the k where phi <= U, on convex, multi-well,
 * noisy and tied lines, at t from 0.01 to 10 and at x placed exactly on the slope coordinates
 * where a minimum changes hands. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "../solver/hopflax_internal.h"

#define N 801

/* The line is f's samples fy[LO .. HI] of a longer row, as the search sees an active range. */
#define LO 3
#define HI (N - 4)
static double fy[N];

static double phi(const dr_hopflax_lines *L, double x, size_t k)
{
    double d = x - (L->yorigin + (double)(L->korigin + k) * L->h);
    return L->base[k] + d * d * (0.5 / L->t);  /* 1/(2t) times, as the search computes it */
}

/* The tie rule of the search: the first of equal values in scan order stands. */
static int local_min(const dr_hopflax_lines *L, double x, size_t k)
{
    double p = phi(L, x, k);
    if (k > 0 && !(phi(L, x, k - 1) > p)) return 0;
    if (k + 1 < L->len && phi(L, x, k + 1) < p) return 0;
    return 1;
}

static double row_value(int kind, double y, unsigned *seed)
{
    switch (kind) {
    case 0: return 0.5 * y * y;
    case 1: return sin(7.0 * y) + 0.3 * y * y;
    case 2: return (double)rand_r(seed) / RAND_MAX;
    default: return floor(4.0 * (sin(3.0 * y) + 0.2 * y * y)) / 4.0; /* plateaus: ties */
    }
}

/* Every brute-force local minimum in [kl, kh] with phi <= U is among the index's answers (U the
 * highest minimum, and a lower one), and the k with phi <= U are exactly the brute force's;
 * returns the number of minima returned for the highest U (for the convex line's count
 * check). */
static size_t check_x(const dr_hopflax_lines *L, double x, size_t kl, size_t kh, uint32_t *hint)
{
    size_t ks[N], n, nb, count = 0;
    int overflow = 0;
    /* the search's tolerance (hopflax_global.c) for the highest minimum asked about */
    double U = -INFINITY, fy_min = INFINITY, ymax = fabs(L->ystart) + (double)L->len * L->h;
    for (size_t k = kl; k <= kh; k++) {
        fy_min = fmin(fy_min, L->base[k]);
        if (local_min(L, x, k)) U = fmax(U, phi(L, x, k));
    }
    if (!isfinite(U)) U = fy_min; /* none in range: any finite tolerance will do */
    double tol = 64 * DBL_EPSILON * ((fabs(U) + fabs(fy_min) + 1.0) * L->t / L->h + fabs(x) +
                                     ymax + L->h);
    /* asked for every minimum (U, the highest), then for those at most a third of the way
     * from the lowest up (the stretches whose values lie above that are skipped) */
    double lowest = INFINITY;
    for (size_t k = kl; k <= kh; k++)
        if (local_min(L, x, k)) lowest = fmin(lowest, phi(L, x, k));
    for (int pass = 0; pass < 2; pass++) {
        double Uq = pass == 0 || !isfinite(lowest) ? U : lowest + (U - lowest) / 3;
        size_t nq = dr_hopflax_lines_minima(L, 0, x, tol, Uq, kl, kh, pass ? NULL : hint, ks, N,
                                            &overflow);
        assert_false(overflow);
        if (pass == 0) n = nq;
        for (size_t k = kl; k <= kh; k++) {
            if (!local_min(L, x, k) || !(phi(L, x, k) <= Uq)) continue;
            int found = 0;
            for (size_t i = 0; i < nq; i++) found |= ks[i] == k;
            if (!found) fail_msg("x = %.17g, t = %g: local minimum k = %zu missed", x, L->t, k);
        }
    }
    nb = dr_hopflax_lines_below(L, 0, x, U, kl, kh, hint, ks, N, &overflow);
    assert_false(overflow);
    for (size_t i = 0; i < nb; i++) {
        if (!(phi(L, x, ks[i]) <= U)) fail_msg("x = %.17g: k = %zu is above U", x, ks[i]);
        for (size_t j = 0; j < i; j++)
            if (ks[j] == ks[i]) fail_msg("x = %.17g: k = %zu returned twice", x, ks[i]);
    }
    for (size_t k = kl; k <= kh; k++) count += phi(L, x, k) <= U;
    if (count != nb) fail_msg("x = %.17g, t = %g: %zu k below U, index gave %zu", x, L->t, count, nb);
    return n;
}

/* Each line at each t with no near list (queries test every k between the hull vertices), with
 * one 1e-3 above the hull (the search's sub-grid error is of that order; queries whose U lies
 * within it of the least phi test the listed k only) and with one 0.1 above it. */
static void index_matches_scan(void **state)
{
    (void)state;
    const double ts[] = {0.01, 0.3, 1.0, 10.0}, nears[] = {0.0, 1e-3, 0.1};
    for (int kind = 0; kind < 4; kind++)
        for (size_t it = 0; it < sizeof ts / sizeof ts[0] * 3; it++) {
            unsigned seed = 7u + (unsigned)kind;
            double y0 = -2.0, h = 4.0 / (N - 1);
            dr_hopflax_lines L = {.base = fy + LO, .stride = N, .nlines = 1, .len = HI - LO + 1,
                                  .korigin = LO, .t = ts[it / 3], .h = h, .ystart = y0 + LO * h,
                                  .yorigin = y0, .near = nears[it % 3]};
            for (size_t k = 0; k < N; k++) fy[k] = row_value(kind, y0 + k * h, &seed);
            assert_int_equal(dr_hopflax_lines_build(&L), 0);
            if (kind == 0) /* convex: every point is a hull vertex */
                assert_int_equal(L.hoff[1], L.len);
            int nq = it % 3 ? 1000 : 3000; /* fewer x with a list: the brute scan is the cost */
            uint32_t hint = UINT32_MAX; /* the place kept from one x to the next, as the search
                                           keeps it (and none, on the second query) */
            for (int q = 0; q < nq; q++) {
                double x = -3.0 + 6.0 * q / (nq - 1);
                if (q % 3 == 1) { /* exactly where a neighbour pair ties, and one ulp above */
                    size_t k = (size_t)q % (L.len - 1);
                    double s = L.t * (L.base[k + 1] - L.base[k]) / h + (L.ystart + k * h) + 0.5 * h;
                    x = q % 2 ? nextafter(s, INFINITY) : s;
                }
                size_t kl = 0, kh = L.len - 1;
                if (q % 5 == 0) { kl += (size_t)q % 200; kh -= (size_t)q % 300; }
                size_t n = check_x(&L, x, kl, kh, &hint);
                if (kind == 0 && n > 2)
                    fail_msg("convex line: %zu minima at x = %.17g, t = %g", n, x, L.t);
            }
            dr_hopflax_lines_free(&L);
        }
}

/* A non-finite sample makes the index decline (the caller then scans), not answer wrongly. */
static void index_declines_nonfinite(void **state)
{
    (void)state;
    for (size_t k = 0; k < N; k++) fy[k] = (double)k;
    fy[N / 2] = INFINITY;
    dr_hopflax_lines L = {.base = fy, .stride = N, .nlines = 1, .len = N, .t = 1, .h = 0.01};
    assert_int_equal(dr_hopflax_lines_build(&L), -1);
    assert_null(L.hoff);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(index_matches_scan),
        cmocka_unit_test(index_declines_nonfinite),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
