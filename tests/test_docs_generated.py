"""The conversion tables in docs/formats/*.md and docs/losses.md are generated from the Feature declarations
(src/depglot/docs_gen.py): they must be what the generator produces now. Regenerate with
``python -m depglot.docs_gen``."""

from __future__ import annotations

from pathlib import Path

import pytest

from depglot import docs_gen, registry
from depglot.format import Feature
from depglot.ir.features import FEATURE_LOSSES

DOCS = Path(__file__).resolve().parent.parent / "docs"
RENDERED = docs_gen.render_all(DOCS)


@pytest.mark.parametrize("path", sorted(RENDERED), ids=lambda p: str(p.relative_to(DOCS)))
def test_generated_docs_are_up_to_date(path: Path):
    assert path.read_text(encoding="utf-8") == RENDERED[path], (
        f"{path.relative_to(DOCS.parent)} is out of date with the Feature declarations: "
        "run `python -m depglot.docs_gen` and commit the result"
    )


def test_every_format_has_a_documented_table():
    documented = {name for names in docs_gen.DOC_FORMATS.values() for name in names}
    expected = set(docs_gen.writable_targets()) | {n for n in registry.names() if not registry.format_class(n).can_write}
    assert documented == expected - {"ir"}


def test_every_feature_has_a_text_and_a_loss():
    assert set(docs_gen.FEATURE_TEXT) == set(Feature)
    assert set(FEATURE_LOSSES) | set(docs_gen.OTHER_LOSSES) == set(Feature)
    assert not set(FEATURE_LOSSES) & set(docs_gen.OTHER_LOSSES)


def test_tables_follow_the_declarations():
    """The table rows are the declarations, read both ways: a feature the target holds is kept, one it lacks is the
    preflight's code with its severity."""
    block = docs_gen.conversions_block(("pipfile",))
    row = next(line for line in block.splitlines() if line.startswith("| `requirements` |"))
    kept, rewritten, lost = (cell.strip() for cell in row.split("|")[2:5])
    holds = registry.get("requirements").features
    for feature in registry.get("pipfile").features:
        rule = FEATURE_LOSSES[feature]
        if feature in holds:
            assert feature.value in kept.split(", ")
        elif rule.severity.label == "info":
            assert f"{feature.value} → `{rule.code}`" in rewritten
        else:
            assert f"{feature.value} → `{rule.code}` ({rule.severity.label})" in lost
    assert "groups → `groups-flattened`" in rewritten  # requirements has no groups: rewritten as one list
    assert "python → `python-dropped` (warning)" in lost


def test_check_mode_reports_a_stale_block(tmp_path: Path):
    docs = tmp_path / "docs"
    (docs / "formats").mkdir(parents=True)
    for path, text in RENDERED.items():
        (docs / path.relative_to(DOCS)).write_text(text, encoding="utf-8")
    assert docs_gen.main(["--docs", str(docs), "--check"]) == 0
    pipfile = docs / "formats" / "pipfile.md"
    pipfile.write_text(pipfile.read_text(encoding="utf-8").replace("`groups-flattened`", "`x`"), encoding="utf-8")
    assert docs_gen.main(["--docs", str(docs), "--check"]) == 1
    assert docs_gen.main(["--docs", str(docs)]) == 0  # regenerates
    assert pipfile.read_text(encoding="utf-8") == RENDERED[DOCS / "formats" / "pipfile.md"]


def test_matrix_numbers_are_documented():
    """The generated tables link to docs/matrix.md, the measured numbers of a full matrix run."""
    text = (DOCS / "matrix.md").read_text(encoding="utf-8")
    assert "| conversions (file × target) |" in text
    assert "| unexplained differences outside the known-gaps table | 0 |" in text


def test_matrix_doc_renders_a_summary():
    summary = {"conversions": 3, "exact": 1, "with-differences": 2, "with:groups-flattened": 2,
               "pairs": {"groups-flattened": [["pipfile", "requirements"], ["poetry", "requirements"],
                                              ["poetry", "conda"]]}}
    text = docs_gen.matrix_doc(summary)
    assert "| conversions (file × target) | 3 |" in text
    assert "| `groups-flattened` | 2 | pipfile → requirements; poetry → conda, requirements |" in text
