/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Uniform grids: validation of the sizes and boxes every solver relies on. */
#include "deeprelax/grid.h"
#include "dr_args.h"
#include "deeprelax/error.h"

#include <math.h>

int dr_grid_init(dr_grid *g, int dim, const size_t *n, const double *lo, const double *hi)
{
    DR_CHECK_PTRS(g, n, lo, hi);
    if (dim != 1 && dim != 2)
        return dr_error(DR_EINVAL, "dimension must be 1 or 2 (got %d)", dim);
    g->dim = dim;
    for (int a = 0; a < 2; a++) {
        if (a >= dim) {
            g->n[a] = 1; g->lo[a] = g->hi[a] = 0.0; g->h[a] = 1.0;
            continue;
        }
        if (n[a] < DR_GRID_MIN_POINTS)
            return dr_error(DR_EINVAL, "grid too small: %zu points on axis %d, need at least %d",
                            n[a], a + 1, DR_GRID_MIN_POINTS);
        if (!isfinite(lo[a]) || !isfinite(hi[a]) || !(hi[a] > lo[a]))
            return dr_error(DR_EINVAL, "empty or non-finite interval [%g, %g] on axis %d",
                            lo[a], hi[a], a + 1);
        g->n[a] = n[a]; g->lo[a] = lo[a]; g->hi[a] = hi[a];
        g->h[a] = (hi[a] - lo[a]) / (double)(n[a] - 1);
    }
    return DR_SUCCESS;
}

size_t dr_grid_size(const dr_grid *g) { return g->n[0] * g->n[1]; }
