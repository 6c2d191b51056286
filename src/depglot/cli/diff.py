"""``depglot diff A B``: do two manifests mean the same? Exit 0 same, 1 different, 2 bad input."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Optional

import typer

from ._common import handle_errors

__all__ = ["diff", "register"]


@handle_errors
def diff(
    a: Annotated[str, typer.Argument(help="The first manifest (or lock).")],
    b: Annotated[str, typer.Argument(help="The second manifest (or lock).")],
    from_a: Annotated[Optional[str], typer.Option("--from-a", help="Format of A (detected if omitted).")] = None,
    from_b: Annotated[Optional[str], typer.Option("--from-b", help="Format of B (detected if omitted).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the differences as JSON on stdout.")] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Print nothing; only the exit code.")] = False,
) -> None:
    """Do two manifests mean the same? Compared by meaning; a lock against a manifest: every pin in range.

    Version sets, extras, markers, sources and groups are compared by meaning. Exit 0 same, 1 different, 2 bad input.
    """
    from .. import api
    from ..ir.diff import diff as semantic_diff

    result = semantic_diff(api.load(a, from_a), api.load(b, from_b))
    if as_json:
        sys.stdout.write(json.dumps(result.to_json(), indent=2, ensure_ascii=False) + "\n")
    elif not quiet:
        for change in result.changes:
            typer.echo(change.concise())
        if result.same:
            what = "every locked pin satisfies the manifest" if result.mode == "lock" else "same meaning"
            typer.echo(f"{a} and {b}: {what}", err=True)
        else:
            typer.echo(f"{len(result.changes)} difference(s)", err=True)
    if not result.same:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("diff", no_args_is_help=True)(diff)
