"""The numba backend's compilation: the dry run, the numba variant's text, the
namespace it runs in (numba forms of the helpers, callees compiled too), ``numba.njit``."""

from __future__ import annotations

import ast
import math

import numpy as np

from ..frontend.parse import FAST_PATH_CHECK, drop_fast_paths
from ..frontend.plain_tapes import LOOP_TAPE
from .numba_codegen import _support, _Variant
from .numba_dryrun import _dry_run
from .numba_helpers import NumbaBackendError, _impls


def _compile_variant(fn, source, args, what):
    """The numba-compiled variant of the generated function ``fn`` (text ``source``)."""
    import numba

    support = _support(fn)
    if FAST_PATH_CHECK in source or LOOP_TAPE in source:  # numba runs the plain loops
        tree = ast.parse(source)
        for f in tree.body:
            if isinstance(f, ast.FunctionDef):
                drop_fast_paths(f, ast)
        source = ast.unparse(tree)
    _, types_, counts = _dry_run(fn, source, args)
    tree = ast.parse(source)
    variant = _Variant(support, types_, what, counts)
    tree.body[0] = variant.visit(tree.body[0])
    for name, t in types_.items():
        if t[0] == "o":
            raise NumbaBackendError(
                f"numba backend cannot compile the gradient of {what}: the variable "
                f"{name!r} holds a {t[1]} (containers and objects are refused)")
    ast.fix_missing_locations(tree)
    text = ast.unparse(tree)
    impls = _impls()
    ns = {"np": np, "math": math}
    for k, v in fn.__globals__.items():
        if not k.startswith("__"):
            ns[k] = v
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    for name, obj in support.items():
        if name not in used:
            continue
        ns[name] = _numba_object(name, obj, impls, what)
    for name, impl in (("accum_index_copy", "accum_index_copy"), ("_nb_grow", "grow_stack"),
                       ("_nb_own", "own"), ("_nb_clear_inplace", "clear_grad_inplace")):
        if name in used:
            ns[name] = impls[impl]
    for name in used:
        obj = ns.get(name)
        if callable(obj) and not isinstance(obj, type) and name in fn.__globals__ and \
                not _is_numba_ok(obj):
            ns[name] = _numba_object(name, obj, impls, what)
    exec(compile(text, f"<ast_ad numba {what}>", "exec"), ns)
    py = ns[tree.body[0].name]
    caps = np.array(variant.caps, np.int64) if variant.caps else None
    return numba.njit(cache=False)(py), text, caps


def _is_numba_ok(obj):
    mod = getattr(obj, "__module__", "") or ""
    return mod.startswith(("numpy", "math", "numba")) or type(obj).__module__.startswith(
        "numba") or isinstance(obj, np.ufunc) or obj in (range, len, float, int, abs, min,
                                                          max, bool)


def _numba_object(name, obj, impls, what):
    """What the numba variant calls for the support object ``obj``."""
    import numba

    helper = getattr(obj, "__name__", None)
    mod = getattr(obj, "__module__", "") or ""
    if mod.startswith("ast_ad"):
        if helper in impls:
            return impls[helper]
        raise NumbaBackendError(f"numba backend cannot compile the gradient of {what}: the "
                                f"runtime helper {helper} has no numba form")
    if _is_numba_ok(obj) or isinstance(obj, (int, float, complex, bool, np.number)):
        return obj  # numba functions, math/NumPy functions, constants (frozen)
    if callable(obj) and hasattr(obj, "__code__"):
        return numba.njit(obj)  # a plain function called on non-differentiated values
    raise NumbaBackendError(f"numba backend cannot compile the gradient of {what}: "
                            f"{name} is a {type(obj).__name__}")


# -- the gradient object ------------------------------------------------------------------
def _kind_key(v):
    if type(v) is np.ndarray:  # (long or not: the code differs, see api._array_specs)
        return ("a", v.dtype.str, v.ndim, 1 not in v.shape)
    return (type(v),)
