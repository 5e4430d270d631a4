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

/* Share of the machine's CPU time that the hypervisor gave to other guests (steal, /proc/stat)
 * since the first call, -1 where the kernel does not count it. A benchmark starts the count
 * first and prints it last (steal_line): on a shared host it explains timings that no change of
 * code does (2 threads that scale 1.5x one minute and 1.9x the next). */
static inline double steal_share(void)
{
    static unsigned long long first_steal, first_total;
    static int started;
    unsigned long long v[8] = {0}, total = 0;
    FILE *f = fopen("/proc/stat", "r");
    int got = f ? fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                         &v[3], &v[4], &v[5], &v[6], &v[7]) : 0;
    if (f) fclose(f);
    if (got < 8) return -1.0;
    for (int i = 0; i < 8; i++) total += v[i];
    if (!started) {
        started = 1;
        first_steal = v[7];
        first_total = total;
        return 0.0;
    }
    return total > first_total ? (double)(v[7] - first_steal) / (double)(total - first_total)
                               : 0.0;
}

static inline void steal_line(void)
{
    double s = steal_share();
    if (s >= 0.0)
        printf("host: %.1f%% of this machine's CPU time went to other guests during the run "
               "(steal)\n", 100.0 * s);
}

static inline dr_landscape *builtin(const char *name)
{
    dr_landscape *f = NULL;
    if (dr_landscape_alloc_builtin(&f, name, NULL))
        die(name);
    return f;
}

#endif
