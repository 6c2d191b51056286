"""The Poetry writer's dependency groups: ``[tool.poetry.group.<g>]``, Poetry 1's ``dev-dependencies`` and PEP 735
``[dependency-groups]`` (with ``[tool.poetry.group]`` enrichments), fresh or edited in a base file (a mixin of
:class:`depglot.converters.pyproject.poetry.writer._Writer`)."""

from __future__ import annotations

from typing import Any

from ....ir.model import Group, GroupKind
from ....ir.model import canonical_name as cn
from .enrich import enrichments, same_groups

__all__ = ["GroupSections"]


class GroupSections:
    """Needs ``self.new``/``self.old`` manifests, ``self.doc``, ``self.ops`` and the writer's ``_sync_table``,
    ``_deps_dict`` and ``_set_pep508_array``."""

    new: Any
    old: Any
    doc: Any
    ops: Any
    _sync_table: Any
    _deps_dict: Any
    _set_pep508_array: Any

    def groups(self) -> None:
        new_groups = [g for g in self.new.groups if g.kind in (GroupKind.GROUP, GroupKind.CATEGORY)]
        if self.old is not None:
            old_groups = [g for g in self.old.groups if g.kind in (GroupKind.GROUP, GroupKind.CATEGORY)]
            if same_groups(old_groups, new_groups):
                return
        pep735 = self.doc.get("dependency-groups", {})
        pep735_keys = {cn(k): k for k in pep735}
        tp = self.doc.get("tool", {}).get("poetry", {})
        poetry_groups = tp.get("group", {})
        poetry_keys = {cn(k): k for k in poetry_groups}
        wanted = {cn(g.name) for g in new_groups}
        for key in list(poetry_groups):
            if cn(key) not in wanted:
                self.ops.remove_key(poetry_groups, key)
        for key in list(pep735):
            if cn(key) not in wanted:
                self.ops.remove_key(pep735, key)
        if "dev-dependencies" in tp and "dev" not in wanted:
            self.ops.remove_key(tp, "dev-dependencies")
        for g in new_groups:
            key = cn(g.name)
            if key in pep735_keys:
                self._pep735_group(g, pep735_keys[key], poetry_keys.get(key))
            elif key == "dev" and "dev-dependencies" in tp and key not in poetry_keys:
                self._sync_table(tp["dev-dependencies"], self._deps_dict(g.requirements))
                if g.optional or g.includes:
                    gt = self.ops.ensure_table(self.doc, "tool", "poetry", "group", "dev")
                    self._group_flags(gt, g, ())
            else:
                reqs = g.requirements
                if key == "dev" and "dev-dependencies" in tp:  # and [tool.poetry.group.dev], read as one group:
                    legacy = {cn(k) for k in tp["dev-dependencies"]}  # each entry stays in its table
                    self._sync_table(tp["dev-dependencies"], self._deps_dict(tuple(r for r in reqs if r.key in legacy)))
                    reqs = tuple(r for r in reqs if r.key not in legacy)
                name = poetry_keys.get(key, g.name)
                gt = self.ops.ensure_table(self.doc, "tool", "poetry", "group", name)
                self._group_flags(gt, g, tuple(g.includes))
                desired = self._deps_dict(reqs)
                if desired or "dependencies" in gt or not (g.optional or g.includes):
                    self._sync_table(self.ops.ensure_table(self.doc, "tool", "poetry", "group", name, "dependencies"),
                                     desired)

    def _group_flags(self, gt: Any, g: Group, includes: tuple[str, ...]) -> None:
        if g.optional:
            if gt.get("optional") is not True:
                gt["optional"] = True
        elif "optional" in gt:
            self.ops.remove_key(gt, "optional")
        if includes:
            cur = [str(x) for x in gt.get("include-groups", [])]
            if [cn(x) for x in cur] != [cn(x) for x in includes]:
                gt["include-groups"] = list(includes)
        elif "include-groups" in gt:
            self.ops.remove_key(gt, "include-groups")

    def _pep735_group(self, g: Group, key: str, poetry_key: str | None) -> None:
        pep735 = self.doc["dependency-groups"]
        poetry_includes: tuple[str, ...] = ()
        if poetry_key is not None:
            cur = self.doc["tool"]["poetry"]["group"][poetry_key].get("include-groups", [])
            poetry_includes = tuple(str(x) for x in cur)
        array_includes = [i for i in g.includes if cn(i) not in {cn(p) for p in poetry_includes}]
        self._set_pep508_array(pep735, key, list(g.requirements), True, includes=array_includes)
        enrich = enrichments(g.requirements)
        if enrich or g.optional or (poetry_key is not None):
            gt = self.ops.ensure_table(self.doc, "tool", "poetry", "group", poetry_key or g.name)
            self._group_flags(gt, g, poetry_includes)
            if enrich or "dependencies" in gt:
                self._sync_table(self.ops.ensure_table(self.doc, "tool", "poetry", "group", poetry_key or g.name,
                                              "dependencies"), enrich, rename=False)
