"""Manifest -> Pipfile text, fresh (pipenv's conventional layout) or edited into an existing Pipfile.

Fresh mode writes what ``pipenv install`` writes: ``[[source]]`` (url, verify_ssl, name), ``[packages]``,
``[dev-packages]`` (both always present), custom categories, ``[requires]``, then ``[scripts]``, ``[pipenv]``
and any other Pipfile-only tables carried as Raw. A manifest without a default index gets pipenv's default PyPI
source first. Base mode (tomlkit) compares the manifest with what the base file says and touches only the entries,
sources and keys that changed, so comments, order and quoting survive; an unchanged manifest gives the base back
byte for byte.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import fields, is_dataclass, replace
from typing import Any

from ...format import ReadOptions
from ...ir.model import (
    Group,
    GroupKind,
    IndexRole,
    LocalPath,
    Manifest,
    Requirement,
    Url,
    Vcs,
    canonical_name,
)
from ...ir.select import DEV_GROUP_NAMES
from ...report import Report, Severity
from .entries import FORMAT, render_entry, split_name
from .reader import DEFAULT_SOURCE, DEV_SECTION, MAIN_SECTION, SECTIONS, read

__all__ = ["derived_name", "plan_sections", "python_keys", "source_tables", "write"]


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


def _unique_entries(section: str, group: Group, report: Report) -> list[Requirement]:
    seen: dict[str, Requirement] = {}
    out: list[Requirement] = []
    for req in group.requirements:
        if not req.name:
            derived = derived_name(req)
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
                f"{_where(req)!r} has no package name; its Pipfile key is {derived!r} (pipenv installs it by "
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


_ARCHIVE = re.compile(
    r"^(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?)-\d[^/]*\.(?:whl|zip|tar\.gz|tgz|tar\.bz2)$"
)


def _where(req: Requirement) -> str:
    src = req.source
    if isinstance(src, LocalPath):
        return src.path
    if isinstance(src, (Url, Vcs)):
        return src.url
    return ""


def derived_name(req: Requirement) -> str | None:
    """A Pipfile key for a requirement with no name: the archive's project name, the directory's or
    repository's name, else (``.``) a short hash of the location as legacy pipenv wrote (``"e1839a8"``)."""
    where = _where(req).rstrip("/")
    if not where:
        return None
    leaf = where.rsplit("/", 1)[-1]
    m = _ARCHIVE.match(leaf)
    if m:
        return m["name"]
    leaf = leaf.removesuffix(".git")
    parsed = split_name(leaf)
    if parsed is not None and not parsed[1] and leaf not in (".", ".."):
        return leaf
    return hashlib.sha256(where.encode("utf-8")).hexdigest()[:7]


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
    search_all = any(
        i.role in (IndexRole.EXTRA, IndexRole.PRIMARY, IndexRole.SUPPLEMENTAL) for i in indexes[1:]
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


def _pipenv_keys(manifest: Manifest, search_all: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if manifest.allow_prereleases is not None:
        out["allow_prereleases"] = manifest.allow_prereleases
    if search_all:
        out["install_search_all_sources"] = True
    for raw in manifest.raw:
        if raw.format == FORMAT and raw.key.startswith("pipenv."):
            out.setdefault(raw.key.partition(".")[2], raw.value)
    return out


def _other_tables(manifest: Manifest) -> list[tuple[str, Any]]:
    return [
        (raw.key, raw.value)
        for raw in manifest.raw
        if raw.format == FORMAT and not raw.key.startswith(("requires.", "pipenv."))
    ]


# --------------------------------------------------------------------------------------- tomlkit values


def _item(value: Any) -> Any:
    import tomlkit

    if isinstance(value, str):
        if '"' in value and "'" not in value and "\n" not in value:
            return tomlkit.string(value, literal=True)
        return tomlkit.string(value)
    if isinstance(value, dict):
        table = tomlkit.inline_table()
        for k, v in value.items():
            table[k] = _item(v)
        return table
    if isinstance(value, list):
        arr = tomlkit.array()
        for v in value:
            arr.append(_item(v))
        return arr
    return value


def _table(value: dict[str, Any]) -> Any:
    import tomlkit

    table = tomlkit.table()
    for k, v in value.items():
        table[k] = _item(v)
    return table


def _entry_item(req: Requirement, report: Report) -> tuple[str, Any]:
    key, value = render_entry(req, report)
    return key, _item(value)


# ------------------------------------------------------------------------------------------------ fresh


def _fresh(manifest: Manifest, report: Report) -> str:
    import tomlkit

    doc = tomlkit.document()
    for comment in manifest.comments:
        doc.add(tomlkit.comment(comment))
    for key, value in _other_tables(manifest):
        if not isinstance(value, dict):
            doc[key] = _item(value)
    sources, search_all = source_tables(manifest, report)
    aot = tomlkit.aot()
    for src in sources:
        aot.append(_table(src))
    doc["source"] = aot
    sections = plan_sections(manifest, report)
    written = {s for s, _ in sections}
    for section, group in sections:
        doc[section] = _section_table(section, group, report)
        if section == MAIN_SECTION and DEV_SECTION not in written:
            doc[DEV_SECTION] = tomlkit.table()
            written.add(DEV_SECTION)
    requires = python_keys(manifest, report)
    if requires:
        doc["requires"] = _table(requires)
    for key, value in _other_tables(manifest):
        if isinstance(value, dict):
            doc[key] = _table(value)
    pipenv = _pipenv_keys(manifest, search_all)
    if pipenv:
        doc["pipenv"] = _table(pipenv)
    return tomlkit.dumps(doc)


def _section_table(section: str, group: Group, report: Report) -> Any:
    import tomlkit

    table = tomlkit.table()
    for req in _unique_entries(section, group, report):
        for comment in req.comments:
            table.add(tomlkit.comment(comment))
        key, value = _entry_item(req, report)
        table[key] = value
    for raw in group.raw:
        if raw.format == FORMAT and raw.key not in table:
            table[raw.key] = _item(raw.value)
    for comment in group.comments:
        table.add(tomlkit.comment(comment))
    return table


# ------------------------------------------------------------------------------------------------- base


def _bare(value: Any) -> Any:
    """``value`` without spans and reader losses, for "did this change?" comparisons."""
    if is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in fields(value):
            if f.name == "span":
                changes["span"] = None
            elif f.name == "losses":
                changes["losses"] = ()
            else:
                v = getattr(value, f.name)
                nv = _bare(v)
                if nv is not v:
                    changes[f.name] = nv
        return replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        items = tuple(_bare(v) for v in value)
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


def _same_entry(a: Requirement, b: Requirement) -> bool:
    return _bare(a.replace(comments=())) == _bare(b.replace(comments=()))


def _base(manifest: Manifest, base: str, report: Report) -> str:
    import tomlkit

    bom = "\ufeff" if base.startswith("\ufeff") else ""
    body = base[len(bom) :]
    old = read(base, ReadOptions())
    if _bare(old) == _bare(manifest.replace(format=FORMAT)):
        return base
    doc = tomlkit.parse(body)

    sources, search_all = source_tables(manifest, report)
    if _bare(old.indexes) != _bare(manifest.indexes):
        if manifest.indexes:
            aot = tomlkit.aot()
            existing = list(doc.get("source", []))
            for src in sources:
                match = next((t for t in existing if t.unwrap() == src), None)
                aot.append(match if match is not None else _table(src))
            doc["source"] = aot
        elif "source" in doc and not _only_pypi(doc["source"]):
            del doc["source"]  # no index named: pipenv's default, PyPI (an explicit PyPI source stays)

    sections = plan_sections(manifest, report)
    wanted = {s for s, _ in sections}
    old_sections = {_section_of(g): g for g in old.groups}
    for name in list(doc.keys()):
        if name not in SECTIONS and name not in wanted and isinstance(doc[name], dict):
            del doc[name]
    if DEV_SECTION in doc and DEV_SECTION not in wanted:  # pipenv keeps an empty [dev-packages]
        for key in list(doc[DEV_SECTION].keys()):
            del doc[DEV_SECTION][key]
    for section, group in sections:
        if section not in doc:
            doc[section] = _section_table(section, group, report)
            continue
        _edit_section(doc[section], group, old_sections.get(section), report)

    _sync_table(doc, "requires", python_keys(manifest, report), _as_dict(doc.get("requires")))
    _sync_table(doc, "pipenv", _pipenv_keys(manifest, search_all), _as_dict(doc.get("pipenv")))
    for key, value in _other_tables(manifest):
        if key not in doc or _plain(doc[key]) != value:
            doc[key] = _table(value) if isinstance(value, dict) else _item(value)
    kept = {k for k, _ in _other_tables(manifest)}
    for key in list(doc.keys()):
        if key in ("scripts", "pipfile") and key not in kept:
            del doc[key]
    return bom + tomlkit.dumps(doc)


def _only_pypi(sources: Any) -> bool:
    plain = _plain(sources)
    return (
        isinstance(plain, list)
        and len(plain) == 1
        and isinstance(plain[0], dict)
        and str(plain[0].get("url", "")).rstrip("/")
        in ("https://pypi.org/simple", "https://pypi.python.org/simple")
        and plain[0].get("verify_ssl", True) is True
    )


def _section_of(group: Group) -> str:
    if group.kind is GroupKind.MAIN:
        return MAIN_SECTION
    if group.kind is GroupKind.GROUP and group.name == "dev":
        return DEV_SECTION
    return group.name


def _plain(value: Any) -> Any:
    unwrap = getattr(value, "unwrap", None)
    return unwrap() if unwrap is not None else value


def _as_dict(value: Any) -> dict[str, Any]:
    plain = _plain(value)
    return dict(plain) if isinstance(plain, dict) else {}


def _sync_table(doc: Any, name: str, wanted: dict[str, Any], current: dict[str, Any]) -> None:
    """Set changed keys, remove dropped ones; a table that ends up empty and was absent stays absent."""
    if wanted == current:
        return
    if name not in doc:
        if wanted:
            doc[name] = _table(wanted)
        return
    table = doc[name]
    for key in list(table.keys()):
        if key not in wanted:
            del table[key]
    for key, value in wanted.items():
        if key not in current or current[key] != value:
            table[key] = _item(value)


def _edit_section(table: Any, group: Group, old: Group | None, report: Report) -> None:
    old_by_key: dict[str, Requirement] = {}
    if old is not None:
        for req in old.requirements:
            old_by_key.setdefault(req.key, req)
    doc_keys = _doc_keys(table)
    new_reqs = _unique_entries(group.name, group, report)
    new_keys = {r.key for r in new_reqs}
    raw_keys = {r.key for r in group.raw if r.format == FORMAT}
    for doc_key, canon in list(doc_keys.items()):
        if canon not in new_keys and doc_key not in raw_keys:
            del table[doc_key]
    by_canon = {canon: doc_key for doc_key, canon in doc_keys.items()}
    for req in new_reqs:
        prev = old_by_key.get(req.key)
        doc_key = by_canon.get(req.key)
        if prev is not None and doc_key is not None and _same_entry(prev, req):
            continue
        key, value = _entry_item(req, report)
        if doc_key is not None and doc_key == key:
            table[key] = value
            continue
        if doc_key is not None:
            del table[doc_key]
        table[key] = value
    for raw in group.raw:
        if raw.format == FORMAT and raw.key not in table:
            table[raw.key] = _item(raw.value)


def _doc_keys(table: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for key in table:
        parsed = split_name(key)
        out[key] = canonical_name(parsed[0]) if parsed else key
    return out


# ------------------------------------------------------------------------------------------------ entry


def write(manifest: Manifest, *, base: str | None, report: Report) -> str:
    """The Pipfile text for ``manifest``: fresh, or ``base`` edited where the manifest differs from it."""
    if base is None:
        return _fresh(manifest, report)
    return _base(manifest, base, report)
