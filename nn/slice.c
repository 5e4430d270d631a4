/* SPDX-License-Identifier: GPL-3.0-or-later */
/* 2-D loss slices through a trained network: the training loss on the plane w + a d1 + b d2
 * spanned by two random filter-normalised directions (Li, Xu, Taylor, Studer, Goldstein 2018),
 * the real-network landscape that the PDE solvers then relax. */
#include "deeprelax/nn.h"
#include "../solver/dr_args.h"
#include "deeprelax/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Scaling each neuron's direction to that neuron's weight norm removes the scale invariance
 * that batch norm gives each row: without it a slice's curvature says more about weight norms
 * than about the loss. Biases and batch-norm parameters stay fixed (direction 0). */
void dr_slice_directions(const dr_mlp *m, const float *w, uint64_t seed, float *d1, float *d2)
{
    size_t n = dr_mlp_n_params(m);
    memset(d1, 0, n * sizeof *d1);
    memset(d2, 0, n * sizeof *d2);
    dr_nn_rng rng;
    dr_nn_rng_seed(&rng, seed);
    float *dirs[2] = {d1, d2};
    const dr_mlp_config *c = dr_mlp_get_config(m);
    for (int k = 0; k < 2; k++)
        for (int l = 0; l < c->n_layers; l++) {
            dr_mlp_layer_layout ly;
            dr_mlp_layout(m, l, &ly);
            for (size_t j = 0; j < ly.out; j++) {
                float *d = dirs[k] + ly.W + j * ly.in;
                const float *row = w + ly.W + j * ly.in;
                double dn = 0, wn = 0;
                for (size_t i = 0; i < ly.in; i++) {
                    d[i] = (float)dr_nn_rng_gaussian(&rng);
                    dn += (double)d[i] * d[i];
                    wn += (double)row[i] * row[i];
                }
                float scale = dn > 0 ? (float)sqrt(wn / dn) : 0.0f;
                for (size_t i = 0; i < ly.in; i++)
                    d[i] *= scale;
            }
        }
}

int dr_slice_eval(dr_mlp *m, const float *w, const float *d1, const float *d2,
                  const dr_dataset *d, size_t n_samples, size_t n, double span, double *out,
                  dr_progress_fn progress, void *ctx)
{
    DR_CHECK_PTRS(m, w, d1, d2, d, out);
    if (n < 2 || n > 100000)
        return dr_error(DR_EINVAL, "slice: %zu points per axis (must be 2..100000)", n);
    if (!(span > 0) || !isfinite(span))
        return dr_error(DR_EINVAL, "slice: span must be positive (got %g)", span);
    size_t np = dr_mlp_n_params(m);
    float *v = malloc(np * sizeof *v);
    if (!v)
        return dr_error(DR_ENOMEM, "slice: out of memory");
    int status = DR_SUCCESS;
    for (size_t j = 0; j < n && status == DR_SUCCESS; j++) {
        float b = (float)(-span + 2.0 * span * (double)j / (double)(n - 1));
        for (size_t i = 0; i < n && status == DR_SUCCESS; i++) {
            float a = (float)(-span + 2.0 * span * (double)i / (double)(n - 1));
            for (size_t k = 0; k < np; k++)
                v[k] = w[k] + a * d1[k] + b * d2[k];
            /* batch statistics: running averages belong to w alone and would be stale
             * anywhere else on the plane */
            double loss, err;
            status = dr_mlp_evaluate(m, v, d, n_samples, DR_MLP_BATCHSTATS, &loss, &err);
            out[j * n + i] = loss;
            if (status == DR_SUCCESS && progress && progress(ctx, j * n + i + 1, n * n))
                status = dr_error(DR_EINVAL, "slice interrupted");
        }
    }
    free(v);
    return status;
}
