/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What many cmocka tests need: a built-in landscape, the uniform grids [lo, hi] and [lo, hi]^2,
 * and a double comparison that reports both numbers (cmocka 1.1 has none). Include after
 * <cmocka.h>; a failure fails the running test with the library's message. */
#ifndef DEEPRELAX_TEST_COMMON_H
#define DEEPRELAX_TEST_COMMON_H

#include <math.h>

#include "deeprelax/error.h"
#include "deeprelax/grid.h"
#include "deeprelax/landscape.h"

/* |a - b| <= eps, reporting both numbers. */
#define assert_near(a, b, eps)                                                               \
    do {                                                                                     \
        double a_ = (a), b_ = (b);                                                           \
        if (!(fabs(a_ - b_) <= (eps)))                                                       \
            fail_msg("%s = %.17g, expected %.17g (tolerance %g)", #a, a_, b_, (double)(eps)); \
    } while (0)

static inline dr_landscape *builtin(const char *name)
{
    dr_landscape *f = NULL;
    if (dr_landscape_alloc_builtin(&f, name, NULL)) fail_msg("%s: %s", name, dr_error_message());
    return f;
}

static inline dr_grid grid1(size_t n, double lo, double hi)
{
    dr_grid g;
    size_t nn[2] = {n, 1};
    double l[2] = {lo, 0}, h[2] = {hi, 0};
    assert_int_equal(dr_grid_init(&g, 1, nn, l, h), DR_SUCCESS);
    return g;
}

static inline dr_grid grid2(size_t n, double lo, double hi)
{
    dr_grid g;
    size_t nn[2] = {n, n};
    double l[2] = {lo, lo}, h[2] = {hi, hi};
    assert_int_equal(dr_grid_init(&g, 2, nn, l, h), DR_SUCCESS);
    return g;
}

#endif
