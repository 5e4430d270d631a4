/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Moments of the Gibbs measure behind the Cole-Hopf solution, and the Hessian they give exactly:
 *     rho_x(y) ~ exp(-beta f(y) - beta |x-y|^2 / (2t)),
 *     grad u(x,t) = (x - <y>)/t,      D^2 u(x,t) = I/t - (beta/t^2) Cov_{rho_x}(y).
 * The heat solver (heat.h) returns u and the mean; this module adds the covariance, by the same
 * trapezoid quadrature on the same padded, refined y-grid, in the log domain (so it is exact in
 * every regime of beta), and centred in two passes (so the covariance is not the difference of
 * two large second moments). In 2-D the sum factorises along the axes: per y-row a 1-D pass gives
 * the row's log-mass and its conditional mean and variance along x; a second pass along y combines
 * them by the law of total covariance.
 *
 * Symmetric 2x2 fields (covariance, Hessian) are stored as dim*(dim+1)/2 planes of the grid
 * layout: 1-D [xx]; 2-D [xx, xy, yy].
 * Thread safety: plans are created and freed safely from any thread (FFTW's planner is locked);
 * one plan must not be executed from two threads at once (it owns scratch buffers). */
#ifndef DEEPRELAX_GIBBS_H
#define DEEPRELAX_GIBBS_H

#include "deeprelax/grid.h"
#include "deeprelax/landscape.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct dr_gibbs_plan dr_gibbs_plan;

/* Number of planes of a symmetric field in dimension dim (1 or 3). */
static inline int dr_sym_planes(int dim) { return dim == 1 ? 1 : 3; }

/* Plan for landscape f on grid g at inverse temperature beta in (0, inf), for times in
 * [t_min, t_max] (the y-grid's refinement and padding are those of the heat solver's
 * quadrature for the same arguments). */
int dr_gibbs_plan_alloc(dr_gibbs_plan **out, const dr_landscape *f, const dr_grid *g, double beta,
                        double t_min, double t_max);

/* At time t in [t_min, t_max]: mean (dim planes, may be NULL) = <y>, cov (sym planes, may be
 * NULL) = Cov_{rho_x}(y), u (may be NULL) = -(1/beta) log of the Gibbs normaliser (the
 * Cole-Hopf u, as a cross-check of the heat solver). */
int dr_gibbs_moments(dr_gibbs_plan *p, double t, double *mean, double *cov, double *u);

/* D^2 u(., t) = I/t - (beta/t^2) Cov into hess (sym planes). */
int dr_gibbs_hessian(dr_gibbs_plan *p, double t, double *hess);

/* y-grid refinement factor per axis and points per axis of the quadrature. */
void dr_gibbs_plan_grid(const dr_gibbs_plan *p, int *refine, size_t points[2]);

void dr_gibbs_plan_free(dr_gibbs_plan *p);

#ifdef __cplusplus
}
#endif
#endif
