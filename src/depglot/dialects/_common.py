"""Shared helpers of the dialects: located parse errors and set questions on version ranges.

Everything here is internal to :mod:`depglot.dialects`. Set equality is asked of the *versions admitted*
(``same_set``), never of :class:`~packaging.ranges.VersionRange` structure: packaging's ``==`` also compares the
pre-release opt-in region, so ``>=1.0a1`` and a bound built by hand compare unequal while admitting the same
versions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import lru_cache, wraps
from itertools import pairwise
from typing import TYPE_CHECKING

from ..errors import ParseError
from ..ir.versions import RangeSource, _may_be_full
from ..report import Severity
from ..span import Span
from . import _intervals

if TYPE_CHECKING:
    from packaging.ranges import VersionRange

    from ..ir.versions import VersionSpec
    from ..report import Report

__all__ = [
    "admits_all",
    "cached_render",
    "clear_caches",
    "hull",
    "interval_text",
    "is_full",
    "located_error",
    "mergeable",
    "only_prereleases",
    "report_respelled",
    "same_set",
    "set_text",
    "shifted",
    "spans_of",
]


def shifted(span: Span | None, offset: int, width: int = 1) -> Span | None:
    """``span`` (where a constraint's text starts) moved ``offset`` characters right, when it has a column."""
    if span is None or span.column is None:
        return span
    return replace(
        span, column=span.column + offset, end_line=span.line, end_column=span.column + offset + width
    )


def located_error(
    what: str,
    text: str,
    offset: int,
    reason: str,
    *,
    dialect: str,
    span: Span | None,
    width: int = 1,
    hint: str | None = None,
) -> ParseError:
    """A ParseError naming the constraint, the 1-based position inside it, the reason and the dialect.

    ``span`` is where ``text`` starts in its file; the error's span points at the offending character. Without a
    line number the constraint itself is the source line, so the caret lands under the problem.
    """
    offset = max(0, min(offset, len(text)))
    message = f"invalid {dialect} {what} {text!r}: {reason} (at position {offset + 1})"
    if span is None or span.line is None:
        base = span or Span()
        err_span = replace(base, line=base.line or 1, column=offset + 1)
        return ParseError(message, span=err_span, source_line=text, width=width, dialect=dialect, hint=hint)
    return ParseError(message, span=shifted(span, offset, width), width=width, dialect=dialect, hint=hint)


def same_set(a: VersionRange, b: VersionRange) -> bool:
    """Whether two ranges admit exactly the same versions (pre-releases, dev and local versions included).

    packaging canonicalises interval bounds, so equal bounds without ``===`` literals are equal sets (fast path);
    otherwise the symmetric difference decides.
    """
    if a._bounds == b._bounds and not (a._admit or a._reject or b._admit or b._reject):
        return True
    return a.difference(b).is_empty and b.difference(a).is_empty


def spans_of(spec: VersionSpec) -> _intervals.Spans:
    """The fast path's spans of ``spec``'s set (from its dialect's parse, else its PEP 440 text), or NotSimple."""
    source = spec.source
    spans: _intervals.Spans | None = getattr(source, "spans", None) if source is not None else None
    if spans is not None:
        return spans
    if spec.pep440 is None:
        raise _intervals.NotSimple(spec.raw)
    return _intervals.from_pep440(spec.pep440)


def admits_all(spec: VersionSpec) -> bool:
    """Whether ``spec`` admits every version (``is_any``, or a set that is full however it is spelled)."""
    if spec.is_any:
        return True
    if spec.pep440 is not None and not _may_be_full(spec.pep440):
        return False
    source = spec.source
    if source is not None and source.admits_all() is False:
        return False
    return is_full(spec.versions)


def clear_caches() -> None:
    """Empty every memo of the dialects (tests compare the fast path with the interval algebra from cold)."""
    import sys

    from ..ir import versions

    for name, module in list(sys.modules.items()):
        if module is not None and (name.startswith("depglot.dialects") or module is versions):
            for value in vars(module).values():
                clear = getattr(value, "cache_clear", None)
                if callable(clear) and not isinstance(value, type):
                    clear()


def is_full(versions: VersionRange) -> bool:
    """Whether ``versions`` admits every version (strings that are not versions aside)."""
    bounds = versions._bounds
    return len(bounds) == 1 and bounds[0][0].version is None and bounds[0][1].version is None


def hull(versions: VersionRange) -> VersionRange:
    """The smallest single interval holding ``versions`` (itself when it is one interval or empty).

    packaging has no public accessor for a range's intervals; ``_bounds`` is its canonical interval tuple
    (packaging 26.4, pinned in pyproject).
    """
    bounds = versions._bounds
    if len(bounds) <= 1:
        return versions
    closed = ((bounds[0][0], bounds[-1][1]),)
    return type(versions)._build(closed)


def only_prereleases(extra: VersionRange) -> bool:
    """True when every version in ``extra`` is a pre-release or dev release (what installers skip by default)."""
    return extra._with_policy(pre_region=(), configured=False).is_empty


def interval_text(versions: VersionRange) -> str | None:
    """PEP 440 text admitting exactly the versions of ``versions`` (opt-in structure aside), or ``None``.

    Ranges assembled from pieces (a hull, one interval of a union) lose packaging's pre-release opt-in region, and
    ``to_specifier_set`` then declines (``<2.0a0`` always opts in). The version *set* is what matters here, so the
    shortest text found with the range as it is, with the opt-in region spanning all of it, or with none, wins.
    """
    # equal ranges may spell their bounds differently ([2, 3.dev0) == [2.0, 3.0.dev0)): the text depends on it
    return _interval_text(versions, repr(versions))


@lru_cache(maxsize=16384)
def _interval_text(versions: VersionRange, spelling: str) -> str | None:
    from ..ir.versions import range_to_pep440

    if is_full(versions):
        return ""  # every version (">=0.dev0" differs from "" only on strings that are not versions)
    if len(versions._bounds) == 1 and not (versions._admit or versions._reject):
        fast = _single_interval_text(versions._bounds[0])
        if fast is not None:
            return fast
    first = range_to_pep440(versions)
    if first is not None and "!=" not in first:
        return first  # (to_specifier_set is costly: look further only for texts it may spell the long way)
    found = [first]
    for region in (versions._bounds, ()):
        found.append(range_to_pep440(versions._with_policy(pre_region=region, configured=None)))
    texts = [t for t in found if t is not None]
    return min(texts, key=lambda t: (t.count(","), len(t))) if texts else None


def _is_final(v: object) -> bool:
    return getattr(v, "pre", 0) is None and getattr(v, "dev", 0) is None and getattr(v, "local", 0) is None


def _single_interval_text(interval: tuple) -> str | None:
    """PEP 440 text of one interval read straight off its bounds (``None``: leave it to packaging).

    packaging's ``to_specifier_set`` searches encodings and costs ~0.3 ms; the usual shapes (``>=A,<B``,
    ``==V``, ``==V.*``, ``>V``, ``<=V``) need no search. Kinds: AFTER_POSTS is the lower bound of ``>V``;
    AFTER_LOCALS is the upper bound of ``<=V``/``==V`` and the lower bound of ``>V`` for a post release V.
    """
    from packaging._ranges import BoundaryKind, BoundaryVersion

    lower, upper = interval
    lo, hi = lower.version, upper.version
    if (
        lo is not None
        and not isinstance(lo, BoundaryVersion)
        and isinstance(hi, BoundaryVersion)
        and lower.inclusive
        and hi.kind is BoundaryKind.AFTER_LOCALS
        and hi.version == lo
    ):
        return f"=={lo}"  # [V, V+locals]
    if (
        lo is not None
        and hi is not None
        and not isinstance(lo, BoundaryVersion)
        and not isinstance(hi, BoundaryVersion)
        and lower.inclusive
    ):
        wildcard = _intervals.wildcard_text(lo, hi)  # [X.dev0, X'.dev0)
        if wildcard is not None:
            return wildcard
    clauses: list[str] = []
    if lo is not None:
        if isinstance(lo, BoundaryVersion):
            if lower.inclusive:
                return None
            if lo.kind is BoundaryKind.AFTER_POSTS or (
                lo.kind is BoundaryKind.AFTER_LOCALS and lo.version.post
            ):
                clauses.append(f">{lo.version}")
            elif lo.kind is BoundaryKind.AFTER_LOCALS and lo.version.local is None:
                clauses += [f">={lo.version}", f"!={lo.version}"]
            else:
                return None
        elif lower.inclusive and lo.local is None:
            clauses.append(f">={lo}")
        else:
            return None
    if hi is not None:
        if isinstance(hi, BoundaryVersion):
            if not (upper.inclusive and hi.kind is BoundaryKind.AFTER_LOCALS and hi.version.local is None):
                return None
            clauses.append(f"<={hi.version}")
        elif upper.inclusive:
            return None
        elif hi.dev == 0 and hi.pre is None and hi.post is None and hi.local is None:
            base = (f"{hi.epoch}!" if hi.epoch else "") + ".".join(map(str, hi.release))
            clauses.append(f"<{base}")  # <V (V final) ends at V.dev0
        elif _is_final(hi) and hi.local is None:
            clauses += [f"<={hi}", f"!={hi}"]  # everything below a final release, its pre-releases included
        elif hi.local is None:
            clauses.append(f"<{hi}")  # a pre/dev bound: PEP 440's exclusion rule does not apply
        else:
            return None
    return ",".join(clauses) if clauses else None


def set_text(versions: VersionRange) -> str | None:
    """PEP 440 text of a whole set, or ``None``; a union with a gap that no ``!=`` can say is ``None`` at once."""
    bounds = versions._bounds
    if any(not mergeable(a, b) for a, b in pairwise(bounds)):
        return None
    return interval_text(versions)


def mergeable(left: tuple, right: tuple) -> bool:
    """Whether the gap between two adjacent intervals could be a ``!=`` exclusion (one version or one prefix).

    ``!=1.5`` leaves ``[.., 1.5)`` and ``(1.5+locals, ..]``; ``!=1.5.*`` leaves ``[.., 1.5.dev0)`` and
    ``[1.6.dev0, ..]``. Other gaps are real unions, which no single PEP 440 text can say.
    """
    upper, lower = left[1].version, right[0].version
    if upper is None or lower is None:
        return False
    up = getattr(upper, "version", upper)
    low = getattr(lower, "version", lower)
    return up == low or (up.dev == 0 and low.dev == 0 and up.pre is None and low.pre is None)


def report_respelled(
    report: Report,
    spec: VersionSpec,
    text: str,
    *,
    target: str,
    subject: str | None,
    span: Span | None,
    shown: str | None = None,
) -> None:
    """``version-respelled`` (INFO): ``spec`` is written in ``target`` (``PEP 440``, ``Poetry``, ``conda``) as
    ``text``, which admits the same versions; ``shown`` is how the message quotes ``text`` (default ``repr``)."""
    report.add(
        "version-respelled",
        Severity.INFO,
        f"{spec.dialect} constraint {spec.raw!r} written as {target} {shown or repr(text)} (same versions)",
        subject=subject,
        span=span,
        data={"from": spec.raw, "to": text, "dialect": spec.dialect},
    )


def cached_render(impl: Callable[..., str]) -> Callable[..., str]:
    """Memoise a ``render(spec, *, report, subject, span)``: the text and the losses it reports, per spec.

    Losses are replayed into the caller's report with the caller's subject and span, so a cached translation
    reports exactly what a fresh one would. The key holds what gives the spec its set (its PEP 440 text, else its
    range or range source), not just its spelling, and never builds the set.
    """

    @lru_cache(maxsize=65536)
    def run(spec: object, meaning: object) -> tuple[str, tuple[tuple[str, Severity, str, dict], ...]]:
        recorder = _Recorder()
        text = impl(spec, report=recorder, subject=None, span=None)
        return text, tuple(recorder.losses)

    @wraps(impl)
    def render(spec: VersionSpec | None, *, report: Report | _Recorder | None = None, subject: str | None = None,
               span: Span | None = None) -> str:
        if spec is None:
            return impl(spec, report=report, subject=subject, span=span)
        # equal specs with a PEP 440 text mean that text's set; others are told apart by what builds their set
        meaning: object
        if spec.pep440 is not None:
            meaning = None
        else:
            meaning = spec._versions
            if meaning is not None and not isinstance(meaning, RangeSource):
                meaning = (meaning, repr(meaning))  # equal ranges may spell their bounds differently
        text, losses = run(spec, meaning)
        if report is not None:
            for code, severity, message, data in losses:
                report.add(code, severity, message, subject=subject, span=span, data=data)
        return text

    render.cache_clear = run.cache_clear  # type: ignore[attr-defined]  # tests clear it like an lru_cache's
    return render


class _Recorder:
    """What a render reports, kept as plain tuples for replay (the part of :class:`~depglot.report.Report` used)."""

    __slots__ = ("_seen", "losses")

    def __init__(self) -> None:
        self.losses: list[tuple[str, Severity, str, dict]] = []
        self._seen: set[tuple[str, str]] = set()

    def add(self, code: str, severity: Severity, message: str, *, subject: str | None = None,
            span: Span | None = None, data: Mapping[str, object] | None = None) -> None:
        if (code, message) not in self._seen:  # Report keeps one loss per code, subject, place and message
            self._seen.add((code, message))
            self.losses.append((code, severity, message, dict(data or {})))
