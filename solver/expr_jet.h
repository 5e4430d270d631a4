/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private to the landscape module: a landscape expression compiled to a small program that
 * gives f, its gradient and its Hessian in one pass (forward-mode second-order derivatives),
 * without libmatheval and without a lock, so that any number of threads evaluate it at once. */
#ifndef DEEPRELAX_EXPR_JET_H
#define DEEPRELAX_EXPR_JET_H

#include <stddef.h>

typedef struct dr_expr_program dr_expr_program;

/* Compiles a text that has passed dr_expr_check, for dim 1 or 2. NULL where the text uses
 * something the compiler leaves to libmatheval (a function with kinks or jumps, one outside its
 * list, more than DR_EXPR_JET_MAX_NODES nodes) or memory is short: the caller keeps
 * libmatheval's evaluators for it. */
#define DR_EXPR_JET_MAX_NODES 512
dr_expr_program *dr_expr_compile(const char *text, int dim);
void dr_expr_program_free(dr_expr_program *p);

/* f at x into *v; grad[dim] and hess[dim * dim] (row-major) too where grad is not NULL (hess
 * must then be given too). Returns 0, or -1 where the Hessian is not finite. */
int dr_expr_program_jet(const dr_expr_program *p, const double *x, double *v, double *grad,
                        double *hess);

/* The same for n points at once (x: n points of dim coordinates each): v[n], and where grad is
 * not NULL grad[n dim], hess[n dim dim] and status[n] (each point's return value above). Each
 * point's numbers are dr_expr_program_jet's, bit for bit but for sin and cos (libmvec's, a few
 * ulps from libm's, in values and jets alike); the program runs node by node over a batch of
 * points, so its dispatch is paid once per batch and its arithmetic vectorises. */
void dr_expr_program_jets(const dr_expr_program *p, size_t n, const double *x, double *v,
                          double *grad, double *hess, int *status);

#endif
