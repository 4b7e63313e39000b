"""Typed annotations on gast nodes: one frozen dataclass per kind, ``get(node, Kind)``.

Every annotation lives in one dict on the node (``_ast_ad``), keyed by its class, so
``nodes.clone`` carries them to copies and no pass reads loose attributes.

>>> import gast
>>> s = gast.Pass()
>>> set_(s, Counter("_n1"))
>>> get(s, Counter).name, get(s, UserCall) is None
('_n1', True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_KEY = "_ast_ad"


def set_(node, value) -> None:
    """Attach ``value`` (an annotation instance) to ``node``; replaces one of its kind."""
    d = node.__dict__.get(_KEY)
    if d is None:
        d = node.__dict__[_KEY] = {}
    d[type(value)] = value


def get(node, kind, default=None):
    d = node.__dict__.get(_KEY)
    return default if d is None else d.get(kind, default)


def has(node, kind) -> bool:
    d = node.__dict__.get(_KEY)
    return d is not None and kind in d


# -- the kinds -------------------------------------------------------------------------
@dataclass(frozen=True)
class Counter:
    """A loop's trip counter (``while`` loops, and ``for`` loops that can break)."""

    name: str


@dataclass(frozen=True)
class UserCall:
    """``x = h(a)`` with a differentiated user function: ``x, rec = alias.fwd(a)``."""

    alias: str
    rec: str
    receiver: Any  # obj in obj.method(a), passed to fwd first; or None
    split: Any
    wrt: tuple
    active_args: tuple
    active_kws: tuple
    checks: tuple = ()  # (argument, parameter, helper, file, line): must not be an array


@dataclass(frozen=True)
class Site:
    """A restore marker's origin: the primal statement (or loop, for a counter)."""

    stmt: Any
    counter: bool = False

    def __hash__(self):
        return hash((id(self.stmt), self.counter))

    def __eq__(self, other):
        return isinstance(other, Site) and other.stmt is self.stmt and \
            other.counter == self.counter


@dataclass(frozen=True)
class Accumulates:
    """An adjoint update ``b = b + c`` / ``b += c`` (keeps the buffer owned)."""


@dataclass(frozen=True)
class ZeroFill:
    """``b = 0.0`` materialising an absent adjoint where paths join."""


@dataclass(frozen=True)
class AugAssign:
    """``x = x op e`` that the user wrote as ``x op= e`` (in place for an array)."""


@dataclass(frozen=True)
class ViewLowered:
    """``v = y[...]`` whose writes and reads ``view_writes`` turned into writes and
    reads of ``y``: not an alias to guard any more."""


VIEW_LOWERED = ViewLowered()
ACCUMULATES = Accumulates()
AUG_ASSIGN = AugAssign()
ZERO_FILL = ZeroFill()


@dataclass(frozen=True)
class Reenter:
    """A ``with`` context manager entered again around the adjoint of its body."""


REENTER = Reenter()


@dataclass(frozen=True)
class TryProgress:
    """A ``try`` whose block records in ``name`` how far it got (``name = k`` after each
    source line of the block): the adjoint replays the lines that completed."""

    name: str
