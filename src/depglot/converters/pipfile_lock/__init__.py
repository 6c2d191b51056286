"""Pipfile.lock (pipenv's lock): pinned entries with hashes per category, ``_meta`` with pipenv's Pipfile hash.

See ``docs/formats/pipfile-lock.md``.
"""

from __future__ import annotations

import re
from typing import ClassVar

from ...format import Feature, Format, ReadOptions, WriteOptions
from ...ir.model import Manifest
from ...report import Report

__all__ = ["PipfileLockFormat"]

_META = re.compile(r'"_meta"\s*:')
_SPEC = re.compile(r'"pipfile-spec"\s*:')


class PipfileLockFormat(Format):
    name = "pipfile-lock"
    description = "pipenv's Pipfile.lock: pinned versions, hashes and markers per category"
    filenames = ("Pipfile.lock",)
    features: ClassVar[frozenset[Feature]] = frozenset(
        {
            Feature.GROUPS,
            Feature.REQUIREMENT_EXTRAS,
            Feature.MARKERS,
            Feature.VCS,
            Feature.LOCAL_PATH,
            Feature.URL,
            Feature.EDITABLE,
            Feature.HASHES,
            Feature.PER_PACKAGE_INDEX,
            Feature.INDEXES,
            Feature.INDEX_NAMES,
            Feature.VERIFY_SSL,
            Feature.PYTHON,
        }
    )

    def detect(self, filename: str, head: str) -> int:
        score = 0
        if _META.search(head):
            score += 20
        if _SPEC.search(head):
            score += 30
        return score

    def read(self, text: str, options: ReadOptions) -> Manifest:
        from . import reader  # reading a lock never needs its writer (nor writing its reader)

        return reader.read(text, options)

    def write(self, manifest: Manifest, *, base: str | None, report: Report, options: WriteOptions) -> str:
        from . import writer

        return writer.write(manifest, base=base, report=report, options=options)
