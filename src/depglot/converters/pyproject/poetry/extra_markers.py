"""``extra == "..."`` clauses in a Poetry 1 dependency's marker: a per-extra requirement in one multiple-constraints list.

Poetry 1's layout has one ``[tool.poetry.dependencies]`` entry per name and ``[tool.poetry.extras]`` lists names,
so a package that several extras (or the main dependencies and an extra) require with different constraints
(DeepLabCut: ``torch>=2`` in main, ``torch<2.1`` in extra ``tf-cu11``, ``torch<2.11`` in ``tf-cu12``) is written
as a list with one optional entry per requirement, its marker ANDed with the extras that hold it::

    torch = [
        { version = ">=2" },
        { version = "<2.1", optional = true, markers = "extra == 'tf-cu11'" },
        { version = "<2.11", optional = true, markers = "extra == 'tf-cu12'" },
    ]

poetry-core turns these into ``Requires-Dist: torch<2.1; extra == "tf-cu11"`` and so on. Reading splits the clause
off again: such an entry belongs to the extras its clause names, with the rest of its marker.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from ....dialects.markers import and_markers
from ....ir.model import Group, Requirement, canonical_name

__all__ = ["legacy_entries", "split_extra_marker", "with_extras"]


def with_extras(marker: str | None, extras: Iterable[str]) -> str | None:
    """``marker`` ANDed with ``extra == 'a' or extra == 'b'`` (single quotes: no TOML escapes)."""
    clause = " or ".join(f"extra == '{e}'" for e in extras)
    return and_markers(marker, clause or None)


def _is_extra_clause(node: Any) -> frozenset[str] | None:
    """The extras of ``extra == 'a'`` or of a parenthesised ``or`` of such comparisons, else None."""
    if isinstance(node, tuple):
        var, op, value = node
        if getattr(var, "value", None) == "extra" and str(op) == "==" and hasattr(value, "value"):
            return frozenset({canonical_name(value.value)})
        return None
    if isinstance(node, list):
        if any(part == "and" for part in node if isinstance(part, str)):
            return None
        out: set[str] = set()
        for part in node:
            if isinstance(part, str):
                continue
            found = _is_extra_clause(part)
            if found is None:
                return None
            out |= found
        return frozenset(out)
    return None


@lru_cache(maxsize=1024)
def split_extra_marker(marker: str | None) -> tuple[frozenset[str] | None, str | None]:
    """``(extras, rest)`` when the marker is ``rest and <extra clause>`` (or only the clause) at its top level; else
    ``(None, marker)``: an ``extra`` comparison inside an ``or`` with other variables is not split."""
    if not marker or "extra" not in marker:
        return None, marker
    from packaging.markers import InvalidMarker, Marker, _format_marker

    try:
        nodes = Marker(marker)._markers
    except InvalidMarker:
        return None, marker
    whole = _is_extra_clause(nodes)
    if whole is not None:
        return whole, None
    if any(part == "or" for part in nodes if isinstance(part, str)):
        return None, marker
    extras: frozenset[str] | None = None
    rest: list[Any] = []
    for part in nodes:
        if isinstance(part, str):
            continue
        found = _is_extra_clause(part)
        if found is not None:
            extras = found if extras is None else extras & found
        else:
            rest.append(part)
    if extras is None:
        return None, marker
    joined: list[Any] = []
    for part in rest:
        if joined:
            joined.append("and")
        joined.append(part)
    return extras, (_format_marker(joined) if joined else None)


def legacy_entries(main: Iterable[Requirement], extras: Iterable[Group]) -> list[Requirement]:
    """Every requirement of ``[tool.poetry.dependencies]`` in Poetry 1's layout: the main ones, then the extras'.

    A name whose requirements are the same in every extra that holds it is one (or, not in main, one optional)
    entry that the extras list; a name the extras (or the main dependencies and an extra) require differently gets
    one optional entry per distinct requirement, marked with the extras that hold it."""
    from .entries import requirement_key

    def same(a: Requirement, b: Requirement) -> bool:
        return requirement_key(a.replace(optional=False)) == requirement_key(b.replace(optional=False))

    def same_list(a: list[Requirement], b: list[Requirement]) -> bool:
        return len(a) == len(b) and all(any(same(x, y) for y in b) for x in a) and all(
            any(same(y, x) for x in a) for y in b)

    out = list(main)
    main_by: dict[str, list[Requirement]] = {}
    for r in out:
        if r.name:
            main_by.setdefault(r.key, []).append(r)
    per_name: dict[str, dict[str, list[Requirement]]] = {}
    for g in extras:
        for r in g.requirements:
            if r.name:
                per_name.setdefault(r.key, {}).setdefault(g.name, []).append(r)
    for key, by_extra in per_name.items():
        lists = list(by_extra.values())
        in_main = main_by.get(key, [])
        if in_main and all(same_list(rs, in_main) for rs in lists):
            continue  # the main entry serves every extra that lists the name
        if not in_main and all(same_list(rs, lists[0]) for rs in lists[1:]):
            out.extend(r.replace(optional=True) for r in lists[0])
            continue
        distinct: list[tuple[Requirement, list[str]]] = []
        for extra, rs in by_extra.items():
            for r in rs:
                hit = next((d for d in distinct if same(d[0], r)), None)
                if hit is None:
                    distinct.append((r, [extra]))
                elif extra not in hit[1]:
                    hit[1].append(extra)
        out.extend(r.replace(optional=True, marker=with_extras(r.marker, names)) for r, names in distinct)
    return out
