/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Element-wise exp and log over arrays (see vmath.h). */
#include "vmath.h"

#include <math.h>

#if defined(__x86_64__) && defined(__GLIBC__) && defined(__SSE2__)
#include <immintrin.h>

/* libmvec's variants (the vector ABI names): two lanes on SSE (the loader picks SSE2 or SSE4
 * code), four on AVX2, taken where the CPU has AVX2 (twice the values per call, the same
 * 4-ulp bound). */
extern __m128d _ZGVbN2v_exp(__m128d x);
extern __m128d _ZGVbN2v_log(__m128d x);
__attribute__((target("avx2"))) extern __m256d _ZGVdN4v_exp(__m256d x);
__attribute__((target("avx2"))) extern __m256d _ZGVdN4v_log(__m256d x);

__attribute__((target("avx2"))) static size_t vexp_avx2(const double *x, double *y, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, _ZGVdN4v_exp(_mm256_loadu_pd(x + i)));
    return i;
}

__attribute__((target("avx2"))) static size_t vlog_avx2(const double *x, double *y, size_t n)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) _mm256_storeu_pd(y + i, _ZGVdN4v_log(_mm256_loadu_pd(x + i)));
    return i;
}

void dr_vexp(const double *x, double *y, size_t n)
{
    size_t i = __builtin_cpu_supports("avx2") ? vexp_avx2(x, y, n) : 0;
    for (; i + 2 <= n; i += 2) _mm_storeu_pd(y + i, _ZGVbN2v_exp(_mm_loadu_pd(x + i)));
    if (i < n) y[i] = exp(x[i]);
}

void dr_vlog(const double *x, double *y, size_t n)
{
    size_t i = __builtin_cpu_supports("avx2") ? vlog_avx2(x, y, n) : 0;
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
