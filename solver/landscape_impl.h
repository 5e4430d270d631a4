/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private to the landscape module: the small vtable every landscape source (catalogue,
 * expression, samples) implements, and the constructor they share. Not a public header. */
#ifndef DEEPRELAX_LANDSCAPE_IMPL_H
#define DEEPRELAX_LANDSCAPE_IMPL_H

#include "deeprelax/landscape.h"

typedef struct {
    /* f(x); and grad[dim] when grad is not NULL. */
    double (*value_grad)(const void *state, const double *x, double *grad);
    /* Hessian dim x dim row-major; DR_SUCCESS or a status with a message. */
    int (*hessian)(const void *state, const double *x, double *hess);
    /* Upper bound of the largest Hessian eigenvalue over [lo,hi]; NULL: measure it by sampling. */
    double (*curvature)(const void *state, const double *lo, const double *hi);
    void (*destroy)(void *state);
    /* Where f is not smooth (see dr_landscape_breakpoints); NULL: smooth everywhere. */
    long (*breakpoints)(const void *state, double lo, double hi, double *pts, size_t max);
    /* Interpolation uncertainty (see dr_landscape_interp_uncertainty); NULL: exact (0). */
    double (*interp_uncertainty)(const void *state);
    /* A proven lower bound of the smallest Hessian eigenvalue over [lo,hi]; NULL: none known. */
    double (*convexity)(const void *state, const double *lo, const double *hi);
    /* f(x) into *v and, where not NULL, grad[dim] and the Hessian together, from any number of
     * threads at once without a lock; DR_SUCCESS, or non-zero where the Hessian is not finite
     * (v and grad are still written). NULL: value_grad and hessian serve instead. */
    int (*jet)(const void *state, const double *x, double *v, double *grad, double *hess);
    /* The jet op's numbers at n points at once (x: n points of dim coordinates), to round-off
     * (each point's value its jet's value to the bit, as for the jet op): v[n], and where grad
     * is not NULL grad[n dim], hess[n dim dim] and status[n]; returns 0, or -1 (nothing
     * written) where the caller is to go point by point. NULL: the jet op (or its stand-ins)
     * point by point. */
    int (*jets)(const void *state, size_t n, const double *x, double *v, double *grad,
                 double *hess, int *status);
} dr_landscape_ops;

/* Takes ownership of `state` (destroyed with ops->destroy on failure too). name and formula are
 * copied. */
int dr_landscape_wrap(dr_landscape **out, const dr_landscape_ops *ops, void *state, int dim,
                      const char *name, const char *formula, const double lo[2],
                      const double hi[2]);

/* The vtable and state of f (how a source recognises its own landscapes). */
const dr_landscape_ops *dr_landscape_ops_of(const dr_landscape *f, void **state);

/* dr_landscape_sample for function landscapes: the whole grid in one callback. Returns 0 (and
 * does nothing) when f is not one. */
int dr_landscape_sample_batch(const dr_landscape *f, const dr_grid *g, double *field);

/* For function landscapes (no-ops for the others): evaluate f at every point of a grid
 * (coordinates dr_grid_coord) or of a lattice y0 + (i h0, j h1), i < n[0], j < n[1], in one
 * callback, so that the point-by-point loop that follows reads the values back (only points whose
 * coordinates are bit for bit those of the grid or lattice hit). One prefetch at a time per
 * landscape; _end frees it. */
void dr_landscape_prefetch_grid(const dr_landscape *f, const dr_grid *g);
void dr_landscape_prefetch_lattice(const dr_landscape *f, int dim, const size_t n[2],
                                   const double y0[2], const double h[2]);
void dr_landscape_prefetch_end(const dr_landscape *f);

/* The jet op where f has one, else value_grad then hessian (same contract as the op). */
int dr_landscape_jet(const dr_landscape *f, const double *x, double *v, double *grad,
                     double *hess);

/* The jets op where f has one, else dr_landscape_jet point by point (same contract as the op). */
void dr_landscape_jets(const dr_landscape *f, size_t n, const double *x, double *v, double *grad,
                       double *hess, int *status);

/* The convexity op over [lo,hi] (both dim entries), -inf where f has none. */
double dr_landscape_convexity_bound(const dr_landscape *f, const double *lo, const double *hi);

/* The largest Hessian eigenvalue over a dense sampling of [lo,hi] (measured, not proved: the
 * default of dr_landscape_curvature_bound), each Hessian from hess(state, x, out); NAN where one
 * fails. */
double dr_landscape_sampled_curvature(int dim, const double *lo, const double *hi,
                                      int (*hess)(const void *, const double *, double *),
                                      const void *state);

/* The largest eigenvalue of a symmetric dim x dim matrix (dim 1 or 2). */
double dr_landscape_max_eigen(int dim, const double *hess);

#endif
