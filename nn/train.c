/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The trainer: shuffled minibatches as the optimisers' gradient oracle, one epoch at a time,
 * with test evaluation, timing and progress callbacks; learning-rate schedules; BLAS threads. */
#include "deeprelax/nn.h"
#include "../solver/dr_args.h"
#include "deeprelax/error.h"
#include "deeprelax/parse.h"
#include "nn_parallel.h"

#include <cblas.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct dr_trainer {
    dr_mlp *m;
    float *w, *grad, *xb;
    unsigned char *yb;
    const dr_dataset *train, *test;
    dr_optim *opt;
    dr_optim_params p;
    size_t batch, *perm, pos, *rows; /* rows: the minibatch's example indices */
    uint64_t seed, n_grads; /* minibatch gradients so far: each one's dropout seed */
    dr_nn_rng rng;
    double loss_sum;
    size_t err_sum, rows_sum;
};

static void shuffle(dr_trainer *t)
{
    for (size_t i = t->train->n - 1; i > 0; i--) {
        size_t j = (size_t)(dr_nn_rng_uniform(&t->rng) * (double)(i + 1));
        size_t s = t->perm[i];
        t->perm[i] = t->perm[j];
        t->perm[j] = s;
    }
    t->pos = 0;
}

/* The oracle: the next `batch` rows of the current permutation (reshuffled when used up; a
 * minibatch may straddle two permutations so that every one has `batch` rows). */
static int next_gradient_slices(void *ctx, const float *w, float *grad, double *loss,
                                size_t *errors, const dr_nn_slices *s)
{
    dr_trainer *t = ctx;
    const dr_dataset *d = t->train;
    for (size_t r = 0; r < t->batch; r++) {
        if (t->pos == d->n)
            shuffle(t);
        t->rows[r] = t->perm[t->pos++];
    }
    /* the gather split between the threads: serial, it was the other thread's idle time */
    const size_t *rows = t->rows;
    float *xb = t->xb;
    unsigned char *yb = t->yb;
#pragma omp parallel for schedule(static) if (t->batch * d->dim >= DR_NN_PAR_MIN)
    for (size_t r = 0; r < t->batch; r++) {
        memcpy(xb + r * d->dim, d->x + rows[r] * d->dim, d->dim * sizeof(float));
        yb[r] = d->y[rows[r]];
    }
    uint64_t seed = t->seed * 0x9e3779b97f4a7c15ULL + ++t->n_grads;
    int status = dr_nn_mlp_loss_grad_slices(t->m, w, t->xb, t->yb, t->batch, DR_MLP_TRAIN,
                                            seed, loss, errors, grad, s);
    if (status != DR_SUCCESS)
        return status;
    t->loss_sum += *loss * (double)t->batch;
    t->err_sum += *errors;
    t->rows_sum += t->batch;
    return DR_SUCCESS;
}

static int next_gradient(void *ctx, const float *w, float *grad, double *loss, size_t *errors)
{
    return next_gradient_slices(ctx, w, grad, loss, errors, NULL);
}

int dr_trainer_gradient(dr_trainer *t, const float *w, float *grad, double *loss,
                        size_t *errors)
{
    return next_gradient(t, w, grad, loss, errors);
}

void dr_trainer_reset_means(dr_trainer *t)
{
    t->loss_sum = 0.0;
    t->err_sum = t->rows_sum = 0;
}

void dr_trainer_sums(const dr_trainer *t, double *loss_sum, size_t *err_sum, size_t *rows)
{
    *loss_sum = t->loss_sum;
    *err_sum = t->err_sum;
    *rows = t->rows_sum;
}

void dr_trainer_free(dr_trainer *t)
{
    if (!t)
        return;
    dr_optim_free(t->opt);
    free(t->perm);
    free(t->rows);
    free(t->xb);
    free(t->yb);
    free(t);
}

int dr_trainer_alloc(dr_trainer **out, dr_mlp *m, float *w, const dr_dataset *train,
                     const dr_dataset *test, const dr_optim_params *p, size_t batch,
                     uint64_t seed)
{
    DR_CHECK_PTRS(out, m, w, train, p);
    *out = NULL;
    const dr_mlp_config *c = dr_mlp_get_config(m);
    size_t K = c->sizes[c->n_layers];
    const dr_dataset *sets[2] = {train, test};
    for (int k = 0; k < 2; k++) {
        if (!sets[k])
            continue;
        if (sets[k]->dim != c->sizes[0])
            return dr_error(DR_EINVAL, "%s data has %zu features per example but the network "
                            "takes %zu", k ? "test" : "training", sets[k]->dim, c->sizes[0]);
        if ((size_t)sets[k]->n_classes > K)
            return dr_error(DR_EINVAL, "%s data has %d classes but the network has %zu outputs",
                            k ? "test" : "training", sets[k]->n_classes, K);
    }
    if (batch < 2 || batch > train->n)
        return dr_error(DR_EINVAL, "batch size %zu must be in 2..%zu (the training set size; "
                        "batch norm needs 2 rows)", batch, train->n);
    dr_trainer *t = calloc(1, sizeof *t);
    if (!t)
        return dr_error(DR_ENOMEM, "trainer: out of memory");
    *t = (dr_trainer){.m = m, .w = w, .train = train, .test = test, .p = *p, .batch = batch,
                      .seed = seed};
    t->perm = malloc(train->n * sizeof *t->perm);
    t->xb = malloc(batch * train->dim * sizeof *t->xb);
    t->yb = malloc(batch);
    t->rows = malloc(batch * sizeof *t->rows);
    if (!t->perm || !t->xb || !t->yb || !t->rows) {
        dr_trainer_free(t);
        return dr_error(DR_ENOMEM, "trainer: out of memory");
    }
    int status = dr_optim_alloc(&t->opt, p, dr_mlp_n_params(m), w);
    if (status != DR_SUCCESS) {
        dr_trainer_free(t);
        return status;
    }
    for (size_t i = 0; i < train->n; i++)
        t->perm[i] = i;
    dr_nn_rng_seed(&t->rng, seed);
    shuffle(t);
    *out = t;
    return DR_SUCCESS;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int dr_train_epoch(dr_trainer *t, double lr, dr_progress_fn progress, void *ctx,
                   dr_epoch_stats *s)
{
    DR_CHECK_PTRS(t);
    double start = now();
    size_t steps = (t->train->n + t->batch - 1) / t->batch;
    t->loss_sum = 0.0;
    t->err_sum = t->rows_sum = 0;
    for (size_t k = 0; k < steps; k++) {
        int status = t->p.kind == DR_OPTIM_SGD
                         ? dr_nn_optim_sgd_fused(t->opt, t->w, lr, next_gradient_slices, t)
                         : dr_optim_step(t->opt, t->w, lr, next_gradient, t);
        if (status != DR_SUCCESS)
            return status;
        if (progress && progress(ctx, k + 1, steps))
            return dr_error(DR_EINVAL, "training interrupted at step %zu of %zu", k + 1, steps);
    }
    s->train_loss = t->loss_sum / (double)t->rows_sum;
    s->train_error = (double)t->err_sum / (double)t->rows_sum;
    s->test_loss = s->test_error = NAN;
    if (t->test) {
        int status = dr_mlp_evaluate(t->m, t->w, t->test, 0, DR_MLP_EVAL, &s->test_loss,
                                     &s->test_error);
        if (status != DR_SUCCESS)
            return status;
    }
    s->effective_epoch = (double)t->n_grads * (double)t->batch / (double)t->train->n;
    s->seconds = now() - start;
    return DR_SUCCESS;
}

int dr_lr_schedule_parse(dr_lr_schedule *s, const char *text)
{
    DR_CHECK_PTRS(s, text);
    memset(s, 0, sizeof *s);
    const char *p = text;
    while (*p) {
        if (s->n == DR_LR_SCHEDULE_MAX)
            return dr_error(DR_EINVAL, "learning-rate schedule: more than %d entries",
                            DR_LR_SCHEDULE_MAX);
        /* EPOCH:LR up to the next comma, each number through the strict parsers */
        const char *colon = strchr(p, ':'), *comma = strchr(p, ',');
        size_t item = comma ? (size_t)(comma - p) : strlen(p);
        long epoch;
        double lr;
        if (!colon || (size_t)(colon - p) >= item ||
            dr_parse_long(p, (size_t)(colon - p), 1, 1000000, &epoch) != DR_SUCCESS)
            return dr_error(DR_EINVAL, "learning-rate schedule '%s': expected EPOCH:LR,... "
                            "with EPOCH >= 1", text);
        const char *rate = colon + 1;
        if (dr_parse_double(rate, item - (size_t)(rate - p), 0, &lr) != DR_SUCCESS || !(lr >= 0))
            return dr_error(DR_EINVAL, "learning-rate schedule '%s': bad rate after '%ld:'",
                            text, epoch);
        const char *end = p + item;
        if (s->n > 0 && epoch <= s->epoch[s->n - 1])
            return dr_error(DR_EINVAL, "learning-rate schedule '%s': epochs must increase", text);
        s->epoch[s->n] = (int)epoch;
        s->lr[s->n++] = lr;
        p = *end ? end + 1 : end;
        if (*end == ',' && !*p)
            return dr_error(DR_EINVAL, "learning-rate schedule '%s': trailing comma", text);
    }
    if (s->n == 0)
        return dr_error(DR_EINVAL, "learning-rate schedule: empty");
    return DR_SUCCESS;
}

double dr_lr_schedule_at(const dr_lr_schedule *s, double base, int epoch)
{
    double lr = base;
    for (int i = 0; s && i < s->n; i++)
        if (epoch >= s->epoch[i])
            lr = s->lr[i];
    return lr;
}

void dr_nn_set_threads(int n)
{
    if (n <= 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        n = cores > 0 ? (int)cores : 1;
    }
    openblas_set_num_threads(n);
    omp_set_num_threads(n); /* the trainer's own loops (the pthread OpenBLAS has its own pool) */
}

int dr_nn_get_threads(void) { return openblas_get_num_threads(); }

const char *dr_nn_blas_core(const char **suggest)
{
    const char *core = openblas_get_corename();
    *suggest = NULL;
    if (!core || strcmp(core, "Prescott") == 0 || strcmp(core, "Core2") == 0 ||
        strcmp(core, "Nehalem") == 0) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f"))
            *suggest = "SkylakeX";
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
            *suggest = "Haswell";
    }
    return core ? core : "unknown";
}
