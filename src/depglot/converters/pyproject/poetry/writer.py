"""Writing a Manifest as a Poetry pyproject.toml: fresh, or into an existing file (base mode).

Layouts:

* ``project`` (Poetry 2, the ``poetry`` default): PEP 621 ``[project]`` (metadata, ``requires-python``,
  ``dependencies``, ``optional-dependencies``) and ``[tool.poetry]`` only where needed: an entry in
  ``[tool.poetry.dependencies]`` enriching a ``[project]`` dependency with ``source``, ``develop``,
  ``allow-prereleases``, a git branch/tag or a version PEP 440 cannot say (Poetry intersects the two), groups in
  ``[tool.poetry.group.<g>]``, sources in ``[[tool.poetry.source]]``.
* ``legacy`` (Poetry 1, ``poetry1``; also used by ``poetry`` when the project has no name, which ``[project]``
  requires: then ``package-mode = false``): everything in ``[tool.poetry]``.
* ``dynamic`` (``poetry``, fresh, when an ``optional = true`` dependency is in no extra, which ``[project]`` cannot
  say): metadata and ``requires-python`` in ``[project]`` with ``dynamic = ["dependencies", ...]``, the
  dependencies and extras in ``[tool.poetry]`` as in the legacy layout (Poetry 2's documented "dynamic
  dependencies" form). ``--optional-to group`` keeps the ``project`` layout and places them in a group instead.
* A relative path dependency in the ``project`` layout is its bare name in ``[project]`` plus
  ``{path = ..., develop = ...}`` in ``[tool.poetry.dependencies]`` (Poetry 2's documented form).

In base mode the layout is the base file's, each section is compared by meaning with what the base says and
left untouched when equal; entries of a changed table are kept, replaced or removed one by one, so comments,
order, ``[build-system]`` and other tools' tables stay.
"""

from __future__ import annotations

from typing import Any

from ....dialects import pep440 as pep440_dialect
from ....dialects import pep508 as pep508_dialect
from ....dialects import poetry as poetry_dialect
from ....edit import tomlemit as emit
from ....edit.tomlops import EmitOps, TomlkitOps, space_new_tables
from ....errors import DepglotError
from ....format import ReadOptions, WriteOptions
from ....ir.model import GroupKind, IndexRole, LocalPath, Manifest, Requirement, Url, Vcs
from ....ir.model import canonical_name as cn
from ....report import Report, Severity
from ..._naming import location as _location
from ..common import newline_of, split_bom
from .enrich import (
    enrichments,
    equivalent,
    pep508_part,
    same_groups,
    same_part,
    same_spec,
    unique_names,
)
from .entries import render_entry, requirement_key, single_quoted
from .extra_markers import legacy_entries
from .fresh import FreshSections
from .groups import GroupSections
from .prepare import prepare
from .sources import render_sources

__all__ = ["FRESH_WITH_TOMLKIT", "write_poetry"]


# Tests set this to compare the tomlkit rendering of a fresh document with the emitter's (they must be equal).
FRESH_WITH_TOMLKIT = False


def write_poetry(manifest: Manifest, *, base: str | None, report: Report, options: WriteOptions, legacy: bool) -> str:
    if base is None:
        if not FRESH_WITH_TOMLKIT:
            trial = Report(report.losses)
            try:
                text = _write_fresh(manifest, trial, options, legacy, EmitOps)
            except emit.Unsupported:
                pass  # a value the emitter does not model: tomlkit writes it (same text by construction)
            else:
                report.extend(trial.losses)
                return text
        return _write_fresh(manifest, report, options, legacy, TomlkitOps)
    return _write_base(manifest, base, report, options, legacy)


def _write_fresh(manifest: Manifest, report: Report, options: WriteOptions, legacy: bool, ops: Any) -> str:
    import re

    doc = ops.document()
    layout = _layout(manifest, None, legacy, options)
    manifest = prepare(manifest, layout, options, report)
    if manifest.project is not None and manifest.project.name:
        from ..._naming import usable_project_name

        usable = usable_project_name(manifest.project.name, report, manifest.span)
        if usable != manifest.project.name:
            import dataclasses

            manifest = manifest.replace(project=dataclasses.replace(manifest.project, name=usable))
    w = _Writer(doc, None, manifest, report, "\n", layout, ops)
    w.metadata()
    w.python()
    w.main_and_extras()
    w.groups()
    w.sources()
    w.fresh_tail()
    if ops is EmitOps:
        emit.space_new_tables(doc)
        text = emit.dumps(doc)
    else:
        import tomlkit

        space_new_tables(doc, {})
        text = tomlkit.dumps(doc)
    text = re.sub(r"([^\n])\n(\[)", r"\1\n\n\2", text.lstrip("\n"))  # a blank line before every table
    text = re.sub(r"\n{3,}(?=\[)", "\n\n", text)  # ... and only one
    return text.rstrip("\n") + "\n" if text.strip() else text  # one newline at the end (the last table's spacing)


def _write_base(manifest: Manifest, base: str, report: Report, options: WriteOptions, legacy: bool) -> str:
    import tomlkit

    bom, body = split_bom(base)
    newline = newline_of(body)
    doc = tomlkit.parse(body)
    old = _read_base(base)
    layout = _layout(manifest, doc, legacy, options)
    manifest = prepare(manifest, layout, options, report)
    w = _Writer(doc, old, manifest, report, newline, layout)
    w.package_mode()
    w.python()
    w.main_and_extras()
    w.groups()
    w.sources()
    import tomllib

    before = tomllib.loads(body)  # the base as data (tomllib: ~10x faster than a second tomlkit parse)
    if doc.unwrap() == before:
        return base  # nothing changed: the bytes as they were (tomlkit's re-render is not always identical)
    space_new_tables(doc, before)
    text = tomlkit.dumps(doc)
    if "\n\n\n" not in body.replace("\r\n", "\n"):
        import re

        text = re.sub(r"\n{3,}(?=\[)", "\n\n", text)  # tomlkit's spacing around tables this write added
    elif newline == "\r\n" and "\r\n" not in text.replace("\r\n", ""):
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return bom + text


def _main_and_extras(manifest: Manifest, key: str) -> list[tuple[str, str, Any]]:
    """What the main group and the extras say of package ``key`` (and how they spell it)."""
    return [(g.name, r.name, requirement_key(r)) for g in manifest.groups
            if g.kind in (GroupKind.MAIN, GroupKind.EXTRA) for r in g.requirements if r.key == key]


def _rename_key(table: Any, old: str, new: str) -> None:
    """Rename ``old`` to ``new`` in place (value, comments and position kept)."""
    container = getattr(table, "value", table)
    try:
        container._replace(old, new, table[old])  # tomlkit has no public rename
    except (AttributeError, KeyError):
        item = table[old]
        del table[old]
        table[new] = item


def _read_base(base: str) -> Manifest:
    from ..reader import read_pyproject

    return read_pyproject(base, ReadOptions(), format_name="poetry")


def _layout(manifest: Manifest, doc: Any, legacy: bool, options: WriteOptions) -> str:
    if doc is not None:
        project = doc.get("project")
        if project is not None and ("dependencies" in project or project.get("optional-dependencies")):
            return "project"  # the reader's rule (is_legacy): Poetry 2 semantics
        tp = doc.get("tool", {}).get("poetry", {})
        if (not legacy and project is not None and "dependencies" in tp
                and ("dependencies" in (project.get("dynamic") or []) or "requires-python" in project)):
            return "dynamic"  # Poetry 2's dynamic dependencies (listed or not): requires-python stays in [project]
        if "dependencies" in tp or "dev-dependencies" in tp or project is None or legacy:
            return "legacy" if (legacy or project is None or "dependencies" in tp) else "project"
        return "project"
    if legacy:
        return "legacy"
    if manifest.project is None or not manifest.project.name:
        return "legacy"
    main = manifest.main
    if options.optional_to != "group" and main is not None and any(r.optional for r in main.requirements):
        return "dynamic"  # an optional dependency in no extra: [project] cannot say it, [tool.poetry] can
    return "project"

class _Writer(FreshSections, GroupSections):
    def __init__(self, doc: Any, old: Manifest | None, new: Manifest, report: Report, newline: str,
                 layout: str, ops: Any = TomlkitOps) -> None:
        self.ops = ops
        self.doc = doc
        self.old = old
        self.new = new
        self.report = report
        self.newline = newline
        self.layout = layout
        self.fresh = old is None

    # -- helpers --------------------------------------------------------------------------------------------

    def _tp(self) -> Any:
        return self.ops.ensure_table(self.doc, "tool", "poetry")

    def _entry_value(self, reqs: list[Requirement], *, allow_optional: bool = True) -> Any | None:
        values = [v for v in (render_entry(r, report=self.report, allow_optional=allow_optional) for r in reqs)
                  if v is not None]
        if not values:
            return None
        if len(values) == 1:
            return values[0]
        return [v if isinstance(v, dict) else {"version": v} for v in values]

    def _sync_table(self, table: Any, desired: dict[str, Any], *, deps: bool = True, rename: bool = True) -> None:
        """Make ``table`` hold ``desired``; entries equal in meaning keep their text (and comments)."""
        existing = {cn(k): k for k in table}
        wanted = {cn(k) for k in desired}
        for key in list(table):
            if cn(key) not in wanted:
                self.ops.remove_key(table, key)
        for name, value in desired.items():
            key = existing.get(cn(name))
            if key is not None and equivalent(name, table[key], value, deps=deps):
                if key != name and deps and rename:
                    _rename_key(table, key, name)  # same entry, respelled name (``depglot normalize``)
                continue
            if key is not None and not deps and isinstance(value, list) and isinstance(table[key], list):
                spelled = {cn(str(v)): str(v) for v in table[key]}  # a name list: edited in place, comments and
                self.ops.string_array(table, key, [spelled.get(cn(v), v) for v in value],  # spellings stay
                                      newline=self.newline)
                continue
            own = table[key] if key is not None else None
            inline = own is not None and hasattr(own, "as_string") and own.as_string().startswith("{")
            item = self.ops.toml_item(value, {key: own} if inline else table)  # a replaced { a = 1 } keeps its spacing
            if key is not None:
                table[key] = item
            else:
                table[name] = item

    def _deps_dict(self, reqs: tuple[Requirement, ...], *, python: str | None = None) -> dict[str, Any]:
        grouped: dict[str, list[Requirement]] = {}
        names: dict[str, str] = {}
        for r in reqs:
            if not r.name:
                self._unnamed(r)
                continue
            if r.version is not None and not r.version.is_any and isinstance(r.source, (Vcs, LocalPath, Url)):
                # Poetry's schema forbids `version` next to git/path/file/url (uv and Pipfile allow both)
                self.report.add("url-version-dropped", Severity.WARNING,
                                f"a Poetry git/path/url dependency cannot also carry a version; {r.name} "
                                f"{r.version.raw!r} dropped", subject=r.name, span=r.span,
                                data={"version": r.version.raw})
            grouped.setdefault(r.key, []).append(r)
            names.setdefault(r.key, r.name)
        out: dict[str, Any] = {}
        if python is not None:
            out["python"] = python
        for key, rs in grouped.items():
            value = self._entry_value(rs)
            if value is not None:
                out[names[key]] = value
        return out

    def _unnamed(self, r: Requirement) -> None:
        self.report.add("poetry-name-required", Severity.ERROR,
                        f"{_location(r)!r} has no package name, and none can be derived that its group does not "
                        "already use; Poetry keys dependencies by name, so it was left out",
                        subject=_location(r) or str(r.source),
                        span=r.span)

    # -- sections -------------------------------------------------------------------------------------------

    def package_mode(self) -> None:
        """Base mode: a file that names no project gets ``package-mode = false`` (else Poetry needs a name)."""
        project = self.doc.get("project") or {}
        if "poetry" in self.doc.get("tool", {}) or project.get("name"):
            return  # already a Poetry (or named) project: its settings are the user's
        if self.new.project is not None and self.new.project.name:
            return
        if not any(g.requirements for g in self.new.groups) and not self.new.indexes:
            return  # nothing is written, so nothing needs a package mode
        if self.layout == "legacy":
            self._tp()["package-mode"] = False

    def python(self) -> None:
        new = self.new.python
        if self.old is not None and same_spec(self.old.python, new):
            return
        if self.layout in ("project", "dynamic"):
            tbl = self.ops.ensure_table(self.doc, "project")
            if new is None or new.is_any:
                if "requires-python" in tbl and not self.fresh:
                    self.ops.remove_key(tbl, "requires-python")
                return
            tbl["requires-python"] = pep440_dialect.render(new, report=self.report, subject="python")
        # legacy: python is written with the dependencies table

    def _python_text(self) -> str | None:
        new = self.new.python
        raw = {r.key: r.value for r in self.new.raw if r.format == "poetry"}
        if "tool.poetry.dependencies.python" in raw:
            text = str(raw["tool.poetry.dependencies.python"])
            if self.layout == "legacy" and new is not None and not same_spec(new, poetry_dialect.parse(text)):
                self.report.add("poetry-requires-python-merged", Severity.WARNING,
                                f"requires-python {new.raw!r} has no place in Poetry 1's layout; the python "
                                f"constraint {text!r} is written, and Poetry derives Requires-Python from it",
                                subject="python", data={"dropped": new.raw, "kept": text})
            return text
        if self.layout in ("project", "dynamic"):
            if new is not None and new.pep440 is None and new.dialect != "pep440":
                return poetry_dialect.render(new)
            return None
        if new is None or new.is_any:
            return None
        return poetry_dialect.render(new, report=self.report, subject="python")

    def main_and_extras(self) -> None:
        new_groups = [g for g in self.new.groups if g.kind in (GroupKind.MAIN, GroupKind.EXTRA)]
        if self.old is not None:
            old_groups = [g for g in self.old.groups if g.kind in (GroupKind.MAIN, GroupKind.EXTRA)]
            if same_groups(old_groups, new_groups) and same_spec(self.old.python, self.new.python):
                return
        main = self.new.main
        main_reqs = main.requirements if main is not None else ()
        extras = [g for g in self.new.groups if g.kind is GroupKind.EXTRA]
        if self.layout in ("legacy", "dynamic"):
            # one entry per name: per-extra requirements become optional entries marked `extra == '...'`
            desired = self._deps_dict(tuple(legacy_entries(main_reqs, extras)), python=self._python_text())
            if desired or "dependencies" in self._tp():
                self._sync_table(self.ops.ensure_table(self.doc, "tool", "poetry", "dependencies"), desired)
            tp = self._tp()
            if extras:
                want = {g.name: unique_names([r.name for r in g.requirements]) for g in extras}
                tbl = self.ops.ensure_table(self.doc, "tool", "poetry", "extras")
                self._sync_table(tbl, want, deps=False)
            elif "extras" in tp:
                self.ops.remove_key(tp, "extras")
            return
        project = self.ops.ensure_table(self.doc, "project")
        # poetry-core's mixed_dynamic: [project] declares only extras and lists `dependencies` in `dynamic`; the main
        # dependencies are whole [tool.poetry.dependencies] entries
        mixed = not self.fresh and "dependencies" not in project and "dependencies" in (project.get("dynamic") or [])
        self._set_pep508_array(project, "dependencies", list(main_reqs),
                               not mixed and (main is not None or "dependencies" in project), keep_unchanged=True)
        if extras or "optional-dependencies" in project:
            od = self.ops.ensure_table(self.doc, "project", "optional-dependencies")
            wanted = {cn(g.name) for g in extras}
            for key in list(od):
                if cn(key) not in wanted:
                    self.ops.remove_key(od, key)
            existing = {cn(k): k for k in od}
            for g in extras:
                self._set_pep508_array(od, existing.get(cn(g.name), g.name), list(g.requirements), True,
                                       keep_unchanged=True)
        enrich: dict[str, Any] = {}
        python = self._python_text()
        if python is not None:
            enrich["python"] = python
        if mixed:
            enrich.update(self._deps_dict(main_reqs))
        for g in (*extras,) if mixed else (main, *extras):
            enrich.update(enrichments(g.requirements if g is not None else ()))
        tp_exists = "dependencies" in self.doc.get("tool", {}).get("poetry", {})
        if tp_exists and self.old is not None:
            # entries Poetry ignored in the base (naming nothing in [project]) are the user's: keep them
            known = {r.key for g in self.old.groups if g.kind in (GroupKind.MAIN, GroupKind.EXTRA)
                     for r in g.requirements} | {r.key for r in (*main_reqs, *(r for g in extras for r in g.requirements))}
            # and the entry of a package this write does not change stays as written (with the [project] strings
            # it enriches, also kept as written: together they still mean what they meant)
            table = self.doc["tool"]["poetry"]["dependencies"]
            for key in table:
                if key.lower() == "python":
                    continue
                if self._unchanged(cn(key)) or (cn(key) not in known and cn(key) not in {cn(k) for k in enrich}):
                    for spelled in [k for k in enrich if cn(k) == cn(key)]:
                        del enrich[spelled]
                    enrich[key] = table[key].unwrap() if hasattr(table[key], "unwrap") else table[key]
        if enrich or tp_exists:  # Poetry matches enrichments by normalised name: a respelling stays in [project]
            self._sync_table(self.ops.ensure_table(self.doc, "tool", "poetry", "dependencies"), enrich, rename=False)
            if not enrich:
                self.ops.remove_key(self._tp(), "dependencies")

    def _unchanged(self, key: str) -> bool:
        """Whether the main group and the extras say the same of package ``key`` before and after this write."""
        return self.old is not None and _main_and_extras(self.old, key) == _main_and_extras(self.new, key)

    def _set_pep508_array(self, container: Any, key: str, reqs: list[Requirement], write: bool,
                          includes: list[str] | None = None, *, keep_unchanged: bool = False) -> None:
        """``container[key]`` as PEP 508 strings for ``reqs`` (+ PEP 735 ``include-group`` items).

        An existing string whose requirement (with the enriching ``[tool.poetry]`` version intersected) means the
        same is kept as written; strings fill the array's string slots in order, include items keep their place.
        ``keep_unchanged`` (main and extras): the string of a package this write does not change is kept too (its
        enriching entry is kept as well).
        """
        if not write:
            return
        current = container.get(key)
        old: list[tuple[str, Requirement | None]] = []
        for item in current if current is not None else []:
            if isinstance(item, str):
                try:
                    old.append((str(item), pep508_dialect.parse_requirement(str(item))))
                except DepglotError:
                    old.append((str(item), None))
        strings: list[str] = []
        for r in reqs:
            if not r.name:
                self._unnamed(r)
                continue
            part = pep508_part(r)
            named = [i for i, (_, o) in enumerate(old) if o is not None and o.name == part.name]
            match = next((i for i in named if same_part(old[i][1], part, r)), None)  # type: ignore[arg-type]
            if match is None and named and keep_unchanged and self._unchanged(r.key):
                match = next((i for i in named if old[i][1].marker == part.marker), named[0])  # type: ignore[union-attr]
            if match is not None:
                strings.append(old.pop(match)[0])
            else:
                strings.append(single_quoted(pep508_dialect.render_requirement(part, report=self.report)))
        wanted_includes = {cn(i): i for i in includes or []}
        values: list[Any] = []
        pending = iter(strings)
        for item in current if current is not None else []:
            if isinstance(item, str):
                nxt = next(pending, None)
                if nxt is not None:
                    values.append(nxt)
            elif isinstance(item, dict) and isinstance(item.get("include-group"), str):
                if cn(item["include-group"]) in wanted_includes:
                    wanted_includes.pop(cn(item["include-group"]))
                    values.append(item)
            else:
                values.append(item)
        values.extend(pending)
        values.extend(self.ops.inline_table({"include-group": i}) for i in wanted_includes.values())
        self.ops.string_array(container, key, values, newline=self.newline)

    def sources(self) -> None:
        mine = tuple(ix for ix in self.new.indexes if ix.role is not IndexRole.FIND_LINKS)
        if self.old is not None:
            old = tuple(ix for ix in self.old.indexes if ix.role is not IndexRole.FIND_LINKS)
            if [(i.name, i.url, i.role) for i in old] == [(i.name, i.url, i.role) for i in mine]:
                return
        tables = render_sources(mine, self.report)
        tp = self.doc.get("tool", {}).get("poetry")
        if not tables:
            if tp is not None and "source" in tp:
                self.ops.remove_key(tp, "source")
            return
        self._tp()["source"] = self.ops.aot(tables)

# ---------------------------------------------------------------------------------------------- comparing
