"""The offline PyPI <-> conda-forge name map.

Three layers, each winning over the one before: the generated table ``conda_names.tsv`` (cf-graph bot rows, then
grayskull's curated config), depglot's ``conda_names_curated.tsv`` (full packages instead of ``-base`` splits,
identity rows, the conda-only list) and an optional user file (``--name-map FILE``). Tables load lazily, once per
file, into dicts: every lookup is O(1) except the short list of conda-only fnmatch patterns.

Directions:

* :meth:`NameMap.pypi_to_conda`: the conda package of a PyPI project, or ``None`` when the map does not know one
  (the writer then keeps the requirement on pip).
* :meth:`NameMap.conda_to_pypi`: ``(pypi_name, verified)``. ``pypi_name`` is ``None`` for a conda-only package
  (compilers, CUDA, R, system libraries, and conda names the table gives to a different PyPI project, e.g. conda
  ``graphviz`` is the C library, PyPI ``graphviz`` is conda ``python-graphviz``). A conda name the map does not
  know is assumed to be the same PyPI name with ``verified=False``.

User files (docs/conda-names.md): text lines ``pypi_name conda_name [>|<]`` or ``pypi_name = conda_name [>|<]``
(``#`` comments, ``-`` for "none"); or a mapping in JSON, TOML (``.toml``) or YAML (``.yml``/``.yaml``):
``{"pypi": "conda"}`` (null/false/"-" for none), the cf-graph shape ``{"pypi": {"conda_name": "..."}}``, and a
``"-"`` key listing conda-only names or patterns.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass, field
from functools import lru_cache

from ..errors import ParseError
from ..ir.model import canonical_name
from ..span import Span

__all__ = ["NameMap", "load_name_map"]

NONE = "-"


@dataclass(slots=True)
class NameMap:
    to_conda: dict[str, str | None] = field(default_factory=dict)  # canonical PyPI name -> conda name / None
    to_pypi: dict[str, str | None] = field(
        default_factory=dict
    )  # conda name -> PyPI name / None (conda-only)
    table_pypi: dict[str, str] = field(
        default_factory=dict
    )  # generated-table rows (for shadowed conda names)
    patterns: list[str] = field(default_factory=list)  # conda-only fnmatch patterns

    def pypi_to_conda(self, name: str) -> str | None:
        return self.to_conda.get(canonical_name(name))

    def conda_to_pypi(self, conda_name: str) -> tuple[str | None, bool]:
        name = conda_name.lower()
        if name in self.to_pypi:
            return self.to_pypi[name], True
        if any(fnmatch.fnmatchcase(name, pat) for pat in self.patterns):
            return None, True
        key = canonical_name(name)
        other = self.table_pypi.get(key)
        if other is not None and canonical_name(other) != key:
            # the PyPI project of this name is packaged under another conda name: this conda package is not it
            return None, True
        return name, False

    def copy(self) -> NameMap:
        return NameMap(dict(self.to_conda), dict(self.to_pypi), dict(self.table_pypi), list(self.patterns))

    def add(self, pypi: str, conda: str, direction: str = "") -> None:
        """One row (``-`` on either side means none); later rows win."""
        if pypi == NONE and conda == NONE:
            return
        if pypi == NONE:
            if "*" in conda or "?" in conda or "[" in conda:
                self.patterns.append(conda.lower())
            else:
                self.to_pypi[conda.lower()] = None
            return
        key = canonical_name(pypi)
        if direction in ("", ">"):
            self.to_conda[key] = None if conda == NONE else conda
        if direction in ("", "<") and conda != NONE:
            self.to_pypi[conda.lower()] = key


def _rows(text: str, origin: str) -> list[tuple[int, list[str]]]:
    rows = []
    for number, line in enumerate(text.splitlines(), 1):
        body = line.split("#", 1)[0] if not line.lstrip().startswith("#") else ""
        if not body.strip():
            continue
        if "=" in body:  # pypi = conda [>|<]
            left, _, right = body.partition("=")
            parts = [left.strip(), *right.split()]
        else:
            parts = body.split("\t") if "\t" in body else body.split()
        parts = [p.strip() for p in parts]
        while parts and not parts[-1]:
            parts.pop()
        if len(parts) < 2 or len(parts) > 3 or (len(parts) == 3 and parts[2] not in ("", ">", "<")):
            raise ParseError(
                "a name-map line needs a PyPI name, a conda name and an optional direction (> or <)",
                span=Span(file=origin, line=number, column=1),
                source_line=line,
                width=max(1, len(line)),
                hint="write `pypi-name conda-name`, with - for none",
            )
        rows.append((number, parts))
    return rows


def _data(name: str) -> str:
    """A data file shipped beside this module, read through the package's loader (importlib.resources, and the
    tempfile/random modules it imports, would cost ~2.5 ms at every conda conversion's start)."""
    # mypy declares no module-level __loader__ (the import system sets it: a FileLoader with get_data)
    data: bytes = __loader__.get_data(os.path.join(os.path.dirname(__file__), name))  # type: ignore[name-defined]
    return data.decode("utf-8")


def _index(items: list[str], value: str, start: int) -> int:
    try:
        return items.index(value, start)
    except ValueError:
        return -1


def _is_canonical(name: str) -> bool:
    """``canonical_name(name) == name``, without building the canonical name."""
    return name == name.lower() and "_" not in name and "." not in name and "--" not in name


_RANK = {"g": 2, "s": 2, "b": 1}  # origin -> preference when several PyPI projects share a conda name


def _table_rows(table: str) -> tuple[list[str], list[str], list[str]]:
    """The generated table's columns: PyPI names, conda names as written (empty: the same name), origins.

    Split with whole-text string operations (the table has ~12,300 rows; a Python loop per row cost ~11 ms of
    every conda conversion's start)."""
    text = table.replace("\r\n", "\n") if "\r" in table else table
    start = 0
    while text.startswith("#", start):  # the header
        start = text.index("\n", start) + 1
    body = text[start:].rstrip("\n")
    if "\n#" in body or "\n\n" in body:
        body = "\n".join(line for line in body.splitlines() if line and line[0] != "#")
    fields = body.replace("\n", "\t").split("\t") if body else []
    if len(fields) % 3:
        raise ValueError("conda_names.tsv: every row has three tab-separated fields")
    return fields[0::3], fields[1::3], fields[2::3]


@lru_cache(maxsize=1)
def _bundled() -> NameMap:
    table = _data("conda_names.tsv")
    curated = _data("conda_names_curated.tsv")
    nm = NameMap()
    pypis, written, origins = _table_rows(table)
    condas = [conda or pypi for pypi, conda in zip(pypis, written)]
    nm.to_conda = dict(zip(pypis, condas))
    nm.table_pypi = dict(zip(pypis, condas))
    nm.to_pypi = dict(zip(condas, pypis))  # conda -> PyPI: right wherever one row has that conda name
    if len(nm.to_pypi) < len(condas):
        from collections import Counter

        for conda in [c for c, n in Counter(condas).items() if n > 1]:
            # several rows: a PyPI name equal to the conda name, then the preferred origin, then the first name
            best: tuple[int, str] | None = None
            i = -1
            while (i := _index(condas, conda, i + 1)) >= 0:
                pypi = pypis[i]
                same = canonical_name(conda) == pypi if written[i] else _is_canonical(pypi)
                pref = _RANK.get(origins[i], 0) + (4 if same else 0)
                if best is None or pref > best[0] or (pref == best[0] and pypi < best[1]):
                    best = (pref, pypi)
            assert best is not None
            nm.to_pypi[conda] = best[1]
    for _, parts in _rows(curated, "conda_names_curated.tsv"):
        nm.add(parts[0], parts[1], parts[2] if len(parts) > 2 else "")
    return nm


def _read_user(path: str) -> list[tuple[str, str, str]]:
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read().removeprefix("\ufeff")
    except (OSError, UnicodeDecodeError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise ParseError(f"cannot read the name map {path}: {why}", span=Span(file=path)) from None
    lower = path.lower()
    if lower.endswith(".toml"):
        from ..edit.tomlspan import load_toml

        return _mapping_rows(load_toml(text, path, "name-map"), path)
    if lower.endswith((".yml", ".yaml")):
        return _mapping_rows(_load_yaml(text, path), path)
    if lower.endswith(".json") or text.lstrip().startswith("{"):
        import json

        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ParseError(
                f"the name map is not valid JSON: {exc.msg}",
                span=Span(file=path, line=exc.lineno, column=exc.colno),
                source_line=text.splitlines()[exc.lineno - 1] if text.splitlines() else None,
            ) from None
        return _mapping_rows(data, path)
    return [(p[0], p[1], p[2] if len(p) > 2 else "") for _, p in _rows(text, path)]


def _load_yaml(text: str, path: str) -> object:
    """Plain data from a YAML name map (ruamel's safe loader: no object construction)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        return YAML(typ="safe", pure=True).load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        lines = text.splitlines()
        raise ParseError(
            f"the name map is not valid YAML: {exc.problem or exc.context}",
            span=Span(file=path, line=line, column=mark.column + 1 if mark is not None else None),
            source_line=lines[line - 1] if line and 0 < line <= len(lines) else None,
        ) from None
    except (YAMLError, RecursionError) as exc:
        raise ParseError(f"the name map is not valid YAML: {exc}", span=Span(file=path)) from None


def _mapping_rows(data: object, path: str) -> list[tuple[str, str, str]]:
    """Rows of a JSON/TOML/YAML name map: ``{pypi: conda}`` (null, false or "-" for none), the cf-graph shape
    ``{pypi: {conda_name: ...}}``, and ``"-": [conda-only names or patterns]``."""
    if not isinstance(data, dict):
        raise ParseError(
            "a name map must be a mapping {pypi-name: conda-name}",
            span=Span(file=path),
            hint='e.g. torch = "pytorch" (TOML) or torch: pytorch (YAML)',
        )
    out: list[tuple[str, str, str]] = []
    for pypi, value in data.items():
        if pypi == NONE:  # conda-only names
            names = [value] if isinstance(value, str) else value
            if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
                raise ParseError(
                    'name map key "-" lists conda-only names: a string or a list of strings',
                    span=Span(file=path, key=NONE),
                )
            out.extend((NONE, n, "") for n in names)
            continue
        conda = value.get("conda_name") if isinstance(value, dict) else value
        if conda is None or conda is False:
            conda = NONE
        if not isinstance(conda, str) or not conda.strip():
            raise ParseError(
                f"name map entry {pypi!r}: the conda name must be a string (null, false or - for none)",
                span=Span(file=path, key=str(pypi)),
            )
        out.append((str(pypi), conda.strip(), ""))
    return out


@lru_cache(maxsize=8)
def _with_user(path: str, mtime: float) -> NameMap:
    nm = _bundled().copy()
    for pypi, conda, direction in _read_user(path):
        nm.add(pypi, conda, direction)
    return nm


def load_name_map(path: str | None = None) -> NameMap:
    """The bundled map, with the user's file (``--name-map``) on top when given."""
    if path is None:
        return _bundled()
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = -1.0
    return _with_user(path, mtime)
