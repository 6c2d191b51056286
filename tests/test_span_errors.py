from depglot.errors import IncludeError, ParseError, UnknownFormatError
from depglot.redact import redact
from depglot.span import Span, line_col


def test_span_location_and_key():
    s = Span(file="pyproject.toml", line=14, column=1, key="tool.poetry.dependencies.foo")
    assert s.location() == "pyproject.toml:14:1"
    assert str(s) == "pyproject.toml:14:1 [tool.poetry.dependencies.foo]"
    assert Span().location() == "<input>"
    assert Span(file="f", line=3).location() == "f:3:1"
    assert Span(key="a").child("b").key == "a.b"


def test_line_col():
    text = "ab\ncd\nef"
    assert line_col(text, 0) == (1, 1)
    assert line_col(text, 4) == (2, 2)
    assert line_col(text, 6) == (3, 1)


def test_parse_error_renders_caret_under_the_problem():
    err = ParseError(
        "invalid specifier '>=<1'",
        span=Span(file="requirements.txt", line=3, column=5),
        source_line="foo >=<1\n",
        width=4,
        hint="use a PEP 440 specifier",
    )
    assert err.render() == (
        "requirements.txt:3:5: error: invalid specifier '>=<1' (use a PEP 440 specifier)\n"
        " 3 | foo >=<1\n"
        "   |     ^~~~"
    )


def test_parse_error_one_line_redacts_credentials():
    err = ParseError("bad index https://user:s3cret@host/simple", span=Span(file="r.txt", line=1, column=1))
    assert "s3cret" not in str(err)
    assert "https://user:***@host/simple" in err.render()


def test_include_error_is_a_parse_error():
    assert issubclass(IncludeError, ParseError)


def test_unknown_format_suggests_close_matches():
    err = UnknownFormatError("pipfle", ["pipfile"])
    assert err.one_line() == "error: unknown format 'pipfle' (did you mean 'pipfile'?)"


def test_redact_variants():
    assert redact("https://user:token@host/simple") == "https://user:***@host/simple"
    assert redact("https://token@host/simple") == "https://***@host/simple"
    assert redact("git+ssh://git@github.com/a/b") == "git+ssh://***@github.com/a/b"
    assert redact("https://${USER}:${TOKEN}@host/simple") == "https://${USER}:${TOKEN}@host/simple"
    assert redact("pkg @ https://files/x.whl") == "pkg @ https://files/x.whl"
    assert redact("no urls here") == "no urls here"
