/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Loss landscapes f : R^d -> R (d = 1 or 2) that can be evaluated anywhere, with gradient.
 *
 * A landscape is a function, not an array: solvers evaluate it on padding outside the box and on
 * refined grids. Three sources: the built-in catalogue, an expression in x (and y) parsed and
 * differentiated symbolically, and samples on a uniform grid read from a CSV or .npy file
 * (interpolated between samples, extended beyond them; see dr_landscape_alloc_samples). */
#ifndef DEEPRELAX_LANDSCAPE_H
#define DEEPRELAX_LANDSCAPE_H

#include <stddef.h>
#include "deeprelax/grid.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dr_landscape dr_landscape;

/* One entry of the built-in catalogue. */
typedef struct {
    const char *name;      /* "paper1d", "quad2d", ... */
    int dim;               /* 1 or 2 */
    double lo[2], hi[2];   /* default domain (the box solvers use when none is given) */
    const char *formula;   /* human formula, e.g. "x^2 + 1.5 sin(2 pi x)" */
    const char *note;      /* one line: why it is in the catalogue (may be "") */
} dr_landscape_info;

/* Options of the built-in landscapes (all fields may be left zero). */
typedef struct {
    /* paper1d only: add the authors' small smoothed random term, amplitude `noise` (0 = none),
     * drawn from `seed`. */
    double noise;
    unsigned long seed;
} dr_landscape_params;

size_t dr_landscape_catalogue_size(void);
const dr_landscape_info *dr_landscape_catalogue(size_t i);          /* NULL past the end */
const dr_landscape_info *dr_landscape_catalogue_find(const char *name); /* NULL if unknown */

/* Constructors: on success *out owns a new landscape (free with dr_landscape_free). */
int dr_landscape_alloc_builtin(dr_landscape **out, const char *name,
                               const dr_landscape_params *params /* may be NULL */);
/* `expr` in x (dim 1) or x and y (dim 2), GNU libmatheval syntax (+ - * / ^, sin, exp, ...);
 * dim 0 infers the dimension from the variables used (2 if y appears, else 1).
 * DR_EPARSE with a message naming the problem when it does not parse or uses another variable. */
int dr_landscape_alloc_expr(dr_landscape **out, const char *expr, int dim);
/* Samples f on the uniform grid `g` (copied). Between samples: natural cubic spline in 1-D,
 * bicubic in 2-D; beyond the box: the value of the nearest boundary point plus a quadratic wall
 * 0.5 * wall * dist^2 (wall = the largest |second difference| of the samples, at least 1), so
 * that relaxation sees a function bounded below that grows away from the data. */
int dr_landscape_alloc_samples(dr_landscape **out, const dr_grid *g, const double *f);
/* Reads samples from a file: CSV with header `x,f` or `x,y,f` (rows x fastest, or any order
 * that fills a uniform grid), or .npy (float64, 1-D or 2-D C order [ny][nx]; `domain` gives
 * lo,hi per axis: 2 or 4 values, required for .npy, ignored for CSV and may be NULL). */
int dr_landscape_alloc_file(dr_landscape **out, const char *path, const double *domain);

/* The caller's own function. fn evaluates f at n points x[n * dim] (point-major: coordinate a of
 * point i at x[i * dim + a]) into out[n]; grad (may be NULL) its gradient into out[n * dim] (the
 * same layout); each returns 0 on success, any other value on failure (it may leave a message
 * with dr_error). Missing derivatives are central differences (gradient ~1e-11, Hessian ~1e-8).
 * domain: lo, hi per axis (2 * dim values), the default box. curvature: an upper bound of the
 * largest eigenvalue of D^2 f (+inf for a kink), or NAN when unknown. name (may be NULL:
 * "function") is copied. `user` is passed to both callbacks and must outlive the landscape.
 * Thread safety: the library calls fn and grad from one thread at a time (a per-landscape
 * mutex), though not always from the same thread, and never re-entrantly; they need no locking
 * of their own. A failure makes every later call return NaN without calling back, and is
 * reported by dr_landscape_failure (dr_solve returns it). */
typedef int (*dr_landscape_fn)(void *user, size_t n, const double *x, double *out);
int dr_landscape_alloc_function(dr_landscape **out, int dim, const double *domain,
                                double curvature, dr_landscape_fn fn, dr_landscape_fn grad,
                                void *user, const char *name);
/* DR_SUCCESS, or the status of the first failed callback of a function landscape since the
 * last clear (its message set in this thread). Always DR_SUCCESS for the other sources. */
int dr_landscape_failure(const dr_landscape *f);
void dr_landscape_failure_clear(const dr_landscape *f);

void dr_landscape_free(dr_landscape *f);

int dr_landscape_dim(const dr_landscape *f);
const char *dr_landscape_name(const dr_landscape *f);     /* catalogue name, "expr" or the file */
const char *dr_landscape_formula(const dr_landscape *f);  /* formula, expression or "samples" */
void dr_landscape_domain(const dr_landscape *f, double lo[2], double hi[2]); /* default box */

/* f(x); x has dim entries. */
double dr_landscape_value(const dr_landscape *f, const double *x);
/* f(x), and its gradient into grad[dim]. */
double dr_landscape_value_grad(const dr_landscape *f, const double *x, double *grad);
/* Hessian (dim x dim, row-major) at x. DR_EUNSUPPORTED where f has no second derivative
 * available (e.g. `abs` at 0 gives 0 there; samples give the interpolant's). */
int dr_landscape_hessian(const dr_landscape *f, const double *x, double *hess);

/* C: an upper bound of the largest eigenvalue of D^2 f, used by the semi-concavity bound
 * C/(1+Ct). Analytic for the catalogue; for expressions and samples the maximum over a fine
 * sampling of [lo,hi] (a measured value, not a proof). NAN when none is known (e.g. `abs`
 * has a kink: +inf). */
double dr_landscape_curvature_bound(const dr_landscape *f, const double lo[2], const double hi[2]);

/* f (and, if grad is not NULL, its gradient) at n points x[n * dim] (point-major, as the
 * callbacks of dr_landscape_alloc_function): one batch call for a function landscape. Returns
 * dr_landscape_failure's status for those. */
int dr_landscape_eval(const dr_landscape *f, size_t n, const double *x, double *value,
                      double *grad);
/* Where f is not smooth, so that quadratures can split there (the trapezoid rule is spectrally
 * accurate only on smooth integrands; across a kink it is O(h^2), across a jump of f''' O(h^4)).
 * 1-D: writes the breakpoints in [lo, hi] (ascending, at most max of them) to pts and returns
 * their count (0: smooth there); a kink (jump of f'), a knot (jump of some higher derivative) or
 * a jump of f itself all count. The catalogue declares its kinks (abs: 0); samples declare their
 * knots and box ends (where the wall starts); expressions using abs, sign, step, delta or
 * nandelta are probed for the points where the one-sided slopes disagree.
 * Returns DR_BREAKPOINTS_UNKNOWN when f is known not to be smooth but the places are not known
 * (2-D landscapes with kinks or knots; more than max breakpoints). lo, hi: axis-0 range.
 * pts = NULL: only counts them. */
#define DR_BREAKPOINTS_UNKNOWN (-1L)
long dr_landscape_breakpoints(const dr_landscape *f, double lo, double hi, double *pts,
                              size_t max);

/* The interpolation's own uncertainty for sampled landscapes: twice the largest difference over
 * the box between the interpolant the landscape uses and a second one through the same samples
 * (Akima in 1-D, bilinear in 2-D): an estimate (not a bound) of how far f may be from the
 * function that was sampled, separate from any solver's error. 0 for analytic landscapes. */
double dr_landscape_interp_uncertainty(const dr_landscape *f);

/* Fills field[dr_grid_size(g)] with f at the grid points (x fastest). */
void dr_landscape_sample(const dr_landscape *f, const dr_grid *g, double *field);

#ifdef __cplusplus
}
#endif
#endif
