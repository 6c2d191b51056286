"""depglot: translate Python dependency manifests between formats without silent loss.

The API is named like :mod:`json`: :func:`load`/:func:`loads` read a :class:`Manifest`,
:func:`dumps` writes one (returning a :class:`Conversion` with the text and a :class:`Report` of losses), and
:func:`convert` does both.

The names below load on first use (PEP 562), so ``import depglot.cli`` or ``import depglot.span`` does not pay for
the whole API at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .api import Conversion, Selection, convert, dumps, load, loads
    from .errors import DepglotError, ParseError, UnknownFormatError
    from .ir import Group, GroupKind, Index, IndexRole, Manifest, Raw, Requirement, VersionSpec
    from .report import Loss, Report, Severity
    from .span import Span

__version__ = "0.1.0"

__all__ = [
    "Conversion",
    "DepglotError",
    "Group",
    "GroupKind",
    "Index",
    "IndexRole",
    "Loss",
    "Manifest",
    "ParseError",
    "Raw",
    "Report",
    "Requirement",
    "Selection",
    "Severity",
    "Span",
    "UnknownFormatError",
    "VersionSpec",
    "convert",
    "dumps",
    "load",
    "loads",
]

_HOME = {
    "Conversion": "api",
    "Selection": "api",
    "convert": "api",
    "dumps": "api",
    "load": "api",
    "loads": "api",
    "DepglotError": "errors",
    "ParseError": "errors",
    "UnknownFormatError": "errors",
    "Group": "ir",
    "GroupKind": "ir",
    "Index": "ir",
    "IndexRole": "ir",
    "Manifest": "ir",
    "Raw": "ir",
    "Requirement": "ir",
    "VersionSpec": "ir",
    "Loss": "report",
    "Report": "report",
    "Severity": "report",
    "Span": "span",
}


# Submodules that ``import depglot`` used to load eagerly: ``depglot.api.decode`` keeps working after a bare
# ``import depglot``.
_SUBMODULES = frozenset({"api", "errors", "format", "ir", "redact", "registry", "report", "span"})


def __getattr__(name: str) -> Any:
    from importlib import import_module

    if name in _SUBMODULES:
        return import_module(f"{__name__}.{name}")
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
