"""Reverse mode by recording operations: an independent oracle for the source transformer.

``ast_ad.tape.grad`` has the contract of ``ast_ad.grad`` (``wrt`` binding, gradients shaped
like their arguments, ``NonScalarOutputError``) and uses the same rule registry, but it
runs the user's function unmodified, with ``numpy``/``math``/builtins rebound to tracing
stand-ins, records one path through it, and sweeps that tape backwards::

    import numpy as np
    from ast_ad import tape

    @tape.grad(wrt=("x", "y"))
    def df(x, y):
        return np.sin(x) * y

    df(0.0, 2.0)          # (2.0, 0.0)

Modules: ``core`` (nodes, traces, ``record``), ``arrays`` (array creators, NumPy
dispatch), ``tracer`` (the traced value), ``standins`` (numpy/math/builtins stand-ins),
``patch`` (rebinding names in user code),
``engine`` (forward run, backward sweep, gradient shaping).
"""

from __future__ import annotations

import inspect
from typing import Any, Callable

from .. import signature
from ..rules.registry import default_registry
from .core import primal
from .engine import backward, collect, forward, scalar_output, seed_like
from .tracer import Tracer

__all__ = ["TapeGrad", "grad", "value_and_grad", "vjp"]


class TapeGrad:
    """``grad(f)`` / ``value_and_grad(f)`` of the tape; call it like ``f``.

    Keeps ``__name__``/``__doc__`` and the original function as ``.fn`` (not as
    ``__wrapped__``, which ``inspect`` would follow).
    """

    def __init__(self, f, wrt, registry, with_value):
        self.fn = f
        self.wrt = wrt
        self.registry = registry
        self.with_value = with_value
        self._spec = None
        for a in ("__module__", "__name__", "__qualname__", "__doc__"):
            try:
                setattr(self, a, getattr(f, a))
            except AttributeError:
                pass

    def __call__(self, *args, **kwargs):
        f = self.fn
        if self._spec is None:
            self._spec = signature.resolve_wrt(f, self.wrt)
        spec = self._spec
        registry = self.registry if self.registry is not None else default_registry
        trace, boxed, originals, out = forward(f, args, kwargs, spec, registry)
        node, value = scalar_output(out, trace, f)
        grads = backward(trace, [(node, seed_like(value))]) if node is not None else {}
        gs = tuple(collect(b, o, grads) for b, o in zip(boxed, originals))
        g = gs[0] if spec.single else gs
        return (value, g) if self.with_value else g

    @property
    def __signature__(self):
        # grad(f) takes f's arguments (so grad(grad(f)) resolves wrt against f's parameters)
        return inspect.signature(self.fn)

    def __repr__(self):
        kind = "value_and_grad" if self.with_value else "grad"
        return f"<tape.{kind} of {self.fn!r}, wrt={self.wrt!r}>"


def _make(f, wrt, registry, with_value):
    if f is None:
        return lambda fn: TapeGrad(fn, wrt, registry, with_value)
    if not callable(f):  # @grad(("x", "y")) or grad(0)
        wrt, f = f, None
        return lambda fn: TapeGrad(fn, wrt, registry, with_value)
    return TapeGrad(f, wrt, registry, with_value)


def grad(f: Callable | None = None, wrt: Any = 0, *, registry: Any = None) -> Any:
    """The gradient of scalar ``f`` with respect to ``wrt`` (int, name, or tuple of them)."""
    return _make(f, wrt, registry, False)


def value_and_grad(f: Callable | None = None, wrt: Any = 0, *, registry: Any = None) -> Any:
    """Like :func:`grad`, returning ``(f(...), gradient(s))``."""
    return _make(f, wrt, registry, True)


def vjp(f: Callable, *primals: Any, wrt: Any = 0, registry: Any = None) -> tuple:
    """``(f(*primals), vjp_fn)``; ``vjp_fn(cotangent)`` gives the wrt gradient(s).

    The output may be a scalar, an array, or a tuple/list of them (the cotangent then has
    the same structure).
    """
    spec = signature.resolve_wrt(f, wrt)
    registry = registry if registry is not None else default_registry
    trace, boxed, originals, out = forward(f, primals, {}, spec, registry)
    value = _value(out, trace)

    def vjp_fn(cotangent):
        seeds = []
        _seeds(out, cotangent, trace, seeds)
        grads = backward(trace, seeds) if seeds else {}
        gs = tuple(collect(b, o, grads) for b, o in zip(boxed, originals))
        return gs[0] if spec.single else gs

    return value, vjp_fn


def _value(out, trace):
    t = type(out)
    if isinstance(out, Tracer) and out._trace is trace:
        return out._value
    if t is list or t is tuple:
        return t(_value(o, trace) for o in out)
    return out


def _seeds(out, ct, trace, seeds):
    t = type(out)
    if isinstance(out, Tracer) and out._trace is trace:
        if out._node is not None and ct is not None:
            p = primal(out._value)
            if hasattr(p, "shape") and hasattr(ct, "shape") and ct.shape != p.shape:
                import numpy as np

                ct = np.broadcast_to(ct, p.shape)
            seeds.append((out._node, ct))
    elif t is list or t is tuple:
        for o, c in zip(out, ct):
            _seeds(o, c, trace, seeds)
