"""Any version set spelled the Poetry way: the nicest exact form (``^``, ``~``, pins, wildcards) or PEP 440 text."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import TYPE_CHECKING

from ...ir.versions import VersionSpec, pep440_range, range_to_pep440
from ...report import Report, Severity
from ...span import Span
from .. import _intervals as fast
from .._common import cached_render, interval_text, is_full, mergeable, report_respelled, same_set, spans_of
from .fast import poetry_nicest, run_spellings

if TYPE_CHECKING:
    from packaging.ranges import VersionRange

__all__ = ["DIALECT", "nicest", "render"]

DIALECT = "poetry"  # (grammar.DIALECT; the grammar loads only when a Poetry text is read)


def _poetry_set(text: str) -> VersionRange | None:
    from .grammar import parse_or_none

    spec = parse_or_none(text)
    return None if spec is None else spec.versions


def _candidates(pep: str) -> list[str]:
    from packaging.specifiers import SpecifierSet

    clauses = [str(s) for s in SpecifierSet(pep)]
    out: list[str] = []
    if len(clauses) == 1:
        c = clauses[0]
        if c.startswith("==") and not c.startswith("==="):
            out.append(c[2:])  # ==1.2.3 -> 1.2.3, ==1.2.* -> 1.2.*
        elif c.startswith("~="):
            out += [f"^{c[2:]}", f"~{c[2:]}"]
    out += [c[2:] for c in clauses if c.startswith("==") and not c.startswith("===") and len(clauses) > 1]
    lowers = [c[2:] for c in clauses if c.startswith(">=")]
    for low in lowers:
        base = low[: -len(".dev0")] if low.endswith(".dev0") else None
        if base is not None and re.fullmatch(r"[0-9]+(?:\.[0-9]+)*", base):
            out.append(f"{base}.*")  # >=1.2.dev0,<1.3.dev0 is 1.2.*
    if (
        len(clauses) == 2
        and len(lowers) == 1
        and any(c.startswith("<") and not c.startswith("<=") for c in clauses)
    ):
        out += [f"^{lowers[0]}", f"~{lowers[0]}"]
    return out


def _rank(text: str) -> int:
    """Preference among exact spellings: a pin or wildcard, then ``^``, then ``~``."""
    return {"^": 1, "~": 2}.get(text[:1], 0)


@lru_cache(maxsize=65536)
def _nicest_text(pep: str) -> str | None:
    """The nicest exact Poetry spelling of a PEP 440 text's set, or ``None`` when the PEP 440 text is nicest."""
    versions = pep440_range(pep)
    if not pep.strip():
        return "*"
    for cand in _candidates(pep):
        got = _poetry_set(cand)
        if got is not None and same_set(got, versions):
            return cand
    return None


def nicest(versions: VersionRange, hint: str | None = None) -> str | None:
    """The nicest exact Poetry text for ``versions`` (``hint``: a PEP 440 text of it, e.g. as the user wrote it).

    ``None`` when Poetry cannot say the set (an ``===`` literal or a union piece without a spelling).
    """
    if is_full(versions):
        return "*"
    texts = [hint.strip()] if hint is not None and "===" not in hint else []
    nice = [n for n in (_nicest_text(t) for t in texts) if n is not None]
    if not nice and (not texts or texts[0].count(",") > 1):
        # packaging's canonical text (costly to compute) may reveal a nicer form of a redundant or missing hint
        canonical = range_to_pep440(versions)
        if canonical is not None and "===" not in canonical and canonical not in texts:
            texts.append(canonical)
            nice = [n for n in (_nicest_text(canonical),) if n is not None]
    if nice:
        return min(nice, key=_rank)
    for text in texts:
        got = _poetry_set(text)
        if got is not None and same_set(got, versions):
            return text
    if versions._bounds:  # a union: alternatives joined with ||
        return _union_text(versions)
    return None


def _union_text(versions: VersionRange) -> str | None:
    """``a || b`` of the largest PEP 440-expressible runs of intervals, each spelled the nicest way."""
    cls = type(versions)
    pieces: list[str | None] = []
    run: tuple = ()
    for interval in versions._bounds:  # packaging 26.4's canonical intervals (no public accessor)
        trial = (*run, interval)
        if run and (not mergeable(run[-1], interval) or interval_text(cls._build(trial)) is None):
            pieces.append(_piece(cls._build(run)))
            run = (interval,)
        else:
            run = trial
    if run:
        pieces.append(_piece(cls._build(run)))
    said = [p for p in pieces if p is not None]
    return " || ".join(said) if len(said) == len(pieces) else None


def _piece(versions: VersionRange) -> str | None:
    text = interval_text(versions)
    if text is None:
        return None
    return _nicest_text(text) or text


@cached_render
def render(
    spec: VersionSpec, *, report: Report | None = None, subject: str | None = None, span: Span | None = None
) -> str:
    """Poetry text for ``spec``: its ``raw`` when it is Poetry already, else the nicest exact spelling.

    ``>=1.2,<2.0`` -> ``^1.2``, ``>=1.2,<1.3`` -> ``~1.2``, ``==1.2.3`` -> ``1.2.3``, ``==1.2.*`` -> ``1.2.*``,
    any -> ``*``; otherwise the PEP 440 text (Poetry accepts it), or ``a || b`` for unions. A new spelling is
    reported as ``version-respelled`` (INFO); ``===`` has no Poetry form (``version-inexpressible``).
    """
    if spec.dialect == DIALECT:
        return spec.raw
    if spec.dialect == "conda":
        from ..conda import dialect_losses

        if dialect_losses(spec, target="Poetry", report=report, subject=subject, span=span):
            return "*"
    hint = spec.raw.strip() if spec.dialect in ("pep440", "pipfile") and spec.raw.strip() != "*" else None
    if hint is not None and "===" in hint or (spec.pep440 and "===" in spec.pep440):
        return _inexpressible(spec, report=report, subject=subject, span=span)
    try:
        text = _nicest_fast(spec, hint)
    except fast.NotSimple:
        text = _nicest_slow(spec, hint)
    if text is None:
        return _inexpressible(spec, report=report, subject=subject, span=span)
    if report is not None and text != spec.raw.strip():
        report_respelled(report, spec, text, target="Poetry", subject=subject, span=span)
    return text


def _nicest_slow(spec: VersionSpec, hint: str | None) -> str | None:
    if hint is not None:
        from packaging.specifiers import InvalidSpecifier

        try:
            pep440_range(hint)
        except InvalidSpecifier:
            hint = None
    return nicest(spec.versions, hint=hint if hint is not None else spec.pep440)


_SPACE = re.compile(r"\s+")
_RELEASE_PIN = re.compile(r"==([0-9]+(?:\.[0-9]+)*)")  # a pin to a plain release: the most common constraint


def _nicest_fast(spec: VersionSpec, hint: str | None) -> str | None:
    """What :func:`nicest` answers, read off the bounds for the fast path's shapes (else NotSimple)."""
    if not fast.ENABLED:
        raise fast.NotSimple("fast path switched off")
    if hint and hint[0] not in "<>=!~":
        # not PEP 440 (a Pipfile pin "1.2.3", a [requires] python_version "3.11"): _nicest_slow drops such a hint
        hint = None
    text = hint if hint is not None else spec.pep440
    if text is None:  # a union: its largest expressible runs, each spelled the nicest way
        spans = spans_of(spec)
        if spans == ((None, None),):
            return "*"
        return " || ".join(run_spellings(spans))
    text = text.strip()
    if _SPACE.search(text):
        # spaces around operators and after commas (">= 5.3", ">=1, <2") do not change the set: decide on the
        # compact text; like nicest(), keep the user's own spelling when nothing nicer exists
        compact = _SPACE.sub("", text)
        nice = _nicest_fast_text(compact)
        return text if nice == compact else nice
    return _nicest_fast_text(text)


def _nicest_fast_text(text: str) -> str | None:
    pin = _RELEASE_PIN.fullmatch(text)
    if pin is not None:
        return pin.group(1)  # ==1.4.3 is Poetry's 1.4.3 (the only candidate nicest() has for a lone == clause)
    if text.startswith("==") and fast.canonical().fullmatch(text, 2) is not None:
        return text[2:]  # ==20.8b1: Poetry reads a canonical version as that very pin
    nice = poetry_nicest(text)  # (NotSimple unless ``text`` has the fast path's shapes, so it is valid)
    if nice is not None:
        return nice
    if text.count(",") > 1 and fast.interval_text(fast.from_pep440(text)[0]) != text:
        # nicest() would also try packaging's canonical text, which is the text itself only when it is the
        # fast path's own spelling (>=A,<=B,!=B)
        raise fast.NotSimple(text)
    return text  # Poetry reads these shapes as PEP 440 does


def _inexpressible(
    spec: VersionSpec, *, report: Report | None, subject: str | None, span: Span | None
) -> str:
    from packaging.specifiers import SpecifierSet
    from packaging.version import InvalidVersion, Version

    literal = None
    for s in SpecifierSet(spec.pep440 or spec.raw.strip()) if "===" in (spec.pep440 or spec.raw) else ():
        if s.operator == "===":
            literal = s.version
    try:
        text = str(Version(literal)) if literal is not None else "*"
        severity = Severity.WARNING
        effect = f"written as the pin {text!r}, which also admits {text}+local builds"
    except InvalidVersion:
        text, severity = "*", Severity.ERROR
        effect = "written as '*' (any version)"
    if report is not None:
        report.add(
            "version-inexpressible",
            severity,
            f"Poetry cannot express {spec.dialect} constraint {spec.raw!r} ('===' arbitrary equality); {effect}",
            subject=subject,
            span=span,
            data={"from": spec.raw, "to": text, "dialect": spec.dialect},
        )
    return text
