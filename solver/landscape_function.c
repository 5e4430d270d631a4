/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Landscapes from the caller's own function: a batch callback for f (and optionally one for its
 * gradient) evaluated at many points per call, how a Python user relaxes a NumPy function.
 *
 * Thread safety, the contract of landscape.h: every call into the caller's functions holds this
 * landscape's own mutex, so they run in one thread at a time even when a solver's OpenMP loop
 * evaluates f from several threads (which thread it is may change from call to call).
 *
 * Derivatives the caller does not give are central differences: the gradient of the values with
 * step h = eps^(1/3) max(1, |x|) (error ~ h^2 f''' ~ 1e-11), the Hessian of the gradient with the
 * same step (or second differences of values with h = eps^(1/4) max(1, |x|), error ~ 1e-8). */
#include "landscape_impl.h"
#include "deeprelax/error.h"

#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int dim;
    dr_landscape_fn value, grad;
    void *user;
    double curvature;        /* the caller's bound, NAN if none */
    pthread_mutex_t lock;    /* held around every callback; guards `failed` and `message` */
    int failed;              /* first failure status since the last clear */
    char message[384];
    /* Prefetched values (dr_landscape_prefetch): point (i, j) of a lattice or grid. */
    double *memo;
    int memo_grid;           /* 1: coordinates by dr_grid_coord(&memo_g); 0: y0 + i h */
    dr_grid memo_g;
    double memo_y0[2], memo_h[2];
} function_state;

/* Calls fn under the lock; a failure is recorded once (with the point) and the outputs NaN. */
static int call(function_state *s, dr_landscape_fn fn, const char *what, size_t n,
                const double *x, double *out, size_t nout)
{
    pthread_mutex_lock(&s->lock);
    int status = s->failed ? s->failed : fn(s->user, n, x, out);
    if (status && !s->failed) {
        s->failed = status;
        const char *why = dr_error_message();
        snprintf(s->message, sizeof s->message, "the landscape's %s callback failed (status %d) "
                 "at x = %g%s%s%s", what, status, x[0], s->dim == 2 ? ", ..." : "",
                 why[0] ? ": " : "", why);
    }
    pthread_mutex_unlock(&s->lock);
    if (status)
        for (size_t i = 0; i < nout; i++) out[i] = NAN;
    return status;
}

static double step(const double *x, int a, double power)
{
    return pow(DBL_EPSILON, power) * fmax(1.0, fabs(x[a]));
}

/* Gradient at one point: the callback, or central differences of the values. */
static void gradient(function_state *s, const double *x, double *grad)
{
    if (s->grad) {
        call(s, s->grad, "gradient", 1, x, grad, (size_t)s->dim);
        return;
    }
    double pts[8], v[4];
    for (int a = 0; a < s->dim; a++)
        for (int side = 0; side < 2; side++) {
            double *p = pts + (2 * a + side) * s->dim;
            memcpy(p, x, (size_t)s->dim * sizeof *p);
            p[a] += (side ? 1 : -1) * step(x, a, 1.0 / 3);
        }
    call(s, s->value, "value", (size_t)(2 * s->dim), pts, v, (size_t)(2 * s->dim));
    for (int a = 0; a < s->dim; a++) {
        double up = pts[(2 * a + 1) * s->dim + a], down = pts[2 * a * s->dim + a];
        grad[a] = (v[2 * a + 1] - v[2 * a]) / (up - down);
    }
}

/* The index of coordinate v on axis a of the prefetched points, if v is one of them exactly
 * (bit for bit what the solver's loop computes), else SIZE_MAX. */
static size_t memo_index(const function_state *s, int a, double v)
{
    const dr_grid *g = &s->memo_g;
    double k = s->memo_grid ? (v - g->lo[a]) / g->h[a] : (v - s->memo_y0[a]) / s->memo_h[a];
    if (!(k >= -0.5) || !(k < (double)g->n[a] - 0.5)) return SIZE_MAX;
    size_t i = (size_t)llround(k);
    double back = s->memo_grid ? dr_grid_coord(g, a, i) : s->memo_y0[a] + (double)i * s->memo_h[a];
    return back == v ? i : SIZE_MAX;
}

static int memo_lookup(function_state *s, const double *x, double *v)
{
    pthread_mutex_lock(&s->lock);
    int hit = 0;
    if (s->memo) {
        size_t i = memo_index(s, 0, x[0]), j = s->dim == 2 ? memo_index(s, 1, x[1]) : 0;
        if (i != SIZE_MAX && j != SIZE_MAX) {
            *v = s->memo[j * s->memo_g.n[0] + i];
            hit = 1;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return hit;
}

static double function_value_grad(const void *state, const double *x, double *grad)
{
    function_state *s = (function_state *)state;
    double v;
    if (!memo_lookup(s, x, &v)) call(s, s->value, "value", 1, x, &v, 1);
    if (grad) gradient(s, x, grad);
    return v;
}

/* One batch call per Hessian: 2 dim gradients, or the 3^dim values of the second differences
 * (f_xy by the four diagonal points). */
static int function_hessian(const void *state, const double *x, double *hess)
{
    function_state *s = (function_state *)state;
    int d = s->dim;
    double h[2], pts[18] = {0}, out[9];
    for (int a = 0; a < d; a++) h[a] = step(x, a, s->grad ? 1.0 / 3 : 0.25);
    if (s->grad) {
        for (int a = 0; a < d; a++)
            for (int side = 0; side < 2; side++) {
                double *p = pts + (2 * a + side) * d;
                memcpy(p, x, (size_t)d * sizeof *p);
                p[a] += side ? h[a] : -h[a];
            }
        call(s, s->grad, "gradient", (size_t)(2 * d), pts, out, (size_t)(2 * d * d));
        for (int a = 0; a < d; a++) {
            double width = pts[(2 * a + 1) * d + a] - pts[2 * a * d + a];
            for (int b = 0; b < d; b++)
                hess[b * d + a] = (out[(2 * a + 1) * d + b] - out[2 * a * d + b]) / width;
        }
        if (d == 2) hess[1] = hess[2] = 0.5 * (hess[1] + hess[2]);
    } else {
        /* points (i, j) in {-1, 0, 1}^d at x + (i h0, j h1), i fastest */
        size_t np = d == 1 ? 3 : 9;
        for (size_t k = 0; k < np; k++) {
            pts[k * (size_t)d] = x[0] + (double)((int)(k % 3) - 1) * h[0];
            if (d == 2) pts[k * 2 + 1] = x[1] + (double)((int)(k / 3) - 1) * h[1];
        }
        call(s, s->value, "value", np, pts, out, np);
        if (d == 1) {
            hess[0] = (out[0] - 2 * out[1] + out[2]) / (h[0] * h[0]);
        } else {
            hess[0] = (out[3] - 2 * out[4] + out[5]) / (h[0] * h[0]);
            hess[3] = (out[1] - 2 * out[4] + out[7]) / (h[1] * h[1]);
            hess[1] = hess[2] = (out[8] - out[6] - out[2] + out[0]) / (4 * h[0] * h[1]);
        }
    }
    pthread_mutex_lock(&s->lock);
    int failed = s->failed;
    pthread_mutex_unlock(&s->lock);
    return failed ? dr_error(failed, "%s", s->message) : DR_SUCCESS;
}

static double function_curvature(const void *state, const double *lo, const double *hi)
{
    (void)lo;
    (void)hi;
    return ((const function_state *)state)->curvature;
}

static void function_destroy(void *state)
{
    function_state *s = state;
    pthread_mutex_destroy(&s->lock);
    free(s->memo);
    free(s);
}

/* No breakpoints: the caller's function is taken as smooth (landscape.h says so); one with
 * kinks is better given as an expression, whose abs/sign the library finds by probing. */
static const dr_landscape_ops function_vtable = {function_value_grad, function_hessian,
                                                 function_curvature, function_destroy, NULL, NULL,
                                                 NULL, NULL, NULL};

int dr_landscape_alloc_function(dr_landscape **out, int dim, const double *domain,
                                double curvature, dr_landscape_fn value, dr_landscape_fn grad,
                                void *user, const char *name)
{
    if (!out || !domain || !value)
        return dr_error(DR_EINVAL, "%s: NULL argument (out, domain, value must not be NULL)",
                        __func__);
    *out = NULL;
    if (dim != 1 && dim != 2)
        return dr_error(DR_EINVAL, "a function landscape is 1-D or 2-D (got dim = %d)", dim);
    double lo[2] = {0, 0}, hi[2] = {0, 0};
    for (int a = 0; a < dim; a++) {
        lo[a] = domain[2 * a];
        hi[a] = domain[2 * a + 1];
        if (!isfinite(lo[a]) || !isfinite(hi[a]) || !(hi[a] > lo[a]))
            return dr_error(DR_EINVAL, "the domain of axis %d is not an interval lo < hi "
                            "(got %g, %g)", a, lo[a], hi[a]);
    }
    if (curvature == -INFINITY)
        return dr_error(DR_EINVAL, "the curvature bound must be a number, +inf or NAN (unknown)");
    function_state *s = calloc(1, sizeof *s);
    if (!s) return dr_error(DR_ENOMEM, "out of memory");
    s->dim = dim;
    s->value = value;
    s->grad = grad;
    s->user = user;
    s->curvature = curvature;
    pthread_mutex_init(&s->lock, NULL);
    return dr_landscape_wrap(out, &function_vtable, s, dim, name ? name : "function",
                             grad ? "function with gradient" : "function", lo, hi);
}

/* The failure record lives in the state of function landscapes only. */
static function_state *function_of(const dr_landscape *f)
{
    void *state;
    return dr_landscape_ops_of(f, &state) == &function_vtable ? state : NULL;
}

int dr_landscape_failure(const dr_landscape *f)
{
    function_state *s = f ? function_of(f) : NULL;
    if (!s) return DR_SUCCESS;
    pthread_mutex_lock(&s->lock);
    int failed = s->failed;
    if (failed) dr_error(failed, "%s", s->message);
    pthread_mutex_unlock(&s->lock);
    return failed;
}

void dr_landscape_failure_clear(const dr_landscape *f)
{
    function_state *s = f ? function_of(f) : NULL;
    if (!s) return;
    pthread_mutex_lock(&s->lock);
    s->failed = 0;
    s->message[0] = '\0';
    pthread_mutex_unlock(&s->lock);
}

int dr_landscape_eval(const dr_landscape *f, size_t n, const double *x, double *value,
                      double *grad)
{
    if (!f || (n && (!x || !value)))
        return dr_error(DR_EINVAL, "%s: NULL argument (f, and x, value when n > 0, must not be "
                        "NULL)", __func__);
    size_t dim = (size_t)dr_landscape_dim(f);
    function_state *s = function_of(f);
    if (s) {
        dr_landscape_failure_clear(f);
        if (n) call(s, s->value, "value", n, x, value, n);
        if (grad && s->grad && n) call(s, s->grad, "gradient", n, x, grad, n * dim);
        else if (grad)
            for (size_t i = 0; i < n; i++) gradient(s, x + i * dim, grad + i * dim);
        return dr_landscape_failure(f);
    }
    for (size_t i = 0; i < n; i++)
        value[i] = dr_landscape_value_grad(f, x + i * dim, grad ? grad + i * dim : NULL);
    return DR_SUCCESS;
}

int dr_landscape_sample_batch(const dr_landscape *f, const dr_grid *g, double *field)
{
    function_state *s = function_of(f);
    if (!s) return 0;
    size_t size = dr_grid_size(g);
    double *x = malloc(size * (size_t)g->dim * sizeof *x);
    if (!x) return 0; /* the caller falls back to one point at a time */
    for (size_t k = 0; k < size; k++) {
        x[k * (size_t)g->dim] = dr_grid_coord(g, 0, k % g->n[0]);
        if (g->dim == 2) x[k * 2 + 1] = dr_grid_coord(g, 1, k / g->n[0]);
    }
    call(s, s->value, "value", size, x, field, size);
    free(x);
    return 1;
}

/* Fills the memo with f at every point of g (memo_grid) or of the lattice (then g->n, dim
 * give its size). The solvers' sampling loops evaluate point by point; this turns them into
 * one callback (a Python function costs tens of microseconds a call, a million calls a minute). */
static void prefetch(const dr_landscape *f, const dr_grid *g, int grid, const double *y0,
                     const double *h)
{
    function_state *s = function_of(f);
    if (!s) return;
    size_t size = g->n[0] * g->n[1], d = (size_t)g->dim;
    double *x = malloc(size * d * sizeof *x), *v = malloc(size * sizeof *v);
    if (!x || !v) { free(x); free(v); return; } /* no memo: one point at a time */
    for (size_t k = 0; k < size; k++) {
        size_t i = k % g->n[0], j = k / g->n[0];
        x[k * d] = grid ? dr_grid_coord(g, 0, i) : y0[0] + (double)i * h[0];
        if (d == 2) x[k * 2 + 1] = grid ? dr_grid_coord(g, 1, j) : y0[1] + (double)j * h[1];
    }
    int status = call(s, s->value, "value", size, x, v, size);
    free(x);
    pthread_mutex_lock(&s->lock);
    free(s->memo);
    s->memo = status ? NULL : v;
    s->memo_grid = grid;
    s->memo_g = *g;
    for (int a = 0; a < 2; a++) {
        s->memo_y0[a] = y0 ? y0[a] : 0;
        s->memo_h[a] = h ? h[a] : 0;
    }
    pthread_mutex_unlock(&s->lock);
    if (status) free(v);
}

void dr_landscape_prefetch_grid(const dr_landscape *f, const dr_grid *g)
{
    prefetch(f, g, 1, NULL, NULL);
}

void dr_landscape_prefetch_lattice(const dr_landscape *f, int dim, const size_t n[2],
                                   const double y0[2], const double h[2])
{
    dr_grid g = {.dim = dim, .n = {n[0], dim == 2 ? n[1] : 1}};
    prefetch(f, &g, 0, y0, h);
}

void dr_landscape_prefetch_end(const dr_landscape *f)
{
    function_state *s = function_of(f);
    if (!s) return;
    pthread_mutex_lock(&s->lock);
    free(s->memo);
    s->memo = NULL;
    pthread_mutex_unlock(&s->lock);
}
