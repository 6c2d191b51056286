"""Static conflict checks: do these manifests, installed together, admit any solution? (Nothing is installed.)

What is compared (interval math on :attr:`VersionSpec.versions`, markers taken into account — entries under
disjoint markers never conflict, see :mod:`.markers`):

* every requirement alone: a specifier that admits no version (``>=2,<1``) — ``empty-specifier``;
* inside one manifest: the same package twice in one group (``duplicate-requirement`` when the version sets or
  sources differ but meet), and the main group against every other group, and groups installed together by
  default (Poetry's non-optional groups) — ``conflicting-requirements`` when two entries admit no common version;
  a conda package is never compared with a PyPI one (their version schemes differ);
* across the files named together (``pip install -r a.txt -r b.txt``; ``-r`` includes are followed): every pair of
  entries of the same package — ``conflicting-requirements``;
* ``-c`` constraint files: a requirement the constraints exclude — ``constraint-excludes-requirement``;
* a lock named with its manifest (or read from the same file): a pin outside the manifest's range —
  ``lock-pin-outside-range``; a manifest entry the lock does not pin — ``requirement-not-locked``;
* the project's python constraint against each locked package's ``requires-python`` — ``python-excludes-locked``.

Every finding is a :class:`~depglot.report.Loss` with the span of the entry, so the CLI prints
``file:line:col: error[code]: message`` and ``--json`` the report.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from itertools import combinations
from pathlib import Path

from .._records import record
from ..errors import DepglotError
from ..ir.model import CondaPackage, GroupKind, IndexRef, LockedPackage, Manifest, Requirement
from ..ir.versions import VersionSpec
from ..redact import redact
from ..report import Report, Severity
from ..span import Span
from .markers import disjoint

__all__ = ["Loaded", "admits", "check_manifests", "check_paths", "load_set", "lock_pin_ok", "report_stale_pin"]


@record
class Loaded:
    """A manifest loaded for a static check, and whether it was named (manifest) or constrains (constraint)."""

    path: str
    manifest: Manifest
    role: str = "manifest"  # manifest | constraint


def load_set(paths: Sequence[str | os.PathLike[str]], report: Report | None = None) -> list[Loaded]:
    """Load every path, following ``-r`` (as more manifests) and ``-c`` (as constraints) references once each."""
    from .. import api

    out: list[Loaded] = []
    seen: set[str] = set()
    queue: list[tuple[str, str, Span | None]] = [(os.fspath(p), "manifest", None) for p in paths]
    while queue:
        path, role, origin = queue.pop(0)
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        if origin is not None and not os.path.exists(path):
            if report is not None:
                report.add("include-unreadable", Severity.WARNING,
                           f"{'-c' if role == 'constraint' else '-r'} {path}: no such file; not checked",
                           subject=path, span=origin)
            continue
        manifest = api.load(path)
        out.append(Loaded(path=path, manifest=manifest, role=role))
        base = Path(path).parent
        for kind, ref in manifest.includes:
            if "://" in ref:
                continue
            target = os.fspath(base / ref)
            queue.append((target, "constraint" if kind == "constraint" or role == "constraint" else "manifest",
                          Span(file=path)))
    return out


def _spec_text(req: Requirement) -> str:
    if isinstance(req.source, CondaPackage):
        marker = f" ; {req.marker}" if req.marker else ""
        return redact(f"{req.source.spec} (conda){marker}")
    spec = req.version.raw if req.version is not None else ""
    marker = f" ; {req.marker}" if req.marker else ""
    return redact(f"{req.name}{spec}{marker}")


def _where(req: Requirement) -> str:
    return req.span.location() if req.span is not None else "<input>"


def _same_ecosystem(a: Requirement, b: Requirement) -> bool:
    """conda and PyPI number versions differently (conda ``tzdata 2025b`` is not PyPI ``tzdata 2025.2``)."""
    return isinstance(a.source, CondaPackage) == isinstance(b.source, CondaPackage)


def _python_marker(*manifests: Manifest) -> str | None:
    """The project's python constraint as a marker (the first manifest that states one), or None."""
    from ..dialects.markers import python_to_marker

    for m in manifests:
        if m.python is not None and not m.python.is_any:
            return python_to_marker(m.python)
    return None


def _meets(a: Requirement, b: Requirement, python: str | None = None) -> bool:
    """Whether two entries of one package can hold together: different markers that never meet always can, and
    so can entries whose markers exclude every python the project supports (``python``, a marker)."""
    if a.version is None or b.version is None or not _same_ecosystem(a, b):
        return True
    if python is not None:
        from ..dialects.markers import and_markers

        if disjoint(and_markers(a.marker, python), and_markers(b.marker, python)):
            return True
    elif disjoint(a.marker, b.marker):
        return True
    return not a.version.versions.intersection(b.version.versions).is_empty


def _differ(a: Requirement, b: Requirement) -> bool:
    """Different version sets or sources (extras add up and are not a different spec)."""
    from ..ir.versions import full_range

    va = a.version.versions if a.version is not None else full_range()
    vb = b.version.versions if b.version is not None else full_range()
    return va != vb or a.source != b.source


def _empty(req: Requirement) -> bool:
    return req.version is not None and req.version.versions.is_empty


def _conflict(report: Report, a: Requirement, b: Requirement, context: str) -> None:
    report.add(
        "conflicting-requirements",
        Severity.ERROR,
        f"{_spec_text(b)!r} conflicts with {_spec_text(a)!r} ({_where(a)}){context}: no version satisfies both",
        subject=b.name,
        span=b.span,
        data={"package": b.key, "other": _where(a)},
    )


def _together(manifest: Manifest) -> list[tuple[Iterable[Requirement], Iterable[Requirement], str]]:
    """Pairs of groups installed together: main with every other group (an extra or a group is always installed
    on top of the main dependencies), and groups the tool installs by default with each other: Poetry installs
    every non-optional group; uv, PDM and pipenv install one dev group by default, so other PEP 735 groups and
    Pipfile categories are alternatives (``black22``/``black23``, ``pydantic-v1``/``pydantic-v2``) and are not
    compared with each other."""
    main = [g for g in manifest.groups if g.kind is GroupKind.MAIN]
    others = [g for g in manifest.groups if g.kind is not GroupKind.MAIN]
    pairs: list[tuple[Iterable[Requirement], Iterable[Requirement], str]] = []
    for m in main:
        for g in others:
            pairs.append((m.requirements, g.requirements, f" (groups {m.name!r} and {g.name!r} install together)"))
    dev = []
    if manifest.format.startswith("poetry"):
        dev = [g for g in others if g.kind is GroupKind.GROUP and not g.optional]
    for g1, g2 in combinations(dev, 2):
        pairs.append((g1.requirements, g2.requirements, f" (groups {g1.name!r} and {g2.name!r} install together)"))
    return pairs


def _ident(req: Requirement) -> str:
    """What makes two entries the same package: the canonical name, or for a conda package its conda name
    (``matplotlib-base`` and ``matplotlib`` are both PyPI ``matplotlib`` but different conda packages)."""
    if isinstance(req.source, CondaPackage):
        return "conda:" + req.source.name.lower()
    return req.key


def _by_key(reqs: Iterable[Requirement]) -> dict[str, list[Requirement]]:
    out: dict[str, list[Requirement]] = {}
    for r in reqs:
        if r.key:
            out.setdefault(_ident(r), []).append(r)
    return out


def _check_one(manifest: Manifest, report: Report) -> None:
    for req in manifest.requirements():
        if _empty(req):
            report.add("empty-specifier", Severity.ERROR,
                       f"{_spec_text(req)!r} admits no version at all", subject=req.name, span=req.span,
                       data={"package": req.key, "specifier": req.version.raw if req.version else ""})
    if manifest.lock is not None:
        return  # a lock pins each package per group/marker: duplicates there are forks, not mistakes
    python = _python_marker(manifest)
    for group in manifest.groups:
        for key, reqs in _by_key(group.requirements).items():
            for a, b in combinations(reqs, 2):
                if _empty(a) or _empty(b):
                    continue
                if not _meets(a, b, python):
                    _conflict(report, a, b, f" (both in group {group.name!r})")
                elif _same_ecosystem(a, b) and not disjoint(a.marker, b.marker) and _differ(a, b):
                    report.add("duplicate-requirement", Severity.WARNING,
                               f"{b.name!r} is listed again in group {group.name!r} with a different spec "
                               f"({_spec_text(b)!r} vs {_spec_text(a)!r} at {_where(a)})",
                               subject=b.name, span=b.span, data={"package": key, "other": _where(a)})
    for left, right, context in _together(manifest):
        right_by = _by_key(right)
        for a in left:
            for b in right_by.get(_ident(a), ()):
                if not (_empty(a) or _empty(b)) and not _meets(a, b, python):
                    _conflict(report, a, b, context)


def _check_across(items: list[Loaded], report: Report) -> None:
    manifests = [i for i in items if i.role == "manifest" and i.manifest.lock is None]
    for x, y in combinations(manifests, 2):
        y_by = _by_key(y.manifest.requirements())
        python = _python_marker(x.manifest, y.manifest)
        for a in x.manifest.requirements():
            for b in y_by.get(_ident(a), ()):
                if not (_empty(a) or _empty(b)) and not _meets(a, b, python):
                    _conflict(report, b, a, f" ({os.path.basename(x.path)} and {os.path.basename(y.path)} "
                                            "install together)")
    constraints = [i for i in items if i.role == "constraint"]
    for c in constraints:
        c_by = _by_key(c.manifest.requirements())
        for m in manifests:
            python = _python_marker(m.manifest)
            for req in m.manifest.requirements():
                for con in c_by.get(_ident(req), ()):
                    if not (_empty(req) or _empty(con)) and not _meets(req, con, python):
                        report.add(
                            "constraint-excludes-requirement",
                            Severity.ERROR,
                            f"{_spec_text(req)!r} is excluded by the constraint {_spec_text(con)!r} ({_where(con)})",
                            subject=req.name, span=req.span, data={"package": req.key, "constraint": _where(con)},
                        )


def admits(spec: VersionSpec | None, version: str | None) -> bool:
    """Whether ``spec`` admits ``version``, prereleases included (no spec, no version, or a version PEP 440
    cannot read: nothing to object to)."""
    if spec is None or version is None:
        return True
    from packaging.version import InvalidVersion, Version

    try:
        return spec.versions.contains(Version(version))
    except InvalidVersion:
        return True


def lock_pin_ok(req: Requirement, pkg: LockedPackage) -> bool:
    """Whether a lock's pin satisfies a manifest entry (a pin under a marker disjoint from the entry's: yes)."""
    return admits(req.version, pkg.version) or disjoint(req.marker, pkg.marker)


def report_stale_pin(report: Report, code: str, req: Requirement, version: str, *, lock: str, action: str,
                     data: dict[str, str] | None = None) -> None:
    """An ERROR: ``lock`` pins ``req`` outside its range, so ``action`` (pinning to it) would change the manifest's
    meaning (``migrate --keep-locked``, ``pin --from``)."""
    from ..dialects.pep508 import render_requirement

    report.add(code, Severity.ERROR,
               f"{lock} pins {req.name} {version}, outside {render_requirement(req)!r}: the lock is stale, so {action} "
               f"would change what the manifest asks for (re-lock first, or pass --fail-on never to pin {version} "
               "anyway)", subject=req.key, span=req.span, data={**(data or {}), "locked": version})


def _check_locks(items: list[Loaded], report: Report) -> None:
    locks = [i for i in items if i.manifest.lock is not None]
    manifests = [i for i in items if i.role == "manifest" and i.manifest.lock is None]
    for lock_item in locks:
        lock = lock_item.manifest.lock
        assert lock is not None
        packages: dict[str, list[LockedPackage]] = {}
        for pkg in lock.packages:
            packages.setdefault(pkg.key, []).append(pkg)
        for m in manifests:
            for req in m.manifest.requirements():
                pins = packages.get(req.key)
                if not pins:
                    if req.key and (req.source is None or isinstance(req.source, IndexRef)):
                        report.add("requirement-not-locked", Severity.WARNING,
                                   f"{_spec_text(req)!r} is not pinned in {os.path.basename(lock_item.path)}",
                                   subject=req.name, span=req.span, data={"package": req.key, "lock": lock_item.path})
                    continue
                for pkg in pins:
                    if not lock_pin_ok(req, pkg):
                        report.add(
                            "lock-pin-outside-range",
                            Severity.ERROR,
                            f"{os.path.basename(lock_item.path)} pins {pkg.name} {pkg.version}, outside "
                            f"{_spec_text(req)!r}; the lock is stale",
                            subject=req.name, span=req.span,
                            data={"package": req.key, "locked": pkg.version, "lock": lock_item.path},
                        )
        pythons = [m.manifest.python for m in manifests if m.manifest.python is not None]
        if lock_item.manifest.python is not None:
            pythons.append(lock_item.manifest.python)
        for python in pythons[:1]:
            for pkg in lock.packages:
                if not pkg.requires_python:
                    continue
                from ..ir.versions import pep440_range

                try:
                    needs = pep440_range(pkg.requires_python)
                except ValueError:  # InvalidSpecifier: an invalid requires-python in a lock, nothing to compare
                    continue
                if python.versions.intersection(needs).is_empty:
                    report.add(
                        "python-excludes-locked",
                        Severity.ERROR,
                        f"{pkg.name} {pkg.version} requires python {pkg.requires_python!r}, which the project's "
                        f"python constraint {python.raw!r} excludes entirely",
                        subject=pkg.name, span=pkg.span,
                        data={"package": pkg.key, "requires_python": pkg.requires_python, "python": python.raw},
                    )


def check_manifests(items: list[Loaded], report: Report | None = None) -> Report:
    report = report if report is not None else Report()
    for item in items:
        _check_one(item.manifest, report)
    _check_across(items, report)
    _check_locks(items, report)
    return report


def check_paths(paths: Sequence[str | os.PathLike[str]]) -> Report:
    """Load the files (following includes) and check them together."""
    if not paths:
        raise DepglotError("nothing to check", hint="name one or more manifest files")
    report = Report()
    items = load_set(paths, report)
    return check_manifests(items, report)
