/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The exact fallback of the FFT engine, on the y-grid the Gibbs integrand needs.
 *
 * Why coarse. The values whose FFT estimate fails are sums of exp(a(y) - (x-y)^2/(2s)) over the
 * fine y-grid, whose spacing is the output grid's (or finer). The integrand's narrowest feature
 * has std w = sqrt(s)/sqrt(1 + tC) (heat_quadgrid.c), and the trapezoid rule on spacing H errs
 * by at most 2 exp(-2 pi^2 w^2/H^2) of the sum. So the sum at a centre c is taken over the
 * sub-grid k = c + jS (S = floor(H / hy) for the coarsest H whose error is a hundredth of the
 * tolerance, 0.86-0.9 w at 1e-10, see heat.c's fallback_stride; the sub-grid contains c, and
 * the Gaussian weights exp(-q S^2 j^2) are one table), and multiplied by S. With
 * output spacings far below w (1-D n = 1e6: S ~ 2e4) this turns O(n^2) into O(n) taps.
 *
 * Why a table and not exp per tap. A term is w_k g_j with w_k = exp(a_k - amax) <= 1 the line's
 * weights, read in place: consecutive centres read consecutive addresses at each offset j, so a
 * sweep over the centres streams through the line once (a phase-major copy would be re-read
 * once per node). The largest term T* of a centre is found by a
 * short climb (started from the previous centre's argmax); terms below e^-cut T* are dropped
 * (cut <= CUT, as deep as the tolerance needs: heat.c's fallback_cut), and the window ends
 * where the prefix/suffix maximum of w times g_j falls below that: every dropped term is
 * provably below e^-cut T*. Relevant factors are then >= e^-(RANGE+CUT) and
 * never underflow while T* >= e^-RANGE; below that the centre takes the exp-per-tap window of
 * heat_logsum.c on the same sub-grid (exact at any range, slower). */
#include "heat_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "deeprelax/error.h"

int dr_coarse_table_init(dr_coarse_table *ct, double q, double hy, size_t S, size_t n,
                         double cut)
{
    memset(ct, 0, sizeof *ct);
    if (S < 1) S = 1;
    ct->S = S;
    ct->cut = cut < DR_HEAT_CUT ? cut : DR_HEAT_CUT;
    ct->ecut = exp(-ct->cut);
    ct->H = (double)S * hy;
    ct->q = q * (double)S * (double)S;
    ct->logS = log((double)S);
    ct->inv_S = 1.0 / (double)S;
    ct->sparse_rows = SIZE_MAX;
    size_t nodes = (n + S - 1) / S;
    double reach = sqrt((DR_HEAT_RANGE + DR_HEAT_CUT) / ct->q);
    ct->J = reach >= (double)nodes ? nodes : (size_t)ceil(reach);
    size_t len = 2 * ct->J + 1;
    ct->g = malloc(len * sizeof *ct->g);
    ct->gz = malloc(len * sizeof *ct->gz);
    ct->gm = malloc((len + 1) * sizeof *ct->gm);
    if (!ct->g || !ct->gz || !ct->gm) {
        dr_coarse_table_free(ct);
        return dr_error(DR_ENOMEM, "out of memory for a Gaussian table of %zu taps", len);
    }
    for (size_t i = 0; i < len; i++) {
        double j = (double)i - (double)ct->J;
        ct->g[i] = exp(-ct->q * j * j);
        /* the offset moment (c - k) h = -j H */
        ct->gz[i] = -j * ct->H * ct->g[i];
    }
    /* the shifted rule's nodes sit S/2 fine points (rounded down) past each node */
    double shift = (double)(S / 2) / (double)S;
    for (size_t i = 0; i <= len; i++) {
        double j = (double)i - (double)ct->J - 1.0 + shift;
        ct->gm[i] = exp(-ct->q * j * j);
    }
    return DR_SUCCESS;
}

void dr_coarse_table_free(dr_coarse_table *ct)
{
    free(ct->g);
    free(ct->gz);
    free(ct->gm);
    ct->g = ct->gz = ct->gm = NULL;
}

void dr_coarse_line_free(dr_coarse_line *cl)
{
    free(cl->pre); free(cl->suf); free(cl->logs); free(cl->bmax); free(cl->tmp);
    memset(cl, 0, sizeof *cl);
}

static int coarse_line_reserve(dr_coarse_line *cl, size_t n)
{
    if (n <= cl->cap) return DR_SUCCESS;
    dr_coarse_line_free(cl);
    cl->pre = malloc(n * sizeof *cl->pre);
    cl->suf = malloc(n * sizeof *cl->suf);
    cl->logs = malloc(n * sizeof *cl->logs);
    if (!cl->pre || !cl->suf || !cl->logs) {
        dr_coarse_line_free(cl);
        return dr_error(DR_ENOMEM, "out of memory for a %zu-point fallback line", n);
    }
    cl->cap = n;
    return DR_SUCCESS;
}

/* x / S, exactly: a 64-bit division costs 40-90 cycles and the hot path needs several per
 * block of eight values; the product by 1/S is within one of the quotient (x < 2^52), and one
 * step corrects it. */
static inline size_t div_S(const dr_coarse_table *ct, size_t x)
{
    size_t q = (size_t)((double)x * ct->inv_S);
    if (q * ct->S > x) q--;
    else if ((q + 1) * ct->S <= x) q++;
    return q;
}

/* Node count of the sub-grid of phase p (fine indices p, p + S, ...) of the loaded line. */
static size_t phase_nodes(const dr_coarse_line *cl, size_t p)
{
    return cl->n_nodes + (p < cl->n_rest ? 1 : 0);
}

static inline double fmax_plain(double x, double y)
{
    return x > y ? x : y;
}

/* dst[k] = max(src[k], src[k + d]) where k + d is on the line, else src[k]. */
static void pair_max(const double *src, double *dst, size_t n, size_t d)
{
    size_t m = n > d ? n - d : 0;
    #pragma omp simd
    for (size_t k = 0; k < m; k++) dst[k] = fmax_plain(src[k], src[k + d]);
    memcpy(dst + m, src + m, (n - m) * sizeof *dst);
}

/* bmax[k] = the largest of w[k + j S], j < DR_COARSE_BLOCK, on the line: three doublings. */
static void block_maxima(dr_coarse_line *cl, const double *w, size_t n, size_t S)
{
    pair_max(w, cl->tmp, n, S);
    pair_max(cl->tmp, cl->bmax, n, 2 * S);
    pair_max(cl->bmax, cl->tmp, n, 4 * S);
    double *t = cl->bmax;
    cl->bmax = cl->tmp;
    cl->tmp = t;
}

/* Running maxima of w along each sub-grid (stride S), from the left and from the right. */
int dr_coarse_line_load(dr_coarse_line *cl, const dr_coarse_table *ct, const double *w,
                        const double *wc, size_t n, int threads)
{
    int status = coarse_line_reserve(cl, n);
    if (status) return status;
    cl->n = n;
    cl->n_nodes = n / ct->S;
    cl->n_rest = n % ct->S;
    cl->w = w;
    cl->wc = wc;
    cl->has_logs = 0;
    size_t S = ct->S < n ? ct->S : n;
    /* the first (last) S values start their sub-grids; each later one extends its own */
    memcpy(cl->pre, w, S * sizeof *w);
    memcpy(cl->suf + n - S, w + n - S, S * sizeof *w);
    if (threads > 1 && S >= 4096) {
        /* long strides (1-D, fine output grids): the S sub-grids are independent, so each
         * thread takes a range of phases [p0, p1) down the whole line, S values at a time
         * (one parallel region; a region per block of S cost a fork and join each) */
        size_t chunk = ((S + (size_t)threads - 1) / (size_t)threads + 7) & ~(size_t)7;
        #pragma omp parallel for schedule(static) num_threads(threads)
        for (size_t p0 = 0; p0 < S; p0 += chunk) {
            size_t p1 = p0 + chunk < S ? p0 + chunk : S;
            for (size_t b = S; b + p0 < n; b += S) {
                size_t e = b + p1 < n ? b + p1 : n;
                #pragma omp simd
                for (size_t k = b + p0; k < e; k++) cl->pre[k] = fmax_plain(w[k], cl->pre[k - S]);
            }
            /* the suffix maxima the same from the end: reversed index r = n - 1 - k */
            for (size_t b = S; b + p0 < n; b += S) {
                size_t e = b + p1 < n ? b + p1 : n;
                for (size_t r = b + p0; r < e; r++) {
                    size_t k = n - 1 - r;
                    cl->suf[k] = fmax_plain(w[k], cl->suf[k + S]);
                }
            }
        }
    } else if (S >= 8) {
        /* each value depends on the one S back: runs of 8 are independent (vectorised) */
        #pragma omp simd safelen(8)
        for (size_t k = S; k < n; k++) cl->pre[k] = fmax_plain(w[k], cl->pre[k - S]);
        /* from the end, S values at a time: each run reads only the run after it, so the
         * run itself goes forwards (vectorised; a reversed index defeats the compiler) */
        for (size_t e = n - S; e > 0;) {
            size_t b = e > S ? e - S : 0;
            #pragma omp simd
            for (size_t k = b; k < e; k++) cl->suf[k] = fmax_plain(w[k], cl->suf[k + S]);
            e = b;
        }
    } else {
        for (size_t k = S; k < n; k++) cl->pre[k] = fmax_plain(w[k], cl->pre[k - S]);
        for (size_t k = n - S; k-- > 0;) cl->suf[k] = fmax_plain(w[k], cl->suf[k + S]);
    }
    cl->has_bmax = 0; /* the block maxima on first use (window_sums) */
    return DR_SUCCESS;
}

/* Log of the term at node m of a phase with centre node mc, in the log domain (no underflow
 * however far): from the log-weights when known, else from the stored weight. */
static double log_term(const dr_coarse_table *ct, const double *ap, size_t S, const double *wp,
                       double amax, size_t m, size_t mc)
{
    double j = (double)m - (double)mc;
    double lw = ap ? ap[m * S] - amax : log(wp[m * S]);
    return lw - ct->q * j * j;
}

static double lin_term(const dr_coarse_table *ct, const double *wp, size_t S, size_t m,
                       size_t mc)
{
    size_t d = m > mc ? m - mc : mc - m;
    return d <= ct->J ? wp[m * S] * ct->g[ct->J + d] : 0.0;
}

/* A lower bound of the largest term (as a log, relative to amax): a climb from the better of
 * the centre and the hint. Products of the stored factors while the start is representable
 * (no transcendental per step), else logs. */
static size_t climb(const dr_coarse_table *ct, const double *ap, size_t S, const double *wp,
                    size_t M, double amax, size_t mc, size_t hint, double *lbest, double *tbest)
{
    size_t m = mc;
    double tm = lin_term(ct, wp, S, m, mc);
    if (hint < M && hint != mc) {
        double th = lin_term(ct, wp, S, hint, mc);
        if (th > tm) { m = hint; tm = th; }
    }
    if (tm > 1e-290) {
        while (m + 1 < M) {
            double t = lin_term(ct, wp, S, m + 1, mc);
            if (!(t > tm)) break;
            m++; tm = t;
        }
        while (m > 0) {
            double t = lin_term(ct, wp, S, m - 1, mc);
            if (!(t > tm)) break;
            m--; tm = t;
        }
        *tbest = tm;
        /* only compared with -RANGE: a log is not needed when the term is clearly above it */
        *lbest = tm > 1e-250 ? 0.0 : log(tm);
        return m;
    }
    double lm = log_term(ct, ap, S, wp, amax, m, mc);
    while (m + 1 < M) {
        double l = log_term(ct, ap, S, wp, amax, m + 1, mc);
        if (!(l > lm)) break;
        m++; lm = l;
    }
    while (m > 0) {
        double l = log_term(ct, ap, S, wp, amax, m - 1, mc);
        if (!(l > lm)) break;
        m--; lm = l;
    }
    *lbest = lm;
    *tbest = exp(lm);
    return m;
}

/* Largest j in [0, jmax] such that every bound(j') (j' <= j) is >= thr, with bound(j) =
 * mx[mc +- j] g[J +- j] non-increasing in j; j = 0 (the centre) always counts. Searched from
 * a guess (the previous centre's answer: windows drift slowly along a sweep). */
static size_t window_end(const double *mx, size_t S, const double *g, size_t mc, size_t J,
                         size_t jmax, int right, double thr, size_t guess)
{
#define BOUND(j) (right ? mx[(mc + (j)) * S] * g[J + (j)] : mx[(mc - (j)) * S] * g[J - (j)])
    size_t j = guess > jmax ? jmax : guess;
    if (j > 0 && BOUND(j) < thr) {
        while (j > 0 && BOUND(j) < thr) j--;
        return j;
    }
    while (j < jmax && BOUND(j + 1) >= thr) j++;
    return j;
#undef BOUND
}

/* The exp-per-tap path on the same sub-grid, for centres whose largest term is below
 * e^-RANGE of the line's largest weight. */
static double coarse_logsum(dr_coarse_line *cl, const dr_coarse_table *ct, const double *a,
                            const double *carry, double amax, size_t c, double *off,
                            double *carried, size_t *window)
{
    size_t S = ct->S, mc = div_S(ct, c), p = c - mc * S, M = phase_nodes(cl, p);
    if (!a) {
        if (!cl->has_logs) {
            /* a line given by w alone: its log-weights rebuilt once */
            for (size_t k = 0; k < cl->n; k++) cl->logs[k] = amax + log(cl->w[k]);
            cl->has_logs = 1;
        }
        a = cl->logs;
    }
    double L = dr_logsum_line(a + p, S, M, amax, mc, ct->q, ct->H, off,
                              carry ? carry + p : NULL, S, carried, window);
    return L + ct->logS;
}

/* The sweep's hint (dr_coarse_block): the last centre's argmax and window ends (centre_window's
 * guesses), then the last block window searched (WL = SIZE_MAX: none), the blocks summed on it
 * since, its ends' drift in eighths of a node per block, and whether a window predicted from
 * it failed (the next block searches afresh). */
enum { HINT_ARGMAX, HINT_JL, HINT_JR, HINT_WL, HINT_WR, HINT_AGE, HINT_DL, HINT_DR, HINT_STALE };
_Static_assert(HINT_AGE == DR_COARSE_HINT_AGE && HINT_STALE + 1 == DR_COARSE_HINT,
               "the hint's layout is heat_internal.h's");

/* Window of one centre: the nodes [mc - jl, mc + jr] outside which every term is below
 * e^-CUT times the largest; 0 when its largest term is below e^-RANGE (then the exp path). */
static int centre_window(dr_coarse_line *cl, const dr_coarse_table *ct, const double *a,
                         double amax, size_t c, size_t *hint, size_t *jl, size_t *jr,
                         double *thr_out)
{
    size_t S = ct->S, mc = div_S(ct, c), p = c - mc * S, M = phase_nodes(cl, p), J = ct->J;
    size_t h = hint[HINT_ARGMAX];
    h = h < cl->n ? (h >= p ? div_S(ct, h - p + S / 2) : 0) : mc;
    if (h >= M) h = M - 1;
    double lbest, tbest;
    size_t mb = climb(ct, a ? a + p : NULL, S, cl->w + p, M, amax, mc, h, &lbest, &tbest);
    hint[HINT_ARGMAX] = p + mb * S;
    if (!(lbest >= -DR_HEAT_RANGE)) return 0;
    double thr = tbest * ct->ecut;
    if (thr_out) *thr_out = thr;
    *jr = window_end(cl->suf + p, S, ct->g, mc, J, M - 1 - mc < J ? M - 1 - mc : J, 1, thr,
                     hint[HINT_JR]);
    *jl = window_end(cl->pre + p, S, ct->g, mc, J, mc < J ? mc : J, 0, thr, hint[HINT_JL]);
    hint[HINT_JL] = *jl;
    hint[HINT_JR] = *jr;
    return 1;
}

/* sum[i] = sum_j w[j S + i] g[j], mom[i] the same with gz (if mom != NULL), big[i] the
 * largest term (if big != NULL), i < 8: the fallback's inner loop, most of auto's cost where
 * most values are recomputed. On SSE2 the eight centres are four vectors whose accumulators
 * stay in registers (compilers at -O2 keep the array version's in memory, and every tap then
 * waits on a store); max_pd(b, t) is b > t ? b : t, the same as the plain loop. */
#if defined(__SSE2__) && DR_COARSE_BLOCK == 8
static void block_sums_sse2(const double *w, size_t S, const double *g, const double *gz,
                            size_t len, double *sum, double *mom, double *big)
{
    __m128d s0 = _mm_setzero_pd(), s1 = s0, s2 = s0, s3 = s0;
    __m128d b0 = s0, b1 = s0, b2 = s0, b3 = s0, m0 = s0, m1 = s0, m2 = s0, m3 = s0;
    for (size_t j = 0; j < len; j++) {
        const double *row = w + j * S;
        __m128d gj = _mm_set1_pd(g[j]);
        __m128d w0 = _mm_loadu_pd(row), w1 = _mm_loadu_pd(row + 2);
        __m128d w2 = _mm_loadu_pd(row + 4), w3 = _mm_loadu_pd(row + 6);
        __m128d t0 = _mm_mul_pd(w0, gj), t1 = _mm_mul_pd(w1, gj);
        __m128d t2 = _mm_mul_pd(w2, gj), t3 = _mm_mul_pd(w3, gj);
        s0 = _mm_add_pd(s0, t0); s1 = _mm_add_pd(s1, t1);
        s2 = _mm_add_pd(s2, t2); s3 = _mm_add_pd(s3, t3);
        b0 = _mm_max_pd(b0, t0); b1 = _mm_max_pd(b1, t1);
        b2 = _mm_max_pd(b2, t2); b3 = _mm_max_pd(b3, t3);
        if (mom) {
            __m128d zj = _mm_set1_pd(gz[j]);
            m0 = _mm_add_pd(m0, _mm_mul_pd(w0, zj)); m1 = _mm_add_pd(m1, _mm_mul_pd(w1, zj));
            m2 = _mm_add_pd(m2, _mm_mul_pd(w2, zj)); m3 = _mm_add_pd(m3, _mm_mul_pd(w3, zj));
        }
    }
    _mm_storeu_pd(sum, s0); _mm_storeu_pd(sum + 2, s1);
    _mm_storeu_pd(sum + 4, s2); _mm_storeu_pd(sum + 6, s3);
    if (mom) {
        _mm_storeu_pd(mom, m0); _mm_storeu_pd(mom + 2, m1);
        _mm_storeu_pd(mom + 4, m2); _mm_storeu_pd(mom + 6, m3);
    }
    if (big) {
        _mm_storeu_pd(big, b0); _mm_storeu_pd(big + 2, b1);
        _mm_storeu_pd(big + 4, b2); _mm_storeu_pd(big + 6, b3);
    }
}

/* The same on AVX2 where the CPU has it: the eight centres in two vectors, and the offsets
 * split into even and odd halves summed apart and added at the end, so that two additions
 * are in flight per accumulator (one chain of dependent additions held the SSE2 loop to the
 * adder's latency). The order of the additions differs from the SSE2 loop's: the sums agree
 * to round-off, and every run on one CPU gives the same bits. */
__attribute__((target("avx2"))) static void block_sums_avx2(const double *w, size_t S,
                                                            const double *g, const double *gz,
                                                            size_t len, double *sum,
                                                            double *mom, double *big)
{
    __m256d s0 = _mm256_setzero_pd(), s1 = s0, t0 = s0, t1 = s0, b0 = s0, b1 = s0;
    __m256d m0 = s0, m1 = s0, n0 = s0, n1 = s0;
    size_t j = 0;
    for (; j + 2 <= len; j += 2) {
        const double *r0 = w + j * S, *r1 = r0 + S;
        __m256d g0 = _mm256_broadcast_sd(g + j), g1 = _mm256_broadcast_sd(g + j + 1);
        __m256d w00 = _mm256_loadu_pd(r0), w01 = _mm256_loadu_pd(r0 + 4);
        __m256d w10 = _mm256_loadu_pd(r1), w11 = _mm256_loadu_pd(r1 + 4);
        __m256d p00 = _mm256_mul_pd(w00, g0), p01 = _mm256_mul_pd(w01, g0);
        __m256d p10 = _mm256_mul_pd(w10, g1), p11 = _mm256_mul_pd(w11, g1);
        s0 = _mm256_add_pd(s0, p00); s1 = _mm256_add_pd(s1, p01);
        t0 = _mm256_add_pd(t0, p10); t1 = _mm256_add_pd(t1, p11);
        b0 = _mm256_max_pd(b0, _mm256_max_pd(p00, p10));
        b1 = _mm256_max_pd(b1, _mm256_max_pd(p01, p11));
        if (mom) {
            __m256d z0 = _mm256_broadcast_sd(gz + j), z1 = _mm256_broadcast_sd(gz + j + 1);
            m0 = _mm256_add_pd(m0, _mm256_mul_pd(w00, z0));
            m1 = _mm256_add_pd(m1, _mm256_mul_pd(w01, z0));
            n0 = _mm256_add_pd(n0, _mm256_mul_pd(w10, z1));
            n1 = _mm256_add_pd(n1, _mm256_mul_pd(w11, z1));
        }
    }
    if (j < len) {
        const double *r0 = w + j * S;
        __m256d g0 = _mm256_broadcast_sd(g + j);
        __m256d w00 = _mm256_loadu_pd(r0), w01 = _mm256_loadu_pd(r0 + 4);
        __m256d p00 = _mm256_mul_pd(w00, g0), p01 = _mm256_mul_pd(w01, g0);
        s0 = _mm256_add_pd(s0, p00); s1 = _mm256_add_pd(s1, p01);
        b0 = _mm256_max_pd(b0, p00); b1 = _mm256_max_pd(b1, p01);
        if (mom) {
            __m256d z0 = _mm256_broadcast_sd(gz + j);
            m0 = _mm256_add_pd(m0, _mm256_mul_pd(w00, z0));
            m1 = _mm256_add_pd(m1, _mm256_mul_pd(w01, z0));
        }
    }
    _mm256_storeu_pd(sum, _mm256_add_pd(s0, t0));
    _mm256_storeu_pd(sum + 4, _mm256_add_pd(s1, t1));
    if (mom) {
        _mm256_storeu_pd(mom, _mm256_add_pd(m0, n0));
        _mm256_storeu_pd(mom + 4, _mm256_add_pd(m1, n1));
    }
    if (big) {
        _mm256_storeu_pd(big, b0);
        _mm256_storeu_pd(big + 4, b1);
    }
}
#define BLOCK_SUMS_AVX2 1
#else
static void block_sums(const double *w, size_t S, const double *g, const double *gz,
                       size_t len, double *sum, double *mom, double *big)
{
    double s[DR_COARSE_BLOCK] = {0}, m[DR_COARSE_BLOCK] = {0}, b[DR_COARSE_BLOCK] = {0};
    for (size_t j = 0; j < len; j++) {
        const double *row = w + j * S;
        double gj = g[j], zj = mom ? gz[j] : 0.0;
        for (int i = 0; i < DR_COARSE_BLOCK; i++) {
            double t = row[i] * gj;
            s[i] += t;
            b[i] = b[i] > t ? b[i] : t;
            m[i] += row[i] * zj;
        }
    }
    for (int i = 0; i < DR_COARSE_BLOCK; i++) {
        sum[i] = s[i];
        if (mom) mom[i] = m[i];
        if (big) big[i] = b[i];
    }
}
#endif

/* The block's centres step apart (output grids coarser than the y-grid): the same sums on
 * strided weights, eight scalar chains. */
static void block_sums_strided(const double *w, size_t S, size_t step, const double *g,
                               const double *gz, size_t len, double *sum, double *mom,
                               double *big)
{
    double s[DR_COARSE_BLOCK] = {0}, m[DR_COARSE_BLOCK] = {0}, b[DR_COARSE_BLOCK] = {0};
    for (size_t j = 0; j < len; j++) {
        const double *row = w + j * S;
        double gj = g[j], zj = mom ? gz[j] : 0.0;
        for (int i = 0; i < DR_COARSE_BLOCK; i++) {
            double v = row[(size_t)i * step], t = v * gj;
            s[i] += t;
            b[i] = b[i] > t ? b[i] : t;
            m[i] += v * zj;
        }
    }
    for (int i = 0; i < DR_COARSE_BLOCK; i++) {
        sum[i] = s[i];
        if (mom) mom[i] = m[i];
        if (big) big[i] = b[i];
    }
}

#if defined(BLOCK_SUMS_AVX2)
static void block_sums(const double *w, size_t S, const double *g, const double *gz,
                       size_t len, double *sum, double *mom, double *big)
{
    if (__builtin_cpu_supports("avx2")) block_sums_avx2(w, S, g, gz, len, sum, mom, big);
    else block_sums_sse2(w, S, g, gz, len, sum, mom, big);
}
#endif

/* Whether the window [-JL, JR] around centre c holds every term above e^-CUT times the
 * largest term found in it (big), and that term is above e^-RANGE: the bound of every term
 * beyond either end is the running maximum of w there times the Gaussian at that end. */
static int window_holds(const dr_coarse_line *cl, const dr_coarse_table *ct, size_t c,
                        size_t JL, size_t JR, double big)
{
    size_t S = ct->S, J = ct->J;
    if (!(big >= exp(-DR_HEAT_RANGE))) /* folded at compile time */
        return 0;
    double thr = big * ct->ecut;
    /* beyond the table, g < e^-(RANGE + CUT) <= thr already */
    if (JR < J && c + (JR + 1) * S < cl->n && cl->suf[c + (JR + 1) * S] * ct->g[J + JR + 1] >= thr)
        return 0;
    if (JL < J && c >= (JL + 1) * S && cl->pre[c - (JL + 1) * S] * ct->g[J - JL - 1] >= thr)
        return 0;
    return 1;
}

/* window_holds for the block's centres c0 + i, i < DR_COARSE_BLOCK, into holds[i]; returns
 * whether all hold. Where the nodes beyond both ends lie on the line for every centre (the
 * usual case), pairs of centres at a time, branch-free. */
static int block_holds(const dr_coarse_line *cl, const dr_coarse_table *ct, size_t c0,
                       size_t step, size_t JL, size_t JR, const double *big, int *holds)
{
    size_t S = ct->S, J = ct->J, last = c0 + (DR_COARSE_BLOCK - 1) * step;
    int all = 1;
    if (JR >= J || JL >= J || last + (JR + 1) * S >= cl->n || c0 < (JL + 1) * S) {
        for (size_t i = 0; i < DR_COARSE_BLOCK; i++) {
            holds[i] = window_holds(cl, ct, c0 + i * step, JL, JR, big[i]);
            all &= holds[i];
        }
        return all;
    }
    const double *right = cl->suf + c0 + (JR + 1) * S, *left = cl->pre + c0 - (JL + 1) * S;
    double gr = ct->g[J + JR + 1], gl = ct->g[J - JL - 1], floor = exp(-DR_HEAT_RANGE);
    for (size_t i = 0; i < DR_COARSE_BLOCK; i++) {
        double thr = big[i] * ct->ecut;
        holds[i] = (big[i] >= floor) & (right[i * step] * gr < thr) & (left[i * step] * gl < thr);
        all &= holds[i];
    }
    return all;
}

/* block_sums for the block's centres step apart: the vector kernels where they are neighbours,
 * else the strided one. */
static void step_sums(const double *w, size_t S, size_t step, const double *g, const double *gz,
                      size_t len, double *sum, double *mom, double *big)
{
    if (step == 1) block_sums(w, S, g, gz, len, sum, mom, big);
    else block_sums_strided(w, S, step, g, gz, len, sum, mom, big);
}

/* The block's sums over rows [r0, r1) of its window (row r: offset r - JL), added to sum, mom
 * (want_mom), cm (carried) and big. */
static void add_rows(const dr_coarse_line *cl, const dr_coarse_table *ct, size_t base,
                     size_t step, size_t JL, size_t r0, size_t r1, int want_mom, int carried,
                     double *sum, double *mom, double *big, double *cm)
{
    size_t S = ct->S, len = r1 - r0;
    const double *g = ct->g + ct->J - JL + r0, *gz = ct->gz + ct->J - JL + r0;
    const double *w = cl->w + base + r0 * S, *wc = carried ? cl->wc + base + r0 * S : NULL;
    double s[DR_COARSE_BLOCK], m[DR_COARSE_BLOCK], b[DR_COARSE_BLOCK], c[DR_COARSE_BLOCK];
    step_sums(w, S, step, g, gz, len, s, want_mom ? m : NULL, b);
    if (carried) step_sums(wc, S, step, g, NULL, len, c, NULL, NULL);
    for (size_t i = 0; i < DR_COARSE_BLOCK; i++) {
        sum[i] += s[i];
        big[i] = fmax_plain(big[i], b[i]);
        if (want_mom) mom[i] += m[i];
        if (carried) cm[i] += c[i];
    }
}

/* Whether rows [r, r + 8) of the window can hold a term >= thr for some centre of the block:
 * bmax there (the eight nodes from row r on, per centre) times the Gaussian at the rows'
 * offset nearest the centre. The largest bound per centre into bound[]. */
static int rows_matter(const dr_coarse_line *cl, const dr_coarse_table *ct, size_t base,
                       size_t step, size_t JL, size_t r, size_t len, double thr, double *bound)
{
    size_t S = ct->S, J = ct->J, rl = r + DR_COARSE_BLOCK - 1 < len ? r + DR_COARSE_BLOCK - 1
                                                                     : len - 1;
    size_t near = r > JL ? r - JL : rl < JL ? JL - rl : 0; /* |offset| nearest 0 */
    double gmax = ct->g[J + near];
    const double *bm = cl->bmax + base + r * S;
    int matter = 0;
    for (size_t i = 0; i < DR_COARSE_BLOCK; i++) {
        bound[i] = bm[i * step] * gmax;
        matter |= bound[i] >= thr;
    }
    return matter;
}

/* Whether the line's block maxima are there, made by the first thread to need them (threads
 * may share a 1-D line; allocated only then, as most lines never need them): 0 where their
 * memory cannot be had (the window is then summed whole). */
static int have_block_maxima(dr_coarse_line *cl, size_t S)
{
    if (!__atomic_load_n(&cl->has_bmax, __ATOMIC_ACQUIRE)) {
        #pragma omp critical(dr_coarse_bmax)
        if (!__atomic_load_n(&cl->has_bmax, __ATOMIC_RELAXED)) {
            int made = 1;
            if (cl->bmax_cap < cl->n) {
                free(cl->bmax);
                free(cl->tmp);
                cl->bmax = malloc(cl->n * sizeof *cl->bmax);
                cl->tmp = malloc(cl->n * sizeof *cl->tmp);
                made = cl->bmax && cl->tmp;
                cl->bmax_cap = made ? cl->n : 0;
            }
            if (made) block_maxima(cl, cl->w, cl->n, S);
            __atomic_store_n(&cl->has_bmax, made ? 1 : -1, __ATOMIC_RELEASE);
        }
    }
    return __atomic_load_n(&cl->has_bmax, __ATOMIC_ACQUIRE) > 0;
}

/* The block's window sums. A long window (ct->sparse_rows nodes or more, four times the Gibbs
 * measure's own extent) is summed only over the runs of rows that can matter at thr / 64 (the
 * first and last centres' cut, with room for the others): rugged landscapes at large beta
 * have windows reaching from each centre to its Gibbs mass, far off (Rastrigin, beta = 100:
 * 770 taps a value), with nothing between. skip[i] gets each centre's largest bound over the
 * rows left out, to be checked against its own largest term (*sparse = 1 then; skip is not
 * written otherwise). Returns the rows summed. */
static size_t window_sums(dr_coarse_line *cl, const dr_coarse_table *ct, size_t c0,
                          size_t step, size_t JL, size_t JR, double thr, int want_mom,
                          int carried, double *sum, double *mom, double *big, double *cm,
                          double *skip, int *sparse)
{
    *sparse = 0;
    size_t S = ct->S, len = JL + JR + 1, base = c0 - JL * S, rows = 0;
    if (len < ct->sparse_rows || len < 4 * DR_COARSE_BLOCK || !have_block_maxima(cl, S)) {
        const double *g = ct->g + ct->J - JL, *gz = ct->gz + ct->J - JL;
        step_sums(cl->w + base, S, step, g, gz, len, sum, want_mom ? mom : NULL, big);
        if (carried) step_sums(cl->wc + base, S, step, g, NULL, len, cm, NULL, NULL);
        return len;
    }
    for (size_t i = 0; i < DR_COARSE_BLOCK; i++) sum[i] = mom[i] = big[i] = cm[i] = skip[i] = 0;
    double bound[DR_COARSE_BLOCK], low = thr / 64.0;
    *sparse = 1;
    size_t run = SIZE_MAX; /* first row of the run being gathered */
    for (size_t r = 0; r < len; r += DR_COARSE_BLOCK) {
        if (rows_matter(cl, ct, base, step, JL, r, len, low, bound)) {
            if (run == SIZE_MAX) run = r;
            continue;
        }
        for (size_t i = 0; i < DR_COARSE_BLOCK; i++) skip[i] = fmax_plain(skip[i], bound[i]);
        if (run != SIZE_MAX) {
            add_rows(cl, ct, base, step, JL, run, r, want_mom, carried, sum, mom, big, cm);
            rows += r - run;
            run = SIZE_MAX;
        }
    }
    if (run != SIZE_MAX) {
        add_rows(cl, ct, base, step, JL, run, len, want_mom, carried, sum, mom, big, cm);
        rows += len - run;
    }
    return rows;
}

/* Blocks a searched window serves (moved by its drift) before the next search: a sweep's
 * windows drift steadily (for a centre x the Gibbs mass sits near x / (1 + tC), a fixed
 * fraction of a node further per node), and the check after the sums, exact, catches a block
 * the prediction no longer fits. Searching costs a fifth of a 1-D line's time. */
#define WINDOW_REUSE 8

/* A window end `age` blocks after it was w0, moved by d8 / 8 nodes a block, rounded outwards. */
static size_t drifted(size_t w0, ptrdiff_t d8, size_t age)
{
    ptrdiff_t step = d8 * (ptrdiff_t)age;
    ptrdiff_t w = (ptrdiff_t)w0 + (step >= 0 ? (step + 7) / 8 : -(-step / 8));
    return w > 0 ? (size_t)w : 0;
}

/* The drift from `old` to `now` over `blocks` blocks, in eighths of a node per block: up for
 * growth, towards zero for shrinking (either way the prediction errs wide). */
static size_t drift8(size_t now, size_t old, size_t blocks)
{
    ptrdiff_t num = 8 * ((ptrdiff_t)now - (ptrdiff_t)old), b = (ptrdiff_t)blocks;
    return (size_t)(num >= 0 ? (num + b - 1) / b : -(-num / b));
}

/* The block's window [-JL, JR] (unclamped) and the cut thr of its first and last centres:
 * predicted from the last one searched while it is young, dense and trusted (*reused = 1; thr
 * is then not known, and only a sparse window's rows need it), else searched: its first
 * centre's, the union with its last centre's where step > 1 (the block then spans several
 * nodes), widened by a node each side for the block's other centres. 0 where a centre's
 * largest term is below e^-RANGE. */
static int block_window(dr_coarse_line *cl, const dr_coarse_table *ct, const double *a,
                        double amax, size_t c0, size_t step, size_t *hint, size_t *JL,
                        size_t *JR, double *thr, int *reused)
{
    int have = hint[HINT_WL] != SIZE_MAX;
    *reused = 0;
    if (have && !hint[HINT_STALE] && hint[HINT_AGE] + 1 < WINDOW_REUSE) {
        size_t age = hint[HINT_AGE] + 1;
        *JL = drifted(hint[HINT_WL], (ptrdiff_t)hint[HINT_DL], age);
        *JR = drifted(hint[HINT_WR], (ptrdiff_t)hint[HINT_DR], age);
        if (*JL + *JR + 1 < ct->sparse_rows) {
            hint[HINT_AGE] = age;
            *reused = 1;
            return 1;
        }
    }
    size_t jl, jr, last = c0 + (DR_COARSE_BLOCK - 1) * step;
    if (!centre_window(cl, ct, a, amax, c0, hint, &jl, &jr, thr)) return 0;
    if (step > 1) {
        size_t kl, kr;
        double thr_last;
        if (!centre_window(cl, ct, a, amax, last, hint, &kl, &kr, &thr_last)) return 0;
        if (thr_last < *thr) *thr = thr_last;
        if (kl > jl) jl = kl;
        if (kr > jr) jr = kr;
    }
    *JL = jl + 1;
    *JR = jr + 1;
    size_t blocks = hint[HINT_AGE] + 1;
    hint[HINT_DL] = have ? drift8(*JL, hint[HINT_WL], blocks) : 0;
    hint[HINT_DR] = have ? drift8(*JR, hint[HINT_WR], blocks) : 0;
    hint[HINT_WL] = *JL;
    hint[HINT_WR] = *JR;
    hint[HINT_AGE] = 0;
    hint[HINT_STALE] = 0;
    return 1;
}

/* The common case, a full block of evenly spaced centres c0 + i step: one window for the
 * block (block_window), checked for each centre after the sums (the largest term of each is
 * then known exactly). Returns 0 where it does not apply, 2 where every centre passed, else 1:
 * centres that fail the check get lin[i] = L[i] = NAN, to be redone alone. A predicted window
 * that fails anywhere is given up and the block summed again on a searched one. */
static int fast_block(dr_coarse_line *cl, const dr_coarse_table *ct, const double *a, double amax,
                      size_t c0, size_t step, size_t *hint, double *lin, double *L, double *off,
                      double *carried, size_t *taps)
{
    size_t S = ct->S, J = ct->J, n = cl->n, last = c0 + (DR_COARSE_BLOCK - 1) * step;
    size_t JL, JR;
    double thr = 0.0;
    int reused;
    if (last >= n || !block_window(cl, ct, a, amax, c0, step, hint, &JL, &JR, &thr, &reused))
        return 0;
    size_t left = div_S(ct, c0), right = div_S(ct, n - 1 - last);
    if (JL > J) JL = J;
    if (JR > J) JR = J;
    if (JL > left) JL = left;
    if (JR > right) JR = right;
    double sum[DR_COARSE_BLOCK], mom[DR_COARSE_BLOCK], big[DR_COARSE_BLOCK],
        cm[DR_COARSE_BLOCK], skip[DR_COARSE_BLOCK];
    int sparse;
    size_t rows = window_sums(cl, ct, c0, step, JL, JR, thr, off != NULL, carried != NULL, sum,
                              mom, big, cm, skip, &sparse);
    int holds[DR_COARSE_BLOCK], all = block_holds(cl, ct, c0, step, JL, JR, big, holds);
    for (size_t i = 0; sparse && i < DR_COARSE_BLOCK; i++)
        if (!(skip[i] < big[i] * ct->ecut)) all &= holds[i] = 0;
    if (reused && !all) {
        hint[HINT_STALE] = 1;
        int fast = fast_block(cl, ct, a, amax, c0, step, hint, lin, L, off, carried, taps);
        if (fast) *taps += DR_COARSE_BLOCK * rows; /* scanned all the same */
        return fast;
    }
    /* every centre's results, vectorised; the ones that failed are then marked */
    double scale = (double)S;
    #pragma omp simd
    for (size_t i = 0; i < DR_COARSE_BLOCK; i++) lin[i] = sum[i] * scale;
    if (off) {
        #pragma omp simd
        for (size_t i = 0; i < DR_COARSE_BLOCK; i++) off[i] = mom[i] / sum[i];
    }
    if (carried) {
        #pragma omp simd
        for (size_t i = 0; i < DR_COARSE_BLOCK; i++) carried[i] = cm[i] / sum[i];
    }
    *taps = DR_COARSE_BLOCK * rows;
    if (all) return 2;
    for (size_t i = 0; i < DR_COARSE_BLOCK; i++)
        if (!holds[i]) {
            lin[i] = L[i] = NAN;
            *taps -= rows;
        }
    return 1;
}

int dr_coarse_block(dr_coarse_line *cl, const dr_coarse_table *ct, const double *a,
                    const double *carry, double amax, size_t c0, size_t step, size_t nb,
                    size_t *hint, double *lin, double *L, double *off, double *carried,
                    size_t *taps)
{
    size_t S = ct->S, J = ct->J, JL = 0, JR = 0, n = cl->n;
    int fast = nb == DR_COARSE_BLOCK
                   ? fast_block(cl, ct, a, amax, c0, step, hint, lin, L, off, carried, taps)
                   : 0;
    if (fast == 2) return 1;
    if (fast) {
        int linear = 1;
        for (size_t i = 0; i < nb; i++) {
            if (!isnan(lin[i])) continue;
            size_t t;
            linear &= dr_coarse_block(cl, ct, a, carry, amax, c0 + i * step, 1, 1, hint, lin + i,
                                      L + i, off ? off + i : NULL,
                                      carried ? carried + i : NULL, &t);
            *taps += t;
        }
        return linear;
    }
    int table[DR_COARSE_BLOCK];
    double sum[DR_COARSE_BLOCK] = {0}, mom[DR_COARSE_BLOCK] = {0}, cm[DR_COARSE_BLOCK] = {0};
    *taps = 0;
    for (size_t i = 0; i < nb; i++) {
        size_t c = c0 + i * step, jl = 0, jr = 0;
        table[i] = centre_window(cl, ct, a, amax, c, hint, &jl, &jr, NULL);
        if (!table[i]) {
            size_t win;
            lin[i] = NAN;
            L[i] = coarse_logsum(cl, ct, a, carry, amax, c, off ? &off[i] : &mom[i],
                                 carried ? &carried[i] : NULL, &win);
            *taps += win;
            continue;
        }
        if (jl > JL) JL = jl;
        if (jr > JR) JR = jr;
    }
    /* One window for the block, the union of its centres' (every term in it is a term of
     * the sum; more of them only adds exact digits): at each offset the block's centres read
     * consecutive weights, one vector. */
    for (size_t jj = 0; jj <= JL + JR; jj++) {
        ptrdiff_t j = (ptrdiff_t)jj - (ptrdiff_t)JL, shift = j * (ptrdiff_t)S;
        double gj = ct->g[(ptrdiff_t)J + j], gzj = ct->gz[(ptrdiff_t)J + j];
        /* centres whose node at offset j lies on the line */
        size_t ilo = 0, ihi = nb;
        while (ilo < nb && (ptrdiff_t)(c0 + ilo * step) + shift < 0) ilo++;
        while (ihi > ilo && (ptrdiff_t)(c0 + (ihi - 1) * step) + shift >= (ptrdiff_t)n) ihi--;
        const double *w = cl->w + (ptrdiff_t)c0 + shift;
        if (off) {
            #pragma omp simd
            for (size_t i = ilo; i < ihi; i++) {
                sum[i] += w[i * step] * gj;
                mom[i] += w[i * step] * gzj;
            }
        } else {
            #pragma omp simd
            for (size_t i = ilo; i < ihi; i++) sum[i] += w[i * step] * gj;
        }
        if (carried) {
            const double *wc = cl->wc + (ptrdiff_t)c0 + shift;
            #pragma omp simd
            for (size_t i = ilo; i < ihi; i++) cm[i] += wc[i * step] * gj;
        }
    }
    int linear = 1;
    for (size_t i = 0; i < nb; i++) {
        linear &= table[i];
        if (!table[i]) continue;
        lin[i] = sum[i] * (double)S;
        L[i] = NAN;
        if (off) off[i] = mom[i] / sum[i];
        if (carried) carried[i] = cm[i] / sum[i];
        *taps += JL + JR + 1;
    }
    return linear;
}

/* sum_{j < len} w[j S] g[j] in four chains of additions (a single chain waits on the adder's
 * latency at every tap; the order differs from the plain loop's only by round-off). */
static double strided_dot(const double *w, size_t S, const double *g, size_t len)
{
    double a0 = 0.0, a1 = 0.0, a2 = 0.0, a3 = 0.0;
    size_t j = 0;
    for (; j + 4 <= len; j += 4) {
        a0 += w[j * S] * g[j];
        a1 += w[(j + 1) * S] * g[j + 1];
        a2 += w[(j + 2) * S] * g[j + 2];
        a3 += w[(j + 3) * S] * g[j + 3];
    }
    for (; j < len; j++) a0 += w[j * S] * g[j];
    return (a0 + a1) + (a2 + a3);
}

/* The sub-grid's own aliasing at centre c (why: heat_alias.c, on the y-grid). The model behind
 * the stride resolves the Gibbs width, but at small beta f may carry bumps narrower than it whose
 * small share of the integrand aliases on the sub-grid (seen: 4e-6 on u at beta = 0.016 with
 * bumps of width 0.4 and H = 0.6). Poisson summation gives the trapezoid rule T on nodes c + jS
 * and the shifted rule M on c + floor(S/2) + jS (the midpoint rule for even S) leading errors
 * T - Z = 2 g^(2 pi/H) and M - Z = 2 g^(2 pi/H) cos(2 pi d), d = floor(S/2)/S in [1/3, 1/2]: so
 * |T - M| / T is 1.5 to 2 times T's own. Summed over the centre's window (one node more each
 * side for M); 0 where S < 2 or the largest term is below e^-RANGE (the centre's sum is taken
 * in the log domain). */
double dr_coarse_alias(dr_coarse_line *cl, const dr_coarse_table *ct, const double *a,
                       double amax, size_t c, size_t *hint)
{
    size_t S = ct->S, J = ct->J, n = cl->n, jl, jr, half = S / 2;
    if (S < 2 || !centre_window(cl, ct, a, amax, c, hint, &jl, &jr, NULL)) return 0.0;
    /* nodes c + jS, j = -jl .. jr (on the line: jl <= c/S, jr <= the nodes left); shifted
     * nodes c + jS + S/2, j = -jl - 1 .. jr, less the first and last where off the line */
    const double *w0 = cl->w + (c - jl * S), *g = ct->g + (J - jl), *gm = ct->gm + (J - jl);
    size_t m0 = c - jl * S + half >= S ? 0 : 1, m1 = jl + jr + 1;
    if (c + jr * S + half >= n) m1--;
    /* shifted node j sits at w0[j S + half - S]; from j = m0 (on the line) */
    const double *wm = w0 + half + m0 * S - S;
    double T = strided_dot(w0, S, g, jl + jr + 1);
    double M = strided_dot(wm, S, gm + m0, m1 + 1 - m0);
    return T > 0.0 ? fabs(T - M) / T : 0.0;
}
