"""Gradient objects display their generated source in notebooks."""

import pytest

import ast_ad


def f(x, y):
    return x**2*y + y + 2


def test_repr_html_and_markdown():
    g = ast_ad.grad(f, wrt=(0, 1))
    html = g._repr_html_()
    assert "f_grad" in html and "<" in html
    md = g._repr_markdown_()
    assert "```python\ndef f_grad(x, y):" in md and "bx = 2 * y * x" in md


def test_ipython_displays_the_source():
    IPython = pytest.importorskip("IPython")
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    g = ast_ad.grad(f, wrt=(0, 1))
    data, _ = shell.display_formatter.format(g)
    assert "text/html" in data and "f_grad" in data["text/html"]
    assert "text/markdown" in data and "bx = 2 * y * x" in data["text/markdown"]
    assert IPython.version_info >= (7,)
