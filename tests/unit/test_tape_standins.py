"""ast_ad.tape: stand-ins for numpy/math/builtins, name rebinding, traced arrays."""

import importlib
import math
import sys

import numpy as np
import pytest

from ast_ad import tape
from ast_ad.errors import NoRuleError
from ast_ad.tape import core
from ast_ad.tape.tracer import ArrayTracer, Tracer


def test_user_module_functions_are_patched(tmp_path, monkeypatch):
    (tmp_path / "tape_user_mod.py").write_text(
        "import math\n"
        "import numpy as np\n"
        "def helper(x):\n"
        "    y = np.zeros(2)\n"
        "    y[0] = math.sin(x)\n"
        "    return y.sum()\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    mod = importlib.import_module("tape_user_mod")
    try:
        def f(x):
            return mod.helper(x) * 2.0
        assert tape.grad(f)(0.3) == pytest.approx(2 * math.cos(0.3))
        assert mod.np is np and mod.helper.__globals__["math"] is math  # the module is untouched
    finally:
        sys.modules.pop("tape_user_mod", None)


def test_submodules_and_numpy_constants():
    def f(a):
        return np.linalg.norm(a) * np.pi + np.sum(a[np.newaxis, :] ** 2) * np.e
    a = np.array([3.0, 4.0])
    np.testing.assert_allclose(tape.grad(f)(a), a / 5 * np.pi + 2 * a * np.e)


def test_isinstance_and_builtin_types_see_through_tracers():
    def f(x, a, n):
        assert isinstance(x, float) and not isinstance(x, np.ndarray)
        assert isinstance(x, (int, float)) and isinstance(n, int) and not isinstance(n, float)
        assert isinstance(a, np.ndarray) and isinstance(np.zeros(2), np.ndarray)
        assert issubclass(bool, int) and float("inf") > 1e308 and float.fromhex("0x1p0") == 1.0
        assert float == type(1.0) and int("3") == 3 and complex(1, 2).imag == 2.0  # noqa: E721

        class MyFloat(float):
            pass
        assert type(MyFloat(2.0)) is MyFloat and isinstance(MyFloat(2.0), float)
        y = np.zeros(n, dtype=float) + np.ones(n, dtype=int)
        assert y.dtype == np.float64 and a.astype(float).dtype == np.float64
        return x * np.sum(a) + float(x) * n
    assert tape.grad(f)(2.0, np.ones(3), 2) == 5.0


def test_builtins_on_traced_values():
    def f(x):
        xs = [x, 2 * x, x * x]
        return (abs(-x) + pow(x, 3) + max(xs) + min(x, 1.0) + sum(xs, 1.0) + float(x)
                + int(x) + round(x) + len(xs) + (x % 1.0))
    x = 1.5
    # abs, pow, max(xs) = 2x, min = 1.0 (constant), sum, float, int/round: 0, mod: 1
    want = 1 + 3 * x**2 + 2 + 0 + (1 + 2 + 2 * x) + 1 + 1
    assert tape.grad(f)(x) == pytest.approx(want)


def test_math_functions_with_several_arguments():
    def f(x, y):
        return math.atan2(y, x) + math.hypot(x, y) + math.pow(x, y) + math.log(x, 2.0)
    x, y = 1.3, 0.4
    g = tape.grad(f, wrt=(0, 1))(x, y)
    r = math.hypot(x, y)
    assert g[0] == pytest.approx(-y / r**2 + x / r + y * x ** (y - 1) + 1 / (x * math.log(2.0)))
    assert g[1] == pytest.approx(x / r**2 + y / r + x**y * math.log(x))


def test_traced_keyword_arguments_are_bound_to_positions():
    def f(a, lo):
        return np.sum(np.clip(a, a_min=lo, a_max=2.0))
    g = tape.grad(f, wrt=(0, 1))(np.array([0.0, 1.0, 3.0]), 0.5)
    np.testing.assert_allclose(g[0], [0.0, 1.0, 0.0])
    assert g[1] == 1.0


def test_formatting_and_printing_do_not_record(capsys):
    def f(x):
        print(f"x={x:.2f}", x)
        return x * 2
    assert tape.grad(f)(0.5) == 2.0
    assert "x=0.50 Traced(0.5)" in capsys.readouterr().out


def test_traced_arrays_created_by_stand_ins():
    seen = {}

    def f(x):
        y = np.zeros(3)
        z = np.array([1.0, 2.0])
        seen["types"] = (type(y), type(z), type(x))
        y[1] = x
        return np.sum(y) + np.sum(z)
    assert tape.grad(f)(1.0) == 1.0
    assert seen["types"] == (ArrayTracer, ArrayTracer, Tracer)
    assert np.zeros(3).__class__ is np.ndarray  # the real numpy is untouched


def test_numpy_protocols_outside_stand_ins():
    class Model:  # methods run unpatched: dispatch protocols record what they can
        def __init__(self):
            self.w = np.array([1.0, -2.0])

        def score(self, a):
            return np.dot(self.w, np.exp(a)) + (self.w * a).sum()

        def bad_list(self, a):
            return np.array([a[0], a[1]]).sum()

        def bad_store(self, a):
            out = np.zeros(2)
            out[:] = a
            return out.sum()

        def bad_rule(self, a):
            return np.sum(np.i0(a))

    m = Model()
    a = np.array([0.1, 0.2])
    np.testing.assert_allclose(tape.grad(m.score)(a), m.w * np.exp(a) + m.w)
    # called from the differentiated function, methods of objects run unpatched
    with pytest.raises(NoRuleError, match="lose its gradient"):
        tape.grad(lambda v: m.bad_list(v))(a)
    with pytest.raises(NoRuleError, match="lose its gradient"):
        tape.grad(lambda v: m.bad_store(v))(a)
    with pytest.raises(NoRuleError, match="numpy.i0"):
        tape.grad(lambda v: m.bad_rule(v))(a)
    # differentiated directly, a bound method is patched like a function
    assert tape.grad(m.bad_list)(a).tolist() == [1.0, 1.0]
    assert tape.grad(m.bad_store)(a).tolist() == [1.0, 1.0]


def test_ufunc_out_and_at_are_refused():
    def f(a):
        y = np.zeros(2)
        np.add.at(y, [0, 0], a)
        return np.sum(y)
    with pytest.raises(NoRuleError, match="in-place"):
        tape.grad(f)(np.ones(2))

    def g(a):
        y = np.zeros(2)
        np.multiply(a, 2.0, out=y)
        return np.sum(y)
    with pytest.raises(NoRuleError):
        tape.grad(g)(np.ones(2))


def test_callable_object_and_partial():
    import functools

    class Poly:
        def __init__(self, c):
            self.c = c

        def __call__(self, x):
            return self.c * math.sin(x)

    def h(x, k):
        return math.exp(k * x)

    assert tape.grad(Poly(3.0))(0.2) == pytest.approx(3 * math.cos(0.2))
    part = functools.partial(h, k=2.0)
    assert tape.grad(lambda x: part(x))(0.1) == pytest.approx(2 * math.exp(0.2))


def test_outer_tracers_pass_through_inner_gradients():
    def inner(y, x):
        return y * x ** 2

    def f(x):
        # d/dx of [d/dy (y * x^2)] = 2x
        return tape.grad(inner)(1.0, x)
    assert tape.grad(f)(3.0) == pytest.approx(6.0)


def test_re_entrant_and_clean_after_errors():
    def boom(x):
        raise RuntimeError("user error")
    with pytest.raises(RuntimeError):
        tape.grad(boom)(1.0)
    assert core.current_trace() is None
    assert tape.grad(lambda x: x * 3)(1.0) == 3.0


def test_generators_and_comprehensions():
    def f(a):
        squares = [v * v for v in a]
        total = sum(s for s in squares)
        return total + np.sum(np.array([v for v in a if v > 0]))
    a = np.array([1.0, -2.0, 3.0])
    np.testing.assert_allclose(tape.grad(f)(a), 2 * a + (a > 0))


def test_setitem_rejects_scalars_and_keeps_numpy_errors():
    def f(x):
        x[0] = 1.0
        return x
    with pytest.raises(TypeError):
        tape.grad(f)(1.0)

    def g(a):
        y = np.zeros(2)
        y[:] = np.ones(3) * a[0]
        return y.sum()
    with pytest.raises(ValueError):
        tape.grad(g)(np.ones(2))


def test_astype_and_dtypes():
    def f(a):
        b = a.astype(np.float32)
        return np.sum(b * b).astype(np.float64) * 1.0
    a = np.array([1.0, 2.0])
    g = tape.grad(f)(a)
    assert g.dtype == np.float64
    np.testing.assert_allclose(g, 2 * a)

    def h(a32):
        y = np.zeros_like(a32)
        y[0] = a32[1] * 2
        return np.sum(y * a32)
    a32 = np.array([1.0, 2.0], dtype=np.float32)
    g32 = tape.grad(h)(a32)
    assert g32.dtype == np.float32
    np.testing.assert_allclose(g32, [4.0, 2.0])


def test_globals_are_looked_up_per_call():
    global _SCALE
    _SCALE = 2.0
    g = tape.grad(_scaled)
    assert g(1.0) == 2.0
    _SCALE = 5.0
    assert g(1.0) == 5.0


_SCALE = 1.0


def _scaled(x):
    return _SCALE * x


def _act_sin(v):
    return math.sin(v)


ACTIVATIONS = {"sin": _act_sin, "cos": lambda v: math.cos(float(v))}
LAYERS = (_act_sin, np.tanh)


def test_functions_in_global_and_closure_containers_are_patched():
    def f(x):
        return ACTIVATIONS["sin"](x) + ACTIVATIONS["cos"](x) + LAYERS[0](x) + LAYERS[1](x)
    x = 0.3
    want = 2 * math.cos(x) - math.sin(x) + 1 - math.tanh(x) ** 2
    assert tape.grad(f)(x) == pytest.approx(want)

    def make():
        table = [lambda v: math.exp(v), _act_sin]
        return lambda v: table[0](v) * table[1](v)
    g = make()
    assert tape.grad(g)(x) == pytest.approx(math.exp(x) * (math.sin(x) + math.cos(x)))
    assert ACTIVATIONS["sin"] is _act_sin  # the module's own objects are untouched


def test_traced_floats_keep_float_attributes():
    def f(x, a):
        assert not hasattr(x, "shape") and not hasattr(x, "dtype")
        assert hasattr(a, "shape") and a.shape == (2,) and a.dtype == np.float64
        assert not x.is_integer() and x.real is x and x.conjugate() is x
        with pytest.raises(AttributeError):
            x.sum()
        return x * a.sum() + a.T.sum()
    g = tape.grad(f, wrt=(0, 1))(0.5, np.ones(2))
    assert g[0] == 2.0 and g[1].tolist() == [1.5, 1.5]


def test_stop_gradient_through_the_package_and_imported_name():
    import ast_ad
    from ast_ad import stop_gradient

    def f(x, y):
        c = ast_ad.stop_gradient(x * y)
        return c * x + y * stop_gradient(x)
    assert tape.grad(f, wrt=(0, 1))(0.6, 1.4) == pytest.approx((0.6 * 1.4, 0.6))


def test_numpy_scalar_types_cast_and_still_check():
    from numpy import float32

    def f(x, a):
        assert isinstance(np.float32(1.0), np.float32) and isinstance(np.float64(1.0), float)
        assert np.zeros(2, dtype=np.float32).dtype == np.float32 and isinstance(x, np.floating)
        y = np.float32(x) * 2 + np.float64(x) + float32(x)
        return np.sum(np.float32(a)) + y
    g = tape.grad(f, wrt=(0, 1))(np.float64(0.5), np.ones(2))
    assert g[0] == 4.0 and g[1].tolist() == [1.0, 1.0]
