# SPDX-License-Identifier: GPL-3.0-or-later
"""Loading libdeeprelax.so and declaring its C API for ctypes (private to the package).

Where the library is looked for, in order:
  1. $DEEPRELAX_LIB (a path to the .so);
  2. next to an installed package: <prefix>/lib/python3/dist-packages/deeprelax -> <prefix>/lib;
  3. the source tree after `make`: python/deeprelax -> build/libdeeprelax.so;
  4. the system loader ("libdeeprelax.so.0", after `make install` to a system prefix).

Every foreign call goes through ctypes.CDLL, which releases the GIL for the duration of the call:
long solves in one Python thread let the others run.
"""
import ctypes
import os
from ctypes import (POINTER, Structure, c_char_p, c_double, c_float, c_int, c_size_t,
                    c_ubyte, c_uint, c_uint64, c_ulong, c_void_p)

import numpy as np

__all__ = ["lib", "Error", "check", "f64", "library_path"]


class Error(RuntimeError):
    """A failure reported by libdeeprelax: `status` is the C status code, str() its message."""

    def __init__(self, message, status=0):
        super().__init__(message)
        self.status = status


def _candidates():
    env = os.environ.get("DEEPRELAX_LIB")
    if env:
        return [env], True
    here = os.path.dirname(os.path.abspath(__file__))
    return [os.path.normpath(os.path.join(here, "..", "..", "..", "libdeeprelax.so.0")),
            os.path.normpath(os.path.join(here, "..", "..", "build", "libdeeprelax.so")),
            "libdeeprelax.so.0"], False


def _load():
    paths, from_env = _candidates()
    tried = []
    for p in paths:
        if os.sep in p and not os.path.exists(p):
            tried.append(p + " (absent)")
            continue
        try:
            return ctypes.CDLL(p), p
        except OSError as e:
            tried.append("%s (%s)" % (p, e))
    hint = ("DEEPRELAX_LIB points to no loadable library" if from_env else
            "run `make` in the source tree, `make install PREFIX=...`, or set DEEPRELAX_LIB "
            "to the path of libdeeprelax.so")
    raise ImportError("deeprelax: libdeeprelax not found (tried: %s); %s"
                      % ("; ".join(tried), hint))


lib, library_path = _load()

# ---------------------------------------------------------------- array types
f64 = np.ctypeslib.ndpointer(dtype=np.float64, flags="C_CONTIGUOUS")
f32 = np.ctypeslib.ndpointer(dtype=np.float32, flags="C_CONTIGUOUS")
u8 = np.ctypeslib.ndpointer(dtype=np.uint8, flags="C_CONTIGUOUS")
f64_or_null = c_void_p  # pass arr.ctypes.data or None


def ptr(a):
    """The data pointer of a C-contiguous array, or None."""
    return None if a is None else a.ctypes.data_as(c_void_p)


# ---------------------------------------------------------------- structs (mirror the headers)
class Grid(Structure):
    _fields_ = [("dim", c_int), ("n", c_size_t * 2), ("lo", c_double * 2),
                ("hi", c_double * 2), ("h", c_double * 2)]


class LandscapeInfo(Structure):
    _fields_ = [("name", c_char_p), ("dim", c_int), ("lo", c_double * 2), ("hi", c_double * 2),
                ("formula", c_char_p), ("note", c_char_p)]


class LandscapeParams(Structure):
    _fields_ = [("noise", c_double), ("seed", c_ulong)]


class HeatOptions(Structure):
    _fields_ = [("engine", c_int), ("tol", c_double), ("planning", c_int), ("threads", c_int)]


class HeatReport(Structure):
    _fields_ = [("engine", c_int), ("log_points", c_size_t), ("refine", c_int),
                ("margin", c_double), ("quad_points", c_size_t * 2), ("est_error", c_double),
                ("unbounded", c_char_p), ("breakpoints", c_size_t), ("refine_capped", c_int), ("fft_size", c_size_t * 2),
                ("clamped_points", c_size_t), ("log_taps", c_size_t), ("margin_capped", c_int),
                ("lines", c_size_t), ("exact_lines", c_size_t)]


class HopfLaxOptions(Structure):
    _fields_ = [("refine", c_int), ("polish", c_int), ("threads", c_int)]


class HopfLaxInfo(Structure):
    _fields_ = [("refine", c_int), ("margin", c_double), ("margin_points", c_size_t * 2),
                ("ny", c_size_t * 2), ("y0", c_double * 2), ("hy", c_double * 2),
                ("fmin", c_double), ("fmax_box", c_double)]


FdProgress = ctypes.CFUNCTYPE(None, c_void_p, c_double, c_double, c_size_t)


class FdOptions(Structure):
    _fields_ = [("scheme", c_int), ("rk_order", c_int), ("cfl", c_double),
                ("progress", FdProgress), ("progress_ctx", c_void_p), ("threads", c_int)]


class FdReport(Structure):
    _fields_ = [("steps", c_size_t), ("rhs_evals", c_size_t), ("dt_min", c_double),
                ("dt_max", c_double), ("margin", c_double * 2), ("points", c_size_t * 2),
                ("capped", c_int)]


class SolveOptions(Structure):
    _fields_ = [("method", c_int), ("engine", c_int), ("refine", c_int), ("polish", c_int),
                ("scheme", c_int), ("cfl", c_double), ("progress", FdProgress),
                ("progress_ctx", c_void_p), ("threads", c_int), ("stage", c_void_p),
                ("stage_ctx", c_void_p)]


class SolveReport(Structure):
    _fields_ = [("method", c_int), ("engine", c_char_p), ("log_points", c_size_t),
                ("est_error", c_double), ("unbounded", c_char_p), ("curvature_measured", c_int),
                ("wells", c_size_t), ("switched", c_size_t), ("margin_capped", c_int), ("refine", c_int),
                ("min_u", c_double), ("argmin", c_double * 2), ("steps", c_size_t),
                ("dt_min", c_double)]


class Semiconcavity(Structure):
    _fields_ = [("value", c_double), ("where", c_double * 2), ("index", c_size_t),
                ("points", c_size_t)]


class Minimum(Structure):
    _fields_ = [("x", c_double * 2), ("u", c_double), ("index", c_size_t),
                ("plateau", c_size_t), ("eig", c_double * 2), ("width", c_double * 2),
                ("level_measure", c_double), ("basin_points", c_size_t),
                ("basin_measure", c_double), ("basin_lo", c_double * 2),
                ("basin_hi", c_double * 2), ("touches_edge", c_int)]


class Minima(Structure):
    _fields_ = [("grid", Grid), ("delta", c_double), ("count", c_size_t),
                ("min", POINTER(Minimum)), ("basin", POINTER(c_int))]


class MinimaOptions(Structure):
    _fields_ = [("delta", c_double), ("prox", c_void_p)]


class Event(Structure):
    _fields_ = [("kind", c_int), ("t_before", c_double), ("t_after", c_double), ("t", c_double),
                ("track", c_int), ("other", c_int), ("x", c_double * 2)]


class WidenOptions(Structure):
    _fields_ = [("method", c_int), ("refine", c_int), ("no_gibbs", c_int), ("delta", c_double),
                ("threads", c_int), ("progress", ctypes.c_void_p), ("progress_ctx", ctypes.c_void_p)]


class WidenStep(Structure):
    _fields_ = [("t", c_double), ("sc", Semiconcavity), ("gibbs", Semiconcavity),
                ("margin", c_double * 2), ("capped", c_int), ("m", Minima), ("global_", c_int)]


class Widen(Structure):
    _fields_ = [("grid", Grid), ("beta", c_double), ("C", c_double), ("delta", c_double),
                ("method", c_int), ("refine", c_int), ("gibbs", c_int), ("nt", c_size_t),
                ("f", POINTER(c_double)), ("fmin", Minima), ("steps", POINTER(WidenStep)),
                ("tracker", c_void_p)]


class ParticlesOptions(Structure):
    _fields_ = [("algo", c_int), ("steps", c_size_t), ("L", c_size_t), ("eta", c_double),
                ("eta_inner", c_double), ("gamma", c_double), ("g0", c_double),
                ("g1", c_double), ("beta", c_double), ("alpha", c_double),
                ("sigma", c_double), ("momentum", c_double), ("replicas", c_size_t),
                ("rho", c_double), ("rho_growth", c_double), ("seed", c_ulong),
                ("pde_n", c_size_t * 2), ("have_pde_box", c_int), ("pde_lo", c_double * 2),
                ("pde_hi", c_double * 2), ("threads", c_int)]


class ParticlesBasin(Structure):
    _fields_ = [("minimiser", c_double * 2), ("value", c_double), ("count", c_size_t),
                ("global_", c_int)]


class Dataset(Structure):
    _fields_ = [("n", c_size_t), ("rows", c_size_t), ("cols", c_size_t), ("dim", c_size_t),
                ("x", POINTER(c_float)), ("y", POINTER(c_ubyte)), ("n_classes", c_int)]


class MlpConfig(Structure):
    _fields_ = [("n_layers", c_int), ("sizes", c_size_t * 9), ("batchnorm", c_int),
                ("dropout_in", c_float), ("dropout_hidden", c_float)]


class OptimParams(Structure):
    _fields_ = [("kind", c_int), ("lr", c_double), ("momentum", c_double),
                ("weight_decay", c_double), ("L", c_int), ("inner_lr", c_double),
                ("noise", c_double), ("alpha", c_double), ("g0", c_double), ("g1", c_double),
                ("hj_gamma", c_double), ("replicas", c_int), ("rho", c_double),
                ("rho_growth", c_double), ("rho_max", c_double)]


class EpochStats(Structure):
    _fields_ = [("train_loss", c_double), ("train_error", c_double), ("test_loss", c_double),
                ("test_error", c_double), ("effective_epoch", c_double), ("seconds", c_double)]


class VizImage(Structure):
    _fields_ = [("width", c_size_t), ("height", c_size_t), ("pixels", POINTER(c_ubyte))]


class HeatmapOptions(Structure):
    _fields_ = [("width", c_size_t), ("height", c_size_t), ("cmap", c_int), ("log", c_int),
                ("have_range", c_int), ("lo", c_double), ("hi", c_double),
                ("ncontours", c_size_t), ("levels", c_void_p), ("nlevels", c_size_t),
                ("no_colorbar", c_int)]


class GnuplotOptions(Structure):
    _fields_ = [("dir", c_char_p), ("name", c_char_p), ("output", c_char_p),
                ("terminal", c_int), ("width", c_int), ("height", c_int), ("title", c_char_p),
                ("xlabel", c_char_p), ("ylabel", c_char_p), ("logx", c_int), ("logy", c_int),
                ("points", c_int), ("cblabel", c_char_p)]


class Rgb(Structure):
    _fields_ = [("r", c_ubyte), ("g", c_ubyte), ("b", c_ubyte)]


class VizCurve(Structure):
    _fields_ = [("x", c_void_p), ("y", c_void_p), ("n", c_size_t), ("stride", c_size_t),
                ("has_colour", c_int), ("colour", Rgb), ("width", c_double)]


class LineplotOptions(Structure):
    _fields_ = [("width", c_size_t), ("height", c_size_t), ("logx", c_int), ("logy", c_int)]


class HessianAt(Structure):
    _fields_ = [("h", c_void_p), ("w", c_void_p)]


class ScaledCoords(Structure):
    _fields_ = [("op", c_void_p), ("f", c_void_p), ("ctx", c_void_p), ("n", c_size_t),
                ("origin", c_void_p), ("scale", c_void_p), ("work", c_void_p)]


class LocalEntropyParams(Structure):
    _fields_ = [("beta", c_double), ("nodes", c_size_t), ("burn_in", c_size_t),
                ("steps", c_size_t), ("step", c_double), ("metropolis", c_int),
                ("seed", c_uint64)]


class LocalEntropyResult(Structure):
    _fields_ = [("value", c_double), ("mc_error", c_double), ("quad_error", c_double),
                ("acceptance", c_double), ("energy0", c_double)]


# The C type each mirror stands for (tests/python/test_struct_layout.py compares their layouts
# with the compiler's, field by field).
C_NAMES = {
    Grid: "dr_grid",
    LandscapeInfo: "dr_landscape_info",
    LandscapeParams: "dr_landscape_params",
    HeatOptions: "dr_heat_options",
    HeatReport: "dr_heat_report",
    HopfLaxOptions: "dr_hopflax_options",
    HopfLaxInfo: "dr_hopflax_info",
    FdOptions: "dr_fd_options",
    FdReport: "dr_fd_report",
    SolveOptions: "dr_solve_options",
    SolveReport: "dr_solve_report",
    Semiconcavity: "dr_semiconcavity",
    Minimum: "dr_minimum",
    Minima: "dr_minima",
    MinimaOptions: "dr_minima_options",
    Event: "dr_event",
    WidenOptions: "dr_widen_options",
    WidenStep: "dr_widen_step",
    Widen: "dr_widen",
    ParticlesOptions: "dr_particles_options",
    ParticlesBasin: "dr_particles_basin",
    Dataset: "dr_dataset",
    MlpConfig: "dr_mlp_config",
    OptimParams: "dr_optim_params",
    EpochStats: "dr_epoch_stats",
    VizImage: "dr_viz_image",
    HeatmapOptions: "dr_viz_heatmap_options",
    GnuplotOptions: "dr_gnuplot_options",
    Rgb: "dr_rgb",
    VizCurve: "dr_viz_curve",
    LineplotOptions: "dr_viz_lineplot_options",
    HessianAt: "dr_hessian_at",
    ScaledCoords: "dr_scaled_coords",
    LocalEntropyParams: "dr_local_entropy_params",
    LocalEntropyResult: "dr_local_entropy_result",
}


LandscapeFn = ctypes.CFUNCTYPE(c_int, c_void_p, c_size_t, POINTER(c_double), POINTER(c_double))
ProgressFn = ctypes.CFUNCTYPE(c_int, c_void_p, c_size_t, c_size_t)

# ---------------------------------------------------------------- prototypes
P = POINTER
vp = c_void_p
_protos = {
    "dr_version": (c_char_p, []),
    "dr_error_message": (c_char_p, []),
    "dr_strerror": (c_char_p, [c_int]),
    "dr_grid_init": (c_int, [P(Grid), c_int, P(c_size_t), P(c_double), P(c_double)]),
    "dr_landscape_catalogue_size": (c_size_t, []),
    "dr_landscape_catalogue": (P(LandscapeInfo), [c_size_t]),
    "dr_landscape_alloc_builtin": (c_int, [P(vp), c_char_p, P(LandscapeParams)]),
    "dr_landscape_alloc_expr": (c_int, [P(vp), c_char_p, c_int]),
    "dr_landscape_alloc_samples": (c_int, [P(vp), P(Grid), f64]),
    "dr_landscape_alloc_file": (c_int, [P(vp), c_char_p, vp]),
    "dr_landscape_alloc_function": (c_int, [P(vp), c_int, P(c_double), c_double, LandscapeFn,
                                            LandscapeFn, vp, c_char_p]),
    "dr_landscape_failure": (c_int, [vp]),
    "dr_landscape_failure_clear": (None, [vp]),
    "dr_landscape_free": (None, [vp]),
    "dr_landscape_dim": (c_int, [vp]),
    "dr_landscape_name": (c_char_p, [vp]),
    "dr_landscape_formula": (c_char_p, [vp]),
    "dr_landscape_domain": (None, [vp, P(c_double), P(c_double)]),
    "dr_landscape_eval": (c_int, [vp, c_size_t, f64, f64, vp]),
    "dr_landscape_hessian": (c_int, [vp, P(c_double), P(c_double)]),
    "dr_landscape_curvature_bound": (c_double, [vp, vp, vp]),
    "dr_landscape_sample": (None, [vp, P(Grid), f64]),
    "dr_solve_options_init": (None, [P(SolveOptions)]),
    "dr_solve_method_parse": (c_int, [c_char_p, P(c_int)]),
    "dr_solve_grid": (c_int, [P(Grid), vp, c_size_t, P(c_size_t), vp, vp]),
    "dr_solve": (c_int, [vp, P(Grid), c_double, f64, c_size_t, f64, vp, P(SolveReport),
                         P(SolveOptions)]),
    "dr_heat_engine_parse": (c_int, [c_char_p, P(c_int)]),
    "dr_heat_engine_name": (c_char_p, [c_int]),
    "dr_heat_planning_parse": (c_int, [c_char_p, P(c_int)]),
    "dr_heat_planning_name": (c_char_p, [c_int]),
    "dr_heat_plan_alloc": (c_int, [P(vp), vp, P(Grid), c_double, c_double, c_double,
                                   P(HeatOptions)]),
    "dr_heat_execute": (c_int, [vp, c_double, f64, vp, P(HeatReport)]),
    "dr_heat_plan_free": (None, [vp]),
    "dr_hopflax_plan_alloc": (c_int, [P(vp), vp, P(Grid), c_double, P(HopfLaxOptions)]),
    "dr_hopflax_execute": (c_int, [vp, c_double, f64, vp, vp]),
    "dr_hopflax_plan_info": (None, [vp, P(HopfLaxInfo)]),
    "dr_hopflax_plan_free": (None, [vp]),
    "dr_fd_scheme_parse": (c_int, [c_char_p, P(c_int)]),
    "dr_fd_scheme_name": (c_char_p, [c_int]),
    "dr_fd_alloc": (c_int, [P(vp), vp, P(Grid), c_double, c_double, P(FdOptions)]),
    "dr_fd_step": (c_int, [vp]),
    "dr_fd_advance_to": (c_int, [vp, c_double]),
    "dr_fd_time": (c_double, [vp]),
    "dr_fd_solution": (c_int, [vp, f64, vp]),
    "dr_fd_stats": (None, [vp, P(FdReport)]),
    "dr_fd_free": (None, [vp]),
    "dr_gibbs_plan_alloc": (c_int, [P(vp), vp, P(Grid), c_double, c_double, c_double]),
    "dr_gibbs_moments": (c_int, [vp, c_double, vp, vp, vp]),
    "dr_gibbs_hessian": (c_int, [vp, c_double, f64]),
    "dr_gibbs_plan_free": (None, [vp]),
    "dr_analysis_hessian_fd": (c_int, [P(Grid), f64, f64]),
    "dr_analysis_boundary_layer": (c_int, [vp, P(Grid), c_double, c_double, P(c_double),
                                           P(c_int)]),
    "dr_semiconcavity_max": (c_int, [P(Grid), f64, P(c_double), P(Semiconcavity)]),
    "dr_semiconcavity_bound": (c_double, [c_double, c_double]),
    "dr_minima_default_delta": (c_double, [P(Grid), f64]),
    "dr_minima_find": (c_int, [P(Minima), P(Grid), f64, P(MinimaOptions)]),
    "dr_minima_free": (None, [P(Minima)]),
    "dr_event_name": (c_char_p, [c_int]),
    "dr_tracker_alloc": (c_int, [P(vp)]),
    "dr_tracker_add": (c_int, [vp, c_double, P(Minima)]),
    "dr_tracker_times": (c_size_t, [vp]),
    "dr_tracker_tracks": (c_size_t, [vp]),
    "dr_tracker_track_of": (c_int, [vp, c_size_t, c_size_t]),
    "dr_tracker_global": (c_int, [vp, c_size_t]),
    "dr_tracker_events": (P(Event), [vp, P(c_size_t)]),
    "dr_tracker_free": (None, [vp]),
    "dr_widen_options_init": (None, [P(WidenOptions)]),
    "dr_widen_run": (c_int, [P(Widen), vp, P(Grid), c_double, f64, c_size_t, P(WidenOptions),
                             vp]),
    "dr_widen_free": (None, [P(Widen)]),
    "dr_particles_algo_parse": (c_int, [c_char_p, P(c_int)]),
    "dr_particles_algo_name": (c_char_p, [c_int]),
    "dr_particles_options_default": (None, [P(ParticlesOptions)]),
    "dr_particles_alloc": (c_int, [P(vp), vp, P(ParticlesOptions)]),
    "dr_particles_free": (None, [vp]),
    "dr_particles_run": (c_int, [vp, c_size_t, f64, vp, vp]),
    "dr_particles_basins": (c_int, [vp, P(c_double), P(c_double), c_size_t, f64,
                                    P(ParticlesBasin), c_size_t, P(c_size_t)]),
    "dr_particles_gibbs_mean": (c_int, [vp, P(c_double), c_double, c_double, P(c_double),
                                        vp]),
    "dr_dataset_load": (c_int, [P(Dataset), c_char_p, c_int]),
    "dr_dataset_free": (None, [P(Dataset)]),
    "dr_mlp_preset": (c_int, [P(MlpConfig), c_char_p]),
    "dr_mlp_config_check": (c_int, [P(MlpConfig)]),
    "dr_mlp_alloc": (c_int, [P(vp), P(MlpConfig), c_size_t]),
    "dr_mlp_free": (None, [vp]),
    "dr_mlp_n_params": (c_size_t, [vp]),
    "dr_mlp_init": (None, [vp, f32, c_uint64]),
    "dr_mlp_evaluate": (c_int, [vp, f32, P(Dataset), c_size_t, c_int, P(c_double),
                                P(c_double)]),
    "dr_mlp_save": (c_int, [c_char_p, vp, f32]),
    "dr_mlp_load": (c_int, [c_char_p, c_size_t, P(vp), P(P(c_float))]),
    "dr_mlp_get_config": (P(MlpConfig), [vp]),
    "dr_optim_defaults": (None, [P(OptimParams), c_int]),
    "dr_optim_kind_parse": (c_int, [c_char_p, P(c_int)]),
    "dr_trainer_alloc": (c_int, [P(vp), vp, f32, P(Dataset), P(Dataset), P(OptimParams),
                                 c_size_t, c_uint64]),
    "dr_trainer_free": (None, [vp]),
    "dr_train_epoch": (c_int, [vp, c_double, ProgressFn, vp, P(EpochStats)]),
    "dr_nn_set_threads": (None, [c_int]),
    "dr_slice_directions": (None, [vp, f32, c_uint64, f32, f32]),
    "dr_slice_eval": (c_int, [vp, f32, f32, f32, P(Dataset), c_size_t, c_size_t, c_double,
                              f64, ProgressFn, vp]),
    "dr_hessian_alloc": (c_int, [P(vp), vp, P(Dataset), c_size_t, c_size_t, c_int]),
    "dr_hessian_free": (None, [vp]),
    "dr_hessian_loss_grad": (c_int, [vp, f64, P(c_double), P(c_double), vp]),
    "dr_hessian_n_params": (c_size_t, [vp]),
    "dr_hessian_n_samples": (c_size_t, [vp]),
    "dr_filter_scales": (None, [vp, f32, f64]),
    "dr_lanczos_top": (c_int, [vp, vp, c_size_t, c_size_t, c_size_t, c_uint64, f64, f64, vp]),
    "dr_hutchinson_trace": (c_int, [vp, vp, c_size_t, c_size_t, c_uint64, P(c_double),
                                    P(c_double)]),
    "dr_local_energy": (c_int, [vp, vp, c_size_t, f64, c_double, c_size_t, c_uint64,
                                P(c_double), P(c_double)]),
    "dr_local_entropy_defaults": (None, [P(LocalEntropyParams)]),
    "dr_local_entropy": (c_int, [vp, vp, c_size_t, f64, c_double, P(LocalEntropyParams),
                                 P(LocalEntropyResult)]),
    "dr_viz_heatmap_figure": (c_int, [P(VizImage), vp, P(Grid), f64, P(HeatmapOptions)]),
    "dr_viz_png_write": (c_int, [P(VizImage), c_char_p]),
    "dr_gnuplot_run": (c_int, [P(GnuplotOptions)]),
    "dr_viz_image_free": (None, [P(VizImage)]),
    "dr_viz_cmap_parse": (c_int, [c_char_p, P(c_int)]),
    "dr_viz_lineplot": (c_int, [P(VizImage), P(VizCurve), c_size_t, P(LineplotOptions)]),
    "dr_gnuplot_lines": (c_int, [P(GnuplotOptions), f64, c_size_t, P(c_void_p), P(c_char_p),
                                 c_size_t]),
}
for _name, (_res, _args) in _protos.items():
    _fn = getattr(lib, _name)
    _fn.restype = _res
    _fn.argtypes = _args



def raw_function(name, restype, argtypes):
    """A second foreign-function object for `name` with plain pointer arguments (c_void_p): the
    lean path of a plan called many times passes data addresses it has already checked, so
    ctypes converts nothing per call (ndpointer's from_param costs about 1 us per array)."""
    fn = lib._FuncPtr((name, lib))
    fn.restype, fn.argtypes = restype, argtypes
    return fn


heat_execute_raw = raw_function("dr_heat_execute", c_int, [vp, c_double, vp, vp, vp])
hopflax_execute_raw = raw_function("dr_hopflax_execute", c_int, [vp, c_double, vp, vp, vp])

DR_EUNSUPPORTED = 8
libc_free = ctypes.CDLL(None).free
libc_free.argtypes = [c_void_p]
libc_free.restype = None


def message():
    return lib.dr_error_message().decode("utf-8", "replace")


def check(status, what=None):
    """Raise Error with the library's message (read in this thread, right after the call)."""
    if status:
        msg = message() or lib.dr_strerror(status).decode()
        raise Error(msg if what is None else "%s: %s" % (what, msg), status)


def parse_enum(fn, name, what):
    """A C `_parse` function on a Python string: the enum value, or Error naming the choices."""
    if not isinstance(name, str):
        raise TypeError("%s must be a string (got %r)" % (what, type(name).__name__))
    v = c_int(0)
    check(fn(name.encode(), ctypes.byref(v)))
    return v.value


def version():
    """The version string of the loaded libdeeprelax (dr_version())."""
    return lib.dr_version().decode()
