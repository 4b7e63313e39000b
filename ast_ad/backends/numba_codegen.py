"""The numba backend's code generation: the generated gradient's text rewritten for
``numba.njit`` (typed stacks, helper implementations, explicit reversed ranges), a dry run
for the stacks' element types, and compilation."""

from __future__ import annotations

import ast
import math

import numpy as np

from .numba_helpers import NumbaBackendError, _impls

_IDENTITY = {"shape_token", "as_float_tangent"}


# -- the codegen variant ------------------------------------------------------------------
def _support(fn):
    """{free variable of the generated function: its object}."""
    return {n: c.cell_contents for n, c in zip(fn.__code__.co_freevars, fn.__closure__ or ())}


def _name_of(obj):
    return getattr(obj, "__qualname__", None) or type(obj).__name__


def _is_call_to(node, name):
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
        node.func.id == name


def _pushed_name(arg):
    """The variable a push saves: ``v`` or ``shape_token(v)``."""
    if isinstance(arg, ast.Name):
        return arg.id
    if _is_call_to(arg, "shape_token") and len(arg.args) == 1 and \
            isinstance(arg.args[0], ast.Name):
        return arg.args[0].id
    return None


class _Variant(ast.NodeTransformer):
    """The numba variant of one generated function (see the module docstring)."""

    def __init__(self, support, types_, what):
        self.support = support
        self.types = types_  # {name: type description} from the dry run
        self.what = what
        self.stacks = []
        self.ranges = {}  # range variable -> its range(...) call
        self.adjoint_primal = {}  # adjoint -> the array it is the adjoint of
        self.assigned = {}  # name -> assignments count
        self.owned = set()

    def refuse(self, construct, node=None):
        line = f" (generated line {node.lineno})" if node is not None and \
            hasattr(node, "lineno") else ""
        raise NumbaBackendError(f"numba backend cannot compile the gradient of {self.what}: "
                                f"{construct}{line}")

    # -- a first look: which adjoints are arrays, and of which primal ------------------
    def survey(self, fdef):
        for n in ast.walk(fdef):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and \
                    n.func.id in ("accum_index", "accum_index_into", "fix_array", "match") \
                    and len(n.args) >= 2 \
                    and isinstance(n.args[0], ast.Name) and isinstance(n.args[1], ast.Name):
                self.adjoint_primal.setdefault(n.args[0].id, n.args[1].id)
            if isinstance(n, ast.Assign):
                for t in n.targets:
                    for m in ast.walk(t):
                        if isinstance(m, ast.Name):
                            self.assigned[m.id] = self.assigned.get(m.id, 0) + 1
            if isinstance(n, ast.For) and isinstance(n.target, ast.Name):
                self.assigned[n.target.id] = self.assigned.get(n.target.id, 0) + 1
        # adjoints that only ever hold the buffer we allocate: accumulated in place
        for b in self.adjoint_primal:
            ok = True
            for n in ast.walk(fdef):
                if isinstance(n, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == b for t in n.targets):
                    v = n.value
                    if not ((isinstance(v, ast.Constant) and v.value == 0.0) or (
                            (_is_call_to(v, "accum_index") or
                             _is_call_to(v, "accum_index_into")) and
                            isinstance(v.args[0], ast.Name)
                            and v.args[0].id == b)):
                        ok = False
                if isinstance(n, ast.AugAssign) and isinstance(n.target, ast.Name) and \
                        n.target.id == b:
                    ok = False
                if isinstance(n, ast.Name) and n.id == b and isinstance(n.ctx, ast.Load):
                    pass
            if ok:
                self.owned.add(b)

    # -- statements -----------------------------------------------------------------------
    def visit_FunctionDef(self, node):
        self.survey(node)
        node.body = self._block(node.body)
        inits = [ast.parse(f"_st_{v} = []").body[0] for v in self.stacks]
        # typed empty lists: numba needs the element type; a first push of the
        # placeholder, popped at once, gives it
        for v in self.stacks:
            inits.append(ast.parse(f"_st_{v}.append({self._placeholder(v)})").body[0])
            inits.append(ast.parse(f"_st_{v}.pop()").body[0])
        node.body = inits + node.body
        node.decorator_list = []
        node.args.args += node.args.kwonlyargs  # numba: tangents positional, in order
        node.args.kwonlyargs, node.args.kw_defaults = [], []
        return node

    def _block(self, stmts):
        out = []
        for s in stmts:
            r = self.visit(s)
            if r is None:
                continue
            out.extend(r if isinstance(r, list) else [r])
        return out

    def generic_visit(self, node):
        for field in ("body", "orelse"):
            if isinstance(getattr(node, field, None), list) and \
                    not isinstance(node, ast.IfExp):
                setattr(node, field, self._block(getattr(node, field)))
        for field, value in ast.iter_fields(node):
            if field in ("body", "orelse") and not isinstance(node, ast.IfExp):
                continue
            if isinstance(value, ast.AST):
                setattr(node, field, self.visit(value))
            elif isinstance(value, list):
                setattr(node, field, [self.visit(v) if isinstance(v, ast.AST) else v
                                      for v in value])
        return node

    def visit_Assign(self, node):
        t = node.targets[0] if len(node.targets) == 1 else None
        v = node.value
        if isinstance(t, ast.Name):
            if t.id in ("_push", "_pop") or (t.id == "_stack" and isinstance(v, ast.List)):
                return None
            if isinstance(v, ast.Constant) and v.value is None:
                if t.id in self.types:
                    node.value = ast.parse(self._placeholder(t.id), mode="eval").body
                    return node
                return None  # never holds a value (a path the dry run did not take)
            if _is_call_to(v, "_pop"):
                return ast.copy_location(
                    ast.parse(f"{t.id} = _st_{t.id}.pop()").body[0], node)
            if isinstance(v, ast.Constant) and v.value == 0.0 and \
                    self._is_array(t.id) and t.id in self.adjoint_primal:
                p = self.adjoint_primal[t.id]
                node.value = ast.parse(f"np.zeros({p}.shape)", mode="eval").body
                return node
            if _is_call_to(v, "range"):
                self.ranges[t.id] = v
        return self.generic_visit(node)

    def visit_Expr(self, node):
        v = node.value
        if _is_call_to(v, "_push"):
            name = _pushed_name(v.args[0])
            if name is None:
                self.refuse(f"a saved value that is not a variable: {ast.unparse(v)}", node)
            if name not in self.stacks:
                self.stacks.append(name)
            return ast.copy_location(ast.parse(f"_st_{name}.append({name})").body[0], node)
        return self.generic_visit(node)

    def visit_For(self, node):
        it = node.iter
        if isinstance(it, ast.Subscript) and isinstance(it.value, ast.Name) and \
                it.value.id in self.ranges and ast.unparse(it.slice) == "::-1":
            node.iter = self._reversed(self.ranges[it.value.id])
        return self.generic_visit(node)

    def _reversed(self, call):
        a = [ast.unparse(x) for x in call.args]
        if len(a) == 1:
            src = f"range(({a[0]}) - 1, -1, -1)"
        else:
            start, stop = a[0], a[1]
            step = a[2] if len(a) > 2 else "1"
            n = f"len(range({start}, {stop}, {step}))"
            src = f"range(({start}) + ({n} - 1) * ({step}), ({start}) - ({step}), -({step}))"
        return ast.parse(src, mode="eval").body

    # -- expressions ------------------------------------------------------------------------
    def visit_IfExp(self, node):
        # ``b if type(b) is float else float(b)``: the float conversion
        t = node.test
        if isinstance(t, ast.Compare) and _is_call_to(t.left, "type"):
            return self.visit(node.orelse)
        return self.generic_visit(node)

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if isinstance(f, ast.Name):
            if f.id in _IDENTITY and len(node.args) == 1:
                return node.args[0]
            if f.id == "accum_index" and isinstance(node.args[0], ast.Name) and \
                    node.args[0].id not in self.owned:
                f.id = "accum_index_copy"
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and \
                f.value.id in self.support and not isinstance(
                    self.support[f.value.id], type(math)):
            self.refuse(f"the call {ast.unparse(node)} (a differentiated callee, "
                        f"{_name_of(self.support[f.value.id])}); compile it separately or "
                        "inline it", node)
        return node

    def visit_List(self, node):
        self.refuse("a list (containers are refused by the numba backend)", node)

    visit_Dict = visit_List

    # -- types --------------------------------------------------------------------------------
    def _is_array(self, name):
        t = self.types.get(name)
        return t is not None and t[0] == "a"

    def _placeholder(self, name):
        t = self.types.get(name)
        if t is None:
            return "0.0"
        if t[0] == "f":
            return "0.0"
        if t[0] == "i":
            return "0"
        if t[0] == "b":
            return "False"
        if t[0] == "a":
            return f"np.zeros({(0,) * t[2]!r}, np.{t[1]})"
        self.refuse(f"the variable {name!r} holds a {t[1]} (containers and objects are "
                    "refused by the numba backend)")


def _describe(v):
    if isinstance(v, (bool, np.bool_)):
        return ("b",)
    if isinstance(v, (int, np.integer)):
        return ("i",)
    if isinstance(v, (float, np.floating)):
        return ("f",)
    if type(v) is np.ndarray:
        return ("a", v.dtype.name, v.ndim)
    if isinstance(v, range):
        return ("r", "range")
    if isinstance(v, tuple) and all(isinstance(e, (int, np.integer)) for e in v):
        return ("t", "tuple")
    return ("o", type(v).__name__)


def _merge(types_, name, d):
    old = types_.get(name)
    if old is None or old == ("f",) and d[0] == "a" or old == ("i",) and d == ("f",):
        types_[name] = d


def _dry_run(fn, source, args):
    """Run the Python gradient, recording the type of every variable; its result too."""
    tree = ast.parse(source)
    fdef = tree.body[0]
    types_ = {}

    class Instrument(ast.NodeTransformer):
        def visit_Assign(self, node):
            self.generic_visit(node)
            t = node.targets[0]
            if len(node.targets) == 1 and isinstance(t, ast.Name) and \
                    _is_call_to(node.value, "_pop"):
                node.value = ast.parse(f"__ad_pop(_pop, {t.id!r}, {t.id})",
                                       mode="eval").body
            return node

        def visit_Return(self, node):
            rec = ast.parse("__ad_rec(locals())").body[0]
            return [ast.copy_location(rec, node), node]

    fdef = Instrument().visit(fdef)
    fdef.args.args += fdef.args.kwonlyargs  # as the variant: tangents positional
    fdef.args.kwonlyargs, fdef.args.kw_defaults = [], []
    ast.fix_missing_locations(tree)

    def pop(p, name, cur):
        if cur is not None:
            _merge(types_, name, _describe(cur))
        return p()

    def rec(loc):
        for k, v in loc.items():
            if v is not None and not k.startswith("__ad") and \
                    k not in ("_stack", "_push", "_pop"):
                _merge(types_, k, _describe(v))

    ns = dict(fn.__globals__)
    ns.update(_support(fn))
    ns["__ad_pop"], ns["__ad_rec"] = pop, rec
    exec(compile(tree, f"<ast_ad numba dry run {fn.__name__}>", "exec"), ns)
    result = ns[fdef.name](*args)
    return result, types_


def _compile_variant(fn, source, args, what, types_=None):
    """The numba-compiled variant of the generated function ``fn`` (text ``source``)."""
    import numba

    support = _support(fn)
    if types_ is None:
        _, types_ = _dry_run(fn, source, args)
    for name, t in types_.items():
        if t[0] == "o":
            raise NumbaBackendError(
                f"numba backend cannot compile the gradient of {what}: the variable "
                f"{name!r} holds a {t[1]} (containers and objects are refused)")
    tree = ast.parse(source)
    variant = _Variant(support, types_, what)
    tree.body[0] = variant.visit(tree.body[0])
    ast.fix_missing_locations(tree)
    text = ast.unparse(tree)
    impls = _impls()
    ns = {"np": np, "math": math}
    for k, v in fn.__globals__.items():
        if not k.startswith("__"):
            ns[k] = v
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    for name, obj in support.items():
        if name not in used:
            continue
        ns[name] = _numba_object(name, obj, impls, what)
    for name in ("accum_index_copy",):
        if name in used:
            ns[name] = impls[name]
    for name in used:
        obj = ns.get(name)
        if callable(obj) and not isinstance(obj, type) and name in fn.__globals__ and \
                not _is_numba_ok(obj):
            ns[name] = _numba_object(name, obj, impls, what)
    exec(compile(text, f"<ast_ad numba {what}>", "exec"), ns)
    py = ns[tree.body[0].name]
    return numba.njit(cache=False)(py), text


def _is_numba_ok(obj):
    mod = getattr(obj, "__module__", "") or ""
    return mod.startswith(("numpy", "math", "numba")) or type(obj).__module__.startswith(
        "numba") or isinstance(obj, np.ufunc) or obj in (range, len, float, int, abs, min,
                                                          max, bool)


def _numba_object(name, obj, impls, what):
    """What the numba variant calls for the support object ``obj``."""
    import numba

    helper = getattr(obj, "__name__", None)
    mod = getattr(obj, "__module__", "") or ""
    if mod.startswith("ast_ad"):
        if helper in impls:
            return impls[helper]
        raise NumbaBackendError(f"numba backend cannot compile the gradient of {what}: the "
                                f"runtime helper {helper} has no numba form")
    if _is_numba_ok(obj) or isinstance(obj, (int, float, complex, bool, np.number)):
        return obj  # numba functions, math/NumPy functions, constants (frozen)
    if callable(obj) and hasattr(obj, "__code__"):
        return numba.njit(obj)  # a plain function called on non-differentiated values
    raise NumbaBackendError(f"numba backend cannot compile the gradient of {what}: "
                            f"{name} is a {type(obj).__name__}")


# -- the gradient object ------------------------------------------------------------------
def _kind_key(v):
    if type(v) is np.ndarray:
        return ("a", v.dtype.str, v.ndim)
    return (type(v),)
