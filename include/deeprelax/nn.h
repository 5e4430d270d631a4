/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The MLP trainer of libdeeprelax: IDX data sets, a float32 multi-layer perceptron on CBLAS
 * (dense, ReLU, batch normalisation, dropout, softmax cross-entropy), optimisers on the flat
 * parameter vector (SGD with Nesterov momentum, Entropy-SGD, HJ, Elastic-SGD), model files and
 * 2-D loss slices. The paper's `mnistfc` network is a preset.
 *
 * Conventions: row-major float32 arrays, a minibatch is B rows; every parameter of a network lives
 * in one flat vector whose layout dr_mlp fixes; the library never prints: long loops report
 * through a caller-supplied progress callback. */
#ifndef DEEPRELAX_NN_H
#define DEEPRELAX_NN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- random numbers ------------------------------------------------------------------------ */
/* xoshiro256** (Blackman and Vigna): dropout masks and Langevin noise need ~1e8 variates per
 * second, which a function-pointer generator cannot deliver; the stream is fixed by the seed. */
typedef struct { uint64_t s[4]; } dr_nn_rng;
void dr_nn_rng_seed(dr_nn_rng *r, uint64_t seed);
uint64_t dr_nn_rng_next(dr_nn_rng *r);
double dr_nn_rng_uniform(dr_nn_rng *r);   /* in [0, 1) with 53 random bits */
double dr_nn_rng_gaussian(dr_nn_rng *r);  /* standard normal */

/* ---- IDX data -------------------------------------------------------------------------------- */
/* Reads an IDX file (gzip or plain: zlib reads both) of unsigned bytes. `want_dims` is 1 for
 * labels (magic 0x00000801) and 3 for images (magic 0x00000803). On success dims[0..want_dims)
 * are the header's sizes and *data (malloc'ed, caller frees) holds their product of bytes.
 * Missing file -> DR_EIO; wrong magic, absurd sizes, truncated or over-long data, corrupt gzip ->
 * DR_EFORMAT; every message names the file. */
int dr_idx_read(const char *path, int want_dims, size_t dims[3], unsigned char **data);

/* A labelled data set: n examples of dim = rows*cols features scaled to [0, 1] as float32. */
typedef struct {
    size_t n, rows, cols, dim;
    float *x;          /* n x dim */
    unsigned char *y;  /* n labels */
    int n_classes;     /* 1 + the largest label */
} dr_dataset;

/* Loads the training (`train` = 1: train-images-idx3-ubyte, train-labels-idx1-ubyte) or test
 * (t10k-...) pair from `dir`, each file with or without ".gz". Checks that the counts agree and
 * that labels are below 256. Free with dr_dataset_free. */
int dr_dataset_load(dr_dataset *d, const char *dir, int train);
/* The same for a consumer that expects `features` = rows x cols inputs (a model's input size;
 * 0: any): a mismatch is refused from the header, before the images are decompressed. */
int dr_dataset_load_for(dr_dataset *d, const char *dir, int train, size_t features);
void dr_dataset_free(dr_dataset *d);

/* Where the data is: `given` if not NULL, else $DEEPRELAX_DATA, else the first of data/mnist,
 * $HOME/.local/share/deeprelax/mnist, /usr/share/datasets/mnist that holds the training images.
 * Writes the directory into out[outlen]; DR_ENOTFOUND (message listing the places) otherwise. */
int dr_data_dir(const char *given, char *out, size_t outlen);

/* ---- layer kernels (used by dr_mlp; public for tests and reuse) ----------------------------- */
/* Dense: y = x W^T + b, x is B x in, W is out x in, b (may be NULL) is out, y is B x out. */
void dr_dense_forward(size_t B, size_t in, size_t out, const float *x, const float *W,
                      const float *b, float *y);
/* Backward of dense: dW = dy^T x (overwritten), db = column sums of dy (if not NULL),
 * dx = dy W (if not NULL). */
void dr_dense_backward(size_t B, size_t in, size_t out, const float *x, const float *W,
                       const float *dy, float *dW, float *db, float *dx);
void dr_relu_forward(size_t n, const float *x, float *y);
/* Uses the forward output y (y > 0 <=> x > 0); dx may alias dy. */
void dr_relu_backward(size_t n, const float *y, const float *dy, float *dx);
/* Inverted dropout: mask[i] = 0 with probability p, else 1/(1-p). */
void dr_dropout_mask(size_t n, float p, dr_nn_rng *rng, float *mask);
void dr_dropout_apply(size_t n, const float *mask, const float *x, float *y); /* also backward */
/* Batch normalisation over the B rows of a B x C array, training mode (batch statistics,
 * biased variance): saves xhat (B x C) and invstd (C) for the backward pass and the batch mean
 * and unbiased variance (C each, for running averages). */
void dr_batchnorm_forward_train(size_t B, size_t C, const float *x, const float *gamma,
                                const float *beta, float eps, float *y, float *xhat,
                                float *invstd, float *mean, float *var_unbiased);
void dr_batchnorm_forward_eval(size_t B, size_t C, const float *x, const float *gamma,
                               const float *beta, const float *run_mean, const float *run_var,
                               float eps, float *y);
/* dx may alias dy. dgamma and dbeta are overwritten. */
void dr_batchnorm_backward(size_t B, size_t C, const float *xhat, const float *invstd,
                           const float *gamma, const float *dy, float *dx, float *dgamma,
                           float *dbeta);
/* Mean softmax cross-entropy of B rows of K logits against labels; dlogits (if not NULL) gets
 * its gradient, *errors (if not NULL) the number of rows whose arg-max is not the label. */
double dr_softmax_xent(size_t B, size_t K, const float *logits, const unsigned char *labels,
                       float *dlogits, size_t *errors);

/* ---- the network ------------------------------------------------------------------------------ */
#define DR_MLP_MAX_LAYERS 8

/* sizes[0] inputs, sizes[n_layers] classes; every hidden layer is dense -> [batch norm] -> ReLU ->
 * [dropout]; the input gets dropout `dropout_in`. With batch norm a dense layer has no bias (the
 * norm's beta replaces it). */
typedef struct {
    int n_layers;                        /* dense layers, 1..DR_MLP_MAX_LAYERS */
    size_t sizes[DR_MLP_MAX_LAYERS + 1];
    int batchnorm;
    float dropout_in, dropout_hidden;    /* in [0, 1) */
} dr_mlp_config;

/* "mnistfc" (the paper's: input dropout 0.2, 784-1024-1024-10, batch norm, dropout 0.2) or
 * "small" (784-64-64-10, batch norm, dropout 0.1/0.1, for tests). DR_ENOTFOUND otherwise. */
int dr_mlp_preset(dr_mlp_config *c, const char *name);
int dr_mlp_config_check(const dr_mlp_config *c);

typedef struct dr_mlp dr_mlp;

/* Builds the network's layout and a workspace for minibatches of up to max_batch rows. */
int dr_mlp_alloc(dr_mlp **m, const dr_mlp_config *c, size_t max_batch);
void dr_mlp_free(dr_mlp *m);
const dr_mlp_config *dr_mlp_get_config(const dr_mlp *m);
size_t dr_mlp_n_params(const dr_mlp *m);
/* Batch-norm running means and variances (not trained by gradients): 2 * (hidden units), stored
 * in the model and updated by DR_MLP_TRAIN passes with momentum 0.1, as PyTorch does. */
size_t dr_mlp_n_state(const dr_mlp *m);
float *dr_mlp_state(dr_mlp *m);

/* Where each layer's pieces live in the flat vector (offsets in floats; SIZE_MAX if absent). */
typedef struct { size_t W, b, gamma, beta, in, out; } dr_mlp_layer_layout;
void dr_mlp_layout(const dr_mlp *m, int layer, dr_mlp_layer_layout *l);

/* PyTorch's default initialisation (weights and biases uniform in +-1/sqrt(fan_in)), gamma = 1,
 * beta = 0; also resets the running statistics to mean 0, variance 1. */
void dr_mlp_init(dr_mlp *m, float *w, uint64_t seed);

enum dr_mlp_mode {
    DR_MLP_TRAIN,      /* dropout on, batch statistics, running statistics updated */
    DR_MLP_EVAL,       /* dropout off, running statistics */
    DR_MLP_BATCHSTATS  /* dropout off, batch statistics, running statistics untouched */
};

/* One minibatch: the mean cross-entropy at parameters w (flat), its gradient into grad (if not
 * NULL; with batch norm this needs TRAIN or BATCHSTATS mode) and the number of misclassified
 * rows. Dropout masks are drawn from `seed`: the same seed gives the same
 * masks (which makes a finite-difference check possible). */
int dr_mlp_loss_grad(dr_mlp *m, const float *w, const float *x, const unsigned char *y, size_t B,
                     int mode, uint64_t seed, double *loss, size_t *errors, float *grad);

/* Mean loss and error rate over a whole data set (or its first n_max rows if n_max > 0), in
 * chunks of the workspace size, in DR_MLP_EVAL or DR_MLP_BATCHSTATS mode. */
int dr_mlp_evaluate(dr_mlp *m, const float *w, const dr_dataset *d, size_t n_max, int mode,
                    double *loss, double *error);

/* ---- model files ----------------------------------------------------------------------------- */
/* Binary little-endian: magic "DRMLP\r\n\x1a", version 1, the config, the flat parameters and the
 * running statistics (float32), a CRC-32 of all that. Loading checks each of these. */
int dr_mlp_save(const char *path, const dr_mlp *m, const float *w);
/* Allocates *m (workspace max_batch) and *w (malloc'ed, caller frees). */
int dr_mlp_load(const char *path, size_t max_batch, dr_mlp **m, float **w);

/* ---- optimisers and the trainer ----------------------------------------------------------- */
enum dr_optim_kind { DR_OPTIM_SGD, DR_OPTIM_ENTROPY_SGD, DR_OPTIM_HJ, DR_OPTIM_ELASTIC_SGD,
                     DR_OPTIM_PARLE /* replicas only: dr_replicas */ };

typedef struct {
    int kind;
    double lr;            /* outer learning rate (schedule may override) */
    double momentum;      /* Nesterov momentum on the outer step (0.9) */
    double weight_decay;  /* L2 added to the gradient (0) */
    /* Entropy-SGD and HJ */
    int L;                /* inner steps per outer step */
    double inner_lr;      /* eta' (Entropy-SGD inner step, 0.1) */
    double noise;         /* 1/sqrt(beta): inner Langevin noise sqrt(2 eta') * noise * xi */
    double alpha;         /* averaging of the inner iterates (0.75) */
    double g0, g1;        /* scoping gamma_k = 1/(g0 (1+g1)^k), k = outer steps */
    double hj_gamma;      /* HJ: proximal scale t in p <- 0.75 p + 0.25 grad f(x - t p) */
    /* Elastic-SGD */
    int replicas;
    double rho, rho_growth, rho_max; /* coupling rho_k = min(rho_max, rho (1+rho_growth)^k) */
} dr_optim_params;

/* The authors' MNIST defaults for `kind` (see the CLI's --help for the numbers). */
void dr_optim_defaults(dr_optim_params *p, int kind);
int dr_optim_kind_parse(const char *name, int *kind);
const char *dr_optim_kind_name(int kind);
/* Gradient evaluations per outer step, and per data pass in multiples of an SGD epoch. */
int dr_optim_grads_per_step(const dr_optim_params *p);

/* The gradient oracle: a fresh minibatch each call, the gradient of its loss at w. */
typedef int (*dr_grad_fn)(void *ctx, const float *w, float *grad, double *loss, size_t *errors);

typedef struct dr_optim dr_optim;
int dr_optim_alloc(dr_optim **o, const dr_optim_params *p, size_t n, const float *w0);
void dr_optim_free(dr_optim *o);
/* One outer step on w (n floats) at learning rate lr, calling `grad` as often as the method
 * needs (1, L, or `replicas` times). For Elastic-SGD w is the replicas' mean on return. */
int dr_optim_step(dr_optim *o, float *w, double lr, dr_grad_fn grad, void *ctx);

/* Progress inside an epoch: steps done of total; returning non-zero stops the epoch
 * (dr_train_epoch then returns DR_EINVAL "interrupted"). */
typedef int (*dr_progress_fn)(void *ctx, size_t done, size_t total);

typedef struct dr_trainer dr_trainer;
typedef struct {
    double train_loss, train_error; /* means over every minibatch gradient of the epoch */
    double test_loss, test_error;   /* DR_MLP_EVAL on the test set (NaN without one) */
    double effective_epoch;         /* data passes so far, in SGD epochs */
    double seconds;                 /* wall time of the epoch (training and test) */
} dr_epoch_stats;

/* A trainer owns the optimiser state and the minibatch order; the model, parameters and data sets
 * stay the caller's. `test` may be NULL. */
int dr_trainer_alloc(dr_trainer **t, dr_mlp *m, float *w, const dr_dataset *train,
                     const dr_dataset *test, const dr_optim_params *p, size_t batch,
                     uint64_t seed);
void dr_trainer_free(dr_trainer *t);
/* One epoch: ceil(n/batch) outer steps at learning rate lr. */
int dr_train_epoch(dr_trainer *t, double lr, dr_progress_fn progress, void *ctx,
                   dr_epoch_stats *stats);

/* ---- replicas: Elastic-SGD and Parle, in one process or over MPI (nn/replicas.c) --------- */
/* K replicas, replica a with its own data order, dropout stream and seed (seed + a), coupled to
 * their mean every L steps. A process holds replicas first..first+local-1 of the K; the caller's
 * `reduce` turns this process's sums into sums over all K (identity when local == K; an
 * MPI_Allreduce when each rank holds one). Sums are taken in double over float values, exact
 * whenever the K values' exponents differ by < 29 bits (always in practice), so the result does
 * not depend on the reduction's order: K ranks give the numbers of K in-process replicas.
 * Elastic-SGD: y^a <- Nesterov step on grad f_a(y^a) + rho_k (y^a - mean), the mean refreshed
 *   every L steps; rho_k = min(rho_max, rho (1+rho_growth)^k), k = syncs so far.
 * Parle (Chaudhari et al. 2017): per replica an Entropy-SGD inner loop of L steps on y^a with
 *   inner momentum, coupling gamma (y^a - x^a) and the running average z^a (weight alpha), then
 *   the outer Nesterov step x^a <- x^a - lr ((x^a - z^a) + rho (x^a - mean_b x^b)), y^a = x^a,
 *   and the mean of the x^b is refreshed. The authors' scoping: both couplings grow by
 *   (1 + 1/(2 nb)) per outer step, nb = minibatches per epoch: gamma = min(1, g0 (.)^k),
 *   rho = min(rho_max, rho L K (.)^k). */
typedef int (*dr_replicas_reduce_fn)(void *ctx, double *sums, size_t n);
typedef struct {
    int total, first, local;          /* K, and this process's share */
    dr_replicas_reduce_fn reduce;     /* NULL: local == total */
    void *reduce_ctx;
} dr_replicas_layout;

typedef struct dr_replicas dr_replicas;
/* p->kind is DR_OPTIM_ELASTIC_SGD or DR_OPTIM_PARLE, p->L the steps between syncs; every
 * replica starts from w0 (n params, the model's initial state). `m` gives the configuration
 * (each replica gets its own workspace). */
int dr_replicas_alloc(dr_replicas **r, const dr_mlp *m, const float *w0,
                      const dr_dataset *train, const dr_optim_params *p, size_t batch,
                      uint64_t seed, const dr_replicas_layout *layout);
void dr_replicas_free(dr_replicas *r);
/* One epoch: ceil(n/batch) steps of every replica; then the replicas' mean (parameters and
 * batch-norm running statistics) into mean_w and the model `mean_m`, and if `test` is not
 * NULL its DR_MLP_EVAL loss and error. Train loss and error are means over all replicas'
 * minibatches. *comm_seconds gets the wall time spent in `reduce` this epoch. A failure on
 * this process is still carried to the next reduction (flagged), so that the others learn of
 * it instead of waiting; a failure elsewhere returns DR_EINVAL "replica on another process
 * failed". */
int dr_replicas_epoch(dr_replicas *r, double lr, dr_mlp *mean_m, float *mean_w,
                      const dr_dataset *test, dr_epoch_stats *stats, double *comm_seconds);
/* Syncs so far; whether the last failure came from another process (through a reduction). */
uint64_t dr_replicas_syncs(const dr_replicas *r);
int dr_replicas_remote_failure(const dr_replicas *r);
/* The trainer's gradient oracle (as dr_optim_step calls it): the next minibatch of its order,
 * the gradient at w, counted in its epoch means and effective epochs. */
int dr_trainer_gradient(dr_trainer *t, const float *w, float *grad, double *loss,
                        size_t *errors);
/* Clears the trainer's epoch sums; dr_trainer_sums reads them (loss x rows, errors, rows). */
void dr_trainer_reset_means(dr_trainer *t);
void dr_trainer_sums(const dr_trainer *t, double *loss_sum, size_t *err_sum, size_t *rows);

/* Learning-rate schedule "EPOCH:LR,...": from epoch EPOCH (1-based) on, the rate is LR; before
 * the first entry the base rate holds. */
#define DR_LR_SCHEDULE_MAX 32
typedef struct { int n; int epoch[DR_LR_SCHEDULE_MAX]; double lr[DR_LR_SCHEDULE_MAX]; } dr_lr_schedule;
int dr_lr_schedule_parse(dr_lr_schedule *s, const char *text);
double dr_lr_schedule_at(const dr_lr_schedule *s, double base, int epoch);

/* Number of threads of the BLAS (and of the trainer's own loops); n <= 0 means all cores. */
void dr_nn_set_threads(int n);
int dr_nn_get_threads(void);
/* The BLAS's kernel family ("SkylakeX", "Haswell", ...; from OpenBLAS) and a suggestion: when
 * OpenBLAS does not recognise the CPU (0.3.21 takes newer Xeons for "Prescott" and runs SSE3
 * kernels, 4-8x slower) *suggest is the OPENBLAS_CORETYPE value the CPU supports, else NULL.
 * OpenBLAS reads that variable only when it is loaded, so a program must set it and restart. */
const char *dr_nn_blas_core(const char **suggest);

/* ---- loss slices -------------------------------------------------------------------------- */
/* Two random directions, filter-normalised (Li et al. 2018): Gaussian, then each row of every
 * weight matrix (one neuron's incoming weights) rescaled to that row's norm in w; biases and
 * batch-norm parameters get 0. d1, d2 have dr_mlp_n_params entries. */
void dr_slice_directions(const dr_mlp *m, const float *w, uint64_t seed, float *d1, float *d2);

/* The loss (DR_MLP_BATCHSTATS over the first n_samples rows of d) at w + a d1 + b d2 on the
 * n x n grid a, b in [-span, span] (a fastest): out[j*n + i] at a_i, b_j. */
int dr_slice_eval(dr_mlp *m, const float *w, const float *d1, const float *d2,
                  const dr_dataset *d, size_t n_samples, size_t n, double span, double *out,
                  dr_progress_fn progress, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
