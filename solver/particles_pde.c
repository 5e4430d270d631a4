/* SPDX-License-Identifier: GPL-3.0-or-later */
/* pde-gd's gradient field: grad u(., gamma) from the grid solvers (Cole-Hopf for finite beta,
 * Hopf-Lax for beta = inf), interpolated off the grid with GSL: cubic / bicubic splines for the
 * smooth viscous solution, linear / bilinear for Hopf-Lax, whose gradient jumps where the
 * proximal point does (a spline would ring there). Recomputed whenever gamma changes. */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_spline.h>
#include <gsl/gsl_spline2d.h>

#include "deeprelax/error.h"
#include "particles_internal.h"

static void free_interp(particles_pde *pde)
{
    for (int a = 0; a < 2; a++) {
        if (pde->interp[a]) {
            if (pde->grid.dim == 1) gsl_spline_free(pde->interp[a]);
            else gsl_spline2d_free(pde->interp[a]);
        }
        if (pde->acc[a]) gsl_interp_accel_free(pde->acc[a]);
        pde->interp[a] = pde->acc[a] = NULL;
    }
}

void particles_pde_free(particles_pde *pde)
{
    if (!pde) return;
    free_interp(pde);
    dr_heat_plan_free(pde->heat);
    dr_hopflax_plan_free(pde->hopflax);
    free(pde->u); free(pde->grad); free(pde->xs); free(pde->ys);
    free(pde);
}

int particles_pde_alloc(particles_pde **out, const dr_landscape *f, const dr_particles_options *o,
                        double gamma_min, double gamma_max)
{
    *out = NULL;
    int dim = dr_landscape_dim(f);
    double lo[2], hi[2];
    if (o->have_pde_box) {
        lo[0] = o->pde_lo[0]; hi[0] = o->pde_hi[0];
        lo[1] = o->pde_lo[1]; hi[1] = o->pde_hi[1];
    } else {
        dr_landscape_domain(f, lo, hi);
    }
    size_t n[2] = {o->pde_n[0], o->pde_n[1]};
    if (n[0] == 0) n[0] = dim == 1 ? 2001 : 257;
    if (n[1] == 0) n[1] = dim == 1 ? 1 : n[0];
    particles_pde *pde = calloc(1, sizeof *pde);
    if (!pde) return dr_error(DR_ENOMEM, "out of memory");
    pde->gamma = NAN;
    int status = dr_grid_init(&pde->grid, dim, n, lo, hi);
    if (status) {
        free(pde);
        return status;
    }
    size_t size = dr_grid_size(&pde->grid);
    pde->u = malloc(size * sizeof *pde->u);
    pde->grad = malloc((size_t)dim * size * sizeof *pde->grad);
    pde->xs = malloc(n[0] * sizeof *pde->xs);
    pde->ys = malloc(n[1] * sizeof *pde->ys);
    if (!pde->u || !pde->grad || !pde->xs || !pde->ys) {
        particles_pde_free(pde);
        return dr_error(DR_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n[0]; i++) pde->xs[i] = dr_grid_coord(&pde->grid, 0, i);
    for (size_t j = 0; j < n[1]; j++) pde->ys[j] = dim == 2 ? dr_grid_coord(&pde->grid, 1, j) : 0;
    dr_heat_options ho = {.threads = o->threads};
    /* refine 1 and no polish: what NULL options gave before threads were passed */
    dr_hopflax_options xo = {.refine = 1, .threads = o->threads};
    if (isfinite(o->beta))
        status = dr_heat_plan_alloc(&pde->heat, f, &pde->grid, o->beta, gamma_min, gamma_max, &ho);
    else
        status = dr_hopflax_plan_alloc(&pde->hopflax, f, &pde->grid, gamma_max, &xo);
    if (status) {
        particles_pde_free(pde);
        return status;
    }
    *out = pde;
    return DR_SUCCESS;
}

static int solve_at(particles_pde *pde, double gamma)
{
    int status = pde->heat ? dr_heat_execute(pde->heat, gamma, pde->u, pde->grad, NULL)
                           : dr_hopflax_execute(pde->hopflax, gamma, pde->u, NULL, pde->grad);
    if (status) return status;
    free_interp(pde);
    const dr_grid *g = &pde->grid;
    size_t size = dr_grid_size(g);
    /* The solver's grid has at least DR_GRID_MIN_POINTS (8) strictly increasing knots per axis,
     * more than any of these GSL interpolants needs, so none can refuse them (error.h). */
    for (int a = 0; a < g->dim; a++) {
        const double *comp = pde->grad + (size_t)a * size;
        if (g->dim == 1) {
            gsl_spline *s = gsl_spline_alloc(pde->heat ? gsl_interp_cspline : gsl_interp_linear,
                                             g->n[0]);
            pde->interp[a] = s;
            if (s) status = gsl_spline_init(s, pde->xs, comp, g->n[0]);
        } else {
            gsl_spline2d *s = gsl_spline2d_alloc(pde->heat ? gsl_interp2d_bicubic
                                                           : gsl_interp2d_bilinear,
                                                 g->n[0], g->n[1]);
            pde->interp[a] = s;
            if (s) status = gsl_spline2d_init(s, pde->xs, pde->ys, comp, g->n[0], g->n[1]);
        }
        /* accelerators cache the last grid cell per axis, shared by the components */
        pde->acc[a] = gsl_interp_accel_alloc();
        if (!pde->interp[a] || !pde->acc[a] || status) break;
    }
    if (status || !pde->interp[g->dim - 1] || !pde->acc[g->dim - 1]) {
        free_interp(pde);
        return dr_error(DR_ENOMEM, "pde-gd: cannot build the interpolant of grad u");
    }
    pde->gamma = gamma;
    return DR_SUCCESS;
}

int particles_pde_grad(particles_pde *pde, double gamma, const double *x, double *grad)
{
    if (!(pde->gamma == gamma)) {
        int status = solve_at(pde, gamma);
        if (status) return status;
    }
    const dr_grid *g = &pde->grid;
    for (int a = 0; a < g->dim; a++)
        if (!(x[a] >= g->lo[a] && x[a] <= g->hi[a]))
            return dr_error(DR_ENUMERIC, "pde-gd: the particle left the solver's box at x%s = %g "
                            "(box [%g, %g]; widen it with --domain)", a ? "[1]" : "", x[a],
                            g->lo[a], g->hi[a]);
    for (int a = 0; a < g->dim; a++) {
        if (g->dim == 1)
            grad[a] = gsl_spline_eval(pde->interp[a], x[0], pde->acc[0]);
        else
            grad[a] = gsl_spline2d_eval(pde->interp[a], x[0], x[1], pde->acc[0], pde->acc[1]);
    }
    return DR_SUCCESS;
}
