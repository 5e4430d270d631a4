/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Gibbs mean <y> of rho_x(y) ~ exp(-beta f(y) - beta |x-y|^2/(2 gamma)) at any x by a
 * log-domain trapezoid rule (the exact reference of the particle comparisons), and the study of
 * the inner loop's estimate of it: bias, spread, burn-in and autocorrelation against L. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "deeprelax/error.h"
#include "dr_args.h"
#include "heat_internal.h"
#include "particles_internal.h"

#define GIBBS_MAX_1D 400001
#define GIBBS_MAX_2D 2001

typedef struct {
    const dr_landscape *f;
    int dim;
    const double *x;
    double gamma, beta;
} gibbs_problem;

static double exponent(const gibbs_problem *q, const double *y)
{
    double d2 = 0;
    for (int a = 0; a < q->dim; a++) d2 += (y[a] - q->x[a]) * (y[a] - q->x[a]);
    return q->beta * (dr_landscape_value(q->f, y) + d2 / (2 * q->gamma));
}

/* The trapezoid sum over [x - R, x + R]^dim with n points per axis. Returns the smallest
 * exponent on the window's boundary minus the smallest inside (the window must hold every term
 * within DR_HEAT_CUT (heat_internal.h) of the largest: the caller widens it when this is smaller). */
static int quadrature(const gibbs_problem *q, double R, size_t n, double *mean, double *cov,
                      double *edge_gap)
{
    int dim = q->dim;
    size_t total = dim == 1 ? n : n * n;
    double *E = malloc(total * sizeof *E);
    if (!E) return dr_error(DR_ENOMEM, "out of memory");
    double h = 2 * R / (double)(n - 1), emin = INFINITY, edge = INFINITY;
    for (size_t k = 0; k < total; k++) {
        size_t i = k % n, j = k / n;
        double y[2] = {q->x[0] - R + h * (double)i, dim == 2 ? q->x[1] - R + h * (double)j : 0};
        E[k] = exponent(q, y);
        if (!isfinite(E[k])) E[k] = INFINITY;
        emin = fmin(emin, E[k]);
        int on_edge = i == 0 || i == n - 1 || (dim == 2 && (j == 0 || j == n - 1));
        if (on_edge) edge = fmin(edge, E[k]);
    }
    if (!isfinite(emin)) {
        free(E);
        return dr_error(DR_ENUMERIC, "gibbs mean: f is not finite anywhere near x");
    }
    /* first and second moments relative to x, weights shifted by the smallest exponent */
    double z = 0, m[2] = {0, 0}, s[3] = {0, 0, 0};
    for (size_t k = 0; k < total; k++) {
        double w = exp(emin - E[k]);
        if (w == 0) continue;
        size_t i = k % n, j = k / n;
        double d0 = -R + h * (double)i, d1 = dim == 2 ? -R + h * (double)j : 0;
        z += w;
        m[0] += w * d0; m[1] += w * d1;
        s[0] += w * d0 * d0; s[1] += w * d0 * d1; s[2] += w * d1 * d1;
    }
    free(E);
    for (int a = 0; a < dim; a++) mean[a] = q->x[a] + m[a] / z;
    if (cov) {
        double c0 = m[0] / z, c1 = m[1] / z;
        if (dim == 1) {
            cov[0] = s[0] / z - c0 * c0;
        } else {
            cov[0] = s[0] / z - c0 * c0;
            cov[1] = cov[2] = s[1] / z - c0 * c1;
            cov[3] = s[2] / z - c1 * c1;
        }
    }
    *edge_gap = edge - emin;
    return DR_SUCCESS;
}

int dr_particles_gibbs_mean(const dr_landscape *f, const double *x, double gamma, double beta,
                            double *mean, double *cov)
{
    DR_CHECK_PTRS(f, x, mean);
    if (!(gamma > 0) || !isfinite(gamma))
        return dr_error(DR_EINVAL, "gibbs mean: gamma must be positive and finite (got %g)", gamma);
    if (!(beta > 0) || !isfinite(beta))
        return dr_error(DR_EINVAL, "gibbs mean: beta must be positive and finite (got %g; at "
                        "beta = inf the mean is the proximal point)", beta);
    int dim = dr_landscape_dim(f);
    for (int a = 0; a < dim; a++)
        if (!isfinite(x[a])) return dr_error(DR_EINVAL, "gibbs mean: x is not finite");
    gibbs_problem q = {f, dim, x, gamma, beta};
    double sigma = sqrt(gamma / beta);
    /* First window: with m a lower estimate of f near x, every y farther than
     * sqrt(2 gamma (f(x) - m + cutoff/beta)) has an exponent above x's plus the cutoff. */
    double lo[2], hi[2], fx = dr_landscape_value(f, x);
    dr_landscape_domain(f, lo, hi);
    double m = fx;
    size_t ns = dim == 1 ? 4001 : 201;
    for (size_t k = 0; k < (dim == 1 ? ns : ns * ns); k++) {
        double y[2];
        for (int a = 0; a < dim; a++) {
            size_t i = a == 0 ? k % ns : k / ns;
            double l = fmin(lo[a], x[a] - 1), u = fmax(hi[a], x[a] + 1);
            y[a] = l + (u - l) * (double)i / (double)(ns - 1);
        }
        double v = dr_landscape_value(f, y);
        if (isfinite(v)) m = fmin(m, v);
    }
    double R = sqrt(2 * gamma * (fx - m + DR_HEAT_CUT / beta)) + 4 * sigma;
    /* spacing: a quarter of the narrower of the Gaussian and the well of curvature C */
    double wlo[2] = {x[0] - R, dim == 2 ? x[1] - R : 0}, whi[2] = {x[0] + R, dim == 2 ? x[1] + R : 0};
    double C = dr_landscape_curvature_bound(f, wlo, whi);
    double width = sigma;
    if (isfinite(C) && C > 0) width = fmin(width, 1.0 / sqrt(beta * (C + 1.0 / gamma)));
    else if (!isfinite(C)) width = sigma / 2; /* a kink: trapezoid rule is only O(h^2) there */
    double h = width / 4;
    for (int attempt = 0; attempt < 8; attempt++) {
        size_t cap = dim == 1 ? GIBBS_MAX_1D : GIBBS_MAX_2D;
        double want = 2 * R / h + 1;
        if (want > 4.0 * (double)cap)
            return dr_error(DR_ENUMERIC, "gibbs mean: resolving the Gibbs measure needs %.3g "
                            "points per axis (window %g, spacing %g); beyond the %zu allowed",
                            want, 2 * R, h, cap);
        size_t n = want > (double)cap ? cap : (size_t)ceil(want);
        if (n < 33) n = 33;
        double gap = 0;
        int status = quadrature(&q, R, n, mean, cov, &gap);
        if (status) return status;
        if (gap >= DR_HEAT_CUT) return DR_SUCCESS;
        R *= 2;
    }
    return dr_error(DR_ENUMERIC, "gibbs mean: the Gibbs measure at x is not confined (is f "
                    "bounded below and growing away from x?)");
}

#define GIBBS_TAIL_MAX 16384
#define GIBBS_TAIL_CHAINS 16

/* Autocovariance at lag k of the stored chain tails, about the exact mean. */
static double autocovariance(const double *tail, size_t chains, size_t len, size_t d,
                             const double *mean, size_t k)
{
    double s = 0;
    size_t cnt = 0;
    for (size_t c = 0; c < chains; c++) {
        const double *y = tail + c * len * d;
        for (size_t l = 0; l + k < len; l++, cnt++)
            for (size_t a = 0; a < d; a++) s += (y[l * d + a] - mean[a]) * (y[(l + k) * d + a] - mean[a]);
    }
    return cnt ? s / (double)cnt : 0;
}

/* Bias, spread and root-mean-square error of the estimate at each L over the chains (mus: per
 * L and chain, d coordinates). */
static void study_rows(const size_t *L, size_t nL, size_t chains, size_t d, const double *mus,
                       const double *exact, dr_particles_gibbs_row *rows)
{
    for (size_t i = 0; i < nL; i++) {
        double avg[2] = {0, 0}, spread = 0, mse = 0;
        for (size_t c = 0; c < chains; c++)
            for (size_t a = 0; a < d; a++) avg[a] += mus[(i * chains + c) * d + a] / (double)chains;
        for (size_t c = 0; c < chains; c++)
            for (size_t a = 0; a < d; a++) {
                double v = mus[(i * chains + c) * d + a];
                spread += (v - avg[a]) * (v - avg[a]);
                mse += (v - exact[a]) * (v - exact[a]);
            }
        double b2 = 0;
        for (size_t a = 0; a < d; a++) b2 += (avg[a] - exact[a]) * (avg[a] - exact[a]);
        rows[i] = (dr_particles_gibbs_row){L[i], sqrt(b2), sqrt(spread / (double)chains),
                                           sqrt(mse / (double)chains)};
    }
}

/* Integrated autocorrelation time with Sokal's self-consistent window M >= 5 tau. */
static double study_tau(const double *tail, size_t tail_chains, size_t tail_len, size_t d,
                        const double *exact)
{
    double tau = 1, c0 = autocovariance(tail, tail_chains, tail_len, d, exact, 0);
    if (c0 > 0)
        for (size_t k = 1; k < tail_len / 4; k++) {
            tau += 2 * autocovariance(tail, tail_chains, tail_len, d, exact, k) / c0;
            if ((double)k >= 5 * tau) break;
        }
    return tau;
}

/* The first step whose mean over the chains lies within 3 standard errors of the exact mean
 * (0: none does). */
static size_t study_burn_in(const double *ysum, const double *ysq, size_t Lmax, size_t chains,
                            size_t d, const double *exact)
{
    for (size_t l = 1; l <= Lmax; l++) {
        double dev = 0, var = 0;
        for (size_t a = 0; a < d; a++) {
            double mean = ysum[(l - 1) * d + a] / (double)chains;
            dev += (mean - exact[a]) * (mean - exact[a]);
            var += fmax(ysq[(l - 1) * d + a] / (double)chains - mean * mean, 0);
        }
        if (sqrt(dev) <= 3 * sqrt(var / (double)chains)) return l;
    }
    return 0;
}

/* The log-log slope of spread against L. The Monte-Carlo law holds once L is many
 * autocorrelation times: fit those rows when there are two, else all of them. */
static double study_slope(const dr_particles_gibbs_row *rows, size_t nL, double tau)
{
    size_t many = 0;
    for (size_t i = 0; i < nL; i++) many += (double)rows[i].L >= 8 * tau && rows[i].spread > 0;
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    size_t cnt = 0;
    for (size_t i = 0; i < nL; i++)
        if (rows[i].spread > 0 && (many < 2 || (double)rows[i].L >= 8 * tau)) {
            double lx = log((double)rows[i].L), ly = log(rows[i].spread);
            sx += lx; sy += ly; sxx += lx * lx; sxy += lx * ly; cnt++;
        }
    double den = (double)cnt * sxx - sx * sx;
    return cnt >= 2 && den > 0 ? ((double)cnt * sxy - sx * sy) / den : NAN;
}

int dr_particles_gibbs_study(const dr_particles *p, const double *x, double gamma,
                             double alpha_override, const size_t *L, size_t nL, size_t chains,
                             dr_particles_gibbs_row *rows, dr_particles_gibbs_summary *summary)
{
    DR_CHECK_PTRS(p, x, L, rows);
    const dr_particles_options *o = &p->o;
    if (!isfinite(o->beta))
        return dr_error(DR_EINVAL, "gibbs study: needs a finite beta (the inner loop samples "
                        "the Gibbs measure at temperature 1/beta)");
    if (nL < 1 || chains < 2)
        return dr_error(DR_EINVAL, "gibbs study: needs at least one L and two chains");
    double alpha = isnan(alpha_override) ? o->alpha : alpha_override;
    if (!(alpha == DR_PARTICLES_ALPHA_UNIFORM || (alpha >= 0 && alpha < 1)))
        return dr_error(DR_EINVAL, "gibbs study: alpha must lie in [0, 1) or be uniform (got %g)",
                        alpha);
    size_t Lmax = 0;
    for (size_t i = 0; i < nL; i++) {
        if (L[i] < 1) return dr_error(DR_EINVAL, "gibbs study: every L must be >= 1");
        if (L[i] > Lmax) Lmax = L[i];
    }
    int dim = p->dim;
    double exact[2] = {0, 0};
    int status = dr_particles_gibbs_mean(p->f, x, gamma, o->beta, exact, NULL);
    if (status) return status;
    size_t d = (size_t)dim;
    double *trace = malloc(Lmax * d * sizeof *trace);
    double *ysum = calloc(Lmax * d, sizeof *ysum), *ysq = calloc(Lmax * d, sizeof *ysq);
    double *mus = malloc(nL * chains * d * sizeof *mus);
    /* the autocorrelation comes from the last half of the first few chains (stationary by
     * then), kept in `tail`, lags computed only as far as the window needs */
    size_t half = Lmax / 2, tail_len = Lmax - half;
    if (tail_len > GIBBS_TAIL_MAX) tail_len = GIBBS_TAIL_MAX;
    size_t tail_chains = chains < GIBBS_TAIL_CHAINS ? chains : GIBBS_TAIL_CHAINS;
    double *tail = malloc(tail_chains * tail_len * d * sizeof *tail);
    if (!trace || !ysum || !ysq || !mus || !tail) {
        free(trace); free(ysum); free(ysq); free(mus); free(tail);
        return dr_error(DR_ENOMEM, "out of memory");
    }
    for (size_t c = 0; c < chains && !status; c++) {
        double mu_dummy[2];
        /* one chain of Lmax steps: the estimate for each L is the average of its first L
         * iterates, exactly what a run with that L computes from the same stream */
        status = dr_particles_inner_estimate(p, x, gamma, Lmax, c, mu_dummy, trace);
        double mu[2] = {x[0], dim == 2 ? x[1] : 0};
        for (size_t l = 1; l <= Lmax; l++) {
            const double *y = trace + (l - 1) * d;
            double w = alpha == DR_PARTICLES_ALPHA_UNIFORM ? 1.0 - 1.0 / (double)l : alpha;
            for (size_t a = 0; a < d; a++) {
                mu[a] = w * mu[a] + (1 - w) * y[a];
                ysum[(l - 1) * d + a] += y[a];
                ysq[(l - 1) * d + a] += y[a] * y[a];
            }
            for (size_t i = 0; i < nL; i++)
                if (L[i] == l)
                    for (size_t a = 0; a < d; a++) mus[(i * chains + c) * d + a] = mu[a];
        }
        if (c < tail_chains)
            memcpy(tail + c * tail_len * d, trace + (Lmax - tail_len) * d,
                   tail_len * d * sizeof *tail);
    }
    if (!status) {
        study_rows(L, nL, chains, d, mus, exact, rows);
        summary->exact[0] = exact[0];
        summary->exact[1] = dim == 2 ? exact[1] : 0;
        summary->tau = study_tau(tail, tail_chains, tail_len, d, exact);
        summary->burn_in = study_burn_in(ysum, ysq, Lmax, chains, d, exact);
        summary->slope = study_slope(rows, nL, summary->tau);
    }
    free(trace); free(ysum); free(ysq); free(mus); free(tail);
    return status;
}
