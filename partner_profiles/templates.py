"""New profiles from the shipped examples, keeping the examples' comments.

The copy gets its own id, status `testing`, and placeholder partner ids (envelope, AS2 id,
mailbox login) derived from the new id, so it never claims the example partner's ids."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from partner_profiles.loading import FieldPath, _TextLoader

EXAMPLES_DIR = Path(__file__).resolve().parent / "examples"


def example_names() -> list[str]:
    return sorted(p.stem for p in EXAMPLES_DIR.glob("*.yaml"))


def example_path(name: str) -> Path | None:
    path = EXAMPLES_DIR / f"{name.removesuffix('.yaml')}.yaml"
    return path if path.is_file() else None


def _value_node(root: yaml.Node, path: FieldPath) -> yaml.Node | None:
    node: yaml.Node | None = root
    for part in path:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            node = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            node = node.value[part] if part < len(node.value) else None
        else:
            return None
    return node


def replace_values(text: str, values: dict[FieldPath, str]) -> str:
    """`text` with the scalar at each path replaced (quoted); absent paths are skipped and
    everything else, comments included, stays as written."""
    root = yaml.compose(text, Loader=_TextLoader)
    if root is None:
        return text
    spans: list[tuple[int, int, str]] = []
    for path, value in values.items():
        node = _value_node(root, path)
        if isinstance(node, yaml.ScalarNode):
            spans.append((node.start_mark.index, node.end_mark.index, json.dumps(value)))
    for start, end, replacement in sorted(spans, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text


def new_profile_text(example_text: str, partner_id: str, name: str | None = None) -> str:
    """A profile for `partner_id` from an example's text (status testing, placeholder ids)."""
    code = re.sub(r"[^A-Z0-9]", "", partner_id.upper())
    login = re.sub(r"[^a-z0-9]", "", partner_id.lower())[:32] or "partner"
    values: dict[FieldPath, str] = {
        ("id",): partner_id,
        ("name",): name or f"{partner_id} (write the partner's name here)",
        ("status",): "testing",
        ("envelope", "theirs", "isa_id"): code[:15],
        ("envelope", "theirs", "gs_id"): code[:15],
        ("envelope", "theirs", "unb_id"): code[:35],
        ("transports", "as2", "their_as2_id"): code,
        ("transports", "sftp_mailbox", "username"): login,
        ("odoo", "vendor_ref"): code,
    }
    return replace_values(example_text, values)
