"""The pipeline, top to bottom: one function per stage, each in its own module.

    parse      frontend/parse.py       source -> gast FunctionDef (file, line offset)
    resolve    frontend/resolve.py     names -> objects (globals, closure cells, builtins)
    fence      passes/fence.py         unsupported constructs -> error at the user's line
    normalize  passes/normalize.py     control flow to flags, then A-normal form (anf.py)
    analyze    passes/analysis.py      activity, overwrites, shape classes, kinds
    reverse    passes/reverse.py       adjoint sweep (rules inlined by passes/inline.py)
    forward    passes/forward_sweep.py forward sweep with pushes only for needed values
    cleanup    passes/cleanup.py       copy propagation, dead code, trivial loops
    codegen    codegen.py              deterministic text, comments, compile, linecache

``transform`` runs them for one function and returns a ``Generated`` function object.
"""

from __future__ import annotations

import gast.unparser  # noqa: F401  (imported now, not at the first transformation)

from .. import codegen  # noqa: F401
from ..frontend.parse import parse_function
from ..frontend.resolve import Env
from . import nodes as N
from .context import TransformContext
from .fence import fence
from .lift import lift_nested
from .naming import Namer
from .normalize import Normalizer


def transform(fn, wrt_names, registry, arg_kinds, mode="joint", with_value=False, single=True,
              static_args=None):
    """Differentiate ``fn`` w.r.t. the parameters ``wrt_names``.

    ``arg_kinds`` maps parameter names to the Python type seen at the call (used to
    specialise: floats need no conversion, arrays keep their dtype...).
    ``mode``: "joint" -> one function returning the gradients (and the value when
    ``with_value``); "split" -> a forward function and a backward function, for callees.
    """
    parsed = parse_function(fn)
    params = [a.id for a in parsed.tree.args.args] + [a.id for a in parsed.tree.args.kwonlyargs]
    env = Env.of_function(fn, set(params) | N.stored_names(parsed.tree.body))
    fence(parsed, env)
    namer = Namer(N.names_in(parsed.tree) | set(params))
    nested = lift_nested(parsed, env, namer)
    norm = Normalizer(parsed, env, namer).run()
    ctx = TransformContext(fn, parsed, env, namer, registry, norm, wrt_names, arg_kinds,
                           {**nested, **(static_args or {})})
    ctx.nested = nested
    ctx.single = single
    if mode == "forward":
        return ctx.build_forward()
    if mode == "derivative":
        return ctx.build_forward(seeded=True, with_value=with_value)
    return ctx.build(mode, with_value)
