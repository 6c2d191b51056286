"""Reading pdm.lock (lock_version 4.x): packages, hashes, sources, groups and markers.

Each ``[[package]]`` becomes a LockedPackage (files: names and hashes, URLs when ``static_urls`` recorded them;
``git``/``revision``, ``path``/``editable``, ``url`` sources) and an ``==`` pin in every group that lists it
(``groups``, written by the ``inherit_metadata`` strategy, with the package ``marker``). ``default`` is the main
group; other groups are extras when the pyproject.toml beside the lock lists them in
``[project.optional-dependencies]``, else dependency groups. A lock that records no per-package groups puts
everything in ``main`` and says so (``lock-groups-unknown``). Entries that only add an extra to a package
(``extras = [...]``) carry dependencies, not files: they become that package's ``extras``.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from typing import Any

from ...edit.tomlspan import TomlLocator, load_toml
from ...errors import ParseError, unexpected_structure
from ...format import ReadOptions
from ...ir.model import (
    MAIN,
    Group,
    GroupKind,
    LocalPath,
    Lock,
    LockedPackage,
    LockFile,
    Manifest,
    Raw,
    Requirement,
    Source,
    Url,
    Vcs,
    canonical_name,
)
from ...ir.versions import VersionSpec
from ...report import Report, Severity
from ...span import Span

__all__ = ["read_pdm_lock"]



def _bad(loc: TomlLocator, message: str, *path: str | int) -> ParseError:
    span = loc.span(*path)
    return ParseError(message, span=span, source_line=loc.line_text(span.line or 0) or None, dialect="pdm-lock")


def _source(pkg: dict[str, Any]) -> tuple[Source | None, bool]:
    if "git" in pkg:
        rev = pkg.get("revision") or pkg.get("ref")
        return Vcs(vcs="git", url=pkg["git"], rev=rev, rev_kind="rev" if pkg.get("revision") else None,
                   subdirectory=pkg.get("subdirectory")), False
    if "path" in pkg:
        return LocalPath(path=pkg["path"], subdirectory=pkg.get("subdirectory")), bool(pkg.get("editable"))
    if "url" in pkg:
        return Url(url=pkg["url"], subdirectory=pkg.get("subdirectory")), False
    return None, False


def _files(pkg: dict[str, Any]) -> tuple[LockFile, ...]:
    out = []
    for f in pkg.get("files", []):
        name = f.get("file")
        url = f.get("url")
        if name is None and url:
            name = os.path.basename(url.split("#", 1)[0])
        kind = "wheel" if name and name.endswith(".whl") else "sdist" if name else None
        out.append(LockFile(name=name, url=url, hashes=(f["hash"],) if f.get("hash") else (), kind=kind))
    return tuple(out)


def _extras_beside(path: str | None) -> set[str] | None:
    """Names of the optional-dependencies in the pyproject.toml beside the lock (None when there is none)."""
    if path is None:
        return None
    pyproject = os.path.join(os.path.dirname(os.path.abspath(path)), "pyproject.toml")
    try:
        with open(pyproject, "rb") as fh:
            doc = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return {canonical_name(k) for k in (doc.get("project", {}).get("optional-dependencies") or {})}


def read_pdm_lock(text: str, options: ReadOptions) -> Manifest:
    """Read a pdm.lock; a value of the wrong type anywhere is a ParseError, never a traceback."""
    try:
        return _read_pdm_lock(text, options)
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        raise unexpected_structure("pdm.lock", options.path, "pdm-lock", exc) from None


def _read_pdm_lock(text: str, options: ReadOptions) -> Manifest:
    file = options.path
    doc = load_toml(text, file, "pdm-lock")
    loc = TomlLocator(text.removeprefix("\ufeff"), file)
    report = Report()
    meta = doc.get("metadata")
    if not isinstance(meta, dict) or "lock_version" not in meta:
        raise _bad(loc, "not a pdm.lock: no [metadata] lock_version")
    if not str(meta["lock_version"]).startswith("4."):
        raise _bad(loc, f"pdm.lock version {meta['lock_version']!r} is not supported (4.x)", "metadata", "lock_version")
    lock_groups = list(meta.get("groups") or ["default"])
    packages = _package_tables(doc.get("package") or [], loc)
    has_groups = any("groups" in p for p in packages)
    if not has_groups and len(lock_groups) > 1:
        report.add("lock-groups-unknown", Severity.WARNING,
                   f"this pdm.lock records no per-package groups (strategy without inherit_metadata); all "
                   f"packages are put in 'main' (groups: {', '.join(lock_groups)})",
                   subject="groups", span=loc.span("metadata", "groups"))
    if not has_groups and not any("marker" in p for p in packages) and any(p.get("dependencies") for p in packages):
        report.add("lock-markers-unknown", Severity.WARNING,
                   "this pdm.lock records no per-package markers (strategy without inherit_metadata); packages "
                   "needed only on some platforms are pinned for every platform",
                   subject="markers", span=loc.span("metadata"))
    extras_beside = _extras_beside(file)

    locked: dict[tuple[str, str | None], LockedPackage] = {}
    order: list[tuple[str, str | None]] = []
    members: dict[str, list[Requirement]] = {g: [] for g in lock_groups}
    members.setdefault("default", [])
    for i, pkg in enumerate(packages):
        key = (canonical_name(pkg["name"]), pkg.get("version"))
        span = loc.span("package", i)
        if "extras" in pkg:
            base = locked.get(key)
            if base is not None:
                locked[key] = dataclasses.replace(base, extras=(*base.extras, *pkg["extras"]))
            continue
        src, editable = _source(pkg)
        files = _files(pkg)
        groups = tuple(pkg.get("groups") or (["default"] if not has_groups else []))
        raw = tuple(Raw(format="pdm-lock", key=k, value=pkg[k]) for k in ("summary",) if k in pkg)
        locked[key] = LockedPackage(
            name=pkg["name"], version=pkg.get("version"), marker=pkg.get("marker"), source=src,
            files=files, groups=tuple(MAIN if g == "default" else g for g in groups),
            requires_python=pkg.get("requires_python"),
            dependencies=tuple(dict.fromkeys(canonical_name(re.split(r"[\s\[<>=!~;@(]", d, 1)[0])
                                             for d in pkg.get("dependencies", []))),
            raw=raw + ((Raw(format="pdm-lock", key="editable", value=True),) if editable else ()),
            span=span,
        )
        order.append(key)
        version = pkg.get("version")
        pin = _pin_spec(version, loc, i) if version and src is None else None
        req = Requirement(name=pkg["name"], version=pin, marker=pkg.get("marker"), source=src, editable=editable,
                          hashes=tuple(h for f in files for h in f.hashes), span=span)
        for g in groups:
            members.setdefault(g, []).append(req)

    out_groups: list[Group] = []
    for g, reqs in members.items():
        if g == "default":
            out_groups.insert(0, Group(name=MAIN, kind=GroupKind.MAIN, requirements=tuple(reqs)))
            continue
        if not has_groups:
            continue
        kind = GroupKind.EXTRA if extras_beside is not None and canonical_name(g) in extras_beside else GroupKind.GROUP
        out_groups.append(Group(name=g, kind=kind, requirements=tuple(reqs)))
    lock_raw = tuple(Raw(format="pdm-lock", key=k, value=v) for k, v in meta.items()
                     if k not in ("lock_version", "content_hash"))
    return Manifest(
        format="pdm-lock",
        groups=tuple(out_groups),
        lock=Lock(packages=tuple(locked[k] for k in order), version=str(meta["lock_version"]),
                  content_hash=meta.get("content_hash"), raw=lock_raw),
        losses=tuple(report),
        span=Span(file=file, line=1, column=1) if file else None,
    )


def _package_tables(value: object, loc: TomlLocator) -> list[dict[str, Any]]:
    """The ``[[package]]`` array, each entry a table with a name (else a located ParseError)."""
    if not isinstance(value, list):
        raise _bad(loc, "package must be an array of tables ([[package]])", "package")
    for i, pkg in enumerate(value):
        if not isinstance(pkg, dict) or "name" not in pkg:
            raise _bad(loc, "each [[package]] needs a name", "package", i)
    return value


def _pin_spec(version: object, loc: TomlLocator, index: int) -> VersionSpec:
    """``==<version>`` for a locked package; a version that is not PEP 440 is a located ParseError."""
    from ...dialects.pep440 import parse as parse_pep440

    span = loc.span("package", index, "version")
    if not isinstance(version, str):
        raise ParseError(f"version must be a string, got {type(version).__name__}", span=span,
                         source_line=loc.line_text(span.line or 0) or None)
    return parse_pep440(f"=={version}", span=span)
