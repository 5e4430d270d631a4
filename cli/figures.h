/* SPDX-License-Identifier: GPL-3.0-or-later */
/* What the subcommands share to draw their figures with gnuplot: where gnuplot's data and
 * scripts go (--keep-plot-data DIR, else a temporary directory removed afterwards), the
 * picture formats (--png, --svg, --pdf: one figure, several files), and data-file writing. */
#ifndef DEEPRELAX_CLI_FIGURES_H
#define DEEPRELAX_CLI_FIGURES_H

#include <stdio.h>

#include "deeprelax/deeprelax.h"

typedef struct {
    char tmp[64];
    const char *dir;   /* where the files go: the kept directory or tmp */
    int temporary;
} cli_plot_dir;

/* keep (--keep-plot-data) or a fresh temporary directory; exits with one line on failure. */
void cli_plot_dir_open(cli_plot_dir *d, const char *keep);
/* Removes a temporary directory and everything in it; a kept one stays. */
void cli_plot_dir_close(cli_plot_dir *d);

/* A data file DIR/NAME for the script to read; NULL (with the library's error set) on failure.
 * Finish with cli_plot_data_close, which commits it (status) or discards it when st != 0. */
FILE *cli_plot_data_open(const char *dir, const char *name, dr_output **o);
int cli_plot_data_close(dr_output *o, int st);

/* The pictures one figure is drawn to: --png, --svg, --pdf (each may be NULL). The option
 * tables name --svg and --pdf with these codes (spelled out there: tests/cli/check_options.py
 * reads the tables). */
enum { OPT_FIG_SVG = 3900, OPT_FIG_PDF };
#define CLI_PICTURE_HELP \
    "  --svg FILE.svg, --pdf FILE.pdf  the same figure as vector graphics (needs gnuplot)\n"

typedef struct {
    const char *path[3]; /* png, svg, pdf */
} cli_pictures;

/* Checks each given path's extension, and that --keep-plot-data (keep, may be NULL) comes with
 * a picture (exit 2 naming the option otherwise). */
void cli_pictures_check(const cli_pictures *p, const char *keep, const char *cmd);
/* True when any picture is asked for. */
int cli_pictures_any(const cli_pictures *p);
/* p's path with "-SUFFIX" inserted before the extension (P.png -> P-tracks.png) into buf. */
void cli_picture_sibling(char *buf, size_t size, const char *path, const char *suffix);

/* A picture that is not a PNG cannot come from the libpng fallback: the error for that case. */
int cli_picture_needs_gnuplot(const char *path);

/* `set palette defined` with the colour map sampled at 9 points. */
void cli_gp_palette(FILE *f, dr_viz_cmap map);
/* Script lines tabulating `levels` contour lines of the gridded file `field` (x y v, blank
 * lines between rows) into the file `table`, for `plot 'table' with lines`. */
void cli_gp_contours(FILE *f, const char *field, const char *table, int levels);

/* The global minima of a field on a 2-D grid: grid points no neighbour of which (8 of them) is
 * lower, within 1e-3 of the field's range of its minimum (equal minima are all found); at most
 * max, as (x, y) pairs into marks. Returns the count. */
size_t cli_global_minima(const dr_grid *g, const double *v, double *marks, size_t max);

#endif
