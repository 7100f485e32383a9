"""Hostile probes, load and fault runs against gunicorn and a real PostgreSQL, on loopback only.

    .venv/bin/python bench/reliability.py            # all three, results into docs/RELIABILITY.md (whole)
    .venv/bin/python bench/reliability.py --load 30 --fault-outage 10

0. Probes (bench/probes.py), once on a fresh SQLite file and once on a fresh PostgreSQL database, each
   freshly migrated: the fuzz values of tests/test_fuzz.py in every filter of every list, bad cursors,
   oversized forms, huge PNGs, an HTML page named .pdf, 10 identical uploads and 2 imports at once;
   expected: no 5xx, and what each probe names.
1. Load: wrk drives five pages with 64 connections for 30 s; expected: no socket error, no 5xx.
2. Fault: a Python load generator runs while PostgreSQL is stopped for 10 s and started again;
   expected: 503 (not 500) during the outage and full service within 5 s of its return, without
   restarting the app.
It starts its own PostgreSQL (initdb/pg_ctl, as the postgres user when run as root) and gunicorn,
and stops both at the end. Every loop is bounded in time.
"""

import argparse
import collections
import datetime
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PAGES = [
    "/",
    "/agencies/washington-county-sheriffs-office-or/",
    "/vendors/amazon/",
    "/timeline/?technology=face-recognition",
    "/agencies/?state=CA",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}")):
        return str(candidate)
    sys.exit(f"PostgreSQL server binary {name!r} not found")


class Postgres:
    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="tracker-reliability-"))
        self.port = free_port()
        self.as_owner = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres")
            self.as_owner = ["runuser", "-u", "postgres", "--"]
        self.url = f"postgres://postgres@/postgres?host={self.folder}&port={self.port}"

    def run(self, *args):
        subprocess.run([*self.as_owner, *args], check=True, capture_output=True)

    def init(self):
        self.run(pg_bin("initdb"), "-D", f"{self.folder}/data", "-U", "postgres", "--auth=trust", "-E", "UTF8")
        self.start()

    def start(self):
        options = f"-k {self.folder} -p {self.port} -c listen_addresses='' -c max_connections=200"
        self.run(
            pg_bin("pg_ctl"), "-D", f"{self.folder}/data", "-l", f"{self.folder}/log", "-w", "-o", options, "start"
        )

    def stop(self):
        self.run(pg_bin("pg_ctl"), "-D", f"{self.folder}/data", "-m", "fast", "-w", "stop")

    def remove(self):
        subprocess.run([*self.as_owner, pg_bin("pg_ctl"), "-D", f"{self.folder}/data", "-m", "immediate", "stop"],
                       capture_output=True)  # fmt: skip
        shutil.rmtree(self.folder, ignore_errors=True)


def app_environment(database_url: str, caches: bool = True) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "reliability-run-" + "x1y2z3" * 10,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "CONN_MAX_AGE": "60",
        "SEARCH_RATE_LIMIT": "0",
        "LOG_LEVEL": "WARNING",
        # The load run keeps whole public pages for 60 s (opt-in in production); the fault run turns both
        # caches off, so that every request needs the database.
        **(
            {"PUBLIC_CACHE_SECONDS": "120", "PUBLIC_PAGE_CACHE_SECONDS": "60"}
            if caches
            else {"PUBLIC_CACHE_SECONDS": "0", "PUBLIC_PAGE_CACHE_SECONDS": "0"}
        ),
    }


def start_gunicorn(env: dict, port: int) -> subprocess.Popen:
    env = {**env, "WEB_CONCURRENCY": "2", "BIND": f"127.0.0.1:{port}"}
    process = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "tracker.wsgi", "--config", "gunicorn.conf.py", "--access-logfile",
         "/dev/null"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310 - loopback
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    sys.exit("gunicorn did not start")


def load_run(port: int, seconds: int) -> dict:
    script = Path(tempfile.mkdtemp()) / "pages.lua"
    paths = ", ".join(f'"{page}"' for page in PAGES)
    script.write_text(
        f"local paths = {{{paths}}}\nlocal i = 0\n"
        "request = function()\n  i = i % #paths + 1\n  return wrk.format('GET', paths[i])\nend\n"
        "done = function(summary, latency, requests)\n"
        '  io.write(string.format(\'JSON{"requests":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,'
        '"timeout":%d,"status":%d,"p50_ms":%.1f,"p99_ms":%.1f}\\n\', summary.requests, summary.errors.status,'
        " summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout,"
        " summary.errors.status, latency:percentile(50)/1000, latency:percentile(99)/1000))\nend\n"
    )
    output = subprocess.run(
        ["wrk", "-t2", "-c64", f"-d{seconds}s", "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    result = json.loads(next(line[4:] for line in output.splitlines() if line.startswith("JSON")))
    result["requests_per_second"] = round(result["requests"] / seconds, 1)
    result["wrk_output"] = output.split("JSON")[0].strip()
    return result


def fault_run(port: int, postgres: Postgres, outage: int) -> dict:
    """Requests in a loop from 4 threads; PostgreSQL stops at t=5 s for `outage` seconds."""
    log, stop_at, lock = [], time.monotonic() + 5 + outage + 15, threading.Lock()
    started = time.monotonic()

    def worker(offset: int):
        i = offset
        while time.monotonic() < stop_at:
            url = f"http://127.0.0.1:{port}{PAGES[i % len(PAGES)]}"
            i += 1
            try:
                status = urllib.request.urlopen(url, timeout=10).status  # noqa: S310 - loopback
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError:
                status = 0
            with lock:
                log.append((time.monotonic() - started, status))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(5)
    down_at = time.monotonic() - started
    postgres.stop()
    time.sleep(outage)
    postgres.start()
    up_at = time.monotonic() - started
    for thread in threads:
        thread.join()
    during = collections.Counter(status for t, status in log if down_at + 0.5 < t < up_at - 0.2)
    after = [(t, status) for t, status in log if t >= up_at]
    first_failure_after = max((t for t, status in after if status != 200), default=None)
    recovered_in = round((first_failure_after - up_at) if first_failure_after else 0.0, 2)
    return {
        "requests": len(log),
        "outage_seconds": outage,
        "statuses_before": dict(collections.Counter(status for t, status in log if t < down_at)),
        "statuses_during_outage": dict(during),
        "statuses_after": dict(collections.Counter(status for _, status in after)),
        "last_non_200_after_restart_s": recovered_in,
        "passed": set(during) <= {503} and bool(during) and recovered_in <= 5
        and 500 not in {s for _, s in log},
    }  # fmt: skip


def probe_run(engine: str, postgres: Postgres) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="tracker-probes-"))
    if engine == "postgresql":
        postgres.run(
            pg_bin("createdb"), "-h", str(postgres.folder), "-p", str(postgres.port), "-U", "postgres", "probes"
        )
        url = postgres.url.replace("/postgres?", "/probes?")
    else:
        url = f"sqlite:///{folder}/probes.sqlite3"
    env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(folder / "media"), "LOG_LEVEL": "CRITICAL"}
    out = folder / "probes.json"
    subprocess.run([PYTHON, str(ROOT / "bench" / "probes.py"), str(out)], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)  # fmt: skip
    result = json.loads(out.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    return result


def probes_section(runs: list[dict]) -> list[str]:
    lines = [
        "## Hostile probes, on a freshly migrated database of each engine",
        "",
        "In-process through Django's test client (`bench/probes.py`), with the fuzz values and the list of"
        " filters imported from tests/test_fuzz.py (KNOWN_BREAKERS, LIST_FILTERS). Threads have a connection"
        " each.",
        "",
        "| engine | what was tried | expected | requests | status codes seen | held | s |",
        "| --- | --- | --- | ---: | --- | --- | ---: |",
    ]
    for run in runs:
        for probe in run["probes"]:
            statuses = ", ".join(f"{code}: {n}" for code, n in probe["statuses"].items()) or "none (no HTTP)"
            notes = "; ".join(probe["notes"])
            held = ("yes" if probe["held"] else "**NO**") + (f" ({notes})" if notes else "")
            lines.append(f"| {run['engine']} | {probe['probe']} | {probe['expected']} | {probe['requests']} |"
                         f" {statuses} | {held} | {probe['seconds']} |")  # fmt: skip
    return [*lines, ""]


def load_passed(load: dict) -> bool:
    return load["non2xx"] == 0 and load["connect"] + load["read"] + load["write"] + load["timeout"] == 0


def write_report(probes: list[dict], load: dict, fault: dict, seconds: int):
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    load_average = ", ".join(f"{n:.2f}" for n in os.getloadavg())
    lines = [
        "# Reliability",
        "",
        "Written whole by `bench/reliability.py`; do not edit by hand.",
        "",
        f"Measured {datetime.date.today()} at commit {commit.stdout.strip() or 'unknown'}, load average"
        f" {load_average} (1, 5, 15 min) when the report was written, on this machine ({machine}), PostgreSQL {subprocess.run([pg_bin('postgres'), '--version'], capture_output=True, text=True).stdout.split()[2]},"  # noqa: E501
        " gunicorn with 2 sync workers (gunicorn.conf.py), DJANGO_ENV=production, CONN_MAX_AGE=60 with health checks,"
        " the demo data. Reproduce with `.venv/bin/python bench/reliability.py` (it starts and stops its own"
        " PostgreSQL and gunicorn, on loopback).",
        "",
        *probes_section(probes),
        f"## Load: wrk, 64 connections, {seconds} s, five pages in turn",
        "",
        "| requests | requests/s | p50 | p99 | socket errors | non-2xx/3xx |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {load['requests']} | {load['requests_per_second']} | {load['p50_ms']} ms | {load['p99_ms']} ms | "
        f"{load['connect'] + load['read'] + load['write'] + load['timeout']} | {load['non2xx']} |",
        "",
        "Pages: " + ", ".join(f"`{page}`" for page in PAGES) + ".",
        "",
        f"Result: {'passed' if load_passed(load) else 'FAILED'} (expected no error and no 5xx). Production"
        " settings with the public caches on (PUBLIC_CACHE_SECONDS=120, PUBLIC_PAGE_CACHE_SECONDS=60).",
        "",
        f"## Fault: PostgreSQL stopped for {fault['outage_seconds']} s under load",
        "",
        "Four clients request the same pages in a loop; PostgreSQL is stopped 5 s in (`pg_ctl stop -m fast`) and"
        " started again after the outage; the app is not restarted. The public page cache is off for this run"
        " (PUBLIC_CACHE_SECONDS=0, PUBLIC_PAGE_CACHE_SECONDS=0), so every request needs the database; with it on,"
        " pages kept in the cache keep answering 200 through an outage.",
        "",
        f"- statuses before the outage: {fault['statuses_before']}",
        f"- statuses during the outage: {fault['statuses_during_outage']}",
        f"- statuses after PostgreSQL returned: {fault['statuses_after']}",
        f"- last non-200 answer after the return: {fault['last_non_200_after_restart_s']} s after it",
        "",
        f"Result: {'passed' if fault['passed'] else 'FAILED'} (expected only 503 during the outage, never 500, and full"
        " service within 5 s of the return).",
        "",
    ]
    (ROOT / "docs" / "RELIABILITY.md").write_text("\n".join(lines))
    report = {"probes": probes, "load": load, "fault": fault}
    (ROOT / "docs" / "reliability.json").write_text(json.dumps(report, indent=2) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--load", type=int, default=30, help="seconds of wrk load")
    parser.add_argument("--fault-outage", type=int, default=10, help="seconds PostgreSQL stays down")
    options = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is needed: apt-get install wrk")
    postgres = Postgres()
    gunicorn = None
    try:
        postgres.init()
        probes = [probe_run("sqlite", postgres), probe_run("postgresql", postgres)]
        for run in probes:
            print(f"probes on {run['engine']}: " + ", ".join(str(p["held"]) for p in run["probes"]))
        env = app_environment(postgres.url)
        for command in (["migrate", "-v", "0"], ["load_demo"], ["collectstatic", "--no-input", "-v", "0"]):
            subprocess.run([PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)
        port = free_port()
        gunicorn = start_gunicorn(env, port)
        load = load_run(port, options.load)
        print(f"load: {load['requests']} requests, {load['non2xx']} non-2xx, p99 {load['p99_ms']} ms")
        gunicorn.terminate()
        gunicorn.wait(timeout=30)
        port = free_port()
        gunicorn = start_gunicorn(app_environment(postgres.url, caches=False), port)
        fault = fault_run(port, postgres, options.fault_outage)
        print(
            f"fault: during {fault['statuses_during_outage']}, recovered in {fault['last_non_200_after_restart_s']} s"
        )
        write_report(probes, load, fault, options.load)
        print("wrote docs/RELIABILITY.md")
    finally:
        if gunicorn:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)
        postgres.remove()


if __name__ == "__main__":
    main()
