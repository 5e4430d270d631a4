/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Checks of the flatness measurements (nn/hessian.c, nn/lanczos.c, nn/sharpness.c), each against
 * an independent second method or a closed form:
 * - the eval-mode loss against dr_mlp_evaluate (the trainer's own forward pass);
 * - the float64 gradient against central differences of the float64 loss, and the float64
 *   Hessian-vector product against central differences of the float64 gradient: with h = 1e-5
 *   the truncation error is h^2 |f'''| / 6 ~ 1e-11 and the round-off eps |g| / h ~ 1e-11, so the
 *   tolerance 1e-7 (1 + |value|) leaves room for a ReLU kink near the point;
 * - the float32 product against the float64 one (float32 rounding: ~1e-6 relative, tolerance 1e-4);
 * - on a tiny network the full Hessian by central differences of exact gradients, its eigenvalues
 *   by GSL, against Lanczos on the HVP (1e-6 relative: central differences at h = 1e-5 are off
 *   by ~h^2 + eps/h ~ 1e-10, so only a wrong product or Lanczos can reach it);
 * - Lanczos on a matrix with a known spectrum (to 1e-10) and its residual bounds;
 * - Hutchinson within 3 standard errors of the true trace, and its standard error against the
 *   exact variance 2 (|A|_F^2 - sum A_ii^2) of the Rademacher estimator;
 * - SLQ nodes at eigenvalues and weights summing to one;
 * - local entropy of f = c|x|^2/2 against c|x|^2/(2(1+c gamma)) + (d/(2 beta)) log(1 + c gamma);
 * - local energy of a quadratic against sigma^2 tr(A)/2 (exact for quadratics), and on the tiny
 *   network against sigma^2 tr(H)/2 for small sigma;
 * - filter-normalised coordinates: the top eigenvalue and trace of D H D and the local energy
 *   unchanged (1e-4) when a neuron's weights and running statistics are rescaled as batch norm
 *   allows, while the plain Hessian's block scales by 1/alpha^2; the scaled gradient against
 *   central differences;
 * - bad input: model/data mismatch, k > parameter count, gamma <= 0. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_sort_vector.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "deeprelax/deeprelax.h"

/* ---- a tiny network and data set ------------------------------------------------------------ */
typedef struct {
    dr_mlp *m;
    dr_dataset d;
    double *w; /* the model's weights in double (exact copies of floats) */
    float *wf;
    size_t np;
} tiny;

static void tiny_make(tiny *t, int batchnorm, size_t n, uint64_t seed)
{
    dr_mlp_config c = {.n_layers = 3, .sizes = {6, 5, 4, 3}, .batchnorm = batchnorm,
                       .dropout_in = 0.2f, .dropout_hidden = 0.2f};
    assert_int_equal(dr_mlp_alloc(&t->m, &c, 64), DR_SUCCESS);
    t->np = dr_mlp_n_params(t->m);
    t->wf = malloc(t->np * sizeof *t->wf);
    t->w = malloc(t->np * sizeof *t->w);
    dr_mlp_init(t->m, t->wf, seed);
    dr_nn_rng rng;
    dr_nn_rng_seed(&rng, seed + 100);
    for (size_t i = 0; i < t->np; i++) { /* gamma, beta away from 1, 0; weights larger */
        t->wf[i] += (float)(0.3 * dr_nn_rng_gaussian(&rng));
        t->w[i] = t->wf[i];
    }
    float *st = dr_mlp_state(t->m);
    for (size_t l = 0, off = 0; batchnorm && l < 2; l++) {
        size_t o = c.sizes[l + 1];
        for (size_t j = 0; j < o; j++) {
            st[off + j] = (float)(0.3 * dr_nn_rng_gaussian(&rng));
            st[off + o + j] = (float)(0.5 + dr_nn_rng_uniform(&rng));
        }
        off += 2 * o;
    }
    t->d = (dr_dataset){.n = n, .rows = 2, .cols = 3, .dim = 6, .n_classes = 3};
    t->d.x = malloc(n * 6 * sizeof *t->d.x);
    t->d.y = malloc(n);
    for (size_t i = 0; i < n * 6; i++)
        t->d.x[i] = (float)dr_nn_rng_uniform(&rng);
    for (size_t i = 0; i < n; i++)
        t->d.y[i] = (unsigned char)(dr_nn_rng_next(&rng) % 3);
}

static void tiny_free(tiny *t)
{
    dr_mlp_free(t->m);
    free(t->w);
    free(t->wf);
    free(t->d.x);
    free(t->d.y);
}

static double loss_at(dr_hessian *h, const double *w)
{
    double f;
    assert_int_equal(dr_hessian_loss_grad(h, w, &f, NULL, NULL), DR_SUCCESS);
    return f;
}

/* ---- the loss, the gradient and the HVP ---------------------------------------------------- */
static void test_loss_matches_trainer(void **state)
{
    (void)state;
    for (int bn = 0; bn <= 1; bn++) {
        tiny t;
        tiny_make(&t, bn, 40, 1);
        double ref, ref_err, f, e;
        assert_int_equal(dr_mlp_evaluate(t.m, t.wf, &t.d, 0, DR_MLP_EVAL, &ref, &ref_err), 0);
        for (int prec = 0; prec <= 1; prec++) {
            dr_hessian *h;
            /* chunk 7: the sum over chunks must not depend on how the rows are split */
            assert_int_equal(dr_hessian_alloc(&h, t.m, &t.d, 0, 7, prec), DR_SUCCESS);
            assert_int_equal(dr_hessian_loss_grad(h, t.w, &f, &e, NULL), DR_SUCCESS);
            /* float32 forward passes on both sides: ~1e-7 relative each */
            assert_true(fabs(f - ref) <= 1e-5 * fabs(ref));
            assert_true(fabs(e - ref_err) < 1e-12);
            dr_hessian_free(h);
        }
        tiny_free(&t);
    }
}

static void test_gradient_fd(void **state)
{
    (void)state;
    for (int bn = 0; bn <= 1; bn++) {
        tiny t;
        tiny_make(&t, bn, 30, 2);
        dr_hessian *h;
        assert_int_equal(dr_hessian_alloc(&h, t.m, &t.d, 0, 64, DR_HESSIAN_DOUBLE), 0);
        double *g = malloc(t.np * sizeof *g), *w = malloc(t.np * sizeof *w), f, worst = 0;
        assert_int_equal(dr_hessian_loss_grad(h, t.w, &f, NULL, g), DR_SUCCESS);
        memcpy(w, t.w, t.np * sizeof *w);
        const double step = 1e-5;
        for (size_t i = 0; i < t.np; i++) {
            w[i] = t.w[i] + step;
            double up = loss_at(h, w);
            w[i] = t.w[i] - step;
            double down = loss_at(h, w);
            w[i] = t.w[i];
            double err = fabs((up - down) / (2 * step) - g[i]) / (1 + fabs(g[i]));
            worst = fmax(worst, err);
        }
        print_message("gradient vs central differences (bn %d): max rel. error %.2e\n", bn, worst);
        assert_true(worst < 1e-7);
        free(g);
        free(w);
        dr_hessian_free(h);
        tiny_free(&t);
    }
}

/* (g(w + h v) - g(w - h v)) / 2h */
static void hvp_fd(dr_hessian *h, const double *w0, const double *v, size_t np, double step,
                   double *out)
{
    double *w = calloc(np, sizeof *w), *gp = malloc(np * sizeof *gp), *gm = malloc(np * sizeof *gm);
    for (size_t i = 0; i < np; i++)
        w[i] = w0[i] + step * v[i];
    assert_int_equal(dr_hessian_loss_grad(h, w, NULL, NULL, gp), DR_SUCCESS);
    for (size_t i = 0; i < np; i++)
        w[i] = w0[i] - step * v[i];
    assert_int_equal(dr_hessian_loss_grad(h, w, NULL, NULL, gm), DR_SUCCESS);
    for (size_t i = 0; i < np; i++)
        out[i] = (gp[i] - gm[i]) / (2 * step);
    free(w);
    free(gp);
    free(gm);
}

static double max_abs_diff(const double *a, const double *b, size_t n, double *scale)
{
    double d = 0, s = 0;
    for (size_t i = 0; i < n; i++) {
        d = fmax(d, fabs(a[i] - b[i]));
        s = fmax(s, fabs(b[i]));
    }
    *scale = s;
    return d;
}

static void test_hvp_fd(void **state)
{
    (void)state;
    for (int bn = 0; bn <= 1; bn++) {
        tiny t;
        tiny_make(&t, bn, 30, 3);
        dr_hessian *hd, *hf;
        assert_int_equal(dr_hessian_alloc(&hd, t.m, &t.d, 0, 11, DR_HESSIAN_DOUBLE), 0);
        assert_int_equal(dr_hessian_alloc(&hf, t.m, &t.d, 0, 11, DR_HESSIAN_FLOAT), 0);
        size_t np = t.np;
        double *v = malloc(np * sizeof *v), *hv = malloc(np * sizeof *hv),
               *fd = malloc(np * sizeof *fd), *hvf = malloc(np * sizeof *hvf), scale;
        dr_nn_rng rng;
        dr_nn_rng_seed(&rng, 9);
        for (int trial = 0; trial < 3; trial++) {
            for (size_t i = 0; i < np; i++)
                v[i] = dr_nn_rng_gaussian(&rng);
            assert_int_equal(dr_hessian_hvp(hd, t.w, v, hv), DR_SUCCESS);
            hvp_fd(hd, t.w, v, np, 1e-5, fd);
            double err = max_abs_diff(hv, fd, np, &scale);
            assert_int_equal(dr_hessian_hvp(hf, t.w, v, hvf), DR_SUCCESS);
            double errf = max_abs_diff(hvf, hv, np, &scale);
            print_message("HVP (bn %d): vs differences of the gradient %.2e, float32 vs float64 "
                          "%.2e (max |Hv| %.3g)\n", bn, err / scale, errf / scale, scale);
            assert_true(err <= 1e-7 * (1 + scale));
            assert_true(errf <= 1e-4 * scale);
        }
        free(v); free(hv); free(fd); free(hvf);
        dr_hessian_free(hd);
        dr_hessian_free(hf);
        tiny_free(&t);
    }
}

/* ---- eigenvalues --------------------------------------------------------------------------- */
/* eigenvalues (descending) of a dense symmetric n x n matrix, by GSL */
static void dense_eigenvalues(double *A, size_t n, double *ev)
{
    gsl_matrix_view M = gsl_matrix_view_array(A, n, n);
    gsl_vector_view e = gsl_vector_view_array(ev, n);
    gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(n);
    assert_int_equal(gsl_eigen_symm(&M.matrix, &e.vector, ws), 0);
    gsl_eigen_symm_free(ws);
    gsl_sort_vector_largest(ev, n, &e.vector);
}

static void test_full_hessian_top_eigenvalues(void **state)
{
    (void)state;
    tiny t;
    tiny_make(&t, 1, 40, 4);
    dr_hessian *h;
    assert_int_equal(dr_hessian_alloc(&h, t.m, &t.d, 0, 64, DR_HESSIAN_DOUBLE), 0);
    size_t np = t.np;
    double *H = malloc(np * np * sizeof *H), *e = calloc(np, sizeof *e);
    double *col = malloc(np * sizeof *col);
    for (size_t j = 0; j < np; j++) { /* column j by differences of exact gradients */
        e[j] = 1;
        hvp_fd(h, t.w, e, np, 1e-5, col);
        e[j] = 0;
        for (size_t i = 0; i < np; i++)
            H[i * np + j] = col[i];
    }
    double asym = 0;
    for (size_t i = 0; i < np; i++)
        for (size_t j = 0; j < i; j++) {
            asym = fmax(asym, fabs(H[i * np + j] - H[j * np + i]));
            H[i * np + j] = H[j * np + i] = 0.5 * (H[i * np + j] + H[j * np + i]);
        }
    double *ev = malloc(np * sizeof *ev);
    dense_eigenvalues(H, np, ev);
    enum { K = 4 };
    double theta[K], bound[K];
    dr_hessian_at at = {h, t.w};
    /* 50 of the 83 dimensions: enough for the top of the spectrum to converge */
    assert_int_equal(dr_lanczos_top(dr_hessian_linop, &at, np, K, 50, 7, theta, bound, NULL), 0);
    for (int i = 0; i < K; i++) {
        double rel = fabs(theta[i] - ev[i]) / fabs(ev[0]);
        print_message("eigenvalue %d: full Hessian %.10g, Lanczos %.10g, rel. diff %.2e, "
                      "residual bound %.2e\n", i, ev[i], theta[i], rel, bound[i]);
        assert_true(rel <= 1e-6);
    }
    print_message("asymmetry of the difference Hessian: %.2e (%zu parameters)\n", asym, np);
    free(H); free(e); free(col); free(ev);
    dr_hessian_free(h);
    tiny_free(&t);
}

/* A = Q diag(lambda) Q^T with Q a product of Householder reflections: known spectrum, dense. */
typedef struct { size_t n; double *A; } dense_op;

static int dense_apply(void *ctx, const double *v, double *out)
{
    dense_op *d = ctx;
    for (size_t i = 0; i < d->n; i++) {
        double s = 0;
        for (size_t j = 0; j < d->n; j++)
            s += d->A[i * d->n + j] * v[j];
        out[i] = s;
    }
    return DR_SUCCESS;
}

static void make_known(dense_op *d, size_t n, const double *lambda, uint64_t seed)
{
    d->n = n;
    d->A = calloc(n * n, sizeof *d->A);
    for (size_t i = 0; i < n; i++)
        d->A[i * n + i] = lambda[i];
    dr_nn_rng rng;
    dr_nn_rng_seed(&rng, seed);
    double *u = malloc(n * sizeof *u), *tmp = malloc(n * sizeof *tmp);
    for (int r = 0; r < 3; r++) { /* A <- P A P with P = I - 2 u u^T / |u|^2 */
        double nn = 0;
        for (size_t i = 0; i < n; i++) {
            u[i] = dr_nn_rng_gaussian(&rng);
            nn += u[i] * u[i];
        }
        for (size_t i = 0; i < n; i++)
            u[i] /= sqrt(nn);
        for (int side = 0; side < 2; side++) {
            for (size_t i = 0; i < n; i++) { /* tmp = A u (A symmetric) */
                tmp[i] = 0;
                for (size_t j = 0; j < n; j++)
                    tmp[i] += d->A[i * n + j] * u[j];
            }
            for (size_t i = 0; i < n; i++) /* A <- A - 2 tmp u^T, then the transpose step */
                for (size_t j = 0; j < n; j++)
                    d->A[i * n + j] -= 2 * tmp[i] * u[j];
            for (size_t i = 0; i < n; i++) /* transpose in place: the next pass is P (A P) */
                for (size_t j = 0; j < i; j++) {
                    double x = d->A[i * n + j];
                    d->A[i * n + j] = d->A[j * n + i];
                    d->A[j * n + i] = x;
                }
        }
    }
    free(u);
    free(tmp);
}

static void test_lanczos_known_spectrum(void **state)
{
    (void)state;
    enum { N = 200, K = 5 };
    double lambda[N];
    for (int i = 0; i < N; i++) /* 10, 9.5, ... clustered towards 0, and two negatives */
        lambda[i] = i < K ? 10.0 - 0.5 * i : i < N - 2 ? 5.0 * pow(0.97, i) : -1.0 - i % 2;
    dense_op d;
    make_known(&d, N, lambda, 11);
    double theta[K], bound[K];
    assert_int_equal(dr_lanczos_top(dense_apply, &d, N, K, 60, 3, theta, bound, NULL), 0);
    for (int i = 0; i < K; i++) {
        print_message("known %.4f: Lanczos %.14f (bound %.1e)\n", lambda[i], theta[i], bound[i]);
        assert_true(fabs(theta[i] - lambda[i]) <= 1e-10 * 10);
        assert_true(fabs(theta[i] - lambda[i]) <= bound[i] + 1e-12);
    }
    /* 8 steps only: not converged, yet each Ritz value lies within its bound of an eigenvalue */
    double th8[K], b8[K];
    assert_int_equal(dr_lanczos_top(dense_apply, &d, N, K, 8, 5, th8, b8, NULL), 0);
    for (int i = 0; i < K; i++) {
        double nearest = INFINITY;
        for (int j = 0; j < N; j++)
            nearest = fmin(nearest, fabs(th8[i] - lambda[j]));
        assert_true(nearest <= b8[i] * (1 + 1e-9) + 1e-12);
    }
    free(d.A);
}

static void test_hutchinson_and_slq(void **state)
{
    (void)state;
    enum { N = 120, S = 400 };
    double lambda[N], trace = 0;
    for (int i = 0; i < N; i++) { /* ten distinct eigenvalues, 12 times each */
        lambda[i] = 1.0 + (i % 10) - 2.0 * (i % 10 == 9);
        trace += lambda[i];
    }
    dense_op d;
    make_known(&d, N, lambda, 5);
    double est, se;
    assert_int_equal(dr_hutchinson_trace(dense_apply, &d, N, S, 17, &est, &se), 0);
    double fro = 0, diag = 0; /* Var z^T A z = 2 (|A|_F^2 - sum_i A_ii^2) for Rademacher z */
    for (size_t i = 0; i < (size_t)N * N; i++)
        fro += d.A[i] * d.A[i];
    for (int i = 0; i < N; i++)
        diag += d.A[i * N + i] * d.A[i * N + i];
    double se_exact = sqrt(2 * (fro - diag) / S);
    print_message("Hutchinson: %.4f +- %.4f (exact se %.4f), true trace %.4f, %.2f se off\n",
                  est, se, se_exact, trace, fabs(est - trace) / se);
    assert_true(fabs(est - trace) <= 3 * se);
    assert_true(se > 0.7 * se_exact && se < 1.3 * se_exact);

    enum { V = 3, M = 30 };
    double nodes[V * M], weights[V * M], total = 0, mean = 0;
    assert_int_equal(dr_slq(dense_apply, &d, N, V, M, 23, nodes, weights), 0);
    for (int i = 0; i < V * M; i++) {
        total += weights[i];
        mean += weights[i] * nodes[i];
        if (weights[i] < 1e-12)
            continue;
        double nearest = INFINITY; /* 10 distinct eigenvalues: Lanczos stops at 10, exactly */
        for (int j = 0; j < N; j++)
            nearest = fmin(nearest, fabs(nodes[i] - lambda[j]));
        assert_true(nearest < 1e-8);
    }
    print_message("SLQ: weights sum %.15f, trace estimate %.4f\n", total, mean * N);
    assert_true(fabs(total - 1) < 1e-12);
    free(d.A);
}

/* ---- local entropy and local energy on quadratics -------------------------------------------- */
typedef struct { size_t n; double c; const double *A; const double *b; } quad;

/* f = c |x|^2 / 2 when A is NULL, else x^T A x / 2 + b^T x */
static int quad_f(void *ctx, const double *x, double *f, double *g)
{
    quad *q = ctx;
    double s = 0;
    for (size_t i = 0; i < q->n; i++) {
        double ax = 0;
        if (q->A) {
            for (size_t j = 0; j < q->n; j++)
                ax += q->A[i * q->n + j] * x[j];
            ax += q->b[i];
            s += 0.5 * (ax + q->b[i]) * x[i];
        } else {
            ax = q->c * x[i];
            s += 0.5 * ax * x[i];
        }
        if (g)
            g[i] = ax;
    }
    *f = s;
    return DR_SUCCESS;
}

static void test_local_entropy_quadratic(void **state)
{
    (void)state;
    enum { D = 10 };
    quad q = {.n = D, .c = 1.5};
    double x[D], x2 = 0;
    for (int i = 0; i < D; i++) {
        x[i] = 0.3 * (i - 4.5);
        x2 += x[i] * x[i];
    }
    dr_local_entropy_params p;
    dr_local_entropy_defaults(&p);
    p.beta = 4;
    p.steps = 4000;
    p.burn_in = 100;
    const double gammas[] = {0.25, 1.0, 3.0};
    for (int k = 0; k < 3; k++) {
        double g = gammas[k], cg = q.c * g;
        double exact = q.c * x2 / (2 * (1 + cg)) + D / (2 * p.beta) * log(1 + cg) - q.c * x2 / 2;
        dr_local_entropy_result r;
        assert_int_equal(dr_local_entropy(quad_f, &q, D, x, g, &p, &r), DR_SUCCESS);
        /* the local energy at sigma^2 = gamma / beta is c d sigma^2 / 2 (the lambda = 0 node) */
        double energy = q.c * D * g / p.beta / 2;
        print_message("gamma %g: f_gamma - f = %.5f +- %.5f (quad. %.1e, acceptance %.2f), exact "
                      "%.5f; local energy %.4f, exact %.4f\n", g, r.value, r.mc_error,
                      r.quad_error, r.acceptance, exact, r.energy0, energy);
        assert_true(fabs(r.value - exact) <= 3 * r.mc_error + r.quad_error);
        assert_true(r.value < energy); /* Jensen */
    }
}

static void test_local_energy(void **state)
{
    (void)state;
    enum { D = 12 };
    double lambda[D], tr = 0, b[D], x[D];
    for (int i = 0; i < D; i++) {
        lambda[i] = 0.5 + i;
        tr += lambda[i];
        b[i] = 0.1 * i;
        x[i] = 1.0 - 0.2 * i;
    }
    dense_op A;
    make_known(&A, D, lambda, 2);
    quad q = {.n = D, .A = A.A, .b = b};
    const double sigmas[] = {0.01, 0.3, 2.0};
    for (int k = 0; k < 3; k++) { /* exact for a quadratic at every sigma */
        double e, se, s = sigmas[k];
        assert_int_equal(dr_local_energy(quad_f, &q, D, x, s, 500, 3, &e, &se), DR_SUCCESS);
        print_message("quadratic, sigma %g: %.6g +- %.2g, exact %.6g\n", s, e, se, s * s * tr / 2);
        assert_true(fabs(e - s * s * tr / 2) <= 3 * se);
    }
    free(A.A);

    /* the tiny network, sigma small: sigma^2 tr(H)/2 + O(sigma^4), tr H by 83 exact HVPs. sigma
     * must stay below the distance of the pre-activations from ReLU's kink: at sigma = 1e-3 the
     * kinks, which the Hessian does not see, already halve the local energy (measured) */
    tiny t;
    tiny_make(&t, 1, 40, 6);
    dr_hessian *h;
    assert_int_equal(dr_hessian_alloc(&h, t.m, &t.d, 0, 64, DR_HESSIAN_DOUBLE), 0);
    double *e = calloc(t.np, sizeof *e), *col = malloc(t.np * sizeof *col), trh = 0;
    for (size_t j = 0; j < t.np; j++) {
        e[j] = 1;
        assert_int_equal(dr_hessian_hvp(h, t.w, e, col), DR_SUCCESS);
        e[j] = 0;
        trh += col[j];
    }
    dr_hessian_at at = {h, t.w};
    double s = 1e-5, le, se;
    assert_int_equal(dr_local_energy(dr_hessian_lossfn, &at, t.np, t.w, s, 400, 5, &le, &se), 0);
    print_message("tiny network, sigma %g: local energy %.6e +- %.1e, sigma^2 tr(H)/2 = %.6e\n", s,
                  le, se, s * s * trh / 2);
    /* tolerance: 3 se for the Monte Carlo, 1e-3 relative for the O(sigma^4) remainder */
    assert_true(fabs(le - s * s * trh / 2) <= 3 * se + 1e-3 * fabs(s * s * trh / 2));
    free(e);
    free(col);
    dr_hessian_free(h);
    tiny_free(&t);
}

/* ---- filter-normalised coordinates ---------------------------------------------------------- */
/* Multiply neuron j's incoming weights by alpha and its running mean and variance by alpha and
 * alpha^2: the eval-mode network computes the same function (batch norm's epsilon aside). */
static void rescale_neuron(tiny *t, int layer, size_t j, double alpha)
{
    dr_mlp_layer_layout ly;
    dr_mlp_layout(t->m, layer, &ly);
    for (size_t i = 0; i < ly.in; i++) {
        t->wf[ly.W + j * ly.in + i] *= (float)alpha;
        t->w[ly.W + j * ly.in + i] = t->wf[ly.W + j * ly.in + i];
    }
    if (ly.b != SIZE_MAX) {
        t->wf[ly.b + j] *= (float)alpha;
        t->w[ly.b + j] = t->wf[ly.b + j];
    }
    float *st = dr_mlp_state(t->m);
    size_t off = 0;
    for (int l = 0; l < layer; l++)
        off += 2 * dr_mlp_get_config(t->m)->sizes[l + 1];
    st[off + j] *= (float)alpha;
    st[off + ly.out + j] *= (float)(alpha * alpha);
}

typedef struct { double lambda1, trace, energy, row_curvature; } coords_measures;

/* In filter-normalised coordinates: the top eigenvalue of D H D (Lanczos to the full dimension),
 * its exact trace (np HVPs), the local energy at sigma 0.05 (fixed seed: the same z); and the
 * plain curvature sum_i H_ii over neuron 0 of layer 0's incoming weights. */
static coords_measures measure_coords(tiny *t)
{
    coords_measures r = {0};
    dr_hessian *h;
    assert_int_equal(dr_hessian_alloc(&h, t->m, &t->d, 0, 64, DR_HESSIAN_DOUBLE), 0);
    size_t np = t->np;
    double *scale = malloc(np * sizeof *scale), *work = malloc(np * sizeof *work);
    double *theta0 = calloc(np, sizeof *theta0), *e = calloc(np, sizeof *e);
    double *col = malloc(np * sizeof *col), bound, se;
    dr_filter_scales(t->m, t->wf, scale);
    dr_hessian_at at = {h, t->w};
    dr_scaled_coords sc = {dr_hessian_linop, dr_hessian_lossfn, &at, np, t->w, scale, work};
    assert_int_equal(dr_lanczos_top(dr_scaled_linop, &sc, np, 1, np, 3, &r.lambda1, &bound,
                                    NULL), 0);
    dr_mlp_layer_layout ly;
    dr_mlp_layout(t->m, 0, &ly);
    for (size_t j = 0; j < np; j++) {
        e[j] = 1;
        assert_int_equal(dr_scaled_linop(&sc, e, col), 0);
        r.trace += col[j];
        assert_int_equal(dr_hessian_hvp(h, t->w, e, col), 0);
        if (j >= ly.W && j < ly.W + ly.in)
            r.row_curvature += col[j];
        e[j] = 0;
    }
    assert_int_equal(dr_local_energy(dr_scaled_lossfn, &sc, np, theta0, 0.05, 20, 9, &r.energy,
                                     &se), 0);
    free(scale); free(work); free(theta0); free(e); free(col);
    dr_hessian_free(h);
    return r;
}

static void test_filter_normalised(void **state)
{
    (void)state;
    tiny t;
    tiny_make(&t, 1, 40, 8);
    coords_measures a = measure_coords(&t);
    rescale_neuron(&t, 0, 0, 4.0);
    rescale_neuron(&t, 1, 2, 0.25);
    coords_measures b = measure_coords(&t);
    print_message("D H D: lambda_1 %.10g -> %.10g, trace %.10g -> %.10g; local energy %.10g -> "
                  "%.10g; plain sum H_ii of the rescaled row %.6g -> %.6g (x %.6f, 1/16 "
                  "expected)\n", a.lambda1, b.lambda1, a.trace, b.trace, a.energy, b.energy,
                  a.row_curvature, b.row_curvature, b.row_curvature / a.row_curvature);
    /* the symmetry is exact but for batch norm's epsilon 1e-5 beside running variances >= 0.5
     * (tiny_make), a relative perturbation of ~2e-5 / alpha^2: 1e-4 leaves room, and a
     * coordinate system that did not follow the rows' norms would be off by O(1) */
    assert_true(fabs(b.lambda1 - a.lambda1) <= 1e-4 * fabs(a.lambda1));
    assert_true(fabs(b.trace - a.trace) <= 1e-4 * fabs(a.trace));
    assert_true(fabs(b.energy - a.energy) <= 1e-4 * fabs(a.energy));
    /* the plain Hessian is not invariant: that row's block scales by 1/alpha^2 */
    assert_true(fabs(b.row_curvature / a.row_curvature - 1.0 / 16) <= 1e-3 / 16);

    /* dr_scaled_lossfn's gradient D grad f against central differences of f(w + D theta) */
    dr_hessian *h;
    assert_int_equal(dr_hessian_alloc(&h, t.m, &t.d, 0, 64, DR_HESSIAN_DOUBLE), 0);
    double *scale = malloc(t.np * sizeof *scale), *work = malloc(t.np * sizeof *work);
    double *th = calloc(t.np, sizeof *th), *g = malloc(t.np * sizeof *g), f0, fp, fm, worst = 0;
    dr_filter_scales(t.m, t.wf, scale);
    dr_hessian_at at = {h, t.w};
    dr_scaled_coords sc = {dr_hessian_linop, dr_hessian_lossfn, &at, t.np, t.w, scale, work};
    assert_int_equal(dr_scaled_lossfn(&sc, th, &f0, g), 0);
    for (size_t i = 0; i < t.np; i++) {
        th[i] = 1e-5;
        assert_int_equal(dr_scaled_lossfn(&sc, th, &fp, NULL), 0);
        th[i] = -1e-5;
        assert_int_equal(dr_scaled_lossfn(&sc, th, &fm, NULL), 0);
        th[i] = 0;
        worst = fmax(worst, fabs((fp - fm) / 2e-5 - g[i]));
        if (scale[i] == 0)
            assert_true(g[i] == 0); /* biases and batch norm stay fixed */
    }
    print_message("scaled gradient vs central differences: %.2e\n", worst);
    assert_true(worst <= 1e-7);
    free(scale); free(work); free(th); free(g);
    dr_hessian_free(h);
    tiny_free(&t);
}

/* ---- bad input ------------------------------------------------------------------------- */
static void test_bad_input(void **state)
{
    (void)state;
    tiny t;
    tiny_make(&t, 1, 20, 8);
    dr_hessian *h;
    t.d.dim = 5; /* model takes 6 features */
    assert_int_equal(dr_hessian_alloc(&h, t.m, &t.d, 0, 8, DR_HESSIAN_FLOAT), DR_EINVAL);
    assert_non_null(strstr(dr_error_message(), "do not match"));
    t.d.dim = 6;
    t.d.y[3] = 7; /* 3 classes */
    assert_int_equal(dr_hessian_alloc(&h, t.m, &t.d, 0, 8, DR_HESSIAN_FLOAT), DR_EINVAL);
    assert_non_null(strstr(dr_error_message(), "label 7"));
    t.d.y[3] = 1;
    assert_int_equal(dr_hessian_alloc(&h, t.m, &t.d, 0, 8, DR_HESSIAN_FLOAT), DR_SUCCESS);
    dr_hessian_at at = {h, t.w};
    double th[100], bd[100];
    assert_int_equal(dr_lanczos_top(dr_hessian_linop, &at, t.np, t.np + 1, t.np + 1, 1, th, bd,
                                    NULL), DR_EINVAL);
    assert_non_null(strstr(dr_error_message(), "k = 84"));
    dr_local_entropy_params p;
    dr_local_entropy_defaults(&p);
    dr_local_entropy_result r;
    assert_int_equal(dr_local_entropy(dr_hessian_lossfn, &at, t.np, t.w, 0.0, &p, &r), DR_EINVAL);
    assert_non_null(strstr(dr_error_message(), "gamma must be positive"));
    assert_int_equal(dr_local_entropy(dr_hessian_lossfn, &at, t.np, t.w, -1.0, &p, &r), DR_EINVAL);
    double le, se;
    assert_int_equal(dr_local_energy(dr_hessian_lossfn, &at, t.np, t.w, 0.0, 10, 1, &le, &se),
                     DR_EINVAL);
    assert_int_equal(dr_hutchinson_trace(dr_hessian_linop, &at, t.np, 1, 1, &le, &se), DR_EINVAL);
    dr_hessian_free(h);
    tiny_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_loss_matches_trainer),
        cmocka_unit_test(test_gradient_fd),
        cmocka_unit_test(test_hvp_fd),
        cmocka_unit_test(test_full_hessian_top_eigenvalues),
        cmocka_unit_test(test_lanczos_known_spectrum),
        cmocka_unit_test(test_hutchinson_and_slq),
        cmocka_unit_test(test_local_entropy_quadratic),
        cmocka_unit_test(test_local_energy),
        cmocka_unit_test(test_filter_normalised),
        cmocka_unit_test(test_bad_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
