"""A live environment read from its files: what is installed, where it came from, and who installed it.

``inspect_python(path)`` / ``inspect_prefix(dir)`` find the site directories (see :mod:`.locate`) and read every
``.dist-info``/``.egg-info`` record (:mod:`.dists`) and, in a conda prefix, every ``conda-meta`` record
(:mod:`.conda_meta`). Nothing is imported from the environment and neither pip nor conda runs.
:func:`to_manifest` turns it into a pinned :class:`~depglot.ir.model.Manifest` that any format writes: conda
packages as :class:`~depglot.ir.model.CondaPackage` sources, pip-installed distributions as PyPI requirements.
"""

from __future__ import annotations

import os
from pathlib import Path

from .._records import record
from ..ir.model import MAIN, CondaPackage, Group, GroupKind, Manifest, Raw, Requirement, Url, canonical_name
from ..ir.versions import VersionSpec
from ..report import Loss
from ..span import Span
from .conda_meta import CondaRecord, channel_name, read_conda_meta
from .dists import InstalledDist, read_dist, scan_site
from .locate import Location, default_location, locate_prefix, locate_python

__all__ = [
    "CondaRecord",
    "Environment",
    "InstalledDist",
    "Location",
    "inspect",
    "inspect_location",
    "inspect_prefix",
    "inspect_python",
    "into_group",
    "pin_spec",
    "read_dist",
    "to_manifest",
    "without",
]


@record
class Environment:
    """An installed environment: where it is, its distributions, its conda records, what could not be read."""

    location: Location
    dists: tuple[InstalledDist, ...] = ()
    conda: tuple[CondaRecord, ...] = ()
    problems: tuple[Loss, ...] = ()

    def find(self, name: str) -> InstalledDist | None:
        key = canonical_name(name)
        for d in self.dists:
            if d.key == key:
                return d
        return None

    def conda_owner(self, dist: InstalledDist) -> CondaRecord | None:
        """The conda record whose files include ``dist``'s metadata directory (a conda-installed Python package)."""
        if not self.conda:
            return None
        try:
            rel = Path(dist.path).relative_to(self.location.prefix).as_posix()
        except ValueError:
            return None
        for rec in self.conda:
            if any(f == rel or f.startswith(rel + "/") for f in rec.files):
                return rec
        return None


def inspect_location(location: Location) -> Environment:
    dists: list[InstalledDist] = []
    problems: list[Loss] = []
    seen: set[str] = set()
    for site in location.site_dirs:
        found, bad = scan_site(site)
        problems += bad
        for d in found:
            if d.key in seen:  # shadowed by an earlier site directory, as importlib.metadata would see it
                continue
            seen.add(d.key)
            dists.append(d)
    records: list[CondaRecord] = []
    if location.conda:
        records, bad = read_conda_meta(location.prefix)
        problems += bad
    dists.sort(key=lambda d: d.key)
    return Environment(location=location, dists=tuple(dists), conda=tuple(records), problems=tuple(problems))


def inspect_python(python: str) -> Environment:
    return inspect_location(locate_python(python))


def inspect_prefix(prefix: str) -> Environment:
    return inspect_location(locate_prefix(prefix))


def inspect(python: str | None = None, prefix: str | None = None) -> Environment:
    """``--python`` wins, then ``--prefix``, then the active environment (:func:`.locate.default_location`)."""
    if python:
        return inspect_python(python)
    if prefix:
        return inspect_prefix(prefix)
    return inspect_location(default_location())


def pin_spec(version: str) -> VersionSpec:
    """``==version``, or ``===version`` when the version is not PEP 440 (legacy installs)."""
    from packaging.version import InvalidVersion, Version

    try:
        Version(version)
    except InvalidVersion:
        return VersionSpec.from_pep440(f"==={version}")
    return VersionSpec.from_pep440(f"=={version}")


def _dist_requirement(dist: InstalledDist) -> Requirement:
    span = Span(file=dist.path)
    raw = (Raw(format="env", key="installed-version", value=dist.version),)
    if dist.source is not None:
        source = dist.source
        if isinstance(source, Url) and dist.hashes and "#" not in source.url:
            # as pip freeze says it: the archive hash as a URL fragment (PEP 610 / PEP 508 direct reference)
            algo, _, digest = dist.hashes[0].partition(":")
            source = Url(url=f"{source.url}#{algo}={digest}", subdirectory=source.subdirectory)
        return Requirement(name=dist.name, source=source, editable=dist.editable, raw=raw, span=span)
    return Requirement(name=dist.name, version=pin_spec(dist.version), span=span, raw=raw)


def _conda_requirement(rec: CondaRecord, dist: InstalledDist | None) -> Requirement:
    """A conda record, named by the Python distribution it installed (its METADATA says the PyPI name), else by
    the bundled PyPI<->conda name map, else by its conda name (a conda-only package)."""
    from ..data.conda_names import load_name_map

    channel = channel_name(rec.channel)
    spec = f"{rec.name}={rec.version}={rec.build}" if rec.build else f"{rec.name}={rec.version}"
    raw = [Raw(format="env", key="installed-version", value=rec.version)]
    if dist is not None:
        name, pypi = dist.name, True
        version = pin_spec(dist.version)
    else:
        mapped, verified = load_name_map().conda_to_pypi(rec.name)
        # no dist-info of its own in site-packages: trust the map only where it is verified
        name, pypi = (mapped, True) if mapped is not None and verified else (rec.name, False)
        version = pin_spec(rec.version)
    source = CondaPackage(name=rec.name, spec=spec, channel=channel, build=rec.build, pypi=pypi)
    return Requirement(name=name, version=version, source=source, span=Span(file=rec.path), raw=tuple(raw))


def without(env: Environment, names: tuple[str, ...] = (), *, editable: bool = False) -> Environment:
    """``env`` without the named distributions/conda packages (``pip freeze --exclude``) and, with
    ``editable=True``, without editable installs (``pip freeze --exclude-editable``)."""
    keys = {canonical_name(n) for n in names}
    dists = tuple(d for d in env.dists if d.key not in keys and not (editable and d.editable))
    conda = tuple(r for r in env.conda if canonical_name(r.name) not in keys)
    return Environment(location=env.location, dists=dists, conda=conda, problems=env.problems)


def to_manifest(env: Environment) -> Manifest:
    """The environment as one pinned main group (conda records first, then what pip & co. installed)."""
    reqs: list[Requirement] = []
    owned: dict[str, InstalledDist] = {}
    for dist in env.dists:
        rec = env.conda_owner(dist)
        if rec is not None:
            owned[rec.name] = dist
    channels: list[str] = []
    python = None
    for rec in env.conda:
        if rec.name == "python":  # the interpreter: the manifest's python, not a package
            python = pin_spec(rec.version)
        else:
            reqs.append(_conda_requirement(rec, owned.get(rec.name)))
        ch = channel_name(rec.channel)
        if ch and ch != "pypi" and ch not in channels:
            channels.append(ch)
    owned_keys = {d.key for d in owned.values()}
    for dist in env.dists:
        if dist.key in owned_keys or (env.conda and dist.installer == "conda"):
            continue
        req = _dist_requirement(dist)
        if env.conda:  # pip-installed into a conda prefix: an environment file keeps it in its pip: list
            from ..dialects.pep508 import render_requirement

            req = req.replace(raw=(*req.raw, Raw(format="conda", key="pip", value=render_requirement(req))))
        reqs.append(req)
    return Manifest(
        format="env",
        python=python,
        groups=(Group(name=MAIN, kind=GroupKind.MAIN, requirements=tuple(reqs)),) if reqs else (),
        channels=tuple(channels),
        losses=env.problems,
        span=Span(file=os.fspath(env.location.prefix)),
    )


def into_group(env_manifest: Manifest, name: str, base: Manifest | None = None) -> Manifest:
    """The environment's pins as the dependency group ``name`` of ``base`` (replacing a group of that name), or of
    an otherwise empty manifest; the base's other groups, project and indexes stay as they are."""
    reqs = env_manifest.requirements()
    group = Group(name=name, kind=GroupKind.GROUP, requirements=reqs)
    if base is None:
        return env_manifest.replace(groups=(Group(name=MAIN, kind=GroupKind.MAIN), group))
    groups = list(base.groups)
    for i, g in enumerate(groups):
        if g.kind is not GroupKind.MAIN and canonical_name(g.name) == canonical_name(name):
            groups[i] = g.replace(requirements=reqs)
            break
    else:
        groups.append(group)
    channels = tuple(dict.fromkeys((*base.channels, *env_manifest.channels)))
    return base.replace(groups=tuple(groups), channels=channels, losses=(*base.losses, *env_manifest.losses))
