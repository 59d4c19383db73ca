"""A real Redis server and a real Celery worker process for the tests that are about tasks.

Each test gets its own redis-server on a free port, so it can be stopped and started without
touching the machine's shared Redis, and a worker started with `celery -A hse_portal worker`
against it and against the test database (PostgreSQL: the worker is another process)."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django.db import connection

from hse_portal.celery import app

BASE_DIR = Path(settings.BASE_DIR)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, *, timeout: float, interval: float = 0.2, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"Timed out after {timeout}s waiting for {message}")


class RedisServer:
    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.dir = tmp_path
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.is_up, timeout=10, message="redis-server to accept connections")

    def is_up(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
        return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        wait_until(lambda: not self.is_up(), timeout=5, message="redis-server to stop")

    def kill(self):
        """SIGKILL: no shutdown, open connections reset by the kernel (a crash, not a stop)."""
        self.process.kill()
        self.process.wait(timeout=10)


class WorkerProcess:
    def __init__(self, broker_url: str, log_path: Path, *, env: dict | None = None):
        self.broker_url = broker_url
        self.log_path = log_path
        self.extra_env = env or {}  # e.g. EMAIL_BACKEND/EMAIL_HOST/EMAIL_PORT (settings/test.py)
        self.process = None

    def start(self):
        db = connection.settings_dict
        database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "hse_portal.settings.test",
            "DATABASE_URL": database_url,
            "REDIS_URL": self.broker_url,
            "TEST_WORKER_USES_REDIS_URL": "1",
            "PYTHONPATH": str(BASE_DIR),
            **self.extra_env,
        }
        self.log = open(self.log_path, "w")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "hse_portal",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"test-{os.getpid()}@%h",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        wait_until(
            lambda: "ready." in self.output() or self.process.poll() is not None,
            timeout=60,
            message="the Celery worker to start",
        )
        assert self.process.poll() is None, self.output()

    def output(self) -> str:
        return self.log_path.read_text() if self.log_path.exists() else ""

    def kill(self):
        """kill -9: no warm shutdown, the task it runs unacknowledged, its database session cut."""
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


@contextlib.contextmanager
def publishing_to(broker_url: str):
    """Point this process's Celery app (what web requests use to queue tasks) at a broker."""
    saved = app.conf.broker_url, app.conf.broker_transport_options

    def reset_pools():
        if app._pool is not None:
            app._pool.force_close_all()
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = broker_url
    # max_retries 0: a publish tries the broker once, as settings/base.py configures it for REDIS_URL.
    app.conf.broker_transport_options = {"socket_connect_timeout": 1, "socket_timeout": 2, "max_retries": 0}
    reset_pools()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.broker_transport_options = saved
        reset_pools()
