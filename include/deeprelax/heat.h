/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Viscous Hamilton-Jacobi equation u_t = -1/2 |grad u|^2 + (1/(2 beta)) Laplacian u, u(.,0) = f,
 * solved exactly by the Cole-Hopf transform:
 *     u(x,t) = -(1/beta) log( G_{t/beta} * exp(-beta f) )(x),
 * with G_s the Gaussian of variance s per axis, and grad u(x,t) = (x - <y>)/t where <y> is the
 * mean of the Gibbs measure rho_x(y) ~ exp(-beta f(y) - beta |x-y|^2/(2t)).
 *
 * Two engines compute the same quadrature (the trapezoid rule on a y-grid, spectrally accurate
 * once the integrand is resolved):
 *   - FFT: exp(-beta (f - min f)) on a zero-padded grid, convolved by FFTW (r2c/c2r). Fast, but
 *     its absolute round-off is ~1e-16 of the largest value, so where the convolution is tiny
 *     relative to its maximum, -log(v)/beta loses every digit.
 *   - log-domain: per-axis log-sum-exp over a window that provably holds every term within
 *     e^-45 of the largest; exact in every regime, cheap when beta is large.
 * AUTO runs the FFT, estimates each value's error from its dynamic range, and recomputes the
 * values that fail the tolerance exactly along the same line, on the coarser sub-grid of the
 * y-grid that the Gibbs integrand needs (spacing <= 0.7 of its width, where the trapezoid rule is
 * still spectrally exact), so AUTO stays O(n log n) even on output grids far finer than that
 * width (where most values fail, as at very large beta, LOGSUM alone is somewhat faster). The
 * report counts the recomputed values (log_points). Plans are built once for a range of times and
 * executed for any t in it.
 *
 * Assumptions, stated because a solver cannot check them: f is bounded below; beyond the padding
 * the solver chooses (sampled on a generous candidate region), f does not fall below what it
 * was there (a deep well far outside the box would be missed); +inf values outside the box are
 * walls (weight 0). Plan creation and destruction are thread-safe; one plan must not be executed
 * from two threads at once (it owns its scratch buffers). */
#ifndef DEEPRELAX_HEAT_H
#define DEEPRELAX_HEAT_H

#include "deeprelax/grid.h"
#include "deeprelax/landscape.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    DR_HEAT_AUTO = 0,
    DR_HEAT_FFT,      /* FFT only: fastest, accurate where beta (u - min u) is moderate */
    DR_HEAT_LOGSUM,   /* log-domain only */
    DR_HEAT_HYBRID    /* reported by AUTO when FFT ran and some points were redone in log domain */
} dr_heat_engine;

/* How long the plan searches for the fastest FFT (FFTW's planner rigour, without FFTW's flag
 * words in the API). ESTIMATE plans at once from heuristics; MEASURE and PATIENT time candidate
 * transforms (from a fraction of a second to minutes on large grids), which pays off only for a
 * plan executed many times. The results are the same to round-off whichever is chosen. */
typedef enum {
    DR_HEAT_PLAN_ESTIMATE = 0, /* default */
    DR_HEAT_PLAN_MEASURE,
    DR_HEAT_PLAN_PATIENT
} dr_heat_planning;

const char *dr_heat_planning_name(dr_heat_planning p); /* "estimate", "measure", "patient" */
int dr_heat_planning_parse(const char *name, dr_heat_planning *p); /* DR_ENOTFOUND names them */

typedef struct {
    dr_heat_engine engine;     /* default AUTO */
    double tol;                /* target absolute accuracy of u for AUTO (default 1e-10) */
    dr_heat_planning planning; /* default ESTIMATE */
    int threads;               /* OpenMP and FFTW threads (default 0: all available) */
} dr_heat_options;

/* What an execution did. */
typedef struct {
    dr_heat_engine engine;  /* FFT, LOGSUM or HYBRID */
    size_t log_points;      /* values computed in the log domain, summed over the passes (in
                               2-D a point can count twice, once per axis) */
    int refine;             /* y-grid refinement factor per axis (1 = the output grid) */
    double margin;          /* width of the padding beyond the box, per side, on axis 0 */
    size_t quad_points[2];  /* y-grid points per axis (padding and refinement included) */
    double est_error;       /* an upper bound of max |u error| wherever finite: the FFT values
                               kept (round-off and kernel tail) plus the trapezoid rule's bound
                               on the narrowest Gibbs feature (a Gaussian of the curvature bound
                               C, every aliasing term summed), the rule made smooth across 1-D
                               kinks and knots by a windowed Gauss-Legendre correction. +inf
                               where no bound holds: then `unbounded` says why */
    const char *unbounded;  /* NULL when est_error is finite; else a static phrase: the FFT
                               lost values to round-off, the refinement hit its cap so far that
                               the rule can miss the peak, or f has kinks or knots the
                               quadrature cannot split at (2-D) */
    size_t breakpoints;     /* 1-D: kinks and knots of f the quadrature split at */
    int refine_capped;      /* 1 if the y-grid refinement the Gibbs integrand needs exceeded
                               the cap (then est_error says how much it costs) */
    size_t fft_size[2];     /* FFT lengths per axis (0 when the plan has no FFT engine) */
    size_t clamped_points;  /* FFT engine only: points whose value was lost to round-off and
                               replaced by the noise floor (their est_error is infinite) */
    size_t log_taps;        /* log-domain terms scanned, in all passes (its cost measure) */
    int margin_capped;      /* 1 if the padding hit its size cap before the terms beyond it
                               became negligible (then values near the box edge may be off) */
    size_t lines;           /* FFT and AUTO: 1-D lines run, summed over the passes */
    size_t exact_lines;     /* AUTO: of them, the lines summed exactly at every point without
                               a transform, where that costs less than the FFT (heat_axis.c) */
} dr_heat_report;

typedef struct dr_heat_plan dr_heat_plan;

const char *dr_heat_engine_name(dr_heat_engine e); /* "auto", "fft", "logsum", "hybrid" */
int dr_heat_engine_parse(const char *name, dr_heat_engine *e);

/* Builds a plan for landscape f on grid g (dimension of g = dim of f), inverse temperature
 * beta in (0, inf), for times in [t_min, t_max]: margins, refinement and FFTW plans are sized for
 * that range. opt may be NULL (defaults). */
int dr_heat_plan_alloc(dr_heat_plan **out, const dr_landscape *f, const dr_grid *g, double beta,
                       double t_min, double t_max, const dr_heat_options *opt);

/* u(., t) into u[size]; grad (dim planes, may be NULL) = (x - <y>)/t; report may be NULL (then
 * est_error's aliasing check, which costs more than the FFT, is skipped: u is the same).
 * t must lie in the plan's [t_min, t_max]. Fails with DR_ENUMERIC rather than return NaN or
 * inf in u or grad. */
int dr_heat_execute(dr_heat_plan *p, double t, double *u, double *grad, dr_heat_report *report);

void dr_heat_plan_free(dr_heat_plan *p);

#ifdef __cplusplus
}
#endif
#endif
