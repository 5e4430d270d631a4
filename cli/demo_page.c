/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The demo's page, DIR/index.html: every picture of the tour with its numbers, one static file
 * that opens from disk (inline style, relative image paths, no script, no external asset).
 * Every number on the page is read from summary.json's text and carries its JSON path in a
 * data-json attribute, so the page and the JSON cannot disagree (tests/cli/test_demo_page.sh
 * checks it). */
#include "demo_page.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "json_get.h"
#include "deeprelax/error.h"
#include "deeprelax/output.h"

/* JSON paths of the page (e.g. "widen/widening/times/39/minima/1/x") */
#define PATH_LEN 256

static void html_text(FILE *out, const char *s, size_t len)
{
    for (size_t i = 0; i < len && s[i]; i++) {
        switch (s[i]) {
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '&': fputs("&amp;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fputc(s[i], out);
        }
    }
}

/* A JSON string value (without quotes, escapes kept as written), as HTML text. */
static void json_text(FILE *out, const char *json, const char *path)
{
    const char *p = json_get(json, path);
    if (!p || *p != '"') {
        fputs("?", out);
        return;
    }
    const char *end = p + 1;
    while (*end && *end != '"') end += *end == '\\' && end[1] ? 2 : 1;
    html_text(out, p + 1, (size_t)(end - p - 1));
}

/* A number with its JSON path; "inf" strings (beta) are shown as such. */
static void num(FILE *out, const char *json, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void num(FILE *out, const char *json, const char *fmt, ...)
{
    char path[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(path, sizeof path, fmt, ap);
    va_end(ap);
    double v;
    if (json_get_number(json, path, &v)) {
        fprintf(out, "<span class=\"num\" data-json=\"%s\">%.7g</span>", path, v);
    } else {
        const char *p = json_get(json, path);
        if (p && !strncmp(p, "\"inf\"", 5)) fputs("&infin;", out);
        else fputs("&ndash;", out);
    }
}

static int exists(const char *dir, const char *name)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 && st.st_size > 0;
}

static void figure(FILE *out, const char *dir, const char *file, const char *caption)
{
    if (!exists(dir, file)) return;
    fprintf(out, "<figure><a href=\"%s\"><img src=\"%s\" alt=\"", file, file);
    html_text(out, caption, strlen(caption));
    fputs("\"></a><figcaption>", out);
    html_text(out, caption, strlen(caption));
    fputs("</figcaption></figure>\n", out);
}

static const char style[] =
    "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;"
    "color:#222;line-height:1.45}h1{margin-bottom:.2em}h2{border-bottom:1px solid #ddd;"
    "padding-bottom:.2em;margin-top:2em}figure{margin:1em 0}img{max-width:100%;"
    "border:1px solid #eee}figcaption{color:#555;font-size:.92em}table{border-collapse:collapse;"
    "margin:.8em 0;font-size:.93em}td,th{border:1px solid #ddd;padding:.25em .7em;"
    "text-align:right}th{background:#f5f5f5}code{background:#f4f4f4;padding:0 .25em}"
    ".note{color:#666;font-size:.92em}";

static void solve_case(FILE *out, const char *dir, const char *json, const char *name,
                       const char *claim)
{
    char base[128], picture[160];
    snprintf(base, sizeof base, "cases/%s", name);
    if (!json_get(json, base)) return;
    fprintf(out, "<h2 id=\"%s\">%s</h2>\n<p>", name, name);
    html_text(out, claim, strlen(claim));
    fputs("</p>\n<p><code>f = ", out);
    char path[192];
    snprintf(path, sizeof path, "%s/formula", base);
    json_text(out, json, path);
    fputs("</code>, method ", out);
    snprintf(path, sizeof path, "%s/method", base);
    json_text(out, json, path);
    fputs(", &beta; = ", out);
    num(out, json, "%s/beta", base);
    fputs(", computed in ", out);
    num(out, json, "%s/seconds", base);
    fputs(" s.</p>\n", out);
    snprintf(picture, sizeof picture, "%s.png", name);
    figure(out, dir, picture, name);
    snprintf(path, sizeof path, "%s/t", base);
    size_t nt = json_get_length(json, path);
    snprintf(path, sizeof path, "%s/dim", base);
    double dim = 1;
    json_get_number(json, path, &dim);
    fputs("<table><tr><th>t</th><th>min u</th><th>argmin u</th><th>engine</th></tr>\n", out);
    for (size_t k = 0; k < nt; k++) {
        fputs("<tr><td>", out);
        num(out, json, "%s/t/%zu", base, k);
        fputs("</td><td>", out);
        num(out, json, "%s/min_u/%zu", base, k);
        fputs("</td><td>", out);
        num(out, json, "%s/argmin_u/%zu/0", base, k);
        if (dim == 2) {
            fputs(", ", out);
            num(out, json, "%s/argmin_u/%zu/1", base, k);
        }
        fputs("</td><td>", out);
        snprintf(path, sizeof path, "%s/engine/%zu", base, k);
        json_text(out, json, path);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* ---- what the page says about a sweep's events: sentences built from the numbers alone, so
 * the text cannot claim an event the data does not have (tests/cli/test_demo_page.sh) ---- */

/* A number of the page: shown with %.7g and, when it came from summary.json, its path. */
static void value(FILE *out, double v, const char *path)
{
    if (path && *path) fprintf(out, "<span class=\"num\" data-json=\"%s\">%.7g</span>", path, v);
    else fprintf(out, "%.7g", v);
}

/* A point x (dim 1) or (x, y) to 4 decimals (a grid point: more digits, or the 1e-15 of a
 * coordinate that is 0, would say nothing); class "pos" with its JSON path, or "". */
static void point(FILE *out, int dim, const double x[2], const char *path)
{
    char p[PATH_LEN + 16];
    if (dim == 2) fputc('(', out);
    for (int i = 0; i < dim; i++) {
        snprintf(p, sizeof p, "%s/%d", path, i);
        if (i) fputs(", ", out);
        double v = fabs(x[i]) < 5e-5 ? 0 : x[i];
        if (*path) fprintf(out, "<span class=\"pos\" data-json=\"%s\">%.4f</span>", p, v);
        else fprintf(out, "%.4f", v);
    }
    if (dim == 2) fputc(')', out);
}

/* One event of a sweep with the JSON paths of its numbers ("" when none). */
typedef struct {
    char kind[16];             /* jump, vanish, merge, appear */
    int dim;
    double t, t_before, t_after;
    double from[2];            /* jump: the previous global minimiser at t_before */
    double x[2];               /* jump, appear: the new minimum; vanish, merge: the one that ends */
    char t_path[PATH_LEN], before_path[PATH_LEN], after_path[PATH_LEN], from_path[PATH_LEN],
        x_path[PATH_LEN];
} page_event;

/* The sentence for one event, e.g. "The global minimiser jumps from x = a to x = b at t = c". */
static void event_sentence(FILE *out, const page_event *e)
{
    if (!strcmp(e->kind, "jump")) {
        fputs("The global minimiser jumps from x = ", out);
        point(out, e->dim, e->from, e->from_path);
        fputs(" to x = ", out);
        point(out, e->dim, e->x, e->x_path);
        fputs(" at t = ", out);
        value(out, e->t, e->t_path);
        fputs(" (interpolated between the sweep's times t = ", out);
    } else {
        fprintf(out, "The minimum at x = ");
        point(out, e->dim, e->x, e->x_path);
        fprintf(out, " %s at t = ", !strcmp(e->kind, "merge") ? "merges into a neighbour"
                                    : !strcmp(e->kind, "appear") ? "appears" : "vanishes");
        value(out, e->t, e->t_path);
        fputs(" (the sweep's time before is t = ", out);
        value(out, e->t_before, e->before_path);
        fputs("; a finer sweep moves this estimate). ", out);
        return;
    }
    value(out, e->t_before, e->before_path);
    fputs(" and ", out);
    value(out, e->t_after, e->after_path);
    fputs("; a finer sweep moves this estimate). ", out);
}

/* The sentence when a sweep from t_first to t_last has no event. */
static void no_event_sentence(FILE *out, double t_first, const char *first_path, double t_last,
                              const char *last_path)
{
    fputs("Between t = ", out);
    value(out, t_first, first_path);
    fputs(" and t = ", out);
    value(out, t_last, last_path);
    fputs(" no minimum vanishes or merges and the global minimiser does not jump. ", out);
}

/* The minima u still has at the sweep's last time, e.g. "At t = 2 u has 2 local minima, at
 * x = a and x = b." xs holds count points, paths their JSON arrays. */
static void survivors_sentence(FILE *out, int dim, double t, const char *t_path, size_t count,
                               const double (*xs)[2], char (*paths)[PATH_LEN])
{
    fputs("At t = ", out);
    value(out, t, t_path);
    fprintf(out, " u has %zu local minim%s", count, count == 1 ? "um" : "a");
    for (size_t k = 0; k < count; k++) {
        fputs(k == 0 ? ", at x = " : k + 1 == count ? " and x = " : ", x = ", out);
        point(out, dim, xs[k], paths[k]);
    }
    fputs(". ", out);
}

/* ---- reading those numbers from a widen summary (base: its JSON path) ---- */

/* The JSON path of track `track`'s position at sweep time t (0: a minimum of f) into path;
 * 1 when found. */
static int track_position(const char *json, const char *base, double t, int track, char *path,
                          size_t size)
{
    char p[PATH_LEN], list[PATH_LEN / 2];
    snprintf(list, sizeof list, "%s/f_minima", base);
    snprintf(p, sizeof p, "%s/times", base);
    size_t nt = json_get_length(json, p);
    for (size_t k = 0; t > 0 && k < nt; k++) {
        double tk;
        snprintf(p, sizeof p, "%s/times/%zu/t", base, k);
        if (json_get_number(json, p, &tk) && tk == t) snprintf(list, sizeof list,
                                                               "%s/times/%zu/minima", base, k);
    }
    size_t nm = json_get_length(json, list);
    for (size_t i = 0; i < nm; i++) {
        double id;
        snprintf(p, sizeof p, "%s/%zu/track", list, i);
        if (json_get_number(json, p, &id) && (int)id == track) {
            snprintf(path, size, "%s/%zu/x", list, i);
            return 1;
        }
    }
    return 0;
}

static void read_point(const char *json, const char *path, int dim, double x[2])
{
    char p[PATH_LEN + 16];
    x[0] = x[1] = 0;
    for (int i = 0; i < dim; i++) {
        snprintf(p, sizeof p, "%s/%d", path, i);
        json_get_number(json, p, &x[i]);
    }
}

/* Event k of the widen summary at base. */
static void read_event(const char *json, const char *base, size_t k, page_event *e)
{
    char p[PATH_LEN + 8];
    double v = 1, track = -1, other = -1;
    memset(e, 0, sizeof *e);
    snprintf(p, sizeof p, "%s/dim", base);
    json_get_number(json, p, &v);
    e->dim = v == 2 ? 2 : 1;
    snprintf(p, sizeof p, "%s/events/%zu/kind", base, k);
    const char *s = json_get(json, p);
    if (s && *s == '"') sscanf(s + 1, "%15[a-z]", e->kind);
    snprintf(e->t_path, sizeof e->t_path, "%s/events/%zu/t", base, k);
    snprintf(e->before_path, sizeof e->before_path, "%s/events/%zu/t_before", base, k);
    snprintf(e->after_path, sizeof e->after_path, "%s/events/%zu/t_after", base, k);
    snprintf(e->x_path, sizeof e->x_path, "%s/events/%zu/x", base, k);
    json_get_number(json, e->t_path, &e->t);
    json_get_number(json, e->before_path, &e->t_before);
    json_get_number(json, e->after_path, &e->t_after);
    read_point(json, e->x_path, e->dim, e->x);
    snprintf(p, sizeof p, "%s/events/%zu/track", base, k);
    json_get_number(json, p, &track);
    snprintf(p, sizeof p, "%s/events/%zu/other", base, k);
    json_get_number(json, p, &other);
    /* a jump starts at the previous global track's position at t_before */
    if (!strcmp(e->kind, "jump") &&
        track_position(json, base, e->t_before, (int)other, e->from_path, sizeof e->from_path))
        read_point(json, e->from_path, e->dim, e->from);
}

/* Every event of the widen summary at base as sentences, then the minima left at its end. */
static void sweep_text(FILE *out, const char *json, const char *base)
{
    char p[PATH_LEN / 2], last_t[PATH_LEN];
    snprintf(p, sizeof p, "%s/events", base);
    size_t ne = json_get_length(json, p);
    snprintf(p, sizeof p, "%s/times", base);
    size_t nt = json_get_length(json, p);
    if (nt == 0) return;
    for (size_t k = 0; k < ne; k++) {
        page_event e;
        read_event(json, base, k, &e);
        event_sentence(out, &e);
    }
    double t0 = 0, t1 = 0, dim = 1;
    char first_t[PATH_LEN];
    snprintf(first_t, sizeof first_t, "%s/times/0/t", base);
    snprintf(last_t, sizeof last_t, "%s/times/%zu/t", base, nt - 1);
    json_get_number(json, first_t, &t0);
    json_get_number(json, last_t, &t1);
    if (ne == 0) no_event_sentence(out, t0, first_t, t1, last_t);
    snprintf(p, sizeof p, "%s/dim", base);
    json_get_number(json, p, &dim);
    double xs[8][2];
    char paths[8][PATH_LEN];
    size_t nm = 0;
    snprintf(p, sizeof p, "%s/times/%zu/minima", base, nt - 1);
    for (size_t n = json_get_length(json, p); nm < n && nm < 8; nm++) {
        snprintf(paths[nm], sizeof paths[nm], "%s/%zu/x", p, nm);
        read_point(json, paths[nm], dim == 2 ? 2 : 1, xs[nm]);
    }
    survivors_sentence(out, dim == 2 ? 2 : 1, t1, last_t, nm, (const double (*)[2])xs, paths);
}

static void semiconcavity(FILE *out, const char *dir, const char *json)
{
    const char *base = "widen/semiconcavity";
    if (!json_get(json, base)) return;
    fputs("<h2 id=\"semiconcavity\">Semi-concavity against both bounds</h2>\n<p>For any f, "
          "D<sup>2</sup>u(&middot;,t) &le; 1/t; when D<sup>2</sup>f &le; C, also "
          "D<sup>2</sup>u &le; C/(1+Ct). The toy has C = ", out);
    num(out, json, "%s/C", base);
    fputs(". Measured by <code>deeprelax widen</code> (Hopf-Lax on a finer y-grid).</p>\n<p>"
          "The same sweep follows the minima of u. ", out);
    sweep_text(out, json, base);
    fputs("</p>\n", out);
    figure(out, dir, "semiconcavity.png", "max D^2 u against t with the bounds 1/t and C/(1+Ct)");
    size_t nt = json_get_length(json, "widen/semiconcavity/times");
    fputs("<table><tr><th>t</th><th>measured max D<sup>2</sup>u</th><th>1/t</th>"
          "<th>C/(1+Ct)</th></tr>\n", out);
    for (size_t k = 0; k < nt; k += nt > 8 ? nt / 6 : 1) {
        fputs("<tr><td>", out);
        num(out, json, "%s/times/%zu/t", base, k);
        fputs("</td><td>", out);
        num(out, json, "%s/times/%zu/semiconcavity/measured", base, k);
        fputs("</td><td>", out);
        num(out, json, "%s/times/%zu/semiconcavity/bound_inv_t", base, k);
        fputs("</td><td>", out);
        num(out, json, "%s/times/%zu/semiconcavity/bound_C", base, k);
        fputs("</td></tr>\n", out);
    }
    fputs("</table>\n", out);
}

/* The 2-D case's own sweep (widen/widening2d): its grid and times, then its events. */
static void widening2d(FILE *out, const char *json)
{
    const char *base = "widen/widening2d";
    if (!json_get(json, base)) return;
    fputs("<p><code>deeprelax widen</code> on the same landscape (", out);
    num(out, json, "%s/n/0", base);
    fputs(" &times; ", out);
    num(out, json, "%s/n/1", base);
    fputs(" grid, t = ", out);
    size_t nt = json_get_length(json, "widen/widening2d/times");
    for (size_t k = 0; k < nt; k++) {
        if (k) fputs(", ", out);
        num(out, json, "%s/times/%zu/t", base, k);
    }
    fputs("). ", out);
    sweep_text(out, json, base);
    fputs("</p>\n", out);
}

static void widening(FILE *out, const char *dir, const char *json)
{
    const char *base = "widen/widening";
    if (!json_get(json, base)) return;
    fputs("<h2 id=\"widening\">Widening: a sharp and a wide minimum</h2>\n<p>A well of "
          "curvature c relaxes to c/(1+ct) and its floor rises by (1/(2&beta;)) log(1+ct): "
          "far more for the sharp well than for the wide one (<code>sharp-wide</code>, "
          "&beta; = ", out);
    num(out, json, "%s/beta", base);
    fputs(", <code>deeprelax widen</code>). ", out);
    sweep_text(out, json, base);
    fputs("</p>\n", out);
    figure(out, dir, "widening-tracks.png", "the landscape with the tracks of its minima");
    figure(out, dir, "widening.png", "curvature against t with both bounds");
    size_t ne = json_get_length(json, "widen/widening/events");
    if (ne) fputs("<table><tr><th>event</th><th>t</th><th>at x</th></tr>\n", out);
    for (size_t k = 0; k < ne; k++) {
        char path[128];
        snprintf(path, sizeof path, "%s/events/%zu/kind", base, k);
        fputs("<tr><td>", out);
        json_text(out, json, path);
        fputs("</td><td>", out);
        num(out, json, "%s/events/%zu/t", base, k);
        fputs("</td><td>", out);
        num(out, json, "%s/events/%zu/x/0", base, k);
        fputs("</td></tr>\n", out);
    }
    if (ne) fputs("</table>\n", out);
}

static void particles(FILE *out, const char *dir, const char *json)
{
    static const char *algos[] = {"sgd", "entropy-sgd"};
    if (!json_get(json, "particles")) return;
    fputs("<h2 id=\"particles\">Particles: where the optimisers end</h2>\n<p>100 particles "
          "started at x = 2.5 on the toy, in a poor basin. Entropy-SGD is gradient descent on "
          "the viscous solution u(&middot;,&gamma;); SGD follows f itself. The fraction of "
          "particles that ends in each basin (by its minimiser):</p>\n", out);
    for (size_t a = 0; a < 2; a++) {
        char base[64], picture[96];
        snprintf(base, sizeof base, "particles/%s", algos[a]);
        if (!json_get(json, base)) continue;
        snprintf(picture, sizeof picture, "particles-%s.png", algos[a]);
        figure(out, dir, picture, algos[a]);
        char path[128];
        snprintf(path, sizeof path, "%s/basins", base);
        size_t nb = json_get_length(json, path);
        fprintf(out, "<table><tr><th>%s: basin of x =</th><th>fraction</th></tr>\n", algos[a]);
        for (size_t k = 0; k < nb; k++) {
            fputs("<tr><td>", out);
            num(out, json, "%s/basins/%zu/minimiser/0", base, k);
            fputs("</td><td>", out);
            num(out, json, "%s/basins/%zu/fraction", base, k);
            fputs("</td></tr>\n", out);
        }
        fputs("</table>\n", out);
    }
}

int demo_page_write(const char *dir, const char *json, const char *path)
{
    dr_output *o;
    int status = dr_output_open(&o, path);
    if (status) return status;
    FILE *out = dr_output_stream(o);
    fprintf(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                 "<title>deeprelax demo</title>\n<style>%s</style></head><body>\n", style);
    fputs("<h1>deeprelax: the PDE view of deep-learning optimisation</h1>\n"
          "<p>Chaudhari, Oberman, Osher, Soatto, Carlier (2018), <i>Deep relaxation: partial "
          "differential equations for optimizing deep neural networks</i>. Local entropy "
          "f<sub>&gamma;</sub> = u(&middot;,&gamma;) solves the viscous Hamilton-Jacobi equation "
          "u<sub>t</sub> = &minus;&frac12;|&nabla;u|<sup>2</sup> + (1/2&beta;)&Delta;u with "
          "u(&middot;,0) = f; the inviscid equation (&beta; = &infin;) is solved by Hopf-Lax. "
          "This page was written by <code>deeprelax demo</code> in ", out);
    num(out, json, "seconds");
    fputs(" s; its numbers are those of <a href=\"summary.json\">summary.json</a>.</p>\n<p>",
          out);
    static const char *toc[][2] = {{"paper1d-viscous", "smoothing (viscous)"},
                                   {"paper1d-inviscid", "smoothing (inviscid)"},
                                   {"animation", "animation"},
                                   {"sharp-wide2d", "2-D"},
                                   {"semiconcavity", "semi-concavity"},
                                   {"widening", "widening"},
                                   {"particles", "particles"}};
    for (size_t k = 0; k < sizeof toc / sizeof toc[0]; k++)
        fprintf(out, "%s<a href=\"#%s\">%s</a>", k ? " &middot; " : "", toc[k][0], toc[k][1]);
    fputs("</p>\n", out);
    if (exists(dir, "explore.html"))  /* deeprelax explore: the interactive page */
        fputs("<p><a href=\"explore.html\">explore.html</a>: move &beta; and t yourself.</p>\n", out);

    solve_case(out, dir, json, "paper1d-viscous",
               "The paper's toy landscape f(x) = x^2 + 1.5 sin(2 pi x) relaxed by the viscous "
               "equation (Cole-Hopf): local minima fill in as t grows while the global one "
               "stays, lifted by about (1/(2 beta)) log(1 + C t).");
    solve_case(out, dir, json, "paper1d-inviscid",
               "The same landscape under the inviscid equation (Hopf-Lax): u(., t) is the "
               "Moreau envelope, min u = min f for every t.");
    if (exists(dir, "paper1d-viscous.gif")) {
        fputs("<h2 id=\"animation\">u(&middot;,t) as t grows</h2>\n", out);
        figure(out, dir, "paper1d-viscous.gif", "paper1d, beta = 10: u(., t) for t from 0.005 "
               "to 1 (log-spaced)");
    }
    solve_case(out, dir, json, "sharp-wide2d",
               "A 2-D landscape with a deep sharp well at (-1.5, 0) and a shallower wide one at "
               "(1.5, 0); the red cross marks the global minimiser of u, listed below for each t.");
    widening2d(out, json);
    semiconcavity(out, dir, json);
    widening(out, dir, json);
    particles(out, dir, json);
    fputs("<h2>Files</h2>\n<p><a href=\"report.txt\">report.txt</a> &middot; "
          "<a href=\"summary.json\">summary.json</a> &middot; data: ", out);
    static const char *data[] = {"paper1d-viscous.csv", "paper1d-inviscid.csv",
                                 "sharp-wide2d.npy", "semiconcavity.csv", "widening.csv",
                                 "particles-sgd.csv", "particles-entropy-sgd.csv"};
    for (size_t k = 0, shown = 0; k < sizeof data / sizeof data[0]; k++)
        if (exists(dir, data[k]))
            fprintf(out, "%s<a href=\"%s\">%s</a>", shown++ ? ", " : "", data[k], data[k]);
    fputs(". Draw any of them again with <code>deeprelax plot FILE</code>.</p>\n"
          "</body></html>\n", out);
    return dr_output_commit(o);
}
