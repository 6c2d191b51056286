"""Shared test helpers: where the shared corpus and vectors live (beside the checkout, never copied in)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus"
VECTORS = SHARED / "vectors"


def corpus_files(category: str) -> list[Path]:
    """Every file of a corpus category, sorted; empty when the corpus is absent (tests then skip with a reason)."""
    d = CORPUS / category
    if not d.is_dir():
        return []
    return sorted(p for p in d.iterdir() if p.is_file())


def corpus_params(*categories: str) -> list:
    """pytest params over corpus files (ids are category/filename); one skip param when the corpus is absent."""
    params = [pytest.param(p, id=f"{p.parent.name}/{p.name}") for c in categories for p in corpus_files(c)]
    if not params:
        params = [
            pytest.param(
                None,
                marks=pytest.mark.skip(reason=f"shared corpus not found at {CORPUS} (categories: {categories})"),
                id="no-corpus",
            )
        ]
    return params


def manifest_rows() -> list[dict[str, str]]:
    """Rows of corpus/MANIFEST.tsv (category, saved_name, repo, path, features...)."""
    path = CORPUS / "MANIFEST.tsv"
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def vector_rows(name: str) -> list[dict[str, str]]:
    path = VECTORS / name
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
