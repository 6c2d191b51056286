"""Every ``[tool.poetry]`` key is carried by a PEP 621 target or named by a loss (no silent drop).

Oracle: poetry-core's ``Factory.create_poetry`` on the source and on the written file — the package metadata and
build settings it derives from each key (a written ``[project]`` keeps the source's poetry-core build-system, so
poetry-core builds both). A key whose field differs, or that has no field (``requires-poetry``, a plugin's table),
must be named by a loss carrying that key's line. The dependency tables (``dependencies``, ``group``, ...) are
compared by meaning in tests/test_matrix.py.
"""

from __future__ import annotations

import logging
import tomllib
from pathlib import Path
from typing import Any

import pytest

from depglot import api
from depglot.api import Selection
from depglot.edit.tomlspan import TomlLocator
from depglot.report import Severity
from tests.conftest import corpus_params

ALL = Selection(all_groups=True, all_extras=True)
DEPENDENCY_KEYS = {"dependencies", "dev-dependencies", "group", "extras", "source"}


def _strip_dependencies(doc: dict[str, Any]) -> dict[str, Any]:
    """The document without dependencies (poetry-core parses them, and metadata is what is compared here)."""
    doc = {**doc}
    doc.pop("dependency-groups", None)
    project = doc.get("project")
    if isinstance(project, dict):
        project = {k: v for k, v in project.items() if k != "optional-dependencies"}
        if "dependencies" in project:
            project["dependencies"] = []
        doc["project"] = project
    tool = dict(doc.get("tool") or {})
    tool.pop("uv", None)
    if isinstance(tool.get("poetry"), dict):
        tp = {k: v for k, v in tool["poetry"].items() if k not in ("group", "dev-dependencies", "extras", "source")}
        if "dependencies" in tp:
            tp["dependencies"] = {k: v for k, v in tp["dependencies"].items() if k == "python"}
        tool["poetry"] = tp
    doc["tool"] = tool
    return doc


def poetry_fields(text: str, tmp: Path) -> dict[str, Any] | None:
    """What poetry-core derives from each [tool.poetry] key for this pyproject (None: it refuses the file)."""
    import tomlkit
    from poetry.core.factory import Factory

    d = tmp / f"p{len(list(tmp.iterdir()))}"
    d.mkdir()
    (d / "pyproject.toml").write_text(tomlkit.dumps(_strip_dependencies(tomllib.loads(text))), encoding="utf-8")
    logging.disable(logging.CRITICAL)
    try:
        poetry = Factory().create_poetry(d)
    except Exception:  # noqa: BLE001 - poetry-core's refusal (e.g. no version) is what is measured
        return None
    finally:
        logging.disable(logging.NOTSET)
    p = poetry.package
    entry_points = dict(p.entry_points)
    console = entry_points.pop("console-scripts", {})
    files = {k: v for k, v in (poetry.local_config.get("scripts") or {}).items()
             if isinstance(v, dict) and v.get("type") == "file"}
    return {
        "name": p.pretty_name,
        "version": p.version.text,
        "description": p.description,
        # Poetry 1's License and PEP 639's License-Expression name the same licence
        "license": p.license.id if p.license else getattr(p, "license_expression", None),
        "authors": list(p.authors),
        "maintainers": list(p.maintainers),
        "readme": tuple(str(r.relative_to(d)) for r in p.readmes),
        "keywords": list(p.keywords),
        # as built: poetry-core adds Python-version classifiers to classifiers from [tool.poetry], not to a static
        # [project].classifiers (its licence classifier follows the licence's spelling: PEP 639's License-Expression
        # takes none, by design)
        "classifiers": [c for c in p.all_classifiers if not c.startswith("License ::")],
        "homepage": p.homepage,
        "repository": p.repository_url,
        "documentation": p.documentation_url,
        "urls": dict(p.custom_urls),
        "scripts": (dict(console), files),
        "plugins": entry_points,
        "packages": p.packages,
        "include": p.include,
        "exclude": p.exclude,
        "build": p.build_config,
        "package-mode": poetry.is_package_mode,
    }


# the pyproject writer checks the entry points of the Project (mapped from scripts/plugins) and names a reference
# PEP 621 cannot hold by its PEP 621 place (entry-point-invalid; the Project has no per-key spans)
_PROJECT_PLACE = {"scripts": "scripts.", "plugins": "entry-points."}


def _named(losses: list[Any], key: str) -> list[Any]:
    return [loss for loss in losses if loss.subject == f"tool.poetry.{key}"
            or str(loss.subject).startswith(f"tool.poetry.{key}.")]


def _named_by_project_place(losses: list[Any], key: str) -> bool:
    place = _PROJECT_PLACE.get(key)
    return place is not None and any(loss.code == "entry-point-invalid" and str(loss.subject).startswith(place)
                                     for loss in losses)


@pytest.mark.parametrize("path", corpus_params("poetry", "poetry2"))
@pytest.mark.parametrize("target", ["pep621", "pep621+uv", "pep621+pdm"])
def test_every_tool_poetry_key_is_carried_or_named(path: Path, target: str, tmp_path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    tool_poetry = tomllib.loads(text).get("tool", {}).get("poetry", {})
    conv = api.dumps(api.load(path), target, selection=ALL)
    before, after = poetry_fields(text, tmp_path), poetry_fields(conv.text, tmp_path)
    assert before is not None, "poetry-core builds every corpus source"
    loc = TomlLocator(text.removeprefix("\ufeff"), str(path))
    losses = list(conv.report)
    silent = []
    for key in tool_poetry:
        if key in DEPENDENCY_KEYS:
            continue
        named = _named(losses, key)
        for loss in named:  # each loss carries the key's line
            assert loss.span is not None and loss.span.line == loc.span("tool", "poetry", key).line, (key, loss)
        carried = after is not None and key in before and before[key] == after[key]
        if not (carried or named or _named_by_project_place(losses, key)):
            silent.append((key, before.get(key), after and after.get(key)))
    assert not silent, f"[tool.poetry] keys dropped without a loss: {silent}"


# -- exact outputs -----------------------------------------------------------------------------------------------

POETRY1 = """\
[tool.poetry]
name = "demo"
version = "1.0.0"
description = "A demo"
authors = ["Jane Doe <jane@example.org>"]
maintainers = ["Max <max@example.org>"]
license = "MIT"
readme = ["README.md", "CHANGES.md"]
homepage = "https://example.org"
repository = "https://github.com/example/demo"
keywords = ["demo"]
classifiers = ["Topic :: Utilities"]
packages = [{ include = "demo", from = "src" }]
include = ["CHANGELOG.md"]
exclude = ["demo/tests"]
build = "build.py"
requires-poetry = ">=2.0"
requires-plugins = { poetry-plugin-export = ">=1.8" }

[tool.poetry.urls]
"Bug Tracker" = "https://github.com/example/demo/issues"

[tool.poetry.dependencies]
python = "^3.9"
click = "^8.0"

[tool.poetry.my-plugin]
setting = 1

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"""

PEP621 = """\
[project]
name = "demo"
version = "1.0.0"
description = "A demo"
license = "MIT"
keywords = ["demo"]
classifiers = ["Topic :: Utilities"]
authors = [{name = "Jane Doe", email = "jane@example.org"}]
maintainers = [{name = "Max", email = "max@example.org"}]
requires-python = ">=3.9,<4.0"
dependencies = [
    "click>=8.0,<9.0",
]

[project.urls]
Homepage = "https://example.org"
Repository = "https://github.com/example/demo"
"Bug Tracker" = "https://github.com/example/demo/issues"

[build-system]
requires = ["poetry-core>=2.0.0,<3.0.0"]
build-backend = "poetry.core.masonry.api"
"""

# (code, severity, subject, line) of every [tool.poetry] key the pep621 output drops
DROPPED = [
    ("project-metadata-dropped", Severity.INFO, "tool.poetry.readme", 8),
    ("tool-setting-dropped", Severity.WARNING, "tool.poetry.packages", 13),
    ("tool-setting-dropped", Severity.WARNING, "tool.poetry.include", 14),
    ("tool-setting-dropped", Severity.WARNING, "tool.poetry.exclude", 15),
    ("tool-setting-dropped", Severity.WARNING, "tool.poetry.build", 16),
    ("tool-setting-dropped", Severity.INFO, "tool.poetry.requires-poetry", 17),
    ("tool-setting-dropped", Severity.WARNING, "tool.poetry.requires-plugins", 18),
    ("tool-setting-dropped", Severity.WARNING, "tool.poetry.my-plugin", 27),
    ("project-metadata-dropped", Severity.INFO, "tool.poetry.classifiers.generated", 12),
]


def _poetry_losses(conv: Any) -> list[tuple[str, Severity, str, int | None]]:
    return [(loss.code, loss.severity, loss.subject, loss.span.line if loss.span else None)
            for loss in conv.report if str(loss.subject).startswith("tool.poetry.")]


def test_poetry1_metadata_is_written_to_project_and_the_rest_is_named() -> None:
    conv = api.dumps(api.loads(POETRY1, "poetry1", path="pyproject.toml"), "pep621")
    assert conv.text == PEP621
    assert _poetry_losses(conv) == DROPPED
    assert all(loss.span.file == "pyproject.toml" for loss in conv.report if loss.span is not None)
    # poetry-core < 2 reads only [tool.poetry]: kept, it would build a wheel without the [project] dependencies
    raised = [loss for loss in conv.report if loss.code == "poetry-build-requires-raised"]
    assert [(loss.severity, loss.message) for loss in raised] == [
        (Severity.INFO, "build-system requires 'poetry-core>=1.0.0', but poetry-core < 2 ignores [project], where the "
                        "dependencies now are; wrote poetry-core>=2.0.0,<3.0.0")]


@pytest.mark.parametrize("target", ["requirements", "pipfile", "conda"])
def test_groupless_and_pipenv_targets_name_the_same_keys(target: str) -> None:
    conv = api.dumps(api.loads(POETRY1, "poetry1", path="pyproject.toml"), target)
    assert _poetry_losses(conv) == DROPPED
    assert "project-metadata-dropped" in conv.report.codes()  # the mapped metadata (name, authors, ...), once


@pytest.mark.parametrize("target", ["poetry", "poetry1", "ir"])
def test_targets_with_tool_poetry_report_nothing_and_keep_the_keys(target: str) -> None:
    conv = api.dumps(api.loads(POETRY1, "poetry1", path="pyproject.toml"), target)
    assert _poetry_losses(conv) == []
    if target != "ir":
        tp = tomllib.loads(conv.text)["tool"]["poetry"]
        source = tomllib.loads(POETRY1)["tool"]["poetry"]
        for key in ("packages", "include", "exclude", "build", "requires-poetry", "requires-plugins", "my-plugin",
                    "readme"):
            assert tp[key] == source[key], key


def test_package_mode_false_is_a_warning_and_true_is_nothing() -> None:
    text = "[tool.poetry]\npackage-mode = false\n\n[tool.poetry.dependencies]\npython = '^3.10'\nrich = '*'\n"
    conv = api.dumps(api.loads(text, "poetry1", path="pyproject.toml"), "requirements")
    assert _poetry_losses(conv) == [("tool-setting-dropped", Severity.WARNING, "tool.poetry.package-mode", 2)]
    conv = api.dumps(api.loads(text.replace("false", "true"), "poetry1"), "requirements")
    assert _poetry_losses(conv) == []


def test_empty_tables_and_arrays_drop_nothing() -> None:
    text = POETRY1.replace('include = ["CHANGELOG.md"]', "include = []").replace(
        "requires-plugins = { poetry-plugin-export = \">=1.8\" }", "requires-plugins = {}")
    conv = api.dumps(api.loads(text, "poetry1"), "pep621")
    subjects = [s for _, _, s, _ in _poetry_losses(conv)]
    assert "tool.poetry.include" not in subjects and "tool.poetry.requires-plugins" not in subjects
    assert "tool.poetry.packages" in subjects


POETRY2 = """\
[project]
name = "demo"
version = "1.0.0"
dynamic = ["classifiers", "scripts"]
dependencies = ["click>=8"]

[tool.poetry]
classifiers = ["Topic :: Utilities"]
requires-poetry = ">=2.0"

[tool.poetry.scripts]
demo = "demo.cli:main"
demo-admin = { reference = "demo.admin:main", type = "console" }
file-script = { reference = "bin/script.sh", type = "file" }

[build-system]
requires = ["poetry-core>=2.0.0,<3.0.0"]
build-backend = "poetry.core.masonry.api"
"""
CONSOLE = {"demo": "demo.cli:main", "demo-admin": "demo.admin:main"}
FILE_SCRIPT = {"file-script": {"reference": "bin/script.sh", "type": "file"}}


def test_poetry2_metadata_in_tool_poetry_is_named_with_its_line() -> None:
    conv = api.dumps(api.loads(POETRY2, "poetry", path="pyproject.toml"), "pep621+uv")
    assert _poetry_losses(conv) == [
        ("project-metadata-dropped", Severity.INFO, "tool.poetry.classifiers", 8),
        ("tool-setting-dropped", Severity.INFO, "tool.poetry.requires-poetry", 9),
        ("poetry-scripts-dropped", Severity.WARNING, "tool.poetry.scripts", 11),
    ]


def test_poetry2_console_scripts_without_project_scripts_are_entry_points(tmp_path: Path) -> None:
    m = api.loads(POETRY2, "poetry", path="pyproject.toml")
    meta = dict(m.project.metadata)  # type: ignore[union-attr]
    assert meta["scripts"] == CONSOLE
    assert meta["dynamic"] == ["classifiers"]  # a static [project.scripts] is not dynamic
    [raw] = [r for r in m.raw if r.key == "tool.poetry.scripts"]
    assert raw.value == FILE_SCRIPT and raw.span is not None and raw.span.line == 11
    # the pep621 output installs the console scripts poetry-core builds from the source
    out = tomllib.loads(api.dumps(m, "pep621").text)["project"]
    assert out["scripts"] == CONSOLE and out["dynamic"] == ["classifiers"]
    source = poetry_fields(POETRY2, tmp_path)
    assert source is not None and source["scripts"] == (CONSOLE, FILE_SCRIPT)
    # Poetry again, fresh: console scripts in [project.scripts], the file script in [tool.poetry.scripts]
    fresh = api.dumps(m, "poetry").text
    assert tomllib.loads(fresh)["project"]["scripts"] == CONSOLE
    assert tomllib.loads(fresh)["tool"]["poetry"]["scripts"] == FILE_SCRIPT
    again = poetry_fields(fresh, tmp_path)
    assert again is not None and again["scripts"] == source["scripts"]
    # base mode gives the same bytes back
    assert api.dumps(m, "poetry", base=POETRY2).text == POETRY2


def test_poetry2_tool_poetry_scripts_are_ignored_when_project_declares_scripts() -> None:
    text = POETRY2.replace('dynamic = ["classifiers", "scripts"]', 'dynamic = ["classifiers"]').replace(
        "[tool.poetry]\n", '[project.scripts]\nother = "demo.other:main"\n\n[tool.poetry]\n')
    m = api.loads(text, "poetry")
    assert dict(m.project.metadata)["scripts"] == {"other": "demo.other:main"}  # type: ignore[union-attr]
    [raw] = [r for r in m.raw if r.key == "tool.poetry.scripts"]
    assert raw.value == tomllib.loads(POETRY2)["tool"]["poetry"]["scripts"]


def test_poetry2_only_console_scripts_leave_no_raw() -> None:
    text = POETRY2.replace('file-script = { reference = "bin/script.sh", type = "file" }\n', "")
    m = api.loads(text, "poetry")
    assert dict(m.project.metadata)["scripts"] == CONSOLE  # type: ignore[union-attr]
    assert not [r for r in m.raw if r.key == "tool.poetry.scripts"]
    assert "poetry-scripts-dropped" not in api.dumps(m, "pep621").report.codes()


def test_poetry2_python_beside_requires_python_is_named() -> None:
    """poetry-core resolves the lock for ``tool.poetry.dependencies.python`` when it is narrower than
    requires-python; the IR's python is requires-python, so the Poetry range is a dropped setting elsewhere."""
    text = ('[project]\nname = "demo"\nversion = "1"\nrequires-python = ">=3.9"\ndependencies = []\n\n'
            '[tool.poetry.dependencies]\npython = "^3.10"\n')
    m = api.loads(text, "poetry", path="pyproject.toml")
    assert m.python is not None and m.python.raw == ">=3.9"
    conv = api.dumps(m, "pep621")
    assert _poetry_losses(conv) == [("tool-setting-dropped", Severity.WARNING, "tool.poetry.dependencies.python", 8)]
    assert _poetry_losses(api.dumps(m, "poetry")) == []
    assert api.dumps(m, "poetry", base=text).text == text
