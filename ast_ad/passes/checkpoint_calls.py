"""Checkpointed callees: ``@ast_ad.checkpoint`` on a helper (or ``h2 =
ast_ad.checkpoint(h)``) trades recomputation for memory at each call of it in reverse
mode (issue 13, "long loops in bounded memory", for callees).

A differentiated call ``y = h(a, b)`` normally runs ``h``'s forward sweep, whose record
(``h``'s whole tape) the caller keeps until its adjoint sweep reaches the call
(``passes/reverse/calls.py``).  For a checkpointed ``h`` the caller's code is the same,
``y, _rec = h_vjp.fwd(a, b)`` ... ``h_vjp.bwd(by, _rec)``, but ``h_vjp`` is a
``CheckpointedSplit`` around the usual split form:

* ``fwd(a, b)`` runs ``h`` as written (no tape) and keeps only its arguments;
* ``bwd(g, (args, kwargs))`` runs the split form's ``fwd`` on them again, then its
  ``bwd`` on that record, which is dropped when ``bwd`` returns.

So the caller holds, per call, the arguments (references: the caller's adjoint sweep
puts back what it overwrote before it reaches the call) instead of the callee's tape;
one callee's tape lives at a time, during its ``bwd``.  Time: one more plain run of
``h`` per call.  Forward mode (``jvp``) and plain calls run ``h`` unchanged.

``h`` then runs twice, once as written, so its body must not have effects
(``checkpoint.check_body`` with ``fresh``): print, logging, random numbers, I/O,
``global``/``nonlocal``, attribute writes, calls of unknown functions; and it must not
write into anything it is handed: entry writes, ``op=`` and mutating methods only on
names that hold values made in ``h`` (``checkpoint.fresh_names``).  Refused with the
file and line of ``h``'s statement.  Arguments are never copied: a callee that would
mutate one is refused instead.
"""

from __future__ import annotations

import types
import weakref
from typing import Callable

from ..errors import UnsupportedConstructError
from .checkpoint import check_body, fresh_names

MARK = "__ast_ad_checkpoint__"


def checkpoint(fn: Callable) -> Callable:
    """Mark a helper function for checkpointing in reverse mode; returns a twin of it.

    Used as a decorator (``@ast_ad.checkpoint``) or on an existing function
    (``h_ck = ast_ad.checkpoint(h)``: ``h`` itself is left as it was).  Called plainly
    the twin is the function unchanged.  When a differentiated function calls it, the
    gradient's forward sweep runs it as written and keeps only its arguments; the
    backward sweep runs its forward sweep again and then its adjoint, so its tape is
    never held beside the caller's.  A helper with effects (print, logging, random
    numbers, calls of unknown functions) or that writes into its arguments is refused.

    >>> import math, ast_ad
    >>> @ast_ad.checkpoint
    ... def steps(y):
    ...     for t in range(100):
    ...         y = 0.99 * y + 0.01 * math.sin(y)
    ...     return y
    >>> def f(y):
    ...     for k in range(10):
    ...         y = steps(y)
    ...     return y
    >>> round(ast_ad.grad(f)(1.0), 12)
    0.117832018935
    """
    if isinstance(fn, types.MethodType):
        return types.MethodType(checkpoint(fn.__func__), fn.__self__)
    if not isinstance(fn, types.FunctionType):
        raise TypeError("ast_ad.checkpoint takes a Python function (def or lambda), not "
                        f"{type(fn).__name__}")
    if getattr(fn, MARK, False):
        return fn
    twin = types.FunctionType(fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__,
                              fn.__closure__)
    twin.__dict__.update(fn.__dict__)
    twin.__kwdefaults__ = dict(fn.__kwdefaults__) if fn.__kwdefaults__ else None
    for attr in ("__qualname__", "__module__", "__doc__", "__annotations__"):
        setattr(twin, attr, getattr(fn, attr))
    twin.__wrapped__ = fn
    setattr(twin, MARK, True)
    return twin


def is_checkpointed(fn) -> bool:
    return bool(getattr(getattr(fn, "__func__", fn), MARK, False))


class CheckpointedSplit:
    """A split form (``callees.Split``) whose ``fwd`` runs the function as written and
    keeps its arguments, and whose ``bwd`` replays the split ``fwd`` before its ``bwd``."""

    checkpointed_split = True  # (ast_ad.export carries ``split`` instead)

    def __init__(self, split, target):
        self.split = split
        self.param_names = split.param_names
        self.wrt = split.wrt
        self.__name__ = split.__name__
        plain = weakref.ref(target)  # (held weakly, as callees.Split holds it: the
        # caches are keyed weakly on the function and this hangs off their values)

        def fwd(*args, **kwargs):
            return plain()(*args, **kwargs), (args, kwargs)

        def bwd(g, record):
            args, kwargs = record
            _, tape = split.fwd(*args, **kwargs)
            return split.bwd(g, tape)

        fwd.__ast_ad_checkpointed__ = bwd.__ast_ad_checkpointed__ = split.__name__[:-4]
        self.fwd, self.bwd = fwd, bwd

    @property
    def guards(self):
        return self.split.guards

    @property
    def source(self):  # (ast_ad.source: the split form follows, reached through bwd)
        name = self.__name__[:-4]
        return (f"# {name} is checkpointed (ast_ad.checkpoint): its forward half runs "
                f"{name} as written and keeps its arguments; its adjoint half runs "
                f"{name}_fwd on them again, then {name}_bwd\n")

    def __repr__(self):
        return f"<ast_ad checkpointed split gradient of {self.__name__[:-4]} wrt {self.wrt}>"


def second_order_refusal(half):
    """Why differentiating a checkpointed callee's gradient again is refused."""
    name = half.__ast_ad_checkpointed__
    return (f"`{name}` is checkpointed (ast_ad.checkpoint), and a second derivative "
            "(hessian, hvp, jacobian or jvp of a gradient) through a checkpointed callee "
            "is not supported; differentiate twice a function that calls the helper "
            f"without the checkpoint (`{name}.__wrapped__` is the unmarked function)")


def checkpointed_split(split, fn, where):
    """The ``CheckpointedSplit`` of ``split`` (made once per split form), after checking
    that ``fn``'s body may run twice; ``where``: (file, line) of the call."""
    made = getattr(split, "_checkpointed", None)
    if made is not None:
        return made
    target = getattr(fn, "__func__", fn)
    check_callee(fn, where)
    made = CheckpointedSplit(split, target)
    split._checkpointed = made
    return made


_CHECKED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def check_callee(fn, where):
    """Refuse a checkpointed ``fn`` whose body cannot run twice (once per code object)."""
    target = getattr(fn, "__func__", fn)
    if _CHECKED.get(target) is target.__code__:
        return
    _check(target, where)
    _CHECKED[target] = target.__code__


def _check(target, where):
    from ..errors import AstAdError
    from ..frontend.parse import parse_function
    from ..frontend.resolve import Env
    from ..ir import nodes as N

    name = getattr(target, "__name__", "the helper")
    call_file, call_line = where
    try:
        parsed = parse_function(target)
    except AstAdError as e:
        raise UnsupportedConstructError(
            f"`{name}` is checkpointed (ast_ad.checkpoint), but its source cannot be read "
            "to check that it may run twice", filename=call_file, lineno=call_line) from e
    fdef = parsed.tree
    a = fdef.args
    params = {v.id for v in a.args + a.kwonlyargs + a.posonlyargs + [a.vararg, a.kwarg]
              if v is not None}
    env = Env.of_function(target, params | N.stored_names(fdef.body))
    host = types.SimpleNamespace(env=env, parsed=parsed)

    def refuse(node, what):
        filename, line = parsed.where(node)
        raise UnsupportedConstructError(
            f"`{name}` is checkpointed (ast_ad.checkpoint), so the gradient runs it twice "
            f"(as written, then with its tape), and it has {what} (called at "
            f"{call_file.rsplit('/', 1)[-1]}:{call_line}); remove that, or drop "
            "ast_ad.checkpoint", filename=filename, lineno=line)

    check_body(host, fdef.body, refuse, 0, fresh_names(fdef, env))
