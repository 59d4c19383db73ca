"""Fault tests: real servers on this machine (a private redis-server, Celery worker processes, an
SMTP server, the app under gunicorn behind a TCP proxy to PostgreSQL), faults injected for real
(SIGKILL, connections cut). PostgreSQL only: the other processes share the test database."""

import time
from pathlib import Path

import pytest
from django.conf import settings

ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"


@pytest.fixture
def report():
    """Print a test's figures and append them to test-artifacts/faults.txt."""
    lines = []
    yield lines.append
    if lines:
        text = f"{time.strftime('%Y-%m-%d %H:%M:%S')} {lines[0]}\n" + "".join(f"  {line}\n" for line in lines[1:])
        print("\n" + text, end="")
        ARTIFACTS.mkdir(exist_ok=True)
        with (ARTIFACTS / "faults.txt").open("a") as artifacts:
            artifacts.write(text)
