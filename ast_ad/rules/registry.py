"""Rule registries: one truth for the transformer, the tape and forward mode.

A reverse rule is a runnable function ``rule(g, ans, *args, **kwargs)`` returning the
contribution of the output cotangent ``g`` to one positional argument.  For an argument
that is a list (``np.concatenate``, ``np.stack``) it returns a list, one entry per element.
A forward rule ``jvp_rule(t, ans, *args, **kwargs)`` returns the output tangent caused by
the tangent ``t`` of one argument; contributions of several arguments are summed.

Registries are objects.  ``default_registry`` holds the built-in rules; ``Registry(parent)``
gives an isolated registry that falls back to its parent (handy in tests).  Every
registration bumps ``version``, which is part of every gradient cache key.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

_versions = itertools.count(1)
#: bumped by every registration in any registry; cached gradients compare it per call
state = [0]


@dataclass(frozen=True)
class RuleSet:
    """The rules of one function: one entry per positional argument (None = no derivative)."""

    fn: Any
    rules: tuple


class Registry:
    """A table of derivative rules: reverse (``defvjp``), forward (``defjvp``) and
    non-differentiable functions (``nondifferentiable``), falling back to ``parent``.

    >>> import ast_ad
    >>> reg = ast_ad.Registry(ast_ad.default_registry)
    >>> def triple(x):
    ...     return 3.0 * x
    >>> _ = reg.defvjp(triple, lambda g, ans, x: 3.0 * g)
    >>> ast_ad.grad(triple, registry=reg)(1.0)
    3.0
    """

    def __init__(self, parent: Registry | None = None, name: str = "registry"):
        self.parent = parent
        self.name = name
        self._vjp: dict = {}
        self._jvp: dict = {}
        self._nondiff: dict = {}
        self._own_version = next(_versions)

    # -- registration ----------------------------------------------------------------
    def defvjp(self, fn: Any, *rules: Callable | None) -> Any:
        """Register reverse rules for ``fn``, one per positional argument; returns ``fn``.

        A rule is ``rule(g, ans, *args, **kwargs)``: the cotangent of that argument.

        >>> import ast_ad
        >>> def cube(x):
        ...     return x ** 3
        >>> reg = ast_ad.Registry(parent=ast_ad.default_registry)
        >>> _ = reg.defvjp(cube, lambda g, ans, x: g * 3 * x ** 2)
        >>> ast_ad.grad(lambda x: cube(x) + x, registry=reg)(2.0)
        13.0
        """
        return self._define(self._vjp, "defvjp", fn, rules)

    def defjvp(self, fn: Any, *rules: Callable | None) -> Any:
        """Register forward rules for ``fn``, one per positional argument; returns ``fn``.

        A rule is ``rule(t, ans, *args, **kwargs)``: that argument's tangent contribution.

        >>> import ast_ad
        >>> def cube(x):
        ...     return x ** 3
        >>> reg = ast_ad.Registry(parent=ast_ad.default_registry)
        >>> _ = reg.defjvp(cube, lambda t, ans, x: t * 3 * x ** 2)
        >>> ast_ad.jvp(lambda x: cube(x) + x, (2.0,), (1.0,), registry=reg)
        (10.0, 13.0)
        """
        return self._define(self._jvp, "defjvp", fn, rules)

    def _define(self, table: dict, what: str, fn: Any, rules: tuple) -> Any:
        _need_rules(what, fn, rules)
        table[_key(fn)] = RuleSet(fn, tuple(rules))
        self._nondiff.pop(_key(fn), None)
        self._bump()
        return fn

    def nondifferentiable(self, fn: Any) -> Any:
        """Declare that ``fn`` has a zero derivative (or a non-float result).

        >>> import numpy as np, ast_ad
        >>> def rounded(x):
        ...     return float(np.round(x))
        >>> reg = ast_ad.Registry(parent=ast_ad.default_registry)
        >>> _ = reg.nondifferentiable(rounded)
        >>> ast_ad.grad(lambda x: rounded(x) * x, registry=reg)(2.4)
        2.0
        """
        self._nondiff[_key(fn)] = fn
        self._bump()
        return fn

    def _bump(self) -> None:
        self._own_version = next(_versions)
        state[0] = self._own_version

    # -- queries ---------------------------------------------------------------------
    @property
    def version(self) -> tuple:
        """Changes with every registration here or in a parent (part of cache keys)."""
        own = (self._own_version,)
        return own + self.parent.version if self.parent is not None else own

    def vjp(self, fn: Any) -> RuleSet | None:
        """The reverse rules of ``fn`` (this registry, then its parents), or None."""
        return self._lookup("_vjp", fn) or _derived_rules(fn)

    def jvp(self, fn: Any) -> RuleSet | None:
        """The forward rules of ``fn``; for a function with only a user reverse rule, forward
        rules derived from it by transposition (:mod:`ast_ad.derived`)."""
        r = self._lookup("_jvp", fn) or _derived_rules(fn)
        if r is None and "forward" in _DERIVE:
            rs = self._lookup("_vjp", fn)
            if rs is not None:
                r = _DERIVE["forward"](rs, self)
        return r

    def _lookup(self, table, fn):
        r = getattr(self, table).get(_key(fn))
        if r is None and _key(fn) not in self._nondiff:
            if self.parent is not None:
                return self.parent._lookup(table, fn)
            if _load_lazy(fn):
                return self._lookup(table, fn)
        return r

    def is_nondifferentiable(self, fn: Any) -> bool:
        """True when ``fn`` was declared with :meth:`nondifferentiable` (here or above)."""
        k = _key(fn)
        if k in self._nondiff:
            return True
        if k in self._vjp or k in self._jvp:
            return False
        if self.parent is None:
            return _load_lazy(fn) and self.is_nondifferentiable(fn)
        return self.parent.is_nondifferentiable(fn)

    def has_rule(self, fn: Any) -> bool:
        """True when ``fn`` has a reverse rule or is declared non-differentiable."""
        return self.vjp(fn) is not None or self.is_nondifferentiable(fn)

    def functions(self) -> list:
        """Every function with a reverse rule (this registry and its parents)."""
        seen = dict(self.parent._all_vjp()) if self.parent is not None else {}
        seen.update(self._vjp)
        return [r.fn for r in seen.values()]

    def jvp_functions(self) -> list:
        """Every function with a forward rule (this registry and its parents)."""
        return [r.fn for r in self._all_jvp().values()]

    def _all_jvp(self) -> dict:
        seen = dict(self.parent._all_jvp()) if self.parent is not None else {}
        seen.update(self._jvp)
        return seen

    def _all_vjp(self) -> dict:
        seen = dict(self.parent._all_vjp()) if self.parent is not None else {}
        seen.update(self._vjp)
        return seen

    def nondifferentiable_functions(self) -> list:
        """Every function declared non-differentiable (this registry and its parents)."""
        seen = dict(self.parent._all_nondiff()) if self.parent is not None else {}
        seen.update(self._nondiff)
        return list(seen.values())

    def _all_nondiff(self) -> dict:
        seen = dict(self.parent._all_nondiff()) if self.parent is not None else {}
        seen.update(self._nondiff)
        return seen


#: rule modules registered the first time a function of their library is looked up (SciPy
#: stays optional and is not imported by ``import ast_ad``): library -> module, None once
#: loaded
_LAZY = {"scipy": "ast_ad.rules.scipy"}


def _load_lazy(fn: Any) -> bool:
    """On a miss for a function of a lazily covered library that is already imported
    (``scipy.special.gammaln``: a ufunc, which has no ``__module__``, counts when SciPy is
    imported), import its rule module once.  True when something was loaded now."""
    for lib, module in _LAZY.items():
        if module is None or lib not in sys.modules:
            continue
        mod = getattr(fn, "__module__", None)
        if (mod or "").startswith(lib) or (mod is None and type(fn).__name__ == "ufunc"):
            _LAZY[lib] = None
            __import__(module)
            return True
    return False


#: installed by :mod:`ast_ad.derived` (which runs the tape, far above this module):
#: "forward" -> forward rules made from a user's reverse rules; "refusing" -> the rules of a
#: derived forward rule itself (they refuse: no third derivative through it)
_DERIVE: dict = {}


def _derived_rules(fn):
    refusing = _DERIVE.get("refusing")
    return refusing(fn) if refusing is not None else None


def _need_rules(what, fn, rules):
    if not rules:
        from ..errors import AstAdError

        raise AstAdError(
            f"{what}({getattr(fn, '__name__', fn)!r}) without rules would declare no "
            f"derivative at all; give one rule per positional argument ({what}(fn, rule_x, "
            "...)) or declare it with ast_ad.nondifferentiable")


def _key(fn: Any) -> Any:
    """Functions are keyed by identity (bound builtin methods compare by value)."""
    try:
        hash(fn)
        return fn
    except TypeError:
        return id(fn)


default_registry = Registry(name="default")

defvjp = default_registry.defvjp
defjvp = default_registry.defjvp
nondifferentiable = default_registry.nondifferentiable
