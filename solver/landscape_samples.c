/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Landscapes from samples on a uniform grid: interpolated between samples (GSL natural cubic
 * spline in 1-D, GSL bicubic in 2-D), extended beyond the box by the nearest boundary value plus
 * a quadratic wall; and the readers that build them from CSV and .npy files.
 *
 * Evaluation passes no gsl_interp_accel (a shared accelerator would be written by every call,
 * a data race under threads; the binary search it saves is cheap) and always clamps the point
 * into the box first, so GSL's domain-error handler (which aborts by default) is never reached. */
#include "landscape_impl.h"
#include "dr_args.h"
#include "deeprelax/error.h"
#include "deeprelax/input.h"
#include "deeprelax/npy.h"
#include "deeprelax/parse.h"

#include <ctype.h>
#include <errno.h>
#include <gsl/gsl_interp2d.h>
#include <gsl/gsl_spline.h>
#include <gsl/gsl_spline2d.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    dr_grid g;
    double *xs, *ys, *f;
    gsl_spline *s1;
    gsl_spline2d *s2;
    double wall;
    double interp_unc;  /* max |interpolant - second interpolant| over the box */
} samples_state;

static void samples_destroy(void *state)
{
    samples_state *s = state;
    if (!s) return;
    if (s->s1) gsl_spline_free(s->s1);
    if (s->s2) gsl_spline2d_free(s->s2);
    free(s->xs);
    free(s->ys);
    free(s->f);
    free(s);
}

/* Clamps x into the box: c is the nearest box point, out[a] = x[a] - c[a] (0 inside). */
static void clamp(const samples_state *s, const double *x, double *c, double *out)
{
    for (int a = 0; a < s->g.dim; a++) {
        c[a] = fmin(fmax(x[a], s->g.lo[a]), s->g.hi[a]);
        out[a] = x[a] - c[a];
    }
}

static double samples_value_grad(const void *state, const double *x, double *grad)
{
    const samples_state *s = state;
    int dim = s->g.dim;
    double c[2] = {0, 0}, out[2], v, d[2] = {0, 0}, wall = 0;
    for (int a = 0; a < dim; a++)
        if (isnan(x[a])) {
            if (grad) for (int b = 0; b < dim; b++) grad[b] = NAN;
            return NAN;
        }
    clamp(s, x, c, out);
    if (dim == 1) {
        v = gsl_spline_eval(s->s1, c[0], NULL);
        if (grad) d[0] = gsl_spline_eval_deriv(s->s1, c[0], NULL);
    } else {
        v = gsl_spline2d_eval(s->s2, c[0], c[1], NULL, NULL);
        if (grad) {
            d[0] = gsl_spline2d_eval_deriv_x(s->s2, c[0], c[1], NULL, NULL);
            d[1] = gsl_spline2d_eval_deriv_y(s->s2, c[0], c[1], NULL, NULL);
        }
    }
    for (int a = 0; a < dim; a++) {
        wall += out[a] * out[a];
        /* Outside along axis a, f(c(x)) no longer depends on x[a]: only the wall's slope. */
        if (grad) grad[a] = out[a] != 0 ? s->wall * out[a] : d[a];
    }
    return v + 0.5 * s->wall * wall;
}

static int samples_hessian(const void *state, const double *x, double *h)
{
    const samples_state *s = state;
    int dim = s->g.dim;
    double c[2], out[2];
    for (int a = 0; a < dim; a++)
        if (isnan(x[a])) {
            for (int k = 0; k < dim * dim; k++) h[k] = NAN;
            return DR_SUCCESS;
        }
    clamp(s, x, c, out);
    if (dim == 1) {
        h[0] = out[0] != 0 ? s->wall : gsl_spline_eval_deriv2(s->s1, c[0], NULL);
        return DR_SUCCESS;
    }
    h[0] = gsl_spline2d_eval_deriv_xx(s->s2, c[0], c[1], NULL, NULL);
    h[1] = h[2] = gsl_spline2d_eval_deriv_xy(s->s2, c[0], c[1], NULL, NULL);
    h[3] = gsl_spline2d_eval_deriv_yy(s->s2, c[0], c[1], NULL, NULL);
    for (int a = 0; a < 2; a++)
        if (out[a] != 0) {
            h[a * 3] = s->wall;
            h[1] = h[2] = 0;
        }
    return DR_SUCCESS;
}

/* 1-D: a natural cubic spline's f'' is continuous and piecewise linear, so its sup over [lo,hi]
 * is attained at a knot or an end: exact, not sampled. Beyond the data the wall adds `wall`. */
static double samples_curvature_1d(const void *state, const double *lo, const double *hi)
{
    const samples_state *s = state;
    double a = fmax(lo[0], s->g.lo[0]), b = fmin(hi[0], s->g.hi[0]);
    double best = -INFINITY;
    if (a <= b) {
        best = fmax(gsl_spline_eval_deriv2(s->s1, a, NULL), gsl_spline_eval_deriv2(s->s1, b, NULL));
        for (size_t i = 0; i < s->g.n[0]; i++)
            if (s->xs[i] > a && s->xs[i] < b)
                best = fmax(best, gsl_spline_eval_deriv2(s->s1, s->xs[i], NULL));
    }
    if (lo[0] < s->g.lo[0] || hi[0] > s->g.hi[0]) best = fmax(best, s->wall);
    return best;
}

/* The spline is a cubic between knots: its f''' jumps at every knot, and at the box ends the
 * slope jumps to the wall's 0. In 2-D the bicubic's knot lines are not points: unknown. */
static long samples_breakpoints(const void *state, double lo, double hi, double *pts, size_t max)
{
    const samples_state *s = state;
    if (s->g.dim != 1) return DR_BREAKPOINTS_UNKNOWN;
    size_t count = 0;
    for (size_t i = 0; i < s->g.n[0]; i++) {
        if (s->xs[i] < lo || s->xs[i] > hi) continue;
        if (pts && count == max) return DR_BREAKPOINTS_UNKNOWN;
        if (pts) pts[count] = s->xs[i];
        count++;
    }
    return (long)count;
}

static double samples_interp_uncertainty(const void *state)
{
    return ((const samples_state *)state)->interp_unc;
}

static const dr_landscape_ops samples_vtable_1d = {samples_value_grad, samples_hessian,
                                                   samples_curvature_1d, samples_destroy,
                                                   samples_breakpoints,
                                                   samples_interp_uncertainty, NULL, NULL, NULL};
/* 2-D bicubic second derivatives are not piecewise linear: the generic dense sampling. */
static const dr_landscape_ops samples_vtable_2d = {samples_value_grad, samples_hessian, NULL,
                                                   samples_destroy, samples_breakpoints,
                                                   samples_interp_uncertainty, NULL, NULL, NULL};

/* How far the interpolant may be from the sampled function: twice its largest difference from a
 * second, independent interpolant through the same samples, on 8 points per cell (Akima in
 * 1-D, whose error is of the same order as the spline's, so the difference alone can fall short
 * of either's error: on sin(5x) + 0.1x^2 at 101 samples it is 0.86 of the spline's; bilinear in
 * 2-D, one order lower, so the estimate is pessimistic there). An estimate, not a bound: the
 * samples say nothing of the function between them. */
static double interp_uncertainty(const samples_state *s)
{
    enum { PER_CELL = 8 };
    double worst = 0.0;
    if (s->g.dim == 1) {
        size_t n = s->g.n[0];
        const gsl_interp_type *type = n >= 5 ? gsl_interp_akima : gsl_interp_linear;
        gsl_spline *other = gsl_spline_alloc(type, n);
        if (!other) return NAN;
        gsl_spline_init(other, s->xs, s->f, n);
        for (size_t i = 0; i + 1 < n; i++)
            for (int k = 1; k < PER_CELL; k++) {
                double x = s->xs[i] + (s->xs[i + 1] - s->xs[i]) * k / PER_CELL;
                double d = fabs(gsl_spline_eval(s->s1, x, NULL) - gsl_spline_eval(other, x, NULL));
                if (d > worst) worst = d;
            }
        gsl_spline_free(other);
        return 2.0 * worst;
    }
    size_t nx = s->g.n[0], ny = s->g.n[1];
    gsl_spline2d *other = gsl_spline2d_alloc(gsl_interp2d_bilinear, nx, ny);
    if (!other) return NAN;
    gsl_spline2d_init(other, s->xs, s->ys, s->f, nx, ny);
    for (size_t j = 0; j + 1 < ny; j++)
        for (size_t i = 0; i + 1 < nx; i++)
            for (int b = 0; b < PER_CELL; b++)
                for (int a = 0; a < PER_CELL; a++) {
                    double x = s->xs[i] + (s->xs[i + 1] - s->xs[i]) * (a + 0.5) / PER_CELL;
                    double y = s->ys[j] + (s->ys[j + 1] - s->ys[j]) * (b + 0.5) / PER_CELL;
                    double d = fabs(gsl_spline2d_eval(s->s2, x, y, NULL, NULL) -
                                    gsl_spline2d_eval(other, x, y, NULL, NULL));
                    if (d > worst) worst = d;
                }
    gsl_spline2d_free(other);
    return 2.0 * worst;
}

/* The wall's curvature: the largest |second difference| / h^2 of the samples along either axis,
 * at least 1, so that beyond the box f grows at least as fast as it curves inside. */
static double wall_curvature(const dr_grid *g, const double *f)
{
    double w = 1.0;
    size_t nx = g->n[0], ny = g->n[1];
    for (size_t j = 0; j < ny; j++)
        for (size_t i = 1; i + 1 < nx; i++) {
            const double *p = f + j * nx + i;
            w = fmax(w, fabs(p[-1] - 2 * p[0] + p[1]) / (g->h[0] * g->h[0]));
        }
    if (g->dim == 2)
        for (size_t j = 1; j + 1 < ny; j++)
            for (size_t i = 0; i < nx; i++) {
                const double *p = f + j * nx + i;
                w = fmax(w, fabs(p[-(ptrdiff_t)nx] - 2 * p[0] + p[nx]) / (g->h[1] * g->h[1]));
            }
    return w;
}

static int samples_make(dr_landscape **out, const dr_grid *g, const double *f, const char *name)
{
    *out = NULL;
    if (!g || !f) return dr_error(DR_EINVAL, "no samples given");
    /* The grid's DR_GRID_MIN_POINTS (8) per axis is more than GSL's cubic (3) and bicubic (4)
     * splines need, and its knots increase strictly: GSL cannot refuse them (error.h). */
    dr_grid check;
    int status = dr_grid_init(&check, g->dim, g->n, g->lo, g->hi);
    if (status) return status;
    size_t n = dr_grid_size(g);
    for (size_t k = 0; k < n; k++)
        if (!isfinite(f[k]))
            return dr_error(DR_EINVAL, "sample %zu (x index %zu, y index %zu) is not finite", k,
                            k % g->n[0], k / g->n[0]);
    samples_state *s = calloc(1, sizeof *s);
    if (!s) return dr_error(DR_ENOMEM, "out of memory for %zu samples", n);
    s->g = check;
    s->xs = malloc(g->n[0] * sizeof *s->xs);
    s->ys = malloc(g->n[1] * sizeof *s->ys);
    s->f = malloc(n * sizeof *s->f);
    if (!s->xs || !s->ys || !s->f) goto nomem;
    memcpy(s->f, f, n * sizeof *f);
    for (size_t i = 0; i < g->n[0]; i++) s->xs[i] = dr_grid_coord(&check, 0, i);
    for (size_t j = 0; j < g->n[1]; j++) s->ys[j] = dr_grid_coord(&check, 1, j);
    if (g->dim == 1) {
        s->s1 = gsl_spline_alloc(gsl_interp_cspline, g->n[0]);
        if (!s->s1) goto nomem;
        gsl_spline_init(s->s1, s->xs, s->f, g->n[0]);
    } else {
        s->s2 = gsl_spline2d_alloc(gsl_interp2d_bicubic, g->n[0], g->n[1]);
        if (!s->s2) goto nomem;
        /* GSL's za[j * nx + i] = z(x_i, y_j) is our x-fastest layout. */
        gsl_spline2d_init(s->s2, s->xs, s->ys, s->f, g->n[0], g->n[1]);
    }
    s->wall = wall_curvature(&check, f);
    s->interp_unc = interp_uncertainty(s);
    return dr_landscape_wrap(out, g->dim == 1 ? &samples_vtable_1d : &samples_vtable_2d, s, g->dim,
                             name, "samples", check.lo, check.hi);
nomem:
    samples_destroy(s);
    return dr_error(DR_ENOMEM, "out of memory for %zu samples", n);
}

int dr_landscape_alloc_samples(dr_landscape **out, const dr_grid *g, const double *f)
{
    DR_CHECK_PTRS(out, g, f);
    return samples_make(out, g, f, "samples");
}

/* ------------------------------------------------------------------ .npy */

static int load_npy(dr_landscape **out, const char *path, const double *domain)
{
    int ndim;
    size_t shape[3];
    double *data;
    int status = dr_npy_read(path, &ndim, shape, &data);
    if (status) return status;
    if (ndim != 1 && ndim != 2) {
        free(data);
        return dr_error(DR_EFORMAT, "%s: a landscape needs a 1-D or 2-D array (got %d dimensions)",
                        path, ndim);
    }
    if (!domain) {
        free(data);
        return dr_error(DR_EINVAL, "%s: a .npy file holds no coordinates: give the domain "
                        "(lo:hi per axis, %d values)", path, 2 * ndim);
    }
    /* Shape [ny][nx]: the last axis is x, the fastest. */
    size_t n[2] = {shape[ndim - 1], ndim == 2 ? shape[0] : 1};
    for (int a = 0; a < ndim; a++) {
        if (n[a] < DR_GRID_MIN_POINTS) {
            free(data);
            return dr_error(DR_EFORMAT, "%s: only %zu samples along %c; need at least %d", path,
                            n[a], a ? 'y' : 'x', DR_GRID_MIN_POINTS);
        }
        if (!isfinite(domain[2 * a]) || !isfinite(domain[2 * a + 1]) ||
            !(domain[2 * a + 1] > domain[2 * a])) {
            free(data);
            return dr_error(DR_EINVAL, "%s: empty or non-finite domain [%g, %g] for %c (a %d-D array "
                            "needs %d domain values)", path, domain[2 * a], domain[2 * a + 1],
                            a ? 'y' : 'x', ndim, 2 * ndim);
        }
    }
    size_t total = n[0] * n[1];
    for (size_t k = 0; k < total; k++)
        if (!isfinite(data[k])) {
            free(data);
            if (ndim == 1)
                return dr_error(DR_EFORMAT, "%s: value [%zu] is not finite", path, k);
            return dr_error(DR_EFORMAT, "%s: value [%zu][%zu] is not finite", path, k / n[0],
                            k % n[0]);
        }
    double lo[2] = {domain[0], ndim == 2 ? domain[2] : 0};
    double hi[2] = {domain[1], ndim == 2 ? domain[3] : 0};
    dr_grid g;
    status = dr_grid_init(&g, ndim, n, lo, hi);
    if (!status) status = samples_make(out, &g, data, path);
    free(data);
    return status;
}

/* ------------------------------------------------------------------ CSV */

/* Caps of a CSV file of samples: the largest grid a solve takes (2048 x 2048 points, the CLI's
 * CLI_MAX_GRID_POINTS) as rows, which bounds the memory (48 bytes a row), and 512 MiB of text
 * (2^22 rows of three 17-digit numbers need about 250 MiB). */
#define DR_SAMPLES_MAX_ROWS ((size_t)1 << 22)
#define DR_SAMPLES_MAX_BYTES ((unsigned long long)1 << 29)

typedef struct {
    double c[3]; /* x, (y,) f */
    size_t line;
    size_t gi[2]; /* grid index per axis */
} csv_row;

typedef struct {
    const char *path;
    csv_row *rows;
    size_t count, cap;
    int ncol; /* 2 or 3 */
} csv_data;

/* Printable excerpt of a (possibly binary) field for a message. */
static const char *excerpt(const char *s, char *buf, size_t size)
{
    size_t k = 0;
    for (; s[k] && k + 4 < size && k < 24; k++)
        buf[k] = isprint((unsigned char)s[k]) ? s[k] : '?';
    buf[k] = '\0';
    if (s[k]) strcpy(buf + k, "...");
    return buf;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    char *e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t')) *--e = '\0';
    return s;
}

static int parse_header_line(csv_data *d, char *line)
{
    char buf[40];
    if ((unsigned char)line[0] == 0xEF && (unsigned char)line[1] == 0xBB &&
        (unsigned char)line[2] == 0xBF)
        line += 3; /* UTF-8 byte-order mark */
    char *copy = line, *fields[4];
    int k = 0;
    for (char *p = copy;; p++) {
        if (k < 4 && (p == copy || p[-1] == '\0')) fields[k++] = p;
        if (*p == ',') *p = '\0';
        else if (*p == '\0') break;
    }
    if (k == 2 && !strcmp(trim(fields[0]), "x") && !strcmp(trim(fields[1]), "f")) d->ncol = 2;
    else if (k == 3 && !strcmp(trim(fields[0]), "x") && !strcmp(trim(fields[1]), "y") &&
             !strcmp(trim(fields[2]), "f")) d->ncol = 3;
    else
        return dr_error(DR_EFORMAT, "%s:1: expected the header 'x,f' or 'x,y,f', got '%s'", d->path,
                        excerpt(copy, buf, sizeof buf));
    return DR_SUCCESS;
}

static int parse_row(csv_data *d, char *line, size_t lineno, int last_unterminated)
{
    char buf[40];
    double v[3];
    int k = 0;
    char *p = line;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma) *comma = '\0';
        if (k < 3) {
            char *field = trim(p);
            if (k >= d->ncol) { k++; if (!comma) break; p = comma + 1; continue; }
            if (dr_parse_double(field, strlen(field), 0, &v[k]) != DR_SUCCESS) {
                if (dr_parse_double(field, strlen(field), DR_PARSE_INF | DR_PARSE_NAN, &v[k]) ==
                    DR_SUCCESS)
                    return dr_error(DR_EFORMAT, "%s:%zu: field %d '%s' is not finite", d->path,
                                    lineno, k + 1, excerpt(field, buf, sizeof buf));
                return dr_error(DR_EFORMAT, "%s:%zu: field %d '%s' is not a number%s", d->path, lineno,
                                k + 1, excerpt(field, buf, sizeof buf),
                                last_unterminated ? " (file truncated?)" : "");
            }
        }
        k++;
        if (!comma) break;
        p = comma + 1;
    }
    if (k != d->ncol)
        return dr_error(DR_EFORMAT, "%s:%zu: expected %d fields, got %d%s", d->path, lineno, d->ncol,
                        k, last_unterminated && k < d->ncol ? " (file truncated?)" : "");
    if (d->count == DR_SAMPLES_MAX_ROWS)
        return dr_error(DR_EFORMAT, "%s:%zu: more than %zu data rows (the cap: a %d x %d grid)",
                        d->path, lineno, DR_SAMPLES_MAX_ROWS, 1 << 11, 1 << 11);
    if (d->count == d->cap) {
        size_t cap = d->cap ? 2 * d->cap : 1024;
        csv_row *rows = realloc(d->rows, cap * sizeof *rows);
        if (!rows) return dr_error(DR_ENOMEM, "%s: out of memory at line %zu", d->path, lineno);
        d->rows = rows;
        d->cap = cap;
    }
    csv_row *r = &d->rows[d->count++];
    memcpy(r->c, v, sizeof v);
    r->line = lineno;
    return DR_SUCCESS;
}

static int read_csv_rows(csv_data *d, FILE *fp)
{
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int status = DR_SUCCESS;
    while (status == DR_SUCCESS &&
           (len = dr_input_getline(&line, &cap, fp, DR_INPUT_MAX_LINE)) != -1) {
        lineno++;
        if (len < 0) {
            status = len == -2 ? dr_error(DR_EFORMAT, "%s:%zu: line longer than %zu bytes (the cap): "
                                          "not a CSV file of samples", d->path, lineno,
                                          DR_INPUT_MAX_LINE)
                               : dr_error(DR_ENOMEM, "%s:%zu: out of memory", d->path, lineno);
            break;
        }
        if (memchr(line, '\0', (size_t)len)) {
            status = dr_error(DR_EFORMAT, "%s:%zu: binary data (a NUL byte): not a CSV file", d->path,
                              lineno);
            break;
        }
        int unterminated = len == 0 || line[len - 1] != '\n';
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = '\0';
        if (lineno == 1) {
            status = parse_header_line(d, line);
            continue;
        }
        if (!*trim(line)) continue; /* blank lines are harmless */
        status = parse_row(d, line, lineno, unterminated);
    }
    free(line);
    if (status) return status;
    if (ferror(fp)) return dr_error(DR_EIO, "%s: read error", d->path);
    if (lineno == 0)
        return dr_error(DR_EFORMAT, "%s: empty file (expected a header 'x,f' or 'x,y,f' and rows)",
                        d->path);
    if (d->count == 0) return dr_error(DR_EFORMAT, "%s: no data rows after the header", d->path);
    return DR_SUCCESS;
}

static int by_axis0(const void *a, const void *b)
{
    const csv_row *p = *(const csv_row *const *)a, *q = *(const csv_row *const *)b;
    return (p->c[0] > q->c[0]) - (p->c[0] < q->c[0]);
}
static int by_axis1(const void *a, const void *b)
{
    const csv_row *p = *(const csv_row *const *)a, *q = *(const csv_row *const *)b;
    return (p->c[1] > q->c[1]) - (p->c[1] < q->c[1]);
}
static int by_grid_index(const void *a, const void *b)
{
    const csv_row *p = a, *q = b;
    if (p->gi[1] != q->gi[1]) return (p->gi[1] > q->gi[1]) - (p->gi[1] < q->gi[1]);
    if (p->gi[0] != q->gi[0]) return (p->gi[0] > q->gi[0]) - (p->gi[0] < q->gi[0]);
    return (p->line > q->line) - (p->line < q->line);
}

/* Groups the coordinates of one axis into grid lines: values closer than a 1e-9 fraction of the
 * axis range are the same coordinate (the same number written twice, up to round-off). Checks
 * that the lines are uniformly spaced to 1e-4 of the spacing, which rejects any real
 * non-uniform grid (those deviate by a fraction of h) while accepting values printed with
 * fewer digits than full precision. Sets gi[axis] of every row, and n, lo, hi. */
static int group_axis(csv_data *d, csv_row **sorted, int axis, size_t *n, double *lo, double *hi)
{
    const char name = axis ? 'y' : 'x';
    qsort(sorted, d->count, sizeof *sorted, axis ? by_axis1 : by_axis0);
    *lo = sorted[0]->c[axis];
    *hi = sorted[d->count - 1]->c[axis];
    double tol = 1e-9 * (*hi - *lo);
    size_t g = 0;
    for (size_t k = 0; k < d->count; k++) {
        if (k && sorted[k]->c[axis] - sorted[k - 1]->c[axis] > tol) g++;
        sorted[k]->gi[axis] = g;
    }
    *n = g + 1;
    if (*n < DR_GRID_MIN_POINTS)
        return dr_error(DR_EFORMAT, "%s: only %zu distinct %c values; need at least %d per axis",
                        d->path, *n, name, DR_GRID_MIN_POINTS);
    double h = (*hi - *lo) / (double)(*n - 1);
    for (size_t k = 0; k < d->count; k++) {
        double s = (double)sorted[k]->gi[axis] / (double)(*n - 1);
        double expect = *lo * (1 - s) + *hi * s;
        if (fabs(sorted[k]->c[axis] - expect) > 1e-4 * h)
            return dr_error(DR_EFORMAT, "%s:%zu: %c = %.17g is off the uniform grid (spacing %.6g from "
                            "%.17g): non-uniform spacing or a missing %c line", d->path,
                            sorted[k]->line, name, sorted[k]->c[axis], h, *lo, name);
    }
    return DR_SUCCESS;
}

static int csv_to_landscape(dr_landscape **out, csv_data *d)
{
    int dim = d->ncol - 1;
    csv_row **sorted = malloc(d->count * sizeof *sorted);
    if (!sorted) return dr_error(DR_ENOMEM, "%s: out of memory", d->path);
    for (size_t k = 0; k < d->count; k++) {
        sorted[k] = &d->rows[k];
        sorted[k]->gi[1] = 0;
    }
    size_t n[2] = {1, 1};
    double lo[2] = {0, 0}, hi[2] = {0, 0};
    int status = DR_SUCCESS;
    for (int a = 0; a < dim && !status; a++) status = group_axis(d, sorted, a, &n[a], &lo[a], &hi[a]);
    free(sorted);
    if (status) return status;
    /* Sort by grid index (y, then x, then line): duplicates become neighbours and a missing
     * point is the first index the walk does not find. */
    qsort(d->rows, d->count, sizeof *d->rows, by_grid_index);
    for (size_t k = 1; k < d->count; k++) {
        const csv_row *p = &d->rows[k - 1], *q = &d->rows[k];
        if (p->gi[0] == q->gi[0] && p->gi[1] == q->gi[1]) {
            if (dim == 1)
                return dr_error(DR_EFORMAT, "%s:%zu: duplicate point x = %.17g (also on line %zu)",
                                d->path, q->line, q->c[0], p->line);
            return dr_error(DR_EFORMAT, "%s:%zu: duplicate point (x, y) = (%.17g, %.17g) (also on line "
                            "%zu)", d->path, q->line, q->c[0], q->c[1], p->line);
        }
    }
    size_t total = n[0] * n[1];
    if (d->count != total) {
        /* Fewer rows than grid points (duplicates are excluded above): name the first gap. */
        size_t k = 0;
        while (k < d->count && d->rows[k].gi[1] * n[0] + d->rows[k].gi[0] == k) k++;
        double s0 = (double)(k % n[0]) / (double)(n[0] - 1), s1 = (double)(k / n[0]) / (double)(n[1] - 1);
        return dr_error(DR_EFORMAT, "%s: missing grid point (x, y) = (%.17g, %.17g): %zu rows for a "
                        "%zu x %zu grid", d->path, lo[0] * (1 - s0) + hi[0] * s0,
                        lo[1] * (1 - s1) + hi[1] * s1, d->count, n[0], n[1]);
    }
    double *f = malloc(total * sizeof *f);
    if (!f) return dr_error(DR_ENOMEM, "%s: out of memory", d->path);
    for (size_t k = 0; k < total; k++) f[k] = d->rows[k].c[dim];
    dr_grid g;
    status = dr_grid_init(&g, dim, n, lo, hi);
    if (!status) status = samples_make(out, &g, f, d->path);
    free(f);
    return status;
}

static int load_csv(dr_landscape **out, const char *path, FILE *fp)
{
    csv_data d = {.path = path};
    int status = read_csv_rows(&d, fp);
    if (!status) status = csv_to_landscape(out, &d);
    free(d.rows);
    return status;
}

int dr_landscape_alloc_file(dr_landscape **out, const char *path, const double *domain)
{
    DR_CHECK_PTRS(out, path);
    *out = NULL;
    if (!path) return dr_error(DR_EINVAL, "no input file given");
    FILE *fp;
    int status = dr_input_open(&fp, path, DR_SAMPLES_MAX_BYTES, NULL);
    if (status) return status;
    char magic[6];
    size_t got = fread(magic, 1, sizeof magic, fp);
    size_t len = strlen(path);
    int npy = (got == 6 && !memcmp(magic, "\x93NUMPY", 6)) ||
              (len >= 4 && !strcmp(path + len - 4, ".npy"));
    if (npy) {
        fclose(fp);
        return load_npy(out, path, domain);
    }
    rewind(fp);
    status = load_csv(out, path, fp);
    fclose(fp);
    return status;
}
