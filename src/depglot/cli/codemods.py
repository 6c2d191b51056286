"""``depglot add|remove|set|rename-group|normalize|pin``: repository codemods, applied as one atomic plan.

Each command is a small function that checks its own arguments and returns the :class:`Codemod` to run;
:func:`codemod_command` gives it the options every codemod shares (``PATH...``, ``--diff``, ``--check``,
``--jobs``, ...) and runs it with :func:`apply_codemod`.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
from collections.abc import Callable, Iterator
from typing import Annotated, Any, Optional

import typer

from ..edit.runner import Codemod
from ._common import FailOn, OutputFormat, handle_errors

__all__ = ["add", "apply_codemod", "codemod_command", "normalize", "pin", "progress_callback", "register",
           "remove", "rename_group", "set_"]

PROGRESS_MIN_FILES = 200  # runs shorter than this finish before a bar would help

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
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary lines.")]
DropHashes = Annotated[
    bool, typer.Option("--drop-hashes", help="Allow editing hashed requirements in --require-hashes files.")
]
ReportJson = Annotated[Optional[str], typer.Option("--report-json", help="Write the loss report as JSON here.")]
Group = Annotated[Optional[str], typer.Option("--group", "-g", help="Only this group (add: the group to add to).")]


def _shared(
    paths: Paths = None,
    diff: Diff = False,
    check: Check = False,
    jobs: Jobs = None,
    exclude: Exclude = [],  # noqa: B006 - typer's spelling of an empty repeatable option
    keep_going: KeepGoing = False,
    quiet: Quiet = False,
    fail_on: FailOn = "",
    output_format: OutputFormat = "",
    report_json: ReportJson = None,
) -> None:
    """The parameters every codemod command takes (after its own); only the signature is used."""


_SHARED = list(inspect.signature(_shared, eval_str=True).parameters.values())


def apply_codemod(
    codemod: Codemod,
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
    quiet: bool = False,
) -> None:
    """Discover, run, report, then diff / check / apply; exits 0, 1 (changes under --check/--diff or losses at
    the threshold) or 2 (a file could not be read or written)."""
    import os
    import sys

    from ..edit.discover import discover, plan_root
    from ..edit.plan import JOURNAL, recover
    from ..edit.runner import run
    from ..edit.settings import load_settings
    from ._common import print_losses, threshold, write_report_json

    def note(message: str) -> None:
        if not quiet:
            typer.echo(message, err=True)

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
    if os.path.exists(os.path.join(root, JOURNAL)):
        if diff or check:
            typer.echo(f"warning: {root}/{JOURNAL}: an interrupted depglot run; run without --diff/--check to "
                       "finish it", err=True)
        else:
            done = recover(root)
            note(f"{done.action} an interrupted depglot run ({len(done.files)} file(s))")
    with progress_callback(len(files), enabled=not (quiet or diff)) as progress:
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
            note(f"would change {change.path}")
    else:
        plan.apply()
        n = len(plan.changed)
        if n:
            note(f"changed {n} file{'s' if n != 1 else ''}")
    if result.errors:
        typer.echo(f"skipped {len(result.errors)} file(s) that could not be read", err=True)
        raise typer.Exit(2)
    if (diff or check) and plan.changed:
        raise typer.Exit(1)
    if result.report.fails(limit):
        raise typer.Exit(1)


def codemod_command(build: Callable[..., Codemod]) -> Callable[..., None]:
    """A CLI command from ``build`` (its own arguments -> the Codemod): the shared options are appended to its
    signature, and the Codemod it returns is run with them. Errors exit 2 without a traceback."""
    own = list(inspect.signature(build, eval_str=True).parameters.values())
    shared_names = [p.name for p in _SHARED]

    @functools.wraps(build)
    def command(**kwargs: Any) -> None:
        shared = {name: kwargs.pop(name) for name in shared_names}
        codemod = build(**kwargs)
        apply_codemod(codemod, shared.pop("paths"), **shared)

    params = [*own, *_SHARED]
    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    return handle_errors(command)


@codemod_command
def add(
    requirement: Annotated[str, typer.Argument(help="A PEP 508 requirement, e.g. 'requests>=2.32'.")],
    group: Group = None,
    drop_hashes: DropHashes = False,
) -> Codemod:
    """Add a requirement (or update the one already there) in every manifest under PATH."""
    from ..edit.codemods import parse_req

    parse_req(requirement)  # a bad argument fails before any file is read
    return Codemod(kind="add", requirement=requirement, group=group, drop_hashes=drop_hashes)


@codemod_command
def remove(
    name: Annotated[str, typer.Argument(help="The package to remove (any spelling).")],
    group: Group = None,
) -> Codemod:
    """Remove a package from every manifest under PATH."""
    return Codemod(kind="remove", name=name, group=group)


@codemod_command
def set_(
    name: Annotated[str, typer.Argument(help="The package (any spelling).")],
    spec: Annotated[str, typer.Argument(help="A PEP 440 specifier set, e.g. '>=2.32' ('*' for any version).")],
    group: Group = None,
    drop_hashes: DropHashes = False,
) -> Codemod:
    """Set a package's version constraint everywhere under PATH, written in each file's own dialect."""
    from ..edit.codemods import parse_spec

    parse_spec(spec)
    return Codemod(kind="set", name=name, spec=spec, group=group, drop_hashes=drop_hashes)


@codemod_command
def rename_group(
    old: Annotated[str, typer.Argument(help="The group (or extra) to rename.")],
    new: Annotated[str, typer.Argument(help="Its new name.")],
) -> Codemod:
    """Rename a dependency group in every manifest under PATH (and the groups that include it)."""
    return Codemod(kind="rename-group", old=old, new=new)


@codemod_command
def normalize(
    sort: Annotated[bool, typer.Option("--sort", help="Also order each group by name.")] = False,
) -> Codemod:
    """Write package names in canonical (PEP 503) form; with --sort, order groups by name."""
    return Codemod(kind="normalize", sort=sort)


@codemod_command
def pin(
    from_: Annotated[str, typer.Option("--from", help="The lock (or compiled requirements) to pin from.")] = "",
    group: Group = None,
    drop_hashes: DropHashes = False,
) -> Codemod:
    """Pin every requirement under PATH to the version in LOCK (==V)."""
    from .. import api
    from ..edit.codemods import lock_from_manifest
    from ..errors import DepglotError

    if not from_:
        raise DepglotError("pin needs the lock to pin from", hint="pass --from Pipfile.lock (or poetry.lock, uv.lock, ...)")
    return Codemod(kind="pin", lock=lock_from_manifest(api.load(from_)), group=group, drop_hashes=drop_hashes)


def _terminal_console() -> Any:
    """A rich Console on stderr when stderr is a real terminal (FORCE_COLOR alone does not make one), else None.
    rich is optional (extra ``progress``): without it, None."""
    import sys

    try:
        if not sys.stderr.isatty():
            return None
        from rich.console import Console
    except (ImportError, AttributeError, ValueError):
        return None
    console = Console(stderr=True)
    return console if console.is_terminal else None


@contextlib.contextmanager
def progress_callback(total: int, *, enabled: bool = True) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar on a terminal for long runs (``PROGRESS_MIN_FILES`` files or more); else nothing."""
    console = _terminal_console() if enabled and total >= PROGRESS_MIN_FILES else None
    if console is None:
        yield None
        return
    from rich.progress import Progress

    with Progress(console=console, transient=True) as bar:
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
