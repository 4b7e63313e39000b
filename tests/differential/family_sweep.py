"""Sweep the soundness families: many programs per family, a table of outcomes.

::

    python -m tests.differential.family_sweep --n 10000            # all families
    python -m tests.differential.family_sweep --n 500 --family mutation
    python -m tests.differential.family_sweep --n 10000 --jobs 2 --markdown out.md
    AST_AD_PATH=/work/main python -m tests.differential.family_sweep --n 10000

``--n`` is the total (split evenly over the families chosen). Programs are drawn by
hypothesis, derandomized (the same ``--n`` gives the same programs), one hypothesis run
per family, families spread over ``--jobs`` processes. Prints, per family: programs,
ok, refused (rate: over the programs that may be differentiated), refused as required
(a differentiated value through a string, ``grad`` of a complex output: a refusal is the
right answer there), crash, silent mismatch (or a required refusal missing), input
modified, finite differences unreliable, invalid (generator problems), and the tape's
counts; then, for each failure
kind, the most frequent causes and up to 3 shortest failing programs.
Not collected by pytest.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor

# AST_AD_PATH=/work/main: import ast_ad from that checkout (the tests stay this tree's;
# PYTHONPATH cannot do it when that checkout has a tests/__init__.py, which wins over
# this tree's namespace package ``tests``)
if os.environ.get("AST_AD_PATH"):
    sys.path.insert(0, os.path.abspath(os.environ["AST_AD_PATH"]))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import seed as hypothesis_seed  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from . import family_harness as fh  # noqa: E402
from .families import FAMILIES, family_programs  # noqa: E402

SEEDS = st.integers(0, 2**31 - 1)
KINDS = ("ok", "refused", "refused_required", "crash", "silent", "input_modified",
         "fd_unreliable", "invalid")
TAPE_KINDS = ("tape_ok", "tape_refused", "tape_silent", "tape_input_modified",
              "tape_fd_unreliable")
SHOW = ("crash", "silent", "input_modified", "tape_silent", "tape_input_modified")


def cause(detail):
    """A failure message with numbers and generated names blanked: groups failures."""
    msg = detail.split(": ast_ad")[0].split(": tape.grad")[0]
    msg = re.sub(r"ast_ad_diff_\w+", "<mod>", msg)
    msg = re.sub(r"\b([a-zA-Z]+)\d+\b", r"\1N", msg)
    msg = re.sub(r"-?\d+(\.\d+)?(e-?\d+)?", "N", msg)
    return msg[:160]


def run_family(family, n, use_tape=True, keep=3, seed=None):
    """A result dict for ``n`` programs of ``family``: ``counts``; per failure kind the
    ``causes`` (blanked messages), ``examples`` (up to ``keep`` shortest failing programs,
    distinct causes and kernels first) and ``patterns`` (kernel patterns: count and the
    shortest failing program)."""
    counts = Counter()
    examples = defaultdict(list)
    causes = defaultdict(Counter)
    patterns = defaultdict(dict)  # kind -> signature -> [count, example]
    sources = set()

    @settings(max_examples=n, deadline=None, derandomize=seed is None, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(program=family_programs(family), point=SEEDS)
    def body(program, point):
        out = fh.run_program(program, point, use_tape=use_tape)
        counts["programs"] += 1
        sources.add(program.source)
        counts[out.kind] += 1
        counts[out.tape] += 1
        sig = " + ".join(t for t in program.tags if ": " in t) or ",".join(program.tags)
        for kind, detail in ((out.kind, out.detail), (out.tape, out.tape_detail)):
            if kind not in SHOW and kind != "refused":
                continue
            causes[kind][cause(detail)] += 1
            ex = dict(source=program.source, mode=program.mode, target=program.target,
                      args=out.args, detail=detail, tags=program.tags, sig=sig)
            slot = patterns[kind].setdefault(sig, [0, ex])
            slot[0] += 1
            if len(ex["source"]) < len(slot[1]["source"]):
                slot[1] = ex
            if kind == "refused":
                continue
            lst = examples[kind]
            lst.append(ex)
            lst.sort(key=lambda e: len(e["source"]))
            seen, kept = set(), []
            for e in lst:  # distinct (cause, kernels) first among the shortest
                c = (cause(e["detail"]), e["sig"])
                if c not in seen:
                    kept.append(e)
                    seen.add(c)
            ids = {id(e) for e in kept}
            kept += [e for e in lst if id(e) not in ids]
            lst[:] = sorted(kept[:keep], key=lambda e: len(e["source"]))

    if seed is not None:  # another sequence of programs than the derandomized one
        body = hypothesis_seed(seed)(body)
    body()
    counts["distinct sources"] = len(sources)
    return dict(family=family, counts=dict(counts), examples=dict(examples),
                causes={k: dict(v) for k, v in causes.items()},
                patterns={k: dict(v) for k, v in patterns.items()})


def refusal_rate(c):
    """Refusals in percent of the programs that may be differentiated: invalid programs
    and those the issue requires to be refused (``refused_required``) are left out."""
    checked = c.get("programs", 0) - c.get("invalid", 0) - c.get("refused_required", 0)
    return 100.0 * c.get("refused", 0) / checked if checked else 0.0


def _table(results):
    head = ["family", "programs", "ok", "refused", "refused %", "refused as required",
            "crash", "silent", "input mod.", "fd unrel.", "invalid", "tape ok", "tape refused",
            "tape silent", "tape input mod."]
    rows = []
    tot = Counter()
    for r in results:
        tot.update(r["counts"])
        rows.append((r["family"], r["counts"]))
    rows.append(("TOTAL", tot))
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for fam, c in rows:
        rate = refusal_rate(c)
        vals = [fam, c.get("programs", 0), c.get("ok", 0), c.get("refused", 0), f"{rate:.1f}",
                c.get("refused_required", 0), c.get("crash", 0), c.get("silent", 0),
                c.get("input_modified", 0),
                c.get("fd_unreliable", 0), c.get("invalid", 0), c.get("tape_ok", 0),
                c.get("tape_refused", 0), c.get("tape_silent", 0),
                c.get("tape_input_modified", 0)]
        lines.append("| " + " | ".join(str(v) for v in vals) + " |")
    return "\n".join(lines)


def _example(e, out):
    out.append(f"mode={e['mode']} target={e['target']} tags={list(e['tags'])[:4]}")
    out.append("```python")
    out.append(e["source"].replace("import math\n\nimport numpy as np\n\n\n", "").rstrip())
    out.append(f"# args = {e['args']!r}")
    out.append("```")
    out.append(f"-> {e['detail'][:700]}")
    out.append("")


def report(results, top=8, top_patterns=10, programs=True):
    out = [_table(results), ""]
    for r in results:
        fam, counts = r["family"], r["counts"]
        for kind in ("refused",) + SHOW:
            if kind not in r["causes"]:
                continue
            out.append(f"### {fam}: {kind} ({counts.get(kind, 0)})")
            out.append("")
            out.append("causes:")
            for c, k in sorted(r["causes"][kind].items(), key=lambda e: -e[1])[:top]:
                out.append(f"- {k}x `{c}`")
            out.append("")
            pats = sorted(r["patterns"].get(kind, {}).items(), key=lambda e: -e[1][0])
            out.append(f"patterns ({len(pats)} distinct; the {min(top_patterns, len(pats))} "
                       "most frequent):")
            for sig, (k, _) in pats[:top_patterns]:
                out.append(f"- {k}x `{sig[:220]}`")
            out.append("")
            if kind == "refused" or not programs:
                continue
            out.append("shortest failing programs:")
            out.append("")
            for e in r["examples"].get(kind, []):
                _example(e, out)
    return "\n".join(out)


def patterns_report(results, kinds=SHOW, per_kind=12):
    """The shortest failing program of each of the most frequent patterns."""
    out = []
    for r in results:
        for kind in kinds:
            pats = sorted(r["patterns"].get(kind, {}).items(), key=lambda e: -e[1][0])
            if not pats:
                continue
            out.append(f"### {r['family']}: {kind}, by pattern")
            out.append("")
            for sig, (k, e) in pats[:per_kind]:
                out.append(f"**{k}x** `{sig[:220]}`")
                out.append("")
                _example(e, out)
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=600, help="programs in all")
    ap.add_argument("--family", choices=FAMILIES, action="append",
                    help="a family (repeatable; default: all)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-tape", action="store_true")
    ap.add_argument("--seed", type=int, help="draw another sequence of programs (default: "
                    "the derandomized one, as in CI)")
    ap.add_argument("--markdown", help="also write the report to this file")
    ap.add_argument("--summary", help="write the table, causes and patterns (no programs) "
                    "to this file")
    ap.add_argument("--patterns", help="write the shortest program of each frequent failure "
                    "pattern to this file")
    a = ap.parse_args(argv)
    fams = a.family or list(FAMILIES)
    per = max(1, -(-a.n // len(fams)))  # at least --n in all
    t0 = time.perf_counter()
    if a.jobs > 1:
        with ProcessPoolExecutor(a.jobs) as ex:
            futs = [ex.submit(run_family, f, per, not a.no_tape, 3, a.seed) for f in fams]
            results = [fu.result() for fu in futs]
    else:
        results = [run_family(f, per, not a.no_tape, 3, a.seed) for f in fams]
    dt = time.perf_counter() - t0
    text = report(results)
    import ast_ad

    header = (f"{sum(r['counts'].get('programs', 0) for r in results)} programs "
              f"({sum(r['counts'].get('distinct sources', 0) for r in results)} distinct "
              "program texts; each program runs at its own random point) "
              f"({per} per family asked) in {dt:.0f} s; ast_ad from {ast_ad.__file__}")
    print(header)
    print(text)
    if a.markdown:
        with open(a.markdown, "w") as fh_:
            fh_.write(header + "\n\n" + text + "\n")
    if a.summary:
        with open(a.summary, "w") as fh_:
            fh_.write(header + "\n\n" + report(results, top=5, top_patterns=6,
                                                programs=False) + "\n")
    if a.patterns:
        with open(a.patterns, "w") as fh_:
            fh_.write(patterns_report(results) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
