"""Templates for ``grad(np.sin)``: a library callable handed to ``grad`` directly is
differentiated through a one-line Python function calling it (``_FN`` is bound in a
fresh globals dict per callable), so its rule applies as for any call."""


def apply1(x):
    return _FN(x)  # noqa: F821


def apply2(x, y):
    return _FN(x, y)  # noqa: F821


def apply3(x, y, z):
    return _FN(x, y, z)  # noqa: F821


TEMPLATES = {1: apply1, 2: apply2, 3: apply3}


def as_python_function(fn, nargs=None):
    """A Python function calling the library callable ``fn`` (None if its arity is
    unknown); ``nargs``: the number of positional arguments of a call, which may leave
    trailing defaulted parameters out (``vjp(np.transpose, A)``)."""
    import inspect
    import types

    import numpy as np

    n = None
    if isinstance(fn, np.ufunc):
        n = fn.nin
    else:
        try:
            params = list(inspect.signature(fn).parameters.values())
            pos = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
            need = sum(p.default is p.empty for p in pos)
            if len(pos) == len(params) and need == len(pos):
                n = len(params)
            elif nargs is not None and need <= nargs <= len(pos) and all(
                    p.default is not p.empty for p in params if p not in pos[:nargs]):
                n = nargs
        except (TypeError, ValueError):
            n = None
    t = TEMPLATES.get(n)
    if t is None:
        return None
    g = types.FunctionType(t.__code__, {"_FN": fn, "__name__": __name__}, t.__name__)
    g.__qualname__ = getattr(fn, "__name__", t.__name__)
    g.__module__ = __name__
    return g
