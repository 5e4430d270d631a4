/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Viscous Hamilton-Jacobi by Cole-Hopf: plans, executions, and the choice between engines.
 *
 * u(x,t) = fref - (1/beta) log( sum_y w(y) G_s(x-y) hy^d ),  w = exp(-beta (f - fref)), s = t/beta:
 * the trapezoid rule for the Gaussian convolution on the y-grid of heat_quadgrid.c. The Gaussian
 * factorises, so both engines work one axis at a time: pass 1 along x for every y-row of the
 * grid, pass 2 along y on pass 1's results (in the log domain, renormalised per column), the
 * x-offset means of pass 1 carried through pass 2 as weighted averages for the gradient.
 *
 *   FFT engine (heat_axis.c): batched real FFTs per axis, the first axis's spectra computed once
 *   per plan since w does not depend on t; every value gets an error estimate, and under AUTO
 *   the values that miss the tolerance are recomputed exactly along the same line, on the
 *   sub-grid the Gibbs integrand needs (heat_coarse.c), so AUTO stays O(n log n).
 *   Log-domain engine (heat_logsum.c): every value by a windowed log-sum-exp; exact in every
 *   regime, cheap when beta is large. */
#include "deeprelax/heat.h"

#include <fftw3.h>
#include <float.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "deeprelax/error.h"
#include "dr_args.h"
#include "heat_internal.h"
#include "vmath.h"
#include "heat_kinks.h"

struct dr_heat_plan {
    dr_grid g;
    double beta, t_min, t_max;
    dr_heat_options opt;
    dr_quadgrid qg;
    size_t *centre[2];     /* y-index of output point i on axis a */
    double *rowmax;        /* max of a per y-row */
    int narrow;            /* every a >= -DR_HEAT_RANGE: pass 1 can hand pass 2 plain values */
    double curvature;      /* bound of f'' (analytic, else measured): the Gibbs width */
    double *wrow;          /* exp(a - rowmax) on the y-grid: pass 1's weights */
    int fft;
    dr_axis_fft ax[2];
    /* per-execution scratch: pass 1 results per row (L1, O1; the log-domain engine and 1-D),
     * per column (A, D), pass 2's weights (W2, WC) */
    double *L1, *O1, *A, *D, *W2, *WC, *colmax;
};

const char *dr_heat_engine_name(dr_heat_engine e)
{
    switch (e) {
    case DR_HEAT_AUTO: return "auto";
    case DR_HEAT_FFT: return "fft";
    case DR_HEAT_LOGSUM: return "logsum";
    case DR_HEAT_HYBRID: return "hybrid";
    }
    return "?";
}

int dr_heat_engine_parse(const char *name, dr_heat_engine *e)
{
    DR_CHECK_PTRS(name, e);
    static const dr_heat_engine all[] = {DR_HEAT_AUTO, DR_HEAT_FFT, DR_HEAT_LOGSUM};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(name, dr_heat_engine_name(all[i]))) {
            *e = all[i];
            return DR_SUCCESS;
        }
    return dr_error(DR_ENOTFOUND, "unknown heat engine '%s' (auto, fft, logsum)", name);
}

static const char *const planning_names[] = {"estimate", "measure", "patient"};

const char *dr_heat_planning_name(dr_heat_planning p)
{
    return p >= DR_HEAT_PLAN_ESTIMATE && p <= DR_HEAT_PLAN_PATIENT ? planning_names[p] : "?";
}

int dr_heat_planning_parse(const char *name, dr_heat_planning *p)
{
    DR_CHECK_PTRS(name, p);
    for (int i = DR_HEAT_PLAN_ESTIMATE; i <= DR_HEAT_PLAN_PATIENT; i++)
        if (!strcmp(name, planning_names[i])) {
            *p = (dr_heat_planning)i;
            return DR_SUCCESS;
        }
    return dr_error(DR_ENOTFOUND, "unknown FFT planning '%s' (estimate, measure, patient)", name);
}

/* FFTW's rigour flag for the planning level (the only place FFTW's flag words appear). */
static unsigned fftw_rigour(dr_heat_planning p)
{
    switch (p) {
    case DR_HEAT_PLAN_MEASURE: return FFTW_MEASURE;
    case DR_HEAT_PLAN_PATIENT: return FFTW_PATIENT;
    case DR_HEAT_PLAN_ESTIMATE: break;
    }
    return FFTW_ESTIMATE;
}

void dr_heat_plan_free(dr_heat_plan *p)
{
    if (!p) return;
    dr_quadgrid_free(&p->qg);
    for (int a = 0; a < 2; a++) {
        free(p->centre[a]);
        if (p->fft) dr_axis_fft_free(&p->ax[a]);
    }
    free(p->rowmax); free(p->wrow);
    free(p->L1); free(p->O1); free(p->A); free(p->D); free(p->W2); free(p->WC);
    free(p->colmax);
    free(p);
}

/* Kernel radius of the FFT engine on axis a: beyond K taps the Gaussian of the widest time
 * weighs at most e^-DR_HEAT_CUT / (number of y points), so the whole tail is below the cut. */
static size_t kernel_radius(const dr_heat_plan *p, int a)
{
    const dr_quadgrid *qg = &p->qg;
    double q = qg->hy[a] * qg->hy[a] / (2.0 * p->t_max / p->beta);
    double kk = sqrt((DR_HEAT_CUT + log((double)(qg->n[0] * qg->n[1]))) / q);
    return kk >= (double)(qg->n[a] - 1) ? qg->n[a] - 1 : (size_t)ceil(kk);
}

static int setup_fft(dr_heat_plan *p)
{
    const dr_quadgrid *qg = &p->qg;
    unsigned flags = fftw_rigour(p->opt.planning);
    p->fft = 1;
    int status = dr_axis_fft_init(&p->ax[0], qg->n[1], qg->n[0], kernel_radius(p, 0), qg->hy[0],
                                  0, 0, flags, p->opt.threads);
    if (!status && p->g.dim == 2)
        status = dr_axis_fft_init(&p->ax[1], p->g.n[0], qg->n[1], kernel_radius(p, 1),
                                  qg->hy[1], 1, 1, flags, p->opt.threads);
    if (status) return status;
    dr_axis_fft_load(&p->ax[0], p->wrow, NULL);
    return DR_SUCCESS;
}

/* Largest curvature of f over the y-grid: the landscape's bound where it has one, else the
 * largest second difference of the log-weights (a kink shows as 2 |jump in slope| / hy, which
 * is what the quadrature must resolve). It sets the coarse sub-grid of the exact fallback. */
static double fallback_curvature(const dr_landscape *f, const dr_grid *g, const dr_quadgrid *qg,
                                 double beta)
{
    /* over the whole y-grid, padding included: the sub-grid spans it */
    double lo[2] = {qg->y0[0], qg->y0[1]}, hi[2];
    for (int a = 0; a < 2; a++) hi[a] = qg->y0[a] + (double)(qg->n[a] - 1) * qg->hy[a];
    if (g->dim == 1) { lo[1] = g->lo[1]; hi[1] = g->hi[1]; }
    double C = dr_landscape_curvature_bound(f, lo, hi);
    if (isfinite(C)) return C > 0.0 ? C : 0.0;
    double cmax = 0.0;
    for (int ax = 0; ax < g->dim; ax++) {
        size_t step = ax == 0 ? 1 : qg->n[0], lines = qg->n[1 - ax], len = qg->n[ax];
        size_t lstep = ax == 0 ? qg->n[0] : 1;
        double m = 0.0;
        for (size_t l = 0; l < lines; l++)
            for (size_t k = 1; k + 1 < len; k++) {
                const double *a = qg->a + l * lstep + k * step;
                double d2 = 2.0 * a[0] - a[-(ptrdiff_t)step] - a[step];
                if (isfinite(d2) && d2 > m) m = d2;
            }
        m /= beta * qg->hy[ax] * qg->hy[ax];
        if (m > cmax) cmax = m;
    }
    return cmax;
}

/* Stride of the fallback's sub-grid on axis a at time t: spacing below the Gibbs width
 * w = sqrt(t/beta)/sqrt(1 + tC) as far as the tolerance allows; 1 (the y-grid) where the
 * padding was capped, since the integrand is then cut off at the ends and only the y-grid's own
 * sum is the reference. */
static size_t fallback_stride(const dr_heat_plan *p, int a, double t)
{
    const dr_quadgrid *qg = &p->qg;
    if (qg->margin_capped) return 1;
    /* The kink correction (heat_kinks.c) replaces the y-grid's own trapezoid sum near each
     * breakpoint; a coarser sub-grid's sum there would be O(H^2) off and left uncorrected. */
    if (qg->kinks) return 1;
    double w = sqrt(t / p->beta) / sqrt(1.0 + t * p->curvature);
    /* The trapezoid rule on spacing H errs by at most 2 exp(-2 pi^2 w^2 / H^2) of the sum
     * (fallback_err, reported): the coarsest sub-grid whose error is a hundredth of the
     * tolerance per axis, e = 0.01 beta tol / dim, has H = pi w sqrt(2 / log(2 / e)), and
     * never coarser than w (e = 5e-9). At tol = 1e-10, beta = 10..100: H = 0.86..0.90 w, a
     * fifth fewer taps than the y-grid's own 0.7 w. */
    double e = 0.01 * p->beta * p->opt.tol / p->g.dim;
    double H = e < 2.0 * exp(-2.0 * M_PI * M_PI) ? M_PI * w * sqrt(2.0 / log(2.0 / e)) : w;
    double r = floor(H / qg->hy[a]), cap = (double)(qg->n[a] / 64);
    if (r > cap) r = cap;
    /* long strides a multiple of the fallback's block (shorter is as exact), so that blocks
     * S apart line up and the 1-D sweep can walk down the sub-grids (heat_axis.c) */
    if (r >= 8.0 * DR_COARSE_BLOCK) r = DR_COARSE_BLOCK * floor(r / DR_COARSE_BLOCK);
    return r >= 1.0 ? (size_t)r : 1;
}

/* The fallback's cut on axis a: a centre drops the terms below e^-cut of its largest, at most
 * one per node of its sub-grid (M of them), so its sum loses at most M e^-cut of itself, u
 * M e^-cut / beta. Deep enough for a hundredth of the tolerance per axis, as the sub-grid's
 * own error (fallback_stride), and for the offset's tolerance off_tol over offsets as long as
 * the line; never deeper than DR_HEAT_CUT. At tol = 1e-10 on 1024^2, beta = 10..100: 29-31,
 * a fifth fewer taps than 45 (the window grows as the root of the cut). */
static double fallback_cut(const dr_heat_plan *p, int a, size_t S, double t)
{
    const dr_quadgrid *qg = &p->qg;
    double M = (double)(qg->n[a] / S + 1), length = (double)qg->n[a] * qg->hy[a];
    double e = 0.01 * p->beta * p->opt.tol / p->g.dim, e_off = 1e-3 * (1e3 * p->opt.tol * t);
    if (e_off / length < e) e = e_off / length;
    double cut = log(M / e);
    return cut < DR_HEAT_CUT ? cut : DR_HEAT_CUT;
}

/* The fallback's relative error bound on one axis: the trapezoid rule on its sub-grid at the
 * Gibbs width (as heat_quadgrid.c's on the y-grid), and what the axis measured (aliasing of
 * features the width misses, dropped terms): part of the execution's error estimate. */
static double fallback_err(const dr_heat_plan *p, const dr_axis_stats *st, double t)
{
    double w = sqrt(t / p->beta) / sqrt(1.0 + t * p->curvature), H = st->fallback_H;
    return st->fallback_rel + (H > 0.0 ? 2.0 * exp(-2.0 * M_PI * M_PI * w * w / (H * H)) : 0.0);
}

int dr_heat_plan_alloc(dr_heat_plan **out, const dr_landscape *f, const dr_grid *g, double beta,
                       double t_min, double t_max, const dr_heat_options *opt)
{
    DR_CHECK_PTRS(out, f, g);
    *out = NULL;
    if (opt && (opt->planning < DR_HEAT_PLAN_ESTIMATE || opt->planning > DR_HEAT_PLAN_PATIENT))
        return dr_error(DR_EINVAL, "unknown FFT planning level %d", (int)opt->planning);
    if (!(beta > 0.0) || !isfinite(beta))
        return dr_error(DR_EINVAL, "beta must be positive and finite for the heat solver "
                        "(got %g; use Hopf-Lax for beta = inf)", beta);
    if (!(t_min > 0.0) || !isfinite(t_max) || !(t_max >= t_min))
        return dr_error(DR_EINVAL, "times must satisfy 0 < t_min <= t_max < inf (got %g, %g)",
                        t_min, t_max);
    if (g->dim != dr_landscape_dim(f))
        return dr_error(DR_EINVAL, "the grid is %d-D but the landscape is %d-D", g->dim,
                        dr_landscape_dim(f));
    dr_heat_plan *p = calloc(1, sizeof *p);
    if (!p) return dr_error(DR_ENOMEM, "out of memory");
    p->g = *g;
    p->beta = beta; p->t_min = t_min; p->t_max = t_max;
    p->opt.engine = DR_HEAT_AUTO;
    p->opt.tol = 1e-10;
    p->opt.planning = DR_HEAT_PLAN_ESTIMATE;
    if (opt) {
        p->opt = *opt;
        if (!(p->opt.tol > 0.0)) p->opt.tol = 1e-10;
    }
    if (p->opt.engine == DR_HEAT_HYBRID) p->opt.engine = DR_HEAT_AUTO;
    if (p->opt.threads <= 0) p->opt.threads = omp_get_max_threads();

    int status = dr_quadgrid_build(&p->qg, f, g, beta, t_min, t_max, p->opt.threads);
    if (status) { free(p); return status; }
    const dr_quadgrid *qg = &p->qg;
    size_t n0 = g->n[0], ny0 = qg->n[0], ny1 = qg->n[1];
    int ok = 1;
    for (int a = 0; a < g->dim; a++) {
        p->centre[a] = malloc(g->n[a] * sizeof *p->centre[a]);
        ok = ok && p->centre[a];
        for (size_t i = 0; ok && i < g->n[a]; i++)
            p->centre[a][i] = qg->margin[a] + i * (size_t)qg->refine;
    }
    p->rowmax = malloc(ny1 * sizeof *p->rowmax);
    p->wrow = malloc(ny0 * ny1 * sizeof *p->wrow);
    p->L1 = malloc(ny1 * n0 * sizeof *p->L1);
    p->O1 = malloc(ny1 * n0 * sizeof *p->O1);
    ok = ok && p->rowmax && p->wrow && p->L1 && p->O1;
    if (g->dim == 2) {
        size_t cols = n0 * ny1;
        p->A = malloc(cols * sizeof *p->A);
        p->D = malloc(cols * sizeof *p->D);
        p->W2 = malloc(cols * sizeof *p->W2);
        p->WC = malloc(cols * sizeof *p->WC);
        p->colmax = malloc(n0 * sizeof *p->colmax);
        ok = ok && p->A && p->D && p->W2 && p->WC && p->colmax;
    }
    if (!ok) {
        dr_heat_plan_free(p);
        return dr_error(DR_ENOMEM, "out of memory");
    }
    double amin = INFINITY;
    for (size_t k = 0; k < ny0 * ny1; k++)
        if (qg->a[k] < amin) amin = qg->a[k];
    p->narrow = amin >= -DR_HEAT_RANGE;
    p->curvature = fallback_curvature(f, g, qg, beta);
    for (size_t j = 0; j < ny1; j++) {
        const double *a = qg->a + j * ny0;
        double m = -INFINITY;
        for (size_t i = 0; i < ny0; i++)
            if (a[i] > m) m = a[i];
        /* A row where f = +inf throughout (a padding row beyond a wall) weighs nothing: keep
         * its maximum finite so that exp(a - max) is 0, not NaN. */
        if (m == -INFINITY) m = -DBL_MAX;
        p->rowmax[j] = m;
        for (size_t i = 0; i < ny0; i++) p->wrow[j * ny0 + i] = exp(a[i] - m);
    }
    if (p->opt.engine != DR_HEAT_LOGSUM) {
        status = setup_fft(p);
        if (status) { dr_heat_plan_free(p); return status; }
    }
    *out = p;
    return DR_SUCCESS;
}

/* Window length (nodes of ct's sub-grid) from which the exact sums skip the rows that cannot
 * matter: four times the Gibbs measure's extent, 2 sqrt(2 cut) w / H + 1 nodes for its width
 * w = sqrt(t/beta)/sqrt(1 + tC). Where f's curvature makes w far narrower than the kernel
 * (rugged f, large beta), windows bounded by the kernel alone are many times longer. */
static size_t sparse_rows(const dr_heat_plan *p, const dr_coarse_table *ct, double t)
{
    double w = sqrt(t / p->beta) / sqrt(1.0 + t * p->curvature);
    double rows = 4.0 * (2.0 * sqrt(2.0 * ct->cut) * w / ct->H + 1.0);
    return rows < 1e15 ? (size_t)ceil(rows) : SIZE_MAX;
}

/* Gaussian tables of both axes for time t (fast path of the log domain) and the fallback's
 * coarse tables. A table that cannot be allocated is left empty: its lines then take the
 * exp-per-tap path (and a missing coarse table the fine-grid fallback). */
static void tables_init(const dr_heat_plan *p, double t, dr_gauss_table tab[2],
                        dr_coarse_table ct[2])
{
    const dr_quadgrid *qg = &p->qg;
    memset(tab, 0, 2 * sizeof *tab);
    memset(ct, 0, 2 * sizeof *ct);
    for (int a = 0; a < p->g.dim; a++) {
        double q = qg->hy[a] * qg->hy[a] / (2.0 * t / p->beta);
        if (p->opt.engine == DR_HEAT_LOGSUM || !p->fft) {
            if (dr_gauss_table_init(&tab[a], q, qg->hy[a], qg->n[a]))
                tab[a] = (dr_gauss_table){.q = q, .h = qg->hy[a]};
        } else {
            tab[a] = (dr_gauss_table){.q = q, .h = qg->hy[a]};
            size_t S = fallback_stride(p, a, t);
            if (dr_coarse_table_init(&ct[a], q, qg->hy[a], S, qg->n[a], fallback_cut(p, a, S, t)))
                continue;
            ct[a].sparse_rows = sparse_rows(p, &ct[a], t);
        }
    }
}

/* Pass 2's inputs for output column i: the pass-1 log-sums A along y, renormalised by their
 * maximum, and (for the gradient) the carried x-offsets D times those weights. */
static void column_weights(dr_heat_plan *p, int carry)
{
    size_t ny1 = p->qg.n[1];
    #pragma omp parallel for schedule(static) num_threads(p->opt.threads)
    for (size_t i = 0; i < p->g.n[0]; i++) {
        const double *A = p->A + i * ny1, *D = p->D + i * ny1;
        double m = -INFINITY;
        for (size_t l = 0; l < ny1; l++)
            if (A[l] > m) m = A[l];
        p->colmax[i] = m;
        double *W = p->W2 + i * ny1;
        /* below e^-708 a weight is far under every cut (e^-45 of the column's largest) and
         * exp's special case for results that leave the normal range costs a scalar call: such
         * exponents are held at -708 (a weight of 3e-308 instead of less); a wall's -inf
         * stays (its weight is exactly 0) */
        for (size_t l = 0; l < ny1; l++) {
            double d = A[l] - m;
            W[l] = d > -708.0 || d == -INFINITY ? d : -708.0;
        }
        dr_vexp(W, W, ny1);
        if (carry)
            for (size_t l = 0; l < ny1; l++) p->WC[i * ny1 + l] = D[l] * W[l];
    }
}

/* The same from pass 1's plain values V = exp(A - rowmax) when the grid's range is narrow:
 * exp(A) = V exp(rowmax) >= e^-RANGE never underflows (max a = 0), so the renormalisation is
 * a product and a division, with one log per column instead of an exp and a log per value. */
static void column_weights_linear(dr_heat_plan *p, int carry)
{
    size_t ny1 = p->qg.n[1];
    double *E = malloc(ny1 * sizeof *E);
    if (!E) {
        /* fall back: turn the values into log-sums and take the general path */
        for (size_t k = 0; k < p->g.n[0] * ny1; k++)
            p->A[k] = log(p->A[k]) + p->rowmax[k % ny1];
        column_weights(p, carry);
        return;
    }
    for (size_t l = 0; l < ny1; l++) E[l] = exp(p->rowmax[l]);
    #pragma omp parallel for schedule(static) num_threads(p->opt.threads)
    for (size_t i = 0; i < p->g.n[0]; i++) {
        const double *V = p->A + i * ny1, *D = p->D + i * ny1;
        double *W = p->W2 + i * ny1;
        double m = 0.0;
        for (size_t l = 0; l < ny1; l++) {
            W[l] = V[l] * E[l];
            if (W[l] > m) m = W[l];
        }
        double inv = 1.0 / m;
        for (size_t l = 0; l < ny1; l++) {
            W[l] *= inv;
            if (carry) p->WC[i * ny1 + l] = D[l] * W[l];
        }
        p->colmax[i] = log(m);
    }
    free(E);
}

/* dst[c * rows + r] = src[r * cols + c], in tiles so that both sides stay in cache: the
 * passes hand lines to each other across the grid's two axes. */
static void transpose(const double *src, size_t rows, size_t cols, double *dst, int threads)
{
    enum { TILE = 32 };
    #pragma omp parallel for schedule(static) num_threads(threads)
    for (size_t r0 = 0; r0 < rows; r0 += TILE)
        for (size_t c0 = 0; c0 < cols; c0 += TILE)
            for (size_t c = c0; c < c0 + TILE && c < cols; c++)
                for (size_t r = r0; r < r0 + TILE && r < rows; r++)
                    dst[c * rows + r] = src[r * cols + c];
}

/* Pass 1's results per row (L1, O1) into per-column lines for pass 2 (A, D). */
static void transpose_pass1(dr_heat_plan *p, int grad)
{
    size_t n0 = p->g.n[0], ny1 = p->qg.n[1];
    transpose(p->L1, ny1, n0, p->A, p->opt.threads);
    if (grad) transpose(p->O1, ny1, n0, p->D, p->opt.threads);
}

/* The FFT engine; strict (AUTO) recomputes every value that misses the tolerance. */
static void fft_execute(dr_heat_plan *p, double t, const dr_gauss_table tab[2],
                        const dr_coarse_table ct[2], double *u, double *grad, dr_heat_report *rep)
{
    const dr_quadgrid *qg = &p->qg;
    int dim = p->g.dim, strict = p->opt.engine == DR_HEAT_AUTO;
    size_t n0 = p->g.n[0], n1 = p->g.n[1], size = dr_grid_size(&p->g);
    double s = t / p->beta;
    /* The u tolerance is shared by the passes; the gradient's is 1e3 times looser (an offset
     * error e moves the gradient by e/t). */
    double rel_tol = p->beta * p->opt.tol / dim, off_tol = 1e3 * p->opt.tol * t;
    dr_axis_stats st1 = {0}, st2 = {0};

    /* In 2-D each pass writes its results straight into the layout the next step reads:
     * pass 1 (lines = y-rows, centres = x) into per-column lines A, D; pass 2 (lines = columns,
     * centres = y) into u and grad, x fastest. */
    int linear = dim == 2 && p->narrow;
    dr_axis_job pass1 = {.a = qg->a, .amax = p->rowmax, .w = p->wrow, .centre = p->centre[0],
                         .ncentre = n0, .L = dim == 2 ? p->A : p->L1,
                         .off = grad ? (dim == 2 ? p->D : p->O1) : NULL, .linear = linear,
                         .lstride = dim == 2 ? 1 : 0, .cstride = dim == 2 ? qg->n[1] : 0};
    dr_axis_run(&p->ax[0], &pass1, qg->hy[0] * qg->hy[0] / (2.0 * s), &tab[0],
                ct[0].g ? &ct[0] : NULL, strict, rel_tol, off_tol, &st1);
    double lognorm = 0.0;
    for (int a = 0; a < dim; a++)
        lognorm += log(qg->hy[a] / sqrt(2.0 * M_PI * s));

    int nt = p->opt.threads;
    if (dim == 1) {
        #pragma omp parallel for schedule(static) num_threads(nt)
        for (size_t i = 0; i < n0; i++) {
            u[i] = qg->fref - (p->L1[i] + lognorm) / p->beta;
            if (grad) grad[i] = p->O1[i] / t;
        }
    } else {
        if (linear) column_weights_linear(p, grad != NULL);
        else column_weights(p, grad != NULL);
        dr_axis_job pass2 = {.a = linear ? NULL : p->A, .amax = p->colmax, .w = p->W2,
                             .carry = grad ? p->D : NULL, .wc = grad ? p->WC : NULL,
                             .centre = p->centre[1], .ncentre = n1, .L = u,
                             .off = grad ? grad + size : NULL, .carried = grad,
                             .lstride = 1, .cstride = n0, .transform = 1,
                             .noise = st1.worst + (st1.fixed ? fallback_err(p, &st1, t) : 0.0)};
        dr_axis_run(&p->ax[1], &pass2, qg->hy[1] * qg->hy[1] / (2.0 * s), &tab[1],
                    ct[1].g ? &ct[1] : NULL, strict, rel_tol, off_tol, &st2);
        #pragma omp parallel for schedule(static) num_threads(nt)
        for (size_t k = 0; k < size; k++) u[k] = qg->fref - (u[k] + lognorm) / p->beta;
        if (grad) {
            #pragma omp parallel for schedule(static) num_threads(nt)
            for (size_t k = 0; k < 2 * size; k++) grad[k] /= t;
        }
    }
    rep->log_points = st1.fixed + st2.fixed;
    rep->log_taps = st1.taps + st2.taps;
    rep->lines = st1.lines + st2.lines;
    rep->exact_lines = st1.exact_lines + st2.exact_lines;
    rep->clamped_points = st1.clamped + st2.clamped;
    rep->est_error = (st1.worst + st2.worst) / p->beta;
    if (st1.fixed) rep->est_error += fallback_err(p, &st1, t) / p->beta;
    if (st2.fixed) rep->est_error += fallback_err(p, &st2, t) / p->beta;
    rep->engine = rep->log_points ? DR_HEAT_HYBRID : DR_HEAT_FFT;
}

/* The log-domain engine at every output point. */
static size_t log_execute(dr_heat_plan *p, double t, const dr_gauss_table tab[2], double *u,
                          double *grad)
{
    const dr_quadgrid *qg = &p->qg;
    int dim = p->g.dim;
    size_t n0 = p->g.n[0], n1 = p->g.n[1], size = dr_grid_size(&p->g);
    size_t ny0 = qg->n[0], ny1 = qg->n[1], taps = 0;
    double s = t / p->beta, lognorm = 0.0;
    for (int a = 0; a < dim; a++)
        lognorm += log(qg->hy[a] / sqrt(2.0 * M_PI * s));

    /* Pass 1 along x in every y-row (in 1-D the only pass), into L1/O1 per row. */
    #pragma omp parallel for schedule(dynamic, 4) num_threads(p->opt.threads) reduction(+ : taps)
    for (size_t l = 0; l < ny1; l++) {
        const double *a = qg->a + l * ny0, *w = p->wrow + l * ny0;
        for (size_t i = 0; i < n0; i++) {
            size_t win;
            p->L1[l * n0 + i] = dr_heat_line_sum(&tab[0], w, NULL, a, ny0, p->rowmax[l],
                                                 p->centre[0][i], NULL, &p->O1[l * n0 + i], NULL,
                                                 &win);
            taps += win;
        }
    }
    if (dim == 1) {
        for (size_t i = 0; i < n0; i++) {
            u[i] = qg->fref - (p->L1[i] + lognorm) / p->beta;
            if (grad) grad[i] = p->O1[i] / t;
        }
        return taps;
    }
    /* Pass 2 along y in each output column, carrying the x-offset means of pass 1. */
    transpose_pass1(p, 1);
    column_weights(p, 1);
    #pragma omp parallel for schedule(dynamic, 4) num_threads(p->opt.threads) reduction(+ : taps)
    for (size_t i = 0; i < n0; i++) {
        const double *A = p->A + i * ny1, *D = p->D + i * ny1;
        const double *w = p->W2 + i * ny1, *wc = p->WC + i * ny1;
        for (size_t j = 0; j < n1; j++) {
            size_t k = j * n0 + i, win;
            double off1, off0;
            double L = dr_heat_line_sum(&tab[1], w, wc, A, ny1, p->colmax[i], p->centre[1][j], D,
                                        &off1, &off0, &win);
            taps += win;
            u[k] = qg->fref - (L + lognorm) / p->beta;
            if (grad) {
                grad[k] = off0 / t;
                grad[size + k] = off1 / t;
            }
        }
    }
    return taps;
}

/* Index of the first non-finite value of v[n], n if none. */
static size_t first_nonfinite(const double *v, size_t n, int threads)
{
    /* x * 0 is NaN exactly where x is not finite: one vectorised sum says whether to look (the
     * search's compare-and-index loop does not vectorise) */
    double probe = 0.0;
    #pragma omp parallel for simd schedule(static) num_threads(threads) reduction(+ : probe)
    for (size_t k = 0; k < n; k++) probe += v[k] * 0.0;
    if (!isnan(probe)) return n;
    size_t first = n;
    #pragma omp parallel for schedule(static) num_threads(threads) reduction(min : first)
    for (size_t k = 0; k < n; k++)
        if (!isfinite(v[k]) && k < first) first = k;
    return first;
}

/* The quadrature's own part of the report, after the engines: the correction across f's kinks
 * and knots (heat_kinks.c), its error bound, and why none holds where that is so. The bound's
 * aliasing check costs more than the FFT itself (an exp per tap), so it runs only when the
 * caller asked for the report (`bound`). */
static int heat_kinks_and_bound(dr_heat_plan *p, double t, double *u, double *grad,
                                dr_heat_report *rep, int bound)
{
    double kink_roundoff;
    int status = dr_kinkfix_apply(p->qg.kinks, &p->g, p->beta, p->qg.fref, t, u, grad,
                                  &kink_roundoff);
    if (status || !bound) return status;
    rep->est_error += kink_roundoff;
    rep->breakpoints = dr_kinkfix_breakpoints(p->qg.kinks);
    if (!isfinite(rep->est_error))
        rep->unbounded = "the fft engine lost values to round-off (--engine auto recomputes "
                         "them exactly)";
    double alias = dr_alias_estimate(&p->qg, &p->g, p->beta, t);
    rep->est_error += p->qg.quad_err_u + alias +
                      dr_heat_roundoff(u, dr_grid_size(&p->g), p->qg.fref);
    if (!rep->unbounded) rep->unbounded = p->qg.unbounded;
    if (p->qg.margin_capped) {
        /* the Gibbs terms beyond the capped padding are cut off, and none of the terms above
         * bounds what they carry (at beta = 1e-10 on quad they move u by 32%) */
        rep->est_error = INFINITY;
        if (!rep->unbounded)
            rep->unbounded = "the padding beyond the box hit its size cap before the Gibbs terms "
                             "beyond it became negligible (beta is too small for this box and t)";
    }
    if (!rep->unbounded && !isfinite(alias))
        rep->unbounded = "the y-grid does not resolve f's own features (the trapezoid and "
                         "midpoint rules disagree completely)";
    return DR_SUCCESS;
}

int dr_heat_execute(dr_heat_plan *p, double t, double *u, double *grad, dr_heat_report *rep)
{
    DR_CHECK_PTRS(p, u);
    if (!(t >= p->t_min * (1.0 - 1e-12)) || !(t <= p->t_max * (1.0 + 1e-12)))
        return dr_error(DR_EINVAL, "t = %g is outside the plan's range [%g, %g]", t, p->t_min,
                        p->t_max);
    size_t size = dr_grid_size(&p->g);
    dr_heat_report report = {0};
    report.refine = p->qg.refine;
    report.margin = (double)p->qg.margin[0] * p->qg.hy[0];
    report.quad_points[0] = p->qg.n[0];
    report.quad_points[1] = p->qg.n[1];
    report.margin_capped = p->qg.margin_capped;
    for (int a = 0; a < p->g.dim && p->fft; a++) report.fft_size[a] = p->ax[a].N;

    dr_gauss_table tab[2];
    dr_coarse_table ct[2];
    tables_init(p, t, tab, ct);
    if (p->opt.engine == DR_HEAT_LOGSUM) {
        report.log_taps = log_execute(p, t, tab, u, grad);
        report.engine = DR_HEAT_LOGSUM;
        report.log_points = size;
    } else {
        fft_execute(p, t, tab, ct, u, grad, &report);
    }
    for (int a = 0; a < 2; a++) {
        dr_gauss_table_free(&tab[a]);
        dr_coarse_table_free(&ct[a]);
    }
    /* The quadrature's own error (the trapezoid rule at the narrowest Gibbs feature), beside
     * the engines' round-off: large only when the refinement hit its cap. */
    report.refine_capped = p->qg.refine_capped;
    if (heat_kinks_and_bound(p, t, u, grad, &report, rep != NULL)) return DR_ENUMERIC;
    size_t bad = first_nonfinite(u, size, p->opt.threads);
    if (bad < size)
        return dr_error(DR_ENUMERIC, "non-finite u at output point %zu (t = %g)", bad, t);
    size_t gsize = (size_t)p->g.dim * size;
    bad = grad ? first_nonfinite(grad, gsize, p->opt.threads) : gsize;
    if (bad < gsize)
        return dr_error(DR_ENUMERIC, "non-finite gradient at output point %zu (t = %g)",
                        bad % size, t);
    if (rep) *rep = report;
    return DR_SUCCESS;
}
