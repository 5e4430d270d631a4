/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Log-domain engine of the Cole-Hopf solver: one Gaussian-weighted log-sum-exp along a line.
 *
 * The 2-D sum factorises because the Gaussian does (exp(-q0 d0^2 - q1 d1^2)), so the engine is
 * two passes of this 1-D routine: first along x for every y-row, then along y on the row results
 * (see heat.c). Exactness comes from the window: we scan outward from the centre, keeping the best
 * exponent so far, and stop once even the largest weight of the line cannot beat best - CUT at
 * that distance. Every term we skip is then below e^-CUT times the largest, whatever beta is; when
 * beta is large the window is the few points around the proximal point, which is why this engine
 * is cheap exactly where the FFT fails. */
#include "heat_internal.h"

#include <math.h>
#include <stdlib.h>

#include "deeprelax/error.h"

double dr_logsum_window(const double *a, size_t stride, size_t n, double amax, size_t c,
                        double q, size_t *lo_out, size_t *hi_out)
{
    double best = a[c * stride];
    size_t lo = c, hi = c;
    for (size_t k = c; k-- > 0;) {
        double d = (double)(c - k);
        double qd2 = q * d * d;
        if (amax - qd2 < best - DR_HEAT_CUT)
            break;
        double e = a[k * stride] - qd2;
        if (e > best) best = e;
        lo = k;
    }
    for (size_t k = c + 1; k < n; k++) {
        double d = (double)(k - c);
        double qd2 = q * d * d;
        if (amax - qd2 < best - DR_HEAT_CUT)
            break;
        double e = a[k * stride] - qd2;
        if (e > best) best = e;
        hi = k;
    }
    *lo_out = lo;
    *hi_out = hi;
    return best;
}

double dr_logsum_line(const double *a, size_t stride, size_t n, double amax, size_t c, double q,
                      double h, double *off, const double *carry, size_t cstride, double *carried,
                      size_t *window)
{
    /* Pass 1: the window [lo, hi] and the largest exponent in it. */
    size_t lo, hi;
    double best = dr_logsum_window(a, stride, n, amax, c, q, &lo, &hi);
    *window = hi - lo + 1;
    if (!isfinite(best)) {
        *off = 0.0;
        if (carried) *carried = 0.0;
        return -INFINITY;
    }
    /* Pass 2: the sum relative to the best term, and the moments. */
    double sum = 0.0, moment = 0.0, cmoment = 0.0;
    for (size_t k = lo; k <= hi; k++) {
        double d = (double)c - (double)k;
        double e = a[k * stride] - q * d * d - best;
        if (e < -DR_HEAT_CUT)
            continue;
        double w = exp(e);
        sum += w;
        moment += d * w;
        if (carry) cmoment += carry[k * cstride] * w;
    }
    *off = h * moment / sum;
    if (carried) *carried = cmoment / sum;
    return best + log(sum);
}

int dr_gauss_table_init(dr_gauss_table *tab, double q, double h, size_t n)
{
    double reach = sqrt((DR_HEAT_RANGE + DR_HEAT_CUT) / q);
    size_t dmax = reach >= (double)(n - 1) ? n - 1 : (size_t)ceil(reach);
    tab->q = q;
    tab->h = h;
    tab->dmax = dmax;
    tab->g = malloc((dmax + 1) * sizeof *tab->g);
    tab->gz = malloc((dmax + 1) * sizeof *tab->gz);
    if (!tab->g || !tab->gz) {
        dr_gauss_table_free(tab);
        return dr_error(DR_ENOMEM, "out of memory for a Gaussian table of %zu taps", dmax + 1);
    }
    for (size_t d = 0; d <= dmax; d++) {
        tab->g[d] = exp(-q * (double)d * (double)d);
        tab->gz[d] = (double)d * h * tab->g[d];
    }
    return DR_SUCCESS;
}

void dr_gauss_table_free(dr_gauss_table *tab)
{
    free(tab->g);
    free(tab->gz);
    tab->g = tab->gz = NULL;
}

double dr_gauss_line(const dr_gauss_table *tab, const double *w, const double *wc, size_t n,
                     double amax, double a_c, size_t c, double *off, double *carried,
                     size_t *window)
{
    if (amax - a_c > DR_HEAT_RANGE)
        return NAN;
    /* The centre's own term is exp(a_c - amax); terms beyond the offset where even the largest
     * weight (1) times the Gaussian falls below e^-CUT of it are negligible. */
    double reach = sqrt((amax - a_c + DR_HEAT_CUT) / tab->q);
    size_t D = reach >= (double)tab->dmax ? tab->dmax : (size_t)reach;
    size_t left = c < D ? c : D, right = n - 1 - c < D ? n - 1 - c : D;
    const double *g = tab->g, *gz = tab->gz;
    double sum = w[c], moment = 0.0, cmoment = wc ? wc[c] : 0.0;
    for (size_t d = 1; d <= right; d++) {
        sum += w[c + d] * g[d];
        moment -= w[c + d] * gz[d];
    }
    for (size_t d = 1; d <= left; d++) {
        sum += w[c - d] * g[d];
        moment += w[c - d] * gz[d];
    }
    if (wc) {
        for (size_t d = 1; d <= right; d++) cmoment += wc[c + d] * g[d];
        for (size_t d = 1; d <= left; d++) cmoment += wc[c - d] * g[d];
    }
    *window = left + right + 1;
    *off = moment / sum;
    if (carried) *carried = cmoment / sum;
    return amax + log(sum);
}
