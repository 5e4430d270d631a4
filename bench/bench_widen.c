/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Benchmark of the widen analysis: a 2-D sweep of 20 times on 512 x 512 (sharp-wide2d), solver
 * alone against solver + analysis (difference Hessian, semi-concavity, minima with basins and
 * widths, tracking), viscous (Cole-Hopf, beta = 10) and inviscid (Hopf-Lax); and the Gibbs
 * covariance Hessian for one t, against the heat solve it accompanies. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "deeprelax/analysis.h"
#include "deeprelax/error.h"
#include "deeprelax/heat.h"
#include "deeprelax/hopflax.h"

#define BENCH_NAME "bench_widen"
#include "bench_common.h"

static void check(int st)
{
    if (st) {
        fprintf(stderr, "bench_widen: %s\n", dr_error_message());
        exit(1);
    }
}

/* One sweep; returns the total time, *solver the solver's share. */
static double sweep(const dr_landscape *f, const dr_grid *g, double beta, const double *t, int nt,
                    double *solver, size_t *events)
{
    size_t size = dr_grid_size(g);
    double *u = malloc(size * sizeof *u), *prox = malloc(2 * size * sizeof *prox);
    double *h = malloc(3 * size * sizeof *h), *fv = malloc(size * sizeof *fv), margin[2];
    dr_landscape_sample(f, g, fv);
    double delta = dr_minima_default_delta(g, fv), start = now();
    dr_heat_plan *hp = NULL;
    dr_hopflax_plan *pp = NULL;
    if (isinf(beta)) check(dr_hopflax_plan_alloc(&pp, f, g, t[nt - 1], NULL));
    else check(dr_heat_plan_alloc(&hp, f, g, beta, t[0], t[nt - 1], NULL));
    dr_tracker *tr;
    check(dr_tracker_alloc(&tr));
    *solver = now() - start;
    for (int k = 0; k < nt; k++) {
        double s0 = now();
        if (pp) check(dr_hopflax_execute(pp, t[k], u, prox, NULL));
        else check(dr_heat_execute(hp, t[k], u, NULL, NULL));
        *solver += now() - s0;
        dr_semiconcavity sc;
        check(dr_analysis_boundary_layer(f, g, t[k], beta, margin, NULL));
        check(dr_analysis_hessian_fd(g, u, h));
        check(dr_semiconcavity_max(g, h, margin, &sc));
        dr_minima m;
        dr_minima_options o = {delta, pp ? prox : NULL};
        check(dr_minima_find(&m, g, u, &o));
        check(dr_tracker_add(tr, t[k], &m));
        dr_minima_free(&m);
    }
    double total = now() - start;
    dr_tracker_events(tr, events);
    dr_tracker_free(tr);
    dr_heat_plan_free(hp);
    dr_hopflax_plan_free(pp);
    free(u); free(prox); free(h); free(fv);
    return total;
}

int main(void)
{
    dr_landscape *f;
    check(dr_landscape_alloc_builtin(&f, "sharp-wide2d", NULL));
    size_t n[2] = {512, 512};
    double lo[2] = {-4, -4}, hi[2] = {4, 4}, t[20];
    dr_grid g;
    check(dr_grid_init(&g, 2, n, lo, hi));
    for (int k = 0; k < 20; k++) t[k] = 0.05 * (k + 1);
    printf("widen: sharp-wide2d, 512 x 512, 20 times t = 0.05..1\n");
    printf("%-26s %10s %10s %10s %8s\n", "", "total s", "solver s", "analysis s", "ratio");
    const double betas[2] = {10, INFINITY};
    for (int b = 0; b < 2; b++) {
        double solver;
        size_t events;
        double total = sweep(f, &g, betas[b], t, 20, &solver, &events);
        printf("%-26s %10.3f %10.3f %10.3f %8.2f   (%zu events)\n",
               b ? "hopf-lax (inviscid)" : "heat (beta = 10)", total, solver, total - solver,
               total / solver, events);
    }
    /* The Gibbs Hessian at one t on 256 x 256 against the heat solve of the same u. */
    size_t n2[2] = {256, 256};
    check(dr_grid_init(&g, 2, n2, lo, hi));
    size_t size = dr_grid_size(&g);
    double *u = malloc(size * sizeof *u), *h = malloc(3 * size * sizeof *h);
    double s0 = now();
    dr_heat_plan *hp;
    check(dr_heat_plan_alloc(&hp, f, &g, 10, 0.5, 0.5, NULL));
    check(dr_heat_execute(hp, 0.5, u, NULL, NULL));
    double heat = now() - s0;
    s0 = now();
    dr_gibbs_plan *gp;
    check(dr_gibbs_plan_alloc(&gp, f, &g, 10, 0.5, 0.5));
    check(dr_gibbs_hessian(gp, 0.5, h));
    double gibbs = now() - s0;
    printf("gibbs Hessian, 256 x 256, t = 0.5: %.3f s, heat solve %.3f s, ratio %.1f\n", gibbs,
           heat, gibbs / heat);
    dr_gibbs_plan_free(gp);
    dr_heat_plan_free(hp);
    free(u); free(h);
    dr_landscape_free(f);
    return 0;
}
