"""Before/after of the readability optimizations (algebra.py, inline.py)."""

import gast

from ast_ad.passes.optimize import Options, run
from ast_ad.passes.optimize.algebra import algebra
from ast_ad.passes.optimize.inline import inline_temporaries, order_gradients, self_copies


def _code(text, lineno=3):
    body = gast.parse(text).body
    for s in body:
        for n in gast.walk(s):
            if isinstance(n, gast.stmt):
                n.lineno = lineno
    return body


def _text(stmts):
    return gast.unparse(gast.Module(body=stmts, type_ignores=[])).strip()


def test_constant_folding_and_negative_constants():
    opts = Options(names=frozenset())
    out = algebra(_code("y = (2 - 1) * x\nz = (1 - 3) ** 2\nw = x ** (2 - 1)"), opts)
    assert _text(out) == "y = 1 * x\nz = 4\nw = x ** 1"
    out = algebra(_code("z = x ** (1 - 3)"), opts)
    assert _text(out) == "z = x ** (-2)" or _text(out) == "z = x ** -2"
    assert eval(_text(algebra(_code("z = (0 - 2) ** 2"), opts)).split("= ")[1]) == 4


def test_identities_need_surely_float_operands():
    opts = Options(names=frozenset(), floats=frozenset({"x"}))
    assert _text(algebra(_code("a = x + 0.0\nb = x * 1\nc = x ** 1"), opts)) == \
        "a = x\nb = x\nc = x"
    # k may be an int or an array: `k + 0.0` makes a float / a copy, so it stays
    assert algebra(_code("a = k + 0.0\nb = k * 1.0\nc = k ** 1"), opts) is None
    # `x * 0.0` is never 0.0 (an array, a nan)
    assert algebra(_code("a = x * 0.0"), opts) is None


def test_power_of_one_next_to_a_cotangent():
    opts = Options(names=frozenset({"bx"}))
    assert _text(algebra(_code("r = bx * 2 * k ** 1"), opts)) == "r = bx * 2 * k"


def test_single_use_temporaries_within_one_line():
    opts = Options(names=frozenset({"by", "b_t1", "bx"}), immutable=True)
    code = _code("by = 1.0\nb_t1 = y\nby = by + _t1\nbx = b_t1 * 2 * x\nreturn (bx, by)")
    out = run(code, opts, [inline_temporaries, order_gradients])
    assert _text(out) == "bx = y * 2 * x\nby = 1.0 + _t1\nreturn (bx, by)"


def test_no_substitution_across_user_lines():
    opts = Options(names=frozenset({"b_t1", "bx"}), immutable=True)
    code = _code("b_t1 = y * 2.0", lineno=3) + _code("bx = b_t1 * x\nreturn bx", lineno=4)
    assert inline_temporaries(code, opts) is None


def test_no_move_past_a_write_of_what_it_reads():
    opts = Options(names=frozenset({"b_t1", "bx"}), immutable=True)
    code = _code("b_t1 = y * 2.0\ny = _pop()\nbx = b_t1 * x\nreturn bx")
    assert inline_temporaries(code, opts) is None


def test_self_copy_dropped():
    opts = Options(names=frozenset({"_g2", "bs"}))
    out = self_copies(_code("_g2 = bs\nbs = _g2\nbx = _g2 * i"), opts)
    assert _text(out) == "_g2 = bs\nbx = _g2 * i"
