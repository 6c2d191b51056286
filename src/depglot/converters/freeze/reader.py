"""Reading what people paste from their environments: ``pip freeze``, ``pip list --format=json|freeze``,
``conda list --export`` and ``conda list --json``.

Every form becomes one main group of pinned requirements. pip lines go through
:func:`depglot.dialects.pep508.parse_requirement`; ``-e`` lines keep their VCS URL or path as the source (the name
comes from ``#egg=`` or pip's ``# Editable install with no version control (name==version)`` comment before the
line). conda records that conda installed become :class:`~depglot.ir.model.CondaPackage` sources; records whose
channel is ``pypi`` (``build pypi_0``) are what pip installed and become plain PyPI requirements.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from ...dialects.pep508 import parse_requirement, parse_url
from ...errors import ParseError
from ...ir.model import (
    MAIN,
    CondaPackage,
    Group,
    GroupKind,
    Index,
    IndexRole,
    LocalPath,
    Manifest,
    Option,
    Raw,
    Requirement,
    Vcs,
)
from ...ir.versions import VersionSpec
from ...report import Loss, Severity
from ...span import Span

__all__ = ["CONDA_EXPORT", "CONDA_JSON", "FORMAT", "PIP_FREEZE", "PIP_LIST_JSON", "kind_of", "read"]

FORMAT = "freeze"
PIP_FREEZE = "pip-freeze"
PIP_LIST_JSON = "pip-list-json"
CONDA_EXPORT = "conda-export"
CONDA_JSON = "conda-json"

_CONDA_LINE = re.compile(r"^([A-Za-z0-9_.+-]+)=([^=\s]+)=([^=\s]+)$")
_NO_VCS = re.compile(r"^#\s*Editable(?: Git)? install with no (?:version control|remote) \((.+)\)\s*$")
_EGG = re.compile(r"[#&]egg=([^&]+)")


def kind_of(text: str) -> str:
    """Which tool printed ``text`` (``pip-freeze`` unless the content says JSON or conda export)."""
    body = text.lstrip("\ufeff").lstrip()
    if body.startswith("["):
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting is not a listing either
            return PIP_FREEZE
        if isinstance(data, list) and all(isinstance(d, dict) for d in data):
            if any("build_string" in d or "channel" in d or "platform" in d for d in data):
                return CONDA_JSON
            return PIP_LIST_JSON
        return PIP_FREEZE
    for line in body.splitlines():
        s = line.strip()
        if s.startswith(("# platform:", "# $ conda create")):
            return CONDA_EXPORT
        if s and not s.startswith("#"):
            return CONDA_EXPORT if _CONDA_LINE.match(s) else PIP_FREEZE
    return PIP_FREEZE


def _pin(version: str) -> VersionSpec:
    from packaging.version import InvalidVersion, Version

    try:
        Version(version)
    except InvalidVersion:
        return VersionSpec.from_pep440(f"==={version}")
    return VersionSpec.from_pep440(f"=={version}")


def read(text: str, path: str | None) -> Manifest:
    kind = kind_of(text)
    if kind == PIP_LIST_JSON:
        return _read_pip_json(text, path)
    if kind == CONDA_JSON:
        return _read_conda_json(text, path)
    if kind == CONDA_EXPORT:
        return _read_conda_export(text, path)
    return _read_pip_freeze(text, path)


def _manifest(kind: str, reqs: list[Requirement], **extra: object) -> Manifest:
    groups = (Group(name=MAIN, kind=GroupKind.MAIN, requirements=tuple(reqs)),) if reqs else ()
    raw = (Raw(format=FORMAT, key="kind", value=kind),)
    return Manifest(format=FORMAT, groups=groups, raw=raw, **extra)  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------------ pip freeze


@dataclass
class _State:
    reqs: list[Requirement] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)  # comment lines waiting for the next requirement
    indexes: list[Index] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    losses: list[Loss] = field(default_factory=list)
    no_index: bool = False


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """(1-based line number, text) with pip's ``\\`` continuations joined."""
    out: list[tuple[int, str]] = []
    buf = ""
    start = 0
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if not buf:
            start = number
        if line.endswith("\\") and not line.lstrip().startswith("#"):
            buf += line[:-1]
            continue
        out.append((start, buf + line))
        buf = ""
    if buf:
        out.append((start, buf))
    return out


def _editable(value: str, span: Span, state: _State, line: str) -> Requirement:
    """``-e git+url@rev#egg=name`` or ``-e /path`` (named by pip's comment line before it)."""
    named = None
    version = None
    for c in state.pending:
        m = _NO_VCS.match("# " + c)
        if m:
            try:
                hinted = parse_requirement(m.group(1))
                named = hinted.name
                version = hinted.version
            except ParseError:
                named = None
    egg = _EGG.search(value)
    if egg:
        named = egg.group(1).split("[", 1)[0]
    if "://" in value or value.startswith("file:"):
        source = parse_url(value)
    else:
        source = LocalPath(path=value)
    if named is None:
        if isinstance(source, LocalPath):
            named = source.path.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
        elif isinstance(source, Vcs):
            named = source.url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
        else:
            raise ParseError("cannot tell the name of this editable requirement", span=span, source_line=line,
                             hint="add #egg=NAME to the URL")
        state.losses.append(Loss(code="freeze-name-guessed", severity=Severity.WARNING,
                                 message=f"editable {value!r} has no #egg= name; named {named!r} after its path",
                                 subject=named, span=span))
    raw = (Raw(format=FORMAT, key="installed-version", value=version.raw[2:]),) if version is not None else ()
    return Requirement(name=named, source=source, editable=True, span=span, raw=raw)


_INDEX_OPTS = {"-i": IndexRole.DEFAULT, "--index-url": IndexRole.DEFAULT, "--extra-index-url": IndexRole.EXTRA,
               "-f": IndexRole.FIND_LINKS, "--find-links": IndexRole.FIND_LINKS}


def _read_pip_freeze(text: str, path: str | None) -> Manifest:
    state = _State()
    for number, line in _logical_lines(text):
        stripped = line.strip()
        span = Span(file=path, line=number, column=len(line) - len(line.lstrip()) + 1)
        if not stripped:
            state.comments.extend(state.pending)
            state.pending.clear()
            continue
        if stripped.startswith("#"):
            body = stripped[1:]
            state.pending.append(body.removeprefix(" "))
            continue
        if stripped.startswith("-"):
            opt, _, value = stripped.partition(" ")
            if "=" in opt and opt.startswith("--"):
                opt, _, value = opt.partition("=")
            value = value.strip()
            if opt in ("-e", "--editable", "-i", "--index-url", "--extra-index-url", "-f", "--find-links") and not value:
                raise ParseError(f"{opt} needs a value", span=span, source_line=line, width=len(opt))
            if opt in ("-e", "--editable"):
                req = _editable(value, span, state, line)
                state.reqs.append(req.replace(comments=tuple(state.pending)))
                state.pending.clear()
                continue
            if opt in _INDEX_OPTS and value:
                state.indexes.append(Index(name=None, url=value, role=_INDEX_OPTS[opt], span=span))
            elif opt == "--no-index":
                state.no_index = True
            else:
                state.options.append(Option(name=opt.lstrip("-"), value=value or None, span=span))
            state.comments.extend(state.pending)
            state.pending.clear()
            continue
        content = stripped
        if " #" in content:
            content = content[: content.index(" #")].rstrip()
        req = parse_requirement(content, span=span)
        state.reqs.append(req.replace(comments=tuple(state.pending)))
        state.pending.clear()
    state.comments.extend(state.pending)
    return _manifest(PIP_FREEZE, state.reqs, indexes=tuple(state.indexes), options=tuple(state.options),
                     no_index=state.no_index, comments=tuple(state.comments), losses=tuple(state.losses))


# ------------------------------------------------------------------------------------------------ JSON forms


def _json_list(text: str, path: str | None, what: str) -> list[dict]:
    try:
        data = json.loads(text.lstrip("\ufeff"))
    except RecursionError:
        raise ParseError(f"{what} JSON is nested too deeply", span=Span(file=path, line=1, column=1)) from None
    except json.JSONDecodeError as exc:
        raise ParseError(f"invalid {what} JSON: {exc.msg}", span=Span(file=path, line=exc.lineno, column=exc.colno),
                         source_line=text.lstrip("\ufeff").splitlines()[exc.lineno - 1] if text.strip() else None) from None
    if not isinstance(data, list):
        raise ParseError(f"{what} JSON must be a list of packages", span=Span(file=path, line=1, column=1))
    return data


def _entry_span(text: str, path: str | None, index: int, name: str, cursor: list[int]) -> Span:
    """Line of the ``"name": "<name>"`` key of entry ``index`` (searched forward from the previous one)."""
    needle = json.dumps(name)
    at = text.find(needle, cursor[0])
    if at == -1:
        return Span(file=path, key=f"[{index}]")
    cursor[0] = at + len(needle)
    line = text.count("\n", 0, at) + 1
    col = at - (text.rfind("\n", 0, at) + 1) + 1
    return Span(file=path, line=line, column=col, key=f"[{index}]")


def _field(entry: object, key: str, index: int, path: str | None, what: str) -> str:
    value = entry.get(key) if isinstance(entry, dict) else None
    if not isinstance(value, str) or not value:
        raise ParseError(f"{what} entry {index} has no {key!r} string", span=Span(file=path, key=f"[{index}].{key}"))
    return value


def _read_pip_json(text: str, path: str | None) -> Manifest:
    data = _json_list(text, path, "pip list")
    reqs: list[Requirement] = []
    cursor = [0]
    for i, entry in enumerate(data):
        name = _field(entry, "name", i, path, "pip list")
        version = _field(entry, "version", i, path, "pip list")
        span = _entry_span(text, path, i, name, cursor)
        location = entry.get("editable_project_location")
        if isinstance(location, str) and location:
            reqs.append(Requirement(name=name, source=LocalPath(path=location), editable=True, span=span,
                                    raw=(Raw(format=FORMAT, key="installed-version", value=version),)))
        else:
            reqs.append(Requirement(name=name, version=_pin(version), span=span))
    return _manifest(PIP_LIST_JSON, reqs)


def _conda_requirement(name: str, version: str, build: str | None, channel: str | None, span: Span) -> Requirement:
    """A conda record: pip-installed (``pypi`` channel, ``pypi_0`` build) -> PyPI; else a CondaPackage named by
    its PyPI counterpart when the bundled name map knows one."""
    if channel == "pypi" or (build or "").startswith("pypi_"):
        # installed by pip into the conda environment: an environment file keeps it in its pip: list
        return Requirement(name=name, version=_pin(version), span=span,
                           raw=(Raw(format="conda", key="pip", value=f"{name}=={version}"),))
    from ...data.conda_names import load_name_map

    pypi, verified = load_name_map().conda_to_pypi(name)
    spec = f"{name}={version}={build}" if build else f"{name}={version}"
    source = CondaPackage(name=name, spec=spec, channel=channel, build=build, pypi=pypi is not None)
    raw = (Raw(format="conda", key="name-unverified", value=True),) if pypi is not None and not verified else ()
    return Requirement(name=pypi or name, version=_pin(version), source=source, span=span, raw=raw)


def _split_python(reqs: list[Requirement]) -> tuple[list[Requirement], VersionSpec | None]:
    """The conda ``python`` record is the interpreter: the manifest's python, not a package."""
    python = None
    rest = []
    for req in reqs:
        if isinstance(req.source, CondaPackage) and req.source.name == "python" and python is None:
            python = req.version
        else:
            rest.append(req)
    return rest, python


def _read_conda_json(text: str, path: str | None) -> Manifest:
    data = _json_list(text, path, "conda list")
    reqs: list[Requirement] = []
    channels: list[str] = []
    cursor = [0]
    for i, entry in enumerate(data):
        name = _field(entry, "name", i, path, "conda list")
        version = _field(entry, "version", i, path, "conda list")
        build = entry.get("build_string") if isinstance(entry.get("build_string"), str) else None
        channel = entry.get("channel") if isinstance(entry.get("channel"), str) else None
        span = _entry_span(text, path, i, name, cursor)
        reqs.append(_conda_requirement(name, version, build, channel, span))
        if channel and channel != "pypi" and channel not in channels:
            channels.append(channel)
    reqs, python = _split_python(reqs)
    return _manifest(CONDA_JSON, reqs, channels=tuple(channels), python=python)


def _read_conda_export(text: str, path: str | None) -> Manifest:
    reqs: list[Requirement] = []
    comments: list[str] = []
    raw: list[Raw] = []
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        s = line.strip()
        if not s:
            continue
        if s.startswith("#"):
            body = s[1:].strip()
            if body.startswith("platform:"):
                raw.append(Raw(format=FORMAT, key="platform", value=body.partition(":")[2].strip(),
                               span=Span(file=path, line=number, column=1)))
            comments.append(s[1:].removeprefix(" "))
            continue
        span = Span(file=path, line=number, column=1)
        m = _CONDA_LINE.match(s)
        if m is None:
            parts = s.split("=")
            if len(parts) == 2 and parts[0] and parts[1]:
                name, version, build = parts[0], parts[1], None
            else:
                raise ParseError("expected name=version=build (conda list --export)", span=span, source_line=line,
                                 width=len(s))
        else:
            name, version, build = m.group(1), m.group(2), m.group(3)
        reqs.append(_conda_requirement(name, version, build, None, span))
    reqs, python = _split_python(reqs)
    manifest = _manifest(CONDA_EXPORT, reqs, comments=tuple(comments), python=python)
    return manifest.replace(raw=manifest.raw + tuple(raw))
