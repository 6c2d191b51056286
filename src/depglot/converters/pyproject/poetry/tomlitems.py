"""Document items for the Poetry writer: fresh values, entries spaced like their siblings, blank lines after
tables a write adds.

Two sets of the same operations (:class:`TomlkitOps`, :class:`EmitOps`): base mode edits a tomlkit document;
a fresh write (no base) builds :mod:`depglot.edit.tomlemit` containers, which render the same text without
importing tomlkit."""

from __future__ import annotations

from typing import Any

from ....edit import tomlemit as emit
from ..common import ensure_table, inline_table_like, remove_key, set_string_array

__all__ = ["EmitOps", "TomlkitOps", "plain_item", "space_new_tables", "toml_item"]


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


class TomlkitOps:
    """The writer's document operations on a tomlkit document (base mode)."""

    @staticmethod
    def document() -> Any:
        import tomlkit

        return tomlkit.document()

    ensure_table = staticmethod(ensure_table)
    plain_item = staticmethod(plain_item)
    toml_item = staticmethod(toml_item)
    inline_table = staticmethod(inline_table_like)
    string_array = staticmethod(set_string_array)
    remove_key = staticmethod(remove_key)

    @staticmethod
    def table(values: dict[str, Any]) -> Any:
        import tomlkit

        tbl = tomlkit.table()
        for k, v in values.items():
            tbl[k] = plain_item(v)
        return tbl

    @staticmethod
    def aot(tables: list[dict[str, Any]]) -> Any:
        import tomlkit

        aot = tomlkit.aot()
        for t in tables:
            item = tomlkit.table()
            for k, v in t.items():
                item[k] = v
            aot.append(item)
        return aot


class EmitOps:
    """The same operations on :mod:`depglot.edit.tomlemit` containers (fresh mode: the text tomlkit would
    render for the same calls; :class:`~depglot.edit.tomlemit.Unsupported` when a value is outside that model)."""

    @staticmethod
    def document() -> Any:
        return emit.Table()

    @staticmethod
    def ensure_table(doc: Any, *path: str, super_table: bool = True) -> Any:
        if not super_table:
            raise emit.Unsupported("an explicit non-super table")
        node = doc
        for part in path:
            if part not in node:
                node[part] = emit.Table()
            node = node[part]
        return node

    @staticmethod
    def plain_item(value: Any) -> Any:
        if isinstance(value, dict):
            return emit.Table({k: EmitOps.plain_item(v) for k, v in value.items()})
        if isinstance(value, list):
            return emit.Array((EmitOps.inline_table(v) if isinstance(v, dict) else _plain_in_array(v) for v in value),
                              multiline=len(value) > 1)
        return value

    @staticmethod
    def toml_item(value: Any, siblings: Any) -> Any:
        if isinstance(value, dict):
            return EmitOps.inline_table(value, siblings)
        if isinstance(value, list):
            return emit.Array((EmitOps.inline_table(v, siblings) if isinstance(v, dict) else _plain_in_array(v)
                               for v in value), multiline=len(value) > 1)
        return value

    @staticmethod
    def inline_table(values: dict[str, Any], siblings: Any = None) -> Any:
        spaced = True
        if siblings is not None:
            for v in siblings.values():
                if isinstance(v, emit.InlineTable):
                    spaced = v.spaced and bool(v)
                    break
        out = emit.InlineTable(spaced=spaced)
        for k, v in values.items():
            if isinstance(v, dict) or (isinstance(v, list) and any(isinstance(x, dict) for x in v)):
                raise emit.Unsupported("a table inside an inline table")
            out[k] = _plain_in_array(v)
        return out

    @staticmethod
    def string_array(container: Any, key: str, values: list[Any], *, newline: str = "\n") -> bool:
        if key in container or newline != "\n":
            raise emit.Unsupported("editing an existing array")
        container[key] = emit.Array(values, multiline=len(values) > 1)
        return True

    @staticmethod
    def remove_key(container: Any, key: str) -> None:
        container.pop(key, None)

    @staticmethod
    def table(values: dict[str, Any]) -> Any:
        return emit.Table({k: EmitOps.plain_item(v) for k, v in values.items()})

    @staticmethod
    def aot(tables: list[dict[str, Any]]) -> Any:
        return emit.AoT(emit.Table(t) for t in tables)


def _plain_in_array(value: Any) -> Any:
    """A value inside an array or inline table as tomlkit's ``item()`` makes it (a list: a one-line array)."""
    if isinstance(value, list):
        return emit.Array(_plain_in_array(v) for v in value)
    if isinstance(value, dict):
        raise emit.Unsupported("a table inside an array")
    return value
