/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The multi-layer perceptron: layout of the flat parameter vector, initialisation, and one
 * minibatch's loss and gradient (forward and backward through the layer kernels). */
#include "deeprelax/nn.h"
#include "../solver/dr_args.h"
#include "deeprelax/error.h"
#include "nn_parallel.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BN_EPS 1e-5f
#define BN_MOMENTUM 0.1f

struct dr_mlp {
    dr_mlp_config c;
    size_t max_batch, n_params, n_state;
    dr_mlp_layer_layout lay[DR_MLP_MAX_LAYERS];
    size_t run_mean[DR_MLP_MAX_LAYERS], run_var[DR_MLP_MAX_LAYERS]; /* offsets in state */
    float *state;
    /* workspace, one set per layer l: its input a[l], dense output z[l], and for hidden
     * layers the batch-norm saves, the ReLU output r[l] and the dropout mask */
    float *in_mask, *a[DR_MLP_MAX_LAYERS], *z[DR_MLP_MAX_LAYERS], *xhat[DR_MLP_MAX_LAYERS];
    float *invstd[DR_MLP_MAX_LAYERS], *bmean[DR_MLP_MAX_LAYERS], *bvar[DR_MLP_MAX_LAYERS];
    float *r[DR_MLP_MAX_LAYERS], *mask[DR_MLP_MAX_LAYERS];
    float *delta, *delta2;
    float *arena;
};

int dr_mlp_preset(dr_mlp_config *c, const char *name)
{
    DR_CHECK_PTRS(c, name);
    memset(c, 0, sizeof *c);
    if (!strcmp(name, "mnistfc")) {
        *c = (dr_mlp_config){.n_layers = 3, .sizes = {784, 1024, 1024, 10}, .batchnorm = 1,
                             .dropout_in = 0.2f, .dropout_hidden = 0.2f};
        return DR_SUCCESS;
    }
    if (!strcmp(name, "small")) {
        *c = (dr_mlp_config){.n_layers = 3, .sizes = {784, 64, 64, 10}, .batchnorm = 1,
                             .dropout_in = 0.1f, .dropout_hidden = 0.1f};
        return DR_SUCCESS;
    }
    return dr_error(DR_ENOTFOUND, "unknown model '%s' (known: mnistfc, small)", name);
}

int dr_mlp_config_check(const dr_mlp_config *c)
{
    DR_CHECK_PTRS(c);
    if (c->n_layers < 1 || c->n_layers > DR_MLP_MAX_LAYERS)
        return dr_error(DR_EINVAL, "MLP: %d dense layers (must be 1..%d)", c->n_layers,
                        DR_MLP_MAX_LAYERS);
    for (int l = 0; l <= c->n_layers; l++)
        if (c->sizes[l] < 1 || c->sizes[l] > (1u << 20))
            return dr_error(DR_EINVAL, "MLP: layer width %zu out of range 1..%u", c->sizes[l],
                            1u << 20);
    if (c->sizes[c->n_layers] < 2 || c->sizes[c->n_layers] > 256)
        return dr_error(DR_EINVAL, "MLP: %zu classes (must be 2..256)", c->sizes[c->n_layers]);
    if (!(c->dropout_in >= 0.0f && c->dropout_in < 1.0f) ||
        !(c->dropout_hidden >= 0.0f && c->dropout_hidden < 1.0f))
        return dr_error(DR_EINVAL, "MLP: dropout rates must be in [0, 1) (got %g, %g)",
                        c->dropout_in, c->dropout_hidden);
    if (c->batchnorm != 0 && c->batchnorm != 1)
        return dr_error(DR_EINVAL, "MLP: batchnorm flag must be 0 or 1");
    return DR_SUCCESS;
}

int dr_mlp_alloc(dr_mlp **out, const dr_mlp_config *c, size_t max_batch)
{
    DR_CHECK_PTRS(out, c);
    *out = NULL;
    int status = dr_mlp_config_check(c);
    if (status != DR_SUCCESS)
        return status;
    if (max_batch < 1 || max_batch > (1u << 20))
        return dr_error(DR_EINVAL, "MLP: batch size %zu out of range 1..%u", max_batch, 1u << 20);
    dr_mlp *m = calloc(1, sizeof *m);
    if (!m)
        return dr_error(DR_ENOMEM, "MLP: out of memory");
    m->c = *c;
    m->max_batch = max_batch;
    int L = c->n_layers;
    size_t off = 0, state = 0, width = 0;
    for (int l = 0; l < L; l++) {
        dr_mlp_layer_layout *y = &m->lay[l];
        int hidden = l < L - 1, bn = hidden && c->batchnorm;
        y->in = c->sizes[l];
        y->out = c->sizes[l + 1];
        y->W = off;
        off += y->in * y->out;
        y->b = y->gamma = y->beta = SIZE_MAX;
        if (bn) {
            y->gamma = off;
            y->beta = off + y->out;
            off += 2 * y->out;
            m->run_mean[l] = state;
            m->run_var[l] = state + y->out;
            state += 2 * y->out;
        } else {
            y->b = off;
            off += y->out;
        }
        if (y->in > width) width = y->in;
        if (y->out > width) width = y->out;
    }
    m->n_params = off;
    m->n_state = state;
    /* one arena: state, input mask, per-layer buffers, two deltas */
    size_t B = max_batch, need = state + B * c->sizes[0] + 2 * B * width;
    for (int l = 0; l < L; l++) {
        size_t o = c->sizes[l + 1];
        need += B * c->sizes[l] + B * o;                       /* a, z */
        if (l < L - 1) need += 3 * B * o + 3 * o;              /* xhat, r, mask, invstd, mean, var */
    }
    m->arena = malloc(need * sizeof(float));
    if (!m->arena) {
        free(m);
        return dr_error(DR_ENOMEM, "MLP: cannot allocate a %zu-float workspace", need);
    }
    float *p = m->arena;
    m->state = p; p += state;
    m->in_mask = p; p += B * c->sizes[0];
    m->delta = p; p += B * width;
    m->delta2 = p; p += B * width;
    for (int l = 0; l < L; l++) {
        size_t o = c->sizes[l + 1];
        m->a[l] = p; p += B * c->sizes[l];
        m->z[l] = p; p += B * o;
        if (l < L - 1) {
            m->xhat[l] = p; p += B * o;
            m->r[l] = p; p += B * o;
            m->mask[l] = p; p += B * o;
            m->invstd[l] = p; p += o;
            m->bmean[l] = p; p += o;
            m->bvar[l] = p; p += o;
        }
    }
    for (int l = 0; l < L - 1; l++)
        if (c->batchnorm)
            for (size_t j = 0; j < c->sizes[l + 1]; j++) {
                m->state[m->run_mean[l] + j] = 0.0f;
                m->state[m->run_var[l] + j] = 1.0f;
            }
    *out = m;
    return DR_SUCCESS;
}

void dr_mlp_free(dr_mlp *m)
{
    if (!m)
        return;
    free(m->arena);
    free(m);
}

const dr_mlp_config *dr_mlp_get_config(const dr_mlp *m) { return &m->c; }
size_t dr_mlp_n_params(const dr_mlp *m) { return m->n_params; }
size_t dr_mlp_n_state(const dr_mlp *m) { return m->n_state; }
float *dr_mlp_state(dr_mlp *m) { return m->state; }

void dr_mlp_layout(const dr_mlp *m, int layer, dr_mlp_layer_layout *l) { *l = m->lay[layer]; }

void dr_mlp_init(dr_mlp *m, float *w, uint64_t seed)
{
    dr_nn_rng rng;
    dr_nn_rng_seed(&rng, seed);
    for (int l = 0; l < m->c.n_layers; l++) {
        const dr_mlp_layer_layout *y = &m->lay[l];
        float bound = 1.0f / sqrtf((float)y->in);
        for (size_t i = 0; i < y->in * y->out; i++)
            w[y->W + i] = bound * (float)(2.0 * dr_nn_rng_uniform(&rng) - 1.0);
        for (size_t j = 0; j < y->out; j++) {
            if (y->b != SIZE_MAX)
                w[y->b + j] = bound * (float)(2.0 * dr_nn_rng_uniform(&rng) - 1.0);
            if (y->gamma != SIZE_MAX) {
                w[y->gamma + j] = 1.0f;
                w[y->beta + j] = 0.0f;
                m->state[m->run_mean[l] + j] = 0.0f;
                m->state[m->run_var[l] + j] = 1.0f;
            }
        }
    }
}

/* Batch norm's running averages after a training minibatch (PyTorch's momentum form). */
static void running_stats(dr_mlp *m, int l, size_t o)
{
    float *rm = m->state + m->run_mean[l], *rv = m->state + m->run_var[l];
    for (size_t j = 0; j < o; j++) {
        rm[j] = (1.0f - BN_MOMENTUM) * rm[j] + BN_MOMENTUM * m->bmean[l][j];
        rv[j] = (1.0f - BN_MOMENTUM) * rv[j] + BN_MOMENTUM * m->bvar[l][j];
    }
}

/* The backward pass from the loss's delta (m->delta) down, into grad; with `s`, s->done hears of
 * each parameter block as soon as its gradient is final and the pass no longer reads its
 * weights (a dense layer's after its dx, a batch norm's after its backward tail). */
static void backward(dr_mlp *m, const float *w, const float *const *inputs, const int *dropped,
                     size_t B, float *grad, const dr_nn_slices *s)
{
    int L = m->c.n_layers;
    float *d = m->delta, *d2 = m->delta2;
    for (int l = L - 1; l >= 0; l--) {
        const dr_mlp_layer_layout *ly = &m->lay[l];
        dr_nn_dense_backward(B, ly->in, ly->out, inputs[l], w + ly->W, d, grad + ly->W,
                             ly->b != SIZE_MAX ? grad + ly->b : NULL, l > 0 ? d2 : NULL,
                             s && s->grad_zero);
        if (s) /* W, then its bias right after it in the layout */
            s->done(s->ctx, ly->W, ly->in * ly->out + (ly->b != SIZE_MAX ? ly->out : 0));
        if (l == 0)
            break;
        const dr_mlp_layer_layout *below = &m->lay[l - 1];
        size_t n = B * ly->in;
        if (below->gamma != SIZE_MAX) { /* dropout, ReLU and batch norm in two passes */
            dr_nn_bn_tail tail = {m->r[l - 1], dropped[l - 1] ? m->mask[l - 1] : NULL, NULL};
            dr_nn_batchnorm_backward_tail(B, ly->in, m->xhat[l - 1], m->invstd[l - 1],
                                          w + below->gamma, d2, d2, grad + below->gamma,
                                          grad + below->beta, &tail);
            if (s) /* gamma and beta, adjacent */
                s->done(s->ctx, below->gamma, 2 * ly->in);
        } else {
            if (dropped[l - 1])
                dr_dropout_apply(n, m->mask[l - 1], d2, d2);
            dr_relu_backward(n, m->r[l - 1], d2, d2);
        }
        float *t = d; d = d2; d2 = t;
    }
}

int dr_nn_mlp_loss_grad_slices(dr_mlp *m, const float *w, const float *x,
                               const unsigned char *y, size_t B, int mode, uint64_t seed,
                               double *loss, size_t *errors, float *grad,
                               const dr_nn_slices *s)
{
    const dr_mlp_config *c = &m->c;
    int L = c->n_layers;
    if (B < 1 || B > m->max_batch)
        return dr_error(DR_EINVAL, "MLP: minibatch of %zu rows (workspace holds 1..%zu)", B,
                        m->max_batch);
    if (mode != DR_MLP_TRAIN && mode != DR_MLP_EVAL && mode != DR_MLP_BATCHSTATS)
        return dr_error(DR_EINVAL, "MLP: unknown mode %d", mode);
    if (grad && mode == DR_MLP_EVAL && c->batchnorm)
        return dr_error(DR_EINVAL, "MLP: gradients need batch statistics (TRAIN or BATCHSTATS)");
    size_t K = c->sizes[L];
    for (size_t i = 0; i < B; i++)
        if (y[i] >= K)
            return dr_error(DR_EINVAL, "MLP: label %d but the network has %zu classes", y[i], K);
    int train = mode == DR_MLP_TRAIN, batch_stats = mode != DR_MLP_EVAL;
    dr_nn_rng rng;
    dr_nn_rng_seed(&rng, seed);

    const float *act = x; /* the current layer's input */
    int in_dropped = train && c->dropout_in > 0.0f;
    if (in_dropped) {
        dr_dropout_mask(B * c->sizes[0], c->dropout_in, &rng, m->in_mask);
        dr_dropout_apply(B * c->sizes[0], m->in_mask, x, m->a[0]);
        act = m->a[0];
    }
    const float *inputs[DR_MLP_MAX_LAYERS];
    int dropped[DR_MLP_MAX_LAYERS] = {0};
    for (int l = 0; l < L; l++) {
        const dr_mlp_layer_layout *ly = &m->lay[l];
        size_t o = ly->out, n = B * o;
        inputs[l] = act;
        dr_dense_forward(B, ly->in, o, act, w + ly->W, ly->b != SIZE_MAX ? w + ly->b : NULL,
                         m->z[l]);
        if (l == L - 1)
            break;
        dropped[l] = train && c->dropout_hidden > 0.0f;
        if (dropped[l]) /* before the batch norm, which applies it (the draws keep their order) */
            dr_dropout_mask(n, c->dropout_hidden, &rng, m->mask[l]);
        if (ly->gamma == SIZE_MAX) {
            dr_relu_forward(n, m->z[l], m->r[l]);
            if (dropped[l])
                dr_dropout_apply(n, m->mask[l], m->r[l], m->a[l + 1]);
        } else if (batch_stats) {
            /* batch norm, ReLU and dropout in one pass (nn_parallel.h) */
            dr_nn_bn_tail tail = {m->r[l], dropped[l] ? m->mask[l] : NULL, m->a[l + 1]};
            dr_nn_batchnorm_train_tail(B, o, m->z[l], w + ly->gamma, w + ly->beta, BN_EPS,
                                       m->r[l], m->xhat[l], m->invstd[l], m->bmean[l],
                                       m->bvar[l], &tail);
            if (train)
                running_stats(m, l, o);
        } else {
            dr_nn_batchnorm_eval_relu(B, o, m->z[l], w + ly->gamma, w + ly->beta,
                                      m->state + m->run_mean[l], m->state + m->run_var[l],
                                      BN_EPS, m->r[l], 1);
        }
        act = dropped[l] ? m->a[l + 1] : m->r[l];
    }
    double value = dr_softmax_xent(B, K, m->z[L - 1], y, grad ? m->delta : NULL, errors);
    if (loss)
        *loss = value;
    if (!isfinite(value))
        return dr_error(DR_ENUMERIC, "MLP: the loss is not finite (diverged? lower the "
                        "learning rate)");
    if (!grad)
        return DR_SUCCESS;

    backward(m, w, inputs, dropped, B, grad, s);
    return DR_SUCCESS;
}

int dr_mlp_loss_grad(dr_mlp *m, const float *w, const float *x, const unsigned char *y, size_t B,
                     int mode, uint64_t seed, double *loss, size_t *errors, float *grad)
{
    return dr_nn_mlp_loss_grad_slices(m, w, x, y, B, mode, seed, loss, errors, grad, NULL);
}

int dr_mlp_evaluate(dr_mlp *m, const float *w, const dr_dataset *d, size_t n_max, int mode,
                    double *loss, double *error)
{
    DR_CHECK_PTRS(m, w, d);
    if (mode == DR_MLP_TRAIN)
        return dr_error(DR_EINVAL, "MLP: evaluation runs in EVAL or BATCHSTATS mode");
    if (d->dim != m->c.sizes[0])
        return dr_error(DR_EINVAL, "data has %zu features per example but the network takes %zu",
                        d->dim, m->c.sizes[0]);
    size_t n = n_max > 0 && n_max < d->n ? n_max : d->n;
    if (n == 0)
        return dr_error(DR_EINVAL, "MLP: empty data set");
    /* equal chunks: a last chunk of one row would make batch statistics degenerate */
    size_t chunks = (n + m->max_batch - 1) / m->max_batch, start = 0;
    double total_loss = 0.0;
    size_t total_err = 0;
    for (size_t k = 0; k < chunks; k++) {
        size_t rows = n / chunks + (k < n % chunks);
        double l;
        size_t e;
        int status = dr_mlp_loss_grad(m, w, d->x + start * d->dim, d->y + start, rows, mode, 0,
                                      &l, &e, NULL);
        if (status != DR_SUCCESS)
            return status;
        total_loss += l * (double)rows;
        total_err += e;
        start += rows;
    }
    *loss = total_loss / (double)n;
    *error = (double)total_err / (double)n;
    return DR_SUCCESS;
}
