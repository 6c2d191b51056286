"""Writing ``[tool.pdm]``: ``[[tool.pdm.source]]`` (with per-package ``include_packages``), ``[tool.pdm.resolution]``
(allow-prereleases, respect-source-order, overrides) and the kept settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...edit import tomlemit as emit
from ...ir.model import GroupKind, Index, IndexRef, IndexRole, Manifest, canonical_name
from ...report import Report, Severity
from .common import ensure_table
from .pdm import pdm_source_entry
from .uv_write import PYPI_SIMPLE, _aot, _plain

if TYPE_CHECKING:
    from ...format import WriteOptions

__all__ = ["write_pdm"]


def write_pdm(doc: Any, manifest: Manifest, report: Report, options: WriteOptions, *, fresh: bool,
              newline: str) -> None:
    for group in manifest.groups:
        if group.kind not in (GroupKind.MAIN, GroupKind.EXTRA):
            continue
        for req in group.requirements:
            if req.editable:
                src = req.source
                where = getattr(src, "path", None) or getattr(src, "url", None) or "<unnamed>"
                report.add("editable-dropped", Severity.WARNING,
                           f"{req.name or where!r} is editable; PDM says editable only in "
                           "[tool.pdm.dev-dependencies]",
                           subject=req.name or where, span=req.span)
    tool = doc.get("tool")
    pdm = tool.get("pdm") if tool is not None else None

    def table() -> Any:
        nonlocal pdm
        if pdm is None:
            pdm = ensure_table(doc, "tool", "pdm")
        return pdm

    _write_sources(pdm, table, manifest, report)
    _write_resolution(pdm, table, manifest, report)

    for raw in manifest.raw:
        if raw.format != "pdm" or not raw.key.startswith("tool.pdm.") or raw.key.startswith("tool.pdm.resolution"):
            continue
        key = raw.key[len("tool.pdm."):]
        if pdm is not None and key in pdm:
            continue
        table()[key] = raw.value


def _source_names(manifest: Manifest, report: Report) -> list[tuple[Index, str]]:
    """(index, name written) for every index PDM is told about.

    PDM replaces PyPI only with a source named ``pypi``, so a default index is written under that name (an unnamed
    ``-i https://pypi.org/simple`` says nothing PDM does not do already, and is left out); other names stay, made
    unique (PDM merges sources of one name).
    """
    out: list[tuple[Index, str]] = []
    used: set[str] = set()
    for ix in manifest.indexes:
        if ix.role is IndexRole.DEFAULT:
            if ix.name is None and ix.url in PYPI_SIMPLE and ix.verify_ssl is None and not ix.raw:
                continue
            name = "pypi"
            if ix.name not in (None, "pypi"):
                report.add("index-name-dropped", Severity.INFO,
                           f"index {ix.name!r} replaces PyPI; PDM says that only with a source named 'pypi'",
                           subject=ix.name, span=ix.span)
        else:
            name = ix.name or "index"
            if ix.role is IndexRole.SUPPLEMENTAL:
                report.add("index-role-changed", Severity.WARNING,
                           f"index {ix.name or ix.url!r} is supplemental (used only when no other index has the "
                           "package); PDM has no such role, so it is a source searched together with the others",
                           subject=ix.name or ix.url, span=ix.span)
        base, n = name, 2
        while name in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name)
        out.append((ix, name))
    return out


def _write_sources(pdm: Any, table: Any, manifest: Manifest, report: Report) -> None:
    pinned: dict[str, list[str]] = {}
    for req in manifest.requirements():
        if isinstance(req.source, IndexRef) and req.name and req.name not in pinned.setdefault(req.source.name, []):
            pinned[req.source.name].append(req.name)
    _report_shared_pins(manifest, pinned, report)
    want = [pdm_source_entry(ix, name=name, pinned=tuple(pinned.get(ix.name or "", ())))
            for ix, name in _source_names(manifest, report)]
    have = pdm.get("source") if pdm is not None else None
    if (want or have is not None) and (have is None or _plain(list(have)) != want):
        if want:
            t = table()
            t["source"] = _aot(want, isinstance(t, emit.Table))
        else:
            del pdm["source"]


def _report_shared_pins(manifest: Manifest, pinned: dict[str, list[str]], report: Report) -> None:
    """``include_packages`` binds a package name to a source for every requirement of that name: one occurrence
    pinned to an index (``zstd ; python >= 3.12`` from ``chia``) pins the others too. Say so for each."""
    index_of = {canonical_name(n): ix for ix, names in pinned.items() for n in names}
    for req in manifest.requirements():
        ix = index_of.get(req.key)
        if ix is None or (isinstance(req.source, IndexRef) and req.source.name == ix):
            continue
        report.add("pdm-source-shared", Severity.WARNING,
                   f"{req.name!r} is required more than once and one occurrence names index {ix!r}; PDM's "
                   "include_packages binds the name for every occurrence, so this one installs from it too",
                   subject=req.name, span=req.span, data={"index": ix})


def _raw(manifest: Manifest, fmt: str, key: str) -> Any:
    return next((r.value for r in manifest.raw if r.format == fmt and r.key == key), None)


def _overrides(manifest: Manifest, report: Report) -> dict[str, str] | None:
    """PDM's overrides: its own, or uv's override-dependencies said the PDM way (name -> specifier or URL)."""
    own = _raw(manifest, "pdm", "tool.pdm.resolution.overrides")
    if own is not None:
        return dict(own)
    uv = _raw(manifest, "uv", "tool.uv.override-dependencies")
    if not uv:
        return None
    from ...dialects.pep508 import parse_requirement, render_source
    from ...errors import DepglotError
    from ...ir.model import LocalPath

    span = next((r.span for r in manifest.raw if r.format == "uv" and r.key == "tool.uv.override-dependencies"), None)
    out: dict[str, str] = {}
    for text in uv:
        try:
            req = parse_requirement(str(text))
        except DepglotError:
            req = None
        why = None
        if req is None or not req.name:
            why = "is not a named PEP 508 requirement"
        elif req.marker:
            why = "has a marker; PDM overrides hold a version or URL per package, for every environment"
        elif req.name in out:
            why = "overrides a package twice (per-environment overrides); PDM holds one override per package"
        elif req.source is not None and (isinstance(req.source, LocalPath) or render_source(req.source) is None):
            why = "comes from a source PDM overrides cannot name"
        if why is not None:
            report.add("overrides-dropped", Severity.ERROR, f"uv override {str(text)!r} {why}; not written",
                       subject=req.name if req is not None and req.name else str(text), span=span)
            continue
        assert req is not None
        if req.source is not None:
            out[req.name] = str(render_source(req.source))
        else:
            out[req.name] = req.version.raw if req.version is not None else ""  # "": any version
        if req.extras:
            report.add("requirement-extras-dropped", Severity.WARNING,
                       f"uv override {str(text)!r} requests extras; a PDM override holds only the version or URL",
                       subject=req.name, span=span)
    return out


def _write_resolution(pdm: Any, table: Any, manifest: Manifest, report: Report) -> None:
    """``[tool.pdm.resolution]``: the settings kept from a PDM file, plus what the manifest says."""
    settings: dict[str, Any] = dict(_raw(manifest, "pdm", "tool.pdm.resolution") or {})
    if manifest.allow_prereleases:
        settings["allow-prereleases"] = True
    searched = [ix for ix in manifest.indexes if ix.role is not IndexRole.FIND_LINKS]
    if manifest.index_strategy in ("first-index", "unsafe-first-match") and len(searched) > 1:
        settings.setdefault("respect-source-order", True)
    overrides = _overrides(manifest, report)
    if overrides is not None:
        settings["overrides"] = overrides
    have = pdm.get("resolution") if pdm is not None else None
    if have is None:
        if settings:
            res = ensure_table(table(), "resolution")
            for k, v in settings.items():
                res[k] = v
        return
    if not manifest.allow_prereleases and "allow-prereleases" in have:
        del have["allow-prereleases"]
    for k, v in settings.items():
        if k not in have or _plain(have[k]) != v:
            have[k] = v
