"""Fresh environment files, in the style of ``conda env export`` (two-space lists, pip entries at six)."""

from __future__ import annotations

from typing import Any

from ...ir.model import Manifest
from .pipline import render_parts
from .plan import Entry, Plan
from .reader import FORMAT
from .yamlnodes import yaml_scalar

__all__ = ["deps_lines", "dump_value", "fresh_document", "item_text"]


def item_text(entry: Entry) -> str:
    sel = entry.selector
    if sel is not None and sel[0] == "sel":
        return f"sel({sel[1]}): {yaml_scalar(entry.text)}"
    text = yaml_scalar(entry.text)
    if sel is not None:
        text += f"  # [{sel[1]}]"
    return text


def dump_value(key: str, value: Any, indent: str) -> list[str]:
    """A top-level key with a plain value, in block style."""
    if value is None:
        return [f"{key}:"]
    if isinstance(value, dict):
        if not value:
            return [f"{key}: {{}}"]
        return [f"{key}:"] + [f"{indent}{_flow(k)}: {_flow(v)}" for k, v in value.items()]
    if isinstance(value, list):
        if not value:
            return [f"{key}: []"]
        out = [f"{key}:"]
        for v in value:
            if isinstance(v, dict | list):
                out.extend(f"{indent}{line}" for line in _nested(v, indent))
            else:
                out.append(f"{indent}- {_flow(v)}")
        return out
    return [f"{key}: {_flow(value)}"]


def _nested(value: Any, indent: str) -> list[str]:
    import io

    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    buf = io.StringIO()
    yaml.dump([value], buf)
    return buf.getvalue().splitlines()


def _flow(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, dict | list):
        import json

        return json.dumps(value, ensure_ascii=False)
    return yaml_scalar(str(value))


def deps_lines(plan: Plan, dash: str, pip_dash: str) -> list[str]:
    out = ["dependencies:"]
    if plan.python is not None:
        out.append(f"{dash}- {yaml_scalar(plan.python)}")
    out.extend(f"{dash}- {item_text(e)}" for e in plan.conda)
    if plan.pip or plan.pip_options:
        out.append(f"{dash}- pip:")
        out.extend(f"{pip_dash}- {yaml_scalar(render_parts([p]))}" for p in plan.pip_options)
        out.extend(f"{pip_dash}- {item_text(e)}" for e in plan.pip)
    if len(out) == 1:
        return ["dependencies: []"]
    return out


def fresh_document(manifest: Manifest, plan: Plan, newline: str = "\n") -> str:
    dash, pip_dash = "  ", "      "
    lines: list[str] = []
    name = manifest.project.name if manifest.project is not None else None
    if name:
        lines.append(f"name: {yaml_scalar(name)}")
    channels = list(manifest.channels)
    if not channels and manifest.format != FORMAT and plan.conda:
        channels = ["conda-forge"]  # the name map is conda-forge's
    if channels:
        lines.append("channels:")
        lines.extend(f"{dash}- {yaml_scalar(c)}" for c in channels)
    lines.extend(deps_lines(plan, dash, pip_dash))
    for raw in manifest.raw:
        if raw.format != FORMAT or raw.key in ("python", "name"):
            continue
        lines.extend(dump_value(raw.key, raw.value, dash))
    return newline.join(lines) + newline
