"""The fast path (sets read off their bounds, ``dialects/_intervals.py``) answers exactly what the interval algebra
answers, and version sets are built only when someone asks for them."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from depglot.dialects import _intervals, conda, pep440, pipfile, poetry
from depglot.dialects._common import clear_caches, same_set, spans_of
from depglot.errors import ParseError
from depglot.ir.versions import VersionSpec
from depglot.report import Report

SRC = Path(__file__).resolve().parents[1] / "src"

PARSE = {
    "pep440": pep440.parse,
    "poetry": poetry.parse,
    "conda": conda.parse_version,
    "pipfile": pipfile.parse_version,
}
RENDER = {
    "pep440": pep440.render,
    "poetry": poetry.render,
    "conda": conda.render_version,
    "pipfile": pipfile.render_version,
}


def translate(dialect: str, text: str) -> tuple:
    """Everything a translation produces: the spec's PEP 440 text, and each dialect's text with its losses."""
    try:
        spec = PARSE[dialect](text)
    except ParseError as err:
        return ("error", err.message)
    out: list[object] = [spec.pep440, spec.is_any]
    for name, render in RENDER.items():
        report = Report()
        written = render(spec, report=report, subject="x")
        out.append((name, written, [(x.code, x.severity, x.message, sorted(x.data.items())) for x in report]))
    return tuple(out)


def both_paths(dialect: str, text: str) -> tuple[tuple, tuple, VersionSpec | None, VersionSpec | None]:
    clear_caches()
    fast = translate(dialect, text)
    fast_spec = _spec(dialect, text)
    _intervals.ENABLED = False
    try:
        clear_caches()
        slow = translate(dialect, text)
        slow_spec = _spec(dialect, text)
        slow_versions = slow_spec.versions if slow_spec is not None else None
    finally:
        _intervals.ENABLED = True
        clear_caches()
    if fast_spec is not None:
        assert slow_versions is not None and same_set(fast_spec.versions, slow_versions), text
    return fast, slow, fast_spec, slow_spec


def _spec(dialect: str, text: str) -> VersionSpec | None:
    try:
        return PARSE[dialect](text)
    except ParseError:
        return None


# versions spelled canonically and not (trailing zeros, pre/post/dev, epochs, locals), so that both the fast
# path's shapes and its refusals are exercised
_release = st.lists(st.integers(0, 3), min_size=1, max_size=4).map(lambda r: ".".join(map(str, r)))
_suffix = st.sampled_from(
    ["", "", "", "", "a1", "b0", "rc1", ".post1", ".dev0", ".dev1", ".post0.dev0", "a1.dev0", "+x"]
)
# a small pool of neighbouring versions, so that bounds meet, touch and leave gaps of only pre-releases
_near = st.sampled_from(
    [
        "0",
        "0.dev0",
        "1",
        "1.0",
        "1.0.0",
        "1.0a1",
        "1.0b1",
        "1.0rc1",
        "1.0.dev0",
        "1.0a0.dev0",
        "1.0.post1",
        "1.1",
        "1.1.dev0",
        "2",
        "2.0",
        "2.0a1",
        "2.0.dev0",
        "2.0.post0",
        "2.1",
        "3.0a1",
        "3.0",
    ]
)
_version = st.one_of(
    st.builds(lambda e, r, s: f"{e}{r}{s}", st.sampled_from(["", "", "", "", "1!"]), _release, _suffix), _near
)
_plain = st.one_of(
    st.builds(lambda e, r: f"{e}{r}", st.sampled_from(["", "", "", "1!"]), _release),
    st.sampled_from(["0", "1", "1.0", "1.1", "2", "2.0"]),
)

_pep440_clause = st.one_of(
    st.builds(lambda op, v: f"{op}{v}", st.sampled_from([">=", "<", "<=", ">", "==", "!="]), _version),
    st.builds(lambda op, v: f"{op}{v}.*", st.sampled_from(["==", "!="]), _plain),
    st.builds(lambda v: f"~={v}.0", _plain),
)
_pep440 = st.one_of(
    st.builds(lambda a, b: f">={a},<{b}", _version, _version),
    st.builds(lambda a, b: f">={a},<{b}", _plain, _plain),
    st.lists(_pep440_clause, min_size=1, max_size=3).map(",".join),
)
_poetry_clause = st.one_of(
    st.builds(
        lambda op, v: f"{op}{v}",
        st.sampled_from(["^", "~", "~=", "", "==", ">=", "<", "<=", ">", "!="]),
        _version,
    ),
    st.builds(lambda v: f"{v}.*", _plain),
    st.just("*"),
)
_poetry_group = st.lists(_poetry_clause, min_size=1, max_size=2).map(",".join)
_poetry = st.lists(_poetry_group, min_size=1, max_size=3).map(" || ".join)
# unions of the shapes the fast path reads, over neighbouring versions (gaps of pre-releases only, touching runs)
_near_interval = st.one_of(
    st.builds(lambda a, b: f">={a},<{b}", _near, _near),
    st.builds(lambda a: f"<{a}", _near),
    st.builds(lambda a: f">={a}", _near),
    st.builds(lambda a: f">{a}", _near),
    st.builds(lambda a, b: f">{a},<{b}", _near, _near),
    st.builds(lambda a: f"{a}.*", st.sampled_from(["0", "1", "1.0", "2", "2.0"])),
    st.builds(lambda op, a: f"{op}{a}", st.sampled_from(["^", "~"]), _near),
)
_near_union = st.lists(_near_interval, min_size=2, max_size=3)
_conda_atom = st.one_of(
    st.builds(
        lambda op, v: f"{op}{v}", st.sampled_from([">=", "<", "<=", ">", "==", "!=", "=", ""]), _version
    ),
    st.builds(lambda v: f"{v}.*", _plain),
)
_conda = st.lists(st.lists(_conda_atom, min_size=1, max_size=2).map(",".join), min_size=1, max_size=3).map(
    "|".join
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.tuples(st.just("pep440"), _pep440),
        st.tuples(st.just("poetry"), _poetry),
        st.tuples(st.just("poetry"), _near_union.map(" || ".join)),
        st.tuples(
            st.just("conda"),
            _near_union.map(lambda u: "|".join(x.replace("^", ">=").replace("~", ">=") for x in u)),
        ),
        st.tuples(st.just("conda"), _conda),
        st.tuples(st.just("pipfile"), _pep440),
    )
)
@example(("poetry", "^1.2 || ^2.0"))
@example(("poetry", "~1.0 || ^2.0"))
@example(("poetry", "<2 || >=3"))
@example(("conda", ">=0.3,<1|0.3.*"))
@example(("conda", ">=9.0,<10|0.0.*"))
@example(("pep440", ">=1.0.dev0,<1.1.dev0"))
@example(("pep440", ">=0.dev0"))
@example(("poetry", "<0 || >=0"))
@example(("poetry", "^0 || ^0a1.dev0"))
@example(("pipfile", ">0.1.3"))
@example(("poetry", "^0,<1.0a1"))
@example(("poetry", "^1.2,<1.5"))
@example(("poetry", ">=2.0.0,<3.0.0,<2.5"))
@example(("poetry", "^1.2,<1.5.0,<1.5"))
@example(("conda", "<=1.0,!=1.0|>1.0"))
@example(("poetry", "<1.0 || >1.0"))
@example(("pep440", ">1.0,>=1.0,<1.0.0.1"))
def test_fast_path_agrees_with_interval_algebra(case: tuple[str, str]) -> None:
    dialect, text = case
    fast, slow, _, _ = both_paths(dialect, text)
    assert fast == slow


@settings(max_examples=1500, deadline=None)
@given(st.one_of(_version, st.text(alphabet="0123456789.!abrcpostdev+-", max_size=14)))
@example("0!1.0")
@example("01.0")
@example("1.0.post1.dev0")
@example("1.0a0.dev0")
def test_bounds_are_read_as_packaging_reads_them(text: str) -> None:
    """parse_version reads canonical versions without packaging.version: same key and parts as packaging's."""
    from packaging.version import InvalidVersion, Version

    try:
        v = Version(text)
    except InvalidVersion:
        v = None
    usable = (
        v is not None
        and str(v) == text
        and v.local is None
        and not (v.dev is not None and (v.dev > 0 or v.post is not None or (v.pre is not None and v.pre[1] > 0)))
    )
    _intervals.parse_version.cache_clear()
    if not usable:
        with pytest.raises(_intervals.NotSimple):
            _intervals.parse_version(text)
        return
    b = _intervals.parse_version(text)
    assert (b.key, b.epoch, b.release, b.pre, b.post, b.dev) == (v._key, v.epoch, v.release, v.pre, v.post, v.dev)


@pytest.mark.parametrize(
    ("dialect", "text"),
    [
        ("poetry", "^1.2.3"),
        ("poetry", "~1.2 || ^2.0"),
        ("pep440", ">=1.2,<2.0"),
        ("pep440", "~=1.2.3"),
        ("pep440", "==1.2.*"),
        ("conda", ">=1.0,<2|3.1.*"),
        ("conda", "<2"),
        ("pep440", ">0.1.3"),
        ("pipfile", ">0.1.3"),
        ("pep440", ">1.0,<2.0"),
        ("poetry", ">1.0 || <0.5"),
    ],
)
def test_common_shapes_take_the_fast_path(dialect: str, text: str) -> None:
    """The shapes the fast path exists for are read off their bounds (else the agreement test proves little)."""
    clear_caches()
    spec = PARSE[dialect](text)
    assert spans_of(spec)  # raises NotSimple when the fast path declines
    assert spec.source is None or spec.source.spans is not None or spec.pep440 is not None


def test_fast_path_declines_what_it_cannot_read() -> None:
    for text in ("==1.2", ">1.0a1", ">1.0.post1", ">1.0.dev0", "<1.0.post1", ">=1.0.dev1", ">=1.0+x", ">= 1.0", "!=1.5", "===1.0"):
        with pytest.raises(_intervals.NotSimple):
            _intervals.from_pep440(text)


# ------------------------------------------------------------------------------------------------ laziness


def test_versions_are_built_on_first_use_and_kept() -> None:
    spec = VersionSpec(raw=">=1.2,<2", pep440=">=1.2,<2")
    assert spec._versions is None
    first = spec.versions
    assert spec.versions is first
    assert str(first) == "<VersionRange '[1.2, 2.dev0)'>"


def test_built_set_is_not_part_of_equality_hash_or_repr() -> None:
    a = VersionSpec(raw="^1.2", dialect="poetry", pep440=">=1.2,<2.0")
    b = VersionSpec(raw="^1.2", dialect="poetry", pep440=">=1.2,<2.0")
    _ = a.versions
    assert a == b and hash(a) == hash(b)
    assert repr(a) == repr(b) == "VersionSpec(raw='^1.2', dialect='poetry', pep440='>=1.2,<2.0')"


def test_a_spec_needs_a_set_or_a_text() -> None:
    with pytest.raises(TypeError):
        VersionSpec(raw="^1.2", dialect="poetry")


def test_union_specs_build_their_set_from_the_dialect_source() -> None:
    spec = poetry.parse("^1.2 || ^3.0")
    assert spec.pep440 is None and spec.source is not None
    assert str(spec.versions) == "<VersionRange '[1.2, 2.0.dev0) | [3.0, 4.0.dev0)'>"
    assert spec.source is None  # built once, then kept


def test_reading_and_writing_in_one_dialect_never_builds_sets() -> None:
    """Same-dialect round trips and plain reads never import packaging.ranges (a fresh interpreter)."""
    code = textwrap.dedent(
        """
        import sys
        from depglot.dialects import conda, pep440, pipfile, poetry
        from depglot.report import Report
        r = Report()
        for text in ("^1.2", "~1.2.3 || ^2.0", ">=1.2,<2", "*", "1.2.3"):
            s = poetry.parse(text)
            assert poetry.render(s, report=r) == text
            pep440.render(s, report=r)
        for text in (">=1.2,<2", "==1.2.3", "~=1.2", ""):
            s = pep440.parse(text)
            assert pep440.render(s) == text and pipfile.render_version(s) in (text, "*")
        for text in ("1.2.3", ">=1.2,<2", "*"):
            assert pipfile.render_version(pipfile.parse_version(text)) == text
        for text in (">=1.2,<2", "1.2.*", "=1.2", ">=1,<2|>=3"):
            assert conda.render_version(conda.parse_version(text)) == text
        assert conda.parse_matchspec("numpy >=1.2,<2").version.raw == ">=1.2,<2"
        assert "packaging.ranges" not in sys.modules, "packaging.ranges was imported"
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(SRC)},
        check=False,
    )
    assert result.returncode == 0, result.stderr


_spec_piece = st.sampled_from(
    [
        ">=",
        "<=",
        "<",
        ">",
        "==",
        "!=",
        "~=",
        "===",
        "1",
        "0",
        "01",
        "2",
        ".",
        "a",
        "b",
        "rc",
        "c",
        ".post",
        ".dev",
        "post",
        ".*",
        "*",
        ",",
        " ",
        "-",
        "+x",
        "v",
        "1!",
    ]
)


@settings(max_examples=1000, deadline=None)
@given(st.lists(_spec_piece, min_size=1, max_size=10).map("".join))
def test_specifier_sets_skipping_packaging_are_ones_packaging_accepts(text: str) -> None:
    """validate_pep440 skips packaging for a regular subset: everything in it must be valid PEP 440."""
    from packaging.specifiers import SpecifierSet

    from depglot.ir.versions import _SIMPLE_SET, validate_pep440

    if _SIMPLE_SET.fullmatch(text):
        SpecifierSet(text)  # raises InvalidSpecifier if the subset were too wide
    else:
        try:
            SpecifierSet(text)
        except ValueError:
            with pytest.raises(ValueError):
                validate_pep440(text)


@pytest.mark.parametrize("text", [
    "==1.4.3", "==0.17.1", "== 2.0", ">= 5.3", " >= 6.1.1", ">=1.1.0, <3.0.0", ">= 1.2, < 2.0", "~= 1.4",
    "==1.4.*", "== 1.4.*", ">=1.0, <2.0",
    # session 3: bare Pipfile pins (not PEP 440: the hint is dropped), pins to any canonical version, >V
    "1.4.3", "1.2.*", "20.8b1", "==20.8b1", "==1.0.post1", "==1!2.0rc1.dev0", ">0.1.3", ">1.0,<2.0", "> 1.0",
])
def test_poetry_spelling_of_pins_and_spaced_texts_matches_the_interval_path(text: str) -> None:
    """Pins to plain releases and texts with spaces take the fast path; it must answer what nicest() answers."""
    from depglot.dialects import _intervals
    from depglot.dialects import pipfile as pipfile_dialect
    from depglot.dialects.poetry import spelling

    spec = pipfile_dialect.parse_version(text)
    hint = spec.raw.strip()
    try:
        fast_answer = spelling._nicest_fast(spec, hint)
    except _intervals.NotSimple:
        pytest.fail(f"{text!r} should take the fast path")
    assert fast_answer == spelling._nicest_slow(spec, hint)


@pytest.mark.parametrize(("version", "full"), [("3.11", None), ("2.7", None), (None, "3.11.4"), ("3", None)])
def test_poetry_spelling_of_pipfile_python_requirement_matches_the_interval_path(
    version: str | None, full: str | None
) -> None:
    """[requires] python_version "3.11" (raw "3.11", not PEP 440) takes the fast path to Poetry's "3.11.*"."""
    from depglot.dialects import pipfile as pipfile_dialect
    from depglot.dialects.poetry import spelling

    spec = pipfile_dialect.python_requirement(version, full)
    assert spec is not None
    hint = spec.raw.strip()
    assert spelling._nicest_fast(spec, hint) == spelling._nicest_slow(spec, hint)


@pytest.mark.parametrize(
    ("render", "spec", "message"),
    [
        (conda.render_version, ("poetry", "^1.2"), "poetry constraint '^1.2' written as conda '>=1.2,<2a0' (same versions)"),
        (pep440.render, ("poetry", "^1.2"), "poetry constraint '^1.2' written as PEP 440 '>=1.2,<2.0' (same versions)"),
        (poetry.render, ("pep440", ">=1.2,<2.0"), "pep440 constraint '>=1.2,<2.0' written as Poetry '^1.2' (same versions)"),
        (pep440.render, ("poetry", "*"), "poetry constraint '*' written as PEP 440 '' (any version) (same versions)"),
    ],
)
def test_version_respelled_is_one_loss_in_every_dialect(render, spec: tuple[str, str], message: str) -> None:
    """One helper (_common.report_respelled) builds it: same code, severity, data keys and message shape."""
    from depglot.report import Severity

    parsed = PARSE[spec[0]](spec[1])
    report = Report()
    render(parsed, report=report, subject="x")
    (loss,) = list(report)
    assert (loss.code, loss.severity, loss.message) == ("version-respelled", Severity.INFO, message)
    assert loss.data == {"from": spec[1], "to": loss.data["to"], "dialect": spec[0]}


_conda_literal_piece = st.sampled_from(
    ["1", "0", "2022", "01", ".", "-", "_", "+", "!", "a", "b", "c", "rc", "n", "k", "post", "dev", "r", "rev",
     "pre", "preview", "alpha", "beta", "final", "v", "V", "x", "ſ", "1!"]
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(_conda_literal_piece, min_size=1, max_size=7).map("".join))
@example("1.1.1n")
@example("2022.4.26")
@example("1.0.Final")
@example("1.0poſt1")
def test_conda_literals_become_pep440_as_packaging_reads_them(text: str) -> None:
    """to_pep440_version answers plain and canonical literals, and ones with a letter no PEP 440 word has, without
    packaging.version: the same answer packaging gives."""
    from packaging.version import InvalidVersion, Version

    from depglot.dialects.conda.versions import to_pep440_version

    candidate = text.replace("-", ".").replace("_", ".")
    try:
        expected = None if candidate.lower().startswith("v") else str(Version(candidate))
    except InvalidVersion:
        expected = None
    to_pep440_version.cache_clear()
    assert to_pep440_version(text) == expected


@pytest.mark.parametrize(
    "spec", ["==2022.4.26", "2022.4.26", ">1.2", ">=1.2", "<2", "<=2.0", "!=1.5", "~=1.2", ">1.2,<2", "=1.2"]
)
def test_conda_plain_releases_read_without_packaging_as_with_it(spec: str, monkeypatch) -> None:
    """_atom_at0 reads a plain release off its text; a packaging Version of it gives the same atoms."""
    from depglot.dialects.conda import versions

    fast_answer = translate("conda", spec)
    clear_caches()
    monkeypatch.setattr(versions, "_PLAIN_RELEASE", __import__("re").compile(r"(?!)"))  # never plain: packaging
    slow_answer = translate("conda", spec)
    clear_caches()
    assert fast_answer == slow_answer


@settings(max_examples=400, deadline=None)
@given(st.one_of(_pep440, st.just(""), st.builds(lambda v: f">={v}", _near), st.builds(lambda v: f">{v}", _near)))
@example(">=2.0.0a1")
@example(">1.9.9")
def test_poetry_build_requirement_check_reads_bounds_as_the_interval_algebra(text: str) -> None:
    """A poetry-core build requirement admitting < 2.0.0 is raised to 2.x (converters/_poetry_core.py, read off its
    bounds): the same answer as the interval algebra."""
    from packaging.specifiers import InvalidSpecifier

    from depglot.converters._poetry_core import _admits_below_2
    from depglot.ir.versions import pep440_range

    try:
        expected = not pep440_range(text).intersection(pep440_range("<2.0.0")).is_empty
    except InvalidSpecifier:
        return
    assert _admits_below_2(text) == expected
