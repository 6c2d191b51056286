"""Manifest -> Pipfile text, fresh (pipenv's conventional layout) or edited into an existing Pipfile.

Fresh mode writes what ``pipenv install`` writes: ``[[source]]`` (url, verify_ssl, name), ``[packages]``,
``[dev-packages]`` (both always present), custom categories, ``[requires]``, then ``[scripts]``, ``[pipenv]``
and any other Pipfile-only tables carried as Raw. A manifest without a default index gets pipenv's default PyPI
source first. Base mode (tomlkit) compares the manifest with what the base file says and touches only the entries,
sources and keys that changed, so comments, order and quoting survive; an unchanged manifest gives the base back
byte for byte.
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace
from typing import Any

from ...edit import tomlemit as emit
from ...edit.tomlops import EmitOps, TomlkitOps
from ...format import ReadOptions
from ...ir.model import (
    Group,
    GroupKind,
    Manifest,
    Requirement,
    canonical_name,
)
from ...report import Report
from .entries import FORMAT, render_entry, split_name
from .layout import other_tables, pipenv_keys, plan_sections, python_keys, source_tables, unique_entries
from .reader import DEV_SECTION, MAIN_SECTION, SECTIONS, read

__all__ = ["FRESH_WITH_TOMLKIT", "write"]

# Tests set this to compare the tomlkit rendering of a fresh Pipfile with the emitter's (they must be equal).
FRESH_WITH_TOMLKIT = False


# ------------------------------------------------------------------------------------------------ values


def _value(value: Any, ops: Any = TomlkitOps) -> Any:
    """A Pipfile value as pipenv writes it: a string with double quotes (and no single quote) as a literal string,
    mappings as ``{a = 1}`` inline tables, lists on one line."""
    if isinstance(value, str):
        if '"' in value and "'" not in value and "\n" not in value:
            return ops.literal(value)
        return ops.string(value)
    if isinstance(value, dict):
        return ops.inline({k: _value(v, ops) for k, v in value.items()})
    if isinstance(value, list):
        return ops.array(_value(v, ops) for v in value)
    return value


def _table(value: dict[str, Any], ops: Any = TomlkitOps) -> Any:
    table = ops.new_table()
    for k, v in value.items():
        table[k] = _value(v, ops)
    return table


# ------------------------------------------------------------------------------------------------ fresh


def _fresh(manifest: Manifest, report: Report, ops: Any) -> str:
    """pipenv's layout: comments, top-level values, ``[[source]]``, the sections (``[dev-packages]`` always),
    ``[requires]``, other tables, ``[pipenv]``."""
    doc = ops.document()
    for comment in manifest.comments:
        ops.comment(doc, comment)
    for key, value in other_tables(manifest):
        if not isinstance(value, dict):
            doc[key] = _value(value, ops)
    sources, search_all = source_tables(manifest, report)
    doc["source"] = ops.tables(_table(src, ops) for src in sources)
    sections = plan_sections(manifest, report)
    written = {s for s, _ in sections}
    for section, group in sections:
        doc[section] = _section_table(section, group, report, ops)
        if section == MAIN_SECTION and DEV_SECTION not in written:
            doc[DEV_SECTION] = ops.new_table()
            written.add(DEV_SECTION)
    requires = python_keys(manifest, report)
    if requires:
        doc["requires"] = _table(requires, ops)
    for key, value in other_tables(manifest):
        if isinstance(value, dict):
            doc[key] = _table(value, ops)
    pipenv = pipenv_keys(manifest, search_all)
    if pipenv:
        doc["pipenv"] = _table(pipenv, ops)
    return str(ops.dumps(doc))


def _section_table(section: str, group: Group, report: Report, ops: Any = TomlkitOps) -> Any:
    table = ops.new_table()
    for req in unique_entries(section, group, report):
        for comment in req.comments:
            ops.comment(table, comment)
        key, value = render_entry(req, report)
        table[key] = _value(value, ops)
    for raw in group.raw:
        if raw.format == FORMAT and raw.key not in table:
            table[raw.key] = _value(raw.value, ops)
    for comment in group.comments:
        ops.comment(table, comment)
    return table


# ------------------------------------------------------------------------------------------------- base


def _bare(value: Any) -> Any:
    """``value`` without spans and reader losses, for "did this change?" comparisons."""
    if is_dataclass(value) and not isinstance(value, type):
        changes: dict[str, Any] = {}
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
    same: bool = _bare(a.replace(comments=())) == _bare(b.replace(comments=()))
    return same


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
    _sync_table(doc, "pipenv", pipenv_keys(manifest, search_all), _as_dict(doc.get("pipenv")))
    for key, value in other_tables(manifest):
        if key not in doc or _plain(doc[key]) != value:
            doc[key] = _table(value) if isinstance(value, dict) else _value(value)
    kept = {k for k, _ in other_tables(manifest)}
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
            table[key] = _value(value)


def _edit_section(table: Any, group: Group, old: Group | None, report: Report) -> None:
    old_by_key: dict[str, Requirement] = {}
    if old is not None:
        for req in old.requirements:
            old_by_key.setdefault(req.key, req)
    doc_keys = _doc_keys(table)
    new_reqs = unique_entries(group.name, group, report)
    new_keys = {r.key for r in new_reqs}
    raw_keys = {r.key for r in group.raw if r.format == FORMAT}
    for stale_key, canon in list(doc_keys.items()):
        if canon not in new_keys and stale_key not in raw_keys:
            del table[stale_key]
    by_canon = {canon: doc_key for doc_key, canon in doc_keys.items()}
    for req in new_reqs:
        prev = old_by_key.get(req.key)
        doc_key = by_canon.get(req.key)
        if prev is not None and doc_key is not None and _same_entry(prev, req):
            continue
        key, value = render_entry(req, report)
        value = _value(value)
        if doc_key is not None and doc_key == key:
            table[key] = value
            continue
        if doc_key is not None:
            if _rename_in_place(table, doc_key, key, value):
                continue
            del table[doc_key]
        table[key] = value
    for raw in group.raw:
        if raw.format == FORMAT and raw.key not in table:
            table[raw.key] = _value(raw.value)


def _rename_in_place(table: Any, old: str, new: str, value: Any) -> bool:
    """Replace entry ``old`` by ``new = value`` on the same line (a renamed package keeps its place)."""
    container = getattr(table, "value", None)
    replace_item = getattr(container, "_replace", None)  # tomlkit Container: key and value swapped in place
    if replace_item is None or new in table:
        return False
    replace_item(old, new, value)
    return True


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
        if not FRESH_WITH_TOMLKIT:
            trial = Report(report.losses)
            try:
                text = _fresh(manifest, trial, EmitOps)
            except emit.Unsupported:
                pass  # a value the emitter does not model: tomlkit writes it (same text by construction)
            else:
                report.extend(trial.losses)
                return text
        return _fresh(manifest, report, TomlkitOps)
    return _base(manifest, base, report)
