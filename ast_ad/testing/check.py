"""``check_grad`` itself: validate the options, run ast_ad and the oracles, give the
verdict (a :class:`.report.GradCheckReport`, or a GradientCheckError with tables)."""

from __future__ import annotations

import copy
import inspect
from typing import Any, Callable

import numpy as np

from .. import signature
from ..errors import AstAdError, GradientCheckError, NonScalarOutputError
from .args import _Arg, _as_number, _describe, _finfo_eps, _scalar, _structure_problems, _where
from .oracles import Oracles
from .report import (
    _DIRECTIONS,
    _LOW_ATOL,
    _LOW_RTOL,
    _PROJECTION_THRESHOLD,
    FD,
    ArgReport,
    GradCheckReport,
    _allowed,
    _Cmp,
    _fmt,
    _hint,
    _table,
)


# -- the check --------------------------------------------------------------------------
def check_grad(f: Callable, *args: Any, wrt: Any = 0, kwargs: dict | None = None,
               rtol: float = 1e-6, atol: float = 1e-9, eps: float | None = None,
               method: str = "central", projection: str = "auto", seed: int = 0,
               order: int = 1, modes: tuple = ("rev",), tape: bool = True, dual: bool = True,
               registry: Any = None) -> Any:
    """Check ``ast_ad``'s gradient of scalar ``f`` at ``args`` against independent oracles.

    ``f(*args, **kwargs)`` must return a scalar.  ``wrt`` is an int, a parameter name or a
    tuple of them (as in ``ast_ad.grad``); the differentiated arguments may be floats,
    ints, real arrays, or lists/tuples/dicts of them.  ``kwargs`` are ``f``'s keyword
    arguments (so ``f`` may have parameters named like these options).

    - ``rtol``/``atol``: an entry passes when ``|ast_ad - oracle| <= atol + rtol*|oracle|``
      (plus the finite differences' own rounding noise; looser floors for float32);
    - ``eps``: the finite-difference step, scaled per entry by ``max(1, |x|)``; default
      1e-6 (float64), or the cube root of the input dtype's epsilon when the differences
      must run in float32;
    - ``method``: ``"central"`` or ``"complex-step"`` (exact for real-analytic code; opt in
      only where ``f`` accepts complex input; ``abs``, ``max``, ``clip``, ``sign`` do but
      give wrong derivatives, which the cross-check against central differences reports);
    - ``projection``: ``"auto"`` (random directions for arguments over 1,000 elements),
      ``True`` or ``False``; the directions are drawn from ``seed``;
    - ``order``: 1, or 2 to also check ``ast_ad.hessian`` (when ast_ad has it);
    - ``modes``: ``("rev",)``; add ``"fwd"`` to also check ``ast_ad.jvp`` (when it exists);
    - ``tape``/``dual``: use these oracles (a tape that cannot run ``f`` is a failure;
      dual numbers that cannot run ``f`` are skipped quietly);
    - ``registry``: the rule registry for ast_ad and the tape (default: the default one).

    Returns a :class:`GradCheckReport`; raises :class:`ast_ad.GradientCheckError` (an
    ``AssertionError``) with a table of the worst entries when something disagrees.

    >>> import numpy as np, ast_ad
    >>> def f(x):
    ...     return np.sum(np.sin(x) * x)
    >>> report = ast_ad.check_grad(f, np.array([0.1, 0.5]))
    >>> report.oracles  # dual numbers only run scalar code
    ('finite diff', 'tape')
    """
    kwargs = dict(kwargs or {})
    if method not in ("central", "complex-step"):
        raise AstAdError(f"check_grad: method must be 'central' or 'complex-step', not {method!r}")
    if projection not in ("auto", True, False):
        raise AstAdError(
            f"check_grad: projection must be 'auto', True or False, not {projection!r}")
    modes = (modes,) if isinstance(modes, str) else tuple(modes)
    bad = [m for m in modes if m not in ("rev", "fwd")]
    if bad or not modes:
        raise AstAdError(f"check_grad: modes must be a non-empty subset of ('rev', 'fwd'), "
                         f"not {modes!r}")
    import ast_ad

    if order not in (1, 2):
        raise AstAdError(f"check_grad: order={order!r} is not supported (1, or 2 with "
                         "ast_ad.hessian)")
    if order == 2 and not hasattr(ast_ad, "hessian"):
        raise AstAdError("check_grad: order=2 needs ast_ad.hessian, which this version of "
                         "ast_ad does not have yet")
    if "fwd" in modes and not hasattr(ast_ad, "jvp"):
        raise AstAdError("check_grad: modes with 'fwd' needs ast_ad.jvp, which this version of "
                         "ast_ad does not have yet")

    return _Check(f, args, kwargs, wrt, rtol, atol, eps, method, projection, seed, order,
                  modes, tape, dual, registry).run()


class _Check(Oracles):
    def __init__(self, f, args, kwargs, wrt, rtol, atol, eps, method, projection, seed,
                 order, modes, tape, dual, registry):
        self.f, self.args, self.kwargs, self.wrt = f, args, kwargs, wrt
        self.rtol, self.atol, self.eps, self.method = rtol, atol, eps, method
        self.projection, self.seed, self.order, self.modes = projection, seed, order, modes
        self.use_tape, self.use_dual, self.registry = tape, dual, registry
        self.name = _where(f)
        self.spec = signature.resolve_wrt(f, wrt)
        self.bound = signature.bind(f, args, kwargs)
        self.wargs = [_Arg(n, self.bound.arguments[n]) for n in self.spec.names]
        self.cmps = {a.name: [] for a in self.wargs}  # arg name -> [_Cmp]
        self.extra = []  # (title, labels, [_Cmp], first column) tables not tied to an argument
        self.problems = []  # lines: structure, value, oracles that failed to run
        self.oracles = [FD]
        self.skipped = {}
        self.fd_mode = "native"
        rng = np.random.default_rng(seed)
        self.dirs = {}
        for a in self.wargs:
            proj = projection is True or (projection == "auto" and a.size > _PROJECTION_THRESHOLD)
            if proj:
                v = rng.standard_normal((_DIRECTIONS, a.size))
                self.dirs[a.name] = v / np.linalg.norm(v, axis=1, keepdims=True)

    # -- calling f --------------------------------------------------------------------
    def call(self, replace, fn=None):
        """``f`` (or ``fn``) at the arguments with ``replace`` swapped in (copies: a ``f``
        that writes into its arguments never changes the caller's data, nor the next
        evaluation's)."""
        args = copy.deepcopy(dict(self.bound.arguments))
        args.update(replace)
        b = inspect.BoundArguments(self.bound.signature, args)
        if fn is not None:
            return fn(*b.args, **b.kwargs)
        return _scalar(self.f(*b.args, **b.kwargs), self.name)

    def run(self):
        import ast_ad

        self.value = self.call({})
        self._choose_fd_precision()
        if "rev" in self.modes:
            vg = ast_ad.value_and_grad(self.f, wrt=self.wrt, registry=self.registry)
            value, g = vg(*copy.deepcopy(self.args), **copy.deepcopy(self.kwargs))
            grads = (g,) if self.spec.single else tuple(g)
            self._check_value(value)
            for a, gi in zip(self.wargs, grads):
                self.problems += [f"gradient {p}" for p in _structure_problems(gi, a.value, a.name)]
            flat = {}
            for a, gi in zip(self.wargs, grads):
                fg = a.flatten_grad(gi)
                if fg is None:
                    self.problems.append(f"gradient {a.name}: cannot compare it entry by entry "
                                         f"with {a.size} entries")
                else:
                    flat[a.name] = fg
            self.flat = flat
            for name, fg in flat.items():
                if not np.all(np.isfinite(fg)):
                    self.problems.append(f"gradient {name}: not finite (nan or inf) at this "
                                         "point; check at a point where f is differentiable")
            self._finite_differences()
            if self.use_tape:
                self._tape()
            if self.use_dual:
                self._dual()
        if "fwd" in self.modes:
            self._jvp()
        if self.order == 2:
            self._hessian()
        return self._verdict()

    def _choose_fd_precision(self):
        """float64 differences for low-precision inputs when f accepts float64 inputs."""
        if not any(a.low for a in self.wargs):
            self.fd_mode = "native"
            return
        try:
            out = self.call({a.name: a.build(a.flat, "float64") for a in self.wargs})
            ok = np.asarray(out).dtype == np.float64
        except Exception:
            ok = False
        self.fd_mode = "float64" if ok else "native"
        if not ok:
            self.skipped["float64 finite differences"] = (
                "f did not return float64 for float64 inputs; differences in input precision")

    def _step(self):
        if self.eps is not None:
            return float(self.eps)
        if self.fd_mode == "native":
            e = max(np.finfo(a.dtype).eps for a in self.wargs) if self.wargs else 2.2e-16
            if e > 1e-10:
                return float(np.cbrt(e))
        return 1e-6

    def _check_value(self, value):
        try:
            v = complex(_scalar(value, "ast_ad.value_and_grad")) if np.iscomplexobj(value) \
                else float(_scalar(value, "ast_ad.value_and_grad"))
        except (TypeError, NonScalarOutputError):
            self.problems.append(f"value: ast_ad.value_and_grad returned {_describe(value)}")
            return
        want = self.value
        low = _finfo_eps(want) > 1e-10
        c = _Cmp("value", "f(*args)", np.array([np.real(v)]), np.array([np.real(want)]),
                 _allowed([np.real(want)], self.atol, self.rtol, low))
        if c.fails[0]:
            self.problems.append(f"value: ast_ad.value_and_grad gives {_fmt(np.real(v))} but "
                                 f"f(*args) is {_fmt(np.real(want))} (abs err {c.err[0]:.2e})")

    # -- verdict ----------------------------------------------------------------------
    def _verdict(self):
        sections = []
        arg_reports = []
        for a in self.wargs:
            cmps = self.cmps[a.name]
            ast = [c for c in cmps if c.against == "ast_ad"]
            abs_err = max((float(np.max(c.err, initial=0.0)) for c in ast), default=0.0)
            rel_err = max((float(np.max(c.rel, initial=0.0)) for c in ast), default=0.0)
            arg_reports.append(ArgReport(a.name, a.size, str(a.dtype), a.name in self.dirs,
                                         abs_err, rel_err))
            for table in ("entries", "directions"):
                tc = [c for c in cmps if c.table == table]
                if any(c.fails.any() for c in tc):
                    labels = a.labels if table == "entries" else [
                        f"v{k}" for k in range(_DIRECTIONS)]
                    sections.append(_table(self._title(a, table), labels, tc, "ast_ad")
                                    + _hint(tc))
        for title, labels, tc, first in self.extra:
            if any(c.fails.any() for c in tc):
                sections.append(_table(title, labels, tc, first))
        if self.problems or sections:
            head = f"check_grad: the gradient of {self.name} disagrees with its oracles"
            body = [head]
            if self.problems:
                body.append("\n".join(f"  {p}" for p in self.problems))
            body += sections
            tol = (f"tolerance per entry: atol + rtol*|oracle| (atol={self.atol:g}, "
                   f"rtol={self.rtol:g}), plus finite-difference rounding noise")
            if any(a.low for a in self.wargs):
                tol += f"; float32 floors rtol>={_LOW_RTOL:g}, atol>={_LOW_ATOL:g}*max|grad|"
            body.append(f"{tol}\noracles run: {', '.join(self.oracles)}")
            raise GradientCheckError("\n\n".join(body))
        return GradCheckReport(self.name, _as_number(self.value), self.method,
                               tuple(self.oracles), tuple(arg_reports), dict(self.skipped))

    def _title(self, a, table):
        what = f"argument {a.name} ({a.size} entr{'y' if a.size == 1 else 'ies'}, {a.dtype})"
        if table == "directions":
            return (f"{what}, along {_DIRECTIONS} random unit directions v (seed={self.seed}): "
                    "rows are <gradient, v>")
        return what

