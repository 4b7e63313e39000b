"""Writes through views and aliases (passes/view_writes.py): derived as writes into the
array they view, checked against finite differences in both modes; the caller's arrays
stay as they were; what run time shows is not a view is refused at the user's line."""

import numpy as np
import pytest

import ast_ad
from ast_ad import AstAdError
from tests.fd import assert_close, fd_grad
from tests.modes import check_both_modes

X = np.array([0.7, -1.2, 0.4, 1.9])
V = np.array([0.3, 0.5, -0.8, 1.1])


def check(f, x=X, v=V):
    check_both_modes(f, x, v)


def nested_subscript_store(x):
    A = np.zeros((2, 2))
    for i in range(2):
        for j in range(2):
            A[i][j] = x[i] * x[j + 2] + A[i][j]
    return np.sum(A * A)


def row_view_written(x):
    A = np.outer(x, x)
    r = A[1]
    r[2] = np.sin(x[0])
    r *= x[3]
    return np.sum(A * A)


def slice_view_aug(x):
    y = x * 2.0
    v = y[1:]
    v *= 3.0
    return np.sum(y * y)


def strided_view_written(x):
    y = x * 1.0
    v = y[::2]
    v[0] = v[1] * x[0]
    return np.sum(y * x)


def view_of_a_view(x):
    y = np.sin(x)
    v = y[1:]
    w = v[::2]
    w[1] = x[0] ** 2
    w += 1.0
    return np.sum(y * x) + np.sum(v)


def reshape_view(x):
    y = x * 1.0
    b = y.reshape(2, 2)
    b[0, 1] = x[2] ** 3
    b -= x[0]
    return np.sum(y ** 2)


def transpose_view(x):
    B = np.outer(x, x[:2])
    t = B.T
    t[0] = np.cos(x)
    return np.sum(B * B)


def plain_alias(x):
    a = np.zeros(4)
    b = a
    b[0] = x[0] ** 2
    b += x
    return np.sum(a * x)


def alias_of_the_parameter(x):
    y = x
    y += 1.0
    y[1] = y[2] * y[3]
    return np.sum(x * x)


def base_written_view_read(x):
    y = x * 1.0
    v = y[:2]
    y[0] = y[3] ** 2
    return np.sum(v * x[:2])


def view_in_a_loop(x):
    y = np.tile(x, (3, 1))
    for k in range(3):
        row = y[k]
        row[k] = row[k] * x[k]
    return np.sum(y * y)


def rows_of_a_loop(x):
    A = np.outer(x, x)
    acc = 0.0
    for k, row in enumerate(A):
        A[k] = row * 2.0
        acc = acc + np.sum(row * A[0])
    return acc


def rows_of_a_stacked_array(x):
    M = np.stack([x, x * x[0]])  # its ndim is known: the rows are views (reverse mode)
    acc = 0.5
    for k, row in enumerate(M):
        M[k] = row * 2.0
        acc = acc + np.sum(row * x)
    return acc


def test_rows_of_a_stacked_array_read_after_a_write():
    g = ast_ad.grad(rows_of_a_stacked_array)(X.copy())
    assert_close(g, fd_grad(rows_of_a_stacked_array, (X.copy(),)), 1e-6, 1e-6)


def view_indexed_by_itself(x):
    y = x * 1.0
    v = y[1:]
    v[v > 0.5] = v[0] * x[0]  # the view read before the write (mask and value)
    return np.sum(y * x)


def sort_through_a_view(x):
    y = x * 1.0
    v = y[1:]
    v.sort()
    return np.sum(y * np.arange(4.0))


def out_into_a_view(x):
    y = np.zeros(4)
    np.tanh(x[:2], out=y[2:])
    return np.sum(y * x)


def newaxis_view(x):
    y = np.array(x)
    v = y[np.newaxis]
    v += x[0]
    return np.sum(y * x)


def list_alias_insert(x):
    a = [x[0], x[1] * 2.0]
    b = a
    b.insert(0, x[2] * x[3])
    b += [x[3] ** 2]
    return a[0] + a[1] * a[3] + sum(a)


def add_into(h, v):
    h += v


def scale_into(h, v):
    h *= v
    return h


def helper_updates_its_argument(x):
    y = np.sin(x) + 1.0
    add_into(y, x * x[0])
    r = scale_into(y, np.cos(x[1]))
    return np.sum(y * x) + np.sum(r)


def helper_updates_a_number(x):
    t = x[0] * 2.0
    add_into(t, x[1])  # a float: the helper rebinds its own name, t is unchanged
    return t * x[2]


def dunder_in_place(x):
    y = x * 1.0
    y.__imul__(x[0])
    y.__iadd__(1.0)
    return np.sum(y * x)


def view_method(x):
    v = x.view()
    v -= np.sin(x[0])
    v[1] = v[1] * x[2]
    return np.sum(x ** 2)


def asarray_with_dtype(x):
    b = np.asarray(x, dtype=float)
    b[0] = x[1] ** 2
    return np.sum(b * x)


def del_through_an_alias(x):
    a = [x[0], x[1] * 2.0, x[2] ** 2]
    b = a
    del b[0]  # b.pop(0) without its value: a list edit of a
    del a[-1]
    return a[0] * x[3] + len(a)


def del_of_a_dict_key(x):
    d = {"a": x[0] * 2.0, "b": 2.0}
    del d["b"]
    return d["a"] * x[1] + len(d)


@pytest.mark.parametrize("f", [
    del_through_an_alias, del_of_a_dict_key,
    helper_updates_its_argument, helper_updates_a_number, dunder_in_place, view_method,
    asarray_with_dtype,
    nested_subscript_store, row_view_written, slice_view_aug, strided_view_written,
    view_of_a_view, reshape_view, transpose_view, plain_alias, alias_of_the_parameter,
    base_written_view_read, view_in_a_loop, rows_of_a_loop, sort_through_a_view,
    out_into_a_view, newaxis_view, list_alias_insert, view_indexed_by_itself])
def test_writes_through_views_are_derived(f):
    check(f)


def test_the_generated_code_writes_into_the_root():
    g = ast_ad.grad(nested_subscript_store)
    g(X)
    src = ast_ad.source(g)
    assert "A[_ix] = " in src and "join_index(i, j)" in src
    # A = np.zeros((2, 2)) and i from a range: A[i] is surely a view, nothing checked
    assert "check_view" not in src


def stacked_rows_written(x):
    A = np.vstack([x, x])  # an ndim the pass does not know: A[i] is checked to be a view
    for i in range(2):
        A[i][i] = x[i] ** 2
    return np.sum(A * x)


def test_a_view_of_an_array_of_unknown_ndim_is_checked_once_per_binding():
    g = ast_ad.grad(stacked_rows_written)
    assert_close(g(X), fd_grad(stacked_rows_written, (X,)), 1e-6, 1e-6)
    src = ast_ad.source(g)
    assert "check_view(_t" in src and "A[_ix] = " in src


def lists_of_lists(x):
    A = [[0.0, 0.0], [0.0, 0.0]]
    for i in range(2):
        A[i][0] = x[i] * 2.0  # ERR
    return A[0][0] + A[1][0]


def reshape_that_copies(x):
    y = np.outer(x, x).T  # not C-contiguous: reshape copies
    b = y.reshape(16)
    b[0] = x[0]  # ERR
    return np.sum(y)


@pytest.mark.parametrize("f", [lists_of_lists, reshape_that_copies])
def test_what_is_not_a_view_at_run_time_is_refused_at_the_users_line(f):
    import inspect

    with pytest.raises(AstAdError, match="not a view") as e:
        ast_ad.grad(f)(X.copy())
    lines, first = inspect.getsourcelines(f)
    line = first + next(i for i, t in enumerate(lines) if "# ERR" in t)
    assert f"test_view_writes.py:{line - 1}" in str(e.value) or \
        f"test_view_writes.py:{line}" in str(e.value)


def _example(x):
    y = np.sort(x)  # (its ndim unknown to the pass: the view is checked at run time)
    v = y[::2]
    v[0] = v[1] * x[0]
    return np.sum(y * x)


def test_before_and_after():
    """The pass's own before/after example, executed (the module docstring's)."""
    import gast

    from ast_ad.frontend.fence import fence
    from ast_ad.frontend.lift import lift_nested
    from ast_ad.frontend.parse import parse_function
    from ast_ad.frontend.resolve import Env
    from ast_ad.ir import nodes as N
    from ast_ad.ir.naming import Namer
    from ast_ad.ir.unit import Request, Unit
    from ast_ad.passes.analysis.calls import Resolver
    from ast_ad.passes.normalize import Normalizer
    from ast_ad.passes.view_writes import lower_view_writes
    from ast_ad.pipeline import CALLEES
    from ast_ad.rules.registry import default_registry

    parsed = parse_function(_example)
    env = Env.of_function(_example, {"x"} | N.stored_names(parsed.tree.body))
    fence(parsed, env, varargs=False)
    namer = Namer(N.names_in(parsed.tree) | {"x"})
    nested = lift_nested(parsed, env, namer)
    tree = Normalizer(parsed, env, namer).run().tree
    unit = Unit(_example, parsed, env, namer, CALLEES, tree, nested)
    request = Request(("x",), {"x": np.ndarray}, "joint", False, True, dict(nested),
                      default_registry, None, {"x": (1, "<f8")})
    assert lower_view_writes(tree, unit, Resolver.of(unit, request), request)
    body = [gast.unparse(s).strip() for s in tree.body]
    assert body[:3] == ["y = np.sort(x)", "v = y[::2]", body[2]]
    assert body[2].startswith("check_view(v, y, 'v', 'y', ")
    assert body[3:] == [
        "_k1 = y[::2]", "_t1 = _k1[1]", "_t2 = x[0]", "_t3 = _t1 * _t2", "_k2 = y[::2]",
        "_w1 = np.copy(_k2)", "_w1[0] = _t3", "y[::2] = _w1", "_t4 = y * x",
        "_t5 = np.sum(_t4)", "return _t5"], body


def alias_of_a_view_rebound(x):
    y = x * 1.0
    v = y[1:]
    w = v  # ERR
    w[0] = x[0] ** 2
    w = 0.0
    return np.sum(y * x) + w


def view_kept_in_a_list(x):
    y = x * 1.0
    v = y[1:]
    lst = [v]  # ERR
    y[1] = x[0] ** 3
    return np.sum(lst[0] * x[1:])


def array_appended_then_written(x):
    y = x * 1.0
    lst = []
    lst.append(y)  # ERR
    y[0] = x[1] ** 3
    return np.sum(lst[0] * x)


def array_in_a_dict_then_updated(x):
    y = x * 1.0
    d = {"a": y}  # ERR
    y *= 2.0
    return np.sum(d["a"] * x)


@pytest.mark.parametrize("f", [alias_of_a_view_rebound, view_kept_in_a_list,
                               array_appended_then_written, array_in_a_dict_then_updated])
def test_memory_shared_through_other_names_and_containers_is_refused(f):
    """A write seen through a chain of aliases or by a container holding the array: the
    run-time check after the statement that made the sharing raises (views.guard_views),
    in both modes -- these gave wrong gradients silently before."""
    import inspect

    lines, first = inspect.getsourcelines(f)
    line = first + next(i for i, t in enumerate(lines) if "# ERR" in t)
    for run in (lambda: ast_ad.grad(f)(X.copy()),
                lambda: ast_ad.jvp(f, (X.copy(),), (V,))):
        with pytest.raises(AstAdError, match="share memory") as e:
            run()
        assert f"test_view_writes.py:{line}" in str(e.value)


@pytest.mark.parametrize("f", [nested_subscript_store, strided_view_written,
                               row_view_written, view_of_a_view, reshape_view,
                               rows_of_a_loop, helper_updates_its_argument])
def test_second_order_through_view_writes(f):
    from tests.fd import fd_jacobian

    H = ast_ad.hessian(f)(X.copy())
    assert_close(H, fd_jacobian(lambda z: ast_ad.grad(f)(z), X.copy()), 1e-5, 1e-5,
                 f.__name__)
