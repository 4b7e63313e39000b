"""Each unsupported construct gives the named ast_ad error at the user's file and line.

The offending line of each function carries a ``# ERR`` marker comment; the expected
line number is computed from it (``inspect.getsourcelines``), never hard-coded.  The
exception type is asserted exactly, so an internal exception (KeyError, AttributeError...)
escaping to the user fails the test.
"""

from __future__ import annotations

import inspect
import math
import os

import numpy as np
import pytest

import ast_ad
from ast_ad import (
    AstAdError,
    NonScalarOutputError,
    NoRuleError,
    SourceUnavailableError,
    UnsupportedConstructError,
)

THIS_FILE = os.path.basename(__file__)
MARKER = "# ERR"


def line_of(fn, marker=MARKER):
    """The file line of the single line of ``fn`` that ends with ``marker``."""
    lines, start = inspect.getsourcelines(fn)
    hits = [start + k for k, text in enumerate(lines) if text.rstrip().endswith(marker)]
    assert len(hits) == 1, f"{fn.__name__}: {len(hits)} lines end with {marker!r}"
    return hits[0]


def raised_by(fn, *args, wrt=0):
    """The exception ``ast_ad.grad(fn, wrt)(*args)`` raises (fails if none)."""
    with pytest.raises(Exception) as info:
        ast_ad.grad(fn, wrt=wrt)(*args)
    return info.value


def assert_error_at(err, exc_type, fn, marker=MARKER):
    assert type(err) is exc_type, f"expected {exc_type.__name__}, got {type(err).__name__}: {err}"
    line = line_of(fn, marker)
    assert f"{THIS_FILE}:{line}" in str(err), f"expected {THIS_FILE}:{line} in: {err}"
    assert err.lineno == line
    assert os.path.basename(err.filename) == THIS_FILE


# --- unsupported constructs ------------------------------------------------------------


def f_generator(x):
    yield x * 2.0  # ERR


def f_global(x):
    global _SOME_GLOBAL  # ERR
    return x * 2.0


def f_nonlocal(x):
    y = x

    def bump():
        nonlocal y  # ERR
        y = y * 2.0

    bump()
    return y


def f_class_inside(x):
    class Local:  # ERR
        scale = 2.0

    return x * Local.scale


def f_try(x):
    y = x
    try:  # a bare raise in an except clause stays refused
        y = x * 2.0
    except ValueError:
        raise  # ERR
    return y


def f_yield_from(x):
    yield from [x * 2.0]  # ERR


async def f_async(x):  # ERR
    return x * 2.0


def f_exec(x):
    exec("z = 1")  # ERR
    return x * 2.0


def f_eval(x):
    return eval("x * 2.0")  # ERR


def f_lambda_value(x):
    fs = [lambda t: t * x]  # ERR
    return fs[0](x)


def f_lambda_returned(x):
    return lambda t: t * x  # ERR


def f_import_inside(x):
    import math as m  # ERR

    return m.sin(x)


def f_del_item(x):
    d = [x, 2.0 * x, 3.0]
    # an item, del d[0], is d.pop(0) (tests/unit/test_view_writes.py); a slice is refused
    del d[0:2]  # ERR
    return d[0] * x


def f_del_then_read(x):
    t = x * 2.0
    del t  # ERR
    return t  # noqa: F821  (the read that makes the del unsupported)


UNSUPPORTED = [
    f_generator,
    f_global,
    f_nonlocal,
    f_class_inside,
    f_try,
    f_yield_from,
    f_async,
    f_exec,
    f_eval,
    f_lambda_value,
    f_lambda_returned,
    f_import_inside,
    f_del_item,
    f_del_then_read,
]


@pytest.mark.parametrize("fn", UNSUPPORTED, ids=lambda f: f.__name__)
def test_unsupported_construct(fn):
    err = raised_by(fn, 1.5)
    assert_error_at(err, UnsupportedConstructError, fn)
    assert isinstance(err, AstAdError)
    assert fn.__name__ in str(err)


@pytest.mark.parametrize("fn", [f_try, f_generator], ids=lambda f: f.__name__)
def test_unsupported_construct_at_source_time(fn):
    """``ast_ad.source`` transforms too, and reports the same error."""
    with pytest.raises(UnsupportedConstructError) as info:
        ast_ad.source(ast_ad.grad(fn))
    assert_error_at(info.value, UnsupportedConstructError, fn)


def _helper_with_try(t):
    try:
        return t * 3.0
    except ZeroDivisionError:
        raise  # ERR


def f_calls_bad_helper(x):
    return _helper_with_try(x) + x


def test_unsupported_construct_in_a_helper_points_at_the_helper():
    err = raised_by(f_calls_bad_helper, 1.5)
    assert_error_at(err, UnsupportedConstructError, _helper_with_try)


def f_nested_def_with_try(x):
    def inner(t):
        global _COUNT  # ERR
        return t * 2.0

    return inner(x)


def test_unsupported_construct_in_a_nested_def():
    err = raised_by(f_nested_def_with_try, 1.5)
    assert_error_at(err, UnsupportedConstructError, f_nested_def_with_try)


# --- missing derivative rules ------------------------------------------------------------


def f_unknown_c_function(x):
    y = x * 2.0
    return math.gamma(y) + y  # ERR


def f_np_without_rule(x):
    s = np.i0(x)  # ERR
    return s[0] * 2.0


def _helper_without_rule(t):
    return math.lgamma(t)  # ERR


def f_no_rule_in_helper(x):
    return _helper_without_rule(x * x)


@pytest.mark.parametrize(
    "fn, arg, where",
    [
        (f_unknown_c_function, 1.5, f_unknown_c_function),
        (f_np_without_rule, np.array([3.0, 1.0, 2.0]), f_np_without_rule),
        (f_no_rule_in_helper, 1.5, _helper_without_rule),
    ],
    ids=["math.gamma", "np.i0", "in-helper"],
)
def test_no_rule(fn, arg, where):
    err = raised_by(fn, arg)
    assert_error_at(err, NoRuleError, where)
    assert "defvjp" in str(err)


def f_float_of_str(x):
    return float(str(x))  # ERR


def test_no_rule_float_of_str():
    err = raised_by(f_float_of_str, 1.5)
    assert_error_at(err, NoRuleError, f_float_of_str)


def f_prints(x):
    print("f_prints saw", x)
    _ = np.i0(np.atleast_1d(x))  # no rule, but the result does not reach the output
    _unused = math.gamma(x)
    return x * 3.0


def test_no_rule_call_off_the_output_path_is_fine_and_runs_once(capsys):
    g = ast_ad.grad(f_prints)
    assert g(1.5) == 3.0
    out = capsys.readouterr().out
    assert out.count("f_prints saw") == 1, out
    assert g(2.5) == 3.0
    assert capsys.readouterr().out.count("f_prints saw 2.5") == 1


def test_value_and_grad_runs_side_effects_once(capsys):
    value, g = ast_ad.value_and_grad(f_prints)(1.5)
    assert (value, g) == (4.5, 3.0)
    assert capsys.readouterr().out.count("f_prints saw") == 1


# --- unavailable source ------------------------------------------------------------------

_ns: dict = {}
exec("def exec_defined(x):\n    return x * 2.0\n", _ns)


def test_function_defined_by_exec():
    err = raised_by(_ns["exec_defined"], 1.5)
    assert type(err) is SourceUnavailableError
    assert "exec_defined" in str(err)


@pytest.mark.parametrize(
    "fn",
    [
        len,
        math.ulp,  # (math.fsum has sum's rules now)
        np.frexp,
    ],
    ids=["len", "math.ulp", "np.frexp"],
)
def test_builtin_function(fn):
    """Library callables without a derivative rule (those with one, ``grad(np.sin)``,
    are differentiated by their rule: tests/e2e/test_real_python.py)."""
    err = raised_by(fn, 1.5)
    assert type(err) is SourceUnavailableError
    assert fn.__name__ in str(err)


exec_defined = _ns["exec_defined"]


def _uses_exec_defined(x):
    return exec_defined(x) + x


def test_helper_defined_by_exec_on_the_output_path():
    err = raised_by(_uses_exec_defined, 1.5)
    assert type(err) is SourceUnavailableError, f"{type(err).__name__}: {err}"
    assert "exec_defined" in str(err)


# --- non-scalar outputs ----------------------------------------------------------------


def f_vector_out(x):
    return x * 2.0


def f_tuple_out(x):
    return x, x * 2.0


@pytest.mark.parametrize(
    "fn, arg",
    [(f_vector_out, np.ones(3)), (f_vector_out, np.ones((2, 2))), (f_tuple_out, 1.5)],
    ids=["vector", "matrix", "tuple"],
)
def test_non_scalar_output(fn, arg):
    err = raised_by(fn, arg)
    assert type(err) is NonScalarOutputError
    assert isinstance(err, ValueError) and isinstance(err, AstAdError)
    assert "vjp" in str(err)
    with pytest.raises(NonScalarOutputError):
        ast_ad.value_and_grad(fn)(arg)


def test_shape_one_output_is_a_scalar():
    g = ast_ad.grad(lambda x: np.sum(x, keepdims=True))(np.ones(3))
    np.testing.assert_array_equal(g, np.ones(3))


# --- wrt ------------------------------------------------------------------------------


def f_two(x, y):
    return x * y


@pytest.mark.parametrize("wrt", ["z", ("x", "z"), 2, -3, ("x", 5)])
def test_wrt_missing_parameter(wrt):
    with pytest.raises(Exception) as info:
        ast_ad.grad(f_two, wrt=wrt)(1.0, 2.0)
    err = info.value
    assert isinstance(err, AstAdError), f"{type(err).__name__}: {err}"
    assert type(err).__module__ == "ast_ad.errors"
    missing = [w for w in (wrt if isinstance(wrt, tuple) else (wrt,)) if w not in ("x",)][0]
    assert repr(missing) in str(err) or str(missing) in str(err)
    assert "f_two" in str(err)


def test_wrt_missing_parameter_is_reported_at_grad_time():
    with pytest.raises(AstAdError, match="'z'"):
        ast_ad.grad(f_two, wrt="z")


# --- IPython ----------------------------------------------------------------------------


def test_ipython_cell_function():
    pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    res = shell.run_cell(
        "import numpy as np\n"
        "def cell_fn(x, w):\n"
        "    s = 0.0\n"
        "    for i in range(3):\n"
        "        s = s + np.sin(x * w) * i\n"
        "    return s\n"
    )
    assert res.success, res.error_in_exec
    fn = shell.user_ns["cell_fn"]
    gx, gw = ast_ad.grad(fn, wrt=(0, 1))(0.5, 2.0)
    assert gx == pytest.approx(3.0 * 2.0 * math.cos(1.0), rel=1e-13)
    assert gw == pytest.approx(3.0 * 0.5 * math.cos(1.0), rel=1e-13)

    res = shell.run_cell(
        "def cell_bad(x):\n"
        "    y = x\n"
        "    global _G\n"
        "    return y * 2.0\n"
    )
    assert res.success, res.error_in_exec
    err = raised_by(shell.user_ns["cell_bad"], 1.0)
    assert type(err) is UnsupportedConstructError
    assert err.lineno == 3 and ":3" in str(err)


def _view_then_write(x):
    y = x * 1.0
    v = y[0:2]  # ERR view
    if x[1] > 0.0:
        v = y[1:3]  # bound twice: not rewritten into reads of y (passes/view_writes.py)
    y[0] = y[0] ** 2
    return np.sum(v)


def test_view_written_after_it_was_taken_is_a_clear_error():
    # v sees the later write to y: rather than a silently wrong gradient, a named error
    with pytest.raises(ast_ad.UnsupportedConstructError, match="view") as info:
        ast_ad.grad(_view_then_write)(np.array([3.0, 1.0, 1.0]))
    line = next(i for i, text in enumerate(inspect.getsourcelines(_view_then_write)[0])
                if "# ERR view" in text) + _view_then_write.__code__.co_firstlineno
    assert f"test_errors.py:{line}" in str(info.value)


def _scalar_read_then_write(a):
    b = a * 1.0
    t = b[0]
    b[0] = b[1]
    b[1] = t
    return b[0] * 2.0 + b[1]


def test_scalar_element_read_before_a_write_is_not_a_view():
    g = ast_ad.grad(_scalar_read_then_write)(np.array([1.0, 2.0]))
    np.testing.assert_allclose(g, [1.0, 2.0])
