"""Requirement text for pyproject arrays, per flavour, and reuse of the strings a base file already has.

PEP 508 carries VCS and URL references itself (``name @ git+https://...@rev``). Everything else (an index per
package, a local path, editable, a uv workspace member) is said by the flavour's tool table, so the array holds
the bare requirement and :mod:`.uv_write` writes the ``[tool.uv.sources]`` entry.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ...ir.model import IndexRef, LocalPath, Requirement, Url, Vcs, canonical_name
from ...ir.versions import VersionSpec
from ...report import Report

__all__ = ["RequirementText", "uv_keeps_in_pep508"]


def uv_keeps_in_pep508(req: Requirement) -> bool:
    """Whether the uv flavour writes this requirement's source inside the PEP 508 string."""
    if any(r.format == "uv" and r.key in ("source", "sources-table") for r in req.raw):
        return False
    if req.version is not None and not req.version.is_any and req.source is not None:
        return False  # PEP 508 cannot say "lib>=2 @ path"; uv checks the version of a [tool.uv.sources] entry
    src = req.source
    if isinstance(src, Vcs):
        return src.rev_kind is None and not req.editable
    if isinstance(src, (Url, LocalPath)):
        return not req.editable  # a plain file: URL stays a PEP 508 direct reference
    return False


class RequirementText:
    """Renders requirements for one flavour (``None``, ``"uv"`` or ``"pdm"``)."""

    __slots__ = ("flavour", "path", "report", "uv_sourced")

    def __init__(self, flavour: str | None, report: Report, *, path: str | None = None,
                 uv_sourced: frozenset[str] = frozenset()) -> None:
        self.flavour = flavour
        self.report = report
        self.path = path
        # Canonical names the base's own [tool.uv.sources] covers: their strings stay bare in every flavour.
        self.uv_sourced = uv_sourced

    def array_item(self, req: Requirement) -> str:
        from ...dialects.pep508 import render_requirement

        src = req.source
        if req.key in self.uv_sourced and any(r.format == "uv" for r in req.raw):
            return render_requirement(req.replace(source=None, editable=False), report=self.report)
        if self.flavour == "uv":
            if not uv_keeps_in_pep508(req):
                req = req.replace(source=None, editable=False)
        elif self.flavour == "pdm" and isinstance(src, LocalPath):
            if req.version is not None and not req.version.is_any:
                from ...report import Severity

                self.report.add("url-version-dropped", Severity.WARNING,
                                f"a path requirement cannot also carry a version in PEP 508 (PDM has no sources "
                                f"table); {req.name} {req.version.raw!r} dropped for {src.path}",
                                subject=req.name, span=req.span, data={"version": req.version.raw, "path": src.path})
            req = req.replace(source=None, editable=False)
            text = render_requirement(_strip_version(req), report=self.report)
            name, _, marker = text.partition(";")
            # removeprefix, not lstrip("./"): that also ate the "../" of a path outside the project
            path = src.path.removeprefix("./")
            if src.path.startswith("/"):
                url = f"file://{src.path}"
            else:
                url = f"file:///${{PROJECT_ROOT}}/{path}" if path not in ("", ".") else "file:///${PROJECT_ROOT}"
            return f"{name.strip()} @ {url}" + (f" ;{marker}" if marker else "")
        elif isinstance(src, (IndexRef, LocalPath)) or src is not None and not isinstance(src, (Vcs, Url)):
            req = req.replace(source=None)
        return render_requirement(req.replace(editable=False), report=self.report)

    def pdm_line(self, req: Requirement) -> str:
        """A ``[tool.pdm.dev-dependencies]`` line: editables as PDM writes them (``-e <url>#egg=<name>``)."""
        if not req.editable:
            return self.array_item(req)
        for raw in req.raw:
            if raw.format == "pdm" and raw.key == "line":
                return str(raw.value)
        from ...dialects.pep508 import render_source

        src = req.source
        if isinstance(src, LocalPath) and not src.path.startswith("/"):
            path = src.path.removeprefix("./")
            url = "file:///${PROJECT_ROOT}/" + path if path not in ("", ".") else "file:///${PROJECT_ROOT}"
        else:
            url = (render_source(src) if src is not None else None) or req.name
        return f"-e {url}#egg={req.name}"

    def python(self, spec: VersionSpec) -> str:
        from ...dialects.pep440 import render

        return render(spec, report=self.report, subject="requires-python")

    def reuse(self, existing: list[Any], values: list[Any]) -> list[Any]:
        """``values`` with each string replaced by an existing item that means the same (keeps the file's text).

        When the existing array has ``{include-group = ...}`` items, the result keeps its arrangement: strings fill
        the string slots in order, an include still wanted keeps its place (and its text), new items follow."""
        pool = [x for x in existing if isinstance(x, str)]
        out: list[Any] = []
        for v in values:
            if isinstance(v, str):
                hit = next((x for x in pool if str(x) == v or _rendered(str(x)) == v), None)
                if hit is not None:
                    pool.remove(hit)
                    out.append(str(hit))
                    continue
            out.append(v)
        if not any(_include(x) for x in existing):
            return out
        strings = iter([v for v in out if not _include(v)])
        includes = {_include(v): v for v in out if _include(v)}
        arranged: list[Any] = []
        for item in existing:
            if not _include(item):
                text = next(strings, None)
                if text is not None:
                    arranged.append(text)
            elif _include(item) in includes:
                arranged.append(item)
                del includes[_include(item)]
        return [*arranged, *strings, *includes.values()]


def _include(item: Any) -> str | None:
    """The group an ``{include-group = ...}`` array item names (canonical), None for anything else."""
    if isinstance(item, dict) and isinstance(item.get("include-group"), str):
        return canonical_name(item["include-group"])
    return None


@lru_cache(maxsize=4096)
def _rendered(text: str) -> str | None:
    """How depglot writes the requirement a base string says (None when it is not PEP 508): a base string is
    kept when the manifest's requirement renders to exactly this, i.e. nothing about it was changed."""
    from ...dialects.pep508 import parse_requirement, render_requirement
    from ...errors import DepglotError

    try:
        return render_requirement(parse_requirement(text))
    except DepglotError:
        return None


def _strip_version(req: Requirement) -> Requirement:
    return req.replace(version=None)
