"""autograd's numeric NumPy tests (tests/test_numpy.py, test_fft.py, test_complex.py of
HIPS/autograd) restated: each function is differentiated by ``ast_ad.grad`` (reverse) and
``ast_ad.jvp`` (forward) through generated code and checked against central finite
differences (tests/fd.py).  Complex inputs follow autograd's convention: the gradient of a
real-valued ``f(x + iy)`` is ``df/dx - i df/dy``, checked in the real and the imaginary
direction separately.
"""

import numpy as np
import pytest

import ast_ad

from ..fd import fd_directional, fd_grad

pytestmark = pytest.mark.filterwarnings("ignore:invalid value encountered")

R = np.random.default_rng(1717)


def r(*shape):
    return R.standard_normal(shape)


def p(*shape):
    return R.uniform(0.5, 2.0, size=shape)


def c(*shape):
    return R.standard_normal(shape) + 1j * R.standard_normal(shape)


# -- each case: a scalar function of its positional arguments, and the arguments ---------------
def f_dot(a, b):
    return np.sum(np.dot(a, b) ** 2)


def f_tensordot(a, b):
    return np.sum(np.sin(np.tensordot(a, b, axes=([1, 2], [0, 1]))))


def f_einsum_matmul(a, b):
    return np.sum(np.einsum("ij,jk->ik", a, b) ** 2)


def f_einsum_ellipsis(a, b):
    return np.sum(np.tanh(np.einsum("...ij,...jk", a, b)))


def f_einsum_trace(a):
    return np.einsum("ii", a) ** 2


def f_einsum_three(a, b, v):
    return np.sum(np.einsum("ij,jk,k->i", a, b, v) ** 3)


def f_inner(a, b):
    return np.sum(np.inner(a, b) ** 2)


def f_vdot(a, b):
    return np.vdot(a, b) ** 2


def f_outer(a, b):
    return np.sum(np.sin(np.outer(a, b)))


def f_kron(a, b):
    return np.sum(np.kron(a, b) ** 2)


def f_cross(a, b):
    return np.sum(np.cross(a, b) ** 2)


def f_diag(a):
    return np.sum(np.diag(a) ** 2) + np.sum(np.diag(np.diag(a), 1) ** 3)


def f_diagonal(a):
    return np.sum(np.sin(np.diagonal(a, 1, 1, 2)))


def f_diagflat(a):
    return np.sum(np.diagflat(a, -1) * np.arange(25.0).reshape(5, 5))


def f_tril_triu(a):
    return np.sum(np.tril(a) ** 2) + np.sum(np.triu(a, 1) ** 3)


def f_trace(a):
    return np.trace(a, offset=1) ** 2


def f_repeat(a):
    return np.sum(np.repeat(a, 3, axis=1) ** 2 * np.arange(9.0))


def f_tile(a):
    return np.sum(np.tile(a, (2, 3)) ** 2 * np.arange(36.0).reshape(6, 6))


def f_split(a):
    x, y, z = np.split(a, 3)
    return np.sum(x * y) + np.sum(z ** 3)


def f_array_split(a):
    parts = np.array_split(a, 3, axis=1)
    return np.sum(parts[0] ** 2) + np.sum(np.sin(parts[2]))


def f_hsplit(a):
    x, y = np.hsplit(a, 2)
    return np.sum(x * y)


def f_vsplit(a):
    x, y = np.vsplit(a, 2)
    return np.sum(x * np.cos(y))


def f_dsplit(a):
    x, y = np.dsplit(a, 2)
    return np.sum(x ** 2 * y)


def f_pad(a):
    return np.sum(np.pad(a, ((1, 2), (0, 1)), "reflect") ** 2 * np.arange(30.0).reshape(6, 5))


def f_pad_constant(a):
    return np.sum(np.sin(np.pad(a, 2)))


def f_sort(a):
    return np.sum(np.sort(a) * np.arange(5.0))


def f_sort_axis(a):
    return np.sum(np.sort(a, axis=0) * np.arange(12.0).reshape(3, 4))


def f_partition(a):
    return np.sum(np.partition(a, 2) * np.arange(6.0))


def f_take(a):
    return np.sum(np.take(a, [0, 2, 2, 3]) ** 2)


def f_take_along_axis(a):
    idx = np.argsort(a, axis=1)
    return np.sum(np.take_along_axis(a, idx, axis=1) * np.arange(4.0))


def f_cumsum(a):
    return np.sum(np.cumsum(a, axis=0) ** 2)


def f_cumprod(a):
    return np.sum(np.cumprod(a, axis=1))


def f_diff(a):
    return np.sum(np.diff(a, 2, axis=1) ** 2)


def f_gradient(a):
    return np.sum(np.gradient(a, 0.5) ** 2)


def f_gradient_2d(a):
    gx, gy = np.gradient(a)
    return np.sum(gx * gy)


def f_interp(x, fp):
    return np.sum(np.interp(x, np.array([0.0, 0.5, 1.5, 2.0]), fp) ** 2)


def f_sinc(a):
    return np.sum(np.sinc(a))


def f_nan_to_num(a):
    return np.sum(np.nan_to_num(np.log(a)) ** 2)  # log of a negative entry: nan


def f_average(a, w):
    # weights positionally: keyword arguments are not differentiated (see the report)
    return np.average(a, 1, w) @ np.arange(3.0)


def f_median(a):
    return np.sum(np.median(a, axis=1) ** 2)


def f_percentile(a):
    return np.sum(np.percentile(a, [20.0, 70.0], axis=0) ** 2)


def f_quantile(a):
    return np.quantile(a, 0.4) ** 2


def f_nan_reductions(a):
    b = np.log(a)  # nan at the negative entries
    return (np.nansum(b * 3.0) + np.sum(np.nanmean(b, axis=1)) + np.nanvar(b)
            + np.sum(np.nanstd(b, axis=0, ddof=1)))


def f_var_std(a):
    return np.var(a, axis=0, ddof=1).sum() + np.std(a)


def f_std_one(a):
    return np.std(a) + np.sum(a)


def f_atleast(a):
    return np.sum(np.atleast_2d(a) ** 2) + np.sum(np.atleast_3d(a) ** 3) + np.sum(
        np.atleast_1d(a))


def f_stacks(a, b):
    return (np.sum(np.column_stack([a, b]) ** 2 * np.arange(6.0).reshape(3, 2))
            + np.sum(np.hstack([a, b]) ** 3) + np.sum(np.vstack([a, b]) * np.arange(6.0)
                                                       .reshape(2, 3))
            + np.sum(np.dstack([a, b]) ** 2))


def f_flips(a):
    return np.sum((np.fliplr(a) + 2 * np.flipud(a) + np.flip(a, 1) ** 2
                   + np.rot90(np.rot90(a)) ** 3) * np.arange(12.0).reshape(3, 4))


def f_axes(a):
    return (np.sum(np.rollaxis(a, 2) ** 2 * np.arange(24.0).reshape(4, 2, 3))
            + np.sum(np.rollaxis(a, 0, 2) ** 3 * np.arange(24.0).reshape(3, 2, 4))
            + np.sum(np.moveaxis(a, 0, -1) ** 2 * np.arange(24.0).reshape(3, 4, 2))
            + np.sum(np.swapaxes(a, 0, 2) ** 3 * np.arange(24.0).reshape(4, 3, 2)))


def f_select(a):
    return np.sum(np.select([a > 0.5, a < -0.5], [a ** 2, np.sin(a)], a * 3) ** 2)


def f_append(a, b):
    return np.sum(np.append(a, b) ** 2 * np.arange(7.0))


def f_polyval(coef, x):
    return np.sum(np.polyval(coef, x) ** 2)


def f_convolve(a, v):
    return np.sum(np.convolve(a, v) ** 2) + np.sum(np.convolve(a, v, "same") ** 3)


def f_linspace(a, b):
    return np.sum(np.linspace(a, b, 7) ** 2 * np.arange(7.0).reshape(7, 1))


def f_power_zero(x):
    return np.sum(x ** 0.0) + np.sum(np.power(x, 0.0))


def f_fft(a):
    return np.sum(np.abs(np.fft.fft(a)) ** 2 * np.arange(6.0))


def f_ifft(a):
    return np.sum(np.real(np.fft.ifft(a * 1.5)) * np.arange(6.0))


def f_fft2(a):
    return np.sum(np.abs(np.fft.fft2(a)) ** 2 * np.arange(12.0).reshape(3, 4))


def f_fftn(a):
    return np.sum(np.imag(np.fft.fftn(a, s=(3, 5), axes=(0, 1))) ** 2)


def f_ifftn(a):
    return np.sum(np.abs(np.fft.ifftn(a, axes=(1, 2))) ** 2 * np.arange(4.0))


def f_rfft(a):
    return np.sum(np.abs(np.fft.rfft(a, norm="ortho")) ** 2 * np.arange(4.0))


def f_irfft(a):
    return np.sum(np.fft.irfft(np.fft.rfft(a) * np.arange(4.0), 6) ** 2)


def f_rfft2(a):
    return np.sum(np.abs(np.fft.rfft2(a)) * np.arange(3.0))


def f_irfftn(a):
    return np.sum(np.fft.irfftn(np.fft.rfftn(a) * 2.0) * np.arange(12.0).reshape(3, 4))


def f_fftshift(a):
    return np.sum(np.fft.fftshift(a) * np.arange(5.0)) + np.sum(
        np.fft.ifftshift(a) ** 2 * np.arange(5.0))


CASES = [
    (f_dot, (r(3, 4), r(4, 2))), (f_tensordot, (r(2, 3, 4), r(3, 4, 2))),
    (f_einsum_matmul, (r(3, 4), r(4, 2))), (f_einsum_ellipsis, (r(2, 3, 4), r(4, 2))),
    (f_einsum_trace, (r(3, 3),)), (f_einsum_three, (r(2, 3), r(3, 4), r(4))),
    (f_inner, (r(2, 3), r(4, 3))), (f_vdot, (r(2, 3), r(6))), (f_outer, (r(3), r(4))),
    (f_kron, (r(2, 3), r(2, 2))), (f_cross, (r(4, 3), r(4, 3))), (f_diag, (r(3, 3),)),
    (f_diagonal, (r(2, 3, 4),)), (f_diagflat, (r(2, 2),)), (f_tril_triu, (r(3, 4),)),
    (f_trace, (r(3, 4),)), (f_repeat, (r(2, 3),)), (f_tile, (r(3, 2),)),
    (f_split, (r(6),)), (f_array_split, (r(2, 7),)), (f_hsplit, (r(3, 4),)),
    (f_vsplit, (r(4, 3),)), (f_dsplit, (r(2, 2, 4),)), (f_pad, (r(3, 4),)),
    (f_pad_constant, (r(2, 3),)), (f_sort, (r(5),)), (f_sort_axis, (r(3, 4),)),
    (f_partition, (r(6),)), (f_take, (r(2, 3),)), (f_take_along_axis, (r(3, 4),)),
    (f_cumsum, (r(3, 4),)), (f_cumprod, (p(3, 4),)), (f_diff, (r(3, 5),)),
    (f_gradient, (r(6),)), (f_gradient_2d, (r(4, 5),)),
    (f_interp, (np.array([0.1, 0.7, 1.2, 1.9, -0.3]), r(4))), (f_sinc, (r(5),)),
    (f_nan_to_num, (np.array([0.5, -1.0, 2.0]),)), (f_average, (r(3, 4), p(4))),
    (f_median, (r(3, 5),)), (f_percentile, (r(5, 3),)), (f_quantile, (r(7),)),
    (f_nan_reductions, (p(3, 4) * np.array([[1, -1, 1, 1], [1, 1, 1, -1], [1, 1, 1, 1]]),)),
    (f_var_std, (r(3, 4),)), (f_std_one, (r(1),)), (f_atleast, (r(3),)),
    (f_stacks, (r(3), r(3))), (f_flips, (r(3, 4),)), (f_axes, (r(2, 3, 4),)),
    (f_select, (r(3, 4),)), (f_append, (r(3), r(4))), (f_polyval, (r(4), r(5))),
    (f_convolve, (r(5), r(3))), (f_linspace, (r(3), r(3))),
    (f_power_zero, (np.array([0.0, 1.5, 2.0]),)), (f_fft, (r(6),)), (f_ifft, (r(6),)),
    (f_fft2, (r(3, 4),)), (f_fftn, (r(3, 4),)), (f_ifftn, (r(2, 3, 4),)), (f_rfft, (r(6),)),
    (f_irfft, (r(6),)), (f_rfft2, (r(2, 4),)), (f_irfftn, (r(3, 4),)),
    (f_fftshift, (r(5),)),
]
IDS = [f.__name__[2:] for f, _ in CASES]


@pytest.mark.parametrize("fn,args", CASES, ids=IDS)
def test_grad_matches_finite_differences(fn, args):
    wrt = tuple(range(len(args)))
    got = ast_ad.grad(fn, wrt=wrt)(*args)
    want = fd_grad(fn, args, wrt=wrt)
    for k, (gk, wk) in enumerate(zip(got, want)):
        np.testing.assert_allclose(gk, wk, rtol=1e-5, atol=1e-6, err_msg=f"argument {k}")


@pytest.mark.parametrize("fn,args", CASES, ids=IDS)
def test_jvp_matches_finite_differences(fn, args):
    vs = tuple(R.standard_normal(np.shape(a)) for a in args)
    if fn is f_power_zero:
        vs = (np.array([0.0, 1.0, 1.0]),)  # x ** 0 at 0 is flat only from the right side
    _, got = ast_ad.jvp(fn, args, vs)
    want = fd_directional(fn, args, tuple(range(len(args))), vs)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_std_of_one_value_and_power_zero_have_zero_gradient():
    def std(x):
        return np.std(x)

    assert ast_ad.grad(std)(np.array([0.7])) == pytest.approx([0.0])
    g = ast_ad.grad(f_power_zero)(np.array([0.0, 1.5]))
    np.testing.assert_array_equal(g, [0.0, 0.0])


def test_second_derivatives_of_new_rules():
    def h(a):
        return np.sum(np.einsum("ij,jk->ik", a, a) ** 2) + np.sum(np.sort(a, axis=None) ** 3)

    a = r(3, 3)
    hv = ast_ad.hvp(h, (a,), r(3, 3))
    v = R.standard_normal((3, 3))
    hv = ast_ad.hvp(h, (a,), v)
    want = fd_directional(lambda x: ast_ad.grad(h)(x), (a,), 0, v)
    np.testing.assert_allclose(np.asarray(hv).reshape(3, 3), want, rtol=1e-5, atol=1e-6)


# -- complex (autograd's test_complex.py) ---------------------------------------------------------
def _complex_grad_fd(fn, z, eps=1e-6):
    """df/dx - i df/dy of a real-valued fn, entry by entry."""
    out = np.zeros_like(z)
    for k in np.ndindex(z.shape):
        e = np.zeros_like(z)
        e[k] = 1.0
        dx = (fn(z + eps * e) - fn(z - eps * e)) / (2 * eps)
        dy = (fn(z + 1j * eps * e) - fn(z - 1j * eps * e)) / (2 * eps)
        out[k] = dx - 1j * dy
    return out


def c_abs(z):
    return np.sum(np.abs(z) * np.arange(1.0, 4.0))


def c_abs_squared(z):
    return np.sum(np.abs(z) ** 2)


def c_real_imag(z):
    return np.sum(np.real(z) ** 2 * np.imag(z))


def c_angle(z):
    return np.sum(np.angle(z) * np.arange(3.0))


def c_conj(z):
    return np.sum(np.real(np.conj(z) * z * np.array([1.0, 2.0, 0.5])))


def c_holomorphic(z):
    return np.sum(np.real(np.sin(z) * np.exp(z) + z ** 3))


def c_var(z):
    return np.var(z) + np.std(z * 2.0)


def c_fft(z):
    return np.sum(np.abs(np.fft.fft(z)) ** 2 * np.arange(3.0))


def c_einsum(z):
    return np.sum(np.abs(np.einsum("i,i->i", z, z)))


COMPLEX = [c_abs, c_abs_squared, c_real_imag, c_angle, c_conj, c_holomorphic, c_var, c_fft,
           c_einsum]


@pytest.mark.parametrize("fn", COMPLEX, ids=[f.__name__ for f in COMPLEX])
def test_complex_grad_follows_autograds_convention(fn):
    z = c(3)
    got = ast_ad.grad(fn)(z)
    np.testing.assert_allclose(got, _complex_grad_fd(fn, z), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fn", COMPLEX, ids=[f.__name__ for f in COMPLEX])
@pytest.mark.parametrize("direction", ["real", "imaginary"])
def test_complex_jvp_in_real_and_imaginary_directions(fn, direction):
    z = c(3)
    v = R.standard_normal(3) * (1.0 if direction == "real" else 1j)
    _, got = ast_ad.jvp(fn, (z,), (v,))
    eps = 1e-6
    want = (fn(z + eps * v) - fn(z - eps * v)) / (2 * eps)
    np.testing.assert_allclose(np.real(got), want, rtol=1e-5, atol=1e-6)


def test_holomorphic_scalar_gradient_is_the_derivative():
    z = 0.3 + 0.8j
    # in autograd's convention (df/dx - i df/dy) the gradient of Re(f) for a holomorphic f
    # is f'(z)
    got = ast_ad.grad(lambda w: np.real(np.sin(w) * w))(z)
    want = np.cos(z) * z + np.sin(z)
    assert got == pytest.approx(want)


@pytest.mark.parametrize("fn,args", CASES, ids=IDS)
def test_float32_stays_float32(fn, args):
    a32 = tuple(np.asarray(a, dtype=np.float32) for a in args)
    g = ast_ad.grad(fn, wrt=tuple(range(len(args))))(*a32)
    assert [np.asarray(x).dtype for x in g] == [np.dtype(np.float32)] * len(args)
