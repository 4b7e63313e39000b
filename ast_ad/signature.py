"""Binding ``wrt`` to parameters and shaping gradients like their arguments.

Shared by every engine (transformer, tape), so all of them honour one contract:

- ``wrt`` is an int (positional index), a parameter name, or a tuple of them; an int or a
  name gives one gradient, a tuple gives a tuple;
- a gradient has the type of its argument: a float for a Python float or int (ints are
  promoted; ``np.float64`` counts as a float), an ndarray of the argument's shape and
  dtype for an ndarray (integer arrays get float64), and the same structure for
  tuples/lists/dicts of those.
"""

from __future__ import annotations

import inspect
import types
import weakref
from dataclasses import dataclass

import numpy as np

from .backends.arrays import is_array, is_foreign_array  # eng15: CuPy, Dask
from .errors import AstAdError


@dataclass(frozen=True)
class WrtSpec:
    names: tuple  # parameter names, in the order the user asked for them
    indices: tuple  # positional indices of those parameters
    single: bool  # True: return one gradient, not a tuple


#: plain function -> (what its signature is read from, the signature): one call is asked
#: for it several times (entry, dispatcher, wrt, binding), it is read once
_SIGNATURES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _stamp(fn):
    """What ``inspect.signature`` reads of a plain function."""
    kw, ann = fn.__kwdefaults__ or {}, fn.__annotations__
    return (fn.__code__, fn.__defaults__, fn.__dict__.get("__signature__"), len(kw),
            *kw.keys(), *kw.values(), *ann.keys(), *ann.values())


def _same(a, b):
    """Stamps of the same things (by identity; names and string annotations by value)."""
    return len(a) == len(b) and all(x is y or (type(x) is str and type(y) is str and x == y)
                                    for x, y in zip(a, b))


def own_signature(fn) -> inspect.Signature:
    """``inspect.signature(fn, follow_wrapped=False)``, read once per plain function (and
    again when what it is read from changes)."""
    if type(fn) is not types.FunctionType:
        return inspect.signature(fn, follow_wrapped=False)
    stamp = _stamp(fn)
    hit = _SIGNATURES.get(fn)
    if hit is not None and _same(hit[0], stamp):
        return hit[1]
    sig = inspect.signature(fn, follow_wrapped=False)
    _SIGNATURES[fn] = (stamp, sig)
    return sig


def signature_of(fn) -> inspect.Signature:
    """``fn``'s own signature; that of ``fn.__wrapped__`` only for a wrapper whose own is
    ``(*args, **kwargs)`` (it takes what the wrapped function takes).  A wrapper with
    parameters of its own keeps them (``__wrapped__`` is never followed blindly)."""
    own = own_signature(fn)
    if hasattr(fn, "__wrapped__") and own.parameters and all(
            p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) for p in own.parameters.values()):
        try:
            return inspect.signature(fn)
        except (TypeError, ValueError):
            return own
    return own


def parameters(fn):
    """The (name, kind, default) of ``fn``'s parameters, without a bound ``self``; ``None``
    when the signature cannot be read (some builtins, NumPy ufuncs on Python 3.10)."""
    try:
        sig = signature_of(fn)
    except (TypeError, ValueError):
        return None
    return list(sig.parameters.values())


def _code_names(fn):
    """The parameter names in a Python function's code (``None`` for a builtin)."""
    code = getattr(inspect.unwrap(getattr(fn, "__func__", fn)), "__code__", None)
    if code is None:
        return None
    names = list(code.co_varnames[:code.co_argcount + code.co_kwonlyargcount])
    return names[1:] if hasattr(fn, "__self__") else names


def _trusted_wrt(fn, items, single) -> WrtSpec:
    """``wrt`` for a builtin whose signature cannot be read: positions are taken on trust
    (the call says whether they exist); names and negative positions cannot be resolved."""
    fname = getattr(fn, "__qualname__", repr(fn))
    for w in items:
        if isinstance(w, bool) or not isinstance(w, (int, np.integer)) or int(w) < 0:
            raise AstAdError(
                f"wrt={w!r}: the signature of {fname} cannot be read, so wrt must be a "
                "non-negative position"
            )
    idx = tuple(int(w) for w in items)
    return WrtSpec(tuple(f"arg{i}" for i in idx), idx, single)


def resolve_wrt(fn, wrt) -> WrtSpec:
    """Turn ``wrt`` into parameter names and indices, with clear errors."""
    single = not isinstance(wrt, (tuple, list))
    items = (wrt,) if single else tuple(wrt)
    if not items:
        raise AstAdError("wrt must name at least one parameter")
    params = parameters(fn)
    if params is not None:
        names = [p.name for p in params
                 if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]
    else:  # unreadable signature (NumPy ufuncs on 3.10, some builtins): not "0 parameters"
        names = _code_names(fn)
        if names is None:
            return _trusted_wrt(fn, items, single)
    out_names, out_idx = [], []
    fname = getattr(fn, "__qualname__", repr(fn))
    for w in items:
        if isinstance(w, bool) or not isinstance(w, (int, str, np.integer)):
            raise AstAdError(f"wrt entries must be ints or parameter names, not {w!r}")
        if isinstance(w, str):
            if w not in names:
                raise AstAdError(
                    f"wrt={w!r}: {fname} has no parameter named {w!r} (parameters: {names})"
                )
            i = names.index(w)
        else:
            i = int(w)
            if i < 0:
                i += len(names)
            if not 0 <= i < len(names):
                raise AstAdError(
                    f"wrt={w!r} is out of range: {fname} has {len(names)} parameter(s) {names}"
                )
        out_names.append(names[i])
        out_idx.append(i)
    return WrtSpec(tuple(out_names), tuple(out_idx), single)


def bind(fn, args: tuple, kwargs: dict) -> inspect.BoundArguments:
    """Bind a call's arguments to ``fn``'s parameters, defaults applied."""
    try:
        sig = signature_of(fn)
    except (TypeError, ValueError):  # unreadable: the call's own arguments stand in for it
        P = inspect.Parameter
        sig = inspect.Signature([P(f"arg{i}", P.POSITIONAL_ONLY) for i in range(len(args))]
                                + [P(k, P.KEYWORD_ONLY) for k in kwargs])
    b = sig.bind(*args, **kwargs)
    b.apply_defaults()
    return b


def _is_namedtuple(x):
    return isinstance(x, tuple) and isinstance(getattr(type(x), "_fields", None), tuple)


def _is_dataclass_instance(x):
    import dataclasses

    return dataclasses.is_dataclass(x) and not isinstance(x, type)


def zero_like(x):
    """A zero gradient shaped like ``x`` (float for scalars, float arrays for arrays)."""
    if _is_dataclass_instance(x):
        return match({}, x)
    if is_array(x):  # eng15: NumPy, CuPy or Dask
        return np.zeros_like(x, dtype=x.dtype if np.issubdtype(x.dtype, np.inexact) else float)
    if isinstance(x, (list, tuple)):
        if _is_namedtuple(x):
            return type(x)(*(zero_like(v) for v in x))
        return type(x)(zero_like(v) for v in x) if type(x) in (list, tuple) else None
    if isinstance(x, dict):
        return {k: zero_like(v) for k, v in x.items()}
    if isinstance(x, (bool, str)) or x is None:
        return None
    if isinstance(x, (int, float, np.number)):
        return 0.0
    return None


def match(g, x):
    """Shape/type the gradient ``g`` like its argument ``x`` (see module docstring)."""
    if _is_dataclass_instance(x):
        import dataclasses

        d = g if isinstance(g, dict) else {}
        if _is_dataclass_instance(g):
            d = {f.name: getattr(g, f.name) for f in dataclasses.fields(g)}
        vals = {}
        for f in dataclasses.fields(x):
            v = getattr(x, f.name)
            m = match(d.get(f.name), v)
            vals[f.name] = m
        try:
            return dataclasses.replace(x, **vals)
        except Exception:  # a __post_init__ that rejects gradients: plain dict instead
            return vals
    if g is None:
        return zero_like(x)
    if isinstance(x, np.ndarray):
        dt = x.dtype if np.issubdtype(x.dtype, np.inexact) else np.dtype(float)
        if isinstance(g, np.ndarray) and g.shape == x.shape and g.dtype == dt:
            return g
        if isinstance(g, (list, tuple)) and x.ndim and len(g) == len(x):
            # list(x)'s adjoint: one entry per row, None where a row got no contribution
            g = [np.zeros(x.shape[1:], dt) if gi is None else match(gi, x[i])
                 for i, gi in enumerate(g)]
        if dt.kind != "c" and np.iscomplexobj(g):
            g = np.real(g)  # a real array's gradient through complex values: the real part
        g = np.asarray(g, dtype=dt)
        if g.shape != x.shape:
            g = np.broadcast_to(g, x.shape).copy() if g.ndim == 0 else g.reshape(x.shape)
        return g
    if is_foreign_array(x):  # eng15: a CuPy/Dask array: stay in its library (no asarray)
        dt = x.dtype if np.issubdtype(x.dtype, np.inexact) else np.dtype(float)
        if not is_array(g):
            return np.full_like(x, g, dtype=dt)
        if g.dtype != dt:
            g = g.astype(dt)
        if g.shape != x.shape:
            g = np.broadcast_to(g, x.shape).copy() if g.ndim == 0 else np.reshape(g, x.shape)
        return g
    if _is_namedtuple(x):  # the gradient is a NamedTuple of the same class
        if isinstance(g, (list, tuple)) and len(g) == len(x):
            return type(x)(*(match(gi, xi) for gi, xi in zip(g, x)))
        return zero_like(x)
    if isinstance(x, (list, tuple)) and type(x) in (list, tuple):
        if isinstance(g, (list, tuple)):
            return type(x)(match(gi, xi) for gi, xi in zip(g, x))
        return zero_like(x)
    if isinstance(x, dict):
        if isinstance(g, dict):
            return {k: match(g.get(k), v) for k, v in x.items()}
        return zero_like(x)
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float, np.integer, np.floating)):
        if type(g) is float:
            return g
        if isinstance(x, np.floating) and not isinstance(x, np.float64):
            return type(x)(g)
        return float(np.real(g)) if np.ndim(g) == 0 else float(np.sum(g))
    if isinstance(x, complex):
        return complex(g)
    return g


def param_names(fn) -> list:
    """The positional and keyword-only parameter names of a Python function (its code)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return []
    return list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])


def spec_key(wrt, kinds, version, static=None, *extra) -> tuple:
    """The one cache key of a generated specialisation: differentiated parameters, the
    kind of every argument (a Python type, a Kind, or None), the rule registry's version,
    the static (function) arguments the code was specialised on, and mode flags."""
    def label(k):
        return k.__qualname__ if isinstance(k, type) else "" if k is None else str(k)

    return (tuple(wrt), tuple(sorted((p, label(k)) for p, k in kinds.items())), version,
            tuple(sorted((static or {}).items(), key=lambda kv: kv[0])), extra)
