"""environment.yml -> Manifest, plus the layout the base-mode writer splices into.

IR mapping (docs/formats/conda.md):

* ``name`` -> ``Project(name=...)``; ``channels`` -> ``Manifest.channels`` (``nodefaults`` kept);
  ``prefix``, ``variables`` and every other key (``platforms``, ``category``, ``pip-repositories``, unknown keys) ->
  ``Raw(format="conda", key=<key>)`` in ``Manifest.raw``.
* One main group. A conda dependency is a Requirement whose source is ``CondaPackage`` (conda name, the MatchSpec
  as written, channel, build, ``pypi``), named by its PyPI counterpart when the name map knows one; an unknown
  conda name keeps its own name and carries ``Raw("conda", "name-unverified")``.
* ``python <spec>`` is ``Manifest.python`` (not a requirement); its MatchSpec text is ``Raw("conda", "python")``.
* ``pip:`` entries are ordinary Requirements carrying ``Raw("conda", "pip", <line as written>)``; their option lines
  become indexes (``--index-url`` default, ``--extra-index-url`` extra, ``--find-links``), ``includes`` (``-r``/``-c``),
  ``allow_prereleases`` (``--pre``), ``no_index`` and ``Option``s.
* Selectors (``# [win]`` comments, ``sel(win):`` mappings) become the equivalent PEP 508 marker, with
  ``Raw("conda", "selector", "# [win]" | "sel(win)")`` keeping the text.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from ...data.conda_names import NameMap
from ...errors import ParseError
from ...ir.model import CondaPackage, Group, GroupKind, Manifest, Option, Project, Raw, Requirement
from ...ir.versions import VersionSpec
from ...report import Loss, Severity
from ...span import Span
from . import selectors
from .pipline import PipPart, index_of, option_of, parse_pip_line
from .yamlnodes import (
    Node,
    compose,
    end_line,
    is_mapping,
    is_scalar,
    is_sequence,
    kind,
    line_body,
    node_span,
    plain_scalar,
    split_lines,
    to_plain,
)

__all__ = ["FORMAT", "Item", "Layout", "TopKey", "conda_requirement", "read_environment"]

FORMAT = "conda"


@dataclass(slots=True)
class Item:
    """One entry of ``dependencies`` (or of a ``pip:`` list) with the lines it occupies (0-based, inclusive)."""

    kind: str  # conda | python | pip | pip-list | pip-str
    start: int
    end: int
    col: int  # column of the value (after "- ")
    scalar: tuple[int, int, int] | None = None  # (line, start col, end col) of the scalar text, when one line
    key: tuple[Any, ...] = ()
    token: Any = None  # what the IR says for this entry (compared span-free)
    parts: list[PipPart] = field(default_factory=list)
    children: list[Item] = field(default_factory=list)  # pip-list entries
    flow: bool = False  # a flow-style pip list ([a, b]): its entries share lines


@dataclass(slots=True)
class TopKey:
    key: str
    start: int  # line of the key
    end: int  # last line of its value
    value: Node


@dataclass(slots=True)
class Layout:
    bom: str
    lines: list[str]  # with their line endings, BOM removed
    newline: str
    keys: list[TopKey] = field(default_factory=list)
    deps: list[Item] = field(default_factory=list)
    deps_key: TopKey | None = None


def _err(message: str, node: Node, path: str | None, lines: list[str], hint: str | None = None) -> ParseError:
    m = node.start_mark
    src = line_body(lines[m.line]) if 0 <= m.line < len(lines) else None
    width = node.end_mark.column - m.column if node.end_mark.line == m.line else 1
    return ParseError(message, span=node_span(node, path), source_line=src, width=max(1, width), hint=hint)


def _str(node: Node, what: str, path: str | None, lines: list[str]) -> str:
    if not is_scalar(node):
        raise _err(f"{what} must be a string, not a {kind(node)}", node, path, lines)
    value = plain_scalar(node)
    if not isinstance(value, str):
        shown = "null" if value is None else f"the {type(value).__name__} {node.value}"
        raise _err(f"{what} must be a string, not {shown}", node, path, lines, hint="quote it")
    return value


def _scalar_pos(node: Node) -> tuple[int, int, int] | None:
    s, e = node.start_mark, node.end_mark
    if s.line != e.line:
        return None
    return s.line, s.column, e.column


def _trailing_comment(lines: list[str], node: Node) -> str | None:
    e = node.end_mark
    if e.line >= len(lines):
        return None
    rest = lines[e.line][e.column :] if e.line == node.start_mark.line or e.column else ""
    rest = line_body(rest)
    idx = rest.find("#")
    return rest[idx:] if idx != -1 else None


def conda_requirement(
    text: str, names: NameMap, span: Span | None, selector: tuple[str, str] | None = None
) -> tuple[Requirement | None, Any]:
    """(Requirement, None) for a conda package, or (None, MatchSpec) when it is ``python``."""
    from ...dialects.conda import parse_matchspec

    ms = parse_matchspec(text, span=span)
    conda_name = ms.name.lower()
    if conda_name == "python" and selector is None:
        return None, ms
    pypi, verified = names.conda_to_pypi(conda_name)
    raws: list[Raw] = []
    marker = None
    if selector is not None:
        raws.append(Raw(format=FORMAT, key="selector", value=selectors.encode(*selector)))
        marker = selectors.selector_marker(selector[1])
    if pypi is not None and not verified:
        raws.append(Raw(format=FORMAT, key="name-unverified", value=True))
    req = Requirement(
        name=pypi if pypi is not None else ms.name,
        version=ms.version,
        marker=marker,
        source=CondaPackage(
            name=ms.name, spec=text, channel=ms.channel, build=ms.build, pypi=pypi is not None
        ),
        raw=tuple(raws),
        span=span,
    )
    return req, None


# `-e URL ; marker` with an unquoted target: pip's option parser takes URL as the value and drops the rest
_BARE_EDITABLE_MARKER = re.compile(r"^(?:-e|--editable)(?:\s+|=)(?![\"'])\S+\s+;")

_CACHE: OrderedDict[tuple[str, int], tuple[NameMap, str | None, Manifest, Layout]] = OrderedDict()


def read_environment(
    text: str, path: str | None, names: NameMap, *, any_path: bool = False
) -> tuple[Manifest, Layout]:
    """The manifest and layout of ``text``. The last few results are kept, so a base-mode write of a file just read
    does not parse it twice (the Manifest is frozen and the writer never changes a Layout); ``any_path`` accepts a
    result read under another file name (the writer compares span-free IR only)."""
    key = (text, id(names))
    hit = _CACHE.get(key)
    if hit is not None and hit[0] is names and (any_path or hit[1] == path):
        _CACHE.move_to_end(key)
        return hit[2], hit[3]
    manifest, layout = _read_environment(text, path, names)
    _CACHE[key] = (names, path, manifest, layout)
    if len(_CACHE) > 8:
        _CACHE.popitem(last=False)
    return manifest, layout


def _read_environment(text: str, path: str | None, names: NameMap) -> tuple[Manifest, Layout]:
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    body = text[len(bom) :]
    lines = split_lines(body)
    first = lines[0] if lines else "\n"
    newline = first[len(line_body(first)) :] or "\n"
    layout = Layout(bom=bom, lines=lines, newline=newline)
    root = compose(body, path)
    if root is None or (is_scalar(root) and plain_scalar(root) is None):
        return Manifest(format=FORMAT, groups=(Group(name="main"),)), layout
    if not is_mapping(root):
        raise _err(f"an environment file is a mapping of keys, not a {kind(root)}", root, path, lines)

    project: Project | None = None
    python: VersionSpec | None = None
    channels: tuple[str, ...] = ()
    raws: list[Raw] = []
    reqs: list[Requirement] = []
    indexes = []
    includes: list[tuple[str, str]] = []
    options = []
    allow_pre: bool | None = None
    no_index = False
    seen: set[str] = set()

    for knode, vnode in root.value:
        key = _str(knode, "a top-level key", path, lines)
        if key in seen:
            raise _err(f"duplicate key {key!r}", knode, path, lines)
        seen.add(key)
        top = TopKey(
            key=key, start=knode.start_mark.line, end=max(knode.start_mark.line, end_line(vnode)), value=vnode
        )
        layout.keys.append(top)
        if key == "name":
            if kind(vnode) != "null":
                project = Project(name=_str(vnode, "name", path, lines))
        elif key == "channels":
            if kind(vnode) == "null":
                continue
            if not is_sequence(vnode):
                raise _err("channels must be a list of channel names or URLs", vnode, path, lines)
            channels = tuple(_str(c, "a channel", path, lines) for c in vnode.value)
        elif key == "dependencies":
            layout.deps_key = top
            if kind(vnode) == "null":
                continue
            if not is_sequence(vnode):
                raise _err("dependencies must be a list", vnode, path, lines)
            for item_node in vnode.value:
                item = _read_dependency(item_node, path, lines, names)
                layout.deps.append(item)
                if item.kind == "python":
                    spec_text, version = item.token
                    python = version
                    pspan = Span(file=path, line=item.start + 1, column=item.col + 1, key="dependencies")
                    raws.append(Raw(format=FORMAT, key="python", value=spec_text, span=pspan))
                elif item.kind == "conda":
                    reqs.append(item.token[0])
                else:
                    children = item.children
                    for child in children:
                        for part in child.parts:
                            cspan = Span(
                                file=path, line=child.start + 1, column=child.col + 1, key="dependencies.pip"
                            )
                            if part.kind == "requirement":
                                reqs.append(part.value[0])  # type: ignore[arg-type]
                            elif part.kind == "index":
                                indexes.append(index_of(part, cspan))
                            elif part.kind == "include":
                                includes.append((str(part.value[0]), str(part.value[1])))
                            elif part.kind == "flag" and part.value[0] == "pre":
                                allow_pre = True
                            elif part.kind == "flag" and part.value[0] == "no-index":
                                no_index = True
                            elif part.kind == "flag":
                                options.append(Option(name=str(part.value[0]), value=None, span=cspan))
                            else:
                                options.append(option_of(part, cspan))
        elif key == "prefix":
            raws.append(
                Raw(
                    format=FORMAT, key="prefix", value=to_plain(vnode, path), span=node_span(knode, path, key)
                )
            )
        elif key == "variables":
            value = to_plain(vnode, path)
            if value is not None and not isinstance(value, dict):
                raise _err("variables must be a mapping of names to values", vnode, path, lines)
            raws.append(Raw(format=FORMAT, key="variables", value=value, span=node_span(knode, path, key)))
        else:
            raws.append(
                Raw(format=FORMAT, key=key, value=to_plain(vnode, path), span=node_span(knode, path, key))
            )

    losses = []
    for req in reqs:
        sel = selectors.decode(
            next((r.value for r in req.raw if r.format == FORMAT and r.key == "selector"), None)
        )
        if sel is not None and selectors.selector_marker(sel[1]) is None:
            losses.append(
                Loss(
                    code="conda-selector-unknown",
                    severity=Severity.WARNING,
                    message=f"selector [{sel[1]}] on {req.name!r} has no PEP 508 marker; outside conda files the "
                    "dependency applies on every platform",
                    subject=req.name or None,
                    span=req.span,
                    data={"selector": sel[1]},
                )
            )
        line = next((r.value for r in req.raw if r.format == FORMAT and r.key == "pip"), None)
        if (
            req.editable
            and req.marker
            and isinstance(line, str)
            and _BARE_EDITABLE_MARKER.match(line.strip())
        ):
            losses.append(
                Loss(
                    code="conda-pip-marker-ignored",
                    severity=Severity.WARNING,
                    message=f"pip ignores the marker after `-e URL` on this line, so conda installs "
                    f"{req.name or 'it'!s} everywhere; depglot reads the marker as written (pip honours it in the "
                    "quoted form `-e 'name @ URL ; marker'`)",
                    subject=req.name or None,
                    span=req.span,
                    data={"marker": req.marker},
                )
            )
    manifest = Manifest(
        format=FORMAT,
        losses=tuple(losses),
        project=project,
        python=python,
        groups=(Group(name="main", kind=GroupKind.MAIN, requirements=tuple(reqs)),),
        indexes=tuple(indexes),
        no_index=no_index,
        allow_prereleases=allow_pre,
        channels=channels,
        options=tuple(options),
        includes=tuple(includes),
        raw=tuple(raws),
        span=Span(file=path, line=1, column=1),
    )
    return manifest, layout


def _read_dependency(node: Node, path: str | None, lines: list[str], names: NameMap) -> Item:
    start = node.start_mark.line
    end = max(start, end_line(node))
    if is_scalar(node):
        text = _str(node, "a dependency", path, lines)
        span = node_span(node, path, "dependencies")
        comment = _trailing_comment(lines, node)
        sel = selectors.comment_selector(comment) if comment else None
        req, ms = conda_requirement(text, names, span, ("comment", sel) if sel else None)
        item = Item(kind="conda", start=start, end=end, col=node.start_mark.column, scalar=_scalar_pos(node))
        if req is None:
            item.kind = "python"
            item.key = ("python",)
            item.token = (text, ms.version if ms.version is not None else VersionSpec.any(raw=""))
        else:
            item.key = _conda_key(req)
            item.token = (req,)
        return item
    if is_mapping(node) and len(node.value) == 1:
        knode, vnode = node.value[0]
        key = _str(knode, "a dependency key", path, lines)
        if key == "pip":
            return _read_pip(node, vnode, path, lines)
        if key.startswith("sel(") and key.endswith(")"):
            expr = key[4:-1].strip()
            if expr not in selectors.SEL_NAMES:
                raise _err(
                    f"unknown selector sel({expr}); micromamba knows sel(unix), sel(linux), sel(osx), sel(win)",
                    knode,
                    path,
                    lines,
                )
            text = _str(vnode, "a dependency", path, lines)
            span = node_span(vnode, path, "dependencies")
            req, _ = conda_requirement(text, names, span, ("sel", expr))
            assert req is not None
            item = Item(
                kind="conda", start=start, end=end, col=vnode.start_mark.column, scalar=_scalar_pos(vnode)
            )
            item.key = _conda_key(req)
            item.token = (req,)
            return item
        raise _err(
            f"unknown dependency section {key!r}: only `pip:` lists and `sel(...)` selectors are known",
            knode,
            path,
            lines,
            hint="conda would hand it to an installer plugin; depglot cannot tell what it means",
        )
    raise _err(
        f"a dependency must be a MatchSpec string, a `pip:` list or a `sel(...)` selector, not a {kind(node)}",
        node,
        path,
        lines,
    )


def _conda_key(req: Requirement) -> tuple[Any, ...]:
    src = req.source
    assert isinstance(src, CondaPackage)
    sel = selectors.decode(
        next((r.value for r in req.raw if r.format == FORMAT and r.key == "selector"), None)
    )
    return ("conda", src.name.lower(), sel)


def _read_pip(node: Node, vnode: Node, path: str | None, lines: list[str]) -> Item:
    start = node.start_mark.line
    end = max(start, end_line(node))
    if is_scalar(vnode) and kind(vnode) != "null":  # unidep's `- pip: name`
        item = Item(kind="pip-str", start=start, end=end, col=node.start_mark.column)
        child = _pip_entry(vnode, path, lines)
        item.children = [child]
        return item
    item = Item(kind="pip-list", start=start, end=end, col=node.start_mark.column)
    if kind(vnode) == "null":
        return item
    if not is_sequence(vnode):
        raise _err(
            f"the pip: section must be a list of requirement lines, not a {kind(vnode)}", vnode, path, lines
        )
    item.children = [_pip_entry(c, path, lines) for c in vnode.value]
    item.flow = bool(getattr(vnode, "flow_style", False))
    return item


def _pip_entry(node: Node, path: str | None, lines: list[str]) -> Item:
    text = _str(node, "a pip entry", path, lines)
    span = node_span(node, path, "dependencies.pip")
    comment = _trailing_comment(lines, node)
    sel = selectors.comment_selector(comment) if comment else None
    parts = parse_pip_line(text, span)
    out: list[PipPart] = []
    for part in parts:
        if part.kind == "requirement":
            req = part.value[0]
            assert isinstance(req, Requirement)
            raws = [Raw(format=FORMAT, key="pip", value=text)]
            marker = req.marker
            if sel:
                raws.append(Raw(format=FORMAT, key="selector", value=selectors.encode("comment", sel)))
                sel_marker = selectors.selector_marker(sel)
                if sel_marker:
                    from ...dialects.markers import and_markers

                    marker = and_markers(marker, sel_marker)
            part = PipPart("requirement", (req.replace(raw=tuple(raws), marker=marker, span=span),))
        out.append(part)
    s = node.start_mark
    item = Item(kind="pip", start=s.line, end=max(s.line, end_line(node)), col=s.column, parts=out)
    if is_scalar(node):
        item.scalar = _scalar_pos(node)
    return item
