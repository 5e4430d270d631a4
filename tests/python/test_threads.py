# SPDX-License-Identifier: GPL-3.0-or-later
"""Two Python threads solving different problems at once get the answers each gets alone, bit
for bit (the library keeps no shared mutable state between plans; errors are thread-local;
ctypes releases the GIL, so the solves really overlap)."""
import math
import threading

import numpy as np

import deeprelax as dr


def problems():
    fn = dr.Landscape.from_function(lambda x: (x * x - 1) ** 2, 1, (-2, 2))
    return [
        lambda: dr.solve("paper1d", [0.05, 0.2], beta=30.0, n=1201).u,
        lambda: dr.solve("himmelblau", [0.02], n=97).u,
        lambda: dr.solve(fn, [0.1, 0.3], beta=8.0, n=401).u,
        lambda: dr.solve("double-well", [0.1], beta=5.0, method="fd", n=201).u,
    ]


def test_two_threads_at_once():
    alone = [p() for p in problems()]
    for pair in ((0, 1), (2, 3), (0, 2), (1, 3)):
        ps = problems()
        results, errors = {}, []
        barrier = threading.Barrier(2)

        def run(i):
            try:
                barrier.wait()
                for _ in range(2):
                    results[i] = ps[i]()
            except BaseException as e:  # reported below, not lost in the thread
                errors.append(e)
        threads = [threading.Thread(target=run, args=(i,)) for i in pair]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert not errors
        for i in pair:
            assert np.array_equal(results[i], alone[i])


def test_errors_stay_in_their_thread():
    out = {}

    def bad():
        try:
            dr.solve("paper1d", 0.1, method="heat")
        except dr.Error as e:
            out["bad"] = str(e)

    def good():
        out["good"] = dr.solve("quad", 0.5, beta=2.0, n=101).report[0]["min_u"]
    ts = [threading.Thread(target=bad), threading.Thread(target=good)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert "finite" in out["bad"]
    assert abs(out["good"] - math.log(1.5) / 4) < 1e-9
