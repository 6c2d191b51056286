"""What every command shares: option types, loss printing, output writing, error handling."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from ..errors import DepglotError
from ..report import Report, Severity

__all__ = [
    "FailOn",
    "OutputFormat",
    "handle_errors",
    "concise_lines",
    "located",
    "print_losses",
    "threshold",
    "write_report_json",
    "emit",
    "unified_diff",
]

F = TypeVar("F", bound=Callable[..., Any])

FailOn = Annotated[
    str,
    typer.Option(
        "--fail-on",
        help="Exit 1 when a loss at or above this severity is reported: error, warning, info or never.",
        metavar="LEVEL",
    ),
]
OutputFormat = Annotated[
    str,
    typer.Option("--output-format", help="How losses print on stderr: concise, json or github.", metavar="FMT"),
]


def handle_errors(fn: F) -> F:
    """Turn every DepglotError into its rendered message on stderr and exit code 2 (never a traceback)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DepglotError as exc:
            typer.echo(exc.render(), err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def threshold(fail_on: str, strict: bool = False) -> Severity | None:
    if strict:
        return Severity.WARNING
    if fail_on.lower() == "never":
        return None
    try:
        return Severity.parse(fail_on)
    except ValueError as exc:
        raise DepglotError(str(exc), hint="use --fail-on error|warning|info|never") from None


def located(report: Report, path: str | None) -> Report:
    """The report with ``path`` as the file of every loss that names none (a writer reports on text, not a
    file): ``Pipfile: info[...]`` rather than ``<input>: info[...]``, and GitHub annotations land on the file."""
    if not path or all(loss.span is not None and loss.span.file for loss in report):
        return report
    import dataclasses

    from ..span import Span

    out = Report()
    for loss in report:
        if loss.span is None:
            loss = dataclasses.replace(loss, span=Span(file=path))
        elif not loss.span.file:
            loss = dataclasses.replace(loss, span=loss.span.with_file(path))
        out.append(loss)
    return out


def print_losses(report: Report, output_format: str) -> None:
    fmt = output_format.lower()
    if fmt == "json":
        sys.stderr.write(report.dumps_json())
        return
    if fmt not in ("concise", "github"):
        raise DepglotError(f"unknown --output-format {output_format!r}", hint="use concise, json or github")
    if fmt == "github":
        for loss in report:
            typer.echo(loss.github(), err=True)
        return
    for line in concise_lines(report):
        typer.echo(line, err=True)


INFO_SHOWN = 5  # info losses of one code printed one by one; the rest are counted (json lists every one)


def concise_lines(report: Report) -> list[str]:
    """The human lines: every warning and error; info losses (same meaning, new spelling or dropped comments)
    after the first few of one code collapse into one count, so a pip-compile file's 140 ``# via`` comments do
    not bury the warnings."""
    counts: dict[str, int] = {}
    for loss in report:
        if loss.severity is Severity.INFO:
            counts[loss.code] = counts.get(loss.code, 0) + 1
    out: list[str] = []
    seen: dict[str, int] = {}
    for loss in report:
        if loss.severity is not Severity.INFO or counts[loss.code] <= INFO_SHOWN + 1:
            out.append(loss.concise())
            continue
        n = seen[loss.code] = seen.get(loss.code, 0) + 1
        if n <= INFO_SHOWN:
            out.append(loss.concise())
        elif n == INFO_SHOWN + 1:
            where = loss.span.file if loss.span is not None and loss.span.file else "<input>"
            out.append(f"{where}: info[{loss.code}]: and {counts[loss.code] - INFO_SHOWN} more like these "
                       "(--report-json FILE or --output-format json lists every one)")
    return out


def write_report_json(report: Report, path: str | None) -> None:
    if not path:
        return
    from ..edit.atomic import atomic_write

    atomic_write(path, report.dumps_json().encode("utf-8"))


def unified_diff(old: str, new: str, path: str) -> str:
    import difflib

    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=f"a/{path}", tofile=f"b/{path}"
        )
    )


def emit(text: str, output: str | None, *, diff: bool, check: bool, current: str | None) -> bool:
    """Write ``text`` to ``output`` (stdout for None or "-") unless --diff/--check; True when it would change."""
    to_stdout = output in (None, "-")
    changed = current != text
    if check:
        if changed:
            typer.echo(f"would change {output if not to_stdout else '<stdout>'}", err=True)
        return changed
    if diff:
        if changed:
            sys.stdout.write(unified_diff(current or "", text, output if output is not None and not to_stdout
                                          else "<stdout>"))
        return changed
    if to_stdout:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        from ..edit.atomic import atomic_write

        assert output is not None
        atomic_write(output, text.encode("utf-8"))
    return changed


def read_current(path: str | None) -> str | None:
    """The current text of an output file (None when writing to stdout or when it does not exist yet)."""
    if path is None or path == "-" or not os.path.exists(path):
        return None
    from ..api import decode

    with open(path, "rb") as fh:
        return decode(fh.read(), path)
