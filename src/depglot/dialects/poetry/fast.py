"""The nicest Poetry spelling of the fast path's sets (see :mod:`depglot.dialects._intervals`), read off the bounds.

Mirrors ``spelling.nicest()``: the same candidates in the same order (a pin or wildcard, ``^V``, ``~V``), the first
one whose Poetry set equals the set wins; the Hypothesis test in ``tests/test_dialects_fastpath.py`` holds the two
equal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import lru_cache, partial

from .._intervals import _RELEASE, Bound, Interval, Spans, _fmt, _lower, from_pep440, parse_version, runs

__all__ = ["poetry_nicest", "run_spellings"]


def _bumped_at(v: Bound, index: int) -> Bound:
    """``V'.dev0``: V's release with component ``index`` incremented and the rest zeroed (same length)."""
    rel = v.release
    return parse_version(
        _fmt(v.epoch, (*rel[:index], rel[index] + 1, *(0 for _ in rel[index + 1 :]))) + ".dev0"
    )


def _caret(v: Bound) -> Bound:
    """The upper bound of Poetry's ``^V`` (``V'.dev0``)."""
    return _caret_of(v.text)


def _tilde(v: Bound) -> Bound:
    """The upper bound of Poetry's ``~V`` (``V'.dev0``)."""
    return _tilde_of(v.text)


@lru_cache(maxsize=65536)
def _caret_of(text: str) -> Bound:
    v = parse_version(text)
    rel = v.release
    if rel[0] > 0 or len(rel) == 1:
        return _bumped_at(v, 0)
    if rel[1] > 0 or len(rel) == 2:
        return _bumped_at(v, 1)
    return _bumped_at(v, 2)


@lru_cache(maxsize=65536)
def _tilde_of(text: str) -> Bound:
    v = parse_version(text)
    return _bumped_at(v, 0 if len(v.release) == 1 else 1)


def _equal(a: Interval, b: Interval) -> bool:
    return (a[0].key == b[0].key if a[0] is not None and b[0] is not None else a[0] is b[0]) and (
        a[1].key == b[1].key if a[1] is not None and b[1] is not None else a[1] is b[1]
    )


@lru_cache(maxsize=65536)
def poetry_nicest(text: str) -> str | None:
    """The first exact Poetry spelling among ``poetry._candidates(text)`` (``None``: none is exact), or NotSimple.

    ``text`` is a PEP 440 text of the fast path's shapes, as :func:`from_pep440` reads it.
    """
    if not text.strip():
        return "*"
    (interval,) = from_pep440(text)
    return _nicest_of(text, interval)


def run_spellings(spans: Spans) -> list[str]:
    """Each run of :func:`runs` spelled the nicest Poetry way (``poetry._union_text``'s pieces)."""
    texts = runs(spans)
    return [_nicest_of(text, interval) or text for text, interval in zip(texts, spans, strict=True)]


def _nicest_of(text: str, interval: Interval) -> str | None:
    """:func:`poetry_nicest` of ``text``, whose set is ``interval``."""
    lo, hi = interval
    if lo is None and hi is None:
        return "*"
    if (
        lo is not None
        and hi is not None
        and text.startswith("~=")
        and "," not in text
        and text[2:] == lo.text
    ):
        word = text[2:]  # ~=V: ^V, then ~V
        return (
            f"^{word}"
            if _caret_of(word).key == hi.key
            else f"~{word}"
            if _tilde_of(word).key == hi.key
            else None
        )
    if lo is not None and hi is not None and not lo.text.endswith(".dev0"):
        comma = text.find(",")
        if comma > 2 and text.startswith(">=") and text[comma + 1] == "<" and text[comma + 2] != "=":
            # >=L,<U (no L.* candidate: L is not X.dev0): ^L, then ~L
            word = text[2:comma]
            if "," not in text[comma + 1 :] and word == lo.text:
                if _caret_of(word).key == hi.key:
                    return f"^{word}"
                if _tilde_of(word).key == hi.key:
                    return f"~{word}"
                return None
    for cand, cand_interval in _candidates(text):
        if _equal(cand_interval(), interval):
            return cand
    return None


def _candidates(text: str) -> Iterator[tuple[str, Callable[[], Interval]]]:
    """``poetry._candidates`` in its order, each with (a way to get) the interval Poetry reads from it."""
    clauses = text.split(",")
    lowers = [c[2:] for c in clauses if c.startswith(">=")]
    if len(clauses) == 1:
        c = clauses[0]
        if c.startswith("=="):
            yield c[2:], partial(_read, c)  # ==X.* -> X.*, the same set
        elif c.startswith("~="):
            yield from _caret_tilde(c[2:])
    if len(clauses) > 1:
        for c in clauses:
            if c.startswith("=="):
                yield c[2:], partial(_read, c)
    for low in lowers:
        if low.endswith(".dev0") and _RELEASE.fullmatch(low[:-5]):
            yield f"{low[:-5]}.*", partial(_read, f"=={low[:-5]}.*")
    if (
        len(clauses) == 2
        and len(lowers) == 1
        and any(c.startswith("<") and not c.startswith("<=") for c in clauses)
    ):
        yield from _caret_tilde(lowers[0])


def _caret_tilde(word: str) -> Iterator[tuple[str, Callable[[], Interval]]]:
    v = parse_version(word)
    yield f"^{word}", partial(_caret_interval, v)
    yield f"~{word}", partial(_tilde_interval, v)


def _caret_interval(v: Bound) -> Interval:
    return (_lower(v), _caret(v))


def _tilde_interval(v: Bound) -> Interval:
    return (_lower(v), _tilde(v))


def _read(text: str) -> Interval:
    """The one interval of a PEP 440 text of the fast path's shapes."""
    interval: Interval = from_pep440(text)[0]
    return interval
