"""A poetry-core build that would ignore ``[project]``.

poetry-core < 2 reads only ``[tool.poetry]``: a ``[build-system]`` that requires it, kept beside dependencies that
now live in ``[project]``, builds a wheel without them. Whoever writes ``[project]`` under such a build (the Poetry 2
writer, the PEP 621 writers, ``depglot migrate``) raises the requirement to 2.x and reports it, with this one rule.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import DepglotError
from ..report import Report, Severity
from ..span import Span

__all__ = ["POETRY_CORE_2", "old_poetry_core", "raised_build", "report_raised"]

POETRY_CORE_2 = "poetry-core>=2.0.0,<3.0.0"
_BACKEND = "poetry.core.masonry.api"


def old_poetry_core(build: Mapping[str, Any]) -> int | None:
    """The index in ``build["requires"]`` of a poetry-core requirement admitting a version below 2, when the
    build backend is poetry-core's; else None."""
    requires = build.get("requires")
    if build.get("build-backend") != _BACKEND or not isinstance(requires, Sequence) or isinstance(requires, str):
        return None
    from ..dialects import pep508

    for index, item in enumerate(requires):
        if not isinstance(item, str):
            continue
        try:
            req = pep508.parse_requirement(str(item))
        except DepglotError:
            continue
        if req.key != "poetry-core" or req.source is not None:
            continue
        pep440 = req.version.pep440 if req.version is not None else ""
        if pep440 is None or _admits_below_2(pep440):
            return index
    return None


def raised_build(build: Mapping[str, Any], report: Report, *, span: Span | None = None) -> dict[str, Any]:
    """``build`` (a ``[build-system]`` as plain data) with an old poetry-core requirement raised to 2.x, reported;
    the same table when there is none. (``depglot migrate`` edits the tomlkit array in place instead.)"""
    index = old_poetry_core(build)
    if index is None:
        return dict(build)
    requires = list(build["requires"])
    report_raised(report, requires[index], span=span)
    requires[index] = POETRY_CORE_2
    return {**build, "requires": requires}


def report_raised(report: Report, old: str, *, span: Span | None = None) -> None:
    report.add("poetry-build-requires-raised", Severity.INFO,
               f"build-system requires {old!r}, but poetry-core < 2 ignores [project], where the dependencies "
               f"now are; wrote {POETRY_CORE_2}", subject="build-system", span=span)


def _admits_below_2(pep440: str) -> bool:
    """Whether a PEP 440 text admits a version below 2.0.0 (read off its bounds when the fast path can)."""
    from ..dialects import _intervals

    try:
        spans = _intervals.from_pep440(pep440)
    except _intervals.NotSimple:
        from ..ir.versions import pep440_range

        return not pep440_range(pep440).intersection(pep440_range("<2.0.0")).is_empty
    below = _intervals.parse_version("2.0.0.dev0").key  # <2.0.0 ends at 2.0.0.dev0
    return any(lo is None or lo.key < below for lo, _ in spans)
