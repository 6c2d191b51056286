"""Reading live environments: a real venv with wheels built here and installed offline by pip (regular, editable
via PEP 660, and ``name @ file://``), a conda-shaped prefix, and broken records."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from depglot import api
from depglot.env import inspect_prefix, inspect_python, to_manifest
from depglot.env.locate import locate_prefix, locate_python
from depglot.errors import DepglotError
from depglot.ir.model import CondaPackage, LocalPath, Url

# ----------------------------------------------------------------------------------------------- building

WHEELS = {
    # name, version, Requires-Dist lines, Requires-Python
    ("alpha", "1.0"): (["beta>=2", "gamma==1.0", 'colorama ; sys_platform == "win32"', 'extra-dep ; extra == "x"'], None),
    ("beta", "1.5"): ([], ">=3.8"),
    ("delta", "0.3"): (["epsilon"], None),
    ("gamma", "1.0"): ([], None),
}


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_wheel(out: Path, name: str, version: str, requires: list[str], requires_python: str | None,
                extra_files: dict[str, str] | None = None) -> Path:
    """A minimal, valid py3-none-any wheel written by hand (no build backend involved)."""
    info = f"{name}-{version}.dist-info"
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    if requires_python:
        meta += f"Requires-Python: {requires_python}\n"
    meta += "".join(f"Requires-Dist: {r}\n" for r in requires)
    if any("extra ==" in r for r in requires):
        meta += "Provides-Extra: x\n"
    files = {f"{name}/__init__.py": f"__version__ = {version!r}\n", f"{info}/METADATA": meta,
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: depglot-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    files.update(extra_files or {})
    path = out / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        record = []
        for arc, text in files.items():
            data = text.encode()
            zf.writestr(arc, data)
            record.append(_record_line(arc, data))
        record.append(f"{info}/RECORD,,")
        zf.writestr(f"{info}/RECORD", "\n".join(record) + "\n")
    return path


BACKEND = '''
"""A stdlib-only PEP 517/660 backend for the tests: builds a wheel (or an editable wheel with a .pth)."""
import base64, hashlib, os, zipfile

NAME, VERSION = "localproj", "0.2.0"
INFO = f"{NAME}-{VERSION}.dist-info"

def _wheel(directory, files):
    path = os.path.join(directory, f"{NAME}-{VERSION}-py3-none-any.whl")
    files[f"{INFO}/METADATA"] = f"Metadata-Version: 2.1\\nName: {NAME}\\nVersion: {VERSION}\\nRequires-Dist: gamma>=2\\n"
    files[f"{INFO}/WHEEL"] = "Wheel-Version: 1.0\\nGenerator: t\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"
    with zipfile.ZipFile(path, "w") as zf:
        record = []
        for arc, text in files.items():
            data = text.encode()
            zf.writestr(arc, data)
            h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{arc},sha256={h},{len(data)}")
        record.append(f"{INFO}/RECORD,,")
        zf.writestr(f"{INFO}/RECORD", "\\n".join(record) + "\\n")
    return os.path.basename(path)

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, {"localproj.py": "X = 1\\n"})

def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    return _wheel(wheel_directory, {"localproj.pth": os.path.abspath("src") + "\\n"})

def get_requires_for_build_wheel(config_settings=None):
    return []

def get_requires_for_build_editable(config_settings=None):
    return []
'''


def make_venv(root: Path) -> Path:
    """A venv with alpha, beta, delta (from a wheelhouse), gamma (``name @ file://``) and localproj (editable)."""
    wheelhouse = root / "wheelhouse"
    wheelhouse.mkdir()
    for (name, version), (requires, rp) in WHEELS.items():
        build_wheel(wheelhouse, name, version, requires, rp)
    proj = root / "localproj"
    (proj / "src").mkdir(parents=True)
    (proj / "src" / "localproj.py").write_text("X = 1\n")
    (proj / "backend.py").write_text(BACKEND)
    (proj / "pyproject.toml").write_text(
        '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
    )
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, capture_output=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    gamma = (wheelhouse / "gamma-1.0-py3-none-any.whl").as_uri()
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", "--find-links",
         str(wheelhouse), "--no-deps", "--no-build-isolation", "--disable-pip-version-check", "-q",
         "alpha", "beta", "delta", f"gamma @ {gamma}", "-e", str(proj)],
        check=True, capture_output=True, text=True, cwd=root,
    )
    return python


_BUILT: dict[str, Path] = {}


@pytest.fixture(scope="session")
def venv_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per session, also when another test module imports this fixture."""
    if "venv" not in _BUILT:
        _BUILT["venv"] = make_venv(tmp_path_factory.mktemp("envs"))
    return _BUILT["venv"]


# ----------------------------------------------------------------------------------------------- tests


def test_locate_python_asks_the_interpreter(venv_python: Path) -> None:
    loc = locate_python(str(venv_python))
    assert loc.how == "interpreter"
    venv = venv_python.parent.parent
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert Path(loc.site_dirs[0]) == venv / "lib" / f"python{version}" / "site-packages"
    assert loc.markers["python_version"] == version
    assert loc.markers["sys_platform"] == sys.platform
    assert not loc.conda


def test_locate_prefix_reads_pyvenv_cfg(venv_python: Path) -> None:
    venv = venv_python.parent.parent
    loc = locate_prefix(str(venv))
    assert loc.how == "pyvenv.cfg"
    assert loc.site_dirs == locate_python(str(venv_python)).site_dirs


def test_installed_distributions(venv_python: Path) -> None:
    env = inspect_python(str(venv_python))
    assert [(d.name, d.version, d.installer, d.editable) for d in env.dists] == [
        ("alpha", "1.0", "pip", False),
        ("beta", "1.5", "pip", False),
        ("delta", "0.3", "pip", False),
        ("gamma", "1.0", "pip", False),
        ("localproj", "0.2.0", "pip", True),
    ]
    assert env.problems == ()
    alpha = env.find("Alpha")
    assert alpha is not None and alpha.requires_dist[0] == "beta>=2"
    assert env.find("beta").requires_python == ">=3.8"
    gamma = env.find("gamma")
    assert isinstance(gamma.source, Url) and gamma.source.url.endswith("/wheelhouse/gamma-1.0-py3-none-any.whl")
    assert gamma.hashes and gamma.hashes[0].startswith("sha256:")
    local = env.find("localproj")
    assert local.source == LocalPath(path=str(venv_python.parent.parent.parent / "localproj"))


def test_freeze_text_matches_pip_freeze(venv_python: Path) -> None:
    env = inspect_python(str(venv_python))
    text = api.dumps(to_manifest(env), "freeze").text
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv_python), "freeze", "--all", "--disable-pip-version-check"],
        check=True, capture_output=True, text=True,
    ).stdout
    # pip names the editable project after its directory checkout; same lines, same order
    ours = [line for line in text.splitlines() if not line.startswith("#")]
    theirs = [line for line in pip.splitlines() if not line.startswith("#")]
    assert ours == theirs
    assert "# Editable install with no version control (localproj==0.2.0)" in text


def test_broken_records_are_reported_with_their_path(tmp_path: Path, venv_python: Path) -> None:
    venv = tmp_path / "copy"
    shutil.copytree(venv_python.parent.parent, venv, symlinks=True)
    site = Path(locate_prefix(str(venv)).site_dirs[0])
    (site / "broken-1.0.dist-info").mkdir()
    (site / "noname-1.0.dist-info").mkdir()
    (site / "noname-1.0.dist-info" / "METADATA").write_text("Metadata-Version: 2.1\nVersion: 1.0\n")
    (site / "beta-1.5.dist-info" / "direct_url.json").write_text("{not json")
    env = inspect_prefix(str(venv))
    assert [d.name for d in env.dists] == ["alpha", "delta", "gamma", "localproj"]
    assert [(p.code, Path(p.span.file).name) for p in env.problems] == [
        ("env-broken-dist", "direct_url.json"),
        ("env-broken-dist", "METADATA"),
        ("env-broken-dist", "METADATA"),
    ]
    assert "broken-1.0.dist-info" in env.problems[1].span.file
    assert env.problems[0].message.startswith("direct_url.json of beta-1.5.dist-info is invalid")


def test_egg_info_is_read(tmp_path: Path) -> None:
    site = tmp_path / "lib" / "python3.11" / "site-packages"
    egg = site / "legacy-2.0-py3.11.egg-info"
    egg.mkdir(parents=True)
    (egg / "PKG-INFO").write_text("Metadata-Version: 1.1\nName: legacy\nVersion: 2.0\n")
    (egg / "requires.txt").write_text("six>=1\n\n[socks]\npysocks\n\n[:sys_platform == \"win32\"]\npywin32\n")
    (tmp_path / "pyvenv.cfg").write_text("home = /usr/bin\nversion = 3.11.7\n")
    env = inspect_prefix(str(tmp_path))
    assert env.dists[0].requires_dist == (
        "six>=1", 'pysocks ; extra == "socks"', 'pywin32 ; sys_platform == "win32"'
    )
    assert env.dists[0].requested is None


def make_conda_prefix(root: Path) -> Path:
    """A conda-shaped prefix: conda-meta records (python, numpy with its dist-info, openssl) and a pip install."""
    prefix = root / "conda-env"
    site = prefix / "lib" / "python3.11" / "site-packages"
    site.mkdir(parents=True)
    (prefix / "conda-meta").mkdir()
    for name, version in (("numpy", "1.26.4"), ("requests", "2.32.3")):
        info = site / f"{name}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
        (info / "INSTALLER").write_text("conda\n" if name == "numpy" else "pip\n")
    records = {
        "python-3.11.10-hc5c86c4_3_cpython": ("python", "3.11.10", "hc5c86c4_3_cpython", ["bin/python3.11"]),
        "numpy-1.26.4-py311h64a7726_0": ("numpy", "1.26.4", "py311h64a7726_0",
                                         ["lib/python3.11/site-packages/numpy-1.26.4.dist-info/METADATA"]),
        "openssl-3.3.2-hb9d3cd8_0": ("openssl", "3.3.2", "hb9d3cd8_0", ["lib/libssl.so"]),
    }
    for stem, (name, version, build, files) in records.items():
        (prefix / "conda-meta" / f"{stem}.json").write_text(json.dumps({
            "name": name, "version": version, "build": build, "build_number": 0,
            "channel": "https://conda.anaconda.org/conda-forge/linux-64", "files": files,
        }))
    (prefix / "conda-meta" / "history").write_text("")
    return prefix


def test_conda_prefix_separates_conda_and_pip(tmp_path: Path) -> None:
    prefix = make_conda_prefix(tmp_path)
    env = inspect_prefix(str(prefix))
    assert env.location.how == "conda-meta" and env.location.python_version == "3.11"
    m = to_manifest(env)
    got = [(r.name, r.version.pep440, r.source) for r in m.requirements()]
    assert got == [
        ("numpy", "==1.26.4", CondaPackage(name="numpy", spec="numpy=1.26.4=py311h64a7726_0", channel="conda-forge",
                                           build="py311h64a7726_0", pypi=True)),
        ("openssl", "==3.3.2", CondaPackage(name="openssl", spec="openssl=3.3.2=hb9d3cd8_0", channel="conda-forge",
                                            build="hb9d3cd8_0")),
        ("requests", "==2.32.3", None),
    ]
    assert m.channels == ("conda-forge",)
    assert m.python.pep440 == "==3.11.10"  # the interpreter's record is the python constraint, not a package
    out = api.dumps(m, "freeze")
    assert out.text == "numpy==1.26.4\nrequests==2.32.3\n"
    assert out.report.codes() == ["conda-package-as-pypi", "conda-only-package", "python-dropped", "channels-dropped"]


def test_bad_locations_are_errors_not_tracebacks(tmp_path: Path) -> None:
    with pytest.raises(DepglotError, match="no interpreter at"):
        locate_python(str(tmp_path / "nope" / "python"))
    with pytest.raises(DepglotError, match="no site-packages under"):
        locate_prefix(str(tmp_path))
    with pytest.raises(DepglotError, match="no environment at"):
        locate_prefix(str(tmp_path / "missing"))
    bad = tmp_path / "python"
    bad.write_text("#!/bin/sh\nexit 3\n")
    bad.chmod(0o755)
    with pytest.raises(DepglotError, match="failed to report its paths"):
        locate_python(str(bad))


def test_conda_prefix_as_environment_yml(tmp_path: Path) -> None:
    """conda-meta records become conda dependencies; what pip installed goes to the pip: list."""
    m = to_manifest(inspect_prefix(str(make_conda_prefix(tmp_path))))
    out = api.dumps(m, "conda")
    assert out.text == (
        "channels:\n"
        "  - conda-forge\n"
        "dependencies:\n"
        "  - python==3.11.10\n"
        "  - conda-forge::numpy ==1.26.4 py311h64a7726_0\n"
        "  - conda-forge::openssl ==3.3.2 hb9d3cd8_0\n"
        "  - pip\n"
        "  - pip:\n"
        "      - requests==2.32.3\n"
    )
    # this prefix has no conda record for pip, so the pip: list needs it added — and that is reported
    assert out.report.codes() == ["conda-pip-added"]


def test_venv_as_pipfile_and_pyproject_group(venv_python: Path) -> None:
    m = to_manifest(inspect_python(str(venv_python)))
    pipfile = api.dumps(m, "pipfile").text
    assert 'alpha = "==1.0"\n' in pipfile
    assert f'localproj = {{path = "{venv_python.parent.parent.parent / "localproj"}", editable = true}}\n' in pipfile
    assert 'gamma = {file = "file://' in pipfile
    from depglot.ir.model import Group, GroupKind

    grouped = m.replace(groups=(Group(name="main", kind=GroupKind.MAIN),
                                m.groups[0].replace(name="env", kind=GroupKind.GROUP)))
    pyproject = api.dumps(grouped, "pep621+uv")
    assert '[dependency-groups]\nenv = [\n    "alpha==1.0",\n' in pyproject.text


def test_default_location_follows_the_active_environment(venv_python: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    from depglot.env.locate import default_location

    monkeypatch.setenv("VIRTUAL_ENV", str(venv_python.parent.parent))
    loc = default_location()
    assert loc.how == "interpreter" and loc.prefix == str(venv_python.parent.parent)
    monkeypatch.delenv("VIRTUAL_ENV")
    monkeypatch.setenv("CONDA_PREFIX", str(make_conda_prefix(tmp_path)))
    assert default_location().how == "conda-meta"
    monkeypatch.delenv("CONDA_PREFIX")
    assert default_location().how == "interpreter"
