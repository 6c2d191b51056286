"""``[tool.pdm]``: sources, legacy dev-dependencies, resolution overrides (reading, and the pieces written back).

``[[tool.pdm.source]]`` -> Index: a source named ``pypi`` replaces PyPI (DEFAULT), ``type = "find_links"`` ->
FIND_LINKS, others EXTRA (PDM merges candidates from every source, like pip, unless
``[tool.pdm.resolution] respect-source-order = true``). ``verify_ssl`` is kept. ``[tool.pdm.dev-dependencies]``
groups become GROUP groups (written back as PEP 735 ``[dependency-groups]`` by fresh writes). Every other
``[tool.pdm]`` key is kept as ``Raw(format="pdm", key="tool.pdm.<key>")``.
"""

from __future__ import annotations

import re
from typing import Any

from ...edit.tomlspan import TomlLocator
from ...errors import ParseError
from ...ir.model import (
    Group,
    GroupKind,
    Index,
    IndexRole,
    LocalPath,
    Manifest,
    Raw,
    Requirement,
    canonical_name,
)
from ...report import Report

__all__ = ["pdm_source_entry", "project_root_paths", "read_pdm"]


def _bad(loc: TomlLocator, message: str, *path: str | int) -> ParseError:
    span = loc.span(*path)
    return ParseError(message, span=span, source_line=loc.line_text(span.line or 0) or None, dialect="pdm")


def _pdm_requirement(text: str, loc: TomlLocator, *path: str | int) -> Requirement:
    """PDM dev-dependency lines may be ``-e <url-or-path>`` (not PEP 508): editable, then the rest."""
    from .common import requirement_at

    if text.startswith("-e "):
        rest = text[3:].strip()
        egg = re.search(r"#egg=([^&]+)", rest)
        if egg is not None:
            rest = f"{egg.group(1)} @ {rest[: egg.start()]}"
        req = _project_root(requirement_at(rest, loc, *path))
        return req.replace(editable=True, raw=(*req.raw, Raw(format="pdm", key="line", value=text)))
    return _project_root(requirement_at(text, loc, *path))


def _project_root(req: Requirement) -> Requirement:
    """``file:///${PROJECT_ROOT}/sub`` is PDM's spelling of the relative path ``./sub``."""
    src = req.source
    if isinstance(src, LocalPath):
        m = re.match(r"/*\$\{PROJECT_ROOT\}/?(.*)$", src.path)
        if m:
            return req.replace(source=LocalPath(path="./" + m.group(1) if m.group(1) else ".",
                                                subdirectory=src.subdirectory))
    return req


def project_root_paths(manifest: Manifest) -> Manifest:
    """Every ``file:///${PROJECT_ROOT}/sub`` requirement as the relative path ``./sub`` (PDM writes them in
    [project] too, in a file that may have no [tool.pdm] table)."""
    return manifest.replace(groups=tuple(g.replace(requirements=tuple(_project_root(r) for r in g.requirements))
                                         for g in manifest.groups))


def read_pdm(doc: dict[str, Any], loc: TomlLocator, manifest: Manifest, report: Report) -> Manifest:
    pdm = doc["tool"]["pdm"]
    if not isinstance(pdm, dict):
        raise _bad(loc, "[tool.pdm] must be a table", "tool", "pdm")
    groups = [g.replace(requirements=tuple(_project_root(r) for r in g.requirements)) for g in manifest.groups]
    existing = {canonical_name(g.name): i for i, g in enumerate(groups) if g.kind is GroupKind.GROUP}
    dev = pdm.get("dev-dependencies") or {}
    for name, items in dev.items():
        if not isinstance(items, list):
            raise _bad(loc, f"tool.pdm.dev-dependencies.{name} must be an array", "tool", "pdm", "dev-dependencies", name)
        reqs = []
        for i, item in enumerate(items):
            if not isinstance(item, str):
                raise _bad(loc, "expected a requirement string", "tool", "pdm", "dev-dependencies", name, i)
            reqs.append(_pdm_requirement(item, loc, "tool", "pdm", "dev-dependencies", name, i))
        key = canonical_name(name)
        if key in existing:
            g = groups[existing[key]]
            groups[existing[key]] = g.replace(requirements=g.requirements + tuple(reqs))
        else:
            groups.append(Group(name=name, kind=GroupKind.GROUP, requirements=tuple(reqs),
                                span=loc.span("tool", "pdm", "dev-dependencies", name)))

    indexes = list(manifest.indexes)
    for i, src in enumerate(pdm.get("source") or []):
        if not isinstance(src, dict) or "url" not in src:
            raise _bad(loc, "each [[tool.pdm.source]] needs a url", "tool", "pdm", "source", i)
        name = src.get("name")
        if src.get("type") == "find_links":
            role = IndexRole.FIND_LINKS
        elif name == "pypi":
            role = IndexRole.DEFAULT
        else:
            role = IndexRole.EXTRA
        extra = {k: v for k, v in src.items() if k not in ("name", "url", "verify_ssl", "type")}
        indexes.append(Index(
            name=name, url=src["url"], role=role, verify_ssl=src.get("verify_ssl"),
            raw=(Raw(format="pdm", key="source", value=extra),) if extra else (),
            span=loc.span("tool", "pdm", "source", i),
        ))

    raw = list(manifest.raw)
    for key, value in pdm.items():
        if key in ("dev-dependencies", "source"):
            continue
        raw.append(Raw(format="pdm", key=f"tool.pdm.{key}", value=value, span=loc.span("tool", "pdm", key)))
    resolution = pdm.get("resolution") or {}
    strategy = manifest.index_strategy
    if isinstance(resolution, dict) and resolution.get("respect-source-order"):
        strategy = "first-index"
    return manifest.replace(groups=tuple(groups), indexes=tuple(indexes), raw=tuple(raw), index_strategy=strategy)


def pdm_source_entry(index: Index) -> dict[str, Any]:
    """The ``[[tool.pdm.source]]`` table for an index."""
    out: dict[str, Any] = {"name": index.name or "index", "url": index.url}
    if index.verify_ssl is not None:
        out["verify_ssl"] = index.verify_ssl
    if index.role is IndexRole.FIND_LINKS:
        out["type"] = "find_links"
    for raw in index.raw:
        if raw.format == "pdm" and raw.key == "source":
            out.update(raw.value)
    return out
