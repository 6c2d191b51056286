"""``depglot show SRC``: what depglot reads from a manifest, as text or as the IR in JSON."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ._common import handle_errors

__all__ = ["register", "show", "describe"]


def describe(manifest, *, brief: bool = False) -> str:  # type: ignore[no-untyped-def]
    """A human summary: project, python, indexes, then each group with its requirements (``brief``: counts only,
    for locks shown beside their manifests)."""
    from ..dialects import pep508
    from ..ir.model import CondaPackage, LocalPath
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
        for req in () if brief else group.requirements:
            extra = []
            if req.editable:
                extra.append("editable")
            if req.hashes:
                extra.append(f"{len(req.hashes)} hash(es)")
            if req.optional:
                extra.append("optional")
            source = req.source
            if isinstance(source, CondaPackage):  # as the environment file says it, not as a PyPI requirement
                text = (f"{source.channel}::" if source.channel else "") + (source.spec or source.name)
                pypi = f", PyPI {req.name}" if source.pypi and req.name and source.name != req.name else ""
                extra.insert(0, "conda" + pypi)
            elif not req.name and isinstance(source, LocalPath):
                text = source.path  # `-e .`: a path without a name, as the file wrote it
            else:
                text = pep508.render_requirement(req)
            tail = f"  [{', '.join(extra)}]" if extra else ""
            lines.append(f"  {redact(text)}{tail}")
    if manifest.lock is not None:
        lines.append(f"lock: {len(manifest.lock.packages)} package(s)")
    return "\n".join(lines) + "\n"


@handle_errors
def show(
    src: Annotated[
        str, typer.Argument(help="The manifest to read, a directory (every manifest under it), or - for stdin "
                            "(then -f is required).")
    ],
    from_: Annotated[Optional[str], typer.Option("-f", "--from", help="Source format (detected if omitted).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the IR as JSON (with an ir-version).")] = False,
    follow_includes: Annotated[bool, typer.Option("--follow-includes", help="Read -r/-c includes.")] = False,
) -> None:
    """Show what depglot reads from SRC; a directory: every manifest and lock under it."""
    import os

    from .. import api
    from ..errors import DepglotError

    if src != "-" and os.path.isdir(src):
        _show_tree(src, from_, as_json, follow_includes)
        return
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


def _show_tree(directory: str, from_: str | None, as_json: bool, follow_includes: bool) -> None:
    """Every manifest and lock under ``directory`` (found as the codemods find them: .gitignore respected, virtual
    environments skipped), one section each; ``--json``: ``{"ir-version", "files": [{"path", "manifest"}]}``."""
    import json

    from .. import api
    from ..edit.discover import discover
    from ..errors import DepglotError
    from ..redact import redact

    if from_:
        raise DepglotError("-f/--from names the format of one file", hint="drop -f, or show one file")
    found = discover([directory], include_locks=True)
    if not found:
        raise DepglotError(f"no manifest found under {directory}",
                           hint="expected requirements*.txt, Pipfile, pyproject.toml, environment.yml, a lock...")
    manifests = [(f.path, api.load(f.path, f.format or None, follow_includes=follow_includes)) for f in found]
    if as_json:
        from ..ir import native

        files = [{"path": path, "manifest": native.to_json(m)["manifest"]} for path, m in manifests]
        doc = {"ir-version": native.IR_VERSION, "files": files}
        sys.stdout.write(redact(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n")
    else:
        locks = {f.path for f in found if f.lock}
        sys.stdout.write("\n".join(f"== {path}\n{describe(m, brief=path in locks)}" for path, m in manifests))
    for _, m in manifests:
        for loss in m.losses:
            typer.echo(loss.concise(), err=True)


def register(app: typer.Typer) -> None:
    app.command("show", no_args_is_help=True)(show)
