"""Pipfile text -> Manifest.

Parsed with tomllib (strict TOML 1.0, fast); positions come from :class:`~depglot.edit.tomlspan.TomlLocator`.

Sections: ``[[source]]`` -> indexes (the first is pipenv's default index, role DEFAULT; since pipenv 2022.3.23
the others are searched only for packages that name them with ``index =``, role EXPLICIT, unless
``[pipenv] install_search_all_sources = true`` makes them EXTRA), ``[packages]`` -> the main group,
``[dev-packages]`` -> group ``dev``, any other table -> a custom category, ``[requires]`` -> ``manifest.python``
(``python_version = "3.11"`` is ``==3.11.*``; ``python_full_version`` is ``==`` and wins when both are set, the
other travels as Raw), ``[pipenv] allow_prereleases`` -> ``manifest.allow_prereleases``; ``[scripts]``, the rest
of ``[pipenv]`` and top-level values pipenv does not know travel as Raw tagged ``pipfile``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ...edit.tomlspan import TomlLocator, load_toml, split_key
from ...errors import ParseError
from ...format import ReadOptions
from ...ir.model import Group, GroupKind, Index, IndexRole, Manifest, Raw, Requirement
from ...ir.versions import VersionSpec
from ...report import Report
from ...span import Span
from .entries import FORMAT, InvalidEntry, read_entry, report_invalid

__all__ = [
    "DEFAULT_SOURCE",
    "DEV_SECTION",
    "MAIN_SECTION",
    "SECTIONS",
    "group_name",
    "index_names",
    "read",
]

MAIN_SECTION = "packages"
DEV_SECTION = "dev-packages"
DEV_GROUP = "dev"
# Sections pipenv gives a meaning other than "a category of packages" (plette PIPFILE_SECTIONS).
SECTIONS = frozenset({"source", "packages", "dev-packages", "requires", "scripts", "pipfile", "pipenv"})
DEFAULT_SOURCE = {"url": "https://pypi.org/simple", "verify_ssl": True, "name": "pypi"}


def group_name(section: str) -> str:
    return {MAIN_SECTION: "main", DEV_SECTION: DEV_GROUP}.get(section, section)


class _Comments:
    """Comments by owner: entry (section, key), end of a package section, or the file."""

    def __init__(self, text: str, package_sections: set[str]) -> None:
        self.entries: dict[tuple[str, str], tuple[str, ...]] = {}
        self.sections: dict[str, tuple[str, ...]] = {}
        self.file: list[str] = []
        section: tuple[str, ...] | None = None
        pending: list[str] = []
        in_string: str | None = None
        for line in text.lstrip("\ufeff").splitlines():
            if in_string is not None:
                if line.count(in_string) % 2 == 1:
                    in_string = None
                continue
            stripped = line.strip()
            if not stripped:
                continue
            if stripped.startswith("#"):
                pending.append(_comment_text(stripped))
                continue
            header = re.match(r"^\[\[?\s*([^\]]+?)\s*\]\]?", stripped)
            if header:
                self._flush_section(section, pending, package_sections)
                pending = []
                section = split_key(header[1])
                trailing = _trailing(stripped[header.end() :])
                if trailing is not None:
                    self.file.append(trailing)
                continue
            key, _, rest = stripped.partition("=")
            trailing = _trailing(rest)
            for quote in ('"""', "'''"):
                if rest.count(quote) % 2 == 1:
                    in_string = quote
            owner = None
            if section is not None and section[0] in package_sections:
                parts = split_key(key.strip())
                if len(section) == 1 and parts:
                    owner = (section[0], parts[0])
                elif len(section) == 2:
                    owner = (section[0], section[1])
            found = pending + ([trailing] if trailing is not None else [])
            if owner is not None:
                if found:
                    self.entries[owner] = self.entries.get(owner, ()) + tuple(found)
            else:
                self.file.extend(found)
            pending = []
        self._flush_section(section, pending, package_sections)

    def _flush_section(self, section: tuple[str, ...] | None, pending: list[str], packages: set[str]) -> None:
        if not pending:
            return
        if section is not None and section[0] in packages:
            self.sections[section[0]] = self.sections.get(section[0], ()) + tuple(pending)
        else:
            self.file.extend(pending)


def _comment_text(text: str) -> str:
    body = text[1:]
    return body.removeprefix(" ")


def _trailing(rest: str) -> str | None:
    """The comment after a value on its line (``#`` outside strings), if any."""
    i, n = 0, len(rest)
    while i < n:
        ch = rest[i]
        if ch == "#":
            return _comment_text(rest[i:].strip())
        if ch in "\"'":
            if rest[i : i + 3] in ('"""', "'''"):
                end = rest.find(rest[i : i + 3], i + 3)
                if end < 0:
                    return None
                i = end + 3
                continue
            j = i + 1
            while j < n and rest[j] != ch:
                j += 2 if ch == '"' and rest[j] == "\\" else 1
            i = j + 1
            continue
        i += 1
    return None


def _python(requires: Mapping[str, Any], locator: TomlLocator) -> tuple[VersionSpec | None, list[Raw]]:
    """``python_full_version`` (``==V``) wins over ``python_version`` (``==V.*``); the loser travels as Raw."""
    from ...dialects import pipfile as dialect

    raw: list[Raw] = []
    values: dict[str, str] = {}
    for key in ("python_full_version", "python_version"):
        if key not in requires:
            continue
        value = requires[key]
        span = locator.span("requires", key)
        if not isinstance(value, str):
            raise ParseError(
                f'{key} must be a string like "3.11", not {value!r}',
                span=span,
                source_line=locator.line_text(span.line or 0) or None,
                hint=f'write {key} = "{value}"',
            )
        if values:
            raw.append(Raw(format=FORMAT, key=f"requires.{key}", value=value, span=span))
            continue
        values[key] = value
        python = dialect.python_requirement(**{key: value}, span=span)
    for key, value in requires.items():
        if key not in ("python_full_version", "python_version"):
            raw.append(
                Raw(format=FORMAT, key=f"requires.{key}", value=value, span=locator.span("requires", key))
            )
    return (python if values else None), raw


def _sources(data: Mapping[str, Any], locator: TomlLocator, search_all: bool) -> tuple[Index, ...]:
    if "source" not in data:
        return ()
    sources = data["source"]
    if not isinstance(sources, list) or not all(isinstance(s, Mapping) for s in sources):
        span = locator.span("source")
        raise ParseError(
            "[[source]] must be an array of tables",
            span=span,
            source_line=locator.line_text(span.line or 0) or None,
            hint='write [[source]] with url = "..." and name = "..."',
        )
    out: list[Index] = []
    for i, src in enumerate(sources):
        span = locator.span("source", i)
        url = src.get("url")
        if not isinstance(url, str) or not url:
            raise ParseError(
                "a [[source]] needs a url", span=span, source_line=locator.line_text(span.line or 0) or None
            )
        name = src.get("name")
        if name is not None and not isinstance(name, str):
            raise ParseError("a [[source]] name must be a string", span=locator.span("source", i, "name"))
        verify = src.get("verify_ssl")
        if verify is not None and not isinstance(verify, bool):
            raise ParseError("verify_ssl must be true or false", span=locator.span("source", i, "verify_ssl"))
        extra = tuple(
            Raw(format=FORMAT, key=k, value=v, span=locator.span("source", i, k))
            for k, v in src.items()
            if k not in ("url", "name", "verify_ssl")
        )
        role = IndexRole.DEFAULT if i == 0 else (IndexRole.EXTRA if search_all else IndexRole.EXPLICIT)
        out.append(Index(name=name, url=url, role=role, verify_ssl=verify, raw=extra, span=span))
    return tuple(out)


def index_names(indexes: tuple[Index, ...]) -> tuple[str, ...]:
    """Names ``index =`` may use: each source's name (or pipenv's derived host name); ``pypi`` without sources."""
    if not indexes:
        return (str(DEFAULT_SOURCE["name"]),)
    return tuple(i.name if i.name is not None else _url_name(i.url) for i in indexes)


def _url_name(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.hostname or parts.path.rstrip("/").rsplit("/", 1)[-1]


def read(text: str, options: ReadOptions) -> Manifest:
    file = options.path
    data: dict[str, Any] = load_toml(text, file, "pipfile", hint="a Pipfile is TOML (https://toml.io)")
    body = text.removeprefix("\ufeff")
    locator = TomlLocator(body, file)
    losses = Report()

    pipenv = data.get("pipenv", {})
    if not isinstance(pipenv, Mapping):
        raise ParseError("[pipenv] must be a table", span=locator.span("pipenv"))
    search_all = pipenv.get("install_search_all_sources") is True
    indexes = _sources(data, locator, search_all)
    names = index_names(indexes)

    package_sections = [k for k, v in data.items() if k not in SECTIONS - {"packages", "dev-packages"}]
    for k in package_sections:
        if not isinstance(data[k], Mapping):
            span = locator.span(k)
            if k in ("packages", "dev-packages"):
                raise ParseError(f"[{k}] must be a table", span=span)
    package_sections = [k for k in package_sections if isinstance(data[k], Mapping)]
    comments = _Comments(body, set(package_sections))

    groups: list[Group] = []
    if MAIN_SECTION not in package_sections:
        groups.append(Group(name="main", kind=GroupKind.MAIN))
    for section in package_sections:
        reqs: list[Requirement] = []
        invalid: list[Raw] = []
        for key, value in data[section].items():
            try:
                req = read_entry(
                    section,
                    key,
                    value,
                    locate=locator.span,
                    index_names=names,
                    comments=comments.entries.get((section, key), ()),
                )
            except InvalidEntry as exc:
                invalid.append(
                    Raw(format=FORMAT, key=key, value=value, span=exc.span or locator.span(section, key))
                )
                report_invalid(losses, exc, key)
                continue
            reqs.append(req)
        if section == MAIN_SECTION:
            kind = GroupKind.MAIN
        elif section == DEV_SECTION:
            kind = GroupKind.GROUP
        else:
            kind = GroupKind.CATEGORY
        if kind is not GroupKind.MAIN and not reqs and not invalid:
            comments.file.extend(comments.sections.get(section, ()))
            continue
        group = Group(
            name=group_name(section),
            kind=kind,
            requirements=tuple(reqs),
            comments=comments.sections.get(section, ()),
            raw=tuple(invalid),
            span=locator.span(section),
        )
        if kind is GroupKind.MAIN:
            groups.insert(0, group)
        else:
            groups.append(group)

    rank = {GroupKind.MAIN: 0, GroupKind.GROUP: 1}
    groups.sort(key=lambda g: rank.get(g.kind, 2))  # pipenv's order: packages, dev-packages, categories
    requires = data.get("requires", {})
    if not isinstance(requires, Mapping):
        raise ParseError("[requires] must be a table", span=locator.span("requires"))
    python, raw = _python(requires, locator)
    allow = pipenv.get("allow_prereleases")
    if allow is not None and not isinstance(allow, bool):
        raise ParseError(
            "allow_prereleases must be true or false", span=locator.span("pipenv", "allow_prereleases")
        )
    for key, value in pipenv.items():
        if key not in ("allow_prereleases", "install_search_all_sources"):
            raw.append(Raw(format=FORMAT, key=f"pipenv.{key}", value=value, span=locator.span("pipenv", key)))
    if "scripts" in data:
        raw.append(Raw(format=FORMAT, key="scripts", value=data["scripts"], span=locator.span("scripts")))
    if "pipfile" in data:
        raw.append(Raw(format=FORMAT, key="pipfile", value=data["pipfile"], span=locator.span("pipfile")))
    for key, value in data.items():
        if key not in SECTIONS and not isinstance(value, Mapping):
            raw.append(Raw(format=FORMAT, key=key, value=value, span=locator.span(key)))

    return Manifest(
        format=FORMAT,
        python=python,
        groups=tuple(groups),
        indexes=indexes,
        allow_prereleases=allow,
        comments=tuple(comments.file),
        raw=tuple(raw),
        losses=losses.losses,
        span=Span(file=file),
    )
