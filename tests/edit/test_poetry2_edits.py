"""Codemods on Poetry files: an edit that names one package changes only that package's lines and reports
nothing about the rest of the file (issue 10 follow-up).

Poetry 2 (``[project]`` plus ``[tool.poetry]``): guarddog's pyproject.toml has ``[project]`` with
``requires-python`` and no dependencies, its dependencies (and a ``python`` constraint) in
``[tool.poetry.dependencies]``: Poetry 2's dynamic-dependencies form. Its edits used to be written in Poetry 1's
layout and warned ``poetry-requires-python-merged`` on every ``set``/``remove``. Then corpus files whose edits
rewrote more than the package: chia-blockchain (mixed dynamic), synapse (extras lists, inline-table spacing),
aws-powertools (dev-dependencies beside a dev group).
"""

from __future__ import annotations

import difflib
import shutil

import pytest

import depglot
from depglot.edit.discover import Found
from depglot.edit.runner import Codemod, _process, name_regex
from depglot.ir.model import LocalPath, Url, Vcs

from ..conftest import corpus_files


def _poetry2() -> list:
    files = corpus_files("poetry2")
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason="shared corpus absent"), id="none")]
    return [pytest.param(p, id=p.name) for p in files]


def _changed_lines(before: bytes, after: bytes) -> list[str]:
    diff = difflib.unified_diff(before.decode().splitlines(), after.decode().splitlines(), n=0, lineterm="")
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def _in_removed_tables(name: str, before: bytes, after: bytes) -> set[str]:
    """The ``-`` lines of whole tables named after ``name`` (``[tool.poetry.dependencies.<name>]``) that ``after``
    no longer has."""
    old = before.decode().splitlines()
    gone = {h for h in old if h.startswith("[") and name_regex(name).search(h.encode())}
    gone -= set(after.decode().splitlines())
    out, header = set(), None
    for line in old:
        if line.startswith("["):
            header = line
        if header in gone:
            out.add(f"-{line}")
    return out


def _without_neighbour_commas(lines: list[str]) -> list[str]:
    """``lines`` less the -/+ pairs that differ only by commas (an array item that became, or stopped being, the
    last one, its ``]`` on the same line)."""
    def bare(line: str) -> str:
        return line[1:].replace(",", "").replace("]", "").rstrip()

    added = [bare(line) for line in lines if line.startswith("+")]
    out = []
    for line in lines:
        if line.startswith("-") and bare(line) in added:
            added.remove(bare(line))
            continue
        out.append(line)
    removed = {bare(line) for line in lines if line.startswith("-")}
    return [line for line in out if not (line.startswith("+") and bare(line) in removed)]


def _versioned_names(path) -> list[str]:
    manifest = depglot.load(path, "poetry")
    return sorted({r.name for g in manifest.groups for r in g.requirements
                   if r.name and not isinstance(r.source, (Vcs, LocalPath, Url))})


@pytest.mark.parametrize("path", _poetry2())
@pytest.mark.parametrize("kind", ["set", "remove"])
def test_one_package_edit_touches_only_that_package(path, kind, tmp_path):
    target = tmp_path / "pyproject.toml"
    shutil.copyfile(path, target)
    before = target.read_bytes()
    names = _versioned_names(target)
    assert names
    for name in names:
        codemod = Codemod(kind="set", name=name, spec=">=0.0.1") if kind == "set" else Codemod(kind="remove",
                                                                                                name=name)
        result = _process((Found(path=str(target), format="poetry"), codemod))
        assert result.error is None, result.error
        assert [(loss.code, loss.message) for loss in result.losses] == [], name
        lines = _changed_lines(before, result.after)
        assert lines, name
        in_tables = _in_removed_tables(name, before, result.after)
        lines = [line for line in lines if line not in in_tables and line[1:].strip()]
        mentions = name_regex(name)
        if kind == "remove":
            lines = _without_neighbour_commas(
                [line for line in lines if not line[1:].lstrip().startswith("#")])  # comments above go with a key
            keys = {line[1:].split("=")[0] for line in lines if line.startswith("-") and " = " in line}
            lines = [line for line in lines if not (line.startswith("+") and line[1:].split("=")[0] in keys)]
        assert all(mentions.search(line.encode()) for line in lines), (name, lines)
        assert target.read_bytes() == before  # nothing is written by the run itself


def test_guarddog_keeps_requires_python_and_the_poetry_python_constraint(tmp_path):
    """``set python`` in the dynamic form edits ``[project] requires-python``; the ``[tool.poetry]`` constraint
    (Poetry's locking range) stays, as in a file listing ``dependencies`` in ``project.dynamic``."""
    files = [p for p in corpus_files("poetry2") if p.name.startswith("DataDog__guarddog")]
    if not files:
        pytest.skip("shared corpus absent")
    target = tmp_path / "pyproject.toml"
    shutil.copyfile(files[0], target)
    before = target.read_bytes()
    result = _process((Found(path=str(target), format="poetry"), Codemod(kind="set", name="python", spec=">=3.11")))
    assert result.error is None
    assert result.losses == ()
    assert _changed_lines(before, result.after) == ['-requires-python = ">=3.10"', '+requires-python = ">=3.11"']


def _corpus_file(category: str, prefix: str, tmp_path):
    files = [p for p in corpus_files(category) if p.name.startswith(prefix)]
    if not files:
        pytest.skip("shared corpus absent")
    target = tmp_path / "pyproject.toml"
    shutil.copyfile(files[0], target)
    return target


def test_mixed_dynamic_extras_keep_their_strings_and_entries(tmp_path):
    """chia-blockchain: ``dependencies`` dynamic, extras in ``[project.optional-dependencies]`` as bare names whose
    versions (and a source) are optional ``[tool.poetry.dependencies]`` entries. An edit of one main dependency
    used to rewrite every extra as versioned PEP 508 strings and strip the entries to ``{ source = "chia" }``."""
    target = _corpus_file("poetry", "Chia-Network__chia-blockchain", tmp_path)
    before = target.read_bytes()
    main = _process((Found(path=str(target), format="poetry"), Codemod(kind="set", name="aiofiles", spec=">=25")))
    assert main.error is None and main.losses == ()
    assert _changed_lines(before, main.after) == [
        '-aiofiles = ">=24.1.0"  # Async IO for files', '+aiofiles = ">=25"  # Async IO for files']
    extra = _process((Found(path=str(target), format="poetry"), Codemod(kind="set", name="build", spec=">=2")))
    assert extra.error is None and extra.losses == ()
    lines = _changed_lines(before, extra.after)
    assert lines[0] == '-build = { version = ">=1.5.0", optional = true }'  # its version moves to the string
    assert lines[1].startswith('-dev = ["aiohttp_cors", "build", "coverage",')
    assert lines[2].startswith('+dev = ["aiohttp_cors", "build>=2", "coverage",')
    assert len(lines) == 3
    assert depglot.loads(extra.after.decode(), "poetry").group("dev").requirements[1].version.pep440 == ">=2"


def test_a_replaced_inline_table_keeps_its_own_spacing(tmp_path):
    """synapse's dependencies mix ``{version = ...}`` and ``{ version = ... }``: an edit of one entry used to take
    the spacing of the first inline table in the table."""
    target = tmp_path / "pyproject.toml"
    target.write_text('[tool.poetry]\nname = "x"\nversion = "1"\n\n[tool.poetry.dependencies]\npython = "^3.9"\n'
                      'a = {version = ">=1", optional = true}\nidna = { version = ">=2.5", optional = true }\n'
                      'new = "*"\n\n[tool.poetry.extras]\nall = ["a", "idna"]\n')
    before = target.read_bytes()
    result = _process((Found(path=str(target), format="poetry"), Codemod(kind="set", name="idna", spec=">=3")))
    assert result.error is None and result.losses == ()
    assert _changed_lines(before, result.after) == ['-idna = { version = ">=2.5", optional = true }',
                                                    '+idna = { version = ">=3", optional = true }']
    result = _process((Found(path=str(target), format="poetry"), Codemod(kind="add", requirement="new[x]>=1")))
    assert _changed_lines(before, result.after) == ['-new = "*"', '+new = {version = ">=1", extras = ["x"]}']


def test_poetry1_extras_arrays_are_edited_in_place(tmp_path):
    """synapse's ``all`` extra is a commented multi-line array with several names a line: removing one package
    rewrote it one name a line without its comments (and ``pympler`` as ``Pympler``)."""
    target = _corpus_file("poetry", "matrix-org__synapse", tmp_path)
    before = target.read_bytes()
    result = _process((Found(path=str(target), format="poetry"), Codemod(kind="remove", name="psycopg2cffi")))
    assert result.error is None and result.losses == ()
    assert _changed_lines(before, result.after) == [
        '-psycopg2cffi = { version = ">=2.8", markers = "platform_python_implementation == \'PyPy\'", optional = true }',
        '-postgres = ["psycopg2", "psycopg2cffi", "psycopg2cffi-compat"]',
        '+postgres = ["psycopg2", "psycopg2cffi-compat"]',
        '-    "psycopg2", "psycopg2cffi", "psycopg2cffi-compat",',
        '+    "psycopg2", "psycopg2cffi-compat",',
    ]


def test_dev_dependencies_beside_a_dev_group_stay_apart(tmp_path):
    """aws-powertools has [tool.poetry.dev-dependencies] and [tool.poetry.group.dev.dependencies] (Poetry reads
    them as one group): an edit of either used to copy every dev-dependencies entry into the group table."""
    target = _corpus_file("poetry", "aws-powertools__powertools-lambda-python", tmp_path)
    before = target.read_bytes()
    for name, old, new in (("mypy", 'mypy = "^1.1.1"', 'mypy = ">=1.2"'),
                           ("pytest", 'pytest = "^8.3.3"', 'pytest = ">=1.2"')):
        result = _process((Found(path=str(target), format="poetry"), Codemod(kind="set", name=name, spec=">=1.2")))
        assert result.error is None and result.losses == ()
        assert _changed_lines(before, result.after) == [f"-{old}", f"+{new}"]
