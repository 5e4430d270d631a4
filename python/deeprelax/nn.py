# SPDX-License-Identifier: GPL-3.0-or-later
"""The MLP trainer from Python: data sets (IDX files or NumPy arrays), networks (presets or
layer sizes), the optimisers of the paper (sgd, entropy-sgd, hj, elastic-sgd), evaluation,
2-D loss slices along filter-normalised random directions, and the flatness of a minimum
(Hessian: eigenvalues, trace, local energy and local entropy, as `deeprelax sharpness`). Parameters are one flat float32
vector (the network's layout); all arrays are C-contiguous."""
import ctypes

import numpy as np

from . import _lib
from ._arrays import count
from ._lib import check, lib, parse_enum

_EVAL, _BATCHSTATS = 1, 2


class Dataset:
    """n labelled examples: Dataset(x, y) with x (n, dim) float32 in [0, 1] and y (n,) uint8,
    or Dataset.load(dir, train=True) for an IDX pair (MNIST layout, .gz or not)."""

    def __init__(self, x, y, rows=None, cols=None):
        if not isinstance(x, np.ndarray) or x.dtype != np.float32:
            raise TypeError("x must be a float32 ndarray (n, dim)")
        if not isinstance(y, np.ndarray) or y.dtype != np.uint8:
            raise TypeError("y must be a uint8 ndarray (n,)")
        if x.ndim != 2 or y.shape != (x.shape[0],):
            raise ValueError("x must be (n, dim) and y (n,) (got %s, %s)" % (x.shape, y.shape))
        if not x.flags.c_contiguous or not y.flags.c_contiguous:
            raise ValueError("x and y must be C-contiguous")
        self.x, self.y, self._owned = x, y, False
        c = _lib.Dataset()
        c.n, c.dim = x.shape
        c.rows, c.cols = (rows or 1), (cols or x.shape[1])
        c.x = x.ctypes.data_as(ctypes.POINTER(ctypes.c_float))
        c.y = y.ctypes.data_as(ctypes.POINTER(ctypes.c_ubyte))
        c.n_classes = int(y.max()) + 1 if y.size else 0
        self._c = c

    @classmethod
    def load(cls, directory, train=True):
        c = _lib.Dataset()
        check(lib.dr_dataset_load(ctypes.byref(c), str(directory).encode(), 1 if train else 0))
        self = cls.__new__(cls)
        self._c, self._owned = c, True
        self.x = np.ctypeslib.as_array(c.x, shape=(c.n, c.dim))
        self.y = np.ctypeslib.as_array(c.y, shape=(c.n,))
        return self

    def __len__(self):
        return self._c.n

    def __del__(self):
        if getattr(self, "_owned", False):
            self.x = self.y = None
            lib.dr_dataset_free(ctypes.byref(self._c))
            self._owned = False


class MLP:
    """A multi-layer perceptron: MLP("mnistfc" | "small") or MLP(sizes=[784, 64, 10],
    batchnorm=True, dropout_in=0, dropout_hidden=0); .w is its flat float32 parameter vector
    (initialised as PyTorch does, from `seed`)."""

    def __init__(self, preset=None, sizes=None, batchnorm=False, dropout_in=0.0,
                 dropout_hidden=0.0, seed=1, max_batch=1024):
        c = _lib.MlpConfig()
        if preset is not None:
            if not isinstance(preset, str):
                raise TypeError("preset must be a string")
            check(lib.dr_mlp_preset(ctypes.byref(c), preset.encode()))
        else:
            if sizes is None or len(sizes) < 2 or len(sizes) > 9:
                raise ValueError("sizes must list 2 to 9 layer widths")
            c.n_layers = len(sizes) - 1
            for i, s in enumerate(sizes):
                c.sizes[i] = count(s, "sizes")
            c.batchnorm, c.dropout_in, c.dropout_hidden = int(batchnorm), dropout_in, dropout_hidden
            check(lib.dr_mlp_config_check(ctypes.byref(c)))
        self._ptr = None
        ptr = ctypes.c_void_p()
        check(lib.dr_mlp_alloc(ctypes.byref(ptr), ctypes.byref(c), count(max_batch, "max_batch")))
        self._ptr, self.config = ptr, c
        self.w = np.empty(lib.dr_mlp_n_params(ptr), dtype=np.float32)
        lib.dr_mlp_init(ptr, self.w, int(seed))

    @classmethod
    def load(cls, path, max_batch=1024):
        """A network saved by save() or `deeprelax train` (checked: magic, version, CRC)."""
        ptr, w = ctypes.c_void_p(), ctypes.POINTER(ctypes.c_float)()
        check(lib.dr_mlp_load(str(path).encode(), count(max_batch, "max_batch"),
                              ctypes.byref(ptr), ctypes.byref(w)))
        self = cls.__new__(cls)
        self._ptr, self.config = ptr, lib.dr_mlp_get_config(ptr).contents
        n = lib.dr_mlp_n_params(ptr)
        self.w = np.ctypeslib.as_array(w, shape=(n,)).copy()
        _lib.libc_free(ctypes.cast(w, ctypes.c_void_p))
        return self

    def close(self):
        if getattr(self, "_ptr", None) is not None:
            lib.dr_mlp_free(self._ptr)
            self._ptr = None

    __del__ = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def evaluate(self, data, n_max=0):
        """(mean cross-entropy, error rate) over data (eval mode: running batch-norm stats)."""
        loss, err = ctypes.c_double(), ctypes.c_double()
        check(lib.dr_mlp_evaluate(self._ptr, self.w, ctypes.byref(data._c), int(n_max), _EVAL,
                                  ctypes.byref(loss), ctypes.byref(err)))
        return loss.value, err.value

    def save(self, path):
        check(lib.dr_mlp_save(str(path).encode(), self._ptr, self.w))

    def slice(self, data, n=21, span=1.0, n_samples=1000, seed=1):
        """The loss at w + a d1 + b d2 on an n x n grid a, b in [-span, span] (a fastest):
        (n, n) float64; d1, d2 random filter-normalised directions from `seed`."""
        d1 = np.empty_like(self.w)
        d2 = np.empty_like(self.w)
        lib.dr_slice_directions(self._ptr, self.w, int(seed), d1, d2)
        out = np.empty((count(n, "n", 2), n))
        check(lib.dr_slice_eval(self._ptr, self.w, d1, d2, ctypes.byref(data._c),
                                count(n_samples, "n_samples"), n, float(span), out,
                                ctypes.cast(None, _lib.ProgressFn), None))
        return out


def _c_function(name):
    """The address of a C function of the library, to hand to another as a callback."""
    return ctypes.cast(getattr(lib, name), ctypes.c_void_p).value


class Hessian:
    """The flatness of model at its weights: f = the mean cross-entropy over the first n_samples
    rows of data (0: all) in EVAL mode (batch norm's running statistics, no dropout), computed
    in float32 (precision="float", the trainer's sgemm) or float64 ("double").

    Hessian(model, data, n_samples=1000, precision="float", filter_normalised=False). With
    filter_normalised=True every method works in the coordinates w + D theta around theta = 0,
    D = diag of each weight row's RMS (biases and batch norm fixed): eigenvalues and trace of
    D H D, local energy at a relative sigma; invariant to the neuron rescaling batch norm undoes.
    Vectors are float64 arrays (n_params,). The model must stay open while the Hessian is used."""

    def __init__(self, model, data, n_samples=1000, precision="float", filter_normalised=False):
        if precision not in ("float", "double"):
            raise ValueError("precision must be 'float' or 'double' (got %r)" % (precision,))
        self.model, self.data = model, data
        self._ptr = None
        ptr = ctypes.c_void_p()
        check(lib.dr_hessian_alloc(ctypes.byref(ptr), model._ptr, ctypes.byref(data._c),
                                   count(n_samples, "n_samples", 0), 500,
                                   1 if precision == "double" else 0))
        self._ptr = ptr
        self.n_params = lib.dr_hessian_n_params(ptr)
        self.n_samples = lib.dr_hessian_n_samples(ptr)
        self.filter_normalised = bool(filter_normalised)
        self.w = model.w.astype(np.float64)
        self._at = _lib.HessianAt(ptr.value, self.w.ctypes.data)
        if self.filter_normalised:
            self.scale = np.empty(self.n_params)
            lib.dr_filter_scales(model._ptr, model.w, self.scale)
            self._work = np.empty(self.n_params)
            self._coords = _lib.ScaledCoords(
                _c_function("dr_hessian_linop"), _c_function("dr_hessian_lossfn"),
                ctypes.addressof(self._at), self.n_params, self.w.ctypes.data,
                self.scale.ctypes.data, self._work.ctypes.data)
            self._ctx = ctypes.addressof(self._coords)
            self._op, self._fn = _c_function("dr_scaled_linop"), _c_function("dr_scaled_lossfn")
            self.x0 = np.zeros(self.n_params)
        else:
            self._ctx = ctypes.addressof(self._at)
            self._op, self._fn = _c_function("dr_hessian_linop"), _c_function("dr_hessian_lossfn")
            self.x0 = self.w

    def close(self):
        if getattr(self, "_ptr", None) is not None:
            lib.dr_hessian_free(self._ptr)
            self._ptr = None

    __del__ = close

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _handle(self):
        if self._ptr is None:
            raise ValueError("the Hessian is closed")
        return self._ctx

    def hvp(self, v):
        """H v (D H D v when filter-normalised): float64 (n_params,)."""
        v = np.ascontiguousarray(v, dtype=np.float64)
        if v.shape != (self.n_params,):
            raise ValueError("v must have shape (%d,) (got %s)" % (self.n_params, v.shape))
        out = np.empty(self.n_params)
        fn = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                              ctypes.c_void_p)(self._op)
        check(fn(self._handle(), v.ctypes.data, out.ctypes.data))
        return out

    def top_eigenvalues(self, k=3, steps=None, seed=1):
        """(theta (k,), bound (k,)): the k largest eigenvalues by Lanczos (full
        reorthogonalisation, steps default max(20, 2k)) and their Ritz residuals."""
        k = count(k, "k", 1)
        steps = count(steps if steps is not None else max(20, 2 * k), "steps", 1)
        theta, bound = np.empty(k), np.empty(k)
        check(lib.dr_lanczos_top(self._op, self._handle(), self.n_params, k,
                                 min(steps, self.n_params), int(seed), theta, bound, None))
        return theta, bound

    def trace(self, samples=10, seed=2):
        """(tr H, 1-sigma standard error) by Hutchinson over `samples` Rademacher vectors."""
        tr, se = ctypes.c_double(), ctypes.c_double()
        check(lib.dr_hutchinson_trace(self._op, self._handle(), self.n_params,
                                      count(samples, "samples", 2), int(seed),
                                      ctypes.byref(tr), ctypes.byref(se)))
        return tr.value, se.value

    def local_energy(self, sigma, samples=20, seed=3):
        """(E f(x + sigma z) - f(x), 1-sigma error) from `samples` antithetic pairs."""
        e, se = ctypes.c_double(), ctypes.c_double()
        check(lib.dr_local_energy(self._fn, self._handle(), self.n_params, self.x0,
                                  float(sigma), count(samples, "samples", 2), int(seed),
                                  ctypes.byref(e), ctypes.byref(se)))
        return e.value, se.value

    def local_entropy(self, gamma, beta=1e4, seed=1, **params):
        """f_gamma(x) - f(x) by thermodynamic integration over Entropy-SGD's inner Langevin
        chains: a dict (value, mc_error, quad_error, acceptance, energy0). params: nodes,
        burn_in, steps, step, metropolis (dr_local_entropy_params)."""
        p = _lib.LocalEntropyParams()
        lib.dr_local_entropy_defaults(ctypes.byref(p))
        p.beta, p.seed = float(beta), int(seed)
        for name, v in params.items():
            if name not in dict(p._fields_) or name in ("beta", "seed"):
                raise TypeError("unknown local-entropy parameter %r" % name)
            setattr(p, name, v)
        r = _lib.LocalEntropyResult()
        check(lib.dr_local_entropy(self._fn, self._handle(), self.n_params, self.x0,
                                   float(gamma), ctypes.byref(p), ctypes.byref(r)))
        return {name: getattr(r, name) for name, _ in r._fields_}

    def loss(self):
        """(f, error rate) at the weights."""
        f, err = ctypes.c_double(), ctypes.c_double()
        self._handle()
        check(lib.dr_hessian_loss_grad(self._ptr, self.w, ctypes.byref(f), ctypes.byref(err),
                                       None))
        return f.value, err.value


def optimiser(kind="sgd", **overrides):
    """dr_optim_params: the authors' MNIST defaults for kind, overridden by keywords."""
    p = _lib.OptimParams()
    k = parse_enum(lib.dr_optim_kind_parse, kind, "optimiser")
    lib.dr_optim_defaults(ctypes.byref(p), k)
    for name, v in overrides.items():
        if name not in dict(p._fields_):
            raise TypeError("unknown optimiser parameter %r" % name)
        setattr(p, name, v)
    return p


def train(model, train_data, epochs=1, test_data=None, kind="sgd", lr=None, batch=128, seed=1,
          **overrides):
    """Trains model.w in place for `epochs` epochs; returns one dict per epoch (train_loss,
    train_error, test_loss, test_error, effective_epoch, seconds)."""
    p = optimiser(kind, **overrides)
    if lr is not None:
        p.lr = float(lr)
    tr = ctypes.c_void_p()
    check(lib.dr_trainer_alloc(ctypes.byref(tr), model._ptr, model.w, ctypes.byref(train_data._c),
                               ctypes.byref(test_data._c) if test_data is not None else None,
                               ctypes.byref(p), count(batch, "batch"), int(seed)))
    out = []
    try:
        for _ in range(count(epochs, "epochs")):
            s = _lib.EpochStats()
            check(lib.dr_train_epoch(tr, p.lr, ctypes.cast(None, _lib.ProgressFn), None,
                                     ctypes.byref(s)))
            out.append({name: getattr(s, name) for name, _ in s._fields_})
    finally:
        lib.dr_trainer_free(tr)
    return out


def set_threads(n):
    """Threads of the BLAS and the trainer's loops (n <= 0: all cores)."""
    lib.dr_nn_set_threads(int(n))
