"""Moving conda packages into a PyPI-only target.

Conda readers keep conda packages as requirements whose source is :class:`CondaPackage`, named by their PyPI
counterpart when one is known. A target that cannot hold conda packages gets the plain PyPI requirement
(``conda-package-as-pypi``, info: same package, PyPI spelling), or — when conda has no PyPI counterpart
(compilers, cudatoolkit, r-*, system libraries) — nothing, with a ``conda-only-package`` error: never a silent drop.
"""

from __future__ import annotations

from ..report import Report, Severity
from .model import CondaPackage, Manifest

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
            if src.pypi:
                if any(r.format == "conda" and r.key == "name-unverified" for r in req.raw):
                    report.add(
                        "conda-name-unverified",
                        Severity.WARNING,
                        f"conda package {src.name!r} is not in the PyPI name map; assumed to be the PyPI project "
                        f"{req.name!r}"
                        + (f" (build {src.build!r} and channel {src.channel!r} not kept)" if src.build or src.channel else ""),
                        subject=req.name,
                        span=req.span,
                        data={"conda": src.name, "pypi": req.name},
                    )
                elif src.name != req.key or src.build or src.channel:
                    report.add(
                        "conda-package-as-pypi",
                        Severity.INFO,
                        f"conda package {src.spec!r} written as the PyPI requirement {req.name!r}"
                        + (f" (build {src.build!r} and channel {src.channel!r} not kept)" if src.build or src.channel else ""),
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
    return manifest.replace(groups=tuple(groups)) if changed else manifest
