"""Choosing which groups to flatten, the same way for every grouped source.

Flags follow ``uv export`` / ``poetry export``: ``--group G`` (repeatable), ``--only-group G``,
``--all-groups``, ``--no-dev``, ``--extra E``, ``--all-extras``. The default keeps the main group only and says so
once (``groups-not-selected``), so a groupless target (requirements, conda) never drops a group silently.
"""

from __future__ import annotations


from .._records import record
from ..errors import DepglotError
from ..report import Report, Severity
from .model import MAIN, Group, GroupKind, Manifest, Requirement, canonical_name

__all__ = ["Selection", "select", "expand_includes", "DEV_GROUP_NAMES"]

# Names that mean "development dependencies" in the formats depglot reads (Pipfile [dev-packages] is "dev").
DEV_GROUP_NAMES = frozenset({"dev", "develop", "dev-packages", "development"})


@record
class Selection:
    """Which groups and extras a groupless target receives (the CLI's --group/--extra flags)."""

    groups: tuple[str, ...] = ()
    only_groups: tuple[str, ...] = ()
    all_groups: bool = False
    no_dev: bool = False
    extras: tuple[str, ...] = ()
    all_extras: bool = False

    @property
    def is_default(self) -> bool:
        return self == Selection()


def _norm(name: str) -> str:
    return canonical_name(name)


def _expand(groups: dict[str, Group], names: list[str]) -> list[str]:
    """``names`` plus the groups they include (PEP 735 include-group), without cycles, in order."""
    out: list[str] = []
    stack = list(reversed(names))
    while stack:
        name = stack.pop()
        if name in out:
            continue
        out.append(name)
        group = groups.get(name)
        if group is not None:
            stack.extend(reversed([_norm(i) for i in group.includes]))
    return out


def select(manifest: Manifest, selection: Selection, report: Report, *, flatten: bool = True) -> Manifest:
    """The selected groups: flattened into one main group (groupless targets), or kept as groups."""
    by_name: dict[str, Group] = {}
    for g in manifest.groups:
        key = MAIN if g.kind is GroupKind.MAIN else _norm(g.name)
        by_name.setdefault(key, g)
    extras = {n for n, g in by_name.items() if g.kind is GroupKind.EXTRA}
    dev_like = {n for n, g in by_name.items() if g.kind in (GroupKind.GROUP, GroupKind.CATEGORY)}

    for name in (*selection.groups, *selection.only_groups):
        if _norm(name) not in dev_like and not (_norm(name) == MAIN and MAIN in by_name):
            raise DepglotError(
                f"no group named {name!r}",
                hint="groups here: " + (", ".join(sorted(dev_like)) or "none"),
            )
    for name in selection.extras:
        if _norm(name) not in extras:
            raise DepglotError(
                f"no extra named {name!r}", hint="extras here: " + (", ".join(sorted(extras)) or "none")
            )

    chosen: list[str]
    if selection.only_groups:
        chosen = [_norm(n) for n in selection.only_groups]
    else:
        chosen = [MAIN] if MAIN in by_name else []
        if selection.all_groups:
            chosen += [n for n in by_name if n in dev_like]
        else:
            chosen += [_norm(n) for n in selection.groups]
        if selection.no_dev:
            chosen = [n for n in chosen if n not in DEV_GROUP_NAMES]
    if selection.all_extras:
        chosen += [n for n in by_name if n in extras]
    else:
        chosen += [_norm(n) for n in selection.extras]
    chosen = _expand(by_name, chosen)

    left_out = [g.name for n, g in by_name.items() if n not in chosen]
    if left_out:
        report.add(
            "groups-not-selected",
            Severity.WARNING,
            "not written: " + ", ".join(repr(n) for n in left_out)
            + " (choose with --group, --all-groups, --extra or --all-extras)",
            subject=",".join(left_out),
            span=manifest.span,
            data={"groups": left_out},
        )
    if not flatten:
        return manifest.replace(groups=tuple(g for n, g in by_name.items() if n in chosen))
    reqs: list[Requirement] = []
    for name in chosen:
        group = by_name.get(name)
        if group is None:
            continue
        reqs.extend(group.requirements)
    main = Group(name=MAIN, kind=GroupKind.MAIN, requirements=tuple(reqs))
    return manifest.replace(groups=(main,))


def expand_includes(manifest: Manifest) -> Manifest:
    """Each group that includes others (PEP 735 include-group, Poetry include-groups) also lists their
    requirements, transitively: what a target with groups but no includes (Pipfile) writes, so ``--group all`` still
    installs what it did (the preflight reports it as ``group-include-expanded``). ``includes`` stay as they were."""
    if not any(g.includes for g in manifest.groups):
        return manifest
    by_name: dict[str, Group] = {}
    for g in manifest.groups:
        by_name.setdefault(MAIN if g.kind is GroupKind.MAIN else _norm(g.name), g)
    groups = []
    for g in manifest.groups:
        if not g.includes:
            groups.append(g)
            continue
        names = _expand(by_name, [_norm(g.name)])[1:]
        reqs = list(g.requirements)
        for r in (r for n in names if n in by_name for r in by_name[n].requirements):
            if r not in reqs:  # a group included twice (all -> dev -> test, all -> test) is listed once
                reqs.append(r)
        groups.append(g.replace(requirements=tuple(reqs)))
    return manifest.replace(groups=tuple(groups))
