"""The ``depglot`` command line: thin, lazy.

Only the module of the command being run is imported (``depglot convert`` never imports the modules of
``check`` or ``freeze``); ``--help`` and unknown commands load them all. Each command module defines
``register(app)``. Every :class:`~depglot.errors.DepglotError` becomes one clear message and exit code 2.
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import sys

__all__ = ["main", "COMMANDS", "build_app"]

# command name -> module under depglot.cli
COMMANDS: dict[str, str] = {
    "convert": "convert",
    "show": "show",
    "formats": "formats",
    "migrate": "migrate",
    "check": "check",
    "diff": "diff",
    "freeze": "freeze",
    "add": "codemods",
    "remove": "codemods",
    "set": "codemods",
    "rename-group": "codemods",
    "normalize": "codemods",
    "pin": "codemods",
}


def _available(module: str) -> bool:
    return importlib.util.find_spec(f"depglot.cli.{module}") is not None


def build_app(argv: list[str] | None = None):  # type: ignore[no-untyped-def]
    import typer

    app = typer.Typer(
        name="depglot",
        help="Translate Python dependency manifests between formats without silent loss, and edit them in place.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        context_settings={"help_option_names": ["-h", "--help"]},
    )

    @app.callback()
    def _root() -> None:
        """depglot: exact conversions between requirements, Pipfile, Poetry, PEP 621/uv/pdm, pylock, conda."""

    args = sys.argv[1:] if argv is None else argv
    first = next((a for a in args if not a.startswith("-")), None)
    wanted = [COMMANDS[first]] if first in COMMANDS else list(dict.fromkeys(COMMANDS.values()))
    for module in wanted:
        if _available(module):
            importlib.import_module(f"depglot.cli.{module}").register(app)
    return app


def main(argv: list[str] | None = None) -> None:
    # Start-up allocates many long-lived objects (modules, classes, typer's parameters) that the cyclic collector
    # scans again and again at its default threshold (700); a higher first threshold saves a few ms per run and
    # still collects during long conversions. Restored afterwards for in-process callers.
    thresholds = gc.get_threshold()
    gc.set_threshold(50_000, *thresholds[1:])
    try:
        from ..errors import DepglotError

        app = build_app(argv)
        try:
            app(args=argv, prog_name="depglot", standalone_mode=True)
        except DepglotError as exc:  # raised outside a command body (rare: commands handle their own)
            print(exc.render(), file=sys.stderr)
            sys.exit(2)
    finally:
        gc.set_threshold(*thresholds)
