"""Browser tests: Playwright driving Debian's Chromium against a live server of the app.

Playwright's own browser download cannot work here, so the tests use /usr/bin/chromium (CHROMIUM
overrides). Without it they are skipped with a message; with CI=true they must run.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# The sync Playwright API runs an event loop in the test thread; Django's ORM calls in the same
# thread are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def chromium_missing() -> str | None:
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return f"Chromium not found at {CHROMIUM} (apt-get install chromium): browser tests skipped"
    return None


def pytest_collection_modifyitems(config, items):
    reason = chromium_missing()
    if reason is None:
        return
    if os.environ.get("CI") == "true":
        raise pytest.UsageError(f"{reason}, but CI=true requires them")
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
        ],
    }  # fmt: skip


@pytest.fixture
def demo_site(live_server, transactional_db):
    """The live server with the demo story loaded. Tests using it mark serialized_rollback, so the
    seeded rows (technologies, state laws, groups) come back after the flush."""
    import io

    from django.core.management import call_command

    call_command("load_demo", stdout=io.StringIO())
    return live_server.url


@pytest.fixture
def axe_source() -> str:
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("axe-core is missing: run `npm ci` (make test does)")
        pytest.skip("axe-core is missing: run `npm ci` (make test does)")
    return AXE.read_text()
