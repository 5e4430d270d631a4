/* SPDX-License-Identifier: GPL-3.0-or-later */
/* Ready-made heatmap picture: layout (margins, equal axis scales, colour bar), field, contours
 * and axes in one call, leaving the plot's frame to the caller for overlays. */
#include "viz_internal.h"
#include "../solver/dr_args.h"

#include <math.h>
#include <stdlib.h>

#include "deeprelax/error.h"

#define MARGIN_LEFT 78   /* room for y tick labels */
#define MARGIN_BOTTOM 44 /* x tick labels */
#define MARGIN_TOP 24
#define MARGIN_RIGHT 24
#define BAR_GAP 24
#define BAR_WIDTH 22
#define BAR_LABELS 84

int dr_viz_heatmap_figure(dr_viz_image *img, dr_viz_frame *fr_out, const dr_grid *g,
                          const double *field, const dr_viz_heatmap_options *opt)
{
    DR_CHECK_PTRS(img, g, field);
    dr_viz_heatmap_options o = {0};
    if (opt)
        o = *opt;
    if (!g || g->dim != 2)
        return dr_error(DR_EINVAL, "a heatmap needs a 2-D field");
    size_t W = o.width ? o.width : 720, H = o.height ? o.height : 600;
    int bar = !o.no_colorbar;
    int right = MARGIN_RIGHT + (bar ? BAR_GAP + BAR_WIDTH + BAR_LABELS : 0);
    if (W < (size_t)(MARGIN_LEFT + right + 40) || H < MARGIN_TOP + MARGIN_BOTTOM + 40)
        return dr_error(DR_EINVAL, "heatmap image %zu x %zu is too small for its axes", W, H);

    dr_viz_scale sc;
    size_t n = dr_grid_size(g);
    int st;
    if (o.have_range) {
        sc.cmap = o.cmap;
        sc.lo = o.lo;
        sc.hi = o.hi;
        sc.log = o.log;
        st = dr_viz_scale_check(&sc);
    } else {
        st = dr_viz_scale_auto(&sc, field, n, o.cmap, o.log);
    }
    if (st)
        return st;

    /* Plot area: as large as the margins allow, with one data unit the same length on both axes
     * (a circle stays round) unless the box is more elongated than 3:1. */
    double aw = (double)W - MARGIN_LEFT - right, ah = (double)H - MARGIN_TOP - MARGIN_BOTTOM;
    double bw = g->hi[0] - g->lo[0], bh = g->hi[1] - g->lo[1];
    double aspect = bh / bw;
    if (aspect > 1.0 / 3 && aspect < 3) {
        if (aw * aspect <= ah)
            ah = aw * aspect;
        else
            aw = ah / aspect;
    }
    int pw = (int)floor(aw), ph = (int)floor(ah);
    W = (size_t)(MARGIN_LEFT + pw + right);
    H = (size_t)(MARGIN_TOP + ph + MARGIN_BOTTOM);
    st = dr_viz_image_alloc(img, W, H, viz_white);
    if (st)
        return st;
    int x0 = MARGIN_LEFT, y0 = MARGIN_TOP;
    dr_viz_frame fr;
    st = dr_viz_frame_init(&fr, img, x0, y0, x0 + pw, y0 + ph, g->lo[0], g->hi[0], g->lo[1],
                           g->hi[1]);
    if (!st)
        st = dr_viz_heatmap(&fr, g, field, &sc);
    if (!st && (o.ncontours || o.nlevels)) {
        double *levels = (double *)o.levels;
        size_t nl = o.nlevels;
        double *auto_levels = NULL;
        if (!levels) {
            auto_levels = malloc(o.ncontours * sizeof(double));
            if (!auto_levels)
                st = dr_error(DR_ENOMEM, "no memory for %zu contour levels", o.ncontours);
            else
                st = dr_viz_contour_levels(field, n, o.ncontours, o.log, auto_levels);
            levels = auto_levels;
            nl = o.ncontours;
        }
        /* thin white lines read on the dark-to-light maps; grey ones on the white centre of the
         * diverging map */
        dr_viz_pen pen = {{255, 255, 255}, 0.9, 0};
        if (sc.cmap == DR_CMAP_DIVERGING || sc.cmap == DR_CMAP_GREY)
            pen.colour = (dr_rgb){60, 60, 60};
        if (!st)
            st = dr_viz_contours(&fr, g, field, levels, nl, pen);
        free(auto_levels);
    }
    if (!st)
        dr_viz_axes(&fr, 0, 0);
    if (!st && bar) {
        int bx = fr.x1 + BAR_GAP;
        st = dr_viz_colorbar(img, bx, fr.y0, bx + BAR_WIDTH, fr.y1, &sc);
    }
    if (st) {
        dr_viz_image_free(img);
        return st;
    }
    if (fr_out)
        *fr_out = fr;
    return DR_SUCCESS;
}
