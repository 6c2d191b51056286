"""What a Pipfile written for a manifest holds, as plain data: sections, sources, [requires], [pipenv].

Shared by the fresh and the base-mode writer (:mod:`.writer`), which only turn this data into TOML.
"""

from __future__ import annotations

from typing import Any

from ...ir.model import (
    Group,
    GroupKind,
    IndexRole,
    Manifest,
    Requirement,
    Url,
    Vcs,
    canonical_name,
)
from ...ir.select import DEV_GROUP_NAMES
from ...report import Report, Severity
from .._naming import derived_name, location
from .entries import FORMAT
from .reader import DEFAULT_SOURCE, DEV_SECTION, MAIN_SECTION, SECTIONS

__all__ = [
    "other_tables",
    "pipenv_keys",
    "plan_sections",
    "python_keys",
    "source_tables",
    "unique_entries",
]

# ------------------------------------------------------------------------------------------- planning


def plan_sections(manifest: Manifest, report: Report) -> list[tuple[str, Group]]:
    """(Pipfile section, group) for every group a Pipfile can hold, in manifest order (main first)."""
    out: list[tuple[str, Group]] = []
    used: set[str] = set()
    for group in manifest.groups:
        if group.kind is GroupKind.EXTRA:
            continue  # reported by the preflight (extras-dropped)
        if group.kind is GroupKind.MAIN:
            section = MAIN_SECTION
        elif (
            group.kind is GroupKind.GROUP
            and canonical_name(group.name) in DEV_GROUP_NAMES
            and DEV_SECTION not in used
        ):
            section = DEV_SECTION
        else:
            section = group.name
            if section in SECTIONS or section in ("default", "develop") or section in used:
                renamed = f"{section}-packages"
                n = 2
                while renamed in used or renamed in SECTIONS:
                    renamed = f"{section}-packages-{n}"
                    n += 1
                report.add(
                    "pipfile-category-renamed",
                    Severity.WARNING,
                    f"group {group.name!r} is written as Pipfile category [{renamed}]: "
                    f"[{section}] means something else in a Pipfile",
                    subject=group.name,
                    span=group.span,
                )
                section = renamed
        if section in used:  # a second main group: merge into [packages]
            idx = next(i for i, (s, _) in enumerate(out) if s == section)
            prev = out[idx][1]
            out[idx] = (section, prev.replace(requirements=prev.requirements + group.requirements))
            continue
        used.add(section)
        out.append((section, group))
    if MAIN_SECTION not in used:
        out.insert(0, (MAIN_SECTION, Group(name="main", kind=GroupKind.MAIN)))
    rank = {MAIN_SECTION: 0, DEV_SECTION: 1}
    return sorted(out, key=lambda pair: rank.get(pair[0], 2))


def unique_entries(section: str, group: Group, report: Report) -> list[Requirement]:
    seen: dict[str, Requirement] = {}
    out: list[Requirement] = []
    named = {r.key for r in group.requirements if r.name}
    for req in group.requirements:
        if not req.name:
            # a key no named requirement of the section uses (dask's `git+.../distributed` next to `distributed`)
            derived = derived_name(req, taken=named | set(seen))
            if derived is None:
                report.add(
                    "pipfile-unnamed-dropped",
                    Severity.ERROR,
                    "a requirement without a package name or a path/URL to key it by cannot be a Pipfile entry",
                    subject=str(req.source),
                    span=req.span,
                )
                continue
            report.add(
                "pipfile-name-derived",
                Severity.INFO,
                f"{location(req)!r} has no package name; its Pipfile key is {derived!r} (pipenv installs it by "
                f"its {'URL' if isinstance(req.source, (Url, Vcs)) else 'path'} and locks it under its real name)",
                subject=derived,
                span=req.span,
            )
            req = req.replace(name=derived)
        if req.key in seen:
            report.add(
                "pipfile-duplicate-dropped",
                Severity.ERROR,
                f"{req.name!r} appears twice in group {group.name!r}; a Pipfile section holds one entry per "
                f"package, so only the first is written",
                subject=req.name,
                span=req.span,
            )
            continue
        seen[req.key] = req
        out.append(req)
    return out


def source_tables(manifest: Manifest, report: Report) -> tuple[list[dict[str, Any]], bool]:
    """The ``[[source]]`` tables (plain dicts, pipenv key order) and whether ``install_search_all_sources`` is
    needed so the extra indexes keep their meaning."""
    indexes = [i for i in manifest.indexes if i.role is not IndexRole.FIND_LINKS]
    indexes.sort(key=lambda i: i.role is not IndexRole.DEFAULT)
    tables: list[dict[str, Any]] = []
    names: set[str] = set()
    if not indexes or indexes[0].role is not IndexRole.DEFAULT:
        tables.append(dict(DEFAULT_SOURCE))
        names.add(str(DEFAULT_SOURCE["name"]))
    # every index after the default one (all of them when PyPI was put first as the default)
    search_all = any(
        i.role in (IndexRole.EXTRA, IndexRole.PRIMARY, IndexRole.SUPPLEMENTAL) for i in (indexes if tables else indexes[1:])
    )
    for n, index in enumerate(indexes):
        if index.role is IndexRole.DEFAULT and (n > 0 or tables):
            report.add(
                "pipfile-index-role-changed",
                Severity.WARNING,
                f"index {index.name or index.url!r} is a second default index; a Pipfile has one default "
                f"(the first [[source]]), so it becomes an extra source",
                subject=index.name or index.url,
                span=index.span,
            )
        elif index.role is IndexRole.SUPPLEMENTAL or (search_all and index.role is IndexRole.EXPLICIT):
            report.add(
                "pipfile-index-role-changed",
                Severity.WARNING,
                f"index {index.name or index.url!r} is {index.role.value}; pipenv searches every source "
                f"alike once install_search_all_sources is on",
                subject=index.name or index.url,
                span=index.span,
            )
        name = index.name or _derived_name(index.url)
        base, k = name, 2
        while name in names:
            name = f"{base}-{k}"
            k += 1
        names.add(name)
        table: dict[str, Any] = {"url": index.url}
        if index.verify_ssl is not None:
            table["verify_ssl"] = index.verify_ssl
        table["name"] = name
        for raw in index.raw:
            if raw.format == FORMAT and raw.key not in table:
                table[raw.key] = raw.value
        tables.append(table)
    return tables, search_all


def _derived_name(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.hostname or parts.path.rstrip("/").rsplit("/", 1)[-1] or "index"


def python_keys(manifest: Manifest, report: Report) -> dict[str, Any]:
    """``[requires]`` as plain data: python_version (``==X.Y.*``) or python_full_version (``==X.Y.Z``)."""
    from ...dialects import pipfile as dialect

    out: dict[str, Any] = {}
    spec = manifest.python
    if spec is not None and not spec.is_any:
        pair = dialect.requires_from_python(spec)
        if pair is not None:
            out[pair[0]] = pair[1]
        else:
            report.add(
                "pipfile-python-inexact",
                Severity.WARNING,
                f"python {spec.raw} is not one release series or version; a Pipfile's [requires] names one "
                f'(python_version "3.11" means 3.11.*), so it is left out',
                subject=f"python {spec.raw}",
                span=manifest.span,
            )
    for raw in manifest.raw:
        if raw.format == FORMAT and raw.key.startswith("requires."):
            key = raw.key.partition(".")[2]
            out.setdefault(key, raw.value)
    return out


def pipenv_keys(manifest: Manifest, search_all: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if manifest.allow_prereleases is not None:
        out["allow_prereleases"] = manifest.allow_prereleases
    if search_all:
        out["install_search_all_sources"] = True
    for raw in manifest.raw:
        if raw.format == FORMAT and raw.key.startswith("pipenv."):
            out.setdefault(raw.key.partition(".")[2], raw.value)
    return out


def other_tables(manifest: Manifest) -> list[tuple[str, Any]]:
    return [
        (raw.key, raw.value)
        for raw in manifest.raw
        if raw.format == FORMAT and not raw.key.startswith(("requires.", "pipenv."))
    ]
