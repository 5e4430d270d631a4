/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Where particles end: the basin of attraction of each end point (the local minimiser gradient
 * descent reaches from it), basin fractions, and the distance between two families of paths. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "deeprelax/error.h"
#include "dr_args.h"
#include "particles_internal.h"

#define DESCENT_MAX_ITER 20000

int dr_particles_descend(const dr_landscape *f, const double *x, double *minimiser)
{
    DR_CHECK_PTRS(f, x, minimiser);
    int dim = dr_landscape_dim(f);
    double y[2] = {x[0], dim == 2 ? x[1] : 0}, g[2], z[2];
    double fy = dr_landscape_value_grad(f, y, g), step = 1e-2;
    if (!isfinite(fy)) return dr_error(DR_ENUMERIC, "basins: f is not finite at the start point");
    for (int it = 0; it < DESCENT_MAX_ITER; it++) {
        double g2 = 0;
        for (int a = 0; a < dim; a++) g2 += g[a] * g[a];
        if (sqrt(g2) < 1e-10) break;
        /* Armijo backtracking: short steps never jump over a barrier into another basin, as
         * a fixed step on a sharp landscape might */
        step *= 2;
        double fz;
        for (;;) {
            for (int a = 0; a < dim; a++) z[a] = y[a] - step * g[a];
            fz = dr_landscape_value(f, z);
            if (fz <= fy - 0.25 * step * g2 || step < 1e-300) break;
            step *= 0.5;
        }
        if (!(fz <= fy - 0.25 * step * g2)) break; /* no more progress in floating point */
        double moved = 0;
        for (int a = 0; a < dim; a++) {
            moved = fmax(moved, fabs(z[a] - y[a]));
            y[a] = z[a];
        }
        fy = dr_landscape_value_grad(f, y, g);
        if (!isfinite(fy))
            return dr_error(DR_ENUMERIC, "basins: descent reached a point where f is not finite "
                            "(is f bounded below?)");
        if (moved < 1e-14 * (1 + fabs(y[0]))) break;
    }
    for (int a = 0; a < dim; a++) minimiser[a] = y[a];
    return DR_SUCCESS;
}

/* The lowest minimum reachable from a sampling of the box: the best sample, then descent. */
static int global_minimum(const dr_landscape *f, const double lo[2], const double hi[2],
                          double *xmin, double *fmin)
{
    int dim = dr_landscape_dim(f);
    size_t ns = dim == 1 ? 20001 : 401;
    double best = INFINITY, bx[2] = {lo[0], lo[1]};
    for (size_t k = 0; k < (dim == 1 ? ns : ns * ns); k++) {
        double y[2];
        y[0] = lo[0] + (hi[0] - lo[0]) * (double)(k % ns) / (double)(ns - 1);
        y[1] = dim == 2 ? lo[1] + (hi[1] - lo[1]) * (double)(k / ns) / (double)(ns - 1) : 0;
        double v = dr_landscape_value(f, y);
        if (v < best) {
            best = v;
            bx[0] = y[0];
            bx[1] = y[1];
        }
    }
    int status = dr_particles_descend(f, bx, xmin);
    if (status) return status;
    *fmin = dr_landscape_value(f, xmin);
    return DR_SUCCESS;
}

int dr_particles_basins(const dr_landscape *f, const double lo[2], const double hi[2], size_t K,
                        const double *x, dr_particles_basin *basins, size_t max_basins,
                        size_t *nbasins)
{
    DR_CHECK_PTRS(f, lo, hi, x, basins, nbasins);
    int dim = dr_landscape_dim(f);
    size_t d = (size_t)dim;
    double diag = 0;
    for (int a = 0; a < dim; a++) diag += (hi[a] - lo[a]) * (hi[a] - lo[a]);
    double tol = 1e-3 * sqrt(diag);
    size_t nb = 0;
    *nbasins = 0;
    for (size_t k = 0; k < K; k++) {
        double m[2] = {0, 0};
        int status = dr_particles_descend(f, x + k * d, m);
        if (status) return status;
        size_t b = 0;
        for (; b < nb; b++) {
            double dist = 0;
            for (int a = 0; a < dim; a++)
                dist = fmax(dist, fabs(basins[b].minimiser[a] - m[a]));
            if (dist <= tol) break;
        }
        if (b == nb) {
            if (nb == max_basins)
                return dr_error(DR_EINVAL, "basins: the particles end in more than %zu basins",
                                max_basins);
            memset(&basins[nb], 0, sizeof basins[nb]);
            for (int a = 0; a < dim; a++) basins[nb].minimiser[a] = m[a];
            basins[nb].value = dr_landscape_value(f, m);
            nb++;
        }
        basins[b].count++;
    }
    double gx[2] = {0, 0}, gf;
    int status = global_minimum(f, lo, hi, gx, &gf);
    if (status) return status;
    for (size_t b = 0; b < nb; b++) {
        double dist = 0;
        for (int a = 0; a < dim; a++) dist = fmax(dist, fabs(basins[b].minimiser[a] - gx[a]));
        basins[b].global = dist <= tol || basins[b].value <= gf;
    }
    /* lowest minimum first (insertion sort: a handful of basins) */
    for (size_t i = 1; i < nb; i++)
        for (size_t j = i; j > 0 && basins[j].value < basins[j - 1].value; j--) {
            dr_particles_basin t = basins[j];
            basins[j] = basins[j - 1];
            basins[j - 1] = t;
        }
    *nbasins = nb;
    return DR_SUCCESS;
}

void dr_particles_path_distance(size_t K, size_t steps, int dim, const double *a, const double *b,
                                double *max, double *final, double *mean)
{
    size_t n = steps + 1, d = (size_t)dim;
    double mx = 0, sum = 0, last = 0;
    for (size_t s = 0; s < n; s++) {
        double ms = 0;
        for (size_t k = 0; k < K; k++)
            for (size_t c = 0; c < d; c++) {
                double diff = a[(k * n + s) * d + c] - b[(k * n + s) * d + c];
                ms += diff * diff;
            }
        last = sqrt(ms / (double)K);
        mx = fmax(mx, last);
        sum += last;
    }
    if (max) *max = mx;
    if (final) *final = last;
    if (mean) *mean = sum / (double)n;
}
