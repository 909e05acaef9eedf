"""``dealgraph serve``: refuses to start without a signing key, serves the API when it has one."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.cli.conftest import Run


def test_serve_refuses_without_a_secret_key(run: Run, tmp_path: Path) -> None:
    run("init", "--db", str(tmp_path / "w.db"))
    result = run("serve", "--db", str(tmp_path / "w.db"), code=2)
    assert result.stdout == ""
    assert result.stderr.startswith("error: DEALGRAPH_SECRET_KEY: ")
    assert len(result.stderr.strip().splitlines()) == 1


def test_serve_refuses_a_short_secret_key(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEALGRAPH_SECRET_KEY", "short")
    result = run("serve", "--db", str(tmp_path / "w.db"), code=2)
    assert "is 5 characters long" in result.stderr


def test_serve_refuses_a_missing_workspace(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEALGRAPH_SECRET_KEY", "k" * 40)
    result = run("serve", "--db", str(tmp_path / "missing.db"), code=2)
    assert "no workspace at" in result.stderr
    assert not (tmp_path / "missing.db").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_serve_answers_http(run: Run, tmp_path: Path) -> None:
    db = tmp_path / "w.db"
    run("init", "--db", str(db))
    port = _free_port()
    env = {**os.environ, "DEALGRAPH_SECRET_KEY": "s" * 40}
    command = "from dealgraph.cli import main; main()"
    server = subprocess.Popen(
        [sys.executable, "-c", command, "serve", "--db", str(db), "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        answer = None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        assert answer is not None, server.stderr.read() if server.stderr else ""
        assert answer.status_code == 200
        assert answer.json()["info"]["title"] == "dealgraph"
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert httpx.get(f"http://127.0.0.1:{port}/api/v1/deals").status_code == 401
    finally:
        server.send_signal(signal.SIGTERM)  # uvicorn shuts down gracefully on TERM
        try:
            out, _ = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            raise
    assert f"dealgraph is serving on http://127.0.0.1:{port}" in out
