/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The landscape object: one struct for every source (catalogue, expression, samples), dispatched
 * through the small vtable of landscape_impl.h (value, gradient, Hessian, curvature bound). */
#include "landscape_impl.h"
#include "dr_args.h"
#include "deeprelax/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct dr_landscape {
    const dr_landscape_ops *ops;
    void *state;
    int dim;
    char *name, *formula;
    double lo[2], hi[2];
};

int dr_landscape_wrap(dr_landscape **out, const dr_landscape_ops *ops, void *state, int dim,
                      const char *name, const char *formula, const double lo[2],
                      const double hi[2])
{
    *out = NULL;
    dr_landscape *f = calloc(1, sizeof *f);
    if (f) {
        f->name = strdup(name);
        f->formula = strdup(formula);
    }
    if (!f || !f->name || !f->formula) {
        if (f) { free(f->name); free(f->formula); free(f); }
        if (ops->destroy) ops->destroy(state);
        return dr_error(DR_ENOMEM, "out of memory allocating landscape '%s'", name);
    }
    f->ops = ops;
    f->state = state;
    f->dim = dim;
    for (int a = 0; a < 2; a++) {
        f->lo[a] = a < dim ? lo[a] : 0.0;
        f->hi[a] = a < dim ? hi[a] : 0.0;
    }
    *out = f;
    return DR_SUCCESS;
}

void dr_landscape_free(dr_landscape *f)
{
    if (!f) return;
    if (f->ops->destroy) f->ops->destroy(f->state);
    free(f->name);
    free(f->formula);
    free(f);
}

const dr_landscape_ops *dr_landscape_ops_of(const dr_landscape *f, void **state)
{
    *state = f->state;
    return f->ops;
}

int dr_landscape_dim(const dr_landscape *f) { return f->dim; }
const char *dr_landscape_name(const dr_landscape *f) { return f->name; }
const char *dr_landscape_formula(const dr_landscape *f) { return f->formula; }

void dr_landscape_domain(const dr_landscape *f, double lo[2], double hi[2])
{
    for (int a = 0; a < 2; a++) {
        lo[a] = f->lo[a];
        hi[a] = f->hi[a];
    }
}

double dr_landscape_value(const dr_landscape *f, const double *x)
{
    return f->ops->value_grad(f->state, x, NULL);
}

double dr_landscape_value_grad(const dr_landscape *f, const double *x, double *grad)
{
    return f->ops->value_grad(f->state, x, grad);
}

int dr_landscape_hessian(const dr_landscape *f, const double *x, double *hess)
{
    DR_CHECK_PTRS(f, x, hess);
    return f->ops->hessian(f->state, x, hess);
}

int dr_landscape_jet(const dr_landscape *f, const double *x, double *v, double *grad,
                     double *hess)
{
    if (f->ops->jet) return f->ops->jet(f->state, x, v, grad, hess);
    *v = f->ops->value_grad(f->state, x, grad);
    return hess ? f->ops->hessian(f->state, x, hess) : DR_SUCCESS;
}

void dr_landscape_jets(const dr_landscape *f, size_t n, const double *x, double *v, double *grad,
                       double *hess, int *status)
{
    if (f->ops->jets && f->ops->jets(f->state, n, x, v, grad, hess, status) == 0) return;
    for (size_t k = 0, d = (size_t)f->dim; k < n; k++) {
        int st = dr_landscape_jet(f, x + k * d, v + k, grad ? grad + k * d : NULL,
                                  grad ? hess + k * d * d : NULL);
        if (grad) status[k] = st;
    }
}

double dr_landscape_convexity_bound(const dr_landscape *f, const double *lo, const double *hi)
{
    return f->ops->convexity ? f->ops->convexity(f->state, lo, hi) : -INFINITY;
}

double dr_landscape_max_eigen(int dim, const double *h)
{
    if (dim == 1) return h[0];
    /* Symmetric 2x2: mean plus the half-gap, written with hypot to stay exact when the
     * off-diagonal dominates and free of overflow. */
    double m = 0.5 * (h[0] + h[3]), d = 0.5 * (h[0] - h[3]);
    double off = 0.5 * (h[1] + h[2]);
    return m + hypot(d, off);
}

/* Measured, not proved: the largest eigenvalue over a dense sampling of the box. The spacing
 * (box/4000 in 1-D, box/200 per axis in 2-D) resolves features a few hundredths of the box wide;
 * narrower spikes can be missed, which the header says. */
double dr_landscape_sampled_curvature(int dim, const double *lo, const double *hi,
                                      int (*hessian)(const void *, const double *, double *),
                                      const void *state)
{
    size_t n = dim == 1 ? 4001 : 201;
    size_t ny = dim == 1 ? 1 : n;
    double best = -INFINITY, hess[4], x[2] = {0, 0};
    for (size_t j = 0; j < ny; j++) {
        if (dim == 2) x[1] = lo[1] + (hi[1] - lo[1]) * (double)j / (double)(ny - 1);
        for (size_t i = 0; i < n; i++) {
            x[0] = lo[0] + (hi[0] - lo[0]) * (double)i / (double)(n - 1);
            int status = hessian(state, x, hess);
            double lam = dr_landscape_max_eigen(dim, hess);
            if (status != DR_SUCCESS || isnan(lam)) return NAN;
            if (lam > best) best = lam;
        }
    }
    return best;
}

double dr_landscape_curvature_bound(const dr_landscape *f, const double lo_in[2],
                                    const double hi_in[2])
{
    double lo[2], hi[2];
    for (int a = 0; a < 2; a++) {
        lo[a] = lo_in ? lo_in[a] : f->lo[a];
        hi[a] = hi_in ? hi_in[a] : f->hi[a];
    }
    for (int a = 0; a < f->dim; a++)
        if (!isfinite(lo[a]) || !isfinite(hi[a]) || !(hi[a] >= lo[a])) return NAN;
    if (f->ops->curvature) return f->ops->curvature(f->state, lo, hi);
    return dr_landscape_sampled_curvature(f->dim, lo, hi, f->ops->hessian, f->state);
}

void dr_landscape_sample(const dr_landscape *f, const dr_grid *g, double *field)
{
    if (dr_landscape_sample_batch(f, g, field)) return;
    double x[2] = {0, 0};
    for (size_t j = 0; j < g->n[1]; j++) {
        if (g->dim == 2) x[1] = dr_grid_coord(g, 1, j);
        for (size_t i = 0; i < g->n[0]; i++) {
            x[0] = dr_grid_coord(g, 0, i);
            field[j * g->n[0] + i] = f->ops->value_grad(f->state, x, NULL);
        }
    }
}

long dr_landscape_breakpoints(const dr_landscape *f, double lo, double hi, double *pts,
                              size_t max)
{
    if (!f->ops->breakpoints) return 0;
    return f->ops->breakpoints(f->state, lo, hi, pts, max);
}

double dr_landscape_interp_uncertainty(const dr_landscape *f)
{
    return f->ops->interp_uncertainty ? f->ops->interp_uncertainty(f->state) : 0.0;
}
