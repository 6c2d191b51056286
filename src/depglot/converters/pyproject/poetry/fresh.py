"""The Poetry writer's sections of a FRESH file only: metadata, the Raw ``[tool.poetry]`` keys and
``[build-system]`` (a mixin of :class:`depglot.converters.pyproject.poetry.writer._Writer`; base mode keeps the
base file's own)."""

from __future__ import annotations

from typing import Any

from ....ir.model import GroupKind
from ....report import Severity
from ..._poetry_core import POETRY_CORE_2, raised_build
from .metadata import poetry_metadata, project_metadata, raw_keys

__all__ = ["FreshSections"]


class FreshSections:
    """Needs ``self.new``, ``self.report``, ``self.doc``, ``self.ops``, ``self.layout`` and ``self._tp()``."""

    new: Any
    report: Any
    doc: Any
    ops: Any
    layout: str
    _tp: Any

    def _version_fallback(self, tp: Any) -> None:
        """Poetry needs a version in package mode; a dynamic one (setuptools-scm, hatch-vcs) gets Poetry's
        placeholder ``0.0.0`` in ``[tool.poetry]`` (what poetry-dynamic-versioning expects)."""
        project = self.new.project
        raw = raw_keys(self.new.raw)
        if project is None or not project.name or project.version or "version" in raw:
            return
        tp["version"] = "0.0.0"
        self.report.add("project-version-invented", Severity.WARNING,
                        f"{project.name!r} has no static version and Poetry needs one; wrote version = \"0.0.0\" "
                        "in [tool.poetry] (set it, or let a versioning plugin fill it)", subject=project.name)

    def metadata(self) -> None:
        project = self.new.project
        if self.layout in ("project", "dynamic"):
            meta = project_metadata(project)
            dynamic = [d for d in meta.get("dynamic", []) if d not in ("dependencies", "optional-dependencies")]
            if self.layout == "dynamic":  # the dependencies (and extras) come from [tool.poetry]
                dynamic.append("dependencies")
                if any(g.kind is GroupKind.EXTRA for g in self.new.groups):
                    dynamic.append("optional-dependencies")
                meta["dynamic"] = dynamic
            if "version" in meta and "version" in dynamic:
                dynamic.remove("version")
            if "dynamic" in meta:
                meta["dynamic"] = dynamic
                if not dynamic:
                    del meta["dynamic"]
            tbl = self.ops.ensure_table(self.doc, "project")
            for key, value in meta.items():
                tbl[key] = self.ops.plain_item(value)
            if project is not None and not project.version and "version" not in dynamic:
                if "dynamic" not in tbl:
                    tbl["dynamic"] = ["version"]
                else:
                    tbl["dynamic"].append("version")
            self._version_fallback(self._tp())
        else:
            meta = poetry_metadata(project)
            tp = self._tp()
            if not (project and project.name):
                tp["package-mode"] = False
            for key, value in meta.items():
                if key not in ("scripts", "plugins", "urls"):
                    tp[key] = self.ops.plain_item(value)
            self._version_fallback(tp)
            mapped = {"description", "authors", "maintainers", "license", "readme", "urls", "keywords",
                      "classifiers", "scripts", "entry-points", "dynamic"}
            for key, _ in project.metadata if project is not None else ():
                if key not in mapped:
                    self.report.add("project-metadata-dropped", Severity.INFO,
                                    f"project.{key} has no place in Poetry 1's [tool.poetry]; not written",
                                    subject=key)

    def fresh_tail(self) -> None:
        """Fresh files: scripts/urls/plugins, the Raw ``[tool.poetry]`` keys and ``[build-system]``."""
        project = self.new.project
        raw = raw_keys(self.new.raw)
        tp = self._tp()
        if self.layout == "legacy":
            meta = poetry_metadata(project)
            for key in ("urls", "scripts", "plugins"):
                if key not in meta:
                    continue
                kept = raw.get(key)
                if kept is None:
                    tp[key] = self.ops.plain_item(meta[key])
                elif isinstance(kept, dict) and isinstance(meta[key], dict):
                    # a Poetry 2 file may keep a [tool.poetry.<key>] table (often empty) beside [project.<key>]:
                    # Poetry 1's layout has only the [tool.poetry] one, so both go there ([project] wins on a clash)
                    tp[key] = self.ops.plain_item({**kept, **meta[key]})
        for key, value in raw.items():
            if key not in tp:
                tp[key] = self.ops.plain_item(value)
        build = next((r.value for r in self.new.raw if r.format == "pyproject" and r.key == "build-system"), None)
        if build is None and (project is not None and project.name):
            build = {"requires": ["poetry-core>=1.0.0" if self.layout == "legacy" else POETRY_CORE_2],
                     "build-backend": "poetry.core.masonry.api"}
        if build is not None and self.layout != "legacy":
            build = raised_build(build, self.report)  # poetry-core < 2 ignores [project]
        if build is not None:
            self.doc["build-system"] = self.ops.table(build)
        if not tp:
            tool = self.doc.get("tool")
            if tool is not None:
                del tool["poetry"]
                if not tool:
                    del self.doc["tool"]
