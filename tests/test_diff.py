"""Semantic manifest diff: meaning, not text; a manifest against its lock; the CLI and its exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from depglot import api
from depglot.cli import build_app
from depglot.ir.diff import diff
from tests.conftest import CORPUS

REQS = """requests>=1.2,<2.0
flask[async]==3.0 ; python_version>="3.8"
black @ git+https://github.com/psf/black.git@24.1.0
-e ./local
"""

POETRY = """[tool.poetry]
name = "x"
version = "1"

[tool.poetry.dependencies]
python = "^3.11"
requests = "^1.2"
flask = {version = "3.0", extras = ["async"], markers = "python_version >= '3.8'"}
black = {git = "https://github.com/psf/black.git", rev = "24.1.0"}
local = {path = "local", develop = true}
"""


def test_same_meaning_in_different_spellings() -> None:
    a = api.loads(REQS, "requirements", path="requirements.txt")
    b = api.loads(POETRY, "poetry", path="pyproject.toml")
    result = diff(a, b)
    assert result.mode == "manifest"
    assert result.same, [c.concise() for c in result.changes]


def test_every_kind_of_change_is_named() -> None:
    a = api.loads(REQS + "idna>=3\n", "requirements", path="a.txt")
    b = api.loads(
        "requests>=1.2,<3.0\nflask[async,dotenv]==3.0 ; python_version>='3.9'\n"
        "black @ git+https://github.com/psf/black.git@24.2.0\n./local\nattrs\n",
        "requirements", path="b.txt",
    )
    assert [c.concise() for c in diff(a, b).changes] == [
        "a.txt:5:1: removed[requirement]: 'idna>=3' removed in group 'main'",
        "b.txt:1:1: changed[version]: requests: version '>=1.2,<2.0' -> '>=1.2,<3.0' in group 'main'",
        "b.txt:2:1: changed[extras]: flask: extras 'async' -> 'async,dotenv' in group 'main'",
        "b.txt:2:1: changed[marker]: flask: marker 'python_version>=\"3.8\"' -> \"python_version>='3.9'\" in group 'main'",
        "b.txt:3:1: changed[source]: black: source 'git+https://github.com/psf/black.git@24.1.0' -> "
        "'git+https://github.com/psf/black.git@24.2.0' in group 'main'",
        "b.txt:4:1: changed[editable]: ./local: editable 'true' -> 'false' in group 'main'",
        "b.txt:5:1: added[requirement]: 'attrs' added in group 'main'",
    ]


def test_groups_match_by_kind_and_name() -> None:
    pipfile = '[packages]\nrequests = "*"\n\n[dev-packages]\npytest = ">=8"\n'
    pyproject = ('[project]\nname = "x"\nversion = "1"\ndependencies = ["requests"]\n\n'
                 '[dependency-groups]\ndev = ["pytest>=8"]\n')
    assert diff(api.loads(pipfile, "pipfile"), api.loads(pyproject, "pep621")).same
    extra = pyproject.replace('[dependency-groups]\ndev = ["pytest>=8"]', '[project.optional-dependencies]\ndev = ["pytest>=8"]')
    changes = diff(api.loads(pipfile, "pipfile"), api.loads(extra, "pep621")).changes
    assert [(c.kind, c.group, c.name) for c in changes] == [("removed", "dev", "pytest"), ("added", "extra:dev", "pytest")]


def test_python_and_indexes_compared_when_both_say_them() -> None:
    a = api.loads('[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.9"\n', "pep621")
    b = api.loads('[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.10"\n', "pep621")
    assert [(c.field, c.a, c.b) for c in diff(a, b).changes] == [("python", ">=3.9", ">=3.10")]
    r1 = api.loads("-i https://u:secret@pkgs.example.com/simple/\nrequests\n", "requirements")
    r2 = api.loads("requests\n", "requirements")
    change = diff(r1, r2).changes[0]
    assert (change.kind, change.field) == ("removed", "index")
    assert "secret" not in change.concise() and "secret" not in json.dumps(change.to_json())


PAIRS = [
    ("pipfile/kennethreitz__responder__Pipfile", "pipfile_lock/kennethreitz__responder__Pipfile.lock",
     ["pytest-mock", "pydantic", "ruff", "httpx"]),
    ("pipfile/heroku__heroku-buildpack-python__spec__fixtures__pipenv_editable__Pipfile",
     "pipfile_lock/heroku__heroku-buildpack-python__spec__fixtures__pipenv_editable__Pipfile.lock", []),
    ("uv_pyproject/Irvingouj__stanford-cs336__answers__assignment5-alignment__pyproject.toml",
     "uv_lock/Irvingouj__stanford-cs336__answers__assignment5-alignment__uv.lock", []),
]


@pytest.mark.parametrize(("manifest", "lock", "unlocked"), PAIRS, ids=[p[0].split("/")[1] for p in PAIRS])
def test_manifest_against_its_lock_in_the_corpus(manifest: str, lock: str, unlocked: list[str]) -> None:
    if not (CORPUS / manifest).is_file():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    result = diff(api.load(CORPUS / manifest), api.load(CORPUS / lock))
    assert result.mode == "lock"
    assert [(c.kind, c.name) for c in result.changes] == [("not-locked", n) for n in unlocked]


def test_stale_lock_pin_is_outside_the_range(tmp_path: Path) -> None:
    src = CORPUS / PAIRS[2][0]
    if not src.is_file():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    lock = api.load(CORPUS / PAIRS[2][1])
    locked = {p.key: p.version for p in lock.lock.packages}
    text = src.read_text(encoding="utf-8")
    req = next(r for r in api.load(src).requirements() if r.key in locked and r.version is not None and r.version.raw)
    bumped = text.replace(f'"{req.name}{req.version.raw}', f'"{req.name}>{locked[req.key]}', 1)
    assert bumped != text
    (tmp_path / "pyproject.toml").write_text(bumped, encoding="utf-8")
    result = diff(api.load(tmp_path / "pyproject.toml"), lock)
    assert [(c.kind, c.name, c.b) for c in result.changes] == [("outside-range", req.name, locked[req.key])]


def _run(args: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(build_app(args), args)


def test_cli(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(REQS)
    (tmp_path / "pyproject.toml").write_text(POETRY)
    same = _run(["diff", str(tmp_path / "requirements.txt"), str(tmp_path / "pyproject.toml")])
    assert same.exit_code == 0 and same.stdout == "" and "same meaning" in same.stderr
    (tmp_path / "pyproject.toml").write_text(POETRY.replace('"^1.2"', '"^1.3"'))
    differ = _run(["diff", "--json", str(tmp_path / "requirements.txt"), str(tmp_path / "pyproject.toml")])
    assert differ.exit_code == 1
    data = json.loads(differ.stdout)
    assert data["same"] is False and data["mode"] == "manifest"
    assert [(c["kind"], c["field"], c["a"], c["b"]) for c in data["changes"]] == [
        ("changed", "version", ">=1.2,<2.0", "^1.3")
    ]
    assert data["changes"][0]["b_span"]["line"] == 7
    missing = _run(["diff", str(tmp_path / "requirements.txt"), str(tmp_path / "nope.txt")])
    assert missing.exit_code == 2 and "Traceback" not in missing.output


def test_pre_commit_hook_is_declared() -> None:
    from ruamel.yaml import YAML

    hooks = YAML(typ="safe").load((Path(__file__).parent.parent / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "depglot-diff")
    assert hook["entry"] == "depglot diff" and hook["pass_filenames"] is False and hook["language"] == "python"


def test_manifest_against_an_environment_listing(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests>=2.32\nidna>=3\nflask\n")
    (tmp_path / "pip_freeze.txt").write_text("idna==3.7\nrequests==2.31.0\nurllib3==2.2.1\n")
    result = diff(api.load(tmp_path / "requirements.txt"), api.load(tmp_path / "pip_freeze.txt", "freeze"))
    assert result.mode == "lock"
    assert [(c.kind, c.name, c.b) for c in result.changes] == [
        ("outside-range", "requests", "2.31.0"), ("not-locked", "flask", None)
    ]


def test_markers_compared_by_meaning_not_text() -> None:
    a = api.loads(
        'pywin32>=306 ; sys_platform == "win32" or sys_platform == "cygwin"\n'
        'tomli>=2 ; python_version < "3.11"\n'
        'uvloop ; platform_system != "Windows" and implementation_name == "cpython"\n'
        'colorama ; os_name == "nt"\n',
        "requirements", path="a.txt")
    b = api.loads(
        "pywin32>=306 ; sys_platform=='cygwin' or sys_platform=='win32'\n"
        "tomli>=2 ; python_full_version < '3.11.0'\n"
        "uvloop ; implementation_name == 'cpython' and 'Windows' != platform_system\n"
        "colorama ; sys_platform == 'win32'\n",
        "requirements", path="b.txt")
    assert [c.concise() for c in diff(a, b).changes] == [
        "b.txt:4:1: changed[marker]: colorama: marker 'os_name == \"nt\"' -> \"sys_platform == 'win32'\" "
        "in group 'main'",
    ]


def test_entries_of_one_package_pair_up_by_equivalent_markers() -> None:
    a = api.loads('numpy<2 ; python_version < "3.9"\nnumpy>=2 ; python_version >= "3.9"\n', "requirements",
                  path="a.txt")
    b = api.loads("numpy>=2.1 ; python_full_version >= '3.9.0'\nnumpy<2 ; python_full_version < '3.9'\n",
                  "requirements", path="b.txt")
    assert [c.concise() for c in diff(a, b).changes] == [
        "b.txt:1:1: changed[version]: numpy: version '>=2' -> '>=2.1' in group 'main'",
    ]


def test_marker_equivalence_in_pyproject_against_poetry() -> None:
    pep621 = ('[project]\nname = "x"\nversion = "1"\n'
              'dependencies = ["tomli>=2 ; python_version < \'3.11\'", "pywin32 ; sys_platform == \'win32\'"]\n')
    poetry = ('[tool.poetry]\nname = "x"\nversion = "1"\n\n[tool.poetry.dependencies]\n'
              'tomli = {version = ">=2", python = "<3.11"}\npywin32 = {version = "*", platform = "win32"}\n')
    result = diff(api.loads(pep621, "pep621"), api.loads(poetry, "poetry"))
    assert result.same, [c.concise() for c in result.changes]


def test_markers_in_an_extra_are_compared_where_that_extra_is_evaluated() -> None:
    def pep621(entry: str):  # type: ignore[no-untyped-def]
        return api.loads(f'[project]\nname = "x"\nversion = "1"\n\n[project.optional-dependencies]\n'
                         f'toml = ["{entry}"]\n', "pep621", path="pyproject.toml")

    plain = pep621("tomli>=2")
    assert diff(plain, pep621("tomli>=2 ; extra == 'toml'")).same
    assert diff(plain, pep621("tomli>=2 ; extra == 'TOML' or python_version < '2'")).same
    changes = diff(plain, pep621("tomli>=2 ; extra == 'other'")).changes
    assert [(c.kind, c.field, c.group) for c in changes] == [("changed", "marker", "extra:toml")]


def test_cli_markers_by_meaning_exit_codes(tmp_path: Path) -> None:
    a, b = tmp_path / "requirements.txt", tmp_path / "requirements-compiled.txt"
    a.write_text('pywin32 ; sys_platform == "win32" or sys_platform == "cygwin"\ntomli ; python_version < "3.11"\n')
    b.write_text("tomli ; python_full_version < '3.11.0'\npywin32 ; sys_platform=='cygwin' or sys_platform=='win32'\n")
    same = _run(["diff", str(a), str(b)])
    assert same.exit_code == 0 and same.stdout == "", same.output
    b.write_text("tomli ; python_full_version < '3.11.1'\npywin32 ; sys_platform=='cygwin' or sys_platform=='win32'\n")
    differ = _run(["diff", str(a), str(b)])
    assert differ.exit_code == 1
    assert differ.stdout == (f"{b}:1:1: changed[marker]: tomli: marker 'python_version < \"3.11\"' -> "
                             "\"python_full_version < '3.11.1'\" in group 'main'\n")


def test_sources_and_unnamed_lines_read_as_written() -> None:
    """A path line without a name prints as the line (``-e .``), a conda package as its MatchSpec and its source as
    ``conda package 'name'``, a registry requirement's source as PyPI (or its package index), an index as its name."""
    env = ("name: x\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip=24.0\n"
           "  - numpy=1.26=py311_0\n  - conda-forge::scipy=1.11\n  - cudatoolkit=11.8\n  - pip:\n      - -e .\n")
    reqs = "numpy==1.26\nscipy==1.11.*\n"  # numpy=1.26=py311_0: exactly 1.26 (a build names one version)
    changes = [c.concise() for c in diff(api.loads(env, "conda", path="environment.yml"),
                                          api.loads(reqs, "requirements", path="requirements.txt")).changes]
    assert changes == [  # pip is the installer of the pip: list: compared only when both sides list it
        "environment.yml:9:5: removed[requirement]: 'cudatoolkit=11.8' removed in group 'main'",
        "environment.yml:11:9: removed[requirement]: '-e .' removed in group 'main'",
        ("requirements.txt:1:1: changed[source]: numpy: source \"conda package 'numpy' (build 'py311_0')\" -> 'PyPI' "
         "in group 'main'"),
        ("requirements.txt:2:1: changed[source]: scipy: source \"conda package 'conda-forge::scipy'\" -> 'PyPI' "
         "in group 'main'"),
    ]
    private = "--index-url https://corp.example/simple\nnumpy==1.26\n"
    [first, *_] = [c for c in diff(api.loads(env, "conda", path="environment.yml"),
                                   api.loads(private, "requirements", path="r.txt")).changes if c.field == "source"]
    assert first.b == "its package index"
    poetry = ('[tool.poetry]\nname = "x"\nversion = "1"\n[tool.poetry.dependencies]\npython = "^3.11"\n'
              'lib = {version = "1", source = "corp"}\n[[tool.poetry.source]]\nname = "corp"\n'
              'url = "https://corp.example/simple"\npriority = "explicit"\n')
    plain = ('[tool.poetry]\nname = "x"\nversion = "1"\n[tool.poetry.dependencies]\npython = "^3.11"\nlib = "1"\n'
             '[[tool.poetry.source]]\nname = "corp"\nurl = "https://corp.example/simple"\npriority = "explicit"\n')
    [change] = diff(api.loads(poetry, "poetry"), api.loads(plain, "poetry")).changes
    assert (change.field, change.a, change.b) == ("source", "index 'corp'", "its package index")
