"""The intermediate representation every format reads into and writes from.

Frozen, slotted, keyword-only dataclasses holding plain Python values (never tomlkit/ruamel objects); tuples,
not sets, so order is kept. Anything a format says that the IR has no slot for travels as :class:`Raw`, tagged
with its format, and comes back when writing that format again.

:class:`Project` (:mod:`.project`) and the lock classes (:mod:`.lock`) are defined in their own modules and loaded
on first use (``from depglot.ir.model import Lock`` still works): generating a dataclass costs ~0.5 ms at import,
and a requirements conversion never needs them.
"""

from __future__ import annotations

import enum
from dataclasses import field, replace
from typing import TYPE_CHECKING, Any

from .._records import record
from ..span import Span
from .versions import VersionSpec

if TYPE_CHECKING:
    from ..report import Loss
    from .lock import Lock, LockedPackage, LockFile
    from .project import Project

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


@record
class Raw:
    """Something with no slot in the IR, kept verbatim for its own format (``value`` is plain data)."""

    format: str
    key: str
    value: Any
    span: Span | None = None


@record
class IndexRef:
    """Install this requirement from the named index (Pipfile ``index=``, Poetry ``source=``, uv ``index=``)."""

    name: str


@record
class Vcs:
    """A requirement installed from a version-control repository (``git+https://...@rev``)."""

    vcs: str  # git | hg | svn | bzr
    url: str  # without the ``git+`` prefix and without ``@rev``
    rev: str | None = None
    rev_kind: str | None = None  # branch | tag | rev | None (unknown: pip's @ref)
    subdirectory: str | None = None


@record
class LocalPath:
    """A requirement installed from a local directory or archive (relative paths stay relative)."""

    path: str  # as written (relative paths stay relative)
    subdirectory: str | None = None


@record
class Url:
    """A requirement installed from a direct archive URL."""

    url: str  # an archive URL (http(s)/file), without ``#egg=``/``#subdirectory=`` fragments
    subdirectory: str | None = None


@record
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


@record
class Requirement:
    """One dependency: name, extras, version, marker, source and options, with where it was written."""

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


@record
class Group:
    """A named set of requirements: the main dependencies, an extra, a development group or a category."""

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


@record
class Index:
    """A package index (or find-links location) and the role it plays in resolution."""

    name: str | None
    url: str
    role: IndexRole = IndexRole.DEFAULT
    verify_ssl: bool | None = None
    raw: tuple[Raw, ...] = ()
    span: Span | None = None


@record
class Option:
    """A manifest-wide installer option with no dedicated field (``--no-binary :all:``, ``--trusted-host h``).

    ``name`` is pip's long option name without dashes (``no-binary``); ``value`` is ``None`` for flags.
    """

    name: str
    value: str | None = None
    span: Span | None = None


@record
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


_LAZY = {"Lock": "lock", "LockFile": "lock", "LockedPackage": "lock", "Project": "project"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f"{__package__}.{module}"), name)
    globals()[name] = value
    return value
