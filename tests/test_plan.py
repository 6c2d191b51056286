"""The atomic multi-file plan: fault injection at every I/O step, kills between steps, recovery."""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from depglot.edit import plan as plan_mod
from depglot.edit.atomic import TEMP_PREFIX
from depglot.edit.plan import JOURNAL, FileChange, Plan, recover
from depglot.errors import WriteError

OLD = {"a/requirements.txt": b"requests==2.31\n", "Pipfile": b"[packages]\nrequests = '==2.31'\n", "gone.txt": b"x\n"}
NEW = {"a/requirements.txt": b"requests==2.32\n", "Pipfile": b"[packages]\nrequests = '==2.32'\n", "gone.txt": None,
       "pyproject.toml": b"[project]\nname = 'x'\n"}


def _setup(root: Path) -> Plan:
    for rel, data in OLD.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    os.chmod(root / "Pipfile", 0o600)
    changes = [FileChange(path=str(root / rel), before=OLD.get(rel), after=NEW[rel]) for rel in NEW]
    return Plan.of(changes, root)


def _state(root: Path) -> dict[str, bytes | None]:
    return {rel: (root / rel).read_bytes() if (root / rel).exists() else None for rel in NEW}


def _temps(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(TEMP_PREFIX)]


def _all_old_or_new(root: Path) -> str:
    state = _state(root)
    old = {rel: OLD.get(rel) for rel in NEW}
    for rel, data in state.items():
        assert data in (old[rel], NEW[rel]), f"{rel} is neither old nor new: {data!r}"
    if state == old:
        return "old"
    if state == NEW:
        return "new"
    return "mixed"


def test_apply_writes_every_file_keeps_modes_and_leaves_nothing(tmp_path: Path) -> None:
    p = _setup(tmp_path)
    assert p.check()
    written = p.apply()
    assert len(written) == 4
    assert _state(tmp_path) == NEW
    assert stat.S_IMODE(os.stat(tmp_path / "Pipfile").st_mode) == 0o600
    assert not _temps(tmp_path)
    assert not (tmp_path / JOURNAL).exists()


def test_diff_names_relative_paths_and_deletions(tmp_path: Path) -> None:
    d = _setup(tmp_path).diff()
    assert "--- a/a/requirements.txt\n+++ b/a/requirements.txt\n" in d
    assert "-requests==2.31\n+requests==2.32\n" in d
    assert "--- a/gone.txt\n+++ /dev/null\n" in d
    assert "--- /dev/null\n+++ b/pyproject.toml\n" in d


def test_unchanged_plan_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_bytes(b"x\n")
    p = Plan.of([FileChange(path=str(tmp_path / "r.txt"), before=b"x\n", after=b"x\n")], tmp_path)
    assert not p.check()
    assert p.diff() == ""
    assert p.apply() == ()


def _count_calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, int]:
    counts = {"_write": 0, "_fsync": 0, "_replace": 0, "_unlink": 0}
    for name in counts:
        real = getattr(plan_mod, name)

        def counting(*args, _real=real, _name=name):  # type: ignore[no-untyped-def]
            counts[_name] += 1
            return _real(*args)

        monkeypatch.setattr(plan_mod, name, counting)
    _setup(tmp_path).apply()
    return counts


def _step_params() -> list[tuple[str, int]]:
    # 3 temp files + journal written and fsynced; journal rename + 3 renames; 1 unlink (deletion).
    return [("_write", k) for k in range(4)] + [("_fsync", k) for k in range(4)] + [
        ("_replace", k) for k in range(4)] + [("_unlink", 0)]


def test_step_counts_match_the_fault_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    counts = _count_calls(monkeypatch, tmp_path)
    assert counts == {"_write": 4, "_fsync": 4, "_replace": 4, "_unlink": 1}


@pytest.mark.parametrize(("step", "k"), _step_params())
def test_a_failure_at_any_step_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str, k: int
) -> None:
    p = _setup(tmp_path)
    real = getattr(plan_mod, step)
    calls = {"n": 0}

    def failing(*args):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == k + 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(*args)

    monkeypatch.setattr(plan_mod, step, failing)
    with pytest.raises(WriteError, match="No space left on device; nothing was changed"):
        p.apply()
    assert _all_old_or_new(tmp_path) == "old"
    assert not _temps(tmp_path)
    assert not (tmp_path / JOURNAL).exists()
    assert stat.S_IMODE(os.stat(tmp_path / "Pipfile").st_mode) == 0o600


def test_failure_that_also_breaks_the_revert_keeps_the_journal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = _setup(tmp_path)
    real = plan_mod._replace
    calls = {"n": 0}

    def failing(src: str, dst: str) -> None:
        calls["n"] += 1
        if calls["n"] >= 3:  # journal + first rename succeed, then the disk goes away
            raise OSError(errno.EIO, "I/O error")
        real(src, dst)

    monkeypatch.setattr(plan_mod, "_replace", failing)
    with pytest.raises(WriteError, match="could not be reverted"):
        p.apply()
    assert (tmp_path / JOURNAL).exists()
    assert _all_old_or_new(tmp_path) == "mixed"
    monkeypatch.setattr(plan_mod, "_replace", real)
    result = recover(tmp_path)
    assert result.action == "finished"
    assert _all_old_or_new(tmp_path) == "new"
    assert not _temps(tmp_path)
    assert not (tmp_path / JOURNAL).exists()


_KILL = textwrap.dedent(
    """
    import os, sys
    sys.path.insert(0, {src!r})
    sys.path.insert(0, {tests!r})
    from pathlib import Path
    from depglot.edit import plan as plan_mod
    import test_plan
    step, k = sys.argv[1], int(sys.argv[2])
    real = getattr(plan_mod, step)
    n = [0]
    def killer(*args):
        n[0] += 1
        if n[0] == k + 1:
            os._exit(9)
        return real(*args)
    setattr(plan_mod, step, killer)
    test_plan._setup(Path(sys.argv[3])).apply()
    """
)


@pytest.mark.parametrize(
    ("step", "k", "expected"),
    [
        ("_write", 1, "old"),  # killed while writing the second temp file
        ("_fsync", 3, "old"),  # killed before the journal is durable
        ("_replace", 0, "old"),  # killed between the last temp write and the journal rename
        ("_replace", 1, "new"),  # killed between the journal and the first rename
        ("_replace", 2, "new"),  # killed between two renames
        ("_replace", 3, "new"),  # killed before the last rename
        ("_unlink", 0, "new"),  # killed before the deletion
    ],
)
def test_a_kill_is_detected_and_the_next_run_finishes_or_reverts(tmp_path: Path, step: str, k: int, expected: str) -> None:
    src = str(Path(plan_mod.__file__).resolve().parents[2])
    script = _KILL.format(src=src, tests=str(Path(__file__).parent))
    proc = subprocess.run([sys.executable, "-c", script, step, str(k), str(tmp_path)], capture_output=True)
    assert proc.returncode == 9, proc.stderr.decode()
    _all_old_or_new(tmp_path)  # never a half-written file, even right after the kill
    journal = tmp_path / JOURNAL
    if expected == "new":
        assert journal.exists()
        assert json.loads(journal.read_text())["version"] == 1
    else:
        assert not journal.exists()
    result = recover(tmp_path)
    assert result.action == ("finished" if expected == "new" else "none")
    assert _all_old_or_new(tmp_path) == expected
    assert not _temps(tmp_path)
    assert not journal.exists()


def test_recover_reverts_when_a_temp_is_missing(tmp_path: Path) -> None:
    src = str(Path(plan_mod.__file__).resolve().parents[2])
    script = _KILL.format(src=src, tests=str(Path(__file__).parent))
    subprocess.run([sys.executable, "-c", script, "_replace", "2", str(tmp_path)], check=False)
    entries = json.loads((tmp_path / JOURNAL).read_text())["entries"]
    missing = next(e for e in entries if e["temp"] and (tmp_path / e["temp"]).exists())
    (tmp_path / missing["temp"]).unlink()
    assert recover(tmp_path).action == "reverted"
    assert _all_old_or_new(tmp_path) == "old"
    assert not (tmp_path / JOURNAL).exists()


def test_next_apply_recovers_first(tmp_path: Path) -> None:
    (tmp_path / f"{TEMP_PREFIX}stale").write_bytes(b"half")
    (tmp_path / "r.txt").write_bytes(b"a\n")
    Plan.of([FileChange(path=str(tmp_path / "r.txt"), before=b"a\n", after=b"b\n")], tmp_path).apply()
    assert not _temps(tmp_path)
    assert (tmp_path / "r.txt").read_bytes() == b"b\n"


def test_symlink_out_of_the_tree_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"a\n")
    root = tmp_path / "repo"
    root.mkdir()
    (root / "requirements.txt").symlink_to(outside)
    p = Plan.of([FileChange(path=str(root / "requirements.txt"), before=b"a\n", after=b"b\n")], root)
    with pytest.raises(WriteError, match="symlink"):
        p.apply()
    assert outside.read_bytes() == b"a\n"


def test_symlink_inside_the_tree_writes_the_real_file(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_bytes(b"a\n")
    (tmp_path / "link.txt").symlink_to(tmp_path / "real.txt")
    Plan.of([FileChange(path=str(tmp_path / "link.txt"), before=b"a\n", after=b"b\n")], tmp_path).apply()
    assert (tmp_path / "link.txt").is_symlink()
    assert (tmp_path / "real.txt").read_bytes() == b"b\n"


def test_a_file_changed_since_planning_aborts_everything(tmp_path: Path) -> None:
    p = _setup(tmp_path)
    (tmp_path / "Pipfile").write_bytes(b"edited by someone\n")
    with pytest.raises(WriteError, match="changed on disk"):
        p.apply()
    assert (tmp_path / "a/requirements.txt").read_bytes() == OLD["a/requirements.txt"]
    assert not _temps(tmp_path)


def _many(root: Path, n: int) -> Plan:
    changes = []
    for i in range(n):
        p = root / f"d{i:02d}" / "requirements.txt"
        p.parent.mkdir(parents=True)
        p.write_bytes(b"requests==2.31\n")
        changes.append(FileChange(path=str(p), before=b"requests==2.31\n", after=f"requests=={i}\n".encode()))
    return Plan.of(changes, root)


def test_a_large_plan_writes_its_temps_from_threads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    n = plan_mod._PARALLEL_MIN + 24
    threads: set[str] = set()
    real = plan_mod._fsync

    def fsync(fd: int) -> None:
        threads.add(threading.current_thread().name)
        real(fd)

    monkeypatch.setattr(plan_mod, "_fsync", fsync)
    assert len(_many(tmp_path, n).apply()) == n
    assert [(tmp_path / f"d{i:02d}" / "requirements.txt").read_bytes() for i in range(n)] == [
        f"requests=={i}\n".encode() for i in range(n)]
    assert len(threads) > 1 and not _temps(tmp_path) and not (tmp_path / JOURNAL).exists()


@pytest.mark.parametrize("k", [0, 17, 39])
def test_a_failing_temp_write_in_a_large_plan_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             k: int) -> None:
    import threading

    n = plan_mod._PARALLEL_MIN + 24
    p = _many(tmp_path, n)
    real = plan_mod._fsync
    lock = threading.Lock()
    calls = {"n": 0}

    def failing(fd: int) -> None:
        with lock:
            calls["n"] += 1
            count = calls["n"]
        if count == k + 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(fd)

    monkeypatch.setattr(plan_mod, "_fsync", failing)
    with pytest.raises(WriteError, match="No space left on device; nothing was changed"):
        p.apply()
    assert {(tmp_path / f"d{i:02d}" / "requirements.txt").read_bytes() for i in range(n)} == {b"requests==2.31\n"}
    assert not _temps(tmp_path) and not (tmp_path / JOURNAL).exists()
