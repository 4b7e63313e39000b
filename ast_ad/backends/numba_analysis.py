"""What the numba variant needs to know about a generated function before rewriting it:
which saved variables get typed array stacks, which adjoints may be cleared in place,
which array adjoints may take an empty placeholder for the Python code's ``0.0``; and
the text of the typed stacks."""

from __future__ import annotations

import ast

_SCALAR_DTYPES = {"f": "np.float64", "i": "np.int64", "b": "np.bool_"}


def is_call_to(node, name):
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
        node.func.id == name


def _support(fn):
    """{free variable of the generated function: its object}."""
    return {n: c.cell_contents for n, c in zip(fn.__code__.co_freevars, fn.__closure__ or ())}


def _saved_item(arg):
    """``_si_x`` when ``arg`` is ``save_item(x, idx)``: a stack per written array."""
    if is_call_to(arg, "save_item") and len(arg.args) == 2 and \
            isinstance(arg.args[0], ast.Name):
        return f"_si_{arg.args[0].id}"
    return None


def _pushed_name(arg):
    """The variable a push saves: ``v`` or ``shape_token(v)``."""
    if isinstance(arg, ast.Name):
        return arg.id
    if is_call_to(arg, "shape_token") and len(arg.args) == 1 and \
            isinstance(arg.args[0], ast.Name):
        return arg.args[0].id
    return None


def parents(tree):
    """{id(node): its parent} over ``tree``."""
    out = {}
    for p in ast.walk(tree):
        for c in ast.iter_child_nodes(p):
            out[id(c)] = p
    return out


def _loads(tree, name):
    return [n for n in ast.walk(tree)
            if isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Load)]


def clear_in_place(tree, par):
    """Adjoints ``b`` with ``b = clear_grad(b, x, i)`` that no other name can alias: every
    read of ``b`` is the first argument of take_grad/clear_grad/is_zero or an operand of
    arithmetic (whose result is new), so zeroing an entry in place is safe once every
    other assignment to ``b`` copies its value (the variant wraps those in ``_nb_own``)."""
    names = {n.targets[0].id for n in ast.walk(tree)
             if isinstance(n, ast.Assign) and len(n.targets) == 1 and
             isinstance(n.targets[0], ast.Name) and is_call_to(n.value, "clear_grad") and
             isinstance(n.value.args[0], ast.Name) and n.value.args[0].id == n.targets[0].id}
    ok = set()
    for b in names:
        good = True
        for ld in _loads(tree, b):
            p = par.get(id(ld))
            if isinstance(p, ast.Call) and isinstance(p.func, ast.Name) and \
                    p.func.id in ("take_grad", "clear_grad", "is_zero") and p.args and \
                    p.args[0] is ld:
                continue
            if isinstance(p, (ast.BinOp, ast.UnaryOp, ast.Compare)):
                continue
            if isinstance(p, ast.AugAssign) and p.value is ld:
                continue
            good = False
            break
        if good:
            ok.add(b)
    return ok


def _guard_of(node):
    """``N`` when ``node`` is the test ``not is_zero(N)``."""
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not) and \
            is_call_to(node.operand, "is_zero") and len(node.operand.args) == 1 and \
            isinstance(node.operand.args[0], ast.Name):
        return node.operand.args[0].id
    return None


def zero_guarded(tree, par, name):
    """Whether every read of ``name`` is its own ``is_zero`` test or inside the body of
    ``if not is_zero(name):`` (then an empty array can stand for its zero)."""
    for ld in _loads(tree, name):
        p = par.get(id(ld))
        if is_call_to(p, "is_zero"):
            continue
        node, inside = ld, False
        while id(node) in par:
            up = par[id(node)]
            if isinstance(up, ast.If) and _guard_of(up.test) == name and node in up.body:
                inside = True
                break
            node = up
        if not inside:
            return False
    return True


# -- typed stacks -----------------------------------------------------------------------
def array_stack(t):
    """The NumPy dtype text of a typed array stack for a variable of type ``t``."""
    return _SCALAR_DTYPES.get(t[0]) if t is not None else None


#: what a fixed-size stack raises when full: the wrapper doubles the sizes and calls again
STACK_FULL = "ast_ad numba backend: a stack is full"


def stack_init(name, dtype, cap):
    return [f"_st_{name} = np.empty({cap}, {dtype})", f"_n_{name} = 0"]


def stack_push(name, grow):
    """A push onto a typed array stack.  Fixed size (``grow`` false): a full stack raises
    STACK_FULL, a branch LLVM keeps out of the loop; growing it in the loop instead
    (reassigning the array) costs ~10x on a short loop body."""
    full = (f"    _st_{name} = _nb_grow(_st_{name})" if grow
            else f"    raise IndexError({STACK_FULL!r})")
    return (f"if _n_{name} == _st_{name}.shape[0]:\n{full}\n"
            f"_st_{name}[_n_{name}] = {name}\n_n_{name} += 1")


def flat_push(name, ln):
    """The entries of the 1-d array ``name`` (``ln`` of them) onto its flat stack: a
    copy (the variant uses it only where no saved array's entries ever change)."""
    return (f"if _n_{name} + {ln} > _st_{name}.shape[0]:\n"
            f"    raise IndexError({STACK_FULL!r})\n"
            f"_st_{name}[_n_{name}:_n_{name} + {ln}] = {name}\n_n_{name} += {ln}")


def stack_pop(name):
    return f"_n_{name} -= 1\n{name} = _st_{name}[_n_{name}]"


_FRESH_CALLS = {"copy", "zeros_grad", "own", "_nb_own"}
_FRESH_NP = {"zeros", "ones", "empty", "full", "zeros_like", "ones_like", "empty_like",
             "full_like", "copy", "array"}


def _fresh_value(v):
    if isinstance(v, ast.Constant) or isinstance(v, ast.BinOp) or is_call_to(v, "_pop"):
        return True
    if isinstance(v, ast.Call) and isinstance(v.func, ast.Name):
        return v.func.id in _FRESH_CALLS
    return isinstance(v, ast.Call) and isinstance(v.func, ast.Attribute) and \
        isinstance(v.func.value, ast.Name) and v.func.value.id == "np" and \
        v.func.attr in _FRESH_NP


def retry_safe(tree):
    """Whether a call stopped half-way (a full stack) may simply be made again: the code
    writes entries only of arrays it made itself (copies, new arrays, values restored
    from its own stacks), never of an argument or an alias of one.  Adjoint buffers are
    the code's own too (the Python backend's in-place accumulation relies on it)."""
    written = set()
    for n in ast.walk(tree):
        targets = n.targets if isinstance(n, ast.Assign) else \
            [n.target] if isinstance(n, ast.AugAssign) else []
        for t in targets:
            if isinstance(t, ast.Subscript):
                if not isinstance(t.value, ast.Name):
                    return False
                written.add(t.value.id)
        if is_call_to(n, "restore_item"):
            if not isinstance(n.args[0], ast.Name):
                return False
            written.add(n.args[0].id)
    for n in ast.walk(tree):
        if isinstance(n, ast.Assign):
            for t in n.targets:
                if isinstance(t, ast.Name) and t.id in written and \
                        not _fresh_value(n.value):
                    return False
        if isinstance(n, ast.arg) and n.arg in written:  # an argument, written
            return False
        if isinstance(n, ast.For) and written & {m.id for m in ast.walk(n.target)
                                                 if isinstance(m, ast.Name)}:
            return False
    return True


def parse_stmts(text, like):
    out = ast.parse(text).body
    for s in out:
        ast.copy_location(s, like)
    return out


_MUTATING = {"accum_index_into", "accum_index", "clear_grad", "restore_item"}


def never_written(tree, names):
    """Whether no array any of ``names`` may refer to is ever written: no name sharing an
    array with them (through an assignment whose value mentions it, other than
    arithmetic and new-array constructors) is a subscript-store, in-place-update or
    mutating-helper target.  Conservative: a flat copy is then what the tape holds."""
    written, edges = set(), {}
    for n in ast.walk(tree):
        if isinstance(n, (ast.Assign, ast.AugAssign)):
            targets = n.targets if isinstance(n, ast.Assign) else [n.target]
            for t in targets:
                base = t.value if isinstance(t, ast.Subscript) else t
                if isinstance(t, ast.Subscript) or isinstance(n, ast.AugAssign):
                    if not isinstance(base, ast.Name):
                        return False
                    written.add(base.id)
                if isinstance(n, ast.Assign) and isinstance(t, ast.Name) and \
                        not (isinstance(n.value, (ast.UnaryOp, ast.Compare)) or
                             _fresh_value(n.value)):  # a pop: the variable's own value
                    for m in ast.walk(n.value):
                        if isinstance(m, ast.Name):
                            edges.setdefault(t.id, set()).add(m.id)
                            edges.setdefault(m.id, set()).add(t.id)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and \
                (n.func.id in _MUTATING or n.func.id.startswith("_nb_clear")) and n.args:
            if not isinstance(n.args[0], ast.Name):
                return False
            written.add(n.args[0].id)
    seen, todo = set(), list(names)
    while todo:
        v = todo.pop()
        if v in seen:
            continue
        seen.add(v)
        todo.extend(edges.get(v, ()))
    return not (seen & written)

