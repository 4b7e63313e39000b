"""Chosen semantics (ties, zeros, kinks), dtypes (float32 stays float32) and the helpers'
own behaviour (accumulating indices, scalar results, fast paths)."""

import builtins
import operator

import numpy as np
import pytest

from ast_ad import default_registry
from ast_ad.rules import helpers as H


def vjp(fn, k, g, *args, **kwargs):
    ans = fn(*args, **kwargs)
    return default_registry.vjp(fn).rules[k](g, ans, *args, **kwargs)


def jvp(fn, k, t, *args, **kwargs):
    ans = fn(*args, **kwargs)
    return default_registry.jvp(fn).rules[k](t, ans, *args, **kwargs)


# -- float32 in, float32 out ----------------------------------------------------------------
rng = np.random.default_rng(7)


def f32(*shape, lo=0.5, hi=1.5):
    return rng.uniform(lo, hi, size=shape).astype(np.float32)


F32_CASES = [
    (np.sin, (f32(3),), {}), (np.tanh, (f32(2, 3),), {}), (np.exp, (f32(3),), {}),
    (np.log, (f32(3),), {}), (np.sqrt, (f32(3),), {}), (np.exp2, (f32(3),), {}),
    (np.log2, (f32(3),), {}), (np.arctanh, (f32(3, lo=-0.5, hi=0.5),), {}),
    (np.multiply, (f32(3, 4), f32(4)), {}), (np.add, (f32(3, 1), f32(1, 4)), {}),
    (np.divide, (f32(3, 4), f32(4)), {}), (np.power, (f32(3), 2.0), {}),
    (np.power, (f32(3), f32(3)), {}), (np.maximum, (f32(3, 4), f32(4)), {}),
    (np.where, (f32(3) > 1, f32(3), f32(3)), {}), (np.clip, (f32(3, 4), 0.8, 1.2), {}),
    (np.logaddexp, (f32(3), f32(3)), {}), (np.hypot, (f32(3), f32(3)), {}),
    (np.sum, (f32(3, 4),), {}), (np.sum, (f32(3, 4),), {"axis": 0}),
    (np.mean, (f32(3, 4),), {"axis": 1}), (np.max, (f32(3, 4),), {"axis": -1}),
    (np.prod, (f32(3, 4),), {"axis": 0}), (np.var, (f32(3, 4),), {"ddof": 1}),
    (np.std, (f32(3, 4),), {"axis": 1}), (np.cumsum, (f32(3, 4),), {"axis": 1}),
    (np.linalg.norm, (f32(5),), {}), (np.linalg.norm, (f32(3, 4),), {"axis": 1, "ord": 1}),
    (np.matmul, (f32(2, 3, 4), f32(4, 5)), {}), (np.dot, (f32(3, 4), f32(4)), {}),
    (np.outer, (f32(3), f32(4)), {}), (np.trace, (f32(3, 3),), {}),
    (np.reshape, (f32(3, 4), (2, 6)), {}), (np.transpose, (f32(3, 4),), {}),
    (np.concatenate, ([f32(2, 3), f32(1, 3)],), {}), (np.stack, ([f32(3), f32(3)],), {}),
    (np.broadcast_to, (f32(4), (3, 4)), {}), (np.squeeze, (f32(3, 1),), {}),
    (operator.getitem, (f32(5), [0, 2, 2]), {}), (operator.getitem, (f32(3, 4), 1), {}),
    (operator.mul, (f32(3), 2.0), {}), (operator.truediv, (1.0, f32(3)), {}),
    (operator.pow, (f32(3), 3), {}), (H.xlogy, (f32(3), f32(3)), {}),
    (H.astype, (f32(3), np.float64), {}),
]


@pytest.mark.parametrize("fn,args,kwargs", F32_CASES,
                         ids=[f"{getattr(c[0], '__name__', c[0])}-{i}"
                              for i, c in enumerate(F32_CASES)])
def test_float32_rules_keep_float32(fn, args, kwargs):
    ans = fn(*args, **kwargs)
    for kind in ("vjp", "jvp"):
        rules = getattr(default_registry, kind)(fn).rules
        for k, rule in enumerate(rules):
            x = args[k] if k < len(args) else None
            if rule is None or not isinstance(x, (np.ndarray, list)):
                continue
            if kind == "vjp":
                g = np.ones_like(ans) if np.ndim(ans) else np.float32(1.0)
                out = rule(g, ans, *args, **kwargs)
            else:
                t = [np.ones_like(e) for e in x] if isinstance(x, list) else np.ones_like(x)
                out = rule(t, ans, *args, **kwargs)
            want = np.float32 if kind == "vjp" else np.result_type(ans)  # astype: float64
            for o in out if isinstance(out, list) else [out]:
                assert np.result_type(o) == want, (kind, k, np.result_type(o))


def test_python_float_cotangent_of_a_float32_sum_stays_float32():
    x = f32(3, 4)
    assert vjp(np.sum, 0, 1.0, x).dtype == np.float32
    assert vjp(np.mean, 0, 1.0, x).dtype == np.float32
    assert H.broadcast_like(1.0, x).dtype == np.float32


# -- scalars -----------------------------------------------------------------------------------
def test_math_rules_give_python_floats():
    import math

    for fn, args in [(math.sin, (0.3,)), (math.log, (2.0, 3.0)), (math.atan2, (0.3, 0.4)),
                     (math.pow, (1.5, 2.5)), (math.sqrt, (2.0,))]:
        for k in range(len(args)):
            assert type(vjp(fn, k, 1.0, *args)) is float
            assert type(jvp(fn, k, 1.0, *args)) is float


def test_unbroadcast_to_a_python_scalar_is_a_scalar_and_fast_path_is_identity():
    g = np.arange(6.0).reshape(2, 3)
    r = H.unbroadcast(g, 2.0)
    assert np.ndim(r) == 0 and r == 15.0
    assert H.unbroadcast(g, np.ones((2, 3))) is g
    assert H.unbroadcast(0.5, 2.0) == 0.5
    np.testing.assert_array_equal(H.unbroadcast(g, np.ones((2, 1))), [[3.0], [12.0]])
    np.testing.assert_array_equal(H.unbroadcast(g, np.ones(3)), [3.0, 5.0, 7.0])
    assert H.unbroadcast(g.astype(np.float32), np.ones(3, np.float32)).dtype == np.float32


def test_operators_on_python_floats():
    assert vjp(operator.mul, 0, 2.0, 3.0, 4.0) == 8.0
    assert vjp(operator.truediv, 1, 1.0, 3.0, 2.0) == -0.75
    assert vjp(operator.pow, 0, 1.0, 3.0, 2) == 6.0


# -- ties, kinks and zeros ---------------------------------------------------------------------
def test_maximum_and_minimum_split_ties_evenly():
    x = np.array([1.0, 2.0, 3.0])
    y = np.array([1.0, 3.0, 2.0])
    for fn in (np.maximum, np.minimum, np.fmax, np.fmin):
        gx, gy = vjp(fn, 0, np.ones(3), x, y), vjp(fn, 1, np.ones(3), x, y)
        assert gx[0] == gy[0] == 0.5
        np.testing.assert_array_equal(gx + gy, np.ones(3))
        tx = jvp(fn, 0, np.ones(3), x, y)
        assert tx[0] == 0.5
    assert vjp(np.maximum, 0, np.ones(3), x, y)[1:].tolist() == [0.0, 1.0]


def test_builtin_max_min_of_two_values():
    assert vjp(builtins.max, 0, 1.0, 2.0, 1.0) == 1.0
    assert vjp(builtins.max, 1, 1.0, 2.0, 1.0) == 0.0
    assert vjp(builtins.min, 1, 1.0, 2.0, 1.0) == 1.0
    assert vjp(builtins.max, 0, 1.0, 2.0, 2.0) == vjp(builtins.max, 1, 1.0, 2.0, 2.0) == 0.5


def test_max_reduction_shares_ties():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 0.0, 1.0]])
    np.testing.assert_array_equal(vjp(np.max, 0, np.ones(2), x, axis=1),
                                  [[0.0, 0.5, 0.5], [1.0, 0.0, 0.0]])
    np.testing.assert_array_equal(vjp(np.min, 0, 1.0, x), [[0, 0, 0], [0, 1, 0]])


def test_abs_has_zero_derivative_at_zero():
    x = np.array([-2.0, 0.0, 3.0])
    np.testing.assert_array_equal(vjp(np.abs, 0, np.ones(3), x), [-1.0, 0.0, 1.0])
    assert vjp(builtins.abs, 0, 1.0, 0.0) == 0.0


def test_prod_with_zeros_is_exact():
    x = np.array([[2.0, 0.0, 3.0], [0.0, 0.0, 5.0], [1.0, 2.0, 4.0]])
    g = vjp(np.prod, 0, np.ones(3), x, axis=1)
    np.testing.assert_array_equal(g, [[0.0, 6.0, 0.0], [0.0, 0.0, 0.0], [8.0, 4.0, 2.0]])
    np.testing.assert_array_equal(vjp(np.prod, 0, 1.0, np.array([0.0, 2.0, 3.0])),
                                  [6.0, 0.0, 0.0])


def test_power_with_zero_base_and_active_exponent_is_zero_not_nan():
    assert vjp(operator.pow, 1, 1.0, 0.0, 2.5) == 0.0
    r = vjp(np.power, 1, np.ones(3), np.array([0.0, 1.0, 2.0]), 2.0)
    assert np.isfinite(r) and np.isclose(r, 4 * np.log(2.0))
    assert H.xlogy(0.0, 0.0) == 0.0


def test_clip_passes_gradient_inside_and_at_the_bounds():
    x = np.array([-2.0, -1.0, 0.0, 1.0, 2.0])
    np.testing.assert_array_equal(vjp(np.clip, 0, np.ones(5), x, -1.0, 1.0), [0, 1, 1, 1, 0])
    assert vjp(np.clip, 1, np.ones(5), x, -1.0, 1.0) == 1.0
    assert vjp(np.clip, 2, np.ones(5), x, -1.0, 1.0) == 1.0


# -- indexing ----------------------------------------------------------------------------------
def test_unindex_accumulates_repeated_indices():
    x = np.zeros(4)
    np.testing.assert_array_equal(vjp(operator.getitem, 0, np.ones(3), x, [0, 2, 2]),
                                  [1.0, 0.0, 2.0, 0.0])
    np.testing.assert_array_equal(H.unindex(np.ones(2), np.zeros((2, 2)),
                                            (np.array([1, 1]), np.array([0, 0]))),
                                  [[0.0, 0.0], [2.0, 0.0]])
    m = np.array([True, False, True, False])
    np.testing.assert_array_equal(H.unindex(np.array([5.0, 6.0]), x, m), [5.0, 0, 6.0, 0])
    np.testing.assert_array_equal(H.unindex(1.0, x, -1), [0, 0, 0, 1.0])
    np.testing.assert_array_equal(H.unindex(np.ones((1, 4)), x, None), np.ones(4))


def test_unindex_of_lists_and_tuples():
    assert H.unindex(2.0, [1.0, 2.0, 3.0], 1) == [0.0, 2.0, 0.0]
    r = H.unindex(np.ones(2), (1.0, np.zeros(2)), 1)
    assert isinstance(r, tuple) and r[0] == 0.0 and r[1].tolist() == [1.0, 1.0]
    assert H.unindex([5.0, 6.0], [1.0, 2.0, 3.0], slice(None, None, -2)) == [6.0, 0.0, 5.0]
    assert H.unindex(3.0, {"a": 1.0, "b": 2.0}, "b") == {"a": 0.0, "b": 3.0}


def test_unindex_keeps_float32_and_makes_floats_for_int_arrays():
    assert H.unindex(np.float32(1.0), np.zeros(3, np.float32), 1).dtype == np.float32
    assert H.unindex(1.0, np.zeros(3, int), 1).dtype == np.float64


# -- helpers -----------------------------------------------------------------------------------
def test_method_forms():
    x = np.arange(24.0).reshape(2, 3, 4)
    assert H.method_reshape(x, 4, 6).shape == H.method_reshape(x, (4, 6)).shape == (4, 6)
    assert H.method_transpose(x).shape == (4, 3, 2)
    assert H.method_transpose(x, 1, 2, 0).shape == H.method_transpose(x, (1, 2, 0)).shape
    assert H.invert_axes((1, 2, 0), 3) == (2, 0, 1)
    assert H.invert_axes((), 3) is None
    assert H.copy([1.0]) == [1.0] and H.copy(x) is not x
    assert H.astype(1.5, np.float32).dtype == np.float32


def test_norm_rejects_unsupported_orders():
    # every vector and matrix ord has a rule now; ord=0 (a count) and unknown ords are refused
    with pytest.raises(NotImplementedError):
        vjp(np.linalg.norm, 0, 1.0, np.ones(3), 0)
    with pytest.raises(NotImplementedError):
        H.norm_dir(np.ones(3), 1.0, "bogus")


def test_split_and_concat_like_are_inverse():
    parts = [np.ones((2, 3)), 2 * np.ones((1, 3))]
    whole = H.concat_like(parts, parts, np.empty((3, 3)), 0)
    back = H.split_like(whole, parts, 0)
    assert all(np.array_equal(a, b) for a, b in zip(parts, back))
    # zero entries (None / 0.0) of a cotangent list stand for zeros of the part's shape
    z = H.concat_like([None, np.ones((1, 3))], parts, np.empty((3, 3)), 0)
    np.testing.assert_array_equal(z, [[0, 0, 0], [0, 0, 0], [1, 1, 1]])
    s = H.stack_like([0.0, np.ones(2)], np.empty((2, 2)), 1)
    np.testing.assert_array_equal(s, [[0, 1], [0, 1]])
    assert H.sum_like([None, np.ones(2), 0.0], np.empty((3, 2))).shape == (3, 2)


def test_check_unpack_and_as_sequence():
    H.check_unpack([1, 2], 2)
    with pytest.raises(ValueError):
        H.check_unpack([1, 2, 3], 2)
    assert H.as_sequence(x for x in (1, 2)) == [1, 2]
