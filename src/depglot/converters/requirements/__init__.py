"""pip requirements files (``requirements*.txt``, pip-tools ``.in`` and compiled ``.txt``, constraints files).

Read through an own lossless line model (:mod:`.lines`) covering every option pip 26's requirements-file parser
accepts; written back either by editing that model (base mode: untouched lines keep their bytes) or as a clean,
conventional file (fresh mode). See ``docs/formats/requirements.md``.
"""

from __future__ import annotations

import fnmatch
import re
from typing import ClassVar

from ...errors import DepglotError
from ...format import Feature, Format, ReadOptions, WriteOptions
from ...ir.model import Manifest
from ...report import Report
from ...span import Span
from .bulk import paused_gc
from .decode import decode
from .lines import Kind, iter_entries, parse_document, split_bom
from .reader import FORMAT, Parts, read_entries, trust_hosts

__all__ = ["RequirementsFormat", "read_parts"]

# one "\s*" between the name, the extras and the rest (two in a row backtrack quadratically over long blanks)
_REQ_LIKE = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[[^\]]*\]\s*)?(([<>=!~]=?|===?)\s*[\w.*+!-]+.*|@\s*\S+.*|;.*)?$"
)


def read_parts(text: str, options: ReadOptions) -> Parts:
    """The interpreted content of ``text`` (includes followed when ``options.follow_includes``)."""
    _, body = split_bom(text)
    with paused_gc(len(body)):
        parts = read_entries(iter_entries(body, options.path), options.path)
    if options.follow_includes:
        from .includes import follow

        parts = follow(parts, options.path, options)
    return trust_hosts(parts)


class RequirementsFormat(Format):
    name: ClassVar[str] = "requirements"
    description: ClassVar[str] = "pip requirements file (requirements*.txt, pip-tools .in, constraints)"
    filenames: ClassVar[tuple[str, ...]] = (
        "requirements*.txt",
        "*requirements*.txt",
        "requirements*.in",
        "*.in",
        "constraints*.txt",
        "*constraints*.txt",
        "requirements*.pip",
    )
    features: ClassVar[frozenset[Feature]] = frozenset(
        {
            Feature.REQUIREMENT_EXTRAS,
            Feature.MARKERS,
            Feature.VCS,
            Feature.LOCAL_PATH,
            Feature.URL,
            Feature.EDITABLE,
            Feature.HASHES,
            Feature.INDEXES,
            Feature.FIND_LINKS,
            Feature.NO_INDEX,
            Feature.VERIFY_SSL,
            Feature.PRERELEASES,
            Feature.REQUIREMENT_OPTIONS,
            Feature.INSTALLER_OPTIONS,
            Feature.INCLUDES,
            Feature.CONSTRAINTS,  # written back as the -c reference
            Feature.COMMENTS,
        }
    )

    decode = staticmethod(decode)

    def detect(self, filename: str, head: str) -> int:
        """Content score: the share of meaningful lines that read as requirements or pip options (<= 40)."""
        lowered = filename.lower()
        if (
            filename
            and not lowered.endswith((".txt", ".in", ".pip"))
            and not fnmatch.fnmatch(lowered, "*requirements*")
        ):
            return 0
        lines = head.splitlines()
        if len(head) >= 8192 and lines:
            lines = lines[:-1]  # the last line of a truncated head may be cut
        try:
            doc = parse_document("\n".join(lines))
        except DepglotError:
            return 0
        meaningful = [e for e in doc.entries if e.kind in (Kind.OPTION, Kind.REQUIREMENT)]
        if not meaningful:
            return 0
        good = sum(1 for e in meaningful if e.kind is Kind.OPTION or e.editable or _REQ_LIKE.match(e.args))
        share = good / len(meaningful)
        return int(40 * share) if share >= 0.8 else 0

    def read(self, text: str, options: ReadOptions) -> Manifest:
        parts = read_parts(text, options)
        return Manifest(
            format=FORMAT,
            groups=(parts.group(),),
            indexes=tuple(parts.indexes),
            no_index=parts.no_index,
            allow_prereleases=parts.allow_prereleases,
            options=tuple(parts.options),
            includes=tuple((kind, path) for kind, path, _, _ in parts.includes),
            comments=tuple(parts.comments),
            raw=tuple(parts.raw),
            losses=tuple(parts.losses),
            span=Span(file=options.path),
        )

    def write(self, manifest: Manifest, *, base: str | None, report: Report, options: WriteOptions) -> str:
        from .writer import write

        return write(manifest, base=base, report=report, options=options)
