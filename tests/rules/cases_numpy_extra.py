"""Rule cases for numpy_extra and eigvalsh (appended to cases.CASES)."""

import numpy as np

from .cases import add, pos, u


def _with_nans(*shape):
    x = u(*shape)
    x.flat[1] = np.nan
    return x


for _f in (np.nanmax, np.nanmin, np.ptp):
    add(_f, u(5))
    add(_f, u(3, 4), axis=0)
    add(_f, u(3, 4), axis=1, keepdims=True)
    add(_f, u(2, 3, 4), axis=(0, 2))
for _f in (np.nanmax, np.nanmin):
    add(_f, _with_nans(5))
    add(_f, _with_nans(3, 4), axis=1)
add(np.nanprod, u(4))
add(np.nanprod, _with_nans(3, 4), axis=0)
add(np.nanprod, _with_nans(3, 4), axis=1, keepdims=True)
add(np.nancumsum, _with_nans(5))
add(np.nancumsum, _with_nans(3, 4), axis=1)
add(np.nancumsum, _with_nans(3, 4))
for _x, _y in [(pos(4), u(4)), (pos(2, 3), u(3)), (pos(3), 2.0), (1.5, u(3))]:
    add(np.float_power, _x, _y)
add(np.ldexp, u(4), np.array([0, 1, -2, 3]))
add(np.ldexp, u(2, 3), 2)


def _sym(*shape):
    x = u(*shape)
    return x + np.swapaxes(x, -1, -2)


add(np.linalg.eigvalsh, _sym(3, 3))
add(np.linalg.eigvalsh, _sym(2, 3, 3))
add(np.linalg.eigvalsh, u(3, 3), "U")
