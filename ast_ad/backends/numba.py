"""``ast_ad.grad(f, backend="numba")``: the generated gradient compiled with ``numba.njit``.

For loop code over floats, ints and NumPy arrays.  The gradient is first generated as
usual (the Python text ``ast_ad.source`` shows), then a *codegen variant* rewrites that
text for numba, without touching the passes:

- the one tape ``_stack = []; _push = _stack.append; _pop = _stack.pop`` becomes one
  typed stack per saved variable: every value pushed from ``v`` is popped back into
  ``v`` (the generated code's convention, checked here), so splitting the one LIFO into
  one per variable keeps the order.  Scalars go on fixed-size NumPy arrays with a count
  (sized by the dry run, see ``_Sized``), arrays saved as ``shape_token(v)`` keep only
  their shape, 1-d arrays a flat stack of entries, other arrays a typed list
  (numba_codegen, numba_analysis; docs/scaling.md has the details);
- variables the Python code starts as ``None`` (filled in the loop) and adjoints it
  starts as the ``0.0`` filler but that become arrays get typed initial values: the
  types come from one *dry run* of the Python gradient on the first arguments (also
  the reference result), so numba sees one type per variable;
- the runtime helpers (``seed``, ``unbroadcast``, ``accum_index``, ``fix_array`` ...)
  are replaced by numba implementations (``accum_index`` updates, in place, an adjoint
  buffer this code allocated itself); ``range(...)[::-1]`` by an explicit reversed range;
- plain Python functions the code calls (not differentiated) are compiled with
  ``numba.njit`` too; functions decorated with ``@numba.njit`` are differentiated
  through their ``.py_func``.

Refused, with an error naming the construct (or, with ``fallback="python"``, run as the
Python gradient with a warning): containers (list/tuple/dict arguments or values),
helpers without a numba form, differentiated user callees (``f_vjp.fwd``), anything
numba itself cannot type.  The compiled gradient keeps its stacks local: it can be
called again and again (the backward pass is re-runnable).

``jvp(f, primals, tangents, backend="numba")`` compiles the forward-mode code the same
way (no stacks there).
"""

from __future__ import annotations

import ast
import warnings

from ..errors import AstAdError

__all__ = ["NumbaGradient", "available", "jvp", "unwrap_njit"]
from .numba_analysis import STACK_FULL
from .numba_compile import _compile_variant, _kind_key
from .numba_helpers import NumbaBackendError, available, unwrap_njit  # noqa: F401


class NumbaGradient:
    """``grad``/``value_and_grad`` of ``fn`` compiled with numba (see module docstring)."""

    def __init__(self, fn, wrt=0, with_value=False, fallback=None, registry=None,
                 python_gradient=None):
        """``python_gradient``: the API's gradient class (handed in: no import of it)."""
        if fallback not in (None, "python"):
            raise AstAdError(f"backend='numba' takes fallback=None or 'python', "
                             f"not {fallback!r}")
        if not available():
            raise AstAdError("backend='numba' needs numba (pip install 'ast_ad[numba]')")
        self.fn = unwrap_njit(fn)
        self.wrt, self.with_value, self.fallback = wrt, with_value, fallback
        self.python = python_gradient(self.fn, wrt, with_value, registry)
        self._compiled = {}
        self._sources = {}
        self._npos = _positional_count(self.fn)
        self.__name__ = getattr(self.fn, "__name__", "grad")
        self.__qualname__ = getattr(self.fn, "__qualname__", self.__name__)
        self.__doc__ = getattr(self.fn, "__doc__", None)

    def __repr__(self):
        kind = "value_and_grad" if self.with_value else "grad"
        return f"<ast_ad {kind} of {self.__qualname__} wrt={self.wrt!r}, backend='numba'>"

    def _full(self, args, kwargs):
        from ..signature import bind

        b = bind(self.fn, args, kwargs)
        return tuple(b.arguments[p] for p in b.signature.parameters)

    def __call__(self, *args, **kwargs):
        # every parameter given positionally: the call's own tuple (binding by
        # inspect.signature costs more than the compiled gradient of a short loop)
        full = args if not kwargs and len(args) == self._npos else self._full(args, kwargs)
        key = tuple(map(_kind_key, full))
        c = self._compiled.get(key)
        if c is None:
            c = self._compiled[key] = self._make(full)
        return c(*full)

    def _make(self, full):
        for v in full:
            if isinstance(v, (list, tuple, dict, set)):
                return self._refused(NumbaBackendError(
                    f"numba backend cannot compile the gradient of {self.__qualname__}: a "
                    f"{type(v).__name__} argument (containers are refused in this backend)"))
        gen = self.python.generated(full)
        fn, source = gen.compiled[0], gen.source
        if source.count("\ndef ") > 0:
            return self._refused(NumbaBackendError(
                f"numba backend cannot compile the gradient of {self.__qualname__}: the "
                "generated code has several functions"))
        try:
            jitted, text, caps = _compile_variant(fn, source, full, self.__qualname__)
            self._sources[tuple(_kind_key(v) for v in full)] = text
            jitted = _Runner(jitted, caps)
            jitted(*full)  # compile now: numba's typing errors are raised here
        except NumbaBackendError as e:
            return self._refused(e)
        except Exception as e:  # numba's TypingError and friends
            msg = str(e).strip().splitlines()
            first = next((ln for ln in msg if ln.strip()), None) or \
                f"numba's compiler failed on this code ({type(e).__name__}, no message)"
            construct = _construct_of(msg)
            return self._refused(NumbaBackendError(
                f"numba cannot compile the gradient of {self.__qualname__}: {first.strip()}"
                + (f" (at: {construct})" if construct else "")))
        return jitted

    def _refused(self, err):
        if self.fallback != "python":
            raise err
        warnings.warn(f"ast_ad: running the Python gradient of {self.__qualname__}: {err}",
                      stacklevel=4)
        return self.python

    def source(self, *args, **kwargs):
        """The text numba compiles for arguments like ``args`` (compiling if needed)."""
        full = self._full(args, kwargs)
        self(*full)
        return self._sources.get(tuple(_kind_key(v) for v in full), "")


class _Sized:
    """A compiled function with fixed-size stacks, sized by its last argument ``caps``:
    when one is full the call raises STACK_FULL before its end (the code writes only
    arrays of its own, see numba_analysis.retry_safe), and is made again with all sizes
    doubled."""

    __slots__ = ("fn", "caps")

    def __init__(self, fn, caps):
        self.fn, self.caps = fn, caps

    def __call__(self, *args):
        while True:
            try:
                return self.fn(*args, self.caps)
            except IndexError as e:
                if str(e) != STACK_FULL:
                    raise
                self.caps = self.caps * 2


def _Runner(fn, caps):
    return fn if caps is None else _Sized(fn, caps)


def _positional_count(fn):
    """The number of parameters when all are plain positional ones (else -1)."""
    import inspect

    try:
        ps = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return -1
    plain = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return len(ps) if all(p.kind in plain for p in ps) else -1


def _construct_of(lines):
    """The generated line numba points at in a typing error, if any."""
    for k, ln in enumerate(lines):
        if ln.strip().startswith(">") or ln.lstrip().startswith("^"):
            return lines[k - 1].strip() if ln.lstrip().startswith("^") else ln.strip("> ")
    return None


def jvp(f, primals, tangents, fallback=None, python_jvp=None):
    """``(f(*primals), J·tangents)`` with the forward-mode code compiled by numba
    (``python_jvp``: the API's own jvp, handed in for the fallback)."""
    from ..pipeline import CALLEES
    from ..rules.registry import default_registry
    from ..signature import param_names

    if not available():
        raise AstAdError("backend='numba' needs numba (pip install 'ast_ad[numba]')")
    fn = unwrap_njit(f)
    primals, tangents = tuple(primals), tuple(tangents)
    params = param_names(fn)
    wrt = [params[k] for k, t in enumerate(tangents) if t is not None and k < len(params)]
    if not wrt:
        return fn(*primals), 0.0
    kinds = {params[k]: type(primals[k]) for k in range(len(primals)) if k < len(params)}
    j = CALLEES.jvp_for(fn, wrt, kinds, default_registry, {})
    kw = {j.tangent_names[p]: tangents[params.index(p)] for p in j.wrt}
    key = (id(fn), tuple(wrt), tuple(_kind_key(v) for v in primals),
           tuple(_kind_key(t) for t in kw.values()))
    c = _JVP.get(key)
    if c is None:
        gfn = _jvp_function(j)
        args = primals + tuple(kw.values())
        try:
            if gfn is None:
                raise NumbaBackendError(f"numba backend: no forward-mode function for {fn}")
            src = getattr(j, "source", None) or _function_source(gfn)
            jitted, _, caps = _compile_variant(gfn, src, args, getattr(fn, "__qualname__", "f"))
            jitted = _Runner(jitted, caps)
            jitted(*args)
            c = _JVP[key] = (jitted, len(primals))
        except Exception as e:
            if fallback != "python":
                raise e if isinstance(e, NumbaBackendError) else NumbaBackendError(
                    f"numba cannot compile the jvp of {fn.__qualname__}: "
                    f"{str(e).strip().splitlines()[0]}") from e
            warnings.warn(f"ast_ad: running the Python jvp of {fn.__qualname__}: {e}",
                          stacklevel=2)
            return python_jvp(f, primals, tangents)
    jitted, _ = c
    return jitted(*primals, *kw.values())


_JVP: dict = {}


def _jvp_function(j):
    call = getattr(j, "call", None)
    return call if hasattr(call, "__code__") and call.__code__.co_filename.startswith(
        "<ast_ad-") else None


def _function_source(fn):
    import linecache

    lines = linecache.getlines(fn.__code__.co_filename)
    text = "".join(lines)
    tree = ast.parse(text)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == fn.__name__:
            return ast.get_source_segment(text, node)
    raise NumbaBackendError(f"numba backend: the text of {fn.__name__} is not available")
