"""Which locked packages a group installs, and under which environment markers.

uv.lock records markers on dependency edges, not on packages. A package's marker for a group is the OR, over
every path from the group's root edges, of the AND of the edge markers on that path. Paths are kept as sets of
edge markers (so cycles and repeats add nothing) and a path that implies another is dropped, so the result is
small and exact. Extras requested on an edge (``extra = ["x"]``) follow the package's optional dependencies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

__all__ = ["Edge", "Node", "reach", "render_paths"]

Path = frozenset[str]  # AND of edge markers; the empty set is "always"


@dataclass(frozen=True, slots=True)
class Edge:
    target: int  # node index
    marker: str | None
    extras: tuple[str, ...] = ()


@dataclass(slots=True)
class Node:
    deps: list[Edge] = field(default_factory=list)
    optional: dict[str, list[Edge]] = field(default_factory=dict)


def _add(paths: set[Path], new: Path) -> bool:
    """Add ``new`` unless a kept path already covers it; drop kept paths it covers. True when added."""
    for p in paths:
        if p <= new:
            return False
    for p in [p for p in paths if new <= p]:
        paths.discard(p)
    paths.add(new)
    return True


def reach(nodes: list[Node], roots: Iterable[Edge], *, max_paths: int = 64) -> tuple[dict[int, set[Path]], bool]:
    """Every node reachable from ``roots`` with its marker paths; the flag says a node hit ``max_paths``
    (its paths were then widened to "always")."""
    out: dict[int, set[Path]] = {}
    capped = False
    # (node, path, extra or None)
    stack: list[tuple[int, Path, str | None]] = []
    for e in roots:
        base: Path = frozenset([e.marker]) if e.marker else frozenset()
        stack.append((e.target, base, None))
        stack.extend((e.target, base, x) for x in e.extras)
    extra_paths: dict[tuple[int, str], set[Path]] = {}
    while stack:
        node, path, extra = stack.pop()
        if extra is None:
            paths = out.setdefault(node, set())
            if frozenset() in paths and path:
                continue
            if not _add(paths, path):
                continue
            if len(paths) > max_paths:
                paths.clear()
                paths.add(frozenset())
                capped = True
                path = frozenset()
            edges = nodes[node].deps
        else:
            if not _add(extra_paths.setdefault((node, extra), set()), path):
                continue
            edges = nodes[node].optional.get(extra, [])
        for e in edges:
            nxt = path | {e.marker} if e.marker else path
            stack.append((e.target, nxt, None))
            stack.extend((e.target, nxt, x) for x in e.extras)
    return out, capped


def render_paths(paths: set[Path]) -> str | None:
    """The PEP 508 marker for a set of paths (None: always)."""
    from ...dialects.markers import and_markers

    if not paths or frozenset() in paths:
        return None
    terms = sorted({and_markers(*sorted(p)) or "" for p in paths})
    if len(terms) == 1:
        return terms[0]
    from ...dialects.markers import has_top_level_or

    return " or ".join(f"({t})" if " and " in t and not has_top_level_or(t) else t for t in terms)
