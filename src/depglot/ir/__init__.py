"""The IR: one shared model every format plugin reads into and writes from."""

from .model import (
    MAIN,
    CondaPackage,
    Group,
    GroupKind,
    Index,
    IndexRef,
    IndexRole,
    LocalPath,
    Manifest,
    Option,
    Raw,
    Requirement,
    Source,
    Url,
    Vcs,
    canonical_name,
)
from .versions import VersionSpec

__all__ = [
    "MAIN",
    "CondaPackage",
    "Group",
    "GroupKind",
    "Index",
    "IndexRef",
    "IndexRole",
    "LocalPath",
    "Lock",
    "LockedPackage",
    "LockFile",
    "Manifest",
    "Option",
    "Project",
    "Raw",
    "Requirement",
    "Source",
    "Url",
    "Vcs",
    "VersionSpec",
    "canonical_name",
]


def __getattr__(name: str) -> object:  # Project and the lock classes load on first use (see .model)
    from . import model

    return getattr(model, name)
