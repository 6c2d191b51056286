"""PEP 440 dialect: parse keeps the text, errors are located, render is exact or widens with a graded loss."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet

from depglot.dialects import pep440
from depglot.dialects._common import same_set
from depglot.errors import ParseError
from depglot.ir.versions import VersionSpec, pep440_range
from depglot.report import Report, Severity
from depglot.span import Span

SAMPLE = [
    "0.9",
    "1.0.dev0",
    "1.0a1",
    "1.0",
    "1.0+loc",
    "1.0.post1",
    "1.2.dev0",
    "1.2a1",
    "1.2rc1",
    "1.2",
    "1.2.0",
    "1.2+x",
    "1.2.post1",
    "1.5",
    "1.5.post1",
    "1.9.9",
    "2.0.dev0",
    "2.0a1",
    "2.0rc1",
    "2.0",
    "2.0+l",
    "2.0.post1",
    "2.5",
    "3.0a1",
    "3.0",
    "3.0.1",
    "3.5",
    "4.0",
    "1!0.1",
    "1!2.0",
]


@pytest.mark.parametrize(
    "text", [">=1.2,<2", "", "  >= 1.2 , <2.0 ", "~=1.2.3", "==1.2.*", "!=1.5", "===1.0"]
)
def test_parse_keeps_text_and_meaning(text: str) -> None:
    spec = pep440.parse(text)
    assert spec.raw == text
    assert spec.dialect == "pep440"
    assert spec.pep440 == text.strip()
    oracle = SpecifierSet(text.strip())
    for v in SAMPLE:
        assert spec.versions.contains(v, prereleases=True) == oracle.contains(v, prereleases=True), v


@pytest.mark.parametrize(
    ("text", "position", "needle"),
    [
        ("^1.2", 1, "operator '^' is not PEP 440"),
        (">=1.2,,<2", 7, "empty clause"),
        (">=1.2,", 7, "empty clause"),
        ("==1.2.3.4.x", 1, "not a valid version"),
        ("~=1", 1, "'~=' needs at least two release components"),
        (">=1.0, >=1.2.*", 8, "wildcard"),
        (">=1.2 <2", 1, "not a valid version"),
    ],
)
def test_bad_input_is_located(text: str, position: int, needle: str) -> None:
    with pytest.raises(ParseError) as info:
        pep440.parse(text)
    err = info.value
    assert err.dialect == "pep440"
    assert repr(text) in err.message
    assert f"(at position {position})" in err.message
    assert needle in err.message
    assert err.span is not None and err.span.column == position
    assert err.source_line == text


def test_error_span_is_shifted_inside_a_file() -> None:
    with pytest.raises(ParseError) as info:
        pep440.parse(">=1,,<2", span=Span(file="requirements.txt", line=3, column=5))
    assert info.value.span == Span(file="requirements.txt", line=3, column=5 + 4, end_line=3, end_column=10)
    assert info.value.one_line().startswith("requirements.txt:3:9: error: invalid pep440 version specifier")


def test_render_keeps_pep440_as_written() -> None:
    spec = pep440.parse(" >= 1.2 ,<2.0")
    report = Report()
    assert pep440.render(spec, report=report) == " >= 1.2 ,<2.0"
    assert not report


def _foreign(text_or_range: object, raw: str, dialect: str = "poetry") -> VersionSpec:
    versions = pep440_range(text_or_range) if isinstance(text_or_range, str) else text_or_range
    return VersionSpec(raw=raw, dialect=dialect, versions=versions, pep440=None)


def test_render_exact_text_from_another_dialect_reports_respelling() -> None:
    report = Report()
    out = pep440.render(_foreign(">=1.2,<2.0", "^1.2"), report=report, subject="foo")
    assert out == ">=1.2,<2.0"
    assert report.codes() == ["version-respelled"]
    assert report.losses[0].severity is Severity.INFO
    assert report.losses[0].subject == "foo"


def test_union_with_prerelease_gap_widens_with_warning() -> None:
    union = pep440_range(">=1.2,<2.0") | pep440_range(">=2.0,<3.0")
    report = Report()
    out = pep440.render(_foreign(union, "^1.2 || ^2.0"), report=report)
    assert out == ">=1.2,<3.0"
    assert report.codes() == ["version-union-widened"]
    assert report.losses[0].severity is Severity.WARNING
    # the widened set really is a superset, and only adds pre-releases
    assert union.is_subset(pep440_range(out))
    assert "2.0rc1" in pep440_range(out) and "2.0rc1" not in union


@pytest.mark.parametrize(
    ("parts", "expected"),
    [((("<2",), (">3",)), ""), (((">=1.2,<1.5",), (">=2.0",)), ">=1.2")],
)
def test_union_adding_final_releases_is_an_error(parts: tuple[tuple[str], ...], expected: str) -> None:
    union = pep440_range(parts[0][0]) | pep440_range(parts[1][0])
    report = Report()
    out = pep440.render(_foreign(union, " || ".join(p[0] for p in parts)), report=report)
    assert out == expected
    assert report.codes() == ["version-union-widened"]
    assert report.losses[0].severity is Severity.ERROR


def test_overlapping_union_is_exact() -> None:
    union = pep440_range(">=1.2,<2.0") | pep440_range(">=1.5,<2.0")
    report = Report()
    assert pep440.render(_foreign(union, "^1.2 || ^1.5"), report=report) == ">=1.2,<2.0"
    assert report.codes() == ["version-respelled"]


def test_same_set_ignores_prerelease_opt_in_structure() -> None:
    from packaging.ranges import VersionRange

    a = SpecifierSet(">=1.0a1").to_range()
    b = VersionRange.from_bounds("1.0a1")
    assert a != b  # packaging's structural equality differs ...
    assert same_set(a, b)  # ... while the admitted versions are the same
    assert not same_set(pep440_range(">=1.0"), pep440_range(">1.0"))


# --------------------------------------------------------------------------------------------------- properties

_plain = st.lists(st.integers(0, 3), min_size=1, max_size=3).map(lambda r: ".".join(map(str, r)))
_version = st.builds(
    lambda e, r, s: f"{e}{r}{s}",
    st.sampled_from(["", "", "1!"]),
    _plain,
    st.sampled_from(["", "", "a1", "rc0", ".post1", ".dev0", ".post1.dev0"]),
)
_clause = st.one_of(
    st.builds(lambda op, v: f"{op}{v}", st.sampled_from([">=", ">", "<", "<=", "==", "!="]), _version),
    st.builds(lambda op, v: f"{op}{v}.*", st.sampled_from(["==", "!="]), _plain),
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_clause, min_size=1, max_size=3).map(",".join))
def test_property_interval_texts_are_exact(text: str) -> None:
    from packaging.ranges import VersionRange

    from depglot.dialects._common import _single_interval_text, interval_text

    versions = pep440_range(text)
    for interval in versions._bounds:  # every interval, read straight off its bounds or by packaging
        piece = VersionRange._build((interval,))
        fast = _single_interval_text(interval)
        if fast is not None:
            assert same_set(pep440_range(fast), piece), (text, fast)
        slow = interval_text(piece)
        if slow is not None:
            assert same_set(pep440_range(slow), piece), (text, slow)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_clause, min_size=1, max_size=2).map(",".join), min_size=2, max_size=3))
def test_property_union_render_is_exact_or_a_superset_with_loss(groups: list[str]) -> None:
    union = pep440_range(groups[0])
    for g in groups[1:]:
        union = union | pep440_range(g)
    report = Report()
    out = pep440.render(_foreign(union, " || ".join(groups)), report=report)
    rendered = pep440_range(out)
    if report.codes() == ["version-union-widened"]:
        assert union.is_subset(rendered) and not same_set(union, rendered)
        extra = rendered.difference(union)
        prerelease_only = report.losses[0].severity is Severity.WARNING
        assert prerelease_only == extra._with_policy(pre_region=(), configured=False).is_empty
    else:
        assert same_set(rendered, union), (groups, out)
