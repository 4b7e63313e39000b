"""ast_ad.testing.check_grad: passes correct gradients, catches wrong ones with a table."""

import math

import numpy as np
import pytest

import ast_ad
from ast_ad import dual
from ast_ad.errors import AstAdError, GradientCheckError, NonScalarOutputError
from ast_ad.testing import GradCheckReport, check_grad


def fresh_mysin():
    """A new helper function object per test, so a (wrong) rule on it stays in that test."""

    def mysin(x):
        return np.sin(x)

    return mysin


def with_wrong_rule():
    mysin = fresh_mysin()
    ast_ad.defvjp(mysin, lambda g, ans, x: g * np.sin(x))  # wrong: should be g * cos(x)
    return mysin


# -- correct gradients pass -------------------------------------------------------------
def test_scalar_function_uses_every_oracle():
    def f(x):
        return math.sin(x) * x + x**3

    report = check_grad(f, 1.3)
    assert isinstance(report, GradCheckReport)
    assert report.oracles == ("finite diff", "tape", "dual")
    (arg,) = report.args
    assert arg.name == "x" and arg.size == 1 and not arg.projected
    assert arg.max_abs_err < 1e-8
    assert report.value == pytest.approx(math.sin(1.3) * 1.3 + 1.3**3)
    assert "ok against finite diff, tape, dual" in str(report)


def test_arrays_with_broadcasting_and_several_wrt():
    def f(x, b, w):
        return np.sum(np.tanh(x + b) ** 2 * w)

    rng = np.random.default_rng(1)
    x, b = rng.standard_normal((3, 4)), rng.standard_normal(4)
    report = check_grad(f, x, b, 0.5, wrt=(0, 1, "w"))
    assert [a.name for a in report.args] == ["x", "b", "w"]
    assert [a.size for a in report.args] == [12, 4, 1]


def test_int_argument_and_keyword_arguments_named_like_options():
    def f(k, x, rtol=1.0, eps=2.0):
        return k * x**2 * rtol + eps * x

    report = check_grad(f, 3, 2.0, wrt=("k", "x"), kwargs={"rtol": 3.0, "eps": 0.5})
    assert report.value == pytest.approx(3 * 4.0 * 3.0 + 1.0)


def test_list_argument():
    def f(ps, x):
        return np.sum(ps[0] * x) + np.sum(ps[1] ** 2)

    report = check_grad(f, [np.ones(2), np.arange(3.0)], np.ones(2))
    assert report.args[0].size == 5


def test_float32_inputs_are_compared_with_float32_tolerances():
    def f(x, w):
        return np.sum(np.tanh(x * w) ** 2)

    x = np.linspace(-1, 1, 6).astype(np.float32)
    report = check_grad(f, x, np.float32(0.7), wrt=(0, 1))
    assert report.args[0].dtype == "float32"


# -- wrong gradients are caught, with a table naming the bad entries ---------------------
def test_wrong_rule_is_caught_and_the_table_names_the_bad_entries():
    mysin = with_wrong_rule()
    mask = np.array([1.0, 0.0, 1.0, 0.0, 0.0])

    def f(x):
        return np.sum(mysin(x) * mask)

    with pytest.raises(GradientCheckError) as info:
        check_grad(f, np.linspace(0.1, 1.0, 5))
    msg = str(info.value)
    assert isinstance(info.value, AssertionError)
    assert "argument x (5 entries, float64): 2 of 5 disagree" in msg
    header = next(line for line in msg.splitlines() if line.strip().startswith("index"))
    for col in ("ast_ad", "finite diff", "tape", "abs err", "rel err"):
        assert col in header
    rows = {line.split()[0]: line for line in msg.splitlines() if line.startswith("    x[")}
    assert set(rows) == {"x[0]", "x[2]"}  # only the entries the wrong rule reaches
    want = f"{math.cos(0.1):.9g}"  # the finite differences show the right derivative
    assert want in rows["x[0]"] and f"{math.sin(0.1):.9g}" in rows["x[0]"]
    hint = "ast_ad and the tape agree with each other but not with finite differences"
    assert hint in " ".join(msg.split())


def test_wrong_rule_on_a_scalar_is_seen_by_dual_numbers_too():
    mysin = with_wrong_rule()

    def f(x):
        return mysin(x) * 2.0

    with pytest.raises(GradientCheckError) as info:
        check_grad(f, 0.4)
    row = next(line for line in str(info.value).splitlines() if line.startswith("    x "))
    assert "finite diff, dual" in row  # both independent oracles disagree; the tape shares it


def test_only_the_worst_entries_are_listed():
    mysin = with_wrong_rule()

    def f(x):
        return np.sum(mysin(x))

    with pytest.raises(GradientCheckError) as info:
        check_grad(f, np.linspace(0.1, 1.0, 12))
    msg = str(info.value)
    assert "12 of 12 disagree (worst 5 shown)" in msg
    assert sum(line.startswith("    x[") for line in msg.splitlines()) == 5
    assert "    x[0] " in msg  # |cos - sin| is largest at the smallest x


def test_wrong_gradient_type_and_value_are_reported(monkeypatch):
    def f(x):
        return np.sum(x**2)

    def fake_value_and_grad(fn, wrt=0, registry=None):
        return lambda x: (np.sum(x**2) + 1.0, (2 * x).astype(np.float32))

    monkeypatch.setattr(ast_ad, "value_and_grad", fake_value_and_grad)
    with pytest.raises(GradientCheckError) as info:
        check_grad(f, np.arange(3.0), tape=False)
    msg = str(info.value)
    assert "expected an ndarray of shape (3,) and dtype float64" in msg
    assert "got an ndarray of shape (3,) and dtype float32" in msg
    assert "value: ast_ad.value_and_grad gives 6 but f(*args) is 5 (abs err 1.00e+00)" in msg


def test_tape_failure_is_a_failure_unless_tape_false(monkeypatch):
    from ast_ad import tape

    def broken(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(tape, "grad", broken)

    def f(x):
        return x * x

    with pytest.raises(GradientCheckError, match="tape=False"):
        check_grad(f, 2.0)
    assert "tape" not in check_grad(f, 2.0, tape=False).oracles


def test_dual_numbers_are_skipped_quietly_when_they_cannot_run_f():
    def f(x):
        return np.logaddexp(x, 0.5)  # no dual formula for logaddexp

    report = check_grad(f, 0.3)
    assert "dual" not in report.oracles
    assert "logaddexp" in report.skipped["dual"]


# -- random projection --------------------------------------------------------------------
def test_projection_on_a_large_input():
    def f(x):
        return np.sum(np.tanh(x) ** 2 * np.cos(x))

    x = np.linspace(-2, 2, 2000)
    report = check_grad(f, x)
    assert report.args[0].projected and report.args[0].size == 2000
    assert not check_grad(f, x[:50]).args[0].projected
    assert check_grad(f, x[:50], projection=True).args[0].projected


def test_projection_catches_a_wrong_rule_deterministically():
    mysin = with_wrong_rule()

    def f(x):
        return np.sum(mysin(x) * x)

    x = np.linspace(-1, 1, 2000)
    msgs = []
    for _ in range(2):
        with pytest.raises(GradientCheckError) as info:
            check_grad(f, x, seed=3, tape=False)
        msgs.append(str(info.value))
    assert msgs[0] == msgs[1]
    assert "along 3 random unit directions v (seed=3)" in msgs[0]
    assert "    v0 " in msgs[0]


def test_projection_still_compares_the_tape_entry_by_entry(monkeypatch):
    from ast_ad import tape

    def f(x):
        return np.sum(x**2)

    def wrong_tape_grad(fn, wrt=0, registry=None):
        def g(x):
            out = 2 * x
            out[7] += 1.0
            return out
        return g

    monkeypatch.setattr(tape, "grad", wrong_tape_grad)
    with pytest.raises(GradientCheckError) as info:
        check_grad(f, np.linspace(-1, 1, 1500))
    msg = str(info.value)
    assert "argument x (1500 entries, float64): 1 of 1500 disagree" in msg
    assert "    x[7] " in msg
    assert "probably a tape bug" in " ".join(msg.split())


# -- complex step ------------------------------------------------------------------------
def test_complex_step_on_an_analytic_function():
    def f(x, y):
        return np.sum(np.exp(np.sin(x) * y) / (1.0 + x**2))

    report = check_grad(f, np.linspace(-1, 1, 7), 0.3, wrt=(0, 1), method="complex-step")
    assert "complex step" in report.oracles
    assert report.args[0].max_abs_err < 1e-8


def test_complex_step_with_abs_is_reported_as_non_analytic():
    def f(x):
        return np.sum(np.abs(x) ** 3)

    with pytest.raises(GradientCheckError) as info:
        check_grad(f, np.array([-1.0, 0.5, 2.0]), method="complex-step")
    msg = str(info.value)
    assert "complex step vs finite diff" in msg
    assert "not complex-analytic" in " ".join(msg.split())  # (the hint is wrapped)


def test_complex_step_needs_complex_input():
    def f(x):
        return math.sin(x)

    with pytest.raises(AstAdError, match="method='central'"):
        check_grad(f, 0.3, method="complex-step")


# -- forward mode and second order (when ast_ad has them) ----------------------------------
def _dual_jvp(scale=1.0):
    """A stand-in for ast_ad.jvp on scalar functions, made of dual numbers."""

    def jvp(f, primals, tangents):
        value = f(*primals)
        t = sum(dual.derivative(f, wrt=i)(*primals) * tangents[i] for i in range(len(primals)))
        return value, scale * t

    return jvp


def test_fwd_mode_requires_jvp():
    if hasattr(ast_ad, "jvp"):
        pytest.skip("ast_ad.jvp exists")
    with pytest.raises(AstAdError, match="ast_ad.jvp"):
        check_grad(lambda x: x, 1.0, modes=("rev", "fwd"))


def test_fwd_mode_checks_jvp(monkeypatch):
    def f(x, y):
        return math.exp(x) * y

    monkeypatch.setattr(ast_ad, "jvp", _dual_jvp(), raising=False)
    assert "jvp" in check_grad(f, 0.3, 2.0, wrt=(0, 1), modes=("rev", "fwd")).oracles
    monkeypatch.setattr(ast_ad, "jvp", _dual_jvp(scale=1.5), raising=False)
    with pytest.raises(GradientCheckError, match="forward mode"):
        check_grad(f, 0.3, 2.0, wrt=(0, 1), modes=("rev", "fwd"))


def test_order_2_requires_hessian_and_checks_it(monkeypatch):
    def f(x):
        return np.sum(x**3)

    x = np.array([0.5, -1.0, 2.0])
    if not hasattr(ast_ad, "hessian"):
        with pytest.raises(AstAdError, match="ast_ad.hessian"):
            check_grad(f, x, order=2)
    monkeypatch.setattr(ast_ad, "hessian", lambda fn, wrt=0: lambda x: np.diag(6 * x),
                        raising=False)
    assert "hessian" in check_grad(f, x, order=2).oracles
    monkeypatch.setattr(ast_ad, "hessian", lambda fn, wrt=0: lambda x: np.diag(6 * x) + 0.1,
                        raising=False)
    with pytest.raises(GradientCheckError, match=r"H\[x\[0\], x\[1\]\]"):
        check_grad(f, x, order=2)


# -- usage errors --------------------------------------------------------------------------
@pytest.mark.parametrize("opts", [
    {"method": "forward"}, {"projection": "yes"}, {"order": 3}, {"modes": ("rev", "sideways")},
])
def test_bad_options(opts):
    with pytest.raises(AstAdError):
        check_grad(lambda x: x * x, 1.0, **opts)


def test_non_scalar_output():
    def f(x):
        return x * 2.0

    with pytest.raises(NonScalarOutputError):
        check_grad(f, np.ones(3))


def test_unsupported_argument_type():
    def f(s, x):
        return x

    with pytest.raises(AstAdError, match="str"):
        check_grad(f, "a", 1.0, wrt=0)
