/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The global minimum over y of phi(y) = f(y) + |x-y|^2/(2t), found for sure, not only on the grid.
 *
 * The grid minimum can sit in the wrong well: a well of curvature C sampled every hy misses its
 * floor by up to (C + 1/t) hy^2/8 per axis, more than two wells may differ by. But that is also
 * the most it can miss by: expanding phi about the true minimiser y* (grad phi = 0, D^2 phi <=
 * (C + 1/t) I), the grid point nearest y* has phi <= u + Delta, Delta = (C + 1/t) sum_a hy_a^2/8.
 * So the true minimiser lies in the well of some grid local minimum of phi whose value is within
 * Delta of the grid minimum; every such candidate is polished (hopflax_polish.c) and the lowest
 * polished value wins.
 *
 * In 2-D the candidates are found row by row: pass 1 of the envelope already holds, per output
 * column, min over y1 of f(y1, y2) + (x1 - y1)^2/(2t) for every row y2, so a row can hold a
 * candidate only if that plus (x2 - y2)^2/(2t) is within Delta; only those rows are scanned.
 *
 * The error reported per point: the winner's own (round-off, or 1e3 round-off on a kink);
 * where a polish could not be trusted, the bracket u >= (grid value of its well) - Delta. */
#include "hopflax_internal.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#define MAX_CANDIDATES 64
#define ROW_CAP 256  /* row-local minima one row may give before it is scanned instead */
#define ROWS_CAP 1024 /* rows one point may search before they are scanned instead */

typedef struct { double v; size_t k[2]; } candidate;

static double phi_grid(const dr_hopflax_view *v, const double *x, size_t k0, size_t k1)
{
    double d0 = x[0] - (v->y0[0] + (double)k0 * v->hy[0]), q = d0 * d0;
    if (v->dim == 2) {
        double d1 = x[1] - (v->y0[1] + (double)k1 * v->hy[1]);
        q += d1 * d1;
    }
    return v->fy[k1 * v->ny[0] + k0] + q * v->inv2t;
}

/* phi at the neighbour (a, b) of the grid point f points at, from the squared distances s0, s1
 * of its columns and rows (offsets -1, 0, 1), as phi_grid computes it. */
static double neighbour(const double *f, long row, const double *s0, const double *s1,
                        double inv2t, int a, int b)
{
    return f[b * row + a] + (s0[a + 1] + s1[b + 1]) * inv2t;
}

/* Is (k0, k1) a grid local minimum of phi (8 neighbours in 2-D; outside the active range: none)?
 * phi as phi_grid computes it, the squared distances per axis formed once; the callers pass
 * row-local minima, which lose (if at all) to a neighbour in the row above or below, so those
 * come first. Ties: the first in scan order stands for the plateau, so a point loses to an
 * equal neighbour before it (b < 0, or b = 0 and a < 0). */
static int local_min(const dr_hopflax_view *v, const double *x, size_t k0, size_t k1, double p)
{
    static const int order[8][2] = {{0, -1}, {0, 1}, {-1, -1}, {1, -1}, {-1, 1}, {1, 1},
                                    {-1, 0}, {1, 0}};
    double s[2][3] = {{0, 0, 0}, {0, 0, 0}};
    size_t k[2] = {k0, k1};
    for (int a = 0; a < v->dim; a++)
        for (int o = 0; o < 3; o++) {
            double d = x[a] - (v->y0[a] + (double)((long)k[a] + o - 1) * v->hy[a]);
            s[a][o] = d * d;
        }
    const double *f = v->fy + k1 * v->ny[0] + k0;
    long row = (long)v->ny[0];
    double w = v->inv2t;
    if (v->dim == 2 && k0 > v->lo[0] && k0 < v->hi[0] && k1 > v->lo[1] && k1 < v->hi[1])
        return !(neighbour(f, row, s[0], s[1], w, 0, -1) <= p ||
                 neighbour(f, row, s[0], s[1], w, 0, 1) < p ||
                 neighbour(f, row, s[0], s[1], w, -1, -1) <= p ||
                 neighbour(f, row, s[0], s[1], w, 1, -1) <= p ||
                 neighbour(f, row, s[0], s[1], w, -1, 1) < p ||
                 neighbour(f, row, s[0], s[1], w, 1, 1) < p ||
                 neighbour(f, row, s[0], s[1], w, -1, 0) <= p ||
                 neighbour(f, row, s[0], s[1], w, 1, 0) < p);
    for (int n = 0; n < 8; n++) {  /* 1-D, or on the active range's edge */
        int a = order[n][0], b = order[n][1];
        long i = (long)k0 + a, j = (long)k1 + b;
        if (v->dim == 1 && b) continue;
        if (i < (long)v->lo[0] || i > (long)v->hi[0]) continue;
        if (v->dim == 2 && (j < (long)v->lo[1] || j > (long)v->hi[1])) continue;
        double q = s[0][a + 1];
        if (v->dim == 2) q += s[1][b + 1];
        q = f[b * row + a] + q * w;
        if (q < p || (q == p && (b < 0 || (b == 0 && a < 0)))) return 0;
    }
    return 1;
}

static void add_candidate(candidate *c, size_t *n, int *overflow, double p, size_t k0, size_t k1)
{
    if (*n < MAX_CANDIDATES) c[(*n)++] = (candidate){p, {k0, k1}};
    else *overflow = 1;
}

/* Output points go in tiles of TILE_X by TILE_Y, row by row within each: the index lines a
 * tile's points query (its columns near its x1, its rows near its x0) stay in cache across it,
 * where a full output row would touch every column line once (on 1024^2, 20 MB between two
 * visits of one). 32 rows, not 16: a tile's first two rows go one point at a time (no warm start
 * from above), and its row memos serve more rows (3.3% fewer instructions on the bench
 * expression at 1024^2). */
#define TILE_X 64
#define TILE_Y 32

/* A row's row-local minima at one output column x0, kept for the tile's later rows (see
 * row_memo_of): the line-relative k (ascending) the row index gives for U and tol. */
#define MEMO_ROWS 64 /* rows kept per tile column, by row index mod this */
#define MEMO_K 8     /* the most minima kept per row */
typedef struct {
    size_t tile, r;  /* tile: its number + 1 (0: empty) */
    double U, tol;
    uint32_t n, ks[MEMO_K];
} row_memo;

/* The indexes of a time t (hopflax_wells.c), NULL where there is none: the y-rows of f's
 * samples, and in 2-D the columns of pass 1's values; a thread's places on them and its memos
 * (TILE_X * MEMO_ROWS, NULL: none) of the tile it is in. */
typedef struct {
    const dr_hopflax_lines *rows, *cols;
    uint32_t *row_hint, *col_hint; /* a thread's places on each line (NULL: none) */
    row_memo *memo;
    size_t tile, i0;                /* the tile (its number + 1) and its first column */
    double margin;                  /* what a memo's U is above the row's least phi */
} line_index;

/* The row index's answer for row r at output column col, from the memo where it holds one for
 * U and tol, else asked for over the whole row with U raised to the row's least phi (pass 1's
 * value) plus the margin and tol doubled, and kept: the tile's later output rows share x0 and
 * ask for that row again with another U, at most the row's least phi plus delta. The answer
 * for a larger U and tol holds every k one for less does (the index's promise: every k the
 * exact comparisons keep), and the caller applies those comparisons to each, so the
 * candidates are the same, bit for bit. NULL where the answer does not fit a memo. */
static const row_memo *row_memo_of(const dr_hopflax_view *v, line_index ix, size_t r,
                                   size_t col, double x0, double Ur, double tol)
{
    row_memo *m = &ix.memo[(col - ix.i0) * MEMO_ROWS + r % MEMO_ROWS];
    if (m->tile == ix.tile && m->r == r && Ur <= m->U && tol <= m->tol) return m;
    size_t nrows = v->hi[1] - v->lo[1] + 1, ks[ROW_CAP], nk;
    double Uc = fmax(Ur, v->vt[col * nrows + r] + ix.margin);
    int full = 0;
    nk = dr_hopflax_lines_minima(ix.rows, r, x0, 2 * tol, Uc, 0, v->hi[0] - v->lo[0],
                                 ix.row_hint ? ix.row_hint + r : NULL, ks, ROW_CAP, &full);
    m->tile = 0;
    if (full || nk > MEMO_K) return NULL;
    *m = (row_memo){.tile = ix.tile, .r = r, .U = Uc, .tol = 2 * tol, .n = (uint32_t)nk};
    for (size_t i = 0; i < nk; i++) m->ks[i] = (uint32_t)ks[i];
    return m;
}

/* The grid local minima of phi <= U on the r-th active y-row, k0 in [k0lo, k0hi]: from the row
 * index when there is one (through the memo where there is one), else by a scan. */
static void row_candidates(const dr_hopflax_view *v, line_index ix, size_t r, size_t col,
                           const double *x, double U, double tol, size_t k0lo, size_t k0hi,
                           candidate *c, size_t *n, int *overflow)
{
    const dr_hopflax_lines *rows = ix.rows;
    size_t k1 = v->dim == 2 ? v->lo[1] + r : 0, ks[ROW_CAP], nk = 0;
    int full = 0;
    /* the row's own phi lacks the y1 term, so it needs to be <= U less that term (the index
     * widens the bound by far more than the subtraction's rounding) */
    double d1 = v->dim == 2 ? x[1] - (v->y0[1] + (double)k1 * v->hy[1]) : 0.0;
    double Ur = U - d1 * d1 * v->inv2t;
    const row_memo *m = rows && ix.memo ? row_memo_of(v, ix, r, col, x[0], Ur, tol) : NULL;
    if (m) {
        for (size_t i = 0; i < m->n; i++) {
            size_t k = v->lo[0] + m->ks[i];
            if (k < k0lo || k > k0hi) continue;
            double p = phi_grid(v, x, k, k1);
            if (p <= U && local_min(v, x, k, k1, p)) add_candidate(c, n, overflow, p, k, k1);
        }
        return;
    }
    if (rows)
        nk = dr_hopflax_lines_minima(rows, r, x[0], tol, Ur, k0lo - v->lo[0], k0hi - v->lo[0],
                                     ix.row_hint ? ix.row_hint + r : NULL, ks, ROW_CAP, &full);
    if (rows && !full) {
        for (size_t i = 0; i < nk; i++) {
            size_t k = v->lo[0] + ks[i];
            double p = phi_grid(v, x, k, k1);
            if (p <= U && local_min(v, x, k, k1, p)) add_candidate(c, n, overflow, p, k, k1);
        }
        return;
    }
    for (size_t k = k0lo; k <= k0hi; k++) {
        double p = phi_grid(v, x, k, k1);
        if (p <= U && local_min(v, x, k, k1, p)) add_candidate(c, n, overflow, p, k, k1);
    }
}

/* Index range [lo, hi] of axis a within reach of x (empty: lo > hi). */
static void in_reach(const dr_hopflax_view *v, int a, double x, double reach, size_t *lo,
                     size_t *hi)
{
    long i0 = (long)floor((x - reach - v->y0[a]) / v->hy[a]);
    long i1 = (long)ceil((x + reach - v->y0[a]) / v->hy[a]);
    *lo = i0 < (long)v->lo[a] ? v->lo[a] : (size_t)i0;
    *hi = i1 > (long)v->hi[a] ? v->hi[a] : (size_t)i1;
}

/* Candidate wells of output point x: grid local minima of phi with phi <= U. */
static size_t find_candidates(const dr_hopflax_view *v, line_index ix, const double *x,
                              size_t col, double U, double fmin_y, candidate *c, int *overflow)
{
    size_t n = 0, k0lo, k0hi, k1lo, k1hi;
    *overflow = 0;
    double reach = sqrt(fmax(0.0, 2.0 * v->t * (U - fmin_y)));
    in_reach(v, 0, x[0], reach, &k0lo, &k0hi);
    if (k0lo > k0hi) return 0;
    /* how far phi's rounding can move a local minimum's test, in units of x (hopflax_wells.c):
     * phi and f are within |U| + |min f| there */
    double ymax = fmax(fabs(v->y0[0]), fabs(v->y0[0] + (double)v->hi[0] * v->hy[0]));
    double tol = 64 * DBL_EPSILON * ((fabs(U) + fabs(fmin_y) + 1.0) * v->t / v->hy[0] +
                                     fabs(x[0]) + ymax + v->hy[0]);
    if (v->dim == 1) {
        row_candidates(v, ix, 0, col, x, U, tol, k0lo, k0hi, c, &n, overflow);
        return n;
    }
    in_reach(v, 1, x[1], reach, &k1lo, &k1hi);
    if (k1lo > k1hi) return 0;
    size_t nrows = v->hi[1] - v->lo[1] + 1, rs[ROWS_CAP], nr = 0;
    int full = 0;
    /* a row can hold a candidate only if its pass-1 value plus the y1 term is <= U (a hair
     * more, for the rounding of that sum) */
    double Urow = U + 64 * DBL_EPSILON * (fabs(U) + fabs(fmin_y) + 1.0);
    if (ix.cols)
        nr = dr_hopflax_lines_below(ix.cols, col, x[1], Urow, k1lo - v->lo[1], k1hi - v->lo[1],
                                    ix.col_hint ? ix.col_hint + col : NULL, rs, ROWS_CAP,
                                    &full);
    if (ix.cols && !full) {
        for (size_t i = 0; i < nr; i++)
            row_candidates(v, ix, rs[i], col, x, U, tol, k0lo, k0hi, c, &n, overflow);
        return n;
    }
    const double *vt = v->vt + col * nrows;
    for (size_t r = k1lo - v->lo[1]; r <= k1hi - v->lo[1]; r++) {
        double d1 = x[1] - (v->y0[1] + (double)(v->lo[1] + r) * v->hy[1]);
        if (vt[r] + d1 * d1 * v->inv2t <= Urow)
            row_candidates(v, ix, r, col, x, U, tol, k0lo, k0hi, c, &n, overflow);
    }
    return n;
}

/* The most hops polish_candidate takes from an untrusted polish (1.5 cells each). */
#define MAX_HOPS 16

/* A candidate's polish, followed downhill: where the polish stopped at the edge of its box still
 * descending (untrusted: a grid local minimum on a slope of phi, which the 8-point test takes
 * for a well where phi is not convex, as it is between this landscape's wells at t = 1), the
 * polish starts again from where it stopped, while phi keeps decreasing, until one is trusted.
 * The candidate's well is then the one its descent reaches, with that polish's value and error;
 * a descent that stops untrusted keeps the bracket of its grid value. */
static double polish_candidate(const dr_hopflax_view *v, const double *x, const double *y0,
                               const dr_hopflax_warm *warm, double *y, double *err)
{
    int smooth;
    double p = dr_hopflax_polish_point(v->f, x, y0, warm, v->hy, v->dim, v->t, v->kinks,
                                       v->nkinks, y, err, &smooth);
    for (int hop = 0; hop < MAX_HOPS && !isfinite(*err); hop++) {
        double from[2] = {y[0], y[1]}, y2[2], e2;
        double p2 = dr_hopflax_polish_point(v->f, x, from, NULL, v->hy, v->dim, v->t, v->kinks,
                                            v->nkinks, y2, &e2, &smooth);
        if (!(p2 < p)) break;
        p = p2;
        *err = e2;
        y[0] = y2[0];
        y[1] = y2[1];
    }
    return p;
}

/* The candidates in scan order (k1, then k0), so that the winner does not depend on the order
 * in which the index returns them. */
static void sort_candidates(candidate *c, size_t n)
{
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && (c[j].k[1] < c[j - 1].k[1] ||
                                     (c[j].k[1] == c[j - 1].k[1] && c[j].k[0] < c[j - 1].k[0]));
             j--) {
            candidate tmp = c[j];
            c[j] = c[j - 1];
            c[j - 1] = tmp;
        }
}

/* Whether a polish (p, err) beats the best so far: lower by more than round-off, or as low to
 * round-off with a smaller error (a converged Newton over a pattern search that stopped in the
 * same well sqrt(eps) from its minimiser), or as accurate and lower. */
static int beats(double p, double err, double best, double best_err, double round)
{
    if (p < best - round) return 1;
    if (!(p <= best + round)) return 0;
    return err < best_err || (err == best_err && p < best) ||
           (p == best && !isfinite(best_err));
}

/* Output point x's candidate wells, in scan order (U: the grid minimum ugrid plus delta and a
 * rounding). */
static size_t point_candidates(const dr_hopflax_view *v, line_index ix, const double *x,
                               size_t col, double fmin_y, double delta, double ugrid,
                               candidate *c, int *overflow)
{
    double round = 8 * DBL_EPSILON * (fabs(ugrid) + 1), U = ugrid + delta + round;
    size_t n = find_candidates(v, ix, x, col, U, fmin_y, c, overflow);
    sort_candidates(c, n);
    return n;
}

/* One output point: polish every candidate (candidate 0's polish given as pre where it was
 * done already, in a batch), keep the best; returns the point's error bound: no y has phi
 * below the least of each trusted candidate's value less its error and each untrusted one's
 * grid value less delta (the bracket of its well), nor below the grid minimum less delta; u is
 * above that by at most the bound. */
static double point_wells(const dr_hopflax_view *v, const double *x, const candidate *c,
                          size_t n, int overflow, double delta, const double *warm,
                          const dr_hopflax_warm_task *pre, double *u, double *y_out,
                          size_t *wells, int *switched)
{
    double ugrid = *u, round = 8 * DBL_EPSILON * (fabs(ugrid) + 1);
    double best = ugrid, best_err = INFINITY, floor = INFINITY;
    double yb[2] = {y_out[0], y_out[1]}, y0g[2] = {y_out[0], y_out[1]};
    for (size_t i = 0; i < n; i++) {
        double y0[2] = {v->y0[0] + (double)c[i].k[0] * v->hy[0],
                        v->dim == 2 ? v->y0[1] + (double)c[i].k[1] * v->hy[1] : 0.0};
        dr_hopflax_warm wc = {{warm ? warm[0] : 0, warm ? warm[1] : 0}, c[i].v};
        double y[2] = {pre ? pre->y[0] : 0, pre ? pre->y[1] : 0}, err = pre ? pre->err : 0;
        double p = i == 0 && pre ? pre->p
                                 : polish_candidate(v, x, y0, warm ? &wc : NULL, y, &err);
        floor = fmin(floor, isfinite(err) ? p - err : c[i].v - delta);
        if (beats(p, err, best, best_err, round)) {
            best = p;
            best_err = err;
            yb[0] = y[0];
            yb[1] = y[1];
        }
    }
    *wells += n;
    /* another well than the grid's: farther than a cell from the grid minimiser on some axis */
    *switched = 0;
    for (int a = 0; a < v->dim; a++)
        if (fabs(yb[a] - y0g[a]) > 1.5 * v->hy[a]) *switched = 1;
    *u = fmin(best, ugrid);
    y_out[0] = yb[0];
    y_out[1] = yb[1];
    double lower = ugrid - delta;  /* the bracket: no y has phi below this */
    if (overflow || !isfinite(best_err)) return *u - lower;
    return fmax(best_err, *u - fmax(floor, lower));
}

static double point_global(const dr_hopflax_view *v, line_index ix, const double *x,
                           size_t col, double fmin_y, double delta, const double *warm,
                           double *u, double *y_out, size_t *wells, int *switched)
{
    candidate c[MAX_CANDIDATES];
    int overflow;
    size_t n = point_candidates(v, ix, x, col, fmin_y, delta, *u, c, &overflow);
    return point_wells(v, x, c, n, overflow, delta, warm, NULL, u, y_out, wells, switched);
}

/* Where phi is strictly convex (v->convex): Newton from the grid minimiser y_out. If it reaches
 * a smooth minimiser, that is phi's one stationary point, so its global minimiser: what the
 * search would return, as every other candidate's polish can only reach it too or stop higher.
 * For a quadratic f (v->quadratic) the first step reaches it, and the polish stops there (the
 * full one takes a second step of round-off's size to see that it has converged).
 * Returns the point's error bound as point_global does for one such candidate, or NAN (nothing
 * written) where Newton did not converge and the search must run. */
static double point_convex(const dr_hopflax_view *v, const double *x, const double *warm,
                           double *u, double *y_out)
{
    double ugrid = *u, round = 8 * DBL_EPSILON * (fabs(ugrid) + 1), y[2], err, p;
    int smooth = 1;
    if (v->quadratic) p = dr_hopflax_polish_quadratic(v->f, x, y_out, v->dim, v->t, y, &err);
    else {
        dr_hopflax_warm wc = {{warm ? warm[0] : 0, warm ? warm[1] : 0}, ugrid};
        p = dr_hopflax_polish_point(v->f, x, y_out, warm ? &wc : NULL, v->hy, v->dim, v->t, NULL,
                                    0, y, &err, &smooth);
    }
    if (!smooth || !(p <= ugrid + round)) return NAN;
    *u = fmin(p, ugrid);
    y_out[0] = y[0];
    y_out[1] = y[1];
    return err;
}

/* The indexes list each line's points within twice the sub-grid error delta of its hull: a
 * query asks for U = u + delta (and a rounding) where u is at least the line's least phi. */
static line_index build_indexes(const dr_hopflax_view *v, double delta, dr_hopflax_lines *rows,
                                dr_hopflax_lines *cols)
{
    size_t nrows = v->dim == 2 ? v->hi[1] - v->lo[1] + 1 : 1;
    line_index ix = {0};
    *rows = (dr_hopflax_lines){
        .base = v->fy + (v->dim == 2 ? v->lo[1] * v->ny[0] : 0) + v->lo[0], .stride = v->ny[0],
        .nlines = nrows, .len = v->hi[0] - v->lo[0] + 1, .korigin = v->lo[0], .t = v->t,
        .h = v->hy[0], .ystart = v->y0[0] + (double)v->lo[0] * v->hy[0], .yorigin = v->y0[0],
        .near = 2.0 * delta, .threads = v->threads};
    *cols = (dr_hopflax_lines){0};
    if (dr_hopflax_lines_build(rows) == 0) ix.rows = rows;
    if (v->dim == 2) {
        *cols = (dr_hopflax_lines){
            .base = v->vt, .stride = nrows, .nlines = v->g->n[0], .len = nrows,
            .korigin = v->lo[1], .t = v->t, .h = v->hy[1],
            .ystart = v->y0[1] + (double)v->lo[1] * v->hy[1], .yorigin = v->y0[1],
            .near = 2.0 * delta, .threads = v->threads};
        if (dr_hopflax_lines_build(cols) == 0) ix.cols = cols;
    }
    return ix;
}

/* A thread's last four minimisers along an output row (or down a tile column), for the next
 * point's warm start: the proximal map is smooth away from shocks, so the cubic through them
 * extrapolates to O(h^4) off (the quadratic through three to O(h^3), the grid minimiser O(h)).
 * From O(h^4) (~1e-8 here) one Newton step lands at round-off, and the jet there shows it; from
 * O(h^3) it takes a second step, and a third jet. */
typedef struct { size_t k; double y[2], dy[2], ddy[2], dddy[2]; int has; } warm_track;

/* k: the point's index, i its column (0: a new output row, whatever came before) */
static const double *warm_start(const warm_track *w, size_t k, size_t i, double *buf)
{
    if (w->has < 2 || w->k + 1 != k || i == 0) return NULL;
    for (int a = 0; a < 2; a++)
        buf[a] = w->y[a] + w->dy[a] + (w->has > 2 ? w->ddy[a] : 0.0) +
                 (w->has > 3 ? w->dddy[a] : 0.0);
    return buf;
}

static void warm_record(warm_track *w, size_t k, size_t i, const double *y)
{
    w->has = w->k + 1 == k && i != 0 ? (w->has < 4 ? w->has + 1 : 4) : 1;
    for (int a = 0; a < 2; a++) {
        double dy = y[a] - w->y[a], ddy = dy - w->dy[a];
        w->dddy[a] = ddy - w->ddy[a];
        w->ddy[a] = ddy;
        w->dy[a] = dy;
        w->y[a] = y[a];
    }
    w->k = k;
}

/* A thread's copy of the indexes with its own places on every line (one allocation, both
 * kinds, at row_hint; without memory, none: the queries then bisect) and its memos (without
 * memory, none: every row is asked). */
static line_index thread_hints(line_index ix)
{
    size_t nr = ix.rows ? ix.rows->nlines : 0, nc = ix.cols ? ix.cols->nlines : 0;
    ix.row_hint = nr + nc ? malloc((nr + nc) * sizeof(uint32_t)) : NULL;
    ix.col_hint = NULL;
    /* the memos need pass 1's values (2-D) */
    ix.memo = nr && nc ? calloc(TILE_X * MEMO_ROWS, sizeof(row_memo)) : NULL;
    if (!ix.row_hint) return ix;
    for (size_t i = 0; i < nr + nc; i++) ix.row_hint[i] = UINT32_MAX;
    if (nc) ix.col_hint = ix.row_hint + nr;
    return ix;
}

/* What a thread carries from point to point: the indexes with its places, its warm starts
 * (along the output row, and down each of the tile's columns), its sums for the report. */
typedef struct {
    const dr_hopflax_view *v;
    line_index ix;
    warm_track w, down[TILE_X];
    size_t i0, j0;  /* the tile's first column and row */
    double fmin_y, delta, worst;
    size_t wells, switched;
} point_ctx;

/* A point's result out: its warm-start histories, the report's sums, prox and grad (inlined:
 * called, it cost quad2d's polish, a jet and a value a point, 7% more instructions). */
static inline __attribute__((always_inline)) void point_done(point_ctx *c, size_t col,
                                                            size_t row, const double *x,
                                                            const double *y, double e, int sw,
                                                            double *prox, double *grad)
{
    const dr_hopflax_view *v = c->v;
    size_t size = dr_grid_size(v->g), k = row * v->g->n[0] + col;
    /* the warm starts along the row (none for a quadratic f's polish) and, where rows are
     * batched (phi not convex), down the columns */
    if (!v->quadratic) warm_record(&c->w, k, col, y);
    if (!v->convex) warm_record(&c->down[col - c->i0], row, row - c->j0, y);
    c->switched += (size_t)sw;
    if (!(e <= c->worst)) c->worst = isnan(e) ? INFINITY : e;
    for (int a = 0; a < v->dim; a++) {
        prox[(size_t)a * size + k] = y[a];
        if (grad) grad[(size_t)a * size + k] = (x[a] - y[a]) / v->t;
    }
}

/* Output point (col, row), x1 its row's coordinate (0 in 1-D), from warm start ws (NULL:
 * none); inlined, as point_done. */
static inline __attribute__((always_inline)) void one_point(point_ctx *c, size_t col,
                                                           size_t row, double x1,
                                                           const double *ws, double *u,
                                                           double *prox, double *grad)
{
    const dr_hopflax_view *v = c->v;
    const dr_grid *g = v->g;
    size_t size = dr_grid_size(g), k = row * g->n[0] + col;
    double x[2] = {dr_grid_coord(g, 0, col), x1};
    double y[2] = {prox[k], v->dim == 2 ? prox[size + k] : 0};
    int sw = 0;
    double e = v->convex ? point_convex(v, x, ws, &u[k], y) : NAN;
    if (isnan(e))
        e = point_global(v, c->ix, x, col, c->fmin_y, c->delta, ws, &u[k], y, &c->wells, &sw);
    else c->wells++;
    point_done(c, col, row, x, y, e, sw, prox, grad);
}

/* A tile row's points [i0, i1) of output row `row` (2-D), each warm-started from its column's
 * rows above (phi not convex: the convex case has no search, and its rows go along the row):
 * their candidates first (the points with other than one, or no warm start, done at once, one
 * by one), then the single candidates' warm polishes in one batch, their Newton iterations in
 * lock-step (dr_hopflax_polish_warm_batch: the same steps as one at a time, to round-off), then
 * each point's verdict; where the warm polish did not hold, the candidate's polish from its
 * grid point, as polish_candidate would go on. */
static void batch_row(point_ctx *c, size_t i1, size_t row, double x1, double *u, double *prox,
                      double *grad)
{
    const dr_hopflax_view *v = c->v;
    size_t size = dr_grid_size(v->g), n0 = v->g->n[0], nt = 0, cols[TILE_X];
    dr_hopflax_warm_task tasks[TILE_X];
    candidate one[TILE_X];
    for (size_t col = c->i0; col < i1; col++) {
        size_t k = row * n0 + col;
        double wbuf[2], cb[2] = {0, 0};
        if (!isfinite(u[k])) continue;
        const double *ws = warm_start(&c->down[col - c->i0], row, row - c->j0, wbuf);
        if (!ws) {
            one_point(c, col, row, x1, ws, u, prox, grad);
            continue;
        }
        candidate cs[MAX_CANDIDATES];
        int overflow, sw;
        double x[2] = {dr_grid_coord(v->g, 0, col), x1}, y[2] = {prox[k], prox[size + k]};
        size_t n = point_candidates(v, c->ix, x, col, c->fmin_y, c->delta, u[k], cs, &overflow);
        if (n != 1 || overflow) {
            double e = point_wells(v, x, cs, n, overflow, c->delta, ws, NULL, &u[k], y,
                                   &c->wells, &sw);
            point_done(c, col, row, x, y, e, sw, prox, grad);
            continue;
        }
        for (int a = 0; a < 2; a++) cb[a] = v->y0[a] + (double)cs[0].k[a] * v->hy[a];
        tasks[nt] = (dr_hopflax_warm_task){{x[0], x[1]}, {cb[0], cb[1]},
                                           {{ws[0], ws[1]}, cs[0].v}, 0, {0, 0}, 0, 0};
        one[nt] = cs[0];
        cols[nt++] = col;
    }
    dr_hopflax_polish_warm_batch(v->f, tasks, nt, v->hy, v->dim, v->t);
    for (size_t q = 0; q < nt; q++) {
        size_t col = cols[q], k = row * n0 + col;
        int sw;
        double x[2] = {tasks[q].x[0], tasks[q].x[1]}, y[2] = {prox[k], prox[size + k]};
        double e = point_wells(v, x, &one[q], 1, 0, c->delta, NULL,
                               tasks[q].ok ? &tasks[q] : NULL, &u[k], y, &c->wells, &sw);
        point_done(c, col, row, x, y, e, sw, prox, grad);
    }
}

void dr_hopflax_global(const dr_hopflax_view *v, double *u, double *prox, double *grad,
                       dr_hopflax_report *rep)
{
    const dr_grid *g = v->g;
    double delta = 0.0, fmin_y = INFINITY, worst = 0.0;
    for (int a = 0; a < v->dim; a++) delta += v->hy[a] * v->hy[a] / 8.0;
    delta *= v->C + 1.0 / v->t;
    for (size_t j = v->dim == 2 ? v->lo[1] : 0; j <= (v->dim == 2 ? v->hi[1] : 0); j++)
        for (size_t i = v->lo[0]; i <= v->hi[0]; i++)
            fmin_y = fmin(fmin_y, v->fy[j * v->ny[0] + i]);
    size_t wells = 0, switched = 0, n0 = g->n[0], n1 = v->dim == 2 ? g->n[1] : 1;
    size_t tx = (n0 + TILE_X - 1) / TILE_X, ty = (n1 + TILE_Y - 1) / TILE_Y;
    int nthreads = v->threads > 0 ? v->threads : 1;
    dr_hopflax_lines rows = {0}, cols = {0};
    /* the convex case needs the indexes only where Newton fails, which then scans instead */
    line_index idx = v->convex ? (line_index){0} : build_indexes(v, delta, &rows, &cols);
    /* a memo's U: half a delta short of the index's list (2 delta above the least phi), which
     * it then answers from, and half a delta above any query's (row_memo_of) */
    idx.margin = 1.5 * delta;
    #pragma omp parallel num_threads(nthreads) reduction(+ : wells, switched) \
        reduction(max : worst)
    {
        point_ctx c = {.v = v, .ix = thread_hints(idx), .fmin_y = fmin_y, .delta = delta};
        #pragma omp for schedule(dynamic, 1)
        for (size_t tile = 0; tile < tx * ty; tile++) {
            size_t i0 = tile % tx * TILE_X, j0 = tile / tx * TILE_Y;
            /* no warm start across tiles: a tile's results must not depend on which thread
             * ran the one before it (in 1-D, tile ends meet) */
            c.w.k = SIZE_MAX;
            c.ix.tile = tile + 1;
            c.ix.i0 = i0;
            c.i0 = i0;
            c.j0 = j0;
            for (size_t i = 0; i < TILE_X; i++) c.down[i].k = SIZE_MAX;
            for (size_t j = j0; j < j0 + TILE_Y && j < n1; j++) {
                double x1 = v->dim == 2 ? dr_grid_coord(g, 1, j) : 0.0, wbuf[2];
                size_t i1 = i0 + TILE_X < n0 ? i0 + TILE_X : n0;
                /* the first two rows have no quadratic warm start from above: along the row */
                if (v->dim == 2 && !v->convex && j >= j0 + 2)
                    batch_row(&c, i1, j, x1, u, prox, grad);
                else
                    for (size_t i = i0; i < i1; i++) {
                        size_t k = j * n0 + i;
                        if (!isfinite(u[k])) continue;
                        const double *ws = v->quadratic ? NULL : warm_start(&c.w, k, i, wbuf);
                        one_point(&c, i, j, x1, ws, u, prox, grad);
                    }
            }
        }
        free(c.ix.row_hint);
        free(c.ix.memo);
        wells += c.wells;
        switched += c.switched;
        worst = c.worst;
    }
    dr_hopflax_lines_free(&rows);
    dr_hopflax_lines_free(&cols);
    rep->est_error = worst;
    rep->unbounded = isfinite(worst) ? NULL : "the curvature of f is unbounded and no check held";
    rep->measured = v->measured;
    rep->wells = wells;
    rep->switched = switched;
}
