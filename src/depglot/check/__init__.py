"""Consistency checks without installing anything: static conflicts between manifests (:mod:`.static`) and an
installed environment against its own metadata and a manifest (:mod:`.installed`)."""

from __future__ import annotations

from .installed import check_installed, check_manifest_against
from .markers import disjoint, equivalent
from .static import Loaded, check_manifests, check_paths, load_set

__all__ = [
           "Loaded",
           "check_installed",
           "check_manifest_against",
           "check_manifests",
           "check_paths",
           "disjoint",
           "equivalent",
           "load_set",
]
