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
} dr_landscape_ops;

/* Takes ownership of `state` (destroyed with ops->destroy on failure too). name and formula are
 * copied. */
int dr_landscape_wrap(dr_landscape **out, const dr_landscape_ops *ops, void *state, int dim,
                      const char *name, const char *formula, const double lo[2],
                      const double hi[2]);

/* The largest eigenvalue of a symmetric dim x dim matrix (dim 1 or 2). */
double dr_landscape_max_eigen(int dim, const double *hess);

#endif
