"""Decode a requirements file the way pip does, but keep what pip throws away.

pip (``req_file._decode_req_file``) honours a BOM (UTF-8/16/32), then a PEP 263 ``coding`` comment on one of
the first two lines, then UTF-8. depglot does the same, except that an undecodable file is an error naming the
byte offset (pip falls back to the locale's encoding, which makes the meaning depend on the machine). A BOM is
kept in the text as ``\\ufeff`` (and its encoding remembered by :func:`encoding_of`) so that writing gives the
same bytes back.
"""

from __future__ import annotations

import codecs
import re

from ...errors import ParseError
from ...span import Span

__all__ = ["decode", "encoding_of"]

# Order matters: the UTF-16-LE BOM is a prefix of the UTF-32-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
_CODING_RE = re.compile(rb"coding[:=]\s*([-\w.]+)")


def encoding_of(data: bytes) -> tuple[str, int]:
    """(encoding, BOM length) pip would use for ``data``."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    for line in data.split(b"\n")[:2]:
        if line[:1] == b"#":
            match = _CODING_RE.search(line)
            if match is not None:
                return match.group(1).decode("ascii"), 0
    return "utf-8", 0


def decode(data: bytes, path: str | None = None) -> str:
    """The text of a requirements file; a BOM stays as a leading ``\\ufeff``. Raises ParseError when undecodable."""
    encoding, bom = encoding_of(data)
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise ParseError(
            f"unknown encoding {encoding!r} in the coding comment",
            span=Span(file=path, line=1, column=1),
            hint="use a codec name Python knows, e.g. utf-8 or latin-1",
        ) from None
    try:
        text = data[bom:].decode(encoding)
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        line = data.count(b"\n", 0, offset) + 1
        column = offset - (data.rfind(b"\n", 0, offset) + 1) + 1
        raise ParseError(
            f"cannot decode byte offset {offset} as {encoding} ({exc.reason})",
            span=Span(file=path, line=line, column=column),
            hint="save the file as UTF-8, or declare its encoding with a '# -*- coding: ... -*-' first line",
        ) from None
    return ("\ufeff" + text) if bom else text
