"""conda-lock.yml (lock version 1) -> Manifest with a PEP 751-shaped ``lock`` and pinned groups.

Decisions (docs/formats/conda-lock.md):

* Every ``package`` entry is one :class:`LockedPackage` (one per platform: conda-lock locks each platform
  separately) with ``marker`` = the platform as a PEP 508 marker (``linux-64`` ->
  ``sys_platform == "linux" and platform_machine == "x86_64"``), its file URL and md5/sha256 hashes, category as
  group, dependency names, and ``Raw("conda-lock", "platform"|"manager")``. Conda packages carry a
  :class:`CondaPackage` source named through the PyPI name map, like environment.yml dependencies.
* Pinned groups: one group per category (``main`` is the main group). A package pinned to the same version on
  every locked platform is one requirement without marker; otherwise one requirement per distinct version, with
  the platforms' markers joined by ``or``.
* ``metadata.channels`` -> ``Manifest.channels``; ``platforms``, ``content_hash`` and ``sources`` -> ``Raw``.
"""

from __future__ import annotations

import re
from typing import Any

from ...data.conda_names import NameMap
from ...errors import ParseError
from ...ir.model import (
    CondaPackage,
    Group,
    GroupKind,
    Lock,
    LockedPackage,
    LockFile,
    Manifest,
    Raw,
    Requirement,
    canonical_name,
)
from ...ir.versions import VersionSpec
from ...span import Span, line_col

__all__ = ["FORMAT", "PLATFORM_MARKERS", "read_conda_lock"]

FORMAT = "conda-lock"

PLATFORM_MARKERS: dict[str, str] = {
    "linux-64": 'sys_platform == "linux" and platform_machine == "x86_64"',
    "linux-aarch64": 'sys_platform == "linux" and platform_machine == "aarch64"',
    "linux-ppc64le": 'sys_platform == "linux" and platform_machine == "ppc64le"',
    "osx-64": 'sys_platform == "darwin" and platform_machine == "x86_64"',
    "osx-arm64": 'sys_platform == "darwin" and platform_machine == "arm64"',
    "win-64": 'sys_platform == "win32" and platform_machine == "AMD64"',
    "win-arm64": 'sys_platform == "win32" and platform_machine == "ARM64"',
}

# one locked entry of a package on one platform: (platform, conda build, package name, line, file hashes)
_Pin = tuple[str, str | None, str, int | None, tuple[str, ...]]

_ARCHIVE = re.compile(r"^(?P<name>.+)-(?P<version>[^-]+)-(?P<build>[^-]+)\.(?:conda|tar\.bz2)$")


_BRACKETS = re.compile(r"[\[\]{}]")
# indentation plus block indicators, anchors and tags that open a node further right on the same line
_PREFIX = re.compile(r"^[ \t]*(?:(?:[-?:]|[&!][^ \t]*)[ \t]+)*", re.MULTILINE)
# what YAML 1.1 and 1.2 allow in a stream (c-printable); lone surrogates cannot even be encoded for libyaml
_NON_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MAX_FLOW_NESTING = 100
MAX_BLOCK_PREFIX = 200  # block nesting grows at most ~2 levels per column; libyaml composes recursively in C


def _loader(text: str) -> Any:
    """PyYAML's libyaml-backed safe loader (what conda-lock itself reads lock files with: ``yaml.safe_load``).

    Its composer recurses in C, where deep nesting overflows the stack (a segfault, not a RecursionError): a
    document whose lines open nodes more than MAX_BLOCK_PREFIX columns in takes the pure-Python loader, which
    fails with a RecursionError instead. Flow nesting is refused before either sees it (see _load).
    """
    import yaml

    c_loader = getattr(yaml, "CSafeLoader", None)
    if c_loader is not None and max(map(len, _PREFIX.findall(text)), default=0) <= MAX_BLOCK_PREFIX:
        return c_loader
    return yaml.SafeLoader


def _load(text: str, path: str | None) -> Any:
    import yaml
    from yaml.reader import ReaderError

    lines = re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z", text)

    def source(line: int) -> str | None:
        return lines[line - 1].rstrip("\r\n") if 0 < line <= len(lines) else None

    depth = 0
    for m in _BRACKETS.finditer(text):  # libyaml recurses in C per open flow collection
        depth = depth + 1 if m.group() in "[{" else max(0, depth - 1)
        if depth > MAX_FLOW_NESTING:
            line, col = line_col(text, m.start())
            raise ParseError(
                f"the YAML document nests more than {MAX_FLOW_NESTING} flow collections",
                span=Span(file=path, line=line, column=col),
                dialect="yaml",
            )
    try:
        # safe: only standard YAML tags are constructed (a !!python/... tag is a ConstructorError); an alias is the
        # same Python object as its anchor, so an alias bomb costs no memory
        return yaml.load(text, Loader=_loader(text))  # a SafeLoader
    except (ReaderError, UnicodeEncodeError):  # a character YAML does not allow (libyaml counts UTF-8 bytes)
        bad = _NON_PRINTABLE.search(text)
        line, col = line_col(text, bad.start()) if bad is not None else (1, 1)
        char = bad.group() if bad is not None else "?"
        raise ParseError(
            f"invalid YAML: unacceptable character {char!r} (YAML allows only printable characters)",
            span=Span(file=path, line=line, column=col),
            source_line=source(line),
            dialect="yaml",
        ) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = " ".join(str(exc.problem or exc.context or "syntax error").split())
        raise ParseError(
            f"invalid YAML: {problem}",
            span=Span(file=path, line=line, column=mark.column + 1 if mark is not None else 1),
            source_line=source(line),
            dialect="yaml",
        ) from None
    except RecursionError:  # the pure-Python composer recurses: very deep nesting exhausts the stack
        raise ParseError(
            "the YAML document is nested too deeply", span=Span(file=path, line=1, column=1), dialect="yaml"
        ) from None
    except yaml.YAMLError as exc:  # other PyYAML errors: keep the message on one line
        message = " ".join(str(exc).split())
        raise ParseError(
            f"invalid YAML: {message}", span=Span(file=path, line=1, column=1), dialect="yaml"
        ) from None


def _fail(message: str, path: str | None, line: int | None = None, key: str | None = None) -> ParseError:
    return ParseError(message, span=Span(file=path, line=line, column=1 if line else None, key=key))


def _package_lines(text: str) -> list[int]:
    """1-based lines where each ``package`` entry starts (conda-lock writes ``- name:`` first)."""
    return [i for i, line in enumerate(text.splitlines(), 1) if re.match(r"^\s*- name\s*:", line)]


def _str_field(
    entry: dict[str, Any], key: str, path: str | None, line: int | None, *, required: bool = True
) -> str | None:
    value = entry.get(key)
    if value is None:
        if required:
            raise _fail(f"package entry without {key!r}", path, line, key=f"package.{key}")
        return None
    if isinstance(value, dict | list):
        raise _fail(f"package {key!r} must be a string", path, line, key=f"package.{key}")
    return str(value)


def read_conda_lock(text: str, path: str | None, names: NameMap) -> Manifest:
    body = text.removeprefix("\ufeff")
    data = _load(body, path)
    if not isinstance(data, dict):
        raise _fail("a conda-lock file is a mapping with version, metadata and package", path, 1)
    version = data.get("version")
    if version not in (1, "1"):
        raise _fail(
            f"unsupported conda-lock version {version!r} (depglot reads version 1)", path, 1, key="version"
        )
    meta = data.get("metadata") or {}
    packages = data.get("package") or []
    if not isinstance(meta, dict) or not isinstance(packages, list):
        raise _fail("metadata must be a mapping and package a list", path, 1)
    for key, kind in (("channels", list), ("platforms", list), ("content_hash", dict), ("sources", list)):
        if meta.get(key) is not None and not isinstance(meta[key], kind):
            raise _fail(f"metadata.{key} must be a {kind.__name__}", path, key=f"metadata.{key}")
    channels: list[str] = []
    for ch in meta.get("channels") or []:
        url = ch.get("url") if isinstance(ch, dict) else ch
        if not isinstance(url, str):
            raise _fail("a metadata channel needs a url", path, key="metadata.channels")
        channels.append(url)
    platforms = [str(p) for p in meta.get("platforms") or []]
    starts = _package_lines(body)
    locked: list[LockedPackage] = []
    # (category, manager, name) -> {version -> [(platform, build, package name, line, file hashes)]}
    pins: dict[tuple[str, str, str], dict[str, list[_Pin]]] = {}
    for i, entry in enumerate(packages):
        line = starts[i] if i < len(starts) else None
        if not isinstance(entry, dict):
            raise _fail("each package entry must be a mapping", path, line, key="package")
        name = _str_field(entry, "name", path, line)
        ver = _str_field(entry, "version", path, line)
        manager = _str_field(entry, "manager", path, line)
        platform = _str_field(entry, "platform", path, line)
        category = _str_field(entry, "category", path, line, required=False) or "main"
        url = _str_field(entry, "url", path, line, required=False)
        assert name is not None and ver is not None and manager is not None and platform is not None
        if manager not in ("conda", "pip"):
            raise _fail(
                f"unknown package manager {manager!r} (conda or pip)", path, line, key="package.manager"
            )
        hashes = entry.get("hash") or {}
        if not isinstance(hashes, dict):
            raise _fail(
                "package hash must be a mapping of algorithm to digest", path, line, key="package.hash"
            )
        deps = entry.get("dependencies") or {}
        if not isinstance(deps, dict):
            raise _fail("package dependencies must be a mapping", path, line, key="package.dependencies")
        build = None
        filename = url.rsplit("/", 1)[-1] if url else None
        if manager == "conda" and filename:
            m = _ARCHIVE.match(filename)
            build = m.group("build") if m else None
        span = Span(file=path, line=line, column=3 if line else None, key=f"package.{name}")
        source = None
        pkg_name = name
        if manager == "conda":
            pypi, _verified = names.conda_to_pypi(name)
            spec = f"{name}={ver}={build}" if build else f"{name}=={ver}"
            source = CondaPackage(name=name, spec=spec, build=build, pypi=pypi is not None)
            pkg_name = pypi if pypi is not None else name
        file_hashes = tuple(f"{algo}:{digest}" for algo, digest in hashes.items())
        locked.append(
            LockedPackage(
                name=pkg_name,
                version=ver,
                marker=PLATFORM_MARKERS.get(platform),
                source=source,
                files=(
                    LockFile(
                        name=filename,
                        url=url,
                        hashes=file_hashes,
                        kind=_kind(filename),
                    ),
                )
                if url or hashes
                else (),
                groups=(category,),
                dependencies=tuple(canonical_name(str(d)) for d in deps),
                raw=(
                    Raw(format=FORMAT, key="platform", value=platform),
                    Raw(format=FORMAT, key="manager", value=manager),
                ),
                span=span,
            )
        )
        pins.setdefault((category, manager, name), {}).setdefault(ver, []).append(
            (platform, build, pkg_name, line, file_hashes)
        )
    python = _python(pins, path)
    groups = _groups(
        pins, platforms or sorted({p for v in pins.values() for l in v.values() for p, *_ in l}), names, path
    )
    lock_raw = [Raw(format=FORMAT, key="platforms", value=platforms)]
    if meta.get("content_hash") is not None:
        lock_raw.append(Raw(format=FORMAT, key="content_hash", value=dict(meta["content_hash"])))
    if meta.get("sources") is not None:
        lock_raw.append(Raw(format=FORMAT, key="sources", value=list(meta["sources"])))
    return Manifest(
        format=FORMAT,
        python=python,
        groups=groups,
        channels=tuple(channels),
        lock=Lock(packages=tuple(locked), version=str(version), raw=tuple(lock_raw)),
        span=Span(file=path, line=1, column=1),
    )


def _python(pins: dict[tuple[str, str, str], dict[str, list[_Pin]]], path: str | None) -> VersionSpec | None:
    """The interpreter pin is the manifest's python (exact when every platform has the same one), not a requirement."""
    from ...dialects.conda import parse_matchspec

    versions: set[str] = set()
    for key in [k for k in pins if k[1] == "conda" and k[2] == "python"]:
        versions.update(pins.pop(key))
    if len(versions) != 1:
        return None
    return parse_matchspec(f"python=={versions.pop()}", span=Span(file=path)).version


def _kind(filename: str | None) -> str | None:
    if not filename:
        return None
    if filename.endswith(".whl"):
        return "wheel"
    if filename.endswith((".tar.gz", ".zip")):
        return "sdist"
    return "archive"


def _groups(
    pins: dict[tuple[str, str, str], dict[str, list[_Pin]]],
    platforms: list[str],
    names: NameMap,
    path: str | None,
) -> tuple[Group, ...]:
    from ...dialects import pep440
    from ...dialects.conda import parse_matchspec

    by_cat: dict[str, list[Requirement]] = {}
    all_platforms = set(platforms)
    for (category, manager, name), versions in pins.items():
        for ver, where in versions.items():
            plats = {p for p, *_ in where}
            builds = {b for _, b, *_ in where}
            pkg_name = where[0][2]
            line = where[0][3]
            marker = None
            if plats != all_platforms:
                known = [PLATFORM_MARKERS[p] for p in sorted(plats) if p in PLATFORM_MARKERS]
                marker = known[0] if len(known) == 1 else (" or ".join(f"({m})" for m in known) or None)
            span = Span(file=path, line=line, column=3 if line else None, key=f"package.{name}")
            if manager == "conda":
                build = builds.pop() if len(builds) == 1 else None
                spec = f"{name}={ver}={build}" if build else f"{name}=={ver}"
                version: VersionSpec | None = parse_matchspec(f"{name}=={ver}", span=span).version
                pypi, verified = names.conda_to_pypi(name)
                raws = (
                    ()
                    if pypi is None or verified
                    else (Raw(format="conda", key="name-unverified", value=True),)
                )
                req = Requirement(
                    name=pkg_name,
                    version=version,
                    marker=marker,
                    source=CondaPackage(name=name, spec=spec, build=build, pypi=pypi is not None),
                    raw=raws,
                    span=span,
                )
            else:
                # the PyPI files pip installs on each platform pinned to this version (a wheel per platform, or
                # one sdist): every one is a file of this requirement, as poetry.lock, uv.lock, pdm.lock and
                # Pipfile.lock readers put their files' hashes on the requirement
                hashes = tuple(dict.fromkeys(h for *_, file_hashes in where for h in file_hashes))
                req = Requirement(
                    name=name, version=pep440.parse(f"=={ver}", span=span), marker=marker, hashes=hashes,
                    span=span,
                )
            by_cat.setdefault(category, []).append(req)
    groups = []
    for category in sorted(by_cat, key=lambda c: (c != "main", c)):
        kind = GroupKind.MAIN if category == "main" else GroupKind.GROUP
        groups.append(Group(name=category, kind=kind, requirements=tuple(by_cat[category])))
    if not groups:
        groups.append(Group(name="main"))
    return tuple(groups)
