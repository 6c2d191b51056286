"""The bundled offline PyPI <-> conda-forge name map and the --name-map override."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from depglot import api
from depglot.data.conda_names import load_name_map
from depglot.errors import ParseError
from depglot.ir.model import CondaPackage, canonical_name


@pytest.mark.parametrize(
    ("pypi", "conda"),
    [
        ("torch", "pytorch"),
        ("opencv-python", "opencv"),
        ("opencv-python-headless", "opencv"),
        ("tables", "pytables"),
        ("msgpack", "msgpack-python"),
        ("typing_extensions", "typing_extensions"),
        ("ruamel.yaml", "ruamel.yaml"),
        ("graphviz", "python-graphviz"),
        ("matplotlib", "matplotlib"),  # curated: the full package, not matplotlib-base
        ("dask", "dask"),
        ("pandas", "pandas"),  # curated identity row
        ("Requests", "requests"),
        ("not-a-real-project-xyz", None),
    ],
)
def test_pypi_to_conda(pypi: str, conda: str | None) -> None:
    assert load_name_map().pypi_to_conda(pypi) == conda


@pytest.mark.parametrize(
    ("conda", "pypi", "verified"),
    [
        ("pytorch", "torch", True),
        ("pytorch-gpu", "torch", True),
        ("opencv", "opencv-python", True),
        ("py-opencv", "opencv-python", True),
        ("pytables", "tables", True),
        ("matplotlib-base", "matplotlib", True),
        ("matplotlib", "matplotlib", True),
        ("typing_extensions", "typing-extensions", True),
        ("pyqt", "pyqt5", True),
        ("psycopg2", "psycopg2", True),
        ("python-graphviz", "graphviz", True),
        ("graphviz", None, True),  # the C library; PyPI graphviz is conda python-graphviz
        ("tzdata", None, True),  # the time-zone database; PyPI tzdata is conda python-tzdata
        ("cudatoolkit", None, True),
        ("cuda-nvcc", None, True),
        ("r-ggplot2", None, True),
        ("libffi", None, True),
        ("_libgcc_mutex", None, True),
        ("gxx_linux-64", None, True),
        ("openssl", None, True),
        ("NumPy", "numpy", True),
        ("some-unknown-conda-package", "some-unknown-conda-package", False),
    ],
)
def test_conda_to_pypi(conda: str, pypi: str | None, verified: bool) -> None:
    assert load_name_map().conda_to_pypi(conda) == (pypi, verified)


def test_bundled_map_is_loaded_once_and_well_formed() -> None:
    assert load_name_map() is load_name_map()
    table = resources.files("depglot.data").joinpath("conda_names.tsv").read_text(encoding="utf-8")
    rows = [line.split("\t") for line in table.splitlines() if line and not line.startswith("#")]
    assert len(rows) > 12000
    for pypi, conda, origin in rows:
        assert pypi == canonical_name(pypi) and origin in ("b", "s", "g") and conda != pypi
    data = resources.files("depglot.data")
    for name in ("SOURCE.md", "LICENSE-grayskull.txt", "LICENSE-conda-pypi.txt", "conda_names_curated.tsv"):
        assert data.joinpath(name).is_file(), name


def test_user_map_text_overrides(tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_text(
        "# mine\ntorch  pytorch-cpu\nmy-lib\tmy-lib-conda\nrequests -\n-  pytorch\n", encoding="utf-8"
    )
    nm = load_name_map(str(path))
    assert nm.pypi_to_conda("torch") == "pytorch-cpu"
    assert nm.pypi_to_conda("my_lib") == "my-lib-conda"
    assert nm.pypi_to_conda("requests") is None  # keep it on pip
    assert nm.conda_to_pypi("my-lib-conda") == ("my-lib", True)
    assert nm.conda_to_pypi("pytorch") == (None, True)
    assert load_name_map().pypi_to_conda("torch") == "pytorch"  # the bundled map is untouched


def test_user_map_json_shapes(tmp_path: Path) -> None:
    flat = tmp_path / "flat.json"
    flat.write_text(json.dumps({"torch": "pytorch-gpu", "leftpad": None}), encoding="utf-8")
    assert load_name_map(str(flat)).pypi_to_conda("torch") == "pytorch-gpu"
    assert load_name_map(str(flat)).pypi_to_conda("leftpad") is None
    cf = tmp_path / "cf.json"
    cf.write_text(
        json.dumps({"foo-bar": {"pypi_name": "foo-bar", "conda_name": "foo_bar"}}), encoding="utf-8"
    )
    assert load_name_map(str(cf)).pypi_to_conda("foo.bar") == "foo_bar"


@pytest.mark.parametrize(
    ("content", "name", "line", "words"),
    [
        ("torch pytorch\nonly-one-column\n", "bad.txt", 2, "name-map line"),
        ("a b c d\n", "bad.txt", 1, "name-map line"),
        ('{"torch": ', "bad.json", 1, "not valid JSON"),
        ('{"torch": 3}', "bad.json", None, "must be a string"),
    ],
)
def test_bad_user_map(tmp_path: Path, content: str, name: str, line: int | None, words: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ParseError) as info:
        load_name_map(str(path))
    assert words in info.value.message
    assert info.value.span is not None and info.value.span.file == str(path) and info.value.span.line == line


def test_missing_user_map_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ParseError) as info:
        load_name_map(str(tmp_path / "nope.txt"))
    assert "cannot read the name map" in info.value.message


def test_name_map_option_reaches_reader_and_writer(tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_text("my-lib my-lib-conda\n", encoding="utf-8")
    m = api.loads("dependencies:\n  - my-lib-conda=1.0\n", "conda", name_map=str(path))
    req = m.requirements()[0]
    assert req.name == "my-lib" and isinstance(req.source, CondaPackage) and req.source.pypi
    conv = api.convert("my-lib==1.0.*\n", "requirements", "conda", name_map=str(path))
    assert "  - my-lib-conda=1.0\n" in conv.text
    assert "my-lib" in api.convert("my-lib==1.0.*\n", "requirements", "conda").text.split("pip:")[1]


# ------------------------------------------------------------------------------------------------ --name-map files


def test_user_map_equals_lines(tmp_path: Path) -> None:
    path = tmp_path / "names.txt"
    path.write_text("torch = pytorch-cpu\nmy_lib=my-lib-conda >\nrequests = -\n- = pytorch  # conda-only\n")
    nm = load_name_map(str(path))
    assert nm.pypi_to_conda("torch") == "pytorch-cpu"
    assert nm.pypi_to_conda("my-lib") == "my-lib-conda"
    assert nm.conda_to_pypi("my-lib-conda") == ("my-lib-conda", False)  # `>`: PyPI -> conda only
    assert nm.pypi_to_conda("requests") is None
    assert nm.conda_to_pypi("pytorch") == (None, True)
    # the one-way row is honoured when writing, although the conda name does not read back as my-lib
    conv = api.convert("my-lib>=1\ntorch>=2\n", "requirements", "conda", name_map=str(path))
    assert "  - my-lib-conda>=1\n" in conv.text
    assert "  - pytorch-cpu>=2\n" in conv.text
    # a PyPI project whose conda package the map calls conda-only stays itself, on pip
    only = tmp_path / "only.txt"
    only.write_text("- = pytorch\n", encoding="utf-8")
    conv = api.convert("torch>=2\n", "requirements", "conda", name_map=str(only))
    assert "      - torch>=2\n" in conv.text and "pytorch" not in conv.text


@pytest.mark.parametrize(
    ("name", "content"),
    [
        (
            "names.toml",
            (
                '"-" = ["pytorch", "r-*"]\ntorch = "pytorch-cpu"\nrequests = false\n'
                '[foo-bar]\nconda_name = "foo_bar"\n'
            ),
        ),
        (
            "names.yaml",
            '"-": [pytorch, r-*]\ntorch: pytorch-cpu\nrequests: null\nfoo-bar: {conda_name: foo_bar}\n',
        ),
        (
            "names.json",
            (
                '{"-": ["pytorch", "r-*"], "torch": "pytorch-cpu", "requests": null, '
                '"foo-bar": {"conda_name": "foo_bar"}}'
            ),
        ),
    ],
)
def test_user_map_toml_yaml_json(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    nm = load_name_map(str(path))
    assert nm.pypi_to_conda("torch") == "pytorch-cpu"
    assert nm.conda_to_pypi("pytorch-cpu") == ("torch", True)
    assert nm.pypi_to_conda("requests") is None
    assert nm.pypi_to_conda("foo.bar") == "foo_bar"
    assert nm.conda_to_pypi("pytorch") == (None, True)
    assert nm.conda_to_pypi("r-base") == (None, True)


@pytest.mark.parametrize(
    ("content", "name", "line", "words"),
    [
        ('torch = "pytorch\n', "bad.toml", 1, "invalid TOML"),
        ("torch = 3\n", "bad.toml", None, "must be a string"),
        ("torch: [pytorch\n", "bad.yaml", 2, "not valid YAML"),
        ("- torch\n", "bad.yml", None, "must be a mapping"),
        ('"-": 3\n', "bad.yml", None, "conda-only names"),
    ],
)
def test_bad_toml_yaml_map(tmp_path: Path, content: str, name: str, line: int | None, words: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ParseError) as info:
        load_name_map(str(path))
    assert words in info.value.message
    assert info.value.span is not None and info.value.span.file == str(path) and info.value.span.line == line


def _cli(*args: str):  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from depglot.cli import build_app

    return CliRunner().invoke(build_app(list(args)), list(args))


def test_cli_convert_name_map_both_directions(tmp_path: Path) -> None:
    names = tmp_path / "names.toml"
    names.write_text('my-lib = "my-lib-conda"\ntorch = "pytorch-cpu"\n', encoding="utf-8")
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("my-lib==1.0.*\ntorch>=2.1\n", encoding="utf-8")
    out = tmp_path / "environment.yml"
    result = _cli("convert", str(reqs), "-t", "conda", "-o", str(out), "--name-map", str(names))
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "  - my-lib-conda=1.0\n  - pytorch-cpu>=2.1\n" in text and "pip:" not in text
    # without the map, my-lib has no conda package: it stays on pip
    plain = _cli("convert", str(reqs), "-t", "conda")
    assert (
        plain.exit_code == 0
        and "      - my-lib==1.0.*\n" in plain.stdout
        and "  - pytorch>=2.1\n" in plain.stdout
    )
    # conda -> PyPI reads the conda names through the map too
    back = _cli("convert", str(out), "-t", "requirements", "--name-map", str(names))
    assert back.exit_code == 0, back.output
    assert back.stdout.splitlines() == ["my-lib==1.0.*", "torch>=2.1"]
    unverified = _cli("convert", str(out), "-t", "requirements")
    assert "my-lib-conda==1.0.*" in unverified.stdout and "conda-name-unverified" in unverified.output


def test_cli_bad_name_map_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    names = tmp_path / "names.yaml"
    names.write_text("torch: [pytorch\n", encoding="utf-8")
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("requests\n", encoding="utf-8")
    out = tmp_path / "pyproject.toml"
    result = _cli("convert", str(reqs), "-t", "pep621", "-o", str(out), "--name-map", str(names))
    assert result.exit_code == 2
    assert (
        f"{names}:2" in result.output
        and "not valid YAML" in result.output
        and "Traceback" not in result.output
    )
    assert not out.exists()
    missing = _cli("convert", str(reqs), "-t", "conda", "--name-map", str(tmp_path / "nope.toml"))
    assert missing.exit_code == 2 and "cannot read the name map" in missing.output


def test_cli_migrate_name_map(tmp_path: Path) -> None:
    import os

    (tmp_path / "requirements.txt").write_text("my-lib==1.0.*\nrequests\n", encoding="utf-8")
    names = tmp_path / "names.txt"
    names.write_text("my-lib = my-lib-conda\n", encoding="utf-8")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        result = _cli("migrate", ".", "--to", "conda", "--name-map", str(names))
    finally:
        os.chdir(old)
    assert result.exit_code == 0, result.output
    text = (tmp_path / "environment.yml").read_text(encoding="utf-8")
    assert "  - my-lib-conda=1.0\n" in text and "  - requests\n" in text
