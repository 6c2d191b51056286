"""uv and PDM tool tables across formats: resolver inputs (constraints, overrides), per-package indexes, the default
index, pre-releases and the project itself. PDM's own code is the oracle where it decides the meaning."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from depglot import api
from depglot.dialects.pep508 import parse_requirement
from depglot.ir.model import Group, Index, IndexRef, IndexRole, LocalPath, Manifest, Project
from tests.conftest import FIXTURES

from .test_pep621 import validate

FIX = FIXTURES / "pep621"
needs_uv = pytest.mark.skipif(shutil.which("uv") is None, reason="uv (the oracle) is not installed: pip install uv")


def _req(text: str, **kw):
    return parse_requirement(text).replace(**kw)


def _codes(conv) -> list[tuple[str, str, str | None]]:
    return [(loss.code, loss.severity.name, loss.subject) for loss in conv.report]


def uv_reads(text: str, tmp: Path) -> str:
    """Oracle: uv itself reads the pyproject (``uv lock --offline``): settings it rejects fail before resolution;
    offline, resolution then stops at the first package missing from the cache and names the requirement as uv
    understood it (overrides applied). Returns uv's output."""
    (tmp / "pyproject.toml").write_text(text, encoding="utf-8")
    run = subprocess.run(["uv", "lock", "--offline", "--no-progress"], cwd=tmp, capture_output=True, text=True,
                         env=dict(os.environ, UV_OFFLINE="1", NO_COLOR="1"), timeout=120, check=False)
    out = run.stdout + run.stderr
    assert "Failed to parse" not in out and "TOML parse error" not in out, out
    assert run.returncode == 0 or "network was disabled" in out, out
    return out


def pdm_project(text: str, tmp: Path):
    """Oracle: PDM's own project model over the pyproject (sources with include/exclude_packages, resolution)."""
    from pdm.core import Core

    (tmp / "pyproject.toml").write_text(text, encoding="utf-8")
    return Core().create_project(tmp)


# --- uv's resolver inputs: constraint-dependencies, override-dependencies, workspace sources --------------------


@pytest.mark.parametrize("target", ["requirements", "pipfile", "poetry", "conda", "pep621"])
def test_uv_resolver_inputs_dropped_by_other_targets_are_errors(target: str) -> None:
    m = api.load(FIX / "uv-sources.toml", "uv")
    conv = api.dumps(m, target, selection=api.Selection(all_groups=True))
    lost = {(c, s, sub) for c, s, sub in _codes(conv) if c in ("constraints-dropped", "overrides-dropped",
                                                              "uv-source-dropped")}
    assert lost == {("constraints-dropped", "ERROR", "tool.uv.constraint-dependencies"),
                    ("overrides-dropped", "ERROR", "tool.uv.override-dependencies"),
                    ("uv-source-dropped", "ERROR", "member.source")}


def test_uv_keeps_its_resolver_inputs() -> None:
    text = (FIX / "uv-sources.toml").read_text()
    m = api.loads(text, "uv")
    for conv in (api.dumps(m, "uv"), api.dumps(m, "script")):
        assert not {"constraints-dropped", "overrides-dropped", "uv-source-dropped"} & set(conv.report.codes())
        doc = tomllib.loads(conv.text if conv.text.startswith("[") else _block(conv.text))
        assert doc["tool"]["uv"]["constraint-dependencies"] == ["urllib3<2"]
        assert doc["tool"]["uv"]["override-dependencies"] == ["six==1.16.0"]
        assert doc["tool"]["uv"]["sources"]["member"] == {"workspace": True}


def _block(script: str) -> str:
    lines = script.splitlines()[1:-1]
    return "\n".join(line[2:] for line in lines) + "\n"


@needs_uv
def test_uv_overrides_become_pdm_overrides_and_back(tmp_path: Path) -> None:
    from pdm.utils import get_requirement_from_override

    text = ('[project]\nname = "x"\nversion = "1"\ndependencies = ["six"]\n\n[tool.uv]\noverride-dependencies = [\n'
            '    "six==1.16.0",\n    "idna",\n    "attrs @ https://example.com/attrs-23.1.0.tar.gz",\n'
            '    "urllib3<2 ; python_version < \'3.10\'",\n]\n')
    m = api.loads(text, "uv", path="pyproject.toml")
    pdm = api.dumps(m, "pdm")
    overrides = tomllib.loads(pdm.text)["tool"]["pdm"]["resolution"]["overrides"]
    assert overrides == {"six": "==1.16.0", "idna": "", "attrs": "https://example.com/attrs-23.1.0.tar.gz"}
    # oracle: PDM turns each override back into the requirement uv had
    assert [get_requirement_from_override(k, v) for k, v in overrides.items()] == [
        "six==1.16.0", "idna", "attrs @ https://example.com/attrs-23.1.0.tar.gz"]
    # a per-environment override has no PDM spelling
    assert [(c, s, sub) for c, s, sub in _codes(pdm) if c == "overrides-dropped"] == [
        ("overrides-dropped", "ERROR", "urllib3")]
    assert pdm.report.losses[-1].span.line == 7  # override-dependencies = [
    validate(pdm.text)
    project = pdm_project(pdm.text, tmp_path)
    assert project.pyproject.resolution["overrides"] == overrides  # PDM reads them where it looks for them
    # and back: PDM's overrides are uv's override-dependencies
    back = api.dumps(api.loads(pdm.text, "pdm"), "uv")
    assert tomllib.loads(back.text)["tool"]["uv"]["override-dependencies"] == [
        "six==1.16.0", "idna", "attrs @ https://example.com/attrs-23.1.0.tar.gz"]
    assert "overrides-dropped" not in back.report.codes()
    # uv applies the override: the project asks for six, uv resolves six==1.16.0
    uv_dir = tmp_path / "uv"
    uv_dir.mkdir()
    assert "depends on six==1.16.0" in uv_reads(back.text, uv_dir)
    # elsewhere they are dropped, and said
    assert ("overrides-dropped", "ERROR", "tool.pdm.resolution.overrides") in _codes(
        api.dumps(api.loads(pdm.text, "pdm"), "requirements"))


def test_pdm_overrides_base_mode_is_identity() -> None:
    text = (FIX / "pdm-legacy.toml").read_text()
    m = api.loads(text, "pdm")
    assert api.dumps(m, "pdm", base=text).text == text


# --- PDM: pre-releases, the default index, per-package indexes ---------------------------------------------------


def test_pdm_allow_prereleases_is_read_and_written() -> None:
    m = api.loads("--pre\nrequests\n", "requirements")
    out = api.dumps(m, "pdm")
    assert tomllib.loads(out.text)["tool"]["pdm"]["resolution"] == {"allow-prereleases": True}
    assert "prereleases-dropped" not in out.report.codes()
    back = api.loads(out.text, "pdm")
    assert back.allow_prereleases is True
    assert back.raw == ()  # the setting is the IR's field, not kept twice
    # turning it off in place removes it
    off = api.dumps(back.replace(allow_prereleases=None), "pdm", base=out.text)
    assert "allow-prereleases" not in off.text


@pytest.mark.parametrize(("index_line", "sources", "role"), [
    ("--index-url https://pypi.org/simple", None, None),
    ("--index-url https://mirror.example/simple", [{"name": "pypi", "url": "https://mirror.example/simple"}],
     IndexRole.DEFAULT),
    ("--extra-index-url https://extra.example/simple", [{"name": "index", "url": "https://extra.example/simple"}],
     IndexRole.EXTRA),
])
def test_pdm_default_index_is_the_source_named_pypi(index_line: str, sources, role) -> None:
    out = api.dumps(api.loads(f"{index_line}\nrequests\n", "requirements"), "pdm")
    doc = tomllib.loads(out.text)
    assert doc.get("tool", {}).get("pdm", {}).get("source") == sources
    back = api.loads(out.text, "pdm")
    assert [ix.role for ix in back.indexes] == ([role] if role else [])


def test_pdm_names_several_unnamed_indexes_uniquely() -> None:
    text = "--extra-index-url https://a.example/simple\n--extra-index-url https://b.example/simple\nx\n"
    doc = tomllib.loads(api.dumps(api.loads(text, "requirements"), "pdm").text)
    assert [s["name"] for s in doc["tool"]["pdm"]["source"]] == ["index", "index-2"]


def test_per_package_index_is_pdm_include_packages(tmp_path: Path) -> None:
    from pdm.utils import filtered_sources

    m = Manifest(format="poetry", groups=(Group(name="main", requirements=(
        _req("torch", source=IndexRef(name="pytorch")), _req("numpy"), _req("private-lib", source=IndexRef(name="corp")),
    )),), indexes=(
        Index(name="pytorch", url="https://download.pytorch.org/whl/cpu", role=IndexRole.EXPLICIT),
        Index(name="corp", url="https://corp.example/simple", role=IndexRole.EXTRA),
    ))
    out = api.dumps(m, "pdm", path="/tmp/demo/pyproject.toml")
    assert "per-package-index-dropped" not in out.report.codes()
    sources = tomllib.loads(out.text)["tool"]["pdm"]["source"]
    assert sources == [
        {"name": "pytorch", "url": "https://download.pytorch.org/whl/cpu", "include_packages": ["torch"],
         "exclude_packages": ["*"]},
        {"name": "corp", "url": "https://corp.example/simple", "include_packages": ["private-lib"]},
    ]
    validate(out.text)
    # oracle: PDM's own project model and source filter give each package the sources the manifest means
    configs = pdm_project(out.text, tmp_path).sources
    assert [s.name for s in configs] == ["pypi", "pytorch", "corp"]
    assert [s.name for s in filtered_sources(configs, "torch")] == ["pytorch"]
    assert [s.name for s in filtered_sources(configs, "private-lib")] == ["corp"]
    assert [s.name for s in filtered_sources(configs, "numpy")] == ["pypi", "corp"]  # explicit: not searched
    back = api.loads(out.text, "pdm")
    assert [(r.name, r.source) for r in back.requirements()] == [
        ("torch", IndexRef(name="pytorch")), ("numpy", None), ("private-lib", IndexRef(name="corp"))]
    assert [ix.role for ix in back.indexes] == [IndexRole.EXPLICIT, IndexRole.EXTRA]
    # written again into itself: unchanged
    assert api.dumps(back, "pdm", base=out.text).text == out.text


def test_pdm_include_packages_patterns_stay_as_written() -> None:
    text = ('[project]\nname = "x"\nversion = "1"\ndependencies = ["torch", "torchvision"]\n\n'
            '[[tool.pdm.source]]\nname = "pytorch"\nurl = "https://download.pytorch.org/whl/cpu"\n'
            'include_packages = ["torch*", "Torch"]\nexclude_packages = ["*"]\n')
    m = api.loads(text, "pdm")
    assert [r.source for r in m.requirements()] == [IndexRef(name="pytorch"), None]  # only exact names pin
    assert api.dumps(m, "pdm", base=text).text == text


# --- the project itself (-e .) ---------------------------------------------------------------------------------


@pytest.mark.parametrize("target", ["pep621", "uv", "pdm", "script"])
def test_the_project_itself_is_a_warning_naming_it(target: str) -> None:
    m = api.loads("-e .\nrequests\n", "requirements", path="requirements.txt")
    conv = api.dumps(m, target, path="/tmp/demo/pyproject.toml")
    assert [(c, s, sub) for c, s, sub in _codes(conv) if c == "project-itself-dropped"] == [
        ("project-itself-dropped", "WARNING", ".")]
    loss = next(loss for loss in conv.report if loss.code == "project-itself-dropped")
    assert loss.span.line == 1 and "-e ." in loss.message
    assert LocalPath(path=".") not in [r.source for r in api.loads(conv.text, target).requirements()]


# --- uv default-groups: which groups install by default ---------------------------------------------------------

_GROUPS = '[project]\nname = "x"\nversion = "1"\n\n[dependency-groups]\ndev = ["pytest"]\nlint = ["ruff"]\ndocs = ["sphinx"]\n'


@pytest.mark.parametrize(("setting", "defaults"), [
    ("", {"dev"}),  # uv's own default: only dev
    ('default-groups = ["dev", "docs"]\n', {"dev", "docs"}),
    ('default-groups = "all"\n', {"dev", "lint", "docs"}),
    ("default-groups = []\n", set()),
])
@needs_uv
def test_uv_default_groups_carry_to_poetry_and_back(setting: str, defaults: set[str], tmp_path: Path) -> None:
    text = _GROUPS + '\n[tool.uv]\npackage = false\n' + setting
    m = api.loads(text, "uv")
    assert {g.name for g in m.groups if g.kind.value == "group" and not g.optional} == defaults
    assert api.dumps(m, "uv", base=text).text == text
    poetry = api.dumps(m, "poetry")
    doc = tomllib.loads(poetry.text)["tool"]["poetry"]["group"]
    # Poetry installs every group that is not optional = true
    assert {name for name, g in doc.items() if not g.get("optional", False)} == defaults
    back = api.dumps(api.loads(poetry.text, "poetry"), "uv")
    uv_reads(back.text, tmp_path)  # uv accepts the default-groups written (it refuses names of undefined groups)
    again = api.loads(back.text, "uv")
    assert {g.name for g in again.groups if g.kind.value == "group" and not g.optional} == defaults
    validate(back.text)


def test_uv_groups_outside_the_defaults_are_reported_where_no_default_can_be_said() -> None:
    m = api.loads(_GROUPS + '\n[tool.uv]\npackage = false\n', "uv")
    conv = api.dumps(m, "pep621")
    assert [(c, s, sub) for c, s, sub in _codes(conv) if c == "optional-group-dropped"] == [
        ("optional-group-dropped", "WARNING", "lint"), ("optional-group-dropped", "WARNING", "docs")]
    # a pyproject without [tool.uv] says nothing about install defaults: no group is taken as optional
    plain = api.loads(_GROUPS, "uv")
    assert not any(g.optional for g in plain.groups)


def test_pdm_has_no_supplemental_index() -> None:
    m = Manifest(format="poetry", groups=(Group(name="main", requirements=(_req("zstd"),)),), indexes=(
        Index(name="chia", url="https://pypi.chia.net/simple/", role=IndexRole.SUPPLEMENTAL),))
    out = api.dumps(m, "pdm", path="/tmp/demo/pyproject.toml")
    assert [(c, s, sub) for c, s, sub in _codes(out) if c == "index-role-changed"] == [
        ("index-role-changed", "WARNING", "chia")]
    assert tomllib.loads(out.text)["tool"]["pdm"]["source"] == [{"name": "chia", "url": "https://pypi.chia.net/simple/"}]


def test_an_index_pin_on_one_occurrence_is_shared_in_pdm_and_reported() -> None:
    """chia-blockchain: zstd from PyPI below Python 3.12, from the chia index above; include_packages binds both."""
    m = Manifest(format="poetry", groups=(Group(name="main", requirements=(
        _req('zstd>=1.5.7.2 ; python_version < "3.12"'),
        _req('zstd>=1.5.7.2 ; python_version >= "3.12"', source=IndexRef(name="chia")),
    )),), indexes=(Index(name="chia", url="https://pypi.chia.net/simple/", role=IndexRole.EXPLICIT),))
    out = api.dumps(m, "pdm", path="/tmp/demo/pyproject.toml")
    [loss] = [loss for loss in out.report if loss.code == "pdm-source-shared"]
    assert (loss.severity.name, loss.subject, loss.data) == ("WARNING", "zstd", {"index": "chia"})
    # uv scopes a source with a marker (uv 0.13.8 forks on it): the chia index only where python >= 3.12
    uv = api.dumps(m, "uv", path="/tmp/demo/pyproject.toml")
    assert [loss.code for loss in uv.report if loss.code == "uv-source-shared"] == []
    assert "zstd = [{ index = \"chia\", marker = \"python_version >= '3.12'\" }]\n" in uv.text
    assert tomllib.loads(uv.text)["project"]["dependencies"] == [
        'zstd>=1.5.7.2 ; python_version < "3.12"', 'zstd>=1.5.7.2 ; python_version >= "3.12"']
    again = api.loads(uv.text, "uv", path="/tmp/demo/pyproject.toml")  # uv -> uv: the list stays as written
    assert api.dumps(again, "uv", base=uv.text, path="/tmp/demo/pyproject.toml").text == uv.text


def test_an_index_pin_beside_an_unconditional_occurrence_is_shared_in_uv_and_reported() -> None:
    """An occurrence without a marker overlaps any source marker: one plain source, reported."""
    m = Manifest(format="poetry", groups=(Group(name="main", requirements=(
        _req("zstd>=1.5.7.2"),
        _req('zstd>=1.5.7.2 ; python_version >= "3.12"', source=IndexRef(name="chia")),
    )),), indexes=(Index(name="chia", url="https://pypi.chia.net/simple/", role=IndexRole.EXPLICIT),))
    uv = api.dumps(m, "uv", path="/tmp/demo/pyproject.toml")
    [loss] = [loss for loss in uv.report if loss.code == "uv-source-shared"]
    assert (loss.severity.name, loss.subject) == ("WARNING", "zstd")
    assert "registry requirement installs from index 'chia' too" in loss.message
    assert tomllib.loads(uv.text)["tool"]["uv"]["sources"] == {"zstd": {"index": "chia"}}


def test_marker_scoped_uv_sources_are_accepted_by_uv(tmp_path: Path) -> None:
    """Two sources for one name under disjoint markers, each with its marker; uv (the oracle) reads the file."""
    if shutil.which("uv") is None:
        pytest.skip("uv (the oracle) is not installed")
    m = Manifest(format="poetry", project=Project(name="demo", version="1"), groups=(Group(name="main", requirements=(
        _req('zstd>=1.5.7.2 ; sys_platform == "win32"', source=IndexRef(name="a")),
        _req('zstd>=1.5.7.2 ; sys_platform != "win32"', source=IndexRef(name="b")),
    )),), indexes=(Index(name="a", url="https://a.example/simple/", role=IndexRole.EXPLICIT),
                   Index(name="b", url="https://b.example/simple/", role=IndexRole.EXPLICIT)))
    uv = api.dumps(m, "uv", path=str(tmp_path / "pyproject.toml"))
    assert [loss.code for loss in uv.report if loss.code == "uv-source-shared"] == []
    assert tomllib.loads(uv.text)["tool"]["uv"]["sources"]["zstd"] == [
        {"index": "a", "marker": "sys_platform == 'win32'"}, {"index": "b", "marker": "sys_platform != 'win32'"}]
    (tmp_path / "pyproject.toml").write_text(uv.text, encoding="utf-8")
    run = subprocess.run(["uv", "lock", "--offline", "--no-progress"], cwd=tmp_path, capture_output=True, text=True,
                         env=dict(os.environ, UV_OFFLINE="1", NO_COLOR="1"), timeout=120, check=False)
    out = run.stdout + run.stderr
    assert "Failed to parse" not in out and "TOML parse error" not in out, out
    # offline, resolution stops at a missing package: uv read the sources and got to resolving (forking on them)
    assert run.returncode == 0 or "network" in out or "No solution found when resolving" in out, out


# --- a version together with a path/URL/VCS source ---------------------------------------------------------------


@pytest.mark.parametrize(("target", "kept"), [
    ("uv", True), ("script", True), ("poetry", True),
    ("pdm", False), ("requirements", False), ("pipfile", False), ("pipfile-lock", False), ("poetry1", False),
    ("conda", False), ("freeze", False),
])
def test_a_version_on_a_path_source_is_kept_or_reported(target: str, kept: bool) -> None:
    """langgraph: ``langgraph-checkpoint>=2.0.0`` with ``[tool.uv.sources] langgraph-checkpoint = {path = ...}``.
    uv checks the version against the path's project; PEP 508 (and pip, Pipfile, conda, freeze) has no such form."""
    text = ('[project]\nname = "x"\nversion = "1"\ndependencies = ["lib>=2.0"]\n\n'
            '[tool.uv.sources]\nlib = { path = "../lib" }\n')
    m = api.loads(text, "uv", path="pyproject.toml")
    conv = api.dumps(m, target, path="/tmp/demo/pyproject.toml")
    back = [r for r in api.loads(conv.text, target).requirements() if r.name == "lib" or isinstance(r.source, LocalPath)]
    versions = [r.version.raw if r.version is not None else None for r in back]
    lost = [(loss.code, loss.severity.name, loss.subject) for loss in conv.report if loss.code == "url-version-dropped"]
    if kept:
        assert versions == [">=2.0"] and lost == []
    else:
        assert versions == [None] and lost == [("url-version-dropped", "WARNING", "lib")]


@pytest.mark.parametrize(("table", "key"), [
    ('[tool.pdm.resolution]\noverrides = ["six==1"]\n', "tool.pdm.resolution.overrides"),
    ('[[tool.pdm.source]]\nname = "x"\nurl = "https://x.example/simple"\ninclude_packages = "torch"\n',
     "tool.pdm.source[0].include_packages"),
])
def test_bad_pdm_tables_are_located_errors(table: str, key: str) -> None:
    from depglot.errors import ParseError

    text = '[project]\nname = "x"\nversion = "1"\n\n' + table
    with pytest.raises(ParseError) as exc:
        api.loads(text, "pdm", path="pyproject.toml")
    assert exc.value.span.line is not None and exc.value.span.file == "pyproject.toml"
    assert exc.value.span.key == key


@pytest.mark.parametrize(("setting", "where"), [
    ('override-dependencies = "six==1"\n', "tool.uv.override-dependencies"),
    ('constraint-dependencies = ["urllib3 <<2"]\n', "tool.uv.constraint-dependencies[0]"),
])
def test_bad_uv_resolver_inputs_are_located_errors(setting: str, where: str) -> None:
    from depglot.errors import ParseError

    with pytest.raises(ParseError) as exc:
        api.loads('[project]\nname = "x"\nversion = "1"\n\n[tool.uv]\n' + setting, "uv", path="pyproject.toml")
    assert (exc.value.span.line, exc.value.span.key) == (6, where)
