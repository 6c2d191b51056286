"""conda dialect: MatchSpec fields and version sets checked against py-rattler; renderings verified with rattler."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from rattler import MatchSpec as RattlerMatchSpec
from rattler import Version as RattlerVersion
from rattler import VersionSpec as RattlerVersionSpec

from depglot.dialects import conda, pep440, poetry
from depglot.dialects._common import same_set
from depglot.errors import ParseError
from depglot.ir.versions import pep440_range
from depglot.report import Report, Severity

from .conftest import vector_rows

RELEASES = [
    "0.9",
    "1",
    "1.0",
    "1.0.1",
    "1.2",
    "1.2.0",
    "1.2.3",
    "1.2.4",
    "1.3",
    "1.5",
    "1.9",
    "2",
    "2.0",
    "2.0.0",
    "2.1",
    "2.5",
    "3",
    "3.0",
    "3.1",
    "1.23",
    "1.23.0",
    "1.23.5",
    "1.24",
    "1.25",
    "3.9",
    "3.11",
    "3.12",
    "3.12.1",
]
FINALS = sorted({*RELEASES, *(f"{r}.post1" for r in RELEASES), "1!1.0", "1!2.0", "2!0.1"}, key=Version)
PRERELEASES = sorted({f"{r}{s}" for r in RELEASES for s in ("a0", "a1", "rc1", ".dev0")}, key=Version)


def _rattler(spec: str, version: str) -> bool:
    # rattler's bare VersionSpec rejects ">= 1.2" (its MatchSpec parser tolerates the space): compare without it
    return RattlerVersionSpec(spec.replace(" ", "")).matches(RattlerVersion(version))


def _ours(spec: str, version: str) -> bool:
    return conda.parse_version(spec).versions.contains(version, prereleases=True)


# --------------------------------------------------------------------------------------------- version specs


@pytest.mark.parametrize(
    ("text", "pep"),
    [
        ("1.2.3", "==1.2.3"),
        ("=1.2", "==1.2.*"),
        ("1.2*", "==1.2.*"),
        ("1.2.*", "==1.2.*"),
        ("!=1.2", "!=1.2"),
        ("!=1.2.*", "!=1.2.*"),
        ("2.*,!=2.1", "==2.*,!=2.1"),
        ("<2", "<=2,!=2"),
        ("<2.0a0", "<2.0"),
        ("<2a0", "<2"),
        (">2", ">=2,!=2"),
        (">=1.2", ">=1.2"),
        (">= 1.2", ">=1.2"),
        ("<=2", "<=2"),
        ("~=1.2.3", "~=1.2.3"),
        ("1!2.0", "==1!2.0"),
        ("1.0-1", "==1.0.1"),
        ("*", ""),
        ("1.1.1k", "===1.1.1k"),
    ],
)
def test_version_spec_meaning(text: str, pep: str) -> None:
    spec = conda.parse_version(text)
    assert (spec.raw, spec.dialect, spec.pep440) == (text, "conda", pep)
    for v in FINALS:
        assert _ours(text, v) == _rattler(text, v), (text, v)


@pytest.mark.parametrize(
    "text", ["<2", ">2", "<2a0", "<1.5a0", "<=2", ">=2", "1.2.*", "=1.2", "!=2", "2.*,!=2.1", "~=1.2"]
)
def test_exact_forms_agree_with_rattler_on_pre_and_dev_releases(text: str) -> None:
    # the exact forms (conda <2 is PEP 440 <=2,!=2; conda >2 is >=2,!=2) also hold for pre/dev releases
    for v in PRERELEASES:
        assert _ours(text, v) == _rattler(text, v), (text, v)


def test_conda_a0_idiom_is_reported() -> None:
    # conda <2.0a0 excludes 2.0.dev0 and 2.0rc1 like PEP 440 <2.0, but admits 2.dev0 (fewer components)
    assert (
        not _rattler("<2.0a0", "2.0.dev0")
        and not _rattler("<2.0a0", "2.0rc1")
        and _rattler("<2.0a0", "2.dev0")
    )
    assert conda.parse_version("<2.0a0").pep440 == "<2.0"
    report = Report()
    assert pep440.render(conda.parse_version("<2.0a0"), report=report) == "<2.0"
    assert report.codes() == ["conda-ordering-differs", "version-respelled"]
    assert "2.dev0" in report.losses[0].message


def test_pep440_lt_is_not_conda_lt() -> None:
    # the trap: conda <2 admits 2.0rc1, PEP 440 <2 does not; depglot's meaning of conda <2 admits it
    assert _rattler("<2", "2.0rc1") and not SpecifierSet("<2").contains("2.0rc1", prereleases=True)
    assert _ours("<2", "2.0rc1")


@pytest.mark.parametrize(
    ("text", "union"),
    [
        (">=1.2,<2|>=3", [">=1.2,<=2,!=2", ">=3"]),
        ("(>=1,<1.5)|>=3", [">=1,<=1.5,!=1.5", ">=3"]),
        ("=1.23|1.25", ["==1.23.*", "==1.25"]),
    ],
)
def test_unions(text: str, union: list[str]) -> None:
    spec = conda.parse_version(text)
    assert spec.pep440 is None
    expected = pep440_range(union[0]) | pep440_range(union[1])
    assert same_set(spec.versions, expected)
    for v in FINALS + PRERELEASES:
        assert _ours(text, v) == _rattler(text, v), (text, v)


@pytest.mark.parametrize(
    ("text", "position", "needle"),
    [
        (">1.2<2", 5, "clauses need a ','"),
        ("", 1, "empty version spec"),
        (">=1.2,,<2", 7, "unexpected ','"),
        ("^1.2$", 1, "regular-expression"),
        (">=", 1, "has no version"),
        ("(>=1", 5, "missing ')'"),
    ],
)
def test_bad_version_specs(text: str, position: int, needle: str) -> None:
    with pytest.raises(ParseError) as info:
        conda.parse_version(text)
    assert info.value.dialect == "conda" and needle in info.value.message
    assert f"(at position {position})" in info.value.message


# ------------------------------------------------------------------------------------------------- MatchSpecs

MATCHSPEC_ROWS = vector_rows("conda_matchspec.tsv")


@pytest.mark.parametrize(
    "row",
    MATCHSPEC_ROWS or [pytest.param(None, marks=pytest.mark.skip(reason="vectors absent"))],
    ids=lambda r: r["matchspec"] if r else "none",
)
def test_matchspec_vectors(row: dict[str, str]) -> None:
    text = row["matchspec"]
    if "TRAP" in row["notes"]:
        # rattler (lenient) silently reads "<2" as a build string; depglot refuses, like strict rattler and conda
        with pytest.raises(ParseError):
            conda.parse_matchspec(text)
        with pytest.raises(Exception):  # noqa: B017 - rattler's InvalidMatchSpecError
            RattlerMatchSpec(text, strict=True)
        return
    ms = conda.parse_matchspec(text)
    theirs = RattlerMatchSpec(text)
    assert ms.name == row["name"] == theirs.name.normalized
    assert ms.raw == text
    assert (ms.build or "") == row["build"] == (theirs.build or "")
    channel = conda.channel_name(ms.channel) or ""
    if row["channel"].startswith("*/"):
        assert ms.subdir == row["channel"][2:]
    else:
        assert channel + (f"/{ms.subdir}" if ms.subdir and ms.channel else "") == row["channel"]
        if ms.subdir is not None:
            assert ms.subdir == theirs.subdir
    expected = row["pep440_equivalent"]
    if expected == "":
        assert ms.version is None or ms.version.is_any
    elif expected == "INEXPRESSIBLE":
        # either PEP 440 cannot say the set (a union) or only arbitrary equality can ("===1.1.1k")
        assert ms.version is not None
        assert ms.version.pep440 is None or ms.version.pep440.startswith("===")
    else:
        assert ms.version is not None and ms.version.pep440 is not None
        # equal on final/post/epoch releases; the pre-release divergence is what conda_ordering documents
        for v in FINALS:
            assert ms.version.versions.contains(v, prereleases=True) == SpecifierSet(expected).contains(
                v, prereleases=True
            ), (text, v)
    if ms.version is not None and theirs.version is not None and ms.version.pep440 is not None:
        for v in FINALS + PRERELEASES:
            if ms.version.pep440.startswith("==="):
                continue
            assert ms.version.versions.contains(v, prereleases=True) == RattlerVersionSpec(
                str(theirs.version)
            ).matches(RattlerVersion(v)), (text, v)
    again = conda.render_matchspec(ms)
    reparsed = RattlerMatchSpec(again)
    assert (reparsed.name.normalized, str(reparsed.version), reparsed.build) == (
        theirs.name.normalized,
        str(theirs.version),
        theirs.build,
    ), (text, again)


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("numpy>1.2<2", 10),
        ("", 1),
        ("numpy[version", 6),
        ("numpy 1.2 b1 extra", 7),
        ("numpy[a]", 7),
        ("numpy >=1,,<2", 11),
    ],
)
def test_bad_matchspecs_are_located(text: str, position: int) -> None:
    with pytest.raises(ParseError) as info:
        conda.parse_matchspec(text)
    assert info.value.dialect == "conda"
    assert f"(at position {position})" in info.value.message


# --------------------------------------------------------------------------------------------------- render


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("^1.2.3", ">=1.2.3,<2a0"),
        ("^0.2.3", ">=0.2.3,<0.3a0"),
        ("1.2.*", "1.2.*"),
        ("!=1.2.*", "!=1.2.*"),
        ("*", "*"),
        ("^1.2 || ^2.0", ">=1.2,<2a0|>=2.0,<3a0"),
        (">=1.2,<1.5 || >=2.0,<3.0", ">=1.2,<1.5a0|>=2.0,<3a0"),
        ("~=1.2", "~=1.2"),
        ("1.2.3", "==1.2.3"),
    ],
)
def test_render_from_poetry(source: str, expected: str) -> None:
    spec = poetry.parse(source)
    out = conda.render_version(spec)
    assert out == expected
    for v in FINALS + PRERELEASES:
        assert _rattler(out, v) == spec.versions.contains(v, prereleases=True), (source, out, v)


def test_render_keeps_conda_spelling_and_respells_others() -> None:
    report = Report()
    assert conda.render_version(conda.parse_version(">=1.2,<2"), report=report) == ">=1.2,<2"
    assert not report
    report = Report()
    assert conda.render_version(pep440.parse(">=1.2,<2"), report=report) == ">=1.2,<2a0"
    report = Report()
    assert conda.render_version(pep440.parse(">=1.2,<2.0.0"), report=report) == ">=1.2,<2a0"
    assert report.codes() == ["version-respelled"]


def test_render_reports_ordering_differences() -> None:
    report = Report()
    assert conda.render_version(pep440.parse(">2"), report=report) == ">2"
    assert report.codes() == ["conda-ordering-differs"]
    assert report.losses[0].severity is Severity.WARNING
    assert _rattler(">2", "2.post1") and not SpecifierSet(">2").contains("2.post1")
    report = Report()
    conda.render_version(pep440.parse("<2.0rc1"), report=report)
    assert "conda-ordering-differs" in report.codes()


def test_arbitrary_equality_is_inexpressible_in_conda() -> None:
    report = Report()
    assert conda.render_version(pep440.parse("===1.2.3"), report=report) == "*"
    assert report.codes() == ["version-inexpressible"]


def test_conda_specs_outside_conda() -> None:
    assert not conda.parse_version(">=1.1.1k").is_any  # it constrains; PEP 440 just cannot say how
    report = Report()
    assert pep440.render(conda.parse_version(">=1.1.1k"), report=report) == ""
    assert report.codes() == ["version-inexpressible"] and report.losses[0].severity is Severity.ERROR
    report = Report()
    assert pep440.render(conda.parse_version("<2"), report=report) == "<=2,!=2"
    assert report.codes() == ["version-respelled"]
    report = Report()
    assert pep440.render(conda.parse_version(">=1.2,<2|>=3"), report=report) == ">=1.2"
    assert report.codes() == ["version-union-widened"] and report.losses[0].severity is Severity.ERROR
    report = Report()
    assert poetry.render(conda.parse_version(">=1.2,<2|>=3"), report=report) == ">=1.2,<=2,!=2 || >=3"
    report = Report()
    assert poetry.render(conda.parse_version("<2.0rc1"), report=report) != ""
    assert "conda-ordering-differs" in report.codes()


def test_render_matchspec() -> None:
    ms = conda.MatchSpec(name="numpy", version=poetry.parse("1.23.*"), channel="conda-forge")
    assert conda.render_matchspec(ms) == "conda-forge::numpy=1.23"
    ms = conda.MatchSpec(name="numpy", version=pep440.parse(">=1.2,<2"), build="py39*")
    assert conda.render_matchspec(ms) == "numpy >=1.2,<2a0 py39*"
    assert conda.parse_version("<2a0").pep440 == "<2"
    assert conda.render_matchspec(conda.parse_matchspec("numpy[subdir=linux-64]")) == "numpy[subdir=linux-64]"


# ------------------------------------------------------------------------------------------------ properties

plain = st.lists(st.integers(0, 3), min_size=1, max_size=3).map(lambda r: ".".join(map(str, r)))
atom = st.one_of(
    st.builds(lambda op, v: f"{op}{v}", st.sampled_from(["<", "<=", ">", ">=", "==", "!=", ""]), plain),
    plain.map(lambda v: f"{v}.*"),
    plain.map(lambda v: f"!={v}.*"),
)
conda_specs = st.lists(st.lists(atom, min_size=1, max_size=3).map(",".join), min_size=1, max_size=3).map(
    "|".join
)
sample = st.lists(st.sampled_from(FINALS + PRERELEASES), min_size=5, max_size=20)


def _post_spelling_quirk(text: str, version: str) -> bool:
    """conda compares a ``post`` segment with a number: ``3.post1`` sorts above ``3.0.1`` (PEP 440: below).

    A known, documented difference for post releases spelled with fewer components than a bound.
    """
    v = Version(version)
    if v.post is None:
        return False
    bounds = re.findall(r"[0-9]+(?:\.[0-9]+)*", text)
    return any(len(b.split(".")) > len(v.release) for b in bounds)


@settings(max_examples=300, deadline=None)
@given(conda_specs, sample)
def test_property_conda_meaning_matches_rattler(text: str, versions: list[str]) -> None:
    for v in versions:
        if not _post_spelling_quirk(text, v):
            assert _ours(text, v) == _rattler(text, v), (text, v)


def test_post_spelling_quirk_is_real() -> None:
    assert not _rattler("<3.0.1", "3.post1") and SpecifierSet("<3.0.1").contains("3.post1")
    assert _rattler("<3.0.1", "3.0.post1")  # same number of components: the orders agree


pep_clause = st.builds(
    lambda op, v: f"{op}{v}",
    st.sampled_from([">=", "<", "<=", "==", "!=", "~="]),
    plain.filter(lambda v: "." in v),
) | plain.map(lambda v: f"=={v}.*")


@settings(max_examples=300, deadline=None)
@given(st.lists(pep_clause, min_size=1, max_size=3).map(",".join), sample)
def test_property_pep440_to_conda_is_exact(text: str, versions: list[str]) -> None:
    report = Report()
    out = conda.render_version(pep440.parse(text), report=report)
    assert "conda-ordering-differs" not in report.codes()
    for v in versions:
        if not _post_spelling_quirk(text, v):
            assert _rattler(out, v) == SpecifierSet(text).contains(v, prereleases=True), (text, out, v)
