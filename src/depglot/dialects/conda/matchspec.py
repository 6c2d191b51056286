"""conda MatchSpec strings as written in environment.yml: parse into fields (version as a VersionSpec), render back.

See :mod:`depglot.dialects.conda` for the grammar and the two-token trap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ...ir.versions import VersionSpec
from ...report import Report
from ...span import Span
from .._common import located_error
from .versions import DIALECT, _analyse, _Invalid

__all__ = ["SUBDIRS", "MatchSpec", "channel_name", "parse_matchspec", "render_matchspec"]

SUBDIRS = frozenset(
    {
        "noarch",
        "linux-64",
        "linux-32",
        "linux-aarch64",
        "linux-armv6l",
        "linux-armv7l",
        "linux-ppc64le",
        "linux-ppc64",
        "linux-s390x",
        "linux-riscv64",
        "osx-64",
        "osx-arm64",
        "win-64",
        "win-32",
        "win-arm64",
        "emscripten-wasm32",
        "wasi-wasm32",
        "zos-z",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class MatchSpec:
    """One conda dependency as written in an environment file (``raw`` exactly as written)."""

    name: str  # lowercased, as conda normalises it
    channel: str | None = None
    subdir: str | None = None
    namespace: str | None = None
    version: VersionSpec | None = None  # None: any version
    build: str | None = None
    brackets: tuple[tuple[str, str], ...] = ()  # bracket keys other than version/build/channel/subdir
    raw: str = ""


_NAME = re.compile(r"[A-Za-z0-9_*][A-Za-z0-9_.*-]*")


def parse_matchspec(text: str, *, span: Span | None = None) -> MatchSpec:
    """One environment.yml dependency string as a :class:`MatchSpec` (errors located, dialect ``conda``)."""
    try:
        return _parse_matchspec(text)
    except _Invalid as exc:
        raise located_error(
            "MatchSpec", text, exc.offset, exc.reason, dialect=DIALECT, span=span, width=exc.width
        ) from None


def _brackets(body: str, offset: int) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    depth, quote, start = 0, None, 0
    pieces: list[tuple[str, int]] = []
    for i, ch in enumerate(body):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == "," and depth == 0:
            pieces.append((body[start:i], start))
            start = i + 1
    pieces.append((body[start:], start))
    for piece, at in pieces:
        if not piece.strip():
            continue
        key, eq, value = piece.partition("=")
        if not eq or not key.strip():
            raise _Invalid(
                offset + at, f"bracket entry {piece.strip()!r} is not key=value", max(1, len(piece))
            )
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        out.append((key.strip(), value))
    return out


@lru_cache(maxsize=65536)
def _parse_matchspec(text: str) -> MatchSpec:
    lead = len(text) - len(text.lstrip())
    s = text.strip()
    if not s:
        raise _Invalid(0, "empty MatchSpec")
    brackets: list[tuple[str, str]] = []
    if s.endswith("]") and "[" in s:
        open_at = s.index("[")
        brackets = _brackets(s[open_at + 1 : -1], lead + open_at + 1)
        s = s[:open_at].rstrip()
    channel = subdir = namespace = None
    base = lead
    if "::" in s:
        prefix, s = s.split("::", 1)
        base += len(prefix) + 2
        channel = prefix or None
        if "/" in prefix and prefix.rsplit("/", 1)[1] in SUBDIRS:
            channel, subdir = prefix.rsplit("/", 1)
    m = _NAME.match(s)
    if m is None:
        raise _Invalid(base, "a MatchSpec starts with a package name", max(1, len(s)))
    name = m.group(0)
    rest = s[m.end() :]
    at = base + m.end()
    version_text: str | None = None
    build: str | None = None
    if rest.startswith("=") and not rest.startswith("=="):
        body = rest[1:]
        split = re.match(r"^([^=\s]+)=([^=\s]+)$", body)
        if split is not None:  # name=version=build: the version is exact (unless a glob)
            version_text, build = split.group(1), split.group(2)
            at += 1
        else:
            version_text = rest  # "=1.2" keeps its fuzzy "="
    elif rest.strip():
        if not (rest[0].isspace() or rest[0] in "<>=!~(*"):
            raise _Invalid(at, f"unexpected {rest[0]!r} after the name {name!r}")
        collapsed = re.sub(r"(?<=[<>=!~,|(])\s+|\s+(?=[,|)])", "", rest.strip())
        fields = collapsed.split()
        at += len(rest) - len(rest.lstrip())
        version_text = fields[0]
        if len(fields) > 1:
            build = fields[1]
            if build[0] in "<>=!~":
                raise _Invalid(
                    at + len(fields[0]), "clauses need a ',' between them (this would be read as a build)"
                )
        if len(fields) > 2:
            raise _Invalid(at, f"too many fields in {s!r} (name version build)")
    keys = dict(brackets)
    if "version" in keys:
        version_text = keys["version"]
    if "build" in keys:
        build = keys["build"]
    if "channel" in keys:
        channel = keys["channel"]
    if "subdir" in keys:
        subdir = keys["subdir"]
    version: VersionSpec | None = None
    if version_text is not None and version_text != "*":
        try:
            version = _analyse(version_text)[0]
        except _Invalid as exc:
            offset = at + exc.offset if "version" not in keys else lead
            raise _Invalid(offset, exc.reason, exc.width) from None
    elif version_text == "*":
        version = VersionSpec(raw="*", dialect=DIALECT, pep440="")
    rest_keys = tuple((k, v) for k, v in brackets if k not in ("version", "build", "channel", "subdir"))
    return MatchSpec(
        name=name.lower(),
        channel=channel,
        subdir=subdir,
        namespace=namespace,
        version=version,
        build=build,
        brackets=rest_keys,
        raw=text,
    )


def render_matchspec(ms: MatchSpec, *, report: Report | None = None, span: Span | None = None) -> str:
    """A MatchSpec as an environment.yml string (``conda-forge::numpy>=1.2,<2.0a0``, ``numpy=1.23``).

    A conda version keeps its spelling; another dialect's prefix set uses the ``name=1.23`` idiom.
    """
    head = ""
    if ms.channel:
        head = ms.channel + (f"/{ms.subdir}" if ms.subdir else "") + "::"
    out = head + ms.name
    from .render import render_version

    version = render_version(ms.version, report=report, subject=ms.name, span=span) if ms.version else None
    foreign = ms.version is not None and ms.version.dialect != DIALECT
    if ms.build is not None:
        out += f" {version or '*'} {ms.build}"
    elif version in (None, "*"):
        pass
    elif foreign and re.fullmatch(r"[0-9][0-9a-z.!]*\.\*", version):
        out += f"={version[:-2]}"  # the environment.yml idiom for a prefix: numpy=1.23
    else:
        out += version if version[0] in "<>=!~" else f" {version}"
    items = list(ms.brackets) + ([("subdir", ms.subdir)] if ms.subdir and not ms.channel else [])
    if items:
        out += "[" + ", ".join(f"{k}={_quote(v)}" for k, v in items) + "]"
    return out


def _quote(value: str) -> str:
    if re.fullmatch(r"[A-Za-z0-9_.*/-]+", value) or (value.startswith("[") and value.endswith("]")):
        return value
    return f"'{value}'"


def channel_name(channel: str | None) -> str | None:
    """A channel URL on the default alias as its name (``https://conda.anaconda.org/conda-forge`` -> ``conda-forge``)."""
    if channel is None:
        return None
    m = re.fullmatch(r"https?://conda\.anaconda\.org/([^/]+)/?", channel)
    return m.group(1) if m else channel
