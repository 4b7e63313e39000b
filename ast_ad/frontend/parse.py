"""Parse: a function object -> a gast ``FunctionDef`` plus where it came from.

Before::

    @ast_ad.grad
    def f(x):
        return x * x

After: ``ParsedFunction(tree=FunctionDef(name='f', decorator_list=[], ...),
filename='model.py', line_offset=11)``; ``node.lineno + line_offset`` is the line in
the user's file.  Lambdas become a ``FunctionDef`` whose body is one ``return``.
"""

from __future__ import annotations

import inspect
import linecache
import os
import sys
import textwrap
import types
from dataclasses import dataclass

import gast

from ..errors import SourceUnavailableError
from ..ir.nodes import clone
from .lift import ORIGINS
from .to_gast import to_gast


@dataclass
class ParsedFunction:
    fn: object
    tree: gast.FunctionDef
    filename: str
    line_offset: int
    text: str = ""  # the dedented source that was parsed

    @property
    def generated(self) -> bool:
        """Whether ``fn`` is ast_ad's own generated code (a gradient differentiated again:
        grad of grad, ``hessian``, ``hvp``), whose recorded values hide their kinds."""
        return self.filename.startswith("<ast_ad-")

    def where(self, node) -> tuple:
        """(filename, user line) of a node of ``tree``.  When ``fn`` is itself generated
        code (grad of grad, ``hessian``, reverse over reverse), the line is that of the
        user's code it was generated from, so every refusal names the user's line."""
        from ..errnotes import user_where

        ln = getattr(node, "lineno", None)
        return user_where(self.filename, ln + self.line_offset if ln is not None else None)


def get_source(fn) -> tuple:
    """(source text, filename, first line) of ``fn``, or SourceUnavailableError."""
    code = getattr(fn, "__code__", None)
    name = getattr(fn, "__qualname__", repr(fn))
    if code is None:
        raise SourceUnavailableError(
            f"cannot read the source of {name!r}: it is not a Python function "
            "(a builtin or C function); register a rule with ast_ad.defvjp or use "
            "ast_ad.tape"
        )
    filename = code.co_filename
    linecache.checkcache(filename)  # a file edited since it was read: read it again
    fast = _fast_block(code) if code.co_name != "<lambda>" else None
    if fast is not None:
        _check_fresh(fn, code, name)
        return fast[:3]
    try:
        lines, first = inspect.getsourcelines(fn)
    except (OSError, TypeError, IndexError) as e:
        raise SourceUnavailableError(
            f"cannot read the source of {name!r} (defined in {filename!r}, e.g. by exec): "
            f"{e}; use ast_ad.grad(f, fallback='tape') or ast_ad.tape.grad",
            filename=filename,
            lineno=code.co_firstlineno,
        ) from None
    _check_fresh(fn, code, name)
    return "".join(lines), filename, max(first, 1)


def _check_fresh(fn, code, name):
    """The source must be that of the running code: a module's file edited after it was
    imported (and not reloaded) is an error, never the derivative of text that is not
    running.  Told by the module's cached bytecode, whose header records the source's
    modification time and size at import (no cache, or one the import could not have
rewritten: nothing to compare, no check)."""
    if sys.dont_write_bytecode:
        return  # a stale cache is not rewritten at import: its header tells nothing
    mod = sys.modules.get(getattr(fn, "__module__", None) or "")
    spec = getattr(mod, "__spec__", None)
    cached = getattr(spec, "cached", None)
    if not cached or getattr(mod, "__file__", None) != code.co_filename or \
            not os.access(os.path.dirname(cached) or ".", os.W_OK):
        return  # (nor one in a folder the import could not write)
    try:
        with open(cached, "rb") as fh:
            head = fh.read(16)
        st = os.stat(code.co_filename)
    except OSError:
        return
    if len(head) < 16 or int.from_bytes(head[4:8], "little") != 0:
        return  # a hash-based cache: no time stamp
    mtime, size = int.from_bytes(head[8:12], "little"), int.from_bytes(head[12:16], "little")
    if (int(st.st_mtime) & 0xFFFFFFFF, st.st_size & 0xFFFFFFFF) != (mtime, size):
        raise SourceUnavailableError(
            f"the source of {name!r} in {code.co_filename!r} has changed since its module "
            "was imported (edited but not reloaded); reload the module (importlib.reload) "
            "or redefine the function", filename=code.co_filename,
            lineno=code.co_firstlineno)


def _fast_block(code):
    """The def's lines by indentation (no tokenizer), as (text, filename, first line,
    ``ast`` module of the dedented text, that text); None when unsure (inspect decides)."""
    lines = linecache.getlines(code.co_filename)
    start = code.co_firstlineno - 1
    if not lines or start >= len(lines):
        return None
    head = lines[start]
    indent = len(head) - len(head.lstrip())
    if not head.lstrip().startswith(("def ", "@", "async def ")):
        return None
    end = start + 1
    while end < len(lines):
        ln = lines[end]
        stripped = ln.strip()
        if stripped and not stripped.startswith("#") and len(ln) - len(ln.lstrip()) <= indent \
                and not (end > start and lines[end - 1].rstrip().endswith(("(", ",", "\\"))):
            if not ln.lstrip().startswith(("def ", "@", "async def ")) or end > start + 1 or \
                    not head.lstrip().startswith("@"):
                break
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    text = "".join(lines[start:end])
    dedented = textwrap.dedent(text)
    try:
        import ast

        tree = ast.parse(dedented)
    except SyntaxError:
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef) or \
            tree.body[0].name != code.co_name:
        return None
    return text, code.co_filename, start + 1, tree, dedented


def parse_function(fn) -> ParsedFunction:
    code = getattr(fn, "__code__", None)
    origin = ORIGINS.get(code) if code is not None else None
    if origin is not None:  # a lifted nested def: its tree, lines in the user's file
        tree, filename, offset, text = origin
        return ParsedFunction(fn, clone(tree), filename, offset, text)
    fast = None
    if code is not None and code.co_name != "<lambda>":  # (what get_source does first)
        linecache.checkcache(code.co_filename)
        fast = _fast_block(code)
    if fast is not None:  # its text parsed already: converted, not parsed again
        _check_fresh(fn, code, getattr(fn, "__qualname__", repr(fn)))
        src, filename, first, tree, text = fast
        module = to_gast(tree)
    else:
        src, filename, first = get_source(fn)
        text = textwrap.dedent(src)
        try:
            module = gast.parse(text)
        except SyntaxError:
            module = None
    if code.co_name == "<lambda>":
        tree = _find_lambda(fn, module, src, filename, first)
    else:
        if module is None or not module.body or not isinstance(
            module.body[0], (gast.FunctionDef, gast.AsyncFunctionDef)
        ):
            raise SourceUnavailableError(
                f"could not parse the source of {fn.__qualname__!r}",
                filename=filename,
                lineno=first,
            )
        tree = module.body[0]
        tree.decorator_list = []
        if filename.startswith("<ast_ad-"):
            drop_fast_paths(tree, gast)
    return ParsedFunction(fn, tree, filename, first - 1, text)


from .plain_tapes import plain_tapes  # noqa: E402

#: generated code's run-time choice of a fast path (passes/reverse/list_buffers.py)
FAST_PATH_CHECK = "list_buffers_ok"


def drop_fast_paths(tree, mod):
    """``if list_buffers_ok(...): fast else: plain`` -> ``plain``, in a tree of the
    module ``mod`` (gast or ast): generated code differentiated again (or compiled by
    numba) takes the plain loop, whose operations all have rules."""

    def block(stmts):
        out = []
        for st in stmts:
            t = getattr(st, "test", None)
            if isinstance(st, mod.If) and isinstance(t, mod.Call) and \
                    isinstance(t.func, mod.Name) and t.func.id.startswith(FAST_PATH_CHECK):
                out.extend(block(st.orelse))
                continue
            for f in ("body", "orelse", "finalbody"):
                if isinstance(getattr(st, f, None), list):
                    setattr(st, f, block(getattr(st, f)))
            for h in getattr(st, "handlers", None) or []:
                h.body = block(h.body)
            out.append(st)
        return out

    tree.body = block(tree.body)
    plain_tapes(tree, mod)  # per-loop tapes (passes/reverse/loop_tapes.py): one stack


def _find_lambda(fn, module, src, filename, first):
    """Pick the lambda whose parameters and position match ``fn``'s code object."""
    if module is None:
        # The lambda sits inside a larger statement: parse the enclosing lines.
        lines = linecache.getlines(filename)
        text = "".join(lines)
        try:
            module = gast.parse(text)
            first = 1
        except SyntaxError:
            module = None
    if module is None:
        raise SourceUnavailableError(
            "cannot isolate the source of a lambda", filename=filename, lineno=first
        )
    code = fn.__code__
    argnames = list(code.co_varnames[: code.co_argcount + code.co_kwonlyargcount])
    want_line = code.co_firstlineno - first + 1
    cands = []
    for node in gast.walk(module):
        if isinstance(node, gast.Lambda):
            names = [a.id for a in node.args.args] + [a.id for a in node.args.kwonlyargs]
            if names == argnames and node.lineno == want_line:
                cands.append(node)
    if len(cands) > 1:
        cols = _code_columns(code)
        exact = [c for c in cands if c.body.col_offset in cols]
        cands = exact or cands
    if len(cands) != 1:
        raise SourceUnavailableError(
            "cannot isolate the source of this lambda (several lambdas on one line?); "
            "define it with def",
            filename=filename,
            lineno=code.co_firstlineno,
        )
    lam = cands[0]
    ret = gast.Return(value=lam.body)
    gast.copy_location(ret, lam)
    fdef = gast.FunctionDef(
        name="_lambda", args=lam.args, body=[ret], decorator_list=[], returns=None,
        type_comment=None, type_params=[],
    )
    gast.copy_location(fdef, lam)
    return fdef


def _code_columns(code: types.CodeType) -> set:
    try:
        return {p[2] for p in code.co_positions() if p[2] is not None}
    except AttributeError:  # Python 3.10
        return set()
