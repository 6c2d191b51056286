"""Markers: precedence-safe joins, and python constraints as markers checked against packaging's evaluator."""

from __future__ import annotations

import pytest
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

from depglot.dialects import markers, pep440
from depglot.ir.versions import VersionSpec, pep440_range

PYTHONS = [f"{major}.{minor}.{patch}" for major in (2, 3, 4) for minor in range(14) for patch in (0, 1, 2, 5)]


def _env(full: str) -> dict[str, str]:
    return {"python_full_version": full, "python_version": ".".join(full.split(".")[:2])}


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (('a == "1" or b == "2"', None, 'c == "3"'), '(a == "1" or b == "2") and c == "3"'),
        (('(a == "1" or b == "2")', 'c == "3"'), '(a == "1" or b == "2") and c == "3"'),
        (('a == "1" and b == "2"', 'c == "3" or d=="x"'), 'a == "1" and b == "2" and (c == "3" or d=="x")'),
        (('(a == "1") or (b == "2")', 'c == "3"'), '((a == "1") or (b == "2")) and c == "3"'),
        (
            ("platform_machine == 'x86_64' or platform_machine == 'aarch64'",),
            "platform_machine == 'x86_64' or platform_machine == 'aarch64'",
        ),
        (("sys_platform == 'win32'",), "sys_platform == 'win32'"),
        ((None, "  "), None),
        (("os_name == 'nt' ", "extra == 'orm'"), "os_name == 'nt' and extra == 'orm'"),
        (("platform_version == 'for x or y'", "a == '1'"), "platform_version == 'for x or y' and a == '1'"),
    ],
)
def test_and_markers(parts: tuple[str | None, ...], expected: str | None) -> None:
    assert markers.and_markers(*parts) == expected


def test_and_markers_preserves_meaning() -> None:
    a, b = "sys_platform == 'linux' or sys_platform == 'darwin'", "python_version >= '3.9'"
    joined = markers.and_markers(a, b)
    assert joined is not None
    for platform in ("linux", "darwin", "win32"):
        for py in ("3.8", "3.9"):
            env = {"sys_platform": platform, "python_version": py}
            assert Marker(joined).evaluate(env) == (Marker(a).evaluate(env) and Marker(b).evaluate(env))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (">=3.8,<4.0", 'python_version >= "3.8" and python_version < "4.0"'),
        (">=3.8.1", 'python_full_version >= "3.8.1"'),
        (">=3.8.1,<4.0", 'python_full_version >= "3.8.1" and python_version < "4.0"'),
        ("==3.11.*", 'python_version == "3.11"'),
        ("!=3.9.*", 'python_version != "3.9"'),
        ("==3.*", 'python_version == "3.*"'),
        ("~=3.8", 'python_version >= "3.8" and python_version < "4"'),
        ("~=3.8.1", 'python_full_version >= "3.8.1" and python_version < "3.9"'),
        (">3.8", 'python_full_version > "3.8"'),
        ("<=3.8", 'python_full_version <= "3.8"'),
        ("==3.10.4", 'python_full_version == "3.10.4"'),
        ("<3.12.2", 'python_full_version < "3.12.2"'),
        (">=3", 'python_version >= "3"'),
    ],
)
def test_python_to_marker_is_exact(text: str, expected: str) -> None:
    marker = markers.python_to_marker(pep440.parse(text))
    assert marker == expected
    spec = SpecifierSet(text)
    for full in PYTHONS:
        assert Marker(marker).evaluate(_env(full)) == spec.contains(full), (text, full)


def test_python_version_with_three_parts_would_be_wrong() -> None:
    # the trap: python_version >= "3.8.1" excludes every 3.8 release, python_full_version does not
    assert not Marker('python_version >= "3.8.1"').evaluate(_env("3.8.5"))
    assert Marker(markers.python_to_marker(pep440.parse(">=3.8.1")) or "").evaluate(_env("3.8.5"))


def test_python_union_becomes_or_of_intervals() -> None:
    union = pep440_range(">=2.7,<2.8") | pep440_range(">=3.6")
    spec = VersionSpec(raw=">=2.7,<2.8 || >=3.6", dialect="poetry", versions=union, pep440=None)
    marker = markers.python_to_marker(spec)
    assert marker == '(python_version >= "2.7" and python_version < "2.8") or python_version >= "3.6"'
    for full in PYTHONS:
        assert Marker(marker).evaluate(_env(full)) == (full in union), full


def test_any_python_is_no_marker() -> None:
    assert markers.python_to_marker(pep440.parse("")) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("linux", 'sys_platform == "linux"'),
        ("linux || darwin", 'sys_platform == "linux" or sys_platform == "darwin"'),
        ("!win32", 'sys_platform != "win32"'),
        ("*", None),
    ],
)
def test_poetry_platform(text: str, expected: str | None) -> None:
    assert markers.marker_from_platform(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("^3.8", 'python_version >= "3.8" and python_version < "4.0"'),
        ("3.8", 'python_version == "3.8"'),
        ("~3.8", 'python_version >= "3.8" and python_version < "3.9"'),
        (">=3.8.1,<4.0", 'python_full_version >= "3.8.1" and python_version < "4.0"'),
        ("*", None),
    ],
)
def test_marker_from_poetry_python_key(text: str, expected: str | None) -> None:
    assert markers.marker_from_python_constraint(text) == expected


def test_importing_the_package_is_cheap() -> None:
    import subprocess
    import sys

    code = (
        "import sys, depglot.dialects as d; "
        "assert not [m for m in sys.modules if m.startswith('packaging')], 'packaging imported'; "
        "d.and_markers; assert 'depglot.dialects.markers' in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
