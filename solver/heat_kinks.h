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
 * nothing to do. */
int dr_kinkfix_apply(const dr_kinkfix *kf, const dr_grid *g, double beta, double fref, double t,
                     double *u, double *grad);

size_t dr_kinkfix_breakpoints(const dr_kinkfix *kf);

/* The round-off of forming u itself (a few ulps of max |u|, |fref|): part of every bound. */
double dr_heat_roundoff(const double *u, size_t n, double fref);

#endif
