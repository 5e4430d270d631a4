/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The numbers of `deeprelax explore` (see explore_data.h): the library's heat, Hopf-Lax, Gibbs,
 * semi-concavity and minima functions run on a grid of (beta, t), and their JSON for the page. */
#include "explore_data.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "deeprelax/analysis.h"

typedef struct {
    double *u, *prox, *hess, *mean;
} scratch;

static size_t field_index(const explore_case *c, const explore_axes *ax, size_t kb, size_t kt)
{
    return (kb * ax->nt + kt) * dr_grid_size(&c->g);
}

/* Grid minimum (as `solve` reports it), semi-concavity by differences, local minima. */
static int step_stats(explore_case *c, double beta, double t, scratch *s, const double *prox,
                      double delta, explore_step *st)
{
    const dr_grid *g = &c->g;
    size_t size = dr_grid_size(g), best = 0;
    for (size_t i = 1; i < size; i++)
        if (s->u[i] < s->u[best]) best = i;
    st->min_u = s->u[best];
    st->argmin[0] = dr_grid_coord(g, 0, best % g->n[0]);
    st->argmin[1] = g->dim == 2 ? dr_grid_coord(g, 1, best / g->n[0]) : 0.0;
    double margin[2];
    int capped;
    dr_semiconcavity sc;
    int status = dr_analysis_boundary_layer(c->f, g, t, beta, margin, &capped);
    if (!status) status = dr_analysis_hessian_fd(g, s->u, s->hess);
    if (!status) status = dr_semiconcavity_max(g, s->hess, margin, &sc);
    if (status) return status;
    st->sc_fd = sc.value;
    st->layer = margin[0];
    dr_minima m;
    dr_minima_options mo = {delta, prox};
    status = dr_minima_find(&m, g, s->u, &mo);
    if (status) return status;
    st->nmin_all = m.count;
    st->nmin = m.count < EXPLORE_MAX_MINIMA ? m.count : EXPLORE_MAX_MINIMA;
    for (size_t i = 0; i < st->nmin; i++) {
        memcpy(st->min_x[i], m.min[i].x, sizeof st->min_x[i]);
        st->min_u_at[i] = m.min[i].u;
    }
    dr_minima_free(&m);
    return DR_SUCCESS;
}

static void store(float *dst, const double *src, size_t n)
{
    for (size_t i = 0; i < n; i++) dst[i] = (float)src[i];
}

/* The Gibbs mean and the Hessian it gives exactly, D^2 u = 1/t - (beta/t^2) Var (gibbs.h), from
 * one pass of the moments, on a plan sized for this t alone (its y-grid is refined for the
 * kernel's width sqrt(t/beta) at this t, not at the smallest t of the page). */
static int gibbs_step(explore_case *c, double beta, double t, scratch *s, explore_step *st)
{
    dr_gibbs_plan *gp = NULL;
    size_t size = dr_grid_size(&c->g);
    double *var = s->hess + size;
    int status = dr_gibbs_plan_alloc(&gp, c->f, &c->g, beta, t, t);
    if (!status) status = dr_gibbs_moments(gp, t, s->mean, var, NULL);
    dr_gibbs_plan_free(gp);
    if (status) return status;
    for (size_t i = 0; i < size; i++) s->hess[i] = 1 / t - beta / (t * t) * var[i];
    double margin[2] = {st->layer, 0};
    dr_semiconcavity sc;
    st->sc_gibbs = dr_semiconcavity_max(&c->g, s->hess, margin, &sc) ? NAN : sc.value;
    return DR_SUCCESS;
}

/* One finite beta: a heat plan per t (sized for that t alone, as `solve --t T` builds it, so the
 * page's u is the value solve prints); in 1-D the Gibbs mean and Hessian as well. */
static int compute_viscous(explore_case *c, const explore_axes *ax, size_t kb, scratch *s,
                           double delta)
{
    const dr_grid *g = &c->g;
    size_t size = dr_grid_size(g);
    double beta = ax->beta[kb];
    int status = DR_SUCCESS;
    for (size_t kt = 0; kt < ax->nt && !status; kt++) {
        double t = ax->t[kt];
        explore_step *st = &c->steps[kb * ax->nt + kt];
        dr_heat_plan *hp = NULL;
        dr_heat_options opt = {.engine = DR_HEAT_AUTO};
        dr_heat_report rep;
        status = dr_heat_plan_alloc(&hp, c->f, g, beta, t, t, &opt);
        if (!status) status = dr_heat_execute(hp, t, s->u, NULL, &rep);
        dr_heat_plan_free(hp);
        if (!status) status = step_stats(c, beta, t, s, NULL, delta, st);
        if (status) break;
        st->est_error = rep.est_error;
        st->sc_gibbs = NAN;
        store(c->u + field_index(c, ax, kb, kt), s->u, size);
        if (g->dim == 1) {
            status = gibbs_step(c, beta, t, s, st);
            store(c->mean + field_index(c, ax, kb, kt), s->mean, size);
        }
    }
    return status;
}

/* beta = inf: Hopf-Lax on a refined y-grid, polished by Newton (exact proximal points). */
static int compute_inviscid(explore_case *c, const explore_axes *ax, size_t kb, scratch *s,
                            double delta)
{
    const dr_grid *g = &c->g;
    size_t size = dr_grid_size(g);
    dr_hopflax_plan *pp = NULL;
    dr_hopflax_options opt = {.refine = c->refine, .polish = 1};
    int status = dr_hopflax_plan_alloc(&pp, c->f, g, ax->t[ax->nt - 1], &opt);
    for (size_t kt = 0; kt < ax->nt && !status; kt++) {
        explore_step *st = &c->steps[kb * ax->nt + kt];
        status = dr_hopflax_execute(pp, ax->t[kt], s->u, s->prox, NULL);
        if (!status) status = step_stats(c, INFINITY, ax->t[kt], s, s->prox, delta, st);
        if (status) break;
        st->est_error = NAN;
        st->sc_gibbs = NAN;
        store(c->u + field_index(c, ax, kb, kt), s->u, size);
        if (c->mean) store(c->mean + field_index(c, ax, kb, kt), s->prox, size);
    }
    dr_hopflax_plan_free(pp);
    return status;
}

int explore_case_compute(explore_case *c, const explore_axes *ax)
{
    const dr_grid *g = &c->g;
    size_t size = dr_grid_size(g), fields = ax->nb * ax->nt * size;
    double lo[2] = {g->lo[0], g->lo[1]}, hi[2] = {g->hi[0], g->hi[1]};
    c->C = dr_landscape_curvature_bound(c->f, lo, hi);
    c->refine = g->dim == 1 ? 64 : 4;
    c->fvals = malloc(size * sizeof *c->fvals);
    c->u = malloc(fields * sizeof *c->u);
    c->mean = g->dim == 1 ? malloc(fields * sizeof *c->mean) : NULL;
    c->steps = calloc(ax->nb * ax->nt, sizeof *c->steps);
    scratch s = {malloc(size * sizeof *s.u), malloc(2 * size * sizeof *s.prox),
                 malloc(3 * size * sizeof *s.hess), malloc(2 * size * sizeof *s.mean)};
    int status = DR_SUCCESS;
    if (!c->fvals || !c->u || (g->dim == 1 && !c->mean) || !c->steps || !s.u || !s.prox ||
        !s.hess || !s.mean)
        status = dr_error(DR_ENOMEM, "out of memory");
    double start = cli_seconds(), delta = 0;
    if (!status) {
        dr_landscape_sample(c->f, g, s.u);
        store(c->fvals, s.u, size);
        delta = dr_minima_default_delta(g, s.u);
    }
    for (size_t kb = 0; kb < ax->nb && !status; kb++)
        status = isinf(ax->beta[kb]) ? compute_inviscid(c, ax, kb, &s, delta)
                                     : compute_viscous(c, ax, kb, &s, delta);
    c->seconds = cli_seconds() - start;
    free(s.u); free(s.prox); free(s.hess); free(s.mean);
    return status;
}

void explore_case_free(explore_case *c)
{
    free(c->fvals); free(c->u); free(c->mean); free(c->steps);
    dr_landscape_free(c->f);
    memset(c, 0, sizeof *c);
}

/* ---------------------------------------------------------------- JSON */

void explore_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(out, "\\%c", ch);
        else if (ch < 0x20 || ch == '<' || ch == '>' || ch == '&') fprintf(out, "\\u%04x", ch);
        else fputc(ch, out);
    }
    fputc('"', out);
}

/* The float32 array's bytes (little-endian, as every browser's Float32Array reads them on the
 * machines that run one) in base64, as a JSON string. */
static void json_base64_f32(FILE *out, const float *v, size_t n)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *b = (const unsigned char *)v;
    size_t len = n * sizeof *v;
    fputc('"', out);
    for (size_t i = 0; i < len; i += 3) {
        unsigned w = (unsigned)b[i] << 16;
        if (i + 1 < len) w |= (unsigned)b[i + 1] << 8;
        if (i + 2 < len) w |= b[i + 2];
        fputc(digits[(w >> 18) & 63], out);
        fputc(digits[(w >> 12) & 63], out);
        fputc(i + 1 < len ? digits[(w >> 6) & 63] : '=', out);
        fputc(i + 2 < len ? digits[w & 63] : '=', out);
    }
    fputc('"', out);
}

static void json_step(FILE *out, const explore_step *st, int dim)
{
    fputs("{\"min_u\":", out);
    json_number(out, st->min_u);
    fputs(",\"argmin\":", out);
    json_array(out, st->argmin, (size_t)dim);
    fputs(",\"sc_fd\":", out);
    json_number(out, st->sc_fd);
    fputs(",\"sc_gibbs\":", out);
    json_number(out, st->sc_gibbs);
    fputs(",\"layer\":", out);
    json_number(out, st->layer);
    fputs(",\"est_error\":", out);
    json_number(out, st->est_error);
    fprintf(out, ",\"minima_found\":%zu,\"minima\":[", st->nmin_all);
    for (size_t i = 0; i < st->nmin; i++) {
        fputs(i ? ",{\"x\":" : "{\"x\":", out);
        json_array(out, st->min_x[i], (size_t)dim);
        fputs(",\"u\":", out);
        json_number(out, st->min_u_at[i]);
        fputc('}', out);
    }
    fputs("]}", out);
}

void explore_case_json(FILE *out, const explore_case *c, const explore_axes *ax)
{
    const dr_grid *g = &c->g;
    size_t size = dr_grid_size(g), fields = ax->nb * ax->nt * size;
    fputs("{\"name\":", out);
    explore_json_string(out, dr_landscape_name(c->f));
    fputs(",\"formula\":", out);
    explore_json_string(out, dr_landscape_formula(c->f));
    fprintf(out, ",\"dim\":%d,\"n\":[%zu,%zu],\"lo\":", g->dim, g->n[0], g->n[1]);
    json_array(out, g->lo, (size_t)g->dim);
    fputs(",\"hi\":", out);
    json_array(out, g->hi, (size_t)g->dim);
    fputs(",\"C\":", out);
    json_number_inf(out, c->C);
    fprintf(out, ",\"refine\":%d,\"seconds\":", c->refine);
    json_number(out, c->seconds);
    fputs(",\"steps\":[", out);
    for (size_t k = 0; k < ax->nb * ax->nt; k++) {
        if (k) fputc(',', out);
        json_step(out, &c->steps[k], g->dim);
    }
    fputs("],\"f\":", out);
    json_base64_f32(out, c->fvals, size);
    fputs(",\"u\":", out);
    json_base64_f32(out, c->u, fields);
    if (c->mean) {
        fputs(",\"mean\":", out);
        json_base64_f32(out, c->mean, fields);
    }
    fputc('}', out);
}
