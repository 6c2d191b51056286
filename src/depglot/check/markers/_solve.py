"""Is a marker formula satisfiable? Case splits over each variable's distinct truth-value rows.

The formula's atoms are grouped by variable; for one variable at a time every row of :func:`._atoms.regions`
(the truth values its atoms take together on some real value) is substituted and the formula simplified, until it
is constant. The search stops at the first satisfying row; a work budget bounds pathological markers (the caller
then answers conservatively).
"""

from __future__ import annotations

from ._atoms import AtomTable, Formula, regions

__all__ = ["TooBig", "satisfiable"]

_BUDGET = 20_000


class TooBig(Exception):
    """The question needs more work than the budget allows (or a candidate value could not be evaluated)."""


def _simplify(f: Formula, assign: dict[int, bool]) -> Formula:
    if f is True or f is False:
        return f
    tag = f[0]
    if tag == "atom":
        return assign.get(f[1], f)
    if tag == "not":
        inner = _simplify(f[1], assign)
        return (not inner) if isinstance(inner, bool) else ("not", inner)
    absorbing = tag == "or"  # True absorbs an "or", False an "and"
    kept = []
    for child in f[1]:
        c = _simplify(child, assign)
        if c is absorbing:
            return absorbing
        if c is not (not absorbing):
            kept.append(c)
    if not kept:
        return not absorbing
    return kept[0] if len(kept) == 1 else (tag, tuple(kept))


def _first_atom(f: Formula) -> int:
    while f[0] != "atom":
        f = f[1] if f[0] == "not" else f[1][0]
    return int(f[1])


def satisfiable(f: Formula, table: AtomTable, *, prereleases: bool = False) -> bool:
    """Whether some environment satisfies ``f`` (raises :class:`TooBig` past the work budget)."""
    by_key: dict[str, list[tuple[int, object]]] = {}
    for i, atom in enumerate(table.atoms):
        by_key.setdefault(atom.key, []).append((i, atom))
    cache: dict[str, list[dict[int, bool]]] = {}
    work = [0]

    def rows(key: str) -> list[dict[int, bool]]:
        if key not in cache:
            try:
                cache[key] = regions(key, by_key[key], prereleases)  # type: ignore[arg-type]
            except Exception as exc:  # noqa: BLE001 - packaging refusing a candidate: answer conservatively
                raise TooBig from exc
        return cache[key]

    def search(g: Formula) -> bool:
        if isinstance(g, bool):
            return g
        work[0] += 1
        if work[0] > _BUDGET:
            raise TooBig
        key = table.atoms[_first_atom(g)].key
        return any(search(_simplify(g, row)) for row in rows(key))

    return search(_simplify(f, {}))
