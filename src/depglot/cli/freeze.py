"""``depglot freeze [--python P | --prefix DIR] -t FMT``: the installed environment written as any format."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from ._common import FailOn, OutputFormat, emit, handle_errors, print_losses, read_current, threshold

__all__ = ["freeze", "register"]


@handle_errors
def freeze(
    to: Annotated[str, typer.Option("-t", "--to", help="Target format (freeze, requirements, conda, pep621...).")] = "freeze",
    python: Annotated[
        Optional[str], typer.Option("--python", help="The environment of this interpreter (asked with -I -S).")
    ] = None,
    prefix: Annotated[
        Optional[str], typer.Option("--prefix", help="A conda prefix or venv directory (read from files only).")
    ] = None,
    output: Annotated[
        Optional[str], typer.Option("-o", "--output", help="Write here (- or omitted: stdout); an existing file is edited.")
    ] = None,
    group: Annotated[
        Optional[str],
        typer.Option("--group", help="Write the pins as this dependency group (into -o's existing groups)."),
    ] = None,
    exclude: Annotated[
        list[str], typer.Option("--exclude", help="Leave out this distribution (repeatable), as pip freeze does.")
    ] = [],  # noqa: B006
    exclude_editable: Annotated[
        bool, typer.Option("--exclude-editable", help="Leave out editable installs.")
    ] = False,
    fail_on: FailOn = "error",
    output_format: OutputFormat = "concise",
    diff: Annotated[bool, typer.Option("--diff", help="Print a unified diff of the output; write nothing.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if the output would change; write nothing.")] = False,
) -> None:
    """Read installed distributions (dist-info, egg-info, direct_url.json, conda-meta) and write them.

    Without --python/--prefix: $VIRTUAL_ENV, else $CONDA_PREFIX, else the python depglot runs under.
    """
    from .. import api
    from ..env import inspect, into_group, to_manifest, without
    from ..errors import DepglotError

    if python and prefix:
        raise DepglotError("--python and --prefix name two environments", hint="pass one of them")
    limit = threshold(fail_on)
    env = inspect(python=python, prefix=prefix)
    if exclude or exclude_editable:
        env = without(env, tuple(exclude), editable=exclude_editable)
    manifest = to_manifest(env)
    current = read_current(output)
    if group:
        base = api.loads(current, to, path=output) if current is not None else None
        manifest = into_group(manifest, group, base)
    conversion = api.dumps(manifest, to, current, path=output)
    changed = emit(conversion.text, output, diff=diff, check=check, current=current)
    print_losses(conversion.report, output_format)
    if (check or diff) and changed:
        raise typer.Exit(1)
    if conversion.report.fails(limit):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("freeze")(freeze)
