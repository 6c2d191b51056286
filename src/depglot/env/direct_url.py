"""PEP 610 ``direct_url.json``: where a distribution installed from a URL, a VCS or a local directory came from."""

from __future__ import annotations

import json

from .._records import record
from ..dialects.pep508 import parse_url
from ..ir.model import LocalPath, Source, Url, Vcs

__all__ = ["DirectUrl", "parse_direct_url"]


@record
class DirectUrl:
    """A distribution's ``direct_url.json`` (PEP 610): where it was installed from."""

    url: str
    source: Source
    editable: bool = False
    hashes: tuple[str, ...] = ()


def parse_direct_url(text: str) -> DirectUrl:
    """Raises ``ValueError`` with a reason when the record is not valid PEP 610."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        raise ValueError("no 'url' string")
    url: str = data["url"]
    subdirectory = data.get("subdirectory") if isinstance(data.get("subdirectory"), str) else None
    vcs_info = data.get("vcs_info")
    if isinstance(vcs_info, dict) and isinstance(vcs_info.get("vcs"), str):
        rev = vcs_info.get("commit_id") or vcs_info.get("requested_revision")
        base = url
        source: Source = Vcs(vcs=vcs_info["vcs"], url=base, rev=rev if isinstance(rev, str) else None,
                             rev_kind="rev" if vcs_info.get("commit_id") else None, subdirectory=subdirectory)
        return DirectUrl(url=url, source=source)
    dir_info = data.get("dir_info")
    if isinstance(dir_info, dict):
        parsed = parse_url(url)
        if isinstance(parsed, Url):  # a file: URL of something that looks like an archive name
            parsed = LocalPath(path=url)
        if isinstance(parsed, LocalPath) and subdirectory:
            parsed = LocalPath(path=parsed.path, subdirectory=subdirectory)
        return DirectUrl(url=url, source=parsed, editable=bool(dir_info.get("editable", False)))
    archive_info = data.get("archive_info")
    if isinstance(archive_info, dict):
        hashes: list[str] = []
        if isinstance(archive_info.get("hashes"), dict):
            hashes = [f"{k}:{v}" for k, v in archive_info["hashes"].items()]
        elif isinstance(archive_info.get("hash"), str):
            hashes = [archive_info["hash"].replace("=", ":", 1)]
        return DirectUrl(url=url, source=Url(url=url, subdirectory=subdirectory), hashes=tuple(hashes))
    raise ValueError("none of vcs_info, dir_info or archive_info")
