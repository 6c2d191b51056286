"""PEP 723 scripts: read the # /// script block, edit it in place, convert to and from other formats."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from depglot import api
from depglot.dialects.pep508 import parse_requirement
from depglot.errors import ParseError
from depglot.ir.model import Group, Index, IndexRole, Manifest
from tests.conftest import CORPUS, FIXTURES, corpus_params

FIX = FIXTURES / "script"

# PEP 723's reference implementation, verbatim: the oracle for what the block holds.
REGEX = r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$"


def pep723_read(script: str) -> dict | None:
    name = "script"
    matches = list(filter(lambda m: m.group("type") == name, re.finditer(REGEX, script)))
    if len(matches) > 1:
        raise ValueError(f"Multiple {name} blocks found")
    if len(matches) == 1:
        content = "".join(
            line[2:] if line.startswith("# ") else line[1:]
            for line in matches[0].group("content").splitlines(keepends=True)
        )
        return tomllib.loads(content)
    return None


def _valid(path: Path) -> bool:
    try:
        return pep723_read(path.read_text(encoding="utf-8")) is not None
    except ValueError:
        return False


@pytest.mark.parametrize("path", corpus_params("script"))
def test_corpus_round_trip_or_refusal(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    if not _valid(path):
        # PEP 723: several script blocks must be refused (ruff's ERA001 fixture has three).
        with pytest.raises(ParseError) as exc:
            api.loads(text, "script", path=str(path))
        assert "more than one" in exc.value.message and exc.value.span.line is not None
        return
    m = api.loads(text, "script", path=str(path))
    assert api.dumps(m, "script", base=text).text == text
    oracle = pep723_read(text)
    assert [r.name for r in m.main.requirements] == [parse_requirement(d).name for d in oracle["dependencies"]]
    if "requires-python" in oracle:
        assert m.python.raw == oracle["requires-python"]
    # Spans point at the .py file's lines.
    lines = text.splitlines()
    for req in m.main.requirements:
        assert req.name in lines[req.span.line - 1]
    fresh = api.dumps(m, "script")
    assert pep723_read(fresh.text) == oracle or [
        parse_requirement(d).name for d in pep723_read(fresh.text)["dependencies"]
    ] == [parse_requirement(d).name for d in oracle["dependencies"]]


def test_read_fixture_with_tool_uv_and_comments() -> None:
    m = api.load(FIX / "fetch.py", "script")
    assert m.format == "script"
    assert [(r.name, r.span.line) for r in m.main.requirements] == [("httpx", 9), ("rich", 10)]
    assert m.python.raw == ">=3.11"
    assert m.index_strategy == "unsafe-best-match"


def test_edit_in_place_touches_only_the_block() -> None:
    text = (FIX / "fetch.py").read_text()
    m = api.loads(text, "script")
    main = m.main.replace(requirements=(*m.main.requirements, parse_requirement("click>=8")))
    out = api.dumps(m.replace(groups=(main,)), "script", base=text).text
    assert out == text.replace('#   "rich",\n', '#   "rich",\n#   "click>=8",\n')


def test_crlf_block_is_edited_with_crlf() -> None:
    text = (FIX / "fetch.py").read_text().replace("\n", "\r\n")
    m = api.loads(text, "script")
    assert api.dumps(m, "script", base=text).text == text
    main = m.main.replace(requirements=m.main.requirements[:1])
    out = api.dumps(m.replace(groups=(main,)), "script", base=text).text
    assert out == text.replace('#   "rich",\r\n', "")


def test_requirements_into_a_file_without_block() -> None:
    m = Manifest(
        format="requirements",
        groups=(Group(name="main", requirements=(parse_requirement("requests>=2.31"),
                                                 parse_requirement('tomli ; python_version < "3.11"'))),),
        indexes=(Index(name=None, url="https://mirror.example/simple", role=IndexRole.DEFAULT),),
    )
    base = "#!/usr/bin/env python\nimport requests\n"
    out = api.dumps(m, "script", base=base)
    assert out.text.startswith("#!/usr/bin/env python\n# /// script\n")
    assert out.text.endswith("# ///\nimport requests\n")
    meta = pep723_read(out.text)
    assert meta["dependencies"] == ["requests>=2.31", 'tomli ; python_version < "3.11"']
    assert meta["tool"]["uv"]["index"] == [{"url": "https://mirror.example/simple", "default": True}]
    back = api.loads(out.text, "script")
    assert [r.name for r in back.main.requirements] == ["requests", "tomli"]


def test_script_to_requirements_and_pyproject() -> None:
    m = api.load(FIX / "fetch.py", "script")
    req = api.dumps(m, "requirements").text
    assert "httpx>=0.27" in req and "rich" in req
    pyproject = api.dumps(m, "uv").text
    doc = tomllib.loads(pyproject)
    assert doc["project"]["dependencies"] == ["httpx>=0.27", "rich"]
    assert doc["project"]["requires-python"] == ">=3.11"


def test_bad_requirement_points_into_the_py_file() -> None:
    with pytest.raises(ParseError) as exc:
        api.load(FIX / "bad-req.py", "script")
    assert exc.value.span.line == 4
    assert exc.value.span.file.endswith("bad-req.py")
    assert "flask >=> 2" in exc.value.render()


def test_unknown_key_is_refused() -> None:
    with pytest.raises(ParseError) as exc:
        api.load(FIX / "bad-key.py", "script")
    assert exc.value.span.line == 3 and "'name'" in exc.value.message


def test_no_block() -> None:
    with pytest.raises(ParseError):
        api.loads("print(1)\n", "script")


def test_detect() -> None:
    from depglot.converters.script import ScriptFormat

    assert ScriptFormat().detect("x.py", "# /// script\n# dependencies = []\n# ///\n") == 90
    assert ScriptFormat().detect("x.py", "print(1)\n") == 0
    if (CORPUS / "script").is_dir():
        assert api.load(FIX / "fetch.py").format == "script"


PEP723_KEYS = {"dependencies", "requires-python", "tool"}


def test_optional_requirement_is_reported_never_written_as_a_project_table() -> None:
    """A Poetry optional dependency in no extra has nowhere to go in a script: dropped with an error, and the block
    stays what PEP 723 allows (a [project] extra table would make the script unreadable)."""
    poetry = ('[tool.poetry]\nname = "p"\nversion = "1"\n\n[tool.poetry.dependencies]\npython = "^3.11"\n'
              'requests = "^2.31"\ntomlkit = { version = ">=0.12", optional = true }\n'
              'pg = { version = "*", optional = true }\n\n[tool.poetry.extras]\npostgres = ["pg"]\n')
    m = api.loads(poetry, "poetry", path="pyproject.toml")
    out = api.dumps(m, "script", selection=api.Selection(all_extras=True))
    meta = pep723_read(out.text)
    assert set(meta) <= PEP723_KEYS
    assert meta["dependencies"] == ["requests>=2.31,<3.0", "pg"]
    dropped = [(loss.code, loss.severity.name, loss.subject, loss.span.line) for loss in out.report
               if loss.code == "optional-requirement-dropped"]
    assert dropped == [("optional-requirement-dropped", "ERROR", "tomlkit", 8)]
    assert [r.name for r in api.loads(out.text, "script").main.requirements] == ["requests", "pg"]


def test_the_project_itself_is_not_a_script_dependency() -> None:
    m = api.loads("-e .[cli]\nrequests\n", "requirements", path="requirements.txt")
    out = api.dumps(m, "script")
    assert pep723_read(out.text) == {"dependencies": ["requests"]}
    [loss] = [loss for loss in out.report if loss.code == "project-itself-dropped"]
    assert (loss.severity.name, loss.subject, loss.span.line) == ("WARNING", ".", 1)
    assert "not a project" in loss.message
