"""`make deploy-test`: the production set-up of README "Growing past one machine", on this machine, end to end.

PostgreSQL (DATABASE_URL, from scripts/with-postgres), Redis (CACHE_URL), an S3-compatible server with a bucket
(moto's server mode, S3_*), two gunicorn app servers in production mode (DJANGO_ENV=production) on two ports, and
one task worker (TASKS_BACKEND=database, `manage.py db_worker`). Then, over HTTP:

1. an editor signs in on A and uploads a text PDF: the upload answers at once with the document queued;
2. the worker extracts it (A's staff page goes from queued to done);
3. on B, a reader finds it by a word of its text and downloads the same bytes; the file is an object in the
   bucket, and nothing was written to MEDIA_ROOT;
4. with the worker stopped for 10 s, a scanned PDF uploaded on A stays queued; started again, the worker
   reads it with Tesseract (when installed) and B finds its words;
5. with Redis stopped for 10 s, B's pages still answer, from the database; Redis back, they still do;
6. the editor makes the text PDF private on A (the admin): on B it is gone from its page, the search, the
   download, the documents list's CSV and JSON exports and the sitemap.

Every server listens on 127.0.0.1 only and is stopped at the end. Exit status 0 when every step held.

    scripts/with-postgres .venv/bin/python scripts/deploy_test.py
"""

import hashlib
import html.parser
import http.client
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import pdfs, servers  # noqa: E402

BUCKET = "tracker-deploy-test"
EDITOR, PASSWORD = "deploy-editor", secrets.token_urlsafe(16)
# moto accepts any keys; the app must still send the ones it is given.
S3_KEY, S3_SECRET = "deploy", secrets.token_urlsafe(16)
WORDS = "Deployment test contract for automated licence plate readers"
PDF = pdfs.text_pdf([f"{WORDS} {uuid.uuid4().hex[:8]}", "Second page: the Okaloosa invoice"])
SCAN_WORDS = "Scanned purchase order for a gunshot detection system"
SCAN = pdfs.scanned_pdf([f"{SCAN_WORDS}\nPrinted, signed and scanned", "Second page\nAppendix of locations"])


def step(message: str):
    print(f"deploy-test: {message}", flush=True)


class Browser:
    """One person's HTTP client for one server, as if behind a TLS proxy: it sends X-Forwarded-Proto: https and
    keeps its cookies itself (Django's secure cookies are never sent over plain HTTP by a cookie jar)."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> tuple:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "Referer": f"https://127.0.0.1:{self.port}{path}",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        connection.close()
        return response.status, dict(response.getheaders()), data

    def get(self, path: str):
        return self.request("GET", path)

    def post_form(self, path: str, fields: list[tuple[str, str]]):
        return self.request("POST", path, urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def post_multipart(self, path: str, fields: list[tuple[str, str]], files: list[tuple[str, str, bytes]]):
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields:
            parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
        for name, filename, data in files:
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                "Content-Type: application/pdf\r\n\r\n"
            )
            parts.append(head.encode() + data + b"\r\n")
        parts.append(f"--{boundary}--\r\n".encode())
        return self.request("POST", path, b"".join(parts), f"multipart/form-data; boundary={boundary}")


class FormFields(html.parser.HTMLParser):
    """The fields a browser would send with the form that holds a given field: inputs, selects, textareas."""

    def __init__(self, marker: str):
        super().__init__(convert_charrefs=True)
        self.marker, self.forms, self.current = marker, [], None
        self.select, self.textarea = None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = []
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file", "image", "reset"):
                self.current.append([attrs["name"], attrs.get("value", "on" if kind == "checkbox" else "")])
        elif tag == "select" and attrs.get("name"):
            self.select = [attrs["name"], None]
            self.current.append(self.select)
        elif tag == "option" and self.select is not None:
            if self.select[1] is None or "selected" in attrs:
                self.select[1] = attrs.get("value", "")
        elif tag == "textarea" and attrs.get("name"):
            self.textarea = [attrs["name"], ""]
            self.current.append(self.textarea)

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form":
            self.current = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def fields(self) -> list[list[str]]:
        for form in self.forms:
            if any(name == self.marker for name, _ in form):
                return [[name, "" if value is None else value] for name, value in form]
        raise AssertionError(f"no form with a field {self.marker!r}")


def form_fields(page: bytes, marker: str) -> list[list[str]]:
    parser = FormFields(marker)
    parser.feed(page.decode())
    return parser.fields()


def csrf_token(page: bytes) -> str:
    return re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()


def check(condition: bool, message: str):
    if not condition:
        raise SystemExit(f"deploy-test: FAILED: {message}")
    step(f"ok: {message}")


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.3)
    raise SystemExit(f"deploy-test: FAILED: {what} within {seconds} s")


@contextmanager
def process(command: list[str], env: dict, log: Path, name: str):
    with log.open("ab") as output:  # appended: a restarted server keeps its earlier log
        running = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield running
    finally:
        running.terminate()
        try:
            running.wait(timeout=20)
        except subprocess.TimeoutExpired:
            running.kill()
            running.wait()
        if running.returncode not in (0, -15):
            step(f"{name} ended with {running.returncode}; its log: {log}")


class Restartable:
    """A server the test stops and starts again (the same command, on the same port): `start` is a function
    giving the context manager that runs it."""

    def __init__(self, start):
        self._start, self._running = start, None

    def start(self):
        self._running = ExitStack()
        self._running.enter_context(self._start())

    def stop(self):
        self._running.close()
        self._running = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        if self._running is not None:
            self.stop()


def healthy(port: int) -> bool:
    try:
        status, _, _ = Browser(port).get("/healthz")
    except OSError:
        return False
    return status == 200


def main():
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("deploy-test: run it under scripts/with-postgres (it needs a PostgreSQL DATABASE_URL).")
    python = sys.executable
    logs = Path(tempfile.mkdtemp(prefix="tracker-deploy-test-"))
    with ExitStack() as stack:
        redis_port = servers.free_port()
        redis = stack.enter_context(Restartable(lambda: servers.redis_server(redis_port)))
        redis_url = f"redis://127.0.0.1:{redis_port}/0"
        s3_endpoint = stack.enter_context(servers.s3_server())
        import boto3

        bucket = boto3.client(
            "s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_SECRET,
        )  # fmt: skip
        bucket.create_bucket(Bucket=BUCKET)
        step(f"PostgreSQL, Redis at {redis_url}, S3 at {s3_endpoint} (bucket {BUCKET}); logs in {logs}")
        env = {
            **os.environ,
            "DJANGO_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "127.0.0.1",
            "CACHE_URL": redis_url,
            "TASKS_BACKEND": "database",
            "S3_BUCKET": BUCKET,
            "S3_ENDPOINT_URL": s3_endpoint,
            "S3_REGION": "us-east-1",
            "S3_ACCESS_KEY_ID": S3_KEY,
            "S3_SECRET_ACCESS_KEY": S3_SECRET,
            "S3_PREFIX": "media",
            "STATIC_ROOT": str(logs / "static"),
            # Nothing may be written here: files go to the bucket.
            "MEDIA_ROOT": str(logs / "media-must-stay-empty"),
            "WEB_CONCURRENCY": "2",
            "PYTHONUNBUFFERED": "1",
        }
        for command in (
            ["migrate", "--no-input", "-v", "0"],
            ["collectstatic", "--no-input", "-v", "0"],
            ["shell", "--no-imports", "-c", (
                "from django.contrib.auth.models import Group, User\n"
                f"editor = User.objects.create_user({EDITOR!r}, password={PASSWORD!r}, is_staff=True)\n"
                "editor.groups.add(Group.objects.get(name='editors'))\n"
            )],
        ):  # fmt: skip
            subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)
        ports = {"A": servers.free_port(), "B": servers.free_port()}
        for name, port in ports.items():
            stack.enter_context(
                process(
                    [str(Path(python).parent / "gunicorn"), "tracker.wsgi", "-c", "gunicorn.conf.py"],
                    {**env, "BIND": f"127.0.0.1:{port}"},
                    logs / f"gunicorn-{name}.log",
                    f"app server {name}",
                )
            )
        worker_command = [python, "manage.py", "db_worker", "--interval", "0.2", "--no-reload"]
        worker = stack.enter_context(
            Restartable(lambda: process(worker_command, env, logs / "worker.log", "task worker"))
        )
        for name, port in ports.items():
            wait_for(lambda port=port: healthy(port), 60, f"app server {name} answering /healthz")
        step(f"app servers A on {ports['A']} and B on {ports['B']}, and a task worker, running")
        run_checks(Browser(ports["A"]), Browser(ports["B"]), env, bucket=bucket, redis=redis, worker=worker)
    shutil.rmtree(logs)  # kept, with the servers' logs, only when a step failed
    step("passed")


def upload(editor: Browser, name: str, data: bytes) -> tuple[int, str]:
    """Uploads a public contract on the editor's server; returns its id and staff page, checking the upload
    answered at once with the document queued for the worker."""
    _, _, page = editor.get("/staff/documents/upload/")
    started = time.monotonic()
    status, headers, _ = editor.post_multipart(
        "/staff/documents/upload/",
        [("csrfmiddlewaretoken", csrf_token(page)), ("kind", "contract"), ("visibility", "public")],
        [("files", f"{name}.pdf", data)],
    )
    answered = time.monotonic() - started
    location = headers.get("Location", "")
    check(
        status == 302 and location.startswith("/staff/documents/"),
        f"{name}: the upload answers at once ({answered:.2f} s)",
    )
    _, _, page = editor.get(location)
    # The upload's message says what the extraction was when it answered: queued for the worker, not done.
    check(f"{name}: queued.".encode() in page, f"{name}: the upload left the document queued for the worker")
    return int(location.rstrip("/").rsplit("/", 1)[1]), location


def extraction_state(editor: Browser, location: str) -> str:
    page = editor.get(location)[2].decode()
    found = re.search(r"<dt>Extraction</dt><dd>(\w+)", page)
    return found.group(1) if found else ""


def found_on_page(reader: Browser, words: str, document_id: int) -> int | None:
    """The page number of the document's first hit for `words` in B's search (JSON), or None."""
    query = urllib.parse.urlencode({"q": words, "format": "json"})
    status, _, body = reader.get(f"/search/?{query}")
    if status != 200:
        return None
    hits = [hit for hit in json.loads(body)["results"] if f"/documents/{document_id}/" in hit.get("url", "")]
    return hits[0]["page"] if hits else None


def run_checks(editor: Browser, reader: Browser, env: dict, *, bucket, redis: Restartable, worker: Restartable):
    # 1. Sign in and upload on A.
    _, _, page = editor.get("/accounts/login/")
    status, headers, _ = editor.post_form(
        "/accounts/login/", [("csrfmiddlewaretoken", csrf_token(page)), ("username", EDITOR), ("password", PASSWORD)]
    )
    check(status == 302 and headers.get("Location") == "/staff/", "the editor signs in on A")
    document_id, location = upload(editor, "deploy-test-contract", PDF)

    # 2. The worker extracts it.
    wait_for(lambda: extraction_state(editor, location) == "Done", 60, "the worker extracting the document")
    check(True, "the worker extracted it: A's staff page says done")

    # 3. On B: search and download; the file is in the bucket.
    check(
        found_on_page(reader, "licence plate readers", document_id) == 1, "B finds it by a word of its text, on page 1"
    )
    status, _, body = reader.get(f"/documents/{document_id}/download")
    check(status == 200 and hashlib.sha256(body).digest() == hashlib.sha256(PDF).digest(), "B serves the same bytes")
    status, _, _ = reader.get(f"/documents/{document_id}/")
    check(status == 200, "B shows its page")
    objects = bucket.list_objects_v2(Bucket=BUCKET, Prefix="media/").get("Contents", [])
    check(
        any(item["Size"] == len(PDF) for item in objects), f"the file is an object in the bucket ({len(objects)} there)"
    )
    check(not any(Path(env["MEDIA_ROOT"]).rglob("*")), "nothing was written to MEDIA_ROOT (the file is in the bucket)")

    # 4. The worker away for 10 s: an upload queues, and completes once it is back.
    worker.stop()
    scan_id, scan_location = upload(editor, "deploy-test-scan", SCAN)
    time.sleep(10)
    check(
        extraction_state(editor, scan_location) == "Queued", "with the worker stopped for 10 s, the scan stays queued"
    )
    worker.start()
    wait_for(lambda: extraction_state(editor, scan_location) not in ("Queued", "Running"), 120, "the scan extracted")
    if shutil.which("tesseract"):
        state = extraction_state(editor, scan_location)
        check(state == "Done", f"the worker back, it read the scan with Tesseract ({state})")
        check(
            found_on_page(reader, "gunshot detection", scan_id) == 1, "B finds the scan by a word OCR read, on page 1"
        )
    else:
        step("tesseract is not installed: the scan is marked as needing OCR, its words are not checked")

    # 5. Redis away for 10 s: B's pages answer from the database.
    redis.stop()
    answered, deadline = [], time.monotonic() + 10
    while time.monotonic() < deadline:
        for path in ("/", "/timeline/", f"/documents/{document_id}/", "/search/?q=contract"):
            answered.append(reader.get(path)[0])
        time.sleep(0.5)
    check(set(answered) == {200}, f"with Redis stopped for 10 s, B answered {len(answered)} page requests, all 200")
    redis.start()
    check(reader.get("/timeline/")[0] == 200, "Redis back, B still answers")

    # 6. Private on A, gone from B.
    exports = ("/documents/?format=csv", "/documents/?format=json", "/sitemap-documents.xml")
    marker = f"/documents/{document_id}/"
    listed = {path: marker.encode() in reader.get(path)[2] for path in exports}
    check(all(listed.values()), f"before: B lists it in {', '.join(exports)}")
    change = f"/admin/records/document/{document_id}/change/"
    status, _, page = editor.get(change)
    check(status == 200, "A's admin opens the document")
    fields = [[name, "private" if name == "visibility" else value] for name, value in form_fields(page, "visibility")]
    status, headers, body = editor.post_form(change, [*map(tuple, fields), ("_save", "Save")])
    check(status == 302, "the editor makes it private on A" + ("" if status == 302 else f" ({status})"))
    status, _, _ = reader.get(f"/documents/{document_id}/")
    check(status == 404, "B no longer shows its page")
    check(found_on_page(reader, "licence plate readers", document_id) is None, "B no longer finds it")
    status, _, _ = reader.get(f"/documents/{document_id}/download")
    check(status == 404, "B no longer serves the file")
    for path in exports:
        status, _, body = reader.get(path)
        check(status == 200 and marker.encode() not in body, f"B no longer lists it in {path}")


if __name__ == "__main__":
    main()
