/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The y-grid of the Cole-Hopf quadrature: how fine, and how far beyond the box.
 *
 * Fineness. The trapezoid rule is spectrally accurate for the Gibbs integrand
 * exp(-beta f(y) - |x-y|^2/(2s)) once its narrowest feature is resolved. Near a minimum that
 * integrand is a Gaussian of standard deviation sigma/sqrt(1 + t f''), sigma = sqrt(t/beta); the
 * rule's relative error on a Gaussian of std w with spacing hy is 2 exp(-2 pi^2 w^2/hy^2), below
 * 1e-15 once hy <= 0.7 w. So hy = h/refine with refine the smallest integer meeting that at the
 * smallest t and the largest curvature C of f (analytic bound, else measured second differences).
 *
 * Padding. A term y beyond the box matters to some output x only if
 *     beta (f(y) - U(x)) + beta |x-y|^2/(2t) < CUT,   U(x) = min_k f(y_k) + |x-y_k|^2/(2t)
 * over box points y_k, for some x in the box: exp(-beta U(x)) is the largest of x's own terms,
 * so it bounds the sum from below. The passes and the aliasing check sum line by line, so for
 * y on a box row or column U is also taken along that line alone (the largest term of the line
 * through x; a line cut short would show as aliasing). Both are Hopf-Lax envelopes of f over
 * the box at t_min (U falls as t grows); the least over x of -U(x) + |x-y|^2/(2 t_max) is an
 * envelope of -U; all exact in O(n) per line. The term at y = x (f(x) in place of U), used
 * before, sits far below the sum at a rugged f's local maxima: Rastrigin at beta = 100 padded
 * past the point budget and lost its error bound. We sample f on a generous candidate padding,
 * evaluate this criterion at every padded point, and keep the padding up to the last point
 * that fails it. Landscapes that grow away from the box thus get a thin padding, flat or
 * periodic ones a wide one.
 * The one assumption: f beyond the candidate padding (a Gaussian-tail bound: no term there can
 * matter unless f falls below its minimum seen so far) does not dip lower still. */
#include "heat_internal.h"
#include "heat_kinks.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "deeprelax/error.h"
#include "deeprelax/hopflax.h"
#include "landscape_impl.h"

#define MAX_REFINE_1D 256
#define MAX_REFINE_2D 16
#define MAX_POINTS_1D ((size_t)1 << 24)
#define MAX_POINTS_2D ((size_t)1 << 24)

/* Largest second difference of f over the output grid: a curvature estimate when no bound is
 * known. Stencils across a declared breakpoint are skipped (1-D): the kink correction of
 * heat_kinks.c handles those, and the smooth pieces are what the y-grid must resolve. Where a
 * kink is not declared it shows as ~2 |jump in slope| / h, which is what the rule must resolve. */
static double measured_curvature(const dr_landscape *f, const dr_grid *g, const double *kinks,
                                 size_t nkinks)
{
    double cmax = 0.0, x[2];
    dr_landscape_prefetch_grid(f, g);
    for (int a = 0; a < g->dim; a++) {
        int b = 1 - a;
        size_t nb = g->dim == 2 ? g->n[b] : 1, next = 0;
        for (size_t j = 0; j < nb; j++) {
            if (g->dim == 2) x[b] = dr_grid_coord(g, b, j);
            for (size_t i = 1; i + 1 < g->n[a]; i++) {
                double lo = dr_grid_coord(g, a, i - 1), hi = dr_grid_coord(g, a, i + 1);
                while (next < nkinks && kinks[next] < lo) next++;
                if (next < nkinks && kinks[next] <= hi) continue;
                double fv[3];
                for (int k = 0; k < 3; k++) {
                    x[a] = dr_grid_coord(g, a, i - 1 + (size_t)k);
                    fv[k] = dr_landscape_value(f, x);
                }
                double c = (fv[0] - 2.0 * fv[1] + fv[2]) / (g->h[a] * g->h[a]);
                if (c > cmax) cmax = c;
            }
        }
    }
    dr_landscape_prefetch_end(f);
    return cmax;
}

/* The trapezoid rule on a Gaussian of std w, spacing hy, any offset: by Poisson summation the
 * sum is 1 + 2 sum_{m>=1} exp(-2 pi^2 m^2 w^2/hy^2) cos(.), so its relative error is at most
 * eps = 2 sum_m exp(-2 pi^2 m^2 w^2/hy^2) (every term, not only the first: at hy > w they are all
 * of order 1), and log of the sum lies within -log(1 - eps) of 0. +inf when eps >= 1: the rule
 * can then miss the integrand's peak entirely and no bound on u holds. */
static double trapezoid_log_bound(double w, double hy)
{
    double r = 2.0 * M_PI * M_PI * w * w / (hy * hy), eps = 0.0;
    for (int m = 1; m <= 200; m++) {
        double term = 2.0 * exp(-r * m * m);
        eps += term;
        if (term < 1e-18 * eps) break;
    }
    return eps < 1.0 ? -log1p(-eps) : INFINITY;
}

static int choose_refine(const dr_landscape *f, const dr_grid *g, double beta, double t_min,
                         double C, const double *kinks, size_t nkinks, int r_min, int *capped,
                         double *quad_err, double *quad_err_u)
{
    if (!isfinite(C)) C = measured_curvature(f, g, kinks, nkinks);
    if (C < 0.0) C = 0.0;
    double w = sqrt(t_min / beta) / sqrt(1.0 + t_min * C);
    double hmax = g->h[0];
    if (g->dim == 2 && g->h[1] > hmax) hmax = g->h[1];
    double r = ceil(hmax / (0.7 * w));
    int cap = g->dim == 1 ? MAX_REFINE_1D : MAX_REFINE_2D;
    *capped = 0;
    if (!(r >= 1.0)) r = 1.0;
    if (r < r_min) r = r_min;
    if (r > cap) {
        r = cap;
        *capped = 1;
    }
    /* Reported, so that a capped refinement shows in the error estimate instead of passing
     * silently; the Gaussian of the narrowest Gibbs feature is the rule's worst case. */
    double hy = hmax / r;
    *quad_err = 2.0 * exp(-2.0 * M_PI * M_PI * w * w / (hy * hy));
    *quad_err_u = 0.0;
    for (int a = 0; a < g->dim; a++)
        *quad_err_u += trapezoid_log_bound(w, g->h[a] / r) / beta;
    return (int)r;
}

/* Minimum over the box points (bx .. bx+nb-1 of a line of spacing hy) of -f + d^2/(2t), at every
 * point of the line: one lower envelope. */
static void envelope_line(const double *negf, size_t nb, double ybox0, double hy,
                          const double *ycoord, size_t n, double t, double *out,
                          double *work, size_t *iwork)
{
    dr_hopflax_envelope_1d(negf, nb, ybox0, hy, ycoord, n, t, out, NULL, work, iwork);
}

/* Where f is not smooth: in 1-D the windows of the kink correction; where the breakpoints are
 * not known (2-D kinks or knots, or too many), no smooth-case bound holds: say so. */
static int quadgrid_breakpoints(dr_quadgrid *qg, const dr_landscape *f, const dr_grid *g,
                                double beta)
{
    int unknown = 0;
    if (g->dim == 1) {
        int status = dr_kinkfix_build(&qg->kinks, f, qg, beta, g->n[0], &unknown);
        if (status) {
            dr_quadgrid_free(qg);
            return status;
        }
    } else {
        double y_end = qg->y0[0] + (double)(qg->n[0] - 1) * qg->hy[0];
        unknown = dr_landscape_breakpoints(f, qg->y0[0], y_end, NULL, 0) != 0;
    }
    int status = dr_alias_build(qg, f, g, beta);
    if (status) {
        dr_quadgrid_free(qg);
        return status;
    }
    if (unknown) {
        qg->quad_err_u = INFINITY;
        qg->unbounded = g->dim == 1 ? "the landscape has more kinks or knots than the "
                                      "quadrature can split at"
                                    : "the landscape has kinks or knots (2-D: the quadrature "
                                      "cannot split at them)";
    }
    return DR_SUCCESS;
}

/* The candidate y-grid: the refined box (nbox points per axis, spacing hy) padded by mc points
 * each side, N = nbox + 2 mc points from c0; f sampled on it (fc) and the padding criterion of the
 * file's comment (crit: f(y) + crit(y) is the least exponent any box x gives the term y). */
typedef struct {
    int dim;
    size_t nbox[2], mc[2], N[2];
    double hy[2], c0[2];
    double *fc, *crit;
} candidate;

/* Range of f over the box (at output points), for the Gaussian-tail bound of the padding. */
static int box_range(const dr_landscape *f, const dr_grid *g, double *fmin, double *fmax)
{
    double x[2] = {0, 0};
    int status = DR_SUCCESS;
    *fmin = INFINITY;
    *fmax = -INFINITY;
    dr_landscape_prefetch_grid(f, g);
    for (size_t j = 0; j < g->n[1] && !status; j++) {
        if (g->dim == 2) x[1] = dr_grid_coord(g, 1, j);
        for (size_t i = 0; i < g->n[0]; i++) {
            x[0] = dr_grid_coord(g, 0, i);
            double v = dr_landscape_value(f, x);
            if (!isfinite(v)) {
                status = dr_error(DR_ENUMERIC, "the landscape is not finite at x = %g%s%g", x[0],
                                  g->dim == 2 ? ", y = " : "", g->dim == 2 ? x[1] : 0.0);
                break;
            }
            if (v < *fmin) *fmin = v;
            if (v > *fmax) *fmax = v;
        }
    }
    dr_landscape_prefetch_end(f);
    return status;
}

/* Candidate padding of `loose` per axis, shrunk to the point budget if needed. */
static int candidate_size(candidate *c, const dr_grid *g, double loose, int r)
{
    size_t budget = c->dim == 1 ? MAX_POINTS_1D : MAX_POINTS_2D;
    for (int a = 0; a < c->dim; a++)
        c->mc[a] = (size_t)ceil(loose / c->hy[a]) + 2;
    for (;;) {
        size_t total = 1;
        for (int a = 0; a < c->dim; a++) total *= c->nbox[a] + 2 * c->mc[a];
        if (total <= budget) break;
        int shrunk = 0;
        for (int a = 0; a < c->dim; a++)
            if (c->mc[a] > 4) { c->mc[a] = c->mc[a] * 3 / 4; shrunk = 1; }
        if (!shrunk)
            return dr_error(DR_EINVAL, "grid too large for the quadrature: %zu x %zu points "
                            "after refinement by %d", c->nbox[0], c->nbox[1], r);
    }
    for (int a = 0; a < c->dim; a++) {
        c->N[a] = c->nbox[a] + 2 * c->mc[a];
        c->c0[a] = g->lo[a] - (double)c->mc[a] * c->hy[a];
    }
    return DR_SUCCESS;
}

/* f on the candidate lattice. */
static int candidate_sample(candidate *c, const dr_landscape *f)
{
    int dim = c->dim, status = DR_SUCCESS;
    double x[2] = {0, 0};
    dr_landscape_prefetch_lattice(f, dim, c->N, c->c0, c->hy);
    for (size_t j = 0; j < c->N[1] && !status; j++) {
        if (dim == 2) x[1] = c->c0[1] + (double)j * c->hy[1];
        for (size_t i = 0; i < c->N[0]; i++) {
            x[0] = c->c0[0] + (double)i * c->hy[0];
            double v = dr_landscape_value(f, x);
            /* +inf (or an overflow) in the padding is a wall: weight exp(-inf) = 0. A NaN or
             * -inf has no meaning as a loss and is refused. */
            if (isnan(v) || v == -INFINITY) {
                status = dr_error(DR_ENUMERIC, "the landscape is %s at x = %g%s%g "
                                  "(outside the box, where the solver pads)",
                                  isnan(v) ? "NaN" : "-inf", x[0], dim == 2 ? ", y = " : "",
                                  dim == 2 ? x[1] : 0.0);
                break;
            }
            c->fc[j * c->N[0] + i] = v;
        }
    }
    dr_landscape_prefetch_end(f);
    return status;
}

/* min(crit[k], v) at crit[k * stride], k < n. */
static void crit_min(double *crit, size_t stride, const double *v, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (v[k] < crit[k * stride]) crit[k * stride] = v[k];
}

/* A thread's scratch for the criterion's lines: the envelope's work and the line copies. */
typedef struct {
    double *work, *line, *line_out, *col;
    size_t *iwork;
} crit_scratch;

/* The 2-D reference at every candidate point: box rows (R), box columns of R (U2), then
 * crit's rows and columns; each loop's lines are independent, one thread's a block of them. */
static void criterion_2d(candidate *c, const dr_grid *g, double t_min, double t_max,
                         const double *xs, const double *ys, double *R, double *U2,
                         crit_scratch *sc, int threads)
{
    size_t *N = c->N, *mc = c->mc, *nbox = c->nbox, jb = c->dim == 2 ? mc[1] : 0;
    size_t nb = nbox[0] * nbox[1];
    #pragma omp parallel for schedule(static) num_threads(threads)
    for (size_t j = 0; j < nbox[1]; j++) {
        crit_scratch *s = &sc[omp_get_thread_num()];
        envelope_line(c->fc + (jb + j) * N[0] + mc[0], nbox[0], g->lo[0], c->hy[0], xs + mc[0],
                      nbox[0], t_min, R + j * nbox[0], s->work, s->iwork);
    }
    memcpy(U2, R, nb * sizeof *U2);
    #pragma omp parallel for schedule(static) num_threads(threads)
    for (size_t i = 0; i < (c->dim == 2 ? nbox[0] : 0); i++) {
        crit_scratch *s = &sc[omp_get_thread_num()];
        for (size_t j = 0; j < nbox[1]; j++) s->line[j] = R[j * nbox[0] + i];
        envelope_line(s->line, nbox[1], g->lo[1], c->hy[1], ys + mc[1], nbox[1], t_min,
                      s->line_out, s->work, s->iwork);
        for (size_t j = 0; j < nbox[1]; j++) U2[j * nbox[0] + i] = s->line_out[j];
    }
    /* rows outside the box hold no x (+inf) */
    #pragma omp parallel for schedule(static) num_threads(threads)
    for (size_t j = 0; j < N[1]; j++) {
        crit_scratch *s = &sc[omp_get_thread_num()];
        double *row = c->crit + j * N[0];
        if (c->dim == 2 && (j < mc[1] || j >= mc[1] + nbox[1])) {
            for (size_t i = 0; i < N[0]; i++) row[i] = INFINITY;
            continue;
        }
        for (size_t i = 0; i < nbox[0]; i++) s->line[i] = -U2[(j - jb) * nbox[0] + i];
        envelope_line(s->line, nbox[0], g->lo[0], c->hy[0], xs, N[0], t_max, row, s->work,
                      s->iwork);
    }
    #pragma omp parallel for schedule(static) num_threads(threads)
    for (size_t i = 0; i < (c->dim == 2 ? N[0] : 0); i++) {
        crit_scratch *s = &sc[omp_get_thread_num()];
        for (size_t j = 0; j < nbox[1]; j++) s->line[j] = c->crit[(mc[1] + j) * N[0] + i];
        envelope_line(s->line, nbox[1], g->lo[1], c->hy[1], ys, N[1], t_max, s->line_out,
                      s->work, s->iwork);
        for (size_t j = 0; j < N[1]; j++) c->crit[j * N[0] + i] = s->line_out[j];
    }
}

/* The 1-D references (2-D only): each box row along x, each box column along y. */
static void criterion_lines(candidate *c, const dr_grid *g, double t_min, double t_max,
                            const double *xs, const double *ys, const double *R,
                            crit_scratch *sc, int threads)
{
    size_t *N = c->N, *mc = c->mc, *nbox = c->nbox, jb = mc[1];
    #pragma omp parallel for schedule(static) num_threads(threads)
    for (size_t j = 0; j < nbox[1]; j++) {
        crit_scratch *s = &sc[omp_get_thread_num()];
        for (size_t i = 0; i < nbox[0]; i++) s->line[i] = -R[j * nbox[0] + i];
        envelope_line(s->line, nbox[0], g->lo[0], c->hy[0], xs, N[0], t_max, s->line_out,
                      s->work, s->iwork);
        crit_min(c->crit + (jb + j) * N[0], 1, s->line_out, N[0]);
    }
    #pragma omp parallel for schedule(static) num_threads(threads)
    for (size_t i = 0; i < nbox[0]; i++) {
        crit_scratch *s = &sc[omp_get_thread_num()];
        for (size_t j = 0; j < nbox[1]; j++) s->line[j] = c->fc[(jb + j) * N[0] + mc[0] + i];
        envelope_line(s->line, nbox[1], g->lo[1], c->hy[1], ys + mc[1], nbox[1], t_min, s->col,
                      s->work, s->iwork);
        for (size_t j = 0; j < nbox[1]; j++) s->line[j] = -s->col[j];
        envelope_line(s->line, nbox[1], g->lo[1], c->hy[1], ys, N[1], t_max, s->line_out,
                      s->work, s->iwork);
        crit_min(c->crit + mc[0] + i, N[0], s->line_out, N[1]);
    }
}

/* crit at every candidate point: the least over box points x of |x-y|^2/(2 t_max) - U(x),
 * for two references U, both envelopes of f over the box at t_min: the 2-D one (each output's
 * largest term: what u needs), and for points on a box row or column the 1-D one along that
 * line (the largest term of the line through x: the passes and the aliasing check sum line by
 * line, and a line cut short would show as aliasing). All separable, O(n) per line; the lines
 * shared out among the threads (a plan's largest serial cost otherwise). */
static int candidate_criterion(candidate *c, const dr_grid *g, double t_min, double t_max,
                               int threads)
{
    size_t *N = c->N, nmax = N[0] > N[1] ? N[0] : N[1], nb = c->nbox[0] * c->nbox[1];
    size_t per = 6 * nmax + 1; /* work 3 nmax + 1, then line, line_out and col */
    double *ycoord = malloc(2 * nmax * sizeof *ycoord);
    double *work = malloc((size_t)threads * per * sizeof *work);
    double *R = malloc(2 * nb * sizeof *R);
    size_t *iwork = malloc((size_t)threads * nmax * sizeof *iwork);
    crit_scratch *sc = malloc((size_t)threads * sizeof *sc);
    int status = DR_SUCCESS;
    if (!ycoord || !work || !iwork || !R || !sc) {
        status = dr_error(DR_ENOMEM, "out of memory for a %zu-point quadrature grid",
                          N[0] * N[1]);
        goto done;
    }
    for (int k = 0; k < threads; k++) {
        sc[k].work = work + (size_t)k * per;
        sc[k].line = sc[k].work + 3 * nmax + 1;
        sc[k].line_out = sc[k].line + nmax;
        sc[k].col = sc[k].line_out + nmax;
        sc[k].iwork = iwork + (size_t)k * nmax;
    }
    double *xs = ycoord, *ys = ycoord + nmax;
    for (size_t i = 0; i < N[0]; i++) xs[i] = c->c0[0] + (double)i * c->hy[0];
    for (size_t j = 0; j < N[1]; j++) ys[j] = c->c0[1] + (double)j * c->hy[1];
    /* R: along each box row; U2: R along each box column (in 1-D, R itself) */
    criterion_2d(c, g, t_min, t_max, xs, ys, R, R + nb, sc, threads);
    if (c->dim == 2) criterion_lines(c, g, t_min, t_max, xs, ys, R, sc, threads);
done:
    free(ycoord);
    free(work);
    free(R);
    free(iwork);
    free(sc);
    return status;
}

/* Padding per axis: one beyond the farthest point whose term can matter (capped at the
 * candidate's, *capped then set). */
static void needed_padding(const candidate *c, double beta, size_t need[2], int *capped)
{
    const size_t *N = c->N, *mc = c->mc, *nbox = c->nbox;
    double threshold = (DR_HEAT_CUT + log((double)(N[0] * N[1]))) / beta;
    need[0] = need[1] = 1;
    for (size_t j = 0; j < N[1]; j++) {
        size_t dj = c->dim == 2 ? (j < mc[1] ? mc[1] - j : (j >= mc[1] + nbox[1] ? j - (mc[1] + nbox[1]) + 1 : 0)) : 0;
        for (size_t i = 0; i < N[0]; i++) {
            size_t di = i < mc[0] ? mc[0] - i : (i >= mc[0] + nbox[0] ? i - (mc[0] + nbox[0]) + 1 : 0);
            if (di == 0 && dj == 0) continue;
            if (c->fc[j * N[0] + i] + c->crit[j * N[0] + i] >= threshold) continue;
            if (di + 1 > need[0]) need[0] = di + 1;
            if (dj + 1 > need[1]) need[1] = dj + 1;
        }
    }
    for (int a = 0; a < c->dim; a++) {
        if (need[a] > mc[a]) {
            need[a] = mc[a];
            *capped = 1;
        }
    }
}

/* The final grid: the central block of the candidate, `need` points of padding per axis, and
 * its log-weights a = -beta (f - fref), fref the least f on it. */
static int final_grid(dr_quadgrid *qg, const candidate *c, const dr_grid *g, double beta,
                      const size_t need[2])
{
    size_t off[2] = {0, 0};
    for (int a = 0; a < 2; a++) {
        if (a < c->dim) {
            qg->margin[a] = need[a];
            qg->n[a] = c->nbox[a] + 2 * need[a];
            qg->hy[a] = c->hy[a];
            qg->y0[a] = g->lo[a] - (double)need[a] * c->hy[a];
            off[a] = c->mc[a] - need[a];
        } else {
            qg->n[a] = 1; qg->hy[a] = 1.0; qg->y0[a] = 0.0; qg->margin[a] = 0;
        }
    }
    qg->a = malloc(qg->n[0] * qg->n[1] * sizeof *qg->a);
    if (!qg->a) return dr_error(DR_ENOMEM, "out of memory for the quadrature grid");
    const double *fc = c->fc;
    size_t N0 = c->N[0];
    double fref = INFINITY;
    for (size_t j = 0; j < qg->n[1]; j++)
        for (size_t i = 0; i < qg->n[0]; i++) {
            double v = fc[(j + off[1]) * N0 + i + off[0]];
            if (v < fref) fref = v;
        }
    qg->fref = fref;
    for (size_t j = 0; j < qg->n[1]; j++)
        for (size_t i = 0; i < qg->n[0]; i++)
            qg->a[j * qg->n[0] + i] = -beta * (fc[(j + off[1]) * N0 + i + off[0]] - fref);
    return DR_SUCCESS;
}

/* The refinement r (from the curvature bound C, at least r_min) and its error estimates. */
static int quadgrid_refine(dr_quadgrid *qg, const dr_landscape *f, const dr_grid *g, double beta,
                           double t_min, double C, int r_min)
{
    double *kinks = NULL;
    long nkinks = g->dim == 1 ? dr_landscape_breakpoints(f, g->lo[0], g->hi[0], NULL, 0) : 0;
    if (nkinks > 0) {
        kinks = malloc((size_t)nkinks * sizeof *kinks);
        if (!kinks) return dr_error(DR_ENOMEM, "out of memory");
        nkinks = dr_landscape_breakpoints(f, g->lo[0], g->hi[0], kinks, (size_t)nkinks);
    }
    qg->refine = choose_refine(f, g, beta, t_min, C, kinks, nkinks > 0 ? (size_t)nkinks : 0,
                               r_min, &qg->refine_capped, &qg->quad_err, &qg->quad_err_u);
    free(kinks);
    if (!isfinite(qg->quad_err_u))
        qg->unbounded = "the y-grid is too coarse for the Gibbs integrand (refinement capped)";
    return DR_SUCCESS;
}

static int quadgrid_build_at(dr_quadgrid *qg, const dr_landscape *f, const dr_grid *g,
                             double beta, double t_min, double t_max, double C, int r_min,
                             int threads)
{
    memset(qg, 0, sizeof *qg);
    qg->threads = threads;
    candidate c = {.dim = g->dim, .nbox = {1, 1}, .N = {1, 1}, .hy = {1.0, 1.0}};
    int status = quadgrid_refine(qg, f, g, beta, t_min, C, r_min);
    if (status) return status;
    int r = qg->refine;
    for (int a = 0; a < c.dim; a++) {
        c.nbox[a] = (g->n[a] - 1) * (size_t)r + 1;
        c.hy[a] = g->h[a] / r;
    }
    double fmin, fmax;
    status = box_range(f, g, &fmin, &fmax);
    if (status) return status;
    double s_max = t_max / beta;
    /* beyond the box f >= fmin (the one assumption), so a term at distance d from every box
     * point x matters only if fmin - U(x) + d^2/(2 t_max) < CUT/beta (+ the count's log), and
     * every reference U (below) is at most f(x) */
    double loose = sqrt(2.0 * t_max * (fmax - fmin) + 2.0 * s_max * (DR_HEAT_CUT + 20.0));
    status = candidate_size(&c, g, loose, r);
    if (status) return status;
    size_t total = c.N[0] * c.N[1], need[2];
    c.fc = malloc(total * sizeof *c.fc);
    c.crit = malloc(total * sizeof *c.crit);
    if (!c.fc || !c.crit) {
        status = dr_error(DR_ENOMEM, "out of memory for a %zu-point quadrature grid", total);
        goto done;
    }
    if ((status = candidate_sample(&c, f)) || (status = candidate_criterion(&c, g, t_min, t_max, threads)))
        goto done;
    needed_padding(&c, beta, need, &qg->margin_capped);
    qg->dim = c.dim;
    status = final_grid(qg, &c, g, beta, need);
done:
    free(c.fc);
    free(c.crit);
    return status ? status : quadgrid_breakpoints(qg, f, g, beta);
}

/* The refinement from the curvature model, raised (doubled, up to the cap) while the measured
 * aliasing at t_min (heat_alias.c) says the model missed features of f: at most a few rounds,
 * since the aliasing falls like exp(-c r^2). */
int dr_quadgrid_build(dr_quadgrid *qg, const dr_landscape *f, const dr_grid *g, double beta,
                      double t_min, double t_max, int threads)
{
    if (threads <= 0) threads = omp_get_max_threads();
    int r_min = 1;
    double C = dr_landscape_curvature_bound(f, g->lo, g->hi);
    for (int round = 0;; round++) {
        int status = quadgrid_build_at(qg, f, g, beta, t_min, t_max, C, r_min, threads);
        if (status) return status;
        double alias = dr_alias_estimate(qg, g, beta, t_min);
        if (alias <= 1e-11 || qg->refine_capped || round == 4) return DR_SUCCESS;
        r_min = 2 * qg->refine;
        dr_quadgrid_free(qg);
    }
}

void dr_quadgrid_free(dr_quadgrid *qg)
{
    free(qg->a);
    qg->a = NULL;
    dr_kinkfix_free(qg->kinks);
    qg->kinks = NULL;
    dr_alias_free(qg);
}
