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

static double function_value_grad(const void *state, const double *x, double *grad)
{
    function_state *s = (function_state *)state;
    double v;
    call(s, s->value, "value", 1, x, &v, 1);
    if (grad) gradient(s, x, grad);
    return v;
}

static int function_hessian(const void *state, const double *x, double *hess)
{
    function_state *s = (function_state *)state;
    int d = s->dim;
    for (int a = 0; a < d; a++) {
        double p[2], gp[2], gm[2], h = step(x, a, s->grad ? 1.0 / 3 : 0.25);
        memcpy(p, x, (size_t)d * sizeof *p);
        p[a] = x[a] + h;
        double hp = p[a] - x[a];
        gradient(s, p, gp);
        p[a] = x[a] - h;
        double hm = x[a] - p[a];
        gradient(s, p, gm);
        for (int b = 0; b < d; b++) hess[b * d + a] = (gp[b] - gm[b]) / (hp + hm);
    }
    if (d == 2) hess[1] = hess[2] = 0.5 * (hess[1] + hess[2]);
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
    free(s);
}

static const dr_landscape_ops function_vtable = {function_value_grad, function_hessian,
                                                 function_curvature, function_destroy};

int dr_landscape_alloc_function(dr_landscape **out, int dim, const double *domain,
                                double curvature, dr_landscape_fn value, dr_landscape_fn grad,
                                void *user, const char *name)
{
    if (!out || !domain || !value)
        return dr_error(DR_EINVAL, "dr_landscape_alloc_function: NULL argument");
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
        return dr_error(DR_EINVAL, "dr_landscape_eval: NULL argument");
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
