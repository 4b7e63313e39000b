"""NumPy's mutating API, enumerated from the installed NumPy, is decided name by name.

A NumPy upgrade that adds a function or an ndarray method fails here until it is decided
in ``ast_ad.passes.analysis.effects`` (pure, or an in-place API that is modelled by
``passes/mutation.py`` or refused) and added to ``numpy_api_decided.txt``.
"""

import inspect
from pathlib import Path

import gast
import numpy as np
import pytest

from ast_ad.passes.analysis.effects import INPLACE_METHODS, MUTATING_FUNCTIONS, effect
from ast_ad.rules.registry import default_registry

SNAPSHOT = Path(__file__).with_name("numpy_api_decided.txt")

#: ndarray methods that write into their receiver
WRITING_METHODS = {"fill", "partition", "put", "resize", "setfield", "setflags", "sort",
                   "byteswap"}
#: NumPy functions that write into an argument without an ``out=``
WRITING_FUNCTIONS = {np.copyto, np.put, np.place, np.putmask, np.fill_diagonal,
                     np.put_along_axis}


def _installed():
    fns = {n for n in dir(np) if not n.startswith("_") and callable(getattr(np, n))
           and not isinstance(getattr(np, n), type)}
    meths = {n for n in dir(np.ndarray) if not n.startswith("_")
             and callable(getattr(np.ndarray, n))}
    return {f"function {n}" for n in fns} | {f"method {n}" for n in meths}


def _version(v):
    return tuple(int(p) for p in v.split(".")[:2])


def test_every_numpy_callable_and_method_is_decided():
    lines = SNAPSHOT.read_text().splitlines()
    made_with = lines[0].split()[-1]
    if _version(np.__version__) < _version(made_with):
        pytest.skip(f"NumPy {np.__version__} is older than the snapshot's {made_with}")
    decided = {ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")}
    new = sorted(_installed() - decided)
    assert not new, ("NumPy has callables ast_ad has not decided (pure, modelled or "
                     f"refused in analysis/effects.py): {new}")


def test_writing_methods_are_in_place_methods():
    assert WRITING_METHODS <= INPLACE_METHODS
    for m in WRITING_METHODS:
        call = gast.parse(f"y.{m}(v)").body[0].value
        assert effect(call, None, default_registry) == "writes"


def test_functions_writing_without_out_are_known():
    assert WRITING_FUNCTIONS <= MUTATING_FUNCTIONS
    call = gast.parse("f(a, b)").body[0].value
    for f in WRITING_FUNCTIONS:
        assert effect(call, f, default_registry) == "writes"


def _has_out(f):
    if isinstance(f, np.ufunc):
        return True
    try:
        return "out" in inspect.signature(f).parameters
    except (TypeError, ValueError):
        return False


@pytest.mark.parametrize("name", sorted(n for n in dir(np) if not n.startswith("_")
                                        and callable(getattr(np, n))
                                        and _has_out(getattr(np, n))))
def test_every_out_parameter_writes(name):
    call = gast.parse("f(x, out=y)").body[0].value
    assert effect(call, getattr(np, name), default_registry) == "writes"


def test_every_ufunc_at_writes():
    call = gast.parse("f(a, i, b)").body[0].value
    ufuncs = [getattr(np, n) for n in dir(np) if isinstance(getattr(np, n), np.ufunc)]
    assert len(ufuncs) > 50
    for u in ufuncs:
        assert effect(call, u.at, default_registry) == "writes", u
