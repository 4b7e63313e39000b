"""The supported Python versions are stated once each in README.md, pyproject.toml's
classifiers and .ci/run, and they agree."""

import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _classifier_versions():
    text = (ROOT / "pyproject.toml").read_text()
    return re.findall(r'"Programming Language :: Python :: (3\.\d+)"', text)


def _readme_versions():
    text = (ROOT / "README.md").read_text()
    m = re.search(r"Supported Python versions: CPython ([^,]+(?:, [^,]+)*?) and (3\.\d+)", text)
    assert m, "README.md states the supported versions"
    return m.group(1).split(", ") + [m.group(2)]


def _ci_versions():
    m = re.search(r'^SUPPORTED="([^"]+)"', (ROOT / ".ci" / "run").read_text(), re.M)
    assert m, ".ci/run lists the supported versions"
    return m.group(1).split()


def test_readme_classifiers_and_ci_agree():
    versions = _classifier_versions()
    assert versions == sorted(versions, key=lambda v: tuple(map(int, v.split("."))))
    assert versions[0] == "3.10"
    assert _readme_versions() == versions
    assert _ci_versions() == versions


def test_requires_python_is_the_oldest_supported_version():
    text = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^requires-python = ">=(3\.\d+)"', text, re.M).group(1) == \
        _classifier_versions()[0]


def test_this_interpreter_is_new_enough():
    oldest = tuple(map(int, _classifier_versions()[0].split(".")))
    assert sys.version_info[:2] >= oldest
