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
    IndexRef,
    IndexRole,
    LocalPath,
    Manifest,
    Raw,
    Requirement,
    Url,
    canonical_name,
)
from ...report import Report

__all__ = ["overrides_to_pep508", "pdm_source_entry", "project_root_paths", "read_pdm"]


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
    # a local file (an sdist or wheel) comes back from PEP 508 as a file: URL, a directory as a path
    if isinstance(src, (LocalPath, Url)):
        text = src.path if isinstance(src, LocalPath) else src.url
        m = re.match(r"(?:file://)?/*\$\{PROJECT_ROOT\}/?(.*)$", text)
        if m:
            rest = m.group(1)
            path = rest if rest.startswith("../") else "./" + rest if rest else "."
            return req.replace(source=LocalPath(path=path, subdirectory=src.subdirectory))
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
    pinned: dict[str, str] = {}  # canonical package name -> the source whose include_packages names it
    for i, src in enumerate(pdm.get("source") or []):
        if not isinstance(src, dict) or "url" not in src:
            raise _bad(loc, "each [[tool.pdm.source]] needs a url", "tool", "pdm", "source", i)
        name = src.get("name")
        include = _patterns(src, "include_packages", loc, i)
        exclude = _patterns(src, "exclude_packages", loc, i)
        if src.get("type") == "find_links":
            role = IndexRole.FIND_LINKS
        elif name == "pypi":
            role = IndexRole.DEFAULT
        elif exclude == ["*"]:
            role = IndexRole.EXPLICIT  # searched only for the packages include_packages names (uv explicit = true)
        else:
            role = IndexRole.EXTRA
        if name:
            for pattern in include:
                if not _is_glob(pattern):
                    pinned.setdefault(canonical_name(pattern), name)
        extra = {k: v for k, v in src.items() if k not in ("name", "url", "verify_ssl", "type")}
        indexes.append(Index(
            name=name, url=src["url"], role=role, verify_ssl=src.get("verify_ssl"),
            raw=(Raw(format="pdm", key="source", value=extra),) if extra else (),
            span=loc.span("tool", "pdm", "source", i),
        ))
    if pinned:  # include_packages = ["torch"]: PDM looks torch up in that source only (uv/Poetry: index = "...")
        groups = [g.replace(requirements=tuple(
            r.replace(source=IndexRef(name=pinned[r.key])) if r.source is None and r.key in pinned else r
            for r in g.requirements)) for g in groups]

    raw = list(manifest.raw)
    allow_pre = manifest.allow_prereleases
    strategy = manifest.index_strategy
    for key, value in pdm.items():
        if key in ("dev-dependencies", "source"):
            continue
        if key == "resolution" and isinstance(value, dict):
            rest = {k: v for k, v in value.items() if k not in ("allow-prereleases", "overrides")}
            if value.get("allow-prereleases"):
                allow_pre = True
            if value.get("respect-source-order"):
                strategy = "first-index"
            if rest:
                raw.append(Raw(format="pdm", key="tool.pdm.resolution", value=rest, span=loc.span("tool", "pdm", key)))
            if "overrides" in value:
                overrides = value["overrides"]
                if not isinstance(overrides, dict) or not all(isinstance(v, str) for v in overrides.values()):
                    raise _bad(loc, "tool.pdm.resolution.overrides must be a table of package = \"specifier or URL\"",
                               "tool", "pdm", "resolution", "overrides")
                raw.append(Raw(format="pdm", key="tool.pdm.resolution.overrides", value=value["overrides"],
                               span=loc.span("tool", "pdm", "resolution", "overrides")))
            continue
        raw.append(Raw(format="pdm", key=f"tool.pdm.{key}", value=value, span=loc.span("tool", "pdm", key)))
    return manifest.replace(groups=tuple(groups), indexes=tuple(indexes), raw=tuple(raw), index_strategy=strategy,
                            allow_prereleases=allow_pre)


def _patterns(src: dict[str, Any], key: str, loc: TomlLocator, i: int) -> list[str]:
    value = src.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(loc, f"tool.pdm.source[{i}].{key} must be an array of package names or patterns",
                   "tool", "pdm", "source", i, key)
    return value


def _is_glob(pattern: str) -> bool:
    return any(c in pattern for c in "*?[")


def overrides_to_pep508(overrides: dict[str, Any]) -> list[str]:
    """``[tool.pdm.resolution.overrides]`` as PEP 508 strings, the way PDM itself hands them to uv
    (``pdm.utils.get_requirement_from_override``): a URL -> ``name @ url``; a specifier -> ``name<spec>``; a bare
    version -> ``name==version``."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    out = []
    for name, value in overrides.items():
        text = str(value).strip()
        if text in ("", "*"):
            out.append(name)
            continue
        if "://" in text:
            out.append(f"{name} @ {text}")
            continue
        try:
            SpecifierSet(text)
        except InvalidSpecifier:
            out.append(f"{name}=={text}")
        else:
            out.append(f"{name}{text}")
    return out


def pdm_source_entry(index: Index, *, name: str | None = None, pinned: tuple[str, ...] = ()) -> dict[str, Any]:
    """The ``[[tool.pdm.source]]`` table for an index (``name``: the name it is written under).

    ``pinned`` are the requirements that name this index (IndexRef): PDM says so with ``include_packages``; an
    explicit index (searched for those packages only) adds ``exclude_packages = ["*"]``. Patterns the file had
    beyond that (globs, transitive names) stay as written, and a list that already says the same is kept verbatim.
    """
    out: dict[str, Any] = {"name": name or index.name or "index", "url": index.url}
    if index.verify_ssl is not None:
        out["verify_ssl"] = index.verify_ssl
    if index.role is IndexRole.FIND_LINKS:
        out["type"] = "find_links"
    kept: dict[str, Any] = {}
    for raw in index.raw:
        if raw.format == "pdm" and raw.key == "source":
            kept.update(raw.value)
    include = [str(p) for p in kept.pop("include_packages", [])]
    exclude = [str(p) for p in kept.pop("exclude_packages", [])]
    names = {canonical_name(p) for p in include if not _is_glob(p)}
    want = {canonical_name(p) for p in pinned}
    if want - names:
        include = [*include, *(p for p in pinned if canonical_name(p) not in names)]
    explicit = index.role is IndexRole.EXPLICIT
    if explicit and "*" not in exclude:
        exclude = [*exclude, "*"]
    elif not explicit and exclude == ["*"]:
        exclude = []
    if include:
        out["include_packages"] = include
    if exclude:
        out["exclude_packages"] = exclude
    out.update(kept)
    return out
