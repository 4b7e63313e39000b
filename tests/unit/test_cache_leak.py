"""The gradient caches are keyed weakly on the function and never keep it alive: a dropped
function (a lambda, a closure holding a large array) is freed after ``grad``, ``jvp``,
``vjp``, ``hessian``, ``jacobian``, the tape, ``check_grad``, and so is what it holds."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import ast_ad


def _make(k):
    big = np.full(50_000, float(k))

    def f(x):
        return np.sum(x * big[:3]) + np.sum(np.sin(x))
    return f


_X = np.array([0.1, 0.2, 0.3])
_ENGINES = {
    "grad": lambda f: ast_ad.grad(f)(_X),
    "grad_kept_object": lambda f: [ast_ad.grad(f)(_X) for _ in range(2)],
    "value_and_grad": lambda f: ast_ad.value_and_grad(f)(_X),
    "jvp": lambda f: ast_ad.jvp(f, (_X,), (_X,)),
    "vjp": lambda f: ast_ad.vjp(f, _X)[1](1.0),
    "hessian": lambda f: ast_ad.hessian(f)(_X),
    "jacobian_reverse": lambda f: ast_ad.jacobian(f, mode="reverse")(_X),
    "tape": lambda f: ast_ad.tape.grad(f)(_X),
}


@pytest.mark.parametrize("engine", sorted(_ENGINES))
def test_dropped_functions_and_their_closures_are_freed(engine):
    refs = []
    for k in range(6):
        f = _make(k)
        _ENGINES[engine](f)
        refs.append(weakref.ref(f))
        del f
    gc.collect()
    alive = sum(r() is not None for r in refs)
    assert alive == 0, f"{engine}: {alive} of 6 dropped functions are still alive"


def test_many_dropped_lambdas_do_not_accumulate_memory():
    import tracemalloc

    for k in range(5):  # warm the caches of ast_ad itself
        ast_ad.grad(_make(k))(_X)
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for k in range(40):
            ast_ad.grad(_make(k))(_X)
            ast_ad.jvp(_make(k), (_X,), (_X,))
        gc.collect()
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # 80 closures of 400 kB each would be 32 MB: allow a few MB of ast_ad's own state
    assert grown < 6e6, f"{grown / 1e6:.1f} MB retained after 80 dropped closures"
