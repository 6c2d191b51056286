"""Reading pyproject.toml into one Manifest: every dependency table depglot knows.

``[project]`` (dependencies, optional-dependencies -> EXTRA groups, requires-python, dynamic and the metadata),
PEP 735 ``[dependency-groups]`` (with ``{include-group = ...}``), ``[build-system]`` (kept as Raw), ``[tool.uv]``
and ``[tool.pdm]`` (their own modules), then ``[tool.poetry]`` through the Poetry module when present.
``dynamic = ["dependencies"]`` is resolved from ``[tool.setuptools.dynamic]`` requirement files.
"""

from __future__ import annotations

import os
from typing import Any

from ...edit.tomlspan import TomlLocator, load_toml
from ...errors import ParseError, unexpected_structure
from ...format import ReadOptions
from ...ir.model import MAIN, Group, GroupKind, Manifest, Project, Raw, Requirement
from ...report import Report, Severity
from ...span import Span
from .common import requirement_at, split_bom

__all__ = ["PROJECT_DEP_KEYS", "read_dynamic", "read_pyproject", "read_requirement_list"]

# [project] keys that hold dependency information (everything else is metadata).
PROJECT_DEP_KEYS = frozenset({"name", "version", "dependencies", "optional-dependencies", "requires-python"})


def read_pyproject(text: str, options: ReadOptions, *, format_name: str) -> Manifest:
    """Read every dependency table of a pyproject.toml (see the module docstring).

    A value of the wrong type in a table depglot reads is a ParseError, never a traceback.
    """
    try:
        return _read_pyproject(text, options, format_name=format_name)
    except (TypeError, AttributeError, KeyError) as exc:
        raise unexpected_structure("pyproject.toml", options.path, "pyproject", exc) from None


def _read_pyproject(text: str, options: ReadOptions, *, format_name: str) -> Manifest:
    file = options.path
    doc = load_toml(text, file, dialect="pyproject")
    _, body = split_bom(text)
    loc = TomlLocator(body, file)
    report = Report()

    project_tbl = doc.get("project")
    if project_tbl is not None and not isinstance(project_tbl, dict):
        raise _bad(loc, "[project] must be a table", "project")
    project: Project | None = None
    python = None
    groups: list[Group] = []
    if project_tbl is not None:
        project, python, groups = _read_project(project_tbl, doc, loc, options, report)
    groups.extend(_read_dependency_groups(doc, loc))

    raw: list[Raw] = []
    if "build-system" in doc:
        raw.append(Raw(format="pyproject", key="build-system", value=doc["build-system"], span=loc.span("build-system")))

    manifest = Manifest(
        format=format_name,
        project=project,
        python=python,
        groups=tuple(groups),
        raw=tuple(raw),
        span=Span(file=file, line=1, column=1) if file else None,
    )
    tool_table = doc.get("tool")
    tool: dict[str, Any] = tool_table if isinstance(tool_table, dict) else {}
    if "uv" in tool:
        from .uv import read_uv

        manifest = read_uv(doc, loc, manifest, report)
    if "pdm" in tool:
        from .pdm import read_pdm

        manifest = read_pdm(doc, loc, manifest, report)
    elif "${PROJECT_ROOT}" in text:
        from .pdm import project_root_paths

        manifest = project_root_paths(manifest)
    if "poetry" in tool:
        read_poetry = _poetry_reader()
        if read_poetry is not None:
            manifest = read_poetry(doc, loc, manifest)
    if report:
        manifest = manifest.replace(losses=(*manifest.losses, *report.losses))
    return manifest


def _poetry_reader() -> Any:
    """The Poetry module's ``read_poetry`` (Poetry semantics for [tool.poetry]); None while it does not exist."""
    import importlib.util

    if importlib.util.find_spec(f"{__package__}.poetry") is None:
        return None
    from .poetry import read_poetry

    return read_poetry


def read_dynamic(text: str, options: ReadOptions) -> dict[tuple[str, str], tuple[Requirement, ...]]:
    """What a pyproject's dynamic dependencies/optional-dependencies resolve to, keyed (kind, name)."""
    doc = load_toml(text, options.path, dialect="pyproject")
    loc = TomlLocator(split_bom(text)[1], options.path)
    report = Report()
    out: dict[tuple[str, str], tuple[Requirement, ...]] = {}
    main = _dynamic_dependencies(doc, loc, options, report)
    if main is not None:
        out["main", ""] = main.requirements
    for g in _dynamic_extras(doc, loc, options, report):
        out["extra", g.name] = g.requirements
    return out


def _bad(loc: TomlLocator, message: str, *path: str | int, hint: str | None = None) -> ParseError:
    span = loc.span(*path)
    return ParseError(message, span=span, source_line=loc.line_text(span.line or 0) or None, dialect="pyproject",
                      hint=hint)


def read_requirement_list(values: Any, loc: TomlLocator, *path: str | int) -> tuple[Requirement, ...]:
    """A TOML array of PEP 508 strings (``path`` names the array)."""
    if not isinstance(values, list):
        raise _bad(loc, f"{'.'.join(str(p) for p in path)} must be an array of PEP 508 strings", *path)
    out = []
    for i, item in enumerate(values):
        if not isinstance(item, str):
            raise _bad(loc, f"expected a PEP 508 string, got {type(item).__name__}", *path, i)
        out.append(requirement_at(item, loc, *path, i))
    return tuple(out)


def _read_project(
    tbl: dict[str, Any], doc: dict[str, Any], loc: TomlLocator, options: ReadOptions, report: Report
) -> tuple[Project, Any, list[Group]]:
    from ...dialects.pep440 import parse as parse_pep440

    name = tbl.get("name")
    dynamic = tbl.get("dynamic") or []
    if name is None and "name" not in dynamic and ("dependencies" in tbl or "optional-dependencies" in tbl):
        raise _bad(loc, "[project] has dependencies but no name", "project",
                   hint="PEP 621 requires project.name; add name = \"...\"")
    metadata = tuple((k, v) for k, v in tbl.items() if k not in PROJECT_DEP_KEYS)
    project = Project(name=name, version=tbl.get("version"), metadata=metadata)

    python = None
    if "requires-python" in tbl:
        rp = tbl["requires-python"]
        span = loc.span("project", "requires-python")
        if not isinstance(rp, str):
            raise _bad(loc, "project.requires-python must be a string", "project", "requires-python")
        python = parse_pep440(rp, span=span)

    groups: list[Group] = []
    if "dependencies" in tbl:
        reqs = read_requirement_list(tbl["dependencies"], loc, "project", "dependencies")
        groups.append(Group(name=MAIN, kind=GroupKind.MAIN, requirements=reqs, span=loc.span("project", "dependencies")))
    elif "dependencies" in dynamic:
        main = _dynamic_dependencies(doc, loc, options, report)
        if main is not None:
            groups.append(main)
    extras = tbl.get("optional-dependencies") or {}
    if not isinstance(extras, dict):
        raise _bad(loc, "project.optional-dependencies must be a table", "project", "optional-dependencies")
    for extra, values in extras.items():
        reqs = read_requirement_list(values, loc, "project", "optional-dependencies", extra)
        groups.append(Group(name=extra, kind=GroupKind.EXTRA, requirements=reqs,
                            span=loc.span("project", "optional-dependencies", extra)))
    if "optional-dependencies" in dynamic and "optional-dependencies" not in tbl:
        groups.extend(_dynamic_extras(doc, loc, options, report))
    return project, python, groups


def _setuptools_dynamic(doc: dict[str, Any]) -> dict[str, Any]:
    tool = doc.get("tool") or {}
    st = tool.get("setuptools") or {}
    dyn = st.get("dynamic") or {}
    return dyn if isinstance(dyn, dict) else {}


def _dynamic_dependencies(
    doc: dict[str, Any], loc: TomlLocator, options: ReadOptions, report: Report
) -> Group | None:
    """``dynamic = ["dependencies"]``: from setuptools' requirement files, else Poetry's table, else reported."""
    entry = _setuptools_dynamic(doc).get("dependencies")
    key = ("tool", "setuptools", "dynamic", "dependencies")
    if isinstance(entry, dict) and "file" in entry:
        reqs = _read_req_files(entry["file"], loc, options, report, key, "dependencies")
        if reqs is not None:
            return Group(name=MAIN, kind=GroupKind.MAIN, requirements=reqs,
                         raw=(Raw(format="setuptools", key="dynamic", value=entry),), span=loc.span(*key))
        return None
    if "poetry" in (doc.get("tool") or {}):
        return None  # the Poetry reader fills the dependencies from [tool.poetry.dependencies]
    report.add("dynamic-unresolved", Severity.ERROR,
               "project.dependencies is dynamic and no static source names it; the dependencies are unknown",
               subject="dependencies", span=loc.span("project", "dynamic"))
    return None


def _dynamic_extras(doc: dict[str, Any], loc: TomlLocator, options: ReadOptions, report: Report) -> list[Group]:
    entry = _setuptools_dynamic(doc).get("optional-dependencies")
    key = ("tool", "setuptools", "dynamic", "optional-dependencies")
    if not isinstance(entry, dict):
        if "poetry" not in (doc.get("tool") or {}):
            report.add("dynamic-unresolved", Severity.ERROR,
                       "project.optional-dependencies is dynamic and no static source names it",
                       subject="optional-dependencies", span=loc.span("project", "dynamic"))
        return []
    out = []
    for extra, spec in entry.items():
        if isinstance(spec, dict) and "file" in spec:
            reqs = _read_req_files(spec["file"], loc, options, report, (*key, extra), extra)
            if reqs is not None:
                out.append(Group(name=extra, kind=GroupKind.EXTRA, requirements=reqs,
                                 raw=(Raw(format="setuptools", key="dynamic", value=spec),),
                                 span=loc.span(*key, extra)))
    return out


def _read_req_files(
    files: Any, loc: TomlLocator, options: ReadOptions, report: Report, key: tuple[str, ...], subject: str
) -> tuple[Requirement, ...] | None:
    """Minimal requirements-file reading (PEP 508 lines, comments, blank lines) for setuptools' ``file =``."""
    from ...dialects.pep508 import parse_requirement

    names = [files] if isinstance(files, str) else list(files or [])
    span = loc.span(*key)
    if options.path is None:
        report.add("dynamic-unresolved", Severity.ERROR,
                   f"{subject} come from {', '.join(names)}, which cannot be read without the pyproject's path",
                   subject=subject, span=span)
        return None
    base = os.path.dirname(os.path.abspath(options.path))
    out: list[Requirement] = []
    for name in names:
        path = os.path.normpath(os.path.join(base, name))
        try:
            with open(path, encoding="utf-8") as fh:
                lines = fh.read().splitlines()
        except OSError as exc:
            report.add("dynamic-unresolved", Severity.ERROR, f"{subject}: cannot read {name}: {exc.strerror or exc}",
                       subject=subject, span=span)
            return None
        shown = os.path.join(os.path.dirname(options.path), name)
        for number, line in enumerate(lines, start=1):
            text = line.split(" #", 1)[0].strip() if not line.lstrip().startswith("#") else ""
            if not text:
                continue
            line_span = Span(file=shown, line=number, column=1)
            if text.startswith("-"):
                report.add("dynamic-unresolved", Severity.ERROR,
                           f"{name}:{number}: {text!r} is a pip option; setuptools does not accept it",
                           subject=subject, span=line_span)
                continue
            out.append(parse_requirement(text, span=line_span))
    return tuple(out)


def _read_dependency_groups(doc: dict[str, Any], loc: TomlLocator) -> list[Group]:
    tbl = doc.get("dependency-groups")
    if tbl is None:
        return []
    if not isinstance(tbl, dict):
        raise _bad(loc, "[dependency-groups] must be a table", "dependency-groups")
    out = []
    for name, items in tbl.items():
        if not isinstance(items, list):
            raise _bad(loc, f"dependency-groups.{name} must be an array", "dependency-groups", name)
        reqs: list[Requirement] = []
        includes: list[str] = []
        for i, item in enumerate(items):
            if isinstance(item, str):
                reqs.append(requirement_at(item, loc, "dependency-groups", name, i))
            elif isinstance(item, dict) and set(item) == {"include-group"} and isinstance(item["include-group"], str):
                target = item["include-group"]
                includes.append(target)
            else:
                raise _bad(loc, f"dependency-groups.{name}[{i}] must be a PEP 508 string or {{include-group = \"...\"}}",
                           "dependency-groups", name, i)
        for target in includes:
            if target not in tbl and _norm(target) not in {_norm(k) for k in tbl}:
                raise _bad(loc, f"dependency-groups.{name} includes {target!r}, which is not a group",
                           "dependency-groups", name)
        out.append(Group(name=name, kind=GroupKind.GROUP, requirements=tuple(reqs), includes=tuple(includes),
                         span=loc.span("dependency-groups", name)))
    return out


def _norm(name: str) -> str:
    from ...ir.model import canonical_name

    return canonical_name(name)
