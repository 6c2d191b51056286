import json

import pytest

import depglot
from depglot import registry
from depglot.errors import DetectError, ParseError, UnknownFormatError
from depglot.ir import Group, GroupKind, Index, IndexRole, Manifest, Requirement, VersionSpec
from depglot.ir import native
from depglot.ir.model import Lock, LockedPackage, LockFile, Project, Raw, Vcs
from depglot.span import Span

M = Manifest(
    format="poetry",
    project=Project(name="demo", version="1.0", metadata=(("description", "d"), ("authors", [{"name": "a"}]))),
    python=VersionSpec.from_pep440(">=3.9,<4.0", raw="^3.9"),
    groups=(
        Group(
            name="main",
            requirements=(
                Requirement(
                    name="Requests",
                    extras=("socks",),
                    version=VersionSpec.from_pep440(">=2.32"),
                    marker='python_version < "3.12"',
                    hashes=("sha256:" + "a" * 64,),
                    span=Span(file="pyproject.toml", line=3, column=1, key="tool.poetry.dependencies.Requests"),
                ),
                Requirement(name="lib", source=Vcs(vcs="git", url="https://g/x.git", rev="main", rev_kind="branch")),
            ),
        ),
        Group(name="dev", kind=GroupKind.GROUP, optional=True, requirements=(Requirement(name="pytest"),)),
    ),
    indexes=(Index(name="private", url="https://p/simple", role=IndexRole.SUPPLEMENTAL, verify_ssl=False),),
    lock=Lock(
        packages=(
            LockedPackage(name="requests", version="2.32.3", files=(LockFile(name="r.whl", hashes=("sha256:0",)),)),
        )
    ),
    raw=(Raw(format="poetry", key="tool.poetry.scripts", value={"x": "y:z"}),),
)


def test_ir_json_round_trip_is_equal():
    text = native.dumps(M)
    data = json.loads(text)
    assert data["ir-version"] == 1
    back = native.loads(text)
    assert back == M
    assert back.python.versions == M.python.versions


def test_ir_version_checked():
    with pytest.raises(ParseError, match="unsupported ir-version 99"):
        native.loads('{"ir-version": 99, "manifest": {"format": "x"}}')
    with pytest.raises(ParseError) as info:
        native.loads("{bad")
    assert info.value.span.line == 1 and info.value.span.column == 2


def test_api_convert_through_ir_format():
    text = native.dumps(M)
    conv = depglot.convert(text, "ir", "ir")
    assert native.loads(conv.text) == M
    assert conv.format == "ir"
    assert list(conv.report) == []


def test_registry_unknown_and_aliases():
    with pytest.raises(UnknownFormatError) as info:
        registry.get("jsn")
    assert "json" in info.value.suggestions
    assert registry.get("json").name == "ir"
    with pytest.raises(UnknownFormatError):
        registry.get("ir+uv")  # no such flavour


def test_detect_by_content_and_failure():
    assert registry.detect("x.json", '{"ir-version": 1}').name == "ir"
    with pytest.raises(DetectError, match="cannot tell the format"):
        registry.detect("notes.rst", "hello")


def test_load_reports_invalid_utf8_with_byte_offset(tmp_path):
    p = tmp_path / "m.ir.json"
    p.write_bytes(b'{"ir-version": 1, \xff}')
    with pytest.raises(ParseError, match="byte offset 18"):
        depglot.load(p, "ir")
