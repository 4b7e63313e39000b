"""A sweep that keeps going: run many generated programs, group the failures, shrink each.

``pytest`` stops a hypothesis test at its first failure (and shrinks that one); this
script runs every example, sorts failures into categories (which check failed, and for a
crash the exception type and message with numbers and generated names blanked out),
keeps the shortest program of each, and with ``--shrink`` asks hypothesis for a minimal
program of each category::

    python -m tests.differential.sweep --kind both --examples 2000 --shrink
    python -m tests.differential.sweep --kind vector --off while_loops,helpers

Not collected by pytest (its name does not start with ``test_``).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import time
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisException

from . import harness
from .programs import DEFAULT_FEATURES, scalar_programs, vector_programs

SEEDS = st.integers(0, 2**32 - 1)


def category(exc):
    msg = str(exc).split("\n")[0]
    msg = re.sub(r"<ast_ad[^>]*>", "<gen>", msg)
    msg = re.sub(r"\b(v|k|i|t|buf|lst|_t|_n|_r|b_?\w*)\d+\b", "NAME", msg)
    msg = re.sub(r"\d+(\.\d+)?", "N", msg)
    return f"{type(exc).__name__}: {msg}"[:200]


_TARGET = [None]  # None: record every failure and go on; a category: fail on it only


def run(strategy, examples, target=None):
    """Run ``examples`` programs; with ``target``, let hypothesis find and shrink that one.

    The same test body runs in both modes, so its derandomized sequence of programs is
    the same: the shrinking run meets the recorded failure again.
    """
    stats = Counter()
    found = {}  # category -> (source length, program, seed, message)
    _TARGET[0] = target

    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False)
    @given(program=strategy, seed=SEEDS)
    def body(program, seed):
        try:
            harness.check(program, seed)
        except HypothesisException:
            stats["discarded"] += 1
            raise
        except Exception as e:  # a finding: record it and keep going
            cat = category(e)
            if _TARGET[0] is not None:
                if cat == _TARGET[0]:
                    raise
                return
            stats["failed"] += 1
            stats[cat] += 1
            prev = found.get(cat)
            if prev is None or len(program.source) < prev[0]:
                found[cat] = (len(program.source), program, seed, str(e))
            return
        stats["passed"] += 1

    if target is None:
        body()
        return stats, found
    try:
        body()
    except Exception as e:  # the shrunk example: hypothesis re-raises it last
        return e
    return None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--kind", choices=["scalar", "vector", "both"], default="both")
    ap.add_argument("--examples", type=int, default=1000)
    ap.add_argument("--off", default="", help="comma-separated Features to switch off")
    ap.add_argument("--on", default="", help="comma-separated Features to switch on")
    ap.add_argument("--shrink", action="store_true", help="shrink one program per category")
    ap.add_argument("--no-tape", action="store_true", help="compare with finite differences only")
    a = ap.parse_args(argv)
    if a.no_tape:
        harness.TAPE_GRAD = None
    feats = DEFAULT_FEATURES
    for name in filter(None, a.off.split(",")):
        feats = dataclasses.replace(feats, **{name: False})
    for name in filter(None, a.on.split(",")):
        feats = dataclasses.replace(feats, **{name: True})
    kinds = ["scalar", "vector"] if a.kind == "both" else [a.kind]
    for kind in kinds:
        strategy = (scalar_programs if kind == "scalar" else vector_programs)(feats)
        t0 = time.perf_counter()
        stats, found = run(strategy, a.examples)
        dt = time.perf_counter() - t0
        print(f"== {kind}: {stats['passed'] + stats['failed']} programs checked "
              f"({stats['passed']} passed, {stats['failed']} failed, "
              f"{stats['discarded']} discarded) in {dt:.1f} s")
        for cat, (_, program, seed, msg) in sorted(found.items()):
            print(f"-- [{stats[cat]}x] {cat}")
            print(program.source)
            print(f"seed={seed} args={harness.make_args(program, seed)!r}")
            print("\n".join(msg.split("\n")[:40]))
            print()
        if a.shrink:
            for cat in sorted(found):
                print(f"== shrinking: {cat}", flush=True)
                err = run(strategy, a.examples, target=cat)
                if err is None:
                    print("(not reproduced)")
                    continue
                print("\n".join(getattr(err, "__notes__", [])))
                print("\n".join(str(err).split("\n")[:40]))
                print(flush=True)


if __name__ == "__main__":
    main()
