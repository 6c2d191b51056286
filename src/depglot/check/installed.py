"""``check --installed``: what ``pip check`` reports, from metadata alone, plus manifest entries the environment
does not satisfy.

For each installed distribution, each ``Requires-Dist`` whose marker holds in that environment (evaluated with the
interpreter's own marker values, ``extra`` empty) must be installed (``installed-missing``) at a version its
specifier admits, pre-releases included as pip does (``installed-mismatch``). Messages use pip check's wording.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..env import Environment
from ..ir.model import Manifest, Requirement
from ..redact import redact
from ..report import Report, Severity
from ..span import Span
from .markers import evaluate

__all__ = ["check_installed", "check_manifest_against", "marker_environment"]


def marker_environment(env: Environment) -> dict[str, str]:
    """The environment's marker values: the interpreter's own answer, else this machine's with its python version."""
    if env.location.how == "interpreter":
        return dict(env.location.markers)
    from packaging.markers import default_environment

    values = {k: str(v) for k, v in default_environment().items()}
    version = env.location.python_version
    if version:
        values["python_version"] = version
        values["python_full_version"] = version + ".0"
    return values


def check_installed(env: Environment, report: Report | None = None) -> Report:
    from packaging.requirements import InvalidRequirement
    from packaging.requirements import Requirement as PkgRequirement
    from packaging.version import InvalidVersion, Version

    report = report if report is not None else Report()
    report.extend(env.problems)
    markers = marker_environment(env)
    missing: list[tuple[str, Span, str, str]] = []
    mismatched: list[tuple[str, Span, str, str, str]] = []
    for dist in env.dists:
        span = Span(file=dist.path)
        for text in dist.requires_dist:
            try:
                req = PkgRequirement(text)
            except InvalidRequirement as exc:
                report.add("installed-invalid-requirement", Severity.WARNING,
                           f"{dist.name} {dist.version} declares an invalid requirement {text!r}: {exc}",
                           subject=dist.name, span=span)
                continue
            if req.marker is not None and not evaluate(str(req.marker), markers):
                continue
            dep = env.find(req.name)
            if dep is None:
                missing.append((dist.name, span, dist.version, req.name))
                continue
            try:
                ok = req.specifier.contains(Version(dep.version), prereleases=True)
            except InvalidVersion:
                ok = not req.specifier
            if not ok:
                mismatched.append((dist.name, span, dist.version, str(req), f"{dep.name} {dep.version}"))
    for name, span, version, needed in missing:
        report.add("installed-missing", Severity.ERROR,
                   f"{name} {version} requires {needed}, which is not installed.",
                   subject=name, span=span, data={"requires": needed})
    for name, span, version, req_text, have in mismatched:
        report.add("installed-mismatch", Severity.ERROR,
                   f"{name} {version} has requirement {req_text}, but you have {have}.",
                   subject=name, span=span, data={"requirement": req_text, "installed": have})
    return report


def check_manifest_against(manifests: Iterable[Manifest], env: Environment, report: Report | None = None) -> Report:
    """Manifest entries (every group) that the environment does not satisfy."""
    from .static import admits

    report = report if report is not None else Report()
    markers = marker_environment(env)
    for manifest in manifests:
        for req in manifest.requirements():
            if not req.key or not evaluate(req.marker, markers):
                continue
            dist = env.find(req.name)
            if dist is None:
                report.add("manifest-not-installed", Severity.ERROR,
                           f"{_text(req)!r} is not installed in {env.location.prefix}", subject=req.name,
                           span=req.span, data={"package": req.key})
                continue
            if not admits(req.version, dist.version):
                report.add("manifest-version-mismatch", Severity.ERROR,
                           f"{_text(req)!r} is not satisfied: {dist.name} {dist.version} is installed",
                           subject=req.name, span=req.span, data={"package": req.key, "installed": dist.version})
    return report


def _text(req: Requirement) -> str:
    return redact(f"{req.name}{req.version.raw if req.version else ''}")
