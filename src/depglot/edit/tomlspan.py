"""Positions in TOML text: which line a key path sits on.

tomllib (fast, strict) gives no positions, and tomlkit is ~10x slower; readers parse with tomllib and ask this
locator for spans. It scans lines once, tracking table headers (``[a.b]``, ``[[a.b]]`` with their array index)
and ``key = value`` lines (dotted and quoted keys included), skipping multi-line strings and arrays.
"""

from __future__ import annotations

import re
import tomllib

from ..errors import ParseError
from ..span import Span

__all__ = ["TomlLocator", "split_key", "load_toml"]

_BARE = r"[A-Za-z0-9_-]+"
_QUOTED = r"\"(?:[^\"\\]|\\.)*\"|'[^']*'"
_KEY = rf"(?:{_BARE}|{_QUOTED})(?:\s*\.\s*(?:{_BARE}|{_QUOTED}))*"
_KEY_LINE = re.compile(rf"^(?P<indent>[ \t]*)(?P<key>{_KEY})[ \t]*=")
_HEADER = re.compile(rf"^[ \t]*(?P<open>\[\[?)[ \t]*(?P<key>{_KEY})[ \t]*\]\]?")
_PART = re.compile(rf"{_BARE}|{_QUOTED}")


def split_key(text: str) -> tuple[str, ...]:
    """``a."b.c".d`` -> ``("a", "b.c", "d")``."""
    parts = []
    for m in _PART.finditer(text):
        p = m.group(0)
        if p[0] in "\"'":
            p = p[1:-1]
        parts.append(p)
    return tuple(parts)


class TomlLocator:
    __slots__ = ("file", "lines", "_pos")

    def __init__(self, text: str, file: str | None = None) -> None:
        self.file = file
        self.lines = text.splitlines()
        self._pos: dict[tuple[str | int, ...], tuple[int, int]] = {}
        self._scan()

    def _scan(self) -> None:
        table: tuple[str | int, ...] = ()
        counts: dict[tuple[str, ...], int] = {}
        depth = 0  # open brackets/braces of a multi-line value
        in_string: str | None = None
        for number, line in enumerate(self.lines, start=1):
            if in_string is not None:
                if in_string in line:
                    in_string = None
                continue
            if depth == 0:
                header = _HEADER.match(line)
                if header:
                    key = split_key(header["key"])
                    if header["open"] == "[[":
                        idx = counts.get(key, 0)
                        counts[key] = idx + 1
                        table = (*key, idx)
                    else:
                        table = key
                    self._pos.setdefault(table, (number, header.start("key") + 1))
                    continue
                m = _KEY_LINE.match(line)
                if m:
                    path = (*table, *split_key(m["key"]))
                    self._pos.setdefault(path, (number, m.start("key") + 1))
                    value = line[m.end():]
                else:
                    value = line
            else:
                value = line
            depth, in_string = _advance(value, depth)

    def position(self, *path: str | int) -> tuple[int, int] | None:
        """(line, column) of the longest known prefix of ``path``."""
        for end in range(len(path), 0, -1):
            hit = self._pos.get(tuple(path[:end]))
            if hit is not None:
                return hit
        return None

    def span(self, *path: str | int, needle: str | None = None) -> Span:
        """A span for ``path`` (key path rendered dotted); with ``needle``, the first line at or after the
        key's line that contains it (an array element, an inline-table value)."""
        key = _render_path(path)
        pos = self.position(*path)
        if pos is None:
            return Span(file=self.file, key=key or None)
        line, col = pos
        if needle is not None:
            for n in range(line - 1, len(self.lines)):
                c = self.lines[n].find(needle)
                if c >= 0:
                    return Span(file=self.file, line=n + 1, column=c + 1, key=key or None)
        return Span(file=self.file, line=line, column=col, key=key or None)

    def line_text(self, line: int) -> str:
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""


def _render_path(path: tuple[str | int, ...]) -> str:
    out = ""
    for p in path:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            q = p if re.fullmatch(_BARE, p) else f'"{p}"'
            out += f".{q}" if out else q
    return out


def _advance(value: str, depth: int) -> tuple[int, str | None]:
    """Bracket depth after ``value`` (strings and comments skipped); the open multi-line quote, if any."""
    i, n = 0, len(value)
    while i < n:
        ch = value[i]
        if ch == "#":
            break
        if ch in "\"'":
            triple = value[i : i + 3]
            if triple in ('"""', "'''"):
                end = value.find(triple, i + 3)
                if end < 0:
                    return depth, triple
                i = end + 3
                continue
            j = i + 1
            while j < n and value[j] != ch:
                j += 2 if ch == '"' and value[j] == "\\" else 1
            i = j + 1
            continue
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth = max(0, depth - 1)
        i += 1
    return depth, None


_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def load_toml(text: str, file: str | None, dialect: str, *, hint: str | None = None) -> dict[str, object]:
    """``tomllib.loads`` (a leading BOM ignored) with every failure as a located ParseError: tomllib's
    ``(at line L, column C)`` becomes the span and the offending line is shown (``(at end of document)``: the end of
    the last line); too-deep nesting (tomllib recurses once per nested array/inline table) is reported at line 1."""
    body = text.removeprefix("\ufeff")
    try:
        return tomllib.loads(body)
    except RecursionError:
        raise ParseError("invalid TOML: nested too deeply to read", span=Span(file=file, line=1, column=1),
                         dialect=dialect, hint=hint) from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        lines = body.splitlines()
        m = _TOML_POS.search(msg)
        line, column = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        if m is None and msg.endswith("(at end of document)"):
            m = re.search(r"\(at end of document\)$", msg)
            line, column = max(1, len(lines)), (len(lines[-1]) + 1 if lines else 1)
        raise ParseError(
            f"invalid TOML: {msg[: m.start()].strip() if m else msg}",
            span=Span(file=file, line=line, column=column),
            source_line=lines[line - 1] if line and 0 < line <= len(lines) else None,
            dialect=dialect,
            hint=hint,
        ) from None
