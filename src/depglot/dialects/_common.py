"""Shared helpers of the dialects: located parse errors and set questions on version ranges.

Everything here is internal to :mod:`depglot.dialects`. Set equality is asked of the *versions admitted*
(``same_set``), never of :class:`~packaging.ranges.VersionRange` structure: packaging's ``==`` also compares the
pre-release opt-in region, so ``>=1.0a1`` and a bound built by hand compare unequal while admitting the same
versions.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..errors import ParseError
from ..span import Span

if TYPE_CHECKING:
    from packaging.ranges import VersionRange

__all__ = ["hull", "interval_text", "located_error", "only_prereleases", "same_set", "shifted"]


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
    """Whether two ranges admit exactly the same versions (pre-releases, dev and local versions included)."""
    return a.difference(b).is_empty and b.difference(a).is_empty


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
    from ..ir.versions import range_to_pep440

    bounds = versions._bounds
    if len(bounds) == 1 and bounds[0][0].version is None and bounds[0][1].version is None:
        return ""  # every version (">=0.dev0" differs from "" only on strings that are not versions)
    found = [range_to_pep440(versions)]
    for region in (versions._bounds, ()):
        found.append(range_to_pep440(versions._with_policy(pre_region=region, configured=None)))
    texts = [t for t in found if t is not None]
    return min(texts, key=lambda t: (t.count(","), len(t))) if texts else None
