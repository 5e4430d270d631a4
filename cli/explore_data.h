/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The numbers behind `deeprelax explore`'s page: for one landscape, u(., t) for every beta of a
 * grid (beta = inf is Hopf-Lax) and every t of a grid, the Gibbs mean <y> (viscous) or the
 * proximal point y* (inviscid) at every x (1-D), and per (beta, t) the grid minimum, the local
 * minima, the semi-concavity measured against its bounds. All computed by the library. */
#ifndef DEEPRELAX_CLI_EXPLORE_DATA_H
#define DEEPRELAX_CLI_EXPLORE_DATA_H

#include <stdio.h>

#include "cli.h"

#define EXPLORE_MAX_BETAS 16
#define EXPLORE_MAX_TIMES 64
#define EXPLORE_MAX_MINIMA 24  /* minima listed per (beta, t); the global one is always first */

typedef struct {
    double min_u, argmin[2];    /* the grid minimum, as `deeprelax solve` reports it */
    double sc_fd, sc_gibbs;     /* max D^2 u: central differences; Gibbs identity (1-D viscous,
                                   else NAN) */
    double layer;               /* boundary layer left out of those maxima (axis 0) */
    double est_error;           /* heat solver's estimated max |u error| (NAN for Hopf-Lax) */
    size_t nmin;                /* minima kept (at most EXPLORE_MAX_MINIMA) */
    size_t nmin_all;            /* minima found */
    double min_x[EXPLORE_MAX_MINIMA][2], min_u_at[EXPLORE_MAX_MINIMA];
} explore_step;

typedef struct {
    double beta[EXPLORE_MAX_BETAS];   /* ascending, the last one INFINITY */
    size_t nb;
    double t[EXPLORE_MAX_TIMES];      /* ascending */
    size_t nt;
} explore_axes;

typedef struct {
    dr_landscape *f;
    dr_grid g;
    double C;                   /* curvature bound of f (may be inf or NAN) */
    int refine;                 /* Hopf-Lax y-grid refinement */
    float *fvals;               /* f on the grid */
    float *u;                   /* [beta][t][point] */
    float *mean;                /* 1-D only: [beta][t][point], <y> or y* (NULL in 2-D) */
    explore_step *steps;        /* [beta][t] */
    double seconds;
} explore_case;

/* Computes every field and statistic of c (c->f and c->g set by the caller). Returns a status. */
int explore_case_compute(explore_case *c, const explore_axes *ax);
void explore_case_free(explore_case *c);

/* The case as one JSON object (arrays of float32 in base64), safe inside a <script>. */
void explore_case_json(FILE *out, const explore_case *c, const explore_axes *ax);
/* A JSON string with <, > and & escaped as \u00XX (so "</script>" cannot end the block). */
void explore_json_string(FILE *out, const char *s);

/* Writes the page `path`: the HTML template (cli/explore_template.html, embedded at build time
 * by cli/explore_page.c) with the cases' JSON in its data block. Returns a status (the page
 * replaces an older one only when complete). */
int explore_page_write(const char *path, const explore_case *cases, size_t n,
                       const explore_axes *ax);

#endif
