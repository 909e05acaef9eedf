"""Loading a playbook (located parse, schema, checks, CEL compile) against PyYAML's parse alone."""

from __future__ import annotations

from typing import Any

import yaml

from bench.timing import best_of
from dealgraph.core.playbook import load_playbook_text, shipped_playbooks


def run() -> dict[str, Any]:
    path = shipped_playbooks()["buyer-journey"]
    text = path.read_text(encoding="utf-8")
    ours = best_of(lambda: load_playbook_text(text, file=str(path)), repeat=20)
    peer = best_of(lambda: yaml.load(text, Loader=yaml.SafeLoader), repeat=20)
    return {
        "name": "playbook load (buyer-journey)",
        "peer": "PyYAML SafeLoader parse of the same file",
        "seconds": ours,
        "peer_seconds": peer,
        "ratio": ours / peer,
        "detail": f"{ours * 1000:.1f} ms vs {peer * 1000:.1f} ms",
    }
