"""Codemods over a repository: one-line base-mode edits per format, --diff/--check, bad input, hashes, locks."""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from depglot.cli import build_app
from depglot.edit.atomic import TEMP_PREFIX
from depglot.edit.discover import discover
from depglot.edit.runner import Codemod, run

from .conftest import FIXTURES

REPO = FIXTURES / "repo1"
runner = CliRunner()


def cli(*args: str, cwd: Path | None = None):  # type: ignore[no-untyped-def]
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return runner.invoke(build_app(list(args)), list(args))
    finally:
        os.chdir(old)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    dst = tmp_path / "repo"
    shutil.copytree(REPO, dst)
    return dst


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    minus, plus = [], []
    for line in difflib.ndiff(before.splitlines(), after.splitlines()):
        if line.startswith("- "):
            minus.append(line[2:])
        elif line.startswith("+ "):
            plus.append(line[2:])
    return minus, plus


# A one-package bump changes exactly one line, rendered in each file's own dialect with the same meaning.
BUMPS = [
    ("requirements", "requirements.txt", 'requests==2.31.0 ; python_version >= "3.8"',
     'requests>=2.32 ; python_version >= "3.8"'),
    ("pipfile", "Pipfile", 'requests = "==2.31.0"   # pinned for now', 'requests = ">=2.32"   # pinned for now'),
    ("poetry", "poetry/pyproject.toml", 'requests = "^2.31"  # keep this comment',
     'requests = ">=2.32"  # keep this comment'),
    ("pep621", "pep621/pyproject.toml", '    "requests>=2.31",  # http', '    "requests>=2.32",  # http'),
    ("conda", "conda/environment.yml", "      - requests==2.31.0", "      - requests>=2.32"),
    ("script", "scripts/fetch.py", '#     "requests==2.31.0",', '#     "requests>=2.32",'),
]
# The same meaning as written, spelled differently: no byte may change.
SAME = {"requirements": "==2.31", "pipfile": "==2.31", "poetry": "<3.0,>=2.31.0", "pep621": ">=2.31.0",
        "conda": "==2.31", "script": "==2.31"}


@pytest.mark.parametrize(("fmt", "rel", "old", "new"), BUMPS, ids=[b[0] for b in BUMPS])
def test_a_bump_changes_exactly_one_line(repo: Path, fmt: str, rel: str, old: str, new: str) -> None:
    path = repo / rel
    before = path.read_text(encoding="utf-8")
    result = run(discover([str(path)]), Codemod(kind="set", name="requests", spec=">=2.32"))
    assert not result.errors, result.errors[0].error
    after = result.files[0].after.decode("utf-8")
    assert _changed_lines(before, after) == ([old], [new])
    # and the file reads back with the new meaning
    from depglot import api

    m = api.loads(after, result.files[0].format, path=str(path))
    reqs = [r for r in m.requirements() if r.key == "requests"]
    assert [r.version.pep440 for r in reqs] == [">=2.32"]


@pytest.mark.parametrize(("fmt", "rel", "old", "new"), BUMPS, ids=[b[0] for b in BUMPS])
def test_an_unrelated_codemod_leaves_every_byte(repo: Path, fmt: str, rel: str, old: str, new: str) -> None:
    path = repo / rel
    for codemod in (Codemod(kind="set", name="requests", spec=SAME[fmt]), Codemod(kind="remove", name="not-there"),
                    Codemod(kind="rename-group", old="x", new="y"), Codemod(kind="add", requirement="Flask>=3.0")):
        result = run(discover([str(path)]), codemod)
        assert not result.errors, result.errors[0].error
        assert not result.plan.check(), (codemod, result.plan.diff())


# normalize renames one entry in place: exactly one line changes, and the entry keeps its position.
RENAMES = [
    ("requirements", "requirements.txt", "Flask>=3.0  # web", "flask>=3.0  # web"),
    ("pipfile", "Pipfile", 'Flask_Login = ">=3.0"', 'flask-login = ">=3.0"'),
    ("poetry", "poetry/pyproject.toml", 'Flask_Login = ">=3.0"', 'flask-login = ">=3.0"'),
    ("pep621", "pep621/pyproject.toml", '    "Flask_Login>=3.0",', '    "flask-login>=3.0",'),
    ("conda", "conda/environment.yml", "      - Flask_Login>=3.0", "      - flask-login>=3.0"),
]


@pytest.mark.parametrize(("fmt", "rel", "old", "new"), RENAMES, ids=[r[0] for r in RENAMES])
def test_normalize_changes_exactly_one_line_in_place(repo: Path, fmt: str, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    if fmt != "requirements":
        text = text.replace(old.replace("Flask_Login", "flask"), old, 1)
        path.write_text(text, encoding="utf-8")
    assert old in text.splitlines()
    result = run(discover([str(path)]), Codemod(kind="normalize"))
    assert not result.errors, result.errors[0].error
    after = result.files[0].after.decode("utf-8")
    assert _changed_lines(text, after) == ([old], [new])
    assert text.splitlines().index(old) == after.splitlines().index(new)


ADDED = {"requirements": "attrs>=23", "pipfile": 'attrs = ">=23"', "poetry": 'attrs = ">=23"',
         "pep621": '    "attrs>=23",', "conda": "  - attrs>=23", "script": '#     "attrs>=23",'}


@pytest.mark.parametrize(("fmt", "rel", "old", "new"), BUMPS, ids=[b[0] for b in BUMPS])
def test_add_and_remove_touch_one_line(repo: Path, fmt: str, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text(encoding="utf-8")
    added = run(discover([str(path)]), Codemod(kind="add", requirement="attrs>=23"))
    assert not added.errors, added.errors[0].error
    after = added.files[0].after.decode("utf-8")
    assert _changed_lines(text, after) == ([], [ADDED[fmt]])
    removed = run(discover([str(path)]), Codemod(kind="remove", name="Requests"))
    assert _changed_lines(text, removed.files[0].after.decode("utf-8")) == ([old], [])


def test_cli_diff_check_and_apply(repo: Path) -> None:
    before = (repo / "requirements.txt").read_bytes()
    r = cli("set", "requests", ">=2.32", "requirements.txt", "--diff", cwd=repo)
    assert r.exit_code == 1, r.output
    assert "-requests==2.31.0 ;" in r.stdout and "+requests>=2.32 ;" in r.stdout
    assert (repo / "requirements.txt").read_bytes() == before
    r = cli("set", "requests", ">=2.32", "requirements.txt", "--check", cwd=repo)
    assert r.exit_code == 1
    assert "would change requirements.txt" in r.stderr
    r = cli("set", "requests", ">=2.32", "requirements.txt", cwd=repo)
    assert r.exit_code == 0, r.output
    assert "changed 1 file" in r.stderr
    assert b"requests>=2.32 ;" in (repo / "requirements.txt").read_bytes()
    r = cli("set", "requests", ">=2.32", "requirements.txt", "--check", cwd=repo)
    assert r.exit_code == 0  # idempotent: nothing left to change


def test_cli_add_remove_normalize_over_a_directory(repo: Path) -> None:
    r = cli("add", "Attrs>=23", "requirements.txt", "requirements-dev.txt", cwd=repo)
    assert r.exit_code == 0, r.output
    assert (repo / "requirements.txt").read_text().endswith("urllib3<3\nAttrs>=23\n")
    assert (repo / "requirements-dev.txt").read_text() == "-r requirements.txt\npytest>=8\nAttrs>=23\n"
    r = cli("normalize", "requirements.txt", cwd=repo)
    assert r.exit_code == 0, r.output
    text = (repo / "requirements.txt").read_text()
    assert "flask>=3.0  # web\n" in text and "attrs>=23\n" in text
    r = cli("remove", "ATTRS", "requirements.txt", "requirements-dev.txt", cwd=repo)
    assert r.exit_code == 0, r.output
    assert (repo / "requirements-dev.txt").read_text() == "-r requirements.txt\npytest>=8\n"


def test_add_to_a_group_skips_groupless_files_with_a_note(repo: Path) -> None:
    r = cli("add", "mypy", "requirements.txt", "--group", "dev", "--check", "--fail-on", "info", cwd=repo)
    assert "info[add-group-skipped]" in r.stderr
    assert r.exit_code == 1  # the note is at the info threshold; nothing would change
    assert "would change" not in r.stderr


def test_gitignored_directories_are_not_searched(repo: Path) -> None:
    (repo / ".git").mkdir()
    paths = {os.path.relpath(f.path, repo) for f in discover([str(repo)])}
    assert "legacy/requirements.txt" not in paths
    assert "legacy/MANIFEST.in" not in paths
    assert "requirements.txt" in paths


def test_one_bad_file_stops_everything_before_writing(repo: Path) -> None:
    (repo / "requirements-bad.txt").write_text("requests>=2\nflask===\n", encoding="utf-8")
    before = (repo / "requirements.txt").read_bytes()
    r = cli("set", "requests", ">=2.32", "requirements.txt", "requirements-bad.txt", cwd=repo)
    assert r.exit_code == 2
    assert "requirements-bad.txt:2:" in r.stderr
    assert "nothing was written" in r.stderr
    assert (repo / "requirements.txt").read_bytes() == before
    r = cli("set", "requests", ">=2.32", "requirements.txt", "requirements-bad.txt", "--keep-going", cwd=repo)
    assert r.exit_code == 2
    assert "requirements-bad.txt:2:" in r.stderr and "skipped 1 file" in r.stderr
    assert b"requests>=2.32 ;" in (repo / "requirements.txt").read_bytes()
    assert not [p for p in repo.rglob("*") if p.name.startswith(TEMP_PREFIX)]


def test_bad_arguments_exit_2_before_reading(repo: Path) -> None:
    r = cli("set", "requests", ">=2..32", cwd=repo)
    assert r.exit_code == 2
    assert "<argument>:1:" in r.stderr
    r = cli("set", "requests", ">=2", "no/such/dir", cwd=repo)
    assert r.exit_code == 2
    assert "no such file or directory" in r.stderr


HASHED = (
    "--require-hashes\n"
    "requests==2.31.0 \\\n"
    "    --hash=sha256:58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f\n"
    "idna==3.6 \\\n"
    "    --hash=sha256:c05567e9c24a6b9faaa835c4821bad0590fbb9d5779e7caa6e1cc4978e7eb24f\n"
)


def test_hashed_requirements_refuse_or_drop_with_a_warning(tmp_path: Path) -> None:
    p = tmp_path / "requirements.txt"
    p.write_text(HASHED, encoding="utf-8")
    r = cli("set", "requests", "==2.32.3", "requirements.txt", cwd=tmp_path)
    assert r.exit_code == 2
    assert "--require-hashes" in r.stderr and "--drop-hashes" in r.stderr
    assert p.read_text() == HASHED
    r = cli("set", "requests", "==2.32.3", "requirements.txt", "--drop-hashes", "--fail-on", "warning", cwd=tmp_path)
    assert "warning[hashes-stale]" in r.stderr
    assert r.exit_code == 1
    text = p.read_text()
    assert "requests==2.32.3\n" in text and "58cd2187" not in text
    assert "idna==3.6 \\\n    --hash=sha256:c05567e9" in text


def test_editing_beside_a_lock_reports_lock_stale_and_never_edits_the_lock(repo: Path) -> None:
    lock = repo / "Pipfile.lock"
    lock.write_text('{"_meta": {"hash": {"sha256": "x"}, "pipfile-spec": 6, "requires": {}, "sources": []},'
                    ' "default": {}, "develop": {}}\n', encoding="utf-8")
    before = lock.read_bytes()
    r = cli("set", "requests", ">=2.32", "Pipfile", cwd=repo)
    assert r.exit_code == 0, r.output
    assert "warning[lock-stale]" in r.stderr and "Pipfile.lock" in r.stderr
    assert lock.read_bytes() == before


def test_pin_from_a_compiled_requirements_file(repo: Path) -> None:
    (repo / "locked.txt").write_text("flask==3.0.3\nrequests==2.32.3\nurllib3==2.2.2\n", encoding="utf-8")
    r = cli("pin", "requirements.txt", "--from", "locked.txt", cwd=repo)
    assert r.exit_code == 0, r.output
    assert (repo / "requirements.txt").read_text() == (
        "# runtime dependencies\n--index-url https://pypi.org/simple\nFlask==3.0.3  # web\n"
        'requests==2.32.3 ; python_version >= "3.8"\nurllib3==2.2.2\n'
    )


def test_rename_group_in_pyproject(repo: Path) -> None:
    r = cli("rename-group", "dev", "test", "pep621/pyproject.toml", "--diff", cwd=repo)
    assert r.exit_code == 1, r.output
    assert '-dev = ["pytest>=8"]\n+test = ["pytest>=8"]\n' in r.stdout


def test_settings_exclude_from_pyproject(repo: Path) -> None:
    (repo / ".git").mkdir()
    (repo / "pyproject.toml").write_text('[tool.depglot]\nexclude = ["poetry", "pep621", "conda", "Pipfile", "scripts"]\n')
    r = cli("set", "requests", ">=2.32", "--check", cwd=repo)
    assert r.exit_code == 1, r.output
    assert r.stderr.count("would change") == 1 and "would change requirements.txt" in r.stderr


def test_parallel_jobs_give_the_same_plan(repo: Path) -> None:
    files = [f for f in discover([str(repo / "requirements.txt"), str(repo / "requirements-dev.txt")])]
    one = run(files, Codemod(kind="add", requirement="attrs"), jobs=1)
    two = run(files, Codemod(kind="add", requirement="attrs"), jobs=2)
    assert one.plan.diff() == two.plan.diff() != ""


def test_pin_a_pipfile_from_its_lock(tmp_path: Path) -> None:
    repo = tmp_path / "p"
    shutil.copytree(FIXTURES / "repo2", repo)
    r = cli("pin", "Pipfile", "--from", "Pipfile.lock", cwd=repo)
    assert r.exit_code == 0, r.output
    assert "warning[lock-stale]" in r.stderr
    text = (repo / "Pipfile").read_text()
    assert 'requests = "==2.32.3"\nflask = {version = "==3.0.3", extras = ["async"]}\n' in text
    assert 'colorama = {version = "==0.4.6", markers = "sys_platform == \'win32\'"}\n' in text
    assert 'pytest = "==8.3.2"\n' in text
    assert cli("pin", "Pipfile", "--from", "Pipfile.lock", "--check", cwd=repo).exit_code == 0


def test_a_writer_bug_never_reaches_the_disk(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from depglot import api

    real = api.dumps

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        conv = real(*args, **kwargs)
        return api.Conversion(conv.text + "[project\n", conv.manifest, conv.report, conv.format)

    monkeypatch.setattr(api, "dumps", broken)
    path = repo / "pep621" / "pyproject.toml"
    before = path.read_bytes()
    result = run(discover([str(path)]), Codemod(kind="set", name="requests", spec=">=2.32"))
    assert result.errors and "cannot read back" in (result.errors[0].error or "")
    assert not result.plan.check()
    assert path.read_bytes() == before


def test_the_next_run_finishes_an_interrupted_plan(tmp_path: Path) -> None:
    import subprocess
    import sys

    from depglot.edit import plan as plan_mod
    from depglot.edit.plan import JOURNAL

    from .test_plan import _KILL, NEW

    src = str(Path(plan_mod.__file__).resolve().parents[2])
    script = _KILL.format(src=src, tests=str(Path(__file__).parent))
    proc = subprocess.run([sys.executable, "-c", script, "_replace", "2", str(tmp_path)], capture_output=True)
    assert proc.returncode == 9
    assert (tmp_path / JOURNAL).exists()
    r = cli("set", "requests", "==2.32", "a/requirements.txt", "--check", cwd=tmp_path)
    assert "interrupted depglot run" in r.stderr and (tmp_path / JOURNAL).exists()  # --check writes nothing
    r = cli("set", "requests", "==2.32", "a/requirements.txt", cwd=tmp_path)
    assert "finished an interrupted depglot run" in r.stderr, r.output
    assert not (tmp_path / JOURNAL).exists()
    for rel, data in NEW.items():
        assert (tmp_path / rel).read_bytes() == data if data is not None else not (tmp_path / rel).exists()
    assert not [p for p in tmp_path.rglob("*") if p.name.startswith(TEMP_PREFIX)]


def test_no_manifest_found_is_a_warning_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "README.md").write_text("requests\n")
    r = cli("set", "requests", ">=2", cwd=tmp_path)
    assert r.exit_code == 0
    assert "warning: no manifest found under ." in r.stderr


# ------------------------------------------------------------------------------------ progress bar


def _many(tmp_path: Path, n: int) -> Path:
    root = tmp_path / "many"
    for i in range(n):
        d = root / f"p{i:03d}"
        d.mkdir(parents=True)
        (d / "requirements.txt").write_text("requests==2.31.0\n" if i % 10 == 0 else "flask\n")
    return root


@pytest.fixture
def forced_terminal(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Stand in a rich Console that is a terminal (stderr under the test runner is not): returns its buffer."""
    import io

    from rich.console import Console

    from depglot.cli import codemods as cli_codemods

    buffer = io.StringIO()
    monkeypatch.setattr(cli_codemods, "_terminal_console",
                        lambda: Console(file=buffer, force_terminal=True, width=100))
    return buffer


def test_progress_bar_shows_on_a_terminal_for_a_long_run(tmp_path: Path, forced_terminal) -> None:  # type: ignore[no-untyped-def]
    root = _many(tmp_path, 210)
    result = cli("set", "requests", ">=2.32", str(root), "--check")
    assert result.exit_code == 1, result.output
    drawn = forced_terminal.getvalue()
    assert "manifests" in drawn and "\x1b[" in drawn  # the task's label, drawn with terminal escapes
    assert "manifests" not in result.stderr  # nothing of it on the (non-terminal) stderr


@pytest.mark.parametrize("flags", [["--quiet"], ["-q", "--check"], ["--diff"]], ids=["quiet", "q-check", "diff"])
def test_no_progress_bar_when_quiet_or_diffing(tmp_path: Path, forced_terminal, flags: list[str]) -> None:  # type: ignore[no-untyped-def]
    root = _many(tmp_path, 210)
    result = cli("set", "requests", ">=2.32", str(root), *flags)
    assert result.exit_code == (0 if flags == ["--quiet"] else 1), result.output
    assert forced_terminal.getvalue() == ""
    if "--diff" in flags:
        assert result.stdout.count("+requests>=2.32") == 21
    else:
        assert result.stderr == ""  # --quiet: no summary lines either


def test_no_progress_bar_for_a_short_run(tmp_path: Path, forced_terminal) -> None:  # type: ignore[no-untyped-def]
    root = _many(tmp_path, 199)
    assert cli("set", "requests", ">=2.32", str(root), "--check").exit_code == 1
    assert forced_terminal.getvalue() == ""


def test_no_progress_bar_off_a_terminal_even_with_force_color(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from depglot.cli.codemods import _terminal_console

    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    assert _terminal_console() is None  # CliRunner's stderr is not a terminal
    root = _many(tmp_path, 210)
    result = cli("set", "requests", ">=2.32", str(root), "--check")
    assert result.exit_code == 1
    assert "manifests" not in result.stderr and "\x1b[" not in result.stderr


def test_a_writer_loss_names_the_file_being_edited(tmp_path: Path) -> None:
    """A writer reports on text, not a file: the codemod's report must still say which file (was `<input>:`)."""
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "pyproject.toml").write_text(
        '[tool.poetry]\nname = "demo"\nversion = "1.0"\n\n'
        '[tool.poetry.dependencies]\npython = ">=3.10,<4"\nrequests = ">=1.0"\n'
    )
    r = cli("set", "python", "===3.10", ".", cwd=tmp_path)  # the writer's version-inexpressible has no span
    assert r.exit_code == 0, r.output
    lines = [line for line in r.output.splitlines() if "warning[" in line or "info[" in line or "error[" in line]
    assert lines, r.output
    assert all(line.startswith(os.path.join("pkg", "pyproject.toml")) for line in lines), lines
    assert "<input>" not in r.output
