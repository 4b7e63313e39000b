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

from . import rules as _rules  # noqa: F401  (registers the helpers' own rules)
from .adjoints import (
    MISSING,
    accum_index,
    add_grads,
    as_sequence,
    check_no_view,
    check_output,
    check_unpack,
    clear_grad,
    fix_array,
    is_zero,
    part,
    pop_grad,
    push_grad,
    restore_item,
    save_item,
    seed,
    shape_token,
    stop_gradient,
    take_grad,
    zeros_grad,
)
from .tangents import (
    array_parts,
    array_tangent,
    as_float_tangent,
    tangent_append,
    tangent_list,
    tangent_pop,
    tangent_restore,
    tangent_setitem,
)

__all__ = [
    "MISSING", "accum_index", "add_grads", "array_parts", "array_tangent", "as_float_tangent",
    "as_sequence", "check_no_view", "check_output", "check_unpack", "clear_grad", "fix_array",
    "is_zero", "part", "pop_grad", "push_grad", "restore_item", "save_item", "seed",
    "shape_token", "stop_gradient", "take_grad", "tangent_append", "tangent_list", "tangent_pop",
    "tangent_restore", "tangent_setitem", "zeros_grad",
]
