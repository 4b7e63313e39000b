"""Built-in derivative rules (importing this package registers them)."""

from . import (  # noqa: F401  (each module registers its rules in default_registry)
    builtins_rules,
    elementwise,
    fft,
    indexing,
    linalg_breadth,
    linalg_extra,
    linalg_more,
    numpy_breadth,
    numpy_extra,
    numpy_linalg,
    numpy_more,
    numpy_pairs,
    numpy_reductions,
    numpy_shape,
)
