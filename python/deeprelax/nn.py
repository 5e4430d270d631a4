# SPDX-License-Identifier: GPL-3.0-or-later
"""The MLP trainer from Python: data sets (IDX files or NumPy arrays), networks (presets or
layer sizes), the optimisers of the paper (sgd, entropy-sgd, hj, elastic-sgd), evaluation and
2-D loss slices along filter-normalised random directions. Parameters are one flat float32
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
