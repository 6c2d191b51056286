"""Rendering single requirements-file lines from the IR (shared by fresh and base-mode writing).

Conventions, as pip-compile and uv write them: ``name[extras]spec ; marker``; hashes as ``    --hash=...``
continuation lines; ``-e`` VCS requirements in pip's ``#egg=`` form; local paths as paths (pip's own syntax,
relative paths stay relative to the file); per-line options after the requirement.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import replace

from ...dialects import pep508
from ...ir.model import Index, IndexRole, LocalPath, Requirement, Url, Vcs
from ...report import Report, Severity
from .options import REQUIREMENT_OPTIONS, STRONG_HASHES
from .reader import FORMAT, LEADING_COMMENTS
from .urls import looks_like_path

__all__ = ["comment_line", "leading_count", "option_flag", "quote", "requirement_lines"]

_EGG_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_SAFE = re.compile(r"^[\w@%+=:,./${}\[\]<>!~*-]+$")


def quote(value: str) -> str:
    """A shell word pip's ``shlex.split`` gives back as ``value``."""
    return value if _SAFE.match(value) else shlex.quote(value)


def comment_line(text: str) -> str:
    return f"# {text}" if text else "#"


def leading_count(req: Requirement) -> int:
    for raw in req.raw:
        if raw.format == FORMAT and raw.key == LEADING_COMMENTS and isinstance(raw.value, int):
            return max(0, min(raw.value, len(req.comments)))
    return 0


def option_flag(index: Index) -> str:
    if index.role is IndexRole.DEFAULT:
        return "--index-url"
    if index.role is IndexRole.FIND_LINKS:
        return "--find-links"
    return "--extra-index-url"


def _path_text(req: Requirement, source: LocalPath, report: Report) -> str:
    path = source.path
    if source.subdirectory:
        path = posixpath.join(path, source.subdirectory)
    if not looks_like_path(path) and not re.match(r"^[A-Za-z]:", path):
        path = "./" + path
    if req.name:
        report.add(
            "requirements-path-name-dropped",
            Severity.INFO,
            f"{req.name!r} is written as its path {path!r}; pip reads the name from the project itself",
            subject=req.name,
            span=req.span,
            data={"path": path},
        )
    if req.version is not None and not req.version.is_any:
        report.add(
            "url-version-dropped",
            Severity.WARNING,
            f"a path requirement cannot also carry a version; {req.name} {req.version.raw!r} dropped for {path}",
            subject=req.name,
            span=req.span,
            data={"version": req.version.raw, "path": path},
        )
    text = path + (f"[{','.join(req.extras)}]" if req.extras else "")
    return f"{text} ; {req.marker}" if req.marker else text


def _body(req: Requirement, report: Report) -> tuple[str, bool]:
    """(requirement text, editable) for one requirement."""
    source = req.source
    editable = req.editable
    if isinstance(source, LocalPath):
        absolute = source.path.startswith("/") or re.match(r"^[A-Za-z]:[/\\]", source.path) is not None
        if req.name and absolute:  # name @ file:///abs says it exactly (one quoted word after -e)
            text = pep508.render_requirement(req, report=report)
            return (quote(text) if editable else text), editable
        return _path_text(req, source, report), editable
    if (
        editable
        and isinstance(source, Vcs)
        and not req.extras
        and not req.marker
        and _EGG_NAME.match(req.name)
    ):
        url = pep508.render_source(replace(source, subdirectory=None)) or ""
        fragment = f"egg={req.name}" + (f"&subdirectory={source.subdirectory}" if source.subdirectory else "")
        return f"{url}#{fragment}", True
    if (
        editable
        and not isinstance(source, Vcs)
        and not (isinstance(source, Url) and source.url.startswith("file:"))
    ):
        report.add(
            "editable-dropped",
            Severity.WARNING,
            f"{req.name!r} is installed editable; pip can only install a local path or a VCS URL editable",
            subject=req.name,
            span=req.span,
        )
        editable = False
    text = pep508.render_requirement(req, report=report)
    # pip shell-splits what follows -e: a "name @ url ; marker" value must be one quoted word
    return (quote(text) if editable else text), editable


def requirement_lines(req: Requirement, report: Report, *, comments: bool = True) -> list[str]:
    """The physical lines (without line endings) of one requirement, comments included when asked."""
    text, editable = _body(req, report)
    line = ("-e " if editable else "") + text
    for name, value in req.options:
        if name not in REQUIREMENT_OPTIONS - {"hash"} or (editable and name != "config-settings"):
            report.add(
                "requirement-options-dropped",
                Severity.WARNING,
                f"{req.name!r} has the option {name}={value!r}, which a requirements file cannot say",
                subject=req.name,
                span=req.span,
            )
            continue
        line += f" --{name}={quote(value)}"
    hashes = [h for h in req.hashes if h.partition(":")[0] in STRONG_HASHES]
    if len(hashes) != len(req.hashes):
        weak = [h.partition(":")[0] for h in req.hashes if h.partition(":")[0] not in STRONG_HASHES]
        report.add(
            "hashes-dropped",
            Severity.WARNING,
            f"{req.name!r} has {', '.join(sorted(set(weak)))} hashes; pip accepts only {', '.join(STRONG_HASHES)}",
            subject=req.name,
            span=req.span,
        )
    if editable and hashes:
        report.add(
            "hashes-dropped",
            Severity.WARNING,
            f"{req.name!r} is editable; pip ignores --hash on an editable requirement",
            subject=req.name,
            span=req.span,
        )
        hashes = []
    lines = [line]
    if hashes:
        lines[0] += " \\"
        lines += [f"    --hash={h} \\" for h in hashes[:-1]] + [f"    --hash={hashes[-1]}"]
    if not comments or not req.comments:
        return lines
    lead = leading_count(req)
    before = [comment_line(t) for c in req.comments[:lead] for t in (c.splitlines() or [""])]
    after = [t for c in req.comments[lead:] for t in (c.splitlines() or [""])]
    if after and not hashes and not after[0].endswith("\\"):  # a trailing "\\" would continue the line
        lines[-1] += f"  {comment_line(after[0])}"
        after = after[1:]
    return before + lines + [f"    {comment_line(t)}" for t in after]
