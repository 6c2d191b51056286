"""Poetry constraints read exactly as poetry-core means them (the grammar is in :mod:`depglot.dialects.poetry`)."""

from __future__ import annotations

import re
from dataclasses import field
from functools import lru_cache
from typing import TYPE_CHECKING

from ..._records import record
from ...ir.versions import RangeSource, VersionSpec, pep440_range, range_to_pep440
from ...span import Span
from .. import _intervals as fast
from .._common import located_error, set_text

if TYPE_CHECKING:
    from packaging.ranges import VersionRange

__all__ = [
    "DIALECT",
    "caret_upper",
    "parse",
    "parse_or_none",
    "python_constraint",
    "tilde_upper",
    "to_pep440_clauses",
]

DIALECT = "poetry"

_VERSION = (
    r"v?\s*(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?"
    r"(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?(?:[-_.]?dev[-_.]?[0-9]*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?"
)
_ANY = re.compile(r"^v?[xX*](?:\.[xX*])*$")
_CLAUSE = re.compile(
    rf"^(?P<op>\^|~=|~|===|==|=|!=|<>|<=|>=|<|>)?\s*(?P<version>{_VERSION}|dev)(?P<wildcard>(?:\.\*)+)?$",
    re.IGNORECASE,
)
# poetry-core's AND separator: a comma or space not right after an operator (so ">= 1.2" is one clause)
_AND_SPLIT = re.compile(r"(?<!^)(?<![\^~=>< ,]) *(?<!-)[, ](?!-) *(?!,|$)")
_OR_SPLIT = re.compile(r"\s*\|\|?\s*")
_EMPTY_CLAUSE = re.compile(r",\s*,")
_CANONICAL_RELEASE = re.compile(r"(?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*")  # str(Version(t)) == t


class _Invalid(Exception):
    def __init__(self, offset: int, reason: str, width: int = 1) -> None:
        super().__init__(reason)
        self.offset = offset
        self.reason = reason
        self.width = width


def parse(text: str, *, span: Span | None = None) -> VersionSpec:
    """A Poetry constraint as a VersionSpec (dialect ``poetry``; ``raw`` is ``text`` unchanged).

    Bad input raises :class:`~depglot.errors.ParseError` naming the constraint, the position and dialect ``poetry``.
    """
    try:
        return _parse(text)
    except _Invalid as exc:
        raise located_error(
            "version constraint", text, exc.offset, exc.reason, dialect=DIALECT, span=span, width=exc.width
        ) from None


def python_constraint(text: str, *, span: Span | None = None) -> VersionSpec:
    """Poetry's ``python = "..."`` (project or per dependency) as the set of python versions it admits.

    Like :func:`parse`, except that a bare pin with one or two components means that whole series, the way Poetry
    turns it into a marker (``python = "3.8"`` -> ``python_version == "3.8"``, i.e. ``==3.8.*``).
    """
    spec = parse(text, span=span)
    m = _CLAUSE.match(text.strip())
    if m is not None and (m.group("op") or "=") in ("=", "==") and not m.group("wildcard"):
        version = _version(m.group("version"))
        if version.count(".") <= 1 and re.fullmatch(r"[0-9.]+", version):
            return VersionSpec(raw=spec.raw, dialect=spec.dialect, pep440=f"=={version}.*")
    return spec


@lru_cache(maxsize=65536)
def _parse(text: str) -> VersionSpec:
    stripped = text.strip()
    lead = len(text) - len(text.lstrip())
    if not stripped:
        raise _Invalid(0, "empty constraint (use '*' for any version)")
    if stripped == "*":
        return VersionSpec(raw=text, dialect=DIALECT, pep440="")
    groups: list[list[str]] = []
    for piece, start in _split(stripped, _OR_SPLIT) if "|" in stripped else ((stripped, 0),):
        piece_stripped = piece.rstrip(",").rstrip()
        if not piece_stripped:
            raise _Invalid(lead + start, "empty alternative around '||'")
        empty = _EMPTY_CLAUSE.search(piece_stripped) if "," in piece_stripped else None
        if empty is not None:
            raise _Invalid(lead + start + empty.end() - 1, "empty clause between commas")
        clauses: list[str] = []
        single = "," not in piece_stripped and " " not in piece_stripped
        for clause, cstart in ((piece_stripped, 0),) if single else _split(piece_stripped, _AND_SPLIT):
            clauses.extend(_clause(clause, lead + start + cstart))
        groups.append(clauses)
    if len(groups) == 1:
        pep = ",".join(groups[0])
        if pep.count(",") > 1:  # ^1.2,<1.5 -> >=1.2,<1.5 (packaging's canonical text is costly: only here)
            shorter = _fast_canonical(pep)
            if shorter is not None:
                return VersionSpec(raw=text, dialect=DIALECT, pep440=shorter)
            versions = _group_range(groups[0])
            canonical = range_to_pep440(versions)
            if canonical is not None and canonical.count(",") < pep.count(","):
                return VersionSpec(raw=text, dialect=DIALECT, versions=versions, pep440=canonical)
        return VersionSpec(raw=text, dialect=DIALECT, pep440=pep)  # (the set is built when first asked for)
    alternatives = tuple(tuple(clauses) for clauses in groups)
    try:
        spans = fast.union([fast.from_pep440(",".join(clauses)) for clauses in groups])
        union_text = fast.set_text(spans)
    except fast.NotSimple:
        versions = _Union(alternatives).to_range()
        return VersionSpec(raw=text, dialect=DIALECT, versions=versions, pep440=set_text(versions))
    return VersionSpec(raw=text, dialect=DIALECT, versions=_Union(alternatives, spans), pep440=union_text)


def _fast_canonical(pep: str) -> str | None:
    """The fast path's answer to "a shorter canonical text of this AND group" for the plainest shape, clauses
    ``>=L`` and ``<U`` on plain releases only (``^1.2,<1.5`` -> ``>=1.2,<1.5``, packaging's canonical text of the
    bounds); ``None``: ask packaging."""
    for clause in pep.split(","):
        op = ">=" if clause.startswith(">=") else "<" if clause.startswith("<") and clause[1:2] != "=" else None
        if op is None or not _PLAIN.fullmatch(clause, len(op)) or "!" in clause:
            return None
    try:
        ((lo, hi),) = fast.from_pep440(pep)
    except fast.NotSimple:
        return None
    if lo is None or hi is None:
        return None
    text = f">={lo.text},<{fast._fmt(hi.epoch, hi.release)}"
    return text if text.count(",") < pep.count(",") else None


@record(kw_only=False)
class _Union(RangeSource):
    """An ``||`` of AND groups of PEP 440 clauses; its set is built on first use (``spans``: the fast path's).

    Equal (and hashed) by ``groups`` alone.
    """

    groups: tuple[tuple[str, ...], ...]
    spans: tuple | None = field(default=None, compare=False, repr=False)

    def to_range(self) -> VersionRange:
        versions = _group_range(list(self.groups[0]))
        for clauses in self.groups[1:]:
            versions = versions | _group_range(list(clauses))
        return versions

    def admits_all(self) -> bool | None:
        return None if self.spans is None else self.spans == ((None, None),)


_PLAIN = re.compile(r"(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*")
_FINAL = re.compile(r"(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:\.post[0-9]+)?")


def _group_range(clauses: list[str]) -> VersionRange:
    """The set of one AND group of PEP 440 clauses.

    ``>=L,<U`` with L a final release and U a plain one (every ``^``/``~`` of a final version) is built straight
    from its bounds, ``[L, U.dev0)``, which is what packaging's specifier parsing yields, at a third of the cost;
    anything else goes through packaging.
    """
    if (
        len(clauses) == 2
        and clauses[0].startswith(">=")
        and clauses[1].startswith("<")
        and not clauses[1].startswith("<=")
        and _FINAL.fullmatch(clauses[0][2:])
        and _PLAIN.fullmatch(clauses[1][1:])
    ):
        return _bounds_range(clauses[0][2:], clauses[1][1:])
    return pep440_range(",".join(clauses))


@lru_cache(maxsize=65536)
def _bounds_range(lower: str, upper: str) -> VersionRange:
    from packaging.ranges import VersionRange
    from packaging.version import Version

    return VersionRange.from_bounds(Version(lower), Version(f"{upper}.dev0"), include_upper=False)


def _split(text: str, pattern: re.Pattern[str]) -> list[tuple[str, int]]:
    out = []
    start = 0
    for m in pattern.finditer(text):
        out.append((text[start : m.start()], start))
        start = m.end()
    out.append((text[start:], start))
    return out


class _NotAVersion(ValueError):
    """packaging's InvalidVersion, named without importing packaging (plain releases never load it)."""


@lru_cache(maxsize=65536)
def _version(text: str) -> str:
    """The normalised PEP 440 text of a Poetry version (``v1.0.0-beta.2`` -> ``1.0.0b2``; ``dev`` -> ``0.0.dev0``).

    Raises :class:`_NotAVersion` when ``text`` is no version.
    """
    t = text.strip()
    if _CANONICAL_RELEASE.fullmatch(t):
        return t
    if t.lower() == "dev":
        return "0.0.dev0"
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(t))
    except InvalidVersion as exc:
        raise _NotAVersion(str(exc)) from None


@lru_cache(maxsize=65536)
def _release(version: str) -> tuple[int, tuple[int, ...]]:
    if _CANONICAL_RELEASE.fullmatch(version):
        return 0, tuple(map(int, version.split(".")))
    from packaging.version import Version

    v = Version(version)
    return v.epoch, v.release


def _fmt(epoch: int, release: tuple[int, ...]) -> str:
    return (f"{epoch}!" if epoch else "") + ".".join(str(n) for n in release)


def _bump(release: tuple[int, ...], index: int) -> tuple[int, ...]:
    """Increment component ``index`` and zero the rest, keeping the number of components."""
    return (*release[:index], release[index] + 1, *(0 for _ in release[index + 1 :]))


def caret_upper(version: str) -> str:
    """Poetry's ``next_breaking`` of ``version`` (stable base, same number of components)."""
    epoch, rel = _release(version)
    if rel[0] > 0 or len(rel) == 1:
        return _fmt(epoch, _bump(rel, 0))
    if rel[1] > 0 or len(rel) == 2:
        return _fmt(epoch, _bump(rel, 1))
    return _fmt(epoch, _bump(rel, 2))


def tilde_upper(version: str) -> str:
    epoch, rel = _release(version)
    return _fmt(epoch, _bump(rel, 0 if len(rel) == 1 else 1))


def _clause(clause: str, offset: int) -> tuple[str, ...]:
    """PEP 440 clauses meaning one Poetry clause (``()`` for any version); errors located at ``offset``."""
    try:
        return _clause_at0(clause)
    except _Invalid as exc:
        raise _Invalid(offset + exc.offset, exc.reason, exc.width) from None


@lru_cache(maxsize=65536)
def _clause_at0(clause: str) -> tuple[str, ...]:
    offset = 0

    if _ANY.match(clause):
        return ()
    m = _CLAUSE.match(clause)
    if m is None:
        raise _Invalid(offset, _why(clause), max(1, len(clause)))
    op = m.group("op") or "="
    wildcard = m.group("wildcard")
    try:
        version = _version(m.group("version"))
    except _NotAVersion:
        raise _Invalid(offset, f"{m.group('version')!r} is not a version", max(1, len(clause))) from None
    if op == "<>":
        raise _Invalid(offset, "'<>' is not supported (poetry-core reads it as '=='); write '!='", 2)
    if op == "===":
        raise _Invalid(offset, "'===' (arbitrary equality) is not Poetry syntax", 3)
    if "+" in version and op not in ("=", "==", "!="):
        raise _Invalid(
            offset, f"a local version ({version!r}) cannot bound a range; pin it with '=='", len(clause)
        )
    if wildcard:
        if op in ("=", "==", "!="):
            if not re.fullmatch(r"(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*", version):
                raise _Invalid(
                    offset, f"a '.*' wildcard needs a plain release before it, not {version!r}", len(clause)
                )
            return (f"{'!=' if op == '!=' else '=='}{version}.*",)
        if op in ("<", "<=", ">", ">="):  # poetry-core ignores the wildcard here
            return (f"{op}{version}",)
        raise _Invalid(offset, f"'{op}' cannot take a '.*' wildcard", len(clause))
    if op == "^":
        return (f">={version}", f"<{caret_upper(version)}")
    if op == "~":
        return (f">={version}", f"<{tilde_upper(version)}")
    if op == "~=":
        epoch, rel = _release(version)
        if len(rel) < 2:
            return (f">={version}", f"<{_fmt(epoch, _bump(rel, 0))}")
        return (f"~={version}",)
    if op in ("=", "=="):
        return (f"=={version}",)
    return (f"{op}{version}",)


def _why(clause: str) -> str:
    if clause in ("^", "~", "~=", "=", "==", "!=", "<", "<=", ">", ">="):
        return f"operator {clause!r} has no version"
    if re.search(r"\.[xX]\b", clause) or re.search(r"\.[xX]$", clause):
        return f"{clause!r}: 'x' is only allowed as the whole constraint; write '.*'"
    if re.match(r"^[\^~=<>!]*\s*$", clause):
        return f"{clause!r} has no version"
    if re.search(r"[<>=!~^].*[<>=!~^]", clause):
        return f"{clause!r}: clauses need a ',' or ' ' between them"
    return f"{clause!r} is not a Poetry version constraint"


def to_pep440_clauses(text: str) -> list[str]:
    """The PEP 440 clauses of a single-alternative Poetry constraint (``^1.2`` -> ``[">=1.2", "<2.0"]``)."""
    spec = parse(text)
    if spec.pep440 is None:
        raise ValueError(f"{text!r} is a union; it has no single PEP 440 clause list")
    return [c for c in spec.pep440.split(",") if c]


def parse_or_none(text: str) -> VersionSpec | None:
    """:func:`parse` without the error: ``None`` when ``text`` is not a Poetry constraint."""
    try:
        return _parse(text)
    except _Invalid:
        return None
