"""Load a generated program as a real module and check its gradient three ways.

``check(program, seed)``: the program is written to ``<tmp>/ast_ad_differential/<pid>/``
(one folder per process: runs at the same time, say on two interpreters, do not delete
each other's files) under a name made from a hash of its text and imported from that file
with importlib (so ``inspect.getsource`` and linecache read it like any user module); its
instrumented twin runs first at the input point, and the example is discarded
(``hypothesis.assume``) when a branch condition or an ``abs``/``max``/``min`` argument is
within ``MARGIN`` of its tie or the value is not finite and moderate. Then:

1. ``ast_ad.grad(f, wrt=all parameters)`` vs central finite differences (``tests/fd.py``;
   rtol ``FD_RTOL``, atol ``FD_ATOL`` times ``max(1, |f|, max|gradient|)``); on a
   mismatch they are re-checked at a quarter of the step before the gradient is blamed;
2. ``ast_ad.tape.grad`` (the recording engine) vs finite differences, the same way;
3. transformer vs tape (rtol ``TAPE_RTOL``, atol ``TAPE_RTOL * 1e-3`` of the same scale).

Each check raises on its own line, so hypothesis reports (and shrinks) them as separate
bugs. The inputs must come back unchanged from every engine.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
import os
import sys
import tempfile
import traceback
from pathlib import Path

import numpy as np
from hypothesis import assume, event, note
from hypothesis.errors import UnsatisfiedAssumption

import ast_ad

from ..fd import EPS, fd_grad

try:  # the recording engine is an independent oracle when it is there
    from ast_ad import tape as _tape

    TAPE_GRAD = getattr(_tape, "grad", None)
except ImportError:  # pragma: no cover - depends on the tape being finished
    TAPE_GRAD = None

PROGRAM_DIR = Path(tempfile.gettempdir()) / "ast_ad_differential" / str(os.getpid())
MARGIN = 1e-3
MAX_VALUE = 1e4
FD_RTOL = 1e-5
FD_ATOL = 1e-7
TAPE_RTOL = 1e-9


def load(source: str, tag: str = "prog"):
    """Import ``source`` from a real file; the module stays in ``sys.modules``."""
    digest = hashlib.sha1(source.encode()).hexdigest()[:16]
    name = f"ast_ad_diff_{tag}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    PROGRAM_DIR.mkdir(parents=True, exist_ok=True)
    path = PROGRAM_DIR / f"{name}.py"
    if not path.exists() or path.read_text() != source:
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(source)
        os.replace(tmp, path)
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def unload(mod, keep=False):
    """Forget the module; unless ``keep``, delete its file (and its cached bytecode)."""
    sys.modules.pop(mod.__name__, None)
    if not keep:
        for path in (mod.__file__, getattr(mod, "__cached__", None)):
            if path:
                try:
                    os.remove(path)
                except OSError:
                    pass


def make_args(program, seed):
    rng = np.random.default_rng(seed)
    args = []
    for _, shape in program.params:
        if shape == ():
            args.append(float(rng.uniform(-1.5, 1.5)))
        else:
            args.append(rng.uniform(-1.5, 1.5, shape))
    return tuple(args)


def _copy(args):
    return tuple(a.copy() if isinstance(a, np.ndarray) else a for a in args)


def _scalar(y):
    y = np.asarray(y, dtype=np.float64)
    assert y.size == 1, f"f returned shape {y.shape}"
    return float(y.reshape(()))


def _same_args(before, after, who):
    for i, (a, b) in enumerate(zip(before, after)):
        if isinstance(a, np.ndarray):
            assert np.array_equal(a, b), f"{who} changed argument {i} in place"


def _scale(value, *grads):
    m = max([1.0, abs(value)] + [float(np.max(np.abs(np.asarray(g, dtype=float))))
                                 for g in grads if np.size(g)])
    return m


def _close(got, ref, rtol, atol):
    got = tuple(got)
    if len(got) != len(ref):
        return False
    for g, r in zip(got, ref):
        g = np.asarray(g, dtype=np.float64)
        r = np.asarray(r, dtype=np.float64)
        if g.shape != r.shape or not np.all(np.isfinite(g)):
            return False
        if not np.allclose(g, r, rtol=rtol, atol=atol):
            return False
    return True


def _fmt(grads):
    return "\n".join(f"  [{i}] {np.array2string(np.asarray(g), precision=10)}"
                     for i, g in enumerate(grads))


def fd_converged(f, args, fd, scale):
    """Whether central differences at step EPS / 4 agree with ``fd`` (step EPS).

    Bounded programs can still have large higher derivatives (``sin`` of a 4th power,
    say); there the difference quotient itself is off, and a mismatch with it says
    nothing about the gradient. Only then are finite differences left out (the
    transformer is still checked against the tape).
    """
    return _close(fd_grad(f, args, wrt=None, eps=EPS / 4), fd, FD_RTOL, FD_ATOL * scale)


class EngineError(AssertionError):
    """An engine raised on a supported program (its traceback is in the message)."""


def _run(who, g, args):
    """``g(*args)``; an exception comes back as an ``EngineError`` raised here.

    Generated code gets a new file name at each compile, and hypothesis identifies a bug
    by where it was raised (context included), so the original is reported in the
    message only: then a replay sees the same bug.
    """
    try:
        return g(*args)
    except Exception as e:
        err = f"{who} raised {type(e).__name__}: {e}\n" + "".join(
            traceback.format_exception(e)[-12:])
    raise EngineError(err)


def check(program, seed, use_tape=True):
    """Differentiate ``program.f`` by the transformer, the tape and finite differences."""
    note(f"program ({program.kind}, params {program.params}):\n{program.source}")
    mod = load(program.source)
    imod = load(program.instrumented, "instr")
    keep = True  # a failing program stays on disk (its path is in the notes)
    try:
        args = make_args(program, seed)
        note(f"args = {args!r}")

        imod._M.clear()
        with np.errstate(all="ignore"):
            value = imod.f(*_copy(args))
        value = _scalar(value)
        assume(math.isfinite(value) and abs(value) < MAX_VALUE)
        assume(min(imod._M, default=math.inf) > MARGIN)
        assert _scalar(mod.f(*_copy(args))) == value, "instrumented twin differs"

        wrt = tuple(range(len(program.params)))
        f = mod.f
        fd = fd_grad(f, args, wrt=None)

        call = _copy(args)
        g_ast = _run("ast_ad.grad", ast_ad.grad(f, wrt=wrt), call)
        _same_args(args, call, "ast_ad.grad")
        scale = _scale(value, *fd)
        note(f"f = {value!r}\nfinite differences:\n{_fmt(fd)}\nast_ad.grad:\n{_fmt(g_ast)}")

        g_tape = None
        if use_tape and TAPE_GRAD is not None:
            call = _copy(args)
            g_tape = _run("ast_ad.tape.grad", TAPE_GRAD(f, wrt=wrt), call)
            _same_args(args, call, "ast_ad.tape.grad")
            note(f"ast_ad.tape.grad:\n{_fmt(g_tape)}")

        fd_ok = True
        if not (_close(g_ast, fd, FD_RTOL, FD_ATOL * scale)
                and (g_tape is None or _close(g_tape, fd, FD_RTOL, FD_ATOL * scale))):
            fd_ok = fd_converged(f, args, fd, scale)
            if not fd_ok:
                event("finite differences not converged: transformer vs tape only")
                note("finite differences do not agree with themselves at a smaller step")
                assume(g_tape is not None)
        if fd_ok:
            assert _close(g_ast, fd, FD_RTOL, FD_ATOL * scale), "ast_ad.grad != finite differences"
        if g_tape is not None:
            if fd_ok:
                assert _close(g_tape, fd, FD_RTOL, FD_ATOL * scale), (
                    "tape.grad != finite differences"
                )
            assert _close(g_ast, g_tape, TAPE_RTOL, TAPE_RTOL * 1e-3 * scale), (
                "ast_ad.grad != tape.grad"
            )
        keep = False
    except UnsatisfiedAssumption:
        keep = False
        raise
    finally:
        if keep:
            note(f"program file: {mod.__file__}")
        unload(mod, keep)
        unload(imod, keep)
