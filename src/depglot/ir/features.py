"""Preflight: which features a manifest uses, and the losses a target that lacks them must report.

Each :class:`~depglot.format.Feature` has one loss code and severity. Writers only write what they can hold;
this module reports everything else once, with the span of each entry that used it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import NamedTuple

from ..format import Feature
from ..report import Report, Severity
from ..span import Span
from .model import GroupKind, IndexRef, IndexRole, LocalPath, Manifest, Raw, Requirement, Url, Vcs

__all__ = ["FEATURE_LOSSES", "POETRY_METADATA_KEYS", "PYPI_SIMPLE", "RAW_KEY_LOSSES", "RAW_LOSSES", "FeatureLoss",
           "preflight", "searched_indexes", "uses"]

PYPI_SIMPLE = frozenset({"https://pypi.org/simple", "https://pypi.python.org/simple"})


class FeatureLoss(NamedTuple):  # a NamedTuple: ~5x cheaper than a dataclass to define at start-up
    """The loss a target reports for a feature it cannot hold: code, severity and what the entry is."""

    code: str
    severity: Severity
    what: str  # "{subject} <what>; {target} cannot hold it"


FEATURE_LOSSES: dict[Feature, FeatureLoss] = {
    Feature.GROUPS: FeatureLoss("groups-flattened", Severity.INFO, "is in a group"),
    Feature.EXTRAS: FeatureLoss("extras-dropped", Severity.ERROR, "is an optional extra"),
    Feature.OPTIONAL_GROUPS: FeatureLoss("optional-group-dropped", Severity.WARNING, "is an optional group"),
    Feature.GROUP_INCLUDES: FeatureLoss("group-include-expanded", Severity.INFO, "includes another group"),
    Feature.REQUIREMENT_EXTRAS: FeatureLoss("requirement-extras-dropped", Severity.ERROR, "requests extras"),
    Feature.MARKERS: FeatureLoss("marker-dropped", Severity.ERROR, "has an environment marker"),
    Feature.VCS: FeatureLoss("vcs-dropped", Severity.ERROR, "comes from a VCS repository"),
    Feature.LOCAL_PATH: FeatureLoss("path-dropped", Severity.ERROR, "comes from a local path"),
    Feature.URL: FeatureLoss("url-dropped", Severity.ERROR, "comes from a direct URL"),
    Feature.EDITABLE: FeatureLoss("editable-dropped", Severity.WARNING, "is installed editable"),
    Feature.HASHES: FeatureLoss("hashes-dropped", Severity.WARNING, "has hashes"),
    Feature.PER_PACKAGE_INDEX: FeatureLoss("per-package-index-dropped", Severity.WARNING, "names an index"),
    Feature.INDEXES: FeatureLoss("index-dropped", Severity.ERROR, "is a package index"),
    Feature.INDEX_NAMES: FeatureLoss("index-name-dropped", Severity.INFO, "is an index name"),
    Feature.INDEX_STRATEGY: FeatureLoss(
        "index-strategy-changed", Severity.WARNING,
        "are searched first-index (a package comes from the first index that has it, not the best version "
        "across all)",
    ),
    Feature.FIND_LINKS: FeatureLoss("find-links-dropped", Severity.ERROR, "is a find-links location"),
    Feature.NO_INDEX: FeatureLoss("no-index-dropped", Severity.ERROR, "is --no-index"),
    Feature.VERIFY_SSL: FeatureLoss("verify-ssl-dropped", Severity.WARNING, "turns TLS verification off"),
    Feature.PYTHON: FeatureLoss("python-dropped", Severity.WARNING, "is the python constraint"),
    Feature.PRERELEASES: FeatureLoss("prereleases-dropped", Severity.WARNING, "allows prereleases"),
    Feature.REQUIREMENT_PRERELEASES: FeatureLoss(
        "requirement-prereleases-dropped", Severity.WARNING, "allows prereleases"
    ),
    Feature.OPTIONAL_REQUIREMENTS: FeatureLoss(
        "optional-requirement-dropped", Severity.ERROR, "is optional (installed only through an extra)"
    ),
    Feature.REQUIREMENT_OPTIONS: FeatureLoss("requirement-options-dropped", Severity.WARNING, "has pip options"),
    Feature.INSTALLER_OPTIONS: FeatureLoss("installer-option-dropped", Severity.WARNING, "is an installer option"),
    Feature.INCLUDES: FeatureLoss("include-dropped", Severity.ERROR, "is an included file"),
    Feature.CONSTRAINTS: FeatureLoss(
        "constraints-dropped", Severity.ERROR, "is a constraints file (its versions narrow what gets installed)"
    ),
    Feature.CHANNELS: FeatureLoss("channels-dropped", Severity.WARNING, "is a conda channel"),
    Feature.PROJECT_METADATA: FeatureLoss("project-metadata-dropped", Severity.INFO, "is project metadata"),
    Feature.COMMENTS: FeatureLoss("comments-dropped", Severity.INFO, "has comments"),
    Feature.LOCK: FeatureLoss("lock-detail-dropped", Severity.WARNING, "is lock detail (files, URLs)"),
}


# Raw data a format carries for itself (tagged with its name) and the targets that keep it; any other target
# drops it and reports this loss once per Raw item. Formats not listed here carry Raw silently.
RAW_LOSSES: dict[str, tuple[FeatureLoss, frozenset[str]]] = {
    "pipfile": (
        FeatureLoss("pipfile-raw-dropped", Severity.WARNING, "is Pipfile-only data"),
        frozenset({"pipfile", "pipfile-lock", "ir"}),
    ),
    "pipfile-lock": (
        FeatureLoss("pipfile-lock-raw-dropped", Severity.WARNING, "is Pipfile.lock-only data"),
        frozenset({"pipfile-lock", "ir"}),
    ),
    # [tool.uv] / [tool.pdm] settings the IR has no field for; a target named here (full name, flavour included)
    # writes them back (the pdm flavour carries uv's override-dependencies as [tool.pdm.resolution] overrides)
    "uv": (
        FeatureLoss("tool-setting-dropped", Severity.WARNING, "is a uv setting"),
        frozenset({"pep621+uv", "script", "ir"}),
    ),
    "pdm": (
        FeatureLoss("tool-setting-dropped", Severity.WARNING, "is a PDM setting"),
        frozenset({"pep621+pdm", "ir"}),
    ),
}

_POETRY = frozenset({"poetry", "poetry1", "ir"})  # the targets that write [tool.poetry] back
# [tool.poetry] metadata keys (one RAW_KEY_LOSSES entry, named by this pattern, serves them all)
POETRY_METADATA_KEYS = ("name", "version", "description", "license", "authors", "maintainers", "readme", "keywords",
                        "classifiers", "homepage", "repository", "documentation", "urls", "plugins")
_POETRY_METADATA = "tool.poetry.{" + ",".join(POETRY_METADATA_KEYS) + "}"

# Raw items, by (format, key), that change what gets installed when dropped (their own code and severity), or
# that only record a spelling (None: nothing is lost without them). Looked up before RAW_LOSSES.
RAW_KEY_LOSSES: dict[tuple[str, str], tuple[FeatureLoss, frozenset[str]] | None] = {
    ("uv", "tool.uv.constraint-dependencies"): (
        FeatureLoss("constraints-dropped", Severity.ERROR, "are uv constraint-dependencies (they narrow versions)"),
        frozenset({"pep621+uv", "script", "ir"}),
    ),
    ("uv", "tool.uv.override-dependencies"): (
        FeatureLoss("overrides-dropped", Severity.ERROR, "are uv override-dependencies (they replace requirements)"),
        frozenset({"pep621+uv", "pep621+pdm", "script", "ir"}),
    ),
    ("uv", "source"): (
        FeatureLoss("uv-source-dropped", Severity.ERROR, "is a workspace-member or conditional [tool.uv.sources] entry"),
        frozenset({"pep621+uv", "script", "ir"}),
    ),
    ("pdm", "tool.pdm.resolution.overrides"): (
        FeatureLoss("overrides-dropped", Severity.ERROR, "are PDM resolution overrides (they replace requirements)"),
        frozenset({"pep621+pdm", "pep621+uv", "script", "ir"}),
    ),
    # Poetry scripts [project.scripts] cannot spell (file scripts); in a Poetry 2 file the whole table, which Poetry
    # also reads for console scripts when [project.scripts] is absent. An empty table drops nothing (not reported).
    ("poetry", "tool.poetry.scripts"): (
        FeatureLoss("poetry-scripts-dropped", Severity.WARNING,
                    "holds Poetry scripts [project.scripts] cannot spell (file scripts)"),
        frozenset({"poetry", "poetry1", "ir"}),
    ),
    **{("poetry", f"tool.poetry.{key}"): (FeatureLoss("tool-setting-dropped", Severity.WARNING, what), _POETRY)
       for key, what in (
           ("packages", ("is a Poetry build setting (the packages the wheel holds; another build backend, or "
                         "poetry-core without it, builds other contents)")),
           ("include", "is a Poetry build setting (files added to the sdist/wheel; built without them elsewhere)"),
           ("exclude", "is a Poetry build setting (files kept out of the sdist/wheel; built with them elsewhere)"),
           ("build", "is a Poetry build script (run when building the wheel; not run elsewhere)"),
           ("package-mode", "is Poetry's package mode (false: the project itself is neither built nor installed)"),
           ("requires-plugins", "lists Poetry plugins the project needs (Poetry installs them)"),
           ("build-constraints", "are Poetry build constraints (they narrow the build requirements' versions)"),
           ("dependencies.python", "is the python range Poetry resolves the lock for (beside requires-python)"),
       )},
    ("poetry", "tool.poetry.requires-poetry"): (
        FeatureLoss("tool-setting-dropped", Severity.INFO, "is the Poetry version the project requires"), _POETRY),
    # Poetry metadata with no PEP 621 place in the Project: in a Poetry 2 file every metadata key of [tool.poetry]
    # (poetry-core reads it where [project] lacks the field), in a Poetry 1 file a form PEP 621 cannot spell (several
    # readme files, a non-string plugin)
    ("poetry", _POETRY_METADATA): (
        FeatureLoss("project-metadata-dropped", Severity.INFO,
                    "is Poetry project metadata (poetry-core uses it where [project] does not set the field)"),
        _POETRY),
    ("uv", "sources-table"): None,  # the source was spelled in [tool.uv.sources] (the source itself is in the IR)
    ("pdm", "line"): None,  # how PDM spelled an editable dev-dependency line
    ("uv", "default-groups"): None,  # uv stated the groups' install defaults (Group.optional holds them)
    # a Poetry 1 file's classifiers: poetry-core adds the Python-version classifiers its python constraint allows
    # when it builds; written as a static list (PEP 621 [project].classifiers) they are not added
    ("poetry", "tool.poetry.classifiers.generated"): (
        FeatureLoss("project-metadata-dropped", Severity.INFO,
                    "are Poetry classifiers, to which poetry-core adds 'Programming Language :: Python :: 3.x' "
                    "classifiers when it builds; a static classifiers list gets none"),
        _POETRY),
    # any other [tool.poetry] key (Poetry accepts unknown keys; a plugin's settings)
    ("poetry", "tool.poetry.*"): (FeatureLoss("tool-setting-dropped", Severity.WARNING, "is a Poetry setting"), _POETRY),
}


def _raw_rule(raw: Raw) -> tuple[FeatureLoss, frozenset[str]] | None:
    """The loss dropping ``raw`` reports (None: none): its key's entry, a [tool.poetry] key's default, its format's."""
    key = (raw.format, raw.key)
    if key in RAW_KEY_LOSSES:
        return RAW_KEY_LOSSES[key]
    if raw.format == "poetry" and raw.key.startswith("tool.poetry."):
        metadata = raw.key.removeprefix("tool.poetry.") in POETRY_METADATA_KEYS
        return RAW_KEY_LOSSES["poetry", _POETRY_METADATA if metadata else "tool.poetry.*"]
    return RAW_LOSSES.get(raw.format)


def _drops_nothing(raw: Raw) -> bool:
    """A keyed Raw item that is an empty table or array, or Poetry's default ``package-mode = true``: nothing is
    lost without it (format-wide Raw items are reported whatever their value)."""
    poetry_key = raw.format == "poetry" and raw.key.startswith("tool.poetry.")
    if not (poetry_key or (raw.format, raw.key) in RAW_KEY_LOSSES):
        return False
    return raw.value in ({}, []) or (raw.key == "tool.poetry.package-mode" and raw.value is True)


def _raws(manifest: Manifest) -> Iterator[tuple[Raw, str]]:
    """Every Raw item with the name of what holds it, in document order."""
    for raw in manifest.raw:
        yield raw, raw.key
    for index in manifest.indexes:
        for raw in index.raw:
            yield raw, f"{index.name or index.url}.{raw.key}"
    for group in manifest.groups:
        for raw in group.raw:
            yield raw, f"{group.name}.{raw.key}"
        for req in group.requirements:
            for raw in req.raw:
                yield raw, f"{req.name}.{raw.key}"


def _req_features(req: Requirement) -> Iterator[Feature]:
    if req.extras:
        yield Feature.REQUIREMENT_EXTRAS
    if req.marker:
        yield Feature.MARKERS
    src = req.source
    if isinstance(src, Vcs):
        yield Feature.VCS
    elif isinstance(src, LocalPath):
        yield Feature.LOCAL_PATH
    elif isinstance(src, Url):
        yield Feature.URL
    elif isinstance(src, IndexRef):
        yield Feature.PER_PACKAGE_INDEX
    if req.editable:
        yield Feature.EDITABLE
    if req.hashes:
        yield Feature.HASHES
    if req.allow_prereleases:
        yield Feature.REQUIREMENT_PRERELEASES
    if req.optional:
        yield Feature.OPTIONAL_REQUIREMENTS
    if req.options:
        yield Feature.REQUIREMENT_OPTIONS
    if req.comments:
        yield Feature.COMMENTS


def _where(req: Requirement) -> str:
    """A name for a requirement without one (``-e .``, a bare URL): where it comes from, so a loss says which."""
    src = req.source
    if isinstance(src, LocalPath):
        return src.path
    if isinstance(src, (Vcs, Url)):
        return src.url
    return "<unnamed>"


def _default_pypi_names(manifest: Manifest) -> frozenset[str]:
    """Names of the default index when it is PyPI and no other index is searched with it: naming it (Pipfile
    ``index = "pypi"``) installs from where every installer looks anyway, so dropping the name loses nothing."""
    regular = [ix for ix in manifest.indexes if ix.role is not IndexRole.FIND_LINKS]
    if any(ix.role in (IndexRole.PRIMARY, IndexRole.EXTRA) for ix in regular):
        return frozenset()
    return frozenset(ix.name.lower() for ix in regular
                     if ix.name and ix.role is IndexRole.DEFAULT and ix.url.rstrip("/") in PYPI_SIMPLE)


def uses(manifest: Manifest) -> Iterator[tuple[Feature, str, Span | None]]:
    """Every (feature, subject, span) the manifest uses, in document order."""
    pypi = _default_pypi_names(manifest)
    for group in manifest.groups:
        if group.kind in (GroupKind.GROUP, GroupKind.CATEGORY):
            yield Feature.GROUPS, group.name, group.span
        if group.kind is GroupKind.EXTRA:
            yield Feature.EXTRAS, group.name, group.span
        if group.optional and group.kind is not GroupKind.EXTRA:
            yield Feature.OPTIONAL_GROUPS, group.name, group.span
        if group.includes:
            yield Feature.GROUP_INCLUDES, group.name, group.span
        if group.comments:
            yield Feature.COMMENTS, group.name, group.span
        for req in group.requirements:
            for feature in _req_features(req):
                if feature is Feature.PER_PACKAGE_INDEX and req.source.name.lower() in pypi:  # type: ignore[union-attr]
                    continue
                yield feature, req.name or _where(req), req.span
    for index in manifest.indexes:
        subject = index.name or index.url
        if index.role is IndexRole.FIND_LINKS:
            yield Feature.FIND_LINKS, subject, index.span
        elif not (index.role is IndexRole.DEFAULT and index.url.rstrip("/") in PYPI_SIMPLE):
            # PyPI as the default index is what every installer uses anyway: not declaring it loses nothing
            yield Feature.INDEXES, subject, index.span
            if index.name:
                yield Feature.INDEX_NAMES, subject, index.span
        if index.verify_ssl is False:
            yield Feature.VERIFY_SSL, subject, index.span
    if manifest.index_strategy in FIRST_MATCH and searched_indexes(manifest) >= 2:
        yield Feature.INDEX_STRATEGY, "indexes", manifest.span
    if manifest.no_index:
        yield Feature.NO_INDEX, "--no-index", manifest.span
    if manifest.python is not None and not manifest.python.is_any:
        yield Feature.PYTHON, f"python {manifest.python.raw}", manifest.span
    if manifest.allow_prereleases:
        yield Feature.PRERELEASES, "the manifest", manifest.span
    for option in manifest.options:
        yield Feature.INSTALLER_OPTIONS, f"--{option.name}", option.span
    followed = {raw.key for raw in manifest.raw if raw.format == "requirements" and raw.key.startswith("constraints:")}
    for kind, path in manifest.includes:
        if kind == "constraint" and f"constraints:{path}" in followed:
            yield Feature.CONSTRAINTS, f"{kind} {path}", manifest.span  # its lines were read (--follow-includes)
        else:
            yield Feature.INCLUDES, f"{kind} {path}", manifest.span
    for channel in manifest.channels:
        yield Feature.CHANNELS, channel, manifest.span
    if manifest.project is not None and (manifest.project.metadata or manifest.project.version):
        yield Feature.PROJECT_METADATA, manifest.project.name or "project", manifest.span
    if manifest.comments:
        yield Feature.COMMENTS, "the file", manifest.span
    if manifest.lock is not None and any(f.url or f.name for p in manifest.lock.packages for f in p.files):
        yield Feature.LOCK, "the lock", manifest.span


FIRST_MATCH = frozenset({"first-index", "unsafe-first-match"})  # uv's strategies that stop at the first index


def searched_indexes(manifest: Manifest) -> int:
    """How many indexes a plain install searches (PyPI counts unless a default index replaces it, or --no-index);
    explicit indexes serve only the packages that name them and find-links locations are not indexes."""
    n = sum(1 for ix in manifest.indexes if ix.role in (IndexRole.PRIMARY, IndexRole.EXTRA, IndexRole.SUPPLEMENTAL,
                                                          IndexRole.DEFAULT))
    has_default = any(ix.role is IndexRole.DEFAULT for ix in manifest.indexes)
    return n + (0 if has_default or manifest.no_index else 1)


def _extra_loss(manifest: Manifest, name: str, rule: FeatureLoss) -> tuple[Severity, str]:
    """What dropping an extra loses decides the severity: nothing but its name when it is empty (info); nothing an
    installer acts on when each of its requirements is also a main requirement (warning); else its requirements."""
    extra = next((g for g in manifest.groups if g.kind is GroupKind.EXTRA and g.name == name), None)
    if extra is None:
        return rule.severity, rule.what
    if not extra.requirements:
        return Severity.INFO, "is an empty optional extra (only its name is lost)"

    def rest(r: Requirement) -> tuple[object, ...]:
        return (r.key, frozenset(r.extras), r.marker, r.source, r.editable)

    main: dict[tuple[object, ...], list[Requirement]] = {}
    for g in manifest.groups:
        if g.kind is GroupKind.MAIN:
            for r in g.requirements:
                main.setdefault(rest(r), []).append(r)
    if all(_same_version_in(r, main.get(rest(r), ())) for r in extra.requirements):
        return Severity.WARNING, "is an optional extra whose requirements are all main requirements too"
    return rule.severity, rule.what


def _same_version_in(req: Requirement, candidates: list[Requirement] | tuple[()]) -> bool:
    """Whether a candidate admits the same versions as ``req``: equal spellings answer without building version
    sets (and importing packaging), which are built only when the spellings differ."""
    v = req.version
    if v is None:
        return any(c.version is None for c in candidates)
    for c in candidates:
        w = c.version
        if w is not None and ((v.pep440 is not None and v.pep440 == w.pep440) or (v.dialect, v.raw) == (w.dialect, w.raw)):
            return True
    return any(c.version is not None and c.version.versions == v.versions for c in candidates)


def preflight(manifest: Manifest, target: str, supported: frozenset[Feature], report: Report) -> None:
    """Add one loss per (feature, subject) the manifest uses that ``target`` cannot hold."""
    for feature, subject, span in uses(manifest):
        if feature in supported:
            continue
        rule = FEATURE_LOSSES[feature]
        severity, what = _extra_loss(manifest, subject, rule) if feature is Feature.EXTRAS else (
            rule.severity, rule.what)
        report.add(
            rule.code,
            severity,
            f"{subject!r} {what}; {target} cannot hold it",
            subject=subject,
            span=span,
            data={"feature": feature.value, "target": target},
        )
    base = target.partition("+")[0]
    for raw, subject in _raws(manifest):
        found = _raw_rule(raw)
        if found is None or base in found[1] or target in found[1] or _drops_nothing(raw):
            continue
        loss = found[0]
        report.add(
            loss.code,
            loss.severity,
            f"{subject!r} {loss.what}; {target} cannot hold it",
            subject=subject,
            span=raw.span,
            data={"raw-format": raw.format, "target": target},
        )
