"""Poetry 1 / Poetry 2 pyproject.toml: reading with Poetry's semantics, base-mode identity, fresh writes, oracles.

Oracles: poetry-core's ``Factory.create_poetry`` reads the source and every written file, and the dependency
sets it derives (``dependencies_for_locking`` per group: name, constraint, marker, source, extras, develop,
allow-prereleases) must agree; poetry's ``Factory.validate`` (what ``poetry check`` runs, source priorities
included) must accept every written file whose source it accepts.
"""

from __future__ import annotations

import logging
import re
import tomllib
from pathlib import Path

import pytest

try:
    from conftest import FIXTURES, corpus_params
except ImportError:  # tests/ is a package (tests/__init__.py present)
    from tests.conftest import FIXTURES, corpus_params
from depglot import api
from depglot.converters.pyproject.poetry.entries import requirement_key
from depglot.errors import ParseError
from depglot.ir.model import (
    Group,
    GroupKind,
    Index,
    IndexRef,
    IndexRole,
    LocalPath,
    Manifest,
    Requirement,
    Url,
    Vcs,
)
from depglot.ir.versions import VersionSpec, pep440_range
from depglot.report import Severity

FIX = FIXTURES / "poetry"
CORPUS = corpus_params("poetry", "poetry2")


def read(text: str, fmt: str = "poetry", path: str | None = None) -> Manifest:
    return api.loads(text, fmt, path=path)


def meaning(m: Manifest) -> list:
    out = [
        (g.kind, g.name.lower(), g.optional, tuple(i.lower() for i in g.includes),
         [requirement_key(r) for r in g.requirements])
        for g in m.groups
    ]
    return sorted(out, key=lambda x: (x[0].value, x[1]))


# ------------------------------------------------------------------------------------------- oracles


def _cons(c: str) -> str:
    if "||" in c or c == "*":
        return c
    from packaging.specifiers import InvalidSpecifier

    try:
        text = str(pep440_range(c).to_specifier_set())
    except InvalidSpecifier:
        return c
    return re.sub(r"(\d+(?:\.\d+)*?)(?:\.0)+(?![\d.])", r"\1", text)


def _no_extra(marker: str) -> str:
    """A locking dependency's marker without its ``extra == "x"`` clauses: which extras hold a dependency is
    compared through the extras themselves (a ``[project]`` optional dependency has no such clause, a Poetry 1
    per-extra entry of a multiple-constraints list has it in its marker)."""
    clause = r'\(?extra == "[^"]+"(?: or extra == "[^"]+")*\)?'
    return re.sub(rf"^{clause}$|^{clause} and | and {clause}$", "", marker)


def poetry_view(text: str, tmp: Path) -> tuple:
    """What poetry-core makes of a pyproject: per-group locking dependencies, extras, python."""
    from poetry.core.factory import Factory

    d = tmp / f"p{len(list(tmp.iterdir()))}"
    d.mkdir()
    (d / "pyproject.toml").write_text(text, encoding="utf-8")
    logging.disable(logging.CRITICAL)
    try:
        pkg = Factory().create_poetry(d).package
    finally:
        logging.disable(logging.NOTSET)
    groups = {}
    for g in pkg._dependency_groups.values():
        deps = {
            (x.name, _cons(str(x.constraint)), _no_extra(str(x.marker)), x.source_name,
             tuple(sorted(x.extras)), x.is_optional(), x.source_type,
             x.source_url if x.source_type not in ("directory", "file") else None, x.source_reference,
             getattr(x, "develop", None), x.allows_prereleases())
            for x in g.dependencies_for_locking
        }
        if deps:
            groups[g.name] = sorted(deps)
    return groups, sorted(pkg.extras), _cons(str(pkg.python_constraint))


def poetry_check(text: str, tmp: Path) -> tuple[int, str]:
    """``poetry check --directory DIR``, the real command run in-process: (exit code, its output)."""
    from cleo.testers.application_tester import ApplicationTester
    from poetry.console.application import Application

    d = tmp / f"check{len(list(tmp.iterdir()))}"
    d.mkdir()
    (d / "pyproject.toml").write_text(text, encoding="utf-8")
    doc = tomllib.loads(text.lstrip("\ufeff"))
    readmes = [doc.get("project", {}).get("readme"), doc.get("tool", {}).get("poetry", {}).get("readme")]
    for r in readmes:  # check wants declared readme files to exist
        for name in r if isinstance(r, list) else [r.get("file") if isinstance(r, dict) else r]:
            if isinstance(name, str):
                (d / name).parent.mkdir(parents=True, exist_ok=True)
                (d / name).write_text("readme\n", encoding="utf-8")
    app = Application()
    app.auto_exits(False)
    tester = ApplicationTester(app)
    code = tester.execute(f"check --directory {d}")
    return code, tester.io.fetch_output() + tester.io.fetch_error()


def poetry_check_errors(text: str) -> list[str]:
    from poetry.factory import Factory

    return Factory.validate(tomllib.loads(text.lstrip("\ufeff")), strict=False)["errors"]


# Sources whose fresh Poetry 2 write must differ, each with the loss that says why (none left: presidio's package
# in several extras with different requirements is now a multiple-constraints list marked per extra).
EXPECTED_FRESH_LOSS: dict[tuple[str, str], str] = {}


# ------------------------------------------------------------------------------------------- corpus


@pytest.mark.parametrize("path", CORPUS)
@pytest.mark.parametrize("fmt", ["poetry", "poetry1"])
def test_corpus_base_mode_is_byte_identical(path: Path, fmt: str) -> None:
    text = path.read_text(encoding="utf-8")
    m = read(text, path=str(path))
    assert api.dumps(m, fmt, base=text).text == text


@pytest.mark.parametrize("path", CORPUS)
@pytest.mark.parametrize("fmt", ["poetry", "poetry1"])
def test_corpus_fresh_write_reads_back_and_poetry_agrees(path: Path, fmt: str, tmp_path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    m = read(text, path=str(path))
    conv = api.dumps(m, fmt)
    back = read(conv.text)
    expected_loss = EXPECTED_FRESH_LOSS.get((fmt, path.name))
    if expected_loss:
        assert expected_loss in conv.report.codes()
        return
    # an optional dependency in no extra stays one (the `dynamic` layout for poetry), never an invented extra
    assert "optional-without-extra" not in conv.report.codes()
    assert meaning(back) == meaning(m)
    assert (back.python is None) == (m.python is None)
    if m.python is not None and "poetry-requires-python-merged" not in conv.report.codes():
        assert back.python.versions == m.python.versions or _cons(back.python.pep440 or "") == _cons(
            m.python.pep440 or "")
    source_errors = poetry_check_errors(text)
    assert poetry_check_errors(conv.text) == [] or source_errors
    code, out = poetry_check(conv.text, tmp_path)
    assert code == 0 or (source_errors and poetry_check(text, tmp_path)[0] != 0), out
    if not source_errors:
        assert poetry_view(conv.text, tmp_path) == poetry_view(text, tmp_path)


def test_corpus_has_both_layouts() -> None:
    cats = {p.values[0].parent.name for p in CORPUS if p.values[0] is not None}
    assert cats in ({"poetry", "poetry2"}, set())


# ------------------------------------------------------------------------------------------- reading


POETRY1 = """\
[tool.poetry]
name = "demo"
version = "0.1.0"
description = "A demo"
authors = ["Jane Doe <jane@example.org>", "Bob"]
license = "MIT"
homepage = "https://example.org"

[tool.poetry.dependencies]
python = "^3.9"
requests = { version = "^2.31", extras = ["socks"], source = "private" }
pendulum = { git = "https://github.com/sdispater/pendulum.git", branch = "2.0", develop = true }
mylib = { path = "../mylib", develop = true }
wheelie = { url = "https://example.org/wheelie-1.0-py3-none-any.whl" }
numpy = [
    { version = "^1.26", python = ">=3.9,<3.13" },
    { version = "^2.0", python = ">=3.13" },
]
pywin32 = { version = ">=300", platform = "win32", markers = "platform_machine == 'x86_64' or platform_machine == 'AMD64'" }
orjson = { version = "^3.9", optional = true }
lonely = { version = "*", optional = true }
beta = { version = "^1.0", allow-prereleases = true }

[tool.poetry.extras]
fast = ["orjson"]

[tool.poetry.dev-dependencies]
pytest = "^8.0"

[tool.poetry.group.docs]
optional = true

[tool.poetry.group.docs.dependencies]
mkdocs = "~1.5"

[[tool.poetry.source]]
name = "private"
url = "https://pypi.example.org/simple/"
priority = "explicit"

[tool.poetry.scripts]
demo = "demo.cli:main"

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"""


def test_poetry1_reading() -> None:
    m = read(POETRY1, path="pyproject.toml")
    assert m.python is not None and m.python.raw == "^3.9"
    assert [g.name for g in m.groups] == ["main", "fast", "docs", "dev"]  # poetry-core's order
    main = {r.name: r for r in m.main.requirements}
    assert main["requests"].source == IndexRef(name="private")
    assert main["requests"].extras == ("socks",)
    assert main["pendulum"].source == Vcs(vcs="git", url="https://github.com/sdispater/pendulum.git", rev="2.0",
                                          rev_kind="branch")
    assert main["pendulum"].editable
    assert main["mylib"].source == LocalPath(path="../mylib") and main["mylib"].editable
    assert main["wheelie"].source == Url(url="https://example.org/wheelie-1.0-py3-none-any.whl")
    assert main["beta"].allow_prereleases is True
    # one requirement per constraint, each with its python marker
    numpy = [r for r in m.main.requirements if r.name == "numpy"]
    assert [r.marker for r in numpy] == [
        'python_version >= "3.9" and python_version < "3.13"',
        'python_version >= "3.13"',
    ]
    # markers + platform: the `or` is parenthesised so `and` cannot bind into it
    assert main["pywin32"].marker == (
        "(platform_machine == 'x86_64' or platform_machine == 'AMD64') and sys_platform == \"win32\""
    )
    # optional in an extra -> only in the extra; optional in none -> stays in main, optional
    assert "orjson" not in main and main["lonely"].optional
    assert [r.name for r in m.group("fast").requirements] == ["orjson"]
    assert m.group("fast").kind is GroupKind.EXTRA
    assert m.group("docs").optional and m.group("dev").kind is GroupKind.GROUP
    assert m.indexes == (Index(name="private", url="https://pypi.example.org/simple/", role=IndexRole.EXPLICIT,
                               raw=m.indexes[0].raw, span=m.indexes[0].span),)
    assert m.project is not None and m.project.name == "demo"
    assert m.project.get("authors") == [{"name": "Jane Doe", "email": "jane@example.org"}, {"name": "Bob"}]
    assert m.project.get("urls") == {"Homepage": "https://example.org"}
    assert m.project.get("scripts") == {"demo": "demo.cli:main"}
    assert main["requests"].span is not None and main["requests"].span.line == 11
    assert m.losses == ()


POETRY2 = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = [
    "requests (>=2.31,<3.0)",
    "click>=8",
    "numpy>=1.26",
]

[project.optional-dependencies]
fast = ["orjson>=3.9"]

[tool.poetry.dependencies]
requests = { source = "private" }
click = { allow-prereleases = true }
numpy = { version = "^1.26 || ^2.1" }
unused = "^1.0"

[tool.poetry.group.dev.dependencies]
pytest = "^8.0"

[[tool.poetry.source]]
name = "private"
url = "https://pypi.example.org/simple/"
priority = "supplemental"
"""


def test_poetry2_enrichment() -> None:
    m = read(POETRY2, path="pyproject.toml")
    main = {r.name: r for r in m.main.requirements}
    assert main["requests"].source == IndexRef(name="private")
    assert main["requests"].version.pep440 == ">=2.31,<3.0"
    assert main["click"].allow_prereleases is True
    # Poetry intersects the two constraints: >=1.26 and (^1.26 || ^2.1)
    assert main["numpy"].version.versions == VersionSpec.from_pep440(">=1.26").versions.intersection(
        pep440_range(">=1.26,<2.0").union(pep440_range(">=2.1,<3.0")))
    assert "unused" not in main
    assert m.python.raw == ">=3.10"
    assert [g.name for g in m.groups] == ["main", "fast", "dev"]
    assert [(loss.code, loss.subject, loss.span.line) for loss in m.losses] == [
        ("poetry-dependency-ignored", "unused", 18)]
    assert m.indexes[0].role is IndexRole.SUPPLEMENTAL


def test_poetry2_union_version_survives_fresh_write(tmp_path: Path) -> None:
    m = read(POETRY2)
    conv = api.dumps(m, "poetry")
    doc = tomllib.loads(conv.text)
    # [project] holds the nearest PEP 440 superset, [tool.poetry] the exact union; Poetry intersects them
    assert "numpy>=1.26,<3.0" in doc["project"]["dependencies"] or "numpy<3.0,>=1.26" in doc["project"]["dependencies"]
    assert doc["tool"]["poetry"]["dependencies"]["numpy"] == {"version": "^1.26 || ^2.1"}
    assert doc["tool"]["poetry"]["dependencies"]["requests"] == {"source": "private"}
    assert "version-union-widened" not in conv.report.codes()
    assert meaning(read(conv.text)) == meaning(m)
    assert poetry_check_errors(conv.text) == []


def test_pep735_groups_with_poetry_group_config() -> None:
    text = """\
[project]
name = "demo"
version = "1"
dependencies = []

[dependency-groups]
test = ["pytest>=8"]
all = [{include-group = "test"}, "coverage"]

[tool.poetry.group.test]
optional = true

[tool.poetry.group.test.dependencies]
pytest = { source = "private" }

[tool.poetry.group.lint]
include-groups = ["test"]

[tool.poetry.group.lint.dependencies]
ruff = "*"

[[tool.poetry.source]]
name = "private"
url = "https://pypi.example.org/simple/"
priority = "explicit"
"""
    m = read(text)
    assert [(g.name, g.optional, g.includes) for g in m.groups] == [
        ("main", False, ()), ("test", True, ()), ("all", False, ("test",)), ("lint", False, ("test",))]
    assert m.group("test").requirements[0].source == IndexRef(name="private")
    assert m.group("test").requirements[0].version.pep440 == ">=8"
    assert api.dumps(m, "poetry", base=text).text == text


def test_bad_constraint_is_a_parse_error_with_line() -> None:
    text = '[tool.poetry]\nname = "x"\n\n[tool.poetry.dependencies]\nrequests = "^2.0,,<3"\n'
    with pytest.raises(ParseError) as err:
        read(text, path="pyproject.toml")
    assert err.value.span.file == "pyproject.toml"
    assert err.value.span.line == 5
    assert err.value.dialect == "poetry"


def test_unknown_key_and_undeclared_source_are_losses_with_place() -> None:
    text = (
        '[tool.poetry]\nname = "x"\n\n[tool.poetry.dependencies]\n'
        'requests = { version = "^2", sourc = "nope" }\nflask = { version = "^3", source = "ghost" }\n'
    )
    m = read(text, path="pyproject.toml")
    got = [(loss.code, loss.severity.label, loss.subject, loss.span.line, loss.span.key) for loss in m.losses]
    assert got == [
        ("poetry-unknown-key", "warning", "requests", 5, "tool.poetry.dependencies.requests.sourc"),
        ("poetry-source-undeclared", "error", "flask", 6, "tool.poetry.dependencies.flask"),
    ]
    # the unknown key travels verbatim back into Poetry
    out = tomllib.loads(api.dumps(m, "poetry1").text)
    assert out["tool"]["poetry"]["dependencies"]["requests"] == {"version": "^2", "sourc": "nope"}


def test_conflicting_vcs_keys_are_errors() -> None:
    text = '[tool.poetry.dependencies]\nx = { git = "https://g/x.git", branch = "a", tag = "b" }\n'
    with pytest.raises(ParseError, match="only one of branch, tag, rev"):
        read(text)


def test_legacy_sources_roles() -> None:
    text = """\
[tool.poetry]
name = "x"

[[tool.poetry.source]]
name = "a"
url = "https://a.example/simple/"
default = true

[[tool.poetry.source]]
name = "b"
url = "https://b.example/simple/"
secondary = true

[[tool.poetry.source]]
name = "c"
url = "https://c.example/simple/"
"""
    m = read(text)
    assert [(ix.name, ix.role) for ix in m.indexes] == [
        ("a", IndexRole.DEFAULT), ("b", IndexRole.PRIMARY), ("c", IndexRole.PRIMARY)]
    out = tomllib.loads(api.dumps(m, "poetry1").text)
    # Poetry 2 rejects default/secondary: written as priorities with the same meaning
    assert out["tool"]["poetry"]["source"] == [
        {"name": "a", "url": "https://a.example/simple/", "priority": "primary"},
        {"name": "b", "url": "https://b.example/simple/", "priority": "primary"},
        {"name": "c", "url": "https://c.example/simple/", "priority": "primary"},
    ]


# ------------------------------------------------------------------------------------------- writing


def test_fresh_poetry1_layout(tmp_path: Path) -> None:
    m = read(POETRY1)
    conv = api.dumps(m, "poetry1")
    doc = tomllib.loads(conv.text)
    tp = doc["tool"]["poetry"]
    assert "project" not in doc
    assert tp["name"] == "demo" and tp["authors"] == ["Jane Doe <jane@example.org>", "Bob"]
    assert tp["homepage"] == "https://example.org"
    assert tp["dependencies"]["python"] == "^3.9"
    assert tp["dependencies"]["orjson"] == {"version": "^3.9", "optional": True}
    assert tp["extras"] == {"fast": ["orjson"]}
    assert tp["group"]["docs"] == {"optional": True, "dependencies": {"mkdocs": "~1.5"}}
    assert tp["group"]["dev"] == {"dependencies": {"pytest": "^8.0"}}
    assert doc["build-system"]["build-backend"] == "poetry.core.masonry.api"
    assert meaning(read(conv.text)) == meaning(m)
    assert poetry_check_errors(conv.text) == []


def test_fresh_poetry2_layout_moves_metadata_to_project() -> None:
    text = POETRY1.replace('mylib = { path = "../mylib", develop = true }\n', "")
    m = read(text)
    conv = api.dumps(m, "poetry", optional_to="group")
    doc = tomllib.loads(conv.text)
    project = doc["project"]
    assert project["name"] == "demo" and project["authors"][0] == {"name": "Jane Doe", "email": "jane@example.org"}
    assert project["urls"] == {"Homepage": "https://example.org"}
    assert project["scripts"] == {"demo": "demo.cli:main"}
    assert project["requires-python"] == ">=3.9,<4.0"
    assert "requests[socks]>=2.31,<3.0" in project["dependencies"]
    assert project["optional-dependencies"]["fast"] == ["orjson>=3.9,<4.0"]
    enrich = doc["tool"]["poetry"]["dependencies"]
    assert enrich["requests"] == {"source": "private"}
    assert enrich["pendulum"] == {"git": "https://github.com/sdispater/pendulum.git", "branch": "2.0",
                                  "develop": True}
    assert enrich["beta"] == {"allow-prereleases": True}
    # `lonely` (optional, in no extra) cannot be said in [project]: with --optional-to group, placed in the
    # optional group `optional`, reported
    assert doc["tool"]["poetry"]["group"]["optional"] == {"optional": True, "dependencies": {"lonely": "*"}}
    assert "optional-without-extra" in conv.report.codes()
    # poetry-core < 2 ignores [project]: the source's build requirement is raised
    assert doc["build-system"]["requires"] == ["poetry-core>=2.0.0,<3.0.0"]
    assert "poetry-build-requires-raised" in conv.report.codes()
    assert tomllib.loads(api.dumps(m, "poetry1").text)["build-system"]["requires"] == ["poetry-core>=1.0.0"]
    assert poetry_check_errors(conv.text) == []


def test_relative_path_dependency_is_name_plus_poetry_path(tmp_path: Path) -> None:
    m = read(POETRY1.replace('lonely = { version = "*", optional = true }\n', ""))  # else the dynamic layout
    conv = api.dumps(m, "poetry")
    doc = tomllib.loads(conv.text)
    assert "mylib" in doc["project"]["dependencies"]
    assert doc["tool"]["poetry"]["dependencies"]["mylib"] == {"path": "../mylib", "develop": True}
    back = {r.name: r for r in read(conv.text).main.requirements}
    assert back["mylib"].source == LocalPath(path="../mylib") and back["mylib"].editable
    (tmp_path / "mylib").mkdir()
    view = poetry_view(conv.text, tmp_path)
    mylib = [d for d in view[0]["main"] if d[0] == "mylib"]
    assert mylib and mylib[0][6] == "directory" and mylib[0][9] is True


def test_base_mode_changes_only_what_changed() -> None:
    m = read(POETRY1)
    main = m.main
    reqs = tuple(
        r.replace(version=VersionSpec.from_pep440(">=2.32,<3")) if r.name == "requests" else r
        for r in main.requirements if r.name != "beta"
    )
    m2 = m.replace(groups=tuple(g.replace(requirements=reqs) if g is main else g for g in m.groups))
    out = api.dumps(m2, "poetry", base=POETRY1).text
    old_lines = POETRY1.splitlines()
    new_lines = out.splitlines()
    removed = [ln for ln in old_lines if ln not in new_lines]
    added = [ln for ln in new_lines if ln not in old_lines]
    assert removed == [
        'requests = { version = "^2.31", extras = ["socks"], source = "private" }',
        'beta = { version = "^1.0", allow-prereleases = true }',
    ]
    assert added == ['requests = { version = "^2.32", extras = ["socks"], source = "private" }']


def test_base_mode_keeps_bom_and_crlf() -> None:
    text = "\ufeff" + POETRY1.replace("\n", "\r\n")
    m = read(text)
    assert api.dumps(m, "poetry", base=text).text == text
    m2 = m.replace(groups=tuple(g for g in m.groups if g.name != "docs"))
    out = api.dumps(m2, "poetry", base=text).text
    assert out.startswith("\ufeff") and "\r\n" in out and "\n" not in out.replace("\r\n", "")
    assert "docs" not in out


def test_write_into_pyproject_of_other_tools() -> None:
    base = '[tool.black]\nline-length = 100  # keep\n\n[build-system]\nrequires = ["setuptools"]\n'
    m = api.loads("requests>=2\n", "requirements") if _has("requirements") else Manifest(
        format="x", groups=(Group(name="main", requirements=(
            Requirement(name="requests", version=VersionSpec.from_pep440(">=2")),)),))
    out = api.dumps(m, "poetry", base=base).text
    assert out == (
        '[tool.black]\nline-length = 100  # keep\n\n[tool.poetry]\npackage-mode = false\n\n'
        '[tool.poetry.dependencies]\nrequests = ">=2"\n\n[build-system]\nrequires = ["setuptools"]\n'
    )
    assert poetry_check_errors(out) == []


def _has(fmt: str) -> bool:
    from depglot import registry

    return fmt in registry.names()


# ------------------------------------------------------------------------------------------- migration


def _pipenv_like(indexes: tuple[Index, ...], reqs: tuple[Requirement, ...], python: str = "==3.11.*") -> Manifest:
    return Manifest(
        format="pipfile",
        python=VersionSpec.from_pep440(python),
        indexes=indexes,
        groups=(Group(name="main", requirements=reqs),
                Group(name="dev", kind=GroupKind.GROUP, requirements=(Requirement(name="pytest"),))),
    )


def test_migration_sources_keep_pypi_and_pipenv_priorities(tmp_path: Path) -> None:
    m = _pipenv_like(
        (Index(name="pypi", url="https://pypi.org/simple", role=IndexRole.DEFAULT),
         Index(name="private", url="https://pypi.example.org/simple", role=IndexRole.EXPLICIT)),
        (Requirement(name="requests", version=VersionSpec.from_pep440(">=2.31")),
         Requirement(name="internal", version=VersionSpec.from_pep440("==1.2.3"), source=IndexRef(name="private"),
                     marker="sys_platform == 'linux'", allow_prereleases=True),
         Requirement(name="lib", source=Vcs(vcs="git", url="https://github.com/o/lib.git", rev="v1", rev_kind=None),
                     editable=True),
         Requirement(name="wheel", source=Url(url="https://example.org/w-1.0-py3-none-any.whl"))),
    )
    conv = api.dumps(m, "poetry")
    doc = tomllib.loads(conv.text)
    tp = doc["tool"]["poetry"]
    # PyPI stays Poetry's implicit source; the private one is explicit (only for packages naming it)
    assert tp["source"] == [{"name": "private", "url": "https://pypi.example.org/simple", "priority": "explicit"}]
    deps = tp["dependencies"]
    assert deps["python"] == "3.11.*"
    assert deps["internal"] == {"version": "1.2.3", "markers": "sys_platform == 'linux'",
                                "allow-prereleases": True, "source": "private"}
    assert deps["lib"] == {"git": "https://github.com/o/lib.git", "rev": "v1", "develop": True}
    assert deps["wheel"] == {"url": "https://example.org/w-1.0-py3-none-any.whl"}
    assert tp["package-mode"] is False
    assert poetry_check(conv.text, tmp_path) == (0, "All set!\n")
    back = read(conv.text)
    assert meaning(back) == meaning(m)
    assert back.python.versions == m.python.versions


def test_poetry_check_oracle_catches_undeclared_source(tmp_path: Path) -> None:
    text = '[tool.poetry]\npackage-mode = false\n\n[tool.poetry.dependencies]\nx = { version = "*", source = "nope" }\n'
    code, out = poetry_check(text, tmp_path)
    assert code == 1 and 'Invalid source "nope"' in out
    assert [loss.code for loss in read(text).losses] == ["poetry-source-undeclared"]


def test_primary_extra_index_declares_pypi_first() -> None:
    m = _pipenv_like((Index(name="extra", url="https://x.example/simple", role=IndexRole.PRIMARY),),
                     (Requirement(name="requests"),))
    conv = api.dumps(m, "poetry")
    tp = tomllib.loads(conv.text)["tool"]["poetry"]
    assert tp["source"] == [{"name": "PyPI", "priority": "primary"},
                            {"name": "extra", "url": "https://x.example/simple", "priority": "primary"}]
    assert "poetry-pypi-declared" in conv.report.codes()
    assert poetry_check_errors(conv.text) == []


def test_unnamed_index_and_hg_are_reported() -> None:
    m = _pipenv_like((Index(name=None, url="https://mirror.example.com/simple", role=IndexRole.DEFAULT),),
                     (Requirement(name="x", source=Vcs(vcs="hg", url="https://hg.example/x")),))
    conv = api.dumps(m, "poetry")
    tp = tomllib.loads(conv.text)["tool"]["poetry"]
    assert tp["source"] == [{"name": "mirror-example-com", "url": "https://mirror.example.com/simple",
                             "priority": "primary"}]
    assert "x" not in tp["dependencies"]
    assert {"poetry-index-named", "poetry-vcs-unsupported"} <= set(conv.report.codes())


def test_detect_scores_poetry_above_pep621() -> None:
    from depglot import registry

    fmt = registry.detect("pyproject.toml", POETRY2)
    assert fmt.name == "poetry"
    assert registry.detect("pyproject.toml", '[project]\nname = "x"\n').name == "pep621"


def test_fixture_files_match_the_inline_texts_and_round_trip() -> None:
    assert (FIX / "poetry1.toml").read_text(encoding="utf-8") == POETRY1
    assert (FIX / "poetry2.toml").read_text(encoding="utf-8") == POETRY2
    for path in sorted(FIX.glob("*.toml")):
        text = path.read_text(encoding="utf-8")
        for fmt in ("poetry", "poetry1"):
            assert api.dumps(read(text), fmt, base=text).text == text



# ------------------------------------------------------------------------------------------- Pipenv -> Poetry


def _pipenv_meaning(m: Manifest) -> list:
    """Requirement sets by group; Pipfile categories are Poetry groups, pipenv's file-wide allow_prereleases is
    Poetry's per-dependency one, empty groups say nothing."""
    out = []
    pypi = {ix.name.lower() for ix in m.indexes if ix.name and "pypi." in ix.url and ix.role is IndexRole.DEFAULT}
    for g in m.groups:
        if not g.requirements:
            continue
        kind = GroupKind.GROUP if g.kind is GroupKind.CATEGORY else g.kind
        reqs = []
        for r in g.requirements:
            if isinstance(r.source, IndexRef) and r.source.name.lower() in pypi:
                r = r.replace(source=None)  # Poetry's implicit PyPI has no name; same index
            if m.allow_prereleases and r.allow_prereleases is None and not isinstance(r.source, (LocalPath, Url)):
                r = r.replace(allow_prereleases=True)
            reqs.append(requirement_key(r))
        out.append((kind, g.name.lower(), g.optional, reqs))
    return out


@pytest.mark.parametrize("path", corpus_params("pipfile"))
def test_pipfile_migration_passes_poetry_check_and_keeps_requirements(path: Path, tmp_path: Path) -> None:
    m = api.loads(path.read_text(encoding="utf-8"), "pipfile", path=str(path))
    conv = api.dumps(m, "poetry")
    assert poetry_check_errors(conv.text) == []
    assert poetry_check(conv.text, tmp_path) == (0, "All set!\n")
    poetry_view(conv.text, tmp_path)  # poetry-core reads it
    back = read(conv.text)
    assert _pipenv_meaning(back) == _pipenv_meaning(conv.manifest)
    assert (back.python is None) == (m.python is None)
    if m.python is not None:
        assert back.python.versions == m.python.versions


def _edit(m: Manifest, group: str, fn) -> Manifest:
    return m.replace(groups=tuple(g.replace(requirements=tuple(fn(list(g.requirements)))) if g.name == group else g
                                  for g in m.groups))


def test_base_mode_poetry2_edits_project_array_and_enrichment() -> None:
    m = read(POETRY2)

    def change(reqs: list[Requirement]) -> list[Requirement]:
        out = []
        for r in reqs:
            if r.name == "requests":
                r = r.replace(version=VersionSpec.from_pep440(">=2.32,<3.0"))
            if r.name == "click":
                r = r.replace(allow_prereleases=None)
            out.append(r)
        return out + [Requirement(name="rich", version=VersionSpec.from_pep440(">=13"))]

    out = api.dumps(_edit(m, "main", change), "poetry", base=POETRY2).text
    old_lines, new_lines = POETRY2.splitlines(), out.splitlines()
    assert [ln for ln in old_lines if ln not in new_lines] == [
        '    "requests (>=2.31,<3.0)",', "click = { allow-prereleases = true }",
    ]  # `unused` (ignored by Poetry, reported on reading) is the user's and stays
    assert [ln for ln in new_lines if ln not in old_lines] == ['    "requests>=2.32,<3.0",', '    "rich>=13",']
    back = read(out)
    assert meaning(back) == meaning(_edit(m, "main", change))
    assert poetry_check_errors(out) == []


def test_base_mode_pep735_group_gets_new_item() -> None:
    text = (FIX / "pep735.toml").read_text(encoding="utf-8")
    m = read(text)
    m2 = _edit(m, "test", lambda rs: rs + [Requirement(name="hypothesis", version=VersionSpec.from_pep440(">=6"))])
    out = api.dumps(m2, "poetry", base=text).text
    assert out == text.replace('test = ["pytest>=8"]', 'test = ["pytest>=8", "hypothesis>=6"]')
    assert meaning(read(out)) == meaning(m2)


def test_self_referencing_extras_are_expanded_and_version_is_supplied(tmp_path: Path) -> None:
    text = """\
[project]
name = "pkg"
dynamic = ["version"]
dependencies = ["click>=8"]

[project.optional-dependencies]
a = ["numpy>=1.26"]
b = ["pandas>=2; python_version >= '3.10'"]
all = ["pkg[a,b] ; sys_platform != 'win32'", "rich"]
"""
    m = api.loads(text, "pep621")
    conv = api.dumps(m, "poetry")
    doc = tomllib.loads(conv.text)
    assert doc["project"]["optional-dependencies"]["all"] == [
        "numpy>=1.26 ; sys_platform != 'win32'",
        "pandas>=2 ; python_version >= '3.10' and sys_platform != 'win32'",
        "rich",
    ]
    assert doc["tool"]["poetry"]["version"] == "0.0.0" and doc["project"]["dynamic"] == ["version"]
    assert {"poetry-self-extra-expanded", "project-version-invented"} <= set(conv.report.codes())
    # regression (matrix): a warning naming what replaced the self-reference, so the change is explained
    (expanded,) = [l for l in conv.report if l.code == "poetry-self-extra-expanded"]
    assert expanded.severity is Severity.WARNING and expanded.data["written"] == ["numpy", "pandas"]
    assert poetry_check_errors(conv.text) == []
    poetry_view(conv.text, tmp_path)


def test_keep_locked_pins_registry_dependencies_to_the_lock(tmp_path: Path) -> None:
    from depglot.ir.model import Lock, LockedPackage

    m = _pipenv_like((), (Requirement(name="requests", version=VersionSpec.from_pep440(">=2.31")),
                          Requirement(name="lib", source=Vcs(vcs="git", url="https://g/lib.git", rev="v1"))))
    m = m.replace(lock=Lock(packages=(LockedPackage(name="requests", version="2.32.3"),
                                      LockedPackage(name="pytest", version="8.3.0"),
                                      LockedPackage(name="lib", version="1.0"))))
    conv = api.dumps(m, "poetry", keep_locked=True)
    tp = tomllib.loads(conv.text)["tool"]["poetry"]
    assert tp["dependencies"]["requests"] == "2.32.3"
    assert tp["dependencies"]["lib"] == {"git": "https://g/lib.git", "rev": "v1"}
    assert tp["group"]["dev"]["dependencies"]["pytest"] == "8.3.0"
    assert tomllib.loads(api.dumps(m, "poetry").text)["tool"]["poetry"]["dependencies"]["requests"] == ">=2.31"
    assert poetry_check(conv.text, tmp_path)[0] == 0


@pytest.mark.parametrize(("snippet", "line"), [
    ('[tool]\npoetry = "x"\n', 2),
    ("[tool.poetry]\ndependencies = []\n", 2),
    ("[tool.poetry.dependencies]\nx = 1\n", 2),
    ("[tool.poetry.dependencies]\nx = { version = 1 }\n", 2),
    ('[tool.poetry.dependencies]\nx = { version = "^1", markers = "os_name ==" }\n', 2),
    ('[tool.poetry.dependencies]\nx = { version = "^1", extras = "a" }\n', 2),
    ('[tool.poetry.dependencies]\nx = { git = "https://g/x.git", path = "../x" }\n', 2),
    ("[tool.poetry.dependencies]\nx = []\n", 2),
    ('[tool.poetry.extras]\nfast = "x"\n', 2),
    ("[tool.poetry.group.dev]\noptional = 1\n", 2),
    ('[tool.poetry.group.dev]\ninclude-groups = ["nope"]\n', 1),
    ("[[tool.poetry.source]]\nname = 1\n", 1),
    ('[[tool.poetry.source]]\nname = "x"\nurl = "https://x"\npriority = "first"\n', 4),
])
def test_bad_poetry_tables_are_located_parse_errors(snippet: str, line: int) -> None:
    with pytest.raises(ParseError) as err:
        read(snippet, path="pyproject.toml")
    assert err.value.span is not None and err.value.span.file == "pyproject.toml"
    assert err.value.span.line == line, err.value.render()


@pytest.mark.parametrize("text", [POETRY1, POETRY2], ids=["poetry1-layout", "poetry2-layout"])
def test_base_mode_respelled_name_changes_only_that_entry(text: str) -> None:
    m = read(text)
    m2 = _edit(m, "main", lambda rs: [r.replace(name="Requests") if r.name == "requests" else r for r in rs])
    out = api.dumps(m2, "poetry", base=text).text
    changed = [(a, b) for a, b in zip(text.splitlines(), out.splitlines(), strict=True) if a != b]
    assert len(changed) == 1 and "Requests" in changed[0][1] and "requests" in changed[0][0]


def test_unnamed_requirement_loss_names_its_path() -> None:
    # regression (matrix): the loss for `-e .` named the source object's repr, not the path the user wrote
    conv = api.dumps(api.loads("-e .\nrequests\n", "requirements"), "poetry")
    assert [l.subject for l in conv.report if l.code == "poetry-name-required"] == ["."]


def test_file_wide_prereleases_per_dependency_is_reported() -> None:
    # regression (matrix): --pre / allow_prereleases became per-dependency allow-prereleases silently; transitive
    # dependencies lose it, so it is a warning naming the dependencies
    conv = api.dumps(api.loads("--pre\nrequests>=2\nclick\n", "requirements"), "poetry")
    doc = tomllib.loads(conv.text)
    assert doc["tool"]["poetry"]["dependencies"]["click"]["allow-prereleases"] is True
    (loss,) = [l for l in conv.report if l.code == "poetry-prereleases-per-dependency"]
    assert loss.severity is Severity.WARNING and loss.data["requirements"] == ["requests", "click"]


def test_git_url_with_at_rev_is_read_as_poetry_reads_it(tmp_path: Path) -> None:
    # regression (matrix): `git = "...@v2.17.0"` kept the rev inside the URL, so PEP 508 targets (which split it
    # off) installed v2.17.0 while Poetry installs the default branch: poetry-core strips the @rev (ParsedUrl)
    text = (
        '[tool.poetry]\nname = "x"\nversion = "1"\ndescription = ""\nauthors = []\n\n[tool.poetry.dependencies]\n'
        'tensorflow = { git = "git+https://github.com/tensorflow/tensorflow@v2.17.0", '
        'subdirectory = "tensorflow/tools/pip_package" }\n'
    )
    m = read(text, path="pyproject.toml")
    (req,) = m.main.requirements
    assert req.source == Vcs(vcs="git", url="https://github.com/tensorflow/tensorflow", rev=None,
                             subdirectory="tensorflow/tools/pip_package")
    assert [(l.code, l.severity, l.span.line, l.data["rev"]) for l in m.losses] == [
        ("poetry-git-url-rev-ignored", Severity.WARNING, 8, "v2.17.0")]
    # the oracle: poetry-core installs the repository's HEAD from the URL without the @rev
    (dep,) = poetry_view(text, tmp_path)[0]["main"]
    assert (dep[6], dep[7], dep[8]) == ("git", "https://github.com/tensorflow/tensorflow", "HEAD")
    line = api.dumps(m, "requirements").text.strip()
    assert line == "tensorflow @ git+https://github.com/tensorflow/tensorflow#subdirectory=tensorflow/tools/pip_package"
    assert api.dumps(m, "poetry1", base=text).text == text
    # a rev key with the @ref in the URL: Poetry uses the key
    m2 = read(text.replace('subdirectory =', 'tag = "v1", subdirectory ='))
    assert m2.main.requirements[0].source.rev == "v1"
    assert "installs tag = 'v1'" in m2.losses[0].message


def test_optional_dependency_in_no_extra_stays_optional_in_poetry2(tmp_path: Path) -> None:
    # regression (matrix, fresh pass): `lonely = {optional = true}` in no extra became a new extra `lonely`; Poetry
    # 2's dynamic-dependencies form keeps it: [project] metadata, dependencies and extras in [tool.poetry]
    m = read(POETRY1.replace('mylib = { path = "../mylib", develop = true }\n', ""))
    conv = api.dumps(m, "poetry")
    doc = tomllib.loads(conv.text)
    assert doc["project"]["dynamic"] == ["dependencies", "optional-dependencies"]
    assert "dependencies" not in doc["project"] and doc["project"]["requires-python"] == ">=3.9,<4.0"
    deps = doc["tool"]["poetry"]["dependencies"]
    assert "python" not in deps and deps["lonely"] == {"version": "*", "optional": True}
    assert doc["tool"]["poetry"]["extras"] == {"fast": ["orjson"]}
    assert "optional-without-extra" not in conv.report.codes()
    assert meaning(read(conv.text)) == meaning(m)
    assert poetry_check(conv.text, tmp_path)[0] == 0
    assert poetry_view(conv.text, tmp_path) == poetry_view(POETRY1.replace(
        'mylib = { path = "../mylib", develop = true }\n', ""), tmp_path)


def test_unnamed_path_and_vcs_requirements_get_the_pipfile_writers_name(tmp_path: Path) -> None:
    # regression (matrix round trip Poetry -> requirements -> Poetry): nonebot's `nonebot-test = {path =
    # "./envs/test/"}` comes back from requirements.txt as an unnamed path and was dropped; it is named after its
    # directory now (an INFO), as the Pipfile writers key it. `-e .` and a taken name still cannot be written.
    text = "-e .\n./envs/test/\ngit+https://github.com/dask/distributed\nhttps://x.org/pkg-1.0.tar.gz\n"
    conv = api.dumps(api.loads(text + "./other/pkg\n", "requirements"), "poetry")
    deps = tomllib.loads(conv.text)["tool"]["poetry"]["dependencies"]
    assert deps == {"test": {"path": "./envs/test/"}, "distributed": {"git": "https://github.com/dask/distributed"},
                    "pkg": {"url": "https://x.org/pkg-1.0.tar.gz"}}
    assert [(l.code, l.subject, l.data.get("name")) for l in conv.report] == [
        ("poetry-name-derived", "./envs/test/", "test"),
        ("poetry-name-derived", "https://github.com/dask/distributed", "distributed"),
        ("poetry-name-derived", "https://x.org/pkg-1.0.tar.gz", "pkg"),
        ("poetry-name-required", ".", None),
        ("poetry-name-required", "./other/pkg", None),
    ]
    assert poetry_check_errors(conv.text) == []
    back = {r.name: r.source for r in read(conv.text).main.requirements}
    assert back["test"] == LocalPath(path="./envs/test/")


def test_poetry1_per_extra_requirements_are_a_marked_multiple_constraints_list(tmp_path: Path) -> None:
    # regression (matrix): DeepLabCut's torch in main and in two CUDA extras with other constraints was one entry
    # (main's) for all: per-extra constraints changed without a loss. Now one optional entry per requirement.
    text = (
        '[project]\nname = "x"\nversion = "1"\ndependencies = ["torch>=2"]\n\n[project.optional-dependencies]\n'
        'cu11 = ["torch<2.1", "proto<7"]\ncu12 = ["torch<2.11", "proto<7"]\nmac = ["proto<7; sys_platform == \'darwin\'"]\n'
    )
    m = api.loads(text, "pep621")
    conv = api.dumps(m, "poetry1")
    deps = tomllib.loads(conv.text)["tool"]["poetry"]["dependencies"]
    assert deps["torch"] == [
        {"version": ">=2"},
        {"version": "<2.1", "markers": "extra == 'cu11'", "optional": True},
        {"version": "<2.11", "markers": "extra == 'cu12'", "optional": True},
    ]
    assert deps["proto"] == [
        {"version": "<7", "markers": "extra == 'cu11' or extra == 'cu12'", "optional": True},
        {"version": "<7", "markers": "sys_platform == 'darwin' and extra == 'mac'", "optional": True},
    ]
    assert [l for l in conv.report if l.severity >= Severity.WARNING] == []
    back = read(conv.text)
    assert meaning(back) == meaning(m)
    assert poetry_check_errors(conv.text) == []
    # the oracle: the wheel metadata poetry-core builds names each constraint with its extra
    from poetry.core.factory import Factory
    from poetry.core.masonry.metadata import Metadata

    (tmp_path / "pyproject.toml").write_text(conv.text, encoding="utf-8")
    logging.disable(logging.CRITICAL)
    try:
        dist = Metadata.from_package(Factory().create_poetry(tmp_path).package).requires_dist
    finally:
        logging.disable(logging.NOTSET)
    assert 'torch (<2.1) ; extra == "cu11"' in dist and 'torch (<2.11) ; extra == "cu12"' in dist
    assert 'proto (<7) ; sys_platform == "darwin" and extra == "mac"' in dist
    # a name every extra requires alike stays one optional entry the extras list
    same = api.dumps(api.loads(text.replace('"torch<2.11", ', '"torch<2.1", ').replace(
        'mac = ["proto<7; sys_platform == \'darwin\'"]\n', ''), "pep621"), "poetry1")
    assert tomllib.loads(same.text)["tool"]["poetry"]["dependencies"]["proto"] == {"version": "<7", "optional": True}


def test_base_mode_edit_of_dynamic_dependencies_keeps_python_in_project() -> None:
    # the dynamic layout in base mode: a changed dependency table gets no `python` key (requires-python says it)
    m = read(POETRY1.replace('mylib = { path = "../mylib", develop = true }\n', ""))
    base = api.dumps(m, "poetry").text
    back = read(base)
    main = back.main
    new = back.replace(groups=tuple(
        g.replace(requirements=(*g.requirements, Requirement(name="rich", version=VersionSpec.from_pep440(">=13"))))
        if g is main else g for g in back.groups))
    out = api.dumps(new, "poetry", base=base).text
    doc = tomllib.loads(out)
    assert doc["tool"]["poetry"]["dependencies"]["rich"] == ">=13"
    assert "python" not in doc["tool"]["poetry"]["dependencies"]
    assert doc["project"]["requires-python"] == ">=3.9,<4.0"
    assert api.dumps(back, "poetry", base=base).text == base


def test_path_dependency_with_a_version_reports_the_dropped_version() -> None:
    # regression (matrix): uv's `langgraph-checkpoint>=2.0.0` + `{ path = "../checkpoint" }` lost its version in
    # Poetry 1's layout without a loss (Poetry's schema forbids version next to path); Poetry 2 keeps it in [project]
    text = ('[project]\nname = "x"\nversion = "1"\ndependencies = ["lc>=2.0.0"]\n\n'
            '[tool.uv.sources]\nlc = { path = "../lc", editable = true }\n')
    m = api.loads(text, "pep621+uv")
    legacy = api.dumps(m, "poetry1")
    assert tomllib.loads(legacy.text)["tool"]["poetry"]["dependencies"]["lc"] == {"path": "../lc", "develop": True}
    assert [(l.code, l.severity, l.data["version"]) for l in legacy.report if l.code == "url-version-dropped"] == [
        ("url-version-dropped", Severity.WARNING, ">=2.0.0")]
    modern = api.dumps(m, "poetry")
    assert "url-version-dropped" not in modern.report.codes()
    assert tomllib.loads(modern.text)["project"]["dependencies"] == ["lc>=2.0.0"]


def test_poetry2_project_scripts_beside_an_empty_tool_poetry_scripts_reach_the_poetry1_layout() -> None:
    """nautobot keeps an empty [tool.poetry.scripts] next to [project.scripts]: Poetry 1's layout gets the scripts."""
    text = """\
[project]
name = "demo"
version = "1.0"
requires-python = ">=3.10"
dependencies = ["requests>=2"]

[project.scripts]
demo-server = "demo.cli:main"

[project.entry-points."demo.plugins"]
extra = "demo.extra:plugin"

[tool.poetry.scripts]

[build-system]
requires = ["poetry-core>=2.0.0,<3.0.0"]
build-backend = "poetry.core.masonry.api"
"""
    out = api.dumps(api.loads(text, "poetry"), "poetry1").text
    data = tomllib.loads(out)
    assert data["tool"]["poetry"]["scripts"] == {"demo-server": "demo.cli:main"}
    assert data["tool"]["poetry"]["plugins"] == {"demo.plugins": {"extra": "demo.extra:plugin"}}
    assert "project" not in data
