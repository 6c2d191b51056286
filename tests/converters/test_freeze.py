"""The freeze format: pip freeze / pip list JSON / conda list --export / --json, read exactly and written back."""

from __future__ import annotations

from pathlib import Path

import pytest

from depglot import api
from depglot.errors import ParseError
from depglot.ir.model import CondaPackage, LocalPath, Url, Vcs
from tests.conftest import CORPUS, FIXTURES, corpus_files, corpus_params

FREEZE = FIXTURES / "freeze"


def _pip_oracle(path: Path) -> list[tuple[str, str | None, bool]]:
    """(name or link, specifier, editable) per requirement as pip's own requirements-file parser sees it."""
    from pip._internal.network.session import PipSession
    from pip._internal.req.req_file import parse_requirements

    out = []
    for parsed in parse_requirements(str(path), session=PipSession()):
        out.append((parsed.requirement, parsed.is_editable))
    return out


@pytest.mark.parametrize("path", corpus_params("freeze"))
def test_corpus_round_trips_byte_identically(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    manifest = api.loads(text, "freeze", path=str(path))
    assert api.dumps(manifest, "freeze", base=text).text == text
    fresh = api.dumps(manifest, "freeze")
    again = api.loads(fresh.text, "freeze")
    assert [(r.name, r.version, r.source, r.editable) for r in again.requirements()] == [
        (r.name, r.version, r.source, r.editable) for r in manifest.requirements()
    ]
    assert fresh.report.codes() == []


@pytest.mark.parametrize("path", corpus_params("freeze"))
def test_corpus_agrees_with_pip_parser(path: Path) -> None:
    manifest = api.loads(path.read_text(encoding="utf-8"), "freeze", path=str(path))
    oracle = _pip_oracle(path)
    ours = manifest.requirements()
    assert len(ours) == len(oracle)
    for req, (text, editable) in zip(ours, oracle):
        assert req.editable is editable
        if editable:
            from depglot.dialects.pep508 import parse_url

            assert parse_url(text) == req.source or LocalPath(path=text) == req.source
            continue
        from packaging.requirements import Requirement as PkgReq

        pip_req = PkgReq(text)
        assert req.name == pip_req.name
        if pip_req.url:
            assert req.source is not None and req.version is None
        else:
            assert str(pip_req.specifier) == req.version.pep440


def test_editable_forms_of_pbarde_freeze() -> None:
    found = [p for p in corpus_files("freeze") if p.name.startswith("PBarde")]
    if not found:
        pytest.skip(f"shared corpus file freeze/PBarde* not found under {CORPUS}")
    path = found[0]
    m = api.loads(path.read_text(encoding="utf-8"), "freeze", path=str(path))
    alfred = next(r for r in m.requirements() if r.name == "alfred")
    assert alfred.editable and alfred.source == LocalPath(path="/home/mila/b/bardepau/code/offline_marl/alfred_omarl")
    assert alfred.comments == ("Editable install with no version control (alfred==0.0.1)",)
    assert alfred.span is not None and alfred.span.line == 3
    d4rl = next(r for r in m.requirements() if r.name == "D4RL")
    assert d4rl.editable and d4rl.source == Vcs(
        vcs="git", url="ssh://git@github.com/rail-berkeley/d4rl.git", rev="cf0efbd75a9e05f34dfee2f566e163abfa512485"
    )
    brotli = next(r for r in m.requirements() if r.name == "Brotli")
    assert isinstance(brotli.source, LocalPath)


def test_pip_list_json() -> None:
    m = api.load(FREEZE / "pip-list.json", "freeze")
    got = [(r.name, r.version.pep440 if r.version else None, r.source, r.editable) for r in m.requirements()]
    assert got == [
        ("certifi", "==2024.7.4", None, False),
        ("mypkg", None, LocalPath(path="/home/u/src/mypkg"), True),
        ("requests", "==2.32.3", None, False),
        ("zope.interface", "==6.4.post2", None, False),
    ]
    assert m.requirements()[2].span.key == "[2]"
    assert api.dumps(m, "freeze").text == (
        "certifi==2024.7.4\n"
        "# Editable install with no version control (mypkg==0.1.0)\n"
        "-e /home/u/src/mypkg\n"
        "requests==2.32.3\n"
        "zope.interface==6.4.post2\n"
    )


def test_pip_list_json_is_detected_by_content() -> None:
    from depglot.converters.freeze import FreezeFormat

    fmt = FreezeFormat()
    assert fmt.detect("whatever.json", (FREEZE / "pip-list.json").read_text()) == 80
    assert fmt.detect("whatever.json", (FREEZE / "conda-list.json").read_text()) == 80
    assert fmt.detect("env.txt", (FREEZE / "conda-list-export.txt").read_text()) == 80
    assert fmt.detect("requirements.txt", "requests==2.32.3\n") == 0
    assert fmt.detect("pip_freeze.txt", "requests==2.32.3\n") == 10
    assert fmt.detect("x.json", '{"ir-version": 1}') == 0


def test_conda_list_export() -> None:
    m = api.load(FREEZE / "conda-list-export.txt", "freeze")
    reqs = m.requirements()
    assert [r.name for r in reqs] == ["_libgcc_mutex", "ca-certificates", "numpy", "openssl", "requests"]
    numpy = reqs[2]
    assert numpy.source == CondaPackage(name="numpy", spec="numpy=1.26.4=py311h64a7726_0", build="py311h64a7726_0",
                                        pypi=True)
    assert numpy.span.line == 6
    assert reqs[1].source.pypi is False  # the name map knows ca-certificates is conda-only
    assert reqs[4].source is None and reqs[4].version.pep440 == "==2.32.3"  # pypi_0: pip installed it
    assert m.python.pep440 == "==3.11.10"
    assert any(r.key == "platform" and r.value == "linux-64" for r in m.raw)
    out = api.dumps(m, "freeze")
    assert out.text == (
        "# This file may be used to create an environment using:\n# $ conda create --name <env> --file <this file>\n"
        "# platform: linux-64\nnumpy==1.26.4\nrequests==2.32.3\n"
    )
    assert out.report.codes() == [
        "conda-only-package", "conda-only-package", "conda-package-as-pypi", "conda-only-package", "python-dropped"
    ]


def test_conda_list_json() -> None:
    m = api.load(FREEZE / "conda-list.json", "freeze")
    reqs = m.requirements()
    assert reqs[0].source == CondaPackage(
        name="numpy", spec="numpy=1.26.4=py311h64a7726_0", channel="conda-forge", build="py311h64a7726_0", pypi=True
    )
    assert reqs[0].span.line == 8 and reqs[0].span.key == "[0]"
    assert reqs[1].source is None and reqs[1].version.pep440 == "==2.32.3"
    assert m.python.pep440 == "==3.11.10"
    assert m.channels == ("conda-forge",)


def test_bom_crlf_round_trip_and_edit() -> None:
    text = (FREEZE / "crlf-bom-freeze.txt").read_bytes().decode("utf-8")
    m = api.loads(text, "freeze")
    assert api.dumps(m, "freeze", base=text).text == text
    reqs = list(m.requirements())
    assert reqs[1].name == "alfred" and reqs[2].source == Url(url="https://example.com/foo-1.0.tar.gz")
    from depglot.ir.versions import VersionSpec

    bumped = m.replace(groups=(m.groups[0].replace(requirements=(reqs[0].replace(version=VersionSpec.from_pep440("==1.17.0")), *reqs[1:])),))
    out = api.dumps(bumped, "freeze", base=text).text
    assert out == text.replace("six==1.16.0", "six==1.17.0")


def test_writing_unpinned_is_reported() -> None:
    m = api.loads("requests>=2.31\nidna==3.7\n", "freeze")
    out = api.dumps(m, "freeze")
    assert out.text == "requests>=2.31\nidna==3.7\n"
    assert out.report.codes() == ["freeze-not-pinned"]


def test_markers_and_extras_are_preflight_losses() -> None:
    m = api.loads("requests[socks]==2.32.3 ; python_version >= '3.8'\n", "freeze")
    out = api.dumps(m, "freeze")
    assert out.text == "requests==2.32.3\n"
    assert sorted(out.report.codes()) == ["marker-dropped", "requirement-extras-dropped"]


@pytest.mark.parametrize(
    ("name", "line"), [("broken.json", None), ("bad-conda-export.txt", 3)]
)
def test_bad_input_is_a_located_parse_error(name: str, line: int | None) -> None:
    with pytest.raises(ParseError) as info:
        api.load(FREEZE / name, "freeze")
    assert info.value.span.file.endswith(name)
    assert info.value.span.line == line


@pytest.mark.parametrize("name", ["pip-list.json", "conda-list.json", "conda-list-export.txt", "crlf-bom-freeze.txt"])
def test_every_listing_round_trips_in_base_mode(name: str) -> None:
    text = (FREEZE / name).read_bytes().decode("utf-8")
    assert api.dumps(api.loads(text, "freeze"), "freeze", base=text).text == text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 5000 + "]" * 5000, "invalid pep508 requirement"),  # too deep for json: not a listing
        ("-e\n", "-e needs a value"),
        ("six==1.16.0\n--index-url\n", "--index-url needs a value"),
        ("a @ \n", "Expected URL after @"),
    ],
)
def test_hostile_input_is_a_located_error(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        api.loads(text, "freeze", path="x.txt")
    assert message in info.value.message and info.value.span.file == "x.txt" and info.value.span.line is not None


def test_a_very_long_broken_line_fails_fast() -> None:
    """Found by tests/test_fuzz.py: the error message's credential redaction was quadratic on a 100 kB line."""
    import time

    text = "six==1.16.0\nruamel-yaml-conda @ file:///tmp/b" + "x" * 100_000 + "- - - uild\n"
    start = time.perf_counter()
    with pytest.raises(ParseError) as info:
        api.loads(text, "freeze", path="x.txt")
    assert info.value.span.line == 2
    assert time.perf_counter() - start < 2


def test_unnamed_direct_reference_is_reported_not_written_as_an_invalid_line() -> None:
    # regression (matrix): an unnamed VCS requirement was written "@ git+https://...", which no reader accepts
    from depglot import api

    conv = api.dumps(api.loads("git+https://github.com/dask/distributed\nx==1\n", "requirements"), "freeze")
    assert conv.text == "x==1\n"
    assert [(l.code, l.subject) for l in conv.report] == [
        ("unnamed-requirement-dropped", "https://github.com/dask/distributed")
    ]
