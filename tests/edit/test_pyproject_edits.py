"""Codemods on PEP 621 / uv / PDM pyproject files: ``set`` on one package changes only that package's lines and
reports nothing (it used to warn ``dependency-group-replaced`` with the whole group whenever the package was in a
``[dependency-groups]`` entry, and to move an ``{include-group = ...}`` item to the front, respaced)."""

from __future__ import annotations

import difflib
import shutil

import pytest

import depglot
from depglot import registry
from depglot.edit.discover import Found
from depglot.edit.runner import Codemod, _process, name_regex
from depglot.errors import DepglotError
from depglot.ir.model import LocalPath, Url, Vcs

from ..conftest import corpus_files

CATEGORIES = ("pep621", "uv_pyproject", "pdm_pyproject")


def _files() -> list:
    params = [pytest.param(p, id=f"{cat}/{p.name}") for cat in CATEGORIES for p in corpus_files(cat)]
    return params or [pytest.param(None, marks=pytest.mark.skip(reason="shared corpus absent"), id="none")]


@pytest.mark.parametrize("path", _files())
def test_set_touches_only_the_named_package(path, tmp_path):
    target = tmp_path / "pyproject.toml"
    shutil.copyfile(path, target)
    before = target.read_bytes()
    fmt = registry.detect(str(target), before.decode()[:8192]).full_name
    try:
        manifest = depglot.load(target, fmt)
    except DepglotError as exc:
        pytest.skip(f"corpus file rejected by its reader: {exc.one_line()}")
    names = sorted({r.name for g in manifest.groups for r in g.requirements
                    if r.name and not isinstance(r.source, (Vcs, LocalPath, Url))})
    for name in names[:12]:
        result = _process((Found(path=str(target), format=fmt), Codemod(kind="set", name=name, spec=">=0.0.1")))
        assert result.error is None, result.error
        moved = [loss for loss in result.losses if loss.subject == "tool.uv.dev-dependencies"]
        assert [loss.code for loss in result.losses] == ["dependency-group-replaced"] * len(moved), name
        if moved:  # uv's legacy [tool.uv] dev-dependencies move to [dependency-groups] when changed (reported)
            continue
        diff = difflib.unified_diff(before.decode().splitlines(), result.after.decode().splitlines(), n=0,
                                    lineterm="")
        lines = [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
        assert lines and all(name_regex(name).search(line.encode()) for line in lines), (name, lines)


def test_an_include_group_item_keeps_its_place_and_text(tmp_path):
    target = tmp_path / "pyproject.toml"
    target.write_text('[project]\nname = "x"\nversion = "1"\n\n[dependency-groups]\ncoverage = ["covdefaults"]\n'
                      'test = [\n  "pytest>=8",\n  { include-group = "coverage" },\n  "hypothesis>=6",\n]\n')
    before = target.read_text()
    result = _process((Found(path=str(target), format="pep621"), Codemod(kind="set", name="pytest", spec=">=9")))
    assert result.losses == ()
    assert result.after.decode() == before.replace('"pytest>=8"', '"pytest>=9"')
    added = _process((Found(path=str(target), format="pep621"), Codemod(kind="add", requirement="tox", group="test")))
    assert added.after.decode() == before.replace('  "hypothesis>=6",\n', '  "hypothesis>=6",\n  "tox",\n')
