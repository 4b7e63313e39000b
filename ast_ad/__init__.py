"""ast_ad: automatic differentiation of plain Python/NumPy by source transformation."""

from . import rules as _rules  # noqa: F401  (registers the built-in rules)
from .errors import (
    AstAdError,
    GradientCheckError,
    NonScalarOutputError,
    NoRuleError,
    SourceUnavailableError,
    UnsupportedConstructError,
)
from .rules.registry import Registry, default_registry, defjvp, defvjp, nondifferentiable

__all__ = [
    "AstAdError",
    "GradientCheckError",
    "NonScalarOutputError",
    "NoRuleError",
    "SourceUnavailableError",
    "UnsupportedConstructError",
    "Registry",
    "default_registry",
    "defjvp",
    "defvjp",
    "nondifferentiable",
]
from .api import GradientFunction, grad, source, value_and_grad  # noqa: E402
from .runtime import stop_gradient  # noqa: E402

__all__ += ["GradientFunction", "grad", "source", "value_and_grad", "stop_gradient"]
