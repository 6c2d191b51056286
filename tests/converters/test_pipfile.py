"""Pipfile read/write: every form pipenv reads, base-mode identity, fresh write, pipenv/plette as oracles."""

from __future__ import annotations

import io
import itertools
from dataclasses import fields, is_dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from depglot import registry
from depglot.api import convert, dumps, loads
from depglot.dialects.pipfile import python_requirement
from depglot.errors import ParseError
from depglot.format import Feature
from depglot.ir.model import (
    Group,
    GroupKind,
    Index,
    IndexRef,
    IndexRole,
    LocalPath,
    Manifest,
    Raw,
    Requirement,
    Url,
    Vcs,
)
from depglot.ir.select import Selection
from depglot.ir.versions import VersionSpec, pep440_range
from tests.conftest import FIXTURES, corpus_params

PIPFILE_FIXTURES = FIXTURES / "pipfile"


def bare(value: Any) -> Any:
    """``value`` without spans and reader losses (what "reads back equal" compares)."""
    if is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: bare(getattr(value, f.name)) for f in fields(value) if f.name not in ("span", "losses")
        }
        if any(f.name == "span" for f in fields(value)):
            changes["span"] = None
        if any(f.name == "losses" for f in fields(value)):
            changes["losses"] = ()
        return replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(bare(v) for v in value)
    return value


ENVIRONMENTS = [
    {
        "sys_platform": sp,
        "os_name": os_name,
        "platform_machine": pm,
        "python_version": pv,
        "python_full_version": pv + ".0",
    }
    for sp, os_name, pm, pv in itertools.product(
        ("win32", "linux", "darwin"),
        ("nt", "posix"),
        ("arm64", "x86_64"),
        ("2.7", "3.6", "3.8", "3.10", "3.12"),
    )
]


def same_marker(a: str | None, b: str | None) -> bool:
    """Two markers admit the same environments (over a grid of platforms, machines and pythons)."""
    from packaging.markers import Marker

    if a is None or b is None:
        return a is b
    ma, mb = Marker(a), Marker(b)
    return all(ma.evaluate(env) == mb.evaluate(env) for env in ENVIRONMENTS)


def read_fixture(name: str) -> tuple[str, Manifest]:
    path = PIPFILE_FIXTURES / name
    text = path.read_text(encoding="utf-8")
    return text, loads(text, "pipfile", path=str(path))


def by_name(manifest: Manifest, group: str) -> dict[str, Requirement]:
    g = manifest.group(group)
    assert g is not None, group
    return {r.name: r for r in g.requirements}


# ----------------------------------------------------------------------------------------------- corpus


@pytest.mark.parametrize("path", corpus_params("pipfile"))
def test_corpus_base_mode_is_byte_identical(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    manifest = loads(text, "pipfile", path=str(path))
    assert dumps(manifest, "pipfile", base=text).text == text


@pytest.mark.parametrize("path", corpus_params("pipfile"))
def test_corpus_fresh_write_reads_back_equal_and_parses_with_plette(path: Path) -> None:
    import plette

    text = path.read_text(encoding="utf-8")
    manifest = loads(text, "pipfile", path=str(path))
    fresh = dumps(manifest, "pipfile").text
    again = loads(fresh, "pipfile")
    # a Pipfile without [[source]] gets pipenv's default PyPI source when written fresh
    expected = manifest if manifest.indexes else manifest.replace(indexes=again.indexes)
    assert bare(again) == bare(expected)
    if not manifest.indexes:
        assert [(i.name, i.url, i.verify_ssl) for i in again.indexes] == [
            ("pypi", "https://pypi.org/simple", True)
        ]
    plette.Pipfile.load(io.StringIO(fresh))


def test_crlf_and_bom_survive_base_mode() -> None:
    text, _ = read_fixture("every_form.Pipfile")
    crlf = "\ufeff" + text.replace("\n", "\r\n")
    manifest = loads(crlf, "pipfile")
    assert dumps(manifest, "pipfile", base=crlf).text == crlf
    assert bare(manifest) == bare(loads(text, "pipfile"))


# ---------------------------------------------------------------------------------------------- reading


def test_every_form_reads_as_pipenv_means_it() -> None:
    _, m = read_fixture("every_form.Pipfile")
    assert [(i.name, i.url, i.role, i.verify_ssl) for i in m.indexes] == [
        ("pypi", "https://pypi.org/simple", IndexRole.DEFAULT, True),
        ("pytorch", "https://download.pytorch.org/whl/cpu", IndexRole.EXPLICIT, True),
    ]
    assert [(g.name, g.kind) for g in m.groups] == [
        ("main", GroupKind.MAIN),
        ("dev", GroupKind.GROUP),
        ("docs", GroupKind.CATEGORY),
    ]
    assert m.python is not None and m.python.versions == pep440_range("==3.11.*")
    assert m.allow_prereleases is True
    assert [(r.key, r.value) for r in m.raw] == [
        ("pipenv.sort_pipfile", True),
        ("scripts", {"test": "pytest -q"}),
    ]
    main = by_name(m, "main")
    assert main["requests"].version is None
    assert main["django"].version.versions == pep440_range("~=4.2")
    assert main["bare"].version.raw == "1.2.3"
    assert main["bare"].version.versions == pep440_range("==1.2.3")
    assert main["celery"].extras == ("redis", "msgpack")
    assert main["celery"].comments == ("extras in the key",)
    assert main["httpx"].extras == ("http2",)
    assert main["torch"].source == IndexRef(name="pytorch")
    assert main["mylib"].source == Vcs(
        vcs="git", url="https://github.com/example/mylib.git", rev="v1.2.3", subdirectory="src"
    )
    assert main["mylib"].comments == ("a git dependency",)
    assert main["hglib"].source == Vcs(vcs="hg", url="https://hg.example.org/hglib", rev="default")
    assert main["localpkg"].source == LocalPath(path="./packages/localpkg")
    assert main["localpkg"].editable is True
    assert main["wheelpkg"].source == Url(url="https://files.example.org/wheelpkg-1.0-py3-none-any.whl")
    assert [(r.format, r.key, r.value) for r in main["oddkey"].raw] == [("pipfile", "no_binary", True)]
    assert same_marker(main["pywin32"].marker, "sys_platform == 'win32'")
    assert same_marker(main["uvloop"].marker, "sys_platform != 'win32' and platform_machine != 'arm64'")
    assert main["requests"].span is not None and main["requests"].span.line == 13
    assert main["requests"].span.key == "packages.requests"
    assert m.comments == ("Every package form pipenv reads.",)


def test_os_name_key_is_kept_unlike_pipenv() -> None:
    """pipenv's translate_markers drops os_name keys (research/specifiers.md); depglot keeps them."""
    from pipenv.utils.dependencies import translate_markers

    _, m = read_fixture("every_form.Pipfile")
    ours = by_name(m, "main")["winonly"].marker
    assert same_marker(ours, "os_name == 'nt'")
    assert "markers" not in translate_markers({"version": "*", "os_name": "== 'nt'"})  # the bug we avoid


def test_marker_keys_agree_with_pipenv_translate_markers() -> None:
    from pipenv.utils.dependencies import translate_markers

    _, m = read_fixture("every_form.Pipfile")
    main = by_name(m, "main")
    for name, table in [
        ("pywin32", {"version": "*", "sys_platform": "== 'win32'"}),
        (
            "uvloop",
            {"version": ">=0.17", "platform_machine": "!= 'arm64'", "markers": "sys_platform != 'win32'"},
        ),
    ]:
        assert same_marker(main[name].marker, translate_markers(table)["markers"]), name


def test_requirement_lines_agree_with_pipenv_convert_deps_to_pip() -> None:
    """pipenv's own Pipfile -> pip conversion and depglot's PEP 508 rendering mean the same requirement."""
    import tomllib

    from packaging.requirements import Requirement as PkgRequirement
    from pipenv.utils.dependencies import convert_deps_to_pip

    from depglot.dialects.pep508 import render_requirement

    text, m = read_fixture("every_form.Pipfile")
    data = tomllib.loads(text)
    skip = {"winonly", "localpkg", "torch"}  # os_name bug; bare path line; -i index option
    theirs = convert_deps_to_pip({k: v for k, v in data["packages"].items() if k.split("[")[0] not in skip})
    ours = {r.name: r for r in m.group("main").requirements if r.name not in skip}
    assert len(theirs) == len(ours) == 11
    for key, line in theirs.items():
        name = key.split("[")[0]
        a, b = PkgRequirement(render_requirement(ours[name])), PkgRequirement(line)
        assert (a.name, a.extras, a.specifier, a.url) == (b.name, b.extras, b.specifier, b.url), key
        assert same_marker(str(a.marker) if a.marker else None, str(b.marker) if b.marker else None), key


def test_python_full_version_wins_and_the_other_travels_raw() -> None:
    text = '[requires]\npython_full_version = "3.10.0"\npython_version = "3.12"\n'
    m = loads(text, "pipfile")
    assert m.python is not None and m.python.versions == pep440_range("==3.10.0")
    assert [(r.key, r.value) for r in m.raw] == [("requires.python_version", "3.12")]
    assert 'python_version = "3.12"' in dumps(m, "pipfile").text


def test_no_sources_means_pipenv_default_index_name() -> None:
    m = loads('[packages]\nfoo = {version = "*", index = "pypi"}\n', "pipfile")
    assert m.indexes == ()
    assert by_name(m, "main")["foo"].source == IndexRef(name="pypi")


def test_search_all_sources_makes_extra_indexes_searched_for_every_package() -> None:
    text = (
        '[[source]]\nurl = "https://pypi.org/simple"\nname = "pypi"\n\n'
        '[[source]]\nurl = "https://example.org/simple"\nname = "ex"\n\n'
        "[pipenv]\ninstall_search_all_sources = true\n"
    )
    m = loads(text, "pipfile")
    assert [i.role for i in m.indexes] == [IndexRole.DEFAULT, IndexRole.EXTRA]
    assert m.raw == ()
    fresh = dumps(m, "pipfile").text
    assert "install_search_all_sources = true" in fresh
    assert bare(loads(fresh, "pipfile")) == bare(m)


def test_invalid_entries_are_kept_verbatim_and_reported() -> None:
    text = '[packages]\nok = "*"\n"_bad-name" = "==1"\nbadver = "==0 0"\nbadmarker = {version = "*", markers = "os_name ="}\n'
    m = loads(text, "pipfile", path="Pipfile")
    assert [r.name for r in m.main.requirements] == ["ok"]
    assert [(r.key, r.value) for r in m.main.raw] == [
        ("_bad-name", "==1"),
        ("badver", "==0 0"),
        ("badmarker", {"version": "*", "markers": "os_name ="}),
    ]
    assert [(x.code, x.span.line) for x in m.losses] == [
        ("pipfile-invalid-entry", 3),
        ("pipfile-invalid-entry", 4),
        ("pipfile-invalid-entry", 5),
    ]
    assert dumps(m, "pipfile", base=text).text == text
    fresh = dumps(m, "pipfile").text
    assert '_bad-name = "==1"' in fresh and 'badver = "==0 0"' in fresh


# --------------------------------------------------------------------------------------------- bad input


def test_invalid_toml_is_a_parse_error_with_line_and_column() -> None:
    text = (PIPFILE_FIXTURES / "bad_toml.Pipfile").read_text()
    with pytest.raises(ParseError) as info:
        loads(text, "pipfile", path="Pipfile")
    err = info.value
    assert (err.span.file, err.span.line, err.span.column) == ("Pipfile", 3, 9)
    assert err.message == "invalid TOML: Invalid value"
    assert err.source_line == "flask = "


def test_toml_error_at_end_of_document_points_at_the_last_line() -> None:
    # the Pipfile reader now uses the shared edit.tomlspan.load_toml; tomllib's "(at end of document)" is located
    with pytest.raises(ParseError) as info:
        loads('[packages]\nrequests = "*"\nflask = {', "pipfile", path="Pipfile")
    err = info.value
    assert (err.span.file, err.span.line, err.span.column) == ("Pipfile", 3, 10)
    assert err.source_line == "flask = {" and err.hint == "a Pipfile is TOML (https://toml.io)"
    assert err.message.startswith("invalid TOML: ") and "end of document" not in err.message


def test_git_and_path_together_is_an_error_at_the_entry() -> None:
    text = (PIPFILE_FIXTURES / "bad_git_and_path.Pipfile").read_text()
    with pytest.raises(ParseError) as info:
        loads(text, "pipfile", path="Pipfile")
    err = info.value
    assert err.span.line == 3
    assert err.span.key == "packages.foo.path"
    assert "has both 'git' and 'path'" in err.message
    assert err.one_line().startswith("Pipfile:3:52: error: package 'foo' has both 'git' and 'path'")


def test_unknown_index_name_is_an_error_with_key_path_and_line() -> None:
    text = (PIPFILE_FIXTURES / "bad_index.Pipfile").read_text()
    with pytest.raises(ParseError) as info:
        loads(text, "pipfile", path="Pipfile")
    err = info.value
    assert (err.span.line, err.span.column, err.span.key) == (8, 28, "packages.requests.index")
    assert err.message == "package 'requests' names index 'private', which no [[source]] defines"
    assert err.hint == "defined: 'pypi'"


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("[packages]\nfoo = 3\n", "package 'foo' must be a version string or a table, not int", 2),
        (
            '[packages]\nfoo = {version = "*", extras = "a"}\n',
            "'extras' of package 'foo' must be a list of strings",
            2,
        ),
        (
            '[packages]\nfoo = {version = "*", editable = "yes"}\n',
            "'editable' of package 'foo' must be true or false",
            2,
        ),
        (
            '[packages]\nfoo = {version = "*", ref = "main"}\n',
            "'ref' of package 'foo' needs a git/hg/svn/bzr key",
            2,
        ),
        ("[requires]\npython_version = 3.11\n", 'python_version must be a string like "3.11", not 3.11', 2),
        ('[[source]]\nname = "x"\n', "a [[source]] needs a url", 1),
    ],
)
def test_structural_errors(text: str, message: str, line: int) -> None:
    with pytest.raises(ParseError) as info:
        loads(text, "pipfile", path="Pipfile")
    assert info.value.message == message
    assert info.value.span.line == line


# ---------------------------------------------------------------------------------------------- writing


def test_base_mode_touches_only_the_changed_entries() -> None:
    text, m = read_fixture("every_form.Pipfile")
    main = m.main
    reqs = [
        r.replace(version=VersionSpec.from_pep440(">=4.2,<5")) if r.name == "django" else r
        for r in main.requirements
        if r.name != "hglib"
    ]
    reqs.append(Requirement(name="rich", version=VersionSpec.from_pep440(">=13")))
    edited = m.replace(groups=(main.replace(requirements=tuple(reqs)), *m.groups[1:]))
    out = dumps(edited, "pipfile", base=text).text
    expected = (
        text.replace('django = "~=4.2"', 'django = ">=4.2,<5"')
        .replace('hglib = {hg = "https://hg.example.org/hglib", ref = "default"}\n', "")
        .replace(
            'oddkey = {version = "==1.0", no_binary = true}\n',
            'oddkey = {version = "==1.0", no_binary = true}\nrich = ">=13"\n',
        )
    )
    assert out == expected


def test_base_mode_edits_sources_requires_and_pipenv() -> None:
    text, m = read_fixture("every_form.Pipfile")
    edited = m.replace(
        indexes=m.indexes[:1],
        python=python_requirement(python_version="3.12"),
        allow_prereleases=False,
        groups=tuple(
            g.replace(requirements=tuple(r for r in g.requirements if r.name != "torch")) for g in m.groups
        ),
    )
    out = dumps(edited, "pipfile", base=text).text
    assert "pytorch" not in out
    assert 'python_version = "3.12"' in out
    assert "allow_prereleases = false" in out
    assert out.startswith("# Every package form pipenv reads.\n[[source]]\n")
    assert bare(loads(out, "pipfile")) == bare(edited)


def test_fresh_layout_is_pipenvs() -> None:
    m = Manifest(
        format="requirements",
        groups=(
            Group(
                name="main",
                requirements=(
                    Requirement(name="requests", version=VersionSpec.from_pep440(">=2.31")),
                    Requirement(name="httpx", extras=("http2",), marker='python_version >= "3.8"'),
                    Requirement(name="mypkg", source=LocalPath(path="."), editable=True),
                    Requirement(
                        name="tool", source=Vcs(vcs="git", url="https://g.example/tool.git", rev="v1")
                    ),
                ),
            ),
            Group(name="dev", kind=GroupKind.GROUP, requirements=(Requirement(name="pytest"),)),
            Group(name="docs", kind=GroupKind.GROUP, requirements=(Requirement(name="sphinx"),)),
        ),
        python=VersionSpec.from_pep440("==3.11.*"),
    )
    c = dumps(m, "pipfile")
    assert c.text == (
        "[[source]]\n"
        'url = "https://pypi.org/simple"\n'
        "verify_ssl = true\n"
        'name = "pypi"\n'
        "\n"
        "[packages]\n"
        'requests = ">=2.31"\n'
        'httpx = {version = "*", extras = ["http2"], markers = \'python_version >= "3.8"\'}\n'
        'mypkg = {path = ".", editable = true}\n'
        'tool = {git = "https://g.example/tool.git", ref = "v1"}\n'
        "\n"
        "[dev-packages]\n"
        'pytest = "*"\n'
        "\n"
        "[docs]\n"
        'sphinx = "*"\n'
        "\n"
        "[requires]\n"
        'python_version = "3.11"\n'
    )
    assert c.report.codes() == []


def test_requirements_like_manifest_to_pipfile_reports_hashes_and_indexes_become_sources() -> None:
    m = Manifest(
        format="requirements",
        indexes=(
            Index(name=None, url="https://mirror.example/simple", role=IndexRole.DEFAULT),
            Index(name=None, url="https://extra.example/simple", role=IndexRole.EXTRA),
        ),
        groups=(
            Group(
                name="main",
                requirements=(
                    Requirement(
                        name="six",
                        version=VersionSpec.from_pep440("==1.16.0"),
                        hashes=("sha256:" + "a" * 64,),
                    ),
                ),
            ),
        ),
    )
    c = dumps(m, "pipfile")
    assert c.report.codes() == ["hashes-dropped"]
    assert c.text.startswith(
        '[[source]]\nurl = "https://mirror.example/simple"\nname = "mirror.example"\n\n'
        '[[source]]\nurl = "https://extra.example/simple"\nname = "extra.example"\n'
    )
    assert c.text.endswith("[pipenv]\ninstall_search_all_sources = true\n")
    back = loads(c.text, "pipfile")
    assert [(i.url, i.role) for i in back.indexes] == [(i.url, i.role) for i in m.indexes]


def test_python_range_without_a_pipfile_spelling_is_reported() -> None:
    m = Manifest(format="pep621", python=VersionSpec.from_pep440(">=3.9"), groups=(Group(name="main"),))
    c = dumps(m, "pipfile")
    assert c.report.codes() == ["pipfile-python-inexact"]
    assert "[requires]" not in c.text


def test_python_version_is_not_widened() -> None:
    """Peers write python_version = "3.11" as >=3.11 (research/peers.md); it means 3.11.*."""
    m = loads('[requires]\npython_version = "3.11"\n', "pipfile")
    assert m.python.versions == pep440_range("==3.11.*")
    assert m.python.versions != pep440_range(">=3.11")


def test_extras_in_the_key_are_extras_not_part_of_the_name() -> None:
    """pdm turned "celery[redis,msgpack]" into the name celery-redis-msgpack (research/peers.md)."""
    m = loads('[packages]\n"celery[redis,msgpack]" = ">=5.3"\n', "pipfile")
    (req,) = m.main.requirements
    assert (req.name, req.extras, req.version.versions) == (
        "celery",
        ("redis", "msgpack"),
        pep440_range(">=5.3"),
    )
    assert dumps(m, "pipfile").text.endswith(
        '[packages]\ncelery = {version = ">=5.3", extras = ["redis", "msgpack"]}\n\n[dev-packages]\n'
    )


def test_marker_keys_become_one_marker_not_raw_keys() -> None:
    """pipenv-poetry-migrate copied sys_platform = "== 'win32'" verbatim into Poetry (research/peers.md)."""
    m = loads('[packages]\npywin32 = {version = "*", sys_platform = "== \'win32\'"}\n', "pipfile")
    (req,) = m.main.requirements
    assert req.raw == ()
    assert same_marker(req.marker, "sys_platform == 'win32'")


def test_editable_path_stays_a_relative_path() -> None:
    """pdm wrote -e file:///${PROJECT_ROOT}/... into [project] (research/peers.md)."""
    m = loads('[packages]\nlocalpkg = {path = "./packages/localpkg", editable = true}\n', "pipfile")
    (req,) = m.main.requirements
    assert (req.source, req.editable) == (LocalPath(path="./packages/localpkg"), True)


def test_custom_categories_and_per_package_index_survive_a_fresh_write() -> None:
    """pipenv-poetry-migrate dropped [docs]; pdm and dephell dropped index= (research/peers.md)."""
    _text, m = read_fixture("every_form.Pipfile")
    fresh = dumps(m, "pipfile").text
    assert '[docs]\nsphinx = ">=7"\n' in fresh
    assert 'torch = {version = "==2.1.0", index = "pytorch"}' in fresh


def test_pipfile_only_data_is_reported_when_the_target_cannot_hold_it() -> None:
    _text, m = read_fixture("every_form.Pipfile")
    c = dumps(m, "pep621")
    raw_losses = [(x.code, x.subject) for x in c.report if x.code == "pipfile-raw-dropped"]
    assert raw_losses == [
        ("pipfile-raw-dropped", "pipenv.sort_pipfile"),
        ("pipfile-raw-dropped", "scripts"),
        ("pipfile-raw-dropped", "oddkey.no_binary"),
    ]
    assert [x.code for x in dumps(m, "pipfile").report] == []


def test_group_named_like_a_pipfile_section_is_renamed_and_reported() -> None:
    m = Manifest(
        format="pep621",
        groups=(
            Group(name="main"),
            Group(name="scripts", kind=GroupKind.GROUP, requirements=(Requirement(name="x"),)),
        ),
    )
    c = dumps(m, "pipfile")
    assert c.report.codes() == ["pipfile-category-renamed"]
    assert '[scripts-packages]\nx = "*"\n' in c.text


def test_duplicate_names_in_one_section_are_reported() -> None:
    m = Manifest(
        format="requirements",
        groups=(
            Group(
                name="main",
                requirements=(
                    Requirement(
                        name="foo", version=VersionSpec.from_pep440("<2"), marker='python_version < "3.8"'
                    ),
                    Requirement(
                        name="Foo", version=VersionSpec.from_pep440(">=2"), marker='python_version >= "3.8"'
                    ),
                ),
            ),
        ),
    )
    c = dumps(m, "pipfile")
    assert c.report.codes() == ["pipfile-duplicate-dropped"]


# -------------------------------------------------------------------------------------- format contract


def test_detect_by_name_and_content() -> None:
    text, _ = read_fixture("every_form.Pipfile")
    assert registry.detect("Pipfile", text).name == "pipfile"
    assert registry.detect("some/dir/Pipfile", "").name == "pipfile"
    fmt = registry.get("pipfile")
    assert fmt.detect("whatever.toml", text) == 45
    assert fmt.detect("whatever.toml", "[project]\nname = 'x'\n") == 0


def test_declared_features_are_held_by_a_fresh_write() -> None:
    """Every feature the Pipfile writer declares survives Pipfile -> Pipfile (fresh); nothing is reported."""
    fmt = registry.get("pipfile")
    assert fmt.features == frozenset(
        {
            Feature.GROUPS,
            Feature.REQUIREMENT_EXTRAS,
            Feature.MARKERS,
            Feature.VCS,
            Feature.LOCAL_PATH,
            Feature.URL,
            Feature.EDITABLE,
            Feature.PER_PACKAGE_INDEX,
            Feature.INDEXES,
            Feature.INDEX_NAMES,
            Feature.VERIFY_SSL,
            Feature.PYTHON,
            Feature.PRERELEASES,
            Feature.COMMENTS,
        }
    )
    _text, m = read_fixture("every_form.Pipfile")
    m = m.replace(indexes=(m.indexes[0], replace(m.indexes[1], verify_ssl=False)))
    from depglot.ir.features import uses

    used = {f for f, _, _ in uses(m)}
    assert used == fmt.features
    c = dumps(m, "pipfile")
    assert c.report.codes() == []
    assert bare(loads(c.text, "pipfile")) == bare(m)


def test_undeclared_features_are_reported_by_the_preflight() -> None:
    m = Manifest(
        format="pep621",
        groups=(
            Group(
                name="main",
                requirements=(Requirement(name="a", hashes=("sha256:" + "0" * 64,), optional=True),),
            ),
            Group(name="cli", kind=GroupKind.EXTRA, requirements=(Requirement(name="click"),)),
        ),
        indexes=(Index(name=None, url="./wheels", role=IndexRole.FIND_LINKS),),
    )
    c = dumps(m, "pipfile")
    assert sorted(c.report.codes()) == sorted(
        ["extras-dropped", "hashes-dropped", "optional-requirement-dropped", "find-links-dropped"]
    )
    assert "click" not in c.text and "wheels" not in c.text


def test_raw_of_other_formats_is_not_written() -> None:
    m = Manifest(
        format="poetry",
        groups=(
            Group(
                name="main",
                requirements=(Requirement(name="a", raw=(Raw(format="poetry", key="develop", value=True),)),),
            ),
        ),
    )
    assert 'a = "*"' in dumps(m, "pipfile").text


def test_convert_pipfile_to_pipfile_through_the_api() -> None:
    text, _ = read_fixture("every_form.Pipfile")
    assert convert(text, "pipfile", "pipfile", base=text).text == text


# ------------------------------------------------------------------------------------------ conversions


def test_pipfile_to_requirements() -> None:
    text = (
        '[[source]]\nurl = "https://pypi.org/simple"\nverify_ssl = true\nname = "pypi"\n\n'
        '[[source]]\nurl = "https://download.pytorch.org/whl/cpu"\nverify_ssl = true\nname = "pytorch"\n\n'
        "[packages]\n"
        'requests = "*"\n'
        'bare = "1.2.3"\n'
        '"celery[redis,msgpack]" = ">=5.3"\n'
        'torch = {version = "==2.1.0", index = "pytorch"}\n'
        'pywin32 = {version = "*", sys_platform = "== \'win32\'"}\n'
        'localpkg = {path = "./packages/localpkg", editable = true}\n'
        'mylib = {git = "https://github.com/example/mylib.git", ref = "v1.2.3"}\n\n'
        '[dev-packages]\npytest = "~=7.4"\n'
    )
    c = convert(text, "pipfile", "requirements", path="Pipfile")
    assert c.text == (
        "--index-url https://pypi.org/simple\n"
        "--extra-index-url https://download.pytorch.org/whl/cpu\n"
        "\n"
        "requests\n"
        "bare==1.2.3\n"
        "celery[redis,msgpack]>=5.3\n"
        "torch==2.1.0\n"
        "pywin32 ; sys_platform == 'win32'\n"
        "-e ./packages/localpkg\n"
        "mylib @ git+https://github.com/example/mylib.git@v1.2.3\n"
    )
    assert [(x.code, x.span.line if x.span else None) for x in c.report] == [
        ("groups-not-selected", None),
        ("per-package-index-dropped", 15),
        ("index-name-dropped", 6),  # PyPI as the default index loses nothing
        ("requirements-index-role-widened", 6),
        ("version-respelled", 13),
        ("requirements-path-name-dropped", 17),
    ]
    dev = convert(text, "pipfile", "requirements", selection=Selection(only_groups=("dev",)))
    assert dev.text.endswith("\npytest~=7.4\n")


def test_requirements_to_pipfile_agrees_with_pipenv_and_plette() -> None:
    """The Pipfile written for a requirements file parses with plette, and pipenv turns it back into the same
    requirements (convert_deps_to_pip)."""
    import tomllib

    import plette
    from packaging.requirements import Requirement as PkgRequirement
    from pipenv.utils.dependencies import convert_deps_to_pip

    text = (
        "--index-url https://mirror.example/simple\n"
        "requests[socks]>=2.31,<3 ; python_version >= '3.8'\n"
        "six==1.16.0\n"
        "tool @ git+https://g.example/tool.git@v1#subdirectory=src\n"
        "wheelpkg @ https://files.example.org/wheelpkg-1.0-py3-none-any.whl\n"
        "-e ./localpkg\n"
    )
    c = convert(text, "requirements", "pipfile")
    plette.Pipfile.load(io.StringIO(c.text))
    assert c.report.codes() == ["pipfile-name-derived"]
    data = tomllib.loads(c.text)
    assert data["source"] == [{"url": "https://mirror.example/simple", "name": "mirror.example"}]
    assert data["packages"]["localpkg"] == {"path": "./localpkg", "editable": True}
    lines = convert_deps_to_pip({k: v for k, v in data["packages"].items() if k != "localpkg"})
    expected = [line for line in text.splitlines()[1:] if not line.startswith("-e")]
    assert len(lines) == len(expected) == 4
    for line, want in zip(lines.values(), expected, strict=True):
        a, b = PkgRequirement(line), PkgRequirement(want)
        assert (a.name, a.extras, a.specifier, a.url) == (b.name, b.extras, b.specifier, b.url), line
        assert same_marker(str(a.marker) if a.marker else None, str(b.marker) if b.marker else None)


def test_unnamed_requirements_get_a_pipfile_key() -> None:
    m = Manifest(
        format="requirements",
        groups=(
            Group(
                name="main",
                requirements=(
                    Requirement(name="", source=LocalPath(path="."), editable=True),
                    Requirement(name="", source=Url(url="https://example.org/bar-2.0.tar.gz")),
                    Requirement(name="", source=Vcs(vcs="git", url="https://g.example/repo.git")),
                ),
            ),
        ),
    )
    c = dumps(m, "pipfile")
    assert c.report.codes() == ["pipfile-name-derived"] * 3
    assert [r.name for r in loads(c.text, "pipfile").main.requirements] == ["cdb4ee2", "bar", "repo"]


def test_unnamed_requirement_whose_derived_key_is_taken_gets_the_location_hash() -> None:
    # regression (matrix): dask's environment.yml has conda `distributed` and pip `git+https://.../distributed`;
    # the derived key collided and the VCS requirement was dropped (pipfile-duplicate-dropped). Both are kept now.
    import hashlib
    import tomllib

    import plette

    text = "distributed>=2024.1\ngit+https://github.com/dask/distributed\n"
    c = convert(text, "requirements", "pipfile")
    assert c.report.codes() == ["pipfile-name-derived"]
    key = hashlib.sha256(b"https://github.com/dask/distributed").hexdigest()[:7]
    assert c.report.losses[0].subject == key
    pipfile = plette.Pipfile.load(io.StringIO(c.text))
    assert pipfile.packages[key]._data == {"git": "https://github.com/dask/distributed"}
    back = loads(c.text, "pipfile").main.requirements
    assert [(r.name, r.source) for r in back] == [
        ("distributed", None), (key, Vcs(vcs="git", url="https://github.com/dask/distributed"))]
    # a name taken only by another unnamed requirement of the group: the second gets the hash too
    c = convert("./a/pkg\n./b/pkg\n", "requirements", "pipfile")
    assert list(tomllib.loads(c.text)["packages"]) == [
        "pkg", hashlib.sha256(b"./b/pkg").hexdigest()[:7]]


def test_dropped_extra_is_an_error_only_when_its_requirements_are_lost() -> None:
    # regression (matrix): dask's `bag = []` was an ERROR extras-dropped though a Pipfile loses nothing but its name
    text = (
        '[project]\nname = "x"\nversion = "1"\ndependencies = ["a>=1", "b"]\n\n[project.optional-dependencies]\n'
        'bag = []\nsame = ["a >= 1"]\nmore = ["a>=1", "c"]\n'
    )
    report = dumps(loads(text, "pep621"), "pipfile").report
    got = [(l.subject, l.severity.label) for l in report if l.code == "extras-dropped"]
    assert got == [("bag", "info"), ("same", "warning"), ("more", "error")]


def test_path_with_a_version_reports_that_pipenv_ignores_the_version() -> None:
    # regression (matrix): uv's `lc>=2.0.0` + `{ path = "../lc" }` became `{path = "../lc"}` without a loss
    text = '[project]\nname = "x"\nversion = "1"\ndependencies = ["lc>=2.0.0"]\n\n[tool.uv.sources]\nlc = { path = "../lc" }\n'
    c = dumps(loads(text, "pep621+uv"), "pipfile")
    assert "lc = {path = \"../lc\"}" in c.text
    assert [(l.code, l.severity.label, l.data["version"]) for l in c.report if l.code == "url-version-dropped"] == [
        ("url-version-dropped", "warning", ">=2.0.0")]
    lock = dumps(loads(text, "pep621+uv"), "pipfile-lock")
    assert [l.code for l in lock.report if l.code == "url-version-dropped"] == ["url-version-dropped"]


def test_base_mode_writes_another_formats_manifest_into_an_existing_pipfile() -> None:
    base = (
        '# keep me\n[[source]]\nurl = "https://pypi.org/simple"\nverify_ssl = true\nname = "pypi"\n\n'
        '[packages]\nrequests = "*"  # http\nflask = "*"\n\n[dev-packages]\npytest = "*"\n\n[docs]\nsphinx = "*"\n'
    )
    m = loads("requests\nrich>=13\n", "requirements")
    out = dumps(m, "pipfile", base=base).text
    assert out == (
        '# keep me\n[[source]]\nurl = "https://pypi.org/simple"\nverify_ssl = true\nname = "pypi"\n\n'
        '[packages]\nrequests = "*"  # http\nrich = ">=13"\n\n[dev-packages]\n\n'
    )


# ------------------------------------------------------------------------------------------- properties


_NAMES = st.from_regex(r"[a-z][a-z0-9]{0,6}(?:[-_.][a-z0-9]{1,4})?", fullmatch=True)
_SPECS = st.sampled_from(["", ">=1.0", "==2.3.4", "~=1.2", "<3,>=2", "!=1.5", "==1.*", ">0.1.3"])
_MARKERS = st.sampled_from(
    [
        None,
        "sys_platform == 'win32'",
        "python_version < '3.10'",
        "os_name == 'nt' and platform_machine != 'arm64'",
    ]
)
_SOURCES = st.sampled_from(
    [
        None,
        LocalPath(path="./pkgs/x"),
        Vcs(vcs="git", url="https://g.example/r.git", rev="v1"),
        Url(url="https://files.example/x-1.0.tar.gz"),
        IndexRef(name="pypi"),
    ]
)


@st.composite
def _requirement(draw: st.DrawFn) -> Requirement:
    source = draw(_SOURCES)
    spec = draw(_SPECS) if source is None or isinstance(source, IndexRef) else ""
    return Requirement(
        name=draw(_NAMES),
        extras=tuple(draw(st.lists(st.sampled_from(["a", "b2", "c-d"]), unique=True, max_size=2))),
        version=VersionSpec.from_pep440(spec) if spec else None,
        marker=draw(_MARKERS),
        source=source,
        editable=isinstance(source, LocalPath) and draw(st.booleans()),
    )


@settings(max_examples=60, deadline=None)
@given(
    main=st.lists(_requirement(), max_size=5, unique_by=lambda r: r.key),
    dev=st.lists(_requirement(), max_size=3, unique_by=lambda r: r.key),
)
def test_fresh_write_reads_back_the_same_meaning(main: list[Requirement], dev: list[Requirement]) -> None:
    groups = [Group(name="main", requirements=tuple(main))]
    if dev:
        groups.append(Group(name="dev", kind=GroupKind.GROUP, requirements=tuple(dev)))
    m = Manifest(format="pep621", groups=tuple(groups), python=VersionSpec.from_pep440("==3.12.*"))
    c = dumps(m, "pipfile")
    back = loads(c.text, "pipfile")
    assert [g.name for g in back.groups] == [g.name for g in m.groups]
    for mine, theirs in zip(m.groups, back.groups, strict=True):
        for a, b in zip(mine.requirements, theirs.requirements, strict=True):
            assert (a.name, a.extras, a.source, a.editable) == (b.name, b.extras, b.source, b.editable)
            assert (a.version is None) == (b.version is None) or a.version.is_any
            if a.version is not None and b.version is not None:
                assert a.version.versions == b.version.versions
            assert same_marker(a.marker, b.marker)
    assert back.python.versions == m.python.versions
    assert dumps(back, "pipfile", base=c.text).text == c.text


def test_pipfile_to_pyproject_keeps_what_peers_lost() -> None:
    """End to end (research/peers.md §4): python_version not widened, categories and the per-package index kept
    (as an explicit source, so PyPI stays the default), marker keys as valid markers, extras as extras."""
    import tomllib

    from packaging.requirements import Requirement as PkgRequirement

    text, _ = read_fixture("every_form.Pipfile")
    pep621 = tomllib.loads(convert(text, "pipfile", "pep621").text)
    assert pep621["project"]["requires-python"] == "==3.11.*"
    assert sorted(pep621["dependency-groups"]) == ["dev", "docs"]
    deps = {PkgRequirement(d).name: PkgRequirement(d) for d in pep621["project"]["dependencies"]}
    assert deps["celery"].extras == {"redis", "msgpack"}
    assert same_marker(str(deps["winonly"].marker), "os_name == 'nt'")
    poetry = tomllib.loads(convert(text, "pipfile", "poetry").text)["tool"]["poetry"]
    assert poetry["dependencies"]["torch"]["source"] == "pytorch"
    assert poetry["source"] == [
        {"name": "pytorch", "url": "https://download.pytorch.org/whl/cpu", "priority": "explicit"}
    ]
    assert poetry["dependencies"]["localpkg"] == {"path": "./packages/localpkg", "develop": True}
    assert "docs" in poetry["group"]


def test_base_mode_renamed_package_keeps_its_line() -> None:
    base = '[packages]\nFlask_Login = ">=3.0"  # login\nrequests = "*"\n'
    m = loads(base, "pipfile")
    reqs = tuple(r.replace(name="flask-login") if r.name == "Flask_Login" else r for r in m.main.requirements)
    out = dumps(m.replace(groups=(m.main.replace(requirements=reqs),)), "pipfile", base=base).text
    assert out == '[packages]\nflask-login = ">=3.0"  # login\nrequests = "*"\n'
