"""The benchmark suite (`make bench`): the portal at plant scale, under load, as ratios.

1. Builds the plant-scale database once (`seed_demo --scale plant` into BENCH_DATABASE_URL, default
   postgres://postgres@127.0.0.1:5432/hse_bench) and reuses it afterwards.
2. Starts the app under gunicorn (production settings, 3 workers) on loopback, with PostgreSQL and Redis
   of this machine.
3. For every page and API list: wrk with 4 connections for throughput, and with one connection for the
   95th percentile latency, each right after the same measurement of the baseline (a bare JSON endpoint
   of the same app, `/livez`), A and B interleaved, five rounds; the figure is the median of the
   per-round ratios (absolute numbers drift by ±20% on shared machines, ratios much less).
4. Checks the rest of the targets: one-word search p95, API create throughput, queries per request
   identical at demo size and at plant scale, the daily reminder run, PDF rendering against a reference
   document, and scaling out to two app instances and two Celery workers.

Prints one table with each target beside its figure; exits 1 when a target is missed.

    make bench                      # everything (about 15 minutes on two cores)
    make bench ARGS="--rounds 3 --only pages"
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
CELERY = str(ROOT / ".venv" / "bin" / "celery")
BENCH_DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hse_bench")
DEMO_DB = os.environ.get("BENCH_DEMO_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/hse_bench_demo")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
SECRET = secrets.token_urlsafe(64)

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format("BENCH %d %d %.0f %.0f %d\\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), errors))
end
"""
WRK_POST_SCRIPT = (
    """
wrk.method = "POST"
wrk.body = 'BODY'
wrk.headers["Content-Type"] = "application/json"
"""
    + WRK_SCRIPT
)


def env_for(database_url: str, **extra) -> dict:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="hse_portal.settings.production",
        SECRET_KEY=SECRET,
        DATABASE_URL=database_url,
        REDIS_URL=REDIS,
        SECURE_SSL_REDIRECT="false",
        SECURE_HSTS_SECONDS="0",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        LOG_LEVEL="WARNING",
        CONN_MAX_AGE="60",
    )
    env.update(extra)
    return env


def run(args, *, env=None, quiet=True, check=True, timeout=None):
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=quiet, text=True, check=False, timeout=timeout)
    if check and result.returncode:
        sys.stderr.write((result.stdout or "") + (result.stderr or ""))
        raise SystemExit(f"failed: {' '.join(map(str, args))}")
    return result


def database_exists(url: str) -> bool:
    name = url.rsplit("/", 1)[1]
    result = run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname='{name}'"],
        check=False,
    )
    return result.stdout.strip() == "1"


def prepare_database(url: str, *, scale: str | None) -> None:
    name = url.rsplit("/", 1)[1]
    if not database_exists(url):
        run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name])
    env = env_for(url)
    run([PY, "manage.py", "migrate", "--noinput", "-v0"], env=env)
    args = [PY, "manage.py", "seed_demo"] + (["--scale", scale] if scale else [])
    started = time.monotonic()
    out = run(args, env=env).stdout
    took = time.monotonic() - started
    if "Scale data:" in out:
        print(f"  built {name} in {took:.0f} s: {out.split('Scale data:')[1].splitlines()[0].strip()}")


SESSION_SNIPPET = r"""
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from rest_framework.authtoken.models import Token
from apps.accounts.models import User
engine = import_module(settings.SESSION_ENGINE)
out = {}
for username in ["head", "specialist", "manager", "executive", "passoffice", "scale-specialist1", "scale-manager1"]:
    user = User.objects.filter(username=username).first()
    if user is None:
        continue
    session = engine.SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.set_expiry(24 * 3600)
    session.save()
    token, _ = Token.objects.get_or_create(user=user)
    out[username] = {"cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}", "token": token.key}
from apps.observations.models import ObservationCategory
from apps.org.models import StructuralUnit
user = User.objects.get(username="head")
first_unit = StructuralUnit.objects.filter(code__startswith="scale-").order_by("pk").values_list("pk", flat=True)
# The demo's concentrator: the board of the demo manager's shop (the same id at demo size and plant scale).
out["_board"] = {"unit": StructuralUnit.objects.filter(code="concentrator").values_list("pk", flat=True).first()}
out["_create"] = {"unit": first_unit.first(),
                   "category": ObservationCategory.objects.filter(is_active=True).values_list("pk", flat=True).first()}
print("JSON" + json.dumps(out))
"""


def sessions(url: str) -> dict:
    """A session cookie and an API token per user the targets run as. The pass office is the demo's
    "passoffice" at plant scale too: the generator adds specialists and managers, no pass office."""
    out = run([PY, "manage.py", "shell", "-c", SESSION_SNIPPET], env=env_for(url)).stdout
    return json.loads(out.split("JSON", 1)[1])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Server:
    port: int
    process: subprocess.Popen

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()


def start_server(url: str, *, workers: int = 3, log: Path) -> Server:
    port = free_port()
    process = subprocess.Popen(
        [GUNICORN, "hse_portal.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--timeout", "120", "--access-logfile", "-" if False else "/dev/null"],
        cwd=ROOT, env=env_for(url), stdout=log.open("a"), stderr=subprocess.STDOUT,
    )  # fmt: skip
    server = Server(port, process)
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"{server.base}/livez", timeout=2) as response:
                if response.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.stop()
    raise SystemExit(f"gunicorn did not answer on {server.base}: see {log}")


@dataclass
class Sample:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk(url: str, *, connections: int, seconds: float, headers=(), script: str = WRK_SCRIPT) -> Sample:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script)
    duration = f"{max(1, round(seconds))}s"
    args = ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", duration, "--timeout", "30s",
            "-s", lua.name]  # fmt: skip
    for header in headers:
        args += ["-H", header]
    out = run(args + [url]).stdout
    os.unlink(lua.name)
    line = next(line for line in out.splitlines() if line.startswith("BENCH "))
    requests, micros, p50, p95, errors = line.split()[1:]
    if int(requests) == 0:  # not one answer within the measurement: slower than its length
        return Sample(0, int(micros) / 1e6, float("inf"), float("inf"), int(errors))
    return Sample(int(requests), int(micros) / 1e6, float(p50) / 1000, float(p95) / 1000, int(errors))


def settle(server) -> None:
    """Wait until requests left over from a slow page are done, so the next baseline is clean."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with urllib.request.urlopen(f"{server.base}/livez", timeout=30):
                pass
        except OSError:
            pass
        if time.monotonic() - started < 0.05:
            return
        time.sleep(0.5)


@dataclass
class Target:
    name: str
    path: str
    user: str | None = "head"
    auth: str = "cookie"  # or "token"
    kind: str = "page"  # page | api | search | create | reference (measured, no target)
    rows: list = field(default_factory=list)  # per round: (base Sample, Sample) for throughput and latency


def targets(ids: dict) -> list[Target]:
    return [
        # The floor of any signed-in page: the layout (navigation, menus) around a small form, two
        # queries. Measured like the pages, with no target of its own: it shows how much of the
        # bare endpoint's throughput is left for a page's own work.
        Target("reference: my profile (layout only)", "/accounts/profile/", "head", kind="reference"),
        Target("home, HSE head", "/", "head"),
        Target("home, HSE specialist", "/", "specialist"),
        Target("home, line manager", "/", "manager"),
        Target("home, executive", "/", "executive"),
        Target("observation list, HSE head", "/observations/", "head"),
        Target("observation list, a specialist", "/observations/", "scale-specialist1"),
        Target("observation figures", "/observations/stats/", "head"),
        Target("actions, my units (HSE head)", "/actions/?tab=units", "head"),
        Target("actions, overdue", "/actions/?tab=overdue", "head"),
        Target("actions, mine (a manager)", "/actions/?tab=mine", "scale-manager1"),
        Target("audit list", "/audits/", "head"),
        Target("incident list", "/incidents/", "head"),
        Target("audit log", "/audit/", "head"),
        Target("people", "/org/people/", "head"),
        # The pass office's list, read by the pass office (every pass, in every unit).
        Target("pass list", "/contractors/passes/", "passoffice"),
        # Trainings and internships (issue 12): the matrix at plant scale, unfiltered and filtered by
        # state (the filter that reads every required cell in SQL), and the unit's board.
        Target("training sessions", "/trainings/", "head"),
        Target("competence matrix", "/trainings/matrix/", "head"),
        Target("competence matrix, needing attention", "/trainings/matrix/?state=attention", "head"),
        Target("internal trainers' activity", "/trainings/trainers/", "head"),
        Target("internships", "/internships/", "head"),
        Target("signals", "/internships/signals/", "head"),
        Target("you said — we did board (a manager)", f"/internships/board/{ids['_board']['unit']}/", "manager"),
        # KPIs (issue 13): pages read the monthly snapshots (computed by Celery), never the records.
        Target("KPI dashboard, a manager", "/kpis/", "scale-manager1"),
        Target("KPI dashboard, HSE head (every unit)", "/kpis/", "head"),
        Target("specialists' scorecards", "/kpis/scorecards/", "head"),
        Target("HSE head's work queue", "/kpis/work-queue/", "head"),
        Target("executive summary", "/kpis/summary/", "executive"),
        Target("API observations list", "/api/v1/observations/", "head", "token", "api"),
        Target("API actions list", "/api/v1/actions/", "head", "token", "api"),
        Target("API investigations list", "/api/v1/investigations/", "head", "token", "api"),
        Target("API incidents list", "/api/v1/incidents/", "head", "token", "api"),
        Target("API audits list", "/api/v1/audits/", "head", "token", "api"),
        Target("API passes list", "/api/v1/access-passes/", "head", "token", "api"),
        Target("API training sessions list", "/api/v1/training-sessions/", "head", "token", "api"),
        Target("API competence matrix", "/api/v1/competence-matrix/", "head", "token", "api"),
        Target("API signals list", "/api/v1/signals/", "head", "token", "api"),
        Target("API KPI values", "/api/v1/kpi-values/?kpi=observations", "head", "token", "api"),
        # Words found in the demo data and at plant scale alike, so that the query counts compare
        # the same page (a search that finds nothing skips the queries of its results).
        Target("observation search, one word", "/observations/?q=guard", "head", kind="search"),
        Target("API observation search, one word", "/api/v1/observations/?q=conveyor", "head", "token", "search"),
        Target("API observation created (token)", "/api/v1/observations/", "head", "token", "create"),
    ]


def headers_for(target: Target, creds: dict) -> list[str]:
    if target.user is None:
        return []
    who = creds[target.user]
    if target.auth == "token":
        return [f"Authorization: Token {who['token']}", "Accept: application/json"]
    return [f"Cookie: {who['cookie']}"]


def measure(server: Server, found: list[Target], creds: dict, *, rounds: int, seconds: float) -> None:
    body = json.dumps(
        {"unit": creds["_create"]["unit"], "kind": "safe_act", "category": creds["_create"]["category"],
         "description": "Handrail checked and tight at bay 4"}
    )  # fmt: skip
    for round_number in range(1, rounds + 1):
        print(f"  round {round_number}/{rounds}", flush=True)
        for target in found:
            script = WRK_POST_SCRIPT.replace("BODY", body) if target.kind == "create" else WRK_SCRIPT
            headers = headers_for(target, creds)
            base_t = wrk(f"{server.base}/livez", connections=4, seconds=seconds)
            page_t = wrk(f"{server.base}{target.path}", connections=4, seconds=seconds, headers=headers, script=script)
            settle(server)
            base_l = wrk(f"{server.base}/livez", connections=1, seconds=seconds)
            page_l = wrk(f"{server.base}{target.path}", connections=1, seconds=seconds, headers=headers, script=script)
            settle(server)
            target.rows.append((base_t, page_t, base_l, page_l))


def summarise(target: Target) -> dict:
    throughput = statistics.median(page.rps / base.rps for base, page, _, _ in target.rows)
    latency = statistics.median(page.p95_ms / base.p95_ms for _, _, base, page in target.rows)
    return {
        "throughput_ratio": throughput,
        "p95_ratio": latency,
        "rps": statistics.median(page.rps for _, page, _, _ in target.rows),
        "base_rps": statistics.median(base.rps for base, _, _, _ in target.rows),
        "p95_ms": statistics.median(page.p95_ms for _, _, _, page in target.rows),
        "errors": sum(page_t.errors + page_l.errors for _, page_t, _, page_l in target.rows),
    }


def check(target: Target, figures: dict) -> list[tuple[str, str, str, bool]]:
    """(what, target, figure, met) rows for one page or endpoint."""
    rows = []
    ok_errors = figures["errors"] == 0
    if target.kind == "create":
        met = figures["throughput_ratio"] >= 0.25 and ok_errors
        rows.append(
            (
                target.name,
                "throughput ≥ 0.25 × bare",
                f"{figures['throughput_ratio']:.3f} ({figures['rps']:.0f}/s)",
                met,
            )
        )
        return rows
    if target.kind == "search":
        met = figures["p95_ms"] <= 300 and ok_errors
        rows.append((target.name, "p95 ≤ 300 ms", f"{figures['p95_ms']:.0f} ms", met))
        return rows
    if target.kind == "reference":
        throughput = f"{figures['throughput_ratio']:.3f} ({figures['rps']:.0f}/s)"
        rows.append((target.name, "(reference) throughput", throughput, None))
        rows.append(
            ("", "(reference) p95 (1 conn.)", f"{figures['p95_ratio']:.1f} × ({figures['p95_ms']:.0f} ms)", None)
        )
        return rows
    rows.append(
        (target.name, "throughput ≥ 0.10 × bare", f"{figures['throughput_ratio']:.3f} ({figures['rps']:.0f}/s)",
         figures["throughput_ratio"] >= 0.10 and ok_errors)
    )  # fmt: skip
    rows.append(
        ("", "p95 (1 conn.) ≤ 10 × bare", f"{figures['p95_ratio']:.1f} × ({figures['p95_ms']:.0f} ms)",
         figures["p95_ratio"] <= 10 and ok_errors)
    )  # fmt: skip
    if figures["errors"]:
        rows.append(("", "no errors", f"{figures['errors']} non-2xx", False))
    return rows


QUERY_SNIPPET = r"""
import json
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from apps.accounts.models import User
paths = json.loads(PATHS)
out = {}
for username, path, auth in paths:
    cache.clear()  # every request counted cold: the demo and plant databases share this Redis
    client = Client()
    client.force_login(User.objects.get(username=username))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, HTTP_ACCEPT="application/json" if auth == "token" else "text/html")
    out[path + " " + username] = [response.status_code, len(queries)]
print("JSON" + json.dumps(out))
"""


def query_counts(url: str, found: list[Target]) -> dict:
    paths = [(t.user if t.user in ("head", "specialist", "manager", "executive") else "head", t.path, t.auth)
             for t in found if t.kind in ("page", "api", "search")]  # fmt: skip
    code = QUERY_SNIPPET.replace("PATHS", repr(json.dumps(paths)))
    env = env_for(url, ALLOWED_HOSTS="testserver,127.0.0.1")
    out = run([PY, "manage.py", "shell", "-c", code], env=env).stdout
    return json.loads(out.split("JSON", 1)[1])


MET = {None: "—", True: "yes", False: "NO"}


def table(rows: list[tuple[str, str, str, bool | None]]) -> str:
    widths = [max(len(row[i]) for row in rows + [("what", "target", "figure", True)]) for i in range(3)]
    lines = [f"| {'what':<{widths[0]}} | {'target':<{widths[1]}} | {'figure':<{widths[2]}} | met |",
             f"|{'-' * (widths[0] + 2)}|{'-' * (widths[1] + 2)}|{'-' * (widths[2] + 2)}|-----|"]  # fmt: skip
    for what, goal, figure, met in rows:
        lines.append(f"| {what:<{widths[0]}} | {goal:<{widths[1]}} | {figure:<{widths[2]}} | {MET[met]}  |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0, help="length of each wrk measurement")
    parser.add_argument("--only", choices=["pages", "queries", "extras"], action="append")
    parser.add_argument("--match", help="only the pages whose name contains this text")
    args = parser.parse_args()
    only = set(args.only or ["pages", "queries", "extras"])
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install -y wrk")
    log = ROOT / "var" / "bench-gunicorn.log"
    log.parent.mkdir(exist_ok=True)
    print("Preparing the plant-scale database (built once, then reused)…", flush=True)
    prepare_database(BENCH_DB, scale="plant")
    run([PY, "manage.py", "collectstatic", "--noinput", "-v0"], env=env_for(BENCH_DB))
    creds = sessions(BENCH_DB)
    found = targets(creds)
    if args.match:
        found = [t for t in found if args.match.lower() in t.name.lower()]
    results: list[tuple[str, str, str, bool]] = []
    machine = f"{os.cpu_count()} cores, {socket.gethostname()}"
    if "pages" in only:
        server = start_server(BENCH_DB, workers=3, log=log)
        try:
            print(
                f"Load on gunicorn (3 workers) at {server.base}: {len(found)} pages × {args.rounds} rounds…", flush=True
            )
            measure(server, found, creds, rounds=args.rounds, seconds=args.seconds)
        finally:
            server.stop()
        for target in found:
            results += check(target, summarise(target))
    if "queries" in only:
        print("Queries per request, demo size against plant scale…", flush=True)
        prepare_database(DEMO_DB, scale=None)
        plant, demo = query_counts(BENCH_DB, found), query_counts(DEMO_DB, found)
        for key in plant:
            same = plant[key][1] == demo[key][1] and plant[key][0] == demo[key][0] == 200
            results.append((f"queries {key}", "same at demo and plant", f"{demo[key][1]} / {plant[key][1]}", same))
    if "extras" in only:
        from bench_extras import extras  # a module beside this script

        results += extras(bench_db=BENCH_DB, env_for=env_for, start_server=start_server, wrk=wrk, creds=creds, log=log)
    print()
    print(f"Plant scale: 1,000,000 observations, 100,000 actions, 20,000 incidents, 5,000 audits, 300 units; "
          f"PostgreSQL and Redis on loopback; {machine}; median of {args.rounds} rounds.")  # fmt: skip
    report = table(results)
    print(report)
    (ROOT / "var" / "bench-results.md").write_text(report + "\n")
    scored = [row for row in results if row[3] is not None]
    missed = [row for row in scored if not row[3]]
    print(f"\n{len(scored) - len(missed)} of {len(scored)} targets met.")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    raise SystemExit(main())
