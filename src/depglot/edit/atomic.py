"""Writing one file so that it is never half-written: temp file in the same directory, fsync, rename.

The multi-file plan with its journal (``edit/plan.py``) builds on this.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile

from ..errors import WriteError

__all__ = ["atomic_write", "TEMP_PREFIX"]

TEMP_PREFIX = ".depglot-tmp-"


def atomic_write(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically, keeping its mode; never follows a symlinked target."""
    target = os.fspath(path)
    if os.path.islink(target):
        raise WriteError(f"refusing to write through the symlink {target}", hint="write to the real file instead")
    directory = os.path.dirname(os.path.abspath(target))
    mode: int | None = None
    with contextlib.suppress(FileNotFoundError):
        mode = stat.S_IMODE(os.stat(target).st_mode)
    try:
        fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=directory)
    except OSError as exc:
        raise WriteError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise WriteError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
