/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Private to the landscape module: a landscape expression compiled to a small program that
 * gives f, its gradient and its Hessian in one pass (forward-mode second-order derivatives),
 * without libmatheval and without a lock, so that any number of threads evaluate it at once. */
#ifndef DEEPRELAX_EXPR_JET_H
#define DEEPRELAX_EXPR_JET_H

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

#endif
