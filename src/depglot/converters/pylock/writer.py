"""Writing pylock.toml (PEP 751): only from inputs that know every file's URL (or path) and hash.

PEP 751 needs, for every package, its files with a URL or path and hashes (or a VCS commit, a directory, an
archive). depglot has no network, so from a lock that has only names and hashes (poetry.lock, Pipfile.lock,
hashed requirements) it reports ``pylock-needs-file-urls`` and writes nothing: never an invalid lock. Every
written file is validated with ``packaging.pylock`` before it is returned.
"""

from __future__ import annotations

import re
import tomllib
from typing import TYPE_CHECKING, Any

from ...errors import ConversionError
from ...ir.model import (
    IndexRef,
    LocalPath,
    LockedPackage,
    LockFile,
    Manifest,
    Requirement,
    Url,
    Vcs,
    canonical_name,
)
from ...report import Report, Severity

if TYPE_CHECKING:
    from ...format import WriteOptions

__all__ = ["render_pylock", "write_pylock"]

_COMMIT = re.compile(r"[0-9a-fA-F]{40}")


def _hashes(hashes: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    for h in hashes:
        algo, _, value = h.partition(":")
        if value:
            out.setdefault(algo, value)
    return out


def _file_table(f: LockFile) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if f.name:
        out["name"] = f.name
    if f.url:
        out["url"] = f.url
    elif f.path:
        out["path"] = f.path
    out["hashes"] = _hashes(f.hashes)
    return out


def _match(req: Requirement, packages: dict[str, list[LockedPackage]]) -> LockedPackage | None:
    cands = packages.get(req.key, [])
    pin = req.version.exact if req.version is not None else None
    if pin is not None:
        from packaging.version import InvalidVersion, Version

        for lp in cands:
            try:
                if lp.version is not None and Version(lp.version) == Version(pin):
                    return lp
            except InvalidVersion:
                if lp.version == pin:
                    return lp
        return None
    for lp in cands:
        if req.source is not None and lp.source == req.source:
            return lp
    return cands[0] if len(cands) == 1 and req.version is None else None


def _entry(req: Requirement, lp: LockedPackage | None, manifest: Manifest, report: Report) -> dict[str, Any] | None:
    """The ``[[packages]]`` table of one requirement, or None (with a loss) when PEP 751 cannot say it."""
    name = canonical_name(req.name)
    out: dict[str, Any] = {"name": name}
    version = (lp.version if lp is not None else None) or (req.version.exact if req.version is not None else None)
    src = lp.source if lp is not None and lp.source is not None else req.source
    is_directory = isinstance(src, LocalPath) and not (lp is not None and any(f.kind == "archive" for f in lp.files))
    if version is not None and not is_directory:  # a directory's version is whatever it holds when installed
        out["version"] = version
    marker = req.marker if req.marker is not None else (lp.marker if lp is not None else None)
    if marker:
        out["marker"] = marker
    if lp is not None and lp.requires_python:
        out["requires-python"] = lp.requires_python
    editable = req.editable or (lp is not None and any(r.key == "editable" for r in lp.raw))
    if isinstance(src, Vcs):
        if not src.rev or not _COMMIT.fullmatch(src.rev):
            report.add("pylock-needs-file-urls", Severity.ERROR,
                       f"{req.name!r} comes from {src.vcs} at {src.rev or 'an unnamed revision'!r}; PEP 751 needs "
                       "the commit id", subject=req.name, span=req.span)
            return None
        vcs: dict[str, Any] = {"type": src.vcs, "url": src.url, "commit-id": src.rev}
        if src.subdirectory:
            vcs["subdirectory"] = src.subdirectory
        out["vcs"] = vcs
        return out
    if is_directory and isinstance(src, LocalPath):
        directory: dict[str, Any] = {"path": src.path}
        if editable:
            directory["editable"] = True
        if src.subdirectory:
            directory["subdirectory"] = src.subdirectory
        out["directory"] = directory
        return out
    files = list(lp.files) if lp is not None else []
    if isinstance(src, (Url, LocalPath)):
        archive_files = [f for f in files if f.kind == "archive"] or files
        hashes = _hashes(archive_files[0].hashes if archive_files else req.hashes)
        if not hashes:
            report.add("pylock-needs-file-urls", Severity.ERROR,
                       f"{req.name!r} is a direct reference without a hash; PEP 751 archives need one",
                       subject=req.name, span=req.span)
            return None
        archive: dict[str, Any] = {"url": src.url} if isinstance(src, Url) else {"path": src.path}
        archive["hashes"] = hashes
        if src.subdirectory:
            archive["subdirectory"] = src.subdirectory
        out["archive"] = archive
        return out
    if version is None and not (lp is not None and any((f.url or f.path) and f.hashes for f in files)):
        # A locked package may omit its version (PEP 751) when its files are known; a bare requirement may not.
        report.add("pylock-not-pinned", Severity.ERROR,
                   f"{req.name!r} is not pinned to one version ({req.version.raw if req.version else 'any'}); "
                   "a lock names exact versions", subject=req.name, span=req.span)
        return None
    usable = [f for f in files if (f.url or f.path) and f.hashes and f.kind in ("sdist", "wheel")]
    if not usable:
        report.add("pylock-needs-file-urls", Severity.ERROR,
                   f"{req.name!r}=={version} has no file URLs (only names/hashes); PEP 751 needs the URL or path "
                   "of every file and depglot never downloads", subject=req.name, span=req.span)
        return None
    index = lp.index if lp is not None else None
    if index is None and isinstance(req.source, IndexRef):
        index = next((ix.url for ix in manifest.indexes if ix.name == req.source.name), None)
    if index:
        out["index"] = index
    sdists = [f for f in usable if f.kind == "sdist"]
    wheels = [f for f in usable if f.kind == "wheel"]
    if sdists:
        out["sdist"] = _file_table(sdists[0])
    if wheels:
        out["wheels"] = [_file_table(f) for f in wheels]
    return out


def render_pylock(manifest: Manifest, report: Report) -> str:
    """The pylock text for ``manifest`` (raises ConversionError, with losses in ``report``, when it cannot)."""
    import tomlkit
    from packaging.pylock import Pylock, PylockValidationError

    packages: dict[str, list[LockedPackage]] = {}
    if manifest.lock is not None:
        for locked_pkg in manifest.lock.packages:
            packages.setdefault(locked_pkg.key, []).append(locked_pkg)
    entries = []
    failed = False
    seen: set[tuple[str, str | None, str | None]] = set()
    for group in manifest.groups:
        for req in group.requirements:
            lp = _match(req, packages)
            entry = _entry(req, lp, manifest, report)
            if entry is None:
                failed = True
                continue
            ident = (entry["name"], entry.get("version"), entry.get("marker"))
            if ident in seen:
                continue
            seen.add(ident)
            entries.append(entry)
    if failed:
        raise ConversionError("pylock.toml not written: some packages have no file URLs, hashes or pins "
                              "(see the report)", hint="lock with a tool that records file URLs (uv lock), then "
                              "convert that lock")

    lock_raw = manifest.lock.raw if manifest.lock is not None else ()
    raw = {r.key: r.value for r in lock_raw if r.format == "pylock"}
    for r in lock_raw:  # uv's supported environments are PEP 751 environments
        if r.format == "uv-lock" and r.key == "supported-markers" and "environments" not in raw:
            raw["environments"] = r.value
    doc = tomlkit.document()
    doc["lock-version"] = "1.0"
    if "environments" in raw:
        doc["environments"] = raw["environments"]
    if manifest.python is not None and not manifest.python.is_any:
        from ...dialects.pep440 import render

        doc["requires-python"] = render(manifest.python, report=report, subject="requires-python")
    for key in ("extras", "dependency-groups", "default-groups"):
        if key in raw:
            doc[key] = raw[key]
    doc["created-by"] = raw.get("created-by", "depglot")
    aot = tomlkit.aot()
    for entry in entries:
        t = tomlkit.table()
        for k, v in entry.items():
            if k == "wheels":
                arr = tomlkit.array()
                for w in v:
                    arr.append(_inline(w))
                arr.multiline(True)
                t[k] = arr
            elif isinstance(v, dict):
                t[k] = _inline(v)
            else:
                t[k] = v
        aot.append(t)
    doc["packages"] = aot
    if "tool" in raw:
        doc["tool"] = raw["tool"]
    text = tomlkit.dumps(doc)
    try:
        Pylock.from_dict(tomllib.loads(text))
    except PylockValidationError as exc:  # pragma: no cover - a bug in this writer, never user input
        raise ConversionError(f"refusing to write an invalid pylock.toml: {exc}") from None
    return text


def _inline(value: dict[str, Any]) -> Any:
    import tomlkit

    t = tomlkit.inline_table()
    for k, v in value.items():
        t[k] = _inline(v) if isinstance(v, dict) else v
    return t


def write_pylock(manifest: Manifest, *, base: str | None, report: Report, options: WriteOptions) -> str:
    text = render_pylock(manifest, report)
    if base is not None:
        from ...format import ReadOptions
        from .reader import read_pylock

        if render_pylock(read_pylock(base, ReadOptions(path=options.path)), Report()) == text:
            return base  # the base already says exactly this
    return text
