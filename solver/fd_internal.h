/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Internal pieces of the finite-difference solver (solver/fd*.c), not part of the public API:
 * the Hamiltonian right-hand side on a ghosted field, and the exact heat sub-step. */
#ifndef DEEPRELAX_FD_INTERNAL_H
#define DEEPRELAX_FD_INTERNAL_H

#include <stddef.h>
#include "deeprelax/fd.h"

/* Ghost cells per side: WENO5's left- and right-biased stencils reach three points out. */
#define DR_FD_GHOST 3

/* A ghosted field: nx x ny computational points (ny = 1 in 1-D), stored in rows of
 * nx + 2 G values; in 2-D with G ghost rows above and below. `at(i, j)` is the interior point. */
typedef struct {
    int dim;
    size_t nx, ny;        /* computational points per axis (margin included) */
    size_t row;           /* stride between rows: nx + 2 G */
    size_t rows;          /* rows stored: ny + 2 G in 2-D, 1 in 1-D */
    double inv_h[2];
} dr_fd_layout;

static inline size_t dr_fd_at(const dr_fd_layout *L, size_t i, size_t j)
{
    return (L->dim == 2 ? (j + DR_FD_GHOST) * L->row : 0) + i + DR_FD_GHOST;
}

static inline size_t dr_fd_stored(const dr_fd_layout *L) { return L->row * L->rows; }

/* Fills the ghost cells of u by linear extrapolation of the two outermost points per axis. */
void dr_fd_fill_ghosts(const dr_fd_layout *L, double *u);

/* rhs(interior) = -sum_a H_G(p_a^-, p_a^+) on a field whose ghosts are filled; speed[a] receives
 * max |p_a| over the interior (for the CFL step). rhs has the layout of u (ghosts untouched). */
void dr_fd_hamiltonian(const dr_fd_layout *L, dr_fd_scheme scheme, const double *u, double *rhs,
                       double speed[2]);

/* grad (dim planes of nx*ny, x fastest, no ghosts) = the one-sided derivative per axis that the
 * Godunov Hamiltonian selects. */
void dr_fd_gradient(const dr_fd_layout *L, dr_fd_scheme scheme, const double *u, double *grad);

/* The exact heat semigroup exp(s nu Laplacian_h) with fixed edge nodes (see fd.h). */
typedef struct dr_fd_heat dr_fd_heat;
int dr_fd_heat_alloc(dr_fd_heat **out, const dr_fd_layout *L, double h[2], int threads);
/* u <- exp(s * nu * Laplacian_h) u on the interior, nu = 1/(2 beta) folded into `nu_s` = nu s. */
void dr_fd_heat_apply(dr_fd_heat *w, double *u, double nu_s);
void dr_fd_heat_free(dr_fd_heat *w);

#endif
