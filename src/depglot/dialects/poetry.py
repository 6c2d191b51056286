"""Poetry version constraints: parse them exactly (as poetry-core means them) and render any set the Poetry way.

Grammar (poetry-core 2.5 ``constraints/version/parser.py``): ``||`` or ``|`` separate alternatives (OR); inside one,
a comma or a space separates clauses (AND; a space may follow an operator: ``>= 1.2, < 2.0``); a trailing comma is
tolerated. Clauses:

========================  ===================================================================================
``*`` ``x`` ``X`` ``*.*``  any version (``v*`` too); ``1.2.x`` is an error (``x`` only as the whole clause)
``^V``                     ``>=V,<B`` where B bumps the left-most non-zero of major/minor/patch of V's release,
                           keeping V's number of components (``^1.2.3.4`` -> ``<2.0.0.0``, ``^0.0`` -> ``<0.1``,
                           ``^0`` -> ``<1``); pre/post releases keep their lower bound (``^1.0.0a1``)
``~V``                     ``>=V,<B`` bumping the minor (the major when V has one component):
                           ``~1.2.3.4`` -> ``<1.3.0.0`` (not ``~=``)
``~=V``                    PEP 440 compatible release; Poetry also takes ``~=1`` (``>=1,<2``)
``V.*`` ``==V.*`` ``!=V.*`` wildcards (``1.2.*`` is ``[1.2.dev0, 1.3.dev0)``, as PEP 440 ``==1.2.*``)
``V`` ``=V`` ``==V``       exact pin (``==V``); a leading ``v`` is dropped everywhere
``<`` ``<=`` ``>`` ``>=``  as PEP 440 (``<V`` excludes V's pre-releases, ``>V`` its post releases)
``!=V``                    as PEP 440
========================  ===================================================================================

``>=1.2.*`` is accepted the way Poetry accepts it (``>=1.2``). ``<>`` (which poetry-core silently reads as ``==``)
and the empty string are errors. poetry-core has a bug with ``!=V`` inside a conjunction (``>=1.0,!=1.5`` rejects
``1.5.post1``); depglot gives such constraints their PEP 440 meaning, which is what the user wrote.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ..ir.versions import VersionSpec, full_range, pep440_range, range_to_pep440
from ..report import Report, Severity
from ..span import Span
from ._common import cached_render, interval_text, is_full, located_error, mergeable, same_set, set_text

__all__ = ["nicest", "parse", "python_constraint", "render", "to_pep440_clauses"]

DIALECT = "poetry"

_VERSION = (
    r"v?\s*(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?"
    r"(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?(?:[-_.]?dev[-_.]?[0-9]*)?(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?"
)
_ANY = re.compile(r"^v?[xX*](?:\.[xX*])*$")
_CLAUSE = re.compile(
    rf"^(?P<op>\^|~=|~|===|==|=|!=|<>|<=|>=|<|>)?\s*(?P<version>{_VERSION}|dev)(?P<wildcard>(?:\.\*)+)?$",
    re.IGNORECASE,
)
# poetry-core's AND separator: a comma or space not right after an operator (so ">= 1.2" is one clause)
_AND_SPLIT = re.compile(r"(?<!^)(?<![\^~=>< ,]) *(?<!-)[, ](?!-) *(?!,|$)")
_OR_SPLIT = re.compile(r"\s*\|\|?\s*")


class _Invalid(Exception):
    def __init__(self, offset: int, reason: str, width: int = 1) -> None:
        super().__init__(reason)
        self.offset = offset
        self.reason = reason
        self.width = width


def parse(text: str, *, span: Span | None = None) -> VersionSpec:
    """A Poetry constraint as a VersionSpec (dialect ``poetry``; ``raw`` is ``text`` unchanged).

    Bad input raises :class:`~depglot.errors.ParseError` naming the constraint, the position and dialect ``poetry``.
    """
    try:
        return _parse(text)
    except _Invalid as exc:
        raise located_error(
            "version constraint", text, exc.offset, exc.reason, dialect=DIALECT, span=span, width=exc.width
        ) from None


def python_constraint(text: str, *, span: Span | None = None) -> VersionSpec:
    """Poetry's ``python = "..."`` (project or per dependency) as the set of python versions it admits.

    Like :func:`parse`, except that a bare pin with one or two components means that whole series, the way Poetry
    turns it into a marker (``python = "3.8"`` -> ``python_version == "3.8"``, i.e. ``==3.8.*``).
    """
    spec = parse(text, span=span)
    m = _CLAUSE.match(text.strip())
    if m is not None and (m.group("op") or "=") in ("=", "==") and not m.group("wildcard"):
        version = _version(m.group("version"))
        if version.count(".") <= 1 and re.fullmatch(r"[0-9.]+", version):
            series = f"=={version}.*"
            return replace(spec, versions=pep440_range(series), pep440=series)
    return spec


@lru_cache(maxsize=65536)
def _parse(text: str) -> VersionSpec:
    stripped = text.strip()
    lead = len(text) - len(text.lstrip())
    if not stripped:
        raise _Invalid(0, "empty constraint (use '*' for any version)")
    if stripped == "*":
        return VersionSpec(raw=text, dialect=DIALECT, versions=full_range(), pep440="")
    groups: list[list[str]] = []
    for piece, start in _split(stripped, _OR_SPLIT):
        piece_stripped = piece.rstrip(",").rstrip()
        if not piece_stripped:
            raise _Invalid(lead + start, "empty alternative around '||'")
        empty = re.search(r",\s*,", piece_stripped)
        if empty is not None:
            raise _Invalid(lead + start + empty.end() - 1, "empty clause between commas")
        clauses: list[str] = []
        for clause, cstart in _split(piece_stripped, _AND_SPLIT):
            clauses.extend(_clause(clause, lead + start + cstart))
        groups.append(clauses)
    if len(groups) == 1:
        pep = ",".join(groups[0])
        versions = _group_range(groups[0])
        if pep.count(",") > 1:  # ^1.2,<1.5 -> >=1.2,<1.5 (packaging's canonical text is costly: only here)
            canonical = range_to_pep440(versions)
            if canonical is not None and canonical.count(",") < pep.count(","):
                pep = canonical
        return VersionSpec(raw=text, dialect=DIALECT, versions=versions, pep440=pep)
    versions = _group_range(groups[0])
    for clauses in groups[1:]:
        versions = versions | _group_range(clauses)
    return VersionSpec(raw=text, dialect=DIALECT, versions=versions, pep440=set_text(versions))


_PLAIN = re.compile(r"(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*")
_FINAL = re.compile(r"(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:\.post[0-9]+)?")


def _group_range(clauses: list[str]):  # -> VersionRange
    """The set of one AND group of PEP 440 clauses.

    ``>=L,<U`` with L a final release and U a plain one (every ``^``/``~`` of a final version) is built straight
    from its bounds, ``[L, U.dev0)``, which is what packaging's specifier parsing yields, at a third of the cost;
    anything else goes through packaging.
    """
    if (
        len(clauses) == 2
        and clauses[0].startswith(">=")
        and clauses[1].startswith("<")
        and not clauses[1].startswith("<=")
        and _FINAL.fullmatch(clauses[0][2:])
        and _PLAIN.fullmatch(clauses[1][1:])
    ):
        return _bounds_range(clauses[0][2:], clauses[1][1:])
    return pep440_range(",".join(clauses))


@lru_cache(maxsize=65536)
def _bounds_range(lower: str, upper: str):  # -> VersionRange
    from packaging.ranges import VersionRange
    from packaging.version import Version

    return VersionRange.from_bounds(Version(lower), Version(f"{upper}.dev0"), include_upper=False)


def _split(text: str, pattern: re.Pattern[str]) -> list[tuple[str, int]]:
    out = []
    start = 0
    for m in pattern.finditer(text):
        out.append((text[start : m.start()], start))
        start = m.end()
    out.append((text[start:], start))
    return out


def _version(text: str) -> str:
    """The normalised PEP 440 text of a Poetry version (``v1.0.0-beta.2`` -> ``1.0.0b2``; ``dev`` -> ``0.0.dev0``)."""
    from packaging.version import Version

    t = text.strip()
    if t.lower() == "dev":
        return "0.0.dev0"
    return str(Version(t))


def _release(version: str) -> tuple[int, tuple[int, ...]]:
    from packaging.version import Version

    v = Version(version)
    return v.epoch, v.release


def _fmt(epoch: int, release: tuple[int, ...]) -> str:
    return (f"{epoch}!" if epoch else "") + ".".join(str(n) for n in release)


def _bump(release: tuple[int, ...], index: int) -> tuple[int, ...]:
    """Increment component ``index`` and zero the rest, keeping the number of components."""
    return (*release[:index], release[index] + 1, *(0 for _ in release[index + 1 :]))


def caret_upper(version: str) -> str:
    """Poetry's ``next_breaking`` of ``version`` (stable base, same number of components)."""
    epoch, rel = _release(version)
    if rel[0] > 0 or len(rel) == 1:
        return _fmt(epoch, _bump(rel, 0))
    if rel[1] > 0 or len(rel) == 2:
        return _fmt(epoch, _bump(rel, 1))
    return _fmt(epoch, _bump(rel, 2))


def tilde_upper(version: str) -> str:
    epoch, rel = _release(version)
    return _fmt(epoch, _bump(rel, 0 if len(rel) == 1 else 1))


def _clause(clause: str, offset: int) -> list[str]:
    """PEP 440 clauses meaning one Poetry clause (``[]`` for any version)."""
    from packaging.version import InvalidVersion

    if _ANY.match(clause):
        return []
    m = _CLAUSE.match(clause)
    if m is None:
        raise _Invalid(offset, _why(clause), max(1, len(clause)))
    op = m.group("op") or "="
    wildcard = m.group("wildcard")
    try:
        version = _version(m.group("version"))
    except InvalidVersion:
        raise _Invalid(offset, f"{m.group('version')!r} is not a version", max(1, len(clause))) from None
    if op == "<>":
        raise _Invalid(offset, "'<>' is not supported (poetry-core reads it as '=='); write '!='", 2)
    if op == "===":
        raise _Invalid(offset, "'===' (arbitrary equality) is not Poetry syntax", 3)
    if "+" in version and op not in ("=", "==", "!="):
        raise _Invalid(
            offset, f"a local version ({version!r}) cannot bound a range; pin it with '=='", len(clause)
        )
    if wildcard:
        if op in ("=", "==", "!="):
            if not re.fullmatch(r"(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*", version):
                raise _Invalid(
                    offset, f"a '.*' wildcard needs a plain release before it, not {version!r}", len(clause)
                )
            return [f"{'!=' if op == '!=' else '=='}{version}.*"]
        if op in ("<", "<=", ">", ">="):  # poetry-core ignores the wildcard here
            return [f"{op}{version}"]
        raise _Invalid(offset, f"'{op}' cannot take a '.*' wildcard", len(clause))
    if op == "^":
        return [f">={version}", f"<{caret_upper(version)}"]
    if op == "~":
        return [f">={version}", f"<{tilde_upper(version)}"]
    if op == "~=":
        epoch, rel = _release(version)
        if len(rel) < 2:
            return [f">={version}", f"<{_fmt(epoch, _bump(rel, 0))}"]
        return [f"~={version}"]
    if op in ("=", "=="):
        return [f"=={version}"]
    return [f"{op}{version}"]


def _why(clause: str) -> str:
    if clause in ("^", "~", "~=", "=", "==", "!=", "<", "<=", ">", ">="):
        return f"operator {clause!r} has no version"
    if re.search(r"\.[xX]\b", clause) or re.search(r"\.[xX]$", clause):
        return f"{clause!r}: 'x' is only allowed as the whole constraint; write '.*'"
    if re.match(r"^[\^~=<>!]*\s*$", clause):
        return f"{clause!r} has no version"
    if re.search(r"[<>=!~^].*[<>=!~^]", clause):
        return f"{clause!r}: clauses need a ',' or ' ' between them"
    return f"{clause!r} is not a Poetry version constraint"


# ------------------------------------------------------------------------------------------------------ render


def to_pep440_clauses(text: str) -> list[str]:
    """The PEP 440 clauses of a single-alternative Poetry constraint (``^1.2`` -> ``[">=1.2", "<2.0"]``)."""
    spec = parse(text)
    if spec.pep440 is None:
        raise ValueError(f"{text!r} is a union; it has no single PEP 440 clause list")
    return [c for c in spec.pep440.split(",") if c]


def _poetry_set(text: str):  # -> VersionRange | None
    try:
        return _parse(text).versions
    except _Invalid:
        return None


def _candidates(pep: str) -> list[str]:
    from packaging.specifiers import SpecifierSet

    clauses = [str(s) for s in SpecifierSet(pep)]
    out: list[str] = []
    if len(clauses) == 1:
        c = clauses[0]
        if c.startswith("==") and not c.startswith("==="):
            out.append(c[2:])  # ==1.2.3 -> 1.2.3, ==1.2.* -> 1.2.*
        elif c.startswith("~="):
            out += [f"^{c[2:]}", f"~{c[2:]}"]
    out += [c[2:] for c in clauses if c.startswith("==") and not c.startswith("===") and len(clauses) > 1]
    lowers = [c[2:] for c in clauses if c.startswith(">=")]
    for low in lowers:
        base = low[: -len(".dev0")] if low.endswith(".dev0") else None
        if base is not None and re.fullmatch(r"[0-9]+(?:\.[0-9]+)*", base):
            out.append(f"{base}.*")  # >=1.2.dev0,<1.3.dev0 is 1.2.*
    if (
        len(clauses) == 2
        and len(lowers) == 1
        and any(c.startswith("<") and not c.startswith("<=") for c in clauses)
    ):
        out += [f"^{lowers[0]}", f"~{lowers[0]}"]
    return out


def _rank(text: str) -> int:
    """Preference among exact spellings: a pin or wildcard, then ``^``, then ``~``."""
    return {"^": 1, "~": 2}.get(text[:1], 0)


@lru_cache(maxsize=65536)
def _nicest_text(pep: str) -> str | None:
    """The nicest exact Poetry spelling of a PEP 440 text's set, or ``None`` when the PEP 440 text is nicest."""
    versions = pep440_range(pep)
    if not pep.strip():
        return "*"
    for cand in _candidates(pep):
        got = _poetry_set(cand)
        if got is not None and same_set(got, versions):
            return cand
    return None


def nicest(versions, hint: str | None = None) -> str | None:  # versions: VersionRange
    """The nicest exact Poetry text for ``versions`` (``hint``: a PEP 440 text of it, e.g. as the user wrote it).

    ``None`` when Poetry cannot say the set (an ``===`` literal or a union piece without a spelling).
    """
    if is_full(versions):
        return "*"
    texts = [hint.strip()] if hint is not None and "===" not in hint else []
    nice = [n for n in (_nicest_text(t) for t in texts) if n is not None]
    if not nice and (not texts or texts[0].count(",") > 1):
        # packaging's canonical text (costly to compute) may reveal a nicer form of a redundant or missing hint
        canonical = range_to_pep440(versions)
        if canonical is not None and "===" not in canonical and canonical not in texts:
            texts.append(canonical)
            nice = [n for n in (_nicest_text(canonical),) if n is not None]
    if nice:
        return min(nice, key=_rank)
    for text in texts:
        got = _poetry_set(text)
        if got is not None and same_set(got, versions):
            return text
    if versions._bounds:  # a union: alternatives joined with ||
        return _union_text(versions)
    return None


def _union_text(versions) -> str | None:
    """``a || b`` of the largest PEP 440-expressible runs of intervals, each spelled the nicest way."""
    cls = type(versions)
    pieces: list[str] = []
    run: tuple = ()
    for interval in versions._bounds:  # packaging 26.4's canonical intervals (no public accessor)
        trial = (*run, interval)
        if run and (not mergeable(run[-1], interval) or interval_text(cls._build(trial)) is None):
            pieces.append(_piece(cls._build(run)))
            run = (interval,)
        else:
            run = trial
    if run:
        pieces.append(_piece(cls._build(run)))
    if any(p is None for p in pieces):
        return None
    return " || ".join(pieces)  # type: ignore[arg-type]


def _piece(versions) -> str | None:
    text = interval_text(versions)
    if text is None:
        return None
    return _nicest_text(text) or text


@cached_render
def render(
    spec: VersionSpec, *, report: Report | None = None, subject: str | None = None, span: Span | None = None
) -> str:
    """Poetry text for ``spec``: its ``raw`` when it is Poetry already, else the nicest exact spelling.

    ``>=1.2,<2.0`` -> ``^1.2``, ``>=1.2,<1.3`` -> ``~1.2``, ``==1.2.3`` -> ``1.2.3``, ``==1.2.*`` -> ``1.2.*``,
    any -> ``*``; otherwise the PEP 440 text (Poetry accepts it), or ``a || b`` for unions. A new spelling is
    reported as ``version-respelled`` (INFO); ``===`` has no Poetry form (``version-inexpressible``).
    """
    if spec.dialect == DIALECT:
        return spec.raw
    if spec.dialect == "conda":
        from .conda import dialect_losses

        if dialect_losses(spec, target="Poetry", report=report, subject=subject, span=span):
            return "*"
    hint = spec.raw.strip() if spec.dialect in ("pep440", "pipfile") and spec.raw.strip() != "*" else None
    if hint is not None and "===" in hint or (spec.pep440 and "===" in spec.pep440):
        return _inexpressible(spec, report=report, subject=subject, span=span)
    if hint is not None:
        from packaging.specifiers import InvalidSpecifier

        try:
            pep440_range(hint)
        except InvalidSpecifier:
            hint = None
    text = nicest(spec.versions, hint=hint if hint is not None else spec.pep440)
    if text is None:
        return _inexpressible(spec, report=report, subject=subject, span=span)
    if report is not None and text != spec.raw.strip():
        report.add(
            "version-respelled",
            Severity.INFO,
            f"{spec.dialect} constraint {spec.raw!r} written as Poetry {text!r} (same versions)",
            subject=subject,
            span=span,
            data={"from": spec.raw, "to": text, "dialect": spec.dialect},
        )
    return text


def _inexpressible(
    spec: VersionSpec, *, report: Report | None, subject: str | None, span: Span | None
) -> str:
    from packaging.specifiers import SpecifierSet
    from packaging.version import InvalidVersion, Version

    literal = None
    for s in SpecifierSet(spec.pep440 or spec.raw.strip()) if "===" in (spec.pep440 or spec.raw) else ():
        if s.operator == "===":
            literal = s.version
    try:
        text = str(Version(literal)) if literal is not None else "*"
        severity = Severity.WARNING
        effect = f"written as the pin {text!r}, which also admits {text}+local builds"
    except InvalidVersion:
        text, severity = "*", Severity.ERROR
        effect = "written as '*' (any version)"
    if report is not None:
        report.add(
            "version-inexpressible",
            severity,
            f"Poetry cannot express {spec.dialect} constraint {spec.raw!r} ('===' arbitrary equality); {effect}",
            subject=subject,
            span=span,
            data={"from": spec.raw, "to": text, "dialect": spec.dialect},
        )
    return text
