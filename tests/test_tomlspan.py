from depglot.edit.tomlspan import TomlLocator, split_key

DOC = '''# header
[project]
name = "x"
dependencies = [
    "requests>=2",  # [not a table]
    "attrs",
]
description = """
[fake.table]
key = 1
"""

[tool.poetry.dependencies]
python = "^3.9"
"my.pkg" = { version = "^1" }
foo.bar = 1

[[tool.poetry.source]]
name = "a"

[[tool.poetry.source]]
name = "b"
'''


def test_split_key():
    assert split_key('a."b.c".d') == ("a", "b.c", "d")
    assert split_key("'x' . y") == ("x", "y")


def test_positions_of_keys_tables_and_array_tables():
    loc = TomlLocator(DOC, "pyproject.toml")
    assert loc.position("project", "dependencies") == (4, 1)
    assert loc.position("tool", "poetry", "dependencies", "python") == (14, 1)
    assert loc.position("tool", "poetry", "dependencies", "my.pkg") == (15, 1)
    assert loc.position("tool", "poetry", "dependencies", "foo", "bar") == (16, 1)
    assert loc.position("tool", "poetry", "source", 1, "name") == (22, 1)
    assert loc.position("tool", "poetry", "source", 0) == (18, 3)
    # text inside multi-line strings and arrays is not mistaken for tables or keys
    assert loc.position("fake", "table") is None
    assert loc.position("project", "description") == (8, 1)


def test_span_with_needle_finds_array_elements():
    loc = TomlLocator(DOC, "pyproject.toml")
    span = loc.span("project", "dependencies", needle='"attrs"')
    assert (span.file, span.line, span.column, span.key) == ("pyproject.toml", 6, 5, "project.dependencies")
    missing = loc.span("tool", "uv")
    assert missing.line is None and missing.key == "tool.uv"
    assert loc.span("tool", "poetry", "source", 1, "name").key == "tool.poetry.source[1].name"
