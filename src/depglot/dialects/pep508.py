"""PEP 508 requirement lines: decompose into the IR keeping what the user wrote, and write them back.

``parse_requirement`` takes the parts from the text itself: the name and extras as written (packaging returns extras as an unordered set), the specifier text as
written (``VersionSpec.raw``, without the optional parentheses of ``name (>=1)``) and the marker text exactly as
written (the substring after the ``;``; packaging's ``str(Marker)`` would respace and requote it).

Validation: the common shapes (``name[extras] >=1.2,<2 ; python_version >= "3.9"``, ``name @ url ; marker``) are
recognised by a scanner of this module (:func:`_fast_decompose`) that accepts a strict subset of what
:class:`packaging.requirements.Requirement` accepts (a property test and every corpus line check it against
packaging); anything else goes to packaging, which also reports the position of an error. So reading a
requirements file does not import packaging's requirement, marker and tag modules (~10 ms at start-up).

Direct references (``name @ url``) become sources:

* ``git+``/``hg+``/``svn+``/``bzr+`` URLs -> :class:`~depglot.ir.model.Vcs` (``@rev`` split off the path,
  ``#subdirectory=`` kept, ``#egg=`` dropped as it repeats the name);
* ``file:`` URLs of local directories (no archive suffix) -> :class:`~depglot.ir.model.LocalPath` with the
  decoded path (``file:///srv/pkg`` -> ``/srv/pkg``, ``file:./pkg`` -> ``./pkg``), so formats with a path table
  (Poetry ``path =``, Pipfile ``path =``, uv sources) can say them natively;
* any other URL (http/https/file archives) -> :class:`~depglot.ir.model.Url`, fragments other than
  ``egg``/``subdirectory`` (hashes) kept in the URL.

``render_requirement`` writes ``name[extras]spec ; marker`` or ``name[extras] @ url ; marker``.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from urllib.parse import quote, unquote

from ..ir.model import CondaPackage, IndexRef, LocalPath, Requirement, Source, Url, Vcs
from ..report import Report, Severity
from ..span import Span
from . import pep440
from ._common import located_error

__all__ = [
    "ARCHIVE_SUFFIXES",
    "is_common_marker",
    "is_common_specifier_set",
    "parse_requirement",
    "parse_url",
    "render_requirement",
    "render_source",
]

DIALECT = "pep508"
VCS_SCHEMES = ("git", "hg", "svn", "bzr")
ARCHIVE_SUFFIXES = (
    ".whl",
    ".tar.gz",
    ".tgz",
    ".tar.bz2",
    ".tbz",
    ".tar.xz",
    ".txz",
    ".tar.zst",
    ".tar",
    ".zip",
)

_NAME = r"\s*([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)"  # compiled on first use (the packaging path)
_EXTRAS = r"\s*\[([^\]]*)\]"

# --- the fast scanner: a strict subset of packaging's grammar (tests/test_startup_pep508_fast.py checks the subset) --
# Small patterns (compiling regexes is a start-up cost); the structure is checked in Python.
# (Compiled on first use: a conversion that only checks markers, e.g. Pipfile -> Poetry, reads no PEP 508 line.)
@cache
def _fast_line() -> re.Pattern[str]:
    return re.compile(
        r"[ \t]*(?P<name>[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)[ \t]*(?:\[(?P<extras>[^\]]*)\][ \t]*)?"
        r"(?:@[ \t]*(?P<url>\S+)(?:[ \t]+(?:;(?P<url_marker>.*))?)?|(?P<spec>[^;]*?)[ \t]*(?:;(?P<marker>.*))?)"
    )


@cache
def _fast_extra() -> re.Pattern[str]:
    return re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?")


@cache
def _fast_clause() -> re.Pattern[str]:
    """One clause in canonical spelling: operator, release, then ".*" or pre/post/dev parts (no epoch, "v" or
    local)."""
    return re.compile(
        r"[ \t]*(==|!=|<=|>=|<|>|~=)[ \t]*[0-9]+(\.[0-9]+)*"
        r"(\.\*|(?:(?:a|b|rc)[0-9]+)?(?:\.post[0-9]+)?(?:\.dev[0-9]+)?)[ \t]*"
    )


_MARKER_VARIABLES = frozenset(
    {"python_version", "python_full_version", "os_name", "sys_platform", "platform_release", "platform_system",
     "platform_version", "platform_machine", "platform_python_implementation", "implementation_name",
     "implementation_version", "extra"}
)
# One marker token after optional blanks; the group number is its kind: ( ) word 'string' operator.
_MARKER_TOKEN = re.compile(r"[ \t]*(?:(\()|(\))|([A-Za-z_]\w*)|('[^'\\]*'|\"[^\"\\]*\")|(===|==|~=|!=|<=|>=|<|>))")
_MAX_FAST_NESTING = 32


def _fast_specs(text: str) -> bool:
    """Whether ``text`` (without parentheses) is a comma-separated list of clauses packaging surely accepts."""
    fullmatch = _fast_clause().fullmatch
    for clause in text.split(","):
        m = fullmatch(clause)
        if m is None:
            return False
        op, release_tail, tail = m.groups()
        if tail == ".*" and op not in ("==", "!="):
            return False
        if op == "~=" and release_tail is None:  # ~= needs two release segments
            return False
    return True


def _fast_marker(text: str) -> bool:
    """Whether ``text`` is a marker in the common shape (``var op 'value'`` joined by and/or, in parentheses).

    ``False`` means "not sure", never "invalid": the caller then asks packaging. Quoted strings with a backslash
    or a non-printable character are left to packaging (it evaluates those as Python literals).
    """
    pos, depth, end = 0, 0, len(text)
    # expect 0: an operand or "(", 1: an operator, 4: "in" after "not", 2: an operand, 3: "and"/"or" or ")"
    expect = 0
    match = _MARKER_TOKEN.match
    while pos < end:
        m = match(text, pos)
        if m is None:
            return expect == 3 and depth == 0 and not text[pos:].strip(" \t")
        kind = m.lastindex
        token = m.group(kind)  # type: ignore[arg-type]
        pos = m.end()
        if kind == 1:  # (
            if expect != 0 or depth >= _MAX_FAST_NESTING:
                return False
            depth += 1
        elif kind == 2:  # )
            if expect != 3 or depth == 0:
                return False
            depth -= 1
        elif kind == 4 or (kind == 3 and token in _MARKER_VARIABLES):  # an operand
            if kind == 4 and not token.isprintable():
                return False
            if expect == 0:
                expect = 1
            elif expect == 2:
                expect = 3
            else:
                return False
        elif kind == 5 or token == "in":  # a comparison
            if expect not in (1, 4) or (kind == 5 and expect == 4):
                return False
            expect = 2
        elif token == "not":
            if expect != 1:
                return False
            expect = 4
        elif token in ("and", "or"):
            if expect != 3:
                return False
            expect = 0
        else:
            return False
    return expect == 3 and depth == 0


def is_common_marker(text: str) -> bool:
    """True when ``text`` is a PEP 508 marker that packaging surely accepts (checked without importing it).

    For validators: only when this is False does packaging's marker parser (and with it ``packaging.tags``, a
    start-up cost) need to be imported to decide, and to locate an error.
    """
    return _fast_marker(text)


def is_common_specifier_set(text: str) -> bool:
    """True when ``text`` (``>=1.2,<2``, no parentheses) is a PEP 440 specifier set packaging surely accepts.

    Canonical spellings only (no epoch, ``v``, local version or ``===``); for validators that want to import
    ``packaging.specifiers`` only when this is False.
    """
    return _fast_specs(text)


def _fast_decompose(text: str) -> tuple[str, tuple[str, ...], str | None, str | None, str | None] | None:
    """The parts of a requirement in a common shape, or ``None`` when packaging must decide."""
    m = _fast_line().fullmatch(text)
    if m is None:
        return None
    name, extras_text, url, spec = m.group("name", "extras", "url", "spec")
    extras: tuple[str, ...] = ()
    if extras_text is not None and extras_text.strip(" \t"):
        extras = tuple(e.strip(" \t") for e in extras_text.split(","))
        if not all(_fast_extra().fullmatch(e) for e in extras):
            return None
    elif extras_text is not None and extras_text:
        return None  # "[ ]": valid, but rare; packaging decides
    if spec:
        if spec[0] == "(":
            if spec[-1] != ")":
                return None
            spec = spec[1:-1].strip(" \t")
            if not spec:
                return None
        if not _fast_specs(spec):
            return None
    marker = m.group("url_marker") if url is not None else m.group("marker")
    if marker is not None:
        if not _fast_marker(marker):
            return None
        marker = marker.strip()
    return name, extras, spec or None, url, marker


def parse_requirement(text: str, *, span: Span | None = None) -> Requirement:
    """One PEP 508 requirement (``name[extras] spec ; marker`` or ``name[extras] @ url ; marker``).

    Bad input raises :class:`~depglot.errors.ParseError` with the position packaging reports, dialect ``pep508``.
    """
    name, extras, spec_text, url, marker = _decompose(text, span)
    version = pep440.parse(spec_text) if spec_text else None
    source = parse_url(url) if url is not None else None
    return Requirement(name=name, extras=extras, version=version, marker=marker, source=source, span=span)


@lru_cache(maxsize=65536)
def _decompose_cached(
    text: str,
) -> tuple[str, tuple[str, ...], str | None, str | None, str | None] | tuple[int, str]:
    fast = _fast_decompose(text)
    if fast is not None:
        return fast
    return _packaging_decompose(text)


def _packaging_decompose(
    text: str,
) -> tuple[str, tuple[str, ...], str | None, str | None, str | None] | tuple[int, str]:
    """The parts of any requirement packaging accepts, or (offset, reason) of packaging's error."""
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as PackagingRequirement

    try:
        parsed = PackagingRequirement(text)
    except InvalidRequirement as exc:
        cause = exc.__cause__
        where = getattr(cause, "span", None)
        offset = 0
        if where is not None:
            offset = where[1] if where[1] < len(text) else where[0]
        reason = str(exc).splitlines()[0] if str(exc) else "invalid requirement"
        return offset, reason

    m = re.match(_NAME, text)
    assert m is not None  # packaging accepted a name here
    name = m.group(1)
    pos = m.end()
    extras: tuple[str, ...] = ()
    em = re.compile(_EXTRAS).match(text, pos)
    if em is not None:
        extras = tuple(e.strip() for e in em.group(1).split(",") if e.strip())
        pos = em.end()
    rest = text[pos:]
    marker: str | None = None
    url: str | None = None
    spec_text: str | None = None
    if parsed.url is not None:
        at = rest.index("@")
        after = rest[at + 1 :].lstrip()
        url = parsed.url
        tail = after[after.index(url) + len(url) :] if url in after else ""
        if ";" in tail:
            marker = tail[tail.index(";") + 1 :].strip() or None
    else:
        if ";" in rest:
            semi = rest.index(";")
            marker = rest[semi + 1 :].strip() or None
            rest = rest[:semi]
        spec = rest.strip()
        if spec.startswith("(") and spec.endswith(")"):
            spec = spec[1:-1].strip()
        spec_text = spec or None
    return name, extras, spec_text, url, marker


def _decompose(
    text: str, span: Span | None
) -> tuple[str, tuple[str, ...], str | None, str | None, str | None]:
    result = _decompose_cached(text)
    if len(result) == 2:
        offset, reason = result
        raise located_error("requirement", text, offset, reason, dialect=DIALECT, span=span)
    return result


# ------------------------------------------------------------------------------------------------------ sources


def _split_fragment(url: str) -> tuple[str, str | None, str | None]:
    """(url without egg/subdirectory fragment params, subdirectory, other fragment params kept in the url)."""
    if "#" not in url:
        return url, None, None
    base, fragment = url.split("#", 1)
    subdirectory = None
    kept = []
    for param in fragment.split("&"):
        key, _, value = param.partition("=")
        if key == "subdirectory":
            subdirectory = value
        elif key == "egg":
            continue
        elif param:
            kept.append(param)
    return (base + "#" + "&".join(kept)) if kept else base, subdirectory, "&".join(kept) or None


@lru_cache(maxsize=16384)
def parse_url(url: str) -> Source:
    """The IR source of a direct-reference URL (see the module docstring for the rules)."""
    scheme, sep, rest = url.partition("+")
    if sep and scheme.lower() in VCS_SCHEMES and ":" in rest:
        base, subdirectory, _ = _split_fragment(rest)
        rev = None
        if "://" in base:
            start = base.index("://") + 3
            slash = base.find("/", start)
            path_at = base.rfind("@", slash) if slash != -1 else -1
        else:  # scp-like git@host:owner/repo.git@rev
            colon = base.find(":")
            path_at = base.rfind("@", colon)
        if path_at != -1:
            base, rev = base[:path_at], base[path_at + 1 :] or None
        return Vcs(vcs=scheme.lower(), url=base, rev=rev, subdirectory=subdirectory)
    if url[:5].lower() == "file:":
        base, subdirectory, kept = _split_fragment(url)
        path_part = base.split("?", 1)[0]
        if kept is None and not path_part.lower().endswith(ARCHIVE_SUFFIXES):
            return LocalPath(path=_file_url_path(path_part), subdirectory=subdirectory)
        return Url(url=base, subdirectory=subdirectory)
    base, subdirectory, _ = _split_fragment(url)
    return Url(url=base, subdirectory=subdirectory)


def _file_url_path(url: str) -> str:
    rest = url[5:]
    if rest.startswith("//"):
        rest = rest[2:]
        host, _, path = rest.partition("/")
        rest = "/" + path if host in ("", "localhost") else f"//{host}/{path}"
    path = unquote(rest)
    if re.match(r"^/[A-Za-z]:[/\\]", path):  # file:///C:/x -> C:/x
        path = path[1:]
    return path


def _path_file_url(path: str) -> str:
    posix = path.replace("\\", "/")
    if re.match(r"^[A-Za-z]:/", posix):
        return "file:///" + quote(posix, safe="/:")
    if posix.startswith("/"):
        return "file://" + quote(posix, safe="/:")
    return "file:" + quote(posix, safe="/:")


def _with_subdirectory(url: str, subdirectory: str | None) -> str:
    if not subdirectory:
        return url
    return f"{url}{'&' if '#' in url else '#'}subdirectory={subdirectory}"


def render_source(
    source: Source, *, report: Report | None = None, subject: str | None = None, span: Span | None = None
) -> str | None:
    """The direct-reference URL of a source (``None`` for index references and conda packages)."""
    if isinstance(source, Vcs):
        url = source.url if source.url.startswith(f"{source.vcs}+") else f"{source.vcs}+{source.url}"
        if source.rev:
            url += f"@{source.rev}"
        return _with_subdirectory(url, source.subdirectory)
    if isinstance(source, Url):
        return _with_subdirectory(source.url, source.subdirectory)
    if isinstance(source, LocalPath):
        url = _path_file_url(source.path)
        if report is not None and not url.startswith("file://"):
            report.add(
                "relative-path-url",
                Severity.WARNING,
                f"PEP 508 needs an absolute file:// URL; relative path {source.path!r} written as {url!r}, "
                "which is resolved against the installer's working directory",
                subject=subject,
                span=span,
                data={"path": source.path, "url": url},
            )
        return _with_subdirectory(url, source.subdirectory)
    if isinstance(source, IndexRef | CondaPackage):
        return None
    raise TypeError(f"unknown source {source!r}")  # pragma: no cover - Source is a closed union


def render_requirement(req: Requirement, *, report: Report | None = None) -> str:
    """A PEP 508 line: ``name[extras]spec ; marker`` or ``name[extras] @ url ; marker``.

    The version goes through :func:`depglot.dialects.pep440.render` (kept as written when it is PEP 440; losses
    into ``report``); the marker text is kept exactly.
    """
    head = req.name + (f"[{','.join(req.extras)}]" if req.extras else "")
    url = render_source(req.source, report=report, subject=req.name, span=req.span) if req.source else None
    if url is not None:
        if req.version is not None and not req.version.is_any and report is not None:
            report.add(
                "url-version-dropped",
                Severity.WARNING,
                f"a PEP 508 direct reference cannot also carry a version; {req.name} {req.version.raw!r} "
                f"dropped for {url}",
                subject=req.name,
                span=req.span,
                data={"version": req.version.raw, "url": url},
            )
        line = f"{head} @ {url}" if req.name else url
        return f"{line} ; {req.marker}" if req.marker else line
    spec = pep440.render(req.version, report=report, subject=req.name, span=req.span) if req.version else ""
    line = head + spec.strip()
    return f"{line} ; {req.marker}" if req.marker else line
