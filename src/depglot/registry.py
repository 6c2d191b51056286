"""Which formats exist: a plain built-in table, plus third-party plugins from entry points.

Built-ins are named here as ``module:Class`` strings and imported only when used, so listing or detecting costs
nothing for formats not involved. The ``depglot.formats`` entry-point group is scanned only when a name is not
built in, or when listing every format.
"""

from __future__ import annotations

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

# name -> ("module:Class", file-name patterns). One converter package per format family (DESIGN §2).
# The patterns repeat each class's ``filenames`` so that detection imports only the candidates' modules
# (tests/test_registry.py keeps the two in sync), the way pygments keeps a generated lexer mapping.
BUILTIN_TABLE: dict[str, tuple[str, tuple[str, ...]]] = {
    "requirements": (
        "depglot.converters.requirements:RequirementsFormat",
        ('requirements*.txt', '*requirements*.txt', 'requirements*.in', '*.in', 'constraints*.txt', '*constraints*.txt', 'requirements*.pip'),
    ),
    "pipfile": (
        "depglot.converters.pipfile:PipfileFormat",
        ('Pipfile',),
    ),
    "pipfile-lock": (
        "depglot.converters.pipfile_lock:PipfileLockFormat",
        ('Pipfile.lock',),
    ),
    "poetry": (
        "depglot.converters.pyproject.poetry:PoetryFormat",
        ('pyproject.toml',),
    ),
    "poetry1": (
        "depglot.converters.pyproject.poetry:Poetry1Format",
        ('pyproject.toml',),
    ),
    "pep621": (
        "depglot.converters.pyproject.pep621:Pep621Format",
        ('pyproject.toml',),
    ),
    "poetry-lock": (
        "depglot.converters.poetry_lock:PoetryLockFormat",
        ('poetry.lock',),
    ),
    "uv-lock": (
        "depglot.converters.uv_lock:UvLockFormat",
        ('uv.lock',),
    ),
    "pdm-lock": (
        "depglot.converters.pdm_lock:PdmLockFormat",
        ('pdm.lock',),
    ),
    "pylock": (
        "depglot.converters.pylock:PylockFormat",
        ('pylock.toml', 'pylock.*.toml'),
    ),
    "script": (
        "depglot.converters.script:ScriptFormat",
        ('*.py',),
    ),
    "conda": (
        "depglot.converters.conda:CondaFormat",
        ('environment.yml', 'environment.yaml', 'environment*.yml', 'environment*.yaml', '*.environment.yml'),
    ),
    "conda-lock": (
        "depglot.converters.conda_lock:CondaLockFormat",
        ('conda-lock.yml', 'conda-lock.yaml', '*.conda-lock.yml', '*.conda-lock.yaml'),
    ),
    "freeze": (
        "depglot.converters.freeze:FreezeFormat",
        ('*freeze*.txt', 'pip-list*.json', 'conda-list*.txt', 'conda-list*.json'),
    ),
    "ir": (
        "depglot.converters.native:NativeFormat",
        ('*.depglot.json', '*.ir.json'),
    ),
}
BUILTIN: dict[str, str] = {name: target for name, (target, _) in BUILTIN_TABLE.items()}

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
    """A built-in whose converter module exists (formats land one by one). Checked on disk, so that asking
    does not import the converter package."""
    module = BUILTIN[name].partition(":")[0]
    base = os.path.join(_PACKAGE_DIR, *module.split(".")[1:])
    return os.path.isfile(base + ".py") or os.path.isfile(os.path.join(base, "__init__.py"))


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def names(*, include_plugins: bool = True) -> list[str]:
    """Every format name that can be used now (built-ins whose converter exists, then plugins)."""
    out = [n for n in BUILTIN if _available(n)]
    if include_plugins:
        out += [n for n in _entry_points() if n not in BUILTIN]
    return out


@cache
def format_class(name: str) -> type[Format]:
    target = BUILTIN.get(name)
    try:
        if target is not None and _available(name):
            module, _, attr = target.partition(":")
            return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]
        ep = _entry_points().get(name)
        if ep is not None:
            return ep.load()  # type: ignore[attr-defined, no-any-return]
    except (ImportError, AttributeError) as exc:
        from .errors import ConversionError

        raise ConversionError(
            f"format {name!r} could not be loaded: {exc}", hint="reinstall depglot or the plugin that provides it"
        ) from None
    import difflib

    candidates = names() + list(ALIASES)
    raise UnknownFormatError(name, difflib.get_close_matches(name, candidates, n=2, cutoff=0.6), names())


def get(name: str) -> Format:
    """The format called ``name`` (``pep621+uv``: format ``pep621``, flavour ``uv``; aliases resolve)."""
    name = ALIASES.get(name.lower(), name.lower())
    base, _, flavour = name.partition("+")
    cls = format_class(base)
    return cls(flavour or None)


def _matches(filename: str, patterns: tuple[str, ...]) -> bool:
    low = filename.lower()
    return any(fnmatch.fnmatch(low, pat.lower()) for pat in patterns)


def _best(candidates: list[str], filename: str, head: str, bonus: int) -> tuple[int, str] | None:
    best: tuple[int, str] | None = None
    for name in candidates:
        cls = format_class(name)
        if not cls.can_read:
            continue
        score = bonus + cls(None).detect(filename, head)
        if score > 0 and (best is None or score > best[0]):
            best = (score, name)
    return best


def detect(path: str | os.PathLike[str] | None, head: str) -> Format:
    """The most likely format for a file: name patterns first, content scores to break ties.

    Only the modules of formats whose patterns match the file name are imported; when none match, every
    built-in scores the content, and plugins are consulted only when no built-in claims the file.
    """
    filename = os.path.basename(os.fspath(path)) if path is not None else ""
    builtins = [n for n in BUILTIN if _available(n)]
    by_name = [n for n in builtins if filename and _matches(filename, BUILTIN_TABLE[n][1])]
    best = _best(by_name, filename, head, 50) if by_name else None
    if best is None:
        best = _best(builtins, filename, head, 0)
    if best is None:
        plugins = [n for n in _entry_points() if n not in BUILTIN]
        best = _best(plugins, filename, head, 0)
    if best is None:
        raise DetectError(
            f"cannot tell the format of {filename or 'the input'!r}",
            hint="pass it with -f/--from (see `depglot formats`)",
        )
    return get(best[1])
