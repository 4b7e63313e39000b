"""What the optimizations share: name counts and renaming."""

from __future__ import annotations

import contextvars
import os

import gast

from ...ir import nodes as N
from ...ir.walk import Transformer, nodes_of

#: the driver's memo of the last counts: ``[stmts, (loads, stores)]``, forgotten whenever
#: an optimization changes the code unless it handed on its result's counts (``remember``;
#: an optimization that changes nothing leaves the statements untouched, so the next one
#: may reuse the counts)
MEMO: contextvars.ContextVar = contextvars.ContextVar("ast_ad_counts_memo", default=None)
_CHECK = os.environ.get("AST_AD_CHECK_COUNTS") == "1"  # (tests: recount and compare)


def counts(stmts):
    """``(loads, stores)``: how often each name is read and written in ``stmts``."""
    memo = MEMO.get()
    if memo and memo[0] is stmts:
        loads, stores = memo[1]
        if _CHECK:
            assert _count(stmts) == (loads, stores), "an optimization changed code silently"
        return dict(loads), dict(stores)
    out = _count(stmts)
    if memo is not None:
        memo[:] = [stmts, out]
    return dict(out[0]), dict(out[1])


def check_counts(stmts, loads, stores):
    """(tests) Counts an optimization kept by hand equal a recount (zero entries aside)."""
    if _CHECK:
        assert _nonzero(loads, stores) == _count(stmts), \
            "an optimization's counts drifted from the code"


def remember(stmts, loads, stores):
    """An optimization that kept the counts of its result by hand hands them to the
    next one (the driver keeps a memo that names the statements it returned)."""
    memo = MEMO.get()
    if memo is not None and stmts is not None:
        check_counts(stmts, loads, stores)
        memo[:] = [stmts, _nonzero(loads, stores), "handed on"]  # (the driver reads the mark)
    return stmts


def _nonzero(loads, stores):
    return {k: v for k, v in loads.items() if v}, {k: v for k, v in stores.items() if v}


def _count(stmts):
    """(one ``walk.nodes_of`` walk: the optimizer's hottest loop)"""
    loads, stores = {}, {}
    Name, Load = gast.Name, gast.Load
    for n in nodes_of(stmts, (Name, gast.AugAssign)):
        if type(n) is Name:
            d = loads if type(n.ctx) is Load else stores
            d[n.id] = d.get(n.id, 0) + 1
        elif type(n.target) is Name:
            loads[n.target.id] = loads.get(n.target.id, 0) + 1  # `+=` reads it too
    return loads, stores


class Rename(Transformer):
    """Loads of ``old`` become ``new`` (a Name or a Constant)."""

    def __init__(self, old, new):
        self.old, self.new = old, new

    def visit_Name(self, node):
        if node.id == self.old and isinstance(node.ctx, gast.Load):
            return N.const(self.new.value) if isinstance(self.new, gast.Constant) \
                else N.name(self.new.id)
        return node
