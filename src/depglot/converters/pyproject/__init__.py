"""pyproject.toml formats: PEP 621 (with its uv and pdm flavours) and Poetry, over one shared reader.

:func:`~.reader.read_pyproject` reads every table depglot knows (``[project]``, ``[dependency-groups]``,
``[tool.uv]``, ``[tool.pdm]``, ``[tool.poetry]``) into one Manifest; the format names choose the writer.
Format classes live in their modules (``pep621.Pep621Format``, ``poetry.PoetryFormat``) so the registry imports
only what it uses.
"""

from __future__ import annotations

__all__ = ["read_pyproject"]


def __getattr__(name: str) -> object:  # the reader is loaded when reading, not when a pyproject writer is used
    if name == "read_pyproject":
        from .reader import read_pyproject

        return read_pyproject
    raise AttributeError(name)
