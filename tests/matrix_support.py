"""Compare two manifests by meaning, and match their differences against the reported losses.

Used by the any-to-any conversion matrix (tests/test_matrix.py). Meaning, not spelling: canonical names, extras as
sets, version sets (packaging VersionRange equality is exact set equality, prereleases included), markers by
their value over a fixed sample of environments, sources normalised, hashes as sets; plus the manifest's python
constraint, indexes, --no-index and channels.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from depglot.ir.model import (
    CondaPackage,
    GroupKind,
    IndexRef,
    IndexRole,
    LocalPath,
    Manifest,
    Requirement,
    Url,
    Vcs,
    canonical_name,
)
from depglot.ir.versions import full_range
from depglot.report import Loss, Severity

# -- the conversions, made once per test session ------------------------------------------------------------------
#
# test_matrix.py, test_oracles.py and the docs' matrix numbers all need "every corpus file into every writable
# target". Each (file, target) is converted once per process and cached here; whichever test asks first pays.

TARGETS = ["requirements", "pipfile", "pipfile-lock", "poetry", "poetry1", "pep621", "pep621+uv", "pep621+pdm",
           "pylock", "script", "conda", "freeze", "ir"]


def _category_formats() -> dict[str, str]:
    from .test_fuzz import SEEDS

    out = {cat: fmt for fmt, cats in SEEDS.items() for cat in cats}
    out["freeze"] = "requirements"  # pip freeze output is a requirements file (read as one)
    return out


CATEGORY_FORMAT = _category_formats()


def all_selection():
    from depglot.api import Selection

    return Selection(all_groups=True, all_extras=True)


_LOADED: dict[str, object] = {}
_CONVERTED: dict[tuple[str, str], object] = {}


def load_source(path, fmt: str) -> Manifest:
    """``depglot.load(path, fmt)``, once per process; a DepglotError is cached and raised again."""
    import depglot
    from depglot.errors import DepglotError

    key = f"{fmt}:{path}"
    if key not in _LOADED:
        try:
            _LOADED[key] = depglot.load(path, fmt)
        except DepglotError as exc:
            _LOADED[key] = exc
    got = _LOADED[key]
    if isinstance(got, BaseException):
        raise got
    return got  # type: ignore[return-value]


def converted(path, fmt: str, target: str):
    """The matrix's conversion of a corpus file into ``target`` (every group and extra selected), once per
    process: a :class:`depglot.api.Conversion`, or the ConversionError (cached and raised again)."""
    import depglot
    from depglot.errors import ConversionError

    key = (str(path), target)
    if key not in _CONVERTED:
        source = load_source(path, fmt)
        try:
            _CONVERTED[key] = depglot.dumps(source, target, selection=all_selection())
        except ConversionError as exc:
            _CONVERTED[key] = exc
    got = _CONVERTED[key]
    if isinstance(got, BaseException):
        raise got
    return got

# -- markers by meaning ---------------------------------------------------------------------------------------

_PYTHONS = ["2.7.18", "3.6.15", "3.7.17", "3.8.0", "3.8.1", "3.8.20", "3.9.0", "3.9.25", "3.10.12", "3.11.0",
            "3.11.9", "3.12.4", "3.13.1", "3.14.0", "3.15.0",
            "4.0.0"]  # python_version < "4" (Poetry's python = "<4.0") is a real marker: dropping it must show
_PLATFORMS = [
    {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": "x86_64"},
    {"sys_platform": "linux", "platform_system": "Linux", "os_name": "posix", "platform_machine": "aarch64"},
    {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix", "platform_machine": "arm64"},
    {"sys_platform": "darwin", "platform_system": "Darwin", "os_name": "posix", "platform_machine": "x86_64"},
    {"sys_platform": "win32", "platform_system": "Windows", "os_name": "nt", "platform_machine": "AMD64"},
    # Pyodide: real markers test for it (sys_platform != 'emscripten'), so a dropped one must show
    {"sys_platform": "emscripten", "platform_system": "Emscripten", "os_name": "posix", "platform_machine": "wasm32"},
]
_IMPLS = [("cpython", "CPython"), ("pypy", "PyPy")]


def _environments() -> list[dict[str, str]]:
    envs = []
    for full, plat, (impl, pyimpl) in itertools.product(_PYTHONS, _PLATFORMS, _IMPLS):
        env = dict(plat)
        env.update(
            python_full_version=full,
            python_version=".".join(full.split(".")[:2]),
            implementation_name=impl,
            platform_python_implementation=pyimpl,
            implementation_version=full,
            platform_release="",
            platform_version="",
            extra="",
        )
        envs.append(env)
    return envs


ENVIRONMENTS = _environments()


@lru_cache(maxsize=4096)
def marker_meaning(marker: str | None) -> tuple[bool, ...] | None:
    """The marker's value in every sample environment (None: no marker, i.e. always true)."""
    if not marker or not marker.strip():
        return None
    from packaging.markers import Marker

    m = Marker(marker)
    values = tuple(bool(m.evaluate(env)) for env in ENVIRONMENTS)
    return None if all(values) else values


# -- requirements by meaning ----------------------------------------------------------------------------------


def _source(req: Requirement) -> tuple[str, ...] | None:
    src = req.source
    if isinstance(src, CondaPackage):
        # a conda package with a PyPI counterpart is that PyPI requirement; a conda-only one (the C++ library
        # tiledb beside tiledb-py, which is PyPI tiledb) is another thing that happens to share the name
        return None if src.pypi else ("conda", canonical_name(src.name))
    if src is None:
        return None
    if isinstance(src, IndexRef):
        return ("index", canonical_name(src.name))
    if isinstance(src, Vcs):
        return ("vcs", src.vcs, src.url.rstrip("/").removesuffix(".git"), src.rev or "", src.subdirectory or "")
    if isinstance(src, LocalPath):
        return ("path", src.path.rstrip("/").removeprefix("./") or ".", src.subdirectory or "")
    if isinstance(src, Url):
        return ("url", src.url, src.subdirectory or "")
    raise AssertionError(f"unknown source {src!r}")


@dataclass(frozen=True)
class Meaning:
    extras: frozenset[str]
    versions: object  # VersionRange
    source: tuple[str, ...] | None
    editable: bool
    hashes: frozenset[str]
    prereleases: bool
    optional: bool
    options: frozenset[tuple[str, str]]


def meaning(req: Requirement) -> Meaning:
    versions = req.version.versions if req.version is not None else full_range()
    return Meaning(
        extras=frozenset(canonical_name(e) for e in req.extras),
        versions=versions,
        source=_source(req),
        editable=req.editable,
        hashes=frozenset(h.lower() for h in req.hashes),
        prereleases=bool(req.allow_prereleases),
        optional=req.optional,
        options=frozenset(req.options),
    )


def _identity(req: Requirement) -> str:
    """What a requirement is: its name, or for a direct reference (path, URL, VCS) where it comes from — a name is
    optional there (``./pkg`` and ``pkg @ file:pkg`` are the same requirement)."""
    src = _source(req)
    if src is not None and src[0] != "index":
        return repr(src)
    return req.key


def group_label(manifest: Manifest, name: str, kind: GroupKind, flatten: bool) -> str:
    if flatten or kind is GroupKind.MAIN:
        return "main"
    return canonical_name(name)


def _aliases(req: Requirement) -> set[str]:
    names = {req.key} if req.name else set()
    src = _source(req)
    if src is not None:
        names.update(canonical_name(part) for part in src[1:] if part)
    return names


def _default_pypi_names(manifest: Manifest) -> set[str]:
    """Names of the default index when it is PyPI and no other index is searched with it (pip's
    --extra-index-url, a second Poetry primary): a requirement pinned to it (Pipfile ``index = "pypi"``) installs
    from the same place as one with no index, like ``_index_set`` treats that index as no index."""
    regular = [ix for ix in manifest.indexes if ix.role is not IndexRole.FIND_LINKS]
    if any(ix.role in (IndexRole.PRIMARY, IndexRole.EXTRA) for ix in regular):
        return set()
    return {canonical_name(ix.name) for ix in regular
            if ix.name and ix.role is IndexRole.DEFAULT and ix.url.rstrip("/") in PYPI}


def _with_includes(manifest: Manifest, flatten: bool):
    """Each group with what it installs: its requirements and those of the groups it includes (PEP 735
    include-group, Poetry include-groups), transitively. A target without includes writes them expanded."""
    if flatten:
        return [(group, group.requirements) for group in manifest.groups]
    by_label = {group_label(manifest, g.name, g.kind, False): g for g in reversed(manifest.groups)}
    out = []
    for group in manifest.groups:
        reqs, seen, todo = list(group.requirements), {canonical_name(group.name)}, list(group.includes)
        while todo:
            name = canonical_name(todo.pop(0))
            if name in seen or name not in by_label:
                continue
            seen.add(name)
            reqs += by_label[name].requirements
            todo += by_label[name].includes
        out.append((group, tuple(reqs)))
    return out


def entries(manifest: Manifest, *, flatten: bool, aliases: dict[str, set[str]] | None = None):
    out: dict[tuple[str, str, object], list[Meaning]] = {}
    pypi = _default_pypi_names(manifest)
    for group, requirements in _with_includes(manifest, flatten):
        label = group_label(manifest, group.name, group.kind, flatten)
        for req in requirements:
            if pypi and isinstance(req.source, IndexRef) and canonical_name(req.source.name) in pypi:
                req = req.replace(source=None)
            ident = _identity(req)
            key = (label, ident, marker_meaning(req.marker))
            found = out.setdefault(key, [])
            # flattened, the same requirement from two groups (main and an extra) is one requirement: a groupless
            # target that writes it once keeps its meaning; a differing duplicate is still compared
            if not (flatten and meaning(req) in found):
                found.append(meaning(req))
            if aliases is not None:
                aliases.setdefault(ident, set()).update(_aliases(req))
    return out


@dataclass(frozen=True)
class Difference:
    kind: str  # missing | added | version | extras | source | editable | hashes | python | indexes | no-index
    subject: str
    detail: str = ""
    group: str = ""
    names: frozenset[str] = frozenset()


PYPI = {"https://pypi.org/simple", "https://pypi.python.org/simple"}


def _index_set(manifest: Manifest) -> frozenset[tuple[str, str]]:
    """Indexes by URL and kind; PyPI alone as the default index is the same as declaring none."""
    out = set()
    for index in manifest.indexes:
        url = index.url.rstrip("/")
        if url in PYPI and index.role is IndexRole.DEFAULT:
            continue
        role = "find-links" if index.role is IndexRole.FIND_LINKS else "index"
        out.add((role, url))
    return frozenset(out)


# What an index role means to an installer: searched for every package (pip -i / --extra-index-url, Poetry primary,
# uv's indexes), only when no other index has the package, or only for the requirements that name it.
_ROLE_MEANING = {
    IndexRole.DEFAULT: "searched", IndexRole.PRIMARY: "searched", IndexRole.EXTRA: "searched",
    IndexRole.SUPPLEMENTAL: "supplemental", IndexRole.EXPLICIT: "explicit", IndexRole.FIND_LINKS: "find-links",
}


def _index_roles(manifest: Manifest) -> dict[str, str]:
    return {i.url.rstrip("/"): _ROLE_MEANING[i.role] for i in manifest.indexes}


def _searched(manifest: Manifest) -> int:
    """How many indexes a plain install searches (PyPI counts unless a default index replaces it)."""
    roles = [i.role for i in manifest.indexes]
    n = sum(1 for r in roles if r in (IndexRole.DEFAULT, IndexRole.PRIMARY, IndexRole.EXTRA, IndexRole.SUPPLEMENTAL))
    return n + (0 if IndexRole.DEFAULT in roles or manifest.no_index else 1)


def _strategy(manifest: Manifest) -> str:
    """How a package found on several searched indexes is chosen; None is pip's best match across all of them
    (what every reader but uv's says by leaving it unset); uv's unsafe-best-match is the same thing."""
    strategy = manifest.index_strategy or "best-match"
    return "best-match" if strategy == "unsafe-best-match" else strategy


def _tls_off(manifest: Manifest) -> frozenset[str]:
    """Hosts installed from without TLS verification: an index with verify_ssl = false, or pip's --trusted-host
    (the same meaning in two spellings)."""
    from urllib.parse import urlsplit

    hosts = {urlsplit(i.url).hostname or i.url for i in manifest.indexes if i.verify_ssl is False}
    hosts |= {(o.value or "").split(":")[0] for o in manifest.options if o.name == "trusted-host"}
    return frozenset(hosts)


_ENTRY_POINT_KEYS = ("scripts", "gui-scripts", "entry-points")


def _entry_points(manifest: Manifest) -> dict[str, object]:
    project = manifest.project
    if project is None:
        return {}
    return {k: project.get(k) for k in _ENTRY_POINT_KEYS if project.get(k)}


def differences(before: Manifest, after: Manifest, *, flatten: bool, metadata: bool = False) -> list[Difference]:
    """What changed between two manifests, by meaning. ``metadata``: both formats hold project metadata, so entry
    points are compared too."""
    diffs: list[Difference] = []
    names: dict[str, set[str]] = {}
    a, b = entries(before, flatten=flatten, aliases=names), entries(after, flatten=flatten, aliases=names)
    # conda's pip package installs the pip: list (as python is the interpreter): PyPI targets leave it out
    # (conda-pip-dropped, info), so it is no dependency that goes missing
    installer = any(r.key == "pip" and isinstance(r.source, CondaPackage) for r in before.requirements())
    for key in a.keys() - b.keys():
        if installer and key[1] == "pip" and not after.format.startswith("conda"):
            continue
        diffs.append(Difference("missing", key[1], f"group {key[0]}", key[0]))
    for key in b.keys() - a.keys():
        diffs.append(Difference("added", key[1], f"group {key[0]}", key[0]))
    for key in a.keys() & b.keys():
        xs, ys = list(a[key]), list(b[key])
        for x in list(xs):  # equal meanings pair first; the rest pair in a stable order
            if x in ys:
                xs.remove(x)
                ys.remove(x)
        for x, y in itertools.zip_longest(sorted(xs, key=repr), sorted(ys, key=repr)):
            if x is None or y is None:
                diffs.append(Difference("missing" if y is None else "added", key[1], "duplicate entry", key[0]))
                continue
            for field in ("versions", "extras", "source", "editable", "hashes", "prereleases", "optional", "options"):
                if getattr(x, field) != getattr(y, field):
                    kind = "version" if field == "versions" else field
                    diffs.append(
                        Difference(kind, key[1], f"{getattr(x, field)!r} -> {getattr(y, field)!r}", key[0])
                    )
    pa = before.python.versions if before.python is not None else full_range()
    pb = after.python.versions if after.python is not None else full_range()
    if pa != pb:
        diffs.append(Difference("python", "python", f"{pa!r} -> {pb!r}"))
    if _index_set(before) != _index_set(after):
        diffs.append(Difference("indexes", "indexes", f"{sorted(_index_set(before))} -> {sorted(_index_set(after))}"))
    if before.no_index != after.no_index:
        diffs.append(Difference("no-index", "--no-index"))
    ra, rb = _index_roles(before), _index_roles(after)
    changed = {u for u in ra.keys() & rb.keys() if ra[u] != rb[u] and "find-links" not in (ra[u], rb[u])}
    if changed:
        diffs.append(Difference("index-role", "indexes", ", ".join(f"{u}: {ra[u]} -> {rb[u]}" for u in sorted(changed))))
    if _searched(before) >= 2 and _strategy(before) != _strategy(after):
        diffs.append(Difference("index-strategy", "indexes", f"{_strategy(before)} -> {_strategy(after)}"))
    if _tls_off(before) != _tls_off(after):
        diffs.append(Difference("verify-ssl", "verify-ssl", f"{sorted(_tls_off(before))} -> {sorted(_tls_off(after))}"))
    if metadata and _entry_points(before) != _entry_points(after):
        diffs.append(Difference("entry-points", "entry points",
                                f"{_entry_points(before)!r} -> {_entry_points(after)!r}"))
    manifest_fields = {
        "channels": lambda m: tuple(m.channels),
        "prereleases": lambda m: bool(m.allow_prereleases),
        # --trusted-host is measured with verify_ssl = false (the same meaning), above
        "options": lambda m: frozenset((o.name, o.value) for o in m.options if o.name != "trusted-host"),
        "includes": lambda m: frozenset(m.includes),
        "lock": lambda m: frozenset(
            (p.key, f.url or f.name or "") for p in (m.lock.packages if m.lock else ()) for f in p.files
            if f.url or f.name
        ),
    }
    for kind, get in manifest_fields.items():
        if get(before) != get(after):
            diffs.append(Difference(kind, kind, f"{get(before)!r} -> {get(after)!r}"))
    return [
        Difference(d.kind, d.subject, d.detail, d.group, frozenset(names.get(d.subject, ())) | {canonical_name(d.subject)})
        for d in diffs
    ]


# -- explanation rules ----------------------------------------------------------------------------------------

# manifest-level difference kinds -> loss codes that can explain them (requirement-level differences are explained
# by any WARNING/ERROR loss whose subject or data names the requirement)
MANIFEST_RULES: dict[str, tuple[str, ...]] = {
    "python": ("python",),
    "indexes": ("index", "find-links", "source"),
    "no-index": ("no-index",),
    "channels": ("channel",),
    "prereleases": ("prerelease",),
    "options": ("option",),
    "includes": ("include",),
    "verify-ssl": ("verify-ssl", "installer-option"),  # --trusted-host is an installer option
    "lock": ("lock",),
    "index-role": ("index-role",),
    "index-strategy": ("index-strategy",),
    "entry-points": ("entry-point",),
}

# Codes that flag a risk in the output rather than a change this comparison can measure: a guessed conda->PyPI
# name, a lock or freeze that is not fully pinned, a relative path that PEP 508 can only spell as a URL. They must
# still be WARNING or higher, but are not required to come with a difference.
ADVISORY = frozenset({
    "conda-name-unverified",
    "freeze-not-pinned",
    "pipfile-lock-unpinned",
    "relative-path-url",
    "lock-markers-unknown",
    "lock-groups-unknown",
    # placeholders a target format requires (a [project] name/version the source never had)
    "project-name-invented",
    "project-version-invented",
    # data outside the dependency comparison: tool settings, Pipfile [scripts]/[pipenv], optional-group flags
    "tool-setting-dropped",
    "poetry-scripts-dropped",  # Poetry file scripts (Raw [tool.poetry.scripts]); console scripts are compared
    "pipfile-raw-dropped",
    "optional-group-dropped",
    # environment.yml keys with no PyPI slot (activation variables, conda-lock platforms/category, unidep keys)
    "conda-variables-dropped",
    "conda-platforms-dropped",
    "conda-key-dropped",
    # uv/PDM resolver inputs outside the requirement set: constraints, overrides, workspace/conditional sources
    "constraints-dropped",
    "overrides-dropped",
    "uv-source-dropped",
    # a requirements file that pip refuses in hash-checking mode (hashes on some lines only)
    "hashes-partial",
})


def _names_in(loss: Loss) -> set[str]:
    names = set()
    if loss.subject:
        for part in str(loss.subject).replace(",", " ").split():
            part = part.strip("'\"[]")
            # the same normalisation as _source: a path's trailing "/", a VCS URL's ".git"
            names.update(canonical_name(p) for p in (part, part.rstrip("/"), part.rstrip("/").removesuffix(".git")))
        names.add(canonical_name(str(loss.subject)))
    for value in loss.data.values():
        if isinstance(value, str):
            names.add(canonical_name(value))
        elif isinstance(value, (list, tuple)):
            names.update(canonical_name(str(v)) for v in value)
    return names


# Advisory codes that name requirements without any of them having changed: they explain no difference.
NON_EXPLAINING = frozenset({
    "hashes-partial",  # some written requirements lack hashes: pip refuses the file (requirements writer)
})


def explains(loss: Loss, diff: Difference) -> bool:
    if loss.severity < Severity.WARNING or loss.code in NON_EXPLAINING:
        return False
    rule = MANIFEST_RULES.get(diff.kind)
    if rule is not None:
        return any(part in loss.code for part in rule)
    names = _names_in(loss)
    return bool(diff.names & names) or (diff.group not in ("", "main") and diff.group in names)


def unexplained(diffs: Iterable[Difference], losses: Iterable[Loss]) -> list[Difference]:
    losses = list(losses)
    return [d for d in diffs if not any(explains(loss, d) for loss in losses)]


def unfounded(diffs: Iterable[Difference], losses: Iterable[Loss]) -> list[Loss]:
    """WARNING/ERROR losses that explain no difference (a writer reporting what it actually kept)."""
    diffs = list(diffs)
    return [
        loss
        for loss in losses
        if loss.severity >= Severity.WARNING
        and loss.code not in ADVISORY
        and not any(explains(loss, d) for d in diffs)
    ]
