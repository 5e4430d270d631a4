/* SPDX-License-Identifier: GPL-3.0-or-later */
/* RGB8 images: allocation, pixel access, and the anti-aliased primitives every picture is made
 * of (segments, rings, discs). Coverage is computed from the exact distance between a pixel's
 * centre and the shape, which gives smooth lines of any width and makes their position easy to
 * verify: a pixel is touched only if its centre lies within w/2 + 1/2 of the ideal line. */
#include "viz_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "deeprelax/error.h"

const dr_rgb viz_black = {0, 0, 0}, viz_white = {255, 255, 255};

#define VIZ_MAX_SIDE 32768

int dr_viz_image_alloc(dr_viz_image *img, size_t width, size_t height, dr_rgb background)
{
    img->width = img->height = 0;
    img->pixels = NULL;
    if (width < 1 || height < 1 || width > VIZ_MAX_SIDE || height > VIZ_MAX_SIDE)
        return dr_error(DR_EINVAL, "image size %zu x %zu is outside 1..%d per side", width,
                        height, VIZ_MAX_SIDE);
    img->pixels = malloc(3 * width * height);
    if (!img->pixels)
        return dr_error(DR_ENOMEM, "no memory for a %zu x %zu image", width, height);
    img->width = width;
    img->height = height;
    dr_viz_image_fill(img, background);
    return DR_SUCCESS;
}

void dr_viz_image_free(dr_viz_image *img)
{
    if (!img)
        return;
    free(img->pixels);
    img->pixels = NULL;
    img->width = img->height = 0;
}

void dr_viz_image_fill(dr_viz_image *img, dr_rgb c)
{
    size_t n = img->width * img->height;
    unsigned char *p = img->pixels;
    for (size_t k = 0; k < n; k++, p += 3) {
        p[0] = c.r;
        p[1] = c.g;
        p[2] = c.b;
    }
}

dr_rgb dr_viz_image_get(const dr_viz_image *img, size_t i, size_t j)
{
    const unsigned char *p = img->pixels + 3 * (j * img->width + i);
    dr_rgb c = {p[0], p[1], p[2]};
    return c;
}

void dr_viz_image_set(dr_viz_image *img, size_t i, size_t j, dr_rgb c)
{
    unsigned char *p = img->pixels + 3 * (j * img->width + i);
    p[0] = c.r;
    p[1] = c.g;
    p[2] = c.b;
}

viz_clip viz_clip_image(const dr_viz_image *img)
{
    viz_clip c = {0, 0, (int)img->width, (int)img->height};
    return c;
}

viz_clip viz_clip_frame(const dr_viz_frame *fr)
{
    viz_clip c = {fr->x0, fr->y0, fr->x1, fr->y1};
    return c;
}

static unsigned char mix(unsigned char old, unsigned char new, double a)
{
    return (unsigned char)lround(old + a * ((double)new - old));
}

void viz_blend(dr_viz_image *img, viz_clip clip, int i, int j, dr_rgb c, double a)
{
    if (i < clip.x0 || i >= clip.x1 || j < clip.y0 || j >= clip.y1)
        return;
    if (i < 0 || j < 0 || (size_t)i >= img->width || (size_t)j >= img->height || !(a > 0))
        return;
    if (a > 1)
        a = 1;
    unsigned char *p = img->pixels + 3 * ((size_t)j * img->width + (size_t)i);
    p[0] = mix(p[0], c.r, a);
    p[1] = mix(p[1], c.g, a);
    p[2] = mix(p[2], c.b, a);
}

void viz_fill_rect(dr_viz_image *img, int x0, int y0, int x1, int y1, dr_rgb c)
{
    viz_clip clip = viz_clip_image(img);
    for (int j = y0; j < y1; j++)
        for (int i = x0; i < x1; i++)
            viz_blend(img, clip, i, j, c, 1.0);
}

void viz_rect_outline(dr_viz_image *img, int x0, int y0, int x1, int y1, dr_rgb c)
{
    viz_fill_rect(img, x0, y0, x1, y0 + 1, c);
    viz_fill_rect(img, x0, y1 - 1, x1, y1, c);
    viz_fill_rect(img, x0, y0, x0 + 1, y1, c);
    viz_fill_rect(img, x1 - 1, y0, x1, y1, c);
}

/* Distance from (px, py) to the segment (x0,y0)-(x1,y1). */
static double segment_distance(double px, double py, double x0, double y0, double x1, double y1)
{
    double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
    double s = len2 > 0 ? ((px - x0) * dx + (py - y0) * dy) / len2 : 0.0;
    if (s < 0)
        s = 0;
    else if (s > 1)
        s = 1;
    return hypot(px - (x0 + s * dx), py - (y0 + s * dy));
}

/* Pixel range [lo, hi] covering the continuous interval [a - r, b + r], clipped to [c0, c1);
 * far-away coordinates are clamped before the conversion to int. */
static int range_lo(double a, double r, int c0)
{
    double v = floor(a - r);
    return v < c0 ? c0 : v > 1e9 ? 1000000000 : (int)v;
}
static int range_hi(double b, double r, int c1)
{
    double v = ceil(b + r);
    return v > c1 - 1 ? c1 - 1 : v < -1e9 ? -1000000000 : (int)v;
}

/* Visits every pixel of `clip` whose centre is within w/2 + 1/2 of the segment, with its
 * coverage: full within w/2 - 1/2, none beyond w/2 + 1/2, linear in between (a box filter). */
static void segment_coverage(viz_clip clip, double x0, double y0, double x1, double y1, double w,
                             void (*plot)(void *ctx, int i, int j, double a), void *ctx)
{
    if (!isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1) || !(w > 0))
        return;
    double r = 0.5 * w + 0.5;
    int i0 = range_lo(fmin(x0, x1), r, clip.x0), i1 = range_hi(fmax(x0, x1), r, clip.x1);
    int j0 = range_lo(fmin(y0, y1), r, clip.y0), j1 = range_hi(fmax(y0, y1), r, clip.y1);
    for (int j = j0; j <= j1; j++)
        for (int i = i0; i <= i1; i++) {
            double a = r - segment_distance(i + 0.5, j + 0.5, x0, y0, x1, y1);
            if (a > 0)
                plot(ctx, i, j, a > 1 ? 1 : a);
        }
}

struct blend_ctx {
    dr_viz_image *img;
    viz_clip clip;
    dr_rgb c;
};

static void plot_blend(void *ctx, int i, int j, double a)
{
    struct blend_ctx *b = ctx;
    viz_blend(b->img, b->clip, i, j, b->c, a);
}

void viz_segment(dr_viz_image *img, viz_clip clip, double x0, double y0, double x1, double y1,
                 double w, dr_rgb c)
{
    struct blend_ctx b = {img, clip, c};
    segment_coverage(clip, x0, y0, x1, y1, w, plot_blend, &b);
}

int viz_mask_init(viz_mask *m, viz_clip clip)
{
    m->clip = clip;
    m->w = clip.x1 > clip.x0 ? clip.x1 - clip.x0 : 0;
    m->h = clip.y1 > clip.y0 ? clip.y1 - clip.y0 : 0;
    m->a = calloc((size_t)m->w * (size_t)m->h + 1, sizeof(float));
    if (!m->a)
        return dr_error(DR_ENOMEM, "no memory for a %d x %d drawing mask", m->w, m->h);
    return DR_SUCCESS;
}

void viz_mask_free(viz_mask *m)
{
    free(m->a);
    m->a = NULL;
}

static void plot_mask(void *ctx, int i, int j, double a)
{
    viz_mask *m = ctx;
    float *p = &m->a[(size_t)(j - m->clip.y0) * (size_t)m->w + (size_t)(i - m->clip.x0)];
    if (a > *p)
        *p = (float)a;
}

void viz_mask_segment(viz_mask *m, double x0, double y0, double x1, double y1, double w)
{
    segment_coverage(m->clip, x0, y0, x1, y1, w, plot_mask, m);
}

void viz_mask_paint(dr_viz_image *img, const viz_mask *m, dr_rgb c)
{
    for (int j = 0; j < m->h; j++)
        for (int i = 0; i < m->w; i++) {
            float a = m->a[(size_t)j * (size_t)m->w + (size_t)i];
            if (a > 0)
                viz_blend(img, m->clip, m->clip.x0 + i, m->clip.y0 + j, c, a);
        }
}

void dr_viz_draw_segment(dr_viz_image *img, double px0, double py0, double px1, double py1,
                         dr_viz_pen pen)
{
    viz_clip clip = viz_clip_image(img);
    if (pen.halo)
        viz_segment(img, clip, px0, py0, px1, py1, pen.width + 2, viz_white);
    viz_segment(img, clip, px0, py0, px1, py1, pen.width, pen.colour);
}

void viz_ring(dr_viz_image *img, viz_clip clip, double cx, double cy, double r, double w,
              dr_rgb c)
{
    if (!isfinite(cx) || !isfinite(cy) || !isfinite(r) || !isfinite(w))
        return;
    double reach = r + 0.5 * w + 0.5;
    int i0 = range_lo(cx, reach, clip.x0), i1 = range_hi(cx, reach, clip.x1);
    int j0 = range_lo(cy, reach, clip.y0), j1 = range_hi(cy, reach, clip.y1);
    for (int j = j0; j <= j1; j++)
        for (int i = i0; i <= i1; i++) {
            double d = fabs(hypot(i + 0.5 - cx, j + 0.5 - cy) - r);
            double a = 0.5 * w + 0.5 - d;
            if (a > 0)
                viz_blend(img, clip, i, j, c, a > 1 ? 1 : a);
        }
}

void viz_disc(dr_viz_image *img, viz_clip clip, double cx, double cy, double r, dr_rgb c)
{
    if (!isfinite(cx) || !isfinite(cy) || !isfinite(r))
        return;
    double reach = r + 0.5;
    int i0 = range_lo(cx, reach, clip.x0), i1 = range_hi(cx, reach, clip.x1);
    int j0 = range_lo(cy, reach, clip.y0), j1 = range_hi(cy, reach, clip.y1);
    for (int j = j0; j <= j1; j++)
        for (int i = i0; i <= i1; i++) {
            double a = reach - hypot(i + 0.5 - cx, j + 0.5 - cy);
            if (a > 0)
                viz_blend(img, clip, i, j, c, a > 1 ? 1 : a);
        }
}
