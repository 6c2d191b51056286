"""depglot.edit.tomlemit: fresh Poetry / Pipfile / pep621 (uv, pdm) files rendered without tomlkit, byte for byte
as tomlkit did.

The corpus test converts every corpus file to poetry, poetry1, pipfile, pep621, pep621+uv and pep621+pdm twice -- through the emitter (the
default) and through the tomlkit rendering of the same fresh document (``FRESH_WITH_TOMLKIT``) -- and requires the
same text, the same losses and the same TOML data; the emitter run must not fall back to tomlkit.
"""

from __future__ import annotations

import datetime
import tomllib

import pytest

import depglot
from depglot.api import Selection
from depglot.converters.pipfile import writer as pipfile_writer
from depglot.converters.pyproject import writer as pep621_writer
from depglot.converters.pyproject.poetry import writer as poetry_writer
from depglot.edit import tomlemit as emit
from depglot.errors import DepglotError

from .conftest import corpus_files
from .matrix_support import CATEGORY_FORMAT

TARGETS = ("poetry", "poetry1", "pipfile", "pep621", "pep621+uv", "pep621+pdm")


def _sources() -> list:
    params = [pytest.param(p, fmt, id=f"{cat}/{p.name}") for cat, fmt in sorted(CATEGORY_FORMAT.items())
              for p in corpus_files(cat)]
    return params or [pytest.param(None, None, marks=pytest.mark.skip(reason="shared corpus absent"), id="none")]


def _no_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the tomlkit fallback of the fresh writers fail loudly (the emitter must handle the corpus)."""

    class Refused:
        @staticmethod
        def document() -> None:
            raise AssertionError("a fresh writer fell back to tomlkit")

    def refused_pep621(*_: object, fresh_emit: bool) -> str:
        raise AssertionError("the pep621 writer fell back to tomlkit")

    monkeypatch.setattr(poetry_writer, "TomlkitOps", Refused)
    monkeypatch.setattr(pipfile_writer, "TomlkitOps", Refused)
    real = pep621_writer._write
    monkeypatch.setattr(pep621_writer, "_write",
                        lambda *a, fresh_emit: real(*a, fresh_emit=True) if fresh_emit else refused_pep621(
                            fresh_emit=False))


def _convert(manifest, target: str) -> tuple[str, list[tuple[str, str]]]:
    conv = depglot.dumps(manifest, target, selection=Selection(all_groups=True, all_extras=True))
    return conv.text, [(loss.code, loss.message) for loss in conv.report.losses]


@pytest.mark.parametrize(("path", "fmt"), _sources())
def test_fresh_output_equals_tomlkit_rendering(path, fmt, monkeypatch):
    try:
        manifest = depglot.load(path, fmt)
    except DepglotError as exc:
        pytest.skip(f"corpus file rejected by its reader: {exc.one_line()}")
    with monkeypatch.context() as m:
        _no_fallback(m)
        emitted = {t: _convert(manifest, t) for t in TARGETS}
    with monkeypatch.context() as m:
        m.setattr(poetry_writer, "FRESH_WITH_TOMLKIT", True)
        m.setattr(pipfile_writer, "FRESH_WITH_TOMLKIT", True)
        m.setattr(pep621_writer, "FRESH_WITH_TOMLKIT", True)
        tomlkit_made = {t: _convert(manifest, t) for t in TARGETS}
    for target in TARGETS:
        (new, new_losses), (old, old_losses) = emitted[target], tomlkit_made[target]
        assert new == old, target
        assert new_losses == old_losses, target
        assert tomllib.loads(new) == tomllib.loads(old)


def test_unmodelled_value_falls_back_to_tomlkit(monkeypatch):
    """A date in [pipenv] is outside the emitter's model: the writer renders with tomlkit, same as before."""
    text = '[packages]\nrequests = "*"\n\n[pipenv]\nsince = 1979-05-27\n'
    manifest = depglot.loads(text, "pipfile")
    out = depglot.dumps(manifest, "pipfile").text
    monkeypatch.setattr(pipfile_writer, "FRESH_WITH_TOMLKIT", True)
    assert out == depglot.dumps(manifest, "pipfile").text
    assert tomllib.loads(out)["pipenv"]["since"] == datetime.date(1979, 5, 27)
    with pytest.raises(emit.Unsupported):
        emit.Table({"since": datetime.date(1979, 5, 27)})


@pytest.mark.parametrize("target", ["poetry", "poetry1"])
def test_unmodelled_value_falls_back_to_tomlkit_in_poetry(target, monkeypatch):
    """A date among the Raw [tool.poetry] keys: the Poetry writer renders that file with tomlkit, with the same
    losses as the emitter attempt would have reported (the trial report is dropped)."""
    text = ('[tool.poetry]\nname = "x"\nversion = "1.0"\ndescription = ""\nauthors = []\nreleased = 1979-05-27\n\n'
            '[tool.poetry.dependencies]\npython = "^3.9"\nrequests = "^2"\n')
    manifest = depglot.loads(text, "poetry")
    conv = depglot.dumps(manifest, target)
    monkeypatch.setattr(poetry_writer, "FRESH_WITH_TOMLKIT", True)
    old = depglot.dumps(manifest, target)
    assert conv.text == old.text
    assert conv.report.losses == old.report.losses
    assert tomllib.loads(conv.text)["tool"]["poetry"]["released"] == datetime.date(1979, 5, 27)


def test_unmodelled_value_falls_back_to_tomlkit_in_pep621(monkeypatch):
    """A TOML datetime kept from [tool.uv] (exclude-newer) is outside the emitter's model: the pep621 writer renders
    that file with tomlkit, with the losses of one write (the emitter attempt's report is dropped)."""
    text = ('[project]\nname = "x"\nversion = "1.0"\ndependencies = ["requests>=2"]\n\n'
            '[tool.uv]\nexclude-newer = 2024-03-25T00:00:00Z\n')
    manifest = depglot.loads(text, "pep621")
    calls: list[bool] = []
    real = pep621_writer._write

    def spy(*args: object, fresh_emit: bool) -> str:
        calls.append(fresh_emit)
        return real(*args, fresh_emit=fresh_emit)

    monkeypatch.setattr(pep621_writer, "_write", spy)
    conv = depglot.dumps(manifest, "pep621+uv")
    assert calls == [True, False]  # tried the emitter, then tomlkit
    monkeypatch.setattr(pep621_writer, "FRESH_WITH_TOMLKIT", True)
    old = depglot.dumps(manifest, "pep621+uv")
    assert conv.text == old.text
    assert conv.report.losses == old.report.losses
    assert tomllib.loads(conv.text)["tool"]["uv"]["exclude-newer"] == datetime.datetime(
        2024, 3, 25, tzinfo=datetime.UTC)


# ---------------------------------------------------------------------------------------------- the emitter

TRICKY = ["", "plain", 'say "hi"', "back\\slash", "tab\there", "line\nbreak", "cr\rlf", "bell\x07", "del\x7f",
          "esc\x1b", "unicode é ☃ \u2028", "'single'", '"""', "\x00"]


@pytest.mark.parametrize("value", TRICKY)
def test_strings_and_keys_escape_as_tomlkit(value):
    import tomlkit

    assert emit.format_string(value) == tomlkit.string(value).as_string()
    doc = tomlkit.document()
    doc[value] = 1
    assert f"{emit.format_key(value)} = 1\n" == doc.as_string()
    assert tomllib.loads(f"{emit.format_key(value)} = {emit.format_string(value)}\n") == {value: value}


def test_keys_bare_only_when_toml_allows():
    assert emit.format_key("A-z_0-9") == "A-z_0-9"
    assert emit.format_key("a.b") == '"a.b"'
    assert emit.format_key("é") == '"é"'
    assert emit.format_key("") == '""'


def test_literal_strings():
    assert emit.format_string(emit.Literal('a "b"')) == "'a \"b\"'"
    for bad in ("it's", "a\nb", "a\x01"):
        with pytest.raises(emit.Unsupported):
            emit.format_string(emit.Literal(bad))


def test_values():
    assert emit.format_value(True) == "true"
    assert emit.format_value(3) == "3"
    assert emit.format_value(1e20) == "1e+20"
    assert emit.format_value(emit.Array(["a", 1])) == '["a", 1]'
    assert emit.format_value(emit.Array(["a", "b"], multiline=True)) == '[\n    "a",\n    "b",\n]'
    assert emit.format_value(emit.Array([], multiline=True)) == "[]"
    assert emit.format_value(emit.InlineTable({"a": 1, "b c": emit.Array(["x"])})) == '{ a = 1, "b c" = ["x"] }'
    assert emit.format_value(emit.InlineTable({"a": 1}, spaced=False)) == "{a = 1}"
    assert emit.format_value(emit.InlineTable()) == "{}"
    with pytest.raises(emit.Unsupported):
        emit.format_value(datetime.time(1, 2))


def _build(api, comment, table, aot) -> tuple:
    """The same document built through either API (tomlkit, or the emitter's containers)."""
    doc = api()
    comment(doc, "top\n")
    doc["name"] = "x"
    doc["tool"] = table({})
    poetry = doc["tool"]["poetry"] = table({})
    poetry["deps"] = table({"a": "1"})
    poetry["source"] = aot([{"name": "one"}, {"name": "two"}])
    poetry["mode"] = False  # set after the sub-tables: rendered before them, with a blank line after it
    doc["empty"] = table({})
    doc["last"] = table({"k": "v"})
    return doc, poetry


def test_tables_super_tables_arrays_of_tables_and_comments_render_as_tomlkit():
    import tomlkit

    def tk_table(values):
        t = tomlkit.table()
        for k, v in values.items():
            t[k] = v
        return t

    def tk_aot(tables):
        a = tomlkit.aot()
        for t in tables:
            a.append(tk_table(t))
        return a

    expected, _ = _build(tomlkit.document, lambda d, c: d.add(tomlkit.comment(c)), tk_table, tk_aot)
    doc, poetry = _build(emit.Table, lambda d, c: d.add_comment(c), emit.Table,
                         lambda ts: emit.AoT(emit.Table(t) for t in ts))
    text = emit.dumps(doc)
    assert text == tomlkit.dumps(expected)
    assert text.startswith('# top\n#\nname = "x"\n\n[tool.poetry]\nmode = false\n\n[tool.poetry.deps]\n')
    assert tomllib.loads(text) == expected.unwrap()
    from depglot.edit.tomlops import space_new_tables

    space_new_tables(expected, {})
    emit.space_new_tables(doc)
    assert emit.dumps(doc) == tomlkit.dumps(expected)
    assert emit.dumps(doc).endswith('[last]\nk = "v"\n\n')
    with pytest.raises(emit.Unsupported):
        poetry.add_comment("after a sub-table")
