"""Forward mode refuses what reverse mode refuses: a value with a tangent through a string
(an f-string, ``"%r" % x``, ``str``, ``format``), and in-place calls it cannot model; and a
list read by a ufunc has the tangent of the array NumPy makes of it (tests/fd.py)."""

from __future__ import annotations

import numpy as np
import pytest

import ast_ad

from ..fd import assert_close, fd_directional


def fstring(x, s):
    return float(f"{s}") * x[0]


def percent(x, s):
    return float("%r" % s) + x[1]


def via_str(x, s):
    return float(str(x[2])) * s


def via_format(x, s):
    return float(format(s)) * 2.0


def fstring_in_loop(x, s):
    acc = 0.0
    for k in range(2):
        acc = acc + float(f"{x[k]}")
    return acc * s


X = np.array([0.3, -0.7, 1.1, 0.45])
S = 0.8
V = (np.array([0.5, -1.0, 0.25, 2.0]), -0.7)


@pytest.mark.parametrize("f", [fstring, percent, via_str, via_format, fstring_in_loop],
                         ids=lambda f: f.__name__)
def test_through_a_string_is_refused_in_both_modes(f):
    with pytest.raises(ast_ad.AstAdError):
        ast_ad.grad(f, wrt=(0, 1))(X.copy(), S)
    with pytest.raises(ast_ad.AstAdError):
        ast_ad.jvp(f, (X.copy(), S), V)


def ufunc_of_lists(x, s):
    return np.sum(np.multiply([s, s], [x[0], x[1]])) + np.sum(np.maximum([s, x[2]], -5.0))


def test_ufunc_of_a_list_forward():
    _, t = ast_ad.jvp(ufunc_of_lists, (X.copy(), S), V)
    assert_close(t, fd_directional(ufunc_of_lists, (X, S), (0, 1), V), 1e-6, 1e-7, "jvp")
