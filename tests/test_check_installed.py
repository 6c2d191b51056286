"""``check --installed``: what pip check says, from metadata alone (pip check itself is the oracle)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from depglot.check import check_installed, check_manifest_against
from depglot.cli import build_app
from depglot.env import inspect_prefix, inspect_python
from tests.test_env import make_conda_prefix, venv_python

__all__ = ["venv_python"]


def test_same_findings_as_pip_check(venv_python: Path) -> None:
    report = check_installed(inspect_python(str(venv_python)))
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv_python), "check", "--disable-pip-version-check"],
        capture_output=True, text=True, check=False,
    )
    assert pip.returncode == 1
    assert sorted(loss.message for loss in report) == sorted(pip.stdout.splitlines())
    assert [(loss.code, Path(loss.span.file).name) for loss in report] == [
        ("installed-missing", "delta-0.3.dist-info"),
        ("installed-mismatch", "alpha-1.0.dist-info"),
        ("installed-mismatch", "localproj-0.2.0.dist-info"),
    ]


def test_markers_are_evaluated_for_that_interpreter(venv_python: Path) -> None:
    env = inspect_python(str(venv_python))
    report = check_installed(env)
    # alpha requires colorama only on win32 and extra-dep only with [x]: neither is reported missing here
    assert not any("colorama" in loss.message or "extra-dep" in loss.message for loss in report)
    forced = env.location.__class__(**{**{s: getattr(env.location, s) for s in env.location.__slots__},
                                       "markers": {**env.location.markers, "sys_platform": "win32"}})
    win = check_installed(env.__class__(location=forced, dists=env.dists))
    assert "alpha 1.0 requires colorama, which is not installed." in [loss.message for loss in win]


def test_manifest_entries_not_satisfied(tmp_path: Path, venv_python: Path) -> None:
    from depglot import api

    req = tmp_path / "requirements.txt"
    req.write_text("alpha==1.0\nbeta>=2\nzeta\nwinonly ; sys_platform == 'nope'\n")
    env = inspect_python(str(venv_python))
    report = check_manifest_against([api.load(req)], env)
    assert [(l.code, l.span.line, l.message) for l in report] == [
        ("manifest-version-mismatch", 2, "'beta>=2' is not satisfied: beta 1.5 is installed"),
        ("manifest-not-installed", 3, f"'zeta' is not installed in {env.location.prefix}"),
    ]


def test_conda_prefix_without_running_anything(tmp_path: Path) -> None:
    prefix = make_conda_prefix(tmp_path)
    info = prefix / "lib" / "python3.11" / "site-packages" / "requests-2.32.3.dist-info" / "METADATA"
    info.write_text(info.read_text() + "Requires-Dist: idna<4,>=2.5\nRequires-Dist: numpy>=2\n")
    report = check_installed(inspect_prefix(str(prefix)))
    assert [loss.message for loss in report] == [
        "requests 2.32.3 requires idna, which is not installed.",
        "requests 2.32.3 has requirement numpy>=2, but you have numpy 1.26.4.",
    ]


def test_cli_installed(tmp_path: Path, venv_python: Path) -> None:
    req = tmp_path / "requirements.txt"
    req.write_text("gamma>=2\n")
    args = ["check", "--installed", "--python", str(venv_python), "--json", str(req)]
    result = CliRunner().invoke(build_app(args), args)
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [l["code"] for l in data["losses"]] == [
        "installed-missing", "installed-mismatch", "installed-mismatch", "manifest-version-mismatch"
    ]
    assert data["losses"][3]["file"] == str(req) and data["losses"][3]["line"] == 1


def test_cli_freeze(venv_python: Path, tmp_path: Path) -> None:
    args = ["freeze", "--python", str(venv_python), "-t", "requirements"]
    result = CliRunner().invoke(build_app(args), args)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:3] == ["alpha==1.0", "beta==1.5", "delta==0.3"]
    assert lines[3].startswith("gamma @ file://") and "#sha256=" in lines[3]
    from depglot import api
    from depglot.ir.model import LocalPath

    editable = api.loads(lines[4] + "\n", "requirements").requirements()[0]  # spelled as the requirements writer likes
    assert (editable.key, editable.editable, editable.source) == (
        "localproj", True, LocalPath(path=str(venv_python.parent.parent.parent / "localproj"))
    )
    out = tmp_path / "freeze.txt"
    args = ["freeze", "--prefix", str(venv_python.parent.parent), "-o", str(out)]
    assert CliRunner().invoke(build_app(args), args).exit_code == 0
    assert out.read_text().splitlines()[0] == "alpha==1.0"
    args = ["freeze", "--prefix", str(tmp_path / "missing")]
    bad = CliRunner().invoke(build_app(args), args)
    assert bad.exit_code == 2 and "no environment at" in bad.stderr


def test_cli_freeze_into_a_group_of_an_existing_pyproject(venv_python: Path, tmp_path: Path) -> None:
    out = tmp_path / "pyproject.toml"
    out.write_text('[project]\nname = "app"\nversion = "1.0"\ndependencies = ["requests>=2"]\n\n'
                   '[dependency-groups]\nlint = ["ruff"]\n')
    args = ["freeze", "--python", str(venv_python), "-t", "pep621+uv", "--group", "env", "-o", str(out)]
    result = CliRunner().invoke(build_app(args), args)
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith('[project]\nname = "app"\nversion = "1.0"\ndependencies = ["requests>=2"]\n')
    assert 'lint = ["ruff"]\nenv = [\n    "alpha==1.0",\n    "beta==1.5",\n    "delta==0.3",\n' in text
    assert f'localproj = {{ path = "{venv_python.parent.parent.parent / "localproj"}", editable = true }}' in text


def test_cli_freeze_excludes_like_pip(venv_python: Path) -> None:
    args = ["freeze", "--python", str(venv_python), "--exclude", "Beta", "--exclude-editable"]
    result = CliRunner().invoke(build_app(args), args)
    assert result.exit_code == 0, result.output
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(venv_python), "freeze", "--all", "--exclude", "Beta",
         "--exclude-editable", "--disable-pip-version-check"], capture_output=True, text=True, check=True,
    ).stdout
    assert result.stdout == pip
    assert [line.split("==")[0].split(" @")[0] for line in result.stdout.splitlines()] == ["alpha", "delta", "gamma"]
