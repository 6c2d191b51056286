"""Errors a person sees: what is wrong, where, and what to do.

Every error depglot raises on bad input is a :class:`DepglotError`; the CLI turns it into one clear message and
exit code 2, never a traceback. :class:`ParseError` renders ``file:line:col``, the offending line and a caret.
"""

from __future__ import annotations

from collections.abc import Sequence

from .redact import redact
from .span import Span

__all__ = [
    "ConversionError",
    "DepglotError",
    "DetectError",
    "IncludeError",
    "ParseError",
    "UnknownFormatError",
    "WriteError",
    "unexpected_structure",
]


class DepglotError(Exception):
    """Base class of every error depglot raises on bad input or a failed operation."""

    def __init__(self, message: str, *, span: Span | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.span = span
        self.hint = hint

    def one_line(self) -> str:
        """``file:line:col: error: message [key]`` (credentials redacted)."""
        where = f"{self.span.location()}: " if self.span is not None else ""
        key = f" [{self.span.key}]" if self.span is not None and self.span.key else ""
        hint = f" ({self.hint})" if self.hint else ""
        return redact(f"{where}error: {self.message}{key}{hint}")

    def render(self) -> str:
        return self.one_line()

    def __str__(self) -> str:
        return self.one_line()


class ParseError(DepglotError):
    """Input that cannot be read. Carries the source line so it can show a caret under the problem."""

    def __init__(
        self,
        message: str,
        *,
        span: Span | None = None,
        source_line: str | None = None,
        width: int = 1,
        dialect: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, span=span, hint=hint)
        self.source_line = source_line
        self.width = max(1, width)
        self.dialect = dialect

    def render(self) -> str:
        """The one-line message, then the source line and a ``^~~`` marker under the offending part."""
        out = [self.one_line()]
        if self.source_line is not None:
            line = self.source_line.rstrip("\r\n")
            number = str(self.span.line) if self.span and self.span.line else ""
            gutter = " " * len(number)
            out.append(f" {number} | {redact(line)}")
            col = (self.span.column if self.span and self.span.column else 1) - 1
            col = max(0, min(col, len(line)))
            marker = "^" + "~" * (self.width - 1)
            out.append(f" {gutter} | {' ' * col}{marker}")
        return "\n".join(out)


class UnknownFormatError(DepglotError):
    def __init__(self, name: str, suggestions: Sequence[str] = (), known: Sequence[str] = ()) -> None:
        if suggestions:
            hint = "did you mean " + " or ".join(repr(s) for s in suggestions) + "?"
        else:
            hint = "run `depglot formats` to list them" if not known else "known: " + ", ".join(known)
        super().__init__(f"unknown format {name!r}", hint=hint)
        self.name = name
        self.suggestions = tuple(suggestions)


class DetectError(DepglotError):
    """The format of an input could not be told from its name or content."""


class ConversionError(DepglotError):
    """A conversion that cannot produce a valid output (and so writes nothing)."""


class IncludeError(ParseError):
    """A ``-r``/``-c`` include that cannot be followed: missing, a cycle, too deep, or outside the root."""


class WriteError(DepglotError):
    """A file could not be written; nothing was changed."""


def unexpected_structure(what: str, file: str | None, dialect: str, exc: Exception) -> ParseError:
    """The error for a value of the wrong type somewhere in a parsed document (a readers' catch-all for
    ``TypeError``/``KeyError``/... raised while walking it): located at the file, never a traceback."""
    return ParseError(f"unexpected structure in {what}: {type(exc).__name__}: {exc}",
                      span=Span(file=file, line=1, column=1), dialect=dialect)
