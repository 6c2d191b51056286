"""Do two manifests mean the same? A semantic diff of two IR manifests.

Requirements are compared by meaning, not text: versions by their version sets (``^1.2`` equals ``>=1.2,<2.0``),
extras as canonical sets, markers by meaning (``python_version >= "3.8"`` equals
``python_full_version >= "3.8.0"``, ``a or b`` equals ``b or a``; :func:`depglot.check.markers.equivalent`),
sources after normalising URLs and paths, and the editable flag. Groups are matched by kind and canonical name (the main group
of any format is ``main``; ``dev``, ``develop``, ``dev-packages`` and ``development`` are one dev group). The
python constraint and the index URLs are compared when both sides state them (PyPI itself is implied).

A manifest against a lock (``Manifest.lock`` set on one side, or an environment listing: ``freeze``/``env``) asks
another question: does every lock pin satisfy the manifest's range? Each manifest entry must be locked (``not-locked``) and every locked version whose marker
can hold together with the entry's must lie in its range (``outside-range``).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from ..redact import redact
from ..span import Span
from .model import (
    CondaPackage,
    GroupKind,
    IndexRef,
    LocalPath,
    LockedPackage,
    Manifest,
    Requirement,
    Source,
    Url,
    Vcs,
    canonical_name,
)
from .versions import VersionSpec

__all__ = ["Change", "ManifestDiff", "diff", "group_key", "same_marker"]

_DEV = frozenset({"dev", "develop", "dev-packages", "development"})
_PYPI = frozenset({"https://pypi.org/simple", "https://pypi.python.org/simple", "https://pypi.org/simple/"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Change:
    """One difference. ``kind``: added | removed | changed | not-locked | outside-range."""

    kind: str
    name: str | None = None
    group: str | None = None
    field: str | None = None  # version | extras | marker | source | editable | python | index | requirement
    a: str | None = None
    b: str | None = None
    span_a: Span | None = None
    span_b: Span | None = None

    @property
    def span(self) -> Span | None:
        return self.span_b or self.span_a

    def message(self) -> str:
        where = f" in group {self.group!r}" if self.group else ""
        if self.kind == "added":
            return f"{self.b!r} added{where}"
        if self.kind == "removed":
            return f"{self.a!r} removed{where}"
        if self.kind == "not-locked":
            return f"{self.a!r}{where} is not pinned by the lock"
        if self.kind == "outside-range":
            return f"the lock pins {self.name} {self.b}, outside {self.a!r}{where}"
        return f"{self.name or self.field}: {self.field} {self.a!r} -> {self.b!r}{where}"

    def concise(self) -> str:
        place = self.span.location() if self.span is not None else "<input>"
        return redact(f"{place}: {self.kind}[{self.field or 'requirement'}]: {self.message()}")

    def to_json(self) -> dict[str, Any]:
        def span(s: Span | None) -> dict[str, Any] | None:
            return None if s is None else {"file": s.file, "line": s.line, "column": s.column, "key": s.key}

        return {
            "kind": self.kind,
            "name": self.name,
            "group": self.group,
            "field": self.field,
            "a": redact(self.a) if self.a is not None else None,
            "b": redact(self.b) if self.b is not None else None,
            "message": redact(self.message()),
            "a_span": span(self.span_a),
            "b_span": span(self.span_b),
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class ManifestDiff:
    mode: str  # "manifest" | "lock"
    changes: tuple[Change, ...] = ()

    @property
    def same(self) -> bool:
        return not self.changes

    def to_json(self) -> dict[str, Any]:
        return {"version": 1, "mode": self.mode, "same": self.same, "changes": [c.to_json() for c in self.changes]}


def group_key(name: str, kind: GroupKind) -> str:
    """``main``, ``dev``, ``group:<name>`` or ``extra:<name>`` (names canonicalised)."""
    if kind is GroupKind.MAIN:
        return "main"
    n = canonical_name(name)
    if kind is GroupKind.EXTRA:
        return f"extra:{n}"
    return "dev" if n in _DEV else f"group:{n}"


def same_marker(a: str | None, b: str | None, group: str | None = None) -> bool:
    """Whether two markers select the same environments (interpreters taken as final releases). In an extra's
    group (``extra:<name>``) they are compared where they are evaluated, with ``extra == "<name>"``, so
    ``tomli ; extra == "toml"`` in the extra ``toml`` equals plain ``tomli`` there."""
    from ..check.markers import equivalent

    if group is not None and group.startswith("extra:"):
        from ..dialects.markers import and_markers

        where = f'extra == "{group.removeprefix("extra:")}"'
        return equivalent(and_markers(a or None, where), and_markers(b or None, where))
    return equivalent(a or None, b or None)


def _norm_url(url: str) -> str:
    u = url.strip()
    u = u.removesuffix("/")
    return u


def _norm_source(source: Source | None) -> tuple[Any, ...] | None:
    if source is None:
        return None
    if isinstance(source, Vcs):
        url = _norm_url(source.url)
        return ("vcs", source.vcs, url.removesuffix(".git"), source.rev, source.subdirectory or None)
    if isinstance(source, LocalPath):
        path = source.path.replace("\\", "/")
        path = posixpath.normpath(path.removeprefix("file:"))
        return ("path", path, source.subdirectory or None)
    if isinstance(source, Url):
        return ("url", _norm_url(source.url), source.subdirectory or None)
    name = getattr(source, "name", "")
    return (type(source).__name__, canonical_name(str(name)))


def _source_text(source: Source | None) -> str | None:
    """Where a requirement comes from, as a user says it: a path as written, a URL, ``index 'corp'``, ``conda
    package 'conda-forge::numpy' (build 'py312_0')``."""
    if source is None:
        return None
    if isinstance(source, LocalPath):
        return source.path
    if isinstance(source, IndexRef):
        return f"index {source.name!r}"
    if isinstance(source, CondaPackage):
        name = f"{source.channel}::{source.name}" if source.channel else source.name
        return f"conda package {name!r}" + (f" (build {source.build!r})" if source.build else "")
    from ..dialects.pep508 import render_source

    url = render_source(source)
    if url is not None:
        return url
    return f"{type(source).__name__}({getattr(source, 'name', '')})"


def _registry(m: Manifest) -> str:
    """What a requirement without a source installs from: PyPI, unless the manifest names other indexes."""
    own = {_norm_url(i.url) for i in m.indexes} - {_norm_url(u) for u in _PYPI}
    return "its package index" if own else "PyPI"


def _version_text(spec: VersionSpec | None) -> str:
    return "" if spec is None else spec.raw


def _same_versions(a: VersionSpec | None, b: VersionSpec | None) -> bool:
    if a is None or b is None:
        other = b if a is None else a
        return other is None or other.is_any
    return a.versions == b.versions


def _text(req: Requirement) -> str:
    """A requirement as its file spells it: PEP 508 (``name[extras]>=1 ; marker``, ``name @ URL``), a line without a
    name as pip reads it (``-e .``, ``./lib``, a URL), a conda package as its MatchSpec (``numpy=1.26=py312_0``)."""
    src = req.source
    if isinstance(src, CondaPackage):
        from ..dialects.conda import parse_matchspec

        try:
            written = parse_matchspec(src.spec)
        except Exception:  # noqa: BLE001 - a spec edited into something unparsable: the PEP 508 form below
            written = None
        if written is not None and _same_versions(written.version, req.version):
            return src.spec + (f" ; {req.marker}" if req.marker else "")
    extras = f"[{','.join(req.extras)}]" if req.extras else ""
    if not req.name and isinstance(src, (LocalPath, Url, Vcs)):
        from ..dialects.pep508 import render_source

        where = src.path if isinstance(src, LocalPath) else render_source(src) or ""
        body = ("-e " if req.editable else "") + where
    elif isinstance(src, (LocalPath, Url, Vcs)) and _source_text(src):
        from ..dialects.pep508 import render_source

        body = f"{req.name}{extras} @ {render_source(src) or _source_text(src)}"
    else:
        spec = req.version
        body = f"{req.name}{extras}{spec.pep440 if spec is not None and spec.pep440 is not None else _version_text(spec)}"
    return body + (f" ; {req.marker}" if req.marker else "")


def _compare(a: Requirement, b: Requirement, group: str, registry: tuple[str, str] = ("PyPI", "PyPI")) -> list[Change]:
    out: list[Change] = []

    def change(field: str, va: str | None, vb: str | None) -> None:
        out.append(Change(kind="changed", name=b.name or a.name or _text(b), group=group, field=field, a=va, b=vb,
                          span_a=a.span, span_b=b.span))

    if not _same_versions(a.version, b.version):
        change("version", _version_text(a.version) or "*", _version_text(b.version) or "*")
    if {canonical_name(e) for e in a.extras} != {canonical_name(e) for e in b.extras}:
        change("extras", ",".join(a.extras), ",".join(b.extras))
    if not same_marker(a.marker, b.marker, group):
        change("marker", a.marker or "", b.marker or "")
    if _norm_source(a.source) != _norm_source(b.source):
        change("source", _source_text(a.source) or registry[0], _source_text(b.source) or registry[1])
    if a.editable != b.editable:
        change("editable", str(a.editable).lower(), str(b.editable).lower())
    return out


def _pair(reqs_a: list[Requirement], reqs_b: list[Requirement], group: str) -> tuple[list[tuple[Requirement, Requirement]],
                                                                          list[Requirement], list[Requirement]]:
    """Match entries by (name, marker), then by name, then unnamed ones by source; the rest are removed / added."""
    left = list(reqs_a)
    right = list(reqs_b)
    pairs: list[tuple[Requirement, Requirement]] = []
    for exact in (True, False):
        for a in list(left):
            for b in right:
                if a.key == b.key and (not exact or same_marker(a.marker, b.marker, group)):
                    pairs.append((a, b))
                    left.remove(a)
                    right.remove(b)
                    break
    for a in list(left):  # a requirement without a name (a bare path or URL): match by where it comes from
        for b in right:
            if (not a.key or not b.key) and a.source is not None and _norm_source(a.source) == _norm_source(b.source):
                pairs.append((a, b))
                left.remove(a)
                right.remove(b)
                break
    order = {id(r): i for i, r in enumerate(reqs_a)}
    pairs.sort(key=lambda pair: order[id(pair[0])])
    return pairs, left, right


def _diff_manifests(a: Manifest, b: Manifest) -> list[Change]:
    changes: list[Change] = []
    groups_a: dict[str, list[Requirement]] = {}
    groups_b: dict[str, list[Requirement]] = {}
    for m, target in ((a, groups_a), (b, groups_b)):
        for g in m.groups:
            target.setdefault(group_key(g.name, g.kind), []).extend(g.requirements)
    # the conda package pip installs an environment's pip: list (as python is its interpreter): compared only when
    # both sides list pip
    pips = [any(r.key == "pip" for reqs in side.values() for r in reqs) for side in (groups_a, groups_b)]
    if pips[0] != pips[1]:
        for side in (groups_a, groups_b):
            for key, reqs in side.items():
                side[key] = [r for r in reqs if not (r.key == "pip" and isinstance(r.source, CondaPackage))]
    registry = (_registry(a), _registry(b))
    for key in list(dict.fromkeys([*groups_a, *groups_b])):
        pairs, removed, added = _pair(groups_a.get(key, []), groups_b.get(key, []), key)
        for ra in removed:
            changes.append(Change(kind="removed", name=ra.name, group=key, a=_text(ra), span_a=ra.span))
        for ra, rb in pairs:
            changes.extend(_compare(ra, rb, key, registry))
        for rb in added:
            changes.append(Change(kind="added", name=rb.name, group=key, b=_text(rb), span_b=rb.span))
    if a.python is not None and b.python is not None and a.python.versions != b.python.versions:
        changes.append(Change(kind="changed", field="python", a=a.python.raw, b=b.python.raw))
    idx_a = {_norm_url(i.url) for i in a.indexes} - {_norm_url(u) for u in _PYPI}
    idx_b = {_norm_url(i.url) for i in b.indexes} - {_norm_url(u) for u in _PYPI}
    for url in sorted(idx_a - idx_b):
        changes.append(Change(kind="removed", field="index", a=url))
    for url in sorted(idx_b - idx_a):
        changes.append(Change(kind="added", field="index", b=url))
    if a.no_index != b.no_index:
        changes.append(Change(kind="changed", field="no-index", a=str(a.no_index).lower(), b=str(b.no_index).lower()))
    return changes


_SNAPSHOTS = frozenset({"freeze", "env"})  # environment listings: every entry is what is installed


def _is_lock(m: Manifest) -> bool:
    return m.lock is not None or m.format in _SNAPSHOTS


def _snapshot_packages(m: Manifest) -> list[LockedPackage]:
    """An environment listing's ``==`` pins as locked packages."""
    out = []
    for req in m.requirements():
        text = req.version.pep440 if req.version is not None else None
        version = None
        if text and text.startswith("==") and "," not in text and "*" not in text:
            version = text.lstrip("=")
        out.append(LockedPackage(name=req.name, version=version, marker=req.marker, span=req.span))
    return out


def _diff_lock(manifest: Manifest, locked: Manifest) -> list[Change]:
    from ..check.static import lock_pin_ok

    packages = locked.lock.packages if locked.lock is not None else tuple(_snapshot_packages(locked))
    pins: dict[str, list[Any]] = {}
    for pkg in packages:
        pins.setdefault(pkg.key, []).append(pkg)
    changes: list[Change] = []
    for g in manifest.groups:
        key = group_key(g.name, g.kind)
        for req in g.requirements:
            found = pins.get(req.key)
            if not found:
                if req.key:
                    changes.append(Change(kind="not-locked", name=req.name, group=key, a=_text(req), span_a=req.span))
                continue
            for pkg in found:
                if not lock_pin_ok(req, pkg):
                    changes.append(Change(kind="outside-range", name=req.name, group=key, field="version",
                                          a=_text(req), b=pkg.version, span_a=req.span, span_b=pkg.span))
    return changes


def diff(a: Manifest, b: Manifest) -> ManifestDiff:
    """The differences in meaning between ``a`` and ``b`` (a lock on one side: lock mode)."""
    if _is_lock(a) != _is_lock(b):
        manifest, locked = (a, b) if _is_lock(b) else (b, a)
        return ManifestDiff(mode="lock", changes=tuple(_diff_lock(manifest, locked)))
    return ManifestDiff(mode="manifest", changes=tuple(_diff_manifests(a, b)))
