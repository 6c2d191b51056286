"""depglot: translate Python dependency manifests between formats without silent loss.

The API is named like :mod:`json`: :func:`load`/:func:`loads` read a :class:`Manifest`,
:func:`dumps` writes one (returning a :class:`Conversion` with the text and a :class:`Report` of losses), and
:func:`convert` does both.
"""

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
