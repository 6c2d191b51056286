"""When can two environment markers never hold together? A conservative answer.

``disjoint(a, b)`` is True only when it can be shown that no environment satisfies both markers: every pair of
clauses of their disjunctive normal forms contradicts on some variable — ``sys_platform == "win32"`` against
``sys_platform != "win32"`` (or another ``==`` value), or python version ranges that do not meet
(``python_version < "3.10"`` against ``python_full_version >= "3.10.2"``). Anything not understood (``in``,
``platform_release`` ordering, a DNF that grows past a limit) counts as "may overlap", so a conflict is never
hidden by a guess.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = ["disjoint", "evaluate"]

_VERSION_VARS = {"python_version", "python_full_version"}
_MAX_CLAUSES = 64
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!=", "===": "===", "~=": "~="}

Atom = tuple[str, str, str]  # (variable, op, value)
Clause = tuple[Atom, ...]


class _TooBig(Exception):
    pass


def _atom(item: tuple[Any, Any, Any]) -> Atom | None:
    from packaging._parser import Value, Variable  # packaging's marker AST (the parse tree of Marker)

    lhs, op, rhs = item
    op_text = str(op.value) if hasattr(op, "value") else str(op)
    if isinstance(lhs, Variable) and isinstance(rhs, Value):
        return (str(lhs.value), op_text, str(rhs.value))
    if isinstance(lhs, Value) and isinstance(rhs, Variable) and op_text in _FLIP:
        return (str(rhs.value), _FLIP[op_text], str(lhs.value))
    return None


def _dnf(tree: Any) -> list[list[Atom | None]]:
    """Disjunctive normal form of packaging's marker list: a list of clauses (each a list of atoms)."""
    if isinstance(tree, tuple):
        return [[_atom(tree)]]
    # a list: operands separated by "and"/"or"; "and" binds tighter
    groups: list[list[Any]] = [[]]
    for item in tree:
        if item == "or":
            groups.append([])
        elif item != "and":
            groups[-1].append(item)
    out: list[list[Atom | None]] = []
    for conj in groups:
        acc: list[list[Atom | None]] = [[]]
        for operand in conj:
            sub = _dnf(operand)
            acc = [a + b for a in acc for b in sub]
            if len(acc) > _MAX_CLAUSES:
                raise _TooBig
        out.extend(acc)
        if len(out) > _MAX_CLAUSES:
            raise _TooBig
    return out


@lru_cache(maxsize=4096)
def _clauses(marker: str) -> tuple[Clause, ...] | None:
    from packaging.markers import InvalidMarker, Marker

    try:
        tree = Marker(marker)._markers
        dnf = _dnf(tree)
    except (InvalidMarker, _TooBig, AttributeError, ImportError, TypeError, ValueError):
        return None
    # unknown atoms (None) constrain nothing: drop them from the clause
    return tuple(tuple(a for a in clause if a is not None) for clause in dnf)


def _python_range(op: str, value: str, var: str) -> Any:
    """The python_full_version set an atom admits (None: not understood)."""
    from ..ir.versions import pep440_range

    try:
        if var == "python_version":
            parts = value.split(".")
            if len(parts) != 2 or not all(p.isdigit() for p in parts):
                return None
            major, minor = int(parts[0]), int(parts[1])
            nxt = f"{major}.{minor + 1}"
            spec = {"==": f"=={value}.*", "!=": f"!={value}.*", "<": f"<{value}", ">=": f">={value}",
                    "<=": f"<{nxt}", ">": f">={nxt}", "~=": None, "===": None}.get(op)
            if spec is None:
                return None
            return pep440_range(spec)
        if op in ("in", "not in"):
            return None
        return pep440_range(f"{op}{value}")
    except ValueError:  # InvalidSpecifier/InvalidVersion: an invalid version in a marker is not understood
        return None


def _contradicts(atoms: list[Atom]) -> bool:
    from ..ir.versions import full_range

    py = full_range()
    eq: dict[str, set[str]] = {}
    ne: dict[str, set[str]] = {}
    for var, op, value in atoms:
        if var in _VERSION_VARS:
            rng = _python_range(op, value, var)
            if rng is not None:
                py = py.intersection(rng)
                if py.is_empty:
                    return True
            continue
        if op == "==":
            eq.setdefault(var, set()).add(value)
        elif op == "!=":
            ne.setdefault(var, set()).add(value)
    for var, values in eq.items():
        if len(values) > 1 or values & ne.get(var, set()):
            return True
    return False


def disjoint(a: str | None, b: str | None) -> bool:
    """True only when no environment satisfies both ``a`` and ``b`` (``None`` = always true)."""
    if not a or not b:
        return False
    ca, cb = _clauses(a), _clauses(b)
    if ca is None or cb is None:
        return False
    return all(_contradicts([*x, *y]) for x in ca for y in cb)


def evaluate(marker: str | None, environment: dict[str, str]) -> bool:
    """Whether ``marker`` holds in ``environment`` (``extra`` = ""); a marker naming an unknown variable holds."""
    if not marker:
        return True
    from packaging.markers import InvalidMarker, Marker, UndefinedEnvironmentName

    try:
        return bool(Marker(marker).evaluate({"extra": "", **environment}))
    except (InvalidMarker, UndefinedEnvironmentName):
        return True
