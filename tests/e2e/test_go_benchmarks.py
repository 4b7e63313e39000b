"""SciPy's global-optimization benchmark functions (benchmarks/go_benchmarks.py), run
when ``AST_AD_GO_BENCH`` names a folder holding SciPy's go_benchmark_functions files
(the project ships no copy of them)."""

import importlib.util
import os
import pathlib

import pytest

FOLDER = os.environ.get("AST_AD_GO_BENCH")
pytestmark = pytest.mark.skipif(not FOLDER or not os.path.isdir(FOLDER),
                                reason="AST_AD_GO_BENCH is not a folder of SciPy's "
                                       "go_benchmark_functions")


def test_go_benchmarks_match_finite_differences():
    path = pathlib.Path(__file__).parents[2] / "benchmarks" / "go_benchmarks.py"
    spec = importlib.util.spec_from_file_location("go_benchmarks", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    results, counts = mod.run(FOLDER, verbose=False)
    wrong = {k: v for k, v in results.items() if v[0] == "wrong"}
    assert not wrong
    smooth = counts.get("ok", 0) + counts.get("refused", 0)
    assert smooth and counts.get("ok", 0) >= 0.95 * smooth, counts
