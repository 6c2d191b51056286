"""Reading poetry.lock: one LockedPackage per ``[[package]]`` and, per group, its pinned Requirements.

Per lock version:

* **2.1** (Poetry >= 2.0): ``groups`` and ``markers`` (one marker, or a table per group) say it all. Optional
  packages (``extra == "x"`` in their marker) go to the EXTRA group ``x`` with that clause removed.
* **1.1** (``category = "main" | "dev"``, hashes under ``[metadata.files]``) and **2.0** (Poetry 1.5-1.8: neither
  groups nor markers): the pyproject.toml beside the lock (``ReadOptions.path``'s directory) gives the roots and the
  dependency graph is walked (:mod:`.graph`); without it, 1.1 keeps its categories and 2.0 puts everything in
  ``main``, and the loss says so (``lock-groups-unknown`` / ``lock-markers-unknown``).

Requirements are ``name==version`` with every file hash (direct references: the git commit, path or URL).
"""

from __future__ import annotations

import os
import tomllib
from typing import Any

from ...edit.tomlspan import TomlLocator, load_toml
from ...errors import ParseError
from ...format import ReadOptions
from ...ir.model import (
    MAIN,
    Group,
    GroupKind,
    Index,
    IndexRef,
    IndexRole,
    LocalPath,
    Lock,
    LockedPackage,
    LockFile,
    Manifest,
    Raw,
    Requirement,
    Url,
    Vcs,
    canonical_name,
)
from ...ir.versions import VersionSpec
from ...report import Report, Severity
from ...span import Span
from .graph import roots_from_pyproject, strip_extra, walk

__all__ = ["read_poetry_lock"]



def _bad(loc: TomlLocator, message: str, *path: str | int) -> ParseError:
    span = loc.span(*path)
    return ParseError(message, span=span, source_line=loc.line_text(span.line or 0) or None, dialect="poetry-lock")


def _source(package: dict[str, Any]) -> tuple[Any, str | None]:
    src = package.get("source")
    if not isinstance(src, dict):
        return None, None
    kind, url = src.get("type"), src.get("url")
    sub = src.get("subdirectory")
    if kind == "legacy":
        return IndexRef(name=str(src.get("reference") or url)), url
    if kind == "git":
        rev = src.get("resolved_reference") or src.get("reference")
        return Vcs(vcs="git", url=str(url), rev=rev, rev_kind="rev" if rev else None, subdirectory=sub), None
    if kind in ("directory", "file"):
        return LocalPath(path=str(url), subdirectory=sub), None
    if kind == "url":
        return Url(url=str(url), subdirectory=sub), None
    return None, None


def _file_kind(name: str) -> str | None:
    if name.endswith(".whl"):
        return "wheel"
    if name.endswith((".tar.gz", ".zip", ".tar.bz2", ".tgz")):
        return "sdist"
    return None


def _files(entries: Any) -> tuple[LockFile, ...]:
    out = []
    for f in entries or []:
        if isinstance(f, dict):
            name = f.get("file")
            h = f.get("hash")
            out.append(LockFile(name=name, url=f.get("url"), hashes=(h,) if h else (),
                                kind=_file_kind(name) if name else None))
    return tuple(out)


def _pyproject_beside(options: ReadOptions) -> dict[str, Any] | None:
    if options.path is None:
        return None
    path = os.path.join(os.path.dirname(os.path.abspath(options.path)), "pyproject.toml")
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError):
        return None


def read_poetry_lock(text: str, options: ReadOptions) -> Manifest:
    body = text.removeprefix("\ufeff")
    file = options.path
    doc = load_toml(body, file, "poetry-lock")
    loc = TomlLocator(body, file)
    report = Report()
    meta = doc.get("metadata") or {}
    if not isinstance(meta, dict):
        raise _bad(loc, "[metadata] must be a table", "metadata")
    version = str(meta.get("lock-version") or "1.0")
    packages_raw = doc.get("package") or []
    if not isinstance(packages_raw, list):
        raise _bad(loc, "package must be an array of tables ([[package]])", "package")
    meta_files = meta.get("files") or {}
    meta_files = {canonical_name(k): v for k, v in meta_files.items()} if isinstance(meta_files, dict) else {}

    locked: list[LockedPackage] = []
    by_key: dict[str, dict[str, Any]] = {}
    indexes: dict[str, Index] = {}
    for i, p in enumerate(packages_raw):
        if not isinstance(p, dict) or not isinstance(p.get("name"), str) or not isinstance(p.get("version"), str):
            raise _bad(loc, "each [[package]] needs a name and a version", "package", i)
        if not _valid_version(p["version"]):
            raise _bad(loc, f"package {p['name']!r}: {p['version']!r} is not a valid version", "package", i, "version")
        key = canonical_name(p["name"])
        by_key[key] = p
        source, index_url = _source(p)
        if isinstance(source, IndexRef) and index_url and source.name not in indexes:
            indexes[source.name] = Index(name=source.name, url=index_url, role=IndexRole.EXPLICIT,
                                         span=loc.span("package", i, "source"))
        files = _files(p["files"] if "files" in p else meta_files.get(key))
        groups = p.get("groups")
        if groups is None and isinstance(p.get("category"), str):
            groups = [p["category"]]
        markers = p.get("markers")
        raw = [Raw(format="poetry-lock", key=k, value=p[k]) for k in ("optional", "category", "develop") if k in p]
        if isinstance(markers, dict):
            raw.append(Raw(format="poetry-lock", key="markers", value=markers))
        locked.append(LockedPackage(
            name=p["name"], version=p["version"], marker=markers if isinstance(markers, str) else None,
            source=source, index=index_url, files=files, groups=tuple(groups or ()),
            extras=tuple((p.get("extras") or {}).keys()), requires_python=p.get("python-versions"),
            dependencies=tuple(canonical_name(n) for n in (p.get("dependencies") or {})), raw=tuple(raw),
            span=loc.span("package", i),
        ))

    placements = _placements(version, packages_raw, by_key, options, loc, report)
    groups = _groups(locked, by_key, placements)

    python = None
    if isinstance(meta.get("python-versions"), str) and meta["python-versions"] not in ("*", ""):
        from ...dialects import poetry as poetry_dialect

        python = poetry_dialect.parse(meta["python-versions"], span=loc.span("metadata", "python-versions"))
    lock_raw = [Raw(format="poetry-lock", key="extras", value=doc["extras"])] if "extras" in doc else []
    return Manifest(
        format="poetry-lock",
        python=python,
        groups=tuple(groups),
        indexes=tuple(indexes.values()),
        lock=Lock(packages=tuple(locked), version=version, content_hash=meta.get("content-hash"),
                  raw=tuple(lock_raw)),
        losses=report.losses,
        span=Span(file=file, line=1, column=1) if file else None,
    )


def _placements(
    version: str, packages: list[dict[str, Any]], by_key: dict[str, dict[str, Any]], options: ReadOptions,
    loc: TomlLocator, report: Report,
) -> dict[str, list[tuple[str, str | None]]]:
    """{package key: [(group, marker)]}; groups named ``extra:<x>`` are the project's extras."""
    out: dict[str, list[tuple[str, str | None]]] = {}
    if _version_at_least(version, (2, 1)):
        for p in packages:
            key = canonical_name(p["name"])
            markers = p.get("markers")
            for g in p.get("groups") or [MAIN]:
                m = markers.get(g) if isinstance(markers, dict) else markers
                out.setdefault(key, []).append(_extra_group(g, m))
        return out
    pyproject = _pyproject_beside(options)
    if pyproject is not None:
        walked, capped = walk(roots_from_pyproject(pyproject), by_key)
        for group in sorted(capped):
            report.add("lock-marker-widened", Severity.WARNING,
                       f"group {group!r}: a package is reached by too many marker paths; it is kept for every "
                       "environment", subject=group, span=loc.span())
        unconditional = {k for k, m in walked.get(MAIN, {}).items() if m is None}
        for group, found in walked.items():
            for key, marker in found.items():
                if group.startswith("extra:") and key in unconditional:
                    continue  # main installs it anyway
                out.setdefault(key, []).append((group, marker))
        missing = [p["name"] for p in packages if canonical_name(p["name"]) not in out]
        if missing:
            report.add("lock-groups-unknown", Severity.WARNING,
                       f"{len(missing)} locked package(s) are not reached from pyproject.toml's dependencies "
                       f"(e.g. {missing[0]!r}); they are kept in 'main' without a marker",
                       subject=",".join(missing), span=loc.span(), data={"packages": missing})
            for name in missing:
                out.setdefault(canonical_name(name), []).append((MAIN, None))
        return out
    has_category = any("category" in p for p in packages)
    if has_category:
        report.add("lock-markers-unknown", Severity.WARNING,
                   f"lock version {version} records no markers and no pyproject.toml is beside it; every package "
                   "is kept for every environment", span=loc.span("metadata", "lock-version"))
    else:
        report.add("lock-groups-unknown", Severity.WARNING,
                   f"lock version {version} records neither groups nor markers and no pyproject.toml is beside "
                   "it; every package is put in 'main', for every environment",
                   span=loc.span("metadata", "lock-version"))
    for p in packages:
        key = canonical_name(p["name"])
        group = p.get("category") or MAIN
        out.setdefault(key, []).append((group, None))
    return out


def _extra_group(group: str, marker: str | None) -> tuple[str, str | None]:
    """A main-group package whose marker requires an extra belongs to that extra (clause removed)."""
    if group == MAIN:
        rest, extras = strip_extra(marker)
        if len(extras) == 1:
            return f"extra:{extras[0]}", rest
    return group, marker


def _valid_version(text: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        Version(text)
    except InvalidVersion:
        return False
    return True


def _version_at_least(version: str, want: tuple[int, int]) -> bool:
    try:
        parts = tuple(int(x) for x in version.split(".")[:2])
    except ValueError:
        return False
    return parts >= want


def _groups(
    locked: list[LockedPackage], by_key: dict[str, dict[str, Any]],
    placements: dict[str, list[tuple[str, str | None]]],
) -> list[Group]:
    order: list[str] = []
    reqs: dict[str, list[Requirement]] = {}
    for lp in locked:
        for group, marker in placements.get(lp.key, []):
            if group not in reqs:
                order.append(group)
                reqs[group] = []
            reqs[group].append(_pin(lp, marker, by_key[lp.key]))
    order.sort(key=lambda g: (0 if g == MAIN else 2 if g.startswith("extra:") else 1))
    out = []
    for g in order:
        if g.startswith("extra:"):
            out.append(Group(name=g[6:], kind=GroupKind.EXTRA, requirements=tuple(reqs[g])))
        else:
            out.append(Group(name=g, kind=GroupKind.MAIN if g == MAIN else GroupKind.GROUP,
                             requirements=tuple(reqs[g])))
    return out


def _pin(lp: LockedPackage, marker: str | None, package: dict[str, Any]) -> Requirement:
    direct = isinstance(lp.source, (Vcs, LocalPath, Url))
    return Requirement(
        name=lp.name,
        version=None if direct else VersionSpec.from_pep440(f"=={lp.version}"),
        marker=marker,
        source=lp.source,
        editable=bool(package.get("develop", False)),
        hashes=() if direct and isinstance(lp.source, (Vcs, LocalPath)) else lp.hashes,
        span=lp.span,
    )
