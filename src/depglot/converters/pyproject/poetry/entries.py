"""One Poetry dependency entry (``name = "^1.2"``, ``name = {...}``, ``name = [{...}, ...]``) <-> Requirements.

Reading follows poetry-core's ``Factory.create_dependency``: ``git`` (with ``branch``/``tag``/``rev``/
``subdirectory``), ``file``/``path`` (with ``develop``), ``url``, else a registry dependency with ``version``;
``markers``, ``python`` and ``platform`` are ANDed into one PEP 508 marker (``python``/``platform`` through
:mod:`depglot.dialects.markers`, parenthesised where an ``or`` would change the meaning); a list is one
Requirement per entry, each with its own marker. Writing renders the nicest exact Poetry spelling
(:func:`depglot.dialects.poetry.render`).
"""

from __future__ import annotations

from typing import Any

from ....dialects import markers as marker_dialect
from ....dialects import poetry as poetry_dialect
from ....edit.tomlspan import TomlLocator
from ....errors import ParseError
from ....ir.model import IndexRef, LocalPath, Raw, Requirement, Url, Vcs
from ....report import Loss, Report, Severity
from ....span import Span

__all__ = ["KNOWN_KEYS", "parse_entry", "render_entry", "requirement_key", "same_requirement", "strip_git_prefix"]

FORMAT = "poetry"

# Every key Poetry's schema allows in a dependency table (poetry-core json/schemas/poetry-schema.json).
KNOWN_KEYS = frozenset({
    "version", "python", "platform", "markers", "allow-prereleases", "allows-prereleases", "optional", "extras",
    "source", "develop", "git", "branch", "tag", "rev", "subdirectory", "path", "file", "url",
})
_REV_KEYS = ("branch", "tag", "rev")
# keys Poetry's schema allows in a table without version ("dependency-options")
_OPTION_KEYS = frozenset({"allow-prereleases", "develop", "markers", "platform", "python", "source"})


def single_quoted(text: str) -> str:
    """A marker (or PEP 508 line) with ``'`` quotes, so TOML needs no escapes; unchanged when it already has
    ``'`` (PEP 508 accepts either quote)."""
    return text if "'" in text else text.replace('"', "'")


def strip_git_prefix(url: str) -> str:
    return url.removeprefix("git+")


def split_url_rev(url: str) -> tuple[str, str | None]:
    """``(url, rev)`` of a git URL that ends in ``@rev`` (after the host: ``https://host/o/r@v1``,
    ``git@host:o/r.git@v1``), as poetry-core's ``ParsedUrl`` splits it; ``(url, None)`` when there is none."""
    base, hash_, fragment = url.partition("#")
    if "://" in base:
        slash = base.find("/", base.index("://") + 3)
        at = base.rfind("@", slash) if slash != -1 else -1
    else:  # scp-like git@host:owner/repo.git@rev
        at = base.rfind("@", base.find(":"))
    if at == -1 or at == len(base) - 1:
        return url, None
    return base[:at] + hash_ + fragment, base[at + 1:]


def _bad(loc: TomlLocator, message: str, path: tuple[str | int, ...], hint: str | None = None) -> ParseError:
    span = loc.span(*path)
    return ParseError(message, span=span, source_line=loc.line_text(span.line or 0) or None, dialect="poetry",
                      hint=hint)


def parse_entry(
    name: str, value: Any, *, loc: TomlLocator, path: tuple[str | int, ...], losses: list[Loss]
) -> list[Requirement]:
    """The Requirements of one dependency entry at ``path`` (``(..., "dependencies", name)``)."""
    if isinstance(value, list):
        if not value:
            raise _bad(loc, f"{name}: a multiple-constraints list needs at least one entry", path)
        out = []
        for i, item in enumerate(value):
            out.append(_parse_one(name, item, loc=loc, path=path, item_path=(*path, i), losses=losses))
        return out
    return [_parse_one(name, value, loc=loc, path=path, item_path=path, losses=losses)]


def _string(value: Any, loc: TomlLocator, path: tuple[str | int, ...], key: str) -> str:
    if not isinstance(value, str):
        raise _bad(loc, f"{key} must be a string, got {type(value).__name__}", path)
    return value


def _parse_one(
    name: str, value: Any, *, loc: TomlLocator, path: tuple[str | int, ...], item_path: tuple[str | int, ...],
    losses: list[Loss],
) -> Requirement:
    span = loc.span(*path)
    if isinstance(value, str):
        return Requirement(name=name, version=poetry_dialect.parse(value, span=_value_span(loc, path, value)),
                           span=span)
    if not isinstance(value, dict):
        raise _bad(loc, f"{name}: a dependency is a version string or a table, got {type(value).__name__}", path)
    raw: list[Raw] = []
    for key, v in value.items():
        if key not in KNOWN_KEYS:
            losses.append(Loss(
                code="poetry-unknown-key", severity=Severity.WARNING,
                message=f"{name}: unknown dependency key {key!r} (Poetry rejects it); kept verbatim, not interpreted",
                subject=name, span=loc.span(*item_path, key).child(key) if loc.position(*item_path, key) is None
                else loc.span(*item_path, key),
                data={"key": key},
            ))
            raw.append(Raw(format=FORMAT, key=key, value=v, span=span))
    version = None
    if "version" in value:
        text = _string(value["version"], loc, path, "version")
        version = poetry_dialect.parse(text, span=_value_span(loc, path, text))
    source: Any = None
    editable = bool(value.get("develop", False))
    kinds = [k for k in ("git", "path", "file", "url") if k in value]
    if len(kinds) > 1:
        raise _bad(loc, f"{name}: only one of git, path, file, url may be given (got {', '.join(kinds)})", path)
    sub = value.get("subdirectory")
    if sub is not None:
        sub = _string(sub, loc, path, "subdirectory")
    if "git" in value:
        revs = [k for k in _REV_KEYS if k in value]
        if len(revs) > 1:
            raise _bad(loc, f"{name}: only one of branch, tag, rev may be given", path)
        rev_kind = revs[0] if revs else None
        url, url_rev = split_url_rev(strip_git_prefix(_string(value["git"], loc, path, "git")))
        if url_rev is not None:
            # poetry-core normalises the URL (ParsedUrl(...).url) and takes the ref from branch/tag/rev only, so
            # Poetry installs the default branch (or the rev key's ref): read it as Poetry does, and say so
            ref = f"{rev_kind} = {value[rev_kind]!r}" if rev_kind else "the default branch"
            losses.append(Loss(
                code="poetry-git-url-rev-ignored", severity=Severity.WARNING,
                message=f"{name}: the git URL ends in @{url_rev}, which Poetry ignores (it installs {ref}); "
                        f"read as Poetry reads it — write rev = {url_rev!r} to pin that ref",
                subject=name, span=loc.span(*item_path, "git") if loc.position(*item_path, "git") is not None
                else span, data={"rev": url_rev, "url": url},
            ))
        source = Vcs(vcs="git", url=url,
                     rev=_string(value[rev_kind], loc, path, rev_kind) if rev_kind else None,
                     rev_kind=rev_kind, subdirectory=sub)
    elif "path" in value or "file" in value:
        key = "path" if "path" in value else "file"
        source = LocalPath(path=_string(value[key], loc, path, key), subdirectory=sub)
        if key == "file":
            raw.append(Raw(format=FORMAT, key="file", value=True, span=span))
    elif "url" in value:
        source = Url(url=_string(value["url"], loc, path, "url"), subdirectory=sub)
    elif "source" in value:
        source = IndexRef(name=_string(value["source"], loc, path, "source"))
    if "source" in value and not isinstance(source, IndexRef):
        raise _bad(loc, f"{name}: 'source' names a package index and cannot be combined with {kinds[0]}", path)
    if version is not None and kinds:
        raise _bad(loc, f"{name}: 'version' cannot be combined with {kinds[0]} (Poetry's schema forbids it)", path)
    marker = _marker(value, loc, path, name)
    prereleases = value.get("allow-prereleases", value.get("allows-prereleases"))
    if "allows-prereleases" in value:
        raw.append(Raw(format=FORMAT, key="allows-prereleases", value=value["allows-prereleases"], span=span))
    extras = value.get("extras", [])
    if not isinstance(extras, list) or not all(isinstance(e, str) for e in extras):
        raise _bad(loc, f"{name}: extras must be an array of strings", path)
    return Requirement(
        name=name,
        extras=tuple(extras),
        version=version,
        marker=marker,
        source=source,
        editable=editable,
        optional=bool(value.get("optional", False)),
        allow_prereleases=prereleases if isinstance(prereleases, bool) else None,
        raw=tuple(raw),
        span=span,
    )


def _value_span(loc: TomlLocator, path: tuple[str | int, ...], text: str) -> Span:
    """Where the constraint text starts (its quote + 1) on the entry's line, for carets under the problem."""
    span = loc.span(*path)
    if span.line is None:
        return span
    line = loc.line_text(span.line)
    for quote in ('"', "'"):
        col = line.find(quote + text + quote)
        if col >= 0:
            return Span(file=span.file, line=span.line, column=col + 2, key=span.key)
    return span


def _marker(value: dict[str, Any], loc: TomlLocator, path: tuple[str | int, ...], name: str) -> str | None:
    parts: list[str | None] = []
    if "markers" in value:
        text = _string(value["markers"], loc, path, "markers")
        parts.append(marker_dialect.validate_marker(text, span=loc.span(*path), dialect="poetry"))
    if "python" in value:
        text = _string(value["python"], loc, path, "python")
        parts.append(marker_dialect.marker_from_python_constraint(text, span=_value_span(loc, path, text)))
    if "platform" in value:
        parts.append(marker_dialect.marker_from_platform(_string(value["platform"], loc, path, "platform")))
    return marker_dialect.and_markers(*parts)


# ------------------------------------------------------------------------------------------------ comparing


def _norm_marker(marker: str | None) -> str | None:
    if marker is None:
        return None
    from packaging.markers import InvalidMarker, Marker

    try:
        return str(Marker(marker))
    except InvalidMarker:
        return marker


def requirement_key(req: Requirement) -> tuple[Any, ...]:
    """What a requirement means for Poetry (spelling, spans, comments left out)."""
    from ....ir.model import canonical_name

    version = req.version
    versions = None if version is None or version.is_any else version
    src = req.source
    if isinstance(src, Vcs):
        src = Vcs(vcs=src.vcs, url=strip_git_prefix(src.url), rev=src.rev,
                  rev_kind=src.rev_kind or ("rev" if src.rev else None),  # Poetry's rev takes any ref
                  subdirectory=src.subdirectory)
    return (
        req.key, tuple(sorted(canonical_name(e) for e in req.extras)), _RangeKey(versions), _norm_marker(req.marker),
        src, req.editable, req.optional, bool(req.allow_prereleases),
    )


class _RangeKey:
    """Set equality of two specs' version sets (``VersionRange.__eq__`` also compares pre-release policy).

    Equal spellings (the same text in one dialect, or the same PEP 440 text) are equal without building the sets:
    an unchanged entry of a same-format edit builds none (nor imports packaging).
    """

    __slots__ = ("r",)

    def __init__(self, r: Any) -> None:  # a VersionSpec, or None for any version
        self.r = r

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _RangeKey):
            return NotImplemented
        a, b = self.r, other.r
        if a is None or b is None:
            return a is None and b is None
        if (a.raw == b.raw and a.dialect == b.dialect) or (a.pep440 is not None and a.pep440 == b.pep440):
            return True
        x, y = a.versions, b.versions
        return bool(x.difference(y).is_empty and y.difference(x).is_empty)

    def __hash__(self) -> int:
        return 0


def same_requirement(a: Requirement, b: Requirement) -> bool:
    return requirement_key(a) == requirement_key(b)


# ------------------------------------------------------------------------------------------------ writing


def render_entry(req: Requirement, *, report: Report, allow_optional: bool = True) -> Any | None:
    """The Poetry value of one requirement (a string or a plain dict), or ``None`` when Poetry cannot hold it."""
    subject = req.name or "<unnamed>"
    table: dict[str, Any] = {}
    src = req.source
    if isinstance(src, Vcs):
        if src.vcs != "git":
            report.add("poetry-vcs-unsupported", Severity.ERROR,
                       f"{subject!r} comes from a {src.vcs} repository; Poetry only supports git, so it was not written",
                       subject=subject, span=req.span, data={"vcs": src.vcs})
            return None
        table["git"] = src.url
        if src.rev is not None:
            table[src.rev_kind if src.rev_kind in _REV_KEYS else "rev"] = src.rev
        if src.subdirectory:
            table["subdirectory"] = src.subdirectory
    elif isinstance(src, LocalPath):
        table["file" if any(r.key == "file" for r in req.raw) else "path"] = src.path
        if src.subdirectory:
            table["subdirectory"] = src.subdirectory
    elif isinstance(src, Url):
        table["url"] = src.url
        if src.subdirectory:
            table["subdirectory"] = src.subdirectory
    if not isinstance(src, (Vcs, LocalPath, Url)):
        version_text = "*"
        if req.version is not None:
            version_text = poetry_dialect.render(req.version, report=report, subject=subject, span=req.span)
        table = {"version": version_text, **table}
    if req.extras:
        table["extras"] = list(req.extras)
    if req.marker:
        table["markers"] = single_quoted(req.marker)
    if req.optional and allow_optional:
        table["optional"] = True
    if req.allow_prereleases is not None and not isinstance(src, (LocalPath, Url)):
        key = "allows-prereleases" if any(r.key == "allows-prereleases" for r in req.raw) else "allow-prereleases"
        table[key] = req.allow_prereleases
    if isinstance(src, IndexRef):
        table["source"] = src.name
    if req.editable:
        if isinstance(src, (Vcs, LocalPath)) and "file" not in table:
            table["develop"] = True
        else:
            report.add("editable-dropped", Severity.WARNING,
                       f"{subject!r} is installed editable; Poetry's develop applies to git and directory "
                       "dependencies only", subject=subject, span=req.span)
    for r in req.raw:
        if r.format == FORMAT and r.key not in KNOWN_KEYS:
            table[r.key] = r.value
    if set(table) == {"version"}:
        return table["version"]
    if table.get("version") == "*" and len(table) > 1 and set(table) - {"version"} <= _OPTION_KEYS:
        del table["version"]  # Poetry's dependency-options form: {allow-prereleases = true}, {source = "x"}
    if not table:
        return "*"
    return table
