"""docs/tutorial.md: its ```python blocks run, in order, in one namespace (written to a
file first, so that ast_ad can read the source of the functions they define)."""

import importlib.util
import pathlib
import re
import sys

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "tutorial.md"


def blocks():
    return re.findall(r"```python\n(.*?)```", DOC.read_text(), flags=re.S)


def test_tutorial_code_blocks_run(tmp_path, capsys):
    code = blocks()
    assert len(code) >= 10
    path = tmp_path / "tutorial_code.py"
    path.write_text("\n\n".join(code))
    spec = importlib.util.spec_from_file_location("tutorial_code", path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["tutorial_code"] = mod
    try:
        spec.loader.exec_module(mod)
    finally:
        sys.modules.pop("tutorial_code", None)
    out = capsys.readouterr().out
    assert "24.00003999" in out and "10.00000000033" in out
    assert "bx = 2 * y * x" in out
