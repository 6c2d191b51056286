"""uv.lock reading: every corpus lock, checked against `uv export --frozen` (uv itself) per environment."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement as PackagingRequirement

from depglot import api
from depglot.dialects.pep508 import render_source
from depglot.errors import ParseError
from depglot.ir.model import GroupKind, IndexRef, LocalPath, Url, Vcs
from tests.conftest import corpus_params

from .lock_oracle import ENVIRONMENTS, needs_uv, uv_export, uv_project


def _uv_export(lock: Path, tmp: Path, *flags: str) -> list[str]:
    out = uv_export(uv_project(lock, tmp), "--no-header", "--no-annotate", "--no-emit-project", *flags)
    # Join hash continuation lines.
    return [line for line in out.replace(" \\\n", " ").splitlines() if line.strip()]


def _ident(req) -> tuple[str, str]:
    if req.version is not None:
        return req.key, req.version.raw
    return req.key, render_source(req.source) or ""


@needs_uv
@pytest.mark.parametrize("path", corpus_params("uv_lock"))
@pytest.mark.parametrize("selection", ["main", "all"])
def test_pins_markers_and_hashes_agree_with_uv_export(path: Path, selection: str, tmp_path: Path) -> None:
    flags = ("--no-dev",) if selection == "main" else ("--all-extras", "--all-groups")
    lines = _uv_export(path, tmp_path, *flags)
    theirs = []
    editables_theirs = set()
    for line in lines:
        if line.startswith("-e "):
            editables_theirs.add(os.path.normpath(line[3:]))
            continue
        spec, _, rest = line.partition(" --hash=")
        hashes = {h.strip() for h in ("--hash=" + rest).split("--hash=") if h.strip()} if rest else set()
        theirs.append((PackagingRequirement(spec), hashes))
    m = api.load(path, "uv-lock")
    groups = [g for g in m.groups if selection == "all" or g.kind is GroupKind.MAIN]
    ours = [r for g in groups for r in g.requirements]
    assert {os.path.normpath(r.source.path) for r in ours if r.editable} == editables_theirs
    for env in ENVIRONMENTS:
        a = {(pr.name, str(pr.specifier) or pr.url.removeprefix("git+") if pr.url else str(pr.specifier)): h
             for pr, h in theirs if pr.marker is None or pr.marker.evaluate(env)}
        a = {(canon(k[0]), k[1]): v for k, v in a.items()}
        b = {}
        for r in ours:
            if r.editable or (r.marker and not Marker(r.marker).evaluate(env)):
                continue
            name, pin = _ident(r)
            b[name, pin.removeprefix("git+")] = set(r.hashes)
        assert set(a) == set(b), env
        assert a == b  # the same hashes for every pin


def canon(name: str) -> str:
    from packaging.utils import canonicalize_name

    return canonicalize_name(name)


@pytest.mark.parametrize("path", corpus_params("uv_lock"))
def test_every_package_and_file_is_read(path: Path) -> None:
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    m = api.load(path, "uv-lock")
    assert m.format == "uv-lock" and m.lock is not None and m.lock.version == "1"
    assert len(m.lock.packages) == len(doc["package"])
    for raw_pkg, pkg in zip(doc["package"], m.lock.packages, strict=True):
        assert pkg.name == raw_pkg["name"] and pkg.version == raw_pkg.get("version")
        n_files = ("sdist" in raw_pkg) + len(raw_pkg.get("wheels", []))
        assert len(pkg.files) == n_files
        for f in pkg.files:
            assert (f.url or f.path) and f.name
            assert all(h.startswith("sha256:") for h in f.hashes)
        assert pkg.span is not None and pkg.span.line is not None
    assert str(m.python.raw) == doc["requires-python"]


def test_sources_git_url_index_and_workspace_members() -> None:
    from tests.conftest import CORPUS

    rasp = CORPUS / "uv_lock" / "HafiziRuslan__RasPiAPRS__uv.lock"
    cs336 = CORPUS / "uv_lock" / "Irvingouj__stanford-cs336__answers__assignment5-alignment__uv.lock"
    cable = CORPUS / "uv_lock" / "konstin__uv-workspace-example-cable__uv.lock"
    if not rasp.exists():
        pytest.skip("shared corpus not found")
    m = api.load(rasp, "uv-lock")
    aprs = next(p for p in m.lock.packages if p.name == "aprslib")
    assert aprs.source == Vcs(vcs="git", url="https://github.com/rossengeorgiev/aprs-python",
                              rev="c2a0f18ce028a4cced582567a73d57f0d03cd00f", rev_kind="rev")
    assert m.project.name == "raspiaprs"
    m = api.load(cs336, "uv-lock")
    flash = next(p for p in m.lock.packages if p.name == "flash-attn")
    assert isinstance(flash.source, Url) and flash.files[0].kind == "wheel"
    torch = [r for r in m.group("gpu").requirements if r.name == "torch"]
    assert {(r.version.raw, r.source) for r in torch} >= {("==2.10.0+cu129", IndexRef(name="download-pytorch-org"))}
    assert [(ix.name, ix.url) for ix in m.indexes] == [("download-pytorch-org", "https://download.pytorch.org/whl/cu129")]
    m = api.load(cable, "uv-lock")
    cli = m.group("cli")
    assert [(r.name, r.source, r.editable) for r in cli.requirements] == [
        ("cable-cli", LocalPath(path="packages/cable-cli"), True),
        ("cable-core", LocalPath(path="packages/cable-core"), True),
    ]


def test_lock_to_hashed_requirements_keeps_pins_hashes_markers() -> None:
    from tests.conftest import CORPUS

    path = CORPUS / "uv_lock" / "mkniewallner__migrate-to-uv__uv.lock"
    if not path.exists():
        pytest.skip("shared corpus not found")
    from depglot.api import Selection

    out = api.dumps(api.load(path, "uv-lock"), "requirements", selection=Selection(all_groups=True))
    text = out.text
    assert "zensical==0.0.36" in text
    assert "python_full_version >= '3.10'" in text
    assert "--hash=sha256:" in text


def test_bad_lock_errors() -> None:
    with pytest.raises(ParseError) as exc:
        api.loads('version = 2\n', "uv-lock", path="uv.lock")
    assert exc.value.span.line == 1
    with pytest.raises(ParseError) as exc:
        api.loads('version = 1\n[[package]]\nname = "a"\ndependencies = [{ name = "b" }]\n', "uv-lock")
    assert "'b'" in exc.value.message and exc.value.span.key.startswith("package[0]")
