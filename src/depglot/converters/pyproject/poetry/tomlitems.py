"""tomlkit items for the Poetry writer: fresh values, entries spaced like their siblings, blank lines after
tables a write adds."""

from __future__ import annotations

from typing import Any

from ..common import inline_table_like

__all__ = ["plain_item", "space_new_tables", "toml_item"]


def space_new_tables(doc: Any, before: dict[str, Any]) -> None:
    """A blank line after each table this write added (tomlkit leaves none); ``before`` is the document's plain
    data before the write (tables already there are left exactly as they were)."""
    import tomlkit
    from tomlkit.items import Table

    def walk(container: Any, old: Any) -> None:
        for key, item in list(container.items()):
            if not isinstance(item, Table):
                continue
            existed = isinstance(old, dict) and key in old
            last = item.value.body[-1][1] if item.value.body else None
            if (not existed and not item.is_super_table() and not isinstance(last, Table)
                    and not item.as_string().endswith("\n\n")):
                item.add(tomlkit.nl())
            walk(item, old.get(key) if existed else None)

    walk(doc, before)


def plain_item(value: Any) -> Any:
    """A fresh tomlkit item: tables for mappings, arrays (of inline tables) for lists."""
    import tomlkit

    if isinstance(value, dict):
        tbl = tomlkit.table()
        for k, v in value.items():
            tbl[k] = plain_item(v)
        return tbl
    if isinstance(value, list):
        arr = tomlkit.array()
        for v in value:
            arr.append(inline_table_like(v) if isinstance(v, dict) else v)
        if len(value) > 1:
            arr.multiline(True)
        return arr
    return value


def toml_item(value: Any, siblings: Any) -> Any:
    import tomlkit

    if isinstance(value, dict):
        return inline_table_like(value, siblings)
    if isinstance(value, list):
        arr = tomlkit.array()
        for v in value:
            arr.append(inline_table_like(v, siblings) if isinstance(v, dict) else v)
        if len(value) > 1:
            arr.multiline(True)
        return arr
    return tomlkit.item(value)
