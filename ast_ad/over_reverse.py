"""Reverse over reverse: reverse mode over a gradient ast_ad generated
(``ast_ad.vjp(grad(f), x)``, ``ast_ad.jacobian(grad(f), mode="reverse")``).

``refuse_written_arrays`` refuses it, at the user's line, for a function that writes into
arrays (its gradient saves and restores the entries written: ``save_item`` /
``restore_item``, in its own code or a callee's), whose second derivative in reverse mode
was seen to be wrong on the corpus; ``explain`` adds to any other refusal what to use
instead (forward over reverse: ``hessian``, ``hvp``, ``jacobian(grad(f))``).
"""

from __future__ import annotations

import ast
import inspect
import textwrap
import types

from .errors import AstAdError, UnsupportedConstructError


def _label(f):
    return getattr(f, "__qualname__", None) or getattr(f, "__name__", None) or "f"


def refuse_written_arrays(g, fn):
    """Reverse over reverse of a gradient whose function writes into arrays (``y[i] =
    ...``: the gradient saves and restores the entries written) can be wrong (seen on
    the corpus), so it is refused: forward over reverse handles it."""
    from .runtime import restore_item, save_item

    seen, todo = set(), [fn]
    while todo:
        obj = todo.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if obj is save_item or obj is restore_item:
            user = getattr(g, "fn", None)
            name = _label(user)
            where = _first_write(user)
            raise UnsupportedConstructError(
                f"reverse mode over the gradient of {name} (reverse over reverse): {name} "
                f"writes into an array (`y[i] = ...`), and the second derivative of such "
                f"code is not yet reliable in reverse mode; use forward over reverse: "
                f"ast_ad.hessian({name}), ast_ad.hvp, or ast_ad.jacobian(ast_ad.grad({name}))"
                f" with the default mode='forward'", filename=where[0], lineno=where[1])
        if isinstance(obj, types.FunctionType):
            todo += [c.cell_contents for c in obj.__closure__ or () if _filled(c)]
        for attr in ("fwd", "bwd", "call"):
            sub = getattr(obj, attr, None) if not isinstance(obj, type) else None
            if isinstance(sub, types.FunctionType):
                todo.append(sub)


def _filled(cell):
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


def _first_write(fn):
    """(file, line) of the first subscript write in ``fn``'s source, else of its def."""
    target = getattr(fn, "__func__", fn)
    code = getattr(target, "__code__", None)
    if code is None:
        return None, None
    try:
        lines, first = inspect.getsourcelines(target)
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (OSError, TypeError, SyntaxError):
        return code.co_filename, code.co_firstlineno
    at = [n.lineno for n in ast.walk(tree)
          if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Store)]
    return code.co_filename, (first + min(at) - 1 if at else code.co_firstlineno)


def explain(err, g):
    """``err`` (refusing to differentiate ast_ad's generated gradient ``g`` in reverse
    mode) with what to use instead; the location stays the user's line."""
    name = getattr(getattr(g, "fn", None), "__qualname__", None) or repr(g)
    why = (", whose adjoint code undoes your list appends with pops"
           if "list.pop" in err.bare_message else "")
    hint = (f"; this refusal is in reverse mode over the gradient ast_ad generated for "
            f"{name} (reverse over reverse){why}: differentiate the gradient in forward "
            f"mode instead "
            f"(ast_ad.hessian({name}), ast_ad.hvp, or ast_ad.jacobian(ast_ad.grad({name})) "
            f"with the default mode='forward')")
    out = type(err).__new__(type(err))
    AstAdError.__init__(out, err.bare_message + hint, filename=err.filename,
                        lineno=err.lineno)
    return out
