/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The engine room of `deeprelax solve` (and of the demo, which runs the same solves): the
 * request, the method dispatch, and the writers of data, pictures and summaries. */
#ifndef DEEPRELAX_CLI_SOLVE_OUTPUT_H
#define DEEPRELAX_CLI_SOLVE_OUTPUT_H

#include "cli.h"

#define MAX_SOLVE_TIMES 256

typedef struct {
    const dr_landscape *f;
    const cli_source *source;  /* for the summary (may be NULL) */
    dr_grid grid;
    double beta;               /* INFINITY = inviscid */
    const char *method;        /* auto, heat, hopf-lax, fd */
    dr_heat_engine engine;
    dr_fd_scheme scheme;       /* fd: spatial scheme (default weno5) */
    double cfl;                /* fd: CFL number (0 = the solver's default) */
    int refine;                /* hopf-lax y-grid refinement */
    int no_polish;             /* hopf-lax: keep the grid minimum (no Newton polish) */
    double t[MAX_SOLVE_TIMES];
    size_t nt;
    const char *out, *png, *keep_plot_data;
    const char *svg, *pdf;     /* the picture as vector graphics too (gnuplot) */
    int json;
    const char *title;         /* picture title (may be NULL) */
} solve_request;

typedef struct {
    const char *method;        /* heat, hopf-lax, fd */
    const char *engine[MAX_SOLVE_TIMES]; /* per t: fft, logsum, hybrid, envelope */
    size_t log_points[MAX_SOLVE_TIMES];
    int refine;
    double est_error[MAX_SOLVE_TIMES];   /* heat, hopf-lax: an upper bound of max |u error|,
                                            +inf where none holds (then unbounded[k] says why) */
    const char *unbounded[MAX_SOLVE_TIMES];
    double interp_uncertainty;           /* sampled landscapes: see dr_landscape_interp_... */
    int curvature_measured;              /* hopf-lax: the sub-grid error rests on a measured C */
    size_t wells, switched;              /* hopf-lax: candidate wells polished, well switches */
    int margin_capped;         /* heat: the padding hit its size cap (edge values may be off) */
    double *f;                 /* f on the grid */
    double *u;                 /* nt fields */
    double *grad;              /* nt * dim planes */
    double min_u[MAX_SOLVE_TIMES], argmin[MAX_SOLVE_TIMES][2];
    double seconds;            /* wall clock of solve_run: sampling, solve and report */
    /* fd only (0 otherwise) */
    size_t steps;
    double dt_min;
} solve_result;

int solve_run(const solve_request *req, solve_result *res);
void solve_result_free(solve_result *res);
/* --out and --png; exits with a message on failure. */
void solve_write_outputs(const solve_request *req, const solve_result *res);
void solve_print_summary(const solve_request *req, const solve_result *res, FILE *out);
/* The warnings of a solve (no error bound, a large one, a capped padding, interpolated data),
 * each a `deeprelax: warning: ` line on stderr, whatever the output mode. */
void solve_print_warnings(const solve_request *req, const solve_result *res);
/* The picture alone (used by the demo with its own file names). Returns a status. */
int solve_draw(const solve_request *req, const solve_result *res, const char *png);

#endif
