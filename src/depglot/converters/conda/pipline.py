"""The ``pip:`` sub-list: each entry is a requirements-file line (conda hands the list to ``pip install -r``).

A line is either options (``-r other.txt``, ``--index-url URL``, ``--pre``, several on one line), an editable
(``-e .``, ``-e git+URL#egg=name``), a bare URL or path (``git+https://...@main``, ``./pkg``), or a PEP 508
requirement with optional per-line ``--hash`` options. This is a small line reader of its own: converters do not
import each other, and conda's pip list is a narrow, one-line-per-entry subset of pip's format.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

from ...dialects import pep508
from ...errors import ParseError
from ...ir.model import Index, IndexRole, LocalPath, Option, Requirement, Url, Vcs
from ...span import Span

__all__ = ["PipPart", "editable_marker_unsayable", "parse_pip_line", "render_parts", "render_pip_requirement"]

_VALUE_OPTIONS = {
    "-r": "requirement",
    "--requirement": "requirement",
    "-c": "constraint",
    "--constraint": "constraint",
    "-i": "index-url",
    "--index-url": "index-url",
    "--extra-index-url": "extra-index-url",
    "-f": "find-links",
    "--find-links": "find-links",
    "--trusted-host": "trusted-host",
    "--only-binary": "only-binary",
    "--no-binary": "no-binary",
    "--use-feature": "use-feature",
    "-e": "editable",
    "--editable": "editable",
}
_FLAG_OPTIONS = {
    "--pre": "pre",
    "--no-index": "no-index",
    "--prefer-binary": "prefer-binary",
    "--require-hashes": "require-hashes",
}
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://|^[A-Za-z][A-Za-z0-9.-]*\+[A-Za-z]+:")
_EGG = re.compile(r"[#&]egg=([^&]+)")


@dataclass(frozen=True, slots=True)
class PipPart:
    """One IR fact a pip line states: ("index", role, url) / ("include", kind, path) / ("flag", name) /
    ("option", name, value) / ("requirement", Requirement)."""

    kind: str
    value: tuple[object, ...]

    def key(self) -> tuple[object, ...]:
        if self.kind == "requirement":
            req = self.value[0]
            assert isinstance(req, Requirement)
            return ("requirement", req.key or _source_text(req))
        return (self.kind, *self.value)


def _source_text(req: Requirement) -> str:
    src = req.source
    if isinstance(src, LocalPath):
        return src.path
    if isinstance(src, Vcs | Url):
        return pep508.render_source(src) or ""
    return ""


def _error(message: str, line: str, span: Span | None, hint: str | None = None) -> ParseError:
    return ParseError(message, span=span, source_line=None, width=max(1, len(line)), dialect="pip", hint=hint)


def _is_path(text: str) -> bool:
    return (
        text.startswith((".", "/", "~", "\\"))
        or bool(re.match(r"^[A-Za-z]:[\\/]", text))
        or (("/" in text or "\\" in text) and "@" not in text and not _SCHEME.match(text))
    )


def _direct(text: str, span: Span | None, *, editable: bool) -> Requirement:
    """A requirement given as a URL or path (pip's ``-e``/bare URL form); name from ``#egg=`` when present."""
    marker = None
    if " ;" in text:
        text, _, marker_text = text.partition(" ;")
        text = text.strip()
        marker = marker_text.strip() or None
    if _is_path(text) and not text.lower().startswith("file:"):
        m = _EGG.search(text)
        path = text.split("#", 1)[0] if "#" in text else text
        extras: tuple[str, ...] = ()
        bracket = re.match(r"^(.+)\[([^\]]+)\]$", path)  # pip's `-e .[dev]`: extras after the path
        if bracket:
            path, extras = (
                bracket.group(1),
                tuple(e.strip() for e in bracket.group(2).split(",") if e.strip()),
            )
        return Requirement(
            name=m.group(1) if m else "",
            source=LocalPath(path=path),
            extras=extras,
            editable=editable,
            marker=marker,
            span=span,
        )
    if _SCHEME.match(text):
        m = _EGG.search(text)
        name = m.group(1) if m else ""
        if "[" in name:  # egg=name[extra]
            name = name.split("[", 1)[0]
        return Requirement(
            name=name, source=pep508.parse_url(text), editable=editable, marker=marker, span=span
        )
    req = pep508.parse_requirement(text if marker is None else f"{text} ; {marker}", span=span)
    return req.replace(editable=editable) if editable else req


def parse_pip_line(line: str, span: Span | None) -> list[PipPart]:
    """The IR facts of one pip-list entry, in order (options first when a line mixes them)."""
    text = line.strip()
    if not text:
        raise _error("an empty pip entry", line, span)
    if not text.startswith("-"):
        words = re.split(r"(\s+)", text)
        cut = len(text)
        pos = 0
        for w in words:
            if w.startswith("--") and pos > 0 and text[pos - 1].isspace():
                cut = pos
                break
            pos += len(w)
        head, tail = text[:cut].strip(), text[cut:].strip()
        req = _direct(head, span, editable=False) if (_SCHEME.match(head) or _is_path(head)) else None
        if req is None:
            req = pep508.parse_requirement(head, span=span)
        hashes: list[str] = []
        options: list[tuple[str, str]] = []
        if tail:
            for tok in _split(tail, line, span):
                name, eq, value = tok.partition("=")
                if name == "--hash" and eq:
                    hashes.append(value)
                elif name in ("--config-settings", "--global-option", "--install-option") and eq:
                    options.append((name[2:], value))
                else:
                    raise _error(f"unknown per-requirement option {tok!r} in the pip list", line, span)
        if hashes or options:
            req = req.replace(hashes=tuple(hashes), options=tuple(options))
        return [PipPart("requirement", (req,))]
    tokens = _split(text, line, span)
    parts: list[PipPart] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        name, eq, inline = tok.partition("=") if tok.startswith("--") else (tok, "", "")
        if name in _FLAG_OPTIONS and not eq:
            parts.append(PipPart("flag", (_FLAG_OPTIONS[name],)))
            i += 1
            continue
        key = _VALUE_OPTIONS.get(name)
        if key is None and tok[:2] in _VALUE_OPTIONS and not tok.startswith("--"):  # -rfile / -e.
            key, inline, eq = _VALUE_OPTIONS[tok[:2]], tok[2:], "="
        if key is None:
            raise _error(
                f"unknown pip option {tok!r} in the pip list", line, span, hint="see `pip install --help`"
            )
        if eq:
            value = inline
            i += 1
        else:
            if i + 1 >= len(tokens):
                raise _error(f"pip option {tok!r} needs a value", line, span)
            value = tokens[i + 1]
            i += 2
        if key == "editable":
            rest = " ".join(tokens[i:])
            target = value if not rest else f"{value} {rest}"
            if rest.startswith(
                ";"
            ):  # `-e URL ; marker`: keep the marker as written (shlex dropped its quotes)
                target = f"{value} ; {_marker_after(text, value)}"
            parts.append(PipPart("requirement", (_direct(target, span, editable=True),)))
            break
        if key in ("requirement", "constraint"):
            parts.append(PipPart("include", (key, value)))
        elif key == "index-url":
            parts.append(PipPart("index", (IndexRole.DEFAULT.value, value)))
        elif key == "extra-index-url":
            parts.append(PipPart("index", (IndexRole.EXTRA.value, value)))
        elif key == "find-links":
            parts.append(PipPart("index", (IndexRole.FIND_LINKS.value, value)))
        else:
            parts.append(PipPart("option", (key, value)))
    return parts


def _marker_after(text: str, value: str) -> str:
    """The raw text after the first ``;`` that follows ``value`` in ``text`` (quotes kept)."""
    at = text.find(value)
    at = text.find(";", at + len(value) if at != -1 else 0)
    return text[at + 1 :].strip()


def _split(text: str, line: str, span: Span | None) -> list[str]:
    try:
        return shlex.split(text, comments=False, posix=True)
    except ValueError as exc:
        raise _error(f"cannot split the pip entry: {exc}", line, span) from None


def index_of(part: PipPart, span: Span | None) -> Index:
    role, url = part.value
    return Index(name=None, url=str(url), role=IndexRole(str(role)), span=span)


def option_of(part: PipPart, span: Span | None) -> Option:
    name, value = part.value
    return Option(name=str(name), value=str(value), span=span)


_ROLE_FLAG = {
    IndexRole.DEFAULT.value: "--index-url",
    IndexRole.EXTRA.value: "--extra-index-url",
    IndexRole.PRIMARY.value: "--extra-index-url",
    IndexRole.SUPPLEMENTAL.value: "--extra-index-url",
    IndexRole.EXPLICIT.value: "--extra-index-url",
    IndexRole.FIND_LINKS.value: "--find-links",
}


def render_parts(parts: list[PipPart]) -> str:
    """One pip line stating option parts (``--pre --index-url URL``)."""
    out = []
    for part in parts:
        if part.kind == "flag":
            out.append(f"--{part.value[0]}")
        elif part.kind == "include":
            out.append(
                f"{'-r' if part.value[0] == 'requirement' else '-c'} {shlex.quote(str(part.value[1]))}"
            )
        elif part.kind == "index":
            out.append(f"{_ROLE_FLAG[str(part.value[0])]} {shlex.quote(str(part.value[1]))}")
        elif part.kind == "option":
            out.append(f"--{part.value[0]} {shlex.quote(str(part.value[1]))}")
    return " ".join(out)


def _editable_marker_line(req: Requirement) -> str | None:
    """``-e 'name[extras] @ URL ; marker'`` for a named editable VCS/URL requirement, else ``None``."""
    from packaging.markers import Marker

    if not req.name or not isinstance(req.source, Vcs | Url):
        return None
    marker = str(Marker(req.marker or ""))  # double quotes inside, so the shell quoting stays readable
    text = pep508.render_requirement(req.replace(editable=False, marker=marker, hashes=(), options=()))
    return f"-e {shlex.quote(text)}"


def editable_marker_unsayable(req: Requirement) -> bool:
    """An editable requirement with a marker that no pip line can say (a path, or a URL without a name)."""
    return bool(req.editable and req.marker) and _editable_marker_line(req) is None


def render_pip_requirement(req: Requirement) -> str:
    """A requirement as a pip line: PEP 508, ``-e target``, a bare URL/path, plus ``--hash`` options."""
    src = req.source
    if editable_marker_unsayable(
        req
    ):  # keep the marker (whether it installs), not -e (how): the writer reports it
        req = req.replace(editable=False)
    direct = isinstance(src, Vcs | Url | LocalPath)
    if req.editable or isinstance(src, LocalPath) or (direct and not req.name):
        if isinstance(src, LocalPath):
            target = src.path + (f"[{','.join(req.extras)}]" if req.extras else "")  # pip: `-e .[dev]`
        else:
            target = (pep508.render_source(src) if src is not None else None) or req.name
            if req.name and isinstance(src, Vcs | Url) and "egg=" not in target:
                extras = f"[{','.join(req.extras)}]" if req.extras else ""
                target += f"{'&' if '#' in target else '#'}egg={req.name}{extras}"
        line = f"-e {target}" if req.editable else target
        if req.marker and req.editable:
            # pip ignores a marker after `-e URL`; it honours one only in the quoted PEP 508 form
            # `-e 'name @ URL ; marker'` (a name and a URL: other editables with markers were made plain above)
            line = _editable_marker_line(req) or line
        elif req.marker:
            line += f" ; {req.marker}"
    else:
        line = pep508.render_requirement(req.replace(hashes=(), options=()))
    for h in req.hashes:
        line += f" --hash={h}"
    for name, value in req.options:
        line += f" --{name}={value}"
    return line
