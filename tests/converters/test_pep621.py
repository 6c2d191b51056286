"""PEP 621 / PEP 735 pyproject (plain, uv and pdm flavours): read, base-mode identity, fresh writes, oracles."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement as PackagingRequirement
from validate_pyproject import api as vp_api
from validate_pyproject import plugins as vp_plugins

from depglot import api
from depglot.dialects.pep508 import parse_requirement
from depglot.errors import ConversionError, ParseError
from depglot.ir.model import (
    Group,
    GroupKind,
    Index,
    IndexRef,
    IndexRole,
    LocalPath,
    Manifest,
    Project,
    Url,
    Vcs,
)
from tests.conftest import FIXTURES, corpus_params

FIX = FIXTURES / "pep621"


def flavour_of(path: Path) -> str:
    if path.parent.name == "pdm_pyproject":
        return "pep621+pdm"
    if path.parent.name in ("uv_pyproject", "pep621"):
        return "pep621+uv"
    return "pep621"


def nospan(x):
    """The same value with every span (and reader losses) removed, for read-back comparisons."""
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        changes = {}
        for f in dataclasses.fields(x):
            v = getattr(x, f.name)
            changes[f.name] = None if f.name == "span" else () if f.name == "losses" else nospan(v)
        return dataclasses.replace(x, **changes)
    if isinstance(x, tuple):
        return tuple(nospan(v) for v in x)
    return x


def same_meaning(a: Manifest, b: Manifest) -> None:
    for field in ("groups", "python", "indexes", "no_index", "index_strategy", "allow_prereleases"):
        assert nospan(getattr(a, field)) == nospan(getattr(b, field)), field
    if a.project is not None:
        assert (a.project.name, a.project.version) == (b.project.name, b.project.version)
        assert dict(a.project.metadata) == dict(b.project.metadata)  # key order is presentation
    assert {r.key: r.value for r in a.raw} == {r.key: r.value for r in b.raw}


_VALIDATOR = None


def validate(text: str) -> None:
    global _VALIDATOR
    if _VALIDATOR is None:
        _VALIDATOR = vp_api.Validator(vp_plugins.list_from_entry_points())
    _VALIDATOR(tomllib.loads(text.lstrip("\ufeff")))


def all_requirement_strings(text: str) -> list[str]:
    doc = tomllib.loads(text.lstrip("\ufeff"))
    project = doc.get("project", {})
    out = list(project.get("dependencies", []))
    for reqs in project.get("optional-dependencies", {}).values():
        out += reqs
    for reqs in doc.get("dependency-groups", {}).values():
        out += [r for r in reqs if isinstance(r, str)]
    return out


# --- corpus ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", corpus_params("pep621", "uv_pyproject", "pdm_pyproject"))
def test_corpus_base_mode_is_identity_as_plain_pep621(path: Path) -> None:
    """Plain pep621 leaves the tool tables of the base alone (what the fuzz test checks on mutated files)."""
    fmt = "pep621"
    text = path.read_text(encoding="utf-8")
    manifest = api.loads(text, fmt, path=str(path))
    assert api.dumps(manifest, fmt, base=text).text == text


@pytest.mark.parametrize("path", corpus_params("pep621", "uv_pyproject", "pdm_pyproject"))
def test_corpus_base_mode_is_identity(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fmt = flavour_of(path)
    manifest = api.loads(text, fmt, path=str(path))
    out = api.dumps(manifest, fmt, base=text)
    assert out.text == text
    # Writing into the file it came from changes nothing, so nothing is reported beyond the reader's notes.
    assert [c for c in out.report.codes() if c not in {loss.code for loss in manifest.losses}] == []


@pytest.mark.parametrize("path", corpus_params("pep621", "uv_pyproject", "pdm_pyproject"))
def test_corpus_base_mode_is_identity_with_bom_and_crlf(path: Path) -> None:
    text = "\ufeff" + path.read_text(encoding="utf-8").replace("\n", "\r\n")
    fmt = flavour_of(path)
    manifest = api.loads(text, fmt, path=str(path))
    assert api.dumps(manifest, fmt, base=text).text == text


@pytest.mark.parametrize("path", corpus_params("pep621", "uv_pyproject", "pdm_pyproject"))
def test_corpus_fresh_write_reads_back_equal_and_validates(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    fmt = flavour_of(path)
    manifest = api.loads(text, fmt, path=str(path))
    fresh = api.dumps(manifest, fmt)
    again = api.loads(fresh.text, fmt)
    same_meaning(manifest, again)
    validate(fresh.text)
    for line in all_requirement_strings(fresh.text):
        if line.startswith("-e "):
            continue
        PackagingRequirement(line)  # packaging parses every string written


@pytest.mark.parametrize("path", corpus_params("pep621", "uv_pyproject", "pdm_pyproject"))
def test_corpus_requirements_agree_with_packaging(path: Path) -> None:
    """Oracle: every requirement read has packaging's name, extras and marker meaning."""
    text = path.read_text(encoding="utf-8")
    manifest = api.loads(text, flavour_of(path))
    doc = tomllib.loads(text)
    strings = all_requirement_strings(text)
    reqs = [r for g in manifest.groups for r in g.requirements if g.name != "dev" or "uv" not in doc.get("tool", {})]
    assert len(strings) <= len(manifest.requirements())
    for req in reqs:
        assert req.span is not None and req.span.line is not None
    by_text = {PackagingRequirement(s).name.lower(): PackagingRequirement(s) for s in strings}
    for req in manifest.requirements():
        p = by_text.get(req.name.lower())
        if p is None:
            continue
        assert set(req.extras) <= set(p.extras) | {e for s in strings for e in PackagingRequirement(s).extras}


# --- reading ---------------------------------------------------------------------------------------------------


def test_uv_sources_indexes_and_settings() -> None:
    m = api.load(FIX / "uv-sources.toml", "uv")
    main = {r.name: r for r in m.main.requirements}
    assert main["lib-git"].source == Vcs(vcs="git", url="https://github.com/org/lib-git", rev="main",
                                         rev_kind="branch", subdirectory="py")
    assert main["lib-tag"].source == Vcs(vcs="git", url="https://github.com/org/lib-tag", rev="v1.2", rev_kind="tag")
    assert main["local-lib"].source == LocalPath(path="../local-lib") and main["local-lib"].editable
    assert main["torch"].source == IndexRef(name="pytorch")
    assert main["member"].source is None
    assert [(r.key, r.value) for r in main["member"].raw] == [("source", {"workspace": True})]
    assert main["pinned"].source == Url(url="https://example.com/pinned-1.0.tar.gz")
    assert [(ix.name, ix.url, ix.role) for ix in m.indexes] == [
        ("pytorch", "https://download.pytorch.org/whl/cpu", IndexRole.EXPLICIT),
        ("internal", "https://pypi.internal.example/simple", IndexRole.DEFAULT),
        ("flat", "https://example.com/flat/", IndexRole.FIND_LINKS),
        (None, "https://example.com/wheels/", IndexRole.FIND_LINKS),
    ]
    assert m.index_strategy == "unsafe-best-match"
    assert m.allow_prereleases is True
    assert {r.key: r.value for r in m.raw if r.format == "uv"} == {
        "tool.uv.constraint-dependencies": ["urllib3<2"],
        "tool.uv.override-dependencies": ["six==1.16.0"],
        "default-groups": True,  # the groups' optional flags are uv's word (no key: only "dev" by default)
    }
    dev = m.group("dev")
    assert dev.kind is GroupKind.GROUP and dev.includes == ("lint",)
    assert [r.name for r in dev.requirements] == ["pytest"]
    # no default-groups: uv installs "dev" only (lint only through dev's include-group, or --group lint)
    assert [(g.name, g.optional) for g in m.groups if g.kind is GroupKind.GROUP] == [("dev", False), ("lint", True)]
    assert str(m.python.raw) == ">=3.10"


def test_dependency_groups_only_is_valid() -> None:
    text = '[dependency-groups]\ntest = ["pytest>=8", {include-group = "lint"}]\nlint = ["ruff"]\n'
    m = api.loads(text, "pep621")
    assert m.project is None and m.main is None
    assert [(g.name, g.includes) for g in m.groups] == [("test", ("lint",)), ("lint", ())]
    fresh = api.dumps(m, "pep621").text
    assert "[project]" not in fresh
    validate(fresh)
    assert api.dumps(m, "pep621", base=text).text == text


def test_a_group_included_twice_is_kept_as_written() -> None:
    """Found by the fuzz test (pydantic's [dependency-groups] with a repeated include): including a group twice is
    including it once, so a base-mode write has nothing to change (it rewrote the group, deduplicated)."""
    text = ('[dependency-groups]\ndev = ["pytest"]\ndocs = ["mkdocs"]\n'
            'all = [\n  { include-group = "dev" },\n  { include-group = "dev" },\n  { include-group = "docs" },\n]\n')
    m = api.loads(text, "pep621")
    assert m.group("all").includes == ("dev", "dev", "docs")  # as written
    conv = api.dumps(m, "pep621", base=text)
    assert conv.text == text
    assert [loss.code for loss in conv.report] == []


def test_pdm_sources_legacy_groups_and_editables() -> None:
    m = api.load(FIX / "pdm-legacy.toml", "pdm")
    assert m.indexes == (Index(name="private", url="https://private.example/simple", role=IndexRole.EXTRA,
                               verify_ssl=False, span=m.indexes[0].span),)
    test = m.group("test")
    assert test.kind is GroupKind.GROUP
    foo = test.requirements[1]
    assert (foo.name, foo.source, foo.editable) == ("foo", LocalPath(path="./plugins/foo"), True)
    assert {r.key: r.value for r in m.raw} == {"tool.pdm.resolution.overrides": {"urllib3": ">=1.26.2"}}
    fresh = api.dumps(m, "pdm")
    assert "-e file:///${PROJECT_ROOT}/plugins/foo#egg=foo" in fresh.text
    assert fresh.report.codes() == []
    same_meaning(m, api.loads(fresh.text, "pdm"))


def test_dynamic_dependencies_from_setuptools_files() -> None:
    path = FIX / "dynamic" / "pyproject.toml"
    m = api.load(path, "pep621")
    assert [r.name for r in m.main.requirements] == ["requests", "attrs"]
    assert m.main.requirements[1].marker == 'python_version < "3.12"'
    assert m.main.requirements[0].span.file.endswith("requirements.txt") and m.main.requirements[0].span.line == 2
    assert [r.name for r in m.group("test").requirements] == ["pytest"]
    assert m.losses == ()
    text = path.read_text()
    assert api.dumps(m, "pep621", base=text, path=str(path)).text == text
    # A change cannot be written into the files setuptools reads: reported, not silently dropped.
    changed = m.replace(groups=(m.main.replace(requirements=m.main.requirements[:1]), *m.groups[1:]))
    out = api.dumps(changed, "pep621", base=text, path=str(path))
    assert out.text == text
    assert out.report.codes() == ["dynamic-dependencies-not-written"]
    # Fresh writes make them static.
    fresh = api.dumps(m, "pep621").text
    assert "dynamic" not in fresh
    validate(fresh)


def test_dynamic_without_a_static_source_is_reported() -> None:
    text = '[project]\nname = "x"\nversion = "1"\ndynamic = ["dependencies"]\n'
    m = api.loads(text, "pep621", path="pyproject.toml")
    assert [(loss.code, loss.span.line) for loss in m.losses] == [("dynamic-unresolved", 4)]


# --- bad input -------------------------------------------------------------------------------------------------


def test_invalid_toml_has_line_and_column() -> None:
    with pytest.raises(ParseError) as exc:
        api.loads('[project]\nname = "x"\ndependencies = [\n  "a",,\n]\n', "pep621", path="pyproject.toml")
    assert exc.value.span.line == 4 and exc.value.span.column is not None
    assert "invalid TOML" in exc.value.message


def test_invalid_pep508_names_key_path_and_line() -> None:
    with pytest.raises(ParseError) as exc:
        api.load(FIX / "bad-pep508.toml", "pep621")
    assert exc.value.span.line == 6
    assert exc.value.span.key == "project.dependencies[1]"
    assert "foo >=> 1" in exc.value.render()


def test_project_without_name_but_dependencies() -> None:
    with pytest.raises(ParseError) as exc:
        api.load(FIX / "no-name.toml", "pep621")
    assert exc.value.span.line == 1 and exc.value.span.key == "project"
    assert "no name" in exc.value.message


def test_source_naming_undeclared_index() -> None:
    with pytest.raises(ParseError) as exc:
        api.load(FIX / "undeclared-index.toml", "uv")
    assert exc.value.span.line == 7
    assert exc.value.span.key == "tool.uv.sources.torch"
    assert "pytorch" in exc.value.message


def test_bad_include_group() -> None:
    with pytest.raises(ParseError) as exc:
        api.loads('[dependency-groups]\na = [{include-group = "nope"}]\n', "pep621")
    assert exc.value.span.key == "dependency-groups.a" and exc.value.span.line == 2


# --- writing ---------------------------------------------------------------------------------------------------


def _req(text: str, **kw):
    return parse_requirement(text).replace(**kw)


def _manifest(*groups: Group, indexes=(), **kw) -> Manifest:
    return Manifest(format="requirements", groups=groups, indexes=tuple(indexes), **kw)


def test_several_pip_indexes_to_uv_report_strategy() -> None:
    m = _manifest(
        Group(name="main", requirements=(_req("requests>=2"),)),
        indexes=(Index(name=None, url="https://mirror.example/simple", role=IndexRole.DEFAULT),
                 Index(name=None, url="https://extra.example/simple", role=IndexRole.EXTRA)),
    )
    out = api.dumps(m, "uv")
    assert "index-strategy-changed" in out.report.codes()
    assert "index-strategy" not in out.text
    chosen = api.dumps(m, "uv", index_strategy="unsafe-best-match")
    assert "index-strategy-changed" not in chosen.report.codes()
    assert 'index-strategy = "unsafe-best-match"' in chosen.text
    validate(chosen.text)
    with pytest.raises(ConversionError):
        api.dumps(m, "uv", index_strategy="best")
    # One index that replaces PyPI: nothing to choose between.
    single = _manifest(Group(name="main", requirements=(_req("requests"),)), indexes=m.indexes[:1])
    assert "index-strategy-changed" not in api.dumps(single, "uv").report.codes()
    # An extra index beside PyPI is two indexes.
    extra_only = _manifest(Group(name="main", requirements=(_req("requests"),)), indexes=m.indexes[1:])
    assert "index-strategy-changed" in api.dumps(extra_only, "uv").report.codes()


@pytest.mark.parametrize(("optional_to", "where"), [("extra", "optional-dependencies"), ("group", "dependency-groups")])
def test_optional_without_extra_never_becomes_required(optional_to: str, where: str) -> None:
    m = Manifest(
        format="poetry",
        project=Project(name="p", version="1.0"),
        groups=(
            Group(name="main", requirements=(_req("requests"), _req("lonely>=1", optional=True),
                                             _req("psycopg", optional=True))),
            Group(name="pg", kind=GroupKind.EXTRA, requirements=(_req("psycopg", optional=True),)),
        ),
    )
    out = api.dumps(m, "pep621", optional_to=optional_to)
    doc = tomllib.loads(out.text)
    assert doc["project"]["dependencies"] == ["requests"]
    assert doc["project"]["optional-dependencies"]["pg"] == ["psycopg"]
    assert out.report.codes() == ["optional-without-extra"]
    if optional_to == "extra":
        assert doc["project"]["optional-dependencies"]["lonely"] == ["lonely>=1"]
    else:
        assert doc["dependency-groups"]["optional"] == ["lonely>=1"]
    validate(out.text)


def test_plain_pep621_reports_what_needs_tool_tables() -> None:
    m = api.load(FIX / "uv-sources.toml", "uv")
    out = api.dumps(m, "pep621")
    codes = out.report.codes()
    assert codes == ["path-dropped", "editable-dropped", "per-package-index-dropped", "optional-group-dropped",
                     "index-dropped", "index-name-dropped", "index-dropped", "index-name-dropped", "find-links-dropped",
                     "find-links-dropped", "prereleases-dropped", "constraints-dropped", "overrides-dropped",
                     "uv-source-dropped"]
    # uv's resolver inputs and a workspace source change what gets installed: errors, at their lines
    where = {loss.code: (loss.subject, loss.severity.name, loss.span.line) for loss in out.report}
    assert where["constraints-dropped"] == ("tool.uv.constraint-dependencies", "ERROR", 23)
    assert where["overrides-dropped"] == ("tool.uv.override-dependencies", "ERROR", 24)
    assert where["uv-source-dropped"] == ("member.source", "ERROR", 31)
    doc = tomllib.loads(out.text)
    assert "tool" not in doc
    # VCS references are PEP 508: kept in the string.
    assert "lib-git @ git+https://github.com/org/lib-git@main#subdirectory=py" in doc["project"]["dependencies"]
    validate(out.text)


def test_uv_fresh_write_round_trips_sources() -> None:
    m = api.load(FIX / "uv-sources.toml", "uv")
    out = api.dumps(m, "uv")
    assert out.report.codes() == []
    doc = tomllib.loads(out.text)
    assert doc["tool"]["uv"]["sources"]["lib-git"] == {"git": "https://github.com/org/lib-git", "branch": "main",
                                                         "subdirectory": "py"}
    assert doc["tool"]["uv"]["sources"]["member"] == {"workspace": True}
    assert doc["dependency-groups"]["dev"] == [{"include-group": "lint"}, "pytest>=8"]
    same_meaning(m, api.loads(out.text, "uv"))
    validate(out.text)


def test_base_mode_edits_only_what_changed() -> None:
    text = (FIX / "uv-sources.toml").read_text()
    m = api.loads(text, "uv")
    main = m.main
    added = main.replace(requirements=(*main.requirements, _req("rich>=13")))
    out = api.dumps(m.replace(groups=(added, *m.groups[1:])), "uv", base=text)
    assert out.text == text.replace(
        '    "pinned @ https://example.com/pinned-1.0.tar.gz",\n',
        '    "pinned @ https://example.com/pinned-1.0.tar.gz",\n    "rich>=13",\n',
    )
    assert out.report.codes() == []


def test_base_mode_reports_replaced_dependency_group() -> None:
    text = (FIX / "uv-sources.toml").read_text()
    m = api.loads(text, "uv")
    lint = m.group("lint").replace(requirements=(_req("flake8"),))
    out = api.dumps(m.replace(groups=tuple(lint if g.name == "lint" else g for g in m.groups)), "uv", base=text)
    assert out.text == text.replace('lint = ["ruff"]', 'lint = ["flake8"]')
    assert out.report.codes() == ["dependency-group-replaced"]
    assert out.report.losses[0].data["old"] == ["ruff"]


def test_base_mode_removing_a_source_removes_its_comment() -> None:
    text = (
        '[project]\nname = "d"\nversion = "1"\ndependencies = ["a", "b"]\n\n[tool.uv.sources]\n'
        '# a comes from git\na = { git = "https://x.example/a" }\nb = { path = "../b" }\n'
    )
    m = api.loads(text, "uv")
    a, b = m.main.requirements
    changed = m.replace(groups=(m.main.replace(requirements=(a.replace(source=None, raw=()), b)),))
    out = api.dumps(changed, "uv", base=text)
    assert out.text == (
        '[project]\nname = "d"\nversion = "1"\ndependencies = ["a", "b"]\n\n[tool.uv.sources]\n'
        'b = { path = "../b" }\n'
    )


def test_requirements_like_manifest_to_new_pyproject_names_project() -> None:
    m = _manifest(Group(name="main", requirements=(_req("requests>=2"),)))
    out = api.dumps(m, "pep621", path="/tmp/My_App/pyproject.toml")
    doc = tomllib.loads(out.text)
    assert doc["project"]["name"] == "my-app" and doc["project"]["version"] == "0.0.0"
    assert out.report.codes() == ["project-name-invented", "project-version-invented"]
    validate(out.text)


def test_detect_scores() -> None:
    from depglot.converters.pyproject.pep621 import Pep621Format

    fmt = Pep621Format()
    assert fmt.detect("pyproject.toml", '[project]\nname = "x"\n') == 30
    assert fmt.detect("pyproject.toml", '[dependency-groups]\nx = []\n') == 30
    assert fmt.detect("pyproject.toml", '[project]\nname = "x"\n[tool.poetry]\n') == 10
    assert fmt.detect("pyproject.toml", '[tool.black]\n') == 0


def test_poetry_groups_keep_their_install_default_in_uv() -> None:
    m = Manifest(
        format="poetry",
        project=Project(name="p", version="1.0"),
        groups=(
            Group(name="main", requirements=(_req("requests"),)),
            Group(name="test", kind=GroupKind.GROUP, requirements=(_req("pytest"),)),
            Group(name="docs", kind=GroupKind.GROUP, optional=True, requirements=(_req("sphinx"),)),
        ),
    )
    out = api.dumps(m, "uv")
    doc = tomllib.loads(out.text)
    # Poetry installs every non-optional group; uv only "dev" unless told.
    assert doc["tool"]["uv"]["default-groups"] == ["test"]
    back = api.loads(out.text, "uv")
    assert [(g.name, g.optional) for g in back.groups] == [("main", False), ("test", False), ("docs", True)]
    validate(out.text)
    # A uv file that lists its default groups reads them back as optional flags and writes them unchanged.
    text = '[dependency-groups]\ndev = ["a"]\nlint = ["b"]\n\n[tool.uv]\ndefault-groups = "all"\n'
    read = api.loads(text, "uv")
    assert [g.optional for g in read.groups] == [False, False]
    assert api.dumps(read, "uv", base=text).text == text


def test_legacy_uv_dev_dependencies_move_to_pep735_when_changed() -> None:
    text = '[project]\nname = "x"\nversion = "1"\n\n[tool.uv]\ndev-dependencies = ["pytest"]\n'
    m = api.loads(text, "uv")
    assert [(g.name, [r.name for r in g.requirements]) for g in m.groups] == [("dev", ["pytest"])]
    assert api.dumps(m, "uv", base=text).text == text
    dev = m.group("dev")
    out = api.dumps(m.replace(groups=(dev.replace(requirements=(*dev.requirements, _req("ruff"))),)), "uv", base=text)
    doc = tomllib.loads(out.text)
    assert doc["dependency-groups"]["dev"] == ["pytest", "ruff"]
    assert "tool" not in doc
    assert out.report.codes() == ["dependency-group-replaced"]


def _source_format(path: Path) -> str:
    return {"poetry": "poetry", "poetry2": "poetry", "pipfile": "pipfile", "requirements": "requirements"}[
        path.parent.name
    ]


@pytest.mark.parametrize("path", corpus_params("poetry", "poetry2", "pipfile", "requirements"))
@pytest.mark.parametrize("target", ["uv", "pep621", "pdm"])
def test_other_formats_convert_to_valid_pyprojects(path: Path, target: str) -> None:
    """Oracle: whatever the source, the pyproject written validates and reads back with the same requirements."""
    m = api.load(path, _source_format(path))
    out = api.dumps(m, target, path="/tmp/demo-project/pyproject.toml")
    validate(out.text)
    back = api.loads(out.text, target)
    for line in all_requirement_strings(out.text):
        if not line.startswith("-e "):
            PackagingRequirement(line)
    written = {r.key for r in back.requirements()}
    for req in out.manifest.requirements():
        if req.name:
            assert req.key in written, req.name


def test_unnamed_and_self_requirements() -> None:
    from depglot.ir.model import LocalPath as LP

    m = _manifest(Group(name="main", requirements=(
        _req("requests"),
        _req("x").replace(name="", source=LP(path="."), editable=True, extras=("socks",)),
        _req("x").replace(name="", source=Vcs(vcs="git", url="https://x.example/r")),
    )))
    out = api.dumps(m, "uv", path="/tmp/p/pyproject.toml")
    assert tomllib.loads(out.text)["project"]["dependencies"] == ["requests"]
    assert [c for c in out.report.codes() if "invented" not in c] == ["project-itself-dropped",
                                                                      "unnamed-requirement-dropped"]


def test_poetry_metadata_is_made_pep621() -> None:
    m = Manifest(format="poetry", project=Project(name="p", version="1.0", metadata=(
        ("license", "Apache License 2.0"), ("homepage", "https://x.example"), ("dynamic", ["version", "readme"]),
        ("entry-points", {"blog.parsers": {".rst": "mod::Cls", "md": "mod:md"}}),
    )), groups=(Group(name="main", requirements=(_req("requests"),)),))
    out = api.dumps(m, "pep621")
    doc = tomllib.loads(out.text)["project"]
    assert doc["license"] == {"text": "Apache License 2.0"}
    assert "homepage" not in doc and doc["dynamic"] == ["readme"]
    assert doc["entry-points"] == {"blog.parsers": {"md": "mod:md"}}
    assert sorted(out.report.codes()) == ["entry-point-invalid", "project-metadata-dropped"]


def test_keep_locked_writes_constraint_dependencies() -> None:
    from depglot.ir.model import Lock, LockedPackage

    lock = Lock(packages=(
        LockedPackage(name="Rich", version="14.0.0"),
        LockedPackage(name="colorama", version="0.4.6", marker="sys_platform == 'win32'"),
        LockedPackage(name="mylib", version="1.0", source=Vcs(vcs="git", url="https://x.example/l", rev="a" * 40)),
    ))
    text = '[project]\nname = "p"\nversion = "1"\ndependencies = ["rich>=13"]\n\n[tool.uv]\nconstraint-dependencies = ["six<2"]\n'
    m = api.loads(text, "uv").replace(lock=lock)
    out = api.dumps(m, "uv", base=text, keep_locked=True)
    doc = tomllib.loads(out.text)
    assert doc["project"]["dependencies"] == ["rich>=13"]  # ranges stay as written
    assert doc["tool"]["uv"]["constraint-dependencies"] == [
        "six<2", "colorama==0.4.6 ; sys_platform == 'win32'", "rich==14.0.0"]
    assert "keep-locked-no-lock" in api.dumps(api.loads(text, "uv"), "uv", keep_locked=True).report.codes()


def test_base_mode_is_identical_where_tomlkit_re_renders_differently() -> None:
    # found by tests/test_fuzz.py (a flipped byte in '[tool.towncrier]'): tomlkit re-indents the later
    # indented [[tool.towncrier.type]] headers; an unchanged document must keep its bytes
    import tomlkit

    text = ('[project]\nname = "x"\nversion = "1"\ndependencies = ["a"]\n\n[uool.towncrier]\n    package = "x"\n\n'
            '    [[tool.towncrier.type]]\n        name = "A"\n\n    [[tool.towncrier.type]]\n        name = "B"\n\n'
            '    [[tool.towncrier.type]]\n        name = "C"\n')
    assert tomlkit.dumps(tomlkit.parse(text)) != text
    assert api.dumps(api.loads(text, "pep621"), "pep621", base=text).text == text


def test_pdm_flavour_keeps_paths_outside_the_project_and_reads_them_back_relative() -> None:
    # regression (matrix): "../../x" was written as ${PROJECT_ROOT}/x (lstrip ate the "../"), and a
    # file:///${PROJECT_ROOT}/x in [project] read back as the absolute path "/${PROJECT_ROOT}/x" without [tool.pdm]
    poetry = (
        '[tool.poetry]\nname = "p"\nversion = "1.0"\n\n[tool.poetry.dependencies]\n'
        'acme = { path = "../../acme" }\ncertbot = { path = "./certbot" }\n'
    )
    conv = api.dumps(api.loads(poetry, "poetry"), "pep621+pdm")
    assert '"acme @ file:///${PROJECT_ROOT}/../../acme"' in conv.text
    assert '"certbot @ file:///${PROJECT_ROOT}/certbot"' in conv.text
    assert "[tool.pdm" not in conv.text
    back = api.loads(conv.text, "pep621+pdm")
    paths = sorted(r.source.path for r in back.requirements() if isinstance(r.source, LocalPath))
    assert paths == ["../../acme", "./certbot"]  # as Poetry wrote them (../ needs no ./)


def test_uv_flavour_reports_an_editable_vcs_source() -> None:
    # regression (matrix): `-e git+...` became a plain uv git source; uv has no editable git, so it is a loss
    conv = api.dumps(api.loads("-e git+https://github.com/openai/CLIP.git@main#egg=clip\n", "requirements"),
                     "pep621+uv")
    assert 'clip = { git = "https://github.com/openai/CLIP.git", rev = "main" }' in conv.text
    assert [(l.code, l.subject) for l in conv.report if l.code == "editable-dropped"] == [("editable-dropped", "clip")]


def test_unnamed_requirement_loss_names_its_url() -> None:
    # regression (matrix): the loss subject was the source object's repr, not the URL the user wrote
    conv = api.dumps(api.loads("git+https://github.com/dask/distributed\nx==1\n", "requirements"), "pep621")
    assert [l.subject for l in conv.report if l.code == "unnamed-requirement-dropped"] == [
        "https://github.com/dask/distributed"
    ]


@pytest.mark.parametrize("target", ["pep621", "pep621+uv", "poetry", "poetry1"])
def test_a_conda_prefix_path_as_env_name_becomes_a_valid_project_name(target: str) -> None:
    """`conda env export` of an env made with -p writes `name: /path/to/env`: not a PEP 508 project name."""
    import tomllib

    text = "name: /tmp/envs/my_env-2\ndependencies:\n  - python=3.11\n  - numpy>=1.26\n"
    conversion = api.convert(text, "conda", target)
    data = tomllib.loads(conversion.text)
    name = data["project"]["name"] if "project" in data else data["tool"]["poetry"]["name"]
    assert name == "my_env-2"
    [loss] = [x for x in conversion.report if x.code == "project-name-invented"]
    assert loss.subject == "my_env-2" and loss.severity.name == "WARNING"
