"""Every registered rule has a finite-difference case, and built-in rules come in pairs."""

from ast_ad import default_registry

from . import fd
from .cases import CASES


def _name(f):
    return f"{getattr(f, '__module__', None) or '?'}.{getattr(f, '__qualname__', f)}"


def _library(f):
    """Functions registered by ast_ad itself (tests register their own on the side)."""
    mod = getattr(f, "__module__", None) or ""
    return not mod.startswith(("test", "tests", "conftest")) and \
        "<locals>" not in getattr(f, "__qualname__", "")


def _builtin(ruleset):
    return any(r is not None and r.__module__.startswith("ast_ad.rules") for r in ruleset.rules)


def _all_refuse(f):
    """Every rule of ``f`` raises (odeint's adjoint helper): nothing to check by a case."""
    rules = [r for r in fd.vjp_rules(f) + fd.jvp_rules(f) if r is not None]
    return bool(rules) and all(getattr(r, "refuses", False) for r in rules)


def test_every_registered_function_has_a_case():
    have = {id(c.fn) for c in CASES}
    registered = default_registry.functions() + default_registry.jvp_functions()
    missing = sorted({_name(f) for f in registered if id(f) not in have and _library(f)
                      and not _all_refuse(f)})
    assert not missing, f"no case in tests/rules/cases.py for: {', '.join(missing)}"


def test_every_rule_is_checked_by_some_case():
    checked = {}
    for c in CASES:
        for kind, rules in (("vjp", fd.vjp_rules(c.fn)), ("jvp", fd.jvp_rules(c.fn))):
            for k in fd.checked_args(c, rules):
                checked.setdefault((id(c.fn), kind), set()).add(k)
    missing = []
    for kind, fns, get in (("vjp", default_registry.functions(), fd.vjp_rules),
                           ("jvp", default_registry.jvp_functions(), fd.jvp_rules)):
        for f in fns:
            if not _library(f):
                continue
            for k, r in enumerate(get(f)):
                if getattr(r, "refuses", False):  # raises: no derivative to check
                    continue
                if r is not None and k not in checked.get((id(f), kind), ()):
                    missing.append(f"{_name(f)} {kind} argument {k}")
    assert not missing, "rules no case checks: " + "; ".join(missing)


def test_builtin_rules_have_both_modes():
    odd = []
    for f in set(default_registry.functions()) | set(default_registry.jvp_functions()):
        v, j = default_registry.vjp(f), default_registry.jvp(f)
        builtin = (v is not None and _builtin(v)) or (j is not None and _builtin(j))
        if builtin and (v is None or j is None or [r is None for r in v.rules] != [
                r is None for r in j.rules]):
            odd.append(_name(f))
    assert not odd, f"reverse and forward rules do not match for: {', '.join(sorted(odd))}"


def test_coverage_check_can_fail():
    # an isolated registry with an unlisted function must be reported by the same logic
    from ast_ad import Registry

    def lonely(x):
        return x

    reg = Registry(default_registry)
    reg.defvjp(lonely, lambda g, ans, x: g)
    have = {id(c.fn) for c in CASES}
    assert any(id(f) not in have for f in reg.functions())
