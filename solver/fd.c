/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The finite-difference Hamilton-Jacobi stepper: margins, time steps, Runge-Kutta stages and the
 * Strang-split diffusion (see include/deeprelax/fd.h for the scheme and its choices). */
#include "deeprelax/fd.h"
#include "dr_args.h"
#include "deeprelax/error.h"
#include "fd_internal.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Gibbs weight beyond the margin, as a power of e (see fd.h). */
#define MARGIN_LOG_WEIGHT 32.0
/* Extra cells per side for the stencils' numerical spreading. */
#define MARGIN_EXTRA_CELLS 4
/* More computational points than this is refused rather than attempted. */
#define MAX_POINTS ((size_t)1 << 28)

struct dr_fd {
    dr_grid box;            /* the caller's grid */
    dr_grid ext;            /* box plus margin (computational points, no ghosts) */
    size_t off[2];          /* margin cells per side per axis */
    dr_fd_layout L;
    dr_fd_scheme scheme;
    int rk;
    double cfl, beta, nu, t, t_max;
    double *u, *u1, *u2, *rhs, *grad_ext;
    double speed[2];        /* max |p_a| at the latest stage: bounds the next step's speeds */
    double pending;         /* diffusion time owed to u (the second Strang half, not yet applied) */
    dr_fd_heat *heat;
    dr_fd_report report;
    dr_fd_progress_fn progress;
    void *progress_ctx;
    int threads;
};

const char *dr_fd_scheme_name(dr_fd_scheme s)
{
    switch (s) {
    case DR_FD_WENO5: return "weno5";
    case DR_FD_ENO2: return "eno2";
    case DR_FD_UPWIND1: return "upwind1";
    }
    return "?";
}

int dr_fd_scheme_parse(const char *name, dr_fd_scheme *s)
{
    DR_CHECK_PTRS(name, s);
    static const dr_fd_scheme all[] = {DR_FD_WENO5, DR_FD_ENO2, DR_FD_UPWIND1};
    for (size_t i = 0; name && i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(name, dr_fd_scheme_name(all[i]))) {
            *s = all[i];
            return DR_SUCCESS;
        }
    return dr_error(DR_ENOTFOUND, "unknown finite-difference scheme '%s' (choose weno5, eno2 or "
                    "upwind1)", name ? name : "(null)");
}

double dr_fd_cfl_limit(dr_fd_scheme s, int rk_order)
{
    if (rk_order < 1 || rk_order > 3)
        return 0;
    switch (s) {
    case DR_FD_UPWIND1:
        /* Monotone for cfl <= 1 with forward Euler; Shu-Osher RK2/RK3 are convex combinations of
         * Euler steps with coefficient 1, so they keep that bound. */
        return 1.0;
    case DR_FD_ENO2:
        return rk_order == 1 ? 0.5 : 1.0;
    case DR_FD_WENO5:
        /* Forward Euler's stability region misses the nearly imaginary spectrum of WENO5. */
        return rk_order == 1 ? 0.0 : rk_order == 2 ? 0.5 : 1.0;
    }
    return 0;
}

/* min of f over the box widened by `cells[a]` points per side (spacing of g), and max over the
 * box itself; DR_ENUMERIC if f is not finite somewhere there. */
static int sample_range(const dr_landscape *f, const dr_grid *g, const size_t cells[2],
                        double *fmin_ext, double *fmax_box)
{
    double lo = INFINITY, hi = -INFINITY, x[2] = {0, 0};
    size_t n0 = g->n[0] + 2 * cells[0], n1 = g->dim == 2 ? g->n[1] + 2 * cells[1] : 1;
    for (size_t j = 0; j < n1; j++) {
        if (g->dim == 2)
            x[1] = g->lo[1] + ((double)j - (double)cells[1]) * g->h[1];
        int in_j = g->dim != 2 || (j >= cells[1] && j < cells[1] + g->n[1]);
        for (size_t i = 0; i < n0; i++) {
            x[0] = g->lo[0] + ((double)i - (double)cells[0]) * g->h[0];
            double v = dr_landscape_value(f, x);
            if (!isfinite(v))
                return g->dim == 2
                    ? dr_error(DR_ENUMERIC, "fd: f(%g, %g) = %g is not finite", x[0], x[1], v)
                    : dr_error(DR_ENUMERIC, "fd: f(%g) = %g is not finite", x[0], v);
            lo = fmin(lo, v);
            if (in_j && i >= cells[0] && i < cells[0] + g->n[0])
                hi = fmax(hi, v);
        }
    }
    *fmin_ext = lo;
    *fmax_box = hi;
    return DR_SUCCESS;
}

/* The margin of fd.h: m = sqrt(2 t (max_box f - min_ext f + 32/beta)), a fixed point in min_ext. */
static int choose_margin(dr_fd *s, const dr_landscape *f)
{
    const dr_grid *g = &s->box;
    double width = 0;
    for (int a = 0; a < g->dim; a++)
        width = fmax(width, g->hi[a] - g->lo[a]);
    const double cap = 2 * width, spread = isinf(s->beta) ? 0 : MARGIN_LOG_WEIGHT / s->beta;
    double m = 0;
    size_t cells[2] = {0, 0};
    for (int iter = 0; iter < 60; iter++) {
        double f_lo = 0, f_hi = 0;
        int st = sample_range(f, g, cells, &f_lo, &f_hi);
        if (st)
            return st;
        double next = sqrt(2 * s->t_max * (f_hi - f_lo + spread));
        if (next > cap) {
            next = cap;
            s->report.capped = 1;
        }
        int settled = next <= m;
        m = fmax(m, next);
        for (int a = 0; a < g->dim; a++)
            cells[a] = (size_t)ceil(m / g->h[a]);
        if (settled || s->report.capped)
            break;
    }
    for (int a = 0; a < g->dim; a++) {
        s->off[a] = cells[a] + MARGIN_EXTRA_CELLS;
        s->report.margin[a] = (double)s->off[a] * g->h[a];
    }
    return DR_SUCCESS;
}

static int setup_grid(dr_fd *s, const dr_landscape *f)
{
    const dr_grid *g = &s->box;
    size_t n[2];
    double lo[2], hi[2];
    for (int a = 0; a < g->dim; a++) {
        n[a] = g->n[a] + 2 * s->off[a];
        lo[a] = g->lo[a] - (double)s->off[a] * g->h[a];
        hi[a] = g->hi[a] + (double)s->off[a] * g->h[a];
    }
    int st = dr_grid_init(&s->ext, g->dim, n, lo, hi);
    if (st)
        return st;
    dr_fd_layout *L = &s->L;
    L->dim = g->dim;
    L->nx = s->ext.n[0];
    L->ny = s->ext.n[1];
    L->row = L->nx + 2 * DR_FD_GHOST;
    L->rows = g->dim == 2 ? L->ny + 2 * DR_FD_GHOST : 1;
    L->inv_h[0] = 1.0 / g->h[0];
    L->inv_h[1] = g->dim == 2 ? 1.0 / g->h[1] : 0;
    s->report.points[0] = L->nx;
    s->report.points[1] = g->dim == 2 ? L->ny : 0;
    if (L->row > MAX_POINTS / L->rows)
        return dr_error(DR_ENOMEM, "fd: the computational grid (%zu x %zu with its margin) is too "
                        "large; shrink the grid, t or the box", L->nx, L->ny);
    size_t stored = dr_fd_stored(L);
    s->u = calloc(stored, sizeof(double));
    s->u1 = calloc(stored, sizeof(double));
    s->u2 = calloc(stored, sizeof(double));
    s->rhs = calloc(stored, sizeof(double));
    double *field = malloc(L->nx * L->ny * sizeof(double));
    if (!s->u || !s->u1 || !s->u2 || !s->rhs || !field) {
        free(field);
        return dr_error(DR_ENOMEM, "fd: out of memory for a %zu x %zu grid", L->nx, L->ny);
    }
    dr_landscape_sample(f, &s->ext, field);
    for (size_t j = 0; j < L->ny; j++)
        memcpy(s->u + dr_fd_at(L, 0, j), field + j * L->nx, L->nx * sizeof(double));
    free(field);
    dr_fd_fill_ghosts(L, s->u);
    if (!isinf(s->beta))
        return dr_fd_heat_alloc(&s->heat, L, s->box.h, s->threads);
    return DR_SUCCESS;
}

int dr_fd_alloc(dr_fd **out, const dr_landscape *f, const dr_grid *g, double beta, double t_max,
                const dr_fd_options *opt)
{
    DR_CHECK_PTRS(out, f, g);
    *out = NULL;
    dr_fd_options o = {0};
    if (opt)
        o = *opt;
    if (!f || !g)
        return dr_error(DR_EINVAL, "fd: no landscape or grid given");
    if (dr_landscape_dim(f) != g->dim)
        return dr_error(DR_EINVAL, "fd: the landscape is %d-D but the grid is %d-D",
                        dr_landscape_dim(f), g->dim);
    if (!(beta > 0))
        return dr_error(DR_EINVAL, "fd: beta must be positive or inf (got %g)", beta);
    if (!(t_max > 0) || !isfinite(t_max))
        return dr_error(DR_EINVAL, "fd: t_max must be positive and finite (got %g)", t_max);
    if (o.scheme != DR_FD_WENO5 && o.scheme != DR_FD_ENO2 && o.scheme != DR_FD_UPWIND1)
        return dr_error(DR_EINVAL, "fd: unknown scheme %d", (int)o.scheme);
    if (o.rk_order == 0)
        o.rk_order = 3;
    if (o.rk_order < 1 || o.rk_order > 3)
        return dr_error(DR_EINVAL, "fd: Runge-Kutta order must be 1, 2 or 3 (got %d)", o.rk_order);
    double limit = dr_fd_cfl_limit(o.scheme, o.rk_order);
    if (limit == 0)
        return dr_error(DR_EINVAL, "fd: %s with Runge-Kutta order %d is unstable at every time "
                        "step; use order %d", dr_fd_scheme_name(o.scheme), o.rk_order, 3);
    if (o.cfl == 0)
        o.cfl = fmin(0.5, limit);
    if (!(o.cfl > 0) || o.cfl > limit)
        return dr_error(DR_EINVAL, "fd: CFL number %g is outside (0, %g], the stability limit of "
                        "%s with Runge-Kutta order %d", o.cfl, limit, dr_fd_scheme_name(o.scheme),
                        o.rk_order);

    dr_fd *s = calloc(1, sizeof *s);
    if (!s)
        return dr_error(DR_ENOMEM, "fd: out of memory");
    s->box = *g;
    s->scheme = o.scheme;
    s->rk = o.rk_order;
    s->cfl = o.cfl;
    s->beta = beta;
    s->nu = isinf(beta) ? 0 : 0.5 / beta;
    s->t_max = t_max;
    s->progress = o.progress;
    s->progress_ctx = o.progress_ctx;
    s->threads = o.threads > 0 ? o.threads : omp_get_max_threads();
    int st = choose_margin(s, f);
    if (st == DR_SUCCESS)
        st = setup_grid(s, f);
    if (st == DR_SUCCESS)
        dr_fd_hamiltonian(&s->L, s->scheme, s->u, s->rhs, s->speed);
    if (st != DR_SUCCESS) {
        dr_fd_free(s);
        return st;
    }
    *out = s;
    return DR_SUCCESS;
}

/* rhs = L(src) with ghosts refreshed; the speeds of this stage raise s->speed. */
static void stage_rhs(dr_fd *s, double *src, double speed[2])
{
    double sp[2];
    dr_fd_fill_ghosts(&s->L, src);
    dr_fd_hamiltonian(&s->L, s->scheme, src, s->rhs, sp);
    speed[0] = fmax(speed[0], sp[0]);
    speed[1] = fmax(speed[1], sp[1]);
}

/* One Shu-Osher step of the Hamiltonian part over the whole stored array (ghosts included:
 * they are rewritten before every use, and rhs is zero there). */
static void runge_kutta(dr_fd *s, double dt)
{
    const size_t n = dr_fd_stored(&s->L);
    double *u = s->u, *u1 = s->u1, *u2 = s->u2, *r = s->rhs;
    double speed[2] = {0, 0};
    stage_rhs(s, u, speed);
    for (size_t k = 0; k < n; k++)
        u1[k] = u[k] + dt * r[k];
    if (s->rk == 1) {
        memcpy(u, u1, n * sizeof(double));
    } else if (s->rk == 2) {
        stage_rhs(s, u1, speed);
        for (size_t k = 0; k < n; k++)
            u[k] = 0.5 * u[k] + 0.5 * (u1[k] + dt * r[k]);
    } else {
        stage_rhs(s, u1, speed);
        for (size_t k = 0; k < n; k++)
            u2[k] = 0.75 * u[k] + 0.25 * (u1[k] + dt * r[k]);
        stage_rhs(s, u2, speed);
        for (size_t k = 0; k < n; k++)
            u[k] = u[k] / 3.0 + 2.0 / 3.0 * (u2[k] + dt * r[k]);
    }
    s->report.rhs_evals += (size_t)s->rk;
    s->speed[0] = speed[0];
    s->speed[1] = speed[1];
}

static void flush_diffusion(dr_fd *s)
{
    if (s->heat && s->pending > 0)
        dr_fd_heat_apply(s->heat, s->u, s->nu * s->pending);
    s->pending = 0;
}

static int interior_finite(const dr_fd *s)
{
    const dr_fd_layout *L = &s->L;
    for (size_t j = 0; j < L->ny; j++) {
        const double *r = s->u + dr_fd_at(L, 0, j);
        for (size_t i = 0; i < L->nx; i++)
            if (!isfinite(r[i]))
                return 0;
    }
    return 1;
}

/* One step towards `target` (> t); leaves the second diffusion half pending. */
static int step_towards(dr_fd *s, double target)
{
    double rate = s->speed[0] * s->L.inv_h[0] + s->speed[1] * s->L.inv_h[1];
    double remaining = target - s->t;
    double dt = rate > 0 ? s->cfl / rate : remaining;
    int last = 0;
    if (dt >= remaining) {
        dt = remaining;
        last = 1;
    } else if (2 * dt > remaining) {
        dt = 0.5 * remaining;
    }
    if (s->heat) {
        dr_fd_heat_apply(s->heat, s->u, s->nu * (s->pending + 0.5 * dt));
        s->pending = 0;
    }
    runge_kutta(s, dt);
    if (s->heat)
        s->pending = 0.5 * dt;
    s->t = last ? target : s->t + dt;
    dr_fd_report *r = &s->report;
    r->dt_min = r->steps ? fmin(r->dt_min, dt) : dt;
    r->dt_max = r->steps ? fmax(r->dt_max, dt) : dt;
    r->steps++;
    if (!interior_finite(s))
        return dr_error(DR_ENUMERIC, "fd: the solution became non-finite at t = %g (step %zu, "
                        "dt = %g)", s->t, r->steps, dt);
    if (s->progress)
        s->progress(s->progress_ctx, s->t, target, r->steps);
    return DR_SUCCESS;
}

int dr_fd_step(dr_fd *s)
{
    DR_CHECK_PTRS(s);
    if (s->t >= s->t_max)
        return dr_error(DR_EINVAL, "fd: already at t_max = %g", s->t_max);
    int st = step_towards(s, s->t_max);
    flush_diffusion(s);
    return st;
}

int dr_fd_advance_to(dr_fd *s, double t)
{
    DR_CHECK_PTRS(s);
    if (!(t >= s->t) || !(t <= s->t_max))
        return dr_error(DR_EINVAL, "fd: cannot advance to t = %g from t = %g (t_max = %g)", t,
                        s->t, s->t_max);
    int st = DR_SUCCESS;
    while (st == DR_SUCCESS && s->t < t)
        st = step_towards(s, t);
    flush_diffusion(s);
    return st;
}

double dr_fd_time(const dr_fd *s) { return s->t; }

int dr_fd_solution(dr_fd *s, double *u, double *grad)
{
    DR_CHECK_PTRS(s, u);
    flush_diffusion(s);
    const dr_fd_layout *L = &s->L;
    const dr_grid *g = &s->box;
    const size_t nb = g->n[0], mb = g->n[1];
    for (size_t j = 0; j < mb; j++)
        memcpy(u + j * nb, s->u + dr_fd_at(L, s->off[0], j + s->off[1]), nb * sizeof(double));
    if (!grad)
        return DR_SUCCESS;
    if (!s->grad_ext) {
        s->grad_ext = malloc((size_t)g->dim * L->nx * L->ny * sizeof(double));
        if (!s->grad_ext)
            return dr_error(DR_ENOMEM, "fd: out of memory for the gradient");
    }
    dr_fd_fill_ghosts(L, s->u);
    dr_fd_gradient(L, s->scheme, s->u, s->grad_ext);
    const size_t plane = L->nx * L->ny;
    for (int a = 0; a < g->dim; a++)
        for (size_t j = 0; j < mb; j++)
            memcpy(grad + (size_t)a * nb * mb + j * nb,
                   s->grad_ext + (size_t)a * plane + (j + s->off[1]) * L->nx + s->off[0],
                   nb * sizeof(double));
    return DR_SUCCESS;
}

void dr_fd_stats(const dr_fd *s, dr_fd_report *report) { *report = s->report; }

void dr_fd_free(dr_fd *s)
{
    if (!s)
        return;
    free(s->u);
    free(s->u1);
    free(s->u2);
    free(s->rhs);
    free(s->grad_ext);
    dr_fd_heat_free(s->heat);
    free(s);
}
