"""A small TOML text emitter for documents written FRESH (no base file), without tomlkit.

The fresh writers (Poetry, Pipfile) used to build an empty tomlkit document item by item and dump it; that cost
most of a conversion's time. This module holds the same document as plain containers and renders the text
tomlkit renders for such a built document, byte for byte (tests/test_tomlemit.py compares the two live on the
whole corpus):

* :class:`Table` -- ``[header]`` tables (a dict); a table that holds only tables is a *super table* and gets
  no header of its own, as in tomlkit. Simple values come before sub-tables. A table (or array of tables) added
  to a container that already holds something gets a blank line before it (tomlkit's ``indent = "\\n"``);
  :func:`space_new_tables` adds the blank line after each table the Poetry writer adds.
* :class:`AoT` -- ``[[name]]`` arrays of tables, a blank line between elements.
* :class:`InlineTable` -- ``{ a = 1 }`` (``spaced``) or ``{a = 1}``; :class:`Array` -- ``["a", "b"]`` or one item
  per line (4-space indent, trailing comma); :class:`Literal` -- a ``'literal'`` string.
* keys are bare when TOML 1.0 allows (``A-Za-z0-9_-``), else basic strings; basic strings escape ``"``, ``\\``
  and control characters (``\\b \\t \\n \\f \\r`` compact, others ``\\uXXXX``), as tomlkit does.

Anything outside this model (dates, a mapping inside an inline array, a comment after a sub-table) raises
:class:`Unsupported`; the writers then fall back to tomlkit, so the output never depends on what is modelled.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AoT",
    "Array",
    "EmitTable",
    "InlineTable",
    "Literal",
    "Table",
    "Unsupported",
    "dumps",
    "emit_in_array",
    "emit_inline",
    "emit_item",
    "format_key",
    "format_string",
    "format_value",
    "space_new_tables",
]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_COMPACT = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_ESCAPES = {chr(c): _COMPACT.get(chr(c), f"\\u{c:04x}") for c in range(0x20)} | {
    "\x7f": "\\u007f", '"': '\\"', "\\": "\\\\"}
_TRANS = str.maketrans(_ESCAPES)


class Unsupported(Exception):
    """A value or layout this emitter does not model: the caller writes with tomlkit instead."""


class Literal(str):
    """A string written as a TOML literal string (``'...'``)."""

    __slots__ = ()


class Array(list[Any]):
    """A TOML array; ``multiline``: one item per line, indented 4 spaces, each followed by a comma."""

    __slots__ = ("multiline",)

    def __init__(self, items: Any = (), *, multiline: bool = False) -> None:
        super().__init__(items)
        self.multiline = multiline


class InlineTable(dict[str, Any]):
    """``{ a = 1, b = 2 }`` when ``spaced`` (and not empty), else ``{a = 1, b = 2}``."""

    __slots__ = ("spaced",)

    def __init__(self, items: Any = (), *, spaced: bool = True) -> None:
        super().__init__(items)
        self.spaced = spaced


class AoT(list["Table"]):
    """An array of tables (``[[name]]``); every element after the first gets a blank line before it."""

    __slots__ = ("blank_before",)

    def __init__(self, tables: Any = ()) -> None:
        super().__init__()
        self.blank_before = False
        for t in tables:
            self.append(t)

    def append(self, table: Table) -> None:
        if self:
            table.blank_before = True
        super().append(table)


class Table(dict[str, Any]):
    """A ``[header]`` table (or the document itself); keys keep insertion order, comments keep their place."""

    __slots__ = ("_comments", "blank_after", "blank_before")

    def __init__(self, items: Any = ()) -> None:
        super().__init__()
        self._comments: list[tuple[int, str]] = []  # (number of simple entries before it, text)
        self.blank_before = False
        self.blank_after = False
        for k, v in dict(items).items():
            self[k] = v

    def __setitem__(self, key: str, value: Any) -> None:
        value = _coerce(value)
        if key not in self:
            if isinstance(value, (Table, AoT)):
                if self or self._comments:
                    _blank_before(value)
            else:  # goes before the first sub-table, which then gets a blank line before it (as in tomlkit)
                first = next((v for v in self.values() if isinstance(v, (Table, AoT))), None)
                if first is not None:
                    _blank_before(first)
        super().__setitem__(key, value)

    def add_comment(self, text: str) -> None:
        """``# text`` lines after the entries so far (tomlkit's ``table.add(tomlkit.comment(text))``: one per line of
        ``text``, an empty line as a bare ``#``)."""
        if any(isinstance(v, (Table, AoT)) for v in self.values()):
            raise Unsupported("a comment after a sub-table")
        self._comments.append((len(self), "".join(f"# {line}\n" if line else "#\n" for line in text.split("\n"))))

    def is_super(self) -> bool:
        """A table holding only tables: it renders no header of its own (tomlkit's auto super table)."""
        return bool(self) and all(isinstance(v, (Table, AoT)) for v in self.values())


def _blank_before(value: Table | AoT) -> None:
    if isinstance(value, Table):
        value.blank_before = True
    elif value:
        value[0].blank_before = True


def _coerce(value: Any) -> Any:
    """What tomlkit makes of a plain Python value set into a table (``tbl[k] = ["a"]``)."""
    if isinstance(value, (str, bool, int, float, Table, AoT, Array, InlineTable)):
        return value
    if isinstance(value, list):
        return Array(_coerce_in_array(v) for v in value)
    raise Unsupported(f"a {type(value).__name__} value")


def _coerce_in_array(value: Any) -> Any:
    if isinstance(value, list) and not isinstance(value, Array):
        return Array(_coerce_in_array(v) for v in value)
    if isinstance(value, (str, bool, int, float, Array, InlineTable)):
        return value
    raise Unsupported(f"a {type(value).__name__} in an array")


def format_string(value: str) -> str:
    if isinstance(value, Literal):
        if "'" in value or any(c < " " and c != "\t" or c == "\x7f" for c in value):
            raise Unsupported("a literal string with a quote or a control character")
        return f"'{value}'"
    return f'"{value.translate(_TRANS)}"'


def format_key(key: str) -> str:
    if key and all(c in _BARE for c in key):
        return key
    return f'"{key.translate(_TRANS)}"'


def format_value(value: Any) -> str:
    if isinstance(value, str):
        return format_string(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, InlineTable):
        body = ", ".join(f"{format_key(k)} = {format_value(v)}" for k, v in value.items())
        return f"{{ {body} }}" if value.spaced and body else f"{{{body}}}"
    if isinstance(value, Array):
        if value.multiline and value:
            return "[\n" + "".join(f"    {format_value(v)},\n" for v in value) + "]"
        return "[" + ", ".join(format_value(v) for v in value) + "]"
    raise Unsupported(f"a {type(value).__name__} value")


def _render_body(table: Table, path: str, out: list[str]) -> None:
    comments = table._comments
    c = 0
    n = 0
    for key, value in table.items():
        if isinstance(value, (Table, AoT)):
            continue
        while c < len(comments) and comments[c][0] <= n:
            out.append(comments[c][1])
            c += 1
        out.append(f"{format_key(key)} = {format_value(value)}\n")
        n += 1
    for _, text in comments[c:]:
        out.append(text)
    for key, value in table.items():
        name = f"{path}.{format_key(key)}" if path else format_key(key)
        if isinstance(value, Table):
            if not value.is_super():
                out.append(f"\n[{name}]\n" if value.blank_before else f"[{name}]\n")
            elif value.blank_before:
                out.append("\n")
            _render_body(value, name, out)
            if value.blank_after:
                out.append("\n")
        elif isinstance(value, AoT):
            if not value:
                raise Unsupported("an empty array of tables")
            for element in value:
                out.append(f"\n[[{name}]]\n" if element.blank_before else f"[[{name}]]\n")
                if any(isinstance(v, (Table, AoT)) for v in element.values()):
                    raise Unsupported("a table inside an array of tables")
                _render_body(element, name, out)
                if element.blank_after:
                    out.append("\n")


def dumps(doc: Table) -> str:
    """The TOML text of ``doc`` (the document: its simple entries, then its tables)."""
    out: list[str] = []
    _render_body(doc, "", out)
    return "".join(out)


def space_new_tables(doc: Table) -> None:
    """A blank line after each header table whose last entry is not a sub-table (the Poetry writer's rule for
    the tables a write adds: every table of a fresh document)."""
    for value in doc.values():
        if not isinstance(value, Table):
            continue
        values = list(value.values())
        last = values[-1] if values else None
        if value._comments and value._comments[-1][0] == len(value):
            last = None  # a comment is the last line
        if not value.is_super() and not isinstance(last, Table):
            value.blank_after = True
        space_new_tables(value)


# --- plain values as tomlkit takes them -------------------------------------------------------------------


class EmitTable(Table):
    """A :class:`Table` that takes plain values as a tomlkit table does (``t[k] = {...}``
    becomes a sub-table, a list of mappings an array of tables): the fresh pep621/uv/pdm document."""

    __slots__ = ()

    def __setitem__(self, key: str, value: Any) -> None:
        super().__setitem__(key, emit_item(value))


def emit_item(value: Any) -> Any:
    """What ``tomlkit.item(value)`` makes of a plain value, as tomlemit containers (Unsupported outside them)."""
    if isinstance(value, (Table, AoT, Array, InlineTable)):
        return value
    if isinstance(value, dict):
        return EmitTable(value)
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return AoT(EmitTable(v) for v in value)
        return Array(emit_in_array(v) for v in value)
    return value


def emit_in_array(value: Any) -> Any:
    """A value inside an array as tomlkit's ``item()`` makes it: a mapping is an unspaced inline table."""
    if isinstance(value, InlineTable):
        return value
    if isinstance(value, dict):
        return emit_inline(value, spaced=False)
    if isinstance(value, list) and not isinstance(value, Array):
        return Array(emit_in_array(v) for v in value)
    return value


def emit_inline(values: dict[str, Any], *, spaced: bool) -> Any:
    """An inline table of plain values (``spaced``: ``{ a = 1 }`` as ``tomledit.inline_table_like``, else ``{a = 1}``
    as ``tomlkit.inline_table().update``); a mapping inside it is not modelled."""
    out = InlineTable(spaced=spaced)
    for k, v in values.items():
        if isinstance(v, dict) or (isinstance(v, list) and any(isinstance(x, (dict, list)) for x in v)):
            raise Unsupported("a table or nested array inside an inline table")
        out[str(k)] = emit_in_array(v)
    return out
