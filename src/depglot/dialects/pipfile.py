"""Pipfile version strings, marker keys and python requirement, as pipenv reads them, checked like pip would.

* Version strings: ``"*"`` (or empty) is any version; a string that does not start with a PEP 440 operator gets
  ``==`` prefixed (pipenv's rule: ``"1.2.3"`` -> ``==1.2.3``, ``"1.2.*"`` -> ``==1.2.*``); the result must be valid
  PEP 440. Poetry syntax (``"^1.2"``, which pipenv turns into the invalid ``==^1.2``), ``"~=1"`` and ``"=1.2"``
  (which pipenv would turn into ``===1.2``) are :class:`~depglot.errors.ParseError`\\ s with their location, not
  silently "repaired".
* Marker keys: every key of packaging's ``default_environment()`` (``sys_platform``, ``os_name``,
  ``platform_machine``, ``python_version``, ...) with a value carrying its operator (``sys_platform = "== 'win32'"``)
  plus ``markers = "..."`` become one PEP 508 marker joined with ``and`` in table order, ``or`` operands
  parenthesised. Unlike pipenv, ``os_name`` is kept (pipenv drops it) and a ``markers`` text mentioning ``extra``
  is kept as written.
* ``[requires]``: ``python_version = "3.11"`` means ``==3.11.*``; ``python_full_version = "3.11.4"`` means
  ``==3.11.4`` and wins when both are set.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from ..errors import ParseError
from ..ir.versions import VersionSpec, validate_pep440
from ..report import Report
from ..span import Span
from . import pep440
from ._common import admits_all, located_error
from .markers import and_markers

__all__ = [
    "MARKER_KEYS",
    "keys_from_marker",
    "markers_from_keys",
    "parse_version",
    "python_requirement",
    "render_version",
    "requires_from_python",
]

DIALECT = "pipfile"

MARKER_KEYS = (
    "implementation_name",
    "implementation_version",
    "os_name",
    "platform_machine",
    "platform_python_implementation",
    "platform_release",
    "platform_system",
    "platform_version",
    "python_full_version",
    "python_version",
    "sys_platform",
)
# distlib's COMPARE_OP, which pipenv's install path uses to decide whether to prefix "=="
_COMPARE_OP = re.compile(r"^(<=?|>=?|={2,3}|[~!]=)")


def parse_version(text: str, *, span: Span | None = None) -> VersionSpec:
    """A Pipfile version string (``"*"``, ``"1.2.3"``, ``">=1.2,<2"``) as a VersionSpec of dialect ``pipfile``."""
    try:
        return _parse_version(text)
    except _Invalid as exc:
        raise located_error(
            "version",
            text,
            exc.offset,
            exc.reason,
            dialect=DIALECT,
            span=span,
            width=exc.width,
            hint=exc.hint,
        ) from None


class _Invalid(Exception):
    def __init__(self, offset: int, reason: str, width: int = 1, hint: str | None = None) -> None:
        super().__init__(reason)
        self.offset, self.reason, self.width, self.hint = offset, reason, width, hint


@lru_cache(maxsize=65536)
def _parse_version(text: str) -> VersionSpec:
    stripped = text.strip()
    if stripped in ("", "*"):
        return VersionSpec(raw=text, dialect=DIALECT, pep440="")
    lead = len(text) - len(text.lstrip())
    if _COMPARE_OP.match(stripped):
        effective = stripped
    elif stripped[0] in "^~=<>!":
        hint = None
        if stripped[0] == "^" or (stripped[0] == "~" and not stripped.startswith("~=")):
            hint = "this is Poetry syntax; write a PEP 440 range such as '>=1.2,<2.0'"
        elif stripped[0] == "=":
            hint = "write '==' for an exact pin (pipenv would read '=' as '===', arbitrary equality)"
        raise _Invalid(lead, f"operator {stripped[:1]!r} is not PEP 440", 1, hint)
    else:
        effective = f"=={stripped}"
    try:
        spec = pep440.parse(effective)
    except ParseError as exc:
        # the position inside the effective text, less the "==" we added
        added = len(effective) - len(stripped)
        col = (exc.span.column or 1) - 1 if exc.span is not None else 0
        reason = (
            exc.message.split(": ", 1)[1].rsplit(" (at position", 1)[0]
            if ": " in exc.message
            else exc.message
        )
        hint = "'~=' needs two release components, e.g. '~=1.0'" if stripped.startswith("~=") else None
        raise _Invalid(lead + max(0, col - added), reason, exc.width, hint) from None
    return VersionSpec(raw=text, dialect=DIALECT, pep440=spec.pep440)  # the set is built when first asked for


def render_version(
    spec: VersionSpec | None,
    *,
    report: Report | None = None,
    subject: str | None = None,
    span: Span | None = None,
) -> str:
    """A Pipfile version string: ``"*"`` for any, a Pipfile/PEP 440 spec as written, else exact PEP 440 text.

    Sets PEP 440 cannot say (unions) widen as :func:`depglot.dialects.pep440.render` does, with its loss.
    """
    if spec is None or admits_all(spec):
        return "*"
    if spec.dialect == DIALECT:
        return spec.raw.strip()
    if spec.dialect == "pep440":
        return spec.raw.strip()
    return pep440.render(spec, report=report, subject=subject, span=span)


# ----------------------------------------------------------------------------------------------------- markers


def markers_from_keys(table: Mapping[str, Any], *, span: Span | None = None) -> str | None:
    """One PEP 508 marker from a Pipfile entry's marker keys and ``markers`` text (``None`` when there are none).

    Each marker key's value must carry its operator (``sys_platform = "== 'win32'"``); the result is validated by
    packaging, and errors point at the offending key.
    """
    from .pep508 import is_common_marker

    parts: list[str] = []
    for key, value in table.items():
        if key != "markers" and key not in MARKER_KEYS:
            continue
        where = span.child(key) if span is not None else Span(key=key)
        if not isinstance(value, str):
            raise ParseError(
                f"marker key {key!r} must be a string like \"== 'value'\", not {value!r}",
                span=where,
                dialect=DIALECT,
            )
        text = value.strip() if key == "markers" else f"{key} {value.strip()}"
        if not text.strip():
            continue
        if is_common_marker(text):  # (packaging.markers, and packaging.tags with it, load only for the rest)
            parts.append(text)
            continue
        from packaging.markers import InvalidMarker, Marker

        try:
            Marker(text)
        except InvalidMarker:
            hint = None
            if key != "markers" and not re.match(r"^(===?|!=|<=?|>=?|~=|not in|in)\s", value.strip() + " "):
                hint = f"the value carries its operator: {key} = \"== '{value.strip()}'\""
            raise located_error(
                f"marker key {key!r}",
                value,
                0,
                f"{text!r} is not a valid PEP 508 marker",
                dialect=DIALECT,
                span=where,
                width=max(1, len(value)),
                hint=hint,
            ) from None
        parts.append(text)
    return and_markers(*parts)


def keys_from_marker(marker: str | None) -> dict[str, str]:
    """The inverse where possible: a marker that is an ``and`` of ``key op 'value'`` comparisons on marker keys
    becomes Pipfile marker keys (``{"sys_platform": "== 'win32'"}``); anything else goes to ``markers``.
    """
    if marker is None or not marker.strip():
        return {}
    from .markers import has_top_level_or

    if has_top_level_or(marker) or "(" in marker:
        return {"markers": marker}
    out: dict[str, str] = {}
    pieces = re.split(r"\s+and\s+", marker.strip())
    pattern = re.compile(r"^(\w+)\s*(===|==|!=|<=|>=|~=|<|>|not in|in)\s*(['\"][^'\"]*['\"])$")
    for piece in pieces:
        m = pattern.match(piece.strip())
        if m is None or m.group(1) not in MARKER_KEYS or m.group(1) in out:
            return {"markers": marker}
        out[m.group(1)] = f"{m.group(2)} {m.group(3)}"
    return out


# ----------------------------------------------------------------------------------------------- python


def python_requirement(
    python_version: str | None = None, python_full_version: str | None = None, *, span: Span | None = None
) -> VersionSpec | None:
    """``[requires]`` as a python version set: ``python_full_version`` (``==V``) wins over ``python_version``
    (``==V.*``); ``None`` when neither is set.
    """
    if python_full_version is not None and python_full_version.strip():
        text = python_full_version.strip()
        effective = f"=={text}"
    elif python_version is not None and python_version.strip():
        text = python_version.strip()
        effective = f"=={text}.*"
    else:
        return None
    try:
        validate_pep440(effective)
    except ValueError:  # packaging's InvalidSpecifier
        raise located_error(
            "python requirement",
            text,
            0,
            f"{text!r} is not a python version",
            dialect=DIALECT,
            span=span,
            width=max(1, len(text)),
        ) from None
    return VersionSpec(raw=text, dialect=DIALECT, pep440=effective)


def requires_from_python(spec: VersionSpec | None) -> tuple[str, str] | None:
    """``("python_version", "3.11")`` or ``("python_full_version", "3.11.4")`` saying ``spec`` exactly, else ``None``
    (a range: ``[requires]`` cannot hold it; the caller reports what it drops).
    """
    if spec is None or spec.is_any:
        return None
    from packaging.specifiers import SpecifierSet

    text = pep440.to_pep440(spec)
    if text is None:
        return None
    clauses = list(SpecifierSet(text))
    if len(clauses) != 1 or clauses[0].operator != "==":
        return None
    version = clauses[0].version
    if version.endswith(".*"):
        return ("python_version", version[:-2])
    return ("python_full_version", version)
