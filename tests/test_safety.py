"""Hostile repositories: depglot never executes project code, never fetches, never loads YAML objects, never
writes through a symlink, keeps -r includes inside the root, and never shows credentials (but keeps them in the
files it writes)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import depglot
from depglot.errors import DepglotError, IncludeError

from .conftest import CORPUS

TOKEN_URL = "https://user:s3cr3t-token@example.com/pkgs/requests-2.31.0-py3-none-any.whl"


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "depglot", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_yaml_tags_never_construct_python_objects(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = (f"name: x\ndependencies:\n  - python=3.11\n"
            f"  - !!python/object/apply:os.system ['touch {marker}']\n")
    for fmt in ("conda", "conda-lock"):
        with pytest.raises(DepglotError):
            depglot.loads(text, fmt, path="environment.yml")
    (tmp_path / "environment.yml").write_text(text)
    result = cli("convert", "environment.yml", "-t", "requirements", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert not marker.exists()


def test_setup_py_is_never_executed(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    (tmp_path / "setup.py").write_text(f"open({str(marker)!r}, 'w').write('ran')\n"
                                       "from setuptools import setup\nsetup(name='x', install_requires=['a'])\n")
    (tmp_path / "requirements.txt").write_text("-e .\nflask>=2\n")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "1"\ndynamic = ["dependencies"]\n')
    for args in (("convert", "requirements.txt", "-t", "pep621"), ("show", "requirements.txt"),
                 ("show", "pyproject.toml"), ("check", "."), ("migrate", ".", "--to", "uv", "--check"),
                 ("diff", "requirements.txt", "pyproject.toml"), ("normalize", ".", "--check")):
        result = cli(*args, cwd=tmp_path)
        assert "Traceback" not in result.stderr, (args, result.stderr)
        assert not marker.exists(), args


@pytest.mark.skipif(not CORPUS.exists(), reason="shared corpus absent")
def test_no_network_while_reading_and_writing_the_corpus(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    converted = 0
    for path in sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "MANIFEST.tsv"):
        try:
            text, fmt = depglot.api.read_text(path)
            manifest = depglot.loads(text, fmt, path=str(path))
            for target in (fmt, "requirements", "pep621"):
                depglot.dumps(manifest, target)
        except DepglotError:
            continue
        converted += 1
    assert converted > 100


def test_includes_stay_inside_the_root_unless_allowed(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "outside.txt").write_text("secret-package==1\n")
    (repo / "requirements.txt").write_text("-r ../outside.txt\nflask\n")
    with pytest.raises(IncludeError) as exc:
        depglot.load(repo / "requirements.txt", follow_includes=True, root=repo)
    assert exc.value.span is not None and exc.value.span.line == 1
    manifest = depglot.load(repo / "requirements.txt", follow_includes=True, root=repo, allow_outside=True)
    assert "secret-package" in {r.name for g in manifest.groups for r in g.requirements}
    result = cli("convert", "requirements.txt", "-t", "pep621", "--follow-includes", cwd=repo)
    assert result.returncode == 2 and "outside" in result.stderr and "Traceback" not in result.stderr


def test_symlinked_output_is_refused(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask>=2\n")
    target = tmp_path / "elsewhere" / "Pipfile"
    target.parent.mkdir()
    target.write_text("# untouched\n")
    (tmp_path / "link").symlink_to(target)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    for out in ("link", "dangling"):
        result = cli("convert", "requirements.txt", "-t", "pipfile", "-o", out, cwd=tmp_path)
        assert result.returncode == 2 and "symlink" in result.stderr
    assert target.read_text() == "# untouched\n"
    assert not (tmp_path / "nowhere").exists()


def test_credentials_are_redacted_everywhere_but_kept_in_written_files(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text(f"requests @ {TOKEN_URL}\nflask>=2\n")
    result = cli("convert", "requirements.txt", "-t", "pipfile", "-o", "Pipfile", "--report-json", "r.json",
                 cwd=tmp_path)
    assert result.returncode in (0, 1)
    assert "s3cr3t-token" in (tmp_path / "Pipfile").read_text()  # the written file keeps it exactly
    assert "s3cr3t-token" not in (tmp_path / "r.json").read_text()
    json.loads((tmp_path / "r.json").read_text())
    for fmt in ("json", "github"):
        result = cli("convert", "requirements.txt", "-t", "pep621", "--output-format", fmt, "-o", "out.toml",
                     cwd=tmp_path)
        assert "s3cr3t-token" not in result.stdout + result.stderr
        assert "s3cr3t-token" in (tmp_path / "out.toml").read_text()
    for args in (("show", "requirements.txt"), ("show", "requirements.txt", "--json")):
        result = cli(*args, cwd=tmp_path)
        assert result.returncode == 0 and "s3cr3t-token" not in result.stdout + result.stderr
        assert "example.com" in result.stdout
    (tmp_path / "bad.txt").write_text(f"requests @ {TOKEN_URL} ; python_version >>> '3'\n")
    result = cli("convert", "bad.txt", "-f", "requirements", "-t", "pipfile", cwd=tmp_path)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "s3cr3t-token" not in result.stdout + result.stderr and "bad.txt:1" in result.stderr
