/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Internals shared by the particle modules (particles*.c): the workspace and the pde-gd field. */
#ifndef DEEPRELAX_PARTICLES_INTERNAL_H
#define DEEPRELAX_PARTICLES_INTERNAL_H

#include <gsl/gsl_rng.h>

#include "deeprelax/grid.h"
#include "deeprelax/heat.h"
#include "deeprelax/hopflax.h"
#include "deeprelax/particles.h"

/* grad u(., gamma) on a grid, interpolated off the grid (particles_pde.c). */
typedef struct {
    dr_grid grid;
    dr_heat_plan *heat;        /* beta finite */
    dr_hopflax_plan *hopflax;  /* beta = inf */
    double gamma;              /* the time the field holds (NAN: none yet) */
    double *u, *grad;          /* u and dim planes of grad u */
    double *xs, *ys;           /* grid coordinates per axis */
    void *interp[2];           /* gsl_spline (1-D) or gsl_spline2d (2-D), one per component */
    void *acc[2];
} particles_pde;

struct dr_particles {
    const dr_landscape *f;
    int dim;
    dr_particles_options o;
    particles_pde *pde;        /* pde-gd only */
};

/* A generator for (seed, stream): splitmix64 of both, so nearby seeds and streams give
 * unrelated mt19937 states. */
gsl_rng *particles_rng(unsigned long seed, unsigned long stream);

int particles_pde_alloc(particles_pde **out, const dr_landscape *f, const dr_particles_options *o,
                        double gamma_min, double gamma_max);
void particles_pde_free(particles_pde *pde);
/* grad u(x, gamma) by interpolation; DR_ENUMERIC if x is outside the grid. */
int particles_pde_grad(particles_pde *pde, double gamma, const double *x, double *grad);

#endif
