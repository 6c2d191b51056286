"""Locked packages in the IR, PEP 751-shaped (loaded on first use; see :mod:`depglot.ir.model`)."""

from __future__ import annotations


from .._records import record
from ..span import Span
from .model import Raw, Source, canonical_name

__all__ = ["Lock", "LockFile", "LockedPackage"]


@record
class LockFile:
    """One distribution file of a locked package (PEP 751 shape); ``name``/``url`` unknown for hash-only locks."""

    name: str | None = None
    url: str | None = None
    path: str | None = None
    hashes: tuple[str, ...] = ()  # "algo:hex"
    kind: str | None = None  # sdist | wheel | archive


@record
class LockedPackage:
    """One package of a lock: the pinned version, where it came from and its files."""

    name: str
    version: str | None
    marker: str | None = None
    source: Source | None = None
    index: str | None = None  # URL of the index it came from, when recorded
    files: tuple[LockFile, ...] = ()
    groups: tuple[str, ...] = ()
    extras: tuple[str, ...] = ()
    requires_python: str | None = None
    dependencies: tuple[str, ...] = ()  # canonical names
    raw: tuple[Raw, ...] = ()
    span: Span | None = None

    @property
    def key(self) -> str:
        return canonical_name(self.name)

    @property
    def hashes(self) -> tuple[str, ...]:
        return tuple(h for f in self.files for h in f.hashes)


@record
class Lock:
    """Lock detail of a manifest that came from a lock file (PEP 751 shape)."""

    packages: tuple[LockedPackage, ...] = ()
    version: str | None = None  # lock-file format version as written
    content_hash: str | None = None
    raw: tuple[Raw, ...] = ()
