/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The demo's widen, particles and explore sections, run in-process through the same code as
 * `deeprelax widen`, `particles` and `explore` (cli/cmd_widen.c, cmd_particles.c,
 * cmd_explore.c): each
 * writes its table and pictures and prints its JSON summary, the one those commands print
 * with --json, to `json`. They return a status instead of exiting on a library error, so the
 * tour can leave out a section that failed. */
#ifndef DEEPRELAX_CLI_DEMO_SECTIONS_H
#define DEEPRELAX_CLI_DEMO_SECTIONS_H

#include <stdio.h>

#include "deeprelax/particles.h"

typedef struct {
    const char *landscape;   /* built-in, on its default box */
    double beta;             /* INFINITY: Hopf-Lax, else heat */
    const char *t_range;     /* "A:B:K", as --t-range */
    size_t n;                /* grid points per axis; 0: widen's default */
    const char *csv, *png;   /* either may be NULL; png also gives its -tracks.png */
} widen_section_spec;

typedef struct {
    const char *landscape;   /* built-in and 1-D, on its default box */
    dr_particles_options o;  /* the algorithm and its settings */
    double x0;               /* every particle's start */
    size_t K;                /* particles */
    const char *csv, *png;
} particles_section_spec;

int widen_section(const widen_section_spec *spec, FILE *json);
/* DIR/explore.html (cmd_explore.c): the default set, or with `quick` a smaller one. */
int explore_section(const char *dir, int quick, FILE *json);
int particles_section(const particles_section_spec *spec, FILE *json);

#endif
