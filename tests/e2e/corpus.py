"""End-to-end corpus: plain Python/NumPy functions, each with its inputs declared beside it.

Every entry is a ``Case(fn, args, wrt)``; ``test_corpus.py`` checks ``ast_ad.grad`` against
central finite differences (and against ``ast_ad.tape`` when it is available).  Inputs
are chosen in safe domains (no kinks, no branch switches within the FD step).

``xfail`` holds the reason of a known ast_ad bug: the tests of the case are then marked
``xfail(strict=True)`` — they must keep failing until the bug is fixed.  A dict
``{check: reason}`` marks only some checks: ``"fd"`` (gradient vs finite differences),
``"kinds"`` (gradient types), ``"value"`` (value_and_grad), ``"tape"`` (vs ast_ad.tape).

``expected`` (optional) gives the exact gradient(s) as a function of the inputs, for
functions finite differences cannot check (``stop_gradient``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

import ast_ad


@dataclass
class Case:
    fn: object
    args: tuple
    wrt: object = 0
    xfail: str | dict | None = None
    expected: object = None

    def reason(self, check):
        if isinstance(self.xfail, dict):
            return self.xfail.get(check)
        return self.xfail

    @property
    def id(self):
        return self.fn.__name__ + ("" if self.wrt == 0 else f"-wrt{self.wrt}")


_rng = np.random.default_rng(1234)


def _r(*shape):
    return _rng.standard_normal(shape)


def _pos(*shape):
    return _rng.uniform(0.5, 2.0, shape)


# a global constant, a global array and a global helper read by corpus functions
SCALE = 1.5
W_GLOBAL = np.array([0.5, -1.0, 2.0, 0.25])


def _sq_helper(t):
    return t * t


# =====================================================================================
# Straight-line functions
# =====================================================================================

STRAIGHT: list[Case] = []


def case(args, wrt=0, xfail=None, into=None, expected=None):
    """Decorator: add the function to a case list with its inputs."""

    def deco(fn):
        (STRAIGHT if into is None else into).append(Case(fn, tuple(args), wrt, xfail, expected))
        return fn

    return deco


# --- Python floats, math --------------------------------------------------------------


@case((3.0, 4.0), wrt=(0, 1))
def s_poly(x, y):
    return x**2 * y + y + 2


@case((1.3,))
def s_math_unary(x):
    return math.sin(x) * math.exp(x) + math.log(x) + math.sqrt(x) + math.tanh(x)


@case((0.7, -1.2), wrt=("x", "y"))
def s_math_binary(x, y):
    return math.atan2(y, x) + math.hypot(x, y) + math.cos(y) * math.atan(x) + math.pow(x, 3.0)


@case((0.4,))
def s_math_more(x):
    a = math.erf(x) + math.log1p(x) + math.expm1(x)
    return a + math.asin(x) + math.cosh(x) + math.log(x, 2.0)


@case((0.9,))
def s_numpy_on_float(x):
    return np.sin(x) * np.cos(x) + np.exp(-x) + np.arctan(x)


@case((1.7, 0.6), wrt=(0, 1))
def s_div_pow(x, y):
    return x / y - y**3 + 2.0**x + x**y - 1 / x


@case((-1.4,))
def s_neg_abs(x):
    return -x + abs(x) * x - (+x)


@case((2.5, 1.5), wrt=(0, 1))
def s_builtin_max_min(x, y):
    return max(x, y) * 2.0 + min(x, y) ** 2 + pow(x, 2)


@case((3,))
def s_int_input(n):
    return n * n + 0.5 * n


@case((1.1,))
def s_constants(x):
    a = 2.0
    b = 3
    c = a * b + math.pi
    return c * x + a


@case((0.8, 1.9), wrt=(0, 1))
def s_reassign(x, y):
    z = x * y
    z = z + x
    z = np.sin(z)
    x = x * 2.0
    return z * x + y


@case((0.8, 1.9), wrt=(0, 1))
def s_augassign(x, y):
    z = x
    z += y
    z *= x
    z -= 1.0
    z /= y
    z **= 2
    return z


@case((0.3, -0.7), wrt=(0, 1))
def s_tuple_pack_unpack(x, y):
    t = (x * 2.0, y + 1.0)
    a, b = t
    a, b = b, a
    (c, d), e = (a, b), x
    return a * b + c * e - d


@case((1.2,))
def s_globals(x):
    return SCALE * x**2 + _sq_helper(x) + np.sum(W_GLOBAL) * x


def _make_closure_fn(k):
    def s_closure_var(x):
        return k * np.sin(x) + k**2 * x

    return s_closure_var


STRAIGHT.append(Case(_make_closure_fn(2.5), (0.6,)))


@case(
    (0.6, 1.4),
    wrt=(0, 1),
    expected=lambda x, y: (x * y, x),
)
def s_stop_gradient(x, y):
    c = ast_ad.stop_gradient(x * y)
    return c * x + y * ast_ad.stop_gradient(x)


# --- arrays: elementwise ------------------------------------------------------------


@case((_r(5),))
def a_elementwise(x):
    return np.sum(np.tanh(x) * np.exp(x) + np.log1p(x**2) + np.sqrt(x * x + 1.0))


@case((_r(2, 3),))
def a_ufuncs_hyperbolic(x):
    return np.sum(np.sinh(x) + np.cosh(x) + np.arctan(x) + np.expm1(x) + 1.0 / (1.0 + np.exp(-x)))


@case((_pos(4),))
def a_ufuncs_positive(x):
    a = np.log(x) + np.log2(x) + np.log10(x)
    return np.sum(a + np.reciprocal(x) + np.square(x) + np.cbrt(x))


@case((_r(4), _r(4)), wrt=(0, 1))
def a_binary_ufuncs(x, y):
    return np.sum(np.add(x, y) * np.multiply(x, y) - np.subtract(x, y) / (2.0 + np.cos(y)))


@case((_r(3, 4), _r(4)), wrt=(0, 1))
def a_broadcast_add(A, w):
    return np.sum((A + w) ** 2) + np.sum(A * w)


@case((_r(3, 1), _r(1, 4)), wrt=(0, 1))
def a_broadcast_outer(a, b):
    return np.sum(np.sin(a * b) + a - b)


@case((_r(3, 4), 0.7), wrt=(0, 1))
def a_array_times_scalar(A, s):
    return np.sum(s * A**2 + A / (1.0 + s * s))


@case((_r(6), _r(6)), wrt=(0, 1))
def a_logaddexp(x, y):
    return np.sum(np.logaddexp(x, y)) + np.sum(np.logaddexp(x, 0.0))


@case((np.array([0.3, -1.2, 2.0, 0.6]), np.array([-0.5, 0.4, 1.1, 1.7])), wrt=(0, 1))
def a_maximum_minimum(x, y):
    return np.sum(np.maximum(x, y) ** 2 + np.minimum(x, y) * 3.0 + np.maximum(x, 0.0))


@case((np.array([0.3, -1.2, 2.0, 0.6, -0.1]),))
def a_where(x):
    return np.sum(np.where(x > 0, x**2, -x * 3.0))


@case((np.array([0.3, -1.2, 2.0, 0.6, -0.1]),))
def a_clip(x):
    return np.sum(np.clip(x, -0.5, 1.0) * x)


# --- arrays: reductions ---------------------------------------------------------------


@case((_r(3, 4),))
def a_reduce_axis(x):
    return np.sum(np.sum(x, axis=0) ** 2) + np.sum(np.mean(x, axis=1) ** 3)


@case((_r(2, 3, 4),))
def a_reduce_keepdims(x):
    m = np.mean(x, axis=(0, 2), keepdims=True)
    return np.sum((x - m) ** 2) + np.sum(np.sum(x, axis=-1, keepdims=True) * x)


@case((_r(3, 4),))
def a_max_min_reduce(x):
    return np.max(x) + np.sum(np.max(x, axis=1)) - np.min(x, axis=0)[1]


@case((_pos(3, 4),))
def a_prod_var_std(x):
    return np.prod(x) + np.var(x) + np.std(x, axis=0)[2] + np.sum(np.cumsum(x, axis=1) ** 2)


@case((_r(3, 4),))
def a_methods_reduce(x):
    return x.sum() + (x**2).mean() + x.max() + x.std() + x.var() + x.sum(axis=1)[0]


# --- arrays: linear algebra -----------------------------------------------------------


@case((_r(3, 4), _r(4)), wrt=(0, 1))
def a_dot_vec(A, v):
    return np.sum(np.dot(A, v) ** 2) + np.dot(v, v)


@case((_r(3, 4), _r(4, 2)), wrt=(0, 1))
def a_matmul(A, B):
    C = A @ B
    return np.sum(np.tanh(C)) + np.sum(np.matmul(A, B) ** 2)


@case((_r(2, 3, 4), _r(2, 4, 5)), wrt=(0, 1))
def a_batched_matmul(A, B):
    return np.sum((A @ B) ** 2)


@case((_r(4), _r(3)), wrt=(0, 1))
def a_outer(u, v):
    return np.sum(np.outer(u, v) ** 2) + np.sum(np.sin(np.outer(u, v)))


@case((_r(4, 4),))
def a_trace(A):
    return np.trace(A @ A) + np.trace(A)


@case((_r(3, 4),))
def a_transpose(A):
    return np.sum(A.T @ A) + np.sum(np.transpose(A) * 2.0) + np.sum(A.transpose() ** 2)


@case((_r(5),))
def a_norm(x):
    return np.linalg.norm(x) + np.linalg.norm(x * 2.0) ** 2


@case((_r(3, 4), _r(4)), wrt=(0, 1))
def a_method_dot(A, v):
    return np.sum(A.dot(v) ** 2) + v.dot(v)


# --- arrays: shapes -------------------------------------------------------------------


@case((_r(12),))
def a_reshape(x):
    M = np.reshape(x, (3, 4))
    N = x.reshape(4, 3)
    return np.sum(M @ N) + np.sum(x.reshape((2, 6))[1] ** 2)


@case((_r(1, 4, 1),))
def a_squeeze_expand(x):
    s = np.squeeze(x)
    e = np.expand_dims(s, axis=0)
    return np.sum(s**2) + np.sum(e * np.expand_dims(s, 1))


@case((_r(2, 3), _r(4, 3)), wrt=(0, 1))
def a_concatenate(a, b):
    c = np.concatenate([a, b], axis=0)
    d = np.concatenate((a * 2.0, b), axis=0)
    return np.sum(c**2) + np.sum(d[:, 1] ** 3)


@case((_r(3), _r(3)), wrt=(0, 1))
def a_stack(a, b):
    s = np.stack([a, b])
    t = np.stack([a, b, a * b], axis=1)
    return np.sum(s**2) + np.sum(t[:, 2]) + np.sum(t[1])


@case((_r(2, 3),))
def a_ravel(x):
    return np.sum(np.ravel(x) * np.arange(6.0)) + np.sum(x.ravel() ** 2)


@case((_r(3, 4),))
def a_shape_len_nondiff(x):
    n, m = x.shape
    k = len(x)
    return np.sum(x) * n / m + k * np.sum(x**2) / x.size


# --- arrays: indexing ------------------------------------------------------------------


@case((_r(6),))
def a_index_int_neg(x):
    return x[0] * x[1] + x[-1] ** 2 - 3.0 * x[-2]


@case((_r(8),))
def a_index_slice_step(x):
    return np.sum(x[1:5] ** 2) + np.sum(x[::2] * x[1::2]) + np.sum(x[::-1][:3]) + np.sum(x[-3:])


@case((_r(3, 4),))
def a_index_tuple(A):
    return A[1, 2] * A[0, 0] + np.sum(A[:, 1] ** 2) + np.sum(A[1:, ::2]) + A[-1, -1]


@case((_r(4),))
def a_index_newaxis(x):
    return np.sum(x[:, np.newaxis] * x[np.newaxis, :]) + np.sum(x[None] ** 2)


@case((_r(4),))
def a_index_int_array_repeats(x):
    return np.sum(x[[0, 2, 2]] ** 2) + np.sum(x[np.array([3, 3, 1])] * 2.0)


@case((np.array([0.3, -1.2, 2.0, 0.6, -0.1]),))
def a_index_bool_mask(x):
    return np.sum(x[x > 0] ** 2) + np.sum(x[np.array([True, False, True, False, True])])


@case((_r(4), 1.3), wrt=(0, 1))
def a_setitem_copy(x, s):
    y = np.zeros_like(x)
    y[0] = s * x[1]
    y[1:3] = x[:2] * s
    y[3] = x[3] ** 2
    return np.sum(y**2)


@case((_r(3, 4), _r(4)), wrt=(0, 1))
def a_softmax_xent(logits, w):
    z = logits + w
    m = np.max(z, axis=1, keepdims=True)
    lse = m[:, 0] + np.log(np.sum(np.exp(z - m), axis=1))
    return np.mean(lse - z[:, 1])


@case((_r(4, 3), _r(3), _r(4)), wrt=(1, 2))
def a_linear_regression(X, w, y):
    r = X @ w - y
    return 0.5 * np.dot(r, r) / len(y)


@case((_r(5, 3), _r(3, 4), _r(4), _r(4, 1)), wrt=(1, 2, 3))
def a_mlp(X, W1, b1, W2):
    h = np.tanh(X @ W1 + b1)
    out = h @ W2
    return np.mean(out**2)


# =====================================================================================
# Control flow and calls
# =====================================================================================

CONTROL: list[Case] = []


def ccase(args, wrt=0, xfail=None, expected=None):
    return case(args, wrt, xfail, into=CONTROL, expected=expected)


@ccase((1.3,))
def c_while_data_dependent(x):
    n = 0
    while x < 10.0:
        x = x * 1.7 + 0.1
        n += 1
    return x * n


@ccase((2.0,))
def c_while_newton(a):
    x = a
    for _ in range(50):
        x_new = 0.5 * (x + a / x)
        if abs(x_new - x) < 1e-12:
            break
        x = x_new
    return x_new


@ccase((_r(4, 3),))
def c_nested_break_continue(A):
    s = 0.0
    for i in range(4):
        for j in range(3):
            if j == 1:
                continue
            if i == 3:
                if j == 2:
                    break
            s = s + A[i, j] ** 2
        if i == 2:
            s = s * 1.5
    return s


@ccase((np.array([0.5, 1.5, 3.5, 0.2]),))
def c_return_in_loop(x):
    acc = 0.0
    for i in range(len(x)):
        acc = acc + x[i] ** 2
        if acc > 2.0:
            return acc * x[i]
    return acc


@ccase((np.array([0.3, -1.2, 2.0, 0.6, -0.1]),))
def c_if_in_for_augsubscript(x):
    y = np.zeros_like(x)
    for i in range(len(x)):
        if x[i] > 0:
            y[i] += x[i] ** 2
        else:
            y[i] -= 3.0 * x[i]
        y[i] *= 2.0
    return np.sum(y * x)


def _power_rec(x, n):
    if n == 0:
        return 1.0
    return x * _power_rec(x, n - 1)


@ccase((1.3,))
def c_recursive_helper(x):
    return _power_rec(x, 4) + _power_rec(np.sin(x), 2)


def _fact_like(x, n):
    if n <= 1:
        return x
    return x * n + _fact_like(x * 0.5, n - 1)


@ccase((0.7,))
def c_recursive_branching(x):
    return _fact_like(x, 5) ** 2


@ccase((0.9, 1.7), wrt=(0, 1))
def c_nested_def_closure(x, y):
    k = y * 2.0

    def inner(t):
        return np.sin(t) * k + y

    return inner(x) * inner(x * x)


@ccase((1.1,))
def c_lambda_bound(x):
    sq = lambda t: t * t + 1.0
    return sq(x) * sq(np.sin(x))


@ccase((0.8,))
def c_list_append_sum(x):
    acc = []
    for i in range(5):
        acc.append(x**i * np.cos(x * i))
    return sum(acc)


@ccase((_r(3),))
def c_list_comprehension(x):
    terms = [np.sin(x * k) for k in range(1, 4)]
    sq = [t**2 for t in terms]
    return np.sum(sum(sq)) + np.sum(terms[0] * terms[2])


@ccase((0.6, 1.4), wrt=(0, 1))
def c_dict_local(x, y):
    p = {"w": x * 2.0, "b": y}
    p["c"] = p["w"] * p["b"]
    return p["w"] ** 2 + p["b"] * p["c"]


@ccase(({"w": _r(3), "b": 0.4}, _r(3)))
def c_dict_param(p, x):
    return np.sum(np.tanh(p["w"] * x + p["b"]) ** 2)


@ccase((_r(4, 4) * 0.5, _r(5, 4)), wrt=(0, 1))
def c_rnn_tanh(W, x):
    T = x.shape[0]
    h = np.zeros((T + 1, 4))
    for t in range(T):
        h[t + 1] = np.tanh(W @ h[t] + x[t])
    return np.sum(h[-1] ** 2) + np.sum(h)


@ccase((_r(6) * 3.0,))
def c_loop_logsumexp(x):
    m = x[0]
    s = 1.0
    for i in range(1, len(x)):
        if x[i] > m:
            s = s * np.exp(m - x[i]) + 1.0
            m = x[i]
        else:
            s = s + np.exp(x[i] - m)
    return m + np.log(s)


@ccase((_r(4, 3),))
def c_for_over_rows(A):
    s = 0.0
    for row in A:
        s = s + np.dot(row, row) * np.sum(row)
    return s


@ccase((_r(5),))
def c_enumerate(x):
    s = 0.0
    for i, v in enumerate(x):
        s = s + (i + 1) * v**2
    return s


@ccase((_r(4), _r(4)), wrt=(0, 1))
def c_zip(x, y):
    s = 0.0
    for a, b in zip(x, y):
        s = s + a * b + np.sin(a)
    return s


@ccase((np.array([0.5, 1.5, -2.0, 0.7]),))
def c_for_else(x):
    s = 1.0
    for v in x:
        if v > 10.0:
            break
        s = s * (1.0 + v * v)
    else:
        s = s + x[0]
    for v in x:
        if v < 0:
            s = s + v
            break
    else:
        s = s * 100.0
    return s


@ccase((0.4,))
def c_while_else(x):
    i = 0
    while i < 3:
        x = x * 1.5 + 0.2
        i += 1
    else:
        x = x * x
    while i < 10:
        if x > 0.0:
            x = x + 1.0
            break
        i += 1
    else:
        x = x * 0.0
    return x


@ccase((0.7, -0.3), wrt=(0, 1))
def c_ternaries(x, y):
    a = x * x if x > 0 else -x
    b = np.sin(y) if y > 0 else np.cos(y) * x
    return a * b + (y if a > 1.0 else x * y)


@ccase((1.5,))
def c_and_in_loop(x):
    s = x
    for i in range(3):
        if i >= 1 and i < 2:
            s = s * x
        s = s + 1.0
    return s


@ccase((0.7, 1.3), wrt=(0, 1))
def c_and_or_conditions(x, y):
    z = 0.0
    if x > 0 and y > 1.0:
        z = z + x * y
    if x > 5.0 or y < 0:
        z = z - 100.0 * x
    if not (x < 0) and (y > 2.0 or x < 1.0):
        z = z + x**3
    return z


def _stats(v):
    return np.mean(v), np.std(v), np.sum(v**2)


@ccase((_r(6),))
def c_multiple_returns(x):
    m, s, q = _stats(x)
    r = _stats(x * 2.0)
    return m * s + q + r[0] * r[2]


def _scaled(x, scale=2.0, *, shift=0.5):
    return scale * x + shift * x * x


@ccase((0.6,))
def c_kwargs_defaults(x):
    return _scaled(x) + _scaled(x, 3.0) + _scaled(x, shift=1.5) + _scaled(x, scale=x, shift=x)


def _helper_a(x):
    return np.exp(x) * _helper_b(x)


def _helper_b(x):
    return np.sin(x) + 1.0


@ccase((_r(3),))
def c_helper_chain(x):
    return np.sum(_helper_a(x) ** 2)


@ccase((_r(3, 4), _r(4, 2)), wrt=(0, 1))
def c_loop_matmul(A, B):
    C = np.zeros((3, 2))
    for i in range(3):
        for j in range(2):
            for k in range(4):
                C[i, j] += A[i, k] * B[k, j]
    return np.sum(C**2)


@ccase((np.array([1.0, -2.0, 0.5, 3.0]), 0.7), wrt=(0, 1))
def c_horner(coef, x):
    acc = 0.0
    for c in coef:
        acc = acc * x + c
    return acc


@ccase((_r(5),))
def c_reversed_range(x):
    s = 0.0
    for i in reversed(range(len(x))):
        s = s * 0.5 + x[i] ** 2
    for i in range(len(x) - 1, -1, -2):
        s = s + x[i]
    return s


@ccase((_r(4),))
def c_branch_on_reduction(x):
    if np.sum(x**2) > 1.0:
        y = x / np.sqrt(np.sum(x**2))
    else:
        y = x * 2.0
    return np.sum(y * np.arange(4.0))


@ccase((_r(3),))
def c_stack_list_of_states(x):
    states = [x]
    for t in range(3):
        states.append(np.tanh(states[-1] * 1.5 + t))
    S = np.stack(states)
    return np.sum(S**2)


def _softmax(z):
    e = np.exp(z - np.max(z))
    return e / np.sum(e)


@ccase((_r(5),))
def c_softmax_helper(z):
    p = _softmax(z)
    return -np.log(p[2]) + np.sum(p * p)


@ccase((0.4, 5), wrt=0)
def c_loop_int_bound(x, n):
    s = x
    for _ in range(n):
        s = np.sin(s) + x
    return s


@ccase((0.3,))
def c_early_return_branch(x):
    if x > 1.0:
        return x * 100.0
    y = x * 2.0
    if y < 1.0:
        return y**3 + x
    return y


@ccase((np.array([3.0, -2.5, 1.7]),))
def c_while_array_state(v):
    n = 0
    while np.max(np.abs(v)) > 0.1:
        v = v * 0.5 + 0.01 * v**2
        n += 1
    return np.sum(v**2) * n


def _rsum_sq(x):
    if len(x) == 1:
        return x[0] ** 2
    return x[0] ** 2 + 0.5 * _rsum_sq(x[1:])


@ccase((_r(5),))
def c_recursive_on_slices(x):
    return _rsum_sq(x)


@ccase((_r(3, 3),))
def c_return_in_nested_loops(A):
    s = 0.0
    for i in range(3):
        for j in range(3):
            s = s + A[i, j] * (i + 1)
            if i == 1:
                if j == 1:
                    return s * A[0, 0]
    return s


@ccase((0.4, 0.8), wrt=(0, 1))
def c_chained_compare(x, y):
    if 0.0 < x < y < 1.0:
        z = x * y
    else:
        z = x + y
    return z * z if -1.0 <= z <= 1.0 else z


@ccase((0.6, 1.3), wrt=(0, 1))
def c_list_setitem(x, y):
    a = [x, y, x * y]
    a[0] = a[0] * 2.0
    a[2] += a[1]
    return a[0] * a[2] + a[-1]


@ccase((_r(4),))
def c_helper_in_loop_with_kwargs(x):
    s = 0.0
    for k in range(3):
        s = s + np.sum(_scaled(x, scale=k + 1.0, shift=0.1 * k))
    return s


@ccase((_r(3),))
def c_tuple_returns_in_loop(x):
    acc = 0.0
    for t in range(2):
        m, s, q = _stats(x * (t + 1.0))
        acc = acc + m * q + s
    return acc


def _h_sq(x):
    return x * x


@ccase((np.array([1.0, 2.0]),))
def c_helper_in_loop_array(x):
    s = 0.0
    for k in range(2):
        s = s + np.sum(_h_sq(x))
    return s


# =====================================================================================
# More straight-line functions
# =====================================================================================


@case((_r(3, 4),))
def a_setitem_column_row(x):
    y = np.copy(x)
    y[:, 1] = y[:, 1] * 2.0
    y[0] = y[0] ** 2
    return np.sum(y * x)


@case((_r(4),))
def a_astype(x):
    return np.sum(x.astype(np.float64) ** 2)


@case((_r(2, 3, 4),))
def a_axes_ops(x):
    a = np.swapaxes(x, 0, 2)
    b = np.moveaxis(x, 0, -1)
    c = np.flip(x, axis=1)
    d = np.roll(x, 1, axis=2)
    return np.sum(a[0] ** 2) + np.sum(b * b[..., :1]) + np.sum(c[:, 0] * x[:, 0]) + np.sum(d * x)


@case((_r(2, 3), _r(2, 3)), wrt=(0, 1))
def a_vstack_hstack(a, b):
    return np.sum(np.vstack([a, b]) ** 2) + np.sum(np.hstack([a, b * a]) ** 3)


@case((_r(3),))
def a_broadcast_to(x):
    return np.sum(np.broadcast_to(x, (4, 3)) ** 2)


@case((_pos(4), _pos(4)), wrt=(0, 1))
def a_pow_arrays(x, y):
    return np.sum(x**y) + np.sum(np.power(y, x))


@case((_r(3, 1), _pos(4)), wrt=(0, 1))
def a_divide_broadcast(a, b):
    return np.sum(a / b) + np.sum(np.divide(b, 1.0 + a * a))


@case((_r(3, 4),))
def a_std_var_ddof(x):
    return np.std(x, ddof=1) + np.sum(np.var(x, axis=0, ddof=1))


@case((_r(3, 4),))
def a_norm_axis(x):
    return np.sum(np.linalg.norm(x, axis=1)) + np.linalg.norm(x)


@case((_r(4), _r(4, 3)), wrt=(0, 1))
def a_matmul_vectors(v, M):
    return np.sum(v @ M) + v @ v + np.sum(M.T @ v)


@case((_r(2, 3, 4),))
def a_index_ellipsis(x):
    return np.sum(x[..., 0] ** 2) + np.sum(x[0, ...]) + np.sum(x[..., 1:, 2])


@case((_r(4, 5),))
def a_index_negative_step_2d(A):
    return np.sum(A[::-1, ::2] * A[:, ::2]) + np.sum(A[-1:0:-2, 1])


@case((_r(3, 4),))
def a_index_int_arrays_2d(A):
    return np.sum(A[[0, 2, 2], [1, 1, 3]] ** 2) + np.sum(A[:, [0, 0, 2]]) + np.sum(A[[1, 1]] ** 2)


@case((_r(3, 4),))
def a_index_mask_2d(A):
    return np.sum(A[A > 0] ** 2) + np.sum(A[A[:, 0] > 0])


@case((np.array([0.3, -1.2, 2.0, 0.6, -0.1, 1.4]),))
def a_setitem_mask_and_int_array(x):
    y = np.copy(x)
    y[y < 0] = 0.0
    y[[1, 3]] = x[[0, 0]] * 3.0
    return np.sum(y * y * x)


@case((_r(3, 4),))
def a_reduce_negative_axis(x):
    return np.sum(np.max(x, axis=-1, keepdims=True) * x) + np.sum(np.prod(x, axis=-2) ** 2)


@case((_r(4),))
def a_methods_more(x):
    a = x.min() + x.prod() + x.cumsum().sum() + x.clip(-0.5, 0.5).sum()
    return a + x.flatten().sum() + x.squeeze().sum()


@case((_r(2, 2), _r(2)), wrt=(0, 1))
def a_inv_det(A, b):
    M = A @ A.T + 2.0 * np.eye(2)
    return np.sum(np.linalg.inv(M) @ b) + np.linalg.det(M)


@case((_r(3),))
def a_inplace_ops_on_copy(x):
    y = x * 1.0
    y += 2.0
    y *= x
    y /= 3.0
    y -= x
    return np.sum(y**2)


@case((2.3,))
def s_python_int_ops(x):
    n = int(x)
    return x**n + x // 1.0 + x % 1.5


@case((0.3,))
def s_chain_assign(x):
    a = b = x * 2.0
    a = a + 1.0
    return a * b


class _Cfg:
    scale = 2.0

    def __init__(self):
        self.shift = 0.5


CFG = _Cfg()


@case((0.7,))
def s_attr_of_global_object(x):
    return x * CFG.scale + CFG.shift * x * x


@case(
    (0.7, 1.3),
    wrt=(0, 1),
)
def s_np_array_from_scalars(x, y):
    v = np.array([x, y, x * y])
    return np.sum(v**2)


# =====================================================================================
# More control flow and calls
# =====================================================================================


@ccase((_r(5),))
def c_generator_expression(x):
    return sum(x[i] ** 2 for i in range(len(x)))


@ccase((_r(5),))
def c_filtered_comprehension(x):
    return sum([v * v for v in x if v > 0]) + sum([v for v in x if v <= 0])


@ccase((0.7, 1.3), wrt=(0, 1))
def c_dict_comprehension(x, y):
    d = {k: x * k + y for k in range(3)}
    return d[0] * d[1] + d[2]


@ccase((_r(4),))
def c_any_all_conditions(x):
    s = 0.0
    if np.any(x > 0):
        s = s + np.sum(x**2)
    if all([v < 10 for v in x]):
        s = s * 2.0
    return s


@ccase((_r(6),))
def c_while_index(x):
    i = 0
    s = 0.0
    while i < len(x):
        s = s + x[i] * (i + 1)
        i += 2
    return s * s


@ccase((1.1,))
def c_while_true_break(x):
    n = 0
    while True:
        x = np.sin(x) + 0.5 * x
        n += 1
        if n >= 4:
            break
    return x


@ccase((0.8,))
def c_return_in_while(x):
    while x < 100.0:
        x = x * 3.0
        if x > 5.0:
            return x + 1.0
    return x


def _even(x, n):
    if n == 0:
        return x
    return _odd(x * 1.1, n - 1)


def _odd(x, n):
    if n == 0:
        return -x
    return _even(np.sin(x), n - 1)


@ccase((0.7,))
def c_mutual_recursion(x):
    return _even(x, 5)


def _rec_tuple(x, n):
    if n == 0:
        return x, x * x
    a, b = _rec_tuple(x * 0.9, n - 1)
    return a + b, a * b


@ccase((0.6,))
def c_recursion_returning_tuple(x):
    a, b = _rec_tuple(x, 3)
    return a * b


@ccase((0.9,))
def c_closure_def_in_loop(x):
    s = 0.0
    for k in range(3):

        def term(t):
            return t ** (k + 1)

        s = s + term(x)
    return s


@ccase((0.4, 1.3), wrt=(0, 1))
def c_swap_in_loop(x, y):
    a, b = x, y
    for _ in range(5):
        a, b = b, a + b * 0.5
    return a * b


@ccase((np.array([0.3, -1.2, 2.0, -0.6]),))
def c_builtin_max_min_in_loop(x):
    s = 0.0
    for v in x:
        s = s + max(v, 0.0) ** 2 + min(v, 0.0)
    return s


@ccase(([_r(3, 3) * 0.5, _r(3, 3) * 0.5], _r(3)), wrt=(0, 1))
def c_list_of_weights(Ws, h):
    for W in Ws:
        h = np.tanh(W @ h)
    return np.sum(h**2)


@ccase(((_r(3, 3), _r(3)), _r(3)))
def c_tuple_param(p, h):
    W, b = p
    return np.sum(np.tanh(W @ h + b))


@ccase((0.7,))
def c_sum_with_start(x):
    return sum([x, x * x], 1.0) + sum((x, 2.0 * x))


@ccase((_r(4),))
def c_inplace_on_fresh_zeros(x):
    acc = np.zeros(4)
    for k in range(3):
        acc += x * k
        acc[k] *= 2.0
    return np.sum(acc**2)


def _inner_helper(B, p=2):
    return B**p


def _outer_helper(A, power=2):
    return np.sum(_inner_helper(A, p=power) * A)


@ccase((_r(3, 3),))
def c_nested_helpers_keywords(A):
    return _outer_helper(A, power=3) + _outer_helper(A)


@ccase((_r(3),))
def c_ternary_write_in_loop(x):
    y = np.zeros(3)
    for i in range(3):
        y[i] = x[i] if x[i] > 0 else -2.0 * x[i]
    return np.sum(y**2)


@ccase(
    (0.5, 1.5),
    wrt=(0, 1),
    expected=lambda x, y: (y * (y**3 + y**2 + y + 1), x * (y**3 + y**2 + y + 1)),
)
def c_stop_gradient_in_loop(x, y):
    s = x
    for _ in range(3):
        s = s * ast_ad.stop_gradient(y) + x
    return s * y


# =====================================================================================
# Aliasing, containers, odd corners
# =====================================================================================


@case((_r(4),))
def a_setitem_read_by_nonlinear_later(x):
    y = x * 1.0
    s = 0.0
    for i in range(4):
        s = s + np.sum(y**2)
        y[i] = np.tanh(y[i]) * 3.0
    return s + np.sum(y**3)


@case((_r(3, 3),))
def a_matrix_power_loop(A):
    M = np.eye(3)
    for _ in range(3):
        M = M @ A
    return np.trace(M)


@case((0.5, 2.0), wrt=(0, 1))
def s_unused_parameter(x, y):
    return x * 3.0


@case((0.5, 2.0), wrt=(0, 1))
def s_constant_output(x, y):
    return 3.0


LIST_POP_BUG = (
    "wrong gradient (no error): list.pop() drops the adjoint of the popped element: "
    "`acc = [x, y]; last = acc.pop(); return last * acc[0]` gives (5.0, 0.0), exact (5.0, 3.0)"
)


@ccase(
    (3.0, 5.0),
    wrt=(0, 1),
)
def c_list_pop(x, y):
    acc = [x, y]
    last = acc.pop()
    return last * acc[0]


@ccase(
    (_r(4),),
)
def c_enumerate_start(x):
    s = 0.0
    for i, v in enumerate(x, 1):
        s = s + i * v * v
    return s


@ccase((_r(2, 3),))
def c_nested_list_comprehension(A):
    rows = [[A[i, j] * (i + j) for j in range(3)] for i in range(2)]
    return sum([sum(r) for r in rows]) + rows[1][2] ** 2


@ccase((_r(3),))
def c_break_in_while_with_array(x):
    i = 0
    y = x * 1.0
    while i < 10:
        y = y * 0.5 + x
        if np.sum(y) > 100.0:
            break
        i += 1
    return np.sum(y**2)


@ccase((1.3,))
def c_augassign_list_items(x):
    a = [x, x * 2.0]
    a[0] += a[1] * x
    a[1] *= a[0]
    return a[0] + a[1]


@ccase((_r(4),))
def c_closure_late_binding(x):
    k = 2.0

    def f(t):
        return t * k

    k = 3.0
    return np.sum(f(x))


@ccase((0.7,))
def c_lambda_default_arg(x):
    f = lambda t, s=2.0: t * s
    return f(x) + f(x, s=x)


@ccase((_r(4), _r(4)), wrt=(0, 1))
def c_zip_three(x, y):
    s = 0.0
    for a, b, c in zip(x, y, range(4)):
        s = s + a * b * c
    return s


@ccase((_r(3, 2),))
def c_for_unpack_rows(A):
    s = 0.0
    for a, b in A:
        s = s + a * b
    return s


@ccase((_r(3),))
def c_triple_nested_continue_break(x):
    s = 0.0
    for i in range(3):
        for j in range(3):
            if j < i:
                continue
            for k in range(2):
                if k == 1:
                    break
                s = s + x[i] * x[j]
    return s


@ccase((0.3,))
def c_deep_nesting(x):
    if x > 0:
        for _ in range(2):
            while x < 5:
                if x > 2:
                    x = x + 1.0
                    continue
                x = x * 2.0 + 0.1
    return x


@ccase((_r(3),))
def c_float_of_array_scalar(x):
    s = np.sum(x)
    t = float(s) * 2.0
    return t * s + math.sin(s)
