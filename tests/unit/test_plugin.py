"""ast_ad.pytest_plugin: the assert_grads fixture, run through pytester."""

import os

import numpy as np
import pytest

from ast_ad.pytest_plugin import tolerances_for

pytest_plugins = ["pytester"]


def run(pytester, *args):
    # the plugin is loaded by its pytest11 entry point; load it by hand when autoload is off
    extra = ["-p", "ast_ad.pytest_plugin"] if os.environ.get(
        "PYTEST_DISABLE_PLUGIN_AUTOLOAD") else []
    return pytester.runpytest(*extra, "-p", "no:cacheprovider", *args)


GOOD = '''
import math
import numpy as np
import pytest

def loss(w, x):
    return np.sum(np.tanh(x @ w) ** 2)

def test_arrays(assert_grads):
    rng = np.random.default_rng(0)
    report = assert_grads(loss, rng.standard_normal(3), rng.standard_normal((4, 3)))
    assert report.oracles[:2] == ("finite diff", "tape")
    assert assert_grads.reports == [report]

def test_float32(assert_grads):
    w = np.linspace(-1, 1, 3).astype(np.float32)
    assert_grads(loss, w, np.eye(3, dtype=np.float32), wrt=(0, 1))

def test_scalar(assert_grads):
    def f(x, y):
        return math.sin(x) * y
    assert "dual" in assert_grads(f, 0.5, 2.0, wrt=("x", "y")).oracles

@pytest.mark.ast_ad(tape=False)
def test_marker(assert_grads):
    assert "tape" not in assert_grads(loss, np.ones(3), np.eye(3)).oracles
'''

BAD = '''
import numpy as np
import ast_ad

def mysin(x):
    return np.sin(x)

ast_ad.defvjp(mysin, lambda g, ans, x: g * np.sin(x))   # wrong on purpose

def loss(x):
    return np.sum(mysin(x) * np.array([0.0, 1.0, 0.0]))

def test_wrong_rule(assert_grads):
    assert_grads(loss, np.array([0.1, 0.2, 0.3]))
'''


def test_fixture_passes_correct_gradients(pytester):
    pytester.makepyfile(test_good=GOOD)
    result = run(pytester, "-q")
    result.assert_outcomes(passed=4)


def test_fixture_fails_with_the_table(pytester):
    pytester.makepyfile(test_bad=BAD)
    result = run(pytester, "-q")
    result.assert_outcomes(failed=1)
    out = result.stdout.str()
    assert "GradientCheckError" in out
    assert "argument x (3 entries, float64): 1 of 3 disagree" in out
    result.stdout.re_match_lines([r".*index\s+ast_ad\s+finite diff\s+tape\s+abs err\s+rel err.*",
                                  r".*x\[1\]\s+0\.198669331\s+0\.980066578.*"])
    assert "x[0]" not in out and "x[2]" not in out


def test_marker_is_registered(pytester):
    result = run(pytester, "--markers")
    result.stdout.fnmatch_lines(["*@pytest.mark.ast_ad(**options)*"])


@pytest.mark.parametrize("args,want", [
    ((1.0, np.ones(2)), (1e-6, 1e-9)),
    ((np.ones(2, dtype=np.float32), 2.0), (1e-3, 1e-5)),
    ((np.float16(1.0),), (3e-2, 1e-3)),
    (([np.ones(2), {"b": np.ones(1, dtype=np.float32)}],), (1e-3, 1e-5)),
    ((3, "label"), (1e-6, 1e-9)),
])
def test_tolerances_follow_the_lowest_precision(args, want):
    tol = tolerances_for(*args)
    assert (tol["rtol"], tol["atol"]) == want
