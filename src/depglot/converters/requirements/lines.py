"""The lossless line model of a requirements file.

A :class:`Document` is a list of :class:`Entry` values, one per *logical* line as pip sees it (physical lines
joined at ``\\`` continuations exactly as ``pip._internal.req.req_file.join_lines`` does). Each entry keeps the
exact source text of its physical lines, line endings included, so ``Document.render()`` gives the input back
byte for byte; next to it sits what pip parses: the comment-stripped logical text, the requirement part
(``args``) and the options as :class:`~.options.Token` values. Offsets in the logical text map back to
physical line and column for error messages.
"""

from __future__ import annotations

import enum
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import field
from typing import NamedTuple

from ..._records import record
from ...errors import ParseError
from ...span import Span
from .options import OptionError, Token, break_args_options, parse_options

__all__ = [
    "COMMENT_RE",
    "Document",
    "Entry",
    "Kind",
    "comment_start",
    "iter_entries",
    "iter_physical",
    "parse_document",
    "split_bom",
    "split_physical",
]

COMMENT_RE = re.compile(r"(^|\s+)#.*$")
_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


class Kind(enum.StrEnum):
    BLANK = "blank"
    COMMENT = "comment"  # a line holding only a comment
    OPTION = "option"  # options only (-i, -r, --pre, ...)
    REQUIREMENT = "requirement"  # a requirement (with its per-line options), including -e lines


@record
class Entry:
    """One logical line of a requirements file: its kind, its exact source text and what pip parses of it."""

    kind: Kind
    lineno: int  # first physical line (1-based)
    text: str  # the exact source of its physical lines, line endings included
    logical: str = ""  # what pip parses (joined, comment removed, stripped)
    comment: str | None = None  # the comment from its '#', trailing whitespace removed
    args: str = ""  # the requirement part ("" for option lines; the -e value is in options)
    options: tuple[Token, ...] = ()
    ignored: tuple[tuple[str, int], ...] = ()  # positional words after the options (pip ignores them)
    pieces: tuple[tuple[int, int, int], ...] = field(
        default=(), repr=False
    )  # (logical offset, line, column0) of a continued line; () for one physical line (see ``lead``)
    lead: int = field(default=0, repr=False)  # one physical line: the column0 of ``logical`` in it
    indent: str = ""  # leading whitespace of the first physical line

    @property
    def eol(self) -> str:
        """The line ending of its last physical line ("" at the end of a file without a final newline)."""
        text = self.text
        if text.endswith("\r\n"):
            return "\r\n"
        return text[-1] if text and text[-1] in _BREAKS else ""

    @property
    def editable(self) -> bool:
        return any(t.name == "editable" for t in self.options)

    @property
    def requirement(self) -> str:
        """The requirement text pip takes from this line (args, else the first -e value)."""
        if self.args:
            return self.args
        for token in self.options:
            if token.name == "editable":
                return token.value or ""
        return ""

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a 0-based offset in :attr:`logical`."""
        pieces = self.pieces
        if not pieces:
            return self.lineno, self.lead + offset + 1
        starts = [p[0] for p in pieces]
        i = max(0, bisect_right(starts, offset) - 1)
        start, line, col0 = pieces[i]
        return line, col0 + (offset - start) + 1

    def physical_line(self, line: int) -> str:
        lines = split_physical(self.text)
        index = line - self.lineno
        if 0 <= index < len(lines):
            return lines[index].rstrip(_BREAKS)
        return lines[0].rstrip(_BREAKS) if lines else ""

    def span(self, file: str | None, offset: int = 0, length: int | None = None) -> Span:
        line, column = self.position(offset)
        end_line, end_column = self.position(offset + (length if length is not None else len(self.logical)))
        return Span(file=file, line=line, column=column, end_line=end_line, end_column=end_column)

    def error(
        self, message: str, file: str | None, offset: int, width: int = 1, hint: str | None = None
    ) -> ParseError:
        line, column = self.position(offset)
        return ParseError(
            message,
            span=Span(file=file, line=line, column=column),
            source_line=self.physical_line(line),
            width=width,
            dialect="requirements",
            hint=hint,
        )


class Document(NamedTuple):  # a NamedTuple: ~5x cheaper than a dataclass to define at start-up
    entries: tuple[Entry, ...]
    bom: str = ""  # "\ufeff" when the text started with a BOM
    file: str | None = None

    def render(self) -> str:
        return self.bom + "".join(e.text for e in self.entries)


def split_physical(text: str) -> list[str]:
    return text.splitlines(keepends=True)


# A physical line with its break (the breaks str.splitlines knows), or a last line without one: iterating this
# gives exactly ``text.splitlines(keepends=True)`` without holding every line at once.
_PHYSICAL = re.compile(
    "[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*(?:\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029])"
    "|[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+"
)


def iter_physical(text: str) -> Iterator[str]:
    """The physical lines of ``text`` with their line endings, lazily (same pieces as :func:`split_physical`)."""
    for match in _PHYSICAL.finditer(text):
        yield match.group()


def _content(line: str) -> str:
    if line.endswith("\r\n"):
        return line[:-2]
    if line and line[-1] in _BREAKS:
        return line[:-1]
    return line


def _is_comment(content: str) -> bool:
    """pip's ``COMMENT_RE.match``: the line is only a comment (optional whitespace, then ``#``)."""
    return content.lstrip().startswith("#")


def comment_start(text: str) -> int:
    """Where pip's ``COMMENT_RE.search`` finds a comment: the first ``#`` at the start or after whitespace (-1).

    The same answer as the regex ``(^|\\s+)#.*$``, in linear time (the regex backtracks quadratically over a
    long run of whitespace that no ``#`` follows).
    """
    i = text.find("#")
    while i > 0 and not text[i - 1].isspace():
        i = text.find("#", i + 1)
    return i


Chain = tuple[int, str, str, str, tuple[tuple[int, int, int], ...] | None]


def _chains(lines: Iterable[str]) -> Iterator[Chain]:
    """pip's join_lines, lazily: (first index, source text, first content, joined text, pieces) per logical line.

    ``pieces`` maps offsets in the joined text to (offset, physical line index, column0); ``None`` for a line
    without a continuation (offset 0 is column 0 of its own line).
    """
    it = iter(lines)
    index = 0
    for line in it:
        first = index
        index += 1
        content = _content(line)
        if not content.endswith("\\") or _is_comment(content):
            yield first, line, content, content, None
            continue
        first_content = content
        sources = [line]
        piece = content.strip("\\")
        pieces = [(0, first, len(content) - len(content.lstrip("\\")))]
        joined = [piece]
        length = len(piece)
        for line in it:
            i = index
            index += 1
            sources.append(line)
            content = _content(line)
            if not content.endswith("\\") or _is_comment(content):
                if _is_comment(content):
                    pieces.append((length + 1, i, 0))
                    content = " " + content
                else:
                    pieces.append((length, i, 0))
                joined.append(content)
                break
            piece = content.strip("\\")
            pieces.append((length, i, len(content) - len(content.lstrip("\\"))))
            joined.append(piece)
            length += len(piece)
        yield first, "".join(sources), first_content, "".join(joined), tuple(pieces)


def iter_entries(body: str, file: str | None = None) -> Iterator[Entry]:
    """The entries of ``body`` (the text after any BOM), one logical line at a time.

    Reading goes through this generator so that a large file never holds every entry at once. Raises ParseError
    (with line, column and caret) where pip's option parser fails.
    """
    for first, source, content0, joined, raw_pieces in _chains(iter_physical(body)):
        lineno = first + 1
        indent = content0[: len(content0) - len(content0.lstrip())] if content0[:1].isspace() else ""
        at = comment_start(joined) if "#" in joined else -1
        comment = None
        if at >= 0:
            comment = joined[at:].rstrip()
            stripped = joined[:at]
        else:
            stripped = joined
        logical = stripped.strip()
        lead = len(stripped) - len(stripped.lstrip())
        # one physical line: its position is lineno and lead (no pieces tuple to hold per line)
        pieces: tuple[tuple[int, int, int], ...] = ()
        if raw_pieces is not None:
            pieces = tuple((start - lead, idx + 1, col0) for start, idx, col0 in raw_pieces)
        if not logical:
            kind = Kind.COMMENT if comment is not None else Kind.BLANK
            yield Entry(
                kind=kind,
                lineno=lineno,
                text=source,
                comment=comment,
                pieces=pieces,
                lead=lead,
                indent=indent,
            )
            continue
        args, opts_text, opts_offset = break_args_options(logical)
        options: tuple[Token, ...] = ()
        ignored: tuple[tuple[str, int], ...] = ()
        if opts_text:
            try:
                toks, extra = parse_options(opts_text, opts_offset)
            except OptionError as exc:
                entry = Entry(
                    kind=Kind.OPTION, lineno=lineno, text=source, logical=logical, pieces=pieces, lead=lead
                )
                raise entry.error(exc.message, file, exc.offset, exc.width, exc.hint) from None
            options, ignored = tuple(toks), tuple(extra)
        is_req = bool(args) or any(t.name == "editable" for t in options)
        yield Entry(
            kind=Kind.REQUIREMENT if is_req else Kind.OPTION,
            lineno=lineno,
            text=source,
            logical=logical,
            comment=comment,
            args=args,
            options=options,
            ignored=ignored,
            pieces=pieces,
            lead=lead,
            indent=indent,
        )


def split_bom(text: str) -> tuple[str, str]:
    """(BOM, body): the BOM is ``"\\ufeff"`` when ``text`` starts with one, else ``""``."""
    return ("\ufeff", text[1:]) if text.startswith("\ufeff") else ("", text)


def parse_document(text: str, file: str | None = None) -> Document:
    """Split ``text`` into entries. Raises ParseError (with line, column and caret) where pip's option parser fails."""
    bom, body = split_bom(text)
    return Document(entries=tuple(iter_entries(body, file)), bom=bom, file=file)
