"""Dependencies point inward: the core imports no edge package."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT

BLOCKED = ("sqlalchemy", "fastapi", "starlette", "typer", "jinja2", "uvicorn", "rich", "alembic")

PROBE = f"""
import importlib, pkgutil, sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {BLOCKED!r}:
            raise ImportError("core must not import " + name)
        return None

sys.meta_path.insert(0, Block())
import dealgraph.core
for info in pkgutil.walk_packages(dealgraph.core.__path__, "dealgraph.core."):
    importlib.import_module(info.name)
from dealgraph.core.playbook import get_playbook
get_playbook("buyer-journey")
print("ok")
"""


def test_core_imports_without_edge_packages() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_cli_help_does_not_import_heavy_packages() -> None:
    probe = (
        "import sys\n"
        "from dealgraph.cli import app\n"
        "heavy = [m for m in ('sqlalchemy', 'numpy', 'networkx', 'alembic') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""
