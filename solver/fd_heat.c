/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The diffusion sub-step of the finite-difference solver: u <- exp(s nu Laplacian_h) u, exact in
 * time for the centred second difference, through discrete sine transforms (FFTW RODFT00).
 *
 * Why exact rather than Crank-Nicolson: CN damps the stiffest modes by a factor tending to -1, so
 * at nu dt / h^2 >> 1 (small beta) it leaves slowly decaying sawtooth noise; the semigroup damps
 * them by exp(-4 nu s / h^2), as the PDE does, at the price of two transforms per axis.
 * The edge nodes are held fixed (their ghosts are linear, so Laplacian_h vanishes there): per
 * line, the linear interpolant of the two edge values is in the kernel of the operator, and the
 * rest vanishes at the edges, which is the Dirichlet problem the sine basis diagonalises with
 * eigenvalues -(4/h^2) sin^2(pi k / (2(m+1))). In 2-D the x and y operators act on different
 * tensor factors and commute, so exp of their sum is the product of the two 1-D semigroups. */
#include "fd_internal.h"
#include "deeprelax/error.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include "fftw_setup.h"

struct dr_fd_heat {
    dr_fd_layout L;
    size_t m[2];           /* interior (non-edge) points per line, per axis */
    double *buf;           /* lines of one axis, contiguous: max(ny m[0], nx m[1]) */
    double *lambda[2];     /* per axis: m eigenvalues, then m decay factors of the current step */
    fftw_plan plan[2];
};

static int make_axis(dr_fd_heat *w, int a, size_t m, size_t lines, double h, int threads)
{
    w->m[a] = m;
    w->lambda[a] = malloc(2 * m * sizeof(double));
    if (!w->lambda[a])
        return dr_error(DR_ENOMEM, "fd: out of memory for the heat sub-step");
    for (size_t k = 0; k < m; k++) {
        double sn = sin(M_PI * (double)(k + 1) / (2.0 * (double)(m + 1)));
        w->lambda[a][k] = -4.0 / (h * h) * sn * sn;
    }
    int n = (int)m;
    fftw_r2r_kind kind = FFTW_RODFT00;
    /* threads pay only on large batches (as in heat_axis.c) */
    dr_fftw_lock(lines * m >= ((size_t)1 << 18) ? threads : 1);
    w->plan[a] = fftw_plan_many_r2r(1, &n, (int)lines, w->buf, NULL, 1, n, w->buf, NULL, 1, n,
                                    &kind, FFTW_ESTIMATE);
    dr_fftw_unlock();
    if (!w->plan[a])
        return dr_error(DR_ENOMEM, "fd: FFTW could not plan a sine transform of %zu points", m);
    return DR_SUCCESS;
}

int dr_fd_heat_alloc(dr_fd_heat **out, const dr_fd_layout *L, double h[2], int threads)
{
    *out = NULL;
    dr_fd_heat *w = calloc(1, sizeof *w);
    if (!w)
        return dr_error(DR_ENOMEM, "fd: out of memory for the heat sub-step");
    w->L = *L;
    size_t mx = L->nx - 2, my = L->dim == 2 ? L->ny - 2 : 0;
    size_t cap = L->ny * mx;
    if (L->dim == 2 && L->nx * my > cap)
        cap = L->nx * my;
    w->buf = fftw_alloc_real(cap);
    int st = w->buf ? DR_SUCCESS : dr_error(DR_ENOMEM, "fd: out of memory for the heat sub-step");
    if (st == DR_SUCCESS)
        st = make_axis(w, 0, mx, L->ny, h[0], threads);
    if (st == DR_SUCCESS && L->dim == 2)
        st = make_axis(w, 1, my, L->nx, h[1], threads);
    if (st != DR_SUCCESS) {
        dr_fd_heat_free(w);
        return st;
    }
    *out = w;
    return DR_SUCCESS;
}

/* Lines of n points at u[first + l * line_stride + k * point_stride], l < lines. */
static void apply_axis(dr_fd_heat *w, int a, double *u, size_t first, size_t lines,
                       size_t line_stride, size_t point_stride, double nu_s)
{
    const size_t m = w->m[a];
    double *buf = w->buf;
    for (size_t l = 0; l < lines; l++) {
        const double *line = u + first + l * line_stride;
        double left = line[0], right = line[(m + 1) * point_stride];
        for (size_t k = 1; k <= m; k++) {
            double lin = left + (right - left) * (double)k / (double)(m + 1);
            buf[l * m + k - 1] = line[k * point_stride] - lin;
        }
    }
    fftw_execute(w->plan[a]);
    /* RODFT00 is its own inverse up to the factor 2 (m + 1). */
    const double norm = 1.0 / (2.0 * (double)(m + 1));
    double *decay = w->lambda[a] + m;
    for (size_t k = 0; k < m; k++)
        decay[k] = exp(nu_s * w->lambda[a][k]) * norm;
    for (size_t l = 0; l < lines; l++)
        for (size_t k = 0; k < m; k++)
            buf[l * m + k] *= decay[k];
    fftw_execute(w->plan[a]);
    for (size_t l = 0; l < lines; l++) {
        double *line = u + first + l * line_stride;
        double left = line[0], right = line[(m + 1) * point_stride];
        for (size_t k = 1; k <= m; k++) {
            double lin = left + (right - left) * (double)k / (double)(m + 1);
            line[k * point_stride] = buf[l * m + k - 1] + lin;
        }
    }
}

void dr_fd_heat_apply(dr_fd_heat *w, double *u, double nu_s)
{
    const dr_fd_layout *L = &w->L;
    apply_axis(w, 0, u, dr_fd_at(L, 0, 0), L->ny, L->row, 1, nu_s);
    if (L->dim == 2)
        apply_axis(w, 1, u, dr_fd_at(L, 0, 0), L->nx, 1, L->row, nu_s);
}

void dr_fd_heat_free(dr_fd_heat *w)
{
    if (!w)
        return;
    for (int a = 0; a < 2; a++) {
        if (w->plan[a]) {
            dr_fftw_lock(1);
            fftw_destroy_plan(w->plan[a]);
            dr_fftw_unlock();
        }
        free(w->lambda[a]);
    }
    fftw_free(w->buf);
    free(w);
}
