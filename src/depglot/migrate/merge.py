"""Several manifests of one project merged into one; the locks beside them merged into one Lock."""

from __future__ import annotations

import os

from ..errors import DepglotError
from ..ir.model import Group, GroupKind, Index, Lock, LockedPackage, Manifest, Requirement
from ..report import Report, Severity

__all__ = ["as_group", "lock_of", "merge", "merge_locks", "name_unnamed", "readable_lock", "stale_pins",
           "with_constraints"]


def merge(manifests: list[Manifest], report: Report) -> Manifest:
    """One manifest from several: groups merged by name (the first mention of a package wins; a different
    spec elsewhere is reported), indexes and channels united, project and python from the first that says."""
    if not manifests:
        raise DepglotError("nothing to merge")
    base = manifests[0]
    groups: dict[str, Group] = {g.name: g for g in base.groups}
    indexes = list(base.indexes)
    channels = list(base.channels)
    options = list(base.options)
    project, python = base.project, base.python
    losses = list(base.losses)
    includes, raw = list(base.includes), list(base.raw)
    for m in manifests[1:]:
        losses += m.losses
        includes += [i for i in m.includes if i not in includes]
        raw += [r for r in m.raw if r.format == "requirements" and r.key.startswith("constraints:") and r not in raw]
        project = project or m.project
        python = python or m.python
        for idx in m.indexes:
            if not any(i.url.rstrip("/") == idx.url.rstrip("/") for i in indexes):
                indexes.append(_second_index(idx, indexes))
        channels += [c for c in m.channels if c not in channels]
        options += [o for o in m.options if o not in options]
        for g in m.groups:
            have = groups.get(g.name)
            if have is None:
                groups[g.name] = g
                continue
            reqs = list(have.requirements)
            at = {r.key: i for i, r in enumerate(reqs)}
            for r in g.requirements:
                i = at.get(r.key)
                if i is None:
                    at[r.key] = len(reqs)
                    reqs.append(r)
                    continue
                first = reqs[i]
                if not _differs(first, r):
                    continue
                narrower = _narrower(first, r)
                if narrower is None:
                    report.add("migrate-duplicate", Severity.WARNING,
                               f"{r.name!r} is in group {g.name!r} of two files that disagree; kept "
                               f"{_show(first)!r}, dropped {_show(r)!r}", subject=r.key, span=r.span)
                    continue
                wider = r if narrower is first else first
                report.add("migrate-duplicate-narrowed", Severity.INFO,
                           f"{r.name!r} is in group {g.name!r} of two files; kept {_show(narrower)!r}, which also "
                           f"satisfies {_show(wider)!r}", subject=r.key, span=r.span)
                reqs[i] = narrower
            groups[g.name] = have.replace(requirements=tuple(reqs))
    return base.replace(groups=tuple(groups.values()), indexes=tuple(indexes), channels=tuple(channels),
                        options=tuple(options), project=project, python=python, losses=tuple(losses),
                        includes=tuple(includes), raw=tuple(raw))


def with_constraints(m: Manifest, directory: str, root: str) -> Manifest:
    """The lines of each ``-c`` constraints file a requirements manifest names (inside ``root``), carried the way
    ``--follow-includes`` carries them, so a uv target writes them as ``constraint-dependencies`` (issue 7);
    a file that cannot be read stays a reference (reported by the target as include-dropped)."""
    from .. import api
    from ..dialects.pep508 import render_requirement
    from ..ir.model import Raw

    added = []
    have = {r.key for r in m.raw}
    for kind, path in m.includes:
        target = os.path.abspath(os.path.join(directory, path))
        key = f"constraints:{path}"
        if kind != "constraint" or key in have or os.path.commonpath([target, os.path.abspath(root)]) != \
                os.path.abspath(root) or not os.path.isfile(target):
            continue
        try:
            lines = tuple(render_requirement(r) for r in api.load(target, "requirements").requirements())
        except DepglotError:
            continue
        added.append(Raw(format="requirements", key=key, value=lines))
    return m.replace(raw=(*m.raw, *added)) if added else m


def _differs(a: Requirement, b: Requirement) -> bool:
    from ..edit.codemods import same_version

    return (not same_version(a.version, b.version) or (a.marker or "") != (b.marker or "")
            or sorted(a.extras) != sorted(b.extras) or a.source != b.source)


def _narrower(a: Requirement, b: Requirement) -> Requirement | None:
    """Of two entries that differ only in their version sets, the one whose set lies inside the other's (it
    satisfies both files); None when they differ otherwise or their sets only overlap."""
    from ..ir.versions import full_range

    if (a.marker or "") != (b.marker or "") or sorted(a.extras) != sorted(b.extras) or a.source != b.source:
        return None
    va = a.version.versions if a.version is not None else full_range()
    vb = b.version.versions if b.version is not None else full_range()
    if va.intersection(vb) == vb:
        return b
    if va.intersection(vb) == va:
        return a
    return None


def _show(r: Requirement) -> str:
    from ..dialects.pep508 import render_requirement

    try:
        return render_requirement(r)
    except DepglotError:
        return r.name


def _second_index(idx: Index, existing: list[Index]) -> Index:
    from dataclasses import replace

    from ..ir.model import IndexRole

    if idx.role is IndexRole.DEFAULT and any(i.role is IndexRole.DEFAULT for i in existing):
        return replace(idx, role=IndexRole.EXTRA)
    return idx


def lock_of(path: str) -> Lock:
    from .. import api
    from ..edit.codemods import lock_from_manifest

    return lock_from_manifest(api.load(path))


def merge_locks(locks: list[Lock]) -> Lock:
    seen: dict[tuple[str, str | None, str | None], LockedPackage] = {}
    for lock in locks:
        for p in lock.packages:
            seen.setdefault((p.key, p.version, p.marker), p)
    return Lock(packages=tuple(seen.values()))


def stale_pins(manifest: Manifest, locks: list[tuple[str, Lock]], report: Report) -> None:
    """``--keep-locked`` with a stale lock: a pin outside the range the manifest asks for would replace that range
    (Poetry, Pipfile, ...: ``==V``) or contradict it (uv: a constraint no version meets). Reported as an ERROR
    per requirement, so by default nothing is written; ``--fail-on never`` pins to the locked version anyway."""
    from ..check.static import lock_pin_ok, report_stale_pin
    from ..ir.model import LocalPath, Url, Vcs

    for r in manifest.requirements():
        if not r.key or r.version is None or isinstance(r.source, (Vcs, LocalPath, Url)):
            continue
        for path, lock in locks:
            bad = [p for p in lock.packages if p.key == r.key and p.version and not lock_pin_ok(r, p)]
            if not bad:
                continue
            # loss-code: keep-locked-stale
            report_stale_pin(report, "keep-locked-stale", r, bad[0].version or "", lock=os.path.basename(path),
                             action="--keep-locked", data={"lock": path})
            break


def name_unnamed(manifest: Manifest, resolved: list[tuple[str, Manifest]], report: Report) -> Manifest:
    """A requirement without a name (``git+https://...`` in a ``requirements.in``) takes the name a lock or the
    compiled ``.txt`` gives the same source (pip-compile writes ``gds-metrics @ git+https://...``), so targets
    that need PEP 508 names (pyproject, Pipfile, conda) can still write it."""
    names: dict[object, tuple[str, str]] = {}
    for path, m in resolved:
        for r in m.requirements():
            if r.name and r.source is not None:
                names.setdefault(r.source, (r.name, path))

    def named(r: Requirement) -> Requirement:
        if r.name or r.source is None or r.source not in names:
            return r
        name, path = names[r.source]
        report.add("migrate-name-from-lock", Severity.INFO,
                   f"a requirement without a name is named {name!r} after {os.path.basename(path)}, which "
                   "resolved the same source", subject=name, span=r.span, data={"lock": path})
        return r.replace(name=name)

    groups = tuple(g.replace(requirements=tuple(named(r) for r in g.requirements)) for g in manifest.groups)
    return manifest.replace(groups=groups)


def readable_lock(path: str) -> bool:
    from .. import registry

    head = ""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192).decode("utf-8", errors="replace")
        registry.detect(path, head)
    except (OSError, DepglotError):
        return False
    return True


def as_group(m: Manifest, group: str, merged: set[str], directory: str) -> Manifest:
    """A requirements file's manifest as one group; ``-r`` includes of files merged anyway are dropped."""
    reqs = tuple(r for g in m.groups for r in g.requirements)
    kind = GroupKind.MAIN if group == "main" else GroupKind.GROUP
    includes = tuple(
        (kind_, path) for kind_, path in m.includes
        if os.path.abspath(os.path.join(directory, path)) not in merged
    )
    return m.replace(groups=(Group(name=group, kind=kind, requirements=reqs),), includes=includes)
