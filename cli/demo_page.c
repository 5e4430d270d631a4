/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The demo's page, DIR/index.html: every picture of the tour with its numbers, one static file
 * that opens from disk (inline style, relative image paths, no script, no external asset).
 * Every number on the page is read from summary.json's text and carries its JSON path in a
 * data-json attribute, so the page and the JSON cannot disagree (tests/cli/test_demo_page.sh
 * checks it). */
#include "demo_page.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "json_get.h"
#include "deeprelax/error.h"
#include "deeprelax/output.h"

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

static void semiconcavity(FILE *out, const char *dir, const char *json)
{
    const char *base = "widen/semiconcavity";
    if (!json_get(json, base)) return;
    fputs("<h2 id=\"semiconcavity\">Semi-concavity against both bounds</h2>\n<p>For any f, "
          "D<sup>2</sup>u(&middot;,t) &le; 1/t; when D<sup>2</sup>f &le; C, also "
          "D<sup>2</sup>u &le; C/(1+Ct). The toy has C = ", out);
    num(out, json, "%s/C", base);
    fputs(". Measured by <code>deeprelax widen</code> (Hopf-Lax on a finer y-grid).</p>\n", out);
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

static void widening(FILE *out, const char *dir, const char *json)
{
    const char *base = "widen/widening";
    if (!json_get(json, base)) return;
    fputs("<h2 id=\"widening\">Widening: a sharp and a wide minimum</h2>\n<p>A well of "
          "curvature c relaxes to c/(1+ct) and its floor rises by (1/(2&beta;)) log(1+ct): "
          "far more for the sharp well, so the global minimiser jumps to the wide one and the "
          "sharp minimum vanishes (<code>sharp-wide</code>, &beta; = ", out);
    num(out, json, "%s/beta", base);
    fputs(").</p>\n", out);
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
               "A 2-D landscape with a sharp well at (-1.5, 0) and a wide one at (1.5, 0): the "
               "minimiser of u (red cross) jumps to the wide well between t = 0.45 and 0.55.");
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
