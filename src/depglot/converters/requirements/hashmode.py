"""pip's hash-checking mode, which one ``--hash`` turns on for the whole file: what a written file would be refused for.

Measured with pip 26 (``pip install --dry-run --no-index --find-links DIR --no-deps -r FILE``; see
tests/converters/test_requirements_write_hashes.py):

* once any requirement has a hash, every requirement needs one ("Hashes are required in --require-hashes mode, but
  they are missing from some requirements") — a direct URL too (``name @ file:///x.whl`` needs ``--hash``), and so do
  the requirements of a ``-r`` file;
* a line without hashes passes when another line of the same name has them (pip merges their hash sets), and a
  line whose marker excludes the environment is skipped (it still fails where the marker holds);
* an editable requirement, a local directory and a VCS checkout are refused whatever they carry ("cannot be
  installed when requiring hashes, because there is no single file to hash", "Can't verify hashes ... directories");
* ``-c`` constraints need no hashes, and an unpinned requirement with a hash is accepted.

Nothing is changed (the hashes stay; the user can regenerate or drop them): the writer reports ``hashes-partial``.
"""

from __future__ import annotations

from ...ir.model import LocalPath, Requirement, Vcs
from ...report import Report, Severity
from .._naming import location
from .urls import ARCHIVES

__all__ = ["check_hash_mode"]


def _label(req: Requirement) -> str:
    return req.name or location(req) or "<unnamed>"


def _unhashable(req: Requirement) -> str | None:
    """Why pip refuses ``req`` in hash-checking mode whatever hashes it carries (None: a hash would do)."""
    if req.editable:
        return "editable"
    if isinstance(req.source, Vcs):
        return "a VCS checkout"
    if isinstance(req.source, LocalPath) and not req.source.path.lower().endswith(ARCHIVES):
        return "a local directory"
    return None


def check_hash_mode(reqs: list[Requirement], report: Report) -> None:
    """Report (``hashes-partial``, warning) a file pip refuses because some requirements have hashes and others
    lack them or cannot have any (see the module docstring)."""
    if not any(r.hashes for r in reqs):
        return
    hashed = {r.key for r in reqs if r.hashes and r.name}
    missing: list[Requirement] = []
    refused: list[tuple[Requirement, str]] = []
    for r in reqs:
        why = _unhashable(r)
        if why is not None:
            refused.append((r, why))
        elif not r.hashes and not (r.name and r.key in hashed):
            missing.append(r)
    if not missing and not refused:
        return
    parts = []
    if missing:
        names = ", ".join(_label(r) for r in missing[:5]) + (", ..." if len(missing) > 5 else "")
        parts.append(f"{len(missing)} of {len(reqs)} requirements have no --hash ({names})")
    if refused:
        names = ", ".join(f"{_label(r)} ({why})" for r, why in refused[:5]) + (", ..." if len(refused) > 5 else "")
        parts.append(f"{len(refused)} cannot be hash-checked at all: {names}")
    first = (missing or [r for r, _ in refused])[0]
    report.add(
        "hashes-partial", Severity.WARNING,
        f"{'; '.join(parts)}. One --hash puts pip in --require-hashes mode, and pip then refuses the file; the hashes "
        f"are kept: {'add the missing ones (pip-compile --generate-hashes), ' if missing else ''}"
        f"{'leave out what pip cannot hash, ' if refused else ''}or write with --no-hashes",
        subject="hashes", span=first.span,
        data={"missing": [_label(r) for r in missing], "unhashable": [_label(r) for r, _ in refused],
              "requirements": len(reqs)},
    )
