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
from ....errors import DepglotError
from ....format import ReadOptions, WriteOptions
from ....ir.model import Group, GroupKind, IndexRole, LocalPath, Manifest, Requirement, Url, Vcs
from ....ir.model import canonical_name as cn
from ....report import Report, Severity
from ..._naming import location as _location
from ..common import ensure_table, inline_table_like, newline_of, remove_key, set_string_array, split_bom
from .enrich import (
    enrichments,
    equivalent,
    pep508_part,
    same_groups,
    same_part,
    same_spec,
    unique_names,
)
from .entries import render_entry, single_quoted
from .extra_markers import legacy_entries
from .metadata import poetry_metadata, project_metadata, raw_keys
from .prepare import prepare
from .sources import render_sources
from .tomlitems import plain_item, space_new_tables, toml_item

__all__ = ["write_poetry"]


def write_poetry(manifest: Manifest, *, base: str | None, report: Report, options: WriteOptions, legacy: bool) -> str:
    import tomlkit

    bom, body = split_bom(base or "")
    newline = newline_of(body) if base else "\n"
    doc = tomlkit.parse(body) if base is not None else tomlkit.document()
    old = _read_base(base) if base is not None else None
    layout = _layout(manifest, doc if base is not None else None, legacy, options)
    manifest = prepare(manifest, layout, options, report)
    w = _Writer(doc, old, manifest, report, newline, layout)
    if base is None:
        w.metadata()
    else:
        w.package_mode()
    w.python()
    w.main_and_extras()
    w.groups()
    w.sources()
    if base is None:
        w.fresh_tail()
    before = tomlkit.parse(body).unwrap() if base is not None else {}
    if base is not None and doc.unwrap() == before:
        return base  # nothing changed: the bytes as they were (tomlkit's re-render is not always identical)
    space_new_tables(doc, before)
    text = tomlkit.dumps(doc)
    if base is None:
        import re

        text = re.sub(r"([^\n])\n(\[)", r"\1\n\n\2", text.lstrip("\n"))  # a blank line before every table
    if "\n\n\n" not in body.replace("\r\n", "\n"):
        import re

        text = re.sub(r"\n{3,}(?=\[)", "\n\n", text)  # tomlkit's spacing around tables this write added
    elif newline == "\r\n" and "\r\n" not in text.replace("\r\n", ""):
        text = text.replace("\r\n", "\n").replace("\n", "\r\n")
    return bom + text

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
                and "dependencies" in (project.get("dynamic") or [])):
            return "dynamic"  # Poetry 2's dynamic dependencies: requires-python stays in [project]
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

class _Writer:
    def __init__(self, doc: Any, old: Manifest | None, new: Manifest, report: Report, newline: str,
                 layout: str) -> None:
        self.doc = doc
        self.old = old
        self.new = new
        self.report = report
        self.newline = newline
        self.layout = layout
        self.fresh = old is None

    # -- helpers --------------------------------------------------------------------------------------------

    def _tp(self) -> Any:
        return ensure_table(self.doc, "tool", "poetry")

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
                remove_key(table, key)
        for name, value in desired.items():
            key = existing.get(cn(name))
            if key is not None and equivalent(name, table[key], value, deps=deps):
                if key != name and deps and rename:
                    _rename_key(table, key, name)  # same entry, respelled name (``depglot normalize``)
                continue
            item = toml_item(value, table)
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

    def _version_fallback(self, tp: Any) -> None:
        """Poetry needs a version in package mode; a dynamic one (setuptools-scm, hatch-vcs) gets Poetry's
        placeholder ``0.0.0`` in ``[tool.poetry]`` (what poetry-dynamic-versioning expects)."""
        project = self.new.project
        raw = raw_keys(self.new.raw)
        if project is None or not project.name or project.version or "version" in raw:
            return
        tp["version"] = "0.0.0"
        self.report.add("project-version-invented", Severity.WARNING,
                        f"{project.name!r} has no static version and Poetry needs one; wrote version = \"0.0.0\" "
                        "in [tool.poetry] (set it, or let a versioning plugin fill it)", subject=project.name)

    def metadata(self) -> None:
        project = self.new.project
        if self.layout in ("project", "dynamic"):
            meta = project_metadata(project)
            dynamic = [d for d in meta.get("dynamic", []) if d not in ("dependencies", "optional-dependencies")]
            if self.layout == "dynamic":  # the dependencies (and extras) come from [tool.poetry]
                dynamic.append("dependencies")
                if any(g.kind is GroupKind.EXTRA for g in self.new.groups):
                    dynamic.append("optional-dependencies")
                meta["dynamic"] = dynamic
            if "version" in meta and "version" in dynamic:
                dynamic.remove("version")
            if "dynamic" in meta:
                meta["dynamic"] = dynamic
                if not dynamic:
                    del meta["dynamic"]
            tbl = ensure_table(self.doc, "project")
            for key, value in meta.items():
                tbl[key] = plain_item(value)
            if project is not None and not project.version and "version" not in dynamic:
                if "dynamic" not in tbl:
                    tbl["dynamic"] = ["version"]
                else:
                    tbl["dynamic"].append("version")
            self._version_fallback(self._tp())
        else:
            meta = poetry_metadata(project)
            tp = self._tp()
            if not (project and project.name):
                tp["package-mode"] = False
            for key, value in meta.items():
                if key not in ("scripts", "plugins", "urls"):
                    tp[key] = plain_item(value)
            self._version_fallback(tp)
            mapped = {"description", "authors", "maintainers", "license", "readme", "urls", "keywords",
                      "classifiers", "scripts", "entry-points", "dynamic"}
            for key, _ in project.metadata if project is not None else ():
                if key not in mapped:
                    self.report.add("project-metadata-dropped", Severity.INFO,
                                    f"project.{key} has no place in Poetry 1's [tool.poetry]; not written",
                                    subject=key)

    def python(self) -> None:
        new = self.new.python
        if self.old is not None and same_spec(self.old.python, new):
            return
        if self.layout in ("project", "dynamic"):
            tbl = ensure_table(self.doc, "project")
            if new is None or new.is_any:
                if "requires-python" in tbl and not self.fresh:
                    remove_key(tbl, "requires-python")
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
                self._sync_table(ensure_table(self.doc, "tool", "poetry", "dependencies"), desired)
            tp = self._tp()
            if extras:
                want = {g.name: unique_names([r.name for r in g.requirements]) for g in extras}
                tbl = ensure_table(self.doc, "tool", "poetry", "extras")
                self._sync_table(tbl, want, deps=False)
            elif "extras" in tp:
                remove_key(tp, "extras")
            return
        project = ensure_table(self.doc, "project")
        self._set_pep508_array(project, "dependencies", list(main_reqs), main is not None or "dependencies" in project)
        if extras or "optional-dependencies" in project:
            od = ensure_table(self.doc, "project", "optional-dependencies")
            wanted = {cn(g.name) for g in extras}
            for key in list(od):
                if cn(key) not in wanted:
                    remove_key(od, key)
            existing = {cn(k): k for k in od}
            for g in extras:
                self._set_pep508_array(od, existing.get(cn(g.name), g.name), list(g.requirements), True)
        enrich: dict[str, Any] = {}
        python = self._python_text()
        if python is not None:
            enrich["python"] = python
        for g in (main, *extras):
            enrich.update(enrichments(g.requirements if g is not None else ()))
        tp_exists = "dependencies" in self.doc.get("tool", {}).get("poetry", {})
        if tp_exists and self.old is not None:
            # entries Poetry ignored in the base (naming nothing in [project]) are the user's: keep them
            known = {r.key for g in self.old.groups if g.kind in (GroupKind.MAIN, GroupKind.EXTRA)
                     for r in g.requirements} | {r.key for r in (*main_reqs, *(r for g in extras for r in g.requirements))}
            table = self.doc["tool"]["poetry"]["dependencies"]
            for key in table:
                if cn(key) not in known and cn(key) not in {cn(k) for k in enrich} and key.lower() != "python":
                    enrich[key] = table[key].unwrap() if hasattr(table[key], "unwrap") else table[key]
        if enrich or tp_exists:  # Poetry matches enrichments by normalised name: a respelling stays in [project]
            self._sync_table(ensure_table(self.doc, "tool", "poetry", "dependencies"), enrich, rename=False)
            if not enrich:
                remove_key(self._tp(), "dependencies")

    def _set_pep508_array(self, container: Any, key: str, reqs: list[Requirement], write: bool,
                          includes: list[str] | None = None) -> None:
        """``container[key]`` as PEP 508 strings for ``reqs`` (+ PEP 735 ``include-group`` items).

        An existing string whose requirement (with the enriching ``[tool.poetry]`` version intersected) means the
        same is kept as written; strings fill the array's string slots in order, include items keep their place.
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
            match = next((i for i, (_, o) in enumerate(old)
                          if o is not None and o.name == part.name and same_part(o, part, r)), None)
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
        values.extend(inline_table_like({"include-group": i}) for i in wanted_includes.values())
        set_string_array(container, key, values, newline=self.newline)

    def groups(self) -> None:
        new_groups = [g for g in self.new.groups if g.kind in (GroupKind.GROUP, GroupKind.CATEGORY)]
        if self.old is not None:
            old_groups = [g for g in self.old.groups if g.kind in (GroupKind.GROUP, GroupKind.CATEGORY)]
            if same_groups(old_groups, new_groups):
                return
        pep735 = self.doc.get("dependency-groups", {})
        pep735_keys = {cn(k): k for k in pep735}
        tp = self.doc.get("tool", {}).get("poetry", {})
        poetry_groups = tp.get("group", {})
        poetry_keys = {cn(k): k for k in poetry_groups}
        wanted = {cn(g.name) for g in new_groups}
        for key in list(poetry_groups):
            if cn(key) not in wanted:
                remove_key(poetry_groups, key)
        for key in list(pep735):
            if cn(key) not in wanted:
                remove_key(pep735, key)
        if "dev-dependencies" in tp and "dev" not in wanted:
            remove_key(tp, "dev-dependencies")
        for g in new_groups:
            key = cn(g.name)
            if key in pep735_keys:
                self._pep735_group(g, pep735_keys[key], poetry_keys.get(key))
            elif key == "dev" and "dev-dependencies" in tp and key not in poetry_keys:
                self._sync_table(tp["dev-dependencies"], self._deps_dict(g.requirements))
                if g.optional or g.includes:
                    gt = ensure_table(self.doc, "tool", "poetry", "group", "dev")
                    self._group_flags(gt, g, ())
            else:
                name = poetry_keys.get(key, g.name)
                gt = ensure_table(self.doc, "tool", "poetry", "group", name)
                self._group_flags(gt, g, tuple(g.includes))
                desired = self._deps_dict(g.requirements)
                if desired or "dependencies" in gt or not (g.optional or g.includes):
                    self._sync_table(ensure_table(self.doc, "tool", "poetry", "group", name, "dependencies"),
                                     desired)

    def _group_flags(self, gt: Any, g: Group, includes: tuple[str, ...]) -> None:
        if g.optional:
            if gt.get("optional") is not True:
                gt["optional"] = True
        elif "optional" in gt:
            remove_key(gt, "optional")
        if includes:
            cur = [str(x) for x in gt.get("include-groups", [])]
            if [cn(x) for x in cur] != [cn(x) for x in includes]:
                gt["include-groups"] = list(includes)
        elif "include-groups" in gt:
            remove_key(gt, "include-groups")

    def _pep735_group(self, g: Group, key: str, poetry_key: str | None) -> None:
        pep735 = self.doc["dependency-groups"]
        poetry_includes: tuple[str, ...] = ()
        if poetry_key is not None:
            cur = self.doc["tool"]["poetry"]["group"][poetry_key].get("include-groups", [])
            poetry_includes = tuple(str(x) for x in cur)
        array_includes = [i for i in g.includes if cn(i) not in {cn(p) for p in poetry_includes}]
        self._set_pep508_array(pep735, key, list(g.requirements), True, includes=array_includes)
        enrich = enrichments(g.requirements)
        if enrich or g.optional or (poetry_key is not None):
            gt = ensure_table(self.doc, "tool", "poetry", "group", poetry_key or g.name)
            self._group_flags(gt, g, poetry_includes)
            if enrich or "dependencies" in gt:
                self._sync_table(ensure_table(self.doc, "tool", "poetry", "group", poetry_key or g.name,
                                              "dependencies"), enrich, rename=False)

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
                remove_key(tp, "source")
            return
        import tomlkit

        aot = tomlkit.aot()
        for t in tables:
            item = tomlkit.table()
            for k, v in t.items():
                item[k] = v
            aot.append(item)
        self._tp()["source"] = aot

    def _poetry_core_2(self, build: dict[str, Any]) -> dict[str, Any]:
        """poetry-core < 2 ignores ``[project]``: a build requirement that admits it is raised to 2.x."""
        from ....ir.versions import pep440_range

        if build.get("build-backend") != "poetry.core.masonry.api" or not isinstance(build.get("requires"), list):
            return build
        requires = []
        for item in build["requires"]:
            try:
                req = pep508_dialect.parse_requirement(item) if isinstance(item, str) else None
            except DepglotError:
                req = None
            old_core = req is not None and req.key == "poetry-core" and not (
                pep440_range(req.version.pep440 or "") if req.version is not None and req.version.pep440 is not None
                else pep440_range("")
            ).intersection(pep440_range("<2.0.0")).is_empty
            if old_core:
                self.report.add("poetry-build-requires-raised", Severity.INFO,
                                f"build-system requires {item!r}, but poetry-core < 2 ignores [project]; "
                                "wrote poetry-core>=2.0.0,<3.0.0", subject="build-system")
                item = "poetry-core>=2.0.0,<3.0.0"
            requires.append(item)
        return {**build, "requires": requires}

    def fresh_tail(self) -> None:
        """Fresh files: scripts/urls/plugins, the Raw ``[tool.poetry]`` keys and ``[build-system]``."""
        import tomlkit

        project = self.new.project
        raw = raw_keys(self.new.raw)
        tp = self._tp()
        if self.layout == "legacy":
            meta = poetry_metadata(project)
            for key in ("urls", "scripts", "plugins"):
                if key in meta and key not in raw:
                    tp[key] = plain_item(meta[key])
        for key, value in raw.items():
            if key not in tp:
                tp[key] = plain_item(value)
        build = next((r.value for r in self.new.raw if r.format == "pyproject" and r.key == "build-system"), None)
        if build is None and (project is not None and project.name):
            build = {"requires": ["poetry-core>=1.0.0" if self.layout == "legacy" else "poetry-core>=2.0.0,<3.0.0"],
                     "build-backend": "poetry.core.masonry.api"}
        if build is not None and self.layout != "legacy":
            build = self._poetry_core_2(build)
        if build is not None:
            tbl = tomlkit.table()
            for k, v in build.items():
                tbl[k] = plain_item(v)
            self.doc["build-system"] = tbl
        if not tp:
            tool = self.doc.get("tool")
            if tool is not None:
                del tool["poetry"]
                if not tool:
                    del self.doc["tool"]


# ---------------------------------------------------------------------------------------------- comparing
