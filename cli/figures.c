/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The shared figure plumbing of the subcommands (figures.h): gnuplot's working directory, the
 * data files the scripts read, and the picture options --png, --svg and --pdf. */
#include "figures.h"

#include <dirent.h>
#include <math.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"

void cli_plot_dir_open(cli_plot_dir *d, const char *keep)
{
    memset(d, 0, sizeof *d);
    if (keep) {
        if (mkdir(keep, 0777) != 0 && errno != EEXIST)
            cli_die(EXIT_FAIL, "cannot create the directory %s: %s", keep, strerror(errno));
        d->dir = keep;
        return;
    }
    snprintf(d->tmp, sizeof d->tmp, "/tmp/deeprelax-plot-XXXXXX");
    if (!mkdtemp(d->tmp))
        cli_die(EXIT_FAIL, "cannot create a temporary directory: %s", strerror(errno));
    d->dir = d->tmp;
    d->temporary = 1;
}

void cli_plot_dir_close(cli_plot_dir *d)
{
    if (!d->temporary) return;
    DIR *dir = opendir(d->tmp);
    if (dir) {
        struct dirent *e;
        char path[512];
        while ((e = readdir(dir)))
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
                snprintf(path, sizeof path, "%s/%s", d->tmp, e->d_name);
                unlink(path);
            }
        closedir(dir);
    }
    rmdir(d->tmp);
    d->temporary = 0;
}

FILE *cli_plot_data_open(const char *dir, const char *name, dr_output **o)
{
    char path[4096];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        dr_error(DR_EINVAL, "path too long: %s/%s", dir, name);
        return NULL;
    }
    if (dr_output_open(o, path)) return NULL;
    return dr_output_stream(*o);
}

int cli_plot_data_close(dr_output *o, int st)
{
    if (st) {
        dr_output_abort(o);
        return st;
    }
    return dr_output_commit(o);
}

void cli_pictures_check(const cli_pictures *p, const char *keep, const char *cmd)
{
    if (keep && !cli_pictures_any(p))
        cli_die(EXIT_USAGE, "%s: --keep-plot-data needs a picture (--png, --svg or --pdf)", cmd);
    static const char *const opt[3] = {"--png", "--svg", "--pdf"}, *const ext[3] = {".png", ".svg",
                                                                                    ".pdf"};
    for (int i = 0; i < 3; i++)
        if (p->path[i] && !cli_has_ext(p->path[i], ext[i]))
            cli_die(EXIT_USAGE, "%s: %s must end in %s (got '%s')", cmd, opt[i], ext[i],
                    p->path[i]);
}

int cli_pictures_any(const cli_pictures *p)
{
    return p->path[0] || p->path[1] || p->path[2];
}

void cli_picture_sibling(char *buf, size_t size, const char *path, const char *suffix)
{
    size_t len = strlen(path) - 4; /* the paths were checked to end in a 4-character extension */
    if (len + strlen(suffix) + 6 > size) cli_die(EXIT_USAGE, "picture path too long: %s", path);
    snprintf(buf, size, "%.*s-%s%s", (int)len, path, suffix, path + len);
}

int cli_picture_needs_gnuplot(const char *path)
{
    return dr_error(DR_EUNSUPPORTED, "cannot draw '%s' without gnuplot (install gnuplot-nox; "
                    "the built-in plotter writes PNG only)", path);
}

void cli_gp_palette(FILE *f, dr_viz_cmap map)
{
    fputs("set palette defined (", f);
    for (int i = 0; i <= 8; i++) {
        dr_rgb c = dr_viz_cmap_eval(map, i / 8.0);
        fprintf(f, "%s%d '#%02x%02x%02x'", i ? ", " : "", i, c.r, c.g, c.b);
    }
    fputs(")\n", f);
}

void cli_gp_contours(FILE *f, const char *field, const char *table, int levels)
{
    /* gnuplot computes contour lines only in splot: tabulate them once, then plot the table */
    fprintf(f, "set contour base\nset cntrparam levels %d\nunset surface\nset table '%s'\n"
               "splot '%s' using 1:2:3 with lines notitle\nunset table\nunset contour\n"
               "set surface\n", levels, table, field);
}

/* The global minima of a field: grid points no neighbour of which (8 of them) is lower, within
 * 1e-3 of the field's range of its minimum, so that equal minima are all marked; at most max,
 * (x, y) pairs into marks. */
size_t cli_global_minima(const dr_grid *g, const double *v, double *marks, size_t max)
{
    size_t nx = g->n[0], ny = g->n[1], count = 0;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < nx * ny; i++) {
        lo = fmin(lo, v[i]);
        hi = fmax(hi, v[i]);
    }
    double level = lo + 1e-3 * (hi - lo);
    for (size_t j = 0; j < ny; j++)
        for (size_t i = 0; i < nx && count < max; i++) {
            double here = v[j * nx + i];
            int low = here <= level;
            for (int dj = -1; low && dj <= 1; dj++)
                for (int di = -1; low && di <= 1; di++) {
                    long a = (long)i + di, b = (long)j + dj;
                    if ((di || dj) && a >= 0 && b >= 0 && a < (long)nx && b < (long)ny)
                        low = v[(size_t)b * nx + (size_t)a] >= here;
                }
            if (low) {
                marks[2 * count] = dr_grid_coord(g, 0, i);
                marks[2 * count + 1] = dr_grid_coord(g, 1, j);
                count++;
            }
        }
    return count;
}
