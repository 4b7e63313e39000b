"""The benchmark's hand-written gradients are right (central finite differences), and the
harness's agreement check and report work. No timing is asserted here."""

from __future__ import annotations

import pathlib
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks import peers, workloads  # noqa: E402


@pytest.mark.parametrize("name", list(workloads.WORKLOADS))
def test_hand_gradient_matches_finite_differences(name):
    assert workloads.check_hand(workloads.WORKLOADS[name]) == []


@pytest.mark.parametrize("name", list(workloads.WORKLOADS))
def test_hand_gradient_has_the_arguments_shapes(name):
    wl = workloads.WORKLOADS[name]
    args = wl.inputs()
    grads = workloads.as_tuple(wl.hand(*args), wl)
    assert len(grads) == len(wl.wrt)
    for g, i in zip(grads, wl.wrt):
        assert np.shape(g) == np.shape(args[i])
        if isinstance(args[i], float):
            assert isinstance(g, float)
        else:
            assert g.dtype == np.float64


def test_inputs_are_deterministic():
    for wl in workloads.WORKLOADS.values():
        a, b = wl.inputs(), wl.inputs()
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


def test_w1_forward_mode_variant_agrees():
    assert workloads.w1_grad_forward(0.7) == pytest.approx(workloads.w1_grad(0.7), rel=1e-12)


def test_agree_accepts_rounding_and_rejects_errors():
    w = (np.array([1.0, -2.0, 0.0]), 3.0)
    assert peers.agree((np.array([1.0 + 1e-9, -2.0, 1e-12]), 3.0 + 1e-9), w) is None
    assert "max rel err" in peers.agree((np.array([1.001, -2.0, 0.0]), 3.0), w)
    assert "shape" in peers.agree((np.ones(2), 3.0), w)
    assert peers.agree((np.array([1.0, -2.0, 0.0]),), w) is not None
    assert peers.agree((np.array([np.nan, -2.0, 0.0]), 3.0), w) == "non-finite gradient"


def test_rebind_runs_the_same_code_in_another_namespace():
    class FakeNp:
        @staticmethod
        def sum(x):
            return "fake"

    f = peers._rebind(workloads.w5, FakeNp)
    assert f.__code__ is workloads.w5.__code__
    with pytest.raises(AttributeError):  # FakeNp has no sin: the call went to FakeNp
        f(np.ones(3))


def test_report_smoke(capsys):
    from benchmarks import run

    rc = run.main(
        [
            "--workloads",
            "T0,W2",
            "--engines",
            "ast_ad",
            "--rounds",
            "1",
            "--batch",
            "0.001",
            "--no-cold",
        ]
    )
    assert rc == 0
    out = capsys.readouterr().out
    assert (
        "| workload | tangent-ad | autograd | jax.grad (no jit) | jax.jit | torch eager "
        "| ast_ad | ast_ad target |" in out
    )
    assert "T0 x*x per call" in out and "W2 logistic loss" in out
    assert "not selected" in out  # peers left out of --engines


@pytest.mark.skipif(not hasattr(__import__("signal"), "setitimer"), reason="no SIGALRM")
def test_call_limit_stops_a_slow_first_call_and_lets_a_quick_one_finish():
    import signal
    import time

    from benchmarks import run

    before = signal.getsignal(signal.SIGALRM)
    t0 = time.perf_counter()
    with pytest.raises(run.TooSlow):
        with run.call_limit(0.05):
            while True:  # a Python loop, as jax.grad's eager trace of W6 is
                pass
    assert time.perf_counter() - t0 < 5
    with run.call_limit(5):
        assert sum(range(10)) == 45
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # the timer was cancelled


def test_stencils_script_checks_each_gradient_and_reports_every_row():
    from benchmarks import stencils

    rows = stencils.run(steps=2)
    assert [r[0] for r in rows] == [f.__name__ for f in stencils.STENCILS]
    assert all(r[1] > 0 and r[2] > 0 for r in rows) and rows[0][3] is not None
    text = stencils.report(rows)
    assert text.count("\n") == len(rows) + 1 and "| in_place |" in text
    u = np.random.default_rng(3).normal(size=12)  # the hand gradient is the gradient
    import ast_ad
    got, want = stencils.in_place_hand(u, 0.2, 4), ast_ad.grad(
        stencils.in_place, wrt=(0, 1))(u, 0.2, 4)
    np.testing.assert_allclose(got[0], want[0], rtol=1e-12, atol=1e-12)
    assert abs(got[1] - want[1]) <= 1e-12 * (1 + abs(want[1]))
