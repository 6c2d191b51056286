"""pip's own requirements-file parser is the oracle: depglot must read every corpus file the same way.

For each requirement line pip yields, compare (name, extras, specifier, marker, url, editable, hashes) with
what depglot reads. pip is used as a test dependency only (``pip._internal`` is not an API). Includes are not
followed on either side (pip's ``_parse_file`` reads one file; depglot keeps ``-r``/``-c`` as references).

Two documented differences are normalised here:

* a wheel file's version: pip pins ``name==<wheel version>``; depglot keeps the URL/path as the source and
  leaves the version empty (a direct reference carries no specifier);
* local paths: pip asks the file system whether a path is an installable directory; depglot decides by
  appearance and never looks, so the oracle runs with those directories "existing".
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import depglot
from depglot.converters.requirements.urls import is_archive, looks_like_path
from depglot.dialects.pep508 import render_source
from depglot.errors import ParseError
from depglot.ir.model import LocalPath
from tests.conftest import FIXTURES, corpus_params
from tests.converters.test_requirements import BAD_LINES

pytest.importorskip("pip")

CATEGORIES = ("requirements", "hashed_requirements", "freeze")


def _url_key(url: str | None) -> str | None:
    if url is None:
        return None
    base, _, fragment = url.partition("#")
    params = sorted(p for p in fragment.split("&") if p and not p.startswith("egg="))
    return base + ("#" + "&".join(params) if params else "")


def pip_rows(path: Path, monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    from pip._internal.network.session import PipSession
    from pip._internal.req import constructors
    from pip._internal.req.req_file import RequirementsFileParser, get_line_parser, handle_requirement_line

    real_isdir = os.path.isdir

    def isdir(p: str) -> bool:  # depglot's documented assumption: a path that looks like a directory is one
        if real_isdir(p) or any(c.isspace() for c in p) or not (os.path.isabs(p) or looks_like_path(p)):
            return real_isdir(p)
        return ":/" not in p and "+" not in p.split("/", 1)[0] and not is_archive(p)

    monkeypatch.setattr(constructors.os.path, "isdir", isdir)
    monkeypatch.setattr(constructors, "is_installable_dir", lambda p: True)
    parser = RequirementsFileParser(PipSession(), get_line_parser(None))
    rows = []
    for line in parser._parse_file(str(path), constraint=False):
        if line.requirement is None:
            continue
        parsed = handle_requirement_line(line)
        # as pip's RequirementCommand.get_requirements passes them
        settings_opt = parsed.options.get("config_settings") if parsed.options else None
        ireq = constructors.install_req_from_parsed_requirement(parsed, config_settings=settings_opt)
        link = ireq.link
        wheel = link is not None and link.is_wheel
        if link is None:
            url = None
        elif link.scheme == "file":
            url = "file:" + os.path.normpath(link.file_path)
        else:
            url = _url_key(link.url)
        hashes = sorted(f"{algo}:{d}" for algo, ds in (ireq.hash_options or {}).items() for d in ds)
        settings = sorted(
            (k, tuple(v) if isinstance(v, list) else (v,)) for k, v in (ireq.config_settings or {}).items()
        )
        rows.append(
            (
                ireq.req.name if ireq.req else None,
                tuple(sorted(ireq.extras)),
                None if wheel or ireq.req is None else (str(ireq.req.specifier) or None),
                str(ireq.markers) if ireq.markers else None,
                url,
                ireq.editable,
                tuple(hashes),
                tuple(settings),
            )
        )
    return rows


def _settings(options: tuple[tuple[str, str], ...]) -> tuple:
    merged: dict[str, list[str]] = {}
    for name, value in options:
        if name == "config-settings":
            key, _, val = value.partition("=")
            merged.setdefault(key, []).append(val)
    return tuple(sorted((k, tuple(v)) for k, v in merged.items()))


def depglot_rows(path: Path) -> list[tuple]:
    from packaging.markers import Marker
    from packaging.specifiers import SpecifierSet

    manifest = depglot.load(path, "requirements")
    rows = []
    for req in manifest.requirements():
        source = req.source
        if isinstance(source, LocalPath):
            url = "file:" + os.path.normpath(os.path.abspath(source.path))
        else:
            url = _url_key(render_source(source)) if source is not None else None
        if url is not None and url.startswith("file://"):
            from pip._internal.models.link import Link

            url = "file:" + os.path.normpath(Link(url).file_path)  # the same normalisation as pip's side
        elif url is not None and url.startswith("file:"):
            url = "file:" + os.path.normpath(os.path.abspath(url[5:]))
        rows.append(
            (
                req.name or None,
                tuple(sorted(req.extras)),
                str(SpecifierSet(req.version.raw)) or None if req.version is not None else None,
                str(Marker(req.marker)) if req.marker else None,
                url,
                req.editable,
                tuple(sorted(req.hashes)),
                _settings(req.options),
            )
        )
    return rows


@pytest.mark.parametrize("path", corpus_params(*CATEGORIES))
def test_corpus_reads_like_pip(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = pip_rows(path, monkeypatch)
    assert expected, "the oracle read no requirement: the comparison would prove nothing"
    assert depglot_rows(path) == expected


def test_tricky_fixture_reads_like_pip(monkeypatch: pytest.MonkeyPatch) -> None:
    path = FIXTURES / "requirements" / "tricky.txt"
    expected = pip_rows(path, monkeypatch)
    assert len(expected) == 20
    assert depglot_rows(path) == expected


@pytest.mark.parametrize(("text", "line", "column", "fragment"), BAD_LINES)
def test_files_pip_rejects_are_rejected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text, line, column, fragment
):
    path = tmp_path / "bad.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(Exception):  # noqa: B017 - pip raises InstallationError, CommandError, InvalidWheelFilename...
        pip_rows(path, monkeypatch)
    with pytest.raises(ParseError):
        depglot.load(path, "requirements")


@pytest.mark.parametrize("path", [*corpus_params(*CATEGORIES), FIXTURES / "requirements" / "tricky.txt"])
def test_fresh_write_means_the_same_to_pip(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clean rewrite of every file reads the same in pip as the original."""
    manifest = depglot.load(path, "requirements")
    fresh = tmp_path / "fresh.txt"
    fresh.write_text(depglot.dumps(manifest, "requirements").text, encoding="utf-8")
    assert pip_rows(fresh, monkeypatch) == pip_rows(path, monkeypatch)


def test_written_editable_forms_mean_the_same_to_pip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from depglot.ir.model import Group, Manifest, Requirement, Vcs

    reqs = (
        Requirement(
            name="gunicorn",
            source=Vcs(vcs="git", url="https://github.com/benoitc/gunicorn", rev="56b5ad8"),
            editable=True,
            marker="python_version >= '3.7'",
        ),
        Requirement(
            name="click",
            source=Vcs(vcs="git", url="https://github.com/pallets/click", rev="8.1.7"),
            editable=True,
        ),
        Requirement(
            name="mono", source=Vcs(vcs="git", url="https://g.example/m.git", subdirectory="a"), editable=True
        ),
    )
    manifest = Manifest(format="pipfile", groups=(Group(name="main", requirements=reqs),))
    path = tmp_path / "requirements.txt"
    path.write_text(depglot.dumps(manifest, "requirements").text, encoding="utf-8")
    assert pip_rows(path, monkeypatch) == depglot_rows(path)
    assert [row[0] for row in pip_rows(path, monkeypatch)] == ["gunicorn", "click", "mono"]
