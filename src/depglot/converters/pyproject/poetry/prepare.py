"""Rewrites a Manifest needs before Poetry can hold it (each one reported where it changes anything).

Pipfile ``index = "pypi"`` naming the implicit PyPI -> no source; ``pkg[extra]`` naming the project itself ->
those extras' requirements; ``--keep-locked`` pins; pipenv's file-wide ``allow_prereleases`` -> per dependency;
``optional = true`` dependencies in no extra -> an extra or group (``[project]`` cannot say them); a path or
VCS/URL requirement without a name -> the name its location suggests (Poetry keys dependencies by name).
"""

from __future__ import annotations

from ....format import WriteOptions
from ....ir.model import Group, GroupKind, IndexRef, LocalPath, Manifest, Requirement, Url, Vcs
from ....ir.model import canonical_name as cn
from ....report import Report, Severity
from ..._naming import location, name_from_location
from .sources import implicit_pypi

__all__ = ["prepare"]


def prepare(manifest: Manifest, layout: str, options: WriteOptions, report: Report) -> Manifest:
    manifest = _place_orphans(manifest, layout, options, report)
    manifest = _prereleases_per_dependency(manifest, report)
    if options.keep_locked:
        manifest = _keep_locked(manifest)
    manifest = _expand_self_extras(manifest, report)
    manifest = _derive_names(manifest, report)
    return _drop_implicit_pypi_refs(manifest)


def _derive_names(manifest: Manifest, report: Report) -> Manifest:
    """An unnamed path/VCS/URL requirement (``./envs/test``, ``git+https://github.com/dask/distributed``) named
    after its archive, directory or repository, as the Pipfile writer keys it; one whose location suggests no
    valid name, or a name the group already uses, stays unnamed (``poetry-name-required``)."""
    if all(r.name for g in manifest.groups for r in g.requirements):
        return manifest
    groups = []
    for g in manifest.groups:
        taken = {r.key for r in g.requirements if r.name}
        reqs = []
        for r in g.requirements:
            name = None if r.name else name_from_location(r)
            if name is not None and cn(name) not in taken:
                taken.add(cn(name))
                report.add("poetry-name-derived", Severity.INFO,
                           f"{location(r)!r} has no package name; written as Poetry dependency {name!r}, the "
                           "name its archive, directory or repository suggests (Poetry checks it against the "
                           "project's own name when it locks)", subject=location(r), span=r.span, data={"name": name})
                r = r.replace(name=name)
            reqs.append(r)
        groups.append(g.replace(requirements=tuple(reqs)))
    return manifest.replace(groups=tuple(groups))


def _drop_implicit_pypi_refs(manifest: Manifest) -> Manifest:
    """``index = "pypi"`` (Pipfile) naming the default PyPI: Poetry's implicit PyPI has no name to refer to."""
    names = {ix.name.lower() for ix in implicit_pypi(manifest.indexes) if ix.name}
    if not names:
        return manifest
    return manifest.replace(groups=tuple(
        g.replace(requirements=tuple(
            r.replace(source=None) if isinstance(r.source, IndexRef) and r.source.name.lower() in names else r
            for r in g.requirements
        ))
        for g in manifest.groups
    ))


def _expand_self_extras(manifest: Manifest, report: Report) -> Manifest:
    """``name[a,b]`` naming the project itself (PEP 621 allows it, Poetry rejects it): the requirements of those
    extras instead, each with the self-reference's marker ANDed on."""
    from ....dialects.markers import and_markers

    project = manifest.project
    if project is None or not project.name:
        return manifest
    me = cn(project.name)
    extras = {cn(g.name): g for g in manifest.groups if g.kind is GroupKind.EXTRA}
    def is_self(r: Requirement) -> bool:
        return r.key == me and r.source is None and bool(r.extras)

    if not any(is_self(r) for g in manifest.groups for r in g.requirements):
        return manifest

    def expand(reqs: tuple[Requirement, ...], seen: frozenset[str]) -> list[Requirement]:
        out: list[Requirement] = []
        for r in reqs:
            if not is_self(r):
                out.append(r)
                continue
            written: list[Requirement] = []
            for e in r.extras:
                g = extras.get(cn(e))
                if g is None or cn(e) in seen:
                    continue
                for x in expand(g.requirements, seen | {cn(e)}):
                    written.append(x.replace(marker=and_markers(x.marker, r.marker)) if r.marker else x)
            # a warning: the group no longer follows the extra, and the requirement itself is replaced
            report.add("poetry-self-extra-expanded", Severity.WARNING,
                       f"{r.name}[{','.join(r.extras)}] names the project itself, which Poetry rejects; written as "
                       "the requirements of those extras", subject=r.name, span=r.span,
                       data={"written": [x.name for x in written if x.name]})
            out.extend(written)
        return out

    groups = tuple(g.replace(requirements=tuple(expand(g.requirements, frozenset({cn(g.name)}))))
                   for g in manifest.groups)
    return manifest.replace(groups=groups)


def _keep_locked(manifest: Manifest) -> Manifest:
    """``--keep-locked``: each registry dependency pinned (``==V``) to the one version the manifest's lock holds
    (``depglot migrate`` pins before writing and reports what it cannot; this keeps ``convert`` in step)."""
    from ....ir.versions import VersionSpec

    if manifest.lock is None:
        return manifest
    versions: dict[str, set[str]] = {}
    for p in manifest.lock.packages:
        if p.version and not isinstance(p.source, (Vcs, LocalPath, Url)):
            versions.setdefault(p.key, set()).add(p.version)

    def pinned(r: Requirement) -> Requirement:
        found = versions.get(r.key, set())
        if not r.name or isinstance(r.source, (Vcs, LocalPath, Url)) or len(found) != 1:
            return r
        return r.replace(version=VersionSpec.from_pep440(f"=={next(iter(found))}"))

    return manifest.replace(groups=tuple(g.replace(requirements=tuple(pinned(r) for r in g.requirements))
                                         for g in manifest.groups))


def _prereleases_per_dependency(manifest: Manifest, report: Report) -> Manifest:
    """Pipenv's file-wide ``allow_prereleases``: Poetry says it per dependency (``allow-prereleases = true``)."""
    if not manifest.allow_prereleases:
        return manifest
    groups = tuple(
        g.replace(requirements=tuple(
            r.replace(allow_prereleases=True)
            if r.allow_prereleases is None and not isinstance(r.source, (LocalPath, Url)) else r
            for r in g.requirements
        ))
        for g in manifest.groups
    )
    changed = [new.name for g, old in zip(groups, manifest.groups) for new, was in zip(g.requirements, old.requirements)
               if new is not was and new.name]
    report.add("poetry-prereleases-per-dependency", Severity.WARNING,
               "the file-wide pre-release setting is written as allow-prereleases = true on each direct dependency; "
               "Poetry has no file-wide setting, so dependencies of dependencies no longer get pre-releases",
               subject="prereleases", span=manifest.span, data={"requirements": changed})
    return manifest.replace(groups=groups, allow_prereleases=None)


def _place_orphans(manifest: Manifest, layout: str, options: WriteOptions, report: Report) -> Manifest:
    """``optional = true`` dependencies in no extra: PEP 621 cannot say them; place them per ``optional_to``."""
    main = manifest.main
    if layout in ("legacy", "dynamic") or main is None or not any(r.optional for r in main.requirements):
        return manifest
    orphans = [r for r in main.requirements if r.optional]
    groups = [g.replace(requirements=tuple(r for r in g.requirements if not r.optional)) if g is main else g
              for g in manifest.groups]
    for r in orphans:
        if options.optional_to == "group":
            name, kind, optional = "optional", GroupKind.GROUP, True
        else:
            name, kind, optional = r.key, GroupKind.EXTRA, False
        report.add("optional-without-extra", Severity.WARNING,
                   f"{r.name!r} is optional but in no extra; [project] cannot say that, so it is written in "
                   f"{'optional group' if kind is GroupKind.GROUP else 'extra'} {name!r}",
                   subject=r.name, span=r.span, data={"to": name})
        existing = next((i for i, g in enumerate(groups) if g.kind is kind and cn(g.name) == cn(name)), None)
        req = r.replace(optional=False)
        if existing is None:
            groups.append(Group(name=name, kind=kind, optional=optional, requirements=(req,)))
        else:
            groups[existing] = groups[existing].replace(requirements=(*groups[existing].requirements, req))
    return manifest.replace(groups=tuple(groups))
