"""``ast-ad show`` / ``ast-ad check`` and ``python -m ast_ad``."""

import subprocess
import sys
import textwrap

from ast_ad.cli import main

GOOD = """
def f(x, y):
    return x**2*y + y + 2
"""

BAD = """
import ast_ad

def sq(x):
    return x * x

ast_ad.defvjp(sq, lambda g, ans, x: g * 3.0)   # wrong on purpose

def f(x):
    return sq(x) + x
"""


def _file(tmp_path, text, name="model.py"):
    p = tmp_path / name
    p.write_text(textwrap.dedent(text))
    return str(p)


def test_show_prints_the_gradient(tmp_path, capsys):
    p = _file(tmp_path, GOOD)
    assert main(["show", p + ":f", "--wrt", "x,y", "--args", "3.0, 4.0"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("def f_grad(x, y):") and "bx = 2 * y * x" in out
    assert "\x1b[" not in out  # not a terminal: no colours


def test_show_without_args_names_the_specialisation(tmp_path, capsys):
    p = _file(tmp_path, GOOD)
    assert main(["show", p + ":f"]) == 0
    assert "specialised for x: float" in capsys.readouterr().out


def test_check_passes_and_fails(tmp_path, capsys):
    p = _file(tmp_path, GOOD)
    assert main(["check", p + ":f", "--wrt", "0,1", "--args", "3.0, 4.0"]) == 0
    assert "ok" in capsys.readouterr().out
    q = _file(tmp_path, BAD, "bad.py")
    assert main(["check", q + ":f", "--args", "2.0"]) == 1
    assert "x" in capsys.readouterr().out


def test_python_dash_m(tmp_path):
    p = _file(tmp_path, GOOD)
    r = subprocess.run([sys.executable, "-m", "ast_ad", "show", p + ":f", "--args", "3.0, 4.0"],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "def f_grad" in r.stdout
