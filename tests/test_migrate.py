"""``depglot migrate``: finding and merging a project's manifests, writing the target as one plan, oracles."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from .conftest import FIXTURES, corpus_params
from depglot import api
from depglot.cli import build_app
from depglot.edit.atomic import TEMP_PREFIX
from depglot.errors import DepglotError
from depglot.migrate import find_sources, group_of, plan_migration

runner = CliRunner()


def cli(*args: str, cwd: Path):  # type: ignore[no-untyped-def]
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(build_app(list(args)), list(args))
    finally:
        os.chdir(old)


@pytest.fixture
def pipenv_project(tmp_path: Path) -> Path:
    dst = tmp_path / "proj"
    shutil.copytree(FIXTURES / "repo2", dst)
    return dst


def _reqs(m) -> dict[tuple[str, str], tuple]:  # type: ignore[no-untyped-def]
    """Every requirement by (group, name): extras, exact version set, marker, source."""
    out = {}
    for g in m.groups:
        for r in g.requirements:
            versions = r.version.versions if r.version is not None else None
            out[(g.name, r.key)] = (tuple(sorted(r.extras)), versions, r.marker, r.source)
    return out


def _same_requirements(a, b) -> None:  # type: ignore[no-untyped-def]
    from depglot.ir.versions import full_range

    ra, rb = _reqs(a), _reqs(b)
    assert ra.keys() == rb.keys()
    for k in ra:
        ea, va, ma, sa = ra[k]
        eb, vb, mb, sb = rb[k]
        assert ea == eb, k
        assert (va or full_range()) == (vb or full_range()), k
        if ma != mb:
            from packaging.markers import Marker

            assert Marker(ma) == Marker(mb), k
        assert sa == sb, k


@pytest.mark.parametrize(("name", "subdir", "group"), [
    ("requirements.txt", False, "main"), ("requirements-dev.txt", False, "dev"), ("dev-requirements.txt", False, "dev"),
    ("requirements_test.txt", False, "test"), ("requirements.in", False, "main"), ("requirements-docs.in", False, "docs"),
    ("base.txt", True, "main"), ("dev.txt", True, "dev"), ("development.txt", True, "dev"),
    ("constraints.txt", False, None), ("README.txt", False, None), ("setup.cfg", False, None),
])
def test_requirements_file_names_give_groups(name: str, subdir: bool, group: str | None) -> None:
    assert group_of(name, subdir) == group


def test_find_sources_prefers_in_over_compiled_txt(tmp_path: Path) -> None:
    for n, t in {"requirements.in": "flask\n", "requirements.txt": "flask==3.0.3\n", "requirements-dev.txt": "pytest\n",
                 "Pipfile.lock": "{}", "pyproject.toml": "[tool.ruff]\nline-length = 100\n"}.items():
        (tmp_path / n).write_text(t)
    got = [(os.path.basename(s.path), s.role, s.group) for s in find_sources(tmp_path)]
    assert got == [("requirements-dev.txt", "manifest", "dev"), ("requirements.in", "manifest", "main"),
                   ("requirements.txt", "compiled", "main"), ("Pipfile.lock", "lock", None)]


def test_no_manifest_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DepglotError, match="no manifest found"):
        find_sources(tmp_path)
    r = cli("migrate", "--to", "uv", cwd=tmp_path)
    assert r.exit_code == 2 and "no manifest found" in r.stderr
    r = cli("migrate", "--to", "poetri", cwd=tmp_path)
    assert r.exit_code == 2 and "did you mean 'poetry'" in r.stderr


def test_pipenv_to_poetry_keep_locked_remove_old_passes_poetry_check(pipenv_project: Path) -> None:
    source = api.load(pipenv_project / "Pipfile")
    r = cli("migrate", "--to", "poetry", "--keep-locked", "--remove-old", cwd=pipenv_project)
    assert r.exit_code == 0, r.output
    assert sorted(os.listdir(pipenv_project)) == ["pyproject.toml"]
    text = (pipenv_project / "pyproject.toml").read_text()
    doc = tomllib.loads(text)
    deps = doc["tool"]["poetry"]["dependencies"]
    # exact pins from Pipfile.lock (issue 6), extras and markers kept
    assert deps["requests"] == "2.32.3"
    assert deps["flask"] == {"version": "3.0.3", "extras": ["async"]}
    assert deps["colorama"] == {"version": "0.4.6", "markers": "sys_platform == 'win32'"}
    assert doc["tool"]["poetry"]["group"]["dev"]["dependencies"] == {"pytest": "8.3.2"}
    out = subprocess.run([sys.executable, "-m", "poetry", "check", "--directory", str(pipenv_project)],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stdout + out.stderr
    back = api.load(pipenv_project / "pyproject.toml")
    assert [(g.name, sorted(r.key for r in g.requirements)) for g in back.groups] == [
        (g.name, sorted(r.key for r in g.requirements)) for g in source.groups]


def test_pipenv_to_poetry_keeps_the_meaning(pipenv_project: Path) -> None:
    source = api.load(pipenv_project / "Pipfile")
    migration = plan_migration(pipenv_project, "poetry")
    migration.plan.apply()
    back = api.load(pipenv_project / "pyproject.toml")
    _same_requirements(source, back)
    assert back.python is not None and back.python.versions == source.python.versions
    assert (pipenv_project / "Pipfile").exists()  # not removed without --remove-old


def test_pipenv_to_uv_validates_and_keeps_the_meaning(pipenv_project: Path) -> None:
    source = api.load(pipenv_project / "Pipfile")
    plan_migration(pipenv_project, "uv").plan.apply()
    text = (pipenv_project / "pyproject.toml").read_text()
    from validate_pyproject import api as vapi

    vapi.Validator()(tomllib.loads(text))
    _same_requirements(source, api.load(pipenv_project / "pyproject.toml"))


def test_uv_keep_locked_keeps_ranges_and_adds_constraints(pipenv_project: Path) -> None:
    migration = plan_migration(pipenv_project, "uv", keep_locked=True)
    assert "keep-locked-unsupported" not in migration.report.codes()
    migration.plan.apply()
    doc = tomllib.loads((pipenv_project / "pyproject.toml").read_text())
    assert "requests>=2.28" in doc["project"]["dependencies"]  # ranges as written (issue 7)
    assert sorted(doc["tool"]["uv"]["constraint-dependencies"]) == [
        "colorama==0.4.6 ; sys_platform == 'win32'", "flask==3.0.3", "pytest==8.3.2", "requests==2.32.3"]


def test_requirements_into_an_existing_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "1.0"\n\n[tool.ruff]\nline-length = 100  # wide\n')
    (tmp_path / "requirements.txt").write_text("# prod\nrequests>=2.32\nflask~=3.0\n")
    (tmp_path / "requirements-dev.txt").write_text("-r requirements.txt\npytest>=8\n")
    r = cli("migrate", "--to", "uv", "--remove-old", cwd=tmp_path)
    assert r.exit_code == 0, r.output
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.startswith('[project]\nname = "svc"\nversion = "1.0"\n')
    assert "[tool.ruff]\nline-length = 100  # wide\n" in text
    doc = tomllib.loads(text)
    assert doc["project"]["dependencies"] == ["requests>=2.32", "flask~=3.0"]
    assert doc["dependency-groups"] == {"dev": ["pytest>=8"]}
    assert sorted(os.listdir(tmp_path)) == ["pyproject.toml"]


def test_pip_tools_in_is_preferred_and_compiled_txt_is_the_lock(tmp_path: Path) -> None:
    (tmp_path / "requirements.in").write_text("requests>=2\n")
    (tmp_path / "requirements.txt").write_text(
        "# autogenerated by pip-compile\nrequests==2.32.3\n    # via -r requirements.in\nidna==3.7\n    # via requests\n")
    migration = plan_migration(tmp_path, "poetry", keep_locked=True)
    text = migration.plan.changes[0].after.decode()
    assert 'requests = "2.32.3"' in text and "idna" not in text


def test_check_diff_and_idempotence(pipenv_project: Path) -> None:
    before = {p.name: p.read_bytes() for p in pipenv_project.iterdir()}
    r = cli("migrate", "--to", "poetry", "--check", cwd=pipenv_project)
    assert r.exit_code == 1 and "would create" in r.stderr
    r = cli("migrate", "--to", "poetry", "--diff", "--remove-old", cwd=pipenv_project)
    assert r.exit_code == 1 and "+++ b/pyproject.toml" in r.stdout and "+++ /dev/null" in r.stdout
    assert {p.name: p.read_bytes() for p in pipenv_project.iterdir()} == before
    assert cli("migrate", "--to", "poetry", "--remove-old", cwd=pipenv_project).exit_code == 0
    # migrated once: the pyproject is now the source, and migrating again changes nothing
    r = cli("migrate", "--to", "poetry", "--check", cwd=pipenv_project)
    assert r.exit_code == 0, r.output


def test_losses_at_the_threshold_write_nothing(pipenv_project: Path) -> None:
    r = cli("migrate", "--to", "requirements", "--fail-on", "info", "--report-json", "r.json", cwd=pipenv_project)
    assert r.exit_code == 1
    assert "not written" in r.stderr
    assert not (pipenv_project / "requirements.txt").exists()
    import json

    assert json.loads((pipenv_project / "r.json").read_text())["version"] == 1


def test_to_requirements_writes_one_file_per_group(pipenv_project: Path) -> None:
    r = cli("migrate", "--to", "requirements", "--remove-old", cwd=pipenv_project)
    assert r.exit_code == 0, r.output
    assert sorted(os.listdir(pipenv_project)) == ["requirements-dev.txt", "requirements.txt"]
    assert (pipenv_project / "requirements-dev.txt").read_text().startswith("-r requirements.txt\n")
    main = (pipenv_project / "requirements.txt").read_text()
    assert "requests>=2.28" in main and "flask[async]~=3.0" in main


def test_bad_input_exits_2_and_writes_nothing(pipenv_project: Path) -> None:
    (pipenv_project / "Pipfile").write_text('[packages]\nrequests = ">=2.28"\nflask = \n')
    before = sorted(os.listdir(pipenv_project))
    r = cli("migrate", "--to", "poetry", "--remove-old", cwd=pipenv_project)
    assert r.exit_code == 2
    assert "Pipfile:3:" in r.stderr
    assert sorted(os.listdir(pipenv_project)) == before
    assert not [p for p in pipenv_project.iterdir() if p.name.startswith(TEMP_PREFIX)]


def test_an_unreadable_constraint_is_an_error_loss_and_nothing_is_written(pipenv_project: Path) -> None:
    (pipenv_project / "Pipfile").write_text('[packages]\nrequests = ">=2..28"\n')
    before = sorted(os.listdir(pipenv_project))
    r = cli("migrate", "--to", "poetry", "--remove-old", cwd=pipenv_project)
    assert r.exit_code == 1
    assert "Pipfile:2:1: error[" in r.stderr and "not written" in r.stderr
    assert sorted(os.listdir(pipenv_project)) == before


@pytest.mark.parametrize("path", corpus_params("pipfile"))
def test_every_corpus_pipfile_migrates_to_poetry_and_passes_poetry_core(tmp_path: Path, path: Path) -> None:
    (tmp_path / "Pipfile").write_bytes(path.read_bytes())
    try:
        source = api.load(tmp_path / "Pipfile")
    except DepglotError:
        pytest.skip("the Pipfile itself does not read (covered by the pipfile reader's tests)")
    migration = plan_migration(tmp_path, "poetry")
    migration.plan.apply()
    text = (tmp_path / "pyproject.toml").read_text()
    from poetry.core.factory import Factory

    doc = tomllib.loads(text)
    result = Factory.validate(doc, strict=False)
    assert result["errors"] == [], result
    back = api.load(tmp_path / "pyproject.toml")
    dropped = {loss.subject for loss in migration.report if loss.severity.name == "ERROR"}
    assert {(g.name, r.key) for g in back.groups for r in g.requirements} == {
        (g.name, r.key) for g in source.groups for r in g.requirements if r.key not in dropped
    }


def _invalid(doc: dict) -> str | None:  # type: ignore[type-arg]
    from validate_pyproject import api as vapi
    from validate_pyproject.error_reporting import ValidationError

    try:
        vapi.Validator()(doc)
    except ValidationError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("path", corpus_params("pipfile", "poetry", "poetry2"))
def test_every_corpus_project_migrates_to_uv_and_validates(tmp_path: Path, path: Path) -> None:
    name = "Pipfile" if path.parent.name == "pipfile" else "pyproject.toml"
    (tmp_path / name).write_bytes(path.read_bytes())
    try:
        source = api.load(tmp_path / name)
    except DepglotError:
        pytest.skip("the source itself does not read (covered by its reader's tests)")
    migration = plan_migration(tmp_path, "uv")
    source_error = _invalid(tomllib.loads(path.read_text())) if name == "pyproject.toml" else None
    migration.plan.apply()
    doc = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    # valid, or invalid only the way the source already was (a key the source has that PEP 621 forbids)
    assert _invalid(doc) in (None, source_error)
    back = api.load(tmp_path / "pyproject.toml", "pep621")
    dropped = {loss.subject for loss in migration.report if loss.severity.name == "ERROR"}
    assert {r.key for r in back.requirements()} >= {r.key for r in source.requirements() if r.key not in dropped}


def test_migrate_never_plans_a_file_its_format_cannot_read(pipenv_project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = api.dumps

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        conv = real(*args, **kwargs)
        return api.Conversion(conv.text + "[project\n", conv.manifest, conv.report, conv.format)

    monkeypatch.setattr(api, "dumps", broken)
    with pytest.raises(DepglotError, match="cannot read back"):
        plan_migration(pipenv_project, "poetry", remove_old=True)
    assert (pipenv_project / "Pipfile").exists() and not (pipenv_project / "pyproject.toml").exists()


def test_constraints_file_becomes_uv_constraint_dependencies(tmp_path: Path) -> None:
    """pip-tools style: requirements.txt names `-c constraints.txt`; uv's constraint-dependencies mean the same."""
    (tmp_path / "requirements.txt").write_text("requests>=2\n-c constraints.txt\n")
    (tmp_path / "requirements-dev.txt").write_text("-r requirements.txt\npytest\n")
    (tmp_path / "constraints.txt").write_text("urllib3<2  # pinned by ops\nidna==3.7\n")
    migration = plan_migration(tmp_path, "uv")
    assert "include-dropped" not in migration.report.codes()
    assert "constraints-dropped" not in migration.report.codes()
    migration.plan.apply()
    doc = tomllib.loads((tmp_path / "pyproject.toml").read_text())
    assert doc["tool"]["uv"]["constraint-dependencies"] == ["urllib3<2", "idna==3.7"]
    assert doc["project"]["dependencies"] == ["requests>=2"]
    assert doc["dependency-groups"]["dev"] == ["pytest"]


def test_constraints_file_into_poetry_is_reported(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests>=2\n-c constraints.txt\n")
    (tmp_path / "constraints.txt").write_text("urllib3<2\n")
    migration = plan_migration(tmp_path, "poetry")
    [loss] = [x for x in migration.report if x.code == "constraints-dropped"]
    assert loss.severity.name == "ERROR" and loss.subject == "constraint constraints.txt"
