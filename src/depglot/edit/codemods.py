"""Repository codemods as pure functions: Manifest in, Manifest out, named like the commands.

Each takes a :class:`~depglot.ir.model.Manifest` and returns a new one (the same object when nothing changes,
so callers can tell with ``is``), reporting what it had to give up into an optional
:class:`~depglot.report.Report`. They never touch files: the writers render the result in each file's own
dialect (``base`` mode), and :mod:`depglot.edit.plan` applies it. Every codemod is idempotent: applying it to
its own output returns that output unchanged.

Versions enter the IR as PEP 440 (``VersionSpec`` with dialect ``pep440``); a writer renders that meaning
exactly in its format (Poetry writes ``>=2.32``, never ``^2.32``). A requirement whose version already admits
exactly the requested versions is left alone, spelling included.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ConversionError
from ..ir.model import (
    CondaPackage,
    Group,
    GroupKind,
    IndexRef,
    Lock,
    LockedPackage,
    Manifest,
    Requirement,
    canonical_name,
)
from ..ir.versions import VersionSpec
from ..report import Report, Severity

__all__ = [
    "add",
    "lock_from_manifest",
    "names_package",
    "normalize",
    "parse_req",
    "parse_spec",
    "pin",
    "remove",
    "rename_group",
    "requires_hashes",
    "same_version",
    "set_version",
]


def parse_req(text: str) -> Requirement:
    """A PEP 508 requirement given on the command line (raises ParseError with a caret)."""
    from ..dialects.pep508 import parse_requirement
    from ..span import Span

    return parse_requirement(text.strip(), span=Span(file="<argument>", line=1, column=1))


def parse_spec(text: str) -> VersionSpec:
    """A PEP 440 specifier set given on the command line (``""`` or ``*`` = any version)."""
    from ..dialects.pep440 import parse
    from ..span import Span

    text = text.strip()
    if text == "*":
        return VersionSpec.any()
    return parse(text, span=Span(file="<argument>", line=1, column=1))


def requires_hashes(manifest: Manifest) -> bool:
    """Whether the manifest says ``--require-hashes`` (pip then refuses any requirement without a hash)."""
    return any(o.name == "require-hashes" for o in manifest.options)


def names_package(manifest: Manifest, name: str) -> bool:
    key = canonical_name(name)
    return any(r.key == key for r in manifest.requirements())


def same_version(a: VersionSpec | None, b: VersionSpec | None) -> bool:
    if a is None or b is None:
        return (a is None or a.is_any) and (b is None or b.is_any)
    return a.same_as(b)


def _with_version(
    req: Requirement,
    version: VersionSpec | None,
    *,
    manifest: Manifest,
    report: Report | None,
    drop_hashes: bool,
    new_hashes: tuple[str, ...] = (),
) -> Requirement:
    """``req`` with a new version; its hashes (computed for the old version) go, or the edit is refused."""
    hashes = req.hashes
    if hashes and not new_hashes:
        hash_mode = requires_hashes(manifest) or any(r.hashes for r in manifest.requirements() if r.key != req.key)
        if hash_mode and not drop_hashes:
            raise ConversionError(
                f"{req.name!r} is hashed in a file pip installs in hash-checking mode (--require-hashes, or "
                "other requirements with --hash): depglot cannot compute new hashes offline",
                span=req.span,
                hint="pass --drop-hashes and re-lock (e.g. pip-compile --generate-hashes), or pin with --from LOCK",
            )
        if report is not None:
            report.add(
                "hashes-stale",
                Severity.WARNING,
                f"{req.name!r} changed version; its {len(hashes)} hash(es) were for the old one and were dropped: "
                "regenerate them",
                subject=req.key,
                span=req.span,
            )
        hashes = ()
    elif new_hashes:
        hashes = new_hashes
    return req.replace(version=version, hashes=hashes)


def _default_group(manifest: Manifest) -> str:
    main = manifest.main
    return main.name if main is not None else "main"


def add(
    manifest: Manifest,
    requirement: Requirement | str,
    *,
    group: str | None = None,
    report: Report | None = None,
    drop_hashes: bool = False,
) -> Manifest:
    """Add ``requirement`` to ``group`` (the main group by default); an existing entry there takes its version,
    extras, marker and source, keeping its comments and place."""
    req = parse_req(requirement) if isinstance(requirement, str) else requirement
    target = group or _default_group(manifest)
    groups = list(manifest.groups)
    for gi, g in enumerate(groups):
        if g.name != target:
            continue
        for ri, old in enumerate(g.requirements):
            if old.key != req.key:
                continue
            new = old
            if not same_version(old.version, req.version):
                new = _with_version(new, req.version, manifest=manifest, report=report, drop_hashes=drop_hashes)
            if tuple(sorted(old.extras)) != tuple(sorted(req.extras)):
                new = new.replace(extras=req.extras)
            if old.marker != req.marker:
                new = new.replace(marker=req.marker)
            if old.source != req.source and not (req.source is None and isinstance(old.source, IndexRef | CondaPackage)):
                new = new.replace(source=req.source)
            if new == old:
                return manifest
            reqs = list(g.requirements)
            reqs[ri] = new
            groups[gi] = g.replace(requirements=tuple(reqs))
            return manifest.replace(groups=tuple(groups))
        groups[gi] = g.replace(requirements=(*g.requirements, req))
        return manifest.replace(groups=tuple(groups))
    kind = GroupKind.MAIN if target == "main" and manifest.main is None else GroupKind.GROUP
    groups.append(Group(name=target, kind=kind, requirements=(req,)))
    return manifest.replace(groups=tuple(groups))


def _map_requirements(
    manifest: Manifest, edit: Callable[[Requirement], Requirement | None], group: str | None
) -> Manifest:
    """``edit`` applied to every requirement (of ``group`` only, when given); ``None`` removes it. The same
    manifest object comes back when ``edit`` returned every requirement itself."""
    changed = False
    groups = []
    for g in manifest.groups:
        if group is None or g.name == group:
            edited = [edit(r) for r in g.requirements]
            kept = tuple(r for r in edited if r is not None)
            if len(kept) != len(g.requirements) or any(a is not b for a, b in zip(kept, g.requirements, strict=True)):
                changed = True
                g = g.replace(requirements=kept)
        groups.append(g)
    return manifest.replace(groups=tuple(groups)) if changed else manifest


def remove(manifest: Manifest, name: str, *, group: str | None = None, report: Report | None = None) -> Manifest:
    """Remove every requirement named ``name`` (any spelling) from every group, or only from ``group``."""
    key = canonical_name(name)
    return _map_requirements(manifest, lambda r: None if r.key == key else r, group)


def set_version(
    manifest: Manifest,
    name: str,
    spec: VersionSpec | str,
    *,
    group: str | None = None,
    report: Report | None = None,
    drop_hashes: bool = False,
) -> Manifest:
    """Give every requirement named ``name`` the versions ``spec`` admits (a requirement that already admits
    exactly those versions keeps its spelling). VCS, path and URL requirements have no version to set.
    ``python`` names the interpreter constraint (``manifest.python``) unless a requirement is called so."""
    new_spec = parse_spec(spec) if isinstance(spec, str) else spec
    version = None if new_spec.is_any else new_spec
    key = canonical_name(name)

    def edit(r: Requirement) -> Requirement:
        if r.key == key and _versioned(r) and not same_version(r.version, version):
            return _with_version(r, version, manifest=manifest, report=report, drop_hashes=drop_hashes)
        return r

    edited = _map_requirements(manifest, edit, group)
    if key == "python" and manifest.python is not None and not names_package(manifest, "python"):
        # the interpreter constraint (requires-python, Poetry's python, Pipfile [requires], conda's python)
        if not same_version(manifest.python, version):
            return manifest.replace(python=version)
        return manifest
    return edited


def _versioned(req: Requirement) -> bool:
    return req.source is None or isinstance(req.source, IndexRef | CondaPackage)


def rename_group(manifest: Manifest, old: str, new: str, *, report: Report | None = None) -> Manifest:
    """Rename group (or extra) ``old`` to ``new``, including references to it in other groups' includes."""
    if old == new or manifest.group(old) is None:
        return manifest
    g = manifest.group(old)
    assert g is not None
    if g.kind is GroupKind.MAIN:
        raise ConversionError(f"{old!r} is the main dependency list; it has no name to change")
    if manifest.group(new) is not None:
        raise ConversionError(f"cannot rename {old!r} to {new!r}: a group {new!r} exists", hint="remove or merge it first")
    groups = []
    for grp in manifest.groups:
        if grp.name == old:
            grp = grp.replace(name=new)
        if old in grp.includes:
            grp = grp.replace(includes=tuple(new if i == old else i for i in grp.includes))
        groups.append(grp)
    return manifest.replace(groups=tuple(groups))


def normalize(manifest: Manifest, *, sort: bool = False, report: Report | None = None) -> Manifest:
    """Canonical (PEP 503) requirement names; with ``sort``, each group ordered by name."""
    changed = False
    groups = []
    for g in manifest.groups:
        reqs = []
        for r in g.requirements:
            if r.name and r.name != r.key and not isinstance(r.source, CondaPackage):
                r = r.replace(name=r.key)
            reqs.append(r)
        if sort:
            reqs.sort(key=lambda r: r.key)
        if tuple(reqs) != g.requirements:
            changed = True
            g = g.replace(requirements=tuple(reqs))
        groups.append(g)
    return manifest.replace(groups=tuple(groups)) if changed else manifest


def lock_from_manifest(manifest: Manifest) -> Lock:
    """The lock a manifest carries, or one built from its ``==`` pins (a compiled requirements.txt)."""
    if manifest.lock is not None:
        return manifest.lock
    packages = []
    for r in manifest.requirements():
        v = r.version.pep440 if r.version is not None else None
        if v and v.startswith("==") and "," not in v and "*" not in v:
            files: tuple[LockFile, ...] = ()
            if r.hashes:
                from ..ir.model import LockFile

                files = (LockFile(hashes=r.hashes),)
            packages.append(LockedPackage(name=r.name, version=v[2:].strip(), marker=r.marker, files=files))
    return Lock(packages=tuple(packages))


def _lock_pin_ok(req: Requirement, pkg: LockedPackage) -> bool:
    from ..check.static import lock_pin_ok

    return lock_pin_ok(req, pkg)


def pin(
    manifest: Manifest,
    lock: Lock,
    *,
    group: str | None = None,
    report: Report | None = None,
    drop_hashes: bool = False,
) -> Manifest:
    """Pin every versioned requirement to the version ``lock`` holds (``==V``); hashed requirements take the
    lock's hashes when it has them. Packages the lock lacks or holds at several versions are reported."""
    by_key: dict[str, list[LockedPackage]] = {}
    for p in lock.packages:
        if p.version:
            by_key.setdefault(p.key, []).append(p)

    def edit(r: Requirement) -> Requirement:
        if not _versioned(r) or not r.name:
            return r
        locked = by_key.get(r.key, [])
        versions = sorted({p.version for p in locked if p.version})
        if len(versions) != 1:
            if report is not None:
                if not versions:
                    report.add("pin-not-locked", Severity.WARNING,
                               f"{r.name!r} is not in the lock; left as it is", subject=r.key, span=r.span)
                else:
                    report.add("pin-ambiguous", Severity.WARNING,
                               f"the lock holds {r.name!r} at several versions ({', '.join(versions)}); "
                               "left as it is", subject=r.key, span=r.span)
            return r
        # an exact ==V is a previous pin, which pin is there to move; a range the lock is outside means a stale lock
        previous_pin = r.version is not None and r.version.exact is not None
        if report is not None and not previous_pin and not all(_lock_pin_ok(r, p) for p in locked):
            from ..check.static import report_stale_pin

            # loss-code: pin-outside-range
            report_stale_pin(report, "pin-outside-range", r, versions[0], lock="the lock", action="pinning")
        target = VersionSpec.from_pep440(f"=={versions[0]}")
        lock_hashes = tuple(dict.fromkeys(h for p in locked for h in p.hashes)) if r.hashes else ()
        if same_version(r.version, target) and (not r.hashes or not lock_hashes or set(lock_hashes) == set(r.hashes)):
            return r
        return _with_version(r, target, manifest=manifest, report=report, drop_hashes=drop_hashes,
                             new_hashes=lock_hashes)

    return _map_requirements(manifest, edit, group)
