"""Editing tomlkit documents in base mode, keeping the file's own style.

:func:`set_string_array` (a string array edited in place, indented like the file), :func:`inline_table_like`
(an inline table spaced like its siblings), :func:`make_string_array`, :func:`remove_key` (a key together with
the comment lines above it) and :func:`ensure_table`. New items are built in the shape tomlkit's parser gives
their text, without parsing it (one tomlkit parse per edited file: the base document).
"""

from __future__ import annotations

import re
from typing import Any

from . import tomlemit as emit

__all__ = [
    "array_indent",
    "ensure_table",
    "inline_table_like",
    "make_string_array",
    "parsed_inline_table",
    "remove_key",
    "set_string_array",
]


def array_indent(array: Any, default: str = "    ") -> str:
    """The indentation of a multi-line tomlkit array's items (``default`` when it has none)."""
    text = array.as_string()
    m = re.search(r"\n([ \t]+)\S", text)
    return m.group(1) if m else default


def _is_multiline(array: Any) -> bool:
    return "\n" in array.as_string()


def make_string_array(values: list[Any], *, multiline: bool, indent: str = "    ", newline: str = "\n",
                      like: Any = None) -> Any:
    """A new tomlkit array of strings (or inline tables), one per line when ``multiline``; a tomlemit array when
    ``like`` (the container it goes into) is a fresh :class:`~depglot.edit.tomlemit.EmitTable`."""
    if isinstance(like, emit.Table):
        if indent != "    " or newline != "\n":
            raise emit.Unsupported("an array with its own indentation")
        return emit.Array((emit.emit_inline(v, spaced=True) if isinstance(v, dict) and not isinstance(v, emit.InlineTable)
                           else emit.emit_in_array(v) for v in values), multiline=multiline and bool(values))
    import tomlkit

    if multiline and values:
        return _multiline_array(values, indent, newline)
    arr = tomlkit.array()
    for v in values:
        arr.append(v)
    return arr


def _multiline_array(values: list[Any], indent: str, newline: str) -> Any:
    """The array tomlkit's parser makes of ``[``, then ``indent value,`` on a line each, then ``]``: the same
    whitespace items (so it renders and edits like the parsed text), built without parsing."""
    import tomlkit
    from tomlkit.items import Array, Item, Trivia, Whitespace

    elems: list[Any] = []
    for v in values:
        elems.append(Whitespace(newline + indent))
        if isinstance(v, str):
            elems.append(tomlkit.string(v))
        elif isinstance(v, Item):
            elems.append(v)
        elif isinstance(v, dict):
            elems.append(_inline_table(v, spaced=False))  # what tomlkit makes of a dict: {a = 1}
        else:
            elems.append(tomlkit.item(v))
        elems.append(Whitespace(","))
    elems.append(Whitespace(newline))
    return Array(elems, Trivia())


def _item_text(value: Any) -> str:
    import tomlkit

    if isinstance(value, str):
        return tomlkit.string(value).as_string()
    text: str = tomlkit.item(value).as_string()
    return text


def _key(value: Any) -> Any:
    """A hashable stand-in for an array item (strings, or tables such as ``{include-group = "x"}``)."""
    if isinstance(value, dict):
        return ("table", tuple(sorted((str(k), str(v)) for k, v in value.items())))
    return ("str", str(value))


def set_string_array(container: Any, key: str, values: list[Any], *, newline: str = "\n") -> bool:
    """Make ``container[key]`` hold ``values``, editing the existing array in place.

    Items that stay keep their text, quoting and comments; an item replaced at the same place keeps its comment
    (``"requests>=2.31",  # http`` -> ``"requests>=2.32",  # http``); removed items go with their comment; new
    items are inserted in order with the array's indentation. Returns whether anything changed.
    """
    import difflib

    existing = container.get(key)
    if existing is None or not hasattr(existing, "as_string"):
        container[key] = make_string_array(values, multiline=len(values) > 1, newline=newline)
        return True
    current = list(existing)
    if [_key(v) for v in current] == [_key(v) for v in values]:
        return False
    if not current:
        container[key] = make_string_array(values, multiline=len(values) > 1, newline=newline)
        return True
    matcher = difflib.SequenceMatcher(a=[_key(v) for v in current], b=[_key(v) for v in values], autojunk=False)
    for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
        if tag == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for k in range(pairs):
            existing[i1 + k] = _quoted_like(values[j1 + k], current[i1 + k])
        for k in range(i2 - 1, i1 + pairs - 1, -1):
            del existing[k]
        neighbour = current[i1 - 1] if i1 > 0 else current[0]
        for k in range(j1 + pairs, j2):
            existing.insert(i1 + (k - j1), _quoted_like(values[k], neighbour))
    if [_key(v) for v in existing] != [_key(v) for v in values]:  # tomlkit could not edit in place: rebuild
        multiline = _is_multiline(existing) or len(values) > 1
        container[key] = make_string_array(values, multiline=multiline, indent=array_indent(existing),
                                           newline=newline)
    return True


def _quoted_like(value: Any, model: Any) -> Any:
    """``value`` as a literal string (``'...'``) when the item it replaces or joins is one (docling writes its
    dependencies so); otherwise as it is (tomlkit writes a basic string)."""
    from tomlkit.items import String, StringType

    if (isinstance(value, str) and not isinstance(value, String) and isinstance(model, String)
            and model.type is StringType.SLL and "'" not in value and value.isprintable()):
        import tomlkit

        return tomlkit.string(value, literal=True)
    return value


def inline_table_like(values: dict[str, Any], siblings: Any = None) -> Any:
    """A tomlkit inline table spaced like the inline tables among ``siblings`` (``{ a = 1 }`` or ``{a = 1}``).

    Built item by item in the shape tomlkit's parser gives ``x = {...}`` (whitespace items between the entries,
    not a "new" table), so it renders and edits as the parsed text would, without parsing anything; values other
    than strings, numbers, booleans and arrays of them are left to the parser."""
    import tomlkit

    spaced = True
    if siblings is not None:
        for v in siblings.values():
            if isinstance(v, tomlkit.items.InlineTable):
                spaced = v.as_string().startswith("{ ")
                break
    return _inline_table(values, spaced=spaced)


def _inline_table(values: dict[str, Any], *, spaced: bool) -> Any:
    import tomlkit
    from tomlkit.container import Container
    from tomlkit.items import SingleKey, Trivia, Whitespace

    if not all(_scalar_or_array(v) for v in values.values()):
        return parsed_inline_table(values, spaced=spaced)
    container = Container(True)
    for i, (k, v) in enumerate(values.items()):
        if i:
            container.append(None, Whitespace(","))
            container.append(None, Whitespace(" "))
        elif spaced:
            container.append(None, Whitespace(" "))
        item = tomlkit.string(v) if isinstance(v, str) else tomlkit.item(v)
        item.trivia.trail = ""
        container.append(SingleKey(k), item)
    if values and spaced:
        container.append(None, Whitespace(" "))
    return tomlkit.items.InlineTable(container, Trivia())


def parsed_inline_table(values: dict[str, Any], *, spaced: bool) -> Any:
    """The inline table tomlkit parses from ``{ k = v, ... }`` (``spaced``) or ``{k = v, ...}``."""
    import tomlkit

    body = ", ".join(f"{_key_text(k)} = {_item_text(v)}" for k, v in values.items())
    text = f"{{ {body} }}" if spaced and body else f"{{{body}}}"
    return tomlkit.parse(f"x = {text}\n")["x"]


def _scalar_or_array(value: Any) -> bool:
    if isinstance(value, list):
        return all(_scalar_or_array(v) and not isinstance(v, list) for v in value)
    return isinstance(value, (str, bool, int, float))


def _key_text(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _item_text(key)


def remove_key(container: Any, key: str) -> None:
    """Delete ``key`` and the comment lines directly above it (tomlkit would leave them orphaned)."""
    from tomlkit.items import Comment, Null

    found = False
    # a table written in parts ([tool.poetry] ... [other] ... [tool.poetry.x]) is tomlkit's out-of-order proxy over
    # the parts: the key is in one of them
    for part in getattr(container, "_tables", None) or (container,):
        inner = part.value if hasattr(part, "value") and hasattr(part.value, "body") else part
        body = inner.body
        idx = next((i for i, (k, _) in enumerate(body) if k is not None and k.key == key), None)
        if idx is None:
            continue
        found = True
        i = idx - 1
        while i >= 0 and body[i][0] is None and isinstance(body[i][1], Comment):
            body[i] = (None, Null())  # tomlkit's own placeholder keeps its key index valid
            i -= 1
    if found:
        del container[key]


def ensure_table(doc: Any, *path: str, super_table: bool = True) -> Any:
    """The table at ``path`` in a tomlkit document (or a fresh :class:`~depglot.edit.tomlemit.Table`), created (as ``[a.b]``) when
    missing."""
    if isinstance(doc, emit.Table):
        if not super_table:
            raise emit.Unsupported("an explicit non-super table")
        node = doc
        for part in path:
            if part not in node:
                node[part] = type(doc)()  # an EmitTable in an EmitTable document
            node = node[part]
        return node
    import tomlkit

    node = doc
    for i, part in enumerate(path):
        if part not in node:
            last = i == len(path) - 1
            node[part] = tomlkit.table(is_super_table=None if super_table or not last else False)
        node = node[part]
    return node
