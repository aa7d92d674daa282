"""The module map of docs/design.md ("Where to change what") names every module, and only
modules that exist: a newcomer looking for where to change something finds it there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DESIGN = ROOT / "docs" / "design.md"


def mapped_modules() -> list[str]:
    """The paths in the "open" column of the module map, in order."""
    page = DESIGN.read_text(encoding="utf-8")
    section = page.split("## Where to change what", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line]
    opened = [row.rstrip(" |").rsplit("|", 1)[1].strip() for row in rows[1:]]  # [0]: the header
    paths = []
    for cell in opened:
        match = re.fullmatch(r"`([\w/]+\.py)`", cell)
        assert match, f"the module map's 'open' cell {cell!r} is not one module path"
        paths.append(match.group(1))
    return paths


def modules() -> set[str]:
    found = [*(ROOT / "cartesia_calls").rglob("*.py"), *(ROOT / "tools").glob("*.py")]
    return {path.relative_to(ROOT).as_posix() for path in found}


def test_the_module_map_names_every_module_once() -> None:
    mapped = mapped_modules()
    assert sorted(set(mapped)) == sorted(mapped), "a module is in the map twice"
    assert sorted(modules() - set(mapped)) == [], "add these modules to docs/design.md's map"


def test_every_module_in_the_map_exists() -> None:
    assert sorted(set(mapped_modules()) - modules()) == [], "the map names modules that are gone"
