"""PEP 508 dialect: decomposition keeps the written text; packaging is the oracle on every real dependency line."""

from __future__ import annotations

import tomllib

import pytest
from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as Oracle

from depglot.dialects import pep508
from depglot.errors import ParseError
from depglot.ir.model import LocalPath, Requirement, Url, Vcs
from depglot.ir.versions import VersionSpec
from depglot.report import Report

from .conftest import corpus_files


def test_parts_are_kept_as_written() -> None:
    req = pep508.parse_requirement("Foo_Bar[b, a] (>= 1.0 , <2) ;python_version<\"3.8\" or os_name == 'nt'")
    assert req.name == "Foo_Bar"
    assert req.extras == ("b", "a")
    assert req.version is not None and req.version.raw == ">= 1.0 , <2" and req.version.dialect == "pep440"
    assert req.marker == "python_version<\"3.8\" or os_name == 'nt'"
    assert req.source is None
    assert (
        pep508.render_requirement(req)
        == "Foo_Bar[b,a]>= 1.0 , <2 ; python_version<\"3.8\" or os_name == 'nt'"
    )


@pytest.mark.parametrize(
    ("text", "source", "rendered"),
    [
        (
            "foo @ git+https://github.com/o/r.git@v1.2#subdirectory=pkg&egg=foo ; sys_platform == 'linux'",
            Vcs(vcs="git", url="https://github.com/o/r.git", rev="v1.2", subdirectory="pkg"),
            "foo @ git+https://github.com/o/r.git@v1.2#subdirectory=pkg ; sys_platform == 'linux'",
        ),
        (
            "foo@git+ssh://git@github.com/o/r.git",
            Vcs(vcs="git", url="ssh://git@github.com/o/r.git"),
            "foo @ git+ssh://git@github.com/o/r.git",
        ),
        (
            "foo @ hg+https://hg.example.com/r@abc",
            Vcs(vcs="hg", url="https://hg.example.com/r", rev="abc"),
            "foo @ hg+https://hg.example.com/r@abc",
        ),
        (
            "foo @ https://example.com/foo-1.0.tar.gz#sha256=abcd",
            Url(url="https://example.com/foo-1.0.tar.gz#sha256=abcd"),
            "foo @ https://example.com/foo-1.0.tar.gz#sha256=abcd",
        ),
        (
            "foo @ file:///srv/wheels/foo-1.0-py3-none-any.whl",
            Url(url="file:///srv/wheels/foo-1.0-py3-none-any.whl"),
            "foo @ file:///srv/wheels/foo-1.0-py3-none-any.whl",
        ),
        (
            "foo @ file:///srv/src/my%20foo",
            LocalPath(path="/srv/src/my foo"),
            "foo @ file:///srv/src/my%20foo",
        ),
        (
            "foo @ file://localhost/srv/foo#subdirectory=py",
            LocalPath(path="/srv/foo", subdirectory="py"),
            "foo @ file:///srv/foo#subdirectory=py",
        ),
        ("foo @ file:///C:/src/foo", LocalPath(path="C:/src/foo"), "foo @ file:///C:/src/foo"),
    ],
)
def test_direct_references(text: str, source: object, rendered: str) -> None:
    req = pep508.parse_requirement(text)
    assert req.source == source
    assert req.version is None
    report = Report()
    assert pep508.render_requirement(req, report=report) == rendered
    assert not report
    assert Oracle(rendered).url == Oracle(text).url.replace("&egg=foo", "").replace("localhost", "")


def test_relative_local_path_is_reported() -> None:
    report = Report()
    out = pep508.render_requirement(
        Requirement(name="foo", source=LocalPath(path="./libs/foo")), report=report
    )
    assert out == "foo @ file:./libs/foo"
    assert report.codes() == ["relative-path-url"]


def test_version_beside_a_url_is_reported() -> None:
    report = Report()
    req = Requirement(
        name="foo", version=VersionSpec.from_pep440(">=1"), source=Vcs(vcs="git", url="https://h/r")
    )
    assert pep508.render_requirement(req, report=report) == "foo @ git+https://h/r"
    assert report.codes() == ["url-version-dropped"]


@pytest.mark.parametrize(
    ("text", "position"),
    [("foo >=1 bar", 9), ("foo[bar", 4), ("foo ; python_version >", 23), (">=1", 1)],
)
def test_bad_requirements_are_located(text: str, position: int) -> None:
    with pytest.raises(ParseError) as info:
        pep508.parse_requirement(text)
    assert info.value.dialect == "pep508"
    assert f"(at position {position})" in info.value.message
    assert repr(text) in info.value.message


def _corpus_lines() -> list[str]:
    lines: list[str] = []
    for category in ("pep621", "pdm_pyproject", "uv_pyproject", "hatch"):
        for path in corpus_files(category):
            if path.suffix != ".toml":
                continue
            try:
                data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
            except (tomllib.TOMLDecodeError, UnicodeDecodeError):
                continue
            project = data.get("project", {})
            deps = list(project.get("dependencies", []))
            for extra in project.get("optional-dependencies", {}).values():
                deps.extend(extra)
            lines.extend(d for d in deps if isinstance(d, str))
    return sorted(set(lines))


CORPUS_LINES = _corpus_lines()


@pytest.mark.skipif(not CORPUS_LINES, reason="shared corpus absent (no pyproject dependency lines)")
def test_every_corpus_dependency_line_agrees_with_packaging() -> None:
    checked = 0
    for line in CORPUS_LINES:
        try:
            oracle = Oracle(line)
        except InvalidRequirement:
            with pytest.raises(ParseError):
                pep508.parse_requirement(line)
            continue
        req = pep508.parse_requirement(line)
        assert req.name == oracle.name, line
        assert set(req.extras) == oracle.extras, line
        spec = req.version.raw if req.version else ""
        assert Oracle(f"x{'(' + spec + ')' if spec else ''}").specifier == oracle.specifier, line
        assert (req.marker is None) == (oracle.marker is None), line
        if req.marker is not None:
            assert req.marker in line  # exactly as written
            assert str(Oracle(f"x ; {req.marker}").marker) == str(oracle.marker), line
        again = Oracle(pep508.render_requirement(req))
        assert (again.name, again.extras, again.specifier, str(again.marker)) == (
            oracle.name,
            oracle.extras,
            oracle.specifier,
            str(oracle.marker),
        ), line
        assert again.url == (oracle.url.replace("&egg=" + oracle.name, "") if oracle.url else None) or (
            "#egg=" in (oracle.url or "") or "localhost" in (oracle.url or "")
        ), line
        checked += 1
    assert checked >= 50
