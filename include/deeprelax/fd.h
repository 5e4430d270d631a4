/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Finite-difference Hamilton-Jacobi solver, viscous and inviscid:
 *     u_t + 1/2 |grad u|^2 = (1/(2 beta)) Laplacian u,   u(.,0) = f,   beta in (0, inf].
 * A time stepper the caller drives (alloc, step or advance_to, read the solution, free), for
 * the cases the exact solvers (heat.h, hopflax.h) do not cover and to be certified by them.
 *
 * Space: per axis, one-sided derivatives p^- (left-biased) and p^+ (right-biased) by first-order
 * upwind, ENO2 or WENO5 (Jiang-Peng), combined by the Godunov numerical Hamiltonian of the convex
 * H(p) = p^2/2, which has the closed form
 *     H_G(p^-, p^+) = 1/2 max( max(p^-, 0)^2, min(p^+, 0)^2 )
 * per axis (H is separable, so the 2-D Hamiltonian is the sum over axes). Monotone for upwind1.
 *
 * Time: TVD Runge-Kutta of order 1, 2 or 3 (Shu-Osher) for the Hamiltonian part, with
 *     dt = cfl / sum_a (max |p_a| / h_a),
 * max over the grid at the start of each step (|grad u| never grows along the flow of this H).
 * Diffusion (beta finite) is Strang-split: a half step of the heat equation, the Runge-Kutta step,
 * a half step of heat. The heat sub-step is exact in time for the semi-discrete centred Laplacian
 * (a discrete sine transform per axis, FFTW RODFT00), so small beta never forces dt ~ beta h^2:
 * the splitting is second order in time and dt is set by the Hamiltonian alone.
 * A step never overshoots the requested time; when the remaining time is under two CFL steps it
 * is split into two equal steps rather than ending on a sliver.
 *
 * Boundaries: the computation runs on the box extended by a margin per side of
 *     m = sqrt(2 t_max (max_box f - min_ext f + 32 / beta)) + 4 h,
 * with f evaluated on the margin (min_ext over the extended box: a fixed point, iterated from the
 * box). Why: the Gibbs measure rho_x(y) ~ exp(-beta f(y) - beta |x-y|^2 / (2t)) that makes
 * u(x,t) (Cole-Hopf) gives the points beyond that distance at most e^-32 of the weight of y = x,
 * and in the inviscid limit the bound is the Hopf-Lax one, |x - y*| <= sqrt(2 t (f(x) - min f)):
 * no characteristic reaching the box starts beyond it. The 4 h cover the stencils' numerical
 * spreading. At the outer edge three ghost cells per side are filled at each stage by linear
 * extrapolation (constant normal derivative); this makes the centred Laplacian vanish at the edge
 * nodes, so the diffusion sub-step holds them fixed (homogeneous Dirichlet data for the sine
 * transform once the linear interpolant of the edge values is removed), and what the edge gets
 * wrong stays in the margin up to t_max. If min f keeps falling as the margin grows (f unbounded
 * below), the margin is capped at twice the box width per side and dr_fd_stats says `capped`.
 *
 * Stability: the scheme's CFL limit (see dr_fd_cfl_limit) is enforced; a larger cfl is refused
 * with DR_EINVAL. */
#ifndef DEEPRELAX_FD_H
#define DEEPRELAX_FD_H

#include <stddef.h>
#include "deeprelax/grid.h"
#include "deeprelax/landscape.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    DR_FD_WENO5 = 0, /* fifth-order weighted ENO (default) */
    DR_FD_ENO2,      /* second-order ENO */
    DR_FD_UPWIND1    /* first-order upwind: monotone */
} dr_fd_scheme;

/* Called after every step with the current time, the target of the running advance_to (or of
 * the step) and the number of steps taken so far. The library never prints: report as you like. */
typedef void (*dr_fd_progress_fn)(void *ctx, double t, double t_target, size_t steps);

typedef struct {
    dr_fd_scheme scheme;   /* default WENO5 */
    int rk_order;          /* 1, 2 or 3; 0 = default (3) */
    double cfl;            /* 0 = default (0.5); must not exceed dr_fd_cfl_limit() */
    dr_fd_progress_fn progress; /* may be NULL */
    void *progress_ctx;
    int threads;           /* FFTW threads of the diffusion sub-step's sine transforms on large
                              grids (default 0: all available); the stepper's own loops run on
                              the calling thread */
} dr_fd_options;

typedef struct {
    size_t steps;          /* time steps taken */
    size_t rhs_evals;      /* Hamiltonian evaluations (steps x Runge-Kutta stages) */
    double dt_min, dt_max; /* over the steps taken (0 before the first) */
    double margin[2];      /* margin per side per axis (0 for an absent axis) */
    size_t points[2];      /* computational grid per axis, margin included, ghosts excluded */
    int capped;            /* 1 if the margin hit its cap (see above) */
} dr_fd_report;

typedef struct dr_fd dr_fd;

const char *dr_fd_scheme_name(dr_fd_scheme s);            /* "weno5", "eno2", "upwind1" */
int dr_fd_scheme_parse(const char *name, dr_fd_scheme *s); /* DR_ENOTFOUND names the choices */

/* The largest CFL number at which the scheme with this Runge-Kutta order is stable (0 for a
 * combination that is unstable at every dt, e.g. WENO5 with forward Euler). */
double dr_fd_cfl_limit(dr_fd_scheme s, int rk_order);

/* Builds the stepper for landscape f on grid g (same dimension), at u(.,0) = f; beta in (0, inf]
 * (INFINITY = inviscid), times up to t_max > 0 (sizes the margin). opt may be NULL (defaults). */
int dr_fd_alloc(dr_fd **out, const dr_landscape *f, const dr_grid *g, double beta, double t_max,
                const dr_fd_options *opt);

/* One CFL step, never past t_max. DR_EINVAL once t_max is reached; DR_ENUMERIC if u becomes
 * non-finite. */
int dr_fd_step(dr_fd *s);

/* Steps until the time is exactly t (current time <= t <= t_max). */
int dr_fd_advance_to(dr_fd *s, double t);

double dr_fd_time(const dr_fd *s);

/* u at the current time on the caller's grid into u[size]; grad (dim planes, may be NULL) by the
 * scheme's one-sided derivatives, per axis the one the Godunov Hamiltonian selects (0 at a
 * minimum of u along the axis). */
int dr_fd_solution(dr_fd *s, double *u, double *grad);

/* What the stepper did so far. */
void dr_fd_stats(const dr_fd *s, dr_fd_report *report);

void dr_fd_free(dr_fd *s);

#ifdef __cplusplus
}
#endif
#endif
