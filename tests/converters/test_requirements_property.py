"""Generated requirements files: depglot and pip agree on every one (both reject, or both read the same
requirements), and every file depglot reads round-trips byte for byte."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import depglot
from depglot.converters.requirements.lines import parse_document
from depglot.errors import ParseError
from tests.converters.test_requirements_oracle import depglot_rows, pip_rows

pytest.importorskip("pip")

LINES = [
    "requests>=2",
    "Django==4.2.* ; python_version < '3.12'",
    "attrs",
    "foo[bar,baz]~=1.0",
    "pkg @ https://example.org/pkg-1.0.tar.gz",
    "git+https://github.com/x/y.git@v1#egg=y",
    "-e git+https://github.com/x/z.git#egg=z",
    "https://example.org/w-1.0-py3-none-any.whl; python_version >= '3.8'",
    "./local/dir",
    "numpy --config-settings=a=b",
    "x==1 --hash=sha256:abc",
    "    --hash=sha256:def",
    "    >=1.0",
    "--pre",
    "-i https://pypi.org/simple",
    "--extra-index-url=https://e.example/simple",
    "--no-index",
    "-f ./wheels",
    "--only-binary :all:",
    "--trusted-host h.example --prefer-binary",
    "-r other.txt",
    "# comment",
    "    # via x",
    "y  # trailing",
    "",
    "   ",
    "this is bad!!",
    "--nope",
    "z --hash=md5:00",
    "foo  ==1",
    "foo;python_version<'3'",
    "bar [ a , b ] >= 1",
    "-e .[a,b]",
    "-ihttps://i.example/simple",
    "-Ckey=val",
    "w --config-settings 'k=v w'",
    "--extra-index https://x.example/simple",
    "--requirement=base.txt",
    "q\t# tab comment",
    "git+https://github.com/x/q.git#egg=q # c",
    "v --hash sha256:aa --hash=sha384:bb",
    "--use-feature=truststore",
    "-e",
    "--pre=1",
    "u @ file:///srv/u",
    "./wheel/w2-2.0-py3-none-any.whl",
]

line = st.tuples(st.sampled_from(LINES), st.sampled_from(["", " \\", "\\"]), st.sampled_from(["\n", "\r\n"]))
files = st.lists(line, min_size=1, max_size=8).map(lambda ls: "".join(a + b + c for a, b, c in ls))


@pytest.mark.slow
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files)
def test_generated_files_agree_with_pip_and_round_trip(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        path = Path(tmp) / "requirements.txt"
        path.write_bytes(text.encode("utf-8"))
        try:
            expected = pip_rows(path, mp)
        except Exception as exc:  # noqa: BLE001 - pip raises several unrelated exception types
            with pytest.raises(ParseError):
                depglot.load(path, "requirements")
            assert exc is not None
            return
        assert depglot_rows(path) == expected
    assert parse_document(text).render() == text
    manifest = depglot.loads(text, "requirements")
    assert depglot.dumps(manifest, "requirements", base=text).text == text
    fresh = depglot.dumps(manifest, "requirements").text
    back = depglot.loads(fresh, "requirements")
    assert [r.replace(span=None) for r in back.requirements()] == [
        r.replace(span=None) for r in manifest.requirements()
    ]


def _core(reqs):
    return [r.replace(span=None, comments=(), raw=()) for r in reqs]


GOOD = [ln for ln in LINES if ln not in ("this is bad!!", "--nope", "z --hash=md5:00")]
good_files = st.lists(
    st.tuples(st.sampled_from(GOOD), st.sampled_from(["", "", " \\"]), st.sampled_from(["\n", "\r\n"])),
    min_size=1,
    max_size=10,
).map(lambda ls: "".join(a + b + c for a, b, c in ls))
edits = st.lists(
    st.tuples(st.sampled_from(["delete", "pin", "add", "hash"]), st.integers(min_value=0, max_value=20)),
    max_size=4,
)


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(good_files, edits)
def test_base_mode_edits_read_back_as_the_edited_manifest(text: str, ops) -> None:
    from depglot.ir.model import Requirement
    from depglot.ir.versions import VersionSpec

    try:
        manifest = depglot.loads(text, "requirements")
    except ParseError:
        return  # joined continuations can make a line pip rejects too (checked by the test above)
    reqs = list(manifest.requirements())
    for op, n in ops:
        if op == "add":
            reqs.append(Requirement(name=f"new{n}", version=VersionSpec.from_pep440(f">={n}")))
        elif reqs and op == "delete":
            reqs.pop(n % len(reqs))
        elif reqs and op == "pin" and reqs[n % len(reqs)].source is None and reqs[n % len(reqs)].name:
            reqs[n % len(reqs)] = reqs[n % len(reqs)].replace(version=VersionSpec.from_pep440(f"=={n}.0"))
        elif reqs and op == "hash" and not reqs[n % len(reqs)].editable:
            reqs[n % len(reqs)] = reqs[n % len(reqs)].replace(hashes=(f"sha256:{n:04x}",))
    edited = manifest.replace(groups=(manifest.main.replace(requirements=tuple(reqs)),))
    out = depglot.dumps(edited, "requirements", base=text).text
    back = depglot.loads(out, "requirements")
    assert _core(back.requirements()) == _core(reqs)
    assert (back.indexes, back.options, back.includes, back.no_index, back.allow_prereleases) == (
        manifest.indexes,
        manifest.options,
        manifest.includes,
        manifest.no_index,
        manifest.allow_prereleases,
    ) or [i.url for i in back.indexes] == [i.url for i in manifest.indexes]
