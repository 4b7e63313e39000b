"""The fast ast -> gast conversion (frontend/to_gast.py) against gast's own: the same
classes, fields (in the same order), values and locations, on every module of ast_ad
the benchmarks and the end-to-end tests (and the constructs gast converts specially)."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import gast
import pytest

from ast_ad.frontend.to_gast import to_gast

ROOT = Path(__file__).resolve().parents[2]


def _same(a, b, path="tree"):
    assert type(a) is type(b), f"{path}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, gast.AST):
        assert list(a.__dict__) == list(b.__dict__), path
        for k, v in a.__dict__.items():
            _same(v, b.__dict__[k], f"{path}.{k}")
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), path
    else:
        assert a == b, f"{path}: {a!r} vs {b!r}"


SPECIAL = '''
import a.b as c
from .m import (x as y, z)
@deco(1)
class K(B, metaclass=M):
    async def m(self, a: int, /, b=2, *r, k: "s" = 3, **kw) -> float:
        async with q as (u, v):
            async for i in g:
                yield i
        try:
            pass
        except (E, F) as e:
            raise X from e
        except G:
            pass
        else:
            del t[1:2, ::3]
        finally:
            global gg
        return [w async for w in aiter() if w] or {**d, 1: 2} or f"{x!r:>{n}}"
match p:
    case [1, *rest] | {"k": v, **kw} if v:
        lam = lambda a, *b, c=1, **d: (a, b, c, d)
    case Point(x=0, y=yy) as pt:
        n: int = 1
'''


def test_special_constructs():
    tree = ast.parse(SPECIAL)
    _same(to_gast(tree), gast.ast_to_gast(tree))


@pytest.mark.parametrize("folder", ["ast_ad", "benchmarks", "tests/e2e"])
def test_every_module(folder):
    files = sorted((ROOT / folder).rglob("*.py"))
    assert len(files) >= 10
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        _same(to_gast(tree), gast.ast_to_gast(tree), str(path))
