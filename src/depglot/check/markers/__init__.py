"""Environment markers by meaning: do two markers mean the same, can they ever hold together?

``equivalent(a, b)``: the same environments satisfy both (``python_version >= "3.8"`` and
``python_full_version >= "3.8.0"``; ``a or b`` and ``b or a``; ``extra == "Foo_Bar"`` and ``extra == "foo-bar"``).
``disjoint(a, b)``: no environment satisfies both (``sys_platform == "win32"`` and ``sys_platform != "win32"``;
``python_version < "3.10"`` and ``python_full_version >= "3.10.2"``).

Both are decided exactly over the atoms :mod:`._atoms` interprets (python versions, string (in)equalities,
``in`` a literal, ``"x" in extras``) by case splits over a finite set of values per variable that tells every
atom apart (:mod:`._solve`); other atoms are free yes/no variables, so an answer is never wrong, only sometimes
"no" where a finer reading would say "yes". Interpreters are taken to be final releases (``3.8.0``, not
``3.8.0rc1``, on which ``python_version >= "3.8"`` and ``python_full_version >= "3.8.0"`` differ) unless
``prereleases=True``. An invalid marker is equivalent only to the same text (whitespace aside) and disjoint from
nothing; a marker too large for the work budget likewise.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ._atoms import AtomTable
from ._solve import TooBig, satisfiable

__all__ = ["disjoint", "equivalent", "evaluate"]


def _tree(marker: str | None) -> Any:
    """packaging's parse tree (extras already normalised); [] for no marker; None when invalid."""
    if marker is None or not marker.strip():
        return []
    from packaging.markers import InvalidMarker, Marker

    try:
        return Marker(marker)._markers
    except InvalidMarker:
        return None


def _formula(table: AtomTable, tree: Any) -> Any:
    return True if not tree else table.formula(tree)


@lru_cache(maxsize=8192)
def disjoint(a: str | None, b: str | None, *, prereleases: bool = False) -> bool:
    """True only when no environment satisfies both ``a`` and ``b`` (``None`` = always true)."""
    ta, tb = _tree(a), _tree(b)
    if ta is None or tb is None:
        return False
    table = AtomTable()
    fa, fb = _formula(table, ta), _formula(table, tb)
    try:
        return not satisfiable(("and", (fa, fb)), table, prereleases=prereleases)
    except TooBig:
        return False


@lru_cache(maxsize=8192)
def equivalent(a: str | None, b: str | None, *, prereleases: bool = False) -> bool:
    """True only when exactly the same environments satisfy ``a`` and ``b`` (``None`` = always true)."""
    ta, tb = _tree(a), _tree(b)
    if ta is None or tb is None:
        return " ".join((a or "").split()) == " ".join((b or "").split())
    table = AtomTable()
    fa, fb = _formula(table, ta), _formula(table, tb)
    differ = ("or", (("and", (fa, ("not", fb))), ("and", (("not", fa), fb))))
    try:
        return not satisfiable(differ, table, prereleases=prereleases)
    except TooBig:
        return str(ta) == str(tb)


def evaluate(marker: str | None, environment: dict[str, str]) -> bool:
    """Whether ``marker`` holds in ``environment`` (``extra`` = ""); a marker naming an unknown variable holds."""
    if not marker:
        return True
    from packaging.markers import InvalidMarker, Marker, UndefinedEnvironmentName

    try:
        return bool(Marker(marker).evaluate({"extra": "", **environment}))
    except (InvalidMarker, UndefinedEnvironmentName):
        return True
