/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dr_solve: the method choice, the plan for all the requested times, and the per-time reports
 * (see include/deeprelax/solve.h). What `deeprelax solve`, the demo and the Python package share. */
#include "deeprelax/solve.h"
#include "dr_args.h"
#include "deeprelax/error.h"
#include "deeprelax/hopflax.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const method_names[] = {"auto", "heat", "hopf-lax", "fd"};

const char *dr_solve_method_name(dr_solve_method m)
{
    return (unsigned)m < 4 ? method_names[m] : "unknown";
}

int dr_solve_method_parse(const char *name, dr_solve_method *m)
{
    DR_CHECK_PTRS(name, m);
    for (int i = 0; i < 4; i++)
        if (!strcmp(name, method_names[i])) {
            *m = (dr_solve_method)i;
            return DR_SUCCESS;
        }
    return dr_error(DR_ENOTFOUND, "unknown method '%s' (auto, heat, hopf-lax, fd)", name);
}

void dr_solve_options_init(dr_solve_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->method = DR_SOLVE_AUTO;
    opt->engine = DR_HEAT_AUTO;
    opt->refine = 1;
    opt->polish = 1;
    opt->scheme = DR_FD_WENO5;
}

int dr_solve_grid(dr_grid *g, const dr_landscape *f, size_t nn, const size_t *n,
                  const double *lo, const double *hi)
{
    DR_CHECK_PTRS(g, f);
    if (nn && !n)
        return dr_error(DR_EINVAL, "%s: NULL argument (n must not be NULL when nn > 0)", __func__);
    int dim = dr_landscape_dim(f);
    double box_lo[2], box_hi[2];
    dr_landscape_domain(f, box_lo, box_hi);
    for (int a = 0; a < dim; a++) {
        if (lo) box_lo[a] = lo[a];
        if (hi) box_hi[a] = hi[a];
    }
    size_t points[2];
    if (nn == 0) {
        points[0] = points[1] = dim == 1 ? 601 : 257;
    } else if (nn == 1) {
        points[0] = points[1] = n[0];
    } else if (nn == 2 && dim == 2) {
        points[0] = n[0];
        points[1] = n[1];
    } else {
        return dr_error(DR_EINVAL, "the grid has %zu point counts but the landscape is %d-D",
                        nn, dim);
    }
    return dr_grid_init(g, dim, points, box_lo, box_hi);
}

static int run_heat(const dr_landscape *f, const dr_grid *g, double beta, const double *t,
                    size_t nt, double tmin, double tmax, double *u, double *grad,
                    dr_solve_report *rep, const dr_solve_options *opt)
{
    dr_heat_plan *plan = NULL;
    dr_heat_options hopt = {.engine = opt->engine, .threads = opt->threads};
    int status = dr_heat_plan_alloc(&plan, f, g, beta, tmin, tmax, &hopt);
    if (status) return status;
    size_t size = dr_grid_size(g);
    for (size_t k = 0; k < nt && !status; k++) {
        if (opt->stage) opt->stage(opt->stage_ctx, k, nt);
        dr_heat_report hr;
        status = dr_heat_execute(plan, t[k], u + k * size,
                                 grad ? grad + k * size * (size_t)g->dim : NULL, &hr);
        rep[k].engine = dr_heat_engine_name(hr.engine);
        rep[k].log_points = hr.log_points;
        rep[k].est_error = hr.est_error;
        rep[k].unbounded = hr.unbounded;
        rep[k].refine = hr.refine;
        rep[k].margin_capped = hr.margin_capped;
    }
    if (!status && opt->stage) opt->stage(opt->stage_ctx, nt, nt);
    dr_heat_plan_free(plan);
    return status;
}

static int run_hopflax(const dr_landscape *f, const dr_grid *g, const double *t, size_t nt,
                       double tmax, double *u, double *grad, dr_solve_report *rep,
                       const dr_solve_options *opt)
{
    dr_hopflax_plan *plan = NULL;
    dr_hopflax_options hopt = {.refine = opt->refine, .polish = opt->polish,
                               .threads = opt->threads};
    int status = dr_hopflax_plan_alloc(&plan, f, g, tmax, &hopt);
    if (status) return status;
    size_t size = dr_grid_size(g);
    for (size_t k = 0; k < nt && !status; k++) {
        if (opt->stage) opt->stage(opt->stage_ctx, k, nt);
        dr_hopflax_report hr;
        status = dr_hopflax_execute_report(plan, t[k], u + k * size, NULL,
                                           grad ? grad + k * size * (size_t)g->dim : NULL, &hr);
        rep[k].engine = "envelope";
        rep[k].est_error = hr.est_error;
        rep[k].unbounded = hr.unbounded;
        rep[k].curvature_measured = hr.measured;
        rep[k].wells = hr.wells;
        rep[k].switched = hr.switched;
        rep[k].refine = opt->refine;
    }
    if (!status && opt->stage) opt->stage(opt->stage_ctx, nt, nt);
    dr_hopflax_plan_free(plan);
    return status;
}

/* One stepper for all times, visited in increasing order (the outputs keep the caller's order). */
static int run_fd(const dr_landscape *f, const dr_grid *g, double beta, const double *t,
                  size_t nt, double tmax, double *u, double *grad, dr_solve_report *rep,
                  const dr_solve_options *opt)
{
    dr_fd *s = NULL;
    dr_fd_options fopt = {.scheme = opt->scheme, .cfl = opt->cfl, .progress = opt->progress,
                          .progress_ctx = opt->progress_ctx, .threads = opt->threads};
    int status = dr_fd_alloc(&s, f, g, beta, tmax, &fopt);
    if (status) return status;
    size_t size = dr_grid_size(g), done = 0;
    int *visited = calloc(nt, sizeof *visited);
    if (!visited) status = dr_error(DR_ENOMEM, "out of memory");
    while (!status && done < nt) {
        size_t k = nt;
        for (size_t j = 0; j < nt; j++)
            if (!visited[j] && (k == nt || t[j] < t[k])) k = j;
        visited[k] = 1;
        done++;
        status = dr_fd_advance_to(s, t[k]);
        if (!status)
            status = dr_fd_solution(s, u + k * size,
                                    grad ? grad + k * size * (size_t)g->dim : NULL);
        dr_fd_report fr;
        dr_fd_stats(s, &fr);
        rep[k].engine = dr_fd_scheme_name(opt->scheme);
        rep[k].refine = 1;
        rep[k].steps = fr.steps;
        rep[k].dt_min = fr.dt_min;
    }
    free(visited);
    dr_fd_free(s);
    return status;
}

static int check_arguments(const dr_landscape *f, const dr_grid *g, double beta, const double *t,
                           size_t nt, dr_solve_method *method)
{
    if (g->dim != dr_landscape_dim(f))
        return dr_error(DR_EINVAL, "the grid is %d-D but the landscape is %d-D", g->dim,
                        dr_landscape_dim(f));
    if (nt == 0) return dr_error(DR_EINVAL, "no time to solve at (nt = 0)");
    for (size_t k = 0; k < nt; k++)
        if (!(t[k] > 0) || !isfinite(t[k]))
            return dr_error(DR_EINVAL, "every time must be positive and finite (got %g)", t[k]);
    if (!(beta > 0)) return dr_error(DR_EINVAL, "beta must be positive or inf (got %g)", beta);
    if ((unsigned)*method > DR_SOLVE_FD)
        return dr_error(DR_EINVAL, "unknown method %d", (int)*method);
    if (*method == DR_SOLVE_AUTO) *method = isinf(beta) ? DR_SOLVE_HOPFLAX : DR_SOLVE_HEAT;
    if (*method == DR_SOLVE_HEAT && isinf(beta))
        return dr_error(DR_EINVAL, "the heat method needs a finite --beta (beta = inf is the "
                        "inviscid equation: use --method hopf-lax)");
    if (*method == DR_SOLVE_HOPFLAX && !isinf(beta))
        return dr_error(DR_EINVAL, "hopf-lax solves the inviscid equation (beta = inf); got "
                        "--beta %g: use --method heat", beta);
    return DR_SUCCESS;
}

/* min u(., t[k]) over the grid and the first point attaining it. */
static void report_minima(const dr_grid *g, const double *u, size_t nt, dr_solve_report *rep)
{
    size_t size = dr_grid_size(g);
    for (size_t k = 0; k < nt; k++) {
        const double *uk = u + k * size;
        size_t best = 0;
        for (size_t i = 1; i < size; i++)
            if (uk[i] < uk[best]) best = i;
        rep[k].min_u = uk[best];
        rep[k].argmin[0] = dr_grid_coord(g, 0, best % g->n[0]);
        rep[k].argmin[1] = g->dim == 2 ? dr_grid_coord(g, 1, best / g->n[0]) : 0.0;
    }
}

int dr_solve(const dr_landscape *f, const dr_grid *g, double beta, const double *t, size_t nt,
             double *u, double *grad, dr_solve_report *reports, const dr_solve_options *opt_in)
{
    DR_CHECK_PTRS(f, g, t, u);
    dr_solve_options opt;
    if (opt_in) opt = *opt_in;
    else dr_solve_options_init(&opt);
    dr_solve_method method = opt.method;
    int status = check_arguments(f, g, beta, t, nt, &method);
    if (status) return status;
    dr_solve_report *rep = reports ? reports : calloc(nt, sizeof *rep);
    if (!rep) return dr_error(DR_ENOMEM, "out of memory");
    memset(rep, 0, nt * sizeof *rep);
    for (size_t k = 0; k < nt; k++) rep[k].method = method;

    double tmin = t[0], tmax = t[0];
    for (size_t k = 1; k < nt; k++) {
        tmin = fmin(tmin, t[k]);
        tmax = fmax(tmax, t[k]);
    }
    dr_landscape_failure_clear(f);
    status = method == DR_SOLVE_HEAT ? run_heat(f, g, beta, t, nt, tmin, tmax, u, grad, rep, &opt)
           : method == DR_SOLVE_FD   ? run_fd(f, g, beta, t, nt, tmax, u, grad, rep, &opt)
                                     : run_hopflax(f, g, t, nt, tmax, u, grad, rep, &opt);
    /* A caller's function that failed anywhere fails the whole solve, whatever the solver
     * made of the NaN it got back (Hopf-Lax reads NaN as a wall). */
    int failed = dr_landscape_failure(f);
    if (failed) status = failed;
    if (!status) report_minima(g, u, nt, rep);
    if (!reports) free(rep);
    return status;
}
