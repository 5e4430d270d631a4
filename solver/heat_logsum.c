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

double dr_logsum_line(const double *a, size_t stride, size_t n, double amax, size_t c, double q,
                      double h, double *off, const double *carry, size_t cstride, double *carried)
{
    /* Pass 1: the window [lo, hi] and the largest exponent in it. */
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
