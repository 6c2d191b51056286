import json

from depglot.report import REPORT_VERSION, Loss, Report, Severity
from depglot.span import Span


def _loss(code="marker-dropped", sev=Severity.ERROR):
    return Loss(
        code=code,
        severity=sev,
        message="'foo' has an environment marker; conda cannot hold it",
        subject="foo",
        span=Span(file="pyproject.toml", line=14, column=1, key="tool.poetry.dependencies.foo"),
        data={"feature": "markers"},
    )


def test_concise_is_problem_matcher_shape():
    assert _loss().concise() == (
        "pyproject.toml:14:1: error[marker-dropped]: 'foo' has an environment marker; conda cannot hold it "
        "[tool.poetry.dependencies.foo]"
    )


def test_github_annotation():
    assert _loss(sev=Severity.WARNING).github() == (
        "::warning file=pyproject.toml,line=14,col=1,title=marker-dropped::"
        "'foo' has an environment marker; conda cannot hold it"
    )
    assert _loss(sev=Severity.INFO).github().startswith("::notice ")


def test_json_is_versioned_with_every_key():
    report = Report([_loss()])
    data = json.loads(report.dumps_json())
    assert data["version"] == REPORT_VERSION == 1
    assert data["losses"] == [
        {
            "code": "marker-dropped",
            "severity": "error",
            "message": "'foo' has an environment marker; conda cannot hold it",
            "file": "pyproject.toml",
            "line": 14,
            "column": 1,
            "key": "tool.poetry.dependencies.foo",
            "subject": "foo",
            "data": {"feature": "markers"},
        }
    ]


def test_duplicates_kept_once_and_thresholds():
    report = Report([_loss(), _loss()])
    assert len(report) == 1
    report.add("comments-dropped", Severity.INFO, "x")
    assert report.codes() == ["marker-dropped", "comments-dropped"]
    assert report.max_severity() is Severity.ERROR
    assert report.fails(Severity.ERROR)
    assert not report.fails(None)
    assert not Report([_loss(sev=Severity.WARNING)]).fails(Severity.ERROR)
    assert Report([_loss(sev=Severity.WARNING)]).fails(Severity.WARNING)
    assert not Report().fails(Severity.INFO)


def test_severity_parse():
    assert Severity.parse("Warning") is Severity.WARNING
    try:
        Severity.parse("loud")
    except ValueError as exc:
        assert "loud" in str(exc)
    else:
        raise AssertionError("expected ValueError")


def test_messages_and_data_redacted_in_output():
    loss = Loss(
        code="index-dropped",
        severity=Severity.ERROR,
        message="index https://me:tok@private/simple dropped",
        data={"url": "https://me:tok@private/simple"},
    )
    assert "tok@" not in loss.concise()
    assert loss.to_json()["data"]["url"] == "https://me:***@private/simple"
