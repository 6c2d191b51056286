"""A multi-file change applied so that no file is ever half-written, and an interrupted run is recoverable.

A :class:`Plan` holds every output, computed before anything touches the disk (:class:`FileChange`: the path,
the bytes it had, the bytes it gets, or ``None`` to delete it). :meth:`Plan.apply`:

1. finishes or reverts an interrupted earlier plan under the same root (:func:`recover`);
2. checks that every file still holds what the plan was computed from, and that no path leaves the root
   through a symlink;
3. writes each new content to a temp file in its directory (prefix :data:`~depglot.edit.atomic.TEMP_PREFIX`),
   flushed and fsynced, with the original file's mode;
4. writes the journal (:data:`JOURNAL`, at the root, fsynced): each target, its temp file and its old bytes;
5. renames each temp over its target (deletions unlink), then fsyncs the directories and removes the journal.

A failure in steps 1-4 removes the temps and changes nothing. A failure during step 5 reverts the files already
replaced from the journal. A kill at any point leaves either no journal (only stale temps, which the next run
removes) or a journal, from which the next run finishes the plan when every temp is still there, and otherwise
reverts it to the old bytes. Each file is therefore fully old or fully new at every moment.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TypeVar

from .._records import record
from ..errors import WriteError
from .atomic import TEMP_PREFIX

__all__ = ["JOURNAL", "FileChange", "Plan", "RecoveryResult", "recover", "remove_stale_temps"]

JOURNAL = ".depglot-journal.json"
JOURNAL_VERSION = 1

# The I/O steps, module-level so fault-injection tests can replace any one of them.


def _write(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def _fsync(fd: int) -> None:
    os.fsync(fd)


def _replace(src: str, dst: str) -> None:
    os.replace(src, dst)


def _unlink(path: str) -> None:
    os.unlink(path)


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        with contextlib.suppress(OSError):  # some filesystems refuse fsync on a directory
            os.fsync(fd)
    finally:
        os.close(fd)


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


@record
class FileChange:
    """One file of a plan: ``before`` is ``None`` for a new file, ``after`` is ``None`` to delete it."""

    path: str
    before: bytes | None
    after: bytes | None

    @property
    def changed(self) -> bool:
        return self.before != self.after

    @property
    def deletes(self) -> bool:
        return self.after is None and self.before is not None

    def diff(self, label: str | None = None) -> str:
        """A unified diff (empty when unchanged); deletions diff against nothing."""
        import difflib

        if not self.changed:
            return ""
        name = label or self.path
        old = _text(self.before)
        new = _text(self.after)
        return "".join(
            difflib.unified_diff(
                old.splitlines(keepends=True),
                new.splitlines(keepends=True),
                fromfile=f"a/{name}" if self.before is not None else "/dev/null",
                tofile=f"b/{name}" if self.after is not None else "/dev/null",
            )
        )


def _text(data: bytes | None) -> str:
    if data is None:
        return ""
    return data.decode("utf-8", errors="replace")


@record
class RecoveryResult:
    """What :func:`recover` did: ``finished`` or ``reverted`` an interrupted plan (or ``none``), temps removed."""

    action: str = "none"
    files: tuple[str, ...] = ()
    temps_removed: tuple[str, ...] = ()


@record(kw_only=False)
class Plan:
    """Every file a run changes, applied together (see the module docstring)."""

    changes: tuple[FileChange, ...] = ()
    root: str = "."

    @classmethod
    def of(cls, changes: Iterable[FileChange], root: str | os.PathLike[str] = ".") -> Plan:
        return cls(tuple(changes), os.fspath(root))

    def __iter__(self) -> Iterator[FileChange]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)

    @property
    def changed(self) -> tuple[FileChange, ...]:
        return tuple(c for c in self.changes if c.changed)

    def check(self) -> bool:
        """True when applying would change something (``--check`` exits 1 then)."""
        return bool(self.changed)

    def diff(self) -> str:
        root = os.path.abspath(self.root)
        out = []
        for c in self.changed:
            rel = os.path.relpath(os.path.abspath(c.path), root)
            out.append(c.diff(rel.replace(os.sep, "/")))
        return "".join(out)

    def apply(self) -> tuple[str, ...]:
        """Write every change atomically; returns the paths written or deleted."""
        root = os.path.abspath(self.root)
        recover(root)
        changes = self.changed
        if not changes:
            return ()
        targets = [_target(c.path, root) for c in changes]
        seen: set[str] = set()
        for target, change in zip(targets, changes, strict=True):
            if target in seen:
                raise WriteError(f"the plan changes {change.path} twice")
            seen.add(target)
            _expect(target, change)
        temps: list[str | None] = [None] * len(changes)
        try:
            _write_temps(targets, changes, temps)
            entries: list[dict[str, object]] = [
                {
                    "path": os.path.relpath(target, root),
                    "temp": None if temp is None else os.path.relpath(temp, root),
                    "old": None if c.before is None else base64.b64encode(c.before).decode("ascii"),
                    "old_sha256": _digest(c.before),
                    "new_sha256": _digest(c.after),
                }
                for target, temp, c in zip(targets, temps, changes, strict=True)
            ]
            _write_journal(root, entries)
        except BaseException as exc:
            for temp in temps:
                if temp is not None:
                    with contextlib.suppress(OSError):
                        os.unlink(temp)
            if isinstance(exc, OSError):
                raise WriteError(f"cannot write the plan: {exc.strerror or exc}; nothing was changed") from None
            raise
        done: list[int] = []
        try:
            for i, (target, temp) in enumerate(zip(targets, temps, strict=True)):
                if temp is None:
                    with contextlib.suppress(FileNotFoundError):
                        _unlink(target)
                else:
                    _replace(temp, target)
                done.append(i)
            _each(_fsync_dir, list(dict.fromkeys(os.path.dirname(t) for t in targets)))
        except Exception as exc:  # noqa: BLE001 - any failure mid-rename must put the old files back
            # Put back what was already replaced; the journal stays if even that fails.
            try:
                _revert(root, entries)
            except Exception:  # noqa: BLE001 - the journal is kept: the next run reverts
                raise WriteError(
                    f"the plan failed midway ({exc}) and could not be reverted; "
                    f"the next depglot run under {root} will finish or revert it"
                ) from None
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise WriteError(f"cannot write the plan: {reason}; nothing was changed") from None
        _remove_journal(root)
        return tuple(targets[i] for i in done)


_T = TypeVar("_T")
_PARALLEL_MIN = 16  # plans this large write their temps and fsync their directories from a few threads
_THREADS = 8


def _each(step: Callable[[_T], object], items: Sequence[_T]) -> None:
    """``step`` on every item; from threads for many items (fsync waits for the disk, not the CPU, and concurrent
    fsyncs share the filesystem's journal commits). Every call finishes before the first failure is raised."""
    if len(items) < _PARALLEL_MIN:
        for item in items:
            step(item)
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=_THREADS) as pool:
        futures = [pool.submit(step, item) for item in items]
    for future in futures:
        future.result()


def _write_temps(targets: list[str], changes: tuple[FileChange, ...], temps: list[str | None]) -> None:
    """The fsynced temp file of every change that writes (``temps[i]``, filled as each is written)."""

    new_file_mode = _new_file_mode()  # here, before any thread starts

    def write(i: int) -> None:
        after = changes[i].after
        if after is not None:
            temps[i] = _write_temp(targets[i], after, new_file_mode)

    _each(write, range(len(changes)))


def _target(path: str, root: str) -> str:
    """The absolute path to write; symlinks are followed only when they stay inside the root."""
    p = os.path.abspath(path)
    if os.path.islink(p):
        real = os.path.realpath(p)
        real_root = os.path.realpath(root)
        if os.path.commonpath([real, real_root]) != real_root:
            raise WriteError(f"refusing to follow the symlink {path} out of {root}")
        return real
    real_parent = os.path.realpath(os.path.dirname(p))
    real_root = os.path.realpath(root)
    if os.path.commonpath([real_parent, real_root]) != real_root:
        raise WriteError(f"refusing to write {path}: it is outside {root}")
    return p


def _expect(target: str, change: FileChange) -> None:
    try:
        with open(target, "rb") as fh:
            current: bytes | None = fh.read()
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise WriteError(f"cannot read {change.path}: {exc.strerror or exc}") from None
    if current != change.before:
        raise WriteError(f"{change.path} changed on disk while the plan was computed; nothing was changed",
                         hint="run the command again")


def _fsynced_temp(directory: str, data: bytes, mode: int | None = None) -> str:
    """A new temp file in ``directory`` holding ``data``, fsynced (and given ``mode``); removed on failure."""
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
    try:
        _write(fd, data)
        _fsync(fd)
        if mode is not None:
            os.fchmod(fd, mode)
    except BaseException:
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    os.close(fd)
    return tmp


def _new_file_mode() -> int:
    """The mode a new file gets under the process umask (read by setting it, so never from two threads)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def _write_temp(target: str, data: bytes, new_file_mode: int | None = None) -> str:
    """The temp file that will replace ``target``, with its mode (a new file: ``new_file_mode``)."""
    try:
        mode = stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        mode = new_file_mode if new_file_mode is not None else _new_file_mode()
    return _fsynced_temp(os.path.dirname(target), data, mode)


def _write_journal(root: str, entries: list[dict[str, object]]) -> None:
    payload = json.dumps({"version": JOURNAL_VERSION, "entries": entries}).encode("utf-8")
    path = os.path.join(root, JOURNAL)
    tmp = _fsynced_temp(root, payload)
    try:
        _replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(root)


def _remove_journal(root: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(os.path.join(root, JOURNAL))
    _fsync_dir(root)


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def _revert(root: str, entries: list[dict[str, object]]) -> list[str]:
    """Put every journalled file back to its old bytes (new files removed); temps removed."""
    touched = []
    for e in entries:
        target = os.path.join(root, str(e["path"]))
        old = None if e["old"] is None else base64.b64decode(str(e["old"]))
        if _digest(_read(target)) != _digest(old):
            if old is None:
                with contextlib.suppress(FileNotFoundError):
                    _unlink(target)
            else:
                tmp = _write_temp(target, old)
                _replace(tmp, target)
            touched.append(target)
        if e["temp"] is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(root, str(e["temp"])))
    for directory in dict.fromkeys(os.path.dirname(os.path.join(root, str(e["path"]))) for e in entries):
        _fsync_dir(directory)
    _remove_journal(root)
    return touched


def _finish(root: str, entries: list[dict[str, object]]) -> list[str]:
    touched = []
    for e in entries:
        target = os.path.join(root, str(e["path"]))
        if e["temp"] is None:
            with contextlib.suppress(FileNotFoundError):
                _unlink(target)
                touched.append(target)
            continue
        temp = os.path.join(root, str(e["temp"]))
        if os.path.exists(temp):
            _replace(temp, target)
            touched.append(target)
    for directory in dict.fromkeys(os.path.dirname(os.path.join(root, str(e["path"]))) for e in entries):
        _fsync_dir(directory)
    _remove_journal(root)
    return touched


def recover(root: str | os.PathLike[str] = ".") -> RecoveryResult:
    """Finish (or revert) a plan interrupted under ``root``, then remove stale temp files.

    The plan is finished when every file is already new or has its fsynced temp beside it; otherwise (a file
    neither old nor new, or a temp missing) it is reverted to the old bytes kept in the journal.
    """
    root = os.path.abspath(os.fspath(root))
    path = os.path.join(root, JOURNAL)
    action = "none"
    files: list[str] = []
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except FileNotFoundError:
        raw = None
    if raw is not None:
        try:
            journal = json.loads(raw)
            entries = list(journal["entries"])
        except (ValueError, KeyError, TypeError):
            # A journal is only ever replaced atomically, so a broken one was not written by depglot.
            raise WriteError(f"{path} is not a depglot journal", hint="inspect it and delete it") from None
        can_finish = True
        for e in entries:
            target = os.path.join(root, str(e["path"]))
            current = _digest(_read(target))
            if current == e["new_sha256"]:
                continue
            temp_ok = e["temp"] is None or os.path.exists(os.path.join(root, str(e["temp"])))
            if current != e["old_sha256"] or not temp_ok:
                can_finish = False
                break
        if can_finish:
            files = _finish(root, entries)
            action = "finished"
        else:
            files = _revert(root, entries)
            action = "reverted"
    removed = remove_stale_temps(root)
    return RecoveryResult(action=action, files=tuple(files), temps_removed=tuple(removed))


_SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".nox"})


def remove_stale_temps(root: str | os.PathLike[str], *, max_depth: int = 6) -> list[str]:
    """Delete files named with :data:`TEMP_PREFIX` under ``root`` (left by a killed run)."""
    root = os.path.abspath(os.fspath(root))
    removed = []
    base_depth = root.rstrip(os.sep).count(os.sep)
    for dirpath, dirnames, filenames in os.walk(root):
        if dirpath.count(os.sep) - base_depth >= max_depth:
            dirnames[:] = []
        dirnames[:] = [d for d in dirnames if d not in _SKIP_DIRS]
        for name in filenames:
            if name.startswith(TEMP_PREFIX):
                p = os.path.join(dirpath, name)
                with contextlib.suppress(OSError):
                    os.unlink(p)
                    removed.append(p)
    return removed
