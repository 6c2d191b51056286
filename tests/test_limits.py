"""Resource limits: huge, wide, deep and self-referencing inputs finish in bounded time and memory with a clear
DepglotError (or a correct read), never a RecursionError, a hang or an exponential blow-up."""

from __future__ import annotations

import pytest

import depglot
from depglot.errors import DepglotError, ParseError

DEPTH = 5000  # far past Python's recursion limit (1000)

# format -> text nested DEPTH levels deep in that format's syntax
DEEP = {
    "pep621": "[project]\nname = 'x'\ndependencies = " + "[" * DEPTH + "\n",
    "poetry": "[tool.poetry.dependencies]\nx = " + "{a = " * DEPTH + "\n",
    "pipfile": "[packages]\nx = " + "[" * DEPTH + "\n",
    "uv-lock": "version = 1\n[[package]]\nname = " + "[" * DEPTH + "\n",
    "pdm-lock": "[metadata]\ngroups = " + "[" * DEPTH + "\n",
    "poetry-lock": "[[package]]\nname = " + "{a = " * DEPTH + "\n",
    "pylock": 'lock-version = "1.0"\npackages = ' + "[" * DEPTH + "\n",
    "script": "# /// script\n# dependencies = " + "[" * DEPTH + "\n# ///\n",
    "pipfile-lock": '{"default": ' + '{"a": ' * DEPTH + "1" + "}" * DEPTH + "}\n",
    "freeze": "[" * DEPTH + "]" * DEPTH + "\n",
    "conda": "dependencies: " + "[" * DEPTH + "\n",
    "conda-lock": "package: " + "[" * DEPTH + "\n",
}


@pytest.mark.parametrize("fmt", sorted(DEEP))
def test_deep_nesting_is_a_located_parse_error(fmt: str) -> None:
    with pytest.raises(DepglotError) as exc:
        depglot.loads(DEEP[fmt], fmt, path="deep")
    assert exc.value.span is not None and exc.value.span.file == "deep"
    assert "\n" not in exc.value.one_line()
    assert isinstance(exc.value, ParseError)
