/* The layer kernels of the MLP: dense (CBLAS sgemm), ReLU, inverted dropout, batch normalisation
 * and softmax cross-entropy, each with its backward pass. Row-major, B rows per minibatch. */
#include "deeprelax/nn.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

void dr_dense_forward(size_t B, size_t in, size_t out, const float *x, const float *W,
                      const float *b, float *y)
{
    if (b)
        for (size_t r = 0; r < B; r++)
            memcpy(y + r * out, b, out * sizeof *y);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)out, (int)in, 1.0f, x,
                (int)in, W, (int)in, b ? 1.0f : 0.0f, y, (int)out);
}

void dr_dense_backward(size_t B, size_t in, size_t out, const float *x, const float *W,
                       const float *dy, float *dW, float *db, float *dx)
{
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)out, (int)in, (int)B, 1.0f, dy,
                (int)out, x, (int)in, 0.0f, dW, (int)in);
    if (db) {
        memset(db, 0, out * sizeof *db);
        for (size_t r = 0; r < B; r++)
            for (size_t j = 0; j < out; j++)
                db[j] += dy[r * out + j];
    }
    if (dx)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, (int)in, (int)out, 1.0f,
                    dy, (int)out, W, (int)in, 0.0f, dx, (int)in);
}

/* `omp simd`: element-wise loops whose arrays may alias (in-place use) are still safe to
 * vectorise, which the compiler cannot prove on its own. */
void dr_relu_forward(size_t n, const float *x, float *y)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void dr_relu_backward(size_t n, const float *y, const float *dy, float *dx)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++)
        dx[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

void dr_dropout_mask(size_t n, float p, dr_nn_rng *rng, float *mask)
{
    if (p <= 0.0f) {
        for (size_t i = 0; i < n; i++)
            mask[i] = 1.0f;
        return;
    }
    /* One 64-bit draw gives two 32-bit uniforms: the mask needs no more resolution than that. */
    uint32_t threshold = (uint32_t)((double)p * 4294967296.0);
    float keep = 1.0f / (1.0f - p);
    size_t i = 0;
    for (; i + 1 < n; i += 2) {
        uint64_t r = dr_nn_rng_next(rng);
        mask[i] = (uint32_t)r < threshold ? 0.0f : keep;
        mask[i + 1] = (uint32_t)(r >> 32) < threshold ? 0.0f : keep;
    }
    if (i < n)
        mask[i] = (uint32_t)dr_nn_rng_next(rng) < threshold ? 0.0f : keep;
}

void dr_dropout_apply(size_t n, const float *mask, const float *x, float *y)
{
#pragma omp simd
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] * mask[i];
}

void dr_batchnorm_forward_train(size_t B, size_t C, const float *x, const float *gamma,
                                const float *beta, float eps, float *y, float *xhat,
                                float *invstd, float *mean, float *var_unbiased)
{
    /* Two passes (mean, then squared deviations) in row order: the cancellation of the one-pass
     * E[x^2] - E[x]^2 would cost float32 its digits when |mean| >> std. mean and invstd serve
     * as the accumulators. */
    memset(mean, 0, C * sizeof *mean);
    memset(invstd, 0, C * sizeof *invstd);
    for (size_t r = 0; r < B; r++)
        for (size_t j = 0; j < C; j++)
            mean[j] += x[r * C + j];
    for (size_t j = 0; j < C; j++)
        mean[j] /= (float)B;
    for (size_t r = 0; r < B; r++)
        for (size_t j = 0; j < C; j++) {
            float d = x[r * C + j] - mean[j];
            invstd[j] += d * d;
        }
    for (size_t j = 0; j < C; j++) {
        float ss = invstd[j];
        var_unbiased[j] = B > 1 ? ss / (float)(B - 1) : 0.0f;
        invstd[j] = 1.0f / sqrtf(ss / (float)B + eps);
    }
    for (size_t r = 0; r < B; r++)
        for (size_t j = 0; j < C; j++) {
            float h = (x[r * C + j] - mean[j]) * invstd[j];
            xhat[r * C + j] = h;
            y[r * C + j] = gamma[j] * h + beta[j];
        }
}

void dr_batchnorm_forward_eval(size_t B, size_t C, const float *x, const float *gamma,
                               const float *beta, const float *run_mean, const float *run_var,
                               float eps, float *y)
{
    /* per-column scale in blocks of 256 columns: one division per column, not per element */
    float sc[256];
    for (size_t j0 = 0; j0 < C; j0 += 256) {
        size_t w = C - j0 < 256 ? C - j0 : 256;
        for (size_t j = 0; j < w; j++)
            sc[j] = gamma[j0 + j] / sqrtf(run_var[j0 + j] + eps);
        for (size_t r = 0; r < B; r++) {
            const float *xr = x + r * C + j0, *m = run_mean + j0, *b = beta + j0;
            float *yr = y + r * C + j0;
#pragma omp simd
            for (size_t j = 0; j < w; j++)
                yr[j] = sc[j] * (xr[j] - m[j]) + b[j];
        }
    }
}

/* With xhat = (x - mean) invstd and g = dL/dxhat = gamma dy, the batch statistics' own
 * dependence on x gives dx = invstd (g - mean(g) - xhat mean(g xhat)). */
void dr_batchnorm_backward(size_t B, size_t C, const float *xhat, const float *invstd,
                           const float *gamma, const float *dy, float *dx, float *dgamma,
                           float *dbeta)
{
    memset(dgamma, 0, C * sizeof *dgamma);
    memset(dbeta, 0, C * sizeof *dbeta);
    for (size_t r = 0; r < B; r++)
        for (size_t j = 0; j < C; j++) {
            dbeta[j] += dy[r * C + j];
            dgamma[j] += dy[r * C + j] * xhat[r * C + j];
        }
    float inv_B = 1.0f / (float)B;
    for (size_t r = 0; r < B; r++)
        for (size_t j = 0; j < C; j++) {
            /* mean(g) = gamma dbeta / B, mean(g xhat) = gamma dgamma / B */
            float g = gamma[j] * dy[r * C + j];
            dx[r * C + j] = invstd[j] * (g - gamma[j] * inv_B *
                                                 (dbeta[j] + xhat[r * C + j] * dgamma[j]));
        }
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
