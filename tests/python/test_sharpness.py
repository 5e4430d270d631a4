# SPDX-License-Identifier: GPL-3.0-or-later
"""deeprelax.nn.Hessian (the flatness measures of `deeprelax sharpness` from Python) on a tiny
batch-norm network, each against an independent computation in NumPy:
  - the Hessian assembled column by column from hvp() is symmetric (an exact R-operator gives a
    symmetric matrix to round-off; a wrong product would not), and numpy.linalg.eigvalsh of it
    gives the eigenvalues Lanczos finds with steps = n (the Krylov space is then all of R^n);
  - Hutchinson's trace within 3 of its standard errors of the matrix's trace;
  - filter-normalised: hvp() is S H S for S = diag(scale), scale is each weight row's RMS on
    the weights (positive there) and 0 on biases and batch norm;
  - errors: bad precision, a wrong vector shape, a closed Hessian, an unknown parameter."""
import numpy as np
import pytest

import deeprelax as dr

SIZES = [12, 8, 6, 3]


@pytest.fixture(scope="module")
def trained():
    rng = np.random.default_rng(1)
    x = rng.random((200, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, 3, 200).astype(np.uint8)
    d = dr.nn.Dataset(x, y)
    m = dr.nn.MLP(sizes=SIZES, batchnorm=True, seed=3)
    dr.nn.train(m, d, epochs=3, lr=0.1)
    return m, d


def dense(h):
    return np.column_stack([h.hvp(e) for e in np.eye(h.n_params)])


def test_eigenvalues_and_trace(trained):
    m, d = trained
    with dr.nn.Hessian(m, d, n_samples=0, precision="double") as h:
        assert h.n_samples == 200 and h.n_params == m.w.size
        H = dense(h)
        assert np.max(np.abs(H - H.T)) <= 1e-10 * np.max(np.abs(H))
        ev = np.linalg.eigvalsh((H + H.T) / 2)[::-1]
        theta, bound = h.top_eigenvalues(3, steps=h.n_params)
        np.testing.assert_allclose(theta, ev[:3], rtol=1e-8)
        assert np.all(bound <= 1e-6 * ev[0])
        tr, se = h.trace(samples=50)
        assert abs(tr - np.trace(H)) <= 3 * se
        f, err = h.loss()
        loss, error = m.evaluate(d)
        assert abs(f - loss) <= 1e-5 * loss and abs(err - error) <= 1e-12


def test_filter_normalised(trained):
    m, d = trained
    with dr.nn.Hessian(m, d, n_samples=0, precision="double") as plain, \
            dr.nn.Hessian(m, d, n_samples=0, precision="double", filter_normalised=True) as fn:
        s = fn.scale
        weights = sum(a * b for a, b in zip(SIZES[:-1], SIZES[1:]))
        assert np.count_nonzero(s) == weights and np.all(s >= 0)
        # every weight row shares one value: its RMS over the row's entries in w
        values, counts = np.unique(s[s > 0], return_counts=True)
        assert sorted(set(counts)) <= sorted(set(SIZES[:-1]))
        rng = np.random.default_rng(5)
        v = rng.standard_normal(fn.n_params)
        np.testing.assert_allclose(fn.hvp(v), s * plain.hvp(s * v), rtol=1e-12, atol=1e-15)
        e, se = fn.local_energy(0.05, samples=50)
        assert np.isfinite(e) and se > 0
        r = fn.local_entropy(0.1, beta=100, nodes=2, steps=40, burn_in=5)
        assert set(r) == {"value", "mc_error", "quad_error", "acceptance", "energy0"}


def test_errors(trained):
    m, d = trained
    with pytest.raises(ValueError):
        dr.nn.Hessian(m, d, precision="half")
    h = dr.nn.Hessian(m, d)
    with pytest.raises(ValueError):
        h.hvp(np.zeros(3))
    with pytest.raises(TypeError):
        h.local_entropy(0.1, temperature=2)
    with pytest.raises(dr.Error):
        h.local_entropy(-1.0)
    with pytest.raises(dr.Error):
        h.top_eigenvalues(h.n_params + 1)
    h.close()
    with pytest.raises(ValueError):
        h.trace()
