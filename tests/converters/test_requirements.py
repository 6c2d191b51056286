"""The requirements format: every grammar item pip's requirements-file parser accepts, read into the IR exactly."""

from __future__ import annotations

import codecs

import pytest

import depglot
from depglot.converters.requirements import RequirementsFormat
from depglot.errors import ParseError
from depglot.ir.model import IndexRole, LocalPath, Option, Raw, Url, Vcs
from depglot.span import Span
from tests.conftest import corpus_params


def read(text: str, path: str = "req.txt"):
    return depglot.loads(text, "requirements", path=path)


def one(text: str):
    (req,) = read(text).requirements()
    return req


# ------------------------------------------------------------------------------------------ requirements


def test_pep508_line_keeps_written_name_extras_spec_and_marker():
    req = one('Requests[socks, security] >=2.28,<3 ; python_version < "3.12"\n')
    assert req.name == "Requests"
    assert req.key == "requests"
    assert req.extras == ("socks", "security")
    assert req.version is not None and req.version.raw == ">=2.28,<3"
    assert req.marker == 'python_version < "3.12"'
    assert req.source is None and not req.editable
    assert req.span == Span(file="req.txt", line=1, column=1, end_line=1, end_column=62)


def test_direct_reference_url_and_vcs():
    m = read(
        "wheelpkg @ https://files.example.org/wheelpkg-1.0-py3-none-any.whl\n"
        "mono @ git+https://github.com/example/mono.git@v1.0#subdirectory=sub\n"
    )
    wheel, vcs = m.requirements()
    assert wheel.source == Url(url="https://files.example.org/wheelpkg-1.0-py3-none-any.whl")
    assert vcs.source == Vcs(
        vcs="git", url="https://github.com/example/mono.git", rev="v1.0", subdirectory="sub"
    )


def test_bare_vcs_url_with_egg_and_subdirectory():
    req = one("git+https://github.com/example/mono.git@v1.0#egg=subpkg&subdirectory=sub\n")
    assert req.name == "subpkg"
    assert req.source == Vcs(
        vcs="git", url="https://github.com/example/mono.git", rev="v1.0", subdirectory="sub"
    )


def test_bare_wheel_url_takes_name_from_the_wheel_and_marker_after_semicolon_space():
    req = one(
        'https://example.org/auto_gptq-0.4.2+cu118-cp310-cp310-linux_x86_64.whl; platform_system == "Linux"\n'
    )
    assert req.name == "auto-gptq"
    assert req.source == Url(url="https://example.org/auto_gptq-0.4.2+cu118-cp310-cp310-linux_x86_64.whl")
    assert req.marker == 'platform_system == "Linux"'
    assert req.version is None


def test_bare_sdist_url_without_egg_is_unnamed():
    req = one("https://example.org/pkg-1.0.tar.gz\n")
    assert req.name == ""
    assert req.source == Url(url="https://example.org/pkg-1.0.tar.gz")


def test_local_paths_and_archives():
    m = read("./local/dir\n../sibling[extra]\n./dist/localpkg-0.1-py3-none-any.whl\npkg-1.0.tar.gz\n")
    d, sib, whl, sdist = m.requirements()
    assert (d.name, d.source) == ("", LocalPath(path="./local/dir"))
    assert (sib.name, sib.extras, sib.source) == ("", ("extra",), LocalPath(path="../sibling"))
    assert (whl.name, whl.source) == ("localpkg", LocalPath(path="./dist/localpkg-0.1-py3-none-any.whl"))
    assert (sdist.name, sdist.source) == ("", LocalPath(path="pkg-1.0.tar.gz"))


def test_archive_with_marker_is_a_path_like_pip_reads_it():
    req = one('pkg-1.0.tar.gz ; python_version >= "3.8"\n')
    assert (req.name, req.source, req.marker) == (
        "",
        LocalPath(path="pkg-1.0.tar.gz"),
        'python_version >= "3.8"',
    )


def test_editable_forms():
    m = read(
        "-e git+https://github.com/pallets/click.git@8.1.7#egg=click\n"
        "--editable=.[socks]\n"
        "-e./other\n"
        "-e hg+https://hg.example.org/repo#egg=repo\n"
        "-e git://github.com/x/y.git#egg=y\n"
    )
    click, dot, other, hg, gitproto = m.requirements()
    assert click.editable and click.name == "click"
    assert click.source == Vcs(vcs="git", url="https://github.com/pallets/click.git", rev="8.1.7")
    assert click.span == Span(file="req.txt", line=1, column=4, end_line=1, end_column=60)
    assert (dot.editable, dot.name, dot.extras, dot.source) == (True, "", ("socks",), LocalPath(path="."))
    assert (other.editable, other.source) == (True, LocalPath(path="./other"))
    assert hg.source == Vcs(vcs="hg", url="https://hg.example.org/repo")
    assert gitproto.source == Vcs(vcs="git", url="git://github.com/x/y.git")


def test_hashes_over_continuations_and_inline():
    m = read(
        "certifi==2023.7.22 \\\n"
        "    --hash=sha256:aaa \\\n"
        "    --hash=sha512:bbb\n"
        "idna==3.4 --hash=sha256:ccc --hash sha384:ddd\n"
    )
    certifi, idna = m.requirements()
    assert certifi.hashes == ("sha256:aaa", "sha512:bbb")
    assert certifi.span is not None and certifi.span.line == 1
    assert idna.hashes == ("sha256:ccc", "sha384:ddd")
    assert idna.span is not None and idna.span.line == 4


def test_per_requirement_options():
    req = one("numpy>=1.24 --config-settings=setup-args=-Dblas=openblas -C 'k=v w'\n")
    assert req.options == (("config-settings", "setup-args=-Dblas=openblas"), ("config-settings", "k=v w"))
    assert req.version is not None and req.version.raw == ">=1.24"


def test_continuation_inside_a_requirement_with_marker():
    req = one('simple_lib \\\n    >=1.0 ; \\\n    python_version >= "3.8"\n')
    assert req.name == "simple_lib"
    assert req.version is not None and req.version.raw == ">=1.0"
    assert req.marker == 'python_version >= "3.8"'


def test_env_vars_are_kept_verbatim(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PRIVATE_TOKEN", "s3cret")
    m = read(
        "--extra-index-url https://${PRIVATE_USER}:${PRIVATE_TOKEN}@extra.example.org/simple\n"
        "privpkg @ https://${PRIVATE_TOKEN}@git.example.org/privpkg-2.0.tar.gz\n"
    )
    assert m.indexes[0].url == "https://${PRIVATE_USER}:${PRIVATE_TOKEN}@extra.example.org/simple"
    assert m.requirements()[0].source == Url(
        url="https://${PRIVATE_TOKEN}@git.example.org/privpkg-2.0.tar.gz"
    )


# ---------------------------------------------------------------------------------------------- options


def test_index_options_become_indexes():
    m = read(
        "-i https://pypi.example.org/simple\n"
        "--extra-index-url=https://extra.example.org/simple\n"
        "-f ./wheelhouse\n"
        "--find-links https://download.pytorch.org/whl/torch_stable.html\n"
    )
    assert [(i.name, i.url, i.role) for i in m.indexes] == [
        (None, "https://pypi.example.org/simple", IndexRole.DEFAULT),
        (None, "https://extra.example.org/simple", IndexRole.EXTRA),
        (None, "./wheelhouse", IndexRole.FIND_LINKS),
        (None, "https://download.pytorch.org/whl/torch_stable.html", IndexRole.FIND_LINKS),
    ]
    assert m.indexes[0].span == Span(file="req.txt", line=1, column=1, end_line=1, end_column=35)


def test_index_option_spellings():
    m = read(
        "-ihttps://a.example/simple\n--pypi-url https://b.example/simple\n--extra-index https://c.example/simple\n"
    )
    assert [(i.url, i.role) for i in m.indexes] == [
        ("https://a.example/simple", IndexRole.DEFAULT),
        ("https://b.example/simple", IndexRole.DEFAULT),
        ("https://c.example/simple", IndexRole.EXTRA),
    ]


def test_flags_and_installer_options():
    m = read(
        "--no-index\n--pre\n--prefer-binary\n--require-hashes\n--no-require-hashes\n"
        "--only-binary :all:\n--no-binary=lxml,pillow\n--trusted-host extra.example.org\n"
        "--use-feature fast-deps\n--all-releases foo\n--only-final :all:\n"
    )
    assert m.no_index is True
    assert m.allow_prereleases is True
    assert [(o.name, o.value) for o in m.options] == [
        ("prefer-binary", None),
        ("require-hashes", None),
        ("no-require-hashes", None),
        ("only-binary", ":all:"),
        ("no-binary", "lxml,pillow"),
        ("trusted-host", "extra.example.org"),
        ("use-feature", "fast-deps"),
        ("all-releases", "foo"),
        ("only-final", ":all:"),
    ]
    assert m.options[0] == Option(
        name="prefer-binary",
        value=None,
        span=Span(file="req.txt", line=3, column=1, end_line=3, end_column=16),
    )


def test_several_options_on_one_line():
    m = read("--pre --no-index --trusted-host a.example\n")
    assert m.allow_prereleases and m.no_index
    assert m.options == (
        Option(
            name="trusted-host",
            value="a.example",
            span=Span(file="req.txt", line=1, column=18, end_line=1, end_column=42),
        ),
    )


def test_includes_are_references_by_default():
    m = read("-r base.txt\n--requirement=extra/dev.txt\n-c constraints.txt\n--constraint other.txt\n")
    assert m.includes == (
        ("requirement", "base.txt"),
        ("requirement", "extra/dev.txt"),
        ("constraint", "constraints.txt"),
        ("constraint", "other.txt"),
    )
    assert m.requirements() == ()


# --------------------------------------------------------------------------------------------- comments


def test_comments_attach_to_requirements_and_the_file():
    m = read(
        "# header\n"
        "\n"
        "# about attrs\n"
        "attrs==26.1.0  # pinned\n"
        "    # via\n"
        "    #   jsonschema\n"
        "\n"
        "--pre  # prereleases\n"
        "# trailing block\n"
    )
    (attrs,) = m.requirements()
    assert attrs.comments == ("about attrs", "pinned", "via", "  jsonschema")
    assert attrs.raw == (Raw(format="requirements", key="leading-comments", value=1),)
    assert m.comments == ("header", "prereleases", "trailing block")


def test_pip_compile_via_comments_after_hashes():
    m = read(
        "alembic==1.19.1 \\\n"
        "    --hash=sha256:b390 \\\n"
        "    --hash=sha256:e0fc\n"
        "    # via flask-migrate\n"
        "amqp==5.3.1\n"
    )
    alembic, amqp = m.requirements()
    assert alembic.comments == ("via flask-migrate",)
    assert amqp.comments == ()


def test_hash_sign_inside_urls_is_not_a_comment():
    req = one("git+https://github.com/x/y.git#egg=y  # a comment\n")
    assert req.name == "y" and req.comments == ("a comment",)


# ------------------------------------------------------------------------------------------ reader losses


def test_options_pip_ignores_are_reported():
    m = read("foo==1 --pre\n-e ./x --hash=sha256:abc\n--hash=sha256:def\nbar --hash=sha256:0 stray\n")
    codes = [(loss.code, loss.span.line if loss.span else None) for loss in m.losses]
    assert codes == [
        ("requirements-option-ignored", 1),
        ("requirements-option-ignored", 2),
        ("requirements-option-ignored", 3),
        ("requirements-argument-ignored", 4),
    ]
    foo, x, bar = m.requirements()
    assert foo.options == () and x.hashes == () and bar.hashes == ("sha256:0",)


# ----------------------------------------------------------------------------------------------- errors


BAD_LINES = [
    ("requests>=2\nthis is not valid!!\n", 2, 6, "invalid"),
    ("good==1.0\n--unknown-option foo\n", 2, 1, "no such option: --unknown-option"),
    ('pkg==1.0 ; python_version <<< "3"\n', 1, 28, "pkg==1.0"),
    ("-r\n", 1, 1, "-r option requires 1 argument"),
    ("--pre=yes\n", 1, 1, "--pre option does not take a value"),
    ("foo --hash=md5:abc\n", 1, 12, "allowed hash algorithms"),
    ("foo --hash=sha256\n", 1, 12, "must be a hash name followed by a value"),
    ("foo -C novalue\n", 1, 8, "KEY=VAL"),
    ("--use-feature=nope\n", 1, 15, "invalid choice"),
    ("--no x\n", 1, 1, "ambiguous option: --no"),
    ("--global-option=x\nfoo\n", 1, 1, "no such option: --global-option"),
    ("-e https://example.org/pkg.tar.gz\n", 1, 4, "local project path or a VCS URL"),
    ("-e git+https://github.com/x/y.git\n", 1, 4, "#egg="),
    ("-e pkg @ https://example.org/pkg-1.0.tar.gz\n", 1, 4, "local project path or a VCS URL"),
    ("https://example.org/pkg.whl\n", 1, 1, "not a valid wheel file name"),
    ("git+https://github.com/x/y.git#egg=y[z]\n", 1, 1, "not a valid project name"),
    ("foo \\\n  --hash=sha256:1 \\\n  --bogus\n", 3, 3, "no such option: --bogus"),
]


@pytest.mark.parametrize(("text", "line", "column", "fragment"), BAD_LINES)
def test_bad_lines_are_parse_errors_with_place(text, line, column, fragment):
    with pytest.raises(ParseError) as info:
        read(text, "bad.txt")
    err = info.value
    assert err.span is not None
    assert (err.span.file, err.span.line, err.span.column) == ("bad.txt", line, column)
    assert fragment in err.message
    rendered = err.render()
    source = text.splitlines()[line - 1]
    assert f" {line} | {source}" in rendered
    assert rendered.splitlines()[-1].index("^") == len(f" {line} | ") + column - 1


def test_parse_error_render_shape():
    with pytest.raises(ParseError) as info:
        read("requests>=2\ngood==1.0\nthis is not valid!!\n", "bad.txt")
    assert info.value.render() == (
        "bad.txt:3:6: error: invalid pep508 requirement 'this is not valid!!': "
        "Expected semicolon (after name with no version specifier) or end (at position 6)\n"
        " 3 | this is not valid!!\n"
        "   |      ^"
    )


# ---------------------------------------------------------------------------------------------- decoding


def test_decode_boms_coding_and_errors():
    fmt = RequirementsFormat()
    assert fmt.decode(codecs.BOM_UTF8 + b"foo==1\n", "r.txt") == "\ufefffoo==1\n"
    assert fmt.decode(codecs.BOM_UTF16_LE + "foo==1\n".encode("utf-16-le"), "r.txt") == "\ufefffoo==1\n"
    assert fmt.decode(codecs.BOM_UTF32_BE + "foo==1\n".encode("utf-32-be"), "r.txt") == "\ufefffoo==1\n"
    latin = "# -*- coding: latin-1 -*-\n# caf\xe9\nfoo==1\n"
    assert fmt.decode(latin.encode("latin-1"), "r.txt") == latin
    with pytest.raises(ParseError) as info:
        fmt.decode(b"foo==1\nbar\xff==2\n", "r.txt")
    assert info.value.span == Span(file="r.txt", line=2, column=4)
    assert "byte offset 10" in info.value.message


def test_bom_and_crlf_are_read_and_kept():
    text = "\ufeff# c\r\nfoo==1 \\\r\n    --hash=sha256:ab\r\nbar\r\n"
    m = read(text)
    foo, bar = m.requirements()
    assert foo.hashes == ("sha256:ab",) and foo.comments == ("c",)
    assert bar.span is not None and bar.span.line == 4
    assert depglot.dumps(m, "requirements", base=text).text == text


# ----------------------------------------------------------------------------------------------- detect


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("requirements.txt", True),
        ("requirements-dev.txt", True),
        ("dev-requirements.txt", True),
        ("requirements.in", True),
        ("constraints.txt", True),
        ("base.txt", False),
        ("Pipfile", False),
    ],
)
def test_filename_patterns(filename, expected):
    import fnmatch

    assert any(fnmatch.fnmatch(filename.lower(), p) for p in RequirementsFormat.filenames) is expected


def test_content_score():
    fmt = RequirementsFormat()
    assert (
        fmt.detect("base.txt", "# pins\n-i https://x/simple\nrequests>=2\nattrs==1 ; python_version<'3'\n")
        == 40
    )
    assert fmt.detect("notes.txt", "Some prose about\nthe project here.\n") == 0
    assert fmt.detect("pyproject.toml", "requests>=2\n") == 0
    assert fmt.detect("base.txt", "") == 0


@pytest.mark.parametrize("path", corpus_params("requirements", "hashed_requirements"))
def test_corpus_files_are_detected_by_their_real_names(path):
    """``requirements/docs.txt``-style names carry no hint: the content score has to decide."""
    from depglot import registry

    real_name = path.name.rsplit("__", 1)[-1]  # corpus names are owner__repo__dir__file
    head = path.read_text(encoding="utf-8")[:8192]
    assert registry.detect(real_name, head).full_name == "requirements"


def test_cli_bad_line_exits_2_with_caret_and_writes_nothing(tmp_path):
    import subprocess
    import sys

    src = tmp_path / "requirements.txt"
    src.write_text("requests>=2\nthis is not valid!!\n", encoding="utf-8")
    out = tmp_path / "Pipfile"
    proc = subprocess.run(
        [sys.executable, "-m", "depglot", "convert", str(src), "-t", "pipfile", "-o", str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert not out.exists()
    assert proc.stderr.splitlines()[-3:] == [
        (
            f"{src}:2:6: error: invalid pep508 requirement 'this is not valid!!': "
            "Expected semicolon (after name with no version specifier) or end (at position 6)"
        ),
        " 2 | this is not valid!!",
        "   |      ^",
    ]


def test_marker_is_cut_at_the_first_semicolon_like_pip():
    req = one("u @ file:///srv/u.whl;python_version<'3'\n")
    assert req.marker == "python_version<'3'"
    assert req.source == Url(url="file:///srv/u.whl")


def test_editable_archive_is_an_error_like_pip():
    with pytest.raises(ParseError, match="local project path or a VCS URL"):
        read("-e ./dist/w-1.0-py3-none-any.whl\n")
