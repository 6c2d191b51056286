"""Writing ``[tool.uv]``: sources, ``[[tool.uv.index]]``, find-links, no-index, prerelease, index-strategy.

Index semantics differ between tools and are never changed silently: pip (and requirements files, Pipfile,
PDM) take the best version across every index; uv stops at the first index that has the package. Writing
several searched indexes from a best-match source reports ``index-strategy-changed`` unless the user chose
``--index-strategy`` (written to ``[tool.uv] index-strategy``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...edit import tomlemit as emit
from ...errors import ConversionError
from ...ir.model import GroupKind, Index, IndexRole, LocalPath, Manifest, Requirement, canonical_name
from ...report import Report, Severity
from .common import (
    EmitTable,
    emit_inline,
    emit_item,
    ensure_table,
    inline_table_like,
    make_string_array,
    remove_key,
)
from .render import uv_keeps_in_pep508
from .uv import UV_STRATEGIES, source_to_uv

if TYPE_CHECKING:
    from ...format import WriteOptions
    from .writer import Layout

__all__ = ["uv_index_entry", "write_uv"]

PYPI_SIMPLE = ("https://pypi.org/simple", "https://pypi.org/simple/", "https://pypi.python.org/simple",
               "https://pypi.python.org/simple/")


def uv_index_entry(index: Index, report: Report) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if index.name:
        out["name"] = index.name
    out["url"] = index.url
    if index.role is IndexRole.DEFAULT:
        out["default"] = True
    elif index.role is IndexRole.EXPLICIT:
        out["explicit"] = True
    elif index.role is IndexRole.FIND_LINKS:
        out["format"] = "flat"
    elif index.role is IndexRole.SUPPLEMENTAL:
        report.add("index-role-changed", Severity.WARNING,
                   f"index {index.name or index.url!r} is supplemental (used only when no other index has the "
                   "package); uv has no such role, so it is an ordinary index searched before PyPI",
                   subject=index.name or index.url, span=index.span)
    for raw in index.raw:
        if raw.format == "uv" and raw.key == "index":
            out.update(raw.value)
    return out


def _requirements(lay: Layout) -> list[Requirement]:
    out = list(lay.main or [])
    for reqs in lay.extras.values():
        out.extend(reqs)
    for reqs, _, _ in lay.groups.values():
        out.extend(reqs)
    return out


def _searched(manifest: Manifest) -> int:
    from ...ir.features import searched_indexes

    return searched_indexes(manifest)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "unwrap"):
        return value.unwrap()
    return value


def write_uv(
    doc: Any, manifest: Manifest, lay: Layout, texts: Any, report: Report, options: WriteOptions, *,
    fresh: bool, newline: str,
) -> None:
    fresh_emit = isinstance(doc, emit.Table)
    tool = doc.get("tool")
    uv = tool.get("uv") if tool is not None else None
    created: list[Any] = []  # tables this write adds to a base document (each must end with a blank line)

    def table() -> Any:
        nonlocal uv
        if uv is None:
            uv = ensure_table(doc, "tool", "uv")
            created.append(uv)
        return uv

    # Sources.
    desired: dict[str, Any] = {}
    declared = {ix.name for ix in manifest.indexes if ix.name}
    occurrences: dict[str, list[Requirement]] = {}
    for req in _requirements(lay):
        if req.name:
            occurrences.setdefault(req.key, []).append(req)
    scoped = {key: entries for key, reqs in occurrences.items() if (entries := _marker_scoped(reqs)) is not None}
    for req in _requirements(lay):
        if req.name and req.key in scoped:
            for scoped_entry in scoped[req.key]:
                if "index" in scoped_entry and scoped_entry["index"] not in declared:
                    raise ConversionError(f"{req.name!r} names index {scoped_entry['index']!r}, which the manifest "
                                          "does not declare")
            desired.setdefault(req.name, scoped[req.key])
            continue
        if uv_keeps_in_pep508(req):
            continue
        if req.editable and not isinstance(req.source, LocalPath):
            report.add("editable-dropped", Severity.WARNING,
                       f"{req.name!r} is editable; uv installs only local path sources editable",
                       subject=req.name, span=req.span)
        entry = source_to_uv(req)
        if entry is None:
            continue
        if isinstance(entry, dict) and "index" in entry and entry["index"] not in declared:
            raise ConversionError(f"{req.name!r} names index {entry['index']!r}, which the manifest does not declare")
        desired.setdefault(req.name, entry)
    _report_shared_sources(lay, desired, report, scoped=frozenset(scoped))
    for raw in manifest.raw:
        if raw.format == "uv" and raw.key.startswith("tool.uv.sources."):
            desired.setdefault(raw.key[len("tool.uv.sources."):], raw.value)
    existing = uv.get("sources") if uv is not None else None
    if desired or existing is not None:
        if existing is None:
            if fresh_emit:
                existing = EmitTable()
            else:
                import tomlkit

                existing = tomlkit.table()
            table()["sources"] = existing
            created.append(existing)
        by_key = {canonical_name(k): k for k in existing}
        want_keys = {canonical_name(k) for k in desired}
        for key in [k for k in existing if canonical_name(k) not in want_keys]:
            remove_key(existing, key)
        for name, entry in desired.items():
            have = by_key.get(canonical_name(name))
            if have is not None and _plain(existing[have]) == entry:
                continue
            value: Any
            if fresh_emit:  # spaced, as inline_table_like makes it among fresh (spaced) siblings
                if isinstance(entry, dict):
                    value = emit_inline(entry, spaced=True)
                elif canonical_name(name) in scoped:
                    value = emit.Array(emit_inline(e, spaced=True) for e in entry)
                else:
                    value = emit_item(entry)
            else:
                import tomlkit

                if isinstance(entry, dict):
                    value = inline_table_like(entry, existing)
                elif canonical_name(name) in scoped:
                    value = tomlkit.array()
                    for e in entry:
                        value.append(inline_table_like(e, existing))
                else:
                    value = tomlkit.item(entry)
            existing[have or name] = value

    # Indexes.
    indexes = [ix for ix in manifest.indexes if not (ix.role is IndexRole.FIND_LINKS and ix.name is None)]
    find_links = [ix.url for ix in manifest.indexes if ix.role is IndexRole.FIND_LINKS and ix.name is None]
    want_idx = [uv_index_entry(ix, report) for ix in indexes]
    have_idx = uv.get("index") if uv is not None else None
    if (want_idx or have_idx is not None) and (have_idx is None or _plain(list(have_idx)) != want_idx):
        if want_idx:
            uv_table = table()
            uv_table["index"] = _aot(want_idx, fresh_emit)
            if have_idx is None:
                created.append(uv_table["index"])
        elif uv is not None:  # always: have_idx comes from uv
            del uv["index"]
    _set_or_drop(uv, table, "find-links", find_links or None, newline)
    _set_or_drop(uv, table, "no-index", True if manifest.no_index else None, newline)

    # Strategy.
    chosen = options.index_strategy
    if chosen is not None and chosen not in UV_STRATEGIES:
        raise ConversionError(f"unknown index strategy {chosen!r}", hint="uv's values: " + ", ".join(UV_STRATEGIES))
    if chosen is None:
        chosen = manifest.index_strategy if manifest.index_strategy in UV_STRATEGIES else None
        if chosen is None and _searched(manifest) >= 2:
            report.add("index-strategy-changed", Severity.WARNING,
                       "the source takes the best version across all its indexes; uv stops at the first index "
                       "that has the package (choose with --index-strategy: first-index, unsafe-first-match, "
                       "unsafe-best-match)",
                       subject="indexes", span=manifest.span, data={"indexes": _searched(manifest)})
    existing_strategy = uv.get("index-strategy") if uv is not None else None
    if chosen is not None and (chosen != "first-index" or existing_strategy is not None):
        _set_or_drop(uv, table, "index-strategy", chosen, newline)

    has_raw_pre = any(r.format == "uv" and r.key == "tool.uv.prerelease" for r in manifest.raw)
    if not has_raw_pre:
        _set_or_drop(uv, table, "prerelease", "allow" if manifest.allow_prereleases else None, newline)

    if options.keep_locked:
        _write_locked_constraints(uv, table, manifest, report, newline)
    _write_file_constraints(uv, table, manifest, newline)

    _write_default_groups(uv, table, manifest, newline)

    # PDM's resolution overrides are uv's override-dependencies (PDM converts them the same way for uv).
    pdm_overrides = next((r.value for r in manifest.raw
                          if r.format == "pdm" and r.key == "tool.pdm.resolution.overrides"), None)
    has_uv_overrides = any(r.format == "uv" and r.key == "tool.uv.override-dependencies" for r in manifest.raw)
    if pdm_overrides and not has_uv_overrides and (uv is None or "override-dependencies" not in uv):
        from .pdm import overrides_to_pep508

        table()["override-dependencies"] = make_string_array(overrides_to_pep508(dict(pdm_overrides)),
                                                              multiline=len(pdm_overrides) > 1, newline=newline,
                                                              like=table())

    # Everything else uv said that the IR keeps verbatim.
    for raw in manifest.raw:
        if raw.format != "uv" or not raw.key.startswith("tool.uv.") or raw.key.startswith("tool.uv.sources."):
            continue
        key = raw.key[len("tool.uv."):]
        if uv is not None and key in uv:
            continue
        value = raw.value
        if isinstance(value, list) and all(isinstance(v, str) for v in value) and len(value) > 1:
            table()[key] = make_string_array(value, multiline=True, newline=newline, like=table())
        else:
            table()[key] = value

    if created and not fresh_emit:
        _separate(doc, created, newline)


def _separate(doc: Any, created: list[Any], newline: str) -> None:
    """A table added to a base document ends with a blank line, as the tables around it do: tomlkit puts a new
    ``[tool.uv]`` beside the other ``[tool.*]`` tables, right above the next header (``...\n[build-system]``).
    Not at the end of the file, which ends with one newline."""
    import tomlkit
    from tomlkit.items import AoT, Null, Table, Whitespace

    before = tomlkit.dumps(doc)
    added: list[tuple[Any, Any]] = []
    for top in created:
        if any(other is not top and _contains(other, top) for other in created):
            continue  # inside another new table: the outer one's last table gets the line
        leaf = top
        while True:
            if isinstance(leaf, AoT):
                leaf = leaf.body[-1]
                continue
            body = leaf.value.body
            last = next((v for _, v in reversed(body) if not isinstance(v, Null)), None)
            if isinstance(last, (Table, AoT)):
                leaf = last
                continue
            break
        body = leaf.value.body
        if body and isinstance(body[-1][1], Whitespace) and body[-1][1].s.endswith("\n"):
            continue
        ws = tomlkit.ws(newline)
        leaf.value.append(None, ws)
        added.append((leaf, ws))
    if added and tomlkit.dumps(doc).endswith(newline * 2) and not before.endswith(newline * 2):
        for leaf, ws in added:  # the new table ended the file: no blank line after it
            leaf.value.body[:] = [(k, v) for k, v in leaf.value.body if v is not ws]


def _contains(outer: Any, inner: Any) -> bool:
    from tomlkit.items import AoT, Table

    items = outer.body if isinstance(outer, AoT) else [v for _, v in outer.value.body]
    return any(v is inner or (isinstance(v, (Table, AoT)) and _contains(v, inner)) for v in items)


def _aot(entries: list[dict[str, Any]], fresh_emit: bool) -> Any:
    if fresh_emit:
        return emit.AoT(EmitTable(e) for e in entries)
    import tomlkit

    aot = tomlkit.aot()
    for entry in entries:
        t = tomlkit.table()
        for k, v in entry.items():
            t[k] = v
        aot.append(t)
    return aot


def _describe(entry: dict[str, Any] | None) -> str:
    if entry is None:
        return "registry"
    kind = next((k for k in ("git", "path", "url", "index", "workspace") if k in entry), "")
    return f"{kind} {entry[kind]!r}" if kind and kind != "workspace" else kind or repr(entry)


def _marker_scoped(reqs: list[Requirement]) -> list[dict[str, Any]] | None:
    """One name required several times under different markers, from different sources (Poetry's multiple
    constraints: ``zstd = [{python = "<3.12"}, {python = ">=3.12", source = "chia"}]``): uv says it with a list of
    sources, each with the ``marker`` of its occurrences; where none matches, uv uses the registry. None when that
    is not exact: an occurrence without a marker, a PEP 508 direct reference, a marker shared by two sources, or a
    single source for every occurrence (one plain entry says it)."""
    from ...dialects.markers import or_markers

    if len(reqs) < 2 or any(not r.marker for r in reqs):
        return None
    by_entry: list[tuple[dict[str, Any], list[str]]] = []
    plain: set[str] = set()
    for req in reqs:
        entry = None if uv_keeps_in_pep508(req) else source_to_uv(req)
        if entry is None:
            if req.source is not None:
                return None  # a direct reference in the PEP 508 string
            plain.add(str(req.marker))
            continue
        if not isinstance(entry, dict) or any(k in entry for k in ("marker", "extra", "group", "workspace")):
            return None  # already conditional, or a workspace member: kept as it was written
        for have, markers in by_entry:
            if have == entry:
                if req.marker not in markers:
                    markers.append(str(req.marker))
                break
        else:
            by_entry.append((entry, [str(req.marker)]))
    if not by_entry or (len(by_entry) == 1 and not plain):
        return None
    used = [m for _, markers in by_entry for m in markers]
    if len(set(used)) != len(used) or plain & set(used):
        return None
    out = []
    for entry, markers in by_entry:
        marker = str(or_markers(*markers))
        if "'" not in marker:  # a TOML basic string without escapes: python_version >= '3.12'
            marker = marker.replace('"', "'")
        out.append({**entry, "marker": marker})
    return out


def _report_shared_sources(lay: Layout, desired: dict[str, Any], report: Report, *,
                           scoped: frozenset[str] = frozenset()) -> None:
    """``[tool.uv.sources]`` is keyed by name: a package required twice (a registry pin in main and a local path
    in a dev group, or two different paths) gets the one source for every occurrence. Say so for each
    occurrence whose own source differs from the one written (not for ``scoped`` names, whose sources carry
    each occurrence's marker)."""
    chosen = {canonical_name(name): entry for name, entry in desired.items()}
    for req in _requirements(lay):
        if not req.name or req.key not in chosen or req.key in scoped:
            continue
        if uv_keeps_in_pep508(req):
            if req.source is None:
                own, said = None, "registry"
            else:  # a PEP 508 direct reference: not the table's entry either
                own, said = {"pep508": True}, "direct-reference"
        else:
            own = source_to_uv(req)
            said = _describe(own)
        if own == chosen[req.key]:
            continue
        report.add("uv-source-shared", Severity.WARNING,
                   f"{req.name!r} is required more than once with different sources; [tool.uv.sources] holds one "
                   f"source per name, so this {said} requirement installs from {_describe(chosen[req.key])} too",
                   subject=req.name, span=req.span, data={"source": chosen[req.key]})


def _write_default_groups(uv: Any, table: Any, manifest: Manifest, newline: str) -> None:
    """``default-groups`` from the groups' optional flags.

    Without the key uv installs only ``dev``, and a [tool.uv] table read back means exactly that, so a manifest
    that says the same gets no key (called last, when it is known whether the output has a [tool.uv] table).
    A manifest that says nothing about install defaults (no optional group, not from Poetry, which installs every
    non-optional group) gets no key either.
    """
    groups = [g for g in manifest.groups if g.kind in (GroupKind.GROUP, GroupKind.CATEGORY)]
    names = {canonical_name(g.name) for g in groups}
    want = [g.name for g in groups if not g.optional]
    want_set = {canonical_name(n) for n in want}
    current = uv.get("default-groups") if uv is not None else None
    if current is not None:
        have = names if str(current) == "all" else {canonical_name(str(n)) for n in current}
        if have & names == want_set:
            return  # the base already says it (possibly naming groups defined elsewhere)
    elif not (any(g.optional for g in groups) or manifest.format.startswith("poetry") or _pdm_managed(manifest)
              or any(r.format == "uv" and r.key == "default-groups" for r in manifest.raw)):
        return  # nothing says which groups install by default (Poetry and PDM install every non-optional group)
    elif want_set == names & {"dev"} and (uv is not None or names <= {"dev"}):
        return  # uv's own default, and what the file written says to its reader (with [tool.uv], or only "dev")
    if not groups:
        if current is not None:
            del uv["default-groups"]
        return
    value: Any = "all" if want_set == names and len(names) > 1 else want
    t = table()
    t["default-groups"] = value if isinstance(value, str) else make_string_array(value, multiline=False, like=t,
                                                                                  newline=newline)


def _pdm_managed(manifest: Manifest) -> bool:
    """PDM installs every dev-dependencies group by default (``pdm install``; ``--prod`` leaves them out), so its
    groups need ``default-groups`` under uv, which installs only ``dev``. A PDM project: a group read from
    ``[tool.pdm.dev-dependencies]``, or ``[tool.pdm]`` settings in a file that has none of uv's."""
    if any(g.span is not None and (g.span.key or "").startswith("tool.pdm.") for g in manifest.groups):
        return True
    return any(r.format == "pdm" for r in manifest.raw) and not any(r.format == "uv" for r in manifest.raw)


def _write_locked_constraints(uv: Any, table: Any, manifest: Manifest, report: Report, newline: str) -> None:
    """``--keep-locked``: the locked versions as ``constraint-dependencies``, so the first ``uv lock`` keeps them
    while the dependencies keep their ranges. Existing constraints stay; pins are added after them."""
    from ...dialects.pep440 import validate_clause

    if manifest.lock is None or not manifest.lock.packages:
        report.add("keep-locked-no-lock", Severity.WARNING,
                   "--keep-locked: the source has no lock, so no versions are carried", span=manifest.span)
        return
    pins: list[str] = []
    for p in sorted(manifest.lock.packages, key=lambda p: (p.key, p.version or "")):
        if not p.version or p.source is not None or validate_clause(f"=={p.version}") is not None:
            continue  # VCS/path/url packages are pinned by their source, not by a version
        pin = f"{p.key}=={p.version}" + (f" ; {p.marker}" if p.marker else "")
        if pin not in pins:
            pins.append(pin)
    raw: list[Any] = next((r.value for r in manifest.raw
                           if r.format == "uv" and r.key == "tool.uv.constraint-dependencies"), [])
    current = [str(x) for x in (uv.get("constraint-dependencies") if uv is not None and
                                "constraint-dependencies" in uv else raw)]
    have = {c.split(";")[0].split("==")[0].strip().lower() for c in current}
    merged = current + [p for p in pins if p.split("==")[0] not in have]
    if merged != current:
        table()["constraint-dependencies"] = make_string_array(merged, multiline=True, newline=newline, like=table())


def _write_file_constraints(uv: Any, table: Any, manifest: Manifest, newline: str) -> None:
    """The lines of followed ``-c`` constraints files (pip's constraints) as ``constraint-dependencies``: uv's
    constraints mean the same (they narrow versions, install nothing). Existing constraints stay first."""
    lines = [line for raw in manifest.raw if raw.format == "requirements" and raw.key.startswith("constraints:")
             for line in raw.value]
    if not lines:
        return
    raw: list[Any] = next((r.value for r in manifest.raw
                           if r.format == "uv" and r.key == "tool.uv.constraint-dependencies"), [])
    current = [str(x) for x in (uv.get("constraint-dependencies") if uv is not None and
                                "constraint-dependencies" in uv else raw)]
    merged = current + [line for line in dict.fromkeys(lines) if line not in current]
    if merged != current:
        table()["constraint-dependencies"] = make_string_array(merged, multiline=True, newline=newline, like=table())


def _set_or_drop(uv: Any, table: Any, key: str, value: Any, newline: str) -> None:
    if value is None:
        if uv is not None and key in uv:
            del uv[key]
        return
    t = table()
    if key in t and _plain(t[key]) == value:
        return
    if isinstance(value, list):
        t[key] = make_string_array(value, multiline=len(value) > 1, newline=newline, like=t)
    else:
        t[key] = value
