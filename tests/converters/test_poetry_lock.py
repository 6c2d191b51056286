"""poetry.lock (1.1 / 2.0 / 2.1): pins, hashes, sources, groups and markers.

Oracle for the graph walk: Poetry 2.1 itself wrote ``groups`` and ``markers`` into rich's lock; the same lock with
them removed (lock 2.0) plus the pyproject beside it must give the same groups and markers that admit the same
environments.
"""

from __future__ import annotations

import itertools
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker

try:
    from conftest import CORPUS, FIXTURES, corpus_params
except ImportError:  # tests/ is a package (tests/__init__.py present)
    from tests.conftest import CORPUS, FIXTURES, corpus_params
from depglot import api, registry
from depglot.errors import ParseError
from depglot.ir.model import GroupKind, IndexRef, LocalPath, Vcs

FIX = FIXTURES / "poetry_lock"
RICH = CORPUS / "poetry_lock" / "Textualize__rich__poetry.lock"


def read(path: Path, *, with_path: bool = True):
    return api.loads(path.read_text(encoding="utf-8"), "poetry-lock", path=str(path) if with_path else None)


@pytest.mark.parametrize("path", corpus_params("poetry_lock"))
def test_corpus_locks_read_every_package(path: Path) -> None:
    m = read(path)
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    assert [p.name for p in m.lock.packages] == [p["name"] for p in doc["package"]]
    assert [p.version for p in m.lock.packages] == [p["version"] for p in doc["package"]]
    assert m.lock.version == doc["metadata"]["lock-version"]
    files = doc["metadata"].get("files", {})
    for lp, raw in zip(m.lock.packages, doc["package"], strict=True):
        expected = [f["hash"] for f in raw.get("files", files.get(raw["name"], []))]
        assert list(lp.hashes) == expected
    placed = {r.key for g in m.groups for r in g.requirements}
    assert placed == {p.key for p in m.lock.packages}
    for g in m.groups:
        for r in g.requirements:
            if r.version is not None:
                assert r.version.pep440 == f"=={next(p.version for p in m.lock.packages if p.key == r.key)}"


def test_lock21_groups_markers_and_extras() -> None:
    if not RICH.is_file():
        pytest.skip(f"corpus lock missing: {RICH}")
    m = read(RICH)
    assert m.losses == ()
    assert [(g.name, g.kind) for g in m.groups] == [
        ("main", GroupKind.MAIN), ("dev", GroupKind.GROUP), ("jupyter", GroupKind.EXTRA)]
    jupyter = {r.name: r for r in m.group("jupyter").requirements}
    # `extra == "jupyter" and sys_platform == "darwin"` -> extra jupyter, marker without the extra clause
    assert jupyter["appnope"].marker == 'sys_platform == "darwin"'
    assert jupyter["colorama"].marker == 'sys_platform == "win32"'
    dev = {r.name: r for r in m.group("dev").requirements}
    assert dev["colorama"].marker == 'sys_platform == "win32" or platform_system == "Windows"'
    assert m.python.raw == ">=3.8.0"
    assert len(dev["black"].hashes) == 12


ENVIRONMENTS = [
    {"python_version": pv, "python_full_version": fv, "sys_platform": sp, "platform_system": ps,
     "platform_python_implementation": impl, "implementation_name": impl.lower(), "os_name": os_name}
    for (pv, fv), (sp, ps, os_name), impl in itertools.product(
        [("3.8", "3.8.10"), ("3.9", "3.9.0"), ("3.10", "3.10.2"), ("3.11", "3.11.0a6"), ("3.11", "3.11.4"),
         ("3.12", "3.12.1"), ("3.13", "3.13.0")],
        [("linux", "Linux", "posix"), ("win32", "Windows", "nt"), ("darwin", "Darwin", "posix"),
         ("cygwin", "CYGWIN_NT", "posix")],
        ["CPython", "PyPy"],
    )
]


def _admits(marker: str | None) -> list[bool]:
    if marker is None:
        return [True] * len(ENVIRONMENTS)
    m = Marker(marker)
    return [m.evaluate(dict(env, extra="")) for env in ENVIRONMENTS]


def test_lock20_walk_agrees_with_poetry_21_markers() -> None:
    if not RICH.is_file():
        pytest.skip(f"corpus lock missing: {RICH}")
    expected = read(RICH)
    got = read(FIX / "lock20" / "poetry.lock")
    assert got.lock.version == "2.0" and got.losses == ()

    def view(m):
        return {(g.kind, g.name): {r.key: _admits(r.marker) for r in g.requirements} for g in m.groups}

    assert view(got) == view(expected)


def test_lock20_without_pyproject_reports_groups_unknown() -> None:
    m = read(FIX / "lock20" / "poetry.lock", with_path=False)
    assert [loss.code for loss in m.losses] == ["lock-groups-unknown"]
    assert [g.name for g in m.groups] == ["main"]
    assert m.losses[0].span.line is not None


def test_lock11_categories_hashes_and_walk() -> None:
    m = read(FIX / "lock11" / "poetry.lock")
    assert m.lock.version == "1.1" and m.losses == ()
    assert [g.name for g in m.groups] == ["main"]
    reqs = {r.name: r for r in m.main.requirements}
    assert len(reqs) == 33
    assert reqs["win32-setctime"].marker == 'sys_platform == "win32"'
    assert reqs["zipp"].marker == 'python_version < "3.8"'
    assert reqs["nonebot2"].source == LocalPath(path="../..") and reqs["nonebot2"].version is None
    files = tomllib.loads((FIX / "lock11" / "poetry.lock").read_text())["metadata"]["files"]["anyio"]
    assert reqs["anyio"].hashes == tuple(f["hash"] for f in files) and len(files) == 2
    bare = read(FIX / "lock11" / "poetry.lock", with_path=False)
    assert [loss.code for loss in bare.losses] == ["lock-markers-unknown"]
    assert all(r.marker is None for r in bare.main.requirements)


def test_sources_git_legacy_directory() -> None:
    text = """\
[[package]]
name = "private"
version = "1.0"
description = ""
optional = false
python-versions = "*"
groups = ["main"]
files = [{file = "private-1.0.tar.gz", hash = "sha256:aa"}]

[package.source]
type = "legacy"
url = "https://pypi.example.org/simple"
reference = "example"

[[package]]
name = "gitdep"
version = "0.3"
description = ""
optional = false
python-versions = "*"
groups = ["dev"]
markers = {dev = "sys_platform == \\"linux\\""}
files = []
develop = true

[package.source]
type = "git"
url = "https://github.com/o/gitdep.git"
reference = "main"
resolved_reference = "0123456789abcdef"
subdirectory = "pkg"

[metadata]
lock-version = "2.1"
python-versions = "^3.10"
content-hash = "x"
"""
    m = api.loads(text, "poetry-lock", path="poetry.lock")
    private = m.main.requirements[0]
    assert private.source == IndexRef(name="example") and private.hashes == ("sha256:aa",)
    assert m.indexes[0].url == "https://pypi.example.org/simple"
    git = m.group("dev").requirements[0]
    assert git.source == Vcs(vcs="git", url="https://github.com/o/gitdep.git", rev="0123456789abcdef",
                             rev_kind="rev", subdirectory="pkg")
    assert git.marker == 'sys_platform == "linux"' and git.editable
    assert m.lock.packages[0].index == "https://pypi.example.org/simple"


def test_bad_lock_is_a_parse_error_with_line() -> None:
    with pytest.raises(ParseError) as err:
        api.loads('[[package]]\nname = "x"\n\n[metadata]\nlock-version = "2.1"\n', "poetry-lock", path="poetry.lock")
    assert err.value.span.line == 1 and "needs a name and a version" in err.value.message
    with pytest.raises(ParseError) as err:
        api.loads("[[package]\n", "poetry-lock", path="poetry.lock")
    assert err.value.span.line == 1


def test_detect_and_cannot_write() -> None:
    assert registry.detect("poetry.lock", RICH.read_text()[:8192] if RICH.is_file() else "").name == "poetry-lock"
    assert registry.detect("some.lock", (FIX / "lock11" / "poetry.lock").read_text()[:8192]).name == "poetry-lock"
    assert registry.get("poetry-lock").can_write is False


def test_lock_to_requirements_keeps_pins_hashes_and_markers() -> None:
    m = read(FIX / "lock11" / "poetry.lock")
    text = api.dumps(m, "requirements").text
    assert "win32-setctime==" in text and 'sys_platform == "win32"' in text
    assert "--hash=sha256:" in text


def test_lock_to_pipfile_lock_keeps_pins_and_hashes() -> None:
    import json

    m = read(FIX / "lock11" / "poetry.lock")
    data = json.loads(api.dumps(m, "pipfile-lock").text)
    files = tomllib.loads((FIX / "lock11" / "poetry.lock").read_text())["metadata"]["files"]
    assert data["default"]["anyio"]["version"] == "==3.3.4"
    assert sorted(data["default"]["anyio"]["hashes"]) == sorted(f["hash"] for f in files["anyio"])
    assert data["default"]["win32-setctime"]["markers"].replace("'", '"') == 'sys_platform == "win32"'
