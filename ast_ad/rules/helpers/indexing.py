"""Indexing helpers: the adjoint of ``x[idx]`` (``unindex``) and sequence unpacking."""

from __future__ import annotations

import numpy as np

from ._common import _cot_dtype, _is_basic_index, _zero_of


def unindex(grad, like, idx):
    """The adjoint of ``like[idx]``: zeros like ``like`` with ``grad`` added at ``idx``.

    Repeated integer-array indices accumulate (``np.add.at``).  For a list/tuple ``like``
    the result is a list/tuple of zero cotangents with ``grad`` at ``idx`` (int or slice).
    """
    if isinstance(like, (list, tuple)):
        out = [_zero_of(e) for e in like]
        if isinstance(idx, slice):
            for j, gj in zip(range(len(like))[idx], grad):
                out[j] = gj
        else:
            out[idx] = grad
        return type(like)(out)
    if isinstance(like, dict):
        return {k: (grad if k == idx else _zero_of(v)) for k, v in like.items()}
    out = np.zeros_like(like, dtype=_cot_dtype(grad, like))
    if _is_basic_index(idx):
        out[idx] = grad
    else:
        np.add.at(out, idx, grad)
    return out


def as_sequence(xs):
    """An indexable version of an iterable (lists, tuples, arrays and ranges pass through)."""
    if isinstance(xs, (list, tuple, range)) or hasattr(xs, "shape"):
        return xs
    return list(xs)


def check_unpack(seq, n):
    """Raise like Python does when unpacking ``seq`` into ``n`` targets fails."""
    k = len(seq)
    if k > n:
        raise ValueError(f"too many values to unpack (expected {n})")
    if k < n:
        raise ValueError(f"not enough values to unpack (expected {n}, got {k})")
