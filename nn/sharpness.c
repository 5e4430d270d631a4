/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Flatness by sampling and 1-D views: the local energy E f(x + sigma z) - f(x), the local
 * entropy of Entropy-SGD by thermodynamic integration over Langevin chains, and the loss along a
 * line between two models or along a filter-normalised direction. */
#include "deeprelax/sharpness.h"
#include "deeprelax/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int dr_local_energy(dr_lossfn f, void *ctx, size_t n, const double *x, double sigma,
                    size_t samples, uint64_t seed, double *energy, double *stderr_out)
{
    if (!(sigma > 0) || !isfinite(sigma))
        return dr_error(DR_EINVAL, "local energy: sigma must be positive (got %g)", sigma);
    if (samples < 2)
        return dr_error(DR_EINVAL, "local energy: need at least 2 samples (got %zu)", samples);
    double *z = malloc(n * sizeof *z), *y = malloc(n * sizeof *y);
    int status = DR_SUCCESS;
    double f0, mean = 0, m2 = 0;
    if (!z || !y) {
        status = dr_error(DR_ENOMEM, "local energy: out of memory");
        goto done;
    }
    if ((status = f(ctx, x, &f0, NULL)) != DR_SUCCESS)
        goto done;
    dr_nn_rng rng;
    dr_nn_rng_seed(&rng, seed);
    for (size_t s = 0; s < samples; s++) {
        double fp, fm;
        for (size_t i = 0; i < n; i++) {
            z[i] = sigma * dr_nn_rng_gaussian(&rng);
            y[i] = x[i] + z[i];
        }
        if ((status = f(ctx, y, &fp, NULL)) != DR_SUCCESS)
            goto done;
        for (size_t i = 0; i < n; i++)
            y[i] = x[i] - z[i];
        if ((status = f(ctx, y, &fm, NULL)) != DR_SUCCESS)
            goto done;
        double q = 0.5 * (fp + fm) - f0, delta = q - mean;
        mean += delta / (double)(s + 1);
        m2 += delta * (q - mean);
    }
    *energy = mean;
    *stderr_out = sqrt(m2 / (double)(samples - 1) / (double)samples);
done:
    free(z);
    free(y);
    return status;
}

void dr_local_entropy_defaults(dr_local_entropy_params *p)
{
    *p = (dr_local_entropy_params){.beta = 1e4, .nodes = 8, .burn_in = 50, .steps = 200,
                                   .step = 0.5, .metropolis = 1, .seed = 1};
}

/* One chain's state in the scaled coordinate xi = (y - x)/s, s = sqrt(gamma/beta), whose
 * Gaussian factor is N(0, I) whatever gamma and beta: phi = beta lambda (f(y) - f(x)) and its
 * gradient g = beta lambda s grad f(y). */
typedef struct {
    dr_lossfn f;
    void *ctx;
    size_t n;
    const double *x;
    double f0, s, bl; /* f(x), s, beta * lambda */
    double *y;        /* scratch: x + s xi */
} chain_ctx;

static int chain_eval(chain_ctx *c, const double *xi, double *df, double *phi, double *g)
{
    for (size_t i = 0; i < c->n; i++)
        c->y[i] = c->x[i] + c->s * xi[i];
    double fy;
    int status = c->f(c->ctx, c->y, &fy, c->bl > 0 ? g : NULL);
    if (status != DR_SUCCESS)
        return status;
    *df = fy - c->f0;
    *phi = c->bl * *df;
    if (c->bl > 0)
        for (size_t i = 0; i < c->n; i++)
            g[i] *= c->bl * c->s;
    else
        memset(g, 0, c->n * sizeof *g);
    return DR_SUCCESS;
}

/* -|b - a xi + (1-a) g|^2 / (2 (1 - a^2)): the log density (up to a constant) of proposing b
 * from xi with drift g */
static double log_proposal(const double *b, const double *xi, const double *g, double a,
                           size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double r = b[i] - a * xi[i] + (1 - a) * g[i];
        s += r * r;
    }
    return -s / (2 * (1 - a * a));
}

static double half_norm2(const double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i] * v[i];
    return 0.5 * s;
}

/* One lambda node: the chain xi' = a xi - (1-a) g(xi) + sqrt(1-a^2) zeta, a = exp(-eta), the
 * Entropy-SGD inner loop with its Gaussian pull integrated exactly over a step eta, then
 * Metropolis-Hastings if asked. Mean of f(y) - f(x) after burn-in, its batch-means error. */
static int chain_run(chain_ctx *c, const dr_local_entropy_params *p, dr_nn_rng *rng,
                     double *work, double *mean, double *err, size_t *accepted)
{
    size_t n = c->n;
    double *xi = work, *g = work + n, *prop = work + 2 * n, *gp = work + 3 * n;
    double a = exp(-p->step), sd = sqrt(1 - a * a), df, phi, dfp, phip;
    for (size_t i = 0; i < n; i++) /* start in the Gaussian: the lambda = 0 measure */
        xi[i] = dr_nn_rng_gaussian(rng);
    int status = chain_eval(c, xi, &df, &phi, g);
    enum { BATCHES = 20 };
    double batch[BATCHES] = {0};
    size_t per = p->steps / BATCHES;
    for (size_t t = 0; t < p->burn_in + per * BATCHES && status == DR_SUCCESS; t++) {
        for (size_t i = 0; i < n; i++)
            prop[i] = a * xi[i] - (1 - a) * g[i] + sd * dr_nn_rng_gaussian(rng);
        if ((status = chain_eval(c, prop, &dfp, &phip, gp)) != DR_SUCCESS)
            break;
        int accept = 1;
        if (p->metropolis && c->bl > 0) {
            double log_r = (-half_norm2(prop, n) - phip) - (-half_norm2(xi, n) - phi) +
                           log_proposal(xi, prop, gp, a, n) - log_proposal(prop, xi, g, a, n);
            accept = log_r >= 0 || dr_nn_rng_uniform(rng) < exp(log_r);
        }
        if (accept) {
            memcpy(xi, prop, n * sizeof *xi);
            memcpy(g, gp, n * sizeof *g);
            df = dfp;
            phi = phip;
            if (t >= p->burn_in)
                (*accepted)++;
        }
        if (t >= p->burn_in)
            batch[(t - p->burn_in) / per] += df / (double)per;
    }
    if (status != DR_SUCCESS)
        return status;
    double m = 0, v = 0, c1 = 0;
    for (int b = 0; b < BATCHES; b++)
        m += batch[b] / BATCHES;
    for (int b = 0; b < BATCHES; b++) {
        v += (batch[b] - m) * (batch[b] - m) / (BATCHES - 1);
        if (b > 0)
            c1 += (batch[b] - m) * (batch[b - 1] - m) / (BATCHES - 1);
    }
    /* short batches stay correlated (a chain of 20 steps has batches of one step): the AR(1)
     * factor (1 + rho) / (1 - rho) of the lag-1 correlation rho widens the error accordingly */
    double rho = v > 0 ? fmin(fmax(c1 / v, 0.0), 0.9) : 0.0;
    *mean = m;
    *err = sqrt(v / BATCHES * (1 + rho) / (1 - rho));
    return DR_SUCCESS;
}

static int entropy_check(size_t n, double gamma, const dr_local_entropy_params *p)
{
    if (!(gamma > 0) || !isfinite(gamma))
        return dr_error(DR_EINVAL, "local entropy: gamma must be positive (got %g)", gamma);
    if (!(p->beta > 0) || !isfinite(p->beta))
        return dr_error(DR_EINVAL, "local entropy: beta must be positive (got %g)", p->beta);
    if (p->nodes < 2 || p->nodes % 2)
        return dr_error(DR_EINVAL, "local entropy: lambda nodes must be even and >= 2 (got %zu)",
                        p->nodes);
    if (p->steps < 20)
        return dr_error(DR_EINVAL, "local entropy: need >= 20 Langevin steps per node for the "
                        "batch-means error (got %zu)", p->steps);
    if (!(p->step > 0) || !isfinite(p->step))
        return dr_error(DR_EINVAL, "local entropy: the Langevin step must be positive (got %g)",
                        p->step);
    if (n < 1)
        return dr_error(DR_EINVAL, "local entropy: dimension 0");
    return DR_SUCCESS;
}

int dr_local_entropy(dr_lossfn f, void *ctx, size_t n, const double *x, double gamma,
                     const dr_local_entropy_params *p, dr_local_entropy_result *r)
{
    int status = entropy_check(n, gamma, p);
    if (status != DR_SUCCESS)
        return status;
    double *work = malloc(5 * n * sizeof *work);
    if (!work)
        return dr_error(DR_ENOMEM, "local entropy: out of memory");
    chain_ctx c = {.f = f, .ctx = ctx, .n = n, .x = x, .s = sqrt(gamma / p->beta),
                   .y = work + 4 * n};
    if ((status = f(ctx, x, &c.f0, NULL)) != DR_SUCCESS)
        goto done;
    /* F(lambda) = -(1/beta) log E exp(-beta lambda (f(y) - f(x))) has F' = <f(y) - f(x)>_lambda
     * and F(1) = f_gamma - f: Simpson and the trapezoid rule on K + 1 uniform nodes */
    size_t K = p->nodes, accepted = 0, proposals = 0;
    double simpson = 0, trapezoid = 0, var = 0;
    for (size_t j = 0; j <= K; j++) {
        dr_nn_rng rng;
        dr_nn_rng_seed(&rng, p->seed + 7919 * j);
        c.bl = p->beta * (double)j / (double)K;
        double mean, err;
        size_t acc = 0;
        if ((status = chain_run(&c, p, &rng, work, &mean, &err, &acc)) != DR_SUCCESS)
            goto done;
        if (c.bl > 0) {
            accepted += acc;
            proposals += p->steps / 20 * 20;
        } else {
            r->energy0 = mean;
        }
        double ws = (j == 0 || j == K ? 1.0 : j % 2 ? 4.0 : 2.0) / (3.0 * (double)K);
        double wt = (j == 0 || j == K ? 0.5 : 1.0) / (double)K;
        simpson += ws * mean;
        trapezoid += wt * mean;
        var += ws * ws * err * err;
    }
    r->value = simpson;
    r->mc_error = sqrt(var);
    r->quad_error = fabs(simpson - trapezoid);
    r->acceptance = proposals ? (double)accepted / (double)proposals : 1.0;
done:
    free(work);
    return status;
}

static int line_eval(dr_mlp *m, const float *w0, const float *w1, int mode_line,
                     const float *s0, const float *s1, const dr_dataset *d, size_t n_max,
                     const double *a, size_t n, double *loss, double *error)
{
    size_t np = dr_mlp_n_params(m), ns = dr_mlp_n_state(m);
    float *w = malloc(np * sizeof *w), *saved = malloc((ns ? ns : 1) * sizeof *saved);
    float *state = dr_mlp_state(m);
    int status = DR_SUCCESS;
    if (!w || !saved) {
        status = dr_error(DR_ENOMEM, "line evaluation: out of memory");
        goto done;
    }
    memcpy(saved, state, ns * sizeof *saved);
    for (size_t k = 0; k < n && status == DR_SUCCESS; k++) {
        float t = (float)a[k];
        for (size_t i = 0; i < np; i++) /* interpolation (mode_line) or w0 + t * direction */
            w[i] = mode_line ? (1 - t) * w0[i] + t * w1[i] : w0[i] + t * w1[i];
        if (mode_line)
            for (size_t i = 0; i < ns; i++)
                state[i] = (1 - t) * s0[i] + t * s1[i];
        status = dr_mlp_evaluate(m, w, d, n_max, DR_MLP_EVAL, &loss[k], &error[k]);
    }
    memcpy(state, saved, ns * sizeof *saved);
done:
    free(w);
    free(saved);
    return status;
}

int dr_interpolate_eval(dr_mlp *m, const float *wa, const float *sa, const float *wb,
                        const float *sb, const dr_dataset *d, size_t n_max, const double *a,
                        size_t n, double *loss, double *error)
{
    return line_eval(m, wa, wb, 1, sa, sb, d, n_max, a, n, loss, error);
}

int dr_direction_eval(dr_mlp *m, const float *w, const float *dir, const dr_dataset *d,
                      size_t n_max, const double *a, size_t n, double *loss, double *error)
{
    return line_eval(m, w, dir, 0, NULL, NULL, d, n_max, a, n, loss, error);
}
