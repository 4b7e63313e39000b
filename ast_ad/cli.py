"""``ast-ad``: the derivative of a function in a file, from the shell.

``ast-ad show FILE.py:FUNC [--wrt x,y] [--args EXPR]`` prints the generated gradient
source (highlighted when the output is a terminal and pygments is installed);
``ast-ad check FILE.py:FUNC --args EXPR [--wrt ...]`` runs ``ast_ad.testing.check_grad``,
prints its table and exits with status 1 on a mismatch.  ``EXPR`` is a Python expression
evaluated with ``np`` (NumPy) and the file's globals, e.g. ``--args "3.0, 4.0"`` or
``--args "np.ones(3),"``.  ``python -m ast_ad`` is the same command.

>>> import tempfile, os, contextlib, io
>>> d = tempfile.mkdtemp()
>>> p = os.path.join(d, "m.py")
>>> _ = open(p, "w").write("def f(x, y):\\n    return x**2*y + y + 2\\n")
>>> out = io.StringIO()
>>> with contextlib.redirect_stdout(out):
...     rc = main(["show", p + ":f", "--wrt", "x,y", "--args", "3.0, 4.0"])
>>> rc
0
>>> print(out.getvalue().strip().splitlines()[2].strip())
bx = 2 * y * x
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import sys


def load(target: str):
    """``FILE.py:FUNC`` -> (the function, the module's globals)."""
    path, sep, name = target.rpartition(":")
    if not sep or not path:
        raise SystemExit(f"ast-ad: expected FILE.py:FUNC, got {target!r}")
    if not os.path.exists(path):
        raise SystemExit(f"ast-ad: no such file: {path}")
    modname = "_ast_ad_cli_" + os.path.splitext(os.path.basename(path))[0]
    spec = importlib.util.spec_from_file_location(modname, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[modname] = mod
    sys.path.insert(0, os.path.dirname(os.path.abspath(path)))
    spec.loader.exec_module(mod)
    obj = mod
    for part in name.split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            raise SystemExit(f"ast-ad: {path} has no {name!r}")
    return obj, vars(mod)


def parse_wrt(text):
    if text is None:
        return 0
    parts = [p.strip() for p in text.split(",") if p.strip()]
    items = tuple(int(p) if p.lstrip("-").isdigit() else p for p in parts)
    return items[0] if len(items) == 1 else items


def parse_args(text, env):
    if text is None:
        return None
    import numpy as np

    ns = dict(env)
    ns.setdefault("np", np)
    v = eval(text, ns)  # noqa: S307  (the user's own expression, on their command line)
    return v if isinstance(v, tuple) else (v,)


def highlight(text, stream):
    if not getattr(stream, "isatty", lambda: False)() or os.environ.get("NO_COLOR"):
        return text
    try:
        from pygments import highlight as hl
        from pygments.formatters import TerminalFormatter
        from pygments.lexers import PythonLexer
    except ImportError:
        return text
    return hl(text, PythonLexer(), TerminalFormatter())


def main(argv=None) -> int:
    import ast_ad

    ap = argparse.ArgumentParser(prog="ast-ad", description="ast_ad from the shell")
    sub = ap.add_subparsers(dest="cmd", required=True)
    for cmd, hint in (("show", "print the generated derivative source"),
                      ("check", "check the gradient against finite differences")):
        p = sub.add_parser(cmd, help=hint)
        p.add_argument("target", help="FILE.py:FUNC")
        p.add_argument("--wrt", help="parameters to differentiate: indices or names, "
                                     "comma-separated (default: the first)")
        p.add_argument("--args", help="arguments, a Python expression (np is NumPy)",
                       required=(cmd == "check"))
    ns = ap.parse_args(argv)
    fn, env = load(ns.target)
    wrt = parse_wrt(ns.wrt)
    args = parse_args(ns.args, env)
    if ns.cmd == "show":
        g = ast_ad.grad(fn, wrt=wrt)
        src = ast_ad.source(g, *args) if args is not None else ast_ad.source(g)
        sys.stdout.write(highlight(src, sys.stdout))
        return 0
    from ast_ad.testing import check_grad

    try:
        report = check_grad(fn, *args, wrt=wrt)
    except AssertionError as e:
        print(e)
        return 1
    print(report)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
