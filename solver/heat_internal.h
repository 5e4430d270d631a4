/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Internal pieces of the Cole-Hopf solver shared by heat.c (plans, FFT engine), heat_logsum.c
 * (log-domain engine) and heat_quadgrid.c (the y-grid: refinement and padding).
 *
 * Notation: the quadrature runs over a uniform y-grid per axis, spacing hy[a] = h[a]/refine, that
 * contains every output point (output i on axis a sits at y-index margin[a] + i*refine) and extends
 * `margin` points beyond the box. On it we keep the log-weights a(y) = -beta (f(y) - fref),
 * fref = min f over the y-grid, so a <= 0 everywhere. The Gaussian of variance s = t/beta enters as
 * exp(-q d^2) with d the index offset and q = hy^2/(2s). */
#ifndef DEEPRELAX_HEAT_INTERNAL_H
#define DEEPRELAX_HEAT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <fftw3.h>
#include "deeprelax/grid.h"
#include "deeprelax/landscape.h"

/* The negligible log-weight, the one cut of every Gibbs sum of the library (the heat engines'
 * windows, the FFT kernel radius, the Gibbs moments, the particles' reference Gibbs mean): a term
 * whose log-weight is this far below the largest is dropped. e^-45 = 2.9e-20, so even a million
 * dropped terms move a sum by less than 3e-14 of its value (u by 3e-14/beta), whatever beta. */
#define DR_HEAT_CUT 45.0

typedef struct {
    int dim;
    size_t n[2];       /* y-points per axis */
    double y0[2];      /* first y per axis */
    double hy[2];      /* spacing per axis */
    size_t margin[2];  /* y-points beyond the box per side */
    int refine;        /* hy = h / refine on both axes */
    double fref;       /* min f over the y-grid */
    double *a;         /* -beta (f - fref), n[0]*n[1] values, axis 0 fastest; -inf where f = +inf */
    int margin_capped;
    int refine_capped; /* the refinement the Gibbs integrand needs exceeded the cap */
    double quad_err;   /* the trapezoid rule's relative error bound at the narrowest feature */
    double quad_err_u; /* the bound it implies on u (per-axis sum; +inf: none holds) */
    const char *unbounded; /* NULL, or why no error bound holds (then quad_err_u = +inf) */
    struct dr_kinkfix *kinks; /* 1-D: the correction across f's breakpoints (heat_kinks.c) */
    double *amid[2];   /* the alias check's midpoint log-weights per axis (heat_alias.c) */
    double *wsmooth[2];/* its (1 - psi) factors at the grid points and midpoints (1-D) */
    double alias_t, alias_value; /* the check's last time and result (a plan built at t_min
                                    and executed at t_min checks once) */
    int threads;       /* OpenMP threads of the set-up's line sweeps and of the alias check */
} dr_quadgrid;

/* Chooses refinement and padding for landscape f, output grid g, beta and times [t_min, t_max],
 * samples f and fills qg, on `threads` OpenMP threads (<= 0: all available). */
int dr_quadgrid_build(dr_quadgrid *qg, const dr_landscape *f, const dr_grid *g, double beta,
                      double t_min, double t_max, int threads);
void dr_quadgrid_free(dr_quadgrid *qg);

/* The window of a Gaussian-weighted log-sum-exp along a line of log-weights a[k*stride], k < n,
 * around centre index c: scanning outward from c and keeping the largest exponent
 * a_k - q (k - c)^2 seen so far (returned), the scan stops on each side where even amax (>= every
 * a_k) minus the Gaussian falls DR_HEAT_CUT below it, so every term outside [*lo, *hi] is below
 * e^-DR_HEAT_CUT of the line's largest. Returns -INFINITY when every weight in it is 0 (walls). */
double dr_logsum_window(const double *a, size_t stride, size_t n, double amax, size_t c,
                        double q, size_t *lo, size_t *hi);

/* One log-domain sum along a line of log-weights a[k*stride], k < n, around centre index c:
 *     L = log sum_k exp(a_k - q (k - c)^2),
 * with the offset moment  off = sum_k (c - k) h p_k  (p_k the normalised weights; h the spacing)
 * and, if carry != NULL, the carried average  *carried = sum_k carry[k*cstride] p_k.
 * amax must be >= every a_k (it bounds the window scan). Returns L; -INFINITY if every weight is 0.
 * *window receives the number of terms scanned (the cost measure of the benchmarks). */
double dr_logsum_line(const double *a, size_t stride, size_t n, double amax, size_t c, double q,
                      double h, double *off, const double *carry, size_t cstride, double *carried,
                      size_t *window);

/* The fast path of the log-domain engine. Along a line whose log-weights a_k lie within
 * DR_HEAT_RANGE of their maximum amax at the centre, w_k = exp(a_k - amax) cannot underflow where
 * it matters (any term lost to underflow is below e^-(745-RANGE) of the centre's own term), so the
 * sum is a plain positive dot product with a tabulated Gaussian: no exp per tap, no cancellation,
 * full relative precision however small the sum. */
#define DR_HEAT_RANGE 600.0

typedef struct {
    double q, h;      /* exp(-q d^2), spacing */
    size_t dmax;      /* table length - 1 */
    double *g;        /* g[d] = exp(-q d^2) */
    double *gz;       /* gz[d] = d h g[d] */
} dr_gauss_table;

/* Table for offsets up to the distance where exp(-q d^2) < e^-(RANGE + CUT), capped at n - 1. */
int dr_gauss_table_init(dr_gauss_table *tab, double q, double h, size_t n);
void dr_gauss_table_free(dr_gauss_table *tab);

/* The same sum as dr_logsum_line, on precomputed w[k] = exp(a_k - amax) (contiguous) and, if
 * wc != NULL, wc[k] = carry_k w[k]. Valid when amax - a_c <= DR_HEAT_RANGE; returns NAN
 * otherwise (the caller then uses dr_logsum_line). */
double dr_gauss_line(const dr_gauss_table *tab, const double *w, const double *wc, size_t n,
                     double amax, double a_c, size_t c, double *off, double *carried,
                     size_t *window);

/* One line sum by whichever engine applies: the tabulated path on w (and wc) when the line's
 * range allows, else the exp-per-tap window on the log-weights a (and carry); a may be NULL,
 * then it is rebuilt from w where needed. */
double dr_heat_line_sum(const dr_gauss_table *tab, const double *w, const double *wc,
                        const double *a, size_t n, double amax, size_t c, const double *carry,
                        double *off, double *carried, size_t *window);

/* The FFT engine's exact fallback on the coarse sub-grid the Gibbs integrand needs (see
 * heat_coarse.c): centre c sums over the fine y-indices c + jS, |j| <= J. */
typedef struct {
    size_t S, J;       /* stride on the fine y-grid; table half-length */
    double q, H, logS; /* exp(-q j^2) per node offset j; coarse spacing S hy; log S */
    double inv_S;      /* 1 / S, for the index divisions of the hot path (heat_coarse.c) */
    double cut, ecut;  /* terms below e^-cut of a centre's largest are dropped (cut <=
                          DR_HEAT_CUT, set by the tolerance: heat.c's fallback_cut); e^-cut */
    double *g, *gz;    /* g[J + j] = exp(-q j^2); gz[J + j] = -j H g[J + j] */
    double *gm;        /* gm[J + 1 + j] = exp(-q (j + d)^2), j = -J - 1 .. J, d = floor(S/2)/S:
                          the shifted rule of dr_coarse_alias */
    size_t sparse_rows; /* windows of at least this many nodes are summed only where they can
                           matter (heat_coarse.c); SIZE_MAX (init's default): never */
} dr_coarse_table;

int dr_coarse_table_init(dr_coarse_table *ct, double q, double hy, size_t S, size_t n,
                         double cut);
void dr_coarse_table_free(dr_coarse_table *ct);

/* One line for the fallback: its weights (and carried weights) in place, and the running
 * maxima of w along each sub-grid from the left and right; per-thread scratch, reused. */
typedef struct {
    size_t cap, n;
    size_t n_nodes, n_rest; /* n / S and n % S: phase p has n_nodes + (p < n_rest) nodes */
    int has_logs, has_bmax;
    const double *w, *wc;
    double *pre, *suf, *logs;
    double *bmax, *tmp; /* bmax[k]: the largest of w[k + j S], j < DR_COARSE_BLOCK (on the
                           line), made on first use; tmp: scratch of its build */
    size_t bmax_cap;
} dr_coarse_line;

int dr_coarse_line_load(dr_coarse_line *cl, const dr_coarse_table *ct, const double *w,
                        const double *wc, size_t n, int threads);
void dr_coarse_line_free(dr_coarse_line *cl);

/* The same sums as dr_logsum_line at nb <= DR_COARSE_BLOCK centres c0 + i step (y-indices) of
 * the loaded line, on the coarse sub-grid: per centre the offset moment (off may be NULL: not
 * computed) and the carried mean (carried may be NULL), and the sum either as
 * lin[i] = exp(L - amax) (L[i] then holds nothing to read; saves a log and an exp where the
 * caller wants the linear value) or, on the exp-per-tap path, as L[i] (lin[i] = NAN). a (fine
 * log-weights) and carry
 * may be NULL. hint[DR_COARSE_HINT], updated along a sweep (DR_COARSE_HINT_START to begin
 * one): the previous centre's argmax (SIZE_MAX: none) and window, and the last block window
 * found, its drift and age (heat_coarse.c's block_window). Returns 1 when every centre's sum
 * came as lin (none took the exp-per-tap path), else 0. */
#define DR_COARSE_BLOCK 8
#define DR_COARSE_HINT 9
#define DR_COARSE_HINT_START {SIZE_MAX, 0, 0, SIZE_MAX, 0, 0, 0, 0, 0}
/* hint[DR_COARSE_HINT_AGE]: blocks summed on predicted windows since the last search */
#define DR_COARSE_HINT_AGE 5
int dr_coarse_block(dr_coarse_line *cl, const dr_coarse_table *ct, const double *a,
                    const double *carry, double amax, size_t c0, size_t step, size_t nb,
                    size_t *hint, double *lin, double *L, double *off, double *carried,
                    size_t *taps);

/* The sub-grid's measured aliasing at centre c of the loaded line: |T - M| / T of its
 * trapezoid and shifted rules (heat_coarse.c); hint as dr_coarse_block's. */
double dr_coarse_alias(dr_coarse_line *cl, const dr_coarse_table *ct, const double *a,
                       double amax, size_t c, size_t *hint);

/* Lines per thread and block on the fused path (heat_axis.c): a block's results leave in
 * whole cache lines when the output is column-major. */
#define DR_AXIS_BLOCK 8

/* One axis of the FFT engine: `lines` lines of n weights, each zero-padded to N >= n + K and
 * convolved with the sampled Gaussian exp(-q d^2), |d| <= K, and with its first moment
 * d h exp(-q d^2): a line per thread with per-line plans where there are as many lines as
 * threads, else batched transforms on every thread. A line set that does not depend on t (the
 * first axis) keeps its spectra and is transformed once; one that changes every run (per_run)
 * is transformed where it is used. */
typedef struct {
    size_t N, H, K, lines, n;
    int threads;                /* for the transforms and the per-value loop */
    int carry;                  /* the lines carry values (wc, carried) */
    double hy;
    double *real;               /* lines x N */
    fftw_complex *wspec, *cspec, *spec;  /* lines x H: weights, carried weights, scratch */
    fftw_plan r2c_w, r2c_c, c2r;
    /* the fused path (as many lines as threads): one line at a time per thread, in cache */
    fftw_plan c2r_line, r2c_line; /* one line, executed on each thread's own scratch */
    size_t treal_stride, tspec_stride; /* per-thread scratch strides (64-byte aligned) */
    double *treal;              /* threads x treal_stride */
    fftw_complex *tspec;        /* threads x 3 x tspec_stride: product, w and wc spectra */
    double *tloc;               /* threads x 3 x DR_AXIS_BLOCK x n: a block's results (NULL
                                   with one line: its results are contiguous) */
    double *tkeep;              /* threads x a chunk of kept values (heat_axis.c) */
    double *kreal;              /* N */
    fftw_complex *kspec, *gspec, *zspec; /* H: kernel scratch, Gaussian, first moment */
    fftw_plan kplan;
    double *wsum, *csum;        /* per line: sum of w, sum of |carry w| */
    double *dv, *dn, *dc;       /* per line: absolute error bounds of the three convolutions */
    double qg, qz;              /* q of the kernel spectra in gspec, zspec (NAN: none yet) */
    unsigned char *fix;         /* lines x ncentre <= lines x n: values to recompute */
    unsigned char *exact;       /* per line: summed exactly at every centre, not transformed */
} dr_axis_fft;

/* per_run: the weights change with every run (dr_axis_job.transform): where the axis runs by
 * lines their spectra are not kept. */
int dr_axis_fft_init(dr_axis_fft *ax, size_t lines, size_t n, size_t K, double hy, int carry,
                     int per_run, unsigned flags, int threads);
void dr_axis_fft_free(dr_axis_fft *ax);
/* Transforms the weights w (lines x n) and, if the axis carries, wc (lines x n). */
void dr_axis_fft_load(dr_axis_fft *ax, const double *w, const double *wc);

/* What one axis computes: for every line and every centre c (a y-index), the log-sum
 * L = amax + log sum_k w_k exp(-q (k-c)^2), the offset mean off = sum (c-k) h p_k and, when the
 * line carries values, their mean carried = sum carry_k p_k. Outputs are lines x ncentre. */
typedef struct {
    const double *a, *amax, *w, *carry, *wc;  /* lines x n (amax: per line); carry may be NULL */
    const size_t *centre;
    size_t ncentre;
    double *L, *off, *carried;                 /* off may be NULL (no gradient) */
    size_t lstride, cstride;   /* output (line l, centre c) at l*lstride + c*cstride;
                                  0, 0 means lines x ncentre, centre fastest */
    int linear;                /* write exp(L - amax) (the value relative to the line's largest
                                  weight) instead of L; a may be NULL: lines are w alone */
    int transform;             /* w (and wc) change with every run: transformed here, one
                                  line at a time where the axis runs by lines, instead of
                                  spectra kept by dr_axis_fft_load */
    double noise;              /* the relative error w already carries (pass 2: pass 1's) */
} dr_axis_job;

typedef struct {
    size_t fixed, clamped, taps;
    size_t lines, exact_lines; /* lines run; of them, summed exactly at every centre */
    double fallback_rel;       /* where values were recomputed on a sub-grid: its measured
                                  aliasing and dropped terms, relative to the sums */
    double fallback_H;         /* that sub-grid's spacing (0: the y-grid itself) */
    double worst;   /* largest estimated relative error among the FFT values kept */
} dr_axis_stats;

/* Runs one axis. strict: values whose estimated relative error exceeds rel_tol (or offsets
 * beyond off_tol) are recomputed exactly, by dr_coarse_sum on ct (by dr_heat_line_sum on tab
 * where ct is NULL or its scratch cannot be allocated); otherwise only values that are not
 * positive are replaced, by the noise floor, and counted as clamped. */
void dr_axis_run(dr_axis_fft *ax, const dr_axis_job *job, double q, const dr_gauss_table *tab,
                 const dr_coarse_table *ct, int strict, double rel_tol, double off_tol,
                 dr_axis_stats *stats);

#endif
