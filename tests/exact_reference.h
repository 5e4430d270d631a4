/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Independent references for the "no silent wrong number" tests: the Cole-Hopf value
 * and the Hopf-Lax value of a 1-D function at one point, by brute force that shares no code with
 * the solvers. f is given as a plain C callback with its kinks listed.
 *
 * Both work from phi_x(y) = f(y) + (x-y)^2/(2t):
 *   Hopf-Lax  u = min phi_x: scan on a 1e-3 grid over [lo, hi], every scan local minimum within
 *             the scan's own error of the best refined by golden section to round-off.
 *   Cole-Hopf u = -(1/beta) log( int exp(-beta phi_x) dy / sqrt(2 pi t/beta) ): composite
 *             Gauss-Legendre (20 points, GSL's table) on panels split at every kink, laid only in
 *             the scan cells where phi_x can come within 90/beta of its minimum (elsewhere the
 *             integrand is below e^-90 of its peak), each panel narrow enough for the integrand's
 *             local scale. */
#ifndef EXACT_REFERENCE_H
#define EXACT_REFERENCE_H

#include <gsl/gsl_integration.h>
#include <math.h>
#include <stdlib.h>

typedef struct {
    double (*f)(const void *ctx, double y);
    const void *ctx;
    const double *kinks;
    size_t nkinks;
    double lo, hi;       /* the integration / minimisation range */
    double lip;          /* a bound of |f'| over [lo, hi] */
    double curv;         /* a bound of |f''| away from the kinks */
} ref_fn;

/* The scan's step: fine enough to see every well (1e-3), coarser where the heat kernel is wide
 * (the integrand then varies on the scale sqrt(t/beta)), which keeps small beta affordable. */
static double ref_step = 1e-3;
#define REF_SCAN ref_step

static double ref_phi(const ref_fn *r, double x, double t, double y)
{
    return r->f(r->ctx, y) + (x - y) * (x - y) / (2.0 * t);
}

/* The most phi_x can fall below its value at a scan node within half a scan cell. */
static double ref_slack(const ref_fn *r, double x, double t, double y)
{
    double slope = r->lip + (fabs(x - y) + REF_SCAN) / t;
    return slope * REF_SCAN + 1e-12;
}

static double ref_golden(const ref_fn *r, double x, double t, double a, double b)
{
    const double g = 0.5 * (sqrt(5.0) - 1.0);
    double c = b - g * (b - a), d = a + g * (b - a);
    double fc = ref_phi(r, x, t, c), fd = ref_phi(r, x, t, d);
    for (int it = 0; it < 200 && b - a > 1e-15 * (1 + fabs(a)); it++) {
        if (fc < fd) { b = d; d = c; fd = fc; c = b - g * (b - a); fc = ref_phi(r, x, t, c); }
        else { a = c; c = d; fc = fd; d = a + g * (b - a); fd = ref_phi(r, x, t, d); }
    }
    return fmin(fc, fd);
}

static double ref_hopflax(const ref_fn *r, double x, double t)
{
    size_t n = (size_t)ceil((r->hi - r->lo) / REF_SCAN) + 1;
    double *p = malloc(n * sizeof *p), best = INFINITY;
    for (size_t i = 0; i < n; i++) {
        p[i] = ref_phi(r, x, t, r->lo + (double)i * REF_SCAN);
        best = fmin(best, p[i]);
    }
    double u = best;
    for (size_t i = 0; i < n; i++) {
        double y = r->lo + (double)i * REF_SCAN;
        if (p[i] - ref_slack(r, x, t, y) > best) continue;
        u = fmin(u, ref_golden(r, x, t, y - REF_SCAN, y + REF_SCAN));
    }
    free(p);
    return u;
}

/* Neumaier's compensated sum: a million terms summed plainly lose ~1e-13. */
typedef struct { double s, c; } ref_sum;
static void ref_add(ref_sum *acc, double v)
{
    double t = acc->s + v;
    acc->c += fabs(acc->s) >= fabs(v) ? (acc->s - t) + v : (v - t) + acc->s;
    acc->s = t;
}

static void ref_colehopf_window(const ref_fn *r, double x, double t, double beta, double a,
                                double b, double pmin, const gsl_integration_glfixed_table *tab,
                                double panel, ref_sum *sum)
{
    size_t ik = 0;
    while (ik < r->nkinks && r->kinks[ik] <= a) ik++;
    while (a < b) {
        double e = fmin(a + panel, b);
        if (ik < r->nkinks && r->kinks[ik] < e) e = r->kinks[ik++];
        for (size_t k = 0; k < tab->n; k++) {
            double y, w;
            gsl_integration_glfixed_point(a, e, k, &y, &w, tab);
            ref_add(sum, w * exp(-beta * (ref_phi(r, x, t, y) - pmin)));
        }
        a = e;
    }
}

static double ref_colehopf(const ref_fn *r, double x, double t, double beta)
{
    ref_step = fmin(0.02, fmax(1e-3, sqrt(t / beta) / 20));
    size_t n = (size_t)ceil((r->hi - r->lo) / REF_SCAN) + 1;
    double *p = malloc(n * sizeof *p), pmin = INFINITY;
    for (size_t i = 0; i < n; i++) {
        p[i] = ref_phi(r, x, t, r->lo + (double)i * REF_SCAN);
        pmin = fmin(pmin, p[i]);
    }
    /* the integrand's local scale: the Gibbs width and the rate exp(-beta phi) changes at */
    double s = t / beta, width = sqrt(s / (1.0 + t * r->curv));
    gsl_integration_glfixed_table *tab = gsl_integration_glfixed_table_alloc(20);
    ref_sum sum = {0, 0};
    for (size_t i = 0; i + 1 < n; i++) {
        double y = r->lo + (double)i * REF_SCAN;
        double sl = ref_slack(r, x, t, y);
        if (fmin(p[i], p[i + 1]) - sl > pmin + 90.0 / beta) continue;
        double rate = beta * (r->lip + (fabs(x - y) + REF_SCAN) / t);
        double panel = fmin(width, 4.0 / rate);
        /* the cell's end as the next node (y + REF_SCAN would leave gaps of an ulp) */
        double y1 = r->lo + (double)(i + 1) * REF_SCAN;
        ref_colehopf_window(r, x, t, beta, y, y1, pmin, tab, panel, &sum);
    }
    gsl_integration_glfixed_table_free(tab);
    free(p);
    ref_step = 1e-3;
    return pmin - log((sum.s + sum.c) / sqrt(2.0 * M_PI * s)) / beta;
}

#endif
