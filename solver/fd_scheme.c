/* SPDX-License-Identifier: GPL-3.0-or-later */
/* One-sided derivatives (upwind1, ENO2, WENO5) and the Godunov Hamiltonian of H(p) = |p|^2/2 on
 * a ghosted field: the spatial half of the finite-difference solver (see include/deeprelax/fd.h).
 *
 * Every kernel sees the seven values c[-3s..3s] around a point along one axis (stride s), so the
 * same code serves x (s = 1) and y (s = row length) while the loop over points stays contiguous
 * in memory. The scheme is a compile-time constant inside each loop (the switch sits outside). */
#include "fd_internal.h"

#include <math.h>

/* fmax() is a library call on x86-64 (it must order NaNs); these compile to one instruction.
 * NaNs cannot arise here from finite data, and the stepper checks finiteness after each step. */
static inline double max2(double a, double b) { return a > b ? a : b; }

#if defined(__GNUC__)
#define HOT_INLINE static inline __attribute__((always_inline))
#else
#define HOT_INLINE static inline
#endif

HOT_INLINE void upwind1(const double *c, ptrdiff_t s, double ih, double *pm, double *pp)
{
    *pm = (c[0] - c[-s]) * ih;
    *pp = (c[s] - c[0]) * ih;
}

static inline double min_abs(double a, double b) { return fabs(a) <= fabs(b) ? a : b; }

/* ENO2: the Newton interpolant through the first difference, extended by the smoother of the two
 * neighbouring second differences; differentiated at the point this adds +-(h/2) D2. */
HOT_INLINE void eno2(const double *c, ptrdiff_t s, double ih, double *pm, double *pp)
{
    double dm2 = (c[-s] - c[-2 * s]) * ih, dm1 = (c[0] - c[-s]) * ih;
    double d0 = (c[s] - c[0]) * ih, d1 = (c[2 * s] - c[s]) * ih;
    *pm = dm1 + 0.5 * min_abs(dm1 - dm2, d0 - dm1);
    *pp = d0 - 0.5 * min_abs(d0 - dm1, d1 - d0);
}

/* Jiang and Peng's WENO5 for Hamilton-Jacobi, from five consecutive first differences ordered
 * away from the upwind side: three third-order candidates weighted 1/10, 6/10, 3/10 when smooth.
 * The epsilon scales with the differences (Osher-Fedkiw), so the weights do not depend on the
 * units of f and a locally flat stretch does not switch the smoothness test off; its floor
 * 1e-40 keeps the products below from underflowing. The weights c_k / E_k, E_k = (S_k + eps)^2,
 * are normalised through c_k prod_{j != k} E_j, so one division serves all three. */
HOT_INLINE double weno5(double v1, double v2, double v3, double v4, double v5)
{
    double a = v1 - 2 * v2 + v3, b = v2 - 2 * v3 + v4, c = v3 - 2 * v4 + v5;
    double p = v1 - 4 * v2 + 3 * v3, q = v2 - v4, r = 3 * v3 - 4 * v4 + v5;
    double m = max2(max2(max2(v1 * v1, v2 * v2), max2(v3 * v3, v4 * v4)), v5 * v5);
    double eps = 1e-6 * m + 1e-40;
    double e1 = 13.0 / 12.0 * a * a + 0.25 * p * p + eps;
    double e2 = 13.0 / 12.0 * b * b + 0.25 * q * q + eps;
    double e3 = 13.0 / 12.0 * c * c + 0.25 * r * r + eps;
    e1 *= e1;
    e2 *= e2;
    e3 *= e3;
    double w1 = 0.1 * e2 * e3, w2 = 0.6 * e1 * e3, w3 = 0.3 * e1 * e2;
    double q1 = v1 / 3.0 - 7.0 / 6.0 * v2 + 11.0 / 6.0 * v3;
    double q2 = -v2 / 6.0 + 5.0 / 6.0 * v3 + v4 / 3.0;
    double q3 = v3 / 3.0 + 5.0 / 6.0 * v4 - v5 / 6.0;
    return (w1 * q1 + w2 * q2 + w3 * q3) / (w1 + w2 + w3);
}

HOT_INLINE void weno5_pair(const double *c, ptrdiff_t s, double ih, double *pm, double *pp)
{
    double d_3 = (c[-2 * s] - c[-3 * s]) * ih, d_2 = (c[-s] - c[-2 * s]) * ih;
    double d_1 = (c[0] - c[-s]) * ih, d0 = (c[s] - c[0]) * ih;
    double d1 = (c[2 * s] - c[s]) * ih, d2 = (c[3 * s] - c[2 * s]) * ih;
    *pm = weno5(d_3, d_2, d_1, d0, d1);
    *pp = weno5(d2, d1, d0, d_1, d_2);
}

HOT_INLINE void one_sided(dr_fd_scheme scheme, const double *c, ptrdiff_t s, double ih,
                             double *pm, double *pp)
{
    switch (scheme) {
    case DR_FD_UPWIND1: upwind1(c, s, ih, pm, pp); break;
    case DR_FD_ENO2: eno2(c, s, ih, pm, pp); break;
    default: weno5_pair(c, s, ih, pm, pp); break;
    }
}

/* Godunov for a convex H with its minimum at p = 0: min of H over [p-, p+] when p- <= p+
 * (the expansion), max over [p+, p-] otherwise (the shock), which for p^2/2 is this. */
HOT_INLINE double godunov(double pm, double pp)
{
    double a = pm > 0 ? pm : 0, b = pp < 0 ? pp : 0;
    return 0.5 * max2(a * a, b * b);
}

/* The derivative the Godunov flux uses: the upwind side, 0 where u has a minimum along the axis. */
HOT_INLINE double godunov_slope(double pm, double pp)
{
    double a = pm > 0 ? pm : 0, b = pp < 0 ? pp : 0;
    return a * a >= b * b ? a : b;
}

HOT_INLINE void hamiltonian_rows(const dr_fd_layout *L, const dr_fd_scheme scheme,
                                    const double *u, double *rhs, double speed[2])
{
    const ptrdiff_t sy = (ptrdiff_t)L->row;
    double sx_max = 0, sy_max = 0;
    for (size_t j = 0; j < L->ny; j++) {
        const size_t base = dr_fd_at(L, 0, j);
        for (size_t i = 0; i < L->nx; i++) {
            const double *c = u + base + i;
            double pm, pp;
            one_sided(scheme, c, 1, L->inv_h[0], &pm, &pp);
            double h = godunov(pm, pp);
            sx_max = max2(sx_max, max2(fabs(pm), fabs(pp)));
            if (L->dim == 2) {
                one_sided(scheme, c, sy, L->inv_h[1], &pm, &pp);
                h += godunov(pm, pp);
                sy_max = max2(sy_max, max2(fabs(pm), fabs(pp)));
            }
            rhs[base + i] = -h;
        }
    }
    speed[0] = sx_max;
    speed[1] = sy_max;
}

void dr_fd_hamiltonian(const dr_fd_layout *L, dr_fd_scheme scheme, const double *u, double *rhs,
                       double speed[2])
{
    switch (scheme) {
    case DR_FD_UPWIND1: hamiltonian_rows(L, DR_FD_UPWIND1, u, rhs, speed); break;
    case DR_FD_ENO2: hamiltonian_rows(L, DR_FD_ENO2, u, rhs, speed); break;
    default: hamiltonian_rows(L, DR_FD_WENO5, u, rhs, speed); break;
    }
}

void dr_fd_gradient(const dr_fd_layout *L, dr_fd_scheme scheme, const double *u, double *grad)
{
    const size_t plane = L->nx * L->ny;
    for (size_t j = 0; j < L->ny; j++)
        for (size_t i = 0; i < L->nx; i++) {
            const double *c = u + dr_fd_at(L, i, j);
            double pm, pp;
            one_sided(scheme, c, 1, L->inv_h[0], &pm, &pp);
            grad[j * L->nx + i] = godunov_slope(pm, pp);
            if (L->dim == 2) {
                one_sided(scheme, c, (ptrdiff_t)L->row, L->inv_h[1], &pm, &pp);
                grad[plane + j * L->nx + i] = godunov_slope(pm, pp);
            }
        }
}

void dr_fd_fill_ghosts(const dr_fd_layout *L, double *u)
{
    const int G = DR_FD_GHOST;
    for (size_t j = 0; j < L->ny; j++) {
        double *r = u + dr_fd_at(L, 0, j);
        const size_t n = L->nx;
        double dl = r[0] - r[1], dr = r[n - 1] - r[n - 2];
        for (int k = 1; k <= G; k++) {
            r[-k] = r[0] + k * dl;
            r[n - 1 + k] = r[n - 1] + k * dr;
        }
    }
    if (L->dim != 2)
        return;
    /* Whole rows, x-ghosts included, so that the corners are consistent (they are never read). */
    const ptrdiff_t row = (ptrdiff_t)L->row;
    double *first = u + G * row, *last = u + (G + (ptrdiff_t)L->ny - 1) * row;
    for (ptrdiff_t i = 0; i < row; i++) {
        double dl = first[i] - first[row + i], dr = last[i] - last[i - row];
        for (int k = 1; k <= G; k++) {
            first[i - k * row] = first[i] + k * dl;
            last[i + k * row] = last[i] + k * dr;
        }
    }
}
