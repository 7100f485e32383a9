"""The lock files (`make lock`) agree with the hand-written top-level lists they are compiled from: a pin
changed in requirements*.txt without `make lock` would otherwise go uninstalled."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path: Path) -> dict[str, str]:
    """name -> version of every `name==version` line (extras and hash continuations left out)."""
    found = {}
    for line in path.read_text().splitlines():
        if match := re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", line):
            found[canonical(match[1])] = match[2]
    return found


def test_the_runtime_lock_pins_every_top_level_requirement_as_written():
    top_level, lock = pins(ROOT / "requirements.txt"), pins(ROOT / "requirements.lock")
    assert top_level
    assert {name: lock.get(name) for name in top_level} == top_level


def test_the_dev_lock_pins_the_dev_requirements_and_everything_the_runtime_lock_pins():
    dev_top_level, dev_lock = pins(ROOT / "requirements-dev.txt"), pins(ROOT / "requirements-dev.lock")
    runtime_lock = pins(ROOT / "requirements.lock")
    assert {name: dev_lock.get(name) for name in dev_top_level} == dev_top_level
    assert {name: dev_lock.get(name) for name in runtime_lock} == runtime_lock
