"""Line model -> IR: what each requirements-file line means, as pip would act on it.

* requirement lines (PEP 508, ``-e``, bare URLs/paths) -> :class:`Requirement` in the main group, with
  ``--hash`` values in ``hashes`` and ``--config-settings`` in ``options``;
* ``-i`` -> default :class:`Index`, ``--extra-index-url`` -> extra index, ``-f`` -> find-links index,
  ``--no-index`` -> ``manifest.no_index``, ``--pre`` -> ``manifest.allow_prereleases``, ``-r``/``-c`` ->
  ``manifest.includes``, every other option -> :class:`Option`;
* comments: a requirement's trailing comment, the indented comment lines right after it (pip-compile's
  ``# via``) and the comment lines right before it (no blank line between) are its ``comments`` (a
  ``Raw(key="leading-comments")`` counts the ones before); other comments are the manifest's.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import replace
from typing import TypeVar

from ...dialects import pep508
from ...errors import ParseError
from ...ir.model import Group, GroupKind, Index, IndexRole, Option, Raw, Requirement, Url
from ...report import Loss, Severity
from ...span import Span
from .lines import Document, Entry, Kind
from .options import EDITABLE_OPTIONS, REQUIREMENT_OPTIONS, Token
from .urls import ARCHIVES as _ARCHIVES
from .urls import BareError, bare_editable, bare_requirement, is_url, trusted_host

__all__ = [
    "FORMAT",
    "LEADING_COMMENTS",
    "Parts",
    "comment_text",
    "read_document",
    "read_entries",
    "trust_hosts",
]

FORMAT = "requirements"
LEADING_COMMENTS = "leading-comments"
_H = TypeVar("_H", bound=Hashable)


class Parts:
    """Everything one file says, in order (mutable while reading; becomes a Manifest).

    A plain slotted class, not a dataclass: one fewer class to generate at every start-up (~1 ms)."""

    __slots__ = ("file", "requirements", "indexes", "options", "includes", "no_index", "allow_prereleases",
                 "comments", "losses", "raw", "shared")

    def __init__(
        self,
        file: str | None,
        requirements: list[Requirement] | None = None,
        indexes: list[Index] | None = None,
        options: list[Option] | None = None,
        includes: list[tuple[str, str, Entry, Token]] | None = None,  # (kind, path, entry, token)
        no_index: bool = False,
        allow_prereleases: bool | None = None,
        comments: list[str] | None = None,
        losses: list[Loss] | None = None,
        raw: list[Raw] | None = None,
    ) -> None:
        self.file = file
        self.requirements = requirements if requirements is not None else []
        self.indexes = indexes if indexes is not None else []
        self.options = options if options is not None else []
        self.includes = includes if includes is not None else []
        self.no_index = no_index
        self.allow_prereleases = allow_prereleases
        self.comments = comments if comments is not None else []
        self.losses = losses if losses is not None else []
        self.raw = raw if raw is not None else []
        # one copy of each repeated value (markers, extras, comments such as "via -r requirements.in"): a large
        # file repeats them on many lines, and a str or tuple costs 50+ bytes per copy
        self.shared: dict[Hashable, Hashable] = {}

    def share(self, value: _H) -> _H:
        return self.shared.setdefault(value, value)  # type: ignore[return-value]

    def loss(
        self, code: str, severity: Severity, message: str, subject: str | None, span: Span | None
    ) -> None:
        # loss-code: requirements-option-ignored
        # loss-code: requirements-argument-ignored
        self.losses.append(Loss(code=code, severity=severity, message=message, subject=subject, span=span))

    def group(self) -> Group:
        return Group(name="main", kind=GroupKind.MAIN, requirements=tuple(self.requirements))


def comment_text(comment: str) -> str:
    """``# via x`` -> ``via x``: the text after ``#`` and one space (inner indentation kept)."""
    text = comment[1:]
    return text.removeprefix(" ")


def _token_span(entry: Entry, token: Token, file: str | None) -> Span:
    return entry.span(file, token.offset, len(token.text))


def _requirement(
    entry: Entry, file: str | None, parts: Parts, comments: tuple[str, ...], raw: tuple[Raw, ...]
) -> Requirement:
    editable = entry.editable
    if entry.args:
        text, offset = entry.args.rstrip(), 0
    else:
        token = next(t for t in entry.options if t.name == "editable")
        text = token.value or ""
        offset = token.offset + len(token.text) - len(text)
    span = entry.span(file, offset, len(text))
    try:
        req = _parse(text, editable)
    except BareError as exc:
        raise entry.error(f"invalid requirement {text!r}: {exc}", file, offset, len(text)) from None
    except ParseError as exc:
        inner = (exc.span.column or 1) - 1 if exc.span is not None else 0
        raise entry.error(exc.message, file, offset + inner, exc.width, exc.hint) from None
    hashes: list[str] = []
    options: list[tuple[str, str]] = []
    allowed = EDITABLE_OPTIONS if editable else REQUIREMENT_OPTIONS
    for token in entry.options:
        if token.name == "editable":
            continue
        if token.name not in allowed:
            what = "an editable requirement" if editable else "a requirement line"
            parts.loss(
                "requirements-option-ignored",
                Severity.WARNING,
                f"pip ignores {token.text!r} on {what}; it is kept in the file but means nothing",
                req.name or text,
                _token_span(entry, token, file),
            )
            continue
        if token.name == "hash":
            hashes.append(token.value or "")
        else:
            options.append((token.name, token.value or ""))
    for word, woffset in entry.ignored:
        parts.loss(
            "requirements-argument-ignored",
            Severity.WARNING,
            f"pip ignores {word!r} after the options of a line",
            req.name or text,
            entry.span(file, woffset, len(word)),
        )
    share = parts.share
    return Requirement(
        name=req.name,
        extras=share(req.extras) if req.extras else (),
        version=req.version,
        marker=share(req.marker) if req.marker else req.marker,
        source=req.source,
        editable=editable,
        hashes=tuple(hashes),
        options=tuple(options),
        comments=comments,
        raw=raw,
        span=span,
    )


def _split_marker(text: str) -> tuple[str, str | None]:
    sep = "; " if is_url(text) else ";"
    if sep not in text:
        return text, None
    head, marker = text.split(sep, 1)
    return head.strip(), marker.strip() or None


def _check_marker(marker: str, text: str) -> None:
    from packaging.markers import InvalidMarker, Marker

    try:
        Marker(marker)
    except InvalidMarker as exc:
        raise ParseError(
            f"invalid marker {marker!r}: {str(exc).splitlines()[0]}",
            span=Span(line=1, column=text.rfind(marker) + 1),
            width=len(marker),
        ) from None


def _parse(text: str, editable: bool) -> Requirement:
    if editable:
        bare = bare_editable(text)
        if bare is None:
            req = pep508.parse_requirement(text)
            src = req.source
            if src is None or (isinstance(src, Url) and not src.url.lower().startswith("file:")):
                raise BareError("an editable requirement must be a local project path or a VCS URL")
            return req
        return Requirement(name=bare.name, extras=bare.extras, source=bare.source)
    plain = ":" not in text and "/" not in text and "\\" not in text and not text.startswith(".")
    if plain and not text.partition(";")[0].rstrip().lower().endswith(_ARCHIVES):
        return pep508.parse_requirement(text)  # the common case: a plain PEP 508 line
    head, marker = _split_marker(text)
    bare = bare_requirement(head)
    if marker is not None:
        _check_marker(marker, text)
    if bare is None:
        # pip cuts the marker off at the first ';' before parsing, also for "name @ url;marker"
        req = pep508.parse_requirement(head)
        return req if marker is None else req.replace(marker=marker)
    return Requirement(name=bare.name, extras=bare.extras, source=bare.source, marker=marker)


def _option(entry: Entry, token: Token, file: str | None, parts: Parts) -> None:
    span = _token_span(entry, token, file)
    name, value = token.name, token.value
    if name == "index-url":
        parts.indexes.append(Index(name=None, url=value or "", role=IndexRole.DEFAULT, span=span))
    elif name == "extra-index-url":
        parts.indexes.append(Index(name=None, url=value or "", role=IndexRole.EXTRA, span=span))
    elif name == "find-links":
        parts.indexes.append(Index(name=None, url=value or "", role=IndexRole.FIND_LINKS, span=span))
    elif name == "no-index":
        parts.no_index = True
    elif name == "pre":
        parts.allow_prereleases = True
    elif name in ("requirement", "constraint"):
        parts.includes.append((name, value or "", entry, token))
    elif name in ("hash", "config-settings"):
        parts.loss(
            "requirements-option-ignored",
            Severity.WARNING,
            f"pip ignores {token.text!r} on a line without a requirement",
            None,
            span,
        )
    else:
        parts.options.append(Option(name=name, value=value, span=span))


def read_document(doc: Document, parts: Parts | None = None) -> Parts:
    """Interpret a parsed document (appending to ``parts`` when merging an included file)."""
    return read_entries(doc.entries, doc.file, parts)


def read_entries(entries: Iterable[Entry], file: str | None, parts: Parts | None = None) -> Parts:
    """Interpret entries in file order (a generator is fine: each entry is dropped once read)."""
    parts = parts if parts is not None else Parts(file=file)
    share = parts.share
    pending: list[str] = []
    last: int | None = None  # index in parts.requirements of the requirement comments may follow
    after: list[str] = []  # the indented comment lines after requirement ``last`` (pip-compile's "# via")

    def close() -> None:
        """Give requirement ``last`` the indented comment lines that followed it (one replace, not one each)."""
        if after and last is not None:
            req = parts.requirements[last]
            parts.requirements[last] = req.replace(comments=(*req.comments, *after))
        after.clear()

    for entry in entries:
        kind = entry.kind
        if kind is Kind.COMMENT:
            text = share(comment_text(entry.comment or "#"))
            if entry.indent and last is not None and not pending:
                after.append(text)
            else:
                pending.append(text)
            continue
        close()
        if kind is Kind.BLANK:
            parts.comments.extend(pending)
            pending = []
            last = None
            continue
        if kind is Kind.OPTION:
            parts.comments.extend(pending)
            pending = []
            last = None
            if entry.comment is not None:
                parts.comments.append(comment_text(entry.comment))
            for token in entry.options:
                _option(entry, token, file, parts)
            continue
        raw = (Raw(format=FORMAT, key=LEADING_COMMENTS, value=len(pending)),) if pending else ()
        comments = pending
        if entry.comment is not None:
            comments.append(share(comment_text(entry.comment)))
        parts.requirements.append(_requirement(entry, file, parts, tuple(comments), raw))
        pending = []
        last = len(parts.requirements) - 1
    close()
    parts.comments.extend(pending)
    return parts


def trust_hosts(parts: Parts) -> Parts:
    """``--trusted-host H`` -> ``verify_ssl = False`` on the indexes whose host is H (as pip.conf is read).

    pip installs from a trusted host without verifying TLS: for an index on that host this is exactly what
    ``verify_ssl = false`` says in a Pipfile, so the option becomes that (and a Pipfile source with
    ``verify_ssl = false`` written as ``--trusted-host`` reads back the same). A value is taken over only when it
    is the text the writer writes back for that index (host, ``host:port`` for a URL with a port): a repeated
    value, a host no index uses or another spelling stays an option, so base mode gives the same bytes back.
    """
    if not any(o.name == "trusted-host" for o in parts.options) or not parts.indexes:
        return parts
    hosts = [trusted_host(index.url) for index in parts.indexes]
    taken: set[str] = set()
    kept: list[Option] = []
    for option in parts.options:
        value = option.value or ""
        if option.name == "trusted-host" and value not in taken and value in hosts:
            taken.add(value)
            continue
        kept.append(option)
    if taken:
        parts.indexes = [
            i if h not in taken else replace(i, verify_ssl=False)
            for i, h in zip(parts.indexes, hosts, strict=True)
        ]
        parts.options = kept
    return parts
