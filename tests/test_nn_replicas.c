/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Replicas (nn/replicas.c): one Elastic-SGD replica coupled every step is plain SGD, bit for
 * bit (the mean of one replica is that replica, so the pull rho (y - mean) is exactly 0); and K
 * replicas split over two "processes" (two threads whose reduction is a shared sum behind a
 * barrier, the way MPI_Allreduce joins ranks) give the bits of the K replicas of one process,
 * for Elastic-SGD and for Parle. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "deeprelax/deeprelax.h"

static void make_data(dr_dataset *d, size_t n, uint64_t seed)
{
    dr_nn_rng r;
    dr_nn_rng_seed(&r, seed);
    *d = (dr_dataset){.n = n, .rows = 4, .cols = 5, .dim = 20, .n_classes = 10};
    d->x = malloc(n * 20 * sizeof(float));
    d->y = malloc(n);
    for (size_t i = 0; i < n; i++) {
        d->y[i] = (unsigned char)(i % 10);
        for (int j = 0; j < 20; j++)
            d->x[i * 20 + j] = (float)(j == (int)(i % 10)) + (float)(0.3 * dr_nn_rng_gaussian(&r));
    }
}

static const dr_mlp_config config = {.n_layers = 3, .sizes = {20, 32, 32, 10}, .batchnorm = 1,
                                     .dropout_in = 0.1f, .dropout_hidden = 0.1f};

static void test_one_replica_is_sgd(void **state)
{
    (void)state;
    dr_dataset d;
    make_data(&d, 600, 1);
    dr_mlp *m1, *m2, *mean_m;
    assert_int_equal(dr_mlp_alloc(&m1, &config, 100), DR_SUCCESS);
    assert_int_equal(dr_mlp_alloc(&m2, &config, 100), DR_SUCCESS);
    assert_int_equal(dr_mlp_alloc(&mean_m, &config, 100), DR_SUCCESS);
    size_t n = dr_mlp_n_params(m1), ns = dr_mlp_n_state(m1);
    float *w = malloc(n * sizeof *w), *w0 = malloc(n * sizeof *w0), *mw = malloc(n * sizeof *mw);
    dr_mlp_init(m1, w, 3);
    memcpy(w0, w, n * sizeof *w);
    dr_mlp_init(m2, w0, 3);
    dr_optim_params sgd, es;
    dr_optim_defaults(&sgd, DR_OPTIM_SGD);
    dr_optim_defaults(&es, DR_OPTIM_ELASTIC_SGD);
    es.rho = 0.5;
    es.L = 1;
    dr_trainer *t;
    dr_replicas *r;
    dr_replicas_layout lay = {.total = 1, .first = 0, .local = 1};
    assert_int_equal(dr_trainer_alloc(&t, m1, w, &d, NULL, &sgd, 40, 7), DR_SUCCESS);
    assert_int_equal(dr_replicas_alloc(&r, m2, w0, &d, &es, 40, 7, &lay), DR_SUCCESS);
    dr_epoch_stats a, b;
    double comm;
    for (int e = 0; e < 2; e++) {
        assert_int_equal(dr_train_epoch(t, 0.05, NULL, NULL, &a), DR_SUCCESS);
        assert_int_equal(dr_replicas_epoch(r, 0.05, mean_m, mw, NULL, &b, &comm), DR_SUCCESS);
        assert_true(a.train_loss == b.train_loss);
        assert_float_equal(a.effective_epoch, b.effective_epoch, 0);
    }
    assert_memory_equal(w, mw, n * sizeof *w);
    assert_memory_equal(dr_mlp_state(m1), dr_mlp_state(mean_m), ns * sizeof(float));
    assert_int_equal(dr_replicas_syncs(r), 2 * 15); /* 600 / 40 steps per epoch, L = 1 */
    dr_replicas_free(r);
    dr_trainer_free(t);
    free(w); free(w0); free(mw);
    dr_mlp_free(m1); dr_mlp_free(m2); dr_mlp_free(mean_m);
    dr_dataset_free(&d);
}

/* Two threads, each one "process": the reduction sums both buffers (rank order) behind a
 * barrier, as an allreduce does. */
struct shared { pthread_barrier_t bar; double *buf[2]; };
struct proc {
    struct shared *sh;
    int rank, kind, status;
    const dr_dataset *d;
    float *mean_w;
    dr_mlp *mean_m;
    dr_epoch_stats s;
};
struct reduce_ctx { struct shared *sh; int rank; };

static int fake_allreduce(void *ctx, double *sums, size_t n)
{
    struct reduce_ctx *c = ctx;
    c->sh->buf[c->rank] = sums;
    pthread_barrier_wait(&c->sh->bar);
    double *tmp = malloc(n * sizeof *tmp);
    for (size_t j = 0; j < n; j++)
        tmp[j] = c->sh->buf[0][j] + c->sh->buf[1][j];
    pthread_barrier_wait(&c->sh->bar); /* both have read both before either writes */
    memcpy(sums, tmp, n * sizeof *tmp);
    free(tmp);
    return DR_SUCCESS;
}

static void run_group(int kind, int total, int first, int local, dr_replicas_reduce_fn fn,
                      void *ctx, const dr_dataset *d, dr_mlp *mean_m, float *mean_w,
                      dr_epoch_stats *s, int *status)
{
    dr_mlp *m;
    dr_mlp_alloc(&m, &config, 100);
    float *w0 = malloc(dr_mlp_n_params(m) * sizeof *w0);
    dr_mlp_init(m, w0, 11);
    dr_optim_params p;
    dr_optim_defaults(&p, kind);
    p.L = 3;
    dr_replicas *r;
    dr_replicas_layout lay = {.total = total, .first = first, .local = local, .reduce = fn,
                              .reduce_ctx = ctx};
    double comm;
    *status = dr_replicas_alloc(&r, m, w0, d, &p, 40, 5, &lay);
    for (int e = 0; e < 2 && *status == DR_SUCCESS; e++)
        *status = dr_replicas_epoch(r, 0.05, mean_m, mean_w, NULL, s, &comm);
    dr_replicas_free(r);
    free(w0);
    dr_mlp_free(m);
}

static void *proc_main(void *arg)
{
    struct proc *p = arg;
    struct reduce_ctx c = {p->sh, p->rank};
    run_group(p->kind, 2, p->rank, 1, fake_allreduce, &c, p->d, p->mean_m, p->mean_w, &p->s,
              &p->status);
    return NULL;
}

static void test_split_equals_whole(void **state)
{
    (void)state;
    dr_dataset d;
    make_data(&d, 400, 2);
    int kinds[2] = {DR_OPTIM_ELASTIC_SGD, DR_OPTIM_PARLE};
    for (int k = 0; k < 2; k++) {
        dr_mlp *whole_m, *part_m[2];
        assert_int_equal(dr_mlp_alloc(&whole_m, &config, 100), DR_SUCCESS);
        size_t n = dr_mlp_n_params(whole_m), ns = dr_mlp_n_state(whole_m);
        float *whole_w = malloc(n * sizeof(float)), *part_w[2];
        dr_epoch_stats whole_s;
        int status;
        run_group(kinds[k], 2, 0, 2, NULL, NULL, &d, whole_m, whole_w, &whole_s, &status);
        assert_int_equal(status, DR_SUCCESS);
        struct shared sh;
        pthread_barrier_init(&sh.bar, NULL, 2);
        struct proc procs[2];
        pthread_t th[2];
        for (int r = 0; r < 2; r++) {
            assert_int_equal(dr_mlp_alloc(&part_m[r], &config, 100), DR_SUCCESS);
            part_w[r] = malloc(n * sizeof(float));
            procs[r] = (struct proc){.sh = &sh, .rank = r, .kind = kinds[k], .d = &d,
                                     .mean_w = part_w[r], .mean_m = part_m[r]};
            pthread_create(&th[r], NULL, proc_main, &procs[r]);
        }
        for (int r = 0; r < 2; r++) {
            pthread_join(th[r], NULL);
            assert_int_equal(procs[r].status, DR_SUCCESS);
            assert_memory_equal(part_w[r], whole_w, n * sizeof(float));
            assert_memory_equal(dr_mlp_state(part_m[r]), dr_mlp_state(whole_m),
                                ns * sizeof(float));
            assert_true(procs[r].s.train_loss == whole_s.train_loss);
            free(part_w[r]);
            dr_mlp_free(part_m[r]);
        }
        pthread_barrier_destroy(&sh.bar);
        free(whole_w);
        dr_mlp_free(whole_m);
    }
    dr_dataset_free(&d);
}

static void test_bad_layout(void **state)
{
    (void)state;
    dr_dataset d;
    make_data(&d, 100, 3);
    dr_mlp *m;
    assert_int_equal(dr_mlp_alloc(&m, &config, 100), DR_SUCCESS);
    float *w = malloc(dr_mlp_n_params(m) * sizeof *w);
    dr_mlp_init(m, w, 1);
    dr_optim_params p;
    dr_optim_defaults(&p, DR_OPTIM_PARLE);
    dr_replicas *r;
    dr_replicas_layout partial = {.total = 4, .first = 0, .local = 2}; /* no reduction */
    assert_int_equal(dr_replicas_alloc(&r, m, w, &d, &p, 20, 1, &partial), DR_EINVAL);
    dr_optim_defaults(&p, DR_OPTIM_SGD);
    dr_replicas_layout whole = {.total = 1, .first = 0, .local = 1};
    assert_int_equal(dr_replicas_alloc(&r, m, w, &d, &p, 20, 1, &whole), DR_EINVAL);
    free(w);
    dr_mlp_free(m);
    dr_dataset_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_replica_is_sgd),
        cmocka_unit_test(test_split_equals_whole),
        cmocka_unit_test(test_bad_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
