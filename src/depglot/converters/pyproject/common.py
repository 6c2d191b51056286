"""Helpers shared by the pyproject readers and writers (PEP 621, uv, pdm, Poetry).

Reading: :func:`requirement_at` (a PEP 508 string at a key path, with its span); TOML itself is loaded with
:func:`depglot.edit.tomlspan.load_toml`. Writing: the tomlkit helpers of :mod:`depglot.edit.tomledit` and the fresh
containers of :mod:`depglot.edit.tomlemit`, named here for the pyproject writers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...edit.tomledit import (
    array_indent,
    ensure_table,
    inline_table_like,
    make_string_array,
    parsed_inline_table,
    remove_key,
    set_string_array,
)
from ...edit.tomlemit import EmitTable, emit_inline, emit_item
from ...errors import ParseError

if TYPE_CHECKING:
    from ...edit.tomlspan import TomlLocator
    from ...ir.model import Requirement

__all__ = [
    "BOM",
    "EmitTable",
    "array_indent",
    "emit_inline",
    "emit_item",
    "ensure_table",
    "inline_table_like",
    "make_string_array",
    "newline_of",
    "parsed_inline_table",
    "remove_key",
    "requirement_at",
    "set_string_array",
    "split_bom",
]

BOM = "\ufeff"


def split_bom(text: str) -> tuple[str, str]:
    """(bom, rest): a leading BOM is kept aside so writers can give it back."""
    if text.startswith(BOM):
        return BOM, text[1:]
    return "", text


def newline_of(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def requirement_at(text: str, loc: TomlLocator, *path: str | int) -> Requirement:
    """Parse the PEP 508 string ``text`` found at ``path``; its span points at the string's line."""
    from ...dialects.pep508 import parse_requirement

    span = loc.span(*path, needle=text)
    try:
        return parse_requirement(text, span=span)
    except ParseError as exc:
        if exc.span is None or exc.span.line is None:
            raise ParseError(
                exc.message, span=span, source_line=loc.line_text(span.line or 0) or None, dialect="pep508",
                hint=exc.hint,
            ) from None
        raise
