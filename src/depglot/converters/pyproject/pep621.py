"""The ``pep621`` format: ``[project]`` + PEP 735 ``[dependency-groups]``; flavours ``uv`` and ``pdm``.

``pep621`` writes standard tables only; ``pep621+uv`` (alias ``uv``) adds ``[tool.uv]`` sources, indexes and
settings; ``pep621+pdm`` (alias ``pdm``) adds ``[[tool.pdm.source]]`` and PDM settings.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ...format import Feature, Format, ReadOptions, WriteOptions

if TYPE_CHECKING:
    from ...ir.model import Manifest
    from ...report import Report

__all__ = ["Pep621Format"]

_BASE_FEATURES = frozenset({
    Feature.OPTIONAL_REQUIREMENTS,  # placed in an extra (or a group), never made required
    Feature.GROUPS,
    Feature.EXTRAS,
    Feature.GROUP_INCLUDES,
    Feature.REQUIREMENT_EXTRAS,
    Feature.MARKERS,
    Feature.VCS,
    Feature.URL,
    Feature.PYTHON,
    Feature.PROJECT_METADATA,
})
_UV_FEATURES = _BASE_FEATURES | {
    Feature.LOCAL_PATH,
    Feature.EDITABLE,
    Feature.PER_PACKAGE_INDEX,
    Feature.INDEXES,
    Feature.INDEX_NAMES,
    Feature.FIND_LINKS,
    Feature.NO_INDEX,
    Feature.PRERELEASES,
    Feature.OPTIONAL_GROUPS,
    Feature.INDEX_STRATEGY,
    Feature.CONSTRAINTS,  # [tool.uv] constraint-dependencies
}
_PDM_FEATURES = _BASE_FEATURES | {
    Feature.INDEX_STRATEGY,  # [tool.pdm.resolution] respect-source-order
    Feature.PER_PACKAGE_INDEX,  # [[tool.pdm.source]] include_packages
    Feature.LOCAL_PATH,
    Feature.EDITABLE,  # in [tool.pdm.dev-dependencies] groups; elsewhere reported by the writer
    Feature.INDEXES,
    Feature.INDEX_NAMES,
    Feature.FIND_LINKS,
    Feature.VERIFY_SSL,
    Feature.PRERELEASES,
}

_PROJECT = re.compile(r"^\[project\]|^\[dependency-groups\]", re.MULTILINE)


class Pep621Format(Format):
    name = "pep621"
    description = "pyproject.toml [project] + PEP 735 [dependency-groups] (flavours: uv, pdm)"
    filenames = ("pyproject.toml",)
    flavours = ("uv", "pdm")
    features = _BASE_FEATURES

    def __init__(self, flavour: str | None = None) -> None:
        super().__init__(flavour)
        if flavour == "uv":
            self.features = _UV_FEATURES  # type: ignore[misc]  # a flavour's instance widens the ClassVar
        elif flavour == "pdm":
            self.features = _PDM_FEATURES  # type: ignore[misc]  # a flavour's instance widens the ClassVar

    def detect(self, filename: str, head: str) -> int:
        text = head.lstrip("\ufeff")
        if not _PROJECT.search(text):
            return 0
        score = 30
        if re.search(r"^\[tool\.poetry[.\]]", text, re.MULTILINE):
            score = 10  # the Poetry format scores higher
        return score

    def read(self, text: str, options: ReadOptions) -> Manifest:
        from .reader import read_pyproject  # writing needs no reader

        return read_pyproject(text, options, format_name=self.full_name)

    def write(self, manifest: Manifest, *, base: str | None, report: Report, options: WriteOptions) -> str:
        from .writer import write_pyproject

        return write_pyproject(manifest, base=base, report=report, options=options, flavour=self.flavour)
