"""Version sets: the meaning of a specifier, whatever dialect spelled it.

A :class:`VersionSpec` keeps the spelling as written (``raw``, in its ``dialect``) next to its meaning, a
normalised union of version intervals. The interval algebra is packaging's :class:`~packaging.ranges.VersionRange`
(packaging >= 26.4), which implements PEP 440 ordering exactly, including the exclusive-ordered rules
(``<V`` excludes V's prereleases, ``>V`` excludes V's post releases, ``<=V``/``==V`` admit local versions),
so depglot does not hand-roll it. Dialects in :mod:`depglot.dialects` build ranges from their own syntax and
render ranges back, exactly or with a reported loss.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # packaging.ranges costs ~20 ms to import: load it only when a meaning is needed
    from packaging.ranges import VersionRange

__all__ = ["VersionSpec", "pep440_range", "full_range", "empty_range", "range_to_pep440", "same_versions"]


@lru_cache(maxsize=65536)
def pep440_range(text: str) -> VersionRange:
    """The version set of a PEP 440 specifier set (``""`` = any). Raises packaging's InvalidSpecifier."""
    from packaging.specifiers import SpecifierSet

    return SpecifierSet(text).to_range()


def full_range() -> VersionRange:
    return pep440_range("")


def empty_range() -> VersionRange:
    from packaging.ranges import VersionRange

    return VersionRange.empty()


def range_to_pep440(versions: VersionRange) -> str | None:
    """The PEP 440 text admitting exactly ``versions``, or ``None`` when PEP 440 cannot say it.

    Clauses are ordered lower bound first (``>=1.2,<2.0``), the way people write them.
    """
    spec = versions.to_specifier_set()
    if spec is None:
        return None
    return ",".join(sorted((str(s) for s in spec), key=_clause_order))


_OP_ORDER = {">=": 0, ">": 0, "~=": 0, "==": 1, "===": 1, "<=": 2, "<": 2, "!=": 3}


def _clause_order(clause: str) -> tuple[int, str]:
    op = clause[:3] if clause.startswith("===") else clause[:2] if clause[:2] in _OP_ORDER else clause[:1]
    return _OP_ORDER.get(op, 4), clause


def same_versions(a: VersionRange, b: VersionRange) -> bool:
    """Whether two version sets admit exactly the same versions (prereleases included)."""
    return a == b


@dataclass(frozen=True, slots=True, kw_only=True)
class VersionSpec:
    """A version constraint: the spelling as written and its meaning.

    ``raw`` is the text exactly as the source wrote it (``"^1.2"``, ``">=1.2,<2"``, ``"=1.23"``), ``dialect``
    names its syntax (``pep440``, ``poetry``, ``pipfile``, ``conda``) and ``versions`` is the set of versions it
    admits. ``pep440`` is the exact PEP 440 text of that set when one exists (``None`` when PEP 440 cannot say
    it, e.g. for a Poetry ``||`` union with a gap).
    """

    raw: str
    dialect: str = "pep440"
    versions: VersionRange = field(compare=False, hash=False, repr=False)
    pep440: str | None = None

    @classmethod
    def from_pep440(cls, text: str, *, raw: str | None = None) -> VersionSpec:
        """A PEP 440 specifier set (validated by packaging); ``raw`` defaults to ``text``."""
        return cls(raw=text if raw is None else raw, dialect="pep440", versions=pep440_range(text), pep440=text)

    @classmethod
    def any(cls, raw: str = "") -> VersionSpec:
        return cls(raw=raw, dialect="pep440", versions=full_range(), pep440="")

    @property
    def is_any(self) -> bool:
        return self.pep440 == "" or self.versions == full_range()

    def same_as(self, other: VersionSpec | None) -> bool:
        if other is None:
            return self.is_any
        return self.versions == other.versions
