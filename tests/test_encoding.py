"""Encodings: UTF-8 with and without a BOM and with CRLF round-trips byte-identically in every text format;
requirements files decode as pip decodes them (BOMs, a coding line); anything else undecodable is a clear error
naming the file and the byte offset (exit 2)."""

from __future__ import annotations

import codecs
import subprocess
import sys
from pathlib import Path

import pytest
from pip._internal.req.req_file import _decode_req_file

import depglot
from depglot import registry
from depglot.errors import DepglotError, ParseError

from .conftest import corpus_files

# corpus category -> the format its files are read and written as
CATEGORIES = {
    "requirements": "requirements", "hashed_requirements": "requirements", "freeze": "requirements",
    "pipfile": "pipfile", "pipfile_lock": "pipfile-lock", "poetry": "poetry", "poetry2": "poetry",
    "pep621": "pep621", "uv_pyproject": "pep621", "pdm_pyproject": "pep621", "poetry_lock": "poetry-lock",
    "uv_lock": "uv-lock", "pdm_lock": "pdm-lock", "pylock": "pylock", "script": "script", "conda": "conda",
    "conda_export": "conda", "conda_lock": "conda-lock",
}
VARIANTS = {
    "bom": lambda b: codecs.BOM_UTF8 + b,
    "crlf": lambda b: b.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
    "bom+crlf": lambda b: codecs.BOM_UTF8 + b.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n"),
}


def _parses(fmt: str, path: Path) -> bool:
    try:
        depglot.load(path, fmt)
    except DepglotError:  # corpus files kept as examples of input every tool refuses
        return False
    return True


FILES = [(cat, fmt, p) for cat, fmt in CATEGORIES.items() for p in corpus_files(cat)
         if registry.format_class(fmt).can_write and _parses(fmt, p)]


def _decode(fmt: str, data: bytes, path: str) -> str:
    decoder = getattr(registry.get(fmt), "decode", None)
    return decoder(data, path) if decoder is not None else depglot.api.decode(data, path)


@pytest.mark.skipif(not FILES, reason="shared corpus absent")
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_corpus_file_round_trips_byte_identically(variant: str) -> None:
    checked = failures = 0
    bad: list[str] = []
    for cat, fmt, path in FILES:
        data = VARIANTS[variant](path.read_bytes())
        text = _decode(fmt, data, path.name)
        manifest = depglot.loads(text, fmt, path=path.name)
        out = depglot.dumps(manifest, fmt, base=text).text.encode("utf-8")
        checked += 1
        if out != data:
            failures += 1
            bad.append(f"{cat}/{path.name}")
    assert not bad, f"{failures}/{checked} not byte-identical with {variant}: {bad[:10]}"
    assert checked >= 150


@pytest.mark.skipif(not FILES, reason="shared corpus absent")
def test_cli_convert_to_its_own_format_keeps_bom_and_crlf(tmp_path: Path) -> None:
    seen: set[str] = set()
    for cat, fmt, path in FILES:
        if fmt in seen:
            continue
        seen.add(fmt)
        src = tmp_path / path.name
        data = VARIANTS["bom+crlf"](path.read_bytes())
        src.write_bytes(data)
        out = tmp_path / f"out-{fmt}"
        result = subprocess.run([sys.executable, "-m", "depglot", "convert", str(src), "-f", fmt, "-t", fmt,
                                 "-o", str(out)], capture_output=True, text=True, timeout=120)
        assert result.returncode in (0, 1), (fmt, result.stderr)
        assert out.read_bytes() == data, fmt
    assert len(seen) >= 8


PIP_ENCODINGS = {
    "utf-8-bom": codecs.BOM_UTF8 + "# caf\u00e9\nflask>=2\n".encode(),
    "utf-16-le": codecs.BOM_UTF16_LE + "# caf\u00e9\nflask>=2\n".encode("utf-16-le"),
    "utf-16-be": codecs.BOM_UTF16_BE + "# caf\u00e9\nflask>=2\n".encode("utf-16-be"),
    "utf-32-le": codecs.BOM_UTF32_LE + "# caf\u00e9\nflask>=2\n".encode("utf-32-le"),
    "utf-32-be": codecs.BOM_UTF32_BE + "# caf\u00e9\nflask>=2\n".encode("utf-32-be"),
    "coding-latin-1": "# -*- coding: latin-1 -*-\n# caf\u00e9\nflask>=2\n".encode("latin-1"),
    "plain-utf-8": "# caf\u00e9\nflask>=2\n".encode(),
}


@pytest.mark.parametrize("name", sorted(PIP_ENCODINGS))
def test_requirements_decode_as_pip_does(name: str) -> None:
    data = PIP_ENCODINGS[name]
    text = _decode("requirements", data, "requirements.txt")
    assert text.removeprefix("\ufeff") == _decode_req_file(data, "requirements.txt")
    names = [r.name for g in depglot.loads(text, "requirements").groups for r in g.requirements]
    assert names == ["flask"] and "caf\u00e9" in text


@pytest.mark.parametrize(("fmt", "name"), [("pipfile", "Pipfile"), ("pep621", "pyproject.toml"),
                                           ("conda", "environment.yml"), ("requirements", "requirements.txt"),
                                           ("pipfile-lock", "Pipfile.lock")])
def test_undecodable_file_names_the_file_and_byte_offset(tmp_path: Path, fmt: str, name: str) -> None:
    data = b"# ok\n" + b"\xff\xfe\xfa broken\n"
    if fmt == "requirements":
        data = b"flask\n\xc3\x28 broken\n"  # invalid UTF-8 at byte offset 6
    offset = 5 if fmt != "requirements" else 6
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ParseError) as exc:
        depglot.load(tmp_path / name, fmt)
    assert f"byte offset {offset}" in exc.value.one_line()
    result = subprocess.run([sys.executable, "-m", "depglot", "convert", name, "-t", "requirements"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert name in result.stderr and f"byte offset {offset}" in result.stderr
