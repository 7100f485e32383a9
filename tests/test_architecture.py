"""The import rules of docs/ARCHITECTURE.md: arrows point down only. Every import in records/, at module level or
inside a function, is read from the source and checked against the layer it comes from."""

import ast
from pathlib import Path

import pytest

RECORDS = Path(__file__).resolve().parent.parent / "records"

# What each part of records/ may import of the others (besides itself and Django, the standard library and
# third-party packages). `links` (detail URLs from the URLconf) sits below the models, whose get_absolute_url
# uses it.
MAY_IMPORT = {
    "rules": set(),
    "links": set(),
    "graphics": set(),
    "models": {"rules", "links"},
    "selectors": {"models", "rules", "links"},
    "exports": {"models", "rules", "links"},
    "documents": {"models", "rules", "services"},
    "services": {"models", "rules", "links", "documents"},
    "importers": {"models", "rules", "services", "links"},
    "admin": {"models", "rules", "services", "links"},
    "management": {"models", "rules", "services", "importers", "exports", "documents", "links"},
    "migrations": {"models", "rules", "importers"},
    "web": {"models", "rules", "links", "selectors", "services", "exports", "documents", "graphics"},
    "apps": {"models"},
}
PARTS = set(MAY_IMPORT)
# Single modules allowed one import beyond their part's rule, each with its reason (docs/ARCHITECTURE.md says it too).
# send_digests starts the email digests, a public channel of the web layer like the feeds: they read what is new on
# a followed page through that page's own filters (records/web/filters.py), which import the web's forms.
EXCEPTIONS = {"management/commands/send_digests.py": {"records.web.digests"}}


def part_of(path: Path) -> str:
    relative = path.relative_to(RECORDS)
    return relative.parts[0].removesuffix(".py") if relative.parts[0] != "__init__.py" else "records"


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, dotted name) of every import of a records module in the file, lazy ones included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "records":
                found += [(node.lineno, f"records.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return [(line, name) for line, name in found if name == "bench" or name.startswith(("records.", "bench."))]


def modules():
    return sorted(path for path in RECORDS.rglob("*.py") if part_of(path) != "records")


def test_every_part_of_records_has_a_rule():
    assert {part_of(path) for path in modules()} <= PARTS


@pytest.mark.parametrize("path", modules(), ids=lambda path: str(path.relative_to(RECORDS)))
def test_imports_point_down_only(path):
    part = part_of(path)
    wrong = []
    for line, name in imported_modules(path):
        target = name.split(".")[1] if name.startswith("records.") else "bench"
        if name in EXCEPTIONS.get(path.relative_to(RECORDS).as_posix(), ()):
            continue
        if target != part and target not in MAY_IMPORT[part]:
            wrong.append(f"line {line}: {name}")
    assert not wrong, f"{part} may import only {sorted(MAY_IMPORT[part])}"


def test_the_rules_are_those_the_architecture_page_draws():
    page = (RECORDS.parent / "docs" / "ARCHITECTURE.md").read_text()
    for part, allowed in MAY_IMPORT.items():
        line = f"| `{part}` | " + (", ".join(f"`{name}`" for name in sorted(allowed)) or "nothing") + " |"
        assert line in page, line


def test_the_checker_sees_a_wrong_import(tmp_path):
    wrong = tmp_path / "wrong.py"
    wrong.write_text("def f():\n    from records.web.views import public\n\nfrom records import exports\n")
    assert sorted(imported_modules(wrong)) == [(2, "records.web.views"), (4, "records.exports")]
