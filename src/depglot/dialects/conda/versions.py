"""conda version specs: parse them into PEP 440 sets (exact where the orderings allow) and render sets back.

See :mod:`depglot.dialects.conda` for the mapping table and what conda orders differently.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ...ir.versions import VersionSpec, pep440_range
from ...report import Report, Severity
from ...span import Span
from .._common import cached_render, interval_text, is_full, located_error, mergeable, set_text

__all__ = ["DIALECT", "dialect_losses", "parse_version", "render_version", "to_pep440_version"]

DIALECT = "conda"


class _Invalid(Exception):
    def __init__(self, offset: int, reason: str, width: int = 1) -> None:
        super().__init__(reason)
        self.offset, self.reason, self.width = offset, reason, width


# ----------------------------------------------------------------------------------------------- version specs

_OPS = ("==", "!=", "<=", ">=", "~=", "<", ">", "=")
_VERSION_CHARS = re.compile(r"[A-Za-z0-9_.+!*-]+")


def to_pep440_version(text: str) -> str | None:
    """A conda version literal as PEP 440 text (``1.0-1`` -> ``1.0.1``: ``-``/``_`` separate segments), or None."""
    from packaging.version import InvalidVersion, Version

    candidate = text.replace("-", ".").replace("_", ".")
    if candidate.lower().startswith("v"):
        return None  # conda sorts v1.0 below 1.0; PEP 440 reads it as 1.0
    try:
        return str(Version(candidate))
    except InvalidVersion:
        return None


class _Atom:
    __slots__ = ("clauses", "inexpressible", "ordering")

    def __init__(
        self, clauses: list[str], *, inexpressible: bool = False, ordering: str | None = None
    ) -> None:
        self.clauses, self.inexpressible, self.ordering = clauses, inexpressible, ordering


def _atom(text: str, offset: int, *, fuzzy: bool) -> _Atom:
    """One conda atom (``>=1.2``, ``1.2.*``, ``=1.2``, ``1.2``) as PEP 440 clauses."""
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
    from packaging.version import Version

    v = Version(pep)
    if v.local is not None and op not in ("==", "!="):
        return _Atom([], inexpressible=True)  # PEP 440 cannot order by a local version ("+" bounds)
    final = v.pre is None and v.dev is None and v.local is None
    if op == "<":
        if v.pre == ("a", 0) and v.dev is None and v.post is None and v.local is None:
            base = v.base_version  # (with its epoch)
            if _fewer(v) == ".".join(map(str, v.release)):  # <2a0: no pre/dev release of 2, however spelled
                return _Atom([f"<{base}"])
            note = (
                f"'<{version}' (conda also admits pre-releases of {base} spelled with fewer components, e.g. "
            )
            return _Atom([f"<{base}"], ordering=note + f"{_fewer(v)}.dev0)")
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


def _fewer(v) -> str:
    """V's release with trailing zeros dropped (``2.0`` -> ``2``): a spelling conda orders differently."""
    release = list(v.release)
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    return ".".join(map(str, release))


def _tokens(text: str) -> list[tuple[str, int]]:
    """Split a version spec into atoms and the punctuation ``( ) , |`` (spaces after operators/commas dropped)."""
    out: list[tuple[str, int]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch in "(),|":
            out.append((ch, i))
            i += 1
        else:
            start = i
            while i < n and text[i] in "<>=!~":
                i += 1
            while i < n and text[i].isspace() and i > start:  # ">= 1.2": spaces inside the operator
                i += 1
            while i < n and not text[i].isspace() and text[i] not in "(),|":
                i += 1
            out.append((re.sub(r"\s+", "", text[start:i]), start))
    return out


class _Parser:
    """Recursive descent over OR (``|``) of AND (``,``) of atoms / parenthesised groups."""

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

    def parse(self):  # -> VersionRange
        if not self.toks:
            raise _Invalid(0, "empty version spec")
        result = self.union()
        if self.pos != len(self.toks):
            raise _Invalid(self.where(), f"unexpected {self.peek()!r}")
        return result

    def union(self):
        result = self.conj()
        while self.peek() == "|":
            self.has_or = True
            self.pos += 1
            result = result | self.conj()
        return result

    def conj(self):
        result = self.term()
        while self.peek() == ",":
            self.pos += 1
            result = result & self.term()
        return result

    def term(self):
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
        return pep440_range(",".join(atom.clauses))


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
    parser = _Parser(text, first_fuzzy=False)
    versions = parser.parse()
    if parser.inexpressible:
        # every version, but not ``is_any``: the spec does constrain, only PEP 440 cannot say how
        spec = VersionSpec(raw=text, dialect=DIALECT, versions=pep440_range(">=0.dev0"), pep440=None)
    else:
        if parser.has_or:
            pep = set_text(versions)
        else:  # the clauses as they map
            pep = ",".join(parser.clauses)
        spec = VersionSpec(raw=text, dialect=DIALECT, versions=versions, pep440=pep)
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


# ------------------------------------------------------------------------------------------------------ render

_NOTE_PRE = "conda orders pre/dev releases differently"


def _conda_clause(clause: str) -> tuple[str, str | None, Severity]:
    """One PEP 440 clause as conda text, with a note when conda would admit other versions."""
    from packaging.specifiers import Specifier
    from packaging.version import Version

    s = Specifier(clause)
    op, version = s.operator, s.version
    if version.endswith(".*"):
        return (version if op == "==" else f"!={version}"), None, Severity.INFO
    v = Version(version)
    final = v.pre is None and v.dev is None and v.local is None
    if op == "<" and final and v.post is None:
        # "below V, none of V's pre-releases": conda orders 2.dev0 below 2.0a0 but not below 2a0, so the bound
        # drops trailing zeros (<2a0, not the common <2.0a0 / <2.0.0a0, which admit 2.dev0 and 2rc1)
        epoch = f"{v.epoch}!" if v.epoch else ""
        return f"<{epoch}{_fewer(v)}a0", None, Severity.INFO
    if op == ">" and final:
        return (
            f">{version}",
            f"'>{version}' admits {version}.post releases in conda (PEP 440 excludes them)",
            (Severity.WARNING),
        )
    if op in ("<", ">", "<=", ">=") and not final:
        return f"{op}{version}", f"'{op}{version}' ({_NOTE_PRE})", Severity.INFO
    if v.local is not None:
        return (
            f"{op}{version}",
            f"'{op}{version}' (conda sorts local versions below the release)",
            Severity.INFO,
        )
    return f"{op}{version}", None, Severity.INFO


@lru_cache(maxsize=65536)
def _render_text(pep: str) -> tuple[str, tuple[tuple[str, Severity], ...]]:
    from packaging.specifiers import SpecifierSet

    from ...ir.versions import _clause_order

    parts, notes = [], []
    for clause in sorted((str(c) for c in SpecifierSet(pep)), key=_clause_order):
        text, note, severity = _conda_clause(clause)
        parts.append(text)
        if note:
            notes.append((note, severity))
    return ",".join(parts) or "*", tuple(notes)


def _union_runs(versions) -> list[str] | None:  # versions: VersionRange
    """PEP 440 texts of the largest expressible runs of a union's intervals (packaging 26.4 ``_bounds``)."""
    cls = type(versions)
    runs: list[tuple] = []
    run: tuple = ()
    for interval in versions._bounds:
        trial = (*run, interval)
        if run and (not mergeable(run[-1], interval) or interval_text(cls._build(trial)) is None):
            runs.append(run)
            run = (interval,)
        else:
            run = trial
    if run:
        runs.append(run)
    texts = [interval_text(cls._build(r)) for r in runs]
    return None if any(t is None for t in texts) else texts  # type: ignore[return-value]


@cached_render
def render_version(
    spec: VersionSpec | None,
    *,
    report: Report | None = None,
    subject: str | None = None,
    span: Span | None = None,
) -> str:
    """The exact conda spelling of ``spec``'s set (``*`` for any; ``|`` for unions; ``==1.2.*`` -> ``1.2.*``).

    A conda spec comes back as written. PEP 440 ``<V`` becomes conda's ``<Va0`` idiom; where conda would still
    admit other versions (``>V`` and V's post releases, bounds on pre-releases) a ``conda-ordering-differs`` loss
    says so; ``===`` has no conda form (``version-inexpressible``).
    """
    if spec is not None and spec.dialect == DIALECT:
        return spec.raw
    if spec is None or spec.is_any or is_full(spec.versions):
        return "*"
    from .. import pep440

    pep = pep440.to_pep440(spec)
    if pep is not None and "===" in pep:
        if report is not None:
            report.add(
                "version-inexpressible",
                Severity.ERROR,
                f"conda cannot express {spec.dialect} constraint {spec.raw!r} ('===' arbitrary equality); "
                "written as any version",
                subject=subject,
                span=span,
                data={"from": spec.raw, "dialect": spec.dialect, "target": DIALECT},
            )
        return "*"
    texts = [pep] if pep is not None else _union_runs(spec.versions)
    if texts is None:  # pragma: no cover - every interval of a PEP 440-built range has a PEP 440 text
        raise ValueError(f"cannot express {spec.raw!r} in conda")
    rendered = [_render_text(t) for t in texts]
    out = "|".join(r[0] for r in rendered)
    if report is not None:
        for _, notes in rendered:
            for note, severity in notes:
                report.add(
                    "conda-ordering-differs",
                    severity,
                    f"conda and PEP 440 order versions differently: {note}",
                    subject=subject,
                    span=span,
                    data={"from": spec.raw, "to": out},
                )
        if out != spec.raw.strip():
            report.add(
                "version-respelled",
                Severity.INFO,
                f"{spec.dialect} constraint {spec.raw!r} written as conda {out!r}",
                subject=subject,
                span=span,
                data={"from": spec.raw, "to": out, "dialect": spec.dialect},
            )
    return out
