/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Element-wise exp and log over arrays (see vmath.h). */
#include "vmath.h"

#include <math.h>

#if defined(__x86_64__) && defined(__GLIBC__) && defined(__SSE2__)
#include <emmintrin.h>

/* libmvec's two-lane variants (the vector ABI names; the loader picks the SSE4 or AVX2 code) */
extern __m128d _ZGVbN2v_exp(__m128d x);
extern __m128d _ZGVbN2v_log(__m128d x);

void dr_vexp(const double *x, double *y, size_t n)
{
    size_t i = 0;
    for (; i + 2 <= n; i += 2) _mm_storeu_pd(y + i, _ZGVbN2v_exp(_mm_loadu_pd(x + i)));
    if (i < n) y[i] = exp(x[i]);
}

void dr_vlog(const double *x, double *y, size_t n)
{
    size_t i = 0;
    for (; i + 2 <= n; i += 2) _mm_storeu_pd(y + i, _ZGVbN2v_log(_mm_loadu_pd(x + i)));
    if (i < n) y[i] = log(x[i]);
}
#else
void dr_vexp(const double *x, double *y, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] = exp(x[i]);
}

void dr_vlog(const double *x, double *y, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] = log(x[i]);
}
#endif
