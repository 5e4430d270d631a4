/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Uniform 1-D and 2-D grids, and the layout of fields on them.
 *
 * A grid has n[a] points on axis a, from lo[a] to hi[a] inclusive, spacing h[a] = (hi-lo)/(n-1).
 * A field on a grid is a caller-owned double array of dr_grid_size() values, x fastest:
 * value (i, j) sits at index j * n[0] + i. This is also the row order of every CSV we write.
 * A vector field (gradient, proximal point) is stored as dim planes of that layout: component a
 * of point k sits at a * dr_grid_size(g) + k.
 * Thread safety: no shared state; every function is safe from any thread. */
#ifndef DEEPRELAX_GRID_H
#define DEEPRELAX_GRID_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The smallest number of points per axis any solver accepts. */
#define DR_GRID_MIN_POINTS 8

typedef struct {
    int dim;        /* 1 or 2 */
    size_t n[2];    /* points per axis (n[1] = 1 in 1-D) */
    double lo[2];   /* first point per axis */
    double hi[2];   /* last point per axis */
    double h[2];    /* spacing per axis */
} dr_grid;

/* Fills `g`; fails with DR_EINVAL for dim not 1 or 2, fewer than DR_GRID_MIN_POINTS points,
 * or an empty or non-finite interval. `n`, `lo`, `hi` have `dim` entries. */
int dr_grid_init(dr_grid *g, int dim, const size_t *n, const double *lo, const double *hi);

/* Total number of points. */
size_t dr_grid_size(const dr_grid *g);

/* Coordinate of point i on axis a. */
static inline double dr_grid_coord(const dr_grid *g, int axis, size_t i)
{
    /* lo + i*h drifts from hi at the last point; interpolating between lo and hi does not. */
    double s = (double)i / (double)(g->n[axis] - 1);
    return g->lo[axis] * (1.0 - s) + g->hi[axis] * s;
}

#ifdef __cplusplus
}
#endif
#endif
