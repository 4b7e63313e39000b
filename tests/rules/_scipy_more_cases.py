"""More SciPy rule cases (appended to cases.CASES through _scipy_cases): odeint, the
Rosenbrock function, the remaining scipy.stats tails."""

import numpy as np
from scipy.integrate import odeint

from ast_ad.rules.scipy import integrate as _integrate

from .cases import add, u

_TOL = dict(rtol=1e-11, atol=1e-11)


# -- odeint: y0, t and args (the forward rules refuse) -----------------------------------------
def decay(y, t, k):
    return -k * y


def pendulum(y, t, damping, length):
    return np.array([y[1], -9.81 / length * np.sin(y[0]) - damping * y[1]])


def lotka_volterra(y, t, ab, cd):
    return [ab[0] * y[0] - ab[1] * y[0] * y[1], -cd[0] * y[1] + cd[1] * y[0] * y[1]]


def forced(t, y, w):  # tfirst=True, time-dependent: the initial time's cotangent
    return -y + np.sin(w * t)


add(odeint, decay, np.array([1.0, -0.5]), np.linspace(0.0, 1.0, 4), (0.7,), **_TOL)
add(odeint, decay, np.array([1.0, -0.5]), np.array([0.1, 0.4, 1.2]), (np.array([0.7, 1.3]),),
    **_TOL)
add(odeint, pendulum, np.array([0.4, -0.2]), np.array([0.0, 0.3, 0.8, 1.5]), (0.3, 1.2), **_TOL)
add(odeint, lotka_volterra, np.array([1.0, 0.6]), np.linspace(0.0, 2.0, 5),
    (np.array([1.1, 0.4]), np.array([0.8, 0.3])), **_TOL)
add(odeint, forced, np.array([0.5]), np.array([0.2, 0.9, 1.4]), (2.0,), tfirst=True, **_TOL)
add(odeint, forced, u(1), np.array([0.3, 1.0]), args=(1.5,), tfirst=True, **_TOL)
ODEINT_COTANGENTS = _integrate.odeint_cotangents  # every rule refuses: no case

# -- the Rosenbrock function (1-d and over the first axis) -------------------------------------
from scipy import optimize as _opt  # noqa: E402

for _shape in [(2,), (5,), (4, 3)]:
    add(_opt.rosen, u(*_shape))
    add(_opt.rosen_der, u(*_shape))
    add(_opt.rosen_hess_prod, u(*_shape[:1]), u(*_shape[:1]))
