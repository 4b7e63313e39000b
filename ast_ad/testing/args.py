"""The differentiated arguments of ``check_grad``, flattened to float64 vectors and back,
and checks of the structure of gradients and outputs."""

from __future__ import annotations

import numpy as np

from ..errors import AstAdError, NonScalarOutputError


# -- differentiated arguments, flattened ----------------------------------------------------
class _Arg:
    """A differentiated argument as one float64 vector (its leaves in order) and back."""

    def __init__(self, name, value):
        self.name = name
        self.value = value
        self.leaves = []  # (label, leaf)
        self._walk(value, name)
        self.labels = []
        for label, leaf in self.leaves:
            if isinstance(leaf, np.ndarray) and leaf.ndim:
                self.labels += [f"{label}[{', '.join(map(str, i))}]"
                                for i in np.ndindex(leaf.shape)]
            else:
                self.labels.append(label)
        self.flat = self.flatten(value)
        self.size = self.flat.size
        dts = [_dtype(leaf) for _, leaf in self.leaves]
        self.dtype = max(dts, key=lambda d: np.finfo(d).eps) if dts else np.dtype(float)
        self.low = np.finfo(self.dtype).eps > 1e-10  # float32/float16

    def _walk(self, x, label):
        if isinstance(x, (list, tuple)) and type(x) in (list, tuple):
            for i, e in enumerate(x):
                self._walk(e, f"{label}[{i}]")
        elif isinstance(x, dict):
            for k, v in x.items():
                self._walk(v, f"{label}[{k!r}]")
        elif _is_real_number(x) or (isinstance(x, np.ndarray) and x.dtype.kind in "fiu"):
            self.leaves.append((label, x))
        else:
            raise AstAdError(
                f"check_grad: {label} is a {type(x).__name__}; check_grad differentiates "
                "real floats, ints and arrays, and lists/tuples/dicts of them"
            )

    def flatten(self, x):
        parts = [np.ravel(np.asarray(leaf, dtype=np.float64)) for leaf in _leaves_of(x)]
        return np.concatenate(parts) if parts else np.zeros(0)

    def flatten_grad(self, g):
        """A gradient ``g`` of this argument flattened, or None when it does not flatten to
        this argument's size."""
        try:
            fg = self.flatten(g)
        except (TypeError, ValueError):
            return None
        return fg if fg.size == self.size else None

    def build(self, vec, mode="native"):
        """A value of this argument's structure holding ``vec``.

        mode "native": the argument's own dtypes (ints become floats); "float64": float64
        throughout; "complex": complex128 throughout.
        """
        it = iter(range(len(self.leaves)))
        pos = [0]

        def rebuild(x):
            if isinstance(x, (list, tuple)) and type(x) in (list, tuple):
                return type(x)(rebuild(e) for e in x)
            if isinstance(x, dict):
                return {k: rebuild(v) for k, v in x.items()}
            next(it)
            n = int(np.size(x))
            seg = vec[pos[0]:pos[0] + n]
            pos[0] += n
            if mode == "complex":
                dt = np.dtype(complex)
            elif mode == "float64":
                dt = np.dtype(float)
            else:
                dt = _dtype(x)
            if isinstance(x, np.ndarray):
                return seg.astype(dt).reshape(x.shape)
            if isinstance(x, np.generic) and mode == "native":
                return dt.type(seg[0])
            return complex(seg[0]) if mode == "complex" else float(seg[0])

        return rebuild(self.value)


def _is_real_number(x):
    return isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)


def _dtype(leaf):
    """The dtype a leaf's gradient has: its own if inexact, else float64."""
    dt = np.asarray(leaf).dtype
    return dt if dt.kind == "f" else np.dtype(float)


def _leaves_of(x):
    if isinstance(x, (list, tuple)):
        for e in x:
            yield from _leaves_of(e)
    elif isinstance(x, dict):
        for v in x.values():
            yield from _leaves_of(v)
    else:
        yield x


def _structure_problems(g, x, label):
    """Where the gradient ``g`` does not have the type/shape/dtype of its argument ``x``."""
    if isinstance(x, (list, tuple)) and type(x) in (list, tuple):
        if type(g) is not type(x) or len(g) != len(x):
            return [f"{label}: expected a {type(x).__name__} of {len(x)}, got {_describe(g)}"]
        return [p for i, (gi, xi) in enumerate(zip(g, x))
                for p in _structure_problems(gi, xi, f"{label}[{i}]")]
    if isinstance(x, dict):
        if not isinstance(g, dict) or set(g) != set(x):
            return [f"{label}: expected a dict with keys {sorted(x)}, got {_describe(g)}"]
        return [p for k in x for p in _structure_problems(g[k], x[k], f"{label}[{k!r}]")]
    if isinstance(x, np.ndarray):
        want = _dtype(x)
        if not isinstance(g, np.ndarray) or g.shape != x.shape or g.dtype != want:
            return [f"{label}: expected an ndarray of shape {x.shape} and dtype {want}, "
                    f"got {_describe(g)}"]
        return []
    if isinstance(x, np.floating) and not isinstance(x, np.float64):
        if type(g) is not type(x):
            return [f"{label}: expected a {type(x).__name__}, got {_describe(g)}"]
        return []
    if not isinstance(g, float) or isinstance(g, np.ndarray):
        return [f"{label}: expected a float (the gradient of a {type(x).__name__}), "
                f"got {_describe(g)}"]
    return []


def _describe(g):
    if isinstance(g, np.ndarray):
        return f"an ndarray of shape {g.shape} and dtype {g.dtype}"
    if isinstance(g, (list, tuple)):
        return f"a {type(g).__name__} of {len(g)}"
    return f"a {type(g).__name__} ({g!r})"


def _scalar(out, what):
    """The scalar ``f`` returned (complex kept), or NonScalarOutputError."""
    if np.ndim(out) != 0 or not isinstance(out, (int, float, complex, np.number, np.ndarray)):
        shape = getattr(out, "shape", None)
        raise NonScalarOutputError(
            f"check_grad needs {what} to return a scalar, but it returned "
            + (f"an array of shape {shape}" if shape is not None else f"a {type(out).__name__}")
        )
    return out[()] if isinstance(out, np.ndarray) else out


def _finfo_eps(x):
    dt = np.asarray(x).dtype
    return float(np.finfo(dt).eps) if dt.kind in "fc" else float(np.finfo(float).eps)

def _as_number(v):
    v = v[()] if isinstance(v, np.ndarray) else v
    return v.item() if isinstance(v, np.generic) else v


def _where(f):
    name = getattr(f, "__qualname__", None) or getattr(f, "__name__", None) or repr(f)
    code = getattr(f, "__code__", None)
    if code is not None:
        return f"{name} ({code.co_filename}:{code.co_firstlineno})"
    return name

