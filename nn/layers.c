/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The layer kernels of the MLP: dense (CBLAS sgemm), ReLU, inverted dropout, batch normalisation
 * and softmax cross-entropy, each with its backward pass. Row-major, B rows per minibatch. */
#include "deeprelax/nn.h"
#include "nn_parallel.h"

#include <cblas.h>
#include <float.h>
#include <stdint.h>
#include <math.h>
#include <string.h>

/* The dense layers zero their sgemm's C themselves and call it with beta = 1, which then adds the
 * product onto the zeros exactly as beta = 0 would (OpenBLAS zeroes C and accumulates into it):
 * OpenBLAS's own threaded zeroing (sgemm_beta) took 8% of a 2-thread mnistfc step's CPU in a
 * profile, 2.5x the time per byte of memset split between the threads. */
static void zero_parallel(float *a, size_t n)
{
    size_t chunks = (n + DR_NN_RNG_CHUNK - 1) / DR_NN_RNG_CHUNK;
#pragma omp parallel for schedule(static) if (n >= DR_NN_PAR_MIN)
    for (size_t c = 0; c < chunks; c++) {
        size_t i = c * DR_NN_RNG_CHUNK, len = n - i < DR_NN_RNG_CHUNK ? n - i : DR_NN_RNG_CHUNK;
        memset(a + i, 0, len * sizeof *a);
    }
}

void dr_dense_forward(size_t B, size_t in, size_t out, const float *x, const float *W,
                      const float *b, float *y)
{
    if (b)
        for (size_t r = 0; r < B; r++)
            memcpy(y + r * out, b, out * sizeof *y);
    else
        zero_parallel(y, B * out);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)out, (int)in, 1.0f, x,
                (int)in, W, (int)in, 1.0f, y, (int)out);
}

/* db = the column sums of dy, by blocks of DB_COLS columns, each block through all B rows on one
 * thread: every column's sum keeps its row order whatever the thread count. */
#define DB_COLS 256

static void bias_grad(size_t B, size_t out, const float *dy, float *db)
{
    size_t blocks = (out + DB_COLS - 1) / DB_COLS;
#pragma omp parallel for schedule(static) if (B * out >= DR_NN_PAR_MIN)
    for (size_t k = 0; k < blocks; k++) {
        size_t j0 = k * DB_COLS, w = out - j0 < DB_COLS ? out - j0 : DB_COLS;
        float s[DB_COLS] = {0};
        for (size_t r = 0; r < B; r++)
#pragma omp simd
            for (size_t j = 0; j < w; j++)
                s[j] += dy[r * out + j0 + j];
        memcpy(db + j0, s, w * sizeof *s);
    }
}

void dr_nn_dense_backward(size_t B, size_t in, size_t out, const float *x, const float *W,
                          const float *dy, float *dW, float *db, float *dx, int dW_zero)
{
    if (!dW_zero)
        zero_parallel(dW, out * in);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)out, (int)in, (int)B, 1.0f, dy,
                (int)out, x, (int)in, 1.0f, dW, (int)in);
    if (db)
        bias_grad(B, out, dy, db);
    if (dx) {
        zero_parallel(dx, B * in);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)in, (int)out, 1.0f,
                    dy, (int)out, W, (int)in, 1.0f, dx, (int)in);
    }
}

void dr_dense_backward(size_t B, size_t in, size_t out, const float *x, const float *W,
                       const float *dy, float *dW, float *db, float *dx)
{
    dr_nn_dense_backward(B, in, out, x, W, dy, dW, db, dx, 0);
}

/* `omp simd`: element-wise loops whose arrays may alias (in-place use) are still safe to
 * vectorise, which the compiler cannot prove on its own. Above DR_NN_PAR_MIN elements the loops
 * are split between the threads (static: the same elements go to the same thread, and no value
 * depends on the split). */
void dr_relu_forward(size_t n, const float *x, float *y)
{
#pragma omp parallel for simd schedule(static) if (n >= DR_NN_PAR_MIN)
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

/* dy is loaded unconditionally: a load under the condition kept the loop scalar and branching on
 * the (random) sign pattern, 6% of a training step's CPU time in a profile. */
void dr_relu_backward(size_t n, const float *y, const float *dy, float *dx)
{
#pragma omp parallel for simd schedule(static) if (n >= DR_NN_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        float d = dy[i];
        dx[i] = y[i] > 0.0f ? d : 0.0f;
    }
}

/* One draw of `rng` fixes the mask: chunk c of DR_NN_RNG_CHUNK entries comes from its own
 * stream (see nn_parallel.h), so the mask is the same for every thread count. One 64-bit draw
 * gives two 32-bit uniforms: the mask needs no more resolution than that. */
/* 0.0f or `keep` (given by its bits) as an and-mask: a ?: or a multiply by the comparison became
 * a branch on random bits, mispredicted a fifth of the time. */
static inline float mask_value(uint32_t u, uint32_t threshold, uint32_t keep_bits)
{
    uint32_t bits = (0u - (uint32_t)(u >= threshold)) & keep_bits;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Chunk c's mask entries, one 64-bit draw for two entries. */
static void mask_chunk(float *mask, size_t n, size_t c, uint64_t base, uint32_t threshold,
                       uint32_t keep_bits)
{
    dr_nn_rng r;
    dr_nn_rng_chunk(&r, base, c);
    uint64_t st[4] = {r.s[0], r.s[1], r.s[2], r.s[3]}; /* a local copy stays in registers */
    size_t i = c * DR_NN_RNG_CHUNK, end = i + DR_NN_RNG_CHUNK < n ? i + DR_NN_RNG_CHUNK : n;
    for (; i + 1 < end; i += 2) {
        uint64_t v = dr_nn_xoshiro_next(st);
        mask[i] = mask_value((uint32_t)v, threshold, keep_bits);
        mask[i + 1] = mask_value((uint32_t)(v >> 32), threshold, keep_bits);
    }
    if (i < end)
        mask[i] = mask_value((uint32_t)dr_nn_xoshiro_next(st), threshold, keep_bits);
}

#ifdef __SSE2__
#include <emmintrin.h>

static inline __m128i rotl_2x64(__m128i x, int k)
{
    return _mm_or_si128(_mm_slli_epi64(x, k), _mm_srli_epi64(x, 64 - k));
}

/* Two full chunks, c and c + 1, side by side in the two 64-bit lanes of SSE2 registers: the
 * same xoshiro256** steps as dr_nn_xoshiro_next (x 5 and x 9 as a shift and an add, exact mod
 * 2^64) and the same comparison (unsigned, as signed after flipping the sign bits), so the
 * same mask as mask_chunk twice, in about half the instructions: the scalar generator was 2.5%
 * of a 2-thread mnistfc step's CPU. */
static void mask_chunk_pair(float *mask, size_t c, uint64_t base, uint32_t threshold,
                            uint32_t keep_bits)
{
    dr_nn_rng a, b;
    dr_nn_rng_chunk(&a, base, c);
    dr_nn_rng_chunk(&b, base, c + 1);
    __m128i s0 = _mm_set_epi64x((long long)b.s[0], (long long)a.s[0]),
            s1 = _mm_set_epi64x((long long)b.s[1], (long long)a.s[1]),
            s2 = _mm_set_epi64x((long long)b.s[2], (long long)a.s[2]),
            s3 = _mm_set_epi64x((long long)b.s[3], (long long)a.s[3]);
    const __m128i sign = _mm_set1_epi32(INT32_MIN),
                  th = _mm_set1_epi32((int)(threshold ^ 0x80000000u)),
                  keep = _mm_set1_epi32((int)keep_bits);
    float *ma = mask + c * DR_NN_RNG_CHUNK, *mb = ma + DR_NN_RNG_CHUNK;
    for (size_t i = 0; i < DR_NN_RNG_CHUNK; i += 2) {
        __m128i x = rotl_2x64(_mm_add_epi64(_mm_slli_epi64(s1, 2), s1), 7);
        x = _mm_add_epi64(_mm_slli_epi64(x, 3), x);
        __m128i t = _mm_slli_epi64(s1, 17);
        s2 = _mm_xor_si128(s2, s0);
        s3 = _mm_xor_si128(s3, s1);
        s1 = _mm_xor_si128(s1, s2);
        s0 = _mm_xor_si128(s0, s3);
        s2 = _mm_xor_si128(s2, t);
        s3 = rotl_2x64(s3, 45);
        /* 32-bit lanes: chunk c's low and high halves, then chunk c + 1's */
        __m128i m = _mm_andnot_si128(_mm_cmpgt_epi32(th, _mm_xor_si128(x, sign)), keep);
        _mm_storel_epi64((__m128i *)(void *)(ma + i), m);
        _mm_storel_epi64((__m128i *)(void *)(mb + i), _mm_unpackhi_epi64(m, m));
    }
}
#endif

void dr_dropout_mask(size_t n, float p, dr_nn_rng *rng, float *mask)
{
    if (p <= 0.0f) {
        for (size_t i = 0; i < n; i++)
            mask[i] = 1.0f;
        return;
    }
    uint32_t threshold = (uint32_t)((double)p * 4294967296.0);
    float keep = 1.0f / (1.0f - p);
    uint32_t keep_bits;
    memcpy(&keep_bits, &keep, sizeof keep_bits);
    uint64_t base = dr_nn_rng_next(rng);
    size_t chunks = (n + DR_NN_RNG_CHUNK - 1) / DR_NN_RNG_CHUNK, pairs = (chunks + 1) / 2;
#pragma omp parallel for schedule(static) if (n >= DR_NN_PAR_MIN)
    for (size_t k = 0; k < pairs; k++) {
        size_t c = 2 * k;
#ifdef __SSE2__
        if ((c + 2) * DR_NN_RNG_CHUNK <= n) {
            mask_chunk_pair(mask, c, base, threshold, keep_bits);
            continue;
        }
#endif
        mask_chunk(mask, n, c, base, threshold, keep_bits);
        if (c + 1 < chunks)
            mask_chunk(mask, n, c + 1, base, threshold, keep_bits);
    }
}

void dr_dropout_apply(size_t n, const float *mask, const float *x, float *y)
{
#pragma omp parallel for simd schedule(static) if (n >= DR_NN_PAR_MIN)
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] * mask[i];
}

/* Batch norm in two phases inside one parallel region: the column statistics on blocks of
 * BN_COLS columns, each block through all B rows on one thread, so that the column sums keep
 * their row order whatever the thread count; then the element-wise output by rows, whole 4 KB
 * rows at C = 1024, which the prefetchers follow (blocks of 32 columns put each block's rows in
 * the same two L1 sets; 128-column blocks for the output pass still cost 3x the row pass). */
#define BN_COLS 256

/* Column statistics of a block: mean, biased-variance invstd, and the saves. Two passes (mean,
 * then squared deviations) in row order: the cancellation of the one-pass E[x^2] - E[x]^2 would
 * cost float32 its digits when |mean| >> std. */
static void bn_stats(size_t B, size_t C, size_t j0, size_t w, const float *x, float eps,
                     float *invstd, float *mean, float *var_unbiased)
{
    float mu[BN_COLS] = {0}, ss[BN_COLS] = {0};
    for (size_t r = 0; r < B; r++)
#pragma omp simd
        for (size_t j = 0; j < w; j++)
            mu[j] += x[r * C + j0 + j];
    for (size_t j = 0; j < w; j++)
        mu[j] /= (float)B;
    for (size_t r = 0; r < B; r++)
#pragma omp simd
        for (size_t j = 0; j < w; j++) {
            float d = x[r * C + j0 + j] - mu[j];
            ss[j] += d * d;
        }
    for (size_t j = 0; j < w; j++) {
        mean[j0 + j] = mu[j];
        var_unbiased[j0 + j] = B > 1 ? ss[j] / (float)(B - 1) : 0.0f;
        invstd[j0 + j] = 1.0f / sqrtf(ss[j] / (float)B + eps);
    }
}

/* One output row, with the hidden layer's ReLU and dropout when `t` says so: the same
 * operations as the separate kernels, in one pass over memory instead of three. */
static void bn_out_row(size_t C, size_t o, const float *x, const float *mu, const float *is,
                       const float *g, const float *b, float *y, float *xhat,
                       const dr_nn_bn_tail *t)
{
    const float *xr = x + o;
    float *hr = xhat + o, *yr = y + o;
    if (!t) {
#pragma omp simd
        for (size_t j = 0; j < C; j++) {
            float h = (xr[j] - mu[j]) * is[j];
            hr[j] = h;
            yr[j] = g[j] * h + b[j];
        }
    } else if (!t->mask) {
#pragma omp simd
        for (size_t j = 0; j < C; j++) {
            float h = (xr[j] - mu[j]) * is[j], v = g[j] * h + b[j];
            hr[j] = h;
            yr[j] = v > 0.0f ? v : 0.0f;
        }
    } else {
        const float *mr = t->mask + o;
        float *ar = t->dropped + o;
#pragma omp simd
        for (size_t j = 0; j < C; j++) {
            float h = (xr[j] - mu[j]) * is[j], v = g[j] * h + b[j];
            v = v > 0.0f ? v : 0.0f;
            hr[j] = h;
            yr[j] = v;
            ar[j] = v * mr[j];
        }
    }
}

void dr_nn_batchnorm_train_tail(size_t B, size_t C, const float *x, const float *gamma,
                                const float *beta, float eps, float *y, float *xhat,
                                float *invstd, float *mean, float *var_unbiased,
                                const dr_nn_bn_tail *t)
{
    size_t blocks = (C + BN_COLS - 1) / BN_COLS;
#pragma omp parallel if (B * C >= DR_NN_PAR_MIN)
    {
#pragma omp for schedule(static)
        for (size_t k = 0; k < blocks; k++) {
            size_t j0 = k * BN_COLS, w = C - j0 < BN_COLS ? C - j0 : BN_COLS;
            bn_stats(B, C, j0, w, x, eps, invstd, mean, var_unbiased);
        }
#pragma omp for schedule(static)
        for (size_t r = 0; r < B; r++)
            bn_out_row(C, r * C, x, mean, invstd, gamma, beta, y, xhat, t);
    }
}

void dr_batchnorm_forward_train(size_t B, size_t C, const float *x, const float *gamma,
                                const float *beta, float eps, float *y, float *xhat,
                                float *invstd, float *mean, float *var_unbiased)
{
    dr_nn_batchnorm_train_tail(B, C, x, gamma, beta, eps, y, xhat, invstd, mean, var_unbiased,
                               NULL);
}

void dr_nn_batchnorm_eval_relu(size_t B, size_t C, const float *x, const float *gamma,
                               const float *beta, const float *run_mean, const float *run_var,
                               float eps, float *y, int relu)
{
    /* per-column scale: one division per column, not per element */
    size_t blocks = (C + BN_COLS - 1) / BN_COLS;
#pragma omp parallel for schedule(static) if (B * C >= DR_NN_PAR_MIN)
    for (size_t k = 0; k < blocks; k++) {
        size_t j0 = k * BN_COLS, w = C - j0 < BN_COLS ? C - j0 : BN_COLS;
        float sc[BN_COLS];
        for (size_t j = 0; j < w; j++)
            sc[j] = gamma[j0 + j] / sqrtf(run_var[j0 + j] + eps);
        const float *m = run_mean + j0, *b = beta + j0;
        for (size_t r = 0; r < B; r++) {
            const float *xr = x + r * C + j0;
            float *yr = y + r * C + j0;
#pragma omp simd
            for (size_t j = 0; j < w; j++) {
                float v = sc[j] * (xr[j] - m[j]) + b[j];
                yr[j] = relu && !(v > 0.0f) ? 0.0f : v;
            }
        }
    }
}

void dr_batchnorm_forward_eval(size_t B, size_t C, const float *x, const float *gamma,
                               const float *beta, const float *run_mean, const float *run_var,
                               float eps, float *y)
{
    dr_nn_batchnorm_eval_relu(B, C, x, gamma, beta, run_mean, run_var, eps, y, 0);
}

/* y > 0 ? d : +0.0f as an and-mask of d's bits: written as ?:, the multiply by the dropout mask
 * was sunk under the condition and the loop stayed scalar and branching. */
static inline float relu_pass(float y, float d)
{
    uint32_t bits;
    memcpy(&bits, &d, sizeof bits);
    bits &= 0u - (uint32_t)(y > 0.0f);
    memcpy(&d, &bits, sizeof d);
    return d;
}

/* One row of the backward tail: dy through the dropout (if `masked`, a constant at both calls, so
 * that each compiles to its own loop) and the ReLU into dx, summed into db and dg. */
static inline __attribute__((always_inline)) void tail_row(size_t w, const float *dyr,
                                                           const float *mr, const float *yr,
                                                           const float *hr, float *dxr,
                                                           float *db, float *dg, int masked)
{
#pragma omp simd
    for (size_t j = 0; j < w; j++) {
        float d = masked ? dyr[j] * mr[j] : dyr[j];
        d = relu_pass(yr[j], d);
        dxr[j] = d;
        db[j] += d;
        dg[j] += d * hr[j];
    }
}

/* The column sums of the backward pass for one block (dbeta = sum dy, dgamma = sum dy xhat, in
 * row order); with a tail, dy first goes back through the dropout and the ReLU (as
 * dr_dropout_apply, then dr_relu_backward), kept in dx for the row pass. */
static void bn_backward_sums(size_t B, size_t C, size_t j0, size_t w, const float *xhat,
                             const float *dy, float *dx, float *dgamma, float *dbeta,
                             const dr_nn_bn_tail *t)
{
    float db[BN_COLS] = {0}, dg[BN_COLS] = {0};
    for (size_t r = 0; r < B; r++) {
        size_t o = r * C + j0;
        const float *dyr = dy + o, *hr = xhat + o;
        if (t && t->mask)
            tail_row(w, dyr, t->mask + o, t->relu + o, hr, dx + o, db, dg, 1);
        else if (t)
            tail_row(w, dyr, NULL, t->relu + o, hr, dx + o, db, dg, 0);
        else {
#pragma omp simd
            for (size_t j = 0; j < w; j++) {
                db[j] += dyr[j];
                dg[j] += dyr[j] * hr[j];
            }
        }
    }
    for (size_t j = 0; j < w; j++) {
        dgamma[j0 + j] = dg[j];
        dbeta[j0 + j] = db[j];
    }
}

/* With xhat = (x - mean) invstd and g = dL/dxhat = gamma dy, the batch statistics' own
 * dependence on x gives dx = invstd (g - mean(g) - xhat mean(g xhat)), where mean(g) =
 * gamma dbeta / B and mean(g xhat) = gamma dgamma / B. Sums by column blocks, then dx by rows
 * (see BN_COLS). */
void dr_nn_batchnorm_backward_tail(size_t B, size_t C, const float *xhat, const float *invstd,
                                   const float *gamma, const float *dy, float *dx,
                                   float *dgamma, float *dbeta, const dr_nn_bn_tail *t)
{
    size_t blocks = (C + BN_COLS - 1) / BN_COLS;
    const float *src = t ? dx : dy;
    float inv_B = 1.0f / (float)B;
#pragma omp parallel if (B * C >= DR_NN_PAR_MIN)
    {
#pragma omp for schedule(static)
        for (size_t k = 0; k < blocks; k++) {
            size_t j0 = k * BN_COLS, w = C - j0 < BN_COLS ? C - j0 : BN_COLS;
            bn_backward_sums(B, C, j0, w, xhat, dy, dx, dgamma, dbeta, t);
        }
#pragma omp for schedule(static)
        for (size_t r = 0; r < B; r++) {
            const float *dyr = src + r * C, *hr = xhat + r * C;
            float *dxr = dx + r * C;
#pragma omp simd
            for (size_t j = 0; j < C; j++)
                dxr[j] = invstd[j] * (gamma[j] * dyr[j] -
                                      gamma[j] * inv_B * (dbeta[j] + hr[j] * dgamma[j]));
        }
    }
}

void dr_batchnorm_backward(size_t B, size_t C, const float *xhat, const float *invstd,
                           const float *gamma, const float *dy, float *dx, float *dgamma,
                           float *dbeta)
{
    dr_nn_batchnorm_backward_tail(B, C, xhat, invstd, gamma, dy, dx, dgamma, dbeta, NULL);
}

double dr_softmax_xent(size_t B, size_t K, const float *logits, const unsigned char *labels,
                       float *dlogits, size_t *errors)
{
    double total = 0.0;
    size_t wrong = 0;
    for (size_t r = 0; r < B; r++) {
        const float *z = logits + r * K;
        size_t best = 0;
        for (size_t k = 1; k < K; k++)
            if (z[k] > z[best])
                best = k;
        /* shift by the maximum: exp never overflows, the sum is >= 1 */
        double zmax = z[best], sum = 0.0;
        for (size_t k = 0; k < K; k++)
            sum += exp((double)z[k] - zmax);
        double log_sum = log(sum);
        total += log_sum - ((double)z[labels[r]] - zmax);
        if (best != labels[r])
            wrong++;
        if (dlogits)
            for (size_t k = 0; k < K; k++) {
                double p = exp((double)z[k] - zmax - log_sum);
                dlogits[r * K + k] = (float)((p - (k == labels[r])) / (double)B);
            }
    }
    if (errors)
        *errors = wrong;
    return total / (double)B;
}
