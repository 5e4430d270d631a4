/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An index of where phi(k) = v(k) + (x - y_k)^2/(2t) can be low along each grid line, so the global
 * search (hopflax_global.c) finds an output point's candidate wells without scanning its reach.
 * The lines are the y-rows of f's samples (candidates: the row-local minima of phi) and, in 2-D,
 * the columns of pass 1's values (which rows can hold a candidate at all: those where phi <= U).
 *
 * Tilted, t phi(k) = P(k) - x y_k + x^2/2 with P(k) = t v(k) + y_k^2/2, which does not depend on
 * x: phi at x is P less a line of slope x. So phi's least value over the line is reached on the
 * lower convex hull of the points (y_k, P(k)), at the vertex where the hull's slope passes x
 * (found by bisection on the edges' slopes); and the hull less that line is convex, so the k
 * where phi <= U lie between the nearest hull vertices either side where phi > U (a walk over a
 * few vertices). Between them only the points whose height above the hull (their gap, in phi's
 * units) is at most U less the least phi can have phi <= U: each line lists its points with a
 * gap up to `near` (the caller's sub-grid error, a few times over), and a query whose U lies
 * within `near` of the least phi tests those only; one asking for more tests every k between
 * the vertices. On a convex stretch every point is a vertex and a query visits the few around
 * the minimum; across a concave stretch (between wells) one hull edge bridges it and its points,
 * far above the edge, are not listed. Cost per query: two bisections and its answers, where the
 * scan of every stretch in reach it replaces cost 5x more on the bench expression.
 *
 * Rounding: the hull is built from rounded P, so a point can lie below a computed edge, and the
 * computed least phi above the true one, by a few ulps of P; every bound here is widened by
 * `slack` (1e-10 of P's scale over t, far above that) so that no k the exact comparisons of the
 * search keep is dropped. A few extra answers are harmless: the caller tests each one. */
#include "hopflax_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const double *line_of(const dr_hopflax_lines *L, size_t i)
{
    return L->base + i * L->stride;
}

/* phi exactly as the global search computes it: its y from the grid's own origin. */
static double line_phi(const dr_hopflax_lines *L, const double *v, double x, size_t k)
{
    double d = x - (L->yorigin + (double)(L->korigin + k) * L->h);
    return v[k] + d * d * L->inv2t;
}

static double tilted(const dr_hopflax_lines *L, const double *v, size_t k)
{
    double y = L->ystart + (double)k * L->h;
    return L->t * v[k] + 0.5 * y * y;
}

/* Slope of the chord from a to b (a < b) of the points (y_k, P(k)), in units of x, from P at
 * both. */
static double slope(const dr_hopflax_lines *L, double pa, double pb, size_t a, size_t b)
{
    return (pb - pa) / ((double)(b - a) * L->h);
}

/* Line i's lower hull into hv (returns its vertex count) with P at each vertex in pv, and its
 * slack; -1 if a value is not finite (the caller then scans). */
static long line_hull(const dr_hopflax_lines *L, size_t i, uint32_t *hv, double *pv,
                      double *slack)
{
    const double *v = line_of(L, i);
    double big = 0.0;
    long n = 0;
    for (size_t k = 0; k < L->len; k++) {
        if (!isfinite(v[k])) return -1;
        double y = L->ystart + (double)k * L->h, b = fabs(L->t * v[k]) + y * y;
        double pk = tilted(L, v, k);
        big = b > big ? b : big;
        /* k replaces the last vertex while the chord to k is no steeper than the last edge */
        while (n >= 2 && slope(L, pv[n - 2], pv[n - 1], hv[n - 2], hv[n - 1]) >=
                             slope(L, pv[n - 1], pk, hv[n - 1], k))
            n--;
        hv[n] = (uint32_t)k;
        pv[n++] = pk;
    }
    *slack = 1e-10 * (big / L->t + 1.0);
    return n;
}

/* The hull's edge slopes (hs[j]: from hv[j] to hv[j + 1], +inf after the last; hs holds P at
 * the vertices on entry, line_hull's pv) and the points of line i within near + slack of the
 * hull into nk, vertex j's place among them at np[j]; returns how many those are. */
static size_t line_near(const dr_hopflax_lines *L, size_t i, const uint32_t *hv, size_t nh,
                        double *hs, uint32_t *nk, uint32_t *np)
{
    const double *v = line_of(L, i);
    size_t n = 0;
    for (size_t j = 0; j < nh; j++) {
        double p0 = hs[j];  /* P at vertex j; at j + 1 still in hs[j + 1] */
        hs[j] = j + 1 < nh ? slope(L, p0, hs[j + 1], hv[j], hv[j + 1]) : INFINITY;
        size_t end = j + 1 < nh ? hv[j + 1] : (size_t)hv[j] + 1;
        np[j] = (uint32_t)n;
        for (size_t k = hv[j]; k < end; k++) {
            double pk = k == hv[j] ? p0 : tilted(L, v, k);
            double gap = (pk - p0 - (double)(k - hv[j]) * L->h * hs[j]) / L->t;
            if (k == hv[j] || gap <= L->near + L->slack[i]) nk[n++] = (uint32_t)k;
        }
    }
    return n;
}

void dr_hopflax_lines_free(dr_hopflax_lines *L)
{
    free(L->hoff);
    free(L->hv);
    free(L->hs);
    free(L->noff);
    free(L->nk);
    free(L->np);
    free(L->slack);
    L->hoff = L->noff = NULL;
    L->hv = L->nk = L->np = NULL;
    L->hs = L->slack = NULL;
}

/* Pass 1: every line's hull into hv at i * len (its count into hoff[i + 1]), near list at
 * nk + i * len likewise. -1 on a non-finite value. */
static int build_lines(dr_hopflax_lines *L, double *hs)
{
    int bad = 0, nthreads = L->threads > 0 ? L->threads : 1;
    #pragma omp parallel for schedule(static) reduction(|| : bad) num_threads(nthreads)
    for (size_t i = 0; i < L->nlines; i++) {
        uint32_t *hv = L->hv + i * L->len;
        long nh = line_hull(L, i, hv, hs + i * L->len, &L->slack[i]);
        if (nh < 0) { bad = 1; continue; }
        L->hoff[i + 1] = (size_t)nh;
        L->noff[i + 1] = line_near(L, i, hv, (size_t)nh, hs + i * L->len, L->nk + i * L->len,
                                   L->np + i * L->len);
    }
    return bad ? -1 : 0;
}

/* Packs the per-line blocks of size len (counts in off[1 ..]) to the front, off cumulative. */
static void pack(size_t *off, size_t nlines, size_t len, void *data, size_t elem)
{
    char *d = data;
    for (size_t i = 0; i < nlines; i++) {
        size_t n = off[i + 1];
        off[i + 1] = off[i] + n;
        memmove(d + off[i] * elem, d + i * len * elem, n * elem);
    }
}

int dr_hopflax_lines_build(dr_hopflax_lines *L)
{
    L->inv2t = 0.5 / L->t;
    size_t cells = L->nlines * L->len;
    double *hs = NULL;
    L->hoff = calloc(L->nlines + 1, sizeof(size_t));
    L->noff = calloc(L->nlines + 1, sizeof(size_t));
    L->hv = malloc(cells * sizeof(uint32_t));
    L->nk = malloc(cells * sizeof(uint32_t));
    L->np = malloc(cells * sizeof(uint32_t));
    L->hs = malloc(cells * sizeof(double));
    L->slack = malloc(L->nlines * sizeof(double));
    hs = L->hs;
    if (L->len < 1 || L->len >= UINT32_MAX || !L->hoff || !L->noff || !L->hv || !L->nk || !L->np || !hs ||
        !L->slack || build_lines(L, hs))
        goto fail;
    size_t *h2 = malloc((L->nlines + 1) * sizeof(size_t));
    if (!h2) goto fail;
    for (size_t i = 0; i <= L->nlines; i++) h2[i] = L->hoff[i];
    pack(L->hoff, L->nlines, L->len, L->hv, sizeof(uint32_t));
    pack(h2, L->nlines, L->len, hs, sizeof(double));
    for (size_t i = 0; i <= L->nlines; i++) h2[i] = i ? L->hoff[i] - L->hoff[i - 1] : 0;
    pack(h2, L->nlines, L->len, L->np, sizeof(uint32_t));
    free(h2);
    pack(L->noff, L->nlines, L->len, L->nk, sizeof(uint32_t));
    return 0;
fail:
    dr_hopflax_lines_free(L);
    return -1;
}

/* The widening of a query at x: the line's, and as much for the x terms of t phi. */
static double query_slack(const dr_hopflax_lines *L, size_t i, double x)
{
    return L->slack[i] + 1e-10 * x * x / L->t;
}

/* The vertex of line i's hull where phi at x is least: from the hint (the last query's, on the
 * same line at a nearby x: a few steps along the hull's slopes) where it is close, else by
 * bisection on them; rounding can put either a vertex off the least phi, so it descends to it. */
static size_t hull_least(const dr_hopflax_lines *L, size_t i, double x, uint32_t *hint,
                         double *m, double *near)
{
    const double *v = line_of(L, i);
    const uint32_t *hv = L->hv + L->hoff[i];
    const double *hs = L->hs + L->hoff[i];
    size_t nh = L->hoff[i + 1] - L->hoff[i], j = hint ? *hint : nh, steps = 0;
    if (j < nh) {  /* the first vertex whose right edge rises at least as steeply as x */
        while (j > 0 && hs[j - 1] >= x && steps++ < 8) j--;
        while (hs[j] < x && steps++ < 8) j++;
    }
    if (j >= nh || steps >= 8) {
        size_t lo = 0, hi = nh - 1;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (hs[mid] >= x) hi = mid;
            else lo = mid + 1;
        }
        j = lo;
    }
    /* near: phi at the vertices either side of j, which the descent computes anyway */
    double pj = line_phi(L, v, x, hv[j]), q = NAN;
    near[0] = near[1] = NAN;
    while (j > 0 && (q = line_phi(L, v, x, hv[j - 1])) < pj) { near[1] = pj; j--; pj = q; }
    if (j > 0) near[0] = q;
    while (j + 1 < nh && (q = line_phi(L, v, x, hv[j + 1])) < pj) { near[0] = pj; j++; pj = q; }
    if (j + 1 < nh) near[1] = q;
    if (hint) *hint = (uint32_t)j;
    *m = pj;
    return j;
}

/* Where line i's phi at x can be <= U: between hull vertices *l and *r, the nearest either side
 * of the least one with phi > U + slack (the line's ends if none); that least phi in *m. Returns
 * which ends are such vertices (bit 0: *l, bit 1: *r), whose own k the caller need not test. */
static unsigned hull_window(const dr_hopflax_lines *L, size_t i, double x, double U,
                            uint32_t *hint, size_t *l, size_t *r, double *m)
{
    const double *v = line_of(L, i);
    const uint32_t *hv = L->hv + L->hoff[i];
    double near[2];
    size_t nh = L->hoff[i + 1] - L->hoff[i], j = hull_least(L, i, x, hint, m, near);
    double top = U + query_slack(L, i, x), at = *m;
    /* the walks out from j, phi at j and its neighbours known from the descent */
    *l = *r = j;
    while (*l > 0 && at <= top) {
        (*l)--;
        at = *l + 1 == j ? near[0] : line_phi(L, v, x, hv[*l]);
    }
    at = *m;
    while (*r + 1 < nh && at <= top) {
        (*r)++;
        at = *r == j + 1 ? near[1] : line_phi(L, v, x, hv[*r]);
    }
    /* a walk that stopped before the line's end stopped at a vertex above top */
    return (*l > 0 ? 1u : 0u) | (*r + 1 < nh ? 2u : 0u);
}

static void emit(size_t k, size_t *ks, size_t cap, size_t *n, int *overflow)
{
    if (*n < cap) ks[(*n)++] = k;
    else *overflow = 1;
}

/* The k of line i in [kl, kh] that can have phi <= U at x: the listed ones where U is within
 * near of the least phi, else all, within the hull's window. Calls keep(k) on each; keep says
 * whether to emit it. */
typedef int (*keep_fn)(const dr_hopflax_lines *L, const double *v, double x, size_t k,
                       const double *arg);

static size_t window_query(const dr_hopflax_lines *L, size_t i, double x, double U, size_t kl,
                           size_t kh, uint32_t *hint, keep_fn keep, const double *arg,
                           size_t *ks, size_t cap, int *overflow)
{
    const double *v = line_of(L, i);
    const uint32_t *hv = L->hv + L->hoff[i];
    size_t l, r, n = 0;
    double m;
    /* the window's end vertices above top (U + slack, above what keep lets through) are left
     * out: keep would refuse them */
    unsigned out = hull_window(L, i, x, U, hint, &l, &r, &m), lo = out & 1, hi = out >> 1;
    if (!(U - m + query_slack(L, i, x) <= L->near)) {
        size_t a = hv[l] + lo, b = (size_t)hv[r] + 1 - hi;  /* [a, b) */
        if (a < kl) a = kl;
        if (b > kh + 1) b = kh + 1;
        for (size_t k = a; k < b; k++)
            if (keep(L, v, x, k, arg)) emit(k, ks, cap, &n, overflow);
        return n;
    }
    /* the listed k from vertex l's place to vertex r's (every vertex is listed) */
    const uint32_t *nk = L->nk + L->noff[i], *np = L->np + L->hoff[i];
    for (size_t p = np[l] + lo; p < (size_t)np[r] + 1 - hi; p++) {
        size_t k = nk[p];
        if (k > kh) break;
        if (k >= kl && keep(L, v, x, k, arg)) emit(k, ks, cap, &n, overflow);
    }
    return n;
}

/* arg = {U}: phi <= U exactly. */
static int keep_below(const dr_hopflax_lines *L, const double *v, double x, size_t k,
                      const double *arg)
{
    return line_phi(L, v, x, k) <= arg[0];
}

/* arg = {U widened, phi's tolerance}: phi <= U and no neighbour lower by more than the
 * tolerance (a row-local minimum, up to the rounding of the search's own comparisons). */
static int keep_minimum(const dr_hopflax_lines *L, const double *v, double x, size_t k,
                        const double *arg)
{
    double p = line_phi(L, v, x, k);
    if (!(p <= arg[0])) return 0;
    if (k > 0 && line_phi(L, v, x, k - 1) < p - arg[1]) return 0;
    return !(k + 1 < L->len && line_phi(L, v, x, k + 1) < p - arg[1]);
}

size_t dr_hopflax_lines_minima(const dr_hopflax_lines *L, size_t i, double x, double tol,
                               double U, size_t kl, size_t kh, uint32_t *hint, size_t *ks,
                               size_t cap, int *overflow)
{
    /* phi(k + 1) - phi(k) = (h/t) (s(k) - x) for the slope coordinate s: widening x by tol
     * widens the neighbour comparisons by (h/t) tol; U is widened by far more than the
     * rounding of the caller's subtraction of its y1 term */
    double sl = query_slack(L, i, x), tphi = L->h / L->t * tol;
    double Uw = U + 1e-12 * (fabs(U) + 1.0) + tphi + sl, arg[2] = {Uw, tphi + sl};
    return window_query(L, i, x, Uw, kl, kh, hint, keep_minimum, arg, ks, cap, overflow);
}

size_t dr_hopflax_lines_below(const dr_hopflax_lines *L, size_t i, double x, double U,
                              size_t kl, size_t kh, uint32_t *hint, size_t *ks, size_t cap,
                              int *overflow)
{
    return window_query(L, i, x, U, kl, kh, hint, keep_below, &U, ks, cap, overflow);
}
