"""Group selection through the CLI, for every grouped corpus source into every groupless target.

``depglot convert SRC -t {requirements,conda,freeze}`` with ``--group``, ``--only-group``, ``--all-groups``,
``--no-dev``, ``--extra``, ``--all-extras``: the set of requirements written must be exactly what the selection
says. The expectation is computed here, from the source's IR, without depglot's selection code: the main group
(unless ``--only-group``) plus the chosen groups and extras, closed over include-group; a Poetry ``optional = true``
dependency only through an extra that lists it. Requirements are compared by what they are: a name, or for a
direct reference (path, URL, VCS) its location. ``groups-not-selected`` is reported exactly when something was
left out.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from depglot import registry
from depglot.cli import build_app
from depglot.errors import DepglotError
from depglot.format import Feature
from depglot.ir.model import CondaPackage, GroupKind, Manifest, Requirement, canonical_name

from .conftest import corpus_files
from .matrix_support import CATEGORY_FORMAT, load_source

GROUPLESS = [n for n in ("requirements", "conda", "freeze")
             if registry.format_class(n).can_write and Feature.GROUPS not in registry.get(n).features]
DEV = {"dev", "develop", "dev-packages", "development"}  # what --no-dev leaves out (uv's dev, Pipfile's develop)
# Losses that say a selected requirement was not written (the target cannot hold it at all); what they name is
# taken out of the expectation, and must have been in it.
NOT_WRITTEN = {"unnamed-requirement-dropped", "conda-only-package", "vcs-dropped", "url-dropped", "path-dropped",
               "project-itself-dropped"}
runner = CliRunner()


def _grouped_sources() -> list:
    params = []
    for cat, fmt in sorted(CATEGORY_FORMAT.items()):
        for path in corpus_files(cat):
            try:
                m = load_source(path, fmt)
            except DepglotError:
                continue  # deliberately broken corpus inputs: the reader tests cover them
            if any(g.kind is not GroupKind.MAIN for g in m.groups):
                params.append(pytest.param(path, fmt, id=f"{cat}/{path.name}"))
    return params or [pytest.param(None, None, marks=pytest.mark.skip(reason="shared corpus absent"), id="none")]


SOURCES = _grouped_sources()


# -- the expectation, from the IR -------------------------------------------------------------------------------


def identity(req: Requirement) -> str:
    """A name, or for a direct reference where it comes from (a named path written as a bare path, or as
    ``name @ file:path``, is the same requirement)."""
    from .matrix_support import _source

    src = _source(req)
    if src is None or src[0] == "index":
        return req.key
    if src[0] == "url" and src[1].startswith("file:"):
        path = src[1].removeprefix("file:")
        path = path.removeprefix("//") if path.startswith("///") else path
        return repr(("path", path.rstrip("/").removeprefix("./") or ".", src[2]))
    return repr(src)


def expected(manifest: Manifest, flags: list[str]) -> tuple[set[str], bool]:
    """(identities selected, whether any group or extra is left out) for CLI ``flags``."""
    groups = {("main" if g.kind is GroupKind.MAIN else canonical_name(g.name)): g for g in reversed(manifest.groups)}
    dev_like = [n for n, g in groups.items() if g.kind in (GroupKind.GROUP, GroupKind.CATEGORY)]
    extras = [n for n, g in groups.items() if g.kind is GroupKind.EXTRA]
    values = {f: [canonical_name(flags[i + 1]) for i, x in enumerate(flags) if x == f]
              for f in ("--group", "--only-group", "--extra")}
    if values["--only-group"]:
        chosen = set(values["--only-group"])
    else:
        chosen = {"main"} & set(groups)
        chosen |= set(dev_like) if "--all-groups" in flags else set(values["--group"])
        if "--no-dev" in flags:
            chosen -= DEV
    chosen |= set(extras) if "--all-extras" in flags else set(values["--extra"])
    todo = list(chosen)
    while todo:  # include-group, transitively
        g = groups.get(todo.pop())
        for inc in g.includes if g is not None else ():
            if canonical_name(inc) not in chosen:
                chosen.add(canonical_name(inc))
                todo.append(canonical_name(inc))
    names = set()
    for name in chosen:
        g = groups.get(name)
        for req in g.requirements if g is not None else ():
            if req.optional and g.kind is not GroupKind.EXTRA:
                continue  # installed only through an extra that lists it
            names.add(identity(req))
    return names, bool(set(groups) - chosen)


def selections(manifest: Manifest) -> list[list[str]]:
    groups = [g.name for g in manifest.groups if g.kind in (GroupKind.GROUP, GroupKind.CATEGORY)]
    extras = [g.name for g in manifest.groups if g.kind is GroupKind.EXTRA]
    out: list[list[str]] = [[]]
    if groups:
        out += [["--all-groups"], ["--all-groups", "--no-dev"], ["--group", groups[0]], ["--only-group", groups[-1]]]
        if len(groups) > 1:
            out += [["--group", groups[0], "--group", groups[-1]]]
    if extras:
        out += [["--all-extras"], ["--extra", extras[-1]]]
    if groups and extras:
        out += [["--all-groups", "--all-extras"], ["--only-group", groups[0], "--extra", extras[0]]]
    return out


# -- what was written -------------------------------------------------------------------------------------------


def written(text: str, target: str) -> set[str]:
    """Identities in the CLI's output, read back; a conda package counts under its PyPI name when the name map
    has one (the selection decides what is written; the name map how it is spelled: both forms are accepted)."""
    import depglot

    back = depglot.loads(text, target)
    assert [g.kind for g in back.groups] in ([], [GroupKind.MAIN]), "a groupless target wrote groups"
    out = set()
    for req in back.requirements():
        if isinstance(req.source, CondaPackage):
            out.add(f"conda:{req.source.name.lower()}")
        else:
            out.add(identity(req))
    return out


def _conda_forms(name: str) -> set[str]:
    from depglot.data.conda_names import load_name_map

    forms = {name, f"conda:{name}"}
    if not name.startswith("("):
        conda = load_name_map().pypi_to_conda(name)
        forms.add(f"conda:{(conda or name).lower()}")
    return forms


def _not_written(report: list[dict], wanted: set[str]) -> set[str]:
    out = set()
    for loss in report:
        if loss["code"] not in NOT_WRITTEN or loss["severity"] == "info" and loss["code"] != "project-itself-dropped":
            continue
        subject = str(loss.get("subject") or "")
        hits = {w for w in wanted if w == canonical_name(subject) or (w.startswith("(") and subject.rstrip("/") in w)}
        out |= hits
    return out


@pytest.mark.parametrize("target", GROUPLESS)
@pytest.mark.parametrize(("path", "fmt"), SOURCES)
def test_selection_writes_exactly_the_selected_requirements(path: Path, fmt: str, target: str, tmp_path: Path):
    manifest = load_source(path, fmt)
    for flags in selections(manifest):
        report_path = tmp_path / "report.json"
        args = ["convert", str(path), "-f", fmt, "-t", target, "--report-json", str(report_path), *flags]
        result = runner.invoke(build_app(args), args)
        assert result.exit_code in (0, 1), (flags, result.output)
        report = json.loads(report_path.read_text())
        report = report["losses"] if isinstance(report, dict) else report
        want, left_out = expected(manifest, flags)
        got = written(result.stdout, target)
        dropped = _not_written(report, want)
        want -= dropped
        if target == "conda":
            missing = {w for w in want if not (_conda_forms(w) & got)}
            added = {g for g in got if not any(g in _conda_forms(w) for w in want | dropped)}
            added -= {"conda:pip", "conda:python"}  # the pip: list's installer, the python constraint
        else:
            missing, added = want - got, got - want
        # a Poetry `optional = true` dependency that no extra lists is never installed by Poetry; groupless
        # targets write it as required and say so with an ERROR (optional-requirement-dropped)
        added = {a for a in added if not any(
            loss["code"] == "optional-requirement-dropped" and a in _conda_forms(canonical_name(str(loss["subject"])))
            for loss in report)}
        assert not missing and not added, f"{' '.join(flags) or '(default)'}: missing {sorted(missing)}, " \
                                          f"not selected but written {sorted(added)}"
        codes = {loss["code"] for loss in report}
        assert ("groups-not-selected" in codes) == left_out, (flags, sorted(codes))


@pytest.mark.parametrize(("path", "fmt"), SOURCES[:1])
def test_unknown_group_or_extra_is_bad_input(path: Path, fmt: str):
    for flag in ("--group", "--only-group", "--extra"):
        args = ["convert", str(path), "-f", fmt, "-t", "requirements", flag, "no-such-group-xyz"]
        result = runner.invoke(build_app(args), args)
        assert result.exit_code == 2, result.output
        assert "no-such-group-xyz" in result.output
