"""Which code is library code (never parsed: its calls need a rule) and which is the
user's (differentiated through its source).

>>> import math, numpy as np
>>> is_library(np.linalg.norm), is_library(is_library)
(True, False)
"""

from __future__ import annotations

import os
import site
import sysconfig
import types


def _library_roots():
    paths = sysconfig.get_paths()
    roots = {paths.get(k) for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    try:
        roots |= set(site.getsitepackages()) | {site.getusersitepackages()}
    except AttributeError:  # a virtualenv's old site module
        pass
    return tuple(sorted(os.path.abspath(r) + os.sep for r in roots if r))


_LIBRARY_ROOTS = _library_roots()


def is_library(fn) -> bool:
    """Library code (the standard library, site-packages) is never differentiated through
    its source: its calls need a rule.  User code is everything else: the user's own
    modules and scripts (an editable install of the user's package included), and
    ast_ad's own helpers, written to be differentiated.
    ``ast_ad.passes.analysis.calls.USER_PACKAGES`` opts installed packages in by name."""
    target = getattr(fn, "__func__", fn)
    code = getattr(target, "__code__", None)
    if code is None:
        return True
    mod = (getattr(target, "__module__", None) or "").split(".")[0]
    if mod in LIBRARY_PACKAGES:
        return True
    if mod in USER_PACKAGES or mod == "ast_ad":
        return False
    if code.co_filename.startswith(("<ast_ad-", "<ast_ad nested-")):
        return False  # generated code (higher order), lifted nested defs
    path = os.path.abspath(code.co_filename)
    return path.startswith(_LIBRARY_ROOTS)


#: top-level package names whose functions are differentiated although installed
USER_PACKAGES: set = set()
#: top-level package names never parsed although they live outside site-packages
LIBRARY_PACKAGES: set = set()


def user_class(cls):
    """A class defined in user code (its methods are differentiated from their source)."""
    mod = (getattr(cls, "__module__", None) or "").split(".")[0]
    if not isinstance(cls, type) or mod in ("builtins", "numpy", "ast_ad") or any(
            (getattr(k, "__module__", None) or "").split(".")[0] == "ast_ad"
            for k in cls.__mro__):
        return False  # (ast_ad's own objects, custom_vjp..., are rules)
    fns = [v for k in cls.__mro__[:-1] for key, v in vars(k).items()
           if isinstance(v, types.FunctionType) and not _generated(key, v)]
    return bool(fns) and not any(is_library(f) for f in fns)


def _generated(key, fn):
    """A special method the class was given (``key``: its name in the class), made by
    ``exec`` (a dataclass's ``__init__``/``__eq__``) or taken from library code (the
    ``__repr__`` wrapper of ``dataclasses``/``reprlib``, Python 3.13's ``__replace__``):
    it says nothing of where the class was written."""
    return key.startswith("__") and (fn.__code__.co_filename.startswith("<") or
                                      is_library(fn))
