"""Manifest -> environment.yml: a fresh document, or line splices into the existing one (base mode).

ruamel.yaml cannot re-emit common environment files byte for byte (one indent setting per document; see
research/libraries.md §4), so base mode re-reads the base, matches its entries with the manifest's, keeps the
lines of every unchanged entry (comments, selectors, quoting, blank lines), replaces the scalar text of changed
ones, deletes removed ones and inserts new ones with the indentation of their siblings.

Placement of requirements that did not come from an environment file: a PyPI requirement becomes a conda
MatchSpec when the name map knows its conda package and conda can say its version set exactly; anything else
(VCS, URL, path, editable, markers, extras, hashes, names without a conda package) goes into the ``pip:`` list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...data.conda_names import NameMap
from ...ir.model import CondaPackage, IndexRef, IndexRole, Manifest, Raw, Requirement
from ...ir.versions import VersionSpec
from ...report import Report, Severity
from . import selectors
from .pipline import PipPart, parse_pip_line, render_parts, render_pip_requirement
from .reader import FORMAT, Item, Layout, read_environment
from .yamlnodes import yaml_scalar

__all__ = ["write_environment"]

_TOP_ORDER = ("name", "channels", "dependencies", "variables", "prefix")


@dataclass(slots=True)
class Entry:
    key: tuple[Any, ...]
    text: str  # the MatchSpec / pip line
    token: Any  # span-free IR, compared with the base entry's
    selector: tuple[str, str] | None = None
    parts: list[PipPart] = field(default_factory=list)


@dataclass(slots=True)
class Plan:
    python: str | None
    python_token: Any
    conda: list[Entry]
    pip: list[Entry]  # requirements
    pip_options: list[PipPart]


# ------------------------------------------------------------------------------------------------ comparisons


def _strip(req: Requirement) -> Requirement:
    raws = tuple(Raw(format=r.format, key=r.key, value=r.value) for r in req.raw)
    return req.replace(span=None, raw=raws)


def _same_version(a: VersionSpec | None, b: VersionSpec | None) -> bool:
    if a is None or b is None:
        return (a is None or a.is_any) and (b is None or b.is_any)
    return a.versions == b.versions


def _raw(req: Requirement, key: str) -> Any:
    return next((r.value for r in req.raw if r.format == FORMAT and r.key == key), None)


_FUZZY = re.compile(r"^([0-9][0-9A-Za-z_.!+]*?)\.\*$")


def _join(head: str, version: str) -> str:
    """``name`` + version in environment-file style: a lone ``1.2.*`` is written ``name=1.2`` (the same set)."""
    if not version:
        return head
    m = _FUZZY.match(version)
    if m is not None:
        return f"{head}={m.group(1)}"
    return head + version if version[0] in "=<>!~" else f"{head} {version}"


# ------------------------------------------------------------------------------------------------ planning


def _conda_text(req: Requirement, report: Report) -> str:
    from ...dialects.conda import parse_matchspec, render_version

    src = req.source
    assert isinstance(src, CondaPackage)
    try:
        ms = parse_matchspec(src.spec)
    except Exception:  # noqa: BLE001 - a spec edited into something unparsable is re-rendered below
        ms = None
    if (
        ms is not None
        and ms.name.lower() == src.name.lower()
        and ms.channel == src.channel
        and ms.build == src.build
        and _same_version(ms.version, req.version)
    ):
        return src.spec
    head = f"{src.channel}::{src.name}" if src.channel else src.name
    version = ""
    if req.version is not None and not req.version.is_any:
        version = render_version(req.version, report=report, subject=src.name, span=req.span)
    if src.build:
        return f"{head} {version or '*'} {src.build}"
    return _join(head, version)


def _python_text(manifest: Manifest, report: Report) -> str | None:
    from ...dialects.conda import parse_matchspec, render_version

    if manifest.python is None:
        return None
    raw = next((r.value for r in manifest.raw if r.format == FORMAT and r.key == "python"), None)
    if isinstance(raw, str):
        ms = parse_matchspec(raw)
        if _same_version(ms.version, manifest.python):
            return raw
    if manifest.python.is_any:
        return "python"
    return _join(
        "python", render_version(manifest.python, report=report, subject="python", span=manifest.span)
    )


def _pip_line(req: Requirement) -> str:
    line = _raw(req, "pip")
    if isinstance(line, str):
        try:
            parts = parse_pip_line(line, None)
        except Exception:  # noqa: BLE001 - a raw line that no longer parses is re-rendered
            parts = []
        if len(parts) == 1 and parts[0].kind == "requirement":
            again = parts[0].value[0]
            assert isinstance(again, Requirement)
            sel = selectors.decode(_raw(req, "selector"))
            marker = again.marker
            if sel:
                from ...dialects.markers import and_markers

                marker = and_markers(marker, selectors.selector_marker(sel[1]))
            again = again.replace(marker=marker, raw=req.raw)
            if _strip(again) == _strip(req):
                return line
    sel = selectors.decode(_raw(req, "selector"))
    if sel and req.marker:
        sel_marker = selectors.selector_marker(sel[1])
        if sel_marker and req.marker.endswith(sel_marker):
            base_marker = req.marker[: -len(sel_marker)].rstrip()
            if base_marker.endswith(" and"):
                base_marker = base_marker[:-4].strip()
                if base_marker.startswith("(") and base_marker.endswith(")"):
                    base_marker = base_marker[1:-1]
            return render_pip_requirement(req.replace(marker=base_marker or None))
    return render_pip_requirement(req)


def _pip_selector(req: Requirement, text: str) -> tuple[str, str] | None:
    sel = selectors.decode(_raw(req, "selector"))
    return tuple(sel) if sel and isinstance(_raw(req, "pip"), str) else None  # type: ignore[return-value]


def _to_conda(req: Requirement, names: NameMap, report: Report) -> tuple[str, str] | None:
    """(conda name, MatchSpec) for a PyPI requirement conda can hold exactly, else None (-> pip list)."""
    from ...dialects.conda import render_version

    why = None
    conda_name = names.pypi_to_conda(req.name) if req.name else None
    if isinstance(req.source, IndexRef):
        why = f"it names the index {req.source.name!r}"
    elif req.editable or req.source is not None:
        why = "a direct reference or editable install"
    elif req.marker:
        why = "an environment marker conda cannot express"
    elif req.extras:
        why = "extras (conda packages have none)"
    elif req.hashes or req.options:
        why = "pip options or hashes"
    elif conda_name is None:
        why = "no conda package known for it in the name map"
    version = ""
    if why is None and req.version is not None and not req.version.is_any:
        scratch = Report()
        version = render_version(req.version, report=scratch, subject=req.name, span=req.span)
        if any(loss.severity >= Severity.WARNING for loss in scratch):
            why = f"conda cannot say {req.version.raw!r} exactly"
        else:
            report.extend(scratch)
    if why is not None:
        report.add(
            "conda-kept-on-pip",
            Severity.INFO,
            f"{req.name or 'requirement'!s} stays in the pip: list ({why})",
            subject=req.name or None,
            span=req.span,
            data={"reason": why},
        )
        return None
    assert conda_name is not None
    if conda_name != req.key:
        report.add(
            "pypi-as-conda-package",
            Severity.INFO,
            f"PyPI project {req.name!r} written as the conda package {conda_name!r}",
            subject=req.name,
            span=req.span,
            data={"pypi": req.name, "conda": conda_name},
        )
    return conda_name, _join(conda_name, version)


def _plan(manifest: Manifest, report: Report, names: NameMap) -> Plan:
    from ...ir.model import CondaPackage as CP

    conda: list[Entry] = []
    pip: list[Entry] = []
    for group in manifest.groups:
        for req in group.requirements:
            src = req.source
            if isinstance(src, CP):
                sel = selectors.decode(_raw(req, "selector"))
                if req.marker and not sel:
                    expr = selectors.marker_selector(req.marker)
                    if expr is not None:
                        sel = ("comment", expr)
                    else:
                        report.add(
                            "conda-marker-dropped",
                            Severity.ERROR,
                            f"conda package {src.name!r} has the marker {req.marker!r}, which no conda selector says",
                            subject=src.name,
                            span=req.span,
                            data={"marker": req.marker},
                        )
                text = _conda_text(req, report)
                token = _strip(req)
                conda.append(
                    Entry(
                        ("conda", src.name.lower(), tuple(sel) if sel else None),
                        text,
                        token,
                        tuple(sel) if sel else None,
                    )
                )
                continue
            if _raw(req, "pip") is None:
                mapped = _to_conda(req, names, report)
                if mapped is not None:
                    conda_name, text = mapped
                    new = req.replace(
                        name=req.name,
                        source=CondaPackage(name=conda_name, spec=text, pypi=True),
                    )
                    conda.append(Entry(("conda", conda_name, None), text, _strip(new)))
                    continue
            text = _pip_line(req)
            pip.append(Entry(("requirement", req.key or text), text, _strip(req), _pip_selector(req, text)))
    options: list[PipPart] = []
    if manifest.allow_prereleases:
        options.append(PipPart("flag", ("pre",)))
    if manifest.no_index:
        options.append(PipPart("flag", ("no-index",)))
    for index in manifest.indexes:
        role = (
            index.role.value
            if index.role in (IndexRole.DEFAULT, IndexRole.FIND_LINKS)
            else IndexRole.EXTRA.value
        )
        options.append(PipPart("index", (role, index.url)))
    for kind_, path in manifest.includes:
        options.append(PipPart("include", (kind_, path)))
    for option in manifest.options:
        if option.value is None:
            options.append(PipPart("flag", (option.name,)))
        else:
            options.append(PipPart("option", (option.name, option.value)))
    if pip and manifest.format != FORMAT and not any(e.key[1] == "pip" for e in conda):
        conda.append(Entry(("conda", "pip", None), "pip", None))
    return Plan(_python_text(manifest, report), manifest.python, conda, pip, options)


# ------------------------------------------------------------------------------------------------ rendering


def _item_text(entry: Entry) -> str:
    sel = entry.selector
    if sel is not None and sel[0] == "sel":
        return f"sel({sel[1]}): {yaml_scalar(entry.text)}"
    text = yaml_scalar(entry.text)
    if sel is not None:
        text += f"  # [{sel[1]}]"
    return text


def _raw_value(manifest: Manifest, key: str) -> Any:
    return next((r.value for r in manifest.raw if r.format == FORMAT and r.key == key), None)


def _dump_value(key: str, value: Any, indent: str) -> list[str]:
    """A top-level key with a plain value, in block style."""
    if value is None:
        return [f"{key}:"]
    if isinstance(value, dict):
        if not value:
            return [f"{key}: {{}}"]
        return [f"{key}:"] + [f"{indent}{_flow(k)}: {_flow(v)}" for k, v in value.items()]
    if isinstance(value, list):
        if not value:
            return [f"{key}: []"]
        out = [f"{key}:"]
        for v in value:
            if isinstance(v, dict | list):
                out.extend(f"{indent}{line}" for line in _nested(v, indent))
            else:
                out.append(f"{indent}- {_flow(v)}")
        return out
    return [f"{key}: {_flow(value)}"]


def _nested(value: Any, indent: str) -> list[str]:
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    buf = io.StringIO()
    yaml.dump([value], buf)
    return buf.getvalue().splitlines()


def _flow(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, ensure_ascii=False)
    return yaml_scalar(str(value))


def _deps_lines(plan: Plan, dash: str, pip_dash: str) -> list[str]:
    out = ["dependencies:"]
    if plan.python is not None:
        out.append(f"{dash}- {yaml_scalar(plan.python)}")
    out.extend(f"{dash}- {_item_text(e)}" for e in plan.conda)
    if plan.pip or plan.pip_options:
        out.append(f"{dash}- pip:")
        out.extend(f"{pip_dash}- {yaml_scalar(render_parts([p]))}" for p in plan.pip_options)
        out.extend(f"{pip_dash}- {_item_text(e)}" for e in plan.pip)
    if len(out) == 1:
        return ["dependencies: []"]
    return out


def _fresh(manifest: Manifest, plan: Plan, newline: str = "\n") -> str:
    dash, pip_dash = "  ", "      "
    lines: list[str] = []
    name = manifest.project.name if manifest.project is not None else None
    if name:
        lines.append(f"name: {yaml_scalar(name)}")
    channels = list(manifest.channels)
    if not channels and manifest.format != FORMAT and plan.conda:
        channels = ["conda-forge"]  # the name map is conda-forge's
    if channels:
        lines.append("channels:")
        lines.extend(f"{dash}- {yaml_scalar(c)}" for c in channels)
    lines.extend(_deps_lines(plan, dash, pip_dash))
    for raw in manifest.raw:
        if raw.format != FORMAT or raw.key in ("python", "name"):
            continue
        lines.extend(_dump_value(raw.key, raw.value, dash))
    return newline.join(lines) + newline


# ------------------------------------------------------------------------------------------------ base mode


class _Splice:
    def __init__(self, layout: Layout) -> None:
        self.lines = layout.lines
        self.replace: dict[int, list[str]] = {}
        self.delete: set[int] = set()
        self.before: dict[int, list[str]] = {}
        self.nl = layout.newline

    def drop(self, start: int, end: int) -> None:
        self.delete.update(range(start, end + 1))

    def put(self, start: int, end: int, new: list[str]) -> None:
        self.replace[start] = new
        self.delete.update(range(start + 1, end + 1))

    def scalar(self, item: Item, text: str) -> None:
        if item.scalar is not None:
            line, c0, c1 = item.scalar
            old = self.lines[line]
            self.replace[line] = [old[:c0] + text + old[c1:].rstrip("\r\n")]
        else:
            self.put(item.start, item.end, [_indent_of(self.lines[item.start]) + "- " + text])

    def insert(self, at: int, new: list[str]) -> None:
        self.before.setdefault(at, []).extend(new)

    def result(self) -> str:
        out: list[str] = []
        n = len(self.lines)
        for i in range(n + 1):
            for line in self.before.get(i, []):
                _ensure_nl(out, self.nl)
                out.append(line + self.nl)
            if i == n:
                break
            if i in self.replace:
                for line in self.replace[i]:
                    _ensure_nl(out, self.nl)
                    out.append(line + self.nl)
                if not self.lines[i].endswith("\n") and i == n - 1:
                    out[-1] = out[-1][: -len(self.nl)]
            elif i not in self.delete:
                _ensure_nl(out, self.nl)
                out.append(self.lines[i])
        return "".join(out)


def _ensure_nl(out: list[str], nl: str) -> None:
    if out and not out[-1].endswith("\n"):
        out[-1] += nl


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" "))]


def _dash(layout: Layout, items: list[Item], default: str) -> str:
    for item in items:
        line = layout.lines[item.start]
        stripped = line.lstrip(" ")
        if stripped.startswith("- "):
            return _indent_of(line)
    return default


def _splice(manifest: Manifest, plan: Plan, base_manifest: Manifest, layout: Layout) -> str:
    sp = _Splice(layout)
    top = {k.key: k for k in layout.keys}
    n = len(layout.lines)
    dash = _dash(layout, layout.deps, "  ")
    appended: list[str] = []

    def block(key: str, new_lines: list[str] | None) -> None:
        tk = top.get(key)
        if tk is None:
            if new_lines:
                appended.extend(new_lines)
            return
        if new_lines is None:
            sp.drop(tk.start, tk.end)
        else:
            sp.put(tk.start, tk.end, new_lines)

    # A manifest from a PyPI format cannot say conda-only facts (env name, channels, variables, conda-only
    # packages): their absence is not a removal, so the base keeps them.
    foreign = manifest.format != FORMAT
    # name
    new_name = manifest.project.name if manifest.project is not None else None
    old_name = base_manifest.project.name if base_manifest.project is not None else None
    if new_name != old_name and not foreign:
        block("name", [f"name: {yaml_scalar(new_name)}"] if new_name else None)
    # channels
    if manifest.channels != base_manifest.channels and not (foreign and not manifest.channels):
        ch = top.get("channels")
        cdash = dash
        if ch is not None and getattr(ch.value, "value", None) and not isinstance(ch.value.value, str):
            first = ch.value.value[0] if ch.value.value else None
            if first is not None and first.start_mark.line > ch.start:
                cdash = _indent_of(layout.lines[first.start_mark.line])
        block(
            "channels",
            ["channels:"] + [f"{cdash}- {yaml_scalar(c)}" for c in manifest.channels]
            if manifest.channels
            else None,
        )
    # dependencies
    if layout.deps_key is None or not layout.deps:
        if plan.conda or plan.pip or plan.python or plan.pip_options:
            block("dependencies", _deps_lines(plan, dash, dash + "    "))
    else:
        before = (dict(sp.replace), set(sp.delete), {k: list(v) for k, v in sp.before.items()})
        _splice_deps(sp, layout, plan, dash, keep_conda_only=foreign)
        edited = (sp.replace, sp.delete, sp.before) != before
        if edited and _has_flow(layout):  # items share lines: re-render the whole block instead
            sp.replace, sp.delete, sp.before = before
            block("dependencies", _deps_lines(plan, dash, dash + "    "))
    # raw keys
    new_raw = {r.key: r.value for r in manifest.raw if r.format == FORMAT and r.key not in ("python",)}
    old_raw = {r.key: r.value for r in base_manifest.raw if r.format == FORMAT and r.key not in ("python",)}
    for key in list(old_raw) + [k for k in new_raw if k not in old_raw]:
        if foreign and key not in new_raw:
            continue
        if new_raw.get(key, _MISSING) == old_raw.get(key, _MISSING):
            continue
        block(key, _dump_value(key, new_raw[key], dash) if key in new_raw else None)
    if manifest.project and manifest.project.name and "name" not in top and new_name != old_name:
        pass  # appended by block() above
    for line in appended:
        sp.insert(n, [line])
    return layout.bom + sp.result()


_MISSING = object()


def _has_flow(layout: Layout) -> bool:
    """Whether dependencies or a pip list is flow style (``[a, b]``), where entries share lines."""
    deps = layout.deps_key
    if deps is not None and getattr(deps.value, "flow_style", False):
        return True
    return any(item.flow for item in layout.deps)


def _splice_deps(
    sp: _Splice, layout: Layout, plan: Plan, dash: str, *, keep_conda_only: bool = False
) -> None:
    pending: dict[tuple[Any, ...], list[Entry]] = {}
    for e in plan.conda:
        pending.setdefault(e.key, []).append(e)
    last_conda: int | None = None
    first_item = layout.deps[0].start
    python_done = plan.python is None
    for item in layout.deps:
        if item.kind == "python":
            if plan.python is None and not keep_conda_only:
                sp.drop(item.start, item.end)
            elif plan.python is None:
                python_done = True
                last_conda = item.end
            else:
                python_done = True
                if item.token[0] != plan.python:
                    sp.scalar(item, yaml_scalar(plan.python))
                last_conda = item.end
            continue
        if item.kind != "conda":
            continue
        queue = pending.get(item.key)
        if not queue:
            src = item.token[0].source
            if keep_conda_only and (not src.pypi or src.name.lower() == "pip"):
                last_conda = item.end
            else:
                sp.drop(item.start, item.end)
            continue
        entry = queue.pop(0)
        last_conda = item.end
        if entry.token == _strip(item.token[0]):
            continue
        sp.scalar(item, yaml_scalar(entry.text))
    if not python_done and plan.python is not None:
        sp.insert(first_item, [f"{dash}- {yaml_scalar(plan.python)}"])
    new_conda = [e for q in pending.values() for e in q]
    new_conda.sort(key=plan.conda.index)
    if new_conda:
        pip_items = [i for i in layout.deps if i.kind in ("pip-list", "pip-str")]
        at = (
            last_conda + 1
            if last_conda is not None
            else (pip_items[0].start if pip_items else layout.deps[-1].end + 1)
        )
        sp.insert(at, [f"{dash}- {_item_text(e)}" for e in new_conda])
    _splice_pip(sp, layout, plan, dash)


def _splice_pip(sp: _Splice, layout: Layout, plan: Plan, dash: str) -> None:
    pending: dict[tuple[Any, ...], list[Entry]] = {}
    for e in plan.pip:
        pending.setdefault(e.key, []).append(e)
    options_left = list(plan.pip_options)
    pip_items = [i for i in layout.deps if i.kind in ("pip-list", "pip-str")]
    last_child: Item | None = None
    list_item: Item | None = None
    first_child: Item | None = None
    for item in pip_items:
        alive = 0
        for child in item.children:
            keep = _splice_child(sp, child, pending, options_left, item)
            alive += keep
            if item.kind == "pip-list":
                list_item = list_item or item
                if keep:
                    last_child = child
                first_child = first_child or child
        if (
            item.kind == "pip-list"
            and item.children
            and not alive
            and not (pending_left(pending) or options_left)
        ):
            sp.drop(item.start, item.end)
    new_pip = [e for q in pending.values() for e in q]
    new_pip.sort(key=plan.pip.index)
    new_lines_opts = [render_parts([p]) for p in options_left]
    if not new_pip and not new_lines_opts:
        return
    if list_item is not None and first_child is not None:
        cdash = _indent_of(layout.lines[first_child.start])
        if new_lines_opts:
            sp.insert(first_child.start, [f"{cdash}- {yaml_scalar(t)}" for t in new_lines_opts])
        at = (last_child.end + 1) if last_child is not None else first_child.start
        sp.insert(at, [f"{cdash}- {_item_text(e)}" for e in new_pip])
        return
    lines = [f"{dash}- pip:"]
    lines.extend(f"{dash}    - {yaml_scalar(t)}" for t in new_lines_opts)
    lines.extend(f"{dash}    - {_item_text(e)}" for e in new_pip)
    if list_item is not None:  # an empty `- pip:` entry: replace it
        sp.put(list_item.start, list_item.end, lines)
    else:
        sp.insert(layout.deps[-1].end + 1, lines)


def pending_left(pending: dict[tuple[Any, ...], list[Entry]]) -> bool:
    return any(pending.values())


def _splice_child(
    sp: _Splice,
    child: Item,
    pending: dict[tuple[Any, ...], list[Entry]],
    options_left: list[PipPart],
    parent: Item,
) -> bool:
    """Keep, rewrite or delete one pip entry; True when it stays."""
    reqs = [p for p in child.parts if p.kind == "requirement"]
    opts = [p for p in child.parts if p.kind != "requirement"]
    if reqs:
        req = reqs[0].value[0]
        assert isinstance(req, Requirement)
        queue = pending.get(("requirement", req.key or _raw(req, "pip")))
        if not queue:
            if parent.kind == "pip-str":
                sp.drop(parent.start, parent.end)
            else:
                sp.drop(child.start, child.end)
            return False
        entry = queue.pop(0)
        if entry.token != _strip(req):
            sp.scalar(child, yaml_scalar(entry.text))
        return True
    remaining = []
    for part in opts:
        match = next((p for p in options_left if p.key() == part.key()), None)
        if match is not None:
            options_left.remove(match)
            remaining.append(part)
    if len(remaining) == len(opts):
        return True
    if not remaining:
        sp.drop(child.start, child.end)
        return False
    sp.scalar(child, yaml_scalar(render_parts(remaining)))
    return True


# ------------------------------------------------------------------------------------------------ entry point


def write_environment(
    manifest: Manifest, *, base: str | None, report: Report, names: NameMap, path: str | None
) -> str:
    plan = _plan(manifest, report, names)
    if base is None:
        return _fresh(manifest, plan)
    base_manifest, layout = read_environment(base, path, names, any_path=True)
    return _splice(manifest, plan, base_manifest, layout)
