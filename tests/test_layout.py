"""The tree is the pipeline: the write side (etl/) imports neither Streamlit nor pandas, the
read side (figures/) imports neither Streamlit nor the loader, and pages/ holds only pages."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def modules_of(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def imports_any(path: Path, prefixes: tuple[str, ...]) -> list[str]:
    return sorted(name for name in imported_modules(path) if name.startswith(prefixes))


WRITE_SIDE = [path for path in modules_of("etl") if path.name != "cli.py"]


@pytest.mark.parametrize("path", WRITE_SIDE, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_write_side_imports_neither_streamlit_nor_pandas_nor_the_read_side(path):
    assert imports_any(path, ("streamlit", "pandas", "figures", "ui", "pages")) == []


def test_the_command_line_uses_both_sides_but_never_streamlit():
    # `python -m etl user` and the report commands use the read side (figures); no command draws a page.
    assert imports_any(ROOT / "etl" / "cli.py", ("streamlit", "ui", "pages")) == []


@pytest.mark.parametrize("path", modules_of("figures"), ids=lambda p: str(p.relative_to(ROOT)))
def test_the_read_side_imports_neither_streamlit_nor_the_loader(path):
    assert imports_any(path, ("streamlit", "ui", "pages", "etl.loading", "etl.workbook", "etl.authoring")) == []


def test_pages_holds_only_pages():
    for path in (ROOT / "pages").glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "frame.run_page(" in source, f"{path.name} is not a page"
