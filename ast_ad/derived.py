"""Forward rules derived from a user's reverse rule, so second derivatives see user rules.

A reverse rule ``rule(g, ans, *args)`` of argument ``i`` is ``J_i^T g``: linear in ``g``.
Its transpose is the forward rule ``t -> J_i t``, and the transpose of a linear map is its
reverse derivative: ``J_i t = d/dg <rule(g, ans, *args), t>``.  So a function registered
with ``ast_ad.defvjp`` (or ``custom_vjp``) and no forward rule gets one here, computed by
running the user's rule on the tape (:func:`ast_ad.tape.vjp` with respect to ``g``).  This
is what ``hessian``/``hvp``/``jvp`` of a gradient need for the primal call: the reverse
rule's own expression is differentiated by transformation in the generated gradient.

Only user rules are transposed (a rule is linear in ``g`` by definition; a rule that is
not, like gradient clipping, gives the derivative of the rule at ``g = 0``).  A derived
forward rule is itself not differentiable: a third derivative through it is refused with
an :class:`~ast_ad.errors.AstAdError` naming the function.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from .errors import AstAdError
from .rules import registry as _registry
from .rules.registry import RuleSet
from .runtime.user_rules import is_user_rule

#: id(reverse RuleSet) -> (that RuleSet, the derived forward RuleSet)
_derived: dict = {}


def forward_rules(rs: Any, registry: Any) -> Any:
    """The forward RuleSet made from the reverse RuleSet ``rs`` (cached), or None when
    ``rs`` holds no user rule."""
    if not any(is_user_rule(r) for r in rs.rules):
        return None
    hit = _derived.get(id(rs))
    if hit is not None and hit[0] is rs:
        return hit[1]
    rules = tuple(None if r is None else Transposed(rs.fn, r, k, registry)
                  for k, r in enumerate(rs.rules))
    out = RuleSet(rs.fn, rules)
    _derived[id(rs)] = (rs, out)
    return out


def _label(fn: Any) -> str:
    return getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None) or repr(fn)


class Transposed:
    """The forward rule ``t -> J_k t`` of argument ``k`` of ``fn``, from its reverse rule."""

    def __init__(self, fn: Any, rule: Callable, k: int, registry: Any):
        self.fn, self.rule, self.k, self.registry = fn, rule, k, registry
        self.__name__ = f"{getattr(fn, '__name__', 'f')}_jvp_from_vjp_{k}"
        self.__qualname__ = self.__name__

    def __call__(self, t: Any, ans: Any, *args: Any, **kwargs: Any) -> Any:
        from . import tape

        rule = self.rule

        def rule_of_g(g):
            return rule(g, ans, *args, **kwargs)

        g0 = np.zeros(np.shape(ans)) if np.ndim(ans) else 0.0
        try:
            _, back = tape.vjp(rule_of_g, g0, registry=self.registry)
            out = back(t)
        except AstAdError as e:
            raise AstAdError(
                f"forward mode (jvp, hvp, hessian, grad of grad) through `{_label(self.fn)}` "
                f"needs its forward rule; it has only a reverse rule, and transposing that "
                f"rule failed: {e.bare_message}. Register a forward rule with "
                f"ast_ad.defjvp({getattr(self.fn, '__name__', 'f')}, ...)") from e
        if np.ndim(ans) == 0 and np.ndim(out) == 0:
            return float(out) if not np.iscomplexobj(out) else out
        return out

    def __repr__(self) -> str:
        return f"<forward rule of {_label(self.fn)} derived from its reverse rule>"


def refuse(what: str) -> Callable:
    """A rule that raises a clear error when run: ``what`` says which derivative."""
    def refused(g, ans, *args, **kwargs):
        raise AstAdError(what)
    refused.__name__ = "refused_rule"
    return refused


def third_order_message(fn: Any) -> str:
    name = getattr(fn, "__name__", "f")
    return (f"a third derivative through `{_label(fn)}` is not supported: its forward rule "
            f"is derived from its reverse rule at run time and is not differentiated again; "
            f"register a forward rule written as plain NumPy code with "
            f"ast_ad.defjvp({name}, ...) or differentiate fewer times")


def _refusing(fn: Any) -> Any:
    """A derived forward rule has rules that refuse (no third derivative through it)."""
    if not isinstance(fn, Transposed):
        return None
    return RuleSet(fn, (refuse(third_order_message(fn.fn)),) * 64)


_registry._DERIVE.update(forward=forward_rules, refusing=_refusing)
