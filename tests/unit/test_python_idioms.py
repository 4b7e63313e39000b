"""Idioms of SciPy's global-optimization benchmarks, checked without that corpus:
``max``/``min`` of one iterable, lists of constants in NumPy arithmetic, and lists that a
helper returned joined or repeated by ``+``/``*`` (refused at run time, never a wrong
gradient) -- reverse and forward mode against finite differences (tests/fd.py); and the
benchmark harness itself on a small synthetic folder."""

import importlib.util
import pathlib
import textwrap

import numpy as np
import pytest

import ast_ad
from ast_ad.errors import UnsupportedConstructError
from tests.fd import assert_close, fd_directional, fd_grad

X = np.array([1.5, -2.5, 0.7])
V = np.array([0.3, -0.7, 0.4])


def check(f, x=X, v=V):
    assert_close(ast_ad.grad(f)(x.copy()), fd_grad(f, (x,)), 1e-6, 1e-6, f.__name__)
    _, t = ast_ad.jvp(f, (x.copy(),), (v,))
    assert_close(t, fd_directional(f, (x,), 0, v), 1e-6, 1e-6, f.__name__ + " (jvp)")


# -- max / min of one iterable ----------------------------------------------------------------
def max_of_array(x):
    return max(x ** 2)


def min_of_array(x):
    return min(np.sin(x))


def max_of_list(x):
    return max([x[0] * 2, x[1] ** 2, x[2]])


def max_of_generator(x):
    return max(v * v for v in x)


def max_with_key(x):
    return max([x[0], x[1], x[2]], key=abs)


def min_of_generator_with_key(x):
    return min((v for v in x), key=lambda v: -v)


def max_of_tuple(x):
    return max((x[0], x[2])) * x[1]


def max_of_abs_array(x):  # SciPy's Schwefel21 / OddSquare
    return max(abs(x)) + 3.0 * np.sum(x)


def max_of_dict_is_a_key(x):
    d = {1.0: x[0], 0.0: x[1]}
    return max(d) * x[2]


@pytest.mark.parametrize("f", [max_of_array, min_of_array, max_of_list, max_of_generator,
                               max_with_key, min_of_generator_with_key, max_of_tuple,
                               max_of_abs_array, max_of_dict_is_a_key])
def test_max_min_of_one_iterable(f):
    check(f)


def test_max_of_one_iterable_takes_the_first_of_ties():
    def f(x):
        return max([x[0], x[1]])

    assert list(ast_ad.grad(f)(np.array([2.0, 2.0]))) == [1.0, 0.0]  # as Python's max


def test_max_of_an_empty_sequence_raises_as_python():
    def f(x):
        return max(x[:0])

    with pytest.raises(ValueError, match="empty"):
        ast_ad.grad(f)(X)


# -- lists of constants with differentiated arrays ------------------------------------------
def constant_lists(x):
    a = [3.0, 5.0, 2.0]
    c = [1.0, 2.0, 5.0]
    return np.sum(c * np.exp(-(x[0] - a) ** 2) * np.cos(x[1] - a)) + \
        np.sum(x / c) + np.sum(c / (x + 4.0)) + np.sum((x - a) ** 2)


def constant_list_minus_reduction(x):  # SciPy's PowerSum
    b = [8.0, 18.0, 44.0]
    k = np.atleast_2d(np.arange(3) + 1).T
    return np.sum((np.sum(x ** k, axis=1) - b) ** 2)


@pytest.mark.parametrize("f", [constant_lists, constant_list_minus_reduction])
def test_lists_of_constants_are_numpy_arithmetic(f):
    check(f)


# -- lists a helper returned, joined or repeated -------------------------------------------
def pair(x):
    return [x[0], x[1]]


def one(x):
    return [x[0]]


def helper_lists_joined(x):
    c = one(x) + one(x * 2.0)
    return c[0] * c[1]


def helper_list_repeated(x):
    c = one(x) * 2
    return c[0] * c[1]


def helper_list_repeated_left(x):
    c = 2 * one(x)
    return c[1]


def helper_tuples_joined(x):
    c = tuple(pair(x)) + tuple(pair(x * 3.0))
    return c[0] * c[3] + c[1]


def constant_list_joined_with_helper_list(x):
    c = [1.0]
    d = c + pair(x)
    return d[1] * d[2]


@pytest.mark.parametrize("f", [helper_lists_joined, helper_list_repeated,
                               helper_list_repeated_left,
                               constant_list_joined_with_helper_list])
def test_helper_lists_joined_or_repeated_are_refused_in_reverse_mode(f):
    with pytest.raises(UnsupportedConstructError,
                       match="joined or repeated|concatenating or repeating"):
        ast_ad.grad(f)(X)


@pytest.mark.parametrize("f", [helper_lists_joined, constant_list_joined_with_helper_list])
def test_helper_lists_joined_are_refused_in_forward_mode(f):
    with pytest.raises(UnsupportedConstructError, match="joined or repeated"):
        ast_ad.jvp(f, (X,), (V,))


@pytest.mark.parametrize("f", [helper_list_repeated, helper_list_repeated_left])
def test_helper_list_repeated_is_right_in_forward_mode(f):
    _, t = ast_ad.jvp(f, (X,), (V,))
    assert_close(t, fd_directional(f, (X,), 0, V), 1e-6, 1e-6, f.__name__)


def known_list_joined_with_itself(x):
    a = [x[0], x[1]]
    c = a + a
    return c[0] * c[3]


@pytest.mark.parametrize("f", [known_list_joined_with_itself, helper_tuples_joined])
def test_known_sequences_joined_are_derived_in_both_modes(f):
    """``tuple(...)``/literals are surely sequences: ``+`` is ``seq_concat``."""
    assert_close(ast_ad.grad(f)(X.copy()), fd_grad(f, (X,)), 1e-6, 1e-6, f.__name__)
    _, t = ast_ad.jvp(f, (X,), (V,))
    assert_close(t, fd_directional(f, (X,), 0, V), 1e-6, 1e-6, f.__name__)


def sq(u):
    return u * u


def helper_values_in_arithmetic(x):  # a helper's array result still adds and multiplies
    return np.sum(sq(x) + x) + np.sum(2 * sq(x)) + np.sum(sq(x) * sq(x[0]))


def numpy_reads_one_helper_list_twice(x):
    a = pair(x)
    return np.sum(np.add(a, a) * x[:2])


@pytest.mark.parametrize("f", [helper_values_in_arithmetic, numpy_reads_one_helper_list_twice])
def test_helper_values_still_derived(f):
    assert_close(ast_ad.grad(f)(X.copy()), fd_grad(f, (X,)), 1e-6, 1e-6, f.__name__)


# -- the benchmark harness on a synthetic folder ----------------------------------------------
_BASE = '''
import numpy as np
from ..common import safe_import


class Benchmark:
    def __init__(self, dimensions):
        self._dimensions = dimensions
        self.nfev = 0
        self.change_dimensionality = False

    def change_dimensions(self, ndim):
        self._dimensions = ndim

    @property
    def bounds(self):
        if self.change_dimensionality:
            return [self._bounds[0]] * self.N
        return self._bounds

    @property
    def N(self):
        return self._dimensions
'''

_FUNCS = '''
import numpy as np
from numpy import abs, floor, sum
from .go_benchmark import Benchmark


class Smooth(Benchmark):
    def __init__(self, dimensions=2):
        Benchmark.__init__(self, dimensions)
        self._bounds = list(zip([-2.0] * self.N, [2.0] * self.N))
        self.change_dimensionality = True

    def fun(self, x, *args):
        self.nfev += 1
        return sum(x ** 2) + max(abs(x)) + self.N


class Kinked(Benchmark):
    def __init__(self, dimensions=2):
        Benchmark.__init__(self, dimensions)
        self._bounds = [(-3.0, 3.0), (-3.0, 3.0)]

    def fun(self, x, *args):
        self.nfev += 1
        return abs(x[0]) + x[1] ** 2


class Stepped(Benchmark):
    def __init__(self, dimensions=2):
        Benchmark.__init__(self, dimensions)
        self._bounds = [(0.0, 1.0), (0.0, 1.0)]

    def fun(self, x, *args):
        self.nfev += 1
        return sum(floor(1e7 * x))


class Noisy(Benchmark):
    def __init__(self, dimensions=2):
        Benchmark.__init__(self, dimensions)
        self._bounds = [(0.0, 1.0), (0.0, 1.0)]

    def fun(self, x, *args):
        self.nfev += 1
        return sum(np.random.random(2) * x)


class Refused(Benchmark):
    def __init__(self, dimensions=2):
        Benchmark.__init__(self, dimensions)
        self._bounds = [(0.5, 1.0), (0.5, 1.0)]

    def fun(self, x, *args):
        self.nfev += 1
        try:  # (a bare raise in an except clause stays refused)
            return sum(1.0 / x)
        except ZeroDivisionError:
            raise
'''


def _harness():
    path = pathlib.Path(__file__).parents[2] / "benchmarks" / "go_benchmarks.py"
    spec = importlib.util.spec_from_file_location("go_benchmarks_under_test", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_harness_classifies_a_synthetic_folder(tmp_path):
    (tmp_path / "go_benchmark.py").write_text(textwrap.dedent(_BASE))
    (tmp_path / "go_funcs_A.py").write_text(textwrap.dedent(_FUNCS))
    mod = _harness()
    results, counts, more = mod.run(str(tmp_path), verbose=False)
    status = {k: v[0] for k, v in results.items()}
    assert status == {"Smooth": "ok", "Kinked": "ok", "Stepped": "ok_fine",
                      "Noisy": "skipped", "Refused": "refused"}, results
    assert more == {"Smooth": ("ok", "")}
    assert counts["ok"] == 2 and counts["ok_fine"] == 1 and counts["wrong"] == 0
    assert mod.reason(results["Refused"][1]) == mod.reason(
        results["Refused"][1].split(" (")[0] + " (somewhere.py:3)")
