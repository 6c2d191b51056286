"""Version sets: the meaning of a specifier, whatever dialect spelled it.

A :class:`VersionSpec` keeps the spelling as written (``raw``, in its ``dialect``) next to its meaning, a
normalised union of version intervals. The interval algebra is packaging's :class:`~packaging.ranges.VersionRange`
(packaging >= 26.4), which implements PEP 440 ordering exactly, including the exclusive-ordered rules
(``<V`` excludes V's prereleases, ``>V`` excludes V's post releases, ``<=V``/``==V`` admit local versions),
so depglot does not hand-roll it. Dialects in :mod:`depglot.dialects` build ranges from their own syntax and
render ranges back, exactly or with a reported loss.
"""

from __future__ import annotations

import abc
import re
from dataclasses import field
from functools import lru_cache
from typing import TYPE_CHECKING

from .._records import record

if TYPE_CHECKING:  # packaging.ranges costs ~20 ms to import: load it only when a meaning is needed
    from packaging.ranges import VersionRange

__all__ = [
    "RangeSource",
    "VersionSpec",
    "empty_range",
    "full_range",
    "pep440_range",
    "range_to_pep440",
    "same_versions",
    "validate_pep440",
]


@lru_cache(maxsize=65536)
def pep440_range(text: str) -> VersionRange:
    """The version set of a PEP 440 specifier set (``""`` = any). Raises packaging's InvalidSpecifier."""
    from packaging.specifiers import SpecifierSet

    return SpecifierSet(text).to_range()


# A strict subset of PEP 440 specifier sets that packaging surely accepts: release numbers (with a canonical
# pre-release, post or dev suffix) after the six comparison operators, ``.*`` after ``==``/``!=`` on a plain release,
# ``~=`` with two or more components. Anything else is validated by packaging itself.
_SUFFIX = r"(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?"
_SIMPLE_CLAUSE = (
    rf"\s*(?:(?:>=|<=|<|>|==|!=)\s*[0-9]+(?:\.[0-9]+)*{_SUFFIX}|(?:==|!=)\s*[0-9]+(?:\.[0-9]+)*\.\*"
    r"|~=\s*[0-9]+(?:\.[0-9]+)+)\s*"
)
_SIMPLE_SET = re.compile(rf"{_SIMPLE_CLAUSE}(?:,{_SIMPLE_CLAUSE})*")


def validate_pep440(text: str) -> None:
    """Raise packaging's InvalidSpecifier unless ``text`` is a PEP 440 specifier set (without building its set)."""
    if not text.strip() or _SIMPLE_SET.fullmatch(text):
        return
    _validated(text)


@lru_cache(maxsize=65536)
def _validated(text: str) -> None:
    from packaging.specifiers import SpecifierSet

    SpecifierSet(text)


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


class RangeSource(abc.ABC):
    """Base of what builds a version set on demand (a dialect's parsed union, kept until someone asks)."""

    __slots__ = ()

    @abc.abstractmethod
    def to_range(self) -> VersionRange:
        """The version set (built now; :class:`VersionSpec` keeps it)."""

    def admits_all(self) -> bool | None:
        """Whether the set is every version, when the source can tell without building it (else ``None``)."""
        return None


@record(init=False)
class VersionSpec:
    """A version constraint: the spelling as written and its meaning.

    ``raw`` is the text exactly as the source wrote it (``"^1.2"``, ``">=1.2,<2"``, ``"=1.23"``), ``dialect``
    names its syntax (``pep440``, ``poetry``, ``pipfile``, ``conda``) and ``versions`` is the set of versions it
    admits. ``pep440`` is the exact PEP 440 text of that set when one exists (``None`` when PEP 440 cannot say
    it, e.g. for a Poetry ``||`` union with a gap).

    ``versions`` is computed on first use (from ``pep440``, or from the :class:`RangeSource` a dialect passed),
    so reading and same-format writing never build interval sets nor import ``packaging.ranges``. Pass
    ``versions=`` (a VersionRange or a RangeSource) when ``pep440`` is ``None`` or does not say the set.
    """

    raw: str
    dialect: str = "pep440"
    pep440: str | None = None
    # the set once built, or what builds it; not part of equality, hash or repr (the spelling is the identity)
    _versions: VersionRange | RangeSource | None = field(default=None, compare=False, hash=False, repr=False)

    def __init__(
        self,
        *,
        raw: str,
        dialect: str = "pep440",
        versions: VersionRange | RangeSource | None = None,
        pep440: str | None = None,
        _versions: VersionRange | RangeSource | None = None,
    ) -> None:
        if versions is None:
            versions = _versions
        if versions is None and pep440 is None:
            raise TypeError("VersionSpec needs versions= or pep440= (the set it admits)")
        object.__setattr__(self, "raw", raw)
        object.__setattr__(self, "dialect", dialect)
        object.__setattr__(self, "pep440", pep440)
        object.__setattr__(self, "_versions", versions)

    @property
    def versions(self) -> VersionRange:
        """The set of versions admitted (built on first use, then kept)."""
        got = self._versions
        if got is None:
            got = pep440_range(self.pep440)
        elif isinstance(got, RangeSource):
            got = got.to_range()
        else:
            return got
        object.__setattr__(self, "_versions", got)
        return got

    @property
    def source(self) -> RangeSource | None:
        """The dialect's unbuilt description of the set, when ``versions`` has not been built from it yet."""
        got = self._versions
        return got if got is not None and isinstance(got, RangeSource) else None

    @property
    def exact(self) -> str | None:
        """The version of an exact ``==V``/``===V`` pin (one clause, no wildcard), else None."""
        text = (self.pep440 or "").strip()
        for op in ("===", "=="):
            if text.startswith(op) and "," not in text and "*" not in text:
                return text[len(op) :].strip()
        return None

    @classmethod
    def from_pep440(cls, text: str, *, raw: str | None = None) -> VersionSpec:
        """A PEP 440 specifier set (validated by packaging); ``raw`` defaults to ``text``."""
        validate_pep440(text)
        return cls(raw=text if raw is None else raw, dialect="pep440", pep440=text)

    @classmethod
    def any(cls, raw: str = "") -> VersionSpec:
        return cls(raw=raw, dialect="pep440", pep440="")

    @property
    def is_any(self) -> bool:
        if self.pep440 == "":
            return True
        if self.pep440 is not None and not _may_be_full(self.pep440):
            return False
        source = self.source
        if source is not None and source.admits_all() is False:
            return False
        return self.versions == full_range()

    def same_as(self, other: VersionSpec | None) -> bool:
        """Whether both admit the same versions; the same text in the same dialect (or the same PEP 440 text)
        answers without building the sets (an unchanged entry of a same-format edit)."""
        if other is None:
            return self.is_any
        if (self.raw == other.raw and self.dialect == other.dialect) or (
            self.pep440 is not None and self.pep440 == other.pep440
        ):
            return True
        return self.versions == other.versions


def _may_be_full(text: str) -> bool:
    """False when some clause of a PEP 440 text surely excludes a version.

    Every operator but ``>=`` does, and so does ``>=V`` unless V is the least version (``0.dev0``, which has no
    digit but 0): a non-zero digit anywhere in V puts V above it.
    """
    if text.count(">=") <= text.count(","):  # fewer ">=" than clauses
        return False
    for clause in text.split(","):
        clause = clause.strip()
        if not clause.startswith(">=") or any(digit in clause for digit in "123456789"):
            return False
    return True
