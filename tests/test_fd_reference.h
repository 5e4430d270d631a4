/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Reference solutions for the finite-difference solver's tests and its convergence table
 * (tests/test_fd.c, bench/convergence_fd.c), written independently of the library's solvers:
 *   - inviscid, before kinks: the characteristics x = y + t f'(y), solved by Newton, give
 *     u = f(y) + t f'(y)^2 / 2 and grad u = f'(y);
 *   - inviscid, after kinks: Hopf-Lax min_y f(y) + (x-y)^2/(2t) over every root of the
 *     characteristic equation in the window |x - y| <= sqrt(2 t (f(x) - inf f)), found by a scan
 *     and bisection; the minimum over the roots is the minimum over y;
 *   - viscous quad: u = c x^2 / (2 (1 + c t)) + log(1 + c t) / (2 beta) per dimension.
 * Landscapes are written here in closed form (not through dr_landscape) so that the reference
 * shares no code with what it checks. */
#ifndef TEST_FD_REFERENCE_H
#define TEST_FD_REFERENCE_H

#include <math.h>
#include <stddef.h>

#define REF_PI 3.14159265358979323846

typedef struct {
    double (*f)(double), (*df)(double), (*d2f)(double);
    double inf_f; /* a lower bound of f on R */
} ref_fn;

static double cos1d_f(double x) { return -cos(REF_PI * x); }
static double cos1d_df(double x) { return REF_PI * sin(REF_PI * x); }
static double cos1d_d2f(double x) { return REF_PI * REF_PI * cos(REF_PI * x); }
static double paper1d_f(double x) { return x * x + 1.5 * sin(2 * REF_PI * x); }
static double paper1d_df(double x) { return 2 * x + 3 * REF_PI * cos(2 * REF_PI * x); }
static double paper1d_d2f(double x) { return 2 - 6 * REF_PI * REF_PI * sin(2 * REF_PI * x); }
static const ref_fn REF_COS1D = {cos1d_f, cos1d_df, cos1d_d2f, -1.0};
static const ref_fn REF_PAPER1D = {paper1d_f, paper1d_df, paper1d_d2f, -1.5};

/* Smooth regime (1 + t f'' > 0 everywhere, so x = y + t f'(y) has one root): Newton from y = x. */
static double ref_characteristic(const ref_fn *F, double x, double t, double *grad)
{
    double y = x;
    for (int it = 0; it < 100; it++) {
        double g = y + t * F->df(y) - x, step = g / (1 + t * F->d2f(y));
        y -= step;
        if (fabs(step) < 1e-16 * (1 + fabs(y)))
            break;
    }
    if (grad)
        *grad = F->df(y);
    return F->f(y) + 0.5 * t * F->df(y) * F->df(y);
}

/* Any t: the smallest Hopf-Lax value over the roots of y + t f'(y) = x (the minimiser is one). */
static double ref_hopf_lax(const ref_fn *F, double x, double t)
{
    double w = sqrt(2 * t * (F->f(x) - F->inf_f)) + 1e-3;
    int K = (int)(w / 5e-4) + 8;
    double a = x - w, hy = 2 * w / K, best = F->f(x); /* y = x is a candidate */
    double g0 = a + t * F->df(a) - x;
    for (int k = 0; k < K; k++) {
        double y0 = a + k * hy, y1 = y0 + hy, g1 = y1 + t * F->df(y1) - x;
        if (g0 == 0 || g0 * g1 < 0) {
            double lo = y0, hi = y1;
            if (g0 != 0)
                for (int it = 0; it < 80; it++) {
                    double m = 0.5 * (lo + hi), gm = m + t * F->df(m) - x;
                    if ((gm > 0) == (g1 > 0)) hi = m; else lo = m;
                }
            double y = g0 == 0 ? y0 : 0.5 * (lo + hi);
            double v = F->f(y) + (x - y) * (x - y) / (2 * t);
            if (v < best)
                best = v;
        }
        g0 = g1;
    }
    return best;
}

static double ref_quad(double c, const double *x, int dim, double t, double beta)
{
    double r2 = 0;
    for (int a = 0; a < dim; a++)
        r2 += x[a] * x[a];
    double log_term = isinf(beta) ? 0 : dim * log(1 + c * t) / (2 * beta);
    return c * r2 / (2 * (1 + c * t)) + log_term;
}

/* Observed order between errors at h and h/2. */
static inline double ref_order(double coarse, double fine) { return log2(coarse / fine); }

#endif
