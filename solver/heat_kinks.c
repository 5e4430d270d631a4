/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Cole-Hopf quadrature across kinks and knots (1-D): a partition-of-unity correction.
 *
 * The trapezoid rule on the y-grid is spectrally accurate only for a smooth integrand
 * g(y) = exp(-beta f(y)) G_s(x - y); where f has a kink it is O(hy^2), across a jump of f'''
 * (a spline's knot) O(hy^4). Split g = psi g + (1 - psi) g with a window psi that is 1 on a
 * plateau around the breakpoints and falls to 0 like an erf of width delta = 2 hy:
 *   - (1 - psi) g is smooth (it vanishes to all orders near the breakpoints), and the erf's
 *     spectrum exp(-delta^2 xi^2/4) makes the rule's aliasing exp(-pi^2 delta^2/hy^2) = e^-39;
 *     its trapezoid sum is what the engines computed minus the window's own trapezoid terms;
 *   - psi g is integrated by Gauss-Legendre (GSL's fixed tables) on panels split at every
 *     breakpoint, each panel a smooth piece: 16 points on a panel of width p resolve a piece
 *     varying on the scale L to a relative (p/L)^32 / 10^30 or so.
 * So u(x) = fref - (1/beta) log(Z_T - T_psi + Q_psi), and the same for the first moment.
 *
 * The plateau reaches R = hy (14 + b) beyond the breakpoints, b = beta |f'| hy the rate at which
 * exp(-beta f) changes per cell there: 1 - psi at a breakpoint is erfc(R/delta) < erfc(7) = 4e-23,
 * and at the window's edge the integrand has fallen by e^-(14+b)b, which the erf's spectral
 * shift exp(delta^2 (beta f')^2/4) = e^(b^2) cannot bring back above the e^-39. */
#include "heat_kinks.h"

#include <gsl/gsl_integration.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "deeprelax/error.h"

#if defined(__clang__)
/* clang 14 cannot vectorise the floating-point max reduction of dr_heat_roundoff without
 * -ffinite-math-only and warns where `omp simd` asks for it (as in heat_axis.c) */
#pragma clang diagnostic ignored "-Wpass-failed"
#endif

#define GL_ORDER 16
#define MAX_BREAKPOINTS 65536
/* Beyond this many window terms per output point times outputs the correction would take
 * longer than the solve itself by orders of magnitude: the plan reports the error unbounded. */
#define MAX_WORK 400000000.0

typedef struct { double plateau_lo, plateau_hi; } window;

struct dr_kinkfix {
    size_t nq, nt;      /* Gauss nodes, trapezoid points inside the windows */
    double *yq, *lq;    /* node y; log(weight * psi) + a(y) */
    double *yt, *lt;    /* the same for the trapezoid points (weight hy) */
    double lqmax, ltmax;
    size_t nbreak;
    size_t nw;
    double delta;
    window *win;        /* the windows, for psi elsewhere (the alias check) */
};


static double psi(const window *w, double delta, double y)
{
    return 0.5 * (erfc((w->plateau_lo - y) / delta) - erfc((w->plateau_hi - y) / delta));
}

/* Windows around the breakpoints, merged where their supports overlap. */
static size_t make_windows(const dr_landscape *f, const double *pts, size_t n, double beta,
                           double hy, double delta, window *win)
{
    size_t nw = 0;
    for (size_t i = 0; i < n; i++) {
        double g[2], yl = pts[i] - 1e-3 * hy, yr = pts[i] + 1e-3 * hy;
        dr_landscape_value_grad(f, &yl, g);
        double slope = fabs(g[0]);
        dr_landscape_value_grad(f, &yr, g);
        slope = fmax(slope, fabs(g[0]));
        double b = isfinite(slope) ? beta * slope * hy : 0.0;
        double R = hy * (14.0 + b);
        window w = {pts[i] - R, pts[i] + R};
        if (nw && w.plateau_lo - 16 * delta <= win[nw - 1].plateau_hi + 16 * delta) {
            if (w.plateau_hi > win[nw - 1].plateau_hi) win[nw - 1].plateau_hi = w.plateau_hi;
        } else {
            win[nw++] = w;
        }
    }
    return nw;
}

/* Gauss nodes of one window's support [s0, s1], panels split at the breakpoints in it. */
static size_t window_nodes(const dr_landscape *f, const window *w, double delta, double s0,
                           double s1, const double *pts, size_t n, double panel, double beta,
                           double fref, const gsl_integration_glfixed_table *tab, double *yq,
                           double *lq)
{
    size_t m = 0, ib = 0;
    while (ib < n && pts[ib] <= s0) ib++;
    double a = s0;
    while (a < s1) {
        double b = fmin(a + panel, s1);
        if (ib < n && pts[ib] < b) b = pts[ib++];
        for (size_t k = 0; k < GL_ORDER; k++) {
            double y, wt;
            gsl_integration_glfixed_point(a, b, k, &y, &wt, tab);
            double p = psi(w, delta, y), v = dr_landscape_value(f, &y);
            if (!(p > 0) || !(wt > 0) || !isfinite(v)) continue;
            if (yq) {
                yq[m] = y;
                lq[m] = log(wt * p) - beta * (v - fref);
            }
            m++;
        }
        a = b;
    }
    return m;
}

typedef struct { double y, l; } node;

static int by_y(const void *a, const void *b)
{
    double ya = ((const node *)a)->y, yb = ((const node *)b)->y;
    return (ya > yb) - (ya < yb);
}

/* Ascending y (the windowed scan bisects), and the largest log-weight. */
static void sort_nodes(double *y, double *l, size_t n, double *lmax)
{
    *lmax = -INFINITY;
    node *tmp = malloc(n * sizeof *tmp);
    for (size_t k = 0; k < n; k++) {
        if (l[k] > *lmax) *lmax = l[k];
        if (tmp) tmp[k] = (node){y[k], l[k]};
    }
    if (!tmp) return;  /* already ascending up to the order within a panel: still correct */
    qsort(tmp, n, sizeof *tmp, by_y);
    for (size_t k = 0; k < n; k++) { y[k] = tmp[k].y; l[k] = tmp[k].l; }
    free(tmp);
}

void dr_kinkfix_free(dr_kinkfix *kf)
{
    if (!kf) return;
    free(kf->yq); free(kf->lq); free(kf->yt); free(kf->lt); free(kf->win);
    free(kf);
}

int dr_kinkfix_build(dr_kinkfix **out, const dr_landscape *f, const dr_quadgrid *qg,
                     double beta, size_t noutputs, int *unknown)
{
    *out = NULL;
    *unknown = 0;
    double y_end = qg->y0[0] + (double)(qg->n[0] - 1) * qg->hy[0], hy = qg->hy[0];
    double *pts = malloc(MAX_BREAKPOINTS * sizeof *pts);
    window *win = malloc(MAX_BREAKPOINTS * sizeof *win);
    gsl_integration_glfixed_table *tab = gsl_integration_glfixed_table_alloc(GL_ORDER);
    dr_kinkfix *kf = calloc(1, sizeof *kf);
    int status = DR_SUCCESS;
    if (!pts || !win || !tab || !kf) { status = dr_error(DR_ENOMEM, "out of memory"); goto done; }
    long nb = dr_landscape_breakpoints(f, qg->y0[0], y_end, pts, MAX_BREAKPOINTS);
    if (nb == DR_BREAKPOINTS_UNKNOWN) { *unknown = 1; goto done; }
    if (nb == 0) goto done;
    kf->nbreak = (size_t)nb;
    double delta = 2.0 * hy;
    size_t nw = make_windows(f, pts, (size_t)nb, beta, hy, delta, win);
    /* Panels: a grid cell, narrower where exp(-beta f) changes by more than e^10 per panel. */
    double panel = hy;
    double maxb = 0.0;
    for (long i = 0; i < nb; i++) {
        double g[2], y = pts[i] + 1e-3 * hy, z = pts[i] - 1e-3 * hy, gl[2];
        dr_landscape_value_grad(f, &y, g);
        dr_landscape_value_grad(f, &z, gl);
        double b = beta * fmax(fabs(g[0]), fabs(gl[0])) * hy;
        if (isfinite(b) && b > maxb) maxb = b;
    }
    if (maxb > 10.0) panel = hy * 10.0 / maxb;
    /* Count, check the budget, then fill. */
    size_t nq = 0, nt = 0;
    for (size_t i = 0; i < nw; i++) {
        double s0 = fmax(win[i].plateau_lo - 8 * delta, qg->y0[0]);
        double s1 = fmin(win[i].plateau_hi + 8 * delta, y_end);
        nq += window_nodes(f, &win[i], delta, s0, s1, pts, (size_t)nb, panel, beta, qg->fref, tab,
                           NULL, NULL);
        nt += (size_t)((s1 - s0) / hy) + 2;
    }
    if ((double)(nq + nt) * (double)noutputs > MAX_WORK) { *unknown = 1; goto done; }
    kf->yq = malloc(nq * sizeof *kf->yq);
    kf->lq = malloc(nq * sizeof *kf->lq);
    kf->yt = malloc(nt * sizeof *kf->yt);
    kf->lt = malloc(nt * sizeof *kf->lt);
    if (!kf->yq || !kf->lq || !kf->yt || !kf->lt) {
        status = dr_error(DR_ENOMEM, "out of memory for the kink correction");
        goto done;
    }
    for (size_t i = 0; i < nw; i++) {
        double s0 = fmax(win[i].plateau_lo - 8 * delta, qg->y0[0]);
        double s1 = fmin(win[i].plateau_hi + 8 * delta, y_end);
        kf->nq += window_nodes(f, &win[i], delta, s0, s1, pts, (size_t)nb, panel, beta, qg->fref,
                               tab, kf->yq + kf->nq, kf->lq + kf->nq);
        size_t k0 = (size_t)ceil((s0 - qg->y0[0]) / hy), k1 = (size_t)floor((s1 - qg->y0[0]) / hy);
        for (size_t k = k0; k <= k1 && k < qg->n[0]; k++) {
            double y = qg->y0[0] + (double)k * hy, p = psi(&win[i], delta, y);
            if (!(p > 0) || qg->a[k] == -INFINITY) continue;
            kf->yt[kf->nt] = y;
            kf->lt[kf->nt] = log(hy * p) + qg->a[k];
            kf->nt++;
        }
    }
    kf->win = malloc(nw * sizeof *kf->win);
    if (kf->win) {
        memcpy(kf->win, win, nw * sizeof *win);
        kf->nw = nw;
        kf->delta = delta;
    }
    sort_nodes(kf->yq, kf->lq, kf->nq, &kf->lqmax);
    sort_nodes(kf->yt, kf->lt, kf->nt, &kf->ltmax);
    *out = kf;
    kf = NULL;
done:
    dr_kinkfix_free(kf);
    free(pts);
    free(win);
    if (tab) gsl_integration_glfixed_table_free(tab);
    return status;
}

static size_t lower_index(const double *y, size_t n, double x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (y[mid] < x) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* log sum_n exp(l_n - (y_n - x)^2/(2s)) and the mean of (y_n - x) under those weights, over the
 * nodes (ascending y, l_n <= lmax) that can matter: a term at distance d is below the nearest
 * node's by more than e^-50 once d^2/(2s) > lmax - (that node's term) + 50. */
static double window_sum(const double *y, const double *l, size_t n, double lmax, double x,
                         double s, double *mean_d)
{
    *mean_d = 0.0;
    if (n == 0) return -INFINITY;
    size_t c = lower_index(y, n, x);
    if (c == n) c = n - 1;
    double dc = y[c] - x, ref = l[c] - dc * dc / (2.0 * s);
    if (c > 0) {
        double d = y[c - 1] - x;
        ref = fmax(ref, l[c - 1] - d * d / (2.0 * s));
    }
    double reach = isfinite(ref) ? sqrt(2.0 * s * (lmax - ref + 50.0)) : INFINITY;
    size_t k0 = lower_index(y, n, x - reach), k1 = lower_index(y, n, x + reach);
    if (k1 < n) k1++;
    y += k0; l += k0; n = k1 - k0;
    double m = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        double d = y[k] - x, e = l[k] - d * d / (2.0 * s);
        if (e > m) m = e;
    }
    if (m == -INFINITY) return m;
    double z = 0.0, zd = 0.0;
    for (size_t k = 0; k < n; k++) {
        double d = y[k] - x, e = exp(l[k] - d * d / (2.0 * s) - m);
        z += e;
        zd += e * d;
    }
    *mean_d = zd / z;
    return m + log(z);
}

int dr_kinkfix_apply(const dr_kinkfix *kf, const dr_grid *g, double beta, double fref,
                     double t, double *u, double *grad, double *roundoff)
{
    *roundoff = 0.0;
    if (!kf || kf->nq == 0) return DR_SUCCESS;
    double s = t / beta, lg = -0.5 * log(2.0 * M_PI * s), worst = 0.0;
    int bad = 0;
    #pragma omp parallel for schedule(dynamic, 8) reduction(| : bad) reduction(max : worst)
    for (size_t i = 0; i < g->n[0]; i++) {
        double x = dr_grid_coord(g, 0, i), dq, dt;
        /* Z_T in the same units: u = fref - log(Z_T)/beta. */
        double lz = beta * (fref - u[i]);
        double lq = window_sum(kf->yq, kf->lq, kf->nq, kf->lqmax, x, s, &dq) + lg;
        double lt = window_sum(kf->yt, kf->lt, kf->nt, kf->ltmax, x, s, &dt) + lg;
        double rq = exp(lq - lz), rt = lt == -INFINITY ? 0.0 : exp(lt - lz);
        double ratio = 1.0 + rq - rt;
        if (!(ratio > 0) || !isfinite(ratio)) { bad = 1; continue; }
        /* the sums' rounding, relative to the whole, divided by beta in u */
        double ro = 64 * DBL_EPSILON * (1.0 + rq + rt) / ratio / beta;
        if (ro > worst) worst = ro;
        if (grad) {
            /* mean of (y - x): (T mean - window's T part + window's Gauss part) / ratio */
            double mean_t = -t * grad[i];
            double mean = (mean_t + rq * dq - rt * dt) / ratio;
            grad[i] = -mean / t;
        }
        u[i] -= log(ratio) / beta;
    }
    *roundoff = worst;
    if (bad)
        return dr_error(DR_ENUMERIC, "the kink correction of the quadrature failed at t = %g "
                        "(the windowed sum exceeded the whole)", t);
    return DR_SUCCESS;
}

size_t dr_kinkfix_breakpoints(const dr_kinkfix *kf) { return kf ? kf->nbreak : 0; }

double dr_heat_roundoff(const double *u, size_t n, double fref)
{
    /* u = fref - (L + lognorm)/beta: a few roundings of numbers of the size of u and fref */
    double m = fabs(fref);
    /* a plain max, which vectorises (fmax is a call per value); it skips a NaN as fmax does */
    #pragma omp simd reduction(max : m)
    for (size_t k = 0; k < n; k++) m = fabs(u[k]) > m ? fabs(u[k]) : m;
    return 8.0 * DBL_EPSILON * (m + 1.0);
}

double dr_kinkfix_psi(const dr_kinkfix *kf, double y)
{
    if (!kf) return 0.0;
    double p = 0.0;
    for (size_t i = 0; i < kf->nw; i++) p += psi(&kf->win[i], kf->delta, y);
    return p;
}
