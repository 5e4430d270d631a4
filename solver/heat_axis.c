/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The FFT engine of the Cole-Hopf solver, one axis at a time.
 *
 * Why per axis. The FFT's round-off is absolute, about eps times the largest value of the line
 * it transforms. A 2-D transform mixes the dynamic range of both axes: for f = |x|^2/2 the
 * convolution spans exp(-beta (x^2 + y^2)/4) and a point loses digits as the product of both
 * ranges. Two 1-D passes, with the first pass's result taken to the log domain and renormalised
 * per line before the second, see each axis's range alone: the error at a point is the sum of
 * the two, not the product. The cost is the same count of 1-D transforms as one 2-D pair, and
 * less, since pass 2 only transforms the output columns.
 *
 * Error estimate per value: |error of the convolution| <= eps_fft * (largest |value| of its line)
 * + (largest dropped kernel weight) * (sum of the line's weights); divided by the value itself,
 * that is its relative error. Values that fail the tolerance are recomputed along the same
 * line on the Gibbs integrand's sub-grid (heat_coarse.c), exact whatever the range.
 *
 * Threads: FFTW's plans are made with the plan's thread count (large batches); every per-value
 * loop here (padding fill, spectrum multiply, max-abs scan, gather, keep-or-recompute, the
 * recomputation) runs on the same threads, over lines or, with fewer lines than threads (1-D),
 * within the line. */
#include "heat_internal.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deeprelax/error.h"
#include "fftw_setup.h"
#include "vmath.h"

#if defined(__clang__)
/* clang 14 cannot vectorise a floating-point max reduction (line_maxabs) without
 * -ffinite-math-only and warns where `omp simd` asks for it; gcc vectorises it. The loop is
 * correct either way, so the remark is not a warning of this code. */
#pragma clang diagnostic ignored "-Wpass-failed"
#endif

/* FFTW's round-off relative to the largest output value, with a safety factor; measured
 * FFTW errors are ~1e-16 sqrt(log N) in rms. */
#define EPS_FFT(n) (4e-16 * log2((double)(n) + 2.0))

/* Centres per chunk of the keep-or-mark test (the kept values' logs go through a chunk-sized
 * scratch; in 1-D a line is shared out among the threads in chunks). */
#define KEEP_CHUNK 4096
/* residues of fix_by_points' walk taken side by side */
#define WALK_RESIDUES 8

double dr_heat_line_sum(const dr_gauss_table *tab, const double *w, const double *wc,
                        const double *a, size_t n, double amax, size_t c, const double *carry,
                        double *off, double *carried, size_t *window)
{
    /* Without log-weights (a == NULL) the line is given by w alone: a_c follows from w[c]. */
    double a_c = a ? a[c] : amax + log(w[c]);
    double L = w && tab->g ? dr_gauss_line(tab, w, wc, n, amax, a_c, c, off, carried, window)
                           : NAN;
    if (!isnan(L))
        return L;
    if (a)
        return dr_logsum_line(a, 1, n, amax, c, tab->q, tab->h, off, carry, 1, carried, window);
    /* The line's range is too wide for the tabulated path: rebuild its log-weights. */
    double *tmp = malloc(n * sizeof *tmp);
    if (!tmp) {
        *off = 0.0;
        if (carried) *carried = 0.0;
        *window = 0;
        return NAN;
    }
    for (size_t k = 0; k < n; k++) tmp[k] = amax + log(w[k]);
    L = dr_logsum_line(tmp, 1, n, amax, c, tab->q, tab->h, off, carry, 1, carried, window);
    free(tmp);
    return L;
}

void dr_axis_fft_free(dr_axis_fft *ax)
{
    dr_fftw_lock(1);
    if (ax->r2c_w) fftw_destroy_plan(ax->r2c_w);
    if (ax->r2c_c) fftw_destroy_plan(ax->r2c_c);
    if (ax->c2r) fftw_destroy_plan(ax->c2r);
    if (ax->kplan) fftw_destroy_plan(ax->kplan);
    if (ax->c2r_line) fftw_destroy_plan(ax->c2r_line);
    if (ax->r2c_line) fftw_destroy_plan(ax->r2c_line);
    dr_fftw_unlock();
    fftw_free(ax->treal);
    fftw_free(ax->tspec);
    free(ax->tloc);
    free(ax->tkeep);
    fftw_free(ax->real);
    fftw_free(ax->wspec);
    fftw_free(ax->cspec);
    fftw_free(ax->spec);
    fftw_free(ax->kreal);
    fftw_free(ax->kspec);
    fftw_free(ax->gspec);
    fftw_free(ax->zspec);
    free(ax->wsum);
    free(ax->csum);
    free(ax->dv);
    free(ax->dn);
    free(ax->dc);
    free(ax->fix);
    free(ax->exact);
    memset(ax, 0, sizeof *ax);
}

/* Smallest n' >= n with no prime factor above 7: FFTW is fastest on those lengths. */
static size_t fft_size(size_t n)
{
    for (size_t m = n;; m++) {
        size_t r = m;
        for (size_t p = 2; p <= 7; p++)
            while (r % p == 0) r /= p;
        if (r == 1) return m;
    }
}

/* The whole-batch buffers and plans: the kept spectra of the weights (keep) and the batched
 * convolution of fewer lines than threads (batch). */
static int axis_alloc_batched(dr_axis_fft *ax, int carry, int keep, int batch, unsigned flags)
{
    size_t N = ax->N, H = ax->H, lines = ax->lines;
    int len = (int)N, howmany = (int)lines;
    if (keep || batch) ax->real = fftw_alloc_real(lines * N);
    if (keep) ax->wspec = fftw_alloc_complex(lines * H);
    if (keep && carry) ax->cspec = fftw_alloc_complex(lines * H);
    if (batch) ax->spec = fftw_alloc_complex(lines * H);
    if (((keep || batch) && !ax->real) || (keep && !ax->wspec) || (keep && carry && !ax->cspec) ||
        (batch && !ax->spec))
        return dr_error(DR_ENOMEM, "out of memory for %zu FFTs of length %zu", lines, N);
    /* Large batches run on every thread; small ones on one (threads cost more there). */
    dr_fftw_lock(lines * N >= ((size_t)1 << 18) ? ax->threads : 1);
    if (keep)
        ax->r2c_w = fftw_plan_many_dft_r2c(1, &len, howmany, ax->real, NULL, 1, (int)N,
                                           ax->wspec, NULL, 1, (int)H, flags);
    if (keep && carry)
        ax->r2c_c = fftw_plan_many_dft_r2c(1, &len, howmany, ax->real, NULL, 1, (int)N,
                                           ax->cspec, NULL, 1, (int)H, flags);
    if (batch)
        ax->c2r = fftw_plan_many_dft_c2r(1, &len, howmany, ax->spec, NULL, 1, (int)H, ax->real,
                                         NULL, 1, (int)N, flags);
    dr_fftw_unlock();
    if ((keep && !ax->r2c_w) || (keep && carry && !ax->r2c_c) || (batch && !ax->c2r))
        return dr_error(DR_ENOMEM, "FFTW could not plan %zu transforms of length %zu", lines, N);
    return DR_SUCCESS;
}

/* The per-line plans and each thread's scratch: the kernel's transform, and the fused path's
 * line, spectra and block of results. Every thread's copy is on its own cache lines and as
 * aligned as the first (FFTW's new-array execute needs the alignment the plan was made for). */
static int axis_alloc_lines(dr_axis_fft *ax, unsigned flags)
{
    size_t N = ax->N, H = ax->H, T = (size_t)ax->threads;
    int len = (int)N;
    ax->kreal = fftw_alloc_real(N);
    ax->kspec = fftw_alloc_complex(H);
    ax->gspec = fftw_alloc_complex(H);
    ax->zspec = fftw_alloc_complex(H);
    ax->treal_stride = (N + 7) & ~(size_t)7;
    ax->tspec_stride = (H + 3) & ~(size_t)3;
    ax->treal = fftw_alloc_real(ax->treal_stride * T);
    ax->tspec = fftw_alloc_complex(3 * ax->tspec_stride * T);
    ax->tkeep = malloc(T * KEEP_CHUNK * sizeof *ax->tkeep);
    /* blocks of lines only where there are several (a 2-D axis, its results column-major) */
    if (ax->lines > 1) ax->tloc = malloc(T * 3 * DR_AXIS_BLOCK * ax->n * sizeof *ax->tloc);
    if (!ax->kreal || !ax->kspec || !ax->gspec || !ax->zspec || !ax->treal || !ax->tspec ||
        !ax->tkeep || (ax->lines > 1 && !ax->tloc))
        return dr_error(DR_ENOMEM, "out of memory for FFT scratch of length %zu", N);
    dr_fftw_lock(1);
    ax->kplan = fftw_plan_dft_r2c_1d(len, ax->kreal, ax->kspec, flags);
    ax->c2r_line = fftw_plan_dft_c2r_1d(len, ax->tspec, ax->treal, flags);
    ax->r2c_line = fftw_plan_dft_r2c_1d(len, ax->treal, ax->tspec, flags);
    dr_fftw_unlock();
    if (!ax->kplan || !ax->c2r_line || !ax->r2c_line)
        return dr_error(DR_ENOMEM, "FFTW could not plan a transform of length %zu", N);
    return DR_SUCCESS;
}

int dr_axis_fft_init(dr_axis_fft *ax, size_t lines, size_t n, size_t K, double hy, int carry,
                     int per_run, unsigned flags, int threads)
{
    memset(ax, 0, sizeof *ax);
    ax->threads = threads > 0 ? threads : 1;
    ax->lines = lines;
    ax->n = n;
    ax->K = K;
    ax->hy = hy;
    ax->qg = ax->qz = NAN;
    ax->carry = carry;
    ax->N = fft_size(n + K);
    ax->H = ax->N / 2 + 1;
    ax->wsum = calloc(lines, sizeof *ax->wsum);
    ax->csum = calloc(lines, sizeof *ax->csum);
    ax->dv = malloc(lines * sizeof *ax->dv);
    ax->dn = malloc(lines * sizeof *ax->dn);
    ax->dc = malloc(lines * sizeof *ax->dc);
    ax->fix = malloc(lines * n); /* every centre is one of the line's n points */
    ax->exact = malloc(lines);
    int status = DR_SUCCESS;
    if (!ax->wsum || !ax->csum || !ax->dv || !ax->dn || !ax->dc || !ax->fix || !ax->exact)
        status = dr_error(DR_ENOMEM, "out of memory for the bounds of %zu lines", lines);
    /* by lines (as many lines as threads), weights that change every run need no kept spectra
     * and no batch: each thread transforms its own lines (dr_axis_run) */
    int by_lines = lines >= (size_t)ax->threads;
    if (!status) status = axis_alloc_batched(ax, carry, !(per_run && by_lines), !by_lines, flags);
    if (!status) status = axis_alloc_lines(ax, flags);
    if (status) dr_axis_fft_free(ax);
    return status;
}

/* One line of n values into dst[N], zero-padded; returns sum |v|. */
static double pad_line(const dr_axis_fft *ax, const double *v, double *dst)
{
    double s = 0.0;
    for (size_t k = 0; k < ax->n; k++) {
        dst[k] = v[k];
        s += fabs(v[k]);
    }
    memset(dst + ax->n, 0, (ax->N - ax->n) * sizeof *dst);
    return s;
}

/* Copies lines x n values into the zero-padded real buffer, with their per-line sums. */
static void fill_padded(dr_axis_fft *ax, const double *v, double *sums)
{
    size_t N = ax->N, n = ax->n, lines = ax->lines;
    if (lines >= (size_t)ax->threads) {
        #pragma omp parallel for schedule(static) num_threads(ax->threads)
        for (size_t l = 0; l < lines; l++) sums[l] = pad_line(ax, v + l * n, ax->real + l * N);
        return;
    }
    for (size_t l = 0; l < lines; l++) {
        const double *line = v + l * n;
        double *dst = ax->real + l * N, s = 0.0;
        #pragma omp parallel for schedule(static) num_threads(ax->threads) reduction(+ : s)
        for (size_t k = 0; k < n; k++) {
            dst[k] = line[k];
            s += fabs(line[k]);
        }
        memset(dst + n, 0, (N - n) * sizeof *dst);
        sums[l] = s;
    }
}

void dr_axis_fft_load(dr_axis_fft *ax, const double *w, const double *wc)
{
    fill_padded(ax, w, ax->wsum);
    fftw_execute(ax->r2c_w);
    if (wc && ax->cspec) {
        fill_padded(ax, wc, ax->csum);
        fftw_execute(ax->r2c_c);
    }
}

/* Spectrum of exp(-q d^2) (odd = 0) or d h exp(-q d^2) (odd = 1), |d| <= K, into dst; kept
 * between executions at the same q (the same t), so a repeated time costs no transform. */
static void kernel_spectrum(dr_axis_fft *ax, double q, int odd, fftw_complex *dst)
{
    double *cached = odd ? &ax->qz : &ax->qg;
    if (*cached == q) return;
    size_t N = ax->N;
    double *k = ax->kreal;
    memset(k, 0, N * sizeof *k);
    k[0] = odd ? 0.0 : 1.0;
    #pragma omp parallel for schedule(static) num_threads(ax->threads) if (ax->K > 4096)
    for (size_t d = 1; d <= ax->K; d++) {
        double g = exp(-q * (double)d * (double)d);
        k[d] = odd ? (double)d * ax->hy * g : g;
        k[N - d] = odd ? -(double)d * ax->hy * g : g;
    }
    fftw_execute(ax->kplan);
    memcpy(dst, ax->kspec, ax->H * sizeof *dst);
    *cached = q;
}

/* Largest |value| of each line of the real buffer (parallel over lines, or within a line when
 * there are fewer lines than threads). */
static void line_maxabs(const dr_axis_fft *ax, double *m)
{
    size_t N = ax->N, lines = ax->lines;
    if (lines >= (size_t)ax->threads) {
        #pragma omp parallel for schedule(static) num_threads(ax->threads)
        for (size_t l = 0; l < lines; l++) {
            const double *line = ax->real + l * N;
            double v = 0.0;
            #pragma omp simd reduction(max : v)
            for (size_t k = 0; k < N; k++) v = v > fabs(line[k]) ? v : fabs(line[k]);
            m[l] = v;
        }
        return;
    }
    for (size_t l = 0; l < lines; l++) {
        const double *line = ax->real + l * N;
        double v = 0.0;
        #pragma omp parallel for simd schedule(static) num_threads(ax->threads) reduction(max : v)
        for (size_t k = 0; k < N; k++) v = v > fabs(line[k]) ? v : fabs(line[k]);
        m[l] = v;
    }
}

/* real <- c2r(src * kernel) / N for every line; err[l] <- eps * max |line l| + tail * sums[l]. */
static void convolve(dr_axis_fft *ax, const fftw_complex *src, const fftw_complex *kernel,
                     double tail, const double *sums, double *err)
{
    size_t H = ax->H, N = ax->N, lines = ax->lines;
    double scale = 1.0 / (double)N, eps = EPS_FFT(N);
    #pragma omp parallel for collapse(2) schedule(static) num_threads(ax->threads)
    for (size_t l = 0; l < lines; l++)
        for (size_t i = 0; i < H; i++) {
            const double *w = src[l * H + i], *g = kernel[i];
            ax->spec[l * H + i][0] = (w[0] * g[0] - w[1] * g[1]) * scale;
            ax->spec[l * H + i][1] = (w[0] * g[1] + w[1] * g[0]) * scale;
        }
    fftw_execute(ax->c2r);
    line_maxabs(ax, err);
    for (size_t l = 0; l < lines; l++) err[l] = eps * err[l] + tail * sums[l];
}

static void gather(const dr_axis_fft *ax, const dr_axis_job *job, double *dst)
{
    #pragma omp parallel for collapse(2) schedule(static) num_threads(ax->threads)
    for (size_t l = 0; l < ax->lines; l++)
        for (size_t c = 0; c < job->ncentre; c++)
            dst[l * job->lstride + c * job->cstride] = ax->real[l * ax->N + job->centre[c]];
}

/* Everything dr_axis_run's passes share. */
typedef struct {
    dr_axis_fft *ax;
    const dr_axis_job *job;
    const dr_gauss_table *tab;
    const dr_coarse_table *ct;
    int strict, carry;
    int consecutive;   /* centre[c] = centre[0] + c: runs need no look-up */
    double rel_tol, off_tol;
    double pass_w;     /* a centre whose own weight is at least this is expected to pass the
                          FFT's test */
    double fft_ns;     /* the FFT path's fixed cost per line (transforms, gather, test) */
    double exact_ns;   /* the exact sum's cost per value */
} axis_ctx;

/* Which path a line takes under auto. The FFT gives every value of a line for a fixed cost,
 * but only the values it certifies are kept; the rest are summed exactly anyway. So a line is
 * worth transforming only if the values it would keep cost more to sum exactly than the
 * transforms themselves. Both costs are per-machine constants times operation counts, fitted
 * on a 2-core Skylake-X at 1 thread (quad and quad2d, 512^2 to 1e6 points, beta 1 to 100, each
 * path forced on every line): the choice can only change the time, never a value's guarantee,
 * since either path meets the tolerance. The transforms cost 1.2 ns per N log2 N in cache and
 * more once a line outgrows it (1.8-2.5 ns at N = 1.7e6-3.9e6); the exact sum 35-50 ns a value,
 * less than the tap estimate says where the weights cut the windows short. */
#define FFT_NS_PER_NLOGN(N) (1.2 + 0.15 * fmax(0.0, log2(N) - 15.0))
#define KEEP_NS 4.0           /* gather and keep-or-mark, per value */
#define VALUE_NS 12.0         /* the exact sum's window search and output, per value */
#define TAP_NS 0.8            /* one tap of the exact sum */

/* The counts behind the model, for dr_axis_run's job: the fixed cost of transforming a line,
 * the expected exact cost per value, and the weight above which the FFT is expected to keep a
 * value. The FFT's error is eps times the line's largest value, about G = sum_d exp(-q d^2)
 * (the weights are <= 1 and 1 at the line's peak), and a value is about w_c G where the
 * weights vary slowly over the kernel (more where they fall off steeply, never less than w_c):
 * so its relative error is about eps / w_c. Taps: the window of a flat line, where the
 * Gaussian on the sub-grid falls to e^-cut, less where the weights fall off. */
static void cost_model(axis_ctx *x, double q)
{
    const dr_axis_fft *ax = x->ax;
    const dr_axis_job *job = x->job;
    double N = (double)ax->N, convolutions = 1.0 + (job->off != NULL) + x->carry;
    double transforms = convolutions + (job->transform ? 1.0 + x->carry : 0.0);
    x->fft_ns = transforms * FFT_NS_PER_NLOGN(N) * N * log2(N) + KEEP_NS * (double)job->ncentre;
    double qs = x->ct ? x->ct->q : q, nodes = x->ct ? (double)ax->n / (double)x->ct->S
                                                      : (double)ax->n;
    double cut = x->ct ? x->ct->cut : DR_HEAT_CUT;
    double taps = 2.0 * ceil(sqrt(cut / qs)) + 1.0;
    if (taps > nodes) taps = nodes;
    /* the offset moment is one more product per tap, the carried sum a second pass */
    x->exact_ns = VALUE_NS + TAP_NS * taps * (1.0 + 0.5 * (job->off != NULL) + x->carry);
    x->pass_w = EPS_FFT(ax->N) / x->rel_tol;
}

/* Whether line l is cheaper summed exactly at every centre than transformed: the values the FFT
 * is expected to keep against the transforms' cost. */
static int line_goes_exact(const axis_ctx *x, size_t l)
{
    if (!x->strict) return 0;
    const double *w = x->job->w + l * x->ax->n;
    const size_t *centre = x->job->centre;
    size_t nc = x->job->ncentre, pass = 0;
    if (x->consecutive) {
        w += centre[0];
        #pragma omp simd reduction(+ : pass)
        for (size_t c = 0; c < nc; c++) pass += w[c] >= x->pass_w;
    } else {
        for (size_t c = 0; c < nc; c++) pass += w[centre[c]] >= x->pass_w;
    }
    return (double)pass * x->exact_ns < x->fft_ns;
}

/* The FFT's value *v at centre c of line l, with its offset and carried sums *on, *cn (NULL
 * where not computed): kept (turned into L, off, carried in place) or marked for the exact
 * recomputation. */
static void keep_or_mark(const axis_ctx *x, size_t l, size_t c, double *v, double *on,
                         double *cn, size_t *clamped, double *worst)
{
    const dr_axis_fft *ax = x->ax;
    double val = *v, dv = ax->dv[l];
    double o = on ? *on : 0.0, k = cn ? *cn : 0.0;
    int bad = !(val > 0.0) || !isfinite(val);
    ax->fix[l * x->job->ncentre + c] = 0;
    if (bad && !x->strict) {
        /* FFT engine by request: a value lost in round-off becomes the noise floor, finite
         * but meaningless, and is counted so that the caller can say so. */
        val = dv > 0.0 ? dv : 1e-300;
        o = k = 0.0;
        (*clamped)++;
        *worst = INFINITY;
    }
    double rel = bad ? INFINITY : dv / val;
    double e_off = on ? (ax->dn[l] + fabs(o / val) * dv) / val : 0.0;
    double e_car = cn ? (ax->dc[l] + fabs(k / val) * dv) / val : 0.0;
    if (x->strict && (bad || rel > x->rel_tol || e_off > x->off_tol || e_car > x->off_tol)) {
        ax->fix[l * x->job->ncentre + c] = 1;
        return;
    }
    if (!bad && rel > *worst) *worst = rel;
    *v = x->job->linear ? val : x->job->amax[l] + log(val);
    if (on) *on = o / val;
    if (cn) *cn = k / val;
}

/* keep_or_mark at the centres [cb, ce) of line l, its values L[c] contiguous (off, car alike;
 * NULL where not computed), the per-line bounds hoisted: one division per value where v > 0
 * and finite, and the logs of the values kept taken together at the end (dr_vlog, through
 * tmp[ce - cb]); values lost to round-off as keep_or_mark treats them. */
static void keep_or_mark_line(const axis_ctx *x, size_t l, size_t cb, size_t ce, double *L,
                              double *off, double *car, double *tmp, size_t *clamped,
                              double *worst)
{
    const dr_axis_fft *ax = x->ax;
    size_t nc = x->job->ncentre, kept = 0;
    int linear = x->job->linear;
    double dv = ax->dv[l], dn = off ? ax->dn[l] : 0.0, dc = car ? ax->dc[l] : 0.0;
    double amax = x->job->amax[l], w = *worst;
    unsigned char *fix = ax->fix + l * nc;
    for (size_t c = cb; c < ce; c++) {
        double v = L[c], on = 0.0, cn = 0.0;
        if (!(v > 0.0) || !isfinite(v)) {
            /* lost to round-off: recomputed under auto; the fft engine by request keeps the
             * noise floor and counts it (keep_or_mark's rule) */
            fix[c] = (unsigned char)x->strict;
            if (x->strict) continue;
            v = dv > 0.0 ? dv : 1e-300;
            (*clamped)++;
            w = INFINITY;
        } else {
            double inv = 1.0 / v, rel = dv * inv;
            on = off ? off[c] * inv : 0.0;
            cn = car ? car[c] * inv : 0.0;
            /* keep_or_mark's bounds: (dn + |off/v| dv)/v and the same for the carried mean */
            int mark = x->strict && (rel > x->rel_tol || dn * inv + fabs(on) * rel > x->off_tol ||
                                     dc * inv + fabs(cn) * rel > x->off_tol);
            fix[c] = (unsigned char)mark;
            if (mark) continue;
            if (rel > w) w = rel;
        }
        if (linear) L[c] = v;
        else tmp[kept++] = v;
        if (off) off[c] = on;
        if (car) car[c] = cn;
    }
    *worst = w;
    if (linear) return;
    /* every value kept took one place in tmp, in order */
    dr_vlog(tmp, tmp, kept);
    kept = 0;
    for (size_t c = cb; c < ce; c++)
        if (!fix[c]) L[c] = amax + tmp[kept++];
}

/* keep_or_mark_line over the whole of line l, chunk by chunk. */
static void keep_or_mark_chunks(const axis_ctx *x, size_t l, double *L, double *off, double *car,
                                double *tmp, size_t *clamped, double *worst)
{
    size_t nc = x->job->ncentre;
    for (size_t cb = 0; cb < nc; cb += KEEP_CHUNK)
        keep_or_mark_line(x, l, cb, cb + KEEP_CHUNK < nc ? cb + KEEP_CHUNK : nc, L, off, car,
                          tmp, clamped, worst);
}

/* Where a line's results go: value, offset and carried mean at centre c are L[c * stride],
 * off[c * stride], car[c * stride] (off, car NULL where not computed). The job's own arrays, or
 * a thread's block buffer whose lines are scattered together (run_by_lines, scatter_block). */
typedef struct {
    double *L, *off, *car;
    size_t stride;
} line_out;

static line_out line_direct(const axis_ctx *x, size_t l)
{
    const dr_axis_job *job = x->job;
    size_t o = l * job->lstride;
    return (line_out){job->L + o, job->off ? job->off + o : NULL,
                      x->carry ? job->carried + o : NULL, job->cstride};
}

/* The exact values at the marked centres of [cb, ce) on line l into out: on the coarse sub-grid
 * when cl holds the line (runs of evenly spaced centres, one block at a time), else by the
 * fine-grid window. Returns the taps scanned. */
static size_t recompute(const axis_ctx *x, dr_coarse_line *cl, size_t l, size_t cb, size_t ce,
                        size_t *hint, const line_out *out)
{
    const dr_axis_fft *ax = x->ax;
    const dr_axis_job *job = x->job;
    const unsigned char *fix = ax->fix + l * job->ncentre;
    size_t n = ax->n, taps = 0;
    const double *a = job->a ? job->a + l * n : NULL;
    const double *cv = x->carry ? job->carry + l * n : NULL;
    double amax = job->amax[l];
    for (size_t c = cb; c < ce;) {
        if (!fix[c]) { c++; continue; }
        double lin[DR_COARSE_BLOCK], L[DR_COARSE_BLOCK], off[DR_COARSE_BLOCK],
            car[DR_COARSE_BLOCK];
        size_t nb = 1, step = 1;
        if (cl) {
            if (x->consecutive) {
                while (nb < DR_COARSE_BLOCK && c + nb < ce && fix[c + nb]) nb++;
            } else {
                if (c + 1 < ce && fix[c + 1]) step = job->centre[c + 1] - job->centre[c];
                while (nb < DR_COARSE_BLOCK && c + nb < ce && fix[c + nb] &&
                       job->centre[c + nb] == job->centre[c] + nb * step)
                    nb++;
            }
            size_t t;
            size_t c0 = x->consecutive ? job->centre[0] + c : job->centre[c];
            dr_coarse_block(cl, x->ct, a, cv, amax, c0, step, nb, hint, lin, L,
                            job->off ? off : NULL, x->carry ? car : NULL, &t);
            taps += t;
        } else {
            size_t win;
            lin[0] = NAN;
            L[0] = dr_heat_line_sum(x->tab, job->w + l * n, x->carry ? job->wc + l * n : NULL,
                                    a, n, amax, job->centre[c], cv, &off[0],
                                    x->carry ? &car[0] : NULL, &win);
            taps += win;
        }
        double loglin[DR_COARSE_BLOCK];
        if (!job->linear) dr_vlog(lin, loglin, nb); /* NAN where lin is: unused there */
        for (size_t i = 0; i < nb; i++) {
            size_t k = (c + i) * out->stride;
            if (isnan(lin[i]))
                out->L[k] = job->linear ? exp(L[i] - amax) : L[i];
            else
                out->L[k] = job->linear ? lin[i] : amax + loglin[i];
            if (out->off) out->off[k] = off[i];
            if (out->car) out->car[k] = car[i];
        }
        c += nb;
    }
    return taps;
}

/* Every centre of [cb, ce) of line l (consecutive y-indices, all recomputed, the coarse
 * sub-grid in cl) into out: blocks of DR_COARSE_BLOCK centres straight through, the i-th with
 * the hint at hints + i * hstride, their linear values gathered in tmp[ce - cb] and their logs
 * taken together (a log per block would cost a call and a partial vector each). */
static size_t recompute_run(const axis_ctx *x, dr_coarse_line *cl, size_t l, size_t cb,
                            size_t ce, size_t *hints, size_t hstride, double *tmp,
                            const line_out *out)
{
    const dr_axis_job *job = x->job;
    size_t n = x->ax->n, c0 = job->centre[0], taps = 0, cs = out->stride;
    const double *a = job->a ? job->a + l * n : NULL;
    const double *cv = x->carry ? job->carry + l * n : NULL;
    double amax = job->amax[l];
    int linear = job->linear;
    int logs = 0; /* some centre took the exp-per-tap path: its L is written already */
    for (size_t c = cb; c < ce; c += DR_COARSE_BLOCK) {
        size_t nb = ce - c < DR_COARSE_BLOCK ? ce - c : DR_COARSE_BLOCK, t;
        size_t *hint = hints + (c - cb) / DR_COARSE_BLOCK * hstride;
        double L[DR_COARSE_BLOCK], off[DR_COARSE_BLOCK], car[DR_COARSE_BLOCK];
        /* tmp: the linear values (NAN where the sum came as L) */
        double *lin = tmp + (c - cb);
        int all_lin = dr_coarse_block(cl, x->ct, a, cv, amax, c0 + c, 1, nb, hint, lin, L,
                                      out->off ? off : NULL, out->car ? car : NULL, &t);
        taps += t;
        for (size_t i = 0; !all_lin && i < nb; i++)
            if (isnan(lin[i])) {
                out->L[(c + i) * cs] = linear ? exp(L[i] - amax) : L[i];
                logs = 1;
            }
        for (size_t i = 0; out->off && i < nb; i++) out->off[(c + i) * cs] = off[i];
        for (size_t i = 0; out->car && i < nb; i++) out->car[(c + i) * cs] = car[i];
    }
    if (!linear) dr_vlog(tmp, tmp, ce - cb);
    double *dst = out->L + cb * cs, shift = linear ? 0.0 : amax;
    if (!logs && cs == 1) {
        #pragma omp simd
        for (size_t c = cb; c < ce; c++) dst[c - cb] = shift + tmp[c - cb];
    } else if (!logs) {
        for (size_t c = cb; c < ce; c++, dst += cs) *dst = shift + tmp[c - cb];
    } else {
        for (size_t c = cb; c < ce; c++, dst += cs)
            if (!isnan(tmp[c - cb])) *dst = shift + tmp[c - cb];
    }
    return taps;
}

/* recompute at every centre of line l (a line summed exactly; consecutive centres, the
 * coarse sub-grid in cl), one hint through, in chunks of tmp[KEEP_CHUNK]. */
static size_t recompute_all(const axis_ctx *x, dr_coarse_line *cl, size_t l, double *tmp,
                            const line_out *out)
{
    size_t nc = x->job->ncentre, taps = 0;
    size_t hint[DR_COARSE_HINT] = DR_COARSE_HINT_START;
    for (size_t cb = 0; cb < nc; cb += KEEP_CHUNK) {
        size_t ce = cb + KEEP_CHUNK < nc ? cb + KEEP_CHUNK : nc;
        taps += recompute_run(x, cl, l, cb, ce, hint, 0, tmp, out);
    }
    return taps;
}

static size_t count_marked(const unsigned char *fix, size_t nc)
{
    size_t m = 0;
    for (size_t c = 0; c < nc; c++) m += fix[c];
    return m;
}

/* The marked values of line l into out, on the calling thread, with its coarse scratch cl (and
 * a chunk of scratch tmp[KEEP_CHUNK]): adds the values fixed and the taps scanned. */
static void fix_line(const axis_ctx *x, dr_coarse_line *cl, size_t l, double *tmp,
                     const line_out *out, size_t *fixed, size_t *taps)
{
    const dr_axis_fft *ax = x->ax;
    size_t nc = x->job->ncentre, m = ax->exact[l] ? nc : count_marked(ax->fix + l * nc, nc);
    if (!m) return;
    const double *wc = x->carry ? x->job->wc + l * ax->n : NULL;
    int coarse = x->ct && !dr_coarse_line_load(cl, x->ct, x->job->w + l * ax->n, wc, ax->n, 1);
    *fixed += m;
    if (ax->exact[l]) {
        if (coarse && x->consecutive) {
            *taps += recompute_all(x, cl, l, tmp, out);
            return;
        }
        memset(ax->fix + l * nc, 1, nc); /* recompute goes by the marks */
    }
    /* a fresh hint per line: a line's sums do not depend on which thread had which before */
    size_t hint[DR_COARSE_HINT] = DR_COARSE_HINT_START;
    *taps += recompute(x, coarse ? cl : NULL, l, 0, nc, hint, out);
}

/* Centres of a 1-D line per task of chunk_line, each with a fresh hint (so the sums do not
 * depend on the threads): 64 blocks, eight window searches. */
#define RUN_CENTRES (64 * DR_COARSE_BLOCK)

/* The marked centres of line l (all of them where whole) in runs of RUN_CENTRES, shared out
 * among the threads; returns the taps. */
static size_t chunk_line(const axis_ctx *x, dr_coarse_line *cl, size_t l, int whole,
                         const line_out *out)
{
    size_t nc = x->job->ncentre, nt = 0;
    #pragma omp parallel for schedule(dynamic, 1) num_threads(x->ax->threads) reduction(+ : nt)
    for (size_t cb = 0; cb < nc; cb += RUN_CENTRES) {
        size_t hint[DR_COARSE_HINT] = DR_COARSE_HINT_START;
        size_t ce = cb + RUN_CENTRES < nc ? cb + RUN_CENTRES : nc;
        double run[RUN_CENTRES];
        nt += whole ? recompute_run(x, cl, l, cb, ce, hint, 0, run, out)
                    : recompute(x, cl, l, cb, ce, hint, out);
    }
    return nt;
}

/* The same when S is a multiple of the block of DR_COARSE_BLOCK centres (P = S / block) and the
 * centres are consecutive y-indices: group g + P then sits exactly S further, and walking
 * g, g + P, g + 2P, ... (one residue r at a time) reuses all but one of the previous group's
 * window rows from cache, where the plain order would re-read each weight once per offset, S
 * centres apart (1-D n = 1e6: 27 x the line's bytes). The walk takes WALK_RESIDUES neighbouring
 * residues side by side: the rows each step adds are then neighbours in memory (one page,
 * whole lines), where one residue alone steps a page per row (S x 8 bytes), past the
 * prefetchers. Each residue keeps its own hint, fresh at its start. */
static size_t walk_line(const axis_ctx *x, dr_coarse_line *cl, size_t l, size_t P, int whole,
                        const line_out *out)
{
    size_t nc = x->job->ncentre, groups = (nc + DR_COARSE_BLOCK - 1) / DR_COARSE_BLOCK, nt = 0;
    #pragma omp parallel for schedule(dynamic, 1) num_threads(x->ax->threads) reduction(+ : nt)
    for (size_t r0 = 0; r0 < P; r0 += WALK_RESIDUES) {
        size_t hint[WALK_RESIDUES][DR_COARSE_HINT], R = P - r0 < WALK_RESIDUES ? P - r0
                                                                             : WALK_RESIDUES;
        for (size_t i = 0; i < R; i++)
            memcpy(hint[i], (size_t[DR_COARSE_HINT])DR_COARSE_HINT_START, sizeof hint[i]);
        double run[WALK_RESIDUES * DR_COARSE_BLOCK];
        for (size_t g0 = r0; g0 < groups; g0 += P) {
            size_t cb = g0 * DR_COARSE_BLOCK, ce = cb + R * DR_COARSE_BLOCK;
            if (ce > nc) ce = nc;
            if (whole) { /* the R groups side by side are consecutive centres */
                nt += recompute_run(x, cl, l, cb, ce, hint[0], DR_COARSE_HINT, run, out);
                continue;
            }
            for (size_t i = 0; cb + i * DR_COARSE_BLOCK < ce; i++) {
                size_t b = cb + i * DR_COARSE_BLOCK, e = b + DR_COARSE_BLOCK;
                nt += recompute(x, cl, l, b, e < ce ? e : ce, hint[i], out);
            }
        }
    }
    return nt;
}

/* Few lines (1-D): the points of each line shared out among the threads. */
static void fix_by_points(const axis_ctx *x, size_t *fixed, size_t *taps)
{
    const dr_axis_fft *ax = x->ax;
    size_t nc = x->job->ncentre;
    dr_coarse_line cl = {0};
    for (size_t l = 0; l < ax->lines; l++) {
        unsigned char *fix = ax->fix + l * nc;
        size_t m = ax->exact[l] ? nc : count_marked(fix, nc), nt = 0;
        if (!m) continue;
        const double *wc = x->carry ? x->job->wc + l * ax->n : NULL;
        int coarse = x->ct && !dr_coarse_line_load(&cl, x->ct, x->job->w + l * ax->n, wc,
                                                   ax->n, ax->threads);
        if (coarse && x->job->a == NULL) {
            /* the exp path may rebuild the line's logs: not from several threads at once */
            for (size_t k = 0; k < ax->n; k++) cl.logs[k] = x->job->amax[l] + log(cl.w[k]);
            cl.has_logs = 1;
        }
        line_out out = line_direct(x, l);
        int whole = ax->exact[l] && coarse && x->consecutive;
        if (ax->exact[l] && !whole) memset(fix, 1, nc); /* recompute goes by the marks */
        size_t S = coarse ? x->ct->S : 1;
        if (coarse && S % DR_COARSE_BLOCK == 0 && x->consecutive)
            nt = walk_line(x, &cl, l, S / DR_COARSE_BLOCK, whole, &out);
        else
            nt = chunk_line(x, coarse ? &cl : NULL, l, whole, &out);
        *fixed += m;
        *taps += nt;
    }
    dr_coarse_line_free(&cl);
}

/* One line of the fused path: real <- c2r(src * kernel) / N on the calling thread's scratch
 * (spec is destroyed); returns the error bound eps * max |real| + tail * sum. */
static double convolve_line(const dr_axis_fft *ax, const fftw_complex *src,
                            const fftw_complex *kernel, double tail, double sum,
                            fftw_complex *spec, double *real)
{
    size_t H = ax->H, N = ax->N;
    double scale = 1.0 / (double)N, m = 0.0;
    for (size_t i = 0; i < H; i++) {
        spec[i][0] = (src[i][0] * kernel[i][0] - src[i][1] * kernel[i][1]) * scale;
        spec[i][1] = (src[i][0] * kernel[i][1] + src[i][1] * kernel[i][0]) * scale;
    }
    fftw_execute_dft_c2r(ax->c2r_line, spec, real);
    #pragma omp simd reduction(max : m)
    for (size_t k = 0; k < N; k++) m = m > fabs(real[k]) ? m : fabs(real[k]);
    return EPS_FFT(N) * m + tail * sum;
}

/* The spectrum of one line of n values v, zero-padded, on the calling thread's scratch (real is
 * overwritten); returns sum |v|, the line's part of the error bounds. */
static double transform_line(const dr_axis_fft *ax, const double *v, double *real,
                             fftw_complex *dst)
{
    double sum = pad_line(ax, v, real);
    fftw_execute_dft_r2c(ax->r2c_line, real, dst);
    return sum;
}

static void gather_line(const dr_axis_job *job, const double *real, double *dst)
{
    for (size_t c = 0; c < job->ncentre; c++) dst[c] = real[job->centre[c]];
}

/* A thread's block of nb lines from l0 (kept contiguous in loc, DR_AXIS_BLOCK x ncentre per
 * quantity) into the job's arrays: at each centre the block's lines are neighbours when the
 * output is column-major (lstride 1), so every write fills whole cache lines (a line written
 * alone down a column would touch a cache line and a page per value). Lines with skip[b]
 * (skip may be NULL: none) have no values in loc. */
/* Rows ahead that the scatter prefetches for writing: each row is a new page and a cache line
 * missing from cache, and the store buffer stalls on them one after another (perf, 2-D 1024^2 at
 * beta = 100: the scatter's share 8.4% -> 7.2%). */
#define SCATTER_AHEAD 16
static void scatter_block(const dr_axis_job *job, const double *loc, size_t l0, size_t nb,
                          const unsigned char *skip, double *dst)
{
    size_t nc = job->ncentre, cs = job->cstride;
    if (!skip && nb == DR_AXIS_BLOCK && job->lstride == 1) {
        /* the usual case: a whole block, its eight lines neighbours at each centre */
        double *row = dst + l0;
        for (size_t c = 0; c < nc; c++, row += cs) {
            if (c + SCATTER_AHEAD < nc) __builtin_prefetch(row + SCATTER_AHEAD * cs, 1);
            for (size_t b = 0; b < DR_AXIS_BLOCK; b++) row[b] = loc[b * nc + c];
        }
        return;
    }
    for (size_t c = 0; c < nc; c++)
        for (size_t b = 0; b < nb; b++)
            if (!skip || !skip[b]) dst[(l0 + b) * job->lstride + c * cs] = loc[b * nc + c];
}

/* Line l through the convolutions on thread me's scratch: its FFT values gathered into out
 * and kept or marked (keep_or_mark_chunks; out's stride is 1). */
static void transform_and_keep(const axis_ctx *x, size_t l, double tail, double reach,
                               const line_out *out, int me, size_t *clamped, double *worst)
{
    dr_axis_fft *ax = x->ax;
    const dr_axis_job *job = x->job;
    size_t H = ax->H;
    double *real = ax->treal + (size_t)me * ax->treal_stride;
    fftw_complex *spec = ax->tspec + (size_t)me * 3 * ax->tspec_stride;
    fftw_complex *wsp = spec + ax->tspec_stride, *csp = wsp + ax->tspec_stride;
    double *tmp = ax->tkeep + (size_t)me * KEEP_CHUNK;
    const fftw_complex *ws = ax->wspec + l * H, *cs = out->car ? ax->cspec + l * H : NULL;
    if (job->transform) {
        ax->wsum[l] = transform_line(ax, job->w + l * ax->n, real, wsp);
        if (out->car) ax->csum[l] = transform_line(ax, job->wc + l * ax->n, real, csp);
        ws = wsp;
        cs = csp;
    }
    ax->dv[l] = convolve_line(ax, ws, ax->gspec, tail, ax->wsum[l], spec, real);
    gather_line(job, real, out->L);
    if (out->off) {
        ax->dn[l] = convolve_line(ax, ws, ax->zspec, reach * tail, ax->wsum[l], spec, real);
        gather_line(job, real, out->off);
    }
    if (out->car) {
        ax->dc[l] = convolve_line(ax, cs, ax->gspec, tail, ax->csum[l], spec, real);
        gather_line(job, real, out->car);
    }
    keep_or_mark_chunks(x, l, out->L, out->off, out->car, tmp, clamped, worst);
}

/* As many lines as threads: each thread takes blocks of whole lines through the convolutions,
 * the gathers and the keep-or-mark test while they are in its cache, where the batched path
 * streams every stage's lines x N buffer through memory (and stops scaling with threads at
 * the memory's bandwidth). */
static void run_by_lines(const axis_ctx *x, double tail, double reach, int fix_here,
                         size_t *clamped, double *worst, size_t *fixed, size_t *taps)
{
    dr_axis_fft *ax = x->ax;
    const dr_axis_job *job = x->job;
    size_t nc = job->ncentre, nclamped = 0, nf = 0, nt = 0;
    double w = 0.0;
    #pragma omp parallel num_threads(ax->threads) reduction(+ : nclamped, nf, nt) \
        reduction(max : w)
    {
        dr_coarse_line cl = {0};
        int me = omp_get_thread_num();
        double *tmp = ax->tkeep + (size_t)me * KEEP_CHUNK;
        /* results contiguous per line (1-D): straight into the job's arrays; else through the
         * block (there is one wherever a 2-D axis has several lines) */
        double *loc = ax->tloc ? ax->tloc + (size_t)me * 3 * DR_AXIS_BLOCK * ax->n : NULL;
        int direct = job->cstride == 1 || !loc;
        #pragma omp for schedule(dynamic, 1)
        for (size_t l0 = 0; l0 < ax->lines; l0 += DR_AXIS_BLOCK) {
            size_t nb = ax->lines - l0 < DR_AXIS_BLOCK ? ax->lines - l0 : DR_AXIS_BLOCK;
            for (size_t b = 0; b < nb; b++) {
                size_t l = l0 + b;
                line_out out = direct ? line_direct(x, l)
                                      : (line_out){loc + b * nc,
                                                   job->off ? loc + (DR_AXIS_BLOCK + b) * nc : NULL,
                                                   x->carry ? loc + (2 * DR_AXIS_BLOCK + b) * nc
                                                            : NULL,
                                                   1};
                if (!ax->exact[l]) transform_and_keep(x, l, tail, reach, &out, me, &nclamped, &w);
                /* the exact values while the line's weights are still in cache */
                if (fix_here) fix_line(x, &cl, l, tmp, &out, &nf, &nt);
            }
            if (!direct && (fix_here || memchr(ax->exact + l0, 0, nb))) {
                /* exact lines not fixed here have no values in loc yet (fix_by_points) */
                const unsigned char *skip = fix_here ? NULL : ax->exact + l0;
                scatter_block(job, loc, l0, nb, skip, job->L);
                if (job->off)
                    scatter_block(job, loc + DR_AXIS_BLOCK * nc, l0, nb, skip, job->off);
                if (x->carry)
                    scatter_block(job, loc + 2 * DR_AXIS_BLOCK * nc, l0, nb, skip, job->carried);
            }
        }
        dr_coarse_line_free(&cl);
    }
    *clamped += nclamped;
    if (w > *worst) *worst = w;
    *fixed += nf;
    *taps += nt;
}

/* The sub-grid's largest measured aliasing (dr_coarse_alias) on the job's lines, on every S-th
 * line and at centres 0.7 S apart, the last of each included. The gap's envelope changes slowly
 * (the Gibbs window spans tens of strides), but its phase turns once per stride: T - M is
 * 4A cos(2 pi x / H + phi). Steps of 0.7 S visit every phase in a few steps, where steps of
 * S or S/2 could sit on its zeros. */
static double coarse_gap(const axis_ctx *x, const dr_coarse_table *ct)
{
    const dr_axis_fft *ax = x->ax;
    const dr_axis_job *job = x->job;
    size_t nc = job->ncentre, spacing = nc > 1 ? job->centre[1] - job->centre[0] : 1;
    size_t lstep = ct->S, cstep = (7 * ct->S / 10) / spacing;
    if (cstep < 1) cstep = 1;
    /* lines 0, lstep, 2 lstep, ... and the last, once */
    size_t nl = (ax->lines - 1) / lstep + 1 + ((ax->lines - 1) % lstep != 0);
    double gap = 0.0;
    if (nc == 0) return 0.0;
    #pragma omp parallel num_threads(ax->threads) reduction(max : gap)
    {
        dr_coarse_line cl = {0};
        #pragma omp for schedule(dynamic, 1)
        for (size_t i = 0; i < nl; i++) {
            size_t l = i * lstep < ax->lines ? i * lstep : ax->lines - 1;
            const double *a = job->a ? job->a + l * ax->n : NULL;
            if (dr_coarse_line_load(&cl, ct, job->w + l * ax->n, NULL, ax->n, 1)) continue;
            size_t hint[DR_COARSE_HINT] = DR_COARSE_HINT_START;
            for (size_t c = 0;; c += cstep) {
                if (c >= nc) c = nc - 1; /* the last centre too */
                double g = dr_coarse_alias(&cl, ct, a, job->amax[l], job->centre[c], hint);
                if (g > gap) gap = g;
                if (c == nc - 1) break;
            }
        }
        dr_coarse_line_free(&cl);
    }
    return gap;
}

/* The sub-grid the job's sums can trust: ct's stride halved (into *local) while the measured
 * aliasing exceeds a tenth of the relative tolerance, down to the y-grid itself (S = 1, whose
 * aliasing heat_alias.c measures). Weights that carry a relative error of their own
 * (job->noise: pass 2's, from pass 1) move T and M apart by up to twice that, which is
 * allowed for here; the gap reported (*gap, which joins est_error) is the whole measured one.
 * Returns the table to use (NULL: none could be made, the fine-grid window then). */
static const dr_coarse_table *trusted_table(const axis_ctx *x, const dr_coarse_table *ct,
                                            double q, dr_coarse_table *local, double *gap)
{
    *gap = 0.0;
    while (ct && ct->S >= 2) {
        double allowed = 2.0 * x->job->noise;
        *gap = coarse_gap(x, ct);
        if (*gap <= 0.1 * x->rel_tol + allowed) break;
        /* twice the nodes: one more factor 2 of dropped terms for the same bound */
        double cut = ct->cut + log(2.0);
        size_t S = ct->S / 2;
        dr_coarse_table next;
        if (dr_coarse_table_init(&next, q, x->ax->hy, S, x->ax->n, cut)) {
            dr_coarse_table_free(local);
            return NULL;
        }
        /* the same extent in nodes twice as dense */
        next.sparse_rows = ct->sparse_rows < SIZE_MAX / 2 ? 2 * ct->sparse_rows : SIZE_MAX;
        dr_coarse_table_free(local);
        *local = next;
        ct = local;
        *gap = 0.0;
    }
    return ct;
}

/* Fewer lines than threads (1-D): every stage on all lines at once, each on every thread. */
static void run_batched(const axis_ctx *x, double tail, double reach, size_t *clamped,
                        double *worst)
{
    dr_axis_fft *ax = x->ax;
    const dr_axis_job *job = x->job;
    convolve(ax, ax->wspec, ax->gspec, tail, ax->wsum, ax->dv);
    gather(ax, job, job->L);
    if (job->off) {
        convolve(ax, ax->wspec, ax->zspec, reach * tail, ax->wsum, ax->dn);
        gather(ax, job, job->off);
    }
    if (x->carry) {
        convolve(ax, ax->cspec, ax->gspec, tail, ax->csum, ax->dc);
        gather(ax, job, job->carried);
    }
    size_t nc = job->ncentre, nclamped = 0, chunks = (nc + KEEP_CHUNK - 1) / KEEP_CHUNK;
    double w = 0.0;
    if (job->cstride == 1) {
        /* the line's values contiguous: chunks of centres on every thread */
        #pragma omp parallel num_threads(ax->threads) reduction(+ : nclamped) reduction(max : w)
        {
            size_t me = (size_t)omp_get_thread_num();
            double *tmp = ax->tkeep + me * KEEP_CHUNK;
            #pragma omp for schedule(static)
            for (size_t k = 0; k < ax->lines * chunks; k++) {
                size_t l = k / chunks, cb = (k % chunks) * KEEP_CHUNK;
                size_t ce = cb + KEEP_CHUNK < nc ? cb + KEEP_CHUNK : nc, o = l * job->lstride;
                keep_or_mark_line(x, l, cb, ce, job->L + o, job->off ? job->off + o : NULL,
                                  x->carry ? job->carried + o : NULL, tmp, &nclamped, &w);
            }
        }
    } else {
        #pragma omp parallel for collapse(2) schedule(static) num_threads(ax->threads) \
            reduction(+ : nclamped) reduction(max : w)
        for (size_t l = 0; l < ax->lines; l++)
            for (size_t c = 0; c < nc; c++) {
                size_t k = l * job->lstride + c * job->cstride;
                keep_or_mark(x, l, c, &job->L[k], job->off ? &job->off[k] : NULL,
                             x->carry ? &job->carried[k] : NULL, &nclamped, &w);
            }
    }
    *clamped += nclamped;
    if (w > *worst) *worst = w;
}

void dr_axis_run(dr_axis_fft *ax, const dr_axis_job *job_in, double q, const dr_gauss_table *tab,
                 const dr_coarse_table *ct, int strict, double rel_tol, double off_tol,
                 dr_axis_stats *stats)
{
    dr_axis_job jobs = *job_in, *job = &jobs;
    if (job->lstride == 0 && job->cstride == 0) {
        job->lstride = job->ncentre;
        job->cstride = 1;
    }
    size_t nc = job->ncentre, n = ax->n;
    int carry = job->carry != NULL && ax->carry;
    double tail = ax->K + 1 < n ? exp(-q * (double)(ax->K + 1) * (double)(ax->K + 1)) : 0.0;
    double reach = (double)(ax->K + 1) * ax->hy;

    /* Three convolutions: the value, the offset moment, the carried moment. The results go to
     * the job's own arrays and are turned into L, off, carried by keep_or_mark; lines that are
     * cheaper summed exactly skip them. */
    axis_ctx x = {.ax = ax, .job = job, .tab = tab, .ct = ct, .strict = strict,
                  .carry = carry, .rel_tol = rel_tol, .off_tol = off_tol};
    /* centres are increasing y-indices: evenly spaced by one iff the ends are nc - 1 apart */
    x.consecutive = nc > 0 && job->centre[nc - 1] - job->centre[0] == nc - 1;
    size_t fixed = 0, clamped = 0, taps = 0;
    double worst = 0.0, gap = 0.0;
    dr_coarse_table local = {0};
    if (strict) x.ct = trusted_table(&x, ct, q, &local, &gap);
    cost_model(&x, q);
    size_t exact = 0;
    #pragma omp parallel for schedule(static) num_threads(ax->threads) reduction(+ : exact)
    for (size_t l = 0; l < ax->lines; l++) {
        ax->exact[l] = (unsigned char)line_goes_exact(&x, l);
        exact += ax->exact[l];
    }
    /* batched lines, transformed together, are summed exactly only all together; the kernels'
     * spectra only where some line is transformed (1-D: a transform as long as the line) */
    int by_lines = ax->lines >= (size_t)ax->threads;
    if (!by_lines && exact < ax->lines) {
        memset(ax->exact, 0, ax->lines);
        exact = 0;
    }
    if (exact < ax->lines) {
        kernel_spectrum(ax, q, 0, ax->gspec);
        if (job->off) kernel_spectrum(ax, q, 1, ax->zspec);
    }
    /* many lines: each fixed by the thread that ran it, right after; few: shared by points */
    int fix_here = strict && ax->lines >= 2 * (size_t)ax->threads;
    if (by_lines) {
        run_by_lines(&x, tail, reach, fix_here, &clamped, &worst, &fixed, &taps);
    } else if (exact < ax->lines) {
        if (job->transform) dr_axis_fft_load(ax, job->w, carry ? job->wc : NULL);
        run_batched(&x, tail, reach, &clamped, &worst);
    }
    if (strict && !fix_here) fix_by_points(&x, &fixed, &taps);
    if (fixed && x.ct) {
        /* the sub-grid's part of the values it summed: its aliasing measured, the terms its
         * cut drops (at most one per node, each below e^-cut of the sum), its spacing */
        stats->fallback_rel = gap + (double)(ax->n / x.ct->S + 1) * x.ct->ecut;
        stats->fallback_H = x.ct->S > 1 ? x.ct->H : 0.0;
    }
    dr_coarse_table_free(&local);
    stats->lines += ax->lines;
    stats->exact_lines += exact;
    stats->fixed += fixed;
    stats->clamped += clamped;
    stats->taps += taps;
    if (worst > stats->worst) stats->worst = worst;
}
