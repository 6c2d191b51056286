"""Exact translation of version specifiers and markers between dialects (no I/O).

Each dialect module parses its own syntax into a :class:`~depglot.ir.versions.VersionSpec` (spelling as written +
the set of versions it admits) and renders any set back in its own syntax, exactly or with a reported loss:

* :mod:`.pep440` — PEP 440 specifier sets (``parse``, ``render``);
* :mod:`.pep508` — PEP 508 requirement lines (``parse_requirement``, ``render_requirement``);
* :mod:`.markers` — marker joins and python constraints as markers;
* :mod:`.poetry` — Poetry constraints (``^``, ``~``, ``||``, ``*``, bare pins);
* :mod:`.pipfile` — Pipfile version strings and marker keys;
* :mod:`.conda` — conda MatchSpec and its version specs.

Importing this package is cheap: the modules (and packaging) load on first use of a name below.
"""

from __future__ import annotations

import importlib
from typing import Any

__all__ = [
    "and_markers",
    "conda",
    "marker_from_python_constraint",
    "markers",
    "parse_requirement",
    "pep440",
    "pep508",
    "pipfile",
    "poetry",
    "python_to_marker",
    "render_requirement",
]

_SUBMODULES = frozenset({"pep440", "pep508", "markers", "poetry", "pipfile", "conda"})
_NAMES = {
    "parse_requirement": "pep508",
    "render_requirement": "pep508",
    "and_markers": "markers",
    "python_to_marker": "markers",
    "marker_from_python_constraint": "markers",
}


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    module = _NAMES.get(name)
    if module is not None:
        return getattr(importlib.import_module(f"{__name__}.{module}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
