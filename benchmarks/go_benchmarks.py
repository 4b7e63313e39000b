"""SciPy's global-optimization benchmark functions against ast_ad.grad.

Takes a folder holding SciPy's ``benchmarks/benchmarks/go_benchmark_functions`` files
(``go_benchmark.py``, ``go_funcs_*.py``; this project ships no copy of them) from the
environment variable ``AST_AD_GO_BENCH`` (or the first command-line argument), imports
every ``Benchmark`` subclass, draws points inside its bounds with a fixed seed and
compares ``ast_ad.grad(obj.fun)`` (w.r.t. ``x``) with central differences.

- functions that draw random numbers in ``fun`` (two calls at one point differ) are
  skipped;
- a function counts as smooth at the drawn points when central differences with
  h=1e-6 and h=1e-7 agree to 1e-4 (relative to max(1, |g|));
- each smooth function is ``ok`` (matches), ``refused`` (an AstAdError, with its
  reason) or ``wrong`` (another exception, or a gradient that does not match).

    AST_AD_GO_BENCH=/tmp/go_bench python benchmarks/go_benchmarks.py
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import os
import sys
import types
import warnings

import numpy as np

SEED = 0
POINTS = 3
TOL = 1e-4


def load(folder):
    """The benchmark classes of the folder, by name."""
    parent = types.ModuleType("_ast_ad_go_parent")
    parent.__path__ = []
    common = types.ModuleType("_ast_ad_go_parent.common")
    common.safe_import = lambda: contextlib.suppress(ImportError)
    sys.modules["_ast_ad_go_parent"] = parent
    sys.modules["_ast_ad_go_parent.common"] = common
    name = "_ast_ad_go_parent.go_benchmark_functions"
    init = os.path.join(folder, "__init__.py")
    spec = importlib.util.spec_from_file_location(
        name, init if os.path.exists(init) else os.path.join(folder, "go_benchmark.py"),
        submodule_search_locations=[folder])
    pkg = importlib.util.module_from_spec(spec)
    sys.modules[name] = pkg
    if os.path.exists(init):
        try:
            spec.loader.exec_module(pkg)
        except Exception:  # an __init__ importing what this folder lacks
            pass
    base = importlib.import_module(name + ".go_benchmark").Benchmark
    out = {}
    for fname in sorted(os.listdir(folder)):
        if not (fname.startswith("go_funcs_") and fname.endswith(".py")):
            continue
        mod = importlib.import_module(f"{name}.{fname[:-3]}")
        for cname, cls in vars(mod).items():
            if isinstance(cls, type) and issubclass(cls, base) and cls is not base and \
                    cls.__module__ == mod.__name__:
                out[cname] = cls
    return out


def central(f, x, h):
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (f(x + e) - f(x - e)) / (2 * h)
    return g


def close(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= TOL * max(
        1.0, float(np.max(np.abs(b))) if b.size else 1.0)))


def points(obj, rng):
    lo, hi = np.array(obj.bounds, float).T
    pad = 0.01 * (hi - lo)
    return [rng.uniform(lo + pad, hi - pad) for _ in range(POINTS)]


def check(cls):
    """(status, reason) for one benchmark class."""
    import ast_ad

    try:
        obj = cls()
    except Exception as e:
        return "skipped", f"cannot instantiate: {e}"
    rng = np.random.default_rng(SEED)
    try:
        xs = points(obj, rng)
    except Exception as e:
        return "skipped", f"bounds: {e}"
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            state = np.random.get_state()
            if any(obj.fun(x.copy()) != obj.fun(x.copy()) for x in xs[:1]):
                return "skipped", "random"
            np.random.set_state(state)
            if "random" in inspect.getsource(cls.fun):
                return "skipped", "random"
        except Exception as e:
            return "skipped", f"fun fails: {type(e).__name__}: {e}"
        refs = []
        for x in xs:
            try:
                g6 = central(obj.fun, x, 1e-6)
                g7 = central(obj.fun, x, 1e-7)
            except Exception as e:
                return "skipped", f"fun fails: {e}"
            if not (np.all(np.isfinite(g6)) and close(g7, g6)):
                return "nonsmooth", ""
            refs.append(g6)
        try:
            g = ast_ad.grad(obj.fun)
            for x, ref in zip(xs, refs):
                got = g(x.copy())
                if not close(got, ref):
                    return "wrong", f"at {x}: {got} != {ref}"
        except ast_ad.AstAdError as e:
            return "refused", str(e).splitlines()[0][:160]
        except Exception as e:
            return "wrong", f"{type(e).__name__}: {e}"[:200]
    return "ok", ""


def run(folder, verbose=True):
    classes = load(folder)
    results = {name: check(cls) for name, cls in classes.items()}
    counts = {}
    for status, _ in results.values():
        counts[status] = counts.get(status, 0) + 1
    if verbose:
        for name, (status, why) in sorted(results.items()):
            if status in ("refused", "wrong", "skipped"):
                print(f"{status:9s} {name}: {why}")
        smooth = counts.get("ok", 0) + counts.get("refused", 0) + counts.get("wrong", 0)
        print(f"{len(results)} functions: {counts}")
        if smooth:
            print(f"smooth: {smooth}, ok {counts.get('ok', 0)} "
                  f"({100.0 * counts.get('ok', 0) / smooth:.1f}%), "
                  f"wrong {counts.get('wrong', 0)}")
    return results, counts


if __name__ == "__main__":
    folder = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("AST_AD_GO_BENCH")
    if not folder or not os.path.isdir(folder):
        sys.exit("give the go_benchmark_functions folder (AST_AD_GO_BENCH or an argument)")
    run(folder)
