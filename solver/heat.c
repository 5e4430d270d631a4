/* Viscous Hamilton-Jacobi by Cole-Hopf: plans, the FFT engine, and the choice between engines.
 *
 * u(x,t) = fref - (1/beta) log( sum_y w(y) G_s(x-y) hy^d ),  w = exp(-beta (f - fref)), s = t/beta:
 * the trapezoid rule for the Gaussian convolution on the y-grid of heat_quadgrid.c.
 *
 * FFT engine. w never depends on t, so its spectrum is computed once in the plan; each execution
 * multiplies by the spectrum of the sampled Gaussian (separable, so two 1-D transforms of length
 * N) and runs one c2r transform per output (u, and each gradient component with the kernel
 * z G(z), since x - <y> = sum (x-y) G w / sum G w). The kernel is truncated at K points, where
 * its weight exp(-q K^2) has fallen below 1e-17 / (number of y points), and the transform length
 * is at least (y points + K) so the circular convolution equals the linear one.
 *
 * Error estimate. The FFT's round-off is absolute: about eps_fft times the largest value of the
 * transformed array; the truncated tail adds at most exp(-q K^2) times the sum of w. Divided by
 * the local value v(x), that is the relative error of v and so beta times the error of u. Points
 * whose estimate exceeds the tolerance (or whose v is not positive) are recomputed by the
 * log-domain engine. */
#include "deeprelax/heat.h"

#include <fftw3.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "deeprelax/error.h"
#include "heat_internal.h"

/* FFTW's round-off relative to the largest output value, with a safety factor; measured
 * FFTW errors are ~1e-16 sqrt(log N) in rms. */
#define EPS_FFT(ntot) (4e-16 * log2((double)(ntot) + 2.0))

struct dr_heat_plan {
    dr_grid g;
    double beta, t_min, t_max;
    dr_heat_options opt;
    dr_quadgrid qg;
    size_t out_index[2];   /* y-index of output point 0 per axis */
    double *rowmax;        /* max of a per y-row (2-D) */
    /* FFT engine */
    int fft;
    size_t N[2], K[2], ntot, nspec;
    double wsum;
    double *real;
    fftw_complex *what, *spec;
    fftw_plan c2r;
    double *kreal[2];
    fftw_complex *kspec[2];
    fftw_plan kplan[2];
    /* per-execution scratch */
    double *v, *num[2];
    unsigned char *flag;
    double *A, *D;         /* 2-D log engine: per output column, per y-row */
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
    static const dr_heat_engine all[] = {DR_HEAT_AUTO, DR_HEAT_FFT, DR_HEAT_LOGSUM};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        if (!strcmp(name, dr_heat_engine_name(all[i]))) {
            *e = all[i];
            return DR_SUCCESS;
        }
    return dr_error(DR_EINVAL, "unknown heat engine '%s' (auto, fft, logsum)", name);
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

void dr_heat_plan_free(dr_heat_plan *p)
{
    if (!p) return;
    dr_quadgrid_free(&p->qg);
    free(p->rowmax);
    if (p->fft) {
        fftw_destroy_plan(p->c2r);
        for (int a = 0; a < p->g.dim; a++) {
            fftw_destroy_plan(p->kplan[a]);
            fftw_free(p->kreal[a]);
            fftw_free(p->kspec[a]);
        }
        fftw_free(p->real);
        fftw_free(p->what);
        fftw_free(p->spec);
    }
    free(p->v); free(p->num[0]); free(p->num[1]); free(p->flag);
    free(p->A); free(p->D);
    free(p);
}

static int setup_fft(dr_heat_plan *p)
{
    const dr_quadgrid *qg = &p->qg;
    int dim = qg->dim;
    double s_max = p->t_max / p->beta;
    p->N[1] = 1; p->K[1] = 0;
    for (int a = 0; a < dim; a++) {
        double q = qg->hy[a] * qg->hy[a] / (2.0 * s_max);
        double kk = sqrt((39.0 + log((double)(qg->n[0] * qg->n[1]))) / q);
        size_t K = kk >= (double)(qg->n[a] - 1) ? qg->n[a] - 1 : (size_t)ceil(kk);
        p->K[a] = K;
        p->N[a] = fft_size(qg->n[a] + K);
    }
    size_t N0 = p->N[0], N1 = p->N[1];
    p->ntot = N0 * N1;
    p->nspec = N1 * (N0 / 2 + 1);
    p->real = fftw_alloc_real(p->ntot);
    p->what = fftw_alloc_complex(p->nspec);
    p->spec = fftw_alloc_complex(p->nspec);
    if (!p->real || !p->what || !p->spec)
        return dr_error(DR_ENOMEM, "out of memory for a %zu x %zu FFT", N0, N1);
    unsigned flags = p->opt.fftw_flags;
    fftw_plan r2c = dim == 1 ? fftw_plan_dft_r2c_1d((int)N0, p->real, p->what, flags)
                             : fftw_plan_dft_r2c_2d((int)N1, (int)N0, p->real, p->what, flags);
    p->c2r = dim == 1 ? fftw_plan_dft_c2r_1d((int)N0, p->spec, p->real, flags)
                      : fftw_plan_dft_c2r_2d((int)N1, (int)N0, p->spec, p->real, flags);
    for (int a = 0; a < dim; a++) {
        p->kreal[a] = fftw_alloc_real(p->N[a]);
        p->kspec[a] = fftw_alloc_complex(p->N[a] / 2 + 1);
        if (!p->kreal[a] || !p->kspec[a])
            return dr_error(DR_ENOMEM, "out of memory for FFT kernels");
        p->kplan[a] = fftw_plan_dft_r2c_1d((int)p->N[a], p->kreal[a], p->kspec[a], flags);
    }
    p->fft = 1;
    if (!r2c || !p->c2r)
        return dr_error(DR_ENOMEM, "FFTW could not plan a %zu x %zu transform", N0, N1);

    /* w = exp(a) on the y-grid, zero-padded; its spectrum serves every t. */
    memset(p->real, 0, p->ntot * sizeof *p->real);
    double wsum = 0.0;
    for (size_t j = 0; j < qg->n[1]; j++)
        for (size_t i = 0; i < qg->n[0]; i++) {
            double w = exp(qg->a[j * qg->n[0] + i]);
            p->real[j * N0 + i] = w;
            wsum += w;
        }
    p->wsum = wsum;
    fftw_execute(r2c);
    fftw_destroy_plan(r2c);
    return DR_SUCCESS;
}

int dr_heat_plan_alloc(dr_heat_plan **out, const dr_landscape *f, const dr_grid *g, double beta,
                       double t_min, double t_max, const dr_heat_options *opt)
{
    *out = NULL;
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
    p->opt.fftw_flags = FFTW_ESTIMATE;
    if (opt) {
        p->opt = *opt;
        if (!(p->opt.tol > 0.0)) p->opt.tol = 1e-10;
        if (p->opt.fftw_flags == 0) p->opt.fftw_flags = FFTW_ESTIMATE;
    }
    if (p->opt.engine == DR_HEAT_HYBRID) p->opt.engine = DR_HEAT_AUTO;

    int status = dr_quadgrid_build(&p->qg, f, g, beta, t_min, t_max);
    if (status) { free(p); return status; }
    const dr_quadgrid *qg = &p->qg;
    for (int a = 0; a < 2; a++) p->out_index[a] = qg->margin[a];

    size_t size = dr_grid_size(g);
    p->v = malloc(size * sizeof *p->v);
    p->num[0] = malloc(size * sizeof *p->num[0]);
    p->num[1] = malloc(size * sizeof *p->num[1]);
    p->flag = malloc(size);
    p->rowmax = malloc(qg->n[1] * sizeof *p->rowmax);
    if (g->dim == 2) {
        p->A = malloc(g->n[0] * qg->n[1] * sizeof *p->A);
        p->D = malloc(g->n[0] * qg->n[1] * sizeof *p->D);
    }
    if (!p->v || !p->num[0] || !p->num[1] || !p->flag || !p->rowmax ||
        (g->dim == 2 && (!p->A || !p->D))) {
        dr_heat_plan_free(p);
        return dr_error(DR_ENOMEM, "out of memory");
    }
    for (size_t j = 0; j < qg->n[1]; j++) {
        double m = -INFINITY;
        for (size_t i = 0; i < qg->n[0]; i++)
            if (qg->a[j * qg->n[0] + i] > m) m = qg->a[j * qg->n[0] + i];
        p->rowmax[j] = m;
    }
    if (p->opt.engine != DR_HEAT_LOGSUM) {
        status = setup_fft(p);
        if (status) { dr_heat_plan_free(p); return status; }
    }
    *out = p;
    return DR_SUCCESS;
}

/* Spectrum of the sampled, truncated Gaussian exp(-q d^2) (odd = 0) or of d*h*exp(-q d^2)
 * (odd = 1) on axis a, into p->kspec[a]. */
static void kernel_spectrum(dr_heat_plan *p, int a, double q, int odd)
{
    size_t N = p->N[a], K = p->K[a];
    double h = p->qg.hy[a], *k = p->kreal[a];
    memset(k, 0, N * sizeof *k);
    k[0] = odd ? 0.0 : 1.0;
    for (size_t d = 1; d <= K; d++) {
        double g = exp(-q * (double)d * (double)d);
        k[d] = odd ? (double)d * h * g : g;
        k[N - d] = odd ? -(double)d * h * g : g;
    }
    fftw_execute(p->kplan[a]);
}

/* One convolution of w with the separable kernel whose axis spectra are ka (axis 0) and kb
 * (axis 1, full length from the half spectrum by conjugate symmetry); result in p->real, scaled. */
static void convolve(dr_heat_plan *p, const fftw_complex *k0, const fftw_complex *k1)
{
    size_t N0 = p->N[0], N1 = p->N[1], H0 = N0 / 2 + 1;
    double scale = 1.0 / (double)p->ntot;
    for (size_t j = 0; j < N1; j++) {
        double br = 1.0, bi = 0.0;
        if (k1) {
            size_t jj = j <= N1 / 2 ? j : N1 - j;
            br = k1[jj][0];
            bi = j <= N1 / 2 ? k1[jj][1] : -k1[jj][1];
        }
        for (size_t i = 0; i < H0; i++) {
            double kr = k0[i][0] * br - k0[i][1] * bi;
            double ki = k0[i][0] * bi + k0[i][1] * br;
            const double *w = p->what[j * H0 + i];
            p->spec[j * H0 + i][0] = (w[0] * kr - w[1] * ki) * scale;
            p->spec[j * H0 + i][1] = (w[0] * ki + w[1] * kr) * scale;
        }
    }
    fftw_execute(p->c2r);
}

static double array_absmax(const double *x, size_t n)
{
    double m = 0.0;
    for (size_t i = 0; i < n; i++)
        if (fabs(x[i]) > m) m = fabs(x[i]);
    return m;
}

/* Copies the output points of p->real into dst. */
static void gather(const dr_heat_plan *p, double *dst)
{
    size_t r = (size_t)p->qg.refine, N0 = p->N[0];
    for (size_t j = 0; j < p->g.n[1]; j++) {
        size_t yj = p->g.dim == 2 ? p->out_index[1] + j * r : 0;
        for (size_t i = 0; i < p->g.n[0]; i++)
            dst[j * p->g.n[0] + i] = p->real[yj * N0 + p->out_index[0] + i * r];
    }
}

/* FFT pass: v and numerators at every output point, and a flag where the estimate fails.
 * Returns the number of flagged points and the largest estimated u error among the others. */
static size_t fft_pass(dr_heat_plan *p, double t, int want_grad, int strict, double *est_max,
                       size_t *clamped)
{
    int dim = p->g.dim;
    size_t size = dr_grid_size(&p->g);
    double s = t / p->beta, q[2], trunc = 0.0;
    for (int a = 0; a < dim; a++) {
        q[a] = p->qg.hy[a] * p->qg.hy[a] / (2.0 * s);
        if (p->K[a] + 1 < p->qg.n[a])
            trunc += exp(-q[a] * (double)(p->K[a] + 1) * (double)(p->K[a] + 1));
    }
    double eps = EPS_FFT(p->ntot);
    /* Spectra: Gaussian on every axis, and z*Gaussian where a gradient is wanted. */
    fftw_complex *g0 = fftw_alloc_complex(p->N[0] / 2 + 1), *g1 = NULL;
    kernel_spectrum(p, 0, q[0], 0);
    memcpy(g0, p->kspec[0], (p->N[0] / 2 + 1) * sizeof *g0);
    if (dim == 2) {
        g1 = fftw_alloc_complex(p->N[1] / 2 + 1);
        kernel_spectrum(p, 1, q[1], 0);
        memcpy(g1, p->kspec[1], (p->N[1] / 2 + 1) * sizeof *g1);
    }
    convolve(p, g0, g1);
    double vmax = array_absmax(p->real, p->ntot);
    gather(p, p->v);
    double dv = eps * vmax + trunc * p->wsum;
    double dnum[2] = {0, 0};
    if (want_grad) {
        for (int a = 0; a < dim; a++) {
            kernel_spectrum(p, a, q[a], 1);  /* z G on axis a, G on the other */
            if (a == 0) convolve(p, p->kspec[0], g1);
            else convolve(p, g0, p->kspec[1]);
            double reach = (double)p->K[a] * p->qg.hy[a];
            dnum[a] = eps * array_absmax(p->real, p->ntot) + reach * trunc * p->wsum;
            gather(p, p->num[a]);
        }
    }
    fftw_free(g0);
    fftw_free(g1);

    size_t flagged = 0;
    double worst = 0.0, tol = p->opt.tol, tol_grad = 1e3 * p->opt.tol;
    *clamped = 0;
    for (size_t k = 0; k < size; k++) {
        double v = p->v[k];
        int bad = !(v > 0.0) || !isfinite(v);
        if (bad && !strict) {
            /* FFT engine by request: a value lost in round-off is replaced by the noise floor,
             * finite but meaningless, and counted so that the caller can say so. */
            p->v[k] = dv;
            for (int a = 0; a < dim; a++) p->num[a][k] = 0.0;
            p->flag[k] = 0;
            ++*clamped;
            worst = INFINITY;
            continue;
        }
        double err_u = bad ? INFINITY : dv / (p->beta * v);
        double err_g = 0.0;
        if (!bad && want_grad)
            for (int a = 0; a < dim; a++) {
                double e = (dnum[a] + fabs(p->num[a][k] / v) * dv) / (v * t);
                if (e > err_g) err_g = e;
            }
        if (bad || (strict && (err_u > tol || err_g > tol_grad))) {
            p->flag[k] = 1;
            flagged++;
        } else {
            p->flag[k] = 0;
            if (err_u > worst) worst = err_u;
        }
    }
    *est_max = worst;
    return flagged;
}

/* Log-domain engine at every flagged output point (all of them if all != 0). Each line sum takes
 * the tabulated fast path when the line's range allows it, else the exp-per-tap window. */
static double line_sum(const dr_gauss_table *tab, const double *w, const double *wc,
                       const double *a, size_t n, double amax, size_t c, const double *carry,
                       double *off, double *carried, size_t *window)
{
    double L = w ? dr_gauss_line(tab, w, wc, n, amax, a[c], c, off, carried, window) : NAN;
    if (isnan(L))
        L = dr_logsum_line(a, 1, n, amax, c, tab->q, tab->h, off, carry, 1, carried, window);
    return L;
}

/* w[k] = exp(a[k] - amax) and, if carry, wc[k] = carry[k] w[k]. */
static void line_weights(const double *a, const double *carry, size_t n, double amax, double *w,
                         double *wc)
{
    for (size_t k = 0; k < n; k++) {
        w[k] = exp(a[k] - amax);
        if (wc) wc[k] = carry[k] * w[k];
    }
}

static size_t log_pass(dr_heat_plan *p, double t, int all, double *u, double *grad)
{
    const dr_quadgrid *qg = &p->qg;
    int dim = p->g.dim;
    size_t r = (size_t)qg->refine, n0 = p->g.n[0], size = dr_grid_size(&p->g);
    size_t ny0 = qg->n[0], ny1 = qg->n[1], taps = 0;
    double s = t / p->beta, lognorm = 0.0;
    for (int a = 0; a < dim; a++)
        lognorm += log(qg->hy[a] / sqrt(2.0 * M_PI * s));
    dr_gauss_table tab[2];
    memset(tab, 0, sizeof tab);
    for (int a = 0; a < dim; a++)
        if (dr_gauss_table_init(&tab[a], qg->hy[a] * qg->hy[a] / (2.0 * s), qg->hy[a], qg->n[a]))
            tab[a] = (dr_gauss_table){.q = qg->hy[a] * qg->hy[a] / (2.0 * s), .h = qg->hy[a]};

    if (dim == 1) {
        double *w = tab[0].g ? malloc(ny0 * sizeof *w) : NULL;
        if (w) line_weights(qg->a, NULL, ny0, p->rowmax[0], w, NULL);
        #pragma omp parallel for schedule(dynamic, 64) reduction(+ : taps)
        for (size_t i = 0; i < n0; i++) {
            if (!all && !p->flag[i]) continue;
            double off;
            size_t win;
            double L = line_sum(&tab[0], w, NULL, qg->a, ny0, p->rowmax[0],
                                p->out_index[0] + i * r, NULL, &off, NULL, &win);
            taps += win;
            u[i] = qg->fref - (L + lognorm) / p->beta;
            if (grad) grad[i] = off / t;
        }
        free(w);
        dr_gauss_table_free(&tab[0]);
        return taps;
    }

    /* 2-D, pass 1: along x in every y-row, for the output columns that need it. A and D are
     * stored per column (A[i*ny1 + l]) so that pass 2 reads contiguous lines. */
    unsigned char *needed = calloc(n0, 1);
    if (!needed) all = 1;  /* without the column mask, every column is needed */
    for (size_t i = 0; needed && i < n0; i++) {
        needed[i] = (unsigned char)all;
        for (size_t j = 0; j < p->g.n[1] && !needed[i]; j++) needed[i] = p->flag[j * n0 + i];
    }
    #pragma omp parallel reduction(+ : taps)
    {
        double *w = tab[0].g ? malloc(ny0 * sizeof *w) : NULL;
        #pragma omp for schedule(dynamic, 8)
        for (size_t l = 0; l < ny1; l++) {
            const double *a = qg->a + l * ny0;
            if (w) line_weights(a, NULL, ny0, p->rowmax[l], w, NULL);
            for (size_t i = 0; i < n0; i++) {
                if (needed && !needed[i]) continue;
                size_t win;
                p->A[i * ny1 + l] = line_sum(&tab[0], w, NULL, a, ny0, p->rowmax[l],
                                             p->out_index[0] + i * r, NULL, &p->D[i * ny1 + l],
                                             NULL, &win);
                taps += win;
            }
        }
        free(w);
    }
    /* Pass 2: along y in each needed column, carrying the x-offset means of pass 1. */
    #pragma omp parallel reduction(+ : taps)
    {
        double *w = tab[1].g ? malloc(2 * ny1 * sizeof *w) : NULL;
        #pragma omp for schedule(dynamic, 4)
        for (size_t i = 0; i < n0; i++) {
            if (needed && !needed[i]) continue;
            const double *A = p->A + i * ny1, *D = p->D + i * ny1;
            double amax = -INFINITY;
            for (size_t l = 0; l < ny1; l++)
                if (A[l] > amax) amax = A[l];
            if (w) line_weights(A, D, ny1, amax, w, w + ny1);
            for (size_t j = 0; j < p->g.n[1]; j++) {
                size_t k = j * n0 + i;
                if (!all && !p->flag[k]) continue;
                double off1, off0;
                size_t win;
                double L = line_sum(&tab[1], w, w ? w + ny1 : NULL, A, ny1, amax,
                                    p->out_index[1] + j * r, D, &off1, &off0, &win);
                taps += win;
                u[k] = qg->fref - (L + lognorm) / p->beta;
                if (grad) {
                    grad[k] = off0 / t;
                    grad[size + k] = off1 / t;
                }
            }
        }
        free(w);
    }
    free(needed);
    dr_gauss_table_free(&tab[0]);
    dr_gauss_table_free(&tab[1]);
    return taps;
}

int dr_heat_execute(dr_heat_plan *p, double t, double *u, double *grad, dr_heat_report *rep)
{
    if (!(t >= p->t_min * (1.0 - 1e-12)) || !(t <= p->t_max * (1.0 + 1e-12)))
        return dr_error(DR_EINVAL, "t = %g is outside the plan's range [%g, %g]", t, p->t_min,
                        p->t_max);
    size_t size = dr_grid_size(&p->g);
    int dim = p->g.dim;
    dr_heat_report report = {0};
    report.refine = p->qg.refine;
    report.margin = (double)p->qg.margin[0] * p->qg.hy[0];
    report.quad_points[0] = p->qg.n[0];
    report.quad_points[1] = p->qg.n[1];
    report.margin_capped = p->qg.margin_capped;
    report.fft_size[0] = p->fft ? p->N[0] : 0;
    report.fft_size[1] = p->fft ? p->N[1] : 0;

    dr_heat_engine engine = p->opt.engine;
    if (engine == DR_HEAT_LOGSUM) {
        report.log_taps = log_pass(p, t, 1, u, grad);
        report.engine = DR_HEAT_LOGSUM;
        report.log_points = size;
    } else {
        double est;
        int strict = engine == DR_HEAT_AUTO;
        size_t flagged = fft_pass(p, t, grad != NULL, strict, &est, &report.clamped_points);
        if (strict && 2 * flagged > size) {
            /* The FFT lost most points: the log domain alone is both exact and no slower. */
            report.log_taps = log_pass(p, t, 1, u, grad);
            report.engine = DR_HEAT_LOGSUM;
            report.log_points = size;
        } else {
            double lognorm = 0.0, s = t / p->beta;
            for (int a = 0; a < dim; a++)
                lognorm += log(p->qg.hy[a] / sqrt(2.0 * M_PI * s));
            for (size_t k = 0; k < size; k++) {
                if (p->flag[k]) continue;
                u[k] = p->qg.fref - (log(p->v[k]) + lognorm) / p->beta;
                if (grad)
                    for (int a = 0; a < dim; a++)
                        grad[a * size + k] = p->num[a][k] / (p->v[k] * t);
            }
            if (flagged) report.log_taps = log_pass(p, t, 0, u, grad);
            report.engine = flagged ? DR_HEAT_HYBRID : DR_HEAT_FFT;
            report.log_points = flagged;
            report.est_error = est;
        }
    }
    for (size_t k = 0; k < size; k++)
        if (!isfinite(u[k]))
            return dr_error(DR_ENUMERIC, "non-finite u at output point %zu (t = %g)", k, t);
    if (rep) *rep = report;
    return DR_SUCCESS;
}
