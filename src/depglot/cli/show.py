"""``depglot show SRC``: what depglot reads from a manifest, as text or as the IR in JSON."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ._common import handle_errors

__all__ = ["register", "show", "describe"]


def describe(manifest) -> str:  # type: ignore[no-untyped-def]
    """A human summary: project, python, indexes, then each group with its requirements."""
    from ..dialects import pep508
    from ..redact import redact

    lines = [f"format: {manifest.format}"]
    if manifest.project is not None and (manifest.project.name or manifest.project.version):
        lines.append(f"project: {manifest.project.name or '?'} {manifest.project.version or ''}".rstrip())
    if manifest.python is not None:
        lines.append(f"python: {manifest.python.raw} ({manifest.python.pep440 or 'no single PEP 440 form'})")
    for index in manifest.indexes:
        name = f"{index.name} " if index.name else ""
        lines.append(f"index: {name}{redact(index.url)} [{index.role.value}]")
    if manifest.no_index:
        lines.append("index: --no-index")
    for channel in manifest.channels:
        lines.append(f"channel: {channel}")
    for kind, path in manifest.includes:
        lines.append(f"include: {kind} {path}")
    for option in manifest.options:
        lines.append(f"option: --{option.name}" + (f" {option.value}" if option.value else ""))
    for group in manifest.groups:
        flags = [group.kind.value] + (["optional"] if group.optional else [])
        if group.includes:
            flags.append("includes " + ", ".join(group.includes))
        lines.append(f"group {group.name} ({', '.join(flags)}): {len(group.requirements)} requirement(s)")
        for req in group.requirements:
            extra = []
            if req.editable:
                extra.append("editable")
            if req.hashes:
                extra.append(f"{len(req.hashes)} hash(es)")
            if req.optional:
                extra.append("optional")
            tail = f"  [{', '.join(extra)}]" if extra else ""
            lines.append(f"  {redact(pep508.render_requirement(req))}{tail}")
    if manifest.lock is not None:
        lines.append(f"lock: {len(manifest.lock.packages)} package(s)")
    return "\n".join(lines) + "\n"


@handle_errors
def show(
    src: Annotated[str, typer.Argument(help="The manifest to read, or - for stdin (then -f is required).")],
    from_: Annotated[Optional[str], typer.Option("-f", "--from", help="Source format (detected if omitted).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the IR as JSON (with an ir-version).")] = False,
    follow_includes: Annotated[bool, typer.Option("--follow-includes", help="Read -r/-c includes.")] = False,
) -> None:
    """Show what depglot reads from SRC."""
    from .. import api
    from ..errors import DepglotError

    if src == "-":
        if not from_:
            raise DepglotError("reading stdin needs the source format", hint="pass -f/--from FORMAT")
        manifest = api.loads(api.decode(sys.stdin.buffer.read(), "<stdin>"), from_, path="<stdin>")
    else:
        manifest = api.load(src, from_, follow_includes=follow_includes)
    if as_json:
        from ..ir import native

        from ..redact import redact

        sys.stdout.write(redact(native.dumps(manifest)))  # a display: credentials hidden (convert -t native keeps them)
    else:
        sys.stdout.write(describe(manifest))
    for loss in manifest.losses:
        typer.echo(loss.concise(), err=True)


def register(app: typer.Typer) -> None:
    app.command("show", no_args_is_help=True)(show)
