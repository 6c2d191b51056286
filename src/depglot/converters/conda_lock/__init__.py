"""conda-lock.yml: per-platform conda and pip pins with hashes (read only)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar

from ...format import Feature, Format, ReadOptions

if TYPE_CHECKING:
    from ...ir.model import Manifest

__all__ = ["CondaLockFormat"]


class CondaLockFormat(Format):
    name = "conda-lock"
    description = "conda-lock.yml lock file (per-platform conda/pip pins, hashes); read only"
    filenames = ("conda-lock.yml", "conda-lock.yaml", "*.conda-lock.yml", "*.conda-lock.yaml")
    can_write = False
    features: ClassVar[frozenset[Feature]] = frozenset()

    def detect(self, filename: str, head: str) -> int:
        if re.search(r"^package\s*:", head, re.MULTILINE) and re.search(
            r"^\s+manager\s*:\s*(conda|pip)", head, re.MULTILINE
        ):
            return 60
        return 0

    def read(self, text: str, options: ReadOptions) -> Manifest:
        from ...data.conda_names import load_name_map
        from .reader import read_conda_lock

        return read_conda_lock(text, options.path, load_name_map(options.name_map))
