"""Project metadata in the IR (loaded on first use; see :mod:`depglot.ir.model`)."""

from __future__ import annotations

from typing import Any

from .._records import record
from .model import Raw

__all__ = ["Project"]


@record
class Project:
    """Project metadata, keyed by PEP 621 names (``description``, ``authors``, ``license``, ``urls``, ``scripts``...)."""

    name: str | None = None
    version: str | None = None
    metadata: tuple[tuple[str, Any], ...] = ()
    raw: tuple[Raw, ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        for k, v in self.metadata:
            if k == key:
                return v
        return default
