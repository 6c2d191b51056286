"""The ``poetry`` and ``poetry1`` formats: pyproject.toml with ``[tool.poetry]``.

Both read through the shared pyproject reader (:func:`~depglot.converters.pyproject.reader.read_pyproject`),
which hands ``[tool.poetry]`` to :func:`read_poetry` (Poetry's semantics). ``poetry`` writes Poetry 2 style
(PEP 621 ``[project]`` plus ``[tool.poetry]`` only where needed), ``poetry1`` the legacy ``[tool.poetry]`` layout.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ....format import Feature, Format, ReadOptions, WriteOptions

if TYPE_CHECKING:
    from ....ir.model import Manifest
    from ....report import Report

__all__ = ["Poetry1Format", "PoetryFormat", "read_poetry"]


def __getattr__(name: str) -> object:  # read_poetry loads the reader only when reading (writers don't need it)
    if name == "read_poetry":
        from .reader import read_poetry

        return read_poetry
    raise AttributeError(name)

_POETRY = re.compile(r"^[ \t]*\[\[?[ \t]*tool[ \t]*\.[ \t]*poetry[ \t]*[.\]]", re.MULTILINE)


class PoetryFormat(Format):
    name = "poetry"
    description = "pyproject.toml for Poetry 2 ([project] + [tool.poetry] where needed); reads Poetry 1 too"
    filenames = ("pyproject.toml",)
    features = frozenset({
        Feature.GROUPS,
        Feature.EXTRAS,
        Feature.OPTIONAL_GROUPS,
        Feature.GROUP_INCLUDES,
        Feature.REQUIREMENT_EXTRAS,
        Feature.MARKERS,
        Feature.VCS,
        Feature.LOCAL_PATH,
        Feature.URL,
        Feature.EDITABLE,
        Feature.PER_PACKAGE_INDEX,
        Feature.INDEXES,
        Feature.INDEX_NAMES,
        Feature.PYTHON,
        Feature.REQUIREMENT_PRERELEASES,
        Feature.PRERELEASES,  # written per dependency (Poetry has no file-wide switch)
        Feature.OPTIONAL_REQUIREMENTS,
        Feature.PROJECT_METADATA,
    })
    legacy = False

    def detect(self, filename: str, head: str) -> int:
        text = head.lstrip("\ufeff")
        if not _POETRY.search(text):
            return 0
        return 40 if self.legacy is False else 0

    def read(self, text: str, options: ReadOptions) -> Manifest:
        from ..reader import read_pyproject

        return read_pyproject(text, options, format_name=self.name)

    def write(self, manifest: Manifest, *, base: str | None, report: Report, options: WriteOptions) -> str:
        from .writer import write_poetry

        return write_poetry(manifest, base=base, report=report, options=options, legacy=self.legacy)


class Poetry1Format(PoetryFormat):
    name = "poetry1"
    description = "pyproject.toml in Poetry 1's legacy [tool.poetry] layout"
    legacy = True
