"""Writing ``[project]`` / ``[dependency-groups]`` (and the uv or pdm tool tables) fresh or into a base file.

Base mode parses the existing text with tomlkit and edits only dependency tables: arrays keep the strings that
did not change (their quoting, comments and indentation), and the text is given back byte for byte when the
manifest says what the file already says. Flavour-specific tables are written by :mod:`.uv_write` and
:mod:`.pdm_write`.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Any

from ...edit import tomlemit as emit
from ...edit.tomlspan import load_toml
from ...errors import DepglotError
from ...ir.model import Group, GroupKind, Manifest, Requirement, canonical_name
from ...report import Report, Severity
from .._poetry_core import raised_build
from .common import (
    EmitTable,
    emit_inline,
    ensure_table,
    make_string_array,
    newline_of,
    remove_key,
    set_string_array,
    split_bom,
)

if TYPE_CHECKING:
    from ...format import WriteOptions

__all__ = ["FRESH_WITH_TOMLKIT", "Layout", "layout", "write_pyproject"]

# Tests set this to compare the tomlkit rendering of a fresh document with the emitter's (they must be equal).
FRESH_WITH_TOMLKIT = False

# Groups whose requirements go to [project] (main, extras) or [dependency-groups] (the rest).
_PROJECT_KINDS = (GroupKind.MAIN, GroupKind.EXTRA)


class Layout:
    """Where every requirement goes: main, extras and dependency groups, with optional deps placed."""

    __slots__ = ("extras", "groups", "main")

    def __init__(self) -> None:
        self.main: list[Requirement] | None = None
        self.extras: dict[str, list[Requirement]] = {}
        self.groups: dict[str, tuple[list[Requirement], list[str], Group | None]] = {}


def layout(manifest: Manifest, report: Report, options: WriteOptions) -> Layout:
    """Sort the manifest's groups into PEP 621 places; optional requirements never become required."""
    out = Layout()
    in_extras = {r.key for g in manifest.groups if g.kind is GroupKind.EXTRA for r in g.requirements}
    stray: list[Requirement] = []
    manifest = _named_only(manifest, report)
    for g in manifest.groups:
        if g.kind is GroupKind.MAIN:
            reqs = []
            for r in g.requirements:
                if r.optional:
                    if r.key not in in_extras:
                        stray.append(r)
                    continue
                reqs.append(r)
            out.main = (out.main or []) + reqs
        elif g.kind is GroupKind.EXTRA:
            out.extras.setdefault(g.name, []).extend(r.replace(optional=False) for r in g.requirements)
        else:
            reqs_, incs, _ = out.groups.get(g.name, ([], [], None))
            out.groups[g.name] = (reqs_ + list(g.requirements), incs + list(g.includes), g)
    # include-group names are spelled like the group they name (PEP 735 tools compare normalised names, but
    # validate-pyproject compares them as written).
    spelled = {canonical_name(n): n for n in out.groups}
    for name, (reqs_, incs, grp) in list(out.groups.items()):
        out.groups[name] = (reqs_, [spelled.get(canonical_name(i), i) for i in incs], grp)
    for r in stray:
        where = options.optional_to
        if where == "group":
            name = "optional"
            reqs_, incs, grp = out.groups.get(name, ([], [], None))
            out.groups[name] = (reqs_ + [r.replace(optional=False)], incs, grp)
            placed = f"dependency group {name!r}"
        else:
            name = canonical_name(r.name)
            out.extras.setdefault(name, []).append(r.replace(optional=False))
            placed = f"extra {name!r}"
        report.add(
            "optional-without-extra", Severity.WARNING,
            f"{r.name!r} is optional but in no extra; written to {placed} so it stays optional"
            " (choose with --optional-to extra|group)",
            subject=r.name, span=r.span, data={"placed": where, "name": name},
        )
    return out


def _named_only(manifest: Manifest, report: Report) -> Manifest:
    """PEP 508 needs a name: ``-e .`` is the project itself (not a dependency of itself); other unnamed lines are
    dropped. Both are reported."""
    from ...ir.model import LocalPath

    if all(r.name for r in manifest.requirements()):
        return manifest
    groups = []
    for g in manifest.groups:
        kept = []
        for r in g.requirements:
            if r.name:
                kept.append(r)
            elif isinstance(r.source, LocalPath) and r.source.path in (".", "./"):
                # A pyproject cannot list itself: uv and PDM install the project (editable) only when it is a
                # package (a [build-system], or uv's tool.uv.package = true); pip needs `pip install -e .`. So the
                # requirement is gone from the file, whatever the installer then does: a warning naming it.
                extras = f"; its extras [{', '.join(r.extras)}] are not requested" if r.extras else ""
                report.add("project-itself-dropped", Severity.WARNING,
                           f"'{'-e ' if r.editable else ''}{r.source.path}' is the project itself, which a pyproject "
                           "cannot list as its own dependency; uv and PDM install it only when it is a package "
                           f"([build-system], or tool.uv.package = true){extras}",
                           subject=r.source.path, span=r.span)
            else:
                report.add("unnamed-requirement-dropped", Severity.ERROR,
                           "a requirement without a name cannot be a PEP 508 string; add #egg=<name> or "
                           "'<name> @ <url>' to the source",
                           subject=getattr(r.source, "url", None) or getattr(r.source, "path", None) or str(r.source),
                           span=r.span)
        groups.append(g.replace(requirements=tuple(kept)))
    return manifest.replace(groups=tuple(groups))


def write_pyproject(
    manifest: Manifest, *, base: str | None, report: Report, options: WriteOptions, flavour: str | None
) -> str:
    """A fresh document (no base) is built from :mod:`depglot.edit.tomlemit` containers (:class:`EmitTable`) and
    rendered without tomlkit; a value outside that model falls back to tomlkit (same text by construction)."""
    if base is None and not FRESH_WITH_TOMLKIT:
        trial = Report(report.losses)
        try:
            text = _write(manifest, base, trial, options, flavour, fresh_emit=True)
        except emit.Unsupported:
            pass
        else:
            report.extend(trial.losses)
            return text
    return _write(manifest, base, report, options, flavour, fresh_emit=False)


def _write(
    manifest: Manifest, base: str | None, report: Report, options: WriteOptions, flavour: str | None, *,
    fresh_emit: bool,
) -> str:
    from .render import RequirementText

    lay = layout(manifest, report, options)
    uv_sourced: frozenset[str] = frozenset()
    doc: Any
    if base is None:
        bom, body, nl = "", "", "\n"
        if fresh_emit:
            doc = EmitTable()
        else:
            import tomlkit

            doc = tomlkit.document()
    else:
        import tomlkit

        bom, body = split_bom(base)
        parsed = load_toml(base, options.path, dialect="pyproject")  # a clear error for invalid base TOML
        nl = newline_of(body)
        doc = tomlkit.parse(body)
        tool = parsed.get("tool")
        uv = tool.get("uv") if isinstance(tool, dict) else None
        sources = uv.get("sources") if isinstance(uv, dict) else None
        if isinstance(sources, dict):
            uv_sourced = frozenset(canonical_name(k) for k in sources)
    texts = RequirementText(flavour, report, path=options.path, uv_sourced=uv_sourced)

    _write_project(doc, manifest, lay, texts, report, options, fresh=base is None, newline=nl)
    _write_groups(doc, lay, texts, report, newline=nl, fresh=base is None, pdm=flavour == "pdm")
    if base is None:
        _write_build_system(doc, manifest, report)
    if flavour == "uv":
        from .uv_write import write_uv

        write_uv(doc, manifest, lay, texts, report, options, fresh=base is None, newline=nl)
    elif flavour == "pdm":
        from .pdm_write import write_pdm

        write_pdm(doc, manifest, report, options, fresh=base is None, newline=nl)
    out = emit.dumps(doc) if fresh_emit else tomlkit.dumps(doc)
    if base is not None and (out == body or doc.unwrap() == parsed):
        return base  # nothing changed: the bytes as they were (tomlkit's re-render is not always identical)
    if base is None:
        out = _spaced(out)
    if nl == "\r\n":
        out = out.replace("\r\n", "\n").replace("\n", "\r\n")
    return bom + out


def _spaced(text: str) -> str:
    """A blank line before every table header of a fresh document (tomlkit puts none)."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        if line.startswith("[") and out and out[-1].strip():
            out.append("")
        out.append(line)
    return "\n".join(out)


def _project_name(manifest: Manifest, options: WriteOptions, report: Report) -> str:
    if manifest.project is not None and manifest.project.name:
        from .._naming import usable_project_name

        usable = usable_project_name(manifest.project.name, report, manifest.span)
        if usable is not None:
            return usable
    folder = os.path.basename(os.path.dirname(os.path.abspath(options.path))) if options.path else ""
    name = canonical_name(folder) if folder else "project"
    report.add("project-name-invented", Severity.WARNING,
               f"the source names no project; [project] needs a name, so it is {name!r} (edit it)",
               subject=name, span=manifest.span)
    return name


def _write_project(
    doc: Any, manifest: Manifest, lay: Layout, texts: Any, report: Report, options: WriteOptions, *,
    fresh: bool, newline: str,
) -> None:
    needs_project = lay.main is not None or bool(lay.extras) or (
        manifest.project is not None and (manifest.project.name or manifest.project.metadata)
    ) or (manifest.python is not None and not manifest.python.is_any)
    if not needs_project and "project" not in doc:
        return
    if "project" not in doc:
        proj = _new_table(doc)
        proj["name"] = _project_name(manifest, options, report)
        meta = dict(manifest.project.metadata) if manifest.project is not None else {}
        version = manifest.project.version if manifest.project is not None else None
        dynamic = meta.get("dynamic") or []
        if version is not None:
            proj["version"] = version
        elif "version" not in dynamic:
            proj["version"] = "0.0.0"
            report.add("project-version-invented", Severity.WARNING,
                       "the source names no version; [project] needs one, so it is '0.0.0' (edit it)",
                       subject="version", span=manifest.span)
        for key, value in meta.items():
            if key not in PEP621_KEYS:
                report.add("project-metadata-dropped", Severity.INFO,
                           f"{key!r} is not a PEP 621 [project] field; not written",
                           subject=key, span=manifest.span)
                continue
            if key in ("scripts", "gui-scripts", "entry-points") and isinstance(value, dict):
                value = _valid_entry_points(key, value, manifest, report)
                if not value:
                    continue
            if key == "license" and isinstance(value, str) and not _is_spdx(value):
                value = {"text": value}  # free text (Poetry, setup.cfg): PEP 621's table form, not an SPDX string
            if key == "dynamic":
                # A field written statically here cannot stay dynamic (Poetry fills dynamic fields itself).
                written = {k for k in meta if k != "dynamic"} | ({"version"} if version is not None else set())
                if lay.main is not None:
                    written |= {"dependencies"}
                if lay.extras:
                    written |= {"optional-dependencies"}
                value = [v for v in value if v not in written]
                if not value:
                    continue
            proj[key] = _metadata_value(key, value, fresh_emit=isinstance(doc, emit.Table))
        doc["project"] = proj
    proj = doc["project"]
    _set_python(proj, manifest, texts)
    dynamic = list(proj.get("dynamic") or [])
    base_groups = _dynamic_base_groups(doc, texts.path) if dynamic else {}
    if lay.main is not None:
        if "dependencies" in dynamic and "dependencies" not in proj:
            _check_dynamic(base_groups.get(("main", "")), lay.main, "dependencies", manifest, texts, report,
                           manifest.main)
        else:
            values = [texts.array_item(r) for r in lay.main]
            _sync(proj, "dependencies", values, texts, newline=newline, fresh=fresh)
    if "optional-dependencies" in dynamic and "optional-dependencies" not in proj:
        for name, reqs in lay.extras.items():
            group = next((g for g in manifest.groups if g.kind is GroupKind.EXTRA and g.name == name), None)
            _check_dynamic(base_groups.get(("extra", name)), reqs, f"optional-dependencies.{name}", manifest, texts,
                           report, group)
        return
    if lay.extras or "optional-dependencies" in proj:
        existing = proj.get("optional-dependencies")
        if existing is None and lay.extras:
            existing = _new_table(doc)
            proj["optional-dependencies"] = existing
        if existing is not None:
            for name in [k for k in existing if k not in lay.extras]:
                remove_key(existing, name)
            for name, reqs in lay.extras.items():
                values = [texts.array_item(r) for r in reqs]
                _sync(existing, name, values, texts, newline=newline, fresh=fresh)


PEP621_KEYS = frozenset({
    "name", "version", "description", "readme", "requires-python", "license", "license-files", "authors",
    "maintainers", "keywords", "classifiers", "urls", "scripts", "gui-scripts", "entry-points", "dependencies",
    "optional-dependencies", "dynamic", "import-names", "import-namespaces",
})


_ENTRY_POINT = re.compile(r"[\w.]+(\s*:\s*[\w.]+)?(\s*\[[\w.,\s-]*\])?")


def _valid_entry_points(key: str, value: dict[str, Any], manifest: Manifest, report: Report) -> dict[str, Any]:
    """Scripts and entry points whose object references PEP 621 accepts (``module:attr``); the rest reported."""

    def keep(group: str, name: str, ref: Any) -> bool:
        if isinstance(ref, str) and _ENTRY_POINT.fullmatch(ref.strip()):
            return True
        report.add("entry-point-invalid", Severity.WARNING,
                   f"{group} {name!r} = {ref!r} is not a 'module:attr' reference; PEP 621 cannot hold it",
                   subject=f"{group}.{name}", span=manifest.span)
        return False

    if key != "entry-points":
        return {n: r for n, r in value.items() if keep(key, n, r)}
    out = {}
    for group, entries in value.items():
        kept = {n: r for n, r in (entries or {}).items() if keep(f"entry-points.{group}", n, r)}
        if kept:
            out[group] = kept
    return out


def _is_spdx(text: str) -> bool:
    from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression

    try:
        canonicalize_license_expression(text)
    except InvalidLicenseExpression:
        return False
    return True


_SUBTABLE_KEYS = frozenset({"urls", "scripts", "gui-scripts", "entry-points"})


def _new_table(doc: Any) -> Any:
    """A new empty table for ``doc`` (a fresh :class:`EmitTable`, or a tomlkit table)."""
    if isinstance(doc, emit.Table):
        return EmitTable()
    import tomlkit

    return tomlkit.table()


def _metadata_value(key: str, value: Any, *, fresh_emit: bool = False) -> Any:
    """Small tables (``readme = { file = ... }``, ``license = { text = ... }``, authors) stay inline."""
    if fresh_emit:
        if isinstance(value, dict) and key not in _SUBTABLE_KEYS:
            return emit_inline(value, spaced=False)
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            return emit.Array((emit_inline(v, spaced=False) for v in value), multiline=len(value) > 1)
        return value
    import tomlkit

    if isinstance(value, dict) and key not in _SUBTABLE_KEYS:
        t = tomlkit.inline_table()
        t.update(value)
        return t
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        arr = tomlkit.array()
        for v in value:
            t = tomlkit.inline_table()
            t.update(v)
            arr.append(t)
        if len(value) > 1:
            arr.multiline(True)
        return arr
    return value


def _dynamic_base_groups(doc: Any, path: str | None) -> dict[tuple[str, str], tuple[Requirement, ...]]:
    """The groups a base file's dynamic fields resolve to, keyed (kind, name)."""
    if isinstance(doc, emit.Table):
        from ...format import ReadOptions
        from .reader import read_dynamic

        return read_dynamic(emit.dumps(doc), ReadOptions(path=path))
    import tomlkit

    from ...format import ReadOptions
    from .reader import read_dynamic

    return read_dynamic(tomlkit.dumps(doc), ReadOptions(path=path))


def _check_dynamic(current: tuple[Requirement, ...] | None, reqs: list[Requirement], what: str, manifest: Manifest,
                   texts: Any, report: Report, group: Group | None) -> None:
    """Dynamic fields stay where they are read from (depglot never edits the files ``[tool.setuptools.dynamic]``
    names); a change to them is reported, not written."""
    if current is None and group is not None and any(r.format == "setuptools" for r in group.raw):
        return  # read from those files and not readable from here (no path): nothing says they changed
    want = [texts.array_item(r) for r in reqs]
    if current is not None and [texts.array_item(r) for r in current] == want:
        return
    report.add("dynamic-dependencies-not-written", Severity.ERROR,
               f"project.{what} is dynamic in the base file; the new requirements were not written there",
               subject=what, span=manifest.span, data={"requirements": want})


def _set_python(proj: Any, manifest: Manifest, texts: Any) -> None:
    """requires-python from the manifest; the base's text stays when it means the same versions."""
    py = manifest.python
    if py is None or py.is_any:
        return
    current = proj.get("requires-python")
    if current is not None:
        if str(current) == py.raw:
            return
        from ...dialects.pep440 import parse

        try:
            if parse(str(current)).versions == py.versions:
                return
        except DepglotError:
            pass
    proj["requires-python"] = texts.python(py)


def _sync(container: Any, key: str, values: list[Any], texts: Any, *, newline: str, fresh: bool) -> bool:
    """Set ``container[key]`` to ``values``, keeping existing strings that mean the same requirement."""
    existing = container.get(key)
    if existing is not None and hasattr(existing, "__iter__"):
        values = texts.reuse(list(existing), values)
    if fresh or existing is None:
        container[key] = make_string_array(values, multiline=len(values) > 1 or fresh and bool(values),
                                           newline=newline, like=container)
        return True
    return set_string_array(container, key, values, newline=newline)


def _write_groups(
    doc: Any, lay: Layout, texts: Any, report: Report, *, newline: str, fresh: bool, pdm: bool = False
) -> None:
    tool = doc.get("tool") or {}
    legacy_pdm = (tool.get("pdm") or {}).get("dev-dependencies") if isinstance(tool.get("pdm"), dict) else None
    legacy_uv = (tool.get("uv") or {}).get("dev-dependencies") if isinstance(tool.get("uv"), dict) else None
    dg = doc.get("dependency-groups")
    handled: set[str] = set()
    included = {canonical_name(i) for _, incs, _ in lay.groups.values() for i in incs}
    for name, (reqs, includes, _grp) in lay.groups.items():
        values: list[Any] = [{"include-group": i} for i in includes] + [texts.array_item(r) for r in reqs]
        if legacy_uv is not None and canonical_name(name) == "dev":
            # uv reads [tool.uv] dev-dependencies as part of "dev": unchanged, leave both; else move to PEP 735.
            both = [*(dg[name] if dg is not None and name in dg else []), *legacy_uv]
            if _same_items(texts.reuse(both, values), both):
                handled.add(name)
                continue
            _report_replaced(report, "tool.uv.dev-dependencies", list(legacy_uv), removed=True)
            remove_key(tool["uv"], "dev-dependencies")
            if not tool["uv"]:
                remove_key(tool, "uv")
            legacy_uv = None
        if pdm and any(r.editable for r in reqs) and canonical_name(name) in included:
            for r in reqs:
                if r.editable:
                    report.add("editable-dropped", Severity.WARNING,
                               f"{r.name!r} is editable; group {name!r} is included by another group, so it stays "
                               "in [dependency-groups], which cannot say editable", subject=r.name, span=r.span)
        elif pdm and any(r.editable for r in reqs) and (dg is None or name not in dg) and (
            legacy_pdm is None or name not in legacy_pdm
        ):
            # PEP 735 groups cannot say "editable"; PDM's own table can.
            legacy_pdm = ensure_table(doc, "tool", "pdm", "dev-dependencies")
            legacy_pdm[name] = make_string_array([texts.pdm_line(r) for r in reqs], multiline=True, newline=newline,
                                                 like=legacy_pdm)
            handled.add(name)
            continue
        if legacy_pdm is not None and name in legacy_pdm and (dg is None or name not in dg):
            values = [texts.pdm_line(r) for r in reqs]
            if includes:
                values = [*values]  # PDM legacy groups have no include form; they were read without includes
            legacy = list(legacy_pdm[name])
            if not _same_items(texts.reuse(legacy, values), legacy):
                set_string_array(legacy_pdm, name, texts.reuse(legacy, values), newline=newline)
                _report_replaced(report, name, legacy)
            handled.add(name)
            continue
        if dg is None:
            dg = _new_table(doc)
            doc["dependency-groups"] = dg
        old = list(dg[name]) if name in dg else None
        if old is not None:
            reused = texts.reuse(old, values)
            if _same_items(reused, old):
                handled.add(name)
                continue
            _report_replaced(report, name, old)
            set_string_array(dg, name, reused, newline=newline)
        else:
            dg[name] = make_string_array(values if isinstance(dg, emit.Table) else _tables(values),
                                         multiline=fresh or len(values) > 1, newline=newline, like=dg)
        handled.add(name)
    if dg is not None:
        for name in [k for k in dg if k not in handled]:
            _report_replaced(report, name, list(dg[name]), removed=True)
            remove_key(dg, name)


def _tables(values: list[Any]) -> list[Any]:
    from .common import inline_table_like

    return [inline_table_like(v) if isinstance(v, dict) else v for v in values]


def _same_items(a: list[Any], b: list[Any]) -> bool:
    """Same strings in the same order, the same include-group tables anywhere (PEP 735: the order of includes is
    free, and a group included twice is included once)."""
    sa = [x for x in a if isinstance(x, str)]
    sb = [x for x in b if isinstance(x, str)]
    ia = {dict(x).get("include-group", "") for x in a if not isinstance(x, str)}
    ib = {dict(x).get("include-group", "") for x in b if not isinstance(x, str)}
    return sa == sb and ia == ib


def _report_replaced(report: Report, name: str, old: list[Any], *, removed: bool = False) -> None:
    shown = [x if isinstance(x, str) else dict(x) for x in old]
    verb = "removed" if removed else "replaced"
    report.add("dependency-group-replaced", Severity.WARNING,
               f"existing dependency group {name!r} was {verb} (it held {shown!r})",
               subject=name, data={"old": shown, "removed": removed})


def _write_build_system(doc: Any, manifest: Manifest, report: Report) -> None:
    for raw in manifest.raw:
        if raw.format == "pyproject" and raw.key == "build-system" and "build-system" not in doc:
            # a Poetry 1 build: poetry-core < 2 would build a wheel without [project]
            build = raised_build(raw.value, report, span=raw.span)
            tbl = _new_table(doc)
            for k, v in build.items():
                tbl[k] = v
            doc["build-system"] = tbl


