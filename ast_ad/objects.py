"""The few marker types that the passes must recognise, defined below every pass.

- ``GradientObject``: the base of ``api.GradientFunction``.  A pass that meets one (a
  ``grad(f)`` called inside a differentiated function) needs only ``.fn``, never the API
  layer itself.
- ``Bound``: the object a method gradient is bound to; ``self.helper(x)`` in its body
  resolves statically to the bound method.

>>> class Model:
...     def helper(self, x):
...         return 2 * x
>>> b = Bound(Model())
>>> b == Bound(b.obj), b.method("helper").__name__
(True, 'helper')
"""

from __future__ import annotations


class GradientObject:
    """Marker base of ast_ad's gradient objects (``fn`` is the differentiated function)."""

    fn = None


class Bound:
    """The object a method gradient is bound to (its methods resolve statically)."""

    def __init__(self, obj):
        self.obj = obj

    def method(self, name):
        return getattr(self.obj, name, None)

    def __eq__(self, other):
        return isinstance(other, Bound) and other.obj is self.obj

    def __hash__(self):
        return id(self.obj)

    def __lt__(self, other):
        return False
