"""Installed distributions of a site directory: ``*.dist-info`` and ``*.egg-info`` records.

Each record is read from its files alone (``METADATA``/``PKG-INFO``, ``requires.txt``, ``direct_url.json``,
``INSTALLER``). A broken record (missing or unreadable metadata, no name or version, invalid
``direct_url.json``) becomes a problem with its path; the scan goes on.
"""

from __future__ import annotations

import os
from pathlib import Path

from .._records import record
from ..ir.model import Source, canonical_name
from ..report import Loss, Severity
from ..span import Span
from .direct_url import parse_direct_url
from .metadata import parse_metadata, parse_requires_txt

__all__ = ["InstalledDist", "read_dist", "scan_site"]


@record
class InstalledDist:
    """One installed distribution found on a path (its ``.dist-info``/``.egg-info``)."""

    name: str
    version: str
    path: str  # the .dist-info / .egg-info directory (or PKG-INFO file)
    requires_dist: tuple[str, ...] = ()
    requires_python: str | None = None
    provides_extra: tuple[str, ...] = ()
    installer: str | None = None  # INSTALLER file: pip, uv, conda, ...
    requested: bool | None = None  # REQUESTED file present (None: egg-info, unknown)
    source: Source | None = None  # from direct_url.json
    url: str | None = None
    editable: bool = False
    hashes: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return canonical_name(self.name)


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8", errors="surrogateescape")
    except OSError:
        return None


def _problem(code: str, message: str, path: Path) -> Loss:
    # loss-code: env-broken-dist
    # loss-code: env-unreadable
    return Loss(code=code, severity=Severity.WARNING, message=message, subject=path.name,
                span=Span(file=os.fspath(path)), data={"path": os.fspath(path)})


def read_dist(path: Path) -> InstalledDist | Loss:
    """One ``.dist-info``/``.egg-info`` record, or a problem (``env-broken-dist``) naming the path."""
    if path.suffix == ".dist-info":
        meta_path = path / "METADATA"
    elif path.is_dir():
        meta_path = path / "PKG-INFO"
    else:  # a bare PKG-INFO file named like an egg-info directory (distutils installs)
        meta_path = path
    text = _read(meta_path)
    if text is None:
        return _problem("env-broken-dist", f"cannot read {meta_path.name} of {path.name}; skipped", meta_path)
    meta = parse_metadata(text)
    if meta is None:
        return _problem("env-broken-dist", f"{meta_path.name} of {path.name} has no Name or Version; skipped", meta_path)
    requires = meta.requires_dist
    if path.suffix == ".egg-info" and path.is_dir() and not requires:
        req_text = _read(path / "requires.txt")
        if req_text is not None:
            requires = parse_requires_txt(req_text)
    installer = None
    requested = None
    source = None
    url = None
    editable = False
    hashes: tuple[str, ...] = ()
    if path.suffix == ".dist-info":
        inst = _read(path / "INSTALLER")
        installer = inst.strip() or None if inst is not None else None
        requested = (path / "REQUESTED").exists()
        du_path = path / "direct_url.json"
        if du_path.exists():
            du_text = _read(du_path)
            try:
                if du_text is None:
                    raise ValueError("unreadable")
                direct = parse_direct_url(du_text)
            except ValueError as exc:
                return _problem("env-broken-dist", f"direct_url.json of {path.name} is invalid ({exc}); skipped", du_path)
            source, url, editable, hashes = direct.source, direct.url, direct.editable, direct.hashes
    return InstalledDist(
        name=meta.name,
        version=meta.version,
        path=os.fspath(path),
        requires_dist=requires,
        requires_python=meta.requires_python,
        provides_extra=meta.provides_extra,
        installer=installer,
        requested=requested,
        source=source,
        url=url,
        editable=editable,
        hashes=hashes,
    )


def scan_site(site: str) -> tuple[list[InstalledDist], list[Loss]]:
    """Every distribution recorded in one site directory, sorted by name; problems alongside."""
    dists: list[InstalledDist] = []
    problems: list[Loss] = []
    root = Path(site)
    try:
        entries = sorted(root.iterdir())
    except OSError as exc:
        problems.append(_problem("env-unreadable", f"cannot list {site}: {exc.strerror or exc}", root))
        return dists, problems
    for entry in entries:
        if entry.suffix not in (".dist-info", ".egg-info"):
            continue
        got = read_dist(entry)
        if isinstance(got, Loss):
            problems.append(got)
        else:
            dists.append(got)
    return dists, problems
