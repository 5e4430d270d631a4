/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the figure of `deeprelax particles` needs from a run (particles_figures.c). */
#ifndef DEEPRELAX_CLI_PARTICLES_FIGURE_H
#define DEEPRELAX_CLI_PARTICLES_FIGURE_H

#include "deeprelax/deeprelax.h"
#include "deeprelax/particles.h"

typedef struct {
    const dr_landscape *f;
    const double *lo, *hi;        /* the box */
    size_t K, steps;
    const double *traj, *fpath;   /* K paths of steps + 1 points (dim values each), f on them */
    const char *algo;             /* the optimiser's name */
    double beta;                  /* its inverse temperature, NAN when it has none */
    double sigma;                 /* gradient noise sd (0: none) */
} particles_fig;

/* Draws the figure to `picture` (.png, .svg, .pdf), gnuplot's files in keep (NULL: a temporary
 * directory). Without gnuplot a PNG comes from the built-in plotter; SVG and PDF then fail with
 * DR_EUNSUPPORTED. */
int particles_figure(const particles_fig *p, const char *picture, const char *keep);

#endif
