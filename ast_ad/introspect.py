"""What ``ast_ad.source`` adds to the generated text so that it tells the whole truth: a
header naming the specialisation shown when no arguments were given, and the generated
split (fwd/bwd) code of the user functions the gradient calls.

>>> import ast_ad
>>> def f(x):
...     return x * x
>>> print(ast_ad.source(ast_ad.grad(f)).splitlines()[1])
    # specialised for x: float (source(g, *args) shows other kinds)
"""

from __future__ import annotations

import numpy as np

_KIND = {float: "float", int: "int", bool: "bool", np.ndarray: "ndarray",
         np.float64: "np.float64", complex: "complex"}


def kind_name(v) -> str:
    t = type(v)
    if t is np.ndarray:  # (code for arrays without a length-1 dimension says so)
        return f"ndarray[{v.dtype}, no dim of length 1]" if v.ndim and 1 not in v.shape \
            else f"ndarray[{v.dtype}]"
    return _KIND.get(t, t.__name__)


def specialisation(params, full) -> str:
    """``x: float, y: ndarray[float64]`` for the arguments the code was generated for."""
    return ", ".join(f"{p}: {kind_name(v)}" for p, v in zip(params, full))


def with_header(src: str, params, full) -> str:
    """The text with a comment naming the specialisation after its ``def`` line."""
    lines = src.split("\n")
    note = (f"    # specialised for {specialisation(params, full)} "
            f"(source(g, *args) shows other kinds)")
    return "\n".join(lines[:1] + [note] + lines[1:])


def callee_sources(fns) -> list:
    """The generated sources of user callees reachable from compiled functions ``fns``
    (their split or forward form), each once, in the order met."""
    out, seen, todo = [], set(), list(fns)
    while todo:
        f = todo.pop(0)
        for cell in getattr(f, "__closure__", None) or ():
            try:
                o = cell.cell_contents
            except ValueError:
                continue
            src = getattr(o, "source", None)
            if not isinstance(src, str) or id(o) in seen or not hasattr(o, "fwd"):
                continue
            seen.add(id(o))
            out.append(src)
            todo += [getattr(o, "fwd", None), getattr(o, "bwd", None)]
    return out


def with_callees(src: str, fns) -> str:
    extra = callee_sources(fns)
    if not extra:
        return src
    return src + "\n# user functions it calls, as generated (forward and adjoint halves):\n\n" \
        + "\n".join(extra)


def _html_escape(text):
    import html

    return html.escape(text)


def repr_markdown(g) -> str:
    """Markdown for notebooks: a title and the generated source as a Python code block."""
    try:
        src = g.source()
    except Exception as e:  # noqa: BLE001  (a repr never raises)
        return f"**{g!r}** (no source: {type(e).__name__}: {e})"
    return f"**{_html_escape(repr(g))}**\n\n```python\n{src}```\n"


def repr_html(g) -> str:
    """HTML for notebooks: the generated source, highlighted when pygments is installed."""
    try:
        src = g.source()
    except Exception as e:  # noqa: BLE001
        return f"<pre>{_html_escape(repr(g))} (no source: {_html_escape(str(e))})</pre>"
    title = f"<div><b>{_html_escape(repr(g))}</b></div>"
    try:
        from pygments import highlight
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import PythonLexer
    except ImportError:
        return f"{title}<pre>{_html_escape(src)}</pre>"
    return title + highlight(src, PythonLexer(), HtmlFormatter(noclasses=True))


def reduce_gradient(g):
    """``pickle`` support: a gradient of a module-level function (or a module-level
    ``@grad``-decorated function) pickles as its module and qualified name."""
    import importlib
    import pickle

    fn = g.fn
    mod, qual = getattr(fn, "__module__", None), getattr(fn, "__qualname__", "")
    if mod and qual and "<" not in qual and g.registry is _default_registry():
        try:
            obj = importlib.import_module(mod)
            for part in qual.split("."):
                obj = getattr(obj, part)
        except (ImportError, AttributeError):
            obj = None
        if obj is fn or getattr(obj, "fn", None) is fn:
            return _restore, (mod, qual, g.wrt, g.with_value, g.fallback)
    raise pickle.PicklingError(
        f"cannot pickle {g!r}: only gradients of module-level functions (found again by "
        f"module and qualified name) with the default registry can be pickled; "
        f"{fn!r} is not one. Pickle the function's module and name instead.")


def _default_registry():
    from .rules.registry import default_registry

    return default_registry


def _restore(mod, qual, wrt, with_value, fallback):
    import importlib

    import ast_ad

    obj = importlib.import_module(mod)
    for part in qual.split("."):
        obj = getattr(obj, part)
    fn = getattr(obj, "fn", obj) if isinstance(obj, ast_ad.GradientFunction) else obj
    make = ast_ad.value_and_grad if with_value else ast_ad.grad
    return make(fn, wrt=wrt, fallback=fallback)
