"""The ``uv-lock`` format: uv.lock (read only) — pins, file URLs and hashes, groups and markers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...format import Format, ReadOptions

if TYPE_CHECKING:
    from ...ir.model import Manifest

__all__ = ["UvLockFormat"]


class UvLockFormat(Format):
    name = "uv-lock"
    description = "uv.lock (read): pinned packages with file URLs, hashes, markers, groups and extras"
    filenames = ("uv.lock",)
    can_write = False

    def detect(self, filename: str, head: str) -> int:
        text = head.lstrip("\ufeff")
        if text.startswith("version = 1") and ("[[package]]" in text or "requires-python" in text):
            return 40 if "source = {" in text or "revision" in text else 20
        return 0

    def read(self, text: str, options: ReadOptions) -> Manifest:
        from .reader import read_uv_lock

        return read_uv_lock(text, options)
