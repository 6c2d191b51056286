"""Core metadata of an installed distribution: ``METADATA`` (dist-info) and ``PKG-INFO`` + ``requires.txt`` (egg-info).

Parsed with the stdlib email parser (the metadata is RFC 822-shaped, as ``importlib.metadata`` reads it); nothing of
the distribution is imported or executed.
"""

from __future__ import annotations

from email.parser import HeaderParser

from .._records import record

__all__ = ["CoreMetadata", "parse_metadata", "parse_requires_txt"]


@record
class CoreMetadata:
    """The fields of a distribution's core metadata (``METADATA``/``PKG-INFO``) that dependency work needs."""

    name: str
    version: str
    requires_dist: tuple[str, ...] = ()
    requires_python: str | None = None
    provides_extra: tuple[str, ...] = ()
    summary: str | None = None


def parse_metadata(text: str) -> CoreMetadata | None:
    """The fields depglot needs, or ``None`` when ``Name`` or ``Version`` is missing (a broken record)."""
    msg = HeaderParser().parsestr(text.lstrip("\ufeff"))
    name = (msg.get("Name") or "").strip()
    version = (msg.get("Version") or "").strip()
    if not name or not version:
        return None
    requires_python = msg.get("Requires-Python")
    return CoreMetadata(
        name=name,
        version=version,
        requires_dist=tuple(str(v).strip() for v in msg.get_all("Requires-Dist") or () if str(v).strip()),
        requires_python=str(requires_python).strip() or None if requires_python is not None else None,
        provides_extra=tuple(str(v).strip() for v in msg.get_all("Provides-Extra") or ()),
        summary=(str(msg.get("Summary")).strip() or None) if msg.get("Summary") is not None else None,
    )


def parse_requires_txt(text: str) -> tuple[str, ...]:
    """setuptools' ``requires.txt`` as ``Requires-Dist`` values (``[extra:marker]`` sections become markers)."""
    out: list[str] = []
    extra = ""
    marker = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            section = line[1:-1]
            extra, _, marker = section.partition(":")
            extra, marker = extra.strip(), marker.strip()
            continue
        conditions = []
        if marker:
            conditions.append(f"({marker})" if " or " in marker else marker)
        if extra:
            conditions.append(f'extra == "{extra}"')
        out.append(f"{line} ; {' and '.join(conditions)}" if conditions else line)
    return tuple(out)
