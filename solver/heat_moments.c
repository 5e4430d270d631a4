/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Gibbs moments and the exact Hessian of the Cole-Hopf solution (see include/deeprelax/gibbs.h).
 *
 * Why our own sums rather than the heat engines: the Hessian identity D^2 u = I/t - (beta/t^2) Cov
 * subtracts two terms of size 1/t, so the covariance must carry full relative precision even where
 * the Gibbs mass is far below its maximum (large beta, x far from a well). Each line sum is a
 * log-sum-exp relative to its largest term, over a window outside which every term is below
 * e^-DR_HEAT_CUT of that largest one; the moments are centred (mean first, then deviations), so
 * no large second moment is ever differenced. */
#include "deeprelax/gibbs.h"
#include "dr_args.h"
#include "deeprelax/error.h"
#include "heat_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct dr_gibbs_plan {
    dr_grid grid;
    double beta, t_min, t_max;
    dr_quadgrid qg;
    /* 2-D only: per output column i and y-row j (index i * n1 + j), the row's log-mass and the
     * conditional mean and variance of the x-offset. */
    double *row_l, *row_m, *row_v, *row_lmax;
};

typedef struct {
    double logmass;      /* log sum of the weights */
    double mean, var;    /* of the offset d = (k - c) h */
    double imean, ivar;  /* of the carried inner variable (total variance: inner + between) */
    double icov;         /* covariance of the inner variable with d */
} line_moments;

/* Moments along one line of log-weights a[k*as] (k < n) around centre c, Gaussian exp(-q (k-c)^2),
 * spacing h. With im/iv (stride is_) each term also carries an inner mean and variance of another
 * coordinate, combined by the law of total variance. amax >= every a_k bounds the window. */
static void moments_line(const double *a, size_t as, const double *im, const double *iv, size_t is_,
                         size_t n, double amax, size_t c, double q, double h, line_moments *r)
{
    size_t lo, hi;
    double best = dr_logsum_window(a, as, n, amax, c, q, &lo, &hi);
    if (!isfinite(best)) { /* every weight in reach is 0 (walls): no mass, u = +inf */
        *r = (line_moments){-INFINITY, 0.0, 0.0, 0.0, 0.0, 0.0};
        return;
    }
    double s0 = 0, sd = 0, sm = 0;
    for (size_t k = lo; k <= hi; k++) {
        double d = (double)k - (double)c;
        double w = exp(a[k * as] - q * d * d - best);
        s0 += w;
        sd += w * d;
        if (im) sm += w * im[k * is_];
    }
    double md = sd / s0, mm = im ? sm / s0 : 0.0;
    double vd = 0, vm = 0, cm = 0;
    for (size_t k = lo; k <= hi; k++) {
        double d = (double)k - (double)c;
        double w = exp(a[k * as] - q * d * d - best);
        double dd = d - md;
        vd += w * dd * dd;
        if (im) {
            double dm = im[k * is_] - mm;
            vm += w * (iv[k * is_] + dm * dm);
            cm += w * dm * dd;
        }
    }
    r->logmass = best + log(s0);
    r->mean = h * md;
    r->var = h * h * vd / s0;
    r->imean = mm;
    r->ivar = vm / s0;
    r->icov = h * cm / s0;
}

int dr_gibbs_plan_alloc(dr_gibbs_plan **out, const dr_landscape *f, const dr_grid *g, double beta,
                        double t_min, double t_max)
{
    DR_CHECK_PTRS(out, f, g);
    *out = NULL;
    if (!f || !g) return dr_error(DR_EINVAL, "gibbs: landscape and grid are required");
    if (g->dim != dr_landscape_dim(f))
        return dr_error(DR_EINVAL, "gibbs: the grid is %d-D but the landscape is %d-D", g->dim,
                        dr_landscape_dim(f));
    if (!(beta > 0) || isinf(beta))
        return dr_error(DR_EINVAL, "gibbs: beta must be positive and finite (got %g)", beta);
    if (!(t_min > 0) || !(t_max >= t_min) || isinf(t_max))
        return dr_error(DR_EINVAL, "gibbs: need 0 < t_min <= t_max < inf (got %g, %g)", t_min,
                        t_max);
    dr_gibbs_plan *p = calloc(1, sizeof *p);
    if (!p) return dr_error(DR_ENOMEM, "out of memory");
    p->grid = *g;
    p->beta = beta;
    p->t_min = t_min;
    p->t_max = t_max;
    int status = dr_quadgrid_build(&p->qg, f, g, beta, t_min, t_max, 0);
    if (status) {
        free(p);
        return status;
    }
    if (g->dim == 2) {
        size_t m = g->n[0] * p->qg.n[1];
        p->row_l = malloc(m * sizeof *p->row_l);
        p->row_m = malloc(m * sizeof *p->row_m);
        p->row_v = malloc(m * sizeof *p->row_v);
        p->row_lmax = malloc(g->n[0] * sizeof *p->row_lmax);
        if (!p->row_l || !p->row_m || !p->row_v || !p->row_lmax) {
            dr_gibbs_plan_free(p);
            return dr_error(DR_ENOMEM, "out of memory for the Gibbs moments of %zu rows", m);
        }
    }
    *out = p;
    return DR_SUCCESS;
}

void dr_gibbs_plan_free(dr_gibbs_plan *p)
{
    if (!p) return;
    dr_quadgrid_free(&p->qg);
    free(p->row_l);
    free(p->row_m);
    free(p->row_v);
    free(p->row_lmax);
    free(p);
}

void dr_gibbs_plan_grid(const dr_gibbs_plan *p, int *refine, size_t points[2])
{
    if (refine) *refine = p->qg.refine;
    if (points) {
        points[0] = p->qg.n[0];
        points[1] = p->qg.n[1];
    }
}

static double line_max(const double *a, size_t stride, size_t n)
{
    double m = -INFINITY;
    for (size_t k = 0; k < n; k++)
        if (a[k * stride] > m) m = a[k * stride];
    return m;
}

int dr_gibbs_moments(dr_gibbs_plan *p, double t, double *mean, double *cov, double *u)
{
    DR_CHECK_PTRS(p);
    if (!(t >= p->t_min * (1 - 1e-12) && t <= p->t_max * (1 + 1e-12)))
        return dr_error(DR_EINVAL, "gibbs: t = %g is outside the plan's range [%g, %g]", t,
                        p->t_min, p->t_max);
    const dr_grid *g = &p->grid;
    const dr_quadgrid *qg = &p->qg;
    size_t size = dr_grid_size(g), r = (size_t)qg->refine;
    double s = t / p->beta;
    double q0 = qg->hy[0] * qg->hy[0] / (2 * s);
    /* Trapezoid weight hy / sqrt(2 pi s) per axis of the Gaussian density, for u. */
    double lognorm = 0;
    for (int a = 0; a < g->dim; a++) lognorm += log(qg->hy[a] / sqrt(2 * M_PI * s));

    if (g->dim == 1) {
        double amax = line_max(qg->a, 1, qg->n[0]);
        #pragma omp parallel for schedule(static)
        for (size_t i = 0; i < g->n[0]; i++) {
            line_moments lm;
            moments_line(qg->a, 1, NULL, NULL, 0, qg->n[0], amax, qg->margin[0] + i * r, q0,
                         qg->hy[0], &lm);
            if (mean) mean[i] = dr_grid_coord(g, 0, i) + lm.mean;
            if (cov) cov[i] = lm.var;
            if (u) u[i] = qg->fref - (lm.logmass + lognorm) / p->beta;
        }
        return DR_SUCCESS;
    }

    size_t nx = g->n[0], n0 = qg->n[0], n1 = qg->n[1];
    double q1 = qg->hy[1] * qg->hy[1] / (2 * s);
    /* Pass 1: along x, for every y-row of the quadrature grid and every output column. */
    #pragma omp parallel for schedule(static)
    for (size_t j = 0; j < n1; j++) {
        const double *row = qg->a + j * n0;
        double amax = line_max(row, 1, n0);
        for (size_t i = 0; i < nx; i++) {
            line_moments lm;
            moments_line(row, 1, NULL, NULL, 0, n0, amax, qg->margin[0] + i * r, q0, qg->hy[0],
                         &lm);
            p->row_l[i * n1 + j] = lm.logmass;
            p->row_m[i * n1 + j] = lm.mean;
            p->row_v[i * n1 + j] = lm.var;
        }
    }
    for (size_t i = 0; i < nx; i++) p->row_lmax[i] = line_max(p->row_l + i * n1, 1, n1);
    /* Pass 2: along y, combining the rows (law of total covariance). */
    #pragma omp parallel for schedule(static)
    for (size_t i = 0; i < nx; i++) {
        const double *l = p->row_l + i * n1;
        for (size_t jo = 0; jo < g->n[1]; jo++) {
            line_moments lm;
            moments_line(l, 1, p->row_m + i * n1, p->row_v + i * n1, 1, n1, p->row_lmax[i],
                         qg->margin[1] + jo * r, q1, qg->hy[1], &lm);
            size_t k = jo * nx + i;
            if (mean) {
                mean[k] = dr_grid_coord(g, 0, i) + lm.imean;
                mean[size + k] = dr_grid_coord(g, 1, jo) + lm.mean;
            }
            if (cov) {
                cov[k] = lm.ivar;
                cov[size + k] = lm.icov;
                cov[2 * size + k] = lm.var;
            }
            if (u) u[k] = qg->fref - (lm.logmass + lognorm) / p->beta;
        }
    }
    return DR_SUCCESS;
}

int dr_gibbs_hessian(dr_gibbs_plan *p, double t, double *hess)
{
    DR_CHECK_PTRS(p, hess);
    int status = dr_gibbs_moments(p, t, NULL, hess, NULL);
    if (status) return status;
    size_t size = dr_grid_size(&p->grid);
    double k = p->beta / (t * t);
    int planes = dr_sym_planes(p->grid.dim);
    for (int c = 0; c < planes; c++) {
        /* Diagonal planes are 0 (1-D) and 0, 2 (2-D); the off-diagonal has no I/t. */
        double diag = (c == 0 || c == 2) ? 1.0 / t : 0.0;
        double *h = hess + (size_t)c * size;
        for (size_t i = 0; i < size; i++) h[i] = diag - k * h[i];
    }
    return DR_SUCCESS;
}
