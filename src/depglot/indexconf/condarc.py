"""``.condarc``: the conda channels an environment is solved against (``channels``, in order)."""

from __future__ import annotations

from ..errors import ParseError
from ..report import Loss, Severity
from ..span import Span
from .model import IndexConfig

__all__ = ["read_condarc"]

_CHANNEL_KEYS = ("channels", "default_channels", "custom_channels", "channel_alias", "channel_priority")


def read_condarc(text: str, path: str | None = None) -> IndexConfig:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        doc = YAML(typ="safe", pure=True).load(text.lstrip("\ufeff"))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ParseError(f"not valid YAML: {getattr(exc, 'problem', None) or exc}",
                         span=Span(file=path, line=line, column=(mark.column + 1) if mark is not None else None)) from None
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        raise ParseError(".condarc must be a mapping of settings", span=Span(file=path, line=1, column=1))
    channels = doc.get("channels") or []
    if not isinstance(channels, list) or not all(isinstance(c, str) for c in channels):
        raise ParseError("channels must be a list of channel names or URLs", span=Span(file=path, key="channels"))
    losses = []
    for key in doc:
        if key in _CHANNEL_KEYS[1:]:
            losses.append(Loss(code="index-config-setting-ignored", severity=Severity.WARNING,
                               message=f"conda setting {key!r} changes where channels resolve; environment files "
                               "cannot say it, not carried", subject=str(key), span=Span(file=path, key=str(key))))
    return IndexConfig(path=path, tool="conda", channels=tuple(channels), losses=tuple(losses))
