"""``python -m depglot``: the same as the ``depglot`` command."""

from .cli import main

main()
