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
backward pass (the forward value is recomputed there).  At second order a ``custom_vjp``
rule is differentiated as code and transposed for forward mode (:mod:`ast_ad.derived`),
and a ``custom_jvp`` rule is differentiated with respect to the primals (``_Second``).

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
import linecache
from typing import Callable

import numpy as np

from .errors import AstAdError
from .runtime.user_rules import check_tangent


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


def _zero_like(x):
    return np.zeros_like(x, dtype=float) if isinstance(x, np.ndarray) else 0.0


_lines: dict = {}  # fake filename -> source lines of the generated rules
_count = [0]


def _define(name: str, params: list, body: str, env: dict):
    """A function ``def name(params): return body`` with its text in ``linecache`` (so the
    transformer can read and differentiate it at higher order)."""
    _count[0] += 1
    filename = f"<ast_ad-custom {_count[0]} {name}>"
    text = f"def {name}({', '.join(params)}):\n    return {body}\n"
    lines = text.splitlines(keepends=True)
    linecache.cache[filename] = (len(text), None, lines, filename)
    _lines[filename] = lines
    glb = {"__name__": __name__, **env}
    exec(compile(text, filename, "exec"), glb)
    fn = glb[name]
    fn._ast_ad_user_rule = True  # its forward rule is derived by transposition
    return fn


def _pick(c, i, x, n=None):
    """Entry ``i`` of ``bwd``'s tuple of ``n`` cotangents (None: a zero like ``x``)."""
    if not isinstance(c, (tuple, list)):
        raise TypeError(f"bwd must return a tuple of cotangents (one per argument), got "
                        f"{type(c).__name__}")
    if n is not None and len(c) != n:
        raise AstAdError(f"the bwd of a custom_vjp function returned {len(c)} cotangent(s) "
                         f"for {n} positional argument(s); return one per argument (None "
                         "for none)")
    return _zero_like(x) if c[i] is None else c[i]


class custom_vjp(_Custom):  # noqa: N801  (JAX's name)
    """A function with a user-defined reverse rule, in JAX's form.

    ``f.defvjp(fwd, bwd)``: ``fwd(*args) -> (value, residuals)``, ``bwd(residuals, g) ->
    tuple of cotangents`` (one per positional argument, ``None`` for none).  The rule of
    each argument is generated as plain code ``bwd(fwd(*args)[1], g)[i]`` (``fwd`` runs
    again in the backward pass, once per argument), so the transformer differentiates it
    at higher order when ``fwd``/``bwd`` are plain NumPy code; forward mode uses its
    transpose (:mod:`ast_ad.derived`).

    >>> import ast_ad
    >>> @ast_ad.custom_vjp
    ... def cube(x):
    ...     return x ** 3
    >>> cube.defvjp(lambda x: (cube(x), x), lambda r, g: (3.0 * r ** 2 * g,))
    >>> ast_ad.grad(cube)(2.0), ast_ad.hessian(cube)(2.0)
    (12.0, 12.0)
    """

    def defvjp(self, fwd: Callable, bwd: Callable) -> None:
        """Register ``fwd``/``bwd`` as the reverse rule of this function."""
        params = self._params()
        env = {"_fwd": fwd, "_bwd": bwd, "_pick": _pick}
        rules = [_define(f"{self.__name__}_vjp_{i}", ["g", "ans"] + params,
                         f"_pick(_bwd(_fwd({', '.join(params)})[1], g), {i}, {p}, "
                         f"{len(params)})", env)
                 for i, p in enumerate(params)]
        for i, r in enumerate(rules):  # what a wrong cotangent's error names
            r._ast_ad_label = (f"{getattr(bwd, '__qualname__', 'bwd')} (argument {i} of "
                               f"custom_vjp {self.__qualname__})")
        self.registry.defvjp(self, *rules)
        self._fwd, self._bwd = fwd, bwd
        return None

    def _params(self):
        import inspect

        ps = inspect.signature(self.fn).parameters.values()
        return [f"_a{k}" for k, p in enumerate(ps)
                if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]


class custom_jvp(_Custom):  # noqa: N801
    """A function with a user-defined forward rule, in JAX's form.

    ``f.defjvp(jvp)`` (usable as a decorator): ``jvp(primals, tangents) -> (value,
    tangent)``, both tuples of all positional arguments.  Reverse mode uses the columns of
    the Jacobian (one ``jvp`` per input entry: meant for small inputs).  Second
    derivatives (``hessian``, ``hvp``, grad of grad) differentiate ``jvp`` itself with
    respect to the primals by forward mode, so ``jvp`` must then be plain NumPy code; a
    third derivative through it is refused with a clear error.

    >>> import numpy as np, ast_ad
    >>> @ast_ad.custom_jvp
    ... def f(x):
    ...     return np.sin(x)
    >>> @f.defjvp
    ... def f_jvp(primals, tangents):
    ...     return f(primals[0]), np.cos(primals[0]) * tangents[0]
    >>> y, t = ast_ad.jvp(f, (0.0,), (2.0,))
    >>> float(y), t
    (0.0, 2.0)
    >>> round(ast_ad.hessian(f)(0.5), 6)  # -sin(0.5), from f_jvp differentiated again
    -0.479426
    """

    def defjvp(self, jvp: Callable) -> Callable:
        """Register ``jvp`` as the forward rule of this function; returns ``jvp``."""
        n = self._nargs()
        name = self.__name__
        second = _Second(self, jvp, n)

        def tangent_out(args, i, t):
            ts = tuple(t if k == i else _zero_like(a) for k, a in enumerate(args))
            value, tangent = jvp(tuple(args), ts)
            return check_tangent(tangent, value, f"{getattr(jvp, '__qualname__', 'jvp')} "
                                                 f"(custom_jvp {self.__qualname__})")

        def fwd_rule(i):
            def rule(t, ans, *args):
                return tangent_out(args, i, t)
            rule.__name__ = f"{name}_jvp_{i}"
            return rule

        def rev_rule(i):
            def rule(g, ans, *args):
                return _columns(args[i], lambda e: np.sum(g * tangent_out(args, i, e)))
            rule.__name__ = f"{name}_vjp_{i}"
            return rule

        fwds = [fwd_rule(i) for i in range(n)]
        revs = [rev_rule(i) for i in range(n)]
        self.registry.defjvp(self, *fwds)
        self.registry.defvjp(self, *revs)
        for i in range(n):  # both rules are linear in their first argument: exact there;
            # in the primals they need second derivatives of f: ``second`` (below)
            self.registry.defjvp(fwds[i], _linear(fwds[i]), None, *second.rules("fj", i))
            self.registry.defvjp(fwds[i], _transposed(revs[i]), None, *second.rules("fv", i))
            self.registry.defjvp(revs[i], _linear(revs[i]), None, *second.rules("rj", i))
            self.registry.defvjp(revs[i], _transposed(fwds[i]), None, *second.rules("rv", i))
        self._jvp = jvp
        return jvp


def _columns(x, col):
    """The array shaped like ``x`` whose entry ``m`` is ``col(e_m)`` (a number)."""
    if np.ndim(x) == 0:
        return float(np.real_if_close(col(1.0)))
    eye = np.eye(np.size(x))
    return np.reshape(np.stack([col(np.reshape(eye[m], np.shape(x)))
                                for m in range(np.size(x))]), np.shape(x))


def _shaped(out, ans):
    if isinstance(ans, np.ndarray):
        return out + np.zeros_like(ans, dtype=np.result_type(out, ans, float))
    return float(out) if np.ndim(out) == 0 and not np.iscomplexobj(out) else out


class _Second:
    """Second derivatives of a ``custom_jvp`` function from the user's ``jvp``.

    ``d2(args, i, a, k, b)`` is ``f''[a in argument i, b in argument k]``: the derivative
    of ``jvp(args, a in slot i)[1]`` with respect to argument ``k`` in the direction
    ``b``, computed by differentiating the user's ``jvp`` with ast_ad's forward mode (so
    it must be plain NumPy code, like any function ast_ad differentiates).  The rules of
    the two first-order rules in the primals are then columns of ``d2``; they are not
    differentiated again (a third derivative is refused)."""

    def __init__(self, fn, jvp, n):
        self.fn, self.jvp, self.n = fn, jvp, n
        ps = [f"_a{k}" for k in range(n)]
        ts = [f"_t{k}" for k in range(n)]
        self.w = _define(f"{fn.__name__}_jvp_of_primals", ts + ps,
                         f"_jvp(({', '.join(ps)},), ({', '.join(ts)},))[1]", {"_jvp": jvp})

    def d2(self, args, i, a, k, b):
        from .errors import AstAdError
        from .forward_api import jvp

        ts = tuple(a if j == i else _zero_like(x) for j, x in enumerate(args))
        tan = (None,) * self.n + tuple(b if j == k else None for j in range(self.n))
        try:
            return jvp(self.w, ts + tuple(args), tan, self.fn.registry)[1]
        except AstAdError as e:
            raise AstAdError(
                f"a second derivative through the custom_jvp function `{self.fn.__name__}` "
                f"differentiates its jvp rule `{getattr(self.jvp, '__name__', 'jvp')}` "
                f"with respect to the primals, which failed: {e}") from e

    def rules(self, kind, i):
        """The rules, in each primal ``k``, of rule ``kind`` of argument ``i``:
        ``fj``/``fv`` forward/reverse of the forward rule ``(t, ans, *args)``,
        ``rj``/``rv`` forward/reverse of the reverse rule ``(g, ans, *args)``."""
        d2, out = self.d2, []
        for k in range(self.n):
            if kind == "fj":  # J_i t in the direction s of argument k
                def r(s, out_, t, ans, *args, k=k):
                    return _shaped(d2(args, i, t, k, s), ans)
            elif kind == "fv":  # its transpose in s
                def r(u, out_, t, ans, *args, k=k):
                    return _columns(args[k], lambda e: np.sum(u * d2(args, i, t, k, e)))
            elif kind == "rj":  # J_i^T g in the direction s of argument k
                def r(s, out_, g, ans, *args, k=k):
                    return _columns(args[i], lambda e: np.sum(g * d2(args, i, e, k, s)))
            else:  # "rv": its transpose in s
                def r(u, out_, g, ans, *args, k=k):
                    return _columns(args[k], lambda e: np.sum(g * d2(args, i, u, k, e)))
            r.__name__ = f"{self.fn.__name__}_{kind}_{i}_{k}"
            self._refuse_beyond(r)
            out.append(r)
        return out

    def _refuse_beyond(self, r):
        from .derived import refuse

        name = self.fn.__name__
        no = [refuse(f"a third derivative through the custom_jvp function `{name}` is not "
                     f"supported (its second derivative differentiates the jvp rule once "
                     f"at run time); give `{name}` rules written as plain NumPy code with "
                     f"ast_ad.defvjp/defjvp({name}, ...), or differentiate fewer times")]
        self.fn.registry.defjvp(r, *no * (self.n + 4))
        self.fn.registry.defvjp(r, *no * (self.n + 4))


def _linear(rule):
    """The forward rule, in its first argument, of a rule linear in it: the rule itself."""
    def lin(t, out, s, ans, *args):
        return rule(t, ans, *args)
    return lin


def _transposed(other):
    """The reverse rule, in its first argument, of a rule whose transpose is ``other``."""
    def tr(u, out, s, ans, *args):
        return other(u, ans, *args)
    return tr

