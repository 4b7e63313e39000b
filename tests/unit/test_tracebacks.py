"""Tracebacks of errors raised by a gradient show the user's own lines, on every call
(the first, through the transformation; later ones, through the generated dispatcher; a
new kind of argument, through the dispatcher's slow path), with no frame of ast_ad's
dispatch, in plain Python, pytest and IPython."""

import os
import sys
import traceback

import numpy as np
import pytest

import ast_ad

pytestmark = pytest.mark.skipif(not hasattr(BaseException, "add_note"),
                                reason="Python 3.10 re-raises the original traceback")

OWN = os.path.dirname(os.path.abspath(ast_ad.__file__))
HERE = os.path.abspath(__file__)


def matmul_loss(W, x):
    h = W @ x
    return np.sum(h)


MATMUL_LINE = matmul_loss.__code__.co_firstlineno + 1


def _helper(h):
    if h.shape[0] > 5:
        raise RuntimeError("too big")
    return np.sum(h * h)


HELPER_RAISE = _helper.__code__.co_firstlineno + 2


def calls_helper(W, x):
    h = np.tanh(W * x)
    return _helper(h)


CALL_LINE = calls_helper.__code__.co_firstlineno + 2


def _frames(exc):
    return traceback.extract_tb(exc.__traceback__)


def _no_dispatch_frames(frames):
    for f in frames:
        assert not f.filename.startswith("<ast_ad dispatch"), f
        assert os.path.abspath(f.filename) != os.path.join(OWN, "api.py"), f


def test_first_second_and_new_kind_calls_show_the_users_line_and_no_api_frame():
    g = ast_ad.grad(matmul_loss)
    calls = [lambda: g(np.ones((2, 3)), np.ones(2)),            # first call: transforms
             lambda: g(np.ones((2, 3)), np.ones(2)),            # the fast dispatcher
             lambda: g(np.ones((2, 3), np.float32), np.ones(2))]  # dispatcher's slow path
    g(np.ones((2, 3)), np.ones(3))  # (makes the dispatcher for float64 arrays)
    for call in calls:
        with pytest.raises(ValueError, match="matmul") as ei:
            call()
        frames = _frames(ei.value)
        _no_dispatch_frames(frames)
        assert frames[0].filename == HERE  # the caller, then the user's function
        user = frames[-1]
        assert (user.filename, user.lineno, user.name, user.line) == \
            (HERE, MATMUL_LINE, "matmul_loss", "h = W @ x")
        # the generated line repeats the user's: it is not shown
        assert not any(f.filename.startswith("<ast_ad-") for f in frames)
        assert ei.value.__notes__ == [
            f"while differentiating matmul_loss (test_tracebacks.py:{MATMUL_LINE}: h = W @ x)"]


def test_a_helpers_exception_shows_both_user_lines_and_the_call_into_its_split_code():
    with pytest.raises(RuntimeError, match="too big") as ei:
        ast_ad.grad(calls_helper)(np.ones(7), 2.0)
    frames = _frames(ei.value)
    _no_dispatch_frames(frames)
    at = [(f.filename, f.lineno, f.name) for f in frames if f.filename == HERE]
    assert at[-2:] == [(HERE, CALL_LINE, "calls_helper"), (HERE, HELPER_RAISE, "_helper")]
    # the call into the helper's split forward code differs from the user's line: kept
    gen = [f for f in frames if f.filename.startswith("<ast_ad-")]
    assert len(gen) == 1 and "_helper" in gen[0].line and gen[0].line != "return _helper(h)"


def test_the_printed_traceback_has_no_caret_under_the_users_line():
    with pytest.raises(ValueError) as ei:
        ast_ad.grad(matmul_loss)(np.ones((2, 3)), np.ones(2))
    text = "".join(traceback.format_exception(ei.value))
    block = text.split(f'line {MATMUL_LINE}, in matmul_loss\n')[1].splitlines()
    assert block[0].strip() == "h = W @ x"
    assert "^" not in block[1]


def test_a_post_mortem_debugger_sees_the_generated_frames_values():
    with pytest.raises(ValueError) as ei:
        ast_ad.grad(matmul_loss)(np.ones((2, 3)), 2 * np.ones(2))
    tb = ei.value.__traceback__
    while tb.tb_next is not None:
        tb = tb.tb_next
    assert tb.tb_frame.f_code.co_name == "matmul_loss"
    np.testing.assert_array_equal(tb.tb_frame.f_locals["x"], [2.0, 2.0])


def test_pytest_shows_the_users_function():
    # pytest renders an entry from its code object's first line: the user's def
    with pytest.raises(ValueError) as ei:
        ast_ad.grad(matmul_loss)(np.ones((2, 3)), np.ones(2))
    entry = ei.traceback[-1]
    assert entry.frame.code.firstlineno + 1 == matmul_loss.__code__.co_firstlineno
    assert str(entry.statement).strip() == "h = W @ x"
    assert "def matmul_loss(W, x):" in str(entry.getsource())


def test_ipython_shows_the_users_line(capsys):
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.user_ns.update(ast_ad=ast_ad, np=np, matmul_loss=matmul_loss)
    shell.run_cell("ast_ad.grad(matmul_loss)(np.ones((2, 3)), np.ones(2))")
    out = capsys.readouterr()
    text = out.out + out.err
    assert "h = W @ x" in text and "matmul_loss" in text
    assert "api.py" not in text and "ast_ad dispatch" not in text
    assert sys.modules.get("IPython") is not None


def _bad_args():
    return np.ones((2, 3)), np.ones(2)


def _vjp_fn_call():
    W, x = np.ones((2, 3)), np.ones(3)
    _, back = ast_ad.vjp(matmul_loss, W, x)
    return back(np.ones((4, 4)))  # a cotangent of the wrong shape: the adjoint raises


@pytest.mark.parametrize("how", ["jvp", "vjp", "hvp", "hessian", "jacobian_rev", "derivative",
                                 "vjp_fn"])
def test_forward_and_higher_order_entry_points_show_the_users_line(how):
    W, x = _bad_args()
    calls = {
        "jvp": lambda: ast_ad.jvp(matmul_loss, (W, x), (None, np.ones(2))),
        "vjp": lambda: ast_ad.vjp(matmul_loss, W, x),
        "hvp": lambda: ast_ad.hvp(matmul_loss, (W, x), np.ones(2), wrt=1),
        "hessian": lambda: ast_ad.hessian(matmul_loss, wrt=1)(W, x),
        "jacobian_rev": lambda: ast_ad.jacobian(ast_ad.grad(matmul_loss, wrt=1), wrt=1,
                                                mode="reverse")(W, x),
        "derivative": lambda: ast_ad.derivative(lambda s: matmul_loss(W, s * x))(1.0),
        "vjp_fn": _vjp_fn_call,
    }
    with pytest.raises(ValueError) as ei:
        calls[how]()
    frames = _frames(ei.value)
    assert not any(os.path.basename(f.filename) == "forward_api.py" for f in frames)
    _no_dispatch_frames(frames)
    assert ei.value.__notes__[0].startswith("while differentiating ")
    if how != "vjp_fn":
        assert (frames[-1].filename, frames[-1].lineno) == (HERE, MATMUL_LINE)
        assert f"test_tracebacks.py:{MATMUL_LINE}: h = W @ x" in ei.value.__notes__[0]
    else:  # the adjoint of `return np.sum(h)` raised: the user's line, then the adjoint's
        at = [i for i, f in enumerate(frames) if f.filename == HERE]
        assert frames[at[-1]].lineno == MATMUL_LINE + 1
        assert frames[at[-1] + 1].filename.startswith("<ast_ad-")
        assert "unreduce" in frames[at[-1] + 1].line


def test_rewriting_twice_adds_no_second_user_frame():
    # nested entry points (jacobian -> vjp_fn) each rewrite the traceback on the way out
    from ast_ad import errnotes

    with pytest.raises(ValueError) as ei:
        _vjp_fn_call()
    before = [(f.filename, f.lineno) for f in _frames(ei.value)]
    errnotes.annotate(ei.value, "matmul_loss")
    after = [(f.filename, f.lineno) for f in _frames(ei.value)]
    assert after == before and before.count((HERE, MATMUL_LINE + 1)) == 1
