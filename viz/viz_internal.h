/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Helpers shared by the files of viz/ and not part of the public API: blending, clipped
 * anti-aliased primitives, and the choice of "nice" tick values and their labels. */
#ifndef DEEPRELAX_VIZ_INTERNAL_H
#define DEEPRELAX_VIZ_INTERNAL_H

#include <stdio.h>

#include "deeprelax/viz.h"

/* A pixel rectangle [x0, x1) x [y0, y1) that drawing may touch. */
typedef struct {
    int x0, y0, x1, y1;
} viz_clip;

viz_clip viz_clip_image(const dr_viz_image *img);
viz_clip viz_clip_frame(const dr_viz_frame *fr);

/* Mixes `c` into pixel (i, j) with weight a in [0, 1]; ignores pixels outside `clip`. */
void viz_blend(dr_viz_image *img, viz_clip clip, int i, int j, dr_rgb c, double a);
/* Solid rectangle [x0, x1) x [y0, y1), clipped to the image. */
void viz_fill_rect(dr_viz_image *img, int x0, int y0, int x1, int y1, dr_rgb c);
/* One-pixel-wide crisp rectangle outline just inside [x0, x1) x [y0, y1). */
void viz_rect_outline(dr_viz_image *img, int x0, int y0, int x1, int y1, dr_rgb c);

/* Anti-aliased round-capped segment of width w (coverage from the distance of each pixel centre
 * to the segment), and a ring of radius r / a disc of radius r around (cx, cy). */
void viz_segment(dr_viz_image *img, viz_clip clip, double x0, double y0, double x1, double y1,
                 double w, dr_rgb c);
void viz_ring(dr_viz_image *img, viz_clip clip, double cx, double cy, double r, double w,
              dr_rgb c);
void viz_disc(dr_viz_image *img, viz_clip clip, double cx, double cy, double r, dr_rgb c);

/* Coverage of many primitives over a clip rectangle, kept as the maximum per pixel and painted
 * once: where the short segments of a contour or a path meet, their ends overlap, and blending
 * each one separately would leave darker beads at every joint. */
typedef struct {
    viz_clip clip;
    int w, h;
    float *a;
} viz_mask;

int viz_mask_init(viz_mask *m, viz_clip clip);
void viz_mask_free(viz_mask *m);
void viz_mask_segment(viz_mask *m, double x0, double y0, double x1, double y1, double w);
void viz_mask_paint(dr_viz_image *img, const viz_mask *m, dr_rgb c);

/* Up to `max` tick values inside [lo, hi], at multiples of 1, 2 or 5 x 10^k chosen so that there
 * are about `target` of them; returns the count. *step receives the spacing. */
size_t viz_ticks(double lo, double hi, size_t target, double *ticks, size_t max, double *step);
/* Tick values of a log10 axis whose box is [lo, hi] in log10 units: integer decades. */
size_t viz_log_ticks(double lo, double hi, double *ticks, size_t max);
/* A short label for tick value v on an axis whose ticks are `step` apart: as few digits as the
 * step needs, exponent notation ("2e-5") for very large or small values. */
void viz_tick_label(double v, double step, char *buf, size_t size);

extern const dr_rgb viz_black, viz_white;

/* A gnuplot script's `set output` line for the picture at `out`: the variable DR_OUTPUT when
 * defined (dr_gnuplot_run points it at a temporary it renames over `out` on success), else
 * `out` itself, so that `gnuplot NAME.gp` run by hand redraws the picture in place. */
void viz_gnuplot_set_output(FILE *f, const char *out);
/* s as a gnuplot single-quoted string (a quote doubled, line breaks dropped). */
void viz_gnuplot_quote(FILE *f, const char *s);
/* A failure to write a figure's data or script, reworded to name the picture it was for (the
 * caller's file) before the file that failed: "cannot draw 'P': cannot write 'D': why". */
int viz_gnuplot_for_picture(const dr_gnuplot_options *o, int status);

#endif
