"""Static conflict checks: exact findings (code, place, message) on real files, markers respected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from depglot.check import check_manifests, check_paths, disjoint
from depglot.check.static import Loaded
from depglot.cli import build_app
from depglot.ir.model import Group, Lock, LockedPackage, Manifest, Requirement
from depglot.ir.versions import VersionSpec
from depglot.span import Span
from tests.conftest import FIXTURES

CHECK = FIXTURES / "check"
FILES = CHECK / "files"


def _lines(report) -> list[str]:  # type: ignore[no-untyped-def]
    return [loss.concise() for loss in report]


def test_requirement_files_installed_together() -> None:
    report = check_paths([FILES / "requirements-dev.txt"])
    r, d, c = (str(FILES / n) for n in ("requirements.txt", "requirements-dev.txt", "constraints.txt"))
    assert _lines(report) == [
        f"{r}:4:1: error[empty-specifier]: 'numpy>=2,<1' admits no version at all",
        f"{r}:8:1: warning[duplicate-requirement]: 'idna' is listed again in group 'main' with a different spec "
        f"('idna>=3.7' vs 'idna>=3' at {r}:7:1)",
        f"{d}:2:1: error[conflicting-requirements]: 'requests<2.30' conflicts with 'requests>=2.32' ({r}:2:1) "
        "(requirements-dev.txt and requirements.txt install together): no version satisfies both",
        f"{r}:3:1: error[constraint-excludes-requirement]: 'flask==3.0.0' is excluded by the constraint "
        f"'flask<3' ({c}:1:1)",
    ]


def test_disjoint_markers_do_not_conflict_but_overlapping_ones_do() -> None:
    report = check_paths([FILES / "requirements-win.txt", FILES / "requirements-dev.txt"])
    conflicts = [(l.subject, l.span.line) for l in report if l.code == "conflicting-requirements"]
    # colorama<0.4 (win32) vs colorama>=0.4.6 (not win32): never together; pytest<8 (py<3.8) vs pytest>=8: may be
    assert conflicts == [("pytest", 2), ("requests", 2)]


def test_pyproject_groups_installed_together() -> None:
    report = check_paths([CHECK / "pyproject" / "pyproject.toml"])
    p = str(CHECK / "pyproject" / "pyproject.toml")
    assert _lines(report) == [
        f"{p}:14:9: error[conflicting-requirements]: 'requests<2.30' conflicts with 'requests>=2.32' ({p}:6:6) "
        "(groups 'main' and 'dev' install together): no version satisfies both [dependency-groups.dev[0]]",
    ]  # dev (pytest>=8) and test (pytest<8): PEP 735 groups other than dev are alternatives, not compared


def test_poetry_groups_installed_by_default_are_compared_optional_ones_are_not() -> None:
    report = check_paths([CHECK / "poetry" / "pyproject.toml"])
    p = str(CHECK / "poetry" / "pyproject.toml")
    assert _lines(report) == [
        f"{p}:12:1: error[conflicting-requirements]: 'pytest<8' conflicts with 'pytest^8.0' ({p}:9:1) "
        "(groups 'test' and 'lint' install together): no version satisfies both "
        "[tool.poetry.group.lint.dependencies.pytest]",
    ]


def test_conda_and_pypi_versions_are_not_compared_and_extras_add_up() -> None:
    assert _lines(check_paths([CHECK / "conda" / "environment.yml"])) == []


def test_clean_files_report_nothing(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests>=2.31\nidna>=3 ; python_version >= '3.8'\n")
    (tmp_path / "requirements-dev.txt").write_text("requests<3\nidna<3 ; python_version < '3.8'\n")
    assert _lines(check_paths([tmp_path / "requirements.txt", tmp_path / "requirements-dev.txt"])) == []


def _req(name: str, spec: str, line: int, marker: str | None = None) -> Requirement:
    return Requirement(name=name, version=VersionSpec.from_pep440(spec), marker=marker,
                       span=Span(file="pyproject.toml", line=line, column=1))


def test_lock_pins_outside_the_range_and_python_excluding_a_package() -> None:
    manifest = Manifest(
        format="pep621",
        python=VersionSpec.from_pep440(">=3.12"),
        groups=(Group(name="main", requirements=(_req("requests", ">=2.32", 5), _req("attrs", ">=23", 6),
                                                  _req("rich", ">=13", 7))),),
    )
    lock = Manifest(format="uv-lock", lock=Lock(packages=(
        LockedPackage(name="requests", version="2.31.0", span=Span(file="uv.lock", line=10, column=1)),
        LockedPackage(name="attrs", version="23.2.0", requires_python="<3.8", span=Span(file="uv.lock", line=20, column=1)),
    )))
    report = check_manifests([Loaded(path="pyproject.toml", manifest=manifest), Loaded(path="uv.lock", manifest=lock)])
    assert _lines(report) == [
        "pyproject.toml:5:1: error[lock-pin-outside-range]: uv.lock pins requests 2.31.0, outside 'requests>=2.32'; "
        "the lock is stale",
        "pyproject.toml:7:1: warning[requirement-not-locked]: 'rich>=13' is not pinned in uv.lock",
        "uv.lock:20:1: error[python-excludes-locked]: attrs 23.2.0 requires python '<3.8', which the project's python "
        "constraint '>=3.12' excludes entirely",
    ]


def test_lock_pin_under_a_disjoint_marker_is_not_compared() -> None:
    manifest = Manifest(format="pep621", groups=(Group(name="main", requirements=(
        _req("numpy", ">=2", 3, 'python_version >= "3.10"'),)),))
    lock = Manifest(format="uv-lock", lock=Lock(packages=(
        LockedPackage(name="numpy", version="1.24.4", marker='python_full_version < "3.9"'),
        LockedPackage(name="numpy", version="2.1.0", marker='python_full_version >= "3.10"'),
    )))
    assert _lines(check_manifests([Loaded(path="a", manifest=manifest), Loaded(path="b", manifest=lock)])) == []


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ('sys_platform == "win32"', 'sys_platform != "win32"', True),
        ('sys_platform == "win32"', 'sys_platform == "linux"', True),
        ('"win32" == sys_platform', 'sys_platform != "win32"', True),
        ('python_version < "3.10"', 'python_full_version >= "3.10.2"', True),
        ('python_version <= "3.8"', 'python_version > "3.8"', True),
        ('python_version < "3.10"', 'python_version >= "3.9"', False),
        ('python_version < "3.10" or sys_platform == "win32"', 'python_version >= "3.10" and sys_platform != "win32"', True),
        ('python_version < "3.10" or sys_platform == "win32"', 'python_version >= "3.10"', False),
        ('os_name == "nt"', 'sys_platform != "win32"', False),  # different variables: not provably disjoint
        ('"linux" in sys_platform', 'sys_platform == "win32"', False),  # "in" is not interpreted
        ('extra == "a"', 'extra == "b"', True),
        (None, 'sys_platform == "win32"', False),
    ],
)
def test_marker_disjointness(a: str | None, b: str, expected: bool) -> None:
    assert disjoint(a, b) is expected
    assert disjoint(b, a) is expected


def test_disjointness_agrees_with_packaging_on_sample_environments() -> None:
    """Whenever disjoint() says yes, no sampled environment satisfies both markers (packaging evaluates)."""
    from itertools import product

    from packaging.markers import Marker

    markers = ['sys_platform == "win32"', 'sys_platform != "win32"', 'python_version < "3.10"',
               'python_full_version >= "3.10.2"', 'python_version >= "3.9" and sys_platform == "linux"',
               'python_version == "3.9" or os_name == "nt"', 'platform_machine == "arm64"']
    envs = [{"sys_platform": p, "python_version": v[:4].rstrip("."), "python_full_version": v, "os_name": o,
             "platform_machine": m}
            for p, v, o, m in product(["win32", "linux", "darwin"], ["3.8.10", "3.9.1", "3.10.0", "3.10.2", "3.12.1"],
                                      ["nt", "posix"], ["arm64", "x86_64"])]
    for a, b in product(markers, repeat=2):
        if disjoint(a, b):
            assert not any(Marker(a).evaluate(e) and Marker(b).evaluate(e) for e in envs), (a, b)


# ----------------------------------------------------------------------------------------------- CLI


def _run(args: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(build_app(args), args)


def test_cli_human_output_and_exit_code() -> None:
    result = _run(["check", str(FILES / "requirements-dev.txt")])
    assert result.exit_code == 1
    assert f"{FILES / 'requirements-dev.txt'}:2:1: error[conflicting-requirements]:" in result.stdout
    assert "3 conflict(s), 1 warning(s)" in result.stderr


def test_cli_json_and_clean_exit(tmp_path: Path) -> None:
    result = _run(["check", "--json", str(FILES / "requirements-dev.txt")])
    data = json.loads(result.stdout)
    assert [l["code"] for l in data["losses"]] == [
        "empty-specifier", "duplicate-requirement", "conflicting-requirements", "constraint-excludes-requirement"
    ]
    assert data["losses"][2]["line"] == 2 and data["losses"][2]["file"].endswith("requirements-dev.txt")
    clean = tmp_path / "requirements.txt"
    clean.write_text("requests>=2\n")
    ok = _run(["check", str(clean)])
    assert ok.exit_code == 0 and ok.stdout == "" and "no conflicts" in ok.stderr


def test_cli_bad_input_is_exit_2_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "requirements.txt"
    bad.write_text("requests>=>2\n")
    result = _run(["check", str(bad)])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and f"{bad}:1:" in result.stderr
    assert _run(["check"]).exit_code == 2
    assert _run(["check", "--python", "x", str(bad)]).exit_code == 2


def test_entries_outside_the_projects_python_never_conflict(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.11"\n'
        'dependencies = ["pytest>=8", "idna<3 ; python_version < \'3.8\'"]\n\n'
        '[dependency-groups]\ndev = ["pytest<8 ; python_version < \'3.8\'", "idna>=3"]\n'
    )
    assert _lines(check_paths([pyproject])) == []
    wider = pyproject.read_text().replace(">=3.11", ">=3.7")
    pyproject.write_text(wider)
    assert [l.subject for l in check_paths([pyproject])] == ["pytest", "idna"]


# ------------------------------------------------------------------------------- markers by meaning


@pytest.mark.parametrize(
    ("a", "b", "final", "pre"),
    [
        ('python_version >= "3.8"', 'python_full_version >= "3.8.0"', True, False),  # differ on 3.8.0rc1 only
        ('python_version == "3.8"', 'python_full_version >= "3.8" and python_full_version < "3.9"', True, False),
        ('python_version < "3.10"', 'python_version <= "3.9"', True, True),
        ('python_version < "3.10"', 'python_full_version < "3.10"', True, True),  # <3.10 excludes 3.10.0rc1
        ('python_version > "3"', 'python_version >= "3.1"', True, True),
        ('python_version in "3.8 3.9"', 'python_version == "3.8" or python_version == "3.9"', True, True),
        ('python_version ~= "3.8"', 'python_version >= "3.8" and python_version < "4"', True, True),
        ('"3.8" <= python_version', 'python_version >= "3.8"', True, True),
        ('sys_platform == "win32" or sys_platform == "linux"', 'sys_platform == "linux" or sys_platform == "win32"',
         True, True),
        ('os_name == "nt" and (sys_platform == "win32" or sys_platform == "cygwin")',
         '(os_name == "nt" and sys_platform == "win32") or (sys_platform == "cygwin" and os_name == "nt")', True, True),
        ('sys_platform == "win32" or sys_platform == "win32"', 'sys_platform == "win32"', True, True),
        ('sys_platform != "win32" or python_version >= "3.9"',
         'python_version >= "3.9" or sys_platform == "linux" or sys_platform != "win32"', True, True),
        ('extra == "Foo_Bar"', 'extra == "foo-bar"', True, True),
        ('"Docs" in extras', '"docs" in extras', True, True),
        ('platform_release >= "5"', 'platform_release >= "5"', True, True),  # opaque, same text
        # not equivalent
        ('python_version < "3.10"', 'python_full_version < "3.9.5"', False, False),
        ('sys_platform == "win32"', 'os_name == "nt"', False, False),  # related in reality, not by definition
        ('extra == "a"', 'extra == "b"', False, False),
        ('sys_platform in "linux darwin"', 'sys_platform == "linux" or sys_platform == "darwin"', False, False),
        ('platform_release >= "5"', 'platform_release >= "5.0"', False, False),  # opaque: only text-equal
        ('python_version >= "3.8"', None, False, False),
    ],
)
def test_marker_equivalence(a: str, b: str | None, final: bool, pre: bool) -> None:
    from depglot.check.markers import equivalent

    assert equivalent(a, b) is final
    assert equivalent(b, a) is final
    assert equivalent(a, b, prereleases=True) is pre


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ('python_version >= "3.8"', 'python_full_version < "3.8.0"', True),
        ('sys_platform in "linux darwin"', 'sys_platform == "win32"', True),
        ('sys_platform in "linux darwin"', 'sys_platform == "linux"', False),
        ('python_version in "3.8 3.9"', 'python_version >= "3.10"', True),
        ('python_version in "3.8 3.10"', 'python_version == "3.1"', False),  # "3.1" is a substring of "3.10"
        ('implementation_name == "pypy" and python_version < "3.9"',
         'implementation_name != "pypy" or python_version >= "3.9"', True),
        ('"docs" in extras', '"docs" not in extras', True),
        ('"docs" in extras', '"test" in extras', False),  # a lock installs several extras at once
        ('platform_release >= "5"', 'platform_release < "5"', False),  # not interpreted
        ('sys_platform == "win32" and sys_platform == "linux"', None, True),  # never true at all
    ],
)
def test_marker_disjointness_beyond_equalities(a: str, b: str | None, expected: bool) -> None:
    assert disjoint(a, b) is expected
    assert disjoint(b, a) is expected


def test_invalid_markers_compare_as_text_and_are_never_disjoint() -> None:
    from depglot.check.markers import equivalent

    assert equivalent('python_version >> "3"', ' python_version  >> "3"')
    assert not equivalent('python_version >> "3"', 'python_version > "3"')
    assert not disjoint('python_version >> "3"', 'python_version < "3"')


_PY_FULL = ["2.7.18", "3.0.0", "3.1.0", "3.7.9", "3.8.0", "3.8.1", "3.8.10", "3.9.0", "3.9.5", "3.9.6", "3.10.0",
            "3.10.2", "3.11.0", "3.11.4", "3.12.1", "4.0.0"]
_PY_PRE = ["3.8.0a1", "3.8.0rc1", "3.9.0b2", "3.10.0a1", "3.10.0rc1", "3.11.0rc2"]
_PY_LITERALS = ["2.7", "3", "3.1", "3.8", "3.9", "3.10", "3.8.0", "3.8.1", "3.9.5", "3.10.0rc1", "3.11.*", "3.8 3.9"]
_STRINGS = {"sys_platform": ["win32", "linux", "darwin", "linux darwin"], "os_name": ["nt", "posix"],
            "extra": ["a", "Foo_Bar", "test"], "implementation_name": ["cpython", "pypy"],
            "platform_release": ["5", "5.0", "6.1"]}
_OPS = ["<", "<=", ">", ">=", "==", "!=", "~=", "in", "not in"]


def _random_marker(rng, depth: int = 0) -> str:  # type: ignore[no-untyped-def]
    if depth < 2 and rng.random() < 0.5:
        parts = [_random_marker(rng, depth + 1) for _ in range(rng.randint(2, 3))]
        joined = f" {rng.choice(['and', 'or'])} ".join(parts)
        return f"({joined})"
    var = rng.choice(["python_version", "python_full_version", *_STRINGS])
    literals = _PY_LITERALS if var.startswith("python") else _STRINGS[var]
    op, lit = rng.choice(_OPS), rng.choice(literals)
    if op in ("<", "<=", ">", ">=", "==", "!=") and rng.random() < 0.2:
        return f'"{lit}" {op} {var}'
    return f'{var} {op} "{lit}"'


def _evaluations(marker: str, envs: list[dict[str, str]]) -> list[bool | None]:
    from packaging.markers import Marker, UndefinedComparison

    parsed = Marker(marker)
    out: list[bool | None] = []
    for env in envs:
        try:
            out.append(parsed.evaluate(env))
        except UndefinedComparison:
            out.append(None)
    return out


def _environments(prereleases: bool, rng) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    """Every interpreter version with each string variable random (300 environments)."""
    pythons = _PY_FULL + (_PY_PRE if prereleases else [])
    values = {"sys_platform": ["win32", "linux", "darwin", "cygwin"], "os_name": ["nt", "posix"],
              "extra": ["", "a", "foo-bar"], "implementation_name": ["cpython", "pypy"],
              "platform_release": ["5.0", "6.1", "NT"]}
    return [{"python_full_version": v, "python_version": ".".join(v.split(".")[:2]),
             **{k: rng.choice(vs) for k, vs in values.items()}}
            for i in range(300) for v in [pythons[i % len(pythons)]]]


@pytest.mark.parametrize("prereleases", [False, True])
def test_equivalence_and_disjointness_agree_with_packaging_on_random_markers(prereleases: bool) -> None:
    """Equivalent by the algebra => packaging evaluates both alike on every environment; disjoint => never both.
    Pairs are random markers and rewritings of them (operands swapped, atoms flipped), so both answers occur."""
    import random

    from depglot.check.markers import equivalent

    rng = random.Random(20261126 + prereleases)
    envs = _environments(prereleases, rng)
    said_equivalent = said_disjoint = 0
    for _ in range(500):
        a = _random_marker(rng)
        b = rng.choice([_random_marker(rng), _rewrite(a, rng), f"{a} or {_random_marker(rng)}",
                        f"({a}) and {_random_marker(rng)}"])
        ea, eb = _evaluations(a, envs), _evaluations(b, envs)
        if None in ea or None in eb:
            continue
        if equivalent(a, b, prereleases=prereleases):
            said_equivalent += 1
            assert ea == eb, (a, b)
        if disjoint(a, b, prereleases=prereleases):
            said_disjoint += 1
            assert not any(x and y for x, y in zip(ea, eb, strict=True)), (a, b)
    assert said_equivalent > 80 and said_disjoint > 15, (said_equivalent, said_disjoint)


def _rewrite(marker: str, rng) -> str:  # type: ignore[no-untyped-def]
    """The same meaning spelled differently: 'and'/'or' operands reordered, python_version X.Y bounds spelled on
    python_full_version (final interpreters), quotes and spacing changed."""
    import re

    from packaging.markers import Marker

    text = str(Marker(marker))
    text = re.sub(r'python_version (>=|<) "(\d+\.\d+)"', lambda m: f'python_full_version {m[1]} "{m[2]}.0"', text)
    tree = Marker(text)._markers

    def spell(node) -> str:  # type: ignore[no-untyped-def]
        if isinstance(node, tuple):
            lhs, op, rhs = node
            return f"{lhs.serialize()} {op.serialize()} {rhs.serialize()}".replace('"', "'")
        groups: list[list[str]] = [[]]
        for item in node:
            if item == "or":
                groups.append([])
            elif item != "and":
                groups[-1].append(spell(item))
        for g in groups:
            rng.shuffle(g)
        rng.shuffle(groups)
        return "(" + " or ".join(" and ".join(g) for g in groups) + ")"

    return spell(tree)


def test_check_uses_marker_meaning_across_files(tmp_path: Path) -> None:
    a, b = tmp_path / "requirements.txt", tmp_path / "requirements-dev.txt"
    a.write_text('colorama<0.4 ; sys_platform in "win32 cygwin"\n'
                 'numpy<2 ; python_version < "3.10" and implementation_name == "cpython"\n'
                 'tomli<2 ; python_version < "3.11" and (os_name == "nt" or os_name == "posix")\n')
    b.write_text("colorama>=0.4.6 ; sys_platform == 'linux' or sys_platform == 'darwin'\n"
                 "numpy>=2 ; python_full_version >= '3.9.0'\n"
                 "tomli>=2 ; python_full_version >= '3.11.0'\n")
    assert _lines(check_paths([a, b])) == [
        f"{a}:2:1: error[conflicting-requirements]: 'numpy<2 ; python_version < \"3.10\" and implementation_name == "
        f"\"cpython\"' conflicts with \"numpy>=2 ; python_full_version >= '3.9.0'\" ({b}:2:1) "
        "(requirements.txt and requirements-dev.txt install together): no version satisfies both",
    ]  # colorama: win32/cygwin vs linux/darwin never meet; tomli: <3.11 vs >=3.11.0 never meet
