"""Where each requirement goes in an environment file, and the text it gets.

Conda packages (a :class:`CondaPackage` source) keep their MatchSpec as written while it still means the IR's
version set, else get one rendered by :mod:`depglot.dialects.conda`. A PyPI requirement becomes a conda MatchSpec
when the name map knows its conda-forge package and conda can say its version set exactly; anything else (VCS, URL,
path, editable, markers, extras, hashes, names without a conda package) goes into the ``pip:`` list. pip entries read
from an environment file keep their line as written while it still means the same requirement.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...data.conda_names import NameMap
from ...ir.model import (
    CondaPackage,
    IndexRef,
    IndexRole,
    LocalPath,
    Manifest,
    Raw,
    Requirement,
    Url,
    Vcs,
    canonical_name,
)
from ...ir.versions import VersionSpec
from ...report import Report, Severity
from . import selectors
from .pipline import PipPart, editable_marker_unsayable, parse_pip_line, render_pip_requirement
from .reader import FORMAT

__all__ = ["Entry", "Plan", "make_plan", "raw_value", "strip_requirement"]


@dataclass(slots=True)
class Entry:
    key: tuple[Any, ...]
    text: str  # the MatchSpec / pip line
    token: Any  # span-free IR, compared with the base entry's
    selector: tuple[str, str] | None = None
    parts: list[PipPart] = field(default_factory=list)


@dataclass(slots=True)
class Plan:
    python: str | None
    python_token: Any
    conda: list[Entry]
    pip: list[Entry]  # requirements
    pip_options: list[PipPart]


# ------------------------------------------------------------------------------------------------ comparisons


def strip_requirement(req: Requirement) -> Requirement:
    raws = tuple(Raw(format=r.format, key=r.key, value=r.value) for r in req.raw)
    return req.replace(span=None, raw=raws)


def _same_version(a: VersionSpec | None, b: VersionSpec | None) -> bool:
    if a is None or b is None:
        return (a is None or a.is_any) and (b is None or b.is_any)
    return a.same_as(b)


def raw_value(req: Requirement, key: str) -> Any:
    return next((r.value for r in req.raw if r.format == FORMAT and r.key == key), None)


_FUZZY = re.compile(r"^([0-9][0-9A-Za-z_.!+]*?)\.\*$")


def _join(head: str, version: str) -> str:
    """``name`` + version in environment-file style: a lone ``1.2.*`` is written ``name=1.2`` (the same set)."""
    if not version:
        return head
    m = _FUZZY.match(version)
    if m is not None:
        return f"{head}={m.group(1)}"
    return head + version if version[0] in "=<>!~" else f"{head} {version}"


# ------------------------------------------------------------------------------------------------ planning


def _conda_text(req: Requirement, report: Report) -> str:
    from ...dialects.conda import parse_matchspec, render_version

    src = req.source
    assert isinstance(src, CondaPackage)
    try:
        ms = parse_matchspec(src.spec)
    except Exception:  # noqa: BLE001 - a spec edited into something unparsable is re-rendered below
        ms = None
    if (
        ms is not None
        and ms.name.lower() == src.name.lower()
        and ms.channel == src.channel
        and ms.build == src.build
        and _same_version(ms.version, req.version)
    ):
        return src.spec
    head = f"{src.channel}::{src.name}" if src.channel else src.name
    version = ""
    if req.version is not None and not req.version.is_any:
        version = render_version(req.version, report=report, subject=src.name, span=req.span)
    if src.build and ms is not None and ms.build == src.build and not _same_version(ms.version, req.version):
        # a build string names a build of one version: kept beside a new version set it would still pin that build
        report.add(
            "conda-build-dropped",
            Severity.INFO,
            f"the build {src.build!r} of {src.spec!r} is not kept: it names a build of the old version, and the "
            f"version set changed to {version or 'any'!s}",
            subject=src.name,
            span=req.span,
            data={"build": src.build, "spec": src.spec},
        )
        return _join(head, version)
    if src.build:
        return f"{head} {version or '*'} {src.build}"
    return _join(head, version)


def _python_text(manifest: Manifest, report: Report) -> str | None:
    from ...dialects.conda import parse_matchspec, render_version

    if manifest.python is None:
        return None
    raw = next((r.value for r in manifest.raw if r.format == FORMAT and r.key == "python"), None)
    if isinstance(raw, str):
        ms = parse_matchspec(raw)
        if _same_version(ms.version, manifest.python):
            return raw
    if manifest.python.is_any:
        return "python"
    return _join(
        "python", render_version(manifest.python, report=report, subject="python", span=manifest.span)
    )


def _pip_line(req: Requirement) -> str:
    line = raw_value(req, "pip")
    if isinstance(line, str):
        try:
            parts = parse_pip_line(line, None)
        except Exception:  # noqa: BLE001 - a raw line that no longer parses is re-rendered
            parts = []
        if len(parts) == 1 and parts[0].kind == "requirement":
            again = parts[0].value[0]
            assert isinstance(again, Requirement)
            sel = selectors.decode(raw_value(req, "selector"))
            marker = again.marker
            if sel:
                from ...dialects.markers import and_markers

                marker = and_markers(marker, selectors.selector_marker(sel[1]))
            again = again.replace(marker=marker, raw=req.raw)
            if strip_requirement(again) == strip_requirement(req):
                return line
    sel = selectors.decode(raw_value(req, "selector"))
    if sel and req.marker:
        sel_marker = selectors.selector_marker(sel[1])
        if sel_marker and req.marker.endswith(sel_marker):
            base_marker = req.marker[: -len(sel_marker)].rstrip()
            if base_marker.endswith(" and"):
                base_marker = base_marker[:-4].strip()
                if base_marker.startswith("(") and base_marker.endswith(")"):
                    base_marker = base_marker[1:-1]
            return render_pip_requirement(req.replace(marker=base_marker or None))
    return render_pip_requirement(req)


def _pip_selector(req: Requirement) -> tuple[str, str] | None:
    sel = selectors.decode(raw_value(req, "selector"))
    return sel if sel and isinstance(raw_value(req, "pip"), str) else None


def _to_conda(req: Requirement, names: NameMap, report: Report) -> tuple[str, str] | None:
    """(conda name, MatchSpec) for a PyPI requirement conda can hold exactly, else None (-> pip list)."""
    from ...dialects.conda import render_version

    why = None
    conda_name = names.pypi_to_conda(req.name) if req.name else None
    if isinstance(req.source, IndexRef):
        why = f"it names the index {req.source.name!r}"
    elif req.editable or req.source is not None:
        why = "a direct reference or editable install"
    elif req.marker:
        why = "an environment marker conda cannot express"
    elif req.extras:
        why = "extras (conda packages have none)"
    elif req.hashes or req.options:
        why = "pip options or hashes"
    elif conda_name is None:
        why = "no conda package known for it in the name map"
    else:
        back, verified = names.conda_to_pypi(conda_name)
        # (an unverified answer is only the identity guess: a user's one-way `pypi = conda >` row still applies)
        if back is None or (verified and canonical_name(back) != req.key):
            # n:1 in the map (opencv <- opencv-python and opencv-python-headless): the conda package would read back
            # as another PyPI project, so this one stays what it is
            why = f"the conda package {conda_name!r} " + (
                f"is the PyPI project {back!r}" if back is not None else "has no PyPI counterpart"
            )
    version = ""
    if why is None and req.version is not None and not req.version.is_any:
        scratch = Report()
        version = render_version(req.version, report=scratch, subject=req.name, span=req.span)
        if any(loss.severity >= Severity.WARNING for loss in scratch):
            why = f"conda cannot say {req.version.raw!r} exactly"
        else:
            report.extend(scratch)
    if why is not None:
        report.add(
            "conda-kept-on-pip",
            Severity.INFO,
            f"{req.name or repr(_pip_line(req))} stays in the pip: list ({why})",
            subject=req.name or None,
            span=req.span,
            data={"reason": why},
        )
        return None
    assert conda_name is not None
    if conda_name != req.key:
        report.add(
            "pypi-as-conda-package",
            Severity.INFO,
            f"PyPI project {req.name!r} written as the conda package {conda_name!r}",
            subject=req.name,
            span=req.span,
            data={"pypi": req.name, "conda": conda_name},
        )
    return conda_name, _join(conda_name, version)


def _pip_losses(req: Requirement, report: Report) -> None:
    """What a pip line written fresh cannot say (a line kept as written says what it said)."""
    src = req.source
    if editable_marker_unsayable(req):
        report.add(
            "conda-pip-editable-dropped",
            Severity.WARNING,
            f"{req.name or _where(req)!r} is written as a plain (not editable) install: pip ignores a marker after "
            "`-e PATH`, and the marker decides whether it is installed at all",
            subject=req.name or _where(req),
            span=req.span,
            data={"marker": req.marker or ""},
        )
    if isinstance(src, LocalPath | Vcs | Url) and req.version is not None and not req.version.is_any:
        report.add(
            "url-version-dropped",
            Severity.WARNING,
            f"a pip line with a path or URL cannot also carry a version; {req.name or _where(req)} "
            f"{req.version.raw!r} dropped for {_where(req)}",
            subject=req.name or _where(req),
            span=req.span,
            data={"version": req.version.raw, "url": _where(req)},
        )
    if isinstance(src, LocalPath) and req.name:
        report.add(
            "conda-path-name-dropped",
            Severity.INFO,
            f"{req.name!r} is written as its path {src.path!r}: a pip line cannot name a local path; pip reads the "
            "name from the project itself",
            subject=req.name,
            span=req.span,
            data={"path": src.path},
        )


def _where(req: Requirement) -> str:
    src = req.source
    if isinstance(src, LocalPath):
        return src.path
    if isinstance(src, Vcs | Url):
        return src.url
    return "requirement"


def make_plan(manifest: Manifest, report: Report, names: NameMap) -> Plan:
    conda: list[Entry] = []
    pip: list[Entry] = []
    # an environment file has one dependency list: a requirement that several flattened groups or extras repeat
    # is written once (an environment file's own repeated lines are kept, so its base round-trips)
    seen: set[str] = set()
    for group in manifest.groups:
        for req in group.requirements:
            if manifest.format != FORMAT:
                same = repr(strip_requirement(req))
                if same in seen:
                    continue
                seen.add(same)
            src = req.source
            if isinstance(src, CondaPackage):
                sel = selectors.decode(raw_value(req, "selector"))
                if req.marker and not sel:
                    expr = selectors.marker_selector(req.marker)
                    if expr is not None:
                        sel = ("comment", expr)
                    else:
                        report.add(
                            "conda-marker-dropped",
                            Severity.ERROR,
                            f"conda package {src.name!r} has the marker {req.marker!r}, which no conda selector says",
                            subject=src.name,
                            span=req.span,
                            data={"marker": req.marker},
                        )
                text = _conda_text(req, report)
                token = strip_requirement(req)
                conda.append(
                    Entry(
                        ("conda", src.name.lower(), sel if sel else None),
                        text,
                        token,
                        sel if sel else None,
                    )
                )
                continue
            if raw_value(req, "pip") is None:
                mapped = _to_conda(req, names, report)
                if mapped is not None:
                    conda_name, text = mapped
                    new = req.replace(source=CondaPackage(name=conda_name, spec=text, pypi=True))
                    conda.append(Entry(("conda", conda_name, None), text, strip_requirement(new)))
                    continue
            text = _pip_line(req)
            if text != raw_value(req, "pip"):
                _pip_losses(req, report)
            pip.append(
                Entry(("requirement", req.key or text), text, strip_requirement(req), _pip_selector(req))
            )
    options: list[PipPart] = []
    if manifest.allow_prereleases:
        options.append(PipPart("flag", ("pre",)))
    if manifest.no_index:
        options.append(PipPart("flag", ("no-index",)))
    for index in manifest.indexes:
        role = (
            index.role.value
            if index.role in (IndexRole.DEFAULT, IndexRole.FIND_LINKS)
            else IndexRole.EXTRA.value
        )
        if index.role in (IndexRole.SUPPLEMENTAL, IndexRole.EXPLICIT):
            report.add(
                "conda-index-role-widened",
                Severity.WARNING,
                f"{index.role.value} index {index.name or index.url!r} written as --extra-index-url in the pip: list, "
                "which pip searches for every package",
                subject=index.name or index.url,
                span=index.span,
                data={"role": index.role.value, "url": index.url},
            )
        options.append(PipPart("index", (role, index.url)))
    for kind_, path in manifest.includes:
        options.append(PipPart("include", (kind_, path)))
    for option in manifest.options:
        if option.value is None:
            options.append(PipPart("flag", (option.name,)))
        else:
            options.append(PipPart("option", (option.name, option.value)))
    if pip and manifest.format != FORMAT and not any(e.key[1] == "pip" for e in conda):
        report.add(
            "conda-pip-added",
            Severity.WARNING,
            "the conda package 'pip' is added to dependencies: conda installs the pip: list only with it",
            subject="pip",
            span=manifest.span,
        )
        conda.append(Entry(("conda", "pip", None), "pip", None))
    return Plan(_python_text(manifest, report), manifest.python, conda, pip, options)
