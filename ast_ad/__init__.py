"""ast_ad: automatic differentiation of plain Python/NumPy by source transformation."""

__version__ = "0.1.0"

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
from . import derived as _derived  # noqa: E402,F401  (user rules at second order)
from . import grad_calls as _grad_calls  # noqa: E402,F401  (rules of gradient objects called inside)
from .api import GradientFunction  # noqa: E402
from .custom import custom_jvp, custom_vjp  # noqa: E402
from .entry import grad, source, value_and_grad  # noqa: E402
from .forward_api import derivative, hessian, hvp, jacobian, jvp, vjp  # noqa: E402
from .passes.analysis.calls import user_code  # noqa: E402
from .passes.checkpoint import checkpointed  # noqa: E402
from .passes.checkpoint_calls import checkpoint  # noqa: E402
from .runtime import stop_gradient  # noqa: E402

__all__ += ["checkpoint", "checkpointed", "custom_jvp", "custom_vjp", "export", "graph"]
__all__ += ["GradientFunction", "grad", "source", "value_and_grad", "stop_gradient",
            "user_code", "derivative", "hessian", "hvp", "jacobian", "jvp", "vjp"]


def __getattr__(name):
    """Lazy exports: ``ast_ad.check_grad``, ``ast_ad.tape``, ``ast_ad.dual``, ``ast_ad.testing``."""
    import importlib

    if name == "export":
        return importlib.import_module(".exporting", __name__).export
    if name == "graph":
        return importlib.import_module(".graphs", __name__).graph
    if name == "check_grad":
        return importlib.import_module(".testing", __name__).check_grad
    if name in ("tape", "dual", "testing"):
        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module 'ast_ad' has no attribute {name!r}")
