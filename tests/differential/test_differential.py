"""Differential tests: random programs, ast_ad.grad vs ast_ad.tape.grad vs finite differences.

The default size runs ``AST_AD_DIFF_EXAMPLES`` examples per test (200 unless set, or
10,000 with ``AST_AD_SLOW=1``), derandomized so every run sees the same programs. The big
sweep::

    AST_AD_DIFF_EXAMPLES=10000 python -m pytest tests/differential -q

See docs/differential.md for what is generated and what the sweeps found.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .harness import check
from .programs import scalar_programs, vector_programs


def _examples():
    if "AST_AD_DIFF_EXAMPLES" in os.environ:
        return int(os.environ["AST_AD_DIFF_EXAMPLES"])
    return 10_000 if os.environ.get("AST_AD_SLOW") == "1" else 200


SETTINGS = settings(
    max_examples=_examples(),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
SEEDS = st.integers(0, 2**32 - 1)


@pytest.mark.slow
@SETTINGS
@given(program=scalar_programs(), seed=SEEDS)
def test_scalar_programs(program, seed):
    check(program, seed)


@pytest.mark.slow
@SETTINGS
@given(program=vector_programs(), seed=SEEDS)
def test_vector_programs(program, seed):
    check(program, seed)
