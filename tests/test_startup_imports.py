"""Start-up regression guard: what a single-file ``depglot convert`` imports (issue 3/12's start-up goal).

Not a timed test: each case runs ``depglot convert ...`` in a fresh interpreter, records ``sys.modules`` when it
exits, and asserts that modules known to be heavy, or to belong to other formats, are not imported. Module sets do
not depend on how loaded the machine is, so this holds where timings cannot. Modules the bare interpreter already
imports (site hooks) are subtracted. (``-X importtime`` would miss modules loaded through
``importlib.import_module``, as the registry loads converters.)
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from .conftest import CORPUS

# Never needed by a single-file conversion between these formats.
ALWAYS_FORBIDDEN = {
    "packaging.requirements",  # PEP 508 lines: depglot's own scanner (dialects/pep508.py)
    "packaging.tags",
    "packaging._manylinux",
    "importlib.metadata",  # entry points: scanned only when no built-in claims a name
    "rich",
    "pydantic",
    "depglot.ir.diff",
    "depglot.ir.native",
    "depglot.migrate",
    "depglot.edit.codemods",
    "depglot.cli.check",
    "depglot.cli.codemods",
    "depglot.cli.diff",
    "depglot.cli.freeze",
    "depglot.cli.migrate",
    "depglot.cli.show",
}
OTHER_CONVERTERS = {
    "depglot.converters.conda",
    "depglot.converters.conda_lock",
    "depglot.converters.freeze",
    "depglot.converters.native",
    "depglot.converters.pdm_lock",
    "depglot.converters.pipfile",
    "depglot.converters.pipfile_lock",
    "depglot.converters.poetry_lock",
    "depglot.converters.pylock",
    "depglot.converters.pyproject",
    "depglot.converters.requirements",
    "depglot.converters.script",
    "depglot.converters.uv_lock",
}


def _imported(args: list[str], cwd: Path) -> set[str]:
    env = dict(os.environ)
    src = str(Path(__file__).resolve().parents[1] / "src")
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")

    def modules(argv: list[str] | None) -> set[str]:
        out = cwd / ".modules.txt"
        code = (
            "import atexit, sys\n"
            f"atexit.register(lambda: open({str(out)!r}, 'w').write('\\n'.join(sorted(sys.modules))))\n"
        )
        if argv is not None:
            code += f"import runpy\nsys.argv = {['depglot', *argv]!r}\nrunpy.run_module('depglot', run_name='__main__')\n"
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=cwd, env=env,
                              check=False)
        assert proc.returncode in (0, 1), proc.stderr[-2000:]
        names = set(out.read_text().splitlines())
        out.unlink()
        return names

    return modules(args) - modules(None)


def _check(imported: set[str], forbidden: set[str], needed: set[str]) -> None:
    assert needed <= imported, f"the case did not run as expected: {sorted(needed - imported)} missing"
    bad = sorted(m for m in imported if m in forbidden or any(m.startswith(f + ".") for f in forbidden))
    assert not bad, f"imported at start-up, should not be: {bad}"


def _requirements_file(directory: Path) -> Path:
    lines = ["# thirty requirements", "--index-url https://pypi.org/simple"]
    lines += [f'package-{i}[extra]>=1.{i},<2 ; python_version >= "3.9"  # why {i}' for i in range(28)]
    path = directory / "requirements.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_requirements_to_requirements(tmp_path: Path) -> None:
    src = _requirements_file(tmp_path)
    imported = _imported(["convert", src.name, "-t", "requirements", "-o", "out.txt"], tmp_path)
    _check(
        imported,
        ALWAYS_FORBIDDEN
        | (OTHER_CONVERTERS - {"depglot.converters.requirements"})
        | {
            # no packaging module at all: markers and specifiers of the common shapes are checked by depglot's own
            # scanners (dialects/pep508.py), and VersionSpec.versions is computed on first use, which a same-format
            # write never asks for
            "packaging",
            "tomlkit",
            "ruamel",
            "json",
            "hashlib",
            "depglot.converters.requirements.includes",  # -r/-c are kept as references unless followed
            "depglot.ir.lock",
            "depglot.ir.project",
            "depglot.indexconf",
        },
        {"depglot.converters.requirements", "depglot.converters.requirements.reader",
         "depglot.converters.requirements.writer"},
    )
    assert (tmp_path / "out.txt").read_text() == src.read_text()


def test_requirements_to_pep621(tmp_path: Path) -> None:
    src = _requirements_file(tmp_path)
    imported = _imported(["convert", src.name, "-t", "pep621"], tmp_path)
    _check(
        imported,
        ALWAYS_FORBIDDEN
        | (OTHER_CONVERTERS - {"depglot.converters.requirements", "depglot.converters.pyproject"})
        | {"packaging", "ruamel", "json", "hashlib", "depglot.converters.pyproject.poetry",
           "depglot.converters.pyproject.reader", "depglot.converters.requirements.writer",
           "tomlkit"},  # a fresh file is rendered by depglot.edit.tomlemit; tomlkit only edits a base file
        {"depglot.converters.pyproject.writer", "depglot.edit.tomlemit"},
    )


def _corpus_copy(tmp_path: Path, category: str, contains: str, name: str) -> Path:
    files = sorted((CORPUS / category).glob(f"*{contains}*")) if (CORPUS / category).is_dir() else []
    if not files:
        pytest.skip(f"shared corpus absent ({category})")
    dest = tmp_path / name
    dest.write_bytes(files[0].read_bytes())
    return dest


def test_pipfile_to_poetry(tmp_path: Path) -> None:
    src = _corpus_copy(tmp_path, "pipfile", "psf__black", "Pipfile")
    imported = _imported(["convert", src.name, "-t", "poetry", "--fail-on", "never"], tmp_path)
    _check(
        imported,
        ALWAYS_FORBIDDEN
        | (OTHER_CONVERTERS - {"depglot.converters.pipfile", "depglot.converters.pyproject"})
        | {
            "depglot.converters.pipfile.writer",  # a writer never needs the writer of the source format...
            "depglot.converters.pipfile.layout",
            "depglot.converters.pyproject.reader",  # ...nor the reader of the target format
            "depglot.converters.pyproject.poetry.reader",
            "depglot.converters.pyproject.pep621",
            # no packaging module at all (session 3): Pipfile marker keys of the common shapes are checked by
            # pep508.is_common_marker, and every specifier of this file (">0.1.3" too) is read off its bounds
            # (dialects/_intervals.py, which reads versions without packaging.version)
            "packaging",
            "depglot.dialects.poetry.grammar",  # writing Poetry text needs no Poetry parser
            "hashlib",  # only for keys of unnamed requirements
            "ruamel",
            "json",
            "tomlkit",  # a fresh file is rendered by depglot.edit.tomlemit; tomlkit only edits a base file
        },
        {"depglot.converters.pipfile.reader", "depglot.converters.pyproject.poetry.writer", "depglot.edit.tomlemit"},
    )


@pytest.mark.parametrize(
    "contains",
    [
        "kennethreitz__responder",  # [requires] python_version = "3.11" (not PEP 440 text: Poetry "3.11.*")
        "lnbits__lnbits",  # black = "==20.8b1", a pin to a pre-release
        "python-discord__site",
        "18F__tock",
    ],
)
def test_other_pipfiles_to_poetry_import_no_packaging(tmp_path: Path, contains: str) -> None:
    src = _corpus_copy(tmp_path, "pipfile", contains, "Pipfile")
    imported = _imported(["convert", src.name, "-t", "poetry", "--fail-on", "never"], tmp_path)
    _check(
        imported,
        ALWAYS_FORBIDDEN | {"packaging", "depglot.dialects.poetry.grammar", "tomlkit"},
        {"depglot.converters.pipfile.reader", "depglot.converters.pyproject.poetry.writer"},
    )


def test_pipfile_lock_to_requirements(tmp_path: Path) -> None:
    src = _corpus_copy(tmp_path, "pipfile_lock", "psf__requests", "Pipfile.lock")
    imported = _imported(["convert", src.name, "-t", "requirements", "--all-groups", "--fail-on", "never"], tmp_path)
    _check(
        imported,
        ALWAYS_FORBIDDEN
        | (OTHER_CONVERTERS - {"depglot.converters.pipfile_lock", "depglot.converters.requirements"})
        | {"depglot.converters.pipfile_lock.writer", "tomlkit", "ruamel", "packaging.markers"},
        {"depglot.converters.pipfile_lock.reader", "depglot.converters.requirements.writer"},
    )


def test_environment_yml_to_requirements(tmp_path: Path) -> None:
    src = _corpus_copy(tmp_path, "conda", "__environment.yml", "environment.yml")
    imported = _imported(["convert", src.name, "-t", "requirements", "--fail-on", "never"], tmp_path)
    _check(
        imported,
        ALWAYS_FORBIDDEN
        | (OTHER_CONVERTERS - {"depglot.converters.conda", "depglot.converters.requirements"})
        | {
            "tomlkit",
            "depglot.converters.conda.writer",
            # conda literals that are plain releases (2022.4.26) or carry a letter no PEP 440 word has (openssl's
            # 1.1.1n) become PEP 440 text without packaging.version (session 3)
            "packaging",
        },
        {"depglot.converters.conda.reader", "depglot.converters.requirements.writer"},
    )


def test_detection_by_content_imports_only_plausible_formats(tmp_path: Path) -> None:
    """A file whose name matches no pattern is detected by content without importing every converter."""
    src = _requirements_file(tmp_path)
    odd = src.rename(tmp_path / "requirements.list")  # no file-name pattern matches
    imported = _imported(["convert", odd.name, "-t", "requirements"], tmp_path)
    _check(
        imported,
        OTHER_CONVERTERS - {"depglot.converters.requirements", "depglot.converters.freeze"},
        {"depglot.converters.requirements.reader"},
    )


def test_bundled_name_map_read_with_string_operations_equals_a_row_by_row_reading() -> None:
    """data/conda_names.py reads its ~12,300-row table with whole-text splits (session 3: ~23 -> ~6 ms of every
    conda conversion); the maps (and their order) are the row-by-row reading's."""
    from importlib import resources

    from depglot.data.conda_names import NameMap, _bundled, _rows
    from depglot.ir.model import canonical_name

    table = resources.files("depglot.data").joinpath("conda_names.tsv").read_text(encoding="utf-8")
    curated = resources.files("depglot.data").joinpath("conda_names_curated.tsv").read_text(encoding="utf-8")
    expected = NameMap()
    reverse: dict[str, tuple[int, str]] = {}
    rank = {"g": 2, "s": 2, "b": 1}
    for line in table.splitlines():
        if not line or line[0] == "#":
            continue
        pypi, conda, origin = line.split("\t")
        conda = conda or pypi
        expected.to_conda[pypi] = conda
        expected.table_pypi[pypi] = conda
        pref = rank.get(origin, 0) + (4 if canonical_name(conda) == pypi else 0)
        best = reverse.get(conda)
        if best is None or pref > best[0] or (pref == best[0] and pypi < best[1]):
            reverse[conda] = (pref, pypi)
    expected.to_pypi = {conda: pypi for conda, (_, pypi) in reverse.items()}
    for _, parts in _rows(curated, "conda_names_curated.tsv"):
        expected.add(parts[0], parts[1], parts[2] if len(parts) > 2 else "")
    got = _bundled()
    for field in ("to_conda", "to_pypi", "table_pypi", "patterns"):
        assert list(getattr(got, field).items() if field != "patterns" else got.patterns) == list(
            getattr(expected, field).items() if field != "patterns" else expected.patterns
        ), field
    assert len({c for c in got.to_pypi}) < len(got.to_conda) + len(got.to_pypi)  # (a real table was read)


def test_conda_conversion_loads_no_importlib_resources(tmp_path: Path) -> None:
    src = _corpus_copy(tmp_path, "conda", "__environment.yml", "environment.yml")
    imported = _imported(["convert", src.name, "-t", "requirements", "--fail-on", "never"], tmp_path)
    _check(imported, {"importlib.resources", "json"}, {"depglot.data.conda_names"})


_EXTRAS_PYPROJECT = """\
[project]
name = "x"
version = "1"
dependencies = ["a>=1,<2", "b==1.0", "c>=2"]

[project.optional-dependencies]
same = ["a>=1,<2", "b==1.0"]
respelled = ["b==1.0.0"]
more = ["a>=1,<2", "d"]
"""


def test_extras_loss_grades_by_spelling_before_building_version_sets() -> None:
    """extras-dropped is a WARNING when each requirement of the extra is a main requirement too: equal spellings
    decide without building version sets (nor importing packaging.ranges); other spellings of the same set still
    count (then the sets are built), and a requirement main lacks makes it an ERROR."""
    code = textwrap.dedent(
        f"""
        import sys
        import depglot
        m = depglot.loads({_EXTRAS_PYPROJECT!r}, "pep621")
        out = depglot.dumps(m, "pipfile")  # a Pipfile has no extras: each is dropped with a graded loss
        got = sorted((l.subject, l.severity.label) for l in out.report if l.code == "extras-dropped")
        assert got == [("more", "error"), ("respelled", "warning"), ("same", "warning")], got
        print("packaging.ranges" in sys.modules)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "True"  # "respelled" (==1.0.0 vs ==1.0) needed the sets; "same" alone would not


def test_extras_loss_with_equal_spellings_builds_no_version_set() -> None:
    code = textwrap.dedent(
        f"""
        import sys
        import depglot
        text = {_EXTRAS_PYPROJECT!r}.replace('respelled = ["b==1.0.0"]', 'respelled = ["b==1.0"]')
        out = depglot.dumps(depglot.loads(text, "pep621"), "pipfile")
        assert {{l.subject for l in out.report if l.code == "extras-dropped"}} == {{"same", "respelled", "more"}}
        print("packaging.ranges" in sys.modules)
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip() == "False"


def test_poetry_to_uv_builds_no_version_set(tmp_path: Path) -> None:
    """Textualize/rich's Poetry constraints (^, >=, "a, b" groups) are read as PEP 440 text without packaging's
    version, specifier or range modules (the grammar names InvalidVersion only for versions that are not plain
    releases; session 3)."""
    src = _corpus_copy(tmp_path, "poetry", "Textualize__rich__", "pyproject.toml")
    imported = _imported(["convert", src.name, "-t", "uv", "--fail-on", "never"], tmp_path)
    _check(
        imported,
        ALWAYS_FORBIDDEN | {"packaging.version", "packaging.specifiers", "packaging.ranges", "tomlkit"},
        {"depglot.dialects.poetry.grammar", "depglot.converters.pyproject.poetry.reader"},
    )
