"""The ``script`` format: PEP 723 inline script metadata (the ``# /// script`` block of a ``.py`` file).

The block's TOML is the PEP 621 subset (``dependencies``, ``requires-python``) plus ``[tool]`` tables, so it is
read and written by the ``pep621+uv`` format (through the registry: converters never import each other) as if
it were ``[project]`` of a pyproject.toml; spans are moved back to the ``.py`` file's lines. Writing edits the
block in place and never touches the code around it.
"""

from __future__ import annotations

import dataclasses
import re
from typing import TYPE_CHECKING, Any

from ...edit.tomlspan import load_toml
from ...errors import ParseError
from ...format import Feature, Format, ReadOptions, WriteOptions
from ...ir.model import GroupKind, LocalPath, Project, Requirement
from ...report import Severity
from ...span import Span
from .block import Block, block_toml, find_block, render_block, splice

_OPENER = re.compile(r"^\ufeff?# /// script[ \t]*\r?$", re.MULTILINE)

if TYPE_CHECKING:
    from ...ir.model import Manifest
    from ...report import Report

__all__ = ["ScriptFormat"]

_HEADER = '[project]\nname = "script"\n'
_HEADER_LINES = 2
_KEYS = frozenset({"dependencies", "requires-python", "tool"})


def _pyproject_format() -> Format:
    from ... import registry

    return registry.get("pep621+uv")


def _shift(value: Any, block: Block) -> Any:
    """Move spans from the synthetic pyproject's lines to the ``.py`` file's lines."""
    if isinstance(value, Span):
        if value.line is None:
            return value
        line = value.line - _HEADER_LINES + block.start + 1
        return dataclasses.replace(value, line=line, column=(value.column or 1) + 2)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            v = getattr(value, f.name)
            if isinstance(v, (Span, tuple)) or dataclasses.is_dataclass(v):
                changes[f.name] = _shift(v, block)
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        return tuple(_shift(v, block) for v in value)
    return value


def _spaced(toml: str) -> str:
    """A blank line before each table header of a new block."""
    out: list[str] = []
    for line in toml.split("\n"):
        if line.startswith("[") and out and out[-1].strip():
            out.append("")
        out.append(line)
    return "\n".join(out)


def _project_itself(req: Requirement, report: Report) -> bool:
    """``-e .`` / ``.`` (a project installing itself): a script is no project, so it is left out, and said."""
    if req.name or not isinstance(req.source, LocalPath) or req.source.path not in (".", "./"):
        return False
    report.add("project-itself-dropped", Severity.WARNING,
               f"'{'-e ' if req.editable else ''}{req.source.path}' installs the project around the source; a PEP 723 "
               "script is not a project and has no such dependency (name the package, or install it separately)",
               subject=req.source.path, span=req.span)
    return True


class ScriptFormat(Format):
    name = "script"
    description = "PEP 723 inline script metadata (# /// script) in a .py file, edited in place"
    filenames = ("*.py",)
    features = frozenset({
        Feature.REQUIREMENT_EXTRAS,
        Feature.MARKERS,
        Feature.VCS,
        Feature.URL,
        Feature.LOCAL_PATH,
        Feature.EDITABLE,
        Feature.PER_PACKAGE_INDEX,
        Feature.INDEXES,
        Feature.INDEX_NAMES,
        Feature.INDEX_STRATEGY,  # [tool.uv] index-strategy
        Feature.FIND_LINKS,
        Feature.NO_INDEX,
        Feature.PRERELEASES,
        Feature.PYTHON,
    })

    def detect(self, filename: str, head: str) -> int:
        # the block opener must be a line of its own (PEP 723), not the text inside a string or a comment
        if not _OPENER.search(head):
            return 0
        return 90 if filename.endswith(".py") or not filename else 60

    def read(self, text: str, options: ReadOptions) -> Manifest:
        block = find_block(text, options.path)
        if block is None:
            raise ParseError("no '# /// script' block (PEP 723 inline metadata) in this file",
                             span=Span(file=options.path), dialect="pep723",
                             hint="add one, or convert into this file to create it")
        toml = block_toml(block)
        try:
            doc = load_toml(toml, options.path, "pep723")
        except ParseError as exc:  # the TOML's line L is the script's line block.start + 1 + L, after "# "
            toml_span = exc.span
            at = toml_span.line if toml_span is not None and toml_span.line else None
            line = block.start + 1 + at if at else block.start + 1
            column = toml_span.column + 2 if toml_span is not None and at and toml_span.column else 1
            raise ParseError(exc.message.replace("invalid TOML", "invalid TOML in the script block", 1),
                             span=Span(file=options.path, line=line, column=column),
                             source_line=block.lines[line - 1].rstrip("\r\n"), dialect="pep723") from None
        for key in doc:
            if key not in _KEYS:
                line = next((block.start + 2 + i for i, t in enumerate(toml.splitlines())
                             if t.split("=")[0].strip() == key), block.start + 1)
                raise ParseError(f"{key!r} is not a PEP 723 script field (dependencies, requires-python, tool)",
                                 span=Span(file=options.path, line=line, column=3, key=key),
                                 source_line=block.lines[line - 1].rstrip("\r\n"), dialect="pep723")
        try:
            manifest = _pyproject_format().read(_HEADER + toml, options)
        except ParseError as exc:
            span = _shift(exc.span, block) if exc.span is not None else None
            source = block.lines[span.line - 1].rstrip("\r\n") if span is not None and span.line else None
            raise ParseError(exc.message, span=span, source_line=source, dialect=exc.dialect or "pep723",
                             hint=exc.hint) from None
        shifted: Manifest = _shift(manifest, block)
        return shifted.replace(format="script", project=None,
                                span=Span(file=options.path, line=block.start + 1, column=1))

    def write(self, manifest: Manifest, *, base: str | None, report: Report, options: WriteOptions) -> str:
        block = find_block(base, options.path) if base is not None else None
        toml = block_toml(block) if block is not None else ""
        # A script has dependencies, requires-python and [tool] only: no extras or groups (the API flattened the
        # selected ones into main), and an optional requirement has no extra to live in here (the preflight
        # reported it: optional-requirement-dropped), so it is left out rather than written as a [project] extra.
        main = [g.replace(requirements=tuple(r for r in g.requirements
                                             if not r.optional and not _project_itself(r, report)))
                for g in manifest.groups if g.kind is GroupKind.MAIN]
        m = manifest.replace(project=Project(name="script"), groups=tuple(main),
                             raw=tuple(r for r in manifest.raw if r.format == "uv"
                                       or (r.format, r.key) == ("pdm", "tool.pdm.resolution.overrides")))
        text = _pyproject_format().write(m, base=_HEADER + toml, report=report, options=options)
        new_toml = text.split("\n", _HEADER_LINES)[_HEADER_LINES] if text.count("\n") >= _HEADER_LINES else ""
        if base is not None and block is not None and new_toml == toml:
            return base
        if block is None:
            new_toml = _spaced(new_toml)
        new_block = render_block(new_toml, block.newline if block is not None else "\n")
        if base is None:
            return new_block
        return splice(base, block, new_block)
