"""The lock oracles shared by test_uv_lock.py, test_pylock.py and test_pdm_lock.py: the environments markers are
evaluated in, and uv / PDM run offline on a corpus lock in a scratch project."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

__all__ = ["ENVIRONMENTS", "needs_pdm", "needs_uv", "pdm_export", "uv_export", "uv_project"]

_BASE_ENV = {
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "python_version": "3.12",
    "python_full_version": "3.12.3",
    "os_name": "posix",
    "platform_release": "",
    "platform_version": "",
    "implementation_version": "3.12.3",
    "extra": "",
}
# Six environments: three platforms on CPython 3.12, linux aarch64, and the oldest/newest Pythons the corpus locks name.
ENVIRONMENTS = [
    dict(_BASE_ENV, sys_platform="linux", platform_machine="x86_64", platform_system="Linux"),
    dict(_BASE_ENV, sys_platform="darwin", platform_machine="arm64", platform_system="Darwin"),
    dict(_BASE_ENV, sys_platform="win32", platform_machine="AMD64", platform_system="Windows", os_name="nt"),
    dict(_BASE_ENV, sys_platform="linux", platform_machine="aarch64", platform_system="Linux"),
    dict(_BASE_ENV, python_version="3.9", python_full_version="3.9.18", sys_platform="linux",
         platform_machine="x86_64", platform_system="Linux"),
    dict(_BASE_ENV, python_version="3.14", python_full_version="3.14.0", sys_platform="darwin",
         platform_machine="x86_64", platform_system="Darwin"),
]

needs_uv = pytest.mark.skipif(shutil.which("uv") is None, reason="uv (the oracle) is not installed: pip install uv")
needs_pdm = pytest.mark.skipif(shutil.which("pdm") is None, reason="pdm (the oracle) is not installed: pip install pdm")


def uv_project(lock: Path, tmp: Path) -> Path:
    """A scratch uv project around a copy of ``lock``: the pyproject names the lock's root package (the editable or
    virtual ``.``) and its requires-python, which is all ``uv export --frozen`` checks."""
    doc = tomllib.loads(lock.read_text(encoding="utf-8"))
    root = next(p for p in doc["package"]
                if p.get("source", {}).get("editable") == "." or p.get("source", {}).get("virtual") == ".")
    (tmp / "pyproject.toml").write_text(
        f'[project]\nname = "{root["name"]}"\nversion = "{root.get("version", "0")}"\n'
        f'requires-python = "{doc["requires-python"]}"\n', encoding="utf-8")
    shutil.copy(lock, tmp / "uv.lock")
    return tmp


def uv_export(project: Path, *flags: str) -> str:
    """``uv export --frozen`` in ``project``, offline."""
    return subprocess.run(
        ["uv", "export", "--frozen", *flags],
        cwd=project, capture_output=True, text=True, check=True, env=dict(os.environ, UV_OFFLINE="1", NO_COLOR="1"),
    ).stdout


def pdm_export(lock: Path, tmp: Path, *flags: str) -> str:
    """``pdm export --no-hashes`` of a copy of ``lock``; the scratch pyproject declares the lock's groups (PDM
    exports only groups the pyproject declares)."""
    shutil.copy(lock, tmp / "pdm.lock")
    lock_groups = tomllib.loads(lock.read_text(encoding="utf-8"))["metadata"]["groups"]
    declared = "".join(f'"{g}" = []\n' for g in lock_groups if g != "default")
    (tmp / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "0"\nrequires-python = ">=3.8"\n[dependency-groups]\n' + declared)
    return subprocess.run(["pdm", "export", "--no-hashes", *flags], cwd=tmp, capture_output=True, text=True,
                          check=True, env=dict(os.environ, PDM_USE_VENV="0", PDM_CHECK_UPDATE="false")).stdout
