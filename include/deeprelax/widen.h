/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The widening sweep of `deeprelax widen`, as one library call: for each t of an increasing
 * sweep, u(., t) by the chosen solver, its semi-concavity (max D^2 u outside the boundary layer,
 * and from the Gibbs identity D^2 u = I/t - (beta/t^2) Cov when beta is finite), its minima with
 * widths and basins, tracked from the minima of f (t = 0) with vanish / merge / appear / jump
 * events (analysis.h). Thread safety: as dr_solve (each run owns its plans). */
#ifndef DEEPRELAX_WIDEN_H
#define DEEPRELAX_WIDEN_H

#include <stddef.h>
#include "deeprelax/analysis.h"
#include "deeprelax/solve.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    dr_solve_method method; /* AUTO (default): heat if beta is finite, else hopf-lax; or fd */
    int refine;             /* hopf-lax y-grid refinement; 0 = default 64 in 1-D, 4 in 2-D (on
                               the x-grid itself u has curvature exactly 1/t) */
    int no_gibbs;           /* 1: skip the Gibbs-identity Hessian (viscous only) */
    double delta;           /* widths of {u <= u_min + delta}; NAN or < 0 = default
                               (DR_MINIMA_DELTA_FRACTION of the range of f over the box) */
    int threads;            /* OpenMP threads of the solvers (0 = all available) */
    /* called before each t with the number of times done (may be NULL): long sweeps can show
     * their progress; the library itself never prints */
    void (*progress)(void *ctx, size_t done, size_t total);
    void *progress_ctx;
} dr_widen_options;

void dr_widen_options_init(dr_widen_options *opt);

typedef struct {
    double t;
    dr_semiconcavity sc;     /* from central differences of u */
    dr_semiconcavity gibbs;  /* from the Gibbs identity; value NAN when not computed */
    double margin[2];        /* the boundary layer left out (dr_analysis_boundary_layer) */
    int capped;              /* the layer hit its cap of a quarter of the box */
    dr_minima m;             /* minima of u(., t) */
    int global;              /* index into m.min of the global minimum's track holder */
} dr_widen_step;

typedef struct {
    dr_grid grid;
    double beta;
    double C;                /* curvature bound of f over the box (NAN if unknown) */
    double delta;            /* the threshold used for the whole sweep */
    dr_solve_method method;  /* the one that ran */
    int refine;              /* hopf-lax refinement used (0 otherwise) */
    int gibbs;               /* 1 if the Gibbs identity was computed */
    size_t nt;
    double *f;               /* f on the grid */
    dr_minima fmin;          /* minima of f (step 0 of the tracker) */
    dr_widen_step *steps;    /* nt entries */
    dr_tracker *tracker;     /* nt + 1 time steps: f, then each t */
} dr_widen;

/* Runs the sweep over t[0] < t[1] < ... < t[nt-1] (each > 0) on grid g (dimension of f),
 * beta in (0, inf]; opt may be NULL (defaults). u (may be NULL) receives the nt fields. On
 * success *w owns its arrays: free with dr_widen_free (also safe after a failure). */
int dr_widen_run(dr_widen *w, const dr_landscape *f, const dr_grid *g, double beta,
                 const double *t, size_t nt, const dr_widen_options *opt, double *u);
void dr_widen_free(dr_widen *w);

#ifdef __cplusplus
}
#endif
#endif
