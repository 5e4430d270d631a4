/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What relaxation does to a landscape, measured on solutions u(., t) from any solver:
 *   - semi-concavity: the largest eigenvalue of D^2 u over the box minus a boundary layer, to set
 *     against the theorems' bounds D^2 u <= I/t and, when D^2 f <= C I, D^2 u <= C/(1+Ct) I;
 *   - minima: local minima of a field on a grid (8-neighbour in 2-D, plateaus as one minimum),
 *     refined below the grid spacing, with Hessian eigenvalues, the width of the sub-level set
 *     {u <= u_min + delta} in the minimum's basin, and the catchment basin itself;
 *   - tracking: minima matched across a sweep of t, with vanish / merge / appear events and the
 *     jumps of the global minimiser from one basin to another.
 * Symmetric 2x2 fields (Hessians) use the plane layout of gibbs.h: 1-D [xx], 2-D [xx, xy, yy].
 * Thread safety: no shared state, every function is safe from any thread; one dr_tracker must
 * not be used from two threads at once. */
#ifndef DEEPRELAX_ANALYSIS_H
#define DEEPRELAX_ANALYSIS_H

#include <stddef.h>
#include "deeprelax/grid.h"
#include "deeprelax/landscape.h"
#include "deeprelax/gibbs.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- Hessians, semi-concavity */

/* D^2 u by second-order central differences (u_xy by the four diagonal neighbours) into hess
 * (sym planes). Edge points, where the stencil does not fit, get NAN. */
int dr_analysis_hessian_fd(const dr_grid *g, const double *u, double *hess);

/* Largest eigenvalue of the symmetric matrix stored at point k of sym planes. */
double dr_analysis_max_eigen(int dim, const double *hess, size_t size, size_t k);

/* The layer along the box edges that semi-concavity statistics leave out, per side and axis:
 *   margin = min( t max_box |grad f|, sqrt(2 t (max_box f - min_box f)) )   (how far the
 *            characteristic through x travels: x = y* + t grad f(y*), and the Hopf-Lax bound)
 *          + 6 sqrt(t / beta)                  (the Gibbs kernel's width; 0 when beta = inf)
 *          + 2 h                               (the difference stencil)
 * Inside it u depends on f only within the box. Capped at a quarter of the box width per side
 * (*capped = 1 then: the statistic then includes points influenced from outside the box). */
int dr_analysis_boundary_layer(const dr_landscape *f, const dr_grid *g, double t, double beta,
                               double margin[2], int *capped);

typedef struct {
    double value;      /* max over the interior of the largest eigenvalue of D^2 u */
    double where[2];   /* the grid point attaining it */
    size_t index;
    size_t points;     /* interior points examined */
} dr_semiconcavity;

/* Max of the largest eigenvalue of hess over the grid points at least margin[a] from the box
 * edge on each axis a (NAN entries are skipped). DR_EINVAL if the interior is empty. */
int dr_semiconcavity_max(const dr_grid *g, const double *hess, const double margin[2],
                         dr_semiconcavity *out);

/* The theorem's bound C/(1+Ct): 1/t when C = +inf; NAN when C is NAN (unknown). */
double dr_semiconcavity_bound(double C, double t);

/* ---------------------------------------------------------------- minima */

typedef struct {
    double x[2];          /* position, refined by a quadratic fit (plateau: its centroid) */
    double u;             /* value at x from the fit (plateau: the plateau's value) */
    size_t index;         /* the grid point of the minimum (plateau: the one nearest x) */
    size_t plateau;       /* grid points in its flat set (1 = a strict minimum) */
    double eig[2];        /* eigenvalues of the fitted Hessian, ascending (1-D: eig[0] only) */
    double width[2];      /* extent per axis of the connected part of {u <= u + delta} around
                             the minimum within its basin, crossings interpolated linearly
                             between the grid points either side (below the grid, but with no
                             error bound: O(h^2 u''/|u'|) per crossing where u is smooth) */
    double level_measure; /* length (1-D) or area (2-D) of that set */
    size_t basin_points;  /* grid points of the catchment basin */
    double basin_measure; /* its length or area (points times cell size) */
    double basin_lo[2], basin_hi[2]; /* its bounding box */
    int touches_edge;     /* the sub-level set reached the box edge: width is a lower bound */
} dr_minimum;

typedef struct {
    dr_grid grid;
    double delta;         /* the sub-level threshold used */
    size_t count;
    dr_minimum *min;      /* sorted by u ascending: min[0] is the global minimum */
    int *basin;           /* per grid point: index into min of its catchment basin, -1 if none */
} dr_minima;

/* Default delta of the widths: DR_MINIMA_DELTA_FRACTION of the range of f over the box. Fixed
 * for a whole sweep, so widths at different t are comparable. */
#define DR_MINIMA_DELTA_FRACTION 0.01
double dr_minima_default_delta(const dr_grid *g, const double *f);

typedef struct {
    double delta;         /* >= 0 */
    /* Hopf-Lax proximal points y*(x) (dim planes) or NULL. With them the catchment basin of a
     * point is where iterating the proximal map leads (each step lowers u: u(y*) <= f(y*) =
     * u(x) - |x-y*|^2/(2t)); without, it is where steepest descent of u on the grid leads
     * (gradient flow / watershed; 8 neighbours in 2-D, drops divided by distance). */
    const double *prox;
} dr_minima_options;

/* Local minima of u on g: a grid point, or a connected set of equal values (plateau), none of
 * whose neighbours is lower, away from the box edge (a minimum on the edge cannot be told from a
 * slope leaving the box, so it is not reported). out owns arrays: free with dr_minima_free. */
int dr_minima_find(dr_minima *out, const dr_grid *g, const double *u,
                   const dr_minima_options *opt);
void dr_minima_free(dr_minima *m);

/* ---------------------------------------------------------------- tracking over t */

typedef enum {
    DR_EVENT_VANISH = 0, /* a minimum disappeared; its position now drains to another's basin */
    DR_EVENT_MERGE,      /* two minima became one lying between them */
    DR_EVENT_APPEAR,     /* a minimum with no predecessor */
    DR_EVENT_JUMP        /* the global minimiser moved to another track */
} dr_event_kind;

const char *dr_event_name(dr_event_kind k); /* "vanish", "merge", "appear", "jump" */

typedef struct {
    dr_event_kind kind;
    double t_before, t_after; /* the sweep times bracketing the event */
    double t;                 /* estimate: jumps interpolate the value difference of the two
                                 tracks linearly when both exist at both times; else t_after */
    int track;                /* vanish/merge: the track that ends; appear: the new one;
                                 jump: the new global track */
    int other;                /* vanish/merge: the track that continues (-1 if none);
                                 jump: the previous global track; appear: -1 */
    double x[2];              /* vanish/merge: the ended track's last position; appear/jump:
                                 the position of the new (global) minimum at t_after */
} dr_event;

typedef struct dr_tracker dr_tracker;

/* Matching rule. A minimum at the previous t continues as the minimum at the new t whose
 * catchment basin holds its position; when several drain to one basin, the nearest continues
 * and each other one ends: a "vanish" if the survivor moved less than a quarter of the distance
 * between the two old minima, else a "merge". Ties of the global minimum (values within
 * 1e-12 (1 + |u|)) keep the current holder, so symmetric landscapes do not flicker. */
int dr_tracker_alloc(dr_tracker **out);
/* Adds the minima at time t (> the previous t); m's basins are read now and not kept. */
int dr_tracker_add(dr_tracker *tr, double t, const dr_minima *m);
size_t dr_tracker_times(const dr_tracker *tr);
size_t dr_tracker_tracks(const dr_tracker *tr);
/* Track id of minimum i at time step k (-1 out of range). */
int dr_tracker_track_of(const dr_tracker *tr, size_t k, size_t i);
/* Track of the global minimiser at time step k. */
int dr_tracker_global(const dr_tracker *tr, size_t k);
const dr_event *dr_tracker_events(const dr_tracker *tr, size_t *count);
void dr_tracker_free(dr_tracker *tr);

#ifdef __cplusplus
}
#endif
#endif
