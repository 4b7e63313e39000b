"""The fast walkers of ir/walk.py against gast's own: the same nodes (but ``ctx``), the
same statements in program order, and Transformer with NodeTransformer's contract."""

import inspect

import gast

import ast_ad.passes.anf
import ast_ad.passes.reverse.adjoint
from ast_ad.ir import walk

SOURCE = '''
import os, sys as system
from a.b import c as d
@decorate(1)
def f(x, /, y=2, *args, k, z=3, **kw) -> int:
    global G
    nonlocal_like = lambda q, *r, **s: q
    for i, (a, *b) in enumerate(zip(x, y)):
        if a > 1 and not b or i is None:
            continue
        while i < 3:
            i += 1
        else:
            pass
    try:
        v = x[1:2, ..., None] @ y
    except (ValueError, TypeError) as e:
        raise RuntimeError("no") from e
    else:
        w = {k: v for k, v in kw.items() if k}
    finally:
        del v
    with open(f"{x!r:>10}") as fh, other():
        assert fh, "message"
    match y:
        case [1, *rest]:
            pass
        case {"a": 1, **others}:
            pass
        case Point(x=0) | None:
            pass
    t: int = (yield x)
    return [u async for u in z], {1, 2}, -x, x if y else z, (n := 5)

class C(Base, metaclass=M):
    attr: "str"
'''


def _trees():
    yield gast.parse(SOURCE)
    for mod in (ast_ad.passes.anf, ast_ad.passes.reverse.adjoint, walk):
        yield gast.parse(inspect.getsource(mod))


def test_nodes_visits_what_gast_walk_visits():
    for tree in _trees():
        want = sorted((id(n) for n in gast.walk(tree)
                       if not isinstance(n, gast.expr_context)))
        got = sorted(id(n) for n in walk.nodes(tree))
        assert got == want


def test_children_are_gasts_without_ctx():
    for tree in _trees():
        for n in gast.walk(tree):
            want = [c for c in gast.iter_child_nodes(n) if not isinstance(c, gast.expr_context)]
            assert walk.children(n) == want


def _statements_recursive(stmts, depth=0):
    for s in stmts:
        yield s, depth
        inner = depth + 1 if walk.is_loop(s) else depth
        for _, block in walk.blocks_of(s):
            yield from _statements_recursive(block, inner)


def test_statements_in_program_order_with_loop_depth():
    for tree in _trees():
        assert list(walk.statements(tree.body)) == list(_statements_recursive(tree.body))
        for f in gast.walk(tree):
            if isinstance(f, gast.FunctionDef):
                assert list(walk.statements(f.body)) == list(_statements_recursive(f.body))


class _Neg(walk.Transformer):
    def visit_Constant(self, node):
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            return gast.Constant(value=-node.value, kind=None)
        return node


class _GastNeg(gast.NodeTransformer):
    visit_Constant = _Neg.visit_Constant


def test_transformer_rewrites_like_node_transformer():
    for tree in _trees():
        a = walk.Transformer.visit(_Neg(), gast.parse(gast.unparse(tree)))
        b = _GastNeg().visit(gast.parse(gast.unparse(tree)))
        assert gast.dump(a) == gast.dump(b)
