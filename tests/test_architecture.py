"""Dependencies point inward: the core imports no edge package; the edges share charts."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT

CORE = REPO_ROOT / "src" / "dealgraph" / "core"
EDGE_PACKAGES = frozenset(
    {
        "sqlalchemy",
        "alembic",
        "psycopg",
        "fastapi",
        "starlette",
        "typer",
        "jinja2",
        "uvicorn",
        "rich",
    }
)
# The CEL bindings' own package init imports typer and rich for its command line, so the
# runtime probe can only block what no third-party dependency of the core pulls in.
RUNTIME_BLOCKED = EDGE_PACKAGES - {"typer", "rich"}


def _imported_roots(path: str) -> set[str]:
    tree = ast.parse((REPO_ROOT / path).read_text(encoding="utf-8"))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
    return roots


CORE_MODULES = sorted(str(p.relative_to(REPO_ROOT)) for p in CORE.rglob("*.py"))


@pytest.mark.parametrize("path", CORE_MODULES)
def test_core_module_imports_no_edge_package(path: str) -> None:
    assert not (_imported_roots(path) & EDGE_PACKAGES)


PLANNING_MODULES = sorted(
    str(p.relative_to(REPO_ROOT)) for p in (CORE.parent / "planning").rglob("*.py")
)
OUTER_LAYERS = ("dealgraph.store", "dealgraph.services", "dealgraph.web", "dealgraph.cli")


def _imported_modules(path: str) -> set[str]:
    tree = ast.parse((REPO_ROOT / path).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


@pytest.mark.parametrize("path", PLANNING_MODULES)
def test_planning_module_is_pure(path: str) -> None:
    """Planning takes plain data: no edge package, and no store, service, web or CLI module."""
    assert not (_imported_roots(path) & EDGE_PACKAGES)
    assert not {m for m in _imported_modules(path) if m.startswith(OUTER_LAYERS)}


PROBE = f"""
import importlib, pkgutil, sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {sorted(RUNTIME_BLOCKED)!r}:
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


def test_core_runs_with_edge_packages_blocked() -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_cli_help_does_not_import_heavy_packages() -> None:
    probe = (
        "import sys\n"
        "from dealgraph.cli import app\n"
        "heavy = [m for m in ('sqlalchemy', 'numpy', 'networkx', 'alembic', 'cel') "
        "if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


SRC = REPO_ROOT / "src" / "dealgraph"
# `dealgraph serve` runs the web app, so it is the one command module that imports it.
CLI_WITHOUT_WEB = sorted(
    str(p.relative_to(REPO_ROOT)) for p in (SRC / "cli").glob("*.py") if p.name != "serve.py"
)
CHARTS_MODULES = sorted(str(p.relative_to(REPO_ROOT)) for p in (SRC / "charts").glob("*.py"))


@pytest.mark.parametrize("path", CLI_WITHOUT_WEB)
def test_cli_draws_charts_without_the_web_package(path: str) -> None:
    assert not {m for m in _imported_modules(path) if m.startswith("dealgraph.web")}


@pytest.mark.parametrize("path", CHARTS_MODULES)
def test_charts_serve_both_edges_and_import_neither(path: str) -> None:
    """Figures are shared by web and CLI, so they import neither, nor any edge package."""
    assert not {
        m for m in _imported_modules(path) if m.startswith(("dealgraph.web", "dealgraph.cli"))
    }
    assert not (_imported_roots(path) & EDGE_PACKAGES)
