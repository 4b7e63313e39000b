"""Sweep the soundness families: many programs per family, a table of outcomes.

::

    python -m tests.differential.family_sweep --n 10000            # all families
    python -m tests.differential.family_sweep --n 500 --family mutation
    python -m tests.differential.family_sweep --n 10000 --jobs 2 --markdown out.md

``--n`` is the total (split evenly over the families chosen). Programs are drawn by
hypothesis, derandomized (the same ``--n`` gives the same programs), one hypothesis run
per family, families spread over ``--jobs`` processes. Prints, per family: programs,
ok, refused (rate), crash, silent mismatch, input modified, finite differences
unreliable, invalid (generator problems), and the tape's counts; then, for each failure
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

# PYTHONPATH=/work/main picks that checkout's ast_ad even when run from another tree
# (``python -m`` puts the current directory before PYTHONPATH; ``tests`` is already
# imported from here by then)
for _p in reversed(os.environ.get("PYTHONPATH", "").split(os.pathsep)):
    if _p and os.path.isdir(os.path.join(_p, "ast_ad")):
        sys.path.insert(0, os.path.abspath(_p))

from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from . import family_harness as fh  # noqa: E402
from .families import FAMILIES, family_programs  # noqa: E402

SEEDS = st.integers(0, 2**31 - 1)
KINDS = ("ok", "refused", "crash", "silent", "input_modified", "fd_unreliable", "invalid")
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


def run_family(family, n, use_tape=True, keep=3):
    """(counts, examples) for ``n`` programs of ``family``."""
    counts = Counter()
    examples = defaultdict(list)  # kind -> [(len, source, mode, target, args, detail, tags)]
    causes = defaultdict(Counter)  # kind -> Counter of causes
    tags = defaultdict(Counter)  # kind -> Counter of kernel tags

    @settings(max_examples=n, deadline=None, derandomize=True, database=None,
              phases=[Phase.generate], suppress_health_check=list(HealthCheck))
    @given(program=family_programs(family), seed=SEEDS)
    def body(program, seed):
        out = fh.run_program(program, seed, use_tape=use_tape)
        counts["programs"] += 1
        counts[out.kind] += 1
        counts[out.tape] += 1
        for kind, detail in ((out.kind, out.detail), (out.tape, out.tape_detail)):
            if kind in SHOW or kind == "refused":
                causes[kind][cause(detail)] += 1
                for t in program.tags:
                    tags[kind][t.split("/")[0] if t.startswith("obj:") else t] += 1
            if kind in SHOW:
                ex = examples[kind]
                ex.append((len(program.source), program.source, program.mode, program.target,
                           out.args, detail, program.tags))
                ex.sort(key=lambda e: e[0])
                # keep distinct causes first among the shortest
                seen, kept = set(), []
                for e in ex:
                    c = (cause(e[5]), e[6])
                    if c not in seen:
                        kept.append(e)
                        seen.add(c)
                ids = {id(e) for e in kept}
                kept += [e for e in ex if id(e) not in ids]
                del ex[:]
                ex.extend(sorted(kept[:keep], key=lambda e: e[0]))

    body()
    return family, dict(counts), {k: list(v) for k, v in examples.items()}, \
        {k: dict(v) for k, v in causes.items()}, {k: dict(v) for k, v in tags.items()}


def _table(results):
    head = ["family", "programs", "ok", "refused", "refused %", "crash", "silent",
            "input mod.", "fd unrel.", "invalid", "tape ok", "tape refused", "tape silent",
            "tape input mod."]
    rows = []
    tot = Counter()
    for fam, counts, *_ in results:
        tot.update(counts)
        rows.append((fam, counts))
    rows.append(("TOTAL", tot))
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for fam, c in rows:
        checked = c.get("programs", 0) - c.get("invalid", 0)
        rate = 100.0 * c.get("refused", 0) / checked if checked else 0.0
        vals = [fam, c.get("programs", 0), c.get("ok", 0), c.get("refused", 0), f"{rate:.1f}",
                c.get("crash", 0), c.get("silent", 0), c.get("input_modified", 0),
                c.get("fd_unreliable", 0), c.get("invalid", 0), c.get("tape_ok", 0),
                c.get("tape_refused", 0), c.get("tape_silent", 0),
                c.get("tape_input_modified", 0)]
        lines.append("| " + " | ".join(str(v) for v in vals) + " |")
    return "\n".join(lines)


def report(results, top=8):
    out = [_table(results), ""]
    for fam, counts, examples, causes, tags in results:
        for kind in ("refused",) + SHOW:
            if kind not in causes:
                continue
            out.append(f"### {fam}: {kind} ({counts.get(kind, 0)})")
            out.append("")
            out.append("causes:")
            for c, k in sorted(causes[kind].items(), key=lambda e: -e[1])[:top]:
                out.append(f"- {k}x `{c}`")
            out.append("kernels: " + ", ".join(
                f"{t} {k}" for t, k in sorted(tags[kind].items(), key=lambda e: -e[1])[:12]))
            out.append("")
            for _, src, mode, target, args, detail, ptags in examples.get(kind, []):
                out.append(f"mode={mode} target={target} tags={list(ptags)}")
                out.append("```python")
                out.append(src.rstrip())
                out.append(f"# args = {args!r}")
                out.append("```")
                out.append(f"-> {detail[:600]}")
                out.append("")
    return "\n".join(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=600, help="programs in all")
    ap.add_argument("--family", choices=FAMILIES, action="append",
                    help="a family (repeatable; default: all)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--no-tape", action="store_true")
    ap.add_argument("--markdown", help="also write the report to this file")
    a = ap.parse_args(argv)
    fams = a.family or list(FAMILIES)
    per = max(1, a.n // len(fams))
    t0 = time.perf_counter()
    if a.jobs > 1:
        with ProcessPoolExecutor(a.jobs) as ex:
            futs = [ex.submit(run_family, f, per, not a.no_tape) for f in fams]
            results = [fu.result() for fu in futs]
    else:
        results = [run_family(f, per, not a.no_tape) for f in fams]
    dt = time.perf_counter() - t0
    text = report(results)
    import ast_ad

    header = (f"{sum(r[1].get('programs', 0) for r in results)} programs "
              f"({per} per family asked) in {dt:.0f} s; ast_ad from {ast_ad.__file__}")
    print(header)
    print(text)
    if a.markdown:
        with open(a.markdown, "w") as fh_:
            fh_.write(header + "\n\n" + text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
