"""Errors raised inside generated code name the user's file, line and text."""

import traceback

import numpy as np
import pytest

import ast_ad
from ast_ad import errnotes


def loss(W, x):
    h = W @ x
    return np.sum(h)


def _helper(h):
    if h.shape[0] > 5:
        raise RuntimeError("too big")
    return np.sum(h * h)


def loss2(W, x):
    h = np.tanh(W * x)
    return _helper(h)


def test_shape_mismatch_names_the_user_line():
    g = ast_ad.grad(loss)
    g(np.ones((2, 3)), np.ones(3))  # the fast dispatcher is installed
    for _ in range(2):  # the fast path and again: one note each time, never two
        with pytest.raises(ValueError) as ei:
            g(np.ones((2, 3)), np.ones(2))
        notes = ei.value.__notes__
        assert len(notes) == 1
        assert notes[0] == "while differentiating loss (test_error_notes.py:13: h = W @ x)"
        frames = traceback.extract_tb(ei.value.__traceback__)
        if hasattr(BaseException, "add_note"):  # trimming rides on PEP 678's machinery
            assert not any(f.filename.startswith("<ast_ad dispatch") for f in frames)


def test_user_helper_exception_names_its_line():
    with pytest.raises(RuntimeError, match="too big") as ei:
        ast_ad.grad(loss2)(np.ones(7), 2.0)
    assert "test_error_notes.py:19: raise RuntimeError(\"too big\")" in ei.value.__notes__[0]


def test_without_add_note_the_message_carries_the_note(monkeypatch):
    monkeypatch.setattr(errnotes, "_HAS_NOTES", False)

    def f(W, x):
        return np.sum(W @ x)

    with pytest.raises(ValueError) as ei:
        ast_ad.grad(f)(np.ones((2, 3)), np.ones(2))
    assert "while differentiating" in str(ei.value)
    assert ei.value.__notes__[-1].startswith("while differentiating")
