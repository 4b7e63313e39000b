"""ast_ad.export: a standalone module text of the generated gradient."""

import subprocess
import sys
import textwrap

import numpy as np

import ast_ad

USER = """
import math
import numpy as np

SCALE = 3.0


def helper(u):
    return u * u * SCALE


def loss(W, x):
    h = np.tanh(W @ x)
    return np.sum(h) + helper(math.sin(x[1]))
"""


def test_export_runs_on_its_own(tmp_path):
    (tmp_path / "usermod.py").write_text(textwrap.dedent(USER))
    sys.path.insert(0, str(tmp_path))
    try:
        import usermod
        W, x = np.ones((2, 3)) * 0.3, np.arange(3.0)
        g = ast_ad.grad(usermod.loss, wrt=(0, 1))
        text = ast_ad.export(g, W, x)
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop("usermod", None)
    assert "from usermod import SCALE" in text and "def helper_bwd(" in text
    assert "cannot carry" not in text
    (tmp_path / "exported.py").write_text(text)
    code = ("import numpy as np, exported, json; "
            "gW, gx = exported.loss_grad(np.ones((2, 3)) * 0.3, np.arange(3.0)); "
            "print(json.dumps([gW.tolist(), gx.tolist()]))")
    r = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    import json
    gW, gx = json.loads(r.stdout)
    want = ast_ad.grad(_loss_here, wrt=(0, 1))(W, x)
    np.testing.assert_allclose(gW, want[0])
    np.testing.assert_allclose(gx, want[1])


def _helper(u):
    return u * u * 3.0


def _loss_here(W, x):
    h = np.tanh(W @ x)
    return np.sum(h) + _helper(np.sin(x[1]))


def test_export_says_what_it_cannot_carry():
    thing = object()

    def f(x):
        if thing is None:
            return x
        return x * x

    text = ast_ad.export(ast_ad.grad(f), 2.0)
    assert "f_grad" in text
    assert "# cannot carry: thing (object" in text
