"""Executed before/after of the sequence passes: ANF's list forms (passes/anf_forms.py)
and the joins and repeats of containers (passes/containers.py), each also checked
against finite differences through the whole pipeline."""

import numpy as np

import ast_ad
from ast_ad.passes import anf_forms
from ast_ad.passes.analysis import analyze
from ast_ad.passes.containers import model_sequences

from ..fd import fd_grad
from .test_passes import front, text


def starred_and_pop(t, y):
    u = [*t, y]
    v = t.pop(0)
    return u[0] * v + u[-1]


def test_anf_forms_before_after():
    assert issubclass(ast_ad.passes.normalize.Normalizer, anf_forms.FormsMixin)
    unit, _ = front(starred_and_pop, ["t", "y"], {"t": list, "y": float})
    out = text(unit.tree.body)
    assert "_t1 = list(t)" in out and "_t2 = [y]" in out and "u = _t1 + _t2" in out
    assert "t = seq_without(t, 0)" in out and "= t[0]" in out
    args = ([1.5, 2.0, -0.5], 0.75)
    got = ast_ad.grad(starred_and_pop, (0, 1))(list(args[0]), args[1])
    want = fd_grad(lambda t0, t1, t2, y: starred_and_pop([t0, t1, t2], y),
                   (*args[0], args[1]), wrt=(0, 1, 2, 3))
    np.testing.assert_allclose(list(got[0]) + [got[1]], want, rtol=1e-6)


def joined(x, s):
    t = [s] + list(x)
    u = t * 2
    return u[0] * u[1] + u[-1] * s


def test_containers_before_after():
    unit, req = front(joined, ["x", "s"], {"x": np.ndarray, "s": float})
    facts = analyze(unit, req)
    assert model_sequences(unit.tree, unit, facts)
    out = text(unit.tree.body)
    assert "t = seq_concat(_t1, _t2)" in out and "u = seq_repeat(t, 2)" in out
    x, s = np.array([0.5, -1.0]), 1.25
    got = ast_ad.grad(joined, (0, 1))(x, s)
    want = fd_grad(joined, (x, s), wrt=(0, 1))
    np.testing.assert_allclose(got[0], want[0], rtol=1e-6)
    np.testing.assert_allclose(got[1], want[1], rtol=1e-6)
