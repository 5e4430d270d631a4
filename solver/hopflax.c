/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Inviscid Hamilton-Jacobi by the Hopf-Lax formula u(x,t) = min_y f(y) + |x-y|^2/(2t), computed
 * exactly over a uniform y-grid as a lower envelope of parabolas (Felzenszwalb-Huttenlocher),
 * O(n) per axis and separable in 2-D, with the proximal point y* and grad u = (x - y*)/t. */
#include "deeprelax/hopflax.h"
#include "dr_args.h"
#include "deeprelax/error.h"
#include "landscape_impl.h"
#include "hopflax_internal.h"

#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Rows (pass 1) or columns (pass 2) processed together, so that the transposes between the two
 * passes move whole cache lines (8 doubles) instead of one double per line. */
#define BLOCK 8

/* Beyond this many y-grid points a plan refuses rather than allocating gigabytes. */
#define MAX_YPOINTS ((size_t)1 << 26)

/* Growing the margin can reveal lower values of f, which widens the margin again; a landscape
 * that falls faster than quadratically never settles (its Hopf-Lax value is -inf). */
#define MAX_MARGIN_ROUNDS 64

#define MAX_REFINE 64

struct dr_hopflax_plan {
    dr_grid g;
    double t_max;
    int refine;
    size_t nb[2];        /* y-grid points inside the box per axis: (n-1)*refine + 1 */
    size_t m[2];         /* margin points per side, per axis */
    size_t ny[2];        /* y-grid points per axis: nb + 2m */
    double y0[2], hy[2]; /* y_k = y0 + k*hy */
    double margin, fmin, fmax_box;
    size_t keep_lo[2], keep_hi[2]; /* bounding box (indices) of {y : f(y) <= fmax_box} */
    double *neg_amax[2]; /* per axis a, at the output points x_a: -max of f over the other axis */
    double *line_min[2]; /* per axis a, at the y-grid points: min of fy over the other axis */
    double *ycoords[2];  /* y-grid coordinates per axis */
    double *cut;         /* max(ny): scratch for the per-t range test */
    double *fy;          /* f on the y-grid, x fastest */
    const dr_landscape *f; /* kept for the polish step (caller-owned) */
    int polish;
    double *prox_scratch;  /* polish without a caller prox array */
    double *xq[2];       /* output coordinates per axis (the query points) */
    double *inv;         /* inv[d] = 1/d, d <= max(ny): the envelope multiplies, not divides */
    double *work;        /* 3*max(ny) + 1 */
    size_t *iwork;       /* max(ny) */
    double *vt;          /* 2-D: pass-1 values, transposed: column i contiguous over rows */
    uint32_t *kt;        /* 2-D: pass-1 argmin x-index, same layout */
    double *blk_u;       /* BLOCK * max(n0, n1) */
    size_t *blk_k;
    int nthreads;        /* work, iwork, blk_u, blk_k hold one slice per thread */
    size_t nymax, nmax;
    size_t act_lo[2], act_hi[2]; /* the active y-range of the last execution */
    double C;            /* curvature for the sub-grid error (see curvature_for_search) */
    double convexity;    /* proven inf of f's smallest Hessian eigenvalue over the y-grid and a
                            cell beyond (-inf: none known): phi is convex where it is > -1/t */
    int C_measured;
    double kinks[DR_HOPFLAX_MAX_KINKS]; /* 1-D: f's breakpoints over the y-grid (the polish
                                           tries them: a minimiser on a kink) */
    size_t nkinks;
};

/* Thread `id`'s slices of the scratch arrays: the 2-D passes run their blocks in parallel. */
static void scratch(const dr_hopflax_plan *p, int id, double **work, size_t **iwork,
                    double **blk_u, size_t **blk_k)
{
    *work = p->work + (size_t)id * (3 * p->nymax + 1);
    *iwork = p->iwork + (size_t)id * p->nymax;
    *blk_u = p->blk_u + (size_t)id * BLOCK * p->nmax;
    *blk_k = p->blk_k + (size_t)id * BLOCK * p->nmax;
}

/* The envelope itself. Parabola k is P_k(x) = fy[k] + (x - y_k)^2/(2t). Two of them, q < k,
 * cross where P_k = P_q, at
 *     s = (y_k + y_q)/2 + t (fy[k] - fy[q]) / (y_k - y_q).
 * This form, rather than the textbook ((fy_k*2t + y_k^2) - (fy_q*2t + y_q^2)) / (2(y_k - y_q)),
 * never forms y^2: on a box far from 0 the squares cancel and take every digit of s with them.
 * y_k - y_q = (k - q) hy exactly up to one rounding. If the difference of two huge samples
 * overflows, s = +-inf, which still orders the parabolas correctly (no NaN: t and hy are finite
 * and positive). Samples that are not <= cut (walls +inf, NaN, and in a plan every value above
 * max f over the box, which no proximal point can have) are never on the envelope. */
static inline void envelope_impl(const double *restrict fy, size_t ny, double y0, double hy,
                                 const double *restrict x, size_t nx, double t, double cut,
                                 const double *restrict inv,
                                 double *restrict u, double *restrict argmin,
                                 size_t *restrict kmin, double *restrict work,
                                 size_t *restrict v)
{
    double *restrict z = work;             /* z[j]: where parabola v[j] starts being lowest */
    double *restrict yv = work + ny + 1;   /* y of the envelope's parabolas */
    double *restrict fv = work + 2 * ny + 1;
    const double t_over_h = t / hy;
    size_t m = 0;

    for (size_t k = 0; k < ny; k++) {
        const double fk = fy[k];
        if (!(fk <= cut))
            continue;
        const double yk = y0 + (double)k * hy;
        double s = -INFINITY;
        while (m > 0) {
            const size_t dk = k - v[m - 1];
            /* inv[dk] = 1/dk (one rounding more than the division, off the critical path) */
            const double w = inv ? inv[dk] : 1.0 / (double)dk;
            s = 0.5 * (yk + yv[m - 1]) + (fk - fv[m - 1]) * t_over_h * w;
            if (s > z[m - 1])
                break;
            m--;  /* parabola v[m-1] is lowest on an empty interval: never on the envelope */
        }
        if (m == 0)
            s = -INFINITY;
        z[m] = s; v[m] = k; yv[m] = yk; fv[m] = fk;
        m++;
    }

    if (m == 0) {
        for (size_t i = 0; i < nx; i++) {
            u[i] = INFINITY;
            if (argmin) argmin[i] = NAN;
            if (kmin) kmin[i] = SIZE_MAX;
        }
        return;
    }
    z[m] = INFINITY;

    const double inv2t = 0.5 / t;
    size_t j = 0;
    for (size_t i = 0; i < nx; i++) {
        const double xi = x[i];
        /* On a breakpoint both parabolas are equal: keep the left one (smaller y), the choice of
         * a left-to-right scan with strict <. Moving back is only needed for descending x. */
        while (z[j + 1] < xi)
            j++;
        while (j > 0 && xi <= z[j])
            j--;
        const double d = xi - yv[j];
        u[i] = fv[j] + d * d * inv2t;
        if (argmin) argmin[i] = yv[j];
        if (kmin) kmin[i] = v[j];
    }
}

/* The plan's version: samples above `cut` skipped, reciprocals from a table. */
static void envelope(const double *restrict fy, size_t ny, double y0, double hy,
                     const double *restrict x, size_t nx, double t, double cut,
                     const double *restrict inv, double *restrict u, size_t *restrict kmin,
                     double *restrict work, size_t *restrict v)
{
    envelope_impl(fy, ny, y0, hy, x, nx, t, cut, inv, u, NULL, kmin, work, v);
}

void dr_hopflax_envelope_1d(const double *fy, size_t ny, double y0, double hy,
                            const double *x, size_t nx, double t,
                            double *u, double *argmin, double *work, size_t *iwork)
{
    envelope_impl(fy, ny, y0, hy, x, nx, t, DBL_MAX, NULL, u, argmin, NULL, work, iwork);
}

/* ---- plan ------------------------------------------------------------------------------ */

static double ycoord(const dr_hopflax_plan *p, int a, size_t k)
{
    return p->y0[a] + (double)k * p->hy[a];
}

/* (Re)samples f on the y-grid with margin m_new per axis, keeping the samples already taken
 * (the grids are nested: same spacing, box points at the same place). Updates fmin; on the
 * first call (no samples yet) also fmax_box. */
static int sample_margin(dr_hopflax_plan *p, const dr_landscape *f, const size_t m_new[2])
{
    const int dim = p->g.dim;
    size_t ny[2], dm[2];
    for (int a = 0; a < 2; a++) {
        ny[a] = p->nb[a] + 2 * m_new[a];
        dm[a] = m_new[a] - p->m[a];
    }
    if (ny[0] > MAX_YPOINTS / ny[1] || p->g.n[0] > MAX_YPOINTS / ny[1])
        return dr_error(DR_EINVAL,
                        "Hopf-Lax: t_max = %g needs a margin of %g beyond the box, %zu x %zu "
                        "y-grid points (limit %zu); use a smaller t_max or refine",
                        p->t_max, p->margin, ny[0], ny[1], MAX_YPOINTS);
    double *fy = malloc(ny[0] * ny[1] * sizeof *fy);
    if (!fy)
        return dr_error(DR_ENOMEM, "Hopf-Lax: cannot allocate %zu x %zu y-grid samples",
                        ny[0], ny[1]);
    double y0[2];
    for (int a = 0; a < 2; a++)
        y0[a] = p->g.lo[a] - (double)m_new[a] * p->hy[a];

    const int first = p->fy == NULL;
    double fmin = first ? INFINITY : p->fmin, fmax = -INFINITY;
    dr_landscape_prefetch_lattice(f, dim, ny, y0, p->hy);
    for (size_t j = 0; j < ny[1]; j++) {
        const int row_old = !first && j >= dm[1] && j - dm[1] < p->ny[1];
        for (size_t i = 0; i < ny[0]; i++) {
            double v;
            if (row_old && i >= dm[0] && i - dm[0] < p->ny[0]) {
                v = p->fy[(j - dm[1]) * p->ny[0] + (i - dm[0])];
            } else {
                const double y[2] = { y0[0] + (double)i * p->hy[0],
                                      y0[1] + (double)j * p->hy[1] };
                v = dr_landscape_value(f, y);
                const int in_box = first;
                if (isnan(v) || v == -INFINITY || (in_box && !isfinite(v))) {
                    const char *what = isnan(v) ? "NaN" : v > 0 ? "+inf" : "-inf";
                    free(fy);
                    if (dim == 1)
                        return dr_error(DR_ENUMERIC, "Hopf-Lax: landscape '%s' is %s at x = %g%s",
                                        dr_landscape_name(f), what, y[0],
                                        in_box ? " in the box" : " in the margin beyond the box");
                    return dr_error(DR_ENUMERIC,
                                    "Hopf-Lax: landscape '%s' is %s at (x, y) = (%g, %g)%s",
                                    dr_landscape_name(f), what, y[0], y[1],
                                    in_box ? " in the box" : " in the margin beyond the box");
                }
                if (v < fmin) fmin = v;
                if (first && v > fmax) fmax = v;
            }
            fy[j * ny[0] + i] = v;
        }
    }
    dr_landscape_prefetch_end(f);
    free(p->fy);
    p->fy = fy;
    p->fmin = fmin;
    if (first)
        p->fmax_box = fmax;
    for (int a = 0; a < 2; a++) {
        p->m[a] = m_new[a];
        p->ny[a] = ny[a];
        p->y0[a] = y0[a];
    }
    return DR_SUCCESS;
}

/* Every proximal point lies within sqrt(2t (f(x) - min f)) of x, because
 * f(y*) + |x-y*|^2/(2t) <= f(x). The margin takes f(x) <= max f over the box and min f over the
 * samples seen so far; when the new margin's samples lower the minimum, the margin widens and
 * the test repeats until it holds for the grid actually sampled. (A minimum beyond every sample
 * taken cannot be seen by any finite grid; the bound is exact for the y-grid's own values.) */
static int settle_margin(dr_hopflax_plan *p, const dr_landscape *f)
{
    const size_t none[2] = { 0, 0 };
    int rc = sample_margin(p, f, none);
    if (rc)
        return rc;
    for (int round = 0; round < MAX_MARGIN_ROUNDS; round++) {
        p->margin = sqrt(2.0 * p->t_max * (p->fmax_box - p->fmin));
        size_t need[2] = { 0, 0 };
        int grow = 0;
        for (int a = 0; a < p->g.dim; a++) {
            const double pts = ceil(p->margin / p->hy[a]) + 1.0;
            if (!(pts < (double)MAX_YPOINTS))
                return dr_error(DR_EINVAL,
                                "Hopf-Lax: t_max = %g needs a margin of %g beyond the box, more "
                                "than %zu y-grid points; use a smaller t_max",
                                p->t_max, p->margin, MAX_YPOINTS);
            need[a] = (size_t)pts;
            if (need[a] > p->m[a]) grow = 1;
            if (need[a] < p->m[a]) need[a] = p->m[a];
        }
        if (!grow)
            return DR_SUCCESS;
        rc = sample_margin(p, f, need);
        if (rc)
            return rc;
    }
    return dr_error(DR_ENUMERIC,
                    "Hopf-Lax: landscape '%s' keeps decreasing beyond the box (margin %g after "
                    "%d rounds): its Hopf-Lax value is not finite for t_max = %g",
                    dr_landscape_name(f), p->margin, MAX_MARGIN_ROUNDS, p->t_max);
}

/* A sample above max f over the box can never be a proximal point (u(x) <= f(x) <= fmax_box <
 * f(y) + |x-y|^2/(2t)), so execution may drop the rows and columns made only of such samples. */
static void find_useful_box(dr_hopflax_plan *p)
{
    size_t lo[2] = { p->ny[0], p->ny[1] }, hi[2] = { 0, 0 };
    for (size_t j = 0; j < p->ny[1]; j++)
        for (size_t i = 0; i < p->ny[0]; i++)
            if (p->fy[j * p->ny[0] + i] <= p->fmax_box) {
                if (i < lo[0]) lo[0] = i;
                if (i > hi[0]) hi[0] = i;
                if (j < lo[1]) lo[1] = j;
                if (j > hi[1]) hi[1] = j;
            }
    for (int a = 0; a < 2; a++) {
        p->keep_lo[a] = lo[a];
        p->keep_hi[a] = hi[a];
    }
}

/* Per-axis profiles for the range test of active_range: for axis a, the largest f over the
 * other axis at each output coordinate, and the smallest f over the other axis at each y-grid
 * coordinate. */
static int line_profiles(dr_hopflax_plan *p)
{
    const dr_grid *g = &p->g;
    for (int a = 0; a < g->dim; a++) {
        p->neg_amax[a] = malloc(g->n[a] * sizeof(double));
        p->line_min[a] = malloc(p->ny[a] * sizeof(double));
        p->ycoords[a] = malloc(p->ny[a] * sizeof(double));
        if (!p->neg_amax[a] || !p->line_min[a] || !p->ycoords[a])
            return dr_error(DR_ENOMEM, "Hopf-Lax: cannot allocate the workspace");
        for (size_t i = 0; i < g->n[a]; i++)
            p->neg_amax[a][i] = INFINITY;
        for (size_t k = 0; k < p->ny[a]; k++) {
            p->line_min[a][k] = INFINITY;
            p->ycoords[a][k] = ycoord(p, a, k);
        }
    }
    const size_t r = (size_t)p->refine;
    for (size_t j = 0; j < p->ny[1]; j++)
        for (size_t i = 0; i < p->ny[0]; i++) {
            const double v = p->fy[j * p->ny[0] + i];
            const size_t k[2] = { i, j };
            for (int a = 0; a < g->dim; a++) {
                if (v < p->line_min[a][k[a]]) p->line_min[a][k[a]] = v;
                /* output points are the y-grid points m + i*refine on every axis */
                int on_output = 1;
                for (int b = 0; b < g->dim; b++)
                    if (k[b] < p->m[b] || (k[b] - p->m[b]) % r || k[b] - p->m[b] >= p->nb[b])
                        on_output = 0;
                if (on_output) {
                    const size_t io = (k[a] - p->m[a]) / r;
                    if (-v < p->neg_amax[a][io]) p->neg_amax[a][io] = -v;
                }
            }
        }
    return DR_SUCCESS;
}

int dr_hopflax_plan_alloc(dr_hopflax_plan **out, const dr_landscape *f, const dr_grid *g,
                          double t_max, const dr_hopflax_options *opt)
{
    DR_CHECK_PTRS(out, f, g);
    if (!out)
        return dr_error(DR_EINVAL, "Hopf-Lax: no place to return the plan (out is NULL)");
    *out = NULL;
    if (!f || !g)
        return dr_error(DR_EINVAL, "Hopf-Lax: %s is NULL", f ? "the grid" : "the landscape");
    if (g->dim != 1 && g->dim != 2)
        return dr_error(DR_EINVAL, "Hopf-Lax: grid dimension must be 1 or 2 (got %d)", g->dim);
    if (dr_landscape_dim(f) != g->dim)
        return dr_error(DR_EINVAL, "Hopf-Lax: landscape '%s' is %d-D but the grid is %d-D",
                        dr_landscape_name(f), dr_landscape_dim(f), g->dim);
    for (int a = 0; a < g->dim; a++)
        if (g->n[a] < DR_GRID_MIN_POINTS || !(g->h[a] > 0) || !isfinite(g->h[a]))
            return dr_error(DR_EINVAL, "Hopf-Lax: invalid grid on axis %d (%zu points, "
                            "spacing %g); build it with dr_grid_init", a + 1, g->n[a], g->h[a]);
    if (!isfinite(t_max) || !(t_max > 0))
        return dr_error(DR_EINVAL, "Hopf-Lax: t_max must be positive and finite (got %g)", t_max);
    const int refine = opt ? opt->refine : 1;
    if (refine < 1 || refine > MAX_REFINE)
        return dr_error(DR_EINVAL, "Hopf-Lax: refine must be between 1 and %d (got %d)",
                        MAX_REFINE, refine);

    dr_hopflax_plan *p = calloc(1, sizeof *p);
    if (!p)
        return dr_error(DR_ENOMEM, "Hopf-Lax: cannot allocate the plan");
    p->g = *g;
    p->t_max = t_max;
    p->refine = refine;
    p->f = f;
    p->polish = opt ? opt->polish : 0;
    p->convexity = -INFINITY;  /* until curvature_for_search knows better */
    for (int a = 0; a < 2; a++) {
        if (a < g->dim) {
            p->nb[a] = (g->n[a] - 1) * (size_t)refine + 1;
            p->hy[a] = g->h[a] / refine;
        } else {
            p->nb[a] = 1;
            p->hy[a] = 1.0;
        }
    }
    if (p->nb[0] > MAX_YPOINTS / p->nb[1]) {
        dr_hopflax_plan_free(p);
        return dr_error(DR_EINVAL, "Hopf-Lax: refine %d makes %zu x %zu y-grid points in the "
                        "box alone (limit %zu)", refine, p->nb[0], p->nb[1], MAX_YPOINTS);
    }
    int rc = settle_margin(p, f);
    if (rc) {
        dr_hopflax_plan_free(p);
        return rc;
    }
    find_useful_box(p);
    rc = line_profiles(p);
    if (rc) {
        dr_hopflax_plan_free(p);
        return rc;
    }

    const size_t nymax = p->ny[0] > p->ny[1] ? p->ny[0] : p->ny[1];
    const size_t nmax = g->n[0] > g->n[1] ? g->n[0] : g->n[1];
    p->xq[0] = malloc(g->n[0] * sizeof(double));
    p->xq[1] = malloc(g->n[1] * sizeof(double));
    p->inv = malloc((nymax + 1) * sizeof(double));
    p->cut = malloc(nymax * sizeof(double));
    p->nthreads = opt && opt->threads > 0 ? opt->threads
                : omp_get_max_threads() > 0 ? omp_get_max_threads() : 1;
    p->nymax = nymax;
    p->nmax = nmax;
    const size_t nt = (size_t)p->nthreads;
    p->work = malloc(nt * (3 * nymax + 1) * sizeof(double));
    p->iwork = malloc(nt * nymax * sizeof(size_t));
    p->blk_u = malloc(nt * BLOCK * nmax * sizeof(double));
    p->blk_k = malloc(nt * BLOCK * nmax * sizeof(size_t));
    int ok = p->xq[0] && p->xq[1] && p->inv && p->cut && p->work && p->iwork && p->blk_u && p->blk_k;
    if (ok && g->dim == 2) {
        p->vt = malloc(g->n[0] * p->ny[1] * sizeof(double));
        p->kt = malloc(g->n[0] * p->ny[1] * sizeof(uint32_t));
        ok = p->vt && p->kt;
    }
    if (!ok) {
        dr_hopflax_plan_free(p);
        return dr_error(DR_ENOMEM, "Hopf-Lax: cannot allocate the workspace");
    }
    for (int a = 0; a < 2; a++)
        for (size_t i = 0; i < g->n[a]; i++)
            p->xq[a][i] = a < g->dim ? dr_grid_coord(g, a, i) : 0.0;
    p->inv[0] = INFINITY;
    for (size_t d = 1; d <= nymax; d++)
        p->inv[d] = 1.0 / (double)d;
    *out = p;
    return DR_SUCCESS;
}

void dr_hopflax_plan_free(dr_hopflax_plan *p)
{
    if (!p)
        return;
    free(p->fy);
    free(p->prox_scratch);
    free(p->xq[0]);
    free(p->xq[1]);
    free(p->inv);
    free(p->cut);
    for (int a = 0; a < 2; a++) {
        free(p->neg_amax[a]);
        free(p->line_min[a]);
        free(p->ycoords[a]);
    }
    free(p->work);
    free(p->iwork);
    free(p->vt);
    free(p->kt);
    free(p->blk_u);
    free(p->blk_k);
    free(p);
}

void dr_hopflax_plan_info(const dr_hopflax_plan *p, dr_hopflax_info *info)
{
    memset(info, 0, sizeof *info);
    if (!p)
        return;
    info->refine = p->refine;
    info->margin = p->margin;
    info->fmin = p->fmin;
    info->fmax_box = p->fmax_box;
    for (int a = 0; a < 2; a++) {
        info->margin_points[a] = p->m[a];
        info->ny[a] = p->ny[a];
        info->y0[a] = p->y0[a];
        info->hy[a] = p->hy[a];
    }
}

/* ---- execute --------------------------------------------------------------------------- */

/* The y-range execution at time t needs on axis a. Three bounds, each from
 * f(y*) + |x-y*|^2/(2t) <= f(x):
 *   - the margin for t (not t_max): |x - y*| <= sqrt(2t (max f - min f));
 *   - the useful box: f(y*) <= max f over the box;
 *   - per line: y* can have coordinate y_a only if
 *         min_{other axis} f(., y_a) <= max_{x_a} [ max_{other axis} f(x) - (x_a - y_a)^2/(2t) ],
 *     the right side a 1-D Hopf-Lax of -max f, one envelope of O(n + ny). On a bowl like quad2d
 *     this keeps about 2/3 of the rows the first two bounds keep.
 * The range always contains the box itself. */
static void active_range(dr_hopflax_plan *p, double t, int a, size_t *lo, size_t *hi)
{
    const double reach = sqrt(2.0 * t * (p->fmax_box - p->fmin));
    const double pts = ceil(reach / p->hy[a]) + 1.0;
    const size_t mt = pts < (double)p->m[a] ? (size_t)pts : p->m[a];
    *lo = p->m[a] - mt;
    *hi = p->m[a] + p->nb[a] - 1 + mt;
    if (*lo < p->keep_lo[a]) *lo = p->keep_lo[a];
    if (*hi > p->keep_hi[a]) *hi = p->keep_hi[a];

    /* cut[k] = min_x (-max f)(x) + (x - y_k)^2/(2t) = -(the right side above) */
    envelope_impl(p->neg_amax[a], p->g.n[a], p->g.lo[a], p->g.h[a], p->ycoords[a] + *lo,
                  *hi - *lo + 1, t, DBL_MAX, NULL, p->cut, NULL, NULL, p->work, p->iwork);
    /* slack: the output points and their y-grid twins differ by a rounding */
    const double slack = 64 * DBL_EPSILON * (fabs(p->fmax_box) + fabs(p->fmin) + 1.0);
    const size_t box_lo = p->m[a], box_hi = p->m[a] + p->nb[a] - 1;
    size_t k = *lo;
    while (k < box_lo && !(p->line_min[a][k] + p->cut[k - *lo] <= slack))
        k++;
    size_t kh = *hi;
    while (kh > box_hi && !(p->line_min[a][kh] + p->cut[kh - *lo] <= slack))
        kh--;
    *lo = k;
    *hi = kh;
}

static void write_point(const dr_hopflax_plan *p, double t, size_t idx, size_t n,
                        const double x[2], const double y[2], double *prox, double *grad)
{
    for (int a = 0; a < p->g.dim; a++) {
        if (prox) prox[a * n + idx] = y[a];
        if (grad) grad[a * n + idx] = (x[a] - y[a]) / t;
    }
}

static void execute_1d(dr_hopflax_plan *p, double t, double *u, double *prox, double *grad)
{
    const size_t n = p->g.n[0];
    size_t lo, hi;
    active_range(p, t, 0, &lo, &hi);
    p->act_lo[0] = lo;
    p->act_hi[0] = hi;
    p->act_lo[1] = p->act_hi[1] = 0;
    envelope(p->fy + lo, hi - lo + 1, ycoord(p, 0, lo), p->hy[0], p->xq[0], n, t, p->fmax_box,
             p->inv, u, p->blk_k, p->work, p->iwork);
    if (!prox && !grad)
        return;
    for (size_t i = 0; i < n; i++) {
        const size_t k = p->blk_k[i];
        const double x[2] = { p->xq[0][i], 0 };
        const double y[2] = { k == SIZE_MAX ? NAN : ycoord(p, 0, lo + k), 0 };
        write_point(p, t, i, n, x, y, prox, grad);
    }
}

/* Separable: min over (y1, y2) = min over y2 of [ (y2 - x2)^2/(2t) + min over y1 of
 * (f(y1, y2) + (y1 - x1)^2/(2t)) ]. Pass 1 takes the inner minimum along x for every y-row at
 * the output x points; pass 2 takes the outer one along y for every output column. The argmin
 * row j* of pass 2 and the x-index pass 1 recorded for (column, j*) make the proximal point. */
static void execute_2d(dr_hopflax_plan *p, double t, double *u, double *prox, double *grad)
{
    const size_t n0 = p->g.n[0], n1 = p->g.n[1], N = n0 * n1;
    size_t lo0, hi0, lo1, hi1;
    active_range(p, t, 0, &lo0, &hi0);
    active_range(p, t, 1, &lo1, &hi1);
    p->act_lo[0] = lo0; p->act_hi[0] = hi0;
    p->act_lo[1] = lo1; p->act_hi[1] = hi1;
    const size_t nyx = hi0 - lo0 + 1, nyy = hi1 - lo1 + 1;

    /* Blocks of rows (pass 1) and of columns (pass 2) are independent: one thread each. */
    #pragma omp parallel for schedule(dynamic, 1) num_threads(p->nthreads)
    for (size_t r0 = 0; r0 < nyy; r0 += BLOCK) {
        double *work, *blk_u;
        size_t *iwork, *blk_k;
        scratch(p, omp_get_thread_num(), &work, &iwork, &blk_u, &blk_k);
        const size_t nb = nyy - r0 < BLOCK ? nyy - r0 : BLOCK;
        for (size_t b = 0; b < nb; b++)
            envelope(p->fy + (lo1 + r0 + b) * p->ny[0] + lo0, nyx, ycoord(p, 0, lo0), p->hy[0],
                     p->xq[0], n0, t, p->fmax_box, p->inv, blk_u + b * n0,
                     blk_k + b * n0, work, iwork);
        for (size_t i = 0; i < n0; i++) {
            double *vcol = p->vt + i * nyy + r0;
            uint32_t *kcol = p->kt + i * nyy + r0;
            for (size_t b = 0; b < nb; b++) {
                const size_t k = blk_k[b * n0 + i];
                vcol[b] = blk_u[b * n0 + i];
                kcol[b] = k == SIZE_MAX ? UINT32_MAX : (uint32_t)(lo0 + k);
            }
        }
    }

    #pragma omp parallel for schedule(dynamic, 1) num_threads(p->nthreads)
    for (size_t c0 = 0; c0 < n0; c0 += BLOCK) {
        double *work, *blk_u;
        size_t *iwork, *blk_k;
        scratch(p, omp_get_thread_num(), &work, &iwork, &blk_u, &blk_k);
        const size_t nb = n0 - c0 < BLOCK ? n0 - c0 : BLOCK;
        for (size_t b = 0; b < nb; b++)
            envelope(p->vt + (c0 + b) * nyy, nyy, ycoord(p, 1, lo1), p->hy[1], p->xq[1], n1, t,
                     p->fmax_box, p->inv, blk_u + b * n1, blk_k + b * n1, work, iwork);
        for (size_t j = 0; j < n1; j++) {
            for (size_t b = 0; b < nb; b++) {
                const size_t i = c0 + b, idx = j * n0 + i;
                u[idx] = blk_u[b * n1 + j];
                if (!prox && !grad)
                    continue;
                const size_t kr = blk_k[b * n1 + j];
                const uint32_t kx = kr == SIZE_MAX ? UINT32_MAX : p->kt[i * nyy + kr];
                const double x[2] = { p->xq[0][i], p->xq[1][j] };
                double y[2] = { NAN, NAN };
                if (kx != UINT32_MAX) {
                    y[0] = ycoord(p, 0, kx);
                    y[1] = ycoord(p, 1, lo1 + kr);
                }
                write_point(p, t, idx, N, x, y, prox, grad);
            }
        }
    }
}

/* The curvature behind the sub-grid error of the global search: the landscape's bound over the
 * y-grid's range; where it has none, or has kinks or knots (whose second derivative is a Dirac
 * mass the bound cannot see), 8 times the largest second difference of the samples, which a kink
 * of slope jump s shows as >= s/hy: then (8 C) hy^2/8 >= s hy covers the miss s hy/2. */
static void curvature_for_search(dr_hopflax_plan *p)
{
    double lo[2], hi[2];
    for (int a = 0; a < 2; a++) {
        lo[a] = p->y0[a];
        hi[a] = p->y0[a] + (double)(p->ny[a] - 1) * p->hy[a];
    }
    double wlo[2], whi[2];
    for (int a = 0; a < 2; a++) {
        wlo[a] = lo[a] - p->hy[a];
        whi[a] = hi[a] + p->hy[a];
    }
    p->convexity = dr_landscape_convexity_bound(p->f, wlo, whi);
    double C = dr_landscape_curvature_bound(p->f, lo, hi);
    long nk = dr_landscape_breakpoints(p->f, lo[0], hi[0], NULL, 0);
    if (p->g.dim == 1 && nk > 0 && nk <= DR_HOPFLAX_MAX_KINKS)
        p->nkinks = (size_t)dr_landscape_breakpoints(p->f, lo[0], hi[0], p->kinks,
                                                     DR_HOPFLAX_MAX_KINKS);
    int kinks = nk != 0;
    p->C_measured = !isfinite(C) || kinks;
    if (!p->C_measured) {
        p->C = C > 0 ? C : 0.0;
        return;
    }
    double cmax = 0.0;
    for (int a = 0; a < p->g.dim; a++) {
        size_t stride = a == 0 ? 1 : p->ny[0];
        for (size_t j = 0; j < p->ny[1]; j++)
            for (size_t i = 0; i < p->ny[0]; i++) {
                size_t k[2] = {i, j};
                if (k[a] == 0 || k[a] + 1 >= p->ny[a]) continue;
                const double *q = p->fy + j * p->ny[0] + i;
                double c = (q[-(long)stride] - 2 * q[0] + q[stride]) / (p->hy[a] * p->hy[a]);
                if (isfinite(c) && c > cmax) cmax = c;
            }
    }
    p->C = fmax(isfinite(C) ? C : 0.0, 8.0 * cmax);
}

int dr_hopflax_execute(dr_hopflax_plan *p, double t, double *u, double *prox, double *grad)
{
    DR_CHECK_PTRS(p, u);
    return dr_hopflax_execute_report(p, t, u, prox, grad, NULL);
}

int dr_hopflax_execute_report(dr_hopflax_plan *p, double t, double *u, double *prox,
                              double *grad, dr_hopflax_report *rep)
{
    DR_CHECK_PTRS(p, u);
    if (!p)
        return dr_error(DR_EINVAL, "Hopf-Lax: the plan is NULL");
    if (!u)
        return dr_error(DR_EINVAL, "Hopf-Lax: the output array u is NULL");
    if (!isfinite(t) || !(t > 0))
        return dr_error(DR_EINVAL, "Hopf-Lax: t must be positive and finite (got %g)", t);
    if (t > p->t_max)
        return dr_error(DR_EINVAL, "Hopf-Lax: t = %g is beyond the plan's t_max = %g", t,
                        p->t_max);
    if (p->polish && !prox) {
        if (!p->prox_scratch)
            p->prox_scratch = malloc((size_t)p->g.dim * dr_grid_size(&p->g) * sizeof(double));
        if (!p->prox_scratch)
            return dr_error(DR_ENOMEM, "Hopf-Lax: out of memory for the polish step");
        prox = p->prox_scratch;
    }
    if (p->g.dim == 1)
        execute_1d(p, t, u, prox, grad);
    else
        execute_2d(p, t, u, prox, grad);
    dr_hopflax_report r = {0};
    if (!p->C && !p->C_measured) curvature_for_search(p);
    if (p->polish) {
        dr_hopflax_view v = {.f = p->f, .g = &p->g, .dim = p->g.dim, .t = t, .inv2t = 0.5 / t,
                             .fy = p->fy, .vt = p->vt, .C = p->C, .measured = p->C_measured,
                             .kinks = p->kinks, .nkinks = p->nkinks, .threads = p->nthreads,
                             .convex = p->convexity > -1.0 / t,
                             .quadratic = !p->C_measured && p->convexity == p->C};
        for (int a = 0; a < 2; a++) {
            v.ny[a] = p->ny[a];
            v.y0[a] = p->y0[a];
            v.hy[a] = p->hy[a];
            v.lo[a] = p->act_lo[a];
            v.hi[a] = p->act_hi[a];
        }
        dr_hopflax_global(&v, u, prox, grad, &r);
    } else {
        /* the grid minimum is high by at most the sub-grid error, never low */
        for (int a = 0; a < p->g.dim; a++) r.est_error += p->hy[a] * p->hy[a] / 8.0;
        r.est_error *= p->C + 1.0 / t;
        r.measured = p->C_measured;
    }
    if (rep) *rep = r;
    return DR_SUCCESS;
}
