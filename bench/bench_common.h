/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What every benchmark needs: a clock, a fatal error with the library's message, a square grid
 * and a built-in landscape. Before including, a benchmark defines BENCH_NAME (its name, for the
 * error line) and may define BENCH_CLOCK: CLOCK_MONOTONIC (wall-clock, the default: what a user
 * waits) or CLOCK_PROCESS_CPUTIME_ID (the single-threaded benchmarks' per-point costs, steadier
 * on a shared machine). */
#ifndef DEEPRELAX_BENCH_COMMON_H
#define DEEPRELAX_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "deeprelax/error.h"
#include "deeprelax/grid.h"
#include "deeprelax/landscape.h"

#ifndef BENCH_NAME
#error "define BENCH_NAME before including bench_common.h"
#endif
#ifndef BENCH_CLOCK
#define BENCH_CLOCK CLOCK_MONOTONIC
#endif

static inline double now(void)
{
    struct timespec ts;
    clock_gettime(BENCH_CLOCK, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline void die(const char *what)
{
    fprintf(stderr, "%s: %s: %s\n", BENCH_NAME, what, dr_error_message());
    exit(1);
}

/* The grid [lo, hi]^dim with n points per axis. */
static inline dr_grid square(int dim, size_t n, double lo, double hi)
{
    dr_grid g;
    const size_t ns[2] = {n, n};
    const double los[2] = {lo, lo}, his[2] = {hi, hi};
    if (dr_grid_init(&g, dim, ns, los, his))
        die("grid");
    return g;
}

static inline dr_landscape *builtin(const char *name)
{
    dr_landscape *f = NULL;
    if (dr_landscape_alloc_builtin(&f, name, NULL))
        die(name);
    return f;
}

#endif
