"""Round trips: base mode gives the same bytes; a fresh write reads back to the same manifest; edits touch only
what changed."""

from __future__ import annotations

from pathlib import Path

import pytest

import depglot
from depglot.converters.requirements import RequirementsFormat
from depglot.ir.model import (
    Group,
    GroupKind,
    Index,
    IndexRole,
    LocalPath,
    Manifest,
    Option,
    Raw,
    Requirement,
    Url,
    Vcs,
)
from depglot.ir.versions import VersionSpec
from tests.conftest import FIXTURES, corpus_params

CATEGORIES = ("requirements", "hashed_requirements", "freeze")


def _text(path: Path) -> str:
    return RequirementsFormat.decode(path.read_bytes(), str(path))


def _same(a: Manifest, b: Manifest) -> None:
    """Equal manifests, spans aside (a fresh write moves lines)."""

    def strip(m: Manifest) -> Manifest:
        groups = tuple(
            g.replace(requirements=tuple(r.replace(span=None) for r in g.requirements)) for g in m.groups
        )
        indexes = tuple(
            Index(name=i.name, url=i.url, role=i.role, verify_ssl=i.verify_ssl) for i in m.indexes
        )
        options = tuple(Option(name=o.name, value=o.value) for o in m.options)
        return m.replace(groups=groups, indexes=indexes, options=options, span=None)

    assert strip(a) == strip(b)


@pytest.mark.parametrize("path", corpus_params(*CATEGORIES))
def test_corpus_base_mode_gives_the_same_bytes(path: Path) -> None:
    text = _text(path)
    manifest = depglot.loads(text, "requirements", path=str(path))
    out = depglot.dumps(manifest, "requirements", base=text)
    assert out.text == text
    # hashes-partial: a file with --hash on some lines only, which pip refuses (test_requirements_write_hashes.py)
    assert [c for c in out.report.codes() if c != "hashes-partial"] == []


@pytest.mark.parametrize("path", corpus_params(*CATEGORIES))
def test_corpus_fresh_write_reads_back_the_same(path: Path) -> None:
    text = _text(path)
    manifest = depglot.loads(text, "requirements", path=str(path))
    fresh = depglot.dumps(manifest, "requirements").text
    _same(depglot.loads(fresh, "requirements", path=str(path)), manifest)
    assert depglot.dumps(depglot.loads(fresh, "requirements"), "requirements").text == fresh  # a fixed point


@pytest.mark.parametrize("name", ["tricky.txt", "example.txt"])
def test_fixtures_round_trip(name: str) -> None:
    text = (FIXTURES / "requirements" / name).read_text(encoding="utf-8")
    manifest = depglot.loads(text, "requirements", path=name)
    assert depglot.dumps(manifest, "requirements", base=text).text == text
    _same(depglot.loads(depglot.dumps(manifest, "requirements").text, "requirements", path=name), manifest)


@pytest.mark.parametrize(
    "text",
    [
        "\ufefffoo==1\r\nbar\r\n",
        "foo==1\rbar\r",
        "foo==1",  # no final newline
        "  foo==1   \n\n\n  # indented\n\t\n",
        "foo \\\n  ==1 \\\n",  # continuation at the end of the file
        "\\\nfoo\n",
        "foo # a \\\nbar\n",  # a comment swallowing the next line, as pip reads it
        "foo\x0cbar\n",  # form feed splits lines for pip (str.splitlines)
    ],
)
def test_odd_layouts_round_trip(text: str) -> None:
    manifest = depglot.loads(text, "requirements")
    assert depglot.dumps(manifest, "requirements", base=text).text == text


# --------------------------------------------------------------------------------------------- fresh mode


def _spec(text: str) -> VersionSpec:
    return VersionSpec.from_pep440(text)


def test_fresh_write_is_conventional():
    manifest = Manifest(
        format="pipfile",
        groups=(
            Group(
                name="main",
                kind=GroupKind.MAIN,
                requirements=(
                    Requirement(
                        name="requests",
                        extras=("socks",),
                        version=_spec(">=2.32,<3"),
                        marker='python_version < "3.12"',
                        comments=("HTTP",),
                    ),
                    Requirement(
                        name="certifi", version=_spec("==2024.2.2"), hashes=("sha256:aa", "sha256:bb")
                    ),
                    Requirement(
                        name="click",
                        source=Vcs(vcs="git", url="https://github.com/pallets/click.git", rev="8.1.7"),
                        editable=True,
                    ),
                    Requirement(
                        name="mono", source=Vcs(vcs="git", url="https://g.example/mono.git", subdirectory="a")
                    ),
                    Requirement(name="", source=LocalPath(path="../lib"), editable=True),
                    Requirement(name="wheel", source=Url(url="https://x.example/wheel-1.0-py3-none-any.whl")),
                    Requirement(name="numpy", options=(("config-settings", "setup-args=-Dblas=openblas"),)),
                ),
            ),
        ),
        indexes=(
            Index(name="extra", url="https://extra.example/simple", role=IndexRole.EXTRA),
            Index(name="pypi", url="https://pypi.org/simple", role=IndexRole.DEFAULT),
            Index(name=None, url="./wheels", role=IndexRole.FIND_LINKS),
        ),
        no_index=False,
        allow_prereleases=True,
        options=(Option(name="only-binary", value=":all:"),),
        includes=(("constraint", "constraints.txt"),),
        comments=("generated",),
    )
    out = depglot.dumps(manifest, "requirements")
    assert out.text == (
        "# generated\n"
        "\n"
        "--index-url https://pypi.org/simple\n"
        "--extra-index-url https://extra.example/simple\n"
        "--find-links ./wheels\n"
        "--pre\n"
        "--only-binary :all:\n"
        "-c constraints.txt\n"
        "\n"
        'requests[socks]>=2.32,<3 ; python_version < "3.12"  # HTTP\n'
        "certifi==2024.2.2 \\\n"
        "    --hash=sha256:aa \\\n"
        "    --hash=sha256:bb\n"
        "-e git+https://github.com/pallets/click.git@8.1.7#egg=click\n"
        "mono @ git+https://g.example/mono.git#subdirectory=a\n"
        "-e ../lib\n"
        "wheel @ https://x.example/wheel-1.0-py3-none-any.whl\n"
        "numpy --config-settings=setup-args=-Dblas=openblas\n"
    )
    # 'extra'; PyPI as the default loses nothing. certifi alone has hashes: pip would refuse the file
    assert out.report.codes() == ["index-name-dropped", "hashes-partial"]
    back = depglot.loads(out.text, "requirements")
    assert [r.name for r in back.requirements()] == [
        "requests",
        "certifi",
        "click",
        "mono",
        "",
        "wheel",
        "numpy",
    ]


def test_fresh_write_reports_what_pip_cannot_say():
    manifest = Manifest(
        format="poetry",
        groups=(
            Group(
                name="main",
                requirements=(
                    Requirement(name="foo", source=LocalPath(path="../foo")),
                    Requirement(name="bar", editable=True, version=_spec(">=1")),
                    Requirement(name="baz", version=_spec("==1"), hashes=("md5:00", "sha256:11")),
                    Requirement(name="qux", options=(("global-option", "--x"),)),
                ),
            ),
        ),
        indexes=(
            Index(name="a", url="https://a.example/simple", role=IndexRole.DEFAULT),
            Index(name="b", url="https://b.example/simple", role=IndexRole.DEFAULT, verify_ssl=False),
            Index(name="c", url="https://c.example/simple", role=IndexRole.EXPLICIT),
        ),
    )
    out = depglot.dumps(manifest, "requirements")
    assert out.text == (
        "--index-url https://a.example/simple\n"
        "--extra-index-url https://b.example/simple\n"
        "--trusted-host b.example\n"
        "--extra-index-url https://c.example/simple\n"
        "\n"
        "../foo\n"
        "bar>=1\n"
        "baz==1 \\\n"
        "    --hash=sha256:11\n"
        "qux\n"
    )
    codes = out.report.codes()
    assert sorted(codes) == sorted(
        [
            "index-name-dropped",
            "index-name-dropped",
            "index-name-dropped",
            "requirements-second-default-index",
            "requirements-index-role-widened",
            "requirements-path-name-dropped",
            "editable-dropped",
            "hashes-dropped",
            "requirement-options-dropped",
            "hashes-partial",
        ]
    )


def test_fresh_write_keeps_comment_placement():
    text = "# about a\na==1  # pinned\n    # via b\n# about c\nc==2\n"
    manifest = depglot.loads(text, "requirements")
    assert depglot.dumps(manifest, "requirements").text == text


# ---------------------------------------------------------------------------------------------- base mode

BASE = (
    "# header\n"
    "-i https://pypi.org/simple\n"
    "--trusted-host a.example --pre\n"
    "\n"
    "# about attrs\n"
    "attrs==26.1.0 \\\n"
    "    --hash=sha256:c647\n"
    "    # via jsonschema\n"
    "Django==4.2.* ; python_version < '3.12'  # web\n"
    "requests>=2   # http\n"
    "\n"
    "# trailing comment\n"
)


def _edit(fn) -> str:
    manifest = depglot.loads(BASE, "requirements")
    reqs = list(manifest.main.requirements)
    group = manifest.main.replace(requirements=tuple(fn(reqs)))
    return depglot.dumps(manifest.replace(groups=(group,)), "requirements", base=BASE).text


def test_base_mode_changes_one_requirement_in_place():
    out = _edit(lambda rs: [rs[0], rs[1].replace(version=_spec("==5.0")), rs[2]])
    assert out == BASE.replace(
        "Django==4.2.* ; python_version < '3.12'  # web", "Django==5.0 ; python_version < '3.12'  # web"
    )


def test_base_mode_removes_a_requirement_with_its_via_comments():
    out = _edit(lambda rs: [rs[1], rs[2]])
    assert out == BASE.replace("attrs==26.1.0 \\\n    --hash=sha256:c647\n    # via jsonschema\n", "")


def test_base_mode_appends_after_the_last_requirement():
    out = _edit(lambda rs: [*rs, Requirement(name="idna", version=_spec("==3.7"), hashes=("sha256:ff",))])
    assert out == BASE.replace(
        "requests>=2   # http\n", "requests>=2   # http\nidna==3.7 \\\n    --hash=sha256:ff\n"
    )


def test_base_mode_edits_options_token_by_token():
    manifest = depglot.loads(BASE, "requirements")
    changed = manifest.replace(
        options=(),  # drop --trusted-host, keep --pre on the same line
        indexes=(
            *manifest.indexes,
            Index(name=None, url="https://extra.example/simple", role=IndexRole.EXTRA),
        ),
        no_index=True,
    )
    out = depglot.dumps(changed, "requirements", base=BASE).text
    assert out == BASE.replace(
        "--trusted-host a.example --pre\n",
        "--pre\n--extra-index-url https://extra.example/simple\n--no-index\n",
    )


def test_base_mode_keeps_bytes_when_only_comments_or_spans_differ():
    manifest = depglot.loads(BASE, "requirements")
    reqs = tuple(r.replace(comments=(), span=None, raw=()) for r in manifest.requirements())
    stripped = manifest.replace(groups=(manifest.main.replace(requirements=reqs),), comments=())
    assert depglot.dumps(stripped, "requirements", base=BASE).text == BASE


def test_base_mode_into_a_file_without_final_newline():
    base = "a==1"
    manifest = depglot.loads(base, "requirements")
    added = manifest.main.replace(requirements=(*manifest.requirements(), Requirement(name="b")))
    out = depglot.dumps(manifest.replace(groups=(added,)), "requirements", base=base).text
    assert out == "a==1\nb\n"


def test_base_mode_crlf_edits_keep_crlf():
    base = "a==1\r\nb==2\r\n"
    manifest = depglot.loads(base, "requirements")
    a, b = manifest.requirements()
    reqs = (
        a.replace(version=_spec("==1.1")),
        b,
        Requirement(name="c", raw=(Raw(format="x", key="y", value=1),)),
    )
    out = depglot.dumps(
        manifest.replace(groups=(manifest.main.replace(requirements=reqs),)), "requirements", base=base
    )
    assert out.text == "a==1.1\r\nb==2\r\nc\r\n"


def test_no_hashes_option_rewrites_hashed_lines():
    manifest = depglot.loads(BASE, "requirements")
    out = depglot.dumps(manifest, "requirements", base=BASE, no_hashes=True).text
    assert out == BASE.replace("attrs==26.1.0 \\\n    --hash=sha256:c647\n", "attrs==26.1.0\n")


def test_base_mode_inserts_in_manifest_order_before_leading_comments():
    out = _edit(lambda rs: [rs[0], rs[1], Requirement(name="idna"), rs[2]])
    assert out == BASE.replace("requests>=2   # http\n", "idna\nrequests>=2   # http\n")
    out = _edit(lambda rs: [Requirement(name="first"), *rs])
    assert out == BASE.replace("# about attrs\n", "first\n# about attrs\n")


def test_base_mode_duplicate_names_keep_their_order():
    base = "torch==2.0 ; sys_platform == 'linux'\ntorch==2.1 ; sys_platform == 'darwin'\n"
    manifest = depglot.loads(base, "requirements")
    a, b = manifest.requirements()
    reqs = (a, b.replace(version=_spec("==2.2")))
    out = depglot.dumps(
        manifest.replace(groups=(manifest.main.replace(requirements=reqs),)), "requirements", base=base
    )
    assert out.text == "torch==2.0 ; sys_platform == 'linux'\ntorch==2.2 ; sys_platform == 'darwin'\n"


def test_appending_after_a_dangling_continuation_closes_it():
    base = "a==1 \\\n"
    manifest = depglot.loads(base, "requirements")
    added = manifest.main.replace(requirements=(*manifest.requirements(), Requirement(name="b")))
    out = depglot.dumps(manifest.replace(groups=(added,)), "requirements", base=base).text
    assert out == "a==1 \\\n\nb\n"
    assert [r.name for r in depglot.loads(out, "requirements").requirements()] == ["a", "b"]


def test_editable_vcs_with_marker_is_one_quoted_word():
    manifest = Manifest(
        format="pipfile-lock",
        groups=(
            Group(
                name="main",
                requirements=(
                    Requirement(
                        name="gunicorn",
                        source=Vcs(vcs="git", url="https://github.com/benoitc/gunicorn", rev="56b5ad8"),
                        editable=True,
                        marker='python_version >= "3.7"',
                    ),
                ),
            ),
        ),
    )
    text = depglot.dumps(manifest, "requirements").text
    assert (
        text
        == "-e 'gunicorn @ git+https://github.com/benoitc/gunicorn@56b5ad8 ; python_version >= \"3.7\"'\n"
    )
    (back,) = depglot.loads(text, "requirements").requirements()
    assert back.replace(span=None) == manifest.requirements()[0]


def test_versions_from_other_dialects_render_as_pep440_with_losses():
    from depglot.dialects import poetry

    manifest = Manifest(
        format="poetry",
        groups=(
            Group(
                name="main",
                requirements=(
                    Requirement(name="a", version=poetry.parse("^1.2")),
                    Requirement(name="b", version=poetry.parse("<2 || >3")),
                ),
            ),
        ),
    )
    out = depglot.dumps(manifest, "requirements")
    assert out.text == "a>=1.2,<2.0\nb\n"
    assert [(loss.code, loss.severity.name) for loss in out.report] == [
        ("version-respelled", "INFO"),
        ("version-union-widened", "ERROR"),
    ]


def test_changed_requirement_keeps_a_trailing_comment_that_ends_in_backslash_on_its_own_line():
    base = "a==1 \\\n# note \\\nb==2\n"
    manifest = depglot.loads(base, "requirements")
    a, b = manifest.requirements()
    reqs = (a.replace(version=_spec("==3")), b)
    out = depglot.dumps(
        manifest.replace(groups=(manifest.main.replace(requirements=reqs),)), "requirements", base=base
    )
    assert out.text == "a==3\n    # note \\\nb==2\n"
    assert [r.name for r in depglot.loads(out.text, "requirements").requirements()] == ["a", "b"]


# ------------------------------------------------------------------------------------ --trusted-host / verify_ssl

TRUSTED = (
    "--index-url https://pypi.org/simple\n"
    "--extra-index-url https://h.example:8443/simple\n"
    "--find-links https://files.example/wheels\n"
    "--trusted-host h.example:8443\n"
    "--trusted-host files.example --trusted-host h.example:8443\n"
    "--trusted-host other.example\n"
    "--trusted-host Files.example\n"
    "\n"
    "requests\n"
)


def test_trusted_host_of_an_index_is_its_verify_ssl_false():
    manifest = depglot.loads(TRUSTED, "requirements", path="r.txt")
    assert [(i.url, i.verify_ssl) for i in manifest.indexes] == [
        ("https://pypi.org/simple", None),
        ("https://h.example:8443/simple", False),
        ("https://files.example/wheels", False),
    ]
    # a repeat, a host no index uses and another spelling stay what the file says: options
    assert [(o.name, o.value) for o in manifest.options] == [
        ("trusted-host", "h.example:8443"),
        ("trusted-host", "other.example"),
        ("trusted-host", "Files.example"),
    ]
    assert depglot.dumps(manifest, "requirements", base=TRUSTED).text == TRUSTED
    fresh = depglot.dumps(manifest, "requirements").text
    assert fresh == (
        "--index-url https://pypi.org/simple\n"
        "--extra-index-url https://h.example:8443/simple\n"
        "--trusted-host h.example:8443\n"
        "--find-links https://files.example/wheels\n"
        "--trusted-host files.example\n"
        "--trusted-host h.example:8443\n"
        "--trusted-host other.example\n"
        "--trusted-host Files.example\n"
        "\n"
        "requests\n"
    )
    _same(depglot.loads(fresh, "requirements"), manifest)


def test_pipfile_verify_ssl_false_round_trips_through_trusted_host():
    pipfile = (
        '[[source]]\nurl = "https://pypi.org/simple"\nverify_ssl = true\nname = "pypi"\n\n'
        '[[source]]\nurl = "https://internal.example:8443/simple"\nverify_ssl = false\nname = "internal"\n\n'
        '[[source]]\nurl = "https://internal.example:8443/other"\nverify_ssl = false\nname = "other"\n\n'
        '[packages]\nrequests = "*"\n'
    )
    source = depglot.loads(pipfile, "pipfile", path="Pipfile")
    out = depglot.dumps(source, "requirements")
    assert out.text == (
        "--index-url https://pypi.org/simple\n"
        "--extra-index-url https://internal.example:8443/simple\n"
        "--trusted-host internal.example:8443\n"  # once for the host, not once per index
        "--extra-index-url https://internal.example:8443/other\n"
        "\n"
        "requests\n"
    )
    assert "verify-ssl-dropped" not in out.report.codes()
    back = depglot.loads(out.text, "requirements")
    assert [(i.url, i.verify_ssl) for i in back.indexes] == [
        ("https://pypi.org/simple", None),
        ("https://internal.example:8443/simple", False),
        ("https://internal.example:8443/other", False),
    ]
    assert back.options == ()


def test_vcs_rev_and_subdirectory_stay_apart():
    """``@rev`` before ``#subdirectory=`` is the revision (pip and PEP 508 agree), never part of the URL."""
    line = "tensorflow @ git+https://github.com/tensorflow/tensorflow@v2.17.0#subdirectory=tensorflow/tools/pip_package"
    for text in (
        line,
        "-e git+https://github.com/tensorflow/tensorflow@v2.17.0#egg=tensorflow&subdirectory=x/y",
    ):
        (req,) = depglot.loads(text + "\n", "requirements").requirements()
        assert isinstance(req.source, Vcs)
        assert (req.source.url, req.source.rev) == ("https://github.com/tensorflow/tensorflow", "v2.17.0")
    (req,) = depglot.loads(line + "\n", "requirements").requirements()
    assert req.source.subdirectory == "tensorflow/tools/pip_package"
    assert depglot.dumps(depglot.loads(line + "\n", "requirements"), "requirements").text == line + "\n"
