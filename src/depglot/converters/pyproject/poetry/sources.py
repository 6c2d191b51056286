"""``[[tool.poetry.source]]`` <-> :class:`~depglot.ir.model.Index`.

Poetry's rules (poetry 2.x ``poetry.factory.Factory.create_pool`` and the docs' "Package sources"):

* ``priority`` is ``primary`` (the default), ``supplemental`` or ``explicit``; the legacy ``default = true`` is a
  primary source searched first, the legacy ``secondary = true`` a primary source searched after the others
  (Poetry >= 1.5 reads both and warns).
* When at least one primary source is declared, the implicit PyPI is **off** unless a source named ``PyPI``
  (no url) is declared; otherwise PyPI is the implicit first source.

So the first primary source (or ``default``) is the IR's DEFAULT index (it replaces PyPI, like pip's ``-i``),
later primaries are PRIMARY, supplemental/explicit keep their roles. The priority as written is kept in the
Index's raw so Poetry gets it back verbatim.
"""

from __future__ import annotations

import re
from typing import Any

from ....edit.tomlspan import TomlLocator
from ....errors import ParseError
from ....ir.model import Index, IndexRole, Raw
from ....report import Report, Severity

__all__ = ["PYPI_URL", "is_pypi", "read_sources", "render_sources"]

PYPI_URL = "https://pypi.org/simple"
_PRIORITIES = ("primary", "supplemental", "explicit", "default", "secondary")


def is_pypi(url: str | None) -> bool:
    if not url:
        return False
    return re.sub(r"/+$", "", url.strip().lower()) in {"https://pypi.org/simple", "https://pypi.python.org/simple"}


def _bad(loc: TomlLocator, message: str, *path: str | int) -> ParseError:
    span = loc.span(*path)
    return ParseError(message, span=span, source_line=loc.line_text(span.line or 0) or None, dialect="poetry")


def read_sources(tool_poetry: dict[str, Any], loc: TomlLocator) -> list[Index]:
    entries = tool_poetry.get("source", [])
    if not isinstance(entries, list):
        raise _bad(loc, "tool.poetry.source must be an array of tables ([[tool.poetry.source]])",
                   "tool", "poetry", "source")
    out: list[Index] = []
    seen_primary = False
    for i, entry in enumerate(entries):
        path = ("tool", "poetry", "source", i)
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise _bad(loc, "each [[tool.poetry.source]] needs a name", *path)
        name = entry["name"]
        url = entry.get("url")
        if url is None and name.lower() == "pypi":
            url = PYPI_URL
        if not isinstance(url, str):
            raise _bad(loc, f"source {name!r} needs a url (only the source named PyPI may omit it)", *path)
        priority = entry.get("priority")
        if priority is not None and priority not in _PRIORITIES:
            raise _bad(loc, f"source {name!r}: unknown priority {priority!r} (use primary, supplemental or explicit)",
                       *path, "priority")
        raw: list[Raw] = []
        if priority is not None:
            raw.append(Raw(format="poetry", key="priority", value=priority))
        for legacy in ("default", "secondary"):
            if legacy in entry:
                raw.append(Raw(format="poetry", key=legacy, value=entry[legacy]))
        for key, value in entry.items():
            if key not in {"name", "url", "priority", "default", "secondary"}:
                raw.append(Raw(format="poetry", key=key, value=value))
        if priority in ("supplemental",):
            role = IndexRole.SUPPLEMENTAL
        elif priority == "explicit":
            role = IndexRole.EXPLICIT
        elif priority == "default" or entry.get("default") is True:
            role = IndexRole.DEFAULT
        elif priority == "secondary" or entry.get("secondary") is True:
            role = IndexRole.PRIMARY
        else:
            role = IndexRole.PRIMARY if seen_primary else IndexRole.DEFAULT
        if role is IndexRole.DEFAULT:
            if any(ix.role is IndexRole.DEFAULT for ix in out):
                role = IndexRole.PRIMARY
            seen_primary = True
        out.append(Index(name=name, url=url, role=role, raw=tuple(raw), span=loc.span(*path)))
    return out


def _host_name(url: str, taken: set[str]) -> str:
    m = re.match(r"^[a-z+]+://(?:[^@/]*@)?([^/:]+)", url)
    base = re.sub(r"[^A-Za-z0-9_-]+", "-", m.group(1) if m else "index").strip("-") or "index"
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base}-{n}", n + 1
    return name


def implicit_pypi(indexes: tuple[Index, ...]) -> tuple[Index, ...]:
    """The default index when it is PyPI and no other primary source needs it declared: Poetry's implicit PyPI,
    not written (a ``source = "pypi"`` naming it is written as no source, which means the same)."""
    regular = [ix for ix in indexes if ix.role is not IndexRole.FIND_LINKS]
    if any(ix.role in (IndexRole.PRIMARY, IndexRole.EXTRA) for ix in regular):
        return ()
    return tuple(ix for ix in regular if ix.role is IndexRole.DEFAULT and is_pypi(ix.url)
                 and not any(r.format == "poetry" for r in ix.raw))


def render_sources(indexes: tuple[Index, ...], report: Report) -> list[dict[str, Any]]:
    """``[[tool.poetry.source]]`` tables keeping each index's meaning.

    A DEFAULT index that is PyPI stays Poetry's implicit PyPI (not written) unless other primary sources need it
    declared; a PRIMARY index searched alongside PyPI (pip's ``--extra-index-url``) gets PyPI declared first, so
    declaring it never silently turns PyPI off.
    """
    regular = [ix for ix in indexes if ix.role is not IndexRole.FIND_LINKS]
    has_default = any(ix.role is IndexRole.DEFAULT for ix in regular)
    has_primary = any(ix.role in (IndexRole.PRIMARY, IndexRole.EXTRA) for ix in regular)
    taken = {ix.name.lower() for ix in regular if ix.name}
    out: list[dict[str, Any]] = []
    if has_primary and not has_default:
        out.append({"name": "PyPI", "priority": "primary"})
        report.add("poetry-pypi-declared", Severity.INFO,
                   "declared PyPI as a primary source so the other primary sources do not turn it off",
                   subject="PyPI")
    # DEFAULT first, then the others in order (Poetry searches primaries in declaration order).
    ordered = sorted(regular, key=lambda ix: 0 if ix.role is IndexRole.DEFAULT else 1)
    for ix in ordered:
        raw = {r.key: r.value for r in ix.raw if r.format == "poetry"}
        if ix in implicit_pypi(indexes):
            continue  # Poetry's implicit PyPI
        name = ix.name
        if not name:
            name = _host_name(ix.url, taken)
            taken.add(name.lower())
            report.add("poetry-index-named", Severity.INFO,
                       f"index {ix.url} has no name; Poetry needs one, so it is called {name!r}",
                       subject=ix.url, span=ix.span, data={"name": name})
        table: dict[str, Any] = {"name": name}
        if not (name.lower() == "pypi" and is_pypi(ix.url)):
            table["url"] = ix.url
        written = raw.get("priority")
        if written in ("primary", "supplemental", "explicit") and _priority_role(written, ix.role) is ix.role:
            table["priority"] = written
        else:  # Poetry 2 rejects the legacy default/secondary keys and priorities
            table["priority"] = {
                IndexRole.DEFAULT: "primary",
                IndexRole.PRIMARY: "primary",
                IndexRole.EXTRA: "primary",
                IndexRole.SUPPLEMENTAL: "supplemental",
                IndexRole.EXPLICIT: "explicit",
            }[ix.role]
        for key, value in raw.items():
            if key not in {"priority", "default", "secondary"}:
                table[key] = value
        out.append(table)
    return out


def _priority_role(priority: str, role: IndexRole) -> IndexRole:
    if priority == "supplemental":
        return IndexRole.SUPPLEMENTAL
    if priority == "explicit":
        return IndexRole.EXPLICIT
    if priority == "default":
        return IndexRole.DEFAULT
    return role if role in (IndexRole.DEFAULT, IndexRole.PRIMARY) else IndexRole.PRIMARY
