"""conda-lock.yml: per-platform pins, channels and hashes into a lock and pinned groups (read only)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from depglot import api, registry
from depglot.errors import ConversionError, ParseError
from depglot.ir.model import CondaPackage
from tests.conftest import CORPUS, corpus_params

LINUX = 'sys_platform == "linux" and platform_machine == "x86_64"'
WIN = 'sys_platform == "win32" and platform_machine == "AMD64"'
OSX_ARM = 'sys_platform == "darwin" and platform_machine == "arm64"'


def _safe_load(path: Path) -> dict:
    import yaml  # PyYAML as an independent oracle for the file's content

    with path.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.mark.parametrize("path", corpus_params("conda_lock"))
def test_every_package_entry_is_locked_with_its_hashes(path: Path) -> None:
    data = _safe_load(path)
    m = api.load(path)
    assert m.format == "conda-lock"
    assert m.lock is not None and len(m.lock.packages) == len(data["package"])
    assert m.channels == tuple(c["url"] for c in data["metadata"]["channels"])
    for entry, pkg in zip(data["package"], m.lock.packages, strict=True):
        assert pkg.version == str(entry["version"])
        assert pkg.files[0].url == entry["url"]
        assert set(pkg.hashes) == {f"{algo}:{digest}" for algo, digest in entry["hash"].items()}
        assert pkg.groups == (entry.get("category", "main"),)
        assert {r.key: r.value for r in pkg.raw} == {
            "platform": entry["platform"],
            "manager": entry["manager"],
        }
        assert isinstance(pkg.source, CondaPackage) == (entry["manager"] == "conda")
        if isinstance(pkg.source, CondaPackage):
            assert pkg.source.name == entry["name"]
        assert pkg.span is not None and pkg.span.line is not None
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[pkg.span.line - 1].strip() == f"- name: {entry['name']}"
    # every pinned requirement is a pin of a locked package (python is the manifest's python)
    pinned = {
        (r.source.name if isinstance(r.source, CondaPackage) else r.name)
        for g in m.groups
        for r in g.requirements
    }
    locked = {e["name"] for e in data["package"]} - {"python"}
    assert pinned == locked
    # a pip package's requirement carries the hashes of the PyPI files pinned to its version on every platform
    # (as the poetry.lock, uv.lock, pdm.lock and Pipfile.lock readers do); a conda artifact's hash is no PyPI hash
    pip_hashes: dict[tuple[str, str], set[str]] = {}
    for entry in data["package"]:
        if entry["manager"] == "pip":
            pip_hashes.setdefault((entry["name"], str(entry["version"])), set()).update(
                f"{algo}:{digest}" for algo, digest in entry["hash"].items())
    seen = set()
    for g in m.groups:
        for r in g.requirements:
            if isinstance(r.source, CondaPackage):
                assert r.hashes == ()
            else:
                assert r.version is not None and r.version.pep440 is not None
                version = r.version.pep440.removeprefix("==")
                assert set(r.hashes) == pip_hashes[(r.name, version)] and len(r.hashes) == len(set(r.hashes))
                seen.add((r.name, version))
    assert seen == set(pip_hashes)


def test_platforms_become_markers() -> None:
    path = CORPUS / "conda_lock" / "Cecca__repro-course-ci__conda-lock.yml"
    if not path.is_file():
        pytest.skip("shared corpus not found")
    m = api.load(path)
    reqs = {
        r.source.name if isinstance(r.source, CondaPackage) else r.name: r for r in m.groups[0].requirements
    }
    assert reqs["pthreads-win32"].marker == WIN
    assert reqs["numpy"].marker is None  # same pin on all four platforms
    assert reqs["numpy"].version is not None and reqs["numpy"].version.pep440 == "==2.1.1"
    assert m.python is None  # 3.12.5 on three platforms, 3.12.6 on osx-arm64
    pkg = next(p for p in m.lock.packages if p.name == "tbb")  # type: ignore[union-attr]
    assert pkg.marker == WIN


def test_pip_packages_and_conversion_losses() -> None:
    path = CORPUS / "conda_lock" / "CNES__lenapy__conda-lock.yml"
    if not path.is_file():
        pytest.skip("shared corpus not found")
    m = api.load(path)
    assert m.python is not None and m.python.pep440 == "==3.11.11"
    anyio = next(p for p in m.lock.packages if p.name == "anyio")  # type: ignore[union-attr]
    assert anyio.source is None and anyio.marker == LINUX and anyio.files[0].kind == "wheel"
    conv = api.dumps(m, "requirements")
    lines = conv.text.splitlines()
    at = lines.index("anyio==4.9.0 \\")
    assert lines[at + 1] == "    --hash=sha256:9f76d541cad6e36af7beb62e978876f3b41e3e04f2c1fbf0884604c0a9c4d93c"
    assert "numpy==2.2.4" in conv.text.splitlines()
    codes = set(conv.report.codes())
    assert {"conda-only-package", "conda-package-as-pypi", "channels-dropped", "python-dropped"} <= codes


def test_is_read_only() -> None:
    m = api.loads("version: 1\nmetadata: {channels: [], platforms: []}\npackage: []\n", "conda-lock")
    with pytest.raises(ConversionError):
        api.dumps(m, "conda-lock")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("version: 2\npackage: []\n", "unsupported conda-lock version"),
        ("- a\n", "mapping"),
        (
            "version: 1\nmetadata: {}\npackage:\n- name: x\n  version: '1'\n  manager: npm\n  platform: linux-64\n",
            "manager",
        ),
        (
            "version: 1\nmetadata: {}\npackage:\n- name: x\n  manager: conda\n  platform: linux-64\n",
            "version",
        ),
        ("version: 1\npackage: [\n", "invalid YAML"),
    ],
)
def test_bad_input(text: str, words: str) -> None:
    with pytest.raises(ParseError) as info:
        api.loads(text, "conda-lock", path="conda-lock.yml")
    assert words in info.value.message
    assert info.value.span is not None and info.value.span.file == "conda-lock.yml"


def test_detection() -> None:
    head = "version: 1\nmetadata:\n  channels: []\npackage:\n- name: x\n  version: '1'\n  manager: conda\n"
    assert registry.detect("conda-lock.yml", head).name == "conda-lock"
    assert registry.detect("locks/x.yml", head).name == "conda-lock"
    assert re.match(r"conda-lock", registry.detect("conda-lock.yml", head).name)


@pytest.mark.parametrize("path", corpus_params("conda_lock"))
def test_pure_python_fallback_reads_the_same(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without libyaml (PyYAML built without it) the pure SafeLoader gives the same manifest."""
    import yaml

    text = path.read_text(encoding="utf-8")
    fast = api.loads(text, "conda-lock", path="conda-lock.yml")
    monkeypatch.delattr(yaml, "CSafeLoader")
    assert api.loads(text, "conda-lock", path="conda-lock.yml") == fast


def test_reading_uses_libyaml_not_ruamel(tmp_path: Path) -> None:
    import subprocess
    import sys

    (tmp_path / "conda-lock.yml").write_text(
        "version: 1\nmetadata: {channels: [{url: conda-forge}], platforms: [linux-64]}\npackage:\n"
        "- name: numpy\n  version: 2.1.1\n  manager: conda\n  platform: linux-64\n"
        "  url: https://conda.anaconda.org/conda-forge/linux-64/numpy-2.1.1-py312h1_0.conda\n"
        "  hash: {md5: abc}\n  dependencies: {}\n"
    )
    code = (
        "import sys, depglot\n"
        f"m = depglot.load({str(tmp_path / 'conda-lock.yml')!r}, 'conda-lock')\n"
        "print(m.lock.packages[0].version, 'ruamel.yaml' in sys.modules, 'yaml._yaml' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=60
    )
    assert out.stdout.split() == ["2.1.1", "False", "True"], out.stderr


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        # libyaml reports UTF-8 byte offsets: the location is taken from the text instead
        ("version: 1\nmetadata: {a: 'ééé'}\npackage: [\x07]\n", (3, 11), "unacceptable character '\\x07'"),
        (
            "version: 1\nmetadata: {a: 'ééé'}\npackage: [\ud800]\n",
            (3, 11),
            "unacceptable character '\\ud800'",
        ),
        ("version: 1\nmetadata: {a: 'ééé', b: ]}\n", (2, 25), "invalid YAML"),
        ("package: !!python/object/apply:os.system ['true']\n", (1, 10), "could not determine a constructor"),
    ],
)
def test_yaml_errors_are_located(text: str, where: tuple[int, int], words: str) -> None:
    with pytest.raises(ParseError) as info:
        api.loads(text, "conda-lock", path="conda-lock.yml")
    assert words in info.value.message
    assert (info.value.span.line, info.value.span.column) == where  # type: ignore[union-attr]


@pytest.mark.parametrize("prefix", ["- ", "? ", "- ? "])
def test_deep_block_nesting_is_a_parse_error_not_a_crash(prefix: str) -> None:
    """libyaml's composer recurses in C (a segfault past ~30,000 levels): such documents take the pure loader."""
    import subprocess
    import sys

    code = (
        "import depglot\nfrom depglot.errors import ParseError\n"
        f"try:\n    depglot.loads({prefix!r} * 40000 + 'x\\n', 'conda-lock', path='c.yml')\n"
        "except ParseError as exc:\n    print('error', exc.span.file)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120
    )
    assert (out.returncode, out.stdout.split()) == (0, ["error", "c.yml"]), out.stderr[-500:]


def _pip_entry(version: str, platform: str, digest: str) -> str:
    return (
        f"- name: Attrs\n  version: {version}\n  manager: pip\n  platform: {platform}\n  dependencies: {{}}\n"
        f"  url: https://files.pythonhosted.org/packages/attrs-{version}-{platform}.whl\n"
        f"  hash:\n    sha256: {digest}\n  category: main\n  optional: false\n"
    )


def test_pip_requirement_hashes_are_its_files_on_every_platform_with_that_version() -> None:
    head = "version: 1\nmetadata:\n  channels: []\n  platforms: [linux-64, osx-arm64, win-64]\npackage:\n"
    text = head + _pip_entry("23.1", "linux-64", "aa") + _pip_entry("23.1", "osx-arm64", "bb")
    text += _pip_entry("23.1", "linux-64", "aa")  # a repeated entry: its hash once
    m = api.loads(text + _pip_entry("22.2", "win-64", "cc"), "conda-lock", path="conda-lock.yml")
    reqs = {r.version.pep440: r for r in m.groups[0].requirements}  # type: ignore[union-attr]
    assert set(reqs) == {"==23.1", "==22.2"}
    assert reqs["==23.1"].hashes == ("sha256:aa", "sha256:bb")
    assert reqs["==23.1"].marker == f"({LINUX}) or ({OSX_ARM})"
    assert reqs["==22.2"].hashes == ("sha256:cc",) and reqs["==22.2"].marker == WIN
    # the lock keeps each platform's file with its own hash
    assert [p.hashes for p in m.lock.packages] == [  # type: ignore[union-attr]
        ("sha256:aa",), ("sha256:bb",), ("sha256:aa",), ("sha256:cc",)]
    # Pipfile.lock (one entry per name) writes the requirement's hashes; read back, they are the same
    one = api.loads(text, "conda-lock", path="conda-lock.yml")
    back = api.loads(api.dumps(one, "pipfile-lock").text, "pipfile-lock")
    assert [(r.name, r.version.pep440, set(r.hashes)) for r in back.groups[0].requirements] == [  # type: ignore[union-attr]
        ("attrs", "==23.1", {"sha256:aa", "sha256:bb"})]


def test_duplicate_keys_mean_what_they_mean_to_conda_lock() -> None:
    """conda-lock parses its lock with ``yaml.safe_load``: a repeated key keeps its last value, silently. depglot
    reads the same file the same way (no error, no loss), so both see one package at version 2.0 with hash bb."""
    import yaml

    text = (
        "version: 1\nmetadata:\n  channels: []\n  platforms: [linux-64]\nmetadata:\n  channels: [{url: conda-forge}]\n"
        "  platforms: [linux-64]\npackage:\n- name: attrs\n  version: '1.0'\n  manager: pip\n  platform: linux-64\n"
        "  url: https://files.pythonhosted.org/packages/attrs-1.0.whl\n  hash: {sha256: aa}\n  version: '2.0'\n"
        "  hash: {sha256: bb}\n  category: main\n"
    )
    oracle = yaml.safe_load(text)
    m = api.loads(text, "conda-lock", path="conda-lock.yml")
    assert m.channels == tuple(c["url"] for c in oracle["metadata"]["channels"]) == ("conda-forge",)
    [pkg] = m.lock.packages  # type: ignore[union-attr]
    assert (pkg.version, pkg.hashes) == (oracle["package"][0]["version"], ("sha256:bb",)) == ("2.0", ("sha256:bb",))
    [req] = m.groups[0].requirements
    assert (req.version.pep440, req.hashes) == ("==2.0", ("sha256:bb",))  # type: ignore[union-attr]
    assert m.losses == ()
