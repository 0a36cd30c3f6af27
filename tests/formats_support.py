"""Shared by the number-format and second-reader tests: where the calamine corpus is, what kind a file is."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
ROOT = Path(__file__).resolve().parent.parent


def corpus_files() -> list[Path]:
    """The calamine test workbooks: $FAZHI_CORPUS, or ../shared/corpus/calamine-tests beside this checkout."""
    root = Path(os.environ.get("FAZHI_CORPUS", ROOT.parent / "shared" / "corpus" / "calamine-tests"))
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() in (".xls", ".xlsx", ".xlsm", ".xlsb", ".ods"))


def kind_of(data: bytes) -> str:
    """The kind opening.sniff would give (without its refusals)."""
    if data.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError, EOFError):
            return "xlsx"
        if "mimetype" in names:
            return "ods"
        return "xlsb" if "xl/workbook.bin" in names else "xlsx"
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "xls"
    return "unknown"
