"""pytest plugin (entry point ``pytest11``): the ``assert_grads`` fixture and the
``ast_ad`` marker.

::

    import numpy as np

    def loss(w):
        return np.sum(np.tanh(w) ** 2)

    def test_loss_gradient(assert_grads):
        assert_grads(loss, np.linspace(-1, 1, 7))              # float64 tolerances
        assert_grads(loss, np.ones(3, dtype=np.float32))        # float32 tolerances

    @pytest.mark.ast_ad(tape=False, rtol=1e-5)                  # defaults for this test
    def test_other(assert_grads):
        ...

``assert_grads(f, *args, wrt=0, **opts)`` runs :func:`ast_ad.testing.check_grad` with
tolerances picked from the lowest floating precision among the arguments (float64:
``rtol=1e-6, atol=1e-9``; float32: ``rtol=1e-3, atol=1e-5``; float16: ``rtol=3e-2,
atol=1e-3``), which ``@pytest.mark.ast_ad(...)`` and then ``opts`` override.  A mismatch
fails the test with check_grad's table; every report is kept in ``assert_grads.reports``
and recorded in the test's ``user_properties`` (junit XML).
"""

from __future__ import annotations

import pytest

__all__ = ["assert_grads", "tolerances_for", "GradAsserter"]

#: (rtol, atol) by the lowest floating precision among the arguments
TOLERANCES = {
    "float64": (1e-6, 1e-9),
    "float32": (1e-3, 1e-5),
    "float16": (3e-2, 1e-3),
}


def _float_dtypes(x, out):
    import numpy as np

    if isinstance(x, (list, tuple)):
        for e in x:
            _float_dtypes(e, out)
    elif isinstance(x, dict):
        for v in x.values():
            _float_dtypes(v, out)
    elif isinstance(x, (np.ndarray, np.floating)) and x.dtype.kind == "f":
        out.append(x.dtype)
    elif isinstance(x, float):
        out.append(np.dtype(float))
    return out


def tolerances_for(*args) -> dict:
    """``{"rtol": ..., "atol": ...}`` for the lowest float precision among ``args``."""
    import numpy as np

    dts = _float_dtypes(args, [])
    if not dts:
        name = "float64"
    else:
        name = max(dts, key=lambda d: np.finfo(d).eps).name
    rtol, atol = TOLERANCES.get(name, TOLERANCES["float16"])
    return {"rtol": rtol, "atol": atol}


class GradAsserter:
    """The ``assert_grads`` fixture's value: call it like ``check_grad``."""

    def __init__(self, defaults=None, node=None):
        self.defaults = dict(defaults or {})
        self.node = node
        self.reports = []

    def __call__(self, f, *args, wrt=0, **opts):
        from .errors import GradientCheckError
        from .testing import check_grad

        kw = opts.get("kwargs") or {}
        options = tolerances_for(*args, *kw.values())
        options.update(self.defaults)
        options.update(opts)
        __tracebackhide__ = True
        try:
            report = check_grad(f, *args, wrt=wrt, **options)
        except GradientCheckError as e:  # the table alone, without check_grad's frames
            raise GradientCheckError(str(e)) from None
        self.reports.append(report)
        if self.node is not None:
            self.node.user_properties.append(("ast_ad.check_grad", str(report)))
        return report


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "ast_ad(**options): default check_grad options (rtol, atol, tape, method...) for "
        "the assert_grads fixture in this test",
    )


@pytest.fixture
def assert_grads(request):
    """``assert_grads(f, *args, wrt=0, **opts)``: ast_ad.testing.check_grad with
    tolerances picked from the arguments' dtypes; fails the test with check_grad's table."""
    defaults = {}
    for mark in reversed(list(request.node.iter_markers("ast_ad"))):
        defaults.update(mark.kwargs)
    return GradAsserter(defaults, request.node)
