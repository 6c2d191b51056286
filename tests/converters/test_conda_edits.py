"""conda: a version change drops a build string; the installer pip stays conda's; an unnamed pip line is named as
written in conda-kept-on-pip."""

from __future__ import annotations

from depglot import api
from depglot.edit import codemods

ENV = """\
name: demo
channels:
  - conda-forge
dependencies:
  - python=3.12
  - pip=24.0
  - requests=2.32.4=py312h06a4308_0
  - numpy=1.26.4=py312_0
  - pip:
      - -e .
"""


def _codes(conversion) -> list[str]:  # type: ignore[no-untyped-def]
    return [loss.code for loss in conversion.report]


def test_a_new_version_drops_the_build_string_reported() -> None:
    m = api.loads(ENV, "conda", path="environment.yml")
    out = api.dumps(codemods.set_version(m, "requests", ">=2.32"), "conda", base=ENV, path="environment.yml")
    assert out.text == ENV.replace("  - requests=2.32.4=py312h06a4308_0\n", "  - requests>=2.32\n")
    [loss] = [loss for loss in out.report if loss.code == "conda-build-dropped"]
    assert (loss.severity.name, loss.subject, loss.span.line) == ("INFO", "requests", 7)
    assert loss.data == {"build": "py312h06a4308_0", "spec": "requests=2.32.4=py312h06a4308_0"}


def test_the_same_version_keeps_the_build_string() -> None:
    m = api.loads(ENV, "conda", path="environment.yml")
    out = api.dumps(codemods.set_version(m, "numpy", "==1.26.4"), "conda", base=ENV, path="environment.yml")
    assert out.text == ENV
    assert "conda-build-dropped" not in _codes(out)


def test_pip_is_kept_for_conda_and_dropped_elsewhere() -> None:
    m = api.loads(ENV, "conda", path="environment.yml")
    assert api.dumps(m, "conda", base=ENV, path="environment.yml").text == ENV
    assert "  - pip=24.0\n" in api.dumps(m, "conda").text
    reqs = api.dumps(m, "requirements")
    assert not any(line.startswith("pip") for line in reqs.text.splitlines())
    [loss] = [loss for loss in reqs.report if loss.code == "conda-pip-dropped"]
    assert (loss.severity.name, loss.subject, loss.span.line, loss.data) == ("INFO", "pip", 6, {"conda": "pip=24.0"})
    pyproject = api.dumps(m, "pep621", path="pyproject.toml")
    assert "conda-pip-dropped" in _codes(pyproject) and '"pip' not in pyproject.text


def test_an_unnamed_pip_line_is_named_as_written() -> None:
    m = api.loads("-e .\n", "requirements", path="requirements.txt")
    out = api.dumps(m, "conda")
    [loss] = [loss for loss in out.report if loss.code == "conda-kept-on-pip"]
    assert loss.message.startswith("'-e .' stays in the pip: list")
