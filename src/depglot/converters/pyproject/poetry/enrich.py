"""What goes where in the Poetry 2 layout, and comparing what a base file says with what is wanted.

A requirement splits into its ``[project]`` part (a PEP 508 string: name, extras, the PEP 440 version or its
nearest superset, marker, direct URL) and its ``[tool.poetry.dependencies]`` enrichment (source, develop,
allow-prereleases, git branch/tag, relative path, the exact ``||`` version); Poetry intersects the two.
"""

from __future__ import annotations

from typing import Any

from ....dialects import pep440 as pep440_dialect
from ....dialects import poetry as poetry_dialect
from ....edit.tomlspan import TomlLocator
from ....errors import DepglotError
from ....ir.model import Group, IndexRef, LocalPath, Requirement, Url, Vcs
from ....ir.model import canonical_name as cn
from .entries import parse_entry, requirement_key, single_quoted

__all__ = [
    "enrichment", "enrichments", "equivalent", "pep508_part", "req_keys", "same_groups", "same_part", "same_spec",
    "unique_names",
]


def req_keys(reqs: tuple[Requirement, ...] | list[Requirement]) -> list[Any]:
    return [requirement_key(r) for r in reqs]


def pep508_part(req: Requirement) -> Requirement:
    """What ``[project]`` says of ``req`` (the rest goes to the enriching ``[tool.poetry.dependencies]``)."""
    src = req.source
    version = req.version
    if version is not None and version.pep440 is None and version.dialect != "pep440":
        from ....ir.versions import VersionSpec

        text = pep440_dialect.render(version)  # nearest superset; the exact set goes to [tool.poetry]
        version = VersionSpec.from_pep440(text) if text else None
    return req.replace(
        source=None if isinstance(src, (IndexRef, LocalPath)) else src, editable=False, allow_prereleases=None,
        optional=False, version=version, raw=(),
    )


def enrichment(req: Requirement) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    src = req.source
    if isinstance(src, LocalPath):  # PEP 508 has no relative path: the name in [project], the path here
        out["path"] = src.path
        if src.subdirectory:
            out["subdirectory"] = src.subdirectory
        if req.editable:
            out["develop"] = True
        return out
    if isinstance(src, Vcs) and src.rev_kind in ("branch", "tag"):
        out["git"] = src.url
        out[src.rev_kind] = src.rev
        if src.subdirectory:
            out["subdirectory"] = src.subdirectory
    if req.version is not None and req.version.pep440 is None and req.version.dialect != "pep440":
        out["version"] = poetry_dialect.render(req.version)
    if req.allow_prereleases is not None and not isinstance(src, Url):
        out["allow-prereleases"] = req.allow_prereleases
    if isinstance(src, IndexRef):
        out["source"] = src.name
    if req.editable and isinstance(src, Vcs):
        out["develop"] = True
    return out or None


def same_part(old: Requirement, part: Requirement, req: Requirement) -> bool:
    """Whether the written ``old`` string, with Poetry's enrichment, means ``req`` (whose [project] part is
    ``part``)."""
    if requirement_key(old.replace(version=None)) != requirement_key(part.replace(version=None)):
        return False
    need = req.version.versions if req.version is not None and not req.version.is_any else None
    have = old.version.versions if old.version is not None and not old.version.is_any else None
    extra = enrichment(req) or {}
    if "version" in extra and req.version is not None and have is not None:
        have = have.intersection(req.version.versions)
    if need is None or have is None:
        return need is None and have is None
    return bool(need.difference(have).is_empty and have.difference(need).is_empty)


def enrichments(reqs: tuple[Requirement, ...]) -> dict[str, Any]:
    """``[tool.poetry.dependencies]`` entries for ``reqs``; several requirements of one name (each with its
    marker) get a list whose entries repeat each marker, so Poetry pairs them up."""
    by_key: dict[str, list[Requirement]] = {}
    for r in reqs:
        if r.name:
            by_key.setdefault(r.key, []).append(r)
    out: dict[str, Any] = {}
    for rs in by_key.values():
        values = [enrichment(r) for r in rs]
        if all(v is None for v in values):
            continue
        if len(rs) == 1:
            out[rs[0].name] = values[0]
        else:
            out[rs[0].name] = [{**(v or {}), **({"markers": single_quoted(r.marker)} if r.marker else {})}
                               for r, v in zip(rs, values, strict=True)]
    return out


def same_spec(a: Any, b: Any) -> bool:
    if a is None or a.is_any:
        return b is None or b.is_any
    if b is None or b.is_any:
        return False
    return bool(a.same_as(b))


def same_groups(a: list[Group], b: list[Group]) -> bool:
    if len(a) != len(b):
        return False
    for x, y in zip(a, b, strict=True):
        if (x.kind, cn(x.name), x.optional, [cn(i) for i in x.includes]) != (
            y.kind, cn(y.name), y.optional, [cn(i) for i in y.includes]
        ):
            return False
        if req_keys(x.requirements) != req_keys(y.requirements):
            return False
        if [r.name for r in x.requirements] != [r.name for r in y.requirements]:
            return False  # a respelled name is a change to write (``depglot normalize``)
    return True


def unique_names(names: list[str]) -> list[str]:
    out: list[str] = []
    for n in names:
        if cn(n) not in {cn(o) for o in out}:
            out.append(n)
    return out


_DUMMY = TomlLocator("")


def equivalent(name: str, current: Any, value: Any, *, deps: bool) -> bool:
    plain = current.unwrap() if hasattr(current, "unwrap") else current
    if plain == value:
        return True
    if not deps:
        if isinstance(plain, list) and isinstance(value, list):
            return [cn(str(x)) for x in plain] == [cn(str(x)) for x in value]
        return False
    if name.lower() == "python":
        try:
            return same_spec(poetry_dialect.parse(str(plain)), poetry_dialect.parse(str(value)))
        except DepglotError:
            return False
    try:
        a = parse_entry(name, plain, loc=_DUMMY, path=("x", name), losses=[])
        b = parse_entry(name, value, loc=_DUMMY, path=("x", name), losses=[])
    except DepglotError:
        return False
    return req_keys(a) == req_keys(b)
