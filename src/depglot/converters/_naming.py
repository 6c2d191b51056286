"""A key for a requirement that has no package name (``-e ./pkg``, a bare VCS or archive URL).

Shared by the writers whose entries are keyed by name (Pipfile, Pipfile.lock, Poetry), so the same requirement gets
the same key in each: the archive's project name (``pkg-1.0.tar.gz`` -> ``pkg``), else the directory's or
repository's name (``../libs/pkg`` -> ``pkg``, ``https://github.com/o/repo.git`` -> ``repo``), else (``.``, a name
that is not a valid project name, or one already taken) a short hash of the location, as legacy pipenv wrote
(``"e1839a8" = {path = ".", editable = true}``).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from ..ir.model import LocalPath, Requirement, Url, Vcs, canonical_name
from ..report import Report, Severity
from ..span import Span

__all__ = ["derived_name", "location", "location_hash", "name_from_location", "usable_project_name"]

_ARCHIVE = re.compile(
    r"^(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?)-\d[^/]*\.(?:whl|zip|tar\.gz|tgz|tar\.bz2)$"
)
_NAME = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")


def location(req: Requirement) -> str:
    """Where an unnamed requirement comes from: its path or URL (``""`` for a registry requirement)."""
    src = req.source
    if isinstance(src, LocalPath):
        return src.path
    if isinstance(src, (Url, Vcs)):
        return src.url
    return ""


def location_hash(req: Requirement) -> str | None:
    """The first 7 hex digits of the location's sha256 (legacy pipenv's key for ``.``); None without one."""
    import hashlib  # (OpenSSL's start-up cost, only when a key needs a hash)

    where = location(req).rstrip("/")
    return hashlib.sha256(where.encode("utf-8")).hexdigest()[:7] if where else None


def name_from_location(req: Requirement) -> str | None:
    """The project name the location suggests (archive name, directory or repository name), or None."""
    where = location(req).rstrip("/")
    if not where:
        return None
    leaf = where.rsplit("/", 1)[-1]
    m = _ARCHIVE.match(leaf)
    if m:
        return m["name"]
    leaf = leaf.removesuffix(".git")
    return leaf if _NAME.match(leaf) else None


def derived_name(req: Requirement, taken: Collection[str] = ()) -> str | None:
    """The key for ``req``: :func:`name_from_location`, or the location hash when there is none or when its
    canonical name is in ``taken`` (canonical names already used in the same table). None without a location."""
    name = name_from_location(req)
    if name is not None and canonical_name(name) not in taken:
        return name
    return location_hash(req)


def usable_project_name(name: str, report: Report, span: Span | None = None) -> str | None:
    """``name`` when it is a valid project name (PEP 508); else the last path component of it when that is one
    (``conda env export`` writes ``name: /path/to/envs/myenv`` for an env made with ``-p``), reported as
    ``project-name-invented``; else None (the caller picks its own fallback and reports it)."""
    if _NAME.match(name):
        return name
    tail = re.split(r"[/\\]", name.rstrip("/\\"))[-1]
    if not _NAME.match(tail):
        return None
    report.add(
        "project-name-invented",
        Severity.WARNING,
        f"the source's name {name!r} is not a valid project name (PEP 508); wrote {tail!r} (edit it)",
        subject=tail,
        span=span,
    )
    return tail
