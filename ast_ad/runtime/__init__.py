"""The few helpers generated code may call.

Each is small, has a fast path for the common case, and has derivative rules of its own
(:mod:`.rules`), so generated code can itself be differentiated again.

- :mod:`.adjoints`: reverse mode (seeds, adding adjoints, subscript reads and writes);
- :mod:`.tangents`: forward mode (item writes, list appends/pops, ``np.array``);
- :mod:`.rules`: the derivative rules of both.

Zero adjoints: an adjoint that received no contribution is ``0.0`` (a weak Python scalar
that broadcasts against anything); inside containers a missing entry is ``None``.
"""

from __future__ import annotations

from . import (
    adjoints,
    buffers,
    fastpaths,
    mutation,
    mutation_slots,
    sequences,
    tangents,
    user_rules,
)
from . import rules as _rules  # noqa: F401  (registers the helpers' own rules)
from . import sequence_rules as _sequence_rules  # noqa: F401

# isort: split
from . import python  # after .rules: list()/tuple() adjoints shaped like their argument
from .adjoints import *  # noqa: F403
from .buffers import *  # noqa: F403
from .fastpaths import *  # noqa: F403
from .mutation import *  # noqa: F403
from .mutation_slots import *  # noqa: F403
from .python import *  # noqa: F403
from .sequences import *  # noqa: F403
from .tangents import *  # noqa: F403
from .user_rules import *  # noqa: F403

__all__ = adjoints.__all__ + tangents.__all__ + mutation.__all__ + python.__all__ + \
    user_rules.__all__ + sequences.__all__ + mutation_slots.__all__ + buffers.__all__ + \
    fastpaths.__all__
