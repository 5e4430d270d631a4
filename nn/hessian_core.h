/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The network's eval-mode forward pass, backward pass and R-operator (Pearlmutter 1994) on one
 * chunk, written once for float and double: nn/hessian.c includes this file twice with REAL,
 * GEMM and TPL defined (GSL's "templates" idiom). Not a public header.
 *
 * Notation for one layer: z = a W^T + b, then for hidden layers u = gamma s (z - mu) + beta
 * (batch norm with the running mean mu and s = 1/sqrt(var + eps), so an affine map), r = relu(u),
 * and the next layer's a = r. R{q} is the directional derivative of q along the parameter
 * direction v = (V_W, V_b, V_gamma, V_beta). The backward pass carries dL/dz (delta) and
 * R{dL/dz}; dL/dw accumulates into g and R{dL/dw} = H v into hv. */

/* y (B x out) = x W^T, plus the bias if b, plus y's old value if accumulate */
static void TPL(dense)(size_t B, size_t in, size_t out, const REAL *x, const REAL *W,
                       const REAL *b, int accumulate, REAL *y)
{
    if (b && !accumulate)
        for (size_t r = 0; r < B; r++)
            memcpy(y + r * out, b, out * sizeof *y);
    else if (b)
        for (size_t r = 0; r < B; r++)
            for (size_t j = 0; j < out; j++)
                y[r * out + j] += b[j];
    GEMM(CblasRowMajor, CblasNoTrans, CblasTrans, (int)B, (int)out, (int)in, 1, x, (int)in, W,
         (int)in, (b || accumulate) ? 1 : 0, y, (int)out);
}

static void TPL(colsum_add)(size_t B, size_t C, const REAL *a, REAL *out)
{
    for (size_t r = 0; r < B; r++)
        for (size_t j = 0; j < C; j++)
            out[j] += a[r * C + j];
}

/* Forward pass (and its R-pass when v): z, r and R{z}, R{r} of every layer into the workspace. */
static void TPL(forward)(dr_hessian *h, const REAL *x, size_t B, const REAL *w, const REAL *v)
{
    const REAL *act = x, *ract = NULL;
    int L = h->c.n_layers;
    for (int l = 0; l < L; l++) {
        const dr_mlp_layer_layout *ly = &h->lay[l];
        int has_b = ly->b != SIZE_MAX;
        size_t o = ly->out, n = B * o;
        REAL *z = h->z[l], *rz = h->rz[l];
        TPL(dense)(B, ly->in, o, act, w + ly->W, has_b ? w + ly->b : NULL, 0, z);
        if (v) {
            TPL(dense)(B, ly->in, o, act, v + ly->W, has_b ? v + ly->b : NULL, 0, rz);
            if (ract)
                TPL(dense)(B, ly->in, o, ract, w + ly->W, NULL, 1, rz);
        }
        if (l == L - 1)
            break;
        REAL *r = h->r[l], *rr = h->rr[l];
        if (ly->gamma != SIZE_MAX) {
            const REAL *mu = h->mu[l], *s = h->s[l], *ga = w + ly->gamma, *be = w + ly->beta;
            const REAL *vga = v ? v + ly->gamma : NULL, *vbe = v ? v + ly->beta : NULL;
            for (size_t q = 0; q < B; q++)
                for (size_t j = 0; j < o; j++) {
                    size_t k = q * o + j;
                    REAL xh = (z[k] - mu[j]) * s[j], u = ga[j] * xh + be[j];
                    r[k] = u > 0 ? u : 0;
                    if (v)
                        rr[k] = u > 0 ? vga[j] * xh + ga[j] * s[j] * rz[k] + vbe[j] : 0;
                }
        } else {
            for (size_t k = 0; k < n; k++) {
                r[k] = z[k] > 0 ? z[k] : 0;
                if (v)
                    rr[k] = z[k] > 0 ? rz[k] : 0;
            }
        }
        act = r;
        ract = v ? rr : NULL;
    }
}

/* Softmax cross-entropy of the logits: the summed loss and errors, delta = dL/dz and
 * R{delta} = (diag p - p p^T) R{z}, both divided by the total count h->n (the mean's 1/n). */
static double TPL(output)(dr_hessian *h, const unsigned char *y, size_t B, int want_r,
                          size_t *errors, REAL *delta, REAL *rdelta)
{
    int L = h->c.n_layers;
    size_t K = h->lay[L - 1].out;
    const REAL *z = h->z[L - 1], *rz = h->rz[L - 1];
    double total = 0, inv_n = 1.0 / (double)h->n;
    double p[256];
    size_t wrong = 0;
    for (size_t q = 0; q < B; q++) {
        const REAL *zq = z + q * K;
        size_t best = 0;
        for (size_t k = 1; k < K; k++)
            if (zq[k] > zq[best])
                best = k;
        double zmax = zq[best], sum = 0, pr = 0;
        for (size_t k = 0; k < K; k++)
            sum += (p[k] = exp((double)zq[k] - zmax));
        total += log(sum) - ((double)zq[y[q]] - zmax);
        wrong += best != y[q];
        for (size_t k = 0; k < K; k++) {
            p[k] /= sum;
            delta[q * K + k] = (REAL)((p[k] - (k == y[q])) * inv_n);
            if (want_r)
                pr += p[k] * (double)rz[q * K + k];
        }
        if (want_r)
            for (size_t k = 0; k < K; k++)
                rdelta[q * K + k] = (REAL)(p[k] * ((double)rz[q * K + k] - pr) * inv_n);
    }
    *errors += wrong;
    return total;
}

/* Backward through hidden layer l (batch norm, ReLU) from dL/dr to dL/dz in place, with the
 * gradients of gamma and beta into g and their R-versions into hv. */
static void TPL(hidden_back)(dr_hessian *h, int l, size_t B, const REAL *w, const REAL *v,
                             REAL *d, REAL *rd, REAL *g, REAL *hv)
{
    const dr_mlp_layer_layout *ly = &h->lay[l];
    size_t o = ly->out;
    const REAL *r = h->r[l], *z = h->z[l], *rz = h->rz[l];
    if (ly->gamma == SIZE_MAX) {
        for (size_t k = 0; k < B * o; k++)
            if (!(r[k] > 0)) {
                d[k] = 0;
                if (v)
                    rd[k] = 0;
            }
        if (g)
            TPL(colsum_add)(B, o, d, g + ly->b);
        if (v)
            TPL(colsum_add)(B, o, rd, hv + ly->b);
        return;
    }
    const REAL *mu = h->mu[l], *s = h->s[l], *ga = w + ly->gamma;
    const REAL *vga = v ? v + ly->gamma : NULL;
    for (size_t q = 0; q < B; q++)
        for (size_t j = 0; j < o; j++) {
            size_t k = q * o + j;
            REAL on = r[k] > 0, du = on * d[k], xh = (z[k] - mu[j]) * s[j];
            if (g) {
                g[ly->gamma + j] += du * xh;
                g[ly->beta + j] += du;
            }
            if (v) {
                REAL rdu = on * rd[k];
                hv[ly->gamma + j] += rdu * xh + du * rz[k] * s[j];
                hv[ly->beta + j] += rdu;
                rd[k] = rdu * ga[j] * s[j] + du * vga[j] * s[j];
            }
            d[k] = du * ga[j] * s[j];
        }
}

/* The batch-norm constants mu and s = 1/sqrt(var + eps) of every hidden layer, from the model's
 * running statistics (read at each call: the model may have been reloaded or trained). */
static void TPL(bn_stats)(dr_hessian *h)
{
    const float *state = dr_mlp_state(h->m);
    for (int l = 0; l + 1 < h->c.n_layers; l++) {
        if (h->lay[l].gamma == SIZE_MAX)
            continue;
        REAL *mu = h->mu[l], *s = h->s[l];
        for (size_t j = 0; j < h->lay[l].out; j++) {
            mu[j] = (REAL)state[h->run_mean[l] + j];
            s[j] = (REAL)(1.0 / sqrt((double)state[h->run_var[l] + j] + (double)BN_EPS));
        }
    }
}

/* Rows start..start+B of the inputs as REAL: the data itself for float, a converted copy else. */
static const REAL *TPL(inputs)(dr_hessian *h, size_t start, size_t B)
{
    const float *x = h->d->x + start * h->d->dim;
#if REAL_IS_DOUBLE
    REAL *xr = h->xr;
    for (size_t i = 0; i < B * h->d->dim; i++)
        xr[i] = (REAL)x[i];
    return xr;
#else
    (void)B;
    return x;
#endif
}

/* One chunk: loss sum and errors; dL/dw added into g (if g), H v added into hv (if v). */
static double TPL(chunk)(dr_hessian *h, const REAL *x, const unsigned char *y, size_t B,
                         const REAL *w, const REAL *v, REAL *g, REAL *hv, size_t *errors)
{
    int L = h->c.n_layers;
    TPL(forward)(h, x, B, w, v);
    REAL *d = h->d1, *d2 = h->d2, *rd = h->rd1, *rd2 = h->rd2;
    double loss = TPL(output)(h, y, B, v != NULL, errors, d, rd);
    if (!g && !v)
        return loss;
    for (int l = L - 1; l >= 0; l--) {
        const dr_mlp_layer_layout *ly = &h->lay[l];
        const REAL *a = l > 0 ? h->r[l - 1] : x, *ra = l > 0 && v ? h->rr[l - 1] : NULL;
        int in = (int)ly->in, out = (int)ly->out;
        if (g) {
            GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, (int)B, 1, d, out, a, in, 1,
                 g + ly->W, in);
            if (ly->b != SIZE_MAX && l == L - 1)
                TPL(colsum_add)(B, ly->out, d, g + ly->b);
        }
        if (v) {
            GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, (int)B, 1, rd, out, a, in, 1,
                 hv + ly->W, in);
            if (ra)
                GEMM(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, (int)B, 1, d, out, ra,
                     in, 1, hv + ly->W, in);
            if (ly->b != SIZE_MAX && l == L - 1)
                TPL(colsum_add)(B, ly->out, rd, hv + ly->b);
        }
        if (l == 0)
            break;
        /* dL/da = delta W;  R{dL/da} = R{delta} W + delta V_W */
        GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, in, out, 1, d, out, w + ly->W,
             in, 0, d2, in);
        if (v) {
            GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, in, out, 1, rd, out,
                 w + ly->W, in, 0, rd2, in);
            GEMM(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)B, in, out, 1, d, out,
                 v + ly->W, in, 1, rd2, in);
        }
        TPL(hidden_back)(h, l - 1, B, w, v, d2, rd2, g, hv);
        REAL *t = d; d = d2; d2 = t;
        t = rd; rd = rd2; rd2 = t;
    }
    return loss;
}

/* The whole data set: w and v (double) rounded to REAL, chunk by chunk, results back in double.
 * Hidden layers' biases (no batch norm) are summed in hidden_back, the output layer's here. */
static int TPL(run)(dr_hessian *h, const double *w, const double *v, double *loss,
                    double *error, double *grad, double *hv)
{
    REAL *wr = h->wr, *vr = v ? h->vr : NULL, *gr = grad ? h->gr : NULL, *hr = v ? h->hr : NULL;
    for (size_t i = 0; i < h->np; i++) {
        wr[i] = (REAL)w[i];
        if (vr)
            vr[i] = (REAL)v[i];
        if (gr)
            gr[i] = 0;
        if (hr)
            hr[i] = 0;
    }
    TPL(bn_stats)(h);
    double total = 0;
    size_t errors = 0;
    for (size_t start = 0; start < h->n; start += h->chunk) {
        size_t B = h->n - start < h->chunk ? h->n - start : h->chunk;
        const REAL *x = TPL(inputs)(h, start, B);
        total += TPL(chunk)(h, x, h->d->y + start, B, wr, vr, gr, hr, &errors);
    }
    if (!isfinite(total))
        return dr_error(DR_ENUMERIC, "sharpness: the loss is not finite at these weights");
    if (loss)
        *loss = total / (double)h->n;
    if (error)
        *error = (double)errors / (double)h->n;
    for (size_t i = 0; i < h->np; i++) {
        if (grad)
            grad[i] = (double)gr[i];
        if (hv)
            hv[i] = (double)hr[i];
    }
    return DR_SUCCESS;
}
