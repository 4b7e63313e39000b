"""Issue 11's bullets that the corpus (test_real_python.py) did not reach, each against
finite differences (tests/fd.py) or a clear refusal at the user's line: an exception
raised inside a callee and caught part-way by the caller, timers and locks around code
(the adjoint runs outside them), ``dict.update``, higher order (gradient objects called
inside), lambdas and closures handed to helpers, library callables handed to ast_ad, the
user-code line (``ast_ad.user_code`` opt-in and opt-out), and ``fallback="tape"`` for a
construct that stays refused."""

from __future__ import annotations

import colorsys
import math
import sys
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pytest

import ast_ad

from ..fd import assert_close, fd_derivative, fd_directional, fd_grad
from .real_python_lib import helper_scale

X = np.array([0.4, -1.1, 0.9])


def close(got, want):
    assert_close(got, want, 1e-6, 1e-8)


# -- an exception part-way through a callee, caught by the caller ----------------------------
def risky(x, k):
    y = np.sin(x) * 3.0
    if k > 0:
        raise ValueError("k > 0")  # after y was computed: its adjoint must not run
    return y * x


def catches_from_a_callee(x, k):
    a = x * x
    try:
        b = risky(x, k)
        c = a * b
    except ValueError:
        c = a * 5.0
    finally:
        a = a + 1.0
    return c + a


@pytest.mark.parametrize("k", [0, 1])
def test_exception_inside_a_callee_caught_part_way(k):
    assert_close(ast_ad.grad(catches_from_a_callee)(0.7, k),
                 fd_grad(catches_from_a_callee, (0.7, k)), 1e-6, 1e-8)
    assert_close(ast_ad.jvp(catches_from_a_callee, (0.7, k), (1.0, None))[1],
                 fd_derivative(lambda x: catches_from_a_callee(x, k), 0.7), 1e-6, 1e-8)


def test_an_escaping_exception_from_a_callee_propagates():
    def escapes(x):
        return risky(x, 1) + x
    with pytest.raises(ValueError, match="k > 0"):
        ast_ad.grad(escapes)(0.7)


# -- with-blocks: a timer and a lock wrap the forward sweep only -------------------------------
class CountingTimer:
    entered = 0

    def __enter__(self):
        CountingTimer.entered += 1
        return self

    def __exit__(self, *exc):
        return False


def timed_block(x):
    with CountingTimer():
        y = np.tanh(x) * x
    return np.sum(y)


def test_the_adjoint_runs_outside_a_timer():
    CountingTimer.entered = 0
    g = ast_ad.grad(timed_block)(X)
    assert CountingTimer.entered == 1  # entered once by the forward sweep, not again
    close(g, fd_grad(timed_block, (X,)))


# -- builtins and idioms not in the corpus ---------------------------------------------------
def dict_update_and_get(x):
    params = {"a": x[0]}
    params.update({"b": x[1] * 2.0})
    params.update(c=x[2])
    scale = params.get("scale", 1.5)
    return scale * (params["a"] * params["b"] + params.get("c", 0.0) ** 2)


def test_dict_update_and_get():
    close(ast_ad.grad(dict_update_and_get)(X), fd_grad(dict_update_and_get, (X,)))
    v = np.array([0.5, 1.0, -1.0])
    close(ast_ad.jvp(dict_update_and_get, (X,), (v,))[1],
          fd_directional(dict_update_and_get, (X,), 0, v))


def test_update_of_something_else_than_a_dict_is_refused():
    def set_update(x):
        s = {"a"}
        s.update({"b": x})  # a set's update: not a dict's
        return x * len(s)
    with pytest.raises(ast_ad.AstAdError, match="update"):
        ast_ad.grad(set_update)(0.5)


def test_a_differentiated_value_in_a_set_is_refused_at_the_users_line():
    def in_a_set(x):
        s = {x, 1.0}  # a set of differentiated values has no order to follow
        return sum(s)
    line = in_a_set.__code__.co_firstlineno + 1
    with pytest.raises(ast_ad.AstAdError) as e:
        ast_ad.grad(in_a_set)(0.3)
    assert e.value.filename == __file__ and e.value.lineno == line


# -- higher order: gradient objects called inside ---------------------------------------------
def _energy(x):
    return np.sum(np.sin(x) * x ** 2)


FORCE = ast_ad.grad(_energy)


def work_of_the_force(x):
    return np.sum(FORCE(x) * x)


def test_a_gradient_object_called_inside():
    """Reverse and forward mode through it (forward over the generated gradient when the
    code runs, ast_ad/grad_calls.py); a third derivative through it is refused at the
    user's line."""
    close(ast_ad.grad(work_of_the_force)(X), fd_grad(work_of_the_force, (X,)))
    v = np.array([1.0, 0.0, -1.0])
    close(ast_ad.jvp(work_of_the_force, (X,), (v,))[1],
          fd_directional(work_of_the_force, (X,), 0, v))
    line = work_of_the_force.__code__.co_firstlineno + 1
    with pytest.raises(ast_ad.UnsupportedConstructError, match="third derivative") as e:
        ast_ad.hessian(work_of_the_force)(X)
    assert e.value.filename == __file__ and e.value.lineno == line


def _two(a, b):
    return np.sum(np.sin(a) * b ** 2)


FORCE_B = ast_ad.grad(_two, 1)


def uses_a_two_argument_gradient(a, b):
    return np.sum(FORCE_B(a, b) * a) + b[0]


def test_a_gradient_object_of_two_arguments_called_inside():
    A, B = np.array([0.3, 0.8]), np.array([1.2, -0.4])
    got = ast_ad.grad(uses_a_two_argument_gradient, (0, 1))(A, B)
    want = fd_grad(uses_a_two_argument_gradient, (A, B), wrt=(0, 1))
    close(got[0], want[0])
    close(got[1], want[1])


# -- lambdas, nested defs and closures handed to helpers ------------------------------------
def apply_twice(f, v):
    return f(f(v))


def lambda_to_a_helper(x):
    return np.sum(apply_twice(lambda v: np.sin(v) * 2.0, x))


def nested_def_to_a_helper(x):
    def step(v):
        return v * v + 1.0
    return np.sum(apply_twice(step, x))


def closure_to_a_helper(x):
    c = x[0]
    return np.sum(apply_twice(lambda v: v * c, x))  # reads x's entry: refused (lost)


@pytest.mark.parametrize("fn", [lambda_to_a_helper, nested_def_to_a_helper])
def test_functions_handed_to_helpers(fn):
    close(ast_ad.grad(fn)(X), fd_grad(fn, (X,)))


def test_a_closure_over_a_differentiated_value_handed_to_a_helper_is_refused():
    with pytest.raises(ast_ad.AstAdError, match="lambda passed to a helper reads c") as e:
        ast_ad.grad(closure_to_a_helper)(X)
    assert e.value.filename == __file__


# -- library callables handed to ast_ad directly ----------------------------------------------
def test_library_callables_handed_to_vjp_and_jvp():
    A = np.arange(6.0).reshape(2, 3)
    ct = np.array([[1.0, -2.0], [0.5, 3.0], [2.0, 1.0]])
    value, back = ast_ad.vjp(np.transpose, A)
    np.testing.assert_array_equal(value, A.T)
    np.testing.assert_allclose(back(ct), ct.T)  # transpose is linear: its vjp transposes
    assert ast_ad.jvp(np.tanh, (0.3,), (1.0,))[1] == pytest.approx(1 - math.tanh(0.3) ** 2)


# -- the user-code line -----------------------------------------------------------------------
def yiq_sum(r):
    return sum(colorsys.rgb_to_yiq(r, 0.2, 0.7))


def test_the_standard_library_is_library_code_until_opted_in():
    line = yiq_sum.__code__.co_firstlineno + 1
    with pytest.raises(ast_ad.NoRuleError, match="rgb_to_yiq") as e:
        ast_ad.grad(yiq_sum)(0.4)
    assert e.value.filename == __file__ and e.value.lineno == line
    before = ast_ad.user_code()
    try:
        ast_ad.user_code(opt_in=["colorsys"])
        assert ast_ad.grad(yiq_sum)(0.4) == pytest.approx(fd_grad(yiq_sum, (0.4,)), rel=1e-6)
    finally:
        from ast_ad.passes.analysis import library

        library.USER_PACKAGES.discard("colorsys")
        assert ast_ad.user_code() == before


def test_the_function_handed_to_ast_ad_is_differentiated_wherever_it_lives():
    value, tan = ast_ad.jvp(colorsys.rgb_to_yiq, (0.4, 0.2, 0.7), (1.0, 0.0, 0.0))
    want = fd_directional(lambda r: np.array(colorsys.rgb_to_yiq(r, 0.2, 0.7)), (0.4,), 0,
                          1.0)
    close(np.array(tan, dtype=float), want)


def uses_the_lib_helper(x):
    return helper_scale(x) * 2.0


def test_opting_a_package_out_makes_its_functions_library_code():
    assert ast_ad.grad(uses_the_lib_helper)(0.4) == pytest.approx(
        fd_grad(uses_the_lib_helper, (0.4,)), rel=1e-6)
    from ast_ad.passes.analysis import library

    pkg = helper_scale.__module__.split(".")[0]
    try:
        ast_ad.user_code(opt_out=[pkg])
        with pytest.raises(ast_ad.NoRuleError) as e:
            ast_ad.grad(uses_the_lib_helper)(0.4)
        assert e.value.filename == __file__
    finally:
        library.LIBRARY_PACKAGES.discard(pkg)
        ast_ad.user_code(opt_in=[])  # (regenerates cached gradients)
    assert ast_ad.grad(uses_the_lib_helper)(0.4) == pytest.approx(
        fd_grad(uses_the_lib_helper, (0.4,)), rel=1e-6)


# -- what stays refused still runs with fallback="tape" --------------------------------------
def with_a_generator(x):
    def squares(v):
        for e in v:
            yield e * e
    return sum(squares(x))


def test_a_refused_construct_runs_with_fallback_tape():
    with pytest.raises(ast_ad.UnsupportedConstructError):
        ast_ad.grad(with_a_generator)(X)
    with pytest.warns(UserWarning, match="tape"):
        g = ast_ad.grad(with_a_generator, fallback="tape")(X)
    close(g, fd_grad(with_a_generator, (X,)))


# -- a hand-written progress bar, **kwargs and keyword-only callees, deep reads ------------
def progress_bar(x):
    total = 0.0
    n = 3
    for i in range(n):
        sys.stdout.write(f"\r{i + 1}/{n} steps\t")  # control characters in an f-string
        sys.stdout.flush()
        total = total + np.sum(np.sin(x * (i + 1)))
    print()
    return total


def kw_callee(x, **kw):
    return x * kw["c"] + kw.get("d", 1.0)


def kwonly_callee(x, *, s=2.0):
    return s * x


def uses_keyword_callees(x):
    return np.sum(kw_callee(x, c=2.0) ** 2) + np.sum(kwonly_callee(x, s=3.0) * x)


@pytest.mark.parametrize("fn", [progress_bar, uses_keyword_callees])
def test_both_modes(fn, capsys):
    close(ast_ad.grad(fn)(X), fd_grad(fn, (X,)))
    v = np.array([1.0, -1.0, 0.5])
    close(ast_ad.jvp(fn, (X,), (v,))[1], fd_directional(fn, (X,), 0, v))
    if fn is progress_bar:
        assert "\r3/3 steps\t" in capsys.readouterr().out


class Layer(NamedTuple):
    W: np.ndarray
    b: float


class Params(NamedTuple):
    layers: list
    scale: float


def deep_reads_of_a_differentiated_object(p, x):
    h = x
    for i in range(len(p.layers)):
        h = np.tanh(p.layers[i].W @ h + p.layers[i].b)
    return p.scale * np.sum(h ** 2) + p.layers[0].W[1, 0]


def test_reads_at_any_depth_of_a_differentiated_namedtuple():
    rng = np.random.default_rng(0)
    p = Params([Layer(rng.normal(size=(2, 2)), 0.1), Layer(rng.normal(size=(2, 2)), -0.2)],
               1.5)
    x = np.array([0.3, -0.4])
    g = ast_ad.grad(deep_reads_of_a_differentiated_object)(p, x)
    assert type(g) is Params and type(g.layers[1]) is Layer

    def of_w(W, b):
        q = Params([p.layers[0], Layer(W, b)], p.scale)
        return deep_reads_of_a_differentiated_object(q, x)
    want = fd_grad(of_w, (p.layers[1].W, -0.2), wrt=(0, 1))
    close(g.layers[1].W, want[0])
    close(g.layers[1].b, want[1])
    close(g.scale, fd_grad(lambda s: deep_reads_of_a_differentiated_object(
        Params(p.layers, s), x), (1.5,)))


# -- functions passed to helpers in forward mode; ast_ad's own API called inside ------------
def make_loss(target):
    def loss(x):
        return np.sum((x - target) ** 2)
    return loss


CLOSURE_LOSS = make_loss(np.array([1.0, 2.0, -0.5]))


def closure_value_to_a_helper(x):
    return apply_twice(lambda v: v * 0.5, x)[0] + apply_once(CLOSURE_LOSS, x)


def apply_once(f, v):
    return f(v) * 2.0


def test_a_closure_handed_to_a_helper_in_both_modes():
    fn = closure_value_to_a_helper
    close(ast_ad.grad(fn)(X), fd_grad(fn, (X,)))
    v = np.array([1.0, 0.5, -1.0])
    close(ast_ad.jvp(fn, (X,), (v,))[1], fd_directional(fn, (X,), 0, v))


HESS = ast_ad.hessian(_energy)


def calls_a_hessian(x):
    return np.sum(HESS(x) @ x)


def calls_jvp(x):
    return ast_ad.jvp(_energy, (x,), (x,))[1]


@pytest.mark.parametrize("fn", [calls_a_hessian, calls_jvp])
def test_ast_ads_api_called_inside_is_refused_at_the_users_line(fn):
    line = fn.__code__.co_firstlineno + 1
    for run in (lambda: ast_ad.grad(fn)(X), lambda: ast_ad.jvp(fn, (X,), (X,))):
        with pytest.raises(ast_ad.UnsupportedConstructError, match="inside a differentiated") as e:
            run()
        assert e.value.filename == __file__ and e.value.lineno == line


def test_an_unresolvable_callable_in_forward_mode_says_so():
    import functools

    def local_partial(x):
        p = functools.partial(apply_once, CLOSURE_LOSS)
        return p(x)
    with pytest.raises(ast_ad.UnsupportedConstructError, match="cannot resolve"):
        ast_ad.jvp(local_partial, (X,), (X,))


# -- the corpus in forward mode; library calls handed a differentiated value ---------------
from .test_real_python import CASES  # noqa: E402

FORWARD = [c for c in CASES if isinstance(c.values[2], int) and not c.values[3]]


@pytest.mark.parametrize("fn,args,wrt,kwargs", FORWARD)
def test_real_python_in_forward_mode(fn, args, wrt, kwargs):
    x = args[wrt]
    v = np.linspace(0.3, -0.7, np.size(x)).reshape(np.shape(x)) if np.ndim(x) else 0.6
    tangents = tuple(v if k == wrt else None for k in range(len(args)))
    value, tan = ast_ad.jvp(fn, args, tangents)
    assert_close(tan, fd_directional(fn, args, wrt, v), 1e-6, 1e-7, fn.__name__)


def shuffled(x):
    y = x * 1.0
    np.random.default_rng(0).shuffle(y)  # a library method writing into y
    return np.sum(y * np.arange(3.0))


def test_a_library_call_writing_into_a_differentiated_value_is_refused_in_both_modes():
    line = shuffled.__code__.co_firstlineno + 2
    for run in (lambda: ast_ad.grad(shuffled)(X), lambda: ast_ad.jvp(shuffled, (X,), (X,))):
        with pytest.raises(ast_ad.UnsupportedConstructError, match="write into") as e:
            run()
        assert e.value.filename == __file__ and e.value.lineno == line


def test_wrt_a_keyword_gathered_by_kwargs_or_keyword_only():
    from .test_real_python import X4, keyword_only
    from .test_real_python import star_kwargs_passed_through as kwf

    g = ast_ad.grad(kwf, (0, "c"))(X4, c=0.5)
    close(g[0], fd_grad(lambda x: kwf(x, c=0.5), (X4,)))
    close(g[1], fd_grad(lambda c: kwf(X4, c=c), (0.5,)))
    close(ast_ad.grad(keyword_only, "scale")(X4, scale=3.0),
          fd_grad(lambda s: keyword_only(X4, scale=s), (3.0,)))


@dataclass
class DLayer:
    W: np.ndarray
    b: float


@dataclass
class DModel:
    layers: list
    scale: float


def dataclass_model_loss(m, x):
    h = x
    for layer in m.layers:
        h = np.tanh(layer.W @ h + layer.b)
    return m.scale * np.sum(h ** 2) + m.layers[0].W[0, 1]


def test_reads_at_any_depth_of_a_differentiated_dataclass_in_both_modes():
    rng = np.random.default_rng(1)
    m = DModel([DLayer(rng.normal(size=(2, 2)), 0.1), DLayer(rng.normal(size=(2, 2)), -0.3)],
               1.2)
    x = np.array([0.2, -0.5])
    g = ast_ad.grad(dataclass_model_loss)(m, x)
    assert type(g) is DModel and type(g.layers[0]) is DLayer

    def of_layer0(W, b):
        return dataclass_model_loss(DModel([DLayer(W, b), m.layers[1]], 1.2), x)
    want = fd_grad(of_layer0, (m.layers[0].W, 0.1), wrt=(0, 1))
    close(g.layers[0].W, want[0])
    close(g.layers[0].b, want[1])
    v = np.array([1.0, -2.0])
    close(ast_ad.jvp(dataclass_model_loss, (m, x), (None, v))[1],
          fd_directional(dataclass_model_loss, (m, x), 1, v))


def lambda_with_a_loop_default(x):
    total = 0.0
    for i in range(3):
        total = total + np.sum(apply_once(lambda v, k=i: v * k, x))  # default read now
    return total


def lambda_in_a_comprehension(x):
    return sum([np.sum(apply_once(lambda v: v * j, x)) for j in range(3)])


@pytest.mark.parametrize("fn", [lambda_with_a_loop_default, lambda_in_a_comprehension])
def test_lambdas_that_cannot_move_stay_refused_at_the_users_line(fn):
    with pytest.raises(ast_ad.UnsupportedConstructError, match="lambda") as e:
        ast_ad.grad(fn)(X)
    assert e.value.filename == __file__


def picks_a_function(x, fn=np.tanh, flip=False):
    if flip:
        fn = np.sin  # the default rebound in the body: never taken as known
    return np.sum(fn(x))


def flips(x):
    return picks_a_function(x, flip=True) + picks_a_function(x)


def flips_passed(x):
    return picks_a_function(x, np.tanh, True) + picks_a_function(x, np.tanh)


@pytest.mark.parametrize("fn", [flips, flips_passed])
def test_a_function_parameter_rebound_in_the_body_is_refused_not_wrong(fn):
    """(It was silently wrong: `fn = np.sin` was taken as an alias bound once, and a
    function passed or left to its default as known, on every call.)"""
    line = picks_a_function.__code__.co_firstlineno + 3
    for run in (lambda: ast_ad.grad(fn)(X), lambda: ast_ad.jvp(fn, (X,), (X,))):
        with pytest.raises(ast_ad.AstAdError, match="resolve") as e:
            run()
        assert e.value.filename == __file__ and e.value.lineno == line
