"""conda's own records of what it installed: ``<prefix>/conda-meta/*.json`` (one per package)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .._records import record
from ..report import Loss, Severity
from ..span import Span

__all__ = ["CondaRecord", "channel_name", "read_conda_meta"]


@record
class CondaRecord:
    """A package installed by conda, as its ``conda-meta/*.json`` record says."""

    name: str
    version: str
    build: str | None
    channel: str | None  # as recorded (a URL or a name); see ``channel_name``
    path: str
    files: tuple[str, ...] = ()
    requested_spec: str | None = None

    @property
    def channel_name(self) -> str | None:
        """``https://conda.anaconda.org/conda-forge/linux-64`` -> ``conda-forge``; ``pkgs/main`` -> ``defaults``."""
        return channel_name(self.channel)


_SUBDIRS = frozenset({"noarch", "linux-64", "linux-aarch64", "linux-ppc64le", "linux-32", "osx-64", "osx-arm64",
                      "win-64", "win-32", "win-arm64", "linux-s390x", "emscripten-wasm32", "wasi-wasm32"})
_ANACONDA_HOSTS = ("conda.anaconda.org", "repo.anaconda.com")


def channel_name(channel: str | None) -> str | None:
    """The channel as environment files name it (anaconda.org URLs shortened, other URLs kept)."""
    if not channel:
        return None
    ch = channel.rstrip("/")
    head, sep, tail = ch.rpartition("/")
    if sep and tail in _SUBDIRS:
        ch = head
    if "://" not in ch:
        return "defaults" if ch.startswith("pkgs/") else ch
    host, _, path = ch.split("://", 1)[1].partition("/")
    if host in _ANACONDA_HOSTS and path:
        if path.startswith("t/"):  # token URL: t/<token>/<channel>
            path = path.split("/", 2)[2] if path.count("/") >= 2 else path
        return "defaults" if path.startswith("pkgs/") else path
    return ch


def read_conda_meta(prefix: str) -> tuple[list[CondaRecord], list[Loss]]:
    records: list[CondaRecord] = []
    problems: list[Loss] = []
    meta = Path(prefix) / "conda-meta"
    for path in sorted(meta.glob("*.json")):
        try:
            data = json.loads(path.read_bytes().decode("utf-8"))
            name, version = data["name"], data["version"]
            if not isinstance(name, str) or not isinstance(version, str):
                raise TypeError
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else "not a conda package record"
            problems.append(Loss(code="env-broken-dist", severity=Severity.WARNING,
                                 message=f"{path.name}: {reason}; skipped", subject=path.name,
                                 span=Span(file=os.fspath(path)), data={"path": os.fspath(path)}))
            continue
        files = data.get("files") if isinstance(data.get("files"), list) else []
        records.append(CondaRecord(
            name=name,
            version=version,
            build=data.get("build") if isinstance(data.get("build"), str) else None,
            channel=data.get("channel") if isinstance(data.get("channel"), str) else None,
            path=os.fspath(path),
            files=tuple(f for f in files if isinstance(f, str)),
            requested_spec=data.get("requested_spec") if isinstance(data.get("requested_spec"), str) else None,
        ))
    return records, problems
