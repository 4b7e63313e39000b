"""Execution engines for generated gradients beyond plain NumPy.

- :mod:`.arrays`: what counts as an array of another library (CuPy, Dask, any type that
  implements NumPy's dispatch protocols); the runtime helpers use it so generated code
  runs unchanged on such arrays (nothing here imports those libraries);
- :mod:`.numba`: ``ast_ad.grad(f, backend="numba")`` compiles the generated gradient
  with ``numba.njit`` (numba is an optional extra, imported only when asked for).
"""

from .arrays import is_array, is_array_type  # noqa: F401

BACKENDS = ("python", "numba")
