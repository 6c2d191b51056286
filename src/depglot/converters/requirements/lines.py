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
from dataclasses import dataclass, field

from ...errors import ParseError
from ...span import Span
from .options import OptionError, Token, break_args_options, parse_options

__all__ = ["COMMENT_RE", "Document", "Entry", "Kind", "parse_document", "split_physical"]

COMMENT_RE = re.compile(r"(^|\s+)#.*$")
_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"


class Kind(enum.StrEnum):
    BLANK = "blank"
    COMMENT = "comment"  # a line holding only a comment
    OPTION = "option"  # options only (-i, -r, --pre, ...)
    REQUIREMENT = "requirement"  # a requirement (with its per-line options), including -e lines


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
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
    )  # (logical offset, line, column0)
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
        if not self.pieces:
            return self.lineno, offset + 1
        starts = [p[0] for p in self.pieces]
        i = max(0, bisect_right(starts, offset) - 1)
        start, line, col0 = self.pieces[i]
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Document:
    entries: tuple[Entry, ...]
    bom: str = ""  # "\ufeff" when the text started with a BOM
    file: str | None = None

    def render(self) -> str:
        return self.bom + "".join(e.text for e in self.entries)


def split_physical(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def _content(line: str) -> str:
    if line.endswith("\r\n"):
        return line[:-2]
    if line and line[-1] in _BREAKS:
        return line[:-1]
    return line


def _is_comment(content: str) -> bool:
    return "#" in content and COMMENT_RE.match(content) is not None


def _chains(contents: list[str]) -> list[tuple[int, int, str, list[tuple[int, int, int]]]]:
    """pip's join_lines: (first index, end index, joined text, pieces) per logical line."""
    out = []
    i = 0
    n = len(contents)
    while i < n:
        first = i
        content = contents[i]
        if not content.endswith("\\") or _is_comment(content):
            out.append((first, i + 1, content, [(0, i, 0)]))
            i += 1
            continue
        joined: list[str] = []
        pieces: list[tuple[int, int, int]] = []
        length = 0
        while i < n:
            content = contents[i]
            if not content.endswith("\\") or _is_comment(content):
                if _is_comment(content):
                    pieces.append((length + 1, i, 0))
                    content = " " + content
                else:
                    pieces.append((length, i, 0))
                joined.append(content)
                i += 1
                break
            piece = content.strip("\\")
            lead = len(content) - len(content.lstrip("\\"))
            pieces.append((length, i, lead))
            joined.append(piece)
            length += len(piece)
            i += 1
        out.append((first, i, "".join(joined), pieces))
    return out


def parse_document(text: str, file: str | None = None) -> Document:
    """Split ``text`` into entries. Raises ParseError (with line, column and caret) where pip's option parser fails."""
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    lines = split_physical(body)
    contents = [_content(line) for line in lines]
    entries: list[Entry] = []
    for first, end, joined, raw_pieces in _chains(contents):
        source = lines[first] if end == first + 1 else "".join(lines[first:end])
        lineno = first + 1
        content0 = contents[first]
        indent = content0[: len(content0) - len(content0.lstrip())] if content0[:1].isspace() else ""
        match = COMMENT_RE.search(joined) if "#" in joined else None
        comment = None
        if match is not None:
            comment = joined[match.end(1) :].rstrip()
            stripped = joined[: match.start()]
        else:
            stripped = joined
        lead = len(stripped) - len(stripped.lstrip())
        logical = stripped.strip()
        pieces = tuple((start - lead, idx + 1, col0) for start, idx, col0 in raw_pieces)
        if not logical:
            kind = Kind.COMMENT if comment is not None else Kind.BLANK
            entries.append(
                Entry(kind=kind, lineno=lineno, text=source, comment=comment, pieces=pieces, indent=indent)
            )
            continue
        args, opts_text, opts_offset = break_args_options(logical)
        options: tuple[Token, ...] = ()
        ignored: tuple[tuple[str, int], ...] = ()
        if opts_text:
            try:
                toks, extra = parse_options(opts_text, opts_offset)
            except OptionError as exc:
                entry = Entry(kind=Kind.OPTION, lineno=lineno, text=source, logical=logical, pieces=pieces)
                raise entry.error(exc.message, file, exc.offset, exc.width, exc.hint) from None
            options, ignored = tuple(toks), tuple(extra)
        is_req = bool(args) or any(t.name == "editable" for t in options)
        entries.append(
            Entry(
                kind=Kind.REQUIREMENT if is_req else Kind.OPTION,
                lineno=lineno,
                text=source,
                logical=logical,
                comment=comment,
                args=args,
                options=options,
                ignored=ignored,
                pieces=pieces,
                indent=indent,
            )
        )
    return Document(entries=tuple(entries), bom=bom, file=file)
