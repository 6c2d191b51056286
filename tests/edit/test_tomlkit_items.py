"""tomlkit items made by ``pyproject.common`` for base-mode edits.

``inline_table_like`` and ``make_string_array`` build their items without parsing: the same items tomlkit's
parser makes of the rendered text (same rendering in a document, and after later edits), checked against the
parse on random values. ``remove_key`` works on a table written in parts."""

from __future__ import annotations

import datetime

import tomlkit
from hypothesis import given, settings
from hypothesis import strategies as st

from depglot.converters.pyproject.common import (
    inline_table_like,
    make_string_array,
    parsed_inline_table,
    remove_key,
)

SCALARS = st.one_of(
    st.text(max_size=8), st.booleans(), st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
)
VALUES = st.one_of(SCALARS, st.lists(SCALARS, max_size=3))
TABLES = st.dictionaries(st.text(min_size=1, max_size=6), VALUES, max_size=4)
SIBLINGS = {True: tomlkit.parse("a = { b = 1 }\n"), False: tomlkit.parse("a = {b = 1}\n")}


def _in_document(item) -> str:
    doc = tomlkit.parse('[t]\nk = 1 # c\n')
    doc["t"]["new"] = item
    doc["t"]["k"] = 2
    return tomlkit.dumps(doc)


@settings(max_examples=300, deadline=None)
@given(values=TABLES, spaced=st.booleans(), extra=st.booleans())
def test_built_inline_table_is_the_parsed_one(values, spaced, extra) -> None:
    built, parsed = inline_table_like(values, SIBLINGS[spaced]), parsed_inline_table(values, spaced=spaced)
    assert built.as_string() == parsed.as_string()
    assert built.unwrap() == parsed.unwrap()
    assert _in_document(built) == _in_document(parsed)
    for table in (built, parsed):  # later edits (tomlkit treats parsed and "new" tables differently)
        if extra:
            table["zz-added"] = ["x"]
        if values:
            del table[next(iter(values))]
    assert built.as_string() == parsed.as_string()


def test_spacing_follows_the_siblings_and_other_values_are_parsed() -> None:
    assert inline_table_like({"version": ">=2", "extras": ["a"]}).as_string() == '{ version = ">=2", extras = ["a"] }'
    assert inline_table_like({"version": ">=2"}, SIBLINGS[False]).as_string() == '{version = ">=2"}'
    assert inline_table_like({}).as_string() == "{}"
    dated = {"since": datetime.date(1979, 5, 27)}
    assert inline_table_like(dated).as_string() == parsed_inline_table(dated, spaced=True).as_string()
    assert inline_table_like(dated).unwrap() == dated


# ------------------------------------------------------------------------ multi-line arrays (make_string_array)


def _parsed_array(values: list, indent: str, newline: str):
    """What make_string_array returned before it built arrays: the parse of the rendered text."""
    arr = tomlkit.array()
    for v in values:
        arr.append(v)
    if indent == "    " and newline == "\n":
        text = arr.multiline(True).as_string()
    else:
        text = "[" + newline + "".join(f"{indent}{tomlkit.item(v).as_string()},{newline}" for v in values) + "]"
    return tomlkit.parse(f"x = {text}\n")["x"]


ITEMS = st.one_of(st.text(max_size=10), st.builds(lambda g: inline_table_like({"include-group": g}), st.text(max_size=5)))


@settings(max_examples=300, deadline=None)
@given(values=st.lists(ITEMS, min_size=1, max_size=5), indent=st.sampled_from(["    ", "  ", "\t", "        "]),
       newline=st.sampled_from(["\n", "\r\n"]), edit=st.integers(0, 3))
def test_built_multiline_array_is_the_parsed_one(values, indent, newline, edit) -> None:
    built = make_string_array(values, multiline=True, indent=indent, newline=newline)
    parsed = _parsed_array(values, indent, newline)
    assert built.as_string() == parsed.as_string()
    assert _in_document(built) == _in_document(parsed)
    for arr in (built, parsed):  # the edits set_string_array makes in place
        if edit == 1:
            arr.append("added")
        elif edit == 2:
            arr.insert(0, "first")
        elif edit == 3:
            arr[0] = "replaced"
        if len(arr) > 1:
            del arr[-1]
    assert built.as_string() == parsed.as_string()


def test_a_mapping_in_a_new_array_is_an_unspaced_inline_table() -> None:
    arr = make_string_array(["a", {"include-group": "dev"}], multiline=True)
    assert arr.as_string() == '[\n    "a",\n    {include-group = "dev"},\n]'
    assert arr.as_string() == _parsed_array(["a", {"include-group": "dev"}], "    ", "\n").as_string()


def test_remove_key_from_a_table_written_in_parts() -> None:
    """[tool.poetry] split by another table is tomlkit's out-of-order proxy (rename-group on aws-powertools' file
    failed with an internal error: the proxy has no body)."""
    doc = tomlkit.parse('[tool.poetry]\nname = "x"\n\n[tool.poetry.dev-dependencies]\npytest = "*"\n\n'
                        '[tool.coverage]\na = 1\n\n[tool.poetry.group.dev]\n# the dev group\noptional = true\n'
                        '# keep me\n[tool.poetry.group.dev.dependencies]\nruff = "*"\n')
    tp = doc["tool"]["poetry"]
    assert type(tp).__name__ == "OutOfOrderTableProxy"
    remove_key(tp, "dev-dependencies")
    remove_key(tp, "absent")
    remove_key(doc["tool"]["poetry"]["group"]["dev"], "optional")
    assert tomlkit.dumps(doc) == ('[tool.poetry]\nname = "x"\n\n[tool.coverage]\na = 1\n\n[tool.poetry.group.dev]\n'
                                  '# keep me\n[tool.poetry.group.dev.dependencies]\nruff = "*"\n')
