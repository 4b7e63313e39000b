"""``complex(a, b)`` built from differentiated reals, read back as real results
(``np.real``, ``abs``, ``.real``/``.imag``, ``z * conj(z)``): the oracle is finite
differences of the *real* output with respect to the real inputs (tests/fd.py), in reverse
and forward mode, and the Hessian for one.  ``grad`` of a complex output is refused (as
autograd and JAX do); ``jvp`` of one gives the complex tangent."""

from __future__ import annotations

import numpy as np
import pytest

import ast_ad

from ..fd import assert_close, fd_directional, fd_grad


def real_exp(x, s):
    z = complex(s, x[1])
    return np.real(np.exp(z * 0.5)) * x[0]


def builtin_abs(x, s):
    z = complex(x[0] * 2.0, np.sin(x[1]))
    return abs(z) ** 2 + abs(z * s)


def np_abs(x, s):
    return np.abs(complex(x[2], s) * (1.0 - 0.5j))


def real_and_imag(x, s):
    z = complex(x[0], x[1]) ** 2
    return z.real + 3.0 * z.imag * s


def with_conj(x, s):
    z = complex(s, x[2]) * np.exp(1j * x[0])
    return (z * np.conj(z)).real + np.imag(z * z)


def real_only(x, s):
    z = complex(x[0] * s)
    return (z * (2.0 + 1j)).imag


def imag_keyword(x, s):
    z = complex(real=x[0], imag=x[1] * s)
    return abs(z)


def in_loop(x, s):
    acc = 0.0
    for k in range(3):
        z = complex(x[k], s * k)
        acc = acc + np.real(z * z * (0.3 + 1j))
    return acc


CASES = [real_exp, builtin_abs, np_abs, real_and_imag, with_conj, real_only, imag_keyword,
         in_loop]
X = np.array([0.3, -0.7, 1.1, 0.45])
S = 0.8


@pytest.mark.parametrize("f", CASES, ids=lambda f: f.__name__)
def test_real_result_of_complex_reverse_and_forward(f):
    ref = fd_grad(f, (X, S), wrt=(0, 1))
    got = ast_ad.grad(f, wrt=(0, 1))(X.copy(), S)
    for g, r in zip(got, ref):
        assert not np.iscomplexobj(g)
        assert_close(g, r, 1e-6, 1e-7, f.__name__)
    v = (np.array([0.5, -1.0, 0.25, 2.0]), -0.7)
    _, tangent = ast_ad.jvp(f, (X.copy(), S), v)
    assert_close(np.real(tangent), fd_directional(f, (X, S), (0, 1), v), 1e-6, 1e-7,
                 f.__name__)


def test_second_order():
    def f(x):
        return np.real(np.exp(complex(x[0], x[1]) * 0.5)) * x[0]

    H = ast_ad.hessian(f)(X[:2].copy())
    cols = [fd_directional(ast_ad.grad(f), (X[:2],), 0, e) for e in np.eye(2)]
    assert_close(H, np.stack(cols, axis=-1), 1e-5, 1e-6, "hessian")


def complex_out(x, s):
    return complex(s, x[0]) ** 2


def test_grad_of_complex_output_is_refused():
    with pytest.raises(ast_ad.AstAdError):
        ast_ad.grad(complex_out, wrt=(0, 1))(X.copy(), S)


def test_jvp_of_complex_output():
    v = (np.array([0.5, -1.0, 0.25, 2.0]), -0.7)
    _, tangent = ast_ad.jvp(complex_out, (X.copy(), S), v)
    re = fd_directional(lambda x, s: complex_out(x, s).real, (X, S), (0, 1), v)
    im = fd_directional(lambda x, s: complex_out(x, s).imag, (X, S), (0, 1), v)
    assert_close(np.real(tangent), re, 1e-6, 1e-7, "real part")
    assert_close(np.imag(tangent), im, 1e-6, 1e-7, "imaginary part")
