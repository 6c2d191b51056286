"""Following ``-r``/``-c`` includes (``ReadOptions.follow_includes``).

Paths are resolved relative to the including file, as pip does. depglot refuses what pip would loop on or
what reaches outside the project:

* a cycle (a file that includes itself, directly or not) is an :class:`IncludeError` naming the chain;
* more than ``ReadOptions.max_include_depth`` nested files is an error;
* a file outside ``ReadOptions.root`` is an error unless ``allow_outside`` is set. The default root is the
  repository root of the top file (the nearest directory above it holding ``.git``), else its directory;
* URLs (``-r https://...``) are never fetched: an error, since depglot does not use the network.

``-r`` files are merged: their requirements join the main group (spans in their own file), their indexes and
options apply to the whole manifest, as in pip. ``-c`` files stay references in ``manifest.includes`` (a
constraint installs nothing, and most formats cannot say one); their requirement lines are read, checked and
carried as ``Raw(format="requirements", key="constraints:<path>", value=(line, ...))``.
"""

from __future__ import annotations

import os
from pathlib import Path

from ...dialects import pep508
from ...errors import IncludeError
from ...format import ReadOptions
from ...ir.model import Raw
from ...report import Loss, Severity
from ...span import Span
from .decode import decode
from .lines import Entry, parse_document
from .options import Token
from .reader import FORMAT, Parts, read_document
from .urls import is_url

__all__ = ["default_root", "follow"]


def default_root(path: Path) -> Path:
    """The repository root above ``path`` (a directory holding ``.git``), else ``path``'s directory."""
    start = path.parent
    for candidate in (start, *start.parents):
        if (candidate / ".git").exists():
            return candidate
    return start


def _error(
    message: str, entry: Entry, token: Token, file: str | None, hint: str | None = None
) -> IncludeError:
    line, column = entry.position(token.offset)
    return IncludeError(
        message,
        span=Span(file=file, line=line, column=column),
        source_line=entry.physical_line(line),
        width=len(token.text),
        dialect="requirements",
        hint=hint,
    )


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def follow(parts: Parts, top: str | None, options: ReadOptions) -> Parts:
    """Read every include of ``parts`` (the top file's reading) and merge them; returns the merged parts."""
    top_path = Path(top if top is not None else os.path.join(os.getcwd(), "<input>")).resolve()
    root = Path(options.root).resolve() if options.root else default_root(top_path)
    merged = Parts(
        file=parts.file,
        requirements=list(parts.requirements),
        indexes=list(parts.indexes),
        options=list(parts.options),
        no_index=parts.no_index,
        allow_prereleases=parts.allow_prereleases,
        comments=list(parts.comments),
        losses=list(parts.losses),
        raw=list(parts.raw),
    )
    _walk(parts, top_path, (top_path,), merged, root, options)
    return merged


def _walk(
    parts: Parts, path: Path, chain: tuple[Path, ...], merged: Parts, root: Path, options: ReadOptions
) -> None:
    for kind, value, entry, token in parts.includes:
        if is_url(value):
            raise _error(
                f"cannot follow {kind} URL {value!r}: depglot does not fetch",
                entry,
                token,
                parts.file,
                hint="download it and refer to the local file",
            )
        target = (path.parent / value).resolve()
        if target in chain:
            loop = " -> ".join(str(p) for p in (*chain, target))
            raise _error(f"include cycle: {loop}", entry, token, parts.file,
                         hint="remove one of these -r/-c lines; without --follow-includes they stay references")
        if len(chain) > options.max_include_depth:
            raise _error(
                f"includes nested deeper than {options.max_include_depth} files", entry, token, parts.file
            )
        if not options.allow_outside and not _inside(target, root):
            raise _error(
                f"{kind} file {value!r} is outside the root {str(root)!r}",
                entry,
                token,
                parts.file,
                hint="pass allow_outside=True (or --allow-outside) to follow it",
            )
        try:
            data = target.read_bytes()
        except OSError as exc:
            raise _error(
                f"cannot read {kind} file {value!r}: {exc.strerror or exc}", entry, token, parts.file
            ) from None
        display = os.path.normpath(os.path.join(os.path.dirname(parts.file or ""), value))
        doc = parse_document(decode(data, display), display)
        child = read_document(doc)
        if kind == "requirement":
            merged.requirements.extend(child.requirements)
            merged.indexes.extend(child.indexes)
            merged.options.extend(child.options)
            merged.no_index = merged.no_index or child.no_index
            merged.allow_prereleases = merged.allow_prereleases or child.allow_prereleases
            merged.losses.extend(child.losses)
            _walk(child, target, (*chain, target), merged, root, options)
        else:
            _check_constraints(child, merged)
            # pip reads a -c file's own -r lines as requirements again: follow them the same way
            merged.includes.append((kind, value, entry, token))
            lines = tuple(pep508.render_requirement(r) for r in child.requirements)
            merged.raw.append(Raw(format=FORMAT, key=f"constraints:{value}", value=lines))
            _walk(child, target, (*chain, target), merged, root, options)


def _check_constraints(child: Parts, merged: Parts) -> None:
    """pip refuses editable constraints and ignores (with a deprecation) unnamed ones and extras."""
    for req in child.requirements:
        span = req.span
        if req.editable:
            raise IncludeError(
                "editable requirements are not allowed as constraints",
                span=Span(file=span.file, line=span.line, column=span.column) if span else None,
                dialect="requirements",
            )
        if not req.name or req.extras:
            what = "an unnamed requirement" if not req.name else f"extras [{','.join(req.extras)}]"
            merged.losses.append(
                Loss(
                    code="requirements-constraint-form",
                    severity=Severity.WARNING,
                    message=f"a constraint with {what}: pip accepts only a name with a version specifier here",
                    subject=req.name or None,
                    span=span,
                )
            )
