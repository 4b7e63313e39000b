"""Helpers that derivative rules (and generated code) call.

A rule is one ``return <expression>``; whatever needs statements lives here.  Every public
helper has rules of its own (registered beside the rules that use it), or is declared
non-differentiable, so generated derivative code can be differentiated again.

Helpers only create arrays from arrays they are given (``*_like``, ``np.broadcast_to``,
``np.add.at`` ...), never with ``np.asarray``/``np.zeros(shape)``, so they run unchanged on
any array library that implements NumPy's dispatch protocols.

Cotangents returned here may be read-only views (``np.broadcast_to``) or alias their input
(fast paths): callers must never update them in place.

The helpers live in modules named for what they do (:mod:`.broadcasting`,
:mod:`.reductions`, :mod:`.elementwise`, :mod:`.shapes`, :mod:`.indexing`,
:mod:`.linalg`); every name is importable from here as well.
"""

from __future__ import annotations

import math  # noqa: F401  (importable from here, as before the split)
import operator  # noqa: F401
from itertools import accumulate  # noqa: F401

import numpy as np  # noqa: F401

from . import linalg_more as _linalg_more
from ._common import (  # noqa: F401
    _PY_SCALARS,
    _axes,
    _cot_dtype,
    _dtype,
    _float_of,
    _is_basic_index,
    _is_scalar,
    _is_zero,
    _ndarray,
    _zero_of,
)
from .breadth import (  # noqa: F401  (trapezoid, cov, correlate, selections)
    block_tangent,
    choose_tangent,
    correlate_adjoint_a,
    correlate_adjoint_v,
    cov_fact,
    cov_rows,
    cov_unrows_m,
    cov_unrows_y,
    ediff1d_parts,
    gather,
    index_concat,
    pos_compress,
    pos_delete,
    pos_extract,
    pos_index_concat,
    pos_insert,
    scatter,
    tangent_or_zeros,
    trap_dw,
    trap_w,
    unblock,
    unchoose,
    untrap_w,
)
from .broadcasting import (
    broadcast_like,
    count_reduced,
    sum_like,
    unbroadcast,
    unbroadcast_each,
    unreduce,
)
from .elementwise import fdiv, float_sign, fpow, unseeded_zero, xlogy
from .indexing import as_sequence, check_unpack, unindex
from .linalg import (
    dot_adjoint_a,
    dot_adjoint_b,
    matmul_adjoint_a,
    matmul_adjoint_b,
    norm_dir,
    norm_is_smooth,
    norm_p,
    untrace,
)
from .linalg_breadth import (  # noqa: F401  (multi_dot, cond, eigvals, polyfit)
    cond_dir,
    eig_distinct,
    multi_dot_adjoint,
    multi_dot_cross,
    multi_dot_tangent,
    multi_dot_tangent2,
    poly_full_rank,
    third_refused,
    vander_k,
)
from .linalg_extra import (  # noqa: F401  (eig's gauge, lstsq, spectral norms, bands)
    band_to_dense,
    dense_to_band,
    eig_pivot_mask,
    lstsq_check,
    not_spectral,
    res_row,
    res_unrow,
    spectral_dir_d,
    spectral_third,
)
from .linalg_more import *  # noqa: F403  (the linalg rules' helpers: its __all__)
from .more import (  # noqa: F401  (the breadth rules' helpers)
    diag_adjoint,
    einsum_slot,
    flat_if_none,
    inner_subscripts,
    kron_parts,
    pad_tangent,
    partition_perm,
    pick,
    sort_perm,
    tensordot_subscripts,
    undiagonal,
    unpad,
    unrepeat,
    untake,
    untake_along_axis,
    untile,
    zeros_or_none,
)
from .reductions import (  # noqa: F401
    in_where,
    masked,
    max_weights,
    prod_except,
    scaled,
    uncumsum,
    where_or_one,
)
from .shapes import (
    astype,
    cast_like,
    concat_like,
    copy,
    hstack_axis,
    invert_axes,
    is_given,
    method_reshape,
    method_transpose,
    split_like,
    stack_like,
    transpose_axes,
    unstack,
)
from .signal import (  # noqa: F401  (the breadth rules' helpers)
    angle_scale,
    append_piece,
    convolve_adjoint,
    fft2_axes,
    fft_len,
    fftn_parts,
    fit_to,
    hsplit_axis,
    imag_grad,
    irfft_weights,
    linspace_weights,
    match_real,
    poly_axes,
    poly_column,
    poly_powers,
    poly_uncolumn,
    real_part,
    rollaxis_axes,
    rot90_axes,
    select_like,
    select_none,
    swap_norm,
    unappend,
    unselect,
)
from .statistics import (  # noqa: F401  (the breadth rules' helpers)
    average_weights,
    gradient_of,
    interp_frac,
    interp_parts,
    nan_centered,
    nan_count,
    not_nan,
    quantile_apply,
    quantile_weights,
    unaverage_weights,
    undiff,
    ungradient,
    unquantile,
)

__all__ = [
    *_linalg_more.__all__,
    "as_sequence", "astype", "broadcast_like", "cast_like", "check_unpack", "concat_like",
    "copy", "count_reduced", "dot_adjoint_a", "dot_adjoint_b", "float_sign", "hstack_axis",
    "invert_axes",
    "matmul_adjoint_a", "matmul_adjoint_b", "max_weights", "method_reshape",
    "method_transpose", "norm_dir", "norm_is_smooth", "norm_p", "prod_except", "split_like",
    "stack_like", "sum_like", "transpose_axes", "unbroadcast", "unbroadcast_each",
    "uncumsum", "unindex", "unreduce", "unstack", "untrace", "xlogy", "fdiv", "fpow",
    "unseeded_zero", "is_given", "in_where", "masked", "where_or_one",
    "scaled",
]
