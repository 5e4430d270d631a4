/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Tests of the analysis module (solver/analysis_*.c, solver/heat_moments.c): semi-concavity
 * against the theorems' bounds, the Gibbs-covariance Hessian against central differences of the
 * heat solver's u, minima and widths against closed forms, and tracking on the sharp-wide
 * landscapes (the viscous jump at the catalogue's documented t; the inviscid wide minimum's
 * disappearance at the t predicted by brute-force Hopf-Lax minimisation written here). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deeprelax/analysis.h"
#include "deeprelax/error.h"
#include "deeprelax/heat.h"
#include "deeprelax/hopflax.h"
#include "test_common.h"

static dr_grid grid_of(const dr_landscape *f, size_t n)
{
    double lo[2], hi[2];
    dr_landscape_domain(f, lo, hi);
    size_t nn[2] = {n, n};
    dr_grid g;
    assert_int_equal(dr_grid_init(&g, dr_landscape_dim(f), nn, lo, hi), DR_SUCCESS);
    return g;
}

/* u(., t) by the exact solver of the equation: heat for finite beta, Hopf-Lax otherwise. */
static void solve(const dr_landscape *f, const dr_grid *g, double beta, double t, int refine,
                  double *u, double *prox)
{
    if (isinf(beta)) {
        dr_hopflax_plan *p;
        dr_hopflax_options o = {.refine = refine};
        assert_int_equal(dr_hopflax_plan_alloc(&p, f, g, t, &o), DR_SUCCESS);
        assert_int_equal(dr_hopflax_execute(p, t, u, prox, NULL), DR_SUCCESS);
        dr_hopflax_plan_free(p);
    } else {
        dr_heat_plan *p;
        assert_int_equal(dr_heat_plan_alloc(&p, f, g, beta, t, t, NULL), DR_SUCCESS);
        assert_int_equal(dr_heat_execute(p, t, u, NULL, NULL), DR_SUCCESS);
        dr_heat_plan_free(p);
    }
}

/* Semi-concavity of u(., t) from central differences and (viscous) from the Gibbs identity. */
static void semiconcavity(const dr_landscape *f, const dr_grid *g, double beta, double t,
                          int refine, double *fd, double *gibbs)
{
    size_t size = dr_grid_size(g);
    double *u = malloc(size * sizeof *u), *h = malloc(3 * size * sizeof *h), margin[2];
    int capped;
    dr_semiconcavity s;
    solve(f, g, beta, t, refine, u, NULL);
    assert_int_equal(dr_analysis_boundary_layer(f, g, t, beta, margin, &capped), DR_SUCCESS);
    assert_int_equal(dr_analysis_hessian_fd(g, u, h), DR_SUCCESS);
    assert_int_equal(dr_semiconcavity_max(g, h, margin, &s), DR_SUCCESS);
    *fd = s.value;
    *gibbs = NAN;
    if (!isinf(beta)) {
        dr_gibbs_plan *gp;
        assert_int_equal(dr_gibbs_plan_alloc(&gp, f, g, beta, t, t), DR_SUCCESS);
        assert_int_equal(dr_gibbs_hessian(gp, t, h), DR_SUCCESS);
        assert_int_equal(dr_semiconcavity_max(g, h, margin, &s), DR_SUCCESS);
        *gibbs = s.value;
        dr_gibbs_plan_free(gp);
    }
    free(u);
    free(h);
}

/* paper1d, C = 2 + 1.5 (2 pi)^2: at a minimum of f, f'' = C exactly (sin = -1 there up to the
 * x^2 term's shift), so the bound C/(1+Ct) is attained to within the smoothing: within 1%. */
static void test_paper1d_bounds(void **state)
{
    (void)state;
    dr_landscape *f = builtin("paper1d");
    dr_grid g = grid_of(f, 601);
    double C = 2 + 1.5 * 4 * M_PI * M_PI, fd, gb;
    assert_true(fabs(dr_landscape_curvature_bound(f, g.lo, g.hi) - C) < 1e-9 * C);

    /* Hopf-Lax over a y-grid 64 times finer: the bound at t = 0.1 is 8.596. */
    semiconcavity(f, &g, INFINITY, 0.1, 64, &fd, &gb);
    assert_true(fabs(fd / dr_semiconcavity_bound(C, 0.1) - 1) < 0.01);
    assert_true(fabs(dr_semiconcavity_bound(C, 0.1) - 8.596) < 1e-3);
    /* On the x-grid itself the envelope's curvature is exactly 1/t (hopflax.h). */
    semiconcavity(f, &g, INFINITY, 0.1, 1, &fd, &gb);
    assert_true(fabs(fd - 10.0) < 1e-6);

    /* Viscous, beta = 100 at t = 0.1 and beta = 10 at t = 0.05: both Hessians within 1%. */
    const double cases[2][2] = {{100, 0.1}, {10, 0.05}};
    for (int c = 0; c < 2; c++) {
        double beta = cases[c][0], t = cases[c][1], b = dr_semiconcavity_bound(C, t);
        semiconcavity(f, &g, beta, t, 1, &fd, &gb);
        assert_true(fabs(fd / b - 1) < 0.01);
        assert_true(fabs(gb / b - 1) < 0.01);
        /* The theorem: neither exceeds the bound (beyond the differences' O(h^2)). */
        assert_true(fd <= b * (1 + 1e-3) && gb <= b * (1 + 1e-6));
    }

    /* beta = 1, t = 0.2: well below both bounds (1/t = 5, C/(1+Ct) = 4.62), and the two
     * independent Hessians (differences of the heat solver's u; the Gibbs covariance) agree to
     * the differences' O(h^2) = O(1e-4). */
    semiconcavity(f, &g, 1, 0.2, 1, &fd, &gb);
    assert_true(fd < dr_semiconcavity_bound(C, 0.2) && fd < 5.0);
    assert_true(gb < dr_semiconcavity_bound(C, 0.2));
    assert_true(fabs(fd - gb) < 1e-3 * fabs(gb));
    dr_landscape_free(f);
}

/* The Gibbs Hessian pointwise against central differences of u, in 2-D on a non-separable
 * landscape, and the Gibbs mean and u against the heat solver (same quadrature rule). */
static void test_gibbs_vs_heat_2d(void **state)
{
    (void)state;
    /* Non-separable, non-convex in places (the cosine term's curvature reaches 2.5 against the
     * quadratic's 0.5..1.5), yet with one well: the Gibbs measure stays unimodal, so u has no
     * crest finer than the grid (on himmelblau at beta = 1, t = 0.2, h = 0.078 the crests between
     * wells are ~0.03 wide and differences of u overshoot 1/t there, while the Gibbs identity
     * does not). */
    dr_landscape *f;
    assert_int_equal(dr_landscape_alloc_expr(&f, "(x^2 + x*y + y^2)/2 + 0.5*cos(2*x)*cos(y)", 2),
                     DR_SUCCESS);
    size_t nn[2] = {129, 129};
    double lo[2] = {-3, -3}, hi[2] = {3, 3};
    dr_grid g;
    assert_int_equal(dr_grid_init(&g, 2, nn, lo, hi), DR_SUCCESS);
    size_t size = dr_grid_size(&g);
    double beta = 1, t = 0.2;
    double *u = malloc(size * sizeof *u), *grad = malloc(2 * size * sizeof *grad);
    double *ug = malloc(size * sizeof *ug), *mean = malloc(2 * size * sizeof *mean);
    double *hf = malloc(3 * size * sizeof *hf), *hg = malloc(3 * size * sizeof *hg);
    dr_heat_plan *hp;
    assert_int_equal(dr_heat_plan_alloc(&hp, f, &g, beta, t, t, NULL), DR_SUCCESS);
    assert_int_equal(dr_heat_execute(hp, t, u, grad, NULL), DR_SUCCESS);
    dr_heat_plan_free(hp);
    dr_gibbs_plan *gp;
    assert_int_equal(dr_gibbs_plan_alloc(&gp, f, &g, beta, t, t), DR_SUCCESS);
    assert_int_equal(dr_gibbs_moments(gp, t, mean, NULL, ug), DR_SUCCESS);
    assert_int_equal(dr_gibbs_hessian(gp, t, hg), DR_SUCCESS);
    dr_gibbs_plan_free(gp);
    assert_int_equal(dr_analysis_hessian_fd(&g, u, hf), DR_SUCCESS);
    double umax = 0, du = 0, dm = 0, margin[2];
    assert_int_equal(dr_analysis_boundary_layer(f, &g, t, beta, margin, NULL), DR_SUCCESS);
    for (size_t k = 0; k < size; k++) {
        umax = fmax(umax, fabs(u[k]));
        du = fmax(du, fabs(u[k] - ug[k]));
        for (int a = 0; a < 2; a++) {
            double x = dr_grid_coord(&g, a, a ? k / g.n[0] : k % g.n[0]);
            /* grad u = (x - <y>)/t */
            dm = fmax(dm, fabs(grad[(size_t)a * size + k] - (x - mean[(size_t)a * size + k]) / t));
        }
    }
    assert_true(du < 1e-9 * (1 + umax));
    assert_true(dm < 1e-6);
    /* Pointwise, the largest eigenvalues agree to the differences' O(h^2 u'''') ~ 1e-3 (h = 0.047),
     * and so does the semi-concavity. */
    double dh = 0, hmax = 0;
    for (size_t k = 0; k < size; k++) {
        if (isnan(hf[k])) continue;
        double ef = dr_analysis_max_eigen(2, hf, size, k), eg = dr_analysis_max_eigen(2, hg, size, k);
        dh = fmax(dh, fabs(ef - eg));
        hmax = fmax(hmax, fabs(eg));
    }
    assert_true(dh < 0.01 * hmax);
    dr_semiconcavity sf, sg;
    assert_int_equal(dr_semiconcavity_max(&g, hf, margin, &sf), DR_SUCCESS);
    assert_int_equal(dr_semiconcavity_max(&g, hg, margin, &sg), DR_SUCCESS);
    fprintf(stderr, "2-D semi-concavity: differences %g, Gibbs %g, 1/t %g\n", sf.value, sg.value, 1 / t);
    assert_true(fabs(sf.value - sg.value) < 0.01 * sg.value);
    assert_true(sg.value <= 1 / t);
    free(u); free(grad); free(ug); free(mean); free(hf); free(hg);
    dr_landscape_free(f);
}

/* f = c x^2/2: u = c x^2/(2(1+ct)) + (1/(2 beta)) log(1+ct) (DESIGN.md section 1), so the
 * minimum at 0 has curvature c/(1+ct) and floor (1/(2 beta)) log(1+ct); both to 1e-6. Inviscid
 * (no floor shift) with c t in {1, 3}: the proximal points of the stencil's points x = +-h,
 * h/(1+ct), are then points of the refined y-grid, so the envelope is exact there too. */
static void test_quad_closed_forms(void **state)
{
    (void)state;
    const double cs[3] = {0.5, 2, 10}, ts[3] = {2, 0.5, 0.3};
    const double betas[3] = {4, 1, INFINITY};
    for (int i = 0; i < 3; i++)
        for (int b = 0; b < 3; b++) {
            char expr[64];
            snprintf(expr, sizeof expr, "%g*x^2/2", cs[i]);
            dr_landscape *f;
            assert_int_equal(dr_landscape_alloc_expr(&f, expr, 1), DR_SUCCESS);
            size_t n = 401;
            double lo = -2, hi = 2;
            dr_grid g;
            assert_int_equal(dr_grid_init(&g, 1, &n, &lo, &hi), DR_SUCCESS);
            double c = cs[i], t = ts[i], beta = betas[b];
            double *u = malloc(n * sizeof *u), *prox = malloc(n * sizeof *prox);
            solve(f, &g, beta, t, 4, u, prox);
            dr_minima m;
            dr_minima_options o = {0.01, isinf(beta) ? prox : NULL};
            assert_int_equal(dr_minima_find(&m, &g, u, &o), DR_SUCCESS);
            assert_int_equal(m.count, 1);
            double curv = c / (1 + c * t), floor = isinf(beta) ? 0 : log(1 + c * t) / (2 * beta);
            assert_true(fabs(m.min[0].eig[0] / curv - 1) < 1e-6);
            assert_true(fabs(m.min[0].x[0]) < 1e-9);
            if (floor > 0) assert_true(fabs(m.min[0].u / floor - 1) < 1e-6);
            else assert_true(fabs(m.min[0].u) < 1e-12);
            /* Width of {u <= floor + delta}: 2 sqrt(2 delta / curv), up to the linear
             * interpolation of the crossing, O(h^2 curv / sqrt(delta curv)) < h. */
            assert_true(fabs(m.min[0].width[0] - 2 * sqrt(2 * 0.01 / curv)) < g.h[0]);
            /* One basin: the whole box. */
            assert_int_equal(m.min[0].basin_points, n);
            dr_minima_free(&m);
            free(u); free(prox);
            dr_landscape_free(f);
        }
    /* 2-D: quad2d at beta = 3, t = 0.7: both eigenvalues 1/(1+t), floor (2/(2 beta)) log(1+t). */
    dr_landscape *f = builtin("quad2d");
    dr_grid g = grid_of(f, 101);
    size_t size = dr_grid_size(&g);
    double *u = malloc(size * sizeof *u);
    solve(f, &g, 3, 0.7, 1, u, NULL);
    dr_minima m;
    dr_minima_options o = {0.01, NULL};
    assert_int_equal(dr_minima_find(&m, &g, u, &o), DR_SUCCESS);
    assert_int_equal(m.count, 1);
    for (int a = 0; a < 2; a++) assert_true(fabs(m.min[0].eig[a] * 1.7 - 1) < 1e-6);
    assert_true(fabs(m.min[0].u / (log(1.7) / 3) - 1) < 1e-6);
    dr_minima_free(&m);
    free(u);
    dr_landscape_free(f);
}

/* Minima on hand-made fields: a 2-D plateau is one minimum at its centroid; a double well has
 * two basins split at its maximum and widths of {(x^2-1)^2 <= delta} =
 * sqrt(1 + sqrt delta) - sqrt(1 - sqrt delta); a field falling to the edge has no minimum. */
static void test_minima_fields(void **state)
{
    (void)state;
    size_t n[2] = {21, 21};
    double lo[2] = {-1, -1}, hi[2] = {1, 1};
    dr_grid g;
    assert_int_equal(dr_grid_init(&g, 2, n, lo, hi), DR_SUCCESS);
    double u[441];
    for (size_t j = 0; j < 21; j++)
        for (size_t i = 0; i < 21; i++) {
            double x = dr_grid_coord(&g, 0, i) - 0.3, y = dr_grid_coord(&g, 1, j) + 0.2;
            double r = fmax(fabs(x), fabs(y));
            u[j * 21 + i] = r <= 0.1 + 1e-12 ? 0.0 : r;  /* flat 3x3 square around (0.3, -0.2) */
        }
    dr_minima m;
    dr_minima_options o = {0.05, NULL};
    assert_int_equal(dr_minima_find(&m, &g, u, &o), DR_SUCCESS);
    assert_int_equal(m.count, 1);
    assert_int_equal(m.min[0].plateau, 9);
    assert_true(fabs(m.min[0].x[0] - 0.3) < 1e-12 && fabs(m.min[0].x[1] + 0.2) < 1e-12);
    assert_int_equal(m.min[0].basin_points, 441);
    dr_minima_free(&m);

    size_t n1 = 2001;
    double a = -2, b = 2, w[2001];
    dr_grid g1;
    assert_int_equal(dr_grid_init(&g1, 1, &n1, &a, &b), DR_SUCCESS);
    for (size_t i = 0; i < n1; i++) {
        double x = dr_grid_coord(&g1, 0, i);
        w[i] = (x * x - 1) * (x * x - 1) + 0.01 * x;  /* tilted: the left well is lower */
    }
    o.delta = 0.04;
    assert_int_equal(dr_minima_find(&m, &g1, w, &o), DR_SUCCESS);
    assert_int_equal(m.count, 2);
    assert_true(m.min[0].x[0] < 0 && m.min[1].x[0] > 0);
    /* Basins meet at the maximum near x = 0.0025 (the tilt's shift, 0.01/4). */
    assert_true(fabs(m.min[0].basin_hi[0] - 0.0025) < 2 * g1.h[0]);
    double expect = sqrt(1 + 0.2) - sqrt(1 - 0.2);
    for (int k = 0; k < 2; k++) assert_true(fabs(m.min[k].width[0] - expect) < 0.01);
    dr_minima_free(&m);

    for (size_t i = 0; i < n1; i++) w[i] = -dr_grid_coord(&g1, 0, i);
    assert_int_equal(dr_minima_find(&m, &g1, w, &o), DR_SUCCESS);
    assert_int_equal(m.count, 0);
    dr_minima_free(&m);
}

/* Runs a sweep and returns the tracker; the minima of f are step 0. */
static dr_tracker *sweep(const dr_landscape *f, const dr_grid *g, double beta, const double *t,
                         size_t nt)
{
    size_t size = dr_grid_size(g);
    double *u = malloc(size * sizeof *u), *prox = malloc(2 * size * sizeof *prox);
    double *fv = malloc(size * sizeof *fv);
    dr_landscape_sample(f, g, fv);
    double delta = dr_minima_default_delta(g, fv);
    dr_tracker *tr;
    assert_int_equal(dr_tracker_alloc(&tr), DR_SUCCESS);
    dr_minima m;
    dr_minima_options o = {delta, NULL};
    assert_int_equal(dr_minima_find(&m, g, fv, &o), DR_SUCCESS);
    assert_int_equal(dr_tracker_add(tr, 0, &m), DR_SUCCESS);
    dr_minima_free(&m);
    dr_heat_plan *hp = NULL;
    dr_hopflax_plan *pp = NULL;
    if (isinf(beta)) assert_int_equal(dr_hopflax_plan_alloc(&pp, f, g, t[nt - 1], NULL), 0);
    else assert_int_equal(dr_heat_plan_alloc(&hp, f, g, beta, t[0], t[nt - 1], NULL), 0);
    for (size_t k = 0; k < nt; k++) {
        if (pp) assert_int_equal(dr_hopflax_execute(pp, t[k], u, prox, NULL), 0);
        else assert_int_equal(dr_heat_execute(hp, t[k], u, NULL, NULL), 0);
        o.prox = pp ? prox : NULL;
        assert_int_equal(dr_minima_find(&m, g, u, &o), DR_SUCCESS);
        assert_int_equal(dr_tracker_add(tr, t[k], &m), DR_SUCCESS);
        dr_minima_free(&m);
    }
    dr_heat_plan_free(hp);
    dr_hopflax_plan_free(pp);
    free(u); free(prox); free(fv);
    return tr;
}

static const dr_event *find_event(const dr_tracker *tr, dr_event_kind kind, int track)
{
    size_t ne;
    const dr_event *e = dr_tracker_events(tr, &ne);
    for (size_t i = 0; i < ne; i++)
        if (e[i].kind == kind && (track < 0 || e[i].track == track)) return &e[i];
    return NULL;
}

/* Viscous, beta = 10: the global minimiser jumps from the sharp well (-1.5) to the wide one at
 * the catalogue's documented t: 1.3688 in 1-D, 0.5059 in 2-D (where the two wells' minima of u
 * cross on fine sweeps: step 0.005 at n = 4001, and 0.0025 at n = 257 and 513 on y = 0, both
 * giving 0.50594); the sweep's step is 0.05. Later
 * the sharp minimum vanishes altogether (1-D: between t = 15 and 16, its track's last position
 * still near -1.5 but drifting towards the middle). */
static void test_sharp_wide_viscous(void **state)
{
    (void)state;
    const char *names[2] = {"sharp-wide", "sharp-wide2d"};
    const double documented[2] = {1.3688, 0.5059}, tend[2] = {2.0, 1.0};
    for (int d = 0; d < 2; d++) {
        dr_landscape *f = builtin(names[d]);
        dr_grid g = grid_of(f, d ? 129 : 801);
        double t[40];
        size_t nt = (size_t)lround(tend[d] / 0.05);
        for (size_t k = 0; k < nt; k++) t[k] = 0.05 * (double)(k + 1);
        dr_tracker *tr = sweep(f, &g, 10, t, nt);
        const dr_event *e = find_event(tr, DR_EVENT_JUMP, -1);
        assert_non_null(e);
        assert_true(e->t_before < documented[d] && documented[d] <= e->t_after);
        /* e->t interpolates the gap between the wells' minima linearly across one step; the
         * gap is smooth in t, so the error is O(step^2): 3e-4 measured in both cases (1.3691,
         * 0.5063); 2e-3 leaves room yet is 25 times tighter than the step */
        assert_true(fabs(e->t - documented[d]) < 2e-3);
        assert_true(e->x[0] > 1.0);  /* to the wide well at +1.5 */
        size_t ne;
        dr_tracker_events(tr, &ne);
        assert_int_equal(ne, 1);     /* nothing else happens on the way */
        dr_tracker_free(tr);
        dr_landscape_free(f);
    }
    dr_landscape *f = builtin("sharp-wide");
    dr_grid g = grid_of(f, 401);
    double t[16];
    for (size_t k = 0; k < 16; k++) t[k] = 1.0 + (double)k;
    dr_tracker *tr = sweep(f, &g, 10, t, 16);
    int sharp = dr_tracker_track_of(tr, 0, 0);  /* f's global minimum: the sharp well */
    const dr_event *e = find_event(tr, DR_EVENT_VANISH, sharp);
    assert_non_null(e);
    assert_true(e->t_before >= 14 && e->t_after <= 16);
    dr_tracker_free(tr);
    dr_landscape_free(f);
}

/* Inviscid: minima of the Hopf-Lax u are minima of f (grad u = 0 forces prox(x) = x), f's global
 * minimum stays u's, so the global minimiser never jumps. The wide minimum x_w survives exactly
 * while u(x_w) = f(x_w), i.e. while min_y f(y) + (x_w - y)^2/(2t) >= f(x_w): its vanishing t is
 * found here by bisection over a brute-force minimisation on a fine y-grid. */
static void test_sharp_wide_inviscid(void **state)
{
    (void)state;
    dr_landscape *f = builtin("sharp-wide");
    dr_grid g = grid_of(f, 801);
    double t[30];
    for (size_t k = 0; k < 30; k++) t[k] = 1.0 + (double)k;
    dr_tracker *tr = sweep(f, &g, INFINITY, t, 30);
    assert_null(find_event(tr, DR_EVENT_JUMP, -1));
    int sharp = dr_tracker_global(tr, 0);
    for (size_t k = 0; k <= 30; k++) assert_int_equal(dr_tracker_global(tr, k), sharp);

    /* Brute force: the wide minimum of f, then the t where its value is undercut. */
    double xw = 1.5, fw = INFINITY;
    for (double x = 0.5; x < 2.5; x += 1e-5) {
        double v = dr_landscape_value(f, &x);
        if (v < fw) { fw = v; xw = x; }
    }
    double a = 1, b = 40;
    for (int it = 0; it < 50; it++) {
        double tm = 0.5 * (a + b), best = INFINITY;
        for (double y = -4; y < 4; y += 1e-4) best = fmin(best, dr_landscape_value(f, &y) + (xw - y) * (xw - y) / (2 * tm));
        if (best < fw) b = tm; else a = tm;
    }
    const dr_event *e = find_event(tr, DR_EVENT_VANISH, dr_tracker_track_of(tr, 0, 1));
    assert_non_null(e);
    assert_true(e->t_before < b + 1e-3 && b <= e->t_after + 1e-3);
    dr_tracker_free(tr);
    dr_landscape_free(f);
}

static void test_bad_input(void **state)
{
    (void)state;
    size_t n = 16;
    double lo = -1, hi = 1, u[16], m2[2];
    dr_grid g;
    assert_int_equal(dr_grid_init(&g, 1, &n, &lo, &hi), DR_SUCCESS);
    for (size_t i = 0; i < n; i++) u[i] = dr_grid_coord(&g, 0, i) * dr_grid_coord(&g, 0, i);
    dr_minima m;
    dr_minima_options o = {-1, NULL};
    assert_int_equal(dr_minima_find(&m, &g, u, &o), DR_EINVAL);
    assert_non_null(strstr(dr_error_message(), "delta"));
    o.delta = 0.1;
    u[3] = NAN;
    assert_int_equal(dr_minima_find(&m, &g, u, &o), DR_ENUMERIC);
    dr_landscape *f = builtin("quad");
    assert_int_equal(dr_analysis_boundary_layer(f, &g, 0, 1, m2, NULL), DR_EINVAL);
    assert_int_equal(dr_analysis_boundary_layer(f, &g, -1, 1, m2, NULL), DR_EINVAL);
    dr_gibbs_plan *gp;
    assert_int_equal(dr_gibbs_plan_alloc(&gp, f, &g, INFINITY, 0.1, 1), DR_EINVAL);
    assert_int_equal(dr_gibbs_plan_alloc(&gp, f, &g, 1, 0, 1), DR_EINVAL);
    assert_int_equal(dr_gibbs_plan_alloc(&gp, f, &g, 1, 0.1, 1), DR_SUCCESS);
    double h[16];
    assert_int_equal(dr_gibbs_hessian(gp, 2, h), DR_EINVAL);
    dr_gibbs_plan_free(gp);
    dr_tracker *tr;
    assert_int_equal(dr_tracker_alloc(&tr), DR_SUCCESS);
    for (size_t i = 0; i < n; i++) u[i] = dr_grid_coord(&g, 0, i) * dr_grid_coord(&g, 0, i);
    assert_int_equal(dr_minima_find(&m, &g, u, &o), DR_SUCCESS);
    assert_int_equal(dr_tracker_add(tr, 1, &m), DR_SUCCESS);
    assert_int_equal(dr_tracker_add(tr, 1, &m), DR_EINVAL);
    dr_minima_free(&m);
    dr_tracker_free(tr);
    double margin[2] = {1.0, 0};
    double hh[16];
    for (size_t i = 0; i < n; i++) hh[i] = 1;
    dr_semiconcavity s;
    assert_int_equal(dr_semiconcavity_max(&g, hh, margin, &s), DR_EINVAL);
    dr_landscape_free(f);
}

/* The curvature is the one at the refined minimum, not at the grid node. On the field
 * u = c d^2/2 + k d^3 (d = x - x0, x0 between nodes) the curvature at the minimum x0 is c, while
 * the node's central difference gives c + 6 k (node - x0): 0.35% off here. The second difference
 * of a cubic is linear in the node, so interpolated to the refined minimum x* it is c + 6 k (x* -
 * x0), off only by the quadratic fit's own position error (O(h^2 k / c)): asserted to that.
 * 2-D: the same along both axes. */
static void test_minimum_curvature_refined(void **state)
{
    (void)state;
    double c = 2.0, kk = 0.5, x0 = 0.0123;
    size_t n = 201;
    double lo = -1, hi = 1;
    dr_grid g;
    assert_int_equal(dr_grid_init(&g, 1, &n, &lo, &hi), DR_SUCCESS);
    double *u = malloc(n * sizeof *u);
    for (size_t i = 0; i < n; i++) {
        double d = dr_grid_coord(&g, 0, i) - x0;
        u[i] = c * d * d / 2 + kk * d * d * d;
    }
    dr_minima m;
    dr_minima_options o = {0.01, NULL};
    assert_int_equal(dr_minima_find(&m, &g, u, &o), DR_SUCCESS);
    assert_int_equal(m.count, 1);
    print_message("refined curvature %.12g (exact %g; the node's would be %.6g)\n",
                  m.min[0].eig[0], c, c + 6 * kk * (dr_grid_coord(&g, 0, 101) - x0));
    assert_true(fabs(m.min[0].eig[0] - (c + 6 * kk * (m.min[0].x[0] - x0))) < 1e-9);
    assert_true(fabs(m.min[0].eig[0] - c) < 1e-4);
    dr_minima_free(&m);
    free(u);
    size_t n2[2] = {101, 101};
    double lo2[2] = {-1, -1}, hi2[2] = {1, 1}, y0 = -0.0071;
    assert_int_equal(dr_grid_init(&g, 2, n2, lo2, hi2), DR_SUCCESS);
    u = malloc(101 * 101 * sizeof *u);
    for (size_t j = 0; j < 101; j++)
        for (size_t i = 0; i < 101; i++) {
            double dx = dr_grid_coord(&g, 0, i) - x0, dy = dr_grid_coord(&g, 1, j) - y0;
            u[j * 101 + i] = c * dx * dx / 2 + kk * dx * dx * dx + 3 * dy * dy / 2 + kk * dy * dy * dy;
        }
    assert_int_equal(dr_minima_find(&m, &g, u, &o), DR_SUCCESS);
    assert_int_equal(m.count, 1);
    assert_true(fabs(m.min[0].eig[0] - (c + 6 * kk * (m.min[0].x[0] - x0))) < 1e-8);
    assert_true(fabs(m.min[0].eig[1] - (3 + 6 * kk * (m.min[0].x[1] - y0))) < 1e-8);
    dr_minima_free(&m);
    free(u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paper1d_bounds),
        cmocka_unit_test(test_gibbs_vs_heat_2d),
        cmocka_unit_test(test_quad_closed_forms),
        cmocka_unit_test(test_minima_fields),
        cmocka_unit_test(test_sharp_wide_viscous),
        cmocka_unit_test(test_sharp_wide_inviscid),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_minimum_curvature_refined),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
