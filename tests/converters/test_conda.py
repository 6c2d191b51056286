"""conda environment.yml: read, base-mode splices, fresh writes, conversions both ways, bad input, YAML safety."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import Any

import pytest

from depglot import api, registry
from depglot.errors import ParseError
from depglot.ir.model import CondaPackage, GroupKind, IndexRole, LocalPath, Manifest, Requirement, Vcs
from depglot.report import Severity
from tests.conftest import FIXTURES, corpus_params

CONDA = FIXTURES / "conda"
EDGE = (CONDA / "edge.yml").read_text(encoding="utf-8")


def strip(obj: Any) -> Any:
    """The IR without positions (spans) and reader losses, for comparing manifests read from different texts."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes = {}
        for f in dataclasses.fields(obj):
            if f.name == "span":
                changes["span"] = None
            elif f.name != "losses":
                changes[f.name] = strip(getattr(obj, f.name))
        return dataclasses.replace(obj, **changes)
    if isinstance(obj, tuple):
        return tuple(strip(x) for x in obj)
    return obj


def read(text: str, path: str = "environment.yml") -> Manifest:
    return api.loads(text, "conda", path=path)


def by_name(manifest: Manifest, name: str) -> Requirement:
    return next(r for r in manifest.requirements() if r.name == name)


# ------------------------------------------------------------------------------------------------ corpus


@pytest.mark.parametrize("path", corpus_params("conda", "conda_export"))
def test_corpus_round_trips_byte_identically(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    manifest = read(text, str(path))
    out = api.dumps(manifest, "conda", base=text)
    assert out.text == text
    assert out.report.codes() == []


@pytest.mark.parametrize("path", corpus_params("conda", "conda_export"))
def test_corpus_fresh_write_reads_back_equal(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    manifest = read(text, str(path))
    fresh = api.dumps(manifest, "conda").text
    assert strip(read(fresh)) == strip(manifest)
    assert api.dumps(read(fresh), "conda", base=fresh).text == fresh


@pytest.mark.parametrize("path", corpus_params("conda", "conda_export"))
def test_corpus_pip_lists_agree_with_pips_parser(path: Path, tmp_path: Path) -> None:
    """Every pip: entry means to pip what it means to depglot (name or link, editable)."""
    from pip._internal.network.session import PipSession
    from pip._internal.req.req_file import parse_requirements

    from depglot.converters.conda.reader import read_environment
    from depglot.data.conda_names import load_name_map

    text = path.read_text(encoding="utf-8")
    manifest, layout = read_environment(text, str(path), load_name_map())
    lines = [p for item in layout.deps for c in item.children for p in [layout.lines[c.start]]]
    pip_reqs = [r for r in manifest.requirements() if not isinstance(r.source, CondaPackage)]
    if not lines:
        assert pip_reqs == []
        return
    entries = []
    for item in layout.deps:
        for child in item.children:
            raw = next(
                (
                    x.value
                    for p in child.parts
                    if p.kind == "requirement"
                    for x in p.value[0].raw
                    if x.key == "pip"
                ),
                None,
            )
            if raw is not None:
                entries.append(raw)
    (tmp_path / "reqs.txt").write_text("\n".join(entries) + "\n", encoding="utf-8")
    oracle = list(parse_requirements(str(tmp_path / "reqs.txt"), session=PipSession()))
    assert len(oracle) == len(pip_reqs)
    for ours, theirs in zip(pip_reqs, oracle, strict=True):
        assert ours.editable == theirs.is_editable
        if ours.name and not theirs.is_editable and "://" not in theirs.requirement:
            from packaging.requirements import Requirement as PReq

            assert ours.key == PReq(theirs.requirement).name.lower().replace("_", "-").replace(".", "-")


# ------------------------------------------------------------------------------------------------ reading


def test_reader_maps_every_key() -> None:
    m = read(EDGE, "edge.yml")
    assert m.format == "conda"
    assert m.project is not None and m.project.name == "edge-env"
    assert m.channels == ("conda-forge", "nodefaults")
    assert m.python is not None and m.python.pep440 == "==3.11.*"
    assert [g.name for g in m.groups] == ["main"] and m.groups[0].kind is GroupKind.MAIN
    names = [r.name for r in m.requirements()]
    assert names == [
        "numpy",
        "scipy",
        "blas",
        "torch",
        "cudatoolkit",
        "pywin32",
        "patchelf",
        "pip",
        "requests",
        "tool",
        "",
        "attrs",
    ]
    torch = by_name(m, "torch")
    assert torch.source == CondaPackage(
        name="pytorch", spec="pytorch::pytorch 2.0.*", channel="pytorch", pypi=True
    )
    assert torch.version is not None and torch.version.pep440 == "==2.0.*"
    blas = by_name(m, "blas")
    assert blas.source == CondaPackage(name="blas", spec="blas=*=mkl", build="mkl", pypi=False)
    assert by_name(m, "cudatoolkit").source.pypi is False  # type: ignore[union-attr]
    scipy = by_name(m, "scipy")
    assert scipy.source.channel == "conda-forge"  # type: ignore[union-attr]
    # selectors become markers; the selector text is kept
    assert by_name(m, "pywin32").marker == 'sys_platform == "win32"'
    assert by_name(m, "patchelf").marker == 'sys_platform == "linux"'
    assert {r.key: r.value for r in by_name(m, "pywin32").raw} == {"selector": "# [win]"}
    assert {r.key: r.value for r in by_name(m, "patchelf").raw} == {
        "selector": "sel(linux)",
        "name-unverified": True,
    }
    # the pip: list: ordinary requirements, options as manifest facts
    req = by_name(m, "requests")
    assert req.source is None and req.extras == ("socks",) and req.marker == 'python_version >= "3.10"'
    assert req.version is not None and req.version.pep440 == ">=2.31"
    assert isinstance(by_name(m, "tool").source, Vcs) and by_name(m, "tool").source.rev == "v1.2"  # type: ignore[union-attr]
    local = m.requirements()[10]
    assert local.editable and local.source == LocalPath(path=".")
    assert by_name(m, "attrs").hashes == (
        "sha256:1f28b4522cdc2fb4256ac1a020c78acf9cba2c6b7ad1ee5e8c25d6f6ac3e9f90",
    )
    assert [(i.url, i.role) for i in m.indexes] == [
        ("https://example.org/simple", IndexRole.DEFAULT),
        ("https://pypi.org/simple", IndexRole.EXTRA),
    ]
    assert m.includes == (("requirement", "requirements-extra.txt"),)
    raw = {r.key: r.value for r in m.raw}
    assert raw == {
        "python": "python=3.11",
        "variables": {"OMP_NUM_THREADS": "1"},
        "platforms": ["linux-64", "win-64"],
        "prefix": "/opt/envs/edge-env",
    }
    assert by_name(m, "numpy").span is not None and by_name(m, "numpy").span.line == 10  # type: ignore[union-attr]


def test_pip_option_line_with_several_options() -> None:
    text = (
        "dependencies:\n  - pip:\n"
        "    - --pre --index-url https://a.example/simple --extra-index-url https://b.example/ -f ./wheels\n"
        "    - --no-index\n    - --trusted-host a.example\n    - -c constraints.txt\n"
    )
    m = read(text)
    assert m.allow_prereleases is True and m.no_index is True
    assert [(i.url, i.role) for i in m.indexes] == [
        ("https://a.example/simple", IndexRole.DEFAULT),
        ("https://b.example/", IndexRole.EXTRA),
        ("./wheels", IndexRole.FIND_LINKS),
    ]
    assert [(o.name, o.value) for o in m.options] == [("trusted-host", "a.example")]
    assert m.includes == (("constraint", "constraints.txt"),)
    assert api.dumps(m, "conda", base=text).text == text
    assert strip(read(api.dumps(m, "conda").text)) == strip(m)


def test_crlf_and_bom_round_trip_and_edit() -> None:
    text = "\ufeffname: x\r\nchannels:\r\n  - conda-forge\r\ndependencies:\r\n  - numpy=1.23  # pinned\r\n  - scipy\r\n"
    m = read(text)
    assert m.project is not None and m.project.name == "x"
    assert api.dumps(m, "conda", base=text).text == text
    numpy = by_name(m, "numpy")
    edited = _replace_req(
        m, "numpy", numpy.replace(source=dataclasses.replace(numpy.source, spec="numpy=1.26"))
    )  # type: ignore[arg-type]
    edited = _replace_req(
        edited,
        "numpy",
        by_name(edited, "numpy").replace(
            version=by_name(read("dependencies: [numpy=1.26]"), "numpy").version
        ),
    )
    out = api.dumps(edited, "conda", base=text).text
    assert out == text.replace("numpy=1.23", "numpy=1.26")


def _replace_req(m: Manifest, name: str, new: Requirement | None) -> Manifest:
    groups = []
    for g in m.groups:
        reqs = [new if r.name == name else r for r in g.requirements]
        groups.append(g.replace(requirements=tuple(r for r in reqs if r is not None)))
    return m.replace(groups=tuple(groups))


def _add_req(m: Manifest, req: Requirement) -> Manifest:
    g = m.groups[0]
    return m.replace(groups=(g.replace(requirements=(*g.requirements, req)),) + m.groups[1:])


# ------------------------------------------------------------------------------------------------ base-mode edits


def test_edit_version_keeps_everything_else() -> None:
    m = read(EDGE)
    new_spec = read("dependencies:\n  - scipy>=1.11\n")
    scipy = by_name(m, "scipy").replace(version=by_name(new_spec, "scipy").version)
    out = api.dumps(_replace_req(m, "scipy", scipy), "conda", base=EDGE).text
    changed = [(a, b) for a, b in zip(EDGE.splitlines(), out.splitlines(), strict=True) if a != b]
    assert len(changed) == 1
    old, new = changed[0]
    assert old == "  - conda-forge::scipy>=1.10,<2"
    assert new.startswith("  - conda-forge::scipy") and "1.11" in new


def test_remove_and_add_entries_splice_lines() -> None:
    m = read(EDGE)
    m = _replace_req(m, "cudatoolkit", None)
    m = _replace_req(m, "attrs", None)
    m = _add_req(m, read("dependencies: [xarray>=2024.1]").requirements()[0])
    for req in api.loads("httpx==0.27.0\nunknown-proj==1.0\n", "requirements").requirements():
        m = _add_req(m, req)
    conv = api.dumps(m, "conda", base=EDGE)
    expected = (
        EDGE.replace("  - cudatoolkit=11.8\n", "")
        .replace(
            "  - sel(linux): patchelf\n  - pip\n",
            "  - sel(linux): patchelf\n  - pip\n  - xarray>=2024.1\n  - httpx==0.27.0\n",
        )
        .replace(
            "    - attrs==23.1.0 --hash=sha256:1f28b4522cdc2fb4256ac1a020c78acf9cba2c6b7ad1ee5e8c25d6f6ac3e9f90\n",
            "    - unknown-proj==1.0\n",
        )
    )
    assert conv.text == expected
    assert conv.report.codes() == ["conda-kept-on-pip"]


def test_dropping_an_index_rewrites_only_its_line() -> None:
    m = read(EDGE)
    m = m.replace(indexes=m.indexes[:1])
    out = api.dumps(m, "conda", base=EDGE).text
    assert out == EDGE.replace("    - --extra-index-url https://pypi.org/simple\n", "")


def test_changed_name_channels_and_raw_keys() -> None:
    m = read(EDGE)
    from depglot.ir.model import Project, Raw

    m = m.replace(
        project=Project(name="renamed"),
        channels=("conda-forge", "bioconda"),
        raw=tuple(r for r in m.raw if r.key != "prefix")
        + (Raw(format="conda", key="category", value="dev"),),
    )
    out = api.dumps(m, "conda", base=EDGE).text
    expected = (
        EDGE.replace("name: edge-env", "name: renamed")
        .replace("  - conda-forge # main channel\n  - nodefaults\n", "  - conda-forge\n  - bioconda\n")
        .replace("prefix: /opt/envs/edge-env\n", "")
        + "category: dev\n"
    )
    assert out == expected


def test_python_constraint_edit() -> None:
    m = read(EDGE)
    from depglot.dialects import pep440

    out = api.dumps(m.replace(python=pep440.parse(">=3.12")), "conda", base=EDGE).text
    changed = [(a, b) for a, b in zip(EDGE.splitlines(), out.splitlines(), strict=True) if a != b]
    assert len(changed) == 1 and changed[0][0] == "  - python=3.11"
    assert changed[0][1].startswith("  - python") and "3.12" in changed[0][1]
    out = api.dumps(m.replace(python=None), "conda", base=EDGE).text
    assert out == EDGE.replace("  - python=3.11\n", "")


# ------------------------------------------------------------------------------------------------ conversions


def test_conda_to_requirements_reports_every_loss() -> None:
    conv = api.convert(EDGE, "conda", "requirements", path="edge.yml")
    lines = conv.text.splitlines()
    assert "torch==2.0.*" in lines
    assert "numpy==1.23.*" in lines
    assert 'patchelf ; sys_platform == "linux"' in lines
    assert 'pywin32 ; sys_platform == "win32"' in lines  # the selector became a marker
    assert not any(line.startswith(("blas", "cudatoolkit", "python")) for line in lines)
    codes = conv.report.codes()
    only = [loss.subject for loss in conv.report if loss.code == "conda-only-package"]
    assert only == ["blas", "cudatoolkit"]
    assert {"conda-package-as-pypi", "conda-name-unverified", "python-dropped", "channels-dropped"} <= set(
        codes
    )
    loss = next(
        loss for loss in conv.report if loss.code == "conda-only-package" and loss.subject == "cudatoolkit"
    )
    assert loss.severity is Severity.ERROR and loss.span is not None and loss.span.line == 14


@pytest.mark.parametrize("target", ["requirements", "pep621", "poetry", "pipfile"])
def test_conda_only_keys_are_reported_for_pypi_targets(target: str) -> None:
    conv = api.convert(EDGE, "conda", target, path="edge.yml")
    keys = [
        (loss.code, loss.severity, loss.subject, loss.span.file, loss.span.line, loss.data)  # type: ignore[union-attr]
        for loss in conv.report
        if loss.code.startswith(("conda-variables", "conda-prefix", "conda-platforms", "conda-key"))
    ]
    assert keys == [
        (
            "conda-variables-dropped",
            Severity.WARNING,
            "variables",
            "edge.yml",
            28,
            {"key": "variables", "names": ["OMP_NUM_THREADS"]},
        ),
        ("conda-platforms-dropped", Severity.WARNING, "platforms", "edge.yml", 30, {"key": "platforms"}),
        ("conda-prefix-dropped", Severity.INFO, "prefix", "edge.yml", 33, {"key": "prefix"}),
    ]
    assert "OMP_NUM_THREADS" not in conv.text and "/opt/envs" not in conv.text and "win-64" not in conv.text
    # the build and channel messages name only what the spec has
    scipy = next(
        loss for loss in conv.report if loss.subject == "scipy" and loss.code == "conda-package-as-pypi"
    )
    assert scipy.message.endswith("(channel 'conda-forge' not kept)")


def test_other_environment_keys_and_python_build_are_reported() -> None:
    text = (
        "name: x\ncategory: dev\npip-repositories:\n  - https://u:tok@example.org/simple\nfoo: 1\n"
        "dependencies:\n  - conda-forge::python=3.11.5=h955ad1f_0\n  - numpy\n"
    )
    conv = api.convert(text, "conda", "pep621", path="environment.yml")
    got = [
        (loss.code, loss.severity, loss.subject, loss.span.line)  # type: ignore[union-attr]
        for loss in conv.report
        if loss.code in ("conda-key-dropped", "conda-python-detail-dropped")
    ]
    assert got == [
        ("conda-key-dropped", Severity.WARNING, "category", 2),
        ("conda-key-dropped", Severity.WARNING, "pip-repositories", 3),
        ("conda-key-dropped", Severity.WARNING, "foo", 5),
        ("conda-python-detail-dropped", Severity.INFO, "python", 7),
    ]
    assert 'requires-python = "==3.11.5"' in conv.text
    assert "tok" not in str([loss.data for loss in conv.report])
    # conda targets keep every key: nothing to report
    again = api.convert(text, "conda", "conda", path="environment.yml")
    assert not {"conda-key-dropped", "conda-python-detail-dropped"} & set(again.report.codes())


def test_conda_to_pep621_keeps_python() -> None:
    conv = api.convert(EDGE, "conda", "pep621", path="edge.yml")
    assert 'requires-python = "==3.11.*"' in conv.text
    assert '"torch==2.0.*"' in conv.text


PYPI = (CONDA / "pypi.txt").read_text(encoding="utf-8")


def test_pypi_to_conda_maps_names_and_keeps_the_rest_on_pip() -> None:
    conv = api.convert(PYPI, "requirements", "conda", path="pypi.txt")
    m = read(conv.text)
    conda = {r.source.name: r.source.spec for r in m.requirements() if isinstance(r.source, CondaPackage)}  # type: ignore[union-attr]
    assert set(conda) == {"pytorch", "opencv", "pytables", "numpy", "scikit-learn", "pip"}
    assert conda["numpy"] == "numpy=1.26"
    assert conda["opencv"] == "opencv=4.8"
    assert conda["pytables"] == "pytables"
    pip = [
        next(x.value for x in r.raw if x.key == "pip")
        for r in m.requirements()
        if not isinstance(r.source, CondaPackage)
    ]
    assert pip == [
        "requests[socks]>=2.31",
        'pywin32 ; sys_platform == "win32"',
        "tool @ git+https://github.com/org/tool.git@v1.2",
        "-e ./local-pkg",
        "some-unknown-project==1.0",
    ]
    assert m.channels == ("conda-forge",)
    codes = conv.report.codes()
    assert codes.count("pypi-as-conda-package") == 3
    assert codes.count("conda-kept-on-pip") == 5
    # regression (matrix): the added channel and pip package are reported, not silent
    assert codes.count("conda-channel-added") == 1 and codes.count("conda-pip-added") == 1
    assert {l.subject for l in conv.report if l.code in ("conda-channel-added", "conda-pip-added")} == {
        "conda-forge",
        "pip",
    }
    # every conda package means the same versions as the PyPI requirement it came from
    src = {r.key: r for r in api.loads(PYPI, "requirements").requirements()}
    for r in m.requirements():
        if isinstance(r.source, CondaPackage) and r.key in src:
            assert (
                r.version is None
                or src[r.key].version is None
                or r.version.versions == src[r.key].version.versions
            )


def test_fresh_write_exact_text() -> None:
    text = "numpy==1.26.*\ntorch>=2.1\n"
    conv = api.convert(text, "requirements", "conda")
    assert conv.text.startswith("channels:\n  - conda-forge\ndependencies:\n  - numpy=1.26\n  - pytorch")


# ------------------------------------------------------------------------------------------------ oracle


def _grid() -> list[str]:
    return [
        "0.9",
        "1.0",
        "1.2",
        "1.2.3",
        "1.9.9",
        "1.10",
        "1.23",
        "1.23.0",
        "1.23.5",
        "1.24",
        "1.26",
        "1.26.4",
        "2.0",
        "2.0.1",
        "2.1",
        "2.1.0",
        "2.5",
        "3.0",
        "3.10",
        "3.11",
        "3.11.4",
        "3.12",
        "4.8",
        "4.8.1",
        "4.9",
        "2024.1",
    ]


def test_written_matchspecs_parse_with_rattler_and_mean_the_same() -> None:
    rattler = pytest.importorskip("rattler")
    texts = [
        "numpy==1.26.*\n",
        "torch>=2.1\n",
        "scipy>=1.10,<2\n",
        "pandas!=2.0.1\n",
        "tables==3.9\n",
        "scikit-learn~=1.3.0\n",
        "zarr>2.0,<=2.5\n",
        "xarray==2024.1\n",
        "matplotlib<3.0\n",
    ]
    for text in texts:
        conv = api.convert(text, "requirements", "conda")
        m = read(conv.text)
        src = api.loads(text, "requirements").requirements()[0]
        reqs = [r for r in m.requirements() if isinstance(r.source, CondaPackage) and r.source.name != "pip"]
        if not reqs:  # kept on pip because conda cannot say it exactly
            assert "conda-kept-on-pip" in conv.report.codes()
            continue
        spec = reqs[0].source.spec  # type: ignore[union-attr]
        ms = rattler.MatchSpec(spec, strict=True)
        for v in _grid():
            want = src.version is None or src.version.versions.contains(v, prereleases=True)
            got = ms.version is None or rattler.VersionSpec(str(ms.version)).matches(rattler.Version(v))
            assert got == want, (text, spec, v)


# ------------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ("name: x\ndependencies:\n  - numpy\n - scipy\n", 4, 2, "invalid YAML"),
        ("dependencies:\n  - numpy\n  - 42\n", 3, 5, "string"),
        ("dependencies:\n  - numpy\n  - npm:\n      - left-pad\n", 3, 5, "unknown dependency section 'npm'"),
        ("dependencies:\n  - [a, b]\n", 2, 5, "not a sequence"),
        ("- numpy\n", 1, 1, "mapping"),
        ("dependencies:\n  - pip:\n    - --frobnicate\n", 3, 7, "unknown pip option"),
        ("dependencies:\n  - pip: {a: b}\n", 2, 10, "pip: section"),
        ("dependencies:\n  - sel(beos): x\n", 2, 5, "unknown selector"),
        ("name: a\nname: b\ndependencies: []\n", 2, 1, "duplicate key"),
        ("channels: conda-forge\ndependencies: []\n", 1, 11, "channels must be a list"),
    ],
)
def test_bad_input_is_a_located_error(text: str, line: int, column: int, words: str) -> None:
    with pytest.raises(ParseError) as info:
        read(text, "env.yml")
    err = info.value
    assert words in err.message
    assert err.span is not None and err.span.file == "env.yml"
    assert (err.span.line, err.span.column) == (line, column)


def test_invalid_matchspec_is_a_located_error() -> None:
    with pytest.raises(ParseError) as info:
        read("dependencies:\n  - numpy\n  - 'numpy >=1.2 <2 x y'\n", "env.yml")
    assert info.value.span is not None and info.value.span.line == 3


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    prev = "a"
    for name in "bcdefghij":
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
        prev = name
    lines.append("dependencies: []")
    start = time.perf_counter()
    with pytest.raises(ParseError) as info:
        read("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 2.0
    assert "alias" in info.value.message


def test_small_aliases_are_fine() -> None:
    text = "x-pins: &pins [numpy, scipy]\ndependencies:\n  - python\n"
    m = read(text)
    assert {r.key: r.value for r in m.raw}["x-pins"] == ["numpy", "scipy"]


def test_yaml_tags_are_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = f'evil: !!python/object/apply:os.system ["touch {marker}"]\ndependencies: [numpy]\n'
    m = read(text)
    assert not marker.exists()
    assert {r.key: r.value for r in m.raw}["evil"] == [f"touch {marker}"]


# ------------------------------------------------------------------------------------------------ registry


def test_detection() -> None:
    assert registry.detect("environment.yml", "name: x\ndependencies: []\n").name == "conda"
    assert (
        registry.detect("env/dev.yaml", "name: x\nchannels: [conda-forge]\ndependencies:\n  - numpy\n").name
        == "conda"
    )


def _specifier_cases() -> list[str]:
    versions = ["1", "1.2", "1.2.3", "2.0", "0.9.1", "1.2rc1", "2023.10"]
    ops = ["==", "!=", ">=", "<=", ">", "<", "~="]
    cases = [f"{op}{v}" for op in ops for v in versions if not (op == "~=" and "." not in v)]
    cases += [f"=={v}.*" for v in ("1", "1.2", "2023")] + [f"!={v}.*" for v in ("1.2", "2")]
    cases += [">=1.2,<2", ">1.0,<=1.5", ">=1.2,!=1.3.1,<2.0", "~=1.2,!=1.4.*", ">=2.0rc1,<3"]
    return cases


_GRID = [
    "0.9",
    "0.9.1",
    "1",
    "1.0",
    "1.1",
    "1.2a1",
    "1.2rc1",
    "1.2",
    "1.2.0",
    "1.2.1",
    "1.2.3",
    "1.2.4",
    "1.3",
    "1.3.1",
    "1.4",
    "1.4.2",
    "1.5",
    "1.9",
    "2.0a1",
    "2.0b2",
    "2.0rc1",
    "2.0",
    "2.0.1",
    "2.1",
    "2.5",
    "3.0rc1",
    "3",
    "3.1",
    "2023.10",
    "2023.10.1",
    "2024.1",
]


@pytest.mark.parametrize("spec", _specifier_cases())
def test_every_written_matchspec_means_the_pep440_set(spec: str) -> None:
    """Oracle: py-rattler parses the written MatchSpec strictly and admits exactly what packaging admits,
    prereleases included, on versions both ecosystems order the same way: no post/dev/local releases, and no
    prerelease spelled with a different number of components than the bound (conda orders 1.2.0rc1 after 1.2rc1)."""
    rattler = pytest.importorskip("rattler")
    from packaging.specifiers import SpecifierSet

    conv = api.convert(f"pandas{spec}\n", "requirements", "conda")
    m = read(conv.text)
    conda = [r for r in m.requirements() if isinstance(r.source, CondaPackage) and r.source.name == "pandas"]
    if not conda:
        assert "conda-kept-on-pip" in conv.report.codes()
        pip = [r for r in m.requirements() if r.name == "pandas"]
        assert len(pip) == 1 and pip[0].version is not None
        assert pip[0].version.versions == SpecifierSet(spec).to_range()
        return
    written = conda[0].source.spec  # type: ignore[union-attr]
    ms = rattler.MatchSpec(written, strict=True)
    assert ms.name.normalized == "pandas"
    for v in _GRID:
        want = SpecifierSet(spec).contains(v, prereleases=True)
        got = ms.version is None or rattler.VersionSpec(str(ms.version)).matches(rattler.Version(v))
        assert got == want, (spec, written, v)


def test_flow_style_lists_are_rerendered_when_edited() -> None:
    text = "name: f\nchannels: [conda-forge]\ndependencies: [numpy=1.23, scipy, {pip: [requests, attrs]}]\n"
    m = read(text)
    assert api.dumps(m, "conda", base=text).text == text
    out = api.dumps(_replace_req(m, "scipy", None), "conda", base=text).text
    assert out == (
        "name: f\nchannels: [conda-forge]\ndependencies:\n  - numpy=1.23\n  - pip:\n      - requests\n      - attrs\n"
    )
    assert strip(read(out)) == strip(_replace_req(m, "scipy", None))


def test_ir_json_round_trip_keeps_conda_detail() -> None:
    m = read(EDGE, "edge.yml")
    again = api.loads(api.dumps(m, "ir").text, "ir")
    assert strip(again) == strip(m)
    assert api.dumps(again, "conda", base=EDGE).text == EDGE
    assert api.dumps(again, "conda").text == api.dumps(m, "conda").text


# ------------------------------------------------------------------------------------------------ properties

_CONDA_POOL = [
    "numpy=1.23",
    "scipy>=1.10,<2",
    "conda-forge::pandas 2.1.*",
    '"blas=*=mkl"',
    "pywin32  # [win]",
    "cudatoolkit=11.8",
    "pip",
    "xarray",
    "sel(linux): patchelf",
]
_PIP_POOL = [
    "requests>=2",
    "-e .",
    "git+https://example.org/a.git@main",
    "--index-url https://example.org/simple",
    "attrs==23.1.0",
    "flask ; python_version >= '3.10'",
]
_NEW = ["httpx==0.27.*", "unknown-proj>=1", "torch>=2.1", "git+https://example.org/b.git@v1#egg=b"]


def _sorted(m: Manifest) -> Any:
    reqs = tuple(sorted((strip(r) for r in m.requirements()), key=repr))
    return strip(m).replace(
        groups=(m.groups[0].replace(requirements=reqs),), raw=tuple(sorted(strip(m.raw), key=repr))
    )


def _doc(draw: Any) -> str:
    from hypothesis import strategies as st

    dash = " " * draw(st.sampled_from([0, 2, 4]))
    child = dash + " " * draw(st.sampled_from([2, 4]))
    lines = [draw(st.sampled_from(["# header", "---", "name: prop"]))]
    if draw(st.booleans()):
        lines += ["channels:", f"{dash}- conda-forge"]
    lines.append("dependencies:")
    if draw(st.booleans()):
        lines.append(f"{dash}- python=3.11")
    for spec in draw(st.lists(st.sampled_from(_CONDA_POOL), unique=True, max_size=6)):
        if draw(st.integers(0, 4)) == 0:
            lines.append(draw(st.sampled_from([f"{dash}# a comment", "", f"{dash}  # indented comment"])))
        lines.append(f"{dash}- {spec}")
    pip = draw(st.lists(st.sampled_from(_PIP_POOL), unique=True, max_size=4))
    if pip:
        lines.append(f"{dash}- pip:")
        lines += [f"{child}- {p}" for p in pip]
    if draw(st.booleans()):
        lines += ["variables:", f"{dash[:2] or '  '}X: '1'"]
    return "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


def test_splices_mean_what_a_fresh_write_means() -> None:
    """Property: after random removals, version changes and additions, the spliced file reads back to the same
    requirements as a fresh write of the same manifest, and an unchanged manifest gives the base back."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    rattler = pytest.importorskip("rattler")

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.data())
    def run(data: Any) -> None:
        text = _doc(data.draw)
        m = read(text)
        assert api.dumps(m, "conda", base=text).text == text
        reqs = list(m.requirements())
        keep = [r for r in reqs if data.draw(st.booleans())]
        changed = []
        for r in keep:
            if isinstance(r.source, CondaPackage) and data.draw(st.integers(0, 3)) == 0:
                v = read("dependencies: [x>=9.9]").requirements()[0].version
                r = r.replace(version=v)
            changed.append(r)
        new = api.loads(
            "\n".join(data.draw(st.lists(st.sampled_from(_NEW), unique=True, max_size=3))) + "\n",
            "requirements",
        )
        edited = m.replace(groups=(m.groups[0].replace(requirements=(*changed, *new.requirements())),))
        if data.draw(st.booleans()):
            edited = edited.replace(indexes=())
        spliced = api.dumps(edited, "conda", base=text).text
        fresh = api.dumps(edited, "conda").text
        assert _sorted(read(spliced)).groups == _sorted(read(fresh)).groups, spliced
        for req in read(spliced).requirements():  # every MatchSpec depglot wrote parses strictly
            if isinstance(req.source, CondaPackage) and req.source.spec not in text:
                rattler.MatchSpec(req.source.spec, strict=True)
        assert read(spliced).indexes == () or [i.url for i in read(spliced).indexes] == [
            i.url for i in edited.indexes
        ]

    run()


def test_unknown_selector_is_kept_and_reported() -> None:
    text = "dependencies:\n  - numpy\n  - enum34  # [py<34]\n"
    m = read(text, "env.yml")
    assert by_name(m, "enum34").marker is None
    assert api.dumps(m, "conda", base=text).text == text
    assert api.dumps(m, "conda").text.endswith("  - enum34  # [py<34]\n")
    conv = api.dumps(m, "requirements")
    assert "enum34" in conv.text.splitlines()
    loss = next(loss for loss in conv.report if loss.code == "conda-selector-unknown")
    assert loss.severity is Severity.WARNING and loss.span is not None and loss.span.line == 3


def test_pypi_manifest_into_an_existing_environment_keeps_conda_only_facts() -> None:
    """A pyproject cannot say channels, the env name, variables or conda-only packages: writing it into an
    existing environment.yml updates the packages it can say and keeps the rest."""
    pyproject = (
        '[project]\nname = "demo"\nversion = "1"\nrequires-python = ">=3.11"\n'
        'dependencies = ["numpy>=1.26", "torch==2.0.*", "requests>=2.31", "httpx"]\n'
    )
    m = api.loads(pyproject, "pep621")
    conv = api.dumps(m, "conda", base=EDGE)
    out = conv.text
    assert out.startswith("# Hand-made environment")
    assert "name: edge-env\n" in out and "  - nodefaults\n" in out and "OMP_NUM_THREADS" in out
    for kept in ("  - cudatoolkit=11.8\n", '  - "blas=*=mkl"\n', "  - pip\n", "prefix: /opt/envs/edge-env\n"):
        assert kept in out
    assert "  - numpy>=1.26\n" in out and "  - pytorch::pytorch 2.0.*\n" not in out
    assert "  - conda-forge::scipy" not in out  # the pyproject no longer lists scipy
    assert "    - requests>=2.31\n" not in out  # written as a conda package now
    assert "  - requests>=2.31\n" in out and "  - httpx\n" in out
    assert "  - python>=3.11\n" in out
    again = read(out)
    assert {r.key for r in again.requirements()} >= {
        "numpy",
        "torch",
        "requests",
        "httpx",
        "cudatoolkit",
        "blas",
    }


def test_explicit_index_is_reported_when_widened() -> None:
    pipfile = (
        '[[source]]\nname = "pypi"\nurl = "https://pypi.org/simple"\nverify_ssl = true\n\n'
        '[[source]]\nname = "private"\nurl = "https://private.example/simple"\nverify_ssl = true\n\n'
        '[packages]\nrequests = "*"\nmylib = {version = "*", index = "private"}\n'
    )
    conv = api.convert(pipfile, "pipfile", "conda")
    assert "      - --extra-index-url https://private.example/simple\n" in conv.text
    assert "      - mylib\n" in conv.text and "  - requests\n" in conv.text
    assert "conda-index-role-widened" in conv.report.codes()
    assert "per-package-index-dropped" in conv.report.codes()


@pytest.mark.parametrize("path", corpus_params("conda", "conda_export"))
def test_corpus_conda_packages_agree_with_rattler(path: Path) -> None:
    """Oracle: py-rattler reads every conda dependency of the corpus to the same name, channel, build and versions."""
    rattler = pytest.importorskip("rattler")
    m = read(path.read_text(encoding="utf-8"), str(path))
    grid = [
        "0.1",
        "1.0",
        "1.21.5",
        "1.21.6",
        "2.0",
        "2.0.0",
        "2.0.1",
        "3.7.13",
        "3.10",
        "3.10.0",
        "2024.1",
        "2024.2",
    ]
    for req in m.requirements():
        src = req.source
        if not isinstance(src, CondaPackage):
            continue
        ms = rattler.MatchSpec(src.spec)
        assert ms.name.normalized == src.name.lower()
        assert ms.build == src.build
        assert (ms.channel.name if ms.channel else None) == src.channel
        if req.version is None:
            assert ms.version is None or str(ms.version) == "*"
            continue
        spec = rattler.VersionSpec(str(ms.version))
        for v in grid:
            assert spec.matches(rattler.Version(v)) == req.version.versions.contains(v, prereleases=True), (
                src.spec,
                v,
            )


def test_crlf_insertions_and_missing_final_newline() -> None:
    text = "name: x\r\ndependencies:\r\n  - numpy=1.23\r\n  - pip:\r\n    - requests"
    m = read(text)
    assert api.dumps(m, "conda", base=text).text == text
    new = api.loads("httpx==0.27.*\nunknown-x==1\n", "requirements").requirements()
    edited = m.replace(groups=(m.groups[0].replace(requirements=m.groups[0].requirements + new),))
    out = api.dumps(edited, "conda", base=text).text
    assert out == (
        "name: x\r\ndependencies:\r\n  - numpy=1.23\r\n  - httpx=0.27\r\n  - pip:\r\n    - requests\r\n    - unknown-x==1"
    )


def test_local_path_extras_survive_the_pip_list() -> None:
    # regression (matrix): `-e .` with extras lost them (written `-e .`), and `-e .[dev]` read back as path '.[dev]'
    conv = api.convert(
        '[packages.ballcone]\neditable = true\nextras = ["dev"]\npath = "."\n', "pipfile", "conda"
    )
    assert "      - -e .[dev]\n" in conv.text
    (req,) = [r for r in read(conv.text).requirements() if isinstance(r.source, LocalPath)]
    assert req.source == LocalPath(path=".") and req.extras == ("dev",) and req.editable


def test_repeated_pip_options_line_keeps_pre() -> None:
    """Found by the fuzzer: a pip: options line repeated verbatim must come back byte for byte."""
    text = (
        "dependencies:\n"
        "  - pip\n"
        "  - pip:\n"
        "    - --pre --index-url https://example.org/simple\n"
        "    - --pre --index-url https://example.org/simple\n"
        "    - --no-index\n"
        "    - --no-index\n"
        "    - numpy\n"
    )
    m = api.loads(text, "conda")
    assert api.dumps(m, "conda", base=text).text == text
    # the flags are one IR fact each: clearing them removes every repetition, the indexes stay
    off = api.dumps(m.replace(allow_prereleases=False, no_index=False), "conda", base=text).text
    assert off == (
        "dependencies:\n"
        "  - pip\n"
        "  - pip:\n"
        "    - --index-url https://example.org/simple\n"
        "    - --index-url https://example.org/simple\n"
        "    - numpy\n"
    )


# ------------------------------------------------------------------------------------------------ markers on -e lines


def _pip_oracle(lines: list[str], tmp_path: Path) -> list[tuple[str, bool, str | None]]:
    """(requirement text, editable, marker) as pip's own requirements-file parser reads each pip: line."""
    from pip._internal.network.session import PipSession
    from pip._internal.req.constructors import install_req_from_parsed_requirement
    from pip._internal.req.req_file import parse_requirements

    (tmp_path / "pkg").mkdir(exist_ok=True)
    (tmp_path / "pkg" / "pyproject.toml").write_text('[project]\nname = "pkg"\nversion = "1"\n')
    (tmp_path / "r.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = []
    import os

    old = os.getcwd()
    os.chdir(tmp_path)  # pip resolves relative paths against the working directory, as conda runs it
    try:
        for parsed in parse_requirements("r.txt", session=PipSession()):
            req = install_req_from_parsed_requirement(parsed)
            out.append((parsed.requirement, parsed.is_editable, str(req.markers) if req.markers else None))
    finally:
        os.chdir(old)
    return out


def _pip_lines(text: str) -> list[str]:
    from depglot.converters.conda.reader import read_environment
    from depglot.data.conda_names import load_name_map

    manifest, _ = read_environment(text, None, load_name_map())
    return [r.value for req in manifest.requirements() for r in req.raw if r.key == "pip"]


def test_editable_vcs_with_marker_keeps_a_valid_marker_pip_honours(tmp_path: Path) -> None:
    """Matrix gap: a Pipfile.lock editable VCS entry with markers came back as `python_version >= 3.7`."""
    from packaging.markers import Marker

    lock = (
        '{"_meta": {"hash": {"sha256": "x"}, "pipfile-spec": 6, "requires": {}, "sources": []},'
        ' "default": {"gunicorn": {"editable": true, "git": "https://github.com/benoitc/gunicorn",'
        ' "markers": "python_version >= \'3.7\'", "ref": "56b5ad87f8d72a674145c273ed8f547513c2b409"}},'
        ' "develop": {}}'
    )
    conv = api.convert(lock, "pipfile-lock", "conda")
    line = (
        "-e 'gunicorn @ git+https://github.com/benoitc/gunicorn@56b5ad87f8d72a674145c273ed8f547513c2b409"
        ' ; python_version >= "3.7"\''
    )
    assert f"      - {line}\n" in conv.text
    (req,) = [r for r in read(conv.text).requirements() if r.name == "gunicorn"]
    assert req.editable and Marker(req.marker).evaluate({"python_version": "3.6"}) is False  # type: ignore[arg-type]
    assert Marker(req.marker).evaluate({"python_version": "3.7"}) is True  # type: ignore[arg-type]
    ((text, editable, marker),) = _pip_oracle(_pip_lines(conv.text), tmp_path)
    assert editable and marker == 'python_version >= "3.7"' and text.startswith("gunicorn @ git+https://")


def test_old_editable_marker_form_reads_with_its_quotes() -> None:
    from packaging.markers import Marker

    text = (
        "dependencies:\n  - pip:\n"
        "    - -e git+https://github.com/a/tool.git@v1#egg=tool ; python_version >= '3.7'\n"
    )
    m = read(text, "env.yml")
    (req,) = m.requirements()
    assert req.editable and req.marker == "python_version >= '3.7'"
    Marker(req.marker)  # valid (shlex had dropped the quotes: `python_version >= 3.7`)
    assert api.dumps(m, "conda", base=text).text == text
    # pip itself drops that marker: say so
    (loss,) = m.losses
    assert (loss.code, loss.severity, loss.subject, loss.span.line) == (  # type: ignore[union-attr]
        "conda-pip-marker-ignored",
        Severity.WARNING,
        "tool",
        3,
    )
    quoted = "dependencies:\n  - pip:\n    - -e 'tool @ git+https://github.com/a/tool.git@v1 ; python_version >= \"3.7\"'\n"
    assert read(quoted).losses == () and read(quoted).requirements()[0].marker == 'python_version >= "3.7"'


def test_editable_path_with_marker_is_written_plain_and_reported(tmp_path: Path) -> None:
    poetry = (
        "[tool.poetry]\nname = 'x'\nversion = '1'\n[tool.poetry.dependencies]\n"
        "pkg = {path = './pkg', develop = true, markers = 'sys_platform == \"linux\"'}\n"
        "bar = {git = 'https://github.com/a/bar.git', develop = true, python = '<3.11'}\n"
    )
    conv = api.convert(poetry, "poetry", "conda")
    lines = _pip_lines(conv.text)
    assert lines == [
        './pkg ; sys_platform == "linux"',
        "-e 'bar @ git+https://github.com/a/bar.git ; python_version < \"3.11\"'",
    ]
    assert _pip_oracle(lines, tmp_path) == [
        ('./pkg ; sys_platform == "linux"', False, 'sys_platform == "linux"'),
        ('bar @ git+https://github.com/a/bar.git ; python_version < "3.11"', True, 'python_version < "3.11"'),
    ]
    got = {
        (loss.code, loss.severity, loss.subject) for loss in conv.report if loss.code.startswith("conda-p")
    }
    assert got == {
        ("conda-pip-editable-dropped", Severity.WARNING, "pkg"),
        ("conda-path-name-dropped", Severity.INFO, "pkg"),
        ("conda-pip-added", Severity.WARNING, "pip"),
    }


@pytest.mark.parametrize("path", corpus_params("pipfile_lock", "pipfile", "poetry"))
def test_every_written_pip_marker_parses_and_pip_agrees(path: Path, tmp_path: Path) -> None:
    """Oracle: packaging parses every marker the environment file reads back with, and pip's parser sees the
    same marker on every pip: line depglot writes (editables included)."""
    from packaging.markers import Marker

    fmt = {"pipfile_lock": "pipfile-lock", "pipfile": "pipfile", "poetry": "poetry"}[path.parent.name]
    try:
        source = api.load(path, fmt)
    except Exception as exc:  # noqa: BLE001 - a deliberately broken corpus file
        pytest.skip(f"rejected by its reader: {exc}")
    conv = api.dumps(source, "conda", selection=api.Selection(all_groups=True, all_extras=True))
    back = read(conv.text)
    for req in back.requirements():
        if req.marker:
            Marker(req.marker)
    # local paths are left out: pip checks that they exist (the path cases are tested above with a real project)
    ours = [r for r in back.requirements() if not isinstance(r.source, CondaPackage | LocalPath)]
    lines = [x.value for r in ours for x in r.raw if x.key == "pip"]
    assert len(lines) == len(ours)
    oracle = _pip_oracle(lines, tmp_path) if lines else []
    assert len(oracle) == len(ours)
    for req, (_, editable, marker) in zip(ours, oracle, strict=True):
        assert editable == req.editable
        if req.marker:
            assert marker is not None and Marker(marker) == Marker(req.marker)
        else:
            assert marker is None


# ------------------------------------------------------------------------------------------------ n:1 names


def test_pypi_names_that_share_a_conda_package_stay_on_pip() -> None:
    """Matrix gap: psycopg2-binary / opencv-python-headless were written as conda psycopg2 / opencv, which read
    back as the PyPI projects psycopg2 / opencv-python (with only an INFO)."""
    src = "psycopg2-binary==2.9.*\nopencv-python-headless>=4\nopencv-python>=4\ntorch>=2\n"
    conv = api.convert(src, "requirements", "conda")
    assert "  - opencv>=4\n  - pytorch>=2\n" in conv.text
    assert "      - psycopg2-binary==2.9.*\n      - opencv-python-headless>=4\n" in conv.text
    kept = {loss.subject: loss.data["reason"] for loss in conv.report if loss.code == "conda-kept-on-pip"}
    assert kept == {
        "psycopg2-binary": "the conda package 'psycopg2' is the PyPI project 'psycopg2'",
        "opencv-python-headless": "the conda package 'opencv' is the PyPI project 'opencv-python'",
    }
    back = {r.key for r in read(conv.text).requirements()}
    assert {"psycopg2-binary", "opencv-python-headless", "opencv-python", "torch"} <= back
    # every PyPI name the writer turns into a conda package reads back as itself
    from depglot.data.conda_names import load_name_map
    from depglot.ir.model import canonical_name

    names = load_name_map()
    moved = [
        p
        for p, c in names.to_conda.items()
        if c is not None and canonical_name(names.conda_to_pypi(c)[0] or "") != p
    ]
    assert sorted(moved) == [
        "ipopt",
        "opencv-python-headless",
        "psycopg2-binary",
        "pyqt4",
        "python-datamatrix",
        "python-opencv",
        "rocketpyalpha",
    ]


def test_path_with_a_version_reports_the_dropped_version() -> None:
    pyproject = (
        '[project]\nname = "x"\nversion = "1"\ndependencies = ["langgraph-checkpoint>=2.0.0"]\n'
        '[tool.uv.sources]\nlanggraph-checkpoint = { path = "../checkpoint", editable = true }\n'
    )
    conv = api.convert(pyproject, "pep621", "conda")
    assert "      - -e ../checkpoint\n" in conv.text
    (loss,) = [loss for loss in conv.report if loss.code == "url-version-dropped"]
    assert loss.severity is Severity.WARNING and loss.subject == "langgraph-checkpoint"
    assert loss.data == {"version": ">=2.0.0", "url": "../checkpoint"}


def test_a_requirement_repeated_by_flattened_extras_is_written_once() -> None:
    """Matrix gap (ibis): shapely in two extras was written twice and multiplied on the way back to Poetry."""
    poetry = (
        "[tool.poetry]\nname = 'x'\nversion = '1'\n[tool.poetry.dependencies]\npython = '^3.9'\n"
        "shapely = {version = '>=1.6,<1.8|>=1.9,<3', optional = true}\n"
        "[tool.poetry.extras]\ngeo = ['shapely']\nall = ['shapely']\n"
    )
    conv = api.convert(poetry, "poetry", "conda", selection=api.Selection(all_groups=True, all_extras=True))
    assert conv.text.count("shapely") == 1
    # an environment file's own repeated entries are kept (base mode gives the file back)
    text = "dependencies:\n  - numpy\n  - numpy\n  - pip:\n    - attrs\n    - attrs\n"
    assert api.dumps(read(text), "conda", base=text).text == text
    assert api.dumps(read(text), "conda").text.count("numpy") == 2


def _probe_versions(spec: str) -> list[str]:
    """Final releases around every version literal in ``spec`` (each bound, its neighbours, a longer and a
    shorter form), where conda and PEP 440 order versions the same way."""
    import re

    out = {"0", "0.1", "1.0", "99.0"}
    for lit in re.findall(r"\d+(?:\.\d+)*", spec):
        parts = [int(p) for p in lit.split(".")]
        for i in range(len(parts)):
            for step in (-1, 1):
                bumped = parts[: i + 1]
                bumped[i] += step
                if bumped[i] >= 0:
                    out.add(".".join(map(str, bumped)))
        out.update({lit, lit + ".0", lit + ".1", ".".join(map(str, parts[:-1])) or lit})
    return sorted(out)


@pytest.mark.parametrize("path", corpus_params("requirements", "pipfile", "poetry", "pep621"))
def test_corpus_written_matchspecs_agree_with_rattler(path: Path) -> None:
    """Oracle: every MatchSpec written from a PyPI-format corpus file parses with py-rattler (strict), names the
    conda package depglot says, and matches the same final releases as the source's version set."""
    rattler = pytest.importorskip("rattler")
    fmt = {"requirements": "requirements", "pipfile": "pipfile", "poetry": "poetry", "pep621": "pep621"}
    try:
        source = api.load(path, fmt[path.parent.name])
    except Exception as exc:  # noqa: BLE001 - a deliberately broken corpus file
        pytest.skip(f"rejected by its reader: {exc}")
    conv = api.dumps(source, "conda", selection=api.Selection(all_groups=True, all_extras=True))
    wanted: dict[str, list[Any]] = {}
    for req in source.requirements():
        if req.source is None and not req.marker:
            wanted.setdefault(req.key, []).append(req.version)
    for req in read(conv.text).requirements():
        src = req.source
        if not isinstance(src, CondaPackage) or src.name == "pip":
            continue
        ms = rattler.MatchSpec(src.spec, strict=True)
        assert ms.name.normalized == src.name.lower()
        versions = wanted[req.key]
        for v in _probe_versions(src.spec):
            got = ms.version is None or rattler.VersionSpec(str(ms.version)).matches(rattler.Version(v))
            assert any(
                (w is None or w.is_any or w.versions.contains(v, prereleases=True)) == got for w in versions
            ), (src.spec, v)


# --- the libyaml composer against ruamel's: same node graph (types, tags, values, styles, marks) -------------------


def _node_sig(node: Any, seen: dict[int, int] | None = None) -> Any:
    from depglot.converters.conda import yamlnodes as yn

    seen = {} if seen is None else seen
    if id(node) in seen:
        return ("alias", seen[id(node)])
    seen[id(node)] = len(seen)
    s, e = node.start_mark, node.end_mark
    head = (
        yn.kind(node),
        str(getattr(node.tag, "value", None) or node.tag),
        (s.line, s.column),
        (e.line, e.column),
        s.index == e.index,
    )
    if yn.is_scalar(node):
        return (*head, node.value, node.style or None)
    children = node.value if yn.is_sequence(node) else [x for pair in node.value for x in pair]
    return (*head, bool(node.flow_style), tuple(_node_sig(c, seen) for c in children))


def _both_composers(text: str) -> tuple[Any, Any]:
    import warnings

    from depglot.converters.conda import yamlnodes as yn

    out = []
    for compose in (lambda t: yn.compose(t, "x"), lambda t: yn._compose_ruamel(t, "x")):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # ruamel warns about a reused anchor
                root = compose(text)
            out.append(None if root is None else _node_sig(root))
        except ParseError as exc:
            out.append(("error", exc.span.line if exc.span else None))
    return out[0], out[1]


def test_libyaml_is_used_for_environment_files() -> None:
    from depglot.converters.conda import yamlnodes as yn

    root = yn.compose("name: x\ndependencies:\n  - numpy\n", "environment.yml")
    assert type(root).__module__ == "yaml.nodes"
    # documents the fast path leaves to ruamel: lines numbered differently, a %YAML directive, deep prefixes
    for text in ("a: 'x\u2028y'\nb: 2\n", "%YAML 1.1\n---\na: yes\n", "a:\n" + " " * 300 + "- x\n"):
        assert type(yn.compose(text, "e.yml")).__module__.startswith("ruamel"), text


@pytest.mark.parametrize("path", corpus_params("conda", "conda_export", "conda_lock"))
def test_libyaml_and_ruamel_compose_corpus_files_alike(path: Path) -> None:
    from depglot.converters.conda import yamlnodes as yn

    text = path.read_text(encoding="utf-8").removeprefix("\ufeff")
    assert yn._fast_loader(text) is not None
    libyaml, ruamel = _both_composers(text)
    assert libyaml == ruamel


_FRAGMENTS = [
    "a",
    "b:",
    "- ",
    "-",
    ":",
    " ",
    "  ",
    "\n",
    "\r\n",
    "\r",
    "# c",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "'q'",
    '"d"',
    "&x ",
    "*x",
    "!!str ",
    "!t ",
    "? ",
    "|",
    ">",
    "1",
    "0o7",
    "yes",
    "~",
    "null",
    "1.5",
    "é",
    "\t",
    "pip:",
    "numpy>=1",
    "\u2028",
    "---",
    "...",
]


def test_libyaml_and_ruamel_compose_alike_property() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=1500, deadline=None, database=None)
    @given(st.lists(st.sampled_from(_FRAGMENTS), max_size=24).map("".join))
    def check(text: str) -> None:
        libyaml, ruamel = _both_composers(text)
        if libyaml is not None and libyaml[0] == "error" or ruamel is not None and ruamel[0] == "error":
            return  # the two parsers word (and sometimes place) syntax errors differently
        assert libyaml == ruamel

    check()


def test_scalar_read_back_check_agrees_with_ruamel() -> None:
    """The writer's plain-scalar check (libyaml when it can) answers as ruamel.yaml does."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from depglot.converters.conda import yamlnodes as yn

    alphabet = list("ab1.-_:#!&*{}[]|>'\"%@`,? =<~;/\\()+^$é\u2028\x85\ufeff\x07")

    @settings(max_examples=3000, deadline=None, database=None)
    @given(st.lists(st.sampled_from([*alphabet, "  ", "---", "...", "0x", "yes"]), min_size=1, max_size=10))
    def check(parts: list[str]) -> None:
        text = "".join(parts)
        assert yn._reads_back(text) == yn._reads_back(text, ruamel_only=True)

    check()
    for text in ("numpy>=1.2", "-e .", "--pre", "a b", "x:y", "[a]b", "a # b", "é!", "a\u2028b", "a: b"):
        assert yn._reads_back(text) == yn._reads_back(text, ruamel_only=True), text


# -- a -c constraints file written into environment.yml: pip reads it, conda does not --------------------------


def _constrained(tmp_path: Path, requirements: str, constraints: str, *, follow: bool = True) -> Any:
    (tmp_path / "requirements.txt").write_text(requirements, encoding="utf-8")
    (tmp_path / "constraints.txt").write_text(constraints, encoding="utf-8")
    m = api.load(tmp_path / "requirements.txt", follow_includes=follow)
    return api.dumps(m, "conda")


def test_constraints_are_not_written_when_every_requirement_went_to_conda(tmp_path: Path) -> None:
    conv = _constrained(tmp_path, "numpy==1.26.4\nrequests>=2\n-c constraints.txt\n", "numpy<2\nurllib3<2\n")
    assert conv.text == "channels:\n  - conda-forge\ndependencies:\n  - numpy==1.26.4\n  - requests>=2\n"
    [loss] = [l for l in conv.report if l.code == "constraints-dropped"]
    assert loss.severity is Severity.ERROR
    assert loss.subject == "constraint constraints.txt" and loss.data["lines"] == ["urllib3<2"]  # numpy<2 is met
    assert "pip" not in conv.text  # no pip: list (and no pip package) for a -c line alone


def test_constraints_met_by_the_conda_pins_are_a_warning(tmp_path: Path) -> None:
    conv = _constrained(tmp_path, "numpy==1.26.4\n-c constraints.txt\n", "numpy<2\n")
    assert "-c constraints.txt" not in conv.text
    [loss] = [l for l in conv.report if l.code == "constraints-dropped"]
    assert loss.severity is Severity.WARNING and loss.data["lines"] == []


def test_unfollowed_constraints_with_no_pip_requirement_are_include_dropped(tmp_path: Path) -> None:
    conv = _constrained(tmp_path, "numpy==1.26.4\n-c constraints.txt\n", "numpy<2\n", follow=False)
    assert "-c constraints.txt" not in conv.text
    assert [l.code for l in conv.report if l.severity >= Severity.WARNING] == ["include-dropped", "conda-channel-added"]


def test_constraints_stay_in_pip_while_pip_requirements_remain(tmp_path: Path) -> None:
    reqs = "numpy>=1.20\nmy-private-pkg==1.0\n-c constraints.txt\n"
    conv = _constrained(tmp_path, reqs, "numpy<1.26\nurllib3<2\n")
    assert "  - pip:\n      - -c constraints.txt\n      - my-private-pkg==1.0\n" in conv.text
    # urllib3<2 still narrows what pip resolves; numpy went to conda, where numpy<1.26 does not apply (>=1.20 is
    # not inside it)
    [loss] = [l for l in conv.report if l.code == "constraints-dropped"]
    assert loss.severity is Severity.ERROR and loss.data["lines"] == ["numpy<1.26"]
    read_back = api.loads(conv.text, "conda")
    assert read_back.includes == (("constraint", "constraints.txt"),)
    # every constraint line met or about pip's packages only: nothing reported, the -c line kept
    conv = _constrained(tmp_path, reqs.replace(">=1.20", "==1.25.2"), "numpy<1.26\nurllib3<2\n")
    assert "      - -c constraints.txt\n" in conv.text
    assert "constraints-dropped" not in conv.report.codes()


def test_an_environment_files_own_constraints_line_is_kept() -> None:
    text = "dependencies:\n  - numpy\n  - pip:\n      - -c constraints.txt\n"
    m = read(text)
    assert api.dumps(m, "conda", base=text).text == text
    assert "-c constraints.txt" in api.dumps(m, "conda").text
