"""``ast_ad.grad(f, backend="numba")``: the generated gradient compiled with ``numba.njit``.

For loop code over floats, ints and NumPy arrays.  The gradient is first generated as
usual (the Python text ``ast_ad.source`` shows), then a *codegen variant* rewrites that
text for numba, without touching the passes:

- the one tape ``_stack = []; _push = _stack.append; _pop = _stack.pop`` becomes one
  typed stack per saved variable (``_st_s.append(s)`` / ``s = _st_s.pop()``): every
  value pushed from ``v`` is popped back into ``v`` (the generated code's convention,
  checked here), so splitting the one LIFO into one per variable keeps the order;
  ``shape_token(v)`` (a memory saving of the Python code) pushes ``v`` itself;
- variables the Python code starts as ``None`` (filled in the loop) and adjoints it
  starts as the ``0.0`` filler but that become arrays get typed initial values: the
  types come from one *dry run* of the Python gradient on the first arguments (also
  the reference result), so numba sees one type per variable;
- the runtime helpers (``seed``, ``unbroadcast``, ``accum_index``, ``fix_array`` ...)
  are replaced by numba implementations (``accum_index`` updates, in place, an adjoint
  buffer this code allocated itself); ``range(...)[::-1]`` by an explicit reversed range;
- plain Python functions the code calls (not differentiated) are compiled with
  ``numba.njit`` too; functions decorated with ``@numba.njit`` are differentiated
  through their ``.py_func``.

Refused, with an error naming the construct (or, with ``fallback="python"``, run as the
Python gradient with a warning): containers (list/tuple/dict arguments or values),
helpers without a numba form, differentiated user callees (``f_vjp.fwd``), anything
numba itself cannot type.  The compiled gradient keeps its stacks local: it can be
called again and again (the backward pass is re-runnable).

``jvp(f, primals, tangents, backend="numba")`` compiles the forward-mode code the same
way (no stacks there).
"""

from __future__ import annotations

import ast
import math
import warnings

import numpy as np

from ..errors import AstAdError, UnsupportedConstructError

__all__ = ["NumbaGradient", "available", "jvp", "unwrap_njit"]


def available() -> bool:
    try:
        import numba  # noqa: F401
    except ImportError:
        return False
    return True


def unwrap_njit(fn):
    """The Python function of a ``@numba.njit`` dispatcher (``fn`` itself otherwise)."""
    py = getattr(fn, "py_func", None)
    if py is not None and type(fn).__module__.startswith("numba"):
        return py
    return fn


class NumbaBackendError(UnsupportedConstructError):
    """The generated gradient cannot be compiled by numba (the message names why)."""


# -- the numba forms of the runtime helpers ----------------------------------------------
_IMPLS = None


def _impls():
    """{helper name: numba implementation}, built once (numba imported lazily)."""
    global _IMPLS
    if _IMPLS is not None:
        return _IMPLS
    import numba
    from numba import types
    from numba.extending import overload

    def nb_seed(y):
        pass

    @overload(nb_seed)
    def _seed(y):
        if isinstance(y, types.Number):
            return lambda y: 1.0
        if isinstance(y, types.Array) and y.ndim == 0:
            return lambda y: 1.0
        raise numba.errors.TypingError("grad needs a scalar output")

    def nb_unbroadcast(g, x):
        pass

    @overload(nb_unbroadcast)
    def _unbroadcast(g, x):
        if isinstance(x, (types.Number, types.Boolean)):
            if isinstance(g, types.Array):
                return lambda g, x: np.sum(g)
            return lambda g, x: g
        if isinstance(x, types.Array):
            if isinstance(g, types.Array):
                if g.ndim != x.ndim:
                    raise numba.errors.TypingError(
                        "unbroadcast over a broadcast dimension (numba backend)")

                def same(g, x):
                    if g.shape != x.shape:
                        raise ValueError("numba backend: an adjoint broadcast over a "
                                         "dimension of size 1 is not supported")
                    return g
                return same
            return lambda g, x: np.full(x.shape, g)

    def nb_accum_index(b, x, idx, g):
        pass

    @overload(nb_accum_index)
    def _accum(b, x, idx, g):
        if not isinstance(x, types.Array):
            raise numba.errors.TypingError("accum_index into a non-array (containers are "
                                           "refused by the numba backend)")
        if isinstance(b, types.Array):
            def inplace(b, x, idx, g):
                b[idx] += g
                return b
            return inplace

        def fresh(b, x, idx, g):
            out = np.zeros(x.shape) + b
            out[idx] += g
            return out
        return fresh

    def nb_accum_index_copy(b, x, idx, g):
        pass

    @overload(nb_accum_index_copy)
    def _accum_copy(b, x, idx, g):
        def copying(b, x, idx, g):
            out = np.zeros(x.shape) + b
            out[idx] += g
            return out
        return copying

    def nb_fix_array(g, x):
        pass

    @overload(nb_fix_array)
    def _fix(g, x):
        if isinstance(x, types.Array):
            dt = x.dtype if isinstance(x.dtype, types.Float) else types.float64
            if isinstance(g, types.Array):
                return lambda g, x: np.reshape(g, x.shape).astype(dt)
            return lambda g, x: np.full(x.shape, g, dt)
        if isinstance(x, (types.Number, types.Boolean)):
            if isinstance(g, types.Array):
                return lambda g, x: float(np.sum(g))
            return lambda g, x: float(g)

    def nb_count_reduced(a, axis):
        pass

    @overload(nb_count_reduced)
    def _count(a, axis):
        if isinstance(axis, (types.NoneType, types.Omitted)):
            if isinstance(a, types.Array):
                return lambda a, axis: a.size
            return lambda a, axis: 1
        return lambda a, axis: a.shape[axis]

    def nb_unreduce(g, like, axis, keepdims):
        pass

    @overload(nb_unreduce)
    def _unreduce(g, like, axis, keepdims):
        if isinstance(axis, (types.NoneType, types.Omitted)) and \
                isinstance(g, (types.Number, types.Boolean)):
            if isinstance(like, types.Array):
                return lambda g, like, axis, keepdims: np.full(like.shape, g)
            return lambda g, like, axis, keepdims: g
        raise numba.errors.TypingError("unreduce over an axis (numba backend)")

    def nb_zeros_grad(x):
        pass

    @overload(nb_zeros_grad)
    def _zeros(x):
        if isinstance(x, types.Array):
            return lambda x: np.zeros(x.shape)
        if isinstance(x, (types.Number, types.Boolean)):
            return lambda x: 0.0

    def nb_take_grad(b, idx):
        pass

    @overload(nb_take_grad)
    def _take(b, idx):
        if isinstance(b, types.Array):
            return lambda b, idx: b[idx]
        if isinstance(b, types.Number):
            return lambda b, idx: 0.0

    def nb_broadcast_like(g, like):
        pass

    @overload(nb_broadcast_like)
    def _bl(g, like):
        if isinstance(like, types.Array):
            if isinstance(g, types.Array):
                return lambda g, like: g
            return lambda g, like: np.full(like.shape, g)
        return lambda g, like: g

    def nb_float_sign(x):
        if x > 0:
            return 1.0
        if x < 0:
            return -1.0
        return 0.0 if x == 0 else x

    def nb_stop_gradient(x):
        return x

    _IMPLS = {
        "seed": nb_seed, "check_output": nb_seed, "unbroadcast": nb_unbroadcast,
        "accum_index": nb_accum_index, "accum_index_copy": nb_accum_index_copy,
        "accum_index_into": nb_accum_index,  # in place: the numba form's own behaviour
        "fix_array": nb_fix_array, "match": nb_fix_array, "count_reduced": nb_count_reduced,
        "unreduce": nb_unreduce, "zeros_grad": nb_zeros_grad, "take_grad": nb_take_grad,
        "broadcast_like": nb_broadcast_like, "float_sign": numba.njit(nb_float_sign),
        "stop_gradient": numba.njit(nb_stop_gradient),
    }
    return _IMPLS


#: helpers whose numba form is the identity, removed from the text
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


class NumbaGradient:
    """``grad``/``value_and_grad`` of ``fn`` compiled with numba (see module docstring)."""

    def __init__(self, fn, wrt=0, with_value=False, fallback=None, registry=None,
                 python_gradient=None):
        """``python_gradient``: the API's gradient class (handed in: no import of it)."""
        if fallback not in (None, "python"):
            raise AstAdError(f"backend='numba' takes fallback=None or 'python', "
                             f"not {fallback!r}")
        if not available():
            raise AstAdError("backend='numba' needs numba (pip install 'ast_ad[numba]')")
        self.fn = unwrap_njit(fn)
        self.wrt, self.with_value, self.fallback = wrt, with_value, fallback
        self.python = python_gradient(self.fn, wrt, with_value, registry)
        self._compiled = {}
        self._sources = {}
        self.__name__ = getattr(self.fn, "__name__", "grad")
        self.__qualname__ = getattr(self.fn, "__qualname__", self.__name__)
        self.__doc__ = getattr(self.fn, "__doc__", None)

    def __repr__(self):
        kind = "value_and_grad" if self.with_value else "grad"
        return f"<ast_ad {kind} of {self.__qualname__} wrt={self.wrt!r}, backend='numba'>"

    def _full(self, args, kwargs):
        from ..signature import bind

        b = bind(self.fn, args, kwargs)
        return tuple(b.arguments[p] for p in b.signature.parameters)

    def __call__(self, *args, **kwargs):
        full = self._full(args, kwargs)
        key = tuple(_kind_key(v) for v in full)
        c = self._compiled.get(key)
        if c is None:
            c = self._compiled[key] = self._make(full)
        return c(*full)

    def _make(self, full):
        for v in full:
            if isinstance(v, (list, tuple, dict, set)):
                return self._refused(NumbaBackendError(
                    f"numba backend cannot compile the gradient of {self.__qualname__}: a "
                    f"{type(v).__name__} argument (containers are refused in this backend)"))
        gen = self.python.generated(full)
        fn, source = gen.compiled[0], gen.source
        if source.count("\ndef ") > 0:
            return self._refused(NumbaBackendError(
                f"numba backend cannot compile the gradient of {self.__qualname__}: the "
                "generated code has several functions"))
        try:
            jitted, text = _compile_variant(fn, source, full, self.__qualname__)
            self._sources[tuple(_kind_key(v) for v in full)] = text
            jitted(*full)  # compile now: numba's typing errors are raised here
        except NumbaBackendError as e:
            return self._refused(e)
        except Exception as e:  # numba's TypingError and friends
            msg = str(e).strip().splitlines()
            first = next((ln for ln in msg if ln.strip()), type(e).__name__)
            construct = _construct_of(msg)
            return self._refused(NumbaBackendError(
                f"numba cannot compile the gradient of {self.__qualname__}: {first.strip()}"
                + (f" (at: {construct})" if construct else "")))
        return jitted

    def _refused(self, err):
        if self.fallback != "python":
            raise err
        warnings.warn(f"ast_ad: running the Python gradient of {self.__qualname__}: {err}",
                      stacklevel=4)
        return self.python

    def source(self, *args, **kwargs):
        """The text numba compiles for arguments like ``args`` (compiling if needed)."""
        full = self._full(args, kwargs)
        self(*full)
        return self._sources.get(tuple(_kind_key(v) for v in full), "")


def _construct_of(lines):
    """The generated line numba points at in a typing error, if any."""
    for k, ln in enumerate(lines):
        if ln.strip().startswith(">") or ln.lstrip().startswith("^"):
            return lines[k - 1].strip() if ln.lstrip().startswith("^") else ln.strip("> ")
    return None


def jvp(f, primals, tangents, fallback=None, python_jvp=None):
    """``(f(*primals), J·tangents)`` with the forward-mode code compiled by numba
    (``python_jvp``: the API's own jvp, handed in for the fallback)."""
    from ..pipeline import CALLEES
    from ..rules.registry import default_registry
    from ..signature import param_names

    if not available():
        raise AstAdError("backend='numba' needs numba (pip install 'ast_ad[numba]')")
    fn = unwrap_njit(f)
    primals, tangents = tuple(primals), tuple(tangents)
    params = param_names(fn)
    wrt = [params[k] for k, t in enumerate(tangents) if t is not None and k < len(params)]
    if not wrt:
        return fn(*primals), 0.0
    kinds = {params[k]: type(primals[k]) for k in range(len(primals)) if k < len(params)}
    j = CALLEES.jvp_for(fn, wrt, kinds, default_registry, {})
    kw = {j.tangent_names[p]: tangents[params.index(p)] for p in j.wrt}
    key = (id(fn), tuple(wrt), tuple(_kind_key(v) for v in primals),
           tuple(_kind_key(t) for t in kw.values()))
    c = _JVP.get(key)
    if c is None:
        gfn = _jvp_function(j)
        args = primals + tuple(kw.values())
        try:
            if gfn is None:
                raise NumbaBackendError(f"numba backend: no forward-mode function for {fn}")
            src = getattr(j, "source", None) or _function_source(gfn)
            jitted, _ = _compile_variant(gfn, src, args, getattr(fn, "__qualname__", "f"))
            jitted(*args)
            c = _JVP[key] = (jitted, len(primals))
        except Exception as e:
            if fallback != "python":
                raise e if isinstance(e, NumbaBackendError) else NumbaBackendError(
                    f"numba cannot compile the jvp of {fn.__qualname__}: "
                    f"{str(e).strip().splitlines()[0]}") from e
            warnings.warn(f"ast_ad: running the Python jvp of {fn.__qualname__}: {e}",
                          stacklevel=2)
            return python_jvp(f, primals, tangents)
    jitted, _ = c
    return jitted(*primals, *kw.values())


_JVP: dict = {}


def _jvp_function(j):
    call = getattr(j, "call", None)
    return call if hasattr(call, "__code__") and call.__code__.co_filename.startswith(
        "<ast_ad-") else None


def _function_source(fn):
    import linecache

    lines = linecache.getlines(fn.__code__.co_filename)
    text = "".join(lines)
    tree = ast.parse(text)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == fn.__name__:
            return ast.get_source_segment(text, node)
    raise NumbaBackendError(f"numba backend: the text of {fn.__name__} is not available")
