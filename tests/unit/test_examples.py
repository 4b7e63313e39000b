"""Every script in examples/ runs (as ``__main__``) and checks its own result."""

import pathlib
import runpy
import time

import pytest

EXAMPLES = sorted((pathlib.Path(__file__).resolve().parents[2] / "examples").glob("*.py"))


def test_the_examples_are_there():
    names = {p.stem for p in EXAMPLES}
    assert {"gradient_descent", "logistic_regression", "mlp", "rnn", "ode_sensitivity",
            "heat_equation", "newton", "reading_source"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_runs(path, capsys):
    t = time.perf_counter()
    runpy.run_path(str(path), run_name="__main__")
    assert time.perf_counter() - t < 30
    assert capsys.readouterr().out
