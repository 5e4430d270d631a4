/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Spectra of a symmetric operator known only through products A v: Lanczos with full
 * reorthogonalisation, its tridiagonal's eigenpairs (GSL), the top-k eigenvalues with their
 * residual bounds, Hutchinson's trace and stochastic Lanczos quadrature. */
#include "deeprelax/sharpness.h"
#include "deeprelax/error.h"

#include <gsl/gsl_cblas.h> /* the declarations; OpenBLAS provides the symbols at link time */
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static double dot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* Subtracts from w its components along the j earlier unit vectors of basis (rows of a j x n
 * matrix Q: c = Q w, w -= Q^T c, by dgemv); twice, because one classical Gram-Schmidt pass leaves
 * errors of order eps * cond, and the second pass brings them to eps ("twice is enough"). */
static void reorthogonalise(double *w, const double *basis, size_t j, size_t n, double *c)
{
    for (int pass = 0; pass < 2; pass++) {
        cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)j, (int)n, 1.0, basis, (int)n, w, 1, 0.0,
                    c, 1);
        cblas_dgemv(CblasRowMajor, CblasTrans, (int)j, (int)n, -1.0, basis, (int)n, c, 1, 1.0,
                    w, 1);
    }
}

int dr_lanczos(dr_linop_fn op, void *ctx, size_t n, size_t steps, const double *q0,
               double *basis, double *alpha, double *beta, size_t *done)
{
    *done = 0;
    if (n < 1 || steps < 1 || steps > n)
        return dr_error(DR_EINVAL, "Lanczos: %zu steps in dimension %zu (need 1 <= steps <= n)",
                        steps, n);
    double norm = sqrt(dot(q0, q0, n));
    if (!(norm > 0) || !isfinite(norm))
        return dr_error(DR_EINVAL, "Lanczos: the start vector is zero or not finite");
    double *w = malloc((n + steps) * sizeof *w), *c = w + n;
    if (!w)
        return dr_error(DR_ENOMEM, "Lanczos: out of memory");
    for (size_t i = 0; i < n; i++)
        basis[i] = q0[i] / norm;
    int status = DR_SUCCESS;
    double scale = 0; /* running max of |alpha|, beta: the size of T for the breakdown test */
    for (size_t j = 0; j < steps; j++) {
        const double *q = basis + j * n;
        if ((status = op(ctx, q, w)) != DR_SUCCESS)
            break;
        alpha[j] = dot(w, q, n);
        if (!isfinite(alpha[j])) {
            status = dr_error(DR_ENUMERIC, "Lanczos: the operator returned a non-finite value");
            break;
        }
        *done = j + 1;
        scale = fmax(scale, fabs(alpha[j]));
        reorthogonalise(w, basis, j + 1, n, c);
        double b = sqrt(dot(w, w, n));
        scale = fmax(scale, b);
        beta[j] = b;
        if (b <= 1e-12 * scale) { /* invariant Krylov space: T's eigenvalues are exact */
            beta[j] = 0.0;
            break;
        }
        if (j + 1 < steps)
            for (size_t i = 0; i < n; i++)
                basis[(j + 1) * n + i] = w[i] / b;
    }
    free(w);
    return status;
}

/* theta (descending) and the eigenvectors S (m x m, column i = eigenvector i) of the tridiagonal
 * with diagonal alpha and off-diagonal beta, by GSL's symmetric QR. */
static int tridiag_solve(size_t m, const double *alpha, const double *beta, double *theta,
                         double *S_out)
{
    if (m < 1)
        return dr_error(DR_EINVAL, "tridiagonal eigenproblem of size 0");
    for (size_t i = 0; i < m; i++)
        if (!isfinite(alpha[i]) || (i + 1 < m && !isfinite(beta[i])))
            return dr_error(DR_ENUMERIC, "tridiagonal matrix with a non-finite entry");
    gsl_matrix *T = gsl_matrix_calloc(m, m), *S = gsl_matrix_alloc(m, m);
    gsl_vector *e = gsl_vector_alloc(m);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(m);
    int status = DR_SUCCESS;
    if (!T || !S || !e || !ws) {
        status = dr_error(DR_ENOMEM, "tridiagonal eigenproblem: out of memory");
        goto done;
    }
    for (size_t i = 0; i < m; i++) {
        gsl_matrix_set(T, i, i, alpha[i]);
        if (i + 1 < m) {
            gsl_matrix_set(T, i, i + 1, beta[i]);
            gsl_matrix_set(T, i + 1, i, beta[i]);
        }
    }
    /* GSL's only refusals here are size mismatches (square T, e and S of T's size, workspace of
     * size m), which the allocations above rule out, so the host's handler is never reached and
     * never touched (error.h); the status is still checked, as GSL defines one */
    int rc = gsl_eigen_symmv(T, e, S, ws);
    if (rc == GSL_SUCCESS)
        rc = gsl_eigen_symmv_sort(e, S, GSL_EIGEN_SORT_VAL_DESC);
    if (rc != GSL_SUCCESS) {
        status = dr_error(DR_ENUMERIC, "tridiagonal eigenproblem: %s", gsl_strerror(rc));
        goto done;
    }
    for (size_t i = 0; i < m; i++) {
        theta[i] = gsl_vector_get(e, i);
        for (size_t j = 0; j < m; j++)
            S_out[j * m + i] = gsl_matrix_get(S, j, i);
    }
done:
    gsl_eigen_symmv_free(ws);
    gsl_vector_free(e);
    gsl_matrix_free(S);
    gsl_matrix_free(T);
    return status;
}

int dr_tridiag_eigen(size_t m, const double *alpha, const double *beta, double *theta,
                     double *first, double *last)
{
    double *S = malloc((m ? m * m : 1) * sizeof *S);
    if (!S)
        return dr_error(DR_ENOMEM, "tridiagonal eigenproblem: out of memory");
    int status = tridiag_solve(m, alpha, beta, theta, S);
    for (size_t i = 0; status == DR_SUCCESS && i < m; i++) {
        if (first)
            first[i] = S[i];
        if (last)
            last[i] = S[(m - 1) * m + i];
    }
    free(S);
    return status;
}

int dr_lanczos_top(dr_linop_fn op, void *ctx, size_t n, size_t k, size_t steps, uint64_t seed,
                   double *theta, double *bound, double *vectors)
{
    if (k < 1 || k > n)
        return dr_error(DR_EINVAL, "top-k eigenvalues: k = %zu but the operator has %zu "
                        "dimensions (need 1 <= k <= %zu)", k, n, n);
    if (steps < k || steps > n)
        return dr_error(DR_EINVAL, "top-k eigenvalues: %zu Lanczos steps (need k = %zu <= steps"
                        " <= n = %zu)", steps, k, n);
    double *basis = malloc(steps * n * sizeof *basis), *q0 = malloc(n * sizeof *q0);
    double *abuf = malloc(3 * steps * sizeof *abuf), *S = malloc(steps * steps * sizeof *S);
    int status = DR_SUCCESS;
    if (!basis || !q0 || !abuf || !S) {
        status = dr_error(DR_ENOMEM, "top-k eigenvalues: cannot hold %zu Lanczos vectors of %zu",
                          steps, n);
        goto done;
    }
    double *alpha = abuf, *beta = abuf + steps, *th = abuf + 2 * steps;
    dr_nn_rng rng;
    dr_nn_rng_seed(&rng, seed);
    for (size_t i = 0; i < n; i++)
        q0[i] = dr_nn_rng_gaussian(&rng);
    size_t m;
    if ((status = dr_lanczos(op, ctx, n, steps, q0, basis, alpha, beta, &m)) != DR_SUCCESS)
        goto done;
    if ((status = tridiag_solve(m, alpha, beta, th, S)) != DR_SUCCESS)
        goto done;
    /* A Q = Q T + beta_m q_{m+1} e_m^T, so |A y_i - theta_i y_i| = beta_m |s_mi|; after an early
     * stop beta_m = 0 and there are only m (exact) Ritz values: the rest are NaN */
    for (size_t i = 0; i < k; i++) {
        theta[i] = i < m ? th[i] : NAN;
        bound[i] = i < m ? fabs(beta[m - 1] * S[(m - 1) * m + i]) : NAN;
        if (!vectors)
            continue;
        double *y = vectors + i * n;
        memset(y, 0, n * sizeof *y);
        for (size_t j = 0; j < m && i < m; j++)
            for (size_t t = 0; t < n; t++)
                y[t] += S[j * m + i] * basis[j * n + t];
    }
done:
    free(S);
    free(abuf);
    free(q0);
    free(basis);
    return status;
}

static void rademacher(dr_nn_rng *rng, double *z, size_t n)
{
    for (size_t i = 0; i < n; i += 64) {
        uint64_t bits = dr_nn_rng_next(rng);
        for (size_t b = 0; b < 64 && i + b < n; b++)
            z[i + b] = (bits >> b) & 1 ? 1.0 : -1.0;
    }
}

int dr_hutchinson_trace(dr_linop_fn op, void *ctx, size_t n, size_t samples, uint64_t seed,
                        double *trace, double *stderr_out)
{
    if (samples < 2 || n < 1)
        return dr_error(DR_EINVAL, "Hutchinson: need at least 2 samples (got %zu)", samples);
    double *z = malloc(n * sizeof *z), *az = malloc(n * sizeof *az);
    int status = DR_SUCCESS;
    if (!z || !az) {
        status = dr_error(DR_ENOMEM, "Hutchinson: out of memory");
        goto done;
    }
    dr_nn_rng rng;
    dr_nn_rng_seed(&rng, seed);
    double mean = 0, m2 = 0; /* Welford: no cancellation when the trace is large */
    for (size_t s = 0; s < samples; s++) {
        rademacher(&rng, z, n);
        if ((status = op(ctx, z, az)) != DR_SUCCESS)
            goto done;
        double q = dot(z, az, n), delta = q - mean;
        mean += delta / (double)(s + 1);
        m2 += delta * (q - mean);
    }
    *trace = mean;
    *stderr_out = sqrt(m2 / (double)(samples - 1) / (double)samples);
done:
    free(z);
    free(az);
    return status;
}

int dr_slq(dr_linop_fn op, void *ctx, size_t n, size_t vectors, size_t steps, uint64_t seed,
           double *nodes, double *weights)
{
    if (vectors < 1 || steps < 1 || steps > n)
        return dr_error(DR_EINVAL, "SLQ: %zu vectors of %zu Lanczos steps in dimension %zu",
                        vectors, steps, n);
    double *basis = malloc(steps * n * sizeof *basis), *z = malloc(n * sizeof *z);
    double *abuf = malloc(4 * steps * sizeof *abuf);
    int status = DR_SUCCESS;
    if (!basis || !z || !abuf) {
        status = dr_error(DR_ENOMEM, "SLQ: cannot hold %zu Lanczos vectors of %zu", steps, n);
        goto done;
    }
    double *alpha = abuf, *beta = abuf + steps, *first = abuf + 2 * steps;
    dr_nn_rng rng;
    dr_nn_rng_seed(&rng, seed);
    for (size_t v = 0; v < vectors; v++) {
        rademacher(&rng, z, n);
        size_t m;
        if ((status = dr_lanczos(op, ctx, n, steps, z, basis, alpha, beta, &m)) != DR_SUCCESS)
            goto done;
        double *th = nodes + v * steps, *wt = weights + v * steps;
        if ((status = dr_tridiag_eigen(m, alpha, beta, th, first, NULL)) != DR_SUCCESS)
            goto done;
        for (size_t i = 0; i < steps; i++) {
            wt[i] = i < m ? first[i] * first[i] / (double)vectors : 0.0;
            if (i >= m)
                th[i] = 0.0;
        }
    }
done:
    free(abuf);
    free(z);
    free(basis);
    return status;
}

void dr_slq_density(const double *nodes, const double *weights, size_t count, double width,
                    const double *t, size_t nt, double *density)
{
    double norm = 1.0 / (width * sqrt(2.0 * M_PI));
    for (size_t j = 0; j < nt; j++) {
        double s = 0;
        for (size_t i = 0; i < count; i++) {
            double u = (t[j] - nodes[i]) / width;
            s += weights[i] * exp(-0.5 * u * u);
        }
        density[j] = s * norm;
    }
}
