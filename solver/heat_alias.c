/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The Cole-Hopf quadrature's aliasing, measured rather than modelled (see heat_kinks.h).
 *
 * The refinement is chosen from the curvature bound C as if the integrand were a Gaussian of the
 * Gibbs width sqrt(t/beta)/sqrt(1 + t C). At small beta that width is set by the heat kernel
 * alone, while f may carry features narrower than it (a bump of width sigma and small height A
 * has curvature A/sigma^2, which the model folds into beta C): their share beta A of the integrand
 * aliases as a Gaussian of width 1/sqrt(1/sigma^2 + beta/t), narrower than the model's. Poisson
 * summation gives the trapezoid rule T and the midpoint rule M on the same spacing aliasing terms
 * of opposite sign, T - Z = 2 sum_m g^(2 pi m/h), M - Z = 2 sum_m (-1)^m g^(2 pi m/h), so
 * T - M = 4 g^(2 pi/h) + ... is twice T's own leading error, whatever shape made it. The check
 * evaluates both along the y-grid lines through the output points (f sampled once more at the
 * midpoints, once per plan), and its largest relative gap per axis joins est_error.
 *
 * Cost: every output point scanning every tap of its window is O(n sigma/h), minutes at 1e5
 * points. The check instead visits centres (and, in 2-D, lines) a fraction of the Gibbs width
 * apart, where the gap cannot change by much (stretch_alias), and per centre only the blocks of
 * taps whose largest term can reach e^-50 of the centre's largest (centre_alias); O(n) overall,
 * and once per time: a plan built at t_min and executed there checks once. */
#include "heat_kinks.h"

#include <math.h>
#include <stdlib.h>

#include "deeprelax/error.h"
#include "vmath.h"

/* Taps per block of the window search: a block whose largest log-weight, at its nearest
 * distance from the centre, is below the centre's largest term by more than CUT is skipped. */
#define ALIAS_BLOCK 16
#define ALIAS_CUT 50.0

static inline double max2(double x, double y) { return x > y ? x : y; }

/* One line: n log-weights a[k*stride], midpoints am[k] (between k and k+1), their block maxima
 * bmax (nodes and midpoints), smooth factors ws/wm (NULL: 1). Centre c (a y-index): returns
 * |T - M| / T_all, and the Gibbs standard deviation along the line in taps (*sd). */
static double centre_alias(const double *a, size_t stride, size_t n, const double *am,
                           const double *ws, const double *wm, const double *bmax, size_t c,
                           double q, double *sd)
{
    size_t nb = (n + ALIAS_BLOCK - 1) / ALIAS_BLOCK, cb = c / ALIAS_BLOCK;
    /* lower and upper bounds of the largest term: each block's maximum at its farthest and
     * nearest tap */
    double mlo = a[c * stride], mup = -INFINITY;
    for (size_t b = 0; b < nb; b++) {
        double k0 = (double)(b * ALIAS_BLOCK), k1 = k0 + ALIAS_BLOCK;
        double dfar = max2(fabs(k0 - (double)c), fabs(k1 - (double)c)) + 1.0;
        double dnear = b == cb ? 0.0 : b < cb ? (double)c - k1 : k0 - (double)c - 0.5;
        mlo = max2(mlo, bmax[b] - q * dfar * dfar);
        mup = max2(mup, bmax[b] - q * dnear * dnear);
    }
    *sd = 0.0;
    if (mlo == -INFINITY) return 0.0;
    /* The terms are scaled by the upper bound (none overflows); only when it is so far above
     * the lower one that the largest terms could underflow is the exact maximum found first. */
    double m = mup;
    for (int pass = mup - mlo > 300.0 ? 0 : 1; pass < 2; pass++) {
        double T = 0.0, Tall = 0.0, M = 0.0, S1 = 0.0, S2 = 0.0;
        if (pass == 0) m = -INFINITY;
        for (size_t b = 0; b < nb; b++) {
            size_t k0 = b * ALIAS_BLOCK, k1 = k0 + ALIAS_BLOCK < n ? k0 + ALIAS_BLOCK : n;
            double dnear = b == cb ? 0.0
                         : b < cb ? (double)c - (double)k1 : (double)k0 - (double)c - 0.5;
            /* the contributing blocks need not be contiguous (weights with several wells) */
            if (bmax[b] - q * dnear * dnear < mlo - ALIAS_CUT) continue;
            /* the block's node and midpoint exponents (relative to m), then their exps as
             * one vector call: per tap, two scalar exps were most of a plan's time */
            size_t len = k1 - k0;
            double ex[2 * ALIAS_BLOCK], x[2 * ALIAS_BLOCK];
            for (size_t k = k0; k < k1; k++) {
                double d = (double)k - (double)c, e = a[k * stride] - q * d * d;
                double dm = d + 0.5, em = k + 1 < n ? am[k] - q * dm * dm : -INFINITY;
                if (pass == 0) m = max2(m, max2(e, em));
                ex[k - k0] = e - m;
                ex[len + k - k0] = em - m;
            }
            if (pass == 0) continue;
            dr_vexp(ex, x, 2 * len);
            for (size_t k = k0; k < k1; k++) {
                double d = (double)k - (double)c, xn = x[k - k0], xm = x[len + k - k0];
                Tall += xn;
                S1 += xn * d;
                S2 += xn * d * d;
                T += ws ? ws[k] * xn : xn;
                M += wm ? wm[k] * xm : xm;
            }
        }
        if (pass == 1) {
            if (!(Tall > 0.0)) return 0.0;
            double mean = S1 / Tall, var = S2 / Tall - mean * mean;
            *sd = var > 0.0 ? sqrt(var) : 0.0;
            return fabs(T - M) / Tall;
        }
        if (m == -INFINITY) return 0.0;
    }
    return 0.0;
}

/* Lines (2-D) and centres are both spaced s/(4 sd) apart, with sd the Gibbs deviation across
 * them, but never more than half a kernel width sqrt(s)/2 (a narrow Gibbs measure can widen
 * within a step: another well taking over). The lines of axis 1 are placed first at sqrt(s)/4,
 * those of axis 0 from the deviation the axis-1 check measured, and axis 1 is checked again
 * where axis 0 measured a wider measure than its first placement allowed for. */
static size_t spacing(double s, double sd_y, double h)
{
    double d = sd_y > 0.0 ? fmin(s / (4.0 * sd_y), 0.5 * sqrt(s)) : 0.25 * sqrt(s);
    double jump = d / h;
    return jump >= 2.0 ? (size_t)jump : 1;
}

/* One stretch of output centres c_i = c0 + i*step, i in [i0, i1) on one line. The relative gap
 * is a ratio of two Gaussian convolutions of the same weights, so as the centre moves by D its
 * logarithm changes by at most D |y - <y>| / s for the terms y that matter; with those within 3
 * Gibbs standard deviations sd of the mean, centres s/(4 sd) apart (spacing()) see every value
 * within a factor e^(3/8) of the largest between them (the caller doubles the sampled
 * maximum). h: the output spacing. */
static double stretch_alias(const double *a, size_t stride, size_t n, const double *am,
                            const double *ws, const double *wm, const double *bmax, size_t c0,
                            size_t step, size_t i0, size_t i1, double q, double s, double h,
                            double *sd_max, int *sampled)
{
    double worst = 0.0, hy = h / (double)step;
    for (size_t i = i0; i < i1;) {
        double sd, rel = centre_alias(a, stride, n, am, ws, wm, bmax, c0 + i * step, q, &sd);
        if (!(rel <= worst)) worst = isnan(rel) ? INFINITY : rel;
        if (sd > *sd_max) *sd_max = sd;
        size_t next = i + spacing(s, sd * hy, h);
        if (next > i + 1) *sampled = 1;
        /* the stretch's last centre is always seen */
        i = next >= i1 && i + 1 < i1 ? i1 - 1 : next;
    }
    return worst;
}

static void block_maxima(const double *a, size_t stride, size_t n, const double *am, double *bmax)
{
    for (size_t b = 0; b * ALIAS_BLOCK < n; b++) {
        double m = -INFINITY;
        for (size_t k = b * ALIAS_BLOCK; k < n && k < (b + 1) * ALIAS_BLOCK; k++) {
            m = fmax(m, a[k * stride]);
            if (k + 1 < n) m = fmax(m, am[k]);
        }
        bmax[b] = m;
    }
}

void dr_alias_free(dr_quadgrid *qg)
{
    for (int a = 0; a < 2; a++) {
        free(qg->amid[a]);
        free(qg->wsmooth[a]);
        qg->amid[a] = qg->wsmooth[a] = NULL;
    }
}

int dr_alias_build(dr_quadgrid *qg, const dr_landscape *f, const dr_grid *g, double beta)
{
    size_t ny0 = qg->n[0], ny1 = qg->n[1];
    size_t lines[2] = {g->n[1], g->n[0]}, len[2] = {ny0, ny1};
    qg->alias_t = NAN;
    for (int a = 0; a < g->dim; a++) {
        qg->amid[a] = malloc(lines[a] * len[a] * sizeof(double));
        if (!qg->amid[a]) return dr_error(DR_ENOMEM, "out of memory for the alias check");
        for (size_t l = 0; l < lines[a]; l++)
            for (size_t k = 0; k + 1 < len[a]; k++) {
                double y[2];
                /* axis 0: the y-grid row through output row l; axis 1: the column */
                if (a == 0) {
                    y[0] = qg->y0[0] + ((double)k + 0.5) * qg->hy[0];
                    y[1] = g->dim == 2 ? dr_grid_coord(g, 1, l) : 0.0;
                } else {
                    y[0] = dr_grid_coord(g, 0, l);
                    y[1] = qg->y0[1] + ((double)k + 0.5) * qg->hy[1];
                }
                double v = dr_landscape_value(f, y);
                qg->amid[a][l * len[a] + k] = isnan(v) ? -INFINITY : -beta * (v - qg->fref);
            }
    }
    if (g->dim == 1 && qg->kinks) {
        qg->wsmooth[0] = malloc(2 * ny0 * sizeof(double));
        if (!qg->wsmooth[0]) return dr_error(DR_ENOMEM, "out of memory for the alias check");
        for (size_t k = 0; k < ny0; k++) {
            double y = qg->y0[0] + (double)k * qg->hy[0];
            qg->wsmooth[0][k] = 1.0 - dr_kinkfix_psi(qg->kinks, y);
            qg->wsmooth[0][ny0 + k] = 1.0 - dr_kinkfix_psi(qg->kinks, y + 0.5 * qg->hy[0]);
        }
    }
    return DR_SUCCESS;
}

/* One axis: the lines through every `lstep`-th output point of the other axis (and the last),
 * each in stretches run in parallel. Returns the largest relative gap; *sd_max the largest Gibbs
 * standard deviation seen (taps), *sampled whether centres or lines were skipped. */
static double axis_alias(const dr_quadgrid *qg, const dr_grid *g, int a, double q, size_t lstep,
                         double s, double *sd_max, int *sampled)
{
    size_t ny0 = qg->n[0], r = (size_t)qg->refine, len = qg->n[a];
    size_t lines = a == 0 ? g->n[1] : g->n[0], nout = g->n[a];
    size_t nsel = (lines - 1) / lstep + 1 + ((lines - 1) % lstep != 0);
    size_t nstretch = nout >= 256 ? 16 : 1, nb = (len + ALIAS_BLOCK - 1) / ALIAS_BLOCK;
    const double *ws = qg->wsmooth[0], *wm = ws ? ws + ny0 : NULL;
    double worst = 0.0, sdm = 0.0;
    int smp = lstep > 1;
    double *bmax = malloc(nsel * nb * sizeof *bmax);
    if (!bmax) return INFINITY;
    #pragma omp parallel for schedule(dynamic, 1) num_threads(qg->threads)
    for (size_t li = 0; li < nsel; li++) {
        size_t l = li * lstep < lines ? li * lstep : lines - 1;
        const double *line = a == 0 ? qg->a + (g->dim == 2 ? (qg->margin[1] + l * r) * ny0 : 0)
                                    : qg->a + qg->margin[0] + l * r;
        block_maxima(line, a == 0 ? 1 : ny0, len, qg->amid[a] + l * len, bmax + li * nb);
    }
    #pragma omp parallel for schedule(dynamic, 1) num_threads(qg->threads) \
        reduction(max : worst, sdm) reduction(| : smp)
    for (size_t task = 0; task < nsel * nstretch; task++) {
        size_t li = task / nstretch, st = task % nstretch;
        size_t l = li * lstep < lines ? li * lstep : lines - 1;
        const double *line;
        size_t stride;
        if (a == 0) {
            line = qg->a + (g->dim == 2 ? (qg->margin[1] + l * r) * ny0 : 0);
            stride = 1;
        } else {
            line = qg->a + qg->margin[0] + l * r;
            stride = ny0;
        }
        size_t i0 = nout * st / nstretch, i1 = nout * (st + 1) / nstretch;
        double sd = 0.0;
        int s1 = 0;
        double w = stretch_alias(line, stride, len, qg->amid[a] + l * len, ws, wm,
                                 bmax + li * nb, qg->margin[a], r, i0, i1, q, s, g->h[a], &sd,
                                 &s1);
        if (!(w <= worst)) worst = isnan(w) ? INFINITY : w;
        if (sd > sdm) sdm = sd;
        smp |= s1;
    }
    free(bmax);
    *sd_max = sdm;
    *sampled = smp;
    return worst;
}

double dr_alias_estimate(dr_quadgrid *qg, const dr_grid *g, double beta, double t)
{
    if (t == qg->alias_t) return qg->alias_value;
    double s = t / beta, total = 0.0, worst[2] = {0, 0}, sd[2] = {0, 0}, q[2] = {0, 0};
    size_t lstep[2] = {1, 1};
    int sampled[2] = {0, 0}, dim = g->dim;
    for (int a = 0; a < dim && qg->amid[a]; a++) q[a] = qg->hy[a] * qg->hy[a] / (2.0 * s);
    int order[3] = {0, -1, -1};
    if (dim == 2) {
        order[0] = 1; order[1] = 0; order[2] = 1;
        lstep[1] = spacing(s, 0.0, g->h[0]);
    }
    for (int r = 0; r < 3 && order[r] >= 0; r++) {
        int a = order[r];
        if (!qg->amid[a]) continue;
        if (dim == 2 && r > 0) {
            size_t need = spacing(s, sd[1 - a] * qg->hy[1 - a], g->h[1 - a]);
            if (r == 2 && need >= lstep[a]) continue;
            lstep[a] = need;
        }
        double sdm = 0.0;
        int smp = 0;
        worst[a] = fmax(worst[a], axis_alias(qg, g, a, q[a], lstep[a], s, &sdm, &smp));
        sd[a] = fmax(sd[a], sdm);
        sampled[a] |= smp;
    }
    for (int a = 0; a < dim && qg->amid[a]; a++) {
        double w = sampled[a] ? 2.0 * worst[a] : worst[a];
        total += w < 1.0 ? -log1p(-w) / beta : INFINITY;
    }
    qg->alias_t = t;
    qg->alias_value = total;
    return total;
}
