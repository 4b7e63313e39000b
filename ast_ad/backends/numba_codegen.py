"""The numba backend's code generation: the generated gradient's text rewritten for
``numba.njit`` (typed stacks, helper implementations, explicit reversed ranges, saved
ranges as ints, in-place entry clearing of owned adjoints).  The dry run that types the
variables is numba_dryrun, compilation numba_compile."""

from __future__ import annotations

import ast
import math

from . import numba_analysis as na
from .numba_analysis import _pushed_name, _saved_item, _support  # noqa: F401 (re-exported)
from .numba_analysis import is_call_to as _is_call_to
from .numba_helpers import NumbaBackendError

_IDENTITY = {"shape_token", "as_float_tangent"}


# -- the codegen variant ------------------------------------------------------------------
class _Variant(ast.NodeTransformer):
    """The numba variant of one generated function (see the module docstring)."""

    def __init__(self, support, types_, what, counts=None):
        self.support = support
        self.types = types_  # {name: type description} from the dry run
        self.what = what
        self.counts = counts or {}  # {name: values the dry run popped into it}
        self.stacks = []
        self.pushed_ranges = {}  # a range variable saved on the tape -> its components
        self.shape_only = {}  # an array saved for its shape only -> its shape's ints
        self.flat = {}  # a 1-d array saved whole on a flat stack -> its lengths' stack
        self.int_stacks = {}  # an int stack of those -> the variable it belongs to
        self.inplace = set()  # adjoints whose entries clear_grad zeroes in place
        self.fixed = False  # fixed-size stacks, sized by a _caps argument
        self.caps = []  # their first sizes (what the dry run pushed)
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
        for n in ast.walk(fdef):  # first: a clearer error than the records' types
            if isinstance(n, ast.Call):
                self._check_callee(n)
        self.par = na.parents(fdef)
        self.fixed = na.retry_safe(fdef)
        self.inplace = na.clear_in_place(fdef, self.par)
        for n in ast.walk(fdef):
            if isinstance(n, ast.Assign) and len(n.targets) == 1 and \
                    isinstance(n.targets[0], ast.Name) and _is_call_to(n.value, "range"):
                self.ranges[n.targets[0].id] = n.value
        for n in ast.walk(fdef):
            if isinstance(n, ast.Expr) and _is_call_to(n.value, "_push") and \
                    isinstance(n.value.args[0], ast.Name) and n.value.args[0].id in self.ranges:
                r = n.value.args[0].id
                k = len(self.ranges[r].args)
                self.pushed_ranges[r] = [f"{r}_{j}" for j in range(3 if k == 3 else 2)]
        self.int_stacks = {c: r for r, cs in self.pushed_ranges.items() for c in cs}
        # arrays saved only as shape_token(v): the code needs their shape and dtype, never
        # their entries (the Python code restores a token of zeros): their shape is saved
        whole, token = set(), set()
        for n in ast.walk(fdef):
            if isinstance(n, ast.Expr) and _is_call_to(n.value, "_push"):
                a = n.value.args[0]
                if isinstance(a, ast.Name):
                    whole.add(a.id)
                elif _is_call_to(a, "shape_token") and isinstance(a.args[0], ast.Name):
                    token.add(a.args[0].id)
        # 1-d arrays saved whole: their entries copied onto one flat stack.  A copy equals
        # the Python tape's reference only while no entry of a saved array changes
        if self.fixed:
            for v in whole:
                t = self.types.get(v)
                if t is not None and t[0] == "a" and t[2] == 1 and \
                        na.never_written(fdef, {v}):
                    self.flat[v] = f"{v}__len"
                    self.int_stacks[f"{v}__len"] = v
        for v in token - whole:
            t = self.types.get(v)
            if t is not None and t[0] == "a" and t[2] > 0:
                self.shape_only[v] = [f"{v}__sh{j}" for j in range(t[2])]
                self.int_stacks.update({c: v for c in self.shape_only[v]})
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
        self.root = node
        self.survey(node)
        node.body = self._block(node.body)
        inits = []
        for v in self.stacks:
            dt = self._stack_dtype(v)
            if v in self.flat:
                inits += [ast.parse(t).body[0] for t in na.stack_init(
                    v, f"np.{self.types[v][1]}", f"_caps[{len(self.caps)}]")]
                self.caps.append(max(16, self.counts.get(v + "__flat", 0)))
                continue
            if dt is not None:  # a scalar: a NumPy array and a count
                cap = self.counts.get(self.int_stacks.get(v, v), 0)
                if self.fixed:  # sized by the _caps argument (see stack_push)
                    size = f"_caps[{len(self.caps)}]"
                    self.caps.append(max(16, cap))
                else:
                    size = str(max(16, cap))
                inits += [ast.parse(t).body[0] for t in na.stack_init(v, dt, size)]
                continue
            # a typed list: numba needs the element type; a first push of the
            # placeholder, popped at once, gives it
            inits += [ast.parse(f"_st_{v} = []").body[0],
                      ast.parse(f"_st_{v}.append({self._placeholder(v)})").body[0],
                      ast.parse(f"_st_{v}.pop()").body[0]]
        node.body = inits + node.body
        node.decorator_list = []
        node.args.args += node.args.kwonlyargs  # numba: tangents positional, in order
        node.args.kwonlyargs, node.args.kw_defaults = [], []
        if self.caps:
            node.args.args.append(ast.arg("_caps"))
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
            if t.id in self.pushed_ranges:
                return self._range_assign(t.id, v, node)
            if isinstance(v, ast.Constant) and v.value is None:
                if t.id in self.types:
                    node.value = ast.parse(self._placeholder(t.id), mode="eval").body
                    return node
                return None  # never holds a value (a path the dry run did not take)
            if _is_call_to(v, "_pop"):
                return self._pop_into(t.id, node)
            if isinstance(v, ast.Constant) and v.value == 0.0 and \
                    self._is_array(t.id) and t.id in self.adjoint_primal:
                p = self.adjoint_primal[t.id]
                node.value = ast.parse(f"np.zeros({p}.shape)", mode="eval").body
                return node
            if isinstance(v, ast.Constant) and v.value == 0.0 and \
                    self._is_array(t.id) and na.zero_guarded(self.root, self.par, t.id):
                # a zero only ever tested by is_zero: an empty array of the right type
                node.value = ast.parse(self._placeholder(t.id), mode="eval").body
                return node
            if t.id in self.inplace:
                self.generic_visit(node)
                if _is_call_to(node.value, "clear_grad"):
                    node.value.func.id = "_nb_clear_inplace"
                elif not isinstance(node.value, ast.BinOp):  # a new array already
                    node.value = ast.Call(ast.Name("_nb_own", ast.Load()), [node.value], [])
                return node
            if _is_call_to(v, "range"):
                self.ranges[t.id] = v
        return self.generic_visit(node)

    def visit_Expr(self, node):
        v = node.value
        if _is_call_to(v, "_push"):
            a = v.args[0]
            item = _saved_item(a)
            if item is not None:  # the entry a subscript write overwrites
                self.generic_visit(node)
                return [ast.copy_location(ast.Assign([ast.Name(item, ast.Store())],
                                                     v.args[0]), node)] + \
                    self._push_of(item, node)
            name = _pushed_name(a)
            if name is None:
                self.refuse(f"a saved value that is not a variable: {ast.unparse(v)}", node)
            if name in self.pushed_ranges:
                return [s for c in self.pushed_ranges[name] for s in self._push_of(c, node)]
            if name in self.flat:
                ln = self.flat[name]
                if name not in self.stacks:
                    self.stacks.append(name)
                return na.parse_stmts(f"{ln} = {name}.shape[0]", node) + \
                    self._push_of(ln, node) + na.parse_stmts(na.flat_push(name, ln), node)
            if name in self.shape_only:
                comps = self.shape_only[name]
                return na.parse_stmts("\n".join(f"{c} = {name}.shape[{j}]" for j, c in
                                                 enumerate(comps)), node) + \
                    [s for c in comps for s in self._push_of(c, node)]
            return self._push_of(name, node)
        if _is_call_to(v, "restore_item") and len(v.args) == 3 and \
                _is_call_to(v.args[2], "_pop") and isinstance(v.args[0], ast.Name):
            item = f"_si_{v.args[0].id}"
            v.args[2] = ast.Name(item, ast.Load())
            return self._pop_into(item, node) + [self.generic_visit(node)]
        return self.generic_visit(node)

    def visit_Name(self, node):
        if node.id in self.pushed_ranges and isinstance(node.ctx, ast.Load):
            self.refuse(f"a use of the saved range {node.id} other than a loop", node)
        return node

    # -- the stacks -------------------------------------------------------------------------
    def _stack_dtype(self, name):
        if name in self.int_stacks:
            return "np.int64"
        return na.array_stack(self.types.get(name))

    def _push_of(self, name, node):
        if name not in self.stacks:
            self.stacks.append(name)
        if self._stack_dtype(name) is not None:
            return na.parse_stmts(na.stack_push(name, not self.fixed), node)
        return na.parse_stmts(f"_st_{name}.append({name})", node)

    def _pop_into(self, name, node):
        if name in self.pushed_ranges:
            return [s for c in self.pushed_ranges[name] for s in self._pop_into(c, node)]
        if name in self.flat:  # a view of the flat stack: the entries pushed, no copy
            ln = self.flat[name]
            return self._pop_into(ln, node) + na.parse_stmts(
                f"_n_{name} -= {ln}\n{name} = _st_{name}[_n_{name}:_n_{name} + {ln}]", node)
        if name in self.shape_only:  # the shape back; the array itself only if it differs
            comps = self.shape_only[name]
            shape = f"({', '.join(comps)},)"
            return [s for c in comps for s in self._pop_into(c, node)] + na.parse_stmts(
                f"if {name}.shape != {shape}:\n"
                f"    {name} = np.zeros({shape}, np.{self.types[name][1]})", node)
        if name not in self.stacks:
            self.refuse(f"a value restored into {name} that was never saved", node)
        if self._stack_dtype(name) is not None:
            return na.parse_stmts(na.stack_pop(name), node)
        return na.parse_stmts(f"{name} = _st_{name}.pop()", node)

    def _range_assign(self, r, v, node):
        comps = self.pushed_ranges[r]
        if _is_call_to(v, "_pop"):
            return self._pop_into(r, node)
        if isinstance(v, ast.Constant) and v.value is None:
            vals = ["0"] * len(comps)
        elif _is_call_to(v, "range") and not v.keywords:
            a = [ast.unparse(self.visit(x)) for x in v.args]
            vals = ["0", a[0]] if len(a) == 1 else a[:2] + (a[2:] if len(comps) == 3 else [])
        else:
            self.refuse(f"the saved range {r} = {ast.unparse(v)}", node)
        return na.parse_stmts("\n".join(f"{c} = {x}" for c, x in zip(comps, vals)), node)

    def _range_of(self, r):
        comps = self.pushed_ranges[r]
        return ast.parse(f"range({', '.join(comps)})", mode="eval").body

    def visit_For(self, node):
        it = node.iter
        if isinstance(it, ast.Subscript) and isinstance(it.value, ast.Name) and \
                it.value.id in self.ranges and ast.unparse(it.slice) == "::-1":
            r = it.value.id
            node.iter = self._reversed(self._range_of(r) if r in self.pushed_ranges
                                       else self.ranges[r])
        elif isinstance(it, ast.Name) and it.id in self.pushed_ranges:
            node.iter = self._range_of(it.id)
        elif isinstance(it, ast.Subscript) and ast.unparse(it.slice) == "::-1" and \
                isinstance(it.value, ast.Subscript) and \
                isinstance(it.value.value, ast.Name) and it.value.value.id in self.ranges \
                and isinstance(it.value.slice, ast.Slice) and it.value.slice.lower is None \
                and it.value.slice.step is None and it.value.slice.upper is not None:
            # ``r[:n][::-1]``: the first n steps of a loop left by break, backwards
            r = it.value.value.id
            call = self._range_of(r) if r in self.pushed_ranges else self.ranges[r]
            a = [ast.unparse(x) for x in call.args]
            start, step = (a[0] if len(a) > 1 else "0"), (a[2] if len(a) > 2 else "1")
            n = f"max(0, min({ast.unparse(it.value.slice.upper)}, len({ast.unparse(call)})))"
            node.iter = self._reversed(ast.parse(
                f"range({start}, ({start}) + ({n}) * ({step}), {step})", mode="eval").body)
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
        self._check_callee(node)
        return node

    def _check_callee(self, node):
        f = node.func
        if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) and \
                f.value.id in self.support and not isinstance(
                    self.support[f.value.id], type(math)):
            callee = f.value.id.removesuffix("_vjp")
            self.refuse(f"the call {ast.unparse(node)}: the user function {callee} is "
                        "differentiated as a callee, and callees with their own "
                        "records are not compiled by this backend; write its body "
                        "inline in the loop, or use the Python backend", node)

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
