"""Pipfile.lock read/write and pipenv's _meta.hash, with pipenv itself as the oracle."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from depglot import registry
from depglot.api import convert, dumps, loads
from depglot.converters.pipfile_lock.meta import pipfile_hash
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
    Requirement,
    Vcs,
)
from depglot.ir.versions import VersionSpec, pep440_range
from tests.conftest import CORPUS, FIXTURES, corpus_files, corpus_params

from .test_pipfile import bare

HEROKU_LOCK = (
    CORPUS / "pipfile_lock" / "heroku__heroku-buildpack-python__spec__fixtures__pipenv_editable__Pipfile.lock"
)
HEROKU_PIPFILE = (
    CORPUS / "pipfile" / "heroku__heroku-buildpack-python__spec__fixtures__pipenv_editable__Pipfile"
)

_ORACLE = textwrap.dedent(
    """
    import json, os, sys
    os.environ["PIP_CONFIG_FILE"] = os.devnull  # pipenv's built-in default source, not this machine's pip.conf
    from pipenv.project import Project
    out = {}
    for path in sys.argv[1:]:
        os.environ["PIPENV_PIPFILE"] = path
        out[path] = Project(chdir=False).pipfile.calculate_hash()
    print(json.dumps(out))
    """
)


def pipenv_hashes(texts: dict[str, str], tmp_path: Path) -> dict[str, str]:
    """pipenv's own ``calculate_hash()`` for each Pipfile text (one subprocess: pipenv reads env at start)."""
    paths = {}
    for name, text in texts.items():
        d = tmp_path / name
        d.mkdir()
        (d / "Pipfile").write_text(text, encoding="utf-8")
        paths[str(d / "Pipfile")] = name
    proc = subprocess.run(
        [sys.executable, "-c", _ORACLE, *paths],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={**os.environ, "PIPENV_VERBOSITY": "-1"},
    )
    return {paths[p]: h for p, h in json.loads(proc.stdout.strip().splitlines()[-1]).items()}


# ------------------------------------------------------------------------------------------------- hash


def test_hash_equals_pipenv_for_every_corpus_pipfile(tmp_path: Path) -> None:
    files = corpus_files("pipfile")
    if not files:
        pytest.skip(f"shared corpus not found at {CORPUS}")
    texts = {p.name: p.read_text(encoding="utf-8") for p in files}
    theirs = pipenv_hashes(texts, tmp_path)
    ours = {name: pipfile_hash(text) for name, text in texts.items()}
    assert ours == theirs
    assert len(set(ours.values())) == len(files)


def test_hash_equals_a_real_pipenv_lock() -> None:
    """The heroku fixture's Pipfile.lock was written by pipenv for that Pipfile."""
    if not HEROKU_LOCK.is_file():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    lock = json.loads(HEROKU_LOCK.read_text())
    assert pipfile_hash(HEROKU_PIPFILE.read_text()) == lock["_meta"]["hash"]["sha256"]


def test_hash_canonicalises_names_and_counts_custom_categories(tmp_path: Path) -> None:
    """Where plette and the old ``pipfile`` package differ from pipenv (research/libraries.md §3)."""
    a = '[packages]\nDjango = "*"\ntyping_extensions = "*"\n\n[docs]\nSphinx = "*"\n'
    b = '[packages]\ndjango = "*"\ntyping-extensions = "*"\n\n[docs]\nsphinx = "*"\n'
    c = '[packages]\ndjango = "*"\ntyping-extensions = "*"\n'
    theirs = pipenv_hashes({"a": a, "b": b, "c": c}, tmp_path)
    assert pipfile_hash(a) == pipfile_hash(b) == theirs["a"] == theirs["b"]
    assert pipfile_hash(c) == theirs["c"] != theirs["a"]


# ----------------------------------------------------------------------------------------------- corpus


@pytest.mark.parametrize("path", corpus_params("pipfile_lock"))
def test_corpus_base_mode_is_byte_identical(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    manifest = loads(text, "pipfile-lock", path=str(path))
    assert dumps(manifest, "pipfile-lock", base=text).text == text


@pytest.mark.parametrize("path", corpus_params("pipfile_lock"))
def test_corpus_fresh_write_reads_back_equal_in_pipenv_layout(path: Path) -> None:
    import plette

    text = path.read_text(encoding="utf-8")
    manifest = loads(text, "pipfile-lock", path=str(path))
    c = dumps(manifest, "pipfile-lock")
    assert c.report.codes() == []
    assert bare(loads(c.text, "pipfile-lock")) == bare(manifest)
    data = json.loads(c.text)
    assert c.text == json.dumps(data, indent=4, separators=(",", ": "), sort_keys=True) + "\n"
    assert data["_meta"] == json.loads(text)["_meta"]
    plette.Lockfile.load(io.StringIO(c.text))


def test_fresh_write_of_pipenvs_own_layout_is_identical() -> None:
    for path in corpus_files("pipfile_lock"):
        if path != HEROKU_LOCK:  # its git URL keeps a git+ prefix the IR does not (same meaning)
            text = path.read_text(encoding="utf-8")
            assert dumps(loads(text, "pipfile-lock"), "pipfile-lock").text == text, path.name


# ---------------------------------------------------------------------------------------------- reading


def test_lock_entries_read_as_pinned_requirements() -> None:
    if not HEROKU_LOCK.is_file():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    m = loads(HEROKU_LOCK.read_text(), "pipfile-lock", path="Pipfile.lock")
    assert [(g.name, g.kind) for g in m.groups] == [("main", GroupKind.MAIN)]
    reqs = {r.name: r for r in m.main.requirements}
    packaging = reqs["packaging"]
    assert packaging.version.versions == pep440_range("==25.0")
    assert packaging.marker == "python_version >= '3.8'"
    assert packaging.hashes == (
        "sha256:29572ef2b1f17581046b3a2227d5c611fb25ec70ca1ba8554b24b0e69331a484",
        "sha256:d443872c98d677bf60f6a1f2f8c1cb748e8fe762d2bf9d3148b5599295b0fc4f",
    )
    assert (packaging.span.line, packaging.span.key) == (31, "default.packaging")
    assert reqs["gunicorn"].source == Vcs(
        vcs="git", url="https://github.com/benoitc/gunicorn", rev="56b5ad87f8d72a674145c273ed8f547513c2b409"
    )
    assert reqs["gunicorn"].editable is True
    assert reqs["pipenv-editable"].source == LocalPath(path=".")
    assert [(i.name, i.url, i.role) for i in m.indexes] == [
        ("pypi", "https://pypi.org/simple", IndexRole.DEFAULT)
    ]
    assert m.lock is not None and m.lock.content_hash == pipfile_hash(HEROKU_PIPFILE.read_text())
    assert m.lock.version == "6"
    (locked,) = [p for p in m.lock.packages if p.name == "packaging"]
    assert (locked.version, locked.groups, locked.hashes) == ("25.0", ("main",), packaging.hashes)


def test_index_and_extras_in_a_lock() -> None:
    path = CORPUS / "pipfile_lock" / "psf__requests__Pipfile.lock"
    if not path.is_file():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    m = loads(path.read_text(), "pipfile-lock")
    assert [g.name for g in m.groups] == ["main", "dev"]
    requests = {r.name: r for r in m.main.requirements}["requests"]
    assert (requests.source, requests.editable, requests.extras) == (LocalPath(path="."), True, ("socks",))
    indexed = [r for r in m.group("dev").requirements if isinstance(r.source, IndexRef)]
    assert indexed and all(r.source == IndexRef(name="pypi") for r in indexed)


def test_invalid_json_is_a_parse_error_with_line_and_column() -> None:
    with pytest.raises(ParseError) as info:
        loads('{\n    "_meta": {,\n}\n', "pipfile-lock", path="Pipfile.lock")
    err = info.value
    assert (err.span.file, err.span.line, err.span.column) == ("Pipfile.lock", 2, 15)
    assert err.message == "invalid JSON: Expecting property name enclosed in double quotes"
    assert err.source_line == '    "_meta": {,'


def test_bad_entry_shape_is_a_parse_error_at_the_entry() -> None:
    text = '{\n    "default": {\n        "foo": {\n            "hashes": "sha256:00"\n        }\n    }\n}\n'
    with pytest.raises(ParseError) as info:
        loads(text, "pipfile-lock", path="Pipfile.lock")
    assert info.value.message == "'hashes' of lock entry 'foo' must be a list of strings"
    assert (info.value.span.line, info.value.span.key) == (3, "default.foo")


# ---------------------------------------------------------------------------------------------- writing

HASH_A = "sha256:" + "a" * 64
HASH_B = "sha256:" + "b" * 64


def hashed_manifest() -> Manifest:
    """What a hashed requirements.txt reads as: pins with hashes, an index, a dev group."""
    return Manifest(
        format="requirements",
        indexes=(Index(name=None, url="https://pypi.org/simple", role=IndexRole.DEFAULT),),
        groups=(
            Group(
                name="main",
                requirements=(
                    Requirement(
                        name="Six", version=VersionSpec.from_pep440("==1.16.0"), hashes=(HASH_B, HASH_A)
                    ),
                    Requirement(
                        name="colorama",
                        version=VersionSpec.from_pep440("==0.4.6"),
                        marker="sys_platform == 'win32'",
                        hashes=(HASH_A,),
                    ),
                ),
            ),
            Group(
                name="dev",
                kind=GroupKind.GROUP,
                requirements=(Requirement(name="pytest", version=VersionSpec.from_pep440("==8.3.3")),),
            ),
        ),
        python=VersionSpec.from_pep440("==3.12.*"),
    )


def test_lock_from_a_hashed_manifest_matches_pipenvs_hash_of_the_pipfile_depglot_writes(
    tmp_path: Path,
) -> None:
    m = hashed_manifest()
    pipfile = dumps(m, "pipfile").text
    c = dumps(m, "pipfile-lock")
    assert c.report.codes() == ["pipfile-lock-hash-generated"]
    data = json.loads(c.text)
    assert data["_meta"]["hash"]["sha256"] == pipenv_hashes({"p": pipfile}, tmp_path)["p"]
    assert data == {
        "_meta": {
            "hash": {"sha256": pipfile_hash(pipfile)},
            "pipfile-spec": 6,
            "requires": {"python_version": "3.12"},
            "sources": [{"name": "pypi.org", "url": "https://pypi.org/simple", "verify_ssl": True}],
        },
        "default": {
            "colorama": {"hashes": [HASH_A], "markers": "sys_platform == 'win32'", "version": "==0.4.6"},
            "six": {"hashes": [HASH_A, HASH_B], "version": "==1.16.0"},
        },
        "develop": {"pytest": {"version": "==8.3.3"}},
    }
    assert c.text.endswith("}\n") and '\n    "_meta": {\n' in c.text


def test_lock_with_the_accompanying_pipfile_takes_its_meta(tmp_path: Path) -> None:
    pipfile = (FIXTURES / "pipfile" / "every_form.Pipfile").read_text()
    m = loads(pipfile, "pipfile")
    pins = m.replace(
        groups=tuple(
            g.replace(
                requirements=tuple(
                    r.replace(version=VersionSpec.from_pep440("==1.0")) if r.source is None else r
                    for r in g.requirements
                )
            )
            for g in m.groups
        )
    )
    c = dumps(pins, "pipfile-lock", pipfile=pipfile)
    data = json.loads(c.text)
    assert data["_meta"]["hash"]["sha256"] == pipenv_hashes({"p": pipfile}, tmp_path)["p"]
    assert data["_meta"]["sources"] == [
        {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True},
        {"name": "pytorch", "url": "https://download.pytorch.org/whl/cpu", "verify_ssl": True},
    ]
    assert data["_meta"]["requires"] == {"python_version": "3.11"}
    assert data["default"]["torch"] == {"index": "pytorch", "version": "==2.1.0"}
    assert data["default"]["mylib"] == {
        "git": "https://github.com/example/mylib.git",
        "ref": "v1.2.3",
        "subdirectory": "src",
    }
    assert data["default"]["localpkg"] == {"editable": True, "path": "./packages/localpkg"}
    assert data["docs"] == {"sphinx": {"version": "==1.0"}}
    assert "pipfile-lock-hash-generated" not in c.report.codes()


def test_unpinned_requirements_are_reported() -> None:
    m = Manifest(
        format="pipfile",
        groups=(
            Group(
                name="main",
                requirements=(Requirement(name="requests", version=VersionSpec.from_pep440(">=2")),),
            ),
        ),
    )
    c = dumps(m, "pipfile-lock")
    assert c.report.codes() == ["pipfile-lock-hash-generated", "pipfile-lock-unpinned"]
    assert json.loads(c.text)["default"] == {"requests": {"version": ">=2"}}


def test_base_mode_keeps_unchanged_entries_and_rewrites_changed_ones() -> None:
    if not HEROKU_LOCK.is_file():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    text = HEROKU_LOCK.read_text()
    m = loads(text, "pipfile-lock")
    reqs = tuple(
        r.replace(version=VersionSpec.from_pep440("==26.0"), hashes=(HASH_A,)) if r.name == "packaging" else r
        for r in m.main.requirements
    )
    out = dumps(m.replace(groups=(m.main.replace(requirements=reqs),)), "pipfile-lock", base=text).text
    data, before = json.loads(out), json.loads(text)
    assert data["default"]["packaging"] == {
        "hashes": [HASH_A],
        "markers": "python_version >= '3.8'",
        "version": "==26.0",
    }
    assert data["default"]["gunicorn"] == before["default"]["gunicorn"]  # git+ spelling kept
    del data["default"]["packaging"], before["default"]["packaging"]
    assert data == before


# ------------------------------------------------------------------------------------------ conversions


def test_lock_to_requirements_agrees_with_pipenv_requirements_hash() -> None:
    """``pipenv requirements --hash`` (requirements_from_lockfile) and depglot mean the same pins."""
    from packaging.requirements import Requirement as PkgRequirement
    from pipenv.utils.dependencies import requirements_from_lockfile

    from depglot.ir.model import Url

    for path in corpus_files("pipfile_lock"):
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
        theirs = {}
        index_only = {
            k: v for k, v in data["default"].items() if not {"path", "file", "git", "hg", "svn", "bzr"} & set(v)
        }
        assert index_only
        for line in requirements_from_lockfile(index_only, include_hashes=True):
            spec, *hashes = line.split(" --hash=")
            req = PkgRequirement(spec)
            theirs[req.name] = (str(req.specifier), str(req.marker) if req.marker else None, sorted(hashes))
        out = convert(text, "pipfile-lock", "requirements").text
        back = loads(out, "requirements")
        ours = {}
        for r in back.main.requirements:
            if r.editable or isinstance(r.source, (Vcs, LocalPath, Url)):
                continue
            marker = str(PkgRequirement(f"x; {r.marker}").marker) if r.marker else None
            ours[r.name] = (r.version.pep440 if r.version else "", marker, sorted(r.hashes))
        assert ours == theirs, path.name
        assert out.startswith(f"--index-url {data['_meta']['sources'][0]['url']}\n")


def test_requirements_with_hashes_to_pipfile_and_lock() -> None:
    text = (
        "--index-url https://pypi.org/simple\n"
        f"six==1.16.0 --hash={HASH_A}\n"
        "-e ./localpkg\n"
        "tool @ git+https://g.example/tool.git@v1\n"
    )
    pf = convert(text, "requirements", "pipfile")
    assert "hashes-dropped" in pf.report.codes()
    lock = convert(text, "requirements", "pipfile-lock")
    assert "hashes-dropped" not in lock.report.codes()
    data = json.loads(lock.text)
    assert data["default"]["six"] == {"hashes": [HASH_A], "version": "==1.16.0"}
    assert data["default"]["tool"] == {"git": "https://g.example/tool.git", "ref": "v1"}


def test_detect_and_features() -> None:
    if HEROKU_LOCK.is_file():
        head = HEROKU_LOCK.read_text()[:8192]
        assert registry.detect("Pipfile.lock", head).name == "pipfile-lock"
        assert registry.get("pipfile-lock").detect("x.json", head) == 50
    fmt = registry.get("pipfile-lock")
    assert fmt.detect("x.json", '{"name": "x"}') == 0
    assert Feature.HASHES in fmt.features and Feature.COMMENTS not in fmt.features
    m = loads((FIXTURES / "pipfile" / "every_form.Pipfile").read_text(), "pipfile")
    c = dumps(m, "pipfile-lock")
    assert sorted(set(c.report.codes())) == [
        "comments-dropped",
        "pipfile-lock-hash-generated",
        "pipfile-lock-unpinned",
        "prereleases-dropped",
        "version-respelled",
    ]


# found by tests/test_fuzz.py: a source without "verify_ssl" (here misspelt) gained one in base mode
FUZZ_SOURCE_WITHOUT_VERIFY_SSL = '{\n    "_meta": {\n        "hash": {\n            "sha256": "bedd8ea507283c5458c9c2cb1fd55a6e5e69fecba7814ffc96bf25e03feaeabf"\n        },\n        "pipfile-spec": 6,\n        "requires": {},\n        "sources": [\n            {\n                "name": "pypi",\n                "url": "https://pypi.org/simple",\n                "werify_ssl": true\n            }\n        ]\n    },\n    "default": {\n        "gunicorn": {\n            "editable": true,\n            "git": "git+https://github.com/benoitc/gunicorn",\n            "markers": "python_version >= \'3.7\'",\n            "ref": "56b5ad87f8d72a674145c273ed8f547513c2b409"\n        },\n        "local-package-pyproject-toml": {\n            "editable": true,\n            "file": "packages/local_package_pyproject_toml"\n        },\n        "local-package-setup-py": {\n            "editable": true,\n            "file": "packages/local_package_setup_py"\n        },\n        "packaging": {\n            "hashes": [\n                "sha256:29572ef2b1f17581046b3a2227d5c611fb25ec70ca1ba8554b24b0e69331a484",\n                "sha256:d443872c98d677bf60f6a1f2f8c1cb748e8fe762d2bf9d3148b5599295b0fc4f"\n            ],\n            "markers": "python_version >= \'3.8\'",\n            "version": "==25.0"\n        },\n        "pipenv-editable": {\n            "editable": true,\n            "file": "."\n        }\n    },\n    "develop": {}\n}\n'


def test_base_mode_keeps_a_source_without_verify_ssl_or_name() -> None:
    text = FUZZ_SOURCE_WITHOUT_VERIFY_SSL
    assert dumps(loads(text, "pipfile-lock"), "pipfile-lock", base=text).text == text
    nameless = text.replace('"name": "pypi",\n', "")
    assert dumps(loads(nameless, "pipfile-lock"), "pipfile-lock", base=nameless).text == nameless


def test_conda_lock_artifact_hashes_are_not_written_as_pypi_hashes() -> None:
    # regression (matrix): hashes of conda .conda/.tar.bz2 artifacts were written as PyPI hashes of the package
    text = textwrap.dedent(
        """\
        version: 1
        metadata:
          content_hash: {linux-64: abc}
          channels: [{url: conda-forge, used_env_vars: []}]
          platforms: [linux-64]
          sources: [environment.yml]
        package:
        - name: six
          version: 1.16.0
          manager: conda
          platform: linux-64
          dependencies: {}
          url: https://conda.anaconda.org/conda-forge/noarch/six-1.16.0-pyh6c4a22f_0.tar.bz2
          hash: {md5: e5f25f8dbc060e9a8d912e432202afc2, sha256: a85c38227b446f42c5b90d9b642f2c0567880c15d72492d8da074a59c8f91dd6}
          category: main
          optional: false
        """
    )
    out = dumps(loads(text, "conda-lock"), "pipfile-lock")
    entry = json.loads(out.text)["default"]["six"]
    assert entry["version"] == "==1.16.0"
    assert "hashes" not in entry


# found by tests/test_fuzz.py: a lock whose _meta.hash is empty gained a generated sha256 in base mode
FUZZ_EMPTY_META_HASH = '{\n    "_meta": {\n        "hash": {\n        },\n        "pipfile-spec": 6,\n        "requires": {},\n        "sources": [\n            {\n                "name": "pypi",\n                "url": "https://pypi.org/simple",\n                "verify_ssl": true\n            }\n        ]\n    },\n    "default": {\n        "gunicorn": {\n            "editable": true,\n            "git": "git+https://github.com/benoitc/gunicorn",\n            "markers": "python_version >= \'3.7\'",\n            "ref": "56b5ad87f8d72a674145c273ed8f547513c2b409"\n        },\n        "local-package-pyproject-toml": {\n            "editable": true,\n            "file": "packages/local_package_pyproject_toml"\n        },\n        "local-package-setup-py": {\n            "editable": true,\n            "file": "packages/local_package_setup_py"\n        },\n        "packaging": {\n            "hashes": [\n                "sha256:29572ef2b1f17581046b3a2227d5c611fb25ec70ca1ba8554b24b0e69331a484",\n                "sha256:d443872c98d677bf60f6a1f2f8c1cb748e8fe762d2bf9d3148b5599295b0fc4f"\n            ],\n            "markers": "python_version >= \'3.8\'",\n            "version": "==25.0"\n        },\n        "pipenv-editable": {\n            "editable": true,\n            "file": "."\n        }\n    },\n    "develop": {}\n}\n'


def test_base_mode_keeps_an_empty_or_missing_meta_hash() -> None:
    text = FUZZ_EMPTY_META_HASH
    assert dumps(loads(text, "pipfile-lock"), "pipfile-lock", base=text).text == text
    no_hash = text.replace('"hash": {\n        },\n', "")
    assert '"hash"' not in no_hash
    assert dumps(loads(no_hash, "pipfile-lock"), "pipfile-lock", base=no_hash).text == no_hash


# found by tests/test_fuzz.py: a lock without pipfile-spec (here misspelt) gained one in base mode
FUZZ_NO_PIPFILE_SPEC = '{\n    "_meta": {\n        "hash": {\n        },\n        "qipfile-spec": 6,\n        "requires": {},\n        "sources": [\n            {\n                "name": "pypi",\n                "url": "https://pypi.org/simple",\n                "verify_ssl": true\n            }\n        ]\n    },\n    "default": {\n        "gunicorn": {\n            "editable": true,\n            "git": "git+https://github.com/benoitc/gunicorn",\n            "markers": "python_version >= \'3.7\'",\n            "ref": "56b5ad87f8d72a674145c273ed8f547513c2b409"\n        },\n        "local-package-pyproject-toml": {\n            "editable": true,\n            "file": "packages/local_package_pyproject_toml"\n        },\n        "local-package-setup-py": {\n            "editable": true,\n            "file": "packages/local_package_setup_py"\n        },\n        "packaging": {\n            "hashes": [\n                "sha256:29572ef2b1f17581046b3a2227d5c611fb25ec70ca1ba8554b24b0e69331a484",\n                "sha256:d443872c98d677bf60f6a1f2f8c1cb748e8fe762d2bf9d3148b5599295b0fc4f"\n            ],\n            "markers": "python_version >= \'3.8\'",\n            "version": "==25.0"\n        },\n        "pipenv-editable": {\n            "editable": true,\n            "file": "."\n        }\n    },\n    "develop": {}\n}\n'


def test_base_mode_adds_nothing_the_base_left_out() -> None:
    text = FUZZ_NO_PIPFILE_SPEC
    assert dumps(loads(text, "pipfile-lock"), "pipfile-lock", base=text).text == text
    for cut in ('        "requires": {},\n', '    "develop": {}\n'):
        other = text.replace(cut, "").replace("},\n}", "}\n}")
        assert other != text
        assert dumps(loads(other, "pipfile-lock"), "pipfile-lock", base=other).text == other


def test_python_constraint_the_lock_cannot_name_is_reported() -> None:
    # regression (matrix): requires-python ">=3.11,<4.0" vanished from _meta.requires without a loss
    text = '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.11,<4.0"\ndependencies = ["a==1"]\n'
    out = dumps(loads(text, "pep621"), "pipfile-lock")
    assert json.loads(out.text)["_meta"]["requires"] == {}
    assert [l.code for l in out.report if l.code.startswith("pipfile-python")] == ["pipfile-python-inexact"]


def test_unnamed_requirement_keyed_as_in_the_pipfile_even_when_its_name_is_taken() -> None:
    # regression (matrix): the lock writer had its own copy of the Pipfile writer's key derivation (now one shared
    # helper, converters/_naming.py); a VCS requirement whose repository name another entry uses was dropped
    import hashlib

    text = "distributed==2024.1\ngit+https://github.com/dask/distributed\n./envs/test\n"
    lock = convert(text, "requirements", "pipfile-lock")
    pipfile = convert(text, "requirements", "pipfile")
    key = hashlib.sha256(b"https://github.com/dask/distributed").hexdigest()[:7]
    assert sorted(json.loads(lock.text)["default"]) == sorted([key, "distributed", "test"])
    assert [l.subject for l in lock.report if l.code == "pipfile-name-derived"] == [key, "test"]
    assert [l.subject for l in pipfile.report if l.code == "pipfile-name-derived"] == [key, "test"]
    assert "pipfile-duplicate-dropped" not in lock.report.codes()


def test_an_extra_index_searched_for_every_package_is_reported_in_a_lock_without_its_pipfile() -> None:
    """_meta.sources cannot say install_search_all_sources: a lock read alone takes a later source as explicit."""
    text = (
        "--extra-index-url https://private.example/simple\n"
        "requests==2.32.3 --hash=sha256:" + "a" * 64 + "\n"
    )
    conversion = convert(text, "requirements", "pipfile-lock")
    [loss] = [x for x in conversion.report if x.code == "pipfile-index-role-changed"]
    assert loss.subject == "https://private.example/simple" and loss.severity.name == "WARNING"
    back = loads(conversion.text, "pipfile-lock")
    assert [(i.url, i.role.value) for i in back.indexes] == [
        ("https://pypi.org/simple", "default"),
        ("https://private.example/simple", "explicit"),
    ]


def test_an_explicit_index_is_not_reported_in_a_lock() -> None:
    text = """\
[[tool.poetry.source]]
name = "private"
url = "https://private.example/simple"
priority = "explicit"

[tool.poetry.dependencies]
python = "^3.11"
requests = {version = "2.32.3", source = "private"}
"""
    conversion = convert(text, "poetry", "pipfile-lock")
    assert "pipfile-index-role-changed" not in conversion.report.codes()
