"""CI size of the soundness-family sweep (tests/differential/families.py).

Per family, ``AST_AD_FAMILY_EXAMPLES`` programs (30 unless set), derandomized, each
differentiated by ``ast_ad.grad`` (or the program's mode) and by the tape, and compared
with finite differences at two step sizes (tests/differential/family_harness.py). A
test fails on any crash, silent mismatch or modified input of the transformer, and on
any silent mismatch or modified input of the tape; refusals are allowed (their rate is
in the failure message and in docs/soundness_sweep.md). Bigger runs::

    python -m tests.differential.family_sweep --n 10000
"""

from __future__ import annotations

import os

import pytest

from .families import FAMILIES
from .family_harness import FAILURES, TAPE_FAILURES
from .family_sweep import report, run_family


def _examples():
    return int(os.environ.get("AST_AD_FAMILY_EXAMPLES", "30"))


_RESULTS = {}


def _result(family):
    if family not in _RESULTS:
        _RESULTS[family] = run_family(family, _examples())
    return _RESULTS[family]


@pytest.mark.parametrize("family", FAMILIES)
def test_family(family):
    """The transformer: right or refused, never silently wrong, never crashing."""
    result = _result(family)
    counts = result["counts"]
    bad = {k: counts[k] for k in FAILURES if counts.get(k)}
    assert not bad, f"{family}: {bad}\n" + report([result], top=5)


@pytest.mark.parametrize("family", FAMILIES)
def test_family_tape(family):
    """The tape oracle held to the same standard: right or refused (views it cannot model
    are refused: ast_ad/tape/views.py)."""
    result = _result(family)
    counts = result["counts"]
    bad = {k: counts[k] for k in TAPE_FAILURES if counts.get(k)}
    assert not bad, f"{family} (tape): {bad}\n" + report([result], top=5)
