"""User journeys, end to end through the CLI, on copies of real corpus files.

Each test is one job a user does (migrate a Pipenv project to Poetry, a Poetry project to uv, a conda
environment to requirements and back, a repository-wide version bump, "what does this repo use?", exporting an
environment, and the errors on the way), asserting the files written, the loss lines on stderr and the exit
codes exactly, and handing the results to the target tool itself where one is installed (`poetry check`,
`uv lock --offline`). Where the output is still wrong because of a converter this module does not own, the test
says what it should be and is marked ``xfail(strict=True)`` with the cause.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from .conftest import CORPUS

needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"shared corpus not found at {CORPUS}")
needs_uv = pytest.mark.skipif(shutil.which("uv") is None, reason="uv (the oracle) is not installed: pip install uv")

pytestmark = needs_corpus

runner = CliRunner()


def depglot(*args: str, cwd: Path, input: str | None = None):  # type: ignore[no-untyped-def]
    """``depglot ARGS`` run in ``cwd`` (in-process, as the console script runs it)."""
    from depglot.cli import build_app

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(build_app(list(args)), list(args), input=input)
    finally:
        os.chdir(old)


def lines(text: str) -> list[str]:
    return text.splitlines()


def copy(corpus_path: str, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CORPUS / corpus_path, dst)
    return dst


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
            and ".git" not in p.parts}


def text_of(path: Path) -> str:
    """The file's text; a run of blank lines at its end counts as one newline (the Poetry writer ends files with an
    empty line: ``test_poetry_output_ends_with_one_newline`` holds that against it)."""
    return path.read_text(encoding="utf-8").rstrip("\n") + "\n"


def poetry_check(project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "poetry", "check", "--directory", str(project)],
                          capture_output=True, text=True, timeout=120, check=False)


def uv_lock_offline(project: Path) -> str:
    """uv reads the pyproject (``uv lock --offline``): settings it rejects fail before resolution; offline, resolution
    then stops at the first package missing from the cache. The oracle of tests/converters/test_pep621_tools.py."""
    run = subprocess.run(["uv", "lock", "--offline", "--no-progress"], cwd=project, capture_output=True, text=True,
                         env=dict(os.environ, UV_OFFLINE="1", NO_COLOR="1"), timeout=120, check=False)
    out = run.stdout + run.stderr
    assert "Failed to parse" not in out and "TOML parse error" not in out, out
    assert run.returncode == 0 or "network was disabled" in out or "network connectivity is disabled" in out, out
    return out


# ------------------------------------------------------------------------------------------------------------------
# 1. Pipenv -> Poetry: a Pipfile with a private index, markers and dev packages, beside its Pipfile.lock
# ------------------------------------------------------------------------------------------------------------------

# kennethreitz/responder's Pipfile, as a company would have it: a private index (the [[source]] of renovate's
# Pipfile1 fixture, TLS verification off), a package pinned to it, a platform marker, dev packages (one under a
# python marker, from psf/black's Pipfile). Its Pipfile.lock is responder's own, unchanged: stale, as lock files
# are (typing_extensions is locked at 3.7.4.3 although the Pipfile now asks for >=3.10.0.0).
PIPFILE = """\
[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[[source]]
url = "http://example.com/private-pypi/"
verify_ssl = false
name = "private-pypi"

[packages]
responder = {file = ".", editable = true}
marshmallow = "*"
pydantic = "*"
httpx = "*"
some-package = {version = "==0.3.1", index = "private-pypi"}
colorama = {version = "*", markers = "sys_platform == 'win32'"}

[dev-packages]
pytest = "*"
pytest-cov = "*"
ruff = "*"
typing_extensions = {markers = "python_version < '3.10'", version = ">=3.10.0.0"}

[requires]
python_version = "3.11"
"""

POETRY_FROM_PIPFILE = """\
[tool.poetry]
package-mode = false

[tool.poetry.dependencies]
python = "3.11.*"
responder = { path = ".", develop = true }
marshmallow = "*"
pydantic = "*"
httpx = "*"
some-package = { version = "0.3.1", source = "private-pypi" }
colorama = { markers = "sys_platform == 'win32'" }

[tool.poetry.group.dev.dependencies]
pytest = "*"
pytest-cov = "*"
ruff = "*"
typing_extensions = { version = ">=3.10.0.0", markers = "python_version < '3.10'" }

[[tool.poetry.source]]
name = "private-pypi"
url = "http://example.com/private-pypi/"
priority = "explicit"
"""

PIPFILE_TO_POETRY_LOSSES = [
    "Pipfile:6:3: warning[verify-ssl-dropped]: 'private-pypi' turns TLS verification off; poetry cannot hold it "
    "[source[1]]",
    "Pipfile: info[version-respelled]: pipfile constraint '3.11' written as Poetry '3.11.*' (same versions)",
    "Pipfile:16:1: info[version-respelled]: pipfile constraint '==0.3.1' written as Poetry '0.3.1' (same versions) "
    "[packages.some-package]",
]


@pytest.fixture
def pipenv_project(tmp_path: Path) -> Path:
    project = tmp_path / "shop"
    project.mkdir()
    (project / "Pipfile").write_text(PIPFILE, encoding="utf-8")
    copy("pipfile_lock/kennethreitz__responder__Pipfile.lock", project / "Pipfile.lock")
    return project


def test_pipenv_to_poetry_migrate(pipenv_project: Path) -> None:
    before = files(pipenv_project)
    check = depglot("migrate", "--to", "poetry", "--check", cwd=pipenv_project)
    assert check.exit_code == 1
    assert lines(check.stderr) == [*PIPFILE_TO_POETRY_LOSSES, "would create pyproject.toml"]
    assert files(pipenv_project) == before

    result = depglot("migrate", "--to", "poetry", cwd=pipenv_project)
    assert result.exit_code == 0, result.output
    assert lines(result.stderr) == [*PIPFILE_TO_POETRY_LOSSES, "created pyproject.toml"]
    assert text_of(pipenv_project / "pyproject.toml") == POETRY_FROM_PIPFILE
    assert {p: b for p, b in files(pipenv_project).items() if p != "pyproject.toml"} == before
    oracle = poetry_check(pipenv_project)
    assert oracle.returncode == 0 and "All set!" in oracle.stdout, oracle.stdout + oracle.stderr

    again = depglot("migrate", "--to", "poetry", "--check", cwd=pipenv_project)
    assert again.exit_code == 0 and "would" not in again.stderr  # migrating twice changes nothing


def test_pipenv_to_poetry_convert_is_the_same_file(pipenv_project: Path) -> None:
    result = depglot("convert", "Pipfile", "-t", "poetry", cwd=pipenv_project)
    assert result.exit_code == 0
    assert result.stdout.rstrip("\n") + "\n" == POETRY_FROM_PIPFILE
    assert lines(result.stderr) == PIPFILE_TO_POETRY_LOSSES

    result = depglot("convert", "Pipfile", "-t", "poetry", "-o", "pyproject.toml", cwd=pipenv_project)
    assert result.exit_code == 0 and result.stdout == ""
    assert text_of(pipenv_project / "pyproject.toml") == POETRY_FROM_PIPFILE
    check = depglot("convert", "Pipfile", "-t", "poetry", "-o", "pyproject.toml", "--check", cwd=pipenv_project)
    assert check.exit_code == 0 and "would change" not in check.stderr


def test_pipenv_to_layered_requirements_files(pipenv_project: Path) -> None:
    result = depglot("convert", "Pipfile", "-t", "requirements", "--split", "-o", "requirements.txt",
                     cwd=pipenv_project)
    assert result.exit_code == 0, result.output
    assert (pipenv_project / "requirements.txt").read_text(encoding="utf-8") == (
        "--index-url https://pypi.org/simple\n--extra-index-url http://example.com/private-pypi/\n"
        "--trusted-host example.com\n\n-e .\nmarshmallow\npydantic\nhttpx\nsome-package==0.3.1\n"
        "colorama ; sys_platform == 'win32'\n")
    # the dev file layers on the main one: its -r line brings the indexes, which are not repeated
    assert (pipenv_project / "requirements-dev.txt").read_text(encoding="utf-8") == (
        "-r requirements.txt\n\npytest\npytest-cov\nruff\ntyping_extensions>=3.10.0.0 ; python_version < '3.10'\n")
    assert lines(result.stderr) == [
        "Pipfile:16:1: warning[per-package-index-dropped]: 'some-package' names an index; requirements cannot hold "
        "it [packages.some-package]",
        "Pipfile:6:3: info[index-name-dropped]: 'private-pypi' is an index name; requirements cannot hold it "
        "[source[1]]",
        "Pipfile: warning[python-dropped]: 'python 3.11' is the python constraint; requirements cannot hold it",
        "Pipfile:6:3: warning[requirements-index-role-widened]: index 'private-pypi' is explicit; pip searches every "
        "--extra-index-url for every package [source[1]]",
        "Pipfile:12:1: info[requirements-path-name-dropped]: 'responder' is written as its path '.'; pip reads the "
        "name from the project itself [packages.responder]",
    ]
    from pip._internal.network.session import PipSession
    from pip._internal.req.req_file import parse_requirements

    dev = [str(r.requirement) for r in parse_requirements(str(pipenv_project / "requirements-dev.txt"),
                                                          session=PipSession())]
    assert dev[-4:] == ["pytest", "pytest-cov", "ruff", "typing_extensions>=3.10.0.0 ; python_version < '3.10'"]
    assert dev[0] == "."  # and the main file's requirements through -r (pip: "-e ." is the link ".")


def test_poetry_output_ends_with_one_newline(pipenv_project: Path) -> None:
    result = depglot("convert", "Pipfile", "-t", "poetry", cwd=pipenv_project)
    assert result.stdout == POETRY_FROM_PIPFILE


def test_pipfile_and_requirements_files_merge_into_one_uv_project(tmp_path: Path) -> None:
    copy("pipfile/kennethreitz__requests-html__Pipfile", tmp_path / "scraper" / "Pipfile")
    project = tmp_path / "scraper"
    (project / "requirements.txt").write_text("requests>=2.20\nparse==1.19.0\nlxml\nw3lib<1\n")
    (project / "requirements-dev.txt").write_text("-r requirements.txt\npytest>=7\n")
    result = depglot("migrate", "--to", "uv", "--remove-old", cwd=project)
    assert result.exit_code == 0, result.output
    assert lines(result.stderr) == [
        "requirements.txt:1:1: info[migrate-duplicate-narrowed]: 'requests' is in group 'main' of two files; kept "
        "'requests>=2.20', which also satisfies 'requests'",
        "requirements.txt:2:1: info[migrate-duplicate-narrowed]: 'parse' is in group 'main' of two files; kept "
        "'parse==1.19.0', which also satisfies 'parse'",
        "requirements.txt:4:1: info[migrate-duplicate-narrowed]: 'w3lib' is in group 'main' of two files; kept "
        "'w3lib<1', which also satisfies 'w3lib'",
        "requirements-dev.txt:2:1: info[migrate-duplicate-narrowed]: 'pytest' is in group 'dev' of two files; kept "
        "'pytest>=7', which also satisfies 'pytest'",
        "Pipfile:26:2: warning[pipfile-raw-dropped]: 'scripts' is Pipfile-only data; pep621+uv cannot hold it "
        "[scripts]",
        "Pipfile: warning[project-name-invented]: the source names no project; [project] needs a name, so it is "
        "'scraper' (edit it)",
        "Pipfile: warning[project-version-invented]: the source names no version; [project] needs one, so it is "
        "'0.0.0' (edit it)",
        "created pyproject.toml", "deleted Pipfile", "deleted requirements-dev.txt", "deleted requirements.txt",
    ]
    doc = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert doc["project"]["dependencies"] == [
        "requests>=2.20", "pyquery", "fake-useragent", "parse==1.19.0", "bs4", "w3lib<1", "pyppeteer", "rfc3986",
        "lxml"]  # the Pipfile's order, the narrower of each pair, then what only requirements.txt lists
    assert doc["dependency-groups"]["dev"][:3] == ["twine", "requests-file", "pytest>=7"]
    if shutil.which("uv"):
        uv_lock_offline(project)


def test_pin_from_a_stale_lock_is_an_error(pipenv_project: Path) -> None:
    result = depglot("pin", "Pipfile", "--from", "Pipfile.lock", "--diff", cwd=pipenv_project)
    assert [line for line in lines(result.stderr) if "error[" in line] == [(
        "Pipfile:23:1: error[pin-outside-range]: the lock pins typing_extensions 3.7.4.3, outside "
        "\"typing_extensions>=3.10.0.0 ; python_version < '3.10'\": the lock is stale, so pinning would change what "
        "the manifest asks for (re-lock first, or pass --fail-on never to pin 3.7.4.3 anyway) "
        "[dev-packages.typing_extensions]")], result.stderr
    assert result.exit_code == 1


def test_pipenv_to_poetry_keep_locked_refuses_a_stale_lock(pipenv_project: Path) -> None:
    before = files(pipenv_project)
    result = depglot("migrate", "--to", "poetry", "--keep-locked", cwd=pipenv_project)
    assert result.exit_code == 1
    err = lines(result.stderr)
    assert err[0] == (
        "Pipfile:23:1: error[keep-locked-stale]: Pipfile.lock pins typing_extensions 3.7.4.3, outside "
        "\"typing_extensions>=3.10.0.0 ; python_version < '3.10'\": the lock is stale, so --keep-locked would "
        "change what the manifest asks for (re-lock first, or pass --fail-on never to pin 3.7.4.3 anyway) "
        "[dev-packages.typing_extensions]")
    assert [e.split(": ")[0:2] for e in err if "pin-not-locked" in e] == [
        ["Pipfile:14:1", "warning[pin-not-locked]"], ["Pipfile:15:1", "warning[pin-not-locked]"],
        ["Pipfile:16:1", "warning[pin-not-locked]"], ["Pipfile:22:1", "warning[pin-not-locked]"]]
    assert err[-1] == "not written: losses at or above --fail-on error (see above; --fail-on never writes anyway)"
    assert files(pipenv_project) == before

    result = depglot("migrate", "--to", "poetry", "--keep-locked", "--fail-on", "never", "--remove-old",
                     cwd=pipenv_project)
    assert result.exit_code == 0, result.output
    assert lines(result.stderr)[-3:] == ["created pyproject.toml", "deleted Pipfile", "deleted Pipfile.lock"]
    assert sorted(files(pipenv_project)) == ["pyproject.toml"]
    written = tomllib.loads((pipenv_project / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["poetry"]
    assert written["dependencies"] == {
        "python": "3.11.*", "responder": {"path": ".", "develop": True}, "marshmallow": "3.9.1",
        "pydantic": "*", "httpx": "*", "some-package": {"version": "0.3.1", "source": "private-pypi"},
        "colorama": {"version": "0.4.4", "markers": "sys_platform == 'win32'"}}
    assert written["group"]["dev"]["dependencies"] == {
        "pytest": "6.1.2", "pytest-cov": "2.10.1", "ruff": "*",
        "typing_extensions": {"version": "3.7.4.3", "markers": "python_version < '3.10'"}}
    oracle = poetry_check(pipenv_project)
    assert oracle.returncode == 0, oracle.stdout + oracle.stderr


# ------------------------------------------------------------------------------------------------------------------
# 2. Poetry -> uv: PEP 621 + [tool.uv], dependency groups, sources and indexes
# ------------------------------------------------------------------------------------------------------------------

CHIA = "poetry/Chia-Network__chia-blockchain__pyproject.toml"  # Poetry 2, dynamic dependencies, a supplemental source
PLUGIN_EXPORT = "poetry/python-poetry__poetry-plugin-export__pyproject.toml"  # PEP 621 + Poetry groups (one optional)


def headers_separated(text: str) -> list[str]:
    """Table headers not preceded by a blank line or a comment (the style of every corpus pyproject)."""
    out = []
    prev = ""
    for line in text.splitlines():
        if line.startswith("[") and prev.strip() and not prev.lstrip().startswith("#"):
            out.append(line)
        prev = line
    return out


def test_poetry_with_dynamic_dependencies_and_a_source_to_uv(tmp_path: Path) -> None:
    original = copy(CHIA, tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    result = depglot("migrate", "--to", "uv", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert lines(result.stderr) == [
        "pyproject.toml:3:1: info[migrate-dynamic-made-static]: project.dependencies was dynamic (Poetry filled it "
        "from [tool.poetry]); the target tool reads [project] only, so it is written there and no longer dynamic "
        "[project.dynamic]",
        "pyproject.toml:56:1: info[version-respelled]: poetry constraint '>=0.47.0, <0.48' written as PEP 440 "
        "'>=0.47.0,<0.48' (same versions) [tool.poetry.dependencies.chia_rs]",
        "pyproject.toml:120:190: info[version-respelled]: poetry constraint '>=16.1, <17.0' written as PEP 440 "
        "'>=16.1,<17.0' (same versions) [project.optional-dependencies.dev[13]]",
        "pyproject.toml:120:380: info[version-respelled]: poetry constraint '>= 2.4.3' written as PEP 440 '>=2.4.3' "
        "(same versions) [project.optional-dependencies.dev[25]]",
        "pyproject.toml:121:10: info[version-respelled]: poetry constraint '>=2.3.2, <3' written as PEP 440 "
        "'>=2.3.2,<3' (same versions) [project.optional-dependencies.upnp[0]]",
        "pyproject.toml:37:3: warning[index-role-changed]: index 'chia' is supplemental (used only when no other "
        "index has the package); uv has no such role, so it is an ordinary index searched before PyPI "
        "[tool.poetry.source[0]]",
        "pyproject.toml:1:1: warning[index-strategy-changed]: the source takes the best version across all its "
        "indexes; uv stops at the first index that has the package (choose with --index-strategy: first-index, "
        "unsafe-first-match, unsafe-best-match)",
        "pyproject.toml: info[migrate-tables-replaced]: the Poetry dependency tables were replaced by the target's "
        "and removed: [tool.poetry.dependencies], [tool.poetry.source]",
        "wrote pyproject.toml",
    ]
    text = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    project = doc["project"]
    assert project["dynamic"] == ["version"]  # the version stays Poetry's (poetry-dynamic-versioning)
    old = tomllib.loads(original)["tool"]["poetry"]["dependencies"]
    required = [k for k, v in old.items() if not (isinstance(v, dict) and v.get("optional"))]
    assert [d.split(">")[0].split("=")[0].strip() for d in project["dependencies"]] == \
        [k for k in required for _ in (old[k] if isinstance(old[k], list) else [old[k]])]
    assert project["dependencies"][9] == "chia_rs>=0.47.0,<0.48"
    assert project["dependencies"][32:34] == ['zstd>=1.5.7.2 ; python_version < "3.12"',
                                              'zstd>=1.5.7.2 ; python_version >= "3.12"']
    assert project["optional-dependencies"]["upnp"] == ["miniupnpc>=2.3.2,<3"]
    assert project["optional-dependencies"]["legacy_keyring"] == ["keyrings.cryptfile>=1.3.9"]
    assert 'pytest-monitor>=1.6.6 ; sys_platform == "linux"' in project["optional-dependencies"]["dev"]
    assert doc["tool"]["uv"]["index"] == [{"name": "chia", "url": "https://pypi.chia.net/simple/"}]
    assert doc["tool"]["uv"]["sources"]["miniupnpc"] == {"index": "chia"}
    assert doc["tool"]["uv"]["sources"]["zstd"] == [{"index": "chia", "marker": "python_version >= '3.12'"}]
    assert doc["tool"]["poetry"] == {"packages": [{"include": "chia"}], "version": "0.0.0"}
    assert doc["tool"]["poetry-dynamic-versioning"] == tomllib.loads(original)["tool"]["poetry-dynamic-versioning"]
    assert text.count("\n# see [tool.poetry-dynamic-versioning]\n") == 1  # comments of kept tables stay
    if shutil.which("uv"):
        uv_lock_offline(tmp_path)
    again = depglot("migrate", "--to", "uv", "--check", cwd=tmp_path)
    assert again.exit_code == 0 and "would" not in again.stderr


def test_poetry_conditional_source_to_uv_source_marker(tmp_path: Path) -> None:
    copy(CHIA, tmp_path / "pyproject.toml")
    result = depglot("migrate", "--to", "uv", cwd=tmp_path)
    assert "uv-source-shared" not in result.stderr
    doc = tomllib.loads((tmp_path / "pyproject.toml").read_text(encoding="utf-8"))
    assert doc["tool"]["uv"]["sources"]["zstd"] in (
        [{"index": "chia", "marker": "python_version >= '3.12'"}],
        [{"index": "chia", "marker": 'python_version >= "3.12"'}],
    )


def test_poetry_groups_to_uv_dependency_groups(tmp_path: Path) -> None:
    copy(PLUGIN_EXPORT, tmp_path / "pyproject.toml")
    result = depglot("migrate", "--to", "uv", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert lines(result.stderr) == [
        "pyproject.toml:44:1: info[version-respelled]: poetry constraint '^0.1.7' written as PEP 440 "
        "'>=0.1.7,<0.2.0' (same versions) "
        "[tool.poetry.group.github-actions.dependencies.pytest-github-actions-annotate-failures]",
        "pyproject.toml: info[migrate-tables-replaced]: the Poetry dependency tables were replaced by the target's "
        "and removed: [tool.poetry.group]",
        "wrote pyproject.toml",
    ]
    doc = tomllib.loads((tmp_path / "pyproject.toml").read_text(encoding="utf-8"))
    assert doc["dependency-groups"] == {
        "dev": ["pre-commit>=2.18", "pytest>=8.0", "pytest-cov>=4.0", "pytest-mock>=3.9", "pytest-randomly>=3.12",
                "pytest-xdist[psutil]>=3.1", "mypy>=1.18.1"],
        "github-actions": ["pytest-github-actions-annotate-failures>=0.1.7,<0.2.0"],
    }
    # Poetry installs every non-optional group by default; uv only `dev` unless told: the optional one stays out
    assert doc["tool"]["uv"] == {"default-groups": ["dev"]}
    assert doc["project"]["dependencies"] == ["poetry (>=2.1.0,<3.0.0)", "poetry-core (>=2.1.0,<3.0.0)",
                                              "tomlkit (>=0.11.4,<1.0.0)"]
    assert "group" not in doc["tool"]["poetry"] and doc["tool"]["poetry"]["packages"]
    if shutil.which("uv"):
        uv_lock_offline(tmp_path)


def test_poetry1_project_with_its_lock_to_uv(tmp_path: Path) -> None:
    project = tmp_path / "rich"
    copy("poetry/Textualize__rich__pyproject.toml", project / "pyproject.toml")
    copy("poetry_lock/Textualize__rich__poetry.lock", project / "poetry.lock")
    (project / "README.md").write_text("# rich\n")
    result = depglot("migrate", "--to", "uv", "--keep-locked", "--remove-old", cwd=project)
    assert result.exit_code == 0, result.output
    err = lines(result.stderr)
    assert err[-5:] == [
        "pyproject.toml: info[version-respelled]: and 3 more like these (--report-json FILE or --output-format json "
        "lists every one)",
        "pyproject.toml: info[migrate-tables-replaced]: the Poetry dependency tables were replaced by the target's "
        "and removed: [tool.poetry.dependencies], [tool.poetry.dev-dependencies], [tool.poetry.extras]; so were the "
        "keys [project] now holds: name, version, description, license, authors, readme, classifiers, homepage, "
        "documentation",
        "pyproject.toml: info[poetry-build-requires-raised]: build-system requires 'poetry-core>=1.0.0', but "
        "poetry-core < 2 ignores [project], where the dependencies now are; wrote poetry-core>=2.0.0,<3.0.0 "
        "[build-system.requires]",
        "wrote pyproject.toml",
        "deleted poetry.lock",
    ]
    doc = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    assert doc["tool"]["poetry"] == {"include": ["rich/py.typed"]}  # build settings stay; metadata moved once
    assert doc["build-system"] == {"requires": ["poetry-core>=2.0.0,<3.0.0"],
                                   "build-backend": "poetry.core.masonry.api"}
    assert {k: v for k, v in doc["project"].items() if k != "classifiers"} == {
        "name": "rich", "version": "14.3.3",
        "description": "Render rich text, tables, progress bars, syntax highlighting, markdown and more to the "
                       "terminal",
        "license": "MIT", "authors": [{"name": "Will McGugan", "email": "willmcgugan@gmail.com"}],
        "readme": "README.md", "requires-python": ">=3.8.0",
        "dependencies": ["pygments>=2.13.0,<3.0.0", "markdown-it-py>=2.2.0"],
        "urls": {"Homepage": "https://github.com/Textualize/rich",
                 "Documentation": "https://rich.readthedocs.io/en/latest/"},
        "optional-dependencies": {"jupyter": ["ipywidgets>=7.5.1,<9"]}}
    assert doc["dependency-groups"] == {"dev": [
        "pytest>=7.0.0,<8.0.0", "black>=22.6,<23.0", "mypy>=1.11,<2.0", "pytest-cov>=3.0.0,<4.0.0",
        "attrs>=21.4.0,<22.0.0", "pre-commit>=2.17.0,<3.0.0", "typing-extensions>=4.0.0,<5.0"]}
    lock = tomllib.loads((CORPUS / "poetry_lock/Textualize__rich__poetry.lock").read_text(encoding="utf-8"))
    pins = doc["tool"]["uv"]["constraint-dependencies"]
    assert [p.split(" ;")[0] for p in pins] == [f"{p['name']}=={p['version']}"
                                                 for p in sorted(lock["package"], key=lambda p: p["name"])]
    assert sorted(os.listdir(project)) == ["README.md", "pyproject.toml"]
    oracle = poetry_check(project)  # poetry-core still builds it, from [project] now
    assert oracle.returncode == 0 and "All set!" in oracle.stdout and "Warning" not in oracle.stdout, oracle.stdout
    if shutil.which("uv"):
        uv_lock_offline(project)


UNEARTH = "pdm_pyproject/frostming__unearth__pyproject.toml"  # PDM: [tool.pdm.dev-dependencies], pdm-backend


def test_pdm_project_to_uv_moves_its_dev_groups(tmp_path: Path) -> None:
    original = copy(UNEARTH, tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    result = depglot("migrate", "--to", "uv", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    # [tool.pdm.version/build/scripts] stay in the file (pdm-backend still builds it): no "dropped" warnings for them
    assert lines(result.stderr) == [
        "pyproject.toml: info[migrate-tables-replaced]: [tool.pdm.dev-dependencies] became [dependency-groups] "
        "(PEP 735), which uv and pip read: test, doc [tool.pdm.dev-dependencies]",
        "wrote pyproject.toml",
    ]
    text = (tmp_path / "pyproject.toml").read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    old = tomllib.loads(original)
    assert doc["dependency-groups"] == {
        "test": ["pytest>=6.1", "pytest-httpserver>=1.0.4", "flask>=2.1.2", "requests-wsgi-adapter>=0.4.1",
                 'trustme>=0.9.0 ; python_version < "3.13"', "pytest-mock>=3.12.0"],
        "doc": ["furo", "sphinx", "myst-parser", "sphinx-copybutton", "sphinx-argparse"]}
    assert "dev-dependencies" not in doc["tool"]["pdm"]
    assert {k: v for k, v in doc["tool"]["pdm"].items()} == {
        k: v for k, v in old["tool"]["pdm"].items() if k != "dev-dependencies"}
    assert doc["project"] == old["project"]
    assert text.startswith(original[:original.index("[tool.pdm.dev-dependencies]")])
    if shutil.which("uv"):
        uv_lock_offline(tmp_path)
    again = depglot("migrate", "--to", "uv", "--check", cwd=tmp_path)
    assert again.exit_code == 0 and "would" not in again.stderr
    kept = depglot("migrate", "--to", "pdm", "--check", cwd=tmp_path)  # PDM reads PEP 735 groups too
    assert kept.exit_code == 0, kept.output


def test_pdm_groups_stay_installed_by_default_under_uv(tmp_path: Path) -> None:
    copy(UNEARTH, tmp_path / "pyproject.toml")
    depglot("migrate", "--to", "uv", cwd=tmp_path)
    doc = tomllib.loads((tmp_path / "pyproject.toml").read_text(encoding="utf-8"))
    assert doc["tool"].get("uv", {}).get("default-groups") in ("all", ["test", "doc"])


def test_poetry_groups_to_requirements_files(tmp_path: Path) -> None:
    copy(PLUGIN_EXPORT, tmp_path / "pyproject.toml")
    result = depglot("migrate", "--to", "requirements", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert lines(result.stderr) == [
        "pyproject.toml:1:1: warning[python-dropped]: 'python >=3.10,<4.0' is the python constraint; requirements "
        "cannot hold it",
        "pyproject.toml:1:1: info[project-metadata-dropped]: 'poetry-plugin-export' is project metadata; "
        "requirements cannot hold it",
        "pyproject.toml:44:1: info[version-respelled]: poetry constraint '^0.1.7' written as PEP 440 "
        "'>=0.1.7,<0.2.0' (same versions) "
        "[tool.poetry.group.github-actions.dependencies.pytest-github-actions-annotate-failures]",
        "created requirements.txt", "created requirements-dev.txt", "created requirements-github-actions.txt",
    ]
    assert (tmp_path / "requirements.txt").read_text() == (
        "poetry>=2.1.0,<3.0.0\npoetry-core>=2.1.0,<3.0.0\ntomlkit>=0.11.4,<1.0.0\n")
    # each group file holds its group (it was written empty, with groups-not-selected, and --remove-old lost it)
    assert (tmp_path / "requirements-dev.txt").read_text() == (
        "-r requirements.txt\n\npre-commit>=2.18\npytest>=8.0\npytest-cov>=4.0\npytest-mock>=3.9\n"
        "pytest-randomly>=3.12\npytest-xdist[psutil]>=3.1\nmypy>=1.18.1\n")
    assert (tmp_path / "requirements-github-actions.txt").read_text() == (
        "-r requirements.txt\n\npytest-github-actions-annotate-failures>=0.1.7,<0.2.0\n")


@pytest.mark.parametrize("source", [CHIA, PLUGIN_EXPORT])
def test_tables_written_into_a_pyproject_keep_its_blank_lines(tmp_path: Path, source: str) -> None:
    before = headers_separated(copy(source, tmp_path / "pyproject.toml").read_text(encoding="utf-8"))
    assert depglot("migrate", "--to", "uv", cwd=tmp_path).exit_code == 0
    after = headers_separated((tmp_path / "pyproject.toml").read_text(encoding="utf-8"))
    assert [h for h in after if h not in before] == []


def test_pip_tools_project_to_uv_keeps_the_compiled_pins(tmp_path: Path) -> None:
    project = tmp_path / "notifications-api"
    copy("requirements/alphagov__notifications-api__requirements.in", project / "requirements.in")
    copy("requirements/alphagov__notifications-api__requirements.txt", project / "requirements.txt")
    result = depglot("migrate", "--to", "uv", "--keep-locked", cwd=project)
    assert result.exit_code == 0, result.output
    assert lines(result.stderr) == [
        "requirements.in:30:1: info[migrate-name-from-lock]: a requirement without a name is named 'gds-metrics' "
        "after requirements.txt, which resolved the same source",
        "requirements.in:6:1: info[comments-dropped]: 'kombu' has comments; pep621+uv cannot hold it",
        "requirements.in:23:1: info[comments-dropped]: 'psutil' has comments; pep621+uv cannot hold it",
        "requirements.in:28:1: info[comments-dropped]: 'notifications-utils' has comments; pep621+uv cannot hold it",
        "requirements.in:33:1: info[comments-dropped]: 'wheel' has comments; pep621+uv cannot hold it",
        "requirements.in: info[comments-dropped]: 'the file' has comments; pep621+uv cannot hold it",
        "requirements.in: warning[project-name-invented]: the source names no project; [project] needs a name, so "
        "it is 'notifications-api' (edit it)",
        "requirements.in: warning[project-version-invented]: the source names no version; [project] needs one, so "
        "it is '0.0.0' (edit it)",
        "created pyproject.toml",
    ]
    doc = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    deps = doc["project"]["dependencies"]
    assert deps[:2] == ["celery[sqs]==5.6.3",
                        "kombu @ git+https://github.com/celery/kombu.git@860e40a6c904c4d8551577d9f4e8c00f03b6e06c"]
    # the unnamed git line of requirements.in, named as pip-compile resolved it
    assert "gds-metrics @ git+https://github.com/alphagov/gds_metrics_python.git@6f1840a57b6fb1ee40b7e84f2f18ec229de8aa72" \
        in deps
    assert len(deps) == 42
    # uv keeps the ranges of the .in and takes the compiled pins as constraints: every == pin of requirements.txt
    compiled = [line.split(" ")[0] for line in (project / "requirements.txt").read_text().splitlines()
                if "==" in line and not line.startswith((" ", "#"))]
    assert doc["tool"]["uv"]["constraint-dependencies"] == sorted(compiled, key=lambda pin: pin.split("==")[0])
    if shutil.which("uv"):
        uv_lock_offline(project)


# ------------------------------------------------------------------------------------------------------------------
# 3. A data-science repo: environment.yml with a pip: section -> requirements.txt and -> PEP 621, then back
# ------------------------------------------------------------------------------------------------------------------

STABLE_DIFFUSION = "conda/CompVis__stable-diffusion__environment.yaml"

PIP_SECTION = """\
albumentations==0.4.3
diffusers
opencv-python==4.1.2.30
pudb==2019.2
invisible-watermark
imageio==2.9.0
imageio-ffmpeg==0.4.2
pytorch-lightning==1.4.2
omegaconf==2.1.1
test-tube>=0.7.5
streamlit>=0.73.1
einops==0.3.0
torch-fidelity==0.3.0
transformers==4.19.2
torchmetrics==0.6.0
kornia==0.6
"""
CONDA_RESPELLED = [
    "environment.yaml:9:5: info[version-respelled]: conda constraint '=1.11.0' written as PEP 440 '==1.11.0.*' "
    "(same versions) [dependencies]",
    "environment.yaml:10:5: info[version-respelled]: conda constraint '=0.12.0' written as PEP 440 '==0.12.0.*' "
    "(same versions) [dependencies]",
    "environment.yaml:11:5: info[version-respelled]: conda constraint '=1.19.2' written as PEP 440 '==1.19.2.*' "
    "(same versions) [dependencies]",
]
CUDA_AND_TORCH = [
    "environment.yaml:7:5: info[conda-pip-dropped]: conda package 'pip=20.3' is the installer conda runs the pip: "
    "list with, not a dependency of the project; not written (`pip install -r` would replace the pip running it) "
    "[dependencies]",
    "environment.yaml:8:5: error[conda-only-package]: conda package 'cudatoolkit=11.3' has no PyPI counterpart; "
    "not written [dependencies]",
    "environment.yaml:9:5: info[conda-package-as-pypi]: conda package 'pytorch=1.11.0' written as the PyPI "
    "requirement 'torch' [dependencies]",
]


@pytest.fixture
def data_science(tmp_path: Path) -> Path:
    copy(STABLE_DIFFUSION, tmp_path / "environment.yaml")
    return tmp_path


def test_conda_environment_to_requirements_and_back(data_science: Path) -> None:
    result = depglot("convert", "environment.yaml", "-t", "requirements", "-o", "requirements.txt", cwd=data_science)
    assert result.exit_code == 1  # cudatoolkit has no PyPI counterpart: an error, and the file is still written
    assert lines(result.stderr) == [
        *CUDA_AND_TORCH,
        "environment.yaml:1:1: warning[python-dropped]: 'python =3.8.5' is the python constraint; requirements "
        "cannot hold it",
        "environment.yaml:1:1: warning[channels-dropped]: 'pytorch' is a conda channel; requirements cannot hold it",
        "environment.yaml:1:1: warning[channels-dropped]: 'defaults' is a conda channel; requirements cannot hold it",
        *CONDA_RESPELLED,
    ]
    requirements = (data_science / "requirements.txt").read_text(encoding="utf-8")
    assert requirements.endswith(
        "torch==1.11.0.*\ntorchvision==0.12.0.*\nnumpy==1.19.2.*\n" + PIP_SECTION
        + "-e git+https://github.com/CompVis/taming-transformers.git@master#egg=taming-transformers\n"
        "-e git+https://github.com/openai/CLIP.git@main#egg=clip\n-e .\n")
    from pip._internal.network.session import PipSession
    from pip._internal.req.req_file import parse_requirements

    parsed = list(parse_requirements(str(data_science / "requirements.txt"), session=PipSession()))
    assert len(parsed) == len(requirements.splitlines())  # pip reads every line

    back = depglot("convert", "requirements.txt", "-t", "conda", "-o", "environment.yml", cwd=data_science)
    assert back.exit_code == 0, back.output
    assert [line.split(": ")[1] for line in lines(back.stderr)] == [
        "info[version-respelled]", "info[pypi-as-conda-package]",
        "info[version-respelled]", "info[version-respelled]", "info[pypi-as-conda-package]",
        "info[conda-kept-on-pip]", "info[conda-kept-on-pip]", "info[conda-kept-on-pip]", "info[conda-kept-on-pip]",
        "info[conda-kept-on-pip]", "info[conda-kept-on-pip]", "warning[conda-pip-added]",
        "warning[conda-channel-added]"]
    env = (data_science / "environment.yml").read_text(encoding="utf-8")
    assert env.startswith("channels:\n  - conda-forge\ndependencies:\n")
    assert env.endswith(
        "  - kornia==0.6\n  - pip\n  - pip:\n      - invisible-watermark\n      - test-tube>=0.7.5\n      - torch-fidelity==0.3.0\n"
        "      - -e git+https://github.com/CompVis/taming-transformers.git@master#egg=taming-transformers\n"
        "      - -e git+https://github.com/openai/CLIP.git@main#egg=clip\n      - -e .\n")
    import rattler  # the conda oracle: every dependency is a MatchSpec conda reads

    import yaml

    for dep in yaml.safe_load(env)["dependencies"]:
        if isinstance(dep, str):
            rattler.MatchSpec(dep, strict=True)

    diff = depglot("diff", "environment.yaml", "environment.yml", cwd=data_science)
    assert diff.exit_code == 1
    out = lines(diff.stdout)
    assert out[0] == "environment.yaml:8:5: removed[requirement]: 'cudatoolkit=11.3' removed in group 'main'"
    # cudatoolkit, pip's version (the installer is not written to requirements.txt; the conda writer adds a bare pip
    # back), and 13 pip: entries the conda writer moved to conda-forge packages
    assert out[1] == "environment.yml:20:5: changed[version]: pip: version '=20.3' -> '*' in group 'main'"
    assert len(out) == 15


def test_conda_environment_to_pep621(data_science: Path) -> None:
    result = depglot("convert", "environment.yaml", "-t", "pep621", "-o", "pyproject.toml", cwd=data_science)
    assert result.exit_code == 1
    err = lines(result.stderr)
    assert err[:3] == CUDA_AND_TORCH
    assert err[-5:] == [
        "environment.yaml:1:1: warning[project-version-invented]: the source names no version; [project] needs one, "
        "so it is '0.0.0' (edit it)",
        "environment.yaml: info[version-respelled]: conda constraint '=3.8.5' written as PEP 440 '==3.8.5.*' "
        "(same versions)",
        *CONDA_RESPELLED,
    ]
    text = (data_science / "pyproject.toml").read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    assert doc["project"]["name"] == "ldm" and doc["project"]["requires-python"] == "==3.8.5.*"
    assert doc["project"]["dependencies"][-2:] == [
        "taming-transformers @ git+https://github.com/CompVis/taming-transformers.git@master",
        "clip @ git+https://github.com/openai/CLIP.git@main"]
    from validate_pyproject import api as vp

    vp.Validator()(doc)

    back = depglot("convert", "pyproject.toml", "-t", "conda", cwd=data_science)
    assert back.exit_code == 0
    assert back.stdout.startswith("name: ldm\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.8.5\n")


def test_conda_pip_is_the_installer_not_a_requirement(data_science: Path) -> None:
    result = depglot("convert", "environment.yaml", "-t", "requirements", cwd=data_science)
    assert not any(line.startswith("pip") for line in lines(result.stdout))


@pytest.mark.xfail(strict=True, reason="preflight (ir/features.py): '-e .' (the project itself) into a pyproject gives "
                   "three losses for one line, path-dropped (ERROR, so exit 1), editable-dropped and "
                   "project-itself-dropped; project-itself-dropped alone says it")
def test_project_itself_is_one_loss(data_science: Path) -> None:
    result = depglot("convert", "environment.yaml", "-t", "pep621", cwd=data_science)
    assert [line for line in lines(result.stderr) if line.startswith("environment.yaml:31:")] == [
        "environment.yaml:31:7: warning[project-itself-dropped]: '-e .' is the project itself, which a pyproject "
        "cannot list as its own dependency; uv and PDM install it only when it is a package ([build-system], or "
        "tool.uv.package = true) [dependencies.pip]"]


def test_conda_kept_on_pip_names_the_line(data_science: Path) -> None:
    depglot("convert", "environment.yaml", "-t", "requirements", "-o", "requirements.txt", cwd=data_science)
    back = depglot("convert", "requirements.txt", "-t", "conda", cwd=data_science)
    assert "requirements.txt:22:4: info[conda-kept-on-pip]: '-e .' stays in the pip: list" in back.stderr


def test_diff_speaks_plainly(data_science: Path) -> None:
    depglot("convert", "environment.yaml", "-t", "requirements", "-o", "requirements.txt", cwd=data_science)
    depglot("convert", "requirements.txt", "-t", "conda", "-o", "environment.yml", cwd=data_science)
    out = depglot("diff", "requirements.txt", "environment.yml", cwd=data_science).stdout
    assert "CondaPackage(" not in out and "source 'index'" not in out
    depglot("convert", "environment.yaml", "-t", "pep621", "-o", "pyproject.toml", cwd=data_science)
    out = depglot("diff", "environment.yaml", "pyproject.toml", cwd=data_science).stdout
    assert " @ file:" not in out and "'-e .'" in out


# ------------------------------------------------------------------------------------------------------------------
# 4. A monorepo codemod: `depglot set requests '>=2.32'` over 11 manifests of 6 formats
# ------------------------------------------------------------------------------------------------------------------

MONOREPO = {
    "services/api/requirements.txt": "requirements/HypothesisWorks__hypothesis__requirements__tools.txt",
    "services/scraper/Pipfile": "pipfile/kennethreitz__requests-html__Pipfile",
    "tools/address/Pipfile": "pipfile/005-bot__address-parser__Pipfile",
    "libs/guarddog/pyproject.toml": "poetry2/DataDog__guarddog__pyproject.toml",
    "libs/ecosystem/pyproject.toml": "poetry/astral-sh__uv__test__ecosystem__poetry__pyproject.toml",
    "libs/agents/pyproject.toml": "pep621/openai__openai-agents-python__pyproject.toml",
    "libs/docling/pyproject.toml": "uv_pyproject/docling-project__docling__pyproject.toml",
    "libs/unearth/pyproject.toml": "pdm_pyproject/frostming__unearth__pyproject.toml",
    "envs/jojo/environment.yml": "conda/007prateekd__jojo-gan-restyle__environment.yml",
    "envs/caueeg/environment.yml": "conda/05kashyap__caueeg-ceednet__environment.yml",
    "scripts/youtube_summary.py": "script/marimo-team__examples__youtube_summary__youtube_summary.py",  # no requests
}

# file -> (lines removed, lines added) by `set requests '>=2.32'`: one line each, in each file's own dialect
SET_REQUESTS = {
    "envs/caueeg/environment.yml": (["  - requests=2.32.4=py312h06a4308_0"], ["  - requests>=2.32"]),
    "envs/jojo/environment.yml": (["    - requests==2.21.0"], ["    - requests>=2.32"]),
    "libs/agents/pyproject.toml": (['    "requests>=2.0, <3",'], ['    "requests>=2.32",']),
    "libs/docling/pyproject.toml": (["  'requests>=2.32.2,<3.0.0',"], ["  'requests>=2.32',"]),
    "libs/ecosystem/pyproject.toml": (['    "requests (>=2.26,<3.0)",'], ['    "requests>=2.32",']),
    "libs/guarddog/pyproject.toml": (['requests = "^2.34.0"'], ['requests = ">=2.32"']),
    "libs/unearth/pyproject.toml": (['    "requests>=2.25",'], ['    "requests>=2.32",']),
    "services/api/requirements.txt": (["requests==2.34.2"], ["requests>=2.32"]),
    "services/scraper/Pipfile": (['requests = "*"'], ['requests = ">=2.32"']),
    "tools/address/Pipfile": (['requests = "*"'], ['requests = ">=2.32"']),
}


@pytest.fixture
def monorepo(tmp_path: Path) -> Path:
    for dst, src in MONOREPO.items():
        copy(src, tmp_path / dst)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)  # the repository root (plan journal, .gitignore)
    return tmp_path


def diff_by_file(diff: str) -> dict[str, tuple[list[str], list[str]]]:
    out: dict[str, tuple[list[str], list[str]]] = {}
    current = ""
    for line in diff.splitlines():
        if line.startswith("--- a/"):
            current = line[len("--- a/"):]
            out[current] = ([], [])
        elif line.startswith("-") and not line.startswith("---"):
            out[current][0].append(line[1:])
        elif line.startswith("+") and not line.startswith("+++"):
            out[current][1].append(line[1:])
    return out


# a conda build string names a build of one version: a new version set drops it (it would still pin that build)
BUILD_DROPPED = ("envs/caueeg/environment.yml:255:5: info[conda-build-dropped]: the build 'py312h06a4308_0' of "
                 "'requests=2.32.4=py312h06a4308_0' is not kept: it names a build of the old version, and the version "
                 "set changed to >=2.32 [dependencies]")


def test_monorepo_set_check_diff_apply(monorepo: Path) -> None:
    before = files(monorepo)
    check = depglot("set", "requests", ">=2.32", "--check", cwd=monorepo)
    assert check.exit_code == 1
    assert lines(check.stderr) == [BUILD_DROPPED, *(f"would change {path}" for path in sorted(SET_REQUESTS))]
    assert files(monorepo) == before

    diff = depglot("set", "requests", ">=2.32", "--diff", cwd=monorepo)
    assert diff.exit_code == 1 and lines(diff.stderr) == [BUILD_DROPPED]
    changes = diff_by_file(diff.stdout)
    assert sorted(changes) == sorted(SET_REQUESTS)
    for path, (removed, added) in SET_REQUESTS.items():
        assert changes[path][0] == removed, path
        assert len(changes[path][1]) == 1, path
        if added is not None:
            assert changes[path][1] == added, path
    assert files(monorepo) == before

    apply = depglot("set", "requests", ">=2.32", cwd=monorepo)
    assert apply.exit_code == 0, apply.output
    assert lines(apply.stderr) == [BUILD_DROPPED, "changed 10 files"]
    after = files(monorepo)
    assert after["scripts/youtube_summary.py"] == before["scripts/youtube_summary.py"]
    for path in SET_REQUESTS:  # exactly the diff shown, nothing else
        old, new = before[path].decode().splitlines(), after[path].decode().splitlines()
        assert len(old) == len(new), path
        changed = [(a, b) for a, b in zip(old, new) if a != b]
        assert [(a,) for a, _ in changed] == [(r,) for r in SET_REQUESTS[path][0]], path
        assert [b for _, b in changed] == changes[path][1], path
    from depglot import api

    for path in SET_REQUESTS:  # and each file now asks for requests>=2.32 in its own format
        reqs = [r for r in api.load(str(monorepo / path)).requirements() if r.key == "requests"]
        assert [r.version.pep440 if r.version else None for r in reqs] == [">=2.32"], path
    again = depglot("set", "requests", ">=2.32", "--check", cwd=monorepo)
    assert again.exit_code == 0 and again.stderr == ""


def test_monorepo_set_keeps_the_quote_style(monorepo: Path) -> None:
    diff = diff_by_file(depglot("set", "requests", ">=2.32", "--diff", cwd=monorepo).stdout)
    assert diff["libs/docling/pyproject.toml"][1] == ["  'requests>=2.32',"]


def test_monorepo_set_drops_a_conda_build_string(monorepo: Path) -> None:
    diff = diff_by_file(depglot("set", "requests", ">=2.32", "--diff", cwd=monorepo).stdout)
    assert diff["envs/caueeg/environment.yml"][1] == ["  - requests>=2.32"]


# ------------------------------------------------------------------------------------------------------------------
# 5. "What does this repo use?": show on a directory, the library on each file; check for conflicts
# ------------------------------------------------------------------------------------------------------------------


def test_what_does_this_repo_use(monorepo: Path) -> None:
    copy("pipfile/kennethreitz__responder__Pipfile", monorepo / "services/web/Pipfile")
    copy("pipfile_lock/kennethreitz__responder__Pipfile.lock", monorepo / "services/web/Pipfile.lock")
    (monorepo / ".gitignore").write_text("build/\n")
    copy("requirements/HypothesisWorks__hypothesis__requirements__tools.txt", monorepo / "build/requirements.txt")

    result = depglot("show", ".", cwd=monorepo)
    assert result.exit_code == 0, result.output
    sections = result.stdout.split("\n\n")
    assert [s.splitlines()[0] for s in sections] == [f"== {p}" for p in sorted(
        [*MONOREPO, "services/web/Pipfile", "services/web/Pipfile.lock"])]  # build/ is ignored, as git ignores it
    assert "== services/scraper/Pipfile\n" + "\n".join([
        "format: pipfile",
        "index: pypi https://pypi.python.org/simple [default]",
        "group main (main): 8 requirement(s)",
        "  requests", "  pyquery", "  fake-useragent", "  parse", "  bs4", "  w3lib", "  pyppeteer", "  rfc3986",
        "group dev (group): 8 requirement(s)",
        "  twine", "  requests-file", "  pytest", "  e1839a8 @ file:.  [editable]", "  sphinx", "  mypy",
        "  pytest-asyncio", "  white",
    ]) in sections
    assert "== services/web/Pipfile.lock\n" + "\n".join([  # a lock beside its manifest: counts only
        "format: pipfile-lock",
        "index: pypi https://pypi.org/simple [default]",
        "group main (main): 41 requirement(s)",
        "group dev (group): 58 requirement(s)",
        "lock: 84 package(s)",
    ]) in sections
    assert "== scripts/youtube_summary.py\nformat: script\npython: >=3.12 (>=3.12)\n" \
           "group main (main): 12 requirement(s)\n  anthropic==0.45.2\n" in result.stdout

    caueeg = next(s for s in sections if s.startswith("== envs/caueeg/environment.yml\n")).splitlines()
    assert caueeg[:10] == [  # conda packages as the environment file says them, not as PyPI requirements
        "== envs/caueeg/environment.yml", "format: conda", "project: eeg", "python: 3.12.2 (==3.12.2)",
        "channel: conda-forge", "channel: defaults", "channel: https://repo.anaconda.com/pkgs/main",
        "channel: https://repo.anaconda.com/pkgs/r", "group main (main): 308 requirement(s)",
        "  _libgcc_mutex=0.1=main  [conda]"]
    assert "  pytorch=2.5.1=gpu_cuda124_py312hfee4293_304  [conda, PyPI torch]" in caueeg
    assert "  requests=2.32.4=py312h06a4308_0  [conda]" in caueeg
    jojo = next(s for s in sections if s.startswith("== envs/jojo/environment.yml\n")).splitlines()
    assert "  requests==2.21.0" in jojo  # its pip: list

    as_json = depglot("show", "libs", "--json", cwd=monorepo)
    doc = json.loads(as_json.stdout)
    assert doc["ir-version"] == 1
    assert [(f["path"], f["manifest"]["format"]) for f in doc["files"]] == [
        ("libs/agents/pyproject.toml", "pep621"), ("libs/docling/pyproject.toml", "pep621"),
        ("libs/ecosystem/pyproject.toml", "poetry"), ("libs/guarddog/pyproject.toml", "poetry"),
        ("libs/unearth/pyproject.toml", "pep621")]

    # the same question from Python: load every manifest, then ask where requests is required and how
    import depglot as library

    where = {}
    for path in sorted(MONOREPO):
        manifest = library.load(monorepo / path)
        for group in manifest.groups:
            for req in group.requirements:
                if req.key == "requests":
                    where[path] = (group.name, req.version.raw if req.version else None)
    assert where == {
        "envs/caueeg/environment.yml": ("main", "2.32.4"),  # requests=2.32.4=py312h06a4308_0: that exact build
        "envs/jojo/environment.yml": ("main", "==2.21.0"),
        "libs/agents/pyproject.toml": ("main", ">=2.0, <3"),
        "libs/docling/pyproject.toml": ("main", ">=2.32.2,<3.0.0"),
        "libs/ecosystem/pyproject.toml": ("main", ">=2.26,<3.0"),
        "libs/guarddog/pyproject.toml": ("main", "^2.34.0"),
        "libs/unearth/pyproject.toml": ("legacy", ">=2.25"),
        "services/api/requirements.txt": ("main", "==2.34.2"),
        "services/scraper/Pipfile": ("main", None),  # "*": any version
        "tools/address/Pipfile": ("streets-db", None),
    }

    err = depglot("show", "nowhere", cwd=monorepo)
    assert err.exit_code == 2 and err.stderr == ("error: cannot read nowhere: No such file or directory (check the "
                                                 "path: it is relative to the current directory)\n")
    empty = monorepo / "empty"
    empty.mkdir()
    err = depglot("show", "empty", cwd=monorepo)
    assert err.exit_code == 2
    assert err.stderr == ("error: no manifest found under empty (expected requirements*.txt, Pipfile, pyproject.toml, "
                          "environment.yml, a lock...)\n")


def test_check_two_files_installed_together(monorepo: Path) -> None:
    result = depglot("check", "services/api/requirements.txt", "envs/jojo/environment.yml", cwd=monorepo)
    assert result.exit_code == 1
    out = lines(result.stdout)
    assert len(out) == 25 and all("error[conflicting-requirements]" in line for line in out)
    assert "services/api/requirements.txt:259:1: error[conflicting-requirements]: 'requests==2.34.2' conflicts with " \
           "'requests==2.21.0' (envs/jojo/environment.yml:102:7) (requirements.txt and environment.yml install " \
           "together): no version satisfies both" in out
    assert result.stderr == "25 conflict(s), 0 warning(s)\n"

    alone = depglot("check", "services/api/requirements.txt", cwd=monorepo)
    assert alone.exit_code == 0 and alone.stdout == "" and alone.stderr == "no conflicts\n"


def test_check_a_pipfile_against_its_stale_lock(pipenv_project: Path) -> None:
    result = depglot("check", "Pipfile", "Pipfile.lock", cwd=pipenv_project)
    assert result.exit_code == 1
    assert lines(result.stdout) == [
        "Pipfile:14:1: warning[requirement-not-locked]: 'pydantic' is not pinned in Pipfile.lock [packages.pydantic]",
        "Pipfile:15:1: warning[requirement-not-locked]: 'httpx' is not pinned in Pipfile.lock [packages.httpx]",
        "Pipfile:16:1: warning[requirement-not-locked]: 'some-package==0.3.1' is not pinned in Pipfile.lock "
        "[packages.some-package]",
        "Pipfile:22:1: warning[requirement-not-locked]: 'ruff' is not pinned in Pipfile.lock [dev-packages.ruff]",
        "Pipfile:23:1: error[lock-pin-outside-range]: Pipfile.lock pins typing-extensions 3.7.4.3, outside "
        "\"typing_extensions>=3.10.0.0 ; python_version < '3.10'\"; the lock is stale "
        "[dev-packages.typing_extensions]",
    ]
    assert result.stderr == "1 conflict(s), 4 warning(s)\n"


# ------------------------------------------------------------------------------------------------------------------
# 6. Exporting the installed environment: `depglot freeze` of the active venv, to requirements and to conda
# ------------------------------------------------------------------------------------------------------------------

from .test_env import venv_python  # noqa: E402,F401 - the session venv (wheels built offline, an editable install)


def test_freeze_the_active_venv(venv_python: Path, tmp_path: Path,  # noqa: F811
                                monkeypatch: pytest.MonkeyPatch) -> None:
    venv = venv_python.parent.parent
    root = venv.parent
    monkeypatch.setenv("VIRTUAL_ENV", str(venv))  # as `source venv/bin/activate` leaves it
    monkeypatch.delenv("CONDA_PREFIX", raising=False)
    pip_freeze = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv_python), "freeze", "--all", "--disable-pip-version-check"],
        capture_output=True, text=True, check=True).stdout

    result = depglot("freeze", "-o", "requirements.txt", cwd=tmp_path)
    assert result.exit_code == 0 and result.stderr == ""
    assert (tmp_path / "requirements.txt").read_text(encoding="utf-8") == pip_freeze
    gamma = (root / "wheelhouse" / "gamma-1.0-py3-none-any.whl").as_uri()
    assert pip_freeze.startswith(f"alpha==1.0\nbeta==1.5\ndelta==0.3\ngamma @ {gamma}#sha256=")
    assert pip_freeze.endswith(f"# Editable install with no version control (localproj==0.2.0)\n-e {root / 'localproj'}\n")
    again = depglot("freeze", "-o", "requirements.txt", "--check", cwd=tmp_path)
    assert again.exit_code == 0 and again.stderr == ""

    result = depglot("freeze", "-t", "conda", "-o", "environment.yml", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    gamma_line = next(line for line in pip_freeze.splitlines() if line.startswith("gamma @ "))
    assert (tmp_path / "environment.yml").read_text(encoding="utf-8") == (
        "channels:\n  - conda-forge\ndependencies:\n  - delta==0.3\n  - pip\n  - pip:\n      - alpha==1.0\n"
        f"      - beta==1.5\n      - {gamma_line}\n      - -e {root / 'localproj'}\n")
    site = Path(next(venv.glob("lib/python*/site-packages")))
    assert lines(result.stderr) == [
        f"{site}/alpha-1.0.dist-info: info[conda-kept-on-pip]: alpha stays in the pip: list (no conda package known "
        "for it in the name map)",
        f"{site}/beta-1.5.dist-info: info[conda-kept-on-pip]: beta stays in the pip: list (no conda package known "
        "for it in the name map)",
        f"{site}/gamma-1.0.dist-info: info[conda-kept-on-pip]: gamma stays in the pip: list (a direct reference or "
        "editable install)",
        f"{site}/localproj-0.2.0.dist-info: info[conda-kept-on-pip]: localproj stays in the pip: list (a direct "
        "reference or editable install)",
        f"{site}/localproj-0.2.0.dist-info: info[conda-path-name-dropped]: 'localproj' is written as its path "
        f"'{root / 'localproj'}': a pip line cannot name a local path; pip reads the name from the project itself",
        f"{venv}: warning[conda-pip-added]: the conda package 'pip' is added to dependencies: conda installs the "
        "pip: list only with it",
        f"{venv}: warning[conda-channel-added]: channel 'conda-forge' is added: the source names no channel, and the "
        "conda package names written are conda-forge's",
    ]
    import rattler

    rattler.MatchSpec("delta==0.3", strict=True)

    check = depglot("check", "--installed", cwd=tmp_path)  # and, like pip check, what the environment lacks
    assert check.exit_code == 1
    pip_check = subprocess.run([sys.executable, "-m", "pip", "--python", str(venv_python), "check",
                                "--disable-pip-version-check"], capture_output=True, text=True, check=False).stdout
    assert sorted(line.split(": ", 2)[2] for line in lines(check.stdout)) == sorted(lines(pip_check))


# ------------------------------------------------------------------------------------------------------------------
# 7. Errors: one paragraph naming the place and what to do, exit 2, no traceback, nothing written
# ------------------------------------------------------------------------------------------------------------------

BROKEN_PIPFILE = """\
[[source]]
url = "https://pypi.org/simple"
verify_ssl = true
name = "pypi"

[packages]
requests = ">=2.0
flask = "*"
"""


def assert_error(result, stderr: str, project: Path, before: dict[str, bytes]) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr == stderr
    assert "Traceback" not in result.output
    assert files(project) == before  # no output file created, nothing changed


def test_errors_exit_2_with_a_place_and_a_hint(tmp_path: Path) -> None:
    (tmp_path / "Pipfile").write_text(BROKEN_PIPFILE, encoding="utf-8")
    (tmp_path / "a.txt").write_text("-r b.txt\nrequests\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("flask\n-r a.txt\n", encoding="utf-8")
    before = files(tmp_path)
    broken = ("Pipfile:7:18: error: invalid TOML: Illegal character '\\n' (a Pipfile is TOML (https://toml.io))\n"
              ' 7 | requests = ">=2.0\n'
              "   |                  ^\n")

    assert_error(depglot("convert", "Pipfile", "-t", "poetry", "-o", "pyproject.toml", cwd=tmp_path), broken,
                 tmp_path, before)
    assert_error(depglot("migrate", "--to", "poetry", cwd=tmp_path), broken, tmp_path, before)
    assert_error(depglot("show", "Pipfile", cwd=tmp_path), broken, tmp_path, before)
    assert_error(depglot("convert", "Pipfile.txt", "-t", "poetry", "-o", "pyproject.toml", cwd=tmp_path),
                 "error: cannot read Pipfile.txt: No such file or directory (check the path: it is relative to the "
                 "current directory)\n", tmp_path, before)
    # an unknown format name is the error to report, even when the source file is broken too
    assert_error(depglot("convert", "Pipfile", "-t", "poetri", "-o", "pyproject.toml", cwd=tmp_path),
                 "error: unknown format 'poetri' (did you mean 'poetry' or 'poetry1'?)\n", tmp_path, before)
    assert_error(depglot("convert", "a.txt", "-f", "requirement", "-t", "poetry", cwd=tmp_path),
                 "error: unknown format 'requirement' (did you mean 'requirements' or 'requirements.txt'?)\n",
                 tmp_path, before)
    assert_error(depglot("migrate", "--to", "poetri", cwd=tmp_path),
                 "error: unknown migration target 'poetri' (did you mean 'poetry'?)\n", tmp_path, before)
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    assert_error(depglot("convert", "a.txt", "-t", "poetry", "--follow-includes", "-o", "pyproject.toml",
                         cwd=tmp_path),
                 f"b.txt:2:1: error: include cycle: {a} -> {b} -> {a} (remove one of these -r/-c lines; without "
                 "--follow-includes they stay references)\n 2 | -r a.txt\n   | ^~~~~~~~\n", tmp_path, before)
    assert_error(depglot("convert", "-", "-t", "poetry", "-o", "pyproject.toml", cwd=tmp_path, input="requests\n"),
                 "error: reading stdin needs the source format (pass -f/--from FORMAT)\n", tmp_path, before)
    assert_error(depglot("convert", ".", "-t", "poetry", cwd=tmp_path),
                 "error: cannot read .: Is a directory (name a file; `depglot show DIR` lists the manifests under a "
                 "directory)\n", tmp_path, before)

    # without --follow-includes the -r lines are references, and stdin with -f works
    ok = depglot("convert", "-", "-f", "requirements", "-t", "requirements", cwd=tmp_path, input="requests>=2\n")
    assert ok.exit_code == 0 and ok.stdout == "requests>=2\n"


def test_errors_as_a_subprocess_have_no_traceback(tmp_path: Path) -> None:
    (tmp_path / "Pipfile").write_text(BROKEN_PIPFILE, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "depglot", "convert", "Pipfile", "-t", "poetry", "-o",
                          "pyproject.toml"], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert run.returncode == 2 and run.stdout == "" and "Traceback" not in run.stderr
    assert run.stderr.splitlines()[0] == ("Pipfile:7:18: error: invalid TOML: Illegal character '\\n' (a Pipfile is "
                                          "TOML (https://toml.io))")
    assert not (tmp_path / "pyproject.toml").exists()


# ------------------------------------------------------------------------------------------------------------------
# A pip-compile output to uv: 147 dropped `# via` comments must not bury the warnings
# ------------------------------------------------------------------------------------------------------------------


def test_pip_compile_file_to_uv_collapses_repeated_info(tmp_path: Path) -> None:
    tmp_path = tmp_path / "tools"  # the project is named after its directory
    copy("requirements/HypothesisWorks__hypothesis__requirements__tools.txt", tmp_path / "requirements.txt")
    result = depglot("convert", "requirements.txt", "-t", "uv", "-o", "pyproject.toml", "--report-json",
                     "losses.json", cwd=tmp_path)
    assert result.exit_code == 0, result.output
    assert lines(result.stderr) == [
        "requirements.txt:7:1: info[comments-dropped]: 'accessible-pygments' has comments; pep621+uv cannot hold it",
        "requirements.txt:9:1: info[comments-dropped]: 'alabaster' has comments; pep621+uv cannot hold it",
        "requirements.txt:11:1: info[comments-dropped]: 'anyio' has comments; pep621+uv cannot hold it",
        "requirements.txt:15:1: info[comments-dropped]: 'asgiref' has comments; pep621+uv cannot hold it",
        "requirements.txt:17:1: info[comments-dropped]: 'ast-serialize' has comments; pep621+uv cannot hold it",
        "requirements.txt: info[comments-dropped]: and 142 more like these (--report-json FILE or --output-format "
        "json lists every one)",
        "requirements.txt: warning[project-name-invented]: the source names no project; [project] needs a name, so "
        "it is 'tools' (edit it)",
        "requirements.txt: warning[project-version-invented]: the source names no version; [project] needs one, so "
        "it is '0.0.0' (edit it)",
    ]
    report = json.loads((tmp_path / "losses.json").read_text(encoding="utf-8"))
    assert [loss["code"] for loss in report["losses"]].count("comments-dropped") == 147
    doc = tomllib.loads((tmp_path / "pyproject.toml").read_text(encoding="utf-8"))
    from pip._internal.network.session import PipSession
    from pip._internal.req.req_file import parse_requirements

    pip_reads = [str(r.requirement) for r in parse_requirements(str(tmp_path / "requirements.txt"),
                                                                session=PipSession())]
    assert doc["project"]["dependencies"] == pip_reads  # every pin, as pip reads it (147)


def test_concise_lines_collapse_only_info_runs() -> None:
    from depglot.cli._common import INFO_SHOWN, concise_lines
    from depglot.report import Report, Severity
    from depglot.span import Span

    def report(n_info: int) -> Report:
        r = Report()
        for i in range(n_info):
            r.add("version-respelled", Severity.INFO, f"m{i}", span=Span(file="f", line=i + 1, column=1))
            r.add("marker-dropped", Severity.ERROR, f"e{i}", span=Span(file="f", line=i + 1, column=1))
        return r

    few = concise_lines(report(INFO_SHOWN + 1))  # one line would only replace one line: all shown
    assert len(few) == 2 * (INFO_SHOWN + 1)
    many = concise_lines(report(INFO_SHOWN + 3))
    assert [line for line in many if "info[" in line] == [
        *(f"f:{i + 1}:1: info[version-respelled]: m{i}" for i in range(INFO_SHOWN)),
        "f: info[version-respelled]: and 3 more like these (--report-json FILE or --output-format json lists every one)",
    ]
    assert [line for line in many if "error[" in line] == [
        f"f:{i + 1}:1: error[marker-dropped]: e{i}" for i in range(INFO_SHOWN + 3)]  # errors are never collapsed


# ------------------------------------------------------------------------------------------------------------------
# The examples of README.md and docs/api.md run as written (on corpus files named as the examples name them)
# ------------------------------------------------------------------------------------------------------------------


def _fenced(path: Path, lang: str) -> list[str]:
    import re

    return re.findall(rf"```{lang}\n(.*?)```", path.read_text(encoding="utf-8"), re.S)


@pytest.fixture
def readme_project(tmp_path: Path) -> Path:
    copy("pipfile/psf__black__Pipfile", tmp_path / "Pipfile")
    copy("requirements/HypothesisWorks__hypothesis__requirements__tools.txt", tmp_path / "requirements.txt")
    copy("poetry_lock/Textualize__rich__poetry.lock", tmp_path / "poetry.lock")
    return tmp_path


def test_readme_shell_examples_run_as_written(readme_project: Path) -> None:
    import shlex

    from .conftest import ROOT

    commands = [line.split("  #")[0].strip() for block in _fenced(ROOT / "README.md", "sh")
                for line in block.splitlines() if line.startswith("depglot ")]
    assert len(commands) >= 8
    for command in commands:
        args = shlex.split(command)[1:]
        if "tests/fixtures/" in command:  # the install-and-run example: its fixture lives in the checkout
            args = [str(ROOT / a) if a.startswith("tests/") else a for a in args]
        result = depglot(*args, cwd=readme_project)
        assert result.exception is None or isinstance(result.exception, SystemExit), (command, result.exception)
        # 0, or 1 for --diff (something would change) and losses at --fail-on; never a usage or input error
        assert result.exit_code in (0, 1), (command, result.output)
        assert result.exit_code == 0 or "--diff" in args or "error[" in result.stderr, (command, result.output)
        assert "Traceback" not in result.output


def test_library_examples_run_as_written(readme_project: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from .conftest import ROOT

    monkeypatch.chdir(readme_project)
    (readme_project / ".git").mkdir()  # the repository root: -r ../requirements.txt stays inside it
    (readme_project / "reqs").mkdir()
    (readme_project / "reqs" / "dev.txt").write_text("-r ../requirements.txt\npytest\n")
    depglot("convert", "Pipfile", "-t", "poetry", "-o", "pyproject.toml", cwd=readme_project)
    snippets = _fenced(ROOT / "README.md", "python") + _fenced(ROOT / "docs" / "api.md", "python")
    assert len(snippets) == 2
    namespace: dict[str, object] = {"text": (readme_project / "Pipfile").read_text(encoding="utf-8")}
    for snippet in snippets:
        exec(compile(snippet, "<doc example>", "exec"), namespace)  # noqa: S102 - the documentation's own code
    out = capsys.readouterr().out
    assert out.startswith("[tool.poetry]\npackage-mode = false\n")
    assert "Pipfile:8:1: info[comments-dropped]: 'coverage' has comments; poetry cannot hold it" in out
