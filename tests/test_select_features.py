import pytest

from depglot.errors import DepglotError
from depglot.format import Feature
from depglot.ir import Group, GroupKind, Index, IndexRef, IndexRole, Manifest, Requirement, VersionSpec
from depglot.ir.ecosystem import to_pypi
from depglot.ir.features import FEATURE_LOSSES, preflight
from depglot.ir.model import CondaPackage, LocalPath, Vcs
from depglot.ir.select import Selection, select
from depglot.report import Report, Severity
from depglot.span import Span


def req(name, spec="", **kw):
    return Requirement(name=name, version=VersionSpec.from_pep440(spec) if spec else None, **kw)


MANIFEST = Manifest(
    format="pipfile",
    groups=(
        Group(name="main", kind=GroupKind.MAIN, requirements=(req("requests", ">=2"),)),
        Group(name="dev", kind=GroupKind.GROUP, requirements=(req("pytest"),)),
        Group(name="lint", kind=GroupKind.GROUP, requirements=(req("ruff"),), includes=("typing",)),
        Group(name="typing", kind=GroupKind.GROUP, requirements=(req("mypy"),)),
        Group(name="socks", kind=GroupKind.EXTRA, requirements=(req("pysocks"),)),
    ),
)


def names(m):
    assert len(m.groups) == 1 and m.groups[0].kind is GroupKind.MAIN
    return [r.name for r in m.groups[0].requirements]


def test_default_keeps_main_and_says_so_once():
    report = Report()
    assert names(select(MANIFEST, Selection(), report)) == ["requests"]
    assert report.codes() == ["groups-not-selected"]
    assert report.losses[0].severity is Severity.WARNING
    assert report.losses[0].data["groups"] == ["dev", "lint", "typing", "socks"]


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (Selection(groups=("dev",)), ["requests", "pytest"]),
        (Selection(only_groups=("dev",)), ["pytest"]),
        (Selection(groups=("lint",)), ["requests", "ruff", "mypy"]),  # include-group followed
        (Selection(all_groups=True), ["requests", "pytest", "ruff", "mypy"]),
        (Selection(all_groups=True, no_dev=True), ["requests", "ruff", "mypy"]),
        (Selection(extras=("socks",)), ["requests", "pysocks"]),
        (Selection(all_groups=True, all_extras=True), ["requests", "pytest", "ruff", "mypy", "pysocks"]),
    ],
)
def test_selection_flags(selection, expected):
    assert names(select(MANIFEST, selection, Report())) == expected


def test_grouped_targets_keep_the_selected_groups_as_groups():
    kept = select(MANIFEST, Selection(only_groups=("lint",)), Report(), flatten=False)
    assert [(g.name, [r.name for r in g.requirements]) for g in kept.groups] == [
        ("lint", ["ruff"]),
        ("typing", ["mypy"]),
    ]
    everything = select(MANIFEST, Selection(all_groups=True, all_extras=True), Report(), flatten=False)
    assert everything.groups == MANIFEST.groups


def test_unknown_group_or_extra_is_an_error():
    with pytest.raises(DepglotError, match="no group named 'docs'"):
        select(MANIFEST, Selection(groups=("docs",)), Report())
    with pytest.raises(DepglotError, match="no extra named 'dev'"):
        select(MANIFEST, Selection(extras=("dev",)), Report())


def test_preflight_reports_each_unsupported_feature_with_its_span():
    span = Span(file="Pipfile", line=7, column=1, key="packages.foo")
    m = Manifest(
        format="pipfile",
        groups=(
            Group(
                name="main",
                requirements=(
                    req("foo", ">=1", marker='sys_platform == "win32"', source=IndexRef(name="private"), span=span),
                    req("bar", source=Vcs(vcs="git", url="https://x/y.git", rev="v1"), editable=True),
                    req("baz", source=LocalPath(path="./baz")),
                ),
            ),
        ),
        indexes=(Index(name="private", url="https://u:t@private/simple", role=IndexRole.EXPLICIT),),
    )
    report = Report()
    preflight(m, "conda", frozenset({Feature.VCS, Feature.EDITABLE}), report)
    assert report.codes() == ["marker-dropped", "per-package-index-dropped", "path-dropped", "index-dropped",
                              "index-name-dropped"]
    first = report.losses[0]
    assert first.span == span and first.subject == "foo" and first.severity is Severity.ERROR
    assert "t@" not in report.losses[3].concise()


def test_pypi_as_default_index_is_not_a_loss():
    m = Manifest(format="requirements", indexes=(Index(name=None, url="https://pypi.org/simple/"),))
    report = Report()
    preflight(m, "pep621", frozenset(), report)
    assert report.codes() == []


def test_every_feature_has_a_loss_rule():
    assert set(FEATURE_LOSSES) == set(Feature) - {Feature.CONDA_PACKAGES}


def test_conda_packages_projected_to_pypi_or_reported():
    m = Manifest(
        format="conda",
        groups=(
            Group(
                name="main",
                requirements=(
                    req("numpy", "==1.26.*", source=CondaPackage(name="numpy", spec="numpy=1.26", pypi=True)),
                    req("torch", source=CondaPackage(name="pytorch", spec="pytorch", pypi=True)),
                    req("cudatoolkit", source=CondaPackage(name="cudatoolkit", spec="cudatoolkit=11.8")),
                ),
            ),
        ),
    )
    report = Report()
    out = to_pypi(m, report)
    assert [(r.name, r.source) for r in out.groups[0].requirements] == [("numpy", None), ("torch", None)]
    assert report.codes() == ["conda-package-as-pypi", "conda-only-package"]
    assert report.losses[1].severity is Severity.ERROR


def test_loss_for_an_unnamed_requirement_names_where_it_comes_from():
    # regression (matrix): `-e .` gave subject '<unnamed>', which says nothing about which requirement was lost
    req = Requirement(name="", source=LocalPath(path="."), editable=True)
    m = Manifest(format="requirements", groups=(Group(name="main", kind=GroupKind.MAIN, requirements=(req,)),))
    report = Report()
    preflight(m, "pep621", frozenset(), report)
    assert {(l.code, l.subject) for l in report} == {("path-dropped", "."), ("editable-dropped", ".")}
    from depglot import api

    conv = api.dumps(api.loads("-e .\n", "requirements"), "pep621+pdm")
    assert [l.subject for l in conv.report if l.code == "editable-dropped"] == ["."]


UV_TWO_INDEXES = """\
[project]
name = "x"
version = "1"
dependencies = ["requests"]

[[tool.uv.index]]
name = "a"
url = "https://a.example/simple"

[[tool.uv.index]]
name = "b"
url = "https://b.example/simple"
"""


@pytest.mark.parametrize("target", ["requirements", "pipfile", "poetry", "conda"])
def test_first_index_over_several_indexes_into_a_best_match_format_is_reported(target):
    from depglot import api

    conversion = api.convert(UV_TWO_INDEXES, "pep621+uv", target)
    [loss] = [x for x in conversion.report if x.code == "index-strategy-changed"]
    assert loss.severity is Severity.WARNING and loss.subject == "indexes"


@pytest.mark.parametrize("target", ["pep621+uv", "pep621+pdm", "script"])
def test_first_index_kept_by_uv_pdm_and_scripts(target):
    from depglot import api

    conversion = api.convert(UV_TWO_INDEXES, "pep621+uv", target)
    assert "index-strategy-changed" not in conversion.report.codes()


def test_one_searched_index_has_no_strategy_to_lose():
    from depglot import api

    # one declared index that replaces PyPI (default = true): nothing to choose between
    one = UV_TWO_INDEXES.split("\n\n[[tool.uv.index]]\nname = \"b\"")[0] + "\ndefault = true\n"
    assert "index-strategy-changed" not in api.convert(one, "pep621+uv", "requirements").report.codes()
    # one declared index searched before the implicit PyPI: two indexes, uv takes the first that has a package
    two = UV_TWO_INDEXES.split("\n\n[[tool.uv.index]]\nname = \"b\"")[0] + "\n"
    assert "index-strategy-changed" in api.convert(two, "pep621+uv", "requirements").report.codes()


def test_followed_constraints_file_into_uv_and_elsewhere(tmp_path):
    from depglot import api

    (tmp_path / "requirements.txt").write_text("requests>=2\n-c constraints.txt\n")
    (tmp_path / "constraints.txt").write_text("urllib3<2\n")
    followed = api.load(tmp_path / "requirements.txt", follow_includes=True)
    uv = api.dumps(followed, "pep621+uv")
    assert 'constraint-dependencies = [\n    "urllib3<2",\n]' in uv.text
    assert not {"include-dropped", "constraints-dropped"} & set(uv.report.codes())
    assert "constraints-dropped" in api.dumps(followed, "poetry").report.codes()
    assert "-c constraints.txt" in api.dumps(followed, "requirements").text
    # not followed: only a reference, which uv cannot hold
    reference = api.load(tmp_path / "requirements.txt")
    assert "include-dropped" in api.dumps(reference, "pep621+uv").report.codes()
