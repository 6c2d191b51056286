"""The CLI's contract: flags, exit codes 0/1/2, loss printing, --diff/--check, lazy command loading."""

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from depglot.cli import build_app
from depglot.ir import Group, GroupKind, Manifest, Requirement, VersionSpec
from depglot.ir import native
from depglot.span import Span

runner = CliRunner()


def run(*args, input=None):
    app = build_app(list(args))
    return runner.invoke(app, list(args), input=input)


def ir_file(tmp_path, manifest, name="m.ir.json"):
    p = tmp_path / name
    p.write_text(native.dumps(manifest), encoding="utf-8")
    return p


M = Manifest(
    format="requirements",
    groups=(
        Group(
            name="main",
            requirements=(
                Requirement(
                    name="requests",
                    version=VersionSpec.from_pep440(">=2.32"),
                    span=Span(file="requirements.txt", line=1, column=1),
                ),
            ),
        ),
    ),
)


def test_convert_to_stdout_exit_0(tmp_path):
    src = ir_file(tmp_path, M)
    result = run("convert", str(src), "-f", "ir", "-t", "ir")
    assert result.exit_code == 0, result.output
    assert native.loads(result.stdout) == M


def test_missing_target_is_usage_error_exit_2(tmp_path):
    result = run("convert", str(ir_file(tmp_path, M)))
    assert result.exit_code == 2
    assert "Missing option '-t' / '--to'" in result.stderr


def test_bad_input_exit_2_one_message_no_traceback(tmp_path):
    bad = tmp_path / "bad.ir.json"
    bad.write_text('{"ir-version": 1,\n  "manifest": [}\n', encoding="utf-8")
    out = tmp_path / "out.json"
    result = run("convert", str(bad), "-f", "ir", "-t", "ir", "-o", str(out))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"{bad}:2:")
    assert "Traceback" not in result.output
    assert not out.exists()  # nothing written


def test_unknown_format_suggests(tmp_path):
    result = run("convert", str(ir_file(tmp_path, M)), "-f", "ir", "-t", "jsn")
    assert result.exit_code == 2
    assert "unknown format 'jsn' (did you mean 'json'?)" in result.stderr


def test_stdin_needs_from():
    result = run("convert", "-", "-t", "ir", input=native.dumps(M))
    assert result.exit_code == 2
    assert "pass -f/--from FORMAT" in result.stderr
    result = run("convert", "-", "-f", "ir", "-t", "ir", input=native.dumps(M))
    assert result.exit_code == 0
    assert native.loads(result.stdout) == M


def test_output_file_check_and_diff(tmp_path):
    src = ir_file(tmp_path, M)
    out = tmp_path / "out.ir.json"
    assert run("convert", str(src), "-f", "ir", "-t", "ir", "-o", str(out)).exit_code == 0
    assert native.loads(out.read_text()) == M
    # unchanged: --check passes
    assert run("convert", str(src), "-f", "ir", "-t", "ir", "-o", str(out), "--check").exit_code == 0
    # changed source: --check exits 1 and writes nothing; --diff prints a diff and writes nothing
    other = M.replace(groups=(M.groups[0].replace(requirements=(Requirement(name="attrs"),)),))
    src2 = ir_file(tmp_path, other, "other.ir.json")
    before = out.read_text()
    result = run("convert", str(src2), "-f", "ir", "-t", "ir", "-o", str(out), "--check")
    assert result.exit_code == 1 and "would change" in result.stderr
    result = run("convert", str(src2), "-f", "ir", "-t", "ir", "-o", str(out), "--diff")
    assert result.exit_code == 1
    assert f"--- a/{out}" in result.stdout and '+            "name": "attrs"' in result.stdout
    assert out.read_text() == before


def test_losses_fail_on_and_report_json(tmp_path):
    # a manifest carrying a reader loss: printed, written to --report-json, and graded by --fail-on
    from depglot.report import Loss, Severity

    warn = Loss(code="comments-dropped", severity=Severity.WARNING, message="m",
                span=Span(file="r.txt", line=2, column=1))
    src = ir_file(tmp_path, M.replace(losses=(warn,)))
    report = tmp_path / "report.json"
    result = run("convert", str(src), "-f", "ir", "-t", "ir", "--report-json", str(report))
    assert result.exit_code == 0  # default --fail-on error
    assert result.stderr == "r.txt:2:1: warning[comments-dropped]: m\n"
    data = json.loads(report.read_text())
    assert data["version"] == 1 and data["losses"][0]["code"] == "comments-dropped"
    assert run("convert", str(src), "-f", "ir", "-t", "ir", "--fail-on", "warning").exit_code == 1
    assert run("convert", str(src), "-f", "ir", "-t", "ir", "--strict").exit_code == 1
    assert run("convert", str(src), "-f", "ir", "-t", "ir", "--fail-on", "never", "--strict").exit_code == 1
    assert run("convert", str(src), "-f", "ir", "-t", "ir", "--fail-on", "never").exit_code == 0
    github = run("convert", str(src), "-f", "ir", "-t", "ir", "--output-format", "github")
    assert github.stderr == "::warning file=r.txt,line=2,col=1,title=comments-dropped::m\n"
    as_json = run("convert", str(src), "-f", "ir", "-t", "ir", "--output-format", "json")
    assert json.loads(as_json.stderr)["losses"][0]["severity"] == "warning"
    assert run("convert", str(src), "-f", "ir", "-t", "ir", "--fail-on", "loud").exit_code == 2


def test_formats_json_lists_ir():
    result = run("formats", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    ir = next(f for f in data["formats"] if f["name"] == "ir")
    assert ir["read"] and ir["write"] and "json" in ir["aliases"]


def test_show_json_is_the_ir(tmp_path):
    result = run("show", str(ir_file(tmp_path, M)), "-f", "ir", "--json")
    assert result.exit_code == 0
    assert native.loads(result.stdout) == M


def test_commands_load_lazily():
    code = (
        "import sys; from depglot.cli import build_app; build_app(['formats']); "
        "print(sorted(m for m in sys.modules if m.startswith('depglot.cli.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['depglot.cli._common', 'depglot.cli.formats']"


@pytest.mark.parametrize("heavy", ["tomlkit", "ruamel", "poetry", "rich", "pydantic"])
def test_start_up_does_not_import_heavy_modules(heavy):
    code = (
        "import sys; from depglot.cli import build_app; build_app(['convert']); "
        f"print(any(m == {heavy!r} or m.startswith({heavy!r} + '.') for m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_pipfile_to_lock_hashes_the_users_own_pipfile(tmp_path):
    """convert Pipfile -t pipfile-lock: _meta.hash is pipenv's hash of the source Pipfile, not of a re-rendering."""
    from tests.converters.test_pipfile_lock import pipenv_hashes

    text = (
        "# comments and layout pipenv hashes through its parsed data only\n"
        "[[source]]\nname = \"pypi\"\nurl = \"https://pypi.org/simple\"\nverify_ssl = true\n\n"
        "[packages]\nRequests = \"==2.32.3\"\n\n[dev-packages]\npytest = \"==8.3.3\"\n\n"
        "[docs]\nSphinx = {version = \"==8.1.3\"}\n\n[requires]\npython_version = \"3.11\"\n"
    )
    src = tmp_path / "Pipfile"
    src.write_text(text, encoding="utf-8")
    result = run("convert", str(src), "-t", "pipfile-lock")
    assert result.exit_code == 0, result.stderr
    (tmp_path / "oracle").mkdir()
    expected = pipenv_hashes({"p": text}, tmp_path / "oracle")["p"]
    assert json.loads(result.stdout)["_meta"]["hash"]["sha256"] == expected
    assert "pipfile-lock-hash-generated" not in result.stderr


def test_split_writes_layered_requirements_files(tmp_path):
    src = tmp_path / "Pipfile"
    src.write_text(
        '[packages]\nrequests = "==2.32.3"\n\n[dev-packages]\npytest = "*"\n\n[docs]\nsphinx = ">=7"\n',
        encoding="utf-8",
    )
    out = tmp_path / "requirements.txt"
    result = run("convert", str(src), "-t", "requirements", "--split", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "groups-not-selected" not in result.stderr
    assert out.read_text() == "requests==2.32.3\n"
    assert (tmp_path / "requirements-dev.txt").read_text() == "-r requirements.txt\n\npytest\n"
    assert (tmp_path / "requirements-docs.txt").read_text() == "-r requirements.txt\n\nsphinx>=7\n"
    assert run("convert", str(src), "-t", "requirements", "--split").exit_code == 2  # needs -o
