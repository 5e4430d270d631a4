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
 * midpoints, once per plan), and its largest relative gap per axis joins est_error. */
#include "heat_kinks.h"

#include <math.h>
#include <stdlib.h>

#include "deeprelax/error.h"

/* One line: n log-weights a[k*stride], midpoints am[k] (between k and k+1), smooth factors
 * ws/wm (NULL: 1); centres c_i = c0 + i*step for i < nout. Returns max_i |T - M| / T_all. */
static double line_alias(const double *a, size_t stride, size_t n, const double *am,
                         const double *ws, const double *wm, size_t c0, size_t step,
                         size_t nout, double q)
{
    double amax = -INFINITY, worst = 0.0;
    for (size_t k = 0; k < n; k++) amax = fmax(amax, a[k * stride]);
    if (amax == -INFINITY) return 0.0;
    for (size_t i = 0; i < nout; i++) {
        size_t c = c0 + i * step;
        double ac = a[c * stride];
        double K = isfinite(ac) ? sqrt((amax - ac + 50.0) / q) + 2.0 : (double)n;
        size_t k0 = (double)c > K ? c - (size_t)K : 0;
        size_t k1 = c + K + 1 < (double)n ? c + (size_t)K + 1 : n;
        double m = -INFINITY;
        for (size_t k = k0; k < k1; k++) {
            double d = (double)k - (double)c;
            m = fmax(m, a[k * stride] - q * d * d);
        }
        if (m == -INFINITY) continue;
        double T = 0.0, Tall = 0.0, M = 0.0;
        for (size_t k = k0; k < k1; k++) {
            double d = (double)k - (double)c, e = exp(a[k * stride] - q * d * d - m);
            Tall += e;
            T += ws ? ws[k] * e : e;
            if (k + 1 < n) {
                double dm = d + 0.5, em = exp(am[k] - q * dm * dm - m);
                M += wm ? wm[k] * em : em;
            }
        }
        double rel = fabs(T - M) / Tall;
        if (!(rel <= worst)) worst = isnan(rel) ? INFINITY : rel;
    }
    return worst;
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

double dr_alias_estimate(const dr_quadgrid *qg, const dr_grid *g, double beta, double t)
{
    double s = t / beta, total = 0.0;
    size_t ny0 = qg->n[0], ny1 = qg->n[1], r = (size_t)qg->refine;
    for (int a = 0; a < g->dim && qg->amid[a]; a++) {
        double q = qg->hy[a] * qg->hy[a] / (2.0 * s), worst = 0.0;
        size_t lines = a == 0 ? g->n[1] : g->n[0], len = a == 0 ? ny0 : ny1;
        const double *ws = qg->wsmooth[0], *wm = ws ? ws + ny0 : NULL;
        #pragma omp parallel for schedule(dynamic, 4) reduction(max : worst)
        for (size_t l = 0; l < lines; l++) {
            const double *line;
            size_t stride;
            if (a == 0) {
                line = qg->a + (g->dim == 2 ? (qg->margin[1] + l * r) * ny0 : 0);
                stride = 1;
            } else {
                line = qg->a + qg->margin[0] + l * r;
                stride = ny0;
            }
            double w = line_alias(line, stride, len, qg->amid[a] + l * len, ws, wm,
                                  qg->margin[a], r, g->n[a], q);
            if (w > worst) worst = w;
        }
        total += worst < 1.0 ? -log1p(-worst) / beta : INFINITY;
    }
    return total;
}
