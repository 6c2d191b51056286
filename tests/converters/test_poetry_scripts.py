"""[tool.poetry.scripts] with a file script: console scripts are project entry points, the file script stays Raw.

Oracle: poetry-core's ``Factory.create_poetry`` (its console-script entry points and the ``scripts`` table its
builder reads file scripts from) on the source and on every written file.
"""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path

import pytest

from depglot import api
from depglot.api import Selection
from depglot.ir.model import Raw
from tests.conftest import CORPUS

FILE_SCRIPT = {"reference": "bin/script.sh", "type": "file"}

# Poetry 1 layout: three console-script spellings and a file script, between other [tool.poetry] keys
POETRY1 = """\
[tool.poetry]
name = "demo"
version = "1.0.0"
description = "d"
authors = ["Jane Doe <jane@example.org>"]

[tool.poetry.dependencies]
python = "^3.9"
click = "^8.0"

[tool.poetry.scripts]
demo = "demo.cli:main"
file-script = { reference = "bin/script.sh", type = "file" }
demo-admin = { reference = "demo.admin:main", type = "console" }
with-extras = { callable = "demo.x:main", extras = ["fast"] }

[tool.poetry.plugins."demo.plugins"]
a = "demo.a:A"

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"""
CONSOLE = {"demo": "demo.cli:main", "demo-admin": "demo.admin:main"}
KEPT = {"file-script": FILE_SCRIPT, "with-extras": {"callable": "demo.x:main", "extras": ["fast"]}}

COMPLETE_DYNAMIC = (CORPUS / "poetry2"
                    / "python-poetry__poetry-core__tests__masonry__builders__fixtures__complete_dynamic__pyproject.toml")


def poetry_scripts(text: str, tmp: Path) -> tuple[dict[str, str], dict[str, object]]:
    """(console scripts poetry-core builds, the file scripts its builder installs) for a pyproject text."""
    from poetry.core.factory import Factory

    d = tmp / f"p{len(list(tmp.iterdir()))}"
    d.mkdir()
    (d / "pyproject.toml").write_text(text, encoding="utf-8")
    logging.disable(logging.CRITICAL)
    try:
        poetry = Factory().create_poetry(d)
    finally:
        logging.disable(logging.NOTSET)
    console = dict(poetry.package.entry_points.get("console-scripts", {}))
    files = {k: v for k, v in (poetry.local_config.get("scripts") or {}).items()
             if isinstance(v, dict) and v.get("type") == "file"}
    return console, files


def _scripts_raw(m) -> list[Raw]:
    return [r for r in m.raw if r.format == "poetry" and r.key == "tool.poetry.scripts"]


def test_poetry1_console_scripts_are_entry_points_and_the_rest_stays_raw(tmp_path: Path) -> None:
    m = api.loads(POETRY1, "poetry1", path="pyproject.toml")
    meta = dict(m.project.metadata)  # type: ignore[union-attr]
    assert meta["scripts"] == CONSOLE
    assert meta["entry-points"] == {"demo.plugins": {"a": "demo.a:A"}}
    [raw] = _scripts_raw(m)
    assert raw.value == KEPT
    assert raw.span is not None and (raw.span.file, raw.span.line) == ("pyproject.toml", 11)
    # what poetry-core makes of the source: the same console scripts (with-extras is no console script to it)
    console, files = poetry_scripts(POETRY1, tmp_path)
    assert console == CONSOLE and files == {"file-script": FILE_SCRIPT}


def test_only_file_scripts_stay_raw_without_project_scripts() -> None:
    text = POETRY1.replace('demo = "demo.cli:main"\n', "").replace(
        'demo-admin = { reference = "demo.admin:main", type = "console" }\n', "")
    m = api.loads(text, "poetry1")
    assert "scripts" not in dict(m.project.metadata)  # type: ignore[union-attr]
    assert [r.value for r in _scripts_raw(m)] == [KEPT]


def test_plain_console_scripts_leave_no_raw() -> None:
    text = POETRY1.replace('file-script = { reference = "bin/script.sh", type = "file" }\n', "").replace(
        'with-extras = { callable = "demo.x:main", extras = ["fast"] }\n', "")
    m = api.loads(text, "poetry1")
    assert dict(m.project.metadata)["scripts"] == CONSOLE  # type: ignore[union-attr]
    assert _scripts_raw(m) == []


def test_base_mode_is_byte_identical() -> None:
    for text in (POETRY1, "\ufeff" + POETRY1.replace("\n", "\r\n")):
        assert api.dumps(api.loads(text, "poetry1"), "poetry1", base=text).text == text


@pytest.mark.parametrize("target", ["poetry1", "poetry"])
def test_fresh_write_gives_back_the_same_scripts(target: str, tmp_path: Path) -> None:
    m = api.loads(POETRY1, "poetry1")
    conv = api.dumps(m, target)
    assert "poetry-scripts-dropped" not in conv.report.codes()
    doc = tomllib.loads(conv.text)
    if target == "poetry1":
        # one [tool.poetry.scripts]: the console scripts (the console-typed one spelled as a string) and the rest
        assert doc["tool"]["poetry"]["scripts"] == {**KEPT, **CONSOLE}
    else:
        # Poetry 2: console scripts in [project.scripts]; [tool.poetry.scripts] only for what [project] cannot say
        assert doc["project"]["scripts"] == CONSOLE
        assert doc["tool"]["poetry"]["scripts"] == KEPT
    back = api.loads(conv.text, target)
    assert dict(back.project.metadata)["scripts"] == CONSOLE  # type: ignore[union-attr]
    assert [r.value for r in _scripts_raw(back)] == [KEPT]
    assert poetry_scripts(conv.text, tmp_path) == poetry_scripts(POETRY1, tmp_path)


@pytest.mark.parametrize("target", ["pep621", "pep621+uv", "requirements"])
def test_targets_without_poetry_tables_report_the_file_script(target: str) -> None:
    conv = api.dumps(api.loads(POETRY1, "poetry1", path="pyproject.toml"), target)
    [loss] = [l for l in conv.report if l.code == "poetry-scripts-dropped"]
    assert loss.severity.name == "WARNING"
    assert loss.span is not None and (loss.span.file, loss.span.line) == ("pyproject.toml", 11)
    assert "bin/script.sh" not in conv.text
    if target != "requirements":
        assert tomllib.loads(conv.text)["project"]["scripts"] == CONSOLE


def test_an_empty_scripts_table_is_not_reported() -> None:
    text = "[project]\nname = 'x'\nversion = '1'\ndependencies = []\n\n[tool.poetry.scripts]\n"
    conv = api.dumps(api.loads(text, "poetry"), "pep621")
    assert "poetry-scripts-dropped" not in conv.report.codes()


def test_complete_dynamic_through_poetry1_keeps_console_and_file_scripts(tmp_path: Path) -> None:
    if not COMPLETE_DYNAMIC.is_file():
        pytest.skip("shared corpus not found")
    source_text = COMPLETE_DYNAMIC.read_text(encoding="utf-8")
    source = api.loads(source_text, "poetry")
    conv = api.dumps(source, "poetry1", selection=Selection(all_groups=True, all_extras=True))
    scripts = tomllib.loads(conv.text)["tool"]["poetry"]["scripts"]
    assert scripts == {"file-script": FILE_SCRIPT, "my-script": "my_package:main",
                       "my-2nd-script": "my_package:main2", "extra-script": "my_package.extra:main"}
    back = api.loads(conv.text, "poetry1")
    assert dict(back.project.metadata)["scripts"] == dict(source.project.metadata)["scripts"]  # type: ignore[union-attr]
    assert [r.value for r in _scripts_raw(back)] == [{"file-script": FILE_SCRIPT}]
    # fresh again in each Poetry layout: the same scripts table / the same split
    again = tomllib.loads(api.dumps(back, "poetry1").text)
    assert again["tool"]["poetry"]["scripts"] == scripts
    two = tomllib.loads(api.dumps(back, "poetry").text)
    assert two["project"]["scripts"] == tomllib.loads(source_text)["project"]["scripts"]
    assert two["tool"]["poetry"]["scripts"] == {"file-script": FILE_SCRIPT}
    assert poetry_scripts(conv.text, tmp_path) == poetry_scripts(source_text, tmp_path)
