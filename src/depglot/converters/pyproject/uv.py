"""``[tool.uv]``: sources, indexes and installer settings (reading; writing is in :mod:`.uv_write`).

Sources (``[tool.uv.sources]``) become Requirement sources: ``git`` (+ ``rev``/``tag``/``branch``,
``subdirectory``) -> Vcs, ``path`` (+ ``editable``) -> LocalPath, ``url`` -> Url, ``index`` -> IndexRef. A
``workspace = true`` source and conditional sources (a list, or ``marker``/``extra``/``group``) have no IR slot:
they travel as ``Raw(format="uv", key="source")`` on the requirement. Indexes (``[[tool.uv.index]]``) become
Index entries: ``default = true`` -> DEFAULT, ``explicit = true`` -> EXPLICIT, ``format = "flat"`` ->
FIND_LINKS, otherwise PRIMARY (searched before PyPI, first index wins). Every other ``[tool.uv]`` key is kept
as ``Raw(format="uv", key="tool.uv.<key>")`` so the uv flavour writes it back.
"""

from __future__ import annotations

from typing import Any

from ...edit.tomlspan import TomlLocator
from ...errors import ParseError
from ...ir.model import (
    Group,
    GroupKind,
    Index,
    IndexRef,
    IndexRole,
    LocalPath,
    Manifest,
    Raw,
    Requirement,
    Source,
    Url,
    Vcs,
    canonical_name,
)
from ...report import Report

__all__ = ["UV_HANDLED_KEYS", "UV_STRATEGIES", "read_uv", "source_from_uv", "source_to_uv"]

UV_STRATEGIES = ("first-index", "unsafe-first-match", "unsafe-best-match")

# [tool.uv] keys read into IR fields (everything else is kept as Raw).
UV_HANDLED_KEYS = frozenset(
    {"sources", "index", "find-links", "no-index", "index-strategy", "dev-dependencies", "prerelease",
     "default-groups"}
)

_SOURCE_KINDS = ("git", "path", "url", "index", "workspace")
_CONDITIONS = ("marker", "extra", "group")


def _bad(loc: TomlLocator, message: str, *path: str | int, hint: str | None = None) -> ParseError:
    span = loc.span(*path)
    return ParseError(message, span=span, source_line=loc.line_text(span.line or 0) or None, dialect="uv", hint=hint)


def source_from_uv(entry: dict[str, Any]) -> tuple[Source | None, bool]:
    """(source, editable) of one plain uv source table, or (None, False) when the IR has no slot for it."""
    if any(k in entry for k in _CONDITIONS) or "workspace" in entry:
        return None, False
    if "git" in entry:
        rev_kind = next((k for k in ("rev", "tag", "branch") if k in entry), None)
        return Vcs(vcs="git", url=entry["git"], rev=entry.get(rev_kind) if rev_kind else None, rev_kind=rev_kind,
                   subdirectory=entry.get("subdirectory")), False
    if "path" in entry:
        return LocalPath(path=entry["path"]), bool(entry.get("editable", False))
    if "url" in entry:
        return Url(url=entry["url"], subdirectory=entry.get("subdirectory")), False
    if "index" in entry:
        return IndexRef(name=entry["index"]), False
    return None, False


def source_to_uv(req: Requirement) -> dict[str, Any] | None:
    """The ``[tool.uv.sources]`` entry for a requirement's source (None: no entry needed)."""
    for raw in req.raw:
        if raw.format == "uv" and raw.key == "source":
            entry: dict[str, Any] = raw.value  # the reader keeps a source entry it cannot model as it was
            return entry
    src = req.source
    out: dict[str, Any] = {}
    if isinstance(src, Vcs) and src.vcs == "git":
        out["git"] = src.url
        if src.rev is not None:
            out[src.rev_kind or "rev"] = src.rev
        if src.subdirectory:
            out["subdirectory"] = src.subdirectory
    elif isinstance(src, LocalPath):
        out["path"] = src.path
        if req.editable:
            out["editable"] = True
    elif isinstance(src, Url):
        out["url"] = src.url
        if src.subdirectory:
            out["subdirectory"] = src.subdirectory
    elif isinstance(src, IndexRef):
        out["index"] = src.name
    else:
        return None
    return out


def read_uv(doc: dict[str, Any], loc: TomlLocator, manifest: Manifest, report: Report) -> Manifest:
    uv = doc["tool"]["uv"]
    if not isinstance(uv, dict):
        raise _bad(loc, "[tool.uv] must be a table", "tool", "uv")
    groups = list(manifest.groups)

    # Legacy dev-dependencies: uv treats them as part of the "dev" group.
    if "dev-dependencies" in uv:
        from .reader import read_requirement_list

        dev_reqs = read_requirement_list(uv["dev-dependencies"], loc, "tool", "uv", "dev-dependencies")
        for i, g in enumerate(groups):
            if g.kind is GroupKind.GROUP and canonical_name(g.name) == "dev":
                groups[i] = g.replace(requirements=g.requirements + dev_reqs)
                break
        else:
            groups.append(Group(name="dev", kind=GroupKind.GROUP, requirements=dev_reqs,
                                span=loc.span("tool", "uv", "dev-dependencies")))

    # Indexes.
    indexes: list[Index] = list(manifest.indexes)
    declared: set[str] = set()
    for i, entry in enumerate(uv.get("index") or []):
        if not isinstance(entry, dict) or "url" not in entry:
            raise _bad(loc, "each [[tool.uv.index]] needs a url", "tool", "uv", "index", i)
        name = entry.get("name")
        if name:
            declared.add(name)
        if entry.get("format") == "flat":
            role = IndexRole.FIND_LINKS
        elif entry.get("explicit"):
            role = IndexRole.EXPLICIT
        elif entry.get("default"):
            role = IndexRole.DEFAULT
        else:
            role = IndexRole.PRIMARY
        extra = {k: v for k, v in entry.items() if k not in ("name", "url", "default", "explicit", "format")}
        if entry.get("format") == "flat" and entry.get("explicit"):
            extra["explicit"] = True
        index_raw = (Raw(format="uv", key="index", value=extra),) if extra else ()
        indexes.append(Index(name=name, url=entry["url"], role=role, raw=index_raw, span=loc.span("tool", "uv", "index", i)))
    find_links = uv.get("find-links") or []
    for i, url in enumerate(find_links):
        indexes.append(Index(name=None, url=url, role=IndexRole.FIND_LINKS,
                             span=loc.span("tool", "uv", "find-links", i, needle=url)))

    # Sources.
    sources = uv.get("sources") or {}
    by_key: dict[str, tuple[str, Any]] = {canonical_name(k): (k, v) for k, v in sources.items()}
    for name, entry in sources.items():
        entries = entry if isinstance(entry, list) else [entry]
        for j, e in enumerate(entries):
            path: tuple[str | int, ...] = ("tool", "uv", "sources", name) + ((j,) if isinstance(entry, list) else ())
            if not isinstance(e, dict) or not any(k in e for k in _SOURCE_KINDS):
                raise _bad(loc, f"source for {name!r} must be a table with one of {', '.join(_SOURCE_KINDS)}", *path)
            if "index" in e and e["index"] not in declared:
                raise _bad(loc, f"source for {name!r} names index {e['index']!r}, which no [[tool.uv.index]] declares",
                           *path, hint="declare it with [[tool.uv.index]] name = \"...\" url = \"...\"")
    used: set[str] = set()
    for gi, g in enumerate(groups):
        reqs = list(g.requirements)
        changed = False
        for ri, req in enumerate(reqs):
            hit = by_key.get(req.key)
            if hit is None:
                continue
            used.add(req.key)
            written, entry = hit
            src, editable = source_from_uv(entry) if isinstance(entry, dict) else (None, False)
            where = loc.span("tool", "uv", "sources", written)
            if src is None:
                reqs[ri] = req.replace(raw=(*req.raw, Raw(format="uv", key="source", value=entry, span=where)))
            else:
                # The marker says the source lives in [tool.uv.sources] (not in the PEP 508 string).
                reqs[ri] = req.replace(source=src, editable=editable or req.editable,
                                       raw=(*req.raw, Raw(format="uv", key="sources-table", value=True, span=where)))
            changed = True
        if changed:
            groups[gi] = g.replace(requirements=tuple(reqs))

    raw = list(manifest.raw)
    for key in ("constraint-dependencies", "override-dependencies"):
        if key in uv:  # kept verbatim, but they must be what uv accepts: PEP 508 strings (errors at their line)
            from .reader import read_requirement_list

            read_requirement_list(uv[key], loc, "tool", "uv", key)
    for key, value in uv.items():
        if key in UV_HANDLED_KEYS and key != "dev-dependencies":
            continue
        if key == "dev-dependencies":
            continue
        raw.append(Raw(format="uv", key=f"tool.uv.{key}", value=value, span=loc.span("tool", "uv", key)))
    unused = {k: v for k, v in by_key.items() if k not in used}
    for key, (written, entry) in unused.items():
        raw.append(Raw(format="uv", key=f"tool.uv.sources.{written}", value=entry,
                       span=loc.span("tool", "uv", "sources", written)))

    # default-groups: a group outside it is not installed by default -> optional. Without the key uv installs
    # only "dev" (uv's documented default), so in a file with [tool.uv] every other group is optional.
    defaults = uv.get("default-groups", ["dev"])
    if defaults != "all" and not isinstance(defaults, list):
        raise _bad(loc, 'tool.uv.default-groups must be "all" or a list of group names', "tool", "uv", "default-groups")
    wanted = None if defaults == "all" else {canonical_name(n) for n in defaults}
    # the optional flags below are uv's word on install defaults (not "unknown"): the writer needs to know that
    raw.append(Raw(format="uv", key="default-groups", value=True,
                   span=loc.span("tool", "uv", "default-groups") if "default-groups" in uv else None))
    groups = [g.replace(optional=wanted is not None and canonical_name(g.name) not in wanted)
              if g.kind is GroupKind.GROUP else g for g in groups]

    prerelease = uv.get("prerelease")
    allow_pre = manifest.allow_prereleases
    if prerelease is not None:
        if prerelease == "allow":
            allow_pre = True
        else:
            raw.append(Raw(format="uv", key="tool.uv.prerelease", value=prerelease,
                           span=loc.span("tool", "uv", "prerelease")))
    # uv's default is first-index; an explicit first-index with no index to choose between says nothing.
    searched = any(ix.role is not IndexRole.FIND_LINKS for ix in indexes)
    strategy = uv.get("index-strategy")
    if strategy is None and searched or strategy == "first-index" and not searched:
        strategy = "first-index" if searched else None
    return manifest.replace(
        groups=tuple(groups),
        indexes=tuple(indexes),
        no_index=bool(uv.get("no-index", manifest.no_index)),
        index_strategy=strategy or manifest.index_strategy,
        allow_prereleases=allow_pre,
        raw=tuple(raw),
    )
