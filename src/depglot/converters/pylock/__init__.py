"""The ``pylock`` format: PEP 751 ``pylock.toml`` / ``pylock.<name>.toml`` (read and write, via packaging.pylock)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...format import Feature, Format, ReadOptions, WriteOptions

if TYPE_CHECKING:
    from ...ir.model import Manifest
    from ...report import Report

__all__ = ["PylockFormat"]


class PylockFormat(Format):
    name = "pylock"
    description = "PEP 751 pylock.toml: written only from inputs that carry file URLs (uv.lock, pylock)"
    filenames = ("pylock.toml", "pylock.*.toml")
    features = frozenset({
        Feature.MARKERS,
        Feature.VCS,
        Feature.URL,
        Feature.LOCAL_PATH,
        Feature.EDITABLE,
        Feature.HASHES,
        Feature.PER_PACKAGE_INDEX,
        Feature.INDEXES,  # each package records the URL of its index
        Feature.PYTHON,
        Feature.LOCK,
    })

    def detect(self, filename: str, head: str) -> int:
        text = head.lstrip("\ufeff")
        return 40 if "lock-version" in text and "[[packages]]" in text else 0

    def read(self, text: str, options: ReadOptions) -> Manifest:
        from .reader import read_pylock

        return read_pylock(text, options)

    def write(self, manifest: Manifest, *, base: str | None, report: Report, options: WriteOptions) -> str:
        from .writer import write_pylock

        return write_pylock(manifest, base=base, report=report, options=options)
