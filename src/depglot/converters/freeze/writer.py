"""Writing ``pip freeze`` text: ``name==version`` per line, ``name @ url`` for direct references, ``-e`` for
editables (pip's ``# Editable install with no version control`` comment before a path).

With a base (existing freeze text), every line whose requirement is unchanged is kept byte for byte; changed
requirements are rewritten in place, removed ones dropped, new ones appended.
"""

from __future__ import annotations

from ...dialects import pep440
from ...dialects.pep508 import render_source
from ...ir.model import LocalPath, Manifest, Requirement, Url, Vcs
from ...report import Report, Severity
from .reader import PIP_FREEZE, kind_of, read

__all__ = ["write"]


def _installed_version(req: Requirement) -> str | None:
    for raw in req.raw:
        if raw.key == "installed-version" and isinstance(raw.value, str):
            return raw.value
    return None


def render_line(req: Requirement, report: Report | None) -> list[str]:
    """The line(s) of one requirement (comment lines first)."""
    lines = [f"# {c}" if c else "#" for c in req.comments]
    if isinstance(req.source, (LocalPath, Url, Vcs)) and req.version is not None and not req.version.is_any \
            and report is not None:  # a uv source with a version (lib>=2 from ../lib): freeze has one or the other
        report.add("url-version-dropped", Severity.WARNING,
                   f"a freeze line for a path/URL/VCS requirement cannot also carry a version; {req.name} "
                   f"{req.version.raw!r} dropped", subject=req.name, span=req.span, data={"version": req.version.raw})
    if req.editable and req.source is not None:
        if isinstance(req.source, LocalPath):
            version = _installed_version(req)
            note = f"Editable install with no version control ({req.name}=={version})" if version else None
            if note and note not in req.comments:
                lines.append(f"# {note}")
            lines.append(f"-e {req.source.path}")
            return lines
        url = render_source(req.source, report=report, subject=req.name, span=req.span)
        if url is not None:
            if isinstance(req.source, Vcs) and "egg=" not in url:
                url += f"{'&' if '#' in url else '#'}egg={req.name.replace('-', '_')}"
            lines.append(f"-e {url}")
            return lines
    if req.source is not None:
        url = render_source(req.source, report=report, subject=req.name, span=req.span)
        if url is not None:
            if not req.name:  # pip freeze lines are `name @ url`; "@ url" is no requirement at all
                if report is not None:
                    report.add(
                        "unnamed-requirement-dropped",
                        Severity.ERROR,
                        f"{url!r} has no package name; a pip freeze line needs one (name @ url), so it is left out",
                        subject=getattr(req.source, "url", None) or url,
                        span=req.span,
                    )
                return lines
            lines.append(f"{req.name} @ {url}")
            return lines
    pin = req.version.exact if req.version is not None else None
    if pin is not None:
        op = "===" if req.version is not None and req.version.pep440 and req.version.pep440.startswith("===") else "=="
        lines.append(f"{req.name}{op}{pin}")
        return lines
    spec = pep440.render(req.version, report=report, subject=req.name, span=req.span) if req.version else ""
    if report is not None:
        report.add(
            "freeze-not-pinned",
            Severity.WARNING,
            f"pip freeze lists exact versions; {req.name!r} is "
            + (f"constrained by {req.version.raw!r}" if req.version and not req.version.is_any else "unpinned")
            + ", written as it is",
            subject=req.name,
            span=req.span,
        )
    lines.append(f"{req.name}{spec.strip()}")
    return lines


def write(manifest: Manifest, *, base: str | None, report: Report) -> str:
    reqs = list(manifest.requirements())
    if base is not None and kind_of(base) == PIP_FREEZE:
        return _edit(base, manifest, reqs, report)
    if base is not None and _unchanged(base, reqs):
        return base  # a JSON or conda listing that still says the same: kept as it is
    out = [f"# {c}" if c else "#" for c in manifest.comments]
    for req in reqs:
        out.extend(render_line(req, report))
    return "\n".join(out) + "\n" if out else ""


def _edit(base: str, manifest: Manifest, reqs: list[Requirement], report: Report) -> str:
    old = read(base, None)
    old_reqs = {r.key: r for r in old.requirements()}
    new_by_key = {r.key: r for r in reqs}
    if old.requirements() == tuple(r.replace(span=None) for r in reqs) or (
        [(_key_render(r)) for r in old.requirements()] == [_key_render(r) for r in reqs]
    ):
        return base
    bom = "\ufeff" if base.startswith("\ufeff") else ""
    body = base[len(bom) :]
    newline = "\r\n" if "\r\n" in body else "\n"
    lines = body.splitlines(keepends=True)
    by_line = {r.span.line: r for r in old.requirements() if r.span is not None and r.span.line is not None}
    out: list[str] = []
    done: set[str] = set()
    for number, line in enumerate(lines, start=1):
        req = by_line.get(number)
        if req is None:
            out.append(line)
            continue
        new = new_by_key.get(req.key)
        if new is None:
            continue
        done.add(req.key)
        if _key_render(new) == _key_render(old_reqs[req.key]):
            out.append(line)
            continue
        ending = line[len(line.rstrip("\r\n")) :] or newline
        out.extend(text + ending for text in render_line(new.replace(comments=()), report))
    added = [r for r in reqs if r.key not in done]
    if added and out and not out[-1].endswith(("\n", "\r")):
        out[-1] += newline
    for req in added:
        out.extend(text + newline for text in render_line(req, report))
    return bom + "".join(out)


def _key_render(req: Requirement) -> tuple[str, ...]:
    return tuple(render_line(req.replace(comments=()), None))


def _unchanged(base: str, reqs: list[Requirement]) -> bool:
    """Whether ``base`` (any listing) reads to the same requirements, as the writer sees them (PyPI-only)."""
    from ...errors import DepglotError
    from ...ir.ecosystem import to_pypi

    try:
        old = to_pypi(read(base, None), Report())
    except DepglotError:
        return False
    return [_key_render(r) for r in old.requirements()] == [_key_render(r) for r in reqs]
