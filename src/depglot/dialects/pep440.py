"""PEP 440 version specifiers: parse (validated by packaging) and render any version set as PEP 440 text.

``parse`` keeps the text exactly as written (``VersionSpec.raw``) and its meaning (``versions``). ``render`` never
rewrites what the user wrote: a spec already in PEP 440 comes back as its ``raw``. A set from another dialect
comes back as its exact PEP 440 text; when PEP 440 cannot say it (a union with a gap, e.g. Poetry's
``^1.2 || ^2.0``), as the nearest superset (the hull) with a ``version-union-widened`` loss, graded by what an
installer would do with the extra versions: WARNING when they are only pre-/dev releases (skipped by default),
ERROR when final releases become admissible (``<2 || >3`` widens to any version).
"""

from __future__ import annotations

from functools import lru_cache

from ..ir.versions import VersionSpec, pep440_range, validate_pep440
from ..report import Report, Severity
from ..span import Span
from . import _intervals as fast
from ._common import (
    cached_render,
    hull,
    interval_text,
    located_error,
    only_prereleases,
    report_respelled,
    set_text,
    spans_of,
)

__all__ = ["parse", "render", "to_pep440", "validate_clause"]

DIALECT = "pep440"

# One clause: operator, optional spaces, version (the grammar of packaging's Specifier, loosely, for locating).
_OPS = ("===", "~=", "==", "!=", "<=", ">=", "<", ">")


def parse(text: str, *, span: Span | None = None) -> VersionSpec:
    """A PEP 440 specifier set (``""`` means any version); ``raw`` is ``text`` unchanged.

    Bad input raises :class:`~depglot.errors.ParseError` naming the constraint, the position of the offending
    clause and the dialect ``pep440``.
    """
    try:
        return _parse(text)
    except _Invalid as exc:
        raise located_error(
            "version specifier", text, exc.offset, exc.reason, dialect=DIALECT, span=span, width=exc.width
        ) from None


class _Invalid(Exception):
    def __init__(self, offset: int, reason: str, width: int = 1) -> None:
        super().__init__(reason)
        self.offset = offset
        self.reason = reason
        self.width = width


@lru_cache(maxsize=65536)
def _parse(text: str) -> VersionSpec:
    stripped = text.strip()
    if stripped and any(not piece.strip() for piece in stripped.split(",")):  # packaging tolerates ",,"
        offset, reason, width = _locate(text)
        raise _Invalid(offset, reason, width)
    try:
        validate_pep440(stripped)  # (the set itself is built when first asked for)
    except ValueError:  # packaging's InvalidSpecifier: locate the bad clause
        offset, reason, width = _locate(text)
        raise _Invalid(offset, reason, width) from None
    return VersionSpec(raw=text, dialect=DIALECT, pep440=stripped)


def validate_clause(clause: str) -> str | None:
    """Why one PEP 440 clause (``>=1.2``) is invalid, or ``None`` when packaging accepts it."""
    from packaging.specifiers import InvalidSpecifier, Specifier

    try:
        Specifier(clause)
    except InvalidSpecifier:
        return _clause_reason(clause.strip())
    return None


def _clause_reason(clause: str) -> str:
    if not clause:
        return "empty clause"
    op = next((o for o in _OPS if clause.startswith(o)), None)
    if op is None:
        if clause[0] in "^~" or clause[0] == "=":
            return f"operator {clause[:2] if clause[:2] in ('~=', '==') else clause[0]!r} is not PEP 440"
        return f"clause {clause!r} has no comparison operator (PEP 440 needs one of {', '.join(_OPS)})"
    version = clause[len(op) :].strip()
    if not version:
        return f"operator {op!r} has no version"
    if op == "~=" and "." not in version.split("+")[0]:
        return f"'~=' needs at least two release components ({clause!r})"
    if version.endswith(".*") and op not in ("==", "!="):
        return f"a '.*' wildcard is only allowed with '==' or '!=' ({clause!r})"
    return f"{version!r} is not a valid version for {op!r}"


def _locate(text: str) -> tuple[int, str, int]:
    """(offset in ``text``, reason, width) of the first clause packaging rejects."""
    pos = 0
    for piece in text.split(","):
        lead = len(piece) - len(piece.lstrip())
        clause = piece.strip()
        reason = validate_clause(clause) if clause else "empty clause"
        if reason is not None:
            if not clause and len(text.split(",")) == 1:
                reason = "empty specifier"
            return pos + lead, reason, max(1, len(clause))
        pos += len(piece) + 1
    return 0, "not a valid specifier set", max(1, len(text))


def to_pep440(spec: VersionSpec) -> str | None:
    """The exact PEP 440 text of ``spec``'s set (its own text when it is PEP 440), or ``None`` (a union)."""
    if spec.dialect == DIALECT:
        return spec.raw.strip()
    if spec.pep440 is not None:
        return spec.pep440
    source = spec.source
    if source is not None and getattr(source, "spans", None) is not None:
        return None  # the dialect read it with the fast path, which found no PEP 440 text
    try:
        return fast.set_text(spans_of(spec))
    except fast.NotSimple:
        return set_text(spec.versions)


@cached_render
def render(
    spec: VersionSpec, *, report: Report | None = None, subject: str | None = None, span: Span | None = None
) -> str:
    """PEP 440 text for ``spec``: its ``raw`` when it is already PEP 440, else the exact text of its set.

    When PEP 440 cannot say the set, returns the nearest superset and reports ``version-union-widened``
    (WARNING when the extra versions are only pre-/dev releases, ERROR when final releases are added).
    A new spelling of the same set from another dialect is reported as ``version-respelled`` (INFO).
    """
    if spec.dialect == DIALECT:
        return spec.raw
    if spec.dialect == "conda":
        from .conda import dialect_losses

        if dialect_losses(spec, target="PEP 440", report=report, subject=subject, span=span):
            return ""
    exact = to_pep440(spec)
    if exact is not None:
        if report is not None and exact != spec.raw.strip():
            report_respelled(report, spec, exact, target="PEP 440", subject=subject, span=span, shown=_show(exact))
        return exact
    return _widened(spec, report=report, subject=subject, span=span)


def _show(text: str) -> str:
    return repr(text) if text else "'' (any version)"


def _widened(spec: VersionSpec, *, report: Report | None, subject: str | None, span: Span | None) -> str:
    try:
        spans = spans_of(spec)
        text = fast.interval_text(fast.hull(spans))
        prerelease_only = fast.gaps_prereleases_only(spans)
    except fast.NotSimple:
        # unbounded on both sides (or a shape PEP 440 lacks): any version
        text = interval_text(hull(spec.versions)) or ""
        prerelease_only = only_prereleases(pep440_range(text).difference(spec.versions))
    if report is not None:
        severity = Severity.WARNING if prerelease_only else Severity.ERROR
        what = (
            "also admits pre-/dev releases that installers skip by default"
            if prerelease_only
            else "also admits final releases the source excluded"
        )
        report.add(
            "version-union-widened",
            severity,
            f"PEP 440 cannot express {spec.dialect} union {spec.raw!r}; wrote the nearest superset {_show(text)}, "
            f"which {what}",
            subject=subject,
            span=span,
            data={"from": spec.raw, "to": text, "dialect": spec.dialect, "prereleases_only": prerelease_only},
        )
    return text
