/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Minima followed across a sweep of t: matching by catchment basins, events, global jumps
 * (see analysis.h for the rules). */
#include "deeprelax/analysis.h"
#include "dr_args.h"
#include "deeprelax/error.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    double t;
    size_t count;
    double *x;      /* 2 per minimum */
    double *u;
    int *track;
    int global;     /* track holding the global minimum */
} step;

struct dr_tracker {
    step *steps;
    size_t nsteps, cap;
    int ntracks;
    dr_event *events;
    size_t nevents, ecap;
};

const char *dr_event_name(dr_event_kind k)
{
    switch (k) {
    case DR_EVENT_VANISH: return "vanish";
    case DR_EVENT_MERGE: return "merge";
    case DR_EVENT_APPEAR: return "appear";
    case DR_EVENT_JUMP: return "jump";
    }
    return "?";
}

int dr_tracker_alloc(dr_tracker **out)
{
    DR_CHECK_PTRS(out);
    *out = calloc(1, sizeof **out);
    return *out ? DR_SUCCESS : dr_error(DR_ENOMEM, "out of memory");
}

void dr_tracker_free(dr_tracker *tr)
{
    if (!tr) return;
    for (size_t k = 0; k < tr->nsteps; k++) {
        free(tr->steps[k].x);
        free(tr->steps[k].u);
        free(tr->steps[k].track);
    }
    free(tr->steps);
    free(tr->events);
    free(tr);
}

static int push_event(dr_tracker *tr, dr_event e)
{
    if (tr->nevents == tr->ecap) {
        size_t cap = tr->ecap ? 2 * tr->ecap : 16;
        dr_event *grown = realloc(tr->events, cap * sizeof *grown);
        if (!grown) return dr_error(DR_ENOMEM, "out of memory for events");
        tr->events = grown;
        tr->ecap = cap;
    }
    tr->events[tr->nevents++] = e;
    return DR_SUCCESS;
}

static int find_track(const step *s, int track)
{
    for (size_t i = 0; i < s->count; i++)
        if (s->track[i] == track) return (int)i;
    return -1;
}

static double dist2(const double *a, const double *b)
{
    return hypot(a[0] - b[0], a[1] - b[1]);
}

/* Continues the tracks of the previous step o into the new step s (minima m at time t): where
 * each old minimum drains now (the new basins), each new minimum continues its nearest
 * predecessor that drains into it, the others end there (merged, or vanished when the heir barely
 * moved); a new minimum with no predecessor starts a track, an old one draining nowhere vanishes. */
static int link_tracks(dr_tracker *tr, const step *o, step *s, const dr_minima *m)
{
    const dr_grid *g = &m->grid;
    double t = s->t;
    int status = DR_SUCCESS;
    int *dest = malloc((o->count ? o->count : 1) * sizeof *dest);
    if (!dest) return dr_error(DR_ENOMEM, "out of memory for the tracker");
    for (size_t a = 0; a < o->count; a++) {
        size_t idx[2] = {0, 0};
        int inside = 1;
        for (int ax = 0; ax < g->dim; ax++) {
            double r = round((o->x[2 * a + (size_t)ax] - g->lo[ax]) / g->h[ax]);
            if (r < 0 || r > (double)(g->n[ax] - 1)) inside = 0;
            else idx[ax] = (size_t)r;
        }
        dest[a] = inside ? m->basin[idx[1] * g->n[0] + idx[0]] : -1;
    }
    for (size_t b = 0; b < m->count && !status; b++) {
        int heir = -1;
        for (size_t a = 0; a < o->count; a++)
            if (dest[a] == (int)b &&
                (heir < 0 || dist2(o->x + 2 * a, s->x + 2 * b) < dist2(o->x + 2 * heir, s->x + 2 * b)))
                heir = (int)a;
        if (heir < 0) {
            s->track[b] = tr->ntracks++;
            dr_event e = {DR_EVENT_APPEAR, o->t, t, t, s->track[b], -1,
                          {s->x[2 * b], s->x[2 * b + 1]}};
            status = push_event(tr, e);
            continue;
        }
        s->track[b] = o->track[heir];
        for (size_t a = 0; a < o->count && !status; a++) {
            if (dest[a] != (int)b || (int)a == heir) continue;
            double moved = dist2(o->x + 2 * heir, s->x + 2 * b);
            double apart = dist2(o->x + 2 * heir, o->x + 2 * a);
            dr_event e = {moved < 0.25 * apart ? DR_EVENT_VANISH : DR_EVENT_MERGE, o->t, t, t,
                          o->track[a], o->track[heir], {o->x[2 * a], o->x[2 * a + 1]}};
            status = push_event(tr, e);
        }
    }
    for (size_t a = 0; a < o->count && !status; a++)
        if (dest[a] < 0) {
            dr_event e = {DR_EVENT_VANISH, o->t, t, t, o->track[a], -1,
                          {o->x[2 * a], o->x[2 * a + 1]}};
            status = push_event(tr, e);
        }
    free(dest);
    return status;
}

/* The global holder of step s: the previous holder kept through ties, else the lowest minimum; a
 * change of holder is a jump event, timed where the two tracks' value difference crosses zero
 * (when both tracks exist at both times). o is the previous step, NULL at the first. */
static int hold_global(dr_tracker *tr, const step *o, step *s)
{
    double umin = s->u[0];
    for (size_t i = 1; i < s->count; i++) umin = fmin(umin, s->u[i]);
    int holder = -1;
    if (o) {
        int i = find_track(s, o->global);
        if (i >= 0 && s->u[i] <= umin + 1e-12 * (1 + fabs(umin))) holder = o->global;
    }
    if (holder < 0) {
        size_t best = 0;
        for (size_t i = 1; i < s->count; i++)
            if (s->u[i] < s->u[best]) best = i;
        holder = s->track[best];
    }
    s->global = holder;
    if (!o || o->global < 0 || o->global == holder) return DR_SUCCESS;
    int bi = find_track(s, holder);
    dr_event e = {DR_EVENT_JUMP, o->t, s->t, s->t, holder, o->global,
                  {s->x[2 * bi], s->x[2 * bi + 1]}};
    int oa = find_track(o, o->global), ob = find_track(o, holder);
    int na = find_track(s, o->global);
    if (oa >= 0 && ob >= 0 && na >= 0) {
        double d0 = o->u[ob] - o->u[oa], d1 = s->u[bi] - s->u[na];
        if (d0 > 0 && d1 < 0) e.t = o->t + (s->t - o->t) * d0 / (d0 - d1);
    }
    return push_event(tr, e);
}

int dr_tracker_add(dr_tracker *tr, double t, const dr_minima *m)
{
    DR_CHECK_PTRS(tr, m);
    if (!isfinite(t)) return dr_error(DR_EINVAL, "tracker: t must be finite (got %g)", t);
    if (tr->nsteps && !(t > tr->steps[tr->nsteps - 1].t))
        return dr_error(DR_EINVAL, "tracker: times must increase (got %g after %g)", t,
                        tr->steps[tr->nsteps - 1].t);
    if (tr->nsteps == tr->cap) {
        size_t cap = tr->cap ? 2 * tr->cap : 16;
        step *grown = realloc(tr->steps, cap * sizeof *grown);
        if (!grown) return dr_error(DR_ENOMEM, "out of memory for the tracker");
        tr->steps = grown;
        tr->cap = cap;
    }
    step *s = &tr->steps[tr->nsteps];
    const step *o = tr->nsteps ? &tr->steps[tr->nsteps - 1] : NULL;
    memset(s, 0, sizeof *s);
    s->t = t;
    s->count = m->count;
    size_t n = m->count ? m->count : 1;
    s->x = malloc(2 * n * sizeof *s->x);
    s->u = malloc(n * sizeof *s->u);
    s->track = malloc(n * sizeof *s->track);
    int status = DR_SUCCESS;
    if (!s->x || !s->u || !s->track) {
        status = dr_error(DR_ENOMEM, "out of memory for the tracker");
        goto done;
    }
    for (size_t i = 0; i < m->count; i++) {
        s->x[2 * i] = m->min[i].x[0];
        s->x[2 * i + 1] = m->min[i].x[1];
        s->u[i] = m->min[i].u;
        s->track[i] = -1;
    }
    s->global = -1;
    if (!o)
        for (size_t i = 0; i < m->count; i++) s->track[i] = tr->ntracks++;
    else
        status = link_tracks(tr, o, s, m);
    if (!status && m->count) status = hold_global(tr, o, s);
done:
    if (status) {
        free(s->x); free(s->u); free(s->track);
        return status;
    }
    tr->nsteps++;
    return DR_SUCCESS;
}

size_t dr_tracker_times(const dr_tracker *tr) { return tr->nsteps; }
size_t dr_tracker_tracks(const dr_tracker *tr) { return (size_t)tr->ntracks; }

int dr_tracker_track_of(const dr_tracker *tr, size_t k, size_t i)
{
    if (k >= tr->nsteps || i >= tr->steps[k].count) return -1;
    return tr->steps[k].track[i];
}

int dr_tracker_global(const dr_tracker *tr, size_t k)
{
    return k < tr->nsteps ? tr->steps[k].global : -1;
}

const dr_event *dr_tracker_events(const dr_tracker *tr, size_t *count)
{
    *count = tr->nevents;
    return tr->events;
}
