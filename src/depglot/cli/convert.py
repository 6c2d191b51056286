"""``depglot convert SRC -t TO``: one manifest into another format, with every loss reported.

No ``from __future__ import annotations`` here: typer reads the options from the annotations, and evaluated ones
spare it a ``get_type_hints`` pass that re-evaluates every ``typer.Option(...)`` string at start-up.
"""

import os
import sys
from typing import Annotated, Optional

import typer

from ._common import (FailOn, OutputFormat, emit, handle_errors, located, print_losses, read_current, threshold,
                      write_report_json)

__all__ = ["register", "convert"]


@handle_errors
def convert(
    src: Annotated[str, typer.Argument(help="The manifest to read, or - for stdin (then -f is required).")],
    to: Annotated[str, typer.Option("-t", "--to", help="Target format (see `depglot formats`).")],
    from_: Annotated[
        Optional[str], typer.Option("-f", "--from", help="Source format; detected from name and content if omitted.")
    ] = None,
    output: Annotated[
        Optional[str],
        typer.Option("-o", "--output", help="Write here (- or omitted: stdout). An existing file is edited in place."),
    ] = None,
    report_json: Annotated[
        Optional[str], typer.Option("--report-json", help="Write the loss report as JSON to this file.")
    ] = None,
    fail_on: FailOn = "error",
    strict: Annotated[bool, typer.Option("--strict", help="Shorthand for --fail-on warning.")] = False,
    diff: Annotated[bool, typer.Option("--diff", help="Print a unified diff of the output; write nothing.")] = False,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if the output would change; write nothing.")] = False,
    output_format: OutputFormat = "concise",
    group: Annotated[list[str], typer.Option("--group", help="Include this group (repeatable).")] = [],  # noqa: B006
    only_group: Annotated[list[str], typer.Option("--only-group", help="Only this group (repeatable).")] = [],  # noqa: B006
    all_groups: Annotated[bool, typer.Option("--all-groups", help="Include every group.")] = False,
    no_dev: Annotated[bool, typer.Option("--no-dev", help="Leave out development groups.")] = False,
    extra: Annotated[list[str], typer.Option("--extra", help="Include this extra (repeatable).")] = [],  # noqa: B006
    all_extras: Annotated[bool, typer.Option("--all-extras", help="Include every extra.")] = False,
    no_hashes: Annotated[bool, typer.Option("--no-hashes", help="Do not write hashes.")] = False,
    split: Annotated[
        bool, typer.Option("--split", help="Groupless targets: one layered file per group (needs -o).")
    ] = False,
    follow_includes: Annotated[
        bool, typer.Option("--follow-includes", help="Read -r/-c includes instead of keeping them as references.")
    ] = False,
    allow_outside: Annotated[
        bool, typer.Option("--allow-outside", help="Let includes leave the repository root.")
    ] = False,
    index_strategy: Annotated[
        Optional[str],
        typer.Option("--index-strategy", help="uv targets: first-index, unsafe-first-match or unsafe-best-match."),
    ] = None,
    optional_to: Annotated[
        str, typer.Option("--optional-to", help="Poetry optional deps without an extra become: extra or group.")
    ] = "extra",
    keep_locked: Annotated[
        bool, typer.Option("--keep-locked", help="Pin to the versions of the lock beside the source.")
    ] = False,
    pip_conf: Annotated[
        list[str],
        typer.Option("--pip-conf", "--index-config",
                     help="Add the indexes of a pip.conf/pip.ini, uv.toml or .condarc (repeatable)."),
    ] = [],  # noqa: B006
    name_map: Annotated[
        Optional[str],
        typer.Option("--name-map", help="PyPI <-> conda names over the bundled map: a TOML, YAML or JSON mapping, "
                     "or 'pypi = conda' lines (docs/conda-names.md)."),
    ] = None,
) -> None:
    """Convert SRC to another format. Exit 0 clean, 1 a loss at or above --fail-on, 2 bad input."""
    from .. import api, registry
    from ..api import Selection
    from ..errors import DepglotError

    limit = threshold(fail_on, strict)
    registry.get(to)  # an unknown -t/-f is the error to show, before any problem of the source file
    if from_:
        registry.get(from_)
    if name_map is not None:
        from ..data.conda_names import load_name_map

        load_name_map(name_map)  # a bad map is bad input (exit 2) even when no conda file is involved
    if src == "-":
        if not from_:
            raise DepglotError("reading stdin needs the source format", hint="pass -f/--from FORMAT")
        data = sys.stdin.buffer.read()
        text = api.decode(data, "<stdin>")
        src = "<stdin>"
        manifest = api.loads(text, from_, path="<stdin>", name_map=name_map)
    else:
        text, from_ = api.read_text(src, from_)
        manifest = api.loads(text, from_, path=src, follow_includes=follow_includes, allow_outside=allow_outside,
                             name_map=name_map)
    if pip_conf:
        from ..indexconf import merge, read_index_config

        for conf in pip_conf:
            manifest = merge(manifest, read_index_config(conf))
    selection = Selection(
        groups=tuple(group),
        only_groups=tuple(only_group),
        all_groups=all_groups,
        no_dev=no_dev,
        extras=tuple(extra),
        all_extras=all_extras,
    )
    write_options = dict(no_hashes=no_hashes, index_strategy=index_strategy, optional_to=optional_to,
                         keep_locked=keep_locked, name_map=name_map)
    if split:
        changed, report = _split(manifest, to, output, selection, write_options, diff=diff, check=check)
    else:
        current = read_current(output)
        if registry.get(to).name == "pipfile-lock" and registry.get(from_).name == "pipfile":
            write_options["pipfile"] = text  # the lock's _meta.hash is over the user's own Pipfile
        base = current
        if base is None and registry.get(to).full_name == registry.get(from_).full_name:
            base = text  # same format: edit the source itself, so an unchanged manifest comes back byte for byte
        conversion = api.dumps(manifest, to, base, selection=selection, path=output, **write_options)
        report = conversion.report
        changed = emit(conversion.text, output, diff=diff, check=check, current=current)
    report = located(report, src)
    print_losses(report, output_format)
    write_report_json(report, report_json)
    if (check or diff) and changed:
        raise typer.Exit(1)
    if report.fails(limit):
        raise typer.Exit(1)


def _split(manifest, to, output, selection, write_options, *, diff: bool, check: bool):  # type: ignore[no-untyped-def]
    """requirements.txt + requirements-<group>.txt (each starting with ``-r requirements.txt``)."""
    from .. import api, registry
    from ..api import Selection
    from ..errors import DepglotError
    from ..format import Feature
    from ..ir.model import GroupKind
    from ..report import Report

    if output in (None, "-"):
        raise DepglotError("--split writes several files", hint="pass -o PATH for the main file (e.g. requirements.txt)")
    fmt = registry.get(to)
    if Feature.GROUPS in fmt.features:
        raise DepglotError(f"--split is for groupless targets; {fmt.full_name} holds groups itself")
    if not selection.is_default and (selection.only_groups or selection.groups):
        raise DepglotError("--split writes every group; drop --group/--only-group")
    stem, ext = os.path.splitext(output)
    report = Report()
    changed = False
    main_name = os.path.basename(output)
    plans = [(output, Selection(extras=selection.extras, all_extras=selection.all_extras), None)]
    for g in manifest.groups:
        if g.kind in (GroupKind.GROUP, GroupKind.CATEGORY) and not (selection.no_dev and g.name in ("dev", "develop")):
            plans.append((f"{stem}-{g.name}{ext}", Selection(only_groups=(g.name,)), main_name))
    for path, sel, parent in plans:
        m = manifest
        if parent is not None:  # the -r line brings the main file's indexes and options: not repeated here
            m = manifest.replace(includes=(("requirement", parent),), indexes=(), options=(), no_index=False)
        current = read_current(path)
        conversion = api.dumps(m, to, current, selection=sel, path=path, **write_options)
        report.extend(l for l in conversion.report if l.code != "groups-not-selected")
        changed |= emit(conversion.text, path, diff=diff, check=check, current=current)
    return changed, report


def register(app: typer.Typer) -> None:
    app.command("convert", no_args_is_help=True)(convert)
