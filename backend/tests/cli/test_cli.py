"""The `greekdesk` command, run as a user would: real processes, a real socket, the embedded SQLite."""

from __future__ import annotations

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backend.cli import _first_run
from backend.config import Settings
from backend.kit import migrations

REPO_ROOT = Path(__file__).resolve().parents[3]
ENV_TO_DROP = (
    "DATABASE_URL",
    "MIGRATION_DATABASE_URL",
    "REDIS_URL",
    "JWT_SECRET",
    "CREDENTIAL_KEYS",
    "APP_ENV",
)


def _env(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ENV_TO_DROP}
    env.update({"DATA_DIR": str(data_dir), "APP_ENV": "development", "PASSWORD_HASH_MEMORY_KIB": "19456"})
    # The seed runbook installs requirements.txt without installing this package: run from source.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def _greekdesk(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "backend.cli", *args],
        env=_env(data_dir),
        cwd=data_dir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[tuple[str, Path, subprocess.Popen[str]]]:
    """`greekdesk run` on a free port with a fresh data directory."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-X", "faulthandler", "-m", "backend.cli", "run", "--port", str(port)],
        env=_env(tmp_path / "data"),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/health/ready", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            process.kill()
            pytest.fail(f"greekdesk run never became ready:\n{process.communicate()[0]}")
        yield base, tmp_path / "data", process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            # Say where it is stuck: faulthandler prints every thread's stack on SIGABRT.
            process.send_signal(signal.SIGABRT)
            pytest.fail(
                f"greekdesk run did not stop on SIGTERM:\n{process.communicate(timeout=10)[0][-20000:]}"
            )


def test_run_serves_ready_and_printed_demo_credentials_read_empty_positions(
    embedded: tuple[str, Path, subprocess.Popen[str]],
) -> None:
    base, data_dir, _ = embedded
    lines = (data_dir / "first-run-credentials.txt").read_text().splitlines()
    assert oct((data_dir / "first-run-credentials.txt").stat().st_mode & 0o777) == "0o600"
    client_line = next(line for line in lines if line.startswith("client:"))
    username = client_line.split("username=")[1].split()[0]
    password = client_line.split("password=")[1].strip()
    with httpx.Client(base_url=base, timeout=10) as api:
        tokens = api.post("/auth/login", json={"username": username, "password": password}).json()
        response = api.get(
            f"/clients/{tokens['client_id']}/positions",
            headers={"Authorization": f"Bearer {tokens['access_token']}"},
        )
    assert response.status_code == 200
    assert response.json()["items"] == []


def test_first_run_creates_demo_accounts_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(
        _env_file=None, data_dir=tmp_path, app_env="development", password_hash_memory_kib=19456
    )
    migrations.upgrade(settings.resolved_migration_url)
    _first_run(settings)
    credentials = tmp_path / "first-run-credentials.txt"
    assert "password=" in capsys.readouterr().out
    assert len(credentials.read_text().splitlines()) == 2
    credentials.unlink()
    _first_run(settings)
    assert not credentials.exists()
    assert "password=" not in capsys.readouterr().out


def test_create_client_prints_its_id_and_refuses_a_duplicate(tmp_path: Path) -> None:
    assert _greekdesk(tmp_path, "migrate").returncode == 0
    first = _greekdesk(
        tmp_path, "create-client", "Acme", "--email", "a@acme.example.com", "--password", "long-password-1"
    )
    assert first.returncode == 0, first.stderr
    assert len(first.stdout.strip()) == 36
    again = _greekdesk(
        tmp_path, "create-client", "Acme", "--email", "a@acme.example.com", "--password", "long-password-1"
    )
    assert again.returncode == 1
    assert "email_taken" in again.stderr


def test_rotate_keys_and_audit_verify_then_tamper(tmp_path: Path) -> None:
    assert _greekdesk(tmp_path, "migrate").returncode == 0
    assert (
        _greekdesk(
            tmp_path,
            "create-client",
            "Acme",
            "--email",
            "b@acme.example.com",
            "--password",
            "long-password-1",
        ).returncode
        == 0
    )
    rotated = _greekdesk(tmp_path, "rotate-keys")
    assert rotated.returncode == 0, rotated.stderr
    assert "key version 1" in rotated.stdout
    assert _greekdesk(tmp_path, "audit-verify").returncode == 0
    with sqlite3.connect(tmp_path / "greekdesk.db") as db:
        db.execute("UPDATE audit_log SET action = 'forged' WHERE id = (SELECT min(id) FROM audit_log)")
    broken = _greekdesk(tmp_path, "audit-verify")
    assert broken.returncode == 1
    assert "hash does not match" in broken.stderr


def test_production_without_secrets_refuses_naming_the_setting(tmp_path: Path) -> None:
    env = _env(tmp_path)
    env["APP_ENV"] = "production"
    result = subprocess.run(
        [sys.executable, "-m", "backend.cli", "migrate"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "JWT_SECRET" in result.stderr


def test_seed_runbook_migrates_a_fresh_machine_without_a_data_directory(tmp_path: Path) -> None:
    env = _env(tmp_path / "not" / "yet" / "there")
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(REPO_ROOT / "backend/db/alembic.ini"), "upgrade", "head"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "not" / "yet" / "there" / "greekdesk.db").exists()
