/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Gradient check of every layer of the MLP and of the whole network: each backward pass against
 * central finite differences of a scalar built from the forward pass.
 *
 * Reference: (L(p + h) - L(p - h)) / 2h with L accumulated in double from float32 outputs.
 * Its error is truncation O(h^2 L''') plus round-off ~ n * 6e-8 * |y| / h over n outputs; with
 * h = 2^-7 (exact in float32) and O(1) values both stay below 5e-4, so the stated tolerance is
 * |fd - analytic| <= 2e-3 (1 + |analytic|). Dense and dropout are linear, so only round-off
 * remains there. ReLU inputs are kept at least 0.1 > h away from its kink. */
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

#define H 0.0078125f /* 2^-7 */
#define TOL 2e-3

static dr_nn_rng rng;

static void fill(float *a, size_t n, double scale)
{
    for (size_t i = 0; i < n; i++)
        a[i] = (float)(scale * dr_nn_rng_gaussian(&rng));
}

static double dot(const float *r, const float *y, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)r[i] * (double)y[i];
    return s;
}

static void expect_close(double fd, double an, const char *what, size_t i)
{
    if (fabs(fd - an) > TOL * (1.0 + fabs(an))) {
        print_error("%s[%zu]: finite difference %.8g, backward %.8g\n", what, i, fd, an);
        fail();
    }
}

/* The scalar that every layer check differentiates: L = <R, layer output>. */
typedef double (*scalar_fn)(void *ctx);

/* Perturbs p[i] by +-H for each i and compares with grad[i]. */
static void check_param(float *p, const float *grad, size_t n, scalar_fn f, void *ctx,
                        const char *what)
{
    for (size_t i = 0; i < n; i++) {
        float saved = p[i];
        p[i] = saved + H;
        double up = f(ctx);
        p[i] = saved - H;
        double down = f(ctx);
        p[i] = saved;
        expect_close((up - down) / (2.0 * H), grad[i], what, i);
    }
}

enum { B = 6, IN = 5, OUT = 4, K = 4 };

struct dense_ctx { float x[B * IN], W[OUT * IN], b[OUT], y[B * OUT], R[B * OUT]; };

static double dense_scalar(void *c)
{
    struct dense_ctx *d = c;
    dr_dense_forward(B, IN, OUT, d->x, d->W, d->b, d->y);
    return dot(d->R, d->y, B * OUT);
}

static void test_dense(void **state)
{
    (void)state;
    struct dense_ctx d;
    fill(d.x, B * IN, 1.0);
    fill(d.W, OUT * IN, 0.5);
    fill(d.b, OUT, 0.5);
    fill(d.R, B * OUT, 1.0);
    /* independent forward: the naive double loop */
    dense_scalar(&d);
    for (size_t r = 0; r < B; r++)
        for (size_t j = 0; j < OUT; j++) {
            double s = d.b[j];
            for (size_t k = 0; k < IN; k++)
                s += (double)d.x[r * IN + k] * d.W[j * IN + k];
            assert_float_equal(d.y[r * OUT + j], s, 1e-5);
        }
    float dW[OUT * IN], db[OUT], dx[B * IN];
    dr_dense_backward(B, IN, OUT, d.x, d.W, d.R, dW, db, dx);
    check_param(d.W, dW, OUT * IN, dense_scalar, &d, "dense dW");
    check_param(d.b, db, OUT, dense_scalar, &d, "dense db");
    check_param(d.x, dx, B * IN, dense_scalar, &d, "dense dx");
}

struct relu_ctx { float x[B * OUT], y[B * OUT], R[B * OUT]; };

static double relu_scalar(void *c)
{
    struct relu_ctx *d = c;
    dr_relu_forward(B * OUT, d->x, d->y);
    return dot(d->R, d->y, B * OUT);
}

static void test_relu(void **state)
{
    (void)state;
    struct relu_ctx d;
    fill(d.x, B * OUT, 1.0);
    for (size_t i = 0; i < B * OUT; i++) /* away from the kink: |x| >= 0.1 */
        d.x[i] = d.x[i] >= 0 ? d.x[i] + 0.1f : d.x[i] - 0.1f;
    fill(d.R, B * OUT, 1.0);
    relu_scalar(&d);
    float dx[B * OUT];
    dr_relu_backward(B * OUT, d.y, d.R, dx);
    check_param(d.x, dx, B * OUT, relu_scalar, &d, "relu dx");
}

struct dropout_ctx { float x[B * OUT], mask[B * OUT], y[B * OUT], R[B * OUT]; };

static double dropout_scalar(void *c)
{
    struct dropout_ctx *d = c;
    dr_dropout_apply(B * OUT, d->mask, d->x, d->y);
    return dot(d->R, d->y, B * OUT);
}

static void test_dropout(void **state)
{
    (void)state;
    struct dropout_ctx d;
    fill(d.x, B * OUT, 1.0);
    fill(d.R, B * OUT, 1.0);
    dr_dropout_mask(B * OUT, 0.5f, &rng, d.mask);
    size_t zeros = 0;
    for (size_t i = 0; i < B * OUT; i++) {
        /* inverted dropout: kept units are scaled by 1/(1-p) = 2 */
        assert_true(d.mask[i] == 0.0f || d.mask[i] == 2.0f);
        zeros += d.mask[i] == 0.0f;
    }
    assert_true(zeros > 0 && zeros < B * OUT);
    float dx[B * OUT];
    dr_dropout_apply(B * OUT, d.mask, d.R, dx);
    check_param(d.x, dx, B * OUT, dropout_scalar, &d, "dropout dx");

    /* the keep rate of a large mask: p = 0.2, n = 1e5, binomial sd 0.0013, 5 sd margin */
    size_t n = 100000, dropped = 0;
    float *m = malloc(n * sizeof *m);
    dr_dropout_mask(n, 0.2f, &rng, m);
    for (size_t i = 0; i < n; i++)
        dropped += m[i] == 0.0f;
    free(m);
    assert_true(fabs((double)dropped / (double)n - 0.2) < 0.0065);
}

struct bn_ctx {
    float x[B * OUT], gamma[OUT], beta[OUT], y[B * OUT], R[B * OUT];
    float xhat[B * OUT], invstd[OUT], mean[OUT], var[OUT];
};

static double bn_scalar(void *c)
{
    struct bn_ctx *d = c;
    dr_batchnorm_forward_train(B, OUT, d->x, d->gamma, d->beta, 1e-5f, d->y, d->xhat, d->invstd,
                               d->mean, d->var);
    return dot(d->R, d->y, B * OUT);
}

static void test_batchnorm(void **state)
{
    (void)state;
    struct bn_ctx d;
    fill(d.x, B * OUT, 1.0);
    for (size_t i = 0; i < B * OUT; i++)
        d.x[i] += 3.0f; /* a mean far from 0, as real pre-activations have */
    fill(d.gamma, OUT, 1.0);
    fill(d.beta, OUT, 1.0);
    fill(d.R, B * OUT, 1.0);
    bn_scalar(&d);
    /* forward: each column of xhat has mean 0 and biased variance v / (v + eps), v the column's
     * biased variance (computed here in double); float32 round-off ~1e-6 */
    for (size_t j = 0; j < OUT; j++) {
        double s = 0, ss = 0, m = 0, v = 0;
        for (size_t r = 0; r < B; r++)
            m += d.x[r * OUT + j] / (double)B;
        for (size_t r = 0; r < B; r++) {
            s += d.xhat[r * OUT + j];
            ss += (double)d.xhat[r * OUT + j] * d.xhat[r * OUT + j];
            v += (d.x[r * OUT + j] - m) * (d.x[r * OUT + j] - m) / (double)B;
        }
        assert_float_equal(s / B, 0.0, 1e-6);
        assert_float_equal(ss / B, v / (v + 1e-5), 1e-5);
    }
    float dx[B * OUT], dgamma[OUT], dbeta[OUT];
    dr_batchnorm_backward(B, OUT, d.xhat, d.invstd, d.gamma, d.R, dx, dgamma, dbeta);
    check_param(d.gamma, dgamma, OUT, bn_scalar, &d, "batchnorm dgamma");
    check_param(d.beta, dbeta, OUT, bn_scalar, &d, "batchnorm dbeta");
    check_param(d.x, dx, B * OUT, bn_scalar, &d, "batchnorm dx");
}

struct xent_ctx { float z[B * K]; unsigned char y[B]; };

static double xent_scalar(void *c)
{
    struct xent_ctx *d = c;
    return dr_softmax_xent(B, K, d->z, d->y, NULL, NULL);
}

static void test_softmax_xent(void **state)
{
    (void)state;
    struct xent_ctx d;
    fill(d.z, B * K, 2.0);
    for (size_t r = 0; r < B; r++)
        d.y[r] = (unsigned char)(r % K);
    float dz[B * K];
    size_t errors;
    dr_softmax_xent(B, K, d.z, d.y, dz, &errors);
    check_param(d.z, dz, B * K, xent_scalar, &d, "softmax-xent dlogits");
    /* closed form: equal logits give log K per row and, with ties resolved to class 0, an
     * error on every row whose label is not 0 */
    float flat[B * K] = {0};
    assert_float_equal(dr_softmax_xent(B, K, flat, d.y, NULL, &errors), log((double)K), 1e-12);
    assert_int_equal(errors, B - (B + K - 1) / K);
    /* no overflow for huge logits: loss = 1000 - (-1000) = 2000 for a wrong confident row */
    float big[2] = {1000.0f, -1000.0f};
    unsigned char one = 1;
    assert_float_equal(dr_softmax_xent(1, 2, big, &one, NULL, NULL), 2000.0, 1e-9);
}

/* The whole network in training mode: dense + batch norm + ReLU + dropout (a fixed mask, from a
 * fixed seed) + softmax cross-entropy, every parameter. */
struct net_ctx { dr_mlp *m; float *w; float x[7 * 6]; unsigned char y[7]; };

static double net_scalar(void *c)
{
    struct net_ctx *d = c;
    double loss;
    assert_int_equal(dr_mlp_loss_grad(d->m, d->w, d->x, d->y, 7, DR_MLP_TRAIN, 42, &loss, NULL,
                                      NULL), DR_SUCCESS);
    return loss;
}

static void check_network(int batchnorm)
{
    dr_mlp_config c = {.n_layers = 3, .sizes = {6, 5, 4, 3}, .batchnorm = batchnorm,
                       .dropout_in = 0.3f, .dropout_hidden = 0.3f};
    struct net_ctx d;
    assert_int_equal(dr_mlp_alloc(&d.m, &c, 7), DR_SUCCESS);
    size_t n = dr_mlp_n_params(d.m);
    /* 6*5 + 5*4 + 4*3 weights; per hidden layer gamma+beta (or bias), then 3 output biases */
    assert_int_equal(n, 30 + 20 + 12 + (batchnorm ? 2 * 5 + 2 * 4 : 5 + 4) + 3);
    d.w = malloc(n * sizeof *d.w);
    float *g = malloc(n * sizeof *g);
    dr_mlp_init(d.m, d.w, 7);
    for (size_t i = 0; i < n; i++) /* move gamma, beta off their initial 1, 0 */
        d.w[i] += (float)(0.3 * dr_nn_rng_gaussian(&rng));
    fill(d.x, 7 * 6, 1.0);
    for (size_t r = 0; r < 7; r++)
        d.y[r] = (unsigned char)(r % 3);
    double loss;
    assert_int_equal(dr_mlp_loss_grad(d.m, d.w, d.x, d.y, 7, DR_MLP_TRAIN, 42, &loss, NULL, g),
                     DR_SUCCESS);
    check_param(d.w, g, n, net_scalar, &d, batchnorm ? "mlp+bn dw" : "mlp dw");
    free(g);
    free(d.w);
    dr_mlp_free(d.m);
}

static void test_network(void **state)
{
    (void)state;
    check_network(1);
    check_network(0);
}

/* Evaluation in chunks equals one big minibatch (EVAL mode does not depend on the batch). */
static void test_evaluate_chunks(void **state)
{
    (void)state;
    dr_mlp_config c = {.n_layers = 2, .sizes = {6, 8, 3}, .batchnorm = 1};
    dr_mlp *small, *big;
    assert_int_equal(dr_mlp_alloc(&small, &c, 4), DR_SUCCESS);
    assert_int_equal(dr_mlp_alloc(&big, &c, 64), DR_SUCCESS);
    size_t n = dr_mlp_n_params(small);
    float *w = malloc(n * sizeof *w);
    dr_mlp_init(small, w, 3);
    float x[30 * 6];
    unsigned char y[30];
    fill(x, 30 * 6, 1.0);
    for (size_t r = 0; r < 30; r++)
        y[r] = (unsigned char)(r % 3);
    /* one training pass moves the running statistics: mean <- 0.1 * batch mean */
    float *g = malloc(n * sizeof *g);
    assert_int_equal(dr_mlp_loss_grad(small, w, x, y, 4, DR_MLP_TRAIN, 1, NULL, NULL, g), 0);
    memcpy(dr_mlp_state(big), dr_mlp_state(small), dr_mlp_n_state(small) * sizeof(float));
    dr_dataset d = {.n = 30, .rows = 1, .cols = 6, .dim = 6, .x = x, .y = y, .n_classes = 3};
    double l1, e1, l2, e2, l3;
    assert_int_equal(dr_mlp_evaluate(small, w, &d, 0, DR_MLP_EVAL, &l1, &e1), 0);
    assert_int_equal(dr_mlp_evaluate(big, w, &d, 0, DR_MLP_EVAL, &l2, &e2), 0);
    assert_float_equal(l1, l2, 1e-6);
    assert_float_equal(e1, e2, 1e-12);
    assert_int_equal(dr_mlp_loss_grad(big, w, x, y, 30, DR_MLP_EVAL, 0, &l3, NULL, NULL), 0);
    assert_float_equal(l1, l3, 1e-6);
    /* misuse is refused with a message */
    assert_int_equal(dr_mlp_loss_grad(small, w, x, y, 5, DR_MLP_TRAIN, 1, NULL, NULL, g),
                     DR_EINVAL);
    y[0] = 3;
    assert_int_equal(dr_mlp_loss_grad(small, w, x, y, 4, DR_MLP_TRAIN, 1, NULL, NULL, g),
                     DR_EINVAL);
    free(g);
    free(w);
    dr_mlp_free(small);
    dr_mlp_free(big);
}

/* The element-wise kernels split their work between threads above a size threshold; the split
 * must not change a single bit (the logs of a seed are the same for every thread count): the
 * mnistfc layer shape, 128 x 1024, at 1 and 2 threads, compared with memcmp. */
static void test_thread_invariance(void **state)
{
    (void)state;
    size_t Bn = 128, C = 1024, n = Bn * C;
    float *x = malloc(n * sizeof *x), *out[2][4];
    float g[1024], b[1024], is[1024], mu[1024], var[1024], dg[1024], db[1024];
    assert_non_null(x);
    dr_nn_rng saved = rng; /* the other tests' data stay what they were */
    fill(x, n, 1.0);
    fill(g, C, 1.0);
    fill(b, C, 1.0);
    rng = saved;
    for (int t = 0; t < 2; t++) {
        omp_set_num_threads(t + 1);
        for (int k = 0; k < 4; k++)
            assert_non_null(out[t][k] = malloc(n * sizeof(float)));
        dr_nn_rng r;
        dr_nn_rng_seed(&r, 7);
        dr_dropout_mask(n, 0.2f, &r, out[t][0]);
        dr_batchnorm_forward_train(Bn, C, x, g, b, 1e-5f, out[t][1], out[t][2], is, mu, var);
        dr_batchnorm_backward(Bn, C, out[t][2], is, g, x, out[t][3], dg, db);
        dr_relu_forward(n, out[t][1], out[t][1]);
    }
    for (int k = 0; k < 4; k++) {
        assert_memory_equal(out[0][k], out[1][k], n * sizeof(float));
        free(out[0][k]);
        free(out[1][k]);
    }
    free(x);
}

int main(void)
{
    dr_nn_rng_seed(&rng, 2018);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dense),
        cmocka_unit_test(test_relu),
        cmocka_unit_test(test_dropout),
        cmocka_unit_test(test_batchnorm),
        cmocka_unit_test(test_thread_invariance),
        cmocka_unit_test(test_softmax_xent),
        cmocka_unit_test(test_network),
        cmocka_unit_test(test_evaluate_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
