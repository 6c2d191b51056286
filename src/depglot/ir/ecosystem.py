"""Moving conda packages into a PyPI-only target.

Conda readers keep conda packages as requirements whose source is :class:`CondaPackage`, named by their PyPI
counterpart when one is known. A target that cannot hold conda packages gets the plain PyPI requirement
(``conda-package-as-pypi``, info: same package, PyPI spelling), or — when conda has no PyPI counterpart
(compilers, cudatoolkit, r-*, system libraries) — nothing, with a ``conda-only-package`` error: never a silent drop.
The conda package ``pip`` is the installer of the ``pip:`` list, not a project dependency (as ``python`` is the
interpreter): it is not written (``conda-pip-dropped``, info); a conda target writes it back itself.

Environment-file keys with no PyPI slot (``variables``, ``prefix``, ``platforms``, ``category``,
``pip-repositories``, unknown keys) are reported once each with the span of their key; so are a build or channel on
the ``python`` entry, which the python constraint cannot say.
"""

from __future__ import annotations

from ..report import Report, Severity
from .model import CondaPackage, Manifest, Raw

__all__ = ["to_pypi"]


def to_pypi(manifest: Manifest, report: Report) -> Manifest:
    groups = []
    changed = False
    for group in manifest.groups:
        reqs = []
        for req in group.requirements:
            src = req.source
            if not isinstance(src, CondaPackage):
                reqs.append(req)
                continue
            changed = True
            if src.name.lower() == "pip":
                report.add(
                    "conda-pip-dropped",
                    Severity.INFO,
                    f"conda package {src.spec!r} is the installer conda runs the pip: list with, not a dependency of "
                    "the project; not written (`pip install -r` would replace the pip running it)",
                    subject="pip",
                    span=req.span,
                    data={"conda": src.spec},
                )
                continue
            if src.pypi:
                if any(r.format == "conda" and r.key == "name-unverified" for r in req.raw):
                    report.add(
                        "conda-name-unverified",
                        Severity.WARNING,
                        f"conda package {src.name!r} is not in the PyPI name map; assumed to be the PyPI project "
                        f"{req.name!r}" + _not_kept(src),
                        subject=req.name,
                        span=req.span,
                        data={"conda": src.name, "pypi": req.name},
                    )
                elif src.name != req.key or src.build or src.channel:
                    report.add(
                        "conda-package-as-pypi",
                        Severity.INFO,
                        f"conda package {src.spec!r} written as the PyPI requirement {req.name!r}"
                        + _not_kept(src),
                        subject=req.name,
                        span=req.span,
                        data={"conda": src.name, "pypi": req.name},
                    )
                reqs.append(req.replace(source=None))
            else:
                report.add(
                    "conda-only-package",
                    Severity.ERROR,
                    f"conda package {src.spec!r} has no PyPI counterpart; not written",
                    subject=src.name,
                    span=req.span,
                    data={"conda": src.name},
                )
        groups.append(group.replace(requirements=tuple(reqs)))
    for raw in manifest.raw:
        if raw.format == "conda":
            _raw_loss(raw, report)
    return manifest.replace(groups=tuple(groups)) if changed else manifest


def _not_kept(src: CondaPackage) -> str:
    """`` (build 'mkl' and channel 'conda-forge' not kept)``, naming only what the spec has."""
    said = [f"{k} {v!r}" for k, v in (("build", src.build), ("channel", src.channel)) if v]
    return f" ({' and '.join(said)} not kept)" if said else ""


# environment-file key -> (code, severity, what it is); any other key is ``conda-key-dropped``
# loss-code: conda-variables-dropped
# loss-code: conda-prefix-dropped
# loss-code: conda-platforms-dropped
# loss-code: conda-key-dropped
_KEYS: dict[str, tuple[str, Severity, str]] = {
    "variables": (
        "conda-variables-dropped",
        Severity.WARNING,
        "environment variables conda sets when the environment is activated",
    ),
    "prefix": (
        "conda-prefix-dropped",
        Severity.INFO,
        "the install location of the environment on one machine",
    ),
    "platforms": (
        "conda-platforms-dropped",
        Severity.WARNING,
        "the platforms conda-lock solves the environment for",
    ),
}


def _raw_loss(raw: Raw, report: Report) -> None:
    if raw.key == "name":  # the environment name is the project name (Project.name)
        return
    if raw.key == "python":
        _python_loss(raw, report)
        return
    code, severity, what = _KEYS.get(
        raw.key, ("conda-key-dropped", Severity.WARNING, "an environment-file key with no PyPI counterpart")
    )
    report.add(
        code,
        severity,
        f"environment key {raw.key!r} ({what}) is not written: PyPI formats have no place for it",
        subject=raw.key,
        span=raw.span,
        # values are not copied into the report: variables may hold tokens
        data={"key": raw.key, "names": sorted(map(str, raw.value))}
        if isinstance(raw.value, dict)
        else {"key": raw.key},
    )


def _python_loss(raw: Raw, report: Report) -> None:
    from ..dialects.conda import parse_matchspec

    if not isinstance(raw.value, str):
        return
    ms = parse_matchspec(raw.value)
    dropped = {k: v for k, v in (("channel", ms.channel), ("build", ms.build)) if v}
    if not dropped:
        return
    said = " and ".join(f"{k} {v!r}" for k, v in dropped.items())
    report.add(
        "conda-python-detail-dropped",
        Severity.INFO,
        f"the {said} of {raw.value!r} {'are' if len(dropped) > 1 else 'is'} not kept: the python constraint is a "
        "version set only",
        subject="python",
        span=raw.span,
        data={"spec": raw.value, **dropped},
    )
