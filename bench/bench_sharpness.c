/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Cost of the flatness measurements on the paper's mnistfc (1.87M parameters), side by side in
 * one run: one Hessian-vector product (the R-operator, float32) against one gradient over the same
 * examples (the same eval-mode code, and the trainer's dr_mlp_loss_grad), goal <= 3x; then 20
 * Lanczos steps with full reorthogonalisation on 10,000 examples, goal < 60 s. The weights are
 * PyTorch's initialisation; the data is MNIST if found, else random images (the cost is the
 * same). Wall-clock seconds, best of 3 for the single products. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deeprelax/deeprelax.h"

#define BENCH_NAME "bench_sharpness"
#include "bench_common.h"

static void random_data(dr_dataset *d, size_t n)
{
    *d = (dr_dataset){.n = n, .rows = 28, .cols = 28, .dim = 784, .n_classes = 10};
    d->x = malloc(n * 784 * sizeof *d->x);
    d->y = malloc(n);
    dr_nn_rng rng;
    dr_nn_rng_seed(&rng, 5);
    for (size_t i = 0; i < n * 784; i++)
        d->x[i] = (float)dr_nn_rng_uniform(&rng);
    for (size_t i = 0; i < n; i++)
        d->y[i] = (unsigned char)(dr_nn_rng_next(&rng) % 10);
}

/* the trainer's gradient over the first n rows in chunks of 1000 (batch statistics) */
static void trainer_gradient(dr_mlp *m, const float *w, const dr_dataset *d, size_t n, float *g)
{
    double loss;
    size_t err;
    for (size_t s = 0; s < n; s += 1000)
        dr_mlp_loss_grad(m, w, d->x + s * d->dim, d->y + s, n - s < 1000 ? n - s : 1000,
                         DR_MLP_BATCHSTATS, 0, &loss, &err, g);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0); /* progress lines as they come: the Lanczos part is long */
    char dir[4096];
    dr_dataset d;
    int real = dr_data_dir(NULL, dir, sizeof dir) == DR_SUCCESS &&
               dr_dataset_load(&d, dir, 1) == DR_SUCCESS;
    if (!real)
        random_data(&d, 10000);
    dr_mlp_config c;
    dr_mlp_preset(&c, "mnistfc");
    dr_mlp *m;
    if (dr_mlp_alloc(&m, &c, 1000) != DR_SUCCESS) {
        fprintf(stderr, "bench_sharpness: %s\n", dr_error_message());
        return 1;
    }
    size_t np = dr_mlp_n_params(m);
    float *wf = malloc(np * sizeof *wf), *gf = malloc(np * sizeof *gf);
    double *w = malloc(np * sizeof *w), *v = malloc(np * sizeof *v);
    double *out = malloc(np * sizeof *out);
    dr_mlp_init(m, wf, 1);
    dr_nn_rng rng;
    dr_nn_rng_seed(&rng, 2);
    for (size_t i = 0; i < np; i++) {
        w[i] = wf[i];
        v[i] = dr_nn_rng_gaussian(&rng);
    }
    printf("mnistfc, %zu parameters, %s data, %d BLAS threads; the machine is shared: compare the "
           "ratios, not the seconds\n", np, real ? "MNIST" : "random", dr_nn_get_threads());
    const size_t n_single = 2000;
    dr_hessian *h;
    dr_hessian_alloc(&h, m, &d, n_single, 500, DR_HESSIAN_FLOAT);
    double best[3] = {INFINITY, INFINITY, INFINITY};
    for (int rep = 0; rep < 3; rep++) { /* interleaved, so that load changes hit all three */
        double t = now();
        trainer_gradient(m, wf, &d, n_single, gf);
        best[0] = fmin(best[0], now() - t);
        t = now();
        dr_hessian_loss_grad(h, w, NULL, NULL, out);
        best[1] = fmin(best[1], now() - t);
        t = now();
        dr_hessian_hvp(h, w, v, out);
        best[2] = fmin(best[2], now() - t);
    }
    printf("%zu examples: trainer gradient %.3f s, eval-mode gradient %.3f s, HVP %.3f s\n",
           n_single, best[0], best[1], best[2]);
    printf("HVP / eval-mode gradient = %.2f, HVP / trainer gradient = %.2f (goal <= 3)\n",
           best[2] / best[1], best[2] / best[0]);
    dr_hessian_free(h);

    size_t n_lanczos = d.n < 10000 ? d.n : 10000;
    dr_hessian_alloc(&h, m, &d, n_lanczos, 500, DR_HESSIAN_FLOAT);
    dr_hessian_at at = {h, w};
    double theta[1], bound[1], t = now();
    int st = dr_lanczos_top(dr_hessian_linop, &at, np, 1, 20, 1, theta, bound, NULL);
    t = now() - t;
    if (st != DR_SUCCESS) {
        fprintf(stderr, "bench_sharpness: %s\n", dr_error_message());
        return 1;
    }
    printf("20 Lanczos steps, %zu examples: %.1f s (goal < 60 s), lambda_max %.6g (residual "
           "%.2g)\n", n_lanczos, t, theta[0], bound[0]);
    dr_hessian_free(h);
    dr_mlp_free(m);
    dr_dataset_free(&d);
    free(wf); free(gf); free(w); free(v); free(out);
    return 0;
}
