"""``grad(f, wrt)`` of ``def f(a, *rest)`` where ``wrt`` reaches into ``*rest``, with JAX's
``argnums`` meaning: an index counts the positional arguments of the call, those gathered
by ``*rest`` included, and the name ``"rest"`` means all of them (their gradients as a
tuple).  The gradient is that of ``f``'s packed variant (``frontend.variants``: ``rest`` a
plain tuple parameter), taken per call for the number of arguments given.

>>> import ast_ad
>>> def f(*xs):
...     return xs[0] * xs[1] ** 2
>>> ast_ad.grad(f, 1)(2.0, 3.0)
12.0
>>> ast_ad.grad(f, "xs")(2.0, 3.0)
(9.0, 12.0)
"""

from __future__ import annotations

import inspect

import numpy as np

from .errors import AstAdError


def reaches_varargs(fn, wrt) -> bool:
    """Whether ``wrt`` names ``fn``'s ``*args`` or indexes past its named positionals."""
    try:
        ps = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        return False
    var = [p.name for p in ps if p.kind is p.VAR_POSITIONAL]
    if not var or any(p.kind is p.VAR_KEYWORD for p in ps):
        return False
    n = sum(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in ps)
    items = tuple(wrt) if isinstance(wrt, (tuple, list)) else (wrt,)
    return any(w == var[0] if isinstance(w, str) else
               (isinstance(w, (int, np.integer)) and not isinstance(w, bool) and
                (w >= n or w < 0)) for w in items)


class VarargsGradient:
    """The gradient function of ``fn`` w.r.t. positions inside its ``*args``."""

    def __init__(self, fn, wrt, with_value, make):
        from .frontend.variants import packed_variant

        self.fn, self.wrt, self.with_value, self._make = fn, wrt, with_value, make
        self.packed = packed_variant(fn)
        if self.packed is None:
            raise AstAdError(f"cannot differentiate {fn.__qualname__} w.r.t. its *args: its "
                             f"source cannot be read")
        self.sig = inspect.signature(fn)
        ps = list(self.sig.parameters.values())
        self.named = [p.name for p in ps if p.kind in (p.POSITIONAL_ONLY,
                                                       p.POSITIONAL_OR_KEYWORD)]
        self.vararg = next(p.name for p in ps if p.kind is p.VAR_POSITIONAL)
        self.single = not isinstance(wrt, (tuple, list))
        self.items = (wrt,) if self.single else tuple(wrt)
        self._grads = {}
        self.__name__ = getattr(fn, "__name__", "f") + "_grad"
        self.__doc__ = f"The gradient of {fn.__qualname__} w.r.t. {wrt!r} (into *args)."

    def _picks(self, nrest):
        n, out = len(self.named), []
        for w in self.items:
            if isinstance(w, str):
                out.append((n, None) if w == self.vararg else (w, None))
                continue
            i = int(w)
            if i < 0:
                i += n + nrest
            if not 0 <= i < n + nrest:
                raise AstAdError(f"wrt={w!r} is out of range: {self.fn.__qualname__} was "
                                 f"called with {n + nrest} positional argument(s)")
            out.append((i, None) if i < n else (n, i - n))
        return out

    def __call__(self, *args, **kwargs):
        b = self.sig.bind(*args, **kwargs)
        b.apply_defaults()
        rest = tuple(b.arguments.get(self.vararg, ()))
        named = [b.arguments[p] for p in self.named]
        kw = {k: v for k, v in b.arguments.items() if k not in self.named and k != self.vararg}
        picks = self._picks(len(rest))
        slots = tuple(dict.fromkeys(p for p, _ in picks))
        g = self._grads.get(slots)
        if g is None:
            g = self._grads[slots] = self._make(self.packed, slots)
        out = g(*named, rest, **kw)
        value = None
        if self.with_value:
            value, out = out
        got = tuple(out)  # (slots is a tuple: one gradient per slot)
        by_slot = dict(zip(slots, got))
        res = tuple(by_slot[p] if k is None else by_slot[p][k] for p, k in picks)
        res = res[0] if self.single else res
        return (value, res) if self.with_value else res
