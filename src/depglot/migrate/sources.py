"""Which files of a project directory a migration reads, and what each becomes."""

from __future__ import annotations

import os
import re
from typing import Any

from .._records import record
from ..errors import DepglotError, ParseError

__all__ = ["LOCK_NAMES", "Source", "find_sources", "group_of", "join"]

LOCK_NAMES = ("Pipfile.lock", "poetry.lock", "uv.lock", "pdm.lock", "conda-lock.yml", "pylock.toml")
_REQ_TXT = re.compile(r"^(?:(?P<pre>[a-z0-9_.-]+?)[-_.])?requirements(?:[-_.](?P<post>[a-z0-9_.-]+?))?\.(?:txt|in)$",
                      re.IGNORECASE)
_MAIN_NAMES = frozenset({"", "main", "base", "prod", "production", "common", "requirements", "runtime", "install"})
_DEV_ALIASES = {"develop": "dev", "development": "dev", "devel": "dev", "tests": "test", "testing": "test"}


@record
class Source:
    """A file the migration reads: a ``manifest``, a ``lock`` for it, or the ``compiled`` .txt of a .in."""

    path: str
    role: str  # manifest | lock | compiled
    group: str | None = None  # for requirements files: the group it becomes ("main" for the main list)


def join(directory: str, *names: str) -> str:
    """A path under the project directory as users write it: ``Pipfile``, not ``./Pipfile``, for ``.``."""
    return os.path.normpath(os.path.join(directory, *names))


def group_of(filename: str, subdir: bool) -> str | None:
    """``requirements-dev.txt`` -> ``dev``; ``requirements/base.txt`` -> ``main``; None when not requirements."""
    stem, ext = os.path.splitext(filename)
    if ext.lower() not in (".txt", ".in"):
        return None
    if subdir:
        name = stem.lower()
    else:
        m = _REQ_TXT.match(filename)
        if m is None:
            return None
        name = (m.group("post") or m.group("pre") or "").lower()
    name = name.strip("-_.")
    if name in _MAIN_NAMES:
        return "main"
    if name.startswith(("constraint", "lock")):
        return None
    return _DEV_ALIASES.get(name, name)


def find_sources(directory: str | os.PathLike[str]) -> list[Source]:
    """The manifests (and locks) of the project at ``directory``; raises when there are none."""
    d = os.fspath(directory)
    if not os.path.isdir(d):
        raise DepglotError(f"no such directory: {d}")
    out: list[Source] = []
    names = sorted(os.listdir(d))
    if "Pipfile" in names:
        out.append(Source(path=join(d, "Pipfile"), role="manifest"))
    if "pyproject.toml" in names and _pyproject_has_dependencies(join(d, "pyproject.toml")):
        out.append(Source(path=join(d, "pyproject.toml"), role="manifest"))
    req_files: list[tuple[str, str]] = []
    for n in names:
        g = group_of(n, subdir=False)
        if g is not None and os.path.isfile(join(d, n)):
            req_files.append((join(d, n), g))
    sub = join(d, "requirements")
    if os.path.isdir(sub):
        for n in sorted(os.listdir(sub)):
            g = group_of(n, subdir=True)
            if g is not None and os.path.isfile(join(sub, n)):
                req_files.append((join(sub, n), g))
    ins = {os.path.splitext(p)[0] for p, _ in req_files if p.endswith(".in")}
    for p, g in req_files:
        compiled = p.endswith(".txt") and os.path.splitext(p)[0] in ins
        out.append(Source(path=p, role="compiled" if compiled else "manifest", group=g))
    for n in ("environment.yml", "environment.yaml"):
        if n in names:
            out.append(Source(path=join(d, n), role="manifest"))
            break
    for n in LOCK_NAMES:
        if n in names:
            out.append(Source(path=join(d, n), role="lock"))
    if not any(s.role == "manifest" for s in out):
        raise DepglotError(f"no manifest found in {d}",
                           hint="expected a Pipfile, pyproject.toml, requirements*.txt/.in or environment.yml")
    return out


def _pyproject_has_dependencies(path: str) -> bool:
    from ..edit.tomlspan import load_toml

    try:
        with open(path, "rb") as fh:
            doc: dict[str, Any] = load_toml(fh.read().decode("utf-8", errors="replace"), path, "pyproject")
    except (OSError, ParseError):
        return True  # let the reader report the problem with its line
    project = doc.get("project", {})
    tool = doc.get("tool", {})
    return bool(
        project.get("dependencies") or project.get("optional-dependencies") or doc.get("dependency-groups")
        or "dependencies" in project.get("dynamic", ())
        or tool.get("poetry", {}).get("dependencies") or tool.get("poetry", {}).get("group")
        or tool.get("poetry", {}).get("dev-dependencies")
    )
