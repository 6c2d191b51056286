"""Finding and replacing the PEP 723 ``# /// script`` block of a Python file, line by line.

The scan is the PEP 723 reference regex in line form, so CRLF files and a BOM are handled without rewriting
anything outside the block: a block opens with ``# /// <type>``, continues with lines that are ``#`` or start
with ``# ``, and closes at the LAST ``# ///`` line of that run. Two ``script`` blocks are an error (PEP 723:
tools MUST refuse them).
"""

from __future__ import annotations

import re

from ..._records import record
from ...errors import ParseError
from ...span import Span

__all__ = ["Block", "block_toml", "find_block", "render_block", "splice"]

_OPEN = re.compile(r"# /// (?P<type>[a-zA-Z0-9-]+)")


@record(kw_only=False)
class Block:
    """A PEP 723 ``# /// script`` block: its first and last line and the lines of the file."""

    start: int  # 0-based index of the "# /// script" line
    end: int  # 0-based index of the closing "# ///" line
    lines: tuple[str, ...]  # every line of the file, with its line ending

    @property
    def content_lines(self) -> list[str]:
        return [_strip_eol(line) for line in self.lines[self.start + 1 : self.end]]

    @property
    def newline(self) -> str:
        line = self.lines[self.start]
        return "\r\n" if line.endswith("\r\n") else "\n"


def _strip_eol(line: str) -> str:
    return line.rstrip("\r\n")


def _is_content(line: str) -> bool:
    text = _strip_eol(line)
    return text == "#" or text.startswith("# ")


def find_block(text: str, file: str | None = None) -> Block | None:
    """The ``script`` block of ``text`` (None when there is none)."""
    lines = tuple(text.splitlines(keepends=True))
    found: list[Block] = []
    i = 0
    while i < len(lines):
        first = _strip_eol(lines[i]).lstrip("\ufeff") if i == 0 else _strip_eol(lines[i])
        m = _OPEN.fullmatch(first)
        if m is None:
            i += 1
            continue
        j = i + 1
        last_close = None
        while j < len(lines) and _is_content(lines[j]):
            if _strip_eol(lines[j]) == "# ///":
                last_close = j
            j += 1
        if last_close is None or last_close == i + 1:  # PEP 723: at least one content line
            i += 1
            continue
        if m.group("type") == "script":
            found.append(Block(start=i, end=last_close, lines=lines))
        i = last_close + 1
    if len(found) > 1:
        second = found[1]
        raise ParseError(
            f"more than one '# /// script' block (lines {found[0].start + 1} and {second.start + 1}); "
            "PEP 723 requires tools to refuse such a file",
            span=Span(file=file, line=second.start + 1, column=1),
            source_line=_strip_eol(lines[second.start]),
            dialect="pep723",
            hint="keep one script block",
        )
    return found[0] if found else None


def block_toml(block: Block) -> str:
    """The TOML inside the block (``# `` or ``#`` prefix removed)."""
    out = []
    for line in block.content_lines:
        out.append(line[2:] if line.startswith("# ") else line[1:])
    return "\n".join(out) + ("\n" if out else "")


def render_block(toml_text: str, newline: str = "\n") -> str:
    """A complete ``# /// script`` block holding ``toml_text``."""
    body = toml_text.removesuffix("\n")
    lines = ["# /// script"]
    for line in body.split("\n") if body else []:
        lines.append(f"# {line}" if line else "#")
    lines.append("# ///")
    return newline.join(lines) + newline


def splice(text: str, block: Block | None, new_block: str) -> str:
    """``text`` with its block replaced by ``new_block`` (inserted after a shebang/encoding header if none)."""
    lines = list(text.splitlines(keepends=True))
    if block is not None:
        return "".join(lines[: block.start]) + new_block + "".join(lines[block.end + 1 :])
    at = 0
    bom = ""
    if lines and lines[0].startswith("\ufeff"):
        bom, lines[0] = "\ufeff", lines[0][1:]
    while at < len(lines) and at < 2 and (
        lines[at].startswith("#!") or re.match(r"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+", lines[at])
    ):
        at += 1
    return bom + "".join(lines[:at]) + new_block + "".join(lines[at:])
