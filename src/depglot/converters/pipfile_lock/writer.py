"""Manifest -> Pipfile.lock text in pipenv's layout (sorted keys, 4-space indent, trailing newline).

``_meta`` comes from the Pipfile the lock belongs to, as pipenv builds it: ``hash.sha256`` is pipenv's hash of
that Pipfile (:mod:`.meta`), ``sources`` its ``[[source]]`` tables completed like pipenv does, ``requires`` its
``[requires]``. Which Pipfile: the text passed as ``WriteOptions.pipfile``; else, for a manifest read from a
Pipfile.lock, the lock's own ``_meta`` (its hash stays valid for the Pipfile it was locked from); else the
Pipfile depglot writes for this manifest (the ``pipfile`` format, fresh), reported as
``pipfile-lock-hash-generated`` so the user knows which Pipfile the lock matches.

Each requirement becomes one entry keyed by its canonical name: ``version`` (``==x``), sorted ``hashes`` (from
the requirement, else from ``manifest.lock``), ``markers``, ``index``, sorted ``extras``, VCS/path/file keys and
``editable``. A requirement that is not pinned is still written (pipenv installs what the spec allows) and
reported as ``pipfile-lock-unpinned``. Base mode keeps every entry the manifest did not change exactly as the
base file has it (unknown keys included); an unchanged manifest gives the base text back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import fields, is_dataclass, replace
from typing import Any

from ...format import ReadOptions, WriteOptions
from ...ir.model import (
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
from ...ir.select import DEV_GROUP_NAMES
from ...report import Report, Severity
from .._naming import derived_name
from .meta import DEFAULT_SOURCE, PIPFILE_SPEC, pipfile_hash_data, populate_source
from .reader import FORMAT, read

__all__ = ["dumps_lock", "lock_data", "write"]

_PIN = re.compile(r"^===?\s*[^,*\s]+$")


def dumps_lock(data: Mapping[str, Any]) -> str:
    """pipenv's encoder: ``json.dumps(indent=4, separators=(",", ": "), sort_keys=True)`` plus a newline."""
    return json.dumps(data, indent=4, separators=(",", ": "), sort_keys=True) + "\n"


def _category(kind: GroupKind, name: str, used: set[str]) -> str | None:
    if kind is GroupKind.EXTRA:
        return None  # reported by the preflight (extras-dropped)
    if kind is GroupKind.MAIN:
        return "default"
    if kind is GroupKind.GROUP and canonical_name(name) in DEV_GROUP_NAMES and "develop" not in used:
        return "develop"
    return name if name not in ("default", "develop", "_meta") else f"{name}-packages"


def _lock_hashes(manifest: Manifest, req: Requirement, version: str | None) -> tuple[str, ...]:
    if req.hashes or manifest.lock is None:
        return req.hashes
    for pkg in manifest.lock.packages:
        if isinstance(pkg.source, CondaPackage):
            continue  # a conda artifact's hash is not the hash of any PyPI file pipenv would install
        if pkg.key == req.key and (version is None or pkg.version == version):
            return pkg.hashes
    return ()


def _entry(manifest: Manifest, req: Requirement, report: Report) -> dict[str, Any]:
    from ...dialects import pep440

    entry: dict[str, Any] = {}
    src = req.source
    if isinstance(src, Vcs):
        entry[src.vcs] = src.url
        if src.rev is not None:
            entry["ref"] = src.rev
        if src.subdirectory is not None:
            entry["subdirectory"] = src.subdirectory
    elif isinstance(src, LocalPath):
        entry["path"] = src.path
    elif isinstance(src, Url):
        entry["file"] = src.url
    if isinstance(src, IndexRef):
        entry["index"] = src.name
    pinned: str | None = None
    if isinstance(src, (Vcs, LocalPath, Url)) and req.version is not None and not req.version.is_any:
        report.add("url-version-dropped", Severity.WARNING,
                   f"pipenv ignores a version on a VCS, path or file entry; {req.name} {req.version.raw!r} dropped",
                   subject=req.name, span=req.span, data={"version": req.version.raw})
    if not isinstance(src, (Vcs, LocalPath, Url)):
        spec = req.version
        text = pep440.render(spec, report=report, subject=req.name, span=req.span) if spec is not None else ""
        if text and _PIN.match(text.strip()):
            pinned = text.strip().lstrip("=").strip()
            entry["version"] = text.strip()
        else:
            report.add(
                "pipfile-lock-unpinned",
                Severity.WARNING,
                f"{req.name!r} is not pinned to one version ({text or 'any version'}); the lock entry keeps "
                f"the range, so installs from this lock are not reproducible",
                subject=req.name,
                span=req.span,
            )
            if text:
                entry["version"] = text
    hashes = _lock_hashes(manifest, req, pinned)
    if hashes:
        entry["hashes"] = sorted(set(hashes))
    if req.marker:
        entry["markers"] = req.marker
    if req.extras:
        entry["extras"] = sorted(req.extras)
    if req.editable:
        entry["editable"] = True
    for raw in req.raw:
        if raw.format == FORMAT and raw.key not in entry:
            entry[raw.key] = raw.value
    return entry


def _sources_from_manifest(manifest: Manifest) -> list[dict[str, Any]]:
    indexes = [i for i in manifest.indexes if i.role is not IndexRole.FIND_LINKS]
    indexes.sort(key=lambda i: i.role is not IndexRole.DEFAULT)
    out: list[dict[str, Any]] = []
    if not indexes or indexes[0].role is not IndexRole.DEFAULT:
        out.append(dict(DEFAULT_SOURCE))
    for index in indexes:
        src: dict[str, Any] = {"url": index.url}
        if index.name is not None:
            src["name"] = index.name
        if index.verify_ssl is not None:
            src["verify_ssl"] = index.verify_ssl
        for raw in index.raw:
            if raw.format == FORMAT:
                src.setdefault(raw.key, raw.value)
        out.append(populate_source(src))
    return out


def _requires_from_manifest(manifest: Manifest, report: Report) -> dict[str, Any]:
    from ...dialects import pipfile as dialect

    out: dict[str, Any] = {}
    spec = manifest.python
    if spec is not None and not spec.is_any:
        pair = dialect.requires_from_python(spec)
        if pair is not None:
            out[pair[0]] = pair[1]
        else:
            report.add(
                "pipfile-python-inexact",
                Severity.WARNING,
                f"python {spec.raw} is not one release series; _meta.requires can name only one "
                f'(python_version "3.11" means 3.11.*), so it is left out',
                subject=f"python {spec.raw}",
                span=manifest.span,
            )
    for raw in manifest.raw:
        if raw.format == FORMAT and raw.key.startswith("requires."):
            out.setdefault(raw.key.partition(".")[2], raw.value)
    return out


def _pipfile_data(manifest: Manifest, options: WriteOptions, report: Report) -> dict[str, Any] | None:
    """The accompanying Pipfile as parsed data, or None to take ``_meta`` from a lock manifest itself."""
    import tomllib

    text = options.pipfile
    if text is None:
        if manifest.format == FORMAT and manifest.lock is not None and manifest.lock.content_hash:
            return None
        from ... import registry

        scratch = Report()
        text = registry.get("pipfile").write(manifest, base=None, report=scratch, options=WriteOptions())
        # _meta.requires is the Pipfile's [requires]: a python constraint it cannot name is lost from the lock too
        report.extend(loss for loss in scratch if loss.code.startswith("pipfile-python"))
        report.add(
            "pipfile-lock-hash-generated",
            Severity.INFO,
            "_meta.hash is the hash of the Pipfile depglot writes for this manifest (no Pipfile was given); "
            "pipenv treats the lock as current only next to that Pipfile",
            subject="_meta.hash",
            span=manifest.span,
        )
        data = tomllib.loads(text)
        _report_search_all(manifest, data, report)
        return data
    from ...errors import ParseError

    body = text.removeprefix("\ufeff")
    try:
        return tomllib.loads(body)
    except tomllib.TOMLDecodeError as exc:
        raise ParseError(f"the Pipfile given for the lock is not valid TOML: {exc}") from None


def _report_search_all(manifest: Manifest, pipfile: dict[str, Any], report: Report) -> None:
    """The Pipfile written for the hash needs ``[pipenv] install_search_all_sources`` (a source after the first is
    searched for every package), and a Pipfile.lock's ``_meta.sources`` has no such switch: read without that
    Pipfile, pipenv uses a later source only for the packages locked from it."""
    if not pipfile.get("pipenv", {}).get("install_search_all_sources"):
        return
    later = {str(s.get("url", "")).rstrip("/") for s in pipfile.get("source", [])[1:]}
    for index in manifest.indexes:
        if index.url.rstrip("/") in later and index.role in (
            IndexRole.EXTRA, IndexRole.PRIMARY, IndexRole.SUPPLEMENTAL, IndexRole.DEFAULT
        ):
            report.add(
                "pipfile-index-role-changed",
                Severity.WARNING,
                f"index {index.name or index.url!r} is searched for every package ({index.role.value}); a "
                f"Pipfile.lock cannot say so (install_search_all_sources lives in the Pipfile), so read without its "
                f"Pipfile it serves only the packages locked from it",
                subject=index.name or index.url,
                span=index.span,
            )


def lock_data(manifest: Manifest, report: Report, options: WriteOptions) -> dict[str, Any]:
    """The Pipfile.lock document for ``manifest`` as plain data."""
    pipfile = _pipfile_data(manifest, options, report)
    digest: str | None
    if pipfile is not None:
        sources = [populate_source(s) for s in pipfile.get("source", [DEFAULT_SOURCE])]
        requires = dict(pipfile.get("requires", {}))
        digest = pipfile_hash_data(pipfile)
    else:
        assert manifest.lock is not None
        sources = _sources_from_manifest(manifest)
        requires = _requires_from_manifest(manifest, report)
        digest = manifest.lock.content_hash
    spec: Any = PIPFILE_SPEC
    if manifest.format == FORMAT and manifest.lock is not None and manifest.lock.version is not None:
        spec = int(manifest.lock.version) if manifest.lock.version.isdigit() else manifest.lock.version
    meta: dict[str, Any] = {
        "hash": {"sha256": digest},
        "pipfile-spec": spec,
        "requires": requires,
        "sources": sources,
    }
    if manifest.lock is not None:
        for raw in manifest.lock.raw:
            if raw.format == FORMAT and raw.key.startswith("_meta."):
                meta.setdefault(raw.key.partition(".")[2], raw.value)
    data: dict[str, Any] = {"_meta": meta, "default": {}, "develop": {}}
    used: set[str] = set()
    for group in manifest.groups:
        category = _category(group.kind, group.name, used)
        if category is None:
            continue
        used.add(category)
        section = data.setdefault(category, {})
        named = {r.key for r in group.requirements if r.name}
        for req in group.requirements:
            if not req.name:
                derived = derived_name(req, taken=named | set(section))  # the Pipfile writer's key
                if derived is None:
                    report.add(
                        "pipfile-unnamed-dropped",
                        Severity.ERROR,
                        "a requirement without a package name or a path/URL to key it by cannot be a "
                        "Pipfile.lock entry",
                        subject=str(req.source),
                        span=req.span,
                    )
                    continue
                report.add(
                    "pipfile-name-derived",
                    Severity.INFO,
                    f"a requirement without a package name is keyed {derived!r} in the lock, as in the Pipfile",
                    subject=derived,
                    span=req.span,
                )
                req = req.replace(name=derived)
            key = req.key
            if key in section:
                report.add(
                    "pipfile-duplicate-dropped",
                    Severity.ERROR,
                    f"{req.name!r} appears twice in group {group.name!r}; a lock category holds one entry per "
                    f"package, so only the first is written",
                    subject=req.name,
                    span=req.span,
                )
                continue
            section[key] = (group, req)
    return data


def _bare(value: Any) -> Any:
    if is_dataclass(value) and not isinstance(value, type):
        changes = {
            f.name: _bare(getattr(value, f.name)) for f in fields(value) if f.name not in ("span", "losses")
        }
        if any(f.name == "span" for f in fields(value)):
            changes["span"] = None
        return replace(value, **changes)
    if isinstance(value, tuple):
        return tuple(_bare(v) for v in value)
    return value


def write(manifest: Manifest, *, base: str | None, report: Report, options: WriteOptions) -> str:
    data = lock_data(manifest, report, options)
    old_entries: dict[tuple[str, str], tuple[Requirement, Any]] = {}
    base_data: Any = None
    if base is not None:
        old = read(base, ReadOptions())
        body = base.removeprefix("\ufeff")
        base_data = json.loads(body)
        for group in old.groups:
            category = {"main": "default", "dev": "develop"}.get(group.name, group.name)
            if group.kind is GroupKind.MAIN:
                category = "default"
            for req in group.requirements:
                raw_entry = base_data.get(category, {}).get(req.name)
                if raw_entry is not None:
                    old_entries[(category, canonical_name(req.name))] = (req, (req.name, raw_entry))
    out: dict[str, Any] = {"_meta": data["_meta"]}
    for category, section in data.items():
        if category == "_meta":
            continue
        entries: dict[str, Any] = {}
        for key, (group, req) in section.items():
            prev = old_entries.get((category, key))
            if prev is not None and _bare(prev[0]) == _bare(req):
                name, entry = prev[1]
                entries[name] = entry
                continue
            entries[key] = _entry(manifest, req, report)
        out[category] = entries
    if isinstance(
        base_data, dict
    ):  # empty categories of the base stay (pipenv writes them, they say nothing)
        for category, entries in base_data.items():
            if category not in out and entries == {}:
                out[category] = {}
    if isinstance(base_data, dict) and isinstance(base_data.get("_meta"), dict):
        # a base source without name/verify_ssl reads the same as the one pipenv fills in: keep the base's
        base_sources = base_data["_meta"].get("sources")
        if isinstance(base_sources, list) and out["_meta"].get("sources") == [
            populate_source(s) for s in base_sources
        ]:
            out["_meta"] = {**out["_meta"], "sources": base_sources}
        lock = manifest.lock
        if options.pipfile is None and lock is not None and lock.content_hash is None:
            # the base names no hash: keep what it has rather than a hash of a Pipfile depglot would write
            meta = {k: v for k, v in out["_meta"].items() if k != "hash"}
            if "hash" in base_data["_meta"]:
                meta["hash"] = base_data["_meta"]["hash"]
            out["_meta"] = meta
        # what the writer fills in when the base leaves it out, and the base did leave out: stays out
        defaults = {"pipfile-spec": PIPFILE_SPEC, "requires": {}, "sources": [populate_source(DEFAULT_SOURCE)]}
        out["_meta"] = {k: v for k, v in out["_meta"].items()
                        if k in base_data["_meta"] or k not in defaults or v != defaults[k]}
    if isinstance(base_data, dict):
        out = {k: v for k, v in out.items() if k in base_data or v != {}}
    if base is not None and out == base_data:
        return base
    text = dumps_lock(out)
    if base is not None:
        if "\r\n" in base:
            text = text.replace("\n", "\r\n")
        if base.startswith("\ufeff"):
            text = "\ufeff" + text
    return text
