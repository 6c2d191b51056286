"""Migration steps specific to pyproject targets: uv constraints for --keep-locked, replaced Poetry tables."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..converters._poetry_core import POETRY_CORE_2, old_poetry_core, report_raised
from ..errors import DepglotError
from ..ir.model import Lock, Manifest
from ..report import Report, Severity
from ..span import Span

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

__all__ = ["add_uv_constraints", "drop_poetry_dependencies", "pdm_groups_out", "static_dependencies"]

_POETRY_DEPENDENCY_KEYS = ("dependencies", "dev-dependencies", "group", "source", "extras")


def add_uv_constraints(text: str, lock: Lock, path: str, report: Report) -> str:
    """``[tool.uv] constraint-dependencies`` with every locked version (issue 7), when the writer left them out."""
    import tomlkit

    from ..dialects.pep440 import validate_clause

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
    uv.add(tomlkit.nl())
    out = tomlkit.dumps(doc)
    from ..edit.tomlspan import load_toml
    from ..errors import ParseError

    try:
        load_toml(out, path, "pyproject")
    except ParseError:
        report.add("keep-locked-unsupported", Severity.ERROR,
                   "--keep-locked: adding [tool.uv] constraint-dependencies did not give valid TOML; "
                   "nothing was added, so the first `uv lock` may resolve differently", span=Span(file=path))
        return text
    return out


def static_dependencies(text: str, path: str, report: Report) -> str:
    """Migrating a Poetry 2 project whose ``[project]`` lists ``dependencies`` (or ``optional-dependencies``) as
    ``dynamic`` -- Poetry fills them from ``[tool.poetry.dependencies]`` -- to a tool that reads ``[project]``:
    the fields stop being dynamic, so the writer can put the requirements there (uv, PDM and pip read no
    ``[tool.poetry]``). Fields another backend fills (``[tool.setuptools.dynamic]``, hatch) stay dynamic."""
    import tomlkit

    from ..edit.tomlspan import TomlLocator

    try:
        doc = tomlkit.parse(text)
    except Exception:  # noqa: BLE001 - the reader has already accepted it; leave it to the writer otherwise
        return text
    project = doc.get("project")
    poetry = doc.get("tool", {}).get("poetry")
    dynamic = project.get("dynamic") if project is not None else None
    if poetry is None or project is None or dynamic is None:
        return text
    others = doc.get("tool", {})
    filled = {"dependencies": "dependencies" in poetry, "optional-dependencies": "extras" in poetry
              or "dependencies" in poetry}
    moved = [f for f in ("dependencies", "optional-dependencies") if f in dynamic and filled[f]
             and f not in others.get("setuptools", {}).get("dynamic", {})
             and not others.get("hatch", {}).get("metadata", {}).get("hooks")]
    if not moved:
        return text
    keep = [str(v) for v in dynamic if v not in moved]
    if keep:
        project["dynamic"] = keep
    else:
        del project["dynamic"]
    fields = " and ".join(f"project.{f}" for f in moved)
    report.add("migrate-dynamic-made-static", Severity.INFO,
               f"{fields} {'was' if len(moved) == 1 else 'were'} dynamic (Poetry filled "
               f"{'it' if len(moved) == 1 else 'them'} from [tool.poetry]); the target tool reads [project] only, so "
               f"{'it is' if len(moved) == 1 else 'they are'} written there and no longer dynamic",
               span=TomlLocator(text, path).span("project", "dynamic"))
    return tomlkit.dumps(doc)


def pdm_groups_out(text: str) -> tuple[str, tuple[str, ...]]:
    """Migrating a PDM project to uv or plain PEP 621: ``[tool.pdm.dev-dependencies]`` (read only by PDM) leaves
    the base, so the writer puts those groups in ``[dependency-groups]`` (PEP 735, read by uv, pip and PDM).
    Returns the new base and the group names moved (none: the text as it was)."""
    import tomlkit

    try:
        doc = tomlkit.parse(text)
        pdm = doc.get("tool", {}).get("pdm")
        if pdm is None or "dev-dependencies" not in pdm:
            return text, ()
        names = tuple(str(k) for k in pdm["dev-dependencies"])
        del pdm["dev-dependencies"]
        if not pdm:
            del doc["tool"]["pdm"]
        return tomlkit.dumps(doc), names
    except Exception:  # noqa: BLE001 - tomlkit could not edit it: the groups stay where PDM reads them
        return text, ()


def drop_poetry_dependencies(text: str, path: str, report: Report, manifest: Manifest) -> str:
    """Migrating a Poetry project elsewhere: its dependency tables were replaced, so they go (metadata stays).

    Only when the written file, read back without them, still holds every requirement of the manifest."""
    import tomlkit

    from .. import api

    doc = tomlkit.parse(text)
    poetry = doc.get("tool", {}).get("poetry")
    if poetry is None:
        return text
    dropped = [k for k in _POETRY_DEPENDENCY_KEYS if k in poetry]
    if not dropped:
        return text
    for k in dropped:
        del poetry[k]
    # Poetry 1 metadata the writer put into [project]: a second copy Poetry 2 ignores (and warns about)
    project = doc.get("project", {})
    moved = [k for k, field in _POETRY_METADATA.items() if k in poetry and field in project]
    done = []
    for k in moved:
        try:  # on a copy: tomlkit cannot delete some out-of-order tables ([tool.poetry.scripts] after others)
            trial = tomlkit.parse(tomlkit.dumps(doc))
            del trial["tool"]["poetry"][k]
            tomlkit.dumps(trial)
        except Exception:  # noqa: BLE001, S112 - then that key stays where it is (Poetry 2 reads [project] first)
            continue
        doc, poetry = trial, trial["tool"]["poetry"]
        done.append(k)
    moved = done
    if not poetry:
        del doc["tool"]["poetry"]
    raised = _raise_poetry_core(doc)
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
               + ", ".join(f"[tool.poetry.{k}]" for k in dropped)
               + (f"; so were the keys [project] now holds: {', '.join(moved)}" if moved else ""),
               span=Span(file=path))
    if raised:
        report_raised(report, raised, span=Span(file=path, key="build-system.requires"))
    return new_text


# [tool.poetry] metadata key -> the [project] field that holds it once written there
_POETRY_METADATA = {
    "name": "name", "version": "version", "description": "description", "license": "license",
    "authors": "authors", "maintainers": "maintainers", "readme": "readme", "keywords": "keywords",
    "classifiers": "classifiers", "homepage": "urls", "repository": "urls", "documentation": "urls",
    "urls": "urls", "scripts": "scripts", "plugins": "entry-points",
}


def _raise_poetry_core(doc: TOMLDocument) -> str | None:
    """A poetry-core build that admits poetry-core < 2 (which reads only [tool.poetry]) raised to 2.x; returns the
    requirement replaced, or None."""
    build = doc.get("build-system", {})
    index = old_poetry_core(build)
    if index is None:
        return None
    old = str(build["requires"][index])
    build["requires"][index] = POETRY_CORE_2
    return old
