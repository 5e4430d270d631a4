/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An index of where phi(k) = v(k) + (x - y_k)^2/(2t) can be low along each grid line, so the global
 * search (hopflax_global.c) finds an output point's candidate wells without scanning its reach.
 * The lines are the y-rows of f's samples (candidates: the row-local minima of phi) and, in 2-D,
 * the columns of pass 1's values (which rows can hold a candidate at all: those where phi <= U).
 *
 * Along a line, phi(k+1) - phi(k) = (h/t) (s(k) - x) with the slope coordinate
 *     s(k) = t (v(k+1) - v(k)) / h + y_k + h/2,
 * which does not depend on x. So k is a local minimum of phi exactly when s(k-1) <= x <= s(k),
 * and where s increases, phi falls then rises: one minimum, found by bisection, and one interval
 * where phi <= U around it. Where v is convex, s increases by at least h a step; it can decrease
 * only where the second difference of v is below -h^2/t (a concave stretch between wells). The
 * index keeps, per line, the breaks: the j where s(j+1) - s(j) < h/2. Between two breaks s
 * increases by at least h/2 a step, far above its rounding, so bisection is exact there; each
 * break's own k = j + 1 is tested directly. Queries widen x by a tolerance covering the rounding
 * of phi's own comparisons, so every minimum the exact test (local_min in hopflax_global.c)
 * would accept is returned; a few extra are harmless, as the caller tests each one. Cost per line
 * and point: one bisection per stretch in reach instead of a scan of every point in reach; and
 * none for a stretch whose least value plus the least (x - y)^2/(2t) over it is above U (on a
 * landscape with many wells most stretches in reach are such). */
#include "hopflax_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

static const double *line_of(const dr_hopflax_lines *L, size_t i)
{
    return L->base + i * L->stride;
}

/* The slope coordinate, with the line's ends as sentinels (no neighbour there, so the side
 * condition holds for every x). */
static double slope_coord(const dr_hopflax_lines *L, const double *v, long k)
{
    if (k < 0) return -INFINITY;
    if (k >= (long)L->len - 1) return INFINITY;
    return L->t * (v[k + 1] - v[k]) / L->h + (L->ystart + (double)k * L->h) + 0.5 * L->h;
}

/* Breaks of one line into out (NULL: count only); -1 if its values are not finite or so large
 * that s's rounding would reach the h/2 margin (the caller then scans). */
static long line_breaks(const dr_hopflax_lines *L, size_t i, uint32_t *out)
{
    const double *v = line_of(L, i);
    double h = L->h, big = 0.0;
    for (size_t k = 0; k < L->len; k++) {
        if (!isfinite(v[k])) return -1;
        big = fmax(big, fabs(v[k]));
    }
    double ymax = fabs(L->ystart) + (double)L->len * h;
    if (64 * DBL_EPSILON * (big * L->t / h + ymax + h) > h / 8) return -1;
    long n = 0;
    for (long j = 0; j + 2 < (long)L->len; j++)
        if (slope_coord(L, v, j + 1) - slope_coord(L, v, j) < 0.5 * h) {
            if (out) out[n] = (uint32_t)j;
            n++;
        }
    return n;
}

void dr_hopflax_lines_free(dr_hopflax_lines *L)
{
    free(L->off);
    free(L->brk);
    free(L->smin);
    free(L->bmin);
    L->off = NULL;
    L->brk = NULL;
    L->smin = NULL;
    L->bmin = NULL;
    L->inv2t = 0.5 / L->t;
}

typedef struct { size_t a, b, kb; } stretch;
static stretch stretch_at(const dr_hopflax_lines *L, const uint32_t *brk, size_t nb, size_t m);

/* Where stretch s's values are read, with the neighbour either side: [a - 1, kb or b]. */
static void stretch_span(const dr_hopflax_lines *L, stretch s, size_t *lo, size_t *hi)
{
    *lo = s.a ? s.a - 1 : 0;
    *hi = s.kb == SIZE_MAX ? s.b : s.kb;
    if (*hi > L->len - 1) *hi = L->len - 1;
}

/* The least value of each of line i's stretches over its span. */
static void stretch_mins(dr_hopflax_lines *L, size_t i)
{
    const double *v = line_of(L, i);
    const uint32_t *brk = L->brk + L->off[i];
    size_t nb = L->off[i + 1] - L->off[i];
    for (size_t m = 0; m <= nb; m++) {
        size_t lo, hi;
        stretch_span(L, stretch_at(L, brk, nb, m), &lo, &hi);
        double least = INFINITY;
        for (size_t k = lo; k <= hi; k++) least = fmin(least, v[k]);
        L->smin[L->off[i] + i + m] = least;
    }
}

/* Whether values at least `least` on [lo, hi] can give phi <= U at x: not if least plus the
 * least distance term there is above U. The distance is shrunk and U raised by far more than
 * their rounding, so that no k the exact comparisons would keep is dropped. */
static int span_may_reach(const dr_hopflax_lines *L, double least, size_t lo, size_t hi,
                          double x, double U)
{
    double ya = L->yorigin + (double)(L->korigin + lo) * L->h;
    double yb = L->yorigin + (double)(L->korigin + hi) * L->h;
    double d = x < ya ? ya - x : x > yb ? x - yb : 0.0;
    d -= 1e-9 * (fabs(x) + fabs(ya) + fabs(yb) + L->h);
    if (d < 0.0) d = 0.0;
    /* times 1/(2t) rather than over 2t: the division held 28% of this test's profile samples */
    return least + d * d * L->inv2t <= U + 1e-12 * (fabs(U) + fabs(least) + 1.0);
}

/* Whether stretch m of line i can hold a k with phi <= U at x. */
static int may_reach(const dr_hopflax_lines *L, size_t i, size_t m, stretch s, double x, double U)
{
    size_t lo, hi;
    stretch_span(L, s, &lo, &hi);
    return span_may_reach(L, L->smin[L->off[i] + i + m], lo, hi, x, U);
}

/* At the first stretch m0 visited and at each block's first: if no stretch from m to the end of
 * its block (or of the line) can hold a k with phi <= U, the stretch after them, else m. A
 * block's least value may come from the next line's stretches too: a lower bound still. */
static size_t block_skip(const dr_hopflax_lines *L, size_t i, const uint32_t *brk, size_t nb,
                         size_t m, size_t m0, double x, double U)
{
    size_t g = L->off[i] + i + m, B = DR_HOPFLAX_BLOCK;
    if (g % B && m != m0) return m;
    size_t last = m + (B - 1 - g % B), lo, hi, lo2, hi2;
    if (last > nb) last = nb;
    stretch_span(L, stretch_at(L, brk, nb, m), &lo, &hi);
    stretch_span(L, stretch_at(L, brk, nb, last), &lo2, &hi2);
    return span_may_reach(L, L->bmin[g / B], lo, hi2, x, U) ? m : last + 1;
}

/* The first stretch from m on that no block bound rules out (nb + 1: none left). */
static size_t next_visited(const dr_hopflax_lines *L, size_t i, const uint32_t *brk, size_t nb,
                           size_t m, size_t m0, double x, double U)
{
    for (size_t next; m <= nb && (next = block_skip(L, i, brk, nb, m, m0, x, U)) > m;) m = next;
    return m;
}

int dr_hopflax_lines_build(dr_hopflax_lines *L)
{
    int bad = L->len >= UINT32_MAX || L->len < 1, nthreads = L->threads > 0 ? L->threads : 1;
    L->brk = NULL;
    L->smin = NULL;
    L->bmin = NULL;
    L->inv2t = 0.5 / L->t;
    L->off = calloc(L->nlines + 1, sizeof(size_t));
    if (!L->off || bad) goto fail;
    #pragma omp parallel for schedule(static) reduction(|| : bad) num_threads(nthreads)
    for (size_t i = 0; i < L->nlines; i++) {
        long n = line_breaks(L, i, NULL);
        if (n < 0) bad = 1;
        else L->off[i + 1] = (size_t)n;
    }
    if (bad) goto fail;
    for (size_t i = 0; i < L->nlines; i++) L->off[i + 1] += L->off[i];
    L->brk = malloc((L->off[L->nlines] + 1) * sizeof(uint32_t));
    size_t nst = L->off[L->nlines] + L->nlines, nblk = (nst + DR_HOPFLAX_BLOCK - 1) / DR_HOPFLAX_BLOCK;
    L->smin = malloc(nst * sizeof(double));
    L->bmin = malloc(nblk * sizeof(double));
    if (!L->brk || !L->smin || !L->bmin) goto fail;
    #pragma omp parallel for schedule(static) num_threads(nthreads)
    for (size_t i = 0; i < L->nlines; i++) {
        line_breaks(L, i, L->brk + L->off[i]);
        stretch_mins(L, i);
    }
    for (size_t b = 0; b < nblk; b++) {
        L->bmin[b] = INFINITY;
        for (size_t g = b * DR_HOPFLAX_BLOCK; g < nst && g < (b + 1) * DR_HOPFLAX_BLOCK; g++)
            L->bmin[b] = fmin(L->bmin[b], L->smin[g]);
    }
    return 0;
fail:
    dr_hopflax_lines_free(L);
    return -1;
}

/* First k in [a, b] with s(k) >= target (b + 1 if none); s increases on [a, b]. */
static size_t first_at_least(const dr_hopflax_lines *L, const double *v, size_t a, size_t b,
                             double target)
{
    size_t lo = a, hi = b + 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (slope_coord(L, v, (long)mid) >= target) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

static void emit(size_t k, size_t *ks, size_t cap, size_t *n, int *overflow)
{
    if (*n < cap) ks[(*n)++] = k;
    else *overflow = 1;
}

/* The stretches of line i that meet [kl, kh]: stretch m holds the k in [a, b] between its
 * breaks (s increasing on [a - 1, b]), followed by its break's own k = b + 1 (kb, or SIZE_MAX
 * after the last). Returns the number of the first stretch to visit. */

static size_t first_stretch(const uint32_t *brk, size_t nb, size_t kl)
{
    size_t lo = 0, hi = nb;
    while (lo < hi) {  /* the first stretch that can hold a k >= kl */
        size_t mid = lo + (hi - lo) / 2;
        if ((size_t)brk[mid] + 1 < kl) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static stretch stretch_at(const dr_hopflax_lines *L, const uint32_t *brk, size_t nb, size_t m)
{
    stretch s = {m ? (size_t)brk[m - 1] + 2 : 0, m < nb ? brk[m] : L->len - 1, SIZE_MAX};
    if (m < nb) s.kb = (size_t)brk[m] + 1;
    return s;
}

size_t dr_hopflax_lines_minima(const dr_hopflax_lines *L, size_t i, double x, double tol,
                               double U, size_t kl, size_t kh, size_t *ks, size_t cap,
                               int *overflow)
{
    const double *v = line_of(L, i);
    const uint32_t *brk = L->brk + L->off[i];
    size_t nb = L->off[i + 1] - L->off[i], n = 0;
    size_t m0 = first_stretch(brk, nb, kl);
    for (size_t m = next_visited(L, i, brk, nb, m0, m0, x, U); m <= nb;
         m = next_visited(L, i, brk, nb, m + 1, m0, x, U)) {
        stretch s = stretch_at(L, brk, nb, m);
        if (s.a > kh) break;
        if (!may_reach(L, i, m, s, x, U)) continue;
        size_t a = s.a > kl ? s.a : kl, b = s.b < kh ? s.b : kh;
        if (a <= b)
            for (size_t k = first_at_least(L, v, a, b, x - tol);
                 k <= b && slope_coord(L, v, (long)k - 1) <= x + tol; k++)
                emit(k, ks, cap, &n, overflow);
        if (s.kb == SIZE_MAX || s.kb < kl || s.kb > kh) continue;
        double s0 = slope_coord(L, v, (long)s.kb - 1), s1 = slope_coord(L, v, (long)s.kb);
        if (fmin(s0, s1) <= x + tol && fmax(s0, s1) >= x - tol) emit(s.kb, ks, cap, &n, overflow);
    }
    return n;
}

/* phi exactly as the global search computes it: its y from the grid's own origin. */
static double line_phi(const dr_hopflax_lines *L, const double *v, double x, size_t k)
{
    double d = x - (L->yorigin + (double)(L->korigin + k) * L->h);
    return v[k] + d * d / (2.0 * L->t);
}

/* Appends the k of [a, b] around k0 where phi <= U (phi is unimodal on [a, b]). */
static void walk_below(const dr_hopflax_lines *L, const double *v, double x, double U,
                       size_t a, size_t b, size_t k0, size_t *ks, size_t cap, size_t *n,
                       int *overflow)
{
    for (size_t k = k0 + 1; k-- > a && line_phi(L, v, x, k) <= U;) emit(k, ks, cap, n, overflow);
    for (size_t k = k0 + 1; k <= b && line_phi(L, v, x, k) <= U; k++) emit(k, ks, cap, n, overflow);
}

size_t dr_hopflax_lines_below(const dr_hopflax_lines *L, size_t i, double x, double U,
                              size_t kl, size_t kh, size_t *ks, size_t cap, int *overflow)
{
    const double *v = line_of(L, i);
    const uint32_t *brk = L->brk + L->off[i];
    size_t nb = L->off[i + 1] - L->off[i], n = 0;
    size_t m0 = first_stretch(brk, nb, kl);
    for (size_t m = next_visited(L, i, brk, nb, m0, m0, x, U); m <= nb;
         m = next_visited(L, i, brk, nb, m + 1, m0, x, U)) {
        stretch s = stretch_at(L, brk, nb, m);
        /* phi falls then rises on [a - 1, b + 1], so its sublevel set there is one interval;
         * a - 1 is the previous stretch's b + 1, walked there unless this is the first visited */
        size_t a = s.a && m == m0 ? s.a - 1 : s.a, b = s.kb == SIZE_MAX ? s.b : s.kb;
        if (a > kh) break;
        if (a < kl) a = kl;
        if (b > kh) b = kh;
        if (a > b || !may_reach(L, i, m, s, x, U)) continue;
        size_t k0 = first_at_least(L, v, a, b, x);
        if (k0 > b) k0 = b;
        /* rounding can put the bisection one off the minimum: start from the lowest of three */
        size_t best = k0;
        for (size_t k = k0 > a ? k0 - 1 : a; k <= k0 + 1 && k <= b; k++)
            if (line_phi(L, v, x, k) < line_phi(L, v, x, best)) best = k;
        if (line_phi(L, v, x, best) <= U) walk_below(L, v, x, U, a, b, best, ks, cap, &n, overflow);
    }
    return n;
}
