/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The polish step of the Hopf-Lax solver: from the grid minimiser to the continuous one.
 *
 * The lower envelope minimises phi(y) = f(y) + |x-y|^2/(2t) over grid points only, so u is high
 * by up to (C + 1/t) hy^2/8 and the proximal point is off by up to hy/2. Near a smooth minimiser
 * phi is locally a quadratic with Hessian D^2 f + I/t, so Newton's method from the grid point
 * converges in a few steps (in one for quadratic f). Two guards keep it honest: every step stays
 * within 1.5 cells of the grid minimiser (a step that wants to leave has found another basin or
 * a kink, which the grid search already ranked), and a point is only moved if phi decreased. */
#include "deeprelax/hopflax.h"
#include "hopflax_internal.h"
#include "landscape_impl.h"

#include <float.h>
#include <math.h>

#define MAX_NEWTON 12

/* What the Newton iteration knows at a point: phi there, and grad and Hessian of phi (ok = 0
 * where the Hessian is unavailable). One landscape jet gives all three. */
typedef struct { double phi, g[2], H[4]; int ok; } phi_jet;

/* A Newton run (newton_begin below): the problem, where it is, what it needs next. */
typedef struct {
    double x[2], y0[2], cell[2], t;
    int dim;
    phi_jet jets[2];         /* the current point's (jets[cj]) and the trial's */
    int cj, it, want, conv;
    double cur[2], at[2], step[2], best, last, y[2];
} newton_run;

static double dist2(const double *x, const double *y, int dim)
{
    double d2 = 0.0;
    for (int a = 0; a < dim; a++) d2 += (x[a] - y[a]) * (x[a] - y[a]);
    return d2;
}

static double phi(const dr_landscape *f, const double *x, const double *y, int dim, double t)
{
    double v;
    dr_landscape_jet(f, y, &v, NULL, NULL);
    return v + dist2(x, y, dim) / (2.0 * t);
}

/* phi's jet at y into *j, in place (the Newton loop keeps two and swaps them: a copy of one
 * just written piecewise would stall on reading it back whole). */
static void jet_into(const dr_landscape *f, const double *x, const double *y, int dim, double t,
                     phi_jet *j)
{
    double v;
    j->ok = dr_landscape_jet(f, y, &v, j->g, j->H) == 0;
    j->phi = v + dist2(x, y, dim) / (2.0 * t);
    for (int a = 0; a < dim; a++) {
        j->g[a] += (y[a] - x[a]) / t;
        j->H[a * dim + a] += 1.0 / t;
    }
}

static phi_jet jet_at(const dr_landscape *f, const double *x, const double *y, int dim, double t)
{
    phi_jet j;
    jet_into(f, x, y, dim, t, &j);
    return j;
}

/* One Newton step for phi from its jet into step[]; 0 if the Hessian is unavailable or not
 * positive definite (then phi is not locally convex and Newton would climb). */
static int newton_step(const phi_jet *j, int dim, double *step)
{
    const double *g = j->g, *H = j->H;
    if (!j->ok) return 0;
    if (dim == 1) {
        if (!(H[0] > 0)) return 0;
        step[0] = -g[0] / H[0];
    } else {
        double det = H[0] * H[3] - H[1] * H[2];
        if (!(H[0] > 0) || !(det > 0)) return 0;
        step[0] = -(H[3] * g[0] - H[1] * g[1]) / det;
        step[1] = -(-H[2] * g[0] + H[0] * g[1]) / det;
    }
    return isfinite(step[0]) && (dim == 1 || isfinite(step[1]));
}

/* phi's jet at y from f's (v, grad, Hessian, the landscape's status st) into *j. */
static void jet_fill(const double *x, const double *y, int dim, double t, double v,
                     const double *g, const double *H, int st, phi_jet *j)
{
    j->ok = st == 0;
    j->phi = v + dist2(x, y, dim) / (2.0 * t);
    for (int a = 0; a < dim; a++) j->g[a] = g[a] + (y[a] - x[a]) / t;
    for (int a = 0; a < dim * dim; a++) j->H[a] = H[a];
    for (int a = 0; a < dim; a++) j->H[a * dim + a] += 1.0 / t;
}

/* One Newton iteration's state (newton_from_conv's loop, resumable: each trial point's jet is
 * left to the caller, so that many run in lock-step with their evaluations batched). want says
 * what the next one is: a jet at at[], into jets[1 - cj] (NEED_START: a jet at the start, into
 * jets[cj]), or nothing (finished). */
enum { NEED_NONE, NEED_START, NEED_JET };

/* Converged, from the jet at cur: its Newton step s is at round-off (16 ulps of 1 + |cur|), or
 * is below 1e-9 of a cell and did not shrink 4-fold from the last one (Newton's steps shrink
 * quadratically until the rounding of phi's gradient, not the distance to the minimiser, sets
 * them: then s is that rounding's reach). Either way the minimiser is within about |s| of cur,
 * and cur + s, one more Newton step, is at least as close: the step taken last, and measured
 * from a jet, bounds the error (a step's size predicted from the last two steps' ratio does
 * not: on a rugged f that ratio is not yet Newton's, and it stopped 2e-11 short). */
static int newton_converged(const newton_run *r, const double *step, double size)
{
    int round = 1, floor = size > 0.25 * r->last;
    for (int a = 0; a < r->dim; a++) {
        if (fabs(step[a]) > 16 * DBL_EPSILON * (1.0 + fabs(r->cur[a]))) round = 0;
        if (fabs(step[a]) > 1e-9 * r->cell[a]) floor = 0;
    }
    return round || floor;
}

static void newton_advance(newton_run *r);

static void newton_begin(newton_run *r, const double *x, const double *y0, const double *start,
                         const phi_jet *js, const double *cell, int dim, double t)
{
    *r = (newton_run){.x = {x[0], dim == 2 ? x[1] : 0.0}, .y0 = {y0[0], dim == 2 ? y0[1] : 0.0},
                      .cell = {cell[0], dim == 2 ? cell[1] : 0.0}, .dim = dim, .t = t,
                      .best = INFINITY, .last = INFINITY,
                      .cur = {start[0], dim == 2 ? start[1] : 0.0}};
    r->at[0] = r->y[0] = r->cur[0];
    r->at[1] = r->y[1] = r->cur[1];
    if (js) {
        r->jets[0] = *js;
        newton_advance(r);
    } else r->want = NEED_START;
}

/* The next trial from the current jet (at cur): its point into at[] and what it
 * needs into want; or converged (y = cur + step, conv = 1), or stopped (a Hessian that is not
 * positive definite, a step out of the box, too many steps). */
static void newton_advance(newton_run *r)
{
    int dim = r->dim;
    double step[2] = {0, 0}, size = 0.0;
    r->want = NEED_NONE;
    if (r->it >= MAX_NEWTON || !newton_step(&r->jets[r->cj], dim, step)) return;
    double trial[2] = {r->cur[0] + step[0], r->cur[1] + step[1]};
    int inside = 1;
    for (int a = 0; a < dim; a++) {
        double s = fabs(step[a]);
        size = s > size ? s : size;  /* step is finite (newton_step) */
        if (fabs(trial[a] - r->y0[a]) > 1.5 * r->cell[a]) inside = 0;
    }
    if (!inside) return;
    if (newton_converged(r, step, size)) {
        r->y[0] = trial[0];
        r->y[1] = trial[1];
        r->best = fmin(r->best, r->jets[r->cj].phi);  /* the start's, if no step was taken */
        r->conv = 1;
        return;
    }
    r->last = size;
    r->step[0] = step[0];
    r->step[1] = step[1];
    r->at[0] = trial[0];
    r->at[1] = trial[1];
    r->want = NEED_JET;
}

/* The jet asked for is in (jets[1 - cj], or jets[cj] for the start): accept or stop. A trial
 * above the current phi stops the run unless the step was below 1e-7 of a cell, where phi's
 * quadratic fall (~1e-14 of a cell squared times the Hessian) is below its rounding: there the
 * rise is the rounding's, and the trial's own step decides. */
static void newton_take(newton_run *r)
{
    if (r->want == NEED_START) {
        newton_advance(r);
        return;
    }
    double v = r->jets[1 - r->cj].phi;
    if (!(v <= r->best)) {
        int tiny = v <= r->best + 8 * DBL_EPSILON * (fabs(r->best) + 1);
        for (int a = 0; a < r->dim; a++)
            if (fabs(r->step[a]) > 1e-7 * r->cell[a]) tiny = 0;
        if (!tiny) {
            r->want = NEED_NONE;
            return;
        }
    }
    r->best = fmin(v, r->best);
    r->cj = 1 - r->cj;
    r->cur[0] = r->y[0] = r->at[0];
    r->cur[1] = r->y[1] = r->at[1];
    r->it++;
    newton_advance(r);
}

/* The jet r wants, by the scalar jet op. */
static void newton_eval(const dr_landscape *f, newton_run *r)
{
    jet_into(f, r->x, r->at, r->dim, r->t, &r->jets[r->want == NEED_START ? r->cj : 1 - r->cj]);
}

/* Newton from `start` (its jet js, or NULL to compute it), staying within 1.5 cell[] of y0 (the
 * pattern search's box: where phi is nearly flat along some direction the grid minimiser can be
 * a cell from the minimiser, and a box of one cell sent those points, 3% of the bench
 * expression's, to the pattern search, which stops sqrt(round-off) short there); returns
 * the lowest phi reached (and its y), or +inf if no step was taken and none converged. Each
 * trial point's jet gives both its phi (accept or stop) and the next step. *conv (may be NULL)
 * = 1 when a jet's step, at a positive definite Hessian, passed newton_converged: a smooth
 * local minimiser, y within that step of it. */
static double newton_from_conv(const dr_landscape *f, const double *x, const double *y0,
                               const double *start, const phi_jet *js, const double *cell,
                               int dim, double t, double *y, int *conv)
{
    newton_run r;
    newton_begin(&r, x, y0, start, js, cell, dim, t);
    while (r.want != NEED_NONE) {
        newton_eval(f, &r);
        newton_take(&r);
    }
    if (conv) *conv = r.conv;
    if (isfinite(r.best)) {
        y[0] = r.y[0];
        y[1] = r.y[1];
    }
    return r.best;
}

static double newton_from(const dr_landscape *f, const double *x, const double *y0,
                          const double *start, const double *cell, int dim, double t, double *y)
{
    return newton_from_conv(f, x, y0, start, NULL, cell, dim, t, y, NULL);
}

/* Derivative-free descent for minimisers on a kink, where Newton cannot converge: a pattern
 * search over 16 directions (8 in 1-D: +-1 at four scales) halving its step until it is below
 * round-off, staying within 1.5 cells of y0. */
static double pattern_from(const dr_landscape *f, const double *x, const double *y0,
                           const double *cell, int dim, double t, double *y, double *step_out)
{
    static const int dirs[16][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}, {1, 1}, {1, -1}, {-1, 1},
                                    {-1, -1}, {2, 1}, {2, -1}, {-2, 1}, {-2, -1}, {1, 2},
                                    {1, -2}, {-1, 2}, {-1, -2}};
    int nd = dim == 1 ? 2 : 16;
    double cur[2] = {y0[0], y0[1]}, v = phi(f, x, cur, dim, t), step = 0.5;
    for (int it = 0; it < 400 && step > 1e-15; it++) {
        int moved = 0;
        for (int d = 0; d < nd; d++) {
            double trial[2] = {cur[0], cur[1]};
            int inside = 1;
            for (int a = 0; a < dim; a++) {
                trial[a] += dirs[d][a] * step * cell[a];
                if (fabs(trial[a] - y0[a]) > 1.5 * cell[a]) inside = 0;
            }
            if (!inside) continue;
            double w = phi(f, x, trial, dim, t);
            if (w < v) { v = w; cur[0] = trial[0]; cur[1] = trial[1]; moved = 1; break; }
        }
        if (!moved) step *= 0.5;
    }
    y[0] = cur[0];
    y[1] = cur[1];
    *step_out = step;
    return v;
}

/* Whether a point lower than v lies on rings of 16 directions around y at radii r, 4r, 16r,
 * ... up to a cell: the check that the pattern search did not stall on a kink it could not
 * follow (then its value is not trusted). */
static int lower_nearby(const dr_landscape *f, const double *x, const double *y, double v,
                        const double *cell, int dim, double t, double r)
{
    for (; r <= 1.0; r *= 4.0)
        for (int d = 0; d < (dim == 1 ? 2 : 16); d++) {
            double ang = 2.0 * M_PI * d / 16.0, trial[2] = {y[0], y[1]};
            if (dim == 1) trial[0] += (d ? -r : r) * cell[0];
            else {
                trial[0] += r * cell[0] * cos(ang);
                trial[1] += r * cell[1] * sin(ang);
            }
            if (phi(f, x, trial, dim, t) < v - 4 * DBL_EPSILON * (fabs(v) + 1)) return 1;
        }
    return 0;
}

/* A 1-D minimiser on a kink where one side of phi is flat to first order (x at the end of
 * soft thresholding's dead zone: phi's one-sided slope is 0 there) cannot be located from
 * values: phi rises only quadratically, below round-off within sqrt(eps) of the kink. The
 * landscape knows where its kinks are; a kink whose phi is within round-off of the search's
 * value is the minimiser (to round-off: had the minimiser been smooth, Newton would have
 * converged), so y moves onto it. */
static double snap_to_kink(const dr_landscape *f, const double *x, const double *cell,
                           double t, const double *kinks, size_t nkinks, double v, double round,
                           double *y)
{
    for (size_t i = 0; i < nkinks; i++) {
        if (!(fabs(kinks[i] - y[0]) <= 1.5 * cell[0])) continue;
        double yk[2] = {kinks[i], 0.0}, w = phi(f, x, yk, 1, t);
        if (w <= v + round) {
            y[0] = kinks[i];
            v = fmin(v, w);
        }
    }
    return v;
}

double dr_hopflax_polish_quadratic(const dr_landscape *f, const double *x, const double *y0,
                                   int dim, double t, double *y, double *err)
{
    phi_jet j = jet_at(f, x, y0, dim, t);
    double step[2] = {0, 0}, grid = j.phi;
    if (!newton_step(&j, dim, step)) return NAN;
    for (int a = 0; a < dim; a++) y[a] = y0[a] + step[a];
    *err = 8 * DBL_EPSILON * (fabs(grid) + 1);
    return phi(f, x, y, dim, t);
}

/* Newton from a warm start within a cell of the grid point y0 (a neighbour's minimiser carried
 * over): where it converges to a smooth minimiser in y0's box, no higher than the grid's value
 * at y0, that is the minimiser the Newton from y0 reaches, in about half its steps (the start
 * is O(h^2) off, not O(h)); its value, with y, *err and *smooth as the full polish gives them.
 * NAN (nothing written) where it does not: the polish then starts from y0. */
static double warm_polish(const dr_landscape *f, const double *x, const double *y0,
                          const dr_hopflax_warm *warm, const double *cell, int dim, double t,
                          double *y, double *err, int *smooth)
{
    double w[2] = {warm->y[0], dim == 2 ? warm->y[1] : 0}, yy[2];
    for (int a = 0; a < dim; a++)
        if (!(fabs(w[a] - y0[a]) <= cell[a])) return NAN;
    double grid = warm->grid, round = 8 * DBL_EPSILON * (fabs(grid) + 1);
    int conv = 0;
    double best = newton_from_conv(f, x, y0, w, NULL, cell, dim, t, yy, &conv);
    if (!conv || !(best <= grid + round)) return NAN;
    y[0] = yy[0];
    y[1] = yy[1];
    *err = round;
    *smooth = 1;
    return fmin(best, grid);
}

/* One round for runs r[0 .. n): the jets all of them want by one call of the landscape's batch
 * op, then each run's step on from its own. Returns how many there were. */
static size_t batch_round(const dr_landscape *f, newton_run *r, size_t n, int dim)
{
    double xs[2 * DR_HOPFLAX_BATCH] = {0}, v[DR_HOPFLAX_BATCH], g[2 * DR_HOPFLAX_BATCH];
    double H[4 * DR_HOPFLAX_BATCH];
    int st[DR_HOPFLAX_BATCH];
    size_t idx[DR_HOPFLAX_BATCH], m = 0;
    for (size_t k = 0; k < n && k < DR_HOPFLAX_BATCH; k++) {
        if (r[k].want == NEED_NONE) continue;
        xs[m * dim] = r[k].at[0];
        if (dim == 2) xs[m * dim + 1] = r[k].at[1];
        idx[m++] = k;
    }
    if (!m) return 0;
    dr_landscape_jets(f, m, xs, v, g, H, st);
    for (size_t q = 0; q < m; q++) {
        newton_run *u = &r[idx[q]];
        phi_jet *j = &u->jets[u->want == NEED_START ? u->cj : 1 - u->cj];
        jet_fill(u->x, u->at, dim, u->t, v[q], g + q * dim, H + q * dim * dim, st[q], j);
        newton_take(u);
    }
    return m;
}

void dr_hopflax_polish_warm_batch(const dr_landscape *f, dr_hopflax_warm_task *tasks, size_t n,
                                  const double *cell, int dim, double t)
{
    newton_run r[DR_HOPFLAX_BATCH];
    for (size_t k = 0; k < n; k++) {
        dr_hopflax_warm_task *w = &tasks[k];
        int near = 1;
        for (int a = 0; a < dim; a++)
            if (!(fabs(w->warm.y[a] - w->y0[a]) <= cell[a])) near = 0;
        w->ok = 0;
        if (near && isfinite(w->warm.grid))
            newton_begin(&r[k], w->x, w->y0, w->warm.y, NULL, cell, dim, t);
        else r[k] = (newton_run){.want = NEED_NONE, .conv = 0};
    }
    while (batch_round(f, r, n, dim)) {}
    /* warm_polish's verdict on each */
    for (size_t k = 0; k < n; k++) {
        dr_hopflax_warm_task *w = &tasks[k];
        double grid = w->warm.grid, round = 8 * DBL_EPSILON * (fabs(grid) + 1);
        if (!r[k].conv || !(r[k].best <= grid + round)) continue;
        w->ok = 1;
        w->y[0] = r[k].y[0];
        w->y[1] = r[k].y[1];
        w->err = round;
        w->p = fmin(r[k].best, grid);
    }
}

double dr_hopflax_polish_point(const dr_landscape *f, const double *x, const double *y0,
                               const dr_hopflax_warm *warm, const double *cell, int dim, double t,
                               const double *kinks, size_t nkinks, double *y, double *err,
                               int *smooth)
{
    double start[2] = {y0[0], dim == 2 ? y0[1] : 0}, yy[2];
    if (warm && isfinite(warm->grid)) {
        double w = warm_polish(f, x, start, warm, cell, dim, t, y, err, smooth);
        if (!isnan(w)) return w;
    }
    phi_jet js = jet_at(f, x, start, dim, t);
    double grid = js.phi, round = 8 * DBL_EPSILON * (fabs(grid) + 1);
    int conv = 0;
    double best = newton_from_conv(f, x, start, start, &js, cell, dim, t, yy, &conv);
    if (!conv)
        for (int a = 0; a < dim && !conv; a++)
            for (int side = -1; side <= 1 && !conv; side += 2) {
                double s2[2] = {start[0], start[1]}, yt[2];
                int c2;
                s2[a] += 0.5 * side * cell[a];
                double v = newton_from_conv(f, x, start, s2, NULL, cell, dim, t, yt, &c2);
                if (c2 && v <= fmin(best, grid) + round) {
                    best = v; yy[0] = yt[0]; yy[1] = yt[1]; conv = 1;
                }
            }
    /* Newton's minimiser may be a rounding above the grid point's phi when the grid point is
     * (or is within round-off of) the minimiser itself: it is still the minimiser, to round-off
     * in y, where a pattern search would stop where phi's rounding hides its quadratic rise,
     * sqrt(round-off) away. */
    *smooth = conv && best <= grid + round;
    if (*smooth) {
        y[0] = yy[0]; y[1] = yy[1];
        *err = round;
        return fmin(best, grid);
    }
    /* Not a smooth minimiser (a kink, or Hessian unavailable): pattern search, trusted when no
     * lower point shows around its result at any scale up to a cell. */
    double step, v = pattern_from(f, x, start, cell, dim, t, y, &step);
    if (isfinite(best) && best < v) v = pattern_from(f, x, yy, cell, dim, t, y, &step);
    if (dim == 1) v = snap_to_kink(f, x, cell, t, kinks, nkinks, v, round, y);
    *err = lower_nearby(f, x, y, v, cell, dim, t, fmax(step, 1e-12)) ? INFINITY : 1e3 * round;
    return v;
}

size_t dr_hopflax_polish(const dr_landscape *f, const dr_grid *g, double t, const double cell[2],
                         double *u, double *prox, double *grad)
{
    int dim = g->dim;
    size_t size = dr_grid_size(g), moved = 0;
    for (size_t k = 0; k < size; k++) {
        double x[2] = {dr_grid_coord(g, 0, k % g->n[0]),
                       dim == 2 ? dr_grid_coord(g, 1, k / g->n[0]) : 0};
        double y0[2] = {prox[k], dim == 2 ? prox[size + k] : 0}, y[2] = {y0[0], y0[1]};
        if (!isfinite(y0[0]) || !isfinite(y0[1])) continue;
        /* Start at the grid minimiser; if Newton cannot move from there (a kink, or the
         * minimiser across a cell boundary), also from half a cell either side on each axis. */
        double best = newton_from(f, x, y0, y0, cell, dim, t, y);
        if (!isfinite(best)) {
            for (int a = 0; a < dim; a++)
                for (int side = -1; side <= 1; side += 2) {
                    double start[2] = {y0[0], y0[1]}, yy[2];
                    start[a] += 0.5 * side * cell[a];
                    double v = newton_from(f, x, y0, start, cell, dim, t, yy);
                    if (v < best) { best = v; y[0] = yy[0]; y[1] = yy[1]; }
                }
        }
        if (!(best < u[k])) continue;  /* never worse than the grid's own minimum */
        moved++;
        u[k] = best;
        for (int a = 0; a < dim; a++) {
            prox[a * size + k] = y[a];
            if (grad) grad[a * size + k] = (x[a] - y[a]) / t;
        }
    }
    return moved;
}
