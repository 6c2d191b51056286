"""The plugin protocol: a :class:`Format` reads text into a Manifest and writes a Manifest back to text.

A format declares what it can hold as :class:`Feature` values; the generic preflight
(:mod:`depglot.ir.features`) reports every feature a manifest uses that the target lacks, so writers only write
what they can and never have to remember to report the rest.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, ClassVar

from ._records import record

if TYPE_CHECKING:
    from .ir.model import Manifest
    from .report import Report

__all__ = ["Feature", "Format", "ReadOptions", "WriteOptions"]


class Feature(enum.StrEnum):
    """Things a manifest can say. A writer declares the ones it can hold."""

    GROUPS = "groups"  # development groups / Pipfile dev-packages and categories
    EXTRAS = "extras"  # optional-dependencies (the project's extras)
    OPTIONAL_GROUPS = "optional-groups"  # a group not installed by default
    GROUP_INCLUDES = "group-includes"  # PEP 735 include-group
    REQUIREMENT_EXTRAS = "requirement-extras"  # name[extra]
    MARKERS = "markers"
    VCS = "vcs"
    LOCAL_PATH = "local-path"
    URL = "url"
    EDITABLE = "editable"
    HASHES = "hashes"
    PER_PACKAGE_INDEX = "per-package-index"
    INDEXES = "indexes"
    INDEX_STRATEGY = "index-strategy"  # first-index lookup across several indexes (uv's default, PDM respect-source-order)
    INDEX_NAMES = "index-names"
    FIND_LINKS = "find-links"
    NO_INDEX = "no-index"
    VERIFY_SSL = "verify-ssl"
    PYTHON = "python"  # the project's python constraint
    PRERELEASES = "prereleases"  # manifest-wide allow-prereleases
    REQUIREMENT_PRERELEASES = "requirement-prereleases"  # per-requirement allow-prereleases
    OPTIONAL_REQUIREMENTS = "optional-requirements"  # Poetry optional = true
    REQUIREMENT_OPTIONS = "requirement-options"  # per-line pip options (--config-settings)
    INSTALLER_OPTIONS = "installer-options"  # manifest-wide pip options (--no-binary, --trusted-host, ...)
    INCLUDES = "includes"  # -r / -c references
    CONSTRAINTS = "constraints"  # the lines of a followed -c constraints file (they narrow versions)
    CHANNELS = "channels"  # conda channels
    CONDA_PACKAGES = "conda-packages"  # conda (not PyPI) packages
    PROJECT_METADATA = "project-metadata"
    COMMENTS = "comments"
    LOCK = "lock"  # locked packages with per-file detail


@record
class ReadOptions:
    """Reader choices that come from the user (CLI flags or API keywords)."""

    path: str | None = None  # shown in spans; includes are resolved relative to it
    follow_includes: bool = False
    allow_outside: bool = False  # allow -r/-c to leave ``root``
    root: str | None = None  # repository root for include containment (default: the file's directory)
    max_include_depth: int = 32
    name_map: str | None = None  # a PyPI <-> conda name-map file over the bundled one (--name-map)


@record
class WriteOptions:
    """Writer choices that come from the user (CLI flags or API keywords)."""

    no_hashes: bool = False
    index_strategy: str | None = None  # uv's --index-strategy values
    optional_to: str = "extra"  # where Poetry optional deps without an extra go: extra | group
    keep_locked: bool = False
    path: str | None = None  # output path, when known (relative paths in the output are kept as written)
    pipfile: str | None = None  # pipfile-lock: text of the Pipfile the lock belongs to (its hash goes into _meta)
    name_map: str | None = None  # a PyPI <-> conda name-map file over the bundled one (--name-map)


class Format:
    """Base class of every format plugin.

    Subclasses set the class attributes and implement :meth:`read` and/or :meth:`write`. ``flavour`` is the
    part after ``+`` in a format name (``pep621+uv``).
    """

    name: ClassVar[str]
    description: ClassVar[str] = ""
    filenames: ClassVar[tuple[str, ...]] = ()  # fnmatch patterns on the basename
    flavours: ClassVar[tuple[str, ...]] = ()
    can_read: ClassVar[bool] = True
    can_write: ClassVar[bool] = True
    features: ClassVar[frozenset[Feature]] = frozenset()  # what the writer can hold

    def __init__(self, flavour: str | None = None) -> None:
        if flavour is not None and flavour not in self.flavours:
            from .errors import UnknownFormatError

            raise UnknownFormatError(f"{self.name}+{flavour}", known=[f"{self.name}+{f}" for f in self.flavours])
        self.flavour = flavour

    @property
    def full_name(self) -> str:
        return f"{self.name}+{self.flavour}" if self.flavour else self.name

    def detect(self, filename: str, head: str) -> int:
        """A score 0..100 for how likely ``head`` (the first 8 KiB) of ``filename`` is in this format."""
        return 0

    def read(self, text: str, options: ReadOptions) -> Manifest:
        from .errors import ConversionError

        raise ConversionError(f"format {self.name!r} cannot be read", hint="run `depglot formats` to see what reads")

    def write(self, manifest: Manifest, *, base: str | None, report: Report, options: WriteOptions) -> str:
        from .errors import ConversionError

        raise ConversionError(f"format {self.name!r} cannot be written", hint="run `depglot formats` to see what writes")
