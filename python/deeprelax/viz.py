"""Pictures to PNG through the library's drawing code: heatmap() of a 2-D field (axes,
contours, a colour bar) and plot() of curves (gnuplot when installed: title, axis labels,
legend; else the built-in line plot)."""
import ctypes
import os
import tempfile

import numpy as np

from . import _lib
from ._arrays import float64_array
from ._lib import check, lib, parse_enum


def heatmap(path, grid, field, cmap="viridis", log=False, contours=14, range=None,
            width=0, height=0):
    """Writes the heatmap of field (grid.shape, 2-D grid) to the PNG `path`: equal axis scales,
    labelled axes, `contours` contour levels, and a colour bar (the field's values)."""
    if grid.dim != 2:
        raise ValueError("heatmap needs a 2-D grid (use plot for 1-D fields)")
    fv = float64_array(field, "field", shape=grid.shape)
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
        check(lib.dr_viz_png_write(ctypes.byref(img), os.fspath(path).encode()))
    finally:
        lib.dr_viz_image_free(ctypes.byref(img))


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
