"""Pipfile.lock text -> Manifest.

``_meta.sources`` -> indexes (the first DEFAULT, the rest EXPLICIT: pipenv looks a package up only in its own
``index``), ``_meta.requires`` -> ``manifest.python``, ``_meta.hash.sha256`` and ``pipfile-spec`` ->
``manifest.lock``; ``default`` -> the main group, ``develop`` -> group ``dev``, every other category -> a custom
category. Each entry is one pinned Requirement (``version = "==x"``, hashes, markers, extras, ``index`` ->
IndexRef, ``git``/``hg``/``svn``/``bzr`` + ``ref``/``subdirectory`` -> Vcs, ``path``/``file`` -> LocalPath/Url,
``editable``); keys pipenv writes that the IR has no slot for travel as Raw tagged ``pipfile-lock``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ...errors import ParseError
from ...format import ReadOptions
from ...ir.model import (
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
)
from ...ir.versions import VersionSpec
from ...span import Span

__all__ = ["CATEGORY_GROUPS", "FORMAT", "JsonLocator", "entry_requirement", "read"]

FORMAT = "pipfile-lock"
CATEGORY_GROUPS = {"default": "main", "develop": "dev"}
VCS_KEYS = ("git", "hg", "svn", "bzr")
_KNOWN = frozenset(
    {
        "version",
        "hashes",
        "markers",
        "extras",
        "index",
        "ref",
        "subdirectory",
        "path",
        "file",
        "editable",
        *VCS_KEYS,
    }
)
_KEY_LINE = re.compile(r'^(?P<indent>\s*)"(?P<key>(?:[^"\\]|\\.)*)"\s*:')
_URL = ("http://", "https://", "file:", "ftp://")


class JsonLocator:
    """Line/column of keys in pretty-printed JSON (pipenv's layout: one key per line, nested by indent)."""

    def __init__(self, text: str, file: str | None) -> None:
        self.file = file
        self.lines = text.splitlines()
        self._pos: dict[tuple[str, ...], tuple[int, int]] = {}
        stack: list[tuple[int, str]] = []
        for number, line in enumerate(self.lines, start=1):
            m = _KEY_LINE.match(line)
            if not m:
                continue
            width = len(m["indent"])
            while stack and stack[-1][0] >= width:
                stack.pop()
            stack.append((width, json.loads(f'"{m["key"]}"')))
            self._pos.setdefault(tuple(k for _, k in stack), (number, width + 1))

    def span(self, *path: str) -> Span:
        key = ".".join(path) or None
        for end in range(len(path), 0, -1):
            hit = self._pos.get(tuple(path[:end]))
            if hit is not None:
                return Span(file=self.file, line=hit[0], column=hit[1], key=key)
        return Span(file=self.file, key=key)


def _bad(message: str, span: Span, locator: JsonLocator) -> ParseError:
    line = locator.lines[span.line - 1] if span.line and span.line <= len(locator.lines) else None
    return ParseError(message, span=span, source_line=line)


def entry_requirement(name: str, entry: Any, span: Span, locator: JsonLocator) -> Requirement:
    """One lock entry (``"name": {...}``) as a pinned Requirement."""
    from ...dialects import pep440

    if isinstance(entry, str):  # very old locks: "name": "==1.0" / "*"
        entry = {"version": entry}
    if not isinstance(entry, Mapping):
        raise _bad(f"lock entry {name!r} must be an object", span, locator)
    for key in ("version", "markers", "index", "ref", "subdirectory", "path", "file", *VCS_KEYS):
        if key in entry and not isinstance(entry[key], str) and not (key == "ref" and entry[key] is None):
            raise _bad(f"{key!r} of lock entry {name!r} must be a string", span, locator)
    for key in ("hashes", "extras"):
        if key in entry and (
            not isinstance(entry[key], list) or not all(isinstance(v, str) for v in entry[key])
        ):
            raise _bad(f"{key!r} of lock entry {name!r} must be a list of strings", span, locator)
    source: Vcs | LocalPath | Url | IndexRef | None = None
    raw: list[Raw] = []
    vcs = next((k for k in VCS_KEYS if k in entry), None)
    if vcs is not None:
        url = entry[vcs]
        url = url[len(vcs) + 1 :] if url.lower().startswith(vcs + "+") else url
        source = Vcs(vcs=vcs, url=url, rev=entry.get("ref"), subdirectory=entry.get("subdirectory"))
    elif "path" in entry or "file" in entry:
        where = entry["path"] if "path" in entry else entry["file"]
        if "file" in entry and "path" not in entry and where.lower().startswith(_URL):
            source = Url(url=where, subdirectory=entry.get("subdirectory"))
        else:
            source = LocalPath(path=where, subdirectory=entry.get("subdirectory"))
    if "index" in entry:
        if source is None:
            source = IndexRef(name=entry["index"])
        else:
            raw.append(Raw(format=FORMAT, key="index", value=entry["index"], span=span))
    version: VersionSpec | None = None
    text = entry.get("version")
    if text is not None and text.strip() not in ("", "*"):
        if source is None or isinstance(source, IndexRef):
            version = pep440.parse(text if text.lstrip()[:1] in "<>=!~" else f"=={text}", span=span)
        else:
            raw.append(Raw(format=FORMAT, key="version", value=text, span=span))
    for key, value in entry.items():
        if key not in _KNOWN:
            raw.append(Raw(format=FORMAT, key=key, value=value, span=span))
    return Requirement(
        name=name,
        extras=tuple(entry.get("extras", ())),
        version=version,
        marker=entry.get("markers") or None,
        source=source,
        editable=entry.get("editable") is True,
        hashes=tuple(entry.get("hashes", ())),
        raw=tuple(raw),
        span=span,
    )


def _python(requires: Mapping[str, Any], locator: JsonLocator) -> tuple[VersionSpec | None, tuple[Raw, ...]]:
    from ...dialects import pipfile as dialect

    python: VersionSpec | None = None
    raw: list[Raw] = []
    for key in ("python_full_version", "python_version"):
        value = requires.get(key)
        if value is None:
            continue
        span = locator.span("_meta", "requires", key)
        if not isinstance(value, str):
            raise _bad(f"{key} must be a string", span, locator)
        if python is None:
            python = dialect.python_requirement(**{key: value}, span=span)
        else:
            raw.append(Raw(format=FORMAT, key=f"requires.{key}", value=value, span=span))
    for key, value in requires.items():
        if key not in ("python_full_version", "python_version"):
            raw.append(
                Raw(
                    format=FORMAT,
                    key=f"requires.{key}",
                    value=value,
                    span=locator.span("_meta", "requires", key),
                )
            )
    return python, tuple(raw)


def read(text: str, options: ReadOptions) -> Manifest:
    file = options.path
    body = text.removeprefix("\ufeff")
    try:
        data = json.loads(body)
    except json.JSONDecodeError as exc:
        lines = body.splitlines()
        raise ParseError(
            f"invalid JSON: {exc.msg}",
            span=Span(file=file, line=exc.lineno, column=exc.colno),
            source_line=lines[exc.lineno - 1] if 0 < exc.lineno <= len(lines) else None,
            hint="a Pipfile.lock is JSON written by pipenv",
        ) from None
    locator = JsonLocator(body, file)
    if not isinstance(data, Mapping):
        raise ParseError("a Pipfile.lock is a JSON object", span=Span(file=file, line=1, column=1))
    meta = data.get("_meta", {})
    if not isinstance(meta, Mapping):
        raise _bad("_meta must be an object", locator.span("_meta"), locator)

    indexes: list[Index] = []
    sources = meta.get("sources", [])
    if not isinstance(sources, list):
        raise _bad("_meta.sources must be a list", locator.span("_meta", "sources"), locator)
    for i, src in enumerate(sources):
        span = locator.span("_meta", "sources")
        if not isinstance(src, Mapping) or not isinstance(src.get("url"), str):
            raise _bad("each of _meta.sources needs a url", span, locator)
        extra = tuple(
            Raw(format=FORMAT, key=k, value=v, span=span)
            for k, v in src.items()
            if k not in ("url", "name", "verify_ssl")
        )
        verify = src.get("verify_ssl")
        indexes.append(
            Index(
                name=src.get("name"),
                url=src["url"],
                role=IndexRole.DEFAULT if i == 0 else IndexRole.EXPLICIT,
                verify_ssl=verify if isinstance(verify, bool) else None,
                raw=extra,
                span=span,
            )
        )
    requires = meta.get("requires", {})
    if not isinstance(requires, Mapping):
        raise _bad("_meta.requires must be an object", locator.span("_meta", "requires"), locator)
    python, raw = _python(requires, locator)
    digest = meta.get("hash", {}).get("sha256") if isinstance(meta.get("hash"), Mapping) else None
    meta_raw = tuple(
        Raw(format=FORMAT, key=f"_meta.{k}", value=v, span=locator.span("_meta", k))
        for k, v in meta.items()
        if k not in ("hash", "sources", "requires", "pipfile-spec")
    )

    groups: list[Group] = []
    packages: dict[tuple[str, str | None, str], LockedPackage] = {}
    categories: Mapping[str, object] = data  # JSON object keys are strings
    for category, entries in categories.items():
        if category == "_meta":
            continue
        if not isinstance(entries, Mapping):
            raise _bad(f"lock category {category!r} must be an object", locator.span(category), locator)
        group_name = CATEGORY_GROUPS.get(category, category)
        kind = (
            GroupKind.MAIN
            if category == "default"
            else GroupKind.GROUP
            if category == "develop"
            else GroupKind.CATEGORY
        )
        reqs = tuple(
            entry_requirement(name, entry, locator.span(category, name), locator)
            for name, entry in entries.items()
        )
        if (
            reqs or kind is GroupKind.MAIN
        ):  # an empty develop/category says nothing (pipenv always writes develop)
            groups.append(Group(name=group_name, kind=kind, requirements=reqs, span=locator.span(category)))
        for req in reqs:
            pin = req.version.pep440 if req.version is not None else None
            version = pin[2:] if pin and pin.startswith("==") and "," not in pin else None
            ident = (req.key, version, repr(req.source))
            prev = packages.get(ident)
            if prev is not None:
                packages[ident] = LockedPackage(
                    name=prev.name,
                    version=prev.version,
                    marker=prev.marker,
                    source=prev.source,
                    files=prev.files,
                    groups=(*prev.groups, group_name),
                    extras=prev.extras,
                    span=prev.span,
                )
                continue
            packages[ident] = LockedPackage(
                name=req.name,
                version=version,
                marker=req.marker,
                source=req.source,
                files=(LockFile(hashes=req.hashes),) if req.hashes else (),
                groups=(group_name,),
                extras=req.extras,
                span=req.span,
            )
    if not any(g.kind is GroupKind.MAIN for g in groups):
        groups.insert(0, Group(name="main", kind=GroupKind.MAIN))
    spec = meta.get("pipfile-spec")
    lock = Lock(
        packages=tuple(packages.values()),
        version=str(spec) if spec is not None else None,
        content_hash=digest if isinstance(digest, str) else None,
        raw=meta_raw,
    )
    return Manifest(
        format=FORMAT,
        python=python,
        groups=tuple(groups),
        indexes=tuple(indexes),
        lock=lock,
        raw=raw,
        span=Span(file=file),
    )
