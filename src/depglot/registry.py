"""Which formats exist: a plain built-in table, plus third-party plugins from entry points.

Built-ins are named here as ``module:Class`` strings and imported only when used, so listing or detecting costs
nothing for formats not involved. The ``depglot.formats`` entry-point group is scanned only when a name is not
built in, or when listing every format.
"""

from __future__ import annotations

import difflib
import fnmatch
import importlib
import os
from functools import cache
from typing import TYPE_CHECKING

from .errors import DetectError, UnknownFormatError

if TYPE_CHECKING:
    from .format import Format

__all__ = ["BUILTIN", "ALIASES", "get", "names", "detect", "format_class"]

ENTRY_POINT_GROUP = "depglot.formats"

# name -> "module:Class". One converter package per format family (DESIGN §2).
BUILTIN: dict[str, str] = {
    "requirements": "depglot.converters.requirements:RequirementsFormat",
    "pipfile": "depglot.converters.pipfile:PipfileFormat",
    "pipfile-lock": "depglot.converters.pipfile_lock:PipfileLockFormat",
    "poetry": "depglot.converters.pyproject.poetry:PoetryFormat",
    "poetry1": "depglot.converters.pyproject.poetry:Poetry1Format",
    "pep621": "depglot.converters.pyproject.pep621:Pep621Format",
    "poetry-lock": "depglot.converters.poetry_lock:PoetryLockFormat",
    "uv-lock": "depglot.converters.uv_lock:UvLockFormat",
    "pdm-lock": "depglot.converters.pdm_lock:PdmLockFormat",
    "pylock": "depglot.converters.pylock:PylockFormat",
    "script": "depglot.converters.script:ScriptFormat",
    "conda": "depglot.converters.conda:CondaFormat",
    "conda-lock": "depglot.converters.conda_lock:CondaLockFormat",
    "freeze": "depglot.converters.freeze:FreezeFormat",
    "ir": "depglot.converters.native:NativeFormat",
}

ALIASES: dict[str, str] = {
    "requirements.txt": "requirements",
    "pip": "requirements",
    "pip-tools": "requirements",
    "pipenv": "pipfile",
    "uv": "pep621+uv",
    "pdm": "pep621+pdm",
    "hatch": "pep621",
    "pyproject": "pep621",
    "environment.yml": "conda",
    "json": "ir",
}


@cache
def _entry_points() -> dict[str, object]:
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def _available(name: str) -> bool:
    """A built-in whose converter package is importable (formats land one by one)."""
    module = BUILTIN[name].partition(":")[0]
    return importlib.util.find_spec(module) is not None


def names(*, include_plugins: bool = True) -> list[str]:
    """Every format name that can be used now (built-ins whose converter exists, then plugins)."""
    out = [n for n in BUILTIN if _available(n)]
    if include_plugins:
        out += [n for n in _entry_points() if n not in BUILTIN]
    return out


@cache
def format_class(name: str) -> type[Format]:
    target = BUILTIN.get(name)
    if target is not None and _available(name):
        module, _, attr = target.partition(":")
        return getattr(importlib.import_module(module), attr)
    ep = _entry_points().get(name)
    if ep is not None:
        return ep.load()  # type: ignore[attr-defined, no-any-return]
    candidates = names() + list(ALIASES)
    raise UnknownFormatError(name, difflib.get_close_matches(name, candidates, n=2, cutoff=0.6), names())


def get(name: str) -> Format:
    """The format called ``name`` (``pep621+uv``: format ``pep621``, flavour ``uv``; aliases resolve)."""
    name = ALIASES.get(name.lower(), name.lower())
    base, _, flavour = name.partition("+")
    cls = format_class(base)
    return cls(flavour or None)


def detect(path: str | os.PathLike[str] | None, head: str) -> Format:
    """The most likely format for a file, by name patterns first and content scores to break ties."""
    filename = os.path.basename(os.fspath(path)) if path is not None else ""
    best: tuple[int, str] | None = None
    for name in names():
        cls = format_class(name)
        if not cls.can_read:
            continue
        score = 0
        if filename and any(fnmatch.fnmatch(filename.lower(), pat.lower()) for pat in cls.filenames):
            score += 50
        score += cls(None).detect(filename, head)
        if score > 0 and (best is None or score > best[0]):
            best = (score, name)
    if best is None:
        raise DetectError(
            f"cannot tell the format of {filename or 'the input'!r}",
            hint="pass it with -f/--from (see `depglot formats`)",
        )
    return get(best[1])
