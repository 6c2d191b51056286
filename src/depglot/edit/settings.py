"""``[tool.depglot]`` in the repository's pyproject.toml: defaults for the repository commands (like ruff's).

The nearest ``pyproject.toml`` with a ``[tool.depglot]`` table, from the start directory up to the repository
root (the directory holding ``.git``), is used. Command-line flags override it. Keys::

    [tool.depglot]
    exclude = ["legacy/**"]          # globs never searched (added to --exclude)
    respect-gitignore = true         # skip what .gitignore files exclude
    jobs = 2                         # worker processes for codemods
    keep-going = false               # skip unreadable files instead of stopping
    fail-on = "error"                # loss threshold for exit 1
    output-format = "concise"        # concise | json | github
    drop-hashes = false              # allow editing hashed requirements in --require-hashes files
"""

from __future__ import annotations

import os
from typing import Any

from .._records import record
from ..errors import ParseError

__all__ = ["Settings", "find_settings_file", "load_settings"]


@record
class Settings:
    """Codemod settings from ``[tool.depglot]`` in a pyproject.toml (command-line flags override them)."""

    path: str | None = None  # the pyproject.toml they came from
    exclude: tuple[str, ...] = ()
    respect_gitignore: bool = True
    jobs: int | None = None
    keep_going: bool | None = None
    fail_on: str | None = None
    output_format: str | None = None
    drop_hashes: bool | None = None


_KEYS: dict[str, tuple[str, type]] = {
    "exclude": ("exclude", list),
    "extend-exclude": ("exclude", list),
    "respect-gitignore": ("respect_gitignore", bool),
    "jobs": ("jobs", int),
    "keep-going": ("keep_going", bool),
    "fail-on": ("fail_on", str),
    "output-format": ("output_format", str),
    "drop-hashes": ("drop_hashes", bool),
}
_CHOICES = {"fail-on": ("error", "warning", "info", "never"), "output-format": ("concise", "json", "github")}


def find_settings_file(start: str | os.PathLike[str] = ".") -> str | None:
    d = os.path.abspath(os.fspath(start))
    if os.path.isfile(d):
        d = os.path.dirname(d)
    while True:
        candidate = os.path.join(d, "pyproject.toml")
        if os.path.isfile(candidate):
            try:
                with open(candidate, "rb") as fh:
                    if b"tool.depglot" in fh.read():
                        return candidate
            except OSError:
                pass
        parent = os.path.dirname(d)
        if parent == d or os.path.isdir(os.path.join(d, ".git")):
            return None
        d = parent


def load_settings(start: str | os.PathLike[str] = ".") -> Settings:
    """The settings that apply at ``start`` (defaults when there is no ``[tool.depglot]``)."""
    path = find_settings_file(start)
    if path is None:
        return Settings()
    from .tomlspan import TomlLocator, load_toml

    with open(path, "rb") as fh:
        data = fh.read()
    text = data.decode("utf-8", errors="replace").lstrip("\ufeff")
    doc: dict[str, Any] = load_toml(text, path, "pyproject")
    table = doc.get("tool", {}).get("depglot")
    if table is None:
        return Settings()
    locator = TomlLocator(text, path)
    values: dict[str, Any] = {"path": path}
    excludes: list[str] = []
    for key, value in table.items():
        if key not in _KEYS:
            raise ParseError(f"unknown setting {key!r} in [tool.depglot]", span=locator.span("tool", "depglot", key),
                             hint="known: " + ", ".join(sorted(_KEYS)))
        attr, kind = _KEYS[key]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if ok and kind is list:
            ok = all(isinstance(v, str) for v in value)
        if ok and key in _CHOICES:
            ok = value in _CHOICES[key]
        if ok and key == "jobs":
            ok = value >= 1
        if not ok:
            expected = " | ".join(_CHOICES[key]) if key in _CHOICES else {
                list: "a list of strings", bool: "true or false", int: "an integer >= 1", str: "a string"}[kind]
            raise ParseError(f"[tool.depglot] {key} must be {expected}, not {value!r}",
                             span=locator.span("tool", "depglot", key))
        if attr == "exclude":
            excludes += value
        else:
            values[attr] = value
    values["exclude"] = tuple(excludes)
    return Settings(**values)
