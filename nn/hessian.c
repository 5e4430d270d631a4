/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The training loss of an MLP as a function of its weights for the flatness measurements: loss,
 * gradient and exact Hessian-vector products over a fixed data set, network in eval mode (batch
 * norm's running statistics, no dropout), in float32 or float64. The arithmetic is in
 * nn/hessian_core.h, compiled once per precision. */
#include "deeprelax/sharpness.h"
#include "deeprelax/error.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* nn/mlp.c's batch-norm epsilon; test_nn_sharpness checks our loss against dr_mlp_evaluate's */
#define BN_EPS 1e-5

struct dr_hessian {
    dr_mlp *m;
    dr_mlp_config c;
    dr_mlp_layer_layout lay[DR_MLP_MAX_LAYERS];
    size_t run_mean[DR_MLP_MAX_LAYERS], run_var[DR_MLP_MAX_LAYERS];
    const dr_dataset *d;
    size_t n, chunk, np;
    int precision;
    void *wr, *vr, *gr, *hr, *xr;
    void *z[DR_MLP_MAX_LAYERS], *rz[DR_MLP_MAX_LAYERS], *r[DR_MLP_MAX_LAYERS],
        *rr[DR_MLP_MAX_LAYERS], *mu[DR_MLP_MAX_LAYERS], *s[DR_MLP_MAX_LAYERS];
    void *d1, *d2, *rd1, *rd2;
    char *arena;
};

#define REAL float
#define REAL_IS_DOUBLE 0
#define GEMM cblas_sgemm
#define TPL(name) name##_f
#include "hessian_core.h"
#undef REAL
#undef REAL_IS_DOUBLE
#undef GEMM
#undef TPL

#define REAL double
#define REAL_IS_DOUBLE 1
#define GEMM cblas_dgemm
#define TPL(name) name##_d
#include "hessian_core.h"
#undef REAL
#undef REAL_IS_DOUBLE
#undef GEMM
#undef TPL

static int check_data(const dr_mlp_config *c, const dr_dataset *d, size_t n)
{
    if (d->dim != c->sizes[0])
        return dr_error(DR_EINVAL, "sharpness: the data has %zu features per example but the "
                        "model takes %zu (model and data do not match)", d->dim, c->sizes[0]);
    size_t K = c->sizes[c->n_layers];
    for (size_t i = 0; i < n; i++)
        if (d->y[i] >= K)
            return dr_error(DR_EINVAL, "sharpness: example %zu has label %d but the model has "
                            "%zu classes (model and data do not match)", i, d->y[i], K);
    return DR_SUCCESS;
}

/* Carves the arena into the workspace; with arena NULL only counts the bytes. */
static size_t carve(dr_hessian *h, char *arena)
{
    size_t size = h->precision == DR_HESSIAN_DOUBLE ? sizeof(double) : sizeof(float);
    size_t off = 0, B = h->chunk, width = h->c.sizes[0];
#define TAKE(ptr, count) do { if (arena) (ptr) = arena + off; \
        off += ((count) * size + 63) / 64 * 64; } while (0)
    TAKE(h->wr, h->np); TAKE(h->vr, h->np); TAKE(h->gr, h->np); TAKE(h->hr, h->np);
    if (h->precision == DR_HESSIAN_DOUBLE)
        TAKE(h->xr, B * h->c.sizes[0]);
    for (int l = 0; l < h->c.n_layers; l++) {
        size_t o = h->lay[l].out;
        width = o > width ? o : width;
        TAKE(h->z[l], B * o); TAKE(h->rz[l], B * o);
        if (l + 1 < h->c.n_layers) {
            TAKE(h->r[l], B * o); TAKE(h->rr[l], B * o);
            TAKE(h->mu[l], o); TAKE(h->s[l], o);
        }
    }
    TAKE(h->d1, B * width); TAKE(h->d2, B * width);
    TAKE(h->rd1, B * width); TAKE(h->rd2, B * width);
#undef TAKE
    return off;
}

int dr_hessian_alloc(dr_hessian **out, dr_mlp *m, const dr_dataset *d, size_t n, size_t chunk,
                     int precision)
{
    *out = NULL;
    const dr_mlp_config *c = dr_mlp_get_config(m);
    if (precision != DR_HESSIAN_FLOAT && precision != DR_HESSIAN_DOUBLE)
        return dr_error(DR_EINVAL, "sharpness: unknown precision %d", precision);
    if (d->n == 0)
        return dr_error(DR_EINVAL, "sharpness: empty data set");
    if (n == 0 || n > d->n)
        n = d->n;
    if (chunk < 1 || chunk > (1u << 16))
        return dr_error(DR_EINVAL, "sharpness: chunk of %zu rows (must be 1..65536)", chunk);
    int status = check_data(c, d, n);
    if (status != DR_SUCCESS)
        return status;
    dr_hessian *h = calloc(1, sizeof *h);
    if (!h)
        return dr_error(DR_ENOMEM, "sharpness: out of memory");
    h->m = m;
    h->c = *c;
    h->d = d;
    h->n = n;
    h->chunk = chunk < n ? chunk : n;
    h->np = dr_mlp_n_params(m);
    h->precision = precision;
    size_t state = 0;
    for (int l = 0; l < c->n_layers; l++) {
        dr_mlp_layout(m, l, &h->lay[l]);
        if (h->lay[l].gamma != SIZE_MAX) { /* nn/mlp.c's order: mean then variance per layer */
            h->run_mean[l] = state;
            h->run_var[l] = state + h->lay[l].out;
            state += 2 * h->lay[l].out;
        }
    }
    if (state != dr_mlp_n_state(m)) {
        free(h);
        return dr_error(DR_EINVAL, "sharpness: unexpected running-statistics layout");
    }
    h->arena = aligned_alloc(64, carve(h, NULL));
    if (!h->arena) {
        size_t rows = h->chunk;
        free(h);
        return dr_error(DR_ENOMEM, "sharpness: cannot allocate the workspace (chunk %zu)", rows);
    }
    carve(h, h->arena);
    *out = h;
    return DR_SUCCESS;
}

void dr_hessian_free(dr_hessian *h)
{
    if (!h)
        return;
    free(h->arena);
    free(h);
}

size_t dr_hessian_n_params(const dr_hessian *h) { return h->np; }
size_t dr_hessian_n_samples(const dr_hessian *h) { return h->n; }

int dr_hessian_loss_grad(dr_hessian *h, const double *w, double *loss, double *error,
                         double *grad)
{
    return h->precision == DR_HESSIAN_DOUBLE ? run_d(h, w, NULL, loss, error, grad, NULL)
                                             : run_f(h, w, NULL, loss, error, grad, NULL);
}

int dr_hessian_hvp(dr_hessian *h, const double *w, const double *v, double *hv)
{
    return h->precision == DR_HESSIAN_DOUBLE ? run_d(h, w, v, NULL, NULL, NULL, hv)
                                             : run_f(h, w, v, NULL, NULL, NULL, hv);
}

int dr_hessian_linop(void *ctx, const double *v, double *out)
{
    dr_hessian_at *a = ctx;
    return dr_hessian_hvp(a->h, a->w, v, out);
}

int dr_hessian_lossfn(void *ctx, const double *x, double *f, double *grad)
{
    dr_hessian_at *a = ctx;
    return dr_hessian_loss_grad(a->h, x, f, NULL, grad);
}
