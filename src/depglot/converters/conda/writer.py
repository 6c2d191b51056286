"""Manifest -> environment.yml: a fresh document (:mod:`.render`) or line splices into the base (:mod:`.splice`).

Placement and spelling of every entry is decided once (:mod:`.plan`) for both modes.
"""

from __future__ import annotations

from ...data.conda_names import NameMap
from ...errors import DepglotError
from ...ir.model import Manifest, Requirement, canonical_name
from ...report import Report, Severity
from .plan import Plan, make_plan
from .reader import FORMAT, read_environment
from .render import fresh_document
from .splice import splice_document

__all__ = ["write_environment"]


def write_environment(
    manifest: Manifest, *, base: str | None, report: Report, names: NameMap, path: str | None
) -> str:
    plan = make_plan(manifest, report, names)
    if manifest.format != FORMAT:  # an environment file's own pip: list is written as it stands
        _place_constraints(manifest, plan, report)
    if base is None:
        if not manifest.channels and manifest.format != FORMAT and plan.conda:
            report.add(
                "conda-channel-added",
                Severity.WARNING,
                "channel 'conda-forge' is added: the source names no channel, and the conda package names written "
                "are conda-forge's",
                subject="conda-forge",
                span=manifest.span,
                data={"channel": "conda-forge"},
            )
        return fresh_document(manifest, plan)
    base_manifest, layout = read_environment(base, path, names, any_path=True)
    return splice_document(manifest, plan, base_manifest, layout)


def _unkept(lines: tuple[str, ...], conda: dict[str, Requirement], *, pip_left: bool) -> list[str]:
    """The constraint lines whose narrowing the written environment does not keep. conda reads no pip
    constraint: a line naming a requirement written as a conda package holds only if that requirement's own
    versions are already inside the constraint's. A line for any other package (a dependency of a requirement)
    still narrows pip's resolution while pip: requirements remain, and nothing once none do."""
    from ...dialects import pep508

    out = []
    for line in lines:
        try:
            constraint = pep508.parse_requirement(line)
        except DepglotError:
            out.append(line)
            continue
        req = conda.get(canonical_name(constraint.name)) if constraint.name else None
        if req is None:
            if not pip_left:
                out.append(line)
            continue
        within = (constraint.source is None and constraint.version is not None and req.version is not None
                  and req.version.versions.intersection(constraint.version.versions) == req.version.versions)
        if not within and not (constraint.source is None and (constraint.version is None or constraint.version.is_any)):
            out.append(line)
    return out


def _place_constraints(manifest: Manifest, plan: Plan, report: Report) -> None:
    """A ``-c constraints.txt`` reference goes into the pip: list, where only pip reads it: it stays there while
    pip: requirements remain, and is not written when every requirement became a conda package (a pip: list of
    only ``-c`` installs nothing, and pip refuses it). Constraint lines the environment no longer keeps are
    reported (``constraints-dropped``; an unfollowed ``-c`` with nothing left to constrain: ``include-dropped``)."""
    followed = {r.key.removeprefix("constraints:"): r.value for r in manifest.raw
                if r.format == "requirements" and r.key.startswith("constraints:") and isinstance(r.value, tuple)}
    conda = {canonical_name(e.token.name): e.token for e in plan.conda
             if isinstance(e.token, Requirement) and e.token.name}
    pip_left = bool(plan.pip)
    for part in list(plan.pip_options):
        if part.kind != "include" or part.value[0] != "constraint":
            continue
        path = str(part.value[1])
        if not pip_left:
            plan.pip_options.remove(part)
        if path not in followed:
            if not pip_left:
                report.add("include-dropped", Severity.ERROR,
                           f"-c {path} is not written: every requirement became a conda package, and conda reads "
                           "no pip constraints (a pip: list of only -c installs nothing)",
                           subject=f"constraint {path}", span=manifest.span, data={"path": path})
            continue
        lines = _unkept(followed[path], conda, pip_left=pip_left)
        if pip_left and not lines:
            continue
        where = ("stays in the pip: list, where only pip reads it" if pip_left
                 else "is not written: every requirement became a conda package")
        what = (f"conda does not apply {', '.join(map(repr, lines))} to what it installs" if lines
                else "the conda pins already meet every line of it")
        report.add("constraints-dropped", Severity.ERROR if lines else Severity.WARNING,
                   f"-c {path} {where}; {what}",
                   subject=f"constraint {path}", span=manifest.span, data={"path": path, "lines": lines})
