"""Every public callable of ast_ad has a docstring and type annotations (parameters and
return), so help(), IDEs and type checkers see the API as documented."""

import inspect

import pytest

import ast_ad

LAZY = ["check_grad", "export", "graph"]


def _public():
    out = []
    for name in dict.fromkeys(list(ast_ad.__all__) + LAZY):
        obj = getattr(ast_ad, name)
        if not (inspect.isclass(obj) or inspect.isfunction(obj) or inspect.ismethod(obj)):
            continue  # default_registry: an instance, documented by its class
        # (ast_ad.defvjp / defjvp / nondifferentiable: the default registry's methods)
        out.append((name, obj))
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            for attr, member in vars(obj).items():
                if attr.startswith("_") and attr != "__call__":
                    continue
                if isinstance(member, property):
                    out.append((f"{name}.{attr}", member.fget))
                elif inspect.isfunction(member):
                    out.append((f"{name}.{attr}", member))
    for mod in (ast_ad.tape, ast_ad.testing, ast_ad.dual):
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isfunction(obj):
                out.append((f"{mod.__name__[7:]}.{name}", obj))
    return out


PUBLIC = _public()


def _missing_annotations(fn):
    sig = inspect.signature(fn)
    missing = [p.name for p in sig.parameters.values()
               if p.name not in ("self", "cls") and p.annotation is inspect.Parameter.empty]
    if sig.return_annotation is inspect.Signature.empty and fn.__name__ != "__init__":
        missing.append("return")
    return missing


@pytest.mark.parametrize("name,obj", PUBLIC, ids=[n for n, _ in PUBLIC])
def test_public_callable_is_documented_and_annotated(name, obj):
    assert (inspect.getdoc(obj) or "").strip(), f"ast_ad.{name} has no docstring"
    if inspect.isclass(obj):
        return
    assert _missing_annotations(obj) == [], f"ast_ad.{name} lacks annotations"


def test_the_checker_can_fail():
    def bare(x):
        return x

    assert _missing_annotations(bare) == ["x", "return"]
    assert inspect.getdoc(bare) is None


TOP = [(n, o) for n, o in PUBLIC if "." not in n and not (
    inspect.isclass(o) and issubclass(o, BaseException))]


@pytest.mark.parametrize("name,obj", TOP, ids=[n for n, _ in TOP])
def test_public_docstring_has_an_example_that_runs(name, obj):
    import doctest

    doc = inspect.getdoc(obj) or ""
    assert ">>>" in doc, f"ast_ad.{name}'s docstring has no example"
    finder = doctest.DocTestFinder(recurse=False)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    for test in finder.find(obj, name, globs={}):
        runner.run(test)
    assert runner.failures == 0, f"the example of ast_ad.{name} fails"
