"""``check_grad``: test a gradient against independent oracles, with a readable verdict.

::

    import numpy as np
    from ast_ad.testing import check_grad

    def loss(w, x):
        return np.sum(np.tanh(x @ w) ** 2)

    report = check_grad(loss, np.ones(3), np.eye(3), wrt=0)   # raises on a mismatch
    print(report)

It compares ``ast_ad.value_and_grad(f, wrt)`` with

- central finite differences (always; ``method="complex-step"`` adds the complex step,
  cross-checked against the finite differences), entry by entry, or along a few random
  directions for inputs over 1,000 elements (``projection``);
- the tape, ``ast_ad.tape.grad`` (``tape=False`` skips it);
- dual numbers, :mod:`ast_ad.dual`, when every differentiated argument is a scalar and
  ``f`` runs on them (skipped quietly otherwise; ``dual=False`` skips it);
- ``ast_ad.jvp`` when ``"fwd" in modes``, ``ast_ad.hessian`` when ``order=2``;

and checks that every gradient has the type, shape and dtype of its argument and that the
value returned with the gradient is ``f(*args)``.  A mismatch raises
:class:`ast_ad.GradientCheckError` whose message is a table of the worst entries per
argument (index, ast_ad, each oracle, abs/rel error, which oracle disagrees) and a hint
about what the pattern of disagreement means.  Success returns a :class:`GradCheckReport`.

Tolerances: an entry passes when ``|ast_ad - oracle| <= atol + rtol*|oracle|``, plus, for
finite differences, their own rounding noise (``32 * eps_machine * |f| / h``).  Gradients
in float32 (or float16) are compared with ``rtol >= 1e-4`` and ``atol >= 1e-5`` times the
largest gradient entry; their finite differences are computed in float64 (inputs upcast)
when ``f`` accepts that and returns float64, else in the input precision with a larger
step (the cube root of the dtype's machine epsilon).
"""

from __future__ import annotations

from .check import check_grad
from .report import CS, DUAL, FD, TAPE, ArgReport, GradCheckReport

__all__ = ["check_grad", "GradCheckReport", "ArgReport", "FD", "CS", "TAPE", "DUAL"]
