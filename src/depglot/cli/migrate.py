"""``depglot migrate [DIR] --to TOOL``: a project's manifests rewritten for another tool, as one atomic plan."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from ._common import FailOn, OutputFormat, handle_errors

__all__ = ["migrate", "register"]


@handle_errors
def migrate(
    directory: Annotated[str, typer.Argument(help="The project directory (default: .).")] = ".",
    to: Annotated[
        str, typer.Option("--to", "-t", help="poetry, uv, pep621, pdm, pipenv, requirements or conda.")
    ] = "",
    keep_locked: Annotated[
        bool, typer.Option("--keep-locked", help="Keep the locked versions (Poetry/Pipfile: == pins; uv: constraints).")
    ] = False,
    remove_old: Annotated[bool, typer.Option("--remove-old", help="Delete the files the migration replaces.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print a unified diff; write nothing.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if anything would change; write nothing.")] = False,
    fail_on: FailOn = "error",
    strict: Annotated[bool, typer.Option("--strict", help="Shorthand for --fail-on warning.")] = False,
    output_format: OutputFormat = "concise",
    report_json: Annotated[
        Optional[str], typer.Option("--report-json", help="Write the loss report as JSON to this file.")
    ] = None,
    index_strategy: Annotated[
        Optional[str],
        typer.Option("--index-strategy", help="uv targets: first-index, unsafe-first-match or unsafe-best-match."),
    ] = None,
    optional_to: Annotated[
        str, typer.Option("--optional-to", help="Poetry optional deps without an extra become: extra or group.")
    ] = "extra",
    name_map: Annotated[
        Optional[str],
        typer.Option("--name-map", help="PyPI <-> conda names over the bundled map: a TOML, YAML or JSON mapping, "
                     "or 'pypi = conda' lines (docs/conda-names.md)."),
    ] = None,
) -> None:
    """Migrate the project in DIR to another tool, as one atomic change.

    Exit 0 done, 1 losses at --fail-on (nothing written) or changes under --check/--diff, 2 bad input.
    """
    from ..edit.plan import recover
    from ..errors import DepglotError
    from ..migrate import TARGETS, plan_migration
    from ._common import located, print_losses, threshold, write_report_json

    if not to:
        raise DepglotError("migrate needs a target", hint="pass --to " + "|".join(TARGETS))
    limit = threshold(fail_on, strict)
    if name_map is not None:
        from ..data.conda_names import load_name_map

        load_name_map(name_map)  # a bad map is bad input (exit 2) before anything is planned
    if not (diff or check):
        recover(directory)
    migration = plan_migration(directory, to, keep_locked=keep_locked, remove_old=remove_old,
                               index_strategy=index_strategy, optional_to=optional_to, name_map=name_map)
    span = migration.manifest.span if migration.manifest is not None else None
    report = located(migration.report, span.file if span is not None else None)
    print_losses(report, output_format)
    write_report_json(report, report_json)
    plan = migration.plan
    fails = report.fails(limit)
    if diff:
        sys.stdout.write(plan.diff())
    elif check:
        for change in plan.changed:
            verb = "delete" if change.after is None else "change" if change.before is not None else "create"
            typer.echo(f"would {verb} {change.path}", err=True)
    elif fails:
        typer.echo(f"not written: losses at or above --fail-on {'warning' if strict else fail_on} "
                   "(see above; --fail-on never writes anyway)", err=True)
    else:
        plan.apply()
        for change in plan.changed:
            verb = "deleted" if change.after is None else "wrote" if change.before is not None else "created"
            typer.echo(f"{verb} {change.path}", err=True)
    if (diff or check) and plan.changed:
        raise typer.Exit(1)
    if fails:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("migrate")(migrate)
