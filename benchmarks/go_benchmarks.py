"""SciPy's global-optimization benchmark functions against ast_ad.grad.

Takes a folder holding SciPy's ``benchmarks/benchmarks/go_benchmark_functions`` files
(``go_benchmark.py``, ``go_funcs_A.py`` ... ``go_funcs_Z.py``; this project ships no copy of
them) from the environment variable ``AST_AD_GO_BENCH`` (or the first command-line
argument), imports every ``Benchmark`` subclass and compares ``ast_ad.grad(obj.fun)``
(w.r.t. ``x``, the code unedited) with central differences (``tests/fd.py``) at points
drawn with a fixed seed inside the bounds.

Points: candidates are drawn inside the bounds (1% away from them) until ``POINTS`` of
them are usable: ``fun`` finite there, and *smooth* there in the sense of issue 11 --
central differences at h=1e-6 and h=1e-7 agree to 1e-4 (relative to max(1, |g|)).  A
candidate on a kink (``abs``, ``floor``, ``max`` switching within 1e-6) is drawn again
(up to ``DRAWS`` candidates).  A function with no ``POINTS`` such points is checked on a
step ladder: from h = 1e-11 up to 1e-4, the first two consecutive steps agreeing to 1e-4
at each point give the reference (the finer of the two): fast oscillations such as
``sin(60 e^x)``, and staircases finer than 1e-7 (``floor(1e7 x)``: 0 between the stairs).
That oracle is a heuristic -- a staircase finer than the steps fools it -- so a gradient
it disagrees with is ``unverified``, not ``wrong``.  What has no agreeing pair is
``nonsmooth`` (``round(2**32 x)`` products, Weierstrass' 3**20 frequency): its gradient
is still built and evaluated (it must not crash) but not compared.

Each function gets one status:

- ``ok``: the gradient matches at every point (``ok_fine``: against the step ladder);
- ``refused``: ``ast_ad`` raised an ``AstAdError`` (the reason is printed);
- ``crash``: another exception while building or running the gradient;
- ``wrong``: a gradient that does not match finite differences at points smooth in the
  sense above, nor the step ladder there (the top-priority failure; a staircase finer
  than 1e-7 passes the 1e-6/1e-7 test with its mean slope, the ladder sees its zeros);
- ``unverified``: a gradient the step ladder disagrees with (see above);
- ``nonsmooth``: no point where finite differences are a usable oracle (built, run, not
  compared; a crash there is ``crash``, a refusal ``refused``);
- ``skipped``: ``fun`` draws random numbers, fails, or cannot be instantiated.

Classes with ``change_dimensionality`` are also run at ``EXTRA_N`` dimensions (a second
table).

    AST_AD_GO_BENCH=/tmp/go_bench python benchmarks/go_benchmarks.py [-v]
"""

from __future__ import annotations

import contextlib
import importlib.util
import inspect
import os
import re
import sys
import types
import warnings

import numpy as np

SEED = 0
POINTS = 3
DRAWS = 30
TOL = 1e-4
EXTRA_N = 5
LADDER = [10.0 ** -k for k in range(11, 3, -1)]  # finest first
STATUSES = ("ok", "ok_fine", "refused", "crash", "wrong", "unverified", "nonsmooth",
            "skipped")

_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)


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
        if not re.fullmatch(r"go_funcs_[A-Z]\.py", fname):
            continue
        mod = importlib.import_module(f"{name}.{fname[:-3]}")
        for cname, cls in vars(mod).items():
            if isinstance(cls, type) and issubclass(cls, base) and cls is not base and \
                    cls.__module__ == mod.__name__:
                out[cname] = cls
    return out


def central(f, x, h):
    from tests.fd import fd_grad

    return np.asarray(fd_grad(f, (x,), 0, eps=h), dtype=float)


def close(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= TOL * max(
        1.0, float(np.max(np.abs(b))) if b.size else 1.0)))


def _finite(f, x):
    try:
        v = f(x.copy())
    except Exception:
        return False
    return np.ndim(v) == 0 and bool(np.isfinite(v))


def _ladder(f, x):
    """The reference from the step ladder (finest agreeing pair), or None."""
    prev = None
    for h in LADDER:
        g = central(f, x, h)
        if not np.all(np.isfinite(g)):
            return None
        if prev is not None and close(prev, g):
            return prev
        prev = g
    return None


def points(obj, f, rng):
    """(smooth points with references, candidates drawn but not smooth)."""
    lo, hi = np.array(obj.bounds, float).T
    pad = 0.01 * (hi - lo)
    good, rough = [], []
    for _ in range(DRAWS):
        x = rng.uniform(lo + pad, hi - pad)
        if not _finite(f, x):
            continue
        g6, g7 = central(f, x, 1e-6), central(f, x, 1e-7)
        if np.all(np.isfinite(g6)) and close(g7, g6):
            good.append((x, g6))
            if len(good) == POINTS:
                break
        else:
            rough.append(x)
    return good, rough


def _same(a, b):
    return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)


def check(cls, n=None):
    """(status, reason) for one benchmark class (at ``n`` dimensions if given)."""
    import ast_ad

    try:
        obj = cls()
        if n is not None:
            obj.change_dimensions(n)
    except Exception as e:
        return "skipped", f"cannot instantiate: {e}"
    f = obj.fun
    if "random" in inspect.getsource(cls.fun):
        return "skipped", "random"
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        rng = np.random.default_rng(SEED)
        try:
            good, rough = points(obj, f, rng)
        except Exception as e:
            return "skipped", f"fun fails: {type(e).__name__}: {e}"
        if not good and not rough:
            return "skipped", "fun is not finite at any drawn point"
        x0 = (good[0][0] if good else rough[0])
        if not _same(f(x0.copy()), f(x0.copy())):
            return "skipped", "random"
        status = "ok"
        if len(good) < POINTS:
            fine = [(x, _ladder(f, x)) for x in rough[:POINTS]]
            if all(r is not None for _, r in fine):
                good, status = fine, "ok_fine"
            else:
                good, status = [], "nonsmooth"
        try:
            g = ast_ad.grad(f)
            if status == "nonsmooth":
                for x in rough[:POINTS]:
                    g(x.copy())
                return "nonsmooth", ""
            laddered = status == "ok_fine"  # the references came from the ladder
            for x, ref in good:
                got = g(x.copy())
                if close(got, ref):
                    continue
                if not laddered:  # a staircase can pass the 1e-6/1e-7 test (floor(1e7 x))
                    fine = _ladder(f, x)
                    if fine is not None and close(got, fine):
                        status = "ok_fine"
                        continue
                return ("unverified" if laddered else "wrong", f"at {x}: {got} != {ref}")
        except ast_ad.AstAdError as e:
            return "refused", str(e).splitlines()[0]
        except Exception as e:
            return "crash", f"{type(e).__name__}: {e}"[:300]
    return status, ""


def reason(why):
    """A refusal's message without its location (for counting by reason)."""
    return re.sub(r"\s*\([^()]*:\d+\)\s*$", "", why)


def table(results):
    counts = {s: 0 for s in STATUSES}
    by_reason = {}
    for status, why in results.values():
        counts[status] += 1
        if status == "refused":
            r = reason(why)
            by_reason[r] = by_reason.get(r, 0) + 1
    return counts, by_reason


def report(title, results, verbose):
    counts, by_reason = table(results)
    print(f"\n## {title}: {len(results)} functions\n")
    print("| status | count |\n|---|---|")
    for s in STATUSES:
        print(f"| {s} | {counts[s]} |")
    smooth = sum(counts[s] for s in ("ok", "ok_fine", "refused", "crash", "wrong",
                                     "unverified"))
    ok = counts["ok"] + counts["ok_fine"]
    if smooth:
        print(f"\nchecked against finite differences: {smooth}, derived correctly {ok} "
              f"({100.0 * ok / smooth:.1f}%), wrong {counts['wrong']}, "
              f"crash {counts['crash']}, unverified {counts['unverified']}")
    if by_reason:
        print("\nrefused, by reason:")
        for r, k in sorted(by_reason.items(), key=lambda kv: -kv[1]):
            print(f"- {k} x {r}")
    for name, (status, why) in sorted(results.items()):
        if status in ("refused", "crash", "wrong", "unverified") or (
                verbose and status != "ok"):
            print(f"  {status:9s} {name}: {why}")
    return counts


def run(folder, verbose=True, extra=True):
    """{name: (status, why)} at the default dimensions, the counts, and (``extra``) the
    same at ``EXTRA_N`` dimensions for the classes that can change dimensionality."""
    classes = load(folder)
    results = {name: check(cls) for name, cls in classes.items()}
    more = {}
    if extra:
        for name, cls in classes.items():
            try:
                can = cls().change_dimensionality
            except Exception:
                can = False
            if can:
                more[name] = check(cls, EXTRA_N)
    counts, _ = table(results)
    if verbose:
        report("default dimensions", results, verbose == "all")
        if more:
            report(f"{EXTRA_N} dimensions (classes with change_dimensionality)", more,
                   verbose == "all")
    return results, counts, more


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    folder = args[0] if args else os.environ.get("AST_AD_GO_BENCH")
    if not folder or not os.path.isdir(folder):
        sys.exit("give the go_benchmark_functions folder (AST_AD_GO_BENCH or an argument)")
    run(folder, verbose="all" if "-v" in sys.argv else True)
