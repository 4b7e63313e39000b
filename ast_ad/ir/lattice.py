"""Small typed lattices of the analyses (never parsed strings).

- ``Kind``: how adjoints of a value add: ``NUM`` (numbers, arrays: ``+``) or ``ANY``
  (containers, unknown: the generic ``add_grads``).
- ``Num``: what a scalar surely is: ``FLOAT`` (a Python float or np.float64), ``INT``;
  ``UNKNOWN`` is the optimistic start of the fixed point.
- ``Shape``: shape classes; two names with an equal class have equal shapes; a
  ``fixed`` class is a shape known in full (``np.array([a, b])`` of two numbers).

>>> Shape.param("x") == Shape.param("x"), Shape.SCALAR.rep, Shape.value("d").rep
(True, None, 'd')
>>> Shape.broadcast(Shape.SCALAR, Shape.param("x")), Shape.join(Shape.param("x"), Shape.SCALAR)
(Shape.param('x'), Shape.UNKNOWN)
>>> Shape.broadcast(Shape.fixed((2,)), Shape.fixed((3, 1))), Shape.fixed((2,)).known
(Shape.fixed((3, 2)), True)
>>> Shape.sliced(Shape.param("u"), (2,)) == Shape.sliced(Shape.param("u"), (2,))
True
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Kind(enum.Enum):
    NUM = "num"
    ANY = "any"

    __hash__ = object.__hash__  # members are singletons: identity (Enum's is Python code)


class Num(enum.Enum):
    FLOAT = "float"
    INT = "int"
    UNKNOWN = "unknown"

    __hash__ = object.__hash__


@dataclass(frozen=True)
class Shape:
    """``tag``: 'scalar', 'param' (the shape of parameter ``name``), 'value' (of a name
    defined once outside loops), 'fixed' (the shape ``dims``), or 'unknown'."""

    tag: str
    name: str | None = None
    dims: tuple | None = None

    @staticmethod
    def fixed(dims):
        return Shape("fixed", None, tuple(int(d) for d in dims))

    @staticmethod
    def param(name):
        return Shape("param", name)

    @staticmethod
    def value(name):
        return Shape("value", name)

    @staticmethod
    def sliced(base, parts):
        """The class of ``b[parts]`` for ``b`` of class ``base`` (not fixed): ``parts`` has
        ``"i"`` for an int index and, for a slice, the number of entries it drops from
        its axis whatever the axis' length (``b[1:-1]``, ``b[:-2]``, ``b[2:]``: 2), with no
        trailing 0 (``b[1:, :]`` is ``b[1:]``)."""
        return Shape("slice", None, (base, tuple(parts)))

    @property
    def known(self) -> bool:
        return self.tag != "unknown"

    @property
    def rep(self):
        """The name whose shape this class is (None for scalars and unknowns)."""
        return self.name if self.tag in ("param", "value") else None

    @staticmethod
    def join(a, b):
        """Two definitions of one name (None: no information yet)."""
        if a is None:
            return b
        if b is None or a == b:
            return a
        return Shape.UNKNOWN

    @staticmethod
    def broadcast(a, b):
        """The class of an elementwise result of operands of classes a and b."""
        if a is None or b is None:
            return None
        if a == Shape.SCALAR:
            return b
        if b == Shape.SCALAR:
            return a
        if a.tag == "fixed" and b.tag == "fixed" and a != b:
            import numpy as np

            try:
                return Shape.fixed(np.broadcast_shapes(a.dims, b.dims))
            except ValueError:  # the operation raises
                return Shape.UNKNOWN
        return a if a == b else Shape.UNKNOWN

    def __repr__(self):
        if self.tag == "fixed":
            return f"Shape.fixed({self.dims!r})"
        if self.tag == "slice":
            return f"Shape.sliced({self.dims[0]!r}, {self.dims[1]!r})"
        if self.tag in ("scalar", "unknown"):
            return f"Shape.{self.tag.upper()}"
        return f"Shape.{self.tag}({self.name!r})"


Shape.SCALAR = Shape("scalar")
Shape.UNKNOWN = Shape("unknown")
