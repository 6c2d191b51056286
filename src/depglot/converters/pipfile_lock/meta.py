"""The ``_meta`` block of a Pipfile.lock: pipenv's Pipfile hash, sources and requires.

pipenv (2026.x, ``pipenv.utils.pipfile.Pipfile.calculate_hash``) hashes the Pipfile the way plette's
``Pipfile.get_hash()`` does, except that every package key of ``[packages]``, ``[dev-packages]`` and custom
categories is replaced by its PEP 503 canonical name first::

    {"_meta": {"sources": [[source]] or pipenv's default, "requires": [requires] or {}},
     "default": packages, "develop": dev-packages, <category>: ...}
    -> json.dumps(sort_keys=True, separators=(",", ":")) -> sha256 hex

``[scripts]``, ``[pipenv]`` and ``[pipfile]`` do not take part. A Pipfile without ``[[source]]`` is hashed with
pipenv's default source (PyPI); pipenv itself takes that default from the user's pip configuration when pip.conf
sets an index, so such a Pipfile's hash can differ from machine to machine (depglot uses pipenv's built-in
default, as pipenv does with an empty pip configuration).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = ["DEFAULT_SOURCE", "PIPFILE_SPEC", "pipfile_hash", "pipfile_hash_data", "populate_source"]

DEFAULT_SOURCE: dict[str, Any] = {"url": "https://pypi.org/simple", "verify_ssl": True, "name": "pypi"}
PIPFILE_SPEC = 6
# plette's PIPFILE_SECTIONS plus the names pipenv skips: none of these is a package category.
_NOT_CATEGORIES = frozenset(
    {"source", "packages", "dev-packages", "requires", "scripts", "pipfile", "pipenv", "default", "develop"}
)
_SEP = re.compile(r"[-_.]+")


def _canonical(name: str) -> str:
    return _SEP.sub("-", name).lower()


def _section(values: Any) -> Any:
    if not isinstance(values, Mapping):
        return values
    return {_canonical(k): v for k, v in values.items()}


def pipfile_hash_data(data: Mapping[str, Any]) -> str:
    """The sha256 pipenv writes into ``_meta.hash`` for a Pipfile parsed into ``data``."""
    sources = data["source"] if "source" in data else [dict(DEFAULT_SOURCE)]
    out: dict[str, Any] = {
        "_meta": {"sources": sources, "requires": data.get("requires", {})},
        "default": _section(data.get("packages", {})),
        "develop": _section(data.get("dev-packages", {})),
    }
    for category, values in data.items():
        if category in _NOT_CATEGORIES:
            continue
        out[category] = _section(values)
    content = json.dumps(out, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def pipfile_hash(text: str) -> str:
    """pipenv's hash of a Pipfile's text (tomllib parse; a BOM is tolerated)."""
    import tomllib

    body = text.removeprefix("\ufeff")
    return pipfile_hash_data(tomllib.loads(body))


def populate_source(source: Mapping[str, Any]) -> dict[str, Any]:
    """A ``[[source]]`` as pipenv copies it into ``_meta.sources``: name from the URL's host and verify_ssl
    from its scheme when missing (``pipenv.utils.sources.Sources.populate_source``)."""
    from urllib.parse import urlsplit

    out = dict(source)
    url = str(out["url"])
    if "name" not in out:
        parts = urlsplit(url)
        out["name"] = parts.hostname or parts.path.rstrip("/").rsplit("/", 1)[-1] or None
    if "verify_ssl" not in out:
        out["verify_ssl"] = "https://" in url
    if not isinstance(out["verify_ssl"], bool):
        out["verify_ssl"] = str(out["verify_ssl"]).lower() == "true"
    return out
