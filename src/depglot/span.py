"""Where something is in a source file: the ground every message stands on.

A :class:`Span` names a file, a 1-based line and column, and (for structured formats) the key path of the
entry, e.g. ``tool.poetry.dependencies.requests``. It renders in the problem-matcher shape
``file:line:col`` that editors and CI annotate.
"""

from __future__ import annotations

from dataclasses import replace

from ._records import record

__all__ = ["Span", "line_col"]


@record
class Span:
    """Where something is in a file: 1-based line and column (and end), and/or the key path of an entry."""

    file: str | None = None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    key: str | None = None

    def location(self) -> str:
        """``file:line:col`` with whatever parts are known (``<input>`` when the file is unknown)."""
        parts = [self.file or "<input>"]
        if self.line is not None:
            parts.append(str(self.line))
            parts.append(str(self.column if self.column is not None else 1))
        return ":".join(parts)

    def with_file(self, file: str | None) -> Span:
        return replace(self, file=file)

    def child(self, key: str) -> Span:
        """The same place, one key deeper (for nested tables without their own position)."""
        return replace(self, key=f"{self.key}.{key}" if self.key else key)

    def __str__(self) -> str:
        return self.location() + (f" [{self.key}]" if self.key else "")


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset in ``text``."""
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1
