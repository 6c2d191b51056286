"""Manifest -> environment.yml: a fresh document (:mod:`.render`) or line splices into the base (:mod:`.splice`).

Placement and spelling of every entry is decided once (:mod:`.plan`) for both modes.
"""

from __future__ import annotations

from ...data.conda_names import NameMap
from ...ir.model import Manifest
from ...report import Report, Severity
from .plan import make_plan
from .reader import FORMAT, read_environment
from .render import fresh_document
from .splice import splice_document

__all__ = ["write_environment"]


def write_environment(
    manifest: Manifest, *, base: str | None, report: Report, names: NameMap, path: str | None
) -> str:
    plan = make_plan(manifest, report, names)
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
