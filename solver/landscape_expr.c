/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Landscapes from an expression in x (and y): parsed and differentiated symbolically by GNU
 * libmatheval, so gradient and Hessian are exact expressions, not finite differences.
 *
 * libmatheval is not reentrant: its parser is a global flex/bison pair, and an evaluation writes
 * the variable values into a symbol table that an expression shares with its derivatives. So
 * every parse, derivative and destruction holds one process-wide lock, and each landscape keeps
 * several copies of its evaluators (each copy with its own symbol table, parsed separately),
 * each behind its own lock: threads evaluating at once take different copies instead of
 * queueing for one (the Hopf-Lax polish and the alias check evaluate f from every thread). */
#include "landscape_impl.h"
#include "expr_jet.h"
#include "dr_args.h"
#include "deeprelax/error.h"
#include "deeprelax/parse.h"

#include <omp.h>
#include <math.h>
#include <matheval.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DR_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) || defined(DR_ASAN)
/* libmatheval's parser leaks its partial tree when an expression does not parse (not ours to
 * free: it keeps no handle). Tell LeakSanitizer, so that `make check-asan` reports our leaks only. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void) { return "leak:libmatheval.so\n"; }
#endif

static pthread_mutex_t matheval_lock = PTHREAD_MUTEX_INITIALIZER;

/* Derivatives, indexed as: 0 f, 1 f_x, 2 f_y, 3 f_xx, 4 f_xy, 5 f_yy (y ones only in 2-D). */
enum { E_F, E_X, E_Y, E_XX, E_XY, E_YY, E_COUNT };

/* Copies of the evaluators: more than the threads a machine of this class runs at once. */
#define EXPR_COPIES 8

typedef struct {
    pthread_mutex_t lock;
    void *e[E_COUNT];
} expr_copy;

typedef struct {
    int dim;
    int nonsmooth;  /* the text uses a function with kinks or jumps (dr_expr_check decides) */
    int ncopies;
    expr_copy copy[EXPR_COPIES];
    dr_expr_program *prog;  /* the text compiled for the jet op (expr_jet.h); NULL: libmatheval */
} expr_state;

/* A free copy, locked: the calling OpenMP thread's own first, then any free one; if every copy
 * is busy, wait for the thread's own. */
static expr_copy *acquire(const expr_state *cs)
{
    expr_state *s = (expr_state *)cs;  /* the locks are the only mutable part */
    int first = omp_get_thread_num() % s->ncopies;
    for (int k = 0; k < s->ncopies; k++) {
        expr_copy *c = &s->copy[(first + k) % s->ncopies];
        if (pthread_mutex_trylock(&c->lock) == 0) return c;
    }
    pthread_mutex_lock(&s->copy[first].lock);
    return &s->copy[first];
}

static void release(expr_copy *c) { pthread_mutex_unlock(&c->lock); }

static double eval(void *e, int dim, const double *x)
{
    return dim == 1 ? evaluator_evaluate_x(e, x[0]) : evaluator_evaluate_x_y(e, x[0], x[1]);
}

static double expr_value_grad(const void *state, const double *x, double *grad)
{
    const expr_state *s = state;
    expr_copy *c = acquire(s);
    double v = eval(c->e[E_F], s->dim, x);
    if (grad) {
        grad[0] = eval(c->e[E_X], s->dim, x);
        if (s->dim == 2) grad[1] = eval(c->e[E_Y], s->dim, x);
    }
    release(c);
    return v;
}

static int expr_hessian(const void *state, const double *x, double *h)
{
    const expr_state *s = state;
    expr_copy *c = acquire(s);
    if (s->dim == 1) {
        h[0] = eval(c->e[E_XX], 1, x);
    } else {
        h[0] = eval(c->e[E_XX], 2, x);
        h[1] = h[2] = eval(c->e[E_XY], 2, x);
        h[3] = eval(c->e[E_YY], 2, x);
    }
    release(c);
    for (int k = 0; k < s->dim * s->dim; k++)
        if (!isfinite(h[k]))
            /* e.g. abs(x) at 0, whose second derivative libmatheval writes as 2 delta(x) */
            return dr_error(DR_EUNSUPPORTED, "the expression has no finite second derivative at "
                            "x = %g%s%g", x[0], s->dim == 2 ? ", y = " : "",
                            s->dim == 2 ? x[1] : 0.0);
    return DR_SUCCESS;
}

/* f, gradient and Hessian together: the compiled program where there is one (no lock), else
 * libmatheval's evaluators. */
static int expr_jet_op(const void *state, const double *x, double *v, double *grad, double *hess)
{
    const expr_state *s = state;
    if (s->prog) return dr_expr_program_jet(s->prog, x, v, grad, hess);
    *v = expr_value_grad(s, x, grad);
    return grad && expr_hessian(s, x, hess) ? -1 : 0;
}

/* The jet op at n points: the compiled program's batch evaluator (libmatheval's evaluators
 * go point by point). */
static int expr_jets_op(const void *state, size_t n, const double *x, double *v, double *grad,
                        double *hess, int *status)
{
    const expr_state *s = state;
    if (!s->prog) return -1;
    dr_expr_program_jets(s->prog, n, x, v, grad, hess, status);
    return 0;
}

/* Called with the lock held. */
static void destroy_locked(expr_state *s)
{
    dr_expr_program_free(s->prog);
    for (int i = 0; i < s->ncopies; i++) {
        for (int k = 0; k < E_COUNT; k++)
            if (s->copy[i].e[k]) evaluator_destroy(s->copy[i].e[k]);
        pthread_mutex_destroy(&s->copy[i].lock);
    }
    free(s);
}

static void expr_destroy(void *state)
{
    if (!state) return;
    pthread_mutex_lock(&matheval_lock);
    destroy_locked(state);
    pthread_mutex_unlock(&matheval_lock);
}

/* ---- kink detection (for quadratures that must split where f is not smooth) ----
 *
 * libmatheval's functions with kinks or jumps: abs (kink), step, delta, nandelta (jumps); the
 * grammar check (dr_expr_check) says whether the expression names one. One that names none of
 * them is smooth wherever it is finite. One that does is
 * probed in 1-D: on a fine scan, a cell [a, b] holds a breakpoint when the trapezoid rule for
 * f' = integral of f'' (or for f = integral of f') misses by far more than a smooth function's
 * residual (cell^3 |f''''| / 12); bisection on the same test then pins the point to round-off.
 * In 2-D the kinks are curves: the landscape says so (DR_BREAKPOINTS_UNKNOWN). */
typedef struct { double f, d, d2; } expr_jet;

static expr_jet expr_jet_at(const expr_state *s, double x)
{
    expr_jet j;
    j.f = expr_value_grad(s, &x, &j.d);
    if (expr_hessian(s, &x, &j.d2) != DR_SUCCESS || !isfinite(j.d2)) j.d2 = 0.0;
    return j;
}

/* How badly [a, b] fails the smooth-cell test, relative to the tolerance (> 1: a breakpoint). */
static double expr_cell_misfit(const expr_jet *ja, const expr_jet *jb, double a, double b)
{
    double d = b - a;
    double rs = fabs(jb->d - ja->d - 0.5 * (ja->d2 + jb->d2) * d);
    double rv = fabs(jb->f - ja->f - 0.5 * (ja->d + jb->d) * d);
    double ts = 1e-6 * (1.0 + fabs(ja->d) + fabs(jb->d));
    double tv = 1e-6 * d * (1.0 + fabs(ja->d) + fabs(jb->d)) + 1e-12 * (fabs(ja->f) + fabs(jb->f));
    if (!isfinite(rs) || !isfinite(rv)) return INFINITY;
    return fmax(rs / ts, rv / tv);
}

static long expr_breakpoints(const void *state, double lo, double hi, double *pts, size_t max)
{
    const expr_state *s = state;
    if (!s->nonsmooth) return 0;
    if (s->dim != 1 || !isfinite(lo) || !isfinite(hi)) return DR_BREAKPOINTS_UNKNOWN;
    enum { CELLS = 16384, BISECT = 80 };
    size_t count = 0;
    double last = -INFINITY;
    expr_jet ja = expr_jet_at(s, lo);
    for (int i = 0; i < CELLS; i++) {
        double a = lo + (hi - lo) * i / CELLS, b = i + 1 == CELLS ? hi : lo + (hi - lo) * (i + 1) / CELLS;
        expr_jet jb = expr_jet_at(s, b), jl = ja, jr = jb;
        if (expr_cell_misfit(&ja, &jb, a, b) > 1.0) {
            double l = a, r = b;
            for (int it = 0; it < BISECT && r - l > 4e-16 * (fabs(l) + fabs(r)); it++) {
                double m = 0.5 * (l + r);
                expr_jet jm = expr_jet_at(s, m);
                if (expr_cell_misfit(&jl, &jm, l, m) >= expr_cell_misfit(&jm, &jr, m, r)) {
                    r = m; jr = jm;
                } else {
                    l = m; jl = jm;
                }
            }
            double c = 0.5 * (l + r);
            if (count == 0 || c - last > 1e-9 * (hi - lo)) {
                if (pts && count == max) return DR_BREAKPOINTS_UNKNOWN;
                if (pts) pts[count] = c;
                count++;
                last = c;
            }
        }
        ja = jb;
    }
    return (long)count;
}

/* The compiled program's Hessian: libmatheval's to round-off, without its lock and its three
 * tree walks. */
static int program_hessian(const void *state, const double *x, double *hess)
{
    double v, g[2];
    return dr_expr_program_jet(((const expr_state *)state)->prog, x, &v, g, hess) ? DR_EUNSUPPORTED
                                                                                 : DR_SUCCESS;
}

/* The sampled curvature (the default's), from the compiled program where there is one: 40401
 * Hessians in 2-D, which through libmatheval cost more than a polished 1024^2 execution. */
static double expr_curvature(const void *state, const double *lo, const double *hi)
{
    const expr_state *s = state;
    return dr_landscape_sampled_curvature(s->dim, lo, hi, s->prog ? program_hessian : expr_hessian,
                                          state);
}

static const dr_landscape_ops expr_vtable = {expr_value_grad, expr_hessian, expr_curvature,
                                             expr_destroy, expr_breakpoints, NULL, NULL,
                                             expr_jet_op, expr_jets_op};

/* One copy's evaluators: f parsed from the text, its derivatives (dim known). The text has
 * passed dr_expr_check, so libmatheval's lexer meets only bytes it has a rule for (it would echo
 * any other to stdout) and its parser accepts it; a failure here is an allocation failure. */
static int build_copy(expr_copy *c, const char *expr, int dim)
{
    static const char *const var[E_COUNT] = {NULL, "x", "y", "x", "y", "y"};
    static const int from[E_COUNT] = {0, E_F, E_F, E_X, E_X, E_Y};
    if (!c->e[E_F]) {
        char *text = strdup(expr);
        if (!text) return dr_error(DR_ENOMEM, "out of memory parsing expression");
        c->e[E_F] = evaluator_create(text);
        free(text);
        if (!c->e[E_F]) return dr_error(DR_ENOMEM, "libmatheval could not build the expression");
    }
    for (int k = 1; k < E_COUNT; k++) {
        if (dim == 1 && (k == E_Y || k == E_XY || k == E_YY)) continue;
        c->e[k] = evaluator_derivative(c->e[from[k]], (char *)var[k]);
        if (!c->e[k]) return dr_error(DR_ENOMEM, "out of memory differentiating the expression");
    }
    return DR_SUCCESS;
}

/* Builds the evaluators; called with the lock held. */
static int build_locked(expr_state *s, const char *expr, const dr_expr_info *info, int dim_in)
{
    char *text = strdup(expr);
    if (!text) return dr_error(DR_ENOMEM, "out of memory parsing expression");
    s->ncopies = 1;
    pthread_mutex_init(&s->copy[0].lock, NULL);
    s->copy[0].e[E_F] = evaluator_create(text);
    free(text);
    if (!s->copy[0].e[E_F]) return dr_error(DR_ENOMEM, "libmatheval could not build the expression");
    s->dim = dim_in ? dim_in : (info->uses_y ? 2 : 1);
    s->nonsmooth = info->nonsmooth;
    if (!info->nonsmooth) s->prog = dr_expr_compile(expr, s->dim);
    int status = build_copy(&s->copy[0], expr, s->dim);
    for (int i = 1; !status && i < EXPR_COPIES; i++) {
        pthread_mutex_init(&s->copy[i].lock, NULL);
        s->ncopies++;
        status = build_copy(&s->copy[i], expr, s->dim);
    }
    return status;
}

int dr_landscape_alloc_expr(dr_landscape **out, const char *expr, int dim)
{
    DR_CHECK_PTRS(out, expr);
    *out = NULL;
    if (!expr) return dr_error(DR_EPARSE, "no expression given");
    if (dim < 0 || dim > 2)
        return dr_error(DR_EINVAL, "expression dimension must be 0 (infer), 1 or 2 (got %d)", dim);
    dr_expr_info info;
    int status = dr_expr_check(expr, &info);
    if (status) return status;
    if (dim == 1 && info.uses_y)
        return dr_error(DR_EPARSE, "the expression uses y but the landscape is 1-D (use "
                        "dimension 2)");
    expr_state *s = calloc(1, sizeof *s);
    if (!s) return dr_error(DR_ENOMEM, "out of memory parsing expression");
    pthread_mutex_lock(&matheval_lock);
    status = build_locked(s, expr, &info, dim);
    if (status) destroy_locked(s);
    pthread_mutex_unlock(&matheval_lock);
    if (status) return status;
    /* Default box for expressions: [-3, 3] per axis (the paper toy's). */
    static const double lo[2] = {-3, -3}, hi[2] = {3, 3};
    return dr_landscape_wrap(out, &expr_vtable, s, s->dim, "expr", expr, lo, hi);
}
