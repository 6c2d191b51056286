"""Pipfile dialect: pipenv's own conversion is the oracle for versions and marker keys (minus its os_name bug)."""

from __future__ import annotations

import tomllib

import pytest
from packaging.markers import Marker
from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as Oracle
from packaging.specifiers import SpecifierSet
from pipenv.utils.dependencies import dependency_as_pip_install_line, translate_markers

from depglot.dialects import pipfile, poetry
from depglot.dialects._common import same_set
from depglot.errors import ParseError
from depglot.ir.versions import VersionSpec, pep440_range
from depglot.report import Report
from depglot.span import Span

from .conftest import corpus_files

ENVIRONMENTS = [
    {
        "sys_platform": p,
        "os_name": o,
        "platform_machine": m,
        "python_version": py,
        "python_full_version": py + ".1",
    }
    for p, o in (("linux", "posix"), ("win32", "nt"), ("darwin", "posix"))
    for m in ("x86_64", "aarch64")
    for py in ("3.8", "3.11", "3.12")
]


def _pipenv_line(name: str, entry: object) -> str:
    return dependency_as_pip_install_line(name, entry, False, True, False, [])


@pytest.mark.parametrize(
    ("text", "pep"),
    [
        ("*", ""),
        ("", ""),
        ("1.2.3", "==1.2.3"),
        ("1.2.*", "==1.2.*"),
        ("==1.*", "==1.*"),
        (">=1.2,<2", ">=1.2,<2"),
        ("~=1.2", "~=1.2"),
        ("===1.2.3", "===1.2.3"),
        ("!=1.5", "!=1.5"),
        ("1!2.0", "==1!2.0"),
    ],
)
def test_parse_version_matches_pipenv(text: str, pep: str) -> None:
    spec = pipfile.parse_version(text)
    assert (spec.raw, spec.dialect, spec.pep440) == (text, "pipfile", pep)
    line = _pipenv_line("foo", text if text else "*")
    assert Oracle(line).specifier == SpecifierSet(pep)


def test_surrounding_spaces_are_tolerated() -> None:
    # pipenv prefixes "==" to " >=1.0 " (no operator at position 0) and writes an invalid line; depglot strips
    assert pipfile.parse_version(" >=1.0 ").pep440 == ">=1.0"
    assert _pipenv_line("foo", " >=1.0 ") == "foo== >=1.0 "


@pytest.mark.parametrize(
    ("text", "position", "needle"),
    [
        ("^1.2", 1, "operator '^' is not PEP 440"),
        ("~1.2", 1, "operator '~' is not PEP 440"),
        ("~=1", 1, "'~=' needs at least two release components"),
        ("=1.2", 1, "operator '=' is not PEP 440"),
        ("1.2.3.4.x", 1, "not a valid version"),
        (">=1.2,,<2", 7, "empty clause"),
        ("  ^1.2", 3, "operator '^'"),
    ],
)
def test_invalid_versions_are_errors_not_repairs(text: str, position: int, needle: str) -> None:
    with pytest.raises(ParseError) as info:
        pipfile.parse_version(text, span=Span(file="Pipfile", line=8, column=11, key="packages.requests"))
    err = info.value
    assert err.dialect == "pipfile" and needle in err.message and repr(text) in err.message
    assert f"(at position {position})" in err.message
    assert err.span is not None and (err.span.line, err.span.column) == (8, 10 + position)


def test_pipenv_would_write_an_invalid_line_for_poetry_syntax() -> None:
    # the trap depglot refuses: pipenv prefixes "==" and pip then rejects the requirement
    line = _pipenv_line("requests", "^1.2")
    assert line == "requests==^1.2"
    with pytest.raises(Exception):  # noqa: B017 - packaging's InvalidRequirement
        Oracle(line)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        (pipfile.parse_version("1.2.3"), "1.2.3"),
        (pipfile.parse_version("*"), "*"),
        (None, "*"),
        (poetry.parse("^1.2"), ">=1.2,<2.0"),
        (poetry.parse("*"), "*"),
        (poetry.parse("1.2.3"), "==1.2.3"),
    ],
)
def test_render_version(spec: VersionSpec | None, expected: str) -> None:
    assert pipfile.render_version(spec) == expected
    assert pipfile.parse_version(expected).versions is not None
    if spec is not None:
        assert same_set(pipfile.parse_version(expected).versions, spec.versions)


def test_render_union_widens_with_loss() -> None:
    report = Report()
    assert pipfile.render_version(poetry.parse("^1.2 || ^2.0"), report=report, subject="foo") == ">=1.2,<3.0"
    assert report.codes() == ["version-union-widened"]


MARKER_TABLES = [
    {"version": "*", "sys_platform": "== 'win32'"},
    {"version": ">=1", "platform_machine": "== 'x86_64'"},
    {"version": ">=1", "markers": "python_version < '3.12'"},
    {"version": ">=1", "markers": "python_version < '3.12'", "sys_platform": "== 'linux'"},
    {
        "version": ">=1",
        "markers": "sys_platform == 'linux' or sys_platform == 'darwin'",
        "python_version": ">= '3.11'",
    },
    {"version": ">=1", "python_version": "< '3.12'", "platform_machine": "!= 'aarch64'"},
]


@pytest.mark.parametrize("table", [t for t in MARKER_TABLES if " or " not in t.get("markers", "")])
def test_marker_keys_mean_what_pipenv_means(table: dict[str, str]) -> None:
    ours = pipfile.markers_from_keys(table)
    assert ours is not None
    theirs = translate_markers(table)["markers"]
    for env in ENVIRONMENTS:
        assert Marker(ours).evaluate(env) == Marker(theirs).evaluate(env), (ours, theirs, env)


def test_pipenv_precedence_bug_is_not_copied() -> None:
    table = MARKER_TABLES[4]
    theirs = translate_markers(table)["markers"]
    env = {**ENVIRONMENTS[0], "sys_platform": "darwin", "python_version": "3.8"}
    assert Marker(theirs).evaluate(
        env
    )  # pipenv: "c and a or b" admits darwin on 3.8, which the user excluded
    ours = pipfile.markers_from_keys(table)
    assert ours == "(sys_platform == 'linux' or sys_platform == 'darwin') and python_version >= '3.11'"
    assert not Marker(ours).evaluate(env)


def test_os_name_is_kept_unlike_pipenv() -> None:
    table = {"version": ">=1", "os_name": "== 'nt'"}
    assert "markers" not in translate_markers(table)  # pipenv drops it
    assert pipfile.markers_from_keys(table) == "os_name == 'nt'"


def test_marker_key_without_operator_is_located() -> None:
    with pytest.raises(ParseError) as info:
        pipfile.markers_from_keys(
            {"sys_platform": "win32"}, span=Span(file="Pipfile", line=4, column=1, key="packages.x")
        )
    assert info.value.span is not None and info.value.span.key == "packages.x.sys_platform"
    assert info.value.hint is not None and "== 'win32'" in info.value.hint


def test_no_marker_keys() -> None:
    assert pipfile.markers_from_keys({"version": "*", "index": "pypi"}) is None


@pytest.mark.parametrize(
    ("marker", "keys"),
    [
        ("sys_platform == 'win32'", {"sys_platform": "== 'win32'"}),
        (
            "sys_platform == 'win32' and os_name == \"nt\"",
            {"sys_platform": "== 'win32'", "os_name": '== "nt"'},
        ),
        (
            "sys_platform == 'win32' or os_name == 'nt'",
            {"markers": "sys_platform == 'win32' or os_name == 'nt'"},
        ),
        ("extra == 'x'", {"markers": "extra == 'x'"}),
        (None, {}),
    ],
)
def test_keys_from_marker_round_trips(marker: str | None, keys: dict[str, str]) -> None:
    assert pipfile.keys_from_marker(marker) == keys
    if marker is not None:
        assert pipfile.markers_from_keys(keys) == marker


def test_python_requirement() -> None:
    assert pipfile.python_requirement("3.11").pep440 == "==3.11.*"
    assert pipfile.python_requirement("3.11", "3.11.4").pep440 == "==3.11.4"
    assert pipfile.python_requirement() is None
    assert "3.11.9" in pipfile.python_requirement("3.11").versions
    assert pipfile.requires_from_python(pipfile.python_requirement("3.11")) == ("python_version", "3.11")
    assert pipfile.requires_from_python(pipfile.python_requirement(None, "3.11.4")) == (
        "python_full_version",
        "3.11.4",
    )
    assert pipfile.requires_from_python(poetry.parse("^3.8")) is None
    assert same_set(pipfile.python_requirement("3").versions, pep440_range("==3.*"))


def test_every_corpus_pipfile_version_and_marker() -> None:
    files = corpus_files("pipfile")
    if not files:
        pytest.skip("shared corpus absent")
    checked = markers = 0
    for path in files:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        for section, entries in data.items():
            if section in ("source", "requires", "pipenv", "scripts") or not isinstance(entries, dict):
                continue
            for name, entry in entries.items():
                version = (
                    entry
                    if isinstance(entry, str)
                    else entry.get("version", "*")
                    if isinstance(entry, dict)
                    else None
                )
                if not isinstance(version, str):
                    continue
                # pipenv keeps surrounding spaces (black's Pipfile has " >= 6.1.1") and writes an invalid line;
                # depglot strips them. Names are not this module's business: use a valid one.
                line = _pipenv_line("x", version.strip())
                try:
                    oracle = Oracle(line)
                except InvalidRequirement:
                    with pytest.raises(ParseError):
                        pipfile.parse_version(version)
                    continue
                spec = pipfile.parse_version(version)
                assert same_set(spec.versions, pep440_range(str(oracle.specifier))), (
                    path.name,
                    name,
                    version,
                )
                if isinstance(entry, dict):
                    try:
                        theirs = translate_markers(entry).get("markers")
                    except Exception:  # noqa: BLE001 - pipenv's vendored InvalidMarker: pipenv cannot read it either
                        with pytest.raises(ParseError):
                            pipfile.markers_from_keys(entry)
                        continue
                    ours = pipfile.markers_from_keys(entry)
                    if "os_name" in entry:  # pipenv drops os_name; depglot keeps it
                        assert ours is not None and "os_name" in ours
                    elif theirs is None or " or " in ours:
                        assert ours == theirs or " or " in ours
                    else:
                        for env in ENVIRONMENTS:
                            assert Marker(ours).evaluate(env) == Marker(theirs).evaluate(env), (
                                path.name,
                                name,
                            )
                        markers += 1
                checked += 1
    assert checked >= 20 and markers >= 1
