"""The one array-method table, ``ast_ad.rules.methods``: the transformer and the tape read
the same table, and both differentiate each method the way NumPy defines it.

One test per disagreement between the two tables this one replaced (``passes/anf.py`` and
``tape/tracer.py``), each checking ``ast_ad.grad`` and ``ast_ad.tape.grad`` against central
finite differences.
"""

import numpy as np
import pytest

import ast_ad
from ast_ad import tape
from ast_ad.passes import anf
from ast_ad.rules import methods as M
from ast_ad.tape import tracer

X = np.array([[0.5, -0.2, 1.3, 0.9], [0.1, 0.7, -1.1, 0.4], [1.6, 0.3, 0.2, -0.8]])
W = np.arange(1.0, 13.0).reshape(3, 4) / 7.0
GRADS = [pytest.param(ast_ad.grad, id="transformer"), pytest.param(tape.grad, id="tape")]


def _fd(f, x, h=1e-6):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[i] += h
        xm[i] -= h
        g[i] = (f(xp) - f(xm)) / (2 * h)
    return g


def _check(grad, f, x=X):
    a = x.copy()
    g = grad(f)(a)
    np.testing.assert_allclose(g, _fd(f, x), rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(a, x)  # the argument is never written


def test_the_transformer_and_the_tape_read_one_table():
    assert anf.ARRAY_METHODS is M.ARRAY_METHODS
    assert anf.ARRAY_ATTRS is M.ARRAY_ATTRS
    assert anf.NONDIFF_ATTRS is M.NONDIFF_ATTRS
    assert tracer.ARRAY_METHODS is M.ARRAY_METHODS
    assert tracer.ARRAY_ATTRS is M.ARRAY_ATTRS


# -- item: NumPy reads a flat index (the tape read row k; anf called float(x, k)) ----------
def item_flat(x):
    return x.item(5) * 3.0 + x.item(-1)


def item_multi(x):
    return x.item(1, 2) * 3.0 + x.item((2, 3)) ** 2


def item_only(x):
    return x[0:1, 1:2].item() * 3.0  # a (1, 1) array: anf's float() refused it


@pytest.mark.parametrize("grad", GRADS)
@pytest.mark.parametrize("f", [item_flat, item_multi, item_only])
def test_item_reads_what_numpy_reads(grad, f):
    _check(grad, f)


def test_item_helper_has_numpy_semantics():
    for args in [(), (5,), (-1,), (1, 2), ((2, 3),), (-1, -2)]:
        x = X if args else X[1:2, 2:3]
        assert M.item(x, *M.method_args("xs", args)) == x.item(*args)
    with pytest.raises(ValueError):
        M.item(X)
    with pytest.raises(IndexError):
        M.item(X, 12)


def item_of_many(x):
    return x.item() * 2.0


@pytest.mark.parametrize("grad", GRADS)
def test_item_of_a_larger_array_raises_like_numpy(grad):
    with pytest.raises(ValueError, match="size 1"):
        grad(item_of_many)(X.copy())


# -- flatten is a copy (anf used np.ravel, a view the transformer then refused to write) ----
def flatten_then_write(x):
    y = x.flatten()
    y[0] = 5.0
    return np.sum(x * W) + np.sum(y * y)


def flatten_fortran(x):
    return np.sum(x.flatten("F") * W.ravel())


@pytest.mark.parametrize("grad", GRADS)
@pytest.mark.parametrize("f", [flatten_then_write, flatten_fortran])
def test_flatten_is_a_copy(grad, f):
    _check(grad, f)


# -- reshape/transpose take NumPy's keywords (anf's method_reshape refused order=) ---------
def reshape_order(x):
    return np.sum(x.reshape(4, 3, order="F") * W.reshape(4, 3))


def reshape_forms(x):
    return np.sum(x.reshape((2, 6)) * W.reshape(2, 6)) + np.sum(x.reshape(-1) ** 2)


def transpose_forms(x):
    return np.sum(x.transpose(1, 0) * W.T) + np.sum(x.transpose((1, 0)) ** 2) + np.sum(x.T)


@pytest.mark.parametrize("grad", GRADS)
@pytest.mark.parametrize("f", [reshape_order, reshape_forms, transpose_forms])
def test_reshape_and_transpose(grad, f):
    _check(grad, f)


# -- x.real of a real array is x (anf: non-differentiable, a zero gradient; tape: no rule) --
def real_part(x):
    return np.sum(x.real ** 2)


def imag_part(x):
    return np.sum(x.imag) + np.sum(x * x.imag) + np.sum(x)


def real_of_a_scalar(x):
    s = np.sum(x)
    return s.real * 2.0 + s.imag


def complex_constant_parts(x):
    c = np.array([1 + 2j, 3 - 1j, 0.5j, 2.0])
    return np.sum(x[0] * c.real) + np.sum(x[1] * c.imag)


@pytest.mark.parametrize("grad", GRADS)
@pytest.mark.parametrize("f", [real_part, imag_part, real_of_a_scalar, complex_constant_parts])
def test_real_and_imag(grad, f):
    _check(grad, f)


class _Parts:
    real, imag = 2.0, 3.0  # an object of the user's with attributes named like NumPy's


PARTS = _Parts()


def user_object_parts(x):
    return np.sum(x) * PARTS.real + PARTS.imag


@pytest.mark.parametrize("grad", GRADS)
def test_real_and_imag_of_other_objects_are_their_attributes(grad):
    _check(grad, user_object_parts)


# -- methods anf's table lacked: silently zero gradients before ----------------------------
def conjugate(x):
    return np.sum(x.conjugate() * W)


def trace(x):
    return x.trace() + x.trace(1) * 2.0


def tolist(x):
    rows = x.tolist()
    return rows[0][1] * 2.0 + rows[2][3] ** 2


@pytest.mark.parametrize("grad", GRADS)
@pytest.mark.parametrize("f", [conjugate, trace, tolist])
def test_methods_the_transformer_missed(grad, f):
    _check(grad, f)


def test_tolist_gives_the_same_values():
    assert M.tolist(X) == X.tolist()
    assert M.tolist(np.float64(2.5)) == 2.5


# -- methods whose NumPy function got its rules with the breadth rules (numpy_more) ----------
def cumprod(x):
    return np.sum(x.cumprod())


def diagonal(x):
    return np.sum(x.diagonal(1) ** 2)


def take(x):
    return np.sum(x.take([0, 5, 5]))


def repeat(x):
    return np.sum(x.repeat(2, axis=0) ** 2)


@pytest.mark.parametrize("grad", GRADS)
@pytest.mark.parametrize("f", [cumprod, diagonal, take, repeat])
def test_methods_whose_function_has_rules_now(grad, f):
    _check(grad, f)


def test_ptp_only_where_ndarray_has_it():
    # NumPy 2 removed ndarray.ptp; the tape accepted x.ptp() where NumPy raises
    assert ("ptp" in M.ARRAY_METHODS) == hasattr(np.ndarray, "ptp")


# -- forward mode reads the same table ------------------------------------------------------
@pytest.mark.parametrize("f", [item_flat, item_multi, flatten_then_write, reshape_order,
                               real_part, imag_part, trace, tolist])
def test_forward_mode(f):
    v = np.random.default_rng(1).standard_normal(X.shape)
    h = 1e-6
    want = (f(X + h * v) - f(X - h * v)) / (2 * h)
    _, got = ast_ad.jvp(f, (X.copy(),), (v,))
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)


# -- x.fill(v): in place; the tape records the write, the transformer does not see it ------
def fill(x):
    y = x.copy()
    y.fill(0.5)
    return np.sum(y * x) + np.sum(x)


def test_fill_on_the_tape():
    _check(tape.grad, fill)


def test_fill_in_the_transformer():  # modelled as x[...] = v (passes/mutation.py)
    _check(ast_ad.grad, fill)
