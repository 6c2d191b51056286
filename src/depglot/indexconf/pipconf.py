"""``pip.conf`` / ``pip.ini``: the index setup pip reads from its configuration files.

Parsed as pip parses them (:class:`configparser.RawConfigParser`: no interpolation, ``key = value`` or
``key: value``, indented continuation lines, ``#``/``;`` comments). pip applies ``[global]`` to every command and
lets a command's own section override it, so the effective install-time value of each key is ``[install]``'s
when set, else ``[global]``'s. Multi-valued keys (``extra-index-url``, ``find-links``, ``trusted-host``) are split
on whitespace, as pip does.

* ``index-url`` -> a default :class:`~depglot.ir.model.Index`; ``extra-index-url`` -> extra indexes;
  ``find-links`` -> find-links locations; ``no-index`` -> ``Manifest.no_index``;
* ``trusted-host`` -> ``verify_ssl = False`` on the indexes of that host, and a ``trusted-host`` option for the
  other hosts;
* sections pip has no command for are reported (``index-config-unknown-section``); settings with no place in a
  manifest (``timeout``, ``proxy``, ``cert``...) are reported as not carried (``index-config-setting-ignored``).
"""

from __future__ import annotations

import configparser
from urllib.parse import urlsplit

from ..errors import ParseError
from ..ir.model import Index, IndexRole, Option
from ..report import Loss, Severity
from ..span import Span
from ._lines import ini_positions
from .model import IndexConfig

__all__ = ["PIP_COMMANDS", "read_pip_conf"]

PIP_COMMANDS = frozenset({
    "global", "install", "download", "uninstall", "freeze", "inspect", "list", "show", "check", "config", "search",
    "cache", "index", "wheel", "hash", "completion", "debug", "help", "lock",
})
_USED_SECTIONS = ("global", "install")
_INDEX_KEYS = {"index-url", "extra-index-url", "find-links", "no-index", "trusted-host", "i", "f"}
_TRUE = {"1", "true", "yes", "on", "y"}


def _host(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port  # .port raises ValueError on "host:-"
    except ValueError:
        return None
    if host and port:
        return f"{host}:{port}"
    return host


def read_pip_conf(text: str, path: str | None = None) -> IndexConfig:
    body = text.lstrip("\ufeff")
    parser = configparser.RawConfigParser(strict=False)
    try:
        parser.read_string(body, source=path or "<pip.conf>")
    except configparser.Error as exc:
        line = getattr(exc, "lineno", None)
        source_line = body.splitlines()[line - 1] if line and line <= len(body.splitlines()) else None
        message = str(exc).splitlines()[0]
        raise ParseError(f"not a pip configuration file: {message}", span=Span(file=path, line=line, column=1 if line else None),
                         source_line=source_line, hint="pip.conf is INI: [global] then key = value lines") from None
    section_lines, key_lines = ini_positions(body)
    losses: list[Loss] = []

    def span(section: str, key: str | None = None) -> Span:
        line = key_lines.get((section, key)) if key else section_lines.get(section)
        return Span(file=path, line=line, column=1 if line else None, key=f"{section}.{key}" if key else section)

    values: dict[str, tuple[str, str]] = {}  # key -> (value, section it came from)
    for section in parser.sections():
        if section not in PIP_COMMANDS:
            losses.append(Loss(code="index-config-unknown-section", severity=Severity.WARNING,
                               message=f"section [{section}] is not a pip command; pip ignores it",
                               subject=section, span=span(section)))
            continue
        for raw_key, value in parser.items(section):
            key = raw_key.lower().replace("_", "-")
            if section in _USED_SECTIONS and key in _INDEX_KEYS:
                if section == "install" or key not in values or values[key][1] != "install":
                    values[key] = (value, section)
            elif section in _USED_SECTIONS:
                losses.append(Loss(code="index-config-setting-ignored", severity=Severity.INFO,
                                   message=f"pip setting {key!r} ([{section}]) has no place in a manifest; not carried",
                                   subject=key, span=span(section, raw_key.lower().replace("_", "-"))))
    aliases = {"i": "index-url", "f": "find-links"}
    for short, long in aliases.items():
        if short in values and long not in values:
            values[long] = values.pop(short)
    indexes: list[Index] = []
    if "index-url" in values:
        value, section = values["index-url"]
        for url in value.split()[:1]:
            indexes.append(Index(name=None, url=url, role=IndexRole.DEFAULT, span=span(section, "index-url")))
    if "extra-index-url" in values:
        value, section = values["extra-index-url"]
        for url in value.split():
            indexes.append(Index(name=None, url=url, role=IndexRole.EXTRA, span=span(section, "extra-index-url")))
    if "find-links" in values:
        value, section = values["find-links"]
        for url in value.split():
            indexes.append(Index(name=None, url=url, role=IndexRole.FIND_LINKS, span=span(section, "find-links")))
    no_index = "no-index" in values and values["no-index"][0].strip().lower() in _TRUE
    options: list[Option] = []
    if "trusted-host" in values:
        value, section = values["trusted-host"]
        hosts = value.split()
        trusted = set(hosts)
        matched: set[str] = set()
        for i, index in enumerate(indexes):
            host = _host(index.url)
            bare = host.split(":")[0] if host else None
            if host in trusted or bare in trusted:
                indexes[i] = Index(name=index.name, url=index.url, role=index.role, verify_ssl=False, span=index.span)
                matched.update(h for h in (host, bare) if h)
        for host in hosts:
            if host not in matched:
                options.append(Option(name="trusted-host", value=host, span=span(section, "trusted-host")))
    return IndexConfig(path=path, tool="pip", indexes=tuple(indexes), no_index=no_index, options=tuple(options),
                       losses=tuple(losses))
