"""A real array's gradient through complex intermediates is the real part of its complex
cotangent, taken where the cotangent meets the real array (``accum_index``, the element
buffer ``bx[i] += g``, ``signature.match``, ``cast_like``): the gradient is right
(finite differences, tests/fd.py) and no ComplexWarning reaches the user."""

import warnings

import numpy as np
import pytest

import ast_ad
from tests.fd import assert_close, fd_directional, fd_grad

X = np.array([0.5, 1.2, -0.3])
V = np.array([0.3, -0.7, 0.4])


def modulus_squared(x):
    z = x[0] + 1j * x[1]
    return np.abs(z) ** 2


def phases(x):
    z = np.exp(1j * x)
    return np.sum(np.real(z * np.conj(z[0]))) + np.sum(np.imag(z) * x)


def cast_to_complex(x):
    z = x.astype(complex)
    return np.real(np.sum(z * z * 1j + z))


def element_through_complex(x):
    s = x[2]
    z = np.exp(1j * s)
    return np.imag(z) * x[0]


def loop_through_complex(x):
    acc = 0.0
    for i in range(3):
        acc = acc + np.real(np.exp(1j * x[i]) * (1.0 + 2.0j)) * x[i]
    return acc


@pytest.mark.parametrize("f", [modulus_squared, phases, cast_to_complex,
                               element_through_complex, loop_through_complex])
def test_real_gradient_through_complex_values_without_warnings(f):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a ComplexWarning (or any other) fails the test
        g = ast_ad.grad(f)(X.copy())
        _, t = ast_ad.jvp(f, (X.copy(),), (V,))
    assert g.dtype == np.float64
    assert_close(g, fd_grad(f, (X,)), 1e-6, 1e-6, f.__name__)
    assert_close(t, fd_directional(f, (X,), 0, V), 1e-6, 1e-6, f.__name__ + " (jvp)")
