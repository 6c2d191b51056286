"""Line numbers of ``key = value`` entries in INI-style text (configparser gives none)."""

from __future__ import annotations

import re

__all__ = ["ini_positions"]

_SECTION = re.compile(r"^\s*\[([^\]]+)\]")
_KEY = re.compile(r"^([^\s=:#;\[][^=:]*?)\s*[=:]")


def ini_positions(text: str) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """({section: line}, {(section, key): line}); keys lower-cased with ``_`` as ``-``, as pip normalises them."""
    sections: dict[str, int] = {}
    keys: dict[tuple[str, str], int] = {}
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        m = _SECTION.match(line)
        if m:
            current = m.group(1).strip()
            sections.setdefault(current, number)
            continue
        k = _KEY.match(line)
        if k:
            keys.setdefault((current, k.group(1).strip().lower().replace("_", "-")), number)
    return sections, keys
