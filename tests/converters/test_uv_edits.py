"""Base-mode edits of pyproject files the uv writer makes: quoting kept, added tables separated by a blank line."""

from __future__ import annotations

import tomllib

from depglot import api
from depglot.edit import codemods

LITERAL = """\
[project]
name = 'demo'
version = '1'
dependencies = [
  'requests>=2.31,<3',
  'trustme>=0.9 ; python_version < "3.13"',
]

[build-system]
requires = ['hatchling']
build-backend = 'hatchling.build'
"""


def _edit(text: str, change) -> str:  # type: ignore[no-untyped-def]
    m = api.loads(text, "uv", path="/tmp/demo/pyproject.toml")
    return api.dumps(change(m), "uv", base=text, path="/tmp/demo/pyproject.toml").text


def test_a_changed_item_keeps_its_literal_quotes() -> None:
    out = _edit(LITERAL, lambda m: codemods.set_version(m, "requests", ">=2.32"))
    assert out == LITERAL.replace("'requests>=2.31,<3',", "'requests>=2.32',")


def test_an_added_item_takes_its_neighbours_literal_quotes() -> None:
    out = _edit(LITERAL, lambda m: codemods.add(m, 'idna>=3 ; sys_platform == "linux"'))
    assert out == LITERAL.replace("""  'trustme>=0.9 ; python_version < "3.13"',\n""",
                                  """  'trustme>=0.9 ; python_version < "3.13"',\n"""
                                  """  'idna>=3 ; sys_platform == "linux"',\n""")


def test_a_value_with_a_single_quote_stays_a_basic_string() -> None:
    out = _edit(LITERAL, lambda m: codemods.add(m, "idna>=3 ; sys_platform == 'linux'"))
    assert """  "idna>=3 ; sys_platform == 'linux'",\n""" in out
    assert tomllib.loads(out)["project"]["dependencies"][-1] == "idna>=3 ; sys_platform == 'linux'"


def test_basic_strings_stay_basic() -> None:
    text = LITERAL.replace("'", '"').replace('"trustme>=0.9 ; python_version < "3.13""', "'trustme'")
    out = _edit(text, lambda m: codemods.set_version(m, "requests", ">=2.32"))
    assert out == text.replace('"requests>=2.31,<3",', '"requests>=2.32",')


POETRY_WITH_SOURCE = """\
[tool.poetry]
name = "demo"
version = "1"

[tool.poetry.dependencies]
python = "^3.11"
lib = { version = ">=1", source = "corp" }

[[tool.poetry.source]]
name = "corp"
url = "https://corp.example/simple/"
priority = "explicit"

[tool.other]
keep = true

[build-system]
requires = ["poetry-core>=2"]
build-backend = "poetry.core.masonry.api"
"""


def test_tables_added_to_a_base_end_with_a_blank_line() -> None:
    m = api.loads(POETRY_WITH_SOURCE, "poetry", path="/tmp/demo/pyproject.toml")
    out = api.dumps(m, "uv", base=POETRY_WITH_SOURCE, path="/tmp/demo/pyproject.toml").text
    lines = out.splitlines()
    headers = [i for i, line in enumerate(lines) if line.startswith("[")]
    assert any(lines[i].startswith("[tool.uv") or lines[i].startswith("[[tool.uv") for i in headers)
    assert [lines[i] for i in headers if i and lines[i - 1].strip()] == []  # every header after a blank line
    assert not out.endswith("\n\n")
