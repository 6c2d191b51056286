"""Installer configuration as extra sources of indexes and channels: ``pip.conf``/``pip.ini``, ``uv.toml``,
``.condarc``.

:func:`read_index_config` reads one file (the kind told by its name, or ``tool=``); :func:`merge` adds what it
says to a manifest the way the installer combines them: the manifest's own default index wins over the
configuration's (``index-config-overridden``), extra indexes and find-links are added when not already there,
``no-index`` holds when either says it, channels follow the manifest's. Credentials stay in the URLs exactly as
given; messages redact them.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import DepglotError
from ..ir.model import IndexRole, Manifest
from ..redact import redact
from ..report import Loss, Severity
from .condarc import read_condarc
from .credentials import credential_env_hint, env_references, has_credentials, strip_credentials
from .model import IndexConfig
from .pipconf import read_pip_conf
from .uvtoml import read_uv_toml

__all__ = [
    "IndexConfig",
    "credential_env_hint",
    "env_references",
    "has_credentials",
    "merge",
    "read_condarc",
    "read_index_config",
    "read_pip_conf",
    "read_uv_toml",
    "strip_credentials",
    "tool_of",
]


def tool_of(path: str | os.PathLike[str]) -> str:
    name = Path(path).name.lower()
    if name in ("pip.conf", "pip.ini") or name.endswith((".conf", ".ini")):
        return "pip"
    if name == "uv.toml" or name.endswith(".toml"):
        return "uv"
    if name in (".condarc", "condarc") or name.endswith((".condarc", ".yml", ".yaml")):
        return "conda"
    raise DepglotError(f"cannot tell which installer reads {os.fspath(path)}",
                       hint="name it pip.conf/pip.ini, uv.toml or .condarc")


def read_index_config(path: str | os.PathLike[str], tool: str | None = None) -> IndexConfig:
    """Read ``path`` as the configuration of ``tool`` (pip, uv, conda; told by the file name when omitted)."""
    from ..api import decode

    kind = tool or tool_of(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise DepglotError(f"cannot read {os.fspath(path)}: {exc.strerror or exc}") from None
    text = decode(data, os.fspath(path))
    if kind == "pip":
        return read_pip_conf(text, os.fspath(path))
    if kind == "uv":
        return read_uv_toml(text, os.fspath(path))
    if kind == "conda":
        return read_condarc(text, os.fspath(path))
    raise DepglotError(f"unknown installer {kind!r}", hint="use pip, uv or conda")


def _same_url(a: str, b: str) -> bool:
    return a.rstrip("/") == b.rstrip("/")


def merge(manifest: Manifest, config: IndexConfig) -> Manifest:
    """``manifest`` with the configuration's indexes, options and channels added (its losses travel along)."""
    losses: list[Loss] = list(config.losses)
    indexes = list(manifest.indexes)
    has_default = any(i.role is IndexRole.DEFAULT for i in indexes)
    for index in config.indexes:
        if any(_same_url(index.url, i.url) for i in indexes):
            continue
        if index.role is IndexRole.DEFAULT and has_default:
            losses.append(Loss(code="index-config-overridden", severity=Severity.INFO,
                               message=f"{config.tool} configuration index {redact(index.url)!r} not used: the "
                               "manifest names its own default index, which the installer prefers",
                               subject=index.url, span=index.span))
            continue
        indexes.append(index)
    if config.indexes and any(i.role is IndexRole.DEFAULT for i in config.indexes) and not has_default:
        # the configuration's default index goes first, as installers list it
        indexes.sort(key=lambda i: i.role is not IndexRole.DEFAULT)
    options = list(manifest.options)
    for option in config.options:
        if option not in options and not any(o.name == option.name and o.value == option.value for o in options):
            options.append(option)
    channels = list(manifest.channels)
    for channel in config.channels:
        if channel not in channels:
            channels.append(channel)
    return manifest.replace(
        indexes=tuple(indexes),
        no_index=manifest.no_index or config.no_index,
        options=tuple(options),
        channels=tuple(channels),
        losses=(*manifest.losses, *losses),
    )


