/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One entry point for the Hamilton-Jacobi relaxation u_t = -1/2 |grad u|^2 + (1/(2 beta)) Lap u,
 * u(.,0) = f, at several times in one call, by any of the library's solvers:
 *   - heat:     Cole-Hopf, exact for finite beta (heat.h; engines auto, fft, logsum);
 *   - hopf-lax: the Hopf-Lax formula, exact for beta = inf (hopflax.h);
 *   - fd:       finite differences, any beta (fd.h);
 *   - auto:     heat when beta is finite, else hopf-lax (what `deeprelax solve` does).
 * One plan (or one stepper) serves all the times; the caller owns every buffer.
 *
 * Thread safety: dr_solve may run in several threads at once on different or the same landscapes
 * (it builds its own plans); a function landscape (dr_landscape_alloc_function) is called from one
 * thread at a time whatever the number of solving threads. */
#ifndef DEEPRELAX_SOLVE_H
#define DEEPRELAX_SOLVE_H

#include <stddef.h>
#include "deeprelax/grid.h"
#include "deeprelax/landscape.h"
#include "deeprelax/heat.h"
#include "deeprelax/fd.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    DR_SOLVE_AUTO = 0,   /* heat if beta is finite, else hopf-lax */
    DR_SOLVE_HEAT,
    DR_SOLVE_HOPFLAX,
    DR_SOLVE_FD
} dr_solve_method;

const char *dr_solve_method_name(dr_solve_method m);             /* "auto", "heat", ... */
int dr_solve_method_parse(const char *name, dr_solve_method *m); /* DR_ENOTFOUND names them */

/* Progress of a heat or Hopf-Lax solve: `done` of `total` times computed. */
typedef void (*dr_solve_stage_fn)(void *ctx, size_t done, size_t total);

typedef struct {
    dr_solve_method method;  /* default AUTO */
    dr_heat_engine engine;   /* heat: default AUTO */
    int refine;              /* hopf-lax: y-grid refinement (default 1) */
    int polish;              /* hopf-lax: Newton polish of the minimisers (default 1) */
    dr_fd_scheme scheme;     /* fd: default WENO5 */
    double cfl;              /* fd: CFL number (0 = the solver's default 0.5) */
    dr_fd_progress_fn progress; /* fd: called after every step (may be NULL) */
    void *progress_ctx;
    int threads;             /* OpenMP threads of the solver (0 = all available) */
    dr_solve_stage_fn stage; /* heat, hopf-lax: called with done = 0 once the plan is built and
                                done = k + 1 after the k-th time (may be NULL) */
    void *stage_ctx;
} dr_solve_options;

/* The defaults above. */
void dr_solve_options_init(dr_solve_options *opt);

/* What the solve did at one time t[k]. */
typedef struct {
    dr_solve_method method;  /* the method that ran (never AUTO) */
    const char *engine;      /* "fft", "logsum", "hybrid" (heat), "envelope" (hopf-lax),
                                the fd scheme's name (fd); static storage */
    size_t log_points;       /* heat: values computed in the log domain */
    double est_error;        /* heat, hopf-lax: an upper bound of max |u error|; +inf where none
                                holds (then `unbounded` says why); fd: 0, no estimate */
    const char *unbounded;   /* why no bound holds (static storage), NULL when est_error does */
    int curvature_measured;  /* hopf-lax: the sub-grid error rests on a measured C */
    size_t wells, switched;  /* hopf-lax: candidate wells polished, well switches */
    int margin_capped;       /* heat: the padding hit its size cap (edge values may be off) */
    int refine;              /* heat: y-grid refinement it chose; hopf-lax: the option; fd: 1 */
    double min_u;            /* min of u(., t) over the grid */
    double argmin[2];        /* the grid point attaining it (first in x-fastest order) */
    size_t steps;            /* fd: steps taken up to this t; 0 otherwise */
    double dt_min;           /* fd: smallest step up to the end of the run; 0 otherwise */
} dr_solve_report;

/* Fills g with the solve command's default grid for f: `n` (nn values: 0 = 601 points in 1-D,
 * 257 x 257 in 2-D; 1 = that many per axis; 2 = per axis, 2-D only) on the box lo..hi (dim
 * values each; NULL = f's own domain). */
int dr_solve_grid(dr_grid *g, const dr_landscape *f, size_t nn, const size_t *n,
                  const double *lo, const double *hi);

/* u(., t[k]) for k < nt (each t > 0, any order) into u + k * size (size = dr_grid_size(g));
 * grad (may be NULL) into grad + k * dim * size (dim planes each, grid.h layout); reports (may
 * be NULL) gets nt entries. beta in (0, inf]; INFINITY is the inviscid equation. opt may be NULL
 * (defaults). On failure the outputs are unspecified and the message names the problem. */
int dr_solve(const dr_landscape *f, const dr_grid *g, double beta, const double *t, size_t nt,
             double *u, double *grad, dr_solve_report *reports, const dr_solve_options *opt);

#ifdef __cplusplus
}
#endif
#endif
