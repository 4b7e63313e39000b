"""``check_grad``: test a gradient against independent oracles, with a readable verdict.

::

    import numpy as np
    from ast_ad.testing import check_grad

    def loss(w, x):
        return np.sum(np.tanh(x @ w) ** 2)

    report = check_grad(loss, np.ones(3), np.eye(3), wrt=0)   # raises on a mismatch
    print(report)

It compares ``ast_ad.value_and_grad(f, wrt)`` with

- central finite differences (always; ``method="complex-step"`` adds the complex step,
  cross-checked against the finite differences), entry by entry, or along a few random
  directions for inputs over 1,000 elements (``projection``);
- the tape, ``ast_ad.tape.grad`` (``tape=False`` skips it);
- dual numbers, :mod:`ast_ad.dual`, when every differentiated argument is a scalar and
  ``f`` runs on them (skipped quietly otherwise; ``dual=False`` skips it);
- ``ast_ad.jvp`` when ``"fwd" in modes``, ``ast_ad.hessian`` when ``order=2``;

and checks that every gradient has the type, shape and dtype of its argument and that the
value returned with the gradient is ``f(*args)``.  A mismatch raises
:class:`ast_ad.GradientCheckError` whose message is a table of the worst entries per
argument (index, ast_ad, each oracle, abs/rel error, which oracle disagrees) and a hint
about what the pattern of disagreement means.  Success returns a :class:`GradCheckReport`.

Tolerances: an entry passes when ``|ast_ad - oracle| <= atol + rtol*|oracle|``, plus, for
finite differences, their own rounding noise (``32 * eps_machine * |f| / h``).  Gradients
in float32 (or float16) are compared with ``rtol >= 1e-4`` and ``atol >= 1e-5`` times the
largest gradient entry; their finite differences are computed in float64 (inputs upcast)
when ``f`` accepts that and returns float64, else in the input precision with a larger
step (the cube root of the dtype's machine epsilon).
"""

from __future__ import annotations

import inspect
import textwrap
from dataclasses import dataclass, field

import numpy as np

from . import signature
from .errors import AstAdError, GradientCheckError, NonScalarOutputError

__all__ = ["check_grad", "GradCheckReport", "ArgReport"]

_PROJECTION_THRESHOLD = 1000  # inputs with more elements get random directions
_DIRECTIONS = 3  # how many random directions
_TOP = 5  # table rows per argument
_NOISE = 32.0  # finite-difference rounding noise: _NOISE * eps_machine * |f| / h
_LOW_RTOL, _LOW_ATOL = 1e-4, 1e-5  # floors for float32/float16 gradients
_CS_STEP = 1e-20

FD = "finite diff"
CS = "complex step"
TAPE = "tape"
DUAL = "dual"


# -- the report ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ArgReport:
    """How one differentiated argument fared."""

    name: str
    size: int
    dtype: str
    projected: bool  # checked along random directions instead of entry by entry
    max_abs_err: float  # over every oracle
    max_rel_err: float


@dataclass(frozen=True)
class GradCheckReport:
    """What ``check_grad`` checked (returned on success)."""

    function: str
    value: float
    method: str
    oracles: tuple  # the oracles that ran, e.g. ("finite diff", "tape", "dual")
    args: tuple  # one ArgReport per differentiated argument
    skipped: dict = field(default_factory=dict)  # oracle -> why it did not run

    def __str__(self):
        lines = [f"check_grad({self.function}): ok against {', '.join(self.oracles)}"]
        for a in self.args:
            how = f"{_DIRECTIONS} random directions" if a.projected else "entry by entry"
            lines.append(f"  {a.name} ({a.size} x {a.dtype}, {how}): max abs err "
                         f"{a.max_abs_err:.2e}, max rel err {a.max_rel_err:.2e}")
        for k, why in self.skipped.items():
            lines.append(f"  {k} skipped: {why}")
        return "\n".join(lines)


# -- differentiated arguments, flattened ----------------------------------------------------
class _Arg:
    """A differentiated argument as one float64 vector (its leaves in order) and back."""

    def __init__(self, name, value):
        self.name = name
        self.value = value
        self.leaves = []  # (label, leaf)
        self._walk(value, name)
        self.labels = []
        for label, leaf in self.leaves:
            if isinstance(leaf, np.ndarray) and leaf.ndim:
                self.labels += [f"{label}[{', '.join(map(str, i))}]"
                                for i in np.ndindex(leaf.shape)]
            else:
                self.labels.append(label)
        self.flat = self.flatten(value)
        self.size = self.flat.size
        dts = [_dtype(leaf) for _, leaf in self.leaves]
        self.dtype = max(dts, key=lambda d: np.finfo(d).eps) if dts else np.dtype(float)
        self.low = np.finfo(self.dtype).eps > 1e-10  # float32/float16

    def _walk(self, x, label):
        if isinstance(x, (list, tuple)) and type(x) in (list, tuple):
            for i, e in enumerate(x):
                self._walk(e, f"{label}[{i}]")
        elif isinstance(x, dict):
            for k, v in x.items():
                self._walk(v, f"{label}[{k!r}]")
        elif _is_real_number(x) or (isinstance(x, np.ndarray) and x.dtype.kind in "fiu"):
            self.leaves.append((label, x))
        else:
            raise AstAdError(
                f"check_grad: {label} is a {type(x).__name__}; check_grad differentiates "
                "real floats, ints and arrays, and lists/tuples/dicts of them"
            )

    def flatten(self, x):
        parts = [np.ravel(np.asarray(leaf, dtype=np.float64)) for leaf in _leaves_of(x)]
        return np.concatenate(parts) if parts else np.zeros(0)

    def build(self, vec, mode="native"):
        """A value of this argument's structure holding ``vec``.

        mode "native": the argument's own dtypes (ints become floats); "float64": float64
        throughout; "complex": complex128 throughout.
        """
        it = iter(range(len(self.leaves)))
        pos = [0]

        def rebuild(x):
            if isinstance(x, (list, tuple)) and type(x) in (list, tuple):
                return type(x)(rebuild(e) for e in x)
            if isinstance(x, dict):
                return {k: rebuild(v) for k, v in x.items()}
            next(it)
            n = int(np.size(x))
            seg = vec[pos[0]:pos[0] + n]
            pos[0] += n
            if mode == "complex":
                dt = np.dtype(complex)
            elif mode == "float64":
                dt = np.dtype(float)
            else:
                dt = _dtype(x)
            if isinstance(x, np.ndarray):
                return seg.astype(dt).reshape(x.shape)
            if isinstance(x, np.generic) and mode == "native":
                return dt.type(seg[0])
            return complex(seg[0]) if mode == "complex" else float(seg[0])

        return rebuild(self.value)


def _is_real_number(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _dtype(leaf):
    """The dtype a leaf's gradient has: its own if inexact, else float64."""
    dt = np.asarray(leaf).dtype
    return dt if dt.kind == "f" else np.dtype(float)


def _leaves_of(x):
    if isinstance(x, (list, tuple)):
        for e in x:
            yield from _leaves_of(e)
    elif isinstance(x, dict):
        for v in x.values():
            yield from _leaves_of(v)
    else:
        yield x


def _structure_problems(g, x, label):
    """Where the gradient ``g`` does not have the type/shape/dtype of its argument ``x``."""
    if isinstance(x, (list, tuple)) and type(x) in (list, tuple):
        if type(g) is not type(x) or len(g) != len(x):
            return [f"{label}: expected a {type(x).__name__} of {len(x)}, got {_describe(g)}"]
        return [p for i, (gi, xi) in enumerate(zip(g, x))
                for p in _structure_problems(gi, xi, f"{label}[{i}]")]
    if isinstance(x, dict):
        if not isinstance(g, dict) or set(g) != set(x):
            return [f"{label}: expected a dict with keys {sorted(x)}, got {_describe(g)}"]
        return [p for k in x for p in _structure_problems(g[k], x[k], f"{label}[{k!r}]")]
    if isinstance(x, np.ndarray):
        want = _dtype(x)
        if not isinstance(g, np.ndarray) or g.shape != x.shape or g.dtype != want:
            return [f"{label}: expected an ndarray of shape {x.shape} and dtype {want}, "
                    f"got {_describe(g)}"]
        return []
    if isinstance(x, np.floating) and not isinstance(x, np.float64):
        if type(g) is not type(x):
            return [f"{label}: expected a {type(x).__name__}, got {_describe(g)}"]
        return []
    if not isinstance(g, float) or isinstance(g, np.ndarray):
        return [f"{label}: expected a float (the gradient of a {type(x).__name__}), "
                f"got {_describe(g)}"]
    return []


def _describe(g):
    if isinstance(g, np.ndarray):
        return f"an ndarray of shape {g.shape} and dtype {g.dtype}"
    if isinstance(g, (list, tuple)):
        return f"a {type(g).__name__} of {len(g)}"
    return f"a {type(g).__name__} ({g!r})"


def _scalar(out, what):
    """The scalar ``f`` returned (complex kept), or NonScalarOutputError."""
    if np.ndim(out) != 0 or not isinstance(out, (int, float, complex, np.number, np.ndarray)):
        shape = getattr(out, "shape", None)
        raise NonScalarOutputError(
            f"check_grad needs {what} to return a scalar, but it returned "
            + (f"an array of shape {shape}" if shape is not None else f"a {type(out).__name__}")
        )
    return out[()] if isinstance(out, np.ndarray) else out


def _finfo_eps(x):
    dt = np.asarray(x).dtype
    return float(np.finfo(dt).eps) if dt.kind in "fc" else float(np.finfo(float).eps)


# -- comparisons ------------------------------------------------------------------------
@dataclass
class _Cmp:
    """One oracle against ast_ad (or against another oracle) over entries or directions."""

    table: str  # "entries" or "directions" or "jvp" or "hessian"
    name: str  # the column it fills / what "disagrees with" names
    a: np.ndarray  # ast_ad (or the first oracle)
    b: np.ndarray  # the oracle
    allowed: np.ndarray
    column: bool = True  # False: a cross-check between oracles, not a column of its own
    against: str = "ast_ad"

    def __post_init__(self):
        a, b = np.asarray(self.a, float), np.asarray(self.b, float)
        self.a, self.b = a, b
        with np.errstate(invalid="ignore"):
            err = np.abs(a - b)
        both_nan = np.isnan(a) & np.isnan(b)
        same_inf = np.isinf(a) & (a == b)
        err = np.where(both_nan | same_inf, 0.0, err)
        self.err = np.where(np.isnan(err), np.inf, err)
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = self.err / np.abs(b)  # inf where the oracle is 0 and the error is not
        self.rel = np.where(self.err == 0, 0.0, rel)
        self.ratio = self.err / np.maximum(self.allowed, np.finfo(float).tiny)
        self.fails = self.ratio > 1.0


def _allowed(b, atol, rtol, low, extra=0.0):
    b = np.abs(np.asarray(b, float))
    if low:
        rtol = max(rtol, _LOW_RTOL)
        finite = b[np.isfinite(b)]
        atol = max(atol, _LOW_ATOL * (float(finite.max()) if finite.size else 0.0))
    return atol + rtol * np.where(np.isfinite(b), b, 0.0) + extra


# -- the check --------------------------------------------------------------------------
def check_grad(f, *args, wrt=0, kwargs=None, rtol=1e-6, atol=1e-9, eps=None,
               method="central", projection="auto", seed=0, order=1, modes=("rev",),
               tape=True, dual=True, registry=None):
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


class _Check:
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
        """``f`` (or ``fn``) at the arguments with ``replace`` swapped in."""
        args = dict(self.bound.arguments)
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
            value, g = vg(*self.args, **self.kwargs)
            grads = (g,) if self.spec.single else tuple(g)
            self._check_value(value)
            for a, gi in zip(self.wargs, grads):
                self.problems += [f"gradient {p}" for p in _structure_problems(gi, a.value, a.name)]
            flat = {}
            for a, gi in zip(self.wargs, grads):
                try:
                    fg = a.flatten(gi)
                except (TypeError, ValueError):
                    fg = None
                if fg is None or fg.size != a.size:
                    self.problems.append(f"gradient {a.name}: cannot compare it entry by entry "
                                         f"with {a.size} entries")
                else:
                    flat[a.name] = fg
            self.flat = flat
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

    # -- oracles ------------------------------------------------------------------------
    def _finite_differences(self):
        h0 = self._step()
        cs = self.method == "complex-step"
        if cs:
            self.oracles.append(CS)
        for a in self.wargs:
            g = self.flat.get(a.name)
            if g is None:
                continue
            rows = self.dirs.get(a.name)  # None: entry by entry
            n = a.size if rows is None else len(rows)
            fd, noise, mine, scale, cs_vals = (np.zeros(n) for _ in range(5))
            xmax = float(np.max(np.abs(a.flat), initial=0.0))
            for k in range(n):
                if rows is None:
                    step = np.zeros(a.size)
                    step[k] = h0 * max(1.0, abs(a.flat[k]))
                else:
                    step = rows[k] * (h0 * max(1.0, xmax))
                xp, xm = a.build(a.flat + step, self.fd_mode), a.build(a.flat - step, self.fd_mode)
                dx = (a.flatten(xp) - a.flatten(xm)) / 2.0  # the step actually taken
                h = float(dx[k]) if rows is None else float(np.linalg.norm(dx))
                if h == 0.0:
                    raise AstAdError(f"check_grad: the finite-difference step for "
                                     f"{a.labels[k] if rows is None else a.name} rounds to "
                                     "zero; pass a larger eps")
                fp, fm = self.call({a.name: xp}), self.call({a.name: xm})
                fd[k] = (float(fp) - float(fm)) / (2.0 * h)
                noise[k] = _NOISE * _finfo_eps(fp) * (abs(float(fp)) + abs(float(fm))) / (2 * h)
                if rows is None:
                    mine[k] = g[k]
                else:  # <g, dx> / h, and the size of its terms (for rounding in the sum)
                    mine[k] = float(g @ dx) / h
                    scale[k] = float(np.abs(g) @ np.abs(dx)) / h
                if cs:
                    cs_vals[k] = self._complex_step(a, k, rows)
            table = "entries" if rows is None else "directions"
            extra = noise + self.rtol * scale
            cmps = self.cmps[a.name]
            cmps.append(_Cmp(table, FD, mine, fd, _allowed(fd, self.atol, self.rtol, a.low, extra)))
            if cs:
                cmps.append(_Cmp(table, CS, mine, cs_vals,
                                 _allowed(cs_vals, self.atol, self.rtol, a.low, self.rtol * scale)))
                cmps.append(_Cmp(table, f"{CS} vs {FD}", cs_vals, fd,
                                 _allowed(fd, self.atol, self.rtol, a.low, extra),
                                 column=False, against=CS))

    def _complex_step(self, a, k, rows):
        if rows is None:
            step = np.zeros(a.size)
            step[k] = _CS_STEP
        else:
            step = rows[k] * _CS_STEP
        try:
            x = a.build(a.flat + 1j * step, "complex")
            out = self.call({a.name: x})
        except NonScalarOutputError:
            raise
        except Exception as e:
            raise AstAdError(
                f"check_grad: method='complex-step' needs {self.name} to accept complex input, "
                f"but it raised {type(e).__name__}: {e} (math.* and float() reject complex "
                "numbers); use method='central'"
            ) from e
        return float(np.imag(out)) / _CS_STEP

    def _tape(self):
        from . import tape as _tape

        try:
            tg = _tape.grad(self.f, wrt=self.wrt, registry=self.registry)(*self.args, **self.kwargs)
        except Exception as e:
            self.problems.append(
                f"tape: ast_ad.tape.grad could not run {self.name}: {type(e).__name__}: {e} "
                "(pass tape=False to check without the tape)")
            return
        self.oracles.append(TAPE)
        tg = (tg,) if self.spec.single else tuple(tg)
        self._exact(TAPE, tg)

    def _exact(self, name, grads):
        """An oracle giving whole gradients: compare entry by entry (and on directions)."""
        for a, t in zip(self.wargs, grads):
            g = self.flat.get(a.name)
            if g is None:
                continue
            try:
                tf = a.flatten(t)
            except (TypeError, ValueError):
                tf = None
            if tf is None or tf.size != a.size:
                self.problems.append(f"{name}: its gradient of {a.name} has the wrong size "
                                     f"({_describe(t)})")
                continue
            self.cmps[a.name].append(_Cmp("entries", name, g, tf,
                                          _allowed(tf, self.atol, self.rtol, a.low)))
            rows = self.dirs.get(a.name)
            if rows is not None:
                tv, gv = rows @ tf, rows @ g
                scale = np.abs(rows) @ np.abs(tf)
                self.cmps[a.name].append(_Cmp("directions", name, gv, tv, _allowed(
                    tv, self.atol, self.rtol, a.low, self.rtol * scale)))

    def _dual(self):
        if not all(isinstance(a.value, (int, float, np.integer, np.floating)) for a in self.wargs):
            return  # dual numbers check scalar arguments only
        from . import dual as _dual

        try:
            d = _dual.derivative(self.f, wrt=self.wrt)(*self.args, **self.kwargs)
            d = (d,) if self.spec.single else tuple(d)
            if not all(np.ndim(x) == 0 for x in d):
                raise TypeError("f does not return a scalar on dual numbers")
            d = tuple(float(np.real(x)) for x in d)
        except Exception as e:
            self.skipped[DUAL] = f"dual numbers could not run f ({type(e).__name__}: {e})"
            return
        self.oracles.append(DUAL)
        self._exact(DUAL, d)

    def _jvp(self):
        import ast_ad

        params = list(self.bound.signature.parameters)
        pos = [p for p, v in self.bound.signature.parameters.items()
               if v.kind in (v.POSITIONAL_ONLY, v.POSITIONAL_OR_KEYWORD)]
        if self.kwargs or any(n not in pos for n in self.spec.names):
            raise AstAdError("check_grad: modes with 'fwd' needs the differentiated "
                             "arguments passed positionally and no kwargs")
        rng = np.random.default_rng(self.seed + 1)
        primals = tuple(self.bound.arguments[p] for p in params if p in pos)
        fd, got, allowed = [], [], []
        h0 = self._step()
        for k in range(2):
            vs = {a.name: rng.standard_normal(a.size) for a in self.wargs}
            tangents = tuple(
                next(a for a in self.wargs if a.name == p).build(vs[p])
                if p in vs else signature.zero_like(self.bound.arguments[p]) for p in pos)
            out = ast_ad.jvp(self.f, primals, tangents)
            t_out = float(np.real(_scalar(out[1], "ast_ad.jvp")))
            scale = max([1.0] + [float(np.max(np.abs(a.flat), initial=0.0)) for a in self.wargs])
            h = h0 * scale / max(1.0, max(float(np.linalg.norm(v)) for v in vs.values()))
            rp = {a.name: a.build(a.flat + h * vs[a.name], self.fd_mode) for a in self.wargs}
            rm = {a.name: a.build(a.flat - h * vs[a.name], self.fd_mode) for a in self.wargs}
            fp, fm = self.call(rp), self.call(rm)
            d = (float(fp) - float(fm)) / (2 * h)
            noise = _NOISE * _finfo_eps(fp) * (abs(float(fp)) + abs(float(fm))) / (2 * h)
            fd.append(d)
            got.append(t_out)
            allowed.append(float(_allowed([d], self.atol, self.rtol,
                                          any(a.low for a in self.wargs), noise)[0]))
        self.oracles.append("jvp")
        self.extra.append(("forward mode: ast_ad.jvp(f, primals, v) against finite "
                           "differences along v", ["v0", "v1"],
                           [_Cmp("jvp", FD, np.array(got), np.array(fd), np.array(allowed))],
                           "ast_ad.jvp"))

    def _hessian(self):
        import ast_ad

        if not self.spec.single:
            raise AstAdError("check_grad: order=2 checks one argument (wrt an int or a name)")
        a = self.wargs[0]
        H = ast_ad.hessian(self.f, wrt=self.wrt)(*self.args, **self.kwargs)
        H = np.asarray(H, dtype=float).reshape(a.size, a.size)
        g = ast_ad.grad(self.f, wrt=self.wrt, registry=self.registry)
        h0 = 1e-5 if self.eps is None else float(self.eps)  # differences of a gradient
        rows = self.dirs.get(a.name)
        n = a.size if rows is None else len(rows)
        xmax = float(np.max(np.abs(a.flat), initial=0.0))
        got, fd, allowed, labels = [], [], [], []
        for k in range(n):
            if rows is None:
                v = np.zeros(a.size)
                v[k] = 1.0
                h = h0 * max(1.0, abs(a.flat[k]))
            else:
                v, h = rows[k], h0 * max(1.0, xmax)
            gp = a.flatten(self.call({a.name: a.build(a.flat + h * v, self.fd_mode)}, g))
            gm = a.flatten(self.call({a.name: a.build(a.flat - h * v, self.fd_mode)}, g))
            col = (gp - gm) / (2 * h)
            noise = _NOISE * np.finfo(float).eps * (np.abs(gp) + np.abs(gm)) / (2 * h)
            # truncation error of the differences of a gradient: rtol at least 1e-5
            got += list(H @ v)
            fd += list(col)
            allowed += list(_allowed(col, self.atol, max(self.rtol, 1e-5), a.low, noise))
            labels += [f"H[{a.labels[i]}, {a.labels[k]}]" if rows is None
                       else f"(H v{k})[{a.labels[i]}]" for i in range(a.size)]
        self.oracles.append("hessian")
        self.extra.append(("second order: ast_ad.hessian against finite differences of "
                           "ast_ad.grad", labels,
                           [_Cmp("hessian", FD, np.array(got), np.array(fd), np.array(allowed))],
                           "ast_ad.hessian"))

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


def _as_number(v):
    v = v[()] if isinstance(v, np.ndarray) else v
    return v.item() if isinstance(v, np.generic) else v


def _where(f):
    name = getattr(f, "__qualname__", None) or getattr(f, "__name__", None) or repr(f)
    code = getattr(f, "__code__", None)
    if code is not None:
        return f"{name} ({code.co_filename}:{code.co_firstlineno})"
    return name


def _fmt(x):
    return f"{x:.9g}" if np.isfinite(x) else str(x)


def _table(title, labels, cmps, first):
    """The worst rows (by error / allowed) across ``cmps`` as a fixed-width text table."""
    ratio = np.max([c.ratio for c in cmps], axis=0)
    failing = np.flatnonzero(np.max([c.fails for c in cmps], axis=0))
    order = failing[np.argsort(-ratio[failing], kind="stable")][:_TOP]
    cols = [c for c in cmps if c.column]
    header = ["index", first] + [c.name for c in cols] + ["abs err", "rel err", "disagrees with"]
    rows = []
    for i in order:
        worst = max(cmps, key=lambda c: c.ratio[i])
        who = [c.name for c in cmps if c.fails[i]]
        rows.append([labels[i], _fmt(cols[0].a[i] if cols else worst.a[i])]
                    + [_fmt(c.b[i]) for c in cols]
                    + [f"{worst.err[i]:.2e}", f"{worst.rel[i]:.2e}", ", ".join(who)])
    widths = [max(len(str(r[j])) for r in rows + [header]) for j in range(len(header))]
    line = lambda r: "    " + "  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip()
    n_fail = len(failing)
    out = [f"  {title}: {n_fail} of {len(labels)} disagree"
           + (f" (worst {len(order)} shown)" if n_fail > len(order) else ""),
           line(header)] + [line(r) for r in rows]
    return "\n".join(out)


def _hint(cmps):
    """What the pattern of disagreement suggests."""
    failed = {c.name for c in cmps if c.fails.any()}
    ran = {c.name for c in cmps}
    notes = []
    if FD in failed and TAPE in ran and TAPE not in failed:
        notes.append("ast_ad and the tape agree with each other but not with finite "
                     "differences: a derivative rule they share (the registry, e.g. one "
                     "registered with ast_ad.defvjp) is probably wrong, or f is not "
                     "differentiable at this point (abs/max/where at a tie)")
    elif TAPE in failed and FD in ran and FD not in failed:
        notes.append("ast_ad agrees with finite differences but the tape does not: "
                     "probably a tape bug (tape=False skips it)")
    elif FD in failed and TAPE not in ran:
        notes.append("ast_ad disagrees with finite differences: a derivative rule (e.g. one "
                     "registered with ast_ad.defvjp) or the transformation is wrong, or f is "
                     "not differentiable at this point; tape=True tells them apart")
    elif TAPE in failed and FD in failed:
        notes.append("ast_ad disagrees with both finite differences and the tape: look at "
                     "the generated code, print(ast_ad.source(ast_ad.grad(f, wrt=...)))")
    if f"{CS} vs {FD}" in failed:
        notes.append("the complex step disagrees with central differences: f is probably "
                     "not complex-analytic (abs, max, min, clip, sign, comparisons, np.real "
                     "accept complex input but give wrong derivatives); use method='central'")
    if DUAL in failed and not (failed - {DUAL}):
        notes.append("only the dual numbers disagree: ast_ad.dual probably lacks or "
                     "mis-states a derivative, or f takes another path on Dual inputs "
                     "(dual=False skips it)")
    return "".join("\n" + textwrap.fill(n, 96, initial_indent="    hint: ",
                                          subsequent_indent="          ", break_on_hyphens=False)
                   for n in notes)
