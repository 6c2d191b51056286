"""Where an environment keeps its distributions, found without running any project code.

Two ways, chosen by what the user gives:

* ``--python PATH``: ask that interpreter itself. It is started isolated and without ``site`` (``-I -S``), so no
  ``.pth`` file, ``sitecustomize`` or editable-install hook runs; it only prints ``sysconfig.get_paths()`` and the
  PEP 508 marker environment as JSON. Without ``site`` a venv's prefix is not applied, so the script finds
  ``pyvenv.cfg`` beside the executable (or one level up) itself, as ``site.venv()`` would, and asks sysconfig
  for the paths of that prefix. The interpreter is the authority on its own layout (Debian's
  ``dist-packages``, framework builds, custom schemes), which guessing from a path cannot match.
* ``--prefix DIR`` (a conda prefix or a venv): nothing is run. The Python version comes from ``pyvenv.cfg``
  (venv) or the ``python`` record in ``conda-meta`` (conda), and site-packages is ``lib/pythonX.Y/site-packages``
  (POSIX) or ``Lib/site-packages`` (Windows) under the prefix.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import field
from pathlib import Path

from .._records import record
from ..errors import DepglotError

__all__ = ["QUERY", "Location", "default_location", "locate_prefix", "locate_python"]

# Runs inside the target interpreter with -I -S: stdlib only, no project code.
QUERY = r"""
import json, os, platform, sys, sysconfig
prefix = sys.prefix
exe_dir = os.path.dirname(os.path.abspath(sys.executable))
for cand in (exe_dir, os.path.dirname(exe_dir)):  # what site.venv() would do, without running site
    if os.path.isfile(os.path.join(cand, "pyvenv.cfg")):
        prefix = cand
        break
paths = sysconfig.get_paths(vars={"base": prefix, "platbase": prefix})
def full(info):
    v = "%d.%d.%d" % (info.major, info.minor, info.micro)
    if info.releaselevel != "final":
        v += info.releaselevel[0] + str(info.serial)
    return v
env = {
    "implementation_name": sys.implementation.name,
    "implementation_version": full(sys.implementation.version),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}
print(json.dumps({"purelib": paths["purelib"], "platlib": paths["platlib"], "prefix": prefix,
                  "base_prefix": sys.base_prefix, "markers": env}))
"""


@record
class Location:
    """An environment's site directories, its prefix and (when known) its marker environment."""

    prefix: str
    site_dirs: tuple[str, ...]
    python_version: str | None = None  # "3.11"
    markers: dict[str, str] = field(default_factory=dict)  # PEP 508 environment (empty when not asked)
    how: str = ""  # "interpreter" | "pyvenv.cfg" | "conda-meta" | "layout"
    conda: bool = False  # the prefix has conda-meta/


def locate_python(python: str, *, timeout: float = 30.0) -> Location:
    """Ask the interpreter at ``python`` (isolated, without site) for its paths and marker environment."""
    exe = Path(python)
    if not exe.exists():
        raise DepglotError(f"no interpreter at {python}", hint="pass --python with the path of a python executable")
    try:
        proc = subprocess.run(
            [os.fspath(exe), "-I", "-S", "-c", QUERY], capture_output=True, text=True, timeout=timeout, check=False
        )
    except OSError as exc:
        raise DepglotError(f"cannot run {python}: {exc.strerror or exc}") from None
    except subprocess.TimeoutExpired:
        raise DepglotError(f"{python} did not answer within {timeout:.0f} s") from None
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise DepglotError(f"{python} failed to report its paths: {last}")
    try:
        data = json.loads(proc.stdout)
        markers = {str(k): str(v) for k, v in data["markers"].items()}
        site = tuple(dict.fromkeys([data["purelib"], data["platlib"]]))
        prefix = str(data["prefix"])
    except (ValueError, KeyError, TypeError, AttributeError):
        raise DepglotError(f"{python} is not a Python this version of depglot understands (unexpected answer)") from None
    return Location(
        prefix=prefix,
        site_dirs=site,
        python_version=markers.get("python_version"),
        markers=markers,
        how="interpreter",
        conda=(Path(prefix) / "conda-meta").is_dir(),
    )


def _pyvenv_version(cfg: Path) -> str | None:
    try:
        text = cfg.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip().lower() in ("version", "version_info"):
            parts = value.strip().split(".")
            if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
                return f"{parts[0]}.{parts[1]}"
    return None


def _conda_python_version(prefix: Path) -> str | None:
    meta = prefix / "conda-meta"
    for rec in sorted(meta.glob("python-[0-9]*.json")):
        parts = rec.name[len("python-") :].split(".")
        if len(parts) >= 2 and parts[0].isdigit() and parts[1].isdigit():
            return f"{parts[0]}.{parts[1]}"
    return None


def locate_prefix(prefix: str) -> Location:
    """Site directories of a venv or conda prefix, read from its files only (nothing runs)."""
    root = Path(prefix)
    if not root.is_dir():
        raise DepglotError(f"no environment at {prefix}", hint="pass --prefix with a conda prefix or a venv directory")
    conda = (root / "conda-meta").is_dir()
    version = None
    how = "layout"
    if (root / "pyvenv.cfg").is_file():
        version, how = _pyvenv_version(root / "pyvenv.cfg"), "pyvenv.cfg"
    if version is None and conda:
        version, how = _conda_python_version(root), "conda-meta"
    sites: list[Path] = []
    if version is not None:
        sites.append(root / "lib" / f"python{version}" / "site-packages")
    sites += sorted(root.glob("lib/python3*/site-packages"))
    sites.append(root / "Lib" / "site-packages")
    found = tuple(dict.fromkeys(os.fspath(s) for s in sites if s.is_dir()))
    if version is None:
        for s in found:
            name = Path(s).parent.name
            if name.startswith("python3."):
                version = name[len("python") :]
                break
    if not found and not conda:
        raise DepglotError(
            f"no site-packages under {prefix}", hint="pass a venv or conda prefix, or --python with its interpreter"
        )
    markers = {"python_version": version} if version else {}
    return Location(prefix=os.fspath(root), site_dirs=found, python_version=version, markers=markers, how=how,
                    conda=conda)


def default_location() -> Location:
    """The active environment: ``$VIRTUAL_ENV`` (asked through its interpreter), else ``$CONDA_PREFIX`` (read from
    files), else the ``python`` depglot runs under."""
    import sys

    venv = os.environ.get("VIRTUAL_ENV")
    if venv and Path(venv).is_dir():
        for exe in (Path(venv) / "bin" / "python", Path(venv) / "Scripts" / "python.exe"):
            if exe.exists():
                return locate_python(os.fspath(exe))
        return locate_prefix(venv)
    conda = os.environ.get("CONDA_PREFIX")
    if conda and Path(conda).is_dir():
        return locate_prefix(conda)
    return locate_python(sys.executable)
