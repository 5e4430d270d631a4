/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Pictures of landscapes and their relaxations: RGB images written as PNG (libpng), perceptual
 * colour maps, heatmaps of 2-D fields with contour lines, markers and paths drawn on top, a colour
 * bar, a fallback 1-D line plot, and gnuplot (run at run time) for figures with axes and legends.
 *
 * Coordinates. An image has its origin at the top-left corner, pixel (i, j) covers
 * [i, i+1) x [j, j+1) and its centre is (i + 0.5, j + 0.5). A frame maps a data box onto a pixel
 * rectangle with y increasing upwards, so a field drawn through a frame looks like a map, not like
 * a matrix. Fields use the layout of grid.h (x fastest).
 *
 * Like the rest of the library, nothing here prints: failures are status codes with a message
 * (error.h). Running gnuplot sends its output to a log file, never to the caller's terminal.
 * Thread safety: images and options are the caller's and the functions keep no shared state;
 * each gnuplot run is a process of its own. */
#ifndef DEEPRELAX_VIZ_H
#define DEEPRELAX_VIZ_H

#include <stdio.h>
#include <stddef.h>
#include "deeprelax/grid.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- images and PNG */

typedef struct {
    unsigned char r, g, b;
} dr_rgb;

/* An RGB8 raster: 3 * width * height bytes, rows top to bottom. Either allocated by
 * dr_viz_image_alloc / dr_viz_png_read (free with dr_viz_image_free) or caller-owned: fill in
 * the three fields with your own buffer and never call dr_viz_image_free on it. */
typedef struct {
    size_t width, height;
    unsigned char *pixels;
} dr_viz_image;

/* Allocates a width x height image filled with `background`. Both sizes in [1, 32768]. */
int dr_viz_image_alloc(dr_viz_image *img, size_t width, size_t height, dr_rgb background);
void dr_viz_image_free(dr_viz_image *img);
void dr_viz_image_fill(dr_viz_image *img, dr_rgb colour);
/* The pixel at column i, row j; both must be inside the image. */
dr_rgb dr_viz_image_get(const dr_viz_image *img, size_t i, size_t j);
void dr_viz_image_set(dr_viz_image *img, size_t i, size_t j, dr_rgb c);

/* 8-bit RGB PNG. Writing fails with DR_EIO when the file cannot be created. */
int dr_viz_png_write(const dr_viz_image *img, const char *path);
/* Reads any PNG that libpng can decode (palette, grey, alpha and 16-bit are converted to RGB8;
 * alpha is composited on white). Allocates img->pixels: free with dr_viz_image_free. */
int dr_viz_png_read(dr_viz_image *img, const char *path);

/* ---------------------------------------------------------------- colour maps and scales */

typedef enum {
    DR_CMAP_VIRIDIS = 0, /* dark blue -> green -> yellow, lightness increasing */
    DR_CMAP_MAGMA,       /* black -> purple -> orange -> pale yellow, lightness increasing */
    DR_CMAP_DIVERGING,   /* blue -> white -> red, lightness symmetric about the centre:
                          * for signed differences, with the scale centred on zero */
    DR_CMAP_GREY         /* black -> white */
} dr_viz_cmap;

const char *dr_viz_cmap_name(dr_viz_cmap m); /* "viridis", "magma", "diverging", "grey" */
/* Also accepts "bwr" and "gray". DR_ENOTFOUND for unknown names. */
int dr_viz_cmap_parse(const char *name, dr_viz_cmap *m);
/* Colour at position s in [0, 1] (clamped; NaN gives mid grey). */
dr_rgb dr_viz_cmap_eval(dr_viz_cmap m, double s);

/* A map from values to colours. */
typedef struct {
    dr_viz_cmap cmap;
    double lo, hi; /* values at the two ends; lo < hi (both > 0 when log) */
    int log;       /* position = log(v/lo) / log(hi/lo) */
} dr_viz_scale;

/* Automatic log ranges span at most six decades below the maximum. */
#define DR_VIZ_LOG_DECADES_MIN 1e-6

/* Fills `sc` from the finite values of v[n]: [min, max]; with `log`, [min positive, max] (at
 * most six decades); with
 * the diverging map, [-m, m] with m = max |v| so that zero is white. A constant field gets a
 * small symmetric range around its value. DR_EINVAL when there is no usable value. */
int dr_viz_scale_auto(dr_viz_scale *sc, const double *v, size_t n, dr_viz_cmap cmap, int log);
/* Checks a caller-given scale (lo < hi, finite, positive when log). */
int dr_viz_scale_check(const dr_viz_scale *sc);
/* Position of v in [0, 1] (clamped; values <= 0 on a log scale give 0, NaN gives NaN). */
double dr_viz_scale_position(const dr_viz_scale *sc, double v);
dr_rgb dr_viz_scale_colour(const dr_viz_scale *sc, double v);

/* ---------------------------------------------------------------- frames and drawing */

/* A data box [xlo, xhi] x [ylo, yhi] shown in the pixel rectangle [x0, x1) x [y0, y1) of an
 * image; ylo is at the bottom. Drawing through a frame is clipped to its rectangle. */
typedef struct {
    dr_viz_image *img;
    int x0, y0, x1, y1;
    double xlo, xhi, ylo, yhi;
} dr_viz_frame;

/* Checks the rectangle lies inside the image and both boxes are non-empty and finite. */
int dr_viz_frame_init(dr_viz_frame *fr, dr_viz_image *img, int x0, int y0, int x1, int y1,
                      double xlo, double xhi, double ylo, double yhi);
/* Continuous pixel position of data point (x, y): xlo maps to the left edge x0, xhi to x1. */
void dr_viz_frame_to_pixel(const dr_viz_frame *fr, double x, double y, double *px, double *py);

/* A line style: colour, width in pixels, and an optional white halo (2 px wider) underneath,
 * which keeps paths and markers readable on any colour map. */
typedef struct {
    dr_rgb colour;
    double width;
    int halo;
} dr_viz_pen;

/* Anti-aliased segment between continuous pixel positions, clipped to the image. */
void dr_viz_draw_segment(dr_viz_image *img, double px0, double py0, double px1, double py1,
                         dr_viz_pen pen);

/* Heatmap: every pixel of the frame gets the colour of the field, bilinearly interpolated on the
 * grid at the pixel's centre (2-D grids only; the frame's box may differ from the grid's: points
 * outside the grid take the nearest edge value). Non-finite values are drawn mid grey. */
int dr_viz_heatmap(const dr_viz_frame *fr, const dr_grid *g, const double *field,
                   const dr_viz_scale *sc);

/* Contours by marching squares on the grid cells (saddles resolved by the cell-centre average):
 * calls `segment(ctx, x0, y0, x1, y1)` in data coordinates for each piece of the level set. */
int dr_viz_contour_trace(const dr_grid *g, const double *field, double level,
                         void (*segment)(void *ctx, double x0, double y0, double x1, double y1),
                         void *ctx);
/* `count` levels evenly spaced strictly inside the range of the finite values (on a log scale,
 * evenly spaced in log over at most six decades), into levels[count]. */
int dr_viz_contour_levels(const double *field, size_t n, size_t count, int log, double *levels);
/* Draws the level sets field = levels[k] through the frame. */
int dr_viz_contours(const dr_viz_frame *fr, const dr_grid *g, const double *field,
                    const double *levels, size_t nlevels, dr_viz_pen pen);

typedef enum {
    DR_MARK_CROSS = 0, /* x */
    DR_MARK_PLUS,      /* + */
    DR_MARK_CIRCLE,    /* ring */
    DR_MARK_DOT        /* filled disc */
} dr_viz_marker;

/* A marker of diameter `size` pixels centred on data point (x, y). */
void dr_viz_mark(const dr_viz_frame *fr, double x, double y, dr_viz_marker kind, double size,
                 dr_viz_pen pen);
/* A polyline through the n data points (x[k*stride], y[k*stride]); non-finite points break it. */
int dr_viz_polyline(const dr_viz_frame *fr, const double *x, const double *y, size_t n,
                    size_t stride, dr_viz_pen pen);

/* Text in the built-in 5x7 bitmap font, scaled by an integer factor; (px, py) is the top-left
 * corner. The font has digits, ". - + e E = ( ) ," and space, and the letters "f t u x y";
 * other characters are drawn as spaces. Returns the width in pixels. */
int dr_viz_text(dr_viz_image *img, int px, int py, const char *s, int scale, dr_rgb colour);
int dr_viz_text_width(const char *s, int scale);
#define DR_VIZ_GLYPH_H 7

/* Axis box around the frame with outward ticks and numeric labels at "nice" values
 * (1, 2, 5 x 10^k; decades on a log axis). logx/logy: the frame's box holds log10 of the data. */
void dr_viz_axes(const dr_viz_frame *fr, int logx, int logy);

/* A vertical colour bar filling the pixel rectangle [x0, x1) x [y0, y1) (low values at the
 * bottom), framed, with tick labels to its right. */
int dr_viz_colorbar(dr_viz_image *img, int x0, int y0, int x1, int y1, const dr_viz_scale *sc);

/* ---------------------------------------------------------------- ready-made figures */

typedef struct {
    size_t width, height;  /* largest image; 0 = 720 x 600 (cropped to the plot's aspect) */
    dr_viz_cmap cmap;      /* default viridis */
    int log;               /* log colour scale */
    int have_range;        /* use [lo, hi] instead of the automatic range */
    double lo, hi;
    size_t ncontours;      /* automatic contour levels (0 = none) ... */
    const double *levels;  /* ... or these levels (nlevels of them) */
    size_t nlevels;
    int no_colorbar;
} dr_viz_heatmap_options;

/* A complete heatmap picture: allocates img (free with dr_viz_image_free), lays out the plot
 * area with equal scales on both axes when the box's aspect ratio is within 1:3 (the image is
 * then narrowed or shortened to fit the plot, so no space is wasted), draws the field,
 * its contours, axes with labels and the colour bar. `fr` (may be NULL) receives the plot's frame
 * so that markers and paths can be drawn on top. `opt` may be NULL. */
int dr_viz_heatmap_figure(dr_viz_image *img, dr_viz_frame *fr, const dr_grid *g,
                          const double *field, const dr_viz_heatmap_options *opt);

/* One curve of a line plot; `colour` is used when has_colour, else the palette's next colour. */
typedef struct {
    const double *x, *y;
    size_t n;
    size_t stride;  /* 0 or 1 = contiguous */
    int has_colour;
    dr_rgb colour;
    double width;   /* 0 = 2 px */
} dr_viz_curve;

typedef struct {
    size_t width, height; /* 0 = 800 x 500 */
    int logx, logy;       /* log axes: non-positive values are skipped */
} dr_viz_lineplot_options;

/* The line plot of the libpng fallback: a framed axes box with numeric ticks and the curves in
 * distinct colours (the first curve in black, the others from the palette), range fitted to the
 * data with a small margin. Allocates img. */
int dr_viz_lineplot(dr_viz_image *img, const dr_viz_curve *curves, size_t ncurves,
                    const dr_viz_lineplot_options *opt);

/* The k-th colour of the qualitative palette used for curves (distinct and print-safe). */
dr_rgb dr_viz_palette(size_t k);

/* ---------------------------------------------------------------- gnuplot at run time */

typedef enum { DR_GNUPLOT_PNG = 0, DR_GNUPLOT_SVG, DR_GNUPLOT_PDF } dr_gnuplot_terminal;

/* Where a gnuplot figure goes. The data file DIR/NAME.dat and the script DIR/NAME.gp are written
 * first and kept, so a figure can be restyled and redrawn with `cd DIR && gnuplot NAME.gp`; the
 * picture is `output`, or DIR/NAME.png (.svg, .pdf) when output is NULL. DIR is created if missing.
 * An output ending in .png, .svg or .pdf picks its terminal (pngcairo, svg, pdfcairo; the PDF has
 * the PNG's layout at 96 pixels per inch); otherwise `terminal` does.
 * gnuplot runs in DIR with its output in DIR/NAME.log (removed when it succeeds silently). */
typedef struct {
    const char *dir, *name, *output;
    dr_gnuplot_terminal terminal;
    int width, height;             /* pixels; 0 = 900 x 560 */
    const char *title, *xlabel, *ylabel; /* may be NULL; drawn as given (no markup) */
    int logx, logy;
    int points;                    /* draw data points as well as lines */
    const char *cblabel;           /* the colour bar's title, or NULL */
} dr_gnuplot_options;

/* The terminal a figure is drawn with: from opt->output's extension, else opt->terminal. */
dr_gnuplot_terminal dr_gnuplot_terminal_of(const dr_gnuplot_options *opt);

/* Absolute path of the gnuplot executable found in PATH into buf; DR_EUNSUPPORTED with the
 * message "gnuplot not found in PATH; ..." when there is none. */
int dr_gnuplot_find(char *buf, size_t size);

/* Runs DIR/NAME.gp as described above. DR_EUNSUPPORTED if gnuplot is missing (the files stay);
 * DR_EIO with gnuplot's last message and the picture's name if it fails or writes no picture.
 * gnuplot draws into a temporary beside the picture, renamed over it only on success (the old
 * picture is kept otherwise): the script must set its output to the gnuplot variable DR_OUTPUT
 * when it is defined, `set output (exists("DR_OUTPUT") ? DR_OUTPUT : 'NAME.png')`, as the
 * scripts the library writes do. */
int dr_gnuplot_run(const dr_gnuplot_options *opt);

/* Lines from columns: y-columns ys[k][0..n) against x[0..n), with legend labels[k] (labels may
 * be NULL). Usable for error-vs-resolution (logx, logy) and curvature-vs-t plots. Non-finite
 * values are written as NaN and leave gaps. */
int dr_gnuplot_lines(const dr_gnuplot_options *opt, const double *x, size_t n,
                     const double *const *ys, const char *const *labels, size_t ncols);

/* A 1-D curve family: f (black, thick) and u(., t[k]) for k < nt, with u stored as nt rows of n
 * values, coloured from dark to light along viridis and labelled "u(x, t=...)". */
int dr_gnuplot_curve_family(const dr_gnuplot_options *opt, const double *x, size_t n,
                            const double *f, const double *u, const double *t, size_t nt);

/* A figure whose plot commands the caller writes: DIR/NAME.gp gets the house preamble (terminal,
 * output, title, axis and colour-bar labels, border, grid, key) and then whatever body(f, ctx)
 * writes, and gnuplot runs it. The data files the body names are the caller's to write into DIR
 * (gnuplot runs there, so the body names them relative to it). A non-zero status from body
 * discards the script and is returned. */
typedef int (*dr_gnuplot_body_fn)(FILE *f, void *ctx);
int dr_gnuplot_custom(const dr_gnuplot_options *opt, dr_gnuplot_body_fn body, void *ctx);

/* 2-D fields side by side (rows of at most three): each panel an image of its field on grid g
 * with contour lines, titled panels[k].title, with red crosses at its nmarks points marks[2m],
 * marks[2m+1] (the global minima). scale: DR_HEATMAP_SHARED, one colour scale and one colour bar
 * (titled opt->cblabel) for all panels; DR_HEATMAP_PER_PANEL, a scale and bar each;
 * DR_HEATMAP_AUTO, shared unless some panel spans less than a quarter of the common range (one
 * flat colour on it). opt->title is the figure's title; opt->width/height 0 = 440 x 430 per
 * panel. */
typedef struct {
    const double *field;
    const char *title;
    const double *marks;
    size_t nmarks;
} dr_gnuplot_panel;
enum { DR_HEATMAP_AUTO = 0, DR_HEATMAP_SHARED, DR_HEATMAP_PER_PANEL };
int dr_gnuplot_heatmaps(const dr_gnuplot_options *opt, const dr_grid *g,
                        const dr_gnuplot_panel *panels, size_t npanels, int scale);

/* An animated GIF (gnuplot's `gif animate` terminal) of u(., t[k]) for k < nt, one frame per t
 * shown for `delay` hundredths of a second, on one value range shared by all frames: 1-D frames
 * draw f and u(., t_k); 2-D frames are viridis heatmaps of u(., t_k). u holds nt fields on grid
 * g. opt->output (the .gif) is required; opt->title prefixes each frame's "t = ..." title; the
 * data and script stay in opt->dir as for the other figures. DR_EUNSUPPORTED without gnuplot. */
int dr_gnuplot_animation(const dr_gnuplot_options *opt, const dr_grid *g, const double *f,
                         const double *u, const double *t, size_t nt, int delay);

#ifdef __cplusplus
}
#endif
#endif
