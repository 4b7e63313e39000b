"""Checkpointed loops: ``for t in ast_ad.checkpointed(range(n)):`` trades recomputation
for memory (issue 13, "long loops in bounded memory").

The loop's ``n`` trips are cut into segments (``ceil(sqrt(n))`` of them unless
``segments=`` says otherwise).  The forward sweep runs each segment with its pushes and
then drops them, keeping only the segment's starting state: the values of the names the
loop body reads or writes.  The adjoint sweep takes the segments last to first: it
restores a segment's starting state, runs the segment's forward sweep again (its pushes,
one segment's worth) and then the segment's reversed adjoint loop, which pops them.  The
stack so holds one segment's tape at a time, plus ``segments`` saved states.

Before (generated, not checkpointed)::

    for i in _r1:                       # forward sweep
        _push(y)
        y = c * y + ...
    ...
    for i in _r1[::-1]:                 # adjoint sweep
        y = _pop()
        by = ...

After::

    _cks = checkpoint_segments(_r1, None)
    _ckv = []
    for _seg in _cks:
        _ckv.append((c, i, y))
        _ckm = len(_stack)
        for i in _seg:
            _push(y)
            y = c * y + ...
        del _stack[_ckm:]
    ...
    for _ckk in range(len(_cks) - 1, -1, -1):
        c, i, y = _ckv[_ckk]
        for i in _cks[_ckk]:            # the segment's forward sweep again
            _push(y)
            y = c * y + ...
        for i in _cks[_ckk][::-1]:
            y = _pop()
            by = ...

Each trip of the loop body runs twice, so a body with an effect outside the gradient's
own variables is refused (``check_body``): ``print``, logging, warnings, random
numbers, file and time calls, ``global``/``nonlocal``, writes into attributes, in-place
methods, calls of unknown functions; and ``break``/``return`` (segments assume every trip
runs).  The loop must be a statement of the function's body itself, not inside another
statement.

Entry writes (``x[i] = v``, ``u[1:-1] = ...``) into local names are allowed: a name whose
entries the (generated) body writes is saved as ``snapshot(x)`` (the array and a copy of
its entries) and put back with ``restored``, which copies the entries back into the same
array, so views of it and other names for it see them too.  A written value that is not
a NumPy array (a list, a dict) is refused when the gradient runs; entries of globals,
closure cells or attributes (``self.a[i] = v``) when it is generated.
"""

from __future__ import annotations

import math
import types
from dataclasses import dataclass

import gast
import numpy as np

from ..errors import UnsupportedConstructError
from ..ir import anno
from ..ir import nodes as N


def checkpointed(iterable: range, segments: int | None = None) -> range:
    """Mark a ``for`` loop over a ``range`` for checkpointing in reverse mode.

    Called plainly it returns ``iterable``: the function runs unchanged.  Its gradient
    stores the loop's state at the start of ``segments`` segments (default
    ``ceil(sqrt(n))``) instead of every step's values, and recomputes each segment's
    steps once in the backward sweep (about one more forward pass in time).  Arrays the
    body writes in place (``u[i] = v``) are saved as copies at each segment's start.  A
    body with effects (print, logging, random numbers, attribute writes, calls of unknown
    functions) or a ``break`` is refused; the loop must be a statement of the function's
    body itself.

    >>> import math, ast_ad
    >>> def f(y, n):
    ...     for t in ast_ad.checkpointed(range(n)):
    ...         y = 0.5 * y + math.sin(y)
    ...     return y
    >>> round(ast_ad.grad(f)(1.0, 3), 12)
    0.322558603849
    """
    if segments is not None and (isinstance(segments, bool) or not isinstance(
            segments, (int, np.integer)) or segments < 1):
        raise ValueError(f"checkpointed: segments must be a positive int, not {segments!r}")
    return iterable


def checkpoint_segments(r, segments):
    """The sub-ranges of ``r`` the checkpointed loop runs one after the other."""
    if type(r) is not range:
        from ..errors import AstAdError

        raise AstAdError(f"ast_ad.checkpointed needs a range, not {type(r).__name__}")
    n = len(r)
    k = max(1, min(n, int(segments) if segments is not None else math.isqrt(n - 1) + 1
                   if n > 1 else 1))
    size = -(-n // k) if n else 1
    return [r[a:a + size] for a in range(0, n, size)] or [r]


def snapshot(x):
    """A checkpointed loop's saved value of an array its body writes into: the array
    and a copy of its entries; a value that has no entries to write (None, a number: the
    body binds the name before writing) is kept as it is, anything else refused."""
    if x is None or isinstance(x, (int, float, complex, np.generic)):
        return x, None
    if type(x) is not np.ndarray:
        from ..errors import AstAdError

        raise AstAdError(
            "a checkpointed loop writes into entries of a "
            f"{type(x).__name__}; only NumPy arrays written in place are saved (as "
            "copies) at the segments' starts: use an array, or drop ast_ad.checkpointed")
    return x, x.copy()


def restored(saved):
    """The array of ``snapshot``'s pair with the saved entries put back (in place: views
    of it and other names for it see them too)."""
    x, entries = saved
    if entries is not None:
        np.copyto(x, entries)
    return x


@dataclass(frozen=True, eq=False)
class Checkpoint:
    """On a normalized ``for`` loop: checkpoint it (``segments``: an atom or None)."""

    segments: object
    where: tuple  # (filename, line) of the user's loop


# -- the normalize side ------------------------------------------------------------------

_EFFECT_MODULES = ("logging", "warnings", "time", "random", "os", "sys", "io", "builtins.open",
                   "numpy.random", "shutil", "subprocess", "socket", "pickle")
_EFFECT_BUILTINS = frozenset({print, input, open, exec, eval, setattr, delattr, next,
                              globals, locals, vars, breakpoint})
_PURE_BUILTINS = frozenset({len, range, abs, min, max, sum, float, int, bool, complex,
                            round, pow, divmod, isinstance, tuple, list, enumerate, zip,
                            reversed, sorted})
_PURE_METHODS = frozenset({"sum", "mean", "prod", "dot", "copy", "reshape", "ravel",
                           "flatten", "transpose", "astype", "max", "min", "conj", "real",
                           "imag", "item", "tolist", "std", "var", "cumsum", "clip", "round",
                           "squeeze", "swapaxes", "trace", "all", "any"})


def strip(normalizer, it, s):
    """``checkpointed(r, segments=k)`` as a loop's iterable -> (r, Checkpoint), after
    checking the loop body; other iterables -> (it, None)."""
    if not (isinstance(it, gast.Call) and normalizer.env.lookup(it.func) is checkpointed):
        return it, None
    where = normalizer.parsed.where(s)

    def refuse(node, what):
        filename, line = normalizer.parsed.where(node)
        raise UnsupportedConstructError(
            f"a checkpointed loop runs its body twice in the gradient, so {what} is not "
            "allowed in its body; move it out of the loop, or drop ast_ad.checkpointed",
            filename=filename, lineno=line)

    kws = {k.arg: k.value for k in it.keywords}
    if len(it.args) + len(kws) > 2 or len(it.args) < 1 or set(kws) - {"segments"} or (
            len(it.args) == 2 and kws):
        refuse(it, "this use of checkpointed(...)")  # pragma: no cover - odd spelling
    inner = it.args[0]
    if not (isinstance(inner, gast.Call) and normalizer.env.lookup(inner.func) is range):
        filename, line = where
        raise UnsupportedConstructError(
            "ast_ad.checkpointed takes a range: write `for t in "
            "ast_ad.checkpointed(range(n)):`", filename=filename, lineno=line)
    if normalizer.loop_ctx is not None:
        filename, line = where
        raise UnsupportedConstructError(
            "a checkpointed loop inside another loop is not supported: checkpoint the "
            "outer loop", filename=filename, lineno=line)
    seg = it.args[1] if len(it.args) == 2 else kws.get("segments")
    check_body(normalizer, s.body, refuse, 0)
    if seg is not None:
        seg = normalizer.atom(seg)
    return inner, Checkpoint(seg, where)


def check_body(normalizer, body, refuse, depth, fresh=None):
    """Refuse (``refuse(node, what)``) what cannot run twice in ``body``.  ``fresh``: None
    for a loop body (entry writes into local arrays are saved as copies); for a
    checkpointed callee, the names bound to new values only (``passes/checkpoint_calls``),
    the only ones whose entries may be written and whose methods may mutate."""
    env = normalizer.env
    for node in (n for st in body for n in gast.walk(st)):
        if isinstance(node, (gast.Global, gast.Nonlocal)):
            refuse(node, "a global or nonlocal write")
        elif isinstance(node, (gast.Break, gast.Return)) and fresh is None:
            refuse(node, f"`{type(node).__name__.lower()}`")
        elif isinstance(node, (gast.Yield, gast.YieldFrom, gast.Await)):
            refuse(node, "yield/await")
        elif isinstance(node, (gast.FunctionDef, gast.Lambda, gast.ClassDef)):
            refuse(node, "a nested function")
        elif isinstance(node, gast.Attribute) and isinstance(node.ctx, (gast.Store, gast.Del)):
            refuse(node, f"a write to the attribute `.{node.attr}`")
        elif isinstance(node, gast.Subscript) and isinstance(node.ctx, (gast.Store, gast.Del)):
            _check_entry_write(normalizer, node, refuse, fresh)
        elif isinstance(node, gast.Call):
            _check_call(normalizer, env, node, refuse, depth, fresh)
        elif fresh is not None and isinstance(node, gast.AugAssign) and isinstance(
                node.target, gast.Name) and node.target.id not in fresh:
            t = node.target.id
            refuse(node, f"`{t} op= ...` on `{t}`, which may be (a view of) an argument: "
                   f"in place for an array (write `{t} = {t} + ...`)")


def _check_entry_write(normalizer, node, refuse, fresh):
    """``x[i] = v`` / ``x[a:b][j] = v``: its root must be a local name (a loop's saved
    state copies it: ``snapshot``; a callee's must hold a new array)."""
    root = node.value
    while isinstance(root, gast.Subscript):
        root = root.value
    if isinstance(node.ctx, gast.Del):
        refuse(node, "`del` of an entry")
    if not isinstance(root, gast.Name) or not normalizer.env.is_local(root.id):
        refuse(node, "a write into an entry of something other than a local array")
    if fresh is not None and root is not node.value:
        refuse(node, f"a write into an entry of an entry of `{root.id}` (write "
               f"`{root.id}[i, j] = v`)")
    if fresh is not None and root.id not in fresh:
        refuse(node, f"a write into an entry of `{root.id}`, which may be (a view of) an "
               "argument or another array the caller holds; write into a new array "
               "(`out = np.zeros(...)`, `x = x.copy()`)")


def _check_call(normalizer, env, call, refuse, depth, fresh=None):
    if any(k.arg == "out" for k in call.keywords):
        refuse(call, "an `out=` argument")
    obj = env.lookup(call.func)
    from ..frontend.resolve import LOCAL, MISSING

    label = getattr(call.func, "attr", getattr(call.func, "id", "this call"))
    if obj is LOCAL or obj is MISSING:  # a method of a local value: x.sum(), lst.append(v)
        if isinstance(call.func, gast.Attribute) and call.func.attr in _PURE_METHODS:
            return
        if fresh and isinstance(call.func, gast.Attribute) and isinstance(
                call.func.value, gast.Name) and call.func.value.id in fresh:
            return  # out.append(v) on a list the callee made
        refuse(call, f"the call `{label}(...)` (it may have effects; only NumPy and math "
               "functions, plain helpers and array methods such as .sum() are known pure)")
    if obj in _EFFECT_BUILTINS:
        refuse(call, f"`{label}(...)` (a side effect)")
    if obj in _PURE_BUILTINS or obj is checkpointed:
        return
    mod = getattr(obj, "__module__", None) or ""
    if isinstance(obj, np.ufunc) or (mod.split(".")[0] in ("numpy", "math", "scipy")
                                     and not mod.startswith(("numpy.random",))):
        from .analysis.effects import MUTATING_FUNCTIONS

        if obj in MUTATING_FUNCTIONS or isinstance(obj, types.BuiltinMethodType) and \
                isinstance(getattr(obj, "__self__", None), np.ufunc):
            refuse(call, f"`{label}(...)` (it writes into an argument)")
        return
    if isinstance(obj, types.FunctionType) and depth < 4:
        _check_helper(normalizer, obj, refuse, depth + 1, call, fresh is not None)
        return
    refuse(call, f"the call `{label}(...)` (it may have effects: random numbers, I/O, "
           "counters)")


def _check_helper(normalizer, fn, refuse, depth, call, plain=False):
    """A plain Python helper called in the body: its own body must pass the same check
    (``plain``: it runs as written, inside a checkpointed callee's plain run, so it must
    not write into what it is handed either)."""
    from ..errors import AstAdError
    from ..frontend.parse import parse_function
    from ..frontend.resolve import Env

    name = getattr(fn, "__name__", "the helper")
    try:
        parsed = parse_function(fn)
    except AstAdError:
        refuse(call, f"the call `{name}(...)` (its source cannot be read to check it)")
    fdef = parsed.tree
    a = fdef.args
    params = {p.id for p in a.args + a.kwonlyargs + a.posonlyargs}
    env = Env.of_function(fn, params | N.stored_names(fdef.body))
    host = types.SimpleNamespace(env=env, parsed=parsed)
    what = "a checkpointed callee runs twice in the gradient (as written, then with its " \
        "tape)" if plain else "a checkpointed loop runs its body twice in the gradient"
    api = "checkpoint" if plain else "checkpointed"

    def inner(node, why):
        filename, line = normalizer.parsed.where(call)
        hfile, hline = parsed.where(node)
        raise UnsupportedConstructError(
            f"{what}, and `{name}` (called here) has {why} ({hfile.rsplit('/', 1)[-1]}:"
            f"{hline}); move the call out, or drop ast_ad.{api}",
            filename=filename, lineno=line)

    if plain:
        check_body(host, fdef.body, inner, depth, fresh_names(fdef, env))
        return
    body = [st for st in fdef.body if not isinstance(st, gast.Return)] + [
        gast.Expr(value=st.value) for st in fdef.body
        if isinstance(st, gast.Return) and st.value is not None]  # a final return is fine
    check_body(host, body, inner, depth)


_ALLOCATORS = frozenset(getattr(np, f) for f in (
    "zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like", "full_like",
    "array", "copy", "arange", "linspace", "eye", "identity", "concatenate", "stack",
    "vstack", "hstack", "column_stack", "tile", "repeat", "outer", "cumsum")) | {list, dict}
_NEW_VALUES = (gast.Constant, gast.BinOp, gast.UnaryOp, gast.Compare, gast.List,
               gast.Tuple, gast.Dict, gast.Set, gast.ListComp, gast.DictComp, gast.SetComp)


def fresh_names(fdef, env):
    """The local names of ``fdef`` that only ever hold values made in it: every binding
    is ``v = <literal, arithmetic, np.zeros(...), x.copy(), ...>`` or ``v op= ...`` (never
    a parameter, a loop target, an unpacking, or another name or a slice of one)."""
    a = fdef.args
    bad = {p.id for p in a.args + a.kwonlyargs + a.posonlyargs + [a.vararg, a.kwarg] if p}
    good, seen = set(), set()
    for node in gast.walk(gast.Module(body=fdef.body, type_ignores=[])):
        if isinstance(node, gast.Assign):
            t = node.targets
            if len(t) == 1 and isinstance(t[0], gast.Name) and _is_new(node.value, env):
                good.add(t[0].id)
                seen.add(id(t[0]))
        elif isinstance(node, gast.AugAssign) and isinstance(node.target, gast.Name):
            seen.add(id(node.target))  # in place on what it holds: stays new
        elif isinstance(node, gast.Name) and isinstance(node.ctx, gast.Store) and \
                id(node) not in seen:
            bad.add(node.id)
    return frozenset(good - bad)


def _is_new(value, env):
    if isinstance(value, _NEW_VALUES):
        return True
    if isinstance(value, gast.Call):
        if isinstance(value.func, gast.Attribute) and value.func.attr in ("copy", "tolist"):
            return True
        try:
            return env.lookup(value.func) in _ALLOCATORS
        except TypeError:
            return False
    return False


# -- the code side (after the optimizations) ---------------------------------------------

def loops(stmts):
    """(index, loop, Checkpoint) of the checkpointed loops among ``stmts`` (top level)."""
    return [(k, s, anno.get(s, Checkpoint)) for k, s in enumerate(stmts)
            if isinstance(s, gast.For) and anno.has(s, Checkpoint)]


def nested(stmts):
    """A checkpointed loop below the top level of ``stmts`` (then refused), or None."""
    for s in stmts:
        for n in gast.walk(s):
            if n is not s and isinstance(n, gast.For) and anno.has(n, Checkpoint):
                return anno.get(n, Checkpoint)
    return None
