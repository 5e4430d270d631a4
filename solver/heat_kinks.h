/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Cole-Hopf quadrature's correction across kinks and knots (1-D), see heat_kinks.c.
 * Private to the heat solver. */
#ifndef DEEPRELAX_HEAT_KINKS_H
#define DEEPRELAX_HEAT_KINKS_H

#include "heat_internal.h"

typedef struct dr_kinkfix dr_kinkfix;

/* For a 1-D quadrature grid qg of landscape f: windows around f's breakpoints on the y-range and
 * their Gauss nodes. *out = NULL when f is smooth there. *unknown = 1 when f is not smooth but
 * the breakpoints are not known (or too many to correct for noutputs points): the caller must
 * then report its error unbounded. */
int dr_kinkfix_build(dr_kinkfix **out, const dr_landscape *f, const dr_quadgrid *qg,
                     double beta, size_t noutputs, int *unknown);
void dr_kinkfix_free(dr_kinkfix *kf);

/* Corrects u (and grad, may be NULL) at the output points of the 1-D grid g in place. NULL kf:
 * nothing to do. *roundoff: the correction's own rounding in u (0 without one). */
int dr_kinkfix_apply(const dr_kinkfix *kf, const dr_grid *g, double beta, double fref, double t,
                     double *u, double *grad, double *roundoff);

size_t dr_kinkfix_breakpoints(const dr_kinkfix *kf);

/* The partition of unity's window at y (0 away from breakpoints, 1 on them; 0 for NULL kf). */
double dr_kinkfix_psi(const dr_kinkfix *kf, double y);

/* The trapezoid rule's aliasing, measured (heat_alias.c): along each axis, on the y-grid lines
 * through the output points, the rule T and the midpoint rule M on the same spacing differ by
 * twice the rule's leading aliasing error (Poisson: T - Z ~ 2 g^(2 pi/h), M - Z ~ -2 g^(2 pi/h))
 * whatever the integrand's shape, so max |T - M| / T over the outputs, per axis, over beta bounds
 * the u error the curvature model (a Gaussian of the Gibbs width) cannot see: features of f
 * narrower than the Gibbs width at small beta. Away from the 1-D breakpoints only (the windowed
 * correction integrates those). Midpoint samples are taken once per plan. */
int dr_alias_build(dr_quadgrid *qg, const dr_landscape *f, const dr_grid *g, double beta);
double dr_alias_estimate(dr_quadgrid *qg, const dr_grid *g, double beta, double t);
void dr_alias_free(dr_quadgrid *qg);

/* The round-off of forming u itself (a few ulps of max |u|, |fref|): part of every bound. */
double dr_heat_roundoff(const double *u, size_t n, double fref);

#endif
