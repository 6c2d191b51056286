"""Base mode: line splices into the existing environment file.

ruamel.yaml cannot re-emit common environment files byte for byte (one indent setting per document; see
research/libraries.md §4), so the base is re-read, its entries are matched with the plan's, and only lines change:
unchanged entries keep their lines (comments, selectors, quoting, blank lines), a changed entry gets only its
scalar text replaced, removed entries lose their lines, new ones are inserted with their siblings' indentation.
Flow-style lists, whose entries share lines, are re-rendered as a block when anything in them changes.
"""

from __future__ import annotations

from typing import Any

from ...ir.model import Manifest, Requirement
from .pipline import PipPart, render_parts
from .plan import Entry, Plan, raw_value, strip_requirement
from .reader import FORMAT, Item, Layout
from .render import deps_lines, dump_value, item_text
from .yamlnodes import LINE_BREAKS, line_body, yaml_scalar

__all__ = ["splice_document"]


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
            self.replace[line] = [old[:c0] + text + line_body(old[c1:])]
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
                if not _ends(self.lines[i]) and i == n - 1:
                    out[-1] = out[-1][: -len(self.nl)]
            elif i not in self.delete:
                _ensure_nl(out, self.nl)
                out.append(self.lines[i])
        text = "".join(out)
        if self.lines and not _ends(self.lines[-1]) and text.endswith(self.nl):
            text = text[: -len(self.nl)]  # the base ended without a newline: so does the result
        return text


def _ends(line: str) -> bool:
    return bool(line) and line[-1] in LINE_BREAKS


def _ensure_nl(out: list[str], nl: str) -> None:
    if out and not _ends(out[-1]):
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


def splice_document(manifest: Manifest, plan: Plan, base_manifest: Manifest, layout: Layout) -> str:
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
            block("dependencies", deps_lines(plan, dash, dash + "    "))
    else:
        before = (dict(sp.replace), set(sp.delete), {k: list(v) for k, v in sp.before.items()})
        _splice_deps(sp, layout, plan, dash, keep_conda_only=foreign)
        edited = (sp.replace, sp.delete, sp.before) != before
        if edited and _has_flow(layout):  # items share lines: re-render the whole block instead
            sp.replace, sp.delete, sp.before = before
            block("dependencies", deps_lines(plan, dash, dash + "    "))
    # raw keys
    new_raw = {r.key: r.value for r in manifest.raw if r.format == FORMAT and r.key not in ("python",)}
    old_raw = {r.key: r.value for r in base_manifest.raw if r.format == FORMAT and r.key not in ("python",)}
    for key in list(old_raw) + [k for k in new_raw if k not in old_raw]:
        if foreign and key not in new_raw:
            continue
        if new_raw.get(key, _MISSING) == old_raw.get(key, _MISSING):
            continue
        block(key, dump_value(key, new_raw[key], dash) if key in new_raw else None)
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
        if entry.token == strip_requirement(item.token[0]):
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
        sp.insert(at, [f"{dash}- {item_text(e)}" for e in new_conda])
    _splice_pip(sp, layout, plan, dash)


def _splice_pip(sp: _Splice, layout: Layout, plan: Plan, dash: str) -> None:
    pending: dict[tuple[Any, ...], list[Entry]] = {}
    for e in plan.pip:
        pending.setdefault(e.key, []).append(e)
    options_left = list(plan.pip_options)
    # --pre and --no-index are booleans in the IR (one fact however often the file repeats them): a repetition
    # stays while the plan still states the flag
    idempotent = {p.key() for p in plan.pip_options if p.kind == "flag" and p.value[0] in _BOOLEAN_FLAGS}
    pip_items = [i for i in layout.deps if i.kind in ("pip-list", "pip-str")]
    last_child: Item | None = None
    list_item: Item | None = None
    first_child: Item | None = None
    for item in pip_items:
        alive = 0
        for child in item.children:
            keep = _splice_child(sp, child, pending, options_left, item, idempotent)
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
        sp.insert(at, [f"{cdash}- {item_text(e)}" for e in new_pip])
        return
    lines = [f"{dash}- pip:"]
    lines.extend(f"{dash}    - {yaml_scalar(t)}" for t in new_lines_opts)
    lines.extend(f"{dash}    - {item_text(e)}" for e in new_pip)
    if list_item is not None:  # an empty `- pip:` entry: replace it
        sp.put(list_item.start, list_item.end, lines)
    else:
        sp.insert(layout.deps[-1].end + 1, lines)


_BOOLEAN_FLAGS = frozenset({"pre", "no-index"})


def pending_left(pending: dict[tuple[Any, ...], list[Entry]]) -> bool:
    return any(pending.values())


def _splice_child(
    sp: _Splice,
    child: Item,
    pending: dict[tuple[Any, ...], list[Entry]],
    options_left: list[PipPart],
    parent: Item,
    idempotent: set[tuple[object, ...]],
) -> bool:
    """Keep, rewrite or delete one pip entry; True when it stays."""
    reqs = [p for p in child.parts if p.kind == "requirement"]
    opts = [p for p in child.parts if p.kind != "requirement"]
    if reqs:
        req = reqs[0].value[0]
        assert isinstance(req, Requirement)
        queue = pending.get(("requirement", req.key or raw_value(req, "pip")))
        if not queue:
            if parent.kind == "pip-str":
                sp.drop(parent.start, parent.end)
            else:
                sp.drop(child.start, child.end)
            return False
        entry = queue.pop(0)
        if entry.token != strip_requirement(req):
            sp.scalar(child, yaml_scalar(entry.text))
        return True
    remaining = []
    for part in opts:
        match = next((p for p in options_left if p.key() == part.key()), None)
        if match is not None:
            options_left.remove(match)
            remaining.append(part)
        elif part.key() in idempotent:
            remaining.append(part)
    if len(remaining) == len(opts):
        return True
    if not remaining:
        sp.drop(child.start, child.end)
        return False
    sp.scalar(child, yaml_scalar(render_parts(remaining)))
    return True
