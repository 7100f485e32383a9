"""One section of docs/BENCHMARKS.md rewritten by the benchmark that measures it, the others left alone."""

from pathlib import Path


def replace_section(path: Path, heading: str, section: str) -> None:
    """Put `section` (starting with `heading`, e.g. "## Imports") in place of that section of `path`, or add it
    at the end; other sections belong to other benchmarks."""
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    start = text.find(heading + "\n")
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + len(heading))
        text = text[:start] + section + ("\n" + text[end + 1 :] if end != -1 else "")
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
