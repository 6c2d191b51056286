"""A written requirements file with --hash on some lines only is one pip refuses: the writer says so (hashes-partial).

Oracle: pip itself, ``pip install --dry-run --no-index --find-links <local wheels> --no-deps -r FILE`` on small
files (three hand-built wheels, a local project directory): pip refuses exactly the files depglot warns about. On
the corpus, pip's requirements-file parser tells which written lines carry hashes, are editable, VCS or local
directories.
"""

from __future__ import annotations

import base64
import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from depglot import api
from depglot.api import Selection
from depglot.errors import DepglotError
from depglot.report import Severity
from tests.conftest import CORPUS, corpus_params

pytest.importorskip("pip")

ALL = Selection(all_groups=True, all_extras=True)


def _wheel(folder: Path, name: str) -> str:
    """A minimal valid wheel ``name-1.0``; its sha256."""
    path = folder / f"{name}-1.0-py3-none-any.whl"
    info = f"{name}-1.0.dist-info"
    files = {f"{name}/__init__.py": "", f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
             f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: t\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = []
    with zipfile.ZipFile(path, "w") as z:
        for p, text in files.items():
            z.writestr(p, text)
            digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
            record.append(f"{p},sha256={digest},{len(text)}")
        z.writestr(f"{info}/RECORD", "\n".join([*record, f"{info}/RECORD,,"]) + "\n")
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("hashmode")
    (root / "wheels").mkdir()
    hashes = {n: _wheel(root / "wheels", n) for n in ("alpha", "beta", "gamma")}
    (root / "localpkg").mkdir()
    (root / "localpkg" / "pyproject.toml").write_text('[project]\nname = "localpkg"\nversion = "1.0"\n')
    (root / "inc.txt").write_text("beta==1.0\n")
    return root, hashes


def pip_accepts(root: Path, text: str) -> tuple[bool, str]:
    path = root / "case.txt"
    path.write_text(text, encoding="utf-8")
    run = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--find-links", str(root / "wheels"),
         "--no-deps", "--disable-pip-version-check", "--quiet", "-r", str(path)],
        capture_output=True, text=True, cwd=root, timeout=300, check=False,
    )
    return run.returncode == 0, run.stderr


# (case, file text with {alpha}/{beta}/{root} filled in, pip refuses it)
CASES = [
    ("all hashed", "alpha==1.0 --hash=sha256:{alpha}\nbeta==1.0 --hash=sha256:{beta}\n", False),
    ("no hashes", "alpha==1.0\nbeta==1.0\n", False),
    ("one line without", "alpha==1.0 --hash=sha256:{alpha}\nbeta==1.0\n", True),
    ("a direct URL without", "alpha==1.0 --hash=sha256:{alpha}\nbeta @ file://{root}/wheels/beta-1.0-py3-none-any.whl\n",
     True),
    ("a direct URL with", ("alpha==1.0 --hash=sha256:{alpha}\n"
                           "beta @ file://{root}/wheels/beta-1.0-py3-none-any.whl --hash=sha256:{beta}\n"), False),
    ("an editable", "alpha==1.0 --hash=sha256:{alpha}\n-e ./localpkg\n", True),
    ("a local directory", "alpha==1.0 --hash=sha256:{alpha}\n./localpkg\n", True),
    # pip merges the hash sets of lines naming one project
    ("same name hashed elsewhere", "alpha==1.0 --hash=sha256:{alpha}\nbeta==1.0 --hash=sha256:{beta}\nalpha==1.0\n",
     False),
    # constraints need no hashes; an unpinned requirement with a hash is accepted by pip 26
    ("a constraints file", "alpha==1.0 --hash=sha256:{alpha}\n-c inc.txt\n", False),
    ("unpinned with a hash", "alpha==1.0 --hash=sha256:{alpha}\nbeta>=1.0 --hash=sha256:{beta}\n", False),
]


@pytest.mark.parametrize(("case", "template", "refused"), CASES, ids=[c[0] for c in CASES])
def test_warns_exactly_when_pip_refuses(site: tuple[Path, dict[str, str]], case: str, template: str,
                                        refused: bool) -> None:
    root, hashes = site
    text = template.format(root=root, **hashes)
    accepted, stderr = pip_accepts(root, text)
    assert accepted is not refused, stderr  # the case says what pip does
    manifest = api.loads(text, "requirements", path="case.txt")
    for base in (None, text):
        conv = api.dumps(manifest, "requirements", base=base)
        assert pip_accepts(root, conv.text)[0] is accepted  # the written file is the same to pip
        losses = [loss for loss in conv.report if loss.code == "hashes-partial"]
        assert len(losses) == int(refused), (case, base is None, losses)
        assert all(loss.severity is Severity.WARNING for loss in losses)
        if base is not None:
            assert conv.text == text  # nothing is changed: the hashes stay
    # --no-hashes writes a file pip accepts (when nothing pip cannot hash remains) and warns of nothing
    conv = api.dumps(manifest, "requirements", no_hashes=True)
    assert "hashes-partial" not in conv.report.codes()
    if case not in ("an editable", "a local directory"):
        assert pip_accepts(root, conv.text)[0]


def test_a_followed_include_is_checked_with_its_lines(site: tuple[Path, dict[str, str]]) -> None:
    root, hashes = site
    text = f"alpha==1.0 --hash=sha256:{hashes['alpha']}\n-r inc.txt\n"
    (root / "main.txt").write_text(text)
    assert not pip_accepts(root, text)[0]  # pip needs hashes for the -r file's requirements too
    conv = api.dumps(api.load(root / "main.txt", "requirements", follow_includes=True), "requirements")
    [loss] = [loss for loss in conv.report if loss.code == "hashes-partial"]
    assert loss.data["missing"] == ["beta"] and loss.span is not None and loss.span.file.endswith("inc.txt")


def test_message_counts_and_names_what_lacks_hashes() -> None:
    h = "a" * 64
    text = "".join(f"p{i}==1.0 --hash=sha256:{h}\n" for i in range(3)) + "".join(f"q{i}==1.0\n" for i in range(7))
    text += "-e ./here\ngit+https://github.com/o/r@v1#egg=r\n"
    conv = api.dumps(api.loads(text, "requirements", path="r.txt"), "requirements")
    [loss] = [loss for loss in conv.report if loss.code == "hashes-partial"]
    assert loss.message == (
        "7 of 12 requirements have no --hash (q0, q1, q2, q3, q4, ...); 2 cannot be hash-checked at all: "
        "./here (editable), r (a VCS checkout). One --hash puts pip in --require-hashes mode, and pip then refuses "
        "the file; the hashes are kept: add the missing ones (pip-compile --generate-hashes), leave out what pip "
        "cannot hash, or write with --no-hashes"
    )
    assert (loss.span.file, loss.span.line) == ("r.txt", 4)
    assert loss.data == {"missing": [f"q{i}" for i in range(7)], "unhashable": ["./here", "r"], "requirements": 12}


def _pip_lines(path: Path) -> list[tuple[str, bool, bool, bool]]:
    """(name, hashed, editable, unhashable link) per requirement line of a written file, as pip parses it."""
    from pip._internal.network.session import PipSession
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req.req_file import RequirementsFileParser, get_line_parser, handle_requirement_line

    rows = []
    parser = RequirementsFileParser(PipSession(), get_line_parser(None))
    for line in parser._parse_file(str(path), constraint=False):  # this file's lines (-r files are not read)
        if line.requirement is None:
            continue
        if line.is_editable:  # refused in hash-checking mode whatever it is (pip would also stat the path here)
            rows.append(("", False, True, False))
            continue
        ireq = install_req_from_parsed_requirement(handle_requirement_line(line))
        link = ireq.link
        directory = link is not None and link.scheme == "file" and not link.is_wheel and not any(
            link.filename.lower().endswith(ext) for ext in (".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".tar"))
        rows.append((ireq.name or "", bool(ireq.hash_options), ireq.editable,
                     bool(link is not None and (link.is_vcs or directory))))
    return rows


def _pip_refuses(rows: list[tuple[str, bool, bool, bool]]) -> bool:
    if not any(hashed for _, hashed, _, _ in rows):
        return False
    hashed_names = {name.lower() for name, hashed, _, _ in rows if hashed and name}
    return any(editable or unhashable or not (hashed or (name and name.lower() in hashed_names))
               for name, hashed, editable, unhashable in rows)


SOURCES = corpus_params("hashed_requirements", "requirements", "pipfile_lock", "poetry_lock", "uv_lock", "pdm_lock",
                        "conda_lock", "pylock")


@pytest.mark.parametrize("path", SOURCES)
def test_corpus_requirements_output_warns_when_pip_would_refuse_it(path: Path, tmp_path: Path) -> None:
    try:
        conv = api.dumps(api.load(path), "requirements", selection=ALL)
    except DepglotError:
        pytest.skip("not convertible to requirements (reported as an error)")
    out = tmp_path / "requirements.txt"
    out.write_text(conv.text, encoding="utf-8")
    assert ("hashes-partial" in conv.report.codes()) is _pip_refuses(_pip_lines(out))


def test_corpus_sources_with_partial_hashes_are_the_known_ones() -> None:
    """~13 corpus sources give a partly hashed requirements file (conda-lock's conda packages written under PyPI
    names, lock entries for local paths, a requirements file with VCS lines among hashed ones)."""
    if not CORPUS.is_dir():
        pytest.skip("shared corpus not found")
    warned = []
    for cat in ("hashed_requirements", "requirements", "pipfile_lock", "poetry_lock", "uv_lock", "pdm_lock",
                "conda_lock", "pylock"):
        for path in sorted((CORPUS / cat).iterdir()):
            try:
                conv = api.dumps(api.load(path), "requirements", selection=ALL)
            except DepglotError:
                continue
            if "hashes-partial" in conv.report.codes():
                warned.append(f"{cat}/{path.name}")
    assert "conda_lock/Cecca__repro-course-ci__conda-lock.yml" in warned
    assert "requirements/alphagov__notifications-api__requirements.txt" in warned
    assert 10 <= len(warned) <= 20, warned
