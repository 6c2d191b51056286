"""Reading pylock.toml (PEP 751), validated by ``packaging.pylock``.

Every ``[[packages]]`` entry becomes a LockedPackage (files with URL/path and hashes, VCS/directory/archive
source, index, marker, requires-python) and a ``==`` pin (or direct reference) in the main group. Lock-level keys
with no IR slot (``environments``, ``extras``, ``dependency-groups``, ``default-groups``, ``created-by``,
``tool``) are kept as Raw.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import unquote, urlsplit

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
    Source,
    Url,
    Vcs,
    canonical_name,
)
from ...ir.versions import VersionSpec
from ...span import Span

__all__ = ["LOCK_KEYS", "PYPI_URLS", "read_pylock"]

PYPI_URLS = frozenset({"https://pypi.org/simple", "https://pypi.org/simple/"})
LOCK_KEYS = ("environments", "extras", "dependency-groups", "default-groups", "created-by", "tool")
_PATH = re.compile(r"in '([^']+)'")


def _key_path(text: str) -> tuple[str | int, ...]:
    """``packages[0].wheels[1]`` -> ("packages", 0, "wheels", 1)."""
    out: list[str | int] = []
    for part in text.split("."):
        m = re.fullmatch(r"([^\[]*)((?:\[\d+\])*)", part)
        if not m:
            out.append(part)
            continue
        if m.group(1):
            out.append(m.group(1))
        out += [int(i) for i in re.findall(r"\[(\d+)\]", m.group(2))]
    return tuple(out)


def _file(entry: dict[str, Any], kind: str) -> LockFile:
    url, path = entry.get("url"), entry.get("path")
    name = entry.get("name")
    if name is None and (url or path):
        name = unquote(os.path.basename(urlsplit(url or path or "").path)) or None
    hashes = tuple(f"{algo}:{value}" for algo, value in (entry.get("hashes") or {}).items())
    return LockFile(name=name, url=url, path=path, hashes=hashes, kind=kind)


def _source(pkg: dict[str, Any]) -> tuple[Source | None, bool, list[LockFile]]:
    if "vcs" in pkg:
        v = pkg["vcs"]
        return Vcs(vcs=v["type"], url=v.get("url") or v.get("path") or "", rev=v.get("commit-id"),
                   rev_kind="rev", subdirectory=v.get("subdirectory")), False, []
    if "directory" in pkg:
        d = pkg["directory"]
        return LocalPath(path=d["path"], subdirectory=d.get("subdirectory")), bool(d.get("editable")), []
    if "archive" in pkg:
        a = pkg["archive"]
        f = _file(a, "archive")
        src: Source = (Url(url=a["url"], subdirectory=a.get("subdirectory")) if a.get("url")
                       else LocalPath(path=a["path"], subdirectory=a.get("subdirectory")))
        return src, False, [f]
    return None, False, []


def read_pylock(text: str, options: ReadOptions) -> Manifest:
    from packaging.pylock import Pylock, PylockUnsupportedVersionError, PylockValidationError

    from ...dialects.pep440 import parse as parse_pep440

    file = options.path
    doc = load_toml(text, file, "pylock")
    loc = TomlLocator(text.removeprefix("\ufeff"), file)
    try:
        Pylock.from_dict(doc)
    except PylockUnsupportedVersionError as exc:
        span = loc.span("lock-version")
        raise ParseError(str(exc), span=span, source_line=loc.line_text(span.line or 0) or None,
                         dialect="pylock") from None
    except PylockValidationError as exc:
        m = _PATH.search(str(exc))
        span = loc.span(*_key_path(m.group(1))) if m else Span(file=file)
        raise ParseError(f"invalid pylock: {exc}", span=span, source_line=loc.line_text(span.line or 0) or None,
                         dialect="pylock") from None

    # Pylock.from_dict validated the shapes: packages is an array of tables, requires-python a string.
    packages = doc.get("packages", [])
    requires_python = doc.get("requires-python")
    assert isinstance(packages, list) and (requires_python is None or isinstance(requires_python, str))
    indexes: dict[str, Index] = {}
    locked: list[LockedPackage] = []
    reqs: list[Requirement] = []
    for i, pkg in enumerate(packages):
        span = loc.span("packages", i)
        src, editable, files = _source(pkg)
        if "sdist" in pkg:
            files.append(_file(pkg["sdist"], "sdist"))
        files += [_file(w, "wheel") for w in pkg.get("wheels", [])]
        index = pkg.get("index")
        raw = tuple(Raw(format="pylock", key=k, value=pkg[k])
                    for k in ("dependencies", "attestation-identities", "tool") if k in pkg)
        locked.append(LockedPackage(
            name=pkg["name"], version=pkg.get("version"), marker=pkg.get("marker"), source=src, index=index,
            files=tuple(files), requires_python=pkg.get("requires-python"),
            dependencies=tuple(canonical_name(d["name"]) for d in pkg.get("dependencies", []) if "name" in d),
            raw=raw + ((Raw(format="pylock", key="editable", value=True),) if editable else ()), span=span,
        ))
        req_source = src
        if req_source is None and index and index not in PYPI_URLS:
            if index not in indexes:
                indexes[index] = Index(name=_index_name(index, indexes), url=index, role=IndexRole.EXPLICIT, span=span)
            req_source = IndexRef(name=indexes[index].name or "")
        version = pkg.get("version")
        spec = (_pin_spec(version, loc, i)
                if version and (src is None or isinstance(src, IndexRef)) else None)
        hashes = tuple(dict.fromkeys(h for f in files for h in f.hashes))
        reqs.append(Requirement(name=pkg["name"], version=spec, marker=pkg.get("marker"), source=req_source,
                                editable=editable, hashes=hashes, span=span))

    raw = tuple(Raw(format="pylock", key=k, value=doc[k], span=loc.span(k)) for k in LOCK_KEYS if k in doc)
    python = parse_pep440(requires_python, span=loc.span("requires-python")) if requires_python is not None else None
    return Manifest(
        format="pylock",
        python=python,
        groups=(Group(name=MAIN, kind=GroupKind.MAIN, requirements=tuple(reqs)),),
        indexes=tuple(indexes.values()),
        lock=Lock(packages=tuple(locked), version=str(doc.get("lock-version")), raw=raw),
        span=Span(file=file, line=1, column=1) if file else None,
    )


def _index_name(url: str, existing: dict[str, Index]) -> str:
    host = urlsplit(url).netloc.split("@")[-1].split(":")[0]
    name = canonical_name(host.replace(".", "-")) or "index"
    while any(ix.name == name for ix in existing.values()):
        name += "-2"
    return name


def _pin_spec(version: object, loc: TomlLocator, index: int) -> VersionSpec:
    """``==<version>`` for a locked package; a version that is not PEP 440 is a located ParseError."""
    from ...dialects.pep440 import parse as parse_pep440

    span = loc.span("packages", index, "version")
    if not isinstance(version, str):
        raise ParseError(f"version must be a string, got {type(version).__name__}", span=span,
                         source_line=loc.line_text(span.line or 0) or None)
    return parse_pep440(f"=={version}", span=span)
