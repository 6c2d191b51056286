"""One set of document operations for the TOML writers, on two kinds of document.

A writer lays out its document once, calling ``ops.<operation>``; :class:`EmitOps` builds
:mod:`depglot.edit.tomlemit` containers (a fresh write: the text tomlkit would render for the same calls, without
importing tomlkit; :class:`~depglot.edit.tomlemit.Unsupported` when a value is outside that model), and
:class:`TomlkitOps` builds tomlkit items (base mode, where a tomlkit document is edited, and the fallback of a
fresh write). So each layout decision exists once and the two renderings are equal by construction (tested live
on the corpus in ``tests/test_tomlemit.py``).

Two groups of operations:

* primitives for a value exactly as a writer spells it: :meth:`~TomlkitOps.document`, ``new_table``, ``string``,
  ``literal`` (a ``'literal'`` string), ``inline`` (an inline table of such values), ``array``, ``tables``
  (an array of built tables), ``comment``, ``dumps`` -- the Pipfile writer;
* plain values laid out as Poetry's writer does: ``ensure_table``, ``plain_item`` (tables for mappings, arrays of
  inline tables for lists, one item a line when longer than one), ``toml_item`` (an entry spaced like its
  siblings), ``inline_table``, ``string_array``, ``remove_key``, ``table``, ``aot``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from . import tomlemit as emit
from .tomledit import ensure_table, inline_table_like, remove_key, set_string_array

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
        return _filled(tomlkit.table(), {k: plain_item(v) for k, v in value.items()})
    if isinstance(value, list):
        return _tomlkit_array(value, None)
    return value


def toml_item(value: Any, siblings: Any) -> Any:
    """A tomlkit item for an entry among ``siblings`` (inline tables spaced like theirs)."""
    import tomlkit

    if isinstance(value, dict):
        return inline_table_like(value, siblings)
    if isinstance(value, list):
        return _tomlkit_array(value, siblings)
    return tomlkit.item(value)


def _tomlkit_array(values: list[Any], siblings: Any) -> Any:
    import tomlkit

    arr = tomlkit.array()
    for v in values:
        arr.append(inline_table_like(v, siblings) if isinstance(v, dict) else v)
    if len(values) > 1:
        arr.multiline(True)
    return arr


def _filled(container: Any, values: dict[str, Any]) -> Any:
    for k, v in values.items():
        container[k] = v
    return container


def _appended(container: Any, values: Iterable[Any]) -> Any:
    for v in values:
        container.append(v)
    return container


class TomlkitOps:
    """The operations on a tomlkit document."""

    ensure_table = staticmethod(ensure_table)
    plain_item = staticmethod(plain_item)
    table = staticmethod(plain_item)  # a mapping as a [table]
    toml_item = staticmethod(toml_item)
    inline_table = staticmethod(inline_table_like)
    string_array = staticmethod(set_string_array)
    remove_key = staticmethod(remove_key)

    @staticmethod
    def document() -> Any:
        import tomlkit

        return tomlkit.document()

    @staticmethod
    def new_table() -> Any:
        import tomlkit

        return tomlkit.table()

    @staticmethod
    def string(text: str) -> Any:
        import tomlkit

        return tomlkit.string(text)

    @staticmethod
    def literal(text: str) -> Any:
        import tomlkit

        return tomlkit.string(text, literal=True)

    @staticmethod
    def inline(values: dict[str, Any]) -> Any:
        """``{a = 1, b = 2}`` (tomlkit's own spacing for a new inline table)."""
        import tomlkit

        return _filled(tomlkit.inline_table(), values)

    @staticmethod
    def array(values: Iterable[Any]) -> Any:
        import tomlkit

        return _appended(tomlkit.array(), values)

    @staticmethod
    def tables(tables: Iterable[Any]) -> Any:
        """An array of tables made of built tables."""
        import tomlkit

        return _appended(tomlkit.aot(), tables)

    @staticmethod
    def comment(container: Any, text: str) -> None:
        import tomlkit

        container.add(tomlkit.comment(text))

    @staticmethod
    def dumps(doc: Any) -> str:
        import tomlkit

        return tomlkit.dumps(doc)

    @staticmethod
    def aot(tables: list[dict[str, Any]]) -> Any:
        import tomlkit

        return _appended(tomlkit.aot(), (_filled(tomlkit.table(), t) for t in tables))


class EmitOps:
    """The same operations on :mod:`depglot.edit.tomlemit` containers."""

    ensure_table = staticmethod(ensure_table)
    new_table = staticmethod(emit.Table)
    literal = staticmethod(emit.Literal)
    tables = staticmethod(emit.AoT)
    dumps = staticmethod(emit.dumps)

    @staticmethod
    def document() -> Any:
        return emit.Table()

    @staticmethod
    def string(text: str) -> Any:
        return text

    @staticmethod
    def inline(values: dict[str, Any]) -> Any:
        return emit.InlineTable(values, spaced=False)

    @staticmethod
    def array(values: Iterable[Any]) -> Any:
        return emit.Array(values)

    @staticmethod
    def comment(container: Any, text: str) -> None:
        container.add_comment(text)

    @staticmethod
    def plain_item(value: Any) -> Any:
        if isinstance(value, dict):
            return emit.Table({k: EmitOps.plain_item(v) for k, v in value.items()})
        if isinstance(value, list):
            return EmitOps._array(value, None)
        return value

    table = plain_item  # a mapping as a [table]

    @staticmethod
    def toml_item(value: Any, siblings: Any) -> Any:
        if isinstance(value, dict):
            return EmitOps.inline_table(value, siblings)
        if isinstance(value, list):
            return EmitOps._array(value, siblings)
        return value

    @staticmethod
    def _array(values: list[Any], siblings: Any) -> Any:
        return emit.Array((EmitOps.inline_table(v, siblings) if isinstance(v, dict) else _plain_in_array(v)
                           for v in values), multiline=len(values) > 1)

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
    def aot(tables: list[dict[str, Any]]) -> Any:
        return emit.AoT(emit.Table(t) for t in tables)


def _plain_in_array(value: Any) -> Any:
    """A value inside an array or inline table as tomlkit's ``item()`` makes it (a list: a one-line array)."""
    if isinstance(value, list):
        return emit.Array(_plain_in_array(v) for v in value)
    if isinstance(value, dict):
        raise emit.Unsupported("a table inside an array")
    return value
