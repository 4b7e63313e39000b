"""ast_ad.tape: reverse mode by recording, checked in closed form and by finite differences."""

import math
import operator
import time

import numpy as np
import pytest

import ast_ad
from ast_ad import tape
from ast_ad.errors import AstAdError, NonScalarOutputError, NoRuleError
from ast_ad.rules.registry import Registry, default_registry

from ..fd import fd_grad


def check(f, *args, rtol=1e-6, atol=1e-6):
    """tape.grad of f against finite differences, for every argument."""
    g = tape.grad(f, wrt=tuple(range(len(args))))(*args)
    for i, a in enumerate(args):
        want = fd_grad(f, args, i)
        np.testing.assert_allclose(g[i], want, rtol=rtol, atol=atol, err_msg=f"argument {i}")
    return g


# -- scalars ---------------------------------------------------------------------------------
def test_polynomial_closed_form():
    df = tape.grad(lambda x, y: x**2 * y + y + 2, wrt=("x", "y"))
    assert df(3.0, 4.0) == (24.0, 10.0)


def test_gradient_of_each_operator():
    def f(x, y):
        return (x + y) * (x - y) / (y ** 2) + x ** y - (-x) + (+y) + abs(x - 3 * y) + 2 / x - 1 - x
    check(f, 1.3, 0.7)


def test_reflected_operators_with_python_and_numpy_scalars():
    def f(x):
        return 2.0 - x + 3 * x + np.float64(2.0) / x + 2.0 ** x + np.float64(1.5) * x
    check(f, 0.8)


def test_repeated_use_accumulates():
    def f(x):
        y = x * x
        return y * x + y + x + np.sin(x) * x
    x = 0.3
    assert tape.grad(f)(x) == pytest.approx(3 * x**2 + 2 * x + 1 + math.cos(x) * x + math.sin(x))


def test_math_module_and_float_builtin():
    def f(x):
        return math.sin(x) * math.exp(float(x)) + math.sqrt(abs(x)) + max(x, 0.5) + min(x, 2.0)
    g = tape.grad(f)(0.7)
    x = 0.7
    want = math.cos(x) * math.exp(x) + math.sin(x) * math.exp(x) + 0.5 / math.sqrt(x) + 1 + 1
    assert g == pytest.approx(want)


def test_from_imports_bound_at_module_level():
    from math import sin

    from numpy import exp

    def f(x):
        return sin(x) * exp(x)
    want = (math.cos(0.4) + math.sin(0.4)) * math.exp(0.4)
    assert tape.grad(f)(0.4) == pytest.approx(want)


def test_imports_inside_the_function():
    def f(x):
        import math as m

        import numpy
        from numpy import tanh
        return m.cos(x) + numpy.sin(x) + tanh(x)
    x = 0.2
    assert tape.grad(f)(x) == pytest.approx(-math.sin(x) + math.cos(x) + 1 - math.tanh(x) ** 2)


def test_comparisons_and_branches_use_primal_values():
    def f(x):
        if x > 0:
            return x ** 3
        elif x == 0:
            return 5.0
        return -x
    assert tape.grad(f)(2.0) == 12.0
    assert tape.grad(f)(-2.0) == -1.0
    assert tape.grad(f)(0.0) == 0.0


def test_while_loop_and_early_exit():
    def f(x):
        s, n = x, 0
        while s < 100.0:
            s = s * x
            n += 1
            if n > 50:
                break
        return s
    check(f, 1.7, rtol=1e-5)


# -- value_and_grad, wrt, call conventions -------------------------------------------------------
def test_value_and_grad_and_wrt_forms():
    def f(a, b, c=2.0, *, d=3.0):
        return a * b * c * d
    assert tape.value_and_grad(f)(1.0, 2.0) == (12.0, 12.0)
    assert tape.grad(f, wrt="b")(1.0, 2.0) == 6.0
    assert tape.grad(f, wrt=(1, "a"))(1.0, 2.0) == (6.0, 12.0)
    assert tape.grad(f, wrt="c")(1.0, 2.0, d=1.0) == 2.0
    assert tape.grad(f, wrt="d")(1.0, b=2.0, c=1.0) == 2.0
    assert tape.grad(f, wrt=(2,))(1.0, 2.0) == (6.0,)


def test_decorator_forms():
    @tape.grad
    def f(x):
        return x * x

    @tape.grad(wrt="y")
    def g(x, y):
        return x * y

    @tape.value_and_grad(wrt=(0, 1))
    def h(x, y):
        return x * y

    assert f(3.0) == 6.0
    assert g(3.0, 4.0) == 3.0
    assert h(3.0, 4.0) == (12.0, (4.0, 3.0))
    assert f.__name__ == "f" and not hasattr(f, "__wrapped__") and f.fn.__name__ == "f"


def test_bad_wrt_is_an_ast_ad_error():
    with pytest.raises(AstAdError, match="no parameter named"):
        tape.grad(lambda x: x, wrt="y")(1.0)


def test_int_arguments_are_promoted():
    g = tape.grad(lambda x, n: x ** 2 * n, wrt=(0, 1))(3, 2)
    assert g == (12.0, 9.0) and all(type(v) is float for v in g)
    ga = tape.grad(lambda a: np.sum(a * a))(np.arange(3))
    assert ga.dtype == np.float64
    np.testing.assert_array_equal(ga, [0.0, 2.0, 4.0])


def test_gradient_types_follow_arguments():
    assert type(tape.grad(lambda x: x * 2)(1.0)) is float
    assert type(tape.grad(lambda x: x * 2)(np.float64(1.0))) in (float, np.float64)
    g32 = tape.grad(lambda x: x * 2)(np.float32(1.0))
    assert isinstance(g32, np.float32)
    a32 = np.ones(3, dtype=np.float32)
    ga = tape.grad(lambda a: np.sum(np.sin(a) * 2))(a32)
    assert ga.dtype == np.float32 and ga.shape == (3,)
    np.testing.assert_allclose(ga, 2 * np.cos(a32), rtol=1e-6)


def test_gradient_of_unused_argument_is_zero():
    g = tape.grad(lambda x, a: x * 2, wrt=(0, 1))(1.0, np.ones((2, 2)))
    assert g[0] == 2.0
    np.testing.assert_array_equal(g[1], np.zeros((2, 2)))


def test_constant_output_gives_zero_gradient():
    assert tape.grad(lambda x: 3.0)(2.0) == 0.0


def test_containers_of_arrays_as_arguments():
    def f(params, data):
        w, b = params["w"], params["b"]
        return np.sum((data @ w + b) ** 2) + params["scale"][0] * 2

    params = {"w": np.ones(3) * 0.5, "b": 0.1, "scale": (1.5, "name"), "flag": True}
    data = np.arange(6.0).reshape(2, 3)
    g = tape.grad(f)(params, data)
    assert set(g) == set(params)
    r = data @ params["w"] + 0.1
    np.testing.assert_allclose(g["w"], 2 * data.T @ r)
    assert g["b"] == pytest.approx(2 * np.sum(r))
    assert g["scale"] == (2.0, None) and g["flag"] is None
    gl = tape.grad(lambda xs: xs[0] * xs[1])([2.0, np.float32(3.0)])
    assert gl == [3.0, 2.0] and isinstance(gl, list)


# -- arrays --------------------------------------------------------------------------------
def test_array_expressions_and_broadcasting():
    def f(a, b, c):
        return np.sum(np.tanh(a * b + c) ** 2) + np.mean(a @ a.T) + np.sum(a / (1.0 + b ** 2))
    rng = np.random.default_rng(0)
    check(f, rng.normal(size=(3, 4)), rng.normal(size=(4,)), 0.3)


def test_array_methods():
    def f(a):
        t = a.T.reshape(2, 6).transpose()
        return (a.sum(axis=0).dot(a.mean(axis=1)[:3]) + t.ravel().max() + a.min()
                + a.std() + a.var(axis=1).sum() + a.copy().prod() + a.reshape((4, 3)).sum()
                + float(a.shape[0]) + len(a) + a.ndim + a.size * 0)
    rng = np.random.default_rng(1)
    check(f, rng.uniform(0.5, 1.5, size=(4, 3)))


def test_iteration_over_first_axis():
    def f(a):
        s = 0.0
        for row in a:
            for v in row:
                s = s + v * v
        return s
    a = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(tape.grad(f)(a), 2 * a)


def test_numpy_ufunc_and_functions_on_traced_values():
    def f(x, a):
        return (np.sum(np.exp(a) * np.log1p(x)) + np.maximum(x, 0.2) + np.hypot(x, 2.0)
                + np.sum(np.where(a > 0, a, 0.0)) + np.sum(np.concatenate([a, a * x])))
    check(f, 0.7, np.array([-1.0, 0.5, 2.0]))


# -- writes into arrays the function creates ------------------------------------------------------
def test_writes_into_np_zeros():
    def f(x):
        y = np.zeros(3)
        y[0] = x
        y[1] += x * x
        y[2] = y[1] * 3
        y[0] = y[0] * 2      # overwrite: the first write's gradient must be discarded
        return np.sum(y * np.array([1.0, 2.0, 4.0]))
    assert tape.grad(f)(1.5) == pytest.approx(2 + 2 * 2 * 1.5 + 4 * 3 * 2 * 1.5)


def test_slice_writes_and_broadcast_writes():
    def f(a, s):
        y = np.zeros((3, 4))
        y[:, 1:3] = a
        y[0, :] += s
        y[2] = np.sin(a[:, 0]).sum()
        return np.sum(y ** 2)
    rng = np.random.default_rng(2)
    check(f, rng.normal(size=(3, 2)), 0.4)


def test_writes_into_like_arrays_and_copies():
    def f(a):
        y = np.zeros_like(a)
        for i in range(1, len(a)):
            y[i] = y[i - 1] * 0.5 + a[i] ** 2
        z = a.copy()
        z[0] = 10.0
        w = np.ones(3)
        w[1:] = a[:2]
        return np.sum(y) + np.sum(z * a) + np.sum(w * w)
    a0 = np.array([0.5, -1.0, 2.0])
    check(f, a0)
    f(a0)
    np.testing.assert_array_equal(a0, [0.5, -1.0, 2.0])  # the argument is never written


def test_written_array_read_before_write_keeps_old_values():
    def f(x):
        y = np.ones(2)
        y[0] = x
        sq = y * y                # the rule of this product needs y's values now
        y[0] = 100.0 * x          # must not change what the product recorded
        return np.sum(sq) + y[0]
    assert tape.value_and_grad(f)(2.0) == (205.0, 104.0)


def test_recurrence_reading_and_writing_one_array():
    def f(x):
        y = np.zeros(50)
        y[0] = x
        for i in range(1, 50):
            y[i] = y[i - 1] * 0.9 + x
        return y[-1] + np.sum(y[:3])
    check(f, 0.7)


def test_np_array_of_traced_values():
    def f(x, y):
        v = np.array([x, y, 1.0])
        m = np.array([[x, 0.0], [y, x * y]])
        return v @ v + np.sum(m ** 2) + np.asarray(x) * 2
    check(f, 0.3, -1.2)


def test_np_full_and_stack_and_list_arguments():
    def f(x, a):
        return np.sum(np.full(3, x) * a) + np.sum(np.stack([a, a * x])) + np.sum([x, x * 2])
    check(f, 0.5, np.array([1.0, 2.0, 3.0]))


def test_python_lists_and_sum_of_tracers():
    def f(x):
        xs = [x * k for k in range(5)]
        return sum(xs) + sum(v * v for v in xs) + max(xs) + xs[-1]
    check(f, 0.8)


# -- user functions, closures, exec ----------------------------------------------------------
def _helper(x):
    return math.sin(x) * np.exp(x)


def _outer(x):
    return _helper(x) ** 2 + float(x)


def test_nested_user_functions_use_the_stand_ins():
    x = 0.3
    want = 2 * _helper(x) * (math.cos(x) * math.exp(x) + math.sin(x) * math.exp(x)) + 1
    assert tape.grad(_outer)(x) == pytest.approx(want)


def test_closures_and_recursion():
    def make(scale):
        def inner(v):
            return math.sin(v) * scale
        def rec(v, n):
            return inner(v) if n == 0 else rec(v * 1.1, n - 1) + float(v)
        return rec
    rec = make(2.0)
    check(lambda x: rec(x, 3), 0.4)


def test_exec_defined_function_without_source():
    ns = {"math": math, "np": np}
    exec("def f(x):\n    y = np.zeros(2)\n    y[1] = math.cos(x)\n    return y.sum() * x\n", ns)  # noqa: S102
    x = 0.9
    assert tape.grad(ns["f"])(x) == pytest.approx(math.cos(x) - x * math.sin(x))


def test_nested_tape_grad_inside_a_differentiated_function():
    def inner(y):
        return y ** 3

    def f(x):
        # a gradient evaluated at a constant inside another differentiation
        return tape.grad(inner)(2.0) * x + x ** 2
    assert tape.grad(f)(1.5) == pytest.approx(12.0 + 3.0)


def test_second_derivative_by_nesting_tapes():
    d2 = tape.grad(tape.grad(lambda x: np.sin(x) * x ** 3))
    x = 0.7
    want = -np.sin(x) * x**3 + 6 * np.cos(x) * x**2 + 6 * x * np.sin(x)
    assert d2(x) == pytest.approx(want)


def test_higher_derivatives_through_math_rules_and_builtins():
    f = lambda x: math.exp(float(x)) * math.sin(x) + x ** 3 + abs(x) + max(x, 0.2)  # noqa: E731
    x = 0.5
    assert tape.grad(tape.grad(f))(x) == pytest.approx(2 * math.exp(x) * math.cos(x) + 6 * x)
    assert tape.grad(tape.grad(tape.grad(lambda v: v ** 4)))(2.0) == pytest.approx(48.0)


def test_hessian_row_of_an_array_function():
    def row0(a):
        return tape.grad(lambda b: np.sum(np.tanh(b) ** 2))(a)[0]
    b = np.array([0.3, 0.4])
    t = np.tanh(b)
    h = tape.grad(row0)(b)
    np.testing.assert_allclose(h, [2 * (1 - t[0] ** 2) ** 2 - 4 * t[0] ** 2 * (1 - t[0] ** 2), 0])


def test_no_state_leaks_between_calls():
    from ast_ad.tape import core
    g = tape.grad(lambda x: np.sum(np.zeros(2) + x))
    assert g(1.0) == 2.0 and g(3.0) == 2.0
    assert core.current_trace() is None


# -- scale -----------------------------------------------------------------------------------------
def test_hundred_thousand_operation_loop():
    def f(x):
        s = 0.0
        for _ in range(100_000):
            s = s * 0.99999 + x
        return s
    t0 = time.perf_counter()
    g = tape.grad(f)(1.0)
    elapsed = time.perf_counter() - t0
    assert g == pytest.approx((1 - 0.99999 ** 100_000) / (1 - 0.99999), rel=1e-9)
    assert elapsed < 30  # a gross-regression guard, not a benchmark


def test_long_elementwise_write_loop():
    def f(a):
        y = np.zeros_like(a)
        for i in range(len(a)):
            y[i] = a[i] * a[i]
        return np.sum(y)
    a = np.linspace(0, 1, 2000)
    np.testing.assert_allclose(tape.grad(f)(a), 2 * a)


# -- errors --------------------------------------------------------------------------------
def test_non_scalar_output_raises_and_suggests_vjp():
    with pytest.raises(NonScalarOutputError, match="vjp") as info:
        tape.grad(lambda a: a * 2)(np.ones(3))
    assert "shape (3,)" in str(info.value) and "test_tape.py" in str(info.value)
    with pytest.raises(NonScalarOutputError):
        tape.grad(lambda a: a * 2)(np.ones(1))
    with pytest.raises(NonScalarOutputError):
        tape.grad(lambda x: [x, x])(1.0)
    assert tape.grad(lambda a: np.sum(a) * np.ones(()))(np.ones(2)).tolist() == [1.0, 1.0]


def test_unknown_function_raises_no_rule_error_naming_it():
    def f(x):
        return np.i0(x)
    with pytest.raises(NoRuleError, match="numpy.i0") as info:
        tape.grad(f)(0.3)
    assert "test_tape.py" in str(info.value)  # the user's file and line
    assert info.value.lineno is not None


def test_non_differentiable_functions_and_untraced_helpers():
    def mystery(v):
        return v * 2.0

    reg = Registry(parent=default_registry)
    reg.nondifferentiable(mystery)
    # declared non-differentiable: called on primal values, no gradient through it
    assert tape.grad(lambda x: mystery(x) + x, registry=reg)(1.0) == 1.0
    # not declared: a user function is traced through
    assert tape.grad(lambda x: mystery(x) + x)(1.0) == 3.0
    # np.floor is declared non-differentiable in the default registry
    assert tape.grad(lambda x: np.floor(x) * x)(2.5) == 2.0


def test_registered_user_primitive_is_recorded_not_traced_through():
    reg = Registry(parent=default_registry)

    def softplus(x):
        return np.log1p(np.exp(x))

    # a deliberately scaled rule: the tape must use it instead of tracing the body
    reg.defvjp(softplus, lambda g, ans, x: g * 3.0 / (1.0 + np.exp(-x)))
    assert tape.grad(lambda x: softplus(x), registry=reg)(0.5) == pytest.approx(
        3.0 / (1 + math.exp(-0.5)))
    assert tape.grad(lambda x: softplus(x))(0.5) == pytest.approx(1.0 / (1 + math.exp(-0.5)))


def test_lost_gradient_conversions_raise():
    class Model:
        def apply(self, v):  # a method: runs unpatched, with the real math module
            return math.sin(v)

    m = Model()
    with pytest.raises(NoRuleError, match="Python float"):
        tape.grad(lambda x: m.apply(x))(0.5)
    plain = np.zeros(2)
    with pytest.raises(NoRuleError):
        tape.grad(lambda x: plain.__setitem__(0, x) or 0.0)(0.5)
    with pytest.raises(NoRuleError):
        tape.grad(lambda a: np.sum(np.asarray(a) * 1.0) + a.__array__().sum())(np.ones(2))


def test_methods_fall_back_on_numpy_protocols():
    class Model:
        def __init__(self):
            self.w = np.array([1.0, 2.0])

        def apply(self, v):  # unpatched code: ufuncs and numpy functions still record
            return np.sum(np.tanh(v * self.w))

    m = Model()
    g = tape.grad(lambda a: m.apply(a))(np.array([0.1, 0.2]))
    np.testing.assert_allclose(g, m.w * (1 - np.tanh(np.array([0.1, 0.2]) * m.w) ** 2))


# -- vjp -------------------------------------------------------------------------------------------
def test_vjp_of_array_output():
    def f(a, s):
        return np.sin(a) * s
    a = np.array([0.1, 0.2, 0.3])
    value, vjp_fn = tape.vjp(f, a, 2.0, wrt=(0, 1))
    np.testing.assert_allclose(value, np.sin(a) * 2)
    ga, gs = vjp_fn(np.array([1.0, 0.0, 2.0]))
    np.testing.assert_allclose(ga, np.cos(a) * 2 * [1.0, 0.0, 2.0])
    assert gs == pytest.approx(np.sin(0.1) + 2 * np.sin(0.3))
    ga2, _ = vjp_fn(np.ones(3))  # reusable
    np.testing.assert_allclose(ga2, np.cos(a) * 2)


def test_vjp_of_tuple_output_and_scalar_output():
    def f(a):
        return a * 2.0, np.sum(a ** 2)
    a = np.array([1.0, 2.0])
    (v1, v2), vjp_fn = tape.vjp(f, a)
    np.testing.assert_allclose(v1, [2.0, 4.0])
    assert v2 == 5.0
    np.testing.assert_allclose(vjp_fn((np.array([1.0, 1.0]), 0.5)), [2.0 + 1.0, 2.0 + 2.0])
    np.testing.assert_allclose(vjp_fn((np.zeros(2), 1.0)), 2 * a)
    value, vjp_s = tape.vjp(lambda x: x ** 3, 2.0)
    assert value == 8.0 and vjp_s(1.0) == 12.0 and type(vjp_s(1.0)) is float


def test_tuple_outputs_get_one_cotangent_per_element():
    reg = Registry(parent=default_registry)

    def polar(x, y):
        return math.hypot(x, y), math.atan2(y, x)

    def polar_x(g, ans, x, y):
        gr, gt = g
        return gr * x / ans[0] - gt * y / ans[0] ** 2

    def polar_y(g, ans, x, y):
        gr, gt = g
        return gr * y / ans[0] + gt * x / ans[0] ** 2

    reg.defvjp(polar, polar_x, polar_y)

    def f(x, y):
        r, t = polar(x, y)
        return r * 2.0 + t

    def g(x, y):  # only one element used: the other cotangent is zero
        return polar(x, y)[1]

    want = tape.grad(lambda x, y: math.hypot(x, y) * 2.0 + math.atan2(y, x), wrt=(0, 1))(0.6, 0.8)
    got = tape.grad(f, wrt=(0, 1), registry=reg)(0.6, 0.8)
    assert got == pytest.approx(want)
    assert tape.grad(g, wrt=(0, 1), registry=reg)(0.6, 0.8) == pytest.approx((-0.8, 0.6))


def test_operator_module_calls():
    check(lambda x, y: operator.mul(x, y) + operator.neg(x), 0.5, 2.0)


def test_tape_exported():
    assert ast_ad.tape is tape
