"""Running user code on dual numbers: :func:`derivative` and :func:`value_and_derivative`
rebind ``math``/``float`` inside ``f`` (the tape's :class:`~ast_ad.tape.patch.Patcher`)
and read the derivative out of the result."""

from __future__ import annotations

import builtins
import inspect
import math
import types
from typing import Any, Callable

import numpy as np

from .. import signature
from ..errors import AstAdError
from .functions import _MATH_BY_OBJECT, _unsupported, dual_math
from .number import Dual


# -- running user code on duals ---------------------------------------------------------
def _float(x=0.0):
    """``float`` inside :func:`derivative`: a Dual stays a Dual (with float parts)."""
    if type(x) is Dual:
        return x
    return builtins.float(x)


def _patcher_class():
    from ..rules.registry import default_registry
    from ..tape import patch

    class DualPatcher(patch.Patcher):
        """The tape's rebinding, translating ``math``/``float`` to the dual-aware versions
        and leaving NumPy as it is (its ufuncs dispatch to ``Dual.__array_ufunc__``)."""

        def __init__(self):
            super().__init__(default_registry)
            self.builtins = dict(builtins.__dict__)
            self.builtins["float"] = _float
            self.builtins["__import__"] = self._import

        def _translate(self, obj):
            if isinstance(obj, types.ModuleType):
                if obj is math:
                    return dual_math
                if obj.__name__.partition(".")[0] == "numpy":
                    return obj
            elif obj is builtins.float:
                return _float
            else:
                try:
                    hit = _MATH_BY_OBJECT.get(obj)
                except TypeError:
                    hit = None
                if hit is not None:
                    return hit
                mod = getattr(obj, "__module__", None) or ""
                if mod == "math" and callable(obj):
                    return _unsupported(obj)
                if isinstance(obj, types.FunctionType) and patch._is_user_function(obj):
                    return self.patch_function(obj)  # its body, even if it has a rule
                if mod.partition(".")[0] == "numpy":
                    return obj
            return super()._translate(obj)

    return DualPatcher


_PATCHER = []


def _rebind(f):
    """``f`` with its ``math``/``float`` names rebound to the dual-aware versions."""
    if not _PATCHER:
        _PATCHER.append(_patcher_class())
    return _PATCHER[0]().entry(f)


def _seed(x):
    if type(x) is Dual:
        return Dual(x, type(x.primal)(1) if isinstance(x.primal, np.generic) else 1.0)
    if isinstance(x, bool) or not isinstance(x, (int, float, np.integer, np.floating)):
        raise AstAdError(
            f"ast_ad.dual.derivative differentiates scalars, not {type(x).__name__}; "
            "use ast_ad.grad for arrays"
        )
    if isinstance(x, np.floating):
        return Dual(x, type(x)(1))
    return Dual(float(x), 1.0)


def _tangent(out, like):
    """The derivative carried by ``out`` (0 where ``out`` does not depend on the input)."""
    if type(out) is Dual:
        t = out.tangent
        if type(like.primal) is float and isinstance(t, np.float64):
            return float(t)
        return t
    if isinstance(out, (tuple, list)):
        return type(out)(_tangent(o, like) for o in out)
    if isinstance(out, np.ndarray) and out.dtype == object:
        return np.array([_tangent(o, like) for o in out.ravel()], dtype=float).reshape(out.shape)
    if isinstance(out, np.ndarray):
        return np.zeros_like(out, dtype=float)
    if isinstance(out, (int, float, np.number)):
        return 0.0
    raise AstAdError(f"ast_ad.dual: cannot read a derivative out of a {type(out).__name__}")


def _primal(out):
    if type(out) is Dual:
        return out.primal
    if isinstance(out, (tuple, list)):
        return type(out)(_primal(o) for o in out)
    if isinstance(out, np.ndarray) and out.dtype == object:
        return np.array([_primal(o) for o in out.ravel()]).reshape(out.shape)
    return out


def _run(f, spec, args, kwargs):
    run = _rebind(f)
    outs, derivs = [], []
    for name in spec.names:
        b = signature.bind(f, args, kwargs)
        seed = _seed(b.arguments[name])
        b.arguments[name] = seed
        out = run(*b.args, **b.kwargs)
        outs.append(out)
        derivs.append(_tangent(out, seed))
    value = _primal(outs[0])
    return value, (derivs[0] if spec.single else tuple(derivs))


def value_and_derivative(f: Callable, wrt: Any = 0) -> Callable:
    """Like :func:`derivative`, returning ``(f(...), derivative(s))``."""
    def vd(*args, **kwargs):
        return _run(f, signature.resolve_wrt(f, wrt), args, kwargs)

    _like(vd, f)
    return vd


def derivative(f: Callable, wrt: Any = 0) -> Callable:
    """The derivative function of ``f`` with respect to the scalar argument ``wrt``.

    ``wrt`` is an int, a parameter name, or a tuple of them (then a tuple of partial
    derivatives, one run of ``f`` per entry).  ``f`` may return a scalar, or a tuple/list
    (or object array) of scalars: the derivative has that structure.
    """
    vd = value_and_derivative(f, wrt)

    def df(*args, **kwargs):
        return vd(*args, **kwargs)[1]

    _like(df, f)
    return df


def _like(new, f):
    """Name, doc and signature of ``f`` (not ``__wrapped__``: ``inspect`` would follow it
    to ``f``'s source), so derivatives nest: ``derivative(derivative(f))``."""
    for a in ("__name__", "__qualname__", "__doc__"):
        try:
            setattr(new, a, getattr(f, a))
        except AttributeError:
            pass
    try:
        new.__signature__ = inspect.signature(f)
    except (TypeError, ValueError):
        pass
