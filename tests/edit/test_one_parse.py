"""A codemod parses each TOML file it edits with tomlkit once: the base document. New entries, inline tables and
multi-line arrays are built as tomlkit items, not parsed from rendered text (``pyproject.common`` used to parse
every inline table and new multi-line array it made: 909 parses for 760 corpus edits)."""

from __future__ import annotations

import shutil

import pytest
import tomlkit.parser

import depglot
from depglot import registry
from depglot.edit.discover import Found
from depglot.edit.runner import Codemod, _process
from depglot.errors import DepglotError

from ..conftest import corpus_files

CATEGORIES = {"poetry": "pyproject.toml", "poetry2": "pyproject.toml", "pep621": "pyproject.toml",
              "uv_pyproject": "pyproject.toml", "pdm_pyproject": "pyproject.toml", "pipfile": "Pipfile"}


def _files() -> list:
    params = [pytest.param(p, name, id=f"{cat}/{p.name}") for cat, name in CATEGORIES.items()
              for p in corpus_files(cat)]
    return params or [pytest.param(None, None, marks=pytest.mark.skip(reason="shared corpus absent"), id="none")]


@pytest.mark.parametrize(("path", "filename"), _files())
def test_one_tomlkit_parse_per_edited_file(path, filename, tmp_path, monkeypatch):
    target = tmp_path / filename
    shutil.copyfile(path, target)
    fmt = registry.detect(str(target), target.read_text(encoding="utf-8")[:8192]).full_name
    try:
        manifest = depglot.load(target, fmt)
    except DepglotError as exc:
        pytest.skip(f"corpus file rejected by its reader: {exc.one_line()}")
    parses = []
    real = tomlkit.parser.Parser.parse

    def counted(self):  # type: ignore[no-untyped-def]
        parses.append(1)
        return real(self)

    monkeypatch.setattr(tomlkit.parser.Parser, "parse", counted)
    names = sorted({r.name for g in manifest.groups for r in g.requirements if r.name and r.version is not None})
    codemods = [Codemod(kind="add", requirement="zz-new-package[x]>=1 ; python_version >= '3.9'"),
                Codemod(kind="add", requirement="zz-new-package>=1", group="zz-group"),
                Codemod(kind="rename-group", old="dev", new="zz-dev"),
                Codemod(kind="normalize", sort=True)]
    for name in names[:2]:
        codemods += [Codemod(kind="set", name=name, spec=">=0.0.1"), Codemod(kind="remove", name=name),
                     Codemod(kind="add", requirement=f"{name}[zz]>=0.0.2")]
    edited = 0
    for codemod in codemods:
        parses.clear()
        result = _process((Found(path=str(target), format=fmt), codemod))
        assert result.error is None, result.error
        if result.changed:
            edited += 1
            assert len(parses) == 1, codemod
    assert edited
