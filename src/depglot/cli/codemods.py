"""``depglot add|remove|set|rename-group|normalize|pin``: repository codemods, applied as one atomic plan."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Annotated, Optional

import typer

from ._common import FailOn, OutputFormat, handle_errors

__all__ = ["add", "apply_codemod", "normalize", "pin", "register", "remove", "rename_group", "set_"]

Paths = Annotated[
    Optional[list[str]],
    typer.Argument(help="Files, directories (searched recursively, respecting .gitignore) or globs. Default: .",
                   show_default=False),
]
Diff = Annotated[bool, typer.Option("--diff", help="Print a unified diff; write nothing.")]
Check = Annotated[bool, typer.Option("--check", help="Exit 1 if anything would change; write nothing.")]
Jobs = Annotated[Optional[int], typer.Option("--jobs", "-j", help="Worker processes (default 1).", min=1)]
Exclude = Annotated[list[str], typer.Option("--exclude", help="Skip paths matching this glob (repeatable).")]
KeepGoing = Annotated[
    bool, typer.Option("--keep-going", help="Skip files that cannot be read (reported) and apply the rest.")
]
DropHashes = Annotated[
    bool, typer.Option("--drop-hashes", help="Allow editing hashed requirements in --require-hashes files.")
]
ReportJson = Annotated[Optional[str], typer.Option("--report-json", help="Write the loss report as JSON here.")]
Group = Annotated[Optional[str], typer.Option("--group", "-g", help="Only this group (add: the group to add to).")]


def apply_codemod(
    codemod,  # type: ignore[no-untyped-def]
    paths: list[str] | None,
    *,
    diff: bool,
    check: bool,
    jobs: int | None,
    exclude: list[str],
    keep_going: bool,
    fail_on: str | None,
    output_format: str | None,
    report_json: str | None,
) -> None:
    """Discover, run, report, then diff / check / apply; exits 0, 1 (changes under --check/--diff or losses at
    the threshold) or 2 (a file could not be read or written)."""
    import sys

    from ..edit.discover import discover, plan_root
    from ..edit.plan import JOURNAL, recover
    from ..edit.runner import run
    from ..edit.settings import load_settings
    from ._common import print_losses, threshold, write_report_json

    paths = paths or ["."]
    settings = load_settings(paths[0])
    fail_on = fail_on or settings.fail_on or "error"
    output_format = output_format or settings.output_format or "concise"
    keep_going = keep_going or bool(settings.keep_going)
    limit = threshold(fail_on)
    files = discover(paths, exclude=[*settings.exclude, *exclude], respect_gitignore=settings.respect_gitignore,
                     lazy=True)
    if not files:
        typer.echo(f"warning: no manifest found under {' '.join(paths)}", err=True)
    root = plan_root([f.path for f in files])
    import os

    if os.path.exists(os.path.join(root, JOURNAL)):
        if diff or check:
            typer.echo(f"warning: {root}/{JOURNAL}: an interrupted depglot run; run without --diff/--check to "
                       "finish it", err=True)
        else:
            done = recover(root)
            typer.echo(f"{done.action} an interrupted depglot run ({len(done.files)} file(s))", err=True)
    with progress_callback(len(files)) as progress:
        result = run(files, codemod, jobs=jobs or settings.jobs or 1, root=root, progress=progress)
    for bad in result.errors:
        typer.echo(bad.error or "", err=True)
    if result.errors and not keep_going:
        typer.echo(f"{len(result.errors)} file(s) could not be processed; nothing was written "
                   "(--keep-going skips them)", err=True)
        raise typer.Exit(2)
    print_losses(result.report, output_format)
    write_report_json(result.report, report_json)
    plan = result.plan
    if diff:
        sys.stdout.write(plan.diff())
    elif check:
        for change in plan.changed:
            typer.echo(f"would change {change.path}", err=True)
    else:
        plan.apply()
        n = len(plan.changed)
        if n:
            typer.echo(f"changed {n} file{'s' if n != 1 else ''}", err=True)
    if result.errors:
        typer.echo(f"skipped {len(result.errors)} file(s) that could not be read", err=True)
        raise typer.Exit(2)
    if (diff or check) and plan.changed:
        raise typer.Exit(1)
    if result.report.fails(limit):
        raise typer.Exit(1)


@handle_errors
def add(
    requirement: Annotated[str, typer.Argument(help="A PEP 508 requirement, e.g. 'requests>=2.32'.")],
    paths: Paths = None,
    group: Group = None,
    diff: Diff = False,
    check: Check = False,
    jobs: Jobs = None,
    exclude: Exclude = [],  # noqa: B006
    keep_going: KeepGoing = False,
    drop_hashes: DropHashes = False,
    fail_on: FailOn = "",
    output_format: OutputFormat = "",
    report_json: ReportJson = None,
) -> None:
    """Add a requirement (or update the one already there) in every manifest under PATH."""
    from ..edit.codemods import parse_req
    from ..edit.runner import Codemod

    parse_req(requirement)  # a bad argument fails before any file is read
    apply_codemod(Codemod(kind="add", requirement=requirement, group=group, drop_hashes=drop_hashes), paths,
                  diff=diff, check=check, jobs=jobs, exclude=exclude, keep_going=keep_going, fail_on=fail_on,
                  output_format=output_format, report_json=report_json)


@handle_errors
def remove(
    name: Annotated[str, typer.Argument(help="The package to remove (any spelling).")],
    paths: Paths = None,
    group: Group = None,
    diff: Diff = False,
    check: Check = False,
    jobs: Jobs = None,
    exclude: Exclude = [],  # noqa: B006
    keep_going: KeepGoing = False,
    fail_on: FailOn = "",
    output_format: OutputFormat = "",
    report_json: ReportJson = None,
) -> None:
    """Remove a package from every manifest under PATH."""
    from ..edit.runner import Codemod

    apply_codemod(Codemod(kind="remove", name=name, group=group), paths, diff=diff, check=check, jobs=jobs,
                  exclude=exclude, keep_going=keep_going, fail_on=fail_on, output_format=output_format,
                  report_json=report_json)


@handle_errors
def set_(
    name: Annotated[str, typer.Argument(help="The package (any spelling).")],
    spec: Annotated[str, typer.Argument(help="A PEP 440 specifier set, e.g. '>=2.32' ('*' for any version).")],
    paths: Paths = None,
    group: Group = None,
    diff: Diff = False,
    check: Check = False,
    jobs: Jobs = None,
    exclude: Exclude = [],  # noqa: B006
    keep_going: KeepGoing = False,
    drop_hashes: DropHashes = False,
    fail_on: FailOn = "",
    output_format: OutputFormat = "",
    report_json: ReportJson = None,
) -> None:
    """Set a package's version constraint everywhere under PATH, written in each file's own dialect."""
    from ..edit.codemods import parse_spec
    from ..edit.runner import Codemod

    parse_spec(spec)
    apply_codemod(Codemod(kind="set", name=name, spec=spec, group=group, drop_hashes=drop_hashes), paths,
                  diff=diff, check=check, jobs=jobs, exclude=exclude, keep_going=keep_going, fail_on=fail_on,
                  output_format=output_format, report_json=report_json)


@handle_errors
def rename_group(
    old: Annotated[str, typer.Argument(help="The group (or extra) to rename.")],
    new: Annotated[str, typer.Argument(help="Its new name.")],
    paths: Paths = None,
    diff: Diff = False,
    check: Check = False,
    jobs: Jobs = None,
    exclude: Exclude = [],  # noqa: B006
    keep_going: KeepGoing = False,
    fail_on: FailOn = "",
    output_format: OutputFormat = "",
    report_json: ReportJson = None,
) -> None:
    """Rename a dependency group in every manifest under PATH (and the groups that include it)."""
    from ..edit.runner import Codemod

    apply_codemod(Codemod(kind="rename-group", old=old, new=new), paths, diff=diff, check=check, jobs=jobs,
                  exclude=exclude, keep_going=keep_going, fail_on=fail_on, output_format=output_format,
                  report_json=report_json)


@handle_errors
def normalize(
    paths: Paths = None,
    sort: Annotated[bool, typer.Option("--sort", help="Also order each group by name.")] = False,
    diff: Diff = False,
    check: Check = False,
    jobs: Jobs = None,
    exclude: Exclude = [],  # noqa: B006
    keep_going: KeepGoing = False,
    fail_on: FailOn = "",
    output_format: OutputFormat = "",
    report_json: ReportJson = None,
) -> None:
    """Write package names in canonical (PEP 503) form; with --sort, order groups by name."""
    from ..edit.runner import Codemod

    apply_codemod(Codemod(kind="normalize", sort=sort), paths, diff=diff, check=check, jobs=jobs,
                  exclude=exclude, keep_going=keep_going, fail_on=fail_on, output_format=output_format,
                  report_json=report_json)


@handle_errors
def pin(
    paths: Paths = None,
    from_: Annotated[str, typer.Option("--from", help="The lock (or compiled requirements) to pin from.")] = "",
    group: Group = None,
    diff: Diff = False,
    check: Check = False,
    jobs: Jobs = None,
    exclude: Exclude = [],  # noqa: B006
    keep_going: KeepGoing = False,
    drop_hashes: DropHashes = False,
    fail_on: FailOn = "",
    output_format: OutputFormat = "",
    report_json: ReportJson = None,
) -> None:
    """Pin every requirement under PATH to the version in LOCK (==V)."""
    from .. import api
    from ..edit.codemods import lock_from_manifest
    from ..edit.runner import Codemod
    from ..errors import DepglotError

    if not from_:
        raise DepglotError("pin needs the lock to pin from", hint="pass --from Pipfile.lock (or poetry.lock, uv.lock, ...)")
    lock = lock_from_manifest(api.load(from_))
    apply_codemod(Codemod(kind="pin", lock=lock, group=group, drop_hashes=drop_hashes), paths, diff=diff,
                  check=check, jobs=jobs, exclude=exclude, keep_going=keep_going, fail_on=fail_on,
                  output_format=output_format, report_json=report_json)


@contextlib.contextmanager
def progress_callback(total: int) -> Iterator[Callable[[int, int], None] | None]:
    """A rich progress bar on a TTY for long runs (rich is optional: extra ``progress``); else nothing."""
    import sys

    if total < 200 or not sys.stderr.isatty():
        yield None
        return
    try:
        from rich.progress import Progress
    except ImportError:
        yield None
        return
    with Progress(transient=True) as bar:
        task = bar.add_task("manifests", total=total)

        def update(done: int, _total: int) -> None:
            bar.update(task, completed=done)

        yield update


def register(app: typer.Typer) -> None:
    app.command("add", no_args_is_help=True)(add)
    app.command("remove", no_args_is_help=True)(remove)
    app.command("set", no_args_is_help=True)(set_)
    app.command("rename-group", no_args_is_help=True)(rename_group)
    app.command("normalize")(normalize)
    app.command("pin")(pin)
