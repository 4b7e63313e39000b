"""Never silently wrong: each family of the soundness issue is derived (checked against
central finite differences) or refused with an AstAdError at the user's line."""


import logging
import operator

import numpy as np
import pytest

import ast_ad
from ast_ad.errors import AstAdError

X = np.array([0.5, 1.5, 2.0])


def fd(f, x, h=1e-6):
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def derived(f, x=X):
    x0 = x.copy()
    g = ast_ad.grad(f)(x)
    np.testing.assert_array_equal(x, x0)  # the caller's data is untouched
    np.testing.assert_allclose(g, fd(f, x0), rtol=1e-6, atol=1e-6)


def refused(f, x=X, match=None):
    with pytest.raises(AstAdError, match=match) as e:
        ast_ad.grad(f)(x.copy())
    assert "test_soundness.py" in str(e.value)  # named at the user's file
    return e.value


# -- values read around in-place writes ---------------------------------------------
def read_before_write(x):
    y = 2.0 * x
    x[0] = 0.0
    return np.sum(x * y)


def copy_written_and_read_with_its_source(x):
    y = x * 1.0
    y[0] = x[1] ** 2
    return np.sum(y * x)


@pytest.mark.parametrize("f", [read_before_write, copy_written_and_read_with_its_source])
def test_in_place_writes_read_around(f):
    derived(f)


# -- mutation through NumPy's in-place API (modelled) ---------------------------------
def add_at(x):
    out = np.zeros(3)
    np.add.at(out, [0, 0, 1], x[:3])
    return np.sum(out * out)


def subtract_at_2d(x):
    out = np.ones((2, 3))
    np.subtract.at(out, (0, [0, 2, 2]), x)
    return np.sum(out ** 3)


def ufunc_out(x):
    y = np.zeros(3)
    np.multiply(x, 2.0, out=y)
    return np.sum(y * x)


def ufunc_out_result(x):
    y = np.zeros(3)
    z = np.sin(x, out=y)
    return np.sum(z * y * x)


def fill(x):
    y = x * 2.0
    y.fill(1.0)
    return np.sum(y * x)


def copyto(x):
    y = np.zeros(3)
    np.copyto(y, x)
    return np.sum(y ** 2)


def copyto_param(x):
    y = x * 3.0
    np.copyto(x, y)
    return np.sum(x * y)


def fill_diagonal(x):
    M = np.outer(x, x[::-1])
    np.fill_diagonal(M, x[0] * 2.0)
    return np.sum(M * M) + np.sum(np.sin(M))


def fill_diagonal_repeating(x):
    M = np.zeros((4, 3))
    M[:, 1] = x[2]
    np.fill_diagonal(M, x[:2] ** 2, wrap=True)
    return np.sum(M ** 3)


@pytest.mark.parametrize("f", [add_at, subtract_at_2d, ufunc_out, ufunc_out_result, fill,
                               copyto, copyto_param, fill_diagonal, fill_diagonal_repeating])
def test_in_place_numpy_api_is_modelled(f):
    derived(f)


def multiply_at(x):
    out = np.ones(3)
    np.multiply.at(out, [0, 1], x[:2])
    return np.sum(out)


def put(x):
    y = x * 1.0
    np.put(y, [0], x[1])
    return np.sum(y * x)


def shuffle_like_unknown(x):
    y = x * 1.0
    np.random.shuffle(y)
    return np.sum(y)


def out_is_not_a_name(x):
    ys = [np.zeros(3)]
    np.multiply(x, 2.0, out=ys[0])
    return np.sum(ys[0])


def multiply_at_repeated(x):
    y = x * 1.0
    np.multiply.at(y, [0, 0, 2], x[1])
    return np.sum(y * x)


def put_repeated_and_cycled(x):
    y = np.sin(x)
    np.put(y, [1, 1, 2], [x[0] ** 2, x[2]])  # position 1 keeps its last write
    return np.sum(y ** 2)


def place_and_putmask(x):
    y = x + 1.0
    np.place(y, x > 0, [x[1], x[0] * x[1]])
    np.putmask(y, x < 1.0, np.cos(x))
    return np.sum(y * x)


def put_method(x):
    y = x * 3.0
    y.put(2, x[0] * x[1])
    return np.sum(y ** 2)


@pytest.mark.parametrize("f", [multiply_at, put, multiply_at_repeated, put_repeated_and_cycled,
                               place_and_putmask, put_method])
def test_writes_into_chosen_entries_are_modelled(f):
    derived(f)
    x = X.copy()
    _, t = ast_ad.jvp(f, (x,), (np.ones_like(X),))
    np.testing.assert_array_equal(x, X)
    np.testing.assert_allclose(t, np.sum(fd(f, X.copy())), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("f", [shuffle_like_unknown, out_is_not_a_name])
def test_other_in_place_api_is_refused(f):
    refused(f, match="in place")


HOLDER = [None]


def unknown_method_with_differentiated_argument(x):
    y = x * 2.0
    operator.setitem(HOLDER, 0, y)
    return np.sum(y)


def test_a_call_that_may_write_is_refused_when_handed_a_differentiated_value():
    refused(unknown_method_with_differentiated_argument, match="cannot tell")


LOG = logging.getLogger("ast_ad_test")


def logging_and_print_are_fine(x):
    y = x * 2.0
    print("y is", y.shape)
    LOG.debug("y=%s", y)
    return np.sum(y * y)


def test_logging_and_print_run_as_is(capsys):
    derived(logging_and_print_are_fine)
    assert "y is" in capsys.readouterr().out


# -- aliases and views -------------------------------------------------------------------
def alias_write(x):
    a = np.zeros(3)
    b = a
    b[0] = x[0] ** 2
    return a[0]


def view_aug(x):
    y = x * 1.0
    v = y[:2]
    v *= 3.0
    return np.sum(y * x)


def list_alias(x):
    a = []
    b = a
    b.append(x[0])
    return sum(a) * 2.0


def rows_read_after_update(x):
    A = np.outer(x, x)
    s = 0.0
    for r in A:
        A += 1.0
        s = s + np.sum(r)
    return s


@pytest.mark.parametrize("f", [alias_write, view_aug, list_alias, rows_read_after_update])
def test_aliases_written_in_place_are_derived(f):
    # written through as into the array they view; rows read again from A after A += 1
    # (passes/view_writes.py)
    derived(f)


def scalar_element_updated(x):
    t = x[0]
    t += x[1]
    return t * x[0]


def alias_rebound_before_write(x):
    u = x * 1.0
    new = u
    for _ in range(2):
        new = u * 0.5
        new[0] = u[1] * u[2]
        u = new
    return np.sum(u)


@pytest.mark.parametrize("f", [scalar_element_updated, alias_rebound_before_write])
def test_aliases_that_do_not_share_memory_when_written_are_fine(f):
    derived(f)


# -- helpers that write into their arguments ---------------------------------------------
def fill_first(h, v):
    h[0] = v


def fill_through_alias(h, v):
    g = h
    g[1] += v


def copies_first(h, v):
    h = h.copy()
    h[0] = v
    return h


def helper_writes(x):
    h = np.zeros(3)
    fill_first(h, 3 * x[0])
    return np.sum(h * h)


def helper_writes_through_alias(x):
    h = np.ones(3)
    fill_through_alias(h, x[2] ** 2)
    return np.sum(h * x)


def helper_copies_first(x):
    h = np.zeros(3)
    k = copies_first(h, x[0] * x[1])
    return np.sum(k * x)


def test_a_helper_writing_into_its_argument_is_derived():
    """``fill_first(h, v)`` runs as a variant returning ``h`` (frontend/variants.py)."""
    derived(helper_writes)


def test_a_helper_writing_through_an_alias_of_its_argument_is_derived():
    # g = h; g[1] += v is h[1] += v (passes/view_writes.py), then the writing variant
    derived(helper_writes_through_alias)


def test_helpers_writing_into_their_own_copy_are_fine():
    derived(helper_copies_first)


# -- containers and keywords --------------------------------------------------------------
def sum_of_comprehension(x):
    return np.sum([i * 3.0 for i in x])


def mean_of_appended(x):
    lst = []
    for v in x:
        lst.append(v * v)
    return np.mean(lst) + np.max(lst)


def keyword_passed(x):
    return np.sum(np.clip(x, a_min=x[0] * 0.5, a_max=2.0) * x)


@pytest.mark.parametrize("f", [sum_of_comprehension, mean_of_appended, keyword_passed])
def test_numpy_reads_lists_and_keywords(f):
    derived(f, np.array([1.0, 0.2, 3.0]))


def test_a_list_argument_to_numpy():
    g = ast_ad.grad(lambda x: np.sum(np.sin(x)))([0.5, 1.0])
    np.testing.assert_allclose(g, np.cos([0.5, 1.0]))


def helper_aug_on_array(h, v):
    h += v
    return h * 2.0


def calls_aug_helper(x):
    a = x * 1.0
    b = helper_aug_on_array(a, x)
    return np.sum(a * b)


def calls_aug_helper_with_scalars(x):
    t = np.sum(x)
    return helper_aug_on_array(t, x[0]) * t


def test_a_helper_updating_an_array_argument_in_place_is_refused_at_run_time():
    refused(calls_aug_helper, match="in place")


def test_a_helper_updating_a_scalar_argument_is_fine():
    derived(calls_aug_helper_with_scalars)


# -- values that would vanish, forms without a rule ------------------------------------------
def builtin_sum_of_array(x):
    return sum(x * 2.0)


def flat_read(x):
    return x.flat[0] * 2.0 + x.flat[2]


@pytest.mark.parametrize("f", [builtin_sum_of_array, flat_read])
def test_builtin_forms_are_derived(f):
    derived(f)


def builtin_max_with_default(x):
    return max(x, default=0.0)  # max(x) itself is derived (tests/unit/test_python_idioms.py)


def mgrid_bound(x):  # (np.r_[x, x] has rules: tests/rules/test_breadth_e2e.py)
    return np.sum(np.mgrid[0.0:x[0]:5j] ** 2)


def dict_get(x):
    d = {"a": x[0]}
    return d.get("a", 0.0) * 3.0


@pytest.mark.parametrize("f, match", [(builtin_max_with_default, "positional argument"),
                                      (mgrid_bound, "inside an index")])
def test_forms_without_a_derivative_are_refused(f, match):
    refused(f, match=match)


def test_dict_get_reads_the_entry_or_the_default():
    """d.get(k, default) on a local dict is ``d[k] if k in d else default`` (py11)."""
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(ast_ad.grad(dict_get)(x), [3.0, 0.0, 0.0])

    class NotADict:
        def get(self, k, default):
            return default

    def other_get(x):
        d = NotADict()
        return d.get("a", x[0])

    with pytest.raises(AstAdError, match="dict.get"):
        ast_ad.grad(other_get)(x)


# -- complex values ---------------------------------------------------------------------------
def complex_sum(x):
    return np.sum(x * 1j)


def complex_scalar(x):
    return x[0] * (1 + 2j)


@pytest.mark.parametrize("f", [complex_sum, complex_scalar])
def test_a_complex_output_is_an_error(f):
    with pytest.raises(ast_ad.NonScalarOutputError, match="complex"):
        ast_ad.grad(f)(X.copy())


# -- re-running a backward pass ---------------------------------------------------------------
def loop_with_writes(x):
    s = x * 1.0
    buf = np.zeros(2)
    for i in range(3):
        s = np.sin(s) * x
        buf[i % 2] = s[0] * s[1]
    return s + buf


def test_a_vjp_function_can_run_twice_and_reverse_jacobians_work():
    x = np.array([0.5, 1.0])
    value, fn = ast_ad.vjp(loop_with_writes, x)
    first = fn(np.ones(2))
    np.testing.assert_allclose(fn(np.ones(2)), first)
    jr = ast_ad.jacobian(loop_with_writes, mode="reverse")(x)
    jf = ast_ad.jacobian(loop_with_writes)(x)
    np.testing.assert_allclose(jr, jf, rtol=1e-12)
    h = 1e-6
    fd_cols = [(loop_with_writes(x + h * e) - loop_with_writes(x - h * e)) / (2 * h)
               for e in np.eye(2)]
    np.testing.assert_allclose(jr, np.stack(fd_cols, axis=-1), rtol=1e-6, atol=1e-8)


# -- stale reuse: what the code was specialised on is checked on every call --------------------
ACT = np.tanh


def uses_global_alias(x):
    return np.sum(ACT(x))


def test_a_rebound_global_function_regenerates_the_gradient():
    global ACT
    g = ast_ad.grad(uses_global_alias)
    x = np.array([0.3, 0.7])
    try:
        np.testing.assert_allclose(g(x), 1 - np.tanh(x) ** 2)
        ACT = np.sin
        np.testing.assert_allclose(g(x), np.cos(x))
    finally:
        ACT = np.tanh


def test_a_rebound_closure_cell_regenerates_the_gradient():
    h = np.tanh

    def f(x):
        return np.sum(h(x))

    g = ast_ad.grad(f)
    x = np.array([0.3, 0.7])
    np.testing.assert_allclose(g(x), 1 - np.tanh(x) ** 2)
    h = np.sin  # noqa: F841  (read through the closure cell)
    np.testing.assert_allclose(g(x), np.cos(x))


def test_a_rebound_attribute_of_a_user_module_regenerates_the_gradient(tmp_path, monkeypatch):
    (tmp_path / "soundness_mod.py").write_text(
        "import numpy as np\n\ndef h(x):\n    return np.tanh(x)\n")
    (tmp_path / "soundness_user.py").write_text(
        "import numpy as np\nimport soundness_mod as mod\n\n"
        "def f(x):\n    return np.sum(mod.h(x))\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import soundness_mod
    import soundness_user

    g = ast_ad.grad(soundness_user.f)
    x = np.array([0.3, 0.7])
    np.testing.assert_allclose(g(x), 1 - np.tanh(x) ** 2)
    monkeypatch.setattr(soundness_mod, "h", np.sin)
    np.testing.assert_allclose(g(x), np.cos(x))


def test_a_module_edited_but_not_reloaded_is_an_error_and_reloading_fixes_it(
        tmp_path, monkeypatch):
    import importlib
    import os
    import sys

    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # the import writes its cache
    src = tmp_path / "soundness_edited.py"
    src.write_text("def f(x):\n    return x * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    import soundness_edited as mod

    src.write_text("def f(x):\n    return x * x * x\n")  # same lines, other text
    st = os.stat(src)
    os.utime(src, (st.st_atime, st.st_mtime + 5))
    with pytest.raises(ast_ad.SourceUnavailableError, match="changed since"):
        ast_ad.grad(mod.f)(2.0)
    mod = importlib.reload(mod)
    assert ast_ad.grad(mod.f)(2.0) == 12.0


def f_string_round_trip(x):
    return float(f"{x[0]}") * x[1]


def tuple_repeat(x):
    t = (x[0],) * 3
    return np.sum(np.array(t)) * x[1]


def list_concat(x):
    lst = [x[0]] + [x[1]]
    return np.prod(lst)


def pair_list(x):
    return [x[0] * 2.0, x[1]]


def list_concat_of_unknown_kind(x):
    lst = [x[2]] + pair_list(x)  # the helper's result: a list or an array?
    return np.prod(lst)


def asarray_alias(x):
    y = np.asarray(x)
    y[0] = 3.0
    return np.sum(y * x)


def add_into(h, v):
    h += v


def statement_helper_updating_argument(x):
    y = x * 1.0
    add_into(y, x)
    return np.sum(y * x)


@pytest.mark.parametrize("f", [tuple_repeat, list_concat])
def test_joins_and_repeats_of_literal_sequences_are_derived(f):
    derived(f)


@pytest.mark.parametrize("f, match", [
    (f_string_round_trip, "no derivative"),
    (list_concat_of_unknown_kind, "concatenating or repeating"),
    (statement_helper_updating_argument, "in place")])
def test_more_forms_that_would_lose_the_derivative_are_refused(f, match):
    refused(f, match=match)


def test_a_write_through_asarray_of_an_array_is_a_write_into_it():
    derived(asarray_alias)  # y is x: y[0] = 3.0 writes x[0] (a copy of the caller's x)


def _two(x, y):
    return np.sum(x ** 2 * y[0]) + np.sum(np.sin(x) * y) + y[1] ** 3


def test_tuple_wrt_hessian_jacobian_and_hvp_give_the_nested_blocks():
    from ..fd import fd_jacobian

    x, y = np.array([0.3, -0.7]), np.array([1.2, 0.4])
    H = ast_ad.hessian(_two, wrt=(0, 1))(x, y)
    assert len(H) == 2 and all(len(row) == 2 for row in H)
    for a in range(2):
        for b in range(2):
            def ga(v, a=a, b=b):
                return ast_ad.grad(_two, wrt=a)(*((v, y) if b == 0 else (x, v)))
            np.testing.assert_allclose(H[a][b], fd_jacobian(ga, (x, y)[b]), atol=1e-6)
    assert ast_ad.hessian(lambda a, b: a * a * b, wrt=(0, 1))(1.0, 2.0) == \
        ((4.0, 2.0), (2.0, 0.0))
    v = (np.array([1.0, -2.0]), np.array([0.5, 1.0]))
    hv = ast_ad.hvp(_two, (x, y), v, wrt=(0, 1))
    for a in range(2):
        np.testing.assert_allclose(hv[a], H[a][0] @ v[0] + H[a][1] @ v[1], atol=1e-12)
    for mode in ("forward", "reverse"):
        J = ast_ad.jacobian(lambda x, y: x * y[0] + np.sin(y), wrt=(0, 1), mode=mode)(x, y)
        np.testing.assert_allclose(J[0], np.diag([y[0], y[0]]), atol=1e-12)
        np.testing.assert_allclose(J[1], np.array([[x[0], 0.0], [x[1], 0.0]]) +
                                   np.diag(np.cos(y)), atol=1e-12)
    with pytest.raises(AstAdError, match="tuple of 2 vectors"):
        ast_ad.hvp(_two, (x, y), v[0], wrt=(0, 1))


def test_jvp_of_star_args_is_refused():
    """Functions with ``*args`` are refused by every mode (grad too): the transformer
    differentiates named parameters only."""
    def star(*xs):
        return xs[0] * xs[1]

    with pytest.raises(AstAdError, match="args"):
        ast_ad.jvp(star, (1.0, 2.0), (1.0, 0.0))


# -- the oracles are held to the same standard ---------------------------------------------------
def writes_into_parameter(x):
    x[0] = x[1] * 2.0
    return np.sum(x * x)


def test_tape_and_check_grad_on_a_write_into_a_parameter():
    from ast_ad import tape
    from ast_ad.testing import check_grad

    x = X.copy()
    np.testing.assert_allclose(tape.grad(writes_into_parameter)(x), fd(writes_into_parameter, X))
    np.testing.assert_array_equal(x, X)
    check_grad(writes_into_parameter, x)  # transformer, tape and differences agree
    np.testing.assert_array_equal(x, X)  # check_grad evaluates on copies


def sqrt_at_zero(x):
    return np.sum(np.sqrt(x))


def test_check_grad_fails_on_a_non_finite_gradient():
    from ast_ad.testing import check_grad

    with pytest.raises(ast_ad.GradientCheckError, match="not finite"):
        check_grad(sqrt_at_zero, np.array([0.0, 1.0]))


def percent_format(x):
    return float("%r" % x[0]) * x[1]


def test_string_formatting_of_a_differentiated_value_is_refused():
    refused(percent_format, match="no derivative")
