/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One `deeprelax widen` sweep as the command holds it, shared by its summaries (cmd_widen.c)
 * and its figures (widen_figures.c). */
#ifndef DEEPRELAX_CLI_WIDEN_RUN_H
#define DEEPRELAX_CLI_WIDEN_RUN_H

#include "deeprelax/analysis.h"
#include "deeprelax/widen.h"

/* One t of the sweep, as the library measures it (deeprelax/widen.h). */
typedef dr_widen_step widen_step;

typedef struct {
    dr_landscape *f;
    dr_grid g;
    double beta, C, delta, seconds;
    const char *method;
    int refine, gibbs;
    size_t nt;
    double *fvals;
    double *u1d;                 /* 1-D only: nt fields, for the tracks picture */
    dr_minima fmin;              /* minima of f */
    widen_step *steps;
    dr_tracker *tr;
} widen_run;

/* The curvature figure to `picture` and the tracks figure to its sibling P-tracks.EXT; gnuplot's
 * data and scripts into keep (NULL: a temporary directory). Without gnuplot, PNGs come from the
 * built-in plotter and SVG/PDF fail with DR_EUNSUPPORTED. */
int widen_figures(const widen_run *w, const char *picture, const char *keep);

#endif
