"""Credentials in index URLs, per target tool.

pip and pipenv expand ``${VAR}`` in index URLs, so a URL like ``https://${USER}:${TOKEN}@host/simple`` is kept
as written for them. uv and Poetry do not expand variables in index URLs; they read credentials from environment
variables named after the index instead. :func:`credential_env_hint` says which, for the pep621/uv and poetry
writers to report.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

from ..ir.model import Index

__all__ = [
    "credential_env_hint",
    "env_references",
    "has_credentials",
    "poetry_env_name",
    "strip_credentials",
    "uv_env_name",
]

_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def env_references(url: str) -> tuple[str, ...]:
    """``${VAR}`` names used in ``url``, in order."""
    return tuple(dict.fromkeys(_ENV.findall(url)))


def has_credentials(url: str) -> bool:
    try:
        netloc = urlsplit(url).netloc
    except ValueError:  # a URL urllib cannot split (an unclosed IPv6 bracket): look at its authority text
        netloc = url.split("://", 1)[-1].split("/", 1)[0]
    return "@" in netloc


def strip_credentials(url: str) -> str:
    """``https://user:token@host/simple`` -> ``https://host/simple`` (what uv/Poetry should be given)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def uv_env_name(name: str) -> str:
    """uv: the index name upper-cased, every non-alphanumeric character as ``_`` (``UV_INDEX_<NAME>_...``)."""
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def poetry_env_name(name: str) -> str:
    """Poetry: the source name upper-cased with ``-`` and ``.`` as ``_`` (``POETRY_HTTP_BASIC_<NAME>_...``)."""
    return re.sub(r"[^A-Z0-9]", "_", name.upper())


def credential_env_hint(index: Index, target: str) -> str | None:
    """What to tell the user when ``index`` carries credentials or ``${VAR}`` references and ``target`` does not
    expand them in URLs; ``None`` when nothing needs saying (pip, pipenv, PDM, requirements, conda keep the URL).

    ``target`` is a format name (``pep621+uv``, ``uv``, ``poetry``, ``poetry1``). Pass the index as the writer
    names it (uv and Poetry derive the variable names from the index name).
    """
    url = index.url
    refs = env_references(url)
    if not refs and not has_credentials(url):
        return None
    tool = target.split("+", 1)[0].lower()
    flavour = target.split("+", 1)[1].lower() if "+" in target else ""
    try:
        host = urlsplit(strip_credentials(url)).hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        host = None
    name = index.name or (host or "index").split(".")[0]
    source = f"${{{'}, ${'.join(refs)}}}" if refs else "credentials"
    if tool in ("uv", "uv-lock") or (tool == "pep621" and flavour == "uv"):
        env = uv_env_name(name)
        return (f"uv does not expand {source} in index URLs; write the URL without them and set "
                f"UV_INDEX_{env}_USERNAME and UV_INDEX_{env}_PASSWORD for index {name!r}")
    if tool in ("poetry", "poetry1"):
        env = poetry_env_name(name)
        return (f"Poetry does not expand {source} in source URLs; write the URL without them and set "
                f"POETRY_HTTP_BASIC_{env}_USERNAME and POETRY_HTTP_BASIC_{env}_PASSWORD for source {name!r}")
    return None
