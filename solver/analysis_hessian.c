/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Second derivatives of a sampled field and the semi-concavity statistic (see analysis.h). */
#include "deeprelax/analysis.h"
#include "dr_args.h"
#include "deeprelax/error.h"

#include <math.h>
#include <stdlib.h>

int dr_analysis_hessian_fd(const dr_grid *g, const double *u, double *hess)
{
    DR_CHECK_PTRS(g, u, hess);
    if (!g || !u || !hess) return dr_error(DR_EINVAL, "hessian: grid, field and output needed");
    size_t nx = g->n[0], size = dr_grid_size(g);
    double ih0 = 1.0 / (g->h[0] * g->h[0]);
    if (g->dim == 1) {
        hess[0] = hess[nx - 1] = NAN;
        for (size_t i = 1; i + 1 < nx; i++) hess[i] = (u[i + 1] - 2 * u[i] + u[i - 1]) * ih0;
        return DR_SUCCESS;
    }
    size_t ny = g->n[1];
    double ih1 = 1.0 / (g->h[1] * g->h[1]), ihx = 1.0 / (4 * g->h[0] * g->h[1]);
    for (size_t j = 0; j < ny; j++)
        for (size_t i = 0; i < nx; i++) {
            size_t k = j * nx + i;
            if (i == 0 || j == 0 || i + 1 == nx || j + 1 == ny) {
                hess[k] = hess[size + k] = hess[2 * size + k] = NAN;
                continue;
            }
            hess[k] = (u[k + 1] - 2 * u[k] + u[k - 1]) * ih0;
            hess[2 * size + k] = (u[k + nx] - 2 * u[k] + u[k - nx]) * ih1;
            hess[size + k] = (u[k + nx + 1] - u[k + nx - 1] - u[k - nx + 1] + u[k - nx - 1]) * ihx;
        }
    return DR_SUCCESS;
}

double dr_analysis_max_eigen(int dim, const double *hess, size_t size, size_t k)
{
    if (dim == 1) return hess[k];
    double a = hess[k], b = hess[size + k], c = hess[2 * size + k];
    /* hypot keeps the discriminant from over- or underflowing and never goes negative. */
    return 0.5 * (a + c) + hypot(0.5 * (a - c), b);
}

int dr_analysis_boundary_layer(const dr_landscape *f, const dr_grid *g, double t, double beta,
                               double margin[2], int *capped)
{
    DR_CHECK_PTRS(f, g, margin);
    if (!f || !g) return dr_error(DR_EINVAL, "boundary layer: landscape and grid needed");
    if (!(t > 0) || isinf(t)) return dr_error(DR_EINVAL, "boundary layer: t must be positive (got %g)", t);
    if (!(beta > 0)) return dr_error(DR_EINVAL, "boundary layer: beta must be positive (got %g)", beta);
    double gmax = 0, flo = INFINITY, fhi = -INFINITY, x[2] = {0, 0}, grad[2];
    for (size_t j = 0; j < g->n[1]; j++) {
        if (g->dim == 2) x[1] = dr_grid_coord(g, 1, j);
        for (size_t i = 0; i < g->n[0]; i++) {
            x[0] = dr_grid_coord(g, 0, i);
            double v = dr_landscape_value_grad(f, x, grad);
            double gn = g->dim == 2 ? hypot(grad[0], grad[1]) : fabs(grad[0]);
            if (!isfinite(v) || !isfinite(gn))
                return dr_error(DR_ENUMERIC, "boundary layer: f or its gradient is not finite "
                                "at x = %g", x[0]);
            if (gn > gmax) gmax = gn;
            if (v < flo) flo = v;
            if (v > fhi) fhi = v;
        }
    }
    double travel = fmin(t * gmax, sqrt(2 * t * (fhi - flo)));
    double kernel = isinf(beta) ? 0.0 : 6.0 * sqrt(t / beta);
    int cap = 0;
    margin[0] = margin[1] = 0;
    for (int a = 0; a < g->dim; a++) {
        double m = travel + kernel + 2 * g->h[a], limit = 0.25 * (g->hi[a] - g->lo[a]);
        if (m > limit) {
            m = limit;
            cap = 1;
        }
        margin[a] = m;
    }
    if (capped) *capped = cap;
    return DR_SUCCESS;
}

int dr_semiconcavity_max(const dr_grid *g, const double *hess, const double margin[2],
                         dr_semiconcavity *out)
{
    DR_CHECK_PTRS(g, hess, out);
    size_t size = dr_grid_size(g), nx = g->n[0];
    out->value = -INFINITY;
    out->points = 0;
    out->index = 0;
    out->where[0] = out->where[1] = NAN;
    for (size_t k = 0; k < size; k++) {
        size_t i = k % nx, j = k / nx;
        double x = dr_grid_coord(g, 0, i);
        if (x < g->lo[0] + margin[0] || x > g->hi[0] - margin[0]) continue;
        if (g->dim == 2) {
            double y = dr_grid_coord(g, 1, j);
            if (y < g->lo[1] + margin[1] || y > g->hi[1] - margin[1]) continue;
        }
        double e = dr_analysis_max_eigen(g->dim, hess, size, k);
        if (isnan(e)) continue;
        out->points++;
        if (e > out->value) {
            out->value = e;
            out->index = k;
            out->where[0] = x;
            out->where[1] = g->dim == 2 ? dr_grid_coord(g, 1, j) : 0.0;
        }
    }
    if (out->points == 0)
        return dr_error(DR_EINVAL, "semi-concavity: no grid point lies inside the boundary layer "
                        "(margin %g on a box of width %g)", margin[0], g->hi[0] - g->lo[0]);
    return DR_SUCCESS;
}

double dr_semiconcavity_bound(double C, double t)
{
    if (isnan(C)) return NAN;
    if (isinf(C)) return 1.0 / t;
    return C / (1 + C * t);
}
