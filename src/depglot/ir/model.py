"""The intermediate representation every format reads into and writes from.

Frozen, slotted, keyword-only dataclasses holding plain Python values (never tomlkit/ruamel objects); tuples,
not sets, so order is kept. Anything a format says that the IR has no slot for travels as :class:`Raw`, tagged
with its format, and comes back when writing that format again.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from ..span import Span
from .versions import VersionSpec

if TYPE_CHECKING:
    from ..report import Loss

__all__ = [
    "GroupKind",
    "IndexRole",
    "Raw",
    "IndexRef",
    "Vcs",
    "LocalPath",
    "Url",
    "Source",
    "CondaPackage",
    "Requirement",
    "Group",
    "Index",
    "Option",
    "Project",
    "LockFile",
    "LockedPackage",
    "Lock",
    "Manifest",
    "MAIN",
    "canonical_name",
]


def canonical_name(name: str) -> str:
    """PEP 503 normalised name (``My.Pkg_Name`` -> ``my-pkg-name``)."""
    out = []
    prev_sep = False
    for ch in name:
        if ch in "-_.":
            if not prev_sep:
                out.append("-")
            prev_sep = True
        else:
            out.append(ch.lower())
            prev_sep = False
    return "".join(out)


class GroupKind(enum.StrEnum):
    MAIN = "main"  # the project's own dependencies ([project] dependencies, [packages], ...)
    EXTRA = "extra"  # optional-dependencies / Poetry extras: installed by the project's users on request
    GROUP = "group"  # development groups: PEP 735 groups, Poetry groups, [dev-packages]
    CATEGORY = "category"  # a Pipfile custom category


MAIN = "main"


class IndexRole(enum.StrEnum):
    DEFAULT = "default"  # replaces PyPI (pip -i, uv default = true, Poetry primary/default)
    PRIMARY = "primary"  # searched together with the default (pip --extra-index-url, Poetry primary #2..)
    EXTRA = "extra"  # like PRIMARY, as pip/pipenv say it (best match across all)
    SUPPLEMENTAL = "supplemental"  # only when no other index has the package (Poetry supplemental)
    EXPLICIT = "explicit"  # only for packages that name it (Poetry/uv explicit, Pipfile index=)
    FIND_LINKS = "find-links"  # a flat directory or page of archives (pip -f, uv format = "flat")


@dataclass(frozen=True, slots=True, kw_only=True)
class Raw:
    """Something with no slot in the IR, kept verbatim for its own format (``value`` is plain data)."""

    format: str
    key: str
    value: Any
    span: Span | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexRef:
    """Install this requirement from the named index (Pipfile ``index=``, Poetry ``source=``, uv ``index=``)."""

    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Vcs:
    vcs: str  # git | hg | svn | bzr
    url: str  # without the ``git+`` prefix and without ``@rev``
    rev: str | None = None
    rev_kind: str | None = None  # branch | tag | rev | None (unknown: pip's @ref)
    subdirectory: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalPath:
    path: str  # as written (relative paths stay relative)
    subdirectory: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Url:
    url: str  # an archive URL (http(s)/file), without ``#egg=``/``#subdirectory=`` fragments
    subdirectory: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CondaPackage:
    """A conda package (from an environment file's ``dependencies``, not its ``pip:`` list).

    The Requirement holding it is named by its PyPI counterpart when the name map knows one (``pypi=True``), else
    by the conda name. ``spec`` is the MatchSpec exactly as written. Targets outside conda get the PyPI
    requirement, or a ``conda-only-package`` loss when there is none (``depglot.ir.ecosystem``).
    """

    name: str  # the conda package name
    spec: str  # the MatchSpec as written
    channel: str | None = None
    build: str | None = None
    pypi: bool = False  # a PyPI counterpart is known (Requirement.name is it)


Source = IndexRef | Vcs | LocalPath | Url | CondaPackage


@dataclass(frozen=True, slots=True, kw_only=True)
class Requirement:
    name: str  # as written (may be empty for a bare URL whose name is unknown)
    extras: tuple[str, ...] = ()
    version: VersionSpec | None = None
    marker: str | None = None  # PEP 508 marker text, as written where it was already PEP 508
    source: Source | None = None
    editable: bool = False
    optional: bool = False  # Poetry optional = true (only installed through an extra)
    allow_prereleases: bool | None = None
    hashes: tuple[str, ...] = ()  # "sha256:<hex>"
    options: tuple[tuple[str, str], ...] = ()  # per-line options other than hashes (--config-settings)
    comments: tuple[str, ...] = ()
    raw: tuple[Raw, ...] = ()
    span: Span | None = None

    @property
    def key(self) -> str:
        return canonical_name(self.name)

    def replace(self, **changes: Any) -> Requirement:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True, kw_only=True)
class Group:
    name: str  # "main" for the main group; extras and groups keep their written names
    kind: GroupKind = GroupKind.MAIN
    requirements: tuple[Requirement, ...] = ()
    includes: tuple[str, ...] = ()  # PEP 735 include-group / Poetry include-groups
    optional: bool = False  # Poetry ``optional = true`` group / not installed by default
    comments: tuple[str, ...] = ()
    raw: tuple[Raw, ...] = ()
    span: Span | None = None

    def replace(self, **changes: Any) -> Group:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True, kw_only=True)
class Index:
    name: str | None
    url: str
    role: IndexRole = IndexRole.DEFAULT
    verify_ssl: bool | None = None
    raw: tuple[Raw, ...] = ()
    span: Span | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    """A manifest-wide installer option with no dedicated field (``--no-binary :all:``, ``--trusted-host h``).

    ``name`` is pip's long option name without dashes (``no-binary``); ``value`` is ``None`` for flags.
    """

    name: str
    value: str | None = None
    span: Span | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Project:
    """Project metadata, keyed by PEP 621 names (``description``, ``authors``, ``license``, ``urls``, ``scripts``...)."""

    name: str | None = None
    version: str | None = None
    metadata: tuple[tuple[str, Any], ...] = ()
    raw: tuple[Raw, ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        for k, v in self.metadata:
            if k == key:
                return v
        return default


@dataclass(frozen=True, slots=True, kw_only=True)
class LockFile:
    """One distribution file of a locked package (PEP 751 shape); ``name``/``url`` unknown for hash-only locks."""

    name: str | None = None
    url: str | None = None
    path: str | None = None
    hashes: tuple[str, ...] = ()  # "algo:hex"
    kind: str | None = None  # sdist | wheel | archive


@dataclass(frozen=True, slots=True, kw_only=True)
class LockedPackage:
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


@dataclass(frozen=True, slots=True, kw_only=True)
class Lock:
    packages: tuple[LockedPackage, ...] = ()
    version: str | None = None  # lock-file format version as written
    content_hash: str | None = None
    raw: tuple[Raw, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Manifest:
    """Everything one manifest file says about dependencies.

    ``groups`` always holds the requirements (for locks: one ``==`` pin per package and group), so any
    groupless target can be written from any source; ``lock`` additionally keeps PEP 751-shaped detail.
    """

    format: str
    project: Project | None = None
    python: VersionSpec | None = None
    groups: tuple[Group, ...] = ()
    indexes: tuple[Index, ...] = ()
    no_index: bool = False
    index_strategy: str | None = None  # pip's "best-match" semantics when None for pip-family formats
    allow_prereleases: bool | None = None
    channels: tuple[str, ...] = ()
    options: tuple[Option, ...] = ()
    includes: tuple[tuple[str, str], ...] = ()  # ("requirement"|"constraint", path) kept as references
    lock: Lock | None = None
    comments: tuple[str, ...] = ()
    raw: tuple[Raw, ...] = ()
    losses: tuple[Loss, ...] = field(default=(), compare=False)  # what the reader had to interpret
    span: Span | None = None

    def group(self, name: str) -> Group | None:
        for g in self.groups:
            if g.name == name:
                return g
        return None

    @property
    def main(self) -> Group | None:
        for g in self.groups:
            if g.kind is GroupKind.MAIN:
                return g
        return None

    def requirements(self) -> tuple[Requirement, ...]:
        """Every requirement of every group, in order."""
        return tuple(r for g in self.groups for r in g.requirements)

    def replace(self, **changes: Any) -> Manifest:
        return replace(self, **changes)
