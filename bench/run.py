"""Scale and speed: one command that measures the tracker at several scales in one run (issue 7).

    scripts/with-postgres .venv/bin/python bench/run.py --scales 0.01 1

DATABASE_URL must name a PostgreSQL server (scripts/with-postgres starts a throwaway one); the run
creates one database per scale on it (bench_s0_01, bench_s1), migrates it and fills it with
`generate_synthetic --scale S` (SYNTHETIC data; --reuse keeps a database filled by an earlier run), then:

1. in-process, per scale, with Django's test client: the floor (a bare view rendering the base template
   and 50 items, no query; bench-only URLconf in bench/urls.py) and every key page (bench/harness.py):
   warm-up, then p50 and p95 of timed iterations, and the queries each page issues;
2. throughput under gunicorn (gunicorn.conf.py, 2 workers, 1 thread, CONN_MAX_AGE=60 as in production)
   of the floor and three pages on the largest scale, with wrk (Debian's package; installed if missing),
   32 connections on loopback for a bounded time each;
3. the peer comparison on SQLite: Datasette (installed into bench/.venv from bench/requirements.txt)
   serving the Atlas of Surveillance data as one table, against our timeline with the same filter
   (technology + state, first page, 50 rows), both under one HTTP client, sequentially, in this run.

It writes bench/results/scale-<time>.json, docs/benchmarks.json (the latest), and the "Scale and speed"
section of docs/BENCHMARKS.md (other sections are left as they are).
"""

import argparse
import contextlib
import csv
import http.client
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_VENV = ROOT / "bench" / ".venv"
RESULTS_DIR = ROOT / "bench" / "results"
LATEST = ROOT / "docs" / "benchmarks.json"
MARKDOWN = ROOT / "docs" / "BENCHMARKS.md"
SECTION = "## Scale and speed"
ATLAS_SAMPLE = ROOT / "records" / "data" / "atlas-of-surveillance-sample-300.csv"
THROUGHPUT_PAGES = ["floor", "agency timeline", "timeline by vendor and state", "vendor page"]
# What production sets by default (tracker/settings.py with DJANGO_ENV=production), without its HTTPS-only parts:
# aggregates and whole public pages kept, keyed by the content token that every write moves on.
PRODUCTION_LIKE = {"CONN_MAX_AGE": "60", "PUBLIC_CACHE_SECONDS": "600", "PUBLIC_PAGE_CACHE_SECONDS": "300"}
# The same with the page cache off: the work of rendering each page (what a request pays after a write).
RENDERED = PRODUCTION_LIKE | {"PUBLIC_PAGE_CACHE_SECONDS": "0"}
# And with the aggregates computed afresh too: what the kept aggregates buy (the HTTP validators stay on).
UNCACHED = RENDERED | {"PUBLIC_CACHE_SECONDS": "0"}
# Each in-process measurement (key in a scale's results, what it means, settings).
MODES = [
    (
        "pages",
        "as deployed (production's defaults: aggregates and whole public pages kept until the records change)",
        PRODUCTION_LIKE,
    ),
    ("pages_rendered", "every page rendered (the page cache off; aggregates kept)", RENDERED),
    ("pages_uncached", "nothing kept in the app (page and aggregate caches off)", UNCACHED),
]
THROUGHPUT_RUNS = [
    ("throughput_page_cache", "as deployed (whole public pages kept until the records change)", PRODUCTION_LIKE),
    ("throughput", "every page rendered (the page cache off; aggregates kept)", RENDERED),
]
# Face Recognition, as in the issue, in the state with the most such rows in the file (the sample has none in CA).
PEER_TECHNOLOGY = ("face-recognition", "Face Recognition")

# Targets of issue 7.
MAX_GROWTH = 1.5
MAX_DEEP_PAGE = 1.3
MAX_QUERIES = 10
MAX_PEER_RATIO = 0.5
MIN_THROUGHPUT_SHARE = 0.25
MAX_P95_MS = 50
MAX_SEARCH_P95_MS = 150


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# The machine


def machine() -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory_gib = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        memory_gib = round(kib / 1024 / 1024, 1)
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": memory_gib,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


# Databases


def database_url(base_url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(base_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def scale_database(scale: float) -> str:
    return "bench_s" + f"{scale:g}".replace(".", "_")


def psql_admin(base_url: str, statement: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(base_url)
    query = dict(urllib.parse.parse_qsl(parts.query))
    # CREATE and DROP DATABASE cannot run inside a transaction, hence autocommit.
    with psycopg.connect(
        dbname=parts.path.lstrip("/") or "postgres",
        user=urllib.parse.unquote(parts.username or "") or None,
        password=urllib.parse.unquote(parts.password or "") or None,
        host=query.get("host") or parts.hostname,
        port=query.get("port") or parts.port,
        autocommit=True,
    ) as connection:
        connection.execute(statement)


def manage(args: list[str], url: str, **kwargs) -> subprocess.CompletedProcess:
    env = dict(os.environ, DATABASE_URL=url)
    return subprocess.run([PYTHON, str(ROOT / "manage.py"), *args], env=env, cwd=ROOT, check=True, **kwargs)


def shell_output(url: str, code: str) -> str | None:
    """What `code` prints, run by `manage.py shell` against the database at `url`; None when it fails."""
    result = subprocess.run(
        [PYTHON, str(ROOT / "manage.py"), "shell", "-v", "0", "-c", code],
        env=dict(os.environ, DATABASE_URL=url),
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return (result.stdout.strip() or None) if result.returncode == 0 else None


def synthetic_agencies(url: str) -> int | None:
    """How many synthetic agencies the database holds, or None when it cannot be read (missing, unmigrated)."""
    code = "from records.models import Agency; print(Agency.objects.filter(slug__startswith='synthetic-').count())"
    output = shell_output(url, code)
    return int(output) if output and output.isdigit() else None


def prepare(base_url: str, scale: float, reuse: bool) -> dict:
    """The database of one scale, filled; how long generating took (None when an earlier run's was reused)."""
    from bench.synthetic import counts_for

    name = scale_database(scale)
    url = database_url(base_url, name)
    expected = counts_for(scale)["agencies"]
    if reuse and synthetic_agencies(url) == expected:
        log(f"scale {scale:g}: reusing database {name}")
        manage(["migrate", "--no-input", "-v", "0"], url)
        return {"scale": scale, "database": name, "url": url, "generate_seconds": None}
    log(f"scale {scale:g}: creating database {name}")
    psql_admin(base_url, f'DROP DATABASE IF EXISTS "{name}"')
    psql_admin(base_url, f'CREATE DATABASE "{name}"')
    manage(["migrate", "--no-input", "-v", "0"], url)
    log(f"scale {scale:g}: generate_synthetic --scale {scale:g}")
    started = time.perf_counter()
    manage(["generate_synthetic", "--scale", f"{scale:g}", "-v", "2"], url)
    seconds = round(time.perf_counter() - started, 1)
    log(f"scale {scale:g}: generated in {seconds} s")
    return {"scale": scale, "database": name, "url": url, "generate_seconds": seconds}


def database_size(url: str) -> str | None:
    code = (
        "from django.db import connection\n"
        "with connection.cursor() as c:\n"
        "    c.execute('SELECT pg_size_pretty(pg_database_size(current_database()))')\n"
        "    print(c.fetchone()[0])"
    )
    return shell_output(url, code)


# 1. In-process measurements (a child process per database, with the bench settings)


def measure_child(out: Path, iterations: int, warmup: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.db import connection

    from bench import harness

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()" if connection.vendor == "postgresql" else "SELECT sqlite_version()")
        version = cursor.fetchone()[0]
    pages = harness.key_pages()
    results = harness.measure_pages(pages, warmup=warmup, iterations=iterations)
    out.write_text(json.dumps({"database": version, "pages": [r.as_dict() for r in results]}, indent=1))


def measure(url: str, iterations: int, warmup: int, settings: dict) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    try:
        subprocess.run(
            [PYTHON, __file__, "--child", str(out), "--iterations", str(iterations), "--warmup", str(warmup)],
            env=dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="bench.settings") | settings,
            cwd=ROOT,
            check=True,
        )
        return json.loads(out.read_text())
    finally:
        out.unlink(missing_ok=True)


# 2. Throughput under gunicorn


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, path: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError, http.client.HTTPException):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path)
            if connection.getresponse().status < 500:
                return
        time.sleep(0.3)
    raise RuntimeError(f"nothing answered on port {port} within {seconds} s")


@contextlib.contextmanager
def gunicorn(url: str, settings: dict, workers: int = 2):
    port = free_port()
    env = (
        dict(
            os.environ,
            DATABASE_URL=url,
            DJANGO_SETTINGS_MODULE="bench.settings",
            BIND=f"127.0.0.1:{port}",
            WEB_CONCURRENCY=str(workers),
            GUNICORN_THREADS="1",
        )
        | settings
    )
    command = [str(Path(PYTHON).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "tracker.wsgi"]
    server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(port, "/healthz")
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk not found: installing Debian's package")
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    )
    return shutil.which("wrk") or "wrk"


def parse_wrk(output: str) -> dict:
    def number(pattern: str) -> float | None:
        match = re.search(pattern, output)
        return float(match.group(1)) if match else None

    def millis(pattern: str) -> float | None:
        match = re.search(pattern, output)
        if not match:
            return None
        value, unit = float(match.group(1)), match.group(2)
        return round(value * {"us": 0.001, "ms": 1, "s": 1000}[unit], 2)

    return {
        "requests_per_second": number(r"Requests/sec:\s+([\d.]+)"),
        "requests": number(r"(\d+) requests in"),
        "latency_p50_ms": millis(r"50%\s+([\d.]+)(us|ms|s)"),
        "latency_p99_ms": millis(r"99%\s+([\d.]+)(us|ms|s)"),
        "non_2xx": int(number(r"Non-2xx or 3xx responses:\s+(\d+)") or 0),
        "socket_errors": bool(re.search(r"Socket errors", output)),
    }


def throughput(url: str, pages: dict[str, str], seconds: int, connections: int, settings: dict) -> dict:
    wrk = ensure_wrk()
    results = {}
    page_cache_seconds = settings["PUBLIC_PAGE_CACHE_SECONDS"]
    with gunicorn(url, settings) as port:
        for name, path in pages.items():
            target = f"http://127.0.0.1:{port}{path}"
            # A short warm-up on two connections, so that each worker has its database connection and caches and
            # no backlog of abandoned requests is left to delay the timed run.
            subprocess.run([wrk, "-t2", "-c2", "-d3s", "--timeout", "30s", target], capture_output=True, check=True)
            run = subprocess.run(
                # A long timeout: with 32 connections queued on 2 workers a slow page answers after seconds, and wrk
                # would count those answers as errors, not as requests served.
                [wrk, "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s", "--latency", target],
                capture_output=True,
                text=True,
                check=True,
            )
            results[name] = parse_wrk(run.stdout) | {"path": path}
            log(f"throughput {name} (page cache {page_cache_seconds} s): {results[name]['requests_per_second']}/s")
    return {
        "workers": 2,
        "threads": 1,
        "connections": connections,
        "seconds": seconds,
        "page_cache_seconds": int(page_cache_seconds),
        "pages": results,
    }


# 3. The peer comparison on SQLite


def ensure_bench_venv() -> Path:
    datasette = BENCH_VENV / "bin" / "datasette"
    if not datasette.exists():
        log("creating bench/.venv with Datasette (bench/requirements.txt)")
        subprocess.run([PYTHON, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run(
            [str(BENCH_VENV / "bin" / "pip"), "install", "-q", "-r", str(ROOT / "bench" / "requirements.txt")],
            check=True,
        )
    return BENCH_VENV / "bin"


def atlas_file(workdir: Path) -> tuple[Path, str]:
    """The 2020 Atlas at its real size, synthesised from the sample as bench/import_bench.py does, or the sample."""
    try:
        sys.path.insert(0, str(ROOT))
        from bench.import_bench import synthesise_atlas

        target = workdir / "atlas-2020-size.csv"
        rows = synthesise_atlas(target)
        return target, f"the 300-row sample repeated to the 2020 export's {rows:,} rows (bench/import_bench.py)"
    except (ImportError, OSError):
        return ATLAS_SAMPLE, "the 300-row sample"


def _rows_in(body: bytes) -> int | None:
    """Rows in a JSON answer (Datasette's "rows", our "results"), or None for HTML."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    return len(data.get("rows") or data.get("results") or [])


def http_latency(port: int, path: str, iterations: int, warmup: int = 5) -> dict:
    """Sequential GETs on a new connection each, as a browser's first request: p50 and p95 in ms."""
    from bench.harness import percentile

    samples, status, size, body = [], 0, 0, b""
    for i in range(warmup + iterations):
        begin = time.perf_counter()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", path)
        response = connection.getresponse()
        body = response.read()
        connection.close()
        if i >= warmup:
            samples.append((time.perf_counter() - begin) * 1000)
        status, size = response.status, len(body)
    return {
        "path": path,
        "status": status,
        "bytes": size,
        "rows": _rows_in(body),
        "iterations": iterations,
        "p50_ms": round(percentile(samples, 0.5), 2),
        "p95_ms": round(percentile(samples, 0.95), 2),
    }


def peer_comparison(iterations: int) -> dict:
    bin_dir = ensure_bench_venv()
    slug, technology_name = PEER_TECHNOLOGY
    with tempfile.TemporaryDirectory(prefix="bench-peer-") as tmp:
        workdir = Path(tmp)
        source, described = atlas_file(workdir)
        app_url = f"sqlite:///{workdir / 'tracker.sqlite3'}"
        log("peer: migrating an SQLite database and importing the Atlas file")
        manage(["migrate", "--no-input", "-v", "0"], app_url)
        manage(["import_atlas", str(source), "-v", "0"], app_url, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Datasette gets the same rows as one table, as its users load a CSV.
        atlas_db = workdir / "atlas.db"
        subprocess.run(
            [str(bin_dir / "sqlite-utils"), "insert", str(atlas_db), "atlas", str(source), "--csv"], check=True
        )
        with open(source, encoding="utf-8-sig", newline="") as handle:
            states = Counter(row["State"] for row in csv.DictReader(handle) if row["Technology"] == technology_name)
        state = states.most_common(1)[0][0]
        technology_column = "Technology"
        query = urllib.parse.urlencode({technology_column: technology_name, "State": state, "_size": 50})
        ours_query = urllib.parse.urlencode({"technology": slug, "state": state})
        port = free_port()
        datasette = subprocess.Popen(
            [str(bin_dir / "datasette"), "serve", str(atlas_db), "--host", "127.0.0.1", "--port", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_for(port, "/")
            theirs = {
                "html": http_latency(port, f"/atlas/atlas?{query}", iterations),
                "json": http_latency(port, f"/atlas/atlas.json?{query}", iterations),
            }
        finally:
            datasette.terminate()
            datasette.wait(timeout=30)
        with gunicorn(app_url, RENDERED, workers=1) as app_port:
            ours = {
                "html": http_latency(app_port, f"/timeline/?{ours_query}", iterations),
                "json": http_latency(app_port, f"/timeline/?{ours_query}&format=json", iterations),
            }
        version = subprocess.run([str(bin_dir / "datasette"), "--version"], capture_output=True, text=True)
    return {
        "data": described,
        "filter": f"technology {technology_name}, state {state} ({states[state]:,} rows), first page of 50",
        "datasette_version": version.stdout.strip(),
        "datasette": theirs,
        "ours": ours,
        "ratio_html_p50": round(ours["html"]["p50_ms"] / theirs["html"]["p50_ms"], 3),
        "ratio_json_p50": round(ours["json"]["p50_ms"] / theirs["json"]["p50_ms"], 3),
    }


# Targets and the report


def evaluate(results: dict) -> list[dict]:
    """Each target of issue 7 with the measured number and whether it is met; computed, never written in."""
    scales = sorted(results["scales"], key=lambda s: s["scale"])
    small, large = scales[0], scales[-1]
    checks = []
    for key, how, _ in MODES:
        if key == "pages_uncached":  # a measure of what the app's caches buy, not a configuration with targets
            continue
        checks += _page_checks(small, large, key, how.split(" (")[0])
    return checks + _other_checks(results)


def _page_checks(small: dict, large: dict, key: str, mode: str) -> list[dict]:
    small_pages = {p["name"]: p for p in small.get(key, [])}
    large_pages = {p["name"]: p for p in large.get(key, [])}
    checks = []
    for name, page in large_pages.items():
        if name == "floor":
            continue
        base = small_pages.get(name)
        if base:
            ratio = page["p95_ms"] / base["p95_ms"]
            checks.append(
                {
                    "target": f"{name}, {mode}: p95 at S={large['scale']:g} "
                    f"<= {MAX_GROWTH}x p95 at S={small['scale']:g}",
                    "measured": f"{page['p95_ms']:.1f} / {base['p95_ms']:.1f} ms = {ratio:.2f}x",
                    "met": ratio <= MAX_GROWTH,
                }
            )
            same = page["queries"] == base["queries"]
            checks.append(
                {
                    "target": f"{name}, {mode}: <= {MAX_QUERIES} queries, the same at both scales",
                    "measured": f"{base['queries']} and {page['queries']}",
                    "met": page["queries"] <= MAX_QUERIES and same,
                }
            )
        limit = MAX_SEARCH_P95_MS if name.startswith("search") else MAX_P95_MS
        checks.append(
            {
                "target": f"{name}, {mode}: p95 <= {limit} ms at S={large['scale']:g}",
                "measured": f"{page['p95_ms']:.1f} ms",
                "met": page["p95_ms"] <= limit,
            }
        )
    first, deep = large_pages.get("timeline page 1"), large_pages.get("timeline deep page")
    if first and deep:
        ratio = deep["p95_ms"] / first["p95_ms"]
        checks.append(
            {
                "target": f"{deep['note']}, {mode}: <= {MAX_DEEP_PAGE}x page 1 (p95, S={large['scale']:g})",
                "measured": f"{deep['p95_ms']:.1f} / {first['p95_ms']:.1f} ms = {ratio:.2f}x",
                "met": ratio <= MAX_DEEP_PAGE,
            }
        )
    return checks


def _other_checks(results: dict) -> list[dict]:
    checks = []
    peer = results.get("peer")
    if peer:
        checks.append(
            {
                "target": f"our filtered page / Datasette (HTML, p50, SQLite) <= {MAX_PEER_RATIO}",
                "measured": f"{peer['ours']['html']['p50_ms']:.1f} / {peer['datasette']['html']['p50_ms']:.1f} ms"
                f" = {peer['ratio_html_p50']:.2f}",
                "met": peer["ratio_html_p50"] <= MAX_PEER_RATIO,
            }
        )
        checks.append(
            {
                "target": f"our filtered page / Datasette (JSON, p50, SQLite) <= {MAX_PEER_RATIO}",
                "measured": f"{peer['ours']['json']['p50_ms']:.1f} / {peer['datasette']['json']['p50_ms']:.1f} ms"
                f" = {peer['ratio_json_p50']:.2f}",
                "met": peer["ratio_json_p50"] <= MAX_PEER_RATIO,
            }
        )
    for key, how, _ in THROUGHPUT_RUNS:
        load = results.get(key, {}).get("pages", {})
        if "floor" in load and "agency timeline" in load:
            floor, agency = load["floor"]["requests_per_second"], load["agency timeline"]["requests_per_second"]
            checks.append(
                {
                    "target": f"agency timeline throughput >= {MIN_THROUGHPUT_SHARE:.0%} of the floor's ({how})",
                    "measured": f"{agency:,.0f} / {floor:,.0f} requests/s = {agency / floor:.0%}",
                    "met": agency / floor >= MIN_THROUGHPUT_SHARE,
                }
            )
    return checks


def markdown(results: dict) -> str:
    m = results["machine"]
    scales = sorted(results["scales"], key=lambda s: s["scale"])
    lines = [
        SECTION,
        "",
        f"Measured {results['date']} by `bench/run.py` in one run: {m['cpu']}, {m['cores']} cores, "
        f"{m['memory_gib']} GiB RAM, Python {m['python']}, {scales[-1].get('database', 'PostgreSQL')}. "
        f"Load average at the start {m['load_average_at_start']}, at the end {m.get('load_average_at_end')}. "
        "All data is SYNTHETIC (`generate_synthetic`); the peer comparison uses the Atlas of Surveillance sample.",
        "",
        "Reproduce (a throwaway PostgreSQL server; about 25 minutes, most of it generating S=1):",
        "",
        "```sh",
        results["command"],
        "```",
        "",
        "| Scale | Agencies | Timeline entries | Document pages | Generated in | Database size |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for s in scales:
        generated = f"{s['generate_seconds']:.0f} s" if s.get("generate_seconds") else "(reused)"
        counts = s["counts"]
        lines.append(
            f"| {s['scale']:g} | {counts['agencies']:,} | {counts['events']:,} | ~{counts.get('pages', 0):,} | "
            f"{generated} | {s.get('size') or ''} |"
        )
    for key, how, _ in MODES:
        lines += _page_table(scales, key, how)
    for key, how, _ in THROUGHPUT_RUNS:
        load = results.get(key)
        if not load:
            continue
        lines += [
            "",
            f"Throughput at S={scales[-1]['scale']:g}, {how}: gunicorn ({load['workers']} workers, {load['threads']} "
            f"thread, CONN_MAX_AGE=60, PUBLIC_PAGE_CACHE_SECONDS={load['page_cache_seconds']}) with wrk, "
            f"{load['connections']} connections, {load['seconds']} s each, "
            "on the same machine:",
            "",
            "| Page | Requests/s | Share of the floor | Latency p50 | p99 | Non-2xx |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        floor = load["pages"].get("floor", {}).get("requests_per_second") or 0
        for name, row in load["pages"].items():
            share = f"{row['requests_per_second'] / floor:.0%}" if floor else ""
            lines.append(
                f"| {name} | {row['requests_per_second']:,.0f} | {share} | {row['latency_p50_ms']} ms | "
                f"{row['latency_p99_ms']} ms | {row['non_2xx']} |"
            )
    peer = results.get("peer")
    if peer:
        lines += [
            "",
            f"Peer comparison on SQLite ({peer['data']}; {peer['filter']}): {peer['datasette_version']} serving "
            "the rows as one table, against our `/timeline/` under gunicorn (1 worker); sequential requests, a new "
            "connection each, p50 / p95 in ms:",
            "",
            "| | Datasette | Ours | Ratio (p50) |",
            "| --- | ---: | ---: | ---: |",
            f"| HTML | {peer['datasette']['html']['p50_ms']} / {peer['datasette']['html']['p95_ms']} | "
            f"{peer['ours']['html']['p50_ms']} / {peer['ours']['html']['p95_ms']} | {peer['ratio_html_p50']:.2f} |",
            f"| JSON | {peer['datasette']['json']['p50_ms']} / {peer['datasette']['json']['p95_ms']} | "
            f"{peer['ours']['json']['p50_ms']} / {peer['ours']['json']['p95_ms']} | {peer['ratio_json_p50']:.2f} |",
        ]
    lines += [
        "",
        "Targets (issue 7), computed from the numbers above:",
        "",
        "| Target | Measured | Met |",
        "| --- | --- | --- |",
    ]
    for check in results["targets"]:
        lines.append(f"| {check['target']} | {check['measured']} | {'yes' if check['met'] else '**no**'} |")
    return "\n".join(lines) + "\n"


def _page_table(scales: list[dict], key: str, how: str) -> list[str]:
    lines = [
        "",
        f"In-process with Django's test client, {how}, milliseconds: p50 and p95 of the timed requests after a "
        "warm-up, the queries of a warm request, and the first request after emptying the cache (cold) with its "
        "queries:",
        "",
        "| Page | "
        + " | ".join(f"S={s['scale']:g} p50 | p95 | queries | cold (queries)" for s in scales)
        + " | p95 ratio |",
        "| --- | " + " | ".join("---: | ---: | ---: | ---:" for _ in scales) + " | ---: |",
    ]
    by_scale = [{p["name"]: p for p in s.get(key, [])} for s in scales]
    for name in by_scale[-1]:
        cells = []
        for pages in by_scale:
            page = pages.get(name)
            cells.append(
                f"{page['p50_ms']:.1f} | {page['p95_ms']:.1f} | {page['queries']} | "
                f"{page['cold_ms']:.0f} ({page['cold_queries']})"
                if page
                else "- | - | - | -"
            )
        ratio = ""
        if name in by_scale[0] and by_scale[0][name]["p95_ms"]:
            ratio = f"{by_scale[-1][name]['p95_ms'] / by_scale[0][name]['p95_ms']:.2f}x"
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {ratio} |")
    lines += [
        "",
        "Pages (largest scale): "
        + "; ".join(f"{n}: `{p['url']}`" + (f" ({p['note']})" if p["note"] else "") for n, p in by_scale[-1].items())
        + ".",
    ]
    return lines


def write_section(text: str) -> None:
    """Replace the "Scale and speed" section of docs/BENCHMARKS.md (or add it), leaving the others alone."""
    current = MARKDOWN.read_text() if MARKDOWN.exists() else "# Benchmarks\n"
    start = current.find(SECTION + "\n")
    if start == -1:
        MARKDOWN.write_text(current.rstrip("\n") + "\n\n" + text)
        return
    following = current.find("\n## ", start + len(SECTION))
    notes_marker = current.find("\n### ", start + len(SECTION))
    # Hand-written notes under "###" headings inside the section are kept after the generated part.
    end = following if following != -1 else len(current)
    notes = ""
    if notes_marker != -1 and notes_marker < end:
        notes = current[notes_marker:end].strip("\n")
    replacement = text + ("\n" + notes + "\n" if notes else "")
    rest = current[end:].lstrip("\n")
    MARKDOWN.write_text(current[:start] + replacement + ("\n" + rest if rest else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=float, nargs="+", default=[0.01, 1.0])
    parser.add_argument("--reuse", action="store_true", help="Keep a database an earlier run filled at that scale.")
    parser.add_argument("--iterations", type=int, default=40, help="Timed requests per page (after the warm-up).")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--duration", type=int, default=10, help="Seconds of wrk per page.")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--skip-peer", action="store_true")
    parser.add_argument("--drop", action="store_true", help="Drop the benchmark databases at the end.")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        measure_child(args.child, args.iterations, args.warmup)
        return

    base_url = os.environ.get("DATABASE_URL", "")
    if not base_url.startswith(("postgres://", "postgresql://")):
        sys.exit(
            "bench/run.py needs DATABASE_URL to name a PostgreSQL server; try: scripts/with-postgres "
            + " ".join(sys.argv)
        )
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    import django

    django.setup()
    from bench.synthetic import PAGES_WEIGHTS, counts_for

    mean_pages = sum((i + 1) * w for i, w in enumerate(PAGES_WEIGHTS)) / sum(PAGES_WEIGHTS)
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine": machine(),
        "command": "scripts/with-postgres .venv/bin/python bench/run.py --scales "
        + " ".join(f"{s:g}" for s in args.scales),
        "scales": [],
    }
    databases = [prepare(base_url, scale, args.reuse) for scale in sorted(args.scales)]
    for db in databases:
        counts = counts_for(db["scale"]) | {"pages": round(counts_for(db["scale"])["documents"] * mean_pages)}
        entry = {
            "scale": db["scale"],
            "generate_seconds": db["generate_seconds"],
            "size": database_size(db["url"]),
            "counts": counts,
        }
        for key, how, settings in MODES:
            log(f"scale {db['scale']:g}: measuring pages in-process, {how}")
            measured = measure(db["url"], args.iterations, args.warmup, settings)
            entry["database"] = measured["database"].split(" on ")[0]
            entry[key] = measured["pages"]
            for page in measured["pages"]:
                timing = f"p50 {page['p50_ms']:8.1f}  p95 {page['p95_ms']:8.1f} ms  cold {page['cold_ms']:8.1f} ms"
                log(f"  {page['name']:<30} {timing}  {page['queries']} queries ({page['cold_queries']} cold)")
        results["scales"].append(entry)
    if not args.skip_throughput:
        largest = results["scales"][-1]
        paths = {p["name"]: p["url"] for p in largest["pages"]}
        chosen = {name: paths[name] for name in THROUGHPUT_PAGES}
        for key, _, settings in THROUGHPUT_RUNS:
            results[key] = throughput(databases[-1]["url"], chosen, args.duration, args.connections, settings)
    if not args.skip_peer:
        results["peer"] = peer_comparison(args.iterations)
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["targets"] = evaluate(results)
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS_DIR / f"scale-{stamp}.json").write_text(json.dumps(results, indent=1))
    LATEST.write_text(json.dumps(results, indent=1))
    write_section(markdown(results))
    for check in results["targets"]:
        log(f"{'met    ' if check['met'] else 'NOT MET'} {check['target']}: {check['measured']}")
    if args.drop:
        for db in databases:
            psql_admin(base_url, f'DROP DATABASE IF EXISTS "{db["database"]}"')


if __name__ == "__main__":
    main()
