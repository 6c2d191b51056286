"""``-r``/``-c`` includes: references by default; followed on request, with cycle, depth and root checks."""

from __future__ import annotations

from pathlib import Path

import pytest

import depglot
from depglot.converters.requirements.includes import default_root
from depglot.errors import IncludeError
from depglot.ir.model import IndexRole, Raw
from depglot.span import Span


def _tree(root: Path, files: dict[str, str]) -> None:
    (root / ".git").mkdir(exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_requirement_files_are_merged_with_their_own_spans(tmp_path: Path):
    _tree(
        tmp_path,
        {
            "requirements.txt": "-r base/common.txt\nflask>=3\n-c constraints.txt\n",
            "base/common.txt": "--extra-index-url https://extra.example/simple\nrequests>=2\n-r ../more.txt\n",
            "more.txt": "attrs\n--pre\n",
            "constraints.txt": "urllib3<3\nidna==3.7 ; python_version >= '3.8'\n",
        },
    )
    top = tmp_path / "requirements.txt"
    m = depglot.load(top, "requirements", follow_includes=True)
    assert [r.name for r in m.requirements()] == ["flask", "requests", "attrs"]
    flask, requests, attrs = m.requirements()
    assert flask.span == Span(file=str(top), line=2, column=1, end_line=2, end_column=9)
    common = str(tmp_path / "base" / "common.txt")
    assert requests.span == Span(file=common, line=2, column=1, end_line=2, end_column=12)
    assert attrs.span is not None and attrs.span.file == str(tmp_path / "more.txt")
    assert [(i.url, i.role) for i in m.indexes] == [("https://extra.example/simple", IndexRole.EXTRA)]
    assert m.allow_prereleases is True
    assert m.includes == (("constraint", "constraints.txt"),)
    assert m.raw == (
        Raw(
            format="requirements",
            key="constraints:constraints.txt",
            value=("urllib3<3", "idna==3.7 ; python_version >= '3.8'"),
        ),
    )


def test_without_follow_includes_stay_references(tmp_path: Path):
    _tree(tmp_path, {"requirements.txt": "-r missing.txt\nflask\n"})
    m = depglot.load(tmp_path / "requirements.txt", "requirements")
    assert m.includes == (("requirement", "missing.txt"),)


@pytest.mark.parametrize(
    ("files", "fragment"),
    [
        ({"requirements.txt": "-r requirements.txt\n"}, "include cycle"),
        ({"requirements.txt": "-r a.txt\n", "a.txt": "-c b.txt\n", "b.txt": "-r a.txt\n"}, "include cycle"),
        ({"requirements.txt": "flask\n-r nope.txt\n"}, "cannot read requirement file 'nope.txt'"),
        ({"requirements.txt": "-r https://example.org/r.txt\n"}, "does not fetch"),
    ],
)
def test_include_errors(tmp_path: Path, files: dict[str, str], fragment: str):
    _tree(tmp_path, files)
    with pytest.raises(IncludeError) as info:
        depglot.load(tmp_path / "requirements.txt", "requirements", follow_includes=True)
    assert fragment in info.value.message
    assert info.value.span is not None and info.value.span.line is not None
    assert "^" in info.value.render()


def test_cycle_error_names_the_chain_and_line(tmp_path: Path):
    _tree(
        tmp_path, {"requirements.txt": "flask\n-r a.txt\n", "a.txt": "\n\n--requirement requirements.txt\n"}
    )
    with pytest.raises(IncludeError) as info:
        depglot.load(tmp_path / "requirements.txt", "requirements", follow_includes=True)
    err = info.value
    assert err.span == Span(file=str(tmp_path / "a.txt"), line=3, column=1)
    top, a = tmp_path / "requirements.txt", tmp_path / "a.txt"
    assert err.message == f"include cycle: {top} -> {a} -> {top}"


def test_depth_limit(tmp_path: Path):
    files = {"requirements.txt": "-r 1.txt\n"}
    files.update({f"{i}.txt": f"-r {i + 1}.txt\n" for i in range(1, 6)})
    files["6.txt"] = "flask\n"
    _tree(tmp_path, files)
    from depglot.converters.requirements import RequirementsFormat
    from depglot.format import ReadOptions

    top = tmp_path / "requirements.txt"
    text = top.read_text()
    fmt = RequirementsFormat()
    m = fmt.read(text, ReadOptions(path=str(top), follow_includes=True, max_include_depth=6))
    assert [r.name for r in m.requirements()] == ["flask"]
    with pytest.raises(IncludeError, match="nested deeper than 3 files"):
        fmt.read(text, ReadOptions(path=str(top), follow_includes=True, max_include_depth=3))


def test_root_containment(tmp_path: Path):
    project = tmp_path / "project"
    project.mkdir()
    _tree(project, {"requirements.txt": "-r ../outside.txt\n"})
    (tmp_path / "outside.txt").write_text("flask\n", encoding="utf-8")
    top = project / "requirements.txt"
    with pytest.raises(IncludeError, match="outside the root"):
        depglot.load(top, "requirements", follow_includes=True)
    m = depglot.load(top, "requirements", follow_includes=True, allow_outside=True)
    assert [r.name for r in m.requirements()] == ["flask"]
    m = depglot.load(top, "requirements", follow_includes=True, root=tmp_path)
    assert [r.name for r in m.requirements()] == ["flask"]


def test_default_root_is_the_repository_root(tmp_path: Path):
    _tree(tmp_path, {"a/b/requirements.txt": "flask\n"})
    assert default_root(tmp_path / "a" / "b" / "requirements.txt") == tmp_path
    plain = tmp_path / "x"
    assert default_root(plain / "requirements.txt") == tmp_path  # .git above it


def test_default_root_without_a_repository_is_the_file_directory(tmp_path: Path):
    (tmp_path / "a").mkdir()
    assert not any((p / ".git").exists() for p in (tmp_path, *tmp_path.parents))
    assert default_root(tmp_path / "a" / "requirements.txt") == tmp_path / "a"


def test_constraint_files_refuse_editables_and_report_odd_forms(tmp_path: Path):
    _tree(tmp_path, {"requirements.txt": "-c c.txt\n", "c.txt": "urllib3<3\nfoo[bar]==1\n"})
    m = depglot.load(tmp_path / "requirements.txt", "requirements", follow_includes=True)
    assert [(loss.code, loss.span.line if loss.span else None) for loss in m.losses] == [
        ("requirements-constraint-form", 2)
    ]
    (tmp_path / "c.txt").write_text("urllib3<3\n-e ./lib\n", encoding="utf-8")
    with pytest.raises(IncludeError, match="editable requirements are not allowed as constraints") as info:
        depglot.load(tmp_path / "requirements.txt", "requirements", follow_includes=True)
    assert info.value.span == Span(file=str(tmp_path / "c.txt"), line=2, column=4)
