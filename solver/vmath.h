/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Element-wise exp and log over arrays, for the heat engine's per-value loops (the column
 * weights between the passes, the log of every value kept or recomputed): a pair at a time
 * through glibc's vector math library (libmvec, the functions `omp declare simd` would call)
 * on x86-64, one at a time through libm elsewhere. libmvec's results are within 4 ulp of the
 * exact ones (glibc's documented bound), against libm's 1: a relative 1e-15 on a weight or on
 * a log-sum, far below the engine's tolerance (1e-10 on u). */
#ifndef DEEPRELAX_VMATH_H
#define DEEPRELAX_VMATH_H

#include <stddef.h>

/* y[i] = exp(x[i]), i < n; y may be x. */
void dr_vexp(const double *x, double *y, size_t n);
/* y[i] = log(x[i]), i < n; y may be x. */
void dr_vlog(const double *x, double *y, size_t n);

#endif
