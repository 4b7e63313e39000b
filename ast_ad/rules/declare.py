"""Rules declared once: the reverse and forward rules of a function made from one declaration.

* ``elementwise(fns, *derivatives)``: an elementwise function from its partial derivatives,
  one expression per positional argument (``None``: no derivative).  The reverse rule is
  ``g * d`` (``unbroadcast`` to the argument for a NumPy function of several arguments), the
  forward rule ``t * d`` (``broadcast_like(..., ans)`` where it could be smaller than the
  result).  A derivative that mentions ``g`` is the whole product already (the tie-splitting
  of ``np.maximum``); its forward rule reads ``t`` for ``g``.  Bare function names are spelled
  per function: ``cos(x)`` is ``np.cos(x)`` in the rule of ``np.sin`` and ``math.cos(x)`` in
  the rule of ``math.sin`` (a float stays a float; ``sign`` is ``float_sign`` there), and
  ``np.<name>`` where ``math`` lacks it.
* ``linear(fns, params, *transposes)``: a function linear in some arguments.  Its forward
  rule is the function itself with the tangent in place of that argument; its reverse rule
  is the transpose given (``None``: not a linear argument).
* ``reduction(fns, params, weights)``: a reduction over ``axis`` from its derivative (an
  array like the input): the reverse rule broadcasts ``g`` back and multiplies, the forward
  rule multiplies and sums.
* ``symmetric(fn, params, expr)``: a function whose Jacobian is symmetric: ``expr`` (in
  ``g``) is the reverse rule, and with ``t`` for ``g`` the forward rule.

Rules made here are ordinary functions of the declaring module with one ``return``: their
text is registered in ``linecache`` under ``<ast_ad-rules MODULE>`` (see :func:`source`), so the
transformer inlines them like hand-written rules and higher-order derivatives work as long as
every function an expression calls has rules.  Hand-written ``defvjp``/``defjvp`` pairs
remain for functions whose two modes really differ.
"""

from __future__ import annotations

import ast
import builtins
import functools
import inspect
import linecache
import math
import operator
import re
import sys

import numpy as np

from . import helpers
from ._ieee import Ieee, spelling_kind
from .registry import default_registry

#: names a declared expression may use besides its parameters, ``np``, ``math`` and NumPy's
#: functions: the helpers and a few constants
ENV = {name: obj for name, obj in vars(helpers).items()
       if inspect.isfunction(obj) and not name.startswith("_")}
ENV.update(LN2=0.6931471805599453, LN10=2.302585092994046, DEG=0.017453292519943295,
           TWO_OVER_SQRT_PI=1.1283791670955126)

_BASE = {"np": np, "math": math, **ENV}

#: the builtins whose rules are written for Python scalars (no unbroadcast), like math's
_SCALAR = {builtins.max, builtins.min}
#: bare names spelled otherwise for Python scalars than ``math.<name>``
_SCALAR_NAMES = {"sign": "float_sign"}
#: parameters a forward rule never passes on (the tangent gets its own array; a reduction's
#: ``initial`` is a constant entry, which has no tangent)
_NOT_PASSED = {"out", "copy", "initial"}

_lines: dict = {}    # fake filename -> source lines
_made: dict = {}     # (filename, text after the name) -> function
_globals: dict = {}  # module not in sys.modules -> the globals of its generated rules


def source(module: str) -> str:
    """The generated source of the rules declared in ``module`` (e.g. ``"elementwise"``)."""
    return "".join(_lines.get(_filename(module), []))


def _filename(module):
    return f"<ast_ad-rules {module.rsplit('.', 1)[-1]}>"


def _caller_module():
    return sys._getframe(2).f_globals["__name__"]


# -- making functions from text ----------------------------------------------------------------
def _define(module, name, params, expr):
    """A module-level function ``def name(params): return expr`` with its text in linecache
    (one function per distinct text: spellings with the same rule share it)."""
    filename = _filename(module)
    body = f"({params}):\n    return {ast.unparse(expr)}\n"
    if (filename, body) in _made:
        return _made[(filename, body)]
    base, k = name, 1
    glb = _module_globals(module)
    while name in glb:  # a name of the module already (a hand-written rule, another text)
        k += 1
        name = f"{base}_{k}"
    text = f"def {name}{body}"
    lines = _lines.setdefault(filename, [])
    if lines:
        lines += ["\n", "\n"]
    start = len(lines)
    lines += text.splitlines(keepends=True)
    linecache.cache[filename] = (sum(map(len, lines)), None, lines, filename)
    for n in _names_in(expr) & _BASE.keys():  # what the rule reads, into the module
        if glb.setdefault(n, _BASE[n]) is not _BASE[n]:
            raise ValueError(f"declare: {module}.{n} is not the {n!r} a rule reads")
    exec(compile(text, filename, "exec"), glb)
    fn = glb[name]
    fn.__code__ = fn.__code__.replace(co_firstlineno=start + 1)  # the def at its line
    _made[(filename, body)] = fn
    return fn


@functools.lru_cache(maxsize=None)
def _params(text):
    """(positional names, names with defaults, vararg) of a parameter list's text."""
    a = ast.parse(f"def f({text}): pass").body[0].args
    names = [p.arg for p in a.args]
    return names, set(names[len(names) - len(a.defaults):]), a.vararg and a.vararg.arg


def _expr(text):
    return ast.parse(text, mode="eval").body


class _Spell(ast.NodeTransformer):
    """Renames parameters and spells bare NumPy names as ``np.f`` or ``math.f``."""

    def __init__(self, rename, scalar=False, known=()):
        self.rename, self.scalar, self.known = rename, scalar, known

    def visit_Name(self, node):
        n = node.id
        if n in self.rename:
            return ast.Name(self.rename[n], ast.Load())
        if n in ("g", "ans", "np", "math") or (
                n in ENV and not (self.scalar and n in _SCALAR_NAMES)) or n in self.known:
            return node
        if self.scalar and n in _SCALAR_NAMES:
            return ast.Name(_SCALAR_NAMES[n], ast.Load())
        if not hasattr(np, n):
            raise NameError(f"{n!r} in a declared rule is neither a parameter nor known")
        mod = "math" if self.scalar and hasattr(math, n) else "np"
        return ast.Attribute(ast.Name(mod, ast.Load()), n, ast.Load())

    def visit_Attribute(self, node):
        return node  # np.f and math.f stay as written

    def visit_Constant(self, node):
        if self.scalar and type(node.value) is int:  # Python float arithmetic: 1.0 - x * x
            return ast.Constant(float(node.value))
        return node


def _times(s, d):
    """``s * d`` with ``s`` folded into the leading factor: ``g / x`` for d = ``1 / x``."""
    if isinstance(d, ast.Constant) and d.value == 1:
        return ast.Name(s, ast.Load())
    if isinstance(d, ast.UnaryOp) and isinstance(d.op, ast.USub):
        return ast.UnaryOp(ast.USub(), _times(s, d.operand))
    if isinstance(d, ast.BinOp) and isinstance(d.op, (ast.Mult, ast.Div)) and not (
            isinstance(d.op, ast.Mult) and isinstance(d.left, ast.Constant)):
        return ast.BinOp(_times(s, d.left), d.op, d.right)  # not g * 2 * x: g * (2 * x)
    return ast.BinOp(ast.Name(s, ast.Load()), ast.Mult(), d)


def _same(params):
    """The identity renaming of a parameter list's names."""
    names, _, vararg = _params(params)
    return {p: p for p in names + ([vararg] if vararg else [])}


def _ident(fn):
    """``fn``'s name as a Python identifier (for the names of its rules)."""
    return re.sub(r"\W", "_", getattr(fn, "__name__", "f"))


def _names_in(e):
    return {n.id for n in ast.walk(e) if isinstance(n, ast.Name)}


def _call(fn, *args):
    return ast.Call(ast.Name(fn, ast.Load()), list(args), [])


def _product(s, derivative, rename, scalar, known=(), kind="np", own=()):
    """The seed ``s`` (``g`` or ``t``) times the derivative's text, spelled for one function;
    a derivative that mentions ``g`` is the whole product already."""
    d = _Spell({**rename, "g": s}, scalar, known).visit(_expr(derivative))
    d = d if s in _names_in(d) else _times(s, d)
    return Ieee(kind, own, ENV).visit(d)


def _register(fns, vjps, jvps, registry):
    for fn in fns:
        (registry or default_registry).defvjp(fn, *vjps)
        (registry or default_registry).defjvp(fn, *jvps)


def _spellings(fns):
    """(fn, parameter text or None) for each entry of ``fns``."""
    if not isinstance(fns, list):
        fns = [fns]
    return [f if isinstance(f, tuple) else (f, None) for f in fns]


# -- the declarations --------------------------------------------------------------------------
def elementwise(fns, *derivatives, params=None, registry=None, names=False):
    """Register the rules of the elementwise function(s) ``fns`` from their derivatives.

    ``fns``: a function or a list of spellings of it; an entry ``(fn, "base, exp")`` renames
    the parameters (positionally) for that spelling.  ``derivatives``: one expression text
    per positional argument, in the parameter names of ``params`` (default ``x`` or ``x, y``).
    ``registry``: where to register (default: ``default_registry``).  ``names``: the
    derivatives may also use the declaring module's names bare (``digamma(x)`` in
    :mod:`ast_ad.rules.scipy.special`).
    """
    module = _caller_module()
    known = _module_globals(module) if names else ()
    params = params or ("x" if len(derivatives) == 1 else "x, y")
    names, _, _ = _params(params)
    decl = [_expr(d) if d is not None else None for d in derivatives]
    for fn, own in _spellings(fns):
        text = own or params
        own_names, defaulted, _ = _params(text)
        scalar = getattr(fn, "__module__", None) == "math" or fn in _SCALAR
        rename = {**_same(text), **dict(zip(names, own_names))}
        # the arguments the result broadcasts over (a forward rule mentioning all of them,
        # or ans, has the result's shape)
        broadcast = {p for k, p in enumerate(own_names)
                     if p not in defaulted or (k < len(decl) and decl[k] is not None)}
        prefix = {"math": "math_", "builtins": "py_"}.get(getattr(fn, "__module__", None), "")
        vjps, jvps = [], []
        for k, d in enumerate(decl[:len(own_names)]):
            if d is None:
                vjps.append(None)
                jvps.append(None)
                continue
            kind = spelling_kind(fn, scalar)
            vjp, jvp = (_product(s, derivatives[k], rename, scalar, known, kind, own_names)
                        for s in "gt")
            p = own_names[k]
            suffix = "" if len(decl) == 1 else "_" + p
            name = f"{prefix}{_ident(fn)}_{{}}{suffix}"
            if len(decl) > 1 and not scalar:
                vjp = _call("unbroadcast", vjp, ast.Name(p, ast.Load()))
                used = _names_in(jvp)
                if "ans" not in used and not broadcast - {p} <= used:
                    jvp = _call("broadcast_like", jvp, ast.Name("ans", ast.Load()))
            vjps.append(_define(module, name.format("vjp"), "g, ans, " + text, vjp))
            jvps.append(_define(module, name.format("jvp"), "t, ans, " + text, jvp))
        _register([fn], vjps, jvps, registry)


def symmetric(fn, params, expr, registry=None):
    """Register the rules of a one-argument function with a symmetric Jacobian: ``expr`` (in
    ``g``) is its reverse rule, and with ``t`` for ``g`` its forward rule."""
    module = _caller_module()
    vjp, jvp = (_define(module, f"{_ident(fn)}_{mode}", f"{s}, ans, {params}",
                        _Spell({**_same(params), "g": s}).visit(_expr(expr)))
                for s, mode in (("g", "vjp"), ("t", "jvp")))
    _register([fn], [vjp], [jvp], registry)


def reduction(fns, params, weights, registry=None):
    """Register the rules of a reduction over ``axis`` (with ``keepdims``) of its first
    parameter ``a`` from its derivative ``weights`` (an array shaped like ``a``): the reverse
    rule is ``unreduce(g, a, axis, keepdims) * weights``, the forward rule
    ``np.sum(t * weights, axis=axis, keepdims=keepdims)``."""
    module = _caller_module()
    fns = fns if isinstance(fns, list) else [fns]
    a = _params(params)[0][0]
    w = ast.unparse(_Spell(_same(params), known=_module_globals(module)).visit(
        _expr(weights)))
    vjp = _expr(f"unreduce(g, {a}, axis, keepdims) * ({w})")
    jvp = _expr(f"np.sum(t * ({w}), axis=axis, keepdims=keepdims)")
    name = _ident(fns[0])
    _register(fns, [_define(module, f"{name}_vjp", "g, ans, " + params, vjp)],
              [_define(module, f"{name}_jvp", "t, ans, " + params, jvp)], registry)


def linear(fns, params, *transposes, registry=None, masks=None):
    """Register the rules of a function linear in the arguments that have a transpose.

    The forward rule of argument ``k`` calls ``fns[0]`` with the tangent ``t`` as argument
    ``k`` (the other arguments as given, ``out=``/``copy=``/``initial=`` left out); its
    reverse rule is ``transposes[k]``, an expression in ``g`` and the parameters.
    ``masks``: the name of a parameter that leaves entries out (a reduction's ``where``):
    the forward rule passes ``masked(t, where)`` instead of it (folded away by the inliner
    where it has its default).
    """
    module = _caller_module()
    fns = fns if isinstance(fns, list) else [fns]
    names, defaulted, vararg = _params(params)
    spelled = None if fns[0] is operator.getitem else _spelled(fns[0], module)
    vjps, jvps = [], []
    for k, tr in enumerate(transposes):
        if tr is None:
            vjps.append(None)
            jvps.append(None)
            continue
        suffix = "" if sum(x is not None for x in transposes) == 1 else "_" + names[k]
        name = f"{_ident(fns[0])}_{{}}{suffix}"
        args = [ast.Name("t" if i == k else p, ast.Load()) for i, p in enumerate(names)
                if p not in defaulted]
        if masks is not None:
            args[k] = _expr(f"masked(t, {masks})")
        if vararg:
            args.append(ast.Starred(ast.Name(vararg, ast.Load()), ast.Load()))
        kw = [ast.keyword(p, ast.Name(p, ast.Load())) for p in names
              if p in defaulted and p not in _NOT_PASSED and p != masks]
        if spelled is None:  # operator.getitem: t[b]
            fwd = ast.Subscript(args[0], args[1], ast.Load())
        else:
            fwd = ast.Call(spelled, args, kw)
        vjps.append(_define(module, name.format("vjp"), "g, ans, " + params,
                            _Spell(_same(params), known=_module_globals(module)).visit(
                                _expr(tr))))
        jvps.append(_define(module, name.format("jvp"), "t, ans, " + params, fwd))
    _register(fns, vjps, jvps, registry)


def _spelled(fn, module):
    """The expression that names ``fn`` in generated code (``np.sum``, ``unreduce``...); any
    other function becomes a name of the module's generated rules."""
    name = fn.__name__
    if ENV.get(name) is fn:
        return ast.Name(name, ast.Load())
    if getattr(np, name, None) is fn:
        return _expr(f"np.{name}")
    glb = _module_globals(module)
    base, k = _ident(fn), 1
    name = base
    while glb.setdefault(name, fn) is not fn:  # the module's name for fn, or a free one
        k += 1
        name = f"{base}_{k}"
    return ast.Name(name, ast.Load())


def _module_globals(module):
    """The declaring module's namespace: generated rules are its functions (``sin_vjp`` is
    ``ast_ad.rules.elementwise.sin_vjp``, pickled by reference like a hand-written one)."""
    mod = sys.modules.get(module)
    if mod is not None:
        return vars(mod)
    return _globals.setdefault(module, {"__name__": module, "__builtins__": builtins})
