"""What an installer configuration file says about where packages come from."""

from __future__ import annotations

from .._records import record
from ..ir.model import Index, Option
from ..report import Loss

__all__ = ["IndexConfig"]


@record
class IndexConfig:
    """Index configuration read from one tool's config file (pip.conf, uv.toml, .condarc)."""

    path: str | None
    tool: str  # pip | uv | conda
    indexes: tuple[Index, ...] = ()
    no_index: bool = False
    options: tuple[Option, ...] = ()  # e.g. trusted hosts with no index of their own
    channels: tuple[str, ...] = ()
    losses: tuple[Loss, ...] = ()
