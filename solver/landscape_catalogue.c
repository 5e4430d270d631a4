/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The built-in catalogue: classic and purpose-built landscapes, each with analytic value,
 * gradient, Hessian and curvature bound C (sup of the largest Hessian eigenvalue over a box).
 *
 * The bounds are exact where the structure allows it (a single trigonometric term: its crest
 * inside the box or the larger end; polynomials whose Hessian is matrix-convex in x: a vertex of
 * the box) and otherwise the sum of the terms' sups (sharp-wide, paper1d's random term). */
#include "landscape_impl.h"
#include "dr_args.h"
#include "deeprelax/error.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

/* paper1d's optional random term: sum_k a_k sin(w_k x + p_k), K sinusoids with frequencies
 * uniform in [0.25, 1.5] cycles per unit (smoother than the toy's own period-1 ripple) and
 * a_k = noise sqrt(2/K), so that its mean square over a long window is noise^2: `noise` is the
 * RMS amplitude. Analytic derivatives; |term''| <= sum a_k w_k^2, added to C. */
#define NOISE_TERMS 32

typedef struct {
    double a[NOISE_TERMS], w[NOISE_TERMS], p[NOISE_TERMS];
    double curvature; /* sum a_k w_k^2 */
} noise_term;

/* Sharp-wide wells: f = q |x|^2/2 - sum_i A_i exp(-|x - c_i|^2 / (2 w_i^2)), wells on the x axis. */
#define SW_Q 0.1
#define SW_SHARP_A 1.0
#define SW_SHARP_C (-1.5)
#define SW_SHARP_W 0.1
#define SW_WIDE_A 0.8
#define SW_WIDE_C 1.5
#define SW_WIDE_W 0.8
#define SW2_WIDE_A 0.65

typedef struct {
    double (*value_grad)(const noise_term *n, const double *x, double *g);
    void (*hessian)(const noise_term *n, const double *x, double *h);
    double (*curvature)(const noise_term *n, const double *lo, const double *hi);
    /* The entry's kinks in [lo, hi] (1-D; see dr_landscape_breakpoints); NULL: smooth. */
    long (*kinks)(double lo, double hi, double *pts, size_t max);
    /* inf of the smallest Hessian eigenvalue over [lo, hi], where it is known; NULL: not. */
    double (*convexity)(const double *lo, const double *hi);
} entry_ops;

typedef struct {
    const dr_landscape_info *info;
    const noise_term *noise; /* NULL: none */
    const entry_ops *ops;
} builtin_state;

/* sup of cos(w x + p) over [lo, hi] (w > 0): 1 when a crest w x + p = 2 pi k lies inside,
 * else the larger end. */
static double sup_cos(double w, double p, double lo, double hi)
{
    double k = ceil((w * lo + p) / (2 * PI));
    if (2 * PI * k <= w * hi + p) return 1.0;
    return fmax(cos(w * lo + p), cos(w * hi + p));
}

static double max_sq(double lo, double hi) { return fmax(lo * lo, hi * hi); }

/* ---- paper1d: x^2 + 1.5 sin(2 pi x) (+ random term) ---- */
static double paper1d_vg(const noise_term *n, const double *x, double *g)
{
    double v = x[0] * x[0] + 1.5 * sin(2 * PI * x[0]);
    double d = 2 * x[0] + 3 * PI * cos(2 * PI * x[0]);
    if (n)
        for (int k = 0; k < NOISE_TERMS; k++) {
            double arg = n->w[k] * x[0] + n->p[k];
            v += n->a[k] * sin(arg);
            d += n->a[k] * n->w[k] * cos(arg);
        }
    if (g) g[0] = d;
    return v;
}
static void paper1d_h(const noise_term *n, const double *x, double *h)
{
    double d2 = 2 - 6 * PI * PI * sin(2 * PI * x[0]);
    if (n)
        for (int k = 0; k < NOISE_TERMS; k++)
            d2 -= n->a[k] * n->w[k] * n->w[k] * sin(n->w[k] * x[0] + n->p[k]);
    h[0] = d2;
}
static double paper1d_c(const noise_term *n, const double *lo, const double *hi)
{
    /* -sin(2 pi x) = cos(2 pi x + pi/2): C = 2 + 6 pi^2 = 2 + 1.5 (2 pi)^2 on any box of length >= 1 */
    return 2 + 6 * PI * PI * sup_cos(2 * PI, PI / 2, lo[0], hi[0]) + (n ? n->curvature : 0.0);
}

/* ---- quad, quad2d ---- */
static double quad_vg(const noise_term *n, const double *x, double *g)
{
    (void)n;
    if (g) g[0] = x[0];
    return 0.5 * x[0] * x[0];
}
static void quad_h(const noise_term *n, const double *x, double *h) { (void)n; (void)x; h[0] = 1; }
static double one_c(const noise_term *n, const double *lo, const double *hi)
{
    (void)n; (void)lo; (void)hi;
    return 1.0;
}
/* quad, quad2d: the Hessian is the identity everywhere */
static double one_m(const double *lo, const double *hi)
{
    (void)lo; (void)hi;
    return 1.0;
}
static double quad2d_vg(const noise_term *n, const double *x, double *g)
{
    (void)n;
    if (g) { g[0] = x[0]; g[1] = x[1]; }
    return 0.5 * (x[0] * x[0] + x[1] * x[1]);
}
static void quad2d_h(const noise_term *n, const double *x, double *h)
{
    (void)n; (void)x;
    h[0] = 1; h[1] = 0; h[2] = 0; h[3] = 1;
}

/* ---- abs: |x|; gradient 0 at the kink (the minimal-norm subgradient) ---- */
static double abs_vg(const noise_term *n, const double *x, double *g)
{
    (void)n;
    if (g) g[0] = x[0] > 0 ? 1.0 : x[0] < 0 ? -1.0 : 0.0;
    return fabs(x[0]);
}
static void zero_h1(const noise_term *n, const double *x, double *h) { (void)n; (void)x; h[0] = 0; }
static double abs_c(const noise_term *n, const double *lo, const double *hi)
{
    (void)n;
    /* The kink is a Dirac mass in f'': unbounded curvature if the box holds 0; C/(1+Ct) -> 1/t. */
    return (lo[0] <= 0 && hi[0] >= 0) ? INFINITY : 0.0;
}

static long abs_kinks(double lo, double hi, double *pts, size_t max)
{
    if (!(lo <= 0 && hi >= 0)) return 0;
    if (!pts) return 1;
    if (max < 1) return DR_BREAKPOINTS_UNKNOWN;
    pts[0] = 0.0;
    return 1;
}

/* ---- double-well: (x^2 - 1)^2 ---- */
static double dwell_vg(const noise_term *n, const double *x, double *g)
{
    (void)n;
    double s = x[0] * x[0] - 1;
    if (g) g[0] = 4 * x[0] * s;
    return s * s;
}
static void dwell_h(const noise_term *n, const double *x, double *h)
{
    (void)n;
    h[0] = 12 * x[0] * x[0] - 4;
}
static double dwell_c(const noise_term *n, const double *lo, const double *hi)
{
    (void)n;
    return 12 * max_sq(lo[0], hi[0]) - 4;
}
/* 12 x^2 - 4 is least at the point of [lo, hi] nearest 0 */
static double dwell_m(const double *lo, const double *hi)
{
    double near = lo[0] > 0 ? lo[0] : hi[0] < 0 ? hi[0] : 0.0;
    return 12 * near * near - 4;
}

/* ---- cos1d: -cos(pi x) ---- */
static double cos1d_vg(const noise_term *n, const double *x, double *g)
{
    (void)n;
    if (g) g[0] = PI * sin(PI * x[0]);
    return -cos(PI * x[0]);
}
static void cos1d_h(const noise_term *n, const double *x, double *h)
{
    (void)n;
    h[0] = PI * PI * cos(PI * x[0]);
}
static double cos1d_c(const noise_term *n, const double *lo, const double *hi)
{
    (void)n;
    return PI * PI * sup_cos(PI, 0, lo[0], hi[0]);
}

/* ---- sharp-wide (1-D and 2-D): quadratic confinement and two Gaussian wells ---- */
typedef struct { double a, c, w; } well;
static const well sw1_wells[2] = {{SW_SHARP_A, SW_SHARP_C, SW_SHARP_W}, {SW_WIDE_A, SW_WIDE_C, SW_WIDE_W}};
static const well sw2_wells[2] = {{SW_SHARP_A, SW_SHARP_C, SW_SHARP_W}, {SW2_WIDE_A, SW_WIDE_C, SW_WIDE_W}};

static double wells_vg(const well *wl, int dim, const double *x, double *g)
{
    double r[2], v = 0;
    for (int a = 0; a < dim; a++) {
        v += 0.5 * SW_Q * x[a] * x[a];
        if (g) g[a] = SW_Q * x[a];
    }
    for (int i = 0; i < 2; i++) {
        r[0] = x[0] - wl[i].c;
        r[1] = dim == 2 ? x[1] : 0.0;
        double s2 = wl[i].w * wl[i].w;
        double e = wl[i].a * exp(-(r[0] * r[0] + r[1] * r[1]) / (2 * s2));
        v -= e;
        if (g)
            for (int a = 0; a < dim; a++) g[a] += e * r[a] / s2;
    }
    return v;
}
static void wells_h(const well *wl, int dim, const double *x, double *h)
{
    /* D^2 of -A exp(-|r|^2/(2 w^2)) is (A/w^2) e (I - r r^T / w^2). */
    for (int k = 0; k < dim * dim; k++) h[k] = (k % (dim + 1) == 0) ? SW_Q : 0.0;
    for (int i = 0; i < 2; i++) {
        double r[2] = {x[0] - wl[i].c, dim == 2 ? x[1] : 0.0};
        double s2 = wl[i].w * wl[i].w;
        double e = wl[i].a * exp(-(r[0] * r[0] + r[1] * r[1]) / (2 * s2)) / s2;
        for (int a = 0; a < dim; a++)
            for (int b = 0; b < dim; b++)
                h[a * dim + b] += e * ((a == b ? 1.0 : 0.0) - r[a] * r[b] / s2);
    }
}
static double wells_c(const well *wl)
{
    /* Each term's largest eigenvalue peaks at its centre: q, A_s/w_s^2, A_w/w_w^2. Their sum bounds
     * the sup (about 1.3% above the true one, where the wide well's tail is slightly concave). */
    return SW_Q + wl[0].a / (wl[0].w * wl[0].w) + wl[1].a / (wl[1].w * wl[1].w);
}
static double sw1_vg(const noise_term *n, const double *x, double *g) { (void)n; return wells_vg(sw1_wells, 1, x, g); }
static void sw1_h(const noise_term *n, const double *x, double *h) { (void)n; wells_h(sw1_wells, 1, x, h); }
static double sw1_c(const noise_term *n, const double *lo, const double *hi) { (void)n; (void)lo; (void)hi; return wells_c(sw1_wells); }
static double sw2_vg(const noise_term *n, const double *x, double *g) { (void)n; return wells_vg(sw2_wells, 2, x, g); }
static void sw2_h(const noise_term *n, const double *x, double *h) { (void)n; wells_h(sw2_wells, 2, x, h); }
static double sw2_c(const noise_term *n, const double *lo, const double *hi) { (void)n; (void)lo; (void)hi; return wells_c(sw2_wells); }

/* ---- rastrigin: 20 + sum_i (x_i^2 - 10 cos(2 pi x_i)) ---- */
static double rastrigin_vg(const noise_term *n, const double *x, double *g)
{
    (void)n;
    double v = 20;
    for (int a = 0; a < 2; a++) {
        v += x[a] * x[a] - 10 * cos(2 * PI * x[a]);
        if (g) g[a] = 2 * x[a] + 20 * PI * sin(2 * PI * x[a]);
    }
    return v;
}
static void rastrigin_h(const noise_term *n, const double *x, double *h)
{
    (void)n;
    h[0] = 2 + 40 * PI * PI * cos(2 * PI * x[0]);
    h[1] = h[2] = 0;
    h[3] = 2 + 40 * PI * PI * cos(2 * PI * x[1]);
}
static double rastrigin_c(const noise_term *n, const double *lo, const double *hi)
{
    (void)n;
    double s = fmax(sup_cos(2 * PI, 0, lo[0], hi[0]), sup_cos(2 * PI, 0, lo[1], hi[1]));
    return 2 + 40 * PI * PI * s;
}

/* The largest Hessian eigenvalue at the four vertices: the sup over the box when
 * x -> v^T D^2 f(x) v is convex for every v (himmelblau, rosenbrock), since then
 * lambda_max(D^2 f(x)) = max_v v^T D^2 f(x) v is a convex function of x. */
static double vertex_max(void (*hess)(const noise_term *, const double *, double *),
                         const double *lo, const double *hi)
{
    double best = -INFINITY, h[4];
    for (int k = 0; k < 4; k++) {
        double x[2] = {(k & 1) ? hi[0] : lo[0], (k & 2) ? hi[1] : lo[1]};
        hess(NULL, x, h);
        best = fmax(best, dr_landscape_max_eigen(2, h));
    }
    return best;
}

/* ---- himmelblau: (x^2 + y - 11)^2 + (x + y^2 - 7)^2 ---- */
static double himmelblau_vg(const noise_term *n, const double *x, double *g)
{
    (void)n;
    double p = x[0] * x[0] + x[1] - 11, q = x[0] + x[1] * x[1] - 7;
    if (g) {
        g[0] = 4 * x[0] * p + 2 * q;
        g[1] = 2 * p + 4 * x[1] * q;
    }
    return p * p + q * q;
}
static void himmelblau_h(const noise_term *n, const double *x, double *h)
{
    (void)n;
    h[0] = 12 * x[0] * x[0] + 4 * x[1] - 42;
    h[1] = h[2] = 4 * (x[0] + x[1]);
    h[3] = 12 * x[1] * x[1] + 4 * x[0] - 26;
}
static double himmelblau_c(const noise_term *n, const double *lo, const double *hi)
{
    (void)n;
    /* v^T H v = 12 v1^2 x^2 + 12 v2^2 y^2 + (affine in x, y): convex. */
    return vertex_max(himmelblau_h, lo, hi);
}

/* ---- camel6: (4 - 2.1 x^2 + x^4/3) x^2 + x y + (-4 + 4 y^2) y^2 ---- */
static double camel6_vg(const noise_term *n, const double *x, double *g)
{
    (void)n;
    double u = x[0], v = x[1], u2 = u * u, v2 = v * v;
    if (g) {
        g[0] = 8 * u - 8.4 * u2 * u + 2 * u2 * u2 * u + v;
        g[1] = u - 8 * v + 16 * v2 * v;
    }
    return (4 - 2.1 * u2 + u2 * u2 / 3) * u2 + u * v + (-4 + 4 * v2) * v2;
}
static void camel6_h(const noise_term *n, const double *x, double *h)
{
    (void)n;
    double u2 = x[0] * x[0];
    h[0] = 8 - 25.2 * u2 + 10 * u2 * u2;
    h[1] = h[2] = 1;
    h[3] = -8 + 48 * x[1] * x[1];
}
static double camel6_c(const noise_term *n, const double *lo, const double *hi)
{
    (void)n;
    /* The off-diagonal is the constant 1, so lambda_max = (a+b)/2 + hypot((a-b)/2, 1) grows with
     * both diagonal entries: take each one's sup. f_xx = 8 - 25.2 x^2 + 10 x^4 has its interior
     * maximum at x = 0 (the other critical points, x^2 = 1.26, are minima). */
    double a = 8 - 25.2 * lo[0] * lo[0] + 10 * pow(lo[0], 4);
    a = fmax(a, 8 - 25.2 * hi[0] * hi[0] + 10 * pow(hi[0], 4));
    if (lo[0] <= 0 && hi[0] >= 0) a = fmax(a, 8.0);
    double b = -8 + 48 * max_sq(lo[1], hi[1]);
    double h[4] = {a, 1, 1, b};
    return dr_landscape_max_eigen(2, h);
}

/* ---- rosenbrock: (1 - x)^2 + 100 (y - x^2)^2 ---- */
static double rosenbrock_vg(const noise_term *n, const double *x, double *g)
{
    (void)n;
    double r = x[1] - x[0] * x[0];
    if (g) {
        g[0] = -2 * (1 - x[0]) - 400 * x[0] * r;
        g[1] = 200 * r;
    }
    return (1 - x[0]) * (1 - x[0]) + 100 * r * r;
}
static void rosenbrock_h(const noise_term *n, const double *x, double *h)
{
    (void)n;
    h[0] = 1200 * x[0] * x[0] - 400 * x[1] + 2;
    h[1] = h[2] = -400 * x[0];
    h[3] = 200;
}
static double rosenbrock_c(const noise_term *n, const double *lo, const double *hi)
{
    (void)n;
    /* v^T H v = 1200 v1^2 x^2 + (affine in x, y): convex. */
    return vertex_max(rosenbrock_h, lo, hi);
}

/* ---- the table ---- */

static const dr_landscape_info infos[] = {
    {"paper1d", 1, {-3, 0}, {3, 0}, "x^2 + 1.5 sin(2 pi x)",
     "the paper's 1-D toy; C = 2 + 1.5 (2 pi)^2; --noise adds a smooth random term (RMS amplitude)"},
    {"quad", 1, {-5, 0}, {5, 0}, "x^2/2",
     "closed form u = x^2/(2(1+t)) + log(1+t)/(2 beta)"},
    {"quad2d", 2, {-5, -5}, {5, 5}, "(x^2 + y^2)/2",
     "closed form u = |x|^2/(2(1+t)) + log(1+t)/beta"},
    {"abs", 1, {-3, 0}, {3, 0}, "|x|",
     "kink at 0 (C = inf); Hopf-Lax closed form x^2/(2t) for |x| <= t, |x| - t/2 beyond"},
    {"double-well", 1, {-2, 0}, {2, 0}, "(x^2 - 1)^2", "two equal minima at x = -1, 1"},
    {"cos1d", 1, {-1, 0}, {1, 0}, "-cos(pi x)",
     "smooth and periodic: finite-difference convergence tests"},
    {"sharp-wide", 1, {-4, 0}, {4, 0},
     "x^2/20 - exp(-(x+1.5)^2/0.02) - 0.8 exp(-(x-1.5)^2/1.28)",
     "deep narrow well at -1.5, shallower wide well at 1.5: at beta = 10 the global minimiser of "
     "u(.,t) jumps to the wide well at t = 1.3688 (viscous only: Hopf-Lax keeps min u = min f)"},
    {"sharp-wide2d", 2, {-4, -4}, {4, 4},
     "(x^2+y^2)/20 - exp(-((x+1.5)^2+y^2)/0.02) - 0.65 exp(-((x-1.5)^2+y^2)/1.28)",
     "deep narrow well at (-1.5,0), shallower wide well at (1.5,0): at beta = 10 the global "
     "minimiser of u(.,t) jumps to the wide well at t = 0.5059 (viscous only)"},
    {"rastrigin", 2, {-5.12, -5.12}, {5.12, 5.12},
     "20 + x^2 - 10 cos(2 pi x) + y^2 - 10 cos(2 pi y)",
     "many local minima on a convex bowl; global minimum 0 at the origin"},
    {"himmelblau", 2, {-5, -5}, {5, 5}, "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
     "four equal global minima (value 0), e.g. (3, 2)"},
    {"camel6", 2, {-3, -2}, {3, 2},
     "(4 - 2.1 x^2 + x^4/3) x^2 + x y + (-4 + 4 y^2) y^2",
     "six-hump camel: six local minima, two global (-1.0316 at +-(0.0898, -0.7126))"},
    {"rosenbrock", 2, {-2, -1}, {2, 3}, "(1 - x)^2 + 100 (y - x^2)^2",
     "narrow curved valley; minimum 0 at (1, 1)"},
};

static const entry_ops ops_table[] = {
    {paper1d_vg, paper1d_h, paper1d_c, NULL, NULL},
    {quad_vg, quad_h, one_c, NULL, one_m},
    {quad2d_vg, quad2d_h, one_c, NULL, one_m},
    {abs_vg, zero_h1, abs_c, abs_kinks, NULL},
    {dwell_vg, dwell_h, dwell_c, NULL, dwell_m},
    {cos1d_vg, cos1d_h, cos1d_c, NULL, NULL},
    {sw1_vg, sw1_h, sw1_c, NULL, NULL},
    {sw2_vg, sw2_h, sw2_c, NULL, NULL},
    {rastrigin_vg, rastrigin_h, rastrigin_c, NULL, NULL},
    {himmelblau_vg, himmelblau_h, himmelblau_c, NULL, NULL},
    {camel6_vg, camel6_h, camel6_c, NULL, NULL},
    {rosenbrock_vg, rosenbrock_h, rosenbrock_c, NULL, NULL},
};

#define N_ENTRIES (sizeof infos / sizeof infos[0])
_Static_assert(sizeof ops_table / sizeof ops_table[0] == N_ENTRIES, "one ops entry per landscape");

size_t dr_landscape_catalogue_size(void) { return N_ENTRIES; }

const dr_landscape_info *dr_landscape_catalogue(size_t i) { return i < N_ENTRIES ? &infos[i] : NULL; }

const dr_landscape_info *dr_landscape_catalogue_find(const char *name)
{
    if (!name) return NULL;
    for (size_t i = 0; i < N_ENTRIES; i++)
        if (!strcmp(infos[i].name, name)) return &infos[i];
    return NULL;
}

/* ---- the vtable over catalogue entries ---- */
static double builtin_value_grad(const void *state, const double *x, double *grad)
{
    const builtin_state *s = state;
    return s->ops->value_grad(s->noise, x, grad);
}
static int builtin_hessian(const void *state, const double *x, double *hess)
{
    const builtin_state *s = state;
    s->ops->hessian(s->noise, x, hess);
    return DR_SUCCESS;
}
static double builtin_curvature(const void *state, const double *lo, const double *hi)
{
    const builtin_state *s = state;
    return s->ops->curvature(s->noise, lo, hi);
}
static long builtin_breakpoints(const void *state, double lo, double hi, double *pts,
                                size_t max)
{
    const builtin_state *s = state;
    return s->ops->kinks ? s->ops->kinks(lo, hi, pts, max) : 0;
}
static double builtin_convexity(const void *state, const double *lo, const double *hi)
{
    const builtin_state *s = state;
    return s->ops->convexity ? s->ops->convexity(lo, hi) : -INFINITY;
}
static void builtin_destroy(void *state)
{
    builtin_state *s = state;
    if (s) free((void *)s->noise);
    free(s);
}
static const dr_landscape_ops builtin_vtable = {builtin_value_grad, builtin_hessian,
                                                builtin_curvature, builtin_destroy,
                                                builtin_breakpoints, NULL,
                                                builtin_convexity, NULL, NULL};

static noise_term *noise_alloc(double amplitude, unsigned long seed)
{
    noise_term *n = malloc(sizeof *n);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    if (!n || !rng) {
        free(n);
        if (rng) gsl_rng_free(rng);
        return NULL;
    }
    gsl_rng_set(rng, seed);
    n->curvature = 0;
    for (int k = 0; k < NOISE_TERMS; k++) {
        double cycles = 0.25 + 1.25 * gsl_rng_uniform(rng);
        n->w[k] = 2 * PI * cycles;
        n->p[k] = 2 * PI * gsl_rng_uniform(rng);
        n->a[k] = amplitude * sqrt(2.0 / NOISE_TERMS);
        n->curvature += n->a[k] * n->w[k] * n->w[k];
    }
    gsl_rng_free(rng);
    return n;
}

int dr_landscape_alloc_builtin(dr_landscape **out, const char *name,
                               const dr_landscape_params *params)
{
    DR_CHECK_PTRS(out, name);
    *out = NULL;
    if (!name) return dr_error(DR_EINVAL, "no landscape name given");
    const dr_landscape_info *info = dr_landscape_catalogue_find(name);
    if (!info)
        return dr_error(DR_ENOTFOUND, "unknown landscape '%s' (run `deeprelax landscapes` for the list)",
                        name);
    double noise = params ? params->noise : 0.0;
    if (!isfinite(noise) || noise < 0)
        return dr_error(DR_EINVAL, "noise amplitude must be finite and >= 0 (got %g)", noise);
    if (noise > 0 && strcmp(name, "paper1d"))
        return dr_error(DR_EINVAL, "the noise term exists only for paper1d, not '%s'", name);

    builtin_state *s = calloc(1, sizeof *s);
    if (!s) return dr_error(DR_ENOMEM, "out of memory allocating landscape '%s'", name);
    s->info = info;
    s->ops = &ops_table[info - infos];
    if (noise > 0) {
        s->noise = noise_alloc(noise, params->seed);
        if (!s->noise) {
            free(s);
            return dr_error(DR_ENOMEM, "out of memory allocating landscape '%s'", name);
        }
    }
    return dr_landscape_wrap(out, &builtin_vtable, s, info->dim, info->name, info->formula,
                             info->lo, info->hi);
}
