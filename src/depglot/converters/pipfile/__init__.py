"""Pipfile (pipenv's manifest): read everything pipenv reads, write it fresh or edited in place.

See ``docs/formats/pipfile.md`` for what maps where and what each direction reports.
"""

from __future__ import annotations

import re
from typing import ClassVar

from ...format import Feature, Format, ReadOptions, WriteOptions
from ...ir.model import Manifest
from ...report import Report

__all__ = ["PipfileFormat"]

_SECTION = re.compile(r"^\s*\[(?:\[source\]|packages|dev-packages|requires|pipenv)\]\s*$", re.MULTILINE)


class PipfileFormat(Format):
    name = "pipfile"
    description = "pipenv's Pipfile: sources, packages, dev-packages, categories, requires, scripts"
    filenames = ("Pipfile",)
    features: ClassVar[frozenset[Feature]] = frozenset(
        {
            Feature.GROUPS,
            Feature.REQUIREMENT_EXTRAS,
            Feature.MARKERS,
            Feature.VCS,
            Feature.LOCAL_PATH,
            Feature.URL,
            Feature.EDITABLE,
            Feature.PER_PACKAGE_INDEX,
            Feature.INDEXES,
            Feature.INDEX_NAMES,
            Feature.VERIFY_SSL,
            Feature.PYTHON,
            Feature.PRERELEASES,
            Feature.COMMENTS,
        }
    )

    def detect(self, filename: str, head: str) -> int:
        if filename.endswith(".lock"):
            return 0
        hits = {m.group(0).strip() for m in _SECTION.finditer(head)}
        if not hits:
            return 0
        return min(45, 15 * len(hits))

    def read(self, text: str, options: ReadOptions) -> Manifest:
        from . import reader  # the writer's target path never needs the reader, nor the reader the writer

        return reader.read(text, options)

    def write(self, manifest: Manifest, *, base: str | None, report: Report, options: WriteOptions) -> str:
        from . import writer

        return writer.write(manifest, base=base, report=report)
