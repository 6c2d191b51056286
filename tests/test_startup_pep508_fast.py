"""The PEP 508 fast scanner accepts a strict subset of packaging's grammar and decomposes it the same way.

``depglot.dialects.pep508`` recognises the common requirement shapes without importing packaging's requirement,
marker and tag modules (a start-up cost). Whatever the scanner accepts must be accepted by
:class:`packaging.requirements.Requirement` and give the same parts as the packaging path; anything it is not sure
of goes to packaging. Checked on generated strings (hypothesis) and on every requirement line of the corpus.
"""

from __future__ import annotations

import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from packaging.requirements import InvalidRequirement
from packaging.requirements import Requirement as Oracle

from depglot.dialects import pep508

from .conftest import corpus_files


def _agrees(text: str) -> bool:
    """The scanner's answer is consistent with packaging's; True when the scanner answered itself."""
    fast = pep508._fast_decompose(text)
    if fast is None:
        return False
    try:
        oracle = Oracle(text)
    except InvalidRequirement as exc:  # pragma: no cover - this is the failure being tested for
        raise AssertionError(f"fast scanner accepted {text!r}, packaging rejects it: {exc}") from None
    slow = pep508._packaging_decompose(text)
    assert fast == slow, text
    name, extras, _spec, url, marker = fast
    assert name == oracle.name
    assert set(extras) == oracle.extras
    assert url == oracle.url
    assert (marker is None) == (oracle.marker is None)
    return True


_WS = st.sampled_from(["", "", " ", "  ", "\t", " \t"])
_NAMES = st.sampled_from(
    ["requests", "Foo.Bar", "a", "zope.interface", "my_pkg", "x-y", "foo_", "-x", "1", "a..b", "é", "foo bar"]
)
_VERSIONS = st.sampled_from(
    ["1", "1.0", "1.0.0", "1.*", "1.0.*", "1.0a1", "1.0rc2", "1.0.post1", "1.0.dev3", "1.0b1.post2.dev4",
     "v1.0", "1!2.0", "1.0+local", "1.0-1", "1.0.*.1", "1.0a1.*", "abc", "", "1.0 ", "1.0alpha", "2.0.0RC1",
     "1.0_post1", "1.0.", ".1", "1..0"]
)
_OPS = st.sampled_from(["==", "!=", "<=", ">=", "<", ">", "~=", "===", "=", "=>", "<>", ""])
_MARKER_ATOMS = st.sampled_from(
    ["python_version", "python_full_version", "os_name", "sys_platform", "platform_system", "extra",
     "platform_python_implementation", "implementation_name", "os.name", "python_versions", "foo",
     '"3.9"', "'3.9'", '"linux"', '"a\\"b"', "'\\n'", '"\x01"', '"é"', '""', "'it''s'", '"3.9', "3.9"]
)
_MARKER_OPS = st.sampled_from(["==", "!=", "<", "<=", ">", ">=", "~=", "===", "in", "not in", "not  in", "notin", "="])
_BOOL = st.sampled_from(["and", "or", "AND", "&&", "andor"])


@st.composite
def _markers(draw: st.DrawFn, depth: int = 0) -> str:
    if depth < 3 and draw(st.integers(0, 4)) == 0:
        inner = draw(_markers(depth + 1))
        close = draw(st.sampled_from([")", ")", ")", ""]))
        item = f"({draw(_WS)}{inner}{draw(_WS)}{close}"
    else:
        item = draw(_MARKER_ATOMS) + draw(_WS) + draw(_MARKER_OPS) + draw(_WS) + draw(_MARKER_ATOMS)
    if depth < 3 and draw(st.booleans()):
        sep_left = draw(st.sampled_from([" ", "", "  ", "\t"]))
        sep_right = draw(st.sampled_from([" ", "", "  "]))
        return item + sep_left + draw(_BOOL) + sep_right + draw(_markers(depth + 1))
    return item


@st.composite
def _requirements(draw: st.DrawFn) -> str:
    out = draw(_WS) + draw(_NAMES) + draw(_WS)
    if draw(st.booleans()):
        extras = draw(st.lists(_NAMES, max_size=3))
        sep = draw(st.sampled_from([",", ", ", " ,", " ", ",,"]))
        out += "[" + draw(_WS) + sep.join(extras) + draw(_WS) + draw(st.sampled_from(["]", "]", ""])) + draw(_WS)
    if draw(st.integers(0, 4)) == 0:
        url = draw(st.sampled_from(["https://x.org/a-1.0.whl", "git+https://g.com/o/r@v1#egg=r", "file:///srv/p",
                                    "https://x;y", ";", "./local"]))
        out += "@" + draw(_WS) + url
        if draw(st.booleans()):
            out += draw(st.sampled_from([" ", "", "\t", "  "])) + ";" + draw(_WS) + draw(_markers())
        return out + draw(_WS)
    clauses = [draw(_OPS) + draw(_WS) + draw(_VERSIONS) for _ in range(draw(st.integers(0, 3)))]
    spec = draw(st.sampled_from([",", ", ", " , ", ",,"])).join(clauses) + draw(st.sampled_from(["", "", ","]))
    if spec and draw(st.integers(0, 3)) == 0:
        spec = "(" + draw(_WS) + spec + draw(_WS) + draw(st.sampled_from([")", ")", ""]))
    out += spec + draw(_WS)
    if draw(st.booleans()):
        out += ";" + draw(_WS) + draw(st.one_of(_markers(), st.just(""))) + draw(_WS)
    return out


@settings(max_examples=3000, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(_requirements())
def test_fast_scanner_accepts_only_what_packaging_accepts_and_agrees(text: str) -> None:
    _agrees(text)


@settings(max_examples=1500, deadline=None, database=None)
@given(st.text(alphabet=st.sampled_from(list("aZ09._-[](),;@<>=!~*'\" \tinotdrpyhsvx\\é")), max_size=40))
def test_fast_scanner_on_random_text(text: str) -> None:
    _agrees(text)


@pytest.mark.parametrize(
    "text",
    [
        "requests",
        "requests>=2.32",
        "Foo.Bar[socks, security] >= 1.0 , < 2.0",
        "foo (>=1.0,<2)",
        "foo==1.*",
        "foo~=1.4.5rc1.post2.dev3",
        "foo; python_version < '3.11'",
        'foo>=1 ; (python_version >= "3.9" and os_name == "nt") or extra == "x"',
        'foo ; "linux" in sys_platform',
        "foo ; platform_system not in 'Windows Darwin'",
        "foo @ https://example.org/foo-1.0.whl",
        'foo[x] @ git+https://github.com/o/foo@v1#egg=foo ; python_version>"3"',
    ],
)
def test_common_shapes_take_the_fast_path(text: str) -> None:
    assert _agrees(text)


@pytest.mark.parametrize(
    "text",
    [
        "foo===1.0",  # arbitrary equality
        "foo==1.0+local",
        "foo>=v1.0",
        "foo>=1.0,",  # trailing comma (valid in packaging's grammar)
        "foo ; os.name == 'nt'",  # dotted legacy variable
        "foo ; python_version == '3\\x2e9'",  # escapes are Python literals for packaging
        "foo >=1 bar",  # invalid: packaging reports where
        "foo[bar",
        "foo ;",
    ],
)
def test_unusual_or_invalid_shapes_go_to_packaging(text: str) -> None:
    assert pep508._fast_decompose(text) is None


def test_errors_still_come_from_packaging_with_a_position() -> None:
    from depglot.errors import ParseError

    with pytest.raises(ParseError) as info:
        pep508.parse_requirement("foo ; python_version >")
    assert "(at position 23)" in info.value.message


def _corpus_requirement_lines() -> list[str]:
    lines: set[str] = set()
    for category in ("requirements", "hashed_requirements", "freeze"):
        for path in corpus_files(category):
            try:
                text = path.read_text(encoding="utf-8-sig")
            except UnicodeDecodeError:
                continue
            for line in text.replace("\\\n", " ").splitlines():
                line = line.split(" #", 1)[0].strip()
                if not line or line.startswith(("#", "-")) or "--hash" in line:
                    continue
                lines.add(line)
    for category in ("pep621", "pdm_pyproject", "uv_pyproject", "poetry2"):
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
            for group in data.get("dependency-groups", {}).values():
                deps.extend(group)
            lines.update(d for d in deps if isinstance(d, str))
    return sorted(lines)


CORPUS_LINES = _corpus_requirement_lines()


@pytest.mark.skipif(not CORPUS_LINES, reason="shared corpus absent (no requirement lines)")
def test_every_corpus_requirement_line() -> None:
    fast = sum(_agrees(line) for line in CORPUS_LINES)
    # The scanner exists for speed: the common shapes must actually take it.
    assert len(CORPUS_LINES) > 500
    assert fast / len(CORPUS_LINES) > 0.9, (fast, len(CORPUS_LINES))


@settings(max_examples=1500, deadline=None, database=None)
@given(_markers())
def test_is_common_marker_accepts_only_markers_packaging_accepts(text: str) -> None:
    from packaging.markers import InvalidMarker, Marker

    if pep508.is_common_marker(text):
        try:
            Marker(text)
        except InvalidMarker as exc:  # pragma: no cover - this is the failure being tested for
            raise AssertionError(f"is_common_marker accepted {text!r}; packaging: {exc}") from None


def test_is_common_marker_examples() -> None:
    assert pep508.is_common_marker('python_version >= "3.9" and (os_name == "nt" or extra == "x")')
    assert pep508.is_common_marker("sys_platform not in 'win32 cygwin'")
    assert not pep508.is_common_marker("python_version >=")  # invalid: packaging decides and locates
    assert not pep508.is_common_marker("os.name == 'nt'")  # valid, unusual spelling: packaging decides


@settings(max_examples=2000, deadline=None, database=None)
@given(st.lists(st.tuples(_OPS, _WS, _VERSIONS), min_size=1, max_size=3), st.sampled_from([",", ", ", " ,", ",,"]))
def test_is_common_specifier_set_accepts_only_what_packaging_accepts(clauses, sep) -> None:
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    text = sep.join(op + ws + version for op, ws, version in clauses)
    if pep508.is_common_specifier_set(text):
        try:
            SpecifierSet(text)
        except InvalidSpecifier as exc:  # pragma: no cover - this is the failure being tested for
            raise AssertionError(f"is_common_specifier_set accepted {text!r}; packaging: {exc}") from None


def test_is_common_specifier_set_examples() -> None:
    assert pep508.is_common_specifier_set(">=1.2, <2.0")
    assert pep508.is_common_specifier_set("==1.4.*,!=1.4.2")
    assert pep508.is_common_specifier_set("~=2.0rc1")
    assert not pep508.is_common_specifier_set("~=2")  # invalid
    assert not pep508.is_common_specifier_set(">=1.0.*")  # invalid
    assert not pep508.is_common_specifier_set("")
    assert not pep508.is_common_specifier_set("==1.0+local")  # valid, left to packaging
