"""Engines the benchmark times: the hand-written gradient, ast_ad, and the peers.

Each engine turns a workload into a ``Prepared``: a ``call`` that is timed, the
arguments it is timed with, and ``to_numpy`` that turns its result into NumPy values
(floats for scalars, a tuple per wrt argument) to verify against the hand gradient.

What is timed, per peer (the way each is used in practice):

- ast_ad, autograd, tangent-ad and the hand gradient take and return NumPy arrays
  (Python floats for W1/T0): the timed call is the gradient call, nothing more.
- jax: input arrays are converted to JAX arrays once, before timing (data lives in JAX
  arrays in a JAX program); Python floats are passed as they are. The timed call is the
  gradient call followed by ``jax.block_until_ready``, so asynchronous dispatch cannot
  hide work. Converting the result back to NumPy is not timed.
- torch: inputs become float64 tensors once, before timing (the wrt ones with
  ``requires_grad``). The timed call runs the torch version of the function and
  ``torch.autograd.grad`` on its result (the forward pass is part of every gradient, as
  for every other engine). Converting the result back to NumPy is not timed.

An engine whose package is not installed is skipped ("not installed" in its cells); one
that imports but cannot be used (ast_ad without ``grad`` yet), or that raises on a
workload, shows ``failed: <reason>``; neither stops the run.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import io
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import workloads as W


@dataclass
class Prepared:
    call: Callable  # timed: call(*args) -> the engine's own result, computed and ready
    args: tuple
    to_numpy: Callable  # result -> tuple of numpy values, one per wrt argument


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _short(exc: BaseException) -> str:
    msg = str(exc).strip().splitlines()
    first = next((line.strip() for line in msg if line.strip()), "")
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return text[:100]


@contextlib.contextmanager
def _quiet():
    """Swallow what a peer prints while it transforms (tangent-ad prints banners)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        yield


def _numpy_tuple(result, wl: W.Workload) -> tuple:
    vals = W.as_tuple(result, wl)
    return tuple(float(v) if np.ndim(v) == 0 else np.asarray(v) for v in vals)


def _rebind(fn, namespace_np):
    """``fn`` re-created from its own code with the global ``np`` bound to another
    NumPy-like module (autograd.numpy, jax.numpy): the same function, the peer's arrays."""
    import types

    glb = dict(fn.__globals__)
    glb["np"] = namespace_np
    new = types.FunctionType(fn.__code__, glb, fn.__name__, fn.__defaults__, fn.__closure__)
    new.__qualname__ = fn.__qualname__
    new.__module__ = fn.__module__
    return new


class Engine:
    """One way of computing a workload's gradient.

    ``build(wl)`` makes the gradient callable (for source transformers this is where the
    transformation happens, or is deferred to the first call); ``convert`` turns the NumPy
    inputs into the engine's own arrays once, before timing; ``to_numpy`` turns a result
    into a tuple of NumPy values (floats for scalars), one per wrt argument.
    """

    key = ""  # short name used on the command line and in JSON
    label = ""  # table column
    dist = ""  # distribution name for the version
    tracks_memory = True  # tracemalloc sees NumPy's allocations, not jax's or torch's

    def load(self) -> None:
        """Import the package; raise if it is not usable."""

    def version(self) -> str:
        return _version(self.dist) if self.dist else ""

    def build(self, wl: W.Workload) -> Callable:  # pragma: no cover
        raise NotImplementedError

    def convert(self, wl: W.Workload, inputs: tuple) -> tuple:
        return inputs

    def to_numpy(self, wl: W.Workload, result) -> tuple:
        return _numpy_tuple(result, wl)

    def prepare(self, wl: W.Workload, inputs: tuple) -> Prepared:
        call = self.build(wl)
        return Prepared(call, self.convert(wl, inputs), lambda r: self.to_numpy(wl, r))


class Function(Engine):
    """The workload itself (for gradient time / function time)."""

    key, label = "f", "function"

    def build(self, wl):
        return wl.fn

    def to_numpy(self, wl, result):
        return (result,)


class Hand(Engine):
    key, label = "hand", "hand"

    def build(self, wl):
        return wl.hand


class AstAd(Engine):
    key, label, dist = "ast_ad", "ast_ad", "ast_ad"

    def load(self):
        import ast_ad

        if not hasattr(ast_ad, "grad"):
            raise ImportError("ast_ad.grad is not there yet")

    def version(self):
        import ast_ad

        return getattr(ast_ad, "__version__", None) or _version("ast_ad")

    def build(self, wl):
        import ast_ad

        return ast_ad.grad(wl.fn, wrt=wl.wrt_arg)


class Autograd(Engine):
    key, label, dist = "autograd", "autograd", "autograd"

    def load(self):
        import autograd  # noqa: F401

    def build(self, wl):
        import autograd
        import autograd.numpy as anp

        return autograd.grad(_rebind(wl.fn, anp), wl.wrt_arg)


#: the workloads the JAX engines trace as written (the benchmark issue's six)
_TRACEABLE = frozenset({"W1", "W2", "W3", "W4", "W5", "T0"})


class _Jax(Engine):
    dist = "jax"
    jit = False
    tracks_memory = False

    def load(self):
        import jax

        jax.config.update("jax_enable_x64", True)

    def version(self):
        return f"{_version('jax')} (jaxlib {_version('jaxlib')})"

    def build(self, wl):
        import jax
        import jax.numpy as jnp

        if wl.name not in _TRACEABLE and (self.jit or wl.name not in _EAGER_LOOPS):
            # element loops under jit are unrolled (thousands of traced steps): their
            # lax.fori_loop rewrites are timed in numba_vs_jax.py; W7 writes entries
            # (jnp arrays take none), W11 calls math.sin (no tracer): as written, they fail
            raise NotImplementedError(
                "element loop: its lax.fori_loop rewrite is timed in numba_vs_jax.py"
                if self.jit else "cannot run as written (entry writes / math.sin)")
        g = jax.grad(_rebind(wl.fn, jnp), argnums=wl.wrt_arg)
        if self.jit:
            g = jax.jit(g)
        block = jax.block_until_ready

        def call(*a):
            return block(g(*a))

        return call

    def convert(self, wl, inputs):
        import jax
        import jax.numpy as jnp

        return jax.block_until_ready(
            tuple(a if isinstance(a, float) else jnp.asarray(a) for a in inputs)
        )

    def to_numpy(self, wl, result):
        import jax

        return _numpy_tuple(jax.device_get(result), wl)


#: element-loop workloads jax.grad (no jit) runs as written, re-bound to jax.numpy
_EAGER_LOOPS = frozenset({"W6", "W8", "W9"})


class JaxGrad(_Jax):
    key, label = "jax_grad", "jax.grad (no jit)"


class JaxJit(_Jax):
    key, label, jit = "jax_jit", "jax.jit", True


# torch versions of the workloads: the same computations written with torch's API
def _torch_fns():
    import torch

    f64 = torch.float64

    def w1(x):
        s = 0.0
        p = x
        for i in range(100):
            p = torch.sin(p) * 0.9 + x * 0.1
            s = s + p * p
        return s

    def w2(w, X, y):
        m = y * torch.mv(X, w)
        return torch.mean(torch.log1p(torch.exp(-m)))

    def w3(W1, W2, X, Y):
        h = torch.tanh(torch.mm(X, W1))
        z = torch.mm(h, W2)
        zmax = torch.amax(z, dim=1, keepdim=True)
        lse = zmax + torch.log(torch.sum(torch.exp(z - zmax), dim=1, keepdim=True))
        return -torch.sum(Y * (z - lse)) / X.shape[0]

    def w4(Wx, Wh, Wo, xs, target):
        h = torch.zeros((xs.shape[1], Wh.shape[0]), dtype=f64)
        for t in range(xs.shape[0]):
            h = torch.tanh(torch.mm(xs[t], Wx) + torch.mm(h, Wh))
        d = torch.mm(h, Wo) - target
        return torch.sum(d * d)

    def w5(x):
        return torch.sum(torch.sin(x) * torch.exp(x * -0.5))

    def t0(x):
        return x * x

    # the element-loop workloads, line for line with torch calls (a rewrite)
    def w6(x):
        s = 0.0
        for i in range(x.shape[0]):
            s = s + x[i] * x[i]
        return s

    def w7(u, k):
        for t in range(10):
            new = u.clone()
            for i in range(1, u.shape[0] - 1):
                new[i] = u[i] + k * (u[i - 1] - 2.0 * u[i] + u[i + 1])
            u = new
        return torch.sum(u * u)

    def w8(means, log_sig, logits, X):
        d = X.shape[1]
        lw = logits - torch.log(torch.sum(torch.exp(logits)))
        total = 0.0
        for i in range(X.shape[0]):
            acc = 0.0
            for k in range(means.shape[0]):
                diff = X[i] - means[k]
                q = torch.sum(diff * diff) * torch.exp(-2.0 * log_sig[k])
                acc = acc + torch.exp(lw[k] - 0.5 * q - d * log_sig[k])
            total = total + torch.log(acc)
        return total

    def rhs(y, theta):
        return torch.stack([y[1], theta[0] * (1.0 - y[0] * y[0]) * y[1] - theta[1] * y[0]])

    def w9(theta, y0):
        y = y0
        h = 0.01
        for t in range(200):
            k1 = rhs(y, theta)
            k2 = rhs(y + 0.5 * h * k1, theta)
            k3 = rhs(y + 0.5 * h * k2, theta)
            k4 = rhs(y + h * k3, theta)
            y = y + (h / 6.0) * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
        return y[0] * y[0] + y[1] * y[1]

    def w11(y, c):
        for i in range(200000):
            y = c * y + 0.001 * torch.sin(y)
        return y

    return {"W1": w1, "W2": w2, "W3": w3, "W4": w4, "W5": w5, "T0": t0, "W6": w6,
            "W7": w7, "W8": w8, "W9": w9, "W11": w11}


class Torch(Engine):
    key, label, dist = "torch", "torch eager", "torch"
    tracks_memory = False

    def load(self):
        import torch

        torch.set_num_threads(1)
        with contextlib.suppress(RuntimeError):  # settable only before first parallel use
            torch.set_num_interop_threads(1)
        self._fns = _torch_fns()

    def build(self, wl):
        import torch

        f = self._fns.get(wl.name)
        if f is None:
            raise NotImplementedError(f"no torch version of {wl.name} written")
        autograd_grad = torch.autograd.grad
        wrt = wl.wrt
        if len(wrt) == 1:
            (i,) = wrt

            def call(*a):
                return autograd_grad(f(*a), a[i])

        else:

            def call(*a):
                return autograd_grad(f(*a), [a[i] for i in wrt])

        return call

    def convert(self, wl, inputs):
        import torch

        return tuple(
            torch.tensor(a, dtype=torch.float64, requires_grad=(i in wl.wrt))
            for i, a in enumerate(inputs)
        )

    def to_numpy(self, wl, result):
        vals = tuple(t.detach().numpy() for t in result)
        return tuple(float(v) if v.ndim == 0 else v for v in vals)


class Tangent(Engine):
    key, label, dist = "tangent", "tangent-ad", "tangent-ad"

    def load(self):
        with _quiet():
            import tangent  # noqa: F401

    def build(self, wl):
        import tangent

        with _quiet():
            return tangent.grad(wl.fn, wrt=wl.wrt)


ENGINES = [Function(), Hand(), AstAd(), Tangent(), Autograd(), JaxGrad(), JaxJit(), Torch()]
BY_KEY = {e.key: e for e in ENGINES}
# columns of the ratio table, in the order
RATIO_COLUMNS = ["tangent", "autograd", "jax_grad", "jax_jit", "torch", "ast_ad"]


def load_engines(keys) -> dict:
    """Import each engine; returns {key: None if usable else the reason it is not}."""
    status = {}
    for key in keys:
        eng = BY_KEY[key]
        try:
            eng.load()
            status[key] = None
        except Exception as exc:  # noqa: BLE001  (a broken install is reported, not fatal)
            status[key] = "not installed" if isinstance(exc, ModuleNotFoundError) else _short(exc)
    return status


def agree(got: tuple, want: tuple, rtol: float = 1e-6) -> str | None:
    """None if ``got`` matches ``want`` entry by entry, else what is wrong."""
    if len(got) != len(want):
        return f"{len(got)} gradients, expected {len(want)}"
    for g, w in zip(got, want):
        if np.shape(g) != np.shape(w):
            return f"shape {np.shape(g)}, expected {np.shape(w)}"
        g = np.asarray(g, dtype=np.float64)
        w = np.asarray(w, dtype=np.float64)
        if not np.all(np.isfinite(g)):
            return "non-finite gradient"
        scale = np.max(np.abs(w)) if w.size else 0.0
        # elementwise relative tolerance, with a floor of rtol * 1e-3 * max|w| so that
        # entries that are zero up to rounding do not fail the check
        excess = np.abs(g - w) - rtol * (np.abs(w) + 1e-3 * scale)
        if np.any(excess > 0):
            rel = np.max(np.abs(g - w) / (np.abs(w) + 1e-3 * scale + 1e-300))
            return f"max rel err {rel:.1e}"
    return None


def environment_lines() -> list[str]:
    """Versions and threading, for the report."""
    import platform

    lines = [
        f"python {platform.python_version()}, numpy {np.__version__}, {platform.platform()}",
        (
            f"BLAS threads: OMP={os.environ.get('OMP_NUM_THREADS')}, "
            f"OPENBLAS={os.environ.get('OPENBLAS_NUM_THREADS')}, "
            f"MKL={os.environ.get('MKL_NUM_THREADS')}"
        ),
    ]
    try:
        blas = np.__config__.CONFIG["Build Dependencies"]["blas"]
        lines.append(f"numpy BLAS: {blas.get('name')} {blas.get('version')}")
    except (AttributeError, KeyError, TypeError):
        lines.append("numpy BLAS: unknown")
    if "jax" in sys.modules:
        lines.append(f"XLA_FLAGS: {os.environ.get('XLA_FLAGS')}")
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        lines.append(
            f"torch threads: intra-op {torch.get_num_threads()}, "
            f"inter-op {torch.get_num_interop_threads()}"
        )
    return lines


def cpu_model() -> str:
    """The CPU's model name, with family/model numbers (VMs often show a generic name)."""
    info = {}
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                key, _, val = line.partition(":")
                key = key.strip()
                if key in ("model name", "cpu family", "model") and key not in info:
                    info[key] = val.strip()
    except OSError:
        pass
    if "model name" not in info:
        import platform

        return platform.processor() or platform.machine()
    extra = ", ".join(f"{k} {info[k]}" for k in ("cpu family", "model") if k in info)
    return f"{info['model name']} ({extra})" if extra else info["model name"]


if __name__ == "__main__":  # pragma: no cover
    print("run the benchmark with: python -m benchmarks.run", file=sys.stderr)
