"""``depglot migrate``: one project's manifests, merged into one manifest, written as the target tool's files.

The planner finds the manifests at the top of a project directory (``Pipfile`` + ``Pipfile.lock``, a
``pyproject.toml`` with Poetry or PEP 621 dependencies, ``requirements*.txt`` / ``requirements/*.txt`` and
their ``.in`` sources, ``environment.yml``), reads each (:func:`depglot.api.load`) and merges them:
``requirements.txt`` is the main list, ``requirements-dev.txt`` (also ``dev-requirements.txt``,
``requirements/dev.txt``) becomes group ``dev``; a ``requirements.in`` is preferred over the ``.txt`` compiled
from it, which then serves as its lock. The result is written in base mode into the target's existing file
when there is one (``pyproject.toml`` keeps every other table), and with ``remove_old`` the replaced files are
deleted — all as one :class:`~depglot.edit.plan.Plan`.

``keep_locked``: the manifest carries the lock's pins as ``manifest.lock`` (a :class:`~depglot.ir.model.Lock`)
and the writers get ``WriteOptions.keep_locked=True``. Targets without a constraints mechanism get exact ``==``
pins in the requirements themselves (issue 6: Poetry); uv keeps the ranges as written and its writer carries
the pins as ``[tool.uv] constraint-dependencies`` (issue 7).
"""

from __future__ import annotations

import os
from dataclasses import field
from typing import TYPE_CHECKING, Any

from .._records import record
from ..errors import DepglotError
from ..ir.model import Group, GroupKind, Manifest
from ..report import Loss, Report, Severity
from ..span import Span
from .merge import (
    as_group,
    lock_of,
    merge,
    merge_locks,
    name_unnamed,
    readable_lock,
    stale_pins,
    with_constraints,
)
from .pyproject import add_uv_constraints, drop_poetry_dependencies, pdm_groups_out, static_dependencies
from .sources import Source, find_sources, group_of, join

if TYPE_CHECKING:
    from ..api import Conversion
    from ..edit.plan import Plan

__all__ = ["TARGETS", "Migration", "Source", "find_sources", "group_of", "merge", "plan_migration"]

# target name -> (format, file written)
TARGETS: dict[str, tuple[str, str]] = {
    "poetry": ("poetry", "pyproject.toml"),
    "uv": ("pep621+uv", "pyproject.toml"),
    "pep621": ("pep621", "pyproject.toml"),
    "pdm": ("pep621+pdm", "pyproject.toml"),
    "pipenv": ("pipfile", "Pipfile"),
    "requirements": ("requirements", "requirements.txt"),
    "conda": ("conda", "environment.yml"),
}
# Locks each target tool makes itself (kept by --remove-old when migrating to that tool).
_OWN_LOCKS = {"poetry": "poetry.lock", "uv": "uv.lock", "pdm": "pdm.lock", "pipenv": "Pipfile.lock",
              "conda": "conda-lock.yml"}


@record
class Migration:
    """A planned migration: the write plan, what it read and writes and removes, and its report."""

    plan: Plan
    report: Report = field(default_factory=Report)
    sources: tuple[Source, ...] = ()
    outputs: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    manifest: Manifest | None = None


def plan_migration(
    directory: str | os.PathLike[str],
    target: str,
    *,
    keep_locked: bool = False,
    remove_old: bool = False,
    index_strategy: str | None = None,
    optional_to: str = "extra",
    name_map: str | None = None,
) -> Migration:
    """Compute every output of the migration (nothing is written; apply ``.plan``)."""
    from .. import api
    from ..edit.codemods import pin
    from ..edit.plan import FileChange, Plan

    if target not in TARGETS:
        import difflib

        close = difflib.get_close_matches(target, TARGETS, n=1)
        raise DepglotError(f"unknown migration target {target!r}",
                           hint=f"did you mean {close[0]!r}?" if close else "use " + ", ".join(TARGETS))
    fmt, filename = TARGETS[target]
    d = os.fspath(directory)
    sources = find_sources(d)
    report = Report()
    manifests: list[Manifest] = []
    # pyproject first (it carries the project), then Pipfile, requirements by group (main first), conda
    order = {"pyproject.toml": 0, "Pipfile": 1}
    manifest_sources = sorted(
        (s for s in sources if s.role == "manifest"),
        key=lambda s: (order.get(os.path.basename(s.path), 2), s.group not in (None, "main"), s.path),
    )
    merged_paths = {os.path.abspath(s.path) for s in sources}
    for s in manifest_sources:
        m = api.load(s.path, root=d, name_map=name_map)
        if s.group is not None:
            m = as_group(m, s.group, merged_paths, os.path.dirname(s.path))
        manifests.append(with_constraints(m, os.path.dirname(s.path), d))
    manifest = merge(manifests, report)
    if any(not r.name and r.source is not None for r in manifest.requirements()):
        resolved = [(s.path, api.load(s.path)) for s in sources
                    if s.role in ("lock", "compiled") and readable_lock(s.path)]
        manifest = name_unnamed(manifest, resolved, report)
    if keep_locked:
        locked = [(s.path, lock_of(s.path)) for s in sources
                  if s.role in ("lock", "compiled") and readable_lock(s.path)]
        locks = [lock for _, lock in locked]
        if not locks:
            report.add("keep-locked-no-lock", Severity.WARNING,
                       "--keep-locked: no lock beside the manifests (Pipfile.lock, poetry.lock, a compiled "
                       "requirements.txt...); versions are kept as written", span=Span(file=d))
        else:
            lock = merge_locks(locks)
            stale_pins(manifest, locked, report)
            manifest = manifest.replace(lock=lock)
            if target != "uv":
                manifest = pin(manifest, lock, report=report, drop_hashes=True)
    outputs: list[tuple[str, Manifest, str]] = []
    if target == "requirements":
        outputs = _requirements_outputs(d, manifest)
    else:
        outputs = [(join(d, filename), manifest, fmt)]
    changes: list[FileChange] = []
    written = []
    for path, m, out_fmt in outputs:
        before = _read(path)
        base = before.decode("utf-8") if before is not None else None
        moved: tuple[str, ...] = ()
        if base is not None and os.path.basename(path) == "pyproject.toml" and target != "poetry":
            base = static_dependencies(base, path, report)
            if target in ("uv", "pep621"):
                base, moved = pdm_groups_out(base)
        # a requirements-<group>.txt holds its group (a groupless target writes only main unless told)
        selection = api.Selection(only_groups=tuple(g.name for g in m.groups)) \
            if out_fmt == "requirements" and not any(g.kind is GroupKind.MAIN for g in m.groups) \
            else None
        conv = api.dumps(m, out_fmt, base, path=path, selection=selection, keep_locked=keep_locked,
                         index_strategy=index_strategy, optional_to=optional_to, name_map=name_map)
        if moved:
            conv = _pep735_or_back(conv, m, moved, before, path, report, out_fmt, keep_locked=keep_locked,
                                   index_strategy=index_strategy, optional_to=optional_to, name_map=name_map)
        staying = conv.text if os.path.basename(path) == "pyproject.toml" else _pyproject_text(d)
        report.extend(_still_written(conv.report, staying))
        text = conv.text
        if os.path.basename(path) == "pyproject.toml" and target != "poetry" and base is not None:
            text = drop_poetry_dependencies(text, path, report, m)
        if keep_locked and target == "uv" and m.lock is not None and m.lock.packages and \
                "constraint-dependencies" not in text:
            text = add_uv_constraints(text, m.lock, path, report)
        _verify(text, out_fmt, path)
        changes.append(FileChange(path=path, before=before, after=text.encode("utf-8")))
        written.append(os.path.abspath(path))
    removed = []
    if remove_old:
        keep_lock = _OWN_LOCKS.get(target)
        for s in sources:
            p = os.path.abspath(s.path)
            name = os.path.basename(p)
            if p in written or name == "pyproject.toml" or (s.role == "lock" and name == keep_lock):
                continue
            if target == "requirements" and s.group is not None:
                continue
            changes.append(FileChange(path=s.path, before=_read(s.path), after=None))
            removed.append(s.path)
    return Migration(plan=Plan.of(changes, d), report=report, sources=tuple(sources),
                     outputs=tuple(p for p, _, _ in outputs), removed=tuple(removed), manifest=manifest)


def _pep735_or_back(conv: Conversion, m: Manifest, moved: tuple[str, ...], before: bytes | None, path: str,
                    report: Report, out_fmt: str, **options: Any) -> Conversion:
    """The PDM groups written as ``[dependency-groups]``; if the output does not hold them there, written into the
    original base (where PDM keeps them), reported."""
    from .. import api
    from ..ir.model import canonical_name

    try:
        back = api.loads(conv.text, "pep621", path=path)
    except DepglotError:
        back = None
    have = {canonical_name(g.name) for g in back.groups if g.kind is GroupKind.GROUP} if back is not None else set()
    if {canonical_name(n) for n in moved} <= have:
        report.add("migrate-tables-replaced", Severity.INFO,
                   "[tool.pdm.dev-dependencies] became [dependency-groups] (PEP 735), which uv and pip read: "
                   + ", ".join(moved), span=Span(file=path, key="tool.pdm.dev-dependencies"))
        return conv
    report.add("migrate-tables-kept", Severity.ERROR,
               "the PDM dev-dependencies groups could not be written as [dependency-groups]; they stay in "
               "[tool.pdm.dev-dependencies], which the target tool does not read", span=Span(file=path))
    base = before.decode("utf-8") if before is not None else None
    return api.dumps(m, out_fmt, base, path=path, **options)


_KEPT_CODES = frozenset({"tool-setting-dropped", "project-metadata-dropped"})


def _pyproject_text(d: str) -> str | None:
    """The project's pyproject.toml as it stays (a migration never deletes it), or None."""
    data = _read(join(d, "pyproject.toml"))
    return data.decode("utf-8", errors="replace") if data is not None else None


def _still_written(losses: Report, text: str | None) -> list[Loss]:
    """Without the losses that call a pyproject tool setting or metadata key dropped while the pyproject.toml that
    stays after the migration still has it: the file is edited in place (or kept beside requirements.txt), so
    ``[tool.pdm.build]`` of a pdm-backend project, or ``[tool.poetry] packages``, is still there and still used."""
    import tomllib

    if text is None:
        return list(losses)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return list(losses)

    def present(key: str) -> bool:
        node: object = doc
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
        return True

    return [loss for loss in losses if not (loss.code in _KEPT_CODES and loss.span is not None and loss.span.key
                                            and os.path.basename(loss.span.file or "") == "pyproject.toml"
                                            and present(loss.span.key))]


def _requirements_outputs(d: str, manifest: Manifest) -> list[tuple[str, Manifest, str]]:
    """requirements.txt for main, requirements-<group>.txt for each group (starting ``-r requirements.txt``)."""
    outputs = []
    main_groups = tuple(g for g in manifest.groups if g.kind in (GroupKind.MAIN, GroupKind.EXTRA))
    outputs.append((join(d, "requirements.txt"), manifest.replace(groups=main_groups or (
        Group(name="main", kind=GroupKind.MAIN),)), "requirements"))
    for g in manifest.groups:
        if g.kind in (GroupKind.GROUP, GroupKind.CATEGORY):
            m = manifest.replace(groups=(g,), includes=(("requirement", "requirements.txt"),), project=None,
                                 indexes=(), options=(), no_index=False)
            outputs.append((join(d, f"requirements-{g.name}.txt"), m, "requirements"))
    return outputs


def _verify(text: str, fmt: str, path: str) -> None:
    """Never plan a file that its own format cannot read back (a writer bug must not reach the disk)."""
    from .. import api
    from ..errors import ConversionError

    try:
        api.loads(text, fmt, path=path)
    except DepglotError as exc:
        raise ConversionError(f"the {fmt} writer produced a file it cannot read back ({exc.message}); "
                              "nothing was written", span=exc.span,
                              hint="this is a depglot bug: please report it with the input files") from None


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DepglotError(f"cannot read {path}: {exc.strerror or exc}") from None
