"""Bad input never escapes as anything but a located ParseError (no tracebacks), whatever the text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depglot.dialects import conda, pep440, pep508, pipfile, poetry
from depglot.errors import ParseError

# text built from the characters specifiers are made of, so the parsers get past their first check
ALPHABET = "0123456789.,*^~=<>!|() xXvab+-_rcpostdev[]@;:/'\"#&"
texts = st.text(alphabet=ALPHABET, max_size=24) | st.text(max_size=12)

PARSERS = {
    "pep440": pep440.parse,
    "poetry": poetry.parse,
    "poetry-python": poetry.python_constraint,
    "pipfile": pipfile.parse_version,
    "conda": conda.parse_version,
    "matchspec": conda.parse_matchspec,
    "pep508": pep508.parse_requirement,
}


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=400, deadline=None)
@given(text=texts)
def test_parsers_return_or_raise_parse_error(name: str, text: str) -> None:
    try:
        PARSERS[name](text)
    except ParseError as err:
        assert err.span is not None and err.span.column is not None
        assert err.dialect is not None
        assert repr(text) in err.message or name == "matchspec" or name == "pep508"
        err.render()  # renders with its caret


_version = st.builds(
    lambda e, r, s: f"{e}{r}{s}",
    st.sampled_from(["", "", "1!"]),
    st.lists(st.integers(0, 3), min_size=1, max_size=4).map(lambda r: ".".join(map(str, r))),
    st.sampled_from(["", "", "a1", "rc0", ".post1", ".dev0", "+loc"]),
)
_clause = st.builds(
    lambda op, v: f"{op}{v}",
    st.sampled_from(["", "^", "~", "~=", "=", "==", "!=", ">=", ">", "<", "<=", "==="]),
    _version,
) | st.builds(
    lambda op, v: f"{op}{v}.*", st.sampled_from(["", "==", "!="]), st.sampled_from(["1", "1.2", "0.3"])
)
structured = st.lists(
    st.lists(_clause, min_size=1, max_size=3).map(",".join), min_size=1, max_size=3
).flatmap(lambda groups: st.sampled_from([" || ", "|"]).map(lambda sep: sep.join(groups)))


@pytest.mark.parametrize("name", ["pep440", "poetry", "conda", "pipfile"])
@settings(max_examples=300, deadline=None)
@given(text=texts | structured | structured.map(lambda t: t.split("|")[0].strip()))
def test_parsed_specs_render_in_every_dialect(name: str, text: str) -> None:
    try:
        spec = PARSERS[name](text)
    except ParseError:
        return
    from depglot.report import Report

    report = Report()
    for render in (pep440.render, poetry.render, conda.render_version, pipfile.render_version):
        out = render(spec, report=report)
        assert isinstance(out, str)
    text_pep = pep440.render(spec)
    if text_pep:
        pep440.parse(text_pep)  # what depglot writes as PEP 440 is valid PEP 440
    poetry.parse(poetry.render(spec))  # ... and as Poetry, valid Poetry
    conda.parse_version(conda.render_version(spec))  # ... and as conda, valid conda
