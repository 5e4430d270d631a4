/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private to the Hopf-Lax solver: the per-point polish with its error estimate, and the global
 * search over candidate wells (hopflax_global.c), shared by hopflax.c. */
#ifndef DEEPRELAX_HOPFLAX_INTERNAL_H
#define DEEPRELAX_HOPFLAX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "deeprelax/hopflax.h"

/* Minimises phi(y) = f(y) + |x-y|^2/(2t) from the grid point y0 within about a cell: Newton
 * where it converges to a smooth minimiser (then *err is round-off), else a pattern search
 * whose result is trusted (*err = 1e3 round-off) only if no lower phi shows on rings around it
 * at every scale up to a cell, else *err = +inf. 1-D: f's breakpoints kinks[nkinks] (may be
 * NULL, 0) near the result are tried too. Returns phi at y (written, dim entries). */
double dr_hopflax_polish_point(const dr_landscape *f, const double *x, const double *y0,
                               const double *cell, int dim, double t, const double *kinks,
                               size_t nkinks, double *y, double *err);

/* The most breakpoints of a 1-D f a plan keeps for the polish (more: it does without). */
#define DR_HOPFLAX_MAX_KINKS 64

/* What the global search sees of a plan after its grid minimisation at time t. */
typedef struct {
    const dr_landscape *f;
    const dr_grid *g;
    int dim;
    double t;
    const double *fy;       /* samples on the y-grid, x fastest, ny[0] per row */
    size_t ny[2];
    double y0[2], hy[2];
    size_t lo[2], hi[2];    /* active y-index range per axis (inclusive) */
    const double *vt;       /* 2-D: pass-1 values, column i at vt + i*(hi[1]-lo[1]+1) */
    double C;               /* curvature bound of f (finite), or measured (see measured) */
    int measured;           /* C is 8 x the largest second difference of the samples */
    const double *kinks;    /* 1-D: f's breakpoints, ascending (NULL if none known) */
    size_t nkinks;
} dr_hopflax_view;

/* For every output point: every grid local minimum of phi within the sub-grid error
 * (C + 1/t) sum hy^2/8 of the grid minimum u is polished, and the lowest polished value wins.
 * Rewrites u, prox and grad (NULL allowed); fills rep. Polishing never raises u. */
void dr_hopflax_global(const dr_hopflax_view *v, double *u, double *prox, double *grad,
                       dr_hopflax_report *rep);

#endif
