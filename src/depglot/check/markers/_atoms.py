"""Marker atoms, what each one tests, and a finite set of values per variable that tells every atom apart.

A marker is a boolean formula over atoms (``python_version >= "3.8"``). Each atom reads one *variable*; atoms on
one variable are not independent (``sys_platform == "win32"`` and ``sys_platform == "linux"`` never hold
together), so each variable gets a finite list of *candidate values* such that every combination of truth values
its atoms can take in a real environment is taken by some candidate. Deciding a marker question then means
trying, variable by variable, the distinct truth-value rows of its candidates (see :mod:`._solve`).

Variables and what is interpreted exactly (everything is evaluated by packaging itself on the candidate values):

* python: ``python_version`` and ``python_full_version`` are one variable, the interpreter's full version
  ``X.Y.Z`` (``python_version`` is its ``X.Y``). Candidates are the smallest interpreter versions at or just
  above every boundary the atoms' constants can create (``3.8`` gives ``3.8.0``, ``3.9.0``, ``4.0.0``, ...).
  Interpreters are final releases unless ``prereleases`` (then ``3.8.0a0`` ... ``3.8.0rc9`` count too).
  ``implementation_version`` is handled the same way as its own variable.
* strings (``sys_platform``, ``os_name``, ``platform_machine``, ``platform_system``, ``platform_version``,
  ``platform_python_implementation``, ``implementation_name``, ``extra``): ``==``, ``!=`` and ``VAR in "..."``
  (substring of the literal); candidates are the constants, every substring of an ``in`` literal and one value
  equal to none of them. ``extra`` is one value at a time, as pip evaluates requirement markers.
* ``"x" in extras`` / ``"x" in dependency_groups`` (PEP 751): one yes/no variable per name.
* Anything else (ordering on strings, whose meaning changed between packaging releases, ``"x" in VAR``,
  ``platform_release``, ``===``): an *opaque* atom, a yes/no variable of its own; two opaque atoms are the same
  variable only when their text is. Opaque atoms make answers conservative, never wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Atom", "AtomTable", "Formula", "regions"]

PYTHON = frozenset({"python_version", "python_full_version"})
STRINGS = frozenset({"sys_platform", "os_name", "platform_machine", "platform_system", "platform_version",
                     "platform_python_implementation", "implementation_name", "extra"})
SETS = frozenset({"extras", "dependency_groups"})
VERSION_OPS = frozenset({"<", "<=", ">", ">=", "==", "!=", "~="})
_FLIPPABLE = frozenset({"<", "<=", ">", ">=", "==", "!="})
_MAX_IN_LITERAL = 64  # longer "VAR in '...'" literals are opaque (their substrings would be candidates)
_FRESH = "\x00depglot-none-of-these"

# a formula: True/False, ("atom", index), ("not", f), ("and", (f, ...)), ("or", (f, ...))
Formula = Any


@dataclass(frozen=True, slots=True)
class Atom:
    key: str  # the variable: "python", "implementation_version", a string variable, "extras:x", "opaque:<text>"
    var: str | None  # the marker variable name (None for yes/no variables)
    op: str
    literal: str
    var_left: bool  # VAR op "lit" (True) or "lit" op VAR (False)

    def text(self) -> str:
        lit = '"' + self.literal + '"' if '"' not in self.literal else "'" + self.literal + "'"
        return f"{self.var} {self.op} {lit}" if self.var_left else f"{lit} {self.op} {self.var}"


@dataclass(slots=True)
class AtomTable:
    """Atoms shared by the markers of one question (so the same atom is the same index in every formula)."""

    atoms: list[Atom] = field(default_factory=list)
    index: dict[Atom, int] = field(default_factory=dict)

    def add(self, atom: Atom) -> int:
        found = self.index.get(atom)
        if found is None:
            found = self.index[atom] = len(self.atoms)
            self.atoms.append(atom)
        return found

    def formula(self, tree: Any) -> Formula:
        """packaging's parsed marker list as a formula ("and" binds tighter than "or")."""
        if isinstance(tree, tuple):
            return ("atom", self.add(classify(tree)))
        disjuncts: list[list[Formula]] = [[]]
        for item in tree:
            if item == "or":
                disjuncts.append([])
            elif item != "and":
                disjuncts[-1].append(self.formula(item))
        conj = [c[0] if len(c) == 1 else ("and", tuple(c)) for c in disjuncts]
        return conj[0] if len(conj) == 1 else ("or", tuple(conj))


def _parses(text: str, *, as_specifier: bool) -> bool:
    """Whether packaging reads ``text`` as a specifier (``>=3.8``) or else as a version."""
    from packaging.specifiers import InvalidSpecifier, Specifier
    from packaging.version import InvalidVersion, Version

    try:
        Specifier(text) if as_specifier else Version(text)
    except (InvalidSpecifier, InvalidVersion):
        return False
    return True


def classify(item: tuple[Any, Any, Any]) -> Atom:
    """Which variable an atom of packaging's parse tree reads, and whether it is interpreted (else opaque)."""
    from packaging._parser import Variable  # packaging's marker AST (the parse tree of Marker)

    lhs, op_node, rhs = item
    op = op_node.serialize() if hasattr(op_node, "serialize") else str(op_node.value)
    var_left = isinstance(lhs, Variable)
    var = str(lhs.value if var_left else rhs.value)
    literal = str(rhs.value if var_left else lhs.value)
    versioned = var in PYTHON or var == "implementation_version"
    key: str | None = None
    if versioned:
        interpreted = (
            (var_left and op in VERSION_OPS and _parses(f"{op}{literal}", as_specifier=True))
            or (not var_left and op in _FLIPPABLE and _parses(literal, as_specifier=False))
            or (var_left and op in ("in", "not in") and len(literal) <= _MAX_IN_LITERAL)
        )
        if interpreted:
            key = "python" if var in PYTHON else var
    elif var in STRINGS:
        if op in ("==", "!=") or (var_left and op in ("in", "not in") and len(literal) <= _MAX_IN_LITERAL):
            key = var
    elif var in SETS and not var_left and op in ("in", "not in"):
        key = f"{var}:{literal}"
    atom = Atom(key="", var=var, op=op, literal=literal, var_left=var_left)
    return Atom(key=key or f"opaque:{atom.text()}", var=var, op=op, literal=literal, var_left=var_left)


# ------------------------------------------------------------------------------------ candidate values


def _substrings(text: str) -> set[str]:
    return {text[i:j] for i in range(len(text) + 1) for j in range(i, len(text) + 1)}


def _version_points(literal: str) -> list[Any]:
    """Versions at which an atom with this constant can change its truth value (a superset is harmless)."""
    from packaging.version import InvalidVersion, Version

    try:
        v = Version(literal.removesuffix(".*"))
    except InvalidVersion:
        return []
    rel = v.release
    points = [v]
    major, minor = rel[0], (rel[1] if len(rel) > 1 else 0)
    blocks = [(major, 0), (major, minor), (major, minor + 1), (major + 1, 0)]  # python_version = X.Y blocks
    prefixes = [rel[:k] for k in range(1, len(rel) + 1)]
    nexts = [(*p[:-1], p[-1] + 1) for p in prefixes]
    for r in (*blocks, *prefixes, *nexts, rel):
        text = ".".join(str(n) for n in r)
        points.append(Version(text))
        points.append(Version(text + ".dev0"))
    return points


_LETTERS = ("a", "b", "rc")


def _render(release: tuple[int, int, int], pre: tuple[str, int] | None) -> str:
    text = ".".join(str(n) for n in release)
    return text if pre is None else f"{text}{pre[0]}{pre[1]}"


def _successor(b: Any, inclusive: bool, prereleases: bool) -> str | None:
    """The smallest interpreter version (``X.Y.Z``, or ``X.Y.Z{a,b,rc}N`` with prereleases) >= / > ``b``."""
    from packaging.version import Version

    if b.epoch != 0:
        return None
    r = (*b.release, 0, 0)[:3]
    t = (r[0], r[1], r[2])
    up = (r[0], r[1], r[2] + 1)
    options: list[tuple[tuple[int, int, int], tuple[str, int] | None]] = [(t, None), (up, None)]
    if prereleases:
        options += [(t, ("a", 0)), (up, ("a", 0))]
        if b.pre is not None:
            letter, n = b.pre
            options += [(t, (letter, n)), (t, (letter, n + 1))]
            i = _LETTERS.index(letter) if letter in _LETTERS else len(_LETTERS) - 1
            options += [(t, (nxt, 0)) for nxt in _LETTERS[i + 1:]]
    best: tuple[Any, str] | None = None
    for release, pre in options:
        text = _render(release, pre)
        d = Version(text)
        if (d >= b if inclusive else d > b) and (best is None or d < best[0]):
            best = (d, text)
    return best[1] if best is not None else None


def _python_candidates(atoms: Iterable[Atom], prereleases: bool) -> list[str]:
    points: list[Any] = []
    for atom in atoms:
        literals = _substrings(atom.literal) if atom.op in ("in", "not in") else {atom.literal}
        for lit in literals:
            points.extend(_version_points(lit))
    out = {"0.0.0a0" if prereleases else "0.0.0"}
    for p in points:
        for inclusive in (True, False):
            s = _successor(p, inclusive, prereleases)
            if s is not None:
                out.add(s)
    return sorted(out)


def _string_candidates(atoms: Iterable[Atom]) -> list[str]:
    out: set[str] = set()
    for atom in atoms:
        out |= _substrings(atom.literal) if atom.op in ("in", "not in") else {atom.literal}
    fresh = _FRESH
    while any(fresh in a.literal for a in atoms):
        fresh += "\x00"
    out.add(fresh)
    return sorted(out)


def _env(atom: Atom, value: str) -> dict[str, str]:
    if atom.var in PYTHON:
        major_minor = ".".join(value.split(".")[:2])
        return {"python_full_version": value, "python_version": major_minor}
    return {str(atom.var): value}


def _test(atom: Atom) -> Callable[[str], bool]:
    """The atom's truth on a candidate value, as packaging evaluates it."""
    from packaging.markers import Marker

    marker = Marker(atom.text())

    def test(value: str) -> bool:
        return bool(marker.evaluate(_env(atom, value), context="requirement"))

    return test


def regions(key: str, atoms: list[tuple[int, Atom]], prereleases: bool) -> list[dict[int, bool]]:
    """Every distinct combination of truth values the atoms on variable ``key`` take (index -> truth)."""
    if not atoms:
        return [{}]
    first = atoms[0][1]
    if key.startswith(("opaque:", "extras:", "dependency_groups:")):
        rows = []
        for value in (True, False):
            rows.append({i: (value if a.op in ("in", "==") or a.key.startswith("opaque:") else not value)
                         for i, a in atoms})
        return rows
    values = (_python_candidates([a for _, a in atoms], prereleases) if first.var not in STRINGS
              else _string_candidates([a for _, a in atoms]))
    tests = [(i, _test(a)) for i, a in atoms]
    seen: dict[tuple[bool, ...], dict[int, bool]] = {}
    for candidate in values:
        row = tuple(t(candidate) for _, t in tests)
        seen.setdefault(row, {i: truth for (i, _), truth in zip(tests, row, strict=True)})
    return list(seen.values())
