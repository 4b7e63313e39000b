"""Call classification: what each callee of the function is, decided once, default-deny.

``Resolver.callable(func_node)`` binds a call's function expression to the object it
denotes now (static arguments, lifted nested defs, support objects, then the Env).
``classify(obj, registry, self_fn)`` gives one decision:

- ``RULE``      a registered derivative rule (reverse rules in ``registry.vjp``);
- ``NONDIFF``   declared non-differentiable;
- ``USER``      user code, differentiated recursively (``Decision.fn``);
- ``UNRESOLVED`` nothing known at generation time (refused when a differentiated value
  reaches it);
- ``REFUSED``   known and refused (``Decision.why``).

>>> import numpy as np
>>> from ast_ad.rules.registry import default_registry as reg
>>> classify(np.sin, reg, None).what, classify(np.floor, reg, None).what
('rule', 'nondiff')
>>> def h(x):
...     return x
>>> classify(h, reg, None).what, classify(None, reg, None).what
('user', 'unresolved')
"""

from __future__ import annotations

import math
import types
from dataclasses import dataclass, field
from typing import Any

import gast
import numpy as np

from ...frontend.resolve import LOCAL, MISSING
from ...objects import Bound, GradientObject, Typed
from ...rules.methods import NONDIFF_ATTRS
from .library import _LIBRARY_ROOTS, LIBRARY_PACKAGES, USER_PACKAGES, is_library  # noqa: F401
from .receivers import Receivers, user_class

FULL_REDUCTIONS = {np.sum, np.mean, np.max, np.min, np.prod, np.var, np.std, np.amax, np.amin}
_PURE_NUMPY = {np.dot, np.matmul, np.outer, np.transpose, np.reshape, np.where, np.clip,
               np.tanh, np.exp, np.log, np.sum, np.mean, np.linalg.norm, np.concatenate,
               np.stack, np.squeeze, np.expand_dims, np.ravel, np.trace, np.maximum, np.minimum}


@dataclass(frozen=True)
class Decision:
    what: str  # rule | nondiff | user | unresolved | refused
    fn: Any = None
    why: str = ""


def classify(obj, registry, self_fn) -> Decision:
    """The one decision for a callee ``obj`` (``self_fn``: the function being transformed,
    so that a recursive call through a rebinding ``@grad`` means the function itself)."""
    if obj is None:
        return Decision("unresolved")
    if isinstance(obj, GradientObject):
        if registry.vjp(obj) is not None:
            return Decision("rule", obj)
        if getattr(obj.fn, "__code__", None) is getattr(self_fn, "__code__", False):
            return Decision("user", obj.fn)
        return Decision("refused", obj, why=(
            f"reverse mode through a call of the ast_ad gradient {obj!r} inside a "
            "differentiated function is not supported; use ast_ad.hessian / ast_ad.hvp "
            "(forward over reverse) or grad(grad(f)) for scalar arguments"))
    if registry.vjp(obj) is not None:
        return Decision("rule", obj)
    if getattr(obj, "_ast_ad_api", False):  # ast_ad.jvp, a hessian(f) or derivative(f)...
        name = getattr(obj, "__name__", "this function")
        return Decision("refused", obj, why=getattr(obj, "_ast_ad_why", None) or (
            f"calling `{name}` (ast_ad's jvp, vjp, hessian, jacobian, derivative or a "
            "function they made) inside a differentiated function is not supported; call a "
            "gradient object (ast_ad.grad(f)) there, which forward mode derives, or "
            "differentiate the outer function with ast_ad.hessian / ast_ad.jacobian"))
    if registry.is_nondifferentiable(obj):
        return Decision("nondiff", obj)
    if registry.jvp(obj) is not None and not is_library(obj) and isinstance(
            obj, (types.FunctionType, types.MethodType)):
        name = getattr(obj, "__name__", "this function")
        return Decision("refused", obj, why=getattr(obj, "_ast_ad_why", None) or (
            f"`{name}` has a forward rule (ast_ad.defjvp) but no reverse rule: reverse mode "
            "would differentiate its source, which may disagree with your rule; register "
            f"its reverse rule too (ast_ad.defvjp({name}, ...))"))
    if isinstance(obj, types.FunctionType) or (
            isinstance(obj, types.MethodType) and isinstance(obj.__func__, types.FunctionType)):
        if is_library(obj) and getattr(obj, "__code__", None) is not getattr(
                self_fn, "__code__", False):  # the function handed to grad is always parsed
            return Decision("rule", obj)  # never parsed: its rule, or NoRuleError
        return Decision("user", obj)
    return Decision("rule", obj)  # no rule: the rule stage names it (NoRuleError)




def user_code(opt_in: tuple = (), opt_out: tuple = ()) -> dict:
    """Move top-level packages across the user-code line: ``opt_in`` packages are
    differentiated by parsing their source even when installed in site-packages;
    ``opt_out`` packages are never parsed (their functions need a rule, or run as-is
    when no differentiated value reaches them).  Returns the current sets; cached
    gradients are regenerated.

    >>> import ast_ad
    >>> ast_ad.user_code()  # nothing moved yet
    {'opt_in': set(), 'opt_out': set()}
    """
    for name in opt_in:
        LIBRARY_PACKAGES.discard(name)
        USER_PACKAGES.add(name)
    for name in opt_out:
        USER_PACKAGES.discard(name)
        LIBRARY_PACKAGES.add(name)
    if opt_in or opt_out:
        from ...rules.registry import default_registry
        default_registry._bump()
    return {"opt_in": set(USER_PACKAGES), "opt_out": set(LIBRARY_PACKAGES)}


def see_through(obj):
    """A ``functools.wraps`` wrapper that only passes its arguments on
    (``def wrapper(*args, **kwargs): return fn(*args, **kwargs)``) is the function it
    wraps; any other wrapper is differentiated as the code it is (or refused)."""
    inner = getattr(obj, "__wrapped__", None)
    if not isinstance(obj, types.FunctionType) or not isinstance(inner, types.FunctionType):
        return obj
    code = obj.__code__
    if code.co_argcount or code.co_kwonlyargcount or not code.co_flags & 0x04:
        return obj  # named parameters: the wrapper's own code is differentiated
    try:
        cells = dict(zip(code.co_freevars, (c.cell_contents for c in obj.__closure__ or ())))
    except ValueError:
        return obj
    import inspect

    try:
        tree = gast.parse(inspect.cleandoc("\n" + inspect.getsource(code)))
    except (OSError, TypeError, SyntaxError, IndentationError):
        return obj
    fdef = tree.body[0] if tree.body else None
    if not isinstance(fdef, gast.FunctionDef):
        return obj
    body = [st for st in fdef.body if not (isinstance(st, gast.Expr) and isinstance(
        st.value, gast.Constant) and isinstance(st.value.value, str))]
    a = fdef.args
    if len(body) != 1 or not isinstance(body[0], gast.Return) or a.vararg is None:
        return obj
    call = body[0].value
    star = [gast.Starred(value=gast.Name(id=a.vararg.id, ctx=gast.Load(), annotation=None,
                                         type_comment=None), ctx=gast.Load())]
    if not isinstance(call, gast.Call) or not isinstance(call.func, gast.Name) or \
            cells.get(call.func.id) is not inner or \
            gast.dump(gast.Tuple(elts=call.args, ctx=gast.Load())) != \
            gast.dump(gast.Tuple(elts=star, ctx=gast.Load())):
        return obj
    kws = [(k.arg, getattr(k.value, "id", None)) for k in call.keywords]
    if kws not in ([], [(None, getattr(a.kwarg, "id", None))]) or \
            (a.kwarg is not None and not kws):
        return obj
    return see_through(inner)


@dataclass(frozen=True)
class Resolver:
    env: Any
    support: dict  # the namer's support objects (alias -> object)
    static_args: dict
    nested: dict
    objects: Any = None  # receivers.Receivers: methods of known objects
    # name or `name.attr` -> what callable() found for it (the same every time: what it
    # reads is fixed once the resolver is made, and a support alias is registered before
    # any code reads it)
    _found: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, unit, request):
        static = dict(request.static_args or {})
        objects = None
        if getattr(unit, "tree", None) is not None and hasattr(unit.tree, "args"):
            objects = Receivers.of(unit.tree, unit.env, static, dict(unit.nested),
                                   request.arg_kinds, request.wrt, unit.namer.support,
                                   unit.fn)
        return cls(unit.env, unit.namer.support, static, dict(unit.nested), objects)

    def method_call(self, func):
        """``(function, receiver expression or None, guards)`` when ``func`` is a method of
        an object known now (``self.f``, ``self``, ``NET``, ``layer``, ``super().f``)."""
        if self.objects is None:
            return None
        root = func
        while isinstance(root, gast.Attribute):
            root = root.value
        if isinstance(root, gast.Name):
            name = root.id
            if name in self.support or name in self.nested:
                return None
            if name in self.static_args:
                if not isinstance(self.static_args[name], (Bound, Typed)):
                    return None
            elif not self.env.is_local(name) and name not in self.objects.assigned:
                obj = self.env.lookup_name(name)
                if obj is LOCAL or obj is MISSING or not user_class(type(obj)):
                    return None
        elif not isinstance(root, gast.Call):
            return None
        return self.objects.resolve(func)

    def callable(self, func):
        """The object a call's function expression denotes, or None if unknown now."""
        t = type(func)
        if t is gast.Name:
            key = func.id
        elif t is gast.Attribute and type(func.value) is gast.Name:
            key = (func.value.id, func.attr)
        else:
            return see_through(self._callable(func))
        found = self._found
        if key not in found:
            found[key] = see_through(self._callable(func))
        return found[key]

    def _callable(self, func):
        got = self.method_call(func)
        if got is not None:
            return got[0]
        if isinstance(func, gast.Name) and func.id in self.static_args:
            obj = self.static_args[func.id]
            return None if isinstance(obj, (Bound, Typed)) else obj
        if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) and \
                isinstance(self.static_args.get(func.value.id), (Bound, Typed)):
            return self.static_args[func.value.id].value(func.attr)  # self.w: a constant
        if isinstance(func, gast.Name) and func.id in self.nested:
            return self.nested[func.id]
        if isinstance(func, gast.Name) and func.id in self.support:
            return self.support[func.id]
        obj = self.env.lookup(func)
        return None if obj is LOCAL or obj is MISSING else obj

    def is_elementwise(self, func):
        obj = self.callable(func)
        return isinstance(obj, np.ufunc) and obj.nin <= 2 and obj.nout == 1

    def nondiff_value(self, v, registry):
        """True for right-hand sides that carry no derivative."""
        if isinstance(v, (gast.Compare, gast.Constant)):
            return True
        if isinstance(v, gast.UnaryOp) and isinstance(v.op, gast.Not):
            return True
        if isinstance(v, gast.Attribute) and v.attr in NONDIFF_ATTRS:
            return True
        if isinstance(v, gast.Call):
            obj = self.callable(v.func)
            if obj is not None and registry.is_nondifferentiable(obj):
                return True
        return False

    def scalar_call(self, v):
        """A call whose result is one number: a full reduction, len()."""
        obj = self.callable(v.func)
        if obj is len:
            return True
        return obj in FULL_REDUCTIONS and len(v.args) == 1 and all(
            k.arg == "dtype" for k in v.keywords)

    def pure_value(self, v):
        """True for a right-hand side without side effects (safe to drop if unused)."""
        if isinstance(v, (gast.Name, gast.Constant, gast.BinOp, gast.UnaryOp, gast.Compare)):
            return True
        if isinstance(v, gast.Call):
            if any(k.arg == "out" for k in v.keywords):
                return False
            obj = self.callable(v.func)
            mod = getattr(obj, "__module__", None) or ""
            return isinstance(obj, np.ufunc) or mod == "math" or obj in FULL_REDUCTIONS or \
                obj in _PURE_NUMPY
        return False

    def is_math(self, obj):
        return getattr(obj, "__module__", None) == "math" or (
            callable(obj) and obj in vars(math).values())
