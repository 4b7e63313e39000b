"""``grad(f, wrt)`` of ``def f(a, *rest)`` where ``wrt`` reaches into ``*rest``, with JAX's
``argnums`` meaning: an index counts the positional arguments of the call, those gathered
by ``*rest`` included, and the name ``"rest"`` means all of them (their gradients as a
tuple).  The gradient is that of ``f``'s packed variant (``frontend.variants``: ``rest`` a
plain tuple parameter), taken per call for the number of arguments given.  Forward mode
and ``vjp`` of such functions pack the same way (``packed_jvp_args``,
``jvp_of_gradient``, ``vjp_packed``).  ``SpreadGradient``: the gradient of a decorator's
wrapper ``def w(*args, **kwargs)`` through its spread variant, per call form.

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
from .signature import own_signature


def reaches_varargs(fn, wrt) -> bool:
    """Whether ``wrt`` names ``fn``'s ``*args`` or indexes past its named positionals."""
    try:
        ps = list(own_signature(fn).parameters.values())
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
        self.sig = inspect.signature(fn, follow_wrapped=False)
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
        return picks(self.fn, self.named, self.vararg, self.items, nrest)

    def packed_for(self, args, kwargs=None):
        """(the gradient object of the packed variant, the call's arguments in its form as
        (positional, keywords), ``pick(out)``: that object's result -> this one's)."""
        b = self.sig.bind(*args, **(kwargs or {}))
        b.apply_defaults()
        rest = tuple(b.arguments.get(self.vararg, ()))
        named = [b.arguments[p] for p in self.named]
        kw = {k: v for k, v in b.arguments.items() if k not in self.named and k != self.vararg}
        ps = self._picks(len(rest))
        slots = tuple(dict.fromkeys(p for p, _ in ps))
        g = self._grads.get(slots)
        if g is None:
            g = self._grads[slots] = self._make(self.packed, slots)
        single, with_value = self.single, self.with_value

        def pick(out):
            value = None
            if with_value:
                value, out = out
            by_slot = dict(zip(slots, tuple(out)))  # (one gradient per slot)
            res = tuple(by_slot[p] if k is None else by_slot[p][k] for p, k in ps)
            res = res[0] if single else res
            return (value, res) if with_value else res

        return g, (tuple(named) + (rest,), kw), pick

    def __call__(self, *args, **kwargs):
        g, (pargs, kw), pick = self.packed_for(args, kwargs)
        return pick(g(*pargs, **kw))


def picks(fn, named, vararg, items, nrest):
    """``(slot, k)`` per ``wrt`` item: ``slot`` a named parameter's position (``k`` None)
    or the ``*args`` slot ``len(named)`` with ``k`` the entry (None: all of them)."""
    n, out = len(named), []
    for w in items:
        if isinstance(w, str):
            out.append((n, None) if w == vararg else (w, None))
            continue
        i = int(w)
        if i < 0:
            i += n + nrest
        if not 0 <= i < n + nrest:
            raise AstAdError(f"wrt={w!r} is out of range: {fn.__qualname__} was "
                             f"called with {n + nrest} positional argument(s)")
        out.append((i, None) if i < n else (n, i - n))
    return out


def layout(fn):
    """``(named positional parameters, the *args name)`` of a Python function with
    ``*args`` and no ``**kwargs`` (the packed variant's form), else None."""
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    if code is None or not code.co_flags & 0x04 or code.co_flags & 0x08:
        return None
    names = code.co_varnames
    return list(names[:code.co_argcount]), names[code.co_argcount + code.co_kwonlyargcount]


def flat_wrt(fn, wrt, nargs):
    """``wrt`` of a function with ``*args`` called with ``nargs`` positional arguments, as
    positions among them (JAX ``argnums``): ``(indices, single)``; the ``*args`` name
    stands for all its entries (a tuple).  None when ``fn`` has no ``*args``."""
    lay = layout(fn)
    if lay is None:
        return None
    named, vararg = lay
    single = not isinstance(wrt, (tuple, list))
    items = (wrt,) if single else tuple(wrt)
    n, nrest = len(named), max(nargs - len(named), 0)
    out = []
    for w in items:
        if isinstance(w, str) and w != vararg:
            if w not in named:
                raise AstAdError(f"wrt={w!r}: {fn.__qualname__} has no positional parameter "
                                 f"named {w!r} (positional: {named}, *{vararg})")
            out.append(named.index(w))
            continue
        if isinstance(w, bool) or not isinstance(w, (int, str, np.integer)):
            raise AstAdError(f"wrt entries must be ints or parameter names, not {w!r}")
        for slot, k in picks(fn, named, vararg, (w,), nrest):
            if slot < n:
                out.append(slot)
            elif k is not None:
                out.append(n + k)
            else:
                single = False
                out.extend(range(n, n + nrest))
    if not out:
        raise AstAdError(f"wrt={wrt!r}: {fn.__qualname__} was called with no *{vararg} "
                         "entries to differentiate")
    return tuple(out), single


def pack(fn, values):
    """Positional ``values`` of a call of ``fn`` (``layout`` not None) in its packed
    variant's form: the named ones, then the ``*args`` entries as one tuple."""
    n = len(layout(fn)[0])
    return tuple(values[:n]) + (tuple(values[n:]),)


class SpreadGradient:
    """The gradient function of a wrapper ``def w(*args, **kwargs)`` that stars them into a
    call (``frontend.variants.needs_spread``): per call form, that of its spread variant
    (plain parameters), ``wrt`` counting the call's positional arguments (JAX
    ``argnums``; the ``*args`` name: all its entries; a name: a named or keyword-only
    parameter, or a keyword the call passes into ``**kwargs``)."""

    def __init__(self, fn, wrt, with_value, has_aux, make):
        self.fn, self.wrt, self.with_value, self.has_aux = fn, wrt, with_value, has_aux
        self._make = make  # (a bound method: its function's variant, bound alike)
        self.sig = inspect.signature(fn, follow_wrapped=False)
        ps = list(self.sig.parameters.values())
        self.named = [p.name for p in ps if p.kind in (p.POSITIONAL_ONLY,
                                                       p.POSITIONAL_OR_KEYWORD)]
        self.kwonly = [p.name for p in ps if p.kind is p.KEYWORD_ONLY]
        self.vararg = next((p.name for p in ps if p.kind is p.VAR_POSITIONAL), None)
        self.kwarg = next((p.name for p in ps if p.kind is p.VAR_KEYWORD), None)
        self.single = not isinstance(wrt, (tuple, list))
        self.items = (wrt,) if self.single else tuple(wrt)
        self._grads = {}
        self.__name__ = getattr(fn, "__name__", "f") + "_grad"
        self.__doc__ = f"The gradient of {fn.__qualname__} w.r.t. {wrt!r}."

    def _slots(self, nrest, extra):
        """Per ``wrt`` item, the spread variant's parameters: an int/name, or a tuple."""
        n, out = len(self.named), []
        flat = self.named + [None] * nrest + list(extra)
        for w in self.items:
            if isinstance(w, str):
                if w == self.vararg:
                    out.append(tuple(range(n, n + nrest)))
                elif w in self.named or w in extra:
                    out.append(flat.index(w))
                elif w in self.kwonly:
                    out.append(w)
                else:
                    raise AstAdError(f"wrt={w!r}: {self.fn.__qualname__} has no parameter "
                                     f"named {w!r}, and the call passes no keyword {w!r}")
                continue
            if isinstance(w, bool) or not isinstance(w, (int, np.integer)):
                raise AstAdError(f"wrt entries must be ints or parameter names, not {w!r}")
            i = int(w) + (n + nrest if w < 0 else 0)
            if not 0 <= i < n + nrest:
                raise AstAdError(f"wrt={w!r} is out of range: {self.fn.__qualname__} was "
                                 f"called with {n + nrest} positional argument(s)")
            out.append(i)
        return out

    def __call__(self, *args, **kwargs):
        from .frontend.variants import spread_variant

        b = self.sig.bind(*args, **kwargs)
        b.apply_defaults()
        rest = tuple(b.arguments.get(self.vararg, ())) if self.vararg else ()
        extra = dict(b.arguments.get(self.kwarg, {})) if self.kwarg else {}
        kw = {k: b.arguments[k] for k in self.kwonly}
        slots = self._slots(len(rest), tuple(extra))
        flat = tuple(dict.fromkeys(x for s in slots for x in (s if isinstance(s, tuple)
                                                              else (s,))))
        key = (len(rest), tuple(extra), flat)
        g = self._grads.get(key)
        if g is None:
            import types

            base = getattr(self.fn, "__func__", self.fn)
            variant = spread_variant(base, len(rest), tuple(extra))
            if variant is not None and base is not self.fn:
                variant = types.MethodType(variant, self.fn.__self__)
            if variant is None or not flat:
                raise AstAdError(
                    f"cannot differentiate {self.fn.__qualname__} w.r.t. {self.wrt!r}: its "
                    "*args/**kwargs cannot become plain parameters for this call (its body "
                    "rebinds them or writes into its **kwargs dict, or reads no source); "
                    "name the parameters, or pass a copy of the dict on")
            g = self._grads[key] = self._make(variant, flat)
        out = g(*[b.arguments[p] for p in self.named], *rest, *extra.values(), **kw)
        value = aux = None
        if self.with_value:
            value, out = out
        elif self.has_aux:
            out, aux = out
        by = dict(zip(flat, out))
        res = tuple(tuple(by[x] for x in s) if isinstance(s, tuple) else by[s] for s in slots)
        res = res[0] if self.single else res
        if self.with_value:
            return value, res
        return (res, aux) if self.has_aux else res


# -- forward mode and vjp (forward_api) ---------------------------------------------------
def packed_jvp_args(fn, primals, tangents):
    """``fn`` with ``*args`` as its packed variant (``frontend.variants``), and the
    primals and tangents in its form: the ``*args`` entries as one tuple each."""
    from .frontend.variants import packed_variant

    name = getattr(fn, "__qualname__", "f")
    packed = packed_variant(fn) if layout(fn) is not None else None
    if packed is None:
        raise AstAdError(f"jvp: tangents for arguments beyond the named parameters of {name} "
                         "need a Python function whose *args is its last positional "
                         "parameter, without **kwargs, with readable source; pass those "
                         "values through named parameters instead")
    rest = pack(fn, tangents)
    if all(t is None for t in rest[-1]):
        rest = rest[:-1] + (None,)
    return packed, pack(fn, primals), rest


def jvp_of_gradient(f, primals, tangents, registry, jvp):
    """``jvp`` of a gradient w.r.t. ``*args`` entries: that of the packed variant's
    gradient, the primals and tangents packed alike, its result picked alike (``jvp``:
    ``forward_api.jvp``, handed in)."""
    g, (pp, kw), pick = f.packed_for(primals)  # (keyword-only parameters: their defaults)
    pt = pack(f.fn, tangents)
    if all(t is None for t in pt[-1]):
        pt = pt[:-1] + (None,)
    pp, pt = pp + tuple(kw.values()), pt + (None,) * len(kw)  # (generated: positional)
    value, tan = jvp(g, pp, pt, registry)
    return pick(value), pick(tan)


def vjp_packed(f, primals, wrt, registry, vjp):
    """``vjp`` of ``def f(a, *rest)``: that of its packed variant, ``wrt`` counting the
    positional arguments (JAX ``argnums``), the gradients picked from the packed ones
    (``vjp``: ``forward_api.vjp``, handed in)."""
    from .frontend.variants import packed_variant

    packed = packed_variant(f)
    if packed is None:
        raise AstAdError(f"vjp of {f.__qualname__} with *args: its source cannot be read")
    idx, single = flat_wrt(f, wrt, len(primals))
    n = len(layout(f)[0])
    slots = tuple(dict.fromkeys(min(i, n) for i in idx))
    value, back = vjp(packed, *pack(f, primals), wrt=slots, registry=registry)

    def vjp_fn(cotangent):
        by = dict(zip(slots, back(cotangent)))
        res = tuple(by[i] if i < n else by[n][i - n] for i in idx)
        return res[0] if single else res

    return value, vjp_fn
