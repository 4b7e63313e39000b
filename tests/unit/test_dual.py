"""ast_ad.dual: dual numbers against closed-form derivatives."""

import math
from math import exp, sin

import numpy as np
import pytest

from ast_ad.dual import Dual, derivative, value_and_derivative

X = 0.7


def approx(v):
    return pytest.approx(v, rel=1e-12, abs=1e-14)


# -- arithmetic -----------------------------------------------------------------------------
ARITH = [
    ("x + 2", lambda x: x + 2, lambda x: 1.0),
    ("2 + x", lambda x: 2 + x, lambda x: 1.0),
    ("x - 3.5", lambda x: x - 3.5, lambda x: 1.0),
    ("3.5 - x", lambda x: 3.5 - x, lambda x: -1.0),
    ("x * x", lambda x: x * x, lambda x: 2 * x),
    ("4 * x", lambda x: 4 * x, lambda x: 4.0),
    ("x / 3", lambda x: x / 3, lambda x: 1 / 3),
    ("3 / x", lambda x: 3 / x, lambda x: -3 / x**2),
    ("x / (1 + x)", lambda x: x / (1 + x), lambda x: 1 / (1 + x) ** 2),
    ("x ** 3", lambda x: x**3, lambda x: 3 * x**2),
    ("x ** 0.5", lambda x: x**0.5, lambda x: 0.5 * x**-0.5),
    ("x ** 0", lambda x: x**0, lambda x: 0.0),
    ("2 ** x", lambda x: 2**x, lambda x: 2**x * math.log(2)),
    ("x ** x", lambda x: x**x, lambda x: x**x * (math.log(x) + 1)),
    ("-x", lambda x: -x, lambda x: -1.0),
    ("+x", lambda x: +x, lambda x: 1.0),
    ("abs(-x)", lambda x: abs(-x), lambda x: 1.0),
    ("x % 0.5", lambda x: x % 0.5, lambda x: 1.0),
    ("x // 0.5", lambda x: x // 0.5, lambda x: 0.0),
    ("pow(x, 2)", lambda x: pow(x, 2), lambda x: 2 * x),
    ("max(x, 1 - x)", lambda x: max(x, 1 - x), lambda x: 1.0),
    ("min(x, 1 - x)", lambda x: min(x, 1 - x), lambda x: -1.0),
]


@pytest.mark.parametrize("name,f,df", ARITH, ids=[a[0] for a in ARITH])
def test_arithmetic(name, f, df):
    assert derivative(f)(X) == approx(df(X))
    assert f(Dual(X, 1.0)).primal == approx(f(X))


def test_comparisons_and_conversions_use_the_value():
    d = Dual(2.0, 5.0)
    assert d > 1 and d >= 2 and d < 3 and d <= 2 and d == 2.0 and d != 3
    assert Dual(1.0, 0.0) < d and bool(d) and not bool(Dual(0.0, 1.0))
    assert int(d) == 2 and round(Dual(2.6, 1.0)) == 3 and math.floor(d) == 2
    assert hash(d) == hash(2.0)


def test_float_outside_derivative_refuses_to_drop_the_derivative():
    with pytest.raises(TypeError, match="drop its derivative"):
        float(Dual(1.0, 2.0))
    with pytest.raises(TypeError):
        math.sin(Dual(1.0, 2.0))  # the real math module: use derivative(f)


# -- math --------------------------------------------------------------------------------
MATH = [
    ("sin", math.cos),
    ("cos", lambda x: -math.sin(x)),
    ("tan", lambda x: 1 / math.cos(x) ** 2),
    ("exp", math.exp),
    ("log", lambda x: 1 / x),
    ("log2", lambda x: 1 / (x * math.log(2))),
    ("log10", lambda x: 1 / (x * math.log(10))),
    ("log1p", lambda x: 1 / (1 + x)),
    ("expm1", math.exp),
    ("sqrt", lambda x: 0.5 / math.sqrt(x)),
    ("tanh", lambda x: 1 / math.cosh(x) ** 2),
    ("sinh", math.cosh),
    ("cosh", math.sinh),
    ("atan", lambda x: 1 / (1 + x * x)),
    ("asin", lambda x: 1 / math.sqrt(1 - x * x)),
    ("acos", lambda x: -1 / math.sqrt(1 - x * x)),
    ("asinh", lambda x: 1 / math.sqrt(x * x + 1)),
    ("atanh", lambda x: 1 / (1 - x * x)),
    ("fabs", lambda x: 1.0),
    ("erf", lambda x: 2 / math.sqrt(math.pi) * math.exp(-x * x)),
]


@pytest.mark.parametrize("name,df", MATH, ids=[m[0] for m in MATH])
def test_math_functions(name, df):
    fn = getattr(math, name)

    def f(x):
        return fn(x)

    value, d = value_and_derivative(f)(X)
    assert value == approx(fn(X))
    assert d == approx(df(X))


def test_two_argument_math_functions():
    def f(x, y):
        return math.atan2(y, x) + math.hypot(x, y) + math.log(x, 2) + math.pow(x, y)

    dx, dy = derivative(f, wrt=("x", "y"))(1.5, 2.0)
    assert dx == approx(-2.0 / 6.25 + 1.5 / 2.5 + 1 / (1.5 * math.log(2)) + 2.0 * 1.5)
    assert dy == approx(1.5 / 6.25 + 2.0 / 2.5 + 1.5**2 * math.log(1.5))


def test_names_imported_from_math_and_float_inside_f():
    def f(x):
        return sin(x) * exp(x) + float(x) ** 2

    assert derivative(f)(X) == approx(math.cos(X) * math.exp(X) + math.sin(X) * math.exp(X) + 2 * X)


def _helper(x):
    return math.log(x) * x


def test_helpers_and_branches_are_followed():
    def f(x):
        if x > 1.0:
            return x
        return _helper(x) + math.cos(x)

    assert derivative(f)(X) == approx(math.log(X) + 1 - math.sin(X))
    assert derivative(f)(2.0) == 1.0


def test_math_function_without_dual_formula():
    def f(x):
        return math.gamma(x)

    with pytest.raises(TypeError, match="math.gamma"):
        derivative(f)(2.0)


# -- numpy ---------------------------------------------------------------------------------
NUMPY = [
    (np.sin, np.cos),
    (np.cos, lambda x: -np.sin(x)),
    (np.exp, np.exp),
    (np.log, lambda x: 1 / x),
    (np.sqrt, lambda x: 0.5 / np.sqrt(x)),
    (np.tanh, lambda x: 1 - np.tanh(x) ** 2),
    (np.arctan, lambda x: 1 / (1 + x * x)),
    (np.arcsin, lambda x: 1 / np.sqrt(1 - x * x)),
    (np.abs, np.sign),
    (np.square, lambda x: 2 * x),
    (np.reciprocal, lambda x: -1 / x**2),
    (np.expm1, np.exp),
    (np.log1p, lambda x: 1 / (1 + x)),
    (np.cbrt, lambda x: x ** (-2 / 3) / 3),
]


@pytest.mark.parametrize("fn,df", NUMPY, ids=[f.__name__ for f, _ in NUMPY])
def test_numpy_ufuncs_on_duals(fn, df):
    out = fn(Dual(X, 1.0))
    assert type(out) is Dual
    assert out.primal == approx(fn(X)) and out.tangent == approx(df(X))


def test_numpy_binary_ufuncs_and_scalars():
    x, y = Dual(X, 1.0), Dual(2.0, 0.0)
    assert np.multiply(x, y).tangent == 2.0
    assert (np.float64(3.0) * x).tangent == 3.0
    assert (x + np.float64(1.0)).primal == approx(X + 1)
    assert np.power(x, 2.0).tangent == approx(2 * X)
    assert np.arctan2(y, x).tangent == approx(-2.0 / (X * X + 4.0))
    assert np.maximum(x, 0.5) is x and np.minimum(x, 0.5) == 0.5
    assert np.sign(x) == 1.0 and np.isfinite(x)


def test_numpy_scalar_dtype_is_kept():
    out = np.sin(Dual(np.float32(X), np.float32(1.0)))
    assert out.primal.dtype == np.float32 and out.tangent.dtype == np.float32


def test_derivative_of_a_function_using_numpy_on_scalars():
    def f(x):
        return np.sin(x) * np.exp(x) + np.sum(np.array([x, 2 * x]))

    assert derivative(f)(X) == approx(np.cos(X) * np.exp(X) + np.sin(X) * np.exp(X) + 3)


def test_numpy_arrays_of_duals_are_out_of_scope():
    with pytest.raises(TypeError):
        np.sin(np.array([1.0, 2.0])) + Dual(1.0, 1.0) * np.ones(2)


# -- derivative() --------------------------------------------------------------------------
def test_wrt_by_index_name_and_tuple():
    def f(a, b, c=2.0):
        return a * b**2 + c

    assert derivative(f, wrt=1)(3.0, 2.0) == 12.0
    assert derivative(f, wrt="a")(3.0, 2.0) == 4.0
    assert derivative(f, wrt=("a", "b", "c"))(3.0, 2.0) == (4.0, 12.0, 1.0)


def test_constant_and_structured_outputs():
    assert derivative(lambda x: 3.0)(1.0) == 0.0
    assert derivative(lambda x: (x * x, 2.0, x))(3.0) == (6.0, 0.0, 1.0)


def test_int_inputs_and_python_float_results():
    d = derivative(lambda x: x**2)(3)
    assert d == 6.0 and type(d) is float


def test_second_derivative_by_nesting():
    def f(x):
        return math.sin(x) * x**3

    d2 = derivative(derivative(f))(X)
    assert d2 == approx(-math.sin(X) * X**3 + 6 * math.cos(X) * X**2 + 6 * X * math.sin(X))


def test_non_scalar_input_is_refused():
    from ast_ad.errors import AstAdError

    with pytest.raises(AstAdError, match="scalars"):
        derivative(lambda x: x)(np.ones(3))
