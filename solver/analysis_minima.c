/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Local minima of a sampled field: detection (plateaus as one minimum), sub-grid refinement,
 * catchment basins (steepest descent or the Hopf-Lax proximal map) and sub-level widths.
 * See analysis.h for the definitions. */
#include "deeprelax/analysis.h"
#include "deeprelax/error.h"
#include "dr_args.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Neighbours of k: 2 in 1-D, 8 in 2-D; returns their count (fewer at the edges). */
static int neighbours(const dr_grid *g, size_t k, size_t *nb, double *dist)
{
    size_t nx = g->n[0];
    int c = 0;
    if (g->dim == 1) {
        if (k > 0) { nb[c] = k - 1; dist[c++] = g->h[0]; }
        if (k + 1 < nx) { nb[c] = k + 1; dist[c++] = g->h[0]; }
        return c;
    }
    size_t i = k % nx, j = k / nx, ny = g->n[1];
    for (int dj = -1; dj <= 1; dj++)
        for (int di = -1; di <= 1; di++) {
            if (!di && !dj) continue;
            if ((di < 0 && i == 0) || (di > 0 && i + 1 == nx)) continue;
            if ((dj < 0 && j == 0) || (dj > 0 && j + 1 == ny)) continue;
            nb[c] = (j + (size_t)(long)dj) * nx + (i + (size_t)(long)di);
            dist[c++] = hypot(di * g->h[0], dj * g->h[1]);
        }
    return c;
}

static int on_edge(const dr_grid *g, size_t k)
{
    size_t i = k % g->n[0], j = k / g->n[0];
    if (i == 0 || i + 1 == g->n[0]) return 1;
    return g->dim == 2 && (j == 0 || j + 1 == g->n[1]);
}

static void coords(const dr_grid *g, size_t k, double *x)
{
    x[0] = dr_grid_coord(g, 0, k % g->n[0]);
    x[1] = g->dim == 2 ? dr_grid_coord(g, 1, k / g->n[0]) : 0.0;
}

double dr_minima_default_delta(const dr_grid *g, const double *f)
{
    double lo = INFINITY, hi = -INFINITY;
    for (size_t k = 0, n = dr_grid_size(g); k < n; k++) {
        if (f[k] < lo) lo = f[k];
        if (f[k] > hi) hi = f[k];
    }
    return DR_MINIMA_DELTA_FRACTION * (hi - lo);
}

/* The second difference of u along axis a (stride) centred at grid index i of n on that axis,
 * linearly interpolated to the offset `step` (|step| <= h/2) from it: the curvature at the refined
 * minimum rather than at the node (on a well whose curvature varies, the node's is off by
 * u''' times the offset: 2% near the box edge in the audit's case). The neighbouring second
 * difference needs index i +- 2; at the edge the node's own stands. */
static double d2_at(const double *u, size_t k, size_t stride, size_t i, size_t n, double h,
                    double step)
{
    double c = (u[k + stride] - 2 * u[k] + u[k - stride]) / (h * h);
    if (step > 0 && i + 2 < n) {
        double r = (u[k + 2 * stride] - 2 * u[k + stride] + u[k]) / (h * h);
        return c + (r - c) * step / h;
    }
    if (step < 0 && i >= 2) {
        double l = (u[k] - 2 * u[k - stride] + u[k - 2 * stride]) / (h * h);
        return c + (l - c) * (-step) / h;
    }
    return c;
}

/* Quadratic fit at grid point k (central differences): refined position, value, eigenvalues.
 * The step to the fitted minimum is taken only when the fitted Hessian is positive definite and
 * the step stays within half a cell (else the grid point stands: the fit does not describe u);
 * the eigenvalues are then those at the refined position (d2_at). */
static void refine_minimum(const dr_grid *g, const double *u, size_t k, dr_minimum *m)
{
    double x[2];
    coords(g, k, x);
    m->x[0] = x[0];
    m->x[1] = x[1];
    m->u = u[k];
    size_t nx = g->n[0];
    double h0 = g->h[0];
    if (g->dim == 1) {
        double a = (u[k + 1] - 2 * u[k] + u[k - 1]) / (h0 * h0), b = (u[k + 1] - u[k - 1]) / (2 * h0);
        m->eig[0] = a;
        m->eig[1] = NAN;
        if (a > 0 && fabs(b / a) <= 0.5 * h0) {
            m->x[0] = x[0] - b / a;
            m->u = u[k] - b * b / (2 * a);
            m->eig[0] = d2_at(u, k, 1, k, g->n[0], h0, -b / a);
        }
        return;
    }
    double h1 = g->h[1];
    double uxx = (u[k + 1] - 2 * u[k] + u[k - 1]) / (h0 * h0);
    double uyy = (u[k + nx] - 2 * u[k] + u[k - nx]) / (h1 * h1);
    double uxy = (u[k + nx + 1] - u[k + nx - 1] - u[k - nx + 1] + u[k - nx - 1]) / (4 * h0 * h1);
    double bx = (u[k + 1] - u[k - 1]) / (2 * h0), by = (u[k + nx] - u[k - nx]) / (2 * h1);
    double mid = 0.5 * (uxx + uyy), rad = hypot(0.5 * (uxx - uyy), uxy);
    m->eig[0] = mid - rad;
    m->eig[1] = mid + rad;
    double det = uxx * uyy - uxy * uxy;
    if (m->eig[0] > 0 && det > 0) {
        double sx = -(uyy * bx - uxy * by) / det, sy = -(uxx * by - uxy * bx) / det;
        if (fabs(sx) <= 0.5 * h0 && fabs(sy) <= 0.5 * h1) {
            m->x[0] = x[0] + sx;
            m->x[1] = x[1] + sy;
            m->u = u[k] + 0.5 * (bx * sx + by * sy);
            double axx = d2_at(u, k, 1, k % nx, nx, h0, sx);
            double ayy = d2_at(u, k, nx, k / nx, g->n[1], h1, sy);
            double mid2 = 0.5 * (axx + ayy), rad2 = hypot(0.5 * (axx - ayy), uxy);
            m->eig[0] = mid2 - rad2;
            m->eig[1] = mid2 + rad2;
        }
    }
}

typedef struct {
    const dr_grid *g;
    const double *u;
    size_t size;
    size_t *queue;     /* BFS queue / scratch, size entries */
    int *mark;         /* per point scratch */
} work;

/* The flat set of k (connected points of exactly the same value) into w->queue[0..n), marked
 * with `tag`. Returns n; *lower: some point of it has a strictly lower neighbour; *edge: some
 * point lies on the box edge. */
static size_t flat_set(work *w, size_t k, int tag, int *lower, int *edge)
{
    size_t n = 0, head = 0, nb[8];
    double dist[8];
    *lower = 0;
    *edge = 0;
    w->queue[n++] = k;
    w->mark[k] = tag;
    while (head < n) {
        size_t p = w->queue[head++];
        if (on_edge(w->g, p)) *edge = 1;
        int c = neighbours(w->g, p, nb, dist);
        for (int q = 0; q < c; q++) {
            double v = w->u[nb[q]];
            if (v < w->u[p]) *lower = 1;
            else if (v == w->u[p] && w->mark[nb[q]] != tag) {
                w->mark[nb[q]] = tag;
                w->queue[n++] = nb[q];
            }
        }
    }
    return n;
}

static int cmp_min(const void *a, const void *b)
{
    const dr_minimum *x = a, *y = b;
    return (x->u > y->u) - (x->u < y->u);
}

/* Nearest grid point to a position (clamped to the box); SIZE_MAX when it is outside the box. */
static size_t nearest_point(const dr_grid *g, const double *y, size_t size, size_t k)
{
    size_t idx[2] = {0, 0};
    for (int a = 0; a < g->dim; a++) {
        double s = (y[(size_t)a * size + k] - g->lo[a]) / g->h[a];
        if (!(s >= -0.5 && s <= (double)(g->n[a] - 1) + 0.5)) return (size_t)-1;
        long r = lround(s);
        if (r < 0) r = 0;
        if ((size_t)r >= g->n[a]) r = (long)g->n[a] - 1;
        idx[a] = (size_t)r;
    }
    return idx[1] * g->n[0] + idx[0];
}

/* Width of minimum m: the connected part of {u <= level} within its basin, from its grid point. */
static void measure_width(work *w, const int *basin, int label, dr_minimum *m, double level)
{
    const dr_grid *g = w->g;
    const double *u = w->u;
    size_t n = 0, head = 0, nb[8];
    double dist[8];
    int tag = -2 - label;  /* distinct from the flat-set tags (non-negative) */
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    m->touches_edge = 0;
    w->queue[n++] = m->index;
    w->mark[m->index] = tag;
    while (head < n) {
        size_t p = w->queue[head++];
        double x[2];
        coords(g, p, x);
        for (int a = 0; a < g->dim; a++) {
            if (x[a] < lo[a]) lo[a] = x[a];
            if (x[a] > hi[a]) hi[a] = x[a];
        }
        if (on_edge(g, p)) m->touches_edge = 1;
        /* Axis neighbours outside the set: interpolate the crossing of `level` along the axis,
         * or stop half a cell out where the basin ends first. */
        size_t stride[2] = {1, g->n[0]};
        size_t ij[2] = {p % g->n[0], p / g->n[0]};
        for (int a = 0; a < g->dim; a++)
            for (int s = -1; s <= 1; s += 2) {
                if ((s < 0 && ij[a] == 0) || (s > 0 && ij[a] + 1 == g->n[a])) continue;
                size_t q = s < 0 ? p - stride[a] : p + stride[a];
                double reach;
                if (basin[q] != label) reach = 0.5 * g->h[a];
                else if (u[q] > level) reach = g->h[a] * (level - u[p]) / (u[q] - u[p]);
                else continue;
                double e = x[a] + s * reach;
                if (e < lo[a]) lo[a] = e;
                if (e > hi[a]) hi[a] = e;
            }
        int c = neighbours(g, p, nb, dist);
        for (int q = 0; q < c; q++) {
            size_t r = nb[q];
            if (w->mark[r] == tag || basin[r] != label || u[r] > level) continue;
            w->mark[r] = tag;
            w->queue[n++] = r;
        }
    }
    for (int a = 0; a < 2; a++) m->width[a] = a < g->dim ? hi[a] - lo[a] : NAN;
    m->level_measure = g->dim == 1 ? m->width[0] : (double)n * g->h[0] * g->h[1];
}

/* The minima found so far, in a growing array. */
typedef struct {
    dr_minimum *min;
    size_t count, cap;
} minimum_list;

/* A shelf (flat set w->queue[0..n) with a lower neighbour somewhere): every point steps towards
 * the nearest exit, by a multi-source BFS from the points with a lower neighbour, so that the
 * successor walk never cycles on it. */
static int descend_shelf(work *w, size_t n, size_t *next)
{
    const dr_grid *g = w->g;
    const double *u = w->u;
    size_t nb[8];
    double dist[8];
    size_t *shelf = malloc(n * sizeof *shelf);
    if (!shelf) return dr_error(DR_ENOMEM, "out of memory for the minima");
    memcpy(shelf, w->queue, n * sizeof *shelf);
    size_t nq = 0, head = 0;
    for (size_t s = 0; s < n; s++)
        if (next[shelf[s]] != (size_t)-1) w->queue[nq++] = shelf[s];
    for (size_t s = 0; s < n; s++) {
        size_t p = shelf[s];
        if (next[p] != (size_t)-1) continue;
        int cp = neighbours(g, p, nb, dist);
        for (int q = 0; q < cp; q++)
            if (u[nb[q]] < u[p]) { next[p] = nb[q]; w->queue[nq++] = p; break; }
    }
    while (head < nq) {
        size_t p = w->queue[head++];
        int cp = neighbours(g, p, nb, dist);
        for (int q = 0; q < cp; q++) {
            size_t r = nb[q];
            if (u[r] == u[p] && next[r] == (size_t)-1) {
                next[r] = p;
                w->queue[nq++] = r;
            }
        }
    }
    free(shelf);
    return DR_SUCCESS;
}

/* Records the minimum made of the flat set w->queue[0..n) (a plateau when n > 1): its grid point
 * is the one nearest the set's centroid; a single point is refined by the quadratic fit, a
 * plateau stands at its centroid with the plateau's value. */
static int add_minimum(work *w, size_t n, minimum_list *list)
{
    const dr_grid *g = w->g;
    if (list->count == list->cap) {
        dr_minimum *grown = realloc(list->min, 2 * list->cap * sizeof *grown);
        if (!grown) return dr_error(DR_ENOMEM, "out of memory for the minima");
        list->min = grown;
        list->cap *= 2;
    }
    dr_minimum *m = &list->min[list->count++];
    memset(m, 0, sizeof *m);
    double cx = 0, cy = 0;
    for (size_t s = 0; s < n; s++) {
        double x[2];
        coords(g, w->queue[s], x);
        cx += x[0];
        cy += x[1];
    }
    cx /= (double)n;
    cy /= (double)n;
    size_t bestk = w->queue[0];
    double bd = INFINITY;
    for (size_t s = 0; s < n; s++) {
        double x[2];
        coords(g, w->queue[s], x);
        double d = hypot(x[0] - cx, x[1] - cy);
        if (d < bd) { bd = d; bestk = w->queue[s]; }
    }
    m->index = bestk;
    m->plateau = n;
    refine_minimum(g, w->u, bestk, m);
    if (n > 1) {
        m->x[0] = cx;
        m->x[1] = g->dim == 2 ? cy : 0.0;
        m->u = w->u[bestk];
    }
    return DR_SUCCESS;
}

/* Successors next[k]: steepest descent (or the proximal point when it is lower); the points of a
 * minimum are roots (next[k] = k) labelled basin[k] = its index in the list, those of an edge
 * minimum (not reported) roots labelled -1. */
static int find_successors(work *w, const double *prox, size_t *next, int *basin,
                           minimum_list *list)
{
    const dr_grid *g = w->g;
    const double *u = w->u;
    size_t nb[8];
    double dist[8];
    int tag = 0;
    for (size_t k = 0; k < w->size; k++) {
        if (prox) {
            size_t p = nearest_point(g, prox, w->size, k);
            if (p != (size_t)-1 && u[p] < u[k]) {
                next[k] = p;
                continue;
            }
        }
        int c = neighbours(g, k, nb, dist);
        double best = 0;
        for (int q = 0; q < c; q++) {
            double slope = (u[k] - u[nb[q]]) / dist[q];
            if (slope > best) {
                best = slope;
                next[k] = nb[q];
            }
        }
        if (next[k] != (size_t)-1 || w->mark[k] >= 0) continue;
        /* No lower neighbour: k belongs to a flat set, either a minimum (plateau or strict) or a
         * flat shelf with an exit, whose points then step towards the exit (BFS order). */
        int lower, edge;
        size_t n = flat_set(w, k, tag++, &lower, &edge);
        if (lower) {
            int status = descend_shelf(w, n, next);
            if (status) return status;
            continue;
        }
        int label = -1;
        if (!edge) {
            int status = add_minimum(w, n, list);
            if (status) return status;
            label = (int)list->count - 1;
        }
        for (size_t s = 0; s < n; s++) {
            next[w->queue[s]] = w->queue[s];
            basin[w->queue[s]] = label;
        }
    }
    return DR_SUCCESS;
}

/* Basins: follow successors (u never rises along them, and strictly falls except across a shelf,
 * which is walked in BFS order: no cycles) to a root, then label the path with the root's basin. */
static void label_basins(work *w, const size_t *next, int *basin)
{
    for (size_t k = 0; k < w->size; k++) {
        if (next[k] == k || w->mark[k] == -3) continue;
        size_t n = 0, p = k;
        while (next[p] != p && w->mark[p] != -3) {
            w->queue[n++] = p;
            w->mark[p] = -3; /* on a path being resolved or resolved */
            p = next[p];
        }
        for (size_t s = 0; s < n; s++) basin[w->queue[s]] = basin[p];
    }
}

/* Sorts the minima by value and relabels the basins to match. A minimum's own grid point carries
 * its old label (basin[m->index]), so the permutation needs no field of its own. */
static int sort_minima(minimum_list *list, int *basin, size_t size)
{
    int *relabel = malloc((list->count + 1) * sizeof *relabel);
    if (!relabel) return dr_error(DR_ENOMEM, "out of memory");
    qsort(list->min, list->count, sizeof *list->min, cmp_min);
    for (size_t i = 0; i < list->count; i++) relabel[basin[list->min[i].index]] = (int)i;
    for (size_t k = 0; k < size; k++)
        if (basin[k] >= 0) basin[k] = relabel[basin[k]];
    free(relabel);
    return DR_SUCCESS;
}

/* Each minimum's basin (point count, measure, bounding box) and its width at level u + delta. */
static void measure_basins(work *w, const int *basin, minimum_list *list, double delta)
{
    const dr_grid *g = w->g;
    double cell = g->dim == 1 ? g->h[0] : g->h[0] * g->h[1];
    for (size_t i = 0; i < list->count; i++) {
        dr_minimum *m = &list->min[i];
        m->basin_points = 0;
        m->basin_lo[0] = m->basin_lo[1] = INFINITY;
        m->basin_hi[0] = m->basin_hi[1] = -INFINITY;
    }
    for (size_t k = 0; k < w->size; k++) {
        if (basin[k] < 0) continue;
        dr_minimum *m = &list->min[basin[k]];
        double x[2];
        coords(g, k, x);
        m->basin_points++;
        for (int a = 0; a < g->dim; a++) {
            if (x[a] < m->basin_lo[a]) m->basin_lo[a] = x[a];
            if (x[a] > m->basin_hi[a]) m->basin_hi[a] = x[a];
        }
    }
    for (size_t k = 0; k < w->size; k++) w->mark[k] = -1;
    for (size_t i = 0; i < list->count; i++) {
        dr_minimum *m = &list->min[i];
        m->basin_measure = (double)m->basin_points * cell;
        if (g->dim == 1) m->basin_lo[1] = m->basin_hi[1] = 0;
        measure_width(w, basin, (int)i, m, m->u + delta);
    }
}

int dr_minima_find(dr_minima *out, const dr_grid *g, const double *u,
                   const dr_minima_options *opt)
{
    DR_CHECK_PTRS(out, g, u);
    memset(out, 0, sizeof *out);
    if (!g || !u) return dr_error(DR_EINVAL, "minima: grid and field needed");
    double delta = opt ? opt->delta : 0.0;
    if (!(delta >= 0) || isinf(delta))
        return dr_error(DR_EINVAL, "minima: delta must be finite and >= 0 (got %g)", delta);
    size_t size = dr_grid_size(g);
    for (size_t k = 0; k < size; k++)
        if (!isfinite(u[k]))
            return dr_error(DR_ENUMERIC, "minima: the field is not finite at point %zu", k);
    work w = {g, u, size, malloc(size * sizeof(size_t)), malloc(size * sizeof(int))};
    size_t *next = malloc(size * sizeof *next);
    int *basin = malloc(size * sizeof *basin);
    minimum_list list = {malloc(16 * sizeof *list.min), 0, 16};
    int status = DR_SUCCESS;
    if (!w.queue || !w.mark || !next || !basin || !list.min) {
        status = dr_error(DR_ENOMEM, "out of memory for the minima of %zu points", size);
        goto done;
    }
    for (size_t k = 0; k < size; k++) {
        w.mark[k] = -1;
        basin[k] = -1;
        next[k] = (size_t)-1;
    }
    status = find_successors(&w, opt ? opt->prox : NULL, next, basin, &list);
    if (status) goto done;
    label_basins(&w, next, basin);
    status = sort_minima(&list, basin, size);
    if (status) goto done;
    measure_basins(&w, basin, &list, delta);
    out->grid = *g;
    out->delta = delta;
    out->count = list.count;
    out->min = list.min;
    out->basin = basin;
    list.min = NULL;
    basin = NULL;
done:
    free(w.queue);
    free(w.mark);
    free(next);
    free(basin);
    free(list.min);
    return status;
}

void dr_minima_free(dr_minima *m)
{
    if (!m) return;
    free(m->min);
    free(m->basin);
    memset(m, 0, sizeof *m);
}
