"""Golden generated source: the gradient of each function below, as ``ast_ad.source``
shows it (comment lines aside), and its values against central finite differences.

The optimizations (``ast_ad/passes/optimize``) should make each gradient read like the
hand derivation: ``f(x, y) = x**2*y + y + 2`` gives ``bx = 2 * y * x`` and
``by = x ** 2 + 1.0``.  A change of the generated code shows up here first: regenerate
the listing only after reading the new text.
"""

import math

import numpy as np
import pytest

import ast_ad
from tests.fd import assert_close, fd_grad


def helper_sq(u):
    return u * u


def seed(x, y):
    return x**2*y + y + 2


def g_lin(x, y):
    return 5 + x * y


def poly(x):
    return 3 * x ** 3 - 2 * x + 1


def one_pow(x):
    return x ** 1 * 2.0


def quotient(x, y):
    return x / y + 1.0


def sin_prod(x):
    return x * math.sin(x)


def exp_log(x):
    return math.exp(x) + math.log(x)


def chain(x):
    u = x * x
    v = math.sin(u)
    return v * 2.0


def two_lines(x, y):
    a = x * y
    b = a + y
    return a * b


def sqrt_norm(x, y):
    return math.sqrt(x * x + y * y)


def neg(x):
    return -x * 3.0 - 1.0


def const_fold(x):
    return x * (2 - 1) + x ** (3 - 1)


def branch(x):
    if x > 0:
        y = x * x
    else:
        y = -x
    return y


def loop(x):
    s = 0.0
    for i in range(3):
        s = s + x * i
    return s


def loop_pow(x):
    p = 1.0
    for i in range(4):
        p = p * x
    return p


def call(x):
    return helper_sq(x) + x


def np_sum_sq(x):
    return np.sum(x * x)


def np_dot(w, x):
    return np.dot(w, x) ** 2


def np_tanh(x):
    return np.sum(np.tanh(x))


def np_mean_sq(x, y):
    return np.mean((x - y) ** 2)


def np_mean_sq_row(x, y):  # y of shape (1,): broadcast, its cotangent summed
    return np.mean((x - y) ** 2)


def np_sin_scalar(x):
    return np.sin(x) * np.cos(x)


def mixed(x, y):
    return x ** 2 * y ** 2 + 2.0 * x


ARGS = {
    'seed': (3.0, 4.0),
    'g_lin': (3.0, 4.0),
    'poly': (1.5,),
    'one_pow': (1.5,),
    'quotient': (1.5, 2.5),
    'sin_prod': (0.7,),
    'exp_log': (1.3,),
    'chain': (0.7,),
    'two_lines': (1.5, 2.0),
    'sqrt_norm': (3.0, 4.0),
    'neg': (1.5,),
    'const_fold': (1.5,),
    'branch': (1.5,),
    'loop': (1.5,),
    'loop_pow': (1.5,),
    'call': (1.5,),
    'np_sum_sq': (np.arange(3.0),),
    'np_dot': (np.arange(3.0), np.ones(3)),
    'np_tanh': (np.arange(3.0),),
    'np_mean_sq': (np.arange(3.0), np.ones(3)),
    'np_mean_sq_row': (np.arange(3.0), np.ones(1)),
    'np_sin_scalar': (0.7,),
    'mixed': (1.5, 2.0),
}

GOLDEN = {
    'seed': """\
bx = 2 * y * x
by = x ** 2 + 1.0
return (bx, by)
""",
    'g_lin': """\
bx = y
by = x
return (bx, by)
""",
    'poly': """\
bx = 9.0 * x ** 2 - 2.0
return bx
""",
    'one_pow': """\
return 2.0
""",
    'quotient': """\
_t1 = x / y
bx = 1.0 / y
by = -_t1 / y
return (bx, by)
""",
    'sin_prod': """\
bx = math.sin(x) + x * math.cos(x)
return bx
""",
    'exp_log': """\
_t1 = math.exp(x)
_t2 = math.log(x)
bx = fdiv(1.0, x * math.log(2.718281828459045))
bx = bx + _t1
return bx
""",
    'chain': """\
u = x * x
bu = 2.0 * math.cos(u)
bx = 2.0 * bu * x
return bx
""",
    'two_lines': """\
a = x * y
b = a + y
ba = b
bb = a
ba += bb
by = bb
bx = ba * y
by = by + x * ba
return (bx, by)
""",
    'sqrt_norm': """\
_t4 = math.sqrt(x * x + y * y)
b_t3 = fdiv(1.0, 2.0 * _t4)
bx = 2.0 * b_t3 * x
by = 2.0 * b_t3 * y
return (bx, by)
""",
    'neg': """\
bx = -3.0
return bx
""",
    'const_fold': """\
_t4 = x ** 2
bx = 2.0 * x + 1.0
return bx
""",
    'branch': """\
_t1 = x > 0
if _t1:
    y = x * x
else:
    y = -x
if _t1:
    bx = 2.0 * x
else:
    bx = -1.0
return bx
""",
    'loop': """\
s = 0.0
_r1 = range(3)
for i in _r1:
    s = s + x * i
bx = 0.0
for i in _r1[::-1]:
    bx += 1.0 * i
return bx
""",
    'loop_pow': """\
p = None
_stack = []
_push = _stack.append
p = 1.0
_r1 = range(4)
_tape = []
_tapa = _tape.append
for i in _r1:
    _tapa(p)
    p = p * x
_push((_tape,))
_pop = _stack.pop
bp = 1.0
bx = 0.0
_tape, = loop_tape(_pop(), _r1)
for _tapv in reversed(_tape):
    _g2 = bp
    p = _tapv
    bp = _g2 * x
    bx += p * _g2
return bx
""",
    'call': """\
_t1, _rec = helper_sq_vjp.fwd(x)
bx = 1.0
_gh = helper_sq_vjp.bwd(1.0, _rec)
bx = bx + _gh[0]
return bx if type(bx) is float else as_float(bx)
helper_sq_fwd(u):
_t1 = u * u
return (_t1, (None, u))
helper_sq_bwd(g_out, _record):
_stack, u = _record
b_t1 = g_out
bu = 2.0 * b_t1 * u
return (bu,)
""",
    'np_sum_sq': """\
bx = 2.0 * x
return fix_array(bx, x)
""",
    'np_dot': """\
_t1 = np.dot(w, x)
_t2 = _t1 ** 2
b_t2 = seed(_t2)
b_t1 = b_t2 * 2 * _t1
bw = dot_adjoint_a(b_t1, w, x)
bx = dot_adjoint_b(b_t1, w, x)
return (fix_array(bw, w), fix_array(bx, x))
""",
    'np_tanh': """\
_t1 = np.tanh(x)
bx = 1 - _t1 * _t1
return fix_array(bx, x)
""",
    'np_mean_sq': """\
_t1 = x - y
b_t2 = unreduce(1.0 / count_reduced(_t1, None), _t1, None, False)
b_t1 = b_t2 * 2 * _t1
by = -b_t1
return (fix_array(b_t1, x), fix_array(by, y))
""",
    'np_mean_sq_row': """\
_t1 = x - y
b_t2 = unreduce(1.0 / count_reduced(_t1, None), _t1, None, False)
b_t1 = b_t2 * 2 * _t1
by = unbroadcast(-b_t1, y)
return (fix_array(b_t1, x), fix_array(by, y))
""",
    'np_sin_scalar': """\
bx = -(np.sin(x) * np.sin(x)) + np.cos(x) * np.cos(x)
return bx
""",
    'mixed': """\
bx = 2 * y ** 2 * x + 2.0
by = 2 * x ** 2 * y
return (bx, by)
""",
}


def _grad(name):
    a = ARGS[name]
    return ast_ad.grad(globals()[name], wrt=tuple(range(len(a))) if len(a) > 1 else 0), a


def _body(src):
    return [ln for ln in src.splitlines()[1:] if ln.strip() and
            not ln.strip().startswith("#")]


def test_at_least_twenty_functions():
    assert len(GOLDEN) >= 20 and set(GOLDEN) == set(ARGS)


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_source(name):
    g, a = _grad(name)
    assert "\n".join(ln[4:] for ln in _body(ast_ad.source(g, *a))) + "\n" == GOLDEN[name]


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden_against_finite_differences(name):
    g, a = _grad(name)
    wrt = tuple(range(len(a))) if len(a) > 1 else 0
    got, ref = g(*a), fd_grad(globals()[name], a, wrt=wrt)
    if not isinstance(wrt, tuple):
        got, ref = (got,), (ref,)
    for x, r in zip(got, ref):
        assert_close(x, r, 1e-6, 1e-6, name)


def test_seed_reads_like_the_hand_derivation():
    src = ast_ad.source(ast_ad.grad(seed, wrt=(0, 1)), 3.0, 4.0)
    assert len(_body(src)) <= 3
    assert "bx = 2 * y * x" in src and "by = x ** 2 + 1.0" in src


def test_identities_keep_types():
    # `+ 0.0` and `* 1.0` stay for ints and arrays: the gradient keeps its type
    def f(x, k):
        return x * (k + 0.0)
    g = ast_ad.grad(f)
    assert g(2.0, 3) == 3.0 and type(g(2.0, 3)) is float
    x = np.arange(3.0)
    np.testing.assert_allclose(ast_ad.grad(lambda x: np.sum(x ** 1 * 1.0 + 0.0))(x),
                               np.ones(3))
