"""Every output of the conversion matrix, parsed by the target's real tool: zero rejections.

The conversions are the matrix's own (tests/matrix_support.py caches them, so running this after
tests/test_matrix.py costs only the parsing): every corpus file into every writable target, every group and extra
selected. Oracles:

* requirements, freeze: pip's own requirements-file parser (``RequirementsFileParser`` and the
  ``InstallRequirement`` construction ``pip install -r`` does; see tests/converters/test_requirements_oracle.py);
* Pipfile: ``plette.Pipfile``; Pipfile.lock: ``plette.Lockfile``;
* poetry, poetry1: ``poetry.factory.Factory.validate`` (what ``poetry check`` runs), no errors;
* pep621, pep621+uv, pep621+pdm: validate-pyproject (PEP 621 and the installed tool plugins);
* script: the PEP 723 block found with the specification's reference regex, its TOML validated as a
  ``[project]`` table by validate-pyproject (dependencies are PEP 508, requires-python a specifier set);
* pylock: ``packaging.pylock.Pylock.from_dict``;
* conda: py-rattler's strict ``MatchSpec`` for every conda dependency, pip's parser for the ``pip:`` list.

The IR format (depglot's own JSON) has no outside tool; it is read back by the matrix itself.

A rejection is a converter bug. Open ones are listed in ORACLE_KNOWN_BUGS with their exact reproduction; the table
is strict: an entry whose case the oracle now accepts fails (remove it: the bug is fixed).
"""

from __future__ import annotations

import io
import json
import os
import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from depglot.errors import ConversionError, DepglotError

from .matrix_support import CATEGORY_FORMAT, TARGETS, converted, load_source

ORACLE_TARGETS = [t for t in TARGETS if t != "ir"]
COUNTS: Counter[str] = Counter()

# (corpus category/file name, target) -> the bug, with its reproduction. Strict: see module docstring.
ORACLE_KNOWN_BUGS: dict[tuple[str, str], str] = {
}


# -- pip ------------------------------------------------------------------------------------------------------


def pip_parse(text: str, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Parse requirements text the way ``pip install -r`` does (without following -r/-c, which name files the
    conversion does not write); raises pip's own error on a line pip rejects. Returns the number of requirements."""
    from pip._internal.network.session import PipSession
    from pip._internal.req import constructors
    from pip._internal.req.req_file import RequirementsFileParser, get_line_parser, handle_requirement_line

    from depglot.converters.requirements.urls import is_archive, looks_like_path

    real_isdir = os.path.isdir

    def isdir(p: str) -> bool:  # depglot never looks at the disk: a path that looks like a directory is one
        if real_isdir(p) or any(c.isspace() for c in p) or not (os.path.isabs(p) or looks_like_path(p)):
            return real_isdir(p)
        return ":/" not in p and "+" not in p.split("/", 1)[0] and not is_archive(p)

    monkeypatch.setattr(constructors.os.path, "isdir", isdir)
    monkeypatch.setattr(constructors, "is_installable_dir", lambda p: True)
    path = tmp / "requirements.txt"
    path.write_text(text, encoding="utf-8")
    parser = RequirementsFileParser(PipSession(), get_line_parser(None))
    count = 0
    for line in parser._parse_file(str(path), constraint=False):
        if line.requirement is None:
            continue
        parsed = handle_requirement_line(line)
        settings = parsed.options.get("config_settings") if parsed.options else None
        constructors.install_req_from_parsed_requirement(parsed, config_settings=settings)
        count += 1
    return count


# -- the TOML formats ------------------------------------------------------------------------------------------

_VALIDATOR = None


def validate_pyproject(doc: dict) -> None:
    global _VALIDATOR
    if _VALIDATOR is None:
        from validate_pyproject import api, plugins

        _VALIDATOR = api.Validator(plugins.list_from_entry_points())
    _VALIDATOR(doc)


def poetry_errors(text: str) -> list[str]:
    from poetry.factory import Factory

    return Factory.validate(tomllib.loads(text.lstrip("\ufeff")), strict=False)["errors"]


# PEP 723's reference implementation
_SCRIPT_BLOCK = re.compile(r"(?m)^# /// (?P<type>[a-zA-Z0-9-]+)$\s(?P<content>(^#(| .*)$\s)+)^# ///$")


def script_metadata(text: str) -> dict:
    blocks = [m for m in _SCRIPT_BLOCK.finditer(text) if m.group("type") == "script"]
    assert len(blocks) == 1, f"{len(blocks)} `# /// script` blocks (PEP 723: exactly one)"
    content = "".join(
        line[2:] if line.startswith("# ") else line[1:]
        for line in blocks[0].group("content").splitlines(keepends=True)
    )
    return tomllib.loads(content)


def validate_script(text: str) -> None:
    meta = script_metadata(text)
    unknown = set(meta) - {"dependencies", "requires-python", "tool"}
    assert not unknown, f"keys PEP 723 does not define: {sorted(unknown)}"
    project = {"name": "script", "version": "0"}
    for key in ("dependencies", "requires-python"):
        if key in meta:
            project[key] = meta[key]
    validate_pyproject({"project": project, "tool": meta.get("tool", {})})


# -- conda ---------------------------------------------------------------------------------------------------


def conda_dependencies(text: str) -> tuple[list[str], list[str]]:
    """(conda MatchSpec strings, pip: lines) of an environment.yml; asserts the shape conda reads."""
    import yaml

    doc = yaml.safe_load(text.lstrip("\ufeff"))
    assert isinstance(doc, dict), "not a YAML mapping"
    for channel in doc.get("channels") or []:
        assert isinstance(channel, str), f"channel {channel!r} is not a string"
    specs: list[str] = []
    pip_lines: list[str] = []
    for dep in doc.get("dependencies") or []:
        if isinstance(dep, dict):
            assert set(dep) == {"pip"}, f"dependency mapping {sorted(dep)} (only pip: is one)"
            pip_lines += [str(line) for line in dep["pip"] or []]
        else:
            assert isinstance(dep, str), f"dependency {dep!r} is not a string"
            specs.append(dep)
    return specs, pip_lines


_EXPORTED = re.compile(r"^(?P<name>[A-Za-z0-9_.:-]+)=(?P<version>[A-Za-z0-9_.+!]+)=(?P<build>[A-Za-z0-9_.]+)$")


def validate_conda(text: str, tmp: Path, monkeypatch: pytest.MonkeyPatch, verbatim: frozenset[str]) -> None:
    """py-rattler's strict MatchSpec parser for every spec depglot wrote. Two kinds get rattler's conda-compatible
    (lenient) parser instead, because strict mode refuses spellings conda itself writes and reads: a spec copied
    verbatim from a conda source (``verbatim``: ``mkl=2024.*``), and ``conda env export``'s exact
    ``name=version=build`` (``python=3.9.7=h12debd9_1``), which must then parse to that name, version and build."""
    from rattler import MatchSpec

    specs, pip_lines = conda_dependencies(text)
    for spec in specs:
        exported = _EXPORTED.match(spec)
        if spec in verbatim:
            MatchSpec(spec, strict=False)
        elif exported:
            ms = MatchSpec(spec, strict=False)
            got = (ms.name.normalized, str(ms.version), ms.build)
            want = (exported["name"].split("::")[-1].lower(), "==" + exported["version"], exported["build"])
            assert got == want, f"{spec!r} parses as {got}, not {want}"
        else:
            MatchSpec(spec, strict=True)
    if pip_lines:
        pip_parse("".join(line + "\n" for line in pip_lines), tmp, monkeypatch)


# -- dispatch ------------------------------------------------------------------------------------------------

# Which tool judges each target (targets judged by the same tool share a family).
FAMILY = {"requirements": "pip", "freeze": "pip", "pipfile": "pipfile", "pipfile-lock": "pipfile-lock",
          "poetry": "poetry", "poetry1": "poetry", "pep621": "pyproject", "pep621+uv": "pyproject",
          "pep621+pdm": "pyproject", "script": "script", "pylock": "pylock", "conda": "conda"}


class NoOracle(Exception):
    """A target this module has no tool for (a test bug, never a rejection)."""


def problems(target: str, text: str, tmp: Path, monkeypatch: pytest.MonkeyPatch,
             verbatim: frozenset[str] = frozenset()) -> list[str]:
    """What the target's tool rejects in ``text`` (empty: accepted)."""
    try:
        if target in ("requirements", "freeze"):
            pip_parse(text, tmp, monkeypatch)
        elif target == "pipfile":
            import plette

            plette.Pipfile.load(io.StringIO(text.lstrip("\ufeff")))
        elif target == "pipfile-lock":
            import plette

            plette.Lockfile.load(io.StringIO(text.lstrip("\ufeff")))
        elif target in ("poetry", "poetry1"):
            return [f"poetry check: {e}" for e in poetry_errors(text)]
        elif target.startswith("pep621"):
            validate_pyproject(tomllib.loads(text.lstrip("\ufeff")))
        elif target == "script":
            validate_script(text)
        elif target == "pylock":
            from packaging.pylock import Pylock

            Pylock.from_dict(tomllib.loads(text.lstrip("\ufeff")))
        elif target == "conda":
            validate_conda(text, tmp, monkeypatch, verbatim)
        else:
            raise NoOracle(target)
    except NoOracle:
        raise
    except Exception as exc:  # noqa: BLE001 -- every tool has its own error classes; any one is a rejection
        return [f"{type(exc).__name__}: {str(exc).replace(str(tmp), '<tmp>')}"]
    return []


def _sources() -> list:
    from .conftest import corpus_files

    params = [
        pytest.param(path, fmt, id=f"{cat}/{path.name}")
        for cat, fmt in sorted(CATEGORY_FORMAT.items())
        for path in corpus_files(cat)
    ]
    return params or [pytest.param(None, None, marks=pytest.mark.skip(reason="shared corpus absent"), id="none")]


SOURCES = _sources()


def _verbatim_specs(path: Path, fmt: str) -> frozenset[str]:
    if fmt != "conda":
        return frozenset()
    try:
        return frozenset(conda_dependencies(path.read_text(encoding="utf-8"))[0])
    except AssertionError:
        return frozenset()


def inherited(path: Path, fmt: str, target: str, found: list[str], tmp: Path, monkeypatch) -> bool:
    """The source file is judged by the same tool and rejected for the same reasons: the output only carries the
    source's own problem (a Poetry project depending on itself, unidep's ``sel(linux):`` in an environment.yml)."""
    if FAMILY.get(fmt) != FAMILY[target]:
        return False
    text = path.read_text(encoding="utf-8")
    own = problems(target, text, tmp / "source", monkeypatch, _verbatim_specs(path, fmt)) if text else []
    return bool(own) and set(found) <= set(own)


@pytest.mark.parametrize("target", ORACLE_TARGETS)
@pytest.mark.parametrize(("path", "fmt"), SOURCES)
def test_every_output_is_accepted_by_the_targets_tool(path, fmt, target, tmp_path, monkeypatch):
    try:
        load_source(path, fmt)
    except DepglotError as exc:
        pytest.skip(f"corpus file rejected by its reader (a deliberately broken input): {exc.one_line()}")
    try:
        conv = converted(path, fmt, target)
    except ConversionError:
        COUNTS["refused"] += 1  # pylock without file URLs: nothing written (the matrix checks the refusal)
        return
    key = (f"{path.parent.name}/{path.name}", target)
    (tmp_path / "source").mkdir()
    found = problems(target, conv.text, tmp_path, monkeypatch, _verbatim_specs(path, fmt))
    if found and inherited(path, fmt, target, found, tmp_path, monkeypatch):
        COUNTS["inherited"] += 1  # the tool rejects the source file itself for the same reason
        return
    if found:
        COUNTS["rejected"] += 1
        if key in ORACLE_KNOWN_BUGS:
            pytest.xfail(ORACLE_KNOWN_BUGS[key])
        raise AssertionError(
            f"{target}'s tool rejects depglot's output for {key[0]}:\n  " + "\n  ".join(found)
            + "\n--- output:\n" + conv.text[:4000]
        )
    COUNTS["accepted"] += 1
    assert key not in ORACLE_KNOWN_BUGS, f"fixed (the tool accepts it now): remove {key} from ORACLE_KNOWN_BUGS"


def teardown_module(module):
    out = Path(__file__).with_name(".matrix-summary.json")
    try:
        summary = json.loads(out.read_text())
    except (OSError, ValueError):
        summary = {}
    summary.update({f"oracle:{k}": v for k, v in sorted(COUNTS.items())})
    out.write_text(json.dumps(dict(sorted(summary.items())), indent=2) + "\n")
    print("\noracles:", dict(sorted(COUNTS.items())))


@pytest.mark.parametrize(
    ("target", "text"),
    [
        ("requirements", "requests>=2,,3\n"),
        ("requirements", "--no-such-option\n"),
        ("freeze", "-e https://example.com/not-vcs.tar.gz\n"),
        ("pipfile", '[packages]\nrequests = {version = 3}\n'),
        ("pipfile-lock", '{"_meta": {}, "default": []}'),
        ("poetry", ('[tool.poetry]\nname = "x"\nversion = "1"\ndescription = ""\nauthors = []\n'
                    '[tool.poetry.dependencies]\nrequests = {verison = "1"}\n')),
        ("pep621", '[project]\nname = "x y"\nversion = "1"\n'),
        ("pep621+uv", '[project]\nname = "x"\nversion = "1"\ndependencies = ["requests>>2"]\n'),
        ("script", "# /// script\n# dependencies = [\"requests>>2\"]\n# ///\n"),
        ("script", "# /// script\n# name = \"x\"\n# ///\n"),
        ("pylock", 'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nversion = "1"\n'),
        ("conda", "dependencies:\n  - numpy>=1.2,,3\n"),
        ("conda", "dependencies:\n  - pip:\n    - requests>>2\n"),
    ],
)
def test_each_oracle_rejects_invalid_text(target, text, tmp_path, monkeypatch):
    """The oracles can fail: each rejects a text its tool rejects."""
    (tmp_path / "source").mkdir()
    assert problems(target, text, tmp_path, monkeypatch)
