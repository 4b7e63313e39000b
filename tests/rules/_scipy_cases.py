"""Rule cases for the SciPy rules (appended to cases.CASES by cases_scipy, when SciPy is
installed).  Importing ``ast_ad.rules.scipy`` registers them up front (they are lazy
otherwise), so every test of the rule tables sees them."""

import numpy as np
import pytest

from .cases import add, pos, u, unit

scipy = pytest.importorskip("scipy")

from scipy import special as sp  # noqa: E402

import ast_ad.rules.scipy  # noqa: E402, F401
from ast_ad.rules.scipy import _helpers  # noqa: E402

# -- scipy.special -----------------------------------------------------------------------------
_POS = lambda *s: u(*s, lo=0.6, hi=3.0)  # noqa: E731
_SMALL = lambda *s: u(*s, lo=0.1, hi=0.9)  # noqa: E731
SPECIAL_UNARY = {
    sp.gammaln: _POS, sp.gamma: _POS, sp.digamma: _POS, sp.rgamma: _POS, sp.erf: u,
    sp.erfc: u, sp.erfinv: unit, sp.erfcinv: lambda *s: u(*s, lo=0.2, hi=1.8), sp.expit: u,
    sp.logit: _SMALL, sp.ndtr: u, sp.log_ndtr: u, sp.ndtri: _SMALL, sp.entr: pos, sp.i0: u,
    sp.i1: u, sp.j0: u, sp.j1: u, sp.y0: _POS, sp.y1: _POS,
}
for _f, _mk in SPECIAL_UNARY.items():
    add(_f, float(_mk()))
    add(_f, _mk(3))
    add(_f, _mk(2, 3))
add(sp.psi, _POS(3))
add(sp.gammaln, _POS(3).astype(np.float32).astype(np.float64))
for _n in (0, 1, 2):
    add(sp.polygamma, _n, _POS(3))
add(sp.polygamma, np.array([0, 1, 2]), _POS(2, 3))
for _f in (sp.gammainc, sp.gammaincc):  # the shape parameter: refused
    add(_f, _POS(3), _POS(3), _wrt=(1,))
    add(_f, 1.5, _POS(2, 3), _wrt=(1,))
for _f in (sp.beta, sp.betaln):
    add(_f, _POS(3), _POS(3))
    add(_f, _POS(2, 3), 1.3)
add(sp.betainc, _POS(3), _POS(3), _SMALL(3), _wrt=(2,))
add(sp.betainc, 2.0, 1.5, _SMALL(2, 2), _wrt=(2,))
for _f in (sp.xlogy, sp.xlog1py):
    add(_f, u(3), pos(3))
    add(_f, u(2, 3), pos(3))
add(sp.multigammaln, _POS(3) + 2.0, 3)
add(sp.multigammaln, 4.5, 2)
add(_helpers.multipolygamma, 1, _POS(3) + 2.0, 3)
for _n in (0, 1, 2, np.array([0, 2, 1])):
    add(_helpers.poly_gamma, _n, _POS(3))
for _v in (0, 1, 2.5, -0.5):
    add(sp.iv, _v, u(3) if _v in (0, 1) else _POS(3), _wrt=(1,))
    add(sp.ive, _v, u(3) + 0.05 if _v in (0, 1) else _POS(3), _wrt=(1,))
    add(sp.jv, _v, _POS(3), _wrt=(1,))
add(sp.iv, np.array([0.5, 1.0, 3.0]), _POS(2, 3), _wrt=(1,))
for _n in (0, 1, 3):
    add(sp.yn, _n, _POS(3))
for _shape, _kw in [((5,), {}), ((3, 4), {"axis": 1}), ((3, 4), {"axis": 0, "keepdims": True}),
                    ((2, 3, 4), {"axis": (0, 2)}), ((3, 4), {})]:
    add(sp.logsumexp, u(*_shape), **_kw)
    add(sp.softmax, u(*_shape), axis=_kw.get("axis"))
    add(sp.log_softmax, u(*_shape), axis=_kw.get("axis"))
add(sp.logsumexp, u(3, 4), 1, pos(3, 4))
add(sp.logsumexp, 0.7)
add(_helpers.no_sign, u(3))

# -- scipy.stats -------------------------------------------------------------------------------
from scipy import stats as st  # noqa: E402

from ast_ad import default_registry  # noqa: E402


def _bound(m):
    """The registered object for a bound method (each attribute access makes a new, equal
    one; the coverage test compares identities)."""
    return default_registry.vjp(m).fn


_add = add


def add(fn, *args, **kw):  # noqa: F811
    _add(_bound(fn) if hasattr(fn, "__self__") and not isinstance(fn, np.ufunc) else fn,
         *args, **kw)


for _m in (st.norm.logpdf, st.norm.pdf, st.norm.cdf, st.norm.logcdf, st.norm.sf, st.norm.logsf):
    add(_m, u(3))
    add(_m, u(2, 3), u(3), pos(2, 3))
    add(_m, u(3), loc=0.3, scale=1.7)
_TAILS = ("cdf", "logcdf", "sf", "logsf")
_CDFS = tuple(getattr(d, m) for d in (st.t, st.chi2, st.gamma, st.beta) for m in _TAILS)


def _wrt(m, n):  # a cdf's (or tail's) shape parameters are refused
    return tuple(k for k in range(n) if not (m in _CDFS and 1 <= k <= (
        2 if m in (st.beta.cdf, st.beta.logcdf, st.beta.sf, st.beta.logsf) else 1)))


for _m in (st.t.logpdf, st.t.pdf, st.t.cdf, st.t.logcdf, st.t.sf, st.t.logsf):
    add(_m, u(3), pos(3) + 2.0, _wrt=_wrt(_m, 2))
    add(_m, u(2, 3), 3.5, u(3), pos(2, 3), _wrt=_wrt(_m, 4))
    add(_m, u(3), 4.0, loc=0.2, scale=1.3, _wrt=_wrt(_m, 2))
for _m in (st.chi2.logpdf, st.chi2.pdf, st.chi2.cdf, st.chi2.logcdf, st.chi2.sf,
           st.chi2.logsf):
    add(_m, pos(3), pos(3) + 2.0, _wrt=_wrt(_m, 2))
    add(_m, pos(2, 3) + 1.0, 3.0, 0.5, 1.5, _wrt=_wrt(_m, 4))
for _m in (st.gamma.logpdf, st.gamma.pdf, st.gamma.cdf, st.gamma.logcdf, st.gamma.sf,
           st.gamma.logsf):
    add(_m, pos(3), pos(3) + 1.0, _wrt=_wrt(_m, 2))
    add(_m, pos(2, 3) + 1.0, 2.0, 0.2, 1.5, _wrt=_wrt(_m, 4))
for _m in (st.beta.logpdf, st.beta.pdf, st.beta.cdf, st.beta.logcdf, st.beta.sf,
           st.beta.logsf):
    add(_m, _SMALL(3), pos(3) + 1.0, pos(3) + 1.0, _wrt=_wrt(_m, 3))
    add(_m, _SMALL(2, 3) + 1.0, 2.0, 1.5, 1.0, 1.2, _wrt=_wrt(_m, 5))
for _m in (st.poisson.logpmf, st.poisson.pmf, st.poisson.cdf):
    add(_m, np.array([0.0, 1.0, 3.0]), pos(3) + 1.0, _wrt=(1,))
    add(_m, 2.0, 1.7, _wrt=(1,))
    add(_m, np.array([3.0, 4.0]), pos(2) + 1.0, 1, _wrt=(1,))


def _spd(d):
    x = u(d, d)
    return x @ x.T + d * np.eye(d)


for _m in (st.multivariate_normal.logpdf, st.multivariate_normal.pdf):
    add(_m, u(3), u(3), _spd(3))
    add(_m, u(4, 3), u(3), _spd(3))
    add(_m, u(2, 3), u(3), cov=_spd(3))
for _m in (st.dirichlet.logpdf, st.dirichlet.pdf):
    _x = pos(4)
    add(_m, _x / np.sum(_x), pos(4) + 0.5, _wrt=(1,))  # off the simplex SciPy refuses
    add(_m, _x[:3] / np.sum(_x) , pos(4) + 0.5)  # x one short: SciPy completes it
add(_helpers.simplex_full, pos(3) / 4, pos(4))
add(_helpers.simplex_full, pos(4), pos(4))
add(_helpers.simplex_dir, u(3), pos(4))
add(_helpers.simplex_dir, u(4), pos(4))
add(_helpers.simplex_undir, u(4), u(3))
add(_helpers.simplex_undir, u(4), u(4))

# -- scipy.linalg --------------------------------------------------------------------------------
from scipy import linalg as sla  # noqa: E402
from scipy import signal as ssig  # noqa: E402

from ast_ad.rules.scipy import _helpers as SH  # noqa: E402

add(sla.expm, u(3, 3))
add(sla.expm, u(2, 3, 3))
add(sla.sqrtm, _spd(3))
for _low in (False, True):
    for _tr in (0, 1, "T"):
        _t = u(3, 3) + 3 * np.eye(3)
        add(sla.solve_triangular, _t, u(3), trans=_tr, lower=_low)
        add(sla.solve_triangular, _t, u(3, 2), _tr, _low, True)
    _c = sla.cho_factor(_spd(3), lower=_low)
    add(sla.cho_factor, _spd(3), lower=_low)
    add(sla.cho_solve, _c, u(3))
    add(sla.cho_solve, _c, u(3, 2))
    add(SH.factor_of, _c)
    add(SH.tri_mask, u(3, 3), _low)
    add(SH.tri_mask, u(3, 3), _low, True)
    add(SH.other_triangle, u(3, 3), _low)
add(sla.solve_sylvester, u(3, 3) + 2 * np.eye(3), u(2, 2) + 2 * np.eye(2), u(3, 2))
for (_l, _up), _n, _k in [((1, 2), 5, None), ((1, 2), 5, 2), ((2, 0), 4, None), ((0, 0), 3, 2),
                          ((1, 1), 2, None)]:
    _ab = u(_l + _up + 1, _n) * 0.3
    _ab[_up] += 3.0  # diagonally dominant
    add(sla.solve_banded, (_l, _up), _ab, u(_n) if _k is None else u(_n, _k))

# -- scipy.signal --------------------------------------------------------------------------------
for _s1, _s2 in [((5,), (3,)), ((3,), (5,)), ((4, 5), (2, 3)), ((2, 2), (3, 4))]:
    for _mode in ("full", "same", "valid"):
        if _mode == "valid" and not (all(a >= b for a, b in zip(_s1, _s2))
                                     or all(a <= b for a, b in zip(_s1, _s2))):
            continue
        add(ssig.convolve, u(*_s1), u(*_s2), _mode)
        add(SH.conv_full, u(*ssig.convolve(np.ones(_s1), np.ones(_s2), _mode).shape),
            u(*_s1), u(*_s2), _mode, _wrt=(0,))
        add(SH.conv_crop, u(*[a + b - 1 for a, b in zip(_s1, _s2)]), u(*_s1), u(*_s2), _mode,
            _wrt=(0,))
add(ssig.convolve, u(6), u(3), method="direct")

# scipy.integrate.trapezoid shares np.trapezoid's rules
from scipy import integrate as _sint  # noqa: E402

add(_sint.trapezoid, u(5), np.cumsum(u(5, lo=0.2, hi=1.0)))
add(_sint.trapezoid, u(3, 4), None, 0.3, 0)

from . import _scipy_more_cases  # noqa: E402, F401
