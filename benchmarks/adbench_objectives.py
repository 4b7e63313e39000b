"""ADBench's own Autograd objectives, differentiated by ast_ad as a user would.

ADBench (microsoft/ADBench) is not shipped here.  Point this script at a folder holding
its objective files, with ``import autograd.numpy as np`` replaced by plain NumPy:

    python -m benchmarks.adbench_objectives /tmp/adbench_src
    AST_AD_ADBENCH=/tmp/adbench_src python -m benchmarks.adbench_objectives

Expected files (each one skipped when absent): ``gmm_objective.py`` (tools/Autograd) and
``ba_objective.py`` (the objective section of tools/Autograd/Autograd_ba.py, whose
``cross`` loses its autograd ``@primitive`` decorator).  Each objective gets small
random inputs from a fixed seed; ast_ad's gradient (GMM) or jacobian (the BA residual
for one observation, and the whole BA residual block) is compared with central
differences.  Each row reads ok / wrong / refused (with the message) / crash.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import traceback

import numpy as np

ENV = "AST_AD_ADBENCH"


def _load(folder, name):
    path = os.path.join(folder, name + ".py")
    if not os.path.exists(path):
        return None
    spec = importlib.util.spec_from_file_location("adbench_" + name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _fd(f, args, w, eps=1e-6):
    """Central differences of ``f`` (scalar or array out) w.r.t. ``args[w]``."""
    base = np.asarray(args[w], dtype=float)
    cols = []
    for idx in np.ndindex(base.shape):
        hi, lo = list(args), list(args)
        hi[w], lo[w] = base.copy(), base.copy()
        hi[w][idx] += eps
        lo[w][idx] -= eps
        cols.append((np.asarray(f(*hi)) - np.asarray(f(*lo))) / (2 * eps))
    out = np.stack(cols, axis=-1)
    return out.reshape(np.shape(f(*args)) + base.shape)


def _compare(got, want, tol=1e-5):
    got = np.asarray(got, dtype=float)
    if got.shape != want.shape:
        return f"wrong: shape {got.shape} vs {want.shape}"
    err = np.max(np.abs(got - want) / np.maximum(1.0, np.abs(want))) if want.size else 0.0
    return ("ok" if err < tol else "wrong") + f" (max rel err {err:.1e})"


def _run(label, thunk):
    from ast_ad import AstAdError

    try:
        return thunk()
    except AstAdError as e:
        return "refused: " + " ".join(str(e).split())[:300]
    except Exception as e:  # noqa: BLE001 - a crash is a row of the table
        tb = traceback.extract_tb(e.__traceback__)[-1]
        return f"crash: {type(e).__name__}: {e} (at {tb.filename}:{tb.lineno})"[:300]


def gmm_rows(mod):
    import ast_ad

    rng = np.random.default_rng(0)
    n, k, d = 5, 3, 3
    args = [rng.standard_normal(k), rng.standard_normal((k, d)),
            0.3 * rng.standard_normal((k, d + d * (d - 1) // 2)),
            rng.standard_normal((n, d)), 1.0, 0]
    f = mod.gmm_objective

    def one(w):
        g = ast_ad.grad(f, wrt=w)(*args)
        return _compare(g, _fd(f, args, w))

    names = ["alphas", "means", "icf"]
    rows = [(f"gmm d/d{names[w]}", _run(names[w], lambda w=w: one(w))) for w in range(3)]

    def together():
        g = ast_ad.grad(f, wrt=(0, 1, 2))(*args)
        return "; ".join(_compare(g[w], _fd(f, args, w)).split(" (")[0] for w in range(3))

    rows.append(("gmm d/d(alphas, means, icf)", _run("all", together)))
    return rows


def ba_rows(mod):
    import ast_ad

    rng = np.random.default_rng(1)
    ncam, npt, nobs = 2, 3, 4
    cams = 0.2 * rng.standard_normal((ncam, mod.BA_NCAMPARAMS))
    cams[:, mod.F_IDX] = 1.0 + 0.1 * rng.random(ncam)
    X = rng.standard_normal((npt, 3))
    X[:, 2] += 5.0  # points in front of the cameras
    w = 1.0 + 0.1 * rng.standard_normal(nobs)
    obs = np.stack([rng.integers(0, ncam, nobs), rng.integers(0, npt, nobs)], axis=1)
    feats = rng.standard_normal((nobs, 2))
    rows = []

    # What ADBench's Autograd version differentiates: one observation's 2 residuals
    # w.r.t. its 15 parameters (camera, point, weight).
    params = np.hstack((cams[obs[0, 0]], X[obs[0, 1]], w[0]))
    wrap = mod.compute_reproj_err_wrapper

    def per_obs(mode):
        J = ast_ad.jacobian(wrap, wrt=0, mode=mode)(params, feats[0])
        return _compare(J, _fd(wrap, [params, feats[0]], 0))

    for mode in ("forward", "reverse"):
        rows.append((f"ba reproj_err jacobian ({mode})", _run("ba", lambda m=mode: per_obs(m))))

    zero = np.hstack((np.zeros(3), params[3:]))  # the sqtheta == 0 branch

    def at_zero():
        J = ast_ad.jacobian(wrap, wrt=0)(zero, feats[0])
        return _compare(J, _fd(wrap, [zero, feats[0]], 0))

    rows.append(("ba reproj_err jacobian (rot = 0)", _run("ba0", at_zero)))

    def whole(wi, name):
        args = [cams, X, w, obs, feats]

        def reproj(*a):
            return mod.ba_objective(*a)[0]

        J = ast_ad.jacobian(reproj, wrt=wi)(*args)
        return _compare(J, _fd(reproj, args, wi))

    for wi, name in ((0, "cams"), (1, "X"), (2, "w")):
        rows.append((f"ba_objective reproj_err d/d{name}",
                     _run(name, lambda wi=wi, name=name: whole(wi, name))))

    def werr():
        def f(w):
            return mod.ba_objective(cams, X, w, obs, feats)[1]

        J = ast_ad.jacobian(f)(w)
        return _compare(J, _fd(f, [w], 0))

    rows.append(("ba_objective w_err d/dw", _run("werr", werr)))
    return rows


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    folder = argv[0] if argv else os.environ.get(ENV)
    if not folder or not os.path.isdir(folder):
        print(f"ADBench objectives: skipped (give a folder or set {ENV})")
        return 0
    rows = []
    for name, build in (("gmm_objective", gmm_rows), ("ba_objective", ba_rows)):
        mod = _load(folder, name)
        if mod is None:
            rows.append((name, "skipped (file absent)"))
            continue
        rows.extend(build(mod))
    for name in ("hand_objective", "lstm_objective"):
        if _load(folder, name) is None:
            rows.append((name, "skipped (file absent)"))
    width = max(len(r[0]) for r in rows)
    for label, res in rows:
        print(f"{label:<{width}}  {res}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
