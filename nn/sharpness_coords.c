/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Filter-normalised coordinates for the flatness measurements: w = w0 + D theta, D = diag of the
 * RMS of each parameter's weight row, so that the Hessian, trace and local energy of two minima
 * compare their shape, not their weight norms (see sharpness.h). */
#include "deeprelax/sharpness.h"
#include "deeprelax/error.h"

#include <math.h>
#include <string.h>

void dr_filter_scales(const dr_mlp *m, const float *w, double *scale)
{
    memset(scale, 0, dr_mlp_n_params(m) * sizeof *scale);
    const dr_mlp_config *c = dr_mlp_get_config(m);
    for (int l = 0; l < c->n_layers; l++) {
        dr_mlp_layer_layout ly;
        dr_mlp_layout(m, l, &ly);
        for (size_t j = 0; j < ly.out; j++) {
            const float *row = w + ly.W + j * ly.in;
            double sum2 = 0;
            for (size_t i = 0; i < ly.in; i++)
                sum2 += (double)row[i] * row[i];
            double rms = sqrt(sum2 / (double)ly.in);
            for (size_t i = 0; i < ly.in; i++)
                scale[ly.W + j * ly.in + i] = rms;
        }
    }
}

int dr_scaled_linop(void *ctx, const double *v, double *out)
{
    dr_scaled_coords *s = ctx;
    for (size_t i = 0; i < s->n; i++)
        s->work[i] = s->scale[i] * v[i];
    int status = s->op(s->ctx, s->work, out);
    for (size_t i = 0; i < s->n; i++)
        out[i] *= s->scale[i];
    return status;
}

int dr_scaled_lossfn(void *ctx, const double *theta, double *f, double *grad)
{
    dr_scaled_coords *s = ctx;
    for (size_t i = 0; i < s->n; i++)
        s->work[i] = s->origin[i] + s->scale[i] * theta[i];
    int status = s->f(s->ctx, s->work, f, grad);
    for (size_t i = 0; grad && i < s->n; i++)
        grad[i] *= s->scale[i];
    return status;
}
