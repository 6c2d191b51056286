"""Any version set spelled the conda way: exact where conda's ordering allows, with a loss where it does not.

See :mod:`depglot.dialects.conda` for the mapping table and what conda orders differently.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from ...ir.versions import VersionSpec, _clause_order
from ...report import Report, Severity
from ...span import Span
from .. import _intervals as fast
from .. import pep440
from .._common import admits_all, cached_render, interval_text, mergeable, report_respelled, spans_of
from .versions import DIALECT, fewer_components

if TYPE_CHECKING:
    from packaging.ranges import VersionRange

__all__ = ["render_version"]

_NOTE_PRE = "conda orders pre/dev releases differently"


_CLAUSE = re.compile(r"(>=|<=|==|!=|~=|<|>)([A-Za-z0-9.!+*_-]+)")
_RELEASE = re.compile(r"[0-9]+(?:\.[0-9]+)*")


class _Release(NamedTuple):
    """The parts of a plain release (``1.2.0``) that :func:`_conda_clause` reads, without parsing a Version."""

    release: tuple[int, ...]
    epoch: int = 0
    pre: None = None
    post: None = None
    dev: None = None
    local: None = None


def _plain(version: str) -> _Release | None:
    return _Release(tuple(map(int, version.split(".")))) if _RELEASE.fullmatch(version) else None


@lru_cache(maxsize=65536)
def _conda_clause(clause: str) -> tuple[str, str | None, Severity]:
    """One PEP 440 clause as conda text, with a note when conda would admit other versions."""
    from packaging.version import Version

    m = _CLAUSE.fullmatch(clause)
    if m is not None:  # (what packaging's Specifier reads from a clause without spaces)
        op, version = m.groups()
    else:
        from packaging.specifiers import Specifier

        s = Specifier(clause)
        op, version = s.operator, s.version
    if version.endswith(".*"):
        return (version if op == "==" else f"!={version}"), None, Severity.INFO
    v = _plain(version) or Version(version)
    final = v.pre is None and v.dev is None and v.local is None
    if op == "<" and final and v.post is None:
        # "below V, none of V's pre-releases": conda orders 2.dev0 below 2.0a0 but not below 2a0, so the bound
        # drops trailing zeros (<2a0, not the common <2.0a0 / <2.0.0a0, which admit 2.dev0 and 2rc1)
        epoch = f"{v.epoch}!" if v.epoch else ""
        return f"<{epoch}{fewer_components(v)}a0", None, Severity.INFO
    if op == ">" and final:
        return (
            f">{version}",
            f"'>{version}' admits {version}.post releases in conda (PEP 440 excludes them)",
            (Severity.WARNING),
        )
    if op in ("<", ">", "<=", ">=") and not final:
        return f"{op}{version}", f"'{op}{version}' ({_NOTE_PRE})", Severity.INFO
    if v.local is not None:
        return (
            f"{op}{version}",
            f"'{op}{version}' (conda sorts local versions below the release)",
            Severity.INFO,
        )
    return f"{op}{version}", None, Severity.INFO


@lru_cache(maxsize=65536)
def _render_text(pep: str) -> tuple[str, tuple[tuple[str, Severity], ...]]:
    clauses = pep.split(",")
    if not all(_CLAUSE.fullmatch(c) for c in clauses):  # spaces, '===': packaging's reading
        from packaging.specifiers import SpecifierSet

        clauses = [str(c) for c in SpecifierSet(pep)]
    parts, notes = [], []
    for clause in sorted(clauses, key=_clause_order):
        text, note, severity = _conda_clause(clause)
        parts.append(text)
        if note:
            notes.append((note, severity))
    return ",".join(parts) or "*", tuple(notes)


def _union_runs(versions: VersionRange) -> list[str] | None:
    """PEP 440 texts of the largest expressible runs of a union's intervals (packaging 26.4 ``_bounds``)."""
    cls = type(versions)
    runs: list[tuple] = []
    run: tuple = ()
    for interval in versions._bounds:
        trial = (*run, interval)
        if run and (not mergeable(run[-1], interval) or interval_text(cls._build(trial)) is None):
            runs.append(run)
            run = (interval,)
        else:
            run = trial
    if run:
        runs.append(run)
    texts = [interval_text(cls._build(r)) for r in runs]
    said = [t for t in texts if t is not None]
    return said if len(said) == len(texts) else None


@cached_render
def render_version(
    spec: VersionSpec | None,
    *,
    report: Report | None = None,
    subject: str | None = None,
    span: Span | None = None,
) -> str:
    """The exact conda spelling of ``spec``'s set (``*`` for any; ``|`` for unions; ``==1.2.*`` -> ``1.2.*``).

    A conda spec comes back as written. PEP 440 ``<V`` becomes conda's ``<Va0`` idiom; where conda would still
    admit other versions (``>V`` and V's post releases, bounds on pre-releases) a ``conda-ordering-differs`` loss
    says so; ``===`` has no conda form (``version-inexpressible``).
    """
    if spec is not None and spec.dialect == DIALECT:
        return spec.raw
    if spec is None or admits_all(spec):
        return "*"
    pep = pep440.to_pep440(spec)
    if pep is not None and "===" in pep:
        if report is not None:
            report.add(
                "version-inexpressible",
                Severity.ERROR,
                f"conda cannot express {spec.dialect} constraint {spec.raw!r} ('===' arbitrary equality); "
                "written as any version",
                subject=subject,
                span=span,
                data={"from": spec.raw, "dialect": spec.dialect, "target": DIALECT},
            )
        return "*"
    if pep is not None:
        texts: list[str] | None = [pep]
    else:
        try:
            texts = fast.runs(spans_of(spec))
        except fast.NotSimple:
            texts = _union_runs(spec.versions)
    if texts is None:  # pragma: no cover - every interval of a PEP 440-built range has a PEP 440 text
        raise ValueError(f"cannot express {spec.raw!r} in conda")
    rendered = [_render_text(t) for t in texts]
    out = "|".join(r[0] for r in rendered)
    if report is not None:
        for _, notes in rendered:
            for note, severity in notes:
                report.add(
                    "conda-ordering-differs",
                    severity,
                    f"conda and PEP 440 order versions differently: {note}",
                    subject=subject,
                    span=span,
                    data={"from": spec.raw, "to": out},
                )
        if out != spec.raw.strip():
            report_respelled(report, spec, out, target="conda", subject=subject, span=span)
    return out
