"""The shared vectors (../shared/vectors/specifiers.tsv): every row, read from the file, not a copy.

``equivalent = yes`` rows must come out exactly; ``no`` and ``INEXPRESSIBLE`` rows record traps a tool fell into,
and depglot must give the exact meaning or report a loss instead. Pipfile rows whose entries are source tables
(``git``/``path``/``file``) exercise the Pipfile converter, not a dialect; they are checked in its tests.
"""

from __future__ import annotations

import re
import tomllib

import pytest
from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as Oracle
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from poetry.core.constraints.version import Version as PoetryVersion
from poetry.core.constraints.version import parse_constraint
from rattler import Version as RattlerVersion
from rattler import VersionSpec as RattlerVersionSpec

from depglot.dialects import conda, pep440, pep508, pipfile, poetry
from depglot.dialects._common import same_set
from depglot.errors import ParseError
from depglot.ir.model import Requirement
from depglot.report import Report, Severity

from .conftest import vector_rows

ROWS = vector_rows("specifiers.tsv")
SOURCE_KEYS = ("git", "hg", "svn", "bzr", "path", "file")

SAMPLE = sorted(
    {
        f"{rel}{sfx}"
        for rel in (
            "0",
            "0.0.3",
            "0.1",
            "0.2",
            "0.2.3",
            "0.3",
            "0.10.11",
            "0.11",
            "1",
            "1.0",
            "1.0.0",
            "1.2",
            "1.2.3",
            "1.2.3.4",
            "1.2.4",
            "1.3",
            "1.3.0",
            "1.4",
            "1.5",
            "1.5.0",
            "1.9",
            "2",
            "2.0",
            "2.0.0",
            "2.0.0.0",
            "2.5",
            "3",
            "3.0",
            "1!1.0",
            "1!2.0",
            "1!3.0",
        )
        for sfx in ("", ".dev0", "a1", "b2", "rc1", ".post1", "+local", ".post1.dev0")
    },
    key=Version,
)
FINALS = [v for v in SAMPLE if not Version(v).is_prerelease and Version(v).local is None]


def _ids(rows: list[dict[str, str]]) -> list:
    if not rows:
        return [pytest.param(None, marks=pytest.mark.skip(reason="shared vectors absent"), id="no-vectors")]
    return [
        pytest.param(r, id=f"{i}:{r['dialect_from']}:{r['input']}->{r['dialect_to'][:12]}")
        for i, r in enumerate(rows)
    ]


def _without_post(v: Version) -> Version:
    """``1rc1.post1`` -> ``1rc1``: the version whose post release it is."""
    return Version(re.sub(r"[-_.]?post[-_.]?[0-9]*([-_.]?dev[0-9]*)?$", "", v.public))


def _poetry_ne_bug(text: str, version: str) -> bool:
    v = Version(version)
    if v.post is None:
        return False
    clauses = text.replace(",", " ").split()
    return len(clauses) > 1 and any(
        c.startswith("!=") and not c.endswith(".*") and _without_post(v) == Version(c[2:]) for c in clauses
    )


def _check_poetry_to_pep440(row: dict[str, str]) -> None:
    text, expected = row["input"], row["expected_output"]
    if expected == "ERROR":
        with pytest.raises(ParseError):
            poetry.parse(text)
        return
    spec = poetry.parse(text)
    report = Report()
    out = pep440.render(spec, report=report)
    if expected == "INEXPRESSIBLE":
        assert report.codes() == ["version-union-widened"]
        assert spec.versions.is_subset(pep440.parse(out).versions)  # a superset, never narrower
        return
    assert out == ("" if expected.startswith("(empty") else expected)
    # "no" rows are poetry-core's != bug: the PEP 440 text is the meaning the user wrote
    for v in SAMPLE:
        if not _poetry_ne_bug(text, v):
            allowed = parse_constraint(text).allows(PoetryVersion.parse(v))
            assert SpecifierSet(out).contains(v, prereleases=True) == allowed, (text, out, v)


def _check_poetry_to_pep508(row: dict[str, str]) -> None:
    text, expected = row["input"], row["expected_output"]
    report = Report()
    line = pep508.render_requirement(Requirement(name="foo", version=poetry.parse(text)), report=report)
    Oracle(line)  # always a valid PEP 508 line, unlike poetry-core's " || " export
    if row["equivalent"] == "yes":
        spec = expected[len("foo") :].strip().removeprefix("(").removesuffix(")")
        assert same_set(pep440.parse(line[len("foo") :]).versions, pep440.parse(spec).versions)
        if not text.startswith(
            "~="
        ):  # "~=1.2" stays "~=1.2" (the pep440 rows say so); poetry-core expands it
            assert line == f"foo{spec}"
    else:
        with pytest.raises(InvalidRequirement):
            Oracle(expected)
        assert "version-union-widened" in report.codes()


def _check_pep440_to_poetry(row: dict[str, str]) -> None:
    text = "" if row["input"].startswith("(empty") else row["input"]
    expected = row["expected_output"]
    report = Report()
    out = poetry.render(pep440.parse(text), report=report)
    if expected == "INEXPRESSIBLE":
        assert "version-inexpressible" in report.codes()
        return
    if row["equivalent"] == "yes":
        assert out == expected
    else:  # a pitfall: depglot must not emit it, and what it emits means the same as the input
        assert out != expected
    assert same_set(poetry.parse(out).versions, pep440.parse(text).versions)
    for v in SAMPLE:
        if not _poetry_ne_bug(out, v):
            allowed = parse_constraint(out).allows(PoetryVersion.parse(v))
            assert allowed == SpecifierSet(text).contains(v, prereleases=True), (text, out, v)


def _check_poetry_to_conda(row: dict[str, str]) -> None:
    text, expected = row["input"], row["expected_output"]
    spec = poetry.parse(text)
    out = conda.render_version(spec)
    ours, theirs = RattlerVersionSpec(out), RattlerVersionSpec(expected)
    for v in FINALS:  # the row's claim: equal on release/post/epoch versions
        assert ours.matches(RattlerVersion(v)) == theirs.matches(RattlerVersion(v)), (text, out, v)
    for v in SAMPLE:  # depglot's <Va0 bound (trailing zeros dropped) is exact on pre/dev releases too
        if Version(v).local is None:
            assert ours.matches(RattlerVersion(v)) == spec.versions.contains(v, prereleases=True), (
                text,
                out,
                v,
            )


def _pipfile_requirement(entry_line: str) -> Requirement | None:
    name, value = next(iter(tomllib.loads(entry_line).items()))
    if isinstance(value, dict) and any(k in value for k in SOURCE_KEYS):
        return None
    table = value if isinstance(value, dict) else {}
    version = value if isinstance(value, str) else table.get("version", "*")
    return Requirement(
        name=name,
        extras=tuple(table.get("extras", ())),
        version=pipfile.parse_version(version),
        marker=pipfile.markers_from_keys(table),
    )


def _check_pipfile(row: dict[str, str]) -> None:
    expected = row["expected_output"].split(" -i ", 1)[0]
    if "^1.2" in row["input"]:
        # pipenv writes the invalid "requests==^1.2"; depglot refuses the Pipfile string with its location
        with pytest.raises(InvalidRequirement):
            Oracle(expected)
        with pytest.raises(ParseError):
            _pipfile_requirement(row["input"])
        return
    req = _pipfile_requirement(row["input"])
    if req is None:
        return
    ours = Oracle(pep508.render_requirement(req))
    theirs = Oracle(expected)
    assert (ours.name, ours.extras, ours.specifier) == (theirs.name, theirs.extras, theirs.specifier)
    if row["equivalent"] == "yes":
        assert str(ours.marker) == str(theirs.marker)
    else:  # pipenv dropped a marker key (os_name, or platform_machine on its requirements path); depglot keeps it
        assert theirs.marker is None and ours.marker is not None


CHECKS = {
    ("poetry", "pep440"): _check_poetry_to_pep440,
    ("poetry", "pep508"): _check_poetry_to_pep508,
    ("pep440", "poetry"): _check_pep440_to_poetry,
    ("poetry", "conda"): _check_poetry_to_conda,
    ("pipfile", "pip"): _check_pipfile,
}


@pytest.mark.parametrize("row", _ids(ROWS))
def test_specifier_vector(row: dict[str, str]) -> None:
    key = (row["dialect_from"], row["dialect_to"].split("(", 1)[0])
    CHECKS[key](row)


def test_every_vector_kind_is_covered() -> None:
    if not ROWS:
        pytest.skip("shared vectors absent")
    kinds = {(r["dialect_from"], r["dialect_to"].split("(", 1)[0]) for r in ROWS}
    assert kinds <= set(CHECKS)
    assert len(ROWS) >= 150


def test_union_severity_follows_installer_behaviour() -> None:
    report = Report()
    pep440.render(poetry.parse("^1.2 || ^2.0"), report=report)
    assert report.losses[0].severity is Severity.WARNING
    report = Report()
    pep440.render(poetry.parse(">=1.2,<1.5 || >=2.0,<3.0"), report=report)
    assert report.losses[0].severity is Severity.ERROR
