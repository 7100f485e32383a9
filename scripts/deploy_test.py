"""`make deploy-test`: the production set-up of README "Growing past one machine", on this machine, end to end.

PostgreSQL (DATABASE_URL, from scripts/with-postgres), Redis (CACHE_URL), an S3-compatible server with a bucket
(moto's server mode, S3_*), two gunicorn app servers in production mode (DJANGO_ENV=production) on two ports, and
one task worker (TASKS_BACKEND=database, `manage.py db_worker`). Then, over HTTP:

1. an editor signs in on A and uploads a PDF: the upload answers at once with the document queued;
2. the worker extracts it (A's staff page goes from queued to done);
3. on B, a reader finds it by a word of its text and downloads the same bytes;
4. the editor makes it private on A (the admin): on B it is gone from its page, the search and the download.

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
    with log.open("wb") as output:
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
        redis_url = stack.enter_context(servers.redis_server())
        s3_endpoint = stack.enter_context(servers.s3_server())
        import boto3

        boto3.client(
            "s3", endpoint_url=s3_endpoint, region_name="us-east-1", aws_access_key_id=S3_KEY,
            aws_secret_access_key=S3_SECRET,
        ).create_bucket(Bucket=BUCKET)  # fmt: skip
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
        stack.enter_context(
            process(
                [python, "manage.py", "db_worker", "--interval", "0.2", "--no-reload"],
                env,
                logs / "worker.log",
                "task worker",
            )
        )
        for name, port in ports.items():
            wait_for(lambda port=port: healthy(port), 60, f"app server {name} answering /healthz")
        step(f"app servers A on {ports['A']} and B on {ports['B']}, and a task worker, running")
        run_checks(Browser(ports["A"]), Browser(ports["B"]), env)
    shutil.rmtree(logs)  # kept, with the servers' logs, only when a step failed
    step("passed")


def run_checks(editor: Browser, reader: Browser, env: dict):
    # 1. Sign in and upload on A.
    _, _, page = editor.get("/accounts/login/")
    status, headers, _ = editor.post_form(
        "/accounts/login/", [("csrfmiddlewaretoken", csrf_token(page)), ("username", EDITOR), ("password", PASSWORD)]
    )
    check(status == 302 and headers.get("Location") == "/staff/", "the editor signs in on A")
    _, _, page = editor.get("/staff/documents/upload/")
    started = time.monotonic()
    status, headers, _ = editor.post_multipart(
        "/staff/documents/upload/",
        [("csrfmiddlewaretoken", csrf_token(page)), ("kind", "contract"), ("visibility", "public")],
        [("files", "deploy-test-contract.pdf", PDF)],
    )
    answered = time.monotonic() - started
    location = headers.get("Location", "")
    check(status == 302 and location.startswith("/staff/documents/"), f"the upload answers at once ({answered:.2f} s)")
    document_id = int(location.rstrip("/").rsplit("/", 1)[1])
    _, _, page = editor.get(location)
    # The upload's message says what the extraction was when it answered: queued for the worker, not done.
    check(b"deploy-test-contract: queued." in page, "the upload left the document queued for the worker")

    # 2. The worker extracts it.
    def done():
        return b"<dt>Extraction</dt><dd>Done" in editor.get(location)[2]

    wait_for(done, 60, "the worker extracting the document")
    check(True, "the worker extracted it: A's staff page says done")

    # 3. On B: search and download.
    query = urllib.parse.urlencode({"q": "licence plate readers", "format": "json"})
    status, _, body = reader.get(f"/search/?{query}")
    hits = [hit for hit in json.loads(body)["results"] if f"/documents/{document_id}/" in hit.get("url", "")]
    check(status == 200 and hits and hits[0]["page"] == 1, "B finds it by a word of its text, on page 1")
    status, _, body = reader.get(f"/documents/{document_id}/download")
    check(status == 200 and hashlib.sha256(body).digest() == hashlib.sha256(PDF).digest(), "B serves the same bytes")
    status, _, _ = reader.get(f"/documents/{document_id}/")
    check(status == 200, "B shows its page")
    check(not any(Path(env["MEDIA_ROOT"]).rglob("*")), "nothing was written to MEDIA_ROOT (the file is in the bucket)")

    # 4. Private on A, gone from B.
    change = f"/admin/records/document/{document_id}/change/"
    status, _, page = editor.get(change)
    check(status == 200, "A's admin opens the document")
    fields = [[name, "private" if name == "visibility" else value] for name, value in form_fields(page, "visibility")]
    status, headers, body = editor.post_form(change, [*map(tuple, fields), ("_save", "Save")])
    check(status == 302, "the editor makes it private on A" + ("" if status == 302 else f" ({status})"))
    status, _, _ = reader.get(f"/documents/{document_id}/")
    check(status == 404, "B no longer shows its page")
    status, _, body = reader.get(f"/search/?{query}")
    check(f"/documents/{document_id}/" not in body.decode(), "B no longer finds it")
    status, _, _ = reader.get(f"/documents/{document_id}/download")
    check(status == 404, "B no longer serves the file")


if __name__ == "__main__":
    main()
