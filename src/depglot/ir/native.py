"""The IR as JSON, for other tools: ``{"ir-version": 1, "manifest": {...}}``.

Every dataclass becomes an object of its fields; sources carry a ``"kind"`` tag; a version spec is stored as its
spelling (``raw``, ``dialect``) and exact PEP 440 text (``pep440``, ``null`` when PEP 440 cannot say it), and its
meaning is rebuilt on load by the dialect that wrote it (imported lazily, only for non-PEP 440 specs).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from typing import Any

from ..errors import ParseError
from ..report import Loss, Severity
from ..span import Span
from . import model
from .versions import VersionSpec, pep440_range

__all__ = ["IR_VERSION", "to_json", "from_json", "dumps", "loads"]

IR_VERSION = 1

_SOURCES: dict[str, type] = {
    "index": model.IndexRef,
    "vcs": model.Vcs,
    "path": model.LocalPath,
    "url": model.Url,
    "conda": model.CondaPackage,
}
_SOURCE_KIND = {cls: kind for kind, cls in _SOURCES.items()}

# dialect -> (module in depglot.dialects, parse function) used to rebuild meanings that PEP 440 cannot say
_DIALECT_PARSERS = {
    "poetry": ("poetry", "parse"),
    "pipfile": ("pipfile", "parse_version"),
    "conda": ("conda", "parse_version"),
    "pep440": ("pep440", "parse"),
}


def _encode(value: Any) -> Any:
    if isinstance(value, VersionSpec):
        return {"raw": value.raw, "dialect": value.dialect, "pep440": value.pep440}
    if isinstance(value, Severity):
        return value.label
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        kind = _SOURCE_KIND.get(type(value))
        if kind is not None:
            out["kind"] = kind
        for f in dataclasses.fields(value):
            v = getattr(value, f.name)
            if v is None or v == () or v == {} or v is False and f.default is False:
                continue
            out[f.name] = _encode(v)
        return out
    if isinstance(value, (tuple, list)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _encode(v) for k, v in value.items()}
    if hasattr(value, "isoformat"):  # TOML dates in Raw values
        return value.isoformat()
    return value


def to_json(manifest: model.Manifest) -> dict[str, Any]:
    return {"ir-version": IR_VERSION, "manifest": _encode(manifest)}


def dumps(manifest: model.Manifest) -> str:
    return json.dumps(to_json(manifest), indent=2, ensure_ascii=False) + "\n"


def _version(data: dict[str, Any]) -> VersionSpec:
    raw, dialect, pep440 = data.get("raw", ""), data.get("dialect", "pep440"), data.get("pep440")
    if pep440 is not None:
        return VersionSpec(raw=raw, dialect=dialect, versions=pep440_range(pep440), pep440=pep440)
    module, func = _DIALECT_PARSERS.get(dialect, ("pep440", "parse"))
    parse = getattr(importlib.import_module(f"depglot.dialects.{module}"), func)
    spec: VersionSpec = parse(raw)
    return spec


def _tuple(items: Any, build: Any) -> tuple[Any, ...]:
    return tuple(build(i) for i in items or ())


def _span(d: Any) -> Span | None:
    return Span(**d) if d else None


def _raw(d: dict[str, Any]) -> model.Raw:
    return model.Raw(format=d["format"], key=d["key"], value=d.get("value"), span=_span(d.get("span")))


def _source(d: Any) -> Any:
    if not d:
        return None
    d = dict(d)
    cls = _SOURCES[d.pop("kind")]
    return cls(**d)


def _requirement(d: dict[str, Any]) -> model.Requirement:
    return model.Requirement(
        name=d.get("name", ""),
        extras=tuple(d.get("extras", ())),
        version=_version(d["version"]) if d.get("version") else None,
        marker=d.get("marker"),
        source=_source(d.get("source")),
        editable=d.get("editable", False),
        optional=d.get("optional", False),
        allow_prereleases=d.get("allow_prereleases"),
        hashes=tuple(d.get("hashes", ())),
        options=tuple(tuple(o) for o in d.get("options", ())),
        comments=tuple(d.get("comments", ())),
        raw=_tuple(d.get("raw"), _raw),
        span=_span(d.get("span")),
    )


def _group(d: dict[str, Any]) -> model.Group:
    return model.Group(
        name=d["name"],
        kind=model.GroupKind(d.get("kind", "main")),
        requirements=_tuple(d.get("requirements"), _requirement),
        includes=tuple(d.get("includes", ())),
        optional=d.get("optional", False),
        comments=tuple(d.get("comments", ())),
        raw=_tuple(d.get("raw"), _raw),
        span=_span(d.get("span")),
    )


def _index(d: dict[str, Any]) -> model.Index:
    return model.Index(
        name=d.get("name"),
        url=d["url"],
        role=model.IndexRole(d.get("role", "default")),
        verify_ssl=d.get("verify_ssl"),
        raw=_tuple(d.get("raw"), _raw),
        span=_span(d.get("span")),
    )


def _lockfile(d: dict[str, Any]) -> model.LockFile:
    return model.LockFile(**{**d, "hashes": tuple(d.get("hashes", ()))})


def _locked(d: dict[str, Any]) -> model.LockedPackage:
    return model.LockedPackage(
        name=d["name"],
        version=d.get("version"),
        marker=d.get("marker"),
        source=_source(d.get("source")),
        index=d.get("index"),
        files=_tuple(d.get("files"), _lockfile),
        groups=tuple(d.get("groups", ())),
        extras=tuple(d.get("extras", ())),
        requires_python=d.get("requires_python"),
        dependencies=tuple(d.get("dependencies", ())),
        raw=_tuple(d.get("raw"), _raw),
        span=_span(d.get("span")),
    )


def _loss(d: dict[str, Any]) -> Loss:
    return Loss(
        code=d["code"],
        severity=Severity.parse(d["severity"]),
        message=d["message"],
        subject=d.get("subject"),
        span=_span(d.get("span")),
        data=d.get("data", {}),
    )


def from_json(data: dict[str, Any]) -> model.Manifest:
    version = data.get("ir-version")
    if version != IR_VERSION:
        raise ParseError(
            f"unsupported ir-version {version!r} (this depglot reads {IR_VERSION})", span=Span(key="ir-version")
        )
    m = data.get("manifest")
    if not isinstance(m, dict) or "format" not in m:
        raise ParseError("missing 'manifest' object with a 'format'", span=Span(key="manifest"))
    project = m.get("project")
    lock = m.get("lock")
    try:
        return model.Manifest(
            format=m["format"],
            project=model.Project(
                name=project.get("name"),
                version=project.get("version"),
                metadata=tuple((k, v) for k, v in project.get("metadata", ())),
                raw=_tuple(project.get("raw"), _raw),
            )
            if project
            else None,
            python=_version(m["python"]) if m.get("python") else None,
            groups=_tuple(m.get("groups"), _group),
            indexes=_tuple(m.get("indexes"), _index),
            no_index=m.get("no_index", False),
            index_strategy=m.get("index_strategy"),
            allow_prereleases=m.get("allow_prereleases"),
            channels=tuple(m.get("channels", ())),
            options=tuple(
                model.Option(name=o["name"], value=o.get("value"), span=_span(o.get("span")))
                for o in m.get("options", ())
            ),
            includes=tuple(tuple(i) for i in m.get("includes", ())),
            lock=model.Lock(
                packages=_tuple(lock.get("packages"), _locked),
                version=lock.get("version"),
                content_hash=lock.get("content_hash"),
                raw=_tuple(lock.get("raw"), _raw),
            )
            if lock
            else None,
            comments=tuple(m.get("comments", ())),
            raw=_tuple(m.get("raw"), _raw),
            losses=_tuple(m.get("losses"), _loss),
            span=_span(m.get("span")),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ParseError(f"malformed IR JSON: {exc}", span=Span(key="manifest")) from None


def loads(text: str) -> model.Manifest:
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        raise ParseError(
            f"invalid JSON: {exc.msg}",
            span=Span(line=exc.lineno, column=exc.colno),
            source_line=text.splitlines()[exc.lineno - 1] if text.splitlines() else None,
        ) from None
    if not isinstance(data, dict):
        raise ParseError("IR JSON must be an object with 'ir-version' and 'manifest'")
    return from_json(data)
