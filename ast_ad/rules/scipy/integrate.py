"""Rules for ``scipy.integrate.odeint`` (reverse mode; forward mode refuses).

``odeint(func, y0, t, args)`` solves ``dy/ds = func(y, s, *args)``.  Its reverse rule runs
the adjoint system backwards from ``t[-1]`` to ``t[0]``, one output time to the previous at
a time, with ``odeint`` itself (Froehlich, Loos and Hasenauer, "Scalable inference of ODE
models of biochemical processes", 2017, sec. 2.4.2; the scheme of autograd's rule).  The
augmented state is ``(y, a, a_t, a_p)`` with ``da/ds = -a df/dy``, ``da_t/ds = -a df/ds``
and ``da_p/ds = -a df/dp``, where ``a df/d(y, s, p)`` is a vector-Jacobian product of the
user's ``func`` made at run time by ast_ad itself (``func`` is transformed like any user
function; it must be a function without closures, which the front end already enforces).

Cotangents: ``y0`` (any shape odeint accepts), ``t`` (every output time: ``g_i . f(y_i,
t_i)`` for i > 0, and the initial time through the adjoint), and each float entry of
``args`` (a tuple; other entries get none).  The solver options ``rtol``, ``atol``, ``h0``,
``hmax``, ``hmin``, ``mxstep`` apply to the backward solves too; ``Dfun`` is only used for
the forward solve.  Refused: ``full_output=True`` (a tuple result), forward mode
(``jvp``/``hessian``/forward-over-reverse), and differentiating the reverse rule again.
"""

import numpy as np
from scipy.integrate import odeint

from ...errors import UndefinedDerivativeError
from ..declare import _define, _expr
from ..registry import _DERIVE
from ..registry import default_registry as R
from ._helpers import refused

_OPTS = ("rtol", "atol", "h0", "hmax", "hmin", "mxstep")
_memo: list = []  # the last backward pass: y0, t and args share one


def _is_float(x):
    if isinstance(x, bool):
        return False
    return isinstance(x, float) or (
        isinstance(x, (np.ndarray, np.generic)) and np.asarray(x).dtype.kind == "f")


def odeint_cotangents(g, ans, func, y0, t, args, full_output, tfirst, opts):
    """(cotangent of y0, of t, of args) of ``odeint(func, y0, t, args, ...)`` for the output
    cotangent ``g`` (the adjoint method; see the module docstring)."""
    if full_output:
        raise UndefinedDerivativeError("no derivative rule for odeint(..., full_output=True): "
                                  "differentiate the solution alone (full_output=False)")
    args = () if args is None else args if isinstance(args, tuple) else (args,)
    key = (g, ans, func, y0, t, args, tfirst, opts)
    if _memo and len(_memo[0]) == len(key) and all(
            a is b for a, b in zip(_memo[0][:6], key[:6])) and _memo[0][6:] == key[6:]:
        return _memo[1]
    out = _adjoint(g, ans, func, y0, t, args, tfirst, dict(opts))
    _memo[:] = [key, out]
    return out


def _adjoint(g, ans, func, y0, t, args, tfirst, opts):
    yt = np.asarray(ans)
    n_t, d = np.shape(yt)
    g = np.broadcast_to(g, (n_t, d))
    ts = np.asarray(t, dtype=float)
    active = [k for k, a in enumerate(args) if _is_float(a)]
    sizes = [int(np.size(args[k])) for k in active]
    y_at, s_at = (1, 0) if tfirst else (0, 1)
    wrt = (y_at, s_at) + tuple(2 + k for k in active)
    vjp_of = _DERIVE["user_vjp"]

    def primals(y, s):
        return (s, y) + args if tfirst else (y, s) + args

    def flat_grads(grads):
        return [np.ravel(np.broadcast_to(np.asarray(gr, dtype=float), (n,)
                                         if n != 1 else np.shape(gr)))
                for gr, n in zip(grads[2:], sizes)]

    def dynamics(state, s):
        y, a = state[:d], state[d:2 * d]
        val, back = vjp_of(func, *primals(y, s), wrt=wrt)
        cot = [-x for x in a] if isinstance(val, (list, tuple)) else np.reshape(-a, np.shape(val))
        grads = back(cot)
        parts = [np.ravel(np.asarray(val, dtype=float)),
                 np.ravel(np.broadcast_to(np.asarray(grads[0], dtype=float), (d,))),
                 np.ravel(np.asarray(grads[1], dtype=float))] + flat_grads(grads)
        return np.concatenate(parts)

    def rate(y, s):
        return np.ravel(np.asarray(func(*primals(y, s)), dtype=float))

    gy = np.array(g[-1], dtype=float)
    gt = np.zeros(n_t)
    gt0 = 0.0
    gp = np.zeros(sum(sizes))
    for i in range(n_t - 1, 0, -1):
        gt[i] = np.dot(rate(yt[i], ts[i]), g[i])
        gt0 -= gt[i]
        state = np.concatenate([yt[i], gy, [gt0], gp])
        back = odeint(dynamics, state, np.array([ts[i], ts[i - 1]]), **opts)[1]
        gy = back[d:2 * d] + g[i - 1]
        gt0 = back[2 * d]
        gp = back[2 * d + 1:]
    gt[0] = gt0
    gargs = [None] * len(args)
    at = 0
    for k, n in zip(active, sizes):
        piece = gp[at:at + n]
        at += n
        gargs[k] = float(piece[0]) if isinstance(args[k], float) else np.reshape(
            piece, np.shape(args[k])).astype(np.result_type(args[k], np.float64))
    return (np.reshape(gy, np.shape(y0)), np.reshape(gt, np.shape(t)), tuple(gargs))


def _opts(rtol, atol, h0, hmax, hmin, mxstep):
    """The solver options of the backward solves, as a hashable tuple (non-differentiable)."""
    return tuple((k, v) for k, v in zip(_OPTS, (rtol, atol, h0, hmax, hmin, mxstep))
                 if v is not None)


# odeint's parameters, the time grid named {T}: t in the reverse rules, t_ in the forward
# rule (its t is the tangent; keywords map to these names, so a tangent passed as
# ``args=(k,)`` reaches the refusal instead of being dropped)
_PARAMS = ("func, y0, {T}, args=None, Dfun=None, col_deriv=0, full_output=0, ml=None, "
           "mu=None, rtol=None, atol=None, tcrit=None, h0=0.0, hmax=0.0, hmin=0.0, ixpr=0, "
           "mxstep=0, mxhnil=0, mxordn=12, mxords=5, printmessg=0, tfirst=False")
# the reverse rule of y0, t and args: its entry of the cotangents (one backward pass)
_VJPS = [_define(__name__, f"odeint_vjp_{p}", "g, ans, " + _PARAMS.format(T="t"), _expr(
    "odeint_cotangents(g, ans, func, y0, t, args, full_output, tfirst, "
    f"_opts(rtol, atol, h0, hmax, hmin, mxstep))[{k}]"))
    for k, p in enumerate(("y0", "t", "args"))]
odeint_forward = _define(__name__, "odeint_forward", "t, ans, " + _PARAMS.format(T="t_"), _expr(
    'refused(t, "scipy.integrate.odeint in forward mode (jvp, hessian, '
    'forward-over-reverse): differentiate it in reverse mode (grad, vjp)")'))


def odeint_again_vjp(g, ans, *args, **kwargs):
    return refused(g, "a second derivative through scipy.integrate.odeint (its "
                   "reverse rule runs the adjoint ODE at run time)")


def odeint_again_jvp(t, ans, *args, **kwargs):
    return refused(t, "a second derivative through scipy.integrate.odeint (its "
                   "reverse rule runs the adjoint ODE at run time)")


R.defvjp(odeint, None, *_VJPS)
R.defjvp(odeint, None, *[odeint_forward] * 3)
R.defvjp(odeint_cotangents, *[odeint_again_vjp] * 9)
R.defjvp(odeint_cotangents, *[odeint_again_jvp] * 9)
R.nondifferentiable(_opts)

# scipy.integrate.trapezoid: the same sum as np.trapezoid (y, x, dx, axis): its rules
from scipy.integrate import trapezoid as _trapezoid  # noqa: E402

R.defvjp(_trapezoid, *R.vjp(np.trapezoid).rules)
R.defjvp(_trapezoid, *R.jvp(np.trapezoid).rules)
