/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Inviscid Hamilton-Jacobi equation u_t = -1/2 |grad u|^2, u(.,0) = f, solved exactly by the
 * Hopf-Lax formula
 *     u(x,t) = min_y f(y) + |x-y|^2/(2t),
 * whose minimiser y*(x) is the proximal point prox_{t f}(x), and grad u = (x - y*)/t.
 *
 * The minimum over a uniform y-grid is the lower envelope of parabolas (Felzenszwalb and
 * Huttenlocher), exact and O(n) per axis, separable in 2-D. On the same grid as x the envelope
 * has curvature exactly 1/t between argmin jumps; to resolve the sharper C/(1+Ct) the
 * minimisation can run over a y-grid `refine` times finer, with f evaluated there. */
#ifndef DEEPRELAX_HOPFLAX_H
#define DEEPRELAX_HOPFLAX_H

#include "deeprelax/grid.h"
#include "deeprelax/landscape.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int refine;  /* y-grid refinement factor per axis (default 1 = the output grid) */
    int polish;  /* 1: refine each grid minimiser by Newton steps on the continuous
                    f(y) + |x-y|^2/(2t) within its cell (needs f's Hessian; f must outlive the
                    plan). The grid minimum is within O(h^2) of the true one; the polished one is
                    exact to round-off wherever the minimiser is a smooth critical point. */
    int threads; /* OpenMP threads of the execution (default 0: all available) */
} dr_hopflax_options;

typedef struct dr_hopflax_plan dr_hopflax_plan;

/* Plan for landscape f on grid g, for times up to t_max: the y-grid extends beyond the box by a
 * margin covering every proximal point (|x - y*| <= sqrt(2 t (f(x) - min f))), f sampled there. */
int dr_hopflax_plan_alloc(dr_hopflax_plan **out, const dr_landscape *f, const dr_grid *g,
                          double t_max, const dr_hopflax_options *opt);

/* u(., t) into u[size]; prox (dim planes, may be NULL) = y*(x); grad (dim planes, may be NULL)
 * = (x - y*)/t. 0 < t <= t_max. */
int dr_hopflax_execute(dr_hopflax_plan *p, double t, double *u, double *prox, double *grad);

/* What a polished execution did, and how far u can be from the exact Hopf-Lax value. */
typedef struct {
    double est_error;      /* upper bound of max |u error| where finite. Polished: every grid
                              well within the sub-grid error (C + 1/t) sum hy^2/8 of the grid
                              minimum was polished; a winner Newton converged on is exact to
                              round-off, one on a kink (pattern search, checked on rings around
                              it) to 1e3 round-off; elsewhere the bracket grid value - sub-grid
                              error. Unpolished: the sub-grid error itself. +inf: none holds */
    const char *unbounded; /* NULL when est_error is finite, else why */
    int measured;          /* the curvature behind the sub-grid error was measured from the
                              samples (f has kinks or no known bound), not proved */
    size_t wells;          /* candidate wells polished, summed over the points */
    size_t switched;       /* points whose minimiser moved to another well than the grid's */
} dr_hopflax_report;

/* dr_hopflax_execute, with the report (rep may be NULL). */
int dr_hopflax_execute_report(dr_hopflax_plan *p, double t, double *u, double *prox,
                              double *grad, dr_hopflax_report *rep);

void dr_hopflax_plan_free(dr_hopflax_plan *p);

/* The polish step on its own, for any grid minimisation: for each of the `size` points x (grid
 * g), moves prox[] (dim planes) to the minimiser of phi(y) = f(y) + |x-y|^2/(2t) by damped Newton
 * steps that stay within `cell[a]` of the starting point and only ever lower phi, then rewrites
 * u = phi(prox) and, if grad != NULL, grad = (x - prox)/t. Points whose Hessian is unavailable or
 * whose step does not lower phi keep their grid values. Returns the number of points moved. */
size_t dr_hopflax_polish(const dr_landscape *f, const dr_grid *g, double t, const double cell[2],
                         double *u, double *prox, double *grad);

/* The y-grid a plan minimises over, so that callers (tests, reports) can reproduce it:
 * y_k = y0[a] + k * hy[a], k < ny[a] on axis a (ny[1] = 1 in 1-D), hy = h / refine. The box's
 * own points are y-grid points (k = margin_points[a] + i * refine). */
typedef struct {
    int refine;
    double margin;            /* distance beyond the box covered at t_max, per side */
    size_t margin_points[2];  /* y-grid points beyond the box, per side and axis */
    size_t ny[2];
    double y0[2], hy[2];
    double fmin, fmax_box;    /* min of f over the y-grid, max of f over the box points */
} dr_hopflax_info;

void dr_hopflax_plan_info(const dr_hopflax_plan *p, dr_hopflax_info *info);

/* The 1-D kernel, on caller-owned arrays: for each of the nx points x[i] (ascending),
 * u[i] = min_k fy[k] + (x[i] - y_k)^2/(2t) over y_k = y0 + k*hy, k < ny, and argmin[i] = y_k* (may
 * be NULL). work must hold 3*ny + 1 doubles and ny size_t's in iwork.
 * Preconditions (not checked: the plan checks them): t > 0 and hy > 0, both finite.
 * O(ny + nx) for ascending x; any order is still correct, only slower.
 * Samples fy[k] = +inf (or NaN) are walls: skipped. If every sample is skipped, u = +inf and
 * argmin = NaN. Ties (two y_k with equal value at x, in floating point) go to the smaller y_k,
 * as a left-to-right brute-force scan with strict < would choose (up to the round-off of the
 * breakpoints between parabolas, a few ulps of x). */
void dr_hopflax_envelope_1d(const double *fy, size_t ny, double y0, double hy,
                            const double *x, size_t nx, double t,
                            double *u, double *argmin, double *work, size_t *iwork);

#ifdef __cplusplus
}
#endif
#endif
