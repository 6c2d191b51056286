"""Platform selectors (CEP 24) <-> PEP 508 markers.

conda-lock's comment selectors (``- pywin32  # [win]``) and micromamba's dict selectors (``- sel(win): pywin32``)
filter a dependency by platform. depglot reads them as the equivalent PEP 508 marker, so targets with markers keep
the meaning, and keeps the selector text so an environment file gets it back as written. Only the selectors with an
exact marker are translated; any other selector text is kept verbatim and has no marker.
"""

from __future__ import annotations

import re

__all__ = ["SELECTOR_MARKERS", "comment_selector", "marker_selector", "selector_marker"]

SELECTOR_MARKERS: dict[str, str] = {
    "win": 'sys_platform == "win32"',
    "linux": 'sys_platform == "linux"',
    "osx": 'sys_platform == "darwin"',
    "unix": 'sys_platform != "win32"',
    "not win": 'sys_platform != "win32"',
    "not linux": 'sys_platform != "linux"',
    "not osx": 'sys_platform != "darwin"',
    "linux64": 'sys_platform == "linux" and platform_machine == "x86_64"',
    "aarch64": 'sys_platform == "linux" and platform_machine == "aarch64"',
    "ppc64le": 'sys_platform == "linux" and platform_machine == "ppc64le"',
    "osx64": 'sys_platform == "darwin" and platform_machine == "x86_64"',
    "arm64": 'sys_platform == "darwin" and platform_machine == "arm64"',  # conda-lock: osx-arm64
    "win64": 'sys_platform == "win32" and platform_machine == "AMD64"',
}
# micromamba's sel(...) knows only these
SEL_NAMES = frozenset({"unix", "linux", "osx", "win"})

_REVERSE = {
    marker: sel for sel, marker in SELECTOR_MARKERS.items() if not sel.startswith("not ") or sel == "not win"
}
_REVERSE['sys_platform != "win32"'] = "unix"

_COMMENT = re.compile(r"#\s*\[([^\]]+)\]\s*$")


def selector_marker(expr: str) -> str | None:
    """The PEP 508 marker of a selector expression, or ``None`` when there is no exact one."""
    return SELECTOR_MARKERS.get(" ".join(expr.split()))


def marker_selector(marker: str) -> str | None:
    """The selector for a marker that is exactly one of the known platform markers (else ``None``)."""
    normal = " ".join(marker.replace("'", '"').split())
    return _REVERSE.get(normal)


def comment_selector(comment: str) -> str | None:
    """``[win]`` out of a trailing comment ``# [win]`` (``None`` when the comment is not a selector)."""
    m = _COMMENT.search(comment)
    return m.group(1).strip() if m else None


def encode(form: str, expr: str) -> str:
    """The selector as written: ``# [win]`` (comment form) or ``sel(win)`` (micromamba's mapping form)."""
    return f"sel({expr})" if form == "sel" else f"# [{expr}]"


def decode(text: object) -> tuple[str, str] | None:
    """(form, expr) of an encoded selector; ``None`` for anything else."""
    if not isinstance(text, str):
        return None
    if text.startswith("sel(") and text.endswith(")"):
        return "sel", text[4:-1]
    expr = comment_selector(text)
    return ("comment", expr) if expr is not None else None
