"""PEP 508 environment markers: join them with the right precedence and say python constraints as markers.

Marker text is kept as the user wrote it (packaging's ``str(Marker)`` would respace and requote it); these
helpers only *combine* texts and *generate* new ones. Generated markers use double quotes, as Poetry and uv do.

* :func:`and_markers` joins markers with ``and``, parenthesising any operand with a top-level ``or``
  (``a or b`` AND ``c`` is ``(a or b) and c``; peers get this wrong).
* :func:`python_to_marker` says a python version set exactly: ``python_version`` for one- and two-component
  bounds where that is exact (``>=3.8``, ``<3.12``, ``==3.11.*``), ``python_full_version`` otherwise
  (``>=3.8.1`` must be ``python_full_version >= "3.8.1"``: ``python_version >= "3.8.1"`` excludes all of 3.8).
* :func:`marker_from_python_constraint` / :func:`marker_from_platform` read Poetry's ``python = "^3.8"`` and
  ``platform = "linux"`` dependency keys.
"""

from __future__ import annotations

from functools import lru_cache

from ..ir.versions import VersionSpec
from ..span import Span
from ._common import interval_text, set_text

__all__ = [
    "and_markers",
    "has_top_level_or",
    "marker_from_platform",
    "marker_from_python_constraint",
    "or_markers",
    "python_to_marker",
    "validate_marker",
]


def _scan_top_level(text: str, word: str) -> bool:
    """Whether ``word`` (``or``/``and``) occurs as a keyword outside quotes and parentheses."""
    depth = 0
    quote: str | None = None
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if quote is not None:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and text.startswith(word, i):
            before = text[i - 1] if i > 0 else " "
            after = text[i + len(word)] if i + len(word) < n else " "
            if not (before.isalnum() or before == "_") and not (after.isalnum() or after == "_"):
                return True
        i += 1
    return False


def has_top_level_or(marker: str) -> bool:
    """Whether ``marker`` has an ``or`` outside parentheses (so it needs them inside an ``and``)."""
    return _scan_top_level(marker, "or")


def _wrapped(marker: str) -> bool:
    """Whether the whole marker is one parenthesised group."""
    m = marker.strip()
    if not (m.startswith("(") and m.endswith(")")):
        return False
    depth = 0
    quote: str | None = None
    for i, ch in enumerate(m):
        if quote is not None:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0 and i != len(m) - 1:
                return False
    return True


def and_markers(*markers: str | None) -> str | None:
    """``m1 and m2 ...`` with empty/None operands skipped; an operand with a top-level ``or`` is parenthesised.

    A single operand comes back unchanged; no operands give ``None``.
    """
    parts = [m.strip() for m in markers if m is not None and m.strip()]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return " and ".join(f"({p})" if has_top_level_or(p) and not _wrapped(p) else p for p in parts)


def or_markers(*markers: str | None) -> str | None:
    """``m1 or m2 ...``; ``None`` operands are skipped (``or`` binds loosest, so no parentheses are needed)."""
    parts = [m.strip() for m in markers if m is not None and m.strip()]
    if not parts:
        return None
    return " or ".join(parts)


def validate_marker(text: str, *, span: Span | None = None, dialect: str = "pep508") -> str:
    """``text`` unchanged when packaging accepts it as a marker, else a located ParseError."""
    from .pep508 import is_common_marker

    if is_common_marker(text):  # (packaging.markers, and packaging.tags with it, load only for the rest)
        return text
    from packaging.markers import InvalidMarker, Marker

    from ._common import located_error

    try:
        Marker(text)
    except InvalidMarker as exc:
        cause = exc.__cause__
        offset = getattr(cause, "span", (0, 1))[0] if cause is not None else 0
        reason = str(exc).splitlines()[0] if str(exc) else "invalid marker"
        raise located_error("marker", text, offset, reason, dialect=dialect, span=span) from None
    return text


# ---------------------------------------------------------------------------------------------- python markers


def _release_len(version: str) -> int:
    from packaging.version import Version

    return len(Version(version).release)


def _is_plain(version: str) -> bool:
    """A final release without epoch/pre/post/dev/local parts (``3.8``, ``3.8.1``)."""
    from packaging.version import Version

    v = Version(version)
    return v.epoch == 0 and v.pre is None and v.post is None and v.dev is None and v.local is None


def _clause_marker(op: str, version: str) -> str:
    """One PEP 440 clause on the python version as an exact marker expression."""
    wildcard = version.endswith(".*")
    base = version[:-2] if wildcard else version
    if op == "~=":
        # ~=X.Y is >=X.Y,<X+1 and ~=X.Y.Z is >=X.Y.Z,<X.(Y+1) (a python with a pre-release of X+1 aside)
        from packaging.version import Version

        release = Version(base).release[:-1]
        upper = ".".join(str(n) for n in (*release[:-1], release[-1] + 1))
        return f"{_clause_marker('>=', base)} and {_clause_marker('<', upper)}"
    if wildcard and op in ("==", "!=") and _is_plain(base):
        n = _release_len(base)
        if n == 2:
            return f'python_version {op} "{base}"'
        if n == 1:
            return f'python_version {op} "{version}"'
        return f'python_full_version {op} "{version}"'
    if op in (">=", "<") and _is_plain(base) and _release_len(base) <= 2:
        return f'python_version {op} "{version}"'
    return f'python_full_version {op} "{version}"'


def _clauses_marker(pep440: str) -> str:
    from packaging.specifiers import SpecifierSet

    from ..ir.versions import _clause_order

    clauses = sorted((str(s) for s in SpecifierSet(pep440)), key=_clause_order)
    parts = []
    for clause in clauses:
        op = clause[:3] if clause.startswith("===") else clause[:2] if clause[1] == "=" else clause[:1]
        parts.append(_clause_marker(op, clause[len(op) :].strip()))
    return " and ".join(parts)


def python_to_marker(spec: VersionSpec) -> str | None:
    """The PEP 508 marker admitting exactly the python versions of ``spec``; ``None`` for any version.

    ``>=3.8,<4.0`` -> ``python_version >= "3.8" and python_version < "4.0"``; ``>=3.8.1`` ->
    ``python_full_version >= "3.8.1"``; ``==3.11.*`` -> ``python_version == "3.11"``. A union (Poetry
    ``>=2.7,<2.8 || >=3.6``) becomes an ``or`` of its intervals, each parenthesised when it has several clauses.
    """
    if spec.is_any:
        return None
    text = spec.pep440 if spec.pep440 is not None else set_text(spec.versions)
    if text is not None:
        return _clauses_marker_cached(text)
    if spec.versions.is_empty:
        return 'python_version < "0"'
    pieces = []
    for interval in spec.versions._bounds:  # packaging 26.4's canonical intervals (no public accessor)
        piece = interval_text(type(spec.versions)._build((interval,)))
        if piece is None:  # pragma: no cover - a single interval always has a PEP 440 spelling
            raise ValueError(f"cannot express python constraint {spec.raw!r} as a marker")
        m = _clauses_marker_cached(piece) if piece else None
        if m is None:
            return None
        pieces.append(f"({m})" if " and " in m else m)
    return " or ".join(pieces)


@lru_cache(maxsize=4096)
def _clauses_marker_cached(pep440: str) -> str | None:
    if not pep440.strip():
        return None
    return _clauses_marker(pep440)


def marker_from_python_constraint(text: str, *, span: Span | None = None) -> str | None:
    """Poetry's per-dependency ``python = "^3.8"`` key as a marker (``None`` for ``*``; ``"3.8"`` is the series)."""
    from .poetry import python_constraint

    return python_to_marker(python_constraint(text, span=span))


def marker_from_platform(text: str) -> str | None:
    """Poetry's per-dependency ``platform = "linux"`` key (``sys_platform``; ``||`` alternatives, ``!`` negation)."""
    alternatives = [a.strip() for a in text.replace("||", "|").split("|") if a.strip()]
    parts = []
    for alt in alternatives:
        if alt in ("*", ""):
            return None
        if alt.startswith("!="):
            parts.append(f'sys_platform != "{alt[2:].strip()}"')
        elif alt.startswith("!"):
            parts.append(f'sys_platform != "{alt[1:].strip()}"')
        elif alt.startswith("=="):
            parts.append(f'sys_platform == "{alt[2:].strip()}"')
        else:
            parts.append(f'sys_platform == "{alt}"')
    return or_markers(*parts)
