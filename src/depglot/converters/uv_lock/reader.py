"""Reading uv.lock (lock version 1, every revision): packages, sources, files with hashes, groups and markers.

Each ``[[package]]`` becomes a :class:`LockedPackage` with its files (sdist and wheels: name, URL, hash) and its
source (registry URL -> ``index``; ``git`` -> Vcs pinned to the locked commit; ``url`` -> Url; ``path`` /
``directory`` -> LocalPath; ``editable`` -> LocalPath installed editable). The project at ``.`` (or, in a
workspace without one, every member) is the root: its ``dependencies``, ``optional-dependencies`` and
``dev-dependencies`` become the main group, extras and groups of ``==`` pins with hashes, each package with the
marker of the paths that reach it (:mod:`.graph`).
"""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from ...edit.tomlspan import TomlLocator, load_toml
from ...errors import ParseError, unexpected_structure
from ...format import ReadOptions
from ...ir.model import (
    MAIN,
    Group,
    GroupKind,
    Index,
    IndexRef,
    IndexRole,
    LocalPath,
    Lock,
    LockedPackage,
    LockFile,
    Manifest,
    Project,
    Raw,
    Requirement,
    Source,
    Url,
    Vcs,
    canonical_name,
)
from ...ir.versions import VersionSpec
from ...report import Report, Severity
from ...span import Span
from .graph import Edge, Node, reach, render_paths

__all__ = ["PYPI_URLS", "read_uv_lock"]

PYPI_URLS = frozenset({"https://pypi.org/simple", "https://pypi.org/simple/"})


def _bad(loc: TomlLocator, message: str, *path: str | int) -> ParseError:
    span = loc.span(*path)
    return ParseError(message, span=span, source_line=loc.line_text(span.line or 0) or None, dialect="uv-lock")


def git_source(url: str) -> Vcs:
    """``https://host/repo?rev=v1&subdirectory=x#<commit>`` -> Vcs pinned to the commit."""
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    commit = parts.fragment or None
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    sub = query.get("subdirectory", [None])[0]
    if commit is None:
        for kind in ("rev", "tag", "branch"):
            if kind in query:
                return Vcs(vcs="git", url=base, rev=query[kind][0], rev_kind=kind, subdirectory=sub)
    return Vcs(vcs="git", url=base, rev=commit, rev_kind="rev" if commit else None, subdirectory=sub)


def _source(src: dict[str, Any]) -> tuple[Source | None, str | None, bool, bool]:
    """(source, registry url, editable, virtual) of a package's ``source`` table."""
    if "registry" in src:
        return None, src["registry"], False, False
    if "git" in src:
        return git_source(src["git"]), None, False, False
    if "url" in src:
        parts = urlsplit(src["url"])
        sub = parse_qs(parts.query).get("subdirectory", [None])[0]
        return Url(url=src["url"], subdirectory=sub), None, False, False
    if "editable" in src:
        return LocalPath(path=src["editable"]), None, True, False
    if "path" in src:
        return LocalPath(path=src["path"]), None, False, False
    if "directory" in src:
        return LocalPath(path=src["directory"]), None, False, False
    if "virtual" in src:
        return LocalPath(path=src["virtual"]), None, False, True
    return None, None, False, False


def _file(entry: dict[str, Any], kind: str) -> LockFile:
    url = entry.get("url")
    path = entry.get("path")
    where = url or path or ""
    name = unquote(os.path.basename(urlsplit(where).path)) if where else None
    h = entry.get("hash")
    return LockFile(name=name or None, url=url, path=path, hashes=(h,) if h else (), kind=kind)


def _index_name(url: str) -> str:
    host = urlsplit(url).netloc.split("@")[-1].split(":")[0]
    return canonical_name(host.replace(".", "-")) or "index"


def read_uv_lock(text: str, options: ReadOptions) -> Manifest:
    """Read a uv.lock; a value of the wrong type anywhere is a ParseError, never a traceback."""
    try:
        return _read_uv_lock(text, options)
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        raise unexpected_structure("uv.lock", options.path, "uv-lock", exc) from None


def _read_uv_lock(text: str, options: ReadOptions) -> Manifest:
    from ...dialects.pep440 import parse as parse_pep440

    file = options.path
    doc = load_toml(text, file, "uv-lock")
    body = text.removeprefix("\ufeff")
    loc = TomlLocator(body, file)
    report = Report()
    if "version" not in doc:
        raise _bad(loc, "not a uv.lock: no top-level version")
    if doc["version"] != 1:
        raise _bad(loc, f"uv.lock version {doc['version']!r} is not supported (only version 1)", "version")

    package_array = doc.get("package") or []
    if not isinstance(package_array, list):
        raise _bad(loc, "package must be an array of tables ([[package]])", "package")
    packages: list[dict[str, Any]] = []
    by_key: dict[str, list[int]] = {}
    for i, pkg in enumerate(package_array):
        if not isinstance(pkg, dict) or "name" not in pkg:
            raise _bad(loc, "each [[package]] needs a name", "package", i)
        packages.append(pkg)
        by_key.setdefault(canonical_name(pkg["name"]), []).append(i)

    def target(dep: dict[str, Any], where: tuple[str | int, ...]) -> int:
        cands = by_key.get(canonical_name(dep.get("name", "")), [])
        if "version" in dep:
            cands = [c for c in cands if packages[c].get("version") == dep["version"]] or cands
        if len(cands) > 1 and "source" in dep:
            cands = [c for c in cands if packages[c].get("source") == dep["source"]] or cands
        if not cands:
            raise _bad(loc, f"dependency {dep.get('name')!r} is not a locked package", *where)
        return cands[0]

    def edges(items: list[dict[str, Any]], where: tuple[str | int, ...]) -> list[Edge]:
        return [Edge(target(d, where), d.get("marker"), tuple(d.get("extra", ()))) for d in items]

    nodes: list[Node] = []
    for i, pkg in enumerate(packages):
        node = Node(deps=edges(pkg.get("dependencies", []), ("package", i, "dependencies")))
        for extra, items in (pkg.get("optional-dependencies") or {}).items():
            node.optional[extra] = edges(items, ("package", i, "optional-dependencies", extra))
        nodes.append(node)

    roots = [i for i, p in enumerate(packages)
             if (p.get("source") or {}).get("editable") == "." or (p.get("source") or {}).get("virtual") == "."]
    if not roots:
        manifest_table = doc.get("manifest") or {}
        if not isinstance(manifest_table, dict):
            raise _bad(loc, "manifest must be a table", "manifest")
        members = {canonical_name(m) for m in manifest_table.get("members", [])}
        roots = [i for i, p in enumerate(packages) if canonical_name(p["name"]) in members]
    root_set = set(roots)

    group_edges: list[tuple[str, GroupKind, list[Edge]]] = []
    main_edges = [e for r in roots for e in nodes[r].deps]
    group_edges.append((MAIN, GroupKind.MAIN, main_edges))
    extras: dict[str, list[Edge]] = {}
    groups: dict[str, list[Edge]] = {}
    for r in roots:
        for extra, es in nodes[r].optional.items():
            extras.setdefault(extra, []).extend(es)
        for g, items in (packages[r].get("dev-dependencies") or {}).items():
            groups.setdefault(g, []).extend(edges(items, ("package", r, "dev-dependencies", g)))
    group_edges += [(n, GroupKind.EXTRA, es) for n, es in extras.items()]
    group_edges += [(n, GroupKind.GROUP, es) for n, es in groups.items()]

    # Registries other than PyPI become explicit indexes the pins refer to.
    indexes: dict[str, Index] = {}
    for i, pkg in enumerate(packages):
        reg = (pkg.get("source") or {}).get("registry")
        if reg and reg not in PYPI_URLS and reg not in indexes:
            name = _index_name(reg)
            while any(ix.name == name for ix in indexes.values()):
                name += "-2"
            indexes[reg] = Index(name=name, url=reg, role=IndexRole.EXPLICIT, span=loc.span("package", i, "source"))

    reached_groups: dict[int, list[str]] = {}
    all_paths: dict[int, set[frozenset[str]]] = {}
    out_groups: list[Group] = []
    for name, kind, es in group_edges:
        reached, capped = reach(nodes, es)
        if capped:
            report.add("lock-marker-widened", Severity.WARNING,
                       f"group {name!r}: a package is reached by too many marker paths; it is kept for every "
                       "environment", subject=name, span=loc.span())
        reqs: list[Requirement] = []
        for idx in sorted(reached, key=lambda n: canonical_name(packages[n]["name"])):
            if idx in root_set:
                continue
            reached_groups.setdefault(idx, []).append(name)
            paths = all_paths.setdefault(idx, set())
            for p in reached[idx]:
                from .graph import _add

                _add(paths, p)
            req = _pin(packages[idx], idx, render_paths(reached[idx]), loc, indexes)
            if req is not None:
                reqs.append(req)
        if kind is GroupKind.MAIN and not es and not reqs and not roots:
            continue
        out_groups.append(Group(name=name, kind=kind, requirements=tuple(reqs)))

    locked: list[LockedPackage] = []
    for i, pkg in enumerate(packages):
        src, registry, editable, virtual = _source(pkg.get("source") or {})
        files: list[LockFile] = []
        if "sdist" in pkg:
            files.append(_file(pkg["sdist"], "sdist"))
        files += [_file(w, "wheel") for w in pkg.get("wheels", [])]
        raw: list[Raw] = []
        if editable:
            raw.append(Raw(format="uv-lock", key="editable", value=True))
        if virtual:
            raw.append(Raw(format="uv-lock", key="virtual", value=True))
        if "resolution-markers" in pkg:
            raw.append(Raw(format="uv-lock", key="resolution-markers", value=pkg["resolution-markers"]))
        locked.append(LockedPackage(
            name=pkg["name"],
            version=pkg.get("version"),
            marker=render_paths(all_paths[i]) if i in all_paths else None,
            source=src,
            index=registry,
            files=tuple(files),
            groups=tuple(reached_groups.get(i, ())),
            dependencies=tuple(dict.fromkeys(canonical_name(packages[e.target]["name"]) for e in nodes[i].deps)),
            raw=tuple(raw),
            span=loc.span("package", i),
        ))

    lock_raw = [Raw(format="uv-lock", key=k, value=doc[k]) for k in ("revision", "resolution-markers",
                                                                       "supported-markers", "manifest", "options")
                if k in doc]
    project = None
    if len(roots) == 1 or any(packages[r].get("source", {}).get("editable") == "." or
                              packages[r].get("source", {}).get("virtual") == "." for r in roots):
        root = next(packages[r] for r in roots)
        project = Project(name=root["name"], version=root.get("version"))
    python = None
    if "requires-python" in doc:
        requires_python = doc["requires-python"]
        if not isinstance(requires_python, str):
            raise _bad(loc, "requires-python must be a string", "requires-python")
        python = parse_pep440(requires_python, span=loc.span("requires-python"))
    return Manifest(
        format="uv-lock",
        project=project,
        python=python,
        groups=tuple(out_groups),
        indexes=tuple(indexes.values()),
        lock=Lock(packages=tuple(locked), version=str(doc["version"]), raw=tuple(lock_raw)),
        losses=tuple(report),
        span=Span(file=file, line=1, column=1) if file else None,
    )


def _pin(pkg: dict[str, Any], idx: int, marker: str | None, loc: TomlLocator,
         indexes: dict[str, Index]) -> Requirement | None:
    src, registry, editable, virtual = _source(pkg.get("source") or {})
    if virtual:
        return None
    version = pkg.get("version")
    hashes: list[str] = []
    if "sdist" in pkg and pkg["sdist"].get("hash"):
        hashes.append(pkg["sdist"]["hash"])
    hashes += [w["hash"] for w in pkg.get("wheels", []) if w.get("hash")]
    if registry is not None and registry in indexes:
        src = IndexRef(name=indexes[registry].name or "")
    spec = _pin_spec(version, loc, idx) if version and (registry is not None or src is None
                                                        or isinstance(src, IndexRef)) else None
    return Requirement(
        name=pkg["name"],
        version=spec,
        marker=marker,
        source=src,
        editable=editable,
        hashes=tuple(dict.fromkeys(hashes)),
        span=loc.span("package", idx),
    )


def _pin_spec(version: object, loc: TomlLocator, index: int) -> VersionSpec:
    """``==<version>`` for a locked package; a version that is not PEP 440 is a located ParseError."""
    from ...dialects.pep440 import parse as parse_pep440

    span = loc.span("package", index, "version")
    if not isinstance(version, str):
        raise ParseError(f"version must be a string, got {type(version).__name__}", span=span,
                         source_line=loc.line_text(span.line or 0) or None)
    return parse_pep440(f"=={version}", span=span)
