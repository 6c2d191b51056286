"""PATH expansion (files, directories with .gitignore, globs, --exclude), manifest classification, settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from depglot.edit.discover import GitIgnore, classify, discover, locks_beside, plan_root
from depglot.edit.settings import Settings, load_settings
from depglot.errors import DepglotError, ParseError


def _tree(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")


def _rels(root: Path, found) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(os.path.relpath(f.path, root).replace(os.sep, "/") for f in found)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    _tree(tmp_path, {
        ".gitignore": "build/\n*.bak.txt\n/top-only.txt\n!keep.bak.txt\n",
        "requirements.txt": "requests\n",
        "requirements-dev.txt": "pytest\n",
        "keep.bak.txt": "x\n",
        "old.bak.txt": "x\n",
        "MANIFEST.in": "include README.md\nrecursive-include src *.py\n",
        "requirements.in": "flask\n",
        "build/requirements.txt": "django\n",
        ".venv/lib/requirements.txt": "x\n",
        "node_modules/x/requirements.txt": "x\n",
        "svc/Pipfile": "[packages]\nrequests = '*'\n",
        "svc/Pipfile.lock": "{}\n",
        "svc/pyproject.toml": "[project]\nname = 'svc'\ndependencies = ['requests']\n",
        "svc/.gitignore": "generated/\n",
        "svc/generated/requirements.txt": "x\n",
        "svc/README.md": "requests\n",
        "svc/setup.py": "print('never run')\n",
        "docs/requirements.txt": "sphinx\n",
        "tools/run.py": "# /// script\n# dependencies = [\"requests\"]\n# ///\nprint(1)\n",
        "tools/plain.py": "print('# /// script')\n",
    })
    return tmp_path


def test_directory_search_respects_gitignore_and_default_excludes(tree: Path) -> None:
    assert _rels(tree, discover([str(tree)])) == [
        "docs/requirements.txt", "requirements-dev.txt", "requirements.in", "requirements.txt", "svc/Pipfile",
        "svc/pyproject.toml", "tools/run.py",
    ]


def test_locks_are_found_only_on_request_and_flagged(tree: Path) -> None:
    locks = [f for f in discover([str(tree)], include_locks=True) if f.lock]
    assert _rels(tree, locks) == ["svc/Pipfile.lock"]


def test_exclude_globs_match_paths_and_names(tree: Path) -> None:
    assert _rels(tree, discover([str(tree)], exclude=["svc", "requirements-*.txt", "*.py"])) == [
        "docs/requirements.txt", "requirements.in", "requirements.txt"]
    assert _rels(tree, discover([str(tree)], exclude=["docs/*", "tools"])) == [
        "requirements-dev.txt", "requirements.in", "requirements.txt", "svc/Pipfile", "svc/pyproject.toml"]


def test_without_gitignore_ignored_files_come_back(tree: Path) -> None:
    rels = _rels(tree, discover([str(tree)], respect_gitignore=False))
    assert "build/requirements.txt" in rels and "svc/generated/requirements.txt" in rels
    assert ".venv/lib/requirements.txt" not in rels


def test_globs_and_explicit_files(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree)
    assert _rels(tree, discover(["**/requirements*.txt"])) == [
        "build/requirements.txt", "docs/requirements.txt", "requirements-dev.txt", "requirements.txt",
        "svc/generated/requirements.txt"]
    # an explicit file is taken even when ignored
    assert _rels(tree, discover(["build/requirements.txt"])) == ["build/requirements.txt"]
    with pytest.raises(DepglotError, match="no file matches"):
        discover(["*.nothing"])
    with pytest.raises(DepglotError, match="no such file"):
        discover(["missing.txt"])


def test_classify_needs_content_for_bare_extension_patterns(tree: Path) -> None:
    assert classify(str(tree / "MANIFEST.in")) is None
    assert classify(str(tree / "requirements.in")).format == "requirements"
    assert classify(str(tree / "svc/README.md")) is None
    assert classify(str(tree / "svc/pyproject.toml")).format.startswith("pep621")


def test_gitignore_rules() -> None:
    gi = GitIgnore("# c\n*.log\n!important.log\n/anchored.txt\nbuild/\ndocs/**/gen\n\\#hash\n")
    assert gi.match("x.log", False) is True
    assert gi.match("sub/x.log", False) is True
    assert gi.match("important.log", False) is False
    assert gi.match("anchored.txt", False) is True
    assert gi.match("sub/anchored.txt", False) is None
    assert gi.match("build", True) is True
    assert gi.match("build", False) is None
    assert gi.match("docs/a/b/gen", True) is True
    assert gi.match("docs/gen", True) is True
    assert gi.match("#hash", False) is True


def test_locks_beside(tree: Path) -> None:
    assert locks_beside(str(tree / "svc/Pipfile"), "pipfile") == [str(tree / "svc/Pipfile.lock")]
    assert locks_beside(str(tree / "requirements.in"), "requirements") == [str(tree / "requirements.txt")]
    assert locks_beside(str(tree / "requirements.txt"), "requirements") == []


def test_plan_root_is_the_repository(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tree / "svc")
    assert plan_root([str(tree / "svc/Pipfile"), str(tree / "requirements.txt")], ".") == str(tree)


def test_settings_from_the_nearest_pyproject(tree: Path) -> None:
    (tree / "pyproject.toml").write_text(
        '[tool.depglot]\nexclude = ["docs"]\njobs = 2\nfail-on = "warning"\nrespect-gitignore = false\n')
    s = load_settings(tree / "svc")
    assert s == Settings(path=str(tree / "pyproject.toml"), exclude=("docs",), jobs=2, fail_on="warning",
                         respect_gitignore=False)
    assert load_settings(tree.parent) == Settings() or load_settings(tree.parent).path != str(tree / "pyproject.toml")


@pytest.mark.parametrize(("body", "message", "line"), [
    ('[tool.depglot]\nexclud = ["x"]\n', "unknown setting 'exclud'", 2),
    ('[tool.depglot]\njobs = 0\n', "jobs must be an integer >= 1", 2),
    ('[tool.depglot]\n\nfail-on = "fatal"\n', "fail-on must be error | warning | info | never", 3),
    ('[tool.depglot]\nexclude = "x"\n', "exclude must be a list of strings", 2),
])
def test_bad_settings_name_the_line(tmp_path: Path, body: str, message: str, line: int) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(body)
    with pytest.raises(ParseError, match=message) as exc:
        load_settings(tmp_path)
    assert exc.value.span.line == line


def test_lazy_discovery_defers_detection_to_the_runner(tree: Path) -> None:
    from depglot.edit.runner import Codemod, run

    found = {os.path.relpath(f.path, tree): f for f in discover([str(tree)], lazy=True, include_locks=True)}
    assert found["svc/Pipfile"].format == "" and not found["svc/Pipfile"].lock
    assert found["svc/Pipfile.lock"].lock
    assert found["requirements.in"].format == ""  # requirements*.in: the name suffices
    assert "MANIFEST.in" not in found  # only *.in matches: its content decided (not requirements)
    result = run(list(found.values()), Codemod(kind="set", name="requests", spec=">=2.32"))
    assert not result.errors
    assert sorted(os.path.relpath(c.path, tree) for c in result.plan.changed) == [
        "requirements.txt", "svc/Pipfile", "svc/pyproject.toml", "tools/run.py"]


def test_invalid_toml_in_settings_is_located(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.depglot]\njobs = 2\nexclude = ["x"\n')
    with pytest.raises(ParseError, match="invalid TOML") as exc:
        load_settings(tmp_path)
    span = exc.value.span
    assert (span.file, span.line, span.column) == (str(tmp_path / "pyproject.toml"), 3, 15)
    assert exc.value.source_line == 'exclude = ["x"'
