# SPDX-License-Identifier: GPL-3.0-or-later
"""Pictures to PNG through the library: heatmap() of a 2-D field (title, labelled axes, a
titled colour bar) and plot() of curves (gnuplot when installed: title, axis labels,
legend; else the built-in line plot)."""
import builtins
import ctypes
import os
import tempfile

import numpy as np

from . import _lib
from ._arrays import float64_array
from ._lib import check, lib, parse_enum


def _quote(s):
    return "'" + str(s).replace("'", "''") + "'"


def heatmap(path, grid, field, title=None, xlabel="x", ylabel="y", clabel="value",
            cmap="viridis", log=False, contours=14, range=None, width=0, height=0):
    """Writes the heatmap of field (grid.shape, 2-D grid) to the PNG `path`, with title,
    labelled axes, equal scales and a colour bar titled clabel: drawn by gnuplot (run through
    the library, dr_gnuplot_run) when installed. Without gnuplot: the library's own figure
    (dr_viz_heatmap_figure: numbered axes, `contours` contour levels, colour bar; its bitmap
    font has no letters, so no title). Returns "gnuplot" or "built-in"."""
    if grid.dim != 2:
        raise ValueError("heatmap needs a 2-D grid (use plot for 1-D fields)")
    fv = float64_array(field, "field", shape=grid.shape)
    parse_enum(lib.dr_viz_cmap_parse, cmap, "cmap")  # the name is checked for both paths
    out = os.path.abspath(os.fspath(path))
    with tempfile.TemporaryDirectory(prefix="deeprelax-py-") as tmp:
        x, y = grid.x, grid.y
        with open(os.path.join(tmp, "heatmap.dat"), "w") as d:
            for j in builtins.range(fv.shape[0]):
                np.savetxt(d, np.column_stack([x, np.full_like(x, y[j]), fv[j]]), fmt="%.9g")
                d.write("\n")
        palette = {"viridis": "viridis", "magma": "magma", "grey": "gray",
                   "diverging": "diverging"}.get(cmap, "viridis")
        lines = ["set terminal pngcairo size %d,%d noenhanced font 'Sans,13' background rgb "
                 "'white'" % (width or 760, height or 640),
                 # DR_OUTPUT: the temporary dr_gnuplot_run renames over `out` on success
                 "set output (exists(\"DR_OUTPUT\") ? DR_OUTPUT : %s)" % _quote(out),
                 "set xlabel %s" % _quote(xlabel), "set ylabel %s" % _quote(ylabel),
                 "set cblabel %s" % _quote(clabel),
                 "set size ratio -1" if 1 / 3 <= (y[-1] - y[0]) / (x[-1] - x[0]) <= 3 else "",
                 "set xrange [%r:%r]" % (x[0], x[-1]), "set yrange [%r:%r]" % (y[0], y[-1]),
                 {"viridis": "set palette defined (0 '#440154', 1 '#3b528b', 2 '#21918c', "
                             "3 '#5ec962', 4 '#fde725')",
                  "magma": "set palette defined (0 '#000004', 1 '#51127c', 2 '#b73779', "
                           "3 '#fc8961', 4 '#fcfdbf')",
                  "gray": "set palette gray",
                  "diverging": "set palette defined (0 '#3b4cc0', 1 '#f7f7f7', 2 '#b40426')"}
                 [palette],
                 "set logscale cb" if log else ""]
        if title:
            lines.append("set title %s" % _quote(title))
        if range is not None:
            lines.append("set cbrange [%r:%r]" % (float(range[0]), float(range[1])))
        lines.append("plot 'heatmap.dat' using 1:2:3 with image notitle")
        with open(os.path.join(tmp, "heatmap.gp"), "w") as gp:
            gp.write("\n".join(lines) + "\n")
        o = _lib.GnuplotOptions(tmp.encode(), b"heatmap", out.encode(), 0, 0, 0, None, None,
                                None, 0, 0, 0)
        status = lib.dr_gnuplot_run(ctypes.byref(o))
    if status != _lib.DR_EUNSUPPORTED:
        check(status)
        return "gnuplot"
    o = _lib.HeatmapOptions()
    o.width, o.height = int(width), int(height)
    o.cmap = parse_enum(lib.dr_viz_cmap_parse, cmap, "cmap")
    o.log = 1 if log else 0
    if range is not None:
        o.have_range, o.lo, o.hi = 1, float(range[0]), float(range[1])
    o.ncontours = int(contours)
    img = _lib.VizImage()
    check(lib.dr_viz_heatmap_figure(ctypes.byref(img), None, ctypes.byref(grid._c), fv,
                                    ctypes.byref(o)))
    try:
        check(lib.dr_viz_png_write(ctypes.byref(img), out.encode()))
    finally:
        lib.dr_viz_image_free(ctypes.byref(img))
    return "built-in"


def plot(path, x, ys, labels=None, title=None, xlabel="x", ylabel=None, logx=False,
         logy=False, points=False):
    """Writes the curves ys (a (k, n) array or list of n-arrays) against x (n,) to the PNG
    `path`, with title, axis labels and a legend (labels). Returns "gnuplot" or "built-in"
    (the fallback without gnuplot, which has no legend)."""
    xv = float64_array(x, "x", ndim=1)
    cols = [float64_array(y, "y", shape=xv.shape, finite=False) for y in
            (ys if isinstance(ys, (list, tuple)) else np.atleast_2d(ys))]
    if labels is not None and len(labels) != len(cols):
        raise ValueError("labels has %d entries for %d curves" % (len(labels), len(cols)))
    with tempfile.TemporaryDirectory(prefix="deeprelax-py-") as tmp:
        enc = lambda s: None if s is None else str(s).encode()  # noqa: E731
        o = _lib.GnuplotOptions(enc(tmp), b"plot", enc(os.path.abspath(path)), 0, 0, 0,
                                enc(title), enc(xlabel), enc(ylabel), int(logx), int(logy),
                                int(points))
        yp = (ctypes.c_void_p * len(cols))(*[c.ctypes.data for c in cols])
        lab = (ctypes.c_char_p * len(cols))(*[enc(s) for s in labels]) if labels else None
        status = lib.dr_gnuplot_lines(ctypes.byref(o), xv, xv.size, yp, lab, len(cols))
    if status != _lib.DR_EUNSUPPORTED:
        check(status)
        return "gnuplot"
    curves = (_lib.VizCurve * len(cols))()
    for i, c in enumerate(cols):
        curves[i].x, curves[i].y, curves[i].n = xv.ctypes.data, c.ctypes.data, xv.size
    lo = _lib.LineplotOptions(0, 0, int(logx), int(logy))
    img = _lib.VizImage()
    check(lib.dr_viz_lineplot(ctypes.byref(img), curves, len(cols), ctypes.byref(lo)))
    try:
        check(lib.dr_viz_png_write(ctypes.byref(img), os.fspath(path).encode()))
    finally:
        lib.dr_viz_image_free(ctypes.byref(img))
    return "built-in"
