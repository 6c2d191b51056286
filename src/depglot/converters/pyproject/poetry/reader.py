"""``[tool.poetry]`` with Poetry's semantics, applied on top of what the pyproject reader found.

The reference is poetry-core's ``Factory.configure_package`` and ``DependencyGroup.dependencies_for_locking``:

* **Poetry 1** (no ``[project]`` dependencies nor optional-dependencies): ``tool.poetry.dependencies`` are the
  main dependencies (``python`` -> the manifest's python), ``tool.poetry.extras`` name optional dependencies
  (-> EXTRA groups holding them), the metadata maps to PEP 621 names when there is no ``[project]`` table.
* **Poetry 2** (``[project]`` declares dependencies): they win; a ``tool.poetry.dependencies`` entry of the same
  name *enriches* them (source, develop, allow-prereleases, a narrower version, a marker split), entries naming
  nothing in ``[project]`` are ignored by Poetry (reported), ``tool.poetry.extras`` is ignored.
* Groups: PEP 735 ``[dependency-groups]`` (read by the pyproject reader) take ``optional`` and enrichment from
  ``tool.poetry.group.<g>``; other ``tool.poetry.group.<g>`` are groups; ``dev-dependencies`` joins group
  ``dev``; ``include-groups`` add to the group's includes.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from ....edit.tomlspan import TomlLocator
from ....errors import ParseError
from ....ir.model import (
    MAIN,
    Group,
    GroupKind,
    Index,
    IndexRef,
    LocalPath,
    Manifest,
    Raw,
    Requirement,
    Url,
    Vcs,
    canonical_name,
)
from ....ir.versions import VersionSpec, range_to_pep440
from ....report import Loss, Severity
from .entries import parse_entry, strip_git_prefix
from .extra_markers import split_extra_marker
from .metadata import read_metadata
from .sources import read_sources

__all__ = ["is_legacy", "read_poetry"]

_TP = ("tool", "poetry")


def is_legacy(doc: dict[str, Any]) -> bool:
    """Poetry 1 semantics: ``[project]`` declares neither dependencies nor optional-dependencies."""
    project = doc.get("project")
    if not isinstance(project, dict):
        return True
    return "dependencies" not in project and not project.get("optional-dependencies")


def _bad(loc: TomlLocator, message: str, *path: str | int) -> ParseError:
    span = loc.span(*path)
    return ParseError(message, span=span, source_line=loc.line_text(span.line or 0) or None, dialect="poetry")


def _table(value: Any, loc: TomlLocator, *path: str | int) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _bad(loc, f"{'.'.join(str(p) for p in path)} must be a table", *path)
    return value


def _read_deps(
    table: dict[str, Any], loc: TomlLocator, path: tuple[str, ...], losses: list[Loss]
) -> tuple[list[tuple[str, list[Requirement]]], str | None]:
    """[(name, requirements)] of a Poetry dependency table, and its ``python`` constraint text."""
    out: list[tuple[str, list[Requirement]]] = []
    python = None
    for name, value in table.items():
        if name.lower() == "python":
            if isinstance(value, str):
                python = value
            continue
        out.append((name, parse_entry(name, value, loc=loc, path=(*path, name), losses=losses)))
    return out, python


def read_poetry(doc: dict[str, Any], loc: TomlLocator, manifest: Manifest) -> Manifest:
    """``manifest`` (from ``[project]``/``[dependency-groups]``) combined with ``[tool.poetry]``."""
    from ....dialects import poetry as poetry_dialect

    tp = _table(doc.get("tool", {}).get("poetry"), loc, *_TP)
    losses: list[Loss] = []
    legacy = is_legacy(doc)
    has_project = isinstance(doc.get("project"), dict)

    indexes = read_sources(tp, loc)
    main_entries, python_text = _read_deps(_table(tp.get("dependencies"), loc, *_TP, "dependencies"),
                                           loc, (*_TP, "dependencies"), losses)

    python = manifest.python
    raw: list[Raw] = list(manifest.raw)
    if python_text is not None:
        span = loc.span(*_TP, "dependencies", "python")
        spec = poetry_dialect.parse(python_text, span=span)
        if python is None:
            python = spec
        else:
            raw.append(Raw(format="poetry", key="tool.poetry.dependencies.python", value=python_text, span=span))

    groups = list(manifest.groups)
    if legacy:
        groups = [g for g in groups if g.kind is not GroupKind.MAIN]
        main_reqs = [r for _, reqs in main_entries for r in reqs]
        main_span = loc.span(*_TP, "dependencies") if "dependencies" in tp else None
        extras = _read_extras(tp, loc, main_reqs, losses)
        in_extras = {r.key for g in extras for r in g.requirements}
        main = Group(
            name=MAIN, kind=GroupKind.MAIN, span=main_span,
            requirements=tuple(r for r in main_reqs if not (r.optional and r.key in in_extras)),
        )
        extras = [g.replace(requirements=tuple(r.replace(optional=False) for r in g.requirements)) for g in extras]
        groups = [main, *extras, *groups] if (main_entries or extras) else [*extras, *groups]
    else:
        by_name = {canonical_name(n): reqs for n, reqs in main_entries}
        used: set[str] = set()
        groups = _mixed_dynamic(doc, groups, main_entries, used)
        groups = [
            _enrich_group(g, by_name, used) if g.kind in (GroupKind.MAIN, GroupKind.EXTRA) else g for g in groups
        ]
        for name, reqs in main_entries:
            if canonical_name(name) not in used:
                losses.append(Loss(
                    code="poetry-dependency-ignored", severity=Severity.WARNING,
                    message=f"{name!r} is in [tool.poetry.dependencies] but not in [project]; Poetry ignores it "
                            "(add it to project.dependencies to use it)",
                    subject=name, span=reqs[0].span,
                ))
        if "extras" in tp:
            losses.append(Loss(
                code="poetry-extras-ignored", severity=Severity.WARNING,
                message="[tool.poetry.extras] is ignored by Poetry because [project] declares dependencies; "
                        "use project.optional-dependencies",
                subject="extras", span=loc.span(*_TP, "extras"),
            ))

    groups = _read_groups(tp, loc, groups, losses)
    _check_sources(groups, indexes, manifest.indexes, losses)

    project, meta_raw = read_metadata(tp, legacy=not has_project, project=manifest.project)
    # targets without [tool.poetry] report each Raw key they drop (ir.features): it carries where the key is
    raw.extend(dataclasses.replace(r, span=loc.span(*_TP, r.key.split(".", 2)[2])) for r in meta_raw)
    if not has_project and tp.get("classifiers"):
        # poetry-core adds Python-version classifiers to these when it builds (its dynamic classifiers); a static
        # [project].classifiers gets none: a marker (no value to write) that targets holding the list report
        raw.append(Raw(format="poetry", key="tool.poetry.classifiers.generated", value=True,
                       span=loc.span(*_TP, "classifiers")))
    return manifest.replace(
        project=project,
        python=python,
        groups=tuple(groups),
        indexes=(*manifest.indexes, *indexes),
        raw=tuple(raw),
        losses=(*manifest.losses, *losses),
    )


def _mixed_dynamic(
    doc: dict[str, Any], groups: list[Group], entries: list[tuple[str, list[Requirement]]], used: set[str]
) -> list[Group]:
    """poetry-core's ``mixed_dynamic`` main group: ``[project]`` declares only optional-dependencies (or only
    dependencies) and lists the other in ``dynamic``; ``[tool.poetry.dependencies]`` supplies the missing kind."""
    project = doc.get("project") or {}
    dynamic = project.get("dynamic") or []
    if "dependencies" not in dynamic and "optional-dependencies" not in dynamic:
        return groups
    main = next((g for g in groups if g.kind is GroupKind.MAIN), None)
    if main is None or not main.requirements:
        add = [r for _, reqs in entries for r in reqs if not r.optional]
        kept = [g for g in groups if g.kind is not GroupKind.MAIN]
        used.update(r.key for r in add)
        return [Group(name=MAIN, kind=GroupKind.MAIN, requirements=tuple(add)), *kept]
    add = [r for _, reqs in entries for r in reqs if r.optional]
    used.update(r.key for r in add)
    return [g.replace(requirements=(*g.requirements, *add)) if g is main else g for g in groups]


def _read_extras(tp: dict[str, Any], loc: TomlLocator, main: list[Requirement], losses: list[Loss]) -> list[Group]:
    extras = _table(tp.get("extras"), loc, *_TP, "extras")
    out = []
    for extra, names in extras.items():
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise _bad(loc, f"tool.poetry.extras.{extra} must be an array of dependency names", *_TP, "extras", extra)
        reqs: list[Requirement] = []
        for name in names:
            key = canonical_name(name.split("[")[0].strip())
            found = [r for r in main if r.key == key]
            if any(r.optional and split_extra_marker(r.marker)[0] is not None for r in found):
                found = _entries_of_extra(found, canonical_name(extra))
            if not found:
                losses.append(Loss(
                    code="poetry-extra-unknown-dependency", severity=Severity.WARNING,
                    message=f"extra {extra!r} names {name!r}, which is not a dependency; Poetry ignores it",
                    subject=name, span=loc.span(*_TP, "extras", extra, needle=name),
                ))
            reqs.extend(found)
        out.append(Group(name=extra, kind=GroupKind.EXTRA, requirements=tuple(reqs),
                         span=loc.span(*_TP, "extras", extra)))
    return out


def _entries_of_extra(found: list[Requirement], extra: str) -> list[Requirement]:
    """A name with optional entries marked ``extra == '...'`` (the multiple-constraints form for per-extra
    requirements, see :mod:`.extra_markers`): the extra holds the optional entries whose clause names it, with the
    clause taken off their marker, and those without a clause; the non-optional entries are the main ones."""
    out = []
    for r in found:
        if not r.optional:
            continue
        extras, rest = split_extra_marker(r.marker)
        if extras is None:
            out.append(r)
        elif extra in extras:
            out.append(r.replace(marker=rest))
    return out


def _read_groups(tp: dict[str, Any], loc: TomlLocator, groups: list[Group], losses: list[Loss]) -> list[Group]:
    poetry_groups = _table(tp.get("group"), loc, *_TP, "group")
    index = {canonical_name(g.name): i for i, g in enumerate(groups) if g.kind is GroupKind.GROUP}
    for name, config in poetry_groups.items():
        config = _table(config, loc, *_TP, "group", name)
        path = (*_TP, "group", name)
        entries, _ = _read_deps(_table(config.get("dependencies"), loc, *path, "dependencies"), loc,
                                (*path, "dependencies"), losses)
        includes = config.get("include-groups", [])
        if not isinstance(includes, list) or not all(isinstance(i, str) for i in includes):
            raise _bad(loc, f"tool.poetry.group.{name}.include-groups must be an array of group names", *path)
        optional = config.get("optional", False)
        if not isinstance(optional, bool):
            raise _bad(loc, f"tool.poetry.group.{name}.optional must be true or false", *path, "optional")
        key = canonical_name(name)
        if key in index:
            g = groups[index[key]]
            if g.requirements:
                by_name = {canonical_name(n): reqs for n, reqs in entries}
                used: set[str] = set()
                g = _enrich_group(g, by_name, used)
                for n, reqs in entries:
                    if canonical_name(n) not in used:
                        losses.append(Loss(
                            code="poetry-dependency-ignored", severity=Severity.WARNING,
                            message=f"{n!r} is in [tool.poetry.group.{name}.dependencies] but not in "
                                    f"[dependency-groups].{g.name}; Poetry ignores it",
                            subject=n, span=reqs[0].span,
                        ))
            else:
                g = g.replace(requirements=tuple(r for _, reqs in entries for r in reqs))
            groups[index[key]] = g.replace(optional=g.optional or optional, includes=(*g.includes, *includes))
        else:
            groups.append(Group(name=name, kind=GroupKind.GROUP, optional=optional, includes=tuple(includes),
                                requirements=tuple(r for _, reqs in entries for r in reqs), span=loc.span(*path)))
            index[key] = len(groups) - 1
    if "dev-dependencies" in tp:
        dev_path = (*_TP, "dev-dependencies")
        entries, _ = _read_deps(_table(tp["dev-dependencies"], loc, *dev_path), loc, dev_path, losses)
        dev_reqs = tuple(r for _, rs in entries for r in rs)
        if "dev" in index:
            g = groups[index["dev"]]
            groups[index["dev"]] = g.replace(requirements=(*g.requirements, *dev_reqs))
        else:
            groups.append(Group(name="dev", kind=GroupKind.GROUP, requirements=dev_reqs, span=loc.span(*dev_path),
                                raw=(Raw(format="poetry", key="dev-dependencies", value=True),)))
    known = {canonical_name(g.name) for g in groups if g.kind is GroupKind.GROUP}
    for g in groups:
        for inc in g.includes:
            if canonical_name(inc) not in known:
                raise _bad(loc, f"group {g.name!r} includes group {inc!r}, which is not defined", *_TP, "group",
                           g.name)
    return groups


def _check_sources(
    groups: list[Group], indexes: list[Index], other: tuple[Index, ...], losses: list[Loss]
) -> None:
    names = {ix.name.lower() for ix in (*indexes, *other) if ix.name}
    names.add("pypi")
    for g in groups:
        for r in g.requirements:
            if isinstance(r.source, IndexRef) and r.source.name.lower() not in names:
                losses.append(Loss(
                    code="poetry-source-undeclared", severity=Severity.ERROR,
                    message=f"{r.name!r} names source {r.source.name!r}, which no [[tool.poetry.source]] declares; "
                            "Poetry cannot install it",
                    subject=r.name, span=r.span, data={"source": r.source.name},
                ))


# ------------------------------------------------------------------------------------------------ enrichment


def _enrich_group(group: Group, by_name: dict[str, list[Requirement]], used: set[str]) -> Group:
    out: list[Requirement] = []
    for req in group.requirements:
        entries = by_name.get(req.key)
        if not entries:
            out.append(req)
            continue
        used.add(req.key)
        if len(entries) > 1:
            from .entries import _norm_marker

            exact = [p for p in entries if _norm_marker(p.marker) == _norm_marker(req.marker)]
            if exact:
                entries = exact
        out.extend(_enrich(req, p) for p in entries)
    return group.replace(requirements=tuple(out))


def _enrich(req: Requirement, poetry: Requirement) -> Requirement:
    """poetry-core's ``_enrich_dependency``: the [project] requirement with the Poetry entry's detail."""
    from ....dialects.markers import and_markers
    from .entries import _norm_marker

    marker = req.marker
    if poetry.marker is not None and _norm_marker(poetry.marker) != _norm_marker(req.marker):
        marker = and_markers(req.marker, poetry.marker)
    direct = (Vcs, LocalPath, Url)
    if isinstance(req.source, direct):
        # the Poetry entry's source keeps branch/tag, which PEP 508's @ref cannot tell
        source = poetry.source if _same_source(req.source, poetry.source) else req.source
        editable = poetry.editable if isinstance(req.source, (Vcs, LocalPath)) else req.editable
        return req.replace(source=source, editable=editable, marker=marker,
                           allow_prereleases=poetry.allow_prereleases, raw=(*req.raw, *poetry.raw))
    return req.replace(
        version=_intersect(req.version, poetry.version),
        marker=marker,
        source=poetry.source if poetry.source is not None else req.source,
        editable=poetry.editable,
        allow_prereleases=poetry.allow_prereleases,
        raw=(*req.raw, *poetry.raw),
    )


def _same_source(a: Any, b: Any) -> bool:
    if isinstance(a, Vcs) and isinstance(b, Vcs):
        return strip_git_prefix(a.url) == strip_git_prefix(b.url) and a.rev == b.rev and (
            a.subdirectory == b.subdirectory)
    return False


def _intersect(a: VersionSpec | None, b: VersionSpec | None) -> VersionSpec | None:
    if b is None or b.is_any:
        return a
    if a is None or a.is_any:
        return b
    both = a.versions.intersection(b.versions)
    if _same(both, a.versions):
        return a
    if _same(both, b.versions):
        return b
    text = range_to_pep440(both)
    if text is not None:
        return VersionSpec(raw=text, dialect="pep440", versions=both, pep440=text)
    return VersionSpec(raw=f"{a.raw},{b.raw}", dialect="poetry", versions=both, pep440=None)


def _same(x: Any, y: Any) -> bool:
    return bool(x.difference(y).is_empty and y.difference(x).is_empty)
