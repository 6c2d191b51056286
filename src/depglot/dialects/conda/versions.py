"""conda version specs: parse them into PEP 440 sets (exact where the orderings allow) and render sets back.

See :mod:`depglot.dialects.conda` for the mapping table and what conda orders differently.
"""

from __future__ import annotations

import re
from dataclasses import field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..._records import record
from ...ir.versions import RangeSource, VersionSpec, pep440_range
from ...report import Report, Severity
from ...span import Span
from .. import _intervals as fast
from .._common import located_error, set_text

if TYPE_CHECKING:
    from typing import Protocol

    from packaging.ranges import VersionRange

    class _HasRelease(Protocol):  # a packaging Version, or the fast path's plain release
        @property
        def release(self) -> tuple[int, ...]: ...

__all__ = ["DIALECT", "dialect_losses", "fewer_components", "parse_version", "to_pep440_version"]

DIALECT = "conda"


class _Invalid(Exception):
    def __init__(self, offset: int, reason: str, width: int = 1) -> None:
        super().__init__(reason)
        self.offset, self.reason, self.width = offset, reason, width


# ----------------------------------------------------------------------------------------------- version specs

_OPS = ("==", "!=", "<=", ">=", "~=", "<", ">", "=")
_VERSION_CHARS = re.compile(r"[A-Za-z0-9_.+!*-]+")


# Every letter of a PEP 440 version's public part belongs to one of these words (a leading "v" aside): a literal
# with another letter left (openssl's "1.1.1n") is no PEP 440 version, without asking packaging.
_PEP440_WORDS = re.compile(r"alpha|beta|preview|pre|post|rev|dev|rc|[abcr]")


@lru_cache(maxsize=65536)
def to_pep440_version(text: str) -> str | None:
    """A conda version literal as PEP 440 text (``1.0-1`` -> ``1.0.1``: ``-``/``_`` separate segments), or None."""
    candidate = text.replace("-", ".").replace("_", ".")
    if candidate.lower().startswith("v"):
        return None  # conda sorts v1.0 below 1.0; PEP 440 reads it as 1.0
    if fast.canonical().fullmatch(candidate):
        return candidate  # already PEP 440's own spelling (2022.4.26, 1.2rc1): packaging.version need not load
    public = candidate.partition("+")[0].lower()
    if public.isascii() and any(c.isalpha() for c in _PEP440_WORDS.sub("", public)):
        return None
    from packaging.version import InvalidVersion, Version

    try:
        return str(Version(candidate))
    except InvalidVersion:
        return None


_PLAIN_RELEASE = re.compile(r"[0-9]+(?:\.[0-9]+)*")


class _Release:
    """The parts of a plain release (``2022.4.26``) that :func:`_atom_at0` reads off a packaging Version."""

    __slots__ = ("base_version", "release")
    epoch = 0
    pre = post = dev = local = None

    def __init__(self, release: tuple[int, ...], text: str) -> None:
        self.release = release
        self.base_version = text


class _Atom:
    __slots__ = ("clauses", "inexpressible", "ordering")

    def __init__(
        self, clauses: list[str], *, inexpressible: bool = False, ordering: str | None = None
    ) -> None:
        self.clauses, self.inexpressible, self.ordering = clauses, inexpressible, ordering


def _atom(text: str, offset: int, *, fuzzy: bool) -> _Atom:
    """One conda atom (``>=1.2``, ``1.2.*``, ``=1.2``, ``1.2``) as PEP 440 clauses; errors located at ``offset``."""
    try:
        return _atom_at0(text, fuzzy)
    except _Invalid as exc:
        raise _Invalid(offset + exc.offset, exc.reason, exc.width) from None


@lru_cache(maxsize=65536)
def _atom_at0(text: str, fuzzy: bool) -> _Atom:
    offset = 0
    if text in ("*", "*.*"):
        return _Atom([])
    if text.startswith("^") or text.endswith("$"):
        raise _Invalid(offset, "regular-expression version specs are not supported", len(text))
    op = next((o for o in _OPS if text.startswith(o)), "")
    version = text[len(op) :].strip()
    if not version:
        raise _Invalid(offset, f"operator {op!r} has no version", max(1, len(text)))
    if not _VERSION_CHARS.fullmatch(version):
        bad = next((i for i, ch in enumerate(version) if not (ch.isalnum() or ch in "_.+!*-")), 0)
        reason = (
            "clauses need a ',' between them" if version[bad] in "<>=!~" else f"unexpected {version[bad]!r}"
        )
        raise _Invalid(offset + len(op) + (len(text[len(op) :]) - len(version)) + bad, reason)
    glob = version.endswith("*")
    if glob:
        version = version.rstrip("*").rstrip(".")
        if "*" in version or not version:
            raise _Invalid(offset, f"{text!r}: '*' is only allowed at the end", len(text))
    if op == "=":
        op, glob = "==", True  # =1.2 is the prefix 1.2.*
    elif op == "" and (fuzzy or glob):
        op, glob = "==", True
    elif op == "":
        op = "=="
    pep = to_pep440_version(version)
    if pep is None:
        if op == "==" and not glob and ";" not in version and "," not in version:
            return _Atom([f"==={version}"])  # openssl 1.1.1k: pip's arbitrary equality matches it literally
        return _Atom([], inexpressible=True)
    if glob:
        if op not in ("==", "!="):
            return _Atom([f"{op}{pep}"], ordering=f"'{text}' (a glob with an ordering operator)")
        if not re.fullmatch(r"(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*", pep):
            return _Atom([f"{op}{pep}"], ordering=f"'{text}' (a prefix match on a pre/post/dev version)")
        return _Atom([f"{op}{pep}.*"])
    if _PLAIN_RELEASE.fullmatch(pep):
        v: Any = _Release(tuple(map(int, pep.split("."))), pep)  # the common case: no packaging.version
    else:
        from packaging.version import Version

        v = Version(pep)
    if v.local is not None and op not in ("==", "!="):
        return _Atom([], inexpressible=True)  # PEP 440 cannot order by a local version ("+" bounds)
    final = v.pre is None and v.dev is None and v.local is None
    if op == "<":
        if v.pre == ("a", 0) and v.dev is None and v.post is None and v.local is None:
            base = v.base_version  # (with its epoch)
            # <2a0: no pre/dev release of 2, however spelled
            if fewer_components(v) == ".".join(map(str, v.release)):
                return _Atom([f"<{base}"])
            note = (
                f"'<{version}' (conda also admits pre-releases of {base} spelled with fewer components, e.g. "
            )
            return _Atom([f"<{base}"], ordering=note + f"{fewer_components(v)}.dev0)")
        if final:
            return _Atom([f"<={pep}", f"!={pep}"])
        return _Atom([f"<{pep}"], ordering=f"'<{version}' (conda orders pre/dev releases differently)")
    if op == ">":
        if final:
            return _Atom([f">={pep}", f"!={pep}"])
        return _Atom([f">{pep}"], ordering=f"'>{version}' (conda orders pre/dev releases differently)")
    if op in ("<=", ">=") and not final:
        return _Atom([f"{op}{pep}"], ordering=f"'{op}{version}' (conda orders pre/dev releases differently)")
    if op == "~=" and len(v.release) < 2:
        raise _Invalid(offset, "'~=' needs at least two release components", len(text))
    return _Atom([f"{op}{pep}"])


def fewer_components(v: _HasRelease) -> str:
    """V's release with trailing zeros dropped (``2.0`` -> ``2``): a spelling conda orders differently."""
    release = list(v.release)
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    return ".".join(map(str, release))


_TOKEN = re.compile(r"\s*(?:([(),|])|([<>=!~]+\s*[^\s(),|]*|[^\s(),|]+))")
_SPACES = re.compile(r"\s+")


def _tokens(text: str) -> list[tuple[str, int]]:
    """Split a version spec into atoms and the punctuation ``( ) , |`` (spaces after operators dropped)."""
    out: list[tuple[str, int]] = []
    for m in _TOKEN.finditer(text):  # every character but trailing spaces is in some token
        punct, atom = m.group(1, 2)
        if punct is not None:
            out.append((punct, m.start(1)))
        else:  # ">= 1.2": spaces inside the operator
            out.append((_SPACES.sub("", atom) if " " in atom or not atom.isprintable() else atom, m.start(2)))
    return out


class _Parser:
    """Recursive descent over OR (``|``) of AND (``,``) of atoms / parenthesised groups, into a tree.

    Nodes: ``("atom", clauses)``, ``("&", children)``, ``("|", children)``.
    """

    def __init__(self, text: str, *, first_fuzzy: bool) -> None:
        self.text = text
        self.toks = _tokens(text)
        self.pos = 0
        self.first_fuzzy = first_fuzzy
        self.atoms = 0
        self.inexpressible = False
        self.ordering: list[str] = []
        self.clauses: list[str] = []
        self.has_or = False

    def peek(self) -> str | None:
        return self.toks[self.pos][0] if self.pos < len(self.toks) else None

    def where(self) -> int:
        return self.toks[self.pos][1] if self.pos < len(self.toks) else len(self.text)

    def parse(self) -> tuple:
        if not self.toks:
            raise _Invalid(0, "empty version spec")
        result = self.union()
        if self.pos != len(self.toks):
            raise _Invalid(self.where(), f"unexpected {self.peek()!r}")
        return result

    def union(self) -> tuple:
        children = [self.conj()]
        while self.peek() == "|":
            self.has_or = True
            self.pos += 1
            children.append(self.conj())
        return children[0] if len(children) == 1 else ("|", tuple(children))

    def conj(self) -> tuple:
        children = [self.term()]
        while self.peek() == ",":
            self.pos += 1
            children.append(self.term())
        return children[0] if len(children) == 1 else ("&", tuple(children))

    def term(self) -> tuple:
        tok = self.peek()
        if tok is None or tok in "),|":
            raise _Invalid(self.where(), "missing version" if tok is None else f"unexpected {tok!r}")
        if tok == "(":
            self.pos += 1
            inner = self.union()
            if self.peek() != ")":
                raise _Invalid(self.where(), "missing ')'")
            self.pos += 1
            return inner
        offset = self.where()
        self.pos += 1
        atom = _atom(tok, offset, fuzzy=self.first_fuzzy and self.atoms == 0)
        self.atoms += 1
        if atom.inexpressible:
            self.inexpressible = True
        if atom.ordering:
            self.ordering.append(atom.ordering)
        self.clauses.extend(atom.clauses)
        return ("atom", ",".join(atom.clauses))


_FLAT_ATOM = re.compile(r"\s*((?:[<>=!~]+\s*)?[^\s(),|]+)\s*")


class _Flat:
    """What :class:`_Parser` finds in a spec without parentheses, read with splits (no tokens, no recursion)."""

    __slots__ = ("clauses", "has_or", "inexpressible", "ordering", "tree")

    def __init__(self) -> None:
        self.clauses: list[str] = []
        self.ordering: list[str] = []
        self.inexpressible = False
        self.has_or = False
        self.tree: tuple = ()


def _flat(text: str) -> _Flat | None:
    """The parse of a flat ``a,b|c`` spec, or ``None``: parentheses, or anything wrong (the parser says what)."""
    if "(" in text or ")" in text:
        return None
    out = _Flat()
    alternatives = []
    for alternative in text.split("|"):
        atoms = []
        for piece in alternative.split(","):
            m = _FLAT_ATOM.fullmatch(piece)
            if m is None:
                return None
            token = m.group(1)
            try:
                atom = _atom_at0(
                    token if " " not in token and token.isprintable() else _SPACES.sub("", token), False
                )
            except _Invalid:
                return None
            out.inexpressible = out.inexpressible or atom.inexpressible
            if atom.ordering:
                out.ordering.append(atom.ordering)
            out.clauses.extend(atom.clauses)
            atoms.append(("atom", ",".join(atom.clauses)))
        alternatives.append(atoms[0] if len(atoms) == 1 else ("&", tuple(atoms)))
    out.has_or = len(alternatives) > 1
    out.tree = alternatives[0] if len(alternatives) == 1 else ("|", tuple(alternatives))
    return out


def _tree_range(node: tuple) -> VersionRange:
    """The set of a parsed spec: atoms as PEP 440 sets, ``&``/``|`` folded left to right."""
    kind, body = node
    if kind == "atom":
        return pep440_range(body)
    ranges = [_tree_range(child) for child in body]
    result = ranges[0]
    for other in ranges[1:]:
        result = (result & other) if kind == "&" else (result | other)
    return result


def _tree_spans(node: tuple) -> fast.Spans:  # (or NotSimple)
    kind, body = node
    if kind == "atom":
        return fast.from_pep440(body)
    parts = [_tree_spans(child) for child in body]
    return fast.intersect(parts) if kind == "&" else fast.union(parts)


@record(kw_only=False)
class _Spec(RangeSource):
    """A parsed conda spec; its set is built on first use (``spans``: the fast path's, for unions).

    Equal (and hashed) by ``text`` alone.
    """

    text: str
    spans: tuple | None = field(default=None, compare=False, repr=False)

    def to_range(self) -> VersionRange:
        if _analyse(self.text)[1]:
            return pep440_range(">=0.dev0")
        return _tree_range(_Parser(self.text, first_fuzzy=False).parse())

    def admits_all(self) -> bool | None:
        return None if self.spans is None else self.spans == ((None, None),)


def parse_version(text: str, *, span: Span | None = None) -> VersionSpec:
    """A conda version spec (``>=1.2,<2|>=3``; a bare ``1.2`` is exact, ``=1.2`` fuzzy) as dialect ``conda``."""
    try:
        return _parse_version(text)
    except _Invalid as exc:
        raise located_error(
            "version spec", text, exc.offset, exc.reason, dialect=DIALECT, span=span, width=exc.width
        ) from None


@lru_cache(maxsize=65536)
def _analyse(text: str) -> tuple[VersionSpec, bool, tuple[str, ...]]:
    flat = _flat(text)
    parser: _Flat | _Parser
    if flat is None:
        parser = _Parser(text, first_fuzzy=False)
        tree = parser.parse()
    else:
        parser, tree = flat, flat.tree
    if parser.inexpressible:
        # every version, but not ``is_any``: the spec does constrain, only PEP 440 cannot say how
        spec = VersionSpec(raw=text, dialect=DIALECT, versions=_Spec(text), pep440=None)
    elif parser.has_or:
        try:
            spans = _tree_spans(tree)
            pep = fast.set_text(spans)
        except fast.NotSimple:
            versions = _tree_range(tree)
            spec = VersionSpec(raw=text, dialect=DIALECT, versions=versions, pep440=set_text(versions))
        else:
            spec = VersionSpec(raw=text, dialect=DIALECT, versions=_Spec(text, spans), pep440=pep)
    else:  # the clauses as they map; the set is built when first asked for
        spec = VersionSpec(raw=text, dialect=DIALECT, versions=_Spec(text), pep440=",".join(parser.clauses))
    return spec, parser.inexpressible, tuple(parser.ordering)


def _parse_version(text: str) -> VersionSpec:
    return _analyse(text)[0]


def dialect_losses(
    spec: VersionSpec,
    *,
    target: str,
    report: Report | None,
    subject: str | None = None,
    span: Span | None = None,
) -> bool:
    """Report what a conda version spec loses when written in ``target``; True when it has no PEP 440 meaning."""
    if spec.dialect != DIALECT:
        return False
    try:
        _, inexpressible, ordering = _analyse(spec.raw)
    except _Invalid:
        return False
    if report is None:
        return inexpressible
    if inexpressible:
        report.add(
            "version-inexpressible",
            Severity.ERROR,
            f"conda version spec {spec.raw!r} uses a version that is not PEP 440; {target} cannot say it "
            "(written as any version)",
            subject=subject,
            span=span,
            data={"from": spec.raw, "dialect": DIALECT, "target": target},
        )
    for note in ordering:
        report.add(
            "conda-ordering-differs",
            Severity.INFO,
            f"conda and PEP 440 order pre/dev releases differently: {note} may admit other pre-releases in {target}",
            subject=subject,
            span=span,
            data={"from": spec.raw, "target": target},
        )
    return inexpressible
