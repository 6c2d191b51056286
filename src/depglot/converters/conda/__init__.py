"""conda ``environment.yml``: MatchSpec dependencies, the ``pip:`` sub-list, channels, offline PyPI <-> conda names."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from ...format import Feature, Format, ReadOptions, WriteOptions

if TYPE_CHECKING:
    from ...ir.model import Manifest
    from ...report import Report

__all__ = ["CondaFormat"]

_DEPS = re.compile(r"^dependencies\s*:", re.MULTILINE)
_HINTS = re.compile(r"^(channels|name|prefix)\s*:|^\s*-\s*pip\s*:", re.MULTILINE)


class CondaFormat(Format):
    name = "conda"
    description = "conda environment.yml (MatchSpecs, pip: sub-list, channels)"
    filenames = (
        "environment.yml",
        "environment.yaml",
        "environment*.yml",
        "environment*.yaml",
        "*.environment.yml",
    )
    features: ClassVar[frozenset[Feature]] = frozenset(
        {
            Feature.CONDA_PACKAGES,
            Feature.CHANNELS,
            Feature.PYTHON,
            Feature.MARKERS,
            Feature.REQUIREMENT_EXTRAS,
            Feature.VCS,
            Feature.URL,
            Feature.LOCAL_PATH,
            Feature.EDITABLE,
            Feature.HASHES,
            Feature.REQUIREMENT_OPTIONS,
            Feature.INDEXES,
            Feature.FIND_LINKS,
            Feature.NO_INDEX,
            Feature.PRERELEASES,
            Feature.INSTALLER_OPTIONS,
            Feature.INCLUDES,
            Feature.CONSTRAINTS,  # written back as the -c reference in the pip: list
        }
    )

    def detect(self, filename: str, head: str) -> int:
        if "conda-lock" in filename.lower() or re.search(r"^package\s*:", head, re.MULTILINE):
            return 0
        if _DEPS.search(head):
            return 40 if _HINTS.search(head) else 20
        return 0

    def read(self, text: str, options: ReadOptions) -> Manifest:
        from ...data.conda_names import load_name_map
        from .reader import read_environment

        manifest, _ = read_environment(text, options.path, load_name_map(options.name_map))
        return manifest

    def write(self, manifest: Manifest, *, base: str | None, report: Report, options: WriteOptions) -> str:
        from ...data.conda_names import load_name_map
        from .writer import write_environment

        return write_environment(
            manifest, base=base, report=report, names=load_name_map(options.name_map), path=options.path
        )
