"""The pipeline: the only place where stages run, top to bottom, for every mode.

    parse      frontend/parse.py      source -> gast FunctionDef (file, line offset)
    resolve    frontend/resolve.py    names -> objects (globals, closure cells, builtins)
    fence      frontend/fence.py      unsupported constructs -> error at the user's line
    lift       frontend/lift.py       nested defs and lambdas -> functions of their own
    normalize  passes/normalize.py    control flow to flags, then A-normal form (anf.py)
    views      passes/views.py        run-time checks where a view may see a write
    shared     passes/shared_reads.py a repeated read of one array element reuses the first
    analyze    passes/analysis/       one immutable Facts record (activity, kinds, shapes,
                                      call classification, effects)
    mutation   passes/mutation.py     in-place NumPy APIs -> subscript writes
    containers passes/containers.py   joins/repeats of lists -> seq_concat/seq_repeat
                                      (after either, the facts are computed again)
    reverse    passes/reverse/        adjoint sweep, forward sweep with its stack -> Sweeps
    forward    passes/forward/        tangent code (forward mode, derivatives) -> Sweeps
    optimize   passes/optimize/       the OPTIMIZATIONS list, to a fixed point
    unread     passes/reverse/unread_restores.py  pushes and pops of values the
                                      optimized adjoint does not read
    entries    passes/reverse/array_entries.py  np.array([a, b])'s entry cotangents in
                                      one call
    writes     passes/reverse/first_writes.py  a fresh zero buffer's first entry
                                      updates are stores
    checkpoint passes/reverse/checkpoint.py  ast_ad.checkpointed loops: saved segment
                                      states, each segment replayed in the adjoint
    lists      passes/reverse/list_buffers.py  element loops over adjoint buffers run
                                      on their tolist() copies (run-time checked)
    tapes      passes/reverse/loop_tapes.py  straight-line loops push onto lists of
                                      their own, read backwards by the reversed loop
    codegen    codegen/               render the text, compile it, register it

>>> def f(x):
...     return x * x
>>> from ast_ad.rules.registry import default_registry
>>> gen = transform(f, ["x"], default_registry, {"x": float})
>>> gen.compiled[0](3.0)
6.0
"""

from __future__ import annotations

import gast
import gast.unparser  # noqa: F401  (imported now, not at the first transformation)

from . import codegen
from .backends.arrays import no_foreign_arrays
from .callees import Callees
from .dependencies import dependency_guards
from .errors import AstAdError
from .frontend.fence import fence
from .frontend.lift import lift_nested
from .frontend.parse import parse_function
from .frontend.resolve import Env
from .ir import nodes as N
from .ir.naming import Namer
from .ir.unit import Request, Unit
from .passes import optimize
from .passes.analysis import analyze, callee_rule
from .passes.analysis.calls import Resolver
from .passes.containers import model_sequences
from .passes.forward.assemble import forward
from .passes.mutation import model_mutations
from .passes.normalize import Normalizer
from .passes.reverse.array_entries import rewrite as array_entries
from .passes.reverse.assemble import functions, reverse
from .passes.reverse.checkpoint import rewrite as checkpoint_loops
from .passes.reverse.first_writes import rewrite as first_writes
from .passes.reverse.list_buffers import rewrite as list_buffers
from .passes.reverse.loop_tapes import rewrite as loop_tapes
from .passes.reverse.unread_restores import rewrite as unread_restores
from .passes.shared_reads import share_element_reads
from .passes.view_writes import lower_view_writes
from .passes.views import guard_views


def transform(fn, wrt_names, registry, arg_kinds, mode="joint", with_value=False, single=True,
              static_args=None, has_aux=False, arrays=None, long=()):
    """Differentiate ``fn`` w.r.t. the parameters ``wrt_names``.

    ``arg_kinds`` maps parameter names to the Python type seen at the call (used to
    specialise: floats need no conversion, arrays keep their dtype...).  ``mode``:
    "joint" -> one function returning the gradients (and the value when ``with_value``);
    "split" -> a forward and a backward function, for callees; "forward" -> a jvp
    function; "derivative" -> the derivative of a scalar function w.r.t. one parameter.
    ``arrays`` maps NumPy array parameters to the (ndim, dtype string) seen at the call;
    ``long``: those of them seen without a dimension of length 1 (``analysis.long_dims``).
    """
    parsed = parse_function(fn)                                          # parse
    a = parsed.tree.args
    params = [p.id for p in a.args] + [p.id for p in a.kwonlyargs] + [
        v.id for v in (a.vararg, a.kwarg) if v is not None]
    env = Env.of_function(fn, set(params) | N.stored_names(parsed.tree.body))  # resolve
    fence(parsed, env, varargs=mode == "joint")                          # fence
    namer = Namer(N.names_in(parsed.tree) | set(params))
    nested = lift_nested(parsed, env, namer)                             # lift
    tree = Normalizer(parsed, env, namer).run().tree                     # normalize + anf
    aux = split_aux(tree, namer) if has_aux else None                    # (loss, aux)
    unit = Unit(fn, parsed, env, namer, CALLEES, tree, nested)
    request = Request(tuple(wrt_names), dict(arg_kinds), mode, with_value, single,
                      {**nested, **(static_args or {})}, registry, aux, dict(arrays or {}),
                      frozenset(long or ()))
    resolver = elements = None
    if not parsed.generated:
        # generated code restores every write before reading a view again
        resolver = Resolver.of(unit, request)
        changed = lower_view_writes(tree, unit, resolver, request)       # views
        changed = guard_views(tree, unit, resolver) or changed
        elements = share_element_reads(                                  # shared
            tree, unit.params, request.arrays, request.arg_kinds, resolver,
            callee_rule(unit, resolver, request.registry))
        if changed:  # (the tree the resolver read is not the one analyzed)
            resolver = elements = None
        elif elements is None and request.arrays:
            resolver = None  # (shared reads rewrote the tree)
    facts = analyze(unit, request, resolver, elements)                   # analyze
    mutated = model_mutations(tree, unit, facts)                         # mutation
    if model_sequences(tree, unit, facts) | mutated:                     # containers
        facts = analyze(unit, request)  # in-place APIs became subscript writes, joins calls
    if mode in ("forward", "derivative"):
        sweeps = forward(unit, facts, request)                           # forward
    else:
        sweeps = reverse(unit, facts, request)                           # reverse
    sweeps = optimize.sweeps(sweeps)                                     # optimize
    if mode in ("joint", "split"):
        sweeps = unread_restores(sweeps, unit)  # pushes of values the adjoint no longer reads
        sweeps = array_entries(sweeps, unit, facts.pyfloat)  # np.array([a, b])'s entries
        sweeps = first_writes(sweeps, unit)     # b[k] += g on a fresh zero buffer: b[k] = g
    sweeps = checkpoint_loops(sweeps, unit)   # ast_ad.checkpointed loops (reverse modes)
    if mode in ("joint", "split") and not parsed.generated and \
            no_foreign_arrays(request.arg_kinds):
        sweeps = list_buffers(sweeps, unit)   # element loops on lists of floats
    if mode in ("joint", "split"):
        sweeps = loop_tapes(sweeps, unit, request.arg_kinds, facts.resolver.callable)
    return codegen.emit(functions(sweeps), unit, sweeps.guards,          # codegen
                        sweeps.tangent_names)


def split_aux(tree, namer):
    """``return pair`` -> ``check_aux(pair); loss = pair[0]; aux = pair[1]; return loss``
    (``has_aux=True``); returns the name of the auxiliary output."""
    from . import runtime as R

    ret = tree.body.pop()
    pair = ret.value
    loss, aux = namer.fresh("_loss"), namer.fresh("_aux")
    check = N.expr_stmt(N.call(namer.support_ref(R.check_aux, None), [pair]), loc=ret)
    tree.body += [check,
                  N.assign(loss, gast.Subscript(value=N.clone(pair), slice=N.const(0),
                                                ctx=gast.Load()), loc=ret),
                  N.assign(aux, gast.Subscript(value=N.clone(pair), slice=N.const(1),
                                               ctx=gast.Load()), loc=ret),
                  N.copy_loc(gast.Return(value=N.name(loss)), ret)]
    return aux


def predicted_tangent_names(fn, wrt):
    """The names forward mode gives the tangent parameters ('dx', or 'dx_1' if taken)."""
    try:
        taken = N.names_in(parse_function(fn).tree)
    except AstAdError:
        return {}
    out = {}
    for p in wrt:
        name, k = "d" + p, 0
        while name in taken:
            k += 1
            name = f"d{p}_{k}"
        taken.add(name)
        out[p] = name
    return out


def return_spec(fn, specs, registry, long=frozenset(), lengths=frozenset()):
    """The (ndim, np.dtype) of what ``fn`` returns when called with arguments of the
    ``specs`` (parameter -> (ndim, np.dtype); ndim 0: a float64 number), from the stages
    up to the analysis, its shape when fully known (``Shape.fixed``) and its ndim when it
    is surely long (``analysis.long_dims``, with the parameters ``long`` long arrays and
    ``lengths`` ints never 1); None for what is not known."""
    import numpy as np

    parsed = parse_function(fn)
    a = parsed.tree.args
    params = [p.id for p in a.args] + [p.id for p in a.kwonlyargs] + [
        v.id for v in (a.vararg, a.kwarg) if v is not None]
    env = Env.of_function(fn, set(params) | N.stored_names(parsed.tree.body))
    fence(parsed, env, varargs=False)
    namer = Namer(N.names_in(parsed.tree) | set(params))
    nested = lift_nested(parsed, env, namer)
    tree = Normalizer(parsed, env, namer).run().tree
    unit = Unit(fn, parsed, env, namer, CALLEES, tree, nested)
    kinds = {p: (np.ndarray if nd else int if dt.kind == "i" else float)
             for p, (nd, dt) in specs.items()}  # (an int: entries.with_int_args)
    arrays = {p: (nd, dt.str) for p, (nd, dt) in specs.items() if nd >= 1}
    request = Request((), kinds, "split", False, True, dict(nested), registry, None, arrays,
                      frozenset(long), frozenset(lengths))
    resolver = Resolver.of(unit, request)
    lower_view_writes(tree, unit, resolver, request)
    guard_views(tree, unit, resolver)
    facts = analyze(unit, request)
    if model_mutations(tree, unit, facts):
        facts = analyze(unit, request)
    out = tree.body[-1].value if tree.body and isinstance(tree.body[-1], gast.Return) else None
    if not isinstance(out, gast.Name):
        return None, None, None
    shape = facts.shape(out.id)
    return (facts.elements.arrays.get(out.id), shape if shape.tag == "fixed" else None,
            facts.long.get(out.id))


#: user functions called on differentiated values, generated through this pipeline
CALLEES = Callees(transform, predicted_tangent_names, return_spec, dependency_guards)
