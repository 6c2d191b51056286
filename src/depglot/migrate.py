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
import re
from dataclasses import dataclass, field

from .errors import DepglotError
from .ir.model import Group, GroupKind, Index, Lock, LockedPackage, Manifest, Requirement
from .report import Report, Severity
from .span import Span

__all__ = ["TARGETS", "Source", "Migration", "find_sources", "plan_migration", "merge"]

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
_LOCK_NAMES = ("Pipfile.lock", "poetry.lock", "uv.lock", "pdm.lock", "conda-lock.yml", "pylock.toml")
_REQ_TXT = re.compile(r"^(?:(?P<pre>[a-z0-9_.-]+?)[-_.])?requirements(?:[-_.](?P<post>[a-z0-9_.-]+?))?\.(?:txt|in)$",
                      re.IGNORECASE)
_MAIN_NAMES = frozenset({"", "main", "base", "prod", "production", "common", "requirements", "runtime", "install"})
_DEV_ALIASES = {"develop": "dev", "development": "dev", "devel": "dev", "tests": "test", "testing": "test"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    """A file the migration reads: a ``manifest``, a ``lock`` for it, or the ``compiled`` .txt of a .in."""

    path: str
    role: str  # manifest | lock | compiled
    group: str | None = None  # for requirements files: the group it becomes ("main" for the main list)


@dataclass(frozen=True, slots=True, kw_only=True)
class Migration:
    plan: object  # depglot.edit.plan.Plan
    report: Report = field(default_factory=Report)
    sources: tuple[Source, ...] = ()
    outputs: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    manifest: Manifest | None = None


def _group_of(filename: str, subdir: bool) -> str | None:
    """``requirements-dev.txt`` -> ``dev``; ``requirements/base.txt`` -> ``main``; None when not requirements."""
    stem, ext = os.path.splitext(filename)
    if ext.lower() not in (".txt", ".in"):
        return None
    if subdir:
        name = stem.lower()
    else:
        m = _REQ_TXT.match(filename)
        if m is None:
            return None
        name = (m.group("post") or m.group("pre") or "").lower()
    name = name.strip("-_.")
    if name in _MAIN_NAMES:
        return "main"
    if name.startswith(("constraint", "lock")):
        return None
    return _DEV_ALIASES.get(name, name)


def find_sources(directory: str | os.PathLike[str]) -> list[Source]:
    """The manifests (and locks) of the project at ``directory``; raises when there are none."""
    d = os.fspath(directory)
    if not os.path.isdir(d):
        raise DepglotError(f"no such directory: {d}")
    out: list[Source] = []
    names = sorted(os.listdir(d))
    if "Pipfile" in names:
        out.append(Source(path=os.path.join(d, "Pipfile"), role="manifest"))
    if "pyproject.toml" in names and _pyproject_has_dependencies(os.path.join(d, "pyproject.toml")):
        out.append(Source(path=os.path.join(d, "pyproject.toml"), role="manifest"))
    req_files: list[tuple[str, str]] = []
    for n in names:
        g = _group_of(n, subdir=False)
        if g is not None and os.path.isfile(os.path.join(d, n)):
            req_files.append((os.path.join(d, n), g))
    sub = os.path.join(d, "requirements")
    if os.path.isdir(sub):
        for n in sorted(os.listdir(sub)):
            g = _group_of(n, subdir=True)
            if g is not None and os.path.isfile(os.path.join(sub, n)):
                req_files.append((os.path.join(sub, n), g))
    ins = {os.path.splitext(p)[0] for p, _ in req_files if p.endswith(".in")}
    for p, g in req_files:
        compiled = p.endswith(".txt") and os.path.splitext(p)[0] in ins
        out.append(Source(path=p, role="compiled" if compiled else "manifest", group=g))
    for n in ("environment.yml", "environment.yaml"):
        if n in names:
            out.append(Source(path=os.path.join(d, n), role="manifest"))
            break
    for n in _LOCK_NAMES:
        if n in names:
            out.append(Source(path=os.path.join(d, n), role="lock"))
    if not any(s.role == "manifest" for s in out):
        raise DepglotError(f"no manifest found in {d}",
                           hint="expected a Pipfile, pyproject.toml, requirements*.txt/.in or environment.yml")
    return out


def _pyproject_has_dependencies(path: str) -> bool:
    import tomllib

    try:
        with open(path, "rb") as fh:
            doc = tomllib.loads(fh.read().decode("utf-8", errors="replace").lstrip("\ufeff"))
    except (OSError, tomllib.TOMLDecodeError):
        return True  # let the reader report the problem with its line
    project = doc.get("project", {})
    tool = doc.get("tool", {})
    return bool(
        project.get("dependencies") or project.get("optional-dependencies") or doc.get("dependency-groups")
        or "dependencies" in project.get("dynamic", ())
        or tool.get("poetry", {}).get("dependencies") or tool.get("poetry", {}).get("group")
        or tool.get("poetry", {}).get("dev-dependencies")
    )


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
    for m in manifests[1:]:
        losses += m.losses
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
            keys = {r.key: r for r in have.requirements}
            extra = []
            for r in g.requirements:
                first = keys.get(r.key)
                if first is None:
                    extra.append(r)
                    keys[r.key] = r
                elif _differs(first, r):
                    report.add("migrate-duplicate", Severity.WARNING,
                               f"{r.name!r} is in group {g.name!r} of two files that disagree; kept "
                               f"{_show(first)!r}, dropped {_show(r)!r}", subject=r.key, span=r.span)
            groups[g.name] = have.replace(requirements=(*have.requirements, *extra))
    return base.replace(groups=tuple(groups.values()), indexes=tuple(indexes), channels=tuple(channels),
                        options=tuple(options), project=project, python=python, losses=tuple(losses))


def _differs(a: Requirement, b: Requirement) -> bool:
    from .edit.codemods import same_version

    return (not same_version(a.version, b.version) or (a.marker or "") != (b.marker or "")
            or sorted(a.extras) != sorted(b.extras) or a.source != b.source)


def _show(r: Requirement) -> str:
    from .dialects.pep508 import render_requirement

    try:
        return render_requirement(r)
    except DepglotError:
        return r.name


def _second_index(idx: Index, existing: list[Index]) -> Index:
    from dataclasses import replace

    from .ir.model import IndexRole

    if idx.role is IndexRole.DEFAULT and any(i.role is IndexRole.DEFAULT for i in existing):
        return replace(idx, role=IndexRole.EXTRA)
    return idx


def _lock_of(path: str) -> Lock:
    from . import api
    from .edit.codemods import lock_from_manifest

    return lock_from_manifest(api.load(path))


def _merge_locks(locks: list[Lock]) -> Lock:
    seen: dict[tuple[str, str | None, str | None], LockedPackage] = {}
    for lock in locks:
        for p in lock.packages:
            seen.setdefault((p.key, p.version, p.marker), p)
    return Lock(packages=tuple(seen.values()))


def plan_migration(
    directory: str | os.PathLike[str],
    target: str,
    *,
    keep_locked: bool = False,
    remove_old: bool = False,
    index_strategy: str | None = None,
    optional_to: str = "extra",
) -> Migration:
    """Compute every output of the migration (nothing is written; apply ``.plan``)."""
    from . import api
    from .edit.codemods import pin
    from .edit.plan import FileChange, Plan

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
        m = api.load(s.path, root=d)
        if s.group is not None:
            m = _as_group(m, s.group, merged_paths, os.path.dirname(s.path))
        manifests.append(m)
    manifest = merge(manifests, report)
    if keep_locked:
        locks = [_lock_of(s.path) for s in sources if s.role in ("lock", "compiled") and _readable_lock(s.path)]
        if not locks:
            report.add("keep-locked-no-lock", Severity.WARNING,
                       "--keep-locked: no lock beside the manifests (Pipfile.lock, poetry.lock, a compiled "
                       "requirements.txt...); versions are kept as written", span=Span(file=d))
        else:
            lock = _merge_locks(locks)
            manifest = manifest.replace(lock=lock)
            if target != "uv":
                manifest = pin(manifest, lock, report=report, drop_hashes=True)
    outputs: list[tuple[str, Manifest, str]] = []
    if target == "requirements":
        outputs = _requirements_outputs(d, manifest)
    else:
        outputs = [(os.path.join(d, filename), manifest, fmt)]
    changes: list[FileChange] = []
    written = []
    for path, m, out_fmt in outputs:
        before = _read(path)
        base = before.decode("utf-8") if before is not None else None
        conv = api.dumps(m, out_fmt, base, path=path, keep_locked=keep_locked, index_strategy=index_strategy,
                         optional_to=optional_to)
        report.extend(conv.report)
        text = conv.text
        if os.path.basename(path) == "pyproject.toml" and target != "poetry" and base is not None:
            text = _drop_poetry_dependencies(text, path, report, m)
        if keep_locked and target == "uv" and m.lock is not None and m.lock.packages and \
                "constraint-dependencies" not in text:
            text = _add_uv_constraints(text, m.lock, path, report)
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


def _add_uv_constraints(text: str, lock: Lock, path: str, report: Report) -> str:
    """``[tool.uv] constraint-dependencies`` with every locked version (issue 7), when the writer left them out."""
    import tomlkit

    from .dialects.pep440 import validate_clause

    pins = []
    for p in sorted(lock.packages, key=lambda p: (p.key, p.version or "")):
        if not p.version or validate_clause(f"=={p.version}") is not None:
            continue
        pins.append(f"{p.key}=={p.version}" + (f" ; {p.marker}" if p.marker else ""))
    if not pins:
        return text
    try:
        doc = tomlkit.parse(text)
    except Exception:  # noqa: BLE001 - the writer's output is TOML; if not, say so rather than guess
        report.add("keep-locked-unsupported", Severity.ERROR,
                   "--keep-locked: could not add [tool.uv] constraint-dependencies to the written pyproject; "
                   "the first `uv lock` may resolve differently", span=Span(file=path))
        return text
    tool = doc.setdefault("tool", tomlkit.table(is_super_table=True))
    uv = tool.setdefault("uv", tomlkit.table())
    array = tomlkit.array()
    array.multiline(True)
    array.extend(pins)
    uv["constraint-dependencies"] = array
    return tomlkit.dumps(doc)


_POETRY_DEPENDENCY_KEYS = ("dependencies", "dev-dependencies", "group", "source", "extras")


def _drop_poetry_dependencies(text: str, path: str, report: Report, manifest: Manifest) -> str:
    """Migrating a Poetry project elsewhere: its dependency tables were replaced, so they go (metadata stays).

    Only when the written file, read back without them, still holds every requirement of the manifest."""
    import tomlkit

    from . import api

    doc = tomlkit.parse(text)
    poetry = doc.get("tool", {}).get("poetry")
    if poetry is None:
        return text
    dropped = [k for k in _POETRY_DEPENDENCY_KEYS if k in poetry]
    if not dropped:
        return text
    for k in dropped:
        del poetry[k]
    if not poetry:
        del doc["tool"]["poetry"]
    new_text = tomlkit.dumps(doc)
    try:
        back = api.loads(new_text, "pep621", path=path)
    except DepglotError:
        return text
    missing = {r.key for r in manifest.requirements()} - {r.key for r in back.requirements()}
    if missing:
        # the target tables do not hold everything: keep Poetry's rather than lose them, and say so
        report.add("migrate-tables-kept", Severity.ERROR,
                   f"the written tables miss {len(missing)} requirement(s) that only [tool.poetry] holds "
                   f"({', '.join(sorted(missing)[:5])}{', ...' if len(missing) > 5 else ''}); the Poetry tables "
                   "were kept, but the target tool will not read them", span=Span(file=path))
        return text
    report.add("migrate-tables-replaced", Severity.INFO,
               "the Poetry dependency tables were replaced by the target's and removed: "
               + ", ".join(f"[tool.poetry.{k}]" for k in dropped), span=Span(file=path))
    return new_text


def _readable_lock(path: str) -> bool:
    from . import registry

    head = ""
    try:
        with open(path, "rb") as fh:
            head = fh.read(8192).decode("utf-8", errors="replace")
        registry.detect(path, head)
    except (OSError, DepglotError):
        return False
    return True


def _as_group(m: Manifest, group: str, merged: set[str], directory: str) -> Manifest:
    """A requirements file's manifest as one group; ``-r`` includes of files merged anyway are dropped."""
    reqs = tuple(r for g in m.groups for r in g.requirements)
    kind = GroupKind.MAIN if group == "main" else GroupKind.GROUP
    includes = tuple(
        (kind_, path) for kind_, path in m.includes
        if os.path.abspath(os.path.join(directory, path)) not in merged
    )
    return m.replace(groups=(Group(name=group, kind=kind, requirements=reqs),), includes=includes)


def _requirements_outputs(d: str, manifest: Manifest) -> list[tuple[str, Manifest, str]]:
    """requirements.txt for main, requirements-<group>.txt for each group (starting ``-r requirements.txt``)."""
    outputs = []
    main_groups = tuple(g for g in manifest.groups if g.kind in (GroupKind.MAIN, GroupKind.EXTRA))
    outputs.append((os.path.join(d, "requirements.txt"), manifest.replace(groups=main_groups or (
        Group(name="main", kind=GroupKind.MAIN),)), "requirements"))
    for g in manifest.groups:
        if g.kind in (GroupKind.GROUP, GroupKind.CATEGORY):
            m = manifest.replace(groups=(g,), includes=(("requirement", "requirements.txt"),), project=None,
                                 indexes=(), options=(), no_index=False)
            outputs.append((os.path.join(d, f"requirements-{g.name}.txt"), m, "requirements"))
    return outputs


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise DepglotError(f"cannot read {path}: {exc.strerror or exc}") from None
