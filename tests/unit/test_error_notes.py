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


def _my_sinh(x):
    return np.sinh(x)


def _my_sinh_vjp(g, ans, x):  # inlined into the gradient: np.i0 has no rule
    return g * np.i0(x)


ast_ad.defvjp(_my_sinh, _my_sinh_vjp)


def uses_rule(x):
    y = _my_sinh(x) * x
    return y


USES_RULE_LINE = uses_rule.__code__.co_firstlineno + 1


@pytest.mark.parametrize("how", ["hessian", "grad_of_grad", "jvp_of_grad", "derivative2"])
def test_no_rule_at_second_order_names_the_user_line_not_generated_code(how):
    # first order is fine (the rule is used as written) ...
    assert ast_ad.grad(uses_rule)(0.3) == pytest.approx(np.i0(0.3) * 0.3 + np.sinh(0.3))
    call = {"hessian": lambda: ast_ad.hessian(uses_rule)(0.3),
            "grad_of_grad": lambda: ast_ad.grad(ast_ad.grad(uses_rule))(0.3),
            "jvp_of_grad": lambda: ast_ad.jvp(ast_ad.grad(uses_rule), (0.3,), (1.0,)),
            "derivative2": lambda: ast_ad.derivative(ast_ad.derivative(uses_rule))(0.3)}[how]
    # ... the second derivative differentiates the rule's np.i0, which has none
    with pytest.raises(ast_ad.NoRuleError, match=r"np\.i0.*derivative rule") as ei:
        call()
    assert ei.value.filename == __file__ and ei.value.lineno == USES_RULE_LINE
    assert "<ast_ad-" not in str(ei.value)
