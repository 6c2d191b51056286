"""Large and hostile requirements files: linear time, bounded memory, and the same answers as pip's regexes.

The 50 MB end-to-end measurement is in tests/test_limits.py; these tests pin the pieces that made it linear
(streamed entries, no quadratic regex, no quadratic diff in base mode) with exact answers and counts, not timings,
except where a timing is the only observable (then with a bound the old code missed by far).
"""

from __future__ import annotations

import difflib
import gc
import re
import signal
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import depglot
from depglot.converters.requirements import RequirementsFormat, read_parts
from depglot.converters.requirements.bulk import BULK_CHARS, paused_gc
from depglot.converters.requirements.lines import (
    COMMENT_RE,
    comment_start,
    iter_physical,
    parse_document,
    split_physical,
)
from depglot.converters.requirements.urls import strip_extras
from depglot.dialects import pep440
from depglot.errors import DepglotError
from depglot.format import ReadOptions

_BREAK_CHARS = ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
_PIECES = st.lists(st.sampled_from(["a", " ", "\t", "#", "\\", "[", "]", ",", "\u3000", *_BREAK_CHARS]))


@contextmanager
def _deadline(seconds: int) -> Iterator[None]:
    def fail(signum, frame):
        raise TimeoutError(f"took over {seconds} s")

    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


# ------------------------------------------------------------------------------------ same answers as pip's


@settings(max_examples=2000, deadline=None, database=None, derandomize=True)
@given(_PIECES.map("".join))
def test_lazy_physical_lines_are_splitlines(text: str) -> None:
    assert list(iter_physical(text)) == split_physical(text) == text.splitlines(keepends=True)


@settings(max_examples=2000, deadline=None, database=None, derandomize=True)
@given(_PIECES.map(lambda p: "".join(p).replace("\n", "")))
def test_comment_start_is_pips_comment_regex(text: str) -> None:
    match = COMMENT_RE.search(text)
    at = comment_start(text)
    if match is None:
        assert at == -1
    else:
        assert at == match.end(1)
        assert text[:at].rstrip() == text[: match.start()]


_PIP_EXTRAS = re.compile(r"^(.+)(\[[^\]]+\])$")  # pip._internal.req.constructors._strip_extras


@settings(max_examples=2000, deadline=None, database=None, derandomize=True)
@given(_PIECES.map("".join))
def test_strip_extras_is_pips_regex(text: str) -> None:
    match = _PIP_EXTRAS.match(text)
    if match is None:
        assert strip_extras(text) == (text, ())
    else:
        inner = match.group(2)[1:-1]
        assert strip_extras(text) == (
            match.group(1).rstrip(),
            tuple(e.strip() for e in inner.split(",") if e.strip()),
        )


def test_streamed_read_equals_the_whole_document_read() -> None:
    text = (
        "# top\n\n-i https://example.org/simple\nflask==3.0  # web\n    # via app\n"
        "numpy>=1 \\\n    --hash=sha256:" + "a" * 64 + "\n./local[dev]\n-e git+https://x.org/r.git#egg=r\n"
    )
    from depglot.converters.requirements.reader import read_document

    streamed = read_parts(text, ReadOptions(path="r.txt"))
    whole = read_document(parse_document(text, "r.txt"))
    assert streamed.requirements == whole.requirements
    assert streamed.indexes == whole.indexes and streamed.comments == whole.comments == ["top"]
    assert [r.comments for r in streamed.requirements] == [("web", "via app"), (), (), ()]
    assert [r.span.line for r in streamed.requirements if r.span] == [4, 6, 8, 9]


# ------------------------------------------------------------------------------------------- hostile lines

# Each of these took seconds to minutes with the regexes pip uses (quadratic backtracking); now milliseconds.
HOSTILE = {
    "blanks before a #-less word": "a" + " " * 200_000 + "b#c\n",
    "a path full of [": "./" + "[" * 200_000 + "\n",
    "blanks after a name (detect)": "a" + " " * 200_000 + "x\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_long_lines_are_linear(name: str) -> None:
    text = HOSTILE[name]
    with _deadline(20):
        assert RequirementsFormat().detect("requirements.txt", text[:8192]) == 0
        try:
            manifest = depglot.loads(text, "requirements", path="h.txt")
        except DepglotError as exc:
            assert exc.span is not None and exc.span.line == 1
        else:
            assert len(manifest.requirements()) == 1


# -------------------------------------------------------------------------------------------- memory and GC


def _big(lines: int) -> str:
    return "".join(
        f"package-{i:06d}[extra]>=1.0,<2 ; python_version >= '3.8'  # a comment to make the line longer\n"
        for i in range(lines)
    )


def test_read_holds_no_document_and_shares_repeated_values() -> None:
    text = _big(20_000)  # 1.9 MB
    gc.collect()
    tracemalloc.start()
    try:
        manifest = depglot.loads(text, "requirements", path="big.txt")
        current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    reqs = manifest.requirements()
    assert len(reqs) == 20_000
    # repeated markers, extras and comments are one object each
    assert len({id(r.marker) for r in reqs}) == 1
    assert len({id(r.extras) for r in reqs}) == 1
    assert len({id(r.comments[0]) for r in reqs}) == 1
    # the line model is dropped line by line: the peak is what is kept (it was 1.48x that when the whole
    # document was held until the last line was read)
    assert peak < current * 1.15


def test_bulk_reads_pause_the_collector_and_restore_it() -> None:
    text = _big(12_000)
    assert len(text) >= BULK_CHARS
    assert gc.isenabled()
    full_before = gc.get_stats()[2]["collections"]
    depglot.loads(text, "requirements", path="big.txt")
    assert gc.get_stats()[2]["collections"] == full_before  # no full collection walked the growing IR
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc(BULK_CHARS):
            pass
        assert not gc.isenabled()  # a caller's choice is left alone
    finally:
        gc.enable()
    with pytest.raises(ValueError), paused_gc(BULK_CHARS):
        raise ValueError
    assert gc.isenabled()


# ------------------------------------------------------------------------------------- base-mode alignment


def _changed(text: str, change) -> tuple[str, depglot.Manifest]:
    manifest = depglot.loads(text, "requirements", path="r.txt")
    group = manifest.groups[0]
    reqs = tuple(r for r in (change(k, r) for k, r in enumerate(group.requirements)) if r is not None)
    return text, manifest.replace(groups=(group.replace(requirements=reqs),))


@pytest.fixture
def difflib_sizes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the sequences base mode hands to difflib (quadratic in the worst case: keep them small)."""
    sizes: list[int] = []
    real = difflib.SequenceMatcher

    def spy(isjunk, a, b, autojunk=True):
        sizes.append(len(a) + len(b))
        return real(isjunk, a, b, autojunk)

    monkeypatch.setattr(difflib, "SequenceMatcher", spy)
    return sizes


def test_every_other_requirement_changed_is_aligned_without_difflib_over_the_file(difflib_sizes) -> None:
    n = 20_000
    text = "".join(f"pkg{i}==1.{i}\n" for i in range(n))
    new = pep440.parse("==2.0")
    base, manifest = _changed(text, lambda k, r: r.replace(version=new) if k % 2 else r)
    with _deadline(60):  # difflib alone: 7.7 s for 8,000 lines, quadratic
        out = depglot.dumps(manifest, "requirements", base=base).text
    expected = "".join(f"pkg{i}==2.0\n" if i % 2 else f"pkg{i}==1.{i}\n" for i in range(n))
    assert out == expected
    assert max(difflib_sizes, default=0) <= 2  # only the one-line gaps between unchanged anchors


def test_many_deletions_pair_by_name_in_n_log_n() -> None:
    n = 20_000
    text = "".join(f"pkg{i}==1.{i} \\\n    --hash=sha256:{'a' * 64}\n" for i in range(n))
    base, manifest = _changed(text, lambda k, r: r.replace(hashes=()) if k % 2 else None)
    with _deadline(60):  # a scan per deleted requirement: 5.7 s for 5,000 lines, quadratic
        out = depglot.dumps(manifest, "requirements", base=base).text
    assert out == "".join(f"pkg{i}==1.{i}\n" for i in range(1, n, 2))


def test_unchanged_head_and_tail_skip_difflib(difflib_sizes) -> None:
    text = "".join(f"pkg{i}==1.{i}\n" for i in range(5000))
    base, manifest = _changed(text, lambda k, r: r.replace(version=pep440.parse("==9")) if k == 2500 else r)
    out = depglot.dumps(manifest, "requirements", base=base).text
    assert out == text.replace("pkg2500==1.2500\n", "pkg2500==9\n")
    assert difflib_sizes == [2]  # the one changed requirement on each side


def test_moved_and_duplicated_requirements_keep_their_lines() -> None:
    text = "a==1\nb==1\nc==1 ; python_version < '3'\nc==1 ; python_version >= '3'\nd==1\n"
    manifest = depglot.loads(text, "requirements", path="r.txt")
    group = manifest.groups[0]
    a, b, _c1, c2, d = group.requirements
    moved = manifest.replace(groups=(group.replace(requirements=(b, a, c2, d)),))
    out = depglot.dumps(moved, "requirements", base=text).text
    assert out == "b==1\na==1\nc==1 ; python_version >= '3'\nd==1\n"
