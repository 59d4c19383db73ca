"""The portal under gunicorn in a process of its own, on the test database through a given
host and port (the fault tests put a TCP proxy there), speaking plain HTTP to the test."""

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection

from tests.celery_helpers import free_port, wait_until

BASE_DIR = Path(settings.BASE_DIR)


@dataclass
class Answer:
    status: int
    headers: dict
    text: str


class AppServer:
    def __init__(self, *, db_host: str, db_port: int, log_path: Path):
        self.db = (db_host, db_port)
        self.log_path = log_path
        self.port = free_port()
        self.process = None

    def start(self):
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hse_portal.settings.test",
            "DATABASE_URL": f"postgres://{db['USER']}@{self.db[0]}:{self.db[1]}/{db['NAME']}",
            "PYTHONPATH": str(BASE_DIR),
        }
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "hse_portal.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--timeout",
                "30",
                "--graceful-timeout",
                "5",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_until(self._accepts, timeout=60, message="gunicorn to accept connections")

    def _accepts(self) -> bool:
        assert self.process.poll() is None, self.output()
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
            return True
        return False

    def output(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


class Browser:
    """A signed-in user's cookies (the session made by the test client) and a CSRF token."""

    def __init__(self, server: AppServer, session_key: str):
        self.server = server
        self.csrf = secrets.token_hex(16)  # a 32-character secret: the header may carry it as is
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={self.csrf}"

    def get(self, path: str) -> Answer:
        return self._send("GET", path)

    def post(self, path: str, data: dict) -> Answer:
        return self._send("POST", path, urlencode(data))

    def _send(self, method: str, path: str, body: str | None = None) -> Answer:
        headers = {"Cookie": self.cookie}
        if body is not None:
            headers |= {"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": self.csrf}
        link = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            link.request(method, path, body=body, headers=headers)
            response = link.getresponse()
            return Answer(response.status, dict(response.getheaders()), response.read().decode())
        finally:
            link.close()
