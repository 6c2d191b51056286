"""Running a codemod over many files: decide fast, write in base mode only what changes, one Plan for all.

For each manifest: read its bytes; when the codemod names one package and the text cannot mention it (a
regex over the raw text, any ``-_.`` spelling, any case), stop there without parsing. Otherwise read it
into the IR, apply the codemod, and when the manifest changed render it into the original text
(``dumps(manifest, fmt, base=text)``), so only the changed entries' bytes change. Files are processed in
parallel with ``jobs`` worker processes. Nothing is written here: the result carries a
:class:`~depglot.edit.plan.Plan` for the caller to diff, check or apply.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from dataclasses import field
from typing import TYPE_CHECKING

from .._records import record
from ..errors import DepglotError
from ..ir.model import Lock, Manifest
from ..report import Loss, Report, Severity
from . import codemods
from .discover import Found, locks_beside
from .plan import FileChange, Plan

if TYPE_CHECKING:
    from multiprocessing.context import BaseContext

    from ..format import Feature
    from ..span import Span

__all__ = ["Codemod", "FileResult", "RunResult", "name_regex", "run"]


@record
class Codemod:
    """One codemod with its arguments, as plain data (sent to worker processes)."""

    kind: str  # add | remove | set | rename-group | normalize | pin
    name: str | None = None  # remove / set
    requirement: str | None = None  # add
    spec: str | None = None  # set
    group: str | None = None
    old: str | None = None  # rename-group
    new: str | None = None
    sort: bool = False  # normalize
    lock: Lock | None = None  # pin
    drop_hashes: bool = False

    def mentions(self) -> str | None:
        """A package name every file the codemod can change must mention (None: any file may change)."""
        if self.kind in ("remove", "set"):
            return self.name
        return None

    def __call__(self, manifest: Manifest, report: Report) -> Manifest:
        if self.kind == "add":
            assert self.requirement is not None
            return codemods.add(manifest, self.requirement, group=self.group, report=report,
                                drop_hashes=self.drop_hashes)
        if self.kind == "remove":
            assert self.name is not None
            return codemods.remove(manifest, self.name, group=self.group, report=report)
        if self.kind == "set":
            assert self.name is not None and self.spec is not None
            return codemods.set_version(manifest, self.name, self.spec, group=self.group, report=report,
                                        drop_hashes=self.drop_hashes)
        if self.kind == "rename-group":
            assert self.old is not None and self.new is not None
            return codemods.rename_group(manifest, self.old, self.new, report=report)
        if self.kind == "normalize":
            return codemods.normalize(manifest, sort=self.sort, report=report)
        if self.kind == "pin":
            assert self.lock is not None
            return codemods.pin(manifest, self.lock, group=self.group, report=report, drop_hashes=self.drop_hashes)
        raise DepglotError(f"unknown codemod {self.kind!r}")


@record
class FileResult:
    """What a codemod did to one file: its bytes before and after, its losses, or its error."""

    path: str
    format: str
    before: bytes | None = None
    after: bytes | None = None
    losses: tuple[Loss, ...] = ()
    error: str | None = None  # the rendered error (file:line: error: ...) when the file could not be processed

    @property
    def changed(self) -> bool:
        return self.error is None and self.before is not None and self.after is not None and self.before != self.after


@record
class RunResult:
    """What a codemod did over every file: per-file results, the write plan and the combined report."""

    files: tuple[FileResult, ...] = ()
    plan: Plan = field(default_factory=Plan)
    report: Report = field(default_factory=Report)

    @property
    def errors(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.error is not None)

    @property
    def changed(self) -> tuple[FileResult, ...]:
        return tuple(f for f in self.files if f.changed)


def name_regex(name: str) -> re.Pattern[bytes]:
    """Bytes regex finding any spelling of a package name (case, ``-_.`` runs) in raw text."""
    from ..ir.model import canonical_name

    parts = [re.escape(p.encode()) for p in canonical_name(name).split("-") if p]
    return re.compile(rb"[-_.]+".join(parts), re.IGNORECASE)


def _process(args: tuple[Found, Codemod]) -> FileResult:
    found, codemod = args
    path, fmt_name = found.path, found.format
    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as exc:
        return FileResult(path=path, format=fmt_name, error=f"{path}: error: cannot read: {exc.strerror or exc}")
    name = codemod.mentions()
    if name is not None and not name_regex(name).search(data):
        return FileResult(path=path, format=fmt_name, before=data, after=data)
    try:
        if not found.format:
            found = _detect(found, data)
            if found.lock:
                return FileResult(path=path, format=found.format, before=data, after=data)
        return _edit(found, codemod, data)
    except DepglotError as exc:
        return FileResult(path=path, format=fmt_name, error=exc.render())
    except RecursionError:
        return FileResult(path=path, format=fmt_name, error=f"{path}: error: nested too deeply to read")
    except Exception as exc:  # noqa: BLE001 - a bug in a converter must not lose the other files' work
        return FileResult(path=path, format=fmt_name,
                          error=f"{path}: error: internal error in the {fmt_name} converter: "
                                f"{type(exc).__name__}: {exc}")


def _detect(found: Found, data: bytes) -> Found:
    from .. import registry
    from .discover import LOCK_FORMATS

    fmt = registry.detect(found.path, data[:8192].decode("utf-8", errors="replace"))
    return Found(path=found.path, format=fmt.full_name, lock=fmt.name in LOCK_FORMATS or not fmt.can_write)


def _edit(found: Found, codemod: Codemod, data: bytes) -> FileResult:
    from .. import api, registry
    from ..format import Feature, ReadOptions

    fmt = registry.get(found.format)
    decoder = getattr(fmt, "decode", None)
    text = decoder(data, found.path) if decoder is not None else api.decode(data, found.path)
    manifest = fmt.read(text, ReadOptions(path=found.path))
    report = Report()
    if codemod.kind == "add" and codemod.group and Feature.GROUPS not in fmt.features:
        main = manifest.main
        if codemod.group != (main.name if main is not None else "main"):
            report.add("add-group-skipped", Severity.INFO,
                       f"{found.format} has no groups; {codemod.requirement!r} was not added to group "
                       f"{codemod.group!r} here", span=_file_span(found.path))
            return FileResult(path=found.path, format=found.format, before=data, after=data,
                              losses=report.losses)
    new = codemod(manifest, report)
    if new is manifest or new == manifest:
        return FileResult(path=found.path, format=found.format, before=data, after=data, losses=report.losses)
    conversion = api.dumps(new, found.format, base=text, path=found.path)
    seen = {(loss.code, loss.subject, loss.message, loss.span) for loss in manifest.losses}
    noise = _baseline(manifest, fmt.full_name, fmt.features)
    for loss in conversion.report:
        if (not _the_edit_itself(loss) and (loss.code, loss.subject, loss.message, loss.span) not in seen
                and (loss.code, loss.subject) not in noise):
            report.append(_located(loss, found.path))
    try:
        fmt.read(conversion.text, ReadOptions(path=found.path))
    except DepglotError as exc:
        return FileResult(path=found.path, format=found.format,
                          error=f"{found.path}: error: the {found.format} writer produced a file it cannot read "
                                f"back ({exc.message}); not written (a depglot bug: please report it)")
    after = conversion.text.encode("utf-8")
    if after != data:
        for lock in locks_beside(found.path, found.format):
            report.add("lock-stale", Severity.WARNING,
                       f"{os.path.basename(lock)} was computed from {os.path.basename(found.path)} and no longer "
                       "matches it; re-lock (depglot never edits locks)",
                       subject=lock, span=_file_span(found.path))
    return FileResult(path=found.path, format=found.format, before=data, after=after, losses=report.losses)


def _the_edit_itself(loss: Loss) -> bool:
    """A writer's report that describes the edit the codemod asked for, not something lost: the pyproject writer
    warns when base mode changes an existing [dependency-groups] entry (in a conversion into an existing file the
    old items were the user's); a codemod's change to a group is the requested change, shown by --diff. A group
    that goes away (or a legacy table that moves) is still reported."""
    return loss.code == "dependency-group-replaced" and not (loss.data or {}).get("removed")


def _baseline(manifest: Manifest, fmt_name: str, features: frozenset[Feature]) -> set[tuple[str, str | None]]:
    """Feature losses the unedited file already has: its own text keeps those things, so they are not news."""
    from ..ir.features import preflight

    baseline = Report()
    preflight(manifest, fmt_name, features, baseline)
    return {(loss.code, loss.subject) for loss in baseline}


def _located(loss: Loss, path: str) -> Loss:
    """A writer's loss without a file (it wrote text, not a file) names the file being edited."""
    import dataclasses

    if loss.span is None:
        return dataclasses.replace(loss, span=_file_span(path))
    if loss.span.file is None:
        return dataclasses.replace(loss, span=loss.span.with_file(path))
    return loss


def _file_span(path: str) -> Span:
    from ..span import Span

    return Span(file=path)


def run(
    files: Sequence[Found],
    codemod: Codemod,
    *,
    jobs: int = 1,
    root: str = ".",
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Apply ``codemod`` to every file (nothing is written; see :class:`RunResult`)."""
    work = [(f, codemod) for f in files if not f.lock]
    total = len(work)
    results: list[FileResult] = []
    if jobs > 1 and total > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        ctx: BaseContext
        try:
            ctx = multiprocessing.get_context("fork")
        except ValueError:
            ctx = multiprocessing.get_context()
        chunk = max(1, total // (jobs * 8))
        with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
            for i, res in enumerate(pool.map(_process, work, chunksize=chunk), 1):
                results.append(res)
                if progress is not None:
                    progress(i, total)
    else:
        for i, item in enumerate(work, 1):
            results.append(_process(item))
            if progress is not None:
                progress(i, total)
    report = Report()
    for r in results:
        report.extend(r.losses)
    changes = [FileChange(path=r.path, before=r.before, after=r.after) for r in results if r.changed]
    return RunResult(files=tuple(results), plan=Plan.of(changes, root), report=report)
