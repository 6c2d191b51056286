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
