"""The promise, measured: every corpus file into every writable format, read back, compared by meaning.

A difference between source and read-back that no WARNING/ERROR loss explains fails; so does a WARNING/ERROR
loss that explains no difference. Pass 2 (A -> B -> A) and pass 3 (fresh write in the file's own format) live here
too. Totals are written to tests/.matrix-summary.json (``-s`` prints them).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

import depglot
from depglot import registry
from depglot.api import Selection
from depglot.errors import ConversionError, DepglotError
from depglot.format import Feature

from .conftest import corpus_files
from .matrix_support import differences, unexplained, unfounded
from .test_fuzz import SEEDS

CATEGORY_FORMAT = {cat: fmt for fmt, cats in SEEDS.items() for cat in cats}
CATEGORY_FORMAT["freeze"] = "requirements"  # pip freeze output is a requirements file (read as one)
TARGETS = ["requirements", "pipfile", "pipfile-lock", "poetry", "poetry1", "pep621", "pep621+uv", "pep621+pdm",
           "pylock", "script", "conda", "freeze", "ir"]
ALL = Selection(all_groups=True, all_extras=True)
SUMMARY: Counter[str] = Counter()


def _sources() -> list:
    params = []
    for cat, fmt in sorted(CATEGORY_FORMAT.items()):
        for path in corpus_files(cat):
            params.append(pytest.param(path, fmt, id=f"{cat}/{path.name}"))
    return params or [pytest.param(None, None, marks=pytest.mark.skip(reason="shared corpus absent"), id="none")]


SOURCES = _sources()


def _load(path: Path, fmt: str):
    try:
        return depglot.load(path, fmt)
    except DepglotError as exc:
        pytest.skip(f"corpus file rejected by its reader (a deliberately broken input): {exc.one_line()}")


def _flat(target: str) -> bool:
    return Feature.GROUPS not in registry.get(target).features


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize(("path", "fmt"), SOURCES)
def test_conversion_keeps_meaning_or_reports(path, fmt, target):
    source = _load(path, fmt)
    try:
        conv = depglot.dumps(source, target, selection=ALL)
    except ConversionError as exc:
        # a target that refuses (pylock without file URLs) must say why, and write nothing
        assert target == "pylock", exc.one_line()
        SUMMARY["refused"] += 1
        return
    back = depglot.loads(conv.text, target, path=f"out.{target}")
    flat = _flat(target)
    diffs = differences(source, back, flatten=flat)
    losses = list(conv.report)
    missing = unexplained(diffs, losses)
    # the reader's own interpretations (Manifest.losses) are about the source, not about this conversion
    extra = unfounded(diffs, [loss for loss in losses if loss not in source.losses])
    SUMMARY["conversions"] += 1
    SUMMARY["exact" if not diffs else "with-differences"] += 1
    for loss in losses:
        SUMMARY[f"loss:{loss.code}"] += 1
    assert not missing, "differences no loss explains:\n" + "\n".join(map(repr, missing))
    assert not extra, "losses with no difference:\n" + "\n".join(l.concise() for l in extra)


@pytest.mark.parametrize(("path", "fmt"), SOURCES)
def test_fresh_write_in_own_format_reads_back_equal(path, fmt):
    if not registry.format_class(fmt).can_write:
        pytest.skip(f"{fmt} is read-only")
    source = _load(path, fmt)
    conv = depglot.dumps(source, fmt)
    back = depglot.loads(conv.text, fmt, path=str(path))
    assert differences(source, back, flatten=False) == []


@pytest.mark.parametrize("target", ["requirements", "pipfile", "poetry", "pep621+uv", "conda"])
@pytest.mark.parametrize(("path", "fmt"), SOURCES)
def test_round_trip_through_another_format(path, fmt, target):
    """A -> B -> A: what survived B comes back identical in A."""
    if not registry.format_class(fmt).can_write or fmt == registry.get(target).name:
        pytest.skip("needs a writable source format different from the target")
    source = _load(path, fmt)
    conv = depglot.dumps(source, target, selection=ALL)
    middle = depglot.loads(conv.text, target)
    again = depglot.dumps(middle, fmt)
    back = depglot.loads(again.text, fmt)
    assert differences(middle, back, flatten=_flat(fmt)) == [] or unexplained(
        differences(middle, back, flatten=_flat(fmt)), again.report
    ) == []


def teardown_module(module):  # noqa: ARG001
    out = Path(__file__).with_name(".matrix-summary.json")
    out.write_text(json.dumps(dict(sorted(SUMMARY.items())), indent=2) + "\n")
    print("\nmatrix:", dict(sorted(SUMMARY.items())))
