"""SciPy's global-optimization benchmark functions (benchmarks/go_benchmarks.py), run
when ``AST_AD_GO_BENCH`` names a folder holding SciPy's go_benchmark_functions files
(the project ships no copy of them): no wrong gradient, no crash, and at least 95% of
the functions checkable against finite differences derived correctly -- at the default
dimensions and at 5 dimensions for the classes that can change dimensionality."""

import importlib.util
import os
import pathlib

import pytest

FOLDER = os.environ.get("AST_AD_GO_BENCH")
pytestmark = pytest.mark.skipif(not FOLDER or not os.path.isdir(FOLDER),
                                reason="AST_AD_GO_BENCH is not a folder of SciPy's "
                                       "go_benchmark_functions")


def _harness():
    path = pathlib.Path(__file__).parents[2] / "benchmarks" / "go_benchmarks.py"
    spec = importlib.util.spec_from_file_location("go_benchmarks", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_go_benchmarks_match_finite_differences():
    mod = _harness()
    results, _, more = mod.run(FOLDER, verbose=False)
    assert len(results) >= 190, f"only {len(results)} benchmark classes found in {FOLDER}"
    for table in (results, more):
        bad = {k: v for k, v in table.items() if v[0] in ("wrong", "crash")}
        assert not bad
        counts, _ = mod.table(table)
        checked = sum(counts[s] for s in ("ok", "ok_fine", "refused"))
        assert checked and counts["ok"] + counts["ok_fine"] >= 0.95 * checked, counts
