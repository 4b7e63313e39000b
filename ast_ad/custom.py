"""``custom_vjp`` / ``custom_jvp``: user-defined derivatives in JAX's form.

::

    @ast_ad.custom_vjp
    def clip_gradient(x):
        return x

    def fwd(x):
        return x, None               # (value, residuals)

    def bwd(res, g):
        return (np.clip(g, -1, 1),)  # one cotangent per positional argument

    clip_gradient.defvjp(fwd, bwd)

    @ast_ad.custom_jvp
    def f(x, y):
        return np.sin(x) * y

    @f.defjvp
    def f_jvp(primals, tangents):
        (x, y), (tx, ty) = primals, tangents
        return f(x, y), np.cos(x) * y * tx + np.sin(x) * ty

Both register rules in the rule registry (``defvjp``/``defjvp`` on the decorated object),
so the transformer, the tape and the forward mode all use them.  A ``custom_jvp`` function
gets a reverse rule too, by columns of its Jacobian (one jvp per input entry: meant for
small inputs); a ``custom_vjp`` function runs the user's ``fwd`` then ``bwd`` in the
backward pass (the forward value is recomputed there).

>>> import ast_ad
>>> @ast_ad.custom_vjp
... def double(x):
...     return 2.0 * x
>>> double.defvjp(lambda x: (double(x), None), lambda res, g: (10.0 * g,))
>>> ast_ad.grad(lambda x: double(x) * 1.0)(3.0)
10.0
"""

from __future__ import annotations

import functools

import numpy as np

from .errors import AstAdError
from .runtime.user_rules import check_cotangent, check_tangent


class _Custom:
    def __init__(self, fn, registry=None):
        functools.update_wrapper(self, fn)
        self.fn = fn
        self._registry = registry

    def __call__(self, *args, **kwargs):
        return self.fn(*args, **kwargs)

    @property
    def registry(self):
        if self._registry is not None:
            return self._registry
        from .rules.registry import default_registry

        return default_registry

    def __repr__(self):
        return f"<ast_ad.{type(self).__name__.lower()} {self.__qualname__}>"

    def _nargs(self):
        import inspect

        ps = inspect.signature(self.fn).parameters.values()
        return sum(1 for p in ps if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD))


def _name(fn):
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


def _zero_like(x):
    return np.zeros_like(x, dtype=float) if isinstance(x, np.ndarray) else 0.0


class custom_vjp(_Custom):  # noqa: N801  (JAX's name)
    """``f.defvjp(fwd, bwd)``: ``fwd(*args) -> (value, residuals)``,
    ``bwd(residuals, g) -> tuple of cotangents`` (one per positional argument)."""

    def defvjp(self, fwd, bwd):
        last = {}

        def cotangents(g, ans, args):
            key = (id(g), id(ans)) + tuple(id(a) for a in args)
            hit = last.get("key")
            if hit == key:
                return last["out"]
            _, res = fwd(*args)
            out = bwd(res, g)
            if not isinstance(out, (tuple, list)):
                raise TypeError(f"{self.__qualname__}: bwd must return a tuple of "
                                f"cotangents (one per argument), got {type(out).__name__}")
            if len(out) != len(args):
                raise AstAdError(
                    f"{_name(bwd)}, the bwd of custom_vjp {self.__qualname__}, returned "
                    f"{len(out)} cotangent(s) for {len(args)} positional argument(s); return "
                    "one per argument (None for none)")
            out = tuple(None if c is None else
                        check_cotangent(c, a, f"{_name(bwd)} (argument {i} of custom_vjp "
                                              f"{self.__qualname__})")
                        for i, (c, a) in enumerate(zip(out, args)))
            last.clear()
            last.update(key=key, out=out, keep=(g, ans, args))
            return out

        def rule(i):
            def vjp(g, ans, *args):
                c = cotangents(g, ans, args)[i]
                return _zero_like(args[i]) if c is None else c
            vjp.__name__ = f"{self.__name__}_vjp_{i}"
            return vjp

        self.registry.defvjp(self, *[rule(i) for i in range(self._nargs())])
        self._fwd, self._bwd = fwd, bwd
        return None


class custom_jvp(_Custom):  # noqa: N801
    """``f.defjvp(jvp)`` (usable as a decorator): ``jvp(primals, tangents) ->
    (value, tangent)``, both tuples of all positional arguments."""

    def defjvp(self, jvp):
        n = self._nargs()

        def tangent_out(args, i, t):
            ts = tuple(t if k == i else _zero_like(a) for k, a in enumerate(args))
            value, tangent = jvp(tuple(args), ts)
            return check_tangent(tangent, value, f"{_name(jvp)} (custom_jvp "
                                                 f"{self.__qualname__})")

        def fwd_rule(i):
            def rule(t, ans, *args):
                return tangent_out(args, i, t)
            rule.__name__ = f"{self.__name__}_jvp_{i}"
            return rule

        def rev_rule(i):
            def rule(g, ans, *args):
                x = args[i]
                if not isinstance(x, np.ndarray):
                    return float(np.sum(np.asarray(g) * tangent_out(args, i, 1.0)))
                out = np.zeros(x.shape)
                for k in range(x.size):
                    e = np.zeros(x.shape)
                    e.flat[k] = 1.0
                    out.flat[k] = np.sum(np.asarray(g) * tangent_out(args, i, e))
                return out
            rule.__name__ = f"{self.__name__}_vjp_{i}"
            return rule

        self.registry.defjvp(self, *[fwd_rule(i) for i in range(n)])
        self.registry.defvjp(self, *[rev_rule(i) for i in range(n)])
        self._jvp = jvp
        return jvp
