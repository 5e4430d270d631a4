/* SPDX-License-Identifier: GPL-3.0-or-later */
/* An animated GIF of u(., t) as t grows, drawn by gnuplot's `gif animate` terminal: 1-D frames
 * show f (black) under u(., t_k); 2-D frames are heatmaps of u(., t_k) with contour-free viridis
 * shading. Every frame shares one value range (that of f and all u), so what moves in the
 * animation is the relaxation, never the axis. As with the other gnuplot figures, the data
 * (DIR/NAME.dat, one block per frame) and the script (DIR/NAME.gp) are kept for restyling. */
#include "deeprelax/viz.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deeprelax/error.h"
#include "deeprelax/output.h"
#include "viz_internal.h"

static void quoted(FILE *f, const char *s)
{
    fputc('\'', f);
    for (; s && *s; s++) {
        if (*s == '\'')
            fputc('\'', f); /* gnuplot's single-quote escape is a doubled quote */
        if (*s != '\n' && *s != '\r')
            fputc(*s, f);
    }
    fputc('\'', f);
}

static void number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, " %.17g", v);
    else
        fputs(" NaN", f);
}

static int check(const dr_gnuplot_options *o, const dr_grid *g, const double *f, const double *u,
                 const double *t, size_t nt)
{
    if (!o || !o->dir || !*o->dir || !o->name || !*o->name || strchr(o->name, '/'))
        return dr_error(DR_EINVAL, "an animation needs a directory and a name without '/'");
    if (!o->output || !*o->output)
        return dr_error(DR_EINVAL, "an animation needs an output file (NAME.gif)");
    if (o->width < 0 || o->height < 0 || o->width > 4000 || o->height > 4000)
        return dr_error(DR_EINVAL, "animation size %d x %d is out of range", o->width, o->height);
    if (!g || (g->dim != 1 && g->dim != 2) || !f || !u || !t || nt < 1)
        return dr_error(DR_EINVAL, "an animation needs a 1-D or 2-D grid, f, and u at >= 1 time");
    if (nt > 1000)
        return dr_error(DR_EINVAL, "an animation of %zu frames is too long (at most 1000)", nt);
    return DR_SUCCESS;
}

/* The common range of f and every u, widened a little so curves do not touch the frame. */
static void value_range(size_t size, const double *f, const double *u, size_t nt, double *lo,
                        double *hi)
{
    *lo = INFINITY;
    *hi = -INFINITY;
    for (size_t i = 0; i < size * (nt + 1); i++) {
        double v = i < size ? f[i] : u[i - size];
        if (isfinite(v)) {
            *lo = fmin(*lo, v);
            *hi = fmax(*hi, v);
        }
    }
    if (!(*hi > *lo)) {
        double m = isfinite(*lo) ? fabs(*lo) + 1 : 1;
        *lo = isfinite(*lo) ? *lo - 0.05 * m : -1;
        *hi = *lo + 0.1 * m;
    }
}

static int write_data(const char *path, const dr_grid *g, const double *f, const double *u,
                      size_t nt)
{
    dr_output *o;
    int st = dr_output_open(&o, path);
    if (st)
        return st;
    FILE *d = dr_output_stream(o);
    size_t size = dr_grid_size(g);
    fprintf(d, "# one block per frame (gnuplot 'index k'): %s\n",
            g->dim == 1 ? "x f u(x,t_k)" : "x y u(x,y,t_k)");
    for (size_t k = 0; k < nt; k++) {
        if (k)
            fputs("\n\n", d);
        for (size_t i = 0; i < size; i++) {
            if (g->dim == 2 && i && i % g->n[0] == 0)
                fputc('\n', d); /* a blank line between scan lines of a grid */
            number(d, dr_grid_coord(g, 0, i % g->n[0]));
            if (g->dim == 2) {
                number(d, dr_grid_coord(g, 1, i / g->n[0]));
            } else {
                number(d, f[i]);
            }
            number(d, u[k * size + i]);
            fputc('\n', d);
        }
    }
    return dr_output_commit(o);
}

int dr_gnuplot_animation(const dr_gnuplot_options *o, const dr_grid *g, const double *f,
                         const double *u, const double *t, size_t nt, int delay)
{
    int st = check(o, g, f, u, t, nt);
    if (st)
        return st;
    if (delay < 1 || delay > 1000)
        return dr_error(DR_EINVAL, "frame delay %d is out of range (1..1000 hundredths of a s)",
                        delay);
    if (mkdir(o->dir, 0777) != 0 && errno != EEXIST)
        return dr_error(DR_EIO, "cannot create directory %s: %s", o->dir, strerror(errno));
    char path[4096], out[4096];
    if (snprintf(path, sizeof path, "%s/%s.dat", o->dir, o->name) >= (int)sizeof path)
        return dr_error(DR_EINVAL, "path too long: %s/%s.dat", o->dir, o->name);
    if ((st = write_data(path, g, f, u, nt)))
        return viz_gnuplot_for_picture(o, st);
    /* gnuplot runs in DIR: the output must be absolute */
    if (o->output[0] == '/') {
        snprintf(out, sizeof out, "%s", o->output);
    } else {
        char cwd[2048];
        if (!getcwd(cwd, sizeof cwd))
            return dr_error(DR_EIO, "cannot read the current directory: %s", strerror(errno));
        if (snprintf(out, sizeof out, "%s/%s", cwd, o->output) >= (int)sizeof out)
            return dr_error(DR_EINVAL, "output path too long: %s", o->output);
    }
    snprintf(path, sizeof path, "%s/%s.gp", o->dir, o->name);
    dr_output *script;
    if ((st = dr_output_open(&script, path)))
        return viz_gnuplot_for_picture(o, st);
    FILE *s = dr_output_stream(script);
    size_t size = dr_grid_size(g);
    double lo, hi;
    value_range(size, f, u, nt, &lo, &hi);
    int w = o->width ? o->width : (g->dim == 1 ? 800 : 640);
    int h = o->height ? o->height : (g->dim == 1 ? 500 : 560);
    fprintf(s, "# deeprelax animation '%s': redraw with `gnuplot %s.gp` in this directory.\n",
            o->name, o->name);
    fprintf(s, "set terminal gif animate delay %d loop 0 optimize size %d,%d noenhanced "
               "font 'Sans,11' background rgb 'white'\n", delay, w, h);
    viz_gnuplot_set_output(s, out);
    if (o->xlabel) { fputs("set xlabel ", s); quoted(s, o->xlabel); fputc('\n', s); }
    if (o->ylabel) { fputs("set ylabel ", s); quoted(s, o->ylabel); fputc('\n', s); }
    fputs("set border 3 lw 1.2 lc rgb '#333333'\nset tics nomirror out scale 0.7\n", s);
    if (g->dim == 1) {
        double pad = 0.04 * (hi - lo);
        fprintf(s, "set grid lw 1 lc rgb '#e4e4e4'\nset key top center opaque\n"
                   "set xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\n",
                g->lo[0], g->hi[0], lo - pad, hi + pad);
    } else {
        fputs("set palette defined (", s);
        for (int k = 0; k <= 8; k++) {
            dr_rgb c = dr_viz_cmap_eval(DR_CMAP_VIRIDIS, k / 8.0);
            fprintf(s, "%s%d '#%02x%02x%02x'", k ? ", " : "", k, c.r, c.g, c.b);
        }
        fprintf(s, ")\nset size ratio -1\nset xrange [%.17g:%.17g]\nset yrange [%.17g:%.17g]\n"
                   "set cbrange [%.17g:%.17g]\n",
                g->lo[0], g->hi[0], g->lo[1], g->hi[1], lo, hi);
    }
    for (size_t k = 0; k < nt; k++) {
        char title[256];
        snprintf(title, sizeof title, "%s%st = %.4g", o->title ? o->title : "",
                 o->title ? ",  " : "", t[k]);
        fputs("set title ", s);
        quoted(s, title);
        if (g->dim == 1)
            fprintf(s, "\nplot '%s.dat' index %zu using 1:2 with lines lw 2.5 lc rgb '#000000' "
                       "title 'f(x)', '' index %zu using 1:3 with lines lw 2.5 lc rgb '#21908c' "
                       "title 'u(x, t)'\n", o->name, k, k);
        else
            fprintf(s, "\nplot '%s.dat' index %zu using 1:2:3 with image notitle\n", o->name, k);
    }
    if ((st = dr_output_commit(script)))
        return viz_gnuplot_for_picture(o, st);
    dr_gnuplot_options run = *o;
    return dr_gnuplot_run(&run);
}
