"""Codegen: assemble the generated function, unparse it, comment it, compile it.

The text is produced by ``gast.unparse`` (gast bundles a port of CPython's unparser, so
no third-party code generator is needed).  Unparsing drops comments, so each adjoint
block is preceded by a string marker statement that is replaced by a ``# ...`` comment
naming the user's line afterwards.  The final text is exactly what is compiled and what
``linecache`` serves to tracebacks and pdb.

Support objects (rule helpers, callees) become closure cells of the generated function;
the user's own globals and closure cells are shared as they are (read live).
"""

from __future__ import annotations

import itertools
import linecache
import types

import gast

from .passes import nodes as N

_MARK = "__ast_ad_line__"
_counter = itertools.count(1)


class Generated:
    """The result of one transformation (joint gradient function or split callee)."""

    def __init__(self, ctx, mode, with_value, head, fwd, seed, rev, grads, out_atom, needed,
                 stack_names, uses_stack, g_out, cleanup):
        self.ctx = ctx
        self.mode = mode
        stack, push, pop = stack_names
        body = list(head)
        if uses_stack:
            body.append(N.assign(stack, gast.List(elts=[], ctx=gast.Load())))
            body.append(N.assign(push, gast.Attribute(value=N.name(stack), attr="append",
                                                      ctx=gast.Load())))
        rev_all = list(seed) + list(rev)
        adj_names = set(ctx_adj_names(ctx))
        grad_exprs = [g for g, _ in grads]
        if mode == "joint":
            ret_val = grad_exprs[0] if ctx.single else gast.Tuple(elts=grad_exprs,
                                                                  ctx=gast.Load())
            if with_value:
                ret_val = gast.Tuple(elts=[out_atom, ret_val], ctx=gast.Load())
            if uses_stack:
                rev_all.insert(0, N.assign(pop, gast.Attribute(value=N.name(stack), attr="pop",
                                                               ctx=gast.Load())))
            tail = cleanup(rev_all + [gast.Return(value=ret_val)], adj_names,
                           fold_ones=True, broadcasts=ctx.broadcast_info(),
                           shapes=ctx.shape_reps(), immutable=ctx.all_pyfloat, floats=ctx.pyfloat)
            if not with_value:
                from .passes.cleanup import dead_forward

                fwd = dead_forward(fwd, tail, ctx.pure_value)
            body += list(fwd) + _commented(tail, ctx)
            fdef = _fdef(ctx.tree, ctx.tree.name + "_grad" if not with_value
                         else ctx.tree.name + "_value_and_grad", body, flat=True)
            self.functions = [fdef]
        else:
            # split: fwd returns (value, record); bwd(g, record) returns the adjoints
            saved = sorted(v for v in needed)
            rec = gast.Tuple(elts=[N.name(stack) if uses_stack else N.const(None)] +
                             [N.name(v) for v in saved], ctx=gast.Load())
            inited = {st.targets[0].id for st in head if isinstance(st, gast.Assign)
                      and isinstance(st.targets[0], gast.Name)}
            pre_init = [N.assign(v, N.const(None)) for v in saved
                        if v not in ctx.params and v not in inited]
            fwd_body = pre_init + body + list(fwd) + [gast.Return(value=gast.Tuple(
                elts=[out_atom, rec], ctx=gast.Load()))]
            fwd_def = _fdef(ctx.tree, ctx.tree.name + "_fwd", fwd_body)
            record = ctx.namer.fresh("_record")
            unpack = gast.Assign(targets=[gast.Tuple(
                elts=[N.store(stack)] + [N.store(v) for v in saved], ctx=gast.Store())],
                value=N.name(record), type_comment=None)
            pre = [unpack]
            if uses_stack:
                pre.append(N.assign(pop, gast.Attribute(value=N.name(stack), attr="pop",
                                                        ctx=gast.Load())))
            ret = gast.Return(value=gast.Tuple(elts=grad_exprs, ctx=gast.Load()))
            tail = cleanup(list(rev_all) + [ret], adj_names)
            bwd_body = pre + _commented(tail, ctx)
            args = gast.arguments(args=[N.name(g_out, gast.Param()), N.name(record, gast.Param())],
                                  posonlyargs=[], vararg=None, kwonlyargs=[], kw_defaults=[],
                                  kwarg=None, defaults=[])
            bwd_def = gast.FunctionDef(name=ctx.tree.name + "_bwd", args=args, body=bwd_body,
                                       decorator_list=[], returns=None, type_comment=None,
                                       type_params=[])
            self.functions = [fwd_def, bwd_def]
        self.source = render(self.functions, ctx)
        self.compiled = compile_functions(self.source, self.functions, ctx)


def ctx_adj_names(ctx):
    """Generated adjoint variables and adjoint temporaries (never user names)."""
    gen = ctx.namer.generated
    return set(ctx.adjoint_names) | {n for n in gen if n.startswith(("_g", "_a"))}


def _fdef(tree, name, body, flat=False):
    """A def with the user's parameters (``flat``: every parameter positional)."""
    pos = [N.name(a.id, gast.Param()) for a in tree.args.posonlyargs + tree.args.args]
    kwo = [N.name(a.id, gast.Param()) for a in tree.args.kwonlyargs]
    if flat:
        pos, kwo = pos + kwo, []
    args = gast.arguments(args=pos, posonlyargs=[], vararg=None, kwonlyargs=kwo,
                          kw_defaults=[None] * len(kwo), kwarg=None, defaults=[])
    f = gast.FunctionDef(name=name, args=args, body=body, decorator_list=[], returns=None,
                         type_comment=None, type_params=[])
    return f


def _commented(stmts, ctx, last=None):
    """Insert a marker before each adjoint block that comes from a new user line."""
    out = []
    for s in stmts:
        ln = getattr(s, "lineno", None)
        if ln is not None and ln != last and not isinstance(s, gast.Return):
            out.append(N.expr_stmt(N.const(f"{_MARK}{ln}")))
            last = ln
        if isinstance(s, gast.If):
            s.body = _commented(s.body, ctx, last)
            s.orelse = _commented(s.orelse, ctx, last)
        elif isinstance(s, (gast.For, gast.While)):
            s.body = _commented(s.body, ctx, last)
        out.append(s)
    return out


def render(functions, ctx) -> str:
    parsed = ctx.parsed
    lines = parsed_lines(parsed)
    chunks = []
    for f in functions:
        mod = gast.Module(body=[f], type_ignores=[])
        gast.fix_missing_locations(mod)
        text = gast.unparse(mod)
        out = []
        for line in text.splitlines():
            stripped = line.strip()
            if stripped.lstrip("'\"").startswith(_MARK) and stripped[:1] in "'\"":
                ln = int(stripped.strip("'\"")[len(_MARK):])
                indent = line[: len(line) - len(line.lstrip())]
                src = lines.get(ln, "").strip()
                out.append(f"{indent}# {src}  [line {ln + parsed.line_offset}]")
            else:
                out.append(line)
        chunks.append("\n".join(out))
    return "\n\n".join(chunks) + "\n"


def parsed_lines(parsed):
    """{line number in the parsed text: line} for the comments naming user lines."""
    return {i + 1: line for i, line in enumerate(parsed.text.splitlines())}


def compile_functions(source, functions, ctx):
    """Compile ``source`` inside a factory so support names become closure cells."""
    fn = ctx.fn
    support = ctx.namer.support
    user_cells = dict(zip(fn.__code__.co_freevars, fn.__closure__ or ()))
    params = sorted(set(support) | set(user_cells))
    header = f"def __ast_ad_factory__({', '.join(params)}):\n"
    body = "".join("    " + line + "\n" if line else "\n" for line in source.splitlines())
    names = ", ".join(f.name for f in functions)
    text = header + body + f"    return ({names},)\n"
    filename = f"<ast_ad-{next(_counter)} {ctx.tree.name}>"
    code = compile(text, filename, "exec")
    # linecache serves the text of source() (indented as compiled, without the factory
    # line), and the code objects are shifted up one line to match: a traceback's line
    # number is the line number in ast_ad.source(g)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    factory = next(c for c in code.co_consts if isinstance(c, types.CodeType))
    factory = _shift_lines(factory, -1, 4)
    out = []
    for f in functions:
        inner = next(c for c in factory.co_consts
                     if isinstance(c, types.CodeType) and c.co_name == f.name)
        cells = []
        for v in inner.co_freevars:
            if v in user_cells:
                cells.append(user_cells[v])
            else:
                cells.append(types.CellType(support[v]))
        is_fwd = (f.name.endswith("_fwd") and len(functions) == 2) or \
            f.name.endswith(("_jvp", "_deriv"))
        func = types.FunctionType(inner, fn.__globals__, f.name,
                                  fn.__defaults__ if is_fwd else None, tuple(cells))
        if is_fwd and fn.__kwdefaults__:
            func.__kwdefaults__ = dict(fn.__kwdefaults__)
        out.append(func)
    return out


def _shift_lines(code, delta, dcol):
    """Move a code object (and its nested ones) ``delta`` lines and ``dcol`` columns left."""
    consts = tuple(_shift_lines(c, delta, dcol) if isinstance(c, types.CodeType) else c
                   for c in code.co_consts)
    first = max(1, code.co_firstlineno + delta)
    if not hasattr(code, "co_positions"):  # Python 3.10: lines only
        return code.replace(co_firstlineno=first, co_consts=consts)
    return code.replace(co_firstlineno=first, co_consts=consts,
                        co_linetable=_linetable(code, delta, dcol, first))


def _varint(out, v):
    while v >= 64:
        out.append(0x40 | (v & 63))
        v >>= 6
    out.append(v)


def _linetable(code, delta, dcol, first):
    """Re-encode the location table (one long-form entry per code unit, CPython 3.11+)."""
    out = bytearray()
    prev = first
    for line, end, col, ecol in code.co_positions():
        if line is None:
            out.append(0x80 | (15 << 3))
            continue
        line += delta
        out.append(0x80 | (14 << 3))
        d = line - prev
        _varint(out, (-d << 1) | 1 if d < 0 else d << 1)
        prev = line
        _varint(out, (end + delta - line) if end is not None else 0)
        _varint(out, max(col - dcol, 0) + 1 if col is not None else 0)
        _varint(out, max(ecol - dcol, 0) + 1 if ecol is not None else 0)
    return bytes(out)


class GeneratedForward:
    """A forward-mode function: ``f_jvp(*params, *, d<param>...) -> (value, tangent)``."""

    def __init__(self, ctx, code, tangent_names, suffix="_jvp"):
        self.ctx = ctx
        self.mode = "forward"
        self.tangent_names = tangent_names
        fdef = _fdef(ctx.tree, ctx.tree.name + suffix, _commented(code, ctx))
        for p in tangent_names:
            fdef.args.kwonlyargs.append(N.name(tangent_names[p], gast.Param()))
            fdef.args.kw_defaults.append(None)
        self.functions = [fdef]
        self.source = render(self.functions, ctx)
        self.compiled = compile_functions(self.source, self.functions, ctx)
