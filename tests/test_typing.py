"""depglot is a typed library (``py.typed`` ships): mypy, as pyproject.toml's ``[tool.mypy]`` configures it, passes.

mypy is in the ``test`` extra, so a missing mypy fails here rather than skipping. Each run uses a fresh cache
directory: it is a cold run (about 10 s here), and it neither depends on nor leaves a cache in the work tree.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "depglot"


def _mypy(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(cache), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_mypy_passes_on_every_module(tmp_path: Path) -> None:
    proc = _mypy(cache=tmp_path / "cache")  # files, strictness and overrides come from [tool.mypy]
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    # every module is checked: nothing is excluded (the generated _records_gen only has its untyped defs allowed)
    modules = sum(1 for _ in PACKAGE.rglob("*.py"))
    assert f"Success: no issues found in {modules} source files" in proc.stdout, output


def test_the_configuration_is_strict(tmp_path: Path) -> None:
    """The configuration the package passes does reject what it should: a wrong return type, an untyped function,
    an unused ``type: ignore`` and a ``type: ignore`` that silences nothing specific."""
    bad = tmp_path / "bad.py"
    bad.write_text(textwrap.dedent("""\
        def wrong() -> int:
            return "text"


        def untyped(x):
            return x


        value: int = 1  # type: ignore[assignment]
    """))
    proc = _mypy("--config-file", str(ROOT / "pyproject.toml"), str(bad), cache=tmp_path / "cache")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    for code in ("[return-value]", "[no-untyped-def]", "[unused-ignore]"):
        assert code in output, (code, output)
