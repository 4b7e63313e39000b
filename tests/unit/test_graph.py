"""ast_ad.graph: one evaluation's graph with values and adjoints, drawn as SVG."""

import xml.dom.minidom

import numpy as np

import ast_ad


def f(x, y):
    return x**2*y + y + 2


def loop(x):
    s = 0.0
    for i in range(40):
        s = s + np.sin(x) * i
    return s


def short_loop(x):
    p = 1.0
    for _ in range(3):
        p = p * x
    return p


def test_seed_graph_values_and_adjoints():
    gr = ast_ad.graph(f, 3.0, 4.0)
    by = {n.label: n for n in gr.nodes}
    assert by["x ** 2"].value == 9.0 and by["f"].value == 42.0
    assert gr.gradients == {"x": 24.0, "y": 10.0}
    assert by["x"].adjoint == 24.0 and by["y"].adjoint == 10.0
    assert by["f"].adjoint == 1.0 and by["f"].expression == "v3 + 2"


def test_svg_is_well_formed_and_savable(tmp_path):
    gr = ast_ad.graph(f, 3.0, 4.0)
    svg = gr._repr_svg_()
    doc = xml.dom.minidom.parseString(svg)
    assert doc.documentElement.tagName == "svg"
    assert "x ** 2" in svg and "adjoint 24" in svg
    p = gr.save(tmp_path / "f.svg")
    assert open(p).read() == svg
    gr.save(tmp_path / "f.txt")
    assert "adjoint 10" in (tmp_path / "f.txt").read_text()


def test_loops_per_iteration_then_summarised():
    small = ast_ad.graph(short_loop, 2.0)
    assert sum(1 for n in small.nodes if n.kind in ("op", "output")) == 3
    assert small.gradients["x"] == 12.0
    big = ast_ad.graph(loop, 0.5, max_nodes=30)
    kinds = [n.kind for n in big.nodes]
    assert kinds.count("summary") == 1 and len(big.nodes) <= 33
    assert np.isclose(big.gradients["x"], ast_ad.grad(loop)(0.5))
    xml.dom.minidom.parseString(big.to_svg())


def test_arrays():
    gr = ast_ad.graph(lambda W, x: np.sum(np.tanh(W @ x)), np.ones((2, 3)), np.ones(3))
    assert any(n.label == "W @ x" for n in gr.nodes)
    assert gr.gradients["W"].shape == (2, 3)
