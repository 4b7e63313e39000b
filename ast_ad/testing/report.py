"""What ``check_grad`` reports: the report of a passing check, the comparison of one
oracle against ast_ad, and the tables and hints of a failing one."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import numpy as np

_PROJECTION_THRESHOLD = 1000  # inputs with more elements get random directions
_DIRECTIONS = 3  # how many random directions
_TOP = 5  # table rows per argument
_NOISE = 32.0  # finite-difference rounding noise: _NOISE * eps_machine * |f| / h
_LOW_RTOL, _LOW_ATOL = 1e-4, 1e-5  # floors for float32/float16 gradients
_CS_STEP = 1e-20

FD = "finite diff"
CS = "complex step"
TAPE = "tape"
DUAL = "dual"


# -- the report ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ArgReport:
    """How one differentiated argument fared."""

    name: str
    size: int
    dtype: str
    projected: bool  # checked along random directions instead of entry by entry
    max_abs_err: float  # over every oracle
    max_rel_err: float


@dataclass(frozen=True)
class GradCheckReport:
    """What ``check_grad`` checked (returned on success)."""

    function: str
    value: float
    method: str
    oracles: tuple  # the oracles that ran, e.g. ("finite diff", "tape", "dual")
    args: tuple  # one ArgReport per differentiated argument
    skipped: dict = field(default_factory=dict)  # oracle -> why it did not run

    def __str__(self):
        lines = [f"check_grad({self.function}): ok against {', '.join(self.oracles)}"]
        for a in self.args:
            how = f"{_DIRECTIONS} random directions" if a.projected else "entry by entry"
            lines.append(f"  {a.name} ({a.size} x {a.dtype}, {how}): max abs err "
                         f"{a.max_abs_err:.2e}, max rel err {a.max_rel_err:.2e}")
        for k, why in self.skipped.items():
            lines.append(f"  {k} skipped: {why}")
        return "\n".join(lines)

# -- comparisons ------------------------------------------------------------------------
@dataclass
class _Cmp:
    """One oracle against ast_ad (or against another oracle) over entries or directions."""

    table: str  # "entries" or "directions" or "jvp" or "hessian"
    name: str  # the column it fills / what "disagrees with" names
    a: np.ndarray  # ast_ad (or the first oracle)
    b: np.ndarray  # the oracle
    allowed: np.ndarray
    column: bool = True  # False: a cross-check between oracles, not a column of its own
    against: str = "ast_ad"

    def __post_init__(self):
        a, b = np.asarray(self.a, float), np.asarray(self.b, float)
        self.a, self.b = a, b
        with np.errstate(invalid="ignore"):
            err = np.abs(a - b)
        both_nan = np.isnan(a) & np.isnan(b)
        same_inf = np.isinf(a) & (a == b)
        err = np.where(both_nan | same_inf, 0.0, err)
        self.err = np.where(np.isnan(err), np.inf, err)
        with np.errstate(divide="ignore", invalid="ignore"):
            rel = self.err / np.abs(b)  # inf where the oracle is 0 and the error is not
        self.rel = np.where(self.err == 0, 0.0, rel)
        self.ratio = self.err / np.maximum(self.allowed, np.finfo(float).tiny)
        self.fails = self.ratio > 1.0


def _allowed(b, atol, rtol, low, extra=0.0):
    b = np.abs(np.asarray(b, float))
    if low:
        rtol = max(rtol, _LOW_RTOL)
        finite = b[np.isfinite(b)]
        atol = max(atol, _LOW_ATOL * (float(finite.max()) if finite.size else 0.0))
    return atol + rtol * np.where(np.isfinite(b), b, 0.0) + extra

def _fmt(x):
    return f"{x:.9g}" if np.isfinite(x) else str(x)


def _table(title, labels, cmps, first):
    """The worst rows (by error / allowed) across ``cmps`` as a fixed-width text table."""
    ratio = np.max([c.ratio for c in cmps], axis=0)
    failing = np.flatnonzero(np.max([c.fails for c in cmps], axis=0))
    order = failing[np.argsort(-ratio[failing], kind="stable")][:_TOP]
    cols = [c for c in cmps if c.column]
    header = ["index", first] + [c.name for c in cols] + ["abs err", "rel err", "disagrees with"]
    rows = []
    for i in order:
        worst = max(cmps, key=lambda c: c.ratio[i])
        who = [c.name for c in cmps if c.fails[i]]
        rows.append([labels[i], _fmt(cols[0].a[i] if cols else worst.a[i])]
                    + [_fmt(c.b[i]) for c in cols]
                    + [f"{worst.err[i]:.2e}", f"{worst.rel[i]:.2e}", ", ".join(who)])
    widths = [max(len(str(r[j])) for r in rows + [header]) for j in range(len(header))]
    line = lambda r: "    " + "  ".join(str(v).ljust(w) for v, w in zip(r, widths)).rstrip()
    n_fail = len(failing)
    out = [f"  {title}: {n_fail} of {len(labels)} disagree"
           + (f" (worst {len(order)} shown)" if n_fail > len(order) else ""),
           line(header)] + [line(r) for r in rows]
    return "\n".join(out)


def _hint(cmps):
    """What the pattern of disagreement suggests."""
    failed = {c.name for c in cmps if c.fails.any()}
    ran = {c.name for c in cmps}
    notes = []
    if FD in failed and TAPE in ran and TAPE not in failed:
        notes.append("ast_ad and the tape agree with each other but not with finite "
                     "differences: a derivative rule they share (the registry, e.g. one "
                     "registered with ast_ad.defvjp) is probably wrong, or f is not "
                     "differentiable at this point (abs/max/where at a tie)")
    elif TAPE in failed and FD in ran and FD not in failed:
        notes.append("ast_ad agrees with finite differences but the tape does not: "
                     "probably a tape bug (tape=False skips it)")
    elif FD in failed and TAPE not in ran:
        notes.append("ast_ad disagrees with finite differences: a derivative rule (e.g. one "
                     "registered with ast_ad.defvjp) or the transformation is wrong, or f is "
                     "not differentiable at this point; tape=True tells them apart")
    elif TAPE in failed and FD in failed:
        notes.append("ast_ad disagrees with both finite differences and the tape: look at "
                     "the generated code, print(ast_ad.source(ast_ad.grad(f, wrt=...)))")
    if f"{CS} vs {FD}" in failed:
        notes.append("the complex step disagrees with central differences: f is probably "
                     "not complex-analytic (abs, max, min, clip, sign, comparisons, np.real "
                     "accept complex input but give wrong derivatives); use method='central'")
    if DUAL in failed and not (failed - {DUAL}):
        notes.append("only the dual numbers disagree: ast_ad.dual probably lacks or "
                     "mis-states a derivative, or f takes another path on Dual inputs "
                     "(dual=False skips it)")
    return "".join("\n" + textwrap.fill(n, 96, initial_indent="    hint: ",
                                          subsequent_indent="          ", break_on_hyphens=False)
                   for n in notes)
