"""Writing ``[tool.pdm]``: ``[[tool.pdm.source]]``, allow-prereleases, respect-source-order, kept settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...ir.model import GroupKind, IndexRole, Manifest
from ...report import Report, Severity
from .common import ensure_table
from .pdm import pdm_source_entry
from .uv_write import _plain

if TYPE_CHECKING:
    from ...format import WriteOptions

__all__ = ["write_pdm"]


def write_pdm(doc: Any, manifest: Manifest, report: Report, options: WriteOptions, *, fresh: bool,
              newline: str) -> None:
    import tomlkit

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

    want = [pdm_source_entry(ix) for ix in manifest.indexes]
    have = pdm.get("source") if pdm is not None else None
    if (want or have is not None) and (have is None or _plain(list(have)) != want):
        if want:
            aot = tomlkit.aot()
            for entry in want:
                t = tomlkit.table()
                for k, v in entry.items():
                    t[k] = v
                aot.append(t)
            table()["source"] = aot
        else:
            del pdm["source"]

    resolution_raw = next((r.value for r in manifest.raw if r.format == "pdm" and r.key == "tool.pdm.resolution"), None)
    if resolution_raw is None:
        settings: dict[str, Any] = {}
        if manifest.allow_prereleases:
            settings["allow-prereleases"] = True
        searched = [ix for ix in manifest.indexes if ix.role is not IndexRole.FIND_LINKS]
        if manifest.index_strategy in ("first-index", "unsafe-first-match") and len(searched) > 1:
            settings["respect-source-order"] = True
        if settings:
            res = ensure_table(table(), "resolution")
            for k, v in settings.items():
                if k not in res:
                    res[k] = v

    for raw in manifest.raw:
        if raw.format != "pdm" or not raw.key.startswith("tool.pdm."):
            continue
        key = raw.key[len("tool.pdm."):]
        if pdm is not None and key in pdm:
            continue
        table()[key] = raw.value
