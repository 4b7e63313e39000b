"""Run one family program (tests/differential/families.py) and classify what ast_ad did.

``run_program(program, seed)`` loads the program as a real module (``harness.load``:
a file under the temp directory, so ``inspect.getsource`` works), draws its inputs from
``seed`` and differentiates it by the program's ``mode`` (``grad`` w.r.t. every
parameter, ``value_and_grad``, ``vjp``, ``jvp``, ``hessian``/``jacobian`` w.r.t. ``x`` or
w.r.t. ``(x, s)``), then compares with central finite differences at two step sizes.
The transformer's outcome is one of

- ``ok``: the derivative agrees with finite differences (at either step);
- ``refused``: an ``ast_ad.AstAdError`` (subclass) was raised;
- ``refused_required``: a program the issue requires to be refused (``expect ==
  "must_refuse"``: a differentiated value through a string, ``grad`` of a complex output)
  was refused (not counted in the refusal rate);
- ``crash``: any other exception came out of ast_ad;
- ``silent``: a derivative came back that disagrees with finite differences, while the
  two step sizes agree with each other, or a ``must_refuse`` program was not refused
  (whatever it returned);
- ``input_modified``: the caller's arrays (or the arrays held by module-level objects)
  changed during the call;
- ``fd_unreliable``: a disagreement, but finite differences at the two steps disagree
  with each other by more than the tolerance (a kink or a branch was crossed);
- ``invalid``: the program itself fails or is not finite at the point (a generator
  problem; not counted).

For scalar-output programs the recording engine ``ast_ad.tape.grad`` runs too; it
``tape_ok``, is ``tape_refused`` (any exception: the tape need not accept everything),
``tape_silent``, ``tape_input_modified`` or ``tape_fd_unreliable``.
"""

from __future__ import annotations

import math
import traceback
from dataclasses import dataclass, field

import numpy as np

import ast_ad

from .harness import load, unload

try:
    from ast_ad import tape as _tape

    TAPE_GRAD = getattr(_tape, "grad", None)
except ImportError:  # pragma: no cover
    TAPE_GRAD = None

STEPS = (1e-6, 1e-7)  # first derivatives
STEPS2 = (1e-3, 1e-4)  # second derivatives (hessian)
RTOL, ATOL = 1e-5, 1e-6  # atol is scaled by max(1, |f|, max |reference|)
RTOL2, ATOL2 = 1e-4, 1e-5
MAX_VALUE = 1e6

FAILURES = ("crash", "silent", "input_modified")
TAPE_FAILURES = ("tape_silent", "tape_input_modified")


@dataclass
class Outcome:
    kind: str
    detail: str = ""
    tape: str = "tape_skipped"
    tape_detail: str = ""
    args: tuple = ()
    extra: dict = field(default_factory=dict)


def make_args(program, seed):
    rng = np.random.default_rng(seed)
    return tuple(float(rng.uniform(-1.5, 1.5)) if shape == () else rng.uniform(-1.5, 1.5, shape)
                 for _, shape in program.params)


def _copy(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _same(before, after):
    return all(np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b
               for a, b in zip(before, after))


def _objects_state(mod):
    """Copies of the arrays held by module-level instances of the module's own classes."""
    out = []

    def walk(v, depth):
        if isinstance(v, np.ndarray):
            out.append(v.copy())
        elif depth < 3 and isinstance(v, (list, tuple)):
            for e in v:
                walk(e, depth + 1)
        elif depth < 3 and getattr(type(v), "__module__", None) == mod.__name__:
            for e in vars(v).values() if hasattr(v, "__dict__") else ():
                walk(e, depth + 1)

    for name, v in sorted(vars(mod).items()):
        if not name.startswith("__") and not isinstance(v, type):
            walk(v, 0)
    return out


def _state_same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))


def _fmt(x):
    if isinstance(x, tuple):
        return "(" + ", ".join(_fmt(e) for e in x) + ")"
    try:
        return np.array2string(np.asarray(x), precision=8, separator=", ")
    except Exception:  # pragma: no cover
        return repr(x)


def _err(e):
    tb = traceback.extract_tb(e.__traceback__)
    where = next((f"{fr.filename.split('ast_ad/')[-1]}:{fr.lineno}" for fr in reversed(tb)
                  if "/ast_ad/" in fr.filename), "?")
    return f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''} [{where}]"


# ---------------------------------------------------------------------------------------
# finite differences over the flattened differentiated arguments
# ---------------------------------------------------------------------------------------

class Flat:
    """The differentiated arguments as one float vector."""

    def __init__(self, args, wrt):
        self.args = args
        self.wrt = wrt
        self.slices = []
        k = 0
        for i in wrt:
            size = int(np.size(args[i]))
            self.slices.append(slice(k, k + size))
            k += size
        self.size = k
        self.z0 = np.concatenate([np.ravel(np.asarray(args[i], dtype=float)) for i in wrt])

    def unpack(self, z):
        out = list(_copy(self.args))
        for i, sl in zip(self.wrt, self.slices):
            if isinstance(self.args[i], np.ndarray):
                out[i] = z[sl].reshape(self.args[i].shape).copy()
            else:
                out[i] = float(z[sl][0])
        return tuple(out)

    def shape(self, j):
        return np.shape(self.args[self.wrt[j]])


def _evaluate(fn, flat, z):
    with np.errstate(all="ignore"):
        y = fn(*flat.unpack(z))
    y = np.asarray(y)
    if np.iscomplexobj(y):
        raise TypeError("complex output")
    return y.astype(float).ravel()


def fd_jacobian(fn, flat, h):
    cols = []
    for k in range(flat.size):
        e = np.zeros(flat.size)
        e[k] = h
        cols.append((_evaluate(fn, flat, flat.z0 + e) - _evaluate(fn, flat, flat.z0 - e)) / (2 * h))
    return np.stack(cols, axis=-1)  # (out, in)


def fd_hessian(fn, flat, h):
    n = flat.size
    H = np.zeros((n, n))
    for i in range(n):
        for j in range(i, n):
            ei = np.zeros(n)
            ej = np.zeros(n)
            ei[i] = h
            ej[j] = h
            z = flat.z0
            v = (_evaluate(fn, flat, z + ei + ej)[0] - _evaluate(fn, flat, z + ei - ej)[0]
                 - _evaluate(fn, flat, z - ei + ej)[0]
                 + _evaluate(fn, flat, z - ei - ej)[0]) / (4 * h * h)
            H[i, j] = H[j, i] = v
    return H


def _split_grad(J, flat):
    """Row 0 of a scalar function's Jacobian as one gradient per differentiated argument."""
    return tuple(J[0, sl].reshape(flat.shape(j)) for j, sl in enumerate(flat.slices))


def reference(mode, fn, flat, h, out_shape, tangent=None):
    """What ``mode`` should return, from finite differences at step ``h``."""
    if mode in ("grad", "value_and_grad", "vjp"):
        return _split_grad(fd_jacobian(fn, flat, h), flat)
    if mode == "jvp":
        return (fd_jacobian(fn, flat, h) @ tangent).reshape(out_shape)
    if mode in ("jacobian", "jacobian2"):
        J = fd_jacobian(fn, flat, h)
        parts = tuple(J[:, sl].reshape(out_shape + flat.shape(j))
                      for j, sl in enumerate(flat.slices))
        return parts[0] if mode == "jacobian" else parts
    if mode in ("hessian", "hessian2"):
        H = fd_hessian(fn, flat, h)
        sl = flat.slices
        if mode == "hessian":
            return H[sl[0], sl[0]].reshape(flat.shape(0) + flat.shape(0))
        return tuple(tuple(H[sl[a], sl[b]].reshape(flat.shape(a) + flat.shape(b))
                           for b in range(len(sl))) for a in range(len(sl)))
    raise ValueError(mode)


def close(got, ref, rtol, atol):
    """Same structure (tuples, shapes) and values within tolerance; (ok, reason)."""
    if isinstance(ref, tuple):
        if not isinstance(got, (tuple, list)) or len(got) != len(ref):
            return False, f"structure: expected a tuple of {len(ref)}, got {type(got).__name__}"
        for g, r in zip(got, ref):
            ok, why = close(g, r, rtol, atol)
            if not ok:
                return ok, why
        return True, ""
    try:
        g = np.asarray(got)
    except Exception:
        return False, f"not an array: {type(got).__name__}"
    if g.dtype == object or g.shape != np.shape(ref):
        return False, f"shape {g.shape} (dtype {g.dtype}) != {np.shape(ref)}"
    if np.iscomplexobj(g):
        if not np.allclose(g.imag, 0.0):
            return False, "complex derivative"
        g = g.real
    g = g.astype(float)
    if not np.all(np.isfinite(g)):
        return False, "not finite"
    if not np.allclose(g, ref, rtol=rtol, atol=atol):
        return False, "values"
    return True, ""


def _amax(x):
    if isinstance(x, tuple):
        return max([0.0] + [_amax(e) for e in x])
    return float(np.max(np.abs(x))) if np.size(x) else 0.0


# ---------------------------------------------------------------------------------------
# running the engines
# ---------------------------------------------------------------------------------------

def _call_transformer(program, fn, call, wrt, tangent_args):
    mode = program.mode
    if mode == "grad":
        return None, ast_ad.grad(fn, wrt=wrt)(*call)
    if mode == "value_and_grad":
        return ast_ad.value_and_grad(fn, wrt=wrt)(*call)
    if mode == "vjp":
        value, back = ast_ad.vjp(fn, *call, wrt=wrt)
        return value, back(1.0)
    if mode == "jvp":
        return ast_ad.jvp(fn, call, tangent_args)
    if mode == "hessian":
        return None, ast_ad.hessian(fn, wrt=0)(*call)
    if mode == "hessian2":
        return None, ast_ad.hessian(fn, wrt=wrt)(*call)
    if mode == "jacobian":
        return None, ast_ad.jacobian(fn, wrt=0)(*call)
    if mode == "jacobian2":
        return None, ast_ad.jacobian(fn, wrt=wrt)(*call)
    raise ValueError(mode)


def _excuse_nonfinite(got, ref):
    """``got`` with its nan/inf entries replaced by the reference's (an ill-defined point:
    autograd and JAX give nan or inf there, and so does ast_ad)."""
    if isinstance(ref, tuple) and isinstance(got, (tuple, list)) and len(got) == len(ref):
        return tuple(_excuse_nonfinite(g, r) for g, r in zip(got, ref))
    try:
        g = np.array(got, dtype=float)
    except (TypeError, ValueError):
        return got
    if g.shape != np.shape(ref):
        return got
    return np.where(np.isfinite(g), g, ref)


def _judge(got, fn, flat, mode, steps, tol, out_shape, tangent, refs, ill_defined=False):
    """(kind, reason, reference) of a returned derivative against two-step references."""
    rtol, atol0 = tol
    for k, h in enumerate(steps):
        if k >= len(refs):
            refs.append(reference(mode, fn, flat, h, out_shape, tangent))
    if ill_defined:
        got = _excuse_nonfinite(got, refs[0])
    scale = max(1.0, _amax(refs[0]))
    ok, why = close(got, refs[0], rtol, atol0 * scale)
    if ok:
        return "ok", "", refs[0]
    ok2, _ = close(got, refs[1], rtol, atol0 * scale)
    if ok2:
        return "ok", "", refs[1]
    agree, _ = close(refs[0], refs[1], rtol, atol0 * scale)
    if not agree:
        return "fd_unreliable", why, refs[0]
    return "silent", why, refs[0]


def run_program(program, seed, use_tape=True, keep_file=False):
    mod = load(program.source, "fam")
    try:
        return _run(program, mod, seed, use_tape)
    finally:
        unload(mod, keep_file)


def _run(program, mod, seed, use_tape):
    args = make_args(program, seed)
    try:
        fn = eval(program.target, vars(mod))
        with np.errstate(all="ignore"):
            value = fn(*_copy(args))
        value_arr = np.asarray(value)
    except Exception as e:
        return Outcome("invalid", f"program raised {_err(e)}", args=args)
    must_refuse = program.expect == "must_refuse"
    if not must_refuse:  # (a complex output is what some must-refuse programs are)
        if np.iscomplexobj(value_arr) or value_arr.dtype == object or \
                not np.all(np.isfinite(value_arr)) or np.any(np.abs(value_arr) > MAX_VALUE):
            return Outcome("invalid", f"value {value!r}", args=args)
        if program.mode not in ("jacobian", "jacobian2", "jvp") and value_arr.size != 1:
            return Outcome("invalid", f"non-scalar value {value_arr.shape}", args=args)
    out_shape = value_arr.shape
    wrt = tuple(range(len(program.params)))
    flat = Flat(args, wrt)
    rng = np.random.default_rng(seed + 1)
    tangent = rng.uniform(-1.0, 1.0, flat.size)
    tangent_args = tuple(tangent[sl].reshape(flat.shape(j)) if flat.shape(j)
                         else float(tangent[sl][0]) for j, sl in enumerate(flat.slices))

    # -- the transformer -----------------------------------------------------------------
    state0 = _objects_state(mod)
    call = _copy(args)
    out = Outcome("ok", args=args)
    try:
        with np.errstate(all="ignore"):
            got_value, got = _call_transformer(program, fn, call, wrt, tangent_args)
    except ast_ad.AstAdError as e:
        out.kind, out.detail = "refused_required" if must_refuse else "refused", _err(e)
        got = None
    except Exception as e:
        out.kind, out.detail = "crash", _err(e)
        got = None
    if got is not None or out.kind == "ok":
        if not _same(args, call) or not _state_same(state0, _objects_state(mod)):
            out.kind, out.detail = "input_modified", "the caller's arrays changed"
        elif must_refuse:
            out.kind = "silent"
            out.detail = (f"must be refused (through a string, or a complex output); "
                          f"returned {_fmt(got)} (f = {value!r})")
        else:
            second = program.mode.startswith("hessian")
            refs = []
            try:
                kind, why, ref = _judge(got, fn, flat, program.mode,
                                        STEPS2 if second else STEPS,
                                        (RTOL2, ATOL2) if second else (RTOL, ATOL),
                                        out_shape, tangent, refs,
                                        ill_defined=program.expect == "ill_defined")
            except Exception as e:  # finite differences failed: a generator problem
                return Outcome("invalid", f"finite differences raised {_err(e)}", args=args)
            if kind == "ok" and got_value is not None and not np.allclose(
                    np.asarray(got_value, dtype=complex), value_arr, rtol=1e-9, atol=1e-12):
                kind, why = "silent", f"value {got_value!r} != f = {value!r}"
            out.kind = kind
            if kind != "ok":
                out.detail = (f"{why}: ast_ad {program.mode} returned {_fmt(got)}; finite "
                              f"differences {_fmt(ref)} (f = {value!r})")
    # -- the tape --------------------------------------------------------------------------
    if use_tape and TAPE_GRAD is not None and program.expect in ("any", "ill_defined") and \
            value_arr.size == 1 \
            and program.mode in ("grad", "value_and_grad", "vjp"):
        call = _copy(args)
        state0 = _objects_state(mod)
        try:
            with np.errstate(all="ignore"):
                g_tape = TAPE_GRAD(fn, wrt=wrt)(*call)
        except Exception as e:
            out.tape, out.tape_detail = "tape_refused", _err(e)
        else:
            if not _same(args, call) or not _state_same(state0, _objects_state(mod)):
                out.tape, out.tape_detail = "tape_input_modified", "the caller's arrays changed"
            else:
                refs = []
                kind, why, ref = _judge(g_tape, fn, flat, "grad", STEPS, (RTOL, ATOL),
                                        out_shape, tangent, refs,
                                        ill_defined=program.expect == "ill_defined")
                out.tape = "tape_" + kind
                if kind != "ok":
                    out.tape_detail = (f"{why}: tape.grad returned {_fmt(g_tape)}; finite "
                                       f"differences {_fmt(ref)} (f = {value!r})")
    if not math.isfinite(float(np.real(value_arr).ravel()[0]) if value_arr.size else 0.0):
        out.kind = "invalid"  # pragma: no cover
    return out
