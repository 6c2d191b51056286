"""Hostile input: every reader either parses or raises a DepglotError with a location — never anything else.

Inputs are corpus files mutated by Hypothesis: byte flips, truncations, deleted/duplicated lines, unicode,
CRLF/CR line endings, a BOM, tabs, very long lines and deep nesting. Each format gets ``FUZZ_EXAMPLES`` cases
(default 10,000; the environment variable DEPGLOT_FUZZ_EXAMPLES changes it for local runs). For inputs that
parse, the base-mode round trip must give the same text back. Counts are printed (``-s`` shows them) and written
to ``tests/.fuzz-counts.json`` for docs/reliability.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import depglot
from depglot import registry
from depglot.errors import DepglotError

from .conftest import corpus_files

FUZZ_EXAMPLES = int(os.environ.get("DEPGLOT_FUZZ_EXAMPLES", "10000"))

# reader format -> corpus categories whose files seed it
SEEDS = {
    "requirements": ("requirements", "hashed_requirements", "freeze"),
    "pipfile": ("pipfile",),
    "pipfile-lock": ("pipfile_lock",),
    "poetry": ("poetry", "poetry2"),
    "pep621": ("pep621", "uv_pyproject", "pdm_pyproject"),
    "poetry-lock": ("poetry_lock",),
    "uv-lock": ("uv_lock",),
    "pdm-lock": ("pdm_lock",),
    "pylock": ("pylock",),
    "script": ("script",),
    "conda": ("conda", "conda_export"),
    "conda-lock": ("conda_lock",),
    "freeze": ("freeze",),
}
COUNTS: Counter[str] = Counter()
CPU: Counter[str] = Counter()  # format:read / format:write -> CPU seconds (reading, base-mode round trips)
MAX_SEED_BYTES = 20_000  # keep each case fast: mutate the head of large locks


def _head(data: bytes) -> bytes:
    """The first MAX_SEED_BYTES of a seed, cut at a line end so the head of a large lock still parses."""
    if len(data) <= MAX_SEED_BYTES:
        return data
    head = data[:MAX_SEED_BYTES]
    return head[: head.rfind(b"\n") + 1] or head


def _seeds(fmt: str) -> list[bytes]:
    return [_head(p.read_bytes()) for c in SEEDS[fmt] for p in corpus_files(c)]


# Strategies built once (a strategy built inside the composite is re-validated and re-labelled on every draw).
_OPS = st.sampled_from(["flip", "truncate", "delete-line", "dup-line", "unicode", "crlf", "cr", "bom", "tabs",
                        "long-line", "nest", "insert-bytes"])
_ROUNDS = st.integers(1, 4)
_BIT = st.integers(0, 7)
_UNICODE = st.text(min_size=1, max_size=8)
_BOMS = st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])
_LONG = st.integers(1000, 20_000)
_OPENERS = st.sampled_from([b"[", b"{", b"- ", b"(", b'"'])
_NEST = st.integers(10, 3000)
_BYTES = st.binary(min_size=1, max_size=16)


@st.composite
def mutated(draw: st.DrawFn, seeds: st.SearchStrategy[bytes]) -> bytes:
    data = bytearray(draw(seeds))
    for _ in range(draw(_ROUNDS)):
        op = draw(_OPS)
        n = len(data)
        if op == "flip" and n:
            i = draw(st.integers(0, n - 1))
            data[i] ^= 1 << draw(_BIT)
        elif op == "truncate" and n:
            del data[draw(st.integers(0, n - 1)):]
        elif op in ("delete-line", "dup-line"):
            lines = bytes(data).split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            if op == "delete-line":
                del lines[i]
            else:
                lines.insert(i, lines[i])
            data = bytearray(b"\n".join(lines))
        elif op == "unicode":
            i = draw(st.integers(0, n))
            data[i:i] = draw(_UNICODE).encode("utf-8", "surrogatepass")
        elif op == "crlf":
            data = bytearray(bytes(data).replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"))
        elif op == "cr":
            data = bytearray(bytes(data).replace(b"\r\n", b"\n").replace(b"\n", b"\r"))
        elif op == "bom":
            data[0:0] = draw(_BOMS)
        elif op == "tabs":
            data = bytearray(bytes(data).replace(b"    ", b"\t"))
        elif op == "long-line":
            i = draw(st.integers(0, n))
            data[i:i] = b"x" * draw(_LONG)
        elif op == "nest":
            i = draw(st.integers(0, n))
            opener = draw(_OPENERS)
            data[i:i] = opener * draw(_NEST)
        elif op == "insert-bytes":
            i = draw(st.integers(0, n))
            data[i:i] = draw(_BYTES)
    return bytes(data)


class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout()


def _read(fmt_name: str, data: bytes):
    fmt = registry.get(fmt_name)
    decoder = getattr(fmt, "decode", None)
    text = decoder(data, "fuzz") if decoder is not None else depglot.api.decode(data, "fuzz")
    return text, depglot.loads(text, fmt_name, path="fuzz")


READABLE = [f for f in SEEDS if f in registry.BUILTIN and registry._available(f)]


# Known, precise bugs the fuzzer finds that are not fixed yet. Whether a run reaches the bug depends on the case
# count, so these are not strict here; each has a deterministic strict-xfail regression test in its converter's
# tests that fails loudly once fixed. (The conda base-mode bug with a repeated pip options line is fixed:
# tests/converters/test_conda.py::test_repeated_pip_options_line_keeps_pre.)
KNOWN_FUZZ_BUGS: dict[str, str] = {}
PARAMS = [
    pytest.param(f, marks=pytest.mark.xfail(strict=False, reason=KNOWN_FUZZ_BUGS[f])) if f in KNOWN_FUZZ_BUGS else f
    for f in READABLE
]


@pytest.mark.slow
@pytest.mark.parametrize("fmt_name", PARAMS)
def test_reader_never_crashes(fmt_name):
    seeds = _seeds(fmt_name)
    if not seeds:
        pytest.skip(f"no corpus seeds for {fmt_name} (shared corpus absent at {SEEDS[fmt_name]})")
    round_trip_ok = registry.format_class(fmt_name).can_write
    seen: dict[bytes, str] = {}  # digest of an input already checked -> its outcome (Hypothesis repeats some)

    # deadline=None: a case may take a second under load; database=None: nothing to replay between runs;
    # derandomize: CI runs are reproducible (the same cases every run); the health checks below only say that the
    # inputs are large (seeds up to 20 KB plus 20 KB long lines) and slow to generate, which is the point here.
    @settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                     HealthCheck.large_base_example, HealthCheck.filter_too_much])
    @given(mutated(st.sampled_from(seeds)))
    def check(data: bytes) -> None:
        COUNTS[fmt_name] += 1
        digest = hashlib.blake2b(data, digest_size=16).digest()
        if digest in seen:
            COUNTS[f"{fmt_name}:{seen[digest]}"] += 1
            return
        signal.alarm(20)  # the handler is installed once around the whole run, below
        clock = time.process_time()
        try:
            try:
                text, manifest = _read(fmt_name, data)
            except DepglotError as exc:
                assert exc.span is not None, f"error without a location: {exc.one_line()}"
                assert "\n" not in exc.one_line()
                COUNTS[fmt_name + ":rejected"] += 1
                seen[digest] = "rejected"
                return
            COUNTS[fmt_name + ":parsed"] += 1
            read_done = time.process_time()
            CPU[fmt_name + ":read"] += read_done - clock
            clock = read_done
            if round_trip_ok:
                assert depglot.dumps(manifest, fmt_name, base=text).text == text
                CPU[fmt_name + ":write"] += time.process_time() - clock
            seen[digest] = "parsed"
        except _Timeout:
            pytest.fail(f"{fmt_name} reader took over 20 s on a {len(data)}-byte input")
        finally:
            if seen.get(digest) == "rejected":
                CPU[fmt_name + ":read"] += time.process_time() - clock
            signal.alarm(0)

    started, cpu_started = time.monotonic(), time.process_time()
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        check()
    finally:
        signal.signal(signal.SIGALRM, old)
    seconds = round(time.monotonic() - started, 1)
    cpu = round(time.process_time() - cpu_started, 1)
    reading, writing = round(CPU[fmt_name + ":read"], 1), round(CPU[fmt_name + ":write"], 1)
    print(f"\nfuzz {fmt_name}: {COUNTS[fmt_name]} cases ({len(seen)} distinct), {COUNTS[fmt_name + ':parsed']} "
          f"parsed, {COUNTS[fmt_name + ':rejected']} rejected with a located error, {seconds} s ({cpu} s CPU: "
          f"{reading} reading, {writing} base-mode round trips, {round(cpu - reading - writing, 1)} generating)")
    out = Path(__file__).with_name(".fuzz-counts.json")
    data = json.loads(out.read_text()) if out.exists() else {}
    data[fmt_name] = {"cases": COUNTS[fmt_name], "parsed": COUNTS[fmt_name + ":parsed"],
                      "rejected": COUNTS[fmt_name + ":rejected"], "distinct": len(seen), "seconds": seconds,
                      "cpu_seconds": cpu, "cpu_read": reading, "cpu_round_trip": writing}
    out.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    assert COUNTS[fmt_name] >= min(FUZZ_EXAMPLES, 10_000) * 0.9
