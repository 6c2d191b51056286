"""Groups and markers of a poetry.lock that does not record them (lock 1.1 / 2.0), from the pyproject beside it.

The roots are the project's dependencies per group (``[tool.poetry.dependencies]``, ``dev-dependencies``,
``[tool.poetry.group.<g>.dependencies]``, ``[project]`` dependencies and optional-dependencies, PEP 735
``[dependency-groups]``), each with its marker (``markers``/``python``/``platform``) and requested extras.
From each root the lock's ``[package.dependencies]`` edges are followed, ANDing edge markers onto the path's
marker (optional edges only when the parent's requested extras list them); a package's marker in a group is the
OR of every path that reaches it. This is what Poetry 2.1 writes into ``markers`` itself.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..._records import record
from ...dialects import markers as md
from ...ir.model import canonical_name

__all__ = ["MAX_PATHS", "Root", "roots_from_pyproject", "strip_extra", "walk"]

MAX_PATHS = 64  # distinct markers per package and group before giving up (kept for every environment)
_EXTRA_ONLY = re.compile(r"""^\(?\s*extra\s*==\s*["'][^"']+["']\s*(?:or\s+extra\s*==\s*["'][^"']+["']\s*)*\)?$""")
_EXTRA_AND = re.compile(
    r"""^(?P<ex>\(?\s*extra\s*==\s*["'][^"']+["']\s*(?:or\s+extra\s*==\s*["'][^"']+["']\s*)*\)?)\s+and\s+(?P<rest>.+)$"""
)
_AND_EXTRA = re.compile(
    r"""^(?P<rest>.+?)\s+and\s+(?P<ex>\(?\s*extra\s*==\s*["'][^"']+["']\s*(?:or\s+extra\s*==\s*["'][^"']+["']\s*)*\)?)$"""
)
_EXTRA_NAME = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")


def strip_extra(marker: str | None) -> tuple[str | None, tuple[str, ...]]:
    """(marker without its ``extra == ...`` clause, the extras it named); unchanged when the shape is unusual."""
    if not marker or "extra" not in marker:
        return marker, ()
    text = marker.strip()
    if _EXTRA_ONLY.match(text):
        return None, tuple(_EXTRA_NAME.findall(text))
    for pattern in (_EXTRA_AND, _AND_EXTRA):
        m = pattern.match(text)
        if m and "extra" not in m["rest"]:
            return m["rest"].strip(), tuple(_EXTRA_NAME.findall(m["ex"]))
    return marker, ()


@record(kw_only=False)
class Root:
    """A dependency the project itself declares, where the lock graph walk starts."""

    group: str  # "main", a group name, or "extra:<name>" for the project's own extras
    name: str
    marker: str | None
    extras: tuple[str, ...] = ()


def _entry_marker(value: dict[str, Any]) -> str | None:
    parts: list[str | None] = []
    if isinstance(value.get("markers"), str):
        parts.append(value["markers"])
    if isinstance(value.get("python"), str):
        parts.append(md.marker_from_python_constraint(value["python"]))
    if isinstance(value.get("platform"), str):
        parts.append(md.marker_from_platform(value["platform"]))
    return md.and_markers(*parts)


def _entries(name: str, value: Any) -> Iterator[tuple[str | None, tuple[str, ...], bool]]:
    """(marker, extras, optional) of each constraint of a Poetry dependency value."""
    for v in value if isinstance(value, list) else [value]:
        if isinstance(v, dict):
            yield _entry_marker(v), tuple(v.get("extras") or ()), bool(v.get("optional", False))
        else:
            yield None, (), False


def _pep508(text: str) -> tuple[str, str | None, tuple[str, ...]]:
    from ...dialects.pep508 import parse_requirement

    req = parse_requirement(text)
    return req.name, req.marker, req.extras


def roots_from_pyproject(doc: dict[str, Any]) -> list[Root]:
    roots: list[Root] = []
    tp = (doc.get("tool") or {}).get("poetry") or {}
    project_table = doc.get("project")
    project: dict[str, Any] = project_table if isinstance(project_table, dict) else {}
    extras_of: dict[str, list[str]] = {}
    for extra, names in (tp.get("extras") or {}).items():
        for n in names:
            extras_of.setdefault(canonical_name(re.split(r"[\s\[(;<>=!~]", n, 1)[0]), []).append(extra)
    if "dependencies" in project or project.get("optional-dependencies"):
        for text in project.get("dependencies") or []:
            name, marker, extras = _pep508(text)
            roots.append(Root("main", name, marker, extras))
        for extra, items in (project.get("optional-dependencies") or {}).items():
            for text in items:
                name, marker, extras = _pep508(text)
                roots.append(Root(f"extra:{extra}", name, marker, extras))
    else:
        for name, value in (tp.get("dependencies") or {}).items():
            if name.lower() == "python":
                continue
            for marker, extras, optional in _entries(name, value):
                if optional:
                    for extra in extras_of.get(canonical_name(name), []):
                        roots.append(Root(f"extra:{extra}", name, marker, extras))
                else:
                    roots.append(Root("main", name, marker, extras))
    for group, items in (doc.get("dependency-groups") or {}).items():
        for item in items:
            if isinstance(item, str):
                name, marker, extras = _pep508(item)
                roots.append(Root(group, name, marker, extras))
    for group, config in (tp.get("group") or {}).items():
        for name, value in ((config or {}).get("dependencies") or {}).items():
            for marker, extras, _ in _entries(name, value):
                roots.append(Root(group, name, marker, extras))
    for name, value in (tp.get("dev-dependencies") or {}).items():
        for marker, extras, _ in _entries(name, value):
            roots.append(Root("dev", name, marker, extras))
    return roots


@record(kw_only=False)
class Edge:
    """A locked package's dependency on another package, with its marker and extras."""

    name: str
    marker: str | None
    extras: tuple[str, ...]
    optional: bool


def edges_of(package: dict[str, Any]) -> list[Edge]:
    out = []
    for name, value in (package.get("dependencies") or {}).items():
        for marker, extras, optional in _entries(name, value):
            marker, _ = strip_extra(marker)
            out.append(Edge(canonical_name(name), marker, extras, optional))
    return out


def _extra_members(package: dict[str, Any], extras: tuple[str, ...]) -> set[str]:
    wanted = {canonical_name(e) for e in extras}
    out: set[str] = set()
    for extra, items in (package.get("extras") or {}).items():
        if canonical_name(extra) in wanted:
            for item in items:
                out.add(canonical_name(re.split(r"[\s\[(;<>=!~]", item.strip(), 1)[0]))
    return out


def walk(roots: list[Root], packages: dict[str, dict[str, Any]]) -> tuple[dict[str, dict[str, str | None]], set[str]]:
    """({group: {package key: marker or None}}, groups where a package hit :data:`MAX_PATHS`)."""
    result: dict[str, dict[str, set[str | None]]] = {}
    capped: set[str] = set()
    by_group: dict[str, list[Root]] = {}
    for r in roots:
        by_group.setdefault(r.group, []).append(r)
    for group, rs in by_group.items():
        seen: set[tuple[str, str | None, tuple[str, ...]]] = set()
        found: dict[str, set[str | None]] = {}
        stack = [(canonical_name(r.name), r.marker, tuple(sorted(canonical_name(e) for e in r.extras))) for r in rs]
        while stack:
            key, marker, extras = stack.pop()
            if (key, marker, extras) in seen or key not in packages:
                continue
            seen.add((key, marker, extras))
            markers = found.setdefault(key, set())
            if marker is not None and (key, None, extras) in seen:
                continue  # an unconditional path with the same extras already covers this one
            markers.add(marker)
            if len(markers) > MAX_PATHS:
                found[key] = {None}
                capped.add(group)
            package = packages[key]
            members = _extra_members(package, extras)
            for edge in edges_of(package):
                if edge.optional and edge.name not in members:
                    continue
                child = md.and_markers(marker, edge.marker)
                stack.append((edge.name, child, tuple(sorted(canonical_name(e) for e in edge.extras))))
        result[group] = found
    out: dict[str, dict[str, str | None]] = {}
    for group, found in result.items():
        out[group] = {}
        for key, markers in found.items():
            if None in markers:
                out[group][key] = None
            else:
                ordered = sorted(m for m in markers if m is not None)
                out[group][key] = md.or_markers(*(f"({m})" if " or " in m and len(ordered) > 1 else m
                                                  for m in ordered))
    return out, capped
