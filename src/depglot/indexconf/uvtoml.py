"""``uv.toml`` (and ``[tool.uv]`` settings of the same shape): uv's index configuration.

``[[index]]`` tables (``name``, ``url``, ``default``, ``explicit``, ``format = "flat"``) and the pip-style keys
``index-url``, ``extra-index-url``, ``find-links``, ``no-index`` at the top level or under ``[pip]``. Other
settings have no place in a manifest and are reported (``index-config-setting-ignored``).
"""

from __future__ import annotations

from typing import Any

from ..errors import ParseError
from ..ir.model import Index, IndexRole
from ..report import Loss, Severity
from ..span import Span
from .model import IndexConfig

__all__ = ["read_uv_toml"]

_PIP_KEYS = ("index-url", "extra-index-url", "find-links", "no-index")


def _span(text: str, path: str | None, key: tuple[str | int, ...]) -> Span:
    from ..edit.tomlspan import TomlLocator

    return TomlLocator(text, file=path).span(*key)


def read_uv_toml(text: str, path: str | None = None) -> IndexConfig:
    from ..edit.tomlspan import load_toml

    body = text.lstrip("\ufeff")
    return index_config_from_uv(load_toml(body, path, "uv.toml"), body, path)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def index_config_from_uv(doc: dict[str, Any], text: str, path: str | None, prefix: tuple[str, ...] = ()) -> IndexConfig:
    indexes: list[Index] = []
    losses: list[Loss] = []
    no_index = False
    for i, table in enumerate(doc.get("index", []) if isinstance(doc.get("index"), list) else []):
        if not isinstance(table, dict) or not isinstance(table.get("url"), str):
            raise ParseError("an [[index]] entry needs a url string", span=_span(text, path, (*prefix, "index", i)))
        if table.get("format") == "flat":
            role = IndexRole.FIND_LINKS
        elif table.get("explicit") is True:
            role = IndexRole.EXPLICIT
        elif table.get("default") is True:
            role = IndexRole.DEFAULT
        else:
            role = IndexRole.PRIMARY
        name = table.get("name") if isinstance(table.get("name"), str) else None
        indexes.append(Index(name=name, url=table["url"], role=role, span=_span(text, path, (*prefix, "index", i))))
    for scope in ((), ("pip",)):
        table = doc
        for part in scope:
            table = table.get(part) if isinstance(table.get(part), dict) else {}
        for key in _PIP_KEYS:
            if key not in table:
                continue
            where = _span(text, path, (*prefix, *scope, key))
            if key == "index-url":
                indexes.extend(Index(name=None, url=u, role=IndexRole.DEFAULT, span=where) for u in _strings(table[key]))
            elif key == "extra-index-url":
                indexes.extend(Index(name=None, url=u, role=IndexRole.EXTRA, span=where) for u in _strings(table[key]))
            elif key == "find-links":
                indexes.extend(Index(name=None, url=u, role=IndexRole.FIND_LINKS, span=where) for u in _strings(table[key]))
            elif key == "no-index":
                no_index = no_index or table[key] is True
    for key in doc:
        if key not in (*_PIP_KEYS, "index", "pip"):
            losses.append(Loss(code="index-config-setting-ignored", severity=Severity.INFO,
                               message=f"uv setting {key!r} has no place in a manifest; not carried", subject=key,
                               span=_span(text, path, (*prefix, key))))
    return IndexConfig(path=path, tool="uv", indexes=tuple(indexes), no_index=no_index, losses=tuple(losses))
