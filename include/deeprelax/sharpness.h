/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Flatness of a trained network's minimum: Hessian-vector products of the training loss, its top
 * eigenvalues (Lanczos), trace (Hutchinson) and spectral density (stochastic Lanczos quadrature),
 * the local entropy f_gamma of Entropy-SGD and the local energy, and 1-D interpolation and
 * filter-normalised direction plots (PyHessian, loss-landscape and Pittorino et al. 2021's
 * measurements, on deeprelax's MLP).
 *
 * The loss here is the full-batch mean cross-entropy over a fixed set of n training examples
 * with the network in EVAL mode: batch norm uses the model's running statistics and dropout is
 * off. The loss is then one fixed smooth-almost-everywhere function of the weights, a plain sum
 * over examples (so chunking changes nothing), as PyHessian evaluates it. Vectors are double.
 * Thread safety: a dr_hessian owns its workspace (one per thread); the estimators keep no state
 * beyond their arguments. The BLAS's thread count is process-wide (dr_nn_set_threads). */
#ifndef DEEPRELAX_SHARPNESS_H
#define DEEPRELAX_SHARPNESS_H

#include <stddef.h>
#include <stdint.h>

#include "deeprelax/nn.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- a symmetric operator and a loss, as callbacks ----------------------------------------- */
/* out = A v for vectors of n doubles. */
typedef int (*dr_linop_fn)(void *ctx, const double *v, double *out);
/* f(x) into *f and, if grad is not NULL, its gradient. */
typedef int (*dr_lossfn)(void *ctx, const double *x, double *f, double *grad);

/* ---- the network's loss, gradient and Hessian-vector product -------------------------------- */
enum dr_hessian_precision { DR_HESSIAN_FLOAT = 0, DR_HESSIAN_DOUBLE = 1 };

typedef struct dr_hessian dr_hessian;

/* The loss over the first n rows of d (n = 0 or n > d->n: all), in chunks of `chunk` rows,
 * computed in float32 (sgemm: the trainer's arithmetic, ~1e-6 relative) or float64 (dgemm, for
 * checks to 1e-10). The model must outlive h (its layout and running statistics are read at each
 * call). DR_EINVAL when the data's feature count or labels do not fit the model. */
int dr_hessian_alloc(dr_hessian **h, dr_mlp *m, const dr_dataset *d, size_t n,
                     size_t chunk, int precision);
void dr_hessian_free(dr_hessian *h);
size_t dr_hessian_n_params(const dr_hessian *h);
size_t dr_hessian_n_samples(const dr_hessian *h);

/* Loss, error rate (may be NULL) and gradient (may be NULL) at parameters w. */
int dr_hessian_loss_grad(dr_hessian *h, const double *w, double *loss, double *error,
                         double *grad);
/* hv = H(w) v, exactly (Pearlmutter's R-operator: a forward pass of directional derivatives and
 * a backward pass of them, about 2.3 gradients of arithmetic on mnistfc). ReLU's second
 * derivative is taken as 0 (it is a delta at the kink, met with probability 0). */
int dr_hessian_hvp(dr_hessian *h, const double *w, const double *v, double *hv);

/* Adapters for the generic routines below: ctx is a dr_hessian_at. */
typedef struct { dr_hessian *h; const double *w; } dr_hessian_at;
int dr_hessian_linop(void *ctx, const double *v, double *out);  /* v -> H(w) v */
int dr_hessian_lossfn(void *ctx, const double *x, double *f, double *grad); /* the loss at x */

/* ---- Lanczos --------------------------------------------------------------------------------- */
/* `steps` Lanczos steps from q0 (normalised here; must be non-zero) with full
 * reorthogonalisation (two Gram-Schmidt passes against every earlier vector), so the Ritz values
 * do not repeat. alpha[0..*done), beta[0..*done-1) is the tridiagonal T; it stops early (*done <
 * steps) when the Krylov space is invariant (beta below 1e-12 of |T|). basis (steps x n doubles,
 * caller's) keeps the Lanczos vectors; beta[*done-1] is the last residual norm
 * beta_m of A Q = Q T + beta_m q_{m+1} e_m^T (0 after an early stop), so beta needs steps slots. */
int dr_lanczos(dr_linop_fn op, void *ctx, size_t n, size_t steps, const double *q0,
               double *basis, double *alpha, double *beta, size_t *done);

/* Eigen-decomposition of the m x m tridiagonal (alpha, beta) by GSL (gsl_eigen_symmv): theta
 * descending, and the first and last components of each unit eigenvector (first[i], last[i]). */
int dr_tridiag_eigen(size_t m, const double *alpha, const double *beta, double *theta,
                     double *first, double *last);

/* The k largest eigenvalues of the n x n operator by `steps` >= k Lanczos steps from a Gaussian
 * start (seed). bound[i] = |beta_m s_mi| is the Ritz residual |A y_i - theta_i y_i|: some
 * eigenvalue of A lies within bound[i] of theta[i] (exact arithmetic on the operator as computed:
 * a float32 HVP is itself ~1e-7 of |H| off the exact one, which the bound does not include, so
 * a bound below that says "converged", not "exact to the bound"). vectors (k x n, may be
 * NULL) receive the Ritz vectors. k > n or steps > n -> DR_EINVAL. */
int dr_lanczos_top(dr_linop_fn op, void *ctx, size_t n, size_t k, size_t steps, uint64_t seed,
                   double *theta, double *bound, double *vectors);

/* ---- trace and spectral density ------------------------------------------------------------- */
/* Hutchinson: tr A ~ mean of z^T A z over `samples` >= 2 Rademacher vectors z; *stderr_out is the
 * sample standard deviation over sqrt(samples) (a 1-sigma Monte-Carlo error, not a bound). */
int dr_hutchinson_trace(dr_linop_fn op, void *ctx, size_t n, size_t samples, uint64_t seed,
                        double *trace, double *stderr_out);

/* Stochastic Lanczos quadrature (Lin, Saad, Yang 2016; Ghorbani, Krishnan, Xiao 2019): for each of
 * `vectors` Rademacher starts, `steps` Lanczos steps; nodes[v*steps + i] are the Ritz values and
 * weights[v*steps + i] = s_0i^2 / vectors, so that sum_i w_i g(t_i) ~ tr g(A) / n. Unused slots
 * (early stops) get weight 0. */
int dr_slq(dr_linop_fn op, void *ctx, size_t n, size_t vectors, size_t steps, uint64_t seed,
           double *nodes, double *weights);
/* The density sum_i w_i N(t; node_i, width^2) at t[0..nt). */
void dr_slq_density(const double *nodes, const double *weights, size_t count, double width,
                    const double *t, size_t nt, double *density);

/* ---- local energy and local entropy ---------------------------------------------------------- */
/* Local energy E f(x + sigma z) - f(x), z ~ N(0, I), from `samples` antithetic pairs (z, -z):
 * the pair mean (f(x+sz) + f(x-sz))/2 - f(x) is unbiased and drops the gradient term's variance.
 * *stderr_out: standard deviation of the pair means over sqrt(samples) (1 sigma). */
int dr_local_energy(dr_lossfn f, void *ctx, size_t n, const double *x, double sigma,
                    size_t samples, uint64_t seed, double *energy, double *stderr_out);

typedef struct {
    double beta;        /* inverse temperature (> 0) */
    size_t nodes;       /* lambda nodes of the thermodynamic integral: even, >= 2 (default 8) */
    size_t burn_in;     /* Langevin steps discarded per node (default 50) */
    size_t steps;       /* Langevin steps averaged per node (default 200), in 20 batches */
    double step;        /* eta in units of the Gaussian's own time (default 0.5) */
    int metropolis;     /* 1: accept/reject each step (exact); 0: plain inner loop, O(eta) bias */
    uint64_t seed;
} dr_local_entropy_params;
void dr_local_entropy_defaults(dr_local_entropy_params *p);

typedef struct {
    double value;       /* f_gamma(x) - f(x) (<= local energy at sigma^2 = gamma/beta, Jensen) */
    double mc_error;    /* 1-sigma MC error (20 batch means per chain, AR(1)-corrected) */
    double quad_error;  /* |Simpson - trapezoid| over the lambda nodes (an estimate, not a bound) */
    double acceptance;  /* fraction of accepted Langevin proposals (1 without metropolis) */
    double energy0;     /* <f(x + sigma z) - f(x)> at lambda = 0: the local energy at this sigma */
} dr_local_entropy_result;

/* The local entropy f_gamma(x) = -(1/beta) log E_z exp(-beta f(x + sqrt(gamma/beta) z)), z ~ N(0,I)
 * (the paper's u(x, gamma) up to its normalisation), minus f(x), by thermodynamic integration:
 * f_gamma - f = int_0^1 <f(y) - f(x)>_lambda d lambda over the Gibbs measures
 * rho_lambda(y) ~ exp(-beta lambda f(y) - beta |y - x|^2 / (2 gamma)), each sampled by the
 * Entropy-SGD inner Langevin loop on lambda f(y) + |y - x|^2/(2 gamma) at temperature 1/beta, with
 * the Gaussian part integrated exactly (so the step is stable in any dimension) and optionally a
 * Metropolis accept/reject that removes the discretisation bias. gamma <= 0 -> DR_EINVAL. */
int dr_local_entropy(dr_lossfn f, void *ctx, size_t n, const double *x, double gamma,
                     const dr_local_entropy_params *p, dr_local_entropy_result *r);

/* ---- filter-normalised coordinates ---------------------------------------------------------- */
/* A hidden layer followed by batch norm computes the same function when one neuron's incoming
 * weights (and bias) are multiplied by alpha > 0 and its running mean and variance by alpha and
 * alpha^2 (exactly, up to batch norm's epsilon), while that neuron's block of the Hessian scales
 * by 1/alpha^2 (Dinh, Pascanu, Bengio, Bengio 2017): the plain eigenvalues, trace and local energy
 * of two minima then compare their weight norms as much as their shape. In the coordinates
 * w = w0 + D theta, D = diag(s), the loss f(w0 + D theta) is invariant to those rescalings: its
 * Hessian at theta = 0 is D H D, and its local energy at sigma perturbs each weight by sigma
 * times its row's RMS. */

/* s_i = the RMS of the weight row (one neuron's incoming weights, as in dr_slice_directions) of
 * w that parameter i belongs to; 0 for biases and batch-norm parameters, which stay fixed.
 * scale has dr_mlp_n_params entries. The output layer (no batch norm after it) has no such
 * symmetry; its rows are scaled the same way, as filter normalisation does (Li et al. 2018). */
void dr_filter_scales(const dr_mlp *m, const float *w, double *scale);

/* An operator and a loss carried into the coordinates w = origin + D theta, D = diag(scale):
 * dr_scaled_linop(ctx = &coords) applies D A D, dr_scaled_lossfn gives f(origin + D theta) and
 * D grad f. work (n doubles, caller's) makes one dr_scaled_coords usable from one thread at a
 * time. */
typedef struct {
    dr_linop_fn op;      /* A in the original coordinates (may be NULL if only f is used) */
    dr_lossfn f;         /* f in the original coordinates (may be NULL if only op is used) */
    void *ctx;           /* their context */
    size_t n;
    const double *origin, *scale;
    double *work;
} dr_scaled_coords;
int dr_scaled_linop(void *ctx, const double *v, double *out);
int dr_scaled_lossfn(void *ctx, const double *theta, double *f, double *grad);

/* ---- 1-D views ----------------------------------------------------------------------------- */
/* Loss and error (EVAL mode) on the first n_max rows of `d` (0: all) along w(a) = (1-a) wa + a wb
 * for the n values a[i]; the running statistics are interpolated the same way (sa, sb: the two
 * models' dr_mlp_state). The model's own state is restored on return. */
int dr_interpolate_eval(dr_mlp *m, const float *wa, const float *sa, const float *wb,
                        const float *sb, const dr_dataset *d, size_t n_max, const double *a,
                        size_t n, double *loss, double *error);
/* Loss and error (EVAL mode, the model's running statistics) along w + a dir. */
int dr_direction_eval(dr_mlp *m, const float *w, const float *dir, const dr_dataset *d,
                      size_t n_max, const double *a, size_t n, double *loss, double *error);

#ifdef __cplusplus
}
#endif
#endif
