/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Drawing in data coordinates (viz/frame.c, contour.c, image.c, font.c, colorbar.c, figure.c,
 * lineplot.c): every check compares the pixels drawn with the geometry they should have. On a
 * white image, a pixel is "inked" when it is not white; a line of width w may ink only pixels
 * whose centres lie within w/2 + 1/2 of the ideal curve (its anti-aliased edge). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "deeprelax/deeprelax.h"
#include "../viz/viz_internal.h"

static const dr_rgb white = {255, 255, 255}, black = {0, 0, 0};

static int inked(const dr_viz_image *img, size_t i, size_t j)
{
    dr_rgb c = dr_viz_image_get(img, i, j);
    return c.r != 255 || c.g != 255 || c.b != 255;
}

/* ink in [0, 1] of a pixel drawn in black on white */
static double ink(const dr_viz_image *img, size_t i, size_t j)
{
    return 1.0 - dr_viz_image_get(img, i, j).r / 255.0;
}

static double dist_to_segment(double px, double py, double x0, double y0, double x1, double y1)
{
    double dx = x1 - x0, dy = y1 - y0;
    double s = ((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy);
    s = s < 0 ? 0 : s > 1 ? 1 : s;
    return hypot(px - x0 - s * dx, py - y0 - s * dy);
}

/* A paraboloid |x|^2 on [-2,2]^2 (201 x 201 grid) drawn on a 400 x 400 image, 100 px per unit:
 * the level set |x|^2 = r^2 is the circle of radius r, i.e. 100 r pixels around the centre
 * (200, 200). Marching squares replaces it by chords of cells 2 px wide (sagitta < 0.01 px), and
 * the linear interpolation of the quadratic along a cell edge errs by at most h^2/(8r) ~ 4e-5
 * units; so every inked pixel centre is within 1 px (w/2 + 1/2 for w = 1) plus 0.05 of the
 * circle, and the circle is closed (ink in every direction). */
static void test_contours_of_paraboloid(void **state)
{
    (void)state;
    dr_grid g;
    size_t n[2] = {201, 201};
    double lo[2] = {-2, -2}, hi[2] = {2, 2};
    assert_int_equal(dr_grid_init(&g, 2, n, lo, hi), DR_SUCCESS);
    double *f = malloc(dr_grid_size(&g) * sizeof(double));
    assert_non_null(f);
    for (size_t j = 0; j < n[1]; j++)
        for (size_t i = 0; i < n[0]; i++) {
            double x = dr_grid_coord(&g, 0, i), y = dr_grid_coord(&g, 1, j);
            f[j * n[0] + i] = x * x + y * y;
        }
    const double radii[2] = {0.7, 1.3};
    double levels[2] = {radii[0] * radii[0], radii[1] * radii[1]};

    dr_viz_image img;
    assert_int_equal(dr_viz_image_alloc(&img, 400, 400, white), DR_SUCCESS);
    dr_viz_frame fr;
    assert_int_equal(dr_viz_frame_init(&fr, &img, 0, 0, 400, 400, -2, 2, -2, 2), DR_SUCCESS);
    dr_viz_pen pen = {black, 1.0, 0};
    assert_int_equal(dr_viz_contours(&fr, &g, f, levels, 2, pen), DR_SUCCESS);

    size_t count = 0;
    for (size_t j = 0; j < 400; j++)
        for (size_t i = 0; i < 400; i++) {
            if (!inked(&img, i, j))
                continue;
            count++;
            double d = hypot(i + 0.5 - 200, j + 0.5 - 200);
            double off = fmin(fabs(d - 100 * radii[0]), fabs(d - 100 * radii[1]));
            if (off > 1.05)
                fail_msg("pixel (%zu, %zu) at radius %.3f px is %.3f px off both circles", i, j,
                         d, off);
        }
    /* closed curves: along 720 rays, the pixel nearest to each circle is well inked */
    for (int k = 0; k < 720; k++) {
        double a = k * M_PI / 360;
        for (int c = 0; c < 2; c++) {
            double px = 200 + 100 * radii[c] * cos(a), py = 200 + 100 * radii[c] * sin(a);
            size_t i = (size_t)floor(px), j = (size_t)floor(py);
            /* the nearest pixel centre is within sqrt(2)/2 of the line: coverage >= 0.29 */
            assert_true(ink(&img, i, j) > 0.25);
        }
    }
    /* roughly as many inked pixels as the two circumferences times the line's footprint
     * (~2 px across for a 1 px anti-aliased line): 2 pi (70 + 130) = 1257 */
    assert_true(count > 1257 && count < 3 * 1257);
    dr_viz_image_free(&img);

    /* The traced segments themselves, in data coordinates: endpoints on the circle to 1e-4 and
     * total length within 0.1% of 2 pi r (chords fall short by ~(h/r)^2/24). */
    struct acc { double r, maxoff, length; } acc = {1.3, 0, 0};
    void on_segment(void *ctx, double x0, double y0, double x1, double y1);
    assert_int_equal(dr_viz_contour_trace(&g, f, 1.69, on_segment, &acc), DR_SUCCESS);
    assert_true(acc.maxoff < 1e-4);
    assert_true(fabs(acc.length - 2 * M_PI * 1.3) < 1e-3 * 2 * M_PI * 1.3);
    free(f);
}

void on_segment(void *ctx, double x0, double y0, double x1, double y1)
{
    struct acc { double r, maxoff, length; } *a = ctx;
    a->maxoff = fmax(a->maxoff, fabs(hypot(x0, y0) - a->r));
    a->maxoff = fmax(a->maxoff, fabs(hypot(x1, y1) - a->r));
    a->length += hypot(x1 - x0, y1 - y0);
}

/* A saddle: f = x*y - c (c = 0.005) at level 0 is the hyperbola xy = c, one branch in the first
 * quadrant and one in the third. The grid's central cell [-1/9, 1/9]^2 has all four corners
 * crossed (corner values +-1/81 - c); its centre value -c is below the level, so the correct
 * pairing cuts off the two corners above it, and no segment may jump between quadrants. Along a
 * cell edge x*y - c is linear, so each crossing lies exactly on the hyperbola. */
static void test_contour_saddle(void **state)
{
    (void)state;
    dr_grid g;
    size_t n[2] = {10, 10}; /* even: the origin is the centre of a cell */
    double lo[2] = {-1, -1}, hi[2] = {1, 1};
    assert_int_equal(dr_grid_init(&g, 2, n, lo, hi), DR_SUCCESS);
    double f[100];
    for (size_t j = 0; j < 10; j++)
        for (size_t i = 0; i < 10; i++)
            f[j * 10 + i] = dr_grid_coord(&g, 0, i) * dr_grid_coord(&g, 1, j) - 0.005;
    struct acc { double r, maxoff, length; } acc = {0, 0, 0};
    void on_hyperbola(void *ctx, double x0, double y0, double x1, double y1);
    assert_int_equal(dr_viz_contour_trace(&g, f, 0.0, on_hyperbola, &acc), DR_SUCCESS);
    assert_true(acc.maxoff < 1e-12);
    assert_true(acc.length > 2); /* two branches, each crossing the box: something was traced */
}

void on_hyperbola(void *ctx, double x0, double y0, double x1, double y1)
{
    struct acc { double r, maxoff, length; } *a = ctx;
    a->maxoff = fmax(a->maxoff, fabs(x0 * y0 - 0.005));
    a->maxoff = fmax(a->maxoff, fabs(x1 * y1 - 0.005));
    if ((x0 > 0) != (x1 > 0) || (y0 > 0) != (y1 > 0))
        a->maxoff = 1; /* a segment across an axis: the saddle was paired the wrong way */
    a->length += hypot(x1 - x0, y1 - y0);
}

/* A polyline in data coordinates on a frame offset inside the image: every inked pixel is within
 * w/2 + 1/2 of one of its two segments (mapped to pixels by hand here: x -> 50 + 30 x,
 * y -> 250 - 20 y), every point along the segments is inked, and nothing leaks out of the
 * frame even though the last point lies outside it. */
static void test_polyline_on_segments(void **state)
{
    (void)state;
    dr_viz_image img;
    assert_int_equal(dr_viz_image_alloc(&img, 400, 300, white), DR_SUCCESS);
    dr_viz_frame fr;
    /* pixels [50, 350) x [50, 250) show [0, 10] x [0, 10]: 30 px per unit in x, 20 in y */
    assert_int_equal(dr_viz_frame_init(&fr, &img, 50, 50, 350, 250, 0, 10, 0, 10), DR_SUCCESS);
    double x[3] = {1, 6, 12}, y[3] = {1.5, 8, 3};
    dr_viz_pen pen = {black, 2.0, 0};
    assert_int_equal(dr_viz_polyline(&fr, x, y, 3, 1, pen), DR_SUCCESS);
    double P[3][2];
    for (int k = 0; k < 3; k++) {
        P[k][0] = 50 + 30 * x[k];
        P[k][1] = 250 - 20 * y[k];
    }
    for (size_t j = 0; j < 300; j++)
        for (size_t i = 0; i < 400; i++) {
            if (!inked(&img, i, j))
                continue;
            assert_true(i >= 50 && i < 350 && j >= 50 && j < 250); /* clipped to the frame */
            double d = fmin(dist_to_segment(i + 0.5, j + 0.5, P[0][0], P[0][1], P[1][0], P[1][1]),
                            dist_to_segment(i + 0.5, j + 0.5, P[1][0], P[1][1], P[2][0], P[2][1]));
            if (d > 1.5 + 1e-9)
                fail_msg("pixel (%zu, %zu) is %.3f px from the path", i, j, d);
        }
    /* along the path (inside the frame) every pixel under the line is fully inked: a 2 px line
     * covers a pixel whose centre is within 1/2 px of its axis */
    for (int k = 0; k <= 200; k++) {
        double s = k / 200.0;
        double px = P[0][0] + s * (P[1][0] - P[0][0]), py = P[0][1] + s * (P[1][1] - P[0][1]);
        double rx = round(px - 0.5), ry = round(py - 0.5);
        if (hypot(rx + 0.5 - px, ry + 0.5 - py) <= 0.5)
            assert_true(ink(&img, (size_t)rx, (size_t)ry) > 0.99);
    }
    dr_viz_image_free(&img);
}

/* Ink-weighted centre of the pixels in a window. */
static void centroid(const dr_viz_image *img, int x0, int y0, int x1, int y1, double *cx,
                     double *cy)
{
    double s = 0, sx = 0, sy = 0;
    for (int j = y0; j < y1; j++)
        for (int i = x0; i < x1; i++) {
            double a = ink(img, (size_t)i, (size_t)j);
            s += a;
            sx += a * (i + 0.5);
            sy += a * (j + 0.5);
        }
    *cx = sx / s;
    *cy = sy / s;
}

/* Markers at data (2.5, 7.5) on a 100 x 100 frame showing [0,10]^2 belong at pixel position
 * (25, 25): 7.5 is high up, so near the top (y increases upwards). Every marker shape is
 * symmetric about its centre, so its ink centroid must sit there (to 0.05 px). */
static void test_markers_at_right_pixel(void **state)
{
    (void)state;
    const dr_viz_marker kinds[4] = {DR_MARK_CROSS, DR_MARK_PLUS, DR_MARK_CIRCLE, DR_MARK_DOT};
    for (int k = 0; k < 4; k++) {
        dr_viz_image img;
        assert_int_equal(dr_viz_image_alloc(&img, 100, 100, white), DR_SUCCESS);
        dr_viz_frame fr;
        assert_int_equal(dr_viz_frame_init(&fr, &img, 0, 0, 100, 100, 0, 10, 0, 10), DR_SUCCESS);
        dr_viz_pen pen = {black, 1.5, 0};
        dr_viz_mark(&fr, 2.5, 7.5, kinds[k], 9, pen);
        double cx, cy;
        centroid(&img, 0, 0, 100, 100, &cx, &cy);
        assert_true(fabs(cx - 25) < 0.05 && fabs(cy - 25) < 0.05);
        /* and it stays small: nothing inked farther than size/2 + w/2 + 1/2 (+ the cross's round
         * caps) from the centre */
        for (size_t j = 0; j < 100; j++)
            for (size_t i = 0; i < 100; i++)
                if (inked(&img, i, j))
                    assert_true(hypot(i + 0.5 - 25, j + 0.5 - 25) <= 4.5 + 0.75 + 0.5 + 1e-9);
        if (kinds[k] == DR_MARK_CIRCLE) /* a ring: the centre is empty */
            assert_false(inked(&img, 24, 24) || inked(&img, 25, 25));
        else /* the others cover the centre */
            assert_true(ink(&img, 24, 24) > 0.5 && ink(&img, 25, 25) > 0.5);
        dr_viz_image_free(&img);
    }
    /* with a halo, the ring is surrounded by white on a black background */
    dr_viz_image img;
    assert_int_equal(dr_viz_image_alloc(&img, 60, 60, black), DR_SUCCESS);
    dr_viz_frame fr;
    assert_int_equal(dr_viz_frame_init(&fr, &img, 0, 0, 60, 60, 0, 6, 0, 6), DR_SUCCESS);
    dr_rgb red = {255, 0, 0};
    dr_viz_pen halo = {red, 2, 1};
    dr_viz_mark(&fr, 3, 3, DR_MARK_CIRCLE, 20, halo);
    dr_rgb on = dr_viz_image_get(&img, 40, 30), out = dr_viz_image_get(&img, 41, 30);
    assert_true(on.r == 255 && on.g < 30);               /* ring at radius 10: red */
    assert_true(out.r > 200 && out.g > 200 && out.b > 200); /* its halo just outside: white */
    dr_viz_image_free(&img);
}

/* Heatmap orientation and values: the field f = y on a grid over [0,1]^2 drawn in grey on a
 * 50 x 40 frame must be white at the top and black at the bottom, and since bilinear
 * interpolation of a linear field is exact, row j must have grey level 255 * y_j with
 * y_j = 1 - (j + 1/2)/40 (up to 1024-level colour table quantisation and rounding: +-1). */
static void test_heatmap_orientation(void **state)
{
    (void)state;
    dr_grid g;
    size_t n[2] = {11, 9};
    double lo[2] = {0, 0}, hi[2] = {1, 1};
    assert_int_equal(dr_grid_init(&g, 2, n, lo, hi), DR_SUCCESS);
    double f[99], fx[99];
    for (size_t j = 0; j < 9; j++)
        for (size_t i = 0; i < 11; i++) {
            f[j * 11 + i] = dr_grid_coord(&g, 1, j);
            fx[j * 11 + i] = dr_grid_coord(&g, 0, i);
        }
    dr_viz_image img;
    assert_int_equal(dr_viz_image_alloc(&img, 50, 40, white), DR_SUCCESS);
    dr_viz_frame fr;
    assert_int_equal(dr_viz_frame_init(&fr, &img, 0, 0, 50, 40, 0, 1, 0, 1), DR_SUCCESS);
    dr_viz_scale sc = {DR_CMAP_GREY, 0, 1, 0};
    assert_int_equal(dr_viz_heatmap(&fr, &g, f, &sc), DR_SUCCESS);
    for (size_t j = 0; j < 40; j++) {
        double want = 255 * (1 - (j + 0.5) / 40);
        for (size_t i = 0; i < 50; i += 7)
            assert_true(fabs(dr_viz_image_get(&img, i, j).r - want) <= 1.0);
    }
    /* f = x: dark on the left, light on the right */
    assert_int_equal(dr_viz_heatmap(&fr, &g, fx, &sc), DR_SUCCESS);
    for (size_t i = 0; i < 50; i++) {
        double want = 255 * (i + 0.5) / 50;
        assert_true(fabs(dr_viz_image_get(&img, i, 20).r - want) <= 1.0);
    }
    /* NaN is drawn mid grey; 1-D grids are refused */
    f[4 * 11 + 5] = NAN;
    assert_int_equal(dr_viz_heatmap(&fr, &g, f, &sc), DR_SUCCESS);
    dr_rgb c = dr_viz_image_get(&img, 25, 20); /* the pixel at (0.51, 0.49): next to the NaN */
    assert_int_equal(c.r, 128);
    dr_grid g1;
    size_t n1 = 10;
    assert_int_equal(dr_grid_init(&g1, 1, &n1, lo, hi), DR_SUCCESS);
    assert_int_equal(dr_viz_heatmap(&fr, &g1, fx, &sc), DR_EINVAL);
    dr_viz_image_free(&img);
}

/* Colour bar: low values at the bottom. A grey bar is black in its bottom row, white in its top
 * row, and labelled to its right (ink beyond the bar). */
static void test_colorbar(void **state)
{
    (void)state;
    dr_viz_image img;
    assert_int_equal(dr_viz_image_alloc(&img, 120, 220, white), DR_SUCCESS);
    dr_viz_scale sc = {DR_CMAP_GREY, -1, 1, 0};
    assert_int_equal(dr_viz_colorbar(&img, 10, 10, 30, 210, &sc), DR_SUCCESS);
    assert_int_equal(dr_viz_image_get(&img, 20, 209).r, 0);
    assert_int_equal(dr_viz_image_get(&img, 20, 10).r, 255);
    assert_true(abs(dr_viz_image_get(&img, 20, 110).r - 128) <= 2); /* the middle */
    int labels = 0;
    for (size_t j = 0; j < 220; j++)
        for (size_t i = 40; i < 120; i++)
            labels += inked(&img, i, j);
    assert_true(labels > 50);
    /* a rectangle outside the image is refused */
    assert_int_equal(dr_viz_colorbar(&img, 100, 10, 130, 50, &sc), DR_EINVAL);
    dr_viz_image_free(&img);
}

/* Ticks at 1, 2, 5 x 10^k and their labels. */
static void test_ticks_and_labels(void **state)
{
    (void)state;
    double t[64], step;
    /* [-3, 3] asking for ~6: step 1, seven ticks from -3 to 3 (ends included despite round-off) */
    assert_int_equal(viz_ticks(-3, 3, 6, t, 64, &step), 7);
    assert_true(step == 1 && t[0] == -3 && t[6] == 3 && t[3] == 0);
    /* [0, 0.9] asking for ~5: raw 0.18 -> step 0.2 -> 0, 0.2, ..., 0.8 */
    assert_int_equal(viz_ticks(0, 0.9, 5, t, 64, &step), 5);
    assert_true(fabs(step - 0.2) < 1e-15);
    char buf[32];
    viz_tick_label(0.6000000000000001, 0.2, buf, sizeof buf);
    assert_string_equal(buf, "0.6");
    viz_tick_label(-2, 0.5, buf, sizeof buf);
    assert_string_equal(buf, "-2.0");
    viz_tick_label(250, 50, buf, sizeof buf);
    assert_string_equal(buf, "250");
    viz_tick_label(2e-5, 1e-5, buf, sizeof buf);
    assert_string_equal(buf, "2e-5");
    viz_tick_label(1.5e6, 5e5, buf, sizeof buf);
    assert_string_equal(buf, "1.5e6");
    /* log axis over [10^-3.2, 10^1.5]: decades -3 .. 1 */
    assert_int_equal(viz_log_ticks(-3.2, 1.5, t, 64), 5);
    assert_true(t[0] == -3 && t[4] == 1);
}

/* Text: "1" in the 5x7 font at scale 2 is a 10 x 14 box at the given corner, and its stem (the
 * middle column) is inked over six rows. */
static void test_text(void **state)
{
    (void)state;
    dr_viz_image img;
    assert_int_equal(dr_viz_image_alloc(&img, 40, 30, white), DR_SUCCESS);
    assert_int_equal(dr_viz_text(&img, 5, 3, "1", 2, black), 10);
    for (size_t j = 0; j < 30; j++)
        for (size_t i = 0; i < 40; i++)
            if (inked(&img, i, j))
                assert_true(i >= 5 && i < 15 && j >= 3 && j < 17);
    for (size_t j = 5; j < 17; j++) /* glyph rows 1..6 of column 2 -> pixels 9..10 */
        assert_true(inked(&img, 9, j) && inked(&img, 10, j));
    assert_int_equal(dr_viz_text_width("-1.5e3", 1), 6 * 6 - 1);
    dr_viz_image_free(&img);
}

/* The complete heatmap figure: the frame it returns has equal scales on both axes (a box twice
 * as wide as high gives a plot twice as wide as high), lies inside the image, and the image is
 * shortened to the plot (800 wide, less than the 500 asked for in height). */
static void test_heatmap_figure(void **state)
{
    (void)state;
    dr_grid g;
    size_t n[2] = {81, 41};
    double lo[2] = {-2, -1}, hi[2] = {2, 1};
    assert_int_equal(dr_grid_init(&g, 2, n, lo, hi), DR_SUCCESS);
    double *f = malloc(dr_grid_size(&g) * sizeof(double));
    for (size_t j = 0; j < n[1]; j++)
        for (size_t i = 0; i < n[0]; i++) {
            double x = dr_grid_coord(&g, 0, i), y = dr_grid_coord(&g, 1, j);
            f[j * n[0] + i] = x * x + 3 * y * y;
        }
    dr_viz_image img;
    dr_viz_frame fr;
    dr_viz_heatmap_options opt = {.width = 800, .height = 500, .cmap = DR_CMAP_MAGMA,
                                  .ncontours = 6};
    assert_int_equal(dr_viz_heatmap_figure(&img, &fr, &g, f, &opt), DR_SUCCESS);
    assert_int_equal(img.width, 800);
    assert_true(img.height < 500);
    int pw = fr.x1 - fr.x0, ph = fr.y1 - fr.y0;
    assert_true(abs(pw - 2 * ph) <= 2);
    assert_true(fr.x0 > 0 && fr.y0 > 0 && fr.x1 < 800 && (size_t)fr.y1 < img.height);
    /* the minimum (0, 0) is the darkest colour of magma, in the middle of the plot */
    dr_rgb c = dr_viz_image_get(&img, (size_t)(fr.x0 + pw / 2), (size_t)(fr.y0 + ph / 2));
    assert_true(c.r < 20 && c.g < 20);
    /* a log scale of a field with non-positive values still works (they take the low end) */
    opt.log = 1;
    dr_viz_image img2;
    assert_int_equal(dr_viz_heatmap_figure(&img2, NULL, &g, f, &opt), DR_SUCCESS);
    dr_viz_image_free(&img2);
    /* too small for the axes */
    opt.width = 100;
    assert_int_equal(dr_viz_heatmap_figure(&img2, NULL, &g, f, &opt), DR_EINVAL);
    dr_viz_image_free(&img);
    free(f);
}

/* The fallback line plot: the first curve in black, the next in the palette's first colour; the
 * straight line y = x spans the plot from its lower-left to its upper-right corner (x fitted
 * exactly, y with 5% air). */
static void test_lineplot(void **state)
{
    (void)state;
    double x[50], y[50], y2[50];
    for (int k = 0; k < 50; k++) {
        x[k] = k / 49.0;
        y[k] = x[k];
        y2[k] = 0.5;
    }
    dr_viz_curve cv[2] = {{x, y, 50, 1, 0, {0, 0, 0}, 0}, {x, y2, 50, 1, 0, {0, 0, 0}, 0}};
    dr_viz_image img;
    assert_int_equal(dr_viz_lineplot(&img, cv, 2, NULL), DR_SUCCESS);
    assert_int_equal(img.width, 800);
    assert_int_equal(img.height, 500);
    /* plot area [84, 768) x [24, 450), y range [-0.05, 1.05]: the curve y = x passes x = 0.25
     * (px = 84 + 0.25 * 684 = 255) at py = 450 - 0.3/1.1 * 426 = 333.8; a 2 px line fully
     * covers the pixel nearest to that point: black */
    int dark = 0;
    for (size_t j = 332; j <= 335; j++)
        for (size_t i = 253; i <= 256; i++) {
            dr_rgb c = dr_viz_image_get(&img, i, j);
            dark |= c.r < 10 && c.g < 10 && c.b < 10;
        }
    assert_true(dark);
    dr_rgb p0 = dr_viz_palette(0);
    /* the y = 0.5 line (py = 450 - 0.55/1.1 * 426 = 237), away from the first */
    dr_rgb on2 = dr_viz_image_get(&img, 200, 237);
    assert_true(abs(on2.r - p0.r) < 20 && abs(on2.g - p0.g) < 20 && abs(on2.b - p0.b) < 20);
    dr_viz_image_free(&img);
    /* log axes skip non-positive points; nothing plottable is an error */
    dr_viz_lineplot_options lo = {0, 0, 1, 1};
    assert_int_equal(dr_viz_lineplot(&img, cv, 2, &lo), DR_SUCCESS); /* x[0] = 0 skipped */
    dr_viz_image_free(&img);
    double zero[2] = {0, 0};
    dr_viz_curve bad = {zero, zero, 2, 1, 0, {0, 0, 0}, 0};
    assert_int_equal(dr_viz_lineplot(&img, &bad, 1, &lo), DR_EINVAL);
    assert_int_equal(dr_viz_lineplot(&img, cv, 0, NULL), DR_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_contours_of_paraboloid), cmocka_unit_test(test_contour_saddle),
        cmocka_unit_test(test_polyline_on_segments),   cmocka_unit_test(test_markers_at_right_pixel),
        cmocka_unit_test(test_heatmap_orientation),    cmocka_unit_test(test_colorbar),
        cmocka_unit_test(test_ticks_and_labels),       cmocka_unit_test(test_text),
        cmocka_unit_test(test_heatmap_figure),         cmocka_unit_test(test_lineplot),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
