/* SPDX-License-Identifier: GPL-3.0-or-later */
/* dr_widen_run: the sweep behind `deeprelax widen` (see include/deeprelax/widen.h). */
#include "deeprelax/widen.h"
#include "dr_args.h"
#include "deeprelax/error.h"
#include "deeprelax/gibbs.h"
#include "deeprelax/hopflax.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void dr_widen_options_init(dr_widen_options *opt)
{
    memset(opt, 0, sizeof *opt);
    opt->method = DR_SOLVE_AUTO;
    opt->delta = NAN;
}

void dr_widen_free(dr_widen *w)
{
    if (!w) return;
    if (w->steps)
        for (size_t k = 0; k < w->nt; k++) dr_minima_free(&w->steps[k].m);
    dr_minima_free(&w->fmin);
    dr_tracker_free(w->tracker);
    free(w->steps);
    free(w->f);
    memset(w, 0, sizeof *w);
}

/* One t: everything measured on u (and Hopf-Lax's prox). */
static int measure(dr_widen *w, const dr_landscape *f, dr_widen_step *s, const double *u,
                   const double *prox, double *hess, dr_gibbs_plan *gp)
{
    int st = dr_analysis_boundary_layer(f, &w->grid, s->t, w->beta, s->margin, &s->capped);
    if (!st) st = dr_analysis_hessian_fd(&w->grid, u, hess);
    if (!st) st = dr_semiconcavity_max(&w->grid, hess, s->margin, &s->sc);
    s->gibbs.value = NAN;
    if (!st && gp) {
        st = dr_gibbs_hessian(gp, s->t, hess);
        if (!st) st = dr_semiconcavity_max(&w->grid, hess, s->margin, &s->gibbs);
    }
    dr_minima_options mo = {w->delta, prox};
    if (!st) st = dr_minima_find(&s->m, &w->grid, u, &mo);
    if (!st) st = dr_tracker_add(w->tracker, s->t, &s->m);
    if (st) return st;
    size_t k = dr_tracker_times(w->tracker) - 1;
    int holder = dr_tracker_global(w->tracker, k);
    s->global = -1;
    for (size_t i = 0; i < s->m.count; i++)
        if (dr_tracker_track_of(w->tracker, k, i) == holder) s->global = (int)i;
    return DR_SUCCESS;
}

typedef struct {
    dr_heat_plan *heat;
    dr_hopflax_plan *hopflax;
    dr_fd *fd;
    dr_gibbs_plan *gibbs;
} widen_plans;

static int plans_alloc(widen_plans *pl, const dr_widen *w, const dr_landscape *f,
                       const double *t, int threads)
{
    memset(pl, 0, sizeof *pl);
    const dr_grid *g = &w->grid;
    double tmin = t[0], tmax = t[w->nt - 1];
    int st;
    if (w->method == DR_SOLVE_HEAT) {
        dr_heat_options o = {.threads = threads};
        st = dr_heat_plan_alloc(&pl->heat, f, g, w->beta, tmin, tmax, &o);
    } else if (w->method == DR_SOLVE_HOPFLAX) {
        dr_hopflax_options o = {.refine = w->refine, .polish = 1, .threads = threads};
        st = dr_hopflax_plan_alloc(&pl->hopflax, f, g, tmax, &o);
    } else {
        st = dr_fd_alloc(&pl->fd, f, g, w->beta, tmax, NULL);
    }
    if (!st && w->gibbs) st = dr_gibbs_plan_alloc(&pl->gibbs, f, g, w->beta, tmin, tmax);
    return st;
}

static void plans_free(widen_plans *pl)
{
    dr_heat_plan_free(pl->heat);
    dr_hopflax_plan_free(pl->hopflax);
    dr_fd_free(pl->fd);
    dr_gibbs_plan_free(pl->gibbs);
}

static int sweep(dr_widen *w, const dr_landscape *f, const double *t, double *u_out,
                 const dr_widen_options *opt)
{
    size_t size = dr_grid_size(&w->grid), dim = (size_t)w->grid.dim;
    double *u = malloc(size * sizeof *u), *prox = malloc(dim * size * sizeof *prox);
    double *hess = malloc(3 * size * sizeof *hess);
    widen_plans pl;
    int st = !u || !prox || !hess ? dr_error(DR_ENOMEM, "out of memory")
                                  : plans_alloc(&pl, w, f, t, opt->threads);
    for (size_t k = 0; k < w->nt && !st; k++) {
        if (opt->progress) opt->progress(opt->progress_ctx, k, w->nt);
        dr_widen_step *s = &w->steps[k];
        s->t = t[k];
        if (pl.heat) st = dr_heat_execute(pl.heat, t[k], u, NULL, NULL);
        else if (pl.hopflax) st = dr_hopflax_execute(pl.hopflax, t[k], u, prox, NULL);
        else {
            st = dr_fd_advance_to(pl.fd, t[k]);
            if (!st) st = dr_fd_solution(pl.fd, u, NULL);
        }
        if (!st) st = measure(w, f, s, u, pl.hopflax ? prox : NULL, hess, pl.gibbs);
        if (!st && u_out) memcpy(u_out + k * size, u, size * sizeof *u);
    }
    if (u && prox && hess) plans_free(&pl);
    free(u);
    free(prox);
    free(hess);
    return st;
}

static int check_arguments(const dr_landscape *f, const dr_grid *g, double beta,
                           const double *t, size_t nt, dr_solve_method *method)
{
    if (g->dim != dr_landscape_dim(f))
        return dr_error(DR_EINVAL, "the grid is %d-D but the landscape is %d-D", g->dim,
                        dr_landscape_dim(f));
    if (nt == 0) return dr_error(DR_EINVAL, "a sweep needs at least one time");
    for (size_t k = 0; k < nt; k++) {
        if (!(t[k] > 0) || !isfinite(t[k]))
            return dr_error(DR_EINVAL, "every time must be positive (got %g)", t[k]);
        if (k && !(t[k] > t[k - 1]))
            return dr_error(DR_EINVAL, "the times of a sweep must increase (got %g after %g)",
                            t[k], t[k - 1]);
    }
    if (!(beta > 0)) return dr_error(DR_EINVAL, "beta must be positive or inf (got %g)", beta);
    if ((unsigned)*method > DR_SOLVE_FD)
        return dr_error(DR_EINVAL, "unknown method %d", (int)*method);
    if (*method == DR_SOLVE_AUTO) *method = isinf(beta) ? DR_SOLVE_HOPFLAX : DR_SOLVE_HEAT;
    if (*method == DR_SOLVE_HEAT && isinf(beta))
        return dr_error(DR_EINVAL, "the heat method needs a finite beta (beta = inf is the "
                        "inviscid equation: use hopf-lax)");
    if (*method == DR_SOLVE_HOPFLAX && !isinf(beta))
        return dr_error(DR_EINVAL, "hopf-lax solves the inviscid equation (beta = inf); got "
                        "beta %g: use heat", beta);
    return DR_SUCCESS;
}

int dr_widen_run(dr_widen *w, const dr_landscape *f, const dr_grid *g, double beta,
                 const double *t, size_t nt, const dr_widen_options *opt_in, double *u)
{
    DR_CHECK_PTRS(w, f, g, t);
    memset(w, 0, sizeof *w);
    dr_widen_options opt;
    if (opt_in) opt = *opt_in;
    else dr_widen_options_init(&opt);
    dr_solve_method method = opt.method;
    int st = check_arguments(f, g, beta, t, nt, &method);
    if (st) return st;
    w->grid = *g;
    w->beta = beta;
    w->method = method;
    w->refine = method == DR_SOLVE_HOPFLAX ? (opt.refine > 0 ? opt.refine
                                              : g->dim == 1 ? 64 : 4) : 0;
    w->gibbs = !isinf(beta) && !opt.no_gibbs;
    w->nt = nt;
    w->C = dr_landscape_curvature_bound(f, g->lo, g->hi);
    size_t size = dr_grid_size(g);
    w->f = malloc(size * sizeof *w->f);
    w->steps = calloc(nt, sizeof *w->steps);
    if (!w->f || !w->steps) return dr_error(DR_ENOMEM, "out of memory");
    dr_landscape_failure_clear(f);
    dr_landscape_sample(f, g, w->f);
    w->delta = !(opt.delta >= 0) ? dr_minima_default_delta(g, w->f) : opt.delta;
    st = dr_tracker_alloc(&w->tracker);
    dr_minima_options fo = {w->delta, NULL};
    if (!st) st = dr_minima_find(&w->fmin, g, w->f, &fo);
    if (!st) st = dr_tracker_add(w->tracker, 0.0, &w->fmin);
    if (!st) st = sweep(w, f, t, u, &opt);
    int failed = dr_landscape_failure(f);
    return failed ? failed : st;
}
