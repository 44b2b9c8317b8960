"""Kill the server in the middle of writes: after a restart no half-written record exists and the
audit chain verifies (SQLite in WAL mode, and PostgreSQL)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time

import httpx
import pytest
from sqlalchemy import func, select

from steward.services import audit_log, tokens, users
from steward.services.runtime import Actor, Runtime
from steward.storage.orm import AuditEntry, User

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(settings, port: int) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    env = {**os.environ, "STEWARD_DATABASE_URL": settings.database_url,
           "STEWARD_ENVIRONMENT": "test", "STEWARD_SECRET_KEY": settings.secret_key,
           "STEWARD_DATA_DIR": str(settings.data_dir), "STEWARD_LOG_LEVEL": "warning"}
    process = subprocess.Popen(
        [sys.executable, "-m", "steward.cli.main", "serve", "--port", str(port), "--workers", "2"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def test_kill_during_writes_leaves_no_half_written_record(settings, runtime: Runtime) -> None:
    with runtime.unit(Actor.operator("t")) as unit:
        users.add_user(unit, username="boss", roles="admin")
        _, secret = tokens.create_token(unit, username="boss")
    headers = {"Authorization": f"Bearer {secret}"}
    port = _free_port()
    server = _serve(settings, port)
    created: list[str] = []
    stop = threading.Event()

    def writer(worker: int) -> None:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers,
                          timeout=5) as client:
            for i in range(10_000):
                if stop.is_set():
                    return
                name = f"w{worker}-{i}"
                try:
                    response = client.post("/api/v1/users", json={
                        "username": name, "roles": ["marketing"], "password": "crash-test-pw"})
                except httpx.HTTPError:  # a slow start under load, or the kill itself
                    continue
                if response.status_code == 201:
                    created.append(name)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 60  # a loaded machine may serve the first writes late
    while len(created) < 20 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1)  # kill in the middle of writing, not after the first ones
    os.killpg(server.pid, signal.SIGKILL)  # the whole process group: uvicorn and its workers
    server.wait(timeout=10)
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    assert created, "no write got through before the kill"

    restarted = _serve(settings, port)
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200
    finally:
        os.killpg(restarted.pid, signal.SIGTERM)
        restarted.wait(timeout=20)
    fresh = Runtime(settings)
    try:
        with fresh.unit(Actor.operator("t")) as unit:
            assert audit_log.verify(unit).ok
            people = unit.session.scalar(select(func.count()).select_from(User))
            logged = unit.session.scalar(select(func.count()).select_from(AuditEntry).where(
                AuditEntry.action == "user.create"))
    finally:
        fresh.close()
    assert people == logged  # every committed user has its entry, and no entry lacks its user
    assert people >= len(created) + 1
