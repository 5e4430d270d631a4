/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The trainer's fused hidden-layer kernels (nn/nn_parallel.h: batch norm with its ReLU and
 * dropout in one pass, forward and backward) against the separate public kernels, and the
 * parallel batch-norm statistics against a serial double-precision reference.
 *
 * Fused against separate: bit-identical (memcmp). The fusion changes which pass an operation
 * runs in, never the operation or its operands, and each column's sums keep their row order
 * (one block of columns per thread), so no float result may differ, at 1 thread or at 2.
 *
 * Statistics against double: a float sum of B terms is within (B - 1) u sum|x_i| of the exact
 * one (u = 2^-24, the classic bound gamma_{B-1}), the division adds one rounding, so the mean
 * must be within (B + 1) u mean|x| of the double mean. The two-pass variance sums B squares of
 * deviations: within (B + 3) u var, plus the mean's error squared (its first-order effect
 * cancels, the deviations summing to zero). C = 1000 columns, not a multiple of the kernel's
 * 128-column blocks, so the last block is a partial one; B x C is above the parallel threshold.
 *
 * The trainer's fused SGD step (the update of each layer's block inside the backward pass, the
 * gradient left zeroed for the next step's sgemm) against dr_optim_step's separate passes on a
 * twin network: bit-identical weights, batch-norm state and loss sums (memcmp), with and
 * without batch norm, with weight decay, over several steps, at 1 thread and at 2. The dense
 * layer's bias gradient (column sums of dy, split between threads by column blocks) against the
 * plain row-order float sum: bit-identical, each column's additions in the same order. The
 * dropout mask (two chunk streams per SSE2 register) against the scalar rule written out here:
 * chunk c from its own xoshiro256** stream, two entries per 64-bit draw (low half first), kept
 * (1 / (1 - p)) when the 32-bit value is >= p 2^32; bit-identical, at 1 and 2 threads, for a
 * length with a partial, odd last chunk and an odd number of chunks. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "deeprelax/deeprelax.h"
#include "../nn/nn_parallel.h"
#include "test_common.h"

#define B 128
#define C 1000
#define N (B * C)
#define U 0x1p-24

static float *x, *dy, *mask, gam[C], bet[C];

static float *alloc_n(void)
{
    float *p = malloc(N * sizeof *p);
    assert_non_null(p);
    return p;
}

/* Inputs with |mean| >> std in some columns (the case the two-pass variance is for). */
static int setup(void **state)
{
    (void)state;
    dr_nn_rng r;
    dr_nn_rng_seed(&r, 19);
    x = malloc(N * sizeof *x);
    dy = malloc(N * sizeof *dy);
    mask = malloc(N * sizeof *mask);
    if (!x || !dy || !mask)
        return 1;
    for (size_t i = 0; i < N; i++) {
        x[i] = (float)(3.0 * (double)(i % C % 7) + dr_nn_rng_gaussian(&r));
        dy[i] = (float)dr_nn_rng_gaussian(&r);
    }
    for (size_t j = 0; j < C; j++) {
        gam[j] = (float)(1.0 + 0.3 * dr_nn_rng_gaussian(&r));
        bet[j] = (float)(0.5 * dr_nn_rng_gaussian(&r));
    }
    dr_dropout_mask(N, 0.2f, &r, mask);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    free(x);
    free(dy);
    free(mask);
    return 0;
}

static void test_forward_fused(void **state)
{
    (void)state;
    float *y = alloc_n(), *h = alloc_n(), *a = alloc_n(), *y2 = alloc_n(), *h2 = alloc_n(),
          *a2 = alloc_n();
    float is[C], mu[C], var[C], is2[C], mu2[C], var2[C];
    for (int threads = 1; threads <= 2; threads++) {
        omp_set_num_threads(threads);
        dr_batchnorm_forward_train(B, C, x, gam, bet, 1e-5f, y, h, is, mu, var);
        dr_relu_forward(N, y, y);
        dr_dropout_apply(N, mask, y, a);
        for (int with_mask = 0; with_mask < 2; with_mask++) {
            dr_nn_bn_tail t = {y2, with_mask ? mask : NULL, a2};
            dr_nn_batchnorm_train_tail(B, C, x, gam, bet, 1e-5f, y2, h2, is2, mu2, var2, &t);
            assert_memory_equal(y, y2, N * sizeof *y);
            assert_memory_equal(h, h2, N * sizeof *h);
            assert_memory_equal(is, is2, sizeof is);
            assert_memory_equal(mu, mu2, sizeof mu);
            assert_memory_equal(var, var2, sizeof var);
            if (with_mask)
                assert_memory_equal(a, a2, N * sizeof *a);
        }
        /* eval mode, with the batch's statistics as the running ones */
        dr_batchnorm_forward_eval(B, C, x, gam, bet, mu, var, 1e-5f, y);
        dr_relu_forward(N, y, y);
        dr_nn_batchnorm_eval_relu(B, C, x, gam, bet, mu, var, 1e-5f, y2, 1);
        assert_memory_equal(y, y2, N * sizeof *y);
    }
    free(y); free(h); free(a); free(y2); free(h2); free(a2);
}

static void test_backward_fused(void **state)
{
    (void)state;
    float *y = alloc_n(), *h = alloc_n(), *d = alloc_n(), *d2 = alloc_n();
    float is[C], mu[C], var[C], dg[C], db[C], dg2[C], db2[C];
    dr_batchnorm_forward_train(B, C, x, gam, bet, 1e-5f, y, h, is, mu, var);
    dr_relu_forward(N, y, y);
    for (int threads = 1; threads <= 2; threads++) {
        omp_set_num_threads(threads);
        for (int with_mask = 0; with_mask < 2; with_mask++) {
            memcpy(d, dy, N * sizeof *d);
            if (with_mask)
                dr_dropout_apply(N, mask, d, d);
            dr_relu_backward(N, y, d, d);
            dr_batchnorm_backward(B, C, h, is, gam, d, d, dg, db);
            memcpy(d2, dy, N * sizeof *d2); /* in place, as the network calls it */
            dr_nn_bn_tail t = {y, with_mask ? mask : NULL, NULL};
            dr_nn_batchnorm_backward_tail(B, C, h, is, gam, d2, d2, dg2, db2, &t);
            assert_memory_equal(d, d2, N * sizeof *d);
            assert_memory_equal(dg, dg2, sizeof dg);
            assert_memory_equal(db, db2, sizeof db);
        }
    }
    free(y); free(h); free(d); free(d2);
}

static void test_statistics_reference(void **state)
{
    (void)state;
    float *y = alloc_n(), *h = alloc_n(), is[C], mu[C], var[C];
    omp_set_num_threads(2);
    dr_batchnorm_forward_train(B, C, x, gam, bet, 1e-5f, y, h, is, mu, var);
    for (size_t j = 0; j < C; j++) {
        double m = 0.0, abs_sum = 0.0, ss = 0.0;
        for (size_t r = 0; r < B; r++) {
            m += x[r * C + j];
            abs_sum += fabs(x[r * C + j]);
        }
        m /= B;
        for (size_t r = 0; r < B; r++)
            ss += (x[r * C + j] - m) * (x[r * C + j] - m);
        double v = ss / (B - 1), tol_mean = (B + 1) * U * abs_sum / B;
        assert_near(mu[j], m, tol_mean);
        assert_near(var[j], v, (B + 3) * U * v + tol_mean * tol_mean);
    }
    free(y);
    free(h);
}

static void test_bias_grad_rows(void **state)
{
    (void)state;
    float *dW = malloc((size_t)C * C * sizeof *dW), db[C], ref[C] = {0};
    assert_non_null(dW);
    for (size_t r = 0; r < B; r++)
        for (size_t j = 0; j < C; j++)
            ref[j] += dy[r * C + j];
    for (int threads = 1; threads <= 2; threads++) {
        dr_nn_set_threads(threads);
        dr_dense_backward(B, C, C, x, NULL, dy, dW, db, NULL);
        assert_memory_equal(db, ref, sizeof db);
    }
    free(dW);
}

static void test_dropout_mask_reference(void **state)
{
    (void)state;
    const size_t n = 4 * DR_NN_RNG_CHUNK + 1001; /* 5 chunks, the last one odd and partial */
    const float p = 0.2f;
    float *m = malloc(n * sizeof *m), *ref = malloc(n * sizeof *ref), keep = 1.0f / (1.0f - p);
    assert_true(m && ref);
    dr_nn_rng r0, r;
    dr_nn_rng_seed(&r0, 77);
    r = r0;
    uint64_t base = dr_nn_rng_next(&r), threshold = (uint64_t)((double)p * 4294967296.0);
    for (size_t c = 0; c * DR_NN_RNG_CHUNK < n; c++) {
        dr_nn_rng s;
        dr_nn_rng_chunk(&s, base, c);
        uint64_t v = 0;
        for (size_t i = c * DR_NN_RNG_CHUNK, k = 0; i < n && k < DR_NN_RNG_CHUNK; i++, k++) {
            if (k % 2 == 0)
                v = dr_nn_rng_next(&s);
            uint32_t u = (uint32_t)(k % 2 ? v >> 32 : v);
            ref[i] = u >= threshold ? keep : 0.0f;
        }
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++)
        kept += ref[i] != 0.0f;
    /* a binomial(n, 0.8): within 6 standard deviations (~ 6 * 0.4 sqrt(n) = 460) */
    assert_true(fabs((double)kept - 0.8 * (double)n) < 6.0 * 0.4 * sqrt((double)n));
    for (int threads = 1; threads <= 2; threads++) {
        omp_set_num_threads(threads);
        r = r0;
        dr_dropout_mask(n, p, &r, m);
        assert_memory_equal(m, ref, n * sizeof *m);
    }
    free(m);
    free(ref);
}

static int via_trainer(void *ctx, const float *w, float *g, double *loss, size_t *err)
{
    return dr_trainer_gradient(ctx, w, g, loss, err);
}

/* A network with layers above the parallel threshold (784 x 64 weights), trained for 2 epochs
 * of 3 steps by dr_train_epoch (fused) and by dr_optim_step on the trainer's oracle. */
static void fused_against_separate(int batchnorm, int threads)
{
    dr_mlp_config c = {.n_layers = 3, .sizes = {784, 64, 48, 10}, .batchnorm = batchnorm,
                       .dropout_in = 0.2f, .dropout_hidden = 0.1f};
    dr_dataset d = {.n = 96, .rows = 28, .cols = 28, .dim = 784, .n_classes = 10};
    d.x = malloc(d.n * d.dim * sizeof *d.x);
    d.y = malloc(d.n);
    assert_true(d.x && d.y);
    dr_nn_rng r;
    dr_nn_rng_seed(&r, 5);
    for (size_t i = 0; i < d.n * d.dim; i++) d.x[i] = (float)dr_nn_rng_uniform(&r);
    for (size_t i = 0; i < d.n; i++) d.y[i] = (unsigned char)(i * 7 % 10);
    dr_optim_params p;
    dr_optim_defaults(&p, DR_OPTIM_SGD);
    p.weight_decay = 5e-4;
    dr_mlp *m[2];
    float *w[2];
    dr_trainer *t[2];
    for (int k = 0; k < 2; k++) {
        assert_int_equal(dr_mlp_alloc(&m[k], &c, 32), DR_SUCCESS);
        w[k] = malloc(dr_mlp_n_params(m[k]) * sizeof(float));
        assert_non_null(w[k]);
        dr_mlp_init(m[k], w[k], 3);
        assert_int_equal(dr_trainer_alloc(&t[k], m[k], w[k], &d, NULL, &p, 32, 9), DR_SUCCESS);
    }
    size_t n = dr_mlp_n_params(m[0]), ns = dr_mlp_n_state(m[0]);
    dr_optim *o;
    assert_int_equal(dr_optim_alloc(&o, &p, n, w[1]), DR_SUCCESS);
    dr_nn_set_threads(threads);
    dr_epoch_stats s;
    for (int e = 0; e < 2; e++) {
        assert_int_equal(dr_train_epoch(t[0], 0.05, NULL, NULL, &s), DR_SUCCESS);
        dr_trainer_reset_means(t[1]); /* as the epoch does */
        for (int k = 0; k < 3; k++)
            assert_int_equal(dr_optim_step(o, w[1], 0.05, via_trainer, t[1]), DR_SUCCESS);
    }
    assert_memory_equal(w[0], w[1], n * sizeof(float));
    assert_memory_equal(dr_mlp_state(m[0]), dr_mlp_state(m[1]), ns * sizeof(float));
    double loss[2];
    size_t err[2], rows[2];
    for (int k = 0; k < 2; k++)
        dr_trainer_sums(t[k], &loss[k], &err[k], &rows[k]);
    assert_memory_equal(&loss[0], &loss[1], sizeof(double));
    assert_int_equal(rows[0], 3 * 32);
    assert_int_equal(rows[1], 3 * 32);
    dr_optim_free(o);
    for (int k = 0; k < 2; k++) {
        dr_trainer_free(t[k]);
        dr_mlp_free(m[k]);
        free(w[k]);
    }
    free(d.x);
    free(d.y);
}

static void test_sgd_fused_step(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 2; threads++)
        for (int bn = 0; bn <= 1; bn++)
            fused_against_separate(bn, threads);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forward_fused),
        cmocka_unit_test(test_backward_fused),
        cmocka_unit_test(test_statistics_reference),
        cmocka_unit_test(test_sgd_fused_step),
        cmocka_unit_test(test_bias_grad_rows),
        cmocka_unit_test(test_dropout_mask_reference),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
