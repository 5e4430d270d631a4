/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Coupled replicas: Elastic-SGD and Parle with K replicas spread over one or more processes.
 * Each replica is a trainer of its own (data order, dropout stream, seed + a); every L steps the
 * replicas' mean is formed through the caller's reduction (in-process: a plain sum; over MPI: an
 * MPI_Allreduce in nn/replicas_mpi.c), so the same code runs both ways and gives the same
 * numbers. See nn.h for the update rules and why the sums are taken in double. */
#include "deeprelax/nn.h"
#include "deeprelax/error.h"
#include "nn_parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct replica {
    dr_mlp *m;       /* its own workspace and batch-norm running statistics */
    dr_trainer *t;   /* its data order and dropout stream */
    float *y, *x, *z, *buf_y, *buf_x, *g; /* Parle uses all; Elastic-SGD y, buf_y, g */
};

struct dr_replicas {
    dr_optim_params p;
    dr_replicas_layout lay;
    size_t n, ns, steps_per_epoch, n_train, batch;
    uint64_t step, syncs;
    struct replica *rep;
    float *mean;     /* the mean of the last sync (y for Elastic-SGD, x for Parle) */
    double *sum;     /* reduction buffer: flag, 3 extras, n params, ns state */
    int failed;      /* a local replica failed: carried to the next reduction */
    int remote;      /* a reduction brought another process's failure */
    int fail_status;
    double comm;     /* seconds in `reduce` this epoch */
};

enum { RED_FLAG, RED_LOSS, RED_ERR, RED_ROWS, RED_HEAD };

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void dr_replicas_free(dr_replicas *r)
{
    if (!r)
        return;
    for (int a = 0; r->rep && a < r->lay.local; a++) {
        struct replica *q = &r->rep[a];
        dr_trainer_free(q->t);
        dr_mlp_free(q->m);
        free(q->y); free(q->x); free(q->z); free(q->buf_y); free(q->buf_x); free(q->g);
    }
    free(r->rep);
    free(r->mean);
    free(r->sum);
    free(r);
}

static int replica_alloc(dr_replicas *r, struct replica *q, const dr_mlp *m, const float *w0,
                         const dr_dataset *train, uint64_t seed)
{
    size_t n = r->n, bytes = n * sizeof(float);
    int parle = r->p.kind == DR_OPTIM_PARLE;
    q->y = malloc(bytes);
    q->buf_y = calloc(n, sizeof(float));
    q->g = malloc(bytes);
    if (parle) {
        q->x = malloc(bytes);
        q->z = malloc(bytes);
        q->buf_x = calloc(n, sizeof(float));
    }
    if (!q->y || !q->buf_y || !q->g || (parle && (!q->x || !q->z || !q->buf_x)))
        return dr_error(DR_ENOMEM, "replicas: cannot allocate %zu parameters", n);
    memcpy(q->y, w0, bytes);
    if (parle) {
        memcpy(q->x, w0, bytes);
        memcpy(q->z, w0, bytes);
    }
    int status = dr_mlp_alloc(&q->m, dr_mlp_get_config(m), r->batch);
    if (status != DR_SUCCESS)
        return status;
    memcpy(dr_mlp_state(q->m), dr_mlp_state((dr_mlp *)m), r->ns * sizeof(float));
    dr_optim_params sgd;
    dr_optim_defaults(&sgd, DR_OPTIM_SGD);
    return dr_trainer_alloc(&q->t, q->m, q->y, train, NULL, &sgd, r->batch, seed);
}

int dr_replicas_alloc(dr_replicas **out, const dr_mlp *m, const float *w0,
                      const dr_dataset *train, const dr_optim_params *p, size_t batch,
                      uint64_t seed, const dr_replicas_layout *lay)
{
    *out = NULL;
    if (p->kind != DR_OPTIM_ELASTIC_SGD && p->kind != DR_OPTIM_PARLE)
        return dr_error(DR_EINVAL, "replicas: the optimiser must be elastic-sgd or parle");
    if (lay->total < 1 || lay->total > 4096 || lay->local < 1 || lay->first < 0 ||
        lay->first + lay->local > lay->total || (lay->local < lay->total && !lay->reduce))
        return dr_error(DR_EINVAL, "replicas: layout of %d replicas from %d of %d total "
                        "(a partial share needs a reduction)", lay->local, lay->first,
                        lay->total);
    if (p->L < 1 || p->L > 10000 || !(p->lr >= 0) || !(p->momentum >= 0 && p->momentum < 1) ||
        !(p->rho >= 0) || !(p->rho_growth >= 0) || !(p->rho_max >= 0) ||
        !(p->weight_decay >= 0) || !(p->alpha >= 0 && p->alpha < 1) || !(p->g0 >= 0) ||
        !(p->noise >= 0))
        return dr_error(DR_EINVAL, "replicas: need 1 <= L <= 10000, lr, rho, rho growth, rho "
                        "max, weight decay, g0, noise >= 0, 0 <= momentum < 1, 0 <= alpha < 1");
    dr_replicas *r = calloc(1, sizeof *r);
    if (!r)
        return dr_error(DR_ENOMEM, "replicas: out of memory");
    r->p = *p;
    r->lay = *lay;
    r->n = dr_mlp_n_params(m);
    r->ns = dr_mlp_n_state(m);
    r->batch = batch;
    r->n_train = train->n;
    r->steps_per_epoch = (train->n + batch - 1) / batch;
    r->rep = calloc((size_t)lay->local, sizeof *r->rep);
    r->mean = malloc(r->n * sizeof(float));
    r->sum = malloc((RED_HEAD + r->n + r->ns) * sizeof(double));
    int status = r->rep && r->mean && r->sum ? DR_SUCCESS
                                             : dr_error(DR_ENOMEM, "replicas: out of memory");
    if (status == DR_SUCCESS)
        memcpy(r->mean, w0, r->n * sizeof(float));
    for (int a = 0; status == DR_SUCCESS && a < lay->local; a++)
        status = replica_alloc(r, &r->rep[a], m, w0, train, seed + (uint64_t)(lay->first + a));
    if (status != DR_SUCCESS) {
        dr_replicas_free(r);
        return status;
    }
    *out = r;
    return DR_SUCCESS;
}

uint64_t dr_replicas_syncs(const dr_replicas *r) { return r->syncs; }
int dr_replicas_remote_failure(const dr_replicas *r) { return r->remote; }

/* The mean over all K replicas of y (or with use_x of x) into
 * `mean`, and with `state` of the running statistics into `state`; extras[0..2] are summed
 * alongside. Carries this process's failure flag; returns the failure if any process had one. */
static int reduce_mean(dr_replicas *r, int use_x, float *mean, float *state, double extras[3])
{
    size_t n = r->n, ns = state ? r->ns : 0, len = RED_HEAD + n + ns;
    double *s = r->sum;
    s[RED_FLAG] = r->failed;
    for (int k = 0; k < 3; k++)
        s[RED_LOSS + k] = extras ? extras[k] : 0.0;
    int local = r->lay.local;
#pragma omp parallel for schedule(static) if (n >= DR_NN_PAR_MIN)
    for (size_t j = 0; j < n; j++) {
        double acc = 0.0;
        for (int a = 0; a < local; a++)
            acc += (double)(use_x ? r->rep[a].x : r->rep[a].y)[j];
        s[RED_HEAD + j] = acc;
    }
    for (size_t j = 0; j < ns; j++) {
        double acc = 0.0;
        for (int a = 0; a < local; a++)
            acc += (double)dr_mlp_state(r->rep[a].m)[j];
        s[RED_HEAD + n + j] = acc;
    }
    if (r->lay.reduce) {
        double t = now();
        int status = r->lay.reduce(r->lay.reduce_ctx, s, len);
        r->comm += now() - t;
        if (status != DR_SUCCESS)
            return status;
    }
    if (s[RED_FLAG] > 0) {
        if (r->failed)
            return r->fail_status;
        r->remote = 1;
        return dr_error(DR_EINVAL, "a replica on another process failed");
    }
    double K = (double)r->lay.total;
#pragma omp parallel for schedule(static) if (n >= DR_NN_PAR_MIN)
    for (size_t j = 0; j < n; j++)
        mean[j] = (float)(s[RED_HEAD + j] / K);
    for (size_t j = 0; j < ns; j++)
        state[j] = (float)(s[RED_HEAD + n + j] / K);
    if (extras)
        for (int k = 0; k < 3; k++)
            extras[k] = s[RED_LOSS + k];
    return DR_SUCCESS;
}

/* PyTorch's Nesterov form: buf <- m buf + d; w <- w - lr (d + m buf). */
static void nesterov(float *w, float *buf, const float *d, size_t n, float lr, float m)
{
#pragma omp parallel for simd schedule(static) if (n >= DR_NN_PAR_MIN)
    for (size_t i = 0; i < n; i++) {
        float b = m * buf[i] + d[i];
        buf[i] = b;
        w[i] -= lr * (d[i] + m * b);
    }
}

/* One gradient of replica q at y plus weight decay and the coupling c (y - anchor). */
static int coupled_gradient(dr_replicas *r, struct replica *q, const float *anchor, float c)
{
    double loss;
    size_t err;
    int status = dr_trainer_gradient(q->t, q->y, q->g, &loss, &err);
    if (status != DR_SUCCESS)
        return status;
    size_t n = r->n;
    float wd = (float)r->p.weight_decay, *g = q->g, *y = q->y;
#pragma omp parallel for simd schedule(static) if (n >= DR_NN_PAR_MIN)
    for (size_t j = 0; j < n; j++)
        g[j] += wd * y[j] + c * (y[j] - anchor[j]);
    return DR_SUCCESS;
}

/* Parle's outer step on replica q after L inner steps, and the restart of its inner loop. */
static void parle_outer(dr_replicas *r, struct replica *q, float lr, float rho)
{
    size_t n = r->n;
    float *x = q->x, *z = q->z, *g = q->g;
    const float *mean = r->mean;
#pragma omp parallel for simd schedule(static) if (n >= DR_NN_PAR_MIN)
    for (size_t j = 0; j < n; j++)
        g[j] = (x[j] - z[j]) + rho * (x[j] - mean[j]);
    nesterov(x, q->buf_x, g, n, lr, (float)r->p.momentum);
    memcpy(q->y, x, n * sizeof(float));
    memcpy(z, x, n * sizeof(float));
}

/* y += amp xi, xi standard normal from chunked streams under `base` (see nn_parallel.h). */
static void add_noise(float *y, size_t n, float amp, uint64_t base)
{
    size_t chunks = (n + DR_NN_RNG_CHUNK - 1) / DR_NN_RNG_CHUNK;
#pragma omp parallel for schedule(static) if (n >= DR_NN_PAR_MIN)
    for (size_t c = 0; c < chunks; c++) {
        dr_nn_rng g;
        dr_nn_rng_chunk(&g, base, c);
        size_t end = (c + 1) * DR_NN_RNG_CHUNK < n ? (c + 1) * DR_NN_RNG_CHUNK : n;
        for (size_t j = c * DR_NN_RNG_CHUNK; j < end; j++)
            y[j] += amp * (float)dr_nn_rng_gaussian(&g);
    }
}

/* One step of every local replica; a sync every L steps. */
static int replicas_step(dr_replicas *r, float lr)
{
    const dr_optim_params *p = &r->p;
    size_t n = r->n;
    int parle = p->kind == DR_OPTIM_PARLE;
    /* Parle's scoping grows both couplings by (1 + 1/(2 nb)) per outer step */
    double scope = pow(1.0 + 0.5 / (double)r->steps_per_epoch, (double)r->syncs);
    float gamma = (float)fmin(1.0, p->g0 * scope);
    float rho = parle ? (float)fmin(p->rho_max, p->rho * p->L * r->lay.total * scope)
                      : (float)fmin(p->rho_max, p->rho * pow(1.0 + p->rho_growth,
                                                               (double)r->step));
    float a = (float)p->alpha, amp = (float)(sqrt(2.0 * lr) * p->noise), m = (float)p->momentum;
    for (int k = 0; k < r->lay.local && !r->failed; k++) {
        struct replica *q = &r->rep[k];
        int status = coupled_gradient(r, q, parle ? q->x : r->mean, parle ? gamma : rho);
        if (status != DR_SUCCESS) {
            r->failed = 1;
            r->fail_status = status;
            break;
        }
        nesterov(q->y, q->buf_y, q->g, n, lr, m);
        if (!parle)
            continue;
        float *y = q->y, *z = q->z;
        if (amp > 0) /* Langevin noise (Parle's default has none) */
            add_noise(y, n, amp, (uint64_t)(r->lay.first + k) * 0x9e3779b97f4a7c15ULL + r->step);
#pragma omp parallel for simd schedule(static) if (n >= DR_NN_PAR_MIN)
        for (size_t j = 0; j < n; j++)
            z[j] = a * z[j] + (1.0f - a) * y[j];
    }
    r->step++;
    if (r->step % (uint64_t)p->L != 0)
        return DR_SUCCESS;
    if (parle && !r->failed)
        for (int k = 0; k < r->lay.local; k++)
            parle_outer(r, &r->rep[k], lr, rho);
    int status = reduce_mean(r, parle, r->mean, NULL, NULL);
    if (status == DR_SUCCESS)
        r->syncs++;
    return status;
}

int dr_replicas_epoch(dr_replicas *r, double lr, dr_mlp *mean_m, float *mean_w,
                      const dr_dataset *test, dr_epoch_stats *s, double *comm_seconds)
{
    if (!(lr >= 0) || !isfinite(lr))
        return dr_error(DR_EINVAL, "replicas: learning rate %g", lr);
    double start = now();
    r->comm = 0.0;
    for (int k = 0; k < r->lay.local; k++)
        dr_trainer_reset_means(r->rep[k].t);
    for (size_t k = 0; k < r->steps_per_epoch; k++) {
        int status = replicas_step(r, (float)lr);
        if (status != DR_SUCCESS)
            return status;
    }
    /* the epoch's mean model (not a sync: the replicas do not see it) and the loss sums */
    double ex[3] = {0, 0, 0};
    for (int k = 0; k < r->lay.local; k++) {
        double l;
        size_t e, rows;
        dr_trainer_sums(r->rep[k].t, &l, &e, &rows);
        ex[0] += l;
        ex[1] += (double)e;
        ex[2] += (double)rows;
    }
    int status = reduce_mean(r, r->p.kind == DR_OPTIM_PARLE, mean_w,
                             dr_mlp_state(mean_m), ex);
    if (status != DR_SUCCESS)
        return status;
    s->train_loss = ex[0] / ex[2];
    s->train_error = ex[1] / ex[2];
    s->test_loss = s->test_error = NAN;
    if (test && (status = dr_mlp_evaluate(mean_m, mean_w, test, 0, DR_MLP_EVAL, &s->test_loss,
                                          &s->test_error)) != DR_SUCCESS)
        return status;
    s->effective_epoch = (double)r->step * (double)r->lay.total * (double)r->batch /
                         (double)r->n_train;
    s->seconds = now() - start;
    *comm_seconds = r->comm;
    return DR_SUCCESS;
}
