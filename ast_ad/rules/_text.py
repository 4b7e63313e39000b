"""Hand-written rule pairs from expression text with macros (the matrix rules are long;
shared sub-expressions are written once): ``{M}`` is replaced by ``macros["M"]`` (macros may
use macros), and each rule is made by :func:`ast_ad.rules.declare._define` as a function of
the declaring module with one ``return`` (its text in ``linecache``, as declared rules)."""

import ast

from .declare import _define
from .registry import default_registry


def rule_text(text, macros):
    for _ in range(6):
        if "{" not in text:
            break
        text = text.format(**macros)
    return text


def text_pair(module, fn, params, vjps, jvps, name=None, registry=None, **macros):
    """Register reverse rules ``vjps`` and forward rules ``jvps`` (texts, one per positional
    argument, ``None``: no rule) of ``fn`` with parameters ``params``, defined in ``module``."""
    base = name or fn.__name__
    names = [p.split("=")[0].strip() for p in params.split(",")]
    vs, js = [], []
    for k, (v, j) in enumerate(zip(vjps, jvps)):
        suffix = "" if sum(x is not None for x in vjps) == 1 else "_" + names[k]
        vs.append(v and _define(module, f"{base}_vjp{suffix}", "g, ans, " + params,
                                ast.parse(rule_text(v, macros), mode="eval").body))
        js.append(j and _define(module, f"{base}_jvp{suffix}", "t, ans, " + params,
                                ast.parse(rule_text(j, macros), mode="eval").body))
    (registry or default_registry).defvjp(fn, *vs)
    (registry or default_registry).defjvp(fn, *js)
