"""pdm.lock reading: every corpus lock; pins and markers checked against `pdm export` (PDM itself)."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement as PackagingRequirement
from packaging.utils import canonicalize_name

from depglot import api
from depglot.errors import ConversionError, ParseError
from depglot.ir.model import GroupKind, Vcs
from tests.conftest import CORPUS, corpus_params

from .lock_oracle import ENVIRONMENTS, needs_pdm, pdm_export


def _inherit_metadata(path: Path) -> bool:
    return any("groups" in p for p in tomllib.loads(path.read_text(encoding="utf-8")).get("package", []))


@pytest.mark.parametrize("path", corpus_params("pdm_lock"))
def test_every_package_is_read(path: Path) -> None:
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    m = api.load(path, "pdm-lock")
    plain = [p for p in doc["package"] if "extras" not in p]
    assert [(p.name, p.version) for p in m.lock.packages] == [(p["name"], p.get("version")) for p in plain]
    for raw, pkg in zip(plain, m.lock.packages, strict=True):
        assert [f.name for f in pkg.files] == [f.get("file") for f in raw.get("files", [])]
        assert all(h.startswith("sha256:") for f in pkg.files for h in f.hashes)
        assert pkg.marker == raw.get("marker")
    codes = [loss.code for loss in m.losses]
    if _inherit_metadata(path):
        assert codes == []
    else:
        assert "lock-markers-unknown" in codes or not any(p.get("dependencies") for p in plain)


def _oracle_params() -> list:
    """Locks pdm can export (with inherit_metadata); the others are covered by lock-markers-unknown above."""
    return [p for p in corpus_params("pdm_lock") if p.values[0] is None or _inherit_metadata(p.values[0])]


@needs_pdm
@pytest.mark.parametrize("path", _oracle_params())
@pytest.mark.parametrize("selection", ["prod", "all"])
def test_pins_and_markers_agree_with_pdm_export(path: Path, selection: str, tmp_path: Path) -> None:
    flags = ["--prod"] if selection == "prod" else ["-G", ":all"]
    out = pdm_export(path, tmp_path, *flags)
    theirs = [PackagingRequirement(line) for line in out.splitlines() if line and not line.startswith(("#", "-"))]
    m = api.load(path, "pdm-lock")
    groups = [g for g in m.groups if selection == "all" or g.kind is GroupKind.MAIN]
    ours = [r for g in groups for r in g.requirements]
    for env in ENVIRONMENTS:
        a = {(canonicalize_name(r.name), str(r.specifier) or r.url) for r in theirs
             if r.marker is None or r.marker.evaluate(env)}
        b = {(canonicalize_name(r.name), r.version.raw if r.version else None) for r in ours
             if r.marker is None or Marker(r.marker).evaluate(env)}
        assert {x for x in a if x[1] and x[1].startswith("==")} == {x for x in b if x[1]}, env


def test_groups_use_the_pyproject_beside(tmp_path: Path) -> None:
    lock = CORPUS / "pdm_lock" / "2e0byo__littoral__pdm.lock"
    pyproject = CORPUS / "pdm_pyproject" / "2e0byo__littoral__pyproject.toml"
    if not lock.exists():
        pytest.skip("shared corpus not found")
    shutil.copy(lock, tmp_path / "pdm.lock")
    alone = api.load(tmp_path / "pdm.lock", "pdm-lock")
    assert {g.name: g.kind for g in alone.groups}["testing"] is GroupKind.GROUP
    shutil.copy(pyproject, tmp_path / "pyproject.toml")
    m = api.load(tmp_path / "pdm.lock", "pdm-lock")
    assert {g.name: g.kind for g in m.groups} == {"main": GroupKind.MAIN, "httpx": GroupKind.GROUP,
                                                 "dev": GroupKind.GROUP, "testing": GroupKind.EXTRA}
    atomic = next(r for r in m.group("dev").requirements if r.name == "atomicwrites")
    assert atomic.marker == 'sys_platform == "win32"' and atomic.version.raw == "==1.4.1"


def test_git_source_and_no_pylock_without_urls() -> None:
    path = CORPUS / "pdm_lock" / "00sapo__SwinDocSegmenter-tests__pdm.lock"
    if not path.exists():
        pytest.skip("shared corpus not found")
    m = api.load(path, "pdm-lock")
    det = next(p for p in m.lock.packages if p.name == "detectron2")
    assert det.source == Vcs(vcs="git", url="https://github.com/facebookresearch/detectron2.git",
                             rev="e9f7e2ba15abd7badcb05ef6f5076f06b36a9c5b", rev_kind="rev")
    with pytest.raises(ConversionError):
        api.dumps(m, "pylock")  # names and hashes only: never an invalid lock


def test_bad_lock() -> None:
    with pytest.raises(ParseError):
        api.loads('[[package]]\nname = "a"\n', "pdm-lock", path="pdm.lock")
    with pytest.raises(ParseError) as exc:
        api.loads('[metadata]\nlock_version = "3.0"\n', "pdm-lock", path="pdm.lock")
    assert exc.value.span.line == 2
