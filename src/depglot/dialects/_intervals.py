"""Fast path: the common version sets as half-open intervals of PEP 440's total order, without packaging.ranges.

Building packaging :class:`~packaging.ranges.VersionRange`\\ s and asking them for PEP 440 text costs tens of
microseconds per constraint; the shapes people write (``^1.2``, ``~1.2``, ``>=a,<b``, ``1.2.*``, ``~=1.2.3``, conda's
``<2`` = ``<=2,!=2``, and ``||`` unions of those) are intervals ``[lo, hi)`` of the version order whose bounds are
versions themselves. This module answers the dialects' questions about such sets (their exact PEP 440 text, the
hull of a union, whether a union's gaps hold only pre-releases; the nicest Poetry spelling is in
:mod:`depglot.dialects.poetry.fast`) straight from the bounds, giving exactly the answers the interval algebra gives (a Hypothesis test holds the two paths equal).

Anything outside those shapes raises :class:`NotSimple` and the caller takes the interval-algebra path. Bounds are
kept to versions packaging keeps as they are: no local versions, no ``.devN`` with N > 0, no ``.postN.dev0`` and
no ``aN.dev0`` with N > 0 (each comes right after another version, and packaging writes it as the bound after that
one), and spellings must be canonical (``str(Version(t))
== t``) so that texts built from them are the texts the slow path builds.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from packaging.version import Version

__all__ = [
    "ENABLED",
    "Bound",
    "NotSimple",
    "Spans",
    "canonical",
    "from_pep440",
    "gaps_prereleases_only",
    "hull",
    "intersect",
    "interval_text",
    "parse_version",
    "runs",
    "set_text",
    "union",
    "wildcard_text",
]


class Bound(NamedTuple):
    """A version as the fast path uses it: packaging's sort key plus the parts read off it, no property calls."""

    key: tuple  # packaging.version.Version's comparison key (equal keys: equal versions)
    text: str  # the canonical spelling
    epoch: int
    release: tuple[int, ...]
    pre: tuple[str, int] | None
    post: int | None
    dev: int | None
    # a cut right after a version's post releases (the lower bound of ``>V``): ``key`` sorts after V's posts and
    # before any later version, and ``after`` is V's own key (the fields above are V's); None for a version
    after: tuple | None = None


Interval = tuple  # (lo: Bound | None inclusive, hi: Bound | None exclusive); None = unbounded
Spans = tuple  # sorted, disjoint, non-touching intervals


class NotSimple(Exception):
    """The set or text is outside the fast path's shapes: use the interval algebra."""


# A canonical version (``str(Version(t)) == t``) without a local part: no leading zeros, no ``0!`` epoch, the
# normalised pre/post/dev spellings. Read without packaging.version (which a single-file conversion then never loads).
@cache
def canonical() -> re.Pattern[str]:
    """The pattern of a canonical version (compiled on first use: plain releases are read without it)."""
    return re.compile(
        r"(?:([1-9][0-9]*)!)?((?:0|[1-9][0-9]*)(?:\.(?:0|[1-9][0-9]*))*)"
        r"(?:(a|b|rc)(0|[1-9][0-9]*))?(?:\.post(0|[1-9][0-9]*))?(?:\.dev(0|[1-9][0-9]*))?"
    )


def _plain_release(parts: list[str]) -> bool:
    """Whether ``parts`` (a text split at dots) spell a canonical release: ASCII digits, no leading zero."""
    return all(p.isdigit() and p.isascii() and (p[0] != "0" or p == "0") for p in parts)
_PRE_RANK = {"a": 0, "b": 1, "rc": 2}


@lru_cache(maxsize=65536)
def parse_version(text: str) -> Bound:
    """A canonical version text as a bound (else NotSimple).

    The key is packaging 26.4's ``Version._key`` (``version._cmpkey``: epoch, release without trailing zeros, and a
    flat pre/post/dev suffix), built here from the text; a Hypothesis test holds the two equal.
    """
    parts = text.split(".")
    if _plain_release(parts):  # the common case: 1.2.3
        release = tuple(map(int, parts))
        return Bound(_cmpkey(0, release, None, None, None), text, 0, release, None, None, None)
    m = canonical().fullmatch(text)
    if m is None:
        raise NotSimple(text)
    epoch_s, release_s, pre_l, pre_n, post_s, dev_s = m.groups()
    epoch = int(epoch_s) if epoch_s else 0
    release = tuple(map(int, release_s.split(".")))
    pre = (pre_l, int(pre_n)) if pre_l else None
    post = int(post_s) if post_s is not None else None
    dev = int(dev_s) if dev_s is not None else None
    if dev is not None and (dev > 0 or post is not None or (pre is not None and pre[1] > 0)):
        raise NotSimple(text)  # a version right after another (1.0.dev1, 1.0.post1.dev0, 1.0a1.dev0)
    return Bound(_cmpkey(epoch, release, pre, post, dev), text, epoch, release, pre, post, dev)


def _cmpkey(
    epoch: int, release: tuple[int, ...], pre: tuple[str, int] | None, post: int | None, dev: int | None
) -> tuple:
    """packaging 26.4's ``_cmpkey`` for a version without a local part (pinned in pyproject)."""
    i = len(release)
    while i and release[i - 1] == 0:
        i -= 1
    trimmed = release[:i]
    if pre is None and post is None and dev is None:
        return epoch, trimmed, _STABLE
    if pre is not None:
        pre_rank, pre_n = _PRE_RANK[pre[0]], pre[1]
    elif post is None and dev is not None:
        pre_rank, pre_n = -1, 0  # dev-only sorts before every pre-release
    else:
        pre_rank, pre_n = 3, 0
    return epoch, trimmed, (
        pre_rank, pre_n, 0 if post is None else 1, post or 0, 1 if dev is None else 0, dev or 0
    )


_STABLE = (3, 0, 0, 0, 1, 0)


def _after_posts(v: Bound) -> Bound:
    """The lower bound of ``>V`` for a final release V: after V, V's local versions and V's post releases.

    Its key's suffix ``(3, 0, 2)`` sorts after every suffix of V's releases (post rank 0 or 1) and, being shorter
    than a version's, equals none of them: it is a cut between versions, never a version.
    """
    return v._replace(key=(v.key[0], v.key[1], (3, 0, 2)), after=v.key)


def _fmt(epoch: int, release: tuple[int, ...]) -> str:
    return (f"{epoch}!" if epoch else "") + ".".join(map(str, release))


def _bumped_dev0(epoch: int, release: tuple[int, ...]) -> Bound:
    """``X'.dev0`` where X' is ``release`` with its last component incremented."""
    return parse_version(_fmt(epoch, (*release[:-1], release[-1] + 1)) + ".dev0")


def _lower(v: Bound | None) -> Bound | None:
    """A lower bound, ``None`` when it is 0.dev0 (nothing sorts below it)."""
    return None if v is not None and v.text.endswith("dev0") and v.key == parse_version("0.dev0").key else v


def _same(a: Bound | None, b: Bound | None) -> bool:
    """Equal bounds, refusing equal versions spelled differently (which spelling packaging keeps is its business)."""
    if a is None or b is None:
        return a is b
    if a.key == b.key:
        if a.text != b.text:
            raise NotSimple(f"{a.text} / {b.text}")
        return True
    return False


_CLAUSE = re.compile(r"(>=|<=|==|!=|~=|<|>)([^\s,<>=!~]+)")
_PLAIN = re.compile(r"(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*")
_RELEASE = re.compile(r"[0-9]+(?:\.[0-9]+)*")


def _clause_interval(op: str, text: str) -> Interval:
    if op == "==" and text.endswith(".*"):
        base = text[:-2]
        if not _PLAIN.fullmatch(base):
            raise NotSimple(text)
        v = parse_version(base)
        return (_lower(parse_version(f"{base}.dev0")), _bumped_dev0(v.epoch, v.release))
    v = parse_version(text)
    if op == ">=":
        return (_lower(v), None)
    if op == ">":
        if v.pre is None and v.dev is None and v.post is None:
            return (_after_posts(v), None)  # PEP 440: >V admits no post release of V
        raise NotSimple(op + text)
    if op == "<":
        if v.pre is None and v.dev is None and v.post is None:
            return (None, parse_version(f"{text}.dev0"))
        if v.pre is not None or v.dev is not None:
            # a pre/dev bound: PEP 440's exclusion of the bound's pre-releases does not apply
            return (None, v)
        raise NotSimple(text)  # <V.postN
    if op == "~=" and _PLAIN.fullmatch(text) and len(v.release) >= 2:
        return (_lower(v), _bumped_dev0(v.epoch, v.release[:-1]))
    raise NotSimple(op + text)


ENABLED = True  # tests switch the fast path off to compare it with the interval algebra


def from_pep440(text: str) -> Spans:
    """The set of a PEP 440 specifier set as spans (one interval), or NotSimple.

    Clauses: ``>=V``, ``>V`` (V a final release), ``<V``, ``==X.*``, ``~=X.Y``, and ``<=V,!=V`` (V final: conda's
    ``<V``), without spaces.
    """
    if not ENABLED:
        raise NotSimple("fast path switched off")
    spans = _from_pep440(text)
    if spans is None:
        raise NotSimple(text)
    return spans


@lru_cache(maxsize=65536)
def _from_pep440(text: str) -> Spans | None:
    try:
        return _read_pep440(text)
    except NotSimple:
        return None  # (remembered: the text is tried once)


def _read_pep440(text: str) -> Spans:
    clauses = text.strip().split(",") if text.strip() else []
    lo: Bound | None = None
    hi: Bound | None = None
    i = 0
    while i < len(clauses):
        m = _CLAUSE.fullmatch(clauses[i])
        if m is None:
            raise NotSimple(text)
        op, version = m.groups()
        if op == "<=":
            # <=V,!=V: everything below V, V's pre-releases included
            if i + 1 >= len(clauses) or clauses[i + 1] != f"!={version}":
                raise NotSimple(text)
            v = parse_version(version)
            if v.pre is not None or v.dev is not None:
                raise NotSimple(text)
            interval: Interval = (None, v)
            i += 1
        else:
            interval = _clause_interval(op, version)
        i += 1
        lo = _max_lo(lo, interval[0])
        hi = _min_hi(hi, interval[1])
    if len(set(clauses)) != len(clauses):
        raise NotSimple(text)  # packaging drops repeated clauses; leave such texts to it
    _nonempty(lo, hi)
    return ((lo, hi),)


def _nonempty(lo: Bound | None, hi: Bound | None) -> None:
    """Empty sets are left to the interval algebra (``<0`` is empty: nothing sorts below 0.dev0)."""
    if hi is not None and (not lo.key < hi.key if lo is not None else hi.key == parse_version("0.dev0").key):
        raise NotSimple("empty")


def _max_lo(a: Bound | None, b: Bound | None) -> Bound | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if _same(a, b) or a.key > b.key else b


def _min_hi(a: Bound | None, b: Bound | None) -> Bound | None:
    if a is None:
        return b
    if b is None:
        return a
    return a if _same(a, b) or a.key < b.key else b


def intersect(parts: list[Spans]) -> Spans:
    """The intersection of single-interval span sets (NotSimple for anything else or an empty result)."""
    lo: Bound | None = None
    hi: Bound | None = None
    for spans in parts:
        if len(spans) != 1:
            raise NotSimple("intersection of unions")
        lo = _max_lo(lo, spans[0][0])
        hi = _min_hi(hi, spans[0][1])
    _nonempty(lo, hi)
    return ((lo, hi),)


def union(parts: list[Spans]) -> Spans:
    """The union of span sets: sorted, overlapping or touching intervals merged."""
    intervals = sorted(
        (iv for spans in parts for iv in spans), key=lambda iv: () if iv[0] is None else (0, iv[0].key)
    )
    out: list[list] = []
    for lo, hi in intervals:
        if out:
            last = out[-1]
            if lo is not None and last[0] is not None:
                _same(lo, last[0])  # equal lower bounds spelled differently: NotSimple
            if last[1] is None or lo is None or lo.key <= last[1].key:
                if hi is None or last[1] is None:
                    last[1] = None
                elif hi.key > last[1].key:
                    last[1] = hi
                else:
                    _same(hi, last[1])
                continue
        out.append([lo, hi])
    return tuple((lo, hi) for lo, hi in out)


def _mergeable_gap(up: Bound, low: Bound) -> bool:
    """The interval algebra's test whether a gap could be a ``!=`` exclusion (see ``_common.mergeable``).

    Like packaging's, it compares the versions the bounds are made of (``>V``'s cut is made of V).
    """
    return up.key == (low.key if low.after is None else low.after) or (up.dev == 0 and low.dev == 0 and up.pre is None and low.pre is None)


def wildcard_text(lo: Bound | Version, hi: Bound | Version) -> str | None:  # (the same attribute names)
    """``==X.*`` when ``[lo, hi)`` is ``[X.dev0, X'.dev0)``, X' being X with its last component incremented.

    The one test of this shape, for the fast path's bounds and the interval algebra's versions alike.
    """
    if (
        lo.dev == 0
        and hi.dev == 0
        and lo.pre is None
        and hi.pre is None
        and lo.post is None
        and hi.post is None
        and lo.epoch == hi.epoch
        and len(lo.release) == len(hi.release)
        and hi.release == (*lo.release[:-1], lo.release[-1] + 1)
    ):
        return f"=={_fmt(lo.epoch, lo.release)}.*"
    return None


def interval_text(interval: Interval) -> str:
    """The PEP 440 text of one interval, as ``_common.interval_text`` spells it (NotSimple where it would search)."""
    lo, hi = interval
    if lo is None and hi is None:
        return ""
    if lo is not None and hi is not None:
        wildcard = wildcard_text(lo, hi)
        if wildcard is not None:
            return wildcard
    clauses = [f">{lo.text}" if lo.after is not None else f">={lo.text}"] if lo is not None else []
    if hi is not None:
        if hi.dev == 0 and hi.pre is None and hi.post is None:
            clauses.append(f"<{_fmt(hi.epoch, hi.release)}")
        elif hi.pre is None and hi.dev is None:
            clauses += [f"<={hi.text}", f"!={hi.text}"]
        else:
            clauses.append(f"<{hi.text}")
    return ",".join(clauses)


def set_text(spans: Spans) -> str | None:
    """Exact PEP 440 text of the set, ``None`` for a union with a gap no ``!=`` can say (NotSimple otherwise)."""
    if len(spans) == 1:
        return interval_text(spans[0])
    if any(not _mergeable_gap(up, low) for (_, up), (low, _) in pairwise(spans)):
        return None
    raise NotSimple("every gap is one a != clause might say")


def runs(spans: Spans) -> list[str]:
    """PEP 440 texts of the largest expressible runs of a union's intervals (``_union_runs``): one per interval
    when no gap could be a ``!=`` exclusion (NotSimple otherwise)."""
    if any(_mergeable_gap(up, low) for (_, up), (low, _) in pairwise(spans)):
        raise NotSimple("a gap a != clause might say")
    return [interval_text(iv) for iv in spans]


def hull(spans: Spans) -> Interval:
    return (spans[0][0], spans[-1][1])


def gaps_prereleases_only(spans: Spans) -> bool:
    """Whether every version between the intervals is a pre-release or dev release."""
    for (_, up), (low, _) in pairwise(spans):
        if up.pre is None and up.dev is None:
            first_final = up
        elif up.pre is not None:
            first_final = parse_version(_fmt(up.epoch, up.release))
        else:
            post = f".post{up.post}" if up.post is not None else ""
            first_final = parse_version(_fmt(up.epoch, up.release) + post)
        if first_final.key < low.key:
            return False
    return True
