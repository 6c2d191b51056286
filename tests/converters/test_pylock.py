"""pylock.toml (PEP 751): read, write from uv.lock (checked against `uv export --format pylock.toml`), refusals."""

from __future__ import annotations

import dataclasses
import os
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.pylock import Pylock

from depglot import api
from depglot.api import Selection
from depglot.dialects.pep508 import parse_requirement
from depglot.errors import ConversionError, ParseError
from depglot.ir.model import Group, LocalPath, Lock, LockedPackage, LockFile, Manifest, Url, Vcs
from tests.conftest import CORPUS, corpus_params

from .lock_oracle import ENVIRONMENTS, needs_uv, uv_export, uv_project


def nospan(x):
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return dataclasses.replace(x, **{f.name: None if f.name == "span" else nospan(getattr(x, f.name))
                                         for f in dataclasses.fields(x) if f.name != "losses"})
    if isinstance(x, tuple):
        return tuple(nospan(v) for v in x)
    return x


@pytest.mark.parametrize("path", corpus_params("pylock"))
def test_corpus_base_identity_and_fresh_read_back(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    m = api.loads(text, "pylock", path=str(path))
    assert api.dumps(m, "pylock", base=text).text == text
    fresh = api.dumps(m, "pylock")
    Pylock.from_dict(tomllib.loads(fresh.text))  # valid PEP 751
    again = api.loads(fresh.text, "pylock")
    assert nospan(again.groups) == nospan(m.groups)
    assert nospan(again.lock.packages) == nospan(m.lock.packages)
    assert fresh.report.codes() == []


@pytest.mark.parametrize("path", corpus_params("pylock"))
def test_corpus_read_matches_packaging(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    oracle = Pylock.from_dict(tomllib.loads(text))
    m = api.loads(text, "pylock")
    assert [(p.name, p.version) for p in m.lock.packages] == [(p.name, str(p.version)) for p in oracle.packages]
    for ours, theirs in zip(m.lock.packages, oracle.packages, strict=True):
        assert [f.url for f in ours.files] == [w.url for w in theirs.wheels or []] + (
            [theirs.sdist.url] if theirs.sdist else [])
        assert [f.hashes for f in ours.files] == [tuple(f"{k}:{v}" for k, v in w.hashes.items())
                                                  for w in theirs.wheels or []]
    assert [r.version.raw for r in m.main.requirements] == [f"=={p.version}" for p in oracle.packages]


def _packages_for(doc: dict, env: dict) -> dict[tuple[str, str | None], set[str]]:
    out = {}
    for p in doc["packages"]:
        if "marker" in p and not Marker(p["marker"]).evaluate(env):
            continue
        files = [p["sdist"]] if "sdist" in p else []
        files += p.get("wheels", [])
        out[p["name"], p.get("version")] = {f"{k}:{v}" for f in files for k, v in f["hashes"].items()}
    return out


@needs_uv
@pytest.mark.parametrize("path", corpus_params("uv_lock"))
def test_uv_lock_to_pylock_agrees_with_uv(path: Path, tmp_path: Path) -> None:
    theirs = tomllib.loads(uv_export(uv_project(path, tmp_path), "--format", "pylock.toml", "--all-extras",
                                     "--all-groups", "--no-emit-project"))
    out = api.dumps(api.load(path, "uv-lock"), "pylock", selection=Selection(all_groups=True, all_extras=True))
    ours = tomllib.loads(out.text)
    Pylock.from_dict(ours)
    assert "pylock-needs-file-urls" not in out.report.codes()
    assert ours.get("environments") == theirs.get("environments")
    assert ours.get("requires-python") == theirs.get("requires-python")
    editable_theirs = {p["directory"]["path"] for p in theirs["packages"] if "directory" in p}
    editable_ours = {p["directory"]["path"] for p in ours["packages"] if "directory" in p}
    assert {os.path.normpath(p) for p in editable_ours} == {os.path.normpath(p) for p in editable_theirs}
    for env in ENVIRONMENTS:
        a = {k: v for k, v in _packages_for(theirs, env).items() if k[1] is not None}
        b = {k: v for k, v in _packages_for(ours, env).items() if k[1] is not None}
        assert a == b, env


def _hash_only_manifest() -> Manifest:
    pkg = LockedPackage(name="requests", version="2.32.3", files=(LockFile(hashes=("sha256:" + "a" * 64,)),))
    req = parse_requirement("requests==2.32.3").replace(hashes=("sha256:" + "a" * 64,))
    return Manifest(format="poetry-lock", groups=(Group(name="main", requirements=(req,)),),
                    lock=Lock(packages=(pkg,)))


def test_hash_only_lock_is_refused() -> None:
    with pytest.raises(ConversionError):
        api.dumps(_hash_only_manifest(), "pylock")
    # The report says why, with the code the catalogue documents.
    from depglot.converters.pylock.writer import render_pylock
    from depglot.report import Report

    report = Report()
    with pytest.raises(ConversionError):
        render_pylock(_hash_only_manifest(), report)
    assert report.codes() == ["pylock-needs-file-urls"]


def test_requirements_with_direct_urls_write_a_valid_lock() -> None:
    sha = "b" * 64
    commit = "c" * 40
    reqs = (
        parse_requirement("pkg @ https://example.com/pkg-1.0.tar.gz").replace(hashes=(f"sha256:{sha}",)),
        parse_requirement(f"lib @ git+https://github.com/org/lib@{commit}"),
        parse_requirement("local @ file:///srv/local"),
    )
    m = Manifest(format="requirements", groups=(Group(name="main", requirements=reqs),))
    out = api.dumps(m, "pylock")
    doc = tomllib.loads(out.text)
    Pylock.from_dict(doc)
    assert doc["packages"][0]["archive"] == {"url": "https://example.com/pkg-1.0.tar.gz", "hashes": {"sha256": sha}}
    assert doc["packages"][1]["vcs"] == {"type": "git", "url": "https://github.com/org/lib", "commit-id": commit}
    assert doc["packages"][2]["directory"] == {"path": "/srv/local"}
    back = api.loads(out.text, "pylock")
    assert [type(r.source) for r in back.main.requirements] == [Url, Vcs, LocalPath]


def test_unpinned_and_branch_references_are_refused() -> None:
    from depglot.converters.pylock.writer import render_pylock
    from depglot.report import Report

    for line, code in (("requests>=2", "pylock-not-pinned"), ("lib @ git+https://x.example/lib@main",
                                                              "pylock-needs-file-urls")):
        m = Manifest(format="requirements", groups=(Group(name="main", requirements=(parse_requirement(line),)),))
        report = Report()
        with pytest.raises(ConversionError):
            render_pylock(m, report)
        assert report.codes() == [code]


def test_invalid_pylock_has_key_path_and_line() -> None:
    text = 'lock-version = "1.0"\ncreated-by = "x"\n\n[[packages]]\nname = "a"\nversion = "1"\n'
    with pytest.raises(ParseError) as exc:
        api.loads(text, "pylock", path="pylock.toml")
    assert exc.value.span.key == "packages[0]" and exc.value.span.line == 4
    with pytest.raises(ParseError) as exc:
        api.loads('lock-version = "2.0"\ncreated-by = "x"\npackages = []\n', "pylock", path="pylock.toml")
    assert exc.value.span.line == 1


def test_detect() -> None:
    from depglot.converters.pylock import PylockFormat

    assert PylockFormat().detect("pylock.toml", 'lock-version = "1.0"\n[[packages]]\n') == 40
    if (CORPUS / "pylock").is_dir():
        path = next((CORPUS / "pylock").iterdir())
        assert api.load(path).format == "pylock"


def test_deeply_nested_toml_is_a_located_error() -> None:
    # found by tests/test_fuzz.py: tomllib raised RecursionError on a few thousand nested '['
    text = 'lock-version = "1.0"\ncreated-by = "x"\npackages = ' + "[" * 3000 + "\n"
    with pytest.raises(ParseError) as exc:
        api.loads(text, "pylock", path="pylock.toml")
    assert exc.value.span.line == 1 and "nested too deeply" in exc.value.one_line()
