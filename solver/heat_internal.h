/* Internal pieces of the Cole-Hopf solver shared by heat.c (plans, FFT engine), heat_logsum.c
 * (log-domain engine) and heat_quadgrid.c (the y-grid: refinement and padding).
 *
 * Notation: the quadrature runs over a uniform y-grid per axis, spacing hy[a] = h[a]/refine, that
 * contains every output point (output i on axis a sits at y-index margin[a] + i*refine) and extends
 * `margin` points beyond the box. On it we keep the log-weights a(y) = -beta (f(y) - fref),
 * fref = min f over the y-grid, so a <= 0 everywhere. The Gaussian of variance s = t/beta enters as
 * exp(-q d^2) with d the index offset and q = hy^2/(2s). */
#ifndef DEEPRELAX_HEAT_INTERNAL_H
#define DEEPRELAX_HEAT_INTERNAL_H

#include <stddef.h>
#include "deeprelax/grid.h"
#include "deeprelax/landscape.h"

/* Terms whose log-weight is this far below the largest are dropped: e^-45 = 2.9e-20, so even a
 * million of them move a sum by less than 1e-13 of its value. */
#define DR_HEAT_CUT 45.0

typedef struct {
    int dim;
    size_t n[2];       /* y-points per axis */
    double y0[2];      /* first y per axis */
    double hy[2];      /* spacing per axis */
    size_t margin[2];  /* y-points beyond the box per side */
    int refine;        /* hy = h / refine on both axes */
    double fref;       /* min f over the y-grid */
    double *a;         /* -beta (f - fref), n[0]*n[1] values, axis 0 fastest */
    int margin_capped;
} dr_quadgrid;

/* Chooses refinement and padding for landscape f, output grid g, beta and times [t_min, t_max],
 * samples f and fills qg. */
int dr_quadgrid_build(dr_quadgrid *qg, const dr_landscape *f, const dr_grid *g, double beta,
                      double t_min, double t_max);
void dr_quadgrid_free(dr_quadgrid *qg);

/* One log-domain sum along a line of log-weights a[k*stride], k < n, around centre index c:
 *     L = log sum_k exp(a_k - q (k - c)^2),
 * with the offset moment  off = sum_k (c - k) h p_k  (p_k the normalised weights; h the spacing)
 * and, if carry != NULL, the carried average  *carried = sum_k carry[k*cstride] p_k.
 * amax must be >= every a_k (it bounds the window scan). Returns L; -INFINITY if every weight is 0. */
double dr_logsum_line(const double *a, size_t stride, size_t n, double amax, size_t c, double q,
                      double h, double *off, const double *carry, size_t cstride, double *carried);

#endif
