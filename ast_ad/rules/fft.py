"""Rules for ``np.fft``: fft/ifft, fft2/ifft2, fftn/ifftn, rfft/irfft (1-d, 2-d, n-d) and
fftshift/ifftshift.

Every transform is linear, so each is declared by its transpose (the forward rule is the
transform of the tangent).  Under the pairing ``Re(sum(a * b))`` of autograd's complex
convention the DFT matrix is symmetric: the transpose of ``fft`` is ``fft`` itself (same
``norm``), cut or zero-padded back to the input's length where ``n``/``s`` changed it
(``fit_to``).  ``rfft`` keeps the first half of ``fft``: its transpose is the real part of
``fft`` of the zero-padded cotangent.  ``irfft`` reads a half spectrum: its transpose is the
conjugated ``rfft`` of the cotangent (the norm swapped), each entry counted as often as
the full spectrum holds it (``irfft_weights``: 1, 2, ..., 2, 1).
"""

import numpy as np

from .declare import linear
from .helpers import fft2_axes, fftn_parts, fit_to, irfft_weights, match_real, swap_norm
from .registry import default_registry as R

_1D = "a, n=None, axis=-1, norm=None, out=None"
_ND = "a, s=None, axes=None, norm=None, out=None"
_P = "fftn_parts(a, s, axes)"

_LINEAR = [
    (np.fft.fft, _1D, "match_real(fit_to(np.fft.fft(g, None, axis, norm), a, axis), a)"),
    (np.fft.ifft, _1D, "match_real(fit_to(np.fft.ifft(g, None, axis, norm), a, axis), a)"),
    (np.fft.fftn, _ND, f"match_real(fit_to(np.fft.fftn(g, None, {_P}[1], norm), a, {_P}[1]), a)"),
    (np.fft.ifftn, _ND,
     f"match_real(fit_to(np.fft.ifftn(g, None, {_P}[1], norm), a, {_P}[1]), a)"),
    (np.fft.rfft, _1D,
     "np.real(fit_to(np.fft.fft(g, fft_len(a, n, axis), axis, norm), a, axis))"),
    (np.fft.rfftn, _ND,
     f"np.real(fit_to(np.fft.fftn(g, {_P}[0], {_P}[1], norm), a, {_P}[1]))"),
    (np.fft.irfft, _1D,
     "match_real(fit_to(np.conj(np.fft.rfft(g, None, axis, swap_norm(norm))) "
     "* irfft_weights(g, np.shape(g)[axis], axis), a, axis), a)"),
    (np.fft.irfftn, _ND,
     f"match_real(fit_to(np.conj(np.fft.rfftn(g, None, {_P}[1], swap_norm(norm))) "
     f"* irfft_weights(g, np.shape(g)[{_P}[1][-1]], {_P}[1][-1]), a, {_P}[1]), a)"),
    (np.fft.fftshift, "x, axes=None", "np.fft.ifftshift(g, axes)"),
    (np.fft.ifftshift, "x, axes=None", "np.fft.fftshift(g, axes)"),
    (fit_to, "grad, like, axes", "fit_to(g, grad, axes)", None, None),
]
for _fn, _params, *_transposes in _LINEAR:
    linear(_fn, _params, *_transposes)


# -- the 2-d forms: their default axes are (-2, -1), not None (rules take axes=None) ---------
def fft2_vjp(g, ans, a, s=None, axes=None, norm=None, out=None):
    return match_real(fit_to(np.fft.fftn(g, None, fftn_parts(a, s, fft2_axes(axes))[1], norm),
                             a, fftn_parts(a, s, fft2_axes(axes))[1]), a)


def fft2_jvp(t, ans, a, s=None, axes=None, norm=None, out=None):
    return np.fft.fftn(t, s, fft2_axes(axes), norm)


def ifft2_vjp(g, ans, a, s=None, axes=None, norm=None, out=None):
    return match_real(fit_to(np.fft.ifftn(g, None, fftn_parts(a, s, fft2_axes(axes))[1], norm),
                             a, fftn_parts(a, s, fft2_axes(axes))[1]), a)


def ifft2_jvp(t, ans, a, s=None, axes=None, norm=None, out=None):
    return np.fft.ifftn(t, s, fft2_axes(axes), norm)


def rfft2_vjp(g, ans, a, s=None, axes=None, norm=None, out=None):
    return np.real(fit_to(np.fft.fftn(g, fftn_parts(a, s, fft2_axes(axes))[0],
                                      fftn_parts(a, s, fft2_axes(axes))[1], norm),
                          a, fftn_parts(a, s, fft2_axes(axes))[1]))


def rfft2_jvp(t, ans, a, s=None, axes=None, norm=None, out=None):
    return np.fft.rfftn(t, s, fft2_axes(axes), norm)


def irfft2_vjp(g, ans, a, s=None, axes=None, norm=None, out=None):
    return match_real(fit_to(
        np.conj(np.fft.rfftn(g, None, fftn_parts(a, s, fft2_axes(axes))[1], swap_norm(norm)))
        * irfft_weights(g, np.shape(g)[fft2_axes(axes)[-1]], fft2_axes(axes)[-1]),
        a, fftn_parts(a, s, fft2_axes(axes))[1]), a)


def irfft2_jvp(t, ans, a, s=None, axes=None, norm=None, out=None):
    return np.fft.irfftn(t, s, fft2_axes(axes), norm)


for _fn, _vjp, _jvp in ((np.fft.fft2, fft2_vjp, fft2_jvp), (np.fft.ifft2, ifft2_vjp, ifft2_jvp),
                        (np.fft.rfft2, rfft2_vjp, rfft2_jvp),
                        (np.fft.irfft2, irfft2_vjp, irfft2_jvp)):
    R.defvjp(_fn, _vjp)
    R.defjvp(_fn, _jvp)
