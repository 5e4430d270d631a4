/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Internal to nn/: when an element-wise loop of the trainer is worth a parallel region, and
 * random streams that do not depend on the thread count.
 *
 * A parallel region costs ~1-5 us to open on these machines (wake the pool, barrier), a float
 * element-wise pass ~0.1-0.3 ns per element, so below ~32k elements one thread is faster. Every
 * parallel loop here is static and element- or column-wise (no reductions across threads), so
 * its result is bit-identical for every thread count. */
#ifndef DR_NN_PARALLEL_H
#define DR_NN_PARALLEL_H

#include "deeprelax/nn.h"

#define DR_NN_PAR_MIN 32768

/* Random draws are taken in chunks of DR_NN_RNG_CHUNK values, chunk c from its own xoshiro
 * stream seeded by base + c: any thread can produce any chunk, and the values depend on the
 * seed only. */
#define DR_NN_RNG_CHUNK 8192

/* xoshiro256** one step, inline: the mask and noise loops draw ~1e5 values per layer, and an
 * out-of-line call that stores the state back each time cost ~12 ns a draw against ~2 inline.
 * dr_nn_rng_next is this same step. */
static inline uint64_t dr_nn_xoshiro_rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t dr_nn_xoshiro_next(uint64_t s[4])
{
    uint64_t result = dr_nn_xoshiro_rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = dr_nn_xoshiro_rotl(s[3], 45);
    return result;
}

static inline void dr_nn_rng_chunk(dr_nn_rng *r, uint64_t base, size_t chunk)
{
    dr_nn_rng_seed(r, base + 0xd1b54a32d192ed03ULL * (uint64_t)(chunk + 1));
}

/* What follows batch norm in a hidden layer, fused into its passes (layers.c): the ReLU output
 * `relu` (B x C, also the batch norm's y) and, if `mask` is not NULL, the dropout mask and the
 * dropped output `dropped`. The backward pass takes dy through the dropout and the ReLU first.
 * Results are bit-identical to the separate kernels: the same operations on each element. */
typedef struct {
    float *relu;
    const float *mask;
    float *dropped;
} dr_nn_bn_tail;

void dr_nn_batchnorm_train_tail(size_t B, size_t C, const float *x, const float *gamma,
                                const float *beta, float eps, float *y, float *xhat,
                                float *invstd, float *mean, float *var_unbiased,
                                const dr_nn_bn_tail *t);
void dr_nn_batchnorm_backward_tail(size_t B, size_t C, const float *xhat, const float *invstd,
                                   const float *gamma, const float *dy, float *dx,
                                   float *dgamma, float *dbeta, const dr_nn_bn_tail *t);
/* Eval-mode batch norm, then a ReLU if `relu`. */
void dr_nn_batchnorm_eval_relu(size_t B, size_t C, const float *x, const float *gamma,
                               const float *beta, const float *run_mean, const float *run_var,
                               float eps, float *y, int relu);

/* The SGD trainer's fused step (mlp.c, optim.c, train.c): the backward pass reports each
 * parameter block [off, off + len) to `done` as soon as its gradient is final and the pass no
 * longer reads its weights, and the optimiser updates that block then, while the gradient just
 * written and the weights just read are still in cache, instead of in one pass over everything
 * after the backward pass. Every element sees the same operations either way. `done` leaves
 * the block's gradient zero, and with `grad_zero` the dense layers' weight gradients arrive
 * zeroed (the sgemm adds onto them), so that they need no zeroing pass of their own. */
typedef void (*dr_nn_slice_fn)(void *ctx, size_t off, size_t len);
typedef struct {
    dr_nn_slice_fn done;
    void *ctx;
    int grad_zero;
} dr_nn_slices;

int dr_nn_mlp_loss_grad_slices(dr_mlp *m, const float *w, const float *x,
                               const unsigned char *y, size_t B, int mode, uint64_t seed,
                               double *loss, size_t *errors, float *grad, const dr_nn_slices *s);
/* dr_dense_backward, onto a dW that is already zero if `dW_zero`. */
void dr_nn_dense_backward(size_t B, size_t in, size_t out, const float *x, const float *W,
                          const float *dy, float *dW, float *db, float *dx, int dW_zero);
/* A gradient oracle that reports blocks as they are done (see dr_grad_fn). */
typedef int (*dr_nn_slice_grad_fn)(void *ctx, const float *w, float *grad, double *loss,
                                   size_t *errors, const dr_nn_slices *s);
/* One SGD step (o's kind must be DR_OPTIM_SGD) with the update fused into `grad`'s backward
 * pass: the same result as dr_optim_step. */
int dr_nn_optim_sgd_fused(dr_optim *o, float *w, double lr, dr_nn_slice_grad_fn grad,
                          void *ctx);

#endif
