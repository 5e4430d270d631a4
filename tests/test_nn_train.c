/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The optimisers against scalar recursions written here (quadratic losses, where each method's
 * update is known in closed form), learning-rate schedules, model files (round trip and every
 * kind of damage), reproducibility, a small network learning separable synthetic classes, and
 * the README's MNIST claim: mnistfc + SGD, 3 epochs on real MNIST, test error <= 2.5% (a
 * fully connected net that trains at all reaches ~2.2% there; a broken gradient or optimiser
 * stays far above). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_data.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "deeprelax/deeprelax.h"

/* The oracle of f(w) = sum_j a_j w_j^2 / 2 with a_j = 1 + j: grad = a w, loss reported. */
enum { NQ = 4 };
static int quad_calls;
static int quad_grad(void *ctx, const float *w, float *g, double *loss, size_t *errors)
{
    (void)ctx;
    double f = 0;
    for (int j = 0; j < NQ; j++) {
        g[j] = (float)(1 + j) * w[j];
        f += 0.5 * (1 + j) * (double)w[j] * w[j];
    }
    *loss = f;
    *errors = 0;
    quad_calls++;
    return DR_SUCCESS;
}

static void run(int kind, dr_optim_params *p, float *w, int steps, double lr)
{
    dr_optim *o;
    assert_int_equal(dr_optim_alloc(&o, p, NQ, w), DR_SUCCESS);
    for (int s = 0; s < steps; s++)
        assert_int_equal(dr_optim_step(o, w, lr, quad_grad, NULL), DR_SUCCESS);
    dr_optim_free(o);
    (void)kind;
}

/* Nesterov SGD, per coordinate: b <- m b + a w; w <- w - lr (a w + m b). */
static void test_sgd_recursion(void **state)
{
    (void)state;
    dr_optim_params p;
    dr_optim_defaults(&p, DR_OPTIM_SGD);
    float w[NQ] = {1, -2, 0.5f, 3};
    double ref[NQ], buf[NQ] = {0};
    for (int j = 0; j < NQ; j++) ref[j] = w[j];
    quad_calls = 0;
    run(DR_OPTIM_SGD, &p, w, 5, 0.05);
    for (int s = 0; s < 5; s++)
        for (int j = 0; j < NQ; j++) {
            double g = (1 + j) * ref[j];
            buf[j] = 0.9 * buf[j] + g;
            ref[j] -= 0.05 * (g + 0.9 * buf[j]);
        }
    assert_int_equal(quad_calls, 5);
    for (int j = 0; j < NQ; j++)
        assert_float_equal(w[j], ref[j], 1e-5);
}

/* Entropy-SGD without noise: L inner steps y <- y - eta (a y + c (y - x)) with c = g0 (1+g1)^k,
 * mu <- 0.75 mu + 0.25 y, then x <- x - lr (x - mu) (momentum 0 here). */
static void test_entropy_sgd_recursion(void **state)
{
    (void)state;
    dr_optim_params p;
    dr_optim_defaults(&p, DR_OPTIM_ENTROPY_SGD);
    p.noise = 0;
    p.momentum = 0;
    p.L = 5;
    p.g0 = 0.5;
    p.g1 = 0.1;
    float w[NQ] = {1, -2, 0.5f, 3};
    double x[NQ];
    for (int j = 0; j < NQ; j++) x[j] = w[j];
    quad_calls = 0;
    run(DR_OPTIM_ENTROPY_SGD, &p, w, 3, 0.7);
    for (int k = 0; k < 3; k++) {
        double c = 0.5 * pow(1.1, k);
        for (int j = 0; j < NQ; j++) {
            double y = x[j], mu = x[j];
            for (int i = 0; i < 5; i++) {
                y -= 0.1 * ((1 + j) * y + c * (y - x[j]));
                mu = 0.75 * mu + 0.25 * y;
            }
            x[j] -= 0.7 * (x[j] - mu);
        }
    }
    assert_int_equal(quad_calls, 15);
    for (int j = 0; j < NQ; j++)
        assert_float_equal(w[j], x[j], 1e-5);

    /* With noise, the inner iterate's spread: one step from y = x of a zero-gradient direction
     * adds sqrt(2 eta') noise xi; checked through the variance of x - mu over many coordinates
     * would need a bigger oracle, so here only: noise changes the result, and stays tiny. */
    p.noise = 1e-3;
    float v[NQ] = {1, -2, 0.5f, 3};
    run(DR_OPTIM_ENTROPY_SGD, &p, v, 3, 0.7);
    double diff = 0;
    for (int j = 0; j < NQ; j++) diff = fmax(diff, fabs(v[j] - w[j]));
    assert_true(diff > 0 && diff < 1e-2);
}

/* HJ: p <- 0.75 p + 0.25 a (x - t p) from p = 0, L times; x <- x - lr p. Its fixed point is
 * p* = a x / (1 + a t), the gradient of the Hopf-Lax solution u = a x^2 / (2 (1 + a t)). */
static void test_hj_recursion(void **state)
{
    (void)state;
    dr_optim_params p;
    dr_optim_defaults(&p, DR_OPTIM_HJ);
    p.momentum = 0;
    p.L = 60;
    p.hj_gamma = 0.5;
    float w[NQ] = {1, -2, 0.5f, 3};
    double x[NQ];
    for (int j = 0; j < NQ; j++) x[j] = w[j];
    run(DR_OPTIM_HJ, &p, w, 1, 0.3);
    for (int j = 0; j < NQ; j++) {
        double a = 1 + j, pj = 0;
        for (int i = 0; i < 60; i++)
            pj = 0.75 * pj + 0.25 * a * (x[j] - 0.5 * pj);
        /* 60 damped steps converge (rate 0.75 + 0.125 a <= 0.875 per step) to p* */
        assert_float_equal(pj, a * x[j] / (1 + 0.5 * a), 1e-3 * fabs(x[j]));
        assert_float_equal(w[j], x[j] - 0.3 * pj, 1e-5);
    }
}

/* Elastic-SGD with a deterministic gradient: replicas stay equal, so the coupling vanishes and
 * the mean follows plain Nesterov SGD; each step costs `replicas` gradients. */
static void test_elastic_recursion(void **state)
{
    (void)state;
    dr_optim_params p, q;
    dr_optim_defaults(&p, DR_OPTIM_ELASTIC_SGD);
    dr_optim_defaults(&q, DR_OPTIM_SGD);
    float w[NQ] = {1, -2, 0.5f, 3}, v[NQ] = {1, -2, 0.5f, 3};
    quad_calls = 0;
    run(DR_OPTIM_ELASTIC_SGD, &p, w, 4, 0.05);
    assert_int_equal(quad_calls, 4 * p.replicas);
    run(DR_OPTIM_SGD, &q, v, 4, 0.05);
    for (int j = 0; j < NQ; j++)
        assert_float_equal(w[j], v[j], 1e-6);
    p.replicas = 0;
    dr_optim *o;
    assert_int_equal(dr_optim_alloc(&o, &p, NQ, w), DR_EINVAL);
}

static void test_schedule(void **state)
{
    (void)state;
    dr_lr_schedule s;
    assert_int_equal(dr_lr_schedule_parse(&s, "3:0.1,10:0.01"), DR_SUCCESS);
    assert_float_equal(dr_lr_schedule_at(&s, 1.0, 1), 1.0, 0);
    assert_float_equal(dr_lr_schedule_at(&s, 1.0, 2), 1.0, 0);
    assert_float_equal(dr_lr_schedule_at(&s, 1.0, 3), 0.1, 0);
    assert_float_equal(dr_lr_schedule_at(&s, 1.0, 12), 0.01, 0);
    const char *bad[] = {"", "3", "3:", ":1", "0:1", "3:x", "3:1,2:1", "3:1,", "3:-1", "3:1;4:2"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(dr_lr_schedule_parse(&s, bad[i]), DR_EINVAL);
}

/* Synthetic data: 10 classes, class k's examples are a fixed random prototype plus noise of a
 * third of its scale, in 20 dimensions; a nearest-prototype rule is nearly perfect, so a small
 * MLP must get below 5% test error in a few epochs. */
static void make_synthetic(dr_dataset *d, size_t n, uint64_t seed, const float *proto)
{
    dr_nn_rng r;
    dr_nn_rng_seed(&r, seed);
    *d = (dr_dataset){.n = n, .rows = 4, .cols = 5, .dim = 20, .n_classes = 10};
    d->x = malloc(n * 20 * sizeof(float));
    d->y = malloc(n);
    for (size_t i = 0; i < n; i++) {
        int k = (int)(dr_nn_rng_uniform(&r) * 10);
        d->y[i] = (unsigned char)k;
        for (int j = 0; j < 20; j++)
            d->x[i * 20 + j] = proto[k * 20 + j] + (float)(0.33 * dr_nn_rng_gaussian(&r));
    }
}

static double train_synthetic(int kind, uint64_t seed, float **w_out, dr_mlp **m_out)
{
    float proto[200];
    dr_nn_rng r;
    dr_nn_rng_seed(&r, 99);
    for (int i = 0; i < 200; i++)
        proto[i] = (float)dr_nn_rng_gaussian(&r);
    dr_dataset train, test;
    make_synthetic(&train, 2000, 1, proto);
    make_synthetic(&test, 1000, 2, proto);
    dr_mlp_config c = {.n_layers = 3, .sizes = {20, 32, 32, 10}, .batchnorm = 1,
                       .dropout_in = 0.1f, .dropout_hidden = 0.1f};
    dr_mlp *m;
    assert_int_equal(dr_mlp_alloc(&m, &c, 1000), DR_SUCCESS);
    float *w = malloc(dr_mlp_n_params(m) * sizeof *w);
    dr_mlp_init(m, w, seed);
    dr_optim_params p;
    dr_optim_defaults(&p, kind);
    if (kind != DR_OPTIM_SGD) p.L = 4;
    dr_trainer *t;
    assert_int_equal(dr_trainer_alloc(&t, m, w, &train, &test, &p, 50, seed), DR_SUCCESS);
    dr_epoch_stats s;
    for (int e = 0; e < 3; e++)
        assert_int_equal(dr_train_epoch(t, kind == DR_OPTIM_ENTROPY_SGD ? 0.5 : 0.05, NULL,
                                        NULL, &s), DR_SUCCESS);
    /* effective epochs: 3 epochs x gradients per step */
    assert_float_equal(s.effective_epoch, 3.0 * dr_optim_grads_per_step(&p), 1e-9);
    dr_trainer_free(t);
    dr_dataset_free(&train);
    dr_dataset_free(&test);
    *w_out = w;
    *m_out = m;
    return s.test_error;
}

static void test_synthetic_learning(void **state)
{
    (void)state;
    for (int kind = 0; kind < 4; kind++) {
        float *w;
        dr_mlp *m;
        double err = train_synthetic(kind, 5, &w, &m);
        if (!(err < 0.05)) {
            print_error("%s: synthetic test error %.3f (want < 0.05)\n",
                        dr_optim_kind_name(kind), err);
            fail();
        }
        free(w);
        dr_mlp_free(m);
    }
}

/* Same seed (and threads) -> bit-identical weights; another seed -> different ones. */
static void test_reproducible(void **state)
{
    (void)state;
    float *w1, *w2, *w3;
    dr_mlp *m1, *m2, *m3;
    double e1 = train_synthetic(DR_OPTIM_ENTROPY_SGD, 7, &w1, &m1);
    double e2 = train_synthetic(DR_OPTIM_ENTROPY_SGD, 7, &w2, &m2);
    train_synthetic(DR_OPTIM_ENTROPY_SGD, 8, &w3, &m3);
    size_t n = dr_mlp_n_params(m1);
    assert_float_equal(e1, e2, 0);
    assert_memory_equal(w1, w2, n * sizeof *w1);
    assert_memory_not_equal(w1, w3, n * sizeof *w1);
    free(w1); free(w2); free(w3);
    dr_mlp_free(m1); dr_mlp_free(m2); dr_mlp_free(m3);
}

static void test_model_file(void **state)
{
    (void)state;
    float *w;
    dr_mlp *m;
    train_synthetic(DR_OPTIM_SGD, 3, &w, &m);
    char path[] = "/tmp/test_nn_model.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(dr_mlp_save(path, m, w), DR_SUCCESS);
    dr_mlp *m2;
    float *w2;
    assert_int_equal(dr_mlp_load(path, 64, &m2, &w2), DR_SUCCESS);
    size_t n = dr_mlp_n_params(m);
    assert_int_equal(dr_mlp_n_params(m2), n);
    assert_memory_equal(w, w2, n * sizeof *w);
    assert_memory_equal(dr_mlp_state(m), dr_mlp_state(m2), dr_mlp_n_state(m) * sizeof(float));
    free(w2);
    dr_mlp_free(m2);
    /* damage: read the file, alter it, expect the specific complaint */
    FILE *f = fopen(path, "rb");
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    unsigned char *buf = malloc((size_t)len);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    struct { long offset; int value; long keep; const char *needle; } cases[] = {
        {0, 'X', len, "wrong magic"},
        {8, 2, len, "version 2"},
        {len / 2, -1, len, "checksum"},     /* one flipped data byte */
        {-1, 0, len - 10, "truncated"},
        {-1, 0, 20, "truncated"},
        {12, 99, len, "impossible network"}, /* n_layers = 99 */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        unsigned char *copy = malloc((size_t)len);
        memcpy(copy, buf, (size_t)len);
        if (cases[k].offset >= 0)
            copy[cases[k].offset] = cases[k].value < 0 ? (unsigned char)(copy[cases[k].offset] ^ 1)
                                                       : (unsigned char)cases[k].value;
        f = fopen(path, "wb");
        fwrite(copy, 1, (size_t)cases[k].keep, f);
        fclose(f);
        free(copy);
        assert_int_equal(dr_mlp_load(path, 64, &m2, &w2), DR_EFORMAT);
        assert_null(m2);
        if (!strstr(dr_error_message(), cases[k].needle)) {
            print_error("case %zu: '%s' lacks '%s'\n", k, dr_error_message(), cases[k].needle);
            fail();
        }
    }
    f = fopen(path, "wb"); /* one byte too many */
    fwrite(buf, 1, (size_t)len, f);
    fputc(0, f);
    fclose(f);
    assert_int_equal(dr_mlp_load(path, 64, &m2, &w2), DR_EFORMAT);
    unlink(path);
    assert_int_equal(dr_mlp_load(path, 64, &m2, &w2), DR_EIO);
    free(buf);
    free(w);
    dr_mlp_free(m);
}

/* mnistfc + SGD, 3 epochs at lr 0.1 with Nesterov momentum 0.9. On the real MNIST the paper's
 * SGD reaches 1.1% after ~200 epochs and 3 epochs give 2.08% (2 threads) and 2.21% (1 thread)
 * here: bound 2.5%, a margin for seeds and thread counts. Without MNIST, on Debian's
 * Fashion-MNIST, the same run measured 13.22% (2 threads): bound 15%, the same relative margin. */
static void test_mnistfc_sgd_3_epochs(void **state)
{
    (void)state;
    const char *dir = test_mnist_dir();
    double bound = 0.025;
    if (!dir) {
        dir = test_fashion_dir();
        bound = 0.15;
    }
    if (!dir) skip();
    dr_dataset train, test;
    assert_int_equal(dr_dataset_load(&train, dir, 1), DR_SUCCESS);
    assert_int_equal(dr_dataset_load(&test, dir, 0), DR_SUCCESS);
    dr_mlp_config c;
    assert_int_equal(dr_mlp_preset(&c, "mnistfc"), DR_SUCCESS);
    dr_mlp *m;
    assert_int_equal(dr_mlp_alloc(&m, &c, 1000), DR_SUCCESS);
    float *w = malloc(dr_mlp_n_params(m) * sizeof *w);
    dr_mlp_init(m, w, 1);
    dr_optim_params p;
    dr_optim_defaults(&p, DR_OPTIM_SGD);
    dr_trainer *t;
    assert_int_equal(dr_trainer_alloc(&t, m, w, &train, &test, &p, 128, 1), DR_SUCCESS);
    dr_nn_set_threads(0);
    dr_epoch_stats s;
    for (int e = 1; e <= 3; e++) {
        assert_int_equal(dr_train_epoch(t, 0.1, NULL, NULL, &s), DR_SUCCESS);
        printf("mnistfc sgd epoch %d: train loss %.4f, test error %.2f%% (%.1f s)\n", e,
               s.train_loss, 100 * s.test_error, s.seconds);
    }
    assert_true(s.test_error <= bound);
    dr_trainer_free(t);
    free(w);
    dr_mlp_free(m);
    dr_dataset_free(&train);
    dr_dataset_free(&test);
}

int main(int argc, char **argv)
{
    /* OpenBLAS 0.3.21 runs generic SSE3 kernels on CPUs it does not know (4-8x slower, which
     * would make the MNIST run take minutes): restart once with the right kernel family. */
    const char *suggest;
    dr_nn_blas_core(&suggest);
    if (suggest && !getenv("OPENBLAS_CORETYPE")) {
        setenv("OPENBLAS_CORETYPE", suggest, 1);
        execv("/proc/self/exe", argv);
    }
    (void)argc;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sgd_recursion),
        cmocka_unit_test(test_entropy_sgd_recursion),
        cmocka_unit_test(test_hj_recursion),
        cmocka_unit_test(test_elastic_recursion),
        cmocka_unit_test(test_schedule),
        cmocka_unit_test(test_synthetic_learning),
        cmocka_unit_test(test_reproducible),
        cmocka_unit_test(test_model_file),
        cmocka_unit_test(test_mnistfc_sgd_3_epochs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
