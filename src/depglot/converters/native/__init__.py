"""The ``ir`` format: depglot's own IR as JSON (for other tools, and for debugging conversions)."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ...format import Feature, Format, ReadOptions, WriteOptions
from ...ir import native

if TYPE_CHECKING:
    from ...ir.model import Manifest
    from ...report import Report

__all__ = ["NativeFormat"]


class NativeFormat(Format):
    name = "ir"
    description = "depglot's IR as JSON, with an ir-version"
    filenames = ("*.depglot.json", "*.ir.json")
    features = frozenset(Feature)

    def detect(self, filename: str, head: str) -> int:
        return 60 if '"ir-version"' in head else 0

    def read(self, text: str, options: ReadOptions) -> Manifest:
        manifest = native.loads(text)
        return manifest

    def write(self, manifest: Manifest, *, base: str | None, report: Report, options: WriteOptions) -> str:
        # The manifest keeps the format it came from: the IR describes it, it does not become "ir".
        return native.dumps(replace(manifest, losses=()))
