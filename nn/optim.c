/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Optimisers on the flat parameter vector: SGD with Nesterov momentum, Entropy-SGD (a Langevin
 * inner loop whose averaged iterate gives the gradient of the local entropy), HJ (the damped
 * fixed point of the proximal step) and Elastic-SGD (coupled replicas). */
#include "deeprelax/nn.h"
#include "../solver/dr_args.h"
#include "deeprelax/error.h"
#include "nn_parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct dr_optim {
    dr_optim_params p;
    size_t n;
    uint64_t k;        /* outer steps taken: the scoping clock */
    float *buf;        /* Nesterov momentum of the outer step (one per replica for Elastic-SGD) */
    float *g, *y, *mu; /* a gradient; the inner iterate (HJ: the evaluation point); its average */
    float *hj_p;       /* HJ's p, the gradient of the inviscid solution u(x, t) */
    int g_zero;        /* g is all zeros (the fused SGD step leaves it so) */
    float *replicas;   /* Elastic-SGD: replicas x n */
    dr_nn_rng rng;
};

void dr_optim_defaults(dr_optim_params *p, int kind)
{
    *p = (dr_optim_params){.kind = kind, .lr = 0.1, .momentum = 0.9, .weight_decay = 0.0,
                           .L = 1, .inner_lr = 0.1, .noise = 1e-4, .alpha = 0.75, .g0 = 1e-4,
                           .g1 = 1e-3, .hj_gamma = 0.1, .replicas = 3, .rho = 0.01,
                           .rho_growth = 1e-3, .rho_max = 1.0};
    if (kind == DR_OPTIM_ENTROPY_SGD) {
        p->L = 20;
        p->lr = 1.0;
    } else if (kind == DR_OPTIM_HJ) {
        p->L = 20; /* lr 0.1 = hj_gamma: without momentum x would land on the proximal point */
    } else if (kind == DR_OPTIM_PARLE) {
        /* the authors' (ucla-vision/parle): L = 25, gamma0 = rho0 = 0.01, no Langevin noise,
         * gamma capped at 1 and rho at 10 */
        p->L = 25;
        p->g0 = 0.01;
        p->noise = 0.0;
        p->rho = 0.01;
        p->rho_max = 10.0;
    }
}

static const char *const kind_names[] = {"sgd", "entropy-sgd", "hj", "elastic-sgd", "parle"};

int dr_optim_kind_parse(const char *name, int *kind)
{
    DR_CHECK_PTRS(name, kind);
    for (int i = 0; i < 5; i++)
        if (!strcmp(name, kind_names[i])) {
            *kind = i;
            return DR_SUCCESS;
        }
    return dr_error(DR_ENOTFOUND, "unknown optimiser '%s' (known: sgd, entropy-sgd, hj, "
                    "elastic-sgd, parle)", name);
}

const char *dr_optim_kind_name(int kind)
{
    return kind >= 0 && kind < 5 ? kind_names[kind] : "?";
}

int dr_optim_grads_per_step(const dr_optim_params *p)
{
    switch (p->kind) {
    case DR_OPTIM_ENTROPY_SGD:
    case DR_OPTIM_HJ: return p->L;
    case DR_OPTIM_ELASTIC_SGD:
    case DR_OPTIM_PARLE: return p->replicas;
    default: return 1;
    }
}

static int check_params(const dr_optim_params *p)
{
    if (p->kind < 0 || p->kind > DR_OPTIM_ELASTIC_SGD)
        return dr_error(DR_EINVAL, p->kind == DR_OPTIM_PARLE ? "optimiser: parle runs on "
                        "replicas (dr_replicas)" : "optimiser: unknown kind %d", p->kind);
    if (!(p->lr >= 0) || !(p->momentum >= 0 && p->momentum < 1) || !(p->weight_decay >= 0))
        return dr_error(DR_EINVAL, "optimiser: need lr >= 0, 0 <= momentum < 1, weight decay "
                        ">= 0 (got %g, %g, %g)", p->lr, p->momentum, p->weight_decay);
    if (p->kind == DR_OPTIM_ENTROPY_SGD || p->kind == DR_OPTIM_HJ) {
        if (p->L < 1 || p->L > 10000)
            return dr_error(DR_EINVAL, "optimiser: L = %d inner steps (must be 1..10000)", p->L);
        if (!(p->inner_lr > 0) || !(p->noise >= 0) || !(p->alpha >= 0 && p->alpha < 1) ||
            !(p->g0 > 0) || !(p->g1 >= 0) || !(p->hj_gamma > 0))
            return dr_error(DR_EINVAL, "optimiser: need inner lr > 0, noise >= 0, 0 <= alpha < "
                            "1, g0 > 0, g1 >= 0, gamma > 0");
    }
    if (p->kind == DR_OPTIM_ELASTIC_SGD &&
        (p->replicas < 1 || p->replicas > 64 || !(p->rho >= 0) || !(p->rho_growth >= 0) ||
         !(p->rho_max >= p->rho)))
        return dr_error(DR_EINVAL, "optimiser: Elastic-SGD needs 1..64 replicas, rho >= 0, "
                        "growth >= 0, rho max >= rho");
    return DR_SUCCESS;
}

int dr_optim_alloc(dr_optim **out, const dr_optim_params *p, size_t n, const float *w0)
{
    *out = NULL;
    int status = check_params(p);
    if (status != DR_SUCCESS)
        return status;
    dr_optim *o = calloc(1, sizeof *o);
    if (!o)
        return dr_error(DR_ENOMEM, "optimiser: out of memory");
    o->p = *p;
    o->n = n;
    size_t R = p->kind == DR_OPTIM_ELASTIC_SGD ? (size_t)p->replicas : 1;
    o->buf = calloc(R * n, sizeof(float));
    o->g = malloc(n * sizeof(float));
    int ok = o->buf && o->g;
    if (p->kind == DR_OPTIM_ENTROPY_SGD || p->kind == DR_OPTIM_HJ) {
        o->y = malloc(n * sizeof(float));
        o->mu = malloc(n * sizeof(float));
        o->hj_p = malloc(n * sizeof(float));
        ok = ok && o->y && o->mu && o->hj_p;
    }
    if (p->kind == DR_OPTIM_ELASTIC_SGD) {
        o->replicas = malloc(R * n * sizeof(float));
        ok = ok && o->replicas;
        for (size_t a = 0; ok && a < R; a++)
            memcpy(o->replicas + a * n, w0, n * sizeof(float));
    }
    if (!ok) {
        dr_optim_free(o);
        return dr_error(DR_ENOMEM, "optimiser: cannot allocate state for %zu parameters", n);
    }
    dr_nn_rng_seed(&o->rng, 0x5eed0f1a2b3cULL ^ n);
    *out = o;
    return DR_SUCCESS;
}

void dr_optim_free(dr_optim *o)
{
    if (!o)
        return;
    free(o->buf);
    free(o->g);
    free(o->y);
    free(o->mu);
    free(o->hj_p);
    free(o->replicas);
    free(o);
}

/* PyTorch's Nesterov form on element i with gradient d: buf <- m buf + d; w <- w - lr (d + m
 * buf). Every pass below does this same arithmetic, so they agree to the bit. */
static inline void nesterov_at(float *w, float *buf, float d, size_t i, float lr, float m)
{
    float b = m * buf[i] + d;
    buf[i] = b;
    w[i] -= lr * (d + m * b);
}

static void nesterov(float *w, float *buf, const float *d, size_t n, double lr, double m)
{
    float flr = (float)lr, fm = (float)m;
#pragma omp parallel for simd schedule(static) if (n >= DR_NN_PAR_MIN)
    for (size_t i = 0; i < n; i++)
        nesterov_at(w, buf, d[i], i, flr, fm);
}

/* SGD's step with weight decay wd: the gradient g + wd w (as add_decay would leave it in g), in
 * the same pass as the Nesterov update. */
static void nesterov_decay(float *w, float *buf, const float *g, size_t n, double lr, double m,
                           double wd)
{
    float flr = (float)lr, fm = (float)m, fwd = (float)wd;
#pragma omp parallel for simd schedule(static) if (n >= DR_NN_PAR_MIN)
    for (size_t i = 0; i < n; i++)
        nesterov_at(w, buf, g[i] + fwd * w[i], i, flr, fm);
}

/* One block of the fused SGD step (see nn_parallel.h), weight decay and Nesterov in one pass,
 * leaving the block's gradient zero for the next step's sgemm: its cache lines are dirty from
 * the sgemm already, so the zeros cost no extra pass over memory, where a separate zeroing pass
 * cost 5% of a 2-thread mnistfc step. */
typedef struct {
    float *w, *buf, *g;
    float lr, m, wd;
} sgd_block;

static void sgd_slice(void *ctx, size_t off, size_t len)
{
    const sgd_block *s = ctx;
    float *w = s->w + off, *buf = s->buf + off, *g = s->g + off, flr = s->lr, fm = s->m,
          fwd = s->wd;
    if (fwd > 0) {
#pragma omp parallel for simd schedule(static) if (len >= DR_NN_PAR_MIN)
        for (size_t i = 0; i < len; i++) {
            nesterov_at(w, buf, g[i] + fwd * w[i], i, flr, fm);
            g[i] = 0.0f;
        }
    } else {
#pragma omp parallel for simd schedule(static) if (len >= DR_NN_PAR_MIN)
        for (size_t i = 0; i < len; i++) {
            nesterov_at(w, buf, g[i], i, flr, fm);
            g[i] = 0.0f;
        }
    }
}

int dr_nn_optim_sgd_fused(dr_optim *o, float *w, double lr, dr_nn_slice_grad_fn grad,
                          void *ctx)
{
    if (!(lr >= 0) || !isfinite(lr))
        return dr_error(DR_EINVAL, "optimiser: learning rate %g", lr);
    if (o->p.kind != DR_OPTIM_SGD)
        return dr_error(DR_EINVAL, "optimiser: the fused step is SGD's only");
    sgd_block s = {w, o->buf, o->g, (float)lr, (float)o->p.momentum, 0.0f};
    if (o->p.weight_decay > 0)
        s.wd = (float)o->p.weight_decay;
    dr_nn_slices slices = {sgd_slice, &s, o->g_zero};
    double loss;
    size_t err;
    /* on failure (a non-finite loss, before the backward pass) g may hold a partial gradient */
    o->g_zero = 0;
    int status = grad(ctx, w, o->g, &loss, &err, &slices);
    if (status == DR_SUCCESS) {
        o->g_zero = 1;
        o->k++;
    }
    return status;
}

static void add_decay(float *g, const float *w, size_t n, double wd)
{
    if (!(wd > 0))
        return;
    float fwd = (float)wd;
#pragma omp parallel for simd schedule(static) if (n >= DR_NN_PAR_MIN)
    for (size_t i = 0; i < n; i++)
        g[i] += fwd * w[i];
}

/* A standard normal's stand-in for Langevin noise: the Irwin-Hall sum of four 16-bit uniforms,
 * rescaled to mean 0 and variance 1. At the amplitudes used (1e-4) only the variance matters, and
 * it costs one generator call instead of a logarithm and a cosine per parameter. */
static inline float noise_variate(uint64_t r)
{
    float s = (float)(r & 0xffff) + (float)((r >> 16) & 0xffff) + (float)((r >> 32) & 0xffff) +
              (float)(r >> 48);
    /* four U(0, 65536): mean 131070 (plus 2 from the discrete grid), variance 4 * 65536^2 / 12 */
    return (s - 131070.0f) * (float)(1.7320508075688772 / 65536.0);
}

/* y += amp xi with xi from chunked streams under `base` (see nn_parallel.h): the same noise for
 * every thread count. */
static void add_noise(float *y, size_t n, float amp, uint64_t base)
{
    size_t chunks = (n + DR_NN_RNG_CHUNK - 1) / DR_NN_RNG_CHUNK;
#pragma omp parallel for schedule(static) if (n >= DR_NN_PAR_MIN)
    for (size_t c = 0; c < chunks; c++) {
        dr_nn_rng r;
        dr_nn_rng_chunk(&r, base, c);
        size_t end = (c + 1) * DR_NN_RNG_CHUNK < n ? (c + 1) * DR_NN_RNG_CHUNK : n;
        for (size_t j = c * DR_NN_RNG_CHUNK; j < end; j++)
            y[j] += amp * noise_variate(dr_nn_rng_next(&r));
    }
}

static int entropy_sgd_step(dr_optim *o, float *x, double lr, dr_grad_fn grad, void *ctx)
{
    const dr_optim_params *p = &o->p;
    size_t n = o->n;
    /* scoping: the coupling 1/gamma_k = g0 (1+g1)^k grows, the Gibbs measure narrows */
    float coupling = (float)(p->g0 * pow(1.0 + p->g1, (double)o->k));
    float eta = (float)p->inner_lr, a = (float)p->alpha;
    float amp = (float)(sqrt(2.0 * p->inner_lr) * p->noise);
    memcpy(o->y, x, n * sizeof(float));
    memcpy(o->mu, x, n * sizeof(float));
    for (int i = 0; i < p->L; i++) {
        double loss;
        size_t err;
        int status = grad(ctx, o->y, o->g, &loss, &err);
        if (status != DR_SUCCESS)
            return status;
        add_decay(o->g, o->y, n, p->weight_decay);
        float *y = o->y, *g = o->g, *mu = o->mu;
#pragma omp parallel for simd schedule(static) if (n >= DR_NN_PAR_MIN)
        for (size_t j = 0; j < n; j++)
            y[j] -= eta * (g[j] + coupling * (y[j] - x[j]));
        if (amp > 0)
            add_noise(y, n, amp, dr_nn_rng_next(&o->rng));
#pragma omp parallel for simd schedule(static) if (n >= DR_NN_PAR_MIN)
        for (size_t j = 0; j < n; j++)
            mu[j] = a * mu[j] + (1.0f - a) * y[j];
    }
    /* The local-entropy gradient is (x - <y>)/gamma; as in the authors' code the 1/gamma is
     * folded into the outer rate, so lr = 1 moves x to the average <y>. */
    float *g = o->g, *mu = o->mu;
#pragma omp parallel for simd schedule(static) if (n >= DR_NN_PAR_MIN)
    for (size_t j = 0; j < n; j++)
        g[j] = x[j] - mu[j];
    nesterov(x, o->buf, o->g, n, lr, p->momentum);
    return DR_SUCCESS;
}

static int hj_step(dr_optim *o, float *x, double lr, dr_grad_fn grad, void *ctx)
{
    const dr_optim_params *p = &o->p;
    size_t n = o->n;
    float t = (float)p->hj_gamma, *pv = o->hj_p, *z = o->y, *g = o->g;
    /* p = grad u(x, t) solves p = grad f(x - t p) (the proximal point is x - t p); the damped
     * iteration p <- 0.75 p + 0.25 grad f(x - t p) from p = 0, on fresh minibatches */
    memset(pv, 0, n * sizeof(float));
    for (int i = 0; i < p->L; i++) {
#pragma omp parallel for simd schedule(static) if (n >= DR_NN_PAR_MIN)
        for (size_t j = 0; j < n; j++)
            z[j] = x[j] - t * pv[j];
        double loss;
        size_t err;
        int status = grad(ctx, z, g, &loss, &err);
        if (status != DR_SUCCESS)
            return status;
        add_decay(g, z, n, p->weight_decay);
#pragma omp parallel for simd schedule(static) if (n >= DR_NN_PAR_MIN)
        for (size_t j = 0; j < n; j++)
            pv[j] = 0.75f * pv[j] + 0.25f * g[j];
    }
    nesterov(x, o->buf, pv, n, lr, p->momentum);
    return DR_SUCCESS;
}

static int elastic_step(dr_optim *o, float *x, double lr, dr_grad_fn grad, void *ctx)
{
    const dr_optim_params *p = &o->p;
    size_t n = o->n, R = (size_t)p->replicas;
    float rho = (float)fmin(p->rho_max, p->rho * pow(1.0 + p->rho_growth, (double)o->k));
    /* x holds the replicas' mean on entry (it is what the caller evaluates) */
    for (size_t a = 0; a < R; a++) {
        float *y = o->replicas + a * n;
        double loss;
        size_t err;
        int status = grad(ctx, y, o->g, &loss, &err);
        if (status != DR_SUCCESS)
            return status;
        add_decay(o->g, y, n, p->weight_decay);
        float *g = o->g;
#pragma omp parallel for simd schedule(static) if (n >= DR_NN_PAR_MIN)
        for (size_t j = 0; j < n; j++)
            g[j] += rho * (y[j] - x[j]);
        nesterov(y, o->buf + a * n, o->g, n, lr, p->momentum);
    }
    const float *ys = o->replicas;
#pragma omp parallel for schedule(static) if (n >= DR_NN_PAR_MIN)
    for (size_t j = 0; j < n; j++) {
        float s = 0.0f;
        for (size_t a = 0; a < R; a++)
            s += ys[a * n + j];
        x[j] = s / (float)R;
    }
    return DR_SUCCESS;
}

int dr_optim_step(dr_optim *o, float *w, double lr, dr_grad_fn grad, void *ctx)
{
    if (!(lr >= 0) || !isfinite(lr))
        return dr_error(DR_EINVAL, "optimiser: learning rate %g", lr);
    int status;
    switch (o->p.kind) {
    case DR_OPTIM_ENTROPY_SGD: status = entropy_sgd_step(o, w, lr, grad, ctx); break;
    case DR_OPTIM_HJ: status = hj_step(o, w, lr, grad, ctx); break;
    case DR_OPTIM_ELASTIC_SGD: status = elastic_step(o, w, lr, grad, ctx); break;
    default: {
        double loss;
        size_t err;
        status = grad(ctx, w, o->g, &loss, &err);
        if (status == DR_SUCCESS && o->p.weight_decay > 0)
            nesterov_decay(w, o->buf, o->g, o->n, lr, o->p.momentum, o->p.weight_decay);
        else if (status == DR_SUCCESS)
            nesterov(w, o->buf, o->g, o->n, lr, o->p.momentum);
    }
    }
    o->g_zero = 0;
    if (status == DR_SUCCESS)
        o->k++;
    return status;
}
