"""The ``freeze`` format: environment listings (``pip freeze``, ``pip list --format=json|freeze``,
``conda list --export``, ``conda list --json``) read as pinned manifests; written as ``pip freeze`` text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...format import Feature, Format, ReadOptions, WriteOptions
from . import reader, writer

if TYPE_CHECKING:
    from ...ir.model import Manifest
    from ...report import Report

__all__ = ["FreezeFormat"]


class FreezeFormat(Format):
    name = "freeze"
    description = "pip freeze / pip list --format=json / conda list --export|--json output (environment listings)"
    filenames = ("*freeze*.txt", "pip-list*.json", "conda-list*.txt", "conda-list*.json")
    features = frozenset({Feature.VCS, Feature.LOCAL_PATH, Feature.URL, Feature.EDITABLE, Feature.COMMENTS})

    def detect(self, filename: str, head: str) -> int:
        kind = reader.kind_of(head)
        if kind == reader.CONDA_EXPORT:
            return 80
        if kind in (reader.PIP_LIST_JSON, reader.CONDA_JSON):
            body = head.lstrip("\ufeff").lstrip()
            return 80 if '"name"' in body[:400] and '"version"' in body[:400] else 0
        return 10 if "freeze" in filename.lower() else 0

    def read(self, text: str, options: ReadOptions) -> Manifest:
        return reader.read(text, options.path)

    def write(self, manifest: Manifest, *, base: str | None, report: Report, options: WriteOptions) -> str:
        return writer.write(manifest, base=base, report=report)
