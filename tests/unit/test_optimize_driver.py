"""The optimizer's driver: counts handed on between optimizations (common.remember) and
optimizations at their own fixed point called once (``fixed_point``)."""

import gast
import pytest

from ast_ad.passes.optimize import Options, common, run
from ast_ad.passes.optimize.copyprop import copy_propagation
from ast_ad.passes.optimize.inline import inline_temporaries

CHAIN = "by = g\nb_t1 = by\nb_t2 = b_t1\nb_t3 = b_t2 * 0.9\nbx = b_t3 + b_t1\nreturn bx"
NAMES = frozenset({"by", "b_t1", "b_t2", "b_t3", "bx"})


def _code(text):  # (every statement from one user line, as the reverse stage writes it)
    body = gast.parse(text).body
    for s in body:
        s.lineno = 3
    return body


def _text(stmts):
    return gast.unparse(gast.Module(body=stmts, type_ignores=[])).strip()


def _counted(opt, calls):
    def wrapped(stmts, opts):
        calls.append(opt.__name__)
        return opt(stmts, opts)

    wrapped.__name__ = opt.__name__
    if getattr(opt, "fixed_point", False):
        wrapped.fixed_point = True
    return wrapped


TEMPS = "by = g * 2.0\nb_t1 = by * 0.9\nb_t2 = b_t1 + x\nbx = b_t2 * b_t2\nreturn bx"


@pytest.mark.parametrize("opt, code, want", [
    (copy_propagation, CHAIN, "by = g\nb_t3 = by * 0.9\nbx = b_t3 + by\nreturn bx"),
    (inline_temporaries, TEMPS, "b_t2 = g * 2.0 * 0.9 + x\nbx = b_t2 * b_t2\nreturn bx"),
])
def test_an_optimization_hands_its_counts_to_the_next(opt, code, want, monkeypatch):
    monkeypatch.setattr(common, "_CHECK", False)  # (the suite's checks recount)
    recounts, count = [], common._count
    monkeypatch.setattr(common, "_count", lambda stmts: recounts.append(1) or count(stmts))
    seen = []

    def probe(stmts, opts):  # reads the counts the way the next optimization would
        seen.append(common.counts(stmts) == count(stmts))
        return None

    out = run(_code(code), Options(names=NAMES), [opt, probe])
    assert _text(out) == want
    assert seen == [True]
    assert len(recounts) == 1, "the optimization's result came without its counts"


def test_a_fixed_point_optimization_is_not_called_again_on_its_result(monkeypatch):
    texts = {}
    for check in (True, False):
        monkeypatch.setattr(common, "_CHECK", check)
        calls = []
        out = run(gast.parse(CHAIN).body, Options(names=NAMES),
                  [_counted(copy_propagation, calls)])
        texts[check] = _text(out)
        assert calls.count("copy_propagation") == (2 if check else 1)
    assert texts[True] == texts[False] == "by = g\nb_t3 = by * 0.9\nbx = b_t3 + by\nreturn bx"


def test_a_false_fixed_point_claim_fails_in_the_suite():
    def one_at_a_time(stmts, opts):  # drops one statement per call: no fixed point
        return stmts[1:] if len(stmts) > 1 else None

    one_at_a_time.fixed_point = True
    with pytest.raises(AssertionError, match="did not reach its own fixed point"):
        run(gast.parse("a = 1\nb = 2\nc = 3").body, Options(names=frozenset()),
            [one_at_a_time])
