"""Which files a repository command works on: PATH arguments expanded to manifests.

PATHs may be files (taken as given), directories (searched recursively, skipping what ``.gitignore`` files and
``--exclude`` globs exclude, plus the usual virtualenv/cache directories), or globs (``**`` allowed). A file
found in a directory is a manifest when its name matches a readable format's file patterns
(:mod:`depglot.registry`); names matched only by a bare extension pattern (``*.in``, ``*.py``) need the format's
content score too, so ``MANIFEST.in`` or an ordinary script is not taken for a manifest. Locks are found too,
flagged ``lock=True``: codemods never edit them, but report ``lock-stale`` beside them.
"""

from __future__ import annotations

import fnmatch
import glob
import os
import re
from collections.abc import Iterable, Sequence
from functools import cache

from .._records import record
from ..errors import DepglotError

__all__ = [
    "DEFAULT_EXCLUDES",
    "LOCK_FORMATS",
    "Found",
    "GitIgnore",
    "classify",
    "discover",
    "locks_beside",
    "plan_root",
]

DEFAULT_EXCLUDES = (
    ".bzr", ".direnv", ".eggs", ".git", ".hg", ".mypy_cache", ".nox", ".pants.d", ".pytype", ".ruff_cache",
    ".svn", ".tox", ".venv", "__pypackages__", "__pycache__", "_build", "buck-out", "dist", "node_modules",
    "site-packages", "venv",
)

# Formats that are locks (never edited by codemods) or not manifests a person edits.
LOCK_FORMATS = frozenset({"pipfile-lock", "poetry-lock", "uv-lock", "pdm-lock", "pylock", "conda-lock"})
_NOT_EDITABLE = frozenset({"freeze", "ir", "env"})


@record
class Found:
    """A manifest or lock found under a directory, with the format it was detected as."""

    path: str
    format: str  # full format name as detected (``poetry``, ``pep621``, ``requirements``...)
    lock: bool = False


@cache
def _patterns() -> tuple[tuple[str, tuple[str, ...]], ...]:
    from .. import registry

    out = []
    for name in registry.names(include_plugins=False):
        cls = registry.format_class(name)
        if cls.can_read and name not in _NOT_EDITABLE:
            out.append((name, tuple(p.lower() for p in cls.filenames)))
    return tuple(out)


def _generic(pattern: str) -> bool:
    return pattern.startswith("*.") and not any(c in pattern[2:] for c in "*?[")


def classify(path: str, *, head: str | None = None, lazy: bool = False) -> Found | None:
    """The manifest (or lock) format of ``path``, or ``None`` when it is not one.

    ``lazy``: when the name alone says it is a manifest (not only a bare ``*.ext`` pattern), return it with
    ``format=""`` without reading the file; the runner detects the format only if it has to read the file.
    """
    from .. import registry

    base = os.path.basename(path).lower()
    matched: list[str] = []
    generic_only = True
    for name, pats in _patterns():
        for pat in pats:
            if fnmatch.fnmatchcase(base, pat):
                matched.append(name)
                generic_only = generic_only and _generic(pat)
    if not matched:
        return _script(path, head) if base.endswith(".py") else None
    if lazy and not generic_only:
        return Found(path=path, format="", lock=all(n in LOCK_FORMATS for n in matched))
    head = head if head is not None else _head_or_none(path, 8192)
    if head is None:
        return None
    try:
        fmt = registry.detect(path, head)
    except DepglotError:
        return None
    if generic_only and fmt.detect(os.path.basename(path), head) <= 0:
        return None
    if fmt.name in _NOT_EDITABLE:
        return None
    return Found(path=path, format=fmt.full_name, lock=fmt.name in LOCK_FORMATS or not fmt.can_write)


def _head_or_none(path: str, size: int) -> str | None:
    """The first ``size`` bytes of ``path`` as text (None when it cannot be read)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(size).decode("utf-8", errors="replace")
    except OSError:
        return None


_SCRIPT_BLOCK = re.compile(r"^# /// script[ \t]*\r?$", re.MULTILINE)


def _script(path: str, head: str | None) -> Found | None:
    """A ``*.py`` file is a manifest when it has a PEP 723 ``# /// script`` block (format ``script``)."""
    from .. import registry

    if "script" not in registry.names(include_plugins=False):
        return None
    head = head if head is not None else _head_or_none(path, 65536)
    if head is None:
        return None
    if _SCRIPT_BLOCK.search(head) is None:
        return None
    return Found(path=path, format="script")


class GitIgnore:
    """The ``.gitignore`` rules of one directory (git's pattern syntax: ``!``, trailing ``/``, anchors, ``**``)."""

    __slots__ = ("rules",)

    def __init__(self, text: str) -> None:
        self.rules: list[tuple[re.Pattern[str], bool, bool, bool]] = []  # regex, negate, dir_only, anchored
        for line in text.splitlines():
            line = line.rstrip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            if negate:
                line = line[1:]
            line = line.removeprefix("\\")
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            anchored = "/" in line
            line = line.lstrip("/")
            if line:
                self.rules.append((re.compile(_translate(line)), negate, dir_only, anchored))

    def match(self, rel: str, is_dir: bool) -> bool | None:
        """``True`` ignored, ``False`` re-included, ``None`` no rule says (``rel`` relative to this directory)."""
        verdict = None
        name = rel.rsplit("/", 1)[-1]
        for regex, negate, dir_only, anchored in self.rules:
            if dir_only and not is_dir:
                continue
            if regex.fullmatch(rel if anchored else name) or (not anchored and regex.fullmatch(rel)):
                verdict = not negate
        return verdict


def _translate(pat: str) -> str:
    out = []
    i = 0
    while i < len(pat):
        c = pat[i]
        if pat.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pat.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = pat.find("]", i + 1)
            if j == -1:
                out.append(re.escape(c))
            else:
                body = pat[i + 1 : j]
                if body.startswith("!"):
                    body = "^" + body[1:]
                out.append(f"[{body}]")
                i = j
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)


def _excluded(rel: str, excludes: Sequence[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatchcase(rel, g) or fnmatch.fnmatchcase(name, g) or
               fnmatch.fnmatchcase(rel, g.rstrip("/") + "/*") for g in excludes)


def _walk(top: str, excludes: Sequence[str], respect_gitignore: bool) -> Iterable[str]:
    ignores: list[tuple[str, GitIgnore]] = []
    if respect_gitignore:
        ignores = _parent_ignores(top)

    def ignored(path: str, is_dir: bool) -> bool:
        verdict = False
        for base, gi in ignores:
            if path.startswith(base + os.sep):
                rel = os.path.relpath(path, base).replace(os.sep, "/")
                v = gi.match(rel, is_dir)
                if v is not None:
                    verdict = v
        return verdict

    atop = os.path.abspath(top)
    for dirpath, dirnames, filenames in os.walk(atop):
        if respect_gitignore and ".gitignore" in filenames:
            try:
                with open(os.path.join(dirpath, ".gitignore"), encoding="utf-8", errors="replace") as fh:
                    ignores = [*(i for i in ignores if i[0] != dirpath), (dirpath, GitIgnore(fh.read()))]
            except OSError:
                pass
        keep = []
        for d in sorted(dirnames):
            full = os.path.join(dirpath, d)
            rel = os.path.relpath(full, atop).replace(os.sep, "/")
            if d in DEFAULT_EXCLUDES or os.path.islink(full) or _excluded(rel, excludes) or ignored(full, True):
                continue
            keep.append(d)
        dirnames[:] = keep
        for f in sorted(filenames):
            full = os.path.join(dirpath, f)
            rel = os.path.relpath(full, atop).replace(os.sep, "/")
            if _excluded(rel, excludes) or ignored(full, False):
                continue
            yield os.path.normpath(os.path.join(top, rel))


def _parent_ignores(top: str) -> list[tuple[str, GitIgnore]]:
    """``.gitignore`` files of the directories above ``top`` up to the repository root (``.git``)."""
    out: list[tuple[str, GitIgnore]] = []
    d = os.path.abspath(top)
    chain = []
    while True:
        parent = os.path.dirname(d)
        if os.path.isdir(os.path.join(d, ".git")) or parent == d:
            break
        d = parent
        chain.append(d)
    if not os.path.isdir(os.path.join(d, ".git")):
        return []
    for directory in reversed(chain):
        path = os.path.join(directory, ".gitignore")
        if os.path.isfile(path):
            with open(path, encoding="utf-8", errors="replace") as fh:
                out.append((directory, GitIgnore(fh.read())))
    return out


def discover(
    paths: Sequence[str] = (".",),
    *,
    exclude: Sequence[str] = (),
    respect_gitignore: bool = True,
    include_locks: bool = False,
    lazy: bool = False,
) -> list[Found]:
    """Every manifest under ``paths`` (sorted, each once); explicit files are taken whatever their name.

    ``lazy``: leave ``format`` empty where the file name suffices (see :func:`classify`), so a run that can
    decide from the raw bytes never detects the format of files it does not change."""
    from .. import registry

    found: dict[str, Found] = {}
    for arg in paths or (".",):
        candidates: list[tuple[str, bool]] = []
        if any(c in arg for c in "*?[") and not os.path.exists(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            if not matches:
                raise DepglotError(f"no file matches {arg!r}")
            for m in matches:
                parts = os.path.normpath(m).split(os.sep)
                if any(part in DEFAULT_EXCLUDES for part in parts[:-1]):
                    continue
                if os.path.isdir(m):
                    candidates += [(p, False) for p in _walk(m, exclude, respect_gitignore)]
                elif not _excluded(m.replace(os.sep, "/"), exclude):
                    candidates.append((m, False))
        elif os.path.isdir(arg):
            candidates += [(p, False) for p in _walk(arg, exclude, respect_gitignore)]
        elif os.path.exists(arg):
            candidates.append((arg, True))
        else:
            raise DepglotError(f"no such file or directory: {arg}")
        for path, explicit in candidates:
            key = os.path.normpath(os.path.abspath(path))
            if key in found:
                continue
            item = classify(path, lazy=lazy)
            if item is None and explicit:
                head = _head(path)
                fmt = registry.detect(path, head)  # raises DetectError naming the file
                item = Found(path=path, format=fmt.full_name, lock=fmt.name in LOCK_FORMATS or not fmt.can_write)
            if item is None or (item.lock and not include_locks):
                continue
            found[key] = Found(path=os.path.normpath(path), format=item.format, lock=item.lock)
    return sorted(found.values(), key=lambda f: f.path)


def _head(path: str) -> str:
    try:
        with open(path, "rb") as fh:
            return fh.read(8192).decode("utf-8", errors="replace")
    except OSError as exc:
        raise DepglotError(f"cannot read {path}: {exc.strerror or exc}") from None


# A manifest and the locks made from it (lock-stale is reported for those that exist).
_LOCKS_OF = {
    "pipfile": ("Pipfile.lock",),
    "poetry": ("poetry.lock",),
    "pep621": ("uv.lock", "pdm.lock", "pylock.toml", "poetry.lock"),
    "conda": ("conda-lock.yml",),
}


def locks_beside(path: str, format: str) -> list[str]:
    """Lock files next to a manifest that were computed from it (so editing it makes them stale)."""
    directory = os.path.dirname(path) or "."
    base = format.partition("+")[0]
    if base == "poetry1":
        base = "poetry"
    names = list(_LOCKS_OF.get(base, ()))
    if base == "requirements" and path.endswith(".in"):
        names.append(os.path.basename(path)[: -len(".in")] + ".txt")
    return [os.path.join(directory, n) for n in names if os.path.isfile(os.path.join(directory, n))]


def plan_root(paths: Sequence[str], start: str = ".") -> str:
    """Where a plan's journal lives: the repository root (the directory holding ``.git``) above ``start``
    when every path is inside it, else the deepest directory holding ``start`` and every path."""
    start_abs = os.path.abspath(start)
    abs_paths = [os.path.abspath(p) for p in paths]
    d = start_abs
    while True:
        if os.path.isdir(os.path.join(d, ".git")):
            if all(os.path.commonpath([d, p]) == d for p in abs_paths):
                return d
            break
        parent = os.path.dirname(d)
        if parent == d:
            break
        d = parent
    return os.path.commonpath([start_abs, *(os.path.dirname(p) for p in abs_paths)])
