"""Losses, not silence: what a conversion changed or could not carry.

Severity grades by what an installer would do differently:

* ``INFO``: same meaning, new spelling (``^1.2`` written as ``>=1.2,<2.0``).
* ``WARNING``: information dropped or widened in a way installers don't act on by default (comments, index
  names, prereleases admitted by a nearest form).
* ``ERROR``: meaning would change (final releases admitted or excluded, a dependency dropped, a marker lost).

Every code is catalogued in ``docs/losses.md``.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import field
from typing import Any

from ._records import record
from .redact import redact
from .span import Span

__all__ = ["Severity", "Loss", "Report", "REPORT_VERSION"]

REPORT_VERSION = 1


class Severity(enum.IntEnum):
    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use info, warning or error)") from None


@record
class Loss:
    """One thing a conversion could not carry over (or had to interpret): code, severity, where."""

    code: str
    severity: Severity
    message: str
    subject: str | None = None
    span: Span | None = None
    data: Mapping[str, Any] = field(default_factory=dict)

    def concise(self) -> str:
        """``file:line:col: severity[code]: message [key]`` (credentials redacted)."""
        where = self.span.location() if self.span is not None else "<input>"
        key = f" [{self.span.key}]" if self.span is not None and self.span.key else ""
        return redact(f"{where}: {self.severity.label}[{self.code}]: {self.message}{key}")

    def github(self) -> str:
        """A GitHub Actions workflow command (``::warning file=..,line=..::message``)."""
        level = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}[self.severity]
        props = []
        if self.span is not None:
            if self.span.file:
                props.append(f"file={self.span.file}")
            if self.span.line:
                props.append(f"line={self.span.line}")
            if self.span.column:
                props.append(f"col={self.span.column}")
        props.append(f"title={self.code}")
        msg = redact(self.message).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"::{level} {','.join(props)}::{msg}"

    def to_json(self) -> dict[str, Any]:
        span = self.span or Span()
        return {
            "code": self.code,
            "severity": self.severity.label,
            "message": redact(self.message),
            "file": span.file,
            "line": span.line,
            "column": span.column,
            "key": span.key,
            "subject": self.subject,
            "data": {k: redact(v) if isinstance(v, str) else v for k, v in self.data.items()},
        }


class Report:
    """An ordered collection of losses; duplicates (same code, subject and place) are kept once."""

    __slots__ = ("_losses", "_seen")

    def __init__(self, losses: Iterable[Loss] = ()) -> None:
        self._losses: list[Loss] = []
        self._seen: set[tuple[Any, ...]] = set()
        self.extend(losses)

    def add(
        self,
        code: str,
        severity: Severity,
        message: str,
        *,
        subject: str | None = None,
        span: Span | None = None,
        data: Mapping[str, Any] | None = None,
    ) -> Loss:
        loss = Loss(code=code, severity=severity, message=message, subject=subject, span=span, data=dict(data or {}))
        self.append(loss)
        return loss

    def append(self, loss: Loss) -> None:
        ident = (loss.code, loss.subject, loss.span, loss.message)
        if ident in self._seen:
            return
        self._seen.add(ident)
        self._losses.append(loss)

    def extend(self, losses: Iterable[Loss]) -> None:
        for loss in losses:
            self.append(loss)

    @property
    def losses(self) -> tuple[Loss, ...]:
        return tuple(self._losses)

    def codes(self) -> list[str]:
        return [loss.code for loss in self._losses]

    def max_severity(self) -> Severity | None:
        return max((loss.severity for loss in self._losses), default=None)

    def fails(self, threshold: Severity | None) -> bool:
        """True when a loss is at or above ``threshold`` (``None`` means never fail)."""
        worst = self.max_severity()
        return threshold is not None and worst is not None and worst >= threshold

    def to_json(self) -> dict[str, Any]:
        return {"version": REPORT_VERSION, "losses": [loss.to_json() for loss in self._losses]}

    def dumps_json(self) -> str:
        import json

        return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"

    def __iter__(self) -> Iterator[Loss]:
        return iter(self._losses)

    def __len__(self) -> int:
        return len(self._losses)

    def __bool__(self) -> bool:
        return bool(self._losses)

    def __repr__(self) -> str:
        return f"Report({self.codes()!r})"
