"""pip's non-PEP 508 requirement spellings: bare URLs, VCS URLs with ``#egg=``, local paths and archives.

These mirror ``pip._internal.req.constructors`` (``parse_req_from_line``, ``parse_editable``) by appearance
only: depglot never looks at the file system or the network, so "is this an installable directory" becomes
"does this look like a path", decided the way pip's ``_looks_like_path`` and ``is_archive_file`` decide.
"""

from __future__ import annotations

import re
from typing import NamedTuple
from urllib.parse import urlsplit

from ...dialects.pep508 import parse_url as source_from_url
from ...ir.model import LocalPath, Source

__all__ = [
    "ARCHIVES",
    "VCS_SCHEMES",
    "BareError",
    "BareSource",
    "bare_editable",
    "bare_requirement",
    "egg_name",
    "is_archive",
    "is_url",
    "looks_like_path",
    "strip_extras",
    "trusted_host",
    "wheel_name",
]

VCS_SCHEMES = frozenset(
    {
        "bzr+http", "bzr+https", "bzr+ssh", "bzr+sftp", "bzr+ftp", "bzr+lp", "bzr+file",
        "git+http", "git+https", "git+ssh", "git+git", "git+file",
        "hg+file", "hg+http", "hg+https", "hg+ssh", "hg+static-http",
        "svn+ssh", "svn+http", "svn+https", "svn+svn", "svn+file",
    }
)  # fmt: skip
_URL_SCHEMES = frozenset({"http", "https", "file", "ftp"}) | VCS_SCHEMES
ARCHIVES = (  # pip's ARCHIVE_EXTENSIONS
    ".zip",
    ".whl",
    ".tar.bz2",
    ".tbz",
    ".tar.gz",
    ".tgz",
    ".tar",
    ".tar.xz",
    ".txz",
    ".tlz",
    ".tar.lz",
    ".tar.lzma",
)
_EGG_RE = re.compile(r"[#&]egg=([^&]*)")
_NAME_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_EXTRAS_RE = re.compile(r"^(.+)(\[[^\]]+\])$")


def is_url(text: str) -> bool:
    """pip's ``is_url``: a scheme pip fetches from (http, https, file, ftp, or a VCS scheme)."""
    if ":" not in text:
        return False
    try:
        scheme = urlsplit(text).scheme
    except ValueError:
        return False
    return scheme in _URL_SCHEMES


def trusted_host(url: str) -> str | None:
    """The ``--trusted-host`` value that turns TLS verification off for ``url``: its host, with the port when
    the URL names one (``h.example:8443``; pip then trusts that port only). None when the URL has no host."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host:
        return None
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}" if port is not None else host


def looks_like_path(text: str) -> bool:
    return "/" in text or "\\" in text or text.startswith(".")


def is_archive(text: str) -> bool:
    lowered = text.lower()
    return lowered.endswith(ARCHIVES)


def strip_extras(text: str) -> tuple[str, tuple[str, ...]]:
    """``path[a,b]`` -> (``path``, (a, b)) like pip's ``strip_extras`` (order kept)."""
    if "\n" in text:  # never in a requirements line; the regex's "$" also matches before a final newline
        match = _EXTRAS_RE.match(text)
        if match is None:
            return text, ()
        head, inner = match.group(1), match.group(2)[1:-1]
    else:
        split = _extras_at(text)
        if split < 0:
            return text, ()
        head, inner = text[:split], text[split + 1 : -1]
    return head.rstrip(), tuple(e.strip() for e in inner.split(",") if e.strip())


def _extras_at(text: str) -> int:
    """Where pip's ``^(.+)(\\[[^\\]]+\\])$`` puts the ``[`` of trailing extras (-1: none), in linear time.

    The regex backtracks quadratically over a path full of ``[`` (80,000 of them: 3.8 s). Its answer is the last
    ``[`` after position 0 followed by at least one character and no ``]`` before the final one.
    """
    if not text.endswith("]"):
        return -1
    body = text[:-1]
    return body.rfind("[", max(body.rfind("]") + 1, 1), len(body) - 1)


class EggError(ValueError):
    pass


def egg_name(url: str) -> str | None:
    """The ``#egg=`` project name of a URL (None when absent). Raises EggError when it is not a project name."""
    match = _EGG_RE.search(url)
    if match is None:
        return None
    name = match.group(1)
    if not _NAME_RE.match(name):
        raise EggError(name)
    return name


def wheel_name(filename: str) -> tuple[str, str] | None:
    """(name, version) of a wheel file name the way pip reads it (None when it is not a valid wheel name)."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    try:
        name, version, _, _ = parse_wheel_filename(filename)
    except (InvalidWheelFilename, ValueError):
        return None
    return str(name), str(version)


class BareSource(NamedTuple):  # a NamedTuple: ~5x cheaper than a dataclass to define at start-up
    """A requirement spelled as a URL or path instead of PEP 508."""

    name: str  # "" when pip could not tell it without building
    extras: tuple[str, ...]
    source: Source
    wheel_version: str | None = None  # a wheel's own version (pip pins it: name==version)


class BareError(ValueError):
    """A URL or path line pip would reject (the message says why)."""


def _egg(url: str) -> str | None:
    try:
        return egg_name(url)
    except EggError as exc:
        raise BareError(f"{exc.args[0]!r} in #egg= is not a valid project name") from None


def _pep508_form(text: str) -> bool:
    """``name @ url``: an ``@`` whose left side does not look like a path (pip's own test)."""
    left, at, _ = text.partition("@")
    return bool(at) and not looks_like_path(left)


def _named(url: str, source: Source, extras: tuple[str, ...]) -> BareSource:
    path = url.partition("#")[0].partition("?")[0]
    if path.lower().endswith(".whl"):
        wheel = wheel_name(path.rsplit("/", 1)[-1].rsplit("\\", 1)[-1])
        if wheel is None:
            raise BareError(f"{path.rsplit('/', 1)[-1]!r} is not a valid wheel file name")
        return BareSource(wheel[0], extras, source, wheel[1])
    return BareSource(_egg(url) or "", extras, source)


def bare_requirement(text: str) -> BareSource | None:
    """A requirement line's name part (marker already split off) as a URL/path, or None for PEP 508."""
    if is_url(text):
        return _named(text, source_from_url(text), ())
    if _pep508_form(text):
        return None
    path, extras = strip_extras(text)
    if is_archive(path) or (looks_like_path(text) and _plain_path(path)):
        # pip makes a file: URL of a path, quoting '#': a path has no #egg=, only a wheel's own name
        source = LocalPath(path=path)
        if path.lower().endswith(".whl"):
            return _named(path.replace("#", "%23"), source, extras)
        return BareSource("", extras, source)
    return None


def _plain_path(path: str) -> bool:
    """A directory pip would find: no URL inside, no whitespace (else pip reads the text as PEP 508)."""
    return "://" not in path and not any(c.isspace() for c in path)


def bare_editable(text: str) -> BareSource | None:
    """An ``-e`` value as a VCS URL or a local path, or None for ``name @ url`` (PEP 508). Raises BareError."""
    if not is_url(text) and _pep508_form(text):
        return None
    url, extras = strip_extras(text)
    scheme = url.partition(":")[0].lower() if ":" in url else ""
    if scheme in ("git", "hg", "svn", "bzr"):
        url, scheme, extras = f"{scheme}+{url}", f"{scheme}+{scheme}", ()
    if is_url(url) or scheme in VCS_SCHEMES:
        if scheme == "file":
            return BareSource(_egg(url) or "", extras, source_from_url(url))
        if scheme not in VCS_SCHEMES:
            raise BareError("an editable requirement must be a local project path or a VCS URL")
        name = _egg(url)
        if not name:
            raise BareError("cannot tell the project name: add #egg=<name>, or write it as 'name @ URL'")
        return BareSource(name, (), source_from_url(url))
    if not (looks_like_path(url) and _plain_path(url)) or is_archive(url):
        raise BareError("an editable requirement must be a local project path or a VCS URL")
    return BareSource("", extras, LocalPath(path=url))
