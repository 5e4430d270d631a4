# SPDX-License-Identifier: GPL-3.0-or-later
"""The pictures (heatmap, plot) write real PNGs of the asked size; the nn trainer from NumPy
arrays learns a linearly separable problem, and a loss slice at its centre is the loss at w."""
import struct

import numpy as np
import pytest

import deeprelax as dr


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


def test_heatmap_and_plot(tmp_path):
    s = dr.solve("himmelblau", 0.5, beta=2.0, n=65)
    how = dr.heatmap(tmp_path / "h.png", s.grid, s.u[0], title="himmelblau, t = 0.5",
                     clabel="u", width=640, height=560)
    w, h = png_size(tmp_path / "h.png")
    assert how in ("gnuplot", "built-in") and w > 100 and h > 100
    if how == "gnuplot":
        assert (w, h) == (640, 560)
    s1 = dr.solve("paper1d", [0.05, 0.2], beta=30.0)
    how = dr.plot(tmp_path / "u.png", s1.x, [s1.f, *s1.u], labels=["f", "0.05", "0.2"],
                  title="paper1d", ylabel="u")
    assert png_size(tmp_path / "u.png")[0] > 100
    with pytest.raises(ValueError):
        dr.heatmap(tmp_path / "bad.png", s1.grid, s1.u[0])
    with pytest.raises(dr.Error):
        dr.heatmap(tmp_path / "bad.png", s.grid, s.u[0], cmap="rainbow")


def test_trainer_on_arrays(tmp_path):
    rng = np.random.default_rng(0)
    x = rng.random((600, 16), dtype=np.float32)
    score = x @ rng.standard_normal(16).astype(np.float32)
    y = (score > np.median(score)).astype(np.uint8)
    data = dr.nn.Dataset(x, y)
    with dr.nn.MLP(sizes=[16, 32, 2], seed=3) as m:
        loss0, _ = m.evaluate(data)
        # an untrained net is near chance: cross-entropy near ln 2 for two balanced classes
        assert abs(loss0 - np.log(2)) < 0.1
        stats = dr.nn.train(m, data, epochs=6, test_data=data, lr=0.1, batch=32)
        assert len(stats) == 6 and stats[-1]["effective_epoch"] == pytest.approx(6, rel=0.02)
        loss, err = m.evaluate(data)
        assert loss < 0.5 * loss0 and err < 0.1   # a separating hyperplane exists
        sl = m.slice(data, n=11, span=1.0, n_samples=200)
        assert sl.shape == (11, 11)
        ref, _ = m.evaluate(data, n_max=200)      # no batch norm: batch stats = eval mode
        assert sl[5, 5] == pytest.approx(ref, rel=1e-5)
        m.save(tmp_path / "m.bin")
        with dr.nn.MLP.load(tmp_path / "m.bin") as m2:   # the same network, bit for bit
            assert np.array_equal(m2.w, m.w)
            assert m2.evaluate(data) == (loss, err)
    with pytest.raises(TypeError):
        dr.nn.Dataset(x.astype(np.float64), y)
    with pytest.raises(dr.Error):
        dr.nn.MLP("no-such-preset")
