"""The library entry points, named like ``json``/``tomllib``: glue only, never prints.

>>> import depglot
>>> m = depglot.loads("requests>=2.32\\n", "requirements")
>>> depglot.dumps(m, "pipfile").text  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import field
from pathlib import Path

from ._records import record
from . import registry
from .errors import DepglotError, ParseError
from .format import Feature, ReadOptions, WriteOptions
from .ir.model import GroupKind, Manifest
from .ir.select import Selection, select
from .report import Report
from .span import Span

__all__ = ["Conversion", "load", "loads", "dumps", "convert", "decode", "read_text", "Selection"]


@record(kw_only=False)
class Conversion:
    """The result of writing a manifest: the text, the manifest that was written, and what was lost."""

    text: str
    manifest: Manifest
    report: Report = field(default_factory=Report)
    format: str = ""


def decode(data: bytes, path: str | None = None) -> str:
    """Strict UTF-8 (a BOM stays in the text as ``\\ufeff`` so writers can give the same bytes back)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"not valid UTF-8 at byte offset {exc.start} ({exc.reason})",
            span=Span(file=path),
            hint="save the file as UTF-8",
        ) from None


def read_text(path: str | os.PathLike[str], fmt_name: str | None = None) -> tuple[str, str]:
    """(text, format name) of a file, decoded the way its format's tool decodes it."""
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        from .errors import DepglotError

        hint = ("check the path: it is relative to the current directory" if isinstance(exc, FileNotFoundError)
                else "name a file; `depglot show DIR` lists the manifests under a directory"
                if isinstance(exc, IsADirectoryError) else None)
        raise DepglotError(f"cannot read {os.fspath(path)}: {exc.strerror or exc}", hint=hint) from None
    if fmt_name is None:
        head = data[:8192].decode("utf-8", errors="replace")
        fmt = registry.detect(p, head)
    else:
        fmt = registry.get(fmt_name)
    decoder = getattr(fmt, "decode", None)
    text = decoder(data, os.fspath(path)) if decoder is not None else decode(data, os.fspath(path))
    return text, fmt.full_name


def load(
    path: str | os.PathLike[str],
    format: str | None = None,
    *,
    follow_includes: bool = False,
    allow_outside: bool = False,
    root: str | os.PathLike[str] | None = None,
    name_map: str | None = None,
) -> Manifest:
    """Read a manifest file; ``format=None`` detects it from the file name and content."""
    text, name = read_text(path, format)
    options = ReadOptions(
        path=os.fspath(path),
        follow_includes=follow_includes,
        allow_outside=allow_outside,
        root=os.fspath(root) if root is not None else None,
        name_map=name_map,
    )
    with _located(options.path):
        return registry.get(name).read(text, options)


@contextmanager
def _located(path: str | None) -> Iterator[None]:
    """Give errors that a reader raised without a file name the file being read."""
    try:
        yield
    except DepglotError as exc:
        if path is not None:
            if exc.span is None:
                exc.span = Span(file=path)
            elif exc.span.file is None:
                exc.span = exc.span.with_file(path)
        raise
    except RecursionError:  # tomllib/json/yaml parsers recurse once per nesting level
        raise ParseError(
            "nested too deeply to read (over Python's recursion limit)", span=Span(file=path, line=1, column=1)
        ) from None


def loads(text: str, format: str, *, path: str | None = None, **read_options: object) -> Manifest:
    """Read a manifest from text in the named format."""
    options = ReadOptions(path=path, **read_options)  # type: ignore[arg-type]
    with _located(path):
        return registry.get(format).read(text, options)


def dumps(
    manifest: Manifest,
    format: str,
    base: str | None = None,
    *,
    selection: Selection | None = None,
    **write_options: object,
) -> Conversion:
    """Write ``manifest`` in ``format``; with ``base`` (the existing text), edit it in place.

    Returns the text, the manifest as written (after group selection) and a :class:`Report` of every loss:
    the reader's interpretations, features the target lacks, and the writer's own.
    """
    fmt = registry.get(format)
    report = Report(manifest.losses)
    selection = selection or Selection()
    groupless = Feature.GROUPS not in fmt.features
    if groupless and (any(g.kind is not GroupKind.MAIN for g in manifest.groups) or not selection.is_default):
        manifest = select(manifest, selection, report)
    elif not selection.is_default:
        manifest = select(manifest, selection, report, flatten=False)
    if not groupless and Feature.GROUP_INCLUDES not in fmt.features:
        from .ir.select import expand_includes

        manifest = expand_includes(manifest)
    if Feature.CONDA_PACKAGES not in fmt.features:
        from .ir.ecosystem import to_pypi

        manifest = to_pypi(manifest, report)
    from .ir.features import preflight

    preflight(manifest, fmt.full_name, fmt.features, report)
    options = WriteOptions(**write_options)  # type: ignore[arg-type]
    text = fmt.write(manifest, base=base, report=report, options=options)
    return Conversion(text, manifest, report, fmt.full_name)


def convert(
    text: str,
    from_format: str,
    to_format: str,
    base: str | None = None,
    *,
    path: str | None = None,
    selection: Selection | None = None,
    **write_options: object,
) -> Conversion:
    """Read ``text`` as ``from_format`` and write it as ``to_format`` (optionally into ``base``)."""
    manifest = loads(text, from_format, path=path, name_map=write_options.get("name_map"))
    if registry.get(to_format).name == "pipfile-lock" and registry.get(from_format).name == "pipfile":
        write_options.setdefault("pipfile", text)  # the lock's _meta.hash is over the user's own Pipfile
    return dumps(manifest, to_format, base, selection=selection, **write_options)
