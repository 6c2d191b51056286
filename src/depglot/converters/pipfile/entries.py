"""One Pipfile package entry (``name = "spec"`` or ``name = {table}``) to a Requirement, and back.

Reading follows what pipenv reads (``pipenv/utils/dependencies.py``): ``"*"`` is any version, a version without
an operator is ``==`` (through :mod:`depglot.dialects.pipfile`), marker keys (``sys_platform = "== 'win32'"``,
``os_name``, ...) and ``markers`` are ANDed into one PEP 508 marker, ``index`` names a ``[[source]]``, and one of
``git``/``hg``/``svn``/``bzr`` (with ``ref``/``subdirectory``), ``path`` or ``file`` says where the package comes
from. One deliberate difference: pipenv silently drops ``os_name`` keys (a bug); depglot keeps them.

Keys pipenv does not know travel as :class:`~depglot.ir.model.Raw` tagged ``pipfile``. A ``version`` on a VCS,
path or file entry (pipenv ignores it) travels the same way when it says more than ``"*"``.

Structural contradictions (``git`` together with ``path``, an unknown ``index`` name, a key of the wrong type)
are :class:`~depglot.errors.ParseError`. A spelling pipenv would reject only when installing (a name, version or
marker that is not valid) is :class:`InvalidEntry`: the reader keeps it verbatim for Pipfile and reports it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from ...dialects import pipfile as dialect
from ...dialects.pipfile import MARKER_KEYS
from ...errors import ParseError
from ...ir.model import IndexRef, LocalPath, Raw, Requirement, Url, Vcs
from ...ir.versions import VersionSpec
from ...report import Report, Severity
from ...span import Span

__all__ = [
    "FORMAT",
    "KNOWN_KEYS",
    "MARKER_KEYS",
    "VCS_KEYS",
    "InvalidEntry",
    "is_url",
    "read_entry",
    "render_entry",
    "render_version",
    "report_invalid",
    "split_name",
]

FORMAT = "pipfile"
VCS_KEYS = ("git", "hg", "svn", "bzr")
KNOWN_KEYS = frozenset(
    {
        "version",
        "extras",
        "markers",
        "index",
        "ref",
        "subdirectory",
        "path",
        "file",
        "editable",
        *VCS_KEYS,
        *MARKER_KEYS,
    }
)
_NAME = re.compile(
    r"^\s*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*(?:\[(?P<extras>[^\[\]]*)\])?\s*$"
)
_EXTRA = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$")
_URL_SCHEMES = ("http://", "https://", "file:", "ftp://")

Locate = Callable[..., Span]  # locate(*key_path) -> Span


class InvalidEntry(Exception):
    """An entry pipenv cannot use (bad name, version or marker): kept verbatim, reported, never guessed."""

    def __init__(self, reason: str, span: Span | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.span = span


class _Context:
    """Where an entry is: its section, its key and the locator of the file (a plain class: no dataclass to build
    at start-up for a record that lives only while the entry is read)."""

    __slots__ = ("key", "locate", "section")

    def __init__(self, section: str, key: str, locate: Locate) -> None:
        self.section = section
        self.key = key
        self.locate = locate

    def span(self, *sub: str) -> Span:
        """Where ``section.key[.sub]`` is; a key inside an inline table gets its own column."""
        at = self.locate(self.section, self.key, *sub)
        if not sub or at.line is None:
            return at
        line = self.line(at) or ""
        m = re.search(rf"(?<![\w-]){re.escape(sub[-1])}\s*=", line)
        return replace(at, column=m.start() + 1) if m else at

    def line(self, span: Span) -> str | None:
        owner = getattr(self.locate, "__self__", None)
        return owner.line_text(span.line) if owner is not None and span.line else None


def is_url(text: str) -> bool:
    return text.lower().startswith(_URL_SCHEMES)


def split_name(key: str) -> tuple[str, tuple[str, ...]] | None:
    """``"celery[redis,msgpack]"`` -> ("celery", ("redis", "msgpack")); None when not a valid name."""
    m = _NAME.match(key)
    if m is None:
        return None
    extras: tuple[str, ...] = ()
    if m["extras"] is not None:
        extras = tuple(e.strip() for e in m["extras"].split(",") if e.strip())
        if not all(_EXTRA.match(e) for e in extras):
            return None
    return m["name"], extras


def _bad(ctx: _Context, message: str, *sub: str, hint: str | None = None) -> ParseError:
    span = ctx.span(*sub)
    return ParseError(message, span=span, source_line=ctx.line(span), hint=hint)


def _version(text: str, span: Span) -> VersionSpec | None:
    """None for ``"*"`` / ``""`` (any version), else the dialect's meaning; InvalidEntry when it has none."""
    if text.strip() in ("", "*"):
        return None
    try:
        return dialect.parse_version(text, span=span)
    except ParseError as exc:
        raise InvalidEntry(exc.message, exc.span or span) from None


def read_entry(
    section: str,
    key: str,
    value: Any,
    *,
    locate: Locate,
    index_names: tuple[str, ...],
    comments: tuple[str, ...] = (),
) -> Requirement:
    """The Requirement an entry of ``[section]`` means (raises ParseError / InvalidEntry)."""
    ctx = _Context(section, key, locate)
    span = ctx.span()
    parsed = split_name(key)
    if parsed is None:
        raise InvalidEntry("not a valid package name", span)
    name, extras = parsed
    if isinstance(value, str):
        return Requirement(
            name=name, extras=extras, version=_version(value, span), comments=comments, span=span
        )
    if not isinstance(value, Mapping):
        raise _bad(
            ctx,
            f"package {key!r} must be a version string or a table, not {type(value).__name__}",
            hint='write name = "*" or name = {version = "..."}',
        )
    table: Mapping[str, Any] = value
    for k in ("version", "markers", "index", "ref", "subdirectory", "path", "file", *VCS_KEYS, *MARKER_KEYS):
        if k in table and not isinstance(table[k], str):
            raise _bad(ctx, f"{k!r} of package {key!r} must be a string", k)
    if "editable" in table and not isinstance(table["editable"], bool):
        raise _bad(ctx, f"'editable' of package {key!r} must be true or false", "editable")
    if "extras" in table:
        listed = table["extras"]
        if not isinstance(listed, list) or not all(isinstance(e, str) for e in listed):
            raise _bad(ctx, f"'extras' of package {key!r} must be a list of strings", "extras")
        for e in listed:
            if not _EXTRA.match(e.strip()):
                raise InvalidEntry(f"extra {e!r} of {key!r} is not a valid name", ctx.span("extras"))
        extras = extras + tuple(e.strip() for e in listed if e.strip() not in extras)

    origins = [k for k in (*VCS_KEYS, "path", "file") if k in table]
    if len(origins) > 1:
        raise _bad(
            ctx,
            f"package {key!r} has both {origins[0]!r} and {origins[1]!r}; an entry comes from one place",
            origins[1],
            hint="keep one of them",
        )
    for k in ("ref", "subdirectory"):
        if k in table and not any(v in table for v in VCS_KEYS) and not (k == "subdirectory" and origins):
            raise _bad(ctx, f"{k!r} of package {key!r} needs a git/hg/svn/bzr key", k)

    raw: list[Raw] = []
    source: Vcs | LocalPath | Url | IndexRef | None = None
    if origins:
        origin = origins[0]
        where = table[origin]
        sub = table.get("subdirectory")
        if origin in VCS_KEYS:
            url = where[len(origin) + 1 :] if where.lower().startswith(origin + "+") else where
            source = Vcs(vcs=origin, url=url, rev=table.get("ref"), subdirectory=sub)
        elif origin == "file" and is_url(where):
            source = Url(url=where, subdirectory=sub)
        else:
            source = LocalPath(path=where, subdirectory=sub)
    if "index" in table:
        index = table["index"]
        if index not in index_names:
            raise _bad(
                ctx,
                f"package {key!r} names index {index!r}, which no [[source]] defines",
                "index",
                hint="defined: " + (", ".join(repr(n) for n in index_names) or "none"),
            )
        if source is None:
            source = IndexRef(name=index)
        else:
            raw.append(Raw(format=FORMAT, key="index", value=index, span=ctx.span("index")))

    version: VersionSpec | None = None
    if "version" in table:
        if source is None or isinstance(source, IndexRef):
            version = _version(table["version"], ctx.span("version"))
        elif table["version"].strip() not in ("", "*"):
            raw.append(Raw(format=FORMAT, key="version", value=table["version"], span=ctx.span("version")))

    marker: str | None = None
    if "markers" in table or any(k in table for k in MARKER_KEYS):
        try:
            marker = dialect.markers_from_keys(table, span=span)
        except ParseError as exc:
            raise InvalidEntry(exc.message, exc.span or span) from None

    for k, v in table.items():
        if k not in KNOWN_KEYS:
            raw.append(Raw(format=FORMAT, key=k, value=_plain(v), span=ctx.span(k)))
    return Requirement(
        name=name,
        extras=extras,
        version=version,
        marker=marker,
        source=source,
        editable=bool(table.get("editable", False)),
        comments=comments,
        raw=tuple(raw),
        span=span,
    )


def _plain(value: Any) -> Any:
    """tomllib values are plain already; tomlkit items are unwrapped (Raw holds plain data only)."""
    unwrap = getattr(value, "unwrap", None)
    return unwrap() if unwrap is not None else value


# ---------------------------------------------------------------------------------------------- writing


def render_version(req: Requirement, report: Report) -> str:
    """The Pipfile version string of ``req`` (``"*"`` for any; a Pipfile spelling kept exactly as written)."""
    spec = req.version
    if spec is not None and spec.dialect == FORMAT and not spec.is_any:
        return spec.raw
    return dialect.render_version(spec, report=report, subject=req.name, span=req.span)


def render_entry(req: Requirement, report: Report) -> tuple[str, str | dict[str, Any]]:
    """(key, value) of a Pipfile entry for ``req``, as plain data: a string when the requirement is a bare
    version, else a table in pipenv's key order."""
    version = render_version(req, report) if not isinstance(req.source, (Vcs, LocalPath, Url)) else None
    if version is None and req.version is not None and not req.version.is_any:
        report.add("url-version-dropped", Severity.WARNING,
                   f"pipenv ignores a version on a VCS, path or file entry; {req.name} {req.version.raw!r} dropped",
                   subject=req.name, span=req.span, data={"version": req.version.raw})
    raw = {r.key: r.value for r in req.raw if r.format == FORMAT}
    simple = not (req.extras or req.marker or req.source is not None or req.editable or raw)
    if simple:
        return req.name, version or "*"
    table: dict[str, Any] = {}
    src = req.source
    if isinstance(src, Vcs):
        table[src.vcs] = src.url
        if src.rev is not None:
            table["ref"] = src.rev
        if src.subdirectory is not None:
            table["subdirectory"] = src.subdirectory
    elif isinstance(src, Url):
        table["file"] = src.url
        if src.subdirectory is not None:
            table["subdirectory"] = src.subdirectory
    elif isinstance(src, LocalPath):
        table["path"] = src.path
        if src.subdirectory is not None:
            table["subdirectory"] = src.subdirectory
    if version is not None:
        table["version"] = version
    if req.extras:
        table["extras"] = list(req.extras)
    if req.marker:
        table["markers"] = req.marker
    if isinstance(src, IndexRef):
        table["index"] = src.name
    if req.editable:
        table["editable"] = True
    for k, v in raw.items():
        if k not in table:
            table[k] = v
    return req.name, table


def report_invalid(report: Report, exc: InvalidEntry, subject: str) -> None:
    report.add(
        "pipfile-invalid-entry",
        Severity.ERROR,
        f"{subject!r} cannot be read ({exc.reason}); kept verbatim for Pipfile, other formats leave it out",
        subject=subject,
        span=exc.span,
    )
