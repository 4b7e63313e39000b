"""Optimize: the generated-code optimizations, one list, one fixed-point driver.

Each optimization is a named ``(stmts, opts) -> stmts | None`` function (``None``: nothing
changed).  ``run`` cycles through the list, applying each until it changes nothing more,
and stops once every one in a row has changed nothing (one marked ``fixed_point`` gets
no second call on its own result; one that kept its result's name counts hands them on
with ``common.remember``, so the next does not recount); it runs on joint, split and
forward code alike (the ``Options`` say which names are the generated derivative names
it may rewrite).

>>> import gast
>>> code = gast.parse("by = g\\nb_t1 = by\\nbx = b_t1 * 0.9\\nreturn bx").body
>>> out = run(code, Options(names=frozenset({"by", "b_t1", "bx"})))
>>> print(gast.unparse(gast.Module(body=out, type_ignores=[])).strip())
by = g
bx = by * 0.9
return bx
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Callable

import gast

from . import common
from .algebra import algebra
from .common import MEMO
from .copyprop import copy_propagation
from .dead import dead_forward, dead_stores
from .fold import fold_ones
from .forward_fold import fold_forward
from .inline import inline_forward, inline_temporaries, order_gradients, self_copies
from .shapes import scalar_cotangents, shape_representatives


@dataclass(frozen=True)
class Options:
    names: frozenset  # generated derivative names (adjoints, tangents, their temporaries)
    keep: Any = frozenset()  # names that must stay (returned)
    fold_ones: bool = False  # every value is a float: `1.0 * e` may become `e`
    immutable: bool = False  # no value is an array (nothing can alias through `+=`)
    in_place: Any = frozenset()  # primal names written in place (restored by the adjoint)
    floats: Any = frozenset()  # primal names surely holding Python floats
    shape_args: Any = None  # N.key of a function ref -> positions of shape-only arguments
    rep_of: Callable = None  # name -> the representative name of its shape class
    unreduce: Any = None  # the unreduce reference (full-reduction cotangents)
    shape_of: Callable = None  # name -> Shape
    same_shape: Callable = None  # (a, o) -> a is bound once, elementwise of o and numbers
    extra: dict = field(default_factory=dict)


OPTIMIZATIONS = [
    shape_representatives,
    dead_stores,
    copy_propagation,
    scalar_cotangents,
    fold_ones,
    algebra,
    self_copies,
    inline_temporaries,
    order_gradients,
]


def run(stmts, opts, optimizations=OPTIMIZATIONS, rounds=40):
    memo = []
    token = MEMO.set(memo)
    try:
        return _run(list(stmts), opts, optimizations, rounds, memo)
    finally:
        MEMO.reset(token)


def _run(stmts, opts, optimizations, rounds, memo):
    n = len(optimizations)
    quiet = 0  # optimizations run in a row that changed nothing
    for k in range(rounds * n):
        if quiet == n:
            break
        opt, changed = optimizations[k % n], False
        fixed = getattr(opt, "fixed_point", False)  # (the suite still calls it again)
        for _ in range(rounds * 8):  # one optimization to its own fixed point
            new = opt(stmts, opts)
            if new is None:
                break
            assert not (changed and fixed), f"{opt.__name__} did not reach its own fixed point"
            stmts, changed = new, True
            if len(memo) == 3 and memo[0] is new:
                del memo[2]  # it handed on its result's counts (common.remember)
            else:
                memo.clear()  # the counts are stale
            if fixed and not common._CHECK:
                break
        quiet = 1 if changed else quiet + 1
    return stmts


def sweeps(sw):
    """The optimization stage on a transformation's ``Sweeps`` (a new record)."""
    tail = run(sw.tail, sw.options)
    fwd = dead_forward(sw.fwd, tail, sw.options.extra["pure"]) if sw.dead_forward else sw.fwd
    if sw.kind == "joint":  # forward temporaries read once by their line's adjoint
        fwd, moved = inline_forward(list(fwd), tail, sw.options)
        if moved is not tail:  # (unchanged: the tail is at its fixed point already)
            tail = run(moved, sw.options)
    pure_value = sw.options.extra.get("pure_value")
    if pure_value is not None:  # single-use forward temporaries back into their reader
        pushes = {st.targets[0].id for st in sw.head if isinstance(st, gast.Assign)
                  and len(st.targets) == 1 and isinstance(st.targets[0], gast.Name)
                  and isinstance(st.value, gast.Attribute) and st.value.attr == "append"}
        fwd = fold_forward(fwd, list(sw.head) + list(tail) + list(sw.bwd_head or []),
                           pure_value, pushes)
    return replace(sw, tail=tail, fwd=fwd)
