"""Poetry dialect: meanings checked against poetry-core, renderings checked both ways, traps pinned down."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from poetry.core.constraints.version import Version as PoetryVersion
from poetry.core.constraints.version import parse_constraint
from poetry.core.constraints.version.exceptions import ParseConstraintError

from depglot.dialects import pep440, poetry
from depglot.dialects._common import same_set
from depglot.errors import ParseError
from depglot.ir.versions import VersionSpec, pep440_range
from depglot.report import Report, Severity
from depglot.span import Span

# ----------------------------------------------------------------------------------------------- version samples

releases = st.lists(st.integers(0, 3), min_size=1, max_size=4).map(lambda r: ".".join(map(str, r)))
versions = st.builds(
    lambda epoch, rel, pre, post, dev, local: f"{epoch}{rel}{pre}{post}{dev}{local}",
    st.sampled_from(["", "", "", "1!"]),
    releases,
    st.sampled_from(["", "", "a1", "b2", "rc1", "a0"]),
    st.sampled_from(["", "", "", ".post1", ".post0"]),
    st.sampled_from(["", "", "", ".dev0", ".dev3"]),
    st.sampled_from(["", "", "", "", "+local", "+ubuntu.1"]),
)
FIXED_SAMPLE = sorted(
    {
        f"{rel}{suffix}"
        for rel in (
            "0",
            "0.0",
            "0.0.1",
            "0.0.3",
            "0.0.4",
            "0.1",
            "0.2",
            "0.2.3",
            "0.3",
            "0.9",
            "1",
            "1.0",
            "1.0.0",
            "1.1",
            "1.2",
            "1.2.3",
            "1.2.3.4",
            "1.2.4",
            "1.3",
            "1.5",
            "1.5.0",
            "1.9",
            "2",
            "2.0",
            "2.0.0",
            "2.0.0.0",
            "2.1",
            "3",
            "3.0",
            "1!1.0",
            "1!2.0",
            "1!3.0",
        )
        for suffix in ("", ".dev0", "a1", "rc1", ".post1", "+local", "rc1.post1", ".post1.dev0")
    },
    key=Version,
)


def _poetry_allows(constraint: str, version: str) -> bool:
    return parse_constraint(constraint).allows(PoetryVersion.parse(version))


def _agrees_with_poetry_core(text: str, version: str) -> bool:
    spec = poetry.parse(text)
    return spec.versions.contains(version, prereleases=True) == _poetry_allows(text, version)


def _without_post(v: Version) -> Version:
    """``1rc1.post1`` -> ``1rc1``: the version whose post release it is."""
    return Version(re.sub(r"[-_.]?post[-_.]?[0-9]*([-_.]?dev[0-9]*)?$", "", v.public))


def _poetry_ne_bug(text: str, version: str) -> bool:
    """poetry-core rejects V.postN (and V.postN.devM) for ``!=V`` inside a conjunction; PEP 440 admits them."""
    v = Version(version)
    if v.post is None:
        return False
    for group in text.replace("||", "|").split("|"):
        clauses = group.replace(",", " ").split()
        if len(clauses) < 2:
            continue
        for clause in clauses:
            if (
                clause.startswith("!=")
                and not clause.endswith(".*")
                and _without_post(v) == Version(clause[2:])
            ):
                return True
    return False


# ----------------------------------------------------------------------------------------------- parse


@pytest.mark.parametrize(
    ("text", "pep"),
    [
        ("^1.2.3", ">=1.2.3,<2.0.0"),
        ("^1.2", ">=1.2,<2.0"),
        ("^1", ">=1,<2"),
        ("^0.2.3", ">=0.2.3,<0.3.0"),
        ("^0.0.3", ">=0.0.3,<0.0.4"),
        ("^0.0", ">=0.0,<0.1"),
        ("^0", ">=0,<1"),
        ("^0.0.0", ">=0.0.0,<0.0.1"),
        ("^1.2.3.4", ">=1.2.3.4,<2.0.0.0"),
        ("^0.0.3.5", ">=0.0.3.5,<0.0.4.0"),
        ("^1.0.0-beta.2", ">=1.0.0b2,<2.0.0"),
        ("^0.10.11.post1", ">=0.10.11.post1,<0.11.0"),
        ("^1!2.0", ">=1!2.0,<1!3.0"),
        ("^v1.2", ">=1.2,<2.0"),
        ("^ 1.2", ">=1.2,<2.0"),
        ("~1.2.3", ">=1.2.3,<1.3.0"),
        ("~1", ">=1,<2"),
        ("~1.2.3.4", ">=1.2.3.4,<1.3.0.0"),
        ("~1.2.3rc1", ">=1.2.3rc1,<1.3.0"),
        ("~=1", ">=1,<2"),
        ("~=1.2.3", "~=1.2.3"),
        ("~=1.2.3.4", "~=1.2.3.4"),
        ("*", ""),
        ("*.*", ""),
        ("x", ""),
        ("X", ""),
        ("v*", ""),
        ("1.2.*", "==1.2.*"),
        ("==1.2.*", "==1.2.*"),
        ("!=1.2.*", "!=1.2.*"),
        ("1.*.*", "==1.*"),
        ("=1.2.3", "==1.2.3"),
        ("v1.2.3", "==1.2.3"),
        ("1.2,", "==1.2"),
        ("1.2.3+local", "==1.2.3+local"),
        (">=1.2 <2.0", ">=1.2,<2.0"),
        (">= 1.2, < 2.0", ">=1.2,<2.0"),
        ("^1.2,<1.5", ">=1.2,<1.5"),
        (">=1.2,!=1.5.*,<2", ">=1.2,!=1.5.*,<2"),
        (">=1.2.*", ">=1.2"),
        ("dev", "==0.0.dev0"),
        ("^1.2 || ^1.5", ">=1.2,<2.0"),
    ],
)
def test_parse(text: str, pep: str) -> None:
    spec = poetry.parse(text)
    assert spec.raw == text and spec.dialect == "poetry"
    assert spec.pep440 == pep
    assert same_set(spec.versions, pep440_range(pep))
    for v in FIXED_SAMPLE:
        if not _poetry_ne_bug(text, v):
            assert _agrees_with_poetry_core(text, v), (text, v)


@pytest.mark.parametrize(
    "text", ["^1.2 || ^2.0", "^1.2 | ^2.0", "~1.2 || ~1.4", ">=1.2,<1.5 || >=2.0,<3.0", ">1.0 || <0.5"]
)
def test_unions_have_no_pep440_text(text: str) -> None:
    spec = poetry.parse(text)
    assert spec.pep440 is None
    for v in FIXED_SAMPLE:
        assert _agrees_with_poetry_core(text, v), (text, v)


@pytest.mark.parametrize(
    ("text", "position", "needle"),
    [
        ("^", 1, "has no version"),
        (">=1.2,,<2", 7, "empty clause"),
        ("1.2.3.4.x", 1, "'x' is only allowed as the whole constraint"),
        ("1.2.x", 1, "'x' is only allowed"),
        ("", 1, "empty constraint"),
        ("<>1.2", 1, "'<>' is not supported"),
        (">=1.2<2.0", 1, "need a ',' or ' '"),
        ("^1.2 ||", 8, "empty alternative"),
        (">=1.2, ^2.x", 8, "'x' is only allowed"),
        ("===1.2", 1, "'===' (arbitrary equality) is not Poetry syntax"),
    ],
)
def test_bad_input_is_located(text: str, position: int, needle: str) -> None:
    with pytest.raises(ParseError) as info:
        poetry.parse(text)
    err = info.value
    assert err.dialect == "poetry"
    assert f"(at position {position})" in err.message and needle in err.message and repr(text) in err.message
    if text == "<>1.2":
        assert str(parse_constraint(text)) == "1.2"  # poetry-core silently reads '<>' as '=='
    else:
        with pytest.raises((ParseConstraintError, ValueError)):  # poetry-core rejects it too
            parse_constraint(text)


def test_error_span_points_into_the_file() -> None:
    with pytest.raises(ParseError) as info:
        poetry.parse(
            "^1.2, >=x",
            span=Span(file="pyproject.toml", line=7, column=12, key="tool.poetry.dependencies.foo"),
        )
    assert info.value.span is not None
    assert (info.value.span.file, info.value.span.line, info.value.span.column) == ("pyproject.toml", 7, 18)
    assert info.value.span.key == "tool.poetry.dependencies.foo"


def test_poetry_ne_bug_is_not_copied() -> None:
    # poetry-core: lone != admits the post release, inside a conjunction it does not; PEP 440 admits it both ways
    assert _poetry_allows("!=1.5", "1.5.post1")
    assert not _poetry_allows(">=1.0,!=1.5", "1.5.post1")
    assert "1.5.post1" in poetry.parse(">=1.0,!=1.5").versions
    assert SpecifierSet(">=1.0,!=1.5").contains("1.5.post1")


# ----------------------------------------------------------------------------------------------- render


@pytest.mark.parametrize(
    ("pep", "expected"),
    [
        (">=1.2.3,<2.0.0", "^1.2.3"),
        (">=1.2,<2.0", "^1.2"),
        (">=1.2,<2", "^1.2"),
        (">=1,<2", "^1"),
        (">=0.2.3,<0.3.0", "^0.2.3"),
        (">=0.0.3,<0.0.4", "^0.0.3"),
        (">=0,<1", "^0"),
        (">=0.0,<0.1", "^0.0"),
        (">=1.2,<1.3", "~1.2"),
        (">=2.0,<2.1", "~2.0"),
        (">=1.2.3,<1.3.0", "~1.2.3"),
        ("~=1.2", "^1.2"),
        ("~=1.2.3", "~1.2.3"),
        ("~=1.2.3.4", "~=1.2.3.4"),
        ("~=0.2", "~=0.2"),
        ("==1.2.*", "1.2.*"),
        ("==1.2.3", "1.2.3"),
        ("==1.2.3+local", "1.2.3+local"),
        ("==1.*", "1.*"),
        (">=1.2.dev0,<1.3.dev0", "1.2.*"),
        ("", "*"),
        (">=1.2", ">=1.2"),
        (">=0.2.3,<1", ">=0.2.3,<1"),
        (">=1.0,<2.0,!=1.5", ">=1.0,<2.0,!=1.5"),
        (">=1.0.0a1,<2.0.0", "^1.0.0a1"),
        (">=1.2.3.4,<2", "^1.2.3.4"),
        (">=1.2,<3.0", ">=1.2,<3.0"),
        (">= 1.2 , <1.5", ">= 1.2 , <1.5"),
    ],
)
def test_render_nicest_exact(pep: str, expected: str) -> None:
    report = Report()
    out = poetry.render(pep440.parse(pep), report=report, subject="foo")
    assert out == expected
    assert same_set(poetry.parse(out).versions, pep440_range(pep))
    assert report.codes() == (["version-respelled"] if out != pep else [])
    for v in FIXED_SAMPLE:
        if not _poetry_ne_bug(out, v):
            assert _poetry_allows(out, v) == SpecifierSet(pep).contains(v, prereleases=True), (pep, out, v)


@pytest.mark.parametrize(
    ("pep", "trap"),
    [
        ("~=0.2", "^0.2"),
        ("~=1.2.3", "^1.2.3"),
        ("~=1.2.3.4", "~1.2.3.4"),
        (">=1.2,<1.3", "1.2.*"),
        ("~=1.2", "~1.2"),
    ],
)
def test_traps_are_not_equal(pep: str, trap: str) -> None:
    assert not same_set(poetry.parse(trap).versions, pep440_range(pep))
    assert poetry.render(pep440.parse(pep)) != trap


def test_poetry_raw_is_kept() -> None:
    report = Report()
    assert poetry.render(poetry.parse(">= 1.2,<2.0 "), report=report) == ">= 1.2,<2.0 "
    assert not report


def test_arbitrary_equality_is_inexpressible() -> None:
    report = Report()
    assert poetry.render(pep440.parse("===1.2.3"), report=report) == "1.2.3"
    assert report.codes() == ["version-inexpressible"]
    assert report.losses[0].severity is Severity.WARNING
    report = Report()
    assert poetry.render(pep440.parse("===foobar"), report=report) == "*"
    assert report.losses[0].severity is Severity.ERROR


def test_union_from_another_dialect_renders_with_bars() -> None:
    union = pep440_range(">=1.2,<1.5") | pep440_range(">=2.0,<3.0")
    spec = VersionSpec(raw=">=1.2,<1.5|>=2.0,<3.0", dialect="conda", versions=union, pep440=None)
    out = poetry.render(spec)
    assert out == ">=1.2,<1.5 || ^2.0"
    for v in FIXED_SAMPLE:
        assert _poetry_allows(out, v) == (v in union or union.contains(v, prereleases=True)), v


def test_pep440_render_of_poetry_union_widens() -> None:
    report = Report()
    assert pep440.render(poetry.parse("^1.2 || ^2.0"), report=report) == ">=1.2,<3.0"
    assert report.losses[0].code == "version-union-widened" and report.losses[0].severity is Severity.WARNING
    report = Report()
    assert pep440.render(poetry.parse(">1.0 || <0.5"), report=report) == ""
    assert report.losses[0].severity is Severity.ERROR


def test_python_constraint() -> None:
    assert poetry.python_constraint("^3.8").pep440 == ">=3.8,<4.0"
    assert poetry.python_constraint("3.8").pep440 == "==3.8.*"
    assert poetry.python_constraint("~3.8").pep440 == ">=3.8,<3.9"
    assert poetry.python_constraint("3.8.1").pep440 == "==3.8.1"
    assert poetry.python_constraint(">=3.8,<3.12").pep440 == ">=3.8,<3.12"


# ----------------------------------------------------------------------------------------------- properties

ops = st.sampled_from(["^", "~", "~=", "", "=", "==", ">=", ">", "<", "<=", "!="])
plain = st.lists(st.integers(0, 3), min_size=1, max_size=4).map(lambda r: ".".join(map(str, r)))
suffix = st.sampled_from(["", "", "", "a1", "rc1", ".post1", ".dev0"])


@st.composite
def poetry_clause(draw: st.DrawFn) -> str:
    op = draw(ops)
    version = draw(plain)
    if op in ("", "==", "!=") and draw(st.booleans()) and version.count(".") < 3:
        return f"{op}{version}.*"
    sfx = draw(suffix)
    if op == "~=" and "." not in version:
        sfx = ""
    return f"{op}{version}{sfx}"


poetry_constraints = st.lists(
    st.lists(poetry_clause(), min_size=1, max_size=3).map(lambda cs: ",".join(cs)), min_size=1, max_size=3
).map(lambda groups: " || ".join(groups))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(poetry_constraints, st.lists(versions, min_size=5, max_size=15))
def test_property_poetry_meaning_matches_poetry_core(text: str, sample: list[str]) -> None:
    spec = poetry.parse(text)
    for v in sample:
        if _poetry_ne_bug(text, v):
            continue
        assert spec.versions.contains(v, prereleases=True) == _poetry_allows(text, v), (text, v)


pep_clause = st.builds(
    lambda op, v, s: f"{op}{v}{s}",
    st.sampled_from([">=", ">", "<", "<=", "==", "!=", "~="]),
    plain.filter(lambda v: "." in v),
    suffix,
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(pep_clause, min_size=1, max_size=3).map(",".join), st.lists(versions, min_size=5, max_size=15)
)
def test_property_pep440_to_poetry_is_exact(text: str, sample: list[str]) -> None:
    spec = pep440.parse(text)
    out = poetry.render(spec)
    assert same_set(poetry.parse(out).versions, spec.versions), (text, out)
    for v in sample:
        if _poetry_ne_bug(out, v):
            continue
        assert _poetry_allows(out, v) == SpecifierSet(text).contains(v, prereleases=True), (text, out, v)
