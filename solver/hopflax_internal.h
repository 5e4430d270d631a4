/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private to the Hopf-Lax solver: the per-point polish with its error estimate, and the global
 * search over candidate wells (hopflax_global.c), shared by hopflax.c. */
#ifndef DEEPRELAX_HOPFLAX_INTERNAL_H
#define DEEPRELAX_HOPFLAX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "deeprelax/hopflax.h"

/* A warm start for the polish: a point near the minimiser (a neighbour's, carried over), and
 * phi at the grid point as the caller has it (the grid's value: the polish then need not
 * evaluate it). */
typedef struct { double y[2], grid; } dr_hopflax_warm;

/* Minimises phi(y) = f(y) + |x-y|^2/(2t) from the grid point y0 within about a cell: Newton
 * where it converges to a smooth minimiser (then *err is round-off and *smooth = 1), else a
 * pattern search whose result is trusted (*err = 1e3 round-off) only if no lower phi shows on
 * rings around it at every scale up to a cell, else *err = +inf (*smooth = 0 for both). Newton
 * starts from warm->y (warm may be NULL) where that is within a cell of y0 and converges there,
 * its result then compared with warm->grid for phi at y0. 1-D:
 * f's breakpoints kinks[nkinks] (may be NULL, 0) near the result are tried too. Returns phi at
 * y (written, dim entries). */
double dr_hopflax_polish_point(const dr_landscape *f, const double *x, const double *y0,
                               const dr_hopflax_warm *warm, const double *cell, int dim, double t,
                               const double *kinks, size_t nkinks, double *y, double *err,
                               int *smooth);

/* warm_polish for up to DR_HOPFLAX_BATCH candidates at once, their Newton iterations in
 * lock-step with each round's evaluations batched (the landscape's jets op): for each task,
 * what dr_hopflax_polish_point's warm start gives (ok = 1: p, y and err as it returns them,
 * *smooth = 1), or ok = 0 where it would go on without it (from y0, as with warm = NULL). The
 * same steps as one at a time, on the batch op's numbers (the jet op's to round-off). */
#define DR_HOPFLAX_BATCH 64
typedef struct {
    double x[2], y0[2];      /* the output point, the candidate's grid point (dim entries) */
    dr_hopflax_warm warm;
    double p, y[2], err;     /* out, where ok */
    int ok;
} dr_hopflax_warm_task;
void dr_hopflax_polish_warm_batch(const dr_landscape *f, dr_hopflax_warm_task *tasks, size_t n,
                                  const double *cell, int dim, double t);

/* For f quadratic (a constant Hessian): phi's minimiser is one Newton step from any y0, exact
 * to round-off (*err, the same as the Newton branch above). Returns phi there (y written), or
 * NAN where phi's Hessian is not positive definite. */
double dr_hopflax_polish_quadratic(const dr_landscape *f, const double *x, const double *y0,
                                   int dim, double t, double *y, double *err);

/* The most breakpoints of a 1-D f a plan keeps for the polish (more: it does without). */
#define DR_HOPFLAX_MAX_KINKS 64

/* What the global search sees of a plan after its grid minimisation at time t. */
typedef struct {
    const dr_landscape *f;
    const dr_grid *g;
    int dim;
    double t, inv2t;        /* inv2t = 1/(2t): grid phi is f + |x-y|^2 inv2t (a product, not
                               a quotient, in the search's inner loops) */
    const double *fy;       /* samples on the y-grid, x fastest, ny[0] per row */
    size_t ny[2];
    double y0[2], hy[2];
    size_t lo[2], hi[2];    /* active y-index range per axis (inclusive) */
    const double *vt;       /* 2-D: pass-1 values, column i at vt + i*(hi[1]-lo[1]+1) */
    double C;               /* curvature bound of f (finite), or measured (see measured) */
    int measured;           /* C is 8 x the largest second difference of the samples */
    const double *kinks;    /* 1-D: f's breakpoints, ascending (NULL if none known) */
    size_t nkinks;
    int threads;            /* the plan's thread count, for the search's loops */
    int convex;             /* phi is strictly convex over the y-grid and a cell beyond: f's
                               proven smallest Hessian eigenvalue there is above -1/t */
    int quadratic;          /* and f's proven least and largest Hessian eigenvalues are equal
                               there: its Hessian is that constant times I, f is quadratic */
} dr_hopflax_view;

/* Where phi = v(k) + (x - y_k)^2/(2t) can be low along grid lines (hopflax_wells.c): nlines
 * lines of len values, line i at base + i*stride, y_k = ystart + k h (and, to compute phi as the
 * global search does, yorigin + (korigin + k) h). Built per t: line i's lower hull of the points
 * (y_k, t v(k) + y_k^2/2) is hv[hoff[i] .. hoff[i+1]) with its edges' slopes hs (+inf after the
 * last), and the points within `near` (in phi's units; 0: the vertices only) of it are
 * nk[noff[i] .. noff[i+1]), ascending. */
typedef struct {
    const double *base;
    size_t stride, nlines, len, korigin;
    double t, h, ystart, yorigin;
    double inv2t;            /* 1/(2t), set by the build: phi as the search computes it */
    double near;             /* the gap above the hull up to which points are listed: queries
                                with U at most this above the least phi test only those */
    int threads;             /* for the build's loops */
    size_t *hoff, *noff;
    uint32_t *hv, *nk, *np;  /* np (as hv): each vertex's place in nk */
    double *hs;
    double *slack;           /* per line: the widening that covers the rounding of P */
} dr_hopflax_lines;

/* Fills the hulls and lists; -1 (nothing allocated) if out of memory or a line's values are not
 * finite, when the caller scans instead. */
int dr_hopflax_lines_build(dr_hopflax_lines *L);
void dr_hopflax_lines_free(dr_hopflax_lines *L);

/* Line i's k in [kl, kh] that may be local minima of phi at x with phi <= U, x widened by tol
 * (every one the exact comparisons find is among them); at most cap into ks (*overflow = 1 if
 * more). hint (may be NULL; any value: UINT32_MAX at first) keeps the caller's last place on
 * the line, which speeds up the next query at a nearby x. */
size_t dr_hopflax_lines_minima(const dr_hopflax_lines *L, size_t i, double x, double tol,
                               double U, size_t kl, size_t kh, uint32_t *hint, size_t *ks,
                               size_t cap, int *overflow);

/* Line i's k in [kl, kh] where phi <= U, each once (hint as above). */
size_t dr_hopflax_lines_below(const dr_hopflax_lines *L, size_t i, double x, double U,
                              size_t kl, size_t kh, uint32_t *hint, size_t *ks, size_t cap,
                              int *overflow);

/* For every output point: every grid local minimum of phi within the sub-grid error
 * (C + 1/t) sum hy^2/8 of the grid minimum u is polished, and the lowest polished value wins;
 * where v->convex, a smooth minimiser Newton reaches from the grid minimiser is phi's only
 * stationary point, so the global one, and the search is skipped.
 * Rewrites u, prox and grad (NULL allowed); fills rep. Polishing never raises u. */
void dr_hopflax_global(const dr_hopflax_view *v, double *u, double *prox, double *grad,
                       dr_hopflax_report *rep);

#endif
