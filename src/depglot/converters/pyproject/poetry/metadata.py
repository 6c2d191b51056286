"""Poetry 1 ``[tool.poetry]`` metadata <-> PEP 621 names (:class:`~depglot.ir.model.Project`).

Mapped: name, version, description, authors/maintainers (``"Name <email>"`` <-> ``{name, email}``), license
(string), readme (one file), keywords, classifiers, homepage/repository/documentation/urls -> ``urls``, scripts
(plain ``module:func`` strings) -> ``scripts``, plugins -> ``entry-points``. Everything else in ``[tool.poetry]``
that is not a dependency table (packages, include, exclude, build, package-mode, requires-poetry, multi-file
readmes...) travels as ``Raw("poetry", "tool.poetry.<key>")`` and is written back verbatim; so do the scripts
PEP 621 cannot spell (file scripts, scripts with extras): ``Raw("poetry", "tool.poetry.scripts")`` holds those
entries only, beside the console scripts in the Project. A Poetry 2 file (``[project]``) keeps its metadata in
``[project]``; its ``[tool.poetry.scripts]`` console scripts join the Project when ``[project]`` declares no scripts
(poetry-core reads them then). Targets without ``[tool.poetry]`` report each Raw key they drop
(``RAW_KEY_LOSSES`` in :mod:`depglot.ir.features`).
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

from ....ir.model import Raw

if TYPE_CHECKING:  # (ir.project, its record class, loads on first use: a Pipfile -> Poetry write needs none)
    from ....ir.model import Project

__all__ = ["DEPENDENCY_KEYS", "poetry_metadata", "project_metadata", "raw_keys", "read_metadata"]

# [tool.poetry] keys the dependency reader owns.
DEPENDENCY_KEYS = frozenset({"dependencies", "dev-dependencies", "group", "extras", "source"})
_URL_KEYS = {"homepage": "Homepage", "repository": "Repository", "documentation": "Documentation"}
_SIMPLE = ("description", "license", "keywords", "classifiers")
_PERSON = r"^(?P<name>[^<>]+?)\s*<(?P<email>[^<>]+)>\s*$"  # compiled (and cached by re) on first use


def _person(text: str) -> dict[str, str]:
    m = re.match(_PERSON, text)
    if m:
        return {"name": m["name"].strip(), "email": m["email"].strip()}
    if "@" in text and " " not in text.strip():
        return {"email": text.strip()}
    return {"name": text.strip()}


def _person_text(entry: Any) -> str | None:
    if isinstance(entry, str):
        return entry
    if not isinstance(entry, dict):
        return None
    name, email = entry.get("name"), entry.get("email")
    if name and email:
        return f"{name} <{email}>"
    return name or email


def read_metadata(
    tool_poetry: dict[str, Any], *, legacy: bool, project: Project | None = None
) -> tuple[Project | None, list[Raw]]:
    """(the Project, the Raw keys). ``legacy`` (no ``[project]`` table): the Project is built from
    ``[tool.poetry]``. Otherwise ``project`` (read from ``[project]``) is returned, with the console scripts of
    ``[tool.poetry.scripts]`` when ``[project]`` declares none: poetry-core reads them there then (its
    ``_configure_entry_points``), so they are the project's entry points like a Poetry 1 file's."""
    raws: list[Raw] = []
    metadata: list[tuple[str, Any]] = []
    used: set[str] = set(DEPENDENCY_KEYS)
    remainder: dict[str, Any] = {}  # key -> the part of its value that stays Raw (the rest is in the Project)
    if legacy:
        used |= {"name", "version"}
        for key in _SIMPLE:
            if key in tool_poetry:
                metadata.append((key, tool_poetry[key]))
                used.add(key)
        for key in ("authors", "maintainers"):
            value = tool_poetry.get(key)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                metadata.append((key, [_person(v) for v in value]))
                used.add(key)
        readme = tool_poetry.get("readme")
        if isinstance(readme, str):
            metadata.append(("readme", readme))
            used.add("readme")
        urls: dict[str, str] = {}
        for key, label in _URL_KEYS.items():
            if isinstance(tool_poetry.get(key), str):
                urls[label] = tool_poetry[key]
                used.add(key)
        if isinstance(tool_poetry.get("urls"), dict):
            urls.update(tool_poetry["urls"])
            used.add("urls")
        if urls:
            metadata.append(("urls", urls))
        scripts = tool_poetry.get("scripts")
        if isinstance(scripts, dict):
            console, other = _split_scripts(scripts)
            if console or not other:
                metadata.append(("scripts", console))
            if other:
                remainder["scripts"] = other
            else:
                used.add("scripts")
        plugins = tool_poetry.get("plugins")
        if isinstance(plugins, dict) and all(
            isinstance(g, dict) and all(isinstance(v, str) for v in g.values()) for g in plugins.values()
        ):
            metadata.append(("entry-points", {k: dict(v) for k, v in plugins.items()}))
            used.add("plugins")
    elif project is not None and not project.get("scripts") and isinstance(tool_poetry.get("scripts"), dict):
        console, other = _split_scripts(tool_poetry["scripts"])
        if console:
            project = _with_scripts(project, console)
            if other:
                remainder["scripts"] = other
            else:
                used.add("scripts")
    for key, value in tool_poetry.items():
        if key not in used:
            raws.append(Raw(format="poetry", key=f"tool.poetry.{key}", value=remainder.get(key, value)))
    if legacy:
        from ....ir.model import Project

        project = Project(name=tool_poetry.get("name"), version=tool_poetry.get("version"), metadata=tuple(metadata))
    return project, raws


def _with_scripts(project: Project, console: dict[str, str]) -> Project:
    """``project`` with ``scripts`` = ``console`` (replacing an empty ``[project.scripts]``); ``scripts`` leaves
    ``dynamic`` (a static field must not be listed there)."""
    meta: list[tuple[str, Any]] = []
    for key, value in project.metadata:
        if key == "scripts":
            continue
        if key == "dynamic" and isinstance(value, list) and "scripts" in value:
            value = [d for d in value if d != "scripts"]
            if not value:
                continue
        meta.append((key, value))
    meta.append(("scripts", console))
    return dataclasses.replace(project, metadata=tuple(meta))


def _split_scripts(scripts: dict[str, Any]) -> tuple[dict[str, str], dict[str, Any]]:
    """(console scripts, the other entries). A console script is ``name = "module:func"`` or poetry-core's
    ``{reference = "module:func", type = "console"}`` (the same entry point; written back as the string). A file
    script (``{reference = "bin/x.sh", type = "file"}``) or a script with extras (``{callable = ..., extras =
    [...]}``) has no PEP 621 spelling and stays in ``[tool.poetry.scripts]`` as Raw."""
    console: dict[str, str] = {}
    other: dict[str, Any] = {}
    for name, value in scripts.items():
        if isinstance(value, str):
            console[name] = value
        elif (isinstance(value, dict) and value.keys() == {"reference", "type"} and value["type"] == "console"
              and isinstance(value["reference"], str)):
            console[name] = value["reference"]
        else:
            other[name] = value
    return console, other


def raw_keys(raws: tuple[Raw, ...]) -> dict[str, Any]:
    """``{key: value}`` of the ``tool.poetry.<key>`` Raw entries (document order)."""
    out: dict[str, Any] = {}
    for r in raws:
        if r.format == "poetry" and r.key.startswith("tool.poetry.") and r.key.count(".") == 2:
            out[r.key.split(".", 2)[2]] = r.value
    return out


def poetry_metadata(project: Project | None) -> dict[str, Any]:
    """Poetry 1 ``[tool.poetry]`` metadata keys for ``project`` (PEP 621 names mapped back)."""
    out: dict[str, Any] = {}
    if project is None:
        return out
    if project.name:
        out["name"] = project.name
    if project.version:
        out["version"] = project.version
    meta = dict(project.metadata)
    if "description" in meta:
        out["description"] = meta["description"]
    for key in ("authors", "maintainers"):
        if isinstance(meta.get(key), list):
            people = [_person_text(p) for p in meta[key]]
            out[key] = [p for p in people if p]
    lic = meta.get("license")
    if isinstance(lic, str):
        out["license"] = lic
    elif isinstance(lic, dict) and isinstance(lic.get("text"), str):
        out["license"] = lic["text"]
    readme = meta.get("readme")
    if isinstance(readme, str):
        out["readme"] = readme
    elif isinstance(readme, dict) and isinstance(readme.get("file"), str):
        out["readme"] = readme["file"]
    urls = dict(meta.get("urls") or {})
    for key, label in _URL_KEYS.items():
        for k in list(urls):
            if k.lower() == label.lower():
                out[key] = urls.pop(k)
    for key in ("keywords", "classifiers"):
        if key in meta:
            out[key] = meta[key]
    if urls:
        out["urls"] = urls
    if isinstance(meta.get("scripts"), dict):
        out["scripts"] = meta["scripts"]
    if isinstance(meta.get("entry-points"), dict):
        out["plugins"] = meta["entry-points"]
    return out


def project_metadata(project: Project | None) -> dict[str, Any]:
    """PEP 621 ``[project]`` keys (name, version, then metadata in order)."""
    out: dict[str, Any] = {}
    if project is None:
        return out
    if project.name:
        out["name"] = project.name
    if project.version:
        out["version"] = project.version
    for key, value in project.metadata:
        out[key] = value
    return out
