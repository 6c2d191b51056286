"""``depglot check PATH...``: static conflicts between manifests installed together; ``--installed``: the
environment against its own metadata (like ``pip check``) and against the named manifests."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ._common import handle_errors

__all__ = ["check", "register"]


@handle_errors
def check(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Manifests installed together (-r/-c followed).")] = None,
    installed: Annotated[
        bool, typer.Option("--installed", help="Check an installed environment (like pip check), from metadata.")
    ] = False,
    python: Annotated[
        Optional[str], typer.Option("--python", help="--installed: the environment of this interpreter.")
    ] = None,
    prefix: Annotated[
        Optional[str], typer.Option("--prefix", help="--installed: a venv or conda prefix (nothing is run).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the findings as JSON on stdout.")] = False,
) -> None:
    """Report conflicts between manifests installed together (or an installed environment), one line each.

    Each line: file:line:col, severity, code and message. Exit 0 clean, 1 a conflict, 2 bad input.
    """
    from ..check import check_installed, check_manifest_against, check_paths
    from ..errors import DepglotError
    from ..report import Severity

    files = list(paths or [])
    if (python or prefix) and not installed:
        raise DepglotError("--python/--prefix go with --installed", hint="add --installed")
    if installed:
        from ..check.static import load_set
        from ..env import inspect

        env = inspect(python=python, prefix=prefix)
        report = check_installed(env)
        if files:
            items = load_set(files, report)
            check_manifest_against([i.manifest for i in items if i.role == "manifest"], env, report)
    else:
        if not files:
            raise DepglotError("nothing to check", hint="name manifest files, or pass --installed")
        report = check_paths(files)
    if as_json:
        sys.stdout.write(report.dumps_json())
    else:
        for loss in report:
            typer.echo(loss.concise())
        errors = sum(1 for loss in report if loss.severity is Severity.ERROR)
        warnings = sum(1 for loss in report if loss.severity is Severity.WARNING)
        typer.echo(f"{errors} conflict(s), {warnings} warning(s)" if report else "no conflicts", err=True)
    if report.fails(Severity.ERROR):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("check")(check)
