"""``depglot formats``: every format, the files it recognises, whether it reads/writes, and what it holds."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from ._common import handle_errors

__all__ = ["register", "formats", "format_rows"]


def format_rows() -> list[dict[str, object]]:
    from .. import registry

    rows = []
    for name in registry.names():
        cls = registry.format_class(name)
        rows.append(
            {
                "name": name,
                "flavours": [f"{name}+{f}" for f in cls.flavours],
                "aliases": sorted(a for a, t in registry.ALIASES.items() if t.partition("+")[0] == name),
                "description": cls.description,
                "files": list(cls.filenames),
                "read": cls.can_read,
                "write": cls.can_write,
                "features": sorted(f.value for f in cls.features) if cls.can_write else [],
                "builtin": name in registry.BUILTIN,
            }
        )
    return rows


@handle_errors
def formats(as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False) -> None:
    """List the formats depglot reads and writes."""
    rows = format_rows()
    if as_json:
        sys.stdout.write(json.dumps({"version": 1, "formats": rows}, indent=2) + "\n")
        return
    width = max((len(str(r["name"])) for r in rows), default=8)
    for r in rows:
        rw = ("r" if r["read"] else "-") + ("w" if r["write"] else "-")
        names = ", ".join([*r["flavours"], *r["aliases"]])  # type: ignore[misc]
        extra = f" (also: {names})" if names else ""
        files = ", ".join(r["files"])  # type: ignore[arg-type]
        typer.echo(f"{str(r['name']).ljust(width)}  {rw}  {files}{extra}")
        if r["description"]:
            typer.echo(f"{' ' * width}      {r['description']}")


def register(app: typer.Typer) -> None:
    app.command("formats")(formats)
