"""Reduce a failing program by deleting and unwrapping statements (line-based ddmin).

Hypothesis shrinks through the generator's choices, which is slow for big programs (each
try differentiates the program and runs finite differences over every input element).
This works on the text: it repeatedly tries to delete one statement (with its block),
or to replace a block header by its body, and keeps the change when the program still
fails the same way (same exception type from ``ast_ad.grad``, or a gradient that differs
from finite differences while the tape agrees with them)::

    python -m tests.differential.reduce prog.py "(0.41, -0.69)"

``args`` is a Python expression (``array`` is numpy's). The reduced program is printed.
"""

from __future__ import annotations

import sys

import numpy as np

import ast_ad

from ..fd import fd_grad
from . import harness


def outcome(source, args):
    """``None`` (fine or not a valid test) or a short description of the failure."""
    try:
        compile(source, "<candidate>", "exec")
        mod = harness.load(source, "reduce")
    except Exception:
        return None
    try:
        f = mod.f
        value = harness._scalar(f(*harness._copy(args)))
        if not np.isfinite(value):
            return None
        wrt = tuple(range(len(args)))
        fd = fd_grad(f, args, wrt=None)
        if harness.TAPE_GRAD is not None:
            tape = harness.TAPE_GRAD(f, wrt=wrt)(*harness._copy(args))
            if not harness._close(tape, fd, 1e-5, 1e-7 * max(1.0, abs(value))):
                return None
        try:
            got = ast_ad.grad(f, wrt=wrt)(*harness._copy(args))
        except Exception as e:
            return f"raises {type(e).__name__}"
        if not harness._close(got, fd, harness.FD_RTOL, harness.FD_ATOL * max(1.0, abs(value))):
            return "wrong gradient"
        return None
    except Exception:
        return None
    finally:
        harness.unload(mod)


def _blocks(lines):
    """(start, end) line ranges of every statement, innermost last."""
    out = []
    for i, line in enumerate(lines):
        ind = len(line) - len(line.lstrip())
        if not line.strip() or ind == 0:  # imports, defs
            continue
        j = i + 1
        while j < len(lines) and (not lines[j].strip()
                                  or len(lines[j]) - len(lines[j].lstrip()) > ind):
            j += 1
        out.append((i, j))
    return out


def reduce(source, args):
    want = outcome(source, args)
    if want is None:
        raise SystemExit("the program does not fail")
    lines = source.split("\n")
    changed = True
    while changed:
        changed = False
        for i, j in sorted(_blocks(lines), key=lambda r: r[0] - r[1]):
            if j > len(lines):
                continue
            cands = [lines[:i] + lines[j:]]  # delete the statement (and its block)
            head = lines[i].rstrip()
            if head.endswith(":") and j > i + 1 and not head.lstrip().startswith("def "):
                ind = len(lines[i]) - len(lines[i].lstrip())
                body = [ln[4:] if ln.startswith(" " * (ind + 4)) else ln for ln in lines[i + 1:j]]
                cands.append(lines[:i] + body + lines[j:])  # unwrap the block
            for cand in cands:
                if outcome("\n".join(cand), args) == want:
                    lines = cand
                    changed = True
                    break
            if changed:
                break
    return "\n".join(lines), want


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    source = open(argv[0]).read()
    args = eval(argv[1], {"array": np.array, "np": np})
    small, why = reduce(source, tuple(args))
    print(f"# {why}\n{small}")


if __name__ == "__main__":
    main()
