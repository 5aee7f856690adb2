"""An idle `serve` logs nothing at INFO while its jobs tick; CLI commands print only their own result.
`serve` binds to HOST and logs JSON lines with LOG_FORMAT=json."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from sandbox.slack import FakeSlack
from sandbox.xero import XeroEmulator
from tests.e2e.cli_support import SCRIPT, free_port, run_cli, serving_env
from tests.e2e.test_cli import wait_until_healthy

# The jobs that run every few seconds: each must have run at least twice before the idle period counts. They run
# every half second here (JOB_TICK_SECONDS) rather than every three to five, so "twice" takes a second, not ten.
FREQUENT_JOBS = ("post_new_payments", "sync_payments", "deliver_slack_outbox", "report_bulk_progress")


def job_runs(url: str) -> dict[str, float]:
    with urllib.request.urlopen(f"{url}/metrics", timeout=5) as response:
        text = response.read().decode()
    runs = re.findall(r'xero_bot_job_runs_total\{job="(\w+)",outcome="ok"\} ([0-9.]+)', text)
    return {job: float(count) for job, count in runs}


def test_an_idle_serve_logs_nothing_at_info_while_its_jobs_run(
    clean_env: dict[str, str], tmp_path: Path, fakes: tuple[FakeSlack, XeroEmulator]
) -> None:
    slack, xero = fakes
    env = serving_env(clean_env, slack, xero, tmp_path) | {
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "json",
        "HOST": "127.0.0.1",
        "JOB_TICK_SECONDS": "0.5",
    }
    port = free_port()
    process = subprocess.Popen(
        [SCRIPT, "serve", "--port", str(port)], env=env, cwd=tmp_path, stderr=subprocess.PIPE, text=True
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process)
        with pytest.raises(urllib.error.URLError):  # HOST=127.0.0.1: not bound to the other loopback addresses
            urllib.request.urlopen(f"http://127.0.0.2:{port}/healthz", timeout=5)
        deadline = time.monotonic() + 60
        while not all(job_runs(url).get(job, 0) >= 2 for job in FREQUENT_JOBS):
            assert time.monotonic() < deadline, f"the jobs did not run: {job_runs(url)}"
            time.sleep(0.5)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr
    entries = [json.loads(line) for line in stderr.splitlines()]
    messages = [entry["message"] for entry in entries]
    listening = next(i for i, message in enumerate(messages) if message.startswith("listening on port"))
    stopping = next(i for i, message in enumerate(messages) if message.startswith("received SIGTERM"))
    assert messages[listening + 1 : stopping] == []
    assert not [entry for entry in entries if entry["logger"].startswith(("apscheduler", "alembic"))]


def test_migrate_prints_its_result_and_nothing_from_alembic(clean_env: dict[str, str], tmp_path: Path) -> None:
    from storage.crypto import generate_key

    env = clean_env | {"ENCRYPTION_KEY": generate_key(), "DATABASE_URL": f"sqlite:///{tmp_path / 'new.db'}"}
    result = run_cli("migrate", env=env | {"LOG_LEVEL": "INFO"}, cwd=tmp_path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "database schema is up to date\n", "")
    assert (tmp_path / "new.db").stat().st_size > 0  # the schema is in the new file (a second run: tests/storage)
